// Merging bios into requests (block/blk-merge.c): blk_rq_merge_ok, blk_try_merge and the
// back, front and discard merge attempts with their limit checks (ll_back_merge_fn,
// ll_front_merge_fn, ll_new_hw_segment, req_gap_back_merge), plus the copy merges of the
// designs explored here: v20's DST+SRC pairing (bio_attempt_copy_offload_merge) and the 2025
// design's merging of copies to adjacent destinations, modelled on discard merging.

import { Bio, Op, REQ_FUA, REQ_NOMERGE, REQ_PREFLUSH, opIsWrite } from "./bio";
import type { Request } from "./request";
import type { QueueLimits } from "./limits";
import type { CopyDesign } from "./disk";

export const enum MergeKind {
  NONE = 0,
  BACK = 1,
  FRONT = 2,
  DISCARD = 3,
  /** v20: ELEVATOR_COPY_OFFLOAD_MERGE, a COPY_SRC bio joining its COPY_DST request. */
  COPY_PAIR = 4,
}

/** Why a merge that was tried did not happen (shown in traces and tests). */
export type MergeRefusal = "max_sectors" | "max_segments" | "virt_boundary" | "max_discard_segments" | "copy_length" | "copy_segments";

const REQ_NOMERGE_FLAGS = REQ_NOMERGE | REQ_PREFLUSH | REQ_FUA;

/**
 * rq_mergeable: flushes, write-zeroes, requests marked nomerge and requests in the flush
 * machinery (RQF_FLUSH_SEQ, part of RQF_NOMERGE_FLAGS) take no bios.
 */
export function rqMergeable(rq: Request): boolean {
  if (rq.op === Op.FLUSH || rq.op === Op.WRITE_ZEROES) return false;
  if (rq.flags & REQ_NOMERGE_FLAGS) return false;
  return !rq.noMerge && !rq.flushSeqActive;
}

/** bio_mergeable. */
export function bioMergeable(bio: Bio): boolean {
  return (bio.flags & REQ_NOMERGE_FLAGS) === 0 && bio.op !== Op.FLUSH && bio.op !== Op.WRITE_ZEROES;
}

/** blk_rq_merge_ok: may bio join rq at all (before looking at positions)? */
export function rqMergeOk(rq: Request, bio: Bio, design: CopyDesign): boolean {
  if (!rqMergeable(rq) || !bioMergeable(bio)) return false;
  if (rq.bio.bdev !== bio.bdev) return false;
  // v20's special case: a COPY_SRC bio may join a COPY_DST request (different ops).
  if (design === "pair" && rq.op === Op.COPY_DST && bio.op === Op.COPY_SRC) return rq.bios.length === 1;
  if (rq.op !== bio.op) return false;
  if (opIsWrite(rq.op) !== opIsWrite(bio.op)) return false;
  // Copies of the two-bio designs never merge with each other here: pair merges only DST+SRC;
  // the 2026 design combines copies in the driver, not in the block layer.
  if (rq.op === Op.COPY_SRC || rq.op === Op.COPY_DST) return false;
  if (rq.op === Op.COPY && design !== "vector") return false;
  return true;
}

/** blk_discard_mergable: discards merge regardless of position when the device takes ranges. */
export function discardMergable(rq: Request, l: QueueLimits): boolean {
  return rq.op === Op.DISCARD && l.max_discard_segments > 1;
}

/** blk_try_merge: which kind of merge the positions allow. */
export function tryMerge(rq: Request, bio: Bio, l: QueueLimits, design: CopyDesign): MergeKind {
  if (design === "pair" && rq.op === Op.COPY_DST && bio.op === Op.COPY_SRC) return MergeKind.COPY_PAIR;
  if (discardMergable(rq, l)) return MergeKind.DISCARD;
  if (rq.end === bio.sector) return MergeKind.BACK;
  if (rq.sector - bio.sectors === bio.sector) return MergeKind.FRONT;
  return MergeKind.NONE;
}

