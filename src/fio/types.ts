// The shapes shared by the fio pieces: a parsed job (job.ts), what a run measured per job and
// data direction (run.ts fills it), and what the report (report.ts) prints in fio's normal
// layout and writes as fio's JSON. Latencies are kept as fio keeps them (stat.c): min, max,
// mean and variance online, plus the log-linear histogram that percentiles come from, so a
// run of millions of I/Os stores no samples.

import type { DiskUtilJson } from "../block/blkparse";

/** fio's data directions; copy is the copy-offload fork's fourth one (DDIR_COPY). */
export type FioDir = "read" | "write" | "trim" | "copy";
export const FIO_DIRS: readonly FioDir[] = ["read", "write", "trim", "copy"];
/** A direction as its index in FIO_DIRS (fio's enum fio_ddir), for per-I/O state kept in arrays. */
export const DDIR_READ = 0;
export const DDIR_WRITE = 1;
export const DDIR_TRIM = 2;
export const DDIR_COPY = 3;

export type FioRw = "read" | "write" | "trim" | "randread" | "randwrite" | "randtrim" | "rw" | "randrw" | "copy" | "randcopy";
/** sctl: the copy-offload fork's (branch copyoffload) synchronous BLKCOPY engine, copies only. */
export type FioEngine = "psync" | "pvsync2" | "libaio" | "io_uring" | "sync" | "sctl";

/** One [job] section with [global] applied (fio's thread_options, the subset modelled). */
/** fio's sync= as the open flag it gives: none, O_SYNC ("sync") or O_DSYNC ("dsync"). */
export type FioSyncIo = "none" | "sync" | "dsync";

export interface FioJob {
  name: string;
  /** Section line in the job file (for messages). */
  line: number;
  rw: FioRw;
  /** rw=randread:8 style sequence modifier (ddir_seq_nr), default 1. */
  rw_seq_nr: number;
  /** Block size per direction in bytes (bs=r,w,t,c; a single value applies to all). */
  bs: Record<FioDir, number>;
  /** Bytes of the file region each job covers (size=); 0: the whole device from offset. */
  size: number;
  /** size= given as a percentage of the device (0..100), resolved by the runner; 0: not a percentage. */
  size_percent: number;
  /** Start of the region in bytes (offset=). */
  offset: number;
  offset_percent: number;
  /** Copy: destination start in bytes (dest_offset=) or as a percentage; or source + delta (dest_offset_delta=). */
  dest_offset: number;
  dest_offset_percent: number;
  dest_offset_delta: number | null;
  /** Copy: source ranges per copy command (num_range=, the v5-era fork), each bs bytes. */
  num_range: number;
  /** Copy: pread + pwrite instead of the copy call (emulate=1). */
  emulate: boolean;
  iodepth: number;
  /** iodepth_batch_submit and iodepth_batch_complete_min (libaio). */
  iodepth_batch_submit: number;
  iodepth_batch_complete_min: number;
  numjobs: number;
  ioengine: FioEngine;
  direct: boolean;
  /** runtime= in ns (0: none). */
  runtime_ns: number;
  time_based: boolean;
  ramp_time_ns: number;
  /** startdelay= in ns. */
  startdelay_ns: number;
  filename: string;
  group_reporting: boolean;
  randseed: number;
  /** rwmixread= percentage of reads in rw/randrw. */
  rwmixread: number;
  /** hipri (io_uring, pvsync2): io_uring's completions are polled (REQ_POLLED): no interrupt, the
   * task spins on its CPU. pvsync2 passes RWF_HIPRI, which Linux ignores for synchronous direct I/O
   * since 5.18 ("block: ignore RWF_HIPRI hint for sync dio"): its I/O completes as without it. */
  hipri: boolean;
  /** norandommap: random offsets may repeat (else every block once per pass, as fio's random map). */
  norandommap: boolean;
  /** stonewall / wait_for_previous: this job starts after the previous group finished, and opens a new group. */
  stonewall: boolean;
  /** new_group: a new reporting group without waiting. */
  new_group: boolean;
  /** wait_for=: name of an earlier job; this one starts when all of that job's clones are done
   * (the copy-offload fork's examples/fio-copy.fio chains writer -> copier -> reader this way).
   * Absent or "": no wait. */
  wait_for?: string;
  /** io_size= / number_ios=: stop after this many bytes / I/Os (0: none). */
  io_size: number;
  number_ios: number;
  /** loops= */
  loops: number;
  /** kb_base= (1024 or 1000): how sizes are read, and which prefixes fio prints first; absent: 1024. */
  kb_base?: number;
  /** description=: text fio prints with the job's report ("Description  : [...]", JSON "desc"). */
  description?: string;
  /** fsync= / fdatasync=: a sync after every N writes issued (fio's fsync_blocks / fdatasync_blocks;
   * 0 or absent: none). On a block device both are blkdev_fsync: one empty PREFLUSH write. */
  fsync?: number;
  fdatasync?: number;
  /** end_fsync / fsync_on_close: one more sync when the job's writes are done (not counted or timed by fio). */
  end_fsync?: boolean;
  fsync_on_close?: boolean;
  /** sync= (fio 3.x: none/0, sync/1, dsync): the device is opened O_SYNC or O_DSYNC. On a block device
   * both make every direct write a REQ_FUA write (dio_bio_write_op), and a synchronous engine's
   * write system call then runs blkdev_fsync (generic_write_sync). Absent: "none". */
  sync?: FioSyncIo;
  /** Every option as written, [global] defaults included (what the job runs with). */
  options: Record<string, string>;
  /** The options written in the job's own section, for the JSON "job options": fio's
   * get_new_job copies the parent's option list only when the parent is not the [global]
   * defaults (def_thread), so globals appear only under "global options". Absent: options. */
  section_options?: Record<string, string>;
}

