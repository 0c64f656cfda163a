// Controller-owned memory: a bump allocator over the end of the shared memory, growing it
// with memory.grow. Tables are allocated once at init; media chunks come from here too and
// return to per-namespace free lists (media.ts), so memory grows only with what is written.

import { WASM_PAGE_SIZE, MEMORY_MAX_PAGES } from "../layout";
import { state } from "./globals";

/** Make sure [heap_next, heap_next + bytes) exists, growing memory; false if it cannot. */
export function heapReserve(bytes: u64): bool {
  const st = state();
  const need = <u64>st.heap_next + bytes;
  if (need > <u64>MEMORY_MAX_PAGES * WASM_PAGE_SIZE) return false;
  let have = <u64>memory.size() << 16;
  if (need <= have) { st.heap_end = <u32>min<u64>(have, 0xffffffff); return true; }
  const pages = <i32>((need - have + WASM_PAGE_SIZE - 1) >> 16);
  if (memory.grow(pages) < 0) return false;
  have = <u64>memory.size() << 16;
  st.heap_end = <u32>min<u64>(have, 0xffffffff);
  return true;
}

/** Allocate bytes (aligned to align, a power of two); 0 when memory is exhausted. */
export function heapAlloc(bytes: u32, align: u32): usize {
  const st = state();
  const start = (<u64>st.heap_next + align - 1) & ~(<u64>align - 1);
  const end = start + <u64>bytes;
  const saved = st.heap_next;
  st.heap_next = <u32>min<u64>(start, 0xffffffff);
  if (!heapReserve(bytes)) { st.heap_next = saved; return 0; }
  st.heap_next = <u32>end;
  return <usize>start;
}

/** Bytes the heap could still hand out without exceeding the 4 GiB memory limit. */
export function heapAvailable(): u64 {
  const limit = <u64>MEMORY_MAX_PAGES * WASM_PAGE_SIZE;
  return limit - <u64>state().heap_next;
}
