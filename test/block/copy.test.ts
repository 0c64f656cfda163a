// The copy designs on the emulated NVMe controller: ctx (2026: a context per chunk, the
// driver packs requests into Copy commands within MSRC / MCL, cross-namespace with format
// 2h), pair (v20: DST + SRC bios paired by a plug merge, one range per Copy), vector (2025:
// one COPY bio with a source vector, merged like discards and split by the copy limits), and
// read+write emulation as the fallback (bounce buffer size, halving, buffers in flight).
// Each test checks the NVMe commands (SDLBA, ranges), the outcome's byte counts and the
// data read back through the block layer.

import { describe, it, expect } from "vitest";
import { mkHost, pattern } from "./helpers";
import { Bio, BlkStatus, BLK_STATUS_NAMES, Op } from "../../src/block/bio";
import { BlockLayer } from "../../src/block/blk";
import { MqDisk } from "../../src/block/mq";
import { SYSFS } from "../../src/block/limits";
import { blkCopy } from "../../src/block/copy/copy";
import { bounceSize } from "../../src/block/copy/emulate";
import type { CopyOutcome, CopyParams, CopySeg } from "../../src/block/copy/types";
import type { NvmeCommandRecord } from "../../src/block/trace";
import type { Task } from "../../src/block/sim";
import { OCFS_FORMAT0, OCFS_FORMAT1 } from "../../assembly/spec/identify";

// ---- helpers ----

/** Write bytes at a byte offset through the block layer and wait. */
function put(blk: BlockLayer, t: Task, d: MqDisk, pos: number, data: Uint8Array): void {
  blk.sim.as(t, () => {
    const b = blk.mem!.pool.alloc(data.length);
    blk.mem!.ram.set(data, b.bus);
    const bio = new Bio(d, Op.WRITE, pos / 512, data.length, [{ bus: b.bus, len: data.length }]);
    blk.submitBio(bio);
    blk.waitTask();
    expect(bio.status).toBe(BlkStatus.OK);
    blk.mem!.pool.release(b);
  });
}

/** Read bytes at a byte offset through the block layer. */
function get(blk: BlockLayer, t: Task, d: MqDisk, pos: number, len: number): Uint8Array {
  let out!: Uint8Array;
  blk.sim.as(t, () => {
    const b = blk.mem!.pool.alloc(len);
    blk.mem!.ram.fill(0xee, b.bus, b.bus + len);
    const bio = new Bio(d, Op.READ, pos / 512, len, [{ bus: b.bus, len }]);
    blk.submitBio(bio);
    blk.waitTask();
    expect(bio.status).toBe(BlkStatus.OK);
    out = blk.mem!.ram.slice(b.bus, b.bus + len);
    blk.mem!.pool.release(b);
  });
  return out;
}

const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));
const copies = (blk: BlockLayer): NvmeCommandRecord[] => blk.tracer.commands.filter((c) => c.name === "Copy");
const KiB = 1024;

/** Run copies in task t (in one plug when plug is set) and wait for all of them. */
function run(blk: BlockLayer, t: Task, params: CopyParams[], plug = true): CopyOutcome[] {
  const out: CopyOutcome[] = [];
  blk.sim.as(t, () => {
    if (plug) blk.startPlug();
    for (const p of params) out.push(blkCopy(blk, p));
    if (plug) blk.finishPlug();
    blk.waitTask();
  });
  for (const o of out) expect(o.done).toBe(true);
  return out;
}

/** Fill the source segments with known data; returns the bytes the destination should get, in order. */
function seed(blk: BlockLayer, t: Task, d: MqDisk, segs: CopySeg[], s0 = 1): Uint8Array {
  const all = new Uint8Array(segs.reduce((a, s) => a + s.len, 0));
  let at = 0;
  segs.forEach((s, i) => {
    const data = pattern(s.len, s0 + i);
    put(blk, t, d, s.pos, data);
    all.set(data, at);
    at += s.len;
  });
  return all;
}

// ---- ctx (2026 series) ----

