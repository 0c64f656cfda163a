// A block-layer scenario file (docs/BLOCK.md): the controller, the CPUs and hardware queues,
// the copy design, a device-mapper stack, sysfs settings, tasks, and the steps they take in
// order (plug, unplug, I/O, copies, waits, sleeps; a copy can hold its bios for a later
// release, to interleave two tasks' submissions). Parsed with errors that name the JSON path,
// then run on a BlockHost; the result has every op's outcome, every block event, every NVMe
// command, disk stats and media hashes. No Node APIs: the caller supplies the wasm module.

import { configFromJson } from "../controller/config";
import { hashMedia } from "../controller/media";
import { Sha256 } from "../util/sha256";
import { parseSize } from "../util/units";
import { Bio, BlkStatus, BLK_STATUS_NAMES, Op, REQ_FUA, REQ_PREFLUSH, REQ_SYNC } from "./bio";
import type { BlockDevice, CopyDesign } from "./disk";
import { BlockHost } from "./host";
import type { BlockLayer } from "./blk";
import { SYSFS } from "./limits";
import { MqDisk, SchedulerName } from "./mq";
import { blkdevIssueFlush } from "./blk-flush";
import { blkCopy } from "./copy/copy";
import type { CopyOutcome, CopySeg } from "./copy/types";
import { FREE_CPU } from "./sim";
import type { CpuCosts, Task } from "./sim";
import type { BlkEvent, NvmeCommandRecord } from "./trace";
import { createStack, StackSpec } from "./stack";
import { createDm, dmByName, dmDevices } from "./dm/core";
import { DeviceModel, SimpleDeviceModel, deviceModelFromJson } from "./device-model";
import { NvmeTcpModel, tcpParamsFromJson } from "./fabric-tcp";
import { DEFAULT_TIMING } from "./nvme-blk";
import {
  DM_KCOPYD_IGNORE_ERROR, KcopydClient, KcopydConfig, KcopydStats, MAX_SUB_JOB_SIZE_KB, kcopydClientCreate, kcopydClients, setKcopydConfig,
} from "./dm/kcopyd";

/** The kcopyd client of a run's kcopyd steps. */
const scenarioKcopyd = new WeakMap<BlockLayer, KcopydClient>();

export class ScenarioError extends Error {}

const DESIGNS: CopyDesign[] = ["pair", "ctx", "vector"];
const STEP_OPS = ["plug", "unplug", "write", "read", "discard", "write_zeroes", "flush", "copy", "copyv", "wait", "sleep", "sysfs", "release", "dm_create", "dm_message", "kcopyd"] as const;
type StepOp = (typeof STEP_OPS)[number];

/** The keys each step takes besides op and task (checked before anything runs). */
const IO_KEYS = ["dev", "pos", "len", "pattern", "sync", "fua", "preflush"];
const COPY_KEYS = ["design", "fallback", "inflight", "max_buffer", "hold"];
const STEP_KEYS: Record<StepOp, string[]> = {
  plug: [], unplug: [], wait: [], sleep: ["us"], sysfs: ["dev", "attr", "value"], release: ["count"],
  write: IO_KEYS, read: IO_KEYS, discard: IO_KEYS, write_zeroes: IO_KEYS, flush: ["dev"],
  copy: ["src", "src_pos", "dst", "dst_pos", "len", ...COPY_KEYS], copyv: ["src", "src_segs", "dst", "dst_segs", ...COPY_KEYS],
  dm_create: ["name", "table"], dm_message: ["dev", "sector", "message"], kcopyd: ["src", "src_pos", "dst", "len", "ignore_error"],
};

/** At most this many bios held per task ("hold": true on a copy step). */
export const MAX_HELD_BIOS = 1024;

/** A copy bio held for a later release step, and the step that held it. */
interface Held { bio: Bio; at: string }

export interface ScenarioTask { pid: number; comm: string; cpu: number }
export interface Step { at: string; task?: string; op: StepOp; args: Record<string, unknown> }

export interface Scenario {
  controller: unknown;
  cpus: number;
  hwQueues?: number;
  queueDepth?: number;
  design: CopyDesign;
  kcopyd: Partial<KcopydConfig>;
  /** The device model (device-model.ts deviceModelFromJson); undefined: the simple one with timing. */
  device?: unknown;
  /** The host CPU model's costs (sim.ts CpuCosts); all 0 when not given. */
  cpu: CpuCosts;
  /** NVMe over TCP in front of the device (fabric-tcp.ts tcpParamsFromJson); undefined: PCIe. */
  fabric?: unknown;
  timing: { latency_ns?: number; link_bytes_per_s?: number; copy_bytes_per_s?: number };
  stack: StackSpec[];
  sysfs: Array<{ at: string; dev: string; attr: string; value: number | string }>;
  scheduler: Array<{ dev: string; name: SchedulerName }>;
  designs: Array<{ dev: string; design: CopyDesign }>;
  tasks: ScenarioTask[];
  steps: Step[];
  /** The kernel whose block layer runs: 6.18 (the LTS docs/BLOCK.md models), or 7.2, which drops __submit_bio's plug. */
  linux: LinuxVersion;
}

