// Identify (Base §5.1.13): Controller (CNS 01h), Namespace (00h), Active Namespace ID list
// (02h), Namespace Identification Descriptors (03h), and the NVM-specific Namespace (05h)
// and Controller (06h) pages. Each page is built in the controller's page buffer, then
// copied to the host's data pointer.

import { DPC_ALL, DPS_FIRST } from "../spec/pi";
import { tupleSize } from "./pi";
import { SQE_NSID, SQE_CDW10, SQE_CDW11 } from "../spec/sqe";
import {
  IDENTIFY_DATA_SIZE, IDENTIFY_CNS_MASK, IDENTIFY_CSI_SHIFT, CNS_NAMESPACE, CNS_CONTROLLER,
  CNS_ACTIVE_NSID_LIST, CNS_NS_ID_DESCRIPTORS, CNS_CSI_NAMESPACE, CNS_CSI_CONTROLLER, CSI_NVM,
  IDC_VID, IDC_SSVID, IDC_SN, IDC_SN_LEN, IDC_MN, IDC_MN_LEN, IDC_FR, IDC_FR_LEN, IDC_RAB, IDC_CMIC,
  IDC_MDTS, IDC_CNTLID, IDC_VER, IDC_CNTRLTYPE, IDC_OACS, IDC_ACL, IDC_AERL, IDC_FRMW, IDC_LPA,
  IDC_ELPE, IDC_NPSS, IDC_WCTEMP, IDC_CCTEMP, IDC_SQES, IDC_CQES, IDC_NN, IDC_ONCS, IDC_FUSES, IDC_FNA,
  IDC_VWC, IDC_OCFS, IDC_SGLS, IDC_SUBNQN, IDC_SUBNQN_LEN, IDC_PSD0, PSD_MP, PSD_ENLAT, PSD_EXLAT,
  LPA_COMMANDS_EFFECTS, LPA_EXTENDED_DATA, ONCS_COPY,
  IDN_NSZE, IDN_NCAP, IDN_NUSE, IDN_NSFEAT, IDN_NLBAF, IDN_FLBAS, IDN_MC, IDN_DPC, IDN_DPS, IDN_NMIC, OACS_FORMAT_NVM, IDN_DLFEAT,
  IDN_NVMCAP, IDN_MSSRL, IDN_MCL, IDN_MSRC, IDN_NGUID, IDN_EUI64, IDN_LBAF0, NSFEAT_THINP,
  DLFEAT_READ_ZEROES, DLFEAT_WZ_DEAC, FLBAS_INDEX_LO_MASK, MC_EXTENDED, MC_SEPARATE, IDCNVM_VSL, IDCNVM_WZSL, IDCNVM_DMRL,
  IDCNVM_DMRSL, IDCNVM_DMSL, IDNVM_ELBAF0, ELBAF_PIF_SHIFT, NIDT_EUI64, NIDT_NGUID, NIDT_UUID, NIDT_CSI, NID_HEADER_SIZE,
} from "../spec/identify";
import { ERRLOG_ENTRIES } from "../spec/admin";
import { SC_SUCCESS, SC_INVALID_FIELD, SC_INVALID_NSID, STATUS_DNR } from "../spec/status";
import { CFG_SN, CFG_MN, CFG_FR, CFG_SUBNQN, CFGNS_LBAF, CFGNS_EUI64, CFGNS_NGUID, CFGNS_UUID, MAX_NAMESPACES } from "../layout";
import { g_sqe, g_cfg, state } from "./globals";
import { NsState } from "./state";
import { nsById, nsidValid, nsAt, NSID_BROADCAST } from "./ns";
import { bufferToHost } from "./dma";
import { fail } from "./result";
import { WCTEMP_K, CCTEMP_K } from "./features";

