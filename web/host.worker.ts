// The playground's host side in a browser: a module Web Worker exposed through comlink that
// loads build/core.wasm, creates the controller on a shared memory, runs it threaded (its own
// worker) or stepped (inside this worker), brings up the NVMe driver and runs the commands
// the page asks for. It returns raw bytes and completion fields; the page decodes them.
// The console's command lines run here too (web/console/shell.ts), on the same controller.
// Calls run one at a time, in the order they came, so a console command and a button click
// never use the controller at once.

import * as Comlink from "comlink";
import wasmUrl from "../build/core.wasm?url";
import * as L from "../assembly/layout";
import * as O from "../assembly/spec/opcodes";
import * as C from "../assembly/spec/copy";
import * as I from "../assembly/spec/identify";
import * as R from "../assembly/spec/regs";
import * as S from "../assembly/spec/sqe";
import { ControllerCore } from "../src/controller/core";
import { defaultConfig } from "../src/controller/config";
import { ControllerPort, StepPort, ThreadPort } from "../src/controller/port";
import { NvmeDriver } from "../src/driver/nvme";
import { newSqe, setU64 } from "../src/driver/sqe";
import type { Completion } from "../src/driver/queue";
import { spawnBrowserController, type BrowserThreadHandle } from "./controller-thread";
import { Sha256 } from "../src/util/sha256";
import type { Device, Platform } from "../src/cli/context";
import { Shell, MemFs, type Chunk } from "./console/shell";
import { initialFiles } from "./console/files";
import type { CompletionSpec } from "./console/complete";
import { LabSession, type LabRun } from "../src/lab/session";
import { seed000Case } from "../src/reproduce/reproduce";

export type RunMode = "threaded" | "stepped";

export interface BootInfo {
  mode: RunMode;
  state: string;
  cap: bigint;
  vs: number;
  cc: number;
  csts: number;
  nsids: number[];
  ioQueues: number;
  memoryBytes: number;
  memoryMaxPages: number;
  bootMs: number;
  workerIsolated: boolean;
}

/** A completion as the page shows it (DW0 and DW1 unsigned). */
export type CommandOutcome = Omit<Completion, "phase">;

export interface IdentifyReport {
  controller: CommandOutcome & { data: Uint8Array };
  namespaces: Array<CommandOutcome & { nsid: number; data: Uint8Array }>;
  ms: number;
}

export interface SourceRange {
  slba: number;
  /** Number of logical blocks (1's based; the descriptor stores nlb - 1). */
  nlb: number;
}

export interface BlockPair {
  range: number;
  srcLba: number;
  dstLba: number;
  /** First bytes of the block as written to the source and as read back from the destination. */
  src: Uint8Array;
  dst: Uint8Array;
  equal: boolean;
}

export interface CopyReport {
  mode: RunMode;
  run: number;
  nsid: number;
  lbaBytes: number;
  ranges: SourceRange[];
  sdlba: number;
  /** The Copy SQE as submitted (16 dwords) and its source range descriptors (format 0h). */
  sqe: Uint32Array;
  descriptors: Uint8Array;
  writes: CommandOutcome[];
  copy: CommandOutcome;
  read: CommandOutcome;
  blocks: BlockPair[];
  match: boolean;
  ms: number;
}

/** What one console command line did. */
export interface ConsoleRun {
  code: number;
  /** How many output batches were sent (the page waits for all of them). */
  batches: number;
  /** Set when the command booted a controller (there was none). */
  booted?: BootInfo;
}

/** The Copy demonstration: three source ranges of namespace 1 gathered to one destination. */
const COPY_NSID = 1;
const COPY_RANGES: SourceRange[] = [
  { slba: 8, nlb: 4 },
  { slba: 40, nlb: 2 },
  { slba: 100, nlb: 3 },
];
const COPY_SDLBA = 1024;
/** How many leading bytes of each block the report carries. */
const HEAD_BYTES = 16;

interface Session {
  mode: RunMode;
  core: ControllerCore;
  port: ControllerPort;
  driver: NvmeDriver;
  thread?: BrowserThreadHandle;
}

let modulePromise: Promise<WebAssembly.Module> | undefined;
let session: Session | undefined;
let copyRuns = 0;

function loadModule(): Promise<WebAssembly.Module> {
  modulePromise ??= WebAssembly.compileStreaming(fetch(wasmUrl)).catch((e) => {
    modulePromise = undefined;
    throw new Error(`could not load the controller (${wasmUrl}): ${e instanceof Error ? e.message : e}`);
  });
  return modulePromise;
}

function outcome(c: Completion): CommandOutcome {
  return { status: c.status, dw0: c.dw0 >>> 0, dw1: c.dw1 >>> 0, sqhd: c.sqhd, sqid: c.sqid, cid: c.cid };
}