/** Kernels the block layer can follow; they differ only where docs/BLOCK.md's version table says. */
export const LINUX_VERSIONS = ["6.18", "7.2"] as const;
export type LinuxVersion = (typeof LINUX_VERSIONS)[number];

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

function fail(where: string, why: string): never {
  throw new ScenarioError(`${where}: ${why}`);
}

function known(o: Obj, where: string, keys: string[]): void {
  for (const k of Object.keys(o)) if (!keys.includes(k)) fail(`${where}.${k}`, `unknown key (expected one of: ${keys.join(", ")})`);
}

function int(o: Obj, k: string, where: string, lo: number, hi: number, dflt?: number): number {
  const v = o[k];
  if (v === undefined) {
    if (dflt === undefined) fail(`${where}.${k}`, "missing");
    return dflt;
  }
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < lo || v > hi) fail(`${where}.${k}`, `${JSON.stringify(v)} is not an integer in ${lo}..${hi}`);
  return v;
}

/** A byte count: a number or a size string ("4k", "1M"). */
function size(o: Obj, k: string, where: string, dflt?: number): number {
  const v = o[k];
  if (v === undefined) {
    if (dflt === undefined) fail(`${where}.${k}`, "missing");
    return dflt;
  }
  try {
    if (typeof v !== "number" && typeof v !== "string") throw new Error("not a number or size");
    return parseSize(v);
  } catch (e) {
    fail(`${where}.${k}`, `${JSON.stringify(v)}: ${(e as Error).message}`);
  }
}

function str(o: Obj, k: string, where: string, dflt?: string): string {
  const v = o[k];
  if (v === undefined) {
    if (dflt === undefined) fail(`${where}.${k}`, "missing");
    return dflt;
  }
  if (typeof v !== "string" || v.length === 0) fail(`${where}.${k}`, `${JSON.stringify(v)} is not a non-empty string`);
  return v;
}

