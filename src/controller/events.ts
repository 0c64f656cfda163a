// Reading the controller's event ring (assembly/layout.ts EV_*): decoded records, and lines
// in the style of QEMU's hw/nvme trace-events (pci_nvme_*, pci_nvme_err_*, pci_nvme_ub_*)
// so users fluent in QEMU traces recognise them.

import * as L from "../../assembly/layout";
import { ControllerCore } from "./core";
import { opcodeName } from "../driver/names";

export interface ControllerEvent {
  seq: number;
  kind: number;
  cls: number;
  sqid: number;
  cid: number;
  opc: number;
  status: number;
  nsid: number;
  arg32: number;
  a: bigint;
  b: bigint;
  timeNs: number;
}

/** Events with sequence number >= from that are still in the ring, oldest first. */
export function readEvents(core: ControllerCore, from: number): ControllerEvent[] {
  const mem = core.bytes();
  const dv = new DataView(mem.buffer, core.layout.eventsBase, core.layout.eventsCount * L.EVENT_SIZE);
  const end = Atomics.load(core.control, L.CTL_EVENT_SEQ / 4) >>> 0;
  const start = Math.max(from, end - core.layout.eventsCount);
  const out: ControllerEvent[] = [];
  for (let s = start; s < end; s++) {
    const e = (s % core.layout.eventsCount) * L.EVENT_SIZE;
    if (dv.getUint32(e + L.EV_SEQ, true) !== s + 1) continue; // overwritten meanwhile
    out.push({
      seq: s,
      kind: dv.getUint8(e + L.EV_KIND),
      cls: dv.getUint8(e + L.EV_CLASS),
      sqid: dv.getUint16(e + L.EV_SQID, true),
      cid: dv.getUint16(e + L.EV_CID, true),
      opc: dv.getUint8(e + L.EV_OPC),
      status: dv.getUint16(e + L.EV_STATUS, true),
      nsid: dv.getUint32(e + L.EV_NSID, true),
      arg32: dv.getUint32(e + L.EV_ARG32, true),
      a: dv.getBigUint64(e + L.EV_ARG64A, true),
      b: dv.getBigUint64(e + L.EV_ARG64B, true),
      timeNs: dv.getFloat64(e + L.EV_TIME_NS, true),
    });
  }
  return out;
}

export function eventSeq(core: ControllerCore): number {
  return Atomics.load(core.control, L.CTL_EVENT_SEQ / 4) >>> 0;
}

const hex = (v: number | bigint) => `0x${v.toString(16)}`;

const UB_TEXT: Record<number, (e: ControllerEvent) => string> = {
  [L.UB_DB_ABSENT_SQ]: (e) => `pci_nvme_ub_db_wr_invalid_sq submission queue doorbell write for nonexistent queue, sqid=${e.sqid}, ignoring`,
  [L.UB_DB_ABSENT_CQ]: (e) => `pci_nvme_ub_db_wr_invalid_cq completion queue doorbell write for nonexistent queue, cqid=${e.sqid}, ignoring`,
  [L.UB_DB_SQ_TAIL_RANGE]: (e) => `pci_nvme_ub_db_wr_invalid_sqtail submission queue doorbell write value beyond queue size, sqid=${e.sqid}, new_tail=${e.a}, ignoring`,
  [L.UB_DB_CQ_HEAD_RANGE]: (e) => `pci_nvme_ub_db_wr_invalid_cqhead completion queue doorbell write value beyond queue size, cqid=${e.sqid}, new_head=${e.a}, ignoring`,
  [L.UB_DB_SQ_OVERFLOW]: (e) => `pci_nvme_ub_db_wr_sq_overflow submission queue tail doorbell would overwrite unfetched entries, sqid=${e.sqid}, new_tail=${e.a}, ignoring`,
  [L.UB_DB_CQ_HEAD_PAST_TAIL]: (e) => `pci_nvme_ub_db_wr_cq_underflow completion queue head doorbell passes the tail, cqid=${e.sqid}, new_head=${e.a}, ignoring`,
  [L.UB_MMIO_READONLY]: (e) => `pci_nvme_ub_mmiowr_readonly write to read-only register, offset=${hex(e.b)}, data=${hex(e.a)}, ignoring`,
  [L.UB_MMIO_MISALIGNED]: (e) => `pci_nvme_ub_mmiowr_misaligned MMIO write not aligned to its size, offset=${hex(e.b)}, ignoring`,
  [L.UB_MMIO_BEYOND_BAR]: (e) => `pci_nvme_ub_mmiowr_invalid MMIO write beyond BAR0, offset=${hex(e.b)}, ignoring`,
  [L.UB_CC_WHILE_ENABLED]: (e) => `pci_nvme_ub_mmiowr_cc_enabled CC fields other than SHN, IOSQES, IOCQES changed while enabled, data=${hex(e.a)}, ignoring them`,
  [L.UB_DB_WHILE_DISABLED]: (e) => `pci_nvme_ub_db_wr_disabled doorbell write while the controller is not ready, doorbell=${e.b}, ignoring`,
};

