// Runs parsed fio jobs (job.ts) on a block host in modelled time and measures them as fio
// does (stat.c): per job and data direction the I/O done, submission / completion / total
// latency, bandwidth and IOPS samples every bw_avg_time (500 ms), IO depths, submit and
// complete maps, issued counts; then disk stats of the devices. Each job instance is a
// simulated task on CPU (instance % cpus):
// - psync / pvsync2 / sync: one I/O at a time, the task sleeps until it completes (no slat);
// - libaio / io_uring: up to iodepth in flight; io_submit of more than 2 I/Os plugs (the
//   kernel's AIO_PLUG_THRESHOLD), each completion is reaped and the queue refilled.
// Copies (rw=copy / randcopy, the copy-offload fork): num_range source ranges of bs bytes to
// a contiguous destination at dest_offset (or source + dest_offset_delta), through the block
// layer's copy API (the device's design, with its fallback); emulate=1 reads then writes.
// CPU time is the host CPU model's (sim.costs; all 0 unless a setup gives them): sys is the
// system calls' and submissions' time, usr 0%, ctx counts sleeps. slat (async engines) is the
// io_submit's time: fio stamps issue_time when the call returns (td_io_queue), so with free
// CPUs slat is 0 and lat equals clat sample for sample.
// Buffered I/O (direct=0) is run as direct: the page cache is not modelled (said in the output).

import { Bio, BioVec, BlkStatus, Op, REQ_FUA, REQ_POLLED, REQ_PREFLUSH, REQ_SYNC } from "../block/bio";

/** A trim's bio carries no data segments (never written to: bios only read their vecs). */
const NO_VECS: BioVec[] = [];
import type { BlockLayer } from "../block/blk";
import type { Task } from "../block/sim";
import { blkCopy } from "../block/copy/copy";
import { diskStatsJson } from "../block/blkparse";
import { DmDevice } from "../block/dm";
import type { BlockDevice, DiskStats } from "../block/disk";
import { wallClockNs } from "../controller/core";
import type { ScenarioHost } from "../block/scenario";
import type { DmaBuffer } from "../driver/dma-pool";
import { RandomMap } from "./random-map";
import { addLat, copyLat, depthIdx, latOfZeros, newLatStat, submitIdx } from "./stats";
import { DDIR_COPY, DDIR_READ, DDIR_TRIM, DDIR_WRITE, FIO_DIRS, FioDir, FioDiskUtil, FioJob, FioRw, FioResult, JobResult, DirResult, LatStat } from "./types";
import { reportingGroups } from "./job";
import { FIO_VERSION } from "./report";

/** fio's bw_avg_time default: bandwidth and IOPS samples every 500 ms. */
export const BW_AVG_TIME_NS = 500_000_000;
/** A bound on one run's I/Os (TigerBeetle-style: a job that never ends fails loudly). */
export const MAX_IOS_PER_RUN = 50_000_000;
/** pid of a job's io-wq worker: the job's pid plus this (a thread of fio's process in Linux, numbered apart here). */
const IOWQ_PID_BASE = 100_000;
/** Above this many blocks (a 32 MiB map) the random map is not kept (norandommap), to bound memory. */
const MAX_RANDOM_MAP_BLOCKS = 1 << 28;

export class FioRunError extends Error {}

/** fio's io_u: one I/O in flight, reused for the job's next I/O when it completes. */
interface IoU {
  /** fio's io_u->ddir: an index into FIO_DIRS (DDIR_READ ...). */
  ddir: number;
  /** Byte offset (the first range's, for a copy). */
  pos: number;
  bs: number;
  /** fio's io_u->start_time: when the I/O was filled. */
  submitted_ns: number;
  /** fio's io_u->issue_time: when its io_submit returned (async engines); else submitted_ns. */
  issued_ns: number;
  buf: DmaBuffer;
  /** A copy's source ranges (byte offsets, bs each). */
  ranges: number[];
  /** The bio of its last read, write or trim, reused once that one has ended (the kernel's bio cache). */
  bio: Bio | null;
  /** Its one data segment, refilled per I/O. */
  vecs: BioVec[];
  /** Completion callbacks bound to this io_u once (none allocated per I/O). */
  bioEndio: (b: Bio) => void;
  copyEndio: (o: { status: BlkStatus }) => void;
  done: (ok: boolean, bytes: number) => void;
  /** io_uring: this io_u carries an IORING_OP_FSYNC (1 fsync, 2 fdatasync), else 0. */
  sync: number;
  /** Its fsync's flush bio ended (bound once, as the others). */
  syncEndio: (b: Bio) => void;
}

/** The directions an rw= does. */
function dirsOfRw(rw: FioRw): FioDir[] {
  switch (rw) {
    case "read": case "randread": return ["read"];
    case "write": case "randwrite": return ["write"];
    case "trim": case "randtrim": return ["trim"];
    case "copy": case "randcopy": return ["copy"];
    default: return ["read", "write"];
  }
}

/** A count per direction, indexed by ddir (FIO_DIRS order), as the record fio's JSON prints. */
function dirRecord(counts: ArrayLike<number>): Record<FioDir, number> {
  return { read: counts[DDIR_READ], write: counts[DDIR_WRITE], trim: counts[DDIR_TRIM], copy: counts[DDIR_COPY] };
}

const isAsync = (j: FioJob) => j.ioengine === "libaio" || j.ioengine === "io_uring";

/**
 * fio's own notes about a job file, in fio's words, one per job instance as fio prints them
 * (thread_main in backend.c, after td_io_init: a synchronous engine with iodepth > 1 runs at
 * queue depth 1, which is also what runFio does).
 */
export function fioNotes(jobs: FioJob[]): string[] {
  const notes: string[] = [];
  for (const j of jobs) {
    if (isAsync(j) || j.iodepth <= 1) continue;
    for (let i = 0; i < j.numjobs; i++) notes.push("note: both iodepth >= 1 and synchronous I/O engine are selected, queue depth will be capped at 1");
  }
  return notes;
}

/**
 * A deterministic generator per job (xoshiro128**, seeded by splitmix32 from randseed and the
 * instance). The state is four int32 words in a typed array: as object fields, values above
 * 2^30 would not fit V8's small integers and each draw would box them.
 */
class Rand {
  private readonly s = new Int32Array(4);
  constructor(seed: number) {
    let x = seed >>> 0;
    const next = () => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    const s = this.s;
    s[0] = next(); s[1] = next(); s[2] = next(); s[3] = next() || 1;
  }
  /**
   * A number in [0, n) (n up to 2^53: two draws make 53 random bits). The two xoshiro128**
   * steps run on locals: the state is read and written once per call.
   */
  below(n: number): number {
    const s = this.s;
    let a = s[0], b = s[1], c = s[2], d = s[3];
    const r1 = Math.imul(this.rotl(Math.imul(b, 5), 7), 9) >>> 0;
    let t = b << 9;
    c ^= a; d ^= b; b ^= c; a ^= d; c ^= t; d = this.rotl(d, 11);
    const r2 = Math.imul(this.rotl(Math.imul(b, 5), 7), 9) >>> 0;
    t = b << 9;
    c ^= a; d ^= b; b ^= c; a ^= d; c ^= t; d = this.rotl(d, 11);
    s[0] = a; s[1] = b; s[2] = c; s[3] = d;
    const r = ((r1 >>> 5) * 67108864 + (r2 >>> 6)) / 9007199254740992;
    return Math.floor(r * n);
  }

  /**
   * x rotated left by k bits. A method: V8 checks a module-level function's identity at each
   * call it inlines, while a method of this's class is known from its map.
   */
  private rotl(x: number, k: number): number {
    return ((x << k) | (x >>> (32 - k))) >>> 0;
  }
}

/** The offsets a direction walks: sequential (with rw's :N modifier) or random (with a random map). */
class Offsets {
  private next = 0;
  private readonly map: RandomMap | null = null;
  constructor(private readonly blocks: number, private readonly random: boolean, private readonly seqNr: number, private readonly rand: Rand, norandommap: boolean) {
    if (random && !norandommap && blocks <= MAX_RANDOM_MAP_BLOCKS) this.map = new RandomMap(blocks);
  }

