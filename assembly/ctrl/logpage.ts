// Get Log Page (Base §5.1.12): Error Information (01h), SMART / Health Information (02h),
// Firmware Slot Information (03h) and Commands Supported and Effects (05h). The order of
// checks follows QEMU's nvme_get_log: offset alignment, MDTS, then the page itself; a log
// is built whole in the page buffer and min(length, size - offset) bytes are returned.

import { SQE_NSID, SQE_CDW10, SQE_CDW11, SQE_CDW12, SQE_CDW13 } from "../spec/sqe";
import {
  LOG_LID_MASK, LOG_RAE_BIT, LOG_NUMDL_SHIFT, LOG_NUMDU_MASK, LID_ERROR_INFO, LID_SMART, LID_FW_SLOT,
  LID_COMMANDS_EFFECTS, ERRLOG_ENTRY_SIZE, ERRLOG_ENTRIES, SMART_LOG_SIZE, SMART_COMPOSITE_TEMP,
  SMART_AVAIL_SPARE, SMART_AVAIL_SPARE_THRESH, SMART_DATA_UNITS_READ, SMART_DATA_UNITS_WRITTEN,
  SMART_HOST_READ_CMDS, SMART_HOST_WRITE_CMDS, SMART_CTRL_BUSY_TIME, SMART_POWER_CYCLES,
  SMART_POWER_ON_HOURS, SMART_UNSAFE_SHUTDOWNS, SMART_MEDIA_ERRORS, SMART_NUM_ERR_LOG_ENTRIES,
  SMART_TEMP_SENSOR1, SMART_DATA_UNIT_BYTES, SMART_CRITICAL_WARNING, EFFECTS_LOG_SIZE, EFFECTS_ACS,
  EFFECTS_IOCS, EFFECT_CSUPP, EFFECT_LBCC, EFFECT_NCC, AER_TYPE_ERROR, AER_TYPE_SMART,
  SMART_CW_TEMPERATURE,
} from "../spec/admin";
import {
  ADMIN_DELETE_SQ, ADMIN_CREATE_SQ, ADMIN_GET_LOG_PAGE, ADMIN_DELETE_CQ, ADMIN_CREATE_CQ, ADMIN_IDENTIFY,
  ADMIN_ABORT, ADMIN_GET_FEATURES, ADMIN_ASYNC_EVENT_REQUEST, NVM_FLUSH, NVM_WRITE,
  NVM_READ, NVM_COMPARE, NVM_WRITE_ZEROES, NVM_DATASET_MANAGEMENT, NVM_VERIFY, NVM_COPY,
  ADMIN_FORMAT_NVM,
} from "../spec/opcodes";
import { SC_SUCCESS, SC_INVALID_FIELD, STATUS_DNR } from "../spec/status";
import { IDC_FR_LEN } from "../spec/identify";
import { CFG_FR } from "../layout";
import { g_sqe, g_cfg, state } from "./globals";
import { fail } from "./result";
import { bufferToHost, mapData, toHost, Cursor, g_dcur } from "./dma";
import { persistent } from "./smart";
import { clearEvents } from "./aer";
import { mdtsBytes, ioSupported, adminSupported } from "./exec";
import { COMPOSITE_TEMP_K } from "./features";

const FW_SLOT_LOG_SIZE: u32 = 512;

export function getLogPage(): u32 {
  const dw10 = load<u32>(g_sqe + SQE_CDW10);
  const dw11 = load<u32>(g_sqe + SQE_CDW11);
  const lid = dw10 & LOG_LID_MASK;
  const rae = (dw10 >> LOG_RAE_BIT) & 1;
  const numd = (<u64>(dw11 & LOG_NUMDU_MASK) << 16) | <u64>(dw10 >> LOG_NUMDL_SHIFT);
  const len = (numd + 1) << 2;
  const off = (<u64>load<u32>(g_sqe + SQE_CDW13) << 32) | <u64>load<u32>(g_sqe + SQE_CDW12);
  if ((off & 3) != 0) return fail(SC_INVALID_FIELD | STATUS_DNR, SQE_CDW12, 0);
  const mdts = mdtsBytes();
  if (mdts != 0 && len > mdts) return fail(SC_INVALID_FIELD | STATUS_DNR, SQE_CDW10, 16);
  const buf = <usize>state().page_buf;
  let size: u32 = 0;
  switch (lid) {
    case LID_ERROR_INFO: size = errorLog(buf); break;
    case LID_SMART: {
      const nsid = load<u32>(g_sqe + SQE_NSID);
      if (nsid != 0 && nsid != 0xffffffff) return fail(SC_INVALID_FIELD | STATUS_DNR, SQE_NSID, 0);
      size = smartLog(buf);
      break;
    }
    case LID_FW_SLOT: size = fwSlotLog(buf); break;
    case LID_COMMANDS_EFFECTS: size = effectsLog(buf); break;
    default: return fail(SC_INVALID_FIELD | STATUS_DNR, SQE_CDW10, 0);
  }
  if (off >= <u64>size) return fail(SC_INVALID_FIELD | STATUS_DNR, SQE_CDW12, 0);
  const trans = <u32>min<u64>(<u64>size - off, len);
  const st = mapData(len);
  if (st != SC_SUCCESS) return st;
  toHost(changetype<Cursor>(g_dcur), buf + <usize>off, trans);
  if (rae == 0) {
    if (lid == LID_ERROR_INFO) clearEvents(AER_TYPE_ERROR);
    else if (lid == LID_SMART) clearEvents(AER_TYPE_SMART);
  }
  return SC_SUCCESS;
}

