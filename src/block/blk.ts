// The block layer's entry points and shared state: submit_bio / submit_bio_noacct with their
// checks (bio_check_eod, unsupported ops, PREFLUSH/FUA only on writes and dropped on a device
// without a write cache, no REQ_OP_FLUSH bios) and the current->bio_list loop that turns
// stacking drivers' recursion into iteration (__submit_bio_noacct), each bio submitted inside
// a plug of its own when its task has none (__submit_bio, Linux 6.10 to 7.1); plugs per task
// (blk_start_plug / blk_finish_plug, blk_mq_flush_plug_list, the flush when the task blocks);
// and the trace helpers every layer uses.

import { Bio, BlkStatus, BLK_STATUS_NAMES, OP_NAMES, Op, REQ_FUA, REQ_NOMERGE, REQ_PREFLUSH, bioChain, bioEndio, opIsFlush } from "./bio";
import { splitBio } from "./split";
import { Sim, Task } from "./sim";
import { Tracer, Action, BlkEvent, rwbs } from "./trace";
import { BlkPlug } from "./plug";
import { CtxPhase } from "./copy/ctx-types";
import { queueWriteCache } from "./disk";
import type { BlockDevice, CopyDesign } from "./disk";
import type { Request } from "./request";
import type { DmaPool } from "../driver/dma-pool";

/** Host memory for data pages: where bios' pages come from (the NVMe controller's host RAM). */
export interface HostMemory {
  pool: DmaPool;
  ram: Uint8Array;
}

/** A queue that can take plugged requests back when the plug is flushed (blk-mq). */
export interface PlugTarget {
  /**
   * A flushed plug's requests of this queue. viaDispatchList: the plug held a request with a
   * scheduler tag (plug->has_elevator) or the task is going to sleep, so blk_mq_flush_plug_list
   * takes the blk_mq_dispatch_list path instead of handing the list to queue_rqs.
   */
  flushPlugged(rqs: Request[], fromSchedule: boolean, viaDispatchList: boolean): void;
  /** flushPlugged for a plug that held one request of this queue (the same paths, no list). */
  flushPluggedOne(rq: Request, fromSchedule: boolean, viaDispatchList: boolean): void;
  /**
   * A plug that holds one request of this queue and nothing else does what submitting the
   * request without a plug would: it issues it (no scheduler to insert it into).
   */
  readonly plugOfOneIssues: boolean;
}

export class BlockLayer {
  readonly sim: Sim;
  readonly tracer = new Tracer();
  readonly disks = new Map<string, BlockDevice>();
  /** The copy design of devices that do not choose their own. */
  design: CopyDesign = "ctx";
  /** Pages for data; set when the NVMe controller is attached. */
  mem: HostMemory | null = null;

  constructor(cpus: number) {
    this.sim = new Sim(cpus);
  }

  addDisk(d: BlockDevice): void {
    if (this.disks.has(d.name)) throw new Error(`a device named ${d.name} already exists`);
    this.disks.set(d.name, d);
  }

  disk(name: string): BlockDevice {
    const d = this.disks.get(name);
    if (!d) throw new Error(`no block device ${name} (there are: ${[...this.disks.keys()].join(", ")})`);
    return d;
  }

  designOf(d: BlockDevice): CopyDesign {
    return d.copyDesign ?? this.design;
  }

  get task(): Task { return this.sim.current; }

  // ---- plugging ----

  /**
   * __submit_bio's own plug ("block: add plug while submitting IO", 060406c61c7c, Linux 6.10):
   * a bio submitted by a task without a plug is submitted inside one that __submit_bio
   * finishes at once, so its request is plugged (P) and flushed (U, depth 1) before the next
   * bio comes. Mainline removed it in 7.2 ("block: Remove redundant plug in __submit_bio()",
   * 9cbbac29d752); 6.18 has it. False models 7.2: an unplugged bio's request goes to the
   * driver from blk_mq_submit_bio (blk_mq_try_issue_directly) with no P or U.
   */
  plugInSubmitBio = true;

  /** blk_start_plug: only the outermost plug of a task counts. The task's plug object is reused. */
  startPlug(t: Task = this.task): void {
    if (t.plugDepth++ > 0) return;
    const plug = t.plugSpare ?? new BlkPlug();
    t.plugSpare = null;
    plug.reset();
    t.plug = plug;
  }

  /** blk_finish_plug: flush (U) when the outermost plug ends. */
  finishPlug(t: Task = this.task): void {
    if (t.plugDepth === 0) throw new Error(`${t.comm}: blk_finish_plug without blk_start_plug`);
    if (--t.plugDepth > 0) return;
    const plug = t.plug;
    if (plug) this.flushPlug(plug, false);
    t.plug = null;
    if (plug) t.plugSpare = plug;
  }

