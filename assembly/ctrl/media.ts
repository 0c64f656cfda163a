// Namespace media: sparse storage that costs memory only for what is written.
//
// A namespace is cut into chunks of 2^chunk_shift LBAs (at most 32). A three-level radix
// map finds a chunk: L1 (one u32 per 2^19 chunks, allocated at init) -> L2 tables (1024 u32)
// -> L3 tables (512 entries of {chunk address u32, written-LBA mask u32}). A chunk holds
// its LBAs' data, then their metadata. Address 0 means never written or deallocated (reads
// return zeroes, DLFEAT = 001b); ZERO_CHUNK means written with zeroes without using memory.
// The mask counts LBAs written and not deallocated: NUSE in Identify Namespace.

import { NsState } from "./state";
import { heapAlloc, heapReserve } from "./heap";
import { state } from "./globals";

export const ZERO_CHUNK: u32 = 1;
export const MAX_CHUNK_SHIFT: u32 = 5;
/** Target data bytes per chunk: large enough for copies near memory.copy speed. */
export const CHUNK_TARGET_BYTES: u32 = 16384;
const L3_BITS: u32 = 9;
const L2_BITS: u32 = 10;
const L3_ENTRIES: u32 = 1 << L3_BITS;
const L2_ENTRIES: u32 = 1 << L2_BITS;
export const L1_SPAN_BITS: u32 = L3_BITS + L2_BITS;
const TABLE_BYTES: u32 = 4096;
/** Tables are carved from arenas of this size, kept apart from data chunks. */
const TABLE_ARENA_BYTES: u32 = 1 << 20;
const CHUNK_ALIGN: u32 = 64;

/**
 * A zeroed 4 KiB radix table. Tables come from their own arenas rather than between data
 * chunks, so chunks written in order sit back to back and a Copy of them is one large
 * memory.copy (which moves data much faster than many small ones).
 */
function tableAlloc(): usize {
  const st = state();
  if (st.table_next == st.table_end) {
    const a = heapAlloc(TABLE_ARENA_BYTES, TABLE_BYTES);
    if (a == 0) return 0;
    st.table_next = <u32>a;
    st.table_end = <u32>a + TABLE_ARENA_BYTES;
  }
  const t = <usize>st.table_next;
  st.table_next += TABLE_BYTES;
  memory.fill(t, 0, TABLE_BYTES);
  return t;
}

@inline function bits(x: u32): u32 { return <u32>popcnt<u32>(x); }

/** Mask of count LBAs starting at first inside a chunk. */
@inline export function lbaMask(first: u32, count: u32): u32 {
  return count >= 32 ? 0xffffffff : ((<u32>1 << count) - 1) << first;
}

/** Address of the L3 entry for chunk, or 0 when its tables do not exist. Inlined: a read looks up one per command. */
@inline export function entryOf(ns: NsState, chunk: u64): usize {
  const l2 = load<u32>(<usize>ns.l1 + <usize>((chunk >> L1_SPAN_BITS) << 2));
  if (l2 == 0) return 0;
  const l3 = load<u32>(<usize>l2 + <usize>(((chunk >> L3_BITS) & (L2_ENTRIES - 1)) << 2));
  if (l3 == 0) return 0;
  return <usize>l3 + <usize>((chunk & (L3_ENTRIES - 1)) << 3);
}

/** Chunk address (0, ZERO_CHUNK or memory) for chunk. */
@inline export function chunkAt(ns: NsState, chunk: u64): u32 {
  const e = entryOf(ns, chunk);
  return e == 0 ? 0 : load<u32>(e);
}

/** The L3 entry for chunk, creating tables; memory must have been reserved (reserveWrite). */
function entryCreate(ns: NsState, chunk: u64): usize {
  const l1e = <usize>ns.l1 + <usize>((chunk >> L1_SPAN_BITS) << 2);
  let l2 = load<u32>(l1e);
  if (l2 == 0) {
    l2 = <u32>tableAlloc();
    if (l2 == 0) return 0;
    store<u32>(l1e, l2);
  }
  const l2e = <usize>l2 + <usize>(((chunk >> L3_BITS) & (L2_ENTRIES - 1)) << 2);
  let l3 = load<u32>(l2e);
  if (l3 == 0) {
    l3 = <u32>tableAlloc();
    if (l3 == 0) return 0;
    store<u32>(l2e, l3);
  }
  return <usize>l3 + <usize>((chunk & (L3_ENTRIES - 1)) << 3);
}

