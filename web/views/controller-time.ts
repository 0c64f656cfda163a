// The controller's events of a lab run on the block layer's modelled clock, for the Queues
// view and the Trace view's interleaved controller lines. A lab run steps the controller when
// the host rings a doorbell (src/controller/port.ts StepPort, clocked by the block layer's
// modelled time), so the ring records each command's fetch, execution and CQE at its
// submission time; the block layer completes the command later, when the device model says it
// is done (NvmeCommandRecord.done_ns, src/block/nvme-blk.ts commandDue). Here the completion
// side moves to that time, as a device that took that long would post it: the CQE (QEMU's
// pci_nvme_enqueue_req_completion), the MSI-X interrupt that signals it, and the host's CQ
// head doorbell that releases it (nvme_poll_cq reaps, then nvme_ring_cq_doorbell). The
// submission side (SQ tail doorbell, fetch, Copy's source ranges) keeps its time. No DOM.

import * as L from "../../assembly/layout";
import type { ControllerEvent } from "../../src/controller/events";
import type { NvmeCommandRecord } from "../../src/block/trace";

/** A controller event on the modelled clock; ringTimeNs is the time the ring recorded. */
export interface TimedControllerEvent extends ControllerEvent {
  ringTimeNs: number;
}

/**
 * Moved to a later time than the ring's: at that time it comes before the block layer's
 * events (the CQE and its interrupt cause the request's C, blk_mq_complete_request from
 * nvme_irq), where an event at its own time follows the block event that caused it (D, then
 * nvme_queue_rq rings the doorbell).
 */
export const movedLater = (e: ControllerEvent & { ringTimeNs?: number }): boolean =>
  e.ringTimeNs !== undefined && e.timeNs > e.ringTimeNs;

/**
 * The host's records of its commands by "qid:cid:opcode", each list in submission order, so a
 * fetch of that command takes the next one. Records of commands submitted before t0 (a ring
 * that lost the run's beginning has no fetch for them) are left out: later fetches of the same
 * CID would take them.
 */
export function recordsByCommand(commands: readonly NvmeCommandRecord[], t0: number): Map<string, NvmeCommandRecord[]> {
  const records = new Map<string, NvmeCommandRecord[]>();
  for (const r of commands) {
    if (r.time_ns < t0) continue;
    const k = `${r.qid}:${r.cid}:${r.opcode}`;
    let l = records.get(k);
    if (!l) records.set(k, (l = []));
    l.push(r);
  }
  return records;
}

/**
 * The events with completion-side times moved to the modelled completion, sorted by time; at
 * one time the moved ones first, then the ring's order. Each is a copy (other fields, such as
 * a lab run's blkBefore, come along); `seq` is still the ring's sequence number. A completion is matched to the driver's record of its command by
 * queue, CID and opcode in fetch order (a CID is reused once its command completes); admin
 * commands and commands without a done time keep the ring's time.
 */
export function atModelledTime(events: readonly ControllerEvent[], commands: readonly NvmeCommandRecord[]): TimedControllerEvent[] {
  // a ring that lost the run's beginning has no fetch for commands submitted before its
  // oldest event: leave their records out, as QueueReplay does
  const records = recordsByCommand(commands, events.length > 0 && events[0].seq > 0 ? events[0].timeNs : -Infinity);
  const outstanding = new Map<string, NvmeCommandRecord | undefined>(); // sqid:cid, fetched
  const vectorOf = new Map<number, number>([[0, 0]]); // cqid -> MSI-X vector; the admin CQ uses 0
  const sizeOf = new Map<number, number>();
  /** Per CQ: modelled post times in the ring's order, how many the host released, its head. */
  const cqs = new Map<number, { posted: number[]; released: number; head: number }>();
  const cq = (id: number) => {
    let q = cqs.get(id);
    if (!q) cqs.set(id, (q = { posted: [], released: 0, head: 0 }));
    return q;
  };
  /** Per vector: the latest modelled post time since its last interrupt. */
  const owed = new Map<number, number>();

  const out: TimedControllerEvent[] = events.map((e) => ({ ...e, ringTimeNs: e.timeNs }));
  for (let i = 0; i < out.length; i++) {
    const e = out[i];
    switch (e.kind) {
      case L.EVK_CREATE_CQ:
        vectorOf.set(e.sqid, Number(e.b & 0xffffn));
        sizeOf.set(e.sqid, e.arg32);
        cqs.delete(e.sqid);
        break;
      case L.EVK_FETCH:
        outstanding.set(`${e.sqid}:${e.cid}`, e.sqid === 0 ? undefined : records.get(`${e.sqid}:${e.cid}:${e.opc}`)?.shift());
        break;
      case L.EVK_COMPLETE: {
        const key = `${e.sqid}:${e.cid}`;
        const done = outstanding.get(key)?.done_ns;
        outstanding.delete(key);
        if (done !== undefined) e.timeNs = Math.max(e.timeNs, done);
        // a completion after a fatal CQ post error posted nothing (assembly/ctrl/queues.ts postCqe)
        const prev = events[i - 1];
        if (prev && prev.kind === L.EVK_FATAL && prev.arg32 === L.FATAL_CQ_POST_DMA) break;
        cq(e.arg32).posted.push(e.timeNs);
        const v = vectorOf.get(e.arg32) ?? e.arg32;
        owed.set(v, Math.max(owed.get(v) ?? -Infinity, e.timeNs));
        break;
      }
      case L.EVK_INTERRUPT: {
        // an interrupt signals the CQEs posted since the vector's last one (with coalescing,
        // the one that reached the threshold): not before the last of them
        const t = owed.get(e.arg32);
        if (t !== undefined) e.timeNs = Math.max(e.timeNs, t);
        owed.delete(e.arg32);
        break;
      }
      case L.EVK_DOORBELL_CQ: {
        // the host moves the head past the CQEs it reaped: not before the last of them
        const q = cq(e.sqid);
        const size = sizeOf.get(e.sqid);
        const n = size ? (e.arg32 - q.head + size) % size : q.posted.length - q.released;
        const upto = Math.min(q.posted.length, q.released + n);
        for (let k = q.released; k < upto; k++) e.timeNs = Math.max(e.timeNs, q.posted[k]);
        q.released = upto;
        q.head = e.arg32;
        break;
      }
    }
  }
  // At one time, what moved there comes first: it was recorded at its command's submission,
  // earlier, so the ring (stepped on a clock that never goes back) has it first anyway, but
  // the Trace view's merge (trace-model.ts filterRows) puts it before that time's block
  // events and so needs it first. Array.prototype.sort is stable (ES2019): other ties keep
  // the ring's order.
  return out.sort((a, b) => a.timeNs - b.timeNs || Number(b.timeNs > b.ringTimeNs) - Number(a.timeNs > a.ringTimeNs));
}
