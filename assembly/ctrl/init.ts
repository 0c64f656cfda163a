// Power-on: build the controller's state block and tables in controller-owned memory from
// the host's configuration (layout.ts CFG_*), then present CAP/VS and a disabled controller.

import {
  HEADER_BASE, HDR_MAGIC, HDR_VERSION, HDR_CTRL_BASE, HDR_CTRL_STATE, LAYOUT_MAGIC, LAYOUT_VERSION,
  STATIC_DATA_LIMIT, CTRL_STATE_BASE, PERSIST_SIZE, PERSIST_ERRLOG, CFG_NN, CFG_MAX_IOQPAIRS, CFG_MQES, CFG_MDTS, CFG_ONCS, CFG_OCFS, CFG_VWC, CFG_SGLS,
  CFG_MAX_VECTORS, CFG_AERL, CFG_VID, CFG_SSVID, CFG_MPSMAX, CFG_DSTRD, CFG_CNTLID, CFG_VER,
  CFG_MAX_INFLIGHT, CFG_VSL, CFG_WZSL, CFG_DMRL, CFG_DMRSL, CFG_DMSL, MAX_NAMESPACES, MAX_VECTORS, WASM_PAGE_SIZE,
} from "../layout";
import { COPY_MAX_RANGES, COPY_RANGE_F1_SIZE } from "../spec/copy";
import { SQE_SIZE } from "../spec/sqe";
import { attachRegions, attachTables, g_cfg, g_state, state } from "./globals";
import {
  STATE_MAGIC, PHASE_DISABLED, SQ_STATE_SIZE, CQ_STATE_SIZE, VEC_STATE_SIZE, NS_STATE_SIZE,
} from "./state";
import { heapAlloc } from "./heap";
import { piInitTables } from "./pi";
import { SEG_CAP, CURSOR_SIZE, setCursors } from "./dma";
import { nsInit, nsAt } from "./ns";
import { featuresReset } from "./features";
import { persistInit } from "./smart";
import { writeBar, writeCapabilities } from "./regs";
import { AER_MAX, AE_QUEUE_MAX } from "./aer";

/** Init results: 0 = ready; otherwise what in the configuration is wrong. */
export const INIT_OK: u32 = 0;
export const INIT_BAD_HEADER: u32 = 1;
export const INIT_BAD_CONTROLLER: u32 = 2;
export const INIT_NO_MEMORY: u32 = 3;
export const INIT_BAD_NAMESPACE: u32 = 0x100; // + slot index
export const INIT_STATIC_DATA: u32 = 4;

export function ctrlInit(): u32 {
  if (load<u32>(HEADER_BASE + HDR_MAGIC) != LAYOUT_MAGIC || load<u32>(HEADER_BASE + HDR_VERSION) != LAYOUT_VERSION) return INIT_BAD_HEADER;
  if (<usize>__heap_base > <usize>STATIC_DATA_LIMIT) return INIT_STATIC_DATA;
  store<u32>(HEADER_BASE + HDR_CTRL_STATE, 0);
  attachRegions();
  // The heap starts a page into the controller's region (where the state block once was).
  const base = (<usize>load<u32>(HEADER_BASE + HDR_CTRL_BASE) + 4095) & ~4095;
  const need = <u64>base + 4096;
  const have = <u64>memory.size() * WASM_PAGE_SIZE;
  if (need > have && memory.grow(<i32>((need - have + WASM_PAGE_SIZE - 1) / WASM_PAGE_SIZE)) < 0) return INIT_NO_MEMORY;
  memory.fill(CTRL_STATE_BASE, 0, 4096);
  store<u32>(HEADER_BASE + HDR_CTRL_STATE, <u32>CTRL_STATE_BASE);
  attachRegions(); // g_state now set; tables are attached below
  const st = state();
  st.magic = STATE_MAGIC;
  st.heap_next = <u32>(base + 4096);
  st.heap_end = <u32>min<u64>(<u64>memory.size() * WASM_PAGE_SIZE, 0xffffffff);
  const c = readConfig();
  if (c != INIT_OK) return c;
  if (!allocateTables()) return INIT_NO_MEMORY;
  attachTables();
  setCursors(<usize>st.dcur, <usize>st.mcur);
  for (let i: u32 = 0; i < <u32>MAX_NAMESPACES; i++) {
    if (!nsInit(i)) return INIT_BAD_NAMESPACE + i;
    const ns = nsAt(i);
    if (ns.active == 0) continue;
    if (ns.nsid > st.nn || load<u8>(<usize>st.ns_map + <usize>ns.nsid) != 0) return INIT_BAD_NAMESPACE + i;
    store<u8>(<usize>st.ns_map + <usize>ns.nsid, <u8>(i + 1));
  }
  persistInit();
  featuresReset();
  st.phase = PHASE_DISABLED;
  writeCapabilities();
  writeBar();
  return INIT_OK;
}

