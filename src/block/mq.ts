// blk-mq for one request queue (block/blk-mq.c): blk_mq_submit_bio (split, plug merge,
// scheduler merge, get a request and tag, plug or insert or issue), the plug's flush rules
// (blk_add_rq_to_plug), software queues per CPU mapped to hardware queues, a tag set per
// hardware queue, the schedulers none and mq-deadline, dispatch to the driver, the requeue list
// kblockd empties (blk_mq_requeue_work: how the flush machinery of blk-flush.ts inserts its
// requests), and request completion with disk statistics (blk_account_io_*).

import { Bio, BlkStatus, BLK_STATUS_NAMES, Op, bioEndio, opIsFlush, opIsWrite } from "./bio";
import { BlockLayer, PlugTarget } from "./blk";
import { BlkFlushQueue, blkFlushEndIo, blkInsertFlush, flushDataDone } from "./blk-flush";
import { BlockDevice, CopyDesign, DiskAcct, DiskStats, accountDone, accountFlush, accountMerge, foldStats, inflightChange, newDiskStats } from "./disk";
import { QueueFlags, QueueLimits } from "./limits";
import { MergeKind, attemptMerge, rqMergeOk, tryMerge } from "./merge";
import { BLK_MAX_REQUEST_COUNT, BLK_PLUG_FLUSH_SIZE, BlkPlug } from "./plug";
import { Request } from "./request";
import type { Task } from "./sim";
import { planRw, planSplit, rwNoSplit } from "./split";
import { Deadline } from "./mq-deadline";
import type { BlkEvent } from "./trace";

export type SchedulerName = "none" | "mq-deadline";

/** What a blk-mq driver provides (struct blk_mq_ops, the parts modelled). */
export interface MqDriverOps {
  /** queue_rq: start one request; false = busy (requeue later). */
  queueRq(disk: MqDisk, rq: Request): boolean;
  /** commit_rqs: tell the hardware about what queue_rq started (ring the doorbell). */
  commitRqs(disk: MqDisk, hctx: number): void;
  /** queue_rqs: a whole plug list in one call (nvme_queue_rqs); returns the ones it left. */
  queueRqs?(disk: MqDisk, rqs: Request[]): Request[];
}

/** One hardware context: a tag pool sized to the driver queue and a dispatch list. */
class Hctx {
  readonly free: number[] = [];
  readonly dispatch: Request[] = [];
  /** Tasks waiting for a tag (blk_mq_get_tag sleeps). */
  waiting = 0;
  /** With a scheduler: its free tags (hctx->sched_tags, q->nr_requests of them), a stack like free: 0 first, then the last freed. */
  readonly schedFree: number[] = [];
  /** With a scheduler: requests taken from it that found no driver tag (hctx->dispatch). */
  readonly schedDispatch: Request[] = [];
  /**
   * Without a scheduler: requests inserted into the software queues of the CPUs mapped here
   * (ctx->rq_lists, blk_mq_insert_request) for the next run of the hardware queue. Only the
   * requeue list fills it; the model issues every other request directly.
   */
  readonly swq: Request[] = [];
  /** hctx->fq: the flush queue (made on first use). */
  fq: BlkFlushQueue | null = null;
  constructor(readonly index: number, readonly depth: number) {
    for (let i = depth - 1; i >= 0; i--) this.free.push(i);
    for (let i = nrRequests(depth) - 1; i >= 0; i--) this.schedFree.push(i);
  }
}

export abstract class MqDisk implements BlockDevice, PlugTarget {
  readonly stacking = false;
  abstract readonly driver: string;
  /** The counters requests update (part_stat_*); stats is their DiskStats view. */
  private readonly acct = new DiskAcct();
  private readonly statsView: DiskStats = newDiskStats();
  readonly flags: QueueFlags = { nomerges: 0 };
  copyDesign?: CopyDesign;
  /** QUEUE_FLAG_WC (BLK_FEAT_WRITE_CACHE): a volatile write cache; without it flushes and FUA are dropped. */
  writeCache = true;
  /** QUEUE_FLAG_FUA (BLK_FEAT_FUA): FUA writes go to the driver; without it a POSTFLUSH does the job. */
  fua = true;
  scheduler: SchedulerName = "none";
  private readonly hctxs: Hctx[];
  /**
   * Each CPU's hardware queue, mapped once (blk_mq_map_queues, kept per software queue as
   * ctx->hctxs by blk_mq_map_swqueue): the per-request lookup is a load, not a remainder.
   */
  private readonly hctxByCpu: Hctx[];
  /** Ended requests, handed out again (the kernel preallocates them per tag: static_rqs). */
  private readonly rqPool: Request[] = [];
  private deadline: Deadline | null = null;
  /** q->requeue_list and q->flush_list, emptied by the requeue work on kblockd. */
  private readonly requeueList: Request[] = [];
  private readonly flushList: Request[] = [];
  /** q->requeue_work is queued and has not run yet (kblockd_mod_delayed_work_on queues it once). */
  private requeueQueued = false;

