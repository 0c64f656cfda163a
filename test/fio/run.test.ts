// The fio runner on a block host in modelled time, against closed forms: null_blk with a
// fixed completion time gives 1e9 / completion_nsec IOPS per I/O in flight (psync: QD 1,
// libaio: iodepth); an mbps cap bounds bandwidth; rw=copy goes through the copy API (NVMe Copy
// on a ctx device), emulate=1 through reads and writes; numjobs with group_reporting folds
// into one result; ramp_time and time_based bound what is measured; runs are deterministic.

import { MqDisk } from "../../src/block/mq";
import { describe, it, expect } from "vitest";
import { loadCoreModule } from "../../src/node/wasm";
import { buildScenarioHost, parseScenario } from "../../src/block/scenario";
import { runFio } from "../../src/fio/run";
import { formatFio, fioJson } from "../../src/fio/report";
import { FIO_SETUPS } from "../../src/fio/setups";
import { statCalcDist } from "../../src/fio/stats";
import type { FioJob } from "../../src/fio/types";

function job(p: Partial<FioJob> & { name: string }): FioJob {
  const bs = p.bs ?? { read: 4096, write: 4096, trim: 4096, copy: 4096 };
  return {
    line: 1, rw: "read", rw_seq_nr: 1, size: 0, size_percent: 0, offset: 0, offset_percent: 0,
    dest_offset: 0, dest_offset_percent: 0, dest_offset_delta: null, num_range: 1, emulate: false,
    iodepth: 1, iodepth_batch_submit: 1, iodepth_batch_complete_min: 1, numjobs: 1, ioengine: "psync",
    direct: true, runtime_ns: 0, time_based: false, ramp_time_ns: 0, startdelay_ns: 0, filename: "/dev/nvme0n1",
    group_reporting: false, randseed: 0x89, rwmixread: 50, norandommap: false, hipri: false, stonewall: false, new_group: false,
    io_size: 0, number_ios: 0, loops: 1, options: {}, ...p, bs,
  };
}

async function host(setup: Record<string, unknown> = {}) {
  const s = parseScenario({ controller: { namespaces: [{ size: "64M" }] }, cpus: 4, device: { preset: "null_blk", completion_us: 10 }, steps: [], ...setup });
  return buildScenarioHost(await loadCoreModule(false), s);
}

const iops = (io: number, ms: number) => io / (ms / 1000);

