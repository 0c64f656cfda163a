// The NVMe host driver's block side (drivers/nvme/host/core.c nvme_setup_cmd, pci.c
// nvme_queue_rq / nvme_queue_rqs): namespaces become block devices nvme<C>n<N> with queue
// limits from Identify (nvme_update_disk_info, nvme_config_discard, and each copy design's
// nvme patch); requests become commands: Read/Write with PRPs over the request's segments,
// one Dataset Management with a range per merged discard bio, Write Zeroes, Flush, and Copy
// with the source ranges its design supplies, packing adjacent-destination copy requests of one
// batch into as few Copy commands as MSRC, MSSRL and MCL allow. Completions map NVMe status
// to blk_status (nvme_error_status) after the modelled device time.

import { BlkStatus, Op, opIsCopy, REQ_FAILFAST_DEV, REQ_FUA, REQ_POLLED } from "./bio";
import { BlockLayer } from "./blk";
import { CopyDesign } from "./disk";
import { QueueLimits, defaultLimits, UINT_MAX } from "./limits";
import { MqDisk, MqDriverOps } from "./mq";
import { Request } from "./request";
import { CtxPhase } from "./copy/ctx-types";
import { BLKEXT_MAJOR } from "./devnames";
import { NvmeDriver } from "../driver/nvme";
import { CID_TAG_MASK, QueuePair } from "../driver/queue";
import { DmaBuffer } from "../driver/dma-pool";
import { newSqe, setU64 } from "../driver/sqe";
import { buildPrpsForSegments, prpsWithinTwoCtrlPages } from "../driver/prp";
import * as O from "../../assembly/spec/opcodes";
import * as I from "../../assembly/spec/identify";
import * as C from "../../assembly/spec/copy";
import * as St from "../../assembly/spec/status";
import * as A from "../../assembly/spec/admin";
import { PRINFO_PRACT, PI16_SIZE, PI_TYPE_3, DPS_TYPE_MASK } from "../../assembly/spec/pi";
import type { NvmeCommandRecord } from "./trace";
import { MODEL_PENDING, modelCommand } from "./device-model";
import type { DeviceModel, ModelCommand, SimpleTiming } from "./device-model";

/** The simple device model's parameters (the default): see device-model.ts. */
export type DeviceTiming = SimpleTiming;

export const DEFAULT_TIMING: DeviceTiming = { latency_ns: 10_000, link_bytes_per_s: 3e9, copy_bytes_per_s: 2e9 };

/**
 * NVME_PCI_MAX_QUEUE_SIZE (drivers/nvme/host/pci.c, "nvme-pci: limit maximum queue depth to
 * 4095", 5.15): io_queue_depth refuses more (param_set_uint_minmax), so a tag fits the 12 bits
 * nvme_cid leaves it.
 */
export const NVME_PCI_MAX_QUEUE_SIZE = 4095;

/** NVME_MAX_KB_SZ and NVME_MAX_SEGS (drivers/nvme/host/pci.c, 6.x). */
export const NVME_MAX_KB_SZ = 8192;
export const NVME_MAX_SEGS = 128;
/** NVME_DSM_MAX_RANGES: the DSM buffer always holds 256 ranges. */
export const NVME_DSM_MAX_RANGES = 256;
export const NVME_CTRL_PAGE_SIZE = 4096;

/** nvme_error_status: NVMe status (SCT << 8 | SC) to blk_status. */
export function nvmeErrorStatus(status: number): BlkStatus {
  switch (status & 0x7ff) {
    case St.SC_SUCCESS: return BlkStatus.OK;
    case St.SC_CAPACITY_EXCEEDED: return BlkStatus.NOSPC;
    case St.SC_LBA_OUT_OF_RANGE:
    case 0x21: // Command Interrupted
    case St.SC_NS_NOT_READY:
      return BlkStatus.TARGET;
    case St.SC_CONFLICTING_ATTRIBUTES:
    case St.SC_INVALID_OPCODE:
    case St.SC_INVALID_FIELD:
    case St.SC_INVALID_NSID:
      return BlkStatus.NOTSUPP;
    case St.SC_WRITE_FAULT:
    case St.SC_UNRECOVERED_READ:
    case 0x287: // Deallocated or Unwritten Logical Block
    case 0x286: // Access Denied
    case St.SC_WRITE_TO_READ_ONLY:
    case 0x285: // Compare Failure
      return BlkStatus.MEDIUM;
    case St.SC_GUARD_CHECK:
    case 0x283: // Application Tag Check Error
    case 0x284: // Reference Tag Check Error
    case St.SC_INVALID_PROTECTION_INFO:
      return BlkStatus.PROTECTION;
    case 0x83: // Reservation Conflict
      return BlkStatus.NEXUS;
    case 0x370: // Internal Path Error
      return BlkStatus.TRANSPORT;
    default:
      return BlkStatus.IOERR;
  }
}

/** One namespace as a block device. */
export class NvmeNsDisk extends MqDisk {
  readonly driver = "nvme";
  constructor(
    blk: BlockLayer,
    name: string,
    minor: number,
    limits: QueueLimits,
    capacity: number,
    readonly ctrl: NvmeBlkController,
    readonly nsid: number,
    readonly lbaShift: number,
    readonly id: { mssrl: number; mcl: number; msrc: number },
  ) {
    super(blk, name, BLKEXT_MAJOR, minor, limits, capacity, ctrl, ctrl.driver.io.length, ctrl.driver.io[0].depth - 1);
    this.lbaBytes = 2 ** lbaShift;
    this.sectorsPerLba = 2 ** (lbaShift - 9);
    this.genctr = ctrl.driver.io.map(() => new Uint8Array(this.staticRqs));
  }

  /**
   * nvme_request.genctr of each preallocated request, per hardware queue (indexed by
   * staticRqIndex): zero at allocation (blk_mq_alloc_rqs zeroes the pdus), one more for each
   * command built for the request (nvme_setup_cmd), a u8 of which nvme_cid keeps 4 bits.
   */
  readonly genctr: Uint8Array[];

  /** Bytes and 512-byte sectors per logical block (products, not shifts: offsets pass 2^31). */
  readonly lbaBytes: number;
  readonly sectorsPerLba: number;
  /**
   * NVME_NS_DEAC (nvme_update_ns_info_block): DLFEAT says deallocated blocks read as zeroes
   * (2:0 = 001b) and Write Zeroes may deallocate (bit 3), so Write Zeroes sets DEAC.
   */
  deac = false;
  /** PRINFO of Read, Write and Write Zeroes (CDW12 29:26 in place): PRACT on a PI namespace, else 0. */
  rwPrinfo = 0;
  /** Whether CDW14 carries the first block's reference tag (PI types 1 and 2). */
  piRefTag = false;