/** blk_rq_get_max_sectors: max_sectors, clipped at chunk boundaries (not for discard). */
export function rqMaxSectors(op: Op, sector: number, l: QueueLimits): number {
  if (op === Op.DISCARD) return l.max_discard_sectors;
  if (op === Op.WRITE_ZEROES) return l.max_write_zeroes_sectors;
  if (op === Op.COPY) return l.max_copy_sectors;
  if (!l.chunk_sectors) return l.max_sectors;
  const toBoundary = l.chunk_sectors - (sector % l.chunk_sectors);
  return Math.min(l.max_sectors, toBoundary);
}

/** bvec_gap_to_prev: would the two vectors leave a hole inside a virt-boundary window? */
export function gapToPrev(l: QueueLimits, prevEnd: number, nextStart: number): boolean {
  if (!l.virt_boundary_mask) return false;
  return (prevEnd & l.virt_boundary_mask) !== 0 || (nextStart & l.virt_boundary_mask) !== 0;
}

function lastVecEnd(b: Bio): number {
  const v = b.vecs[b.vecs.length - 1];
  return v.bus + v.len;
}

/** Source segments a COPY bio or request carries (the 2025 design). */
export function copySrcSegments(bios: Bio[]): number {
  let n = 0;
  for (const b of bios) n += b.copySrc?.length ?? 0;
  return n;
}

/**
 * Attempt the merge tryMerge chose; returns null when done, or why it was refused (the
 * request is then marked nomerge, as ll_*_merge_fn do with req_set_nomerge).
 */
export function attemptMerge(kind: MergeKind, rq: Request, bio: Bio, nsegs: number, l: QueueLimits): MergeRefusal | null {
  switch (kind) {
    case MergeKind.COPY_PAIR:
      // bio_attempt_copy_offload_merge: only a SRC of the same length as its DST.
      if (rq.dataLen !== bio.size) return "copy_length";
      rq.bios.push(bio);
      rq.nrPhysSegments = 2;
      rq.dataLen *= 2;
      return null;
    case MergeKind.DISCARD: {
      // bio_attempt_discard_merge: each bio is one range.
      if (rq.nrPhysSegments >= l.max_discard_segments) return refuse(rq, "max_discard_segments");
      if (rq.sectors + bio.sectors > l.max_discard_sectors) return refuse(rq, "max_sectors");
      rq.bios.push(bio);
      rq.dataLen += bio.size;
      rq.nrPhysSegments++;
      return null;
    }
    case MergeKind.BACK:
    case MergeKind.FRONT: {
      const why = checkLimits(kind, rq, bio, nsegs, l);
      // ll_back/front_merge_fn: a virt-boundary gap only refuses this bio; the limits mark the
      // request nomerge (req_set_nomerge)
      if (why === "virt_boundary") return why;
      if (why) return refuse(rq, why);
      if (kind === MergeKind.BACK) rq.bios.push(bio);
      else {
        rq.bios.unshift(bio);
        rq.sector = bio.sector;
      }
      rq.dataLen += bio.size;
      rq.nrPhysSegments += rq.op === Op.COPY ? 0 : nsegs;
      return null;
    }
    default:
      return null;
  }
}

function refuse(rq: Request, why: MergeRefusal): MergeRefusal {
  rq.noMerge = true;
  return why;
}

function checkLimits(kind: MergeKind, rq: Request, bio: Bio, nsegs: number, l: QueueLimits): MergeRefusal | null {
  const pos = kind === MergeKind.BACK ? rq.sector : bio.sector;
  if (rq.op === Op.COPY) {
    if (rq.sectors + bio.sectors > l.max_copy_sectors) return "copy_length";
    if (copySrcSegments(rq.bios) + copySrcSegments([bio]) > l.max_copy_src_segments) return "copy_segments";
    return null;
  }
  if (rq.sectors + bio.sectors > rqMaxSectors(rq.op, pos, l)) return "max_sectors";
  if (rq.op === Op.READ || rq.op === Op.WRITE) {
    if (kind === MergeKind.BACK && bio.vecs.length && rq.biotail.vecs.length && gapToPrev(l, lastVecEnd(rq.biotail), bio.vecs[0].bus)) return "virt_boundary";
    if (kind === MergeKind.FRONT && bio.vecs.length && rq.bio.vecs.length && gapToPrev(l, lastVecEnd(bio), rq.bio.vecs[0].bus)) return "virt_boundary";
    if (rq.nrPhysSegments + nsegs > l.max_segments) return "max_segments";
  }
  return null;
}
