// NVM Command Set I/O commands (NVM CS 1.1 §3.3): Flush, Write, Read, Compare, Write
// Zeroes, Dataset Management and Verify; Copy is in copy.ts. Checks follow QEMU's order
// (MDTS, LBA range, then the data pointer); data moves between host memory and media
// chunk by chunk, with nothing written when the data pointer is bad.

import { SQE_NSID, SQE_CDW10, SQE_CDW11, SQE_CDW12 } from "../spec/sqe";
import {
  NVM_WRITE, NVM_READ, NVM_COMPARE, NVM_WRITE_ZEROES, NVM_DATASET_MANAGEMENT, NVM_VERIFY, NVM_COPY,
  RW_NLB_MASK, RW_DEAC_BIT, RW_PRINFO_SHIFT, DSM_NR_MASK, DSM_AD, DSM_RANGE_SIZE, DSM_RANGE_NLB, DSM_RANGE_SLBA,
} from "../spec/opcodes";
import {
  SC_SUCCESS, SC_INVALID_FIELD, SC_INVALID_NSID, SC_LBA_OUT_OF_RANGE, SC_CAPACITY_EXCEEDED,
  SC_COMPARE_FAILURE, SC_COMMAND_SIZE_LIMIT_EXCEEDED, SC_INVALID_PROTECTION_INFO, STATUS_DNR,
} from "../spec/status";
import { VWC_FLUSH_BROADCAST, ONCS_WRITE_ZEROES, ONCS_DSM, ONCS_VERIFY } from "../spec/identify";
import { g_sqe, state } from "./globals";
import { NsState } from "./state";
import { fail, failAt } from "./result";
import { nsById, nsidValid, inRange, lbaDataBytes, NSID_BROADCAST } from "./ns";
import { mapData, mapMetadata, toHost, fromHost, zeroHost, compareHost, bufferFromHost, Cursor, g_dcur, g_mcur } from "./dma";
import { blockInChunk, pieceBlocks, chunkAt, materialize, markWritten, reserveWrite, deallocate, writeZeroes, dataAt, metaAt, ZERO_CHUNK } from "./media";
import { countRead, countWrite, persistent } from "./smart";
import { mdtsBytes } from "./exec";
import { copy } from "./copy";
import { PRINFO_PRACT, PRINFO_PRCHK_MASK } from "../spec/pi";
import {
  cmdPrinfo, cmdIlbrt, cmdApp, cmdAppMask, piStrips, prinfoCheck, checkMedia, checkHost, generateMedia, onesTuple, lbaWritten,
} from "./pi";

export function nvmDispatch(opc: u32, ns: NsState): u32 {
  // A namespace formatted with protection information takes the PI paths below; every other
  // namespace pays this one test.
  if (ns.pi != 0) {
    switch (opc) {
      case NVM_WRITE: return piWrite(ns);
      case NVM_READ: return piRead(ns);
      case NVM_COMPARE: return piCompare(ns);
      case NVM_WRITE_ZEROES: return piWriteZeroes(ns);
      case NVM_VERIFY: return piVerify(ns);
    }
  }
  switch (opc) {
    case NVM_WRITE: return write(ns);
    case NVM_READ: return read(ns);
    case NVM_COMPARE: return compare(ns);
    case NVM_WRITE_ZEROES: return writeZeroesCommand(ns);
    case NVM_DATASET_MANAGEMENT: return datasetManagement(ns);
    case NVM_VERIFY: return verify(ns);
    case NVM_COPY: return copy(ns);
  }
  return fail(SC_INVALID_FIELD | STATUS_DNR, 0, 0);
}

/** Flush (NVM CS §3.3.1): media is written through, so there is nothing volatile to flush. */
export function flush(nsid: u32): u32 {
  if (nsid == NSID_BROADCAST) {
    if ((state().vwc & VWC_FLUSH_BROADCAST) == VWC_FLUSH_BROADCAST) return SC_SUCCESS;
    return fail(SC_INVALID_NSID | STATUS_DNR, SQE_NSID, 0);
  }
  if (!nsidValid(nsid)) return fail(SC_INVALID_NSID | STATUS_DNR, SQE_NSID, 0);
  if (nsById(nsid) == null) return fail(SC_INVALID_FIELD | STATUS_DNR, SQE_NSID, 0);
  return SC_SUCCESS;
}

