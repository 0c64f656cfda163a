// The 2026 design's copy context (bi_copy_ctx): the SRC and DST bios of one copy chunk, the
// phase it is in, and how many bios are still being translated through stacking drivers.
// Kept apart from the design's logic (ctx.ts) so bio.ts and the driver can name it.

import type { Bio } from "../bio";

export const enum CtxPhase {
  /** BLKDEV_TRANSLATE_LBAS: bios are still travelling down through stacking drivers. */
  TRANSLATE = 0,
  /** BLKDEV_COPY: every bio sits on a non-stacking device; the first DST bio carries the copy. */
  COPY = 1,
  DONE = 2,
}

export interface CopyCtx {
  id: number;
  phase: CtxPhase;
  /** Bios (and the clones stacking drivers made of them) not yet on a non-stacking device. */
  translating: number;
  /** Translated bios, in arrival order. */
  src: Bio[];
  dst: Bio[];
  /** Sectors the device reported copied (a prefix of the destination), set by the driver. */
  copiedSectors: number;
  /** Why the copy could not be offloaded, when it could not. */
  refused?: string;
  /** submit_bio_noacct calls this when a bio of the context reaches a non-stacking device. */
  arrive(bio: Bio): void;
}
