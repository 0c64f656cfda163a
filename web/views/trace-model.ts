// The Trace view's logic, without DOM: which lines a run's trace shows under the view's filters
// (device, blktrace action, task), interleaved with the controller's QEMU-style lines; search
// over the printed lines; and the three exports: blkparse's text with its per-device summary,
// fio's "Disk stats (read/write)" block, and Chrome Trace Event JSON (which ui.perfetto.dev and
// chrome://tracing open). Lines are blkparse.ts's and controller/events.ts's: this module
// chooses and orders them, it never prints a block event itself.

import type { Action, BlkEvent, NvmeCommandRecord } from "../../src/block/trace";
import { devKey, deviceNamer, deviceNames as deviceNamesOf } from "../../src/block/devnames";
import { formatEvent as formatBlkEvent, formatDiskStats, formatTrace, inBlktrace, isWrite, traceErrorValue } from "../../src/block/blkparse";
import type { DiskStats } from "../../src/block/disk";
import { formatEvent as formatControllerEvent, type ControllerEvent } from "../../src/controller/events";
import { EVK_COMPLETE, EVC_ERROR } from "../../assembly/layout";
import { atModelledTime, movedLater } from "./controller-time";

/** The parts of a LabRun (src/lab/session.ts) the trace reads. */
export interface TraceRun {
  events: BlkEvent[];
  commands: NvmeCommandRecord[];
  /**
   * With ringTimeNs when on the modelled clock (traceRun), and blkBefore (src/lab/session.ts
   * LabControllerEvent) when the run says where each stands among the block events.
   */
  controller: Array<ControllerEvent & { ringTimeNs?: number; blkBefore?: number }>;
  disks: Array<{ name: string; major?: number; minor?: number; stats: DiskStats }>;
  end_ns: number;
}

/**
 * The run as the Trace view shows it: the controller's events on the modelled clock
 * (controller-time.ts), so a command's pci_nvme_enqueue_req_completion reads at the time of
 * its request's C line, not at its submission, and the interleaving follows those times.
 */
export function traceRun<R extends TraceRun>(run: R): R {
  return { ...run, controller: atModelledTime(run.controller, run.commands) };
}

// ---- actions ----

/**
 * blktrace's actions as blkparse(1) names them ("TRACE ACTIONS"), in the order the man page
 * lists them, plus m (BLK_TN_MESSAGE, printed by handle_notify). UT is the letter blkparse
 * prints for an unplug due to timer (__BLK_TA_UNPLUG_TIMER).
 */
export const ACTIONS: ReadonlyArray<{ action: Action; name: string }> = [
  { action: "Q", name: "queued" },
  { action: "X", name: "split" },
  { action: "A", name: "remap" },
  { action: "G", name: "get request" },
  { action: "S", name: "sleep" },
  { action: "P", name: "plug" },
  { action: "M", name: "back merge" },
  { action: "F", name: "front merge" },
  { action: "I", name: "inserted" },
  { action: "U", name: "unplug" },
  { action: "UT", name: "unplug due to timer" },
  { action: "D", name: "issued" },
  { action: "R", name: "requeue" },
  { action: "C", name: "complete" },
  { action: "m", name: "message" },
];

export const ACTION_NAME: Record<string, string> = Object.fromEntries(ACTIONS.map((a) => [a.action, a.name]));

// ---- devices ----

export { devKey };

/** Block device names by "major,minor" for a run (src/block/devnames.ts deviceNames). */
export function deviceNames(run: Pick<TraceRun, "disks">): Map<string, string> {
  return deviceNamesOf(run.disks);
}

export interface DeviceInfo {
  key: string;
  major: number;
  minor: number;
  name: string;
  events: number;
}

/** Devices that have events, in the order they first appear (blkparse's device order). */
export function traceDevices(run: Pick<TraceRun, "events" | "disks">): DeviceInfo[] {
  const names = deviceNames(run);
  const out = new Map<string, DeviceInfo>();
  for (const e of run.events) {
    const key = devKey(e.major, e.minor);
    let d = out.get(key);
    if (!d) out.set(key, (d = { key, major: e.major, minor: e.minor, name: names.get(key) ?? key, events: 0 }));
    d.events++;
  }
  return [...out.values()];
}

/**
 * A device as a user writes it: "259,0", "259:0", "nvme0n1" or "/dev/nvme0n1". Returns its
 * "major,minor" key, or undefined when nothing is called that.
 */
