// Data pointers: PRP entries and lists (Base §4.3.1) and SGLs (Base §4.3.2) are walked into
// a segment list of wasm addresses before any data moves, so a bad pointer fails the command
// with nothing transferred (as QEMU's nvme_map_dptr does). Cursors then move bytes between
// that list and media. Host RAM is the only DMA target: bus address b is g_ram + b, and an
// address outside it is a Data Transfer Error, never a trap.

import {
  SQE_FLAGS, SQE_PSDT_SHIFT, SQE_PSDT_MASK, SQE_PRP1, SQE_PRP2, SQE_MPTR, SQE_SGL1,
  PSDT_PRP, PSDT_SGL_MPTR_CONTIG, PSDT_SGL_MPTR_SGL,
} from "../spec/sqe";
import {
  SGL_DESC_SIZE, SGL_DESC_ADDR, SGL_DESC_LEN, SGL_DESC_ID, SGL_TYPE_SHIFT,
  SGL_TYPE_DATA_BLOCK, SGL_TYPE_SEGMENT, SGL_TYPE_LAST_SEGMENT, SGL_SUBTYPE_ADDRESS,
} from "../spec/sgl";
import {
  SC_SUCCESS, SC_INVALID_FIELD, SC_DATA_TRANSFER_ERROR, SC_INVALID_PRP_OFFSET,
  SC_SGL_INVALID_LAST, SC_SGL_INVALID_COUNT, SC_SGL_INVALID_DATA_LEN, SC_SGL_INVALID_MD_LEN,
  SC_SGL_INVALID_TYPE, STATUS_DNR,
} from "../spec/status";
import { SGLS_SUPPORTED_NO_ALIGN } from "../spec/identify";
import { g_ram, g_ram_size, g_sqe, state } from "./globals";
import { fail } from "./result";

/** Segment list capacity: enough for 65536 blocks of 4 KiB + 64 B metadata on 4 KiB pages. */
export const SEG_CAP: u32 = 1 << 17;
/** Upper bound on SGL descriptors walked for one command (also ends segment cycles). */
export const SGL_MAX_DESCRIPTORS: u32 = 1 << 16;
/** SGLS bit 18: the SGL may describe more data than the command transfers. */
const SGLS_EXCESS_LENGTH: u32 = 1 << 18;

@unmanaged export class Cursor {
  list: u32; // address of (wasm address u32, length u32) pairs
  count: u32;
  idx: u32;
  off: u32; // bytes consumed in list[idx]
}
export const CURSOR_SIZE: u32 = 16;

export let g_dcur: usize = 0; // data cursor
export let g_mcur: usize = 0; // metadata cursor
export function setCursors(dcur: usize, mcur: usize): void { g_dcur = dcur; g_mcur = mcur; }

/** The wasm address of host bytes [bus, bus + len), or 0 when any of them lies outside host RAM. */
@inline export function busToWasm(bus: u64, len: u64): usize {
  if (bus > g_ram_size || len > g_ram_size - bus) return 0;
  return g_ram + <usize>bus;
}

function cursorReset(cur: Cursor, list: usize): void {
  cur.list = <u32>list;
  cur.count = 0;
  cur.idx = 0;
  cur.off = 0;
}

/** Append host bytes [bus, bus + len) to the cursor's list, merging contiguous segments. */
@inline function addSeg(cur: Cursor, bus: u64, len: u64): u32 {
  if (len == 0) return SC_SUCCESS;
  const w = busToWasm(bus, len);
  if (w == 0) return SC_DATA_TRANSFER_ERROR;
  const list = <usize>cur.list;
  if (cur.count > 0) {
    const last = list + <usize>(cur.count - 1) * 8;
    const lastEnd = <usize>load<u32>(last) + <usize>load<u32>(last, 4);
    if (lastEnd == w && <u64>load<u32>(last, 4) + len <= 0xffffffff) {
      store<u32>(last, load<u32>(last, 4) + <u32>len, 4);
      return SC_SUCCESS;
    }
  }
  if (cur.count >= SEG_CAP) return SC_INVALID_FIELD | STATUS_DNR;
  const e = list + <usize>cur.count * 8;
  store<u32>(e, <u32>w);
  store<u32>(e, <u32>len, 4);
  cur.count++;
  return SC_SUCCESS;
}

