// fio's end-of-run report, from a FioResult: the normal text layout (stat.c __show_run_stats:
// show_thread_status_normal per job, show_group_stats per reporting group, show_disk_util) and
// the JSON layout (show_thread_status_json, add_ddir_status_json, json.c's printer), as fio 3.35
// (the base of the copy-offload fork) prints them. The fork's copy direction is a fourth data
// direction printed like the others ("copy" / "COPY"): after trim in the job block, the group
// block and the JSON job object, and in the fourth slot of "issued rwts" (where upstream has
// sync: a job's fsyncs are counted there too; a copy job does not write, so it never syncs).
// The fork's own stat.c was not available to check this placement; it is what treating copy
// as the direction after trim gives.
//
// Numbers go through fio's own rounding: num2str (lib/num2str.c) for sizes, rates and IOPS,
// glibc printf for %f (round half to even on exact ties), and fio's integer arithmetic for
// bandwidth (bytes * 1000 / ms). Written from fio's format strings; no fio code is copied.

import {
  DEFAULT_PERCENTILES, LAT_M_RANGES, LAT_N_RANGES, LAT_U_RANGES, calcLat, latBuckets, mergeLat,
  newLatStat, percentiles, platIdxToVal, statCalcDist, statCalcLat, statOf, sumLatPure, type LatBuckets,
} from "./stats";
import { FIO_DIRS, type DirResult, type FioDir, type FioDiskUtil, type FioJob, type FioResult, type JobResult, type LatStat } from "./types";
import { reportingGroups } from "./job";

/**
 * The fio whose output this report reproduces (fio_version_string): the layout is fio 3.35's
 * (the base of the copy-offload fork), printed in the JSON's "fio version" and in the normal
 * output's version line.
 */
export const FIO_VERSION = "fio-3.35";


// ---- printf and num2str ----

/**
 * printf("%.<n>f"): toFixed, except that an exact tie rounds half to even as glibc does (toFixed
 * rounds it away from zero). toFixed gives a double's exact decimal digits, which shows a tie.
 */
export function cFixed(x: number, n: number): string {
  const s = x.toFixed(n);
  if (!Number.isFinite(x) || Math.abs(x) >= 1e21) return s;
  const exact = Math.abs(x).toFixed(100);
  const dot = exact.indexOf(".");
  const rest = exact.slice(dot + 1 + n);
  if (!/^50*$/.test(rest)) return s;
  // A tie: keep the truncated digits when the last kept digit is even.
  const kept = n > 0 ? exact.slice(0, dot + 1 + n) : exact.slice(0, dot);
  const last = Number(kept[kept.length - 1]);
  if (last % 2 !== 0) return s;
  return (x < 0 ? "-" : "") + kept;
}

/** printf("%<w>.<n>f"). */
const fw = (x: number, w: number, n: number) => cFixed(x, n).padStart(w, " ");
/** printf("%<w>d") / "%<w>llu". */
const iw = (x: number, w: number) => String(x).padStart(w, " ");

type N2sUnit = "" | "B" | "B/s";

/**
 * fio's num2str(num, maxlen, base, pow2, units): divide by 1000 (or 1024) until at most maxlen
 * digits remain, then show as many decimals of the last remainder as fit in maxlen counting the
 * point (a fraction that rounds up to 1 carries into the whole part), or with no room for
 * decimals round the remainder into the last digit. SI prefixes k/M/G/T/P, IEC Ki/Mi/Gi/Ti/Pi.
 */
export function num2str(num: number, maxlen: number, base: number, pow2: boolean, units: N2sUnit): string {
  const prefixes = pow2 ? ["", "Ki", "Mi", "Gi", "Ti", "Pi"] : ["", "k", "M", "G", "T", "P"];
  const thousand = pow2 ? 1024 : 1000;
  let n = Math.max(0, Math.floor(num));
  let post = 0;
  for (let b = base; b > 1; post++) b = Math.floor(b / thousand);
  let modulo = -1;
  let carry = false;
  while (post < prefixes.length) {
    if (String(n).length <= maxlen) break;
    modulo = n % thousand;
    n = Math.floor(n / thousand);
    carry = modulo >= thousand / 2;
    post++;
  }
  const done = () => `${n}${prefixes[post >= prefixes.length ? 0 : post] ?? ""}${units}`;
  if (modulo === -1) return done();
  const len = String(n).length;
  if (maxlen - len <= 1) {
    if (carry) n++;
    return done();
  }
  const frac = cFixed(modulo / thousand, maxlen - len - 1);
  // num2str prints the rounded fraction's digits after "0." and, when the rounding carried
  // into the units ("%.1f" of 0.97 is "1.0"), adds one to the whole part: 19970 is 20.0k.
  if (frac[0] === "1") n++;
  return `${n}.${frac.slice(2)}${prefixes[post]}${units}`;
}

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/**
 * ctime(3) of seconds since the epoch, without the trailing newline, in UTC so the report does
 * not depend on the machine's zone: "Thu Jan  1 00:00:00 1970" for 0.
 */
export function ctimeUtc(seconds: number): string {
  const d = new Date(Math.floor(seconds) * 1000);
  const p2 = (v: number) => String(v).padStart(2, "0");
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]}${iw(d.getUTCDate(), 3)} `
    + `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
}

/** (a * b) / c in unsigned 64-bit integer arithmetic, as fio computes rates (exact past 2^53). */
function mulDiv(a: number, b: number, c: number): number {
  if (!c) return 0;
  return Number((BigInt(Math.floor(a)) * BigInt(Math.floor(b))) / BigInt(Math.floor(c)));
}

const STRERROR: Record<number, string> = {
  1: "Operation not permitted", 2: "No such file or directory", 5: "Input/output error",
  6: "No such device or address", 9: "Bad file descriptor", 11: "Resource temporarily unavailable",
  12: "Cannot allocate memory", 14: "Bad address", 16: "Device or resource busy", 18: "Invalid cross-device link",
  19: "No such device", 22: "Invalid argument", 27: "File too large", 28: "No space left on device",
  30: "Read-only file system", 61: "No data available", 62: "Timer expired", 71: "Protocol error",
  84: "Invalid or incomplete multibyte or wide character", 95: "Operation not supported",
  110: "Connection timed out", 121: "Remote I/O error", 125: "Operation canceled",
};

