// Copy (NVM Command Set 1.1 §3.3.2, TP 4065 and TP 4130): Source Range entry formats 0h-3h,
// the MSRC / MSSRL / MCL limits, cross-namespace copy (formats 2h/3h, enabled by Host
// Behavior Support CDFE), and partial completion with CQE Dword 0 = the index of the first
// range not copied. Checks follow QEMU 10's nvme_copy / nvme_do_copy order; where QEMU
// departs from the spec the spec wins (docs/CONFORMANCE.md). Ranges are copied one after
// another, media to media inside the controller: the data never crosses host memory.

import { SQE_NSID, SQE_CDW10, SQE_CDW12, SQE_CDW15 } from "../spec/sqe";
import { PRINFO_PRACT, PRINFO_MASK, PI_TYPE_3 } from "../spec/pi";
import { cmdIlbrt, refMask, prinfoCheck, checkMedia, generateMedia } from "./pi";
import { NVM_COPY } from "../spec/opcodes";
import {
  COPY_NR_MASK, COPY_DESFMT_SHIFT, COPY_DESFMT_MASK, COPY_RANGE_F0_SIZE, COPY_RANGE_F1_SIZE,
  COPY_RANGE_SNSID, COPY_RANGE_SLBA, COPY_RANGE_NLB, COPY_FORMAT_1, COPY_FORMAT_2, COPY_FORMAT_3,
  COPY_PRINFOR_SHIFT, COPY_PRINFOW_SHIFT, COPY_RANGE_F0_EILBRT, COPY_RANGE_F0_ELBAT, COPY_RANGE_F0_ELBATM,
  COPY_RANGE_F1_ELBT, COPY_RANGE_F1_ELBAT, COPY_RANGE_F1_ELBATM,
} from "../spec/copy";
import {
  SC_SUCCESS, SC_INVALID_FIELD, SC_INVALID_NSID, SC_COMMAND_SIZE_LIMIT_EXCEEDED, SC_LBA_OUT_OF_RANGE,
  SC_INCOMPATIBLE_NS_OR_FORMAT, SC_OVERLAPPING_IO_RANGE, SC_CAPACITY_EXCEEDED, STATUS_DNR,
} from "../spec/status";
import { EVK_COPY_RANGE, EVC_NORMAL } from "../layout";
import { PIF_16B_GUARD } from "../spec/identify";
import { g_sqe, state } from "./globals";
import { NsState } from "./state";
import { fail, failAt, setDw0 } from "./result";
import { nsById, nsidValid, inRange, NSID_BROADCAST } from "./ns";
import { bufferFromHost } from "./dma";
import { chunkAt, materialize, markWritten, reserveWrite, writeZeroes, dataAt, metaAt, ZERO_CHUNK } from "./media";
import { persistent } from "./smart";
import { traceOn, emit } from "./events";

/** Byte offset of the Source Range entries in the SQE-relative error location: the data pointer. */
const LOC_DPTR: u32 = 24;

