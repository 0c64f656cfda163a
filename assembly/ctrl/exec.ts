// Command dispatch: one fetched SQE (already copied to the controller's SQE buffer) is
// executed and completed. The common checks come first, in QEMU's order (nvme_admin_cmd,
// nvme_io_cmd), then the handler; a failed command also gets an Error Information entry.

import { SQE_OPC, SQE_FLAGS, SQE_CID, SQE_NSID, SQE_FUSE_MASK } from "../spec/sqe";
import {
  ADMIN_DELETE_SQ, ADMIN_CREATE_SQ, ADMIN_GET_LOG_PAGE, ADMIN_DELETE_CQ, ADMIN_CREATE_CQ, ADMIN_IDENTIFY,
  ADMIN_ABORT, ADMIN_SET_FEATURES, ADMIN_GET_FEATURES, ADMIN_ASYNC_EVENT_REQUEST, ADMIN_FORMAT_NVM,
  NVM_FLUSH, NVM_WRITE, NVM_READ, NVM_COMPARE, NVM_WRITE_ZEROES, NVM_DATASET_MANAGEMENT, NVM_VERIFY, NVM_COPY,
} from "../spec/opcodes";
import {
  SC_SUCCESS, SC_INVALID_OPCODE, SC_INVALID_FIELD, SC_INVALID_NSID, STATUS_DNR,
} from "../spec/status";
import {
  ONCS_COMPARE, ONCS_DSM, ONCS_WRITE_ZEROES, ONCS_VERIFY, ONCS_COPY,
} from "../spec/identify";
import { EVK_FETCH, EVK_COMPLETE, EVC_NORMAL, EVC_ERROR } from "../layout";
import { SQE_CDW10, SQE_CDW12 } from "../spec/sqe";
import { g_sqe, state } from "./globals";
import { resetResult, r_dw0, r_dw1, fail } from "./result";
import { postCqe, cqAt } from "./queues";
import { traceOn, emit } from "./events";
import { errorLogAdd } from "./smart";
import { NO_COMPLETE } from "./aer";
import { adminDispatch } from "./admin";
import { nvmDispatch, flush } from "./nvm";
import { psdtOf } from "./dma";
import { nsById, nsidValid, NSID_BROADCAST } from "./ns";

export function adminSupported(opc: u32): bool {
  switch (opc) {
    case ADMIN_DELETE_SQ: case ADMIN_CREATE_SQ: case ADMIN_GET_LOG_PAGE: case ADMIN_DELETE_CQ:
    case ADMIN_CREATE_CQ: case ADMIN_IDENTIFY: case ADMIN_ABORT: case ADMIN_SET_FEATURES:
    case ADMIN_GET_FEATURES: case ADMIN_ASYNC_EVENT_REQUEST: case ADMIN_FORMAT_NVM:
      return true;
  }
  return false;
}

/**
 * I/O opcodes, as ONCS advertises the optional ones; with its ONCS bit cleared, Write Zeroes,
 * Dataset Management or Verify is still supported when Identify CNS 06h reports a limit for it
 * (NVM CS 1.0 Figure 102: the limit is then a hard one).
 */
@inline export function ioSupported(opc: u32): bool {
  const st = state();
  const oncs = st.oncs;
  switch (opc) {
    case NVM_FLUSH: case NVM_WRITE: case NVM_READ: return true;
    case NVM_COMPARE: return (oncs & ONCS_COMPARE) != 0;
    case NVM_WRITE_ZEROES: return (oncs & ONCS_WRITE_ZEROES) != 0 || st.wzsl != 0;
    case NVM_DATASET_MANAGEMENT: return (oncs & ONCS_DSM) != 0 || st.dmrl != 0;
    case NVM_VERIFY: return (oncs & ONCS_VERIFY) != 0 || st.vsl != 0;
    case NVM_COPY: return (oncs & ONCS_COPY) != 0;
  }
  return false;
}

/** MDTS in bytes (units of CAP.MPSMIN = 4 KiB, Base §5.1.13.2.1); 0 = no limit. */
export function mdtsBytes(): u64 {
  const m = state().mdts;
  return m == 0 ? 0 : <u64>4096 << m;
}

@inline export function execute(sqid: u32, cqid: u32): void {
  resetResult();
  const opc = <u32>load<u8>(g_sqe + SQE_OPC);
  const cid = <u32>load<u16>(g_sqe + SQE_CID);
  const nsid = load<u32>(g_sqe + SQE_NSID);
  if (traceOn(EVC_NORMAL)) {
    const a = <u64>load<u32>(g_sqe + SQE_CDW10) | (<u64>load<u32>(g_sqe + SQE_CDW10 + 4) << 32);
    const b = <u64>load<u32>(g_sqe + SQE_CDW12) | (<u64>load<u32>(g_sqe + SQE_CDW12 + 4) << 32);
    emit(EVK_FETCH, EVC_NORMAL, sqid, cid, opc, 0, nsid, cqid, a, b);
  }
  const status = sqid == 0 ? adminCommand(opc) : ioCommand(opc, nsid);
  if (status == NO_COMPLETE) return;
  complete(sqid, cqid, cid, opc, nsid, status);
}

export function complete(sqid: u32, cqid: u32, cid: u32, opc: u32, nsid: u32, status: u32): void {
  const failed = (status & 0x7ff) != 0;
  if (failed) errorLogAdd(sqid, cid, opc, nsid, status, cqAt(cqid).phase);
  postCqe(cqid, sqid, cid, status, r_dw0, r_dw1, opc, nsid, failed ? EVC_ERROR : EVC_NORMAL);
}

function adminCommand(opc: u32): u32 {
  if (!adminSupported(opc)) return fail(SC_INVALID_OPCODE | STATUS_DNR, SQE_OPC, 0);
  if (psdtOf(g_sqe) != 0) return fail(SC_INVALID_FIELD | STATUS_DNR, SQE_FLAGS, 6);
  if ((load<u8>(g_sqe + SQE_FLAGS) & SQE_FUSE_MASK) != 0) return fail(SC_INVALID_FIELD | STATUS_DNR, SQE_FLAGS, 0);
  return adminDispatch(opc);
}

/**
 * NSID, attachment, FUSE, then opcode, as QEMU's nvme_io_cmd. Only a Flush of every
 * namespace (FFFFFFFFh) is handled before the NSID checks; a Flush naming one namespace
 * is checked like any other command.
 */
@inline function ioCommand(opc: u32, nsid: u32): u32 {
  if (opc == NVM_FLUSH && nsid == NSID_BROADCAST) {
    const s = fuseCheck();
    return s != SC_SUCCESS ? s : flush(nsid);
  }
  if (!nsidValid(nsid) || nsid == NSID_BROADCAST) return fail(SC_INVALID_NSID | STATUS_DNR, SQE_NSID, 0);
  const ns = nsById(nsid);
  if (ns == null) return fail(SC_INVALID_FIELD | STATUS_DNR, SQE_NSID, 0);
  const s = fuseCheck();
  if (s != SC_SUCCESS) return s;
  if (opc == NVM_FLUSH) return flush(nsid);
  if (!ioSupported(opc)) return fail(SC_INVALID_OPCODE | STATUS_DNR, SQE_OPC, 0);
  return nvmDispatch(opc, ns);
}

/** No fused operations are supported (FUSES = 0): Invalid Field, which can never succeed, so DNR. */
function fuseCheck(): u32 {
  if ((load<u8>(g_sqe + SQE_FLAGS) & SQE_FUSE_MASK) != 0) return fail(SC_INVALID_FIELD | STATUS_DNR, SQE_FLAGS, 0);
  return SC_SUCCESS;
}
