// The request: what blk-mq hands the driver (struct request): one op, a start sector, a
// length, the bios merged into it in order, its physical segment count, its tag and hctx, and
// the flush state machine's per-request state (rq->flush, RQF_FLUSH_SEQ; block/blk-flush.c).

import { Bio, Op, Req } from "./bio";
import type { BlockDevice } from "./disk";

let nextRqId = 1;
export function resetRequestIds(): void { nextRqId = 1; }

export class Request {
  /** Numbered at allocation, and again each time blk-mq hands out a pooled request (init). */
  id = nextRqId++;
  op: Op;
  flags: number;
  sector: number;
  /** __data_len in bytes. */
  dataLen: number;
  bios: Bio[];
  nrPhysSegments: number;
  /** Driver tag (-1 while it has none: with a scheduler it is taken at dispatch). */
  tag = -1;
  /** rq->internal_tag: the scheduler tag it holds while a scheduler is attached (q->nr_requests of them), else -1. */
  schedTag = -1;
  hctx = -1;
  cpu: number;
  /** Set when a merge attempt failed on a limit: no further merges (REQ_NOMERGE). */
  noMerge: boolean;
  /** Time it was allocated, for disk stats. */
  start_ns = 0;
  pid: number;
  comm: string;
  /** Copies: sectors of the destination the device reported copied (a prefix). */
  copiedSectors = 0;
  /**
   * The driver's data for this request (blk_mq_rq_to_pdu): made by the driver that runs it at
   * the request's first command and kept for the object's lifetime, as the kernel allocates
   * the pdu with the request (blk_mq_alloc_rqs); init leaves it, the driver resets its own.
   */
  pdu: unknown = undefined;
  /** Back in blk-mq's pool after blk_mq_free_request: ending it again is a bug. */
  freed = false;
  /** rq->q: the queue (device) the request belongs to. */
  readonly q: BlockDevice;
  /**
   * RQF_FLUSH_SEQ: the request is in the flush state machine (a PREFLUSH/FUA request blk-flush
   * sequences, or the flush request it issued). False on every other request: blk-mq tests it
   * once per completion and does nothing more.
   */
  flushSeqActive = false;
  /** rq->flush.seq: the REQ_FSEQ_* steps done (blk-flush.ts). */
  flushSeq = 0;

  /**
   * From a bio (blk_mq_bio_to_request); bio null makes a request without one (a hardware
   * queue's flush request, made at its first blk_kick_flush and reused: initFlushRq), which then
   * needs its queue q.
   */
  constructor(bio: Bio | null, segments: number, cpu: number, pid: number, comm: string, q?: BlockDevice) {
    if (bio !== null) {
      this.op = bio.op;
      this.flags = bio.flags;
      this.sector = bio.sector;
      this.dataLen = bio.size;
      this.bios = [bio];
      this.noMerge = (bio.flags & Req.NOMERGE) !== 0;
      this.q = bio.bdev;
    } else {
      this.op = Op.FLUSH;
      this.flags = 0;
      this.sector = 0;
      this.dataLen = 0;
      this.bios = [];
      this.noMerge = true;
      this.q = q!;
    }
    this.nrPhysSegments = segments;
    this.cpu = cpu;
    this.pid = pid;
    this.comm = comm;
  }

  /**
   * blk_mq_rq_ctx_init for a request taken from blk-mq's pool (the kernel preallocates one
   * per tag, static_rqs): every field as a new request has it, and a new id, so a run numbers
   * its requests the same either way. Its tags are -1 already (blk_mq_free_request gave them
   * back); the caller sets one of them, its hctx and start_ns, as getRequest does.
   */
  init(bio: Bio, segments: number, cpu: number, pid: number, comm: string): void {
    this.id = nextRqId++;
    this.op = bio.op;
    this.flags = bio.flags;
    this.sector = bio.sector;
    this.dataLen = bio.size;
    // length = 0 would drop the array's storage and push allocate a new one; trimming to one
    // entry keeps it
    const bios = this.bios;
    if (bios.length !== 1) bios.length = 1;
    bios[0] = bio;
    this.nrPhysSegments = segments;
    this.noMerge = (bio.flags & Req.NOMERGE) !== 0;
    this.resetSubmitter(cpu, pid, comm);
  }

  /**
   * blk_rq_init of the flush request blk_kick_flush reuses (fq->flush_rq, one per hardware
   * queue, preallocated with its pdu): no bio, REQ_OP_FLUSH, sector (sector_t)-1 (traced as 0),
   * 0 bytes, no tag yet (flush_end_io gave back what it borrowed); a new id, as every lifetime
   * of a preallocated request gets one (init). The caller sets its flags, tags, hctx and
   * start_ns, as blk_kick_flush does.
   */
  initFlushRq(cpu: number, pid: number, comm: string): void {
    this.id = nextRqId++;
    this.op = Op.FLUSH;
    this.flags = 0;
    this.sector = 0;
    this.dataLen = 0;
    if (this.bios.length !== 0) this.bios.length = 0;
    this.nrPhysSegments = 0;
    this.noMerge = true;
    this.resetSubmitter(cpu, pid, comm);
  }

  /**
   * What init and initFlushRq both reset: the submitter, not freed, no flush
   * sequence. Not the tags (-1 since the request was freed), nor hctx and start_ns: their
   * callers set them at once; nor the pdu, the driver's (its request side is reset when the
   * request ends).
   */
  private resetSubmitter(cpu: number, pid: number, comm: string): void {
    this.cpu = cpu;
    this.pid = pid;
    this.comm = comm;
    this.copiedSectors = 0;
    this.freed = false;
    this.flushSeqActive = false;
    this.flushSeq = 0;
  }

  get sectors(): number { return this.dataLen >>> 9; }
  get end(): number { return this.sector + this.sectors; }
  get bio(): Bio { return this.bios[0]; }
  get biotail(): Bio { return this.bios[this.bios.length - 1]; }
}
