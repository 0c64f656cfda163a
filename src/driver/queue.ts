// One queue pair of the host driver: the SQ ring the host fills and the CQ ring it reaps by
// phase tag (Base §4.1, §4.2.4), a tag set bounding commands in flight to depth - 1, and
// per-tag completion records, all preallocated: submitting and reaping allocate nothing.

import { SQE_SIZE, CQE_SIZE } from "../../assembly/spec/sqe";
import { REG_DOORBELL_BASE } from "../../assembly/spec/regs";
import { ControllerPort } from "../controller/port";
import { DmaBuffer } from "./dma-pool";
import { Sqe, setCid } from "./sqe";

export interface Completion {
  /** Status field (SCT << 8 | SC, CRD, M, DNR), as nvme-cli's "NVMe status" value. */
  status: number;
  dw0: number;
  dw1: number;
  sqhd: number;
  sqid: number;
  cid: number;
  phase: number;
}

/** CIDs of the caller's below this many times the depth are looked up in an array (nvme-blk uses at most 2x). */
const NEAR_CIDS = 2;

export class QueuePair {
  sqTail = 0;
  sqHead = 0; // as last reported by a CQE
  cqHead = 0;
  phase = 1;
  inflight = 0;
  /** Completions reaped since creation. */
  completed = 0;
  /** Completions reaped but not yet reported with the CQ head doorbell. */
  private unacked = 0;
  private readonly ackEvery: number;
  private readonly ram32: Uint32Array;
  private readonly freeTags: Int32Array;
  private freeTop: number;
  /** Commands submitted with a CID of the caller's: tag + 1 by CID (0: none) below NEAR_CIDS x depth, else in the map. */
  private readonly tagOfCidNear: Int32Array;
  private readonly tagOfCidFar = new Map<number, number>();
  private explicitCids = 0;
  private readonly busy: Uint8Array;
  readonly cidOfTag: Uint16Array;
  readonly doneSeq: Uint32Array;
  readonly cqeDw0: Uint32Array;
  readonly cqeDw1: Uint32Array;
  readonly cqeDw2: Uint32Array;
  readonly cqeDw3: Uint32Array;
  private readonly sqDoorbell: number;
  private readonly cqDoorbell: number;

  constructor(
    readonly qid: number,
    readonly depth: number,
    readonly sq: DmaBuffer,
    readonly cq: DmaBuffer,
    readonly vector: number,
    readonly polled: boolean,
    ram32: Uint32Array,
    dstrd: number,
  ) {
    this.ram32 = ram32;
    const tags = depth - 1;
    this.freeTags = new Int32Array(tags);
    for (let i = 0; i < tags; i++) this.freeTags[i] = tags - 1 - i;
    this.freeTop = tags;
    this.ackEvery = Math.max(1, depth >> 2);
    this.cidOfTag = new Uint16Array(tags);
    this.tagOfCidNear = new Int32Array(Math.min(65536, NEAR_CIDS * depth));
    this.busy = new Uint8Array(tags);
    this.doneSeq = new Uint32Array(tags);
    this.cqeDw0 = new Uint32Array(tags);
    this.cqeDw1 = new Uint32Array(tags);
    this.cqeDw2 = new Uint32Array(tags);
    this.cqeDw3 = new Uint32Array(tags);
    const stride = 4 << dstrd;
    this.sqDoorbell = REG_DOORBELL_BASE + 2 * qid * stride;
    this.cqDoorbell = REG_DOORBELL_BASE + (2 * qid + 1) * stride;
  }

  /** Free tags: commands that can still be submitted. */
  room(): number { return this.freeTop; }