export function copy(dst: NsState): u32 {
  const st = state();
  const cdw12 = load<u32>(g_sqe + SQE_CDW12);
  const nr = (cdw12 & COPY_NR_MASK) + 1;
  const fmt = (cdw12 >> COPY_DESFMT_SHIFT) & COPY_DESFMT_MASK;
  const sdlba = load<u64>(g_sqe + SQE_CDW10);
  // 1. The format must be supported (OCFS) and, for 2h/3h, enabled (CDFE).
  const crossNs = fmt == COPY_FORMAT_2 || fmt == COPY_FORMAT_3;
  if ((st.ocfs & (<u32>1 << fmt)) == 0 || (crossNs && (st.feat_hbs_cdfe & (<u32>1 << fmt)) == 0)) {
    return fail(SC_INVALID_FIELD | STATUS_DNR, SQE_CDW12, COPY_DESFMT_SHIFT);
  }
  // 2. NR against MSRC of the namespace the command names.
  if (nr > dst.msrc + 1) return fail(SC_COMMAND_SIZE_LIMIT_EXCEEDED | STATUS_DNR, SQE_CDW12, 0);
  // 3. Formats 0h/2h fit the 16b-guard protection information format, 1h/3h the 32b/64b-guard
  //    ones; a mismatch is Invalid Namespace or Format (QEMU: Invalid Format).
  const wide = fmt == COPY_FORMAT_1 || fmt == COPY_FORMAT_3;
  if (wide != (dst.pif != PIF_16B_GUARD)) return fail(SC_INVALID_NSID | STATUS_DNR, SQE_CDW12, COPY_DESFMT_SHIFT);
  // The PI fields, used range by range.
  g_prinfor = (cdw12 >> COPY_PRINFOR_SHIFT) & PRINFO_MASK;
  g_prinfow = (cdw12 >> COPY_PRINFOW_SHIFT) & PRINFO_MASK;
  g_wide = wide;
  g_ref = dst.pi != 0 ? cmdIlbrt(dst) : 0;
  // 4. The Source Range entries.
  const esize = wide ? COPY_RANGE_F1_SIZE : COPY_RANGE_F0_SIZE;
  const buf = <usize>st.range_buf;
  const s = bufferFromHost(buf, nr * esize);
  if (s != SC_SUCCESS) return s;
  // 5. The total length against MCL.
  let total: u64 = 0;
  for (let i: u32 = 0; i < nr; i++) total += <u64>load<u16>(buf + <usize>(i * esize) + COPY_RANGE_NLB) + 1;
  if (total > <u64>dst.mcl) return fail(SC_COMMAND_SIZE_LIMIT_EXCEEDED | STATUS_DNR, SQE_CDW12, 0);
  // 6. Range by range.
  let dlba = sdlba;
  for (let i: u32 = 0; i < nr; i++) {
    const r = buf + <usize>(i * esize);
    const status = copyOne(dst, r, crossNs, sdlba, total, dlba, i);
    if (status != SC_SUCCESS) { setDw0(i); return status; }
    dlba += <u64>load<u16>(r + COPY_RANGE_NLB) + 1;
  }
  const p = persistent();
  p.read_bytes += total << dst.lbads;
  p.written_bytes += total << dst.lbads;
  p.host_write_cmds++;
  return SC_SUCCESS;
}

/** Check and copy Source Range entry r (index i) to dlba. */
function copyOne(dst: NsState, r: usize, crossNs: bool, sdlba: u64, total: u64, dlba: u64, i: u32): u32 {
  let src = dst;
  if (crossNs) {
    const snsid = load<u32>(r + COPY_RANGE_SNSID);
    if (snsid != dst.nsid) {
      if (!nsidValid(snsid) || snsid == NSID_BROADCAST) return fail(SC_INVALID_NSID | STATUS_DNR, LOC_DPTR, 0);
      const found = nsById(snsid);
      if (found == null) return fail(SC_INVALID_FIELD | STATUS_DNR, LOC_DPTR, 0);
      src = changetype<NsState>(found);
      if (!compatible(src, dst)) return fail(SC_INCOMPATIBLE_NS_OR_FORMAT | STATUS_DNR, LOC_DPTR, 0);
    }
  }
  const slba = load<u64>(r + COPY_RANGE_SLBA);
  const nlb = <u64>load<u16>(r + COPY_RANGE_NLB) + 1;
  // Formats 2h/3h forbid a source in the destination namespace that shares an LBA with the
  // destination range; with 0h/1h overlap is allowed (and copies as if through a buffer).
  // The ranges are compared by their distance, so nothing wraps around 2^64.
  if (crossNs && src == dst && (slba >= sdlba ? slba - sdlba < total : sdlba - slba < nlb)) {
    return failAt(SC_OVERLAPPING_IO_RANGE | STATUS_DNR, LOC_DPTR, slba);
  }
  // Within one namespace formatted with PI, PRINFOR and PRINFOW must agree on PRACT: the tuples
  // are either carried through or stripped and regenerated (QEMU 10.0.2: Invalid Field, checked
  // here, range by range, as nvme_do_copy does; another namespace is compatible() above).
  if (src == dst && dst.pi != 0 && ((g_prinfor ^ g_prinfow) & PRINFO_PRACT) != 0) return fail(SC_INVALID_FIELD | STATUS_DNR, SQE_CDW12, COPY_PRINFOW_SHIFT);
  if (nlb > <u64>dst.mssrl) return fail(SC_COMMAND_SIZE_LIMIT_EXCEEDED | STATUS_DNR, LOC_DPTR, 0);
  if (!inRange(src, slba, nlb)) return failAt(SC_LBA_OUT_OF_RANGE | STATUS_DNR, LOC_DPTR, slba);
  // Protection information: the source's tuples checked per PRINFOR and this entry's tags, the
  // destination's per PRINFOW and the command's (NVM CS 1.1 §3.3.2, §5.2), before anything of
  // this range is written; after the source is read and before the destination's bounds, in
  // QEMU 10.0.2's order.
  if ((src.pi | dst.pi) != 0) {
    const s = piCheckRange(src, slba, dst, dlba, nlb, r);
    if (s != SC_SUCCESS) return s;
  }
  if (!inRange(dst, dlba, nlb)) return failAt(SC_LBA_OUT_OF_RANGE | STATUS_DNR, SQE_CDW10, dlba);
  if (!reserveWrite(dst, dlba, nlb)) return fail(SC_CAPACITY_EXCEEDED | STATUS_DNR, SQE_CDW10, 0);
  if (traceOn(EVC_NORMAL)) emit(EVK_COPY_RANGE, EVC_NORMAL, i, <u32>(nlb - 1), NVM_COPY, 0, dst.nsid, src.nsid, slba, dlba);
  copyBlocks(src, slba, dst, dlba, nlb);
  if (dst.pi != 0) {
    if ((g_prinfow & PRINFO_PRACT) != 0) generateMedia(dst, dlba, nlb, load<u32>(g_sqe + SQE_CDW15) & 0xffff, g_ref);
    g_ref = advanceRef(dst, g_ref, nlb);
  }
  return SC_SUCCESS;
}