@inline function cmdSlba(): u64 { return load<u64>(g_sqe + SQE_CDW10); }
@inline function cmdNlb(): u64 { return <u64>(load<u32>(g_sqe + SQE_CDW12) & RW_NLB_MASK) + 1; }

/** MDTS, LBA range, then map data (and separate metadata) for nlb blocks. */
@inline function prepareTransfer(ns: NsState, slba: u64, nlb: u64): u32 {
  const bytes = nlb * <u64>lbaDataBytes(ns);
  const mdts = mdtsBytes();
  if (mdts != 0 && bytes > mdts) return fail(SC_INVALID_FIELD | STATUS_DNR, SQE_CDW12, 0);
  if (!inRange(ns, slba, nlb)) return failAt(SC_LBA_OUT_OF_RANGE | STATUS_DNR, SQE_CDW10, slba);
  let st = mapData(bytes);
  if (st != SC_SUCCESS) return st;
  if (ns.ms != 0 && ns.extended == 0) st = mapMetadata(nlb * <u64>ns.ms);
  return st;
}

function read(ns: NsState): u32 {
  const slba = cmdSlba();
  const nlb = cmdNlb();
  const st = prepareTransfer(ns, slba, nlb);
  if (st != SC_SUCCESS) return st;
  mediaToHost(ns, slba, nlb);
  countRead(nlb << ns.lbads);
  return SC_SUCCESS;
}

function write(ns: NsState): u32 {
  const slba = cmdSlba();
  const nlb = cmdNlb();
  const st = prepareTransfer(ns, slba, nlb);
  if (st != SC_SUCCESS) return st;
  if (!reserveWrite(ns, slba, nlb)) return fail(SC_CAPACITY_EXCEEDED | STATUS_DNR, SQE_CDW10, 0);
  hostToMedia(ns, slba, nlb);
  countWrite(nlb << ns.lbads);
  return SC_SUCCESS;
}

function compare(ns: NsState): u32 {
  const slba = cmdSlba();
  const nlb = cmdNlb();
  const st = prepareTransfer(ns, slba, nlb);
  if (st != SC_SUCCESS) return st;
  const bad = compareMedia(ns, slba, nlb);
  countRead(nlb << ns.lbads);
  if (bad != -1) return failAt(SC_COMPARE_FAILURE | STATUS_DNR, SQE_CDW10, <u64>bad);
  return SC_SUCCESS;
}

/**
 * A size limit of Identify CNS 06h (VSL, WZSL: 2^n x CAP.MPSMIN, counting interleaved
 * metadata) as NVM CS 1.0 Figure 102 and §3.2.5 / §3.2.8 define it: with the command's ONCS
 * bit set it is a recommendation only; with the bit cleared it is the command's limit, and a
 * larger command is aborted with Invalid Field in Command.
 */
function sizeLimitCheck(ns: NsState, nlb: u64, limit: u32, oncsBit: u32): u32 {
  if (limit == 0 || (state().oncs & oncsBit) != 0) return SC_SUCCESS;
  if (nlb * <u64>lbaDataBytes(ns) > (<u64>4096 << limit)) return fail(SC_INVALID_FIELD | STATUS_DNR, SQE_CDW12, 0);
  return SC_SUCCESS;
}

/** Write Zeroes (NVM CS §3.3.7): DEAC = 1 deallocates, otherwise the blocks stay written. */
function writeZeroesCommand(ns: NsState): u32 {
  const slba = cmdSlba();
  const nlb = cmdNlb();
  const lim = sizeLimitCheck(ns, nlb, state().wzsl, ONCS_WRITE_ZEROES);
  if (lim != SC_SUCCESS) return lim;
  if (!inRange(ns, slba, nlb)) return failAt(SC_LBA_OUT_OF_RANGE | STATUS_DNR, SQE_CDW10, slba);
  if ((load<u32>(g_sqe + SQE_CDW12) >> RW_DEAC_BIT) & 1) {
    deallocate(ns, slba, nlb);
  } else {
    if (!reserveWrite(ns, slba, nlb)) return fail(SC_CAPACITY_EXCEEDED | STATUS_DNR, SQE_CDW10, 0);
    writeZeroes(ns, slba, nlb);
  }
  persistent().host_write_cmds++;
  return SC_SUCCESS;
}

