// Submission and Completion Queues: creation and deletion, doorbells, fetching SQEs by
// round-robin arbitration with Arbitration Burst (Base §3.4.4), and posting CQEs with the
// phase tag (Base §4.2.4). A command is fetched only when its CQ has a free slot beyond
// those promised to outstanding commands, so a CQ never overflows: a host that stops
// consuming completions stalls its own queues, as with real hardware.

import {
  SQE_SIZE_LOG2, CQE_SIZE_LOG2, CQE_DW0, CQE_DW1, CQE_SQHD, CQE_DW3, CQE_PHASE_BIT, CQE_SF_SHIFT, SQE_SIZE,
} from "../spec/sqe";
import { ARB_AB_MASK, ARB_AB_NO_LIMIT, AER_TYPE_ERROR, AER_ERR_INVALID_DB_REG, AER_ERR_INVALID_DB_VALUE, LID_ERROR_INFO } from "../spec/admin";
import {
  EVK_DOORBELL_SQ, EVK_DOORBELL_CQ, EVK_UB, EVC_NORMAL, EVC_HOST_UB, EVK_FATAL, EVC_ERROR,
  UB_DB_ABSENT_SQ, UB_DB_ABSENT_CQ, UB_DB_SQ_TAIL_RANGE, UB_DB_CQ_HEAD_RANGE, UB_DB_SQ_OVERFLOW,
  UB_DB_CQ_HEAD_PAST_TAIL, FATAL_SQ_FETCH_DMA, FATAL_CQ_POST_DMA, EVK_CREATE_SQ, EVK_CREATE_CQ,
  EVK_DELETE_SQ, EVK_DELETE_CQ, UB_DB_WHILE_DISABLED, EVK_COMPLETE,
} from "../layout";
import { g_sq, g_cq, g_sqe, state, setSqHint, publish32 } from "./globals";
import {
  SqState, CqState, SQ_STATE_SIZE, CQ_STATE_SIZE, SQF_EXISTS, SQF_PC, CQF_EXISTS, CQF_PC, CQF_IEN,
  PHASE_READY,
} from "./state";
import { busToWasm } from "./dma";
import { onCompletion } from "./irq";
import { traceOn, emit } from "./events";
import { enqueueEvent } from "./aer";
import { execute } from "./exec";
import { readFast } from "./fast";
import { enterFatal } from "./regs";

@inline export function sqAt(qid: u32): SqState {
  return changetype<SqState>(g_sq + <usize>(qid * SQ_STATE_SIZE));
}
@inline export function cqAt(qid: u32): CqState {
  return changetype<CqState>(g_cq + <usize>(qid * CQ_STATE_SIZE));
}
@inline export function sqExists(qid: u32): bool {
  return qid <= state().max_qid && (sqAt(qid).flags & SQF_EXISTS) != 0;
}
@inline export function cqExists(qid: u32): bool {
  return qid <= state().max_qid && (cqAt(qid).flags & CQF_EXISTS) != 0;
}

/** Free CQ slots: a CQ of size n holds at most n - 1 entries (full when tail + 1 == head). */
@inline function cqFree(cq: CqState): u32 {
  const used = cq.tail >= cq.head ? cq.tail - cq.head : cq.tail + cq.size - cq.head;
  return cq.size - 1 - used;
}

/** Entries between head and tail of an SQ. */
@inline function sqPending(sq: SqState): u32 {
  return sq.tail >= sq.head ? sq.tail - sq.head : sq.tail + sq.size - sq.head;
}

export function createCq(qid: u32, base: u64, size: u32, iv: u32, ien: bool): void {
  const cq = cqAt(qid);
  cq.flags = CQF_EXISTS | CQF_PC | (ien ? CQF_IEN : 0);
  cq.size = size;
  cq.base = base;
  cq.head = 0;
  cq.tail = 0;
  cq.phase = 1;
  cq.iv = iv;
  cq.sq_refs = 0;
  cq.reserved = 0;
  // checked once here: host RAM does not move, so a ring inside it needs no check per entry
  cq.ring = <u32>busToWasm(base, <u64>size << CQE_SIZE_LOG2);
  if (traceOn(EVC_NORMAL)) emit(EVK_CREATE_CQ, EVC_NORMAL, qid, 0, 0, 0, 0, size, base, <u64>iv | (ien ? <u64>1 << 32 : 0));
}

export function createSq(qid: u32, base: u64, size: u32, cqid: u32, qprio: u32): void {
  const sq = sqAt(qid);
  sq.flags = SQF_EXISTS | SQF_PC;
  sq.size = size;
  sq.base = base;
  sq.head = 0;
  sq.tail = 0;
  sq.cqid = cqid;
  sq.qprio = qprio;
  sq.ring = <u32>busToWasm(base, <u64>size << SQE_SIZE_LOG2);
  cqAt(cqid).sq_refs++;
  if (traceOn(EVC_NORMAL)) emit(EVK_CREATE_SQ, EVC_NORMAL, qid, 0, 0, 0, 0, size, base, <u64>cqid);
}

