// dm-kcopyd (drivers/md/dm-kcopyd.c, include/linux/dm-kcopyd.h): the copy service
// device-mapper targets use. A client copies a source region to up to 8 destination regions
// (dm_kcopyd_copy) or zeroes them (dm_kcopyd_zero); a job larger than the sub-job size becomes
// a master and SPLIT_COUNT = 8 sub-jobs that each take the next chunk until the job is done
// (split_job / segment_complete), so at most 8 sub-jobs (4 MiB with the default 512 KiB) are in
// flight per job. Jobs move through the client's lists complete -> pages -> io, processed by
// do_work inside one plug: a read from the source into the job's pages, then on completion
// the same job is written to every destination, then its callback runs (with read_err and
// the write_err bitmask). Everything a client does runs in that one work item, so
// submissions and callbacks are serialised on whichever CPU runs it.
//
// Variants (the run's kcopyd options):
// - "single" (upstream): one work item per client; it runs on the CPU that woke it while it
//   was idle, and a wake while it runs keeps it on that CPU (workqueue non-reentrancy).
// - "percpu" (Nikos Tsironis' unposted redesign, seed 001): a job stays on the CPU of the
//   caller: one work item per CPU per client; submissions and completions keep thread
//   locality, so copies of tasks on different CPUs run at once.
// - offload (Nitesh Shetty's v2-v6 "dm kcopyd: use copy offload support", dropped in v7):
//   when both sides allow copies (max_copy_sectors > 0, and one device for the pair design)
//   a job is first tried as a copy through the block layer's copy API with fallback off;
//   if any byte is not offloaded the job is done again by read+write.
//
// CPU time: the model charges job_cpu_ns of CPU time to the worker for every job it takes
// off a list (run_complete_job, run_pages_job, run_io_job); a worker is busy for that long
// after each run and cannot run again before, which is the serialisation seed 001 measured.
// Nothing else in the block-layer model costs CPU time. Not modelled: throttling
// (dm_kcopyd_throttle), DM_KCOPYD_WRITE_SEQ (no zoned devices here), prepare_callback.

import { Bio, BlkStatus, BLK_STATUS_NAMES, Op } from "../bio";
import type { BlockLayer } from "../blk";
import type { BlockDevice } from "../disk";
import type { DmaBuffer } from "../../driver/dma-pool";
import type { Task } from "../sim";
import { blkCopy } from "../copy/copy";

/** DM_KCOPYD_MAX_REGIONS: destinations per job. */
export const DM_KCOPYD_MAX_REGIONS = 8;
/** SPLIT_COUNT: sub-jobs of a split job. */
export const SPLIT_COUNT = 8;
/** DEFAULT_SUB_JOB_SIZE_KB and its module parameter's limit (dm_mod.kcopyd_subjob_size_kb). */
export const DEFAULT_SUB_JOB_SIZE_KB = 512;
export const MAX_SUB_JOB_SIZE_KB = 1024;
/** BIO_MAX_VECS pages: dm-io puts at most this many bytes in one bio. */
const DM_IO_MAX_BIO_BYTES = 256 * 4096;
/** The modelled CPU time per job step when the run does not say. */
export const DEFAULT_JOB_CPU_NS = 2_000;
/** Bounds on what one client holds (TigerBeetle-style limits: a runaway user fails loudly). */
const MAX_JOBS_PER_CLIENT = 1 << 16;

/** Flags (enum dm_kcopyd_flags), as bit numbers' masks. */
export const DM_KCOPYD_IGNORE_ERROR = 1 << 0;
export const DM_KCOPYD_WRITE_SEQ = 1 << 1;

/** struct dm_io_region: sectors of a block device. */
export interface DmIoRegion {
  bdev: BlockDevice;
  sector: number;
  count: number;
}

/** dm_kcopyd_notify_fn: read_err, and one bit per destination that failed. */
export type KcopydNotify = (readErr: boolean, writeErr: number) => void;

export type KcopydVariant = "single" | "percpu";

/** The run's kcopyd settings (module parameters and the what-ifs). */
export interface KcopydConfig {
  variant: KcopydVariant;
  subjob_size_kb: number;
  /** Try copy offload before read+write (Nitesh v2-v6). */
  offload: boolean;
  job_cpu_ns: number;
}