  private taken = 0;
  private last = 0;

  /**
   * The next block index. Sequential: block after block. Random: a random block, or with
   * rw=rand...:N (ddir_seq_nr) a new random block every N I/Os and the next blocks between.
   */
  take(): number {
    // a strict comparison: V8 tests a field's truth with a generic ToBoolean
    if (this.random === false) {
      const b = this.next;
      this.next = b + 1 === this.blocks ? 0 : b + 1;
      return b;
    }
    // a new random block every I/O unless rw=rand...:N (no remainder to take then)
    if (this.seqNr === 1) return this.randomBlock();
    const fresh = this.taken++ % this.seqNr === 0;
    this.last = fresh ? this.randomBlock() : (this.last + 1) % this.blocks;
    return this.last;
  }

  /**
   * get_next_rand_offset: a random block; with the random map, a used one gives way to the
   * next free block after it (axmap_next_free), and a map with every block used starts over.
   */
  private randomBlock(): number {
    const b = this.rand.below(this.blocks);
    const map = this.map;
    return map === null ? b : map.take(b);
  }
}

/**
 * lat and slat from clat, once the job has finished, when no submission took modelled CPU time
 * (free CPUs): complete() then keeps only clat, as every slat sample is 0 and every lat sample
 * (slat + clat) equals its clat sample.
 */
function settleLat(d: DirResult): void {
  d.lat = copyLat(d.clat);
  if (d.slat) d.slat = latOfZeros(d.clat.n);
}

function newDir(async: boolean): DirResult {
  return {
    io_bytes: 0, total_ios: 0, short_ios: 0, drop_ios: 0, runtime_ms: 0,
    slat: async ? newLatStat(false) : null, clat: newLatStat(true), lat: newLatStat(true),
    bw_samples_kib: [], iops_samples: [],
  };
}

const zeros = (): Record<FioDir, number> => ({ read: 0, write: 0, trim: 0, copy: 0 });

/** One running instance of a job (numjobs gives several). */
class Instance {
  readonly task: Task;
  readonly dirs: Partial<Record<FioDir, DirResult>> = {};
  /** The same results indexed by ddir (null: a direction the job does not do), for the per-I/O path. */
  private readonly dirStats: Array<DirResult | null> = [null, null, null, null];
  /** fio's io_issues per ddir (the JSON's issued rwt). */
  readonly issued = new Float64Array(FIO_DIRS.length);
  /** io_u_mark_depth's and __io_u_mark_map's counts per slot (typed arrays, as issued: an increment per I/O without an array's element-kind checks). */
  readonly depthMap = new Float64Array(7);
  readonly submitMap = new Float64Array(7);
  readonly completeMap = new Float64Array(7);
  submitCalls = 0;
  /** CPU time this job's task used (system calls, submission, wake-ups, polling), for fio's sys=. */
  cpu_ns = 0;
  /** When the task last finished submitting (a polling task spins from then). */
  private pollFrom = 0;
  completeCalls = 0;
  ctx = 0;
  start_ns = 0;
  /** Where the measured run starts: the job's start, or with ramp_time the moment the ramp ended (fio's td->epoch after reset_all_stats). */
  statsFrom_ns = 0;
  /** ramp_time has passed and the statistics were reset (fio's ramp_time_over). */
  private rampOver = false;
  /**
   * The per-I/O plan, decided when the job starts and again when its ramp ends (planPlain): a
   * plain job takes fillPlain / completePlain, which ask after none of the features it does
   * not use, instead of fill / complete, which ask after each of them per I/O.
   */
  private plain = false;
  end_ns = 0;
  done = false;
  private inflight = 0;
  private ios = 0;
  private bytes = 0;
  private readonly rand: Rand;
  /** Per ddir the offsets it walks (null: a direction the job does not do). */
  private readonly offsets: Array<Offsets | null> = [null, null, null, null];
  private readonly buffers: DmaBuffer[] = [];
  /** Idle io_us (fio's unit of I/O: one per depth slot, each with its buffer; reused, never reallocated). */
  private readonly free: IoU[] = [];
  /** The io_us of the io_submit call being built. */
  private readonly batch: IoU[] = [];
  private readonly fillFn = (): void => { if (this.plain === true) this.fillPlain(); else this.fill(); };
  private readonly submitBatchFn = (batch: IoU[]): void => this.submitBatch(batch, batch.length);
  /** The directions this job does. */
  private readonly dirList: FioDir[];
  /** Its one ddir, or -1 for rw / randrw (nextDir then mixes reads and writes). */
  private readonly onlyDdir: number;
  private readonly region: { start: number; len: number };
  // the job's options the per-I/O path reads, taken once (its FioJob is a large object)
  /** bs per ddir. */
  private readonly bsOf: number[];
  /** libaio / io_uring: up to iodepth in flight (else one I/O at a time). */
  private readonly async: boolean;
  /**
   * Whether slat and lat are sampled per I/O: an async engine whose io_submit takes modelled
   * CPU time. Otherwise every slat is 0 and lat is clat, written once at the end (settleLat).
   */
  private readonly slatTimed: boolean;
  private readonly depth: number;
  /** io_u_mark_depth's slot (depthIdx) of each depth 0..depth, computed once for issuePlain. */
  private readonly depthSlots: Uint8Array;
  /** I/Os per io_submit call (iodepth_batch_submit; 1 for synchronous engines). */
  private readonly perCall: number;
  /** runtime= in ns, Infinity when none. */
  private readonly runtimeLimit_ns: number;
  /** Without time_based: the I/Os (number_ios=) and bytes (io_size=, else the region times loops=) after which issuing stops; Infinity when none. */
  private readonly iosLimit: number;
  private readonly bytesLimit: number;
  /** rw=...:N (ddir_seq_nr), at least 1. */
  private readonly seqNr: number;
  private readonly copyDest: number;
  private readonly maxBs: number;
  /** Bandwidth window: per ddir the direction's io_bytes and total_ios when it started at windowStart (a window's figures are their growth since). */
  private windowStart = 0;
  private readonly windowBytesFrom = new Float64Array(FIO_DIRS.length);
  private readonly windowIosFrom = new Float64Array(FIO_DIRS.length);
  private mixSeq = 0;
  private mixDir = DDIR_READ;

  // ---- fsync= / fdatasync= / end_fsync (fio's DDIR_SYNC and DDIR_DATASYNC) ----
  /** The job writes (fio's td_write): only then does it sync (should_fsync). */
  private readonly writes: boolean;
  /** fsync= and fdatasync= of a job that writes, else 0. */
  private readonly fsyncEvery: number;
  private readonly fdatasyncEvery: number;
  /** The sync due before the next I/O (get_rw_ddir): 0 none, 1 fsync, 2 fdatasync. */
  private syncDue = 0;
  /** The task is in an fsync system call (no I/O is issued meanwhile). */
  private syncing = false;
  /** The sync in progress is counted and timed (false: end_fsync's, in fio's TD_FSYNCING). */
  private syncCounted = false;
  private syncIssued_ns = 0;
  /** this.ios when the last sync was issued (fio's last_ddir_issued is a sync while it is unchanged). */
  private syncAtIos = -1;
  /** Inside submitSync's submit_bio: a flush ending there ended at once (no volatile write cache). */
  private inSubmitSync = false;
  /** The empty PREFLUSH write of the fsyncs, reused once ended. */
  private syncBio: Bio | null = null;
  /** fio's total_io_u[DDIR_SYNC] and total_io_u[DDIR_DATASYNC], and sync_stat with its histogram. */
  issuedSync = 0;
  issuedDatasync = 0;
  syncLat: LatStat | null = null;
  private readonly syncEndioFn = (): void => this.syncEnd();
  private readonly submitSyncFn = (): void => { this.submitSync(true); };
  private readonly finishNowFn = (): void => this.finish(this.clock());