  /**
   * blk_mq_flush_plug_list: the list is taken (rq_count = 0) and dispatched in submission
   * order, one unplug event per queue with its depth (U explicit, UT when the task blocks).
   * Without a scheduler request in the plug and not from schedule(), each queue's requests go
   * to its driver's queue_rqs (blk_mq_dispatch_queue_requests; a plug of several queues is
   * taken queue by queue, blk_mq_dispatch_multiple_queue_requests, 6.16); otherwise through
   * blk_mq_dispatch_list. A plug of one request (__submit_bio's) is handed over as that one
   * request, with no list.
   */
  flushPlug(plug: BlkPlug, fromSchedule: boolean): void {
    while (plug.rqCount > 0) {
      const viaDispatchList = plug.hasElevator || fromSchedule;
      if (plug.multipleQueues) {
        this.flushByQueue(plug.takeAll(), fromSchedule, viaDispatchList);
      } else if (plug.rqCount === 1) {
        this.unplugOne(plug.takeOne(), fromSchedule, viaDispatchList);
      } else {
        const rqs = plug.takeAll();
        this.unplugQueue(rqs[0].q, rqs, fromSchedule, viaDispatchList);
      }
    }
  }

  /** unplugQueue for a plug of one request (depth 1): the common plug, __submit_bio's. */
  private unplugOne(rq: Request, fromSchedule: boolean, viaDispatchList: boolean): void {
    const q = rq.q;
    if (this.tracer.on) this.event(fromSchedule ? "UT" : "U", q, { rwbs: "N", sector: 0, sectors: 0, depth: 1 });
    (q as unknown as PlugTarget).flushPluggedOne(rq, fromSchedule, viaDispatchList);
  }

  /** A plug of several queues: each queue's requests in the order of their first request (blk_mq_extract_queue_requests). */
  private flushByQueue(rqs: Request[], fromSchedule: boolean, viaDispatchList: boolean): void {
    const byQueue = new Map<BlockDevice, Request[]>();
    for (const rq of rqs) {
      let l = byQueue.get(rq.q);
      if (!l) byQueue.set(rq.q, (l = []));
      l.push(rq);
    }
    for (const [q, l] of byQueue) this.unplugQueue(q, l, fromSchedule, viaDispatchList);
  }

  /** trace_block_unplug(q, depth, explicit), then the queue takes its requests. */
  private unplugQueue(q: BlockDevice, rqs: Request[], fromSchedule: boolean, viaDispatchList: boolean): void {
    if (this.tracer.on) this.event(fromSchedule ? "UT" : "U", q, { rwbs: "N", sector: 0, sectors: 0, depth: rqs.length });
    (q as unknown as PlugTarget).flushPlugged(rqs, fromSchedule, viaDispatchList);
  }

  /** The task is about to sleep (schedule()): its plug is flushed first, marked UT. */
  blockTask(t: Task = this.task): void {
    if (t.plug && t.plug.rqCount > 0) this.flushOnSchedule(t);
  }

  /** blk_flush_plug(plug, true) as t. A method of its own: its closure in blockTask would make every call allocate a context. */
  private flushOnSchedule(t: Task): void {
    this.sim.as(t, () => this.flushPlug(t.plug!, true));
  }

  /** Wait for every bio the task submitted; the task sleeps, so its plug is flushed. */
  waitTask(t: Task = this.task): void {
    if (t.outstanding === 0) return;
    this.blockTask(t);
    this.sim.runUntil(() => t.outstanding === 0, `${t.comm} (pid ${t.pid}) waiting for its I/O`);
  }

  // ---- submission ----

  /**
   * submit_bio from a task: counts the bio as the task's until it completes, then
   * submit_bio_noacct. bio_endio runs the caller's end_io first, then the count drops.
   */
  submitBio(bio: Bio): void {
    const t = this.task;
    bio.task = t.pid;
    t.outstanding++;
    if (bio.submitter === null) bio.submitter = t;
    else countAgain(bio, t);
    this.submitBioNoacct(bio);
  }

  /** submit_bio_noacct: checks, then into the device (or onto the tail of current->bio_list). */
  submitBioNoacct(bio: Bio): void {
    const status = this.checkBio(bio);
    if (status !== null) {
      if (status === BlkStatus.OK) { bioEndio(bio); return; }
      this.fail(bio, status);
      return;
    }
    this.submitBioNoacctNocheck(bio, false);
  }

