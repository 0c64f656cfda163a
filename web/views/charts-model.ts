// The Charts view's model, without DOM: it bins a run (LabRun: its NVMe command records and
// block events) into time series over modelled time (commands completed per second by opcode,
// bytes over the host link against bytes moved inside the device, merges and splits, queue
// depth per hardware queue), sums the run's totals, lays two runs on one shared time axis,
// and shapes the NVMe/TCP experiment's cases into bars. Formatting helpers too.

import * as O from "../../assembly/spec/opcodes";
import * as C from "../../assembly/spec/copy";
import { SQE_SIZE, CQE_SIZE } from "../../assembly/spec/sqe";
import type { BlkEvent, NvmeCommandRecord } from "../../src/block/trace";
import type { TcpRun } from "../app/store";
import { SEED000_PUBLISHED } from "../../src/reproduce/seed000-published";
import { ktimeNs } from "../app/time";

/** What the model reads of a run (a LabRun has all of it). */
export interface ChartRun {
  design: string;
  commands: NvmeCommandRecord[];
  events: BlkEvent[];
  namespaces: Array<{ nsid: number; lbaBytes: number }>;
  end_ns: number;
}

// ---- bytes per command ----

/**
 * Bytes a command moves, by where they go.
 * - host: data between host memory and the controller (PRP/SGL data): Read and Write data
 *   (and Compare's, host to device); Dataset Management's range list (16 bytes per range,
 *   NVM Command Set §3.3.3 Figure 50); Copy's Source Range entries (32 bytes each for formats
 *   0h and 2h, 40 for 1h and 3h, NVM Command Set §3.3.2), never the copied data.
 * - inside: data the controller reads and writes on its own media: the blocks a Copy copied.
 * Write Zeroes, Flush and Verify move no data over the link.
 */
export interface CommandBytes {
  /** Read/Write/Compare data over the host link. */
  data: number;
  /** Copy Source Range entries over the host link. */
  copyDescriptors: number;
  /** Dataset Management ranges over the host link. */
  dsmRanges: number;
  /** Blocks copied inside the device, in bytes (each read and written once on the media). */
  inside: number;
}

/** The Copy descriptor format a record implies: nvme-blk's buildCopy sends 2h when a range names a namespace, else 0h. */
export function copyFormat(c: NvmeCommandRecord): number {
  return c.ranges?.some((r) => r.nsid !== undefined) ? C.COPY_FORMAT_2 : C.COPY_FORMAT_0;
}

/** Size of one Source Range entry of a descriptor format (0h/2h: 32 bytes; 1h/3h: 40 bytes). */
export function copyRangeEntryBytes(format: number): number {
  return format === C.COPY_FORMAT_1 || format === C.COPY_FORMAT_3 ? C.COPY_RANGE_F1_SIZE : C.COPY_RANGE_F0_SIZE;
}

/**
 * The bytes of one command. Only commands that completed count (done_ns set). A failed Read,
 * Write or Compare counts no data (the CQE does not say how much moved); a failed Copy still
 * fetched its Source Range entries, and inside the device counts only the ranges before the
 * first range not copied (CQE Dword 0, NVM Command Set §3.3.2.3), as nvme-blk's accountCopy does.
 */
export function commandBytes(c: NvmeCommandRecord, lbaBytes: number): CommandBytes {
  const out: CommandBytes = { data: 0, copyDescriptors: 0, dsmRanges: 0, inside: 0 };
  if (c.done_ns === undefined) return out;
  const ok = (c.status ?? 0) === 0;
  switch (c.opcode) {
    case O.NVM_READ:
    case O.NVM_WRITE:
    case O.NVM_COMPARE:
      if (ok) out.data = (c.blocks ?? 0) * lbaBytes;
      break;
    case O.NVM_DATASET_MANAGEMENT:
      out.dsmRanges = (c.nr ?? c.ranges?.length ?? 0) * O.DSM_RANGE_SIZE;
      break;
    case O.NVM_COPY: {
      const nr = c.nr ?? c.ranges?.length ?? 0;
      out.copyDescriptors = nr * copyRangeEntryBytes(copyFormat(c));
      if (ok) out.inside = (c.blocks ?? 0) * lbaBytes;
      else if (c.ranges) {
        const upTo = Math.min(c.dw0 ?? 0, c.ranges.length);
        for (let i = 0; i < upTo; i++) out.inside += c.ranges[i].nlb * lbaBytes;
      }
      break;
    }
    default:
      break;
  }
  return out;
}