  /** Copy limits as the chosen design's nvme patch sets them (re-run when the design changes). */
  applyCopyDesign(design: CopyDesign): void {
    this.copyDesign = design;
    setCopyLimits(this.limits, design, this.ctrl.copyCapable, this.id, this.lbaShift);
  }
}

/**
 * Copy limits per design. v20 (pair): max_copy_hw_sectors from MSSRL (one range per command).
 * 2026 (ctx): hw sectors from MSSRL, 256 source segments, 1 destination segment. 2025 (vector):
 * the total from MCL, the source segments from MSRC + 1. Zero when ONCS has no Copy.
 */
export function setCopyLimits(l: QueueLimits, design: CopyDesign, capable: boolean, id: { mssrl: number; mcl: number; msrc: number }, lbaShift: number): void {
  const toSectors = (blocks: number) => blocks * (1 << (lbaShift - 9));
  let hw = 0, src = 0, dst = 0;
  if (capable && id.mssrl > 0) {
    if (design === "pair") { hw = toSectors(id.mssrl); src = 1; dst = 1; }
    else if (design === "ctx") { hw = toSectors(id.mssrl); src = C.COPY_MAX_RANGES; dst = 1; }
    else { hw = toSectors(Math.max(id.mcl, id.mssrl)); src = id.msrc + 1; dst = 1; }
    hw = Math.min(hw, (1 << 27) >> 9); // BLK_COPY_MAX_BYTES
  }
  l.max_copy_hw_sectors = hw;
  l.max_copy_sectors = Math.min(hw, l.max_user_copy_sectors);
  l.max_copy_src_segments = src;
  l.max_copy_dst_segments = dst;
}

/**
 * The driver's side of one hardware queue (nvme_queue's host state): its queue pair, how many
 * commands were started since its last doorbell, the Iod of each command in flight by its
 * queue tag (a CQE finds its command with one lookup, as nvme_handle_cqe finds the request by
 * the CID's tag), and until when (modelled ns) each CID's tag part is taken. One lookup per
 * command gets them all.
 */
interface HwQueue {
  q: QueuePair;
  /** Tags of the queue pair: CIDs below them are blk-mq tags, above them spares (cidFor). */
  tags: number;
  /** Commands submitted since the last commit (commitRqs rings only when there are some). */
  started: number;
  /** The Iod of the command in flight under each queue tag (null: none of nvme-blk's). */
  iods: Array<Iod | null>;
  cidBusy: Float64Array;
}

/** A command record with every field present, so all records share one object shape. */
function newRecord(d: NvmeNsDisk, rq: number, opcode: number, name: string): NvmeCommandRecord {
  return {
    seq: 0, time_ns: 0, done_ns: undefined, disk: d.name, rq, qid: 0, cid: 0, opcode, name, nsid: d.nsid,
    slba: undefined, blocks: undefined, nr: undefined, ranges: undefined, status: undefined, dw0: undefined,
  };
}

/** A source range of a Copy, in logical blocks, on namespace nsid. */
interface CopyRange { slba: number; nlb: number; nsid: number }
/** What one copy request asks of the device: a destination start and its source ranges. */
interface CopyPlan { rq: Request; disk: NvmeNsDisk; sdlba: number; ranges: CopyRange[] }
/**
 * The driver's state of a request and of its command (nvme_iod, which Linux keeps in the
 * request's pdu, blk_mq_rq_to_pdu). A Read, Write, Dataset Management, Write Zeroes or Flush
 * is one command for one request, so one Iod is both (rq set, rqs null); a Copy command, which
 * may serve several requests, has an Iod of its own (rq null, rqs set) beside each of its
 * requests'. One shape for both roles. A request's Iod is made at the request object's first
 * command and stays its own (rq.pdu) for the object's lifetime, as the kernel allocates the pdu
 * with the request (blk_mq_alloc_rqs): no pool and no per-command reset; its request side is
 * at the reset values whenever the request is not in the driver (endRq restores them). A Copy
 * command's own Iod is pooled: taken at issue, given back once its requests have their status.
 */
interface Iod {
  // ---- the request's side ----
  /** The request whose pdu it is (null in a Copy command's own Iod: see rqs). */
  rq: Request | null;
  /** The namespace the request's command goes to (set at each issue). */
  disk: NvmeNsDisk | null;
  /** A copy request: its Copy commands still out. */
  left: number;
  /** The request's first error. */
  status: BlkStatus;
  /** A copy request: blocks copied, and whether a range failed (no later range counts). */
  copiedBlocks: number;
  copyFailed: boolean;
  /** When the request's last command completes (modelled ns): commandDue sets it for a one-command request. */
  end_ns: number;
  // ---- the command's side ----
  /** A Copy's requests, each with how many of its source ranges are theirs. */
  rqs: Array<{ rq: Request; ranges: number }> | null;
  /** A Copy's source ranges, in order (which blocks were copied before a failing range). */
  copyRanges: CopyRange[] | null;
  /** The trace's record of it, when the trace keeps commands. */
  record: NvmeCommandRecord | null;
  bufs: DmaBuffer[];
  /** Its CID, and its CQE's status field (SCT << 8 | SC, as Dword 3 bits 31:17) and Dword 0. */
  cid: number;
  cqeStatus: number;
  dw0: number;
  /**
   * When the device model posts its completion; NaN until a model that decides later resolves
   * it. Once its CQE is reaped, when it completes: no earlier than that reap (commandDue).
   */
  due_ns: number;
  /** The hardware queue it went to. */
  hctx: number;
  /** Its CQE was reaped before the model resolved due_ns: the rest waits for the model. */
  waiting: boolean;
  /** The next free Iod while this Copy command's Iod is free (NvmeBlkController.freeIod). */
  nextFree: Iod | null;
}

function newIod(): Iod {
  return {
    rq: null, disk: null, left: 0, status: BlkStatus.OK, copiedBlocks: 0, copyFailed: false, end_ns: 0,
    rqs: null, copyRanges: null, record: null, bufs: NO_BUFS, cid: 0, cqeStatus: 0, dw0: 0, due_ns: NaN, hctx: 0, waiting: false, nextFree: null,
  };
}

const NO_BUFS: DmaBuffer[] = [];
/** The BuiltCommand's SQE before its first command (a Read or Write is built in its SQ slot). */
const NO_SQE = new Uint32Array(16);