  // ---- hipri and sync= (how a direct write ends: block/fops.c) ----
  /** Completions are polled: io_uring with hipri (IORING_SETUP_IOPOLL). pvsync2's RWF_HIPRI is ignored for synchronous direct I/O since Linux 5.18. */
  private readonly polledIo: boolean;
  /** Flags of a direct write bio (dio_bio_write_op): REQ_SYNC | REQ_IDLE, and REQ_FUA when the device is open O_SYNC or O_DSYNC. */
  private readonly writeFlags: number;
  /** sync= with a synchronous engine: blkdev_write_iter's generic_write_sync flushes before the write system call returns. */
  private readonly syncWrites: boolean;
  /** The io_u whose write waits for that flush, and the flush's bio (reused once ended). */
  private writeSyncIoU: IoU | null = null;
  private writeSyncBio: Bio | null = null;
  /** Inside writeSyncFlush's submit_bio: a flush ending there ended at once (no volatile write cache). */
  private inWriteSync = false;
  private readonly writeSyncFlushFn = (u: IoU): void => this.writeSyncFlush(u);
  private readonly writeSyncEndFn = (b: Bio): void => this.writeSyncEnd(b);

  // ---- io_uring's fsync= / fdatasync= (IORING_OP_FSYNC, run by an io-wq worker) ----
  /** fsync= / fdatasync= on io_uring: each sync is an io_u in flight, run by the ring's io-wq worker. */
  private readonly uringSyncs: boolean;
  /** The io-wq worker (iou-wrk-PID), made when the first sync is queued (create_io_worker). */
  private iowq: Task | null = null;
  /** Inside uringSyncFlush's submit_bio: a flush ending there ended at once (no volatile write cache). */
  private inUringSync = false;
  private readonly uringSyncFlushFn = (u: IoU): void => this.uringSyncFlush(u);
  private readonly uringSyncDoneFn = (u: IoU): void => this.complete(u, u.bio!.status === BlkStatus.OK, 0);

  constructor(readonly blk: BlockLayer, readonly job: FioJob, readonly dev: BlockDevice, readonly index: number, pid: number, cpu: number, readonly clock: () => number, private readonly modelled = true, private readonly plainPath = true) {
    this.task = blk.sim.addTask(pid, job.name.slice(0, 15), cpu);
    const cap = dev.capacity * 512;
    const start = job.offset_percent ? Math.floor((cap * job.offset_percent) / 100) : job.offset;
    let len = job.size_percent ? Math.floor((cap * job.size_percent) / 100) : job.size || cap - start;
    if (start >= cap) throw new FioRunError(`job ${job.name}: offset ${start} is beyond the end of ${dev.name} (${cap} bytes)`);
    len = Math.min(len, cap - start);
    this.maxBs = Math.max(...FIO_DIRS.map((d) => job.bs[d]));
    const lbs = dev.limits.logical_block_size;
    for (const d of FIO_DIRS) {
      if (job.bs[d] % lbs) throw new FioRunError(`job ${job.name}: bs ${job.bs[d]} (${d}) is not a multiple of ${dev.name}'s logical block size ${lbs}`);
    }
    if (start % lbs) throw new FioRunError(`job ${job.name}: offset ${start} is not a multiple of ${dev.name}'s logical block size ${lbs}`);
    if (len < this.maxBs) throw new FioRunError(`job ${job.name}: the region (${len} bytes from ${start}) is smaller than bs ${this.maxBs}`);
    this.region = { start, len };
    this.copyDest = job.dest_offset_percent ? Math.floor((cap * job.dest_offset_percent) / 100) : job.dest_offset;
    this.rand = new Rand(job.randseed + index * 7919);
    this.dirList = dirsOfRw(job.rw);
    this.onlyDdir = this.dirList.length === 1 ? FIO_DIRS.indexOf(this.dirList[0]) : -1;
    this.bsOf = FIO_DIRS.map((d) => job.bs[d]);
    this.async = isAsync(job);
    this.slatTimed = this.async && (blk.sim.costs.syscall_ns > 0 || blk.sim.costs.submit_ns > 0);
    this.depth = this.async ? job.iodepth : 1;
    this.depthSlots = Uint8Array.from({ length: this.depth + 1 }, (_, d) => depthIdx(d));
    this.perCall = this.async ? Math.max(1, job.iodepth_batch_submit) : 1;
    this.runtimeLimit_ns = job.runtime_ns || Infinity;
    this.iosLimit = job.time_based || !job.number_ios ? Infinity : job.number_ios;
    this.bytesLimit = job.time_based ? Infinity : job.io_size || len * Math.max(1, job.loops);
    this.seqNr = Math.max(1, job.rw_seq_nr);
    this.writes = this.dirList.includes("write");
    this.fsyncEvery = this.writes ? job.fsync ?? 0 : 0;
    this.fdatasyncEvery = this.writes ? job.fdatasync ?? 0 : 0;
    if (this.fsyncEvery || this.fdatasyncEvery) this.syncLat = newLatStat(true);
    this.polledIo = job.hipri && job.ioengine === "io_uring";
    const syncIo = (job.sync ?? "none") !== "none";
    this.writeFlags = REQ_SYNC | (syncIo ? REQ_FUA : 0);
    this.syncWrites = syncIo && this.writes && !isAsync(job);
    this.uringSyncs = job.ioengine === "io_uring" && (this.fsyncEvery !== 0 || this.fdatasyncEvery !== 0);
  }


  private isRandom(): boolean {
    return this.job.rw.startsWith("rand");
  }

  /** Set up buffers and offsets, then start issuing at at_ns (calling onStart first, then). */
  begin(at_ns: number, onStart?: () => void): void {
    const j = this.job;
    const mem = this.blk.mem!;
    const slots = isAsync(j) ? j.iodepth : 1;
    for (let i = 0; i < slots; i++) {
      let b: DmaBuffer;
      try {
        b = mem.pool.alloc(this.maxBs);
      } catch (e) {
        for (const x of this.buffers) mem.pool.release(x);
        throw new FioRunError(`job ${j.name}: no host memory for ${slots} buffer(s) of ${this.maxBs} bytes (${(e as Error).message})`);
      }
      // fio fills write buffers with random data; a fixed pattern per buffer is enough here
      for (let k = 0; k < b.bytes; k += 4) mem.ram[b.bus + k] = (i * 31 + k) & 0xff;
      this.buffers.push(b);
      this.free.push(this.newIoU(b));
    }
    for (const d of this.dirList) {
      const blocks = Math.floor(this.region.len / j.bs[d]);
      this.offsets[FIO_DIRS.indexOf(d)] = new Offsets(Math.max(1, blocks), this.isRandom(), j.rw_seq_nr, this.rand, j.norandommap);
      this.setDir(d, newDir(this.async));
    }
    // in modelled time the job starts at at_ns; on the wall clock, when its first event runs
    this.blk.sim.at(at_ns, this.task, () => {
      onStart?.();
      this.start_ns = this.clock();
      this.statsFrom_ns = this.start_ns + j.ramp_time_ns;
      this.rampOver = j.ramp_time_ns === 0;
      this.windowStart = this.statsFrom_ns;
      this.planPlain();
      this.fill();
    });
  }

  /**
   * fio's ramp_time_over (time.c), asked where fio asks it (before issuing, and when an I/O
   * completes): the first time it finds the ramp over, reset_all_stats (libfio.c) and
   * reset_io_stats (stat.c) zero what was counted during the ramp (latencies, bytes, issued
   * totals, the depth / submit / complete maps, and rusage: ctx and CPU time) and the measured
   * run (runtime, bandwidth windows) starts now.
   */
  private checkRamp(now: number): void {
    if (this.rampOver || now - this.start_ns < this.job.ramp_time_ns) return;
    this.rampOver = true;
    this.statsFrom_ns = now;
    this.windowStart = now;
    for (const d of this.dirList) this.setDir(d, newDir(this.async));
    this.issued.fill(0);
    this.windowBytesFrom.fill(0);
    this.windowIosFrom.fill(0);
    this.depthMap.fill(0);
    this.submitMap.fill(0);
    this.completeMap.fill(0);
    this.submitCalls = 0;
    this.completeCalls = 0;
    this.ctx = 0;
    this.cpu_ns = 0;
    // reset_io_stats zeroes total_io_u[DDIR_SYNC], the sync histogram and short_io_u[] (where
    // fio's DDIR_DATASYNC count lives); nothing was added to sync_stat during the ramp
    this.issuedSync = 0;
    this.issuedDatasync = 0;
    if (this.syncLat) this.syncLat = newLatStat(true);
    this.planPlain();
  }