export const hostBytes = (b: CommandBytes): number => b.data + b.copyDescriptors + b.dsmRanges;

function lbaBytesOf(run: ChartRun): (nsid: number) => number {
  const m = new Map(run.namespaces.map((n) => [n.nsid, n.lbaBytes]));
  return (nsid) => {
    const v = m.get(nsid);
    if (v === undefined) throw new Error(`command on namespace ${nsid}, which the run does not list`);
    return v;
  };
}

// ---- opcode classes ----

/** The series of the command-rate chart, in this order; other opcodes go to "Other". */
export const OPCODE_CLASSES = ["Read", "Write", "Copy", "Dataset Management", "Write Zeroes", "Flush", "Other"] as const;
export type OpcodeClass = (typeof OPCODE_CLASSES)[number];

export function opcodeClass(c: NvmeCommandRecord): OpcodeClass {
  switch (c.opcode) {
    case O.NVM_READ: return "Read";
    case O.NVM_WRITE: return "Write";
    case O.NVM_COPY: return "Copy";
    case O.NVM_DATASET_MANAGEMENT: return "Dataset Management";
    case O.NVM_WRITE_ZEROES: return "Write Zeroes";
    case O.NVM_FLUSH: return "Flush";
    default: return "Other";
  }
}

// ---- the time axis ----

/** Bin widths are 1, 2 or 5 times a power of ten nanoseconds. */
export function niceAtLeast(x: number): number {
  if (!(x > 1)) return 1;
  const p = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 2, 5, 10]) if (m * p >= x) return m * p;
  return 10 * p;
}

export interface Axis {
  /** Bin width in ns. */
  width_ns: number;
  bins: number;
  /** The end of the axis (the longest run's end_ns). */
  end_ns: number;
}

/** A shared time axis for runs: at most maxBins bins of a round width covering the longest run. */
export function timeAxis(ends_ns: number[], maxBins = 200): Axis {
  const end_ns = Math.max(0, ...ends_ns.filter((e) => Number.isFinite(e)));
  const width_ns = niceAtLeast(end_ns / maxBins);
  return { width_ns, bins: Math.max(1, Math.ceil(end_ns / width_ns)), end_ns };
}

/** The unit the time axis is labelled in: µs up to 10 ms, then ms, then s. */
export function timeUnit(end_ns: number): { name: string; ns: number } {
  if (end_ns >= 10e9) return { name: "s", ns: 1e9 };
  if (end_ns >= 10e6) return { name: "ms", ns: 1e6 };
  return { name: "µs", ns: 1e3 };
}

function binOf(t: number, a: Axis): number {
  return Math.min(a.bins - 1, Math.max(0, Math.floor(t / a.width_ns)));
}

/** Add amount spread evenly over [t0, t1) to the bins it overlaps; all of it to t0's bin when t1 <= t0. */
function spread(into: number[], a: Axis, t0: number, t1: number, amount: number): void {
  if (amount === 0) return;
  if (!(t1 > t0)) { into[binOf(t0, a)] += amount; return; }
  const first = binOf(t0, a), last = binOf(t1, a);
  if (first === last) { into[first] += amount; return; }
  const per = amount / (t1 - t0);
  for (let b = first; b <= last; b++) {
    const lo = b === first ? t0 : b * a.width_ns;
    const hi = b === last ? t1 : (b + 1) * a.width_ns;
    into[b] += per * (hi - lo);
  }
}