/** glibc's strerror text for the errnos a block device returns. */
export function strerror(errno: number): string {
  return STRERROR[errno] ?? `Unknown error ${errno}`;
}

// ---- thread_stat: one reported job (or a reporting group's jobs folded together) ----

/** A direction as reported: DirResult's counters, with bw and iops as stats (fio's io_stat). */
type TsDir = Omit<DirResult, "bw_samples_kib" | "iops_samples"> & { bw: LatStat; iops: LatStat };

/** JobResult as fio's thread_stat keeps it: members (jobs folded), total run time, verror always set. */
type Ts = Omit<JobResult, "jobs" | "job_runtime_ms" | "verror" | "dirs" | "group_reporting" | "description" | "kb_base" | "sync" | "issued_sync" | "issued_datasync"> & {
  members: number;
  /** The first job's kb_base (fio takes it from the group's first job and warns if others differ). */
  kb_base: number;
  verror: string;
  /** ts->description: FIO_JOBDESC_SIZE (256) bytes with the NUL, so at most 255 characters; "" for none. */
  description: string;
  total_run_time_ms: number;
  dirs: Partial<Record<FioDir, TsDir>>;
  /** sync_stat with io_u_sync_plat (null: no sync issued), total_io_u[DDIR_SYNC], total_io_u[DDIR_DATASYNC]. */
  sync: LatStat | null;
  issued_sync: number;
  issued_datasync: number;
};

function copyLat(s: LatStat): LatStat {
  return { ...s, plat: s.plat ? s.plat.slice() : null };
}

/**
 * A direction's runtime as fio reports it (update_runtime in backend.c): the elapsed time in
 * whole usec (utime_since, truncated), rounded up to msec ((us + 999) / 1000); a direction
 * that moved no bytes gets none (update_runtime runs only for td->io_bytes[ddir] != 0).
 */
export function fioRuntimeMs(exactMs: number, ioBytes: number): number {
  if (!ioBytes) return 0;
  const us = Math.floor(Math.round(exactMs * 1e6) / 1000);
  return Math.ceil(us / 1000);
}

function tsDirOf(d: DirResult): TsDir {
  return {
    io_bytes: d.io_bytes,
    total_ios: d.total_ios,
    short_ios: d.short_ios,
    drop_ios: d.drop_ios,
    runtime_ms: fioRuntimeMs(d.runtime_ms, d.io_bytes),
    slat: d.slat ? copyLat(d.slat) : null,
    clat: copyLat(d.clat),
    lat: copyLat(d.lat),
    bw: statOf(d.bw_samples_kib),
    iops: statOf(d.iops_samples),
  };
}

function tsOf(j: JobResult): Ts {
  const dirs: Partial<Record<FioDir, TsDir>> = {};
  for (const dir of FIO_DIRS) {
    const d = j.dirs[dir];
    if (d) dirs[dir] = tsDirOf(d);
  }
  return {
    name: j.name,
    groupid: j.groupid,
    members: j.jobs,
    error: j.error,
    verror: j.verror ?? (j.error ? `error=${strerror(j.error)}` : ""),
    description: (j.description ?? "").slice(0, 255),
    kb_base: j.kb_base ?? 1024,
    pid: j.pid,
    job_start_ms: j.job_start_ms,
    // total_run_time is mtime_since(epoch): whole msec, truncated (unlike the directions' runtime)
    total_run_time_ms: Math.floor(j.job_runtime_ms),
    options: j.options,
    dirs,
    usr_cpu: j.usr_cpu,
    sys_cpu: j.sys_cpu,
    ctx: j.ctx,
    majf: j.majf,
    minf: j.minf,
    io_u_map: [...j.io_u_map],
    io_u_submit: [...j.io_u_submit],
    io_u_complete: [...j.io_u_complete],
    total_submit: j.total_submit,
    total_complete: j.total_complete,
    issued_total: { ...j.issued_total },
    issued_short: { ...j.issued_short },
    issued_dropped: { ...j.issued_dropped },
    latency_depth: j.latency_depth,
    sync: j.sync ? copyLat(j.sync) : null,
    issued_sync: j.issued_sync ?? 0,
    issued_datasync: j.issued_datasync ?? 0,
  };
}

const rwSum = (r: Record<FioDir, number>) => FIO_DIRS.reduce((a, d) => a + (r[d] ?? 0), 0);

