// The per-task plug (struct blk_plug, block/blk-core.c blk_start_plug/blk_finish_plug and
// block/blk-mq.c blk_add_rq_to_plug): requests wait in the plug so later bios can merge into
// them and the driver gets them in one batch. Nested plugs are ignored: only the outermost
// start/finish pair counts.

import type { Request } from "./request";

/** BLK_MAX_REQUEST_COUNT (block/blk.h): flush when this many requests are plugged. */
export const BLK_MAX_REQUEST_COUNT = 32;
/** BLK_PLUG_FLUSH_SIZE: flush when the last plugged request is at least this big. */
export const BLK_PLUG_FLUSH_SIZE = 128 * 1024;

export class BlkPlug {
  /** mq_list: plugged requests, oldest first. */
  readonly list: Request[] = [];
  /** The plug holds requests for more than one queue (the limit doubles). */
  multipleQueues = false;
  /** Merges in this plug are tried newest first. */
  get rqCount(): number { return this.list.length; }
}
