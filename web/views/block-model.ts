// The Block layer view's model (no DOM): turns a run's blktrace events, NVMe command records,
// queue limits and copy outcomes into per-bio life stories (Q, remaps, splits, plug, merges,
// request, NVMe command, completion), the plug list of each task at each flush, and the copy
// operations with what became of them. Every reason shown comes from the run: a trace message,
// a queue limit of disks[].limits that matches the numbers, or a rule of the design the run
// used (docs/BLOCK.md), never made up.

import type { BlkEvent, NvmeCommandRecord } from "../../src/block/trace";
import { decodeStatus } from "../decode";
import { fmtMicros } from "../app/time";
import { deviceNamer } from "../../src/block/devnames";

/** What the model reads from a run (src/block/scenario.ts ScenarioResult, plus the setup). */
export interface BlockRunInput {
  design: string;
  ops: Array<{ step: number; op: string; task: string; dev?: string; status?: string; error?: string; copy?: CopyOutcomeLike }>;
  events: BlkEvent[];
  commands: NvmeCommandRecord[];
  disks: Array<{ name: string; major?: number; minor?: number; limits: Record<string, number | string> }>;
  dm: Array<{ name: string; dev: string; table: string[]; status: string[] }>;
  setup?: unknown;
  /** Namespaces (LabRun): the LBA size turns request sectors into blocks. */
  namespaces?: Array<{ nsid: number; lbaBytes: number }>;
}

interface CopyOutcomeLike {
  id: number;
  design: string;
  requested_bytes: number;
  offloaded_bytes: number;
  emulated_bytes: number;
  status: number;
  steps: Array<{ kind: string; bytes: number; reason: string }>;
}

/** The layers the view draws as swimlanes, top to bottom. */
export type Lane = "task" | "dm" | "split" | "plug" | "rq" | "nvme";
export const LANES: ReadonlyArray<{ id: Lane; title: string }> = [
  { id: "task", title: "Task (submit_bio)" },
  { id: "dm", title: "dm remap" },
  { id: "split", title: "Split" },
  { id: "plug", title: "Plug / merge" },
  { id: "rq", title: "Request queue" },
  { id: "nvme", title: "NVMe SQ" },
];

/** One step of a story: an event (or command) and what it decided, with why when the run says. */
export interface Step {
  /** Order key: the event's seq; NVMe commands sort just after their request's D. */
  order: number;
  time_ns: number;
  lane: Lane;
  /** blktrace action letter, or "cmd" / "cqe" for the NVMe command and its completion. */
  action: string;
  text: string;
  reason?: string;
  bad?: boolean;
  bio?: number;
  rq?: number;
}

export interface BioInfo {
  id: number;
  dev: string;
  rwbs: string;
  sector: number;
  sectors: number;
  pid: number;
  comm: string;
  cpu: number;
  time_ns: number;
  /** seq of its first event (Q, or A/X for clones and split fronts). */
  seq: number;
  parent?: number;
  via?: "remap" | "split";
  children: number[];
  root: number;
  /** The request it started (G) or was merged into (M/F). */
  rq?: number;
  merged?: { kind: "M" | "F"; rq: number; seq: number; why: string; short: string };
  /** The copy (copy() call, by its #id) it belongs to; emulation: read+write for that copy. */
  copy?: number;
  emulationOf?: number;
  /** 2026 design: the copy context that parked it, and whether it is its SRC or DST. */
  ctx?: { id: number; side: "SRC" | "DST" };
  done?: { time_ns: number; error?: string; seq: number };
  failed?: string;
  /** A split front: where the rest starts and the limit that split it. */
  split?: { at: number; why: string };
  steps: Step[];
}

export interface RqInfo {
  id: number;
  dev: string;
  pid: number;
  comm: string;
  rwbs: string;
  sector: number;
  sectors: number;
  bios: number[];
  seq: number;
  time_ns: number;
  /** The plug flush that dispatched it (index into flushes), when it was plugged. */
  flush?: number;
  /** Plugged by the task (P or joined its list). */
  plugged: boolean;
  inserted?: number;
  issued?: { seq: number; time_ns: number; comm: string };
  requeued: number;
  done?: { seq: number; time_ns: number; error?: string };
  /** Indices into commands[]. */
  commands: number[];
  /** The driver packed this request with others into Copy commands (the message says so). */
  packed?: { rqs: number[]; commands: number; msrc: number; mssrl: number; mcl: number; seq: number };
  notSent?: string;
  steps: Step[];
}

export interface PlugEntry { rq: number; bios: number[]; rwbs: string; sector: number; sectors: number; dev: string }

export interface FlushInfo {
  index: number;
  seq: number;
  time_ns: number;
  pid: number;
  comm: string;
  cpu: number;
  kind: "U" | "UT";
  dev: string;
  depth: number;
  /** The plug list handed to this queue, oldest first. */
  list: PlugEntry[];
  why: string;
  /**
   * The plug held one request, flushed right after its P with nothing else from the task in
   * between: the plug __submit_bio opens around every bio a task submits without one of its own
   * (Linux 6.10 to 7.1), or a task's plug that ended after one request (the trace cannot tell
   * them apart).
   */
  solo: boolean;
}

export interface CopyInfo {
  id: number;
  design: string;
  bytes: number;
  src: string;
  dst: string;
  srcSegs: number;
  dstSegs: number;
  pid: number;
  comm: string;
  seq: number;
  time_ns: number;
  /** The scenario step (ops[].step) that called copy(), when the run says. */
  step?: number;
  offloaded?: number;
  emulated?: number;
  status?: number;
  fallback?: { bytes: number; why: string };
  notCopied?: { bytes: number; why: string };
  emulation?: { bytes: number; buffers: number; size: number; comm: string };
  /** Top-level bios of the offload attempt, and of the read+write emulation. */
  bios: number[];
  emuBios: number[];
  ctxs: number[];
}

export interface CommandInfo {
  index: number;
  record: NvmeCommandRecord;
  /** Requests it serves: its own rq, plus the others a packing message names. */
  rqs: number[];
  statusName: string;
  ok: boolean;
  /** Decoded fields as nvme-cli / the spec name them. */
  fields: Array<[string, string]>;
  notes: string[];
}

export interface DeviceNote { seq: number; dev: string; text: string }

/** Rows of the flow: top-level bios, grouped by the plug flush that dispatched their first request. */
export interface FlowGroup {
  key: string;
  kind: "flush" | "direct" | "none";
  flush?: number;
  roots: number[];
  pid: number;
  comm: string;
}

export interface BlockModel {
  design: string;
  bios: Map<number, BioInfo>;
  rqs: Map<number, RqInfo>;
  flushes: FlushInfo[];
  copies: CopyInfo[];
  commands: CommandInfo[];
  /** Top-level bios (submitted by a task, not clones or split fronts), in order. */
  roots: number[];
  groups: FlowGroup[];
  tasks: Array<{ pid: number; comm: string; roots: number }>;
  deviceNotes: DeviceNote[];
  devName(major: number, minor: number): string;
  limits(dev: string): Record<string, number> | undefined;
  designOf(dev: string): string;
}

// ---- device names ----

/** major:minor -> name (src/block/devnames.ts). */
export { deviceNamer };

// ---- reasons from limits ----

const SECTOR = 512;
/** BLK_PLUG_FLUSH_SIZE and BLK_MAX_REQUEST_COUNT (block/blk-mq.c, src/block/plug.ts). */
export const PLUG_FLUSH_BYTES = 128 * 1024;
export const PLUG_MAX_REQUESTS = 32;

/** What each copy design sets its copy limits from (docs/BLOCK.md, "Copy limits per design"). */
export const DESIGN_COPY_LIMITS: Record<string, string> = {
  pair: "the v20 nvme patch sets copy_max_hw_bytes = MSSRL, one source range",
  ctx: "the 2026 nvme patch sets copy_max_hw_bytes = MSSRL, 256 source segments, 1 destination",
  vector: "the 2025 nvme patch sets copy_max_hw_bytes = MCL and MSRC + 1 source segments",
};