// ---- queue depth ----

/** A point of a queue-depth step function: from t on the depth is `after`; at t itself up to `peak` commands were out. */
export interface DepthPoint { t: number; after: number; peak: number }

/**
 * Outstanding commands over time (submitted to the SQ, CQE not yet reaped): +1 at time_ns, -1
 * at done_ns. At one instant completions are taken before submissions (nvme_irq reaps CQEs
 * before the freed tags carry new requests), so a Copy following another at the same
 * nanosecond does not count as two at once; a command that starts and ends at the same
 * instant still counts in that instant's peak. Commands never completed stay out to the end.
 */
export function depthSteps(commands: NvmeCommandRecord[]): DepthPoint[] {
  const at = new Map<number, { plus: number; minus: number; zero: number }>();
  const get = (t: number) => { let e = at.get(t); if (!e) at.set(t, (e = { plus: 0, minus: 0, zero: 0 })); return e; };
  for (const c of commands) {
    if (c.done_ns === undefined) get(c.time_ns).plus++; // still out at end_ns
    else if (c.done_ns <= c.time_ns) get(c.time_ns).zero++;
    else { get(c.time_ns).plus++; get(c.done_ns).minus++; }
  }
  const out: DepthPoint[] = [];
  let d = 0;
  for (const t of [...at.keys()].sort((x, y) => x - y)) {
    const e = at.get(t)!;
    d = d - e.minus + e.plus;
    out.push({ t, after: d, peak: d + e.zero });
  }
  return out;
}

/** Per bin: the time-weighted mean depth and the highest depth of a step function (depth 0 before its first point). */
export function binDepth(points: DepthPoint[], a: Axis): { avg: number[]; max: number[] } {
  const area = new Array<number>(a.bins).fill(0);
  const max = new Array<number>(a.bins).fill(0);
  const axisEnd = a.bins * a.width_ns;
  let prevT = 0, depth = 0;
  const segment = (t0: number, t1: number, v: number) => {
    if (!(t1 > t0) || v === 0) return;
    spread(area, a, t0, t1, v * (t1 - t0));
    const first = binOf(t0, a), last = t1 % a.width_ns === 0 ? binOf(t1, a) - 1 : binOf(t1, a);
    for (let b = first; b <= Math.max(first, last); b++) max[b] = Math.max(max[b], v);
  };
  for (const p of points) {
    segment(prevT, Math.min(p.t, axisEnd), depth);
    const b = binOf(p.t, a);
    max[b] = Math.max(max[b], p.peak);
    prevT = p.t;
    depth = p.after;
  }
  segment(prevT, axisEnd, depth);
  return { avg: area.map((x) => x / a.width_ns), max };
}

// ---- binning a run ----

export interface RunSeries {
  axis: Axis;
  /** The run's time in each bin (ns): rates are per this, not per the bin width. */
  span_ns: number[];
  /** Commands completed per second (at done_ns) over the bin width, by opcode class; classes with no command are left out. */
  rate: Map<OpcodeClass, number[]>;
  /** MB/s (10^6 bytes) over the host link and inside the device; a command's bytes spread over its submission to completion. */
  hostMBs: number[];
  insideMBs: number[];
  /** Block-layer merges (M back, F front) and splits (X) per bin, and their running sums. */
  merges: number[];
  splits: number[];
  mergesCum: number[];
  splitsCum: number[];
  /** Outstanding NVMe commands: time-weighted mean and maximum per bin, in total and per I/O queue (qid). */
  depthAvg: number[];
  depthMax: number[];
  depthAvgByQ: Map<number, number[]>;
  depthMaxByQ: Map<number, number[]>;
}

const zeros = (n: number) => new Array<number>(n).fill(0);
const cumsum = (xs: number[]) => { let s = 0; return xs.map((x) => (s += x)); };