/** sum_thread_stats: fold `src` into `dst` (group_reporting). */
function sumTs(dst: Ts, src: Ts): void {
  for (const dir of FIO_DIRS) {
    const s = src.dirs[dir];
    if (!s) continue;
    const d = dst.dirs[dir];
    if (!d) {
      dst.dirs[dir] = { ...s, slat: s.slat ? copyLat(s.slat) : null, clat: copyLat(s.clat), lat: copyLat(s.lat), bw: copyLat(s.bw), iops: copyLat(s.iops) };
      continue;
    }
    if (s.slat) {
      if (!d.slat) d.slat = newLatStat(false);
      mergeLat(d.slat, s.slat);
    }
    mergeLat(d.clat, s.clat);
    mergeLat(d.lat, s.lat);
    sumLatPure(d.bw, s.bw);
    sumLatPure(d.iops, s.iops);
    d.io_bytes += s.io_bytes;
    d.total_ios += s.total_ios;
    d.short_ios += s.short_ios;
    d.drop_ios += s.drop_ios;
    d.runtime_ms = Math.max(d.runtime_ms, s.runtime_ms);
  }
  // fio sums usr/sys time and run time and divides at the end: the run-time-weighted mean.
  const rt = dst.total_run_time_ms + src.total_run_time_ms;
  if (rt > 0) {
    dst.usr_cpu = (dst.usr_cpu * dst.total_run_time_ms + src.usr_cpu * src.total_run_time_ms) / rt;
    dst.sys_cpu = (dst.sys_cpu * dst.total_run_time_ms + src.sys_cpu * src.total_run_time_ms) / rt;
  }
  dst.total_run_time_ms = rt;
  dst.ctx += src.ctx;
  dst.majf += src.majf;
  dst.minf += src.minf;
  // the depth, submit and complete maps and their totals add up (sum_thread_stats)
  for (let k = 0; k < dst.io_u_map.length; k++) {
    dst.io_u_map[k] += src.io_u_map[k] ?? 0;
    dst.io_u_submit[k] += src.io_u_submit[k] ?? 0;
    dst.io_u_complete[k] += src.io_u_complete[k] ?? 0;
  }
  dst.total_submit += src.total_submit;
  dst.total_complete += src.total_complete;
  // sync_stat as a time-based stat (__sum_stat) with its histogram; the counts add up
  if (src.sync) {
    if (!dst.sync) dst.sync = copyLat(src.sync);
    else mergeLat(dst.sync, src.sync);
  }
  dst.issued_sync += src.issued_sync;
  dst.issued_datasync += src.issued_datasync;
  for (const dir of FIO_DIRS) {
    dst.issued_total[dir] = (dst.issued_total[dir] ?? 0) + (src.issued_total[dir] ?? 0);
    dst.issued_short[dir] = (dst.issued_short[dir] ?? 0) + (src.issued_short[dir] ?? 0);
    dst.issued_dropped[dir] = (dst.issued_dropped[dir] ?? 0) + (src.issued_dropped[dir] ?? 0);
  }
  if (!dst.error && src.error) {
    dst.error = src.error;
    dst.verror = src.verror;
  }
  dst.members += src.members;
  dst.latency_depth = src.latency_depth;
  dst.options = src.options;
}

/**
 * __show_run_stats's thread_stats, decided job by job as fio does: a job with group_reporting
 * is summed into the thread_stat of the job before it when that job is in the same group;
 * any other job starts a thread_stat of its own (named after its first job, with its pid and
 * start).
 */
function threadStats(r: FioResult): Ts[] {
  const out: Ts[] = [];
  for (const j of r.jobs) {
    const ts = tsOf(j);
    const last = out[out.length - 1];
    if (j.group_reporting && last && last.groupid === ts.groupid) sumTs(last, ts);
    else out.push(ts);
  }
  return out;
}

// ---- group_run_stats ----

interface GroupDir {
  min_run: number;
  max_run: number;
  min_bw: number;
  max_bw: number;
  iobytes: number;
  agg: number;
}

interface GroupStats {
  groupid: number;
  /** rs->kb_base: the kb_base of the group's last thread_stat (__show_run_stats sets it from each in turn). */
  kb_base: number;
  dirs: Record<FioDir, GroupDir>;
}

/** fio's i2p = is_power_of_2(kb_base): IEC prefixes first (1024), SI first (1000). */
const i2pOf = (kbBase: number): boolean => (kbBase & (kbBase - 1)) === 0;

function groupStats(tss: Ts[], r: FioResult): GroupStats[] {
  const nGroups = Math.max(0, ...r.jobs.map((j) => j.groupid)) + 1;
  const groups: GroupStats[] = [];
  for (let g = 0; g < nGroups; g++) {
    const dirs = {} as Record<FioDir, GroupDir>;
    for (const dir of FIO_DIRS) dirs[dir] = { min_run: Infinity, max_run: 0, min_bw: Infinity, max_bw: 0, iobytes: 0, agg: 0 };
    groups.push({ groupid: g, kb_base: 1024, dirs });
  }
  for (const ts of tss) {
    const rs = groups[ts.groupid];
    if (!rs) continue;
    rs.kb_base = ts.kb_base;
    for (const dir of FIO_DIRS) {
      const d = ts.dirs[dir];
      if (!d || !d.runtime_ms) continue;
      const g = rs.dirs[dir];
      if (d.runtime_ms < g.min_run || !g.min_run) g.min_run = d.runtime_ms;
      if (d.runtime_ms > g.max_run) g.max_run = d.runtime_ms;
      const bw = mulDiv(d.io_bytes, 1000, d.runtime_ms);
      if (bw < g.min_bw) g.min_bw = bw;
      if (bw > g.max_bw) g.max_bw = bw;
      g.iobytes += d.io_bytes;
    }
  }
  for (const rs of groups) {
    for (const dir of FIO_DIRS) {
      const g = rs.dirs[dir];
      if (g.max_run) g.agg = mulDiv(g.iobytes, 1000, g.max_run);
    }
  }
  return groups;
}

/** convert_agg_kbytes_percent: a job's mean bandwidth (KiB/s, truncated) as a share of the group's. */
function pOfAgg(rs: GroupStats | undefined, dir: FioDir, mean: number): number {
  const agg = rs?.dirs[dir].agg ?? 0;
  if (agg > 1024) return Math.min(100, (Math.trunc(mean) * 100) / (agg / 1024));
  return 100;
}

// ---- normal output ----

/** display_lat: the unit fio picks (msec, then usec, else nsec) and the line. */
function displayLat(name: string, s: LatStat | null): string {
  const l = calcLat(s);
  if (!l) return "";
  let { min, max, mean, dev } = l;
  let base = "(nsec)";
  if (min > 2_000_000 && max > 99_999_999 && dev > 1_000_000) {
    min = Math.floor(min / 1_000_000);
    max = Math.floor(max / 1_000_000);
    mean /= 1_000_000;
    dev /= 1_000_000;
    base = "(msec)";
  } else if (min > 2000 && max > 99_999 && dev > 1000) {
    min = Math.floor(min / 1000);
    max = Math.floor(max / 1000);
    mean /= 1000;
    dev /= 1000;
    base = "(usec)";
  }
  return `    ${name} ${base}: min=${num2str(min, 6, 1, false, "")}, max=${num2str(max, 6, 1, false, "")}, `
    + `avg=${fw(mean, 5, 2)}, stdev=${fw(dev, 5, 2)}\n`;
}