/** Entries newest first; unused entries are zero (Error Count 0 = invalid entry). */
function errorLog(buf: usize): u32 {
  const st = state();
  const head = persistent().err_head;
  for (let i: u32 = 0; i < <u32>ERRLOG_ENTRIES; i++) {
    const slot = (head + ERRLOG_ENTRIES - 1 - i) % ERRLOG_ENTRIES;
    memory.copy(buf + <usize>(i * ERRLOG_ENTRY_SIZE), <usize>st.errlog + <usize>(slot * ERRLOG_ENTRY_SIZE), ERRLOG_ENTRY_SIZE);
  }
  return ERRLOG_ENTRIES * ERRLOG_ENTRY_SIZE;
}

/** A 128-bit little-endian counter whose value fits 64 bits. */
@inline function counter(buf: usize, off: u32, v: u64): void {
  store<u64>(buf + off, v);
  store<u64>(buf + off + 8, 0);
}

/** Data units are thousands of 512-byte units, rounded up (Base Figure 207). */
@inline function dataUnits(bytes: u64): u64 {
  return (bytes + SMART_DATA_UNIT_BYTES - 1) / SMART_DATA_UNIT_BYTES;
}

function smartLog(buf: usize): u32 {
  const st = state();
  const p = persistent();
  memory.fill(buf, 0, SMART_LOG_SIZE);
  const warning: u32 = COMPOSITE_TEMP_K >= st.feat_temp_over || COMPOSITE_TEMP_K <= st.feat_temp_under ? SMART_CW_TEMPERATURE : 0;
  store<u8>(buf + SMART_CRITICAL_WARNING, <u8>warning);
  store<u16>(buf + SMART_COMPOSITE_TEMP, <u16>COMPOSITE_TEMP_K);
  store<u8>(buf + SMART_AVAIL_SPARE, 100);
  store<u8>(buf + SMART_AVAIL_SPARE_THRESH, 10);
  counter(buf, SMART_DATA_UNITS_READ, dataUnits(p.read_bytes));
  counter(buf, SMART_DATA_UNITS_WRITTEN, dataUnits(p.written_bytes));
  counter(buf, SMART_HOST_READ_CMDS, p.host_read_cmds);
  counter(buf, SMART_HOST_WRITE_CMDS, p.host_write_cmds);
  counter(buf, SMART_CTRL_BUSY_TIME, <u64>(p.busy_ns / 60e9));
  counter(buf, SMART_POWER_CYCLES, p.power_cycles);
  counter(buf, SMART_POWER_ON_HOURS, <u64>(p.power_on_ns / 3600e9));
  counter(buf, SMART_UNSAFE_SHUTDOWNS, p.unsafe_shutdowns);
  counter(buf, SMART_MEDIA_ERRORS, p.media_errors);
  counter(buf, SMART_NUM_ERR_LOG_ENTRIES, p.error_count);
  store<u16>(buf + SMART_TEMP_SENSOR1, <u16>COMPOSITE_TEMP_K);
  return SMART_LOG_SIZE;
}

function fwSlotLog(buf: usize): u32 {
  memory.fill(buf, 0, FW_SLOT_LOG_SIZE);
  store<u8>(buf, 1); // AFI: slot 1 active
  for (let i: u32 = 0; i < <u32>IDC_FR_LEN; i++) {
    const c = load<u8>(g_cfg + CFG_FR + i);
    store<u8>(buf + 8 + i, c == 0 ? 0x20 : c);
  }
  return FW_SLOT_LOG_SIZE;
}

/**
 * Commands Supported and Effects (Base 2.1 §5.1.12.1.5): CSUPP for every implemented opcode,
 * LBCC for the I/O commands that may change logical block content (Flush as QEMU does).
 * Format NVM changes logical block content and namespace capability (its LBA format and
 * protection information: FLBAS, DPS), so LBCC and NCC (QEMU 10.0.2 lists LBCC only). No other
 * admin command changes namespace capability, namespace inventory (NIC) or controller
 * capability (CCC): no feature does, and there is no Namespace Management or Sanitize, so
 * Set Features is CSUPP only (QEMU nvme_cse_acs: 01h).
 */
function effectsLog(buf: usize): u32 {
  memory.fill(buf, 0, EFFECTS_LOG_SIZE);
  for (let opc: u32 = 0; opc < 256; opc++) {
    if (adminSupported(opc)) {
      store<u32>(buf + EFFECTS_ACS + <usize>opc * 4, opc == ADMIN_FORMAT_NVM ? EFFECT_CSUPP | EFFECT_LBCC | EFFECT_NCC : EFFECT_CSUPP);
    }
    if (ioSupported(opc)) {
      let e = EFFECT_CSUPP;
      if (opc == NVM_WRITE || opc == NVM_WRITE_ZEROES || opc == NVM_DATASET_MANAGEMENT || opc == NVM_COPY || opc == NVM_FLUSH) e |= EFFECT_LBCC;
      store<u32>(buf + EFFECTS_IOCS + <usize>opc * 4, e);
    }
  }
  return EFFECTS_LOG_SIZE;
}