/** Verify (NVM CS §3.3.6): no data moves; stored data has no errors to find. */
function verify(ns: NsState): u32 {
  const slba = cmdSlba();
  const nlb = cmdNlb();
  const lim = sizeLimitCheck(ns, nlb, state().vsl, ONCS_VERIFY);
  if (lim != SC_SUCCESS) return lim;
  if (!inRange(ns, slba, nlb)) return failAt(SC_LBA_OUT_OF_RANGE | STATUS_DNR, SQE_CDW10, slba);
  persistent().host_read_cmds++;
  return SC_SUCCESS;
}

/**
 * Dataset Management (NVM CS §3.3.3): with AD set, deallocate every range. All ranges are
 * checked before any is deallocated; one outside the namespace fails the command. The
 * processing limits DMRL, DMRSL and DMSL (NVM CS §3.2.3.1), when configured, bound which
 * blocks are deallocated: with ONCS bit 2 set the blocks beyond them are left as they are,
 * with it cleared a command reaching beyond them is aborted with Command Size Limit Exceeded.
 */
function datasetManagement(ns: NsState): u32 {
  const nr = (load<u32>(g_sqe + SQE_CDW10) & DSM_NR_MASK) + 1;
  const attrs = load<u32>(g_sqe + SQE_CDW11);
  const buf = <usize>state().range_buf;
  const st = bufferFromHost(buf, nr * DSM_RANGE_SIZE);
  if (st != SC_SUCCESS) return st;
  if ((attrs & DSM_AD) == 0) return SC_SUCCESS; // IDR/IDW are hints
  for (let i: u32 = 0; i < nr; i++) {
    const r = buf + <usize>(i * DSM_RANGE_SIZE);
    const nlb = <u64>load<u32>(r + DSM_RANGE_NLB);
    const slba = load<u64>(r + DSM_RANGE_SLBA);
    if (nlb != 0 && !inRange(ns, slba, nlb)) return failAt(SC_LBA_OUT_OF_RANGE | STATUS_DNR, SQE_CDW10, slba);
  }
  const strict = (state().oncs & ONCS_DSM) == 0;
  let before: u64 = 0;
  for (let i: u32 = 0; i < nr; i++) {
    const nlb = <u64>load<u32>(buf + <usize>(i * DSM_RANGE_SIZE) + DSM_RANGE_NLB);
    if (strict && dsmProcessed(i, before, nlb) < nlb) return fail(SC_COMMAND_SIZE_LIMIT_EXCEEDED | STATUS_DNR, SQE_CDW10, 0);
    before += nlb;
  }
  before = 0;
  for (let i: u32 = 0; i < nr; i++) {
    const r = buf + <usize>(i * DSM_RANGE_SIZE);
    const nlb = <u64>load<u32>(r + DSM_RANGE_NLB);
    deallocate(ns, load<u64>(r + DSM_RANGE_SLBA), dsmProcessed(i, before, nlb));
    before += nlb;
  }
  return SC_SUCCESS;
}

/**
 * How many leading blocks of range i (nlb blocks, after `before` blocks of lower ranges) satisfy
 * the three processing limits of NVM CS §3.2.3.1; all of them when no limits are set.
 */
function dsmProcessed(i: u32, before: u64, nlb: u64): u64 {
  const s = state();
  if (s.dmrl == 0) return nlb;
  if (i >= s.dmrl) return 0;
  let n = nlb < <u64>s.dmrsl ? nlb : <u64>s.dmrsl;
  const left = before < s.dmsl ? s.dmsl - before : 0;
  return n < left ? n : left;
}

// ---- moving data between media and the host ----