function allocChunk(ns: NsState): u32 {
  const head = ns.free_chunks;
  if (head != 0) {
    ns.free_chunks = load<u32>(<usize>head);
    ns.free_count--;
    memory.fill(<usize>head, 0, <usize>ns.chunk_bytes);
    ns.chunks_in_use++;
    return head;
  }
  const p = <u32>heapAlloc(ns.chunk_stride, CHUNK_ALIGN);
  if (p != 0) ns.chunks_in_use++;
  return p;
}

function freeChunk(ns: NsState, p: u32): void {
  store<u32>(<usize>p, ns.free_chunks);
  ns.free_chunks = p;
  ns.free_count++;
  ns.chunks_in_use--;
}

/**
 * Make sure that writing LBAs [slba, slba + nlb) cannot run out of memory: grows memory
 * for every chunk and table the write may need. False: Capacity Exceeded, nothing changed.
 */
export function reserveWrite(ns: NsState, slba: u64, nlb: u64): bool {
  if (nlb == 0) return true;
  const first = slba >> ns.chunk_shift;
  const last = (slba + nlb - 1) >> ns.chunk_shift;
  let chunks: u64 = 0;
  let tables: u64 = 0;
  let c = first;
  while (c <= last) {
    const l2 = load<u32>(<usize>ns.l1 + <usize>((c >> L1_SPAN_BITS) << 2));
    const l3 = l2 == 0 ? 0 : load<u32>(<usize>l2 + <usize>(((c >> L3_BITS) & (L2_ENTRIES - 1)) << 2));
    if (l2 == 0) tables++;
    if (l3 == 0) {
      // A whole L3 span is missing: every chunk of it in the range needs memory.
      const spanEnd = min<u64>(last, c | <u64>(L3_ENTRIES - 1));
      tables++;
      chunks += spanEnd - c + 1;
      c = spanEnd + 1;
      continue;
    }
    if (load<u32>(<usize>l3 + <usize>((c & (L3_ENTRIES - 1)) << 3)) <= ZERO_CHUNK) chunks++;
    c++;
  }
  const fromFree = min<u64>(chunks, <u64>ns.free_count);
  const st = state();
  const arenaLeft = <u64>((st.table_end - st.table_next) / TABLE_BYTES);
  const arenas = tables > arenaLeft ? (tables - arenaLeft) / <u64>(TABLE_ARENA_BYTES / TABLE_BYTES) + 1 : 0;
  const bytes = (chunks - fromFree) * <u64>ns.chunk_stride + arenas * <u64>(TABLE_ARENA_BYTES + TABLE_BYTES) + CHUNK_ALIGN;
  return heapReserve(bytes);
}

/** A memory chunk for chunk index c, allocating (zero-filled) when absent. 0: out of memory. */
export function materialize(ns: NsState, c: u64): usize {
  const e = entryCreate(ns, c);
  if (e == 0) return 0;
  const p = load<u32>(e);
  if (p > ZERO_CHUNK) return <usize>p;
  const n = allocChunk(ns);
  if (n == 0) return 0;
  store<u32>(e, n);
  return <usize>n;
}

/** Record LBAs [first, first + count) of chunk c as written. */
export function markWritten(ns: NsState, c: u64, first: u32, count: u32): void {
  const e = entryOf(ns, c);
  const old = load<u32>(e, 4);
  const neu = old | lbaMask(first, count);
  store<u32>(e, neu, 4);
  ns.nuse += <u64>bits(neu) - <u64>bits(old);
}

/** Zero data and metadata of LBAs [first, first + count) inside a memory chunk. */
function zeroLbas(ns: NsState, p: usize, first: u32, count: u32): void {
  memory.fill(p + (<usize>first << ns.lbads), 0, <usize>count << ns.lbads);
  if (ns.ms != 0) {
    const md = p + (<usize>1 << (ns.chunk_shift + ns.lbads));
    memory.fill(md + <usize>(first * ns.ms), 0, <usize>(count * ns.ms));
  }
}

/** Index of lba inside its chunk. */
@inline export function blockInChunk(ns: NsState, lba: u64): u32 {
  return <u32>(lba & ((<u64>1 << ns.chunk_shift) - 1));
}

