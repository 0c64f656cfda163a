// Traces in the QEMU NVMe oracle's format (../shared/oracle/README.md "Trace format"):
// configuration normalisation and the SQE + data each op builds, byte for byte as
// qemu_nvme_oracle.py builds them, so both implementations receive identical commands.

export class TraceError extends Error {}

export interface OracleNamespace {
  nsid: number;
  block_size: number;
  nblocks: number;
  mssrl: number;
  mcl: number;
  msrc: number;
  props: Record<string, unknown>;
  ms: number;
  mset: number;
  lba_xfer_size: number;
}

export interface OracleConfig {
  ram_mb: number;
  mdts: number;
  serial: string;
  admin_qsize: number;
  io_qsize: number;
  command_timeout_s: number;
  ctrl_props: Record<string, unknown>;
  namespaces: OracleNamespace[];
}

export type Op = Record<string, unknown> & { op: string };

export interface Trace {
  name?: string;
  config?: Record<string, unknown>;
  ops: Op[];
}

const MiB = 1024 * 1024;

/** An integer field: JSON number or decimal/0x string, as the oracle's _int. */
export function int(o: Record<string, unknown>, key: string, dflt?: number | bigint, lo?: bigint | number, hi?: bigint | number): bigint {
  if (!(key in o)) {
    if (dflt === undefined) throw new TraceError(`op "${o.op}" needs "${key}"`);
    return BigInt(dflt);
  }
  const v = o[key];
  let b: bigint;
  if (typeof v === "string") {
    const t = v.trim().toLowerCase();
    if (!/^(0x[0-9a-f]+|0o[0-7]+|0b[01]+|\d+)$/.test(t)) throw new TraceError(`${o.op}.${key} must be an integer`);
    b = BigInt(t);
  } else if (typeof v === "number" && Number.isInteger(v)) {
    b = BigInt(v);
  } else {
    throw new TraceError(`${o.op}.${key} must be an integer`);
  }
  if ((lo !== undefined && b < BigInt(lo)) || (hi !== undefined && b > BigInt(hi))) {
    throw new TraceError(`${o.op}.${key}=${b} outside [${lo}, ${hi}]`);
  }
  return b;
}
const num = (o: Record<string, unknown>, key: string, dflt?: number, lo?: number, hi?: number) => Number(int(o, key, dflt, lo, hi));

