// The controller's exported ABI: what the host side (src/controller/) calls. Everything
// here is a thin entry into ctrl/; 64-bit quantities cross the boundary as f64 (exact
// below 2^53, which bounds every LBA and chunk index here).

import {
  CONTROL_BASE, CTL_STOP, CTL_PARKED, CTL_THREAD_STATE, CTL_SPIN_TOUCHED, THREAD_RUNNING, THREAD_EXITED,
  MAX_NAMESPACES, MBOX_E_SEQ, MBOX_TARGET_OFFSET_MASK,
} from "./layout";
import { state, g_sq_hint, setHostSameThread } from "./ctrl/globals";
import { PHASE_READY, NsState } from "./ctrl/state";
import { ctrlInit, ctrlAttach, stateAddress } from "./ctrl/init";
import { drainMailbox, mailboxPending, mailboxEntry, publishMailboxConsumer, mmioWrite } from "./ctrl/regs";
import { processQueues } from "./ctrl/queues";
import { irqTimers } from "./ctrl/irq";
import { powerOn, persistent } from "./ctrl/smart";
import { nsAt } from "./ctrl/ns";
import { chunkAt, nextStoredChunk, reserveWrite, materialize, markWritten, dataAt, metaAt, ZERO_CHUNK, deallocate } from "./ctrl/media";
import { PERSIST_SIZE } from "./layout";

@external("env", "now_ns") declare function host_now_ns(): f64;

/** Commands one step may execute before it yields (bounds every call). */
const STEP_BUDGET: u32 = 1 << 20;
/** Commands per step in the threaded loop: small, so the mailbox is looked at often. */
const THREAD_BUDGET: u32 = 256;
/** Busy steps between reads of the host clock in the threaded loop (a power of two). */
const CLOCK_EVERY: u32 = 64;
/** Busy steps before ctrl_thread_run returns to its caller (which calls it again at once). */
const RUN_STEPS: u32 = 1 << 16;

export function ctrl_init(): u32 { return ctrlInit(); }
export function ctrl_attach(): void { ctrlAttach(); }
export function ctrl_state_addr(): u32 { return <u32>stateAddress(); }

/** Power-on accounting after the host restored (or not) the persistent block. */
export function ctrl_power_on(): void { powerOn(); }
export function ctrl_persist_addr(): u32 { return state().persist; }
export function ctrl_persist_size(): u32 { return PERSIST_SIZE; }

/** Advance the clock to now_ns and do all pending work; returns MMIO writes applied plus commands executed. */
export function ctrl_step(now_ns: f64): u32 {
  setHostSameThread(true);
  return stepWith(now_ns, STEP_BUDGET, 0, 0, 0, 0, 0);
}

/**
 * ctrl_step for a host in this thread that hands over its last count (0-2) 32-bit MMIO writes
 * (BAR0 offset, value) as arguments instead of through the mailbox: a stepped host's SQ tail
 * and CQ head doorbells, which cost it a mailbox post each. They were written before anything
 * still in the mailbox (StepPort posts there only once it holds none of its own), so they are
 * applied first, in order, where the mailbox's oldest entries would have been: after the clock
 * moved, before the commands run, with the same checks and trace events.
 */
export function ctrl_step_writes(now_ns: f64, count: u32, off0: u32, val0: u32, off1: u32, val1: u32): u32 {
  setHostSameThread(true);
  return stepWith(now_ns, STEP_BUDGET, count, off0, val0, off1, val1);
}

@inline function stepWith(now_ns: f64, budget: u32, count: u32, off0: u32, val0: u32, off1: u32, val1: u32): u32 {
  const st = state();
  if (now_ns > st.now_ns) {
    persistent().power_on_ns += now_ns - st.now_ns;
    st.now_ns = now_ns;
  }
  // The offset as the mailbox would carry it (its target field).
  if (count != 0) {
    mmioWrite(off0 & MBOX_TARGET_OFFSET_MASK, 4, val0, 0);
    if (count != 1) mmioWrite(off1 & MBOX_TARGET_OFFSET_MASK, 4, val1, 0);
  }
  // the drain's call only when the mailbox holds a write (a stepped host's doorbells come as arguments)
  const writes = mailboxPending() ? drainMailbox() : 0;
  let work = writes + min<u32>(count, 2);
  if (st.phase == PHASE_READY) work += processQueues(budget);
  // After the commands ran, so the (locked) store does not delay their completions.
  if (writes != 0) publishMailboxConsumer();
  if (st.vec_pending != 0) irqTimers(st.now_ns);
  return work;
}

/**
 * The controller thread's loop, entered again and again by its host code until it returns 0:
 * spin on the mailbox for up to spin idle iterations, then park in atomic.wait until the host
 * posts a write (it notifies when it sees CTL_PARKED) or an interrupt-coalescing deadline
 * comes. Returns 1 after each wake-up and after RUN_STEPS busy steps, 0 when the host sets
 * CTL_STOP. Returning now and then lets the engine swap in its optimized code: a wasm call
 * that never returns keeps running the baseline code it was entered with.
 */