/** What building a command gives issue(): one object, refilled for every command. */
interface BuiltCommand {
  sqe: Uint32Array;
  bufs: DmaBuffer[];
  model: ModelCommand;
  /** The trace's record (null when the trace keeps no commands). */
  record: NvmeCommandRecord | null;
  /** Copy: its source ranges (null otherwise). */
  copyRanges: CopyRange[] | null;
}

/** The controller-wide limits struct nvme_ctrl keeps (drivers/nvme/host/core.c), in 512-byte sectors. */
export interface NvmeCtrlLimits {
  oncs: number;
  /** max_hw_sectors: MDTS pages of CAP.MPSMIN (none: no limit), at most NVME_MAX_KB_SZ (pci.c). */
  max_hw_sectors: number;
  /** max_zeroes_sectors: max_hw_sectors with ONCS Write Zeroes (else 0); WZSL, when reported, instead. */
  max_zeroes_sectors: number;
  /** DMRL and DMRSL of Identify CNS 06h (0: not reported). */
  dmrl: number;
  dmrsl: number;
}

/** nvme_mps_to_sectors: 2^units pages of CAP.MPSMIN, in sectors; UINT_MAX when that overflows 32 bits. */
export function nvmeMpsToSectors(cap: bigint, units: number): number {
  const shift = units + Number((cap >> 48n) & 0xfn) + 12 - 9;
  return shift >= 32 ? UINT_MAX : 2 ** shift;
}

/**
 * nvme_init_identify's MDTS and nvme_init_non_mdts_limits: write zeroes default to the
 * transfer limit when ONCS has Write Zeroes ("we are cautious", though MDTS does not apply to
 * it), and the NVM Command Set Identify Controller (CNS 06h), when the driver read it, gives
 * DMRL, DMRSL and, when non-zero, WZSL, which replaces that default.
 */
export function nvmeCtrlLimits(idCtrl: Uint8Array, idCtrlNvm: Uint8Array | null, cap: bigint): NvmeCtrlLimits {
  const oncs = idCtrl[I.IDC_ONCS] | (idCtrl[I.IDC_ONCS + 1] << 8);
  const mdts = idCtrl[I.IDC_MDTS];
  const max_hw_sectors = Math.min(NVME_MAX_KB_SZ * 2, mdts ? nvmeMpsToSectors(cap, mdts) : UINT_MAX);
  let max_zeroes_sectors = (oncs & I.ONCS_WRITE_ZEROES) !== 0 ? max_hw_sectors : 0;
  let dmrl = 0, dmrsl = 0;
  if (idCtrlNvm) {
    const nv = new DataView(idCtrlNvm.buffer, idCtrlNvm.byteOffset, idCtrlNvm.byteLength);
    dmrl = idCtrlNvm[I.IDCNVM_DMRL];
    dmrsl = nv.getUint32(I.IDCNVM_DMRSL, true);
    const wzsl = idCtrlNvm[I.IDCNVM_WZSL];
    if (wzsl) max_zeroes_sectors = nvmeMpsToSectors(cap, wzsl);
  }
  return { oncs, max_hw_sectors, max_zeroes_sectors, dmrl, dmrsl };
}

/**
 * nvme_config_discard: DMRSL (in logical blocks) when reported and within UINT_MAX sectors,
 * else UINT_MAX sectors with ONCS Dataset Management, else no discard; DMRL ranges when
 * reported, else the 256 a DSM command holds; granularity one logical block.
 */
export function nvmeConfigDiscard(l: QueueLimits, c: NvmeCtrlLimits, lbaShift: number): void {
  const spl = 2 ** (lbaShift - 9);
  if (c.dmrsl && c.dmrsl <= Math.floor(UINT_MAX / spl)) l.max_hw_discard_sectors = c.dmrsl * spl;
  else if ((c.oncs & I.ONCS_DSM) !== 0) l.max_hw_discard_sectors = UINT_MAX;
  else l.max_hw_discard_sectors = 0;
  l.max_discard_sectors = l.max_hw_discard_sectors;
  l.discard_granularity = l.max_hw_discard_sectors ? 2 ** lbaShift : 0;
  l.max_discard_segments = c.dmrl || NVME_DSM_MAX_RANGES;
}

export class NvmeBlkController implements MqDriverOps {
  readonly disks: NvmeNsDisk[] = [];
  /** What nvme_init_identify and nvme_init_non_mdts_limits found: every namespace's limits start here. */
  readonly limits: NvmeCtrlLimits;
  readonly copyCapable: boolean;
  /** Copy Descriptor Format 2h (a namespace per source range) is supported: cross-namespace copies. */
  readonly format2: boolean;
  private readonly ram: DataView;
  private readonly hq: HwQueue[];
  /** A Read or Write as the device model sees it: complete() reads it at once, so one serves every command. */
  private readonly rwModel = modelCommand("read", 0, 0);
  private readonly built: BuiltCommand = { sqe: NO_SQE, bufs: NO_BUFS, model: this.rwModel, record: null, copyRanges: null };
  /**
   * The free Iods of Copy commands, threaded through them (nextFree): a Copy allocates none
   * once the pool holds a queue depth's worth. A request's Iod is its own (rqIod).
   */
  private freeIod: Iod | null = null;