export function deleteSq(qid: u32): void {
  const sq = sqAt(qid);
  cqAt(sq.cqid).sq_refs--;
  sq.flags = 0;
  setReady(qid, false);
  setSqHint(0);
  if (traceOn(EVC_NORMAL)) emit(EVK_DELETE_SQ, EVC_NORMAL, qid, 0, 0, 0, 0, 0, 0, 0);
}

export function deleteCq(qid: u32): void {
  cqAt(qid).flags = 0;
  if (traceOn(EVC_NORMAL)) emit(EVK_DELETE_CQ, EVC_NORMAL, qid, 0, 0, 0, 0, 0, 0, 0);
}

/** Mark SQ qid as having entries to fetch, or not (the bitmap round robin walks). */
function setReady(qid: u32, ready: bool): void {
  const st = state();
  const w = <usize>st.sq_ready + (<usize>(qid >> 6) << 3);
  const bit = <u64>1 << <u64>(qid & 63);
  const old = load<u64>(w);
  if (((old & bit) != 0) == ready) return;
  store<u64>(w, old ^ bit);
  if (ready) { st.sq_ready_count++; st.sq_ready_hint = qid; }
  else st.sq_ready_count--;
}

@inline function isReady(qid: u32): bool {
  return (load<u64>(<usize>state().sq_ready + (<usize>(qid >> 6) << 3)) & (<u64>1 << <u64>(qid & 63))) != 0;
}

/** The first SQ at or after from and before until with entries to fetch, or -1. */
function nextReady(from: u32, until: u32): i32 {
  const st = state();
  if (from >= until) return -1;
  let w = from >> 6;
  let bits = load<u64>(<usize>st.sq_ready + (<usize>w << 3)) & (<u64>0xffffffffffffffff << <u64>(from & 63));
  const last = (until - 1) >> 6;
  while (bits == 0) {
    if (++w > last) return -1;
    bits = load<u64>(<usize>st.sq_ready + (<usize>w << 3));
  }
  const qid = (w << 6) + <u32>ctz<u64>(bits);
  return qid < until ? <i32>qid : -1;
}

/** Delete every queue (controller reset). */
export function deleteAllQueues(): void {
  const st = state();
  memory.fill(g_sq, 0, <usize>((st.max_qid + 1) * SQ_STATE_SIZE));
  memory.fill(g_cq, 0, <usize>((st.max_qid + 1) * CQ_STATE_SIZE));
  memory.fill(<usize>st.sq_ready, 0, <usize>(st.sq_ready_words << 3));
  st.sq_ready_count = 0;
  st.rr_next = 0;
  setSqHint(0);
}

/**
 * Post a CQE to cqid. The room was checked when the command was fetched. A CQ that lies
 * outside host RAM cannot be written: the controller cannot report, so it becomes fatal.
 */
@inline export function postCqe(cqid: u32, sqid: u32, cid: u32, status: u32, dw0: u32, dw1: u32, opc: u32, nsid: u32, cls: u32): void {
  const cq = cqAt(cqid);
  // a ring only partly inside host RAM (ring 0) has each entry checked
  const ring = <usize>cq.ring;
  const e = ring != 0 ? ring + (<usize>cq.tail << CQE_SIZE_LOG2) : busToWasm(cq.base + (<u64>cq.tail << CQE_SIZE_LOG2), 16);
  if (e == 0) { enterFatal(FATAL_CQ_POST_DMA); return; }
  store<u32>(e + CQE_DW0, dw0);
  store<u32>(e + CQE_DW1, dw1);
  store<u32>(e + CQE_SQHD, sqAt(sqid).head | (sqid << 16));
  // the phase tag last: the host takes the entry as posted once it sees the new phase
  publish32(e + CQE_DW3, (cid & 0xffff) | (cq.phase << CQE_PHASE_BIT) | (status << CQE_SF_SHIFT));
  cq.tail++;
  if (cq.tail == cq.size) { cq.tail = 0; cq.phase ^= 1; }
  // traced once the CQE is in the queue and before its interrupt, in QEMU's order
  // (pci_nvme_enqueue_req_completion, then pci_nvme_irq_msix)
  if (traceOn(cls)) emit(EVK_COMPLETE, cls, sqid, cid, opc, status, nsid, cqid, <u64>dw0, <u64>dw1);
  if ((cq.flags & CQF_IEN) != 0) onCompletion(cq, cqid, (status & 0x7ff) != 0);
}