function need(): Session {
  if (!session) throw new Error("boot the controller first");
  const why = session.thread?.failure();
  if (why) throw new Error(`the controller thread failed: ${why}; boot again`);
  return session;
}

async function close(): Promise<void> {
  const s = session;
  session = undefined;
  if (s?.port instanceof ThreadPort) await s.port.stop();
}

/** Recognisable block contents: an ASCII tag naming range, LBA and run, then a byte pattern. */
function blockData(range: number, lba: number, run: number, bytes: number): Uint8Array {
  const b = new Uint8Array(bytes);
  const tag = `R${range} LBA ${lba} #${run}`.padEnd(HEAD_BYTES, " ");
  for (let i = 0; i < bytes; i++) b[i] = i < tag.length ? tag.charCodeAt(i) : (lba * 31 + i + run) & 0xff;
  return b;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const ops = {
  /** Power on a new controller (fresh memory and media) and bring the driver up on it. */
  async boot(mode: RunMode): Promise<BootInfo> {
    await close();
    const t0 = performance.now();
    const module = await loadModule();
    const core = await ControllerCore.create(module, defaultConfig());
    core.exports.ctrl_power_on();
    let port: ControllerPort;
    let thread: BrowserThreadHandle | undefined;
    if (mode === "threaded") {
      const spawn: typeof spawnBrowserController = async (m, mem, spin) => {
        const h = (await spawnBrowserController(m, mem, spin)) as BrowserThreadHandle;
        thread = h;
        return h;
      };
      port = await ThreadPort.start(core, spawn);
    } else {
      port = new StepPort(core);
    }
    const driver = new NvmeDriver(port, { timeoutNs: 10e9 });
    try {
      driver.bringUp();
    } catch (e) {
      if (port instanceof ThreadPort) await port.stop().catch(() => {});
      throw e;
    }
    session = { mode, core, port, driver, thread };
    return {
      mode,
      state: driver.state,
      cap: driver.cap,
      vs: driver.version,
      cc: port.read32(R.REG_CC),
      csts: port.read32(R.REG_CSTS),
      nsids: [...driver.nsids],
      ioQueues: driver.io.length,
      memoryBytes: core.memory.buffer.byteLength,
      memoryMaxPages: L.MEMORY_MAX_PAGES,
      bootMs: performance.now() - t0,
      workerIsolated: self.crossOriginIsolated,
    };
  },

  /** Identify Controller (CNS 01h) and Identify Namespace (CNS 00h) of each active namespace. */
  identify(): IdentifyReport {
    const { driver } = need();
    const t0 = performance.now();
    const c = driver.identify(I.CNS_CONTROLLER);
    const namespaces = driver.nsids.map((nsid) => {
      const r = driver.identify(I.CNS_NAMESPACE, nsid);
      return { nsid, ...outcome(r), data: r.data ?? new Uint8Array(0) };
    });
    return { controller: { ...outcome(c), data: c.data ?? new Uint8Array(0) }, namespaces, ms: performance.now() - t0 };
  },

  /**
   * Write each source range, issue one Copy (19h, descriptor format 0h) gathering them to
   * SDLBA, read the destination back and compare it block by block with what was written.
   */
  runCopy(): CopyReport {
    const { driver, mode } = need();
    const t0 = performance.now();
    const run = ++copyRuns;
    const q = driver.ioQueue();
    const { lbaBytes } = driver.format(COPY_NSID);

    const written: Array<{ range: number; lba: number; data: Uint8Array }> = [];
    const writes = COPY_RANGES.map((r, i) => {
      const data = new Uint8Array(r.nlb * lbaBytes);
      for (let k = 0; k < r.nlb; k++) {
        const block = blockData(i, r.slba + k, run, lbaBytes);
        data.set(block, k * lbaBytes);
        written.push({ range: i, lba: r.slba + k, data: block });
      }
      const w = newSqe(O.NVM_WRITE, COPY_NSID);
      setU64(w, S.SQE_CDW10, BigInt(r.slba)); // CDW10-11: SLBA
      w[12] = r.nlb - 1;
      const res = driver.exec(q, w, { out: data });
      if (res.status !== 0) throw new Error(`Write of range ${i} (SLBA ${r.slba}) failed with status 0x${res.status.toString(16)}`);
      return outcome(res);
    });

    const descriptors = new Uint8Array(COPY_RANGES.length * C.COPY_RANGE_F0_SIZE);
    const dv = new DataView(descriptors.buffer);
    COPY_RANGES.forEach((r, i) => {
      const at = i * C.COPY_RANGE_F0_SIZE;
      dv.setBigUint64(at + C.COPY_RANGE_SLBA, BigInt(r.slba), true);
      dv.setUint16(at + C.COPY_RANGE_NLB, r.nlb - 1, true);
    });
    const copy = newSqe(O.NVM_COPY, COPY_NSID);
    setU64(copy, S.SQE_CDW10, BigInt(COPY_SDLBA)); // CDW10-11: SDLBA
    copy[12] = ((COPY_RANGES.length - 1) & C.COPY_NR_MASK) | (C.COPY_FORMAT_0 << C.COPY_DESFMT_SHIFT);
    const copied = driver.exec(q, copy, { out: descriptors });

    const total = written.length;
    const rd = newSqe(O.NVM_READ, COPY_NSID);
    setU64(rd, S.SQE_CDW10, BigInt(COPY_SDLBA));
    rd[12] = total - 1;
    const read = driver.exec(q, rd, { inLen: total * lbaBytes });
    const dest = read.data ?? new Uint8Array(total * lbaBytes);

    const blocks: BlockPair[] = written.map((w, k) => {
      const dst = dest.subarray(k * lbaBytes, (k + 1) * lbaBytes);
      return {
        range: w.range,
        srcLba: w.lba,
        dstLba: COPY_SDLBA + k,
        src: w.data.slice(0, HEAD_BYTES),
        dst: dst.slice(0, HEAD_BYTES),
        equal: read.status === 0 && equalBytes(w.data, dst),
      };
    });
    return {
      mode,
      run,
      nsid: COPY_NSID,
      lbaBytes,
      ranges: COPY_RANGES.map((r) => ({ ...r })),
      sdlba: COPY_SDLBA,
      sqe: copied.sqe,
      descriptors,
      writes,
      copy: outcome(copied),
      read: outcome(read),
      blocks,
      match: copied.status === 0 && blocks.every((b) => b.equal),
      ms: performance.now() - t0,
    };
  },

  /** Stop the controller thread, if any (the page calls this before it goes away). */
  async shutdown(): Promise<void> {
    await close();
  },
};

// ---- the console ----

const platform: Platform = {
  loadModule: () => loadModule(),
  sha256: () => new Sha256(),
  spawn: spawnBrowserController,
  env: {},
};

let bootedByConsole: BootInfo | undefined;

const lab = new LabSession(() => loadModule(), () => new Sha256());

const shell = new Shell(new MemFs(initialFiles()), {
  platform,
  async device(): Promise<Device> {
    if (!session) {
      shell.note("(no controller yet: booting a stepped one, as the Controller section does)\n");
      bootedByConsole = await ops.boot("stepped");
    }
    const { core, port, driver } = need();
    return { core, port, driver, recordFeature() {} };
  },
});

let queue: Promise<unknown> = Promise.resolve();

/** Run calls one at a time, in order, even those that await in between. */
function serial<T>(f: () => T | Promise<T>): Promise<T> {
  const r = queue.then(f);
  queue = r.catch(() => {});
  return r;
}

const api = {
  boot: (mode: RunMode) => serial(() => ops.boot(mode)),
  identify: () => serial(() => ops.identify()),
  runCopy: () => serial(() => ops.runCopy()),
  shutdown: () => serial(() => ops.shutdown()),

  /** Run one console command line; its output goes to sink in numbered batches. */
  consoleRun: (line: string, sink: (chunks: Chunk[], seq: number) => void): Promise<ConsoleRun> => serial(async () => {
    bootedByConsole = undefined;
    try {
      const r = await shell.run(line, sink);
      return { ...r, booted: bootedByConsole };
    } finally {
      // the sink is a comlink proxy with its own channel: close it behind the last batch
      void (sink as unknown as Comlink.Remote<unknown>)[Comlink.releaseProxy]?.();
    }
  }),

  // ---- the lab: setups and experiments in modelled time, on their own controller ----

  /** Run a setup (scenario JSON) to the end; the lab keeps its controller for the Media view. */
  labRun: (setup: unknown) => serial(() => lab.run(setup)),
  /** One case of seed 000's NVMe/TCP table (src/reproduce/reproduce.ts). */
  labTcp: (gbps: number, bs: string, ranges: number, emulate: boolean, runtime: string) =>
    serial(async () => seed000Case(await loadModule(), gbps, bs, ranges, emulate, runtime)),
  labNamespaces: () => serial(() => lab.namespaces()),
  labRead: (nsid: number, slba: number, nlb: number) => serial(() => lab.readBlocks(nsid, slba, nlb)),
  labStored: (nsid: number) => serial(() => lab.stored(nsid)),
  labHash: (nsid: number) => serial(() => lab.mediaHash(nsid)),
  labExport: (nsid: number) => serial(() => {
    const image = lab.exportImage(nsid);
    return Comlink.transfer(image, [image.buffer as ArrayBuffer]);
  }),
  labImport: (nsid: number, image: Uint8Array, name: string) => serial(() => lab.importImage(nsid, image, name)),

  /** What Tab completes: command names and options, files, devices. */
  consoleSpec: (): Promise<CompletionSpec> => serial(() => shell.completionSpec(session?.driver.nsids ?? [])),
};

export type HostApi = typeof api;
export type { LabRun };
Comlink.expose(api);