export function normalizeConfig(raw: unknown): OracleConfig {
  const cfg = (raw ?? {}) as Record<string, unknown>;
  if (typeof cfg !== "object" || Array.isArray(cfg)) throw new TraceError("config must be an object");
  const known = new Set(["qemu", "ram_mb", "mdts", "serial", "admin_qsize", "io_qsize", "command_timeout_s", "ctrl_props",
    "namespaces", "block_size", "nblocks", "size_bytes", "mssrl", "mcl", "msrc", "ns_props", "qemu_extra_args", "accel", "restart_on_crash"]);
  const unknown = Object.keys(cfg).filter((k) => !known.has(k));
  if (unknown.length) throw new TraceError(`unknown config keys: ${unknown.sort().join(", ")}`);
  const c = { op: "config", ...cfg };
  const out: OracleConfig = {
    ram_mb: num(c, "ram_mb", 256, 64, 2048),
    mdts: num(c, "mdts", 7, 0, 255),
    serial: String(cfg.serial ?? "ORACLE0001"),
    admin_qsize: num(c, "admin_qsize", 32, 2, 4096),
    io_qsize: num(c, "io_qsize", 64, 2, 4096),
    command_timeout_s: Number(cfg.command_timeout_s ?? 30),
    ctrl_props: { ...((cfg.ctrl_props as Record<string, unknown>) ?? {}) },
    namespaces: [],
  };
  let nss: Array<Record<string, unknown>>;
  if ("namespaces" in cfg) {
    for (const k of ["block_size", "nblocks", "size_bytes", "mssrl", "mcl", "msrc", "ns_props"]) {
      if (k in cfg) throw new TraceError(`config.${k} cannot be combined with config.namespaces`);
    }
    nss = cfg.namespaces as Array<Record<string, unknown>>;
  } else {
    const ns: Record<string, unknown> = { nsid: 1 };
    for (const k of ["block_size", "nblocks", "size_bytes", "mssrl", "mcl", "msrc"]) if (k in cfg) ns[k] = cfg[k];
    if ("ns_props" in cfg) ns.props = cfg.ns_props;
    nss = [ns];
  }
  if (!Array.isArray(nss) || nss.length === 0) throw new TraceError("config.namespaces must be a non-empty list");
  const seen = new Set<number>();
  for (const nsRaw of nss) {
    const ns = { op: "namespace", ...nsRaw };
    const bad = Object.keys(nsRaw).filter((k) => !["nsid", "block_size", "nblocks", "size_bytes", "mssrl", "mcl", "msrc", "props"].includes(k));
    if (bad.length) throw new TraceError(`unknown namespace keys: ${bad.sort().join(", ")}`);
    const nsid = num(ns, "nsid", out.namespaces.length + 1);
    if (seen.has(nsid) || nsid < 1 || nsid > 256) throw new TraceError(`bad/duplicate nsid ${nsid}`);
    seen.add(nsid);
    const bs = num(ns, "block_size", 512);
    if (bs < 512 || (bs & (bs - 1)) !== 0) throw new TraceError("block_size must be a power of two >= 512");
    const props = { ...((nsRaw.props as Record<string, unknown>) ?? {}) };
    const ms = num({ op: "props", ...props }, "ms", 0);
    const mset = num({ op: "props", ...props }, "mset", 0);
    if ("nblocks" in nsRaw && "size_bytes" in nsRaw) throw new TraceError("give nblocks or size_bytes, not both");
    const nblocks = "nblocks" in nsRaw ? num(ns, "nblocks") : Math.floor(num(ns, "size_bytes", 64 * MiB) / (bs + ms));
    if (nblocks < 1) throw new TraceError("namespace must have at least one block");
    out.namespaces.push({
      nsid, block_size: bs, nblocks,
      mssrl: num(ns, "mssrl", 128, 0, 0xffff), mcl: num(ns, "mcl", 128, 0, 0xffffffff), msrc: num(ns, "msrc", 127, 0, 0xff),
      props, ms, mset, lba_xfer_size: bs + (mset ? ms : 0),
    });
  }
  return out;
}

/** One block of the oracle's "lba" data pattern (README "The lba pattern block"). */
export function patternBlock(lba: bigint, seed: number, size: number, out: Uint8Array, at: number): void {
  const dv = new DataView(out.buffer, out.byteOffset + at, Math.min(12, size));
  if (size >= 8) dv.setBigUint64(0, BigInt.asUintN(64, lba), true);
  if (size >= 12) dv.setUint32(8, seed >>> 0, true);
  const base = Number((BigInt(seed) + lba) & 0xffn);
  for (let k = 12; k < size; k++) out[at + k] = (base + k) & 0xff;
}

export function writeData(spec: unknown, slba: bigint, nlb: number, lbasz: number): Uint8Array {
  const total = nlb * lbasz;
  const s = (spec ?? { pattern: "lba", seed: 0 }) as Record<string, unknown>;
  if (typeof s !== "object" || Array.isArray(s)) throw new TraceError("write.data must be an object");
  const keys = ["hex", "fill", "pattern"].filter((k) => k in s);
  if (keys.length !== 1) throw new TraceError("write.data needs exactly one of hex/fill/pattern");
  if ("hex" in s) {
    const data = hexBytes(String(s.hex), "write.data.hex");
    if (data.length !== total) throw new TraceError(`write.data.hex is ${data.length} bytes, expected nlb*lba_size=${total}`);
    return data;
  }
  if ("fill" in s) {
    const b = Number(s.fill);
    if (!Number.isInteger(b) || b < 0 || b > 255) throw new TraceError("write.data.fill must be 0..255");
    return new Uint8Array(total).fill(b);
  }
  if (s.pattern !== "lba") throw new TraceError(`unknown write.data.pattern ${JSON.stringify(s.pattern)}`);
  const seed = Number(int({ op: "write.data", ...s }, "seed", 0, 0, 0xffffffff));
  const data = new Uint8Array(total);
  for (let i = 0; i < nlb; i++) patternBlock(slba + BigInt(i), seed, lbasz, data, i * lbasz);
  return data;
}

