// `npm run reproduce`: the source documents' published figures beside ours, each with the
// parameters it comes from (documented here, none tuned per row) and, where the model cannot
// reproduce a figure, what it lacks. Everything runs in modelled time: the same code gives
// the same rows on every machine.
//
// Seed 001 (Nikos Tsironis, dm-devel, 8 Mar 2022): dm-snapshot copy-on-write under many
// threads on null_blk; the per-CPU kcopyd redesign against the single worker gave "~300%
// increase in sustained throughput and ~80% decrease in I/O latency" (together with the
// dm-snapshot scaling that was merged in 2019).
// Seed 000 (LSF/MM/BPF 2023, NVMe-oF TCP copy offload against user-space read+write at 1 and
// 100 Gb/s): fio over the NVMe/TCP model to a target that emulates Copy on its SSD.

import { buildScenarioHost, parseScenario } from "../block/scenario";
import { parseJobFile } from "../fio/job";
import { runFio } from "../fio/run";
import type { FioResult } from "../fio/types";
import type { NvmeTcpModel } from "../block/fabric-tcp";
import { SEED000_PUBLISHED } from "./seed000-published";

export interface ReproRow {
  experiment: string;
  metric: string;
  unit: string;
  published: number;
  /** null: not reproduced yet (see note). */
  ours: number | null;
  /** The tolerance the issue sets, and whether ours is within it. */
  tolerance: string;
  within: boolean | null;
  note: string;
}

/**
 * Host CPU costs of a current x86 server, used for every seed's hosts (general figures, not
 * measured on the seeds' machines, which the seeds name but do not measure): system call entry
 * and exit with mitigations 100 ns, one I/O's submission through the block layer and driver
 * 1.5 us, a completion interrupt 1 us, a context switch 1.5 us, and copying received data
 * (NVMe/TCP's receive path into the request's pages) at 10 GB/s per core, 0.1 ns per byte.
 */
export const HOST_CPU = { syscall_ns: 100, submit_ns: 1500, irq_ns: 1000, context_switch_ns: 1500, copy_ns_per_byte: 0.1 };

/**
 * Seed 001's host: 8 CPUs (one fio thread each), a null_blk-like device (irqmode=1 completes
 * at once: completion_nsec 0, the completion's cost is the CPU's irq_ns), HOST_CPU, kcopyd at
 * 2 us of CPU per job step. The stack is LVM's transient snapshot with 4 KiB chunks: origin and
 * COW areas as dm-linear devices.
 */
export function seed001Setup(variant: "single" | "percpu"): Record<string, unknown> {
  return {
    controller: { namespaces: [{ size: "4G" }] }, cpus: 8, queue_depth: 1024,
    device: { preset: "null_blk", completion_us: 0 },
    cpu: HOST_CPU,
    kcopyd: { variant, job_cpu_us: 2 },
    stack: [
      { name: "base", table: ["0 4194304 linear nvme0n1 0"] },
      { name: "cow", table: ["0 2097152 linear nvme0n1 4194304"] },
      { name: "origin", table: ["0 4194304 snapshot-origin /dev/mapper/base"] },
      { name: "snap", table: ["0 4194304 snapshot /dev/mapper/base /dev/mapper/cow N 8"] },
    ],
  };
}

/** 8 threads of 4 KiB random writes to the origin: every write's chunk is new, so every write waits for a COW. */
export const SEED001_JOB = "[cow]\nfilename=/dev/mapper/origin\nrw=randwrite\nbs=4k\nioengine=psync\nnumjobs=8\nsize=2g\ntime_based\nruntime=${RUNTIME}\n";

function totals(r: FioResult): { iops: number; lat_ns: number } {
  let ios = 0, ms = 0, lat = 0;
  for (const j of r.jobs) {
    const d = j.dirs.write!;
    ios += d.total_ios;
    ms = Math.max(ms, d.runtime_ms);
    lat += d.clat.mean_ns * d.total_ios;
  }
  return { iops: ios / (ms / 1000), lat_ns: lat / ios };
}

export async function seed001(module: WebAssembly.Module, runtime = "50ms"): Promise<{ rows: ReproRow[]; single: { iops: number; lat_ns: number }; percpu: { iops: number; lat_ns: number } }> {
  const run = async (variant: "single" | "percpu") => {
    const host = await buildScenarioHost(module, parseScenario({ ...seed001Setup(variant), steps: [] }, `seed001.${variant}`), `seed001.${variant}`);
    return totals(runFio(host, parseJobFile(SEED001_JOB, "seed001.fio", { RUNTIME: runtime })));
  };
  const single = await run("single");
  const percpu = await run("percpu");
  const gain = (percpu.iops / single.iops - 1) * 100;
  const drop = (1 - percpu.lat_ns / single.lat_ns) * 100;
  const lacks = "the model has no lock contention (dm-snapshot's pending-exception and origin locks, kcopyd's job lists) and no cache or memory-bandwidth effects, so the per-CPU variant scales with the CPUs";
  return {
    single, percpu,
    rows: [
      { experiment: "seed001 dm-snapshot COW, 8 threads, null_blk", metric: "sustained throughput gain, per-CPU kcopyd over single", unit: "%", published: 300, ours: round1(gain), tolerance: "within 15% of the published gain", within: Math.abs(gain - 300) <= 45, note: lacks },
      { experiment: "seed001 dm-snapshot COW, 8 threads, null_blk", metric: "I/O latency decrease, per-CPU kcopyd over single", unit: "%", published: 80, ours: round1(drop), tolerance: "within 3 points", within: Math.abs(drop - 80) <= 3, note: lacks },
    ],
  };
}