/** Reserve a CQ slot for a command that completes later (AER). */
export function cqReserve(cqid: u32): void { cqAt(cqid).reserved++; }
export function cqUnreserve(cqid: u32): void { cqAt(cqid).reserved--; }

/**
 * Fetch and execute up to budget commands, visiting the SQs that have entries round robin
 * in QID order with the Arbitration Burst (Base §3.4.4.1); returns the number executed. A
 * round goes from rr_next to the highest QID, then from 0 up to rr_next. Another round is made
 * only while some SQ stopped at its burst with entries left: commands cannot add SQ entries,
 * and a full CQ stays full until the host's next doorbell, so any other SQ would yield nothing.
 */
export function processQueues(budget: u32): u32 {
  const st = state();
  if (st.sq_ready_count != 1) return st.sq_ready_count == 0 ? 0 : arbitrate(budget);
  // The only SQ with entries (usually: the host rang one doorbell) has its burst without the
  // rounds' walk. Commands make no SQ ready, so afterwards only it can be: the rounds (from
  // rr_next, just past it, so it comes first again) run only while it still has entries.
  const qid = st.sq_ready_hint;
  if (qid > st.max_qid || !isReady(qid)) return arbitrate(budget);
  st.rr_next = qid + 1;
  const n = fetchBurst(qid, min<u32>(arbitrationBurst(), budget));
  if (st.sq_ready_count == 0 || st.phase != PHASE_READY) return n;
  return n + arbitrate(budget - n);
}

/** Commands one SQ may run per turn (Arbitration Burst; 111b: no limit). */
@inline function arbitrationBurst(): u32 {
  const ab = state().feat_arb & ARB_AB_MASK;
  return ab == ARB_AB_NO_LIMIT ? 0xffffffff : <u32>1 << ab;
}

/** processQueues' rounds over every SQ with entries. */
function arbitrate(budget: u32): u32 {
  const st = state();
  let done: u32 = 0;
  const burst = arbitrationBurst();
  const limit = st.max_qid + 1;
  let more = true;
  while (more && done < budget && st.phase == PHASE_READY) {
    more = false;
    const start = st.rr_next < limit ? st.rr_next : 0;
    let wrapped = false;
    let qid: i32 = -1;
    const hint = st.sq_ready_hint;
    if (st.sq_ready_count == 1 && hint < limit && isReady(hint)) {
      // The only SQ with entries (usually: the host rang one doorbell) is the one the walk
      // below would find; it is behind start when the walk would have wrapped to reach it.
      qid = <i32>hint;
      wrapped = hint < start;
    } else {
      qid = nextReady(start, limit);
      if (qid < 0) { wrapped = true; qid = nextReady(0, start); }
    }
    while (qid >= 0 && done < budget && st.phase == PHASE_READY) {
      const q = <u32>qid;
      st.rr_next = q + 1;
      const want = min<u32>(burst, budget - done);
      const n = fetchBurst(q, want);
      done += n;
      if (n == want && sqPending(sqAt(q)) != 0) more = true;
      // Every SQ is drained (the common case): no need to walk the bitmap for the rest of the round.
      if (st.sq_ready_count == 0) break;
      qid = nextReady(q + 1, wrapped ? start : limit);
      if (qid < 0 && !wrapped) { wrapped = true; qid = nextReady(0, start); }
    }
  }
  return done;
}

/**
 * Copy one SQE into the controller's command buffer (a fetch: the host may reuse the slot once
 * the head moves past it). Eight 64-bit moves: memory.copy is a call out of the engine's code.
 */
@inline function fetchSqe(from: usize): void {
  // in a local: the engine reloads a global after every store to memory
  const to = g_sqe;
  store<u64>(to, load<u64>(from));
  store<u64>(to, load<u64>(from, 8), 8);
  store<u64>(to, load<u64>(from, 16), 16);
  store<u64>(to, load<u64>(from, 24), 24);
  store<u64>(to, load<u64>(from, 32), 32);
  store<u64>(to, load<u64>(from, 40), 40);
  store<u64>(to, load<u64>(from, 48), 48);
  store<u64>(to, load<u64>(from, 56), 56);
}

/**
 * Fetch and run up to max commands from SQ qid (one arbitration burst): as many as the SQ
 * holds and its CQ has free slots for. The SQ's memory was checked when it was created; a queue
 * outside host RAM cannot be fetched from, which is fatal.
 */
