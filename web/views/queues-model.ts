// The Queues view's model, without DOM: it replays the controller's event ring of a run
// (LabRun.controller) and gives, after any number of events, every SQ and CQ as the controller
// saw it: ring size, head, tail, phase, what each slot holds (the SQE as fetched, decoded; the
// CQE as posted, with its phase tag and status), doorbells and interrupts. Also the decoding of
// SQE command dwords and CQE fields by the specification's names, the ring window and slot
// geometry the view draws, and the stops of "Step command".

import * as L from "../../assembly/layout";
import * as O from "../../assembly/spec/opcodes";
import * as C from "../../assembly/spec/copy";
import * as A from "../../assembly/spec/admin";
import * as I from "../../assembly/spec/identify";
import { formatEvent, type ControllerEvent } from "../../src/controller/events";
import { opcodeName } from "../../src/driver/names";
import { featureName } from "../../src/cli/print/features";
import type { NvmeCommandRecord } from "../../src/block/trace";
import { decodeStatus, type StatusInfo } from "../decode";
import { atModelledTime, recordsByCommand } from "./controller-time";
import { fmtModelled } from "../app/time";

/** One decoded field of an SQE or CQE: the specification's name, its value, what it means. */
export interface EntryField {
  name: string;
  value: string;
  meaning?: string;
}

/** A Copy source range as the controller read it (EVK_COPY_RANGE), NLB 1-based. */
export interface CopySourceRange {
  index: number;
  snsid: number;
  slba: number;
  nlb: number;
  /** Where the range lands: the destination namespace and its first LBA. */
  dnsid: number;
  dlba: number;
}

/** One SQE: what the host wrote into an SQ slot, known from the controller's fetch of it. */
export interface SqEntry {
  /** Index of the EVK_FETCH event in the run's controller events. */
  fetchAt: number;
  sqid: number;
  cqid: number;
  /** The SQ slot it was fetched from. */
  slot: number;
  cid: number;
  opc: number;
  admin: boolean;
  name: string;
  nsid: number;
  cdw10: number;
  cdw11: number;
  cdw12: number;
  cdw13: number;
  fields: EntryField[];
  /** Copy: the source ranges the controller processed (in order). */
  ranges: CopySourceRange[];
  /** The host driver's record of the command (I/O commands of the block layer). */
  record?: NvmeCommandRecord;
  /** Its completion, when the run posted one. */
  completion?: CqEntry;
  timeNs: number;
}

/** One CQE the controller posted (Base 2.1 §4.2.1, Figure 100). */
export interface CqEntry {
  /** Index of the EVK_COMPLETE event. */
  postAt: number;
  cqid: number;
  slot: number;
  /** DW2: SQ Head Pointer (the SQ's head when the entry was posted) and SQ Identifier. */
  sqhd: number;
  sqid: number;
  cid: number;
  opc: number;
  /** The Phase Tag written with the entry. */
  phase: number;
  status: StatusInfo;
  dw0: number;
  dw1: number;
  /** The command it completes (undefined for an AER completed without a fetch in the record). */
  entry?: SqEntry;
  timeNs: number;
}

export interface SqState {
  sqid: number;
  cqid: number;
  /** Entries (0 when the queue's creation is not in the record). */
  size: number;
  base: bigint;
  /** Index of the event that created it, or -1 when the ring lost it. */
  createdAt: number;
  exists: boolean;
  /** Controller: the next slot to fetch. */
  head: number;
  /** Host: the last SQ tail doorbell value. */
  tail: number;
  fetched: number;
  doorbells: number;
  /** The SQE last written to each slot (undefined: never written in the record). */
  slots: Array<SqEntry | undefined>;
  /** Submitted entries that the record never shows fetched (the run ended first). */
  unknownPending: number;
}

export interface CqState {
  cqid: number;
  size: number;
  base: bigint;
  vector: number;
  /** Interrupts Enabled (Create I/O CQ CDW11 bit 1; always set for the admin CQ). */
  ien: boolean;
  createdAt: number;
  exists: boolean;
  /** Host: the last CQ head doorbell value. */
  head: number;
  /** Controller: the next slot to post into. */
  tail: number;
  /** The Phase Tag the controller writes into its next entry (starts at 1, inverts at each wrap). */
  phase: number;
  posted: number;
  doorbells: number;
  interrupts: number;
  slots: Array<CqEntry | undefined>;
}

export type SlotState = "pending" | "consumed" | "empty" | "new";

