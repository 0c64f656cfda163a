// The flush state machine of blk-mq (block/blk-flush.c, Linux 6.x): a request from a bio with
// REQ_PREFLUSH and/or REQ_FUA runs as up to three steps, PREFLUSH -> DATA -> POSTFLUSH, chosen
// by blk_flush_policy from the queue's write cache and FUA support; the PRE/POSTFLUSH steps of
// every request waiting at a hardware queue share one REQ_OP_FLUSH request (the double-buffered
// flush_queue[2] of struct blk_flush_queue, conditions C1-C3 of blk_kick_flush). Plus
// blkdev_issue_flush, the empty preflush write every "flush the device" in the kernel is.
//
// What the model keeps: the steps and their order, the pending/running double buffer, the
// flush_data_in_flight deferral with FLUSH_PENDING_TIMEOUT, one flush request per hardware
// queue (fq->flush_rq) re-initialised by each blk_kick_flush, borrowing the first waiting
// request's tag (none scheduler) or its scheduler tag nominally and a driver tag at dispatch
// (mq-deadline), insertion through the requeue list by kblockd (flush requests to
// hctx->dispatch untraced, data requests at the head with an I), the two completions of a
// sequenced request with data (the data's C, then the sequence's C of 0 bytes at the advanced
// sector), and the accounting (the flush request in the flush counters only, the sequenced
// request once, at its end). What it leaves out: the bio itself is not advanced (the traces
// show the sector the kernel's advanced bio gives); the timeout path, requeue of a started
// flush and REQ_DRV are not modelled.

import { Bio, BlkStatus, Op, REQ_FAILFAST_DEV, REQ_FUA, REQ_PREFLUSH, REQ_SYNC } from "./bio";
import { Request } from "./request";
import type { BlockLayer } from "./blk";
import { queueWriteCache } from "./disk";
import type { BlockDevice } from "./disk";
import type { MqDisk } from "./mq";

/** PREFLUSH/FUA sequence steps (the REQ_FSEQ_* enum of blk-flush.c). */
export const REQ_FSEQ_PREFLUSH = 1 << 0;
export const REQ_FSEQ_DATA = 1 << 1;
export const REQ_FSEQ_POSTFLUSH = 1 << 2;
export const REQ_FSEQ_DONE = 1 << 3;
const REQ_FSEQ_ACTIONS = REQ_FSEQ_PREFLUSH | REQ_FSEQ_DATA | REQ_FSEQ_POSTFLUSH;

/** FLUSH_PENDING_TIMEOUT = 5 * HZ: past it, a pending flush goes out even with data in flight (C3). */
export const FLUSH_PENDING_TIMEOUT_NS = 5e9;

/** struct blk_flush_queue: one per hardware queue (blk_get_flush_queue maps a CPU to it). */
export class BlkFlushQueue {
  /** flush_queue[2]: requests waiting for a PRE or POSTFLUSH; [pendingIdx] takes new ones. */
  readonly flushQueue: [Request[], Request[]] = [[], []];
  flushPendingIdx = 0;
  /** Equal to flushPendingIdx when no flush request is in flight (C1). */
  flushRunningIdx = 0;
  /** When the pending list last went from empty to non-empty (modelled ns; jiffies in the kernel). */
  flushPendingSince = 0;
  /** Sequenced requests executing their DATA step (C2 defers a flush while there are any). */
  flushDataInFlight = 0;
  /** Flush requests issued on this hardware queue (what coalescing saved shows against the sequences). */
  flushesIssued = 0;
  /**
   * fq->flush_rq: the hardware queue's one flush request, made at its first blk_kick_flush and
   * re-initialised (blk_rq_init) by each later one; C1 keeps it to one lifetime at a time. Its
   * pdu (nvme_request, with the genctr nvme_cid counts) is its own, whatever tag it borrows.
   */
  flushRq: Request | null = null;
}

/** blk_flush_cur_seq: the step after the ones done, 1 << ffz(seq). */
function curSeq(rq: Request): number {
  const s = rq.flushSeq;
  return ~s & (s + 1);
}