  constructor(
    readonly blk: BlockLayer,
    readonly name: string,
    readonly major: number,
    readonly minor: number,
    public limits: QueueLimits,
    public capacity: number,
    readonly ops: MqDriverOps,
    hwQueues: number,
    depth: number,
  ) {
    this.hctxs = Array.from({ length: hwQueues }, (_, i) => new Hctx(i, depth));
    this.hctxByCpu = Array.from({ length: blk.sim.cpus }, (_, cpu) => this.hctxs[this.hctxOf(cpu)]);
  }

  /** The disk statistics as of now (part_stat_read_all when /proc/diskstats is read). */
  get stats(): DiskStats {
    return foldStats(this.acct, this.statsView);
  }

  setScheduler(s: SchedulerName): void {
    this.scheduler = s;
    this.deadline = s === "mq-deadline" ? new Deadline() : null;
  }

  /**
   * The number of requests a hardware queue preallocates (tags->static_rqs, sched_tags->static_rqs
   * and fq->flush_rq), each with its driver's per-request data (the pdu: nvme_request holds the
   * genctr of nvme_cid); staticRqIndex numbers them.
   */
  get staticRqs(): number {
    const depth = this.hctxs[0].depth;
    return depth + nrRequests(depth) + 1;
  }

  /**
   * Which of its hardware queue's preallocated requests rq is: a request from the driver tags
   * is its tag (static_rqs[tag]), one from a scheduler's tags depth + its scheduler tag
   * (sched_tags->static_rqs[internal_tag]), the flush request the last one (blk_kick_flush
   * reuses fq->flush_rq; it borrows a tag for the driver, not its pdu).
   */
  staticRqIndex(rq: Request): number {
    if (rq.op === Op.FLUSH) return this.staticRqs - 1;
    if (rq.schedTag >= 0) return this.hctxs[0].depth + rq.schedTag;
    return rq.tag;
  }

  /** blk_mq_map_queues: CPUs spread over hardware queues. */
  hctxOf(cpu: number): number {
    return cpu % this.hctxs.length;
  }

  get design(): CopyDesign {
    return this.blk.designOf(this);
  }

  // ---- submission: blk_mq_submit_bio ----

  submit(bio: Bio): void {
    const op = bio.op;
    // bio_may_need_split: a read or write of one segment within the limits goes on as it is;
    // every other bio is split to the limits first (or failed)
    if ((op === Op.READ || op === Op.WRITE) && rwNoSplit(bio, this.limits) === true) this.submitRq(bio, 1);
    else this.splitToLimits(bio);
  }

  /** bio_split_to_limits, then submitRq with the part that goes on; a bio that cannot be split as it must is failed. */
  private splitToLimits(bio: Bio): void {
    const blk = this.blk;
    const op = bio.op;
    // reads and writes first: only copies need the design (how an unsplittable one fails)
    const plan = op === Op.READ || op === Op.WRITE
      ? planRw(bio, this.limits)
      : planSplit(bio, this.limits, this.design === "pair" ? BlkStatus.IOERR : BlkStatus.NOTSUPP);
    if (plan.fail !== undefined) {
      blk.message(this, `bio ${bio.id}: ${plan.why}`);
      blk.fail(bio, plan.fail);
      return;
    }
    const nsegs = plan.nsegs; // the plan may be shared with the next bio planned
    // bio_submit_split: the front goes on, marked nomerge; the rest is resubmitted (to the head
    // of current->bio_list, taken after this bio's plug is flushed)
    if (plan.sectors > 0) bio = blk.submitSplit(bio, plan.sectors);
    this.submitRq(bio, nsegs);
  }