  constructor(readonly blk: BlockLayer, readonly driver: NvmeDriver, readonly instance: number, readonly model: DeviceModel) {
    const id = driver.idCtrl;
    const dv = new DataView(id.buffer, id.byteOffset, id.byteLength);
    const oncs = dv.getUint16(I.IDC_ONCS, true);
    const ocfs = dv.getUint16(I.IDC_OCFS, true);
    this.copyCapable = (oncs & I.ONCS_COPY) !== 0;
    this.format2 = this.copyCapable && (ocfs & I.OCFS_FORMAT2) !== 0 && enableCopyFormat2(driver);
    this.ram = driver.port.core.hostRamView;
    for (const q of driver.io) {
      if (q.depth > NVME_PCI_MAX_QUEUE_SIZE) throw new Error(`nvme${instance}: I/O queue ${q.qid} has ${q.depth} entries; nvme-pci allows at most ${NVME_PCI_MAX_QUEUE_SIZE} (NVME_PCI_MAX_QUEUE_SIZE: a tag must fit nvme_cid's 12 bits)`);
    }
    this.hq = driver.io.map((q) => ({
      q, tags: q.depth - 1, started: 0, iods: new Array<Iod | null>(q.tagSpace).fill(null), cidBusy: new Float64Array(CID_TAG_MASK + 1),
    }));
    const sim = blk.sim;
    model.bind?.({
      at: (t_ns, fn, arg) => sim.at(t_ns, sim.idle(0), fn, arg),
      resolved: (token, done_ns) => this.modelResolved(token as Iod, done_ns),
    });
    const vwc = (id[I.IDC_VWC] & I.VWC_PRESENT) !== 0;
    this.limits = nvmeCtrlLimits(id, driver.idCtrlNvm, driver.cap);
    let minor = instance * 16;
    for (const nsid of driver.nsids) {
      const f = driver.format(nsid);
      const idns = driver.idNs.get(nsid)!;
      // nvme_configure_metadata / nvme_init_integrity with no integrity payloads (the model has
      // no CONFIG_BLK_DEV_INTEGRITY): a namespace with metadata takes block I/O only when it is
      // formatted with protection information and the metadata is just the tuple
      // (nvme_ns_has_pi), which the controller inserts and strips (PRACT). This controller does
      // not report CTRATT.ELBAS, so the kernel assumes the 16b guard's 8-byte tuple. Extended
      // formats otherwise get no block device (Linux: capacity 0); a separate-metadata format
      // without PI keeps its block device here, a simplification (Linux: capacity 0 as well).
      const piType = f.ms >= PI16_SIZE ? idns[I.IDN_DPS] & DPS_TYPE_MASK : 0;
      const hasPi = piType !== 0 && f.ms === PI16_SIZE;
      if (f.ms > 0 && !hasPi && (f.extended || piType !== 0)) continue;
      const nv = new DataView(idns.buffer, idns.byteOffset, idns.byteLength);
      const lbaShift = Math.log2(f.lbaBytes);
      const copyId = { mssrl: nv.getUint16(I.IDN_MSSRL, true), mcl: nv.getUint32(I.IDN_MCL, true), msrc: idns[I.IDN_MSRC] };
      const l = defaultLimits();
      l.logical_block_size = f.lbaBytes;
      l.physical_block_size = f.lbaBytes;
      // nvme_set_ctrl_limits: MDTS caps the transfer; PRPs need the 4 KiB virt boundary.
      l.max_hw_sectors = this.limits.max_hw_sectors;
      l.max_sectors = Math.min(l.max_hw_sectors, 2560);
      l.max_segments = NVME_MAX_SEGS;
      l.max_segment_size = 0xffffffff;
      l.virt_boundary_mask = NVME_CTRL_PAGE_SIZE - 1;
      nvmeConfigDiscard(l, this.limits, lbaShift);
      // nvme_update_disk_info: the controller's write-zeroes limit. Capped here at the 65536
      // blocks one Write Zeroes can name (NLB is 16 bits): Linux leaves that to the controller's
      // WZSL, and a WZSL past it would make nvme_setup_write_zeroes truncate NLB.
      l.max_write_zeroes_sectors = Math.min(this.limits.max_zeroes_sectors, (0x10000 << lbaShift) >> 9);
      const capacity = Number(f.nsze) * (1 << (lbaShift - 9));
      const name = `nvme${instance}n${nsid}`;
      const d = new NvmeNsDisk(blk, name, minor++, l, capacity, this, nsid, lbaShift, copyId);
      // nvme_update_disk_info: a volatile write cache brings both flushes and FUA (blk_queue_write_cache(q, vwc, vwc))
      d.writeCache = vwc;
      d.fua = vwc;
      const dlfeat = idns[I.IDN_DLFEAT];
      d.deac = (dlfeat & 0x7) === I.DLFEAT_READ_ZEROES && (dlfeat & I.DLFEAT_WZ_DEAC) !== 0;
      // nvme_setup_rw / nvme_setup_write_zeroes without an integrity payload: PRACT, and for
      // types 1 and 2 the reference tag of the first block (nvme_set_ref_tag, Linux 6.18)
      d.rwPrinfo = hasPi ? (PRINFO_PRACT << O.RW_PRINFO_SHIFT) >>> 0 : 0;
      d.piRefTag = hasPi && piType !== PI_TYPE_3;
      d.applyCopyDesign(blk.design);
      this.disks.push(d);
    }
  }

  private qp(h: number): QueuePair {
    return this.hq[h].q;
  }

  /**
   * nvme_cid(): the CID of a command built for first (nvme_setup_cmd), the request's generation
   * counter in bits 15:12 over its driver tag: (genctr & 0xf) << 12 | tag, the genctr one more
   * than for the request's last command ("nvme: code command_id with a genctr for use-after-free
   * validation", e7006de6c238, 5.15; NVME_QUIRK_SKIP_CID_GEN is not modelled). The counter is the
   * preallocated request's (the scheduler's with mq-deadline, the flush request's own for a
   * flush borrowing a tag). The tag is held until blk_mq_end_request in modelled time, so its
   * CID is free; a command the model sends beyond Linux's one per request (a copy cut by the
   * controller's limits), or a request whose tag another namespace's command holds (the model's
   * namespaces do not share a tag set as the kernel's do), takes a free tag part above the tags
   * instead. -1 lets the queue choose when none is free.
   */
  private cidFor(hq: HwQueue, h: number, first: Request, now: number): number {
    const d = first.q as NvmeNsDisk;
    const gens = d.genctr[h];
    const slot = d.staticRqIndex(first);
    const gen = (gens[slot] + 1) & 0xff;
    gens[slot] = gen;
    const busy = hq.cidBusy;
    const tags = hq.tags;
    let low = first.tag;
    if (low < 0 || low >= tags || busy[low] > now) {
      low = -1;
      for (let c = tags; c <= CID_TAG_MASK; c++) if (busy[c] <= now) { low = c; break; }
      if (low < 0) return -1;
    }
    return ((gen & 0xf) << 12) | low;
  }

  // ---- blk_mq_ops ----

  queueRq(disk: MqDisk, rq: Request): boolean {
    const d = disk as NvmeNsDisk;
    const q = this.qp(rq.hctx);
    if (opIsCopy(rq.op)) {
      const plan = this.copyPlan(d, rq);
      if (!plan) return true; // failed without a command
      return this.issueCopies(rq.hctx, [plan]);
    }
    if (q.room() === 0) return false;
    this.issue(rq.hctx, this.buildCommand(d, rq), rq, null);
    return true;
  }

  /** nvme_queue_rqs: a plug's requests in one go; adjacent copies share Copy commands. */
  queueRqs(disk: MqDisk, rqs: Request[]): Request[] {
    const d = disk as NvmeNsDisk;
    const left: Request[] = [];
    const touched = new Set<number>();
    let run: CopyPlan[] = [];
    const flush = () => {
      if (run.length > 0 && !this.issueCopies(run[0].rq.hctx, run)) left.push(...run.map((p) => p.rq));
      run = [];
    };
    for (const rq of rqs) {
      touched.add(rq.hctx);
      if (opIsCopy(rq.op)) {
        const plan = this.copyPlan(d, rq);
        if (!plan) continue;
        const prev = run[run.length - 1];
        if (prev && (prev.rq.hctx !== rq.hctx || prev.sdlba + blocksOf(prev.ranges) !== plan.sdlba || !this.packs(d))) flush();
        run.push(plan);
        continue;
      }
      flush();
      if (this.qp(rq.hctx).room() === 0) { left.push(rq); continue; }
      this.issue(rq.hctx, this.buildCommand(d, rq), rq, null);
    }
    flush();
    for (const h of touched) this.commitRqs(d, h);
    return left;
  }