/** show_clat_percentiles with fio's default precision 2. */
function showPercentiles(s: LatStat, pre: string, list: readonly number[] = DEFAULT_PERCENTILES): string {
  const vals = percentiles(s, list);
  if (vals.length === 0) return "";
  const precision = 2;
  let minv = Infinity;
  let maxv = 0;
  for (const v of vals) {
    minv = Math.min(minv, v.ns);
    maxv = Math.max(maxv, v.ns);
  }
  let scaleDown = 0;
  let divisor = 1;
  let unit = "nsec";
  if (minv > 2_000_000 && maxv > 99_999_999) {
    scaleDown = 2;
    divisor = 1_000_000;
    unit = "msec";
  } else if (minv > 2000 && maxv > 99_999) {
    scaleDown = 1;
    divisor = 1000;
    unit = "usec";
  }
  const q = Math.floor(maxv / divisor);
  const timeWidth = q > 0 ? Math.max(5, Math.floor(Math.log10(q) + 1)) : 5;
  const perLine = Math.floor((80 - 7) / (precision + 10 + timeWidth));
  let out = `    ${pre} percentiles (${unit}):\n     |`;
  vals.forEach((v, j) => {
    if (j !== 0 && j % perLine === 0) out += "     |";
    const isLast = j === vals.length - 1;
    let val = v.ns;
    for (let i = 0; i < scaleDown; i++) val = Math.floor((val + 999) / 1000);
    out += ` ${fw(v.p, precision + 3, precision)}th=[${iw(val, timeWidth)}]${isLast ? "\n" : ","}`;
    if (!isLast && j % perLine === perLine - 1) out += "\n";
  });
  return out;
}

const DIR_NAME: Record<FioDir, string> = { read: "read", write: "write", trim: "trim", copy: "copy" };
const GROUP_LABEL: Record<FioDir, string> = { read: "   READ", write: "  WRITE", trim: "   TRIM", copy: "   COPY" };

/** show_ddir_status for one direction of a job. */
function ddirStatus(rs: GroupStats | undefined, ts: Ts, dir: FioDir): string {
  const d = ts.dirs[dir];
  if (!d || !d.runtime_ms) return "";
  const runt = d.runtime_ms;
  const bw = mulDiv(d.io_bytes, 1000, runt);
  const iops = mulDiv(d.total_ios, 1000, runt);
  // the group's kb_base picks the prefixes: IEC first with 1024, SI first with 1000 (i2p)
  const kbBase = rs?.kb_base ?? 1024;
  const i2p = i2pOf(kbBase);
  let out = `  ${DIR_NAME[dir]}: IOPS=${num2str(iops, 4, 1, false, "")}, BW=${num2str(bw, 4, 1, i2p, "B/s")} `
    + `(${num2str(bw, 4, 1, !i2p, "B/s")})(${num2str(d.io_bytes, 4, 1, i2p, "B")}/${runt}msec)\n`;
  out += displayLat("slat", d.slat);
  out += displayLat("clat", d.clat);
  out += displayLat(" lat", d.lat);
  if (d.clat.n > 0) out += showPercentiles(d.clat, "clat");
  const b = calcLat(d.bw);
  if (b) {
    const per = pOfAgg(rs, dir, b.mean);
    let { min, max, mean, dev } = b;
    // the samples are KiB/s whatever kb_base is; the label and the scaling follow kb_base, and
    // above kb_base^2 fio divides by kb_base and says "MiB" even with 1000
    let unit = i2p ? "KiB" : "kB";
    if (mean > kbBase * kbBase) {
      min = Math.floor(min / kbBase);
      max = Math.floor(max / kbBase);
      mean /= kbBase;
      dev /= kbBase;
      unit = "MiB";
    }
    out += `   bw (${unit.padStart(5, " ")}/s): min=${iw(min, 5)}, max=${iw(max, 5)}, per=${fw(per, 3, 2)}%, `
      + `avg=${fw(mean, 5, 2)}, stdev=${fw(dev, 5, 2)}, samples=${d.bw.n}\n`;
  }
  const i = calcLat(d.iops);
  if (i) {
    out += `   iops        : min=${iw(i.min, 5)}, max=${iw(i.max, 5)}, avg=${fw(i.mean, 5, 2)}, `
      + `stdev=${fw(i.dev, 5, 2)}, samples=${d.iops.n}\n`;
  }
  return out;
}

/** The job's lat bucket counts: its completion-latency histograms, all directions together. */
function tsLatBuckets(ts: Ts): LatBuckets {
  return latBuckets(FIO_DIRS.map((d) => ts.dirs[d]?.clat));
}

/** show_lat: the non-empty buckets of one unit, five to a line. */
function showLat(pct: number[], ranges: readonly string[], unit: string): string {
  let out = "";
  let line = 0;
  let newLine = true;
  let shown = false;
  pct.forEach((v, i) => {
    if (v <= 0) return;
    shown = true;
    if (newLine) {
      if (line) out += "\n";
      out += `  lat (${unit})   : `;
      newLine = false;
      line = 0;
    }
    if (line) out += ", ";
    out += `${ranges[i]}=${fw(v, 3, 2)}%`;
    line++;
    if (line === 5) newLine = true;
  });
  return shown ? out + "\n" : out;
}

/** The three maps as shares (stat_calc_dist: a slot with any count shows at least 0.1%). */
function tsDists(ts: Ts): { level: number[]; submit: number[]; complete: number[] } {
  return {
    // IO depths are shares of the I/Os issued in all directions (ddir_rw_sum(total_io_u))
    level: statCalcDist(ts.io_u_map, rwSum(ts.issued_total)),
    submit: statCalcDist(ts.io_u_submit, ts.total_submit),
    complete: statCalcDist(ts.io_u_complete, ts.total_complete),
  };
}