export const DEFAULT_KCOPYD: KcopydConfig = { variant: "single", subjob_size_kb: DEFAULT_SUB_JOB_SIZE_KB, offload: false, job_cpu_ns: DEFAULT_JOB_CPU_NS };

const configs = new WeakMap<BlockLayer, KcopydConfig>();

/** Set the run's kcopyd settings; clients created afterwards use them. Throws on bad values. */
export function setKcopydConfig(blk: BlockLayer, c: Partial<KcopydConfig>): KcopydConfig {
  const v = { ...kcopydConfig(blk), ...c };
  if (v.variant !== "single" && v.variant !== "percpu") throw new Error(`kcopyd: variant "${v.variant}" is not "single" or "percpu"`);
  // kcopyd_subjob_size_kb is clamped to [PAGE_SIZE/1024 .. MAX_SUB_JOB_SIZE_KB] and must be page aligned
  if (!Number.isSafeInteger(v.subjob_size_kb) || v.subjob_size_kb < 4 || v.subjob_size_kb > MAX_SUB_JOB_SIZE_KB || v.subjob_size_kb % 4) {
    throw new Error(`kcopyd: subjob_size_kb ${v.subjob_size_kb} is not a multiple of 4 in 4..${MAX_SUB_JOB_SIZE_KB}`);
  }
  if (!Number.isSafeInteger(v.job_cpu_ns) || v.job_cpu_ns < 0) throw new Error(`kcopyd: job_cpu_ns ${v.job_cpu_ns} is not a non-negative integer`);
  configs.set(blk, v);
  return v;
}

export function kcopydConfig(blk: BlockLayer): KcopydConfig {
  return configs.get(blk) ?? DEFAULT_KCOPYD;
}

type JobOp = "read" | "write" | "zero" | "offload";

/** struct kcopyd_job (one per job, per sub-job and per master). */
interface Job {
  id: number;
  kc: KcopydClient;
  /** The CPU whose worker runs this job (percpu); the single variant ignores it. */
  cpu: number;
  flags: number;
  /** null: dm_kcopyd_zero. */
  source: DmIoRegion | null;
  dests: DmIoRegion[];
  op: JobOp;
  readErr: boolean;
  writeErr: number;
  /** Copy offload still to be tried for this job. */
  tryOffload: boolean;
  pages: DmaBuffer | null;
  usesReserve: boolean;
  notify: KcopydNotify;
  /** A split job: the master (sub-jobs point at it), its progress and sub-jobs still running. */
  master: Job | null;
  progress: number;
  subJobs: number;
}

/** One work item (struct work_struct kcopyd_work) and its lists. */
interface Worker {
  cpu: number;
  task: Task | null;
  complete: Job[];
  pages: Job[];
  io: Job[];
  /** The work is queued and will run (work_pending). */
  queued: boolean;
  /** do_work is running now. */
  running: boolean;
  /** Until when the worker's CPU is busy with its last run. */
  busyUntil_ns: number;
}

export interface KcopydStats {
  jobs: number;
  sub_jobs: number;
  /** Bytes read from sources, and written (counted once per destination). */
  read_bytes: number;
  write_bytes: number;
  zero_bytes: number;
  /** Bytes copied by offload (once per destination). */
  offloaded_bytes: number;
  /** Bytes of jobs whose offload failed and were done again by read+write. */
  offload_fallback_bytes: number;
  /** Runs of the work item, per CPU. */
  runs_per_cpu: number[];
  /** The most workers of this client busy at one time. */
  max_parallel_workers: number;
  /** Jobs that waited because no pages were free (kcopyd_get_pages failed). */
  page_waits: number;
}

let nextJobId = 1;

const clients = new WeakMap<BlockLayer, KcopydClient[]>();

/** dm_kcopyd_client_create (with the run's settings at this moment). */
export function kcopydClientCreate(blk: BlockLayer, name: string): KcopydClient {
  const kc = new KcopydClient(blk, name, kcopydConfig(blk));
  let l = clients.get(blk);
  if (!l) clients.set(blk, (l = []));
  l.push(kc);
  return kc;
}

/** Every client of the run, in creation order (for reports). */
export function kcopydClients(blk: BlockLayer): readonly KcopydClient[] {
  return clients.get(blk) ?? [];
}