export function identify(): u32 {
  const cns = load<u32>(g_sqe + SQE_CDW10) & IDENTIFY_CNS_MASK;
  const nsid = load<u32>(g_sqe + SQE_NSID);
  const csi = load<u32>(g_sqe + SQE_CDW11) >> IDENTIFY_CSI_SHIFT;
  const buf = <usize>state().page_buf;
  memory.fill(buf, 0, IDENTIFY_DATA_SIZE);
  let st: u32 = SC_SUCCESS;
  switch (cns) {
    case CNS_NAMESPACE: st = namespacePage(buf, nsid); break;
    case CNS_CONTROLLER: controllerPage(buf); break;
    case CNS_ACTIVE_NSID_LIST: st = activeList(buf, nsid); break;
    case CNS_NS_ID_DESCRIPTORS: st = descriptorList(buf, nsid); break;
    case CNS_CSI_NAMESPACE: st = nvmNamespacePage(buf, nsid, csi); break;
    case CNS_CSI_CONTROLLER:
      if (csi != CSI_NVM) return fail(SC_INVALID_FIELD | STATUS_DNR, SQE_CDW11, IDENTIFY_CSI_SHIFT);
      nvmControllerPage(buf);
      break;
    default:
      return fail(SC_INVALID_FIELD | STATUS_DNR, SQE_CDW10, 0);
  }
  if (st != SC_SUCCESS) return st;
  return bufferToHost(buf, IDENTIFY_DATA_SIZE);
}

function nsidCheck(nsid: u32): u32 {
  if (!nsidValid(nsid) || nsid == NSID_BROADCAST) return fail(SC_INVALID_NSID | STATUS_DNR, SQE_NSID, 0);
  return SC_SUCCESS;
}

/** Copy a configured ASCII field, space padded as the spec requires. */
function ascii(dst: usize, src: usize, len: u32): void {
  for (let i: u32 = 0; i < len; i++) {
    const c = load<u8>(src + i);
    store<u8>(dst + i, c == 0 ? 0x20 : c);
  }
}

function controllerPage(b: usize): void {
  const st = state();
  store<u16>(b + IDC_VID, <u16>st.vid);
  store<u16>(b + IDC_SSVID, <u16>st.ssvid);
  ascii(b + IDC_SN, g_cfg + CFG_SN, IDC_SN_LEN);
  ascii(b + IDC_MN, g_cfg + CFG_MN, IDC_MN_LEN);
  ascii(b + IDC_FR, g_cfg + CFG_FR, IDC_FR_LEN);
  store<u8>(b + IDC_RAB, 6);
  store<u8>(b + IDC_CMIC, 0);
  store<u8>(b + IDC_MDTS, <u8>st.mdts);
  store<u16>(b + IDC_CNTLID, <u16>st.cntlid);
  store<u32>(b + IDC_VER, st.ver);
  store<u8>(b + IDC_CNTRLTYPE, 1); // I/O controller
  store<u16>(b + IDC_OACS, OACS_FORMAT_NVM);
  store<u8>(b + IDC_ACL, 3);
  store<u8>(b + IDC_AERL, <u8>st.aerl);
  store<u8>(b + IDC_FRMW, 0x03); // one firmware slot, read only
  store<u8>(b + IDC_LPA, LPA_COMMANDS_EFFECTS | LPA_EXTENDED_DATA);
  store<u8>(b + IDC_ELPE, <u8>(ERRLOG_ENTRIES - 1));
  store<u8>(b + IDC_NPSS, 0);
  store<u16>(b + IDC_WCTEMP, <u16>WCTEMP_K);
  store<u16>(b + IDC_CCTEMP, <u16>CCTEMP_K);
  store<u8>(b + IDC_SQES, 0x66);
  store<u8>(b + IDC_CQES, 0x44);
  store<u32>(b + IDC_NN, st.nn);
  store<u16>(b + IDC_ONCS, <u16>st.oncs);
  store<u16>(b + IDC_FUSES, 0);
  store<u8>(b + IDC_FNA, 0);
  store<u8>(b + IDC_VWC, <u8>st.vwc);
  store<u16>(b + IDC_OCFS, <u16>st.ocfs);
  store<u32>(b + IDC_SGLS, st.sgls);
  memory.copy(b + IDC_SUBNQN, g_cfg + CFG_SUBNQN, IDC_SUBNQN_LEN);
  store<u16>(b + IDC_PSD0 + PSD_MP, 2500); // 25.00 W, operational
  store<u32>(b + IDC_PSD0 + PSD_ENLAT, 0);
  store<u32>(b + IDC_PSD0 + PSD_EXLAT, 0);
}

