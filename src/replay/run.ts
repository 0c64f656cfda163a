// Run an oracle trace on the emulated controller and produce a result in the oracle's
// schema (qemu-nvme-oracle-result/1), so qemu_nvme_oracle.py compare can hold it against
// QEMU op by op. The bring-up mirrors the oracle's: admin queues of admin_qsize entries, one
// polled I/O queue pair of io_qsize entries, CIDs from a per-queue counter.

import { ControllerCore } from "../controller/core";
import { ControllerConfig, defaultConfig, DEFAULT_FORMATS, LbaFormat } from "../controller/config";
import { StepPort, ThreadPort, ControllerPort, SpawnController } from "../controller/port";
import { hashMedia, hashMetadata, storedRuns, visitBlocks } from "../controller/media";
import { NvmeDriver } from "../driver/nvme";
import { QueuePair } from "../driver/queue";
import { Hasher } from "../util/sha256";
import { OracleConfig, Op, Trace, TraceError, BuiltCmd, buildCmd, normalizeConfig, toHex, int } from "./trace";
import { decodeIdCtrl, decodeIdNs, ID_CTRL_CMP_DEFAULT, ID_NS_CMP_DEFAULT } from "./identify";

export const RESULT_SCHEMA = "qemu-nvme-oracle-result/1";
const MiB = 1024 * 1024;

export interface ReplayEnv {
  module: WebAssembly.Module;
  sha256: () => Hasher;
  spawn?: SpawnController;
  threaded?: boolean;
  log?: (line: string) => void;
}

/** The emulator configuration equivalent to the oracle's QEMU command line. */
export function emulatorConfig(c: OracleConfig): ControllerConfig {
  const cfg = defaultConfig();
  cfg.mdts = c.mdts;
  cfg.serial = c.serial.slice(0, 20);
  cfg.subnqn = `nqn.2026-11.dev.nvmelab:${cfg.serial}`;
  cfg.hostRamBytes = Math.min(c.ram_mb, 1024) * MiB;
  for (const [k, v] of Object.entries(c.ctrl_props)) {
    const n = Number(v);
    if (k === "max_ioqpairs") { cfg.maxIoQueuePairs = n; cfg.maxVectors = Math.min(2048, n + 1); }
    else if (k === "msix_qsize") cfg.maxVectors = n;
    else if (k === "mqes") cfg.mqes = n;
    else if (k === "aerl") cfg.aerl = n;
    else throw new TraceError(`controller property ${k} is not emulated`);
  }
  cfg.namespaces = c.namespaces.map((ns) => {
    for (const k of Object.keys(ns.props)) {
      if (!["ms", "mset", "pif", "pi", "pil"].includes(k)) throw new TraceError(`namespace ${ns.nsid}: property ${k} is not emulated (no zones or FDP)`);
    }
    const pif = Number(ns.props.pif ?? 0);
    if (pif !== 0 && pif !== 2) throw new TraceError(`namespace ${ns.nsid}: pif ${pif} is not emulated (0 or 2)`);
    // QEMU's nvme-ns pi (type 0-3) and pil (1: PI in the first bytes of metadata).
    const pi = Number(ns.props.pi ?? 0);
    const pil = Number(ns.props.pil ?? 0);
    const formats: LbaFormat[] = DEFAULT_FORMATS.map((f) => ({ ...f }));
    const lbads = Math.log2(ns.block_size);
    let idx = formats.findIndex((f) => f.lbads === lbads && f.ms === ns.ms);
    // QEMU's nvme-ns adds the configured format when it is not one of the defaults.
    if (idx < 0) { formats.push({ ms: ns.ms, lbads, rp: 0 }); idx = formats.length - 1; }
    return {
      nsid: ns.nsid, blocks: ns.nblocks, formats, formatIndex: idx, extended: ns.mset === 1,
      // nmic 1: QEMU's nvme-ns defaults to shared=on, which sets NMIC bit 0.
      mssrl: ns.mssrl, mcl: ns.mcl, msrc: ns.msrc, nmic: 1, pif, pi, pil, eui64: "", nguid: "", uuid: "",
    };
  });
  return cfg;
}

