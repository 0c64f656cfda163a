// A test host: builds controllers (stepped with a controllable clock, or threaded), SQEs
// field by field, Copy/DSM range lists, raw PRP lists and SGLs in host RAM, and lets a test
// behave as a misbehaving host (raw doorbells, unconsumed completion queues). Status values,
// opcodes and byte offsets here are written from the NVMe specifications as literals, not
// imported from assembly/spec, so that a wrong shared constant makes a test fail.

import { ControllerCore } from "../src/controller/core";
import { ControllerConfig, defaultConfig, defaultNamespace, NamespaceConfig } from "../src/controller/config";
import { StepPort, ThreadPort, ControllerPort } from "../src/controller/port";
import { NvmeDriver, DriverOptions, CommandData, CommandResult } from "../src/driver/nvme";
import { QueuePair, Completion } from "../src/driver/queue";
import { DmaBuffer } from "../src/driver/dma-pool";
import { buildPrps } from "../src/driver/prp";
import { loadCoreModule } from "../src/node/wasm";
import { spawnNodeController } from "../src/node/thread";

// ---- status field values: (SCT << 8) | SC, DNR = bit 14 (Base 2.1 §4.2.3, NVM CS §3.4) ----
export const DNR = 0x4000;
export const MORE = 0x2000;
export const SC = {
  SUCCESS: 0x00,
  INVALID_OPCODE: 0x01,
  INVALID_FIELD: 0x02,
  DATA_TRANSFER_ERROR: 0x04,
  ABORT_REQUESTED: 0x07,
  INVALID_NS_OR_FORMAT: 0x0b,
  COMMAND_SEQUENCE_ERROR: 0x0c,
  SGL_INVALID_SEGMENT: 0x0d,
  SGL_INVALID_COUNT: 0x0e,
  SGL_INVALID_DATA_LEN: 0x0f,
  SGL_INVALID_MD_LEN: 0x10,
  SGL_INVALID_TYPE: 0x11,
  INVALID_PRP_OFFSET: 0x13,
  LBA_OUT_OF_RANGE: 0x80,
  CQ_INVALID: 0x100,
  INVALID_QID: 0x101,
  INVALID_QUEUE_SIZE: 0x102,
  AER_LIMIT_EXCEEDED: 0x105,
  INVALID_INTERRUPT_VECTOR: 0x108,
  INVALID_QUEUE_DELETION: 0x10c,
  FEATURE_NOT_SAVEABLE: 0x10d,
  FEATURE_NOT_CHANGEABLE: 0x10e,
  FEATURE_NOT_NS_SPECIFIC: 0x10f,
  INVALID_FORMAT: 0x10a,
  INVALID_PROTECTION_INFO: 0x181,
  COMMAND_SIZE_LIMIT: 0x183,
  INCOMPATIBLE_NS_OR_FORMAT: 0x185,
  OVERLAPPING_IO_RANGE: 0x187,
  GUARD_CHECK: 0x282,
  APPTAG_CHECK: 0x283,
  REFTAG_CHECK: 0x284,
  COMPARE_FAILURE: 0x285,
} as const;

// ---- opcodes (Base 2.1 Figure 84, NVM CS 1.1 Figure 18) ----
export const OP = {
  DELETE_SQ: 0x00, CREATE_SQ: 0x01, GET_LOG_PAGE: 0x02, DELETE_CQ: 0x04, CREATE_CQ: 0x05, IDENTIFY: 0x06,
  ABORT: 0x08, SET_FEATURES: 0x09, GET_FEATURES: 0x0a, AER: 0x0c, KEEP_ALIVE: 0x18, FORMAT_NVM: 0x80,
  FLUSH: 0x00, WRITE: 0x01, READ: 0x02, WRITE_UNCORRECTABLE: 0x04, COMPARE: 0x05, WRITE_ZEROES: 0x08,
  DSM: 0x09, VERIFY: 0x0c, COPY: 0x19,
} as const;

// ---- register offsets (Base 2.1 §3.1.4) ----
export const REG = {
  CAP: 0x00, VS: 0x08, INTMS: 0x0c, INTMC: 0x10, CC: 0x14, CSTS: 0x1c, NSSR: 0x20, AQA: 0x24, ASQ: 0x28, ACQ: 0x30,
} as const;
export const CC_ENABLE = 0x1 | (6 << 16) | (4 << 20); // EN, IOSQES = 6 (64 B), IOCQES = 4 (16 B)

