// The per-task plug (struct blk_plug, include/linux/blkdev.h; block/blk-core.c
// blk_start_plug / blk_finish_plug, Linux 6.18): requests wait in it so later bios can merge
// into them and the driver gets them in one batch. Nested plugs are ignored: only the
// outermost start/finish pair counts. blk-mq (mq.ts) adds requests (blk_add_rq_to_plug) and
// merges into them (blk_attempt_plug_merge); blk.ts flushes it (blk_mq_flush_plug_list).

import type { Request } from "./request";

/** BLK_MAX_REQUEST_COUNT (block/blk.h): flush when this many requests are plugged. */
export const BLK_MAX_REQUEST_COUNT = 32;
/** BLK_PLUG_FLUSH_SIZE: flush when the plug's "last" request (rq_list_peek: its head) is at least this big. */
export const BLK_PLUG_FLUSH_SIZE = 128 * 1024;

export class BlkPlug {
  /**
   * mq_list: plugged requests, oldest first, in rqs[0, n) (the array is reused: emptying an
   * array by length = 0 would drop its storage and the next request would allocate it again).
   * Since 6.13 ("block: don't reorder requests in blk_add_rq_to_plug", e70c301faece) the list is
   * a struct rq_list with a head and a tail and blk_add_rq_to_plug appends (rq_list_add_tail),
   * so the head is the oldest request and the tail the newest, and a flush dispatches them in
   * submission order.
   */
  private readonly rqs: Array<Request | undefined> = [];
  private n = 0;
  /**
   * plug->multiple_queues: the plug held requests of more than one queue (the request limit
   * doubles, a merge may look past the tail, the flush goes queue by queue). Like
   * has_elevator it is cleared only by blk_start_plug: 6.18's blk_mq_flush_plug_list resets
   * rq_count alone.
   */
  multipleQueues = false;
  /** plug->has_elevator: a plugged request holds a scheduler tag (RQF_SCHED_TAGS), so the flush goes through blk_mq_dispatch_list. */
  hasElevator = false;

  /** plug->rq_count. */
  get rqCount(): number { return this.n; }

  /** The i-th plugged request from the head (0 <= i < rqCount). */
  at(i: number): Request {
    return this.rqs[i]!;
  }

  /** rq_list_peek(&plug->mq_list): the head, the oldest request (what blk_add_rq_to_plug calls "last"). */
  head(): Request | undefined {
    return this.n > 0 ? this.rqs[0] : undefined;
  }

  /** plug->mq_list.tail: the request added last. */
  tail(): Request | undefined {
    return this.n > 0 ? this.rqs[this.n - 1] : undefined;
  }

  /** rq_list_add_tail(&plug->mq_list, rq); plug->rq_count++. */
  push(rq: Request): void {
    if (this.n < this.rqs.length) this.rqs[this.n] = rq;
    else this.rqs.push(rq);
    this.n++;
  }

  /** blk_start_plug_nr_ios: an empty list and both flags clear (a plug object is reused from one blk_start_plug to the next). */
  reset(): void {
    if (this.n !== 0) this.clear(0);
    this.multipleQueues = false;
    this.hasElevator = false;
  }

  /**
   * blk_mq_flush_plug_list's start for a plug of one request (rqCount 1): it is taken
   * (rq_count = 0) and the plug starts an empty list.
   */
  takeOne(): Request {
    const rq = this.rqs[0]!;
    this.rqs[0] = undefined;
    this.n = 0;
    return rq;
  }

  /** The same for any number: the requests in a new array, oldest first. */
  takeAll(): Request[] {
    const out = this.rqs.slice(0, this.n) as Request[];
    this.clear(0);
    return out;
  }

  /** Drop the references from `from` on (the slots stay for the next requests). */
  private clear(from: number): void {
    for (let i = from; i < this.n; i++) this.rqs[i] = undefined;
    this.n = from;
  }
}