export class KcopydClient {
  readonly stats: KcopydStats;
  private readonly workers: Worker[] = [];
  private readonly subJobSectors: number;
  /** The pages reserved for one sub-job (reserve_pages), used when allocation fails. */
  private reserve: DmaBuffer | null;
  private reserveBusy = false;
  /** nr_jobs: jobs (including masters) not yet finished. */
  private nrJobs = 0;
  private destroyed = false;

  constructor(readonly blk: BlockLayer, readonly name: string, readonly config: KcopydConfig) {
    this.subJobSectors = config.subjob_size_kb * 2;
    const n = config.variant === "percpu" ? blk.sim.cpus : 1;
    for (let cpu = 0; cpu < n; cpu++) this.workers.push({ cpu, task: null, complete: [], pages: [], io: [], queued: false, running: false, busyUntil_ns: 0 });
    this.stats = {
      jobs: 0, sub_jobs: 0, read_bytes: 0, write_bytes: 0, zero_bytes: 0, offloaded_bytes: 0, offload_fallback_bytes: 0,
      runs_per_cpu: new Array(blk.sim.cpus).fill(0), max_parallel_workers: 0, page_waits: 0,
    };
    const mem = blk.mem;
    if (!mem) throw new Error(`kcopyd ${name}: no host memory for its pages (no controller attached)`);
    this.reserve = mem.pool.alloc(this.subJobSectors * 512);
  }

  /** Jobs not yet finished. */
  get jobsInFlight(): number { return this.nrJobs; }

  /** dm_kcopyd_client_destroy: every job must have finished; the reserve is freed. */
  destroy(): void {
    if (this.nrJobs !== 0) throw new Error(`kcopyd ${this.name}: destroyed with ${this.nrJobs} job(s) still running`);
    if (this.reserve) this.blk.mem!.pool.release(this.reserve);
    this.reserve = null;
    this.destroyed = true;
  }

  /** dm_kcopyd_copy: copy from to every dest (sectors; all regions of from.count). */
  copy(from: DmIoRegion, dests: DmIoRegion[], flags: number, notify: KcopydNotify): void {
    this.checkRegions(from, dests);
    const offloadable = this.config.offload && dests.every((d) => this.offloadable(from, d));
    this.submitJob(from, dests, flags, notify, offloadable);
  }

  /** dm_kcopyd_zero: zero every dest (write zeroes when every dest supports it, else writes of zero pages). */
  zero(dests: DmIoRegion[], flags: number, notify: KcopydNotify): void {
    this.checkRegions(null, dests);
    this.submitJob(null, dests, flags, notify, false);
  }

  private checkRegions(from: DmIoRegion | null, dests: DmIoRegion[]): void {
    if (this.destroyed) throw new Error(`kcopyd ${this.name}: client destroyed`);
    if (dests.length === 0 || dests.length > DM_KCOPYD_MAX_REGIONS) throw new Error(`kcopyd ${this.name}: ${dests.length} destinations (1..${DM_KCOPYD_MAX_REGIONS})`);
    const count = from ? from.count : dests[0].count;
    for (const r of from ? [from, ...dests] : dests) {
      if (!Number.isSafeInteger(r.sector) || r.sector < 0 || r.count !== count || r.sector + r.count > r.bdev.capacity) {
        throw new Error(`kcopyd ${this.name}: region ${r.bdev.name} ${r.sector}+${r.count} is invalid (every region has ${count} sectors inside its device)`);
      }
    }
    if (this.nrJobs >= MAX_JOBS_PER_CLIENT) throw new Error(`kcopyd ${this.name}: more than ${MAX_JOBS_PER_CLIENT} jobs at once`);
  }

  /** Whether the copy API may offload from -> d: both sides have copy limits (and one device for pair). */
  private offloadable(from: DmIoRegion, d: DmIoRegion): boolean {
    if (from.bdev.limits.max_copy_sectors === 0 || d.bdev.limits.max_copy_sectors === 0) return false;
    return this.blk.designOf(d.bdev) !== "pair" || from.bdev === d.bdev;
  }