/**
 * Why a bio was split where it was (bio_split_to_limits): the limit whose value the front's
 * size equals. When no limit matches exactly the answer says which limits could have done it.
 */
export function splitReason(rwbs: string, frontSectors: number, restStart: number, l: Record<string, number> | undefined, design: string): string {
  if (!l) return "the device's queue limits are not in the run";
  if (rwbs.startsWith("C")) {
    const maxCopy = Math.floor((l.copy_max_bytes ?? 0) / SECTOR);
    const rule = design === "vector" ? ` (vector design: a REQ_OP_COPY bio splits by the copy limits; ${DESIGN_COPY_LIMITS.vector})` : "";
    if (frontSectors === maxCopy) return `max_copy_sectors: copy_max_bytes ${l.copy_max_bytes} = ${maxCopy} sectors${rule}`;
    return `copy_max_src_segments ${l.copy_max_src_segments}: the front carries as many source ranges as one request may${rule}`;
  }
  if (rwbs.includes("D") && !rwbs.startsWith("R") && !rwbs.startsWith("W")) {
    const max = Math.floor((l.discard_max_bytes ?? 0) / SECTOR);
    return frontSectors === max ? `max_discard_sectors: discard_max_bytes ${l.discard_max_bytes} = ${max} sectors` : `max_discard_sectors ${max}, ending on discard_granularity ${l.discard_granularity} bytes`;
  }
  if (rwbs.startsWith("WZ")) return `write_zeroes_max_bytes ${l.write_zeroes_max_bytes} = ${Math.floor((l.write_zeroes_max_bytes ?? 0) / SECTOR)} sectors`;
  const maxSectors = (l.max_sectors_kb ?? 0) * 2;
  const chunk = l.chunk_sectors ?? 0;
  if (chunk > 0 && restStart % chunk === 0 && frontSectors < maxSectors) return `chunk_sectors ${chunk}: the bio crossed a chunk boundary at sector ${restStart}`;
  if (frontSectors === maxSectors) return `max_sectors_kb ${l.max_sectors_kb} = ${maxSectors} sectors`;
  return `segment limits: max_segments ${l.max_segments}, max_segment_size ${l.max_segment_size} or the virt boundary (virt_boundary_mask 0x${(l.virt_boundary_mask ?? 0).toString(16)}); the front is ${frontSectors} sectors, under max_sectors_kb ${l.max_sectors_kb}`;
}

/** A merge refusal named in a "no merge of bio A into request B: <why>" message, with the limit's value. */
export function refusalReason(why: string, l: Record<string, number> | undefined): string {
  const v = (k: string) => (l && l[k] !== undefined ? ` ${l[k]}` : "");
  switch (why) {
    case "max_sectors": return `the merged request would pass max_sectors_kb${v("max_sectors_kb")}`;
    case "max_segments": return `the merged request would need more than max_segments${v("max_segments")} segments`;
    case "virt_boundary": return `a gap inside a virt-boundary window (virt_boundary_mask 0x${(l?.virt_boundary_mask ?? 0).toString(16)})`;
    case "max_discard_segments": return `max_discard_segments${v("max_discard_segments")} ranges reached`;
    case "copy_length": return `the copy would pass max_copy_sectors (copy_max_bytes${v("copy_max_bytes")})`;
    case "copy_segments": return `the copy would carry more than copy_max_src_segments${v("copy_max_src_segments")} source ranges`;
    default: return why;
  }
}

// ---- formatting helpers (shared with the view) ----

export function fmtBytes(n: number): string {
  if (n >= 1 << 20 && n % (1 << 20) === 0) return `${n / (1 << 20)} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} B`;
}

const hex = (v: number) => `0x${v.toString(16)}`;

/** Controller limits of namespace nsid as the setup gives them (absent ones are undefined). */
function setupNsLimits(setup: unknown, nsid: number): { mssrl?: number; mcl?: number; msrc?: number } {
  const ns = (setup as { controller?: { namespaces?: Array<Record<string, unknown>> } } | undefined)?.controller?.namespaces?.[nsid - 1];
  const num = (x: unknown) => (typeof x === "number" ? x : undefined);
  return { mssrl: num(ns?.mssrl), mcl: num(ns?.mcl), msrc: num(ns?.msrc) };
}

/**
 * nomerges of a device at a trace position. The setup's `sysfs` sets it before the run; a
 * `sysfs` step changes it between steps, and the trace marks where steps begin only through
 * their copies' "copy: #N" messages: a change counts from the first copy of a later step (and
 * is unknown before it). Falls back to the value at the end of the run.
 */
function nomergesTimeline(run: BlockRunInput): (dev: string, seq: number) => { value?: number; by?: string } {
  const setup = run.setup as { sysfs?: Record<string, Record<string, number>>; steps?: Array<Record<string, unknown>> } | undefined;
  const changes: Array<{ dev: string; value: number; from: number; by: string }> = [];
  const initial = new Map<string, number>();
  for (const [dev, attrs] of Object.entries(setup?.sysfs ?? {})) if (typeof attrs?.nomerges === "number") initial.set(dev, attrs.nomerges);
  const copyStart = new Map<number, number>();
  for (const e of run.events) {
    const m = e.action === "m" ? /^copy: #(\d+) /.exec(e.text ?? "") : null;
    if (m && !copyStart.has(Number(m[1]))) copyStart.set(Number(m[1]), e.seq);
  }
  (setup?.steps ?? []).forEach((st, k) => {
    if (st.op !== "sysfs" || st.attr !== "nomerges" || typeof st.dev !== "string" || typeof st.value !== "number") return;
    const later = run.ops.filter((o) => o.step > k && o.copy && copyStart.has(o.copy.id)).map((o) => copyStart.get(o.copy!.id)!);
    changes.push({ dev: st.dev, value: st.value, from: later.length ? Math.min(...later) : Infinity, by: `set by steps[${k}]` });
  });
  return (dev, seq) => {
    let value = initial.get(dev);
    let by = value !== undefined ? "set by the setup's sysfs" : undefined;
    for (const c of changes) if (c.dev === dev && c.from <= seq) { value = c.value; by = c.by; }
    if (value === undefined && !changes.some((c) => c.dev === dev)) {
      const n = run.disks.find((d) => d.name === dev)?.limits.nomerges;
      value = typeof n === "number" ? n : undefined;
    }
    return { value, by };
  };
}

// ---- the model ----

interface PlugState {
  list: number[];
  /** A request allocated (G) while the list was not empty: it joins after a possible flush. */
  pending?: number;
  /** A flush of this task is in progress (between U/UT and the P or next submission). */
  flushing: boolean;
  /** The last request allocated while the list was empty (a P right after plugs it). */
  lastG?: number;
  /** The request a P put into an empty list, until the task does anything else (then undefined). */
  alone?: number;
}

/** A disk's numeric queue attributes (write_cache is text: "write back" or "write through"). */
function numericLimits(l: Record<string, number | string>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k in l) { const v = l[k]; if (typeof v === "number") out[k] = v; }
  return out;
}

