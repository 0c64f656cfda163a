// End-to-end data protection (NVM Command Set 1.1 §5.2): the protection information (PI)
// tuple of each logical block, generated (PRACT) and checked (PRCHK) by Read, Write,
// Compare, Verify, Write Zeroes and Copy on a namespace formatted with PI (DPS type 1-3).
//
// The tuple sits in the LBA's metadata, first or last (DPS bit 3), big endian (§5.2.1.3):
//   16b Guard: Guard = CRC-16 T10-DIF, Application Tag, 32-bit Reference Tag (8 bytes);
//   64b Guard: Guard = CRC-64/NVMe, Application Tag, 48-bit Reference Tag, no storage tag
//              (STS = 0) (16 bytes).
// The Guard covers the block's data and the metadata bytes before the tuple (§5.2.1.3.1).
// A block whose Application Tag is FFFFh (types 1 and 2), or whose Application Tag is FFFFh
// and Reference Tag all ones (type 3), is not checked (§5.2.1.4.1). Unwritten and deallocated
// blocks read with their tuple all ones (DLFEAT bit 4 = 0: Guard FFFFh; §3.2.3.2.1), so checks
// of them pass. Reference Tags: types 1 and 2 expect ILBRT for the first block and ILBRT + n
// for block n; type 1 also requires ILBRT to be the LBA's low bits when the Reference Tag is
// checked (else Invalid Protection Information); type 3 has no Reference Tag to check
// (§5.2.1.4.2), so PRCHK bit 0 with type 3 is Invalid Protection Information too.
//
// Nothing here allocates: tuples are read through the 64-byte state().pi_buf scratch, the CRC
// tables are built once at init. A namespace without PI never reaches this file (one test of
// ns.pi in nvm.ts / copy.ts).

import {
  PRINFO_PRACT, PRINFO_PRCHK_GUARD, PRINFO_PRCHK_APP, PRINFO_PRCHK_REF, PRINFO_PRCHK_MASK,
  PI_TYPE_1, PI_TYPE_3, PI16_SIZE, PI16_APPTAG, PI16_REFTAG, PI64_SIZE, PI64_APPTAG, PI64_REFTAG,
  CRC16_T10DIF_POLY,
} from "../spec/pi";

/** CRC-64/NVMe generator AD93D23594C93659h, bit-reversed for the reflected table. */
const CRC64_NVME_POLY_REFLECTED: u64 = 0x9a6c9329ac4bc9b5;
/** The 48-bit Reference Tag of a 64b Guard tuple (no storage tag). */
export const PI64_REFTAG_MASK: u64 = 0xffffffffffff;
import { PIF_16B_GUARD } from "../spec/identify";
import { SQE_CDW3, SQE_CDW10, SQE_CDW12, SQE_CDW14, SQE_CDW15 } from "../spec/sqe";
import { RW_PRINFO_SHIFT } from "../spec/opcodes";
import {
  SC_SUCCESS, SC_INVALID_PROTECTION_INFO, SC_GUARD_CHECK, SC_APPTAG_CHECK, SC_REFTAG_CHECK, STATUS_DNR,
} from "../spec/status";
import { g_sqe, state } from "./globals";
import { NsState } from "./state";
import { failAt } from "./result";
import { Cursor } from "./dma";
import { entryOf, chunkAt, blockInChunk, dataAt, metaAt, ZERO_CHUNK, materialize } from "./media";

// ---- CRC tables (built once at init, in controller memory) ----

/** Build the CRC-16 T10-DIF and CRC-64/NVMe tables into state().crc16_table / crc64_table. */
export function piInitTables(): void {
  const st = state();
  const t16 = <usize>st.crc16_table;
  const t64 = <usize>st.crc64_table;
  for (let i: u32 = 0; i < 256; i++) {
    let c: u32 = i << 8;
    for (let k = 0; k < 8; k++) c = (c & 0x8000) != 0 ? ((c << 1) ^ CRC16_T10DIF_POLY) : c << 1;
    store<u16>(t16 + (<usize>i << 1), <u16>c);
    let d: u64 = <u64>i;
    for (let k = 0; k < 8; k++) d = (d & 1) != 0 ? ((d >> 1) ^ CRC64_NVME_POLY_REFLECTED) : d >> 1;
    store<u64>(t64 + (<usize>i << 3), d);
  }
}