/** PRP1/PRP2 with the memory page size chosen in CC.MPS (Base §4.3.1). */
@inline export function mapPrp(cur: Cursor, prp1: u64, prp2: u64, len: u64): u32 {
  if (len == 0) return SC_SUCCESS;
  const page: u64 = <u64>1 << state().page_shift;
  const mask = page - 1;
  if ((prp1 & 3) != 0) return fail(SC_INVALID_PRP_OFFSET | STATUS_DNR, SQE_PRP1, 0);
  const first = min<u64>(len, page - (prp1 & mask));
  let st = addSeg(cur, prp1, first);
  if (st != SC_SUCCESS) return fail(st, SQE_PRP1, 0);
  let rem = len - first;
  if (rem == 0) return SC_SUCCESS;
  if (rem <= page) {
    if ((prp2 & mask) != 0) return fail(SC_INVALID_PRP_OFFSET | STATUS_DNR, SQE_PRP2, 0);
    st = addSeg(cur, prp2, rem);
    return st == SC_SUCCESS ? st : fail(st, SQE_PRP2, 0);
  }
  if ((prp2 & 3) != 0) return fail(SC_INVALID_PRP_OFFSET | STATUS_DNR, SQE_PRP2, 0);
  return walkPrpList(cur, prp2, rem, page);
}

/** A PRP list may start at an offset; the last slot of a full list page chains to the next. */
function walkPrpList(cur: Cursor, list: u64, rem: u64, page: u64): u32 {
  const mask = page - 1;
  // Each entry maps at most one page, so this many iterations always suffice.
  let budget = (rem >> state().page_shift) + (rem >> 9) + 4;
  while (rem > 0) {
    if (budget-- == 0) return fail(SC_INVALID_FIELD | STATUS_DNR, SQE_PRP2, 0);
    const slots = (page - (list & mask)) >> 3;
    const w = busToWasm(list, slots << 3);
    if (w == 0) return fail(SC_DATA_TRANSFER_ERROR, SQE_PRP2, 0);
    let chained = false;
    for (let i: u64 = 0; i < slots && rem > 0; i++) {
      const entry = load<u64>(w + <usize>(i << 3));
      if (i == slots - 1 && rem > page) {
        if ((entry & mask) != 0) return fail(SC_INVALID_PRP_OFFSET | STATUS_DNR, SQE_PRP2, 0);
        list = entry;
        chained = true;
        break;
      }
      if ((entry & mask) != 0) return fail(SC_INVALID_PRP_OFFSET | STATUS_DNR, SQE_PRP2, 0);
      const n = min<u64>(rem, page);
      const st = addSeg(cur, entry, n);
      if (st != SC_SUCCESS) return fail(st, SQE_PRP2, 0);
      rem -= n;
    }
    if (!chained && rem > 0) return fail(SC_INVALID_FIELD | STATUS_DNR, SQE_PRP2, 0);
  }
  return SC_SUCCESS;
}

/** Map the data descriptors of one segment; *remaining is in r_sgl_rem. */
let r_sgl_rem: u64 = 0;
let r_sgl_descs: u32 = 0;

function sglData(cur: Cursor, seg: usize, n: u32): u32 {
  for (let i: u32 = 0; i < n; i++) {
    const d = seg + <usize>i * SGL_DESC_SIZE;
    const id = load<u8>(d + SGL_DESC_ID);
    const type = <u32>id >> SGL_TYPE_SHIFT;
    if (type == SGL_TYPE_SEGMENT || type == SGL_TYPE_LAST_SEGMENT) return SC_SGL_INVALID_COUNT | STATUS_DNR;
    if (type != SGL_TYPE_DATA_BLOCK) return SC_SGL_INVALID_TYPE | STATUS_DNR;
    if ((<u32>id & 0xf) != SGL_SUBTYPE_ADDRESS) return SC_SGL_INVALID_TYPE | STATUS_DNR;
    if (++r_sgl_descs > SGL_MAX_DESCRIPTORS) return SC_SGL_INVALID_COUNT | STATUS_DNR;
    const dlen = <u64>load<u32>(d + SGL_DESC_LEN);
    if (dlen == 0) continue;
    if (r_sgl_rem == 0) {
      if ((state().sgls & SGLS_EXCESS_LENGTH) != 0) break;
      return SC_SGL_INVALID_DATA_LEN | STATUS_DNR;
    }
    const addr = load<u64>(d + SGL_DESC_ADDR);
    if (0xffffffffffffffff - addr < dlen) return SC_SGL_INVALID_DATA_LEN | STATUS_DNR;
    const take = min<u64>(r_sgl_rem, dlen);
    const st = addSeg(cur, addr, take);
    if (st != SC_SUCCESS) return st;
    r_sgl_rem -= take;
  }
  return SC_SUCCESS;
}