  /**
   * bio_submit_split (block/blk-merge.c, Linux 6.18): the first `sectors` of bio are split off
   * (bio_split) and chained to it (bio_chain), the split is traced (X, front / rest), the rest
   * is resubmitted at once, without submit_bio_noacct's checks, to the head of
   * current->bio_list (submit_bio_noacct_nocheck(bio, true); "block: fix ordering of recursive
   * split IO", b2f5974079d8, and "block: skip unnecessary checks for split bio", 0b64682e78f7,
   * both 6.18), and the front, marked REQ_NOMERGE, is returned for the caller to go on with.
   * blk_mq_submit_bio's bio_split_to_limits uses it; a bio-based driver that splits (md in
   * the kernel) would too.
   */
  submitSplit(bio: Bio, sectors: number): Bio {
    const front = splitBio(bio, sectors);
    front.flags |= REQ_NOMERGE;
    front.queued = true; // the split carries the original's Q (BIO_TRACE_COMPLETION)
    bioChain(front, bio);
    this.bioEvent("X", front, { splitAt: bio.sector });
    this.submitBioNoacctNocheck(bio, true);
    return front;
  }

  /**
   * submit_bio_noacct_nocheck: Q (once per bio), then onto current->bio_list when the task is
   * inside a submission (its head for a split's rest, its tail otherwise), else submitted now.
   */
  private submitBioNoacctNocheck(bio: Bio, split: boolean): void {
    if (!bio.queued) {
      bio.queued = true;
      if (this.tracer.on) this.bioEvent("Q", bio);
    }
    // The 2026 design: a copy bio that reached a non-stacking device waits in its context.
    const ctx = bio.copyCtx;
    if (ctx !== null && ctx.phase === CtxPhase.TRANSLATE && !bio.bdev.stacking) {
      ctx.arrive(bio);
      return;
    }
    const t = this.task;
    const bioList = t.bioList;
    if (bioList !== null) {
      addToBioList(bioList as Bio[], bio, split);
      return;
    }
    const d = bio.bdev;
    if (d.stacking === false && !(this.plugInSubmitBio === true && t.plugDepth === 0 && this.submitNeedsPlug(d))) this.submitBioMq(bio, t);
    else this.submitBioList(bio, t, null);
  }

  /**
   * __submit_bio_noacct_mq (a device without ->submit_bio, not BD_HAS_SUBMIT_BIO): a blk-mq
   * queue's bio when __submit_bio builds no plug for it. It is submitted with the task's list
   * set, as submitBioList does for its first bio; only when the submission added bios (a
   * split's rest) does the general loop take them, in the same order. A method of its own,
   * without the loop: submit_bio inlines it whole.
   */
  private submitBioMq(bio: Bio, t: Task): void {
    const more = (t.bioListSpare ??= []) as Bio[];
    t.bioList = more;
    try {
      bio.bdev.submit(bio);
    } catch (e) {
      // as submitBioList's finally: the task's list is gone, the spare empty
      t.bioList = null;
      more.length = 0;
      throw e;
    }
    t.bioList = null;
    if (more.length > 0) this.submitBioListRest(bio, t, more);
  }

  /** submitBioMq's submission added bios: they go on as submitBioList's loop takes them. */
  private submitBioListRest(bio: Bio, t: Task, more: Bio[]): void {
    const list = lowerFirst(more, bio.bdev, null);
    more.length = 0;
    this.submitBioList(list.shift()!, t, list);
  }

  /**
   * __submit_bio_noacct: bios a stacking driver submits are collected (current->bio_list) and
   * submitted after it returns, lower devices first, so recursion depth stays bounded. The
   * collecting list is the task's spare, reused and left in place: most submissions add
   * nothing to it, and the task cannot come here again while its list is set (its bios go onto
   * the list), so no outer submission of the task is using the spare. waiting: bios already
   * collected to go after bio (submitBioMq's rest), else null.
   */
  private submitBioList(bio: Bio, t: Task, waiting: Bio[] | null): void {
    const more = (t.bioListSpare ??= []) as Bio[];
    let list: Bio[] | null = waiting;
    let b = bio;
    let plugged = false;
    try {
      for (let guard = 0; ; guard++) {
        if (guard > 10_000_000) throw new Error("submit_bio_noacct: runaway resubmission");
        t.bioList = more;
        // __submit_bio: the submission runs inside a plug of its own, flushed before the next
        // bio (blk_start_plug is a no-op when the task already has a plug)
        plugged = this.plugInSubmitBio === true && t.plugDepth === 0 && this.submitNeedsPlug(b.bdev);
        if (plugged) {
          this.startPlug(t);
          b.bdev.submit(b);
          this.finishPlug(t);
          if (t.plugDepth > 0) dropPlug(t);
          plugged = false;
        } else {
          b.bdev.submit(b);
        }
        t.bioList = null;
        if (more.length > 0) {
          list = lowerFirst(more, b.bdev, list);
          more.length = 0;
        }
        if (list === null || list.length === 0) break;
        b = list.shift()!;
      }
    } finally {
      // after an exception too: a plug __submit_bio started is dropped unflushed (the run is
      // over), the task's list is gone, the spare empty
      if (plugged && t.plugDepth > 0) dropPlug(t);
      t.bioList = null;
      if (more.length > 0) more.length = 0;
    }
  }