/** CRC-16 T10-DIF (no reflection, initial 0, no final XOR) of n bytes at p, continuing crc. */
export function crc16(crc: u32, p: usize, n: u32): u32 {
  const t = <usize>state().crc16_table;
  for (let i: u32 = 0; i < n; i++) {
    crc = ((crc << 8) ^ <u32>load<u16>(t + (<usize>(((crc >> 8) ^ <u32>load<u8>(p + i)) & 0xff) << 1))) & 0xffff;
  }
  return crc;
}

/**
 * The CRC-64/NVMe register after n bytes at p (reflected; the caller starts from all ones
 * and inverts at the end, so a run over several buffers is one CRC of their concatenation).
 */
export function crc64raw(crc: u64, p: usize, n: u32): u64 {
  const t = <usize>state().crc64_table;
  for (let i: u32 = 0; i < n; i++) {
    crc = load<u64>(t + (<usize>((<u32>crc ^ <u32>load<u8>(p + i)) & 0xff) << 3)) ^ (crc >> 8);
  }
  return crc;
}

// ---- byte order helpers (the tuple is big endian) ----

@inline function be16(p: usize): u32 { return <u32>bswap<u16>(load<u16>(p)); }
@inline function be32(p: usize): u32 { return bswap<u32>(load<u32>(p)); }
@inline function be48(p: usize): u64 { return (<u64>be16(p) << 32) | <u64>be32(p + 2); }
@inline function put16(p: usize, v: u32): void { store<u16>(p, bswap<u16>(<u16>v)); }
@inline function put32(p: usize, v: u32): void { store<u32>(p, bswap<u32>(v)); }

/** Guard of one block: CRC over its data (bs bytes at data; 0 = zeroes) and meta[0, pi_off). */
function guardOf(ns: NsState, data: usize, meta: usize): u64 {
  const bs = <u32>1 << ns.lbads;
  if (ns.pif == PIF_16B_GUARD) {
    let c = data != 0 ? crc16(0, data, bs) : 0; // the CRC-16 of zeroes is 0
    if (ns.pi_off != 0) c = meta != 0 ? crc16(c, meta, ns.pi_off) : crc16Zeroes(c, ns.pi_off);
    return <u64>c;
  }
  let r: u64 = 0xffffffffffffffff;
  r = data != 0 ? crc64raw(r, data, bs) : crc64Zeroes(r, bs);
  if (ns.pi_off != 0) r = meta != 0 ? crc64raw(r, meta, ns.pi_off) : crc64Zeroes(r, ns.pi_off);
  return ~r;
}

function crc16Zeroes(c: u32, n: u32): u32 {
  const t = <usize>state().crc16_table;
  for (let i: u32 = 0; i < n; i++) c = ((c << 8) ^ <u32>load<u16>(t + (<usize>((c >> 8) & 0xff) << 1))) & 0xffff;
  return c;
}

function crc64Zeroes(r: u64, n: u32): u64 {
  const t = <usize>state().crc64_table;
  for (let i: u32 = 0; i < n; i++) r = load<u64>(t + (<usize>(<u32>r & 0xff) << 3)) ^ (r >> 8);
  return r;
}

// ---- the command's fields ----

/** PRINFO of a Read/Write-family command (CDW12 29:26). */
@inline export function cmdPrinfo(): u32 { return (load<u32>(g_sqe + SQE_CDW12) >> RW_PRINFO_SHIFT) & 0xf; }

/**
 * The command's Initial Logical Block Reference Tag: CDW14, plus CDW3 bits 15:0 as bits 47:32
 * for a 64b Guard format (the 80-bit LBST/ILBRT field of CDW2, CDW3 and CDW14 with STS = 0).
 */