interface Cqe {
  dw0: number; dw1: number; sqhd: number; sqid: number; cid: number; phase: number; sf: number;
  sct: number; sc: number; crd: number; more: number; dnr: number; status: string; status_name: string; raw_hex: string;
}

export function decodeCqe(c: { dw0: number; dw1: number; sqhd: number; sqid: number; cid: number; phase: number; status: number }): Cqe {
  const sf = c.status;
  const raw = new Uint8Array(16);
  const dv = new DataView(raw.buffer);
  dv.setUint32(0, c.dw0, true);
  dv.setUint32(4, c.dw1, true);
  dv.setUint32(8, (c.sqhd | (c.sqid << 16)) >>> 0, true);
  dv.setUint32(12, (c.cid | (c.phase << 16) | (sf << 17)) >>> 0, true);
  const sct = (sf >> 8) & 7;
  const sc = sf & 0xff;
  return {
    dw0: c.dw0, dw1: c.dw1, sqhd: c.sqhd, sqid: c.sqid, cid: c.cid, phase: c.phase, sf, sct, sc,
    crd: (sf >> 11) & 3, more: (sf >> 13) & 1, dnr: (sf >> 14) & 1,
    status: `0x${(sf & 0x7ff).toString(16).padStart(3, "0")}`, status_name: statusName(sct, sc), raw_hex: toHex(raw),
  };
}

function statusName(sct: number, sc: number): string {
  return `SCT ${sct} / SC 0x${sc.toString(16).padStart(2, "0")}`;
}

/** Integers JavaScript would round become "0x..." strings, as the oracle writes them. */
function jsSafe(v: number | bigint): number | string {
  const b = BigInt(v);
  return b > BigInt(Number.MAX_SAFE_INTEGER) ? `0x${b.toString(16)}` : Number(b);
}

class ReplaySession {
  private nextCid: Map<number, number> = new Map();

  constructor(readonly core: ControllerCore, readonly port: ControllerPort, readonly driver: NvmeDriver, readonly cfg: OracleConfig, private readonly env: ReplayEnv) {
    // The oracle's setup used admin CIDs 1 .. 4 + number of namespaces.
    this.nextCid.set(0, 5 + cfg.namespaces.length);
    this.nextCid.set(1, 1);
  }

  private allocCid(qid: number): number {
    const c = this.nextCid.get(qid)!;
    this.nextCid.set(qid, c + 1 >= 0xffff ? 1 : c + 1);
    return c;
  }

  runOp(op: Op, nsmap: Map<number, OracleConfig["namespaces"][number]>): Record<string, unknown> {
    const cmd = buildCmd(op, nsmap);
    if (!cmd) return this.mediaHash(op);
    const q: QueuePair = cmd.queue === "admin" ? this.driver.admin : this.driver.ioQueue(0);
    const cid = cmd.setCid ? this.allocCid(q.qid) : cmd.sqe[0] >>> 16;
    const sqe = new Uint32Array(cmd.sqe);
    const r = this.driver.exec(q, sqe, {
      out: cmd.dataOut.length ? cmd.dataOut : undefined,
      inLen: cmd.dataInLen || undefined,
      offset: cmd.prpOffset,
      keepDptr: !cmd.setDptr,
      keepPsdt: true,
      cid,
    }, this.cfg.command_timeout_s * 1e9);
    return finishResult(op, cmd, decodeCqe(r), r.data ?? new Uint8Array(0), Array.from(r.sqe), this.env.sha256);
  }

  private mediaHash(op: Op): Record<string, unknown> {
    const nsid = Number(int(op, "nsid", 1, 1, 256));
    const ns = this.cfg.namespaces.find((n) => n.nsid === nsid)!;
    const slba = Number(int(op, "slba", 0, 0));
    const nlb = Number(int(op, "nlb", ns.nblocks - slba, 0));
    if (slba + nlb > ns.nblocks) throw new TraceError(`media range outside namespace ${nsid}`);
    const h = hashMedia(this.core, nsid, this.env.sha256(), slba, nlb);
    return { op: "media_hash", nsid, slba, nlb, sha256: h, cmp: { sha256: h } };
  }