export function resolveDevice(spec: string, names: Map<string, string>): string | undefined {
  const s = spec.trim().replace(/^\/dev\//, "");
  const num = /^(\d+)[,:](\d+)$/.exec(s);
  if (num) return devKey(Number(num[1]), Number(num[2]));
  for (const [key, name] of names) if (name === s) return key;
  return undefined;
}

// ---- tasks ----

export interface TaskInfo {
  pid: number;
  comm: string;
  events: number;
}

export const taskKey = (t: { pid: number; comm: string }) => `${t.pid}:${t.comm}`;

/** Tasks (pid and comm) that have events, by pid then comm. */
export function traceTasks(events: BlkEvent[]): TaskInfo[] {
  const out = new Map<string, TaskInfo>();
  for (const e of events) {
    const key = taskKey(e);
    let t = out.get(key);
    if (!t) out.set(key, (t = { pid: e.pid, comm: e.comm, events: 0 }));
    t.events++;
  }
  return [...out.values()].sort((a, b) => a.pid - b.pid || a.comm.localeCompare(b.comm));
}

// ---- rows: which lines the list shows ----

/**
 * The view's filters. Unset means everything. A task matches on pid, comm or both; note that
 * completions run in interrupt context (pid 0, swapper), as in the kernel, so a task filter
 * leaves them out, as blkparse's would.
 */
export interface TraceFilter {
  /** "major,minor" or a name ("nvme0n1", "/dev/dm-0"). */
  device?: string;
  actions?: ReadonlySet<string>;
  task?: { pid?: number; comm?: string };
  /** Interleave the controller's lines (QEMU trace-events style) by time. */
  controller?: boolean;
}

/**
 * A row is an Int32 reference: r >= 0 is block event r; r < 0 is a controller line,
 * j = -r - 1, of controller event j >> 1, its (j & 1)-th printed line (an error completion
 * prints pci_nvme_err_req_status before pci_nvme_enqueue_req_completion, as QEMU does).
 */
export type RowRef = number;

export const controllerRef = (event: number, line: number): RowRef => -(event * 2 + line) - 1;

/**
 * The rows shown for a filter, in time order. Ties (a block event and a controller event at
 * one modelled time) in the order things happened:
 * - a controller event moved to its command's modelled completion (controller-time.ts
 *   movedLater) precedes the block events of its time: its CQE and interrupt cause the C;
 * - any other follows exactly the block events recorded before the controller step that
 *   recorded it (blkBefore) and precedes the rest: bring-up before the first Q, a command's
 *   doorbell and fetch right after the D whose queue_rq rang it, before the next bio's Q;
 * - one without blkBefore (a run made by hand) follows every block event of its time.
 * The controller's events come sorted that way (atModelledTime: at one time the moved ones
 * first, then the ring's order, in which blkBefore never decreases), so this is a merge.
 */
export function filterRows(run: Pick<TraceRun, "events" | "controller" | "disks">, f: TraceFilter): Int32Array {
  let dev: string | null = null;
  if (f.device !== undefined && f.device !== "") {
    dev = resolveDevice(f.device, deviceNames(run)) ?? "\0none";
  }
  const acts = f.actions;
  const pid = f.task?.pid;
  const comm = f.task?.comm;
  const evs = run.events;
  const blk = new Int32Array(evs.length);
  let n = 0;
  for (let i = 0; i < evs.length; i++) {
    const e = evs[i];
    // what blkparse prints (inBlktrace): no message without text (handle_notify), no S (the
    // modelled kernels do not trace a tag sleep; the story of a bio still shows it)
    if (!inBlktrace(e)) continue;
    if (dev !== null && devKey(e.major, e.minor) !== dev) continue;
    if (acts && !acts.has(e.action)) continue;
    if (pid !== undefined && e.pid !== pid) continue;
    if (comm !== undefined && e.comm !== comm) continue;
    blk[n++] = i;
  }
  if (!f.controller || run.controller.length === 0) return blk.slice(0, n);
  const ctl = run.controller;
  const lines = (j: number) => controllerLineCount(ctl[j]);
  let total = n;
  for (let j = 0; j < ctl.length; j++) total += lines(j);
  /** The first block event (by index into run.events) controller event j precedes at its time. */
  const before = (j: number) => (movedLater(ctl[j]) ? -1 : ctl[j].blkBefore ?? Infinity);
  const out = new Int32Array(total);
  let a = 0;
  let b = 0;
  let k = 0;
  while (a < n || b < ctl.length) {
    const first = b >= ctl.length || (a < n && (evs[blk[a]].time_ns < ctl[b].timeNs || (evs[blk[a]].time_ns === ctl[b].timeNs && blk[a] < before(b))));
    if (first) out[k++] = blk[a++];
    else {
      const m = lines(b);
      for (let l = 0; l < m; l++) out[k++] = controllerRef(b, l);
      b++;
    }
  }
  return out;
}

const padL = (s: string | number, w: number) => String(s).padStart(w, " ");

/** "%5d.%09lu", blkparse's time column, for the controller's lines. */
export function timeColumn(time_ns: number): string {
  const t = Math.max(0, Math.trunc(time_ns));
  const sec = Math.floor(t / 1e9);
  return `${padL(sec, 5)}.${String(t - sec * 1e9).padStart(9, "0")}`;
}

/** How many lines formatControllerEvent prints for e, without printing them. */
export const controllerLineCount = (e: ControllerEvent) => (e.kind === EVK_COMPLETE && e.cls === EVC_ERROR ? 2 : 1);

/** The QEMU-style lines of one controller event (usually one; an error completion two). */
export function controllerLines(e: ControllerEvent): string[] {
  return formatControllerEvent(e).split("\n");
}

/**
 * A controller line in the list: "nvme0" where blkparse prints the device, the event's ring
 * sequence number and time in blkparse's columns, then QEMU's event name and fields where
 * blkparse prints the pid, so both kinds of line read down the same time column.
 */
export function formatControllerRow(e: ControllerEvent, line: number): string {
  return `nvme0      ${padL(e.seq + 1, 8)} ${timeColumn(e.timeNs)} ${controllerLines(e)[line] ?? ""}`;
}

/** The printed line of a row. */
export function rowLine(run: Pick<TraceRun, "events" | "controller">, r: RowRef): string {
  if (r >= 0) return formatBlkEvent(run.events[r]);
  const j = -r - 1;
  return formatControllerRow(run.controller[j >> 1], j & 1);
}

export const rowTime = (run: Pick<TraceRun, "events" | "controller">, r: RowRef): number =>
  r >= 0 ? run.events[r].time_ns : run.controller[(-r - 1) >> 1].timeNs;

// ---- search ----

export interface Matcher {
  test(line: string): boolean;
  /** [start, end) of each match in the line, for highlighting. */
  ranges(line: string): Array<[number, number]>;
}

/**
 * A case-insensitive search: plain text, or a regular expression when regex is set. An empty
 * query matches nothing; a bad expression throws with the browser's message.
 */
export function makeMatcher(query: string, regex = false): Matcher | null {
  if (query === "") return null;
  if (!regex) {
    const q = query.toLowerCase();
    return {
      test: (line) => line.toLowerCase().includes(q),
      ranges: (line) => {
        const out: Array<[number, number]> = [];
        const l = line.toLowerCase();
        for (let i = l.indexOf(q); i >= 0; i = l.indexOf(q, i + q.length)) out.push([i, i + q.length]);
        return out;
      },
    };
  }
  const re = new RegExp(query, "i");
  const all = new RegExp(query, "gi");
  return {
    test: (line) => re.test(line),
    ranges: (line) => {
      const out: Array<[number, number]> = [];
      all.lastIndex = 0;
      for (let m = all.exec(line); m; m = all.exec(line)) {
        if (m[0].length === 0) { all.lastIndex++; continue; }
        out.push([m.index, m.index + m[0].length]);
      }
      return out;
    },
  };
}

/**
 * Search rows[from, to) and append the positions (indices into rows) whose line matches. The
 * view calls it a slice at a time so a million lines never block the page.
 */
export function searchRows(run: Pick<TraceRun, "events" | "controller">, rows: Int32Array, m: Matcher, from: number, to: number, out: number[]): void {
  const end = Math.min(to, rows.length);
  for (let i = from; i < end; i++) if (m.test(rowLine(run, rows[i]))) out.push(i);
}

/** The match after (dir 1) or before (dir -1) position pos, wrapping around; -1 when none. */
export function nextMatch(matches: ArrayLike<number>, pos: number, dir: 1 | -1): number {
  const n = matches.length;
  if (n === 0) return -1;
  // binary search for the first match > pos (dir 1) or the last < pos (dir -1)
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (dir === 1 ? matches[mid] <= pos : matches[mid] < pos) lo = mid + 1;
    else hi = mid;
  }
  if (dir === 1) return lo < n ? lo : 0;
  return lo > 0 ? lo - 1 : n - 1;
}

