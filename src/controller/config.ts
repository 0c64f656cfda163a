// The emulated controller's configuration: what a user sets with CLI flags or a JSON file
// (namespaces and their LBA formats, queues, MDTS, ONCS, copy limits), its defaults, and
// validation whose errors name the field. Defaults mirror QEMU's nvme / nvme-ns devices so
// that output compares line by line with a QEMU guest's.

import {
  ONCS_COMPARE, ONCS_DSM, ONCS_WRITE_ZEROES, ONCS_SAVE_SELECT, ONCS_VERIFY, ONCS_COPY,
  ONCS_COPY_SINGLE_ATOMICITY, ONCS_ALL_FAST_COPY, VWC_PRESENT, VWC_FLUSH_BROADCAST, SGLS_SUPPORTED_NO_ALIGN,
  SGLS_MPTR_SGL, OCFS_FORMAT0, OCFS_FORMAT1, OCFS_FORMAT2, OCFS_FORMAT3, DMRL_MAX,
} from "../../assembly/spec/identify";
import { MAX_NAMESPACES, MAX_VECTORS, CFG_NS_MAX_LBAF } from "../../assembly/layout";
import { parseSize, parseInteger } from "../util/units";
import { PI16_SIZE, PI64_SIZE } from "../../assembly/spec/pi";

export interface LbaFormat {
  /** Metadata bytes per LBA. */
  ms: number;
  /** log2 of the data bytes per LBA (9 = 512, 12 = 4096). */
  lbads: number;
  /** Relative performance, 0 (best) to 3. */
  rp: number;
}

export interface NamespaceConfig {
  nsid: number;
  /** Size in logical blocks (NSZE = NCAP). */
  blocks: number;
  formats: LbaFormat[];
  /** Index into formats of the format in use (FLBAS bits 3:0). */
  formatIndex: number;
  /** Metadata travels at the end of each LBA in the data buffer (FLBAS bit 4). */
  extended: boolean;
  /** Copy limits: Maximum Single Source Range Length and Maximum Copy Length (blocks), Maximum Source Range Count (0's based). */
  mssrl: number;
  mcl: number;
  msrc: number;
  nmic: number;
  /** Protection information format of the LBA formats: 0 = 16b guard (8-byte tuple; Copy formats 0h/2h), 2 = 64b guard (16-byte tuple; 1h/3h). */
  pif: number;
  /** End-to-end protection type of the format in use (DPS bits 2:0): 0 = none, 1, 2 or 3 (NVM CS 1.1 §5.2). Needs metadata that holds the tuple. */
  pi: number;
  /** PI location (DPS bit 3): 1 = the first bytes of the metadata, 0 = the last. */
  pil: number;
  eui64: string;
  nguid: string;
  uuid: string;
}

export interface ControllerConfig {
  namespaces: NamespaceConfig[];
  /** Highest NSID the controller supports (Identify Controller NN). */
  nn: number;
  /** I/O queue pairs the controller supports (Number of Queues feature maximum). */
  maxIoQueuePairs: number;
  /** Maximum Queue Entries Supported, 0's based (CAP.MQES): 0xffff allows 65536-entry queues. */
  mqes: number;
  /** Maximum Data Transfer Size: 2^mdts pages of 4 KiB; 0 = no limit. */
  mdts: number;
  /**
   * Identify CNS 06h (NVM CS 1.0 Figure 102) limits, 0 = none. Verify Size Limit and Write
   * Zeroes Size Limit: 2^n pages of 4 KiB (interleaved metadata counted); a recommendation
   * while the command's ONCS bit is set, the command's hard limit (Invalid Field in Command
   * above it) when the bit is cleared.
   */
  vsl: number;
  wzsl: number;
  /**
   * Dataset Management processing limits (NVM CS §3.2.3.1): ranges per command (1-255), blocks
   * per range, blocks per command. Setting any one reports the others at their maximum
   * (255, FFFFFFFFh, FFFFFFFFFFFFFFFFh), as the spec asks. With ONCS bit 2 set, blocks beyond
   * them are not deallocated; with it cleared, such a command fails (Command Size Limit Exceeded).
   */
  dmrl: number;
  dmrsl: number;
  dmsl: number;
  oncs: number;
  /** Copy Descriptor Formats Supported (Identify Controller OCFS). */
  ocfs: number;
  vwc: number;
  sgls: number;
  /** MSI-X vectors the controller has. */
  maxVectors: number;
  /** Asynchronous Event Request Limit, 0's based. */
  aerl: number;
  vid: number;
  ssvid: number;
  serial: string;
  model: string;
  firmware: string;
  subnqn: string;
  /** CAP.MPSMAX: largest memory page 2^(12 + mpsmax). */
  mpsmax: number;
  dstrd: number;
  cntlid: number;
  /** VS register: 0x00020100 = NVMe 2.1. */
  version: number;
  /** Bytes of host memory the driver can use for queues and data buffers. */
  hostRamBytes: number;
}

