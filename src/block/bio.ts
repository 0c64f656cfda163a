// The bio: one contiguous range of sectors on one block device, with the data pages that go
// with it (include/linux/blk_types.h). Ops and flags carry the kernel's names; copy ops are
// those of the three designs explored here. Completion follows bio_endio: chained bios
// (bio_chain) complete their parent when the last child is done (__bi_remaining).

import type { BlockDevice } from "./disk";
import type { CopyCtx } from "./copy/ctx-types";
import type { Task } from "./sim";

/**
 * REQ_OP_* (include/linux/blk_types.h). Copy ops are numbered as their series number them, and
 * are the only ops from COPY_SRC up (opIsCopy is one compare on the per-command path).
 */
export const enum Op {
  READ = 0,
  WRITE = 1,
  FLUSH = 2,
  DISCARD = 3,
  WRITE_ZEROES = 9,
  /** Copy source half: v20 numbers it 18, the 2026 series 20. */
  COPY_SRC = 18,
  /** Copy destination half: v20 numbers it 19, the 2026 series 21. */
  COPY_DST = 19,
  /** The 2025 single-bio design: one bio, destination range in bi_iter, source vector beside it. */
  COPY = 64,
}

export const OP_NAMES: Record<number, string> = {
  [Op.READ]: "READ", [Op.WRITE]: "WRITE", [Op.FLUSH]: "FLUSH", [Op.DISCARD]: "DISCARD",
  [Op.WRITE_ZEROES]: "WRITE_ZEROES", [Op.COPY_SRC]: "COPY_SRC", [Op.COPY_DST]: "COPY_DST", [Op.COPY]: "COPY",
};

/**
 * REQ_* flag bits (the subset whose behaviour is modelled), as a const enum for the per-bio
 * path: its members compile to literals, where a bundle turns the exported consts below into
 * module variables that every use loads and checks. The REQ_* names serve everything else.
 */
export const enum Req {
  SYNC = 1 << 0,
  FUA = 1 << 1,
  PREFLUSH = 1 << 2,
  NOMERGE = 1 << 3,
  META = 1 << 4,
  FAILFAST_DEV = 1 << 5,
  /** REQ_POLLED: the submitter polls for the completion (io_uring hipri, RWF_HIPRI): no interrupt. */
  POLLED = 1 << 6,
}

export const REQ_SYNC = Req.SYNC;
export const REQ_FUA = Req.FUA;
export const REQ_PREFLUSH = Req.PREFLUSH;
export const REQ_NOMERGE = Req.NOMERGE;
export const REQ_META = Req.META;
export const REQ_FAILFAST_DEV = Req.FAILFAST_DEV;
/** REQ_POLLED: the submitter polls for the completion (io_uring hipri, RWF_HIPRI): no interrupt. */
export const REQ_POLLED = Req.POLLED;

/** op_is_flush (include/linux/blk_types.h): the bio or request asks for a cache flush or FUA. */
export function opIsFlush(flags: number): boolean {
  return (flags & (Req.FUA | Req.PREFLUSH)) !== 0;
}

/** blk_status_t values and their names (block/blk-core.c blk_errors[]). */
export const enum BlkStatus {
  OK = 0,
  NOTSUPP = 1,
  TIMEOUT = 2,
  NOSPC = 3,
  TRANSPORT = 4,
  TARGET = 5,
  NEXUS = 6,
  MEDIUM = 7,
  PROTECTION = 8,
  RESOURCE = 9,
  IOERR = 10,
  AGAIN = 12,
}

export const BLK_STATUS_NAMES: Record<number, string> = {
  0: "BLK_STS_OK", 1: "BLK_STS_NOTSUPP", 2: "BLK_STS_TIMEOUT", 3: "BLK_STS_NOSPC", 4: "BLK_STS_TRANSPORT",
  5: "BLK_STS_TARGET", 6: "BLK_STS_RESV_CONFLICT", 7: "BLK_STS_MEDIUM", 8: "BLK_STS_PROTECTION",
  9: "BLK_STS_RESOURCE", 10: "BLK_STS_IOERR", 12: "BLK_STS_AGAIN",
};

/** The errno blk_status_to_errno gives each status (blk_errors[] in block/blk-core.c). */
export const BLK_STATUS_ERRNO: Record<number, number> = {
  0: 0, 1: -95, 2: -110, 3: -28, 4: -108, 5: -121, 6: -6, 7: -61, 8: -84, 9: -12, 10: -5, 12: -11,
};

/** One piece of a bio's data: bytes in host RAM (a bio_vec, with a bus address for a page). */
export interface BioVec {
  bus: number;
  len: number;
}

export const SECTOR_SHIFT = 9;
export const SECTOR_SIZE = 512;

let nextBioId = 1;

/** Reset bio numbering (a new run starts at bio 1, so traces are reproducible). */
export function resetBioIds(): void { nextBioId = 1; }