export function hexBytes(text: string, what: string): Uint8Array {
  const t = text.replace(/\s+/g, "");
  if (t.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(t)) throw new TraceError(`${what} is not hex`);
  return Uint8Array.from(t.match(/../g) ?? [], (h) => parseInt(h, 16));
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

export function toHex(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i++) s += HEX[b[i]];
  return s;
}

/** A command built from an op, before CID and data pointer are filled in. */
export interface BuiltCmd {
  kind: string;
  queue: "io" | "admin";
  sqe: Uint32Array;
  dataOut: Uint8Array;
  dataInLen: number;
  prpOffset: number;
  setDptr: boolean;
  setCid: boolean;
}

function applyCdwOverrides(op: Op, d: Uint32Array): void {
  for (const [key, mode] of [["cdw_set", "set"], ["cdw_or", "or"]] as const) {
    const ov = op[key];
    if (ov === undefined) continue;
    if (typeof ov !== "object" || ov === null || Array.isArray(ov)) throw new TraceError(`${key} must be an object {"<dword index>": value}`);
    for (const [k, v] of Object.entries(ov)) {
      const i = Number(k);
      if (!Number.isInteger(i) || i < 0 || i > 15) throw new TraceError(`${key}: dword index ${k} outside 0..15`);
      const val = Number(BigInt.asUintN(32, int({ op: key, v } as Op, "v")));
      d[i] = mode === "set" ? val : (d[i] | val) >>> 0;
    }
  }
}

const lo32 = (v: bigint) => Number(v & 0xffffffffn);
const hi32 = (v: bigint) => Number((v >> 32n) & 0xffffffffn);
const prpOffset = (op: Op) => num(op, "prp_offset", 0, 0, 4092);

function nsidLbasz(op: Op, nsmap: Map<number, OracleNamespace>): [number, number] {
  const nsid = num(op, "nsid", 1, 0, 0xffffffff);
  if ("lba_size" in op) return [nsid, num(op, "lba_size", undefined, 1)];
  const ns = nsmap.get(nsid);
  if (ns) return [nsid, ns.lba_xfer_size];
  throw new TraceError(`op on unconfigured nsid ${nsid} needs an explicit lba_size`);
}

function rwCdw12(op: Op, nlb: number): number {
  let c = (nlb - 1) & 0xffff;
  c |= num(op, "prinfo", 0, 0, 15) << 26;
  if (op.fua) c |= 1 << 30;
  if (op.lr) c |= 1 << 31;
  return c >>> 0;
}

function buildRw(op: Op, nsmap: Map<number, OracleNamespace>, opcode: number): BuiltCmd {
  const [nsid, lbasz] = nsidLbasz(op, nsmap);
  const slba = int(op, "slba", undefined, 0, 0xffffffffffffffffn);
  const nlb = num(op, "nlb", undefined, 1, 0x10000);
  const d = new Uint32Array(16);
  d[0] = opcode;
  d[1] = nsid;
  d[10] = lo32(slba);
  d[11] = hi32(slba);
  d[12] = rwCdw12(op, nlb);
  applyCdwOverrides(op, d);
  if (opcode === 0x01) return { kind: "write", queue: "io", sqe: d, dataOut: writeData(op.data, slba, nlb, lbasz), dataInLen: 0, prpOffset: prpOffset(op), setDptr: true, setCid: true };
  return { kind: "read", queue: "io", sqe: d, dataOut: new Uint8Array(0), dataInLen: nlb * lbasz, prpOffset: prpOffset(op), setDptr: true, setCid: true };
}

