// Text readers of the block layer's event stream and disk counters, in the formats of the tools
// people already read: blkparse's default output (blktrace's blkparse_fmt.c process_default,
// the message lines of blkparse.c handle_notify, and the end-of-run summary of
// show_device_and_cpu_stats / dump_io_stats), and fio's "Disk stats (read/write)" block and
// disk_util JSON objects (fio stat.c print_disk_util / json_array_add_disk_util). Pure
// functions over BlkEvent and DiskStats: no I/O, no Node or DOM APIs.
//
// Where blkparse's behaviour is odd it is kept, so a line here reads like a line from the tool:
// the action and RWBS columns are right-aligned (%2s, %3s); a completion error is the kernel's
// negative errno stored in blk_io_trace's 16-bit error field (-EIO prints as 65531); message
// lines carry sequence "0" and pid 0; per-CPU blocks are followed by a Total block only when
// more than one CPU saw events; counts and KiB group thousands with commas (en_US LC_NUMERIC).

import { BLK_STATUS_ERRNO, BLK_STATUS_NAMES } from "./bio";
import type { DiskStats } from "./disk";
import type { BlkEvent } from "./trace";

// ---- printf helpers ----

const padL = (s: string | number, w: number) => String(s).padStart(w, " ");
const padR = (s: string | number, w: number) => String(s).padEnd(w, " ");

/** printf's ' flag with LC_NUMERIC=en_US: digits grouped in threes with commas. */
export function groupThousands(n: number): string {
  const s = String(Math.trunc(n));
  const neg = s.startsWith("-");
  const d = neg ? s.slice(1) : s;
  let out = "";
  for (let i = 0; i < d.length; i++) {
    if (i > 0 && (d.length - i) % 3 === 0) out += ",";
    out += d[i];
  }
  return neg ? "-" + out : out;
}

/**
 * printf("%.2f"): like toFixed(2), but an exact tie (a binary fraction ending in .125, .375,
 * .625 or .875 at the third decimal) rounds half to even as glibc does, where toFixed rounds up.
 */
export function fixed2(x: number): string {
  if (Number.isFinite(x) && Number.isInteger(x * 8) && !Number.isInteger(x * 4)) {
    const scaled = x * 100; // exact: x is a multiple of 1/8
    let n = Math.floor(scaled);
    if (n % 2 !== 0) n += 1;
    const neg = n < 0;
    const a = Math.abs(n);
    return `${neg ? "-" : ""}${Math.floor(a / 100)}.${String(a % 100).padStart(2, "0")}`;
  }
  return x.toFixed(2);
}

// ---- one event ----

/** blk_status name -> errno (blk_status_to_errno); an unknown name is -EIO as in the kernel. */
const ERRNO_BY_NAME: Record<string, number> = Object.fromEntries(
  Object.entries(BLK_STATUS_NAMES).map(([code, name]) => [name, BLK_STATUS_ERRNO[Number(code)] ?? -5]),
);

/**
 * The value blkparse prints in "[error]" for a C or R event: the kernel records
 * blk_status_to_errno(status) in blk_io_trace.error, a __u16, and blkparse prints it with %d,
 * so -EIO (-5) reads 65531. No error: 0.
 */
export function traceErrorValue(error: string | undefined): number {
  if (error === undefined || error === "BLK_STS_OK") return 0;
  const errno = ERRNO_BY_NAME[error] ?? -5;
  return errno & 0xffff;
}

/** blkparse keeps comm in a char[16]: at most 15 characters. */
const comm = (e: BlkEvent) => e.comm.slice(0, 15);

/** get_pdu_int returns an unsigned int: X's split sector and U's depth print modulo 2^32. */
const u32 = (n: number) => ((n % 2 ** 32) + 2 ** 32) % 2 ** 32;

function timeFields(time_ns: number): { sec: number; nsec: number } {
  const t = Math.max(0, Math.trunc(time_ns));
  const sec = Math.floor(t / 1e9);
  return { sec, nsec: t - sec * 1e9 };
}