/** Time of each bin inside [0, end_ns): the whole width but for the bin the run ends in (and none after it). */
export function binSpans(a: Axis, end_ns: number): number[] {
  if (!(end_ns > 0)) return Array.from({ length: a.bins }, (_, i) => (i === 0 ? a.width_ns : 0));
  return Array.from({ length: a.bins }, (_, i) => Math.max(0, Math.min(a.width_ns, end_ns - i * a.width_ns)));
}

/**
 * Bin a run on axis a (its own, or one shared with a longer run). Bandwidth and the mean depth
 * are per unit of the run's time in the bin (binSpans), so the bin a run ends in is not diluted
 * by the time after its end; after the end every series is 0.
 */
export function binRun(run: ChartRun, a: Axis = timeAxis([run.end_ns])): RunSeries {
  const lba = lbaBytesOf(run);
  const span = binSpans(a, run.end_ns);
  // the run's own bins: whatever happens at or after its end falls in its last bin
  const own: Axis = { width_ns: a.width_ns, bins: run.end_ns > 0 ? Math.min(a.bins, Math.ceil(run.end_ns / a.width_ns)) : 1, end_ns: run.end_ns };
  const perNs = (xs: number[]) => xs.map((x, i) => (span[i] > 0 ? x / span[i] : 0));
  const rate = new Map<OpcodeClass, number[]>();
  const host = zeros(a.bins), inside = zeros(a.bins);
  for (const c of run.commands) {
    if (c.done_ns !== undefined) {
      const k = opcodeClass(c);
      let r = rate.get(k);
      if (!r) rate.set(k, (r = zeros(a.bins)));
      r[binOf(c.done_ns, own)] += 1;
    }
    const b = commandBytes(c, lba(c.nsid));
    spread(host, own, c.time_ns, c.done_ns ?? c.time_ns, hostBytes(b));
    spread(inside, own, c.time_ns, c.done_ns ?? c.time_ns, b.inside);
  }
  // completions are instants, not spread: per bin width (the run's last bin often ends at its
  // last completion, and dividing by that sliver would make a burst look like a huge rate)
  const ordered = new Map(OPCODE_CLASSES.filter((k) => rate.has(k)).map((k) => [k, rate.get(k)!.map((x) => (x * 1e9) / a.width_ns)]));
  const toMBs = (xs: number[]) => perNs(xs).map((x) => (x * 1e9) / 1e6);
  const merges = zeros(a.bins), splits = zeros(a.bins);
  for (const e of run.events) {
    if (e.action === "M" || e.action === "F") merges[binOf(e.time_ns, own)]++;
    else if (e.action === "X") splits[binOf(e.time_ns, own)]++;
  }
  const depth = (cmds: NvmeCommandRecord[]) => {
    const d = binDepth(depthSteps(cmds), own);
    return { avg: perNs(pad(d.avg.map((x) => x * a.width_ns), a.bins)), max: pad(d.max, a.bins) };
  };
  const total = depth(run.commands);
  const depthAvgByQ = new Map<number, number[]>(), depthMaxByQ = new Map<number, number[]>();
  for (const qid of [...new Set(run.commands.map((c) => c.qid))].sort((x, y) => x - y)) {
    const q = depth(run.commands.filter((c) => c.qid === qid));
    depthAvgByQ.set(qid, q.avg);
    depthMaxByQ.set(qid, q.max);
  }
  return {
    axis: a, span_ns: span, rate: ordered, hostMBs: toMBs(host), insideMBs: toMBs(inside),
    merges, splits, mergesCum: cumsum(merges), splitsCum: cumsum(splits),
    depthAvg: total.avg, depthMax: total.max, depthAvgByQ, depthMaxByQ,
  };
}

function pad(xs: number[], n: number): number[] {
  return xs.length >= n ? xs.slice(0, n) : [...xs, ...zeros(n - xs.length)];
}