export function copyDescriptorSize(fmt: number): number {
  return fmt === 1 || fmt === 3 ? 40 : 32;
}

function encodeRanges(fmt: number, ranges: unknown[], defaultSnsid: number): Uint8Array {
  const size = copyDescriptorSize(fmt);
  const out = new Uint8Array(ranges.length * size);
  const dv = new DataView(out.buffer);
  ranges.forEach((raw, i) => {
    if (typeof raw !== "object" || raw === null) throw new TraceError("copy.ranges entries must be objects");
    const r = { op: "copy.range", ...(raw as Record<string, unknown>) } as Op;
    const slba = int(r, "slba", undefined, 0, 0xffffffffffffffffn);
    const nlb = num(r, "nlb", undefined, 1, 0x10000);
    const snsid = num(r, "snsid", defaultSnsid, 0, 0xffffffff);
    const sopt = num(r, "sopt", 0, 0, 0xffff);
    const elbat = num(r, "elbat", 0, 0, 0xffff);
    const elbatm = num(r, "elbatm", 0, 0, 0xffff);
    const b = i * size;
    if (fmt === 1 || fmt === 3) {
      const elbt = hexBytes(String(r.elbt_hex ?? "00".repeat(10)), "elbt_hex");
      if (elbt.length !== 10) throw new TraceError("elbt_hex must be 10 bytes");
      if (fmt === 3) { dv.setUint32(b, snsid, true); dv.setUint16(b + 22, sopt, true); }
      dv.setBigUint64(b + 8, slba, true);
      dv.setUint16(b + 16, nlb - 1, true);
      out.set(elbt, b + 26);
      dv.setUint16(b + 36, elbat, true);
      dv.setUint16(b + 38, elbatm, true);
    } else {
      const eilbrt = num(r, "eilbrt", 0, 0, 0xffffffff);
      if (fmt === 2) { dv.setUint32(b, snsid, true); dv.setUint16(b + 22, sopt, true); }
      dv.setBigUint64(b + 8, slba, true);
      dv.setUint16(b + 16, nlb - 1, true);
      dv.setUint32(b + 24, eilbrt, true);
      dv.setUint16(b + 28, elbat, true);
      dv.setUint16(b + 30, elbatm, true);
    }
  });
  return out;
}

function buildCopy(op: Op): BuiltCmd {
  const nsid = num(op, "nsid", 1, 0, 0xffffffff);
  const fmt = num(op, "format", 0, 0, 15);
  const sdlba = int(op, "sdlba", undefined, 0, 0xffffffffffffffffn);
  let desc: Uint8Array;
  let nranges: number;
  if ("descriptors_hex" in op) {
    desc = hexBytes(String(op.descriptors_hex), "copy.descriptors_hex");
    if (desc.length === 0) throw new TraceError("copy.descriptors_hex is empty");
    nranges = Math.max(1, Math.floor(desc.length / copyDescriptorSize(fmt)));
  } else {
    const ranges = op.ranges;
    if (!Array.isArray(ranges) || ranges.length === 0) throw new TraceError("copy needs a non-empty ranges list (or descriptors_hex)");
    desc = encodeRanges(fmt, ranges, nsid);
    nranges = ranges.length;
  }
  if (nranges > 256 && !("nr_raw" in op)) throw new TraceError("more than 256 ranges need an explicit nr_raw");
  const nrRaw = num(op, "nr_raw", Math.min(nranges, 256) - 1, 0, 255);
  const d = new Uint32Array(16);
  d[0] = 0x19;
  d[1] = nsid;
  d[2] = num(op, "cdw2", 0, 0, 0xffffffff);
  d[3] = num(op, "cdw3", 0, 0, 0xffffffff);
  d[10] = lo32(sdlba);
  d[11] = hi32(sdlba);
  let c = nrRaw | (fmt << 8);
  c |= num(op, "prinfor", 0, 0, 15) << 12;
  c |= num(op, "dtype", 0, 0, 15) << 20;
  c |= num(op, "stcw", 0, 0, 1) << 25;
  c |= num(op, "prinfow", 0, 0, 15) << 26;
  if (op.fua) c |= 1 << 30;
  if (op.lr) c |= 1 << 31;
  d[12] = c >>> 0;
  d[13] = (num(op, "dspec", 0, 0, 0xffff) << 16) >>> 0;
  d[14] = num(op, "cdw14", 0, 0, 0xffffffff);
  d[15] = num(op, "cdw15", 0, 0, 0xffffffff);
  applyCdwOverrides(op, d);
  return { kind: "copy", queue: "io", sqe: d, dataOut: desc, dataInLen: 0, prpOffset: prpOffset(op), setDptr: true, setCid: true };
}