  /**
   * blk_mq_submit_bio after the split: a merge into a plugged request or the scheduler's, else
   * a new request, which goes to the flush machinery, the plug, the scheduler or the driver.
   */
  private submitRq(bio: Bio, nsegs: number): void {
    const task = this.blk.task;
    const plug = task.plug;
    if (plug === null && this.deadline === null) {
      // no plug and no scheduler: nothing to merge into, and the request is issued at once
      // (blk_mq_try_issue_directly)
      const rq = this.getRequest(bio, nsegs, task);
      if (opIsFlush(bio.flags) && blkInsertFlush(this, rq)) return;
      this.issueOne(rq);
      return;
    }
    this.submitRqQueued(bio, nsegs, plug, task);
  }

  /**
   * submitRq with a plug or a scheduler: merges are tried, and the request goes to the plug or
   * the scheduler. A method of its own: V8 counts every bytecode of a function it inlines,
   * taken or not, against the inlining budget of the submission path (as endFlushStep).
   */
  private submitRqQueued(bio: Bio, nsegs: number, plug: BlkPlug | null, task: Task): void {
    const nomerges = this.flags.nomerges;
    // an empty plug (__submit_bio's, always) has no request to merge into
    if (nomerges !== 2 && plug !== null && plug.rqCount > 0 && this.plugMerge(plug, bio, nsegs)) return;
    const deadline = this.deadline;
    if (nomerges !== 2 && deadline !== null && deadline.tryMerge(this, bio, nsegs, nomerges === 1)) return;
    const rq = this.getRequest(bio, nsegs, task);
    // a PREFLUSH or FUA request goes to the flush machinery, which may take it (not plugged)
    if (opIsFlush(bio.flags) && blkInsertFlush(this, rq)) return;
    if (plug !== null) this.addToPlug(plug, rq);
    else if (deadline !== null) this.insertAsync(rq);
    else this.issueOne(rq);
  }

  /**
   * No plug at all (only when BlockLayer.plugInSubmitBio is off, as in 7.2: 6.18's __submit_bio
   * always holds one): a request with a scheduler tag is inserted (I) and the hardware queue is
   * run from kblockd (blk_mq_insert_request, blk_mq_run_hw_queue(hctx, true)).
   */
  private insertAsync(rq: Request): void {
    const blk = this.blk;
    blk.rqEvent("I", this, rq);
    this.deadline!.insert(rq, blk.sim.now_ns);
    this.restartScheduler(blk.task.cpu);
  }

  /** issueDirect for one request (the per-I/O path without a plug): no list, no set of queues. */
  private issueOne(rq: Request): void {
    if (this.startOrRequeue(rq)) this.ops.commitRqs(this, rq.hctx);
  }

  /**
   * blk_attempt_plug_merge (block/blk-merge.c; "block: use plug request list tail for one-shot
   * backmerge attempt", 961296e89dc3, 6.16 and 6.12.y): the one candidate is the request added
   * last (the list's tail) when it is this queue's; otherwise, only when the plug holds several
   * queues, the first request of this queue from the head (the oldest: the kernel's list is
   * singly linked and is scanned forward).
   */
  private plugMerge(plug: BlkPlug, bio: Bio, nsegs: number): boolean {
    const tail = plug.tail();
    if (tail === undefined) return false;
    if (tail.q === this) return this.mergeInto(tail, bio, nsegs);
    if (!plug.multipleQueues) return false;
    const n = plug.rqCount;
    for (let i = 0; i < n; i++) {
      const rq = plug.at(i);
      if (rq.q === this) return this.mergeInto(rq, bio, nsegs);
    }
    return false;
  }