/**
 * The header "%3d,%-3d %2d %8d %5d.%09lu %5u %2s %3s " (device, CPU, sequence, time, pid,
 * action, RWBS) followed by the tail.
 */
function header(e: BlkEvent, seq: string, pid: number, action: string): string {
  const { sec, nsec } = timeFields(e.time_ns);
  return `${padL(e.major, 3)},${padR(e.minor, 3)} ${padL(e.cpu, 2)} ${padL(seq, 8)} ${padL(sec, 5)}.${String(nsec).padStart(9, "0")} ${padL(pid, 5)} ${padL(action, 2)} ${padL(blkparseRwbs(e.rwbs), 3)} `;
}

/**
 * The RWBS blkparse prints for the event stream's (fill_rwbs in blkparse_fmt.c works from the
 * trace's category bits): a write-zeroes is a plain write there (the stream's WZ), and a
 * REQ_OP_FLUSH request (the stream's F, or FF with REQ_PREFLUSH as blk_fill_rwbs writes the
 * request blk_kick_flush makes) has the flush category, is not a write (op_is_write) and
 * carries no bytes: F, then N.
 */
export function blkparseRwbs(rwbs: string): string {
  if (rwbs.startsWith("WZ")) return "W" + rwbs.slice(2);
  if (rwbs === "F" || rwbs === "FS") return "FN" + rwbs.slice(1);
  if (rwbs === "FF" || rwbs === "FFS") return "FN" + rwbs.slice(2);
  return rwbs;
}

/** One event as blkparse's default format prints it (one line, no newline). */
export function formatEvent(e: BlkEvent): string {
  // Messages (BLK_TN_MESSAGE) are printed by handle_notify, with sequence "0" and pid 0.
  if (e.action === "m") return `${header({ ...e, rwbs: "N" }, "0", 0, "m")}${e.text ?? ""}`;

  const h = header(e, String(e.sequence ?? e.seq), e.pid, e.action);
  const range = `${e.sector} + ${e.sectors}`;
  switch (e.action) {
    case "C":
    case "R":
      return `${h}${e.sectors ? range : e.sector} [${traceErrorValue(e.error)}]`;
    case "Q":
    case "I":
    case "D":
    case "M":
    case "F":
    case "G":
    case "S":
      return `${h}${e.sectors ? `${range} ` : ""}[${comm(e)}]`;
    case "P":
      return `${h}[${comm(e)}]`;
    case "U":
    case "UT":
      return `${h}[${comm(e)}] ${u32(e.depth ?? 0)}`;
    case "X":
      return `${h}${e.sector} / ${u32(e.splitAt ?? 0)} [${comm(e)}]`;
    case "A":
      return `${h}${range} <- (${e.fromMajor ?? 0},${e.fromMinor ?? 0}) ${e.fromSector ?? 0}`;
  }
}

// ---- the end-of-run summary ----

/** blkparse's struct io_stats, the fs (non-passthrough) part: counts, KiB and leftover bytes. */
export interface IoStats {
  qreads: number; qwrites: number; qread_kb: number; qwrite_kb: number; qread_b: number; qwrite_b: number;
  ireads: number; iwrites: number; iread_kb: number; iwrite_kb: number; iread_b: number; iwrite_b: number;
  creads: number; cwrites: number; cread_kb: number; cwrite_kb: number; cread_b: number; cwrite_b: number;
  mreads: number; mwrites: number; mread_kb: number; mwrite_kb: number; mread_b: number; mwrite_b: number;
  rrqueue: number; wrqueue: number;
  io_unplugs: number; timer_unplugs: number;
}

export function newIoStats(): IoStats {
  return {
    qreads: 0, qwrites: 0, qread_kb: 0, qwrite_kb: 0, qread_b: 0, qwrite_b: 0,
    ireads: 0, iwrites: 0, iread_kb: 0, iwrite_kb: 0, iread_b: 0, iwrite_b: 0,
    creads: 0, cwrites: 0, cread_kb: 0, cwrite_kb: 0, cread_b: 0, cwrite_b: 0,
    mreads: 0, mwrites: 0, mread_kb: 0, mwrite_kb: 0, mread_b: 0, mwrite_b: 0,
    rrqueue: 0, wrqueue: 0, io_unplugs: 0, timer_unplugs: 0,
  };
}