export interface QueueState {
  /** Events applied (0 = before the first). */
  position: number;
  /** The last event applied (events[position - 1]). */
  event?: ControllerEvent;
  sqs: Map<number, SqState>;
  cqs: Map<number, CqState>;
  /** CSTS.RDY as the events tell it (enable .. disable/shutdown/fatal). */
  ready: boolean;
  fatal: boolean;
}

/** What "Step command" stops at. */
export type CommandStop = "any" | "io" | "copy" | "error";

const hex = (v: number, digits = 0) => `${(v >>> 0).toString(16).toUpperCase().padStart(digits, "0")}h`;
const bit = (v: number, n: number) => (v >>> n) & 1;
const u64 = (lo: number, hi: number) => (hi >>> 0) * 2 ** 32 + (lo >>> 0);

/** Modelled time for a trace line: whole ns, then ns, µs, ms or s with three decimals (web/app/time.ts). */
export const formatNs = fmtModelled;

const CNS_NAMES: Record<number, string> = {
  [I.CNS_NAMESPACE]: "Identify Namespace",
  [I.CNS_CONTROLLER]: "Identify Controller",
  [I.CNS_ACTIVE_NSID_LIST]: "Active Namespace ID list",
  [I.CNS_NS_ID_DESCRIPTORS]: "Namespace Identification Descriptor list",
  [I.CNS_CSI_NAMESPACE]: "I/O Command Set specific Identify Namespace",
  [I.CNS_CSI_CONTROLLER]: "I/O Command Set specific Identify Controller",
};

/** Command Set Identifiers (Base 2.1 Figure "Command Set Identifiers"). */
const CSI_NAMES: Record<number, string> = { 0: "NVM Command Set", 1: "Key Value Command Set", 2: "Zoned Namespace Command Set" };

const LID_NAMES: Record<number, string> = {
  [A.LID_ERROR_INFO]: "Error Information",
  [A.LID_SMART]: "SMART / Health Information",
  [A.LID_FW_SLOT]: "Firmware Slot Information",
  [A.LID_COMMANDS_EFFECTS]: "Commands Supported and Effects",
};

const SEL_NAMES = ["current", "default", "saved", "supported capabilities"];
const DESFMT_NAMES: Record<number, string> = {
  0: "32-byte source ranges",
  1: "40-byte source ranges, 64b guard PI",
  2: "32-byte source ranges with SNSID",
  3: "40-byte source ranges with SNSID, 64b guard PI",
};

/** PRINFO (PRACT, PRCHK guard/app/ref), NVM CS §5.2.2. */
function prinfo(v: number): string {
  const names = [bit(v, 3) ? "PRACT" : "", bit(v, 2) ? "guard" : "", bit(v, 1) ? "app tag" : "", bit(v, 0) ? "ref tag" : ""].filter(Boolean);
  return names.length ? names.join(", ") : "no protection checks";
}

function flag(name: string, v: number, meaning: string): EntryField[] {
  return v ? [{ name, value: "1", meaning }] : [];
}

/**
 * The command dwords of an SQE by field (NVMe Base 2.1 §5 for admin commands, NVM Command Set
 * 1.1 §3 for I/O commands). Only CDW10-13 and NSID are in the controller's fetch record.
 */