/** Parse and check a scenario (before anything runs). */
export function parseScenario(input: unknown, where = "scenario"): Scenario {
  if (!isObj(input)) fail(where, "expected a JSON object");
  known(input, where, ["controller", "cpus", "hw_queues", "queue_depth", "design", "timing", "stack", "sysfs", "scheduler", "designs", "tasks", "steps", "kcopyd", "device", "fabric", "cpu", "linux", "description"]);
  const linux = str(input, "linux", where, "6.18");
  if (!LINUX_VERSIONS.includes(linux as LinuxVersion)) fail(`${where}.linux`, `"${linux}" is not a modelled kernel (${LINUX_VERSIONS.join(" or ")})`);
  const cpus = int(input, "cpus", where, 1, 64, 2);
  const design = str(input, "design", where, "ctx") as CopyDesign;
  if (!DESIGNS.includes(design)) fail(`${where}.design`, `"${design}" is not one of ${DESIGNS.join(", ")}`);
  const timingIn = input.timing ?? {};
  if (!isObj(timingIn)) fail(`${where}.timing`, "expected an object");
  known(timingIn, `${where}.timing`, ["latency_us", "link_gbps", "copy_gbps"]);
  const timing: Scenario["timing"] = {};
  const num = (k: string) => {
    const v = timingIn[k];
    if (v === undefined) return undefined;
    if (typeof v !== "number" || !(v > 0) || !Number.isFinite(v)) fail(`${where}.timing.${k}`, `${JSON.stringify(v)} is not a positive number`);
    return v;
  };
  if (num("latency_us") !== undefined) timing.latency_ns = num("latency_us")! * 1000;
  if (num("link_gbps") !== undefined) timing.link_bytes_per_s = num("link_gbps")! * 1e9 / 8;
  if (num("copy_gbps") !== undefined) timing.copy_bytes_per_s = num("copy_gbps")! * 1e9 / 8;
  const kcopyd = parseKcopyd(input.kcopyd, `${where}.kcopyd`);
  const cpu = parseCpuCosts(input.cpu, `${where}.cpu`);
  if (input.fabric !== undefined) {
    try {
      tcpParamsFromJson(input.fabric, `${where}.fabric`);
    } catch (e) {
      throw new ScenarioError((e as Error).message);
    }
  }
  if (input.device !== undefined) {
    if (input.timing !== undefined) fail(`${where}.device`, "give either device or timing (timing is the simple preset's parameters)");
    try {
      deviceModelFromJson(input.device, `${where}.device`);
    } catch (e) {
      throw new ScenarioError((e as Error).message);
    }
  }
  const stack = input.stack ?? [];
  if (!Array.isArray(stack)) fail(`${where}.stack`, "expected a list of device-mapper devices");
  const sysfs: Scenario["sysfs"] = [];
  const sysIn = input.sysfs ?? {};
  if (!isObj(sysIn)) fail(`${where}.sysfs`, 'expected {"<device>": {"<attribute>": value}}');
  for (const [dev, attrs] of Object.entries(sysIn)) {
    if (!isObj(attrs)) fail(`${where}.sysfs.${dev}`, "expected an object of attributes");
    for (const [attr, value] of Object.entries(attrs)) {
      const at = `${where}.sysfs.${dev}.${attr}`;
      if (!SYSFS[attr]) fail(at, `no such queue attribute (known: ${Object.keys(SYSFS).join(", ")})`);
      if (!SYSFS[attr].store) fail(at, "read-only");
      sysfs.push({ at, dev, attr, value: sysfsValue(attr, value, at) });
    }
  }
  const scheduler: Scenario["scheduler"] = [];
  const schedIn = input.scheduler ?? {};
  if (!isObj(schedIn)) fail(`${where}.scheduler`, 'expected {"<device>": "none" | "mq-deadline"}');
  for (const [dev, name] of Object.entries(schedIn)) {
    if (name !== "none" && name !== "mq-deadline") fail(`${where}.scheduler.${dev}`, `${JSON.stringify(name)} is not "none" or "mq-deadline"`);
    scheduler.push({ dev, name });
  }
  const designs: Scenario["designs"] = [];
  const desIn = input.designs ?? {};
  if (!isObj(desIn)) fail(`${where}.designs`, 'expected {"<device>": "pair" | "ctx" | "vector"}');
  for (const [dev, d] of Object.entries(desIn)) {
    if (!DESIGNS.includes(d as CopyDesign)) fail(`${where}.designs.${dev}`, `${JSON.stringify(d)} is not one of ${DESIGNS.join(", ")}`);
    designs.push({ dev, design: d as CopyDesign });
  }
  const tasksIn = input.tasks ?? [{ comm: "task", cpu: 0 }];
  if (!Array.isArray(tasksIn) || tasksIn.length === 0) fail(`${where}.tasks`, "expected a non-empty list");
  const tasks: ScenarioTask[] = tasksIn.map((t, i) => {
    const at = `${where}.tasks[${i}]`;
    if (!isObj(t)) fail(at, "expected an object");
    known(t, at, ["comm", "pid", "cpu"]);
    return { comm: str(t, "comm", at), pid: int(t, "pid", at, 1, 4194304, 100 + i), cpu: int(t, "cpu", at, 0, cpus - 1, 0) };
  });
  const names = new Set<string>();
  for (const t of tasks) {
    if (names.has(t.comm)) fail(`${where}.tasks`, `two tasks are named "${t.comm}"`);
    names.add(t.comm);
  }
  const stepsIn = input.steps;
  if (!Array.isArray(stepsIn)) fail(`${where}.steps`, "expected a list");
  if (stepsIn.length > 1_000_000) fail(`${where}.steps`, "more than 1000000 steps");
  const steps: Step[] = stepsIn.map((s, i) => {
    const at = `${where}.steps[${i}]`;
    if (!isObj(s)) fail(at, "expected an object");
    const op = str(s, "op", at) as StepOp;
    if (!STEP_OPS.includes(op)) fail(`${at}.op`, `"${op}" is not one of ${STEP_OPS.join(", ")}`);
    const task = s.task === undefined ? undefined : str(s, "task", at);
    if (task !== undefined && !names.has(task)) fail(`${at}.task`, `no task "${task}" (tasks: ${[...names].join(", ")})`);
    if (op !== "sleep" && task === undefined && tasks.length > 1) fail(`${at}.task`, "missing (the scenario has several tasks)");
    const args = { ...s };
    delete args.op;
    delete args.task;
    known(args, at, STEP_KEYS[op]);
    if ((op === "copy" || op === "copyv") && s.hold !== undefined && typeof s.hold !== "boolean") fail(`${at}.hold`, "expected true or false");
    if (op === "release") {
      const c = args.count;
      if (c !== undefined && c !== "all" && !(typeof c === "number" && Number.isSafeInteger(c) && c >= 1 && c <= MAX_HELD_BIOS)) fail(`${at}.count`, `${JSON.stringify(c)} is not "all" or an integer in 1..${MAX_HELD_BIOS}`);
    }
    return { at, task: task ?? tasks[0].comm, op, args };
  });
  return {
    controller: input.controller ?? {}, cpus, hwQueues: input.hw_queues === undefined ? undefined : int(input, "hw_queues", where, 1, 64),
    // nvme-pci's io_queue_depth range: NVME_PCI_MIN_QUEUE_SIZE 2 .. NVME_PCI_MAX_QUEUE_SIZE 4095
    queueDepth: input.queue_depth === undefined ? undefined : int(input, "queue_depth", where, 2, 4095),
    design, timing, device: input.device, fabric: input.fabric, cpu, kcopyd, stack: stack as StackSpec[], sysfs, scheduler, designs, tasks, steps,
    linux: linux as LinuxVersion,
  };
}