  /** blk_attempt_bio_merge: try one request; trace M/F (and the copy pairing) on success. */
  mergeInto(rq: Request, bio: Bio, nsegs: number): boolean {
    const design = this.design;
    if (!rqMergeOk(rq, bio, design)) return false;
    const kind = tryMerge(rq, bio, this.limits, design);
    if (kind === MergeKind.NONE) return false;
    const refused = attemptMerge(kind, rq, bio, nsegs, this.limits);
    if (refused) {
      this.blk.message(this, `no merge of bio ${bio.id} into request ${rq.id}: ${refused}`);
      return false;
    }
    // bio_attempt_discard_merge traces nothing, and blk_account_io_merge_bio counts a discard
    // merge in the discard group (STAT_DISCARD), not with the writes
    if (kind === MergeKind.DISCARD) return true;
    this.blk.bioEvent(kind === MergeKind.FRONT ? "F" : "M", bio, { rq: rq.id });
    if (kind === MergeKind.COPY_PAIR) this.blk.message(this, `copy: paired COPY_SRC bio ${bio.id} with COPY_DST request ${rq.id}`);
    accountMerge(this.acct, opIsWrite(rq.op));
    return true;
  }

  /**
   * blk_mq_get_new_requests: a request and a tag from this CPU's hardware queue (G; S when
   * none). With a scheduler the tag is a scheduler tag (q->nr_requests of them); the driver
   * tag is taken at dispatch (blk_mq_get_driver_tag), so requests can wait in the scheduler.
   */
  private getRequest(bio: Bio, nsegs: number, task: Task): Request {
    const blk = this.blk;
    const h = this.hctxFor(task.cpu);
    const sched = this.deadline !== null;
    if (!(sched ? h.schedFree.length > 0 : h.free.length > 0)) this.waitForTag(h, sched, bio, task);
    let rq = this.rqPool.pop();
    if (rq !== undefined) rq.init(bio, nsegs, task.cpu, task.pid, task.comm);
    else rq = newRequest(bio, nsegs, task);
    if (sched) rq.schedTag = h.schedFree.pop()!;
    else rq.tag = h.free.pop()!;
    rq.hctx = h.index;
    rq.start_ns = blk.sim.now_ns;
    if (blk.tracer.on === true) this.traceGetRequest(bio, rq);
    return rq;
  }

  /** The hardware queue of a CPU: hctxByCpu's, or mapped now for a CPU past the simulated ones. */
  private hctxFor(cpu: number): Hctx {
    const byCpu = this.hctxByCpu;
    return cpu < byCpu.length ? byCpu[cpu] : this.hctxs[this.hctxOf(cpu)];
  }

  /** G, out of getRequest: its event record would count against the submission's inlining budget. */
  private traceGetRequest(bio: Bio, rq: Request): void {
    this.blk.bioEvent("G", bio, { rq: rq.id });
  }

  /**
   * blk_mq_get_tag's sleep (S) until a tag is free. A method of its own: a closure in
   * getRequest would make every call allocate the context it captures.
   */
  private waitForTag(h: Hctx, sched: boolean, bio: Bio, task: Task): void {
    const blk = this.blk;
    const free = () => (sched ? h.schedFree.length > 0 : h.free.length > 0);
    blk.bioEvent("S", bio);
    h.waiting++;
    blk.blockTask(task);
    blk.sim.runUntil(free, `a free tag on ${this.name} hctx ${h.index}`);
    h.waiting--;
  }

  /**
   * blk_add_rq_to_plug: the plug's first request traces P. A plug that holds
   * BLK_MAX_REQUEST_COUNT requests (twice that once it held several queues), or whose "last"
   * request is at least BLK_PLUG_FLUSH_SIZE while this queue allows merges, is flushed first (U)
   * and the request starts it again (P). "last" is rq_list_peek, the list's head: since the list
   * keeps the oldest first (6.13), that is the plug's oldest request, not the one added last,
   * so a big request added after a small one does not flush the plug.
   */
  private addToPlug(plug: BlkPlug, rq: Request): void {
    const blk = this.blk;
    let last = plug.head();
    if (last === undefined) {
      if (blk.tracer.on) blk.event("P", this, { rwbs: "N", sector: 0, sectors: 0 });
    } else if (plug.rqCount >= (plug.multipleQueues ? 2 * BLK_MAX_REQUEST_COUNT : BLK_MAX_REQUEST_COUNT) ||
      (this.flags.nomerges !== 2 && last.dataLen >= BLK_PLUG_FLUSH_SIZE)) {
      blk.flushPlug(plug, false);
      last = undefined;
      if (blk.tracer.on) blk.event("P", this, { rwbs: "N", sector: 0, sectors: 0 });
    }
    if (!plug.multipleQueues && last !== undefined && last.q !== this) plug.multipleQueues = true;
    // a request with a scheduler tag cannot go to ->queue_rqs directly (RQF_SCHED_TAGS)
    if (!plug.hasElevator && rq.schedTag >= 0) plug.hasElevator = true;
    plug.push(rq);
  }