/**
 * Read [slba, slba + nlb) to the mapped host buffers. Data alone (no metadata) is the common
 * format: its loop is kept apart, so the engine keeps its few values in registers.
 */
function mediaToHost(ns: NsState, slba: u64, nlb: u64): void {
  if (ns.ms != 0) { mediaWithMetadataToHost(ns, slba, nlb); return; }
  const dc = changetype<Cursor>(g_dcur);
  let lba = slba;
  const end = slba + nlb;
  while (lba < end) {
    const i = blockInChunk(ns, lba);
    const n = pieceBlocks(ns, lba, end);
    const p = chunkAt(ns, lba >> ns.chunk_shift);
    if (p > ZERO_CHUNK) toHost(dc, dataAt(ns, p, i), n << ns.lbads);
    else zeroHost(dc, n << ns.lbads);
    lba += <u64>n;
  }
}

/** mediaToHost for a format with metadata, extended (after each LBA's data) or separate (MPTR). */
function mediaWithMetadataToHost(ns: NsState, slba: u64, nlb: u64): void {
  const dc = changetype<Cursor>(g_dcur);
  const mc = changetype<Cursor>(g_mcur);
  const bs = <u32>1 << ns.lbads;
  let lba = slba;
  const end = slba + nlb;
  while (lba < end) {
    const c = lba >> ns.chunk_shift;
    const i = blockInChunk(ns, lba);
    const n = pieceBlocks(ns, lba, end);
    const p = chunkAt(ns, c);
    const real = p > ZERO_CHUNK;
    if (ns.extended != 0 && ns.ms != 0) {
      for (let k: u32 = 0; k < n; k++) {
        if (real) { toHost(dc, dataAt(ns, p, i + k), bs); toHost(dc, metaAt(ns, p, i + k), ns.ms); }
        else zeroHost(dc, bs + ns.ms);
      }
    } else {
      if (real) toHost(dc, dataAt(ns, p, i), n << ns.lbads);
      else zeroHost(dc, n << ns.lbads);
      if (ns.ms != 0) {
        if (real) toHost(mc, metaAt(ns, p, i), n * ns.ms);
        else zeroHost(mc, n * ns.ms);
      }
    }
    lba += <u64>n;
  }
}

/** Write [slba, slba + nlb) from the mapped host buffers; memory was reserved. */
function hostToMedia(ns: NsState, slba: u64, nlb: u64): void {
  const dc = changetype<Cursor>(g_dcur);
  const mc = changetype<Cursor>(g_mcur);
  const bs = <u32>1 << ns.lbads;
  let lba = slba;
  const end = slba + nlb;
  while (lba < end) {
    const c = lba >> ns.chunk_shift;
    const i = blockInChunk(ns, lba);
    const n = pieceBlocks(ns, lba, end);
    const p = materialize(ns, c);
    assert(p != 0, "write without reservation");
    if (ns.extended != 0 && ns.ms != 0) {
      for (let k: u32 = 0; k < n; k++) {
        fromHost(dc, dataAt(ns, p, i + k), bs);
        fromHost(dc, metaAt(ns, p, i + k), ns.ms);
      }
    } else {
      fromHost(dc, dataAt(ns, p, i), n << ns.lbads);
      if (ns.ms != 0) fromHost(mc, metaAt(ns, p, i), n * ns.ms);
    }
    markWritten(ns, c, i, n);
    lba += <u64>n;
  }
}

/** Compare host data with media; returns the first LBA of a piece that differs, or -1. */
function compareMedia(ns: NsState, slba: u64, nlb: u64): i64 {
  const dc = changetype<Cursor>(g_dcur);
  const mc = changetype<Cursor>(g_mcur);
  const bs = <u32>1 << ns.lbads;
  let lba = slba;
  const end = slba + nlb;
  while (lba < end) {
    const c = lba >> ns.chunk_shift;
    const i = blockInChunk(ns, lba);
    const n = pieceBlocks(ns, lba, end);
    const p = chunkAt(ns, c);
    const real = p > ZERO_CHUNK;
    for (let k: u32 = 0; k < n; k++) {
      let same: bool;
      if (ns.extended != 0 && ns.ms != 0) {
        same = compareHost(dc, real ? dataAt(ns, p, i + k) : 0, bs);
        same = compareHost(dc, real ? metaAt(ns, p, i + k) : 0, ns.ms) && same;
      } else {
        same = compareHost(dc, real ? dataAt(ns, p, i + k) : 0, bs);
        if (ns.ms != 0) same = compareHost(mc, real ? metaAt(ns, p, i + k) : 0, ns.ms) && same;
      }
      if (!same) return <i64>(lba + <u64>k);
    }
    lba += <u64>n;
  }
  return -1;
}