  /**
   * Copy sqe into the next SQ slot with a CID (the tag, or cid when given) and return the
   * tag; -1 when the queue is full. The doorbell is rung separately (ring), so a batch costs
   * one MMIO write.
   */
  submit(sqe: Sqe, cid = -1): number {
    if (this.freeTop === 0) return -1;
    const tag = this.freeTags[--this.freeTop];
    const c = cid < 0 ? tag : cid & 0xffff;
    if (cid >= 0) {
      if (this.explicitTag(c) >= 0) { this.freeTags[this.freeTop++] = tag; throw new Error(`CID ${c} is already in flight on queue ${this.qid}`); }
      if (c < this.tagOfCidNear.length) this.tagOfCidNear[c] = tag + 1;
      else this.tagOfCidFar.set(c, tag);
      this.explicitCids++;
    }
    this.cidOfTag[tag] = c;
    this.busy[tag] = 1;
    setCid(sqe, c);
    // Sixteen stores beat TypedArray.set's generic path for a 64-byte entry.
    const r = this.ram32;
    const at = (this.sq.bus + this.sqTail * SQE_SIZE) >> 2;
    r[at] = sqe[0]; r[at + 1] = sqe[1]; r[at + 2] = sqe[2]; r[at + 3] = sqe[3];
    r[at + 4] = sqe[4]; r[at + 5] = sqe[5]; r[at + 6] = sqe[6]; r[at + 7] = sqe[7];
    r[at + 8] = sqe[8]; r[at + 9] = sqe[9]; r[at + 10] = sqe[10]; r[at + 11] = sqe[11];
    r[at + 12] = sqe[12]; r[at + 13] = sqe[13]; r[at + 14] = sqe[14]; r[at + 15] = sqe[15];
    this.sqTail = this.sqTail + 1 === this.depth ? 0 : this.sqTail + 1;
    this.inflight++;
    return tag;
  }

  /** Ring the SQ tail doorbell: the controller may fetch what was submitted. */
  ring(port: ControllerPort): void {
    port.write32(this.sqDoorbell, this.sqTail);
  }

  /** Tell the controller how far the CQ has been consumed (CQ head doorbell), if it moved. */
  ackCompletions(port: ControllerPort): void {
    if (this.unacked === 0) return;
    this.unacked = 0;
    port.write32(this.cqDoorbell, this.cqHead);
  }

  /**
   * Reap every posted CQE, recording it under its tag. The CQ head doorbell is written once
   * a quarter of the CQ has been consumed, or when the host waits (ackCompletions): the
   * controller then sees at most depth / 4 fewer free slots, never a full CQ that the host
   * has emptied, and one MMIO write per command suffices at queue depth 1.
   */
  reap(port: ControllerPort): number {
    let n = 0;
    const base = this.cq.bus >> 2;
    for (;;) {
      const e = base + this.cqHead * (CQE_SIZE >> 2);
      const dw3 = Atomics.load(this.ram32, e + 3);
      if (((dw3 >>> 16) & 1) !== this.phase) break;
      const cid = dw3 & 0xffff;
      const tag = this.tagOf(cid);
      this.cqHead++;
      if (this.cqHead === this.depth) { this.cqHead = 0; this.phase ^= 1; }
      n++;
      if (tag < 0) continue; // not ours (a host bug elsewhere); consumed and ignored
      this.cqeDw0[tag] = this.ram32[e];
      this.cqeDw1[tag] = this.ram32[e + 1];
      this.cqeDw2[tag] = this.ram32[e + 2];
      this.cqeDw3[tag] = dw3;
      this.sqHead = this.ram32[e + 2] & 0xffff;
      this.doneSeq[tag]++;
      this.release(tag, cid);
    }
    if (n > 0) {
      this.completed += n;
      this.unacked += n;
      if (this.unacked >= this.ackEvery) this.ackCompletions(port);
    }
    return n;
  }

  /** The tag of a command in flight under a CID of the caller's, or -1. */
  private explicitTag(cid: number): number {
    if (this.explicitCids === 0) return -1;
    if (cid < this.tagOfCidNear.length) return this.tagOfCidNear[cid] - 1;
    return this.tagOfCidFar.get(cid) ?? -1;
  }

  private tagOf(cid: number): number {
    const t = this.explicitTag(cid);
    if (t >= 0) return t;
    return cid < this.busy.length && this.busy[cid] === 1 && this.cidOfTag[cid] === cid ? cid : -1;
  }

  private release(tag: number, cid: number): void {
    if (this.explicitTag(cid) === tag) {
      if (cid < this.tagOfCidNear.length) this.tagOfCidNear[cid] = 0;
      else this.tagOfCidFar.delete(cid);
      this.explicitCids--;
    }
    this.busy[tag] = 0;
    this.freeTags[this.freeTop++] = tag;
    this.inflight--;
  }

  completion(tag: number): Completion {
    const dw3 = this.cqeDw3[tag];
    return {
      status: dw3 >>> 17,
      dw0: this.cqeDw0[tag],
      dw1: this.cqeDw1[tag],
      sqhd: this.cqeDw2[tag] & 0xffff,
      sqid: this.cqeDw2[tag] >>> 16,
      cid: dw3 & 0xffff,
      phase: (dw3 >>> 16) & 1,
    };
  }
}