  /** Only the 2026 design's driver callback combines requests; the others send one each. */
  private packs(d: NvmeNsDisk): boolean {
    return d.design === "ctx";
  }

  /** commit_rqs: ring the SQ doorbell once; the device runs what was started. */
  commitRqs(_disk: MqDisk, h: number): void {
    const hq = this.hq[h];
    const q = hq.q;
    const started = hq.started;
    if (started === 0) return;
    hq.started = 0;
    const port = this.driver.port;
    q.ring(port);
    port.kick();
    const now = this.blk.sim.now_ns;
    const iods = hq.iods;
    const threaded = port.threaded;
    for (let polls = 0; ; polls++) {
      // nvme_process_cq: each CQE handled in place, in the CQ's order (the controller posts an
      // I/O queue's completions in the order it fetched the commands)
      for (;;) {
        const tag = q.reapNext(threaded);
        if (tag < 0) break;
        const f = iods[tag];
        if (f === null) { q.keep(tag); continue; } // another driver's command (nvme.ts)
        iods[tag] = null;
        this.commandDone(hq, q, f, now);
      }
      q.reapEnd(port);
      // every command in flight on q is one this commit started (each commit waits for its own)
      if (q.inflight === 0) break;
      if (polls > 10_000) throw new Error(`nvme${this.instance}: the controller did not complete ${started} commands on queue ${q.qid}`);
      port.poll();
    }
    q.ackCompletions(port);
  }

  // ---- building commands ----

  private lba(d: NvmeNsDisk, sector: number): number {
    // arithmetic, not shifts: LBAs beyond 2^31 sectors (1 TiB) must not wrap
    return Math.floor(sector / d.sectorsPerLba);
  }

  /** The trace's record of a command, when the trace keeps commands. */
  private record(d: NvmeNsDisk, rq: number, opcode: number, name: string): NvmeCommandRecord | null {
    return this.blk.tracer.keepCommands ? newRecord(d, rq, opcode, name) : null;
  }

  /** Refill the one BuiltCommand. */
  private build(sqe: Uint32Array, bufs: DmaBuffer[], model: ModelCommand, record: NvmeCommandRecord | null, copyRanges: CopyRange[] | null = null): BuiltCommand {
    const b = this.built;
    b.sqe = sqe;
    b.bufs = bufs;
    b.model = model;
    b.record = record;
    b.copyRanges = copyRanges;
    return b;
  }

  /**
   * nvme_setup_discard: one range per bio; a single-range device gets the whole request. A
   * method of its own: its closures in buildCommand would make every command allocate the
   * context they capture.
   */
  private buildDiscard(d: NvmeNsDisk, rq: Request, blocks: number): BuiltCommand {
    const buf = this.driver.pool.alloc(NVME_DSM_MAX_RANGES * O.DSM_RANGE_SIZE);
    const ranges = (d.limits.max_discard_segments > 1 ? rq.bios : [rq.bio]).map((b) => ({
      slba: this.lba(d, b.sector), nlb: d.limits.max_discard_segments > 1 ? b.size >> d.lbaShift : blocks,
    }));
    this.driver.port.core.hostRam.fill(0, buf.bus, buf.bus + buf.bytes);
    ranges.forEach((r, i) => {
      const at = buf.bus + i * O.DSM_RANGE_SIZE;
      this.ram.setUint32(at + O.DSM_RANGE_CATTR, 0, true);
      this.ram.setUint32(at + O.DSM_RANGE_NLB, r.nlb, true);
      this.ram.setBigUint64(at + O.DSM_RANGE_SLBA, BigInt(r.slba), true);
    });
    const sqe = newSqe(O.NVM_DATASET_MANAGEMENT, d.nsid);
    setU64(sqe, 24, buf.bus);
    sqe[10] = ranges.length - 1;
    sqe[11] = O.DSM_AD;
    const record = this.record(d, rq.id, O.NVM_DATASET_MANAGEMENT, "Dataset Management");
    if (record) {
      record.nr = ranges.length;
      record.ranges = ranges;
    }
    return this.build(sqe, [buf], modelCommand("dsm", 0, 0, rq.hctx), record);
  }

  /**
   * The data pointer of a Read or Write (nvme_map_data with PRPs): one bio of one segment
   * within two pages (a 4 KiB I/O) sets PRP1/PRP2 in place, with no list and no segment array;
   * anything else goes through buildPrpsForSegments. Sets dwords 6-9 either way.
   */
  private rwPrps(sqe: Uint32Array, rq: Request): DmaBuffer[] {
    const bios = rq.bios;
    if (bios.length === 1) {
      const vecs = bios[0].vecs;
      if (vecs.length === 1) {
        const v = vecs[0];
        if (v.len > 0 && prpsWithinTwoCtrlPages(sqe, v.bus, v.len)) return NO_BUFS;
      }
    }
    sqe[6] = 0; sqe[7] = 0; sqe[8] = 0; sqe[9] = 0;
    const segs = bios.length === 1 ? bios[0].vecs : bios.flatMap((b) => b.vecs);
    return buildPrpsForSegments(sqe, segs, this.driver.pool, this.ram);
  }