const FATAL_TEXT: Record<number, string> = {
  [L.FATAL_ENABLE_CHECK]: "enable failed: admin queue addresses, sizes, CC.CSS or CC.MPS invalid",
  [L.FATAL_SQ_FETCH_DMA]: "submission queue entry could not be fetched (address outside host memory)",
  [L.FATAL_CQ_POST_DMA]: "completion queue entry could not be posted (address outside host memory)",
};

/** One trace line, QEMU style: "pci_nvme_<event> <fields>". */
export function formatEvent(e: ControllerEvent): string {
  switch (e.kind) {
    case L.EVK_MMIO_WRITE: return `pci_nvme_mmio_write addr ${hex(e.arg32)} data ${hex(e.a)} size ${e.b}`;
    case L.EVK_DOORBELL_SQ: return `pci_nvme_mmio_doorbell_sq sqid ${e.sqid} new_tail ${e.arg32}`;
    case L.EVK_DOORBELL_CQ: return `pci_nvme_mmio_doorbell_cq cqid ${e.sqid} new_head ${e.arg32}`;
    case L.EVK_FETCH:
      return e.sqid === 0
        ? `pci_nvme_admin_cmd cid ${e.cid} sqid ${e.sqid} opc ${hex(e.opc)} opname '${opcodeName(true, e.opc)}'`
        : `pci_nvme_io_cmd cid ${e.cid} nsid ${hex(e.nsid)} sqid ${e.sqid} opc ${hex(e.opc)} opname '${opcodeName(false, e.opc)}'`;
    case L.EVK_COMPLETE: {
      const line = `pci_nvme_enqueue_req_completion cid ${e.cid} cqid ${e.arg32} dw0 ${hex(e.a)} dw1 ${hex(e.b)} status ${hex(e.status)}`;
      return e.cls === L.EVC_ERROR
        ? `pci_nvme_err_req_status cid ${e.cid} nsid ${e.nsid} status ${hex(e.status)} opc ${hex(e.opc)}\n${line}`
        : line;
    }
    case L.EVK_INTERRUPT: return `pci_nvme_irq_msix raising MSI-X IRQ vector ${e.arg32}`;
    case L.EVK_ENABLE: return `pci_nvme_mmio_start_success setting controller enable bit succeeded`;
    case L.EVK_DISABLE: return `pci_nvme_mmio_stopped cleared controller enable bit`;
    case L.EVK_SHUTDOWN: return `pci_nvme_mmio_shutdown_set shutdown bit set`;
    case L.EVK_NSSR: return `pci_nvme_nssr NVM subsystem reset`;
    case L.EVK_FATAL: return `pci_nvme_err_cfs controller fatal status: ${FATAL_TEXT[e.arg32] ?? `reason ${e.arg32}`}`;
    case L.EVK_CREATE_SQ: return `pci_nvme_create_sq create submission queue, addr=${hex(e.a)}, sqid=${e.sqid}, cqid=${e.b}, qsize=${e.arg32 - 1}`;
    case L.EVK_CREATE_CQ: return `pci_nvme_create_cq create completion queue, addr=${hex(e.a)}, cqid=${e.sqid}, vector=${Number(e.b & 0xffffn)}, qsize=${e.arg32 - 1}, ien=${Number(e.b >> 32n)}`;
    case L.EVK_DELETE_SQ: return `pci_nvme_del_sq deleting submission queue sqid=${e.sqid}`;
    case L.EVK_DELETE_CQ: return `pci_nvme_del_cq deleted completion queue, cqid=${e.sqid}`;
    case L.EVK_COPY_RANGE: return `pci_nvme_copy_source_range range ${e.sqid} snsid ${e.arg32} slba ${hex(e.a)} nlb ${e.cid + 1} -> nsid ${e.nsid} dlba ${hex(e.b)}`;
    case L.EVK_ASYNC_EVENT: return `pci_nvme_aer_post_cqe type ${hex(e.arg32 & 7)} info ${hex((e.arg32 >> 8) & 0xff)} lid ${hex((e.arg32 >> 16) & 0xff)}`;
    case L.EVK_UB: return (UB_TEXT[e.arg32] ?? ((x: ControllerEvent) => `pci_nvme_ub reason ${x.arg32}`))(e);
    default: return `pci_nvme_event kind ${e.kind}`;
  }
}
