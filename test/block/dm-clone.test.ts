// dm-clone (src/block/dm/clone.ts) over kcopyd: reads of unhydrated regions from the source,
// a partial write hydrating its region once (however many writes wait), a whole-region write
// without a copy, background hydration under hydration_threshold / hydration_batch_size, the
// pause while user I/O is in flight, discards, the status line, messages, bad tables, and
// hydration by NVMe Copy when kcopyd offloads.
//
// Layout (one 8 MiB namespace of 512-byte blocks): the source is dm-linear "src" over sectors
// 0..2047, the destination "dst" over 8192..10239, the metadata "meta" over 14336..15359; the
// clone has 256 regions of 8 sectors.

import { describe, it, expect } from "vitest";
import { mkHost, pattern, submit, flush, write, read, same } from "./helpers";
import { Bio, BlkStatus, Op } from "../../src/block/bio";
import type { BlockLayer } from "../../src/block/blk";
import type { BlockDevice, CopyDesign } from "../../src/block/disk";
import type { Task } from "../../src/block/sim";
import { SYSFS } from "../../src/block/limits";
import { createDm } from "../../src/block/dm/core";
import type { DmDevice } from "../../src/block/dm/core";
import { CloneTarget, CLONE_COMMIT_PERIOD_NS } from "../../src/block/dm/clone";
import { setKcopydConfig } from "../../src/block/dm/kcopyd";

const LEN = 2048;
const REGIONS = LEN / 8;
const DST = 8192;

const cmds = (blk: BlockLayer, name: string) => blk.tracer.commands.filter((c) => c.name === name).length;
const msgs = (blk: BlockLayer, re: RegExp) => blk.tracer.events.filter((e) => e.action === "m" && re.test(e.text ?? ""));

interface Setup { design?: CopyDesign; offload?: boolean; args?: string; namespaces?: number; len?: number }

/** The source filled with a pattern, then the three linear devices and the clone. */
async function setup(o: Setup = {}) {
  const { blk, t, d } = await mkHost({ namespaces: Array.from({ length: o.namespaces ?? 1 }, () => ({ blocks: 16384 })), design: o.design ?? "ctx" });
  if (o.offload !== undefined) setKcopydConfig(blk, { offload: o.offload });
  const src = pattern(LEN * 512, 11);
  write(blk, t, d, 0, src);
  const srcDev = createDm(blk, "src", `0 ${LEN} linear nvme0n1 0`);
  const dstDev = createDm(blk, "dst", `0 ${LEN} linear nvme0n1 ${DST}`);
  createDm(blk, "meta", "0 1024 linear nvme0n1 14336");
  const cl = createDm(blk, "cl", `0 ${o.len ?? LEN} clone /dev/mapper/meta /dev/mapper/dst /dev/mapper/src 8 ${o.args ?? "1 no_hydration"}`);
  const ti = cl.targets[0] as CloneTarget;
  blk.tracer.events.length = 0;
  blk.tracer.commands.length = 0;
  return { blk, t, d, src, srcDev, dstDev, cl, ti };
}

/** Run the simulation until every region is hydrated; the most regions hydrating at once. */
function hydrateAll(blk: BlockLayer, ti: CloneTarget): void {
  blk.sim.runUntil(() => ti.hydratedRegions === ti.nrRegions, "every region hydrated");
  blk.sim.runUntil(() => ti.hydratingRegions === 0 && ti.kcopyd.jobsInFlight === 0, "the last hydration's end");
}

/** Sizes of the reads kcopyd queued on the source device. */
const sourceReads = (blk: BlockLayer, srcDev: DmDevice) =>
  blk.tracer.events.filter((e) => e.action === "Q" && e.rwbs === "R" && e.major === srcDev.major && e.minor === srcDev.minor && /:4$/.test(e.comm)).map((e) => e.sectors);