  finalMedia(): Array<Record<string, unknown>> {
    return [...this.cfg.namespaces].sort((a, b) => a.nsid - b.nsid).map((ns) => {
      const extents: Array<[number, number]> = [];
      for (const run of storedRuns(this.core, ns.nsid)) {
        visitBlocks(this.core, ns.nsid, run.lba, run.count, (lba, n, data) => {
          if (!data) return;
          for (let i = 0; i < n; i++) {
            const blk = data.subarray(i * ns.block_size, (i + 1) * ns.block_size);
            if (!blk.some((x) => x !== 0)) continue;
            const last = extents[extents.length - 1];
            if (last && last[0] + last[1] === lba + i) last[1]++;
            else extents.push([lba + i, 1]);
          }
        });
      }
      const res: Record<string, unknown> = {
        nsid: ns.nsid, block_size: ns.block_size, nblocks: ns.nblocks,
        sha256: hashMedia(this.core, ns.nsid, this.env.sha256()), nonzero_extents: extents,
      };
      if (ns.ms) res.metadata_sha256 = hashMetadata(this.core, ns.nsid, this.env.sha256());
      return res;
    });
  }
}

function finishResult(op: Op, cmd: BuiltCmd, cqe: Cqe, dataIn: Uint8Array, sub: number[], sha256: () => Hasher): Record<string, unknown> {
  const hash = (b: Uint8Array) => { const h = sha256(); h.update(b); return h.digestHex(); };
  const res: Record<string, unknown> = { op: op.op, sqe: sub, cqe };
  const cmp: Record<string, unknown> = { sct: cqe.sct, sc: cqe.sc, dnr: cqe.dnr, more: cqe.more, crd: cqe.crd, dw0: cqe.dw0 };
  const ok = cqe.sct === 0 && cqe.sc === 0;
  if (cmd.kind === "raw") res.queue = cmd.queue;
  if (cmd.dataOut.length) {
    res.data_out_sha256 = hash(cmd.dataOut);
    res.data_out_len = cmd.dataOut.length;
    cmp.data_out_sha256 = res.data_out_sha256;
  }
  if (cmd.kind === "copy") res.descriptors_hex = toHex(cmd.dataOut);
  if (cmd.dataInLen) {
    res.data_in_sha256 = hash(dataIn);
    res.data_in_len = dataIn.length;
    const identify = cmd.kind === "identify_ctrl" || cmd.kind === "identify_ns";
    if (ok && !identify) cmp.data_in_sha256 = res.data_in_sha256;
    if (op.return_hex || identify) res.data_in_hex = toHex(dataIn);
  }
  if (cmd.kind === "identify_ctrl" || cmd.kind === "identify_ns") {
    const [dec, dflt] = cmd.kind === "identify_ctrl" ? [decodeIdCtrl(dataIn), ID_CTRL_CMP_DEFAULT] : [decodeIdNs(dataIn), ID_NS_CMP_DEFAULT];
    res.decoded = dec;
    if (ok) for (const f of (op.compare_fields as string[] | undefined) ?? dflt) if (f in dec) cmp[`id.${f}`] = (dec as Record<string, unknown>)[f];
  }
  res.cmp = cmp;
  return res;
}