export function cmdIlbrt(ns: NsState): u64 {
  const lo = <u64>load<u32>(g_sqe + SQE_CDW14);
  if (ns.pif == PIF_16B_GUARD) return lo;
  return lo | ((<u64>load<u32>(g_sqe + SQE_CDW3) & 0xffff) << 32);
}

/** Reference Tags wrap at the tuple's width (32 or 48 bits). */
@inline export function refMask(ns: NsState): u64 { return ns.pif == PIF_16B_GUARD ? 0xffffffff : PI64_REFTAG_MASK; }

/**
 * The Invalid Protection Information checks that need no data (NVM CS 1.1 §5.2.1.4.2 and
 * Figure 29's 81h): type 3 has no Reference Tag to check; type 1 with the Reference Tag checked
 * needs ILBRT equal to the low bits of the LBA (32 or 48). loc: where the error log points.
 */
export function prinfoCheck(ns: NsState, prinfo: u32, slba: u64, ilbrt: u64, loc: u32): u32 {
  if ((prinfo & PRINFO_PRCHK_REF) == 0) return SC_SUCCESS;
  if (ns.pi == <u32>PI_TYPE_3) return failAt(SC_INVALID_PROTECTION_INFO | STATUS_DNR, loc, slba);
  if (ns.pi == <u32>PI_TYPE_1 && (slba & refMask(ns)) != ilbrt) return failAt(SC_INVALID_PROTECTION_INFO | STATUS_DNR, SQE_CDW14, slba);
  return SC_SUCCESS;
}

/** True when the tuple at t disables checking of its block (the escapes of §5.2.1.4.1). */
function checksDisabled(ns: NsState, t: usize): bool {
  const wide = ns.pif != PIF_16B_GUARD;
  const app = be16(t + (wide ? PI64_APPTAG : PI16_APPTAG));
  if (app != 0xffff) return false;
  if (ns.pi != <u32>PI_TYPE_3) return true;
  return wide ? be48(t + PI64_REFTAG) == PI64_REFTAG_MASK : be32(t + PI16_REFTAG) == 0xffffffff;
}

/**
 * Check one block's tuple t against PRCHK: guard (computed by the caller into `guard`), the
 * Application Tag under its mask, the Reference Tag. Returns the status (2/82h-84h, no DNR:
 * NVM CS Figure 30's Media and Data Integrity Errors leave retrying to the host).
 */
function checkTuple(ns: NsState, t: usize, prinfo: u32, guard: u64, app: u32, appMask: u32, ref: u64): u32 {
  const wide = ns.pif != PIF_16B_GUARD;
  if ((prinfo & PRINFO_PRCHK_GUARD) != 0) {
    const g: u64 = wide ? bswap<u64>(load<u64>(t)) : <u64>be16(t);
    if (g != guard) return SC_GUARD_CHECK;
  }
  if ((prinfo & PRINFO_PRCHK_APP) != 0) {
    const a = be16(t + (wide ? PI64_APPTAG : PI16_APPTAG));
    if ((a & appMask) != (app & appMask)) return SC_APPTAG_CHECK;
  }
  if ((prinfo & PRINFO_PRCHK_REF) != 0) {
    const r: u64 = wide ? be48(t + PI64_REFTAG) : <u64>be32(t + PI16_REFTAG);
    if (r != ref) return SC_REFTAG_CHECK;
  }
  return SC_SUCCESS;
}

/** Write a generated tuple at t. */
function putTuple(ns: NsState, t: usize, guard: u64, app: u32, ref: u64): void {
  if (ns.pif == PIF_16B_GUARD) {
    put16(t, <u32>guard);
    put16(t + PI16_APPTAG, app);
    put32(t + PI16_REFTAG, <u32>ref);
  } else {
    store<u64>(t, bswap<u64>(guard));
    put16(t + PI64_APPTAG, app);
    put16(t + PI64_REFTAG, <u32>(ref >> 32) & 0xffff);
    put32(t + PI64_REFTAG + 2, <u32>ref);
  }
}