  /**
   * Whether the job is plain from now on: modelled time on free CPUs (no system call, submission
   * or wake-up takes modelled time, so an io_submit's I/Os go down at once, slat is 0 and a
   * completion refills at once), one direction of reads, writes or trims, no fsync= /
   * fdatasync= (no sync is ever due), no sync= flush after a synchronous write, no polling, and
   * the ramp over. None of that changes later in the run (only end_fsync's sync at the job's
   * end turns the plan off), so the per-I/O path then tests this one flag instead of each feature.
   */
  private planPlain(): void {
    const c = this.blk.sim.costs;
    const d = this.onlyDdir;
    this.plain =
      this.plainPath === true && this.modelled === true && this.rampOver === true &&
      c.syscall_ns === 0 && c.submit_ns === 0 && c.context_switch_ns === 0 &&
      (d === DDIR_READ || d === DDIR_WRITE || d === DDIR_TRIM) &&
      this.fsyncEvery === 0 && this.fdatasyncEvery === 0 && this.syncWrites === false && this.polledIo === false;
  }

  /** A direction's results, in both views (by name for the report, by ddir for the per-I/O path). */
  private setDir(d: FioDir, r: DirResult): void {
    this.dirs[d] = r;
    this.dirStats[FIO_DIRS.indexOf(d)] = r;
  }

  /** Whether the job should issue no more I/O: runtime= is up, or (without time_based) number_ios= or the bytes are done. */
  private finishedIssuing(now: number): boolean {
    return now - this.statsFrom_ns >= this.runtimeLimit_ns || this.ios >= this.iosLimit || this.bytes >= this.bytesLimit;
  }

  /** The ddir of the next I/O. */
  private nextDir(): number {
    if (this.onlyDdir >= 0) return this.onlyDdir;
    // rw / randrw: rwmixread percent reads, decided per I/O
    if (this.mixSeq === 0) this.mixDir = this.rand.below(100) < this.job.rwmixread ? DDIR_READ : DDIR_WRITE;
    return this.mixDir;
  }

  /** Issue I/Os until the depth is full or the job is done; the task then sleeps. */
  private fill(): void {
    // in an fsync the task issues nothing; the sync's end refills
    if (this.syncing === true) return;
    const blk = this.blk;
    const sim = blk.sim;
    const now = this.clock();
    if (this.rampOver === false) this.checkRamp(now);
    const depth = this.depth;
    const costs = sim.costs;
    // fill the queue in io_submit calls of iodepth_batch_submit I/Os (1: one call per I/O)
    const perCall = this.perCall;
    while (this.inflight < depth && !this.finishedIssuing(now)) {
      // get_rw_ddir: a sync is due before the next I/O; the task then sleeps in the system call
      // unless the flush ended at once (no volatile write cache)
      if (this.syncDue !== 0 && !this.uringSyncs) {
        if (this.startSync(now)) { blk.blockTask(); return; }
        continue;
      }
      const want = Math.min(depth - this.inflight, perCall);
      // the batch array is reused; n counts its live entries (no length change per call)
      const batch = this.batch;
      // the outer loop has just found the job not finished: the first I/O of the call needs no
      // second look (nothing changed since)
      let n = 0;
      do {
        let u: IoU;
        if (this.syncDue !== 0) {
          // io_uring queues the sync as one more SQE of this batch (fio_ioring_prep: IORING_OP_FSYNC,
          // no IOSQE_IO_DRAIN, so it does not wait for the writes in flight); the others stop here
          if (!this.uringSyncs) break;
          u = this.issueUringSync(now);
        } else {
          if (this.ios >= MAX_IOS_PER_RUN) throw new FioRunError(`job ${this.job.name}: more than ${MAX_IOS_PER_RUN} I/Os in one run`);
          u = this.issueOne(this.nextDir(), now);
        }
        if (n < batch.length) batch[n] = u;
        else batch.push(u);
        n++;
      } while (n < want && !this.finishedIssuing(now));
      // the system call and each I/O's way down the stack take the task's CPU; the bios reach
      // the block layer when that work is done (at once on free CPUs)
      const cost = costs.syscall_ns + n * costs.submit_ns;
      this.cpu_ns += cost;
      const at = sim.useCpu(this.task.cpu, cost);
      // td_io_queue: an async engine's issue_time is taken once io_submit has returned
      if (this.slatTimed === true) for (let i = 0; i < n; i++) batch[i].issued_ns = at;
      if (at <= sim.now_ns) this.submitBatch(batch, n);
      else sim.at(at, this.task, this.submitBatchFn, batch.slice(0, n));
      this.pollFrom = Math.max(this.pollFrom, at);
      this.submitCalls++;
      this.submitMap[submitIdx(n)]++;
      // libaio: a sync found I/Os queued for this io_submit (FIO_Q_BUSY): fio commits them and
      // reaps at least one completion before it queues the sync again (do_io, wait_for_completions)
      if (this.syncDue !== 0 && !this.uringSyncs && n > 0 && n < want) break;
    }
    if (this.inflight === 0 && this.finishedIssuing(now)) this.finishOrEndFsync(now);
    else { this.ctx++; blk.blockTask(); }
  }

  /**
   * fill() for a plain job (planPlain): the same I/Os, counts and io_submit calls, without the
   * questions whose answers the plan fixed (no sync due, no ramp, one direction, no CPU time,
   * no polling).
   */
  private fillPlain(): void {
    const now = this.blk.sim.now_ns;
    const depth = this.depth;
    const perCall = this.perCall;
    const ddir = this.onlyDdir;
    while (this.inflight < depth && !this.finishedIssuing(now)) {
      const want = Math.min(depth - this.inflight, perCall);
      let n = 1;
      if (want === 1) this.submitRw(this.issuePlain(ddir, now), 0);
      else {
        // io_submit of several: every I/O is filled before the first goes down, as fill() does
        const batch = this.batch;
        n = 0;
        do {
          const u = this.issuePlain(ddir, now);
          if (n < batch.length) batch[n] = u;
          else batch.push(u);
          n++;
        } while (n < want && !this.finishedIssuing(now));
        this.submitBatch(batch, n);
      }
      this.submitCalls++;
      this.submitMap[submitIdx(n)]++;
    }
    if (this.inflight === 0 && this.finishedIssuing(now)) this.finishOrEndFsync(now);
    else { this.ctx++; this.blk.blockTask(); }
  }

  /**
   * The end of the job's I/O: with end_fsync or fsync_on_close, fio's do_io syncs the file once
   * more when should_fsync (the job writes and its last issued I/O was not a sync), in its
   * TD_FSYNCING state (neither counted in issued nor timed); the job ends after it.
   */
  private finishOrEndFsync(now: number): void {
    const j = this.job;
    if ((j.end_fsync || j.fsync_on_close) && this.writes && this.syncAtIos !== this.ios && !this.done) {
      this.syncAtIos = this.ios;
      // no longer plain: fill() issues nothing while the task is in this fsync (refills queued
      // by the last completions find it syncing)
      this.plain = false;
      if (!this.async) { this.submitCalls++; this.submitMap[submitIdx(1)]++; }
      if (this.runSync(now, false)) this.blk.blockTask();
      return;
    }
    this.finish(now);
  }

