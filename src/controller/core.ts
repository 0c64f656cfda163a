// The controller's wasm instance on its shared memory, seen from the host: the memory map
// (layout), the configuration block, and typed views of the regions the host touches (BAR0,
// host RAM, mailbox, control words, vectors). No DOM and no Node APIs here: the module comes
// compiled from src/node/ or web/.

import * as L from "../../assembly/layout";
import { ControllerConfig, validateConfig, lbaSize, dsmLimits } from "./config";

export interface CoreExports {
  ctrl_init(): number;
  ctrl_attach(): void;
  ctrl_state_addr(): number;
  ctrl_power_on(): void;
  ctrl_persist_addr(): number;
  ctrl_persist_size(): number;
  ctrl_step(now_ns: number): number;
  /** ctrl_step that first applies count (0-2) 32-bit MMIO writes given here (StepPort's doorbells). */
  ctrl_step_writes(now_ns: number, count: number, off0: number, val0: number, off1: number, val1: number): number;
  /** One stretch of the controller thread's loop: 1 = call again, 0 = stopped. */
  ctrl_thread_run(spin: number): number;
  media_chunk_shift(slot: number): number;
  media_nuse(slot: number): number;
  media_chunks_in_use(slot: number): number;
  media_next_stored(slot: number, from: number): number;
  media_chunk_ptr(slot: number, chunk: number): number;
  media_import(slot: number, slba: number, nlb: number, src: number, md: number): number;
  media_deallocate(slot: number, slba: number, nlb: number): void;
}

export interface MemoryLayout {
  bar0Base: number;
  bar0Size: number;
  hostRamBase: number;
  hostRamSize: number;
  eventsBase: number;
  eventsCount: number;
  scratchBase: number;
  scratchSize: number;
  ctrlBase: number;
  initialPages: number;
}

export const EVENTS_COUNT = 1 << 16;
export const SCRATCH_SIZE = 4 << 20;
/** Room for the controller's tables before it grows memory itself (segment lists dominate). */
const CTRL_INITIAL_BYTES = 4 << 20;

const align = (n: number, a: number) => Math.ceil(n / a) * a;

export function computeLayout(cfg: ControllerConfig): MemoryLayout {
  const doorbells = 2 * (cfg.maxIoQueuePairs + 1) * (4 << cfg.dstrd);
  const bar0Size = align(0x1000 + doorbells, 4096);
  const bar0Base = L.DYNAMIC_BASE;
  const hostRamBase = align(bar0Base + bar0Size, L.REGION_ALIGN);
  const eventsBase = align(hostRamBase + cfg.hostRamBytes, L.REGION_ALIGN);
  const scratchBase = align(eventsBase + EVENTS_COUNT * L.EVENT_SIZE, L.REGION_ALIGN);
  const ctrlBase = align(scratchBase + SCRATCH_SIZE, L.REGION_ALIGN);
  const initialPages = Math.ceil((ctrlBase + CTRL_INITIAL_BYTES) / L.WASM_PAGE_SIZE);
  return { bar0Base, bar0Size, hostRamBase, hostRamSize: cfg.hostRamBytes, eventsBase, eventsCount: EVENTS_COUNT, scratchBase, scratchSize: SCRATCH_SIZE, ctrlBase, initialPages };
}

const INIT_ERRORS: Record<number, string> = {
  1: "the shared-memory header is not this version's",
  2: "the controller configuration was refused",
  3: "there is not enough memory for the controller's tables",
  4: "the wasm static data overlaps the shared regions",
};

export interface CoreOptions {
  /** Event classes to record (layout.ts EVC_*); 0 = none. */
  traceMask?: number;
  /** Clock for the controller thread (ns). */
  nowNs?: () => number;
}

export function wallClockNs(): number {
  return performance.now() * 1e6;
}

export class ControllerCore {
  readonly u32: Uint32Array; // whole memory as at creation (fixed pages + host regions)
  readonly hostRam: Uint8Array;
  readonly hostRamView: DataView;
  readonly hostRamU32: Uint32Array;
  readonly bar: DataView;
  readonly barI32: Int32Array;
  readonly mailbox: Int32Array;
  readonly control: Int32Array;
  readonly vectors: Int32Array;
  readonly scratch: Uint8Array;

