// BAR0 registers as the host writes them: the MMIO mailbox is drained in order and each
// write takes effect as on a device (Base §3.1.4), driving the controller's state machine:
//
//   DISABLED --CC.EN 0->1, checks pass--> READY --CC.SHN != 0--> SHUTDOWN
//      ^          \--checks fail--> FATAL      |                     |
//      +-------- CC.EN 1->0 (controller reset) or NSSR from any phase +
//
// CC.SHN set while disabled is a shutdown too (CSTS.SHST = 10b, the phase stays DISABLED);
// so is one written together with CC.EN 1 -> 0, after the reset (Base 2.1 CC.SHN).
//
// The enable checks follow QEMU's nvme_start_ctrl order. Register reads are plain loads of
// the BAR0 mirror, which this file keeps current.

import {
  REG_CAP, REG_VS, REG_INTMS, REG_INTMC, REG_CC, REG_CSTS, REG_NSSR, REG_AQA, REG_ASQ, REG_ACQ,
  REG_DOORBELL_BASE, NSSR_MAGIC, CAP_CQR_BIT, CAP_TO_SHIFT, CAPH_DSTRD_SHIFT, CAPH_NSSRS_BIT,
  CAPH_CSS_SHIFT, CAPH_MPSMIN_SHIFT, CAPH_MPSMAX_SHIFT, CAP_CSS_NVM, CC_EN, CC_CSS_SHIFT, CC_CSS_MASK,
  CC_MPS_SHIFT, CC_MPS_MASK, CC_SHN_SHIFT, CC_SHN_MASK, CC_IOSQES_SHIFT, CC_IOCQES_SHIFT, CC_ES_MASK,
  CSTS_RDY, CSTS_CFS, CSTS_SHST_SHIFT, CSTS_SHST_COMPLETE, CSTS_NSSRO, AQA_ASQS_MASK, AQA_ACQS_SHIFT,
} from "../spec/regs";
import {
  MBOX_CONSUMER, MBOX_ENTRIES_OFFSET, MBOX_ENTRIES, MBOX_ENTRY_SIZE, MBOX_E_SEQ, MBOX_E_TARGET,
  MBOX_E_VALUE_LO, MBOX_E_VALUE_HI, MBOX_TARGET_OFFSET_MASK, MBOX_TARGET_SIZE_SHIFT, EVK_MMIO_WRITE, EVK_ENABLE, EVK_DISABLE, EVK_SHUTDOWN,
  EVK_FATAL, EVK_UB, EVK_NSSR, EVC_NORMAL, EVC_ERROR, EVC_HOST_UB, UB_MMIO_READONLY, UB_MMIO_MISALIGNED,
  UB_MMIO_BEYOND_BAR, UB_CC_WHILE_ENABLED, FATAL_ENABLE_CHECK,
} from "../layout";
import { g_bar, g_bar_size, g_mbox, state, publish32 } from "./globals";
import { PHASE_DISABLED, PHASE_READY, PHASE_FATAL, PHASE_SHUTDOWN } from "./state";
import { traceOn, emit } from "./events";
import { createCq, createSq, deleteAllQueues, doorbellWrite } from "./queues";
import { irqReset, unmasked } from "./irq";
import { aerReset } from "./aer";
import { featuresReset } from "./features";
import { persistent } from "./smart";
import { busToWasm } from "./dma";

/** The register values a read returns. */
export function writeBar(): void {
  const st = state();
  atomic.store<u32>(g_bar + REG_CC, st.cc);
  atomic.store<u32>(g_bar + REG_CSTS, st.csts);
  atomic.store<u32>(g_bar + REG_AQA, st.aqa);
  atomic.store<u64>(g_bar + REG_ASQ, st.asq);
  atomic.store<u64>(g_bar + REG_ACQ, st.acq);
  atomic.store<u32>(g_bar + REG_INTMS, st.intms);
  atomic.store<u32>(g_bar + REG_INTMC, st.intms);
}