  /** Take the due sync (1 fsync, 2 fdatasync): no longer due, counted as issued (issued_sync / issued_datasync). */
  private takeDueSync(): number {
    const kind = this.syncDue;
    this.syncDue = 0;
    this.syncAtIos = this.ios;
    if (kind === 1) this.issuedSync++;
    else this.issuedDatasync++;
    return kind;
  }

  /**
   * Issue the due sync (fio's td_io_queue of a DDIR_SYNC / DDIR_DATASYNC io_u, which completes in
   * the engine's queue call: psync's do_io_u_sync, and libaio's once nothing is left queued):
   * counted in total_io_u[ddir] and at the current depth (io_u_mark_depth), and in the submit /
   * complete maps for engines without a commit hook. True when the task sleeps in it.
   */
  private startSync(now: number): boolean {
    this.takeDueSync();
    this.depthMap[depthIdx(this.inflight + 1)]++;
    if (!this.async) { this.submitCalls++; this.submitMap[submitIdx(1)]++; }
    return this.runSync(now, true);
  }

  /**
   * fsync(2) on the block device: the system call (syscall_ns, and submit_ns for its bio) then
   * blkdev_fsync -> blkdev_issue_flush: an empty REQ_OP_WRITE | REQ_PREFLUSH bio that
   * submit_bio_wait waits for (REQ_SYNC). fdatasync is the same call there. True when the task
   * waits for the flush.
   */
  private runSync(now: number, counted: boolean): boolean {
    const sim = this.blk.sim;
    this.syncing = true;
    this.syncCounted = counted;
    this.syncIssued_ns = now;
    const cost = sim.costs.syscall_ns + sim.costs.submit_ns;
    this.cpu_ns += cost;
    const at = sim.useCpu(this.task.cpu, cost);
    if (at > sim.now_ns) { sim.at(at, this.task, this.submitSyncFn); return true; }
    return this.submitSync(false);
  }

  /**
   * blkdev_issue_flush's bio: an empty REQ_OP_WRITE | REQ_PREFLUSH, REQ_SYNC from submit_bio_wait;
   * bio reused when it has ended (bio_init), else a new one.
   */
  private flushBio(bio: Bio | null): Bio {
    if (bio && bio.ended) { bio.reinit(this.dev, Op.WRITE, 0, 0, NO_VECS, REQ_PREFLUSH | REQ_SYNC, 0); return bio; }
    return new Bio(this.dev, Op.WRITE, 0, 0, NO_VECS, REQ_PREFLUSH | REQ_SYNC);
  }

  /** Submit the flush bio; true when the task sleeps until it ends (else it ended at once). */
  private submitSync(deferred: boolean): boolean {
    const bio = (this.syncBio = this.flushBio(this.syncBio));
    bio.endio = this.syncEndioFn;
    this.inSubmitSync = true;
    this.blk.submitBio(bio);
    this.inSubmitSync = false;
    // the task sleeps in submit_bio_wait (a context switch, as fio's ctx counts it)
    if (this.syncing) { this.ctx++; return true; }
    // ended at once: the system call returns; a deferred submission continues the task here
    if (deferred) this.afterSync(false);
    return false;
  }

  /**
   * The flush ended: fio accounts the sync when the ramp is over (should_account) in sync_stat,
   * from the io_u's issue_time: taken before the queue call for synchronous engines, but after
   * it returned for libaio (td_io_queue sets it after ->queue for engines without FIO_SYNCIO,
   * and libaio's queue ran the whole fsync), so libaio's syncs measure 0 here.
   */
  private syncEnd(): void {
    const now = this.clock();
    this.syncing = false;
    const async = this.async;
    // a task that slept in the call wakes first: fio stamps the sync's end when the call returns
    const back = this.inSubmitSync ? now : this.afterSync(true);
    if (this.syncCounted) {
      this.checkRamp(now);
      if (this.rampOver) addLat(this.syncLat!, async ? 0 : (this.modelled === true ? back : now) - this.syncIssued_ns);
    }
    if (!async) { this.completeCalls++; this.completeMap[submitIdx(1)]++; }
  }

  /**
   * Back from the fsync: woken (a context switch and the system call's return) or not; then
   * the next I/O, or the job's end after end_fsync. Returns when the task is back in fio.
   */
  private afterSync(woke: boolean): number {
    const next = this.syncCounted ? this.fillFn : this.finishNowFn;
    const sim = this.blk.sim;
    if (!woke) { next(); return sim.now_ns; }
    const wake = sim.costs.context_switch_ns + sim.costs.syscall_ns;
    this.cpu_ns += wake;
    const back = sim.useCpu(this.task.cpu, wake);
    sim.at(back, this.task, next);
    return back;
  }

  /** An io_u with its buffer and its completion callbacks, bound once. */
  private newIoU(buf: DmaBuffer): IoU {
    const u: IoU = {
      ddir: DDIR_READ, pos: 0, bs: 0, submitted_ns: 0, issued_ns: 0, buf, ranges: [], bio: null, vecs: [{ bus: buf.bus, len: 0 }],
      bioEndio: this.syncWrites
        ? (b: Bio) => this.writeSyncOrComplete(u, b)
        : (b: Bio) => { if (this.plain === true) this.completePlain(u, b.status === BlkStatus.OK); else this.complete(u, b.status === BlkStatus.OK, u.bs); },
      copyEndio: (o: { status: BlkStatus }) => this.complete(u, o.status === BlkStatus.OK, u.bs * u.ranges.length),
      done: (ok: boolean, bytes: number) => this.complete(u, ok, bytes),
      sync: 0,
      syncEndio: (b: Bio) => this.uringSyncEnd(u, b),
    };
    return u;
  }

  /** io_submit's work per call (in a plug above AIO_PLUG_THRESHOLD, as the kernel's io_submit). */
  private submitBatch(batch: IoU[], n: number): void {
    const plug = n > 2;
    if (plug) this.blk.startPlug();
    try {
      for (let i = 0; i < n; i++) this.submitOne(batch[i]);
    } finally {
      if (plug) this.blk.finishPlug();
    }
  }

  /** Account one I/O now and fill an idle io_u with it; it is submitted when the CPU has done the work. */
  private issueOne(ddir: number, now: number): IoU {
    const u = this.takeIoU(ddir);
    u.submitted_ns = now;
    u.issued_ns = now;
    const bs = u.bs;
    const offs = this.offsets[ddir]!;
    const nr = ddir === DDIR_COPY ? Math.max(1, this.job.num_range) : 1;
    this.bytes += bs * nr;
    if (this.fsyncEvery + this.fdatasyncEvery !== 0 && ddir === DDIR_WRITE) this.noteWrite();
    this.depthMap[depthIdx(this.inflight)]++;
    this.mixSeq = (this.mixSeq + 1) % this.seqNr;
    if (ddir === DDIR_COPY) {
      // num_range ranges of bs: the next blocks (copy) or blocks of their own (randcopy)
      u.ranges.length = 0;
      u.ranges.push(u.pos);
      for (let i = 1; i < nr; i++) u.ranges.push(this.region.start + offs.take() * bs);
    }
    return u;
  }

  /**
   * An idle io_u for one I/O of ddir at the job's next offset, counted in flight and issued; the
   * caller stamps its times (a time passed to this call, which V8 does not inline, would be
   * boxed: a HeapNumber per I/O).
   */
  private takeIoU(ddir: number): IoU {
    const bs = this.bsOf[ddir];
    const u = this.free.pop()!;
    u.ddir = ddir;
    u.bs = bs;
    u.pos = this.region.start + this.offsets[ddir]!.take() * bs;
    this.inflight++;
    this.ios++;
    this.issued[ddir]++;
    return u;
  }

  /** issueOne for a plain job (planPlain): one range, and no sync to note or mix to count. */
  private issuePlain(ddir: number, now: number): IoU {
    if (this.ios >= MAX_IOS_PER_RUN) throw new FioRunError(`job ${this.job.name}: more than ${MAX_IOS_PER_RUN} I/Os in one run`);
    const u = this.takeIoU(ddir);
    u.submitted_ns = now;
    u.issued_ns = now;
    this.bytes += u.bs;
    // at most depth in flight (fillPlain's loop)
    this.depthMap[this.depthSlots[this.inflight]]++;
    return u;
  }