describe("dm-clone", () => {
  it("no_hydration: reads come from the source and nothing is written", async () => {
    const { blk, t, src, srcDev, cl, ti } = await setup();
    expect(same(read(blk, t, cl, 0, LEN * 512), src)).toBe(true);
    expect(cmds(blk, "Write")).toBe(0);
    expect(ti.kcopyd.stats.jobs).toBe(0);
    // reads are split at region boundaries (max_io_len = region size) and all go to the source
    const remaps = blk.tracer.events.filter((e) => e.action === "A");
    expect(remaps.length).toBeGreaterThanOrEqual(REGIONS);
    expect(remaps.filter((e) => e.fromMinor === cl.minor).every((e) => e.minor === srcDev.minor && e.sectors === 8)).toBe(true);
    expect(blk.tracer.events.filter((e) => e.action === "X" && e.minor === cl.minor).length).toBe(REGIONS - 1);
    expect(ti.hydratedRegions).toBe(0);
    // let the periodic waker's time pass: with no_hydration nothing is copied, and no event is left
    blk.sim.drain();
    expect(ti.kcopyd.stats.jobs).toBe(0);
  });

  it("a partial write hydrates only its region (one kcopyd job, however many writes wait); a whole-region write copies nothing", async () => {
    const { blk, t, d, src, cl, ti } = await setup();
    const expected = new Uint8Array(LEN * 512); // what the destination must hold (zeros where unhydrated)
    const hydrate = (r: number) => expected.set(src.subarray(r * 4096, (r + 1) * 4096), r * 4096);
    const put = (sector: number, bytes: Uint8Array) => expected.set(bytes, sector * 512);

    // region 5: 512 bytes in the middle
    const w1 = pattern(512, 21);
    write(blk, t, cl, 5 * 8 + 3, w1);
    hydrate(5); put(5 * 8 + 3, w1);
    expect(ti.kcopyd.stats.jobs).toBe(1);
    expect(ti.hydratedRegions).toBe(1);
    expect(ti.isRegionHydrated(5)).toBe(true);
    expect(msgs(blk, /clone: hydrating region 5 for bio \d+/).length).toBe(1);
    // the region on the destination: source data except the written bytes; its neighbours untouched
    expect(same(read(blk, t, d, DST + 32, 3 * 4096), expected.subarray(4 * 4096, 7 * 4096))).toBe(true);
    expect(same(read(blk, t, cl, 5 * 8, 4096), expected.subarray(5 * 4096, 6 * 4096))).toBe(true);

    // region 7: two writes submitted together wait for the same hydration
    const w2 = pattern(512, 22), w3 = pattern(1024, 23);
    submit(blk, t, cl, Op.WRITE, 7 * 8, w2);
    const wait = submit(blk, t, cl, Op.WRITE, 7 * 8 + 5, w3);
    blk.sim.as(t, wait);
    hydrate(7); put(7 * 8, w2); put(7 * 8 + 5, w3);
    expect(ti.kcopyd.stats.jobs).toBe(2);
    expect(msgs(blk, /waits for region 7, which is hydrating/).length).toBe(1);

    // region 10 written whole: no copy, no read of the source
    const reads = cmds(blk, "Read");
    const w4 = pattern(4096, 24);
    write(blk, t, cl, 10 * 8, w4);
    put(10 * 8, w4);
    expect(ti.kcopyd.stats.jobs).toBe(2);
    expect(cmds(blk, "Read")).toBe(reads);
    expect(ti.isRegionHydrated(10)).toBe(true);
    expect(msgs(blk, /overwrites region 10 whole/).length).toBe(1);

    // a write over regions 11 (partial), 12 (whole), 13 (partial) is split at region boundaries:
    // two copies and one overwrite
    const w5 = pattern(16 * 512, 25);
    write(blk, t, cl, 92, w5);
    hydrate(11); hydrate(13); put(92, w5);
    expect(ti.kcopyd.stats.jobs).toBe(4);
    expect(blk.tracer.events.filter((e) => e.action === "X" && e.minor === cl.minor).map((e) => e.splitAt)).toContain(96);
    expect(ti.hydratedRegions).toBe(6);

    // through the clone: written bytes over source data everywhere
    const view = src.slice();
    for (const r of [5, 7, 10, 11, 12, 13]) view.set(expected.subarray(r * 4096, (r + 1) * 4096), r * 4096);
    expect(same(read(blk, t, cl, 0, LEN * 512), view)).toBe(true);
    // and the destination holds exactly the hydrated regions
    expect(same(read(blk, t, d, DST, LEN * 512), expected)).toBe(true);
  });

  it("enable_hydration hydrates everything in the background; the destination is the source plus the writes", async () => {
    const { blk, t, d, src, cl, ti, dstDev } = await setup();
    const w = pattern(1024, 31);
    write(blk, t, cl, 100, w);
    expect(ti.kcopyd.stats.jobs).toBe(1);
    cl.message(0, ["enable_hydration"]);
    hydrateAll(blk, ti);
    // one region (12) was hydrated by the write; the rest one region per job (defaults 1 and 1)
    expect(ti.kcopyd.stats.jobs).toBe(REGIONS);
    expect(ti.maxHydrating).toBe(1);
    expect(msgs(blk, /clone: hydration done: all 256 regions hydrated/).length).toBe(1);
    const expected = src.slice();
    expected.set(w, 100 * 512);
    expect(same(read(blk, t, d, DST, LEN * 512), expected)).toBe(true);
    expect(same(read(blk, t, cl, 0, LEN * 512), expected)).toBe(true);
    // everything is read from the destination now
    blk.tracer.events.length = 0;
    read(blk, t, cl, 0, 8192);
    expect(blk.tracer.events.filter((e) => e.action === "A" && e.fromMinor === cl.minor).every((e) => e.minor === dstDev.minor)).toBe(true);
    expect(cl.status()[0]).toMatch(/ 8 256\/256 0 0 4 hydration_threshold 1 hydration_batch_size 1 rw$/);
    blk.sim.drain(); // no waker left once done
  });

  it("hydration_threshold and hydration_batch_size set the kcopyd jobs' size and how many regions are in flight", async () => {
    const run = async (args: string) => {
      const s = await setup({ args });
      hydrateAll(s.blk, s.ti);
      expect(same(read(s.blk, s.t, s.d, DST, LEN * 512), s.src)).toBe(true);
      return { jobs: s.ti.kcopyd.stats.jobs, max: s.ti.maxHydrating, reads: sourceReads(s.blk, s.srcDev) };
    };
    const dflt = await run("0");
    expect(dflt.jobs).toBe(REGIONS);
    expect(dflt.max).toBe(1);
    expect(dflt.reads.every((n) => n === 8)).toBe(true);

    const b4t8 = await run("0 4 hydration_threshold 8 hydration_batch_size 4");
    expect(b4t8.jobs).toBe(REGIONS / 4);
    expect(b4t8.max).toBe(8);
    expect(b4t8.reads).toEqual(new Array(REGIONS / 4).fill(32));

    // the threshold caps a batch too: 3 regions in flight, so batches of 3 (the last one short)
    const b4t3 = await run("0 4 hydration_threshold 3 hydration_batch_size 4");
    expect(b4t3.max).toBe(3);
    expect(b4t3.reads.slice(0, -1).every((n) => n === 24)).toBe(true);
    expect(b4t3.reads.reduce((a, n) => a + n, 0)).toBe(LEN);

    // set by messages on a clone created without hydration
    const s = await setup();
    s.cl.message(0, ["hydration_batch_size", "16"]);
    s.cl.message(0, ["hydration_threshold", "32"]);
    expect(s.ti.kcopyd.stats.jobs).toBe(0); // no_hydration still holds
    s.cl.message(0, ["enable_hydration"]);
    hydrateAll(s.blk, s.ti);
    expect(s.ti.kcopyd.stats.jobs).toBe(REGIONS / 16);
    expect(s.ti.maxHydrating).toBe(32);
    expect(sourceReads(s.blk, s.srcDev)).toEqual(new Array(REGIONS / 16).fill(128));
  });

  it("background hydration skips regions being hydrated, stops on disable_hydration and pauses while user I/O is in flight", async () => {
    const { blk, t, cl, ti } = await setup({ args: "0 4 hydration_threshold 4 hydration_batch_size 4" });
    // a read through the clone is in flight when the worker first runs: it pauses, and the
    // periodic waker (every second) restarts it
    const wait = submit(blk, t, cl, Op.READ, 0, new Uint8Array(4096));
    blk.sim.as(t, wait);
    expect(ti.kcopyd.stats.jobs).toBe(0);
    expect(msgs(blk, /background hydration paused: 1 bio\(s\) in flight/).length).toBe(1);
    blk.sim.runUntil(() => ti.kcopyd.stats.jobs > 0, "a background copy");
    expect(blk.sim.now_ns).toBeGreaterThanOrEqual(CLONE_COMMIT_PERIOD_NS);
    cl.message(0, ["disable_hydration"]);
    blk.sim.runUntil(() => ti.hydratingRegions === 0 && ti.kcopyd.jobsInFlight === 0, "in-flight hydrations");
    const n = ti.hydratedRegions;
    expect(n).toBeGreaterThan(0);
    expect(n).toBeLessThan(REGIONS);
    blk.sim.drain(); // disabled: no waker left, nothing more is copied
    expect(ti.hydratedRegions).toBe(n);
    expect(cl.status()[0]).toMatch(new RegExp(` ${n}/256 0 1 no_hydration 4 `));
    // a partial write to an unhydrated region, then enable: that region is hydrating when the
    // background reaches it, so it is skipped, and every region is copied exactly once
    const next = n + 1;
    submit(blk, t, cl, Op.WRITE, next * 8 + 1, pattern(512, 41));
    cl.message(0, ["enable_hydration"]);
    hydrateAll(blk, ti);
    expect(ti.kcopyd.stats.read_bytes + ti.kcopyd.stats.offloaded_bytes).toBe(LEN * 512);
  });

  it("kcopyd offload: hydration is NVMe Copy (no Read) within a namespace and across namespaces (ctx); Read+Write without it or in pair", async () => {
    const args = "0 4 hydration_threshold 8 hydration_batch_size 8";
    const on = await setup({ offload: true, args });
    hydrateAll(on.blk, on.ti);
    expect(cmds(on.blk, "Copy")).toBeGreaterThanOrEqual(REGIONS / 8);
    expect(on.blk.tracer.commands.filter((c) => c.name === "Copy").every((c) => c.status === 0)).toBe(true);
    expect(cmds(on.blk, "Read")).toBe(0);
    expect(cmds(on.blk, "Write")).toBe(0);
    expect([on.ti.kcopyd.stats.offloaded_bytes, on.ti.kcopyd.stats.read_bytes]).toEqual([LEN * 512, 0]);
    expect(same(read(on.blk, on.t, on.d, DST, LEN * 512), on.src)).toBe(true);

    const off = await setup({ offload: false, args });
    hydrateAll(off.blk, off.ti);
    expect(cmds(off.blk, "Copy")).toBe(0);
    expect(cmds(off.blk, "Read")).toBeGreaterThan(0);
    expect(cmds(off.blk, "Write")).toBeGreaterThan(0);
    expect(same(read(off.blk, off.t, off.d, DST, LEN * 512), off.src)).toBe(true);

    // v20 (pair) copies within one block device: the clone's source and destination are two
    const pair = await setup({ offload: true, args, design: "pair" });
    hydrateAll(pair.blk, pair.ti);
    expect(cmds(pair.blk, "Copy")).toBe(0);
    expect(pair.ti.kcopyd.stats.read_bytes).toBe(LEN * 512);

    // ctx: source nvme0n1, destination nvme0n2, both whole namespaces
    const { blk, t, d } = await mkHost({ namespaces: [{ blocks: 16384 }, { blocks: 16384 }], design: "ctx" });
    setKcopydConfig(blk, { offload: true });
    const src = pattern(LEN * 512, 12);
    write(blk, t, d, 0, src);
    createDm(blk, "meta", "0 1024 linear nvme0n1 14336");
    const cl = createDm(blk, "x", `0 ${LEN} clone mapper/meta nvme0n2 nvme0n1 8 0 4 hydration_threshold 8 hydration_batch_size 8`);
    const ti = cl.targets[0] as CloneTarget;
    blk.tracer.commands.length = 0;
    hydrateAll(blk, ti);
    expect(cmds(blk, "Copy")).toBeGreaterThan(0);
    expect(cmds(blk, "Read")).toBe(0);
    expect(ti.kcopyd.stats.offloaded_bytes).toBe(LEN * 512);
    expect(same(read(blk, t, blk.disk("nvme0n2"), 0, LEN * 512), src)).toBe(true);
  });

  it("a failed copy fails the writes waiting on it and leaves the region unhydrated", async () => {
    const { blk, t, cl, ti, srcDev } = await setup();
    // the source fails reads of region 20 (a medium error below dm-linear)
    const submitSrc = srcDev.submit.bind(srcDev);
    srcDev.submit = (b: Bio) => (b.op === Op.READ && b.sector < 168 && b.end > 160 ? blk.fail(b, BlkStatus.MEDIUM) : submitSrc(b));
    const st: BlkStatus[] = [];
    submit(blk, t, cl, Op.WRITE, 161, pattern(512, 51), (s) => st.push(s));
    const wait = submit(blk, t, cl, Op.WRITE, 165, pattern(512, 52), (s) => st.push(s));
    blk.sim.as(t, wait);
    expect(st).toEqual([BlkStatus.IOERR, BlkStatus.IOERR]);
    expect(ti.isRegionHydrated(20)).toBe(false);
    expect([ti.hydratedRegions, ti.hydratingRegions]).toEqual([0, 0]);
    expect(msgs(blk, /clone: hydration failed: region 20 \(read error\)/).length).toBe(1);
    expect(cmds(blk, "Write")).toBe(0);
    // a whole-region write needs no copy, so it succeeds and hydrates the region
    write(blk, t, cl, 160, pattern(4096, 53));
    expect(ti.isRegionHydrated(20)).toBe(true);
  });

  it("a region whose copy fails stops background hydration (the kernel retries for ever); the run ends; enable_hydration retries", async () => {
    const { blk, t, cl, ti, srcDev } = await setup({ args: "0" });
    const submitSrc = srcDev.submit.bind(srcDev);
    let failing = true;
    srcDev.submit = (b: Bio) => (failing && b.op === Op.READ && b.sector < 168 && b.end > 160 ? blk.fail(b, BlkStatus.MEDIUM) : submitSrc(b));
    blk.sim.drain(); // returns: nothing retries the region for ever
    expect(ti.backgroundHydration).toBe(false);
    expect(msgs(blk, /background hydration stopped after a copy error/).length).toBe(1);
    expect(ti.isRegionHydrated(20)).toBe(false);
    expect(ti.hydratedRegions).toBeLessThan(ti.nrRegions);
    failing = false;
    blk.sim.as(t, () => cl.message(0, ["enable_hydration"]));
    hydrateAll(blk, ti);
    expect(ti.isRegionHydrated(20)).toBe(true);
  });

  it("a target length that is not a multiple of the region size: the last region is short", async () => {
    const { blk, t, d, src, cl, ti, srcDev } = await setup({ len: LEN - 4, args: "0 4 hydration_threshold 4 hydration_batch_size 4" });
    expect(ti.nrRegions).toBe(REGIONS);
    hydrateAll(blk, ti);
    const reads = sourceReads(blk, srcDev);
    expect(reads.reduce((a, n) => a + n, 0)).toBe(LEN - 4);
    expect(reads[reads.length - 1]).toBe(28);
    const dst = read(blk, t, d, DST, LEN * 512);
    expect(same(dst.subarray(0, (LEN - 4) * 512), src.subarray(0, (LEN - 4) * 512))).toBe(true);
    expect(dst.subarray((LEN - 4) * 512).every((b) => b === 0)).toBe(true);
    expect(cl.status()[0]).toMatch(/ 8 256\/256 0 0 4 /);
    // a write of the whole short region is not an overwrite (it is not region_size long): it copies
    const s2 = await setup({ len: LEN - 4 });
    write(s2.blk, s2.t, s2.cl, LEN - 8, pattern(2048, 54));
    expect(s2.ti.kcopyd.stats.jobs).toBe(1);
  });

  it("discards mark the whole regions they cover hydrated without copying and pass down trimmed, in one bio", async () => {
    const bare = (blk: BlockLayer, t: Task, d: BlockDevice, op: Op, sector: number, sectors: number): BlkStatus => {
      let st = -1 as BlkStatus;
      blk.sim.as(t, () => {
        const bio = new Bio(d, op, sector, sectors * 512);
        bio.endio = (b) => { st = b.status; };
        blk.submitBio(bio);
        blk.waitTask();
      });
      return st;
    };
    const { blk, t, cl, ti, dstDev } = await setup();
    // sectors 20..59: regions 3..6 whole (24..55), parts of 2 and 7
    expect(bare(blk, t, cl, Op.DISCARD, 20, 40)).toBe(BlkStatus.OK);
    expect([3, 4, 5, 6].every((r) => ti.isRegionHydrated(r))).toBe(true);
    expect(ti.hydratedRegions).toBe(4);
    expect(ti.kcopyd.stats.jobs).toBe(0);
    expect(blk.tracer.events.filter((e) => e.action === "X" && e.minor === cl.minor).length).toBe(0);
    const down = blk.tracer.events.filter((e) => e.action === "A" && e.rwbs === "D" && e.minor === dstDev.minor);
    expect(down.map((e) => [e.sector, e.sectors])).toEqual([[24, 32]]);
    expect(cmds(blk, "Dataset Management")).toBe(1);
    // a discard inside one region covers no whole region: nothing happens
    expect(bare(blk, t, cl, Op.DISCARD, 81, 6)).toBe(BlkStatus.OK);
    expect(ti.hydratedRegions).toBe(4);
    // an empty flush goes to the destination
    blk.tracer.commands.length = 0;
    expect(flush(blk, t, cl)).toBe(BlkStatus.OK);
    expect(blk.tracer.events.filter((e) => e.action === "A" && e.fromMinor === cl.minor && e.rwbs.startsWith("F")).map((e) => e.minor)).toEqual([dstDev.minor]);

    // no_discard_passdown: regions are marked, nothing reaches the destination
    const np = await setup({ args: "2 no_hydration no_discard_passdown" });
    expect(bare(np.blk, np.t, np.cl, Op.DISCARD, 0, 64)).toBe(BlkStatus.OK);
    expect(np.ti.hydratedRegions).toBe(8);
    expect(np.blk.tracer.events.filter((e) => e.action === "A" && e.rwbs === "D").length).toBe(0);
    expect(np.cl.status()[0]).toMatch(/ 2 no_hydration no_discard_passdown 4 /);
    expect(SYSFS.discard_granularity.show(np.cl.limits, np.cl.flags)).toBe(4096);
  });

  it("status and table lines; copies are not passed (copy limits zero)", async () => {
    const { cl, ti, srcDev, dstDev } = await setup({ args: "1 no_hydration 4 hydration_threshold 2 hydration_batch_size 3" });
    expect(cl.table()).toEqual([`0 ${LEN} clone 253:2 ${dstDev.major}:${dstDev.minor} ${srcDev.major}:${srcDev.minor} 8 1 no_hydration 4 hydration_threshold 2 hydration_batch_size 3`]);
    // metadata: 4 KiB blocks, 1024 sectors = 128 of them; 3 used (the model's estimate)
    expect(cl.status()).toEqual([`0 ${LEN} clone 8 3/128 8 0/256 0 1 no_hydration 4 hydration_threshold 2 hydration_batch_size 3 rw`]);
    cl.message(0, ["hydration_threshold", "7"]);
    cl.message(0, ["HYDRATION_BATCH_SIZE", "+5"]);
    expect(ti.hydrationThreshold).toBe(7);
    expect(cl.status()[0]).toMatch(/ 1 no_hydration 4 hydration_threshold 7 hydration_batch_size 5 rw$/);
    // the table line keeps the arguments as given
    expect(cl.table()[0]).toMatch(/ 8 1 no_hydration 4 hydration_threshold 2 hydration_batch_size 3$/);
    expect(SYSFS.copy_max_bytes.show(cl.limits, cl.flags)).toBe(0);
    expect(SYSFS.copy_max_bytes.show(srcDev.limits, srcDev.flags)).toBeGreaterThan(0);
    expect(SYSFS.chunk_sectors.show(cl.limits, cl.flags)).toBe(8);
    expect(SYSFS.write_zeroes_max_bytes.show(cl.limits, cl.flags)).toBe(0);
  });

  it("bad tables and bad messages throw with the reason", async () => {
    const { blk, cl } = await setup();
    const bad = (args: string, len = LEN) => () => createDm(blk, "bad", `0 ${len} clone ${args}`);
    const devs = "mapper/meta mapper/dst mapper/src";
    expect(bad("mapper/meta mapper/dst mapper/src")).toThrow(/table target 0 \(clone.*Invalid number of arguments.*got 3/);
    expect(bad(`${devs} 4`)).toThrow(/Invalid region size "4"/);
    expect(bad(`${devs} 4194304`)).toThrow(/Invalid region size "4194304"/);
    expect(bad(`${devs} 4k`)).toThrow(/Invalid region size "4k"/);
    expect(bad(`${devs} 24`)).toThrow(/Region size is not a power of 2 \(24 sectors\)/);
    expect(bad(`${devs} 8 1 no_such`)).toThrow(/Invalid feature argument "no_such"/);
    expect(bad(`${devs} 8 3 no_hydration no_discard_passdown no_hydration`)).toThrow(/Invalid number of feature arguments/);
    expect(bad(`${devs} 8 2 no_hydration`)).toThrow(/Invalid number of feature arguments/);
    expect(bad(`${devs} 8 0 3 hydration_threshold 4 x`)).toThrow(/Number of core arguments must be even/);
    expect(bad(`${devs} 8 0 6 hydration_threshold 4 hydration_batch_size 4 a b`)).toThrow(/Invalid number of core arguments/);
    expect(bad(`${devs} 8 0 2 hydration_treshold 4`)).toThrow(/Invalid core argument "hydration_treshold"/);
    expect(bad(`${devs} 8 0 2 hydration_threshold -1`)).toThrow(/Invalid value for argument `hydration_threshold'/);
    expect(bad(`${devs} 8 0 2 hydration_batch_size 4294967296`)).toThrow(/Invalid value for argument `hydration_batch_size'/);
    expect(bad(devs + " 8", LEN * 2)).toThrow(/Device size larger than destination device/);
    expect(bad("mapper/meta nvme0n1 mapper/src 8", LEN * 2)).toThrow(/Device size larger than source device/);
    expect(bad("mapper/meta mapper/dst nvme9n9 8")).toThrow(/Error opening source device: .*unknown device "nvme9n9"/);
    createDm(blk, "tiny", "0 8 linear nvme0n1 15360");
    expect(bad("mapper/tiny mapper/dst mapper/src 8")).toThrow(/Failed to load metadata: .* holds 1 metadata blocks/);
    expect(blk.disks.has("dm-5")).toBe(false);

    const msg = (...a: string[]) => () => cl.message(0, a);
    expect(msg()).toThrow(/empty message/);
    expect(msg("hydrate")).toThrow(/Invalid number of arguments \(1\)/);
    expect(msg("hydrate", "now")).toThrow(/Unsupported message `hydrate'/);
    expect(msg("hydration_threshold")).toThrow(/Invalid number of arguments/);
    expect(msg("hydration_threshold", "x")).toThrow(/hydration_threshold: "x" is not an unsigned 32-bit number/);
    expect(msg("hydration_batch_size", "-2")).toThrow(/hydration_batch_size: "-2"/);
    expect(msg("hydration_threshold", "1", "2")).toThrow(/Invalid number of arguments \(3\)/);
  });
});