const round1 = (x: number) => Math.round(x * 10) / 10;

/**
 * Seed 000's hosts: the target is an NVMe/TCP target (nvmet) whose backend is the TLC SSD model
 * (a 2018-2019 NVMe SSD, as a 2023 desktop target would hold; the seed does not name it) and
 * has no Copy, so nvmet emulates Copy on the target (backend_copy "emulate", as the series'
 * nvmet does); Ethernet at the seed's 1 Gb/s and 100 Gb/s, MTU 1500, a LAN round trip of 100 us
 * (1 GbE desktop NICs) or 20 us (100 GbE server NICs); HOST_CPU on the host, and the same
 * figures on the target: nvmet-tcp's work per command is one I/O's submission and completion
 * (submit_ns + irq_ns), received write data is copied at copy_ns_per_byte, on the seed's target
 * CPUs (a Ryzen 9 5900X's 24 threads at 1 Gb/s; the Xeon Gold 6240 server's 72 at 100 Gb/s),
 * each host queue served by one of them. The workload is not in the seed: 16 synchronous fio jobs (psync) so that
 * neither side is limited by queue depth, at random offsets (rw=randcopy: sixteen jobs at one
 * offset would queue on one die); copy offload is the fork's copy with num_range
 * ranges of bs each; user-space read+write is the same job with emulate=1 (pread + pwrite).
 */
export function seed000Setup(gbps: number): Record<string, unknown> {
  return {
    controller: { namespaces: [{ size: "16G", mssrl: 65535, mcl: 65535, msrc: 127 }], hostRamBytes: "128M" }, cpus: 16, queue_depth: 1024,
    device: { preset: "tlc-970pro" }, cpu: HOST_CPU,
    fabric: {
      transport: "tcp", gbps, rtt_us: gbps >= 100 ? 20 : 100, mtu: 1500, backend_copy: "emulate",
      target_cpus: gbps >= 100 ? 72 : 24, target_cmd_us: (HOST_CPU.submit_ns + HOST_CPU.irq_ns) / 1000, target_copy_ns_per_byte: HOST_CPU.copy_ns_per_byte,
    },
  };
}

function seed000Job(bs: string, ranges: number, emulate: boolean, runtime: string): string {
  return `[copy]\nfilename=/dev/nvme0n1\nrw=randcopy\nbs=${bs}\nnum_range=${ranges}\nsize=4g\ndest_offset=8g\nioengine=psync\nnumjobs=16\nemulate=${emulate ? 1 : 0}\ntime_based\nruntime=${runtime}\n`;
}

/** Run one seed 000 case: MiB/s of data copied, and the busier wire direction's utilisation (%). The playground's NVMe/TCP experiment runs it too. */
export async function seed000Case(module: WebAssembly.Module, gbps: number, bs: string, ranges: number, emulate: boolean, runtime: string): Promise<{ mibs: number; util: number }> {
  const where = `seed000.${gbps}g.${bs}x${ranges}.${emulate ? "rw" : "copy"}`;
  const host = await buildScenarioHost(module, parseScenario({ ...seed000Setup(gbps), steps: [] }, where), where);
  const model = (host.blk.disk("nvme0n1") as unknown as { ctrl: { model: NvmeTcpModel } }).ctrl.model;
  const start = host.blk.sim.now_ns;
  const r = runFio(host, parseJobFile(seed000Job(bs, ranges, emulate, runtime), "seed000.fio"));
  const span = host.blk.sim.now_ns - start;
  let bytes = 0, ms = 0;
  for (const j of r.jobs) { bytes += j.dirs.copy!.io_bytes; ms = Math.max(ms, j.dirs.copy!.runtime_ms); }
  const w = model.wire();
  // over the run and the time the wire then needs for what is still booked on it
  const busyFor = Math.max(span, w.h2c.end_ns - start, w.c2h.end_ns - start);
  return { mibs: bytes / 2 ** 20 / (ms / 1000), util: (100 * Math.max(w.h2c.busy_ns, w.c2h.busy_ns)) / busyFor };
}

/** Why no one set of physical parameters can give both of seed 000's 2 MiB copy figures. */
export const INCONSISTENT_2M = "the published 2 MiB copy offload figures cannot both hold for one target: the copy moves no data over the link (0.62% and ~0% utilisation), so 1 Gb/s and 100 Gb/s should give the same bandwidth, yet the seed reports 2655 and 1183 MiB/s; our model gives the same figure at both speeds, as physics says";