/**
 * The direction blkparse accounts an event under (BLK_TC_WRITE): writes, discards and copy
 * destinations ("CW") are writes; reads, copy sources ("CR") and no-data events are reads.
 */
export const isWrite = (rwbs: string) => /[WD]/.test(rwbs);

/** What formatTrace's summary is computed from. */
export interface TraceSummary {
  /** Per CPU that saw at least one event (messages included), ascending. */
  cpus: Array<{ cpu: number; stats: IoStats }>;
  total: IoStats;
  /** Highest number of dispatched, not yet completed requests, per direction (0 read, 1 write). */
  maxDepth: [number, number];
  events: number;
  first_ns: number;
  last_ns: number;
}

/** Account events as blkparse's dump_trace_fs does (per CPU), plus the device's queue depth. */
export function summarize(events: BlkEvent[]): TraceSummary {
  const perCpu = new Map<number, IoStats>();
  const cur: [number, number] = [0, 0];
  const maxDepth: [number, number] = [0, 0];
  let first = Infinity;
  let last = -Infinity;
  for (const e of events) {
    first = Math.min(first, e.time_ns);
    last = Math.max(last, e.time_ns);
    let s = perCpu.get(e.cpu);
    if (!s) perCpu.set(e.cpu, (s = newIoStats()));
    if (e.action === "m") continue;
    const w = isWrite(e.rwbs) ? 1 : 0;
    const bytes = e.sectors * 512;
    const kb = Math.floor(bytes / 1024);
    const b = bytes % 1024;
    switch (e.action) {
      case "Q":
        if (w) { s.qwrites++; s.qwrite_kb += kb; s.qwrite_b += b; } else { s.qreads++; s.qread_kb += kb; s.qread_b += b; }
        break;
      case "M":
      case "F":
        if (w) { s.mwrites++; s.mwrite_kb += kb; s.mwrite_b += b; } else { s.mreads++; s.mread_kb += kb; s.mread_b += b; }
        break;
      case "D":
        if (w) { s.iwrites++; s.iwrite_kb += kb; s.iwrite_b += b; } else { s.ireads++; s.iread_kb += kb; s.iread_b += b; }
        cur[w]++;
        if (cur[w] > maxDepth[w]) maxDepth[w] = cur[w];
        break;
      case "R":
        if (cur[w]) cur[w]--;
        if (w) { s.wrqueue++; s.iwrite_kb -= kb; s.iwrite_b -= b; } else { s.rrqueue++; s.iread_kb -= kb; s.iread_b -= b; }
        break;
      case "C":
        if (cur[w]) cur[w]--;
        if (w) { s.cwrites++; s.cwrite_kb += kb; s.cwrite_b += b; } else { s.creads++; s.cread_kb += kb; s.cread_b += b; }
        break;
      case "U":
        s.io_unplugs++;
        break;
      case "UT":
        s.timer_unplugs++;
        break;
    }
  }
  const cpus = [...perCpu.entries()].sort((a, b) => a[0] - b[0]).map(([cpu, stats]) => ({ cpu, stats }));
  const total = newIoStats();
  for (const { stats } of cpus) {
    for (const k of Object.keys(total) as Array<keyof IoStats>) total[k] += stats[k];
  }
  return {
    cpus, total, maxDepth, events: events.length,
    first_ns: events.length ? first : 0, last_ns: events.length ? last : 0,
  };
}

const SIZE_SUFFIX = ["", "K", "M", "G", "P"];

