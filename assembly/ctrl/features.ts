// Get Features / Set Features (Base §5.1.12, §5.1.25, feature table Figure 385). The
// order of checks follows QEMU's nvme_get_feature / nvme_set_feature; unlike QEMU, the
// Arbitration, Power Management and Interrupt Coalescing features are changeable and do
// what they say. No feature is saveable (SV = 1 -> Feature Identifier Not Saveable).

import {
  SQE_NSID, SQE_CDW10, SQE_CDW11,
} from "../spec/sqe";
import {
  FEAT_FID_MASK, FEAT_SEL_SHIFT, FEAT_SEL_MASK, FEAT_SV_BIT, FEAT_SEL_CURRENT, FEAT_SEL_SAVED,
  FEAT_SEL_DEFAULT, FEAT_SEL_SUPPORTED, FEAT_CAP_NS_SPECIFIC, FEAT_CAP_CHANGEABLE,
  FID_ARBITRATION, FID_POWER_MANAGEMENT, FID_TEMPERATURE_THRESHOLD, FID_ERROR_RECOVERY,
  FID_VOLATILE_WRITE_CACHE, FID_NUMBER_OF_QUEUES, FID_INTERRUPT_COALESCING, FID_INTERRUPT_VECTOR_CONFIG,
  FID_WRITE_ATOMICITY, FID_ASYNC_EVENT_CONFIG, FID_HOST_BEHAVIOR_SUPPORT, ARB_AB_NO_LIMIT,
  NUMQ_NCQR_SHIFT, IVC_IV_MASK, IVC_CD, TEMP_TMPTH_MASK, TEMP_TMPSEL_SHIFT, TEMP_THSEL_SHIFT,
  ERR_REC_DULBE, HBS_DATA_SIZE, HBS_CDFE, AER_TYPE_SMART, AER_SMART_TEMP_THRESHOLD, SMART_CW_TEMPERATURE,
  LID_SMART,
} from "../spec/admin";
import {
  SC_SUCCESS, SC_INVALID_FIELD, SC_INVALID_NSID, SC_COMMAND_SEQUENCE_ERROR, SC_FEATURE_NOT_SAVEABLE,
  SC_FEATURE_NOT_CHANGEABLE, SC_FEATURE_NOT_NS_SPECIFIC, STATUS_DNR,
} from "../spec/status";
import { VWC_PRESENT } from "../spec/identify";
import { g_sqe, state } from "./globals";
import { setDw0, fail } from "./result";
import { nsById, nsAt, nsidValid, NSID_BROADCAST } from "./ns";
import { MAX_NAMESPACES } from "../layout";
import { vecAt, coalescingDisabled } from "./irq";
import { bufferToHost, bufferFromHost } from "./dma";
import { enqueueEvent } from "./aer";

/** Default Warning Composite Temperature Threshold (K), also Identify WCTEMP. */
export const WCTEMP_K: u32 = 343;
export const CCTEMP_K: u32 = 373;
/** The composite temperature the controller reports (K). */
export const COMPOSITE_TEMP_K: u32 = 313;

export function featuresReset(): void {
  const st = state();
  st.feat_arb = ARB_AB_NO_LIMIT;
  st.feat_pm = 0;
  st.feat_temp_over = WCTEMP_K;
  st.feat_temp_under = 0;
  for (let i: u32 = 0; i < <u32>MAX_NAMESPACES; i++) nsAt(i).feat_err_rec = 0;
  st.feat_vwc = (st.vwc & VWC_PRESENT) != 0 ? 1 : 0;
  st.feat_nsqa = st.max_qid - 1;
  st.feat_ncqa = st.max_qid - 1;
  st.feat_irqc = 0;
  st.feat_wan = 0;
  st.feat_aec = 0;
  st.feat_hbs_cdfe = 0;
  st.feat_hbs_lo = 0;
}