// The command's PI fields while its ranges are copied: PRINFOR, PRINFOW, the descriptor format
// width, and the destination's next expected Reference Tag (ILBRT, counting on across ranges).
let g_prinfor: u32 = 0;
let g_prinfow: u32 = 0;
let g_wide: bool = false;
let g_ref: u64 = 0;

/**
 * Whether a source namespace's blocks can be copied into the destination's format (formats
 * 2h/3h; NVM CS 1.1 §3.3.2, the checks QEMU 10.0.2's nvme_copy_ns_format_match and
 * nvme_copy_corresp_pi_match make): the same data size; without PI on either side the same
 * metadata size; with PI on both, the same metadata size, PI format, type and location and the
 * same PRACT on both sides; with PI on one side only, the tuple is the whole metadata of that
 * side, the other has none, and PRACT on the PI side strips or inserts it.
 */
function compatible(src: NsState, dst: NsState): bool {
  if (src.lbads != dst.lbads) return false;
  if (src.pi == 0 && dst.pi == 0) return src.ms == dst.ms;
  if (src.pi != 0 && dst.pi != 0) {
    return src.ms == dst.ms && src.pif == dst.pif && src.pi == dst.pi && src.pil == dst.pil
      && ((g_prinfor ^ g_prinfow) & PRINFO_PRACT) == 0;
  }
  if (src.pi != 0) return (g_prinfor & PRINFO_PRACT) != 0 && src.ms == src.pi_size && dst.ms == 0;
  return (g_prinfow & PRINFO_PRACT) != 0 && dst.ms == dst.pi_size && src.ms == 0;
}

/** The Reference Tag after n more blocks: types 1 and 2 count, type 3 keeps it. */
function advanceRef(ns: NsState, ref: u64, n: u64): u64 {
  return ns.pi == <u32>PI_TYPE_3 ? ref : (ref + n) & refMask(ns);
}

/**
 * The PI checks of one range: the source tuples against PRINFOR with the entry's EILBRT,
 * ELBAT and ELBATM; then, unless PRINFOW inserts new ones, the same tuples as the destination
 * will hold them against PRINFOW with ILBRT (counting on from earlier ranges), LBAT and LBATM.
 */
