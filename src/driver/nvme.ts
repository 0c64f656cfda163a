// The NVMe host driver, shaped like Linux's nvme-pci: bring the controller up (read CAP,
// disable, program AQA/ASQ/ACQ, enable, wait for RDY, identify, set the number of queues,
// create I/O queue pairs, some of them polled), then run commands with PRPs or SGLs from a
// DMA pool, reaping completions by phase tag. A command that does not complete in time is
// aborted; if that fails, or the controller reports fatal status, the controller is reset
// and brought up again (nvme_timeout, nvme_reset_work).

import * as R from "../../assembly/spec/regs";
import * as S from "../../assembly/spec/sqe";
import * as O from "../../assembly/spec/opcodes";
import * as A from "../../assembly/spec/admin";
import * as I from "../../assembly/spec/identify";
import { SC_ABORT_REQUESTED } from "../../assembly/spec/status";
import { ControllerPort } from "../controller/port";
import { DmaPool, DmaBuffer, PAGE_SIZE } from "./dma-pool";
import { QueuePair, Completion } from "./queue";
import { Sqe, newSqe, setU64, setPsdt } from "./sqe";
import { buildPrps, buildSglDataBlock } from "./prp";

/** The bring-up steps, named as SPDK's nvme_ctrlr_state so a failure says where it stopped. */
export type InitState =
  | "INIT" | "READ_CAP" | "DISABLE" | "DISABLE_WAIT_FOR_READY_0" | "SET_ADMIN_QUEUES" | "ENABLE"
  | "ENABLE_WAIT_FOR_READY_1" | "IDENTIFY_CONTROLLER" | "IDENTIFY_IOCS_SPECIFIC" | "SET_NUMBER_OF_QUEUES" | "IDENTIFY_ACTIVE_NS"
  | "IDENTIFY_NS" | "CREATE_IO_QUEUES" | "READY" | "SHUTDOWN" | "FAILED";

export class DriverError extends Error {
  constructor(message: string, readonly state: InitState, readonly status?: number) {
    super(message);
  }
}

export interface DriverOptions {
  adminDepth?: number;
  /** I/O queue pairs to create. */
  ioQueues?: number;
  ioDepth?: number;
  /** How many of the I/O queues (the last ones) have interrupts disabled and are polled. */
  pollQueues?: number;
  /** How long a command may take before it is aborted (threaded controller). */
  timeoutNs?: number;
  /**
   * Read the NVM Command Set Identify Controller (CNS 06h) at bring-up, as Linux does (default
   * true); the oracle replay leaves it out, as the oracle's host does.
   */
  identifyIocs?: boolean;
  /** Features to apply after bring-up, e.g. from a saved session: [fid, cdw11, data?]. */
  /** Features to set again after bring-up (a power cycle loses them), each with its NSID (0: none). */
  features?: Array<{ fid: number; cdw11: number; nsid?: number; data?: Uint8Array }>;
}

export interface CommandData {
  /** Bytes to the controller (host-to-controller transfer). */
  out?: Uint8Array;
  /** Bytes expected from the controller. */
  inLen?: number;
  /** Offset of the buffer in its first page (PRP1 offset), a multiple of 4. */
  offset?: number;
  /** Describe the buffer with one SGL Data Block instead of PRPs. */
  sgl?: boolean;
  /** Separate metadata buffer (MPTR): bytes out, or length in. */
  mdOut?: Uint8Array;
  mdInLen?: number;
  /** Keep the SQE's data pointer dwords as given (no buffer is set up). */
  keepDptr?: boolean;
  /** Use this CID instead of the tag. */
  cid?: number;
  /** Keep the SQE's PSDT bits as given while filling in PRP1/PRP2 (raw commands, as the oracle does). */
  keepPsdt?: boolean;
}

export interface CommandResult extends Completion {
  data?: Uint8Array;
  md?: Uint8Array;
  /** The SQE as submitted (CID and data pointer filled in). */
  sqe: Uint32Array;
}

const DEFAULTS = { adminDepth: 32, ioQueues: 1, ioDepth: 256, pollQueues: 0, timeoutNs: 30e9, identifyIocs: true };