  /**
   * A due sync as an io_u of the io_uring batch: counted in total_io_u[ddir] and at its depth
   * when queued, timed from its issue to its reap into sync_stat (account_io_completion).
   */
  private issueUringSync(now: number): IoU {
    const kind = this.takeDueSync();
    const u = this.free.pop()!;
    u.sync = kind;
    u.bs = 0;
    u.submitted_ns = now;
    u.issued_ns = now;
    this.inflight++;
    this.depthMap[depthIdx(this.inflight)]++;
    return u;
  }

  /**
   * io_uring_enter submitted an IORING_OP_FSYNC: io_fsync_prep forces it async (REQ_F_FORCE_ASYNC),
   * so the ring's io-wq worker runs it: it wakes (a context switch on the submitting CPU) and
   * submits blkdev_fsync's flush (vfs_fsync_range -> blkdev_fsync -> blkdev_issue_flush).
   */
  private queueUringSync(u: IoU): void {
    const sim = this.blk.sim;
    const w = (this.iowq ??= sim.kworker(this.task.cpu, `iou-wrk-${this.task.pid}`, IOWQ_PID_BASE + this.task.pid));
    const cost = sim.costs.context_switch_ns + sim.costs.submit_ns;
    this.cpu_ns += cost;
    sim.at(sim.useCpu(w.cpu, cost), w, this.uringSyncFlushFn, u);
  }

  /** The worker's blkdev_issue_flush: the io_u's bio as an empty REQ_OP_WRITE | REQ_PREFLUSH | REQ_SYNC. */
  private uringSyncFlush(u: IoU): void {
    const bio = (u.bio = this.flushBio(u.bio));
    bio.endio = u.syncEndio;
    this.inUringSync = true;
    this.blk.submitBio(bio);
    this.inUringSync = false;
  }

  /** The flush ended: the worker (woken, unless it ended inside submit_bio) posts the CQE, which wakes the task. */
  private uringSyncEnd(u: IoU, _b: Bio): void {
    const sim = this.blk.sim;
    const w = this.iowq!;
    const wake = this.inUringSync ? 0 : sim.costs.context_switch_ns;
    this.cpu_ns += wake;
    sim.at(sim.useCpu(w.cpu, wake), w, this.uringSyncDoneFn, u);
  }

  /**
   * get_rw_ddir: after a write, a sync is due when the writes issued (io_issues[DDIR_WRITE]) are
   * a multiple of fsync=, else of fdatasync= (fsync is asked first).
   */
  private noteWrite(): void {
    const w = this.issued[DDIR_WRITE];
    if (this.fsyncEvery && w % this.fsyncEvery === 0) this.syncDue = 1;
    else if (this.fdatasyncEvery && w % this.fdatasyncEvery === 0) this.syncDue = 2;
  }

  private submitOne(u: IoU): void {
    if (u.sync !== 0) { this.queueUringSync(u); return; }
    const ddir = u.ddir;
    if (ddir === DDIR_COPY) { this.issueCopy(u); return; }
    this.submitRw(u, this.polledIo === true ? REQ_POLLED : 0);
  }

  /**
   * A read, write or trim io_u as its bio (the io_u's own once its last one ended), submitted;
   * flags: REQ_POLLED for a polled job. A plain job (planPlain) comes here straight.
   */
  private submitRw(u: IoU, polled: number): void {
    const ddir = u.ddir;
    const op = ddir === DDIR_READ ? Op.READ : ddir === DDIR_WRITE ? Op.WRITE : Op.DISCARD;
    const vecs = op === Op.DISCARD ? NO_VECS : this.ioVecs(u);
    const flags = polled | (op === Op.WRITE ? this.writeFlags : 0);
    let bio = u.bio;
    if (bio !== null && bio.ended === true) bio.reinit(this.dev, op, u.pos / 512, u.bs, vecs, flags, 0);
    else bio = u.bio = new Bio(this.dev, op, u.pos / 512, u.bs, vecs, flags);
    bio.endio = u.bioEndio;
    this.blk.submitBio(bio);
  }

  /** u's one segment for this I/O (a split may have left the array's contents elsewhere: refilled). */
  private ioVecs(u: IoU): BioVec[] {
    const v = u.vecs;
    if (v.length !== 1 || v[0].bus !== u.buf.bus) { v.length = 0; v.push({ bus: u.buf.bus, len: 0 }); }
    v[0].len = u.bs;
    return v;
  }

  /**
   * A copy of source ranges of bs each to one contiguous destination: source + dest_offset_delta,
   * or dest_offset plus the first range's place in the region (rounded to the copy's length).
   */
  private issueCopy(u: IoU): void {
    const { ranges, bs, buf, done } = u;
    const j = this.job;
    const pos = ranges[0];
    const len = bs * ranges.length;
    const rel = Math.floor((pos - this.region.start) / len) * len;
    const dst = j.dest_offset_delta !== null ? pos + j.dest_offset_delta : this.copyDest + rel;
    if (dst < 0 || dst + len > this.dev.capacity * 512) throw new FioRunError(`job ${j.name}: copy destination ${dst}+${len} is outside ${this.dev.name}`);
    if (j.emulate) {
      // the fork's emulate=1: pread then pwrite, range by range, through one bs buffer
      let i = 0;
      const next = () => {
        if (i === ranges.length) { done(true, len); return; }
        const k = i++;
        const rd = new Bio(this.dev, Op.READ, ranges[k] / 512, bs, [{ bus: buf.bus, len: bs }]);
        rd.endio = (b) => {
          if (b.status !== BlkStatus.OK) { done(false, 0); return; }
          this.blk.sim.at(this.blk.sim.now_ns, this.task, () => {
            const wr = new Bio(this.dev, Op.WRITE, (dst + k * bs) / 512, bs, [{ bus: buf.bus, len: bs }]);
            wr.endio = (w) => {
              if (w.status !== BlkStatus.OK) { done(false, 0); return; }
              this.blk.sim.at(this.blk.sim.now_ns, this.task, next);
            };
            this.blk.submitBio(wr);
          });
        };
        this.blk.submitBio(rd);
      };
      next();
      return;
    }
    // the copy API plugs around the bios it submits (each design does, as blkdev_copy_offload
    // does), so the ranges of one call can become one Copy command
    const srcSegs = ranges.map((r) => ({ pos: r, len: bs }));
    blkCopy(this.blk, { src: this.dev, dst: this.dev, srcSegs, dstSegs: [{ pos: dst, len }] }, u.copyEndio);
  }

  /**
   * A write's bio ended under sync= with a synchronous engine: the system call goes on in
   * blkdev_write_iter's generic_write_sync -> blkdev_fsync -> blkdev_issue_flush (not after a
   * failed write). The task wakes from submit_bio_wait (a context switch) and submits the flush.
   */
  private writeSyncOrComplete(u: IoU, b: Bio): void {
    const ok = b.status === BlkStatus.OK;
    if (u.ddir !== DDIR_WRITE || !ok) { this.complete(u, ok, u.bs); return; }
    const sim = this.blk.sim;
    const cost = sim.costs.context_switch_ns + sim.costs.submit_ns;
    this.cpu_ns += cost;
    sim.at(sim.useCpu(this.task.cpu, cost), this.task, this.writeSyncFlushFn, u);
  }

  /** blkdev_issue_flush: an empty REQ_OP_WRITE | REQ_PREFLUSH bio, REQ_SYNC from submit_bio_wait; the task sleeps unless it ended at once. */
  private writeSyncFlush(u: IoU): void {
    const bio = (this.writeSyncBio = this.flushBio(this.writeSyncBio));
    bio.endio = this.writeSyncEndFn;
    this.writeSyncIoU = u;
    this.inWriteSync = true;
    this.blk.submitBio(bio);
    this.inWriteSync = false;
    if (this.writeSyncIoU !== null) { this.ctx++; this.blk.blockTask(); }
  }