  // ---- dispatch ----

  /**
   * A flushed plug's requests of this queue, in submission order (blk_mq_flush_plug_list).
   * Without a scheduler request in the plug and not from schedule() they go to the driver's
   * queue_rqs in one call, the rest it leaves one at a time (blk_mq_dispatch_queue_requests, no
   * I; also per queue for a plug of several, 6.16). Otherwise blk_mq_dispatch_list takes them: a
   * scheduler inserts them (I) and the hardware queue runs now, or from kblockd when the task is
   * going to sleep (UT); without one they are tried directly, each to queue_rq
   * (blk_mq_try_issue_list_directly, no I), or, when the task is going to sleep, inserted (I)
   * for kblockd to run.
   */
  flushPlugged(rqs: Request[], fromSchedule: boolean, viaDispatchList: boolean): void {
    if (!viaDispatchList) {
      this.issueDirect(rqs, false);
      return;
    }
    if (fromSchedule) { this.insertForKblockd(rqs); return; }
    if (this.deadline) { this.insert(rqs); return; }
    this.issueDirect(rqs, true);
  }

  /** PlugTarget.plugOfOneIssues: a plug of one request only issues it when there is no scheduler (flushPluggedOne, submit). */
  get plugOfOneIssues(): boolean {
    return this.deadline === null;
  }

  /** flushPlugged for a plug of one request: the same paths, without a list where none is needed. */
  flushPluggedOne(rq: Request, fromSchedule: boolean, viaDispatchList: boolean): void {
    if (!viaDispatchList) { this.issueOne(rq); return; }
    if (fromSchedule) { this.insertForKblockd([rq]); return; }
    if (this.deadline !== null) { this.insertOne(rq); this.runQueues(); return; }
    this.issueOne(rq);
  }

  /**
   * From schedule(): the requests are inserted (I) and kblockd runs the hardware queue. A
   * method of its own: its closure in flushPlugged would make every flush allocate a context.
   */
  private insertForKblockd(rqs: Request[]): void {
    const cpu = this.blk.task.cpu;
    for (const rq of rqs) this.blk.rqEvent("I", this, rq);
    if (this.deadline) for (const rq of rqs) this.deadline.insert(rq, this.blk.sim.now_ns);
    // the caller reuses rqs: kblockd gets a copy
    const later = rqs.slice();
    this.blk.sim.queueWork(cpu, () => (this.deadline ? this.runQueues() : this.issueDirect(later, true)), kblockd(this.blk, cpu));
  }

  /** Insert into the scheduler (I), then run the hardware queues. */
  private insert(rqs: Request[]): void {
    for (const rq of rqs) this.insertOne(rq);
    this.runQueues();
  }

  /** One request into the scheduler (I). */
  private insertOne(rq: Request): void {
    this.blk.rqEvent("I", this, rq);
    this.deadline!.insert(rq, this.blk.sim.now_ns);
  }

  /**
   * blk_mq_sched_dispatch_requests: requests already taken from the scheduler go first
   * (hctx->dispatch); then the scheduler's, each with a driver tag. The first one that finds
   * no driver tag moves to hctx->dispatch and dequeueing stops (__blk_mq_do_dispatch_sched),
   * so the rest stay in the scheduler where bios can still merge into them.
   */
  private runQueues(): void {
    const touched = new Set<number>();
    let blocked = false;
    for (const h of this.hctxs) {
      while (h.schedDispatch.length > 0 && h.free.length > 0) {
        const rq = h.schedDispatch.shift()!;
        rq.tag = h.free.pop()!;
        if (!this.start(rq)) { h.free.push(rq.tag); rq.tag = -1; h.schedDispatch.unshift(rq); break; }
        touched.add(h.index);
      }
      if (h.schedDispatch.length > 0) blocked = true;
    }
    while (!blocked) {
      const rq = this.deadline!.next(this.blk.sim.now_ns);
      if (!rq) break;
      const h = this.hctxs[rq.hctx];
      if (h.free.length === 0) { h.schedDispatch.push(rq); break; }
      rq.tag = h.free.pop()!;
      if (!this.start(rq)) { h.free.push(rq.tag); rq.tag = -1; h.schedDispatch.push(rq); break; }
      touched.add(rq.hctx);
    }
    for (const h of touched) this.ops.commitRqs(this, h);
  }