export class NvmeDriver {
  state: InitState = "INIT";
  readonly pool: DmaPool;
  admin!: QueuePair;
  io: QueuePair[] = [];
  cap = 0n;
  version = 0;
  idCtrl: Uint8Array = new Uint8Array(0);
  /**
   * The I/O Command Set specific Identify Controller for the NVM Command Set (CNS 06h, CSI 00h)
   * as nvme_init_non_mdts_limits reads it: VSL, WZSL, DMRL, DMRSL, DMSL. null when it was not
   * asked for (see identifyIocsController) or the controller refused it.
   */
  idCtrlNvm: Uint8Array | null = null;
  /**
   * NVME_CTRL_SKIP_ID_CNS_CS: the controller once refused CNS 06h with an NVMe status, so it is
   * not asked again, across resets, for the life of this driver (as the kernel's flag lives as
   * long as its nvme_ctrl).
   */
  skipIdCnsCs = false;
  nsids: number[] = [];
  idNs = new Map<number, Uint8Array>();
  private readonly opts: Required<Omit<DriverOptions, "features">> & Pick<DriverOptions, "features">;
  private readonly ram: DataView;
  private readonly ram32: Uint32Array;
  private queueMemory: DmaBuffer[] = [];

  constructor(readonly port: ControllerPort, options: DriverOptions = {}) {
    this.opts = { ...DEFAULTS, ...options };
    this.pool = new DmaPool(port.core.layout.hostRamSize);
    this.ram = port.core.hostRamView;
    this.ram32 = port.core.hostRamU32;
  }

  private fail(message: string, status?: number): never {
    const at = this.state;
    this.state = "FAILED";
    throw new DriverError(`${message} (bring-up state ${at})`, at, status);
  }

  get dstrd(): number { return Number((this.cap >> 32n) & 0xfn); }
  get mqes(): number { return Number(this.cap & 0xffffn); }
  /** CAP.TO in nanoseconds: how long enable and disable may take. */
  get readyTimeoutNs(): number { return (Number((this.cap >> 24n) & 0xffn) + 1) * 500e6; }

  /** Bring the controller from whatever state it is in to READY with I/O queues. */
  bringUp(): void {
    this.state = "READ_CAP";
    this.cap = this.port.read64(R.REG_CAP);
    this.version = this.port.read32(R.REG_VS);
    if (((this.cap >> 48n) & 0xfn) !== 0n) this.fail("CAP.MPSMIN is above 4 KiB pages");
    this.disable();
    this.setAdminQueues();
    this.enable();
    this.identifyController();
    this.identifyIocsController();
    const n = this.setNumberOfQueues();
    this.identifyNamespaces();
    this.createIoQueues(n);
    for (const f of this.opts.features ?? []) {
      const r = this.setFeatures(f.fid, f.cdw11, f.data, false, f.nsid ?? 0);
      if (r.status !== 0) this.fail(`restoring feature ${f.fid.toString(16)}h failed`, r.status);
    }
    this.state = "READY";
  }

  private waitCsts(mask: number, want: number, what: string): void {
    const deadline = this.port.now() + this.readyTimeoutNs;
    for (let i = 0; ; i++) {
      const csts = this.port.read32(R.REG_CSTS);
      if ((csts & mask) === want) return;
      if ((csts & R.CSTS_CFS) !== 0 && want !== 0) this.fail(`controller fatal status (CSTS.CFS) while waiting for ${what}`);
      if (this.port.now() > deadline || (!this.port.threaded && i > 8)) this.fail(`timed out waiting for ${what} (CSTS=${csts.toString(16)}h)`);
      this.port.poll();
    }
  }

  private disable(): void {
    this.state = "DISABLE";
    const cc = this.port.read32(R.REG_CC);
    if ((cc & R.CC_EN) !== 0) this.port.write32(R.REG_CC, cc & ~R.CC_EN);
    this.state = "DISABLE_WAIT_FOR_READY_0";
    this.waitCsts(R.CSTS_RDY, 0, "CSTS.RDY = 0");
  }

  private allocZeroed(bytes: number): DmaBuffer {
    const b = this.pool.alloc(bytes);
    this.port.core.hostRam.fill(0, b.bus, b.bus + b.bytes);
    this.queueMemory.push(b);
    return b;
  }

