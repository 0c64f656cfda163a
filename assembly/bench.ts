// Baselines for `npm run bench`, measured with the same engine in the same run as the
// controller: wasm memory.copy (beside Copy throughput), a bare shared-memory spin ping-pong
// (beside the threaded controller's round trip) and an echo with a command's memory traffic
// but no logic (between the two). Not used by the controller.

import {
  MBOX_ENTRIES_OFFSET, MBOX_ENTRIES, MBOX_ENTRY_SIZE, MBOX_E_SEQ, MBOX_E_TARGET, MBOX_E_VALUE_LO,
  MBOX_TARGET_OFFSET_MASK, ECHO_NO_SQE,
} from "./layout";
import { REG_DOORBELL_BASE } from "./spec/regs";

/** Copy n bytes from src to dst reps times. */
export function bench_memcpy(dst: u32, src: u32, n: u32, reps: u32): void {
  for (let i: u32 = 0; i < reps; i++) memory.copy(<usize>dst, <usize>src, <usize>n);
}

/**
 * The echo side of a ping-pong on the i32 at word: each time the host makes it odd, make it
 * even (+1). Returns the rounds answered; gives up after spin_limit idle spins per round.
 */
export function bench_echo(word: u32, rounds: u32, spin_limit: u32): u32 {
  for (let r: u32 = 0; r < rounds; r++) {
    let spins: u32 = 0;
    let v = atomic.load<i32>(<usize>word);
    while ((v & 1) == 0) {
      if (++spins > spin_limit) return r;
      v = atomic.load<i32>(<usize>word);
    }
    atomic.store<i32>(<usize>word, v + 1);
  }
  return rounds;
}

// The echo's own words at the start of its mailbox-shaped area; word 0 doubles as its
// MBOX_CONSUMER (entries applied), as in the controller's mailbox.
const ECHO_SEEN: usize = 0;
const ECHO_SQ_HEAD: usize = 4;
const ECHO_CQ_TAIL: usize = 8;
const ECHO_PHASE: usize = 12;
const ECHO_TOUCHED: usize = 16; // keeps the touching loads live
const ECHO_SQE: usize = 64; // the fetched SQE

/**
 * The floor of a command round trip: the controller's shared-memory traffic with none of its
 * logic. Applies the doorbells posted in a mailbox-shaped area at mbox (same entry layout as the
 * controller's): for an SQ tail it copies each new SQE from sq and posts a CQE to cq with the
 * SQE's CID and the phase tag; a CQ head is consumed. While it spins it touches the next SQE's
 * line, as the controller does. State persists in the area across calls (the caller zeroes it
 * and sets the phase word to 1 first). Returns the commands answered; gives up after
 * spin_limit idle spins. flags: ECHO_NO_SQE or 0.
 */
export function bench_nvme_echo(mbox: u32, sq: u32, cq: u32, depth: u32, rounds: u32, spin_limit: u32, flags: u32): u32 {
  const with_sqe = (flags & ECHO_NO_SQE) == 0;
  const m = <usize>mbox;
  let seen = load<u32>(m + ECHO_SEEN);
  let head = load<u32>(m + ECHO_SQ_HEAD);
  let tail = load<u32>(m + ECHO_CQ_TAIL);
  let phase = load<u32>(m + ECHO_PHASE);
  let touched: u32 = 0;
  let answered: u32 = 0;
  while (answered < rounds) {
    const e = m + MBOX_ENTRIES_OFFSET + <usize>((seen & (MBOX_ENTRIES - 1)) * MBOX_ENTRY_SIZE);
    let spins: u32 = 0;
    let gave_up = false;
    while (atomic.load<u32>(e + MBOX_E_SEQ) != seen + 1) {
      if (with_sqe) touched += load<u32>(<usize>sq + (<usize>head << 6));
      if (++spins > spin_limit) { gave_up = true; break; }
    }
    if (gave_up) break;
    const offset = load<u32>(e + MBOX_E_TARGET) & MBOX_TARGET_OFFSET_MASK;
    const sq_tail = load<u32>(e + MBOX_E_VALUE_LO);
    seen++;
    if (((offset - REG_DOORBELL_BASE) & 4) == 0 && sq_tail < depth) {
      while (head != sq_tail) {
        let cid = head;
        if (with_sqe) {
          const s = <usize>sq + (<usize>head << 6);
          cid = load<u32>(s) >>> 16;
          for (let i: usize = 0; i < 64; i += 8) store<u64>(m + ECHO_SQE + i, load<u64>(s + i));
        }
        head = head + 1 == depth ? 0 : head + 1;
        const c = <usize>cq + (<usize>tail << 4);
        store<u32>(c, 0);
        store<u32>(c + 4, 0);
        store<u32>(c + 8, head | (1 << 16));
        atomic.store<u32>(c + 12, cid | (phase << 16));
        tail++;
        if (tail == depth) { tail = 0; phase ^= 1; }
        answered++;
      }
    }
    atomic.store<u32>(m + ECHO_SEEN, seen);
  }
  store<u32>(m + ECHO_SQ_HEAD, head);
  store<u32>(m + ECHO_CQ_TAIL, tail);
  store<u32>(m + ECHO_PHASE, phase);
  store<u32>(m + ECHO_TOUCHED, touched);
  return answered;
}