function namespacePage(b: usize, nsid: u32): u32 {
  const s = nsidCheck(nsid);
  if (s != SC_SUCCESS) return s;
  const found = nsById(nsid);
  if (found == null) return SC_SUCCESS; // inactive: a zero-filled page
  const ns = changetype<NsState>(found);
  store<u64>(b + IDN_NSZE, ns.nsze);
  store<u64>(b + IDN_NCAP, ns.nsze);
  store<u64>(b + IDN_NUSE, ns.nuse);
  store<u8>(b + IDN_NSFEAT, NSFEAT_THINP);
  store<u8>(b + IDN_NLBAF, <u8>(ns.nlbaf - 1));
  store<u8>(b + IDN_FLBAS, <u8>ns.flbas);
  // MC is what the namespace can do with metadata: both ways for the formats listed with some.
  store<u8>(b + IDN_MC, anyMetadataFormat(ns) ? MC_EXTENDED | MC_SEPARATE : 0);
  // DPC: every PI type, first or last, when some listed format's metadata holds a tuple of the
  // namespace's PI format; DPS: what the format in use has (NVM CS 1.1 Figure 97, §5.2).
  store<u8>(b + IDN_DPC, anyPiFormat(ns) ? <u8>DPC_ALL : 0);
  store<u8>(b + IDN_DPS, <u8>(ns.pi | (ns.pil != 0 ? DPS_FIRST : 0)));
  store<u8>(b + IDN_NMIC, <u8>ns.nmic);
  store<u8>(b + IDN_DLFEAT, DLFEAT_READ_ZEROES | DLFEAT_WZ_DEAC);
  store<u64>(b + IDN_NVMCAP, ns.nsze << ns.lbads);
  if ((state().oncs & ONCS_COPY) != 0) {
    store<u16>(b + IDN_MSSRL, <u16>ns.mssrl);
    store<u32>(b + IDN_MCL, ns.mcl);
    store<u8>(b + IDN_MSRC, <u8>ns.msrc);
  }
  const cfg = <usize>ns.cfg;
  memory.copy(b + IDN_NGUID, cfg + CFGNS_NGUID, 16);
  memory.copy(b + IDN_EUI64, cfg + CFGNS_EUI64, 8);
  memory.copy(b + IDN_LBAF0, cfg + CFGNS_LBAF, <usize>(ns.nlbaf * 4));
  return SC_SUCCESS;
}

function anyPiFormat(ns: NsState): bool {
  const size = tupleSize(ns.pif);
  for (let i: u32 = 0; i < ns.nlbaf; i++) if (<u32>load<u16>(<usize>ns.cfg + CFGNS_LBAF + <usize>(i * 4)) >= size) return true;
  return false;
}

function anyMetadataFormat(ns: NsState): bool {
  for (let i: u32 = 0; i < ns.nlbaf; i++) if (load<u16>(<usize>ns.cfg + CFGNS_LBAF + <usize>(i * 4)) != 0) return true;
  return false;
}

/** Active NSIDs greater than nsid, ascending (Base §5.1.13.2.2). */
function activeList(b: usize, nsid: u32): u32 {
  if (nsid >= 0xfffffffe) return fail(SC_INVALID_NSID | STATUS_DNR, SQE_NSID, 0);
  let n: u32 = 0;
  let last = nsid;
  // Namespaces are few (<= 16): pick the next larger NSID each pass.
  for (let k: u32 = 0; k < <u32>MAX_NAMESPACES; k++) {
    let best: u32 = 0xffffffff;
    for (let i: u32 = 0; i < <u32>MAX_NAMESPACES; i++) {
      const ns = nsAt(i);
      if (ns.active != 0 && ns.nsid > last && ns.nsid < best) best = ns.nsid;
    }
    if (best == 0xffffffff) break;
    store<u32>(b + <usize>n * 4, best);
    n++;
    last = best;
  }
  return SC_SUCCESS;
}