/** "cpu": the host CPU model's costs in ns (sim.ts CpuCosts; docs/TIMING.md). */
function parseCpuCosts(v: unknown, where: string): CpuCosts {
  if (v === undefined) return FREE_CPU;
  if (!isObj(v)) fail(where, "expected an object of costs in ns");
  const keys = Object.keys(FREE_CPU);
  known(v, where, keys);
  const out: CpuCosts = { ...FREE_CPU };
  for (const k of keys) {
    const x = v[k];
    if (x === undefined) continue;
    if (typeof x !== "number" || !Number.isFinite(x) || x < 0 || x > 1e9) fail(`${where}.${k}`, `${JSON.stringify(x)} is not a number of ns in 0..1e9`);
    (out as unknown as Record<string, number>)[k] = x;
  }
  return out;
}

/** "kcopyd": {"variant", "subjob_size_kb", "offload", "job_cpu_us"} (docs/BLOCK.md). */
function parseKcopyd(v: unknown, where: string): Partial<KcopydConfig> {
  if (v === undefined) return {};
  if (!isObj(v)) fail(where, "expected an object");
  known(v, where, ["variant", "subjob_size_kb", "offload", "job_cpu_us"]);
  const out: Partial<KcopydConfig> = {};
  if (v.variant !== undefined) {
    if (v.variant !== "single" && v.variant !== "percpu") fail(`${where}.variant`, `${JSON.stringify(v.variant)} is not "single" or "percpu"`);
    out.variant = v.variant;
  }
  if (v.subjob_size_kb !== undefined) {
    out.subjob_size_kb = int(v, "subjob_size_kb", where, 4, MAX_SUB_JOB_SIZE_KB);
    if (out.subjob_size_kb % 4) fail(`${where}.subjob_size_kb`, `${out.subjob_size_kb} is not a multiple of 4 (whole pages)`);
  }
  if (v.offload !== undefined) {
    if (typeof v.offload !== "boolean") fail(`${where}.offload`, "expected true or false");
    out.offload = v.offload;
  }
  if (v.job_cpu_us !== undefined) {
    const us = v.job_cpu_us;
    if (typeof us !== "number" || !Number.isFinite(us) || us < 0 || us > 1e6) fail(`${where}.job_cpu_us`, `${JSON.stringify(us)} is not a number of microseconds in 0..1000000`);
    out.job_cpu_ns = Math.round(us * 1000);
  }
  return out;
}

/** What one step did. */
export interface OpResult {
  step: number;
  op: StepOp;
  task: string;
  dev?: string;
  status?: string;
  /** Reads: sha256 of the data read. */
  sha256?: string;
  copy?: CopyOutcome;
  done_ns?: number;
  error?: string;
}

export interface ScenarioResult {
  design: CopyDesign;
  ops: OpResult[];
  events: BlkEvent[];
  commands: NvmeCommandRecord[];
  /** Every block device: its name, device numbers (as blktrace prints them), stats and queue limits. */
  disks: Array<{ name: string; major: number; minor: number; stats: BlockDevice["stats"]; limits: Record<string, number | string> }>;
  media: Array<{ nsid: number; sha256: string }>;
  /** dmsetup table and status of every dm device. */
  dm: Array<{ name: string; dev: string; table: string[]; status: string[] }>;
  /** Every kcopyd client (dm targets' and the kcopyd steps') and what it did. */
  kcopyd: Array<{ client: string; variant: string; subjob_size_kb: number; offload: boolean; stats: KcopydStats }>;
  end_ns: number;
}

