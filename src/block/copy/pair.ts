// The copy-offload series v20 (blkdev_copy_offload, block/blk-lib.c): one device only;
// chunks of max_copy_sectors; per chunk a COPY_DST bio then a COPY_SRC bio under a plug,
// DST chained to SRC, so blk-mq's plug merge pairs them into one request (the special merge
// path) and the driver sends one Copy with one source range. Copied = the offset of the
// lowest failed chunk. Nothing here makes the pairing safe: with nomerges, or when another
// task's bios land between the halves, it fails the way the reviewers said it would.

import { Bio, BlkStatus, Op, bioChain } from "../bio";
import type { BlockLayer } from "../blk";
import { BLK_COPY_MAX_BYTES } from "../limits";
import type { CopyParams, Piece } from "./types";
import type { DesignResult } from "./copy";

export function pairCopy(blk: BlockLayer, p: CopyParams, work: Piece[], finish: (r: DesignResult) => void): void {
  const dev = p.dst;
  if (p.src !== p.dst) return finish({ status: BlkStatus.NOTSUPP, left: work, reason: `pair: source ${p.src.name} and destination ${p.dst.name} differ; v20 offloads only within one device` });
  const max = dev.limits.max_copy_sectors * 512;
  if (max === 0) return finish({ status: BlkStatus.NOTSUPP, left: work, reason: `pair: ${dev.name} copy_max_bytes is 0` });
  const chunks: Piece[] = [];
  for (const w of work) {
    if (w.len >= BLK_COPY_MAX_BYTES) return finish({ status: BlkStatus.IOERR, left: work, reason: `pair: a copy of ${w.len} bytes is not below BLK_COPY_MAX_BYTES (128 MiB)` });
    for (let off = 0; off < w.len; off += max) chunks.push({ srcPos: w.srcPos + off, dstPos: w.dstPos + off, len: Math.min(max, w.len - off) });
  }
  let left = chunks.length;
  let lowestFailed = Infinity;
  let status: BlkStatus = BlkStatus.OK;
  const results: BlkStatus[] = [];
  // one plug per chunk, as v20's blkdev_copy_offload has it (a plug over the whole copy was
  // asked for in review, not done): each chunk's pair is flushed on its own
  chunks.forEach((c, i) => {
    const dst = new Bio(dev, Op.COPY_DST, c.dstPos / 512, c.len);
    const src = new Bio(dev, Op.COPY_SRC, c.srcPos / 512, c.len);
    bioChain(dst, src); // blk_next_bio: only SRC's end_io runs, after both
    src.endio = (b) => {
      results[i] = b.status;
      if (b.status !== BlkStatus.OK) { lowestFailed = Math.min(lowestFailed, i); if (status === BlkStatus.OK) status = b.status; }
      if (--left === 0) done();
    };
    // a caller's plug (io_submit's, a test's) takes it over: nested plugs only count depth
    blk.startPlug();
    blk.submitBio(dst);
    blk.submitBio(src);
    blk.finishPlug();
  });
  function done() {
    if (status === BlkStatus.OK) return finish({ status, left: [] });
    const rest = chunks.slice(lowestFailed);
    const ok = results.filter((s) => s === BlkStatus.OK).length;
    finish({ status, left: rest, reason: `pair: ${chunks.length - ok} of ${chunks.length} chunk(s) failed; copied is cut to the lowest failed chunk (${lowestFailed})` });
  }
}