/** blk_flush_policy: which steps a request needs on this queue (blk_queue_write_cache: the feature, not disabled through sysfs). */
function flushPolicy(q: MqDisk, rq: Request): number {
  let policy = 0;
  if (rq.dataLen > 0) policy |= REQ_FSEQ_DATA;
  if (queueWriteCache(q)) {
    if (rq.flags & REQ_PREFLUSH) policy |= REQ_FSEQ_PREFLUSH;
    if (!q.fua && rq.flags & REQ_FUA) policy |= REQ_FSEQ_POSTFLUSH;
  }
  return policy;
}

/** blk_rq_init_flush: the request is sequenced (RQF_FLUSH_SEQ); its end_io becomes mq_flush_data_end_io. */
function initFlush(rq: Request): void {
  rq.flushSeq = 0;
  rq.flushSeqActive = true;
}

/**
 * blk_insert_flush, called by blk_mq_submit_bio for a request from a PREFLUSH/FUA bio after G:
 * true when the flush machinery took the request, false when blk-mq goes on with it as usual
 * (data with nothing to flush, or data whose POSTFLUSH follows its completion).
 */
export function blkInsertFlush(q: MqDisk, rq: Request): boolean {
  const policy = flushPolicy(q, rq);
  const fq = q.flushQueueOf(rq.hctx);
  // REQ_PREFLUSH is done by the machinery, FUA by the device when it can: the driver sees
  // neither otherwise; both imply REQ_SYNC, set so the accounting is not skewed
  rq.flags &= ~REQ_PREFLUSH;
  if (!q.fua) rq.flags &= ~REQ_FUA;
  rq.flags |= REQ_SYNC;
  switch (policy) {
    case 0:
      // an empty flush a stacking driver handed down to a queue without a write cache
      q.endRequestNotIssued(rq, BlkStatus.OK);
      return true;
    case REQ_FSEQ_DATA:
      return false;
    case REQ_FSEQ_DATA | REQ_FSEQ_POSTFLUSH:
      // the data goes as a normal request; its completion queues the POSTFLUSH
      initFlush(rq);
      rq.flushSeq |= REQ_FSEQ_PREFLUSH;
      fq.flushDataInFlight++;
      return false;
    default:
      initFlush(rq);
      flushCompleteSeq(q, fq, rq, REQ_FSEQ_ACTIONS & ~policy, BlkStatus.OK);
      return true;
  }
}

/**
 * blk_flush_complete_seq: rq has done the steps in seq; queue it for its next one (a flush,
 * its data through the requeue list) or, when all are done or one failed, end it. Then a flush
 * may be due (blk_kick_flush).
 */
function flushCompleteSeq(q: MqDisk, fq: BlkFlushQueue, rq: Request, seq: number, error: BlkStatus): void {
  rq.flushSeq |= seq;
  const cmdFlags = rq.flags;
  const next = error === BlkStatus.OK ? curSeq(rq) : REQ_FSEQ_DONE;
  switch (next) {
    case REQ_FSEQ_PREFLUSH:
    case REQ_FSEQ_POSTFLUSH: {
      const pending = fq.flushQueue[fq.flushPendingIdx];
      if (pending.length === 0) fq.flushPendingSince = q.blk.sim.now_ns;
      pending.push(rq);
      break;
    }
    case REQ_FSEQ_DATA:
      fq.flushDataInFlight++;
      q.requeueAtHead(rq);
      break;
    case REQ_FSEQ_DONE:
      // blk_flush_restore_request, then blk_mq_end_request: the sequence's own completion
      rq.flushSeqActive = false;
      q.endFlushSequence(rq, error);
      break;
  }
  kickFlush(q, fq, cmdFlags);
}

/**
 * blk_kick_flush: issue a flush for every request pending when C1 (no flush in flight) and C2
 * (no sequenced data in flight, unless the oldest has waited FLUSH_PENDING_TIMEOUT: C3) allow.
 * The hardware queue's flush request (fq->flush_rq) is re-initialised (blk_rq_init) and takes
 * the first pending request's context and tag (none scheduler); with a scheduler it borrows its
 * scheduler tag (internal_tag) only nominally and gets a driver tag at dispatch.
 */