  private setAdminQueues(): void {
    this.state = "SET_ADMIN_QUEUES";
    for (const b of this.queueMemory) this.pool.release(b);
    this.queueMemory = [];
    const depth = this.opts.adminDepth;
    const sq = this.allocZeroed(depth * S.SQE_SIZE);
    const cq = this.allocZeroed(depth * S.CQE_SIZE);
    this.admin = new QueuePair(0, depth, sq, cq, 0, false, this.ram32, this.dstrd);
    this.io = [];
    this.port.write32(R.REG_AQA, (depth - 1) | ((depth - 1) << R.AQA_ACQS_SHIFT));
    this.port.write64(R.REG_ASQ, BigInt(sq.bus));
    this.port.write64(R.REG_ACQ, BigInt(cq.bus));
  }

  private enable(): void {
    this.state = "ENABLE";
    const cc = R.CC_EN | (0 << R.CC_CSS_SHIFT) | (0 << R.CC_MPS_SHIFT) | (0 << R.CC_AMS_SHIFT)
      | (6 << R.CC_IOSQES_SHIFT) | (4 << R.CC_IOCQES_SHIFT);
    this.port.write32(R.REG_CC, cc);
    this.state = "ENABLE_WAIT_FOR_READY_1";
    this.waitCsts(R.CSTS_RDY, R.CSTS_RDY, "CSTS.RDY = 1");
  }

  private identifyController(): void {
    this.state = "IDENTIFY_CONTROLLER";
    const r = this.identify(I.CNS_CONTROLLER);
    if (r.status !== 0) this.fail("Identify Controller failed", r.status);
    this.idCtrl = r.data!;
  }

  /**
   * nvme_init_non_mdts_limits (drivers/nvme/host/core.c): the NVM Command Set Identify
   * Controller (CNS 06h, CSI 00h) is asked for only from an I/O controller (CNTRLTYPE neither
   * discovery nor administrative) whose version allows a CNS byte above 03h (nvme_id_cns_ok:
   * VS 1.2 or later), and not after the controller refused it. A refusal is not a bring-up
   * failure: the limits then come from Identify Controller alone.
   */
  private identifyIocsController(): void {
    this.state = "IDENTIFY_IOCS_SPECIFIC";
    this.idCtrlNvm = null;
    const type = this.idCtrl[I.IDC_CNTRLTYPE];
    if (type === I.CNTRLTYPE_DISCOVERY || type === I.CNTRLTYPE_ADMIN) return;
    if (!this.opts.identifyIocs || this.version < 0x00010200 || this.skipIdCnsCs) return;
    const r = this.identify(I.CNS_CSI_CONTROLLER, 0, I.CSI_NVM << I.IDENTIFY_CSI_SHIFT);
    if (r.status !== 0) this.skipIdCnsCs = true;
    else this.idCtrlNvm = r.data!;
  }

  /** Number of Queues: ask for the I/O queues wanted, use what the controller allocates. */
  private setNumberOfQueues(): number {
    this.state = "SET_NUMBER_OF_QUEUES";
    const want = this.opts.ioQueues;
    const r = this.setFeatures(A.FID_NUMBER_OF_QUEUES, (want - 1) | ((want - 1) << A.NUMQ_NCQR_SHIFT));
    if (r.status !== 0) this.fail("Set Features (Number of Queues) failed", r.status);
    return Math.min(want, (r.dw0 & 0xffff) + 1, (r.dw0 >>> 16) + 1);
  }

  /**
   * Identify the namespaces again: after a Format NVM (Commands Supported and Effects NCC) a
   * namespace's LBA format and protection information may have changed, and Linux revalidates
   * them the same way (nvme_passthru_end -> nvme_queue_scan).
   */
  rescanNamespaces(): void {
    this.identifyNamespaces();
  }

  private identifyNamespaces(): void {
    this.state = "IDENTIFY_ACTIVE_NS";
    const list = this.identify(I.CNS_ACTIVE_NSID_LIST, 0);
    if (list.status !== 0) this.fail("Identify Active Namespace ID list failed", list.status);
    const dv = new DataView(list.data!.buffer);
    this.nsids = [];
    for (let i = 0; i < 1024; i++) {
      const id = dv.getUint32(i * 4, true);
      if (id === 0) break;
      this.nsids.push(id);
    }
    this.state = "IDENTIFY_NS";
    this.idNs.clear();
    for (const nsid of this.nsids) {
      const r = this.identify(I.CNS_NAMESPACE, nsid);
      if (r.status !== 0) this.fail(`Identify Namespace ${nsid} failed`, r.status);
      this.idNs.set(nsid, r.data!);
    }
  }