/** A Submission Queue Entry as 16 dwords. Fields by name; dword n is CDWn. */
export interface SqeFields {
  flags?: number; // byte 1: FUSE 1:0, PSDT 7:6
  cid?: number;
  nsid?: number;
  cdw2?: number; cdw3?: number;
  mptr?: bigint | number;
  prp1?: bigint | number;
  prp2?: bigint | number;
  cdw10?: number; cdw11?: number; cdw12?: number; cdw13?: number; cdw14?: number; cdw15?: number;
}

export function sqe(opc: number, f: SqeFields = {}): Uint32Array {
  const q = new Uint32Array(16);
  q[0] = ((opc & 0xff) | ((f.flags ?? 0) & 0xff) << 8 | ((f.cid ?? 0) & 0xffff) << 16) >>> 0;
  q[1] = (f.nsid ?? 0) >>> 0;
  q[2] = (f.cdw2 ?? 0) >>> 0;
  q[3] = (f.cdw3 ?? 0) >>> 0;
  put64(q, 4, f.mptr ?? 0);
  put64(q, 6, f.prp1 ?? 0);
  put64(q, 8, f.prp2 ?? 0);
  q[10] = (f.cdw10 ?? 0) >>> 0;
  q[11] = (f.cdw11 ?? 0) >>> 0;
  q[12] = (f.cdw12 ?? 0) >>> 0;
  q[13] = (f.cdw13 ?? 0) >>> 0;
  q[14] = (f.cdw14 ?? 0) >>> 0;
  q[15] = (f.cdw15 ?? 0) >>> 0;
  return q;
}

export function put64(q: Uint32Array, dw: number, v: bigint | number): void {
  const b = BigInt(v);
  q[dw] = Number(b & 0xffffffffn);
  q[dw + 1] = Number((b >> 32n) & 0xffffffffn);
}

/** Read/Write/Compare/Write Zeroes/Verify: SLBA in CDW10-11, NLB (0's based) in CDW12 15:0. */
export function rw(opc: number, nsid: number, slba: bigint | number, nlb: number, cdw12Extra = 0, f: SqeFields = {}): Uint32Array {
  const s = BigInt(slba);
  return sqe(opc, { ...f, nsid, cdw10: Number(s & 0xffffffffn), cdw11: Number((s >> 32n) & 0xffffffffn), cdw12: ((nlb - 1) & 0xffff) | cdw12Extra });
}

export interface CopyRange { slba: bigint | number; nlb: number; snsid?: number }

/** Copy Source Range entries, format 0h/2h (32 bytes each, NVM CS Figure 39). nlb is 1's based here. */
export function copyRanges(list: CopyRange[]): Uint8Array {
  const b = new Uint8Array(32 * list.length);
  const dv = new DataView(b.buffer);
  list.forEach((r, i) => {
    dv.setUint32(32 * i + 0, r.snsid ?? 0, true);
    dv.setBigUint64(32 * i + 8, BigInt(r.slba), true);
    dv.setUint16(32 * i + 16, (r.nlb - 1) & 0xffff, true);
  });
  return b;
}

/** Copy SQE: SDLBA in CDW10-11, CDW12 NR 7:0 (0's based), DESFMT 11:8. */
export function copyCmd(nsid: number, sdlba: bigint | number, nr: number, desfmt = 0, extra12 = 0): Uint32Array {
  const s = BigInt(sdlba);
  return sqe(OP.COPY, { nsid, cdw10: Number(s & 0xffffffffn), cdw11: Number((s >> 32n) & 0xffffffffn), cdw12: ((nr - 1) & 0xff) | (desfmt << 8) | extra12 });
}

/** Dataset Management ranges (16 bytes: attributes, NLB 1's based, SLBA; NVM CS Figure 42). */
export function dsmRanges(list: Array<{ slba: bigint | number; nlb: number; cattr?: number }>): Uint8Array {
  const b = new Uint8Array(16 * list.length);
  const dv = new DataView(b.buffer);
  list.forEach((r, i) => {
    dv.setUint32(16 * i, r.cattr ?? 0, true);
    dv.setUint32(16 * i + 4, r.nlb >>> 0, true);
    dv.setBigUint64(16 * i + 8, BigInt(r.slba), true);
  });
  return b;
}