describe("ctx design", () => {
  const srcOf = (i: number): CopySeg => ({ pos: i * 2 * 4096, len: 4096 });
  const dstOf = (i: number): CopySeg => ({ pos: (1000 + i) * 4096, len: 4096 });

  /** In one plug: four copies on d (srcOf/dstOf 0-3), then a 4 KiB write to d2. */
  function plugWithOtherQueue(blk: BlockLayer, t: Task, d: MqDisk, d2: MqDisk): CopyOutcome[] {
    const outs: CopyOutcome[] = [];
    blk.sim.as(t, () => {
      blk.startPlug();
      for (let i = 0; i < 4; i++) outs.push(blkCopy(blk, { src: d, dst: d, srcSegs: [srcOf(i)], dstSegs: [dstOf(i)] }));
      const b = blk.mem!.pool.alloc(4096);
      blk.submitBio(new Bio(d2, Op.WRITE, 0, 4096, [{ bus: b.bus, len: 4096 }]));
      blk.finishPlug();
      blk.waitTask();
    });
    return outs;
  }

  it("16 discontiguous copies in one plug -> one Copy with 16 ranges", async () => {
    const { blk, d, t } = await mkHost();
    const want = seed(blk, t, d, Array.from({ length: 16 }, (_, i) => srcOf(i)));
    const outs = run(blk, t, Array.from({ length: 16 }, (_, i) => ({ src: d, dst: d, srcSegs: [srcOf(i)], dstSegs: [dstOf(i)] })));
    const c = copies(blk);
    expect(c.length).toBe(1);
    expect([c[0].nsid, c[0].slba, c[0].nr, c[0].blocks, c[0].status]).toEqual([1, 8000, 16, 128, 0]);
    expect(c[0].ranges).toEqual(Array.from({ length: 16 }, (_, i) => ({ slba: i * 16, nlb: 8 })));
    for (const o of outs) expect([o.status, o.offloaded_bytes, o.emulated_bytes]).toEqual([BlkStatus.OK, 4096, 0]);
    expect(same(get(blk, t, d, 1000 * 4096, 16 * 4096), want)).toBe(true);
    // the sources are untouched
    expect(same(get(blk, t, d, 0, 4096), pattern(4096, 1))).toBe(true);
  });

  it("a plug that also holds another queue's request: each queue's requests go to its queue_rqs, so the copies still pack into one Copy", async () => {
    // blk_mq_flush_plug_list takes a plug of several queues queue by queue since 6.16
    // (blk_mq_dispatch_multiple_queue_requests): one U and one queue_rqs call per queue, no I
    const { blk, d, t } = await mkHost({ namespaces: [{}, {}] });
    const d2 = blk.disk("nvme0n2") as MqDisk;
    const want = seed(blk, t, d, Array.from({ length: 4 }, (_, i) => srcOf(i)));
    const before = blk.tracer.events.length; // the seeding writes' own P and U come before
    const outs = plugWithOtherQueue(blk, t, d, d2);
    const c = copies(blk);
    expect(c.map((x) => [x.slba, x.nr, x.blocks, x.status])).toEqual([[8000, 4, 32, 0]]);
    const unplugs = blk.tracer.events.slice(before).filter((e) => e.action === "U");
    expect(unplugs.map((e) => [e.minor, e.depth])).toEqual([[0, 4], [1, 1]]);
    expect(blk.tracer.events.some((e) => e.action === "I")).toBe(false);
    for (const o of outs) expect([o.status, o.offloaded_bytes]).toEqual([BlkStatus.OK, 4096]);
    expect(same(get(blk, t, d, 1000 * 4096, 4 * 4096), want)).toBe(true);
  });

  it("a plug that also holds a request with a scheduler tag: each copy is sent alone (queue_rq), one Copy each", async () => {
    // plug->has_elevator sends the whole plug through blk_mq_dispatch_list: nvme0n1 (no
    // scheduler) gets blk_mq_insert_requests, which tries its requests directly one at a time
    // (blk_mq_try_issue_list_directly, no I); nvme0n2's goes into mq-deadline (I)
    const { blk, d, t } = await mkHost({ namespaces: [{}, {}] });
    const d2 = blk.disk("nvme0n2") as MqDisk;
    d2.setScheduler("mq-deadline");
    const want = seed(blk, t, d, Array.from({ length: 4 }, (_, i) => srcOf(i)));
    const before = blk.tracer.events.length;
    const outs = plugWithOtherQueue(blk, t, d, d2);
    const c = copies(blk);
    expect(c.map((x) => [x.slba, x.nr, x.blocks, x.status])).toEqual([[8000, 1, 8, 0], [8008, 1, 8, 0], [8016, 1, 8, 0], [8024, 1, 8, 0]]);
    const nvme0n1 = blk.tracer.events.filter((e) => e.minor === 0 && (e.action === "I" || e.action === "D") && e.rwbs.includes("C"));
    expect(nvme0n1.map((e) => e.action)).toEqual(["D", "D", "D", "D"]);
    expect(blk.tracer.events.slice(before).filter((e) => e.action === "I").map((e) => e.minor)).toEqual([1]);
    for (const o of outs) expect([o.status, o.offloaded_bytes]).toEqual([BlkStatus.OK, 4096]);
    expect(same(get(blk, t, d, 1000 * 4096, 4 * 4096), want)).toBe(true);
  });

  it("with MSRC 3 (4 ranges per Copy) the 16 copies take ceil(16/4) = 4 Copies", async () => {
    const { blk, d, t } = await mkHost({ namespaces: [{ msrc: 3 }] });
    const want = seed(blk, t, d, Array.from({ length: 16 }, (_, i) => srcOf(i)));
    run(blk, t, Array.from({ length: 16 }, (_, i) => ({ src: d, dst: d, srcSegs: [srcOf(i)], dstSegs: [dstOf(i)] })));
    const c = copies(blk);
    expect(c.map((x) => [x.slba, x.nr, x.blocks, x.status])).toEqual([[8000, 4, 32, 0], [8032, 4, 32, 0], [8064, 4, 32, 0], [8096, 4, 32, 0]]);
    expect(c.flatMap((x) => x.ranges)).toEqual(Array.from({ length: 16 }, (_, i) => ({ slba: i * 16, nlb: 8 })));
    expect(same(get(blk, t, d, 1000 * 4096, 16 * 4096), want)).toBe(true);
  });

  it("a vectored copy (16 source segments, 1 destination segment) -> one Copy", async () => {
    const { blk, d, t } = await mkHost();
    const srcSegs = Array.from({ length: 16 }, (_, i) => ({ pos: (i * 3 + 1) * 4096, len: 4096 }));
    const want = seed(blk, t, d, srcSegs);
    const [o] = run(blk, t, [{ src: d, dst: d, srcSegs, dstSegs: [{ pos: 4 << 20, len: 64 * KiB }] }], false);
    const c = copies(blk);
    expect(c.length).toBe(1);
    expect([c[0].slba, c[0].nr, c[0].blocks]).toEqual([8192, 16, 128]);
    expect(c[0].ranges).toEqual(srcSegs.map((s) => ({ slba: s.pos / 512, nlb: 8 })));
    expect([o.status, o.offloaded_bytes, o.emulated_bytes, o.requested_bytes]).toEqual([BlkStatus.OK, 65536, 0, 65536]);
    expect(same(get(blk, t, d, 4 << 20, 64 * KiB), want)).toBe(true);
  });

  it("MSSRL 16 and MCL 32: a 64 KiB copy takes 8 chunks of 8 KiB, packed two per Copy", async () => {
    const { blk, d, t } = await mkHost({ namespaces: [{ mssrl: 16, mcl: 32 }] });
    expect(SYSFS.copy_max_hw_bytes.show(d.limits, d.flags)).toBe(8192);
    expect(SYSFS.copy_max_bytes.show(d.limits, d.flags)).toBe(8192);
    const want = seed(blk, t, d, [{ pos: 1 << 20, len: 64 * KiB }]);
    const [o] = run(blk, t, [{ src: d, dst: d, srcSegs: [{ pos: 1 << 20, len: 64 * KiB }], dstSegs: [{ pos: 2 << 20, len: 64 * KiB }] }], false);
    const c = copies(blk);
    expect(c.map((x) => [x.slba, x.nr, x.blocks, x.status])).toEqual([0, 1, 2, 3].map((k) => [4096 + 32 * k, 2, 32, 0]));
    expect(c[1].ranges).toEqual([{ slba: 2048 + 32, nlb: 16 }, { slba: 2048 + 48, nlb: 16 }]);
    expect(blk.tracer.events.filter((e) => e.action === "G" && e.rwbs === "CW").length).toBe(8);
    expect([o.offloaded_bytes, o.emulated_bytes]).toEqual([65536, 0]);
    expect(same(get(blk, t, d, 2 << 20, 64 * KiB), want)).toBe(true);
  });

  it("copy_max_bytes = 0 through sysfs: no Copy command, the copy is emulated and the data arrives", async () => {
    const { blk, d, t } = await mkHost();
    expect(SYSFS.copy_max_bytes.store!(d.limits, d.flags, 0)).toBeNull();
    expect(d.limits.max_copy_sectors).toBe(0);
    expect(SYSFS.copy_max_hw_bytes.show(d.limits, d.flags)).toBe(65536);
    const srcSegs = Array.from({ length: 4 }, (_, i) => srcOf(i));
    const want = seed(blk, t, d, srcSegs);
    const outs = run(blk, t, srcSegs.map((s, i) => ({ src: d, dst: d, srcSegs: [s], dstSegs: [dstOf(i)] })));
    expect(blk.tracer.commands.filter((c) => c.name === "Copy").length).toBe(0);
    for (const o of outs) expect([o.status, o.offloaded_bytes, o.emulated_bytes]).toEqual([BlkStatus.OK, 0, 4096]);
    expect(same(get(blk, t, d, 1000 * 4096, 4 * 4096), want)).toBe(true);
    // values not aligned to the logical block size are refused
    expect(typeof SYSFS.copy_max_bytes.store!(d.limits, d.flags, 1000)).toBe("string");
    // above the hardware limit is truncated to it
    expect(SYSFS.copy_max_bytes.store!(d.limits, d.flags, 1 << 30)).toBeNull();
    expect(d.limits.max_copy_sectors).toBe(128);
  });

  it("cross-namespace (source nvme0n2, destination nvme0n1): one Copy in format 2h, ranges carry the NSID", async () => {
    const { blk, d, t } = await mkHost({ namespaces: [{}, {}] });
    const src = blk.disk("nvme0n2") as MqDisk;
    const srcSegs = [{ pos: 0, len: 8192 }, { pos: 65536, len: 4096 }];
    const want = seed(blk, t, src, srcSegs);
    const [o] = run(blk, t, [{ src, dst: d, srcSegs, dstSegs: [{ pos: 1 << 20, len: 12288 }] }], false);
    const c = copies(blk);
    expect(c.length).toBe(1);
    expect([c[0].nsid, c[0].slba, c[0].nr, c[0].status]).toEqual([1, 2048, 2, 0]);
    expect(c[0].ranges).toEqual([{ slba: 0, nlb: 16, nsid: 2 }, { slba: 128, nlb: 8, nsid: 2 }]);
    expect([o.status, o.offloaded_bytes, o.emulated_bytes]).toEqual([BlkStatus.OK, 12288, 0]);
    expect(same(get(blk, t, d, 1 << 20, 12288), want)).toBe(true);
  });

  it("cross-namespace on a controller without format 2h (OCFS 0h|1h): not sent, emulated", async () => {
    const { blk, d, t } = await mkHost({ namespaces: [{}, {}], ctrl: { ocfs: OCFS_FORMAT0 | OCFS_FORMAT1 } });
    const src = blk.disk("nvme0n2") as MqDisk;
    const want = seed(blk, t, src, [{ pos: 4096, len: 8192 }]);
    const [o] = run(blk, t, [{ src, dst: d, srcSegs: [{ pos: 4096, len: 8192 }], dstSegs: [{ pos: 8192, len: 8192 }] }], false);
    expect(blk.tracer.commands.filter((c) => c.name === "Copy").length).toBe(0);
    expect([o.status, o.offloaded_bytes, o.emulated_bytes]).toEqual([BlkStatus.OK, 0, 8192]);
    expect(same(get(blk, t, d, 8192, 8192), want)).toBe(true);
  });

  it("a Copy the device fails as a whole: the ctx fallback emulates every byte", async () => {
    // 4 KiB blocks on the source namespace, 512 on the destination: Incompatible Format on range 0
    const { blk, d, t } = await mkHost({ namespaces: [{}, { formatIndex: 4, blocks: 4096 }] });
    const src = blk.disk("nvme0n2") as MqDisk;
    const srcSegs = [{ pos: 0, len: 8192 }, { pos: 32768, len: 4096 }];
    const want = seed(blk, t, src, srcSegs);
    const [o] = run(blk, t, [{ src, dst: d, srcSegs, dstSegs: [{ pos: 512 * 100, len: 12288 }] }], false);
    const c = copies(blk);
    expect(c.length).toBe(1);
    expect(c[0].status! & 0x7ff).toBe(0x185);
    expect([o.status, o.offloaded_bytes, o.emulated_bytes, o.requested_bytes]).toEqual([BlkStatus.OK, 0, 12288, 12288]);
    expect(o.steps.map((s) => [s.kind, s.bytes])).toEqual([["emulate", 12288]]);
    expect(same(get(blk, t, d, 512 * 100, 12288), want)).toBe(true);
  });

  it("a Copy the device fails part way (CQE DW0 = first range not copied): the rest is emulated", async () => {
    // Two copies with adjacent destinations share one Copy. The first has its source on nvme0n2,
    // so the command uses format 2h, which forbids a source range in the destination namespace
    // that overlaps the command's destination: the second copy's second source range does.
    const { blk, d, t } = await mkHost({ namespaces: [{}, {}] });
    const n2 = blk.disk("nvme0n2") as MqDisk;
    const D = 1 << 20;
    const aSrc = seed(blk, t, n2, [{ pos: 0, len: 4096 }], 10);
    const b0 = seed(blk, t, d, [{ pos: 65536, len: 4096 }], 20);
    put(blk, t, d, D, pattern(4096, 30)); // what A overwrites
    const outs = run(blk, t, [
      { src: n2, dst: d, srcSegs: [{ pos: 0, len: 4096 }], dstSegs: [{ pos: D, len: 4096 }] },
      // B: sources 64 KiB (fine) and D (inside the command's destination range) -> D+4K..D+12K
      { src: d, dst: d, srcSegs: [{ pos: 65536, len: 4096 }, { pos: D, len: 4096 }], dstSegs: [{ pos: D + 4096, len: 8192 }] },
    ]);
    const c = copies(blk);
    expect(c.length).toBe(1);
    expect(c[0].ranges).toEqual([{ slba: 0, nlb: 8, nsid: 2 }, { slba: 128, nlb: 8, nsid: 1 }, { slba: D / 512, nlb: 8, nsid: 1 }]);
    expect(c[0].status! & 0x7ff).toBe(0x187); // Overlapping I/O Range
    expect(c[0].dw0).toBe(2);
    expect([outs[0].status, outs[0].offloaded_bytes, outs[0].emulated_bytes]).toEqual([BlkStatus.OK, 4096, 0]);
    expect([outs[1].status, outs[1].offloaded_bytes, outs[1].emulated_bytes]).toEqual([BlkStatus.OK, 4096, 4096]);
    expect(outs[1].steps.map((s) => [s.kind, s.bytes])).toEqual([["offload", 4096], ["emulate", 4096]]);
    // the emulated range read D after the device had copied A there
    const got = get(blk, t, d, D, 12288);
    expect(same(got.subarray(0, 4096), aSrc)).toBe(true);
    expect(same(got.subarray(4096, 8192), b0)).toBe(true);
    expect(same(got.subarray(8192), aSrc)).toBe(true);
  });
});