/** A deterministic data pattern: byte i of a write with seed s. */
export function patternByte(seed: number, offset: number): number {
  let x = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(Math.floor(offset / 4) + 1, 0xc2b2ae35)) >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d) >>> 0;
  x ^= x >>> 15;
  return (x >>> ((offset & 3) * 8)) & 0xff;
}

/** A scenario's host, built: the controller, the stack, designs, schedulers and sysfs applied. */
export interface ScenarioHost {
  h: BlockHost;
  blk: BlockLayer;
  /** A block device by nvme0n1, dm-0, /dev/..., or device-mapper name; fails naming `at`. */
  dev: (name: string, at: string) => BlockDevice;
}

/** Build everything a scenario (or an fio setup, which is a scenario without steps) describes. */
export async function buildScenarioHost(module: WebAssembly.Module, s: Scenario, where = "scenario", controllerTrace = 0): Promise<ScenarioHost> {
  let config;
  try {
    config = configFromJson(s.controller, `${where}.controller`);
  } catch (e) {
    throw new ScenarioError((e as Error).message);
  }
  let model: DeviceModel | undefined = s.device === undefined ? undefined : deviceModelFromJson(s.device, `${where}.device`);
  if (s.fabric !== undefined) {
    // NVMe/TCP in front of the device: the device model becomes the target's backend
    model = new NvmeTcpModel(model ?? new SimpleDeviceModel({ ...DEFAULT_TIMING, ...s.timing }), tcpParamsFromJson(s.fabric, `${where}.fabric`));
  }
  const h = await BlockHost.create(module, config, { cpus: s.cpus, hwQueues: s.hwQueues, queueDepth: s.queueDepth, design: s.design, timing: s.timing, model, controllerTrace });
  const blk = h.blk;
  blk.sim.costs = s.cpu;
  // 9cbbac29d752 "block: Remove redundant plug in __submit_bio()" (7.2): no P/U for an unplugged bio
  blk.plugInSubmitBio = s.linux !== "7.2";
  setKcopydConfig(blk, s.kcopyd);
  try {
    createStack(blk, s.stack, `${where}.stack`);
  } catch (e) {
    throw new ScenarioError((e as Error).message);
  }
  const dev = (name: string, at: string): BlockDevice => {
    const d = blk.disks.get(name.replace(/^\/dev\//, "")) ?? dmByName(blk, name);
    if (!d) fail(at, `no block device "${name}" (there are: ${[...blk.disks.keys(), ...dmDevices(blk).map((x) => x.dmName)].join(", ")})`);
    return d;
  };
  for (const d of s.designs) {
    const disk = dev(d.dev, `${where}.designs.${d.dev}`);
    if ("applyCopyDesign" in disk) (disk as unknown as { applyCopyDesign(x: CopyDesign): void }).applyCopyDesign(d.design);
    else disk.copyDesign = d.design;
  }
  for (const x of s.scheduler) {
    const d = dev(x.dev, `${where}.scheduler.${x.dev}`);
    if (!(d instanceof MqDisk)) fail(`${where}.scheduler.${x.dev}`, "only request-based devices (nvme) have a scheduler");
    d.setScheduler(x.name);
  }
  for (const x of s.sysfs) sysfsStore(dev(x.dev, x.at), x.attr, x.value, x.at);
  return { h, blk, dev };
}

export interface RunScenarioOptions {
  /** Sees the built host before the first step (the playground keeps it for its media). */
  onHost?: (host: ScenarioHost) => void;
  /** Controller event classes to record (layout.ts EVC_*; the playground's Queues view). */
  controllerTrace?: number;
  /** Hash every namespace at the end (default); the playground hashes on demand instead. */
  hashMedia?: boolean;
}

/** Run a scenario's steps to the end. */
export async function runScenario(module: WebAssembly.Module, s: Scenario, o: RunScenarioOptions = {}): Promise<ScenarioResult> {
  const host = await buildScenarioHost(module, s, "scenario", o.controllerTrace ?? 0);
  o.onHost?.(host);
  const { h, blk, dev } = host;
  const tasks = new Map<string, Task>();
  for (const t of s.tasks) tasks.set(t.comm, blk.sim.addTask(t.pid, t.comm, t.cpu));
  const ops: OpResult[] = [];
  const held = new Map<Task, Held[]>();
  s.steps.forEach((step, i) => {
    const task = tasks.get(step.task!)!;
    const r: OpResult = { step: i, op: step.op, task: task.comm };
    ops.push(r);
    blk.sim.as(task, () => runStep(h, step, r, dev, task, held));
  });
  // a copy whose bios were never released would never finish: fail, do not wait for it
  const stuck = [...held].filter(([, q]) => q.length > 0).map(([t, q]) => `${t.comm} holds ${q.length} bio(s) (held by ${[...new Set(q.map((x) => x.at))].join(", ")})`);
  if (stuck.length) throw new ScenarioError(`the run ended with copy bios still held: ${stuck.join("; ")}; release them ({"op": "release", "count": "all"})`);
  // the run ends when every task has finished its I/O (each blocks, flushing its plug)
  for (const t of tasks.values()) blk.sim.as(t, () => {
    while (t.plugDepth > 0) blk.finishPlug(t);
    blk.waitTask(t);
  });
  blk.sim.drain();
  const media = o.hashMedia === false ? [] : [...h.driver.nsids].map((nsid) => ({ nsid, sha256: hashMedia(h.core, nsid, new Sha256()) }));
  const disks = [...blk.disks.values()].map((d) => ({
    name: d.name, major: d.major, minor: d.minor, stats: { ...d.stats },
    limits: Object.fromEntries(Object.entries(SYSFS).map(([k, a]) => [k, a.show(d.limits, d.flags, d)])),
  }));
  const dm = dmDevices(blk).map((d) => ({ name: d.dmName, dev: d.name, table: d.table(), status: d.status() }));
  const kcopyd = kcopydClients(blk).map((kc) => ({
    client: kc.name, variant: kc.config.variant, subjob_size_kb: kc.config.subjob_size_kb, offload: kc.config.offload, stats: { ...kc.stats, runs_per_cpu: [...kc.stats.runs_per_cpu] },
  }));
  return { design: s.design, ops, events: blk.tracer.events, commands: blk.tracer.commands, disks, media, dm, kcopyd, end_ns: blk.sim.now_ns };
}

/**
 * A queue attribute's value as the file takes it: a text attribute (write_cache) a string,
 * checked against its words when stored; the others a number or a size ("128k").
 */
function sysfsValue(attr: string, value: unknown, at: string): number | string {
  const words = SYSFS[attr]?.words;
  if (words) {
    if (typeof value !== "string") fail(at, `${JSON.stringify(value)}: ${attr} takes ${words.map((w) => JSON.stringify(w)).join(", ")}`);
    return value;
  }
  return typeof value === "string" ? size({ v: value }, "v", at) : int({ v: value }, "v", at, 0, Number.MAX_SAFE_INTEGER);
}

function sysfsStore(d: BlockDevice, attr: string, value: number | string, at: string): void {
  const a = SYSFS[attr];
  if (!a?.store) fail(at, `${attr} is not a writable queue attribute`);
  const err = a.store(d.limits, d.flags, value);
  if (err) fail(at, `${d.name}/queue/${attr} = ${JSON.stringify(value)}: ${err}`);
}

function runStep(h: BlockHost, step: Step, r: OpResult, dev: (n: string, at: string) => BlockDevice, task: Task, held: Map<Task, Held[]>): void {
  const blk = h.blk;
  const a = step.args;
  const at = step.at;
  const flagsOf = () => {
    let f = 0;
    if (a.sync) f |= REQ_SYNC;
    if (a.fua) f |= REQ_FUA;
    if (a.preflush) f |= REQ_PREFLUSH;
    return f;
  };
  switch (step.op) {
    case "plug": known(a, at, []); blk.startPlug(); return;
    case "unplug": known(a, at, []); if (task.plugDepth === 0) fail(at, `${task.comm} has no plug to finish`); blk.finishPlug(); return;
    case "wait":
      known(a, at, []);
      if (held.get(task)?.length) fail(at, `${task.comm} holds ${held.get(task)!.length} copy bio(s) it has not released; its copy can never finish`);
      blk.waitTask();
      return;
    case "release": {
      // the next held bios, submitted from the task that held them (into its plug, if any)
      const q = held.get(task) ?? [];
      if (q.length === 0) fail(at, `${task.comm} holds no copy bios (a copy step with "hold": true holds them)`);
      const n = a.count === undefined ? 1 : a.count === "all" ? q.length : (a.count as number);
      if (n > q.length) fail(`${at}.count`, `${n}, but ${task.comm} holds ${q.length} bio(s)`);
      for (const x of q.splice(0, n)) blk.submitBio(x.bio);
      return;
    }
    case "dm_create": {
      // dmsetup create <name> at this point of the run (a snapshot taken now, a clone started now)
      const name = str(a, "name", at);
      const table = a.table;
      if (!Array.isArray(table) || table.length === 0 || !table.every((l) => typeof l === "string")) fail(`${at}.table`, 'expected a list of "<start> <length> <target> <args>" lines');
      try {
        const md = createDm(blk, name, table as string[]);
        r.dev = md.name;
      } catch (e) {
        fail(at, (e as Error).message);
      }
      r.status = "BLK_STS_OK";
      return;
    }
    case "dm_message": {
      // dmsetup message <name> <sector> <message>
      const name = str(a, "dev", at);
      const md = dmByName(blk, name) ?? dmDevices(blk).find((d) => d.name === name.replace(/^\/dev\//, ""));
      if (!md) fail(`${at}.dev`, `no device-mapper device "${name}" (there are: ${dmDevices(blk).map((d) => d.dmName).join(", ") || "none"})`);
      r.dev = md.name;
      const words = str(a, "message", at).trim().split(/\s+/);
      try {
        md.message(int(a, "sector", at, 0, Number.MAX_SAFE_INTEGER, 0), words);
      } catch (e) {
        fail(at, (e as Error).message);
      }
      r.status = "BLK_STS_OK";
      return;
    }
    case "kcopyd": {
      // dm_kcopyd_copy from the task, through the run's own client ("scenario")
      const src = dev(str(a, "src", at), `${at}.src`);
      const len = size(a, "len", at);
      const srcPos = size(a, "src_pos", at);
      if (len <= 0 || len % 512 || srcPos % 512) fail(at, `src_pos ${srcPos} and len ${len} must be multiples of 512 and len > 0`);
      const dsts = a.dst;
      if (!Array.isArray(dsts) || dsts.length === 0) fail(`${at}.dst`, 'expected a list of ["<device>", pos]');
      const dests = dsts.map((x, j) => {
        if (!Array.isArray(x) || x.length !== 2 || typeof x[0] !== "string") fail(`${at}.dst[${j}]`, 'expected ["<device>", pos]');
        const pos = size({ p: x[1] }, "p", `${at}.dst[${j}]`);
        if (pos % 512) fail(`${at}.dst[${j}]`, `pos ${pos} is not a multiple of 512`);
        return { bdev: dev(x[0], `${at}.dst[${j}]`), sector: pos / 512, count: len / 512 };
      });
      if (a.ignore_error !== undefined && typeof a.ignore_error !== "boolean") fail(`${at}.ignore_error`, "expected true or false");
      r.dev = dests[0].bdev.name;
      let kc = scenarioKcopyd.get(blk);
      if (!kc) scenarioKcopyd.set(blk, (kc = kcopydClientCreate(blk, "scenario")));
      task.outstanding++; // the task's wait covers its kcopyd jobs
      try {
        kc.copy({ bdev: src, sector: srcPos / 512, count: len / 512 }, dests, a.ignore_error ? DM_KCOPYD_IGNORE_ERROR : 0, (readErr, writeErr) => {
          task.outstanding--;
          r.status = readErr || writeErr ? "BLK_STS_IOERR" : "BLK_STS_OK";
          if (readErr || writeErr) r.error = `${readErr ? "read_err" : ""}${readErr && writeErr ? ", " : ""}${writeErr ? `write_err ${writeErr.toString(2)}` : ""}`;
          r.done_ns = blk.sim.now_ns;
        });
      } catch (e) {
        task.outstanding--;
        fail(at, (e as Error).message);
      }
      return;
    }
    case "sleep": {
      known(a, at, ["us"]);
      const until = blk.sim.now_ns + int(a, "us", at, 0, 1e9) * 1000;
      blk.blockTask();
      blk.sim.at(until, task, () => {});
      blk.sim.runUntil(() => blk.sim.now_ns >= until, `${at}: the end of the sleep`);
      return;
    }
    case "sysfs": {
      known(a, at, ["dev", "attr", "value"]);
      const d = dev(str(a, "dev", at), `${at}.dev`);
      const attr = str(a, "attr", at);
      sysfsStore(d, attr, sysfsValue(attr, a.value, `${at}.value`), at);
      return;
    }
    case "flush": {
      // blkdev_issue_flush: an empty REQ_OP_WRITE | REQ_PREFLUSH bio (REQ_SYNC from submit_bio_wait)
      known(a, at, ["dev"]);
      const d = dev(str(a, "dev", at), `${at}.dev`);
      r.dev = d.name;
      blkdevIssueFlush(blk, d, (b) => {
        r.status = BLK_STATUS_NAMES[b.status];
        r.done_ns = blk.sim.now_ns;
      });
      return;
    }
    case "write":
    case "read":
    case "discard":
    case "write_zeroes": {
      known(a, at, ["dev", "pos", "len", "pattern", "sync", "fua", "preflush"]);
      const d = dev(str(a, "dev", at), `${at}.dev`);
      r.dev = d.name;
      const op = { write: Op.WRITE, read: Op.READ, discard: Op.DISCARD, write_zeroes: Op.WRITE_ZEROES }[step.op];
      const pos = size(a, "pos", at);
      const len = size(a, "len", at);
      if (len <= 0 || pos % 512 || len % 512) fail(at, `pos ${pos} and len ${len} must be multiples of 512 and len > 0`);
      let vecs: Bio["vecs"] = [];
      let buf: { bus: number; bytes: number } | null = null;
      if (op === Op.WRITE || op === Op.READ) {
        buf = blk.mem!.pool.alloc(len);
        vecs = [{ bus: buf.bus, len }];
        if (op === Op.WRITE) {
          const seed = int(a, "pattern", at, 0, 0xffffffff, 1);
          const ram = blk.mem!.ram;
          for (let i = 0; i < len; i++) ram[buf.bus + i] = patternByte(seed, pos + i);
        }
      }
      const bio = new Bio(d, op, pos / 512, len, vecs, flagsOf());
      bio.endio = (b) => {
        r.status = BLK_STATUS_NAMES[b.status];
        r.done_ns = blk.sim.now_ns;
        if (buf) {
          if (op === Op.READ && b.status === BlkStatus.OK) {
            const sh = new Sha256();
            sh.update(blk.mem!.ram.subarray(buf.bus, buf.bus + len));
            r.sha256 = sh.digestHex();
          }
          blk.mem!.pool.release(buf);
        }
      };
      blk.submitBio(bio);
      return;
    }
    case "copy":
    case "copyv": {
      const keys = step.op === "copy" ? ["src", "src_pos", "dst", "dst_pos", "len"] : ["src", "src_segs", "dst", "dst_segs"];
      known(a, at, [...keys, "design", "fallback", "inflight", "max_buffer", "hold"]);
      const src = dev(str(a, "src", at), `${at}.src`);
      const dst = dev(str(a, "dst", at), `${at}.dst`);
      r.dev = dst.name;
      const segs = (k: string): CopySeg[] => {
        const v = a[k];
        if (!Array.isArray(v) || v.length === 0) fail(`${at}.${k}`, "expected a non-empty list of [pos, len]");
        return v.map((x, j) => {
          if (!Array.isArray(x) || x.length !== 2) fail(`${at}.${k}[${j}]`, "expected [pos, len]");
          return { pos: size({ p: x[0] }, "p", `${at}.${k}[${j}]`), len: size({ l: x[1] }, "l", `${at}.${k}[${j}]`) };
        });
      };
      const srcSegs = step.op === "copy" ? [{ pos: size(a, "src_pos", at), len: size(a, "len", at) }] : segs("src_segs");
      const dstSegs = step.op === "copy" ? [{ pos: size(a, "dst_pos", at), len: size(a, "len", at) }] : segs("dst_segs");
      const design = a.design === undefined ? undefined : (str(a, "design", at) as CopyDesign);
      if (design && !DESIGNS.includes(design)) fail(`${at}.design`, `"${design}" is not one of ${DESIGNS.join(", ")}`);
      if (a.fallback !== undefined && typeof a.fallback !== "boolean") fail(`${at}.fallback`, "expected true or false");
      // hold: the bios this task submits during the copy call wait, in order, for release steps
      const submit = blk.submitBio;
      if (a.hold === true) blk.submitBio = (bio: Bio) => {
        if (blk.task !== task) return submit.call(blk, bio);
        const q = held.get(task) ?? [];
        held.set(task, q);
        if (q.length >= MAX_HELD_BIOS) fail(`${at}.hold`, `more than ${MAX_HELD_BIOS} bios would be held for ${task.comm}`);
        q.push({ bio, at });
      };
      try {
        r.copy = blkCopy(blk, {
          src, dst, srcSegs, dstSegs, design, fallback: a.fallback as boolean | undefined,
          inflight: int(a, "inflight", at, 1, 64, 1), maxBufferBytes: a.max_buffer === undefined ? undefined : size(a, "max_buffer", at),
        }, (o) => { r.status = BLK_STATUS_NAMES[o.status]; r.done_ns = blk.sim.now_ns; });
      } catch (e) {
        if (e instanceof ScenarioError) throw e;
        fail(at, (e as Error).message);
      } finally {
        if (a.hold === true) blk.submitBio = submit;
      }
      return;
    }
  }
}
