// Device-mapper as a user stacks it: linear remaps, striped chunks, crypt per-sector data,
// delay's asynchronous resubmission, bad tables refused, and copies through each target in
// the three designs (offloaded through linear, emulated through crypt, mispaired by pair
// through an asynchronous target).

import { describe, it, expect } from "vitest";
import { pattern, io, flush, write, read, same, submit } from "./helpers";
import { BlockHost } from "../../src/block/host";
import { defaultConfig, defaultNamespace } from "../../src/controller/config";
import { loadCoreModule } from "../../src/node/wasm";
import { Bio, BlkStatus, Op } from "../../src/block/bio";
import type { BlockLayer } from "../../src/block/blk";
import type { BlockDevice, CopyDesign } from "../../src/block/disk";
import type { Task } from "../../src/block/sim";
import { SYSFS } from "../../src/block/limits";
import { blkCopy } from "../../src/block/copy/copy";
import type { CopyOutcome, CopyParams } from "../../src/block/copy/types";
import { createDm, parseDmTable } from "../../src/block/dm/core";

const KEY = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

async function host(design: CopyDesign = "ctx", namespaces = 1) {
  const c = defaultConfig();
  c.namespaces = Array.from({ length: namespaces }, (_, i) => defaultNamespace(i + 1));
  const h = await BlockHost.create(await loadCoreModule(false), c, { cpus: 2, design });
  const a = h.blk.sim.addTask(100, "fio", 0);
  const b = h.blk.sim.addTask(101, "fio2", 1);
  return { h, blk: h.blk, a, b };
}


function copy(blk: BlockLayer, t: Task, p: CopyParams): CopyOutcome {
  let o: CopyOutcome | undefined;
  blk.sim.as(t, () => {
    o = blkCopy(blk, p);
    blk.waitTask();
  });
  expect(o!.done).toBe(true);
  return o!;
}

const seg = (sector: number, bytes: number) => [{ pos: sector * 512, len: bytes }];
const copies = (blk: BlockLayer) => blk.tracer.commands.filter((c) => c.name === "Copy");
const sysfs = (d: BlockDevice, attr: string) => SYSFS[attr].show(d.limits, d.flags) as number;