/** Capabilities (SEL = 011b) of a supported FID; 0xffffffff when not supported. */
function featureCaps(fid: u32): u32 {
  switch (fid) {
    case FID_ERROR_RECOVERY:
      return FEAT_CAP_NS_SPECIFIC | FEAT_CAP_CHANGEABLE;
    case FID_VOLATILE_WRITE_CACHE:
      return (state().vwc & VWC_PRESENT) != 0 ? FEAT_CAP_CHANGEABLE : 0xffffffff;
    case FID_ARBITRATION: case FID_POWER_MANAGEMENT: case FID_TEMPERATURE_THRESHOLD:
    case FID_NUMBER_OF_QUEUES: case FID_INTERRUPT_COALESCING: case FID_INTERRUPT_VECTOR_CONFIG:
    case FID_WRITE_ATOMICITY: case FID_ASYNC_EVENT_CONFIG: case FID_HOST_BEHAVIOR_SUPPORT:
      return FEAT_CAP_CHANGEABLE;
  }
  return 0xffffffff;
}

/** Namespace checks for a namespace-specific feature. */
function nsFeatureCheck(nsid: u32, allowBroadcast: bool): u32 {
  if (nsid == NSID_BROADCAST) return allowBroadcast ? SC_SUCCESS : fail(SC_INVALID_NSID | STATUS_DNR, SQE_NSID, 0);
  if (!nsidValid(nsid)) return fail(SC_INVALID_NSID | STATUS_DNR, SQE_NSID, 0);
  if (nsById(nsid) == null) return fail(SC_INVALID_FIELD | STATUS_DNR, SQE_NSID, 0);
  return SC_SUCCESS;
}

export function getFeatures(): u32 {
  const dw10 = load<u32>(g_sqe + SQE_CDW10);
  const dw11 = load<u32>(g_sqe + SQE_CDW11);
  const nsid = load<u32>(g_sqe + SQE_NSID);
  const fid = dw10 & FEAT_FID_MASK;
  const sel = (dw10 >> FEAT_SEL_SHIFT) & FEAT_SEL_MASK;
  const caps = featureCaps(fid);
  if (caps == 0xffffffff) return fail(SC_INVALID_FIELD | STATUS_DNR, SQE_CDW10, 0);
  if ((caps & FEAT_CAP_NS_SPECIFIC) != 0) {
    const s = nsFeatureCheck(nsid, false);
    if (s != SC_SUCCESS) return s;
  }
  if (sel == FEAT_SEL_SUPPORTED) { setDw0(caps); return SC_SUCCESS; }
  if (sel > <u32>FEAT_SEL_SUPPORTED) return fail(SC_INVALID_FIELD | STATUS_DNR, SQE_CDW10, FEAT_SEL_SHIFT);
  const current = sel == FEAT_SEL_CURRENT;
  if (fid == FID_HOST_BEHAVIOR_SUPPORT) return hbsToHost(current);
  if (fid == FID_INTERRUPT_VECTOR_CONFIG && (dw11 & IVC_IV_MASK) >= state().max_vectors) {
    return fail(SC_INVALID_FIELD | STATUS_DNR, SQE_CDW11, 0);
  }
  if (fid == FID_TEMPERATURE_THRESHOLD && ((dw11 >> TEMP_TMPSEL_SHIFT) & 0xf) == 0 && ((dw11 >> TEMP_THSEL_SHIFT) & 0x3) > 1) {
    return fail(SC_INVALID_FIELD | STATUS_DNR, SQE_CDW11, TEMP_THSEL_SHIFT);
  }
  setDw0(featureValue(fid, dw11, nsid, current));
  return SC_SUCCESS;
}

/** The current (or default) value of a DW0-valued feature; arguments already checked. */
function featureValue(fid: u32, dw11: u32, nsid: u32, current: bool): u32 {
  const st = state();
  switch (fid) {
    case FID_ARBITRATION: return current ? st.feat_arb : ARB_AB_NO_LIMIT;
    case FID_POWER_MANAGEMENT: return current ? st.feat_pm : 0;
    case FID_TEMPERATURE_THRESHOLD: return temperatureGet(dw11, current);
    case FID_ERROR_RECOVERY: { // NSID already checked by getFeatures
      const ns = nsById(nsid);
      return current && ns != null ? ns.feat_err_rec : 0;
    }
    case FID_VOLATILE_WRITE_CACHE: return current ? st.feat_vwc : 1;
    case FID_NUMBER_OF_QUEUES: {
      const max = st.max_qid - 1;
      return current ? st.feat_nsqa | (st.feat_ncqa << NUMQ_NCQR_SHIFT) : max | (max << NUMQ_NCQR_SHIFT);
    }
    case FID_INTERRUPT_COALESCING: return current ? st.feat_irqc : 0;
    case FID_INTERRUPT_VECTOR_CONFIG: {
      const iv = dw11 & IVC_IV_MASK;
      const cd = iv == 0 || (current && coalescingDisabled(iv)) ? IVC_CD : 0;
      return iv | cd;
    }
    case FID_WRITE_ATOMICITY: return current ? st.feat_wan : 0;
    case FID_ASYNC_EVENT_CONFIG: return current ? st.feat_aec : 0;
  }
  return 0;
}

