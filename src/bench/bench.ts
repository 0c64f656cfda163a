// `npm run bench`: how fast the emulator itself is on this machine, each figure beside a
// baseline taken in the same run: stepped commands per second (Flush, 4 KiB Read), the
// threaded round trip per command beside a bare shared-memory spin ping-pong, Copy
// throughput for large ranges beside wasm memory.copy, and the fio simulation's speed through
// the full stack beside its floor (floor.ts). Timings live here, never in tests.
//
// Notes on the round trip. A ping-pong moves one cache line each way. A command moves three:
// the mailbox entry with the SQ doorbell and the SQE (host -> controller) and the CQE
// (controller -> host); on top come the host's submit and reap and the controller's fetch,
// decode and post. bench_nvme_echo makes the same transfers with none of that logic, so the
// report shows how much of the round trip is the protocol and how much the code; with
// ECHO_NO_SQE it leaves out the SQE, which shows what that line costs. The controller touches
// the next SQE's line while it spins so that it re-fetches it as soon as the host has written
// it, but the host's SQE store still has to take the line back before its doorbell store can
// be seen (stores commit in order), so the SQE adds part of a transfer. Hot control words sit
// on lines of their own, and the driver writes the CQ head doorbell once per quarter of the CQ.

import { ControllerCore, instantiate } from "../controller/core";
import { defaultConfig, defaultNamespace, DEFAULT_FORMATS, ControllerConfig } from "../controller/config";
import { StepPort, ThreadPort, SpawnController } from "../controller/port";
import { NvmeDriver } from "../driver/nvme";
import { newSqe, setU64 } from "../driver/sqe";
import * as O from "../../assembly/spec/opcodes";
import * as S from "../../assembly/spec/sqe";
import { copyDescriptors } from "../cli/commands/io";
import * as L from "../../assembly/layout";
import { buildScenarioHost, parseScenario } from "../block/scenario";
import { parseJobFile } from "../fio/job";
import { runFio } from "../fio/run";
import { FIO_SETUPS } from "../fio/setups";
import { runFloor } from "./floor";
import { REG_DOORBELL_BASE } from "../../assembly/spec/regs";

export interface BenchResult {
  flush_cmds_per_s: number;
  read4k_cmds_per_s: number;
  threaded_rtt_ns: number;
  pingpong_rtt_ns: number;
  /** Median over rounds of (round trip / ping-pong) measured back to back. */
  rtt_over_pingpong: number;
  /** bench_nvme_echo's round trip: a command's memory traffic without driver or controller logic. */
  echo_rtt_ns: number;
  echo_over_pingpong: number;
  /** The same echo with no SQE written or read: the doorbell's and the CQE's traffic alone. */
  echo_no_sqe_rtt_ns: number;
  echo_no_sqe_over_pingpong: number;
  copy_gbps: number;
  memcpy_gbps: number;
  copy_bytes: number;
  /** Modelled-time simulation speed: NVMe commands of a 4 KiB randread fio job at QD 32 through the full stack, per wall-clock second. */
  fio_sim_cmds_per_s: number;
  /** The same job's floor (floor.ts): a lean loop over the real controller, driver queue and device model. */
  fio_floor_cmds_per_s: number;
  machine: string;
}

/**
 * The second thread of the round-trip measurement: one worker that either runs the
 * controller loop (until CTL_STOP) or echoes ping-pong rounds with bench_echo, so the
 * command round trip and the bare ping-pong use the very same pair of threads.
 */
export interface DualThread {
  /** Run the controller loop; resolves once it is running. */
  controller(): Promise<void>;
  /** Stop the controller loop (CTL_STOP) and wait for it to return. */
  pause(): Promise<void>;
  /** Start echoing rounds on `word`; resolves when all are answered. */
  echo(rounds: number): Promise<void>;
  /** Start answering rounds commands with bench_nvme_echo (flags: ECHO_NO_SQE or 0); resolves when all are answered. */
  nvmeEcho(area: EchoArea, rounds: number, flags: number): Promise<void>;
  close(): Promise<void>;
}
/** Wasm addresses of bench_nvme_echo's mailbox-shaped area, SQ and CQ, and the queue depth. */
export interface EchoArea { mbox: number; sq: number; cq: number; depth: number }