  private createIoQueues(n: number): void {
    this.state = "CREATE_IO_QUEUES";
    const depth = Math.min(this.opts.ioDepth, this.mqes + 1);
    const maxVectors = this.port.core.config.maxVectors;
    const polledFrom = n - Math.min(this.opts.pollQueues, n);
    for (let i = 1; i <= n; i++) {
      const polled = i - 1 >= polledFrom;
      const iv = polled ? 0 : maxVectors > 1 ? 1 + ((i - 1) % (maxVectors - 1)) : 0;
      const sq = this.allocZeroed(depth * S.SQE_SIZE);
      const cq = this.allocZeroed(depth * S.CQE_SIZE);
      const c = newSqe(O.ADMIN_CREATE_CQ);
      setU64(c, S.SQE_PRP1, BigInt(cq.bus));
      c[10] = i | ((depth - 1) << A.CREATEQ_QSIZE_SHIFT);
      c[11] = A.CREATEQ_PC | (polled ? 0 : A.CREATECQ_IEN) | (iv << A.CREATECQ_IV_SHIFT);
      let r = this.exec(this.admin, c, { keepDptr: true });
      if (r.status !== 0) this.fail(`Create I/O Completion Queue ${i} failed`, r.status);
      const s = newSqe(O.ADMIN_CREATE_SQ);
      setU64(s, S.SQE_PRP1, BigInt(sq.bus));
      s[10] = i | ((depth - 1) << A.CREATEQ_QSIZE_SHIFT);
      s[11] = A.CREATEQ_PC | (2 << A.CREATESQ_QPRIO_SHIFT) | (i << A.CREATESQ_CQID_SHIFT);
      r = this.exec(this.admin, s, { keepDptr: true });
      if (r.status !== 0) this.fail(`Create I/O Submission Queue ${i} failed`, r.status);
      this.io.push(new QueuePair(i, depth, sq, cq, iv, polled, this.ram32, this.dstrd));
    }
  }

  // ---- running commands ----

  private vectorCount(iv: number): number {
    return Atomics.load(this.port.core.vectors, iv * 4);
  }

  /** Wait until tag completes (its doneSeq moves past seq0); false on timeout or fatal status. */
  private waitTag(q: QueuePair, tag: number, seq0: number, timeoutNs: number): boolean {
    const deadline = this.port.now() + timeoutNs;
    for (let round = 0; ; round++) {
      const seen = this.vectorCount(q.vector);
      q.reap(this.port);
      q.ackCompletions(this.port); // a waiting host reports what it consumed
      if (q.doneSeq[tag] !== seq0) return true;
      if (!this.port.threaded) {
        if (round >= 2) return false; // a step did all it could
        this.port.poll();
        continue;
      }
      if ((this.port.read32(R.REG_CSTS) & R.CSTS_CFS) !== 0) return false;
      const left = deadline - this.port.now();
      if (left <= 0) return false;
      if (!q.polled) this.port.waitVector(q.vector, seen, Math.min(left, 50e6));
    }
  }

