// The Setup view's model, without DOM: the form's fields over a scenario JSON (docs/BLOCK.md),
// each reading and writing one place of the setup and leaving every other key as it was; the
// device-mapper stack as a graph (namespaces nvme0nN and dm-N devices, edges from each target
// to the devices its table line maps onto) with add / remove / change-table operations that
// keep dm-N references right; and validation whose messages name the JSON path, as the run's
// own errors do (setup.controller.namespaces[0].msrc: ...).

import { WHAT_IF_TOKENS } from "../../src/block/dm/what-if";
import { configFromJson, defaultConfig, DEFAULT_FORMATS, namespaceFromJson, type LbaFormat } from "../../src/controller/config";
import { parseInteger, parseSize, formatBytes } from "../../src/util/units";

export type Setup = Record<string, unknown>;
export type Path = Array<string | number>;
type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
export const clone = <T>(v: T): T => (v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T));

/** "setup.controller.namespaces[0].msrc": the spelling of the run's own errors (LabSession.run's where). */
export function pathText(path: Path): string {
  return path.reduce<string>((s, k) => (typeof k === "number" ? `${s}[${k}]` : `${s}.${k}`), "setup");
}

export function getIn(o: unknown, path: Path): unknown {
  let v = o;
  for (const k of path) {
    if (typeof k === "number" ? !Array.isArray(v) : !isObj(v)) return undefined;
    v = (v as Record<string | number, unknown>)[k];
  }
  return v;
}

/**
 * A copy of s with the value at path set (undefined: the key removed, and objects that became
 * empty on the way removed too, so setting a key and clearing it again gives the setup back).
 * Only the objects on the path are copied; every other key is kept as it was.
 */
export function setIn(s: Setup, path: Path, value: unknown): Setup {
  const put = (o: unknown, i: number): unknown => {
    const k = path[i];
    const last = i === path.length - 1;
    if (typeof k === "number") {
      const arr = Array.isArray(o) ? [...o] : [];
      arr[k] = last ? value : put(arr[k], i + 1);
      return arr;
    }
    const obj: Obj = isObj(o) ? { ...o } : {};
    const v = last ? value : put(obj[k], i + 1);
    if (v === undefined || (isObj(v) && Object.keys(v).length === 0 && !last)) delete obj[k];
    else obj[k] = v;
    return obj;
  };
  return put(s, 0) as Setup;
}

