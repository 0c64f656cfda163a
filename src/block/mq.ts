// blk-mq for one request queue (block/blk-mq.c): blk_mq_submit_bio (split, plug merge,
// scheduler merge, get a request and tag, plug or insert or issue), the plug's flush rules
// (blk_add_rq_to_plug), software queues per CPU mapped to hardware queues, a tag set per
// hardware queue, the schedulers none and mq-deadline, dispatch to the driver, and request
// completion with disk statistics (blk_account_io_*).

import { Bio, BlkStatus, Op, REQ_NOMERGE, bioChain, bioEndio, opIsWrite } from "./bio";
import { BlockLayer, PlugTarget } from "./blk";
import { BlockDevice, CopyDesign, DiskStats, newDiskStats } from "./disk";
import { QueueFlags, QueueLimits } from "./limits";
import { MergeKind, attemptMerge, rqMergeOk, tryMerge } from "./merge";
import { BLK_MAX_REQUEST_COUNT, BLK_PLUG_FLUSH_SIZE } from "./plug";
import { Request } from "./request";
import { planSplit, splitBio } from "./split";
import { Deadline } from "./mq-deadline";

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
  constructor(readonly index: number, depth: number) {
    for (let i = depth - 1; i >= 0; i--) this.free.push(i);
  }
}