/** Walk an SGL whose first descriptor is at wasm address first (Base §4.3.2). */
export function mapSgl(cur: Cursor, first: usize, len: u64): u32 {
  r_sgl_rem = len;
  r_sgl_descs = 0;
  let type = <u32>load<u8>(first + SGL_DESC_ID) >> SGL_TYPE_SHIFT;
  if (type == SGL_TYPE_DATA_BLOCK) {
    const st = sglData(cur, first, 1);
    if (st != SC_SUCCESS) return st;
    return r_sgl_rem == 0 ? SC_SUCCESS : SC_SGL_INVALID_DATA_LEN | STATUS_DNR;
  }
  let seg = first;
  for (;;) {
    type = <u32>load<u8>(seg + SGL_DESC_ID) >> SGL_TYPE_SHIFT;
    if (type != SGL_TYPE_SEGMENT && type != SGL_TYPE_LAST_SEGMENT) return SC_SGL_INVALID_LAST | STATUS_DNR;
    const segLen = load<u32>(seg + SGL_DESC_LEN);
    if (segLen == 0 || (segLen & 0xf) != 0) return SC_SGL_INVALID_LAST | STATUS_DNR;
    if (++r_sgl_descs > SGL_MAX_DESCRIPTORS) return SC_SGL_INVALID_COUNT | STATUS_DNR;
    const addr = load<u64>(seg + SGL_DESC_ADDR);
    const list = busToWasm(addr, <u64>segLen);
    if (list == 0) return SC_DATA_TRANSFER_ERROR;
    const n = segLen / SGL_DESC_SIZE;
    const last = list + <usize>(n - 1) * SGL_DESC_SIZE;
    const lastType = <u32>load<u8>(last + SGL_DESC_ID) >> SGL_TYPE_SHIFT;
    if (lastType == SGL_TYPE_DATA_BLOCK || (lastType != SGL_TYPE_SEGMENT && lastType != SGL_TYPE_LAST_SEGMENT)) {
      const st = sglData(cur, list, n);
      if (st != SC_SUCCESS) return st;
      break;
    }
    if (type == SGL_TYPE_LAST_SEGMENT) return SC_SGL_INVALID_LAST | STATUS_DNR;
    const st = sglData(cur, list, n - 1);
    if (st != SC_SUCCESS) return st;
    seg = last;
  }
  return r_sgl_rem == 0 ? SC_SUCCESS : SC_SGL_INVALID_DATA_LEN | STATUS_DNR;
}

@inline export function psdtOf(sqe: usize): u32 {
  return (<u32>load<u8>(sqe + SQE_FLAGS) >> SQE_PSDT_SHIFT) & SQE_PSDT_MASK;
}

/** Map the command's data pointer (PRP or SGL per PSDT) for len bytes into the data cursor. */
export function mapData(len: u64): u32 {
  const cur = changetype<Cursor>(g_dcur);
  cursorReset(cur, <usize>state().seglist);
  const psdt = psdtOf(g_sqe);
  if (psdt == PSDT_PRP) {
    return mapPrp(cur, load<u64>(g_sqe + SQE_PRP1), load<u64>(g_sqe + SQE_PRP2), len);
  }
  if (psdt == PSDT_SGL_MPTR_CONTIG || psdt == PSDT_SGL_MPTR_SGL) {
    if ((state().sgls & 3) != SGLS_SUPPORTED_NO_ALIGN) return fail(SC_INVALID_FIELD | STATUS_DNR, SQE_FLAGS, 6);
    if (len == 0) return SC_SUCCESS;
    const st = mapSgl(cur, g_sqe + SQE_SGL1, len);
    return st == SC_SUCCESS ? st : fail(st, SQE_SGL1, 0);
  }
  return fail(SC_INVALID_FIELD | STATUS_DNR, SQE_FLAGS, 6);
}