  private constructor(
    readonly module: WebAssembly.Module,
    readonly memory: WebAssembly.Memory,
    readonly exports: CoreExports,
    readonly config: ControllerConfig,
    readonly layout: MemoryLayout,
  ) {
    const buf = memory.buffer;
    this.u32 = new Uint32Array(buf, 0, L.FIXED_END / 4);
    this.hostRam = new Uint8Array(buf, layout.hostRamBase, layout.hostRamSize);
    this.hostRamView = new DataView(buf, layout.hostRamBase, layout.hostRamSize);
    this.hostRamU32 = new Uint32Array(buf, layout.hostRamBase, layout.hostRamSize / 4);
    this.bar = new DataView(buf, layout.bar0Base, layout.bar0Size);
    this.barI32 = new Int32Array(buf, layout.bar0Base, layout.bar0Size / 4);
    this.mailbox = new Int32Array(buf, L.MAILBOX_BASE, (L.CONTROL_BASE - L.MAILBOX_BASE) / 4);
    this.control = new Int32Array(buf, L.CONTROL_BASE, 1024);
    this.vectors = new Int32Array(buf, L.VECTORS_BASE, (L.MAX_VECTORS * L.VECTOR_SLOT_SIZE) / 4);
    this.scratch = new Uint8Array(buf, layout.scratchBase, layout.scratchSize);
  }

  /** Power on a new controller: fresh memory, header, configuration, init. */
  static async create(module: WebAssembly.Module, given: ControllerConfig, opts: CoreOptions = {}): Promise<ControllerCore> {
    validateConfig(given);
    // The core's own copy of the namespaces: a Format NVM changes them (syncFormats), and the
    // caller's configuration (a setup run again, a test's table) must not change with them.
    const config: ControllerConfig = { ...given, namespaces: given.namespaces.map((n) => ({ ...n, formats: n.formats.map((f) => ({ ...f })) })) };
    const layout = computeLayout(config);
    const memory = new WebAssembly.Memory({ initial: layout.initialPages, maximum: L.MEMORY_MAX_PAGES, shared: true });
    writeHeader(new DataView(memory.buffer), layout);
    writeConfigBlock(new DataView(memory.buffer, L.CONFIG_BASE, L.FIXED_END - L.CONFIG_BASE), config);
    const exports = await instantiate(module, memory, opts.nowNs ?? wallClockNs);
    const core = new ControllerCore(module, memory, exports, config, layout);
    core.control[L.CTL_TRACE_MASK / 4] = opts.traceMask ?? 0;
    const rc = exports.ctrl_init();
    if (rc !== 0) {
      const why = rc >= 0x100 ? `namespace ${config.namespaces[rc - 0x100]?.nsid ?? rc - 0x100} was refused` : INIT_ERRORS[rc] ?? `error ${rc}`;
      throw new Error(`controller init failed: ${why}`);
    }
    return core;
  }

  /** The whole memory as it is now (it grows with media). */
  bytes(): Uint8Array {
    return new Uint8Array(this.memory.buffer);
  }

  /**
   * The LBA format, MSET and protection information each namespace has now. Format NVM changes
   * them in the namespace's configuration slot (assembly/ctrl/format.ts), so the slots, not
   * this.config, are current after one.
   */
  formatsInUse(): Array<{ nsid: number; formatIndex: number; extended: boolean; pi: number; pil: number }> {
    const dv = new DataView(this.memory.buffer, L.CONFIG_BASE, L.FIXED_END - L.CONFIG_BASE);
    const out = [];
    for (let i = 0; i < L.MAX_NAMESPACES; i++) {
      const base = L.CFG_NS_BASE + i * L.CFG_NS_SIZE;
      const nsid = dv.getUint32(base + L.CFGNS_NSID, true);
      if (nsid === 0) continue;
      const flbas = dv.getUint32(base + L.CFGNS_FLBAS, true);
      out.push({ nsid, formatIndex: flbas & 0xf, extended: (flbas & 0x10) !== 0, pi: dv.getUint32(base + L.CFGNS_PI, true), pil: dv.getUint32(base + L.CFGNS_PIL, true) });
    }
    return out;
  }