export class Bio {
  /** Numbered at allocation (and again when a pooled bio is reused: bio_reset's new life). */
  id!: number;
  bdev!: BlockDevice;
  op!: Op;
  flags!: number;
  /** bi_iter.bi_sector and bi_size. */
  sector!: number;
  size!: number;
  vecs!: BioVec[];
  status!: BlkStatus;
  /** The task that submitted it (for traces and plugs). */
  task!: number;
  /** bi_end_io. */
  endio!: ((bio: Bio) => void) | null;
  /** bio_chain: the parent to complete when this bio and its siblings are done. */
  parent!: Bio | null;
  /** __bi_remaining: 1 + chained children not yet done. */
  remaining!: number;
  /** The 2026 design's bi_copy_ctx (copies only). */
  copyCtx!: CopyCtx | null;
  /** The 2025 design's source vector: sectors on the same device, in order (COPY only). */
  copySrc!: Array<{ sector: number; sectors: number }> | null;
  /** Where this bio came from, for traces: the bio it was cloned or split from. */
  origin!: Bio | null;
  /** BIO_TRACE_COMPLETION: Q has been traced for this bio (once per bio, not per resubmission). */
  queued!: boolean;
  /** Set once bio_endio has run its end_io (a bio completes exactly once). */
  ended!: boolean;
  /** The task whose submit_bio counts it as outstanding until it ends (no closure per bio). */
  submitter!: Task | null;
  /** Opaque per-user data (bi_private). */
  private_!: unknown;

  constructor(bdev: BlockDevice, op: Op, sector: number, size: number, vecs: BioVec[] = [], flags = 0, task = 0) {
    this.reinit(bdev, op, sector, size, vecs, flags, task);
  }

  /**
   * bio_init: every field's first value and the next id. The constructor runs it, and so does
   * an owner that keeps a bio between I/Os (bio_reset + bio_init, as the kernel's per-CPU bio
   * cache hands a freed bio back), so a run numbers its bios the same whether they are new or
   * reused. Only for a bio that has ended: nothing else may still hold it.
   */
  reinit(bdev: BlockDevice, op: Op, sector: number, size: number, vecs: BioVec[], flags: number, task: number): void {
    this.id = nextBioId++;
    this.bdev = bdev;
    this.op = op;
    this.sector = sector;
    this.size = size;
    this.vecs = vecs;
    this.flags = flags;
    this.task = task;
    this.status = BlkStatus.OK;
    this.endio = null;
    this.parent = null;
    this.remaining = 1;
    this.copyCtx = null;
    this.copySrc = null;
    this.origin = null;
    this.queued = false;
    this.ended = false;
    this.submitter = null;
    this.private_ = null;
  }

  // 9 is SECTOR_SHIFT: a literal, as the exported const is a module variable once bundled
  get sectors(): number { return this.size >>> 9; }
  get end(): number { return this.sector + this.sectors; }
  get segments(): number { return this.vecs.length; }
}

/** op_is_write: data flows to the device (the op's low bit, as in the kernel). */
export function opIsWrite(op: Op): boolean {
  return op === Op.WRITE || op === Op.DISCARD || op === Op.WRITE_ZEROES || op === Op.COPY_DST || op === Op.COPY;
}

/** REQ_OP_COPY_SRC, REQ_OP_COPY_DST or the 2025 design's REQ_OP_COPY: the ops from COPY_SRC up (Op). */
export function opIsCopy(op: Op): boolean {
  return op >= Op.COPY_SRC;
}

/** bio_chain(child, parent): parent completes only after child. */
export function bioChain(child: Bio, parent: Bio): void {
  child.parent = parent;
  parent.remaining++;
}

/**
 * bio_endio: a bio with chained children completes when the last one is done; the first
 * error among them becomes the parent's status (__bio_chain_endio keeps the first).
 */
export function bioEndio(bio: Bio): void {
  if (--bio.remaining > 0) return;
  if (bio.ended === true) endedTwice(bio);
  bio.ended = true;
  const parent = bio.parent;
  if (parent !== null) {
    bioChainEndio(bio, parent);
    return;
  }
  bio.endio?.(bio);
  endSubmitted(bio);
}

/**
 * bio_endio of a chained bio (a split's front, a clone): its status to the parent, then the
 * parent's count drops. Out of bioEndio, as the failure below: the completion path inlines
 * bioEndio, and V8 counts every bytecode of it, taken or not, against its inlining budget.
 */
function bioChainEndio(bio: Bio, parent: Bio): void {
  if (parent.status === BlkStatus.OK && bio.status !== BlkStatus.OK) parent.status = bio.status;
  bio.endio?.(bio);
  endSubmitted(bio);
  bioEndio(parent);
}

function endedTwice(bio: Bio): never {
  throw new Error(`bio ${bio.id} completed twice`);
}

/** After the caller's end_io: the submitting task has one bio fewer outstanding. */
function endSubmitted(bio: Bio): void {
  const t = bio.submitter;
  if (t === null) return;
  bio.submitter = null;
  t.outstanding--;
}