/** Blocks from lba to the end of its chunk or to end, whichever comes first: one piece of a run. */
@inline export function pieceBlocks(ns: NsState, lba: u64, end: u64): u32 {
  return <u32>min<u64>(end - lba, (<u64>1 << ns.chunk_shift) - <u64>blockInChunk(ns, lba));
}

/** Deallocate [slba, slba + nlb): reads return zeroes; visits only chunks whose tables exist. */
export function deallocate(ns: NsState, slba: u64, nlb: u64): void {
  if (nlb == 0) return;
  let lba = slba;
  const end = slba + nlb;
  while (lba < end) {
    const c = lba >> ns.chunk_shift;
    const e = entryOf(ns, c);
    if (e == 0) {
      // Nothing is stored here: skip to the next L3 span, or the next L1 span when the
      // whole L2 table is absent, so deallocating a huge sparse range takes few steps.
      const l2 = load<u32>(<usize>ns.l1 + <usize>((c >> L1_SPAN_BITS) << 2));
      const span = l2 == 0 ? L1_SPAN_BITS : L3_BITS;
      lba = ((c | ((<u64>1 << span) - 1)) + 1) << ns.chunk_shift;
      continue;
    }
    const first = blockInChunk(ns, lba);
    const count = pieceBlocks(ns, lba, end);
    const old = load<u32>(e, 4);
    const neu = old & ~lbaMask(first, count);
    const p = load<u32>(e);
    if (neu == 0) {
      if (p > ZERO_CHUNK) freeChunk(ns, p);
      store<u32>(e, 0);
    } else if (p > ZERO_CHUNK) {
      zeroLbas(ns, <usize>p, first, count);
    }
    store<u32>(e, neu, 4);
    ns.nuse -= <u64>bits(old) - <u64>bits(neu);
    lba += <u64>count;
  }
}

/**
 * Write zeroes to [slba, slba + nlb) keeping the blocks allocated (Write Zeroes with DEAC = 0,
 * Copy from unwritten blocks). Needs reserveWrite first; false only if that was skipped.
 */
export function writeZeroes(ns: NsState, slba: u64, nlb: u64): bool {
  const per = <u64>1 << ns.chunk_shift;
  let lba = slba;
  const end = slba + nlb;
  while (lba < end) {
    const c = lba >> ns.chunk_shift;
    const first = blockInChunk(ns, lba);
    const count = pieceBlocks(ns, lba, end);
    const e = entryCreate(ns, c);
    assert(e != 0, "writeZeroes without reserveWrite");
    if (e == 0) return false;
    const p = load<u32>(e);
    if (p > ZERO_CHUNK) {
      if (<u64>count == per) { freeChunk(ns, p); store<u32>(e, ZERO_CHUNK); }
      else zeroLbas(ns, <usize>p, first, count);
    } else {
      store<u32>(e, ZERO_CHUNK);
    }
    markWritten(ns, c, first, count);
    lba += <u64>count;
  }
  return true;
}

/** Data address of LBA index i inside a memory chunk. */
@inline export function dataAt(ns: NsState, p: usize, i: u32): usize {
  return p + (<usize>i << ns.lbads);
}

/** Metadata address of LBA index i inside a memory chunk. */
@inline export function metaAt(ns: NsState, p: usize, i: u32): usize {
  return p + (<usize>1 << (ns.chunk_shift + ns.lbads)) + <usize>(i * ns.ms);
}

/** First chunk index >= c that has memory or a zero chunk, or nchunks when none (for export). */
export function nextStoredChunk(ns: NsState, c: u64, nchunks: u64): u64 {
  while (c < nchunks) {
    const l2 = load<u32>(<usize>ns.l1 + <usize>((c >> L1_SPAN_BITS) << 2));
    if (l2 == 0) { c = ((c >> L1_SPAN_BITS) + 1) << L1_SPAN_BITS; continue; }
    const l3 = load<u32>(<usize>l2 + <usize>(((c >> L3_BITS) & (L2_ENTRIES - 1)) << 2));
    if (l3 == 0) { c = ((c >> L3_BITS) + 1) << L3_BITS; continue; }
    if (load<u32>(<usize>l3 + <usize>((c & (L3_ENTRIES - 1)) << 3)) > ZERO_CHUNK) return c;
    c++;
  }
  return nchunks;
}