export function dsmCmd(nsid: number, nr: number, attrs = 0x4): Uint32Array {
  return sqe(OP.DSM, { nsid, cdw10: (nr - 1) & 0xff, cdw11: attrs });
}

/** Deterministic bytes for block contents: a tag and the byte index, so every block differs. */
export function pattern(len: number, tag: number): Uint8Array {
  const b = new Uint8Array(len);
  let x = (tag * 2654435761) >>> 0 || 1;
  for (let i = 0; i < len; i++) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    b[i] = x & 0xff;
  }
  return b;
}

export function u16(b: Uint8Array, off: number): number { return b[off] | (b[off + 1] << 8); }
export function u32(b: Uint8Array, off: number): number { return (b[off] | (b[off + 1] << 8) | (b[off + 2] << 16) | (b[off + 3] << 24)) >>> 0; }
export function u64(b: Uint8Array, off: number): bigint { return BigInt(u32(b, off)) | (BigInt(u32(b, off + 4)) << 32n); }
export function ascii(b: Uint8Array, off: number, len: number): string { return String.fromCharCode(...b.slice(off, off + len)); }
export const eq = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

// ---- controllers ----

export interface HostOptions {
  config?: Partial<ControllerConfig>;
  driver?: DriverOptions;
  threaded?: boolean;
  debug?: boolean;
  trace?: number;
  /** Bring the driver up (default true). */
  up?: boolean;
}

/** A controller with a stepped port whose clock the test moves (ns), or a threaded one. */
export class Host {
  /** The stepped port's clock, in ns; tests advance it to drive interrupt coalescing time. */
  nowNs = 1e9;
  core!: ControllerCore;
  port!: ControllerPort;
  driver!: NvmeDriver;
  private next = 0;

  static async create(o: HostOptions = {}): Promise<Host> {
    const h = new Host();
    const config = { ...defaultConfig(), ...o.config };
    const module = await loadCoreModule(o.debug ?? true);
    h.core = await ControllerCore.create(module, config, { traceMask: o.trace ?? 0 });
    h.core.exports.ctrl_power_on();
    h.port = o.threaded ? await ThreadPort.start(h.core, spawnNodeController) : new StepPort(h.core, () => h.nowNs);
    h.driver = new NvmeDriver(h.port, o.driver);
    if (o.up ?? true) h.driver.bringUp();
    return h;
  }

  async close(): Promise<void> {
    if (this.port instanceof ThreadPort) await this.port.stop();
  }

  get ram(): Uint8Array { return this.core.hostRam; }
  get ramSize(): number { return this.core.layout.hostRamSize; }
  get admin(): QueuePair { return this.driver.admin; }
  io(i = 0): QueuePair { return this.driver.ioQueue(i); }

  /** Run a controller step now (stepped) and return commands executed. */
  step(): number { return this.port instanceof StepPort ? this.port.step() : 0; }

  exec(q: QueuePair, s: Uint32Array, data: CommandData = {}): CommandResult { return this.driver.exec(q, s, data); }
  adminCmd(s: Uint32Array, data: CommandData = {}): CommandResult { return this.driver.exec(this.driver.admin, s, data); }
  ioCmd(s: Uint32Array, data: CommandData = {}, qi = 0): CommandResult { return this.driver.exec(this.driver.ioQueue(qi), s, data); }

  /** Host memory the test owns (page aligned, zeroed); freed with the controller. */
  alloc(bytes: number, align = 4096): number {
    const b = this.driver.pool.alloc(bytes, align);
    this.ram.fill(0, b.bus, b.bus + b.bytes);
    return b.bus;
  }
  write(bus: number, data: Uint8Array): void { this.ram.set(data, bus); }
  read(bus: number, len: number): Uint8Array { return this.ram.slice(bus, bus + len); }
  put64(bus: number, v: bigint | number): void { this.core.hostRamView.setBigUint64(bus, BigInt(v), true); }
  put32(bus: number, v: number): void { this.core.hostRamView.setUint32(bus, v >>> 0, true); }