// ---- protection information (NVM CS 1.1 §5.2; pi.ts has the tuple arithmetic) ----

/**
 * MDTS, LBA range, then map the data (and separate metadata) a PI command moves: with PRACT
 * on a format whose metadata is only the PI tuple, the tuple stays on the device (inserted on
 * writes, stripped on reads) and the host transfers data alone (§5.2.2.1, §5.2.2.2).
 */
function piPrepare(ns: NsState, slba: u64, nlb: u64, strip: bool): u32 {
  const per = (<u64>1 << ns.lbads) + (ns.extended != 0 && !strip ? <u64>ns.ms : 0);
  const mdts = mdtsBytes();
  if (mdts != 0 && nlb * per > mdts) return fail(SC_INVALID_FIELD | STATUS_DNR, SQE_CDW12, 0);
  if (!inRange(ns, slba, nlb)) return failAt(SC_LBA_OUT_OF_RANGE | STATUS_DNR, SQE_CDW10, slba);
  let st = mapData(nlb * per);
  if (st != SC_SUCCESS) return st;
  if (ns.extended == 0 && !strip) st = mapMetadata(nlb * <u64>ns.ms);
  return st;
}

/** Read (§5.2.2.2): check the stored tuples per PRCHK, then move data (and metadata unless stripped). */
function piRead(ns: NsState): u32 {
  const slba = cmdSlba();
  const nlb = cmdNlb();
  const prinfo = cmdPrinfo();
  const strip = piStrips(ns, prinfo);
  let st = piPrepare(ns, slba, nlb, strip);
  if (st != SC_SUCCESS) return st;
  const ilbrt = cmdIlbrt(ns);
  st = prinfoCheck(ns, prinfo, slba, ilbrt, SQE_CDW12);
  if (st != SC_SUCCESS) return st;
  st = checkMedia(ns, slba, nlb, prinfo, cmdApp(), cmdAppMask(), ilbrt);
  if (st != SC_SUCCESS) return st;
  piMediaToHost(ns, slba, nlb, strip);
  countRead(nlb << ns.lbads);
  return SC_SUCCESS;
}

/**
 * Write (§5.2.2.1): with PRACT the controller generates each tuple (Guard over the data and
 * the metadata before the tuple, LBAT, ILBRT counting up for types 1 and 2); without it the
 * host's tuples are checked per PRCHK before anything is stored.
 */
function piWrite(ns: NsState): u32 {
  const slba = cmdSlba();
  const nlb = cmdNlb();
  const prinfo = cmdPrinfo();
  const pract = (prinfo & PRINFO_PRACT) != 0;
  const strip = piStrips(ns, prinfo);
  let st = piPrepare(ns, slba, nlb, strip);
  if (st != SC_SUCCESS) return st;
  const ilbrt = cmdIlbrt(ns);
  st = prinfoCheck(ns, prinfo, slba, ilbrt, SQE_CDW12);
  if (st != SC_SUCCESS) return st;
  if (!pract) {
    const dc = changetype<Cursor>(g_dcur);
    st = checkHost(ns, dc, ns.extended != 0 ? dc : changetype<Cursor>(g_mcur), nlb, prinfo, cmdApp(), cmdAppMask(), ilbrt, slba);
    if (st != SC_SUCCESS) return st;
  }
  if (!reserveWrite(ns, slba, nlb)) return fail(SC_CAPACITY_EXCEEDED | STATUS_DNR, SQE_CDW10, 0);
  if (strip) dataToMedia(ns, slba, nlb);
  else hostToMedia(ns, slba, nlb);
  if (pract) generateMedia(ns, slba, nlb, cmdApp(), ilbrt);
  countWrite(nlb << ns.lbads);
  return SC_SUCCESS;
}