function temperatureGet(dw11: u32, current: bool): u32 {
  const st = state();
  if (((dw11 >> TEMP_TMPSEL_SHIFT) & 0xf) != 0) return 0; // only the Composite sensor exists
  const thsel = (dw11 >> TEMP_THSEL_SHIFT) & 0x3;
  if (thsel == 0) return current ? st.feat_temp_over : WCTEMP_K;
  return current ? st.feat_temp_under : 0;
}

function hbsToHost(current: bool): u32 {
  const st = state();
  const buf = <usize>st.page_buf;
  memory.fill(buf, 0, HBS_DATA_SIZE);
  if (current) {
    store<u32>(buf, st.feat_hbs_lo);
    store<u16>(buf + HBS_CDFE, <u16>st.feat_hbs_cdfe);
  }
  return bufferToHost(buf, HBS_DATA_SIZE);
}

export function setFeatures(): u32 {
  const st = state();
  const dw10 = load<u32>(g_sqe + SQE_CDW10);
  const dw11 = load<u32>(g_sqe + SQE_CDW11);
  const nsid = load<u32>(g_sqe + SQE_NSID);
  const fid = dw10 & FEAT_FID_MASK;
  const caps = featureCaps(fid);
  if ((dw10 >> FEAT_SV_BIT) != 0) return fail(SC_FEATURE_NOT_SAVEABLE | STATUS_DNR, SQE_CDW10, FEAT_SV_BIT);
  if (caps == 0xffffffff) return fail(SC_INVALID_FIELD | STATUS_DNR, SQE_CDW10, 0);
  if ((caps & FEAT_CAP_NS_SPECIFIC) != 0) {
    const s = nsFeatureCheck(nsid, true);
    if (s != SC_SUCCESS) return s;
  } else if (nsid != 0 && nsid != NSID_BROADCAST) {
    if (!nsidValid(nsid)) return fail(SC_INVALID_NSID | STATUS_DNR, SQE_NSID, 0);
    return fail(SC_FEATURE_NOT_NS_SPECIFIC | STATUS_DNR, SQE_NSID, 0);
  }
  if ((caps & FEAT_CAP_CHANGEABLE) == 0) return fail(SC_FEATURE_NOT_CHANGEABLE | STATUS_DNR, SQE_CDW10, 0);
  switch (fid) {
    case FID_ARBITRATION: st.feat_arb = dw11; return SC_SUCCESS;
    case FID_POWER_MANAGEMENT:
      if ((dw11 & 0x1f) != 0) return fail(SC_INVALID_FIELD | STATUS_DNR, SQE_CDW11, 0); // one power state (NPSS = 0)
      st.feat_pm = dw11 & 0xff; return SC_SUCCESS;
    case FID_TEMPERATURE_THRESHOLD: return temperatureSet(dw11);
    case FID_ERROR_RECOVERY:
      if ((dw11 & ERR_REC_DULBE) != 0) return fail(SC_INVALID_FIELD | STATUS_DNR, SQE_CDW11, 0);
      errorRecoverySet(nsid, dw11 & 0xffff); return SC_SUCCESS;
    case FID_VOLATILE_WRITE_CACHE: st.feat_vwc = dw11 & 1; return SC_SUCCESS;
    case FID_NUMBER_OF_QUEUES: return numberOfQueuesSet(dw11);
    case FID_INTERRUPT_COALESCING: st.feat_irqc = dw11 & 0xffff; return SC_SUCCESS;
    case FID_INTERRUPT_VECTOR_CONFIG: {
      const iv = dw11 & IVC_IV_MASK;
      if (iv >= st.max_vectors) return fail(SC_INVALID_FIELD | STATUS_DNR, SQE_CDW11, 0);
      vecAt(iv).ivc = dw11 & (IVC_IV_MASK | IVC_CD);
      return SC_SUCCESS;
    }
    case FID_WRITE_ATOMICITY: st.feat_wan = dw11 & 1; return SC_SUCCESS;
    case FID_ASYNC_EVENT_CONFIG: st.feat_aec = dw11; return SC_SUCCESS;
    case FID_HOST_BEHAVIOR_SUPPORT: return hbsFromHost();
  }
  return fail(SC_FEATURE_NOT_CHANGEABLE | STATUS_DNR, SQE_CDW10, 0);
}