  /**
   * Issue without a scheduler: the whole list to queue_rqs (a plug of one queue), or
   * oneByOne, each to queue_rq and one commit_rqs per hardware queue (a hardware queue run).
   */
  private issueDirect(rqs: Request[], oneByOne: boolean): void {
    // one request: queue_rq, as nvme_queue_rqs would send it (the same command and doorbell), with no list or set
    if (rqs.length === 1) { this.issueOne(rqs[0]); return; }
    let left = rqs;
    if (!oneByOne && this.ops.queueRqs && rqs.length > 1) {
      for (const rq of rqs) this.markIssued(rq);
      left = this.ops.queueRqs(this, rqs);
      if (left.length === 0) return;
    }
    const touched = new Set<number>();
    for (const rq of left) if (this.startOrRequeue(rq)) touched.add(rq.hctx);
    for (const h of touched) this.ops.commitRqs(this, h);
  }

  /** Start rq; on BLK_STS_RESOURCE it goes to the dispatch list, retried on the next completion (R). */
  private startOrRequeue(rq: Request): boolean {
    if (this.start(rq)) return true;
    this.requeueBusy(rq);
    return false;
  }

  /** startOrRequeue's BLK_STS_RESOURCE: R, and onto hctx->dispatch. */
  private requeueBusy(rq: Request): void {
    this.blk.rqEvent("R", this, rq);
    this.hctxs[rq.hctx].dispatch.push(rq);
  }

  private markIssued(rq: Request): void {
    const blk = this.blk;
    // tested here, so that rqEvent (its event record) is not inlined into the issue path
    if (blk.tracer.on === true) blk.rqEvent("D", this, rq);
    inflightChange(this.acct, blk.sim.now_ns, 1);
  }

  /** blk_mq_start_request (D) and the driver's queue_rq. */
  private start(rq: Request): boolean {
    this.markIssued(rq);
    if (this.ops.queueRq(this, rq)) return true;
    inflightChange(this.acct, this.blk.sim.now_ns, -1);
    return false;
  }

  // ---- completion ----

  /**
   * blk_mq_end_request from the driver: C, statistics, every bio ends with the request's status
   * (or its own, when the driver set one per bio), the tag goes back and waiting requests are
   * retried. A request in the flush machinery (RQF_FLUSH_SEQ) goes to blk-flush instead after
   * its C: the flush request to flush_end_io, a sequence's data to mq_flush_data_end_io.
   */
  endRequest(rq: Request, status: BlkStatus): void {
    // "=== true": V8 compiles a plain truth test of a field as a test of every falsy kind
    if (rq.freed === true) this.freedTwice(rq, "ended");
    const blk = this.blk;
    if (blk.tracer.on === true) blk.completeEvent(this, rq, status);
    inflightChange(this.acct, blk.sim.now_ns, -1);
    if (rq.flushSeqActive === true) { this.endFlushStep(rq, status); return; }
    // a v20 pair request carries __data_len twice (DST + SRC); the data moved is half
    this.freeRequest(rq, status, rq.op === Op.COPY_DST ? copyDoneSectors(rq) : rq.sectors);
  }

  /**
   * endRequest of a request in the flush machinery (RQF_FLUSH_SEQ): to blk-flush. A method of
   * its own, as the other rare paths of completion: V8 counts every bytecode of endRequest and
   * freeRequest, taken or not, against the inlining budget of the per-command completion.
   */
  private endFlushStep(rq: Request, status: BlkStatus): void {
    // read first: flush_end_io may issue the next flush, re-initialising this same request
    // (the hardware queue's fq->flush_rq) for another CPU's request
    const h = this.hctxs[rq.hctx];
    const cpu = rq.cpu;
    blkFlushEndIo(this, rq, status);
    this.restart(h, cpu);
  }