function readConfig(): u32 {
  const st = state();
  const cfg = g_cfg;
  st.nn = load<u32>(cfg + CFG_NN);
  st.max_qid = load<u32>(cfg + CFG_MAX_IOQPAIRS);
  st.mqes = load<u32>(cfg + CFG_MQES);
  st.mdts = load<u32>(cfg + CFG_MDTS);
  st.oncs = load<u32>(cfg + CFG_ONCS);
  st.ocfs = load<u32>(cfg + CFG_OCFS);
  st.vwc = load<u32>(cfg + CFG_VWC);
  st.sgls = load<u32>(cfg + CFG_SGLS);
  st.max_vectors = load<u32>(cfg + CFG_MAX_VECTORS);
  st.aerl = load<u32>(cfg + CFG_AERL);
  st.vid = load<u32>(cfg + CFG_VID);
  st.ssvid = load<u32>(cfg + CFG_SSVID);
  st.mpsmax = load<u32>(cfg + CFG_MPSMAX);
  st.dstrd = load<u32>(cfg + CFG_DSTRD);
  st.cntlid = load<u32>(cfg + CFG_CNTLID);
  st.ver = load<u32>(cfg + CFG_VER);
  st.max_inflight = load<u32>(cfg + CFG_MAX_INFLIGHT);
  st.vsl = load<u32>(cfg + CFG_VSL);
  st.wzsl = load<u32>(cfg + CFG_WZSL);
  st.dmrl = load<u32>(cfg + CFG_DMRL);
  st.dmrsl = load<u32>(cfg + CFG_DMRSL);
  st.dmsl = load<u64>(cfg + CFG_DMSL);
  // NVM CS §3.2.3.1: the three Dataset Management limits are all non-zero or all zero.
  const dsmLimits = (st.dmrl != 0 ? 1 : 0) + (st.dmrsl != 0 ? 1 : 0) + (st.dmsl != 0 ? 1 : 0);
  const ok = st.max_qid >= 1 && st.max_qid <= 65535 && st.mqes >= 1 && st.mqes <= 0xffff
    && st.max_vectors >= 1 && st.max_vectors <= <u32>MAX_VECTORS && st.aerl < AER_MAX
    && st.nn >= 1 && st.nn <= 65535 && st.mdts <= 20 && st.mpsmax <= 15 && st.dstrd <= 15
    && st.vsl <= 20 && st.wzsl <= 20 && st.dmrl <= 255 && (dsmLimits == 0 || dsmLimits == 3);
  return ok ? INIT_OK : INIT_BAD_CONTROLLER;
}

function take(bytes: u32, align: u32): u32 {
  const p = heapAlloc(bytes, align);
  if (p != 0) memory.fill(p, 0, <usize>bytes);
  return <u32>p;
}

function allocateTables(): bool {
  const st = state();
  const q = st.max_qid + 1;
  st.sq_table = take(q * SQ_STATE_SIZE, 64);
  st.cq_table = take(q * CQ_STATE_SIZE, 64);
  st.sq_ready_words = (q + 63) >> 6;
  st.sq_ready = take(st.sq_ready_words * 8, 8);
  st.vec_table = take(st.max_vectors * VEC_STATE_SIZE, 64);
  st.ns_table = take(<u32>MAX_NAMESPACES * NS_STATE_SIZE, 64);
  st.ns_map = take(st.nn + 1, 8);
  st.seglist = take(SEG_CAP * 8, 64);
  st.md_seglist = take(SEG_CAP * 8, 64);
  st.sqe_buf = take(SQE_SIZE, 64);
  st.page_buf = take(4096, 4096);
  st.range_buf = take(COPY_MAX_RANGES * COPY_RANGE_F1_SIZE, 64);
  st.aer_table = take(AER_MAX * 4, 8);
  st.ae_table = take(AE_QUEUE_MAX * 4, 8);
  st.persist = take(PERSIST_SIZE, 64);
  st.errlog = st.persist != 0 ? st.persist + PERSIST_ERRLOG : 0; // saved with the counters
  st.dcur = take(CURSOR_SIZE * 2, 64);
  st.mcur = st.dcur + CURSOR_SIZE;
  st.crc16_table = take(256 * 2, 64);
  st.crc64_table = take(256 * 8, 64);
  st.pi_buf = take(64, 64);
  if (st.crc16_table != 0 && st.crc64_table != 0) piInitTables();
  return st.sq_table != 0 && st.cq_table != 0 && st.sq_ready != 0 && st.vec_table != 0 && st.ns_table != 0
    && st.ns_map != 0 && st.errlog != 0 && st.seglist != 0 && st.md_seglist != 0 && st.sqe_buf != 0
    && st.page_buf != 0 && st.range_buf != 0 && st.aer_table != 0 && st.ae_table != 0 && st.persist != 0
    && st.dcur != 0 && st.crc16_table != 0 && st.crc64_table != 0 && st.pi_buf != 0;
}

/** Another instance on the same memory (the controller thread): load cached addresses. */
export function ctrlAttach(): void {
  attachRegions();
  const st = state();
  setCursors(<usize>st.dcur, <usize>st.mcur);
}

export function stateAddress(): usize { return g_state; }
