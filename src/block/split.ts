// Splitting a bio to the queue's limits (block/blk-merge.c __bio_split_to_limits and
// bio_split_rw, bio_split_discard, bio_split_write_zeroes): reads and writes by max_sectors,
// chunk boundaries, segment count and size and the virt boundary, aligned down to the logical
// block size; discards by max_discard_sectors and granularity; write-zeroes by their limit.
// Copies follow their design: v20 and 2026 copy bios are never split (bio_split_copy fails
// them); the 2025 single copy bio splits by the copy limits like a discard.

import { Bio, BioVec, BlkStatus, Op } from "./bio";
import type { QueueLimits } from "./limits";
import { gapToPrev, rqMaxSectors } from "./merge";

export interface SplitPlan {
  /** Sectors the front part keeps; 0 = no split. */
  sectors: number;
  /** Physical segments of the part that goes on. */
  nsegs: number;
  /** A bio that must not be split but would have to be: fail it with this status. */
  fail?: BlkStatus;
  why?: string;
}

function crossesNoBoundary(start: number, end: number, l: QueueLimits): boolean {
  const m = l.seg_boundary_mask;
  if (m >= 0xffffffff) return true;
  return Math.floor(start / (m + 1)) === Math.floor((end - 1) / (m + 1));
}

/** Where bio must be split for limits l (design says how copies behave). The plan may be shared: read it before planning another bio. */
export function planSplit(bio: Bio, l: QueueLimits, copyFails: BlkStatus): SplitPlan {
  switch (bio.op) {
    case Op.READ:
    case Op.WRITE:
      return planRw(bio, l);
    case Op.DISCARD:
      return planDiscard(bio, l);
    case Op.WRITE_ZEROES:
      return bio.sectors > l.max_write_zeroes_sectors ? { sectors: l.max_write_zeroes_sectors, nsegs: 0 } : { sectors: 0, nsegs: 0 };
    case Op.COPY_SRC:
    case Op.COPY_DST:
      // bio_split_copy: a copy bio is one segment and is never split.
      if (bio.sectors > l.max_copy_sectors) return { sectors: 0, nsegs: 1, fail: copyFails, why: `copy of ${bio.sectors} sectors exceeds max_copy_sectors ${l.max_copy_sectors}` };
      return { sectors: 0, nsegs: 1 };
    case Op.COPY:
      return planVectorCopy(bio, l);
    default:
      return { sectors: 0, nsegs: 0 };
  }
}

/**
 * The plan of a read or write that needs no split, refilled per bio (the per-I/O path
 * allocates none): read it before planning another bio.
 */
const NO_SPLIT: SplitPlan = { sectors: 0, nsegs: 0, fail: undefined, why: undefined };

/**
 * The case bio_may_need_split lets through unwalked (blk_mq_submit_bio, 6.14+): a read or
 * write of one vector that is one segment within max_sectors, with no chunk boundary to look
 * for, needs no split and is one physical segment. It says what the walk would: the walk looks
 * at no gap or segment boundary before a second piece. blk-mq tests it before any plan.
 */
export function rwNoSplit(bio: Bio, l: QueueLimits): boolean {
  const vecs = bio.vecs;
  if (vecs.length !== 1 || l.chunk_sectors !== 0 || l.max_segments < 1) return false;
  const len = vecs[0].len;
  return len > 0 && len <= l.max_segment_size && len >>> 9 <= alignDown(l.max_sectors, l.logical_block_size >> 9);
}

/** bio_split_rw: walk the vectors against every limit; split before the first that breaks one (none for rwNoSplit's case). */
export function planRw(bio: Bio, l: QueueLimits): SplitPlan {
  if (rwNoSplit(bio, l)) {
    NO_SPLIT.nsegs = 1;
    return NO_SPLIT;
  }
  return walkRw(bio, l);
}