/** Map a separate metadata buffer (MPTR) of len bytes into the metadata cursor. */
export function mapMetadata(len: u64): u32 {
  const cur = changetype<Cursor>(g_mcur);
  cursorReset(cur, <usize>state().md_seglist);
  if (len == 0) return SC_SUCCESS;
  const mptr = load<u64>(g_sqe + SQE_MPTR);
  if (psdtOf(g_sqe) == PSDT_SGL_MPTR_SGL) {
    const d = busToWasm(mptr, SGL_DESC_SIZE);
    if (d == 0) return fail(SC_DATA_TRANSFER_ERROR, SQE_MPTR, 0);
    let st = mapSgl(cur, d, len);
    if ((st & 0x7ff) == SC_SGL_INVALID_DATA_LEN) st = SC_SGL_INVALID_MD_LEN | STATUS_DNR;
    return st == SC_SUCCESS ? st : fail(st, SQE_MPTR, 0);
  }
  const st = addSeg(cur, mptr, len);
  return st == SC_SUCCESS ? st : fail(st, SQE_MPTR, 0);
}

// ---- moving bytes ----

/** Copy n bytes from wasm address src to the host through the cursor. */
export function toHost(cur: Cursor, src: usize, n: u32): void {
  while (n > 0) {
    const e = <usize>cur.list + <usize>cur.idx * 8;
    const segLen = load<u32>(e, 4);
    const take = min<u32>(n, segLen - cur.off);
    memory.copy(<usize>load<u32>(e) + <usize>cur.off, src, take);
    src += take;
    n -= take;
    cur.off += take;
    if (cur.off == segLen) { cur.idx++; cur.off = 0; }
  }
}

/** Zero n host bytes through the cursor (reads of unwritten blocks). */
export function zeroHost(cur: Cursor, n: u32): void {
  while (n > 0) {
    const e = <usize>cur.list + <usize>cur.idx * 8;
    const segLen = load<u32>(e, 4);
    const take = min<u32>(n, segLen - cur.off);
    memory.fill(<usize>load<u32>(e) + <usize>cur.off, 0, take);
    n -= take;
    cur.off += take;
    if (cur.off == segLen) { cur.idx++; cur.off = 0; }
  }
}

/** Copy n bytes from the host through the cursor to wasm address dst. */
export function fromHost(cur: Cursor, dst: usize, n: u32): void {
  while (n > 0) {
    const e = <usize>cur.list + <usize>cur.idx * 8;
    const segLen = load<u32>(e, 4);
    const take = min<u32>(n, segLen - cur.off);
    memory.copy(dst, <usize>load<u32>(e) + <usize>cur.off, take);
    dst += take;
    n -= take;
    cur.off += take;
    if (cur.off == segLen) { cur.idx++; cur.off = 0; }
  }
}

/** Compare n host bytes with wasm bytes at src (src 0: zeroes); true when equal. */
export function compareHost(cur: Cursor, src: usize, n: u32): bool {
  let equal = true;
  while (n > 0) {
    const e = <usize>cur.list + <usize>cur.idx * 8;
    const segLen = load<u32>(e, 4);
    const take = min<u32>(n, segLen - cur.off);
    const h = <usize>load<u32>(e) + <usize>cur.off;
    if (equal) equal = src != 0 ? memory.compare(h, src, take) == 0 : allZero(h, take);
    if (src != 0) src += take;
    n -= take;
    cur.off += take;
    if (cur.off == segLen) { cur.idx++; cur.off = 0; }
  }
  return equal;
}

function allZero(p: usize, n: u32): bool {
  let i: u32 = 0;
  for (; i + 8 <= n; i += 8) if (load<u64>(p + i) != 0) return false;
  for (; i < n; i++) if (load<u8>(p + i) != 0) return false;
  return true;
}

/** Copy len bytes of a controller buffer to the host data pointer (Identify, logs, features). */
export function bufferToHost(src: usize, len: u32): u32 {
  const st = mapData(<u64>len);
  if (st != SC_SUCCESS) return st;
  toHost(changetype<Cursor>(g_dcur), src, len);
  return SC_SUCCESS;
}

/** Copy len bytes from the host data pointer into a controller buffer. */
export function bufferFromHost(dst: usize, len: u32): u32 {
  const st = mapData(<u64>len);
  if (st != SC_SUCCESS) return st;
  fromHost(changetype<Cursor>(g_dcur), dst, len);
  return SC_SUCCESS;
}