export function decodeCommand(admin: boolean, opc: number, nsid: number, cdw10: number, cdw11: number, cdw12: number, cdw13: number): EntryField[] {
  const f: EntryField[] = [];
  if (admin) {
    switch (opc) {
      case O.ADMIN_DELETE_SQ:
      case O.ADMIN_DELETE_CQ:
        f.push({ name: "QID", value: String(cdw10 & A.CREATEQ_QID_MASK) });
        break;
      case O.ADMIN_CREATE_CQ: {
        const qsize = cdw10 >>> A.CREATEQ_QSIZE_SHIFT;
        f.push({ name: "QID", value: String(cdw10 & A.CREATEQ_QID_MASK) },
          { name: "QSIZE", value: String(qsize), meaning: `0's based: ${qsize + 1} entries` },
          { name: "IV", value: String(cdw11 >>> A.CREATECQ_IV_SHIFT), meaning: "interrupt vector" },
          { name: "IEN", value: String(bit(cdw11, 1)), meaning: bit(cdw11, 1) ? "interrupts enabled" : "polled" },
          { name: "PC", value: String(cdw11 & A.CREATEQ_PC), meaning: cdw11 & A.CREATEQ_PC ? "physically contiguous" : "PRP list" });
        break;
      }
      case O.ADMIN_CREATE_SQ: {
        const qsize = cdw10 >>> A.CREATEQ_QSIZE_SHIFT;
        const qprio = (cdw11 >>> A.CREATESQ_QPRIO_SHIFT) & 3;
        f.push({ name: "QID", value: String(cdw10 & A.CREATEQ_QID_MASK) },
          { name: "QSIZE", value: String(qsize), meaning: `0's based: ${qsize + 1} entries` },
          { name: "CQID", value: String(cdw11 >>> A.CREATESQ_CQID_SHIFT) },
          { name: "QPRIO", value: String(qprio), meaning: ["urgent", "high", "medium", "low"][qprio] },
          { name: "PC", value: String(cdw11 & A.CREATEQ_PC), meaning: cdw11 & A.CREATEQ_PC ? "physically contiguous" : "PRP list" });
        break;
      }
      case O.ADMIN_IDENTIFY: {
        const cns = cdw10 & I.IDENTIFY_CNS_MASK;
        f.push({ name: "CNS", value: hex(cns, 2), meaning: CNS_NAMES[cns] ?? "other" });
        if (cdw10 >>> 16) f.push({ name: "CNTID", value: String(cdw10 >>> 16) });
        const csi = cdw11 >>> I.IDENTIFY_CSI_SHIFT;
        // CNS 05h/06h name an I/O Command Set even when CSI is 00h (NVM)
        if (csi || cns === I.CNS_CSI_NAMESPACE || cns === I.CNS_CSI_CONTROLLER) f.push({ name: "CSI", value: hex(csi, 2), meaning: CSI_NAMES[csi] ?? "reserved" });
        break;
      }
      case O.ADMIN_GET_FEATURES:
      case O.ADMIN_SET_FEATURES: {
        const fid = cdw10 & A.FEAT_FID_MASK;
        f.push({ name: "FID", value: hex(fid, 2), meaning: featureName(fid) });
        if (opc === O.ADMIN_GET_FEATURES) {
          const sel = (cdw10 >>> A.FEAT_SEL_SHIFT) & A.FEAT_SEL_MASK;
          f.push({ name: "SEL", value: String(sel), meaning: SEL_NAMES[sel] ?? "reserved" });
        } else {
          f.push(...flag("SV", bit(cdw10, A.FEAT_SV_BIT), "save"));
          if (fid === A.FID_NUMBER_OF_QUEUES) {
            f.push({ name: "NSQR", value: String(cdw11 & 0xffff), meaning: `0's based: ${(cdw11 & 0xffff) + 1} I/O SQs` },
              { name: "NCQR", value: String(cdw11 >>> A.NUMQ_NCQR_SHIFT), meaning: `0's based: ${(cdw11 >>> A.NUMQ_NCQR_SHIFT) + 1} I/O CQs` });
          } else {
            f.push({ name: "CDW11", value: hex(cdw11, 8) });
          }
        }
        break;
      }
      case O.ADMIN_GET_LOG_PAGE: {
        const lid = cdw10 & A.LOG_LID_MASK;
        const numd = ((cdw11 & A.LOG_NUMDU_MASK) * 65536 + (cdw10 >>> A.LOG_NUMDL_SHIFT)) + 1;
        f.push({ name: "LID", value: hex(lid, 2), meaning: LID_NAMES[lid] ?? "other" },
          { name: "NUMD", value: String(numd - 1), meaning: `0's based: ${numd * 4} bytes` });
        f.push(...flag("RAE", bit(cdw10, A.LOG_RAE_BIT), "retain asynchronous event"));
        break;
      }
      case O.ADMIN_ABORT:
        f.push({ name: "SQID", value: String(cdw10 & 0xffff) }, { name: "CID", value: String(cdw10 >>> A.ABORT_CID_SHIFT) });
        break;
    }
    return f;
  }
  switch (opc) {
    case O.NVM_READ:
    case O.NVM_WRITE:
    case O.NVM_COMPARE:
    case O.NVM_WRITE_UNCORRECTABLE:
    case O.NVM_WRITE_ZEROES:
    case O.NVM_VERIFY: {
      const nlb = cdw12 & O.RW_NLB_MASK;
      f.push({ name: "SLBA", value: String(u64(cdw10, cdw11)), meaning: `0x${u64(cdw10, cdw11).toString(16)}` },
        { name: "NLB", value: String(nlb), meaning: `0's based: ${nlb + 1} blocks` });
      if (opc !== O.NVM_WRITE_UNCORRECTABLE) {
        f.push(...flag("LR", bit(cdw12, O.RW_LR_BIT), "limited retry"), ...flag("FUA", bit(cdw12, O.RW_FUA_BIT), "force unit access"));
        const pi = (cdw12 >>> O.RW_PRINFO_SHIFT) & 0xf;
        if (pi) f.push({ name: "PRINFO", value: hex(pi, 1), meaning: prinfo(pi) });
      }
      if (opc === O.NVM_WRITE_ZEROES) f.push(...flag("DEAC", bit(cdw12, O.RW_DEAC_BIT), "deallocate"));
      if (opc === O.NVM_WRITE && ((cdw12 >>> 20) & 0xf)) f.push({ name: "DTYPE", value: hex((cdw12 >>> 20) & 0xf, 1), meaning: "directive type" });
      if ((opc === O.NVM_READ || opc === O.NVM_WRITE) && (cdw13 & 0xff)) f.push({ name: "DSM", value: hex(cdw13 & 0xff, 2), meaning: "dataset management hints" });
      break;
    }
    case O.NVM_DATASET_MANAGEMENT: {
      const nr = cdw10 & O.DSM_NR_MASK;
      const attrs = [cdw11 & O.DSM_AD ? "AD (deallocate)" : "", cdw11 & O.DSM_IDW ? "IDW" : "", cdw11 & O.DSM_IDR ? "IDR" : ""].filter(Boolean);
      f.push({ name: "NR", value: String(nr), meaning: `0's based: ${nr + 1} ranges` },
        { name: "Attributes", value: hex(cdw11 & 7, 1), meaning: attrs.join(", ") || "none" });
      break;
    }
    case O.NVM_COPY: {
      const nr = cdw12 & C.COPY_NR_MASK;
      const desfmt = (cdw12 >>> C.COPY_DESFMT_SHIFT) & C.COPY_DESFMT_MASK;
      f.push({ name: "SDLBA", value: String(u64(cdw10, cdw11)), meaning: `0x${u64(cdw10, cdw11).toString(16)}` },
        { name: "NR", value: String(nr), meaning: `0's based: ${nr + 1} source range${nr ? "s" : ""}` },
        { name: "DESFMT", value: hex(desfmt, 1), meaning: DESFMT_NAMES[desfmt] ?? "reserved" });
      const pir = (cdw12 >>> C.COPY_PRINFOR_SHIFT) & 0xf;
      const piw = (cdw12 >>> C.COPY_PRINFOW_SHIFT) & 0xf;
      if (pir) f.push({ name: "PRINFOR", value: hex(pir, 1), meaning: prinfo(pir) });
      if (piw) f.push({ name: "PRINFOW", value: hex(piw, 1), meaning: prinfo(piw) });
      f.push(...flag("STCR", bit(cdw12, C.COPY_STCR_BIT), "storage tag check (read)"), ...flag("STCW", bit(cdw12, C.COPY_STCW_BIT), "storage tag check (write)"),
        ...flag("LR", bit(cdw12, C.COPY_LR_BIT), "limited retry"), ...flag("FUA", bit(cdw12, C.COPY_FUA_BIT), "force unit access"));
      if ((cdw12 >>> C.COPY_DTYPE_SHIFT) & 0xf) f.push({ name: "DTYPE", value: hex((cdw12 >>> C.COPY_DTYPE_SHIFT) & 0xf, 1), meaning: "directive type" });
      break;
    }
  }
  return f;
}