export function buildBlockModel(run: BlockRunInput): BlockModel {
  const devName = deviceNamer(run.disks);
  const limitsBy = new Map(run.disks.map((d) => [d.name, numericLimits(d.limits)]));
  const designs = new Map<string, string>();
  const setupDesigns = (run.setup as { designs?: Record<string, string> } | undefined)?.designs;
  if (setupDesigns && typeof setupDesigns === "object") for (const [k, v] of Object.entries(setupDesigns)) designs.set(k, v);
  const designOf = (dev: string) => designs.get(dev) ?? run.design;

  const nomergesAt = nomergesTimeline(run);
  const bios = new Map<number, BioInfo>();
  const rqs = new Map<number, RqInfo>();
  const flushes: FlushInfo[] = [];
  const copies = new Map<number, CopyInfo>();
  const deviceNotes: DeviceNote[] = [];
  const plugs = new Map<number, PlugState>();
  /** The copy a task is running (its last "copy: #N" message), for the bios it submits next. */
  const activeCopy = new Map<number, number>();
  /** Emulations by kworker pid: the copy and the bytes still to read and to write. */
  const emulating = new Map<number, { copy: number; read: number; write: number }>();
  const fallbackQueue: number[] = [];
  const ctxBios = new Map<number, { dst: number[]; src: number[]; submitted?: number }>();
  /** "K request(s) [...] -> M Copy command(s)" messages: which requests share which commands. */
  const packings: Array<{ ids: number[]; commands: number; time_ns: number }> = [];

  const plugOf = (pid: number) => {
    let p = plugs.get(pid);
    if (!p) plugs.set(pid, (p = { list: [], flushing: false }));
    return p;
  };

  /** Bios not yet completed, per device: where remap and split parents are looked for. */
  const open = new Map<string, Set<BioInfo>>();
  const newBio = (e: BlkEvent, id: number): BioInfo => {
    const b: BioInfo = {
      id, dev: devName(e.major, e.minor), rwbs: e.rwbs, sector: e.sector, sectors: e.sectors, pid: e.pid, comm: e.comm, cpu: e.cpu,
      time_ns: e.time_ns, seq: e.seq, children: [], root: id, steps: [],
    };
    bios.set(id, b);
    let set = open.get(b.dev);
    if (!set) open.set(b.dev, (set = new Set()));
    set.add(b);
    return b;
  };
  const finish = (b: BioInfo, e: BlkEvent) => {
    if (!b.done) b.done = { seq: e.seq, time_ns: e.time_ns, error: e.error };
    open.get(b.dev)?.delete(b);
  };
  const step = (b: BioInfo | RqInfo, e: BlkEvent, lane: Lane, text: string, reason?: string, bad?: boolean) => {
    b.steps.push({ order: e.seq, time_ns: e.time_ns, lane, action: e.action, text, reason, bad, bio: e.bio, rq: e.rq });
  };
  /** The current extent of bios that were split (the original advances past each front). */
  const extent = new Map<number, { sector: number; sectors: number }>();
  const live = (id: number) => extent.get(id) ?? bios.get(id)!;

  /** The bio a dm clone (A) came from: the newest unfinished bio on the parent device covering the sector. */
  const remapParent = (dev: string, sector: number): BioInfo | undefined => {
    let best: BioInfo | undefined;
    for (const b of open.get(dev) ?? []) {
      if (sector >= b.sector && sector < b.sector + b.sectors && (!best || b.seq > best.seq)) best = b;
    }
    return best;
  };
  /** The bio an X split: the newest unsplit-through bio on the device that starts where the front starts. */
  const splitParent = (e: BlkEvent, dev: string): BioInfo | undefined => {
    let best: BioInfo | undefined;
    for (const b of open.get(dev) ?? []) {
      if (b.rq !== undefined || b.id === e.bio) continue;
      const x = live(b.id);
      if (x.sector === e.sector && x.sectors > e.sectors && (!best || (b.pid === e.pid && best.pid !== e.pid) || b.seq > best.seq)) best = b;
    }
    return best;
  };

  const attachCopy = (b: BioInfo) => {
    if (b.parent !== undefined) return;
    const em = emulating.get(b.pid);
    if (em && (b.rwbs.startsWith("R") || b.rwbs.startsWith("W"))) {
      const bytes = b.sectors * SECTOR;
      const isRead = b.rwbs.startsWith("R");
      if ((isRead ? em.read : em.write) > 0) {
        if (isRead) em.read -= bytes; else em.write -= bytes;
        b.emulationOf = em.copy;
        copies.get(em.copy)?.emuBios.push(b.id);
        if (em.read <= 0 && em.write <= 0) emulating.delete(b.pid);
        return;
      }
    }
    const c = activeCopy.get(b.pid);
    if (c !== undefined && b.rwbs.startsWith("C")) {
      b.copy = c;
      copies.get(c)?.bios.push(b.id);
    }
  };

  const plugEntry = (rqId: number): PlugEntry => {
    const r = rqs.get(rqId)!;
    return { rq: r.id, bios: [...r.bios], rwbs: r.rwbs, sector: r.sector, sectors: r.sectors, dev: r.dev };
  };

  const events = run.events;
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    const dev = devName(e.major, e.minor);
    const p = e.pid !== 0 ? plugs.get(e.pid) : undefined;
    // any block event of the task between a P and its U: the plug was not a one-request plug
    if (p && p.alone !== undefined && e.action !== "U" && e.action !== "UT" && e.action !== "m") p.alone = undefined;
    // a request allocated while the list held others joins it, unless a flush comes first
    if (p && p.pending !== undefined && !p.flushing && e.action !== "U" && e.action !== "UT" && e.action !== "P") {
      p.list.push(p.pending);
      rqs.get(p.pending)!.plugged = true;
      p.pending = undefined;
    }
    switch (e.action) {
      case "Q": {
        const b = bios.get(e.bio!) ?? newBio(e, e.bio!);
        const first = b.steps.length === 0;
        b.seq = Math.min(b.seq, e.seq);
        step(b, e, "task", `Q ${e.rwbs} ${e.sector}+${e.sectors} on ${dev} by ${e.comm} (pid ${e.pid}, CPU ${e.cpu})`, first ? "submit_bio: the task queues a new bio" : undefined);
        if (first) attachCopy(b);
        break;
      }
      case "A": {
        const b = bios.get(e.bio!) ?? newBio(e, e.bio!);
        const fromDev = devName(e.fromMajor ?? 0, e.fromMinor ?? 0);
        const parent = remapParent(fromDev, e.fromSector ?? 0);
        if (parent) {
          b.parent = parent.id;
          b.via = "remap";
          b.root = parent.root;
          parent.children.push(b.id);
        }
        const table = run.dm.find((d) => d.dev === fromDev);
        step(b, e, "dm", `A remapped ${fromDev} ${e.fromSector} -> ${dev} ${e.sector}+${e.sectors}${parent ? ` (clone of bio ${parent.id})` : ""}`,
          table ? `${fromDev} (${table.name}) table: ${table.table.join("; ")}` : undefined);
        break;
      }
      case "X": {
        const front = bios.get(e.bio!) ?? newBio(e, e.bio!);
        const parent = splitParent(e, dev);
        const l = limitsBy.get(dev);
        const why = splitReason(e.rwbs, e.sectors, e.splitAt ?? e.sector + e.sectors, l, designOf(dev));
        if (parent) {
          front.parent = parent.id;
          front.via = "split";
          front.root = parent.root;
          front.copy = parent.copy;
          parent.children.push(front.id);
          const x = live(parent.id);
          extent.set(parent.id, { sector: x.sector + e.sectors, sectors: x.sectors - e.sectors });
          step(front, e, "split", `X split at sector ${e.splitAt}: front ${e.sector}+${e.sectors} goes on as bio ${front.id} (marked REQ_NOMERGE); the rest of bio ${parent.id} (${x.sectors - e.sectors} sectors) is resubmitted`, why);
        } else step(front, e, "split", `X split front ${e.sector}+${e.sectors} (marked REQ_NOMERGE), the rest from sector ${e.splitAt} resubmitted`, why);
        front.split = { at: e.splitAt ?? e.sector + e.sectors, why };
        break;
      }
      case "G": {
        const b = bios.get(e.bio!) ?? newBio(e, e.bio!);
        const r: RqInfo = {
          id: e.rq!, dev, pid: e.pid, comm: e.comm, rwbs: e.rwbs, sector: e.sector, sectors: e.sectors, bios: [b.id], seq: e.seq, time_ns: e.time_ns,
          plugged: false, requeued: 0, commands: [], steps: [],
        };
        rqs.set(r.id, r);
        b.rq = r.id;
        step(b, e, "rq", `G new request rq ${r.id} (${e.rwbs} ${e.sector}+${e.sectors})`, whyNewRequest(b, e, dev, i));
        step(r, e, "rq", `G allocated for bio ${b.id} by ${e.comm}`);
        if (e.pid !== 0) {
          const pl = plugOf(e.pid);
          if (pl.list.length > 0) pl.pending = r.id;
          else pl.lastG = r.id;
        }
        break;
      }
      case "P": {
        const pl = plugOf(e.pid);
        const rq = pl.pending ?? pl.lastG;
        // a P right after blk_add_rq_to_plug flushed the plug: the same plug goes on (never __submit_bio's, which holds one request)
        const continuing = pl.flushing;
        pl.pending = undefined;
        pl.lastG = undefined;
        pl.flushing = false;
        if (rq !== undefined) {
          if (pl.list.length === 0 && !continuing) pl.alone = rq;
          pl.list = [...pl.list, rq];
          const r = rqs.get(rq)!;
          r.plugged = true;
          step(r, e, "plug", `P rq ${rq} starts ${e.comm}'s plug list`, "blk_add_rq_to_plug: the task holds a plug (its own, or the one __submit_bio opens around each bio since Linux 6.10), so the request waits there for more bios to merge");
          for (const id of r.bios) step(bios.get(id)!, e, "plug", `P its request rq ${rq} starts ${e.comm}'s plug list`, "the task holds a plug (blk_start_plug: its own, or __submit_bio's)");
        }
        break;
      }
      case "M":
      case "F": {
        const b = bios.get(e.bio!) ?? newBio(e, e.bio!);
        const r = rqs.get(e.rq!);
        b.rq = e.rq;
        let reason: string;
        let short = e.action === "M" ? "back merge" : "front merge";
        if (r) {
          const where = r.plugged && r.flush === undefined && r.issued === undefined ? "plug merge (blk_attempt_plug_merge: the request added last to the plug, or with several queues the oldest of this queue)" : "elevator merge (the scheduler's queued request)";
          const design = b.copy !== undefined ? copies.get(b.copy)?.design ?? designOf(dev) : designOf(dev);
          const pairNext = events[i + 1];
          const l = limitsBy.get(dev);
          const newSectors = r.sectors + e.sectors;
          if (pairNext?.action === "m" && /^copy: paired COPY_SRC bio/.test(pairNext.text ?? "")) {
            reason = `${where}; pair design (v20): the COPY_SRC bio joins its COPY_DST request (bio_attempt_copy_offload_merge: same length, DST first)`;
            short = "pair design: COPY_SRC joins its COPY_DST";
          } else if (e.rwbs.startsWith("C")) {
            const max = Math.floor((l?.copy_max_bytes ?? 0) / SECTOR);
            reason = `${where}; ${e.action === "M" ? `adjacent destination: bio starts at ${e.sector}, where rq ${r.id} ends` : `adjacent destination: bio ends at ${e.sector + e.sectors}, where rq ${r.id} starts`}; ${design} design merges copies to adjacent destinations like discards; request now ${newSectors} of max_copy_sectors ${max}`;
            short = `${short}: adjacent destination, ${design} design`;
          } else {
            const max = (l?.max_sectors_kb ?? 0) * 2;
            reason = `${where}; ${e.action === "M" ? `back merge: sector ${e.sector} continues rq ${r.id}` : `front merge: the bio ends at ${e.sector + e.sectors}, where rq ${r.id} starts`}; request now ${newSectors} of max_sectors ${max} sectors`;
            short = `${short}: adjacent sectors`;
          }
          // attempt_front_merge puts the bio at the head of the request (rq->bio)
          if (e.action === "F") { r.bios.unshift(b.id); r.sector = e.sector; } else r.bios.push(b.id);
          r.sectors = newSectors;
          step(r, e, "plug", `${e.action} bio ${b.id} ${e.rwbs} ${e.sector}+${e.sectors} merged (now ${r.sectors} sectors)`, reason);
        } else reason = "merged into a request not seen in the trace";
        b.merged = { kind: e.action, rq: e.rq!, seq: e.seq, why: reason, short };
        step(b, e, "plug", `${e.action} ${e.action === "M" ? "back" : "front"} merge into rq ${e.rq}`, reason);
        break;
      }
      case "U":
      case "UT": {
        const pl = plugOf(e.pid);
        // U's depth says whether the request allocated last had joined the list (an explicit
        // unplug after it) or is waiting for this flush to end (blk_add_rq_to_plug flushing first)
        if (pl.pending !== undefined && !pl.flushing && rqs.get(pl.pending)?.dev === dev &&
            pl.list.filter((id) => rqs.get(id)?.dev === dev).length + 1 === e.depth) {
          pl.list.push(pl.pending);
          rqs.get(pl.pending)!.plugged = true;
          pl.pending = undefined;
        }
        const before = pl.list.length;
        // blk_add_rq_to_plug's "last" is rq_list_peek: the head, the plug's oldest request (6.13+)
        const head = pl.list.length ? rqs.get(pl.list[0]) : undefined;
        const flushed = pl.list.filter((id) => rqs.get(id)?.dev === dev);
        pl.list = pl.list.filter((id) => rqs.get(id)?.dev !== dev);
        const solo = e.action === "U" && e.depth === 1 && flushed.length === 1 && pl.alone === flushed[0] && pl.pending === undefined && !pl.flushing;
        pl.alone = undefined;
        let why: string;
        if (e.action === "UT") why = "the task went to sleep (schedule -> blk_flush_plug): requests are inserted and kblockd runs the queue";
        else if (pl.pending !== undefined || pl.flushing) {
          if (before >= PLUG_MAX_REQUESTS) why = `blk_add_rq_to_plug: ${before} requests plugged reached BLK_MAX_REQUEST_COUNT (${PLUG_MAX_REQUESTS}, doubled across queues)`;
          else if (head && head.sectors * SECTOR >= PLUG_FLUSH_BYTES) why = `blk_add_rq_to_plug: the plug's first request (rq ${head.id}, ${fmtBytes(head.sectors * SECTOR)}; rq_list_peek, the head) is at least BLK_PLUG_FLUSH_SIZE (128 KiB), so the next request (rq ${pl.pending ?? "?"}) flushes the plug first`;
          else why = "blk_add_rq_to_plug flushed the plug before adding the next request";
          pl.flushing = true;
        } else if (solo) why = "blk_finish_plug right after its only request: the plug __submit_bio opens around each bio a task submits without a plug of its own (Linux 6.10 to 7.1), or a task's plug that held just this one";
        else why = "blk_finish_plug: the task's outermost plug ended";
        const f: FlushInfo = {
          index: flushes.length, seq: e.seq, time_ns: e.time_ns, pid: e.pid, comm: e.comm, cpu: e.cpu, kind: e.action, dev, depth: e.depth ?? flushed.length,
          list: flushed.map(plugEntry), why, solo,
        };
        flushes.push(f);
        for (const id of flushed) {
          const r = rqs.get(id)!;
          r.flush = f.index;
          step(r, e, "plug", `${e.action} plug flush #${f.index + 1} (depth ${f.depth}) hands rq ${id} to ${dev}`, why);
          for (const bid of r.bios) step(bios.get(bid)!, e, "plug", `${e.action} plug flush #${f.index + 1} (depth ${f.depth}) hands rq ${id} to ${dev}`, why);
        }
        break;
      }
      case "I": {
        const r = rqs.get(e.rq!);
        if (r) { r.inserted = e.seq; step(r, e, "rq", `I inserted into ${dev}'s queue by ${e.comm}`, r.flush !== undefined && flushes[r.flush].kind === "UT" ? "a UT flush inserts the requests; kblockd issues them" : "the queue has an I/O scheduler"); }
        break;
      }
      case "D": {
        const r = rqs.get(e.rq!);
        if (r) {
          if (!r.issued) r.issued = { seq: e.seq, time_ns: e.time_ns, comm: e.comm };
          step(r, e, "rq", `D issued to the driver (${e.rwbs} ${e.sector}+${e.sectors}) by ${e.comm}`, r.flush !== undefined ? (flushes[r.flush].kind === "UT" ? "kblockd runs the queue after the UT flush" : (flushes[r.flush].depth > 1 ? "the flushed plug list goes to the driver in one call (queue_rqs)" : "the flushed request goes to the driver (queue_rq)")) : r.inserted !== undefined ? "dispatched from the scheduler" : "no plug: issued directly (blk_mq_try_issue_directly)");
        }
        break;
      }
      case "R": {
        const r = rqs.get(e.rq!);
        if (r) { r.requeued++; step(r, e, "rq", "R requeued: the driver was busy (BLK_STS_RESOURCE)", undefined, true); }
        break;
      }
      case "S": {
        const b = bios.get(e.bio!);
        if (b) step(b, e, "rq", `S no free tag on ${dev}: ${e.comm} sleeps`, "the hardware queue's tags are all in use (blk_mq_get_tag)", true);
        break;
      }
      case "C": {
        if (e.rq !== undefined) {
          const r = rqs.get(e.rq);
          if (r) {
            r.done = { seq: e.seq, time_ns: e.time_ns, error: e.error };
            step(r, e, "rq", `C completed${e.error ? `: ${e.error}` : ""}`, undefined, !!e.error);
            for (const id of r.bios) {
              finish(bios.get(id)!, e);
            }
          }
        } else if (e.bio !== undefined) {
          const b = bios.get(e.bio);
          if (b) {
            finish(b, e);
            step(b, e, "task", `C bio completed on ${dev}${e.error ? `: ${e.error}` : ""}`, undefined, !!e.error);
          }
        }
        break;
      }
      case "m":
        message(e, dev);
        break;
    }
  }

  /** Why a bio got a request of its own instead of merging (blk_mq_submit_bio's order of tries). */
  function whyNewRequest(b: BioInfo, e: BlkEvent, dev: string, at: number): string {
    if (b.via === "split") return "a split front is marked REQ_NOMERGE: it never merges";
    const nm = nomergesAt(dev, e.seq);
    if (nm.value === 2) return `nomerges = 2 on ${dev}${nm.by ? ` (${nm.by})` : ""}: the queue tries no merges`;
    const design = b.copy !== undefined ? copies.get(b.copy)?.design ?? designOf(dev) : designOf(dev);
    if (design === "ctx" && (e.rwbs === "CW" || e.rwbs === "CR")) return "ctx design: copy bios never merge in the block layer; the driver combines adjacent copies into Copy commands at plug flush";
    const pl = e.pid !== 0 ? plugs.get(e.pid) : undefined;
    const newest = pl ? [...pl.list].reverse().map((id) => rqs.get(id)!).find((r) => r.dev === dev) : undefined;
    if (!pl || (pl.list.length === 0 && pl.pending === undefined)) {
      return pl && plugOpenAfter(at) ? "the first request in the task's plug list: nothing plugged to merge with" : "no plugged or queued request to merge with";
    }
    if (!newest) return "the task's plug holds no request of this queue";
    const op = (x: string) => x.replace(/[FSM]+$/, "").replace(/^F/, "");
    if (op(newest.rwbs) !== op(e.rwbs)) {
      if (design === "pair" && op(e.rwbs) === "CR" && op(newest.rwbs) === "CW") return `pair design: the newest plugged request rq ${newest.id} did not take this COPY_SRC (it already holds its pair, or the lengths differ)`;
      return `the newest plugged request of the queue (rq ${newest.id}, ${newest.rwbs}) is another operation`;
    }
    if (newest.sector + newest.sectors !== e.sector && e.sector + e.sectors !== newest.sector) return `not adjacent to the newest plugged request rq ${newest.id} (${newest.sector}+${newest.sectors}): blk_attempt_plug_merge tries only that one`;
    const refused = events.slice(Math.max(0, at - 4), at).find((x) => x.action === "m" && x.text?.startsWith(`no merge of bio ${b.id} into request ${newest.id}`));
    if (refused) return `rq ${newest.id} refused it: ${refusalReason(refused.text!.replace(/^.*: /, ""), limitsBy.get(dev))}`;
    if (newest.bios.some((id) => bios.get(id)?.via === "split")) return `the newest plugged request rq ${newest.id} holds a split front, marked REQ_NOMERGE: it takes no more bios`;
    if (/F/.test(newest.rwbs.slice(1)) || /F/.test(e.rwbs.slice(1)) || newest.rwbs.startsWith("F") || e.rwbs.startsWith("F")) return "FUA or PREFLUSH requests and bios never merge (REQ_NOMERGE_FLAGS)";
    return `adjacent to the newest plugged request rq ${newest.id}, yet not merged: the trace names no reason (a nomerge mark from an earlier refusal)`;
  }

  /** True when the P for this G's request follows (the task holds a plug with an empty list). */
  function plugOpenAfter(at: number): boolean {
    const g = events[at];
    for (let j = at + 1; j < events.length && j < at + 8; j++) {
      const x = events[j];
      if (x.pid !== g.pid) continue;
      if (x.action === "P") return true;
      if (x.action === "D" || x.action === "I" || x.action === "G" || x.action === "Q") return false;
    }
    return false;
  }

  function message(e: BlkEvent, dev: string): void {
    const t = e.text ?? "";
    let m: RegExpExecArray | null;
    if ((m = /^copy: #(\d+) (\w+): (\d+) bytes from (\S+) \((\d+) segment\(s\)\) to (\S+) \((\d+)\)/.exec(t))) {
      const id = Number(m[1]);
      copies.set(id, {
        id, design: m[2], bytes: Number(m[3]), src: m[4], srcSegs: Number(m[5]), dst: m[6], dstSegs: Number(m[7]),
        pid: e.pid, comm: e.comm, seq: e.seq, time_ns: e.time_ns, bios: [], emuBios: [], ctxs: [],
      });
      activeCopy.set(e.pid, id);
      return;
    }
    if ((m = /^copy: #(\d+) falling back to read\+write for (\d+) bytes: (.*)$/.exec(t))) {
      const c = copies.get(Number(m[1]));
      if (c) { c.fallback = { bytes: Number(m[2]), why: m[3] }; fallbackQueue.push(c.id); }
      return;
    }
    if ((m = /^copy: #(\d+) (\d+) bytes not copied: (.*) \(fallback off\)$/.exec(t))) {
      const c = copies.get(Number(m[1]));
      if (c) c.notCopied = { bytes: Number(m[2]), why: m[3] };
      return;
    }
    if ((m = /^copy: emulating (\d+) bytes with (\d+) bounce buffer\(s\) of (\d+) bytes/.exec(t))) {
      const id = fallbackQueue.shift();
      const c = id === undefined ? undefined : copies.get(id);
      if (c) {
        c.emulation = { bytes: Number(m[1]), buffers: Number(m[2]), size: Number(m[3]), comm: e.comm };
        emulating.set(e.pid, { copy: c.id, read: Number(m[1]), write: Number(m[1]) });
      }
      return;
    }
    if ((m = /^copy: ctx (\d+) (SRC|DST) bio (\d+) translated to (\S+) (\d+)\+(\d+)/.exec(t))) {
      const ctx = Number(m[1]);
      const b = bios.get(Number(m[3]));
      const entry = ctxBios.get(ctx) ?? { dst: [], src: [] };
      ctxBios.set(ctx, entry);
      if (b) {
        b.ctx = { id: ctx, side: m[2] as "SRC" | "DST" };
        (m[2] === "SRC" ? entry.src : entry.dst).push(b.id);
        const root = bios.get(b.root);
        const c = root?.copy !== undefined ? copies.get(root.copy) : undefined;
        if (c && !c.ctxs.includes(ctx)) c.ctxs.push(ctx);
        step(b, e, "dm", `parked in copy context ${ctx} as its ${m[2]} (translated to ${m[4]} ${m[5]}+${m[6]})`, "2026 design: a copy bio that reaches a non-stacking device waits in its context until every bio of the chunk is translated");
      }
      return;
    }
    if ((m = /^copy: ctx (\d+) translated: (\d+) source bio\(s\) -> (\S+); submitting DST bio (\d+)/.exec(t))) {
      const ctx = Number(m[1]);
      const entry = ctxBios.get(ctx) ?? { dst: [], src: [] };
      ctxBios.set(ctx, entry);
      entry.submitted = Number(m[4]);
      const reason = `2026 design: all bios of context ${ctx} translated; only the first DST bio goes to the driver, which takes the ${m[2]} source range(s) from the context`;
      const dstBio = bios.get(entry.submitted);
      if (dstBio) step(dstBio, e, "dm", `context ${ctx} complete: DST bio ${dstBio.id} submitted to ${m[3]}`, reason);
      for (const s of entry.src) {
        const sb = bios.get(s);
        if (sb) step(sb, e, "dm", `context ${ctx} complete: this source range rides in DST bio ${entry.submitted}'s request`, reason);
      }
      return;
    }
    if ((m = /^copy: ctx (\d+) (.*): not offloaded$/.exec(t))) {
      const entry = ctxBios.get(Number(m[1]));
      for (const id of [...(entry?.dst ?? []), ...(entry?.src ?? [])]) {
        const b = bios.get(id);
        if (b) step(b, e, "dm", `copy context ${m[1]} not offloaded`, m[2], true);
      }
      return;
    }
    if ((m = /^copy: request (\d+) not sent: (.*)$/.exec(t))) {
      const r = rqs.get(Number(m[1]));
      if (r) {
        r.notSent = m[2];
        step(r, e, "nvme", "not sent to the controller", m[2], true);
        for (const id of r.bios) step(bios.get(id)!, e, "nvme", `rq ${r.id} not sent to the controller`, m[2], true);
      }
      return;
    }
    if ((m = /^copy: (\d+) request\(s\) \[([\d,]+)\] -> (\d+) Copy command\(s\) \(MSRC (\d+), MSSRL (\d+), MCL (\d+)\)/.exec(t))) {
      const ids = m[2].split(",").map(Number);
      const packed = { rqs: ids, commands: Number(m[3]), msrc: Number(m[4]), mssrl: Number(m[5]), mcl: Number(m[6]), seq: e.seq };
      packings.push({ ids, commands: packed.commands, time_ns: e.time_ns });
      const reason = `the driver packs requests with adjacent destinations into as few Copy commands as MSRC + 1 = ${packed.msrc + 1} ranges and MCL ${packed.mcl} blocks allow (ranges cut at MSSRL ${packed.mssrl})`;
      for (const id of ids) {
        const r = rqs.get(id);
        if (!r) continue;
        r.packed = packed;
        step(r, e, "nvme", `${ids.length} request(s) [${ids.join(", ")}] -> ${packed.commands} Copy command(s)`, reason);
      }
      return;
    }
    if ((m = /^no merge of bio (\d+) into request (\d+): (\w+)/.exec(t))) {
      const b = bios.get(Number(m[1]));
      const why = refusalReason(m[3], limitsBy.get(dev));
      if (b) step(b, e, "plug", `not merged into rq ${m[2]}: ${m[3]}`, why, true);
      const r = rqs.get(Number(m[2]));
      if (r) step(r, e, "plug", `refused bio ${m[1]}: ${m[3]} (request marked nomerge)`, why, true);
      return;
    }
    if (/^copy: paired /.test(t)) return; // shown as the M's reason
    if (/^dm: created /.test(t) || /copy limits zeroed/.test(t) || /^dm: .* message to target/.test(t)) {
      deviceNotes.push({ seq: e.seq, dev, text: t });
      return;
    }
    // any other message that names a bio or request belongs to its story
    if ((m = /\bbio (\d+)\b/.exec(t))) {
      const b = bios.get(Number(m[1]));
      if (b) {
        const bad = /fail|refus|not supported|exceeds|beyond|not aligned|STS_/.test(t);
        if (/^bio \d+: /.test(t)) b.failed = t.replace(/^bio \d+: /, "");
        step(b, e, /^dm|crypt|snapshot/.test(t) ? "dm" : /^bio \d+: copy of|exceeds|fits the limits/.test(t) ? "split" : "task", t, undefined, bad);
        return;
      }
    }
    if ((m = /^copy: request (\d+) failed/.exec(t))) {
      const r = rqs.get(Number(m[1]));
      if (r) step(r, e, "nvme", t, undefined, true);
      return;
    }
    deviceNotes.push({ seq: e.seq, dev, text: t });
  }

  // ---- copies: what the ops say ----
  for (const op of run.ops) {
    if (!op.copy) continue;
    const c = copies.get(op.copy.id);
    if (!c) continue;
    c.step = op.step;
    c.offloaded = op.copy.offloaded_bytes;
    c.emulated = op.copy.emulated_bytes;
    c.status = op.copy.status;
  }

  // ---- NVMe commands ----
  const commands: CommandInfo[] = run.commands.map((rec, index) => {
    const rqList = [rec.rq];
    const r = rqs.get(rec.rq);
    const st = decodeStatus(rec.status ?? 0);
    const fields: Array<[string, string]> = [
      ["Opcode", `${rec.name} (${rec.opcode.toString(16).padStart(2, "0")}h)`],
      ["NSID", String(rec.nsid)],
      ["SQ / CID", `SQ ${rec.qid}, CID ${rec.cid}`],
    ];
    const notes: string[] = [];
    if (rec.name === "Copy") {
      const cross = rec.ranges?.some((x) => x.nsid !== undefined && x.nsid !== rec.nsid) ?? false;
      fields.push(["SDLBA", String(rec.slba)], ["NR", `${(rec.nr ?? 1) - 1} (${rec.nr} range${rec.nr === 1 ? "" : "s"}, 0's based)`], ["DESFMT", cross ? "2h" : "0h"], ["Blocks", String(rec.blocks)]);
      const lim = setupNsLimits(run.setup, rec.nsid);
      const mssrl = r?.packed?.mssrl ?? lim.mssrl;
      const rg = rec.ranges ?? [];
      if (mssrl && rg.some((x, i) => i + 1 < rg.length && x.nlb === mssrl && x.slba + x.nlb === rg[i + 1].slba)) {
        notes.push(`contiguous source ranges of MSSRL ${mssrl} blocks: the driver cuts a range longer than MSSRL`);
      }
    } else if (rec.slba !== undefined) {
      fields.push(["SLBA", String(rec.slba)], ["NLB", `${(rec.blocks ?? 1) - 1} (${rec.blocks} blocks, 0's based)`]);
    } else if (rec.nr !== undefined) {
      fields.push(["NR", `${rec.nr - 1} (${rec.nr} ranges, 0's based)`]);
    }
    fields.push(["Status", rec.status === undefined ? "not completed" : `${st.name} (SCT ${st.sct.toString(16)}h, SC ${st.sc.toString(16).padStart(2, "0")}h${st.dnr ? ", DNR" : ""})`]);
    fields.push(["DW0", rec.dw0 === undefined ? "-" : hex(rec.dw0 >>> 0) + (rec.name === "Copy" && rec.status ? ` (first range not copied: ${rec.dw0})` : "")]);
    fields.push(["Submitted", fmtMicros(rec.time_ns)]);
    if (rec.done_ns !== undefined) fields.push(["Completed", `${fmtMicros(rec.done_ns)} (+${fmtMicros(rec.done_ns - rec.time_ns)})`]);
    return { index, record: rec, rqs: rqList, statusName: rec.status === undefined ? "pending" : st.name, ok: (rec.status ?? 0) === 0, fields, notes };
  });
  // a packing's M commands are the next ones issued at the message's time for its requests; the
  // driver fills them in request order (nvme-blk.ts issueCopies), so walking the requests'
  // blocks against each command's block count says which requests each command serves
  const claimed = new Set<number>();
  const lbaBytes = (nsid: number) => run.namespaces?.find((n) => n.nsid === nsid)?.lbaBytes ?? SECTOR;
  for (const p of packings) {
    const cmds = commands.filter((c) => !claimed.has(c.index) && c.record.name === "Copy" && p.ids.includes(c.record.rq) && c.record.time_ns === p.time_ns).slice(0, p.commands);
    if (cmds.length === 0) continue;
    for (const c of cmds) { claimed.add(c.index); c.rqs = []; }
    let k = 0;
    let room = cmds[0].record.blocks ?? 0;
    for (const id of p.ids) {
      const r = rqs.get(id);
      if (!r) continue;
      let need = Math.max(1, Math.round((r.sectors * SECTOR) / lbaBytes(cmds[0].record.nsid)));
      while (need > 0 && k < cmds.length) {
        if (!cmds[k].rqs.includes(id)) cmds[k].rqs.push(id);
        const take = Math.min(need, room);
        need -= take;
        room -= take;
        if (room <= 0 && k + 1 < cmds.length) room = cmds[++k].record.blocks ?? 0;
        else if (room <= 0) break;
      }
    }
  }
  for (const c of commands) {
    for (const id of c.rqs) {
      const rr = rqs.get(id);
      if (rr && !rr.commands.includes(c.index)) rr.commands.push(c.index);
    }
  }
  for (const r of rqs.values()) {
    for (const ci of r.commands) {
      const c = commands[ci];
      // issued after D and, for packed Copies, after the driver's packing message
      const order = Math.max(r.issued?.seq ?? r.seq, r.packed?.seq ?? 0) + 0.25;
      const rec = c.record;
      const what = rec.name === "Copy" ? `Copy SDLBA ${rec.slba}, ${rec.nr} range(s), ${rec.blocks} blocks` : `${rec.name}${rec.slba !== undefined ? ` SLBA ${rec.slba}, ${rec.blocks} blocks` : ""}`;
      r.steps.push({ order, time_ns: rec.time_ns, lane: "nvme", action: "cmd", text: `NVMe command #${rec.seq}: ${what} on SQ ${rec.qid}, CID ${rec.cid}`, reason: c.notes.join("; ") || undefined, rq: r.id });
      if (rec.done_ns !== undefined) {
        r.steps.push({ order: Math.max(order + 0.25, (r.done?.seq ?? order) - 0.25), time_ns: rec.done_ns, lane: "nvme", action: "cqe", text: `CQE of command #${rec.seq}: ${c.statusName}${rec.dw0 ? `, DW0 ${hex(rec.dw0)}` : ""}`, bad: !c.ok, rq: r.id });
      }
    }
  }

  // ---- roots, groups, tasks ----
  const roots = [...bios.values()].filter((b) => b.parent === undefined).sort((a, b) => a.seq - b.seq).map((b) => b.id);
  const groups: FlowGroup[] = [];
  for (const id of roots) {
    const first = firstRequest(id);
    const r = first === undefined ? undefined : rqs.get(first);
    const b = bios.get(id)!;
    // a request flushed alone by a one-request plug is grouped with its neighbours like one issued without a plug
    const kind: FlowGroup["kind"] = r === undefined ? "none" : r.flush !== undefined && !flushes[r.flush].solo ? "flush" : "direct";
    const key = kind === "flush" ? `f${r!.flush}` : `${kind}:${b.pid}`;
    const last = groups[groups.length - 1];
    if (last && last.key === key) last.roots.push(id);
    else groups.push({ key, kind, flush: r?.flush, roots: [id], pid: b.pid, comm: b.comm });
  }
  const tasks = new Map<number, { pid: number; comm: string; roots: number }>();
  for (const id of roots) {
    const b = bios.get(id)!;
    const t = tasks.get(b.pid) ?? { pid: b.pid, comm: b.comm, roots: 0 };
    t.roots++;
    tasks.set(b.pid, t);
  }

  function firstRequest(rootId: number): number | undefined {
    let best: number | undefined;
    for (const b of tree(rootId)) {
      let rq = b.rq;
      if (rq === undefined && b.ctx) {
        const entry = ctxBios.get(b.ctx.id);
        if (entry?.submitted !== undefined) rq = bios.get(entry.submitted)?.rq;
      }
      if (rq !== undefined && (best === undefined || rqs.get(rq)!.seq < rqs.get(best)!.seq)) best = rq;
    }
    return best;
  }
  function tree(rootId: number): BioInfo[] {
    const out: BioInfo[] = [];
    const walk = (id: number) => { const b = bios.get(id); if (!b) return; out.push(b); for (const c of b.children) walk(c); };
    walk(rootId);
    return out;
  }

  const model: BlockModel = {
    design: run.design, bios, rqs, flushes, copies: [...copies.values()].sort((a, b) => a.id - b.id), commands, roots, groups,
    tasks: [...tasks.values()], deviceNotes, devName, limits: (d) => limitsBy.get(d), designOf,
  };
  ctxIndex.set(model, ctxBios);
  return model;
}

const ctxIndex = new WeakMap<BlockModel, Map<number, { dst: number[]; src: number[]; submitted?: number }>>();

/** Every bio of a root's tree (the root, its clones and split fronts), depth first. */
export function bioTree(m: BlockModel, rootId: number): BioInfo[] {
  const out: BioInfo[] = [];
  const walk = (id: number) => { const b = m.bios.get(id); if (!b) return; out.push(b); for (const c of b.children) walk(c); };
  walk(rootId);
  return out;
}

/** The requests a root's bios became: started, merged into, or (2026 SRC bios) carried by. */
export function treeRequests(m: BlockModel, rootId: number): RqInfo[] {
  const ids = new Set<number>();
  const ctx = ctxIndex.get(m);
  for (const b of bioTree(m, rootId)) {
    if (b.rq !== undefined) ids.add(b.rq);
    else if (b.ctx && ctx) {
      const dst = ctx.get(b.ctx.id)?.submitted;
      const rq = dst === undefined ? undefined : m.bios.get(dst)?.rq;
      if (rq !== undefined) ids.add(rq);
    }
  }
  return [...ids].map((id) => m.rqs.get(id)!).filter(Boolean).sort((a, b) => a.seq - b.seq);
}

/** The NVMe commands a root's requests became. */
export function treeCommands(m: BlockModel, rootId: number): CommandInfo[] {
  const out = new Set<number>();
  for (const r of treeRequests(m, rootId)) for (const c of r.commands) out.add(c);
  return [...out].sort((a, b) => a - b).map((i) => m.commands[i]);
}

/** The whole life story of a root bio: its tree's steps and its requests' steps, in trace order. */
export function story(m: BlockModel, rootId: number): Step[] {
  const steps: Step[] = [];
  const seen = new Set<string>();
  const add = (s: Step) => {
    const k = `${s.order}|${s.text}`;
    if (seen.has(k)) return;
    seen.add(k);
    steps.push(s);
  };
  const tree = bioTree(m, rootId);
  const have = new Set<string>();
  for (const b of tree) for (const s of b.steps) { add({ ...s, bio: s.bio ?? b.id }); have.add(`${s.order}|${s.action}`); }
  const inTree = new Set(tree.map((b) => b.id));
  for (const r of treeRequests(m, rootId)) {
    // the request's life from when this tree's first bio joined it (or its context's DST did)
    let joined = Infinity;
    for (const b of tree) if (b.rq === r.id) joined = Math.min(joined, b.merged?.seq ?? r.seq);
    if (joined === Infinity) joined = r.seq;
    for (const s of r.steps) {
      if (s.order < joined || have.has(`${s.order}|${s.action}`)) continue;
      if ((s.action === "M" || s.action === "F") && s.bio !== undefined && inTree.has(s.bio)) continue;
      add({ ...s, rq: r.id });
    }
  }
  return steps.sort((a, b) => a.order - b.order);
}

/**
 * Outcome of a root bio in one line: completed, failed, or carried by a context; open when the
 * trace ends before anything completes it (neither a success nor a failure).
 */
export function outcome(m: BlockModel, rootId: number): { text: string; bad: boolean; open?: boolean } {
  const b = m.bios.get(rootId)!;
  const rqList = treeRequests(m, rootId);
  const failedRq = rqList.find((r) => r.done?.error || r.notSent);
  if (b.failed) return { text: `failed: ${b.failed}`, bad: true };
  if (failedRq?.notSent) return { text: `rq ${failedRq.id} not sent: ${failedRq.notSent}${failedRq.done?.error ? ` (${failedRq.done.error})` : ""}`, bad: true };
  if (b.done?.error) return { text: `completed with ${b.done.error}`, bad: true };
  if (failedRq) return { text: `rq ${failedRq.id} failed: ${failedRq.done!.error}`, bad: true };
  const leaves = bioTree(m, rootId);
  if (b.done || leaves.some((x) => x.done)) return { text: "completed OK", bad: false };
  // a copy context's SRC bio has no C of its own: it rides in its DST bio's request (the
  // story's "rides in DST bio N's request"), and ends when that request does
  if (rqList.length > 0 && rqList.every((r) => r.done)) return { text: `completed OK with rq ${rqList.map((r) => r.id).join(", ")}`, bad: false };
  return { text: "no completion in the trace", bad: false, open: true };
}

/** Rows of the flow after a task filter, with the group each belongs to. */
export function filterGroups(m: BlockModel, pid: number | null): FlowGroup[] {
  if (pid === null) return m.groups;
  return m.groups.map((g) => ({ ...g, roots: g.roots.filter((id) => m.bios.get(id)!.pid === pid) })).filter((g) => g.roots.length > 0);
}

/** Pages of at most `size` root rows; a group split across pages repeats its header. */
export function paginate(groups: FlowGroup[], size: number): FlowGroup[][] {
  const pages: FlowGroup[][] = [];
  let page: FlowGroup[] = [];
  let n = 0;
  for (const g of groups) {
    for (let i = 0; i < g.roots.length; ) {
      const room = size - n;
      const part = g.roots.slice(i, i + room);
      page.push({ ...g, roots: part });
      n += part.length;
      i += part.length;
      if (n >= size) { pages.push(page); page = []; n = 0; }
    }
  }
  if (page.length) pages.push(page);
  return pages;
}

/** The page that holds a root bio. */
export function pageOf(pages: FlowGroup[][], rootId: number): number {
  return pages.findIndex((p) => p.some((g) => g.roots.includes(rootId)));
}

/** A one-line summary of a plug list entry: "rq 3: bios 3, 4, 5, 6 (CW 8192+64, 32 KiB)". */
export function plugEntryText(p: PlugEntry): string {
  return `rq ${p.rq}: bio${p.bios.length === 1 ? "" : "s"} ${p.bios.join(", ")} (${p.rwbs} ${p.sector}+${p.sectors}, ${fmtBytes(p.sectors * SECTOR)})`;
}

/** One entry of a flow cell: a short label, the reason in a few words, and whether it went wrong. */
export interface Chip { text: string; why?: string; bad?: boolean }

const MAX_CHIPS = 3;
function capped(chips: Chip[], what: string): Chip[] {
  if (chips.length <= MAX_CHIPS) return chips;
  return [...chips.slice(0, MAX_CHIPS - 1), { text: `… ${chips.length - (MAX_CHIPS - 1)} more ${what}` }];
}
const rangeText = (ids: number[]) => (ids.length > 2 && ids[ids.length - 1] - ids[0] === ids.length - 1 ? `${ids[0]}–${ids[ids.length - 1]}` : ids.join(", "));

/**
 * The flow row of a root bio, lane by lane (the swimlanes task -> dm -> split -> plug ->
 * request queue -> NVMe SQ): what happened there, with the short reason.
 */
export function rootLanes(m: BlockModel, rootId: number): Record<Lane, Chip[]> {
  const b = m.bios.get(rootId)!;
  const tree = bioTree(m, rootId);
  const rqList = treeRequests(m, rootId);
  const cmds = treeCommands(m, rootId);
  const lanes: Record<Lane, Chip[]> = { task: [], dm: [], split: [], plug: [], rq: [], nvme: [] };
  const copy = b.copy !== undefined ? ` · copy #${b.copy}` : b.emulationOf !== undefined ? ` · read+write for copy #${b.emulationOf}` : "";
  lanes.task.push({ text: `Q ${b.rwbs} ${b.sector}+${b.sectors} on ${b.dev}`, why: `${b.comm} (pid ${b.pid}) at ${fmtMicros(b.time_ns)}${copy}` });
  if (b.failed) lanes.task.push({ text: "failed", why: b.failed, bad: true });

  const remaps = tree.filter((x) => x.via === "remap").map((x): Chip => {
    const from = m.bios.get(x.parent!)!;
    return { text: `${from.dev} → ${x.dev} ${x.sector}`, why: `bio ${x.id}` };
  });
  lanes.dm.push(...capped(remaps, "remaps"));
  const parked = tree.filter((x) => x.ctx);
  for (const x of parked) lanes.dm.push({ text: `ctx ${x.ctx!.id} ${x.ctx!.side}`, why: "parked in its copy context (2026 design)" });
  for (const x of tree) for (const s of x.steps) if (s.lane === "dm" && s.bad) lanes.dm.push({ text: s.text, why: s.reason, bad: true });

  const fronts = tree.filter((x) => x.via === "split");
  if (fronts.length) {
    const whys = [...new Set(fronts.map((x) => x.split!.why.replace(/ \(vector design.*$/, "")))];
    const sizes = [...new Set(fronts.map((x) => x.sectors))];
    lanes.split.push({ text: `X ×${fronts.length} at ${sizes.join("/")} sectors`, why: whys.join("; ") });
  }
  for (const x of tree) for (const s of x.steps) if (s.lane === "split" && s.bad) lanes.split.push({ text: s.text, bad: true });

  const merges = tree.filter((x) => x.merged).map((x): Chip => ({ text: `${x.merged!.kind} bio ${x.id} into rq ${x.merged!.rq}`, why: x.merged!.short }));
  lanes.plug.push(...capped(merges, "merges"));
  for (const x of tree) for (const s of x.steps) if (s.lane === "plug" && s.bad) lanes.plug.push({ text: s.text, why: s.reason, bad: true });
  const flushIdx = [...new Set(rqList.map((r) => r.flush).filter((f): f is number => f !== undefined))];
  if (flushIdx.length === 1) {
    const f = m.flushes[flushIdx[0]];
    lanes.plug.push({ text: `plugged → flush #${f.index + 1} (${f.kind}, depth ${f.depth})`, why: f.why.replace(/:.*$/, "") });
  } else if (flushIdx.length > 1) {
    lanes.plug.push({ text: `plugged → ${flushIdx.length} flushes #${flushIdx[0] + 1}–#${flushIdx[flushIdx.length - 1] + 1}`, why: [...new Set(flushIdx.map((i) => m.flushes[i].why.replace(/:.*$/, "")))].join("; ") });
  } else if (rqList.length && !rqList.some((r) => r.plugged)) lanes.plug.push({ text: "no plug", why: "issued directly" });

  if (rqList.length === 1) {
    const r = rqList[0];
    lanes.rq.push({ text: `rq ${r.id} ${r.rwbs} ${r.sector}+${r.sectors}`, why: `${r.bios.length} bio${r.bios.length === 1 ? "" : "s"}${r.inserted !== undefined ? " · I" : ""}${r.issued ? ` · D ${fmtMicros(r.issued.time_ns)}` : ""}${r.done ? ` · C ${r.done.error ?? "OK"}` : ""}`, bad: !!r.done?.error });
  } else if (rqList.length > 1) {
    const errs = rqList.filter((r) => r.done?.error);
    lanes.rq.push({ text: `${rqList.length} requests: rq ${rangeText(rqList.map((r) => r.id))}`, why: errs.length ? `${errs.length} failed` : `all completed OK`, bad: errs.length > 0 });
  }
  for (const r of rqList) if (r.requeued) lanes.rq.push({ text: `rq ${r.id} requeued ×${r.requeued}`, bad: true });

  const notSent = rqList.filter((r) => r.notSent);
  for (const r of notSent) lanes.nvme.push({ text: `rq ${r.id} not sent`, why: r.notSent, bad: true });
  if (cmds.length === 1) {
    const c = cmds[0].record;
    lanes.nvme.push({ text: c.name === "Copy" ? `Copy SDLBA ${c.slba} · ${c.nr} range${c.nr === 1 ? "" : "s"}` : `${c.name}${c.slba !== undefined ? ` SLBA ${c.slba} · ${c.blocks} blocks` : ""}`, why: `#${c.seq} SQ ${c.qid} CID ${c.cid} · ${cmds[0].statusName}`, bad: !cmds[0].ok });
  } else if (cmds.length > 1) {
    const names = [...new Set(cmds.map((c) => c.record.name))];
    const bad = cmds.filter((c) => !c.ok);
    lanes.nvme.push({ text: `${cmds.length} commands: ${names.join(", ")}`, why: bad.length ? `${bad.length} failed` : "all Successful Completion", bad: bad.length > 0 });
  }
  return lanes;
}