export type SpawnDual = (module: WebAssembly.Module, memory: WebAssembly.Memory, word: number, go: number, spin: number) => Promise<DualThread>;

export interface BenchEnv {
  module: WebAssembly.Module;
  spawn: SpawnController;
  spawnDual: SpawnDual;
  now: () => number; // ns
  log: (line: string) => void;
  machine: string;
}

const BS_4K = 12; // lbads of the 4 KiB format
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

function benchConfig(): ControllerConfig {
  const c = defaultConfig();
  const fmt4k = DEFAULT_FORMATS.findIndex((f) => f.lbads === BS_4K && f.ms === 0);
  c.namespaces = [
    defaultNamespace(1, 16384),
    { ...defaultNamespace(2, 16384), formatIndex: fmt4k },
    { ...defaultNamespace(3, 524288), formatIndex: fmt4k, mssrl: 65535, mcl: 262144, msrc: 255 },
  ];
  c.hostRamBytes = 256 << 20;
  return c;
}

async function stepped(env: BenchEnv): Promise<{ core: ControllerCore; port: StepPort; driver: NvmeDriver }> {
  const core = await ControllerCore.create(env.module, benchConfig());
  core.exports.ctrl_power_on();
  const port = new StepPort(core, env.now);
  const driver = new NvmeDriver(port, { ioQueues: 1, ioDepth: 4096, pollQueues: 1 });
  driver.bringUp();
  return { core, port, driver };
}

/** Commands per second through the driver's queue pair: batches of `batch`, one doorbell each. */
function commandRate(env: BenchEnv, port: StepPort, driver: NvmeDriver, make: (slot: number) => Uint32Array, seconds: number, batch = 512): number {
  const q = driver.ioQueue(0);
  const run = (ns: number) => {
    let done = 0;
    const t0 = env.now();
    while (env.now() - t0 < ns) {
      for (let i = 0; i < batch; i++) if (q.submit(make(q.sqTail)) < 0) throw new Error("queue full");
      q.ring(port);
      port.kick();
      done += q.reap(port);
    }
    return (done * 1e9) / (env.now() - t0);
  };
  run(0.2e9); // warm up the JIT and the controller's paths
  const rates = [0, 1, 2].map(() => run((seconds * 1e9) / 3));
  return median(rates);
}

async function flushRate(env: BenchEnv, seconds: number): Promise<number> {
  const { port, driver } = await stepped(env);
  const sqe = newSqe(O.NVM_FLUSH, 1);
  return commandRate(env, port, driver, () => sqe, seconds);
}

async function read4kRate(env: BenchEnv, seconds: number): Promise<number> {
  const { port, driver, core } = await stepped(env);
  const blocks = 16384;
  // Fill namespace 2 (4 KiB blocks) so every read moves stored data.
  const chunk = new Uint8Array(128 * 4096).map((_, i) => i & 0xff);
  for (let lba = 0; lba < blocks; lba += 128) {
    const w = newSqe(O.NVM_WRITE, 2);
    setU64(w, S.SQE_CDW10, BigInt(lba));
    w[12] = 127;
    if (driver.exec(driver.ioQueue(0), w, { out: chunk }).status !== 0) throw new Error("bench: fill write failed");
  }
  const q = driver.ioQueue(0);
  const bufs = driver.pool.alloc(q.depth * 4096);
  const sqes = Array.from({ length: q.depth }, (_, slot) => {
    const r = newSqe(O.NVM_READ, 2);
    setU64(r, S.SQE_PRP1, BigInt(bufs.bus + slot * 4096));
    return r;
  });
  let lba = 0;
  const rate = commandRate(env, port, driver, (slot) => {
    const r = sqes[slot];
    r[10] = lba;
    lba = (lba + 1) & (blocks - 1);
    return r;
  }, seconds);
  void core;
  return rate;
}

interface RoundTrips { rtt: number; floor: number; pingpong: number; ratio: number; floorRatio: number; noSqe: number; noSqeRatio: number }

/**
 * The host side of bench_nvme_echo: a command's memory traffic (SQE, doorbell through a
 * mailbox-shaped area, CQE, a CQ head doorbell per quarter of the queue) with no driver logic;
 * withSqe false writes no SQE (for bench_nvme_echo's ECHO_NO_SQE). It zeroes the area's
 * header once; the host's and the echo's places then persist across rounds.
 */