/** Bin starts in the axis unit (the x values of every series). */
export function binStarts(a: Axis, unitNs: number): number[] {
  return Array.from({ length: a.bins }, (_, i) => (i * a.width_ns) / unitNs);
}

// ---- the simple model's link ----

/** The simple model's default link, Gb/s (src/block/nvme-blk.ts DEFAULT_TIMING: 3e9 B/s). */
const SIMPLE_LINK_GBPS = 24;

/**
 * The link rate in MB/s (10^6 B/s) that a setup's simple device model gives each command, or
 * undefined when the setup uses another model (null_blk, tlc-970pro) or NVMe/TCP. The simple
 * model runs every command at this rate with unlimited parallelism (docs/TIMING.md): commands
 * in flight do not share the link, so their sum can be several times it.
 */
export function simpleLinkMBs(setup: unknown): number | undefined {
  if (typeof setup !== "object" || setup === null) return undefined;
  const s = setup as { device?: unknown; timing?: { link_gbps?: unknown }; fabric?: unknown };
  if (s.fabric !== undefined) return undefined;
  let gbps: unknown;
  if (s.device === undefined) gbps = s.timing?.link_gbps;
  else if (s.device === "simple") gbps = undefined;
  else if (typeof s.device === "object" && s.device !== null && ((s.device as { preset?: unknown }).preset ?? "simple") === "simple") gbps = (s.device as { link_gbps?: unknown }).link_gbps;
  else return undefined;
  const g = typeof gbps === "number" && gbps > 0 ? gbps : SIMPLE_LINK_GBPS;
  return (g * 1e9) / 8 / 1e6;
}

/**
 * What the bandwidth chart says about the simple model's link, given the peak of the host
 * link line (MB/s): each command has the whole link, and the sum of commands in flight is
 * drawn, so a peak above the link is the model, not a miscount.
 */
export function simpleLinkNote(setup: unknown, hostPeakMBs: number): string | undefined {
  const link = simpleLinkMBs(setup);
  if (link === undefined) return undefined;
  const over = hostPeakMBs > link * 1.0005
    ? ` This run's host link line peaks at ${fmtNum(hostPeakMBs)} MB/s (${fmtNum(hostPeakMBs / link, 1)}× the link) with several commands moving data at once.`
    : "";
  return `The simple device model gives every command the whole link, ${fmtNum(link)} MB/s, with unlimited parallelism (docs/TIMING.md): commands in flight do not share it, and the chart sums them.${over}`;
}

// ---- totals ----

export interface RunTotals {
  end_ns: number;
  commands: number;
  byClass: Map<OpcodeClass, number>;
  /** Completed with a status other than Successful Completion. */
  failed: number;
  /** Submitted and never completed. */
  outstanding: number;
  data: number;
  copyDescriptors: number;
  copyRanges: number;
  dsmRanges: number;
  /** Host link bytes: data + Copy Source Range entries + DSM ranges. */
  host: number;
  inside: number;
  copyBlocks: number;
  /** SQEs fetched and CQEs posted: 64 + 16 bytes per command, also over the link, not in `host`. */
  queueEntries: number;
  backMerges: number;
  frontMerges: number;
  splits: number;
  depthMax: number;
  /** Time-weighted mean of outstanding commands over the run. */
  depthMean: number;
  depthMaxByQ: Map<number, number>;
}