  /** A request ended or freed a second time: a bug in its driver or in blk-flush. */
  private freedTwice(rq: Request, what: string): never {
    throw new Error(`${this.name}: request ${rq.id} ${what} twice`);
  }

  /**
   * __blk_mq_end_request -> blk_mq_free_request for a request that ends: accounted
   * (blk_account_io_done), its tags back, its bios ended, and the queues restarted.
   */
  private freeRequest(rq: Request, status: BlkStatus, sectors: number): void {
    if (rq.freed === true) this.freedTwice(rq, "freed");
    const blk = this.blk;
    accountDone(this.acct, rq.op, sectors, blk.sim.now_ns - rq.start_ns);
    const h = this.hctxs[rq.hctx];
    if (rq.tag >= 0) h.free.push(rq.tag);
    rq.tag = -1;
    if (rq.schedTag >= 0) { h.schedFree.push(rq.schedTag); rq.schedTag = -1; }
    const bios = rq.bios;
    for (let i = 0; i < bios.length; i++) {
      const bio = bios[i];
      if (bio.status === BlkStatus.OK) bio.status = status;
      bioEndio(bio);
    }
    this.restart(h, rq.cpu);
    // blk_mq_free_request: nothing holds it now (its bios have ended, its events are copies)
    rq.freed = true;
    this.rqPool.push(rq);
  }

  /**
   * After a completion: requests the driver refused (BLK_STS_RESOURCE) are retried, and a freed
   * driver tag lets the scheduler dispatch again (blk_mq_sched_restart); both from kblockd. The
   * work items are built in methods of their own: a closure here would make every completion
   * allocate the context it captures.
   */
  private restart(h: Hctx, cpu: number): void {
    if (h.dispatch.length > 0) this.rerunDispatch(h, cpu);
    if (this.deadline !== null) this.restartSchedulerIfQueued(cpu);
  }

  /** blk_mq_sched_restart: the scheduler runs again when it or some hctx->dispatch holds requests. */
  private restartSchedulerIfQueued(cpu: number): void {
    if (this.deadline!.size > 0 || this.hctxs.some((x) => x.schedDispatch.length > 0)) this.restartScheduler(cpu);
  }

  /** Requests that found the driver busy (R) are tried again from kblockd. */
  private rerunDispatch(h: Hctx, cpu: number): void {
    const again = h.dispatch.splice(0);
    this.blk.sim.queueWork(cpu, () => this.issueDirect(again, true), kblockd(this.blk, cpu));
  }

  private restartScheduler(cpu: number): void {
    this.blk.sim.queueWork(cpu, () => this.runQueues(), kblockd(this.blk, cpu));
  }

  // ---- what blk-flush.ts uses (the parts of blk-mq that block/blk-flush.c calls) ----

  /** q->elevator: a scheduler is attached (driver tags are taken at dispatch). */
  get elevator(): boolean {
    return this.deadline !== null;
  }

  /** blk_get_flush_queue: the flush queue of a hardware queue. */
  flushQueueOf(hctx: number): BlkFlushQueue {
    const h = this.hctxs[hctx];
    return (h.fq ??= new BlkFlushQueue());
  }

  /** Flush requests issued on all hardware queues. */
  get flushesIssued(): number {
    let n = 0;
    for (const h of this.hctxs) n += h.fq?.flushesIssued ?? 0;
    return n;
  }

  /** The data step of a sequence: list_move to the head of q->requeue_list, then kick the requeue work. */
  requeueAtHead(rq: Request): void {
    this.requeueList.unshift(rq);
    this.kickRequeueList();
  }

  /** blk_kick_flush's end: the flush request onto q->flush_list, then kick the requeue work. */
  addToFlushList(rq: Request): void {
    this.flushList.push(rq);
    this.kickRequeueList();
  }

  /**
   * blk_mq_kick_requeue_list: the requeue work on kblockd of this CPU (kblockd_mod_delayed_work_on
   * with WORK_CPU_UNBOUND on a per-CPU workqueue), queued once until it runs.
   */
  private kickRequeueList(): void {
    if (this.requeueQueued) return;
    this.requeueQueued = true;
    const blk = this.blk;
    const cpu = blk.task.cpu;
    blk.sim.queueWork(cpu, () => this.requeueWork(), kblockd(blk, cpu));
  }