/** planRw's walk, for every bio the fast case does not take. */
function walkRw(bio: Bio, l: QueueLimits): SplitPlan {
  const maxSectors = alignDown(rqMaxSectors(bio.op, bio.sector, l), l.logical_block_size >> 9);
  let bytes = 0;
  let nsegs = 0;
  let segEnd = -1;
  let segLen = 0;
  let prevEnd = -1;
  for (const v of bio.vecs) {
    if (prevEnd >= 0 && gapToPrev(l, prevEnd, v.bus)) return cut(bytes, nsegs, l);
    let left = v.len;
    let at = v.bus;
    while (left > 0) {
      const joins = at === segEnd && segLen < l.max_segment_size && crossesNoBoundary(segEnd - segLen, at + 1, l);
      const room = joins ? l.max_segment_size - segLen : l.max_segment_size;
      const take = Math.min(left, room);
      if (!joins) {
        if (nsegs + 1 > l.max_segments) return cut(bytes, nsegs, l);
        nsegs++;
        segLen = 0;
      }
      if ((bytes + take) >>> 9 > maxSectors) {
        const fit = maxSectors * 512 - bytes;
        return cut(bytes + Math.max(0, fit), nsegs, l);
      }
      bytes += take;
      segLen += take;
      at += take;
      left -= take;
      segEnd = at;
    }
    prevEnd = v.bus + v.len;
  }
  NO_SPLIT.nsegs = nsegs;
  return NO_SPLIT;
}

function cut(bytes: number, nsegs: number, l: QueueLimits): SplitPlan {
  const lbs = l.logical_block_size;
  const sectors = (Math.floor(bytes / lbs) * lbs) >>> 9;
  if (sectors === 0) return { sectors: 0, nsegs, fail: BlkStatus.IOERR, why: "no logical block fits the limits" };
  return { sectors, nsegs };
}

/** bio_split_discard: by max_discard_sectors, with the split ending on a granularity boundary. */
function planDiscard(bio: Bio, l: QueueLimits): SplitPlan {
  const gran = Math.max(l.discard_granularity >> 9, l.logical_block_size >> 9);
  let max = Math.min(l.max_discard_sectors, 0xffffffff >>> 9);
  max -= max % gran;
  if (max === 0) return { sectors: 0, nsegs: 1, fail: BlkStatus.IOERR, why: "max_discard_sectors is below the discard granularity" };
  if (bio.sectors <= max) return { sectors: 0, nsegs: 1 };
  let split = max;
  const tail = (bio.sector + split) % gran;
  if (split > tail) split -= tail;
  return { sectors: split, nsegs: 1 };
}

/** The 2025 design: a copy splits by its destination length and its source range count. */
function planVectorCopy(bio: Bio, l: QueueLimits): SplitPlan {
  const src = bio.copySrc ?? [];
  let sectors = 0;
  let segs = 0;
  for (const r of src) {
    if (segs + 1 > l.max_copy_src_segments) break;
    const room = l.max_copy_sectors - sectors;
    if (room <= 0) break;
    segs++;
    if (r.sectors > room) { sectors += room; break; }
    sectors += r.sectors;
  }
  if (sectors === 0) return { sectors: 0, nsegs: 0, fail: BlkStatus.NOTSUPP, why: "the device takes no copies (max_copy_sectors or max_copy_src_segments is 0)" };
  return sectors >= bio.sectors ? { sectors: 0, nsegs: segs } : { sectors, nsegs: segs };
}

const alignDown = (n: number, a: number) => n - (n % a);

/**
 * bio_split: a new bio for the first `sectors`, the original advanced past them. The caller
 * chains the front to the original (bio_chain) so the original completes last.
 */
export function splitBio(bio: Bio, sectors: number): Bio {
  const bytes = sectors * 512;
  const front = new Bio(bio.bdev, bio.op, bio.sector, bytes, [], bio.flags, bio.task);
  front.origin = bio;
  front.copyCtx = bio.copyCtx;
  if (bio.vecs.length) {
    let left = bytes;
    const rest: BioVec[] = [];
    for (const v of bio.vecs) {
      if (left >= v.len) { front.vecs.push(v); left -= v.len; }
      else if (left > 0) { front.vecs.push({ bus: v.bus, len: left }); rest.push({ bus: v.bus + left, len: v.len - left }); left = 0; }
      else rest.push(v);
    }
    bio.vecs = rest;
  }
  if (bio.copySrc) {
    let left = sectors;
    const head: Array<{ sector: number; sectors: number }> = [];
    const tail: Array<{ sector: number; sectors: number }> = [];
    for (const r of bio.copySrc) {
      if (left >= r.sectors) { head.push(r); left -= r.sectors; }
      else if (left > 0) { head.push({ sector: r.sector, sectors: left }); tail.push({ sector: r.sector + left, sectors: r.sectors - left }); left = 0; }
      else tail.push(r);
    }
    front.copySrc = head;
    bio.copySrc = tail;
  }
  bio.sector += sectors;
  bio.size -= bytes;
  return front;
}
