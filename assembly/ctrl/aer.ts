// Asynchronous Event Requests (Base §5.1.2, §5.2.1): outstanding requests wait for events;
// an event of a type already reported stays masked until the host reads the log page named
// in it with RAE cleared. Events are queued until a request is available.

import { ADMIN_ASYNC_EVENT_REQUEST } from "../spec/opcodes";
import { SC_SUCCESS, SC_ABORT_REQUESTED, SC_ASYNC_EVENT_LIMIT_EXCEEDED } from "../spec/status";
import { EVK_ASYNC_EVENT, EVC_NORMAL, EVK_COMPLETE } from "../layout";
import { state } from "./globals";
import { postCqe, cqReserve, cqUnreserve } from "./queues";
import { traceOn, emit } from "./events";

/** Events the controller holds while no request is outstanding. */
export const AE_QUEUE_MAX: u32 = 16;
/** Outstanding Asynchronous Event Requests the controller can hold (AERL is at most this - 1). */
export const AER_MAX: u32 = 16;
export const NO_COMPLETE: u32 = 0xffffffff;

/** Hold an AER (cid) until an event arrives; returns NO_COMPLETE or a limit status. */
export function aerSubmit(cid: u32): u32 {
  const st = state();
  if (st.aer_count > st.aerl) return SC_ASYNC_EVENT_LIMIT_EXCEEDED;
  store<u32>(<usize>st.aer_table + <usize>st.aer_count * 4, cid);
  st.aer_count++;
  cqReserve(0);
  aerProcess();
  return NO_COMPLETE;
}

/** Record an event (type | info << 8 | log page << 16) and report it if a request waits. */
export function enqueueEvent(type: u32, info: u32, lid: u32): void {
  const st = state();
  const dw0 = (type & 7) | ((info & 0xff) << 8) | ((lid & 0xff) << 16);
  for (let i: u32 = 0; i < st.ae_count; i++) {
    if (load<u32>(<usize>st.ae_table + <usize>i * 4) == dw0) return; // already pending
  }
  if (st.ae_count >= AE_QUEUE_MAX) return;
  store<u32>(<usize>st.ae_table + <usize>st.ae_count * 4, dw0);
  st.ae_count++;
  aerProcess();
}

/** Complete requests with events whose type is not masked, oldest first. */
export function aerProcess(): void {
  const st = state();
  let i: u32 = 0;
  while (st.aer_count > 0 && i < st.ae_count) {
    const dw0 = load<u32>(<usize>st.ae_table + <usize>i * 4);
    const typeBit = <u32>1 << (dw0 & 7);
    if ((st.ae_masked & typeBit) != 0) { i++; continue; }
    removeAt(<usize>st.ae_table, i, st.ae_count);
    st.ae_count--;
    st.ae_masked |= typeBit;
    const cid = load<u32>(<usize>st.aer_table);
    removeAt(<usize>st.aer_table, 0, st.aer_count);
    st.aer_count--;
    cqUnreserve(0);
    if (traceOn(EVC_NORMAL)) emit(EVK_ASYNC_EVENT, EVC_NORMAL, 0, cid, ADMIN_ASYNC_EVENT_REQUEST, 0, 0, dw0, 0, 0);
    postCqe(0, 0, cid, SC_SUCCESS, dw0, 0, ADMIN_ASYNC_EVENT_REQUEST, 0, EVC_NORMAL);
  }
}

/** Get Log Page with RAE = 0 read the log page of this event type: report more of it. */
export function clearEvents(type: u32): void {
  const st = state();
  st.ae_masked &= ~(<u32>1 << type);
  aerProcess();
}

/** Abort the outstanding AER with this CID; true when there was one. */
export function aerAbort(cid: u32): bool {
  const st = state();
  for (let i: u32 = 0; i < st.aer_count; i++) {
    if (load<u32>(<usize>st.aer_table + <usize>i * 4) != cid) continue;
    removeAt(<usize>st.aer_table, i, st.aer_count);
    st.aer_count--;
    cqUnreserve(0);
    postCqe(0, 0, cid, SC_ABORT_REQUESTED, 0, 0, ADMIN_ASYNC_EVENT_REQUEST, 0, EVC_NORMAL);
    return true;
  }
  return false;
}

export function aerReset(): void {
  const st = state();
  st.aer_count = 0;
  st.ae_count = 0;
  st.ae_masked = 0;
}

function removeAt(table: usize, i: u32, count: u32): void {
  for (let j = i; j + 1 < count; j++) store<u32>(table + <usize>j * 4, load<u32>(table + <usize>(j + 1) * 4));
}