/** blkparse's size_cnv: "%'8Lu" plus a unit letter once the number passes a million. */
function sizeCnv(num: number, inKb: boolean): string {
  let i = inKb ? 1 : 0;
  let n = Math.max(0, Math.trunc(num));
  while (n > 1000 * 1000 && i < SIZE_SUFFIX.length - 1) {
    i++;
    n = Math.floor(n / 1000);
  }
  return padL(groupThousands(n), 8) + SIZE_SUFFIX[i];
}

const kib = (kb: number, b: number) => kb + Math.floor(b / 1024);

/** dump_io_stats: one block of the summary. Depth lines appear in per-CPU blocks only. */
function dumpIoStats(title: string, s: IoStats, depth: [number, number] | null): string {
  const n = (v: number) => sizeCnv(v, false);
  const k = (kb: number, b: number) => sizeCnv(kib(kb, b), true);
  let out = `${title}\n`;
  out += ` Reads Queued:    ${n(s.qreads)}, ${k(s.qread_kb, s.qread_b)}iB\t`;
  out += ` Writes Queued:    ${n(s.qwrites)}, ${k(s.qwrite_kb, s.qwrite_b)}iB\n`;
  out += ` Read Dispatches: ${n(s.ireads)}, ${k(s.iread_kb, s.iread_b)}iB\t`;
  out += ` Write Dispatches: ${n(s.iwrites)}, ${k(s.iwrite_kb, s.iwrite_b)}iB\n`;
  out += ` Reads Requeued:  ${n(s.rrqueue)}\t\t`;
  out += ` Writes Requeued:  ${n(s.wrqueue)}\n`;
  out += ` Reads Completed: ${n(s.creads)}, ${k(s.cread_kb, s.cread_b)}iB\t`;
  out += ` Writes Completed: ${n(s.cwrites)}, ${k(s.cwrite_kb, s.cwrite_b)}iB\n`;
  out += ` Read Merges:     ${n(s.mreads)}, ${k(s.mread_kb, s.mread_b)}iB\t`;
  out += ` Write Merges:     ${n(s.mwrites)}, ${k(s.mwrite_kb, s.mwrite_b)}iB\n`;
  if (depth) {
    out += ` Read depth:      ${padL(groupThousands(depth[0]), 8)}${padL(" ", 8)}\t`;
    out += ` Write depth:      ${padL(groupThousands(depth[1]), 8)}\n`;
  }
  out += ` IO unplugs:      ${padL(groupThousands(s.io_unplugs), 8)}${padL(" ", 8)}\t`;
  out += ` Timer unplugs:    ${padL(groupThousands(s.timer_unplugs), 8)}\n`;
  return out;
}

/**
 * blkparse's end-of-run summary for the events taken as one device called `name`: a block per
 * CPU, a Total block when more than one CPU saw events, then throughput, event count and skips.
 * Throughput is blkparse's ((1000 * KiB + leftover bytes) / ms) over the first-to-last event
 * span in whole ms (0 when that is 0).
 */
export function formatSummary(events: BlkEvent[], name = "nvmelab"): string {
  const sum = summarize(events);
  let out = "";
  for (const { cpu, stats } of sum.cpus) out += dumpIoStats(`CPU${cpu} (${name}):`, stats, sum.maxDepth);
  if (sum.cpus.length > 1) out += `\n${dumpIoStats(`Total (${name}):`, sum.total, null)}`;
  const msec = Math.floor((sum.last_ns - sum.first_ns) / 1e6);
  const t = sum.total;
  const rrate = msec ? Math.floor((1000 * t.cread_kb + t.cread_b) / msec) : 0;
  const wrate = msec ? Math.floor((1000 * t.cwrite_kb + t.cwrite_b) / msec) : 0;
  out += `\nThroughput (R/W): ${groupThousands(rrate)}KiB/s / ${groupThousands(wrate)}KiB/s\n`;
  out += `Events (${name}): ${groupThousands(sum.events)} entries\n`;
  // Sequence numbers here are global, not per CPU as the kernel's are: no gaps are reported.
  out += `Skips: 0 forward (0 -   0.0%)\n`;
  return out;
}