export async function seed000(module: WebAssembly.Module, quick = false): Promise<ReproRow[]> {
  const rows: ReproRow[] = [];
  const cases = SEED000_PUBLISHED.map((c) => [c.series, c.gbps, c.bs, c.ranges, c.rw_mibs, c.copy_mibs, c.rw_util_pct, c.copy_util_pct] as const);
  const lacks = "the seed does not give the fio job, the target's SSD or the round trip; the host and target CPU costs are general x86 figures, not measured on the seed's machines";
  // what holds each case's figures where they are, from runs of the model (see docs/TIMING.md)
  const why: Record<string, string> = {
    "1/8k": "each of the 16 psync jobs has one copy in flight, so offload's figure is one copy's round trip (the link's RTT, the target's SSD read and write), and the seed gives neither its jobs nor its RTT",
    "1/2m": "the model keeps the 1 Gb/s wire busier than the seed's hosts did (TCP's congestion control and window limits, which the model does not have, leave a real wire idle at times)",
    "100/8k": "the target emulates a copy with the same SSD work as the host's read and write, without the wire: offload is ahead by what the wire and the host's round trips cost",
    "100/2m": "the modelled SSD (Samsung 970 PRO figures) reads and writes 2 MiB ranges at about twice the seed's rate: the seed's target SSD, or the target CPU that nvmet's emulation and the TCP receive run on, was slower, and the seed names neither",
    "v20/1/8k": "the 2024 copy figure is half the 2023 one on the same link and target: a software difference (v20's emulation punts each copy to a workqueue and keeps one I/O outstanding) that the model's copy path does not make, so both rows get the same figure",
    "v20/1/1m": "a 1 MiB copy is read and written by the target's SSD, so the modelled 970 PRO's read and write rates bound it; the 2024 target's SSD is not named",
    "v20/100/8k": "as in 2023 at 100 Gb/s: offload is ahead by what the wire and the host's round trips cost",
  };
  // the runs do not depend on the series (the model has one copy path): each case runs once
  const runs = new Map<string, { rw: { mibs: number; util: number }; cp: { mibs: number; util: number } }>();
  for (const [series, gbps, bs, ranges, prw, pcp, nrw, ncp] of cases) {
    const runtime = quick ? (bs === "8k" ? "5ms" : "60ms") : bs === "8k" ? "20ms" : "200ms";
    const key = `${gbps}/${bs}/${ranges}`;
    if (!runs.has(key)) {
      runs.set(key, { rw: await seed000Case(module, gbps, bs, ranges, true, runtime), cp: await seed000Case(module, gbps, bs, ranges, false, runtime) });
    }
    const { rw, cp } = runs.get(key)!;
    const exp = `seed000${series ? ` ${series} (2024)` : ""} NVMe/TCP ${gbps} Gb/s, bs ${bs}, ${ranges} range(s)`;
    // an offloaded copy never crosses the link, so the link speed cannot change it: the seed's
    // 2 MiB copies (2655 MiB/s at 1 Gb/s, 1183 at 100 Gb/s) must come from different targets
    const note = `${why[`${series ? `${series}/` : ""}${gbps}/${bs}`]}; ${lacks}`;
    const copyNote = bs === "2m" ? `${note}; ${INCONSISTENT_2M}` : note;
    const bw = (metric: string, published: number, ours: number, n = note): ReproRow =>
      ({ experiment: exp, metric, unit: "MiB/s", published, ours: round1(ours), tolerance: "within 15%", within: Math.abs(ours - published) <= 0.15 * published, note: n });
    const ut = (metric: string, published: number, ours: number): ReproRow =>
      ({ experiment: exp, metric, unit: "%", published, ours: Math.round(ours * 100) / 100, tolerance: "within 3 points", within: Math.abs(ours - published) <= 3, note });
    rows.push(bw("user-space read+write bandwidth", prw, rw.mibs), bw("copy offload bandwidth", pcp, cp.mibs, copyNote));
    rows.push(ut("network utilisation, read+write", nrw, rw.util), ut("network utilisation, copy offload", ncp, cp.util));
  }
  return rows;
}

export function reproReport(rows: ReproRow[]): string {
  const fmt = (x: number | null) => (x === null ? "-" : String(x));
  const lines = ["experiment | metric | published | ours | ours / published | within tolerance", "---|---|---|---|---|---"];
  for (const r of rows) {
    const ratio = r.ours === null || r.published === 0 ? "-" : (r.ours / r.published).toFixed(2);
    lines.push(`${r.experiment} | ${r.metric} (${r.unit}) | ${fmt(r.published)} | ${fmt(r.ours)} | ${ratio} | ${r.within === null ? "not run" : r.within ? "yes" : `no (${r.tolerance})`}`);
  }
  const notes = [...new Set(rows.map((r) => r.note))].map((n) => `- ${n}`);
  return [...lines, "", "Notes:", ...notes].join("\n");
}