  /** Bring this.config's namespaces up to date with formatsInUse() (before saving the device). */
  syncFormats(): void {
    for (const f of this.formatsInUse()) {
      const ns = this.config.namespaces.find((n) => n.nsid === f.nsid);
      if (ns) Object.assign(ns, { formatIndex: f.formatIndex, extended: f.extended, pi: f.pi, pil: f.pil });
    }
  }

  setTraceMask(mask: number): void {
    Atomics.store(this.control, L.CTL_TRACE_MASK / 4, mask);
  }

  /** Slot index (0-15) of a configured namespace, in configuration order. */
  slotOf(nsid: number): number {
    const i = this.config.namespaces.findIndex((n) => n.nsid === nsid);
    if (i < 0) throw new Error(`no namespace ${nsid}`);
    return i;
  }

  /** Bytes of the controller's persistent block (SMART counters, then the error log: layout.ts PERSIST_*). */
  persistentBlock(): Uint8Array {
    return this.bytes().slice(this.exports.ctrl_persist_addr(), this.exports.ctrl_persist_addr() + this.exports.ctrl_persist_size());
  }

  /**
   * Put a saved persistent block back before ctrl_power_on: a whole one, or a counters-only
   * block of PERSIST_COUNTERS_SIZE bytes (saved before the error log was kept), which leaves
   * the error log empty.
   */
  restorePersistentBlock(b: Uint8Array): void {
    const size = this.exports.ctrl_persist_size();
    if (size !== L.PERSIST_SIZE) throw new Error(`persistent block: the controller's is ${size} bytes, layout.ts says ${L.PERSIST_SIZE} (rebuild the wasm)`);
    if (b.length !== size && b.length !== L.PERSIST_COUNTERS_SIZE) {
      throw new Error(`persistent block: expected ${size} bytes (or ${L.PERSIST_COUNTERS_SIZE}, counters only), got ${b.length}`);
    }
    const at = this.exports.ctrl_persist_addr();
    this.bytes().fill(0, at, at + size);
    this.bytes().set(b, at);
  }

  nuse(nsid: number): number {
    return this.exports.media_nuse(this.slotOf(nsid));
  }

  lbaBytes(nsid: number): number {
    this.syncFormats();
    return lbaSize(this.config.namespaces[this.slotOf(nsid)]);
  }
}

export async function instantiate(module: WebAssembly.Module, memory: WebAssembly.Memory, nowNs: () => number): Promise<CoreExports> {
  const abort = (msg: number, file: number, line: number, col: number) => {
    throw new Error(`controller assertion failed at ${line}:${col} (debug build)`);
  };
  const instance = await WebAssembly.instantiate(module, { env: { memory, now_ns: nowNs, abort } });
  return instance.exports as unknown as CoreExports;
}

function writeHeader(dv: DataView, l: MemoryLayout): void {
  const h = (off: number, v: number) => dv.setUint32(L.HEADER_BASE + off, v, true);
  h(L.HDR_MAGIC, L.LAYOUT_MAGIC);
  h(L.HDR_VERSION, L.LAYOUT_VERSION);
  h(L.HDR_BAR0_BASE, l.bar0Base);
  h(L.HDR_BAR0_SIZE, l.bar0Size);
  h(L.HDR_HOST_RAM_BASE, l.hostRamBase);
  h(L.HDR_HOST_RAM_SIZE, l.hostRamSize);
  h(L.HDR_EVENTS_BASE, l.eventsBase);
  h(L.HDR_EVENTS_COUNT, l.eventsCount);
  h(L.HDR_SCRATCH_BASE, l.scratchBase);
  h(L.HDR_SCRATCH_SIZE, l.scratchSize);
  h(L.HDR_CTRL_BASE, l.ctrlBase);
  h(L.HDR_CTRL_STATE, 0);
  h(L.HDR_INITIAL_PAGES, l.initialPages);
}