  private submitJob(source: DmIoRegion | null, dests: DmIoRegion[], flags: number, notify: KcopydNotify, tryOffload: boolean): void {
    const count = source ? source.count : dests[0].count;
    const job = this.newJob(source ? { ...source } : null, dests.map((d) => ({ ...d })), flags, notify, null, tryOffload);
    this.stats.jobs++;
    const what = source ? `copy ${source.bdev.name} ${source.sector}+${count} -> ${dests.map((d) => `${d.bdev.name} ${d.sector}`).join(", ")}` : `zero ${dests.map((d) => `${d.bdev.name} ${d.sector}+${count}`).join(", ")}`;
    if (count > this.subJobSectors) {
      this.message(job, `kcopyd ${this.name}: job ${job.id} ${what} split into ${SPLIT_COUNT} sub-jobs of up to ${this.subJobSectors} sectors`);
      this.splitJob(job);
      return;
    }
    this.message(job, `kcopyd ${this.name}: job ${job.id} ${what}${tryOffload ? " (offload first)" : ""}`);
    this.dispatchJob(job);
  }

  private newJob(source: DmIoRegion | null, dests: DmIoRegion[], flags: number, notify: KcopydNotify, master: Job | null, tryOffload: boolean): Job {
    this.nrJobs++;
    return {
      id: nextJobId++, kc: this, cpu: this.blk.sim.current.cpu, flags, source, dests, op: source ? "read" : "zero",
      readErr: false, writeErr: 0, tryOffload, pages: null, usesReserve: false, notify, master, progress: 0, subJobs: 0,
    };
  }

  /** split_job: SPLIT_COUNT sub-jobs, each started through segment_complete. */
  private splitJob(master: Job): void {
    master.subJobs = SPLIT_COUNT;
    for (let i = 0; i < SPLIT_COUNT; i++) {
      const sub = this.newJob(master.source ? { ...master.source, count: 0 } : null, master.dests.map((d) => ({ ...d, count: 0 })), master.flags, () => {}, master, master.tryOffload);
      sub.cpu = master.cpu;
      sub.notify = (r, w) => this.segmentComplete(sub, r, w);
      this.segmentComplete(sub, false, 0);
    }
  }

  /** segment_complete: record errors, then give the sub-job the next chunk, or retire it. */
  private segmentComplete(sub: Job, readErr: boolean, writeErr: number): void {
    const m = sub.master!;
    if (readErr) m.readErr = true;
    m.writeErr |= writeErr;
    const total = m.source ? m.source.count : m.dests[0].count;
    // after an error (unless IGNORE_ERROR) no more chunks are started
    const stop = (m.readErr || m.writeErr) && !(m.flags & DM_KCOPYD_IGNORE_ERROR);
    if (!stop && m.progress < total) {
      const count = Math.min(this.subJobSectors, total - m.progress);
      const at = m.progress;
      m.progress += count;
      if (m.source) sub.source = { bdev: m.source.bdev, sector: m.source.sector + at, count };
      sub.dests = m.dests.map((d) => ({ bdev: d.bdev, sector: d.sector + at, count }));
      sub.op = m.source ? "read" : "zero";
      sub.readErr = false;
      sub.writeErr = 0;
      sub.tryOffload = m.tryOffload;
      this.stats.sub_jobs++;
      this.dispatchJob(sub);
      return;
    }
    this.nrJobs--; // the sub-job retires
    if (--m.subJobs === 0) this.push(m, "complete");
  }

  /** dispatch_job: zero-length jobs straight to the callback, zeroing and offload to io, copies to pages. */
  private dispatchJob(job: Job): void {
    const count = job.source ? job.source.count : job.dests[0].count;
    if (count === 0) this.push(job, "complete");
    else if (job.op === "zero" || job.tryOffload) {
      if (job.tryOffload) job.op = "offload";
      this.push(job, "io");
    } else this.push(job, "pages");
  }

  private workerOf(job: Job): Worker {
    return this.config.variant === "percpu" ? this.workers[job.cpu] : this.workers[0];
  }

  /** push + wake. */
  private push(job: Job, list: "complete" | "pages" | "io"): void {
    const w = this.workerOf(job);
    w[list].push(job);
    this.wake(w);
  }

