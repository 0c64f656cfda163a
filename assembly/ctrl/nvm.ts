// NVM Command Set I/O commands (NVM CS 1.1 §3.3): Flush, Write, Read, Compare, Write
// Zeroes, Dataset Management and Verify; Copy is in copy.ts. Checks follow QEMU's order
// (MDTS, LBA range, then the data pointer); data moves between host memory and media
// chunk by chunk, with nothing written when the data pointer is bad.

import { SQE_NSID, SQE_CDW10, SQE_CDW11, SQE_CDW12 } from "../spec/sqe";
import {
  NVM_WRITE, NVM_READ, NVM_COMPARE, NVM_WRITE_ZEROES, NVM_DATASET_MANAGEMENT, NVM_VERIFY, NVM_COPY,
  RW_NLB_MASK, RW_DEAC_BIT, DSM_NR_MASK, DSM_AD, DSM_RANGE_SIZE, DSM_RANGE_NLB, DSM_RANGE_SLBA,
} from "../spec/opcodes";
import {
  SC_SUCCESS, SC_INVALID_FIELD, SC_INVALID_NSID, SC_LBA_OUT_OF_RANGE, SC_CAPACITY_EXCEEDED,
  SC_COMPARE_FAILURE, SC_COMMAND_SIZE_LIMIT_EXCEEDED, STATUS_DNR,
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

export function nvmDispatch(opc: u32, ns: NsState): u32 {
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
function prepareTransfer(ns: NsState, slba: u64, nlb: u64): u32 {
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

/** Read [slba, slba + nlb) to the mapped host buffers. */
function mediaToHost(ns: NsState, slba: u64, nlb: u64): void {
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
