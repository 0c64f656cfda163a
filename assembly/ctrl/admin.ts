// Admin commands (Base §5): queue creation and deletion with every check the spec lists,
// in QEMU's order (nvme_create_cq, nvme_create_sq, nvme_del_sq, nvme_del_cq), Abort and
// Asynchronous Event Request; Identify, features and log pages have their own files.

import { SQE_CID, SQE_CDW10, SQE_CDW11, SQE_PRP1 } from "../spec/sqe";
import {
  ADMIN_DELETE_SQ, ADMIN_CREATE_SQ, ADMIN_GET_LOG_PAGE, ADMIN_DELETE_CQ, ADMIN_CREATE_CQ, ADMIN_IDENTIFY,
  ADMIN_ABORT, ADMIN_SET_FEATURES, ADMIN_GET_FEATURES, ADMIN_ASYNC_EVENT_REQUEST, ADMIN_FORMAT_NVM,
} from "../spec/opcodes";
import {
  CREATEQ_QID_MASK, CREATEQ_QSIZE_SHIFT, CREATEQ_PC, CREATECQ_IEN, CREATECQ_IV_SHIFT,
  CREATESQ_QPRIO_SHIFT, CREATESQ_CQID_SHIFT, ABORT_CID_SHIFT, ABORT_NOT_ABORTED,
} from "../spec/admin";
import {
  SC_SUCCESS, SC_INVALID_FIELD, SC_CQ_INVALID, SC_INVALID_QID, SC_INVALID_QUEUE_SIZE,
  SC_INVALID_PRP_OFFSET, SC_INVALID_INTERRUPT_VECTOR, SC_INVALID_QUEUE_DELETION, STATUS_DNR,
} from "../spec/status";
import { CC_IOSQES_SHIFT, CC_IOCQES_SHIFT, CC_ES_MASK } from "../spec/regs";
import { g_sqe, state } from "./globals";
import { fail, setDw0 } from "./result";
import { cqAt, sqExists, cqExists, createCq, createSq, deleteSq, deleteCq } from "./queues";
import { aerSubmit, aerAbort } from "./aer";
import { identify } from "./identify";
import { getFeatures, setFeatures } from "./features";
import { getLogPage } from "./logpage";
import { formatNvm } from "./format";

export function adminDispatch(opc: u32): u32 {
  switch (opc) {
    case ADMIN_DELETE_SQ: return deleteIoSq();
    case ADMIN_CREATE_SQ: return createIoSq();
    case ADMIN_GET_LOG_PAGE: return getLogPage();
    case ADMIN_DELETE_CQ: return deleteIoCq();
    case ADMIN_CREATE_CQ: return createIoCq();
    case ADMIN_IDENTIFY: return identify();
    case ADMIN_ABORT: return abortCommand();
    case ADMIN_SET_FEATURES: return setFeatures();
    case ADMIN_GET_FEATURES: return getFeatures();
    case ADMIN_ASYNC_EVENT_REQUEST: return aerSubmit(<u32>load<u16>(g_sqe + SQE_CID));
    case ADMIN_FORMAT_NVM: return formatNvm();
  }
  return fail(SC_INVALID_FIELD | STATUS_DNR, 0, 0);
}

/** Create I/O Completion Queue (Base §5.2.2). */
function createIoCq(): u32 {
  const st = state();
  const dw10 = load<u32>(g_sqe + SQE_CDW10);
  const dw11 = load<u32>(g_sqe + SQE_CDW11);
  const qid = dw10 & CREATEQ_QID_MASK;
  const qsize = dw10 >> CREATEQ_QSIZE_SHIFT;
  const iv = dw11 >> CREATECQ_IV_SHIFT;
  const base = load<u64>(g_sqe + SQE_PRP1);
  if (((st.cc >> CC_IOSQES_SHIFT) & CC_ES_MASK) != 6 || ((st.cc >> CC_IOCQES_SHIFT) & CC_ES_MASK) != 4) {
    return fail(SC_INVALID_QUEUE_SIZE | STATUS_DNR, SQE_CDW10, 16);
  }
  if (qid == 0 || qid > st.feat_ncqa + 1 || cqExists(qid)) return fail(SC_INVALID_QID | STATUS_DNR, SQE_CDW10, 0);
  if (qsize == 0 || qsize > st.mqes) return fail(SC_INVALID_QUEUE_SIZE | STATUS_DNR, SQE_CDW10, 16);
  if ((base & ((<u64>1 << st.page_shift) - 1)) != 0) return fail(SC_INVALID_PRP_OFFSET | STATUS_DNR, SQE_PRP1, 0);
  if (iv >= st.max_vectors) return fail(SC_INVALID_INTERRUPT_VECTOR | STATUS_DNR, SQE_CDW11, 16);
  if ((dw11 & CREATEQ_PC) == 0) return fail(SC_INVALID_FIELD | STATUS_DNR, SQE_CDW11, 0);
  createCq(qid, base, qsize + 1, iv, (dw11 & CREATECQ_IEN) != 0);
  st.io_queues_created++;
  return SC_SUCCESS;
}