function buildRaw(op: Op): BuiltCmd {
  const queue = (op.queue ?? "io") as string;
  if (queue !== "io" && queue !== "admin") throw new TraceError('raw.queue must be "io" or "admin"');
  const d = new Uint32Array(16);
  if ("sqe_hex" in op) {
    const b = hexBytes(String(op.sqe_hex), "raw.sqe_hex");
    if (b.length !== 64) throw new TraceError("raw.sqe_hex must be 64 bytes");
    d.set(new Uint32Array(b.buffer, b.byteOffset, 16));
  } else {
    const sqe = op.sqe;
    if (!Array.isArray(sqe) || sqe.length > 16) throw new TraceError("raw.sqe must be a list of up to 16 dwords");
    sqe.forEach((x, i) => { d[i] = Number(BigInt.asUintN(32, int({ op: "raw.sqe", x } as Op, "x"))); });
  }
  applyCdwOverrides(op, d);
  const keepDptr = Boolean(op.keep_dptr);
  const dataOut = hexBytes(String(op.data_out_hex ?? ""), "raw.data_out_hex");
  const dataInLen = num(op, "data_in_len", 0, 0, 1 << 30);
  if (keepDptr && (dataOut.length || dataInLen)) throw new TraceError("raw: keep_dptr cannot be combined with data_out_hex/data_in_len");
  return { kind: "raw", queue, sqe: d, dataOut, dataInLen, prpOffset: prpOffset(op), setDptr: !keepDptr, setCid: !op.keep_cid };
}

function buildIdentify(op: Op, cns: number): BuiltCmd {
  const nsid = cns === 1 ? 0 : num(op, "nsid", 1, 0, 0xffffffff);
  const d = new Uint32Array(16);
  d[0] = 0x06;
  d[1] = nsid;
  d[10] = cns;
  applyCdwOverrides(op, d);
  return { kind: cns === 1 ? "identify_ctrl" : "identify_ns", queue: "admin", sqe: d, dataOut: new Uint8Array(0), dataInLen: 4096, prpOffset: prpOffset(op), setDptr: true, setCid: true };
}

/** The command an op builds, or null for media_hash (not an NVMe command). */
export function buildCmd(op: Op, nsmap: Map<number, OracleNamespace>): BuiltCmd | null {
  if (typeof op !== "object" || op === null || !("op" in op)) throw new TraceError('each op must be an object with an "op" key');
  switch (op.op) {
    case "write": return buildRw(op, nsmap, 0x01);
    case "read": return buildRw(op, nsmap, 0x02);
    case "copy": return buildCopy(op);
    case "raw": return buildRaw(op);
    case "identify_ctrl": return buildIdentify(op, 1);
    case "identify_ns": return buildIdentify(op, 0);
    case "media_hash": {
      const nsid = num(op, "nsid", 1, 1, 256);
      if (!nsmap.has(nsid)) throw new TraceError(`media_hash: namespace ${nsid} not configured`);
      return null;
    }
  }
  throw new TraceError(`unknown op ${JSON.stringify(op.op)}`);
}