  /** The flush ended: the write system call returns with its status (woken, or at once). */
  private writeSyncEnd(b: Bio): void {
    const u = this.writeSyncIoU!;
    this.writeSyncIoU = null;
    this.complete(u, b.status === BlkStatus.OK, u.bs, !this.inWriteSync);
  }

  /**
   * An I/O completed: the task wakes (woke false: it did not sleep, only the system call
   * returns), sees it and refills. Its latencies end when the task sees it, as fio's clock
   * (io_completed's icd->time, taken after the engine's getevents or the sync call returned)
   * does: clat includes the wake-up and the system call's return.
   */
  private complete(u: IoU, ok: boolean, bytes: number, woke = true): void {
    const now = this.clock();
    const submitted = u.submitted_ns;
    this.inflight--;
    this.free.push(u);
    if (this.polledIo === true) this.polled();
    else this.woken(woke);
    // the modelled wake-up is not part of a wall-clock measurement
    const reaped = this.modelled === true ? this.back_ns : now;
    // fio accounts a completion once the ramp is over (io_completed: should_account), whenever
    // the I/O was issued; its latency runs from its issue
    if (this.rampOver === false) this.checkRamp(now);
    if (u.sync !== 0) {
      // an io_uring sync: sync_stat from its issue, nothing in the direction's figures
      u.sync = 0;
      if (this.rampOver === true) addLat(this.syncLat!, reaped - submitted);
    } else if (this.rampOver === true) {
      const d = this.accountIo(u, ok, bytes, now, reaped);
      if (this.slatTimed === true) {
        addLat(d.slat!, u.issued_ns - submitted);
        addLat(d.lat, reaped - submitted);
      }
    }
    this.countReap();
  }

  /**
   * An I/O's direction figures once the ramp is over: its bytes or a short I/O, and clat from
   * the io_submit's return (fio's issue_time) to reaped. With free CPUs slat is 0 and lat equals
   * clat sample for sample, so finish() writes both from clat (settleLat).
   */
  private accountIo(u: IoU, ok: boolean, bytes: number, now: number, reaped: number): DirResult {
    this.sampleWindows(now);
    const d = this.dirStats[u.ddir]!;
    d.total_ios++;
    if (ok === true) d.io_bytes += bytes;
    else d.short_ios++;
    addLat(d.clat, reaped - u.issued_ns);
    return d;
  }

  /** One getevents call that reaped one I/O (__io_u_mark_map's 1..4 slot). */
  private countReap(): void {
    this.completeCalls++;
    this.completeMap[submitIdx(1)]++;
  }

  /**
   * complete() for a plain job's read, write or trim (planPlain): the task is back in fio at
   * once (free CPUs), the ramp is over, and clat is the only latency sampled (settleLat).
   */
  private completePlain(u: IoU, ok: boolean): void {
    const sim = this.blk.sim;
    const now = sim.now_ns;
    this.inflight--;
    this.free.push(u);
    sim.atNow(this.task, this.fillFn);
    this.accountIo(u, ok, u.bs, now, now);
    this.countReap();
  }

  /**
   * When the task is back in fio after the completion being reaped (woken or polled set it): a
   * field, as a time returned from a call that is not inlined would be boxed.
   */
  private back_ns = 0;

  /**
   * The task wakes (io_getevents / the sync call returns: a context switch and the end of a
   * system call on its CPU) and refills; back_ns is when it is back in fio.
   */
  private woken(woke: boolean): void {
    const sim = this.blk.sim;
    const wake = (woke === true ? sim.costs.context_switch_ns : 0) + sim.costs.syscall_ns;
    this.cpu_ns += wake;
    // free CPUs: back at once (no time passed to a call, so none is boxed)
    if (wake <= 0) {
      this.back_ns = sim.now_ns;
      sim.atNow(this.task, this.fillFn);
      return;
    }
    const back = sim.useCpu(this.task.cpu, wake);
    sim.at(back, this.task, this.fillFn);
    this.back_ns = back;
  }

  /** Where the polling task's CPU time is accounted up to. */
  private polledTo = 0;

  /**
   * hipri: the task never slept; it spun on the completion queue, poll_ns per look, so it sees
   * the completion at its next look, and its CPU was busy all the while (no interrupt, no
   * context switch; the system call that polled returns). back_ns is when the task is back in fio.
   */
  private polled(): void {
    const sim = this.blk.sim;
    const c = sim.costs;
    const cpu = this.task.cpu;
    const now = sim.now_ns;
    const from = Math.max(this.polledTo, this.pollFrom);
    const seen = c.poll_ns > 0 ? from + Math.ceil((now - from) / c.poll_ns) * c.poll_ns : now;
    const spun = Math.max(0, seen - Math.max(from, sim.cpuFree_ns[cpu]));
    sim.cpuBusy_ns[cpu] += spun;
    sim.cpuFree_ns[cpu] = Math.max(sim.cpuFree_ns[cpu], seen);
    this.cpu_ns += spun + c.syscall_ns;
    this.polledTo = seen;
    sim.at(seen, this.task, () => sim.at(sim.useCpu(cpu, c.syscall_ns), this.task, this.fillFn));
    // the CPU spun until the look that found it, so the system call's return follows at once
    this.back_ns = seen + c.syscall_ns;
  }

  /** Close every finished bw_avg_time window before now. */
  private sampleWindows(now: number): void {
    while (now - this.windowStart >= BW_AVG_TIME_NS) this.closeWindow(this.windowStart + BW_AVG_TIME_NS);
  }

  private closeWindow(end: number): void {
    const span = end - this.windowStart;
    if (span <= 0) return;
    for (let k = 0; k < FIO_DIRS.length; k++) {
      const d = this.dirStats[k];
      if (d === null) continue;
      d.bw_samples_kib.push(Math.round((d.io_bytes - this.windowBytesFrom[k]) / 1024 / (span / 1e9)));
      d.iops_samples.push(Math.round((d.total_ios - this.windowIosFrom[k]) / (span / 1e9)));
      this.windowBytesFrom[k] = d.io_bytes;
      this.windowIosFrom[k] = d.total_ios;
    }
    this.windowStart = end;
  }

  private finish(now: number): void {
    if (this.done) return;
    this.done = true;
    this.end_ns = now;
    this.sampleWindows(now);
    // a last, partial window counts only when there is no sample at all (a run shorter than
    // bw_avg_time); otherwise the tail after the last whole window is left out, as fio does
    const any = Object.values(this.dirs).some((d) => d!.bw_samples_kib.length > 0);
    if (!any) this.closeWindow(now);
    const runtime_ms = this.rampOver ? Math.max(0, (now - this.statsFrom_ns) / 1e6) : 0;
    for (const d of Object.values(this.dirs)) {
      d!.runtime_ms = runtime_ms;
      if (this.slatTimed === false) settleLat(d!);
    }
    for (const b of this.buffers) this.blk.mem!.pool.release(b);
  }
}

/**
 * fio's disk_list (diskutil.c): a job's device enters it when the job starts (init_disk_util
 * in run_threads), whatever I/O it then does; a device-mapper device brings the devices under
 * it right after it (find_add_disk_slaves, recursively), linked as its slaves unless already in
 * the list. Each disk counts from when it entered (disk_util_add takes the stats then; du->msec
 * runs from then) to the end of the run (update_io_ticks).
 */
class DiskList {
  private readonly entries: Array<{ dev: BlockDevice; from: DiskStats; at_ns: number; slaves: string[] }> = [];

  constructor(private readonly now: () => number) {}

  private has(name: string): boolean {
    return this.entries.some((e) => e.dev.name === name);
  }