/** CAP and VS, fixed at power-on from the configuration. */
export function writeCapabilities(): void {
  const st = state();
  const lo: u32 = (st.mqes & 0xffff) | (<u32>1 << CAP_CQR_BIT) | (<u32>0x0f << CAP_TO_SHIFT);
  const hi: u32 = ((st.dstrd & 0xf) << CAPH_DSTRD_SHIFT) | (<u32>1 << CAPH_NSSRS_BIT)
    | (<u32>CAP_CSS_NVM << CAPH_CSS_SHIFT) | (<u32>0 << CAPH_MPSMIN_SHIFT) | ((st.mpsmax & 0xf) << CAPH_MPSMAX_SHIFT);
  atomic.store<u32>(g_bar + REG_CAP, lo);
  atomic.store<u32>(g_bar + REG_CAP + 4, hi);
  atomic.store<u32>(g_bar + REG_VS, st.ver);
}

/** Address of the mailbox entry with posting number n. */
@inline export function mailboxEntry(n: u32): usize {
  return g_mbox + MBOX_ENTRIES_OFFSET + <usize>((n & (MBOX_ENTRIES - 1)) * MBOX_ENTRY_SIZE);
}

/** True when the host has posted a write not yet applied. */
@inline export function mailboxPending(): bool {
  return atomic.load<u32>(mailboxEntry(state().mbox_seen) + MBOX_E_SEQ) == state().mbox_seen + 1;
}

/** Apply every posted MMIO write, in order; returns how many were applied. */
export function drainMailbox(): u32 {
  const st = state();
  let n: u32 = 0;
  // At most one mailbox's worth per call, so a host that keeps writing cannot starve us.
  while (n < <u32>MBOX_ENTRIES) {
    const e = mailboxEntry(st.mbox_seen);
    if (atomic.load<u32>(e + MBOX_E_SEQ) != st.mbox_seen + 1) break;
    const target = load<u32>(e + MBOX_E_TARGET);
    const lo = load<u32>(e + MBOX_E_VALUE_LO);
    const hi = load<u32>(e + MBOX_E_VALUE_HI);
    st.mbox_seen++;
    mmioWrite(target & MBOX_TARGET_OFFSET_MASK, target >> MBOX_TARGET_SIZE_SHIFT, lo, hi);
    n++;
  }
  return n;
}

/** Publish how far the mailbox was applied: the host reads it only when its ring looks full. */
export function publishMailboxConsumer(): void {
  publish32(g_mbox + MBOX_CONSUMER, state().mbox_seen);
}

function ub(reason: u32, off: u32, value: u64): void {
  if (traceOn(EVC_HOST_UB)) emit(EVK_UB, EVC_HOST_UB, 0, 0, 0, 0, 0, reason, value, <u64>off);
}

/** One MMIO write of size 4 or 8 bytes at BAR0 offset off. */
@inline export function mmioWrite(off: u32, size: u32, lo: u32, hi: u32): void {
  if ((size != 4 && size != 8) || (off & (size - 1)) != 0) { ub(UB_MMIO_MISALIGNED, off, <u64>lo); return; }
  if (off >= g_bar_size) { ub(UB_MMIO_BEYOND_BAR, off, <u64>lo); return; }
  if (off >= <u32>REG_DOORBELL_BASE) {
    if (size != 4) { ub(UB_MMIO_MISALIGNED, off, <u64>lo); return; }
    const shift = 2 + state().dstrd; // doorbell stride 4 << CAP.DSTRD
    const rel = off - REG_DOORBELL_BASE;
    if ((rel & ((<u32>1 << shift) - 1)) != 0) { ub(UB_MMIO_MISALIGNED, off, <u64>lo); return; }
    doorbellWrite(rel >> shift, lo);
    return;
  }
  if (traceOn(EVC_NORMAL)) emit(EVK_MMIO_WRITE, EVC_NORMAL, 0, 0, 0, 0, 0, off, <u64>lo | (<u64>hi << 32), <u64>size);
  registerWrite(off, size, lo, hi);
  writeBar();
}

