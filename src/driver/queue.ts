// One queue pair of the host driver: the SQ ring the host fills and the CQ ring it reaps by
// phase tag (Base §4.1, §4.2.4), at most depth - 1 commands in flight, and per-tag completion
// records, all preallocated: submitting and reaping allocate nothing. A command's CID is the
// caller's (nvme-blk gives nvme_cid's, a 4-bit generation over the request's blk-mq tag) or one
// the queue picks; its tag, the index of its record, is the CID's low 12 bits
// (nvme_tag_from_cid, as Linux's CID carries the blk-mq tag that finds the request), so a CQE
// finds its command with one array read, unless another command in flight had those bits first.
// A caller may reap entry by entry and read each CQE in place (reapNext, as nvme_handle_cqe).

import { SQE_SIZE } from "../../assembly/spec/sqe";
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

/** A CID's low 12 bits: the tag part of nvme_cid's scheme (nvme_tag_from_cid); the array of commands in flight is indexed by them. */
export const CID_TAG_MASK = 0xfff;

/**
 * Tags 0..CID_TAG_MASK are CIDs' low 12 bits; the OTHER_TAGS tags above them hold a command
 * whose low bits another command in flight already has (never with nvme_cid's CIDs).
 */
const OTHER_TAGS = CID_TAG_MASK + 1;

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
  /** Commands the queue holds at most: depth - 1 (a full SQ keeps one slot empty, Base §4.1.3). */
  private readonly tags: number;
  /**
   * The queue's own pick of a tag for a command given no CID: a stack of 0..depth - 2, the
   * last released on top (only such commands take from it and give back to it).
   */
  private readonly freeTags: Int32Array;
  private freeTop: number;
  /** Tags above OTHER_TAGS not in use, as a stack, and the commands on them by CID. */
  private readonly freeOther: Int32Array;
  private freeOtherTop: number;
  private readonly tagOfCidOther = new Map<number, number>();
  /**
   * Commands in flight on an other tag or picked by the queue (their tag goes back to freeTags):
   * while there are none, a reap finds every command at its CID's low bits and frees it with
   * one store.
   */
  private rare = 0;
  /** Each tag's command was picked by the queue (its CID's low bits go back to freeTags). */
  private readonly picked: Uint8Array;
  /** How many tags there are (every tag a command can have is below it): size a per-tag array with it. */
  readonly tagSpace: number;
  /** The CID in flight under each tag, -1 when the tag is free. */
  readonly cidOfTag: Int32Array;
  readonly doneSeq: Uint32Array;
  /**
   * Each tag's last CQE, its four dwords together (dword k of tag t at (t << 2) + k: a CQE is
   * 16 bytes, Base §4.2.1): a reap stores them through one array, and a caller reads the two
   * it needs the same way. Shifts by a literal: a module constant is a load and a check each.
   */
  readonly cqe: Uint32Array;
  /** Host RAM's dword index of the CQE reapNext consumed last. */
  private cqeAt = 0;
  /** CQEs consumed by reapNext since the last reapEnd. */
  private reapedRun = 0;
  private readonly sqDoorbell: number;
  private readonly cqDoorbell: number;
  /** Each SQ slot as a 16-dword view of host RAM, made once (tailSlot). */
  private readonly sqSlots: Sqe[];

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
    this.tags = tags;
    this.freeTags = new Int32Array(tags);
    for (let i = 0; i < tags; i++) this.freeTags[i] = tags - 1 - i;
    this.freeTop = tags;
    this.freeOther = new Int32Array(tags);
    for (let i = 0; i < tags; i++) this.freeOther[i] = OTHER_TAGS + tags - 1 - i;
    this.freeOtherTop = tags;
    this.ackEvery = Math.max(1, depth >> 2);
    const all = OTHER_TAGS + tags;
    this.tagSpace = all;
    this.picked = new Uint8Array(all);
    this.cidOfTag = new Int32Array(all).fill(-1);
    this.doneSeq = new Uint32Array(all);
    this.cqe = new Uint32Array(all << 2);
    const stride = 4 << dstrd;
    this.sqDoorbell = REG_DOORBELL_BASE + 2 * qid * stride;
    this.cqDoorbell = REG_DOORBELL_BASE + (2 * qid + 1) * stride;
    this.sqSlots = [];
    for (let i = 0; i < depth; i++) this.sqSlots.push(new Uint32Array(ram32.buffer, ram32.byteOffset + sq.bus + i * SQE_SIZE, SQE_SIZE / 4));
  }

  /** Commands that can still be submitted. */
  room(): number { return this.tags - this.inflight; }

  /**
   * Copy sqe into the next SQ slot with a CID (cid when given, else one the queue picks: a
   * free tag of its own, with bits 15:12 set when that CID is in flight) and return the tag;
   * -1 when the queue is full. A given CID already in flight is refused. An sqe built in
   * tailSlot() is in place already: only its CID is set. The doorbell is rung separately
   * (ring), so a batch costs one MMIO write.
   */
  submit(sqe: Sqe, cid = -1): number {
    if (this.inflight === this.tags) return -1;
    let tag: number;
    let c: number;
    if (cid >= 0) {
      c = cid & 0xffff;
      tag = c & CID_TAG_MASK;
      if (this.cidOfTag[tag] >= 0) tag = this.claimOther(c);
      else this.cidOfTag[tag] = c;
    } else {
      tag = this.claimPicked();
      c = this.cidOfTag[tag];
    }
    setCid(sqe, c);
    if (sqe !== this.sqSlots[this.sqTail]) {
      // Sixteen stores beat TypedArray.set's generic path for a 64-byte entry.
      const r = this.ram32;
      const at = (this.sq.bus + this.sqTail * SQE_SIZE) >> 2;
      r[at] = sqe[0]; r[at + 1] = sqe[1]; r[at + 2] = sqe[2]; r[at + 3] = sqe[3];
      r[at + 4] = sqe[4]; r[at + 5] = sqe[5]; r[at + 6] = sqe[6]; r[at + 7] = sqe[7];
      r[at + 8] = sqe[8]; r[at + 9] = sqe[9]; r[at + 10] = sqe[10]; r[at + 11] = sqe[11];
      r[at + 12] = sqe[12]; r[at + 13] = sqe[13]; r[at + 14] = sqe[14]; r[at + 15] = sqe[15];
    }
    this.sqTail = this.sqTail + 1 === this.depth ? 0 : this.sqTail + 1;
    this.inflight++;
    return tag;
  }

  /**
   * The SQ slot the next command goes to, to build it in place before submit (no copy, where
   * nvme_sq_copy_cmd copies the caller's nvme_command). The host owns the tail slot: the
   * controller reads only up to the tail doorbell, and room means a free slot.
   */
  tailSlot(): Sqe {
    return this.sqSlots[this.sqTail];
  }

  /** An other tag for cid, whose low bits a command in flight holds; a CID in flight is refused. */
  private claimOther(cid: number): number {
    if (this.tagOf(cid) >= 0) throw new Error(`CID ${cid} is already in flight on queue ${this.qid}`);
    const tag = this.freeOther[--this.freeOtherTop];
    this.tagOfCidOther.set(cid, tag);
    this.cidOfTag[tag] = cid;
    this.rare++;
    return tag;
  }

  /**
   * A command given no CID: the queue's next free tag of its own, and as CID that tag, unless a
   * command in flight has it (then a generation above it); the command's tag is the CID's low
   * bits, or an other tag when they are taken.
   */
  private claimPicked(): number {
    const own = this.freeTags[--this.freeTop];
    const c = this.freeCid(own);
    let tag = own;
    if (this.cidOfTag[tag] >= 0) tag = this.claimOther(c);
    else this.cidOfTag[tag] = c;
    this.picked[tag] = 1;
    this.rare++;
    return tag;
  }

  /** A CID for a command the caller gave none: the tag, unless a command in flight has it (then a generation above it). */
  private freeCid(tag: number): number {
    for (let g = 0; g < 16; g++) {
      const c = ((g << 12) | tag) & 0xffff;
      if (this.tagOf(c) < 0) return c;
    }
    throw new Error(`queue ${this.qid}: no free CID for tag ${tag}`);
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
   * has emptied, and one MMIO write per command suffices at queue depth 1. Returns how many
   * CQEs it consumed (a CQE of no command in flight too).
   */
  reap(port: ControllerPort): number {
    const threaded = port.threaded;
    for (let tag = this.reapNext(threaded); tag >= 0; tag = this.reapNext(threaded)) this.keep(tag);
    return this.reapEnd(port);
  }

  /**
   * nvme_process_cq one entry at a time for a caller that handles each CQE in place, as
   * nvme_handle_cqe reads it in the CQ (nvme-blk): consumes the next posted CQE and returns its
   * command's tag (its command is no longer in flight), or -1 when no CQE is posted; a CQE of no
   * command in flight is consumed and skipped. The entry's words are at cqeAt in host RAM
   * (cqeDw0, cqeDw3) until the controller runs again. The entry is not copied into cqe nor
   * counted in doneSeq: for a tag the caller does not own it calls keep(tag) (a command of
   * nvme.ts's waits there). A run of reapNext calls ends with reapEnd.
   */
  reapNext(threaded: boolean): number {
    const ram32 = this.ram32;
    for (;;) {
      const e = (this.cq.bus >> 2) + (this.cqHead << 2);
      // the phase must be read before the rest of the entry when the controller runs in
      // another thread (an acquire); a stepped controller wrote it inside an earlier call of
      // this thread, so a plain load is the same read without the Atomics builtin's call
      const dw3 = threaded ? Atomics.load(ram32, e + 3) : ram32[e + 3];
      if (((dw3 >>> 16) & 1) !== this.phase) return -1;
      const cid = dw3 & 0xffff;
      const low = cid & CID_TAG_MASK;
      const tag = this.cidOfTag[low] === cid ? low : this.tagOfOther(cid);
      this.cqHead++;
      if (this.cqHead === this.depth) { this.cqHead = 0; this.phase ^= 1; }
      this.reapedRun++;
      if (tag < 0) continue; // not ours (a host bug elsewhere); consumed and ignored
      this.cqeAt = e;
      this.sqHead = ram32[e + 2] & 0xffff;
      this.release(tag, cid);
      return tag;
    }
  }

  /** Dword 0 and dword 3 of the CQE reapNext consumed last. */
  cqeDw0(): number { return this.ram32[this.cqeAt]; }
  cqeDw3(): number { return this.ram32[this.cqeAt + 3]; }

  /** The CQE reapNext consumed last, recorded under its tag as reap records it (for a waiter on doneSeq). */
  keep(tag: number): void {
    const e = this.cqeAt;
    const at = tag << 2;
    const ram32 = this.ram32;
    this.cqe[at] = ram32[e];
    this.cqe[at + 1] = ram32[e + 1];
    this.cqe[at + 2] = ram32[e + 2];
    this.cqe[at + 3] = ram32[e + 3];
    this.doneSeq[tag]++;
  }

  /**
   * The end of a run of reapNext calls: the counts and the CQ head doorbell (see reap); returns
   * how many CQEs the run consumed.
   */
  reapEnd(port: ControllerPort): number {
    const n = this.reapedRun;
    if (n === 0) return 0;
    this.reapedRun = 0;
    this.completed += n;
    this.unacked += n;
    if (this.unacked >= this.ackEvery) this.ackCompletions(port);
    return n;
  }

  /** The tag of the command in flight under cid, or -1 (nvme_find_rq: the tag from the low bits, then the whole CID must match). */
  private tagOf(cid: number): number {
    const t = cid & CID_TAG_MASK;
    if (this.cidOfTag[t] === cid) return t;
    return this.tagOfOther(cid);
  }

  /** The other tag of the command in flight under cid, or -1. */
  private tagOfOther(cid: number): number {
    if (this.rare === 0) return -1;
    return this.tagOfCidOther.get(cid) ?? -1;
  }

  private release(tag: number, cid: number): void {
    this.cidOfTag[tag] = -1;
    this.inflight--;
    if (this.rare !== 0) this.releaseRare(tag, cid);
  }

  /** An other tag back to its stack, a picked command's own tag to freeTags. */
  private releaseRare(tag: number, cid: number): void {
    if (tag >= OTHER_TAGS) {
      this.tagOfCidOther.delete(cid);
      this.freeOther[this.freeOtherTop++] = tag;
      this.rare--;
    }
    if (this.picked[tag] !== 0) {
      this.picked[tag] = 0;
      this.freeTags[this.freeTop++] = cid & CID_TAG_MASK;
      this.rare--;
    }
  }

  completion(tag: number): Completion {
    const at = tag << 2;
    const dw2 = this.cqe[at + 2];
    const dw3 = this.cqe[at + 3];
    return {
      status: dw3 >>> 17,
      dw0: this.cqe[at],
      dw1: this.cqe[at + 1],
      sqhd: dw2 & 0xffff,
      sqid: dw2 >>> 16,
      cid: dw3 & 0xffff,
      phase: (dw3 >>> 16) & 1,
    };
  }
}