// ---- exports ----

/**
 * blkparse's default output for the given events (formatTrace): every line blkparse prints,
 * then the summary of each device in the order devices first appear, named as blkparse's
 * get_dev_name names them (the trace's device name).
 */
export function exportText(run: Pick<TraceRun, "events" | "disks">, events: BlkEvent[]): string {
  return formatTrace(events, deviceNamer(run.disks));
}

/** fio's "Disk stats (read/write):" block for the run's disks (all, or those named). */
export function exportDiskStats(run: Pick<TraceRun, "disks" | "end_ns">, only?: ReadonlySet<string>): string {
  const disks = only ? run.disks.filter((d) => only.has(d.name)) : run.disks;
  return formatDiskStats(disks, run.end_ns);
}

/** One event of the Trace Event Format (Chrome's JSON trace format, which Perfetto reads). */
export interface ChromeTraceEvent {
  name: string;
  ph: "M" | "X" | "i" | "b" | "e" | "C";
  pid: number;
  tid: number;
  ts?: number;
  dur?: number;
  cat?: string;
  id?: string;
  s?: "t" | "p" | "g";
  args?: Record<string, unknown>;
}

export interface ChromeTrace {
  traceEvents: ChromeTraceEvent[];
  displayTimeUnit: "ns";
  otherData: Record<string, string>;
}