function echoHost(i32: Int32Array, area: EchoArea, withSqe: boolean): () => void {
  i32.fill(0, area.mbox >> 2, (area.mbox + L.MBOX_ENTRIES_OFFSET) >> 2);
  i32[(area.mbox >> 2) + 3] = 1; // the echo's phase word
  const sqDoorbell = REG_DOORBELL_BASE + 8; // SQ 1 tail, CQ 1 head at stride 4
  const cqDoorbell = REG_DOORBELL_BASE + 12;
  let produced = 0;
  let tail = 0;
  let head = 0;
  let phase = 1;
  let unacked = 0;
  const post = (offset: number, value: number) => {
    const e = (area.mbox + L.MBOX_ENTRIES_OFFSET + (produced & (L.MBOX_ENTRIES - 1)) * L.MBOX_ENTRY_SIZE) >> 2;
    i32[e + L.MBOX_E_TARGET / 4] = offset | (4 << L.MBOX_TARGET_SIZE_SHIFT);
    i32[e + L.MBOX_E_VALUE_LO / 4] = value;
    i32[e + L.MBOX_E_VALUE_HI / 4] = 0;
    produced = (produced + 1) >>> 0;
    Atomics.store(i32, e + L.MBOX_E_SEQ / 4, produced | 0);
  };
  const sqe = newSqe(O.NVM_FLUSH, 1);
  return () => {
    if (withSqe) {
      const at = (area.sq >> 2) + tail * 16;
      for (let i = 0; i < 16; i++) i32[at + i] = sqe[i];
      i32[at] = (sqe[0] & 0xffff) | (tail << 16); // CID
    }
    tail = tail + 1 === area.depth ? 0 : tail + 1;
    post(sqDoorbell, tail);
    const dw3 = (area.cq >> 2) + head * 4 + 3;
    while (((Atomics.load(i32, dw3) >>> 16) & 1) !== phase) { /* spin on the phase tag */ }
    head = head + 1 === area.depth ? 0 : head + 1;
    if (head === 0) phase ^= 1;
    if (++unacked === area.depth >> 2) { post(cqDoorbell, head); unacked = 0; }
  };
}

/**
 * The threaded round trip of one Flush at queue depth 1 (controller in its own thread, host
 * spinning on the CQ phase tag), beside a bare shared-memory spin ping-pong between this
 * thread and a wasm thread, and beside bench_nvme_echo: the same memory traffic as a command
 * with no driver or controller logic, which shows how much of the round trip is the protocol;
 * and beside that echo without the SQE, which shows what the SQE's cache line costs.
 * Cross-core latency on a VM drifts by 2x from minute to minute, so the four are measured in
 * alternating short phases (the idle thread parked) and compared round by round.
 */