// ---- pair (v20) ----

describe("pair design", () => {
  it("one Copy per chunk of max_copy_sectors, one range each", async () => {
    const { blk, d, t } = await mkHost({ design: "pair", namespaces: [{ mssrl: 16 }] });
    expect(d.limits.max_copy_sectors).toBe(16);
    const want = seed(blk, t, d, [{ pos: 0, len: 32 * KiB }]);
    const before = blk.tracer.events.length; // the seeding write's own P and U come before
    const [o] = run(blk, t, [{ src: d, dst: d, srcSegs: [{ pos: 0, len: 32 * KiB }], dstSegs: [{ pos: 1 << 20, len: 32 * KiB }] }], false);
    const c = copies(blk);
    expect(c.map((x) => [x.slba, x.nr, x.blocks, x.status])).toEqual([0, 1, 2, 3].map((k) => [2048 + 16 * k, 1, 16, 0]));
    expect(c.map((x) => x.ranges)).toEqual([0, 1, 2, 3].map((k) => [{ slba: 16 * k, nlb: 16 }]));
    // each request: the DST bio, then the SRC bio merged into it
    const ev = blk.tracer.events.filter((e) => e.rwbs.startsWith("C") && "QGM".includes(e.action));
    expect(ev.map((e) => `${e.action}${e.rwbs}`).join(" ")).toBe("QCW GCW QCR MCR ".repeat(4).trim());
    // one plug per chunk, as v20's blkdev_copy_offload: four unplugs of one request each
    expect(blk.tracer.events.slice(before).filter((e) => e.action === "U").map((e) => e.depth)).toEqual([1, 1, 1, 1]);
    expect([o.status, o.offloaded_bytes, o.emulated_bytes]).toEqual([BlkStatus.OK, 32768, 0]);
    expect(same(get(blk, t, d, 1 << 20, 32 * KiB), want)).toBe(true);
  });

  it("nomerges=2: the halves never pair, no Copy succeeds, the whole copy falls back", async () => {
    const { blk, d, t } = await mkHost({ design: "pair", namespaces: [{ mssrl: 16 }] });
    expect(SYSFS.nomerges.store!(d.limits, d.flags, 2)).toBeNull();
    const want = seed(blk, t, d, [{ pos: 0, len: 16 * KiB }]);
    const [o] = run(blk, t, [{ src: d, dst: d, srcSegs: [{ pos: 0, len: 16 * KiB }], dstSegs: [{ pos: 1 << 20, len: 16 * KiB }] }], false);
    expect(copies(blk).filter((c) => c.status === 0).length).toBe(0);
    // two chunks, each a lone DST and a lone SRC request failing BLK_STS_IOERR in the driver
    const failed = blk.tracer.events.filter((e) => e.action === "C" && e.error);
    expect(failed.map((e) => `${e.rwbs}:${e.error}`)).toEqual(["CW:BLK_STS_IOERR", "CR:BLK_STS_IOERR", "CW:BLK_STS_IOERR", "CR:BLK_STS_IOERR"]);
    expect([o.status, o.offloaded_bytes, o.emulated_bytes]).toEqual([BlkStatus.OK, 0, 16384]);
    expect(same(get(blk, t, d, 1 << 20, 16 * KiB), want)).toBe(true);
  });

  it("nomerges=2 with fallback off: the outcome is the failure and the destination is unchanged", async () => {
    const { blk, d, t } = await mkHost({ design: "pair" });
    d.flags.nomerges = 2;
    seed(blk, t, d, [{ pos: 0, len: 8192 }]);
    const old = pattern(8192, 77);
    put(blk, t, d, 1 << 20, old);
    const [o] = run(blk, t, [{ src: d, dst: d, srcSegs: [{ pos: 0, len: 8192 }], dstSegs: [{ pos: 1 << 20, len: 8192 }], fallback: false }], false);
    expect(BLK_STATUS_NAMES[o.status]).toBe("BLK_STS_IOERR");
    expect([o.offloaded_bytes, o.emulated_bytes]).toEqual([0, 0]);
    expect(o.steps.map((s) => [s.kind, s.bytes])).toEqual([["fail", 8192]]);
    expect(same(get(blk, t, d, 1 << 20, 8192), old)).toBe(true);
  });

  it("refuses two different devices: not offloaded (BLK_STS_NOTSUPP), emulated when fallback is on", async () => {
    const { blk, d, t } = await mkHost({ design: "pair", namespaces: [{}, {}] });
    const n2 = blk.disk("nvme0n2") as MqDisk;
    const want = seed(blk, t, n2, [{ pos: 0, len: 8192 }]);
    const old = pattern(8192, 5);
    put(blk, t, d, 0, old);
    const [off] = run(blk, t, [{ src: n2, dst: d, srcSegs: [{ pos: 0, len: 8192 }], dstSegs: [{ pos: 0, len: 8192 }], fallback: false }], false);
    expect(BLK_STATUS_NAMES[off.status]).toBe("BLK_STS_NOTSUPP");
    expect(same(get(blk, t, d, 0, 8192), old)).toBe(true);
    const [on] = run(blk, t, [{ src: n2, dst: d, srcSegs: [{ pos: 0, len: 8192 }], dstSegs: [{ pos: 0, len: 8192 }] }], false);
    expect([on.status, on.offloaded_bytes, on.emulated_bytes]).toEqual([BlkStatus.OK, 0, 8192]);
    expect(blk.tracer.commands.filter((c) => c.name === "Copy").length).toBe(0);
    expect(blk.tracer.events.filter((e) => e.rwbs.startsWith("C")).length).toBe(0);
    expect(same(get(blk, t, d, 0, 8192), want)).toBe(true);
  });
});