  add(dev: BlockDevice): void {
    if (this.has(dev.name)) return;
    const at = this.now();
    const slaves: string[] = [];
    this.entries.push({ dev, from: statsAt(dev.stats, at), at_ns: at, slaves });
    if (!(dev instanceof DmDevice)) return;
    for (const t of dev.targets) {
      for (const { dev: s } of t.devices()) {
        if (this.has(s.name)) continue;
        this.add(s);
        slaves.push(s.name);
      }
    }
  }

  json(end_ns: number): FioDiskUtil[] {
    return this.entries.map((e) => {
      const [d] = diskStatsJson([{ name: e.dev.name, stats: statsSince(statsAt(e.dev.stats, end_ns), e.from) }], end_ns - e.at_ns);
      return e.slaves.length ? { ...d, slaves: [...e.slaves] } : d;
    });
  }
}

/** The stats as of t: busy time integrated up to t while requests are in flight (inflightChange's integral). */
function statsAt(s: DiskStats, t: number): DiskStats {
  const dt = Math.max(0, t - s.since_ns);
  return {
    ...s, ios: [...s.ios], merges: [...s.merges], sectors: [...s.sectors], ticks_ns: [...s.ticks_ns],
    busy_ns: s.busy_ns + (s.inflight > 0 ? dt : 0), since_ns: t,
  };
}

/** What a disk counted between two snapshots (update_io_tick_disk's deltas). */
function statsSince(now: DiskStats, from: DiskStats): DiskStats {
  const d2 = (a: [number, number], b: [number, number]): [number, number] => [a[0] - b[0], a[1] - b[1]];
  return {
    ...now, ios: d2(now.ios, from.ios), merges: d2(now.merges, from.merges), sectors: d2(now.sectors, from.sectors),
    ticks_ns: d2(now.ticks_ns, from.ticks_ns), busy_ns: now.busy_ns - from.busy_ns, in_queue_ns: now.in_queue_ns - from.in_queue_ns,
  };
}

export interface FioRunOptions {
  /** pid of the first job (fio prints them); default 4000. */
  firstPid?: number;
  /** Keep the block trace and every NVMe command record (default false: a long run keeps counters only). */
  trace?: boolean;
  /** model (default): modelled time; wall: the wall clock measures the emulator itself. */
  clock?: "model" | "wall";
  /**
   * false: every job takes the general per-I/O path, never the plain one (planPlain), so a test
   * can hold the two to the same results. Default true.
   */
  plainPath?: boolean;
}

/** Run the jobs (stonewall groups one after another) and measure them. */
export function runFio(host: ScenarioHost, jobs: FioJob[], o: FioRunOptions = {}): FioResult {
  const { blk } = host;
  // modelled time, or the wall clock (then the figures are the emulator's own speed)
  const wall = o.clock === "wall";
  const base = wallClockNs();
  const clock = wall ? () => wallClockNs() - base : () => blk.sim.now_ns;
  if (wall) {
    const delayed = jobs.find((j) => j.startdelay_ns > 0);
    if (delayed) throw new FioRunError(`job ${delayed.name}: startdelay is not supported with the wall clock (modelled time only)`);
  }
  const runStart = blk.sim.now_ns;
  const cpuBusy0 = [...blk.sim.cpuBusy_ns];
  blk.tracer.on = o.trace ?? false;
  blk.tracer.keepCommands = o.trace ?? false;
  const instances: Array<{ job: FioJob; group: number; inst: Instance[] }> = [];
  const groups = reportingGroups(jobs);
  let pid = o.firstPid ?? 4000;
  let slot = 0;
  jobs.forEach((job, k) => {
    const group = groups[k];
    const dev = host.dev(job.filename, `job ${job.name} (line ${job.line}): filename`);
    const inst: Instance[] = [];
    for (let i = 0; i < job.numjobs; i++) {
      inst.push(new Instance(blk, job, dev, i, pid++, slot++ % blk.sim.cpus, clock, !wall, o.plainPath !== false));
    }
    instances.push({ job, group, inst });
  });
  // a job starts when every job of the groups before its own has finished (stonewall) and the
  // job it waits for (wait_for=) has; jobs that can start together do (after their startdelay)
  const doneOf = (x: (typeof instances)[number]) => x.inst.every((i) => i.done);
  const eligible = (x: (typeof instances)[number]) =>
    instances.every((y) => y.group >= x.group || doneOf(y)) &&
    (!x.job.wait_for || instances.filter((y) => y.job.name === x.job.wait_for).every(doneOf));
  const started = new Set<(typeof instances)[number]>();
  // disk stats in modelled time, also with the wall clock (docs/FIO.md)
  const disks = new DiskList(() => blk.sim.now_ns);
  for (let round = 0; started.size < instances.length; round++) {
    if (round > instances.length) throw new FioRunError("fio: jobs wait for each other and can never start");
    const now = blk.sim.now_ns;
    for (const x of instances) {
      if (started.has(x) || !eligible(x)) continue;
      started.add(x);
      const dev = host.dev(x.job.filename, `job ${x.job.name} (line ${x.job.line}): filename`);
      for (const i of x.inst) i.begin(now + x.job.startdelay_ns, () => disks.add(dev));
    }
    const waiting = instances.filter((x) => !started.has(x));
    // the instances started so far, passed over as they finish (done stays done)
    const running = [...started].flatMap((x) => x.inst);
    let finished = 0;
    const allFinished = (): boolean => {
      while (finished < running.length && running[finished].done) finished++;
      return finished === running.length;
    };
    // the last group: nothing runs between its end and the drain below, so its end is asked once
    if (waiting.length === 0) blk.sim.drainUntil(allFinished, "fio jobs to finish");
    else blk.sim.runUntil(() => waiting.some(eligible), "fio jobs to finish");
  }
  blk.sim.drain();
  // one result per job instance, as fio's thread_stats; the report folds the results of jobs
  // with group_reporting into the one before them in the same group, summing them as fio's
  // sum_thread_stats does
  const results: JobResult[] = [];
  for (const { job, group: g, inst } of instances) for (const i of inst) results.push(jobResult(job, g, i));
  const span = blk.sim.now_ns - runStart;
  const busy = blk.sim.cpuBusy_ns.map((b, i) => b - cpuBusy0[i]);
  const cpuUtil = !wall && span > 0 && busy.some((b) => b > 0) ? busy.map((b) => Math.min(100, (100 * b) / span)) : undefined;
  return {
    ...(cpuUtil ? { cpu_util_per_core: cpuUtil } : {}),
    fio_version: FIO_VERSION, timestamp: wall ? Math.floor(Date.now() / 1000) : 0, clock: wall ? "wall" : "model",
    global_options: {}, jobs: results, disk_util: disks.json(blk.sim.now_ns),
  };
}

/** One instance's result (fio's thread_stat); the report folds a group's (group_reporting). */
function jobResult(job: FioJob, group: number, i: Instance): JobResult {
  // sys= is CPU time over the measured run (rusage and epoch are both reset after the ramp)
  const span = i.end_ns - i.statsFrom_ns;
  return {
    name: job.name, groupid: group, jobs: 1, group_reporting: job.group_reporting, error: 0, pid: i.task.pid,
    job_start_ms: i.start_ns / 1e6, job_runtime_ms: Math.max(0, (i.end_ns - Math.max(i.start_ns, i.statsFrom_ns)) / 1e6),
    options: { ...(job.section_options ?? job.options) }, dirs: i.dirs,
    ...(job.description ? { description: job.description } : {}),
    kb_base: job.kb_base ?? 1024,
    usr_cpu: 0, sys_cpu: span > 0 ? (100 * i.cpu_ns) / span : 0,
    ctx: i.ctx, majf: 0, minf: 0,
    io_u_map: [...i.depthMap], io_u_submit: [...i.submitMap], io_u_complete: [...i.completeMap],
    total_submit: i.submitCalls, total_complete: i.completeCalls,
    issued_total: dirRecord(i.issued), issued_short: zeros(), issued_dropped: zeros(),
    latency_depth: job.iodepth,
    ...(i.syncLat ? { sync: i.syncLat, issued_sync: i.issuedSync, issued_datasync: i.issuedDatasync } : {}),
  };
}