  /** nvme_setup_rw / discard / write_zeroes / flush. */
  private buildCommand(d: NvmeNsDisk, rq: Request): BuiltCommand {
    const blocks = rq.dataLen >> d.lbaShift;
    const slba = this.lba(d, rq.sector);
    switch (rq.op) {
      case Op.READ:
      case Op.WRITE: {
        // built in the SQ's tail slot (submit leaves it there); every word, as the slot holds
        // an older command, and not fill(0): a builtin call costs more than sixteen stores
        const sqe = this.hq[rq.hctx].q.tailSlot();
        sqe[0] = rq.op === Op.READ ? O.NVM_READ : O.NVM_WRITE;
        sqe[1] = d.nsid;
        sqe[2] = 0; sqe[3] = 0; sqe[4] = 0; sqe[5] = 0;
        setU64(sqe, 40, slba);
        sqe[12] = (((blocks - 1) & O.RW_NLB_MASK) | (rq.flags & REQ_FUA ? 1 << O.RW_FUA_BIT : 0) | d.rwPrinfo) >>> 0;
        sqe[13] = 0; sqe[14] = d.piRefTag ? slba % 0x100000000 : 0; sqe[15] = 0;
        const bufs = this.rwPrps(sqe, rq);
        const model = this.rwModel;
        model.op = rq.op === Op.READ ? "read" : "write";
        model.bytes = rq.dataLen;
        model.offset = slba * d.lbaBytes;
        model.fua = (rq.flags & REQ_FUA) !== 0;
        model.queue = rq.hctx;
        const record = this.record(d, rq.id, sqe[0] & 0xff, rq.op === Op.READ ? "Read" : "Write");
        if (record) {
          record.slba = slba;
          record.blocks = blocks;
        }
        return this.build(sqe, bufs, model, record);
      }
      case Op.DISCARD:
        return this.buildDiscard(d, rq, blocks);
      case Op.WRITE_ZEROES: {
        const sqe = newSqe(O.NVM_WRITE_ZEROES, d.nsid);
        setU64(sqe, 40, slba);
        // nvme_setup_write_zeroes: DEAC when the namespace reads deallocated blocks as zeroes
        // and Write Zeroes may deallocate (NVME_NS_DEAC); no REQ_NOUNMAP is modelled
        sqe[12] = (((blocks - 1) & O.RW_NLB_MASK) | (d.deac ? 1 << O.RW_DEAC_BIT : 0) | d.rwPrinfo) >>> 0;
        if (d.piRefTag) sqe[14] = slba % 0x100000000;
        const record = this.record(d, rq.id, O.NVM_WRITE_ZEROES, "Write Zeroes");
        if (record) {
          record.slba = slba;
          record.blocks = blocks;
        }
        return this.build(sqe, NO_BUFS, modelCommand("write_zeroes", 0, slba * d.lbaBytes, rq.hctx), record);
      }
      case Op.FLUSH:
      default: {
        const sqe = newSqe(O.NVM_FLUSH, d.nsid);
        return this.build(sqe, NO_BUFS, modelCommand("flush", 0, 0, rq.hctx), this.record(d, rq.id, O.NVM_FLUSH, "Flush"));
      }
    }
  }

  /**
   * The destination and source ranges of a copy request, by design. pair: the request's DST
   * then SRC bio (a lone half fails with BLK_STS_IOERR, as the v20 driver does). ctx: the
   * context's translated source bios. vector: the source vectors of the merged bios.
   */
  private copyPlan(d: NvmeNsDisk, rq: Request): CopyPlan | null {
    const sdlba = this.lba(d, rq.sector);
    const fail = (why: string, status: BlkStatus) => {
      this.blk.message(d, `copy: request ${rq.id} not sent: ${why}`);
      this.finishNow(d, rq, status);
      return null;
    };
    if (!this.copyCapable) return fail("the controller has no Copy (ONCS bit 8)", BlkStatus.NOTSUPP);
    const range = (disk: NvmeNsDisk, b: { sector: number; sectors: number }): CopyRange => ({
      slba: this.lba(disk, b.sector), nlb: (b.sectors * 512) >> disk.lbaShift, nsid: disk.nsid,
    });
    if (rq.op === Op.COPY) {
      return { rq, disk: d, sdlba, ranges: rq.bios.flatMap((b) => (b.copySrc ?? []).map((r) => range(d, r))) };
    }
    const ctx = rq.bio.copyCtx;
    if (ctx && ctx.phase === CtxPhase.COPY) {
      const ranges: CopyRange[] = [];
      for (const b of ctx.src) {
        const sd = b.bdev as NvmeNsDisk;
        if (!(sd instanceof NvmeNsDisk) || sd.ctrl !== this) return fail(`source bio ${b.id} is on ${b.bdev.name}, another controller`, BlkStatus.NOTSUPP);
        if (sd.nsid !== d.nsid && !this.format2) return fail(`source on namespace ${sd.nsid}, destination on ${d.nsid}: the controller has no Copy Descriptor Format 2h`, BlkStatus.NOTSUPP);
        ranges.push(range(sd, b));
      }
      return { rq, disk: d, sdlba, ranges };
    }
    // v20: exactly two bios, destination first.
    if (rq.bios.length !== 2 || rq.bio.op !== Op.COPY_DST || rq.biotail.op !== Op.COPY_SRC) {
      return fail(`a lone ${rq.bio.op === Op.COPY_DST ? "COPY_DST" : "COPY_SRC"} request (its other half never merged)`, BlkStatus.IOERR);
    }
    return { rq, disk: d, sdlba, ranges: [range(d, rq.biotail)] };
  }

  /** Pack copy plans (adjacent destinations, in order) into Copy commands within MSRC and MCL. */
  private issueCopies(h: number, plans: CopyPlan[]): boolean {
    const d = plans[0].disk;
    const maxRanges = d.id.msrc + 1;
    const mcl = d.id.mcl || Infinity;
    const mssrl = d.id.mssrl || Infinity;
    const cmds: Array<{ sdlba: number; ranges: CopyRange[]; rqs: Array<{ rq: Request; ranges: number }> }> = [];
    let cur: (typeof cmds)[number] | null = null;
    for (const p of plans) {
      let dst = p.sdlba;
      for (const r0 of p.ranges) {
        // a range longer than MSSRL is cut (the vector design's split keeps ranges within it)
        for (let off = 0; off < r0.nlb; ) {
          const nlb = Math.min(r0.nlb - off, mssrl);
          const r = { slba: r0.slba + off, nlb, nsid: r0.nsid };
          if (!cur || cur.ranges.length >= maxRanges || blocksOf(cur.ranges) + nlb > mcl) {
            cur = { sdlba: dst, ranges: [], rqs: [] };
            cmds.push(cur);
          }
          cur.ranges.push(r);
          const last = cur.rqs[cur.rqs.length - 1];
          if (last && last.rq === p.rq) last.ranges++;
          else cur.rqs.push({ rq: p.rq, ranges: 1 });
          dst += nlb;
          off += nlb;
        }
      }
    }
    if (this.qp(h).room() < cmds.length) return false;
    for (const p of plans) this.rqIod(p.rq, p.disk);
    if (cmds.length > 1 || plans.length > 1) {
      this.blk.message(d, `copy: ${plans.length} request(s) [${plans.map((p) => p.rq.id).join(",")}] -> ${cmds.length} Copy command(s) (MSRC ${d.id.msrc}, MSSRL ${d.id.mssrl}, MCL ${d.id.mcl})`);
    }
    for (const c of cmds) this.issue(h, this.buildCopy(d, c.sdlba, c.ranges, c.rqs.reduce((f, r) => f | r.rq.flags, 0)), null, c.rqs);
    return true;
  }