const dist = (a: number[]) => Array.from({ length: 7 }, (_, i) => fw(a[i] ?? 0, 3, 1));

/** show_thread_status_normal. */
function threadStatusNormal(ts: Ts, rs: GroupStats | undefined, timestamp: number): string {
  const ioSum = FIO_DIRS.reduce((a, d) => a + (ts.dirs[d]?.io_bytes ?? 0), 0);
  if (!ioSum && !rwSum(ts.issued_total)) return "";
  const date = ctimeUtc(timestamp);
  let out = ts.error
    ? `${ts.name}: (groupid=${ts.groupid}, jobs=${ts.members}): err=${iw(ts.error, 2)} (${ts.verror}): pid=${ts.pid}: ${date}\n`
    : `${ts.name}: (groupid=${ts.groupid}, jobs=${ts.members}): err=${iw(ts.error, 2)}: pid=${ts.pid}: ${date}\n`;
  // show_thread_status_normal: the description, when the job has one, under the header
  if (ts.description) out += `  Description  : [${ts.description}]\n`;
  for (const dir of FIO_DIRS) if (ts.dirs[dir]?.io_bytes) out += ddirStatus(rs, ts, dir);
  const b = tsLatBuckets(ts);
  const total = rwSum(ts.issued_total);
  out += showLat(statCalcLat(b.n, total), LAT_N_RANGES, "nsec");
  out += showLat(statCalcLat(b.u, total), LAT_U_RANGES, "usec");
  out += showLat(statCalcLat(b.m, total), LAT_M_RANGES, "msec");
  // show_ddir_status(DDIR_SYNC) when sync_stat has samples: fsyncs and fdatasyncs together
  if (ts.sync && ts.sync.n > 0) {
    out += "  fsync/fdatasync/sync_file_range:\n";
    out += displayLat("sync", ts.sync);
    out += showPercentiles(ts.sync, "sync");
  }
  out += `  cpu          : usr=${fw(ts.usr_cpu, 3, 2)}%, sys=${fw(ts.sys_cpu, 3, 2)}%, ctx=${ts.ctx}, majf=${ts.majf}, minf=${ts.minf}\n`;
  const dists = tsDists(ts);
  const lv = dist(dists.level);
  out += `  IO depths    : 1=${lv[0]}%, 2=${lv[1]}%, 4=${lv[2]}%, 8=${lv[3]}%, 16=${lv[4]}%, 32=${lv[5]}%, >=64=${lv[6]}%\n`;
  const sb = dist(dists.submit);
  out += `     submit    : 0=${sb[0]}%, 4=${sb[1]}%, 8=${sb[2]}%, 16=${sb[3]}%, 32=${sb[4]}%, 64=${sb[5]}%, >=64=${sb[6]}%\n`;
  const cp = dist(dists.complete);
  out += `     complete  : 0=${cp[0]}%, 4=${cp[1]}%, 8=${cp[2]}%, 16=${cp[3]}%, 32=${cp[4]}%, 64=${cp[5]}%, >=64=${cp[6]}%\n`;
  // fio prints total_io_u[0..3] and short/drop for read, write, trim; the fourth slot is the
  // direction after trim: total_io_u[DDIR_SYNC] upstream (fsyncs), copies in the fork. fio
  // counts fdatasyncs in total_io_u[DDIR_DATASYNC], index 4 of a 4-element array: the
  // thread_stat member after it, short_io_u[DDIR_READ], so they show as short reads.
  const t = ts.issued_total;
  const s = ts.issued_short;
  const dr = ts.issued_dropped;
  out += `     issued rwts: total=${t.read},${t.write},${t.trim},${(t.copy ?? 0) + ts.issued_sync} short=${s.read + ts.issued_datasync},${s.write},${s.trim},0 `
    + `dropped=${dr.read},${dr.write},${dr.trim},0\n`;
  if (ts.latency_depth) out += `     latency   : target=0, window=0, percentile=100.00%, depth=${ts.latency_depth}\n`;
  return out;
}

/** show_group_stats. */
function groupStatsNormal(rs: GroupStats): string {
  let out = `\nRun status group ${rs.groupid} (all jobs):\n`;
  for (const dir of FIO_DIRS) {
    const g = rs.dirs[dir];
    if (!g.max_run) continue;
    // show_group_stats: the first of each pair in kb_base's prefixes (i2p), the other in parentheses
    const i2p = i2pOf(rs.kb_base);
    const p2 = (v: number, u: N2sUnit) => num2str(v, 4, 1, i2p, u);
    const p10 = (v: number, u: N2sUnit) => num2str(v, 4, 1, !i2p, u);
    out += `${GROUP_LABEL[dir]}: bw=${p2(g.agg, "B/s")} (${p10(g.agg, "B/s")}), `
      + `${p2(g.min_bw, "B/s")}-${p2(g.max_bw, "B/s")} (${p10(g.min_bw, "B/s")}-${p10(g.max_bw, "B/s")}), `
      + `io=${p2(g.iobytes, "B")} (${p10(g.iobytes, "B")}), run=${g.min_run}-${g.max_run}msec\n`;
  }
  return out;
}

/** disk_util_agg: a master's slaves summed (aggregate_slaves_stats), each sum then divided by their number. */
interface DiskAgg {
  read_ios: number; write_ios: number; read_sectors: number; write_sectors: number;
  read_merges: number; write_merges: number; read_ticks: number; write_ticks: number;
  in_queue: number;
  /** The busiest slave's util (the system is as busy as its busiest part), at most 100. */
  util: number;
}

/**
 * aggregate_slaves_stats and show_agg_stats / json_array_add_disk_util: the averages over a
 * disk's slaves (integer division by their count), or null for a disk without slaves.
 */