function piCheckRange(src: NsState, slba: u64, dst: NsState, dlba: u64, nlb: u64, r: usize): u32 {
  if (src.pi != 0) {
    let eilbrt: u64;
    let elbat: u32;
    let elbatm: u32;
    if (g_wide) {
      // ELBT bytes 26-35: the 48-bit EILBRT is bytes 30-35, most significant first (QEMU 10.0.2).
      eilbrt = (<u64>bswap<u16>(load<u16>(r + COPY_RANGE_F1_ELBT + 4)) << 32) | <u64>bswap<u32>(load<u32>(r + COPY_RANGE_F1_ELBT + 6));
      elbat = <u32>load<u16>(r + COPY_RANGE_F1_ELBAT);
      elbatm = <u32>load<u16>(r + COPY_RANGE_F1_ELBATM);
    } else {
      eilbrt = <u64>load<u32>(r + COPY_RANGE_F0_EILBRT);
      elbat = <u32>load<u16>(r + COPY_RANGE_F0_ELBAT);
      elbatm = <u32>load<u16>(r + COPY_RANGE_F0_ELBATM);
    }
    let s = prinfoCheck(src, g_prinfor, slba, eilbrt, LOC_DPTR);
    if (s != SC_SUCCESS) return s;
    s = checkMedia(src, slba, nlb, g_prinfor, elbat, elbatm, eilbrt);
    if (s != SC_SUCCESS) return s;
  }
  if (dst.pi != 0) {
    let s = prinfoCheck(dst, g_prinfow, dlba, g_ref, SQE_CDW12);
    if (s != SC_SUCCESS) return s;
    if ((g_prinfow & PRINFO_PRACT) == 0) {
      const cdw15 = load<u32>(g_sqe + SQE_CDW15);
      s = checkMedia(src, slba, nlb, g_prinfow, cdw15 & 0xffff, cdw15 >> 16, g_ref);
      if (s != SC_SUCCESS) return s;
    }
  }
  return SC_SUCCESS;
}

/**
 * Copy nlb blocks (data and metadata) from src:slba to dst:dlba, in pieces that stay inside
 * one chunk on both sides. Within one namespace, a destination after an overlapping source
 * is copied from the end, so the result is that of reading the whole range first. Going
 * forward, pieces that are contiguous in memory on both sides are merged into one
 * memory.copy (large copies run near memory bandwidth; 16 KiB ones do not).
 */
export function copyBlocks(src: NsState, slba: u64, dst: NsState, dlba: u64, nlb: u64): void {
  const backward = src == dst && dlba > slba && dlba < slba + nlb;
  const sper = <u64>1 << src.chunk_shift;
  const dper = <u64>1 << dst.chunk_shift;
  const merge = !backward && dst.ms == 0;
  let done: u64 = 0;
  while (done < nlb) {
    let n: u64;
    let k: u64;
    if (!backward) {
      k = done;
      n = min<u64>(nlb - done, min<u64>(sper - ((slba + k) & (sper - 1)), dper - ((dlba + k) & (dper - 1))));
    } else {
      const end = nlb - done;
      n = min<u64>(end, min<u64>(((slba + end - 1) & (sper - 1)) + 1, ((dlba + end - 1) & (dper - 1)) + 1));
      k = end - n;
    }
    copyPiece(src, slba + k, dst, dlba + k, <u32>n, merge);
    done += n;
  }
  flushRun();
}

// The merged copy not yet done: [run_src, run_src + run_len) -> [run_dst, ...).
let run_src: usize = 0;
let run_dst: usize = 0;
let run_len: usize = 0;

function flushRun(): void {
  if (run_len != 0) memory.copy(run_dst, run_src, run_len);
  run_len = 0;
}

function copyPiece(src: NsState, s: u64, dst: NsState, d: u64, n: u32, merge: bool): void {
  const sp = chunkAt(src, s >> src.chunk_shift);
  if (sp <= ZERO_CHUNK) { flushRun(); writeZeroes(dst, d, <u64>n); return; }
  const si = <u32>(s & ((<u64>1 << src.chunk_shift) - 1));
  const dc = d >> dst.chunk_shift;
  const di = <u32>(d & ((<u64>1 << dst.chunk_shift) - 1));
  const dp = materialize(dst, dc);
  assert(dp != 0, "copy without reservation");
  const from = dataAt(src, <usize>sp, si);
  const to = dataAt(dst, dp, di);
  const bytes = <usize>n << dst.lbads;
  if (merge) {
    if (run_len != 0 && from == run_src + run_len && to == run_dst + run_len) {
      run_len += bytes;
    } else {
      flushRun();
      run_src = from;
      run_dst = to;
      run_len = bytes;
    }
  } else {
    memory.copy(to, from, bytes);
    // Metadata moves only between equal formats; otherwise one side has none (a PI tuple
    // stripped or to be inserted, see compatible()) and the destination's starts as zeroes.
    if (dst.ms != 0) {
      if (src.ms == dst.ms) memory.copy(metaAt(dst, dp, di), metaAt(src, <usize>sp, si), <usize>(n * dst.ms));
      else memory.fill(metaAt(dst, dp, di), 0, <usize>(n * dst.ms));
    }
  }
  markWritten(dst, dc, di, n);
}