  /**
   * Run one command on queue q and wait for it: set up its data buffers (PRP list or SGL),
   * submit, ring, wait, copy data back. A command that does not complete is aborted; if the
   * abort does not help, the controller is reset and the command reported lost.
   */
  exec(q: QueuePair, sqe: Sqe, data: CommandData = {}, timeoutNs = this.opts.timeoutNs): CommandResult {
    const bufs: DmaBuffer[] = [];
    let dataBuf: DmaBuffer | undefined;
    let mdBuf: DmaBuffer | undefined;
    const off = data.offset ?? 0;
    const len = Math.max(data.out?.length ?? 0, data.inLen ?? 0);
    try {
      if (!data.keepDptr) {
        if (len > 0) {
          dataBuf = this.pool.alloc(off + len);
          bufs.push(dataBuf);
          this.port.core.hostRam.fill(0, dataBuf.bus, dataBuf.bus + dataBuf.bytes);
          if (data.out) this.port.core.hostRam.set(data.out, dataBuf.bus + off);
          const flags = sqe[0] & 0xc000;
          if (data.sgl) buildSglDataBlock(sqe, dataBuf.bus + off, len);
          else bufs.push(...buildPrps(sqe, dataBuf.bus + off, len, this.pool, this.ram));
          if (data.keepPsdt) sqe[0] = ((sqe[0] & ~0xc000) | flags) >>> 0;
        } else if (data.sgl) {
          setPsdt(sqe, S.PSDT_SGL_MPTR_CONTIG);
        }
        const mdLen = Math.max(data.mdOut?.length ?? 0, data.mdInLen ?? 0);
        if (mdLen > 0) {
          mdBuf = this.pool.alloc(mdLen);
          bufs.push(mdBuf);
          this.port.core.hostRam.fill(0, mdBuf.bus, mdBuf.bus + mdBuf.bytes);
          if (data.mdOut) this.port.core.hostRam.set(data.mdOut, mdBuf.bus);
          setU64(sqe, S.SQE_MPTR, BigInt(mdBuf.bus));
        }
      }
      const c = this.run(q, sqe, data.cid ?? -1, timeoutNs);
      const result: CommandResult = { ...c, sqe: new Uint32Array(sqe) };
      if (dataBuf && data.inLen) result.data = this.port.core.hostRam.slice(dataBuf.bus + off, dataBuf.bus + off + data.inLen);
      if (mdBuf && data.mdInLen) result.md = this.port.core.hostRam.slice(mdBuf.bus, mdBuf.bus + data.mdInLen);
      return result;
    } finally {
      for (const b of bufs) this.pool.release(b);
    }
  }

  private run(q: QueuePair, sqe: Sqe, cid: number, timeoutNs: number): Completion {
    if (q.room() === 0) q.reap(this.port);
    const tag = q.submit(sqe, cid);
    if (tag < 0) throw new DriverError(`queue ${q.qid} is full`, this.state);
    const seq0 = q.doneSeq[tag];
    q.ring(this.port);
    this.port.kick();
    if (this.waitTag(q, tag, seq0, timeoutNs)) return q.completion(tag);
    return this.timedOut(q, tag, seq0, q.qid === 0 && (sqe[0] & 0xff) === O.ADMIN_ABORT);
  }

  /** nvme_timeout: abort the command; when that fails, reset the controller. */
  private timedOut(q: QueuePair, tag: number, seq0: number, isAbort: boolean): Completion {
    const cid = q.cidOfTag[tag];
    const fatal = (this.port.read32(R.REG_CSTS) & R.CSTS_CFS) !== 0;
    if (!fatal && !isAbort) {
      const a = newSqe(O.ADMIN_ABORT);
      a[10] = q.qid | (cid << A.ABORT_CID_SHIFT);
      const r = this.exec(this.admin, a, { keepDptr: true }, 5e9);
      if (r.status === 0 && (r.dw0 & A.ABORT_NOT_ABORTED) === 0 && this.waitTag(q, tag, seq0, 5e9)) {
        const done = q.completion(tag);
        if ((done.status & 0x7ff) === SC_ABORT_REQUESTED) return done;
      }
    }
    const why = fatal ? "the controller reported fatal status (CSTS.CFS)" : `command ${cid} on queue ${q.qid} did not complete`;
    this.recover();
    throw new DriverError(`${why}; the controller was reset`, this.state);
  }

  /** Reset the controller and bring it up again (nvme_reset_work). */
  recover(): void {
    this.bringUp();
  }

  /** Normal shutdown: CC.SHN = 01b, wait for CSTS.SHST = 10b (nvme_disable_ctrl with shutdown). */
  shutdown(): void {
    this.state = "SHUTDOWN";
    const cc = this.port.read32(R.REG_CC);
    this.port.write32(R.REG_CC, (cc & ~(R.CC_SHN_MASK << R.CC_SHN_SHIFT)) | (R.CC_SHN_NORMAL << R.CC_SHN_SHIFT));
    this.waitCsts(R.CSTS_SHST_MASK << R.CSTS_SHST_SHIFT, R.CSTS_SHST_COMPLETE << R.CSTS_SHST_SHIFT, "CSTS.SHST = 10b");
  }

