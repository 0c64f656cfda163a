// The 2025 single-bio design (Keith Busch, "block: another block copy offload"): one
// REQ_OP_COPY bio per contiguous destination piece, carrying the vector of source ranges on
// the same device; blk-mq splits it by the copy limits (destination length, source range
// count) and merges it with copies to adjacent destinations, as discards merge. A bio that
// fails is copied again by the fallback as a whole.

import { Bio, BlkStatus, Op } from "../bio";
import type { BlockLayer } from "../blk";
import type { CopyParams, Piece } from "./types";
import type { DesignResult } from "./copy";

export function vectorCopy(blk: BlockLayer, p: CopyParams, work: Piece[], finish: (r: DesignResult) => void): void {
  const dev = p.dst;
  if (p.src !== p.dst) return finish({ status: BlkStatus.NOTSUPP, left: work, reason: `vector: source ${p.src.name} and destination ${p.dst.name} differ; the design copies within one device` });
  if (dev.limits.max_copy_sectors === 0) return finish({ status: BlkStatus.NOTSUPP, left: work, reason: `vector: ${dev.name} copy_max_bytes is 0` });
  // group pieces by contiguous destination: one bio each
  const groups: Piece[][] = [];
  for (const w of work) {
    const g = groups[groups.length - 1];
    const last = g?.[g.length - 1];
    if (last && last.dstPos + last.len === w.dstPos) g.push(w);
    else groups.push([w]);
  }
  let left = groups.length;
  const failed: Piece[] = [];
  let status: BlkStatus = BlkStatus.OK;
  blk.startPlug();
  for (const g of groups) {
    const len = g.reduce((a, w) => a + w.len, 0);
    const bio = new Bio(dev, Op.COPY, g[0].dstPos / 512, len);
    bio.copySrc = g.map((w) => ({ sector: w.srcPos / 512, sectors: w.len / 512 }));
    bio.endio = (b) => {
      if (b.status !== BlkStatus.OK) { failed.push(...g); if (status === BlkStatus.OK) status = b.status; }
      if (--left === 0) finish({ status, left: failed, reason: failed.length ? `vector: ${failed.length} piece(s) of failed copy bios` : undefined });
    };
    blk.submitBio(bio);
  }
  blk.finishPlug();
}