// ---- vector (2025) ----

describe("vector design", () => {
  it("copies to adjacent destinations in a plug merge (M) into one Copy", async () => {
    const { blk, d, t } = await mkHost({ design: "vector" });
    const srcSegs = [5, 1, 9, 3].map((k) => ({ pos: k * 8192, len: 4096 }));
    const want = seed(blk, t, d, srcSegs);
    const outs = run(blk, t, srcSegs.map((s, i) => ({ src: d, dst: d, srcSegs: [s], dstSegs: [{ pos: (1 << 20) + i * 4096, len: 4096 }] })));
    expect(blk.tracer.events.filter((e) => e.action === "M" && e.rwbs === "CW").length).toBe(3);
    const c = copies(blk);
    expect(c.length).toBe(1);
    expect([c[0].slba, c[0].nr, c[0].blocks, c[0].status]).toEqual([2048, 4, 32, 0]);
    expect(c[0].ranges).toEqual(srcSegs.map((s) => ({ slba: s.pos / 512, nlb: 8 })));
    for (const o of outs) expect([o.status, o.offloaded_bytes, o.emulated_bytes]).toEqual([BlkStatus.OK, 4096, 0]);
    expect(same(get(blk, t, d, 1 << 20, 16 * KiB), want)).toBe(true);
  });

  it("max_copy_src_segments (MSRC 3 -> 4): a copy bio with 8 source ranges splits once (X) into two Copies", async () => {
    const { blk, d, t } = await mkHost({ design: "vector", namespaces: [{ msrc: 3 }] });
    expect(d.limits.max_copy_src_segments).toBe(4);
    const srcSegs = Array.from({ length: 8 }, (_, i) => ({ pos: (i * 2 + 1) * 4096, len: 4096 }));
    const want = seed(blk, t, d, srcSegs);
    const [o] = run(blk, t, [{ src: d, dst: d, srcSegs, dstSegs: [{ pos: 1 << 20, len: 32 * KiB }] }], false);
    const x = blk.tracer.events.filter((e) => e.action === "X");
    expect(x.map((e) => [e.sector, e.sectors, e.splitAt])).toEqual([[2048, 32, 2080]]);
    const c = copies(blk);
    expect(c.map((e) => [e.slba, e.nr, e.blocks])).toEqual([[2048, 4, 32], [2080, 4, 32]]);
    expect([o.status, o.offloaded_bytes, o.emulated_bytes]).toEqual([BlkStatus.OK, 32768, 0]);
    expect(same(get(blk, t, d, 1 << 20, 32 * KiB), want)).toBe(true);
  });

  it("8 adjacent copies in a plug with MSRC 3: the fifth does not merge (copy segments), two Copies", async () => {
    const { blk, d, t } = await mkHost({ design: "vector", namespaces: [{ msrc: 3 }] });
    const srcSegs = Array.from({ length: 8 }, (_, i) => ({ pos: (i * 2 + 1) * 4096, len: 4096 }));
    const want = seed(blk, t, d, srcSegs);
    run(blk, t, srcSegs.map((s, i) => ({ src: d, dst: d, srcSegs: [s], dstSegs: [{ pos: (1 << 20) + i * 4096, len: 4096 }] })));
    expect(blk.tracer.events.filter((e) => e.action === "M").length).toBe(6);
    expect(copies(blk).map((e) => [e.slba, e.nr])).toEqual([[2048, 4], [2080, 4]]);
    expect(same(get(blk, t, d, 1 << 20, 32 * KiB), want)).toBe(true);
  });
});