@inline function fetchBurst(qid: u32, max: u32): u32 {
  const sq = sqAt(qid);
  if ((sq.flags & SQF_EXISTS) == 0) { setReady(qid, false); return 0; }
  const cq = cqAt(sq.cqid);
  const free = cqFree(cq);
  const room = free > cq.reserved ? free - cq.reserved : 0;
  const n = min<u32>(min<u32>(sqPending(sq), room), max);
  if (n == 0) return 0;
  // the ring's check against host RAM, made when the SQ was created
  const base = <usize>sq.ring;
  if (base == 0) { enterFatal(FATAL_SQ_FETCH_DMA); return 0; }
  const cqid = sq.cqid;
  for (let i: u32 = 0; i < n; i++) {
    const slot = base + (<usize>sq.head << SQE_SIZE_LOG2);
    sq.head++;
    if (sq.head == sq.size) sq.head = 0;
    // An I/O queue's plain Read takes the fast path (fast.ts), which reads the slot in place;
    // anything else is copied out (fetched) and takes the general one.
    if (qid == 0 || !readFast(qid, cqid, slot)) {
      fetchSqe(slot);
      execute(qid, cqid);
    }
    // The command may have deleted this SQ, reset the controller or made it fatal.
    if ((sq.flags & SQF_EXISTS) == 0 || state().phase != PHASE_READY) return i + 1;
  }
  if (sq.head == sq.tail) setReady(qid, false);
  setSqHint(base + (<usize>sq.head << SQE_SIZE_LOG2));
  return n;
}

/** A host write to doorbell index idx (2y = SQ y tail, 2y + 1 = CQ y head). Inlined into the mailbox loop: two per command. */
@inline export function doorbellWrite(idx: u32, value: u32): void {
  const st = state();
  const qid = idx >> 1;
  const isCq = (idx & 1) != 0;
  if (st.phase != PHASE_READY) {
    if (traceOn(EVC_HOST_UB)) emit(EVK_UB, EVC_HOST_UB, qid, 0, 0, 0, 0, UB_DB_WHILE_DISABLED, <u64>value, <u64>idx);
    return;
  }
  if (isCq) cqDoorbell(qid, value);
  else sqDoorbell(qid, value);
}

function badDoorbell(qid: u32, ub: u32, value: u32, info: u32): void {
  if (traceOn(EVC_HOST_UB)) emit(EVK_UB, EVC_HOST_UB, qid, 0, 0, 0, 0, ub, <u64>value, 0);
  enqueueEvent(AER_TYPE_ERROR, info, LID_ERROR_INFO);
}

@inline function sqDoorbell(qid: u32, tail: u32): void {
  if (!sqExists(qid)) { badDoorbell(qid, UB_DB_ABSENT_SQ, tail, AER_ERR_INVALID_DB_REG); return; }
  const sq = sqAt(qid);
  // a queue has at most 65536 entries, so this also refuses a value above 16 bits
  if (tail >= sq.size) { badDoorbell(qid, UB_DB_SQ_TAIL_RANGE, tail, AER_ERR_INVALID_DB_VALUE); return; }
  // The new tail may only move forward from the old one without passing the head.
  const before = sqPending(sq);
  const after = tail >= sq.head ? tail - sq.head : tail + sq.size - sq.head;
  if (after < before) { badDoorbell(qid, UB_DB_SQ_OVERFLOW, tail, AER_ERR_INVALID_DB_VALUE); return; }
  sq.tail = tail;
  if (tail != sq.head) setReady(qid, true);
  if (traceOn(EVC_NORMAL)) emit(EVK_DOORBELL_SQ, EVC_NORMAL, qid, 0, 0, 0, 0, tail, 0, 0);
}

@inline function cqDoorbell(qid: u32, head: u32): void {
  if (!cqExists(qid)) { badDoorbell(qid, UB_DB_ABSENT_CQ, head, AER_ERR_INVALID_DB_REG); return; }
  const cq = cqAt(qid);
  // a queue has at most 65536 entries, so this also refuses a value above 16 bits
  if (head >= cq.size) { badDoorbell(qid, UB_DB_CQ_HEAD_RANGE, head, AER_ERR_INVALID_DB_VALUE); return; }
  // The host may only consume entries the controller has posted.
  const posted = cq.tail >= cq.head ? cq.tail - cq.head : cq.tail + cq.size - cq.head;
  const consumed = head >= cq.head ? head - cq.head : head + cq.size - cq.head;
  if (consumed > posted) { badDoorbell(qid, UB_DB_CQ_HEAD_PAST_TAIL, head, AER_ERR_INVALID_DB_VALUE); return; }
  cq.head = head;
  if (traceOn(EVC_NORMAL)) emit(EVK_DOORBELL_CQ, EVC_NORMAL, qid, 0, 0, 0, 0, head, 0, 0);
}

export function fatalNote(reason: u32): void {
  if (traceOn(EVC_ERROR)) emit(EVK_FATAL, EVC_ERROR, 0, 0, 0, 0, 0, reason, 0, 0);
}