/** Create I/O Submission Queue (Base §5.2.3). */
function createIoSq(): u32 {
  const st = state();
  const dw10 = load<u32>(g_sqe + SQE_CDW10);
  const dw11 = load<u32>(g_sqe + SQE_CDW11);
  const qid = dw10 & CREATEQ_QID_MASK;
  const qsize = dw10 >> CREATEQ_QSIZE_SHIFT;
  const cqid = dw11 >> CREATESQ_CQID_SHIFT;
  const base = load<u64>(g_sqe + SQE_PRP1);
  if (cqid == 0 || !cqExists(cqid)) return fail(SC_CQ_INVALID | STATUS_DNR, SQE_CDW11, 16);
  if (qid == 0 || qid > st.feat_nsqa + 1 || sqExists(qid)) return fail(SC_INVALID_QID | STATUS_DNR, SQE_CDW10, 0);
  if (qsize == 0 || qsize > st.mqes) return fail(SC_INVALID_QUEUE_SIZE | STATUS_DNR, SQE_CDW10, 16);
  if ((base & ((<u64>1 << st.page_shift) - 1)) != 0) return fail(SC_INVALID_PRP_OFFSET | STATUS_DNR, SQE_PRP1, 0);
  if ((dw11 & CREATEQ_PC) == 0) return fail(SC_INVALID_FIELD | STATUS_DNR, SQE_CDW11, 0);
  createSq(qid, base, qsize + 1, cqid, (dw11 >> CREATESQ_QPRIO_SHIFT) & 3);
  st.io_queues_created++;
  return SC_SUCCESS;
}

/** Delete I/O Submission Queue (Base §5.2.4). Commands run to completion when fetched, so none is left to abort. */
function deleteIoSq(): u32 {
  const qid = load<u32>(g_sqe + SQE_CDW10) & CREATEQ_QID_MASK;
  if (qid == 0 || !sqExists(qid)) return fail(SC_INVALID_QID | STATUS_DNR, SQE_CDW10, 0);
  deleteSq(qid);
  return SC_SUCCESS;
}

/** Delete I/O Completion Queue (Base §5.2.5): not while an SQ still posts to it. */
function deleteIoCq(): u32 {
  const qid = load<u32>(g_sqe + SQE_CDW10) & CREATEQ_QID_MASK;
  if (qid == 0 || !cqExists(qid)) return fail(SC_CQ_INVALID | STATUS_DNR, SQE_CDW10, 0);
  if (cqAt(qid).sq_refs != 0) return fail(SC_INVALID_QUEUE_DELETION, SQE_CDW10, 0);
  deleteCq(qid);
  return SC_SUCCESS;
}

/**
 * Abort (Base §5.1.1). Only Asynchronous Event Requests are still outstanding when an
 * Abort arrives (everything else completed when it was fetched): those are aborted; for
 * any other CID, DW0 bit 0 says "not aborted".
 */
function abortCommand(): u32 {
  const dw10 = load<u32>(g_sqe + SQE_CDW10);
  const sqid = dw10 & 0xffff;
  const cid = dw10 >> ABORT_CID_SHIFT;
  setDw0(ABORT_NOT_ABORTED); // preset, as QEMU does: "not aborted" unless one is found
  if (!sqExists(sqid)) return fail(SC_INVALID_FIELD | STATUS_DNR, SQE_CDW10, 0);
  if (sqid == 0 && aerAbort(cid)) setDw0(0);
  return SC_SUCCESS;
}