/** Run a whole trace; never throws for a bad op: the result says where the run stopped. */
export async function runTrace(trace: Trace, env: ReplayEnv): Promise<Record<string, unknown>> {
  if (typeof trace !== "object" || trace === null) throw new TraceError("trace must be a JSON object");
  const cfg = normalizeConfig(trace.config ?? {});
  const ops = trace.ops;
  if (!Array.isArray(ops)) throw new TraceError("ops must be a list");
  const core = await ControllerCore.create(env.module, emulatorConfig(cfg));
  core.exports.ctrl_power_on();
  const port: ControllerPort = env.threaded && env.spawn ? await ThreadPort.start(core, env.spawn) : new StepPort(core);
  const result: Record<string, unknown> = {
    schema: RESULT_SCHEMA,
    oracle: { tool: "nvmelab replay", tool_version: "0.1.0", emulator: "nvmelab", mode: port.threaded ? "threaded" : "stepped" },
    trace_name: trace.name ?? null,
    config: cfg,
    aborted: false,
    error: null,
  };
  const results: Array<Record<string, unknown>> = [];
  try {
    // No CNS 06h at bring-up: the oracle's host does not send it (its admin CIDs stay the oracle's).
    const driver = new NvmeDriver(port, { adminDepth: cfg.admin_qsize, ioQueues: 1, ioDepth: cfg.io_qsize, pollQueues: 1, timeoutNs: cfg.command_timeout_s * 1e9, identifyIocs: false });
    driver.bringUp();
    const session = new ReplaySession(core, port, driver, cfg, env);
    const nsmap = new Map(cfg.namespaces.map((n) => [n.nsid, n]));
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i];
      let res: Record<string, unknown>;
      try {
        res = session.runOp(op, nsmap);
      } catch (e) {
        const trace = e instanceof TraceError;
        results.push({ index: i, op: op?.op ?? null, error: `${trace ? "trace error" : "emulator error"}: ${(e as Error).message}`, cmp: { error: trace ? "trace_error" : "oracle_error" } });
        result.aborted = true;
        result.error = `${trace ? "trace error" : "emulator error"} at op ${i}: ${(e as Error).message}`;
        break;
      }
      res.index = i;
      if ("label" in op) res.label = op.label;
      results.push(res);
      if (env.log) {
        const c = res.cqe as Cqe | undefined;
        env.log(`[${String(i).padStart(3)}] ${String(op.op).padEnd(14)} ${c ? `${c.status} dnr=${c.dnr} dw0=${c.dw0}` : ""} ${op.label ?? ""}`);
      }
    }
    result.ops = results;
    result.qemu_restarts = [];
    result.final_media = session.finalMedia();
  } finally {
    if (port instanceof ThreadPort) await port.stop();
  }
  return JSON.parse(JSON.stringify(result, (_k, v) => (typeof v === "bigint" ? jsSafe(v) : v)));
}

/** compare_results of the oracle: differing cmp keys per op, and the final media hashes. */
export function compareResults(a: Record<string, any>, b: Record<string, any>, ignore: string[] = []): string[] {
  const diffs: string[] = [];
  const oa = (a.ops ?? []) as Array<Record<string, any>>;
  const ob = (b.ops ?? []) as Array<Record<string, any>>;
  if (oa.length !== ob.length) diffs.push(`op count differs: ${oa.length} vs ${ob.length}`);
  for (let i = 0; i < Math.min(oa.length, ob.length); i++) {
    const strip = (c: Record<string, unknown>) => Object.fromEntries(Object.entries(c ?? {}).filter(([k]) => !ignore.includes(k)));
    const ca = strip(oa[i].cmp);
    const cb = strip(ob[i].cmp);
    const keys = [...new Set([...Object.keys(ca), ...Object.keys(cb)])].sort();
    const parts = keys.filter((k) => JSON.stringify(ca[k]) !== JSON.stringify(cb[k])).map((k) => `${k}: ${JSON.stringify(ca[k])} != ${JSON.stringify(cb[k])}`);
    if (parts.length) diffs.push(`op ${i} (${oa[i].op}${oa[i].label ? ` '${oa[i].label}'` : ""}): ${parts.join("; ")}`);
  }
  if (!ignore.includes("final_media")) {
    const ma = Object.fromEntries(((a.final_media ?? []) as Array<Record<string, unknown>>).map((m) => [m.nsid, m.sha256]));
    const mb = Object.fromEntries(((b.final_media ?? []) as Array<Record<string, unknown>>).map((m) => [m.nsid, m.sha256]));
    if (JSON.stringify(ma) !== JSON.stringify(mb)) diffs.push(`final_media sha256 differs: ${JSON.stringify(ma)} vs ${JSON.stringify(mb)}`);
  }
  return diffs;
}