function kickFlush(q: MqDisk, fq: BlkFlushQueue, flags: number): void {
  const pending = fq.flushQueue[fq.flushPendingIdx];
  if (fq.flushPendingIdx !== fq.flushRunningIdx || pending.length === 0) return;
  const now = q.blk.sim.now_ns;
  if (fq.flushDataInFlight > 0 && now < fq.flushPendingSince + FLUSH_PENDING_TIMEOUT_NS) return;
  fq.flushPendingIdx ^= 1;
  const first = pending[0];
  // blk_rq_init: no bio, sector (sector_t)-1 (blk_rq_trace_sector prints it as 0), 0 bytes
  let flushRq = fq.flushRq;
  if (flushRq === null) fq.flushRq = flushRq = new Request(null, 0, first.cpu, first.pid, first.comm, q);
  else if (flushRq.flushSeqActive) throw new Error(`${q.name}: blk_kick_flush: the flush request of hctx ${first.hctx} (request ${flushRq.id}) is still in flight`);
  else flushRq.initFlushRq(first.cpu, first.pid, first.comm);
  flushRq.flags = REQ_PREFLUSH | (flags & REQ_FAILFAST_DEV);
  flushRq.flushSeqActive = true;
  flushRq.hctx = first.hctx;
  if (!q.elevator) flushRq.tag = first.tag;
  else flushRq.schedTag = first.schedTag;
  flushRq.start_ns = now;
  fq.flushesIssued++;
  q.addToFlushList(flushRq);
}

/**
 * flush_end_io: the flush request completed (its C is traced): count it in the flush
 * statistics (blk_account_io_flush), give back what it borrowed, swap the double buffer and
 * move every request that waited for this flush to its next step.
 */
function flushEndIo(q: MqDisk, flushRq: Request, error: BlkStatus): void {
  const fq = q.flushQueueOf(flushRq.hctx);
  q.accountFlush(flushRq);
  if (q.elevator) {
    q.putDriverTag(flushRq);
    flushRq.schedTag = -1; // borrowed only nominally: the first request keeps it
  } else flushRq.tag = -1; // the tag was the first request's: it keeps it
  flushRq.flushSeqActive = false;
  const running = fq.flushQueue[fq.flushRunningIdx];
  fq.flushRunningIdx ^= 1;
  const rqs = running.splice(0);
  for (const rq of rqs) flushCompleteSeq(q, fq, rq, curSeq(rq), error);
}

/**
 * mq_flush_data_end_io: a sequenced request's data completed (its C is traced; blk_update_request
 * left its bio unended because of RQF_FLUSH_SEQ). With a scheduler its driver tag goes back now.
 */
function flushDataEndIo(q: MqDisk, rq: Request, error: BlkStatus): void {
  const fq = q.flushQueueOf(rq.hctx);
  if (q.elevator) q.putDriverTag(rq);
  fq.flushDataInFlight--;
  flushCompleteSeq(q, fq, rq, REQ_FSEQ_DATA, error);
}

/** The driver completed a request with RQF_FLUSH_SEQ: the flush request, or a sequence's data. */
export function blkFlushEndIo(q: MqDisk, rq: Request, error: BlkStatus): void {
  // is_flush_rq: REQ_OP_FLUSH requests come only from blk_kick_flush (submit_bio_noacct refuses the bios)
  if (rq.op === Op.FLUSH) flushEndIo(q, rq, error);
  else flushDataEndIo(q, rq, error);
}

/**
 * Whether a sequence's DATA step ran (its first completion advanced the bio): the end of the
 * sequence then traces 0 bytes at the sector after the data, as blk_flush_restore_request
 * takes rq->__sector from the advanced bi_iter.
 */
export function flushDataDone(rq: Request): boolean {
  return rq.dataLen > 0 && (rq.flushSeq & REQ_FSEQ_DATA) !== 0;
}

/**
 * blkdev_issue_flush: an empty REQ_OP_WRITE | REQ_PREFLUSH bio, submitted by submit_bio_wait
 * (which adds REQ_SYNC: blkparse shows it as FWS). On a device without a write cache
 * submit_bio_noacct completes it at once; on blk-mq it becomes a flush request (FN); on dm it
 * is sent to the devices below. The caller waits for it (the task's wait).
 */
export function blkdevIssueFlush(blk: BlockLayer, bdev: BlockDevice, endio?: (bio: Bio) => void): Bio {
  const bio = new Bio(bdev, Op.WRITE, 0, 0, [], REQ_PREFLUSH | REQ_SYNC);
  if (endio) bio.endio = endio;
  blk.submitBio(bio);
  return bio;
}