/** A latency accumulator: what fio's io_stat and io_u_plat keep (see stats.ts). */
export interface LatStat {
  min_ns: number;
  max_ns: number;
  mean_ns: number;
  /** Sum of squared deviations (Welford), for the standard deviation. */
  m2: number;
  n: number;
  /** fio's log-linear latency histogram (FIO_IO_U_PLAT_NR bins); null when not kept (slat). */
  plat: Uint32Array | null;
}

/** One data direction of one job (or of a reporting group's jobs). */
export interface DirResult {
  io_bytes: number;
  total_ios: number;
  short_ios: number;
  drop_ios: number;
  /** Time the job ran in this direction, exact (ms, fractional); the report rounds it as fio's
   * update_runtime does (whole usec, then up to whole msec). */
  runtime_ms: number;
  /** Submission latency: null for sync engines (fio prints no slat for them). */
  slat: LatStat | null;
  clat: LatStat;
  lat: LatStat;
  /** Bandwidth samples in KiB/s and IOPS samples, one per averaging interval (bw_avg_time 500 ms). */
  bw_samples_kib: number[];
  iops_samples: number[];
}

export interface JobResult {
  name: string;
  groupid: number;
  /** Jobs folded into this result (numjobs with group_reporting), else 1. */
  jobs: number;
  /** The job's group_reporting: the report folds this result into the one before it when that
   * is of the same reporting group (__show_run_stats decides per job, not per run). */
  group_reporting?: boolean;
  error: number;
  /** fio's verror text for a nonzero error (the header's "err= 5 (...)"); default "error=<strerror>". */
  verror?: string;
  pid: number;
  /** Job start, ms since the run's start. */
  job_start_ms: number;
  job_runtime_ms: number;
  /** The job section's own options (fio's JSON "job options"). */
  options: Record<string, string>;
  /** The job's description=, if any. */
  description?: string;
  /** The job's kb_base (1024 or 1000; absent: 1024): the report prints IEC prefixes first with
   * 1024 and SI first with 1000 (fio's i2p = is_power_of_2(kb_base)). */
  kb_base?: number;
  dirs: Partial<Record<FioDir, DirResult>>;
  /** CPU use as fio reports it: percentages and counts. */
  usr_cpu: number;
  sys_cpu: number;
  ctx: number;
  majf: number;
  minf: number;
  /** IO depths: I/Os issued at depth 1, 2, 4, 8, 16, 32, >=64 (counts, fio's io_u_map). */
  io_u_map: number[];
  /** submit / complete: calls handling 0, 1-4, 5-8, 9-16, 17-32, 33-64, >64 I/Os (counts, fio's
   * io_u_submit / io_u_complete), and the number of calls (total_submit / total_complete). The
   * report turns them into shares with stat_calc_dist, after group_reporting summed them. */
  io_u_submit: number[];
  io_u_complete: number[];
  total_submit: number;
  total_complete: number;
  /** issued rwt(c): total per direction, short, dropped. */
  issued_total: Record<FioDir, number>;
  issued_short: Record<FioDir, number>;
  issued_dropped: Record<FioDir, number>;
  latency_depth: number;
  /** fsync / fdatasync (fio's DDIR_SYNC / DDIR_DATASYNC): their latencies together (fio's sync_stat
   * and io_u_sync_plat), and how many were issued of each (total_io_u[DDIR_SYNC], and
   * total_io_u[DDIR_DATASYNC], which in fio's thread_stat is the slot after total_io_u[]:
   * short_io_u[DDIR_READ]). Absent: the job issued none. */
  sync?: LatStat;
  issued_sync?: number;
  issued_datasync?: number;
}

/**
 * One element of fio's disk_util list: a disk's counts over the time since a job first used it,
 * and the names of its slaves (the devices under a device-mapper device), whose averages fio
 * prints beside it (show_agg_stats, the JSON's aggr_* keys). A slave is linked only when it
 * entered the list with its master: one already in the list is not (find_add_disk_slaves).
 */
export interface FioDiskUtil extends DiskUtilJson {
  slaves?: string[];
}

export interface FioResult {
  /** "fio-3.35" as the fork reports; the report adds nothing else. */
  fio_version: string;
  /** Seconds since the epoch for the header and JSON (0 in modelled time, for determinism). */
  timestamp: number;
  clock: "model" | "wall";
  /** The [global] section's options as written. */
  global_options: Record<string, string>;
  jobs: JobResult[];
  disk_util: FioDiskUtil[];
  /** The host CPU model's busy share per core over the run (%), when CPU costs are modelled (not fio output). */
  cpu_util_per_core?: number[];
}