function diskAgg(d: FioDiskUtil, all: readonly FioDiskUtil[]): DiskAgg | null {
  const slaves = (d.slaves ?? []).map((n) => all.find((x) => x.name === n)).filter((x): x is FioDiskUtil => !!x);
  if (!slaves.length) return null;
  const avg = (f: (x: FioDiskUtil) => number) => Math.floor(slaves.reduce((a, x) => a + f(x), 0) / slaves.length);
  return {
    read_ios: avg((x) => x.read_ios), write_ios: avg((x) => x.write_ios),
    read_sectors: avg((x) => x.read_sectors), write_sectors: avg((x) => x.write_sectors),
    read_merges: avg((x) => x.read_merges), write_merges: avg((x) => x.write_merges),
    read_ticks: avg((x) => x.read_ticks), write_ticks: avg((x) => x.write_ticks),
    in_queue: avg((x) => x.in_queue),
    util: Math.min(100, Math.max(0, ...slaves.map((x) => x.util))),
  };
}

/**
 * show_disk_util: "Disk stats (read/write):" and print_disk_util for each disk in the list's
 * order; a disk with slaves (a device-mapper device over the devices it maps to) is indented
 * two more spaces and followed by show_agg_stats' averages of its slaves.
 */
export function formatDiskUtil(disks: readonly FioDiskUtil[]): string {
  if (disks.length === 0) return "";
  let out = "\nDisk stats (read/write):\n";
  for (const d of disks) {
    const agg = diskAgg(d, disks);
    out += `${agg ? "  " : ""}  ${d.name}: ios=${d.read_ios}/${d.write_ios}, sectors=${d.read_sectors}/${d.write_sectors}, `
      + `merge=${d.read_merges}/${d.write_merges}, ticks=${d.read_ticks}/${d.write_ticks}, `
      + `in_queue=${d.in_queue}, util=${fw(d.util, 3, 2)}%`;
    if (agg) {
      out += `, aggrios=${agg.read_ios}/${agg.write_ios}, aggsectors=${agg.read_sectors}/${agg.write_sectors}, `
        + `aggrmerge=${agg.read_merges}/${agg.write_merges}, aggrticks=${agg.read_ticks}/${agg.write_ticks}, `
        + `aggrin_queue=${agg.in_queue}, aggrutil=${fw(agg.util, 3, 2)}%`;
    }
    out += "\n";
  }
  return out;
}

/**
 * What fio prints on standard output before the jobs run, in the normal format only:
 * - per job, as add_job (init.c) prints it for the first instance, "<name>: (g=<group>):
 *   rw=<ddir_str>, bs=(R) <min>-<max>, (W) <min>-<max>, (T) <min>-<max>, ioengine=<engine>,
 *   iodepth=<iodepth>" (block sizes through num2str with the job's kb_base), then "..." for
 *   the second instance of numjobs (none for the others); a copy job adds the copy-offload
 *   fork's "(C) <min>-<max>, " after the trim sizes (the fork prints it; its ddir name for
 *   copies, "copy" / "randcopy", was not checked against the fork's source);
 * - the version line (parse_options: fio_version_string);
 * - "Starting <n> process(es)" / "<n> thread(s)" (run_threads in backend.c), counting every
 *   instance; jobs with the thread option count as threads.
 * Each line ends in "\n"; formatFio's report follows.
 */
export function formatFioStart(jobs: readonly FioJob[], version: string = FIO_VERSION): string {
  const groups = reportingGroups(jobs);
  let out = "";
  let threads = 0;
  let processes = 0;
  jobs.forEach((j, k) => {
    const i2p = i2pOf(j.kb_base ?? 1024);
    const bs = (d: FioDir) => {
      const s = num2str(j.bs[d], 4, 1, i2p, "B");
      return `${s}-${s}`;
    };
    const copy = j.rw === "copy" || j.rw === "randcopy";
    out += `${j.name}: (g=${groups[k]}): rw=${RW_STR[j.rw]}, bs=(R) ${bs("read")}, (W) ${bs("write")}, (T) ${bs("trim")}, `
      + `${copy ? `(C) ${bs("copy")}, ` : ""}ioengine=${j.ioengine}, iodepth=${j.iodepth}\n`;
    if (j.numjobs > 1) out += "...\n";
    const thread = "thread" in j.options && j.options.thread !== "0";
    if (thread) threads += j.numjobs;
    else processes += j.numjobs;
  });
  out += `${version}\n`;
  const parts: string[] = [];
  if (threads) parts.push(`${threads} thread${threads > 1 ? "s" : ""}`);
  if (processes) parts.push(`${processes} process${processes > 1 ? "es" : ""}`);
  return out + `Starting ${parts.join(" and ")}\n`;
}

/** ddir_str of a job's rw (readwrite is rw); copy / randcopy are the fork's. */
const RW_STR: Record<FioJob["rw"], string> = {
  read: "read", write: "write", trim: "trim", randread: "randread", randwrite: "randwrite", randtrim: "randtrim",
  rw: "rw", randrw: "randrw", copy: "copy", randcopy: "randcopy",
};

/**
 * fio's normal end-of-run output: the blank line fio starts with, each job's block, each
 * reporting group's "Run status group" block, then the disk stats. Each line ends in "\n".
 */
export function formatFio(r: FioResult): string {
  const tss = threadStats(r);
  const groups = groupStats(tss, r);
  let out = "\n";
  for (const ts of tss) out += threadStatusNormal(ts, groups[ts.groupid], r.timestamp);
  for (const rs of groups) out += groupStatsNormal(rs);
  out += formatDiskUtil(r.disk_util);
  return out;
}

// ---- JSON ----

/** A value as fio's json.c holds it: integers and floats print differently. */
type JValue =
  | { t: "int"; v: number }
  | { t: "float"; v: number }
  | { t: "str"; v: string }
  | { t: "obj"; v: Array<[string, JValue]> }
  | { t: "arr"; v: JValue[] };

const jint = (v: number): JValue => ({ t: "int", v: Math.trunc(v) });
const jfloat = (v: number): JValue => ({ t: "float", v });
const jstr = (v: string): JValue => ({ t: "str", v });
const jobj = (v: Array<[string, JValue]>): JValue => ({ t: "obj", v });