  /**
   * Whether __submit_bio's plug does more than its trace events for a bio of d. On a blk-mq
   * queue without a scheduler the plug would hold the one request the bio makes and its flush
   * would issue it, as blk_mq_submit_bio does with no plug (blk_mq_try_issue_directly): the
   * plug shows only in P and U, so when no trace records them it is not built.
   */
  private submitNeedsPlug(d: BlockDevice): boolean {
    return this.tracer.on || (d as Partial<PlugTarget>).plugOfOneIssues !== true;
  }

  /**
   * The checks of submit_bio_noacct; null = go on, OK = complete at once, else fail. The
   * failures' messages are built out of line: the checks a bio passes stay short.
   */
  private checkBio(bio: Bio): BlkStatus | null {
    const d = bio.bdev;
    const lbs = d.limits.logical_block_size;
    if (bio.end > d.capacity || bio.sector < 0) return this.beyondEnd(d, bio);
    if (!bioAligned(bio.sector, bio.size, lbs)) return this.misaligned(d, bio);
    if (opIsFlush(bio.flags)) {
      const status = this.filterFlush(d, bio);
      if (status !== null) return status;
    }
    const op = bio.op;
    if (op === Op.READ || op === Op.WRITE) return null;
    return this.checkOp(d, bio);
  }

  /**
   * checkBio for the ops other than reads and writes: the device must support them. A method
   * of its own: submit_bio inlines checkBio, and V8 counts every bytecode of it, taken or not,
   * against the inlining budget of the submission path.
   */
  private checkOp(d: BlockDevice, bio: Bio): BlkStatus | null {
    switch (bio.op) {
      case Op.DISCARD:
        if (d.limits.max_discard_sectors === 0) return BlkStatus.NOTSUPP;
        break;
      case Op.WRITE_ZEROES:
        if (d.limits.max_write_zeroes_sectors === 0) return BlkStatus.NOTSUPP;
        break;
      case Op.COPY_SRC:
      case Op.COPY_DST:
      case Op.COPY:
        if (d.limits.max_copy_sectors === 0) return BlkStatus.NOTSUPP;
        break;
      case Op.FLUSH:
        // REQ_OP_FLUSH exists only as the request blk-flush makes; a bio flushes with
        // REQ_OP_WRITE | REQ_PREFLUSH (blkdev_issue_flush)
        return this.flushOpBio(d, bio);
    }
    return null;
  }

  /**
   * Filter flushes early (submit_bio_noacct): only writes carry PREFLUSH or FUA (a WARN and an
   * error otherwise); without a write cache (bdev_write_cache: none, or write_cache set to
   * "write through") both are dropped and an empty flush is done.
   */
  private filterFlush(d: BlockDevice, bio: Bio): BlkStatus | null {
    if (bio.op !== Op.WRITE) {
      return this.refuseBio(d, bio, `REQ_PREFLUSH or REQ_FUA on a ${OP_NAMES[bio.op] ?? bio.op} bio (submit_bio_noacct: WARN_ON_ONCE, only writes may carry them)`, BlkStatus.IOERR);
    }
    if (!queueWriteCache(d)) {
      bio.flags &= ~(REQ_PREFLUSH | REQ_FUA);
      if (bio.size === 0) return BlkStatus.OK;
    }
    return null;
  }

  // The checks' failures, each with its message in the trace and the status the bio ends with.

  private beyondEnd(d: BlockDevice, bio: Bio): BlkStatus {
    return this.refuseBio(d, bio, `sectors ${bio.sector}+${bio.sectors} beyond the end of ${d.name} (${d.capacity} sectors)`, BlkStatus.IOERR);
  }

  private misaligned(d: BlockDevice, bio: Bio): BlkStatus {
    return this.refuseBio(d, bio, `not aligned to the logical block size ${d.limits.logical_block_size}`, BlkStatus.IOERR);
  }