/**
 * Compare (§3.3.3 with §5.2): the stored tuples are checked per PRCHK, then data and metadata,
 * tuple included, are compared. PRACT is Invalid Protection Information, as QEMU 10.0.2's
 * nvme_compare has it: the host's buffer always carries the tuples it compares.
 */
function piCompare(ns: NsState): u32 {
  const slba = cmdSlba();
  const nlb = cmdNlb();
  const prinfo = cmdPrinfo();
  if ((prinfo & PRINFO_PRACT) != 0) return fail(SC_INVALID_PROTECTION_INFO | STATUS_DNR, SQE_CDW12, RW_PRINFO_SHIFT);
  let st = prepareTransfer(ns, slba, nlb);
  if (st != SC_SUCCESS) return st;
  const ilbrt = cmdIlbrt(ns);
  st = prinfoCheck(ns, prinfo, slba, ilbrt, SQE_CDW12);
  if (st != SC_SUCCESS) return st;
  st = checkMedia(ns, slba, nlb, prinfo, cmdApp(), cmdAppMask(), ilbrt);
  if (st != SC_SUCCESS) return st;
  const bad = piCompareMedia(ns, slba, nlb);
  countRead(nlb << ns.lbads);
  if (bad != -1) return failAt(SC_COMPARE_FAILURE | STATUS_DNR, SQE_CDW10, <u64>bad);
  return SC_SUCCESS;
}

/**
 * Verify (§3.3.6 with §5.2): the stored tuples are checked per PRCHK; no data moves, so there
 * is nothing for PRACT to insert or strip: Invalid Protection Information, as QEMU 10.0.2. The
 * PI fields are checked first, before VSL and the LBA range, in QEMU's nvme_verify order.
 */
function piVerify(ns: NsState): u32 {
  const slba = cmdSlba();
  const nlb = cmdNlb();
  const prinfo = cmdPrinfo();
  const ilbrt = cmdIlbrt(ns);
  let st = prinfoCheck(ns, prinfo, slba, ilbrt, SQE_CDW12);
  if (st != SC_SUCCESS) return st;
  if ((prinfo & PRINFO_PRACT) != 0) return fail(SC_INVALID_PROTECTION_INFO | STATUS_DNR, SQE_CDW12, RW_PRINFO_SHIFT);
  const lim = sizeLimitCheck(ns, nlb, state().vsl, ONCS_VERIFY);
  if (lim != SC_SUCCESS) return lim;
  if (!inRange(ns, slba, nlb)) return failAt(SC_LBA_OUT_OF_RANGE | STATUS_DNR, SQE_CDW10, slba);
  st = checkMedia(ns, slba, nlb, prinfo, cmdApp(), cmdAppMask(), ilbrt);
  if (st != SC_SUCCESS) return st;
  persistent().host_read_cmds++;
  return SC_SUCCESS;
}

/**
 * Write Zeroes (§3.3.8 with §5.2): the blocks read as zeroes with protection information per
 * PRINFO: with PRACT clear the tuple is all zeroes, with PRACT set it is generated (Guard of the
 * zeroes, LBAT, ILBRT counting up). No data arrives to check, so PRCHK bits are Invalid
 * Protection Information (as QEMU 10.0.2). DEAC is a permission, not a duty: on a PI namespace
 * the blocks are written, not deallocated, because a deallocated block reads with the all-ones
 * tuple, not the one PRINFO asks for.
 */
