// A block device as the block layer sees it (struct gendisk + its request_queue): a name,
// device numbers, queue limits and flags, per-device I/O statistics (/proc/diskstats), and
// how bios reach it: a blk-mq queue (nvme namespaces) or a bio-based stacking driver (dm).

import { Bio, Op, opIsCopy, opIsWrite } from "./bio";
import type { QueueLimits, QueueFlags } from "./limits";

/** The copy designs a device can use (see docs/BLOCK.md). */
export type CopyDesign = "pair" | "ctx" | "vector";

/** Per-device counters as /proc/diskstats and fio's disk stats keep them (index 0 read, 1 write). */
export interface DiskStats {
  ios: [number, number];
  merges: [number, number];
  sectors: [number, number];
  ticks_ns: [number, number];
  /**
   * time_in_queue, /proc/diskstats field 11 (fio's in_queue): since 5.8 the sum of every
   * finished request's time from allocation to completion, reads, writes, discards and
   * flushes alike (diskstats_show sums nsecs[] of the four stat groups).
   */
  in_queue_ns: number;
  /** Time with at least one request in flight (io_ticks). */
  busy_ns: number;
  inflight: number;
  /** When inflight last changed, to integrate busy. */
  since_ns: number;
  discards: number;
  discard_sectors: number;
  flushes: number;
  copies: number;
  copy_sectors: number;
}

export function newDiskStats(): DiskStats {
  return {
    ios: [0, 0], merges: [0, 0], sectors: [0, 0], ticks_ns: [0, 0], in_queue_ns: 0, busy_ns: 0, inflight: 0,
    since_ns: 0, discards: 0, discard_sectors: 0, flushes: 0, copies: 0, copy_sectors: 0,
  };
}

/**
 * The counters a request's start and end update (the kernel's per-CPU struct disk_stats that
 * part_stat_inc / part_stat_add touch per I/O), as plain numbers: one field per direction
 * instead of DiskStats' two-element arrays, so a completion adds to fields and does not index
 * arrays. DiskStats is their view, filled in when read (foldStats, as part_stat_read_all sums
 * the per-CPU counters when /proc/diskstats is read).
 */
export class DiskAcct {
  ios_read = 0;
  ios_write = 0;
  merges_read = 0;
  merges_write = 0;
  sectors_read = 0;
  sectors_write = 0;
  ticks_read_ns = 0;
  ticks_write_ns = 0;
  in_queue_ns = 0;
  busy_ns = 0;
  inflight = 0;
  since_ns = 0;
  discards = 0;
  discard_sectors = 0;
  flushes = 0;
  copies = 0;
  copy_sectors = 0;
}

/** The DiskStats view of a's counters, written into s (the device's record) and returned. */
export function foldStats(a: DiskAcct, s: DiskStats): DiskStats {
  s.ios[0] = a.ios_read;
  s.ios[1] = a.ios_write;
  s.merges[0] = a.merges_read;
  s.merges[1] = a.merges_write;
  s.sectors[0] = a.sectors_read;
  s.sectors[1] = a.sectors_write;
  s.ticks_ns[0] = a.ticks_read_ns;
  s.ticks_ns[1] = a.ticks_write_ns;
  s.in_queue_ns = a.in_queue_ns;
  s.busy_ns = a.busy_ns;
  s.inflight = a.inflight;
  s.since_ns = a.since_ns;
  s.discards = a.discards;
  s.discard_sectors = a.discard_sectors;
  s.flushes = a.flushes;
  s.copies = a.copies;
  s.copy_sectors = a.copy_sectors;
  return s;
}

/**
 * One I/O starts or ends (update_io_ticks): io_ticks grows with the time some request was in
 * flight, so integrate before the count changes.
 */
export function inflightChange(s: DiskAcct, now_ns: number, delta: 1 | -1): void {
  const dt = now_ns - s.since_ns;
  if (s.inflight > 0) s.busy_ns += dt;
  s.since_ns = now_ns;
  s.inflight += delta;
}

/**
 * op_stat_group's groups (enum stat_group), and a flag for ops also counted as copies. A const
 * enum: its values compile to literals (module constants would be loaded and checked per use).
 */