  /** nvme_setup_copy: SDLBA, NR, the range list (format 0h, or 2h when a range names another namespace). */
  private buildCopy(d: NvmeNsDisk, sdlba: number, ranges: CopyRange[], flags: number): BuiltCommand {
    const cross = ranges.some((r) => r.nsid !== d.nsid);
    const fmt = cross ? C.COPY_FORMAT_2 : C.COPY_FORMAT_0;
    const size = ranges.length * C.COPY_RANGE_F0_SIZE;
    const buf = this.driver.pool.alloc(size);
    this.driver.port.core.hostRam.fill(0, buf.bus, buf.bus + buf.bytes);
    ranges.forEach((r, i) => {
      const at = buf.bus + i * C.COPY_RANGE_F0_SIZE;
      if (cross) this.ram.setUint32(at + C.COPY_RANGE_SNSID, r.nsid, true);
      this.ram.setBigUint64(at + C.COPY_RANGE_SLBA, BigInt(r.slba), true);
      this.ram.setUint16(at + C.COPY_RANGE_NLB, r.nlb - 1, true);
    });
    const sqe = newSqe(O.NVM_COPY, d.nsid);
    setU64(sqe, 40, sdlba);
    const bufs = [buf];
    bufs.push(...buildPrpsForSegments(sqe, [{ bus: buf.bus, len: size }], this.driver.pool, this.ram));
    // FUA and LR (from REQ_FAILFAST_DEV) when any request the command serves asks for them
    sqe[12] = ((ranges.length - 1) | (fmt << C.COPY_DESFMT_SHIFT) | (flags & REQ_FUA ? 1 << C.COPY_FUA_BIT : 0) |
      (flags & REQ_FAILFAST_DEV ? 1 << C.COPY_LR_BIT : 0)) >>> 0;
    const record = this.record(d, 0, O.NVM_COPY, "Copy");
    if (record) Object.assign(record, { slba: sdlba, blocks: blocksOf(ranges), nr: ranges.length, ranges: ranges.map((r) => (cross ? r : { slba: r.slba, nlb: r.nlb })) });
    const model = modelCommand("copy", 0, sdlba * d.lbaBytes, 0, ranges.map((r) => [r.slba * d.lbaBytes, r.nlb * d.lbaBytes] as [number, number]));
    return this.build(sqe, bufs, model, record, ranges);
  }

  /**
   * Submit a built command for rq (or, for a Copy, for rqs) and ask the model when it
   * completes. rq's command state is its Iod; a Copy's is an Iod of its own.
   */
  private issue(h: number, cmd: BuiltCommand, rq: Request | null, rqs: Array<{ rq: Request; ranges: number }> | null): void {
    const hq = this.hq[h];
    const q = hq.q;
    let f: Iod;
    let first: Request;
    if (rq !== null) {
      first = rq;
      f = this.rqIod(rq, this.diskOf(rq));
    } else {
      first = rqs![0].rq;
      for (const r of rqs!) (r.rq.pdu as Iod).left++;
      f = this.takeIod();
    }
    const now = this.blk.sim.now_ns;
    const want = this.cidFor(hq, h, first, now);
    const tag = q.submit(cmd.sqe, want);
    if (tag < 0) throw new Error(`nvme${this.instance}: queue ${q.qid} full although blk-mq holds a tag`);
    // the CID asked for is the one it went out under (a 16-bit value); only when no spare was
    // free did the queue pick one
    const cid = want >= 0 ? want : q.cidOfTag[tag];
    hq.cidBusy[cid & CID_TAG_MASK] = Infinity; // until commandDone knows its modelled completion
    const record = cmd.record;
    if (record) {
      // filled in place (no spread: this is the per-command path)
      record.rq = first.id;
      record.time_ns = now;
      record.qid = q.qid;
      record.cid = cid;
      this.blk.tracer.command(record);
    }
    const model = this.model;
    model.advance?.(now);
    // a pooled Iod's command side is at its reset values (newIod, commandDue; waiting is false
    // again before commandDue, and commandDone sets cqeStatus and dw0 before anything reads
    // them): a Read or Write sets only what differs per command
    if (rqs !== null) {
      f.rqs = rqs;
      f.copyRanges = cmd.copyRanges;
    }
    if (record !== null) f.record = record;
    if (cmd.bufs.length !== 0) f.bufs = cmd.bufs;
    f.cid = cid;
    f.due_ns = NaN;
    f.hctx = h;
    cmd.model.queue = h;
    const due_ns = model.complete(cmd.model, now, f);
    if (due_ns !== MODEL_PENDING) f.due_ns = due_ns;
    hq.iods[tag] = f;
    hq.started++;
  }

  /** A Copy command's Iod, from the free list when it has one. */
  private takeIod(): Iod {
    const f = this.freeIod;
    if (f === null) return newIod();
    this.freeIod = f.nextFree;
    f.nextFree = null;
    return f;
  }

  /**
   * rq's Iod (blk_mq_rq_to_pdu), made at the request object's first command. Its request side
   * is at its reset values (newIod, endRq), as nvme_setup_cmd's nvme_req init leaves it.
   */
  private rqIod(rq: Request, disk: NvmeNsDisk): Iod {
    let st = rq.pdu as Iod | undefined;
    if (st === undefined) {
      st = newIod();
      st.rq = rq;
      rq.pdu = st;
    }
    st.disk = disk;
    return st;
  }

  private diskOf(rq: Request): NvmeNsDisk {
    return rq.q as NvmeNsDisk;
  }

  /** A command's CQE was reaped: record it; its requests complete after the modelled service time. */
  private commandDone(hq: HwQueue, q: QueuePair, f: Iod, now: number): void {
    // the CQE's fields read in place in the CQ (no object per completion)
    f.cqeStatus = q.cqeDw3() >>> 17;
    f.dw0 = q.cqeDw0();
    const bufs = f.bufs;
    for (let i = 0; i < bufs.length; i++) this.driver.pool.release(bufs[i]);
    if (f.record) {
      f.record.status = f.cqeStatus;
      f.record.dw0 = f.dw0;
    }
    const due_ns = f.due_ns;
    if (Number.isNaN(due_ns)) f.waiting = true; // the model says when (modelResolved)
    else {
      if (due_ns < now) f.due_ns = now;
      this.commandDue(hq, f);
    }
  }

  /** A model that decided later (MODEL_PENDING) has the command's completion time. */
  private modelResolved(f: Iod, done_ns: number): void {
    f.due_ns = done_ns;
    if (!f.waiting) return; // its CQE is not reaped yet: commandDone goes on
    f.waiting = false;
    f.due_ns = Math.max(this.blk.sim.now_ns, done_ns);
    this.commandDue(this.hq[f.hctx], f);
  }