async function roundTrips(env: BenchEnv, rounds: number, perRound: number): Promise<RoundTrips> {
  const core = await ControllerCore.create(env.module, benchConfig());
  core.exports.ctrl_power_on();
  // Two spare words of the control page: the ping-pong word and the worker's mode words.
  const word = L.CONTROL_BASE + 1024;
  const go = L.CONTROL_BASE + 2048;
  const dual = await env.spawnDual(env.module, core.memory, word, go, 20000);
  const port = await ThreadPort.start(core, async () => { await dual.controller(); return { terminate: async () => {} }; });
  const i32 = new Int32Array(core.memory.buffer);
  try {
    const driver = new NvmeDriver(port, { ioQueues: 1, ioDepth: 64, pollQueues: 1 });
    driver.bringUp();
    const q = driver.ioQueue(0);
    const sqe = newSqe(O.NVM_FLUSH, 1);
    const command = () => {
      q.submit(sqe);
      q.ring(port);
      while (q.reap(port) === 0) { /* spin on the CQ phase tag */ }
    };
    const wasm = (b: { bus: number }) => core.layout.hostRamBase + b.bus;
    const area: EchoArea = {
      mbox: wasm(driver.pool.alloc(L.MBOX_ENTRIES_OFFSET + L.MBOX_ENTRIES * L.MBOX_ENTRY_SIZE)),
      sq: wasm(driver.pool.alloc(q.depth * S.SQE_SIZE)),
      cq: wasm(driver.pool.alloc(q.depth * S.CQE_SIZE)),
      depth: q.depth,
    };
    const echoCommand = echoHost(i32, area, true);
    // the SQE-less echo in an area (mailbox and CQ) of its own; its SQ is never touched
    const areaBare: EchoArea = {
      mbox: wasm(driver.pool.alloc(L.MBOX_ENTRIES_OFFSET + L.MBOX_ENTRIES * L.MBOX_ENTRY_SIZE)),
      sq: area.sq,
      cq: wasm(driver.pool.alloc(q.depth * S.CQE_SIZE)),
      depth: q.depth,
    };
    const bare = echoHost(i32, areaBare, false);
    let v = Atomics.load(i32, word / 4);
    const ping = () => {
      Atomics.store(i32, word / 4, v + 1);
      while (Atomics.load(i32, word / 4) !== v + 2) { /* spin */ }
      v += 2;
    };
    const timeOf = (fn: () => void, n: number) => {
      const t0 = env.now();
      for (let i = 0; i < n; i++) fn();
      return (env.now() - t0) / n;
    };
    const warm = 2000; // untimed: the other thread is running before timing starts
    const rtts: number[] = [];
    const floors: number[] = [];
    const pps: number[] = [];
    const ratios: number[] = [];
    const floorRatios: number[] = [];
    const noSqes: number[] = [];
    const noSqeRatios: number[] = [];
    for (let r = 0; r <= rounds; r++) {
      for (let i = 0; i < warm; i++) command();
      const rtt = timeOf(command, perRound);
      q.ackCompletions(port);
      await dual.pause();
      const echoed = dual.nvmeEcho(area, warm + perRound, 0);
      for (let i = 0; i < warm; i++) echoCommand();
      const floor = timeOf(echoCommand, perRound);
      await echoed;
      const echoedBare = dual.nvmeEcho(areaBare, warm + perRound, L.ECHO_NO_SQE);
      for (let i = 0; i < warm; i++) bare();
      const noSqe = timeOf(bare, perRound);
      await echoedBare;
      const done = dual.echo(warm + perRound);
      for (let i = 0; i < warm; i++) ping();
      const pp = timeOf(ping, perRound);
      await done;
      await dual.controller();
      if (r === 0) continue; // warm-up round
      rtts.push(rtt);
      floors.push(floor);
      pps.push(pp);
      ratios.push(rtt / pp);
      floorRatios.push(floor / pp);
      noSqes.push(noSqe);
      noSqeRatios.push(noSqe / pp);
    }
    return {
      rtt: median(rtts), floor: median(floors), pingpong: median(pps), ratio: median(ratios), floorRatio: median(floorRatios),
      noSqe: median(noSqes), noSqeRatio: median(noSqeRatios),
    };
  } finally {
    await dual.close();
  }
}

/** Copy ranges: each as large as MSSRL allows (65535 blocks of 4 KiB, 256 MiB). */
const COPY_RANGES = 2;
const COPY_RANGE_BLOCKS = 65535;

/** One Copy of COPY_RANGES large ranges inside namespace 3 (4 KiB blocks), after the source is written. */
async function copyThroughput(env: BenchEnv): Promise<{ gbps: number; bytes: number }> {
  const { driver } = await stepped(env);
  const q = driver.ioQueue(0);
  const total = COPY_RANGES * COPY_RANGE_BLOCKS;
  const data = new Uint8Array(128 * 4096).map((_, i) => (i * 13) & 0xff);
  for (let lba = 0; lba < total; lba += 128) {
    const w = newSqe(O.NVM_WRITE, 3);
    setU64(w, S.SQE_CDW10, BigInt(lba));
    w[12] = Math.min(128, total - lba) - 1;
    if (driver.exec(q, w, { out: data.subarray(0, Math.min(128, total - lba) * 4096) }).status !== 0) throw new Error("bench: source write failed");
  }
  const slbs = Array.from({ length: COPY_RANGES }, (_, i) => BigInt(i * COPY_RANGE_BLOCKS));
  const desc = copyDescriptors(0, slbs, slbs.map(() => COPY_RANGE_BLOCKS - 1), [], [], [], [], [], COPY_RANGES);
  const times: number[] = [];
  for (let rep = 0; rep < 4; rep++) {
    const c = newSqe(O.NVM_COPY, 3);
    setU64(c, S.SQE_CDW10, BigInt(COPY_DEST_LBA));
    c[12] = COPY_RANGES - 1;
    const t0 = env.now();
    const r = driver.exec(q, c, { out: desc });
    const dt = env.now() - t0;
    if (r.status !== 0) throw new Error(`bench: copy failed with status ${r.status.toString(16)}`);
    if (rep > 0) times.push(dt); // the first copy also allocates the destination
  }
  const bytes = total * 4096;
  return { gbps: bytes / median(times), bytes };
}
const COPY_DEST_LBA = 262144;