/** CQE fields by name (Base 2.1 Figures 100-103); the status with its SCT/SC names. */
export function decodeCompletion(c: CqEntry): EntryField[] {
  const s = c.status;
  const f: EntryField[] = [
    { name: "DW0", value: `0x${(c.dw0 >>> 0).toString(16).padStart(8, "0")}`, meaning: dw0Meaning(c) },
    { name: "DW1", value: `0x${(c.dw1 >>> 0).toString(16).padStart(8, "0")}` },
    { name: "SQHD", value: String(c.sqhd), meaning: "SQ head when posted: slots before it may be reused" },
    { name: "SQID", value: String(c.sqid) },
    { name: "CID", value: String(c.cid) },
    { name: "P", value: String(c.phase), meaning: "phase tag" },
    { name: "SCT", value: hex(s.sct, 1), meaning: s.sctName },
    { name: "SC", value: hex(s.sc, 2), meaning: s.name },
  ];
  if (s.crd) f.push({ name: "CRD", value: String(s.crd), meaning: "command retry delay" });
  if (s.more) f.push({ name: "M", value: "1", meaning: "more status in the Error Information log" });
  if (s.dnr) f.push({ name: "DNR", value: "1", meaning: "do not retry" });
  return f;
}

function dw0Meaning(c: CqEntry): string | undefined {
  const e = c.entry;
  if (!e) return undefined;
  if (!e.admin && e.opc === O.NVM_COPY && (c.status.raw & 0x7ff) !== 0) return `first source range not copied: ${c.dw0}`;
  if (e.admin && e.opc === O.ADMIN_SET_FEATURES && (e.cdw10 & A.FEAT_FID_MASK) === A.FID_NUMBER_OF_QUEUES) {
    return `NSQA ${c.dw0 & 0xffff}, NCQA ${c.dw0 >>> 16} (0's based: ${(c.dw0 & 0xffff) + 1} SQs, ${(c.dw0 >>> 16) + 1} CQs allocated)`;
  }
  return undefined;
}

