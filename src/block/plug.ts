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
   * mq_list: plugged requests, oldest first. Since 6.13 ("block: don't reorder requests in
   * blk_add_rq_to_plug", e70c301faece) it is a struct rq_list with a head and a tail and
   * blk_add_rq_to_plug appends (rq_list_add_tail), so the head is the oldest request and the
   * tail the newest, and a flush dispatches them in submission order.
   */
  mqList: Request[] = [];
  /** An empty array that becomes mqList when a flush takes the list, so a flush allocates none. */
  private spare: Request[] = [];
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
  get rqCount(): number { return this.mqList.length; }

  /** rq_list_peek(&plug->mq_list): the head, the oldest request (what blk_add_rq_to_plug calls "last"). */
  head(): Request | undefined {
    return this.mqList.length > 0 ? this.mqList[0] : undefined;
  }

  /** plug->mq_list.tail: the request added last. */
  tail(): Request | undefined {
    const l = this.mqList;
    return l.length > 0 ? l[l.length - 1] : undefined;
  }

  /** blk_start_plug_nr_ios: an empty list and both flags clear (a plug object is reused from one blk_start_plug to the next). */
  reset(): void {
    this.mqList.length = 0;
    this.multipleQueues = false;
    this.hasElevator = false;
  }

  /**
   * blk_mq_flush_plug_list's start: the list is taken for dispatch (rq_count = 0) and the plug
   * starts an empty one; give the array back with giveBack when the dispatch is done.
   */
  take(): Request[] {
    const rqs = this.mqList;
    this.mqList = this.spare;
    this.spare = rqs;
    return rqs;
  }

  /** The array take() returned, dispatched: emptied and kept for the next take. */
  giveBack(rqs: Request[]): void {
    rqs.length = 0;
    if (this.spare === rqs) return;
    this.spare = rqs;
  }
}