export function runTotals(run: ChartRun): RunTotals {
  const lba = lbaBytesOf(run);
  const byClass = new Map<OpcodeClass, number>();
  const t: RunTotals = {
    end_ns: run.end_ns, commands: run.commands.length, byClass, failed: 0, outstanding: 0,
    data: 0, copyDescriptors: 0, copyRanges: 0, dsmRanges: 0, host: 0, inside: 0, copyBlocks: 0,
    queueEntries: 0, backMerges: 0, frontMerges: 0, splits: 0, depthMax: 0, depthMean: 0, depthMaxByQ: new Map(),
  };
  for (const c of run.commands) {
    const k = opcodeClass(c);
    byClass.set(k, (byClass.get(k) ?? 0) + 1);
    if (c.done_ns === undefined) t.outstanding++;
    else if ((c.status ?? 0) !== 0) t.failed++;
    const b = commandBytes(c, lba(c.nsid));
    t.data += b.data;
    t.copyDescriptors += b.copyDescriptors;
    t.dsmRanges += b.dsmRanges;
    t.inside += b.inside;
    if (c.opcode === O.NVM_COPY) {
      t.copyRanges += c.nr ?? c.ranges?.length ?? 0;
      t.copyBlocks += b.inside / lba(c.nsid);
    }
    t.queueEntries += SQE_SIZE + (c.done_ns === undefined ? 0 : CQE_SIZE);
  }
  t.host = t.data + t.copyDescriptors + t.dsmRanges;
  for (const e of run.events) {
    if (e.action === "M") t.backMerges++;
    else if (e.action === "F") t.frontMerges++;
    else if (e.action === "X") t.splits++;
  }
  const steps = depthSteps(run.commands);
  let area = 0, prev = 0, d = 0;
  for (const p of steps) {
    area += d * (Math.min(p.t, run.end_ns) - Math.min(prev, run.end_ns));
    t.depthMax = Math.max(t.depthMax, p.peak);
    prev = p.t;
    d = p.after;
  }
  area += d * Math.max(0, run.end_ns - prev);
  t.depthMean = run.end_ns > 0 ? area / run.end_ns : 0;
  for (const qid of [...new Set(run.commands.map((c) => c.qid))].sort((x, y) => x - y)) {
    t.depthMaxByQ.set(qid, Math.max(0, ...depthSteps(run.commands.filter((c) => c.qid === qid)).map((p) => p.peak)));
  }
  return t;
}

// ---- runs kept for comparison ----

/** A run as the Charts view remembers it. */
export interface KeptRun<R extends ChartRun = ChartRun> {
  seq: number;
  run: R;
  /** The experiment's title, or "custom setup". */
  title: string;
  edited: boolean;
}

export const runLabel = (k: KeptRun): string => `#${k.seq} ${k.title}${k.edited ? " (setup edited)" : ""} (design ${k.run.design})`;

/** Keep a new run (newest last), at most `keep` of them, never twice the same sequence number. */
export function keepRun<R extends ChartRun>(kept: KeptRun<R>[], k: KeptRun<R>, keep = 6, pinned?: number): KeptRun<R>[] {
  if (kept.some((x) => x.seq === k.seq)) return kept;
  const out = [...kept, k];
  // drop the oldest, but never the pinned baseline
  while (out.length > keep) {
    const i = out.findIndex((x) => x.seq !== pinned);
    out.splice(i, 1);
  }
  return out;
}

/** The baseline to compare the newest run with: the pinned run if kept, else the one before the newest ("previous"), or none. */
export function baselineOf<R extends ChartRun>(kept: KeptRun<R>[], choice: "previous" | "none" | number): KeptRun<R> | undefined {
  if (kept.length === 0 || choice === "none") return undefined;
  const newest = kept[kept.length - 1];
  if (typeof choice === "number") {
    const k = kept.find((x) => x.seq === choice);
    if (k && k !== newest) return k;
  }
  return kept.length > 1 ? kept[kept.length - 2] : undefined;
}

// ---- NVMe/TCP bars ----

export interface TcpBar { gbps: number; mode: "read+write" | "offload"; value: number; fraction: number; label: string }