/** QEMU's nvme-ns LBA formats: 512 and 4096 bytes, each with 0, 8, 16 and 64 bytes of metadata. */
export const DEFAULT_FORMATS: LbaFormat[] = [
  { ms: 0, lbads: 9, rp: 0 }, { ms: 8, lbads: 9, rp: 0 }, { ms: 16, lbads: 9, rp: 0 }, { ms: 64, lbads: 9, rp: 0 },
  { ms: 0, lbads: 12, rp: 0 }, { ms: 8, lbads: 12, rp: 0 }, { ms: 16, lbads: 12, rp: 0 }, { ms: 64, lbads: 12, rp: 0 },
];

export const DEFAULT_ONCS = ONCS_COMPARE | ONCS_DSM | ONCS_WRITE_ZEROES | ONCS_SAVE_SELECT | ONCS_VERIFY
  | ONCS_COPY | ONCS_COPY_SINGLE_ATOMICITY | ONCS_ALL_FAST_COPY;
export const DEFAULT_OCFS = OCFS_FORMAT0 | OCFS_FORMAT1 | OCFS_FORMAT2 | OCFS_FORMAT3;

export function defaultNamespace(nsid: number, blocks = 131072): NamespaceConfig {
  return {
    nsid, blocks, formats: DEFAULT_FORMATS.map((f) => ({ ...f })), formatIndex: 0, extended: false,
    mssrl: 128, mcl: 128, msrc: 127, nmic: 0, pif: 0, pi: 0, pil: 0,
    eui64: "", nguid: "", uuid: "",
  };
}

export function defaultConfig(): ControllerConfig {
  return {
    namespaces: [defaultNamespace(1)],
    nn: 256,
    maxIoQueuePairs: 64,
    mqes: 0xffff,
    mdts: 7,
    vsl: 0,
    wzsl: 0,
    dmrl: 0,
    dmrsl: 0,
    dmsl: 0,
    oncs: DEFAULT_ONCS,
    ocfs: DEFAULT_OCFS,
    vwc: VWC_PRESENT | VWC_FLUSH_BROADCAST,
    sgls: SGLS_SUPPORTED_NO_ALIGN | SGLS_MPTR_SGL,
    maxVectors: 65,
    aerl: 3,
    vid: 0x1b36,
    ssvid: 0x1af4,
    serial: "NVMELAB0001",
    model: "nvmelab NVMe Ctrl",
    firmware: "0.1.0",
    subnqn: "nqn.2026-11.dev.nvmelab:NVMELAB0001",
    mpsmax: 4,
    dstrd: 0,
    cntlid: 0,
    version: 0x00020100,
    hostRamBytes: 64 * 1024 * 1024,
  };
}

/**
 * DMRL, DMRSL and DMSL as Identify CNS 06h reports them: all 0 when none is configured,
 * otherwise each unset one at its largest value (NVM CS §3.2.3.1: all three or none).
 */
export function dsmLimits(c: ControllerConfig): { dmrl: number; dmrsl: number; dmsl: bigint } {
  if (!c.dmrl && !c.dmrsl && !c.dmsl) return { dmrl: 0, dmrsl: 0, dmsl: 0n };
  return { dmrl: c.dmrl || DMRL_MAX, dmrsl: c.dmrsl || 0xffffffff, dmsl: c.dmsl ? BigInt(c.dmsl) : 0xffffffffffffffffn };
}

/** Bytes of one protection information tuple: 8 with a 16b guard (pif 0), 16 with a 64b guard (pif 2). */
export function piTupleSize(pif: number): number {
  return pif === 0 ? PI16_SIZE : PI64_SIZE;
}

/** Data bytes per LBA of the format in use. */
export function lbaSize(ns: NamespaceConfig): number {
  return 1 << ns.formats[ns.formatIndex].lbads;
}
export function metadataSize(ns: NamespaceConfig): number {
  return ns.formats[ns.formatIndex].ms;
}

