// Addresses the controller uses on every command, cached in wasm globals. Globals are per
// instance, so they hold only what attach() derives from the shared header and state
// block; all mutable controller state lives in shared memory (state.ts).

import {
  HEADER_BASE, HDR_BAR0_BASE, HDR_BAR0_SIZE, HDR_HOST_RAM_BASE, HDR_HOST_RAM_SIZE,
  HDR_EVENTS_BASE, HDR_EVENTS_COUNT, HDR_SCRATCH_BASE, HDR_SCRATCH_SIZE, HDR_CTRL_STATE,
  MAILBOX_BASE, CONTROL_BASE, VECTORS_BASE, CONFIG_BASE, CTRL_STATE_BASE,
} from "../layout";
import { CtrlState } from "./state";

export let g_bar: usize = 0;
export let g_bar_size: u32 = 0;
export let g_ram: usize = 0;
export let g_ram_size: u64 = 0;
export let g_events: usize = 0;
export let g_events_mask: u32 = 0;
export let g_scratch: usize = 0;
export let g_scratch_size: u32 = 0;
export const g_mbox: usize = MAILBOX_BASE;
export const g_ctl: usize = CONTROL_BASE;
/**
 * The host runs in this thread and calls in after its writes (stepped: ctrl_step), so what we
 * publish to it needs no atomic store: it reads after the call returns, in program order. A
 * controller thread (ctrl_thread_run) publishes with sequentially consistent stores, so the
 * host sees a CQE only after the data before it. Per instance, like every global here.
 */
export let g_host_same_thread: bool = false;
export function setHostSameThread(v: bool): void { g_host_same_thread = v; }

/** Store a word the host reads (a CQE's last dword, a counter): see g_host_same_thread. */
// @ts-ignore: decorator
@inline export function publish32(addr: usize, v: u32): void {
  if (g_host_same_thread) store<u32>(addr, v);
  else atomic.store<u32>(addr, v);
}

/** Where the next SQE of the SQ that ran last will be (0 = none); the spinning thread touches it. */
export let g_sq_hint: usize = 0;
export function setSqHint(a: usize): void { g_sq_hint = a; }
export const g_vectors: usize = VECTORS_BASE;
export const g_cfg: usize = CONFIG_BASE;
export let g_state: usize = 0;
export let g_sq: usize = 0;
export let g_cq: usize = 0;
export let g_vec: usize = 0;
export let g_ns: usize = 0;
export let g_sqe: usize = 0;

/** Load the region addresses from the header (and the state block once it exists). */
export function attachRegions(): void {
  g_bar = <usize>load<u32>(HEADER_BASE + HDR_BAR0_BASE);
  g_bar_size = load<u32>(HEADER_BASE + HDR_BAR0_SIZE);
  g_ram = <usize>load<u32>(HEADER_BASE + HDR_HOST_RAM_BASE);
  g_ram_size = <u64>load<u32>(HEADER_BASE + HDR_HOST_RAM_SIZE);
  g_events = <usize>load<u32>(HEADER_BASE + HDR_EVENTS_BASE);
  g_events_mask = load<u32>(HEADER_BASE + HDR_EVENTS_COUNT) - 1;
  g_scratch = <usize>load<u32>(HEADER_BASE + HDR_SCRATCH_BASE);
  g_scratch_size = load<u32>(HEADER_BASE + HDR_SCRATCH_SIZE);
  g_state = <usize>load<u32>(HEADER_BASE + HDR_CTRL_STATE);
  if (g_state != 0) attachTables();
}

export function attachTables(): void {
  const st = state();
  g_sq = <usize>st.sq_table;
  g_cq = <usize>st.cq_table;
  g_vec = <usize>st.vec_table;
  g_ns = <usize>st.ns_table;
  g_sqe = <usize>st.sqe_buf;
}

/** The state block: at a fixed address (layout.ts CTRL_STATE_BASE); g_state is 0 until init placed it. */
@inline export function state(): CtrlState { return changetype<CtrlState>(CTRL_STATE_BASE); }