export function ctrl_thread_run(spin: u32): u32 {
  setHostSameThread(false);
  const st = state();
  if (atomic.load<i32>(CONTROL_BASE + CTL_THREAD_STATE) != THREAD_RUNNING) {
    atomic.store<i32>(CONTROL_BASE + CTL_THREAD_STATE, THREAD_RUNNING);
  }
  let idle: u32 = 0;
  let touched: u32 = 0;
  let now = host_now_ns();
  let work: u32 = 0;
  let result: u32 = 1;
  let looping = true;
  while (looping) {
    if (atomic.load<i32>(CONTROL_BASE + CTL_STOP) != 0) { result = 0; break; }
    if (mailboxPending() || st.vec_pending != 0) {
      // The clock is a call out of wasm: read it every CLOCK_EVERY steps while busy, and
      // whenever coalesced interrupts wait on it.
      if ((work & (CLOCK_EVERY - 1)) == 0 || st.vec_pending != 0) now = host_now_ns();
      if (stepWith(now, THREAD_BUDGET, 0, 0, 0, 0, 0) > 0) {
        idle = 0;
        looping = ++work < RUN_STEPS;
        continue;
      }
    }
    // Keep the line the next SQE will be written to in our cache while spinning: when the
    // host writes it and then posts the doorbell, both lines are re-fetched in parallel
    // instead of one after the other (measured: about 0.15x of a ping-pong per command).
    // The value is not used; the SQE is read again after its doorbell.
    if (g_sq_hint != 0) touched += load<u32>(g_sq_hint);
    if (++idle < spin) continue;
    park(st.vec_pending != 0 ? 100000 : -1);
    looping = false;
  }
  // Stored so that no engine can drop the touching loads as dead.
  store<u32>(CONTROL_BASE + CTL_SPIN_TOUCHED, touched);
  if (result == 0) atomic.store<i32>(CONTROL_BASE + CTL_THREAD_STATE, THREAD_EXITED);
  return result;
}

/**
 * Sleep until the host posts the next mailbox entry (or timeout_ns passes, -1 = none). The
 * host writes the entry, then reads CTL_PARKED; we set CTL_PARKED, then read the entry: with
 * sequentially consistent atomics one of us sees the other, so no post is slept through.
 */
function park(timeout_ns: i64): void {
  const st = state();
  const seq = mailboxEntry(st.mbox_seen) + MBOX_E_SEQ;
  atomic.store<i32>(CONTROL_BASE + CTL_PARKED, 1);
  const v = atomic.load<i32>(seq);
  if (<u32>v != st.mbox_seen + 1 && atomic.load<i32>(CONTROL_BASE + CTL_STOP) == 0) {
    atomic.wait<i32>(seq, v, timeout_ns);
  }
  atomic.store<i32>(CONTROL_BASE + CTL_PARKED, 0);
}

// ---- media access for tools (state files, images, hashes); only while the controller is quiet ----

@inline function slot(i: u32): NsState { return nsAt(i < <u32>MAX_NAMESPACES ? i : 0); }

export function media_chunk_shift(i: u32): u32 { return slot(i).chunk_shift; }
export function media_nuse(i: u32): f64 { return <f64>slot(i).nuse; }
export function media_chunks_in_use(i: u32): f64 { return <f64>slot(i).chunks_in_use; }

/** First chunk index >= from holding memory, or the chunk count when none. */
export function media_next_stored(i: u32, from: f64): f64 {
  const ns = slot(i);
  const nchunks = (ns.nsze + (<u64>1 << ns.chunk_shift) - 1) >> ns.chunk_shift;
  return <f64>nextStoredChunk(ns, <u64>from, nchunks);
}

/** Address of chunk's memory (data of its LBAs, then their metadata); 0 or 1 = none. */
export function media_chunk_ptr(i: u32, chunk: f64): u32 {
  return chunkAt(slot(i), <u64>chunk);
}

/** Deallocate LBAs [slba, slba + nlb) (they read as zeroes): an image import replaces old contents. */
export function media_deallocate(i: u32, slba: f64, nlb: f64): void {
  const ns = slot(i);
  const first = <u64>slba;
  if (first >= ns.nsze) return;
  deallocate(ns, first, min<u64>(<u64>nlb, ns.nsze - first));
}

/**
 * Store nlb blocks read from an image: data at src (nlb << lbads bytes), metadata at md
 * (nlb * ms bytes, ignored when ms = 0). All-zero blocks are left unwritten so imports stay
 * sparse. Returns false when memory runs out (nothing is written then).
 */
export function media_import(i: u32, slba: f64, nlb: u32, src: u32, md: u32): bool {
  const ns = slot(i);
  const first = <u64>slba;
  if (!reserveWrite(ns, first, <u64>nlb)) return false;
  const bs = <usize>1 << ns.lbads;
  for (let k: u32 = 0; k < nlb; k++) {
    const d = <usize>src + <usize>k * bs;
    const m = <usize>md + <usize>(k * ns.ms);
    if (isZero(d, bs) && (ns.ms == 0 || isZero(m, <usize>ns.ms))) continue;
    const lba = first + <u64>k;
    const c = lba >> ns.chunk_shift;
    const idx = <u32>(lba & ((<u64>1 << ns.chunk_shift) - 1));
    const p = materialize(ns, c);
    memory.copy(dataAt(ns, p, idx), d, bs);
    if (ns.ms != 0) memory.copy(metaAt(ns, p, idx), m, <usize>ns.ms);
    markWritten(ns, c, idx, 1);
  }
  return true;
}

function isZero(p: usize, n: usize): bool {
  let i: usize = 0;
  for (; i + 8 <= n; i += 8) if (load<u64>(p + i) != 0) return false;
  for (; i < n; i++) if (load<u8>(p + i) != 0) return false;
  return true;
}

export const ZERO_CHUNK_MARK: u32 = ZERO_CHUNK;

export { bench_memcpy, bench_echo, bench_nvme_echo } from "./bench";