/** A short label for an SQE: "Copy (19h)". */
export function entryTitle(e: { admin: boolean; opc: number; name: string }): string {
  return `${e.name} (${hex(e.opc, 2)})`;
}

/** One letter per opcode for a slot (blktrace's rwbs spirit): W R C F D Z V, A for admin. */
export function opLetter(e: { admin: boolean; opc: number }): string {
  if (e.admin) return "A";
  switch (e.opc) {
    case O.NVM_WRITE: return "W";
    case O.NVM_READ: return "R";
    case O.NVM_COPY: return "C";
    case O.NVM_FLUSH: return "F";
    case O.NVM_DATASET_MANAGEMENT: return "D";
    case O.NVM_WRITE_ZEROES: return "Z";
    case O.NVM_VERIFY: return "V";
    case O.NVM_COMPARE: return "M";
    default: return "?";
  }
}

/** Slots between from and to going forward round a ring of size n. */
export function ringDistance(from: number, to: number, n: number): number {
  return n === 0 ? 0 : ((to - from) % n + n) % n;
}

export function sqSlotState(q: SqState, i: number): SlotState {
  if (q.size === 0) return "empty";
  if (ringDistance(q.head, i, q.size) < ringDistance(q.head, q.tail, q.size)) return "pending";
  return q.slots[i] ? "consumed" : "empty";
}

export function cqSlotState(q: CqState, i: number): SlotState {
  if (q.size === 0) return "empty";
  if (ringDistance(q.head, i, q.size) < ringDistance(q.head, q.tail, q.size)) return "new";
  return q.slots[i] ? "consumed" : "empty";
}

/** The phase tag in CQ slot i (host memory is zeroed when the CQ is allocated: 0 until written). */
export function cqSlotPhase(q: CqState, i: number): number {
  return q.slots[i]?.phase ?? 0;
}

/**
 * The first slot of the window of w consecutive slots the view draws of a ring of n (all of it
 * when n <= w): the pointers' span centred, the focused slot (when given) kept inside, and the
 * start moved in steps of 8 so the window does not jump at every event.
 */
export function ringWindow(n: number, w: number, head: number, tail: number, focus?: number, prev?: number): number {
  if (n <= w) return 0;
  const inside = (s: number, i: number) => ringDistance(s, i, n) < w;
  const span = ringDistance(head, tail, n);
  const need = [head, tail];
  if (focus !== undefined) need.push(focus);
  // keep the previous window while it still holds what must be seen (with a margin)
  if (prev !== undefined && need.every((i) => inside(prev, i) && ringDistance(prev, i, n) >= 2 && ringDistance(prev, i, n) < w - 2)) return prev;
  let start = span + 4 <= w ? head - Math.floor((w - span) / 2) : head - 2;
  start = Math.floor(start / 8) * 8;
  start = ((start % n) + n) % n;
  if (focus !== undefined && !inside(start, focus)) {
    start = ((Math.floor((focus - w / 2) / 8) * 8) % n + n) % n;
  }
  return start;
}

/**
 * Where the view draws slot k of a window of w slots on a ring, as an angle in radians from
 * 12 o'clock, clockwise. A window smaller than the ring leaves a gap of `gap` slot widths at
 * the bottom for the slots not drawn.
 */
export function slotAngle(k: number, w: number, windowed: boolean, gap = 6): number {
  const total = windowed ? w + gap : w;
  const offset = windowed ? gap / 2 : 0;
  const turns = (k + offset + (windowed ? total / 2 : 0)) / total;
  return (turns - Math.floor(turns)) * 2 * Math.PI;
}

interface SqInstance { sqid: number; entries: SqEntry[] }