/**
 * Whether blkparse would print the event. A message without text is skipped by handle_notify.
 * S (a task sleeping for a tag) is kept by the model for the page's story of a bio, but the
 * kernels modelled here do not trace it: block_sleeprq belonged to the legacy request path
 * and is gone from include/trace/events/block.h, and blk_mq_get_tag sleeps untraced.
 */
export function inBlktrace(e: BlkEvent): boolean {
  return e.action === "m" ? !!e.text : e.action !== "S";
}

/**
 * The whole of blkparse's default output for a trace: every event it prints, in the order
 * given (the Tracer's order, which is time order), then the summary. With a name per device,
 * one summary per device in the order devices first appear (show_device_and_cpu_stats), named
 * as get_dev_name names it; with one name, one summary over everything. Events blktrace would
 * not have recorded (S) are not counted.
 */
export function formatTrace(events: BlkEvent[], name: string | ((major: number, minor: number) => string) = "nvmelab"): string {
  let out = "";
  for (const e of events) if (inBlktrace(e)) out += formatEvent(e) + "\n";
  const recorded = events.filter((e) => e.action !== "S");
  if (typeof name === "string") return out + formatSummary(recorded, name);
  const byDev = new Map<string, { name: string; evs: BlkEvent[] }>();
  for (const e of recorded) {
    const k = `${e.major},${e.minor}`;
    let d = byDev.get(k);
    if (!d) byDev.set(k, (d = { name: name(e.major, e.minor), evs: [] }));
    d.evs.push(e);
  }
  if (byDev.size === 0) return out + formatSummary([], name(0, 0));
  for (const d of byDev.values()) out += formatSummary(d.evs, d.name);
  return out;
}

// ---- fio's disk statistics ----

/** One element of fio's JSON "disk_util" array. ticks and in_queue in ms; util in percent. */
export interface DiskUtilJson {
  name: string;
  read_ios: number;
  write_ios: number;
  read_sectors: number;
  write_sectors: number;
  read_merges: number;
  write_merges: number;
  read_ticks: number;
  write_ticks: number;
  in_queue: number;
  util: number;
}

const ms = (ns: number) => Math.floor(ns / 1e6);

/** Busy time over the run, in percent, at most 100 (fio caps it); 0 for an empty span. */
export function diskUtil(stats: DiskStats, span_ns: number): number {
  if (!(span_ns > 0)) return 0;
  return Math.min(100, (100 * stats.busy_ns) / span_ns);
}

/** fio's disk_util JSON objects (json_array_add_disk_util), without the aggr_* fields. */
export function diskStatsJson(disks: Array<{ name: string; stats: DiskStats }>, span_ns: number): DiskUtilJson[] {
  return disks.map(({ name, stats: s }) => ({
    name,
    read_ios: s.ios[0],
    write_ios: s.ios[1],
    read_sectors: s.sectors[0],
    write_sectors: s.sectors[1],
    read_merges: s.merges[0],
    write_merges: s.merges[1],
    read_ticks: ms(s.ticks_ns[0]),
    write_ticks: ms(s.ticks_ns[1]),
    in_queue: ms(s.in_queue_ns),
    util: diskUtil(s, span_ns),
  }));
}

/**
 * fio's "Disk stats (read/write):" block (print_disk_util), one line per disk, each ending in a
 * newline. fio prints a blank line before the heading; that separator is the caller's. Empty
 * list: "" (fio prints nothing).
 */
export function formatDiskStats(disks: Array<{ name: string; stats: DiskStats }>, span_ns: number): string {
  if (disks.length === 0) return "";
  let out = "Disk stats (read/write):\n";
  for (const d of diskStatsJson(disks, span_ns)) {
    out += `  ${d.name}: ios=${d.read_ios}/${d.write_ios}, sectors=${d.read_sectors}/${d.write_sectors}, `
      + `merge=${d.read_merges}/${d.write_merges}, ticks=${d.read_ticks}/${d.write_ticks}, `
      + `in_queue=${d.in_queue}, util=${padL(fixed2(d.util), 3)}%\n`;
  }
  return out;
}