/** The next block's expected Reference Tag: types 1 and 2 count up, type 3 keeps it. */
@inline function nextRef(ns: NsState, ref: u64): u64 {
  return ns.pi == <u32>PI_TYPE_3 ? ref : (ref + 1) & refMask(ns);
}

/** The all-ones tuple an unwritten block reads with, in pi_buf + 32. */
export function onesTuple(): usize {
  const p = <usize>state().pi_buf + 32;
  memory.fill(p, 0xff, PI64_SIZE);
  return p;
}

/** Metadata bytes a transfer carries per block: none when PRACT strips a PI-only format. */
@inline export function piStrips(ns: NsState, prinfo: u32): bool {
  return (prinfo & PRINFO_PRACT) != 0 && ns.ms == ns.pi_size;
}

// ---- media side ----

/** 1 when LBA lba has been written (and not deallocated): its stored tuple is real. */
export function lbaWritten(ns: NsState, lba: u64): bool {
  const e = entryOf(ns, lba >> ns.chunk_shift);
  if (e == 0) return false;
  return ((load<u32>(e, 4) >> blockInChunk(ns, lba)) & 1) != 0;
}

/**
 * Check the stored tuples of [slba, slba + nlb) against PRCHK (Read, Compare, Verify, a Copy
 * source). A block never written has the all-ones tuple and passes. Returns the status; the
 * error log's LBA is the failing block.
 */
export function checkMedia(ns: NsState, slba: u64, nlb: u64, prinfo: u32, app: u32, appMask: u32, ilbrt: u64): u32 {
  if ((prinfo & PRINFO_PRCHK_MASK) == 0) return SC_SUCCESS;
  let ref = ilbrt;
  for (let k: u64 = 0; k < nlb; k++) {
    const lba = slba + k;
    const p = chunkAt(ns, lba >> ns.chunk_shift);
    const i = blockInChunk(ns, lba);
    if (p > ZERO_CHUNK && lbaWritten(ns, lba)) {
      const meta = metaAt(ns, <usize>p, i);
      const t = meta + ns.pi_off;
      if (!checksDisabled(ns, t)) {
        const guard = (prinfo & PRINFO_PRCHK_GUARD) != 0 ? guardOf(ns, dataAt(ns, <usize>p, i), meta) : 0;
        const s = checkTuple(ns, t, prinfo, guard, app, appMask, ref);
        if (s != SC_SUCCESS) return failAt(s, SQE_CDW10, lba);
      }
    } else if (p == ZERO_CHUNK && lbaWritten(ns, lba)) {
      // Written with zeroes (Write Zeroes without PRACT): data, metadata and PI all zero.
      const t = pi0Tuple();
      const guard = (prinfo & PRINFO_PRCHK_GUARD) != 0 ? guardOf(ns, 0, 0) : 0;
      const s = checkTuple(ns, t, prinfo, guard, app, appMask, ref);
      if (s != SC_SUCCESS) return failAt(s, SQE_CDW10, lba);
    }
    ref = nextRef(ns, ref);
  }
  return SC_SUCCESS;
}

/** A zero tuple in pi_buf + 16 (the PI of a block in a zero chunk). */
function pi0Tuple(): usize {
  const p = <usize>state().pi_buf + 16;
  memory.fill(p, 0, PI64_SIZE);
  return p;
}

/**
 * Generate the tuples of [slba, slba + nlb) in media from the stored data and metadata (Write
 * with PRACT after the data landed, Write Zeroes with PRACT, a Copy destination with PRINFOW
 * PRACT). Memory was reserved; every chunk of the range becomes a memory chunk.
 */