  /** One SGL descriptor (16 bytes) at bus: address, length, type << 4 | subtype. */
  sglDesc(bus: number, addr: bigint | number, len: number, type: number, subtype = 0): void {
    this.put64(bus, addr);
    this.put32(bus + 8, len);
    this.ram.fill(0, bus + 12, bus + 15);
    this.ram[bus + 15] = (type << 4) | subtype;
  }

  reg32(off: number): number { return this.port.read32(off); }
  reg64(off: number): bigint { return this.port.read64(off); }
  w32(off: number, v: number): void { this.port.write32(off, v); this.port.kick(); }
  w64(off: number, v: bigint): void { this.port.write64(off, v); this.port.kick(); }
  sqDoorbell(qid: number): number { return 0x1000 + 8 * qid; }
  cqDoorbell(qid: number): number { return 0x1000 + 8 * qid + 4; }

  /** The count of interrupt vector iv (bumped by the controller for each interrupt). */
  vector(iv: number): number { return Atomics.load(this.core.vectors, iv * 4); }

  identify(cns: number, nsid = 0, cdw11 = 0): CommandResult {
    return this.adminCmd(sqe(OP.IDENTIFY, { nsid, cdw10: cns, cdw11 }), { inLen: 4096 });
  }
  getLog(lid: number, len: number, o: { nsid?: number; offset?: number; rae?: boolean } = {}): CommandResult {
    const numd = len / 4 - 1;
    return this.adminCmd(sqe(OP.GET_LOG_PAGE, {
      nsid: o.nsid ?? 0xffffffff, cdw10: lid | (o.rae ? 1 << 15 : 0) | ((numd & 0xffff) << 16), cdw11: numd >>> 16,
      cdw12: (o.offset ?? 0) >>> 0, cdw13: Math.floor((o.offset ?? 0) / 2 ** 32),
    }), { inLen: len });
  }
  getFeature(fid: number, o: { sel?: number; cdw11?: number; nsid?: number; inLen?: number } = {}): CommandResult {
    return this.adminCmd(sqe(OP.GET_FEATURES, { nsid: o.nsid ?? 0, cdw10: fid | ((o.sel ?? 0) << 8), cdw11: o.cdw11 ?? 0 }), o.inLen ? { inLen: o.inLen } : {});
  }
  setFeature(fid: number, cdw11: number, o: { sv?: boolean; nsid?: number; out?: Uint8Array } = {}): CommandResult {
    return this.adminCmd(sqe(OP.SET_FEATURES, { nsid: o.nsid ?? 0, cdw10: (fid | (o.sv ? 1 << 31 : 0)) >>> 0, cdw11 }), o.out ? { out: o.out } : {});
  }
  /** Host Behavior Support with Copy Descriptor Formats Enable (bytes 5:4). */
  enableCdfe(bits = 0x0c): CommandResult {
    const b = new Uint8Array(512);
    b[4] = bits & 0xff; b[5] = bits >> 8;
    return this.setFeature(0x16, 0, { out: b });
  }
  write512(nsid: number, slba: number, nlb: number, data: Uint8Array, qi = 0): CommandResult {
    return this.ioCmd(rw(OP.WRITE, nsid, slba, nlb), { out: data }, qi);
  }
  readBlocks(nsid: number, slba: number | bigint, nlb: number, bytes: number, qi = 0): CommandResult {
    return this.ioCmd(rw(OP.READ, nsid, slba, nlb), { inLen: bytes }, qi);
  }
  nuse(nsid: number): bigint {
    return u64(this.identify(0x00, nsid).data!, 16);
  }

  /**
   * Submit SQEs to q without waiting, ring once. Returns the tags (QueuePair bookkeeping).
   * Use collect() to reap them.
   */
  submit(q: QueuePair, list: Uint32Array[]): number[] {
    const tags = list.map((s) => q.submit(s));
    q.ring(this.port);
    this.port.kick();
    return tags;
  }

  uniqueTag(): number { return this.next++; }