const enum Stat {
  READ = 0,
  WRITE = 1,
  FLUSH = 2,
  DISCARD = 3,
  COPY = 4,
}

/**
 * Each op's group (op_stat_group) plus Stat.COPY, indexed by op (Op stays below 128): one
 * load instead of a chain of compares per completion. Copies (their destination side) count
 * by direction and also as copies; the source side only by direction.
 */
const OP_STAT: Uint8Array = (() => {
  const t = new Uint8Array(128);
  for (let op = 0; op < t.length; op++) {
    if (op === Op.DISCARD) t[op] = Stat.DISCARD;
    else if (op === Op.FLUSH) t[op] = Stat.FLUSH;
    else t[op] = (opIsWrite(op) ? Stat.WRITE : Stat.READ) | (opIsCopy(op) && op !== Op.COPY_SRC ? Stat.COPY : 0);
  }
  return t;
})();

/**
 * blk_account_io_done: a finished I/O by kind (op_stat_group). Discards have their own
 * counters; everything else counts by direction, and copies (their destination side) also as
 * copies. An empty REQ_OP_WRITE | REQ_PREFLUSH (blkdev_issue_flush) is a write of 0 sectors,
 * as in the kernel; the flush the device ran is counted by accountFlush.
 */
export function accountDone(s: DiskAcct, op: Op, sectors: number, ticks_ns: number): void {
  s.in_queue_ns += ticks_ns;
  const g = OP_STAT[op];
  if ((g & ~Stat.COPY) === Stat.READ) {
    s.ios_read++;
    s.sectors_read += sectors;
    s.ticks_read_ns += ticks_ns;
  } else if (!accountWriteOrOther(s, g, sectors, ticks_ns)) return;
  if (g >= Stat.COPY) { s.copies++; s.copy_sectors += sectors; }
}

/** accountDone's groups but reads: writes (true: a copy may count too), discards and flushes (false). */
function accountWriteOrOther(s: DiskAcct, g: number, sectors: number, ticks_ns: number): boolean {
  if (g === Stat.DISCARD) { s.discards++; s.discard_sectors += sectors; return false; }
  if (g === Stat.FLUSH) { s.flushes++; return false; }
  s.ios_write++;
  s.sectors_write += sectors;
  s.ticks_write_ns += ticks_ns;
  return true;
}

/** blk_account_io_merge_bio: a bio merged into a request, by the request's direction. */
export function accountMerge(s: DiskAcct, write: boolean): void {
  if (write) s.merges_write++;
  else s.merges_read++;
}

/**
 * blk_account_io_flush: a flush request blk-flush issued, in the flush counters
 * (ios[STAT_FLUSH], nsecs[STAT_FLUSH], which time_in_queue includes). The request it served is
 * counted on its own when it ends.
 */
export function accountFlush(s: DiskAcct, ticks_ns: number): void {
  s.in_queue_ns += ticks_ns;
  s.flushes++;
}

export interface BlockDevice {
  name: string;
  major: number;
  minor: number;
  limits: QueueLimits;
  flags: QueueFlags;
  /** Capacity in 512-byte sectors. */
  capacity: number;
  stats: DiskStats;
  /** Which copy design copies on this device use; undefined: the run's. */
  copyDesign?: CopyDesign;
  /** True for bio-based stacking drivers (device-mapper). */
  readonly stacking: boolean;
  /** The driver that owns it, for the same-driver check of the 2026 design ("nvme", "dm"). */
  readonly driver: string;
  /** BLK_FEAT_WRITE_CACHE: the device has a volatile write cache (absent: true). */
  writeCache?: boolean;
  /** Take a bio (submit_bio_noacct has done its checks). */
  submit(bio: Bio): void;
}

/**
 * blk_queue_write_cache / bdev_write_cache: the device has a volatile write cache
 * (BLK_FEAT_WRITE_CACHE) and write_cache was not set to "write through"
 * (BLK_FLAG_WRITE_CACHE_DISABLED). Without it flushes and FUA are dropped.
 */
export function queueWriteCache(d: BlockDevice): boolean {
  return d.writeCache !== false && d.flags.writeCacheDisabled !== true;
}

export const devName = (d: { major: number; minor: number }) => `${d.major},${d.minor}`;