  private flushOpBio(d: BlockDevice, bio: Bio): BlkStatus {
    return this.refuseBio(d, bio, `REQ_OP_FLUSH cannot be submitted as a bio (use an empty REQ_OP_WRITE | REQ_PREFLUSH, as blkdev_issue_flush does)`, BlkStatus.NOTSUPP);
  }

  private refuseBio(d: BlockDevice, bio: Bio, why: string, status: BlkStatus): BlkStatus {
    this.message(d, `bio ${bio.id}: ${why}`);
    return status;
  }

  /** End a bio with an error status. */
  fail(bio: Bio, status: BlkStatus): void {
    bio.status = status;
    bioEndio(bio);
  }

  // ---- tracing ----

  event(action: Action, d: { major: number; minor: number }, e: Partial<BlkEvent> & { rwbs: string; sector: number; sectors: number }): void {
    if (!this.tracer.on) return;
    const t = this.task;
    this.tracer.emit({ time_ns: this.sim.now_ns, cpu: t.cpu, pid: t.pid, comm: t.comm, major: d.major, minor: d.minor, action, ...e });
  }

  // extra is optional, not defaulted to {}: a default would allocate on every call, traced or not
  bioEvent(action: Action, bio: Bio, extra?: Partial<BlkEvent>): void {
    if (!this.tracer.on) return;
    this.event(action, bio.bdev, { bio: bio.id, rwbs: rwbs(bio.op, bio.flags, bio.size), sector: bio.sector, sectors: bio.sectors, ...extra });
  }

  rqEvent(action: Action, d: BlockDevice, rq: Request, extra?: Partial<BlkEvent>): void {
    if (!this.tracer.on) return;
    this.event(action, d, { rq: rq.id, rwbs: rwbs(rq.op, rq.flags, rq.dataLen), sector: rq.sector, sectors: rq.sectors, ...extra });
  }

  completeEvent(d: BlockDevice, rq: Request, status: BlkStatus): void {
    this.rqEvent("C", d, rq, status === BlkStatus.OK ? undefined : { error: BLK_STATUS_NAMES[status] });
  }

  /** A text message in the trace (blkparse prints these as "m N text"). */
  message(d: { major: number; minor: number }, text: string): void {
    if (!this.tracer.on) return;
    this.event("m", d, { rwbs: "N", sector: 0, sectors: 0, text });
  }
}

// Out of submitBio and submitBioNoacct: a closure in them would make every call allocate the
// context it captures.

/** A bio submitted again before it ended (not done by the kernel's users): counted once more. */
function countAgain(bio: Bio, t: Task): void {
  const endio = bio.endio;
  bio.endio = (b) => {
    endio?.(b);
    t.outstanding--;
  };
}

/**
 * The alignment check, (sector * 512) % lbs === 0 and bytes % lbs === 0. As bio_unaligned
 * (block/blk-mq.c) does, a power-of-two block size of at least 512 bytes (every NVMe LBA
 * format: LBADS >= 9) with a sector and a length that are 32-bit integers is tested on the
 * bits: V8 compiles % of a number it has once seen as a heap number into the x87 remainder
 * (fprem), slow and long. Any other value takes the remainders themselves.
 */
function bioAligned(sector: number, bytes: number, lbs: number): boolean {
  if ((sector | 0) === sector && (bytes | 0) === bytes && lbs >= 512 && lbs === (lbs & -lbs)) {
    return ((sector & ((lbs >> 9) - 1)) | (bytes & (lbs - 1))) === 0;
  }
  return (sector * 512) % lbs === 0 && bytes % lbs === 0;
}

/**
 * Onto current->bio_list, whose bios go after the submission that is running: bio_list_add_head
 * for a split's rest, so it goes before what this submission added so far (a bio split twice
 * in one submission is issued in order), bio_list_add for every other.
 */
function addToBioList(bioList: Bio[], bio: Bio, split: boolean): void {
  if (split) bioList.unshift(bio);
  else bioList.push(bio);
}

/** A plug __submit_bio started and its submission left open: dropped, unflushed. */
function dropPlug(t: Task): void {
  t.plugDepth = 0;
  t.plug = null;
}

/** __submit_bio_noacct's order: bios for lower devices first, then this device's, then what was already waiting. */
function lowerFirst(more: Bio[], bdev: BlockDevice, list: Bio[] | null): Bio[] {
  return [...more.filter((m) => m.bdev !== bdev), ...more.filter((m) => m.bdev === bdev), ...(list ?? [])];
}