/** Check a configuration; throws an Error naming the first bad field (under where: "config", a file, "setup.controller"). */
export function validateConfig(c: ControllerConfig, where = "config"): void {
  const check = (ok: boolean, field: string, why: string) => { if (!ok) throw new Error(`${where}.${field}: ${why}`); };
  const int = (v: unknown, lo: number, hi: number, field: string) =>
    check(Number.isSafeInteger(v) && (v as number) >= lo && (v as number) <= hi, field, `${JSON.stringify(v)} is not an integer in ${lo}..${hi}`);
  int(c.nn, 1, 65535, "nn");
  int(c.maxIoQueuePairs, 1, 65535, "maxIoQueuePairs");
  int(c.mqes, 1, 0xffff, "mqes");
  int(c.mdts, 0, 20, "mdts");
  int(c.vsl, 0, 20, "vsl");
  int(c.wzsl, 0, 20, "wzsl");
  int(c.dmrl, 0, DMRL_MAX, "dmrl");
  int(c.dmrsl, 0, 0xffffffff, "dmrsl");
  int(c.dmsl, 0, Number.MAX_SAFE_INTEGER, "dmsl");
  int(c.oncs, 0, 0xffff, "oncs");
  int(c.ocfs, 0, 0xf, "ocfs");
  int(c.vwc, 0, 0xff, "vwc");
  int(c.sgls, 0, 0xffffffff, "sgls");
  int(c.maxVectors, 1, MAX_VECTORS, "maxVectors");
  int(c.aerl, 0, 15, "aerl");
  int(c.vid, 0, 0xffff, "vid");
  int(c.ssvid, 0, 0xffff, "ssvid");
  int(c.mpsmax, 0, 15, "mpsmax");
  int(c.dstrd, 0, 15, "dstrd");
  int(c.cntlid, 0, 0xffef, "cntlid");
  int(c.version, 0, 0xffffffff, "version");
  int(c.hostRamBytes, 1 << 20, 1024 * 1024 * 1024, "hostRamBytes");
  check(c.hostRamBytes % 65536 === 0, "hostRamBytes", "must be a multiple of 64 KiB");
  for (const [k, max] of [["serial", 20], ["model", 40], ["firmware", 8], ["subnqn", 255]] as const) {
    const v = c[k];
    check(typeof v === "string" && /^[\x20-\x7e]*$/.test(v) && v.length <= max, k, `must be printable ASCII of at most ${max} characters`);
  }
  check(Array.isArray(c.namespaces) && c.namespaces.length <= MAX_NAMESPACES, "namespaces", `at most ${MAX_NAMESPACES} namespaces`);
  const seen = new Set<number>();
  c.namespaces.forEach((ns, i) => {
    validateNamespace(ns, `namespaces[${i}]`, c, check, int);
    check(!seen.has(ns.nsid), `namespaces[${i}].nsid`, `NSID ${ns.nsid} is used twice`);
    seen.add(ns.nsid);
  });
}

type Check = (ok: boolean, field: string, why: string) => void;
type IntCheck = (v: unknown, lo: number, hi: number, field: string) => void;

function validateNamespace(ns: NamespaceConfig, at: string, c: ControllerConfig, check: Check, int: IntCheck): void {
  int(ns.nsid, 1, c.nn, `${at}.nsid`);
  check(Array.isArray(ns.formats) && ns.formats.length >= 1 && ns.formats.length <= CFG_NS_MAX_LBAF, `${at}.formats`, `1..${CFG_NS_MAX_LBAF} LBA formats`);
  ns.formats.forEach((f, j) => {
    int(f.lbads, 9, 16, `${at}.formats[${j}].lbads`);
    int(f.ms, 0, 0xffff, `${at}.formats[${j}].ms`);
    int(f.rp, 0, 3, `${at}.formats[${j}].rp`);
  });
  int(ns.formatIndex, 0, ns.formats.length - 1, `${at}.formatIndex`);
  const bs = lbaSize(ns);
  int(ns.blocks, 1, Math.floor(2 ** 50 / bs), `${at}.blocks`);
  check(typeof ns.extended === "boolean", `${at}.extended`, "must be true or false");
  int(ns.mssrl, 1, 0xffff, `${at}.mssrl`);
  int(ns.mcl, 1, 0xffffffff, `${at}.mcl`);
  int(ns.msrc, 0, 255, `${at}.msrc`);
  int(ns.nmic, 0, 1, `${at}.nmic`);
  check(ns.pif === 0 || ns.pif === 2, `${at}.pif`, "0 (16b guard) or 2 (64b guard)");
  int(ns.pi, 0, 3, `${at}.pi`);
  int(ns.pil, 0, 1, `${at}.pil`);
  if (ns.pi !== 0) {
    const tuple = piTupleSize(ns.pif);
    const ms = ns.formats[ns.formatIndex].ms;
    check(ms >= tuple, `${at}.pi`, `protection information type ${ns.pi} needs metadata that holds the ${tuple}-byte PI tuple of pif ${ns.pif}; the format in use has ms=${ms}`);
  }
  for (const [k, hex] of [["eui64", 16], ["nguid", 32]] as const) {
    check(ns[k] === "" || new RegExp(`^[0-9a-f]{${hex}}$`, "i").test(ns[k]), `${at}.${k}`, `${hex} hex digits or empty`);
  }
  check(ns.uuid === "" || /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(ns.uuid), `${at}.uuid`, "a UUID (8-4-4-4-12 hex) or empty");
}