/**
 * The baseline: wasm memory.copy of the same bytes, one call per range (a Copy cannot move
 * two ranges in one memory.copy), between buffers in a memory of its own.
 */
async function memcpyThroughput(env: BenchEnv, rangeBytes: number, ranges: number): Promise<number> {
  const bytes = rangeBytes * ranges;
  const pages = Math.ceil((2 * bytes + (1 << 20)) / 65536);
  const memory = new WebAssembly.Memory({ initial: pages, maximum: 65536, shared: true });
  const ex = (await instantiate(env.module, memory, env.now)) as unknown as { bench_memcpy(d: number, s: number, n: number, r: number): void };
  const src = 1 << 20;
  const dst = src + bytes;
  new Uint8Array(memory.buffer, src, bytes).fill(7);
  ex.bench_memcpy(dst, src, bytes, 1); // touch the destination once
  const times: number[] = [];
  for (let rep = 0; rep < 3; rep++) {
    const t0 = env.now();
    for (let i = 0; i < ranges; i++) ex.bench_memcpy(dst + i * rangeBytes, src + i * rangeBytes, rangeBytes, 1);
    times.push(env.now() - t0);
  }
  return bytes / median(times);
}

/** The fio job the simulation speed is measured with (issue 4's "4 KiB random-read fio job at QD 32"). */
const FIO_BENCH_JOB = "[randread-qd32]\nfilename=/dev/nvme0n1\nrw=randread\nbs=4k\nioengine=libaio\niodepth=32\nsize=1g\ntime_based\nruntime=${RUNTIME}\n";

/**
 * Simulated NVMe commands per wall-clock second: the fio job on the tlc-970pro setup (the
 * full stack: fio tasks, block layer, driver, stepped controller, device model), timed from
 * the start of the run to its end; the median over rounds.
 */
async function fioSimRate(env: BenchEnv, rounds: number, runtime: string): Promise<number> {
  const rates: number[] = [];
  for (let r = 0; r <= rounds; r++) {
    const host = await buildScenarioHost(env.module, parseScenario({ ...FIO_SETUPS["tlc-970pro"], steps: [] }, "setup"), "setup");
    const jobs = parseJobFile(FIO_BENCH_JOB, "bench.fio", { RUNTIME: runtime });
    const t0 = env.now();
    const res = runFio(host, jobs);
    const ns = env.now() - t0;
    const cmds = res.jobs[0].dirs.read!.total_ios;
    if (r > 0) rates.push(cmds / (ns / 1e9)); // round 0 warms the engine up
  }
  return median(rates);
}

/**
 * The floor of fioSimRate: the same modelled runtime of 4 KiB random reads at QD 32 over the
 * job's 1 GiB on the same setup, with floor.ts's lean loop in place of fio, the block layer
 * and nvme-blk; the median over rounds, timed the same way.
 */
async function fioFloorRate(env: BenchEnv, rounds: number, runtime: string): Promise<number> {
  const rates: number[] = [];
  const runtime_ns = Number(runtime.replace("ms", "")) * 1e6;
  for (let r = 0; r <= rounds; r++) {
    const host = await buildScenarioHost(env.module, parseScenario({ ...FIO_SETUPS["tlc-970pro"], steps: [] }, "setup"), "setup");
    const t0 = env.now();
    const res = runFloor(host, 32, 1 << 30, runtime_ns);
    const ns = env.now() - t0;
    if (res.errors !== 0) throw new Error(`bench: ${res.errors} floor reads failed`);
    if (r > 0) rates.push(res.ios / (ns / 1e9));
  }
  return median(rates);
}