export abstract class MqDisk implements BlockDevice, PlugTarget {
  readonly stacking = false;
  abstract readonly driver: string;
  readonly stats: DiskStats = newDiskStats();
  readonly flags: QueueFlags = { nomerges: 0 };
  copyDesign?: CopyDesign;
  writeCache = true;
  scheduler: SchedulerName = "none";
  private readonly hctxs: Hctx[];
  private deadline: Deadline | null = null;

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
  }

  setScheduler(s: SchedulerName): void {
    this.scheduler = s;
    this.deadline = s === "mq-deadline" ? new Deadline() : null;
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
    const blk = this.blk;
    const plan = planSplit(bio, this.limits, this.design === "pair" ? BlkStatus.IOERR : BlkStatus.NOTSUPP);
    if (plan.fail !== undefined) {
      blk.message(this, `bio ${bio.id}: ${plan.why}`);
      blk.fail(bio, plan.fail);
      return;
    }
    if (plan.sectors > 0) {
      // bio_submit_split: the front goes on, marked nomerge; the rest is resubmitted.
      const front = splitBio(bio, plan.sectors);
      front.flags |= REQ_NOMERGE;
      front.queued = true; // the split carries the original's Q
      bioChain(front, bio);
      blk.bioEvent("X", front, { splitAt: bio.sector });
      blk.submitBioNoacct(bio);
      bio = front;
    }
    const task = blk.task;
    const plug = task.plug;
    if (this.flags.nomerges !== 2 && plug && this.plugMerge(plug.list, bio, plan.nsegs)) return;
    if (this.flags.nomerges !== 2 && this.deadline && this.deadline.tryMerge(this, bio, plan.nsegs, this.flags.nomerges === 1)) return;
    const rq = this.getRequest(bio, plan.nsegs);
    if (plug) this.addToPlug(plug, rq);
    else if (this.deadline) this.insert([rq]);
    else this.issueDirect([rq], false);
  }

  /** blk_attempt_plug_merge: newest plugged request first; one try when the plug holds one queue. */
  private plugMerge(list: Request[], bio: Bio, nsegs: number): boolean {
    const tries = this.blk.task.plug?.multipleQueues ? list.length : 1;
    for (let i = list.length - 1, n = 0; i >= 0 && n < tries; i--) {
      const rq = list[i];
      if (rq.bio.bdev !== this) continue;
      n++;
      if (this.mergeInto(rq, bio, nsegs)) return true;
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
    this.blk.bioEvent(kind === MergeKind.FRONT ? "F" : "M", bio, { rq: rq.id });
    if (kind === MergeKind.COPY_PAIR) this.blk.message(this, `copy: paired COPY_SRC bio ${bio.id} with COPY_DST request ${rq.id}`);
    this.stats.merges[opIsWrite(rq.op) ? 1 : 0]++;
    return true;
  }

  /** blk_mq_get_new_requests: a request and a tag from this CPU's hardware queue (G; S when none). */
  private getRequest(bio: Bio, nsegs: number): Request {
    const blk = this.blk;
    const task = blk.task;
    const h = this.hctxs[this.hctxOf(task.cpu)];
    if (h.free.length === 0) {
      blk.bioEvent("S", bio);
      h.waiting++;
      blk.blockTask(task);
      blk.sim.runUntil(() => h.free.length > 0, `a free tag on ${this.name} hctx ${h.index}`);
      h.waiting--;
    }
    const rq = new Request(bio, nsegs, task.cpu, task.pid, task.comm);
    rq.tag = h.free.pop()!;
    rq.hctx = h.index;
    rq.start_ns = blk.sim.now_ns;
    blk.bioEvent("G", bio, { rq: rq.id });
    return rq;
  }

  /** blk_add_rq_to_plug: flush at BLK_MAX_REQUEST_COUNT (x2 across queues) or after a big request. */
  private addToPlug(plug: NonNullable<typeof this.blk.task.plug>, rq: Request): void {
    const last = plug.list[plug.list.length - 1];
    const limit = plug.multipleQueues ? 2 * BLK_MAX_REQUEST_COUNT : BLK_MAX_REQUEST_COUNT;
    if (plug.list.length >= limit || (last && this.flags.nomerges !== 2 && last.dataLen >= BLK_PLUG_FLUSH_SIZE)) {
      this.blk.flushPlug(plug, false);
    }
    if (plug.list.length === 0) this.blk.event("P", this, { rwbs: "N", sector: 0, sectors: 0 });
    else if (plug.list[plug.list.length - 1].bio.bdev !== this) plug.multipleQueues = true;
    plug.list.push(rq);
  }

  // ---- dispatch ----

  /** From a flushed plug: straight to the driver (queue_rqs) unless a scheduler sorts them. */
  flushPlugged(rqs: Request[], fromSchedule: boolean): void {
    if (this.deadline) { this.insert(rqs); return; }
    this.issueDirect(rqs, fromSchedule);
  }

  /** Insert into the scheduler (I), then run the hardware queues. */
  private insert(rqs: Request[]): void {
    for (const rq of rqs) {
      this.blk.rqEvent("I", this, rq);
      this.deadline!.insert(rq, this.blk.sim.now_ns);
    }
    this.runQueues();
  }

  /** blk_mq_run_hw_queue with a scheduler: dispatch in its order while the driver takes them. */
  private runQueues(): void {
    const touched = new Set<number>();
    for (let rq = this.deadline!.next(this.blk.sim.now_ns); rq; rq = this.deadline!.next(this.blk.sim.now_ns)) {
      if (!this.start(rq)) { this.deadline!.requeue(rq); break; }
      touched.add(rq.hctx);
    }
    for (const h of touched) this.ops.commitRqs(this, h);
  }

  /** blk_mq_try_issue_list_directly / queue_rqs: issue without a scheduler. */
  private issueDirect(rqs: Request[], fromSchedule: boolean): void {
    let left = rqs;
    if (!fromSchedule && this.ops.queueRqs && rqs.length > 1) {
      for (const rq of rqs) this.markIssued(rq);
      left = this.ops.queueRqs(this, rqs);
      if (left.length === 0) return;
    }
    const touched = new Set<number>();
    for (const rq of left) {
      if (!this.start(rq)) {
        // BLK_STS_RESOURCE: to the dispatch list, retried on the next completion (R).
        this.blk.rqEvent("R", this, rq);
        this.hctxs[rq.hctx].dispatch.push(rq);
        continue;
      }
      touched.add(rq.hctx);
    }
    for (const h of touched) this.ops.commitRqs(this, h);
  }

  private markIssued(rq: Request): void {
    this.blk.rqEvent("D", this, rq);
    rq.issue_ns = this.blk.sim.now_ns;
    this.accountStart();
  }

  /** blk_mq_start_request (D) and the driver's queue_rq. */
  private start(rq: Request): boolean {
    this.markIssued(rq);
    if (this.ops.queueRq(this, rq)) return true;
    this.accountDone();
    return false;
  }

  // ---- completion ----

  /**
   * blk_mq_end_request: C, statistics, every bio ends with the request's status (or its own,
   * when the driver set one per bio), the tag goes back and waiting requests are retried.
   */
  endRequest(rq: Request, status: BlkStatus): void {
    const blk = this.blk;
    blk.completeEvent(this, rq, status);
    const dir = opIsWrite(rq.op) ? 1 : 0;
    const s = this.stats;
    if (rq.op === Op.DISCARD) { s.discards++; s.discard_sectors += rq.sectors; }
    else if (rq.op === Op.FLUSH) s.flushes++;
    else {
      s.ios[dir]++;
      // a v20 pair request carries __data_len twice (DST + SRC); the data moved is half
      const sectors = rq.op === Op.COPY_DST && rq.bios.length === 2 ? rq.sectors / 2 : rq.sectors;
      s.sectors[dir] += sectors;
      s.ticks_ns[dir] += blk.sim.now_ns - rq.start_ns;
      if (rq.op === Op.COPY_DST || rq.op === Op.COPY_SRC || rq.op === Op.COPY) { s.copies++; s.copy_sectors += sectors; }
    }
    this.accountDone();
    const h = this.hctxs[rq.hctx];
    h.free.push(rq.tag);
    for (const bio of rq.bios) {
      if (bio.status === BlkStatus.OK) bio.status = status;
      bioEndio(bio);
    }
    if (h.dispatch.length > 0) {
      const again = h.dispatch.splice(0);
      blk.sim.queueWork(rq.cpu, () => this.issueDirect(again, true), blk.sim.kworker(rq.cpu, `kworker/${rq.cpu}:1H`, 900 + rq.cpu));
    }
  }

  private accountStart(): void {
    this.integrate();
    this.stats.inflight++;
  }

  private accountDone(): void {
    this.integrate();
    this.stats.inflight--;
  }

  /** in_queue and io_ticks (busy time) grow with time while requests are in flight. */
  private integrate(): void {
    const s = this.stats;
    const now = this.blk.sim.now_ns;
    const dt = now - s.since_ns;
    if (s.inflight > 0) { s.busy_ns += dt; s.in_queue_ns += dt * s.inflight; }
    s.since_ns = now;
  }

  /** Requests in the scheduler or waiting for the driver. */
  get queued(): number {
    return (this.deadline?.size ?? 0) + this.hctxs.reduce((a, h) => a + h.dispatch.length, 0);
  }
}