/**
 * Build a configuration from a user's JSON object (e.g. a --config file). Accepts the
 * convenient spellings too: namespace "size" ("1G") or "blocks", "lbaSize" 512/4096 and "ms"
 * choose the format; top-level "onc" bits by name are not accepted, only numbers.
 */
export function configFromJson(input: unknown, where = "config"): ControllerConfig {
  if (typeof input !== "object" || input === null || Array.isArray(input)) throw new Error(`${where}: expected a JSON object`);
  const o = input as Record<string, unknown>;
  const c = defaultConfig();
  const known = new Set(Object.keys(c));
  for (const [k, v] of Object.entries(o)) {
    if (k === "namespaces") continue;
    if (!known.has(k)) throw new Error(`${where}.${k}: unknown setting (known: ${[...known].join(", ")})`);
    if (k === "hostRamBytes") { (c as unknown as Record<string, unknown>)[k] = withField(`${where}.${k}`, () => parseSize(v as string)); continue; }
    (c as unknown as Record<string, unknown>)[k] = typeof v === "string" && !["serial", "model", "firmware", "subnqn"].includes(k)
      ? withField(`${where}.${k}`, () => parseInteger(v, 0, 0xffffffff, k)) : v;
  }
  if (o.namespaces !== undefined) {
    if (!Array.isArray(o.namespaces)) throw new Error(`${where}.namespaces: expected a list`);
    c.namespaces = o.namespaces.map((n, i) => namespaceFromJson(n, i, `${where}.namespaces[${i}]`));
  }
  validateConfig(c, where);
  return c;
}

function withField<T>(field: string, f: () => T): T {
  try { return f(); } catch (e) { throw new Error(`${field}: ${(e as Error).message}`); }
}

const NS_KEYS = new Set(["nsid", "blocks", "size", "lbaSize", "ms", "extended", "formats", "formatIndex", "mssrl", "mcl", "msrc", "nmic", "pif", "pi", "pil", "eui64", "nguid", "uuid"]);

export function namespaceFromJson(input: unknown, i: number, at: string): NamespaceConfig {
  if (typeof input !== "object" || input === null) throw new Error(`${at}: expected an object`);
  const o = input as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!NS_KEYS.has(k)) throw new Error(`${at}.${k}: unknown namespace setting (known: ${[...NS_KEYS].join(", ")})`);
  const ns = defaultNamespace(o.nsid === undefined ? i + 1 : withField(`${at}.nsid`, () => parseInteger(o.nsid as string, 1, 0xfffffffe, "nsid")));
  if (o.formats !== undefined) ns.formats = o.formats as LbaFormat[];
  if (o.formatIndex !== undefined) ns.formatIndex = o.formatIndex as number;
  if (o.lbaSize !== undefined || o.ms !== undefined) {
    const bs = o.lbaSize === undefined ? 512 : withField(`${at}.lbaSize`, () => parseSize(o.lbaSize as string));
    const ms = o.ms === undefined ? 0 : withField(`${at}.ms`, () => parseInteger(o.ms as string, 0, 0xffff, "ms"));
    ns.formatIndex = formatIndexFor(ns.formats, bs, ms, at);
  }
  const bs = 1 << (ns.formats[ns.formatIndex]?.lbads ?? 9);
  if (o.size !== undefined && o.blocks !== undefined) throw new Error(`${at}: give "size" or "blocks", not both`);
  if (o.size !== undefined) {
    const bytes = withField(`${at}.size`, () => parseSize(o.size as string));
    if (bytes % bs !== 0) throw new Error(`${at}.size: ${bytes} bytes is not a multiple of the ${bs}-byte LBA size`);
    ns.blocks = bytes / bs;
  }
  if (o.blocks !== undefined) ns.blocks = withField(`${at}.blocks`, () => parseInteger(o.blocks as string, 1, 2 ** 50, "blocks"));
  for (const k of ["mssrl", "mcl", "msrc", "nmic", "pif", "pi", "pil"] as const) {
    if (o[k] !== undefined) ns[k] = withField(`${at}.${k}`, () => parseInteger(o[k] as string, 0, 0xffffffff, k));
  }
  if (o.extended !== undefined) ns.extended = o.extended as boolean;
  for (const k of ["eui64", "nguid", "uuid"] as const) if (o[k] !== undefined) ns[k] = String(o[k]);
  return ns;
}

/** The format index with this data size and metadata size. */
export function formatIndexFor(formats: LbaFormat[], bs: number, ms: number, at: string): number {
  const j = formats.findIndex((f) => 1 << f.lbads === bs && f.ms === ms);
  if (j < 0) {
    const list = formats.map((f) => `${1 << f.lbads}+${f.ms}`).join(", ");
    throw new Error(`${at}: no LBA format with ${bs}-byte data and ${ms}-byte metadata (formats: ${list})`);
  }
  return j;
}