export async function runBench(env: BenchEnv, quick = false): Promise<BenchResult> {
  const seconds = quick ? 0.5 : 2;
  const batches = quick ? 10 : 40;
  env.log("stepped Flush ...");
  const flush = await flushRate(env, seconds);
  env.log("stepped 4 KiB Read ...");
  const read = await read4kRate(env, seconds);
  env.log("threaded round trip beside a bare ping-pong ...");
  const rt = await roundTrips(env, batches, 20000);
  env.log("Copy ...");
  const copy = await copyThroughput(env);
  env.log("memory.copy ...");
  const memcpy = await memcpyThroughput(env, COPY_RANGE_BLOCKS * 4096, COPY_RANGES);
  env.log("fio simulation speed ...");
  const sim = await fioSimRate(env, quick ? 2 : 4, quick ? "100ms" : "400ms");
  env.log("fio simulation floor ...");
  const floor = await fioFloorRate(env, quick ? 2 : 4, quick ? "100ms" : "400ms");
  return {
    flush_cmds_per_s: Math.round(flush),
    read4k_cmds_per_s: Math.round(read),
    threaded_rtt_ns: Math.round(rt.rtt),
    pingpong_rtt_ns: Math.round(rt.pingpong),
    rtt_over_pingpong: Number(rt.ratio.toFixed(2)),
    echo_rtt_ns: Math.round(rt.floor),
    echo_over_pingpong: Number(rt.floorRatio.toFixed(2)),
    echo_no_sqe_rtt_ns: Math.round(rt.noSqe),
    echo_no_sqe_over_pingpong: Number(rt.noSqeRatio.toFixed(2)),
    copy_gbps: Number(copy.gbps.toFixed(2)),
    memcpy_gbps: Number(memcpy.toFixed(2)),
    copy_bytes: copy.bytes,
    fio_sim_cmds_per_s: Math.round(sim),
    fio_floor_cmds_per_s: Math.round(floor),
    machine: env.machine,
  };
}

export function benchReport(r: BenchResult): string {
  const m = (x: number) => (x / 1e6).toFixed(2);
  const rows: Array<[string, string, string, string]> = [
    ["stepped Flush", `${m(r.flush_cmds_per_s)} M cmd/s`, "target >= 10 M cmd/s", r.flush_cmds_per_s >= 10e6 ? "met" : "NOT met"],
    ["stepped 4 KiB Read", `${m(r.read4k_cmds_per_s)} M cmd/s`, "", ""],
    ["threaded round trip (QD 1 Flush)", `${r.threaded_rtt_ns} ns`, `${r.rtt_over_pingpong}x the ping-pong; target <= 2x`, r.rtt_over_pingpong <= 2 ? "met" : "NOT met"],
    ["same traffic, no driver or controller logic", `${r.echo_rtt_ns} ns`, `${r.echo_over_pingpong}x the ping-pong`, ""],
    ["  the same without the SQE (doorbell and CQE)", `${r.echo_no_sqe_rtt_ns} ns`, `${r.echo_no_sqe_over_pingpong}x the ping-pong`, ""],
    ["bare spin ping-pong (baseline)", `${r.pingpong_rtt_ns} ns`, "", ""],
    [`Copy, ${COPY_RANGES} ranges of ${COPY_RANGE_BLOCKS} x 4 KiB blocks`, `${r.copy_gbps} GB/s`, `${(r.copy_gbps / r.memcpy_gbps).toFixed(2)}x memory.copy; target >= 0.8x`, r.copy_gbps >= 0.8 * r.memcpy_gbps ? "met" : "NOT met"],
    ["wasm memory.copy, same ranges (baseline)", `${r.memcpy_gbps} GB/s`, "", ""],
    ["fio 4 KiB randread QD 32, full stack, modelled time", `${m(r.fio_sim_cmds_per_s)} M cmd/s`, `${(r.fio_sim_cmds_per_s / r.fio_floor_cmds_per_s).toFixed(2)}x the floor; target >= 2 M cmd/s`, r.fio_sim_cmds_per_s >= 2e6 ? "met" : "NOT met"],
    ["  floor: lean loop over the same controller and device model", `${m(r.fio_floor_cmds_per_s)} M cmd/s`, "", ""],
  ];
  const w = [0, 1, 2].map((i) => Math.max(...rows.map((x) => x[i].length)));
  return [`nvmelab bench on ${r.machine}`, ...rows.map((x) => `  ${x[0].padEnd(w[0])}  ${x[1].padStart(w[1])}  ${x[2].padEnd(w[2])}  ${x[3]}`)].join("\n");
}