// ---- emulation ----

describe("emulation (blkdev_copy_emulation / onload)", () => {
  const emuReads = (blk: BlockLayer) => blk.tracer.events.filter((e) => e.action === "Q" && e.rwbs === "RS");

  it("bounce buffer = min(len, max_hw_sectors * 512, max_segments * 4096)", async () => {
    const { blk, d, t } = await mkHost({ namespaces: [{ blocks: 16384 }] });
    expect(bounceSize(1 << 20, d, d)).toBe(512 * KiB);
    expect(bounceSize(12 * KiB, d, d)).toBe(12 * KiB);
    SYSFS.copy_max_bytes.store!(d.limits, d.flags, 0);
    const want = seed(blk, t, d, [{ pos: 0, len: 1 << 20 }]);
    const [o] = run(blk, t, [{ src: d, dst: d, srcSegs: [{ pos: 0, len: 1 << 20 }], dstSegs: [{ pos: 2 << 20, len: 1 << 20 }] }], false);
    expect(emuReads(blk).map((e) => [e.sector, e.sectors])).toEqual([[0, 1024], [1024, 1024]]);
    expect(blk.tracer.events.filter((e) => e.action === "Q" && e.rwbs === "WS").map((e) => [e.sector, e.sectors])).toEqual([[4096, 1024], [5120, 1024]]);
    expect([o.offloaded_bytes, o.emulated_bytes]).toEqual([0, 1 << 20]);
    expect(same(get(blk, t, d, 2 << 20, 1 << 20), want)).toBe(true);

    // MDTS 128 KiB: max_hw_sectors 256, so 128 KiB buffers
    const m = await mkHost({ ctrl: { mdts: 5 } });
    expect(m.d.limits.max_hw_sectors).toBe(256);
    expect(bounceSize(1 << 20, m.d, m.d)).toBe(128 * KiB);
  });

  it("maxBufferBytes forces halving: 512 KiB -> 64 KiB under a 100 KiB limit", async () => {
    const { blk, d, t } = await mkHost();
    SYSFS.copy_max_bytes.store!(d.limits, d.flags, 0);
    const want = seed(blk, t, d, [{ pos: 0, len: 512 * KiB }]);
    const [o] = run(blk, t, [{ src: d, dst: d, srcSegs: [{ pos: 0, len: 512 * KiB }], dstSegs: [{ pos: 1 << 20, len: 512 * KiB }], maxBufferBytes: 100 * KiB }], false);
    const r = emuReads(blk);
    expect(r.length).toBe(8);
    expect(r.every((e, i) => e.sectors === 128 && e.sector === i * 128)).toBe(true);
    expect(o.emulated_bytes).toBe(512 * KiB);
    expect(same(get(blk, t, d, 1 << 20, 512 * KiB), want)).toBe(true);
  });

  it("inflight 1 keeps one read-then-write at a time; inflight 4 has four reads out at once", async () => {
    const peak = async (inflight: number) => {
      const { blk, d, t } = await mkHost({ ctrl: { mdts: 5 } });
      SYSFS.copy_max_bytes.store!(d.limits, d.flags, 0);
      const want = seed(blk, t, d, [{ pos: 0, len: 1 << 20 }]);
      const mark = blk.tracer.events.length;
      const [o] = run(blk, t, [{ src: d, dst: d, srcSegs: [{ pos: 0, len: 1 << 20 }], dstSegs: [{ pos: 2 << 20, len: 1 << 20 }], inflight }], false);
      expect(o.emulated_bytes).toBe(1 << 20);
      expect(same(get(blk, t, d, 2 << 20, 1 << 20), want)).toBe(true);
      let reads = 0, all = 0, maxReads = 0, maxAll = 0, nReads = 0;
      for (const e of blk.tracer.events.slice(mark)) {
        if (e.rwbs !== "RS" && e.rwbs !== "WS") continue;
        if (e.action === "D") { all++; if (e.rwbs === "RS") { reads++; nReads++; } }
        if (e.action === "C") { all--; if (e.rwbs === "RS") reads--; }
        maxReads = Math.max(maxReads, reads);
        maxAll = Math.max(maxAll, all);
      }
      return { maxReads, maxAll, nReads };
    };
    expect(await peak(1)).toEqual({ maxReads: 1, maxAll: 1, nReads: 8 });
    expect(await peak(4)).toEqual({ maxReads: 4, maxAll: 4, nReads: 8 });
  });
});
