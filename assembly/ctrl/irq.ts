// Interrupts: one shared word per MSI-X vector that the host can wait on (layout.ts
// VECTORS_BASE), masking through INTMS/INTMC for vectors 0-31, and interrupt coalescing
// (Base §5.27.1.8 Aggregation Threshold/Time, §5.27.1.9 per-vector Coalescing Disable),
// which QEMU does not implement. The Admin Completion Queue is never coalesced, nor are
// completions with an error status (the spec recommends both).

import { VECTOR_SLOT_SIZE, VEC_COUNT, VEC_WAITERS, EVK_INTERRUPT, EVC_NORMAL } from "../layout";
import { IRQC_THR_MASK, IRQC_TIME_SHIFT, IRQC_TIME_UNIT_NS, IVC_CD } from "../spec/admin";
import { g_vectors, g_vec, state, g_host_same_thread } from "./globals";
import { VecState, VEC_STATE_SIZE, CqState } from "./state";
import { traceOn, emit } from "./events";

@inline export function vecAt(iv: u32): VecState {
  return changetype<VecState>(g_vec + <usize>(iv * VEC_STATE_SIZE));
}

/** Signal vector iv: bump its word and wake a host that sleeps on it. */
@inline function signal(iv: u32): void {
  const w = g_vectors + <usize>(iv * VECTOR_SLOT_SIZE);
  if (g_host_same_thread) {
    // the host waits on this count (Atomics.wait) only from another thread
    store<i32>(w + VEC_COUNT, load<i32>(w + VEC_COUNT) + 1);
  } else {
    atomic.add<i32>(w + VEC_COUNT, 1);
    if (atomic.load<i32>(w + VEC_WAITERS) != 0) atomic.notify(w + VEC_COUNT, 0x7fffffff);
  }
  if (traceOn(EVC_NORMAL)) emit(EVK_INTERRUPT, EVC_NORMAL, 0, 0, 0, 0, 0, iv, 0, 0);
}

/** Raise vector iv now, unless INTMS masks it (then it is owed until INTMC). */
@inline export function raise(iv: u32): void {
  if (iv < 32 && (state().intms & (<u32>1 << iv)) != 0) {
    vecAt(iv).masked_pending = 1;
    return;
  }
  signal(iv);
}

/**
 * Coalescing Disable for vector iv (Base §5.27.1.9): set by the host, or always for vector 0,
 * which carries the Admin Completion Queue (never coalesced), whatever other CQs share it.
 */
export function coalescingDisabled(iv: u32): bool {
  return iv == 0 || (vecAt(iv).ivc & IVC_CD) != 0;
}

/** Called after a CQE is posted to cq (qid cqid): interrupt now, or aggregate. Inlined into postCqe, its one caller. */
@inline export function onCompletion(cq: CqState, cqid: u32, error: bool): void {
  const iv = cq.iv;
  const v = vecAt(iv);
  const st = state();
  const thr = (st.feat_irqc & IRQC_THR_MASK) + 1;
  const time = (st.feat_irqc >> IRQC_TIME_SHIFT) & 0xff;
  // aggregation time first: 0 (no coalescing, the default) decides without the vector's settings
  const coalesce = time != 0 && cqid != 0 && !error && !coalescingDisabled(iv);
  if (!coalesce) {
    if (v.pending != 0) { v.pending = 0; st.vec_pending--; }
    raise(iv);
    return;
  }
  if (v.pending == 0) { v.first_pending_ns = st.now_ns; st.vec_pending++; }
  v.pending++;
  if (v.pending >= thr) {
    v.pending = 0;
    st.vec_pending--;
    raise(iv);
  }
}

/** Fire vectors whose aggregation time ran out; returns the next deadline (ns) or -1. */
export function irqTimers(now: f64): f64 {
  const st = state();
  if (st.vec_pending == 0) return -1;
  const limit = <f64>(((st.feat_irqc >> IRQC_TIME_SHIFT) & 0xff) * IRQC_TIME_UNIT_NS);
  let next: f64 = -1;
  for (let iv: u32 = 0; iv < st.max_vectors && st.vec_pending > 0; iv++) {
    const v = vecAt(iv);
    if (v.pending == 0) continue;
    const due = v.first_pending_ns + limit;
    if (due <= now) {
      v.pending = 0;
      st.vec_pending--;
      raise(iv);
    } else if (next < 0 || due < next) {
      next = due;
    }
  }
  return next;
}

/** INTMC cleared mask bits: deliver interrupts owed to those vectors. */
export function unmasked(bits: u32): void {
  for (let iv: u32 = 0; iv < 32; iv++) {
    if ((bits & (<u32>1 << iv)) == 0) continue;
    const v = vecAt(iv);
    if (v.masked_pending != 0) { v.masked_pending = 0; signal(iv); }
  }
}

/** Controller reset: forget aggregation and masks. */
export function irqReset(): void {
  const st = state();
  memory.fill(g_vec, 0, <usize>(st.max_vectors * VEC_STATE_SIZE));
  st.vec_pending = 0;
}