function registerWrite(off: u32, size: u32, lo: u32, hi: u32): void {
  const st = state();
  if (off == REG_ASQ) { st.asq = size == 8 ? (<u64>hi << 32) | lo : (st.asq & 0xffffffff00000000) | lo; return; }
  if (off == REG_ASQ + 4 && size == 4) { st.asq = (st.asq & 0xffffffff) | (<u64>lo << 32); return; }
  if (off == REG_ACQ) { st.acq = size == 8 ? (<u64>hi << 32) | lo : (st.acq & 0xffffffff00000000) | lo; return; }
  if (off == REG_ACQ + 4 && size == 4) { st.acq = (st.acq & 0xffffffff) | (<u64>lo << 32); return; }
  if (size != 4) { ub(UB_MMIO_MISALIGNED, off, <u64>lo); return; }
  if (off == REG_CC) { ccWrite(lo); return; }
  if (off == REG_AQA) { st.aqa = lo & ((AQA_ASQS_MASK) | (AQA_ASQS_MASK << AQA_ACQS_SHIFT)); return; }
  if (off == REG_INTMS) { st.intms |= lo; return; }
  if (off == REG_INTMC) { const was = st.intms; st.intms &= ~lo; unmasked(was & lo); return; }
  if (off == REG_NSSR) { if (lo == NSSR_MAGIC) subsystemReset(); return; }
  // CSTS.NSSRO is RW1CS (Base §3.1.4.6): writing 1 clears it; the other CSTS bits are read only.
  if (off == REG_CSTS) {
    st.csts &= ~(lo & CSTS_NSSRO);
    if ((lo & ~CSTS_NSSRO) != 0) ub(UB_MMIO_READONLY, off, <u64>lo);
    return;
  }
  ub(UB_MMIO_READONLY, off, <u64>lo);
}

/** CC fields that may change while enabled: SHN, IOSQES, IOCQES (Base §3.1.4.5). */
const CC_MUTABLE_WHILE_ENABLED: u32 = (CC_SHN_MASK << CC_SHN_SHIFT) | (CC_ES_MASK << CC_IOSQES_SHIFT) | (CC_ES_MASK << CC_IOCQES_SHIFT);

/**
 * A CC write. CC.SHN going from 00b to 01b or 10b starts a shutdown whatever CC.EN is (Base 2.1
 * CC.SHN: "other fields (including the EN bit) may be modified as part of updating this field
 * ... If the host write ... that initiates a shutdown also clears the EN bit from '1' to '0',
 * then both a Controller Reset and a controller shutdown occur"); CSTS.SHST describes a
 * completed shutdown of a disabled controller and how it is left (CC.EN set to '1' with
 * CC.SHN cleared in the same write, or a reset). QEMU likewise completes a shutdown written
 * while disabled; for the write that also clears CC.EN its reset leaves SHST 00b.
 */
function ccWrite(value: u32): void {
  const st = state();
  const old = st.cc;
  const wasEn = (old & CC_EN) != 0;
  const isEn = (value & CC_EN) != 0;
  const oldShn = (old >> CC_SHN_SHIFT) & CC_SHN_MASK;
  const newShn = (value >> CC_SHN_SHIFT) & CC_SHN_MASK;
  if (!wasEn && isEn) { st.cc = value; enable(); return; }
  if (wasEn && !isEn) {
    st.cc = value;
    controllerReset();
    if (oldShn == 0 && newShn != 0) shutdown();
    return;
  }
  if (wasEn) {
    if (((old ^ value) & ~CC_MUTABLE_WHILE_ENABLED & ~CC_EN) != 0) ub(UB_CC_WHILE_ENABLED, REG_CC, <u64>value);
    st.cc = (old & ~CC_MUTABLE_WHILE_ENABLED) | (value & CC_MUTABLE_WHILE_ENABLED);
  } else {
    st.cc = value;
  }
  if (oldShn == 0 && newShn != 0) shutdown();
  else if (oldShn != 0 && newShn == 0) st.csts &= ~(<u32>3 << CSTS_SHST_SHIFT);
}