/** Error Recovery for one namespace, or every active one for NSID FFFFFFFFh (Base 2.1 §5.1.25). */
function errorRecoverySet(nsid: u32, v: u32): void {
  if (nsid != NSID_BROADCAST) {
    const ns = nsById(nsid); // NSID already checked by setFeatures
    if (ns != null) ns.feat_err_rec = v;
    return;
  }
  for (let i: u32 = 0; i < <u32>MAX_NAMESPACES; i++) {
    const ns = nsAt(i);
    if (ns.active != 0) ns.feat_err_rec = v;
  }
}

function temperatureSet(dw11: u32): u32 {
  const st = state();
  if (((dw11 >> TEMP_TMPSEL_SHIFT) & 0xf) != 0) return SC_SUCCESS;
  const thsel = (dw11 >> TEMP_THSEL_SHIFT) & 0x3;
  if (thsel == 0) st.feat_temp_over = dw11 & TEMP_TMPTH_MASK;
  else if (thsel == 1) st.feat_temp_under = dw11 & TEMP_TMPTH_MASK;
  else return fail(SC_INVALID_FIELD | STATUS_DNR, SQE_CDW11, TEMP_THSEL_SHIFT);
  temperatureEvent();
  return SC_SUCCESS;
}

/**
 * The composite temperature at or beyond a threshold sets SMART critical warning bit 1
 * (logpage.ts) and, when Asynchronous Event Configuration bit 1 enables it, reports a
 * SMART / Health event (Base §5.27.1.4, Figure 150; QEMU nvme_smart_event on a threshold set).
 */
function temperatureEvent(): void {
  const st = state();
  if ((st.feat_aec & SMART_CW_TEMPERATURE) == 0) return;
  if (COMPOSITE_TEMP_K >= st.feat_temp_over || COMPOSITE_TEMP_K <= st.feat_temp_under) {
    enqueueEvent(AER_TYPE_SMART, AER_SMART_TEMP_THRESHOLD, LID_SMART);
  }
}

/**
 * Number of Queues (Base §5.27.1.5): allowed once per reset, before any I/O queue exists.
 * The controller may allocate more queues than requested; like QEMU it allocates all it
 * has, and the host uses the smaller of what it asked for and what it got.
 */
function numberOfQueuesSet(dw11: u32): u32 {
  const st = state();
  if (st.io_queues_created != 0) return fail(SC_COMMAND_SEQUENCE_ERROR | STATUS_DNR, SQE_CDW10, 0);
  const nsqr = dw11 & 0xffff;
  const ncqr = dw11 >> NUMQ_NCQR_SHIFT;
  if (nsqr == 0xffff || ncqr == 0xffff) return fail(SC_INVALID_FIELD | STATUS_DNR, SQE_CDW11, 0);
  st.feat_nsqa = st.max_qid - 1;
  st.feat_ncqa = st.max_qid - 1;
  setDw0(st.feat_nsqa | (st.feat_ncqa << NUMQ_NCQR_SHIFT));
  return SC_SUCCESS;
}

/** Host Behavior Support: 512 bytes from the host; CDFE gates Copy formats 2h and 3h. */
function hbsFromHost(): u32 {
  const st = state();
  const buf = <usize>st.page_buf;
  const s = bufferFromHost(buf, HBS_DATA_SIZE);
  if (s != SC_SUCCESS) return s;
  st.feat_hbs_lo = load<u32>(buf);
  st.feat_hbs_cdfe = <u32>load<u16>(buf + HBS_CDFE);
  return SC_SUCCESS;
}