describe("device-mapper", () => {
  it("linear: a write to dm-0 sector S lands at offset + S; A events carry the from-sector", async () => {
    const { blk, a } = await host();
    const nvme = blk.disk("nvme0n1");
    const dm = createDm(blk, "lin", "0 8192 linear nvme0n1 2048");
    expect(dm.name).toBe("dm-0");
    expect([dm.major, dm.minor, dm.stacking, dm.driver]).toEqual([253, 0, true, "dm"]);
    expect(dm.capacity).toBe(8192);
    expect(blk.disk("dm-0")).toBe(dm);
    const data = pattern(4096, 1);
    write(blk, a, dm, 16, data);
    expect(same(read(blk, a, nvme, 2048 + 16, 4096), data)).toBe(true);
    expect(same(read(blk, a, dm, 16, 4096), data)).toBe(true);
    const remaps = blk.tracer.events.filter((e) => e.action === "A");
    expect(remaps.length).toBe(2);
    for (const e of remaps) {
      expect([e.major, e.minor, e.sector, e.sectors]).toEqual([259, 0, 2064, 8]);
      expect([e.fromMajor, e.fromMinor, e.fromSector]).toEqual([253, 0, 16]);
    }
    // Q on dm, A, Q on nvme; C on dm when the original completes
    const dmEvents = blk.tracer.events.filter((e) => e.major === 253 && e.action !== "m").map((e) => e.action);
    expect(dmEvents).toEqual(["Q", "C", "Q", "C"]);
    expect(dm.stats.ios).toEqual([1, 1]);
    // sysfs reads the stacked limits
    expect(sysfs(dm, "copy_max_bytes")).toBe(sysfs(nvme, "copy_max_bytes"));
    expect(sysfs(dm, "copy_max_bytes")).toBeGreaterThan(0);
    expect(sysfs(dm, "max_sectors_kb")).toBe(sysfs(nvme, "max_sectors_kb"));
    expect(sysfs(dm, "logical_block_size")).toBe(512);
    expect(dm.table()).toEqual(["0 8192 linear 259:0 2048"]);
  });

  it("a bio crossing two linear targets is split at the boundary (X) and both halves land", async () => {
    const { blk, a } = await host();
    const nvme = blk.disk("nvme0n1");
    const dm = createDm(blk, "two", ["0 100 linear nvme0n1 5000", "100 100 linear nvme0n1 1000"]);
    const data = pattern(16 * 512, 2);
    write(blk, a, dm, 92, data);
    const x = blk.tracer.events.filter((e) => e.action === "X");
    expect(x.length).toBe(1);
    // dm_split_and_process_bio: the front is mapped (A) first, then the bio, trimmed to the
    // rest, is traced split at its own new start ("X W 100 / 100"), and it completes once (C)
    expect([x[0].major, x[0].sector, x[0].sectors, x[0].splitAt]).toEqual([253, 100, 8, 100]);
    const firstA = blk.tracer.events.findIndex((e) => e.action === "A");
    expect(firstA).toBeGreaterThanOrEqual(0);
    expect(firstA).toBeLessThan(blk.tracer.events.indexOf(x[0]));
    const dmC = blk.tracer.events.filter((e) => e.action === "C" && e.major === 253);
    expect(dmC.map((e) => [e.sector, e.sectors])).toEqual([[100, 8]]);
    expect(dm.stats.ios[1]).toBe(2); // each part is a dm_io of its own in the disk stats
    expect(same(read(blk, a, nvme, 5092, 8 * 512), data.subarray(0, 4096))).toBe(true);
    expect(same(read(blk, a, nvme, 1000, 8 * 512), data.subarray(4096))).toBe(true);
    expect(same(read(blk, a, dm, 92, 16 * 512), data)).toBe(true);
  });

  it("striped: data round-robins by chunk; a bio crossing a chunk is split and both halves land", async () => {
    const { blk, a } = await host("ctx", 2);
    const n1 = blk.disk("nvme0n1"), n2 = blk.disk("nvme0n2");
    const dm = createDm(blk, "stripe", "0 4096 striped 2 16 nvme0n1 0 nvme0n2 0");
    expect(sysfs(dm, "chunk_sectors")).toBe(16);
    expect(sysfs(dm, "copy_max_bytes")).toBe(0);
    // four chunks: n1[0..16), n2[0..16), n1[16..32), n2[16..32)
    const data = pattern(64 * 512, 3);
    write(blk, a, dm, 0, data);
    const chunk = (i: number) => data.subarray(i * 8192, (i + 1) * 8192);
    expect(same(read(blk, a, n1, 0, 8192), chunk(0))).toBe(true);
    expect(same(read(blk, a, n2, 0, 8192), chunk(1))).toBe(true);
    expect(same(read(blk, a, n1, 16, 8192), chunk(2))).toBe(true);
    expect(same(read(blk, a, n2, 16, 8192), chunk(3))).toBe(true);
    expect(blk.tracer.events.filter((e) => e.action === "X" && e.major === 253).length).toBe(3);
    // a bio over a chunk boundary: dm 40..56 = n1 24..32 then n2 16..24
    const before = blk.tracer.events.length;
    const d2 = pattern(16 * 512, 4);
    write(blk, a, dm, 40, d2);
    const x = blk.tracer.events.slice(before).filter((e) => e.action === "X");
    expect(x.map((e) => [e.sector, e.sectors, e.splitAt])).toEqual([[48, 8, 48]]);
    expect(same(read(blk, a, n1, 24, 4096), d2.subarray(0, 4096))).toBe(true);
    expect(same(read(blk, a, n2, 16, 4096), d2.subarray(4096))).toBe(true);
    expect(same(read(blk, a, dm, 40, 8192), d2)).toBe(true);
  });

  it("striped: a discard is not cut at chunks; one clone per stripe takes its part of the range (stripe_map_range)", async () => {
    const { blk, a } = await host("ctx", 2);
    const dm = createDm(blk, "st", "0 1024 striped 2 8 nvme0n1 0 nvme0n2 0");
    const data = pattern(128 * 512, 6);
    write(blk, a, dm, 0, data);
    blk.tracer.commands.length = 0;
    blk.tracer.events.length = 0;
    // dm sectors 4..68: on nvme0n1 4..36, on nvme0n2 0..32
    expect(io(blk, a, dm, Op.DISCARD, 4, new Uint8Array(64 * 512))).toBe(BlkStatus.OK);
    expect(blk.tracer.events.filter((e) => e.action === "X").length).toBe(0);
    const dsm = blk.tracer.commands.filter((c) => c.name === "Dataset Management").map((c) => [c.disk, c.ranges]);
    expect(dsm).toEqual(expect.arrayContaining([["nvme0n1", [{ slba: 4, nlb: 32 }]], ["nvme0n2", [{ slba: 0, nlb: 32 }]]]));
    expect(dsm).toHaveLength(2);
    const got = read(blk, a, dm, 0, 128 * 512);
    expect(got.subarray(4 * 512, 68 * 512).every((b) => b === 0)).toBe(true);
    expect(same(got.subarray(0, 4 * 512), data.subarray(0, 4 * 512))).toBe(true);
    expect(same(got.subarray(68 * 512), data.subarray(68 * 512))).toBe(true);
    // a discard inside one chunk: the other stripe's clone has nothing to do
    blk.tracer.commands.length = 0;
    expect(io(blk, a, dm, Op.DISCARD, 80, new Uint8Array(4 * 512))).toBe(BlkStatus.OK);
    expect(blk.tracer.commands.filter((c) => c.name === "Dataset Management").map((c) => [c.disk, c.ranges])).toEqual([["nvme0n1", [{ slba: 40, nlb: 4 }]]]);
    expect(blk.tracer.events.some((e) => e.action === "m" && /has nothing on stripe 1/.test(e.text!))).toBe(true);
  });

  it("crypt: reads decrypt, the lower device holds ciphertext, copies fall back to read+write", async () => {
    for (const design of ["ctx", "pair"] as const) {
      const { blk, a } = await host(design);
      const nvme = blk.disk("nvme0n1");
      const dm = createDm(blk, "secret", `0 8192 crypt aes-xts-plain64 ${KEY} 0 nvme0n1 0`);
      expect(sysfs(dm, "copy_max_bytes")).toBe(0);
      const free = blk.mem!.pool.freeBytes();
      const data = pattern(4096, 5);
      write(blk, a, dm, 8, data);
      expect(blk.mem!.pool.freeBytes()).toBe(free); // bounce pages released
      expect(same(read(blk, a, dm, 8, 4096), data)).toBe(true);
      const raw = read(blk, a, nvme, 8, 4096);
      expect(same(raw, data)).toBe(false);
      expect(raw.some((v) => v !== 0)).toBe(true);
      // the same plaintext at another sector encrypts differently (plain64: IV = sector)
      write(blk, a, dm, 64, data);
      expect(same(read(blk, a, nvme, 64, 4096), raw)).toBe(false);
      const o = copy(blk, a, { src: dm, dst: dm, srcSegs: seg(8, 4096), dstSegs: seg(1000, 4096) });
      expect(copies(blk).length).toBe(0);
      expect([o.status, o.offloaded_bytes, o.emulated_bytes]).toEqual([BlkStatus.OK, 0, 4096]);
      expect(same(read(blk, a, dm, 1000, 4096), data)).toBe(true);
    }
  });

  it("crypt: a 1 MiB write goes down in 128 KiB pieces (dm_accept_partial_bio at DM_CRYPT_DEFAULT_MAX_WRITE_SIZE) and reads back", async () => {
    const { blk, a } = await host("ctx");
    const dm = createDm(blk, "secret", `0 8192 crypt aes-xts-plain64 ${KEY} 0 nvme0n1 0`);
    const data = pattern(1 << 20, 8);
    write(blk, a, dm, 0, data);
    // eight 256-sector clones remapped to nvme0n1; its plug merges them back up to max_sectors
    const remaps = blk.tracer.events.filter((e) => e.action === "A" && e.rwbs.startsWith("W"));
    expect(remaps.map((e) => [e.fromSector, e.sectors])).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((k) => [k * 256, 256]));
    expect(same(read(blk, a, dm, 0, 1 << 20), data)).toBe(true);
    const readRemaps = blk.tracer.events.filter((e) => e.action === "A" && e.rwbs.startsWith("R"));
    expect(readRemaps.every((e) => e.sectors <= 256)).toBe(true);
    expect(readRemaps.length).toBe(8);
  });

  it("crypt with the copy_offload what-if: the ciphertext is copied raw and decrypts to garbage", async () => {
    const { blk, a } = await host("ctx");
    const dm = createDm(blk, "secret", [{ len: 8192, type: "crypt", args: `aes-xts-plain64 ${KEY} 0 nvme0n1 0`, copy_offload: true }]);
    expect(blk.tracer.events.some((e) => e.action === "m" && /what-if: not upstream/.test(e.text!))).toBe(true);
    const data = pattern(4096, 6);
    write(blk, a, dm, 8, data);
    const o = copy(blk, a, { src: dm, dst: dm, srcSegs: seg(8, 4096), dstSegs: seg(1000, 4096) });
    expect(o.offloaded_bytes).toBe(4096);
    expect(copies(blk).length).toBe(1);
    expect(same(read(blk, a, dm, 1000, 4096), data)).toBe(false);
  });

  it("ctx: a copy on linear becomes an NVMe Copy on the remapped LBAs, also through two levels", async () => {
    const { blk, a } = await host("ctx");
    const nvme = blk.disk("nvme0n1");
    const dm0 = createDm(blk, "lin0", "0 16384 linear nvme0n1 4096");
    const dm1 = createDm(blk, "lin1", "0 8192 linear /dev/mapper/lin0 100");
    expect(dm1.name).toBe("dm-1");
    expect(sysfs(dm1, "copy_max_bytes")).toBe(sysfs(nvme, "copy_max_bytes"));
    const data = pattern(4096, 7);
    write(blk, a, dm0, 0, data);
    let o = copy(blk, a, { src: dm0, dst: dm0, srcSegs: seg(0, 4096), dstSegs: seg(512, 4096) });
    expect([o.offloaded_bytes, o.emulated_bytes]).toEqual([4096, 0]);
    let c = copies(blk);
    expect(c.length).toBe(1);
    expect([c[0].slba, c[0].ranges]).toEqual([4096 + 512, [{ slba: 4096, nlb: 8 }]]);
    expect(same(read(blk, a, dm0, 512, 4096), data)).toBe(true);
    // dm-1 sector S = dm-0 sector 100 + S = nvme 4196 + S
    write(blk, a, dm1, 0, data);
    o = copy(blk, a, { src: dm1, dst: dm1, srcSegs: seg(0, 4096), dstSegs: seg(2000, 4096) });
    expect(o.offloaded_bytes).toBe(4096);
    c = copies(blk);
    expect(c.length).toBe(2);
    expect([c[1].slba, c[1].ranges]).toEqual([4196 + 2000, [{ slba: 4196, nlb: 8 }]]);
    expect(same(read(blk, a, nvme, 4196 + 2000, 4096), data)).toBe(true);
    // the copy bios were remapped twice (253,1 -> 253,0 -> 259,0)
    const remaps = blk.tracer.events.filter((e) => e.action === "A" && e.rwbs.startsWith("C"));
    expect(remaps.some((e) => e.major === 253 && e.fromMinor === 1 && e.fromSector === 2000 && e.sector === 2100)).toBe(true);
    expect(remaps.some((e) => e.major === 259 && e.fromMinor === 0 && e.fromSector === 2100 && e.sector === 4196 + 2000)).toBe(true);
  });

  it("a copy bio crossing a target boundary is not split: refused, and the copy falls back", async () => {
    for (const [design, status] of [["ctx", "BLK_STS_NOTSUPP"], ["pair", "BLK_STS_IOERR"]] as const) {
      const { blk, a } = await host(design);
      const dm = createDm(blk, "two", ["0 1000 linear nvme0n1 0", "1000 1000 linear nvme0n1 50000"]);
      const data = pattern(4096, 8);
      write(blk, a, dm, 0, data);
      const o = copy(blk, a, { src: dm, dst: dm, srcSegs: seg(0, 4096), dstSegs: seg(996, 4096) });
      expect([o.status, o.offloaded_bytes, o.emulated_bytes]).toEqual([BlkStatus.OK, 0, 4096]);
      expect(copies(blk).filter((c) => c.status === 0).length).toBe(0);
      expect(blk.tracer.events.some((e) => e.action === "m" && /splitting copy request is not supported/.test(e.text!))).toBe(true);
      expect(blk.tracer.events.some((e) => e.action === "C" && e.major === 253 && e.rwbs === "CW" && e.error === status)).toBe(true);
      expect(same(read(blk, a, dm, 996, 4096), data)).toBe(true);
    }
  });

  it("pair: through linear the remapped DST and SRC meet in the task's plug and pair up", async () => {
    const { blk, a } = await host("pair");
    const dm = createDm(blk, "lin", "0 8192 linear nvme0n1 2048");
    expect(sysfs(dm, "copy_max_bytes")).toBeGreaterThan(0);
    const data = pattern(8192, 9);
    write(blk, a, dm, 0, data);
    const o = copy(blk, a, { src: dm, dst: dm, srcSegs: seg(0, 8192), dstSegs: seg(4000, 8192) });
    expect([o.status, o.offloaded_bytes]).toEqual([BlkStatus.OK, 8192]);
    const c = copies(blk);
    expect(c.length).toBe(1);
    expect([c[0].slba, c[0].ranges]).toEqual([2048 + 4000, [{ slba: 2048, nlb: 16 }]]);
    expect(blk.tracer.events.some((e) => e.action === "m" && /paired COPY_SRC/.test(e.text!))).toBe(true);
    expect(same(read(blk, a, dm, 4000, 8192), data)).toBe(true);
  });

  it("dm-delay holds bios for the delay and submits them from a kworker, each on its own (flush_delayed_bios has no plug)", async () => {
    const { blk, a } = await host("ctx");
    const dm = createDm(blk, "slow", "0 8192 delay nvme0n1 0 5");
    expect(sysfs(dm, "copy_max_bytes")).toBe(0);
    const data = pattern(4096, 10);
    // two writes delayed together: the kworker resubmits them one by one, each in the plug
    // __submit_bio opens for it (6.10+), so each is flushed alone: two unplugs of depth 1
    submit(blk, a, dm, Op.WRITE, 0, data);
    submit(blk, a, dm, Op.WRITE, 64, data)();
    const w = blk.tracer.commands.find((c) => c.name === "Write")!;
    expect(w.time_ns).toBeGreaterThanOrEqual(5_000_000);
    const remap = blk.tracer.events.find((e) => e.action === "A")!;
    expect(remap.comm).toMatch(/^kworker/);
    expect(blk.tracer.events.filter((e) => e.action === "U" && e.comm === remap.comm).map((e) => e.depth)).toEqual([1, 1]);
    // what-if=plug: the same kworker resubmits inside a plug, and says it is not upstream
    const { blk: blk2, a: a2 } = await host("ctx");
    const plugged = createDm(blk2, "slow", "0 8192 delay nvme0n1 0 5 what-if=plug");
    submit(blk2, a2, plugged, Op.WRITE, 0, data);
    submit(blk2, a2, plugged, Op.WRITE, 64, data)();
    const remap2 = blk2.tracer.events.find((e) => e.action === "A")!;
    expect(blk2.tracer.events.filter((e) => e.action === "U" && e.comm === remap2.comm).map((e) => e.depth)).toEqual([2]);
    expect(blk2.tracer.events.some((e) => e.action === "m" && /what-if=plug: not upstream/.test(e.text!))).toBe(true);
    expect(() => createDm(blk2, "lin", "0 8192 linear nvme0n1 0 what-if=plug")).toThrow("what-if=plug applies only to a delay target");
    expect(same(read(blk, a, dm, 0, 4096), data)).toBe(true);
    // separate classes: reads undelayed, writes 2 ms
    const rw = createDm(blk, "rw", "0 8192 delay nvme0n1 0 0 nvme0n1 0 2");
    const t0 = blk.sim.now_ns;
    expect(same(read(blk, a, rw, 0, 4096), data)).toBe(true);
    expect(blk.sim.now_ns - t0).toBeLessThan(1_000_000);
    write(blk, a, rw, 8, data);
    expect(blk.sim.now_ns - t0).toBeGreaterThanOrEqual(2_000_000);
    expect(rw.table()).toEqual(["0 8192 delay 259:0 0 0 259:0 0 2"]);
  });

  /**
   * Two tasks copy at the same time: their copy bios reach the device interleaved, task A's
   * DST, task B's DST, task A's SRC, task B's SRC (as submit_bio calls of two CPUs interleave).
   * The model runs one task at a time, so the bios each blkCopy submits are captured and then
   * submitted in that order, each in its own task, both tasks inside their plug.
   */
  function interleavedCopies(blk: BlockLayer, a: Task, b: Task, pa: CopyParams, pb: CopyParams) {
    const held: Array<{ task: Task; bio: Bio }> = [];
    const real = blk.submitBio;
    blk.submitBio = (bio: Bio) => { held.push({ task: blk.task, bio }); };
    let oa: CopyOutcome | undefined, ob: CopyOutcome | undefined;
    try {
      blk.sim.as(a, () => { oa = blkCopy(blk, pa); });
      blk.sim.as(b, () => { ob = blkCopy(blk, pb); });
    } finally {
      blk.submitBio = real;
    }
    expect(held.map((h) => [h.task.pid, h.bio.op])).toEqual([[a.pid, Op.COPY_DST], [a.pid, Op.COPY_SRC], [b.pid, Op.COPY_DST], [b.pid, Op.COPY_SRC]]);
    for (const t of [a, b]) blk.sim.as(t, () => blk.startPlug());
    for (const i of [0, 2, 1, 3]) blk.sim.as(held[i].task, () => blk.submitBio(held[i].bio));
    for (const t of [a, b]) blk.sim.as(t, () => { blk.finishPlug(); });
    for (const t of [a, b]) blk.sim.as(t, () => blk.waitTask());
    return { oa: oa!, ob: ob! };
  }

  const SRC_A = 0, SRC_B = 64, DST_A = 256, DST_B = 512, LEN = 4096;

  async function twoTasks(design: CopyDesign, table: string, fallback: boolean) {
    const { blk, a, b } = await host(design);
    const dm = createDm(blk, "dev", table);
    const da = pattern(LEN, 11), db = pattern(LEN, 12);
    write(blk, a, dm, SRC_A, da);
    write(blk, b, dm, SRC_B, db);
    const p = (src: number, dst: number): CopyParams => ({ src: dm, dst: dm, srcSegs: seg(src, LEN), dstSegs: seg(dst, LEN), fallback });
    const { oa, ob } = interleavedCopies(blk, a, b, p(SRC_A, DST_A), p(SRC_B, DST_B));
    return { blk, a, dm, da, db, oa, ob };
  }

  it("pair through upstream dm-delay (copy_offload what-if): the kworker resubmits each bio on its own, so no half finds its other: every copy fails", async () => {
    const { blk, oa, ob } = await twoTasks("pair", `0 8192 delay nvme0n1 0 5 what-if=copy_offload`, false);
    expect(copies(blk).filter((c) => c.status === 0)).toEqual([]);
    expect(blk.tracer.events.filter((e) => e.action === "m" && /lone COPY_(DST|SRC) request/.test(e.text!)).length).toBe(4);
    expect(oa.status).toBe(BlkStatus.IOERR);
    expect(ob.status).toBe(BlkStatus.IOERR);
  });

  it("pair through dm-delay resubmitting in a plug (copy_offload and plug what-ifs): task A's source is paired with task B's destination", async () => {
    const { blk, a, dm, da, db, oa, ob } = await twoTasks("pair", `0 8192 delay nvme0n1 0 5 what-if=copy_offload what-if=plug`, false);
    expect(blk.tracer.events.some((e) => e.action === "m" && /what-if: not upstream/.test(e.text!))).toBe(true);
    const ok = copies(blk).filter((c) => c.status === 0);
    // the one Copy that went out writes B's destination from A's source
    expect(ok.length).toBe(1);
    expect([ok[0].slba, ok[0].ranges]).toEqual([DST_B, [{ slba: SRC_A, nlb: 8 }]]);
    const atB = read(blk, a, dm, DST_B, LEN);
    expect(same(atB, da)).toBe(true);
    expect(same(atB, db)).toBe(false);
    // the other halves were left alone in their requests and failed (a lone half: BLK_STS_IOERR)
    expect(blk.tracer.events.filter((e) => e.action === "m" && /lone COPY_(DST|SRC) request/.test(e.text!)).length).toBe(2);
    expect(oa.status).toBe(BlkStatus.IOERR);
    expect(ob.status).toBe(BlkStatus.IOERR);
  });

  it("pair with the same interleaving through dm-linear pairs correctly (each task's plug holds its own DST)", async () => {
    const { blk, a, dm, da, db, oa, ob } = await twoTasks("pair", `0 8192 linear nvme0n1 0`, false);
    expect([oa.status, ob.status, oa.offloaded_bytes, ob.offloaded_bytes]).toEqual([0, 0, LEN, LEN]);
    expect(same(read(blk, a, dm, DST_A, LEN), da)).toBe(true);
    expect(same(read(blk, a, dm, DST_B, LEN), db)).toBe(true);
  });

  it("ctx through dm-delay resubmitting in a plug (copy_offload and plug what-ifs), same interleaving: both copies are right", async () => {
    const { blk, a, dm, da, db, oa, ob } = await twoTasks("ctx", `0 8192 delay nvme0n1 0 5 what-if=copy_offload what-if=plug`, false);
    expect([oa.status, ob.status, oa.offloaded_bytes, ob.offloaded_bytes]).toEqual([0, 0, LEN, LEN]);
    const c = copies(blk).map((x) => [x.slba, x.ranges]);
    expect(c).toContainEqual([DST_A, [{ slba: SRC_A, nlb: 8 }]]);
    expect(c).toContainEqual([DST_B, [{ slba: SRC_B, nlb: 8 }]]);
    expect(same(read(blk, a, dm, DST_A, LEN), da)).toBe(true);
    expect(same(read(blk, a, dm, DST_B, LEN), db)).toBe(true);
  });

  it("stacks in any order: crypt on linear, linear on striped, delay on crypt", async () => {
    const { blk, a } = await host("ctx", 2);
    const n1 = blk.disk("nvme0n1");
    const lin = createDm(blk, "lin", "0 20000 linear nvme0n1 1000");
    const cr = createDm(blk, "cr", `0 16000 crypt aes-xts-plain64 ${KEY} 0 /dev/mapper/lin 500`);
    const st = createDm(blk, "st", "0 8192 striped 2 32 nvme0n1 40000 nvme0n2 0");
    const top = createDm(blk, "top", "0 4096 linear dm-2 64");
    const slow = createDm(blk, "slow", "0 8000 delay 253:1 0 1");
    expect([lin.name, cr.name, st.name, top.name, slow.name]).toEqual(["dm-0", "dm-1", "dm-2", "dm-3", "dm-4"]);
    expect(sysfs(top, "chunk_sectors")).toBe(32);
    expect(sysfs(cr, "copy_max_bytes")).toBe(0);
    const data = pattern(8192, 13);
    write(blk, a, cr, 10, data);
    expect(same(read(blk, a, cr, 10, 8192), data)).toBe(true);
    expect(same(read(blk, a, n1, 1000 + 500 + 10, 8192), data)).toBe(false);
    expect(same(read(blk, a, slow, 10, 8192), data)).toBe(true);
    write(blk, a, top, 0, data);
    // top 0 = striped 64 = chunk 2 = stripe 0 row 1 = nvme0n1 40000 + 32
    expect(same(read(blk, a, n1, 40032, 8192), data)).toBe(true);
    expect(same(read(blk, a, top, 0, 8192), data)).toBe(true);
  });

  it("vector: no dm support upstream; with the what-if, linear remaps the destination and the source vector", async () => {
    for (const whatIf of [false, true]) {
      const { blk, a } = await host("vector");
      const dm = createDm(blk, "lin", [{ len: 8192, type: "linear", args: "nvme0n1 3000", copy_offload: whatIf }]);
      expect(sysfs(dm, "copy_max_bytes") > 0).toBe(whatIf);
      const data = pattern(8192, 14);
      write(blk, a, dm, 0, data);
      const o = copy(blk, a, { src: dm, dst: dm, srcSegs: [{ pos: 0, len: 4096 }, { pos: 64 * 512, len: 4096 }], dstSegs: seg(1000, 8192) });
      expect(o.status).toBe(BlkStatus.OK);
      const c = copies(blk);
      if (whatIf) {
        expect(o.offloaded_bytes).toBe(8192);
        expect(c.map((x) => [x.slba, x.ranges])).toEqual([[4000, [{ slba: 3000, nlb: 8 }, { slba: 3064, nlb: 8 }]]]);
      } else {
        expect([o.offloaded_bytes, c.length]).toEqual([0, 0]);
      }
      const back = read(blk, a, dm, 1000, 8192);
      expect(same(back.subarray(0, 4096), data.subarray(0, 4096))).toBe(true);
      expect(same(back.subarray(4096), read(blk, a, dm, 64, 4096))).toBe(true);
    }
  });

  it("sysfs: copy_max_bytes = 0 on a dm device makes copies fall back; discards through crypt need allow_discards", async () => {
    const { blk, a } = await host("ctx");
    const dm = createDm(blk, "lin", "0 8192 linear nvme0n1 0");
    expect(SYSFS.copy_max_bytes.store!(dm.limits, dm.flags, 0)).toBeNull();
    const data = pattern(4096, 15);
    write(blk, a, dm, 0, data);
    const o = copy(blk, a, { src: dm, dst: dm, srcSegs: seg(0, 4096), dstSegs: seg(100, 4096) });
    expect([o.offloaded_bytes, o.emulated_bytes, copies(blk).length]).toEqual([0, 4096, 0]);
    dm.reload(); // the user's setting survives a table reload
    expect(sysfs(dm, "copy_max_bytes")).toBe(0);
    expect(sysfs(dm, "copy_max_hw_bytes")).toBeGreaterThan(0);
    const plain = createDm(blk, "c1", `0 100 crypt aes-xts-plain64 ${KEY} 0 nvme0n1 1000`);
    const disc = createDm(blk, "c2", `0 100 crypt aes-xts-plain64 ${KEY} 0 nvme0n1 2000 1 allow_discards`);
    expect(sysfs(plain, "discard_max_bytes")).toBe(0);
    expect(sysfs(disc, "discard_max_bytes")).toBeGreaterThan(0);
    expect(sysfs(plain, "write_zeroes_max_bytes")).toBe(0);
    const st = io(blk, a, disc, Op.DISCARD, 8, new Uint8Array(4096));
    expect(st).toBe(BlkStatus.OK);
    const dsm = blk.tracer.commands.filter((c) => c.name === "Dataset Management");
    expect(dsm.map((c) => c.ranges)).toEqual([[{ slba: 2008, nlb: 8 }]]);
    expect(io(blk, a, plain, Op.DISCARD, 8, new Uint8Array(4096))).toBe(BlkStatus.NOTSUPP);
  });

  it("an empty flush goes to every target's device", async () => {
    const { blk, a } = await host("ctx", 2);
    const dm = createDm(blk, "two", ["0 1000 linear nvme0n1 0", "1000 1000 linear nvme0n2 0"]);
    expect(flush(blk, a, dm)).toBe(BlkStatus.OK);
    expect(blk.tracer.commands.filter((c) => c.name === "Flush").map((c) => c.disk).sort()).toEqual(["nvme0n1", "nvme0n2"]);
  });

  it("bad tables throw naming the target and the problem", async () => {
    const { blk } = await host();
    const bad = (t: string | string[]) => () => createDm(blk, "bad", t);
    expect(bad(["0 100 linear nvme0n1 0", "200 100 linear nvme0n1 100"])).toThrow(/table target 1 .*gap in table.*ends at sector 100.*starts at 200/);
    expect(bad(["0 100 linear nvme0n1 0", "50 100 linear nvme0n1 100"])).toThrow(/table target 1 .*overlapping targets.*starts at sector 50.*ends at 100/);
    expect(bad(["0 100 linear nvme0n1 0", "100 100 linear nvme9n9 0"])).toThrow(/table target 1 \(linear.*unknown device "nvme9n9"/);
    expect(bad("10 100 linear nvme0n1 0")).toThrow(/table target 0 .*must start at sector 0/);
    expect(bad("0 100 mirror nvme0n1 0")).toThrow(/table target 0 .*unknown target type "mirror"/);
    expect(bad("0 100 linear nvme0n1")).toThrow(/table target 0 .*Invalid argument count/);
    expect(bad("0 100 linear nvme0n1 131000")).toThrow(/table target 0 .*too small for target/);
    expect(bad("0 100 striped 2 16 nvme0n1 0 nvme0n1 1000")).toThrow(/table target 0 .*not divisible by chunk size/);
    expect(bad("0 128 striped 2 16 nvme0n1 0")).toThrow(/table target 0 .*Not enough destinations/);
    expect(bad(`0 100 crypt aes-cbc-essiv:sha256 ${KEY} 0 nvme0n1 0`)).toThrow(/table target 0 .*IV mechanism "essiv"/);
    expect(bad("0 100 delay nvme0n1 0")).toThrow(/table target 0 .*3, 6 or 9 arguments/);
    expect(bad([])).toThrow(/empty table/);
    expect(() => parseDmTable("0 x linear nvme0n1 0")).toThrow(/table target 0 .*length "x"/);
    // nothing half-made was registered
    expect([...blk.disks.keys()]).toEqual(["nvme0n1"]);
    createDm(blk, "good", "0 100 linear nvme0n1 0");
    expect(() => createDm(blk, "good", "0 100 linear nvme0n1 0")).toThrow(/already exists/);
  });
});