/** json_add_job_opts: the options, or nothing when there are none; an empty value is dropped as fio drops it. */
function optsObj(opts: Record<string, string>): Array<[string, JValue]> {
  const pairs = Object.entries(opts).filter(([, v]) => v !== "").map(([k, v]): [string, JValue] => [k, jstr(v)]);
  return pairs;
}

/** --output-format=json+ (FIO_OUTPUT_JSON_PLUS): the JSON with each clat histogram's bins. */
export interface FioJsonOptions {
  plus?: boolean;
}

/**
 * add_ddir_lat_json; with json+ the percentiles are followed by "bins": every non-empty
 * histogram bin, keyed by the latency it stands for (plat_idx_to_val), with its count.
 */
function latJson(s: LatStat | null, withPercentiles: boolean, plus = false): JValue {
  const l = calcLat(s);
  const pairs: Array<[string, JValue]> = [
    ["min", jint(l?.min ?? 0)],
    ["max", jint(l?.max ?? 0)],
    ["mean", jfloat(l?.mean ?? 0)],
    ["stddev", jfloat(l?.dev ?? 0)],
    ["N", jint(s?.n ?? 0)],
  ];
  if (withPercentiles && s && s.n > 0) {
    const vals = percentiles(s);
    if (vals.length) pairs.push(["percentile", jobj(vals.map((v): [string, JValue] => [v.p.toFixed(6), jint(v.ns)]))]);
    if (plus && s.plat) {
      const bins: Array<[string, JValue]> = [];
      for (let i = 0; i < s.plat.length; i++) if (s.plat[i]) bins.push([String(platIdxToVal(i)), jint(s.plat[i])]);
      pairs.push(["bins", jobj(bins)]);
    }
  }
  return jobj(pairs);
}

/** add_ddir_status_json for a data direction (present even when the job did none of it). */
function ddirJson(rs: GroupStats | undefined, d: TsDir | undefined, dir: FioDir, plus: boolean, datasyncs: number): JValue {
  const runt = d?.runtime_ms ?? 0;
  const io = d?.io_bytes ?? 0;
  const total = d?.total_ios ?? 0;
  const bwBytes = runt ? mulDiv(io, 1000, runt) : 0;
  const pairs: Array<[string, JValue]> = [
    ["io_bytes", jint(io)],
    ["io_kbytes", jint(Math.floor(io / 1024))],
    ["bw_bytes", jint(bwBytes)],
    ["bw", jint(Math.floor(bwBytes / 1024))],
    ["iops", jfloat(runt ? (1000 * total) / runt : 0)],
    ["runtime", jint(runt)],
    ["total_ios", jint(total)],
    // short_io_u[DDIR_READ] also holds fio's fdatasync count (see threadStatusNormal)
    ["short_ios", jint((d?.short_ios ?? 0) + (dir === "read" ? datasyncs : 0))],
    ["drop_ios", jint(d?.drop_ios ?? 0)],
    ["slat_ns", latJson(d?.slat ?? null, false)],
    ["clat_ns", latJson(d?.clat ?? null, true, plus)],
    ["lat_ns", latJson(d?.lat ?? null, false)],
  ];
  const b = calcLat(d?.bw);
  pairs.push(
    ["bw_min", jint(b?.min ?? 0)],
    ["bw_max", jint(b?.max ?? 0)],
    ["bw_agg", jfloat(b ? pOfAgg(rs, dir, b.mean) : 0)],
    ["bw_mean", jfloat(b?.mean ?? 0)],
    ["bw_dev", jfloat(b?.dev ?? 0)],
    ["bw_samples", jint(d?.bw.n ?? 0)],
  );
  const i = calcLat(d?.iops);
  pairs.push(
    ["iops_min", jint(i?.min ?? 0)],
    ["iops_max", jint(i?.max ?? 0)],
    ["iops_mean", jfloat(i?.mean ?? 0)],
    ["iops_stddev", jfloat(i?.dev ?? 0)],
    ["iops_samples", jint(d?.iops.n ?? 0)],
  );
  return jobj(pairs);
}

const pctObj = (keys: readonly string[], vals: number[]) => jobj(keys.map((k, i): [string, JValue] => [k, jfloat(vals[i] ?? 0)]));

/** show_thread_status_json. */
function threadStatusJson(ts: Ts, rs: GroupStats | undefined, elapsed: number, runStartMs: number, plus: boolean): JValue {
  const pairs: Array<[string, JValue]> = [
    ["jobname", jstr(ts.name)],
    ["groupid", jint(ts.groupid)],
    ["job_start", jint(runStartMs + ts.job_start_ms)],
    ["error", jint(ts.error)],
    ["eta", jint(0)],
    ["elapsed", jint(elapsed)],
  ];
  const opts = optsObj(ts.options);
  if (opts.length) pairs.push(["job options", jobj(opts)]);
  for (const dir of FIO_DIRS) pairs.push([DIR_NAME[dir], ddirJson(rs, ts.dirs[dir], dir, plus, ts.issued_datasync)]);
  // add_ddir_status_json(DDIR_SYNC): total_io_u[DDIR_SYNC] (fsyncs only) and sync_stat, with
  // percentiles (clat_percentiles is on) and, in json+, the bins
  pairs.push(["sync", jobj([["total_ios", jint(ts.issued_sync)], ["lat_ns", latJson(ts.sync, true, plus)]])]);
  const dists = tsDists(ts);
  pairs.push(
    ["job_runtime", jint(ts.total_run_time_ms)],
    ["usr_cpu", jfloat(ts.usr_cpu)],
    ["sys_cpu", jfloat(ts.sys_cpu)],
    ["ctx", jint(ts.ctx)],
    ["majf", jint(ts.majf)],
    ["minf", jint(ts.minf)],
    ["iodepth_level", pctObj(["1", "2", "4", "8", "16", "32", ">=64"], dists.level)],
    ["iodepth_submit", pctObj(["0", "4", "8", "16", "32", "64", ">=64"], dists.submit)],
    ["iodepth_complete", pctObj(["0", "4", "8", "16", "32", "64", ">=64"], dists.complete)],
  );
  const b = tsLatBuckets(ts);
  const total = rwSum(ts.issued_total);
  pairs.push(
    ["latency_ns", pctObj(LAT_N_RANGES, statCalcLat(b.n, total))],
    ["latency_us", pctObj(LAT_U_RANGES, statCalcLat(b.u, total))],
    ["latency_ms", pctObj(LAT_M_RANGES, statCalcLat(b.m, total))],
  );
  if (ts.latency_depth) {
    pairs.push(
      ["latency_depth", jint(ts.latency_depth)],
      ["latency_target", jint(0)],
      ["latency_percentile", jfloat(100)],
      ["latency_window", jint(0)],
    );
  }
  // show_thread_status_json adds "desc" after the latency keys when the job has a description
  if (ts.description) pairs.push(["desc", jstr(ts.description)]);
  return jobj(pairs);
}

