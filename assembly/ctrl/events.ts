// The controller's event ring: a record per doorbell, fetch, completion, state change,
// error and host misbehaviour, in the three classes QEMU's trace-events uses (normal,
// error, host UB). The host enables classes with CTL_TRACE_MASK; when a class is off the
// cost is one load and a branch.

import {
  EVENT_SIZE, EV_SEQ, EV_KIND, EV_CLASS, EV_SQID, EV_CID, EV_OPC, EV_FLAGS, EV_STATUS, EV_NSID,
  EV_ARG32, EV_ARG64A, EV_ARG64B, EV_TIME_NS, CTL_TRACE_MASK, CTL_EVENT_SEQ,
} from "../layout";
import { g_ctl, g_events, g_events_mask, state } from "./globals";

@inline export function traceOn(cls: u32): bool {
  return (load<u32>(g_ctl + CTL_TRACE_MASK) & cls) != 0;
}

/** Append one event; callers check traceOn first so disabled tracing costs nothing more. */
export function emit(kind: u32, cls: u32, sqid: u32, cid: u32, opc: u32, status: u32,
                     nsid: u32, arg32: u32, a: u64, b: u64): void {
  const seq = load<u32>(g_ctl + CTL_EVENT_SEQ);
  const e = g_events + <usize>((seq & g_events_mask) * EVENT_SIZE);
  store<u32>(e + EV_SEQ, 0); // mark the slot as being rewritten
  store<u8>(e + EV_KIND, <u8>kind);
  store<u8>(e + EV_CLASS, <u8>cls);
  store<u16>(e + EV_SQID, <u16>sqid);
  store<u16>(e + EV_CID, <u16>cid);
  store<u8>(e + EV_OPC, <u8>opc);
  store<u8>(e + EV_FLAGS, 0);
  store<u16>(e + EV_STATUS, <u16>status);
  store<u32>(e + EV_NSID, nsid);
  store<u32>(e + EV_ARG32, arg32);
  store<u64>(e + EV_ARG64A, a);
  store<u64>(e + EV_ARG64B, b);
  store<f64>(e + EV_TIME_NS, state().now_ns);
  atomic.store<u32>(e + EV_SEQ, seq + 1);
  atomic.store<u32>(g_ctl + CTL_EVENT_SEQ, seq + 1);
}