/** The replay of one run's controller events. */
export class QueueReplay {
  readonly events: ControllerEvent[];
  /** Every fetched SQE of the run, in fetch order. */
  readonly entries: SqEntry[] = [];
  /** Every posted CQE of the run, in post order. */
  readonly completions: CqEntry[] = [];
  /** For each event index: the SQE it fetched, or the CQE it posted. */
  readonly entryAt = new Map<number, SqEntry>();
  readonly completionAt = new Map<number, CqEntry>();
  /** Event indexes of host misbehaviour, fatal errors and failed completions. */
  readonly problems: number[] = [];
  /** Per SQ-creation event (or -1 - sqid for queues the ring lost the creation of): its SQEs in fetch order. */
  private readonly instances = new Map<number, SqInstance>();
  private state!: QueueState;
  /** The ring's oldest event's time when the ring lost the run's beginning, else -Infinity. */
  private readonly lostFrom: number;

  /**
   * The run's controller events and the driver's command records. The replay is on the
   * modelled clock (controller-time.ts): CQEs, interrupts and CQ head doorbells at their
   * command's modelled completion, in time order; indexes are into that order.
   */
  constructor(events: ControllerEvent[], commands: NvmeCommandRecord[] = []) {
    this.lostFrom = events.length > 0 && events[0].seq > 0 ? events[0].timeNs : -Infinity;
    this.events = atModelledTime(events, commands);
    this.plan(commands);
    this.reset();
  }

  get length(): number {
    return this.events.length;
  }

  /** The QEMU-style trace line of event i. */
  line(i: number): string {
    return formatEvent(this.events[i]);
  }

  /**
   * A first pass over the whole run: which slot each fetch and post used, which SQE each SQ
   * doorbell made visible (the record knows it only at the fetch), the CQE of each command,
   * the copy ranges of each Copy and the host's record of each I/O command.
   */
  private plan(commands: NvmeCommandRecord[]): void {
    const records = recordsByCommand(commands, this.lostFrom);
    const outstanding = new Map<string, SqEntry>(); // sqid:cid -> fetched, not yet completed
    let lastCopy: SqEntry | undefined;
    this.reset();
    for (let i = 0; i < this.events.length; i++) {
      const e = this.events[i];
      if (e.kind === L.EVK_FETCH) {
        const sq = this.sqFor(e.sqid);
        const admin = e.sqid === 0;
        const cdw10 = Number(e.a & 0xffffffffn), cdw11 = Number(e.a >> 32n);
        const cdw12 = Number(e.b & 0xffffffffn), cdw13 = Number(e.b >> 32n);
        const entry: SqEntry = {
          fetchAt: i, sqid: e.sqid, cqid: e.arg32, slot: sq.head, cid: e.cid, opc: e.opc, admin,
          name: opcodeName(admin, e.opc), nsid: e.nsid, cdw10, cdw11, cdw12, cdw13,
          fields: decodeCommand(admin, e.opc, e.nsid, cdw10, cdw11, cdw12, cdw13), ranges: [], timeNs: e.timeNs,
        };
        if (!admin) entry.record = records.get(`${e.sqid}:${e.cid}:${e.opc}`)?.shift();
        this.instances.get(this.currentInstance.get(e.sqid)!)!.entries.push(entry);
        this.entries.push(entry);
        this.entryAt.set(i, entry);
        outstanding.set(`${e.sqid}:${e.cid}`, entry);
        lastCopy = !admin && e.opc === O.NVM_COPY ? entry : undefined;
      } else if (e.kind === L.EVK_COPY_RANGE) {
        // emitted by the Copy being executed, between its fetch and its completion
        lastCopy?.ranges.push({ index: e.sqid, snsid: e.arg32, slba: Number(e.a), nlb: e.cid + 1, dnsid: e.nsid, dlba: Number(e.b) });
      } else if (e.kind === L.EVK_COMPLETE) {
        const slot = this.cqFor(e.arg32).tail;
        const entry = outstanding.get(`${e.sqid}:${e.cid}`);
        outstanding.delete(`${e.sqid}:${e.cid}`);
        const c: CqEntry = {
          postAt: i, cqid: e.arg32, slot, sqhd: this.sqFor(e.sqid).head, sqid: e.sqid, cid: e.cid, opc: e.opc,
          phase: this.cqFor(e.arg32).phase, status: decodeStatus(e.status), dw0: Number(e.a & 0xffffffffn), dw1: Number(e.b & 0xffffffffn),
          entry, timeNs: e.timeNs,
        };
        if (entry) entry.completion = c;
        if (!this.lostPost(i)) {
          this.completions.push(c);
          this.completionAt.set(i, c);
        }
        if ((e.status & 0x7ff) !== 0) this.problems.push(i);
        lastCopy = undefined;
      } else if (e.kind === L.EVK_UB || e.kind === L.EVK_FATAL) {
        this.problems.push(i);
      }
      this.apply(i);
    }
  }