/** CC.EN 0 -> 1: validate the admin queue setup, then report ready (or fatal). */
function enable(): void {
  const st = state();
  if (st.phase == PHASE_FATAL) return; // stays fatal until reset
  const mps = (st.cc >> CC_MPS_SHIFT) & CC_MPS_MASK;
  const page: u64 = <u64>1 << (12 + mps);
  const asqs = (st.aqa & AQA_ASQS_MASK) + 1;
  const acqs = ((st.aqa >> AQA_ACQS_SHIFT) & AQA_ASQS_MASK) + 1;
  let ok = (st.asq & (page - 1)) == 0 && (st.acq & (page - 1)) == 0;
  ok = ok && ((st.cc >> CC_CSS_SHIFT) & CC_CSS_MASK) == 0;
  ok = ok && mps <= st.mpsmax;
  ok = ok && asqs > 1 && acqs > 1;
  ok = ok && busToWasm(st.asq, <u64>asqs * 64) != 0 && busToWasm(st.acq, <u64>acqs * 16) != 0;
  if (!ok) { enterFatal(FATAL_ENABLE_CHECK); return; }
  st.page_shift = 12 + mps;
  createCq(0, st.acq, acqs, 0, true);
  createSq(0, st.asq, asqs, 0, 0);
  st.phase = PHASE_READY;
  st.csts = (st.csts & CSTS_NSSRO) | CSTS_RDY;
  persistent().clean_shutdown = 0;
  if (traceOn(EVC_NORMAL)) emit(EVK_ENABLE, EVC_NORMAL, 0, 0, 0, 0, 0, st.cc, st.asq, st.acq);
}

/** Controller Level Reset (Base §3.7.2): queues deleted, outstanding commands dropped, features to defaults. */
export function controllerReset(): void {
  const st = state();
  deleteAllQueues();
  aerReset();
  irqReset();
  featuresReset();
  st.intms = 0;
  st.io_queues_created = 0;
  st.phase = PHASE_DISABLED;
  st.csts = st.csts & CSTS_NSSRO;
  if (traceOn(EVC_NORMAL)) emit(EVK_DISABLE, EVC_NORMAL, 0, 0, 0, 0, 0, st.cc, 0, 0);
}

/**
 * CC.SHN written: nothing is volatile here (writes are durable), so shutdown completes at once.
 * A ready controller then fetches no more commands until a reset (Base 2.1 §3.6); a disabled
 * one stays disabled.
 */
function shutdown(): void {
  const st = state();
  if (st.phase == PHASE_READY) st.phase = PHASE_SHUTDOWN;
  st.csts = (st.csts & ~(<u32>3 << CSTS_SHST_SHIFT)) | (CSTS_SHST_COMPLETE << CSTS_SHST_SHIFT);
  persistent().clean_shutdown = 1;
  if (traceOn(EVC_NORMAL)) emit(EVK_SHUTDOWN, EVC_NORMAL, 0, 0, 0, 0, 0, st.cc, 0, 0);
}

/** NVM Subsystem Reset (NSSR = "NVMe"): as a reset, with CC cleared and CSTS.NSSRO set. */
function subsystemReset(): void {
  const st = state();
  controllerReset();
  st.cc = 0;
  st.csts = CSTS_NSSRO;
  if (traceOn(EVC_NORMAL)) emit(EVK_NSSR, EVC_NORMAL, 0, 0, 0, 0, 0, 0, 0, 0);
}

/** The controller cannot go on (CSTS.CFS): it stops fetching until the host resets it. */
export function enterFatal(reason: u32): void {
  const st = state();
  st.phase = PHASE_FATAL;
  st.csts |= CSTS_CFS;
  writeBar();
  if (traceOn(EVC_ERROR)) emit(EVK_FATAL, EVC_ERROR, 0, 0, 0, 0, 0, reason, 0, 0);
}