describe("fio runner", () => {
  it("psync randread 4k on null_blk (completion_nsec=10000): 100K IOPS, clat 10 us, one pass of the region", async () => {
    const r = runFio(await host(), [job({ name: "rr", rw: "randread", size: 4 << 20 })]);
    const d = r.jobs[0].dirs.read!;
    expect(d.total_ios).toBe(1024);
    expect(d.io_bytes).toBe(4 << 20);
    expect(d.runtime_ms).toBeCloseTo(10.24, 6);
    expect(iops(d.total_ios, d.runtime_ms)).toBeCloseTo(100_000, 3);
    expect([d.clat.min_ns, d.clat.max_ns, d.clat.mean_ns]).toEqual([10_000, 10_000, 10_000]);
    expect(d.slat).toBeNull();
    expect(r.jobs[0].io_u_map).toEqual([1024, 0, 0, 0, 0, 0, 0]);
    expect(r.disk_util.map((x) => [x.name, x.read_ios])).toEqual([["nvme0n1", 1024]]);
  });

  it("libaio iodepth=8: 8 in flight, 800K IOPS; IO depths at 8", async () => {
    const r = runFio(await host(), [job({ name: "q8", rw: "randread", ioengine: "libaio", iodepth: 8, size: 8 << 20 })]);
    const d = r.jobs[0].dirs.read!;
    expect(iops(d.total_ios, d.runtime_ms)).toBeCloseTo(800_000, 0);
    expect(d.slat).not.toBeNull();
    // completions come back together (a fixed completion time), so each refill commits 1..8:
    // as fio's io_u_mark_depth counts them, at the depth after each commit
    const level = statCalcDist(r.jobs[0].io_u_map, d.total_ios);
    expect(level.slice(0, 4).map((x) => Math.round(x * 10) / 10)).toEqual([12.5, 25, 50, 12.5]);
    expect(level.slice(4)).toEqual([0, 0, 0]);
  });

  it("null_blk mbps=400 caps 128k sequential reads at QD 32 near 400 MB/s", async () => {
    const h = await host({ device: { preset: "null_blk", completion_us: 10, mbps: 400 } });
    const r = runFio(h, [job({ name: "cap", rw: "read", ioengine: "libaio", iodepth: 32, bs: { read: 131072, write: 131072, trim: 131072, copy: 131072 }, size: 32 << 20 })]);
    const d = r.jobs[0].dirs.read!;
    const mbps = d.io_bytes / (d.runtime_ms / 1000) / 1e6;
    expect(mbps).toBeGreaterThan(390);
    expect(mbps).toBeLessThan(401);
  });

  it("rw=copy: each copy is an NVMe Copy (ctx) of num_range ranges to dest_offset; emulate=1 reads and writes", async () => {
    // MCL 4096 blocks: a copy of two 64 KiB ranges fits one Copy (the default MCL of 128 would cut it in two)
    const h = await host({ controller: { namespaces: [{ size: "64M", mssrl: 256, mcl: 4096 }] } });
    const r = runFio(h, [job({ name: "cp", rw: "randcopy", bs: { read: 4096, write: 4096, trim: 4096, copy: 65536 }, size: 1 << 20, dest_offset: 32 << 20, num_range: 2 })], { trace: true });
    const d = r.jobs[0].dirs.copy!;
    expect(d.total_ios).toBe(8);
    expect(d.io_bytes).toBe(1 << 20);
    const copies = h.blk.tracer.commands.filter((c) => c.name === "Copy");
    expect(copies.length).toBe(8);
    // randcopy: two ranges of their own (random map) per Copy, to a destination in the area at dest_offset
    expect(copies.every((c) => c.nr === 2 && c.ranges!.every((x) => x.nlb === 128) && c.slba! >= (32 << 20) / 512 && c.slba! < (33 << 20) / 512)).toBe(true);
    const srcBlocks = copies.flatMap((c) => c.ranges!.map((x) => x.slba));
    expect(new Set(srcBlocks).size).toBe(16); // every 64 KiB block of the 1 MiB region once
    const h2 = await host();
    const e = runFio(h2, [job({ name: "cpe", rw: "copy", emulate: true, bs: { read: 4096, write: 4096, trim: 4096, copy: 65536 }, size: 1 << 20, dest_offset: 32 << 20 })], { trace: true });
    expect(e.jobs[0].dirs.copy!.total_ios).toBe(16);
    expect(h2.blk.tracer.commands.filter((c) => c.name === "Copy").length).toBe(0);
    expect(h2.blk.tracer.commands.filter((c) => c.name === "Read").length).toBe(16);
  });

  it("ioengine=sctl (the fork's BLKCOPY engine) copies as psync's copy_file_range does: the same commands and figures", async () => {
    const run = async (ioengine: "psync" | "sctl", emulate: boolean) => {
      const h = await host({ controller: { namespaces: [{ size: "64M", mssrl: 256, mcl: 4096 }] } });
      const r = runFio(h, [job({ name: "cp", rw: "randcopy", ioengine, emulate, bs: { read: 4096, write: 4096, trim: 4096, copy: 65536 }, size: 1 << 20, dest_offset: 32 << 20, num_range: 2 })], { trace: true });
      return { copy: r.jobs[0].dirs.copy, names: h.blk.tracer.commands.map((c) => `${c.name} ${c.slba}`) };
    };
    for (const emulate of [false, true]) {
      const p = await run("psync", emulate), s = await run("sctl", emulate);
      expect(s.copy!.total_ios).toBe(8);
      expect(s).toEqual(p);
    }
  });

  it("numjobs=4: four results (the report folds them with group_reporting), each on its own CPU", async () => {
    const base = { name: "mj", rw: "randread" as const, size: 4 << 20, numjobs: 4 };
    const g = runFio(await host(), [job({ ...base, group_reporting: true })]);
    const text = formatFio(g);
    expect(text).toMatch(/^mj: \(groupid=0, jobs=4\): err= 0: pid=4000:/m);
    expect(text).toMatch(/^     issued rwts: total=4096,0,0,0 /m);
    // 4 tasks at QD 1 on null_blk (10 us): 400K IOPS together; fio's update_runtime rounds
    // 10.24 ms up to 11 msec, so fio's arithmetic prints 4096 * 1000 / 11 = 372k
    expect(text).toMatch(/^  read: IOPS=372k, /m);
    const s = runFio(await host(), [job(base)]);
    expect(s.jobs.map((j) => j.dirs.read!.total_ios)).toEqual([1024, 1024, 1024, 1024]);
    expect(new Set(s.jobs.map((j) => j.pid)).size).toBe(4);
  });

  it("time_based runtime=50ms with ramp_time=10ms: only the 50 ms after the ramp are measured", async () => {
    const r = runFio(await host(), [job({ name: "tb", rw: "randread", size: 1 << 20, time_based: true, runtime_ns: 50e6, ramp_time_ns: 10e6 })]);
    const d = r.jobs[0].dirs.read!;
    expect(d.runtime_ms).toBeCloseTo(50, 1);
    // the ramp ends when the I/O completing at 10 ms is reaped: fio's ramp_time_over resets the
    // stats there and then accounts that completion (should_account), so 5001 completions are
    // measured, while issued rwts counts the 5000 I/Os issued after the reset
    expect(d.total_ios).toBe(5001);
    expect(d.io_bytes).toBe(5001 * 4096);
    expect(d.bw_samples_kib.length).toBe(1);
    const j = r.jobs[0];
    expect(j.issued_total.read).toBe(5000);
    // the depth / submit / complete maps and ctx were reset with the rest (reset_io_stats, clear_rusage_stat)
    expect(j.io_u_map).toEqual([5000, 0, 0, 0, 0, 0, 0]);
    expect(j.total_submit).toBe(5000);
    expect(j.total_complete).toBe(5001);
    expect(j.ctx).toBe(5000);
    // so the lat buckets are shares of the 5000 issued: fio's stat_calc_lat gives 100.02%
    expect(formatFio(r)).toMatch(/^  lat \(usec\)   : 20=100\.02%$/m);
  });

  it("disk stats list each job's device when it starts, a dm device with its slaves after it (diskutil.c)", async () => {
    // two dm-linear devices over nvme0n1: the job on dm-0 brings nvme0n1 in as dm-0's slave;
    // the later job's dm-1 finds nvme0n1 already listed, so fio links no slave to it
    const stack = [{ name: "a", table: ["0 32768 linear nvme0n1 0"] }, { name: "b", table: ["0 32768 linear nvme0n1 65536"] }];
    const h = await host({ stack });
    const r = runFio(h, [job({ name: "w", rw: "write", filename: "/dev/dm-0", size: 1 << 20 }), job({ name: "r", rw: "read", filename: "/dev/dm-1", size: 1 << 20, stonewall: true })]);
    expect(r.disk_util.map((d) => [d.name, d.slaves ?? []])).toEqual([["dm-0", ["nvme0n1"]], ["nvme0n1", []], ["dm-1", []]]);
    // each disk counts from when it entered the list: dm-1 only the reads of its job
    expect(r.disk_util.map((d) => [d.read_ios, d.write_ios])).toEqual([[0, 256], [256, 256], [256, 0]]);
    expect(formatFio(r)).toContain("\nDisk stats (read/write):\n    dm-0: ios=0/256, sectors=0/2048, merge=0/0, ");
  });

  it("a job's device is listed even when it did no read or write (ios=0/0), as fio lists every job's disk", async () => {
    const r = runFio(await host(), [job({ name: "t", rw: "randtrim", size: 1 << 20 })]);
    expect(r.disk_util.map((d) => [d.name, d.read_ios, d.write_ios])).toEqual([["nvme0n1", 0, 0]]);
    expect(formatFio(r)).toMatch(/\nDisk stats \(read\/write\):\n  nvme0n1: ios=0\/0, sectors=0\/0, /);
  });

  it("stonewall: the second job starts when the first has finished", async () => {
    const h = await host();
    const r = runFio(h, [job({ name: "w", rw: "write", size: 1 << 20 }), job({ name: "r", rw: "read", size: 1 << 20, stonewall: true })]);
    expect(r.jobs.map((j) => j.groupid)).toEqual([0, 1]);
    expect(r.jobs[1].job_start_ms).toBeCloseTo(r.jobs[0].job_start_ms + r.jobs[0].job_runtime_ms, 6);
  });

  it("is deterministic: the same jobs give the same results", async () => {
    const j = [job({ name: "mix", rw: "randrw", rwmixread: 70, ioengine: "libaio", iodepth: 4, size: 2 << 20 })];
    const a = runFio(await host(), j);
    const b = runFio(await host(), j);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    const rd = a.jobs[0].dirs.read!.total_ios, wr = a.jobs[0].dirs.write!.total_ios;
    expect(rd + wr).toBe(512);
    expect(rd / 512).toBeGreaterThan(0.6);
    expect(rd / 512).toBeLessThan(0.8);
  });

  it("the host CPU model: syscall, submit, irq and context switch add to each psync I/O; sys= is the task's share", async () => {
    const cpu = { syscall_ns: 1000, submit_ns: 2000, irq_ns: 1000, context_switch_ns: 3000 };
    const r = runFio(await host({ cpu }), [job({ name: "c", rw: "randread", size: 4 << 20 })]);
    const d = r.jobs[0].dirs.read!;
    // per I/O: syscall + submit (3 us), device 10 us, irq 1 us, wake: context switch + syscall return (4 us) = 18 us
    expect(d.runtime_ms).toBeCloseTo((1024 * 18_000) / 1e6, 6);
    // clat is the whole pread, as fio times it (issue_time before the call, the completion's
    // time after it returns): 3 (submit) + 10 + 1 + 4 us; at QD 1 IOPS is 1 / clat
    expect(d.clat.mean_ns).toBeCloseTo(18_000, 6);
    expect(r.jobs[0].sys_cpu).toBeCloseTo((100 * 7) / 18, 6);
    // the task's CPU also ran the completion interrupts: (3 + 1 + 4) of every 18 us
    expect(r.cpu_util_per_core![0]).toBeCloseTo((100 * 8) / 18, 1);
    expect(r.cpu_util_per_core!.slice(1)).toEqual([0, 0, 0]);
    expect(() => parseScenario({ cpu: { syscall_us: 1 }, steps: [] })).toThrow(/cpu\.syscall_us: unknown key/);
  });

  it("a trace changes no figure: __submit_bio's plug, built only when a trace records its P and U, issues what no plug would", async () => {
    const cpu = { syscall_ns: 1000, submit_ns: 2000, irq_ns: 1000, context_switch_ns: 3000 };
    const cases: Array<[Record<string, unknown>, FioJob[]]> = [
      [{}, [job({ name: "aio", rw: "randrw", ioengine: "libaio", iodepth: 16, iodepth_batch_submit: 4, size: 2 << 20 })]],
      [{ cpu }, [job({ name: "p", rw: "randwrite", size: 1 << 20, numjobs: 2 }), job({ name: "s", rw: "read", bs: { read: 128 << 10, write: 4096, trim: 4096, copy: 4096 }, size: 4 << 20 })]],
      [{ device: "tlc-970pro", scheduler: { nvme0n1: "mq-deadline" } }, [job({ name: "dl", rw: "randread", ioengine: "io_uring", iodepth: 8, size: 1 << 20 })]],
      [{ device: "tlc-970pro", cpus: 1 }, [job({ name: "q", rw: "randwrite", ioengine: "libaio", iodepth: 32, size: 1 << 20, sync: "dsync" })]],
    ];
    for (const [setup, jobs] of cases) {
      const plain = runFio(await host(setup), jobs);
      const traced = runFio(await host(setup), jobs, { trace: true });
      expect(JSON.stringify(traced.jobs)).toBe(JSON.stringify(plain.jobs));
      expect(JSON.stringify(traced.disk_util)).toBe(JSON.stringify(plain.disk_util));
    }
  });

  it("libaio with the CPU model: slat is the io_submit's time (fio takes issue_time when it returns), clat runs from there, lat is both", async () => {
    const cpu = { syscall_ns: 1000, submit_ns: 2000, irq_ns: 1000, context_switch_ns: 3000 };
    const r = runFio(await host({ cpu }), [job({ name: "a", rw: "randread", ioengine: "libaio", iodepth: 1, size: 4 << 20 })]);
    const d = r.jobs[0].dirs.read!;
    // per I/O: io_submit 3 us (syscall + submit), device 10 us, irq 1 us, then the task wakes (4 us) and refills
    expect(d.runtime_ms).toBeCloseTo((1024 * 18_000) / 1e6, 6);
    expect([d.slat!.n, d.slat!.min_ns, d.slat!.max_ns]).toEqual([1024, 3000, 3000]);
    // clat: device, irq and the wake-up that returns io_getevents (fio stamps the completion then)
    expect([d.clat.min_ns, d.clat.max_ns]).toEqual([15_000, 15_000]);
    expect([d.lat.n, d.lat.min_ns, d.lat.max_ns]).toEqual([1024, 18_000, 18_000]);
    expect(formatFio(r)).toMatch(/\n {4}slat \(nsec\): min=3000, max=3000, avg=3000\.00, stdev= 0\.00\n {4}clat \(nsec\): min=15000, max=15000, avg=15000\.00, stdev= 0\.00\n {5}lat \(nsec\): min=18000, max=18000, avg=18000\.00, stdev= 0\.00\n/);
    // free CPUs: slat 0, lat equal to clat
    const free = runFio(await host(), [job({ name: "a", rw: "randread", ioengine: "libaio", iodepth: 1, size: 4 << 20 })]).jobs[0].dirs.read!;
    expect([free.slat!.n, free.slat!.max_ns, free.lat.mean_ns]).toEqual([1024, 0, free.clat.mean_ns]);
  });

  it("io_uring hipri (polled completions): no interrupt and no context switch; the task spins on its CPU until the completion", async () => {
    const cpu = { syscall_ns: 1000, submit_ns: 2000, irq_ns: 1000, context_switch_ns: 3000, poll_ns: 500 };
    const r = runFio(await host({ cpu }), [job({ name: "p", rw: "randread", ioengine: "io_uring", iodepth: 1, hipri: true, size: 4 << 20 })]);
    const d = r.jobs[0].dirs.read!;
    // per I/O: syscall + submit (3 us), device 10 us found by the poll at 13 us, syscall return 1 us = 14 us
    expect(d.runtime_ms).toBeCloseTo((1024 * 14_000) / 1e6, 6);
    expect(r.jobs[0].sys_cpu).toBeCloseTo(100, 6);
    expect(r.cpu_util_per_core![0]).toBeCloseTo(100, 1);
    expect(() => parseScenario({ steps: [] })).not.toThrow();
  });

  it("pvsync2 hipri is not polled: Linux ignores RWF_HIPRI for synchronous direct I/O (since 5.18), so it runs as without hipri", async () => {
    const cpu = { syscall_ns: 1000, submit_ns: 2000, irq_ns: 1000, context_switch_ns: 3000, poll_ns: 500 };
    const h = await host({ cpu });
    const r = runFio(h, [job({ name: "p", rw: "randread", ioengine: "pvsync2", hipri: true, size: 4 << 20 })], { trace: true });
    // the 18 us of an interrupt-driven psync read (the CPU model test above), not polling's 14
    expect(r.jobs[0].dirs.read!.runtime_ms).toBeCloseTo((1024 * 18_000) / 1e6, 6);
    expect(r.jobs[0].ctx).toBe(1024);
    expect(h.blk.tracer.events.filter((e) => e.action === "Q").every((e) => e.rwbs === "R")).toBe(true);
  });

  it("sync=1 with psync: every write is REQ_FUA (WFS) and its system call then flushes (generic_write_sync -> blkdev_issue_flush)", async () => {
    const cpu = { syscall_ns: 1000, submit_ns: 2000, irq_ns: 1000, context_switch_ns: 3000 };
    const h = await host({ cpu });
    const r = runFio(h, [job({ name: "w", rw: "write", size: 64 << 10, sync: "sync" })], { trace: true });
    const names = h.blk.tracer.commands.map((c) => c.name);
    expect(names).toEqual(new Array(16).fill(["Write", "Flush"]).flat());
    expect(h.blk.tracer.events.filter((e) => e.action === "Q").map((e) => e.rwbs)).toEqual(new Array(16).fill(["WFS", "FWS"]).flat());
    const d = r.jobs[0].dirs.write!;
    // per write: syscall + submit 3 us, Write 10 us, irq 1, wake + the flush's submit 5, Flush 10, irq 1, wake + syscall return 4 = 34 us;
    // clat is the whole write system call, as fio times it
    expect(d.runtime_ms).toBeCloseTo((16 * 34_000) / 1e6, 6);
    expect(d.clat.mean_ns).toBeCloseTo(34_000, 6);
    // two sleeps per write (the write, then the flush); fio counts no sync of its own
    expect([r.jobs[0].ctx, r.jobs[0].issued_sync ?? 0, r.jobs[0].sync]).toEqual([32, 0, undefined]);
    expect(r.disk_util.map((x) => [x.write_ios, x.write_sectors])).toEqual([[32, 128]]);
  });

  it("sync=dsync with libaio: REQ_FUA writes and no flush (the asynchronous direct write returns -EIOCBQUEUED, so no generic_write_sync); without a write cache FUA is dropped", async () => {
    const h = await host();
    runFio(h, [job({ name: "w", rw: "write", ioengine: "libaio", iodepth: 4, size: 64 << 10, sync: "dsync" })], { trace: true });
    expect(h.blk.tracer.commands.map((c) => c.name)).toEqual(new Array(16).fill("Write"));
    expect(h.blk.tracer.events.filter((e) => e.action === "Q").every((e) => e.rwbs === "WFS")).toBe(true);
    // psync on a device without a volatile write cache: submit_bio_noacct drops FUA and PREFLUSH, and the empty flush ends at once
    const cpu = { syscall_ns: 1000, submit_ns: 2000, irq_ns: 1000, context_switch_ns: 3000 };
    const h2 = await host({ cpu, controller: { vwc: 0, namespaces: [{ size: "64M" }] } });
    const r2 = runFio(h2, [job({ name: "w", rw: "write", size: 64 << 10, sync: "sync" })], { trace: true });
    expect(h2.blk.tracer.commands.map((c) => c.name)).toEqual(new Array(16).fill("Write"));
    // the empty flush ends in submit_bio_noacct, before blk-core traces a Q
    expect(h2.blk.tracer.events.filter((e) => e.action === "Q").map((e) => e.rwbs)).toEqual(new Array(16).fill("WS"));
    // per write: 3 + 10 + 1, wake + submit 5 (the flush ends inside submit_bio), syscall return 1 = 20 us; one sleep per write
    expect(r2.jobs[0].dirs.write!.runtime_ms).toBeCloseTo((16 * 20_000) / 1e6, 6);
    expect(r2.jobs[0].ctx).toBe(16);
  });

  it("rw=randread:4: a new random offset every 4 I/Os, the next blocks between", async () => {
    const h = await host();
    runFio(h, [job({ name: "r4", rw: "randread", rw_seq_nr: 4, number_ios: 16, size: 64 << 20 })], { trace: true });
    const lbas = h.blk.tracer.commands.filter((c) => c.name === "Read").map((c) => c.slba!);
    expect(lbas).toHaveLength(16);
    for (let i = 0; i < 16; i++) if (i % 4) expect(lbas[i]).toBe(lbas[i - 1] + 8);
    expect(new Set([0, 4, 8, 12].map((i) => lbas[i])).size).toBe(4);
  });
  it("randread with the random map reads every block once per pass, and starts a new pass when all are read", async () => {
    const h = await host();
    // 64 blocks of 4 KiB; 128 I/Os: two passes
    runFio(h, [job({ name: "map", rw: "randread", number_ios: 128, size: 64 * 4096, time_based: false, loops: 2 })], { trace: true });
    const lbas = h.blk.tracer.commands.filter((c) => c.name === "Read").map((c) => c.slba! / 8);
    expect(lbas).toHaveLength(128);
    expect(new Set(lbas.slice(0, 64)).size).toBe(64);
    expect(new Set(lbas.slice(64)).size).toBe(64);
    expect(lbas.slice(0, 64)).not.toEqual(lbas.slice(64));
  });

  it("fsync=4: one NVMe Flush per 4 writes issued, none after the last write; the sync block, issued rwts and disk stats count them", async () => {
    const h = await host();
    const r = runFio(h, [job({ name: "w", rw: "write", size: 400 << 10, fsync: 4 })], { trace: true });
    const names = h.blk.tracer.commands.map((c) => c.name);
    expect(names.filter((n) => n === "Write").length).toBe(100);
    expect(names.filter((n) => n === "Flush").length).toBe(24);
    // each Flush follows the 4th, 8th, ... write, and the job waits for it before writing again
    expect(names.slice(0, 10)).toEqual(["Write", "Write", "Write", "Write", "Flush", "Write", "Write", "Write", "Write", "Flush"]);
    const disk = h.blk.disks.get("nvme0n1") as MqDisk;
    expect(disk.flushesIssued).toBe(24);
    const j = r.jobs[0];
    expect([j.issued_total.write, j.issued_sync, j.issued_datasync, j.sync!.n]).toEqual([100, 24, 0, 24]);
    // psync: each sync is one I/O at depth 1 and one submit / complete call, as fio counts them
    expect(j.io_u_map[0]).toBe(124);
    expect([j.total_submit, j.total_complete]).toEqual([124, 124]);
    // a sync takes the Flush's 10 us on null_blk
    expect([j.sync!.min_ns, j.sync!.max_ns]).toEqual([10_000, 10_000]);
    const text = formatFio(r);
    expect(text).toContain("  lat (usec)   : 20=100.00%\n  fsync/fdatasync/sync_file_range:\n    sync (nsec): min=10000, max=10000, avg=10000.00, stdev= 0.00\n    sync percentiles (nsec):\n     |  1.00th=[10048],");
    expect(text).toContain("  IO depths    : 1=124.0%,");
    // with the CPU model the fsync(2) is timed as fio times a sync call, to its return: entry and
    // the flush's submission 3 us, Flush 10, irq 1, the wake-up and the call's return 4 = 18 us
    const cpu = { syscall_ns: 1000, submit_ns: 2000, irq_ns: 1000, context_switch_ns: 3000 };
    const rc = runFio(await host({ cpu }), [job({ name: "w", rw: "write", size: 64 << 10, fsync: 4 })]);
    expect([rc.jobs[0].sync!.n, rc.jobs[0].sync!.min_ns, rc.jobs[0].sync!.max_ns]).toEqual([3, 18_000, 18_000]);
    expect(text).toContain("     issued rwts: total=0,100,0,24 short=0,0,0,0 dropped=0,0,0,0\n");
    // the kernel counts each empty PREFLUSH write as a write of 0 sectors (diskstats)
    expect(r.disk_util.map((d) => [d.write_ios, d.write_sectors])).toEqual([[124, 800]]);
    const json = fioJson(r) as { jobs: Array<{ sync: { total_ios: number; lat_ns: { N: number; percentile: Record<string, number> } } }> };
    expect(json.jobs[0].sync.total_ios).toBe(24);
    expect(json.jobs[0].sync.lat_ns.N).toBe(24);
    expect(json.jobs[0].sync.lat_ns.percentile["50.000000"]).toBe(10048);
  });

  it("fdatasync: counted where fio's total_io_u[DDIR_DATASYNC] lands (short_io_u[read]); the JSON sync total_ios stays 0", async () => {
    const h = await host();
    const r = runFio(h, [job({ name: "w", rw: "randwrite", size: 256 << 10, fdatasync: 8 })], { trace: true });
    expect(h.blk.tracer.commands.filter((c) => c.name === "Flush").length).toBe(7);
    expect(formatFio(r)).toContain("     issued rwts: total=0,64,0,0 short=7,0,0,0 dropped=0,0,0,0\n");
    const json = fioJson(r) as { jobs: Array<{ read: { short_ios: number }; sync: { total_ios: number; lat_ns: { N: number } } }> };
    expect([json.jobs[0].sync.total_ios, json.jobs[0].sync.lat_ns.N, json.jobs[0].read.short_ios]).toEqual([0, 7, 7]);
  });

  it("io_uring fsync=1: each sync is an IORING_OP_FSYNC that the ring's io-wq worker runs (iou-wrk), timed from its issue to its reap", async () => {
    const cpu = { syscall_ns: 1000, submit_ns: 2000, irq_ns: 1000, context_switch_ns: 3000 };
    const h = await host({ cpu });
    const r = runFio(h, [job({ name: "w", rw: "write", ioengine: "io_uring", iodepth: 1, size: 64 << 10, fsync: 1 })], { trace: true });
    const j = r.jobs[0];
    expect(h.blk.tracer.commands.map((c) => c.name)).toEqual(new Array(16).fill(["Write", "Flush"]).flat().slice(0, 31));
    // the flush bio is the worker's: iou-wrk-<fio's pid>, with a pid of its own
    const q = h.blk.tracer.events.filter((e) => e.action === "Q" && e.rwbs === "FWS");
    expect(q).toHaveLength(15);
    expect(q.every((e) => e.comm === `iou-wrk-${j.pid}` && e.pid !== j.pid)).toBe(true);
    // a sync: io_uring_enter 3 us, the worker wakes and submits 5, Flush 10, irq 1, the worker wakes 3 = 22 us to its CQE,
    // and fio reaps it when its task has woken (4) = 26 us
    expect([j.issued_sync, j.sync!.n, j.sync!.min_ns, j.sync!.max_ns]).toEqual([15, 15, 26_000, 26_000]);
    expect(formatFio(r)).toContain("     issued rwts: total=0,16,0,15 short=0,0,0,0 dropped=0,0,0,0\n");
    // a write (3 + 10 + 1 + 4 = 18 us) and, but for the last, a sync (22 + the task's wake 4): 16 x 18 + 15 x 26 us
    expect(j.dirs.write!.runtime_ms).toBeCloseTo((16 * 18_000 + 15 * 26_000) / 1e6, 6);
  });

  it("io_uring fsync= at depth 4: the sync is one more io_u in flight beside the writes (no IOSQE_IO_DRAIN); without a write cache it ends in the worker at once", async () => {
    const h = await host();
    const r = runFio(h, [job({ name: "w", rw: "write", ioengine: "io_uring", iodepth: 4, size: 256 << 10, fsync: 4 })], { trace: true });
    const j = r.jobs[0];
    expect(j.issued_sync).toBe(15);
    expect(h.blk.tracer.commands.filter((c) => c.name === "Flush")).toHaveLength(15);
    // a Flush goes out while writes are still outstanding: 4 io_us hold 3 writes and the sync
    const names = h.blk.tracer.commands.map((c) => c.name);
    const firstFlush = names.indexOf("Flush");
    const done = h.blk.tracer.commands.slice(0, firstFlush).filter((c) => (c.done_ns ?? Infinity) <= h.blk.tracer.commands[firstFlush].time_ns!).length;
    expect(done).toBeLessThan(firstFlush);
    expect(j.io_u_map.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    const h2 = await host({ controller: { vwc: 0, namespaces: [{ size: "64M" }] } });
    const r2 = runFio(h2, [job({ name: "w", rw: "write", ioengine: "io_uring", iodepth: 4, size: 64 << 10, fsync: 2 })], { trace: true });
    expect(h2.blk.tracer.commands.map((c) => c.name)).toEqual(new Array(16).fill("Write"));
    expect([r2.jobs[0].issued_sync, r2.jobs[0].sync!.n]).toEqual([7, 7]);
  });

  it("without a volatile write cache a sync sends no command and ends at once; reads never sync; end_fsync adds one uncounted sync", async () => {
    const h = await host({ controller: { vwc: 0, namespaces: [{ size: "64M" }] } });
    const r = runFio(h, [job({ name: "w", rw: "write", size: 64 << 10, fsync: 2 })], { trace: true });
    expect(h.blk.tracer.commands.map((c) => c.name)).toEqual(new Array(16).fill("Write"));
    expect([r.jobs[0].issued_sync, r.jobs[0].sync!.max_ns, r.jobs[0].ctx]).toEqual([7, 0, 16]);
    const h2 = await host();
    const rd = runFio(h2, [job({ name: "r", rw: "read", size: 64 << 10, fsync: 1 })], { trace: true });
    expect(h2.blk.tracer.commands.some((c) => c.name === "Flush")).toBe(false);
    expect(rd.jobs[0].sync).toBeUndefined();
    const h3 = await host();
    const e = runFio(h3, [job({ name: "w", rw: "write", ioengine: "libaio", iodepth: 4, size: 64 << 10, end_fsync: true })], { trace: true });
    const names = h3.blk.tracer.commands.map((c) => c.name);
    expect(names.filter((n) => n === "Flush").length).toBe(1);
    expect(names[names.length - 1]).toBe("Flush");
    expect([e.jobs[0].issued_sync ?? 0, e.jobs[0].sync]).toEqual([0, undefined]);
    // the job's runtime includes the final flush (update_runtime after do_io)
    expect(e.jobs[0].dirs.write!.runtime_ms).toBeGreaterThan(0.04 + 0.01 - 1e-9);
  });
  it("the plain per-I/O path (planPlain) gives exactly what the general path gives: fio's JSON, every NVMe command and the disk stats", async () => {
    // jobs the plan takes (one direction, free CPUs) and ones it leaves or turns off part-way
    // (ramp_time, end_fsync, a mix), on the SSD model the bench job uses
    const jobs: Array<Partial<FioJob> & { name: string }> = [
      { name: "rr", rw: "randread", ioengine: "libaio", iodepth: 32, runtime_ns: 2e6, time_based: true },
      { name: "rw", rw: "randwrite", ioengine: "libaio", iodepth: 8, iodepth_batch_submit: 4, size: 1 << 20, end_fsync: true },
      { name: "sr", rw: "read", size: 256 << 10, ramp_time_ns: 2e5 },
      { name: "tr", rw: "randtrim", ioengine: "io_uring", iodepth: 4, size: 256 << 10 },
      { name: "mix", rw: "randrw", ioengine: "libaio", iodepth: 4, size: 256 << 10 },
    ];
    const ssd = () => buildScenarioHost(loaded, parseScenario({ ...FIO_SETUPS["tlc-970pro"], steps: [] }, "setup"), "setup");
    const loaded = await loadCoreModule(false);
    for (const p of jobs) {
      const runs = [];
      for (const plainPath of [true, false]) {
        const h = await ssd();
        const r = runFio(h, [job({ ...p, size: p.size ?? 64 << 20 })], { trace: true, plainPath });
        const cmds = h.blk.tracer.commands.map((c) => [c.name, c.slba, c.cid, c.time_ns, c.done_ns, c.status]);
        runs.push({ json: fioJson(r), cmds, ios: r.jobs[0].dirs });
      }
      expect(runs[0].cmds.length, p.name).toBeGreaterThan(10);
      expect(runs[1], p.name).toEqual(runs[0]);
    }
  });
});