/** Every JSON path where a and b differ (leaves; a key present on one side only counts once). */
export function diffPaths(a: unknown, b: unknown, path: Path = []): string[] {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  if (isObj(a) && isObj(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    return keys.flatMap((k) => diffPaths(a[k], b[k], [...path, k]));
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) return a.flatMap((x, i) => diffPaths(x, b[i], [...path, i]));
  return [pathText(path)];
}

// ---------------------------------------------------------------------------------------
// fields

export type FieldKind = "int" | "num" | "size" | "bool" | "enum" | "text";

export interface FieldOption { value: string; label: string; hint?: string }

export interface Field {
  /** Stable and DOM-safe: the input's id is derived from it. */
  id: string;
  label: string;
  /** Where it lives in the setup (for messages). */
  path: Path;
  kind: FieldKind;
  /** Unit and meaning, one line. */
  hint?: string;
  options?: FieldOption[];
  /** What applies when the key is absent (shown as the placeholder; an empty input removes the key). */
  placeholder?: string;
  get(s: Setup): string | boolean;
  /** A copy of s with the field set; throws FieldError naming the path. */
  set(s: Setup, v: string | boolean): Setup;
}

export class FieldError extends Error {
  constructor(readonly fieldId: string, readonly where: string, readonly why: string) {
    super(`${where}: ${why}`);
  }
}

/** Set a field; a value equal to what the field shows changes nothing (the setup is returned as is). */
export function setField(s: Setup, f: Field, v: string | boolean): Setup {
  if (v === f.get(s)) return s;
  return f.set(s, v);
}

/** A field's text: the value at path as written, or "" when the key is absent (its default applies). */
const textAt = (path: Path) => (s: Setup): string => {
  const v = getIn(s, path);
  return v === undefined ? "" : String(v);
};

interface NumOpts { id: string; label: string; path: Path; lo: number; hi: number; dflt?: number | string; hint?: string; integer?: boolean }

/** A number at path; "" removes the key (the default applies). Strings such as "0x1f" are read as numbers. */
function numberField(o: NumOpts): Field {
  const integer = o.integer !== false;
  return {
    id: o.id, label: o.label, path: o.path, kind: integer ? "int" : "num", hint: o.hint,
    placeholder: o.dflt === undefined ? undefined : String(o.dflt),
    get: textAt(o.path),
    set: (s, v) => {
      const t = String(v).trim();
      if (t === "") return setIn(s, o.path, undefined);
      let n: number;
      if (integer) {
        try {
          n = parseInteger(t, o.lo, o.hi, o.label);
        } catch {
          throw new FieldError(o.id, pathText(o.path), `${JSON.stringify(t)} is not an integer in ${o.lo}..${o.hi} (${o.label})`);
        }
      } else {
        n = Number(t);
        if (!/^[0-9.eE+-]+$/.test(t) || !Number.isFinite(n) || n < o.lo || n > o.hi) throw new FieldError(o.id, pathText(o.path), `${JSON.stringify(t)} is not a number in ${o.lo}..${o.hi} (${o.label})`);
      }
      return setIn(s, o.path, n);
    },
  };
}

/** A byte count: a number, or a size as typed ("64k"), kept as the user wrote it. */
function sizeField(o: { id: string; label: string; path: Path; hint?: string; placeholder?: string; check?: (bytes: number) => string | null }): Field {
  return {
    id: o.id, label: o.label, path: o.path, kind: "size", hint: o.hint, placeholder: o.placeholder,
    get: textAt(o.path),
    set: (s, v) => {
      const t = String(v).trim();
      if (t === "") return setIn(s, o.path, undefined);
      let bytes: number;
      try {
        bytes = parseSize(t);
      } catch (e) {
        throw new FieldError(o.id, pathText(o.path), `${(e as Error).message} (${o.label})`);
      }
      const why = o.check?.(bytes);
      if (why) throw new FieldError(o.id, pathText(o.path), `${t}: ${why} (${o.label})`);
      return setIn(s, o.path, /^\d+$/.test(t) ? bytes : t);
    },
  };
}

function boolField(o: { id: string; label: string; path: Path; dflt: boolean; hint?: string }): Field {
  return {
    id: o.id, label: o.label, path: o.path, kind: "bool", hint: o.hint,
    get: (s) => {
      const v = getIn(s, o.path);
      return typeof v === "boolean" ? v : o.dflt;
    },
    // the effective value again writes nothing (an absent key stays absent)
    set: (s, v) => (Boolean(v) === (getIn(s, o.path) ?? o.dflt) ? s : setIn(s, o.path, Boolean(v))),
  };
}

function enumField(o: { id: string; label: string; path: Path; dflt: string; options: FieldOption[]; hint?: string; unset?: string }): Field {
  return {
    id: o.id, label: o.label, path: o.path, kind: "enum", hint: o.hint, options: o.options,
    get: (s) => {
      const v = getIn(s, o.path);
      return v === undefined ? (o.unset ?? o.dflt) : String(v);
    },
    set: (s, v) => {
      const t = String(v);
      const cur = getIn(s, o.path);
      if (t === (cur === undefined ? (o.unset ?? o.dflt) : String(cur))) return s;
      if (o.unset !== undefined && t === o.unset) return setIn(s, o.path, undefined);
      if (!o.options.some((x) => x.value === t)) throw new FieldError(o.id, pathText(o.path), `${JSON.stringify(t)} is not one of ${o.options.map((x) => x.value).join(", ")}`);
      return setIn(s, o.path, t);
    },
  };
}

/** One bit of an integer field (ONCS, OCFS); the key is written only when a bit changes. */
function bitField(o: { id: string; label: string; path: Path; bit: number; dflt: number; hint?: string }): Field {
  const value = (s: Setup): number => {
    const v = getIn(s, o.path);
    if (v === undefined) return o.dflt;
    try {
      return parseInteger(v as string, 0, 0xffffffff, o.label);
    } catch {
      return o.dflt;
    }
  };
  return {
    id: o.id, label: o.label, path: o.path, kind: "bool", hint: o.hint,
    get: (s) => (value(s) & (1 << o.bit)) !== 0,
    set: (s, v) => {
      const cur = value(s);
      const next = v ? cur | (1 << o.bit) : cur & ~(1 << o.bit);
      return next === cur ? s : setIn(s, o.path, next >>> 0);
    },
  };
}

// ---- the controller (src/controller/config.ts configFromJson) ----

const DEF = defaultConfig();
/** Identify Controller ONCS bit 8: Copy (NVMe 2.1 base spec, Figure 313). */
export const ONCS_COPY_BIT = 8;

export function controllerFields(): Field[] {
  return [
    numberField({ id: "ctrl-qpairs", label: "I/O queue pairs", path: ["controller", "maxIoQueuePairs"], lo: 1, hi: 65535, dflt: DEF.maxIoQueuePairs, hint: "the most I/O SQ/CQ pairs Set Features Number of Queues grants" }),
    numberField({ id: "queue-depth", label: "I/O queue size", path: ["queue_depth"], lo: 2, hi: 4095, dflt: 256, hint: "entries per I/O SQ and CQ (blk-mq gets size - 1 tags per hctx; nvme-pci allows 2 to 4095)" }),
    numberField({ id: "ctrl-mdts", label: "MDTS", path: ["controller", "mdts"], lo: 0, hi: 20, dflt: DEF.mdts, hint: "Maximum Data Transfer Size: 2^MDTS pages of 4 KiB, 0 = no limit" }),
    bitField({ id: "ctrl-oncs-copy", label: "ONCS bit 8: Copy supported", path: ["controller", "oncs"], bit: ONCS_COPY_BIT, dflt: DEF.oncs, hint: "off: the driver sets no copy limits and every copy is emulated" }),
    ...nvmLimitFields(),
  ];
}

/**
 * The NVM Command Set Identify Controller's limits (CNS 06h, NVM CS 1.0 Figure 102), 0 = none
 * reported: the driver reads them at bring-up as nvme_init_non_mdts_limits does (WZSL gives
 * max_write_zeroes_sectors, DMRSL max_discard_sectors, DMRL max_discard_segments).
 */
function nvmLimitFields(): Field[] {
  return [
    numberField({ id: "ctrl-vsl", label: "VSL", path: ["controller", "vsl"], lo: 0, hi: 20, dflt: DEF.vsl, hint: "Verify Size Limit: 2^VSL pages of 4 KiB, 0 = none" }),
    numberField({ id: "ctrl-wzsl", label: "WZSL", path: ["controller", "wzsl"], lo: 0, hi: 20, dflt: DEF.wzsl, hint: "Write Zeroes Size Limit: 2^WZSL pages of 4 KiB, 0 = none (Linux's max_write_zeroes_sectors)" }),
    numberField({ id: "ctrl-dmrl", label: "DMRL", path: ["controller", "dmrl"], lo: 0, hi: 255, dflt: DEF.dmrl, hint: "Dataset Management Ranges Limit per command, 0 = none (Linux's max_discard_segments)" }),
    numberField({ id: "ctrl-dmrsl", label: "DMRSL", path: ["controller", "dmrsl"], lo: 0, hi: 0xffffffff, dflt: DEF.dmrsl, hint: "Dataset Management Range Size Limit in blocks, 0 = none (Linux's max_discard_sectors)" }),
    numberField({ id: "ctrl-dmsl", label: "DMSL", path: ["controller", "dmsl"], lo: 0, hi: Number.MAX_SAFE_INTEGER, dflt: DEF.dmsl, hint: "Dataset Management Size Limit in blocks per command, 0 = none" }),
  ];
}

/** OCFS bits: Copy Descriptor Formats 0h-3h (4h is not modelled: validateConfig takes 0..0xf). */
export function ocfsFields(): Field[] {
  const what = ["16b guard, one namespace", "64b guard PI, one namespace", "16b guard, cross-namespace", "64b guard PI, cross-namespace"];
  return what.map((w, i) => bitField({ id: `ctrl-ocfs-${i}`, label: `Format ${i}h`, path: ["controller", "ocfs"], bit: i, dflt: DEF.ocfs, hint: w }));
}

/** What a namespace of the setup resolves to (defaults applied), or why it does not. */
export interface NsInfo {
  index: number;
  nsid: number;
  dev: string;
  blocks: number;
  lbaBytes: number;
  ms: number;
  sectors: number;
  formats: LbaFormat[];
  error?: string;
}

export function namespaceList(s: Setup): Obj[] {
  const ns = getIn(s, ["controller", "namespaces"]);
  return Array.isArray(ns) ? (ns as Obj[]) : [{}];
}

export function namespaces(s: Setup): NsInfo[] {
  return namespaceList(s).map((n, i) => {
    try {
      const c = namespaceFromJson(n, i, pathText(["controller", "namespaces", i]));
      const f = c.formats[c.formatIndex];
      if (!f) throw new Error(`${pathText(["controller", "namespaces", i, "formatIndex"])}: no format ${c.formatIndex}`);
      const lbaBytes = 1 << f.lbads;
      return { index: i, nsid: c.nsid, dev: `nvme0n${c.nsid}`, blocks: c.blocks, lbaBytes, ms: f.ms, sectors: (c.blocks * lbaBytes) / 512, formats: c.formats };
    } catch (e) {
      const nsid = isObj(n) && typeof n.nsid === "number" ? n.nsid : i + 1;
      return { index: i, nsid, dev: `nvme0n${nsid}`, blocks: 0, lbaBytes: 512, ms: 0, sectors: 0, formats: DEFAULT_FORMATS, error: (e as Error).message };
    }
  });
}

/** The namespaces written out (the default one materialised as {}), so one can be edited. */
function withNamespaces(s: Setup): Setup {
  return Array.isArray(getIn(s, ["controller", "namespaces"])) ? s : setIn(s, ["controller", "namespaces"], [{}]);
}

export function namespaceFields(s: Setup, i: number): Field[] {
  const at = (k: string): Path => ["controller", "namespaces", i, k];
  const raw = (x: Setup): Obj => (namespaceList(x)[i] ?? {}) as Obj;
  const info = namespaces(s)[i];
  const onNs = (f: Field): Field => ({ ...f, set: (x, v) => f.set(withNamespaces(x), v) });
  const useBlocks = raw(s).blocks !== undefined;
  const sizeF: Field = useBlocks
    ? numberField({ id: `ns-${i}-blocks`, label: "Blocks", path: at("blocks"), lo: 1, hi: 2 ** 50, hint: "NSZE = NCAP, in logical blocks" })
    : sizeField({
      id: `ns-${i}-size`, label: "Size", path: at("size"), placeholder: formatSize(131072 * (info?.lbaBytes ?? 512)), hint: "bytes or 64M, 1G ...; NSZE = size / LBA size",
      check: (b) => (b <= 0 ? "must be more than 0" : b % (info?.lbaBytes ?? 512) ? `not a multiple of the ${info?.lbaBytes}-byte LBA size` : null),
    });
  const formats = info?.formats ?? DEFAULT_FORMATS;
  const fmtValue = (f: LbaFormat) => `${1 << f.lbads}+${f.ms}`;
  const lbaf: Field = {
    id: `ns-${i}-lbaf`, label: "LBA format", path: at("lbaSize"), kind: "enum", hint: "data + metadata bytes per logical block (FLBAS)",
    options: formats.map((f, j) => ({ value: fmtValue(f), label: `LBAF ${j}: ${1 << f.lbads}${f.ms ? ` + ${f.ms} metadata` : ""}` })),
    get: (x) => {
      const n = namespaces(x)[i];
      return n ? `${n.lbaBytes}+${n.ms}` : "512+0";
    },
    set: (x, v) => {
      if (v === lbaf.get(x)) return x;
      const m = /^(\d+)\+(\d+)$/.exec(String(v));
      const j = m ? formats.findIndex((f) => fmtValue(f) === v) : -1;
      if (!m || j < 0) throw new FieldError(`ns-${i}-lbaf`, pathText(at("lbaSize")), `${JSON.stringify(v)} is not one of the namespace's LBA formats`);
      let y = withNamespaces(x);
      const r = raw(y);
      if (r.formatIndex !== undefined && r.lbaSize === undefined && r.ms === undefined) return setIn(y, at("formatIndex"), j);
      const bs = Number(m[1]), ms = Number(m[2]);
      y = setIn(y, at("lbaSize"), bs);
      y = setIn(y, at("ms"), ms === 0 && r.ms === undefined ? undefined : ms);
      if (r.size !== undefined) {
        try {
          if (parseSize(r.size as string) % bs) throw new Error("x");
        } catch {
          throw new FieldError(`ns-${i}-lbaf`, pathText(at("size")), `${String(r.size)} is not a multiple of the ${bs}-byte LBA size: change the size first`);
        }
      }
      return y;
    },
  };
  return [
    onNs(sizeF),
    lbaf,
    onNs(numberField({ id: `ns-${i}-mssrl`, label: "MSSRL", path: at("mssrl"), lo: 1, hi: 0xffff, dflt: 128, hint: "Maximum Single Source Range Length (blocks)" })),
    onNs(numberField({ id: `ns-${i}-mcl`, label: "MCL", path: at("mcl"), lo: 1, hi: 0xffffffff, dflt: 128, hint: "Maximum Copy Length (blocks, all ranges)" })),
    onNs(numberField({ id: `ns-${i}-msrc`, label: "MSRC", path: at("msrc"), lo: 0, hi: 255, dflt: 127, hint: "Maximum Source Range Count, 0's based (MSRC + 1 ranges)" })),
    onNs(numberEnum({
      id: `ns-${i}-pi`, label: "Protection", path: at("pi"), dflt: "0", hint: "end-to-end protection information type (DPS 2:0); needs an LBA format whose metadata holds the 8-byte tuple (16 with pif 2)",
      options: [{ value: "0", label: "none" }, { value: "1", label: "Type 1" }, { value: "2", label: "Type 2" }, { value: "3", label: "Type 3" }],
    })),
    onNs(numberEnum({
      id: `ns-${i}-pil`, label: "PI location", path: at("pil"), dflt: "0", hint: "where the tuple sits in the metadata (DPS bit 3)",
      options: [{ value: "0", label: "last bytes" }, { value: "1", label: "first bytes" }],
    })),
  ];
}

/** An enumField whose values are numbers in the setup JSON. */
function numberEnum(o: { id: string; label: string; path: Path; dflt: string; options: FieldOption[]; hint?: string }): Field {
  const e = enumField(o);
  return {
    ...e,
    set: (s, v) => {
      const y = e.set(s, v);
      const t = getIn(y, o.path);
      return typeof t === "string" ? setIn(y, o.path, Number(t)) : y;
    },
  };
}

export function formatSize(bytes: number): string {
  for (const [u, m] of [["T", 2 ** 40], ["G", 2 ** 30], ["M", 2 ** 20], ["k", 1024]] as const) if (bytes >= m && bytes % m === 0) return `${bytes / m}${u}`;
  return String(bytes);
}

export { formatBytes };

/** Add a namespace of 64 MiB (NSID one above the highest, written only when it is not implicit). */
export function addNamespace(s: Setup): Setup {
  const y = withNamespaces(s);
  const list = namespaceList(y);
  const infos = namespaces(y);
  const nsid = Math.max(0, ...infos.map((n) => n.nsid)) + 1;
  if (list.length >= 16) throw new FieldError("ns-add", pathText(["controller", "namespaces"]), "at most 16 namespaces");
  const ns: Obj = nsid === list.length + 1 ? { size: "64M" } : { nsid, size: "64M" };
  return setIn(y, ["controller", "namespaces"], [...list, ns]);
}

/** Remove namespace i; refused while anything names it (or, with implicit NSIDs, a later one). */
export function removeNamespace(s: Setup, i: number): { setup?: Setup; error?: string } {
  const list = namespaceList(s);
  const infos = namespaces(s);
  if (list.length <= 1) return { error: `${infos[0]?.dev ?? "nvme0n1"} is the only namespace: a controller for these runs needs one` };
  const dev = infos[i].dev;
  const refs = referencesTo(s, dev);
  if (refs.length) return { error: `${dev} is in use: ${refs.join(", ")}` };
  for (let j = i + 1; j < list.length; j++) {
    if (isObj(list[j]) && list[j].nsid === undefined) {
      const r = referencesTo(s, infos[j].dev);
      if (r.length) return { error: `removing ${dev} would rename ${infos[j].dev} to nvme0n${j} (its NSID is its position), and it is in use: ${r.join(", ")}` };
    }
  }
  return { setup: setIn(s, ["controller", "namespaces"], list.filter((_, j) => j !== i)) };
}

// ---- the host, the copy design, kcopyd, CPU costs ----

export function hostFields(): Field[] {
  return [
    numberField({ id: "cpus", label: "CPUs", path: ["cpus"], lo: 1, hi: 64, dflt: 2, hint: "simulated CPUs, each with a software queue" }),
    numberField({ id: "hw-queues", label: "Hardware queues", path: ["hw_queues"], lo: 1, hi: 64, dflt: "one per CPU", hint: "hctx = NVMe I/O queue pairs; CPU n uses queue n mod hw_queues" }),
    linuxField(),
  ];
}

/** The kernel the block layer follows (scenario key "linux"; docs/BLOCK.md's version table says where they differ). */
export function linuxField(): Field {
  // 6.18 is the default: choosing it again removes the key
  return enumField({ id: "linux", label: "Kernel", path: ["linux"], dflt: "6.18", unset: "6.18", options: [
    { value: "6.18", label: "6.18 LTS", hint: "__submit_bio plugs every bio (6.10+): an unplugged bio is traced P and U 1" },
    { value: "7.2", label: "7.2 mainline", hint: "no plug in __submit_bio (9cbbac29d752): no P/U for an unplugged bio" },
  ], hint: "6.18 plugs each bio in __submit_bio (traced P, U 1); 7.2 does not. docs/BLOCK.md" });
}

export const DESIGN_OPTIONS: FieldOption[] = [
  { value: "pair", label: "pair", hint: "v20 (2024): a COPY_DST and a COPY_SRC bio per chunk, paired by plug merging; one range per Copy" },
  { value: "ctx", label: "ctx", hint: "2026: a copy context ties SRC and DST bios; the driver packs adjacent destinations into Copy commands (MSRC + 1 ranges)" },
  { value: "vector", label: "vector", hint: "2025: one REQ_OP_COPY bio with its source ranges; split by copy_max_bytes and ranges, merged like discards" },
];

export function designField(): Field {
  return enumField({ id: "design", label: "Copy design", path: ["design"], dflt: "ctx", options: DESIGN_OPTIONS });
}

export function kcopydFields(): Field[] {
  return [
    enumField({ id: "kcopyd-variant", label: "kcopyd variant", path: ["kcopyd", "variant"], dflt: "single", options: [
      { value: "single", label: "single (upstream: one work item)" }, { value: "percpu", label: "percpu (seed 001's redesign)" }] }),
    boolField({ id: "kcopyd-offload", label: "kcopyd tries copy offload first", path: ["kcopyd", "offload"], dflt: false }),
    numberField({ id: "kcopyd-subjob", label: "Sub-job size (KiB)", path: ["kcopyd", "subjob_size_kb"], lo: 4, hi: 1024, dflt: 512, hint: "dm_mod.kcopyd_subjob_size_kb, a multiple of 4" }),
    numberField({ id: "kcopyd-cpu", label: "CPU per job step (µs)", path: ["kcopyd", "job_cpu_us"], lo: 0, hi: 1e6, dflt: 2, integer: false }),
  ];
}

export const CPU_COSTS = ["syscall_ns", "submit_ns", "irq_ns", "context_switch_ns", "poll_ns", "copy_ns_per_byte"] as const;

export function cpuFields(): Field[] {
  return CPU_COSTS.map((k) => numberField({ id: `cpu-${k.replace(/_/g, "-")}`, label: k, path: ["cpu", k], lo: 0, hi: 1e9, dflt: 0, integer: false, hint: "ns" }));
}

// ---- the models (docs/TIMING.md) ----

export const PRESETS: FieldOption[] = [
  { value: "none", label: "none (simple)", hint: "a fixed latency per command, data at link bandwidth, copies at an internal bandwidth; each command gets the whole link (unlimited parallelism), so commands in flight together move more than the link" },
  { value: "null_blk", label: "null_blk", hint: "every command completes after completion_nsec, as the kernel's null_blk" },
  { value: "tlc-970pro", label: "tlc-970pro", hint: "a Samsung 970 PRO as NVMeVirt models it: 8 channels x 2 dies, tR 36 µs, tPROG 190 µs, PCIe Gen3 x4" },
  { value: "simple", label: "simple (as a device)", hint: "the simple model with its parameters under device; each command gets the whole link (unlimited parallelism)" },
];

const presetOf = (s: Setup): string => {
  const d = s.device;
  if (d === undefined) return "none";
  if (typeof d === "string") return d;
  if (isObj(d)) return typeof d.preset === "string" ? d.preset : "simple";
  return "none";
};

export function presetField(): Field {
  return {
    id: "device-preset", label: "Device model", path: ["device"], kind: "enum", options: PRESETS,
    get: presetOf,
    set: (s, v) => {
      const p = String(v);
      if (!PRESETS.some((x) => x.value === p)) throw new FieldError("device-preset", pathText(["device"]), `${JSON.stringify(p)} is not one of ${PRESETS.map((x) => x.value).join(", ")}`);
      if (p === presetOf(s)) return s;
      // device and timing exclude each other (parseScenario): a device preset drops timing
      if (p === "none") return setIn(s, ["device"], undefined);
      return setIn(setIn(s, ["timing"], undefined), ["device"], { preset: p });
    },
  };
}

/** The chosen model's parameters (device.* or, with none, timing.*). */
export function modelFields(s: Setup): Field[] {
  const p = presetOf(s);
  // a device given as a bare string ("null_blk") becomes an object when a parameter is set
  const obj = (f: Field): Field => ({ ...f, set: (x, v) => f.set(typeof x.device === "string" ? setIn(x, ["device"], { preset: x.device }) : x, v) });
  switch (p) {
    case "none":
      return [
        numberField({ id: "timing-latency", label: "Latency per command (µs)", path: ["timing", "latency_us"], lo: 1e-6, hi: 1e9, dflt: 10, integer: false }),
        numberField({ id: "timing-link", label: "Link (Gb/s)", path: ["timing", "link_gbps"], lo: 1e-6, hi: 1e6, dflt: 24, integer: false, hint: "per command: commands in flight do not share it" }),
        numberField({ id: "timing-copy", label: "Internal copy (Gb/s)", path: ["timing", "copy_gbps"], lo: 1e-6, hi: 1e6, dflt: 16, integer: false }),
      ];
    case "null_blk":
      return [
        obj(numberField({ id: "dev-completion", label: "completion (µs)", path: ["device", "completion_us"], lo: 0, hi: 1e9, dflt: 10, integer: false, hint: "null_blk completion_nsec / 1000" })),
        obj(numberField({ id: "dev-mbps", label: "mbps", path: ["device", "mbps"], lo: 0, hi: 1e9, dflt: 0, integer: false, hint: "bandwidth cap, 0 = none" })),
      ];
    case "tlc-970pro":
      return [
        obj(boolField({ id: "dev-wc", label: "Volatile write cache", path: ["device", "write_cache"], dflt: true })),
        obj(numberField({ id: "dev-gen", label: "PCIe generation", path: ["device", "pcie_gen"], lo: 1, hi: 6, dflt: 3 })),
        obj(numberField({ id: "dev-lanes", label: "PCIe lanes", path: ["device", "pcie_lanes"], lo: 1, hi: 16, dflt: 4 })),
      ];
    default:
      return [
        obj(numberField({ id: "dev-latency", label: "Latency per command (µs)", path: ["device", "latency_us"], lo: 0, hi: 1e9, dflt: 10, integer: false })),
        obj(numberField({ id: "dev-link", label: "Link (Gb/s)", path: ["device", "link_gbps"], lo: 1e-6, hi: 1e6, dflt: 24, integer: false, hint: "per command: commands in flight do not share it" })),
        obj(numberField({ id: "dev-copy", label: "Internal copy (Gb/s)", path: ["device", "copy_gbps"], lo: 1e-6, hi: 1e6, dflt: 16, integer: false })),
      ];
  }
}

export function fabricField(): Field {
  return {
    id: "fabric", label: "Fabric", path: ["fabric"], kind: "enum",
    options: [{ value: "none", label: "none (PCIe)" }, { value: "tcp", label: "NVMe/TCP" }],
    get: (s) => (s.fabric === undefined ? "none" : "tcp"),
    set: (s, v) => {
      if (v === (s.fabric === undefined ? "none" : "tcp")) return s;
      if (v === "none") return setIn(s, ["fabric"], undefined);
      if (v === "tcp") return setIn(s, ["fabric"], { transport: "tcp", gbps: 1, rtt_us: 50 });
      throw new FieldError("fabric", pathText(["fabric"]), `${JSON.stringify(v)} is not none or tcp`);
    },
  };
}

export function tcpFields(): Field[] {
  return [
    numberField({ id: "tcp-gbps", label: "Link (Gb/s)", path: ["fabric", "gbps"], lo: 0.001, hi: 1000, dflt: 1, integer: false }),
    numberField({ id: "tcp-rtt", label: "RTT (µs)", path: ["fabric", "rtt_us"], lo: 0, hi: 1e7, dflt: 50, integer: false }),
    enumField({ id: "tcp-backend", label: "Target's backend copy", path: ["fabric", "backend_copy"], dflt: "emulate", options: [
      { value: "emulate", label: "emulate (nvmet reads and writes)" }, { value: "offload", label: "offload (backend has Copy)" }] }),
    numberField({ id: "tcp-target-cpus", label: "Target CPUs (0: not modelled)", path: ["fabric", "target_cpus"], lo: 0, hi: 4096, dflt: 0, integer: true }),
    numberField({ id: "tcp-target-cmd", label: "Target work per command (µs)", path: ["fabric", "target_cmd_us"], lo: 0, hi: 1e6, dflt: 0, integer: false }),
  ];
}

// ---- queue limits (sysfs), scheduler, per-device design ----

/** The writable queue attributes (src/block/limits.ts SYSFS entries with a store). */
export const SYSFS_WRITABLE = [
  { attr: "max_sectors_kb", hint: "KiB; 4..max_hw_sectors_kb, 0 = default" },
  { attr: "discard_max_bytes", hint: "bytes, a multiple of the LBA size" },
  { attr: "copy_max_bytes", hint: "bytes, a multiple of the LBA size; 0 turns offload off" },
  { attr: "nomerges", hint: "0 merges, 1 only simple merges, 2 none" },
  { attr: "write_cache", hint: "write through: flushes and FUA are dropped, though the device keeps its cache" },
] as const;

/** Devices that exist before the steps run (sysfs, designs and scheduler apply then). */
export function limitDevices(s: Setup): string[] {
  const g = stackGraph(s);
  const devs = g.nodes.filter((n) => n.from !== "step").map((n) => n.id);
  for (const k of ["sysfs", "designs", "scheduler"]) {
    const o = s[k];
    if (isObj(o)) for (const d of Object.keys(o)) if (!devs.includes(d)) devs.push(d);
  }
  return devs;
}

const safe = (dev: string) => dev.replace(/[^A-Za-z0-9_-]/g, "_");

export function limitFields(s: Setup, dev: string): Field[] {
  const isNs = /^nvme\d+n\d+$/.test(dev);
  const id = (attr: string) => `sysfs-${safe(dev)}-${attr}`;
  const fields: Field[] = SYSFS_WRITABLE.map(({ attr, hint }): Field => {
    const path: Path = ["sysfs", dev, attr];
    if (attr === "max_sectors_kb") return numberField({ id: id(attr), label: `${dev} ${attr}`, path, lo: 0, hi: Number.MAX_SAFE_INTEGER, hint });
    // queue_wc_store's words: BLK_FLAG_WRITE_CACHE_DISABLED cleared or set
    if (attr === "write_cache") return enumField({ id: id(attr), label: `${dev} write_cache`, path, dflt: "", unset: "", hint, options: [
      { value: "", label: "(the device's)" }, { value: "write back", label: "write back" }, { value: "write through", label: "write through" }] });
    if (attr !== "nomerges") return sizeField({ id: id(attr), label: `${dev} ${attr}`, path, hint });
    // QUEUE_FLAG_NOMERGES / NOXMERGES: a number 0, 1 or 2 in the JSON
    return {
      id: id(attr), label: `${dev} nomerges`, path, kind: "enum", hint,
      options: [{ value: "", label: "(default 0)" }, { value: "0", label: "0" }, { value: "1", label: "1" }, { value: "2", label: "2" }],
      get: textAt(path),
      set: (x, v) => {
        if (v === "") return setIn(x, path, undefined);
        if (!["0", "1", "2"].includes(String(v))) throw new FieldError(id(attr), pathText(path), `${JSON.stringify(v)} is not 0, 1 or 2`);
        return setIn(x, path, Number(v));
      },
    };
  });
  fields.push(enumField({ id: `design-${safe(dev)}`, label: `${dev} copy design`, path: ["designs", dev], dflt: "", unset: "", options: [{ value: "", label: "(the setup's design)" }, ...DESIGN_OPTIONS.map((o) => ({ value: o.value, label: o.label }))] }));
  if (isNs) fields.push(enumField({ id: `sched-${safe(dev)}`, label: `${dev} scheduler`, path: ["scheduler", dev], dflt: "", unset: "", options: [{ value: "", label: "(default none)" },
    { value: "none", label: "none" }, { value: "mq-deadline", label: "mq-deadline" }] }));
  return fields;
}

/** Every field the form shows for this setup (for tests and for finding one by id). */
export function allFields(s: Setup): Field[] {
  return [
    ...controllerFields(), ...ocfsFields(), ...namespaces(s).flatMap((n) => namespaceFields(s, n.index)),
    ...hostFields(), designField(), ...kcopydFields(), ...cpuFields(),
    presetField(), ...modelFields(s), fabricField(), ...(s.fabric !== undefined ? tcpFields() : []),
    ...limitDevices(s).flatMap((d) => limitFields(s, d)),
  ];
}

// ---------------------------------------------------------------------------------------
// the block stack as a graph

/** The arguments of each target type that name a device, and their role (drivers/md/dm-*.c ctr). */
export function deviceArgs(type: string, args: string[]): Array<{ arg: number; role: string }> {
  switch (type) {
    case "linear": return [{ arg: 0, role: "" }];
    case "crypt": return [{ arg: 3, role: "" }];
    case "striped": {
      const n = Number(args[0]);
      return Number.isInteger(n) && n > 0 ? Array.from({ length: n }, (_, k) => ({ arg: 2 + 2 * k, role: `stripe ${k}` })) : [];
    }
    case "delay": return args.length >= 9 ? [{ arg: 0, role: "read" }, { arg: 3, role: "write" }, { arg: 6, role: "flush" }]
      : args.length >= 6 ? [{ arg: 0, role: "read" }, { arg: 3, role: "write" }] : [{ arg: 0, role: "" }];
    case "snapshot-origin": return [{ arg: 0, role: "origin" }];
    case "snapshot": return [{ arg: 0, role: "origin" }, { arg: 1, role: "COW" }];
    case "clone": return [{ arg: 0, role: "metadata" }, { arg: 1, role: "destination" }, { arg: 2, role: "source" }];
    default: return [];
  }
}

/** The devices a new target of each type stacks on, by role. */
export const TARGET_ROLES: Record<string, string[]> = {
  linear: ["device"], striped: ["stripe 0", "stripe 1"], crypt: ["device"], delay: ["device"],
  "snapshot-origin": ["origin"], snapshot: ["origin", "COW device"], clone: ["metadata", "destination", "source"],
};
export const TARGET_TYPES = Object.keys(TARGET_ROLES);


interface Line { start: number; len: number; type: string; args: string[]; argTok: number[]; tokens: string[] }

/** One dmsetup table line; null for a blank or comment line (dm core parseDmTable). */
export function parseLine(raw: string): Line | null | string {
  const line = raw.replace(/#.*$/, "").trim();
  if (!line) return null;
  const tokens = line.split(/\s+/);
  if (tokens.length < 3) return "expected <start> <length> <target type> <arguments>";
  if (!/^\d+$/.test(tokens[0])) return `start "${tokens[0]}" is not a sector number`;
  if (!/^\d+$/.test(tokens[1])) return `length "${tokens[1]}" is not a sector count`;
  const argTok: number[] = [];
  for (let t = 3; t < tokens.length; t++) if (!WHAT_IF_TOKENS.includes(tokens[t])) argTok.push(t);
  return { start: Number(tokens[0]), len: Number(tokens[1]), type: tokens[2], args: argTok.map((t) => tokens[t]), argTok, tokens };
}

export interface DevNode {
  /** nvme0nN or dm-N */
  id: string;
  kind: "ns" | "dm";
  /** The mapper name (/dev/mapper/<name>). */
  mapper?: string;
  /** Target types of its table, in order. */
  types: string[];
  /** Size in 512-byte sectors (a table's end), when known. */
  sectors?: number;
  /** Where it comes from: the controller, the stack, or a dm_create step (made during the run). */
  from: "controller" | "stack" | "step";
  /** Index in stack[] or steps[]. */
  index: number;
  /** 0 for namespaces; one above the highest device it maps onto. */
  level: number;
  /** Its table lines (dm devices). */
  table: string[];
}

export interface DevEdge { from: string; to: string; role: string; target: number }

export interface StackGraph { nodes: DevNode[]; edges: DevEdge[]; problems: string[] }

/** Resolve a device name as dm_get_device (lookupDevice) and the scenario's dev() do. */
export function resolveDevice(nodes: DevNode[], name: string): DevNode | undefined {
  let n = name.replace(/^\/dev\//, "");
  const mm = /^253:(\d+)$/.exec(n);
  if (mm) n = `dm-${mm[1]}`;
  if (n.startsWith("mapper/")) return nodes.find((x) => x.mapper === n.slice(7));
  return nodes.find((x) => x.id === n) ?? nodes.find((x) => x.mapper === n);
}

function tableOf(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : typeof v === "string" ? v.split("\n") : [];
}

/** The graph: namespaces, the stack's dm devices (dm-0 ...) and the dm_create steps' devices after them. */
export function stackGraph(s: Setup): StackGraph {
  const problems: string[] = [];
  const nodes: DevNode[] = namespaces(s).map((n) => ({ id: n.dev, kind: "ns", types: [], sectors: n.sectors || undefined, from: "controller", index: n.index, level: 0, table: [] }));
  const edges: DevEdge[] = [];
  const specs: Array<{ name: unknown; table: unknown; from: "stack" | "step"; index: number; at: Path }> = [];
  const stack = Array.isArray(s.stack) ? s.stack : [];
  stack.forEach((e, i) => specs.push({ name: isObj(e) ? e.name : undefined, table: isObj(e) ? e.table : undefined, from: "stack", index: i, at: ["stack", i] }));
  const steps = Array.isArray(s.steps) ? s.steps : [];
  steps.forEach((st, i) => { if (isObj(st) && st.op === "dm_create") specs.push({ name: st.name, table: st.table, from: "step", index: i, at: ["steps", i] }); });
  specs.forEach((sp, k) => {
    const node: DevNode = { id: `dm-${k}`, kind: "dm", mapper: typeof sp.name === "string" ? sp.name : undefined, types: [], from: sp.from, index: sp.index, level: 1, table: tableOf(sp.table) };
    if (node.mapper === undefined) problems.push(`${pathText([...sp.at, "name"])}: missing (a device-mapper device needs a name)`);
    else if (nodes.some((x) => x.mapper === node.mapper)) problems.push(`${pathText([...sp.at, "name"])}: "${node.mapper}" is used twice`);
    let end = 0;
    node.table.forEach((raw, li) => {
      const at = pathText([...sp.at, "table", li]);
      const l = parseLine(raw);
      if (l === null) return;
      if (typeof l === "string") { problems.push(`${at}: ${l}`); return; }
      if (l.start !== end) problems.push(`${at}: target starts at sector ${l.start}, ${l.start < end ? "inside the previous target" : `leaving a gap after sector ${end}`}`);
      end = Math.max(end, l.start + l.len);
      node.types.push(l.type);
      if (!TARGET_ROLES[l.type]) problems.push(`${at}: unknown target type "${l.type}" (modelled: ${TARGET_TYPES.join(", ")})`);
      for (const d of deviceArgs(l.type, l.args)) {
        const name = l.args[d.arg];
        if (name === undefined) { problems.push(`${at}: missing the ${d.role || "device"} argument`); continue; }
        const lower = resolveDevice(nodes, name);
        if (!lower) { problems.push(`${at}: no device "${name}" before ${node.id} (there are: ${nodes.map((x) => x.id).join(", ")})`); continue; }
        edges.push({ from: node.id, to: lower.id, role: d.role, target: node.types.length - 1 });
        node.level = Math.max(node.level, lower.level + 1);
        // a linear or crypt target must fit inside its device (dm_get_device's area check)
        const off = l.type === "linear" ? Number(l.args[1]) : l.type === "crypt" ? Number(l.args[4]) : NaN;
        if (Number.isFinite(off) && lower.sectors !== undefined && off + l.len > lower.sectors) {
          problems.push(`${at}: ${l.len} sectors at offset ${off} go past the end of ${lower.id} (${lower.sectors} sectors)`);
        }
      }
    });
    if (node.table.length === 0) problems.push(`${pathText([...sp.at, "table"])}: empty table (a device needs at least one target)`);
    node.sectors = end || undefined;
    nodes.push(node);
  });
  return { nodes, edges, problems };
}

export interface Box { id: string; x: number; y: number; w: number; h: number }
export interface Layout { width: number; height: number; boxes: Box[]; lines: Array<{ from: string; to: string; x1: number; y1: number; x2: number; y2: number; role: string }> }

/** Layers from the namespaces (bottom) up; each row centred; edges from a node's bottom to its device's top. */
export function layoutGraph(g: StackGraph, o = { w: 150, h: 50, gapX: 22, gapY: 64, pad: 12 }): Layout {
  const levels = Math.max(0, ...g.nodes.map((n) => n.level));
  const rows: DevNode[][] = Array.from({ length: levels + 1 }, () => []);
  for (const n of g.nodes) rows[n.level].push(n);
  const widest = Math.max(1, ...rows.map((r) => r.length));
  const width = o.pad * 2 + widest * o.w + (widest - 1) * o.gapX;
  const height = o.pad * 2 + (levels + 1) * o.h + levels * o.gapY;
  const boxes: Box[] = [];
  rows.forEach((row, lv) => {
    const rowW = row.length * o.w + (row.length - 1) * o.gapX;
    const x0 = (width - rowW) / 2;
    const y = o.pad + (levels - lv) * (o.h + o.gapY);
    row.forEach((n, i) => boxes.push({ id: n.id, x: x0 + i * (o.w + o.gapX), y, w: o.w, h: o.h }));
  });
  const at = new Map(boxes.map((b) => [b.id, b]));
  const lines = g.edges.map((e, i) => {
    const a = at.get(e.from)!, b = at.get(e.to)!;
    const outs = g.edges.filter((x) => x.from === e.from);
    const k = outs.indexOf(g.edges[i]);
    const x1 = a.x + (a.w * (k + 1)) / (outs.length + 1);
    return { from: e.from, to: e.to, role: e.role, x1, y1: a.y + a.h, x2: b.x + b.w / 2, y2: b.y };
  });
  return { width, height, boxes, lines };
}

// ---- references and renumbering ----

const STEP_DEV_KEYS = ["dev", "src", "dst"];

/** Where a device is named: other devices' tables, steps, sysfs / designs / scheduler keys. */
export function referencesTo(s: Setup, id: string, o: { own?: boolean } = {}): string[] {
  const g = stackGraph(s);
  const out: string[] = [];
  for (const e of g.edges) {
    if (e.to !== id) continue;
    const up = g.nodes.find((n) => n.id === e.from)!;
    const where = up.from === "stack" ? pathText(["stack", up.index]) : pathText(["steps", up.index]);
    const text = `${up.id}${up.mapper ? ` (${up.mapper})` : ""} stacks on it (${where})`;
    if (!out.includes(text)) out.push(text);
  }
  const steps = Array.isArray(s.steps) ? s.steps : [];
  steps.forEach((st, i) => {
    if (!isObj(st)) return;
    for (const k of STEP_DEV_KEYS) {
      const v = st[k];
      if (typeof v === "string" && resolveDevice(g.nodes, v)?.id === id) out.push(pathText(["steps", i, k]));
      if (k === "dst" && Array.isArray(v)) v.forEach((d, j) => { if (Array.isArray(d) && typeof d[0] === "string" && resolveDevice(g.nodes, d[0])?.id === id) out.push(pathText(["steps", i, "dst", j])); });
    }
  });
  if (o.own) for (const k of ["sysfs", "designs", "scheduler"]) {
    const m = s[k];
    if (isObj(m)) for (const d of Object.keys(m)) if (resolveDevice(g.nodes, d)?.id === id) out.push(pathText([k, d]));
  }
  return out;
}

/** Rename dm-K references (dm-K, /dev/dm-K, 253:K) by map; mapper names and nvme names stay. */
function renumber(s: Setup, map: (k: number) => number): Setup {
  const re = /^(\/dev\/)?dm-(\d+)$|^253:(\d+)$/;
  const fix = (name: string): string => {
    const m = re.exec(name);
    if (!m) return name;
    const k = Number(m[2] ?? m[3]);
    const to = map(k);
    if (to === k) return name;
    return m[3] !== undefined ? `253:${to}` : `${m[1] ?? ""}dm-${to}`;
  };
  const fixTable = (t: unknown): unknown => Array.isArray(t) ? t.map((raw) => {
    if (typeof raw !== "string") return raw;
    const l = parseLine(raw);
    if (l === null || typeof l === "string") return raw;
    const devArgs = new Set(deviceArgs(l.type, l.args).map((d) => l.argTok[d.arg]));
    let changed = false;
    const toks = l.tokens.map((tk, i) => { if (!devArgs.has(i)) return tk; const f = fix(tk); changed ||= f !== tk; return f; });
    return changed ? toks.join(" ") : raw;
  }) : t;
  let y: Setup = { ...s };
  if (Array.isArray(y.stack)) y.stack = y.stack.map((e) => (isObj(e) && Array.isArray(e.table) ? { ...e, table: fixTable(e.table) } : e));
  if (Array.isArray(y.steps)) y.steps = y.steps.map((st) => {
    if (!isObj(st)) return st;
    const o: Obj = { ...st };
    for (const k of STEP_DEV_KEYS) {
      if (typeof o[k] === "string") o[k] = fix(o[k] as string);
      else if (k === "dst" && Array.isArray(o[k])) o[k] = (o[k] as unknown[]).map((d) => (Array.isArray(d) && typeof d[0] === "string" ? [fix(d[0]), ...d.slice(1)] : d));
    }
    if (o.op === "dm_create") o.table = fixTable(o.table);
    return o;
  });
  for (const k of ["sysfs", "designs", "scheduler"]) {
    const m = y[k];
    if (isObj(m)) y[k] = Object.fromEntries(Object.entries(m).map(([d, v]) => [fix(d), v]));
  }
  // nothing renamed: hand back the same structure, so "no edits" stays byte for byte
  if (JSON.stringify(y) === JSON.stringify(s)) y = s;
  return y;
}

/** A table for a new target over whole devices (sizes in sectors), in dmsetup syntax. */
export function defaultTable(type: string, devs: string[], sectors: (dev: string) => number | undefined): string[] {
  const size = (d: string) => sectors(d) ?? 0;
  switch (type) {
    case "linear": {
      let at = 0;
      return devs.map((d) => { const line = `${at} ${size(d)} linear ${d} 0`; at += size(d); return line; });
    }
    case "striped": {
      const chunk = 128;
      const per = Math.floor(Math.min(...devs.map(size)) / chunk) * chunk;
      return [`0 ${per * devs.length} striped ${devs.length} ${chunk} ${devs.map((d) => `${d} 0`).join(" ")}`];
    }
    case "crypt": return [`0 ${size(devs[0])} crypt aes-xts-plain64 000102030405060708090a0b0c0d0e0f 0 ${devs[0]} 0`];
    case "delay": return [`0 ${size(devs[0])} delay ${devs[0]} 0 1`];
    case "snapshot-origin": return [`0 ${size(devs[0])} snapshot-origin ${devs[0]}`];
    case "snapshot": return [`0 ${size(devs[0])} snapshot ${devs[0]} ${devs[1]} N 16`];
    case "clone": return [`0 ${Math.min(size(devs[1]), size(devs[2]))} clone ${devs[0]} ${devs[1]} ${devs[2]} 8`];
    default: throw new Error(`unknown target type "${type}"`);
  }
}

export interface EditResult { setup?: Setup; error?: string; id?: string }

/** Add a dm device at the end of stack[] with one target over the chosen devices (dm_create steps' devices move up one). */
export function addTarget(s: Setup, o: { type: string; devices: string[]; name?: string }): EditResult {
  const roles = TARGET_ROLES[o.type];
  if (!roles) return { error: `unknown target type "${o.type}" (modelled: ${TARGET_TYPES.join(", ")})` };
  if (o.devices.length < roles.length) return { error: `${o.type} needs ${roles.join(", ")}` };
  const g = stackGraph(s);
  const before = g.nodes.filter((n) => n.from !== "step");
  for (const d of o.devices) if (!before.some((n) => n.id === d)) return { error: `${d} is not a device the stack can use (made by a step, or unknown): choose one of ${before.map((n) => n.id).join(", ")}` };
  if (new Set(o.devices).size !== o.devices.length) return { error: `${o.type}: choose a different device for each of ${roles.join(", ")}` };
  const sizes = (d: string) => g.nodes.find((n) => n.id === d)?.sectors;
  for (const d of o.devices) if (!sizes(d)) return { error: `${d} has no known size: fix its setup first` };
  const stack = Array.isArray(s.stack) ? s.stack : [];
  const taken = new Set(g.nodes.map((n) => n.mapper).filter(Boolean));
  let name = (o.name ?? "").trim();
  if (name && !/^[A-Za-z0-9_.+-]+$/.test(name)) return { error: `mapper name "${name}": use letters, digits and _ . + -` };
  if (name && taken.has(name)) return { error: `mapper name "${name}" is already used` };
  if (!name) for (let k = 0; ; k++) if (!taken.has((name = `${o.type.replace(/-.*/, "")}${k}`))) break;
  const k = stack.length;
  const y = renumber(s, (j) => (j >= k ? j + 1 : j));
  return { setup: { ...y, stack: [...stack, { name, table: defaultTable(o.type, o.devices, sizes) }] }, id: `dm-${k}` };
}

/** Remove a stack device; refused while another device stacks on it or a step names it. Its own sysfs / designs / scheduler entries go with it. */
export function removeDevice(s: Setup, id: string): EditResult {
  const g = stackGraph(s);
  const n = g.nodes.find((x) => x.id === id);
  if (!n) return { error: `no device ${id}` };
  if (n.kind === "ns") return { error: `${id} is a namespace: remove it under Controller` };
  if (n.from === "step") return { error: `${id} (${n.mapper}) is made by ${pathText(["steps", n.index])} (dm_create) during the run: edit the steps in the JSON` };
  const refs = referencesTo(s, id);
  if (refs.length) return { error: `cannot remove ${id}${n.mapper ? ` (${n.mapper})` : ""}: ${refs.join("; ")}` };
  let y: Setup = { ...s };
  for (const k of ["sysfs", "designs", "scheduler"]) {
    const m = y[k];
    if (!isObj(m)) continue;
    const kept = Object.fromEntries(Object.entries(m).filter(([d]) => resolveDevice(g.nodes, d)?.id !== id));
    if (Object.keys(kept).length !== Object.keys(m).length) {
      if (Object.keys(kept).length) y[k] = kept;
      else delete y[k];
    }
  }
  const stack = (y.stack as unknown[]).filter((_, i) => i !== n.index);
  if (stack.length) y.stack = stack;
  else delete y.stack;
  const k = Number(id.slice(3));
  y = renumber(y, (j) => (j > k ? j - 1 : j));
  return { setup: y };
}

/** Replace a stack device's table (its targets' parameters), checked as the graph checks tables. */
export function setTable(s: Setup, id: string, lines: string[]): EditResult {
  const g = stackGraph(s);
  const n = g.nodes.find((x) => x.id === id);
  if (!n || n.kind !== "dm") return { error: `no device-mapper device ${id}` };
  const path: Path = n.from === "stack" ? ["stack", n.index, "table"] : ["steps", n.index, "table"];
  const table = lines.map((l) => l.trim()).filter((l) => l !== "");
  const y = setIn(s, path, table);
  const prefix = pathText(path);
  const problems = stackGraph(y).problems.filter((p) => p.startsWith(prefix));
  if (problems.length) return { error: problems.join("; ") };
  // a device above must still fit: its own checks
  return { setup: y };
}

// ---------------------------------------------------------------------------------------
// validation and summary

/**
 * Every problem of a setup, each naming its JSON path: the scenario parser's (given, so the
 * page can load it lazily), the controller configuration's, the stack's, and the checks the
 * host makes when it builds (hw_queues against the controller's queue pairs).
 */
export function validateSetup(s: Setup, parse?: (s: unknown, where: string) => unknown): string[] {
  const out: string[] = [];
  // one message per place: parseScenario and configFromJson stop at their first problem, and
  // it is often one a field already names
  const where = (m: string) => m.split(": ")[0];
  const add = (m: string) => { if (!out.some((x) => x === m || where(x) === where(m))) out.push(m); };
  for (const p of fieldProblems(s)) add(p.message);
  if (parse) try { parse(s, "setup"); } catch (e) { add((e as Error).message); }
  let cfg;
  try {
    cfg = configFromJson(s.controller ?? {}, "setup.controller");
  } catch (e) {
    add((e as Error).message);
  }
  for (const p of stackGraph(s).problems) add(p);
  if (cfg) {
    const cpus = typeof s.cpus === "number" ? s.cpus : 2;
    const hw = typeof s.hw_queues === "number" ? s.hw_queues : cpus;
    if (hw > cfg.maxIoQueuePairs) add(`${pathText([s.hw_queues === undefined ? "cpus" : "hw_queues"])}: ${hw} hardware queues, but the controller has ${cfg.maxIoQueuePairs} I/O queue pairs (setup.controller.maxIoQueuePairs)`);
    const qd = typeof s.queue_depth === "number" ? s.queue_depth : 256;
    if (qd > cfg.mqes + 1) add(`setup.queue_depth: ${qd} entries, more than CAP.MQES + 1 = ${cfg.mqes + 1} (setup.controller.mqes)`);
  }
  return out;
}

/**
 * Every form field whose value in the setup the field itself refuses (the check it makes
 * when typed into: a size that is not one, a number out of range, an LBA format the size
 * does not fit), with its message. A setup from a link or the JSON can hold several at once.
 */
export function fieldProblems(s: Setup): Array<{ field: Field; message: string }> {
  const out: Array<{ field: Field; message: string }> = [];
  let fields: Field[];
  try {
    fields = allFields(s);
  } catch {
    return out; // a shape the form cannot show at all: parseScenario says why
  }
  for (const f of fields) {
    try {
      f.set(s, f.get(s));
    } catch (e) {
      if (e instanceof FieldError) out.push({ field: f, message: e.message });
    }
  }
  return out;
}

/** The field a message names, by its path (for focusing it). */
export function fieldForMessage(s: Setup, message: string): Field | undefined {
  const at = message.split(":")[0];
  return allFields(s).find((f) => pathText(f.path) === at);
}

/** One line per part: what a run of this setup builds. */
export function describeSetup(s: Setup): string[] {
  const ns = namespaces(s);
  const g = stackGraph(s);
  const steps = Array.isArray(s.steps) ? s.steps.length : 0;
  const dms = g.nodes.filter((n) => n.kind === "dm");
  const oncs = bitField({ id: "x", label: "ONCS", path: ["controller", "oncs"], bit: ONCS_COPY_BIT, dflt: DEF.oncs }).get(s);
  const preset = presetOf(s);
  return [
    `${ns.length} namespace${ns.length === 1 ? "" : "s"}: ${ns.map((n) => {
      const raw = namespaceList(s)[n.index] ?? {};
      const v = (k: string, d: number) => (raw[k] === undefined ? d : raw[k]);
      return `${n.dev} ${formatBytes(n.blocks * n.lbaBytes)} ${n.lbaBytes}${n.ms ? `+${n.ms}` : ""}-byte LBAs${raw.pi ? `, PI type ${raw.pi}` : ""}, MSSRL ${v("mssrl", 128)} MCL ${v("mcl", 128)} MSRC ${v("msrc", 127)}`;
    }).join("; ")}; Copy ${oncs ? "supported (ONCS bit 8)" : "not supported"}`,
    `${typeof s.cpus === "number" ? s.cpus : 2} CPU(s), ${s.hw_queues ?? "one per CPU"} hardware queue(s), queue size ${s.queue_depth ?? 256}; copy design ${typeof s.design === "string" ? s.design : "ctx"}`,
    dms.length ? `device-mapper: ${dms.map((d) => `${d.id} (${d.mapper ?? "?"}: ${d.types.join("+")}${d.from === "step" ? ", made by a step" : ""})`).join(", ")}` : "no device-mapper devices",
    `device model ${preset === "none" ? "simple (timing)" : preset}${s.fabric !== undefined ? ", behind NVMe/TCP" : ""}; ${steps} step${steps === 1 ? "" : "s"}`,
  ];
}
