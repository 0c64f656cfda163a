// The request: what blk-mq hands the driver (struct request): one op, a start sector, a
// length, the bios merged into it in order, its physical segment count, its tag and hctx.

import { Bio, Op, REQ_NOMERGE } from "./bio";

let nextRqId = 1;
export function resetRequestIds(): void { nextRqId = 1; }

export class Request {
  readonly id = nextRqId++;
  op: Op;
  flags: number;
  sector: number;
  /** __data_len in bytes. */
  dataLen: number;
  bios: Bio[];
  nrPhysSegments: number;
  /** Driver tag (-1 while it has none: with a scheduler it is taken at dispatch). */
  tag = -1;
  /** Holds one of the scheduler's tags (q->nr_requests) while a scheduler is attached. */
  schedTag = false;
  hctx = -1;
  cpu: number;
  /** Set when a merge attempt failed on a limit: no further merges (REQ_NOMERGE). */
  noMerge: boolean;
  /** Time it was allocated and issued, for disk stats. */
  start_ns = 0;
  issue_ns = 0;
  pid: number;
  comm: string;
  /** Copies: sectors of the destination the device reported copied (a prefix). */
  copiedSectors = 0;
  /** The driver's data for this request (blk_mq_rq_to_pdu): set by the driver that runs it. */
  pdu: unknown = undefined;

  constructor(bio: Bio, segments: number, cpu: number, pid: number, comm: string) {
    this.op = bio.op;
    this.flags = bio.flags;
    this.sector = bio.sector;
    this.dataLen = bio.size;
    this.bios = [bio];
    this.nrPhysSegments = segments;
    this.cpu = cpu;
    this.pid = pid;
    this.comm = comm;
    this.noMerge = (bio.flags & REQ_NOMERGE) !== 0;
  }

  get sectors(): number { return this.dataLen >>> 9; }
  get end(): number { return this.sector + this.sectors; }
  get bio(): Bio { return this.bios[0]; }
  get biotail(): Bio { return this.bios[this.bios.length - 1]; }
}