function ascii(dv: DataView, off: number, s: string, len: number): void {
  for (let i = 0; i < len; i++) dv.setUint8(off + i, i < s.length ? s.charCodeAt(i) : 0);
}

function hexBytes(dv: DataView, off: number, hex: string, len: number): void {
  const h = hex.replace(/-/g, "");
  for (let i = 0; i < len; i++) dv.setUint8(off + i, h.length ? parseInt(h.slice(2 * i, 2 * i + 2), 16) : 0);
}

export function writeConfigBlock(dv: DataView, c: ControllerConfig): void {
  const u = (off: number, v: number) => dv.setUint32(off, v >>> 0, true);
  u(L.CFG_NN, c.nn);
  u(L.CFG_MAX_IOQPAIRS, c.maxIoQueuePairs);
  u(L.CFG_MQES, c.mqes);
  u(L.CFG_MDTS, c.mdts);
  u(L.CFG_ONCS, c.oncs);
  u(L.CFG_OCFS, c.ocfs);
  u(L.CFG_VWC, c.vwc);
  u(L.CFG_SGLS, c.sgls);
  u(L.CFG_MAX_VECTORS, c.maxVectors);
  u(L.CFG_AERL, c.aerl);
  u(L.CFG_VID, c.vid);
  u(L.CFG_SSVID, c.ssvid);
  u(L.CFG_MPSMAX, c.mpsmax);
  u(L.CFG_DSTRD, c.dstrd);
  u(L.CFG_CNTLID, c.cntlid);
  u(L.CFG_VER, c.version);
  u(L.CFG_MAX_INFLIGHT, 0);
  u(L.CFG_VSL, c.vsl);
  u(L.CFG_WZSL, c.wzsl);
  const dsm = dsmLimits(c);
  u(L.CFG_DMRL, dsm.dmrl);
  u(L.CFG_DMRSL, dsm.dmrsl);
  dv.setBigUint64(L.CFG_DMSL, dsm.dmsl, true);
  ascii(dv, L.CFG_SN, c.serial, 20);
  ascii(dv, L.CFG_MN, c.model, 40);
  ascii(dv, L.CFG_FR, c.firmware, 8);
  ascii(dv, L.CFG_SUBNQN, c.subnqn, 256);
  for (let i = 0; i < L.MAX_NAMESPACES; i++) {
    const base = L.CFG_NS_BASE + i * L.CFG_NS_SIZE;
    for (let k = 0; k < L.CFG_NS_SIZE; k++) dv.setUint8(base + k, 0);
    const ns = c.namespaces[i];
    if (!ns) continue;
    u(base + L.CFGNS_NSID, ns.nsid);
    dv.setBigUint64(base + L.CFGNS_NSZE, BigInt(ns.blocks), true);
    u(base + L.CFGNS_NLBAF, ns.formats.length);
    u(base + L.CFGNS_FLBAS, ns.formatIndex | (ns.extended ? 0x10 : 0));
    u(base + L.CFGNS_MSSRL, ns.mssrl);
    u(base + L.CFGNS_MCL, ns.mcl);
    u(base + L.CFGNS_MSRC, ns.msrc);
    u(base + L.CFGNS_NMIC, ns.nmic);
    u(base + L.CFGNS_PIF, ns.pif);
    u(base + L.CFGNS_PI, ns.pi);
    u(base + L.CFGNS_PIL, ns.pil);
    ns.formats.forEach((f, j) => {
      dv.setUint16(base + L.CFGNS_LBAF + 4 * j, f.ms, true);
      dv.setUint8(base + L.CFGNS_LBAF + 4 * j + 2, f.lbads);
      dv.setUint8(base + L.CFGNS_LBAF + 4 * j + 3, f.rp);
    });
    hexBytes(dv, base + L.CFGNS_EUI64, ns.eui64, 8);
    hexBytes(dv, base + L.CFGNS_NGUID, ns.nguid, 16);
    hexBytes(dv, base + L.CFGNS_UUID, ns.uuid, 16);
  }
}
