// dm-kcopyd (src/block/dm/kcopyd.ts) as dm targets use it: sub-jobs of 512 KiB with at most
// 8 in flight, up to 8 destinations with the write_err bitmask, zeroing with Write Zeroes,
// the copy-offload path with its read+write fallback, and the two variants: the upstream
// single work item that runs every job on one CPU, and the per-CPU one that keeps a job on its
// caller's CPU. Both variants must leave the same bytes on the media.

import { describe, it, expect } from "vitest";
import { mkHost, pattern, write, read, same } from "./helpers";
import type { BlockLayer } from "../../src/block/blk";
import type { BlockDevice } from "../../src/block/disk";
import type { Task } from "../../src/block/sim";
import { SYSFS } from "../../src/block/limits";
import { hashMedia } from "../../src/controller/media";
import { Sha256 } from "../../src/util/sha256";
import {
  DM_KCOPYD_IGNORE_ERROR, KcopydClient, KcopydConfig, kcopydClientCreate, setKcopydConfig,
} from "../../src/block/dm/kcopyd";


/** Run a kcopyd copy from task t and wait for its callback; returns (read_err, write_err). */
function kcopy(blk: BlockLayer, t: Task, kc: KcopydClient, from: [BlockDevice, number, number], dests: Array<[BlockDevice, number]>, flags = 0) {
  let r: [boolean, number] | null = null;
  blk.sim.as(t, () => kc.copy({ bdev: from[0], sector: from[1], count: from[2] }, dests.map(([bdev, sector]) => ({ bdev, sector, count: from[2] })), flags, (re, we) => { r = [re, we]; }));
  blk.sim.runUntil(() => r !== null, "the kcopyd callback");
  return r!;
}

async function host(cfg: Partial<KcopydConfig> = {}, cpus = 1, namespaces: Array<Record<string, unknown>> = [{}]) {
  const h = await mkHost({ cpus, namespaces });
  setKcopydConfig(h.blk, cfg);
  return { ...h, kc: kcopydClientCreate(h.blk, "test") };
}

/** Reads of the source in flight over time, from the trace's D and C events of READ requests. */
function maxReadsInFlight(blk: BlockLayer): number {
  let n = 0, max = 0;
  for (const e of blk.tracer.events) {
    if (e.rwbs !== "R") continue;
    if (e.action === "D") max = Math.max(max, ++n);
    if (e.action === "C") n--;
  }
  return max;
}