  /**
   * The command completes at f.due_ns in modelled time (no earlier than its CQE was reaped:
   * the callers make it so): its CID is free then and its requests end. The time is read from
   * the Iod, not passed: a double argument to a call the engine does not inline is boxed, an
   * allocation per command. A Copy command's own Iod goes back to the pool; a request's goes
   * back when it ends (endRq).
   */
  private commandDue(hq: HwQueue, f: Iod): void {
    const due = f.due_ns;
    hq.cidBusy[f.cid & CID_TAG_MASK] = due;
    // back to the reset values issue relies on (stored only when they differ)
    if (f.record !== null) {
      f.record.done_ns = due;
      f.record = null;
    }
    if (f.bufs !== NO_BUFS) f.bufs = NO_BUFS;
    const rq = f.rq;
    if (rq !== null) {
      // the request's one command: it ends with it
      f.end_ns = due;
      if (f.cqeStatus !== 0) f.status = nvmeErrorStatus(f.cqeStatus);
      this.scheduleEnd(rq, f);
      return;
    }
    for (const { rq, ranges } of f.rqs!) {
      const st = rq.pdu as Iod;
      st.end_ns = Math.max(st.end_ns, due);
      this.accountCopy(st, f, rq, ranges);
      if (--st.left === 0) this.scheduleEnd(rq, st);
    }
    f.rqs = null;
    f.copyRanges = null;
    f.nextFree = this.freeIod;
    this.freeIod = f;
  }

  /** Copy: ranges before DW0 (the first range not copied) count as copied when the status is an error. */
  private accountCopy(st: Iod, f: Iod, rq: Request, ranges: number): void {
    const all = f.copyRanges!;
    let start = 0;
    for (const r of f.rqs!) { if (r.rq === rq) break; start += r.ranges; }
    const mine = all.slice(start, start + ranges);
    if (f.cqeStatus === 0) {
      if (!st.copyFailed) st.copiedBlocks += mine.reduce((a, r) => a + r.nlb, 0);
      return;
    }
    const failedAt = Math.max(0, f.dw0 - start);
    if (!st.copyFailed) st.copiedBlocks += mine.slice(0, Math.min(failedAt, ranges)).reduce((a, r) => a + r.nlb, 0);
    st.copyFailed = true;
    if (st.status === BlkStatus.OK) st.status = nvmeErrorStatus(f.cqeStatus);
  }

  /**
   * CPU time of a request's completion on its CPU: the interrupt, except for a polled request
   * (REQ_POLLED: its submitter finds the completion); over a transport that delivers read data
   * through the CPU (NVMe/TCP), the copy into the request's pages runs there too.
   */
  private completionCpu_ns(rq: Request): number {
    const c = this.blk.sim.costs;
    const copy = rq.op === Op.READ && this.model.hostCopiesReads ? rq.dataLen * c.copy_ns_per_byte : 0;
    return (rq.flags & REQ_POLLED ? 0 : c.irq_ns) + copy;
  }

  /**
   * The completion interrupt runs on the submitting CPU: with a CPU model it waits for that
   * CPU and keeps it busy before the request completes. Free CPUs (the default): one event,
   * and no closure on the per-request path.
   */
  private scheduleEnd(rq: Request, st: Iod): void {
    const sim = this.blk.sim;
    sim.at(st.end_ns, sim.idle(rq.cpu), this.completionCpu_ns(rq) <= 0 ? this.endRq : this.irqThenEnd, st);
  }

  private readonly irqThenEnd = (st: Iod): void => {
    const sim = this.blk.sim;
    const rq = st.rq!;
    sim.at(sim.useCpu(rq.cpu, this.completionCpu_ns(rq)), sim.idle(rq.cpu), this.endRq, st);
  };

  /**
   * The request's completion (blk_mq_end_request), after its interrupt. Its Iod's request side
   * goes back to the reset values first: ending it may issue the same request object again.
   */
  private readonly endRq = (st: Iod): void => {
    const rq = st.rq!;
    const disk = st.disk!;
    const status = st.status;
    if (opIsCopy(rq.op)) this.endCopyRq(rq, st, disk);
    if (status !== BlkStatus.OK) st.status = BlkStatus.OK;
    disk.endRequest(rq, status);
  };

  /** A copy request's sectors copied, and its Iod's copy fields back at their reset values. */
  private endCopyRq(rq: Request, st: Iod, disk: NvmeNsDisk): void {
    rq.copiedSectors = st.copiedBlocks * disk.sectorsPerLba;
    if (rq.bio.copyCtx) rq.bio.copyCtx.copiedSectors = rq.copiedSectors;
    if (st.status !== BlkStatus.OK) this.blk.message(disk, `copy: request ${rq.id} failed (${st.status}); the device copied ${rq.copiedSectors} sectors`);
    st.copiedBlocks = 0;
    st.copyFailed = false;
    st.end_ns = 0;
  }

  /** Complete a request the driver refused without sending a command. */
  private finishNow(d: NvmeNsDisk, rq: Request, status: BlkStatus): void {
    rq.copiedSectors = 0;
    if (rq.bio.copyCtx) rq.bio.copyCtx.copiedSectors = 0;
    const sim = this.blk.sim;
    sim.at(sim.now_ns, sim.idle(rq.cpu), () => d.endRequest(rq, status));
  }
}

/**
 * Format 2h descriptors are accepted only once the host enables them: set CDF2E in the Host
 * Behavior Support feature, keeping what else it holds (as nvme_configure_host_options sets
 * ACRE and LBAFEE there). True when the controller took it.
 */
function enableCopyFormat2(driver: NvmeDriver): boolean {
  const cur = driver.getFeatures(A.FID_HOST_BEHAVIOR_SUPPORT, 0, 0, A.HBS_DATA_SIZE);
  if (cur.status !== 0 || !cur.data) return false;
  const data = new Uint8Array(A.HBS_DATA_SIZE);
  data.set(cur.data.subarray(0, A.HBS_DATA_SIZE));
  const dv = new DataView(data.buffer);
  dv.setUint16(A.HBS_CDFE, dv.getUint16(A.HBS_CDFE, true) | (1 << C.COPY_FORMAT_2), true);
  return driver.setFeatures(A.FID_HOST_BEHAVIOR_SUPPORT, 0, data).status === 0;
}

function blocksOf(ranges: Array<{ nlb: number }>): number {
  let n = 0;
  for (const r of ranges) n += r.nlb;
  return n;
}