function descriptor(b: usize, at: u32, nidt: u32, src: usize, len: u32): u32 {
  let zero = true;
  for (let i: u32 = 0; i < len; i++) if (load<u8>(src + i) != 0) zero = false;
  if (zero) return at;
  store<u8>(b + at, <u8>nidt);
  store<u8>(b + at + 1, <u8>len);
  memory.copy(b + at + NID_HEADER_SIZE, src, len);
  return at + NID_HEADER_SIZE + len;
}

function descriptorList(b: usize, nsid: u32): u32 {
  const s = nsidCheck(nsid);
  if (s != SC_SUCCESS) return s;
  const found = nsById(nsid);
  if (found == null) return fail(SC_INVALID_FIELD | STATUS_DNR, SQE_NSID, 0);
  const cfg = <usize>changetype<NsState>(found).cfg;
  let at: u32 = 0;
  at = descriptor(b, at, NIDT_EUI64, cfg + CFGNS_EUI64, 8);
  at = descriptor(b, at, NIDT_NGUID, cfg + CFGNS_NGUID, 16);
  at = descriptor(b, at, NIDT_UUID, cfg + CFGNS_UUID, 16);
  store<u8>(b + at, NIDT_CSI);
  store<u8>(b + at + 1, 1);
  store<u8>(b + at + NID_HEADER_SIZE, CSI_NVM);
  return SC_SUCCESS;
}

/**
 * I/O Command Set specific Identify Namespace (CNS 05h) for the NVM Command Set (NVM CS 1.0
 * Figure 100): each LBA format's protection information format (ELBAF.PIF); no storage tags
 * (LBSTM, PIC, STS 0), no preferred granularities (NPDGL ... TLBAAG 0). The NSID is checked
 * first, as QEMU's nvme_identify_ns_csi does; then an I/O Command Set this controller does not
 * support is Invalid Field in Command (Base 2.1 §5.1.13.2, CNS 05h), before an inactive NSID
 * gets its zero-filled page.
 */
function nvmNamespacePage(b: usize, nsid: u32, csi: u32): u32 {
  const s = nsidCheck(nsid);
  if (s != SC_SUCCESS) return s;
  if (csi != CSI_NVM) return fail(SC_INVALID_FIELD | STATUS_DNR, SQE_CDW11, IDENTIFY_CSI_SHIFT);
  const found = nsById(nsid);
  if (found == null) return SC_SUCCESS;
  const ns = changetype<NsState>(found);
  // The namespace's PI format belongs to the format it is formatted with (FLBAS; at most 16
  // formats, so bits 3:0); the others stay 16b guard, as QEMU 10.0.2's nvme-ns reports them.
  store<u32>(b + IDNVM_ELBAF0 + <usize>((ns.flbas & FLBAS_INDEX_LO_MASK) * 4), ns.pif << ELBAF_PIF_SHIFT);
  return SC_SUCCESS;
}

/**
 * I/O Command Set specific Identify Controller (CNS 06h) for the NVM Command Set (NVM CS 1.0
 * Figure 102): the configured limits, 0 when there is none. By default the controller has none:
 * Verify and Write Zeroes take any NLB (no MDTS applies, they move no data), and Dataset
 * Management takes 256 ranges of up to FFFFFFFFh blocks, so all three DSM fields are 0h (the
 * spec's "no processing limits", §3.2.3.1). WUSL is 0: no Write Uncorrectable (ONCS bit 1 = 0).
 */
function nvmControllerPage(b: usize): void {
  const st = state();
  store<u8>(b + IDCNVM_VSL, <u8>st.vsl);
  store<u8>(b + IDCNVM_WZSL, <u8>st.wzsl);
  store<u8>(b + IDCNVM_DMRL, <u8>st.dmrl);
  store<u32>(b + IDCNVM_DMRSL, st.dmrsl);
  store<u64>(b + IDCNVM_DMSL, st.dmsl);
}