/** Bars of the NVMe/TCP experiment, grouped by link speed, as fractions of the largest value (linear scale). */
export function tcpBars(r: TcpRun, what: "mibs" | "util_pct"): Array<{ gbps: number; bars: TcpBar[] }> {
  const top = Math.max(...r.cases.map((c) => c[what]), what === "util_pct" ? 100 : 0);
  const speeds = [...new Set(r.cases.map((c) => c.gbps))].sort((x, y) => x - y);
  return speeds.map((gbps) => ({
    gbps,
    bars: (["read+write", "offload"] as const).flatMap((mode) => r.cases.filter((c) => c.gbps === gbps && c.mode === mode).map((c) => ({
      gbps, mode, value: c[what],
      fraction: top > 0 ? c[what] / top : 0,
      label: what === "mibs" ? `${fmtNum(c.mibs, 1)} MiB/s` : `${fmtNum(c.util_pct, 1)} %`,
    }))),
  }));
}

/**
 * The NVMe/TCP experiment's table: per link speed our modelled read+write and offload MiB/s,
 * their ratio and the link's busy %, each row followed by seed 000's published figures for
 * the same case (src/reproduce/seed000-published.ts, the 2023 table), as npm run reproduce
 * prints them.
 */
export function tcpComparison(r: TcpRun): { caption: string; head: string[]; rows: string[][] } {
  const speeds = [...new Set(r.cases.map((c) => c.gbps))].sort((x, y) => x - y);
  const rows = speeds.flatMap((g) => {
    const rw = r.cases.find((c) => c.gbps === g && c.mode === "read+write")!;
    const cp = r.cases.find((c) => c.gbps === g && c.mode === "offload")!;
    const ours = [`${g} Gb/s`, rw.mibs.toFixed(1), cp.mibs.toFixed(1), `${(cp.mibs / rw.mibs).toFixed(2)}x`, rw.util_pct.toFixed(2), cp.util_pct.toFixed(2)];
    const p = SEED000_PUBLISHED.find((f) => f.series === "" && f.gbps === g && f.bs === r.bs && f.ranges === r.ranges);
    if (!p) return [ours];
    return [ours, [`${g} Gb/s, seed 000`, String(p.rw_mibs), String(p.copy_mibs), `${(p.copy_mibs / p.rw_mibs).toFixed(2)}x`, String(p.rw_util_pct), String(p.copy_util_pct)]];
  });
  return {
    caption: `NVMe/TCP, bs ${r.bs}, ${r.ranges} range(s), 16 psync jobs (modelled; ${(r.wall_ms / 1000).toFixed(1)} s to run), beside seed 000's published figures`,
    head: ["Link", "read+write MiB/s", "offload MiB/s", "offload / read+write", "link busy, read+write %", "link busy, offload %"],
    rows,
  };
}

// ---- formatting ----

/** A number with thousands separators (en-US, so pages and tests read the same). */
export function fmtNum(v: number, digits = 0): string {
  return v.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Bytes exactly, then in binary units when large: "2,129,920 B (2.03 MiB)". */
export function fmtBytes(b: number): string {
  const exact = `${fmtNum(Math.round(b))} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let v = b, u = -1;
  while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
  return u < 0 ? exact : `${exact} (${v.toFixed(2)} ${units[u]})`;
}

/** A short axis value: 1.5k, 20M; small values with up to 2 decimals. */
export function fmtSI(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e9) return `${+(v / 1e9).toPrecision(3)}G`;
  if (a >= 1e6) return `${+(v / 1e6).toPrecision(3)}M`;
  if (a >= 1e3) return `${+(v / 1e3).toPrecision(3)}k`;
  if (a === 0) return "0";
  return `${+v.toPrecision(3)}`;
}

/** Modelled time for axes and keys, two decimals: "286.68 µs", "15.03 ms" (whole ns first, as web/app/time.ts). */
export function fmtTime(ns: number): string {
  ns = ktimeNs(ns);
  if (ns >= 1e9) return `${(ns / 1e9).toFixed(3)} s`;
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(2)} ms`;
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(2)} µs`;
  return `${ns.toFixed(0)} ns`;
}