/** json_array_add_disk_util: fio's keys, and with slaves the aggr_* ones (fio spells one aggr_write_merge). */
function diskUtilJson(d: FioDiskUtil, all: readonly FioDiskUtil[]): JValue {
  const agg = diskAgg(d, all);
  const aggPairs: Array<[string, JValue]> = agg ? [
    ["aggr_read_ios", jint(agg.read_ios)],
    ["aggr_write_ios", jint(agg.write_ios)],
    ["aggr_read_sectors", jint(agg.read_sectors)],
    ["aggr_write_sectors", jint(agg.write_sectors)],
    ["aggr_read_merges", jint(agg.read_merges)],
    ["aggr_write_merge", jint(agg.write_merges)],
    ["aggr_read_ticks", jint(agg.read_ticks)],
    ["aggr_write_ticks", jint(agg.write_ticks)],
    ["aggr_in_queue", jint(agg.in_queue)],
    ["aggr_util", jfloat(agg.util)],
  ] : [];
  return jobj([
    ["name", jstr(d.name)],
    ["read_ios", jint(d.read_ios)],
    ["write_ios", jint(d.write_ios)],
    ["read_sectors", jint(d.read_sectors)],
    ["write_sectors", jint(d.write_sectors)],
    ["read_merges", jint(d.read_merges)],
    ["write_merges", jint(d.write_merges)],
    ["read_ticks", jint(d.read_ticks)],
    ["write_ticks", jint(d.write_ticks)],
    ["in_queue", jint(d.in_queue)],
    ["util", jfloat(d.util)],
    ...aggPairs,
  ]);
}

/** The whole JSON document as fio's json.c values. */
function fioJsonValue(r: FioResult, o: FioJsonOptions): JValue {
  const tss = threadStats(r);
  const groups = groupStats(tss, r);
  // get_jobs_eta's elapsed_sec: whole seconds since the run started, rounded up.
  const endMs = Math.max(0, ...r.jobs.map((j) => j.job_start_ms + j.job_runtime_ms));
  const elapsed = Math.ceil(endMs / 1000);
  // fio's job_start is the job's start in ms since the epoch; the timestamp is taken at the end
  // of the run, so the run began endMs before it. With timestamp 0 (modelled time): ms since the
  // run's start.
  const runStartMs = r.timestamp ? Math.max(0, r.timestamp * 1000 - endMs) : 0;
  const pairs: Array<[string, JValue]> = [
    ["fio version", jstr(r.fio_version)],
    ["timestamp", jint(r.timestamp)],
    ["timestamp_ms", jint(r.timestamp * 1000)],
    ["time", jstr(ctimeUtc(r.timestamp))],
  ];
  const g = optsObj(r.global_options);
  if (g.length) pairs.push(["global options", jobj(g)]);
  pairs.push(["jobs", { t: "arr", v: tss.map((ts) => threadStatusJson(ts, groups[ts.groupid], elapsed, runStartMs, !!o.plus)) }]);
  if (r.disk_util.length) pairs.push(["disk_util", { t: "arr", v: r.disk_util.map((d) => diskUtilJson(d, r.disk_util)) }]);
  return jobj(pairs);
}

function plain(v: JValue): unknown {
  switch (v.t) {
    case "int":
    case "float":
    case "str":
      return v.v;
    case "arr":
      return v.v.map(plain);
    case "obj": {
      const o: Record<string, unknown> = {};
      for (const [k, x] of v.v) o[k] = plain(x);
      return o;
    }
  }
}

/**
 * fio's --output-format=json document as an object: "fio version", timestamp, timestamp_ms,
 * time, "global options" (when there are any), jobs[] and disk_util[] (when there are disks).
 */
export function fioJson(r: FioResult, o: FioJsonOptions = {}): Record<string, unknown> {
  return plain(fioJsonValue(r, o)) as Record<string, unknown>;
}

/** json.c's strdup_escape: a backslash before every backslash and double quote. */
const jsonEscape = (s: string) => s.replace(/[\\"]/g, (c) => `\\${c}`);

function printJson(v: JValue, level: number): string {
  const ind = (n: number) => "  ".repeat(n);
  switch (v.t) {
    case "int":
      return String(v.v);
    case "float":
      return cFixed(v.v, 6);
    case "str":
      return `"${jsonEscape(v.v)}"`;
    case "obj": {
      const body = v.v.map(([k, x]) => `${ind(level + 1)}"${k}" : ${printJson(x, level + 1)}`).join(",\n");
      return `{\n${body}\n${ind(level)}}`;
    }
    case "arr": {
      const body = v.v.map((x) => `${ind(level + 1)}${printJson(x, level + 1)}`).join(",\n");
      return `[\n${body}\n${ind(level)}]`;
    }
  }
}

/**
 * The JSON document as fio prints it (json_print_object): two-space indentation per level,
 * `"key" : value`, integers with %lld, floats with %f, and a final newline.
 */
export function formatFioJson(r: FioResult, o: FioJsonOptions = {}): string {
  return printJson(fioJsonValue(r, o), 0) + "\n";
}