  ioQueue(i = 0): QueuePair {
    const q = this.io[i];
    if (!q) throw new DriverError(`no I/O queue ${i + 1} (the driver created ${this.io.length})`, this.state);
    return q;
  }

  /**
   * The bus addresses exec would give a command's data buffer of len bytes and metadata
   * buffer of mdLen bytes (0: none), without a command: what nvme-cli's --show-command prints
   * as addr and metadata, here host-RAM bus addresses instead of user pointers. exec takes
   * the data buffer, its PRP lists, then the metadata buffer, first fit, so the same
   * allocations here, released at once, find the same addresses.
   */
  plannedBuffers(len: number, mdLen: number): { data: number; md: number } {
    const taken: DmaBuffer[] = [];
    try {
      let data = 0;
      let md = 0;
      if (len > 0) {
        const b = this.pool.alloc(len);
        taken.push(b);
        data = b.bus;
        taken.push(...buildPrps(newSqe(0), b.bus, len, this.pool, this.ram));
      }
      if (mdLen > 0) {
        const b = this.pool.alloc(mdLen);
        taken.push(b);
        md = b.bus;
      }
      return { data, md };
    } finally {
      for (const b of taken.reverse()) this.pool.release(b);
    }
  }

  // ---- admin command helpers ----

  identify(cns: number, nsid = 0, cdw11 = 0): CommandResult {
    const q = newSqe(O.ADMIN_IDENTIFY, nsid);
    q[10] = cns;
    q[11] = cdw11;
    return this.exec(this.admin, q, { inLen: I.IDENTIFY_DATA_SIZE });
  }

  setFeatures(fid: number, cdw11: number, data?: Uint8Array, save = false, nsid = 0): CommandResult {
    const q = newSqe(O.ADMIN_SET_FEATURES, nsid);
    q[10] = fid | (save ? 1 << A.FEAT_SV_BIT : 0);
    q[11] = cdw11;
    return this.exec(this.admin, q, data ? { out: data } : {});
  }

  getFeatures(fid: number, sel = 0, cdw11 = 0, dataLen = 0, nsid = 0): CommandResult {
    const q = newSqe(O.ADMIN_GET_FEATURES, nsid);
    q[10] = fid | (sel << A.FEAT_SEL_SHIFT);
    q[11] = cdw11;
    return this.exec(this.admin, q, dataLen ? { inLen: dataLen } : {});
  }

  getLogPage(lid: number, len: number, nsid = 0xffffffff, offset = 0, rae = false, lsp = 0): CommandResult {
    const q = newSqe(O.ADMIN_GET_LOG_PAGE, nsid);
    const numd = len / 4 - 1;
    q[10] = lid | (lsp << A.LOG_LSP_SHIFT) | (rae ? 1 << A.LOG_RAE_BIT : 0) | ((numd & 0xffff) << A.LOG_NUMDL_SHIFT);
    q[11] = numd >>> 16;
    q[12] = offset >>> 0;
    q[13] = Math.floor(offset / 2 ** 32);
    return this.exec(this.admin, q, { inLen: len });
  }

  /** Block size and metadata of namespace nsid, from its Identify Namespace data. */
  format(nsid: number): { lbaBytes: number; ms: number; extended: boolean; nsze: bigint } {
    const id = this.idNs.get(nsid);
    if (!id) throw new DriverError(`namespace ${nsid} is not active on this controller`, this.state);
    const dv = new DataView(id.buffer, id.byteOffset, id.byteLength);
    const flbas = id[I.IDN_FLBAS];
    const idx = (flbas & 0xf) | ((flbas >> 5) & 3) << 4;
    const lbaf = I.IDN_LBAF0 + idx * 4;
    return {
      lbaBytes: 1 << id[lbaf + 2],
      ms: dv.getUint16(lbaf, true),
      extended: (flbas & I.FLBAS_EXTENDED) !== 0,
      nsze: dv.getBigUint64(I.IDN_NSZE, true),
    };
  }
}

export { PAGE_SIZE };