/** The controller's process; devices use major * 1000 + minor, so 259,0 is pid 259000. */
export const CONTROLLER_PID = 1;
export const devicePid = (major: number, minor: number) => major * 1000 + minor;
/** Controller process: thread 1 carries the controller's events; each SQ has lanes of commands. */
export const CONTROLLER_EVENTS_TID = 1;
/** The track of lane `lane` of SQ qid (lanes: see chromeTrace). */
export const commandTid = (qid: number, lane: number) => 0x10000 * (qid + 1) + lane;
/** Device process: one thread per CPU, as blktrace keeps one buffer per CPU. */
export const cpuTid = (cpu: number) => cpu + 1;

const us = (ns: number) => ns / 1000;
const hex = (n: number, w = 4) => `0x${n.toString(16).padStart(w, "0")}`;

function commandArgs(c: NvmeCommandRecord): Record<string, unknown> {
  const a: Record<string, unknown> = { disk: c.disk, rq: c.rq, qid: c.qid, cid: c.cid, opcode: hex(c.opcode, 2), nsid: c.nsid };
  if (c.slba !== undefined) a[c.opcode === 0x19 ? "sdlba" : "slba"] = c.slba;
  if (c.blocks !== undefined) a.blocks = c.blocks;
  if (c.nr !== undefined) a.ranges = c.nr;
  if (c.ranges) a.range_list = c.ranges.map((r) => `${r.nsid !== undefined ? `ns${r.nsid}:` : ""}${r.slba}+${r.nlb}`).join(" ");
  if (c.status !== undefined) a.status = hex(c.status);
  if (c.dw0 !== undefined) a.dw0 = hex(c.dw0, 8);
  return a;
}

/**
 * The run as Chrome Trace Event JSON (the "Trace Event Format" document): one process per
 * block device (thread per CPU) and one for the controller nvme0. On a device:
 * - each bio is an async span ("b"/"e", cat "bio", id "bio:N") from the first event naming it
 *   (Q, or A for a remapped clone, X for a split-off part) to its completion: its own C on a
 *   bio-based device (dm), or the C of the request it joined (G or M) on a request-based one;
 * - each request is an async span (cat "request", id "rq:dev:N") from G to C;
 * - every other action (A, X, M, F, P, I, U, UT, S, D, R, m) is an instant event on its CPU,
 *   with the blkparse line in args.line;
 * - a counter "in flight" follows dispatched, not completed requests (reads, writes).
 * On the controller: each NVMe command is a complete event ("X") from submission to
 * completion, on a lane of its SQ (a track per lane, so slices never overlap); with `controller`, every controller event is an instant
 * on the events track with its QEMU-style line. Spans still open when the run ended end at
 * end_ns with args.unfinished. Times are microseconds (ts), shown in ns (displayTimeUnit).
 */