  /** wake (queue_work): a queued work runs once; a running one runs again after its run. */
  private wake(w: Worker): void {
    if (w.queued) return;
    w.queued = true;
    if (!w.running) this.schedule(w);
  }

  /** Where and when the queued work runs: the single variant moves to the waker's CPU when idle. */
  private schedule(w: Worker): void {
    const sim = this.blk.sim;
    if (this.config.variant === "single" && sim.now_ns >= w.busyUntil_ns) w.cpu = sim.current.cpu;
    w.task = sim.kworker(w.cpu, `kworker/${w.cpu}:4`, 1400 + w.cpu);
    sim.at(Math.max(sim.now_ns, w.busyUntil_ns), w.task, () => this.doWork(w));
  }

  /**
   * do_work: process_jobs over complete, then pages (until one has to wait), then io, inside
   * one plug; the CPU is then busy for job_cpu_ns per job taken off a list.
   */
  private doWork(w: Worker): void {
    w.queued = false;
    w.running = true;
    const blk = this.blk;
    const now = blk.sim.now_ns;
    this.stats.runs_per_cpu[w.cpu]++;
    let steps = 0;
    blk.startPlug();
    try {
      for (let c = w.complete.shift(); c; c = w.complete.shift()) { steps++; this.runCompleteJob(c); }
      for (let p = w.pages[0]; p; p = w.pages[0]) {
        steps++;
        if (!this.runPagesJob(p)) break; // stays first on the list until pages are given back
        w.pages.shift();
        w.io.push(p);
      }
      for (let j = w.io.shift(); j; j = w.io.shift()) { steps++; this.runIoJob(j); }
    } finally {
      blk.finishPlug();
      w.running = false;
    }
    const busy = steps * this.config.job_cpu_ns;
    w.busyUntil_ns = now + busy;
    if (busy > 0) {
      const others = this.workers.filter((o) => o !== w && o.busyUntil_ns > now).length;
      this.stats.max_parallel_workers = Math.max(this.stats.max_parallel_workers, 1 + others);
    }
    if (w.queued) this.schedule(w);
  }

  /** run_pages_job: pages for the job (kcopyd_get_pages), or the client's reserve; false when none. */
  private runPagesJob(job: Job): boolean {
    const bytes = job.source!.count * 512;
    try {
      job.pages = this.blk.mem!.pool.alloc(bytes);
      return true;
    } catch {
      if (this.reserve && !this.reserveBusy && bytes <= this.reserve.bytes) {
        this.reserveBusy = true;
        job.usesReserve = true;
        job.pages = this.reserve;
        return true;
      }
      this.stats.page_waits++;
      this.message(job, `kcopyd ${this.name}: job ${job.id} waits for pages (${bytes} bytes)`);
      return false;
    }
  }

  private putPages(job: Job): void {
    if (!job.pages) return;
    if (job.usesReserve) this.reserveBusy = false;
    else this.blk.mem!.pool.release(job.pages);
    job.pages = null;
    job.usesReserve = false;
    // a job waiting for pages may go on
    for (const w of this.workers) if (w.pages.length > 0) this.wake(w);
  }

  /** run_complete_job: free the pages, call back, and the job is gone. */
  private runCompleteJob(job: Job): void {
    this.putPages(job);
    const notify = job.notify;
    const r = job.readErr, wr = job.writeErr;
    if (!job.master) this.nrJobs--; // sub-jobs retire in segment_complete
    notify(r, wr);
  }

  /** run_io_job: read the source, or write / zero every destination, or try the copy offload. */
  private runIoJob(job: Job): void {
    switch (job.op) {
      case "read": return this.dmIo(job, [job.source!], Op.READ);
      case "write": return this.dmIo(job, job.dests, Op.WRITE);
      case "zero": {
        const wz = job.dests.every((d) => d.bdev.limits.max_write_zeroes_sectors > 0);
        return this.dmIo(job, job.dests, wz ? Op.WRITE_ZEROES : Op.WRITE);
      }
      case "offload": return this.offloadJob(job);
    }
  }