export function generateMedia(ns: NsState, slba: u64, nlb: u64, app: u32, ilbrt: u64): void {
  let ref = ilbrt;
  for (let k: u64 = 0; k < nlb; k++) {
    const lba = slba + k;
    const p = materialize(ns, lba >> ns.chunk_shift);
    const i = blockInChunk(ns, lba);
    const meta = metaAt(ns, p, i);
    putTuple(ns, meta + ns.pi_off, guardOf(ns, dataAt(ns, p, i), meta), app, ref);
    ref = nextRef(ns, ref);
  }
}

// ---- host side (Write, Compare, a Copy destination's checks) ----

/** Consume n host bytes through cur into the running CRC register (16 or 64 bit). */
function crcHost(ns: NsState, cur: Cursor, n: u32, reg: u64): u64 {
  while (n > 0) {
    const e = <usize>cur.list + <usize>cur.idx * 8;
    const segLen = load<u32>(e, 4);
    const take = min<u32>(n, segLen - cur.off);
    const p = <usize>load<u32>(e) + <usize>cur.off;
    reg = ns.pif == PIF_16B_GUARD ? <u64>crc16(<u32>reg, p, take) : crc64raw(reg, p, take);
    n -= take;
    cur.off += take;
    if (cur.off == segLen) { cur.idx++; cur.off = 0; }
  }
  return reg;
}

/** Copy n bytes from the host through cur to dst (n <= 16). */
function readHost(cur: Cursor, dst: usize, n: u32): void {
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

/** Skip n host bytes of cur. */
export function skipHost(cur: Cursor, n: u32): void {
  while (n > 0) {
    const e = <usize>cur.list + <usize>cur.idx * 8;
    const segLen = load<u32>(e, 4);
    const take = min<u32>(n, segLen - cur.off);
    n -= take;
    cur.off += take;
    if (cur.off == segLen) { cur.idx++; cur.off = 0; }
  }
}

/**
 * Check the tuples the host sent for nlb blocks (a Write without PRACT) without consuming the
 * cursors: data through dc, metadata through mc (the same cursor for extended LBAs). Nothing
 * reaches media before every block passed, as a device checks before it commits.
 */
export function checkHost(ns: NsState, dc: Cursor, mc: Cursor, nlb: u64, prinfo: u32, app: u32, appMask: u32, ilbrt: u64, slba: u64): u32 {
  if ((prinfo & PRINFO_PRCHK_MASK) == 0) return SC_SUCCESS;
  const di = dc.idx, doff = dc.off, mi = mc.idx, moff = mc.off;
  const bs = <u32>1 << ns.lbads;
  const t = <usize>state().pi_buf;
  const wide = ns.pif != PIF_16B_GUARD;
  let ref = ilbrt;
  let status = SC_SUCCESS;
  for (let k: u64 = 0; k < nlb; k++) {
    let reg: u64 = wide ? 0xffffffffffffffff : 0;
    reg = crcHost(ns, dc, bs, reg);
    reg = crcHost(ns, mc, ns.pi_off, reg);
    readHost(mc, t, ns.pi_size);
    skipHost(mc, ns.ms - ns.pi_off - ns.pi_size);
    if (!checksDisabled(ns, t)) {
      const s = checkTuple(ns, t, prinfo, wide ? ~reg : reg, app, appMask, ref);
      if (s != SC_SUCCESS) { status = failAt(s, SQE_CDW10, slba + k); break; }
    }
    ref = nextRef(ns, ref);
  }
  dc.idx = di; dc.off = doff; mc.idx = mi; mc.off = moff;
  return status;
}

// ---- the tags of Read/Write-family commands ----

@inline export function cmdApp(): u32 { return load<u32>(g_sqe + SQE_CDW15) & 0xffff; }
@inline export function cmdAppMask(): u32 { return load<u32>(g_sqe + SQE_CDW15) >> 16; }

/** Tuple sizes by PI format. */
@inline export function tupleSize(pif: u32): u32 { return pif == PIF_16B_GUARD ? PI16_SIZE : PI64_SIZE; }

export { PRINFO_PRACT };