  /** A completion that follows a fatal CQ post error posted nothing (assembly/ctrl/queues.ts postCqe). */
  private lostPost(i: number): boolean {
    const p = this.events[i - 1];
    return p !== undefined && p.kind === L.EVK_FATAL && p.arg32 === L.FATAL_CQ_POST_DMA;
  }

  private currentInstance = new Map<number, number>();

  private sqFor(sqid: number): SqState {
    let q = this.state.sqs.get(sqid);
    if (!q) {
      // the ring lost this queue's creation: positions are unknown, counts are still right
      q = { sqid, cqid: sqid, size: 0, base: 0n, createdAt: -1, exists: true, head: 0, tail: 0, fetched: 0, doorbells: 0, slots: [], unknownPending: 0 };
      this.state.sqs.set(sqid, q);
      const key = -1 - sqid;
      if (!this.instances.has(key)) this.instances.set(key, { sqid, entries: [] });
      this.currentInstance.set(sqid, key);
    }
    return q;
  }

  private cqFor(cqid: number): CqState {
    let q = this.state.cqs.get(cqid);
    if (!q) {
      q = { cqid, size: 0, base: 0n, vector: cqid, ien: true, createdAt: -1, exists: true, head: 0, tail: 0, phase: 1, posted: 0, doorbells: 0, interrupts: 0, slots: [] };
      this.state.cqs.set(cqid, q);
    }
    return q;
  }

  private reset(): void {
    this.state = { position: 0, sqs: new Map(), cqs: new Map(), ready: false, fatal: false };
    this.currentInstance = new Map();
  }

  /** Apply event i to the replay state. */
  private apply(i: number): void {
    const e = this.events[i];
    const s = this.state;
    s.position = i + 1;
    s.event = e;
    switch (e.kind) {
      case L.EVK_CREATE_SQ: {
        const size = e.arg32;
        s.sqs.set(e.sqid, { sqid: e.sqid, cqid: Number(e.b & 0xffffn), size, base: e.a, createdAt: i, exists: true, head: 0, tail: 0, fetched: 0, doorbells: 0, slots: new Array(size), unknownPending: 0 });
        if (!this.instances.has(i)) this.instances.set(i, { sqid: e.sqid, entries: [] });
        this.currentInstance.set(e.sqid, i);
        break;
      }
      case L.EVK_CREATE_CQ: {
        const size = e.arg32;
        s.cqs.set(e.sqid, {
          cqid: e.sqid, size, base: e.a, vector: Number(e.b & 0xffffn), ien: (e.b >> 32n) !== 0n, createdAt: i, exists: true,
          head: 0, tail: 0, phase: 1, posted: 0, doorbells: 0, interrupts: 0, slots: new Array(size),
        });
        break;
      }
      case L.EVK_DELETE_SQ: { const q = s.sqs.get(e.sqid); if (q) q.exists = false; break; }
      case L.EVK_DELETE_CQ: { const q = s.cqs.get(e.sqid); if (q) q.exists = false; break; }
      case L.EVK_ENABLE: s.ready = true; s.fatal = false; break;
      case L.EVK_DISABLE:
      case L.EVK_NSSR:
        // a controller reset deletes every queue without an event per queue (deleteAllQueues)
        s.ready = false;
        for (const q of s.sqs.values()) q.exists = false;
        for (const q of s.cqs.values()) q.exists = false;
        break;
      case L.EVK_SHUTDOWN: s.ready = false; break;
      case L.EVK_FATAL: s.fatal = true; break;
      case L.EVK_DOORBELL_SQ: {
        const q = this.sqFor(e.sqid);
        q.doorbells++;
        if (q.size > 0) {
          // the host wrote the slots from the old tail up to the new one before ringing; the
          // record learns what it wrote when the controller fetches them, in order from head
          const inst = this.instances.get(this.currentInstance.get(e.sqid)!)!;
          const before = ringDistance(q.head, q.tail, q.size);
          const added = ringDistance(q.tail, e.arg32, q.size);
          for (let k = 0; k < added; k++) {
            const entry = inst.entries[q.fetched + before + k];
            const slot = (q.tail + k) % q.size;
            if (entry) q.slots[slot] = entry;
            else { q.slots[slot] = undefined; q.unknownPending++; }
          }
        }
        q.tail = e.arg32;
        break;
      }
      case L.EVK_FETCH: {
        const q = this.sqFor(e.sqid);
        q.fetched++;
        if (q.size > 0) {
          const entry = this.entryAt.get(i);
          if (entry) q.slots[q.head] = entry;
          q.head = (q.head + 1) % q.size;
        }
        break;
      }
      case L.EVK_COMPLETE: {
        if (this.lostPost(i)) break;
        const q = this.cqFor(e.arg32);
        q.posted++;
        if (q.size > 0) {
          const c = this.completionAt.get(i);
          if (c) q.slots[q.tail] = c;
          q.tail++;
          // Base §4.2.4: the controller inverts the Phase Tag each time it wraps to slot 0
          if (q.tail === q.size) { q.tail = 0; q.phase ^= 1; }
        }
        break;
      }
      case L.EVK_DOORBELL_CQ: {
        const q = this.cqFor(e.sqid);
        q.doorbells++;
        q.head = e.arg32;
        break;
      }
      case L.EVK_INTERRUPT:
        for (const q of s.cqs.values()) if (q.exists && q.ien && q.vector === e.arg32) q.interrupts++;
        break;
    }
  }