export function chromeTrace(run: TraceRun, o: { title?: string; controller?: boolean } = {}): ChromeTrace {
  const names = deviceNames(run);
  const meta: ChromeTraceEvent[] = [];
  const ev: ChromeTraceEvent[] = [];
  const end = Math.max(run.end_ns, ...run.events.slice(-1).map((e) => e.time_ns));
  const threads = new Set<string>();
  const devices = new Map<string, number>();

  const device = (e: BlkEvent): number => {
    const key = devKey(e.major, e.minor);
    let pid = devices.get(key);
    if (pid === undefined) {
      pid = devicePid(e.major, e.minor);
      devices.set(key, pid);
      meta.push({ name: "process_name", ph: "M", pid, tid: 0, args: { name: `${names.get(key) ?? "block device"} (${key})` } });
      // stacked devices (dm, higher majors first) above the disks they map to
      meta.push({ name: "process_sort_index", ph: "M", pid, tid: 0, args: { sort_index: (1000 - e.major) * 1000 + e.minor } });
    }
    const tid = cpuTid(e.cpu);
    if (!threads.has(`${pid}/${tid}`)) {
      threads.add(`${pid}/${tid}`);
      meta.push({ name: "thread_name", ph: "M", pid, tid, args: { name: `CPU ${e.cpu}` } });
      meta.push({ name: "thread_sort_index", ph: "M", pid, tid, args: { sort_index: e.cpu } });
    }
    return pid;
  };

  interface Open { name: string; cat: string; id: string; pid: number; tid: number }
  const openBios = new Map<number, Open>();
  const openRqs = new Map<string, Open>();
  const rqBios = new Map<string, number[]>();
  const inflight = new Map<number, [number, number]>();
  const close = (o: Open, ts: number, args?: Record<string, unknown>) =>
    ev.push({ name: o.name, ph: "e", cat: o.cat, id: o.id, pid: o.pid, tid: o.tid, ts, ...(args ? { args } : {}) });

  for (const e of run.events) {
    const pid = device(e);
    const tid = cpuTid(e.cpu);
    const ts = us(e.time_ns);
    const key = devKey(e.major, e.minor);
    const line = formatBlkEvent(e);
    if (e.bio !== undefined && !openBios.has(e.bio) && (e.action === "Q" || e.action === "A" || e.action === "X")) {
      const o: Open = { name: `bio ${e.rwbs}`, cat: "bio", id: `bio:${e.bio}`, pid, tid };
      openBios.set(e.bio, o);
      ev.push({ name: o.name, ph: "b", cat: o.cat, id: o.id, pid, tid, ts, args: { bio: e.bio, sector: e.sector, sectors: e.sectors, rwbs: e.rwbs, task: `${e.comm} (${e.pid})` } });
    }
    if ((e.action === "G" || e.action === "M" || e.action === "F") && e.bio !== undefined && e.rq !== undefined) {
      const rk = `${key}/${e.rq}`;
      let l = rqBios.get(rk);
      if (!l) rqBios.set(rk, (l = []));
      l.push(e.bio);
    }
    if (e.action === "G" && e.rq !== undefined) {
      const o: Open = { name: `rq ${e.rwbs}`, cat: "request", id: `rq:${key}:${e.rq}`, pid, tid };
      openRqs.set(`${key}/${e.rq}`, o);
      ev.push({ name: o.name, ph: "b", cat: o.cat, id: o.id, pid, tid, ts, args: { rq: e.rq, sector: e.sector, sectors: e.sectors, rwbs: e.rwbs } });
    }
    const depth = () => {
      let d = inflight.get(pid);
      if (!d) inflight.set(pid, (d = [0, 0]));
      return d;
    };
    if (e.action === "D" && e.rq !== undefined) {
      const d = depth();
      d[isWrite(e.rwbs) ? 1 : 0]++;
      ev.push({ name: "in flight", ph: "C", pid, tid, ts, args: { reads: d[0], writes: d[1] } });
    }
    if (e.action === "C" || (e.action === "R" && e.rq !== undefined)) {
      if (e.rq !== undefined) {
        const d = depth();
        const w = isWrite(e.rwbs) ? 1 : 0;
        if (d[w] > 0) d[w]--;
        ev.push({ name: "in flight", ph: "C", pid, tid, ts, args: { reads: d[0], writes: d[1] } });
      }
    }
    if (e.action === "C") {
      const err = traceErrorValue(e.error);
      const done = { error: err, ...(e.error ? { status: e.error } : {}) };
      if (e.rq !== undefined) {
        const rk = `${key}/${e.rq}`;
        for (const b of rqBios.get(rk) ?? []) {
          const o = openBios.get(b);
          if (o) { close(o, ts, done); openBios.delete(b); }
        }
        rqBios.delete(rk);
        const o = openRqs.get(rk);
        if (o) { close(o, ts, done); openRqs.delete(rk); }
      }
      if (e.bio !== undefined) {
        const o = openBios.get(e.bio);
        if (o) { close(o, ts, done); openBios.delete(e.bio); }
      }
      continue;
    }
    if (e.action === "Q" || e.action === "G") continue; // the spans' starts
    if (e.action === "m" && !e.text) continue;
    const name = e.action === "m" ? (e.text ?? "") : `${e.action} ${ACTION_NAME[e.action] ?? ""}`.trim();
    ev.push({ name, ph: "i", s: "t", cat: e.action === "m" ? "message" : "block", pid, tid, ts, args: { line, task: `${e.comm} (${e.pid})`, ...(e.bio !== undefined ? { bio: e.bio } : {}), ...(e.rq !== undefined ? { rq: e.rq } : {}) } });
  }
  for (const o of openBios.values()) close(o, us(end), { unfinished: true });
  for (const o of openRqs.values()) close(o, us(end), { unfinished: true });

  const ctl = CONTROLLER_PID;
  if (run.commands.length || (o.controller && run.controller.length)) {
    meta.push({ name: "process_name", ph: "M", pid: ctl, tid: 0, args: { name: "nvme0 (controller)" } });
    meta.push({ name: "process_sort_index", ph: "M", pid: ctl, tid: 0, args: { sort_index: 2000 } });
  }
  // Lanes: commands on one SQ overlap in modelled time, and their CIDs do not keep them apart
  // (the stepped controller completes a command, and the driver frees its CID, before its
  // modelled completion time), so each command takes the lowest lane of its SQ free at its
  // submission: a track never holds two overlapping slices.
  const lanes = new Map<number, number[]>();
  const byTime = run.commands.map((c, i) => ({ c, i })).sort((a, b) => a.c.time_ns - b.c.time_ns || a.i - b.i);
  for (const { c } of byTime) {
    const done = c.done_ns ?? end;
    let free = lanes.get(c.qid);
    if (!free) lanes.set(c.qid, (free = []));
    let lane = free.findIndex((busyUntil) => busyUntil <= c.time_ns);
    if (lane < 0) lane = free.push(0) - 1;
    free[lane] = Math.max(done, c.time_ns);
    const tid = commandTid(c.qid, lane);
    if (!threads.has(`${ctl}/${tid}`)) {
      threads.add(`${ctl}/${tid}`);
      meta.push({ name: "thread_name", ph: "M", pid: ctl, tid, args: { name: `SQ ${c.qid} lane ${lane}` } });
      meta.push({ name: "thread_sort_index", ph: "M", pid: ctl, tid, args: { sort_index: tid } });
    }
    ev.push({
      name: c.name, ph: "X", cat: "nvme", pid: ctl, tid, ts: us(c.time_ns), dur: us(Math.max(0, done - c.time_ns)),
      args: { ...commandArgs(c), ...(c.done_ns === undefined ? { unfinished: true } : {}) },
    });
  }
  if (o.controller && run.controller.length) {
    meta.push({ name: "thread_name", ph: "M", pid: ctl, tid: CONTROLLER_EVENTS_TID, args: { name: "controller events" } });
    meta.push({ name: "thread_sort_index", ph: "M", pid: ctl, tid: CONTROLLER_EVENTS_TID, args: { sort_index: 0 } });
    for (const e of run.controller) {
      const lines = controllerLines(e);
      const name = lines[lines.length - 1].split(" ", 1)[0];
      ev.push({ name, ph: "i", s: "t", cat: "controller", pid: ctl, tid: CONTROLLER_EVENTS_TID, ts: us(e.timeNs), args: { line: lines.join("\n"), seq: e.seq } });
    }
  }
  // a stable sort keeps each span's "b" before its "e" at equal times
  ev.sort((a, b) => (a.ts ?? 0) - (b.ts ?? 0));
  return {
    traceEvents: [...meta, ...ev],
    displayTimeUnit: "ns",
    otherData: { producer: "nvmelab", ...(o.title ? { title: o.title } : {}) },
  };
}

/** A file name for an export: the experiment's id (or "setup"), the run number, the kind. */
export function exportName(experiment: string | undefined, runSeq: number, kind: "blkparse.txt" | "diskstats.txt" | "trace.json"): string {
  const base = (experiment ?? "setup").replace(/[^A-Za-z0-9._-]+/g, "-");
  return `${base}-run${runSeq}.${kind}`;
}