describe("dm-kcopyd", () => {
  it("an 8 MiB copy runs as 8 sub-jobs of 512 KiB: 16 chunks, never more than 8 reads in flight", async () => {
    const { blk, t, d, kc } = await host();
    const data = pattern(8 << 20, 3);
    write(blk, t, d, 0, data);
    blk.tracer.events.length = 0;
    expect(kcopy(blk, t, kc, [d, 0, 16384], [[d, 32768]])).toEqual([false, 0]);
    const reads = blk.tracer.events.filter((e) => e.action === "Q" && e.rwbs === "R");
    expect(reads.map((e) => e.sectors)).toEqual(new Array(16).fill(1024));
    expect(maxReadsInFlight(blk)).toBe(8);
    expect(blk.tracer.events.some((e) => e.action === "m" && /split into 8 sub-jobs of up to 1024 sectors/.test(e.text!))).toBe(true);
    expect([kc.stats.jobs, kc.stats.sub_jobs, kc.stats.read_bytes, kc.stats.write_bytes]).toEqual([1, 16, 8 << 20, 8 << 20]);
    expect(same(read(blk, t, d, 32768, 8 << 20), data)).toBe(true);
    expect(kc.jobsInFlight).toBe(0);
    kc.destroy();
  });

  it("the sub-job size follows kcopyd_subjob_size_kb (64 KiB: the pre-2019 default, 512 KiB in flight)", async () => {
    const { blk, t, d, kc } = await host({ subjob_size_kb: 64 });
    write(blk, t, d, 0, pattern(1 << 20, 4));
    blk.tracer.events.length = 0;
    kcopy(blk, t, kc, [d, 0, 2048], [[d, 4096]]);
    const q = blk.tracer.events.filter((e) => e.action === "Q");
    expect(q.filter((e) => e.rwbs === "R").map((e) => e.sectors)).toEqual(new Array(16).fill(128));
    // 8 sub-jobs read their first chunks in one do_work, inside its plug: 8 reads before any write,
    // and the contiguous ones back-merge (M) into one request
    expect(q.findIndex((e) => e.rwbs === "W")).toBe(8);
    expect(blk.tracer.events.filter((e) => e.action === "M" && e.rwbs === "R").length).toBeGreaterThanOrEqual(7);
  });

  it("three destinations get the same bytes; a destination that fails sets its bit in write_err", async () => {
    // nvme0n2 has 4 KiB blocks: a region at sector 1 there is misaligned and its write fails
    const { blk, t, d, kc } = await host({}, 1, [{}, { formatIndex: 4, blocks: 4096 }]);
    const n2 = blk.disk("nvme0n2");
    const data = pattern(65536, 5);
    write(blk, t, d, 0, data);
    expect(kcopy(blk, t, kc, [d, 0, 128], [[d, 1000], [n2, 0], [d, 3000]])).toEqual([false, 0]);
    for (const [dev, s] of [[d, 1000], [n2, 0], [d, 3000]] as const) expect(same(read(blk, t, dev, s, 65536), data)).toBe(true);
    expect(kcopy(blk, t, kc, [d, 0, 128], [[d, 5000], [n2, 1]])).toEqual([false, 0b10]);
    expect(same(read(blk, t, d, 5000, 65536), data)).toBe(true);
    // a read error: nothing is written
    const before = blk.tracer.commands.filter((c) => c.name === "Write").length;
    expect(kcopy(blk, t, kc, [n2, 1, 8], [[d, 7000]])).toEqual([true, 0]);
    expect(blk.tracer.commands.filter((c) => c.name === "Write").length).toBe(before);
  });

  it("after an error a split job starts no more chunks, unless DM_KCOPYD_IGNORE_ERROR", async () => {
    const { blk, t, d, kc } = await host({ subjob_size_kb: 4 }, 1, [{}, { formatIndex: 4, blocks: 4096 }]);
    const n2 = blk.disk("nvme0n2");
    blk.tracer.events.length = 0;
    // 64 sectors in chunks of 8: every write to n2 at an odd sector fails
    expect(kcopy(blk, t, kc, [d, 0, 64], [[n2, 1]])).toEqual([false, 1]);
    const stopped = blk.tracer.events.filter((e) => e.action === "Q" && e.rwbs === "R").length;
    expect(stopped).toBe(8); // the 8 sub-jobs' first chunks were already out
    blk.tracer.events.length = 0;
    expect(kcopy(blk, t, kc, [d, 0, 128], [[n2, 1]], DM_KCOPYD_IGNORE_ERROR)).toEqual([false, 1]);
    expect(blk.tracer.events.filter((e) => e.action === "Q" && e.rwbs === "R").length).toBe(16);
  });

  it("dm_kcopyd_zero: Write Zeroes when every destination has it, else writes of the zero page", async () => {
    const { blk, t, d, kc } = await host();
    write(blk, t, d, 0, pattern(65536, 6));
    let r: [boolean, number] | null = null;
    blk.sim.as(t, () => kc.zero([{ bdev: d, sector: 0, count: 64 }], 0, (a, b) => { r = [a, b]; }));
    blk.sim.runUntil(() => r !== null, "zero");
    expect(r).toEqual([false, 0]);
    expect(blk.tracer.commands.filter((c) => c.name === "Write Zeroes").length).toBe(1);
    expect(read(blk, t, d, 0, 32768).every((b) => b === 0)).toBe(true);
    d.limits.max_write_zeroes_sectors = 0;
    r = null;
    blk.sim.as(t, () => kc.zero([{ bdev: d, sector: 64, count: 64 }], 0, (a, b) => { r = [a, b]; }));
    blk.sim.runUntil(() => r !== null, "zero");
    expect(blk.tracer.commands.filter((c) => c.name === "Write Zeroes").length).toBe(1);
    expect(read(blk, t, d, 0, 65536).every((b) => b === 0)).toBe(true);
  });

  it("offload: each chunk becomes a Copy (no reads); without copy limits it is read+write; a failed Copy falls back", async () => {
    const { blk, t, d, kc } = await host({ offload: true });
    const data = pattern(1 << 20, 7);
    write(blk, t, d, 0, data);
    const reads0 = blk.tracer.commands.filter((c) => c.name === "Read").length;
    kcopy(blk, t, kc, [d, 0, 2048], [[d, 4096]]);
    expect(blk.tracer.commands.filter((c) => c.name === "Copy" && c.status === 0).length).toBeGreaterThanOrEqual(2);
    expect(blk.tracer.commands.filter((c) => c.name === "Read").length).toBe(reads0);
    expect([kc.stats.offloaded_bytes, kc.stats.read_bytes]).toEqual([1 << 20, 0]);
    expect(same(read(blk, t, d, 4096, 1 << 20), data)).toBe(true);
    // overlapping regions: the copy API refuses them, kcopyd reads then writes (as it always could)
    expect(kcopy(blk, t, kc, [d, 0, 16], [[d, 8]])).toEqual([false, 0]);
    expect(blk.tracer.events.some((e) => e.action === "m" && /not offloaded to nvme0n1: copy: source .* overlaps destination/.test(e.text!))).toBe(true);
    expect(same(read(blk, t, d, 8, 8192), data.subarray(0, 8192))).toBe(true);

    // copy_max_bytes = 0: offload is not tried
    const off = await host({ offload: true });
    write(off.blk, off.t, off.d, 0, data);
    expect(SYSFS.copy_max_bytes.store!(off.d.limits, off.d.flags, 0)).toBeNull();
    const kc2 = kcopydClientCreate(off.blk, "nocopy");
    kcopy(off.blk, off.t, kc2, [off.d, 0, 2048], [[off.d, 4096]]);
    expect(off.blk.tracer.commands.filter((c) => c.name === "Copy").length).toBe(0);
    expect([kc2.stats.offloaded_bytes, kc2.stats.read_bytes]).toEqual([0, 1 << 20]);

    // a Copy the device refuses (4 KiB-block source, 512-byte destination: Incompatible Format)
    const x = await host({ offload: true }, 1, [{}, { formatIndex: 4, blocks: 4096 }]);
    const n2 = x.blk.disk("nvme0n2");
    const small = pattern(8192, 8);
    write(x.blk, x.t, n2, 0, small);
    kcopy(x.blk, x.t, x.kc, [n2, 0, 16], [[x.d, 64]]);
    expect(x.blk.tracer.commands.filter((c) => c.name === "Copy").every((c) => c.status !== 0)).toBe(true);
    expect([x.kc.stats.offloaded_bytes, x.kc.stats.offload_fallback_bytes, x.kc.stats.read_bytes]).toEqual([0, 8192, 8192]);
    expect(same(read(x.blk, x.t, x.d, 64, 8192), small)).toBe(true);
  });

  /** Four tasks on four CPUs each ask kcopyd for 16 small (4 KiB) copies, as COW of small writes does. */
  async function fourCpus(variant: "single" | "percpu") {
    const { h, blk, d } = await mkHost({ cpus: 4, hwQueues: 4, namespaces: [{ blocks: 16384 }] });
    setKcopydConfig(blk, { variant, job_cpu_ns: 5_000 });
    const kc = kcopydClientCreate(blk, variant);
    const tasks = [0, 1, 2, 3].map((cpu) => blk.sim.addTask(200 + cpu, `fio${cpu}`, cpu));
    write(blk, tasks[0], d, 0, pattern(64 * 4096, 9));
    blk.tracer.events.length = 0;
    const t0 = blk.sim.now_ns;
    let done = 0;
    for (let i = 0; i < 16; i++) {
      for (const [k, t] of tasks.entries()) {
        const j = k * 16 + i;
        blk.sim.as(t, () => kc.copy({ bdev: d, sector: j * 8, count: 8 }, [{ bdev: d, sector: 8192 + j * 8, count: 8 }], 0, () => { done++; }));
      }
    }
    blk.sim.runUntil(() => done === 64, "64 kcopyd callbacks");
    const elapsed = blk.sim.now_ns - t0;
    const dispatchCpus = new Set(blk.tracer.events.filter((e) => e.action === "D").map((e) => e.cpu));
    return { kc, elapsed, dispatchCpus, hash: hashMedia(h.core, 1, new Sha256()), comms: new Set(blk.tracer.events.filter((e) => e.action === "Q").map((e) => e.comm)) };
  }

  it("single: every job runs on one CPU, one at a time; percpu: on the callers' four CPUs at once; same bytes", async () => {
    const s = await fourCpus("single");
    const p = await fourCpus("percpu");
    expect(s.dispatchCpus.size).toBe(1);
    expect(s.kc.stats.max_parallel_workers).toBe(1);
    expect(s.kc.stats.runs_per_cpu.filter((n) => n > 0).length).toBe(1);
    expect(p.dispatchCpus).toEqual(new Set([0, 1, 2, 3]));
    expect(p.kc.stats.max_parallel_workers).toBe(4);
    expect(p.kc.stats.runs_per_cpu.every((n) => n > 0)).toBe(true);
    expect([...s.comms].every((c) => /^kworker\/\d:4$/.test(c))).toBe(true);
    expect(p.comms).toEqual(new Set(["kworker/0:4", "kworker/1:4", "kworker/2:4", "kworker/3:4"]));
    // the same data either way; and with CPU time per step, one worker takes longer
    expect(p.hash).toBe(s.hash);
    expect(p.elapsed).toBeLessThan(s.elapsed);
  });

  it("refuses bad regions: 9 destinations, unequal counts, past the end of the device", async () => {
    const { d, kc } = await host();
    const r = (sector: number, count = 8) => ({ bdev: d, sector, count });
    expect(() => kc.copy(r(0), Array.from({ length: 9 }, (_, i) => r(100 + i * 8)), 0, () => {})).toThrow(/9 destinations/);
    expect(() => kc.copy(r(0), [r(100, 16)], 0, () => {})).toThrow(/every region has 8 sectors/);
    expect(() => kc.copy(r(0), [r(d.capacity - 4)], 0, () => {})).toThrow(/invalid/);
    expect(kc.jobsInFlight).toBe(0);
  });

  it("module parameters are checked", async () => {
    const { blk } = await host();
    expect(() => setKcopydConfig(blk, { subjob_size_kb: 2048 })).toThrow(/subjob_size_kb 2048/);
    expect(() => setKcopydConfig(blk, { variant: "both" as "single" })).toThrow(/variant/);
  });
});