  /** The state after the first p events (0 <= p <= length). The object is reused by later calls. */
  seek(p: number): QueueState {
    const to = Math.max(0, Math.min(this.events.length, Math.floor(p)));
    if (to < this.state.position) this.reset();
    for (let i = this.state.position; i < to; i++) this.apply(i);
    return this.state;
  }

  /**
   * The slot the last event applied touched, for the view to mark: the SQE fetched, the CQE
   * posted, the Copy whose source range was read, the last slot a tail doorbell submitted or
   * a head doorbell released. Call after seek(p) with that state.
   */
  touched(s: QueueState): { kind: "sq" | "cq"; qid: number; slot: number } | undefined {
    const i = s.position - 1;
    if (i < 0) return undefined;
    const e = this.events[i];
    const entry = this.entryAt.get(i);
    if (entry) return { kind: "sq", qid: entry.sqid, slot: entry.slot };
    const c = this.completionAt.get(i);
    if (c) return { kind: "cq", qid: c.cqid, slot: c.slot };
    if (e.kind === L.EVK_COPY_RANGE) {
      // the ranges follow their Copy's fetch directly (assembly/ctrl/copy.ts runs inside execute)
      let j = i - 1;
      while (j >= 0 && this.events[j].kind === L.EVK_COPY_RANGE) j--;
      const x = this.entryAt.get(j);
      return x ? { kind: "sq", qid: x.sqid, slot: x.slot } : undefined;
    }
    if (e.kind === L.EVK_DOORBELL_SQ) {
      const q = s.sqs.get(e.sqid);
      return q && q.size ? { kind: "sq", qid: e.sqid, slot: (q.tail - 1 + q.size) % q.size } : undefined;
    }
    if (e.kind === L.EVK_DOORBELL_CQ) {
      const q = s.cqs.get(e.sqid);
      return q && q.size ? { kind: "cq", qid: e.sqid, slot: (q.head - 1 + q.size) % q.size } : undefined;
    }
    return undefined;
  }

  /** Is event i a stop of "Step command" with this filter? */
  isCommandStop(i: number, stop: CommandStop): boolean {
    const e = this.events[i];
    if (e.kind !== L.EVK_FETCH && e.kind !== L.EVK_COMPLETE) return false;
    switch (stop) {
      case "any": return true;
      case "io": return e.sqid !== 0;
      case "copy": return e.sqid !== 0 && e.opc === O.NVM_COPY;
      case "error": return e.kind === L.EVK_COMPLETE && (e.status & 0x7ff) !== 0;
    }
  }

  /** The position just after the next command stop at or after event index p, or length when none. */
  nextCommand(p: number, stop: CommandStop = "any"): number {
    for (let i = Math.max(0, p); i < this.events.length; i++) if (this.isCommandStop(i, stop)) return i + 1;
    return this.events.length;
  }

  /** The position just after the previous command stop before position p (0 when none). */
  previousCommand(p: number, stop: CommandStop = "any"): number {
    for (let i = Math.min(this.events.length, p) - 2; i >= 0; i--) if (this.isCommandStop(i, stop)) return i + 1;
    return 0;
  }

  /** Every queue ID the run uses, SQs and CQs, in order (the view's cards). */
  queueIds(): number[] {
    const ids = new Set<number>();
    for (const e of this.events) {
      if (e.kind === L.EVK_CREATE_SQ || e.kind === L.EVK_CREATE_CQ || e.kind === L.EVK_DOORBELL_SQ || e.kind === L.EVK_DOORBELL_CQ || e.kind === L.EVK_FETCH) ids.add(e.sqid);
      if (e.kind === L.EVK_COMPLETE) ids.add(e.arg32);
    }
    return [...ids].sort((a, b) => a - b);
  }
}