  /** dm_io (async) over regions: bios of at most BIO_MAX_VECS pages; complete_io when all are done. */
  private dmIo(job: Job, regions: DmIoRegion[], op: Op): void {
    const blk = this.blk;
    const mem = blk.mem!;
    const bytes = regions[0].count * 512;
    let zeroPage: DmaBuffer | null = null;
    if (op === Op.WRITE && job.op === "zero") {
      // the zero page, repeated (dm-io's DM_IO_KMEM over zero_page_list)
      zeroPage = mem.pool.alloc(4096);
      mem.ram.fill(0, zeroPage.bus, zeroPage.bus + 4096);
    }
    let left = 0;
    let errBits = 0;
    const bios: Bio[] = [];
    regions.forEach((r, i) => {
      for (let off = 0; off < bytes; off += DM_IO_MAX_BIO_BYTES) {
        const len = Math.min(DM_IO_MAX_BIO_BYTES, bytes - off);
        let vecs: Bio["vecs"] = [];
        if (op === Op.READ || op === Op.WRITE) {
          if (zeroPage) {
            for (let p = 0; p < len; p += 4096) vecs.push({ bus: zeroPage.bus, len: Math.min(4096, len - p) });
          } else vecs = [{ bus: job.pages!.bus + off, len }];
        }
        const bio = new Bio(r.bdev, op, r.sector + off / 512, len, vecs);
        bio.endio = (b) => {
          if (b.status !== BlkStatus.OK) errBits |= 1 << i;
          if (--left === 0) {
            if (zeroPage) mem.pool.release(zeroPage);
            this.completeIo(job, errBits);
          }
        };
        bios.push(bio);
        left++;
      }
    });
    if (op === Op.READ) this.stats.read_bytes += bytes;
    else if (job.op === "zero") this.stats.zero_bytes += bytes * regions.length;
    else this.stats.write_bytes += bytes * regions.length;
    for (const b of bios) blk.submitBio(b);
  }

  /** complete_io: errors end the job; a finished read becomes the write to every destination. */
  private completeIo(job: Job, errBits: number): void {
    if (errBits) {
      if (job.op === "read") job.readErr = true;
      else job.writeErr |= errBits;
      this.message(job, `kcopyd ${this.name}: job ${job.id} ${job.op} failed (${job.op === "read" ? "read_err" : `write_err ${errBits.toString(2)}`})`);
      if (!(job.flags & DM_KCOPYD_IGNORE_ERROR)) { this.push(job, "complete"); return; }
    }
    if (job.op === "read") {
      job.op = "write";
      this.push(job, "io");
      return;
    }
    this.push(job, "complete");
  }

  /** The offload path: one copy per destination through the copy API; anything short -> read+write. */
  private offloadJob(job: Job): void {
    const src = job.source!;
    const bytes = src.count * 512;
    let left = job.dests.length;
    let short = "";
    let copied = 0;
    const one = (d: DmIoRegion, o: { offloaded_bytes: number; status: BlkStatus }) => {
      copied += o.offloaded_bytes;
      if (o.offloaded_bytes !== bytes && !short) short = `${d.bdev.name}: ${o.offloaded_bytes} of ${bytes} bytes offloaded (${BLK_STATUS_NAMES[o.status]})`;
      if (--left > 0) return;
      job.tryOffload = false;
      if (!short) {
        this.stats.offloaded_bytes += copied;
        this.push(job, "complete");
        return;
      }
      // "failed regions fall back to read/write": the whole job again, the usual way
      this.stats.offload_fallback_bytes += bytes;
      this.message(job, `kcopyd ${this.name}: job ${job.id} offload incomplete (${short}): read+write`);
      job.op = "read";
      this.push(job, "pages");
    };
    for (const d of job.dests) {
      try {
        blkCopy(this.blk, {
          src: src.bdev, dst: d.bdev, srcSegs: [{ pos: src.sector * 512, len: bytes }], dstSegs: [{ pos: d.sector * 512, len: bytes }], fallback: false,
        }, (o) => one(d, o));
      } catch (e) {
        // the copy API refused the arguments (alignment, overlap): nothing offloaded
        this.message(job, `kcopyd ${this.name}: job ${job.id} not offloaded to ${d.bdev.name}: ${(e as Error).message}`);
        one(d, { offloaded_bytes: 0, status: BlkStatus.NOTSUPP });
      }
    }
  }

  private message(job: Job, text: string): void {
    const d = job.dests[0].bdev;
    this.blk.message(d, text);
  }
}