  /**
   * blk_mq_requeue_work: requeued requests are inserted at the head (I, in list order: the last
   * queued first), then flush requests go to hctx->dispatch without a trace
   * (blk_mq_insert_request -> blk_mq_request_bypass_insert), then the hardware queues run.
   */
  private requeueWork(): void {
    this.requeueQueued = false;
    const rqs = this.requeueList.splice(0);
    const flushes = this.flushList.splice(0);
    for (const rq of rqs) {
      this.blk.rqEvent("I", this, rq);
      if (this.deadline) this.deadline.insertAtHead(rq);
      else this.hctxs[rq.hctx].swq.unshift(rq);
    }
    for (const rq of flushes) {
      const h = this.hctxs[rq.hctx];
      if (this.deadline) h.schedDispatch.unshift(rq);
      else h.dispatch.unshift(rq);
    }
    if (this.deadline) { this.runQueues(); return; }
    // blk_mq_run_hw_queues without a scheduler: hctx->dispatch first, then the software queues
    for (const h of this.hctxs) {
      if (h.dispatch.length === 0 && h.swq.length === 0) continue;
      const list = h.dispatch.splice(0);
      for (const rq of h.swq.splice(0)) list.push(rq);
      this.issueDirect(list, true);
    }
  }

  /** blk_mq_put_driver_tag: with a scheduler, a sequenced request or the flush request gives its driver tag back. */
  putDriverTag(rq: Request): void {
    if (rq.tag < 0) return;
    this.hctxs[rq.hctx].free.push(rq.tag);
    rq.tag = -1;
  }

  /** blk_account_io_flush for the flush request (the time from blk_kick_flush to its end). */
  accountFlush(flushRq: Request): void {
    accountFlush(this.acct, this.blk.sim.now_ns - flushRq.start_ns);
  }

  /**
   * blk_mq_end_request on a request the driver never saw (blk_insert_flush with nothing to do:
   * an empty flush on a queue without a write cache): C of 0 bytes, then it ends.
   */
  endRequestNotIssued(rq: Request, status: BlkStatus): void {
    this.blk.completeEvent(this, rq, status);
    this.freeRequest(rq, status, rq.sectors);
  }

  /**
   * REQ_FSEQ_DONE: blk_flush_restore_request, then blk_mq_end_request. Its C has the restored
   * request's flags (PREFLUSH cleared, SYNC set); after a DATA step, blk_update_request had
   * advanced the bio and zeroed __data_len, so it reads 0 bytes at the sector after the data.
   * The request is counted now (blk_account_io_done skipped it while RQF_FLUSH_SEQ was set).
   */
  endFlushSequence(rq: Request, status: BlkStatus): void {
    const blk = this.blk;
    if (blk.tracer.on) {
      const extra: Partial<BlkEvent> = flushDataDone(rq) ? { sector: rq.end, sectors: 0 } : {};
      if (status !== BlkStatus.OK) extra.error = BLK_STATUS_NAMES[status];
      blk.rqEvent("C", this, rq, extra);
    }
    this.freeRequest(rq, status, rq.sectors);
  }

  /** Requests in the scheduler or waiting for the driver. */
  get queued(): number {
    return (this.deadline?.size ?? 0) + this.hctxs.reduce((a, h) => a + h.dispatch.length + h.schedDispatch.length, 0);
  }
}

/** A request blk-mq's pool did not have yet (the first use of its static_rqs slot). */
function newRequest(bio: Bio, nsegs: number, task: Task): Request {
  return new Request(bio, nsegs, task.cpu, task.pid, task.comm);
}

/** A COPY_DST request's sectors done: a v20 pair request (DST + SRC bios) carries __data_len twice. */
function copyDoneSectors(rq: Request): number {
  return rq.bios.length === 2 ? rq.sectors / 2 : rq.sectors;
}

/** blk_mq_init_sched: q->nr_requests = 2 * min(tag set queue depth, BLKDEV_DEFAULT_RQ). */
function nrRequests(depth: number): number {
  return 2 * Math.min(depth, 128);
}

/** kblockd: the high-priority kworker that runs hardware queues asynchronously. */
function kblockd(blk: BlockLayer, cpu: number) {
  return blk.sim.kworker(cpu, `kworker/${cpu}:1H`, 900 + cpu);
}