function piWriteZeroes(ns: NsState): u32 {
  const slba = cmdSlba();
  const nlb = cmdNlb();
  const prinfo = cmdPrinfo();
  const lim = sizeLimitCheck(ns, nlb, state().wzsl, ONCS_WRITE_ZEROES);
  if (lim != SC_SUCCESS) return lim;
  if (!inRange(ns, slba, nlb)) return failAt(SC_LBA_OUT_OF_RANGE | STATUS_DNR, SQE_CDW10, slba);
  if ((prinfo & PRINFO_PRCHK_MASK) != 0) return fail(SC_INVALID_PROTECTION_INFO | STATUS_DNR, SQE_CDW12, RW_PRINFO_SHIFT);
  if (!reserveWrite(ns, slba, nlb)) return fail(SC_CAPACITY_EXCEEDED | STATUS_DNR, SQE_CDW10, 0);
  writeZeroes(ns, slba, nlb);
  if ((prinfo & PRINFO_PRACT) != 0) generateMedia(ns, slba, nlb, cmdApp(), cmdIlbrt(ns));
  persistent().host_write_cmds++;
  return SC_SUCCESS;
}

/**
 * Read [slba, slba + nlb) to the host block by block: data, then metadata unless PRACT strips
 * it. A block never written (or deallocated) carries the all-ones tuple in its metadata.
 */
function piMediaToHost(ns: NsState, slba: u64, nlb: u64, strip: bool): void {
  const dc = changetype<Cursor>(g_dcur);
  const mc = ns.extended != 0 ? dc : changetype<Cursor>(g_mcur);
  const bs = <u32>1 << ns.lbads;
  const ones = onesTuple();
  for (let k: u64 = 0; k < nlb; k++) {
    const lba = slba + k;
    const p = chunkAt(ns, lba >> ns.chunk_shift);
    const i = blockInChunk(ns, lba);
    if (p > ZERO_CHUNK) toHost(dc, dataAt(ns, p, i), bs);
    else zeroHost(dc, bs);
    if (strip) continue;
    if (p != 0 && lbaWritten(ns, lba)) {
      if (p > ZERO_CHUNK) toHost(mc, metaAt(ns, p, i), ns.ms);
      else zeroHost(mc, ns.ms);
    } else {
      zeroHost(mc, ns.pi_off);
      toHost(mc, ones, ns.pi_size);
      zeroHost(mc, ns.ms - ns.pi_off - ns.pi_size);
    }
  }
}

/** Write the data of [slba, slba + nlb) from the host when PRACT inserts the whole metadata. */
function dataToMedia(ns: NsState, slba: u64, nlb: u64): void {
  const dc = changetype<Cursor>(g_dcur);
  let lba = slba;
  const end = slba + nlb;
  while (lba < end) {
    const c = lba >> ns.chunk_shift;
    const i = blockInChunk(ns, lba);
    const n = pieceBlocks(ns, lba, end);
    const p = materialize(ns, c);
    assert(p != 0, "write without reservation");
    fromHost(dc, dataAt(ns, p, i), n << ns.lbads);
    markWritten(ns, c, i, n);
    lba += <u64>n;
  }
}

/**
 * Compare host data and metadata with media, the tuple included (the host sends it: PRACT is
 * refused); a block never written compares as zeroes with the all-ones tuple it reads with.
 * Returns the first differing LBA or -1.
 */
function piCompareMedia(ns: NsState, slba: u64, nlb: u64): i64 {
  const dc = changetype<Cursor>(g_dcur);
  const mc = ns.extended != 0 ? dc : changetype<Cursor>(g_mcur);
  const bs = <u32>1 << ns.lbads;
  const ones = onesTuple();
  const rest = ns.ms - ns.pi_off - ns.pi_size;
  for (let k: u64 = 0; k < nlb; k++) {
    const lba = slba + k;
    const p = chunkAt(ns, lba >> ns.chunk_shift);
    const i = blockInChunk(ns, lba);
    const real = p > ZERO_CHUNK;
    const written = p != 0 && lbaWritten(ns, lba);
    const meta = real ? metaAt(ns, p, i) : 0;
    let same = compareHost(dc, real ? dataAt(ns, p, i) : 0, bs);
    same = compareHost(mc, meta, ns.pi_off) && same;
    same = compareHost(mc, written ? (meta != 0 ? meta + ns.pi_off : 0) : ones, ns.pi_size) && same;
    same = compareHost(mc, meta != 0 ? meta + ns.pi_off + ns.pi_size : 0, rest) && same;
    if (!same) return <i64>lba;
  }
  return -1;
}