  /**
   * Submit several commands at once, each on its queue, with its data buffers (PRPs) and
   * separate metadata; ring each queue's doorbell once; wait for all completions (stepped:
   * step until done; threaded: poll) and return them in submission order with data read back.
   */
  batch(items: BatchItem[], timeoutMs = 10000): BatchResult[] {
    const bufs: DmaBuffer[] = [];
    const host = this.ram;
    const view = this.core.hostRamView;
    const setup = items.map((it) => {
      const s = it.sqe;
      const len = Math.max(it.out?.length ?? 0, it.inLen ?? 0);
      let data: DmaBuffer | undefined, md: DmaBuffer | undefined;
      if (len > 0) {
        data = this.driver.pool.alloc(len);
        bufs.push(data);
        host.fill(0, data.bus, data.bus + data.bytes);
        if (it.out) host.set(it.out, data.bus);
        bufs.push(...buildPrps(s, data.bus, len, this.driver.pool, view));
      }
      const mdLen = Math.max(it.mdOut?.length ?? 0, it.mdInLen ?? 0);
      if (mdLen > 0) {
        md = this.driver.pool.alloc(mdLen);
        bufs.push(md);
        host.fill(0, md.bus, md.bus + md.bytes);
        if (it.mdOut) host.set(it.mdOut, md.bus);
        put64(s, 4, md.bus);
      }
      const tag = it.q.submit(s);
      if (tag < 0) throw new Error(`queue ${it.q.qid} is full`);
      return { tag, seq: it.q.doneSeq[tag], data, md };
    });
    try {
      const queues = [...new Set(items.map((it) => it.q))];
      for (const q of queues) q.ring(this.port);
      this.port.kick();
      const done = () => setup.every((x, i) => items[i].q.doneSeq[x.tag] !== x.seq);
      const deadline = performance.now() + timeoutMs;
      for (let round = 0; ; round++) {
        for (const q of queues) q.reap(this.port);
        if (done()) break;
        if (performance.now() > deadline) throw new Error(`batch of ${items.length} commands did not complete`);
        if (this.port instanceof StepPort) {
          if (round > 64) throw new Error(`batch of ${items.length} commands did not complete (stepped)`);
          this.port.step();
        }
      }
      return setup.map((x, i) => {
        const it = items[i];
        const c = it.q.completion(x.tag);
        return {
          ...c,
          data: x.data && it.inLen ? host.slice(x.data.bus, x.data.bus + it.inLen) : undefined,
          md: x.md && it.mdInLen ? host.slice(x.md.bus, x.md.bus + it.mdInLen) : undefined,
        };
      });
    } finally {
      for (const b of bufs) this.driver.pool.release(b);
    }
  }
}

export interface BatchItem {
  q: QueuePair;
  sqe: Uint32Array;
  out?: Uint8Array;
  inLen?: number;
  mdOut?: Uint8Array;
  mdInLen?: number;
}

export interface BatchResult extends Completion {
  data?: Uint8Array;
  md?: Uint8Array;
}

/** Namespace configuration for tests: size, LBA format (data bytes, metadata bytes), limits. */
export function ns(nsid: number, blocks: number, o: Partial<NamespaceConfig> & { lbaBytes?: number; ms?: number } = {}): NamespaceConfig {
  const n = defaultNamespace(nsid, blocks);
  const lbads = Math.log2(o.lbaBytes ?? 512);
  const ms = o.ms ?? 0;
  const idx = n.formats.findIndex((f) => f.lbads === lbads && f.ms === ms);
  if (idx < 0) throw new Error(`no default format ${o.lbaBytes}+${ms}`);
  const { lbaBytes: _l, ms: _m, ...rest } = o;
  return { ...n, formatIndex: idx, ...rest };
}

/**
 * A raw completion-queue reader: reads CQEs at the slot the test names, without ringing
 * the head doorbell (to play a host that does not consume).
 */
export function cqeAt(h: Host, cqBus: number, slot: number): { dw0: number; dw1: number; sqhd: number; sqid: number; cid: number; phase: number; status: number } {
  const b = h.read(cqBus + 16 * slot, 16);
  const dw3 = u32(b, 12);
  return { dw0: u32(b, 0), dw1: u32(b, 4), sqhd: u16(b, 8), sqid: u16(b, 10), cid: dw3 & 0xffff, phase: (dw3 >>> 16) & 1, status: dw3 >>> 17 };
}
