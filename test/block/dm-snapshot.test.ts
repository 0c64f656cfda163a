// dm-snapshot (src/block/dm/snapshot.ts) as LVM stacks it: an origin and a COW area (here two
// dm-linear devices on one namespace), snapshot-origin on the origin and a transient snapshot
// beside it. Copy-on-write goes through kcopyd: a chunk is copied before the origin write that
// would change it, once; writes to the snapshot land in the COW area; a whole-chunk write
// skips the copy; a full COW device invalidates the snapshot; with kcopyd's offload the COW
// copies are NVMe Copy commands; the per-CPU kcopyd preserves the same bytes as the single one.

import { describe, it, expect } from "vitest";
import { mkHost, pattern, io, write, read, same } from "./helpers";
import { Bio, BlkStatus, Op } from "../../src/block/bio";
import type { BlockLayer } from "../../src/block/blk";
import { createDm, DmDevice } from "../../src/block/dm/core";
import { SnapshotTarget } from "../../src/block/dm/snapshot";
import { KcopydConfig, setKcopydConfig } from "../../src/block/dm/kcopyd";


const ORIGIN = 4096, COW = 256, CHUNK = 16;

/** base (2 MiB) and cow (128 KiB) on nvme0n1, the origin filled with A, then snapshot-origin and a snapshot. */
async function stack(k: Partial<KcopydConfig> = {}, cowSectors = COW, cpus = 1) {
  const { blk, t } = await mkHost({ cpus, hwQueues: cpus, namespaces: [{ blocks: 16384 }] });
  setKcopydConfig(blk, k);
  const base = createDm(blk, "base", `0 ${ORIGIN} linear nvme0n1 0`);
  const cow = createDm(blk, "cow", `0 ${cowSectors} linear nvme0n1 ${ORIGIN}`);
  const A = pattern(ORIGIN * 512, 1);
  write(blk, t, base, 0, A);
  const origin = createDm(blk, "origin", `0 ${ORIGIN} snapshot-origin /dev/mapper/base`);
  const snap = createDm(blk, "snap", `0 ${ORIGIN} snapshot /dev/mapper/base /dev/mapper/cow N ${CHUNK}`);
  const target = snap.targets[0] as SnapshotTarget;
  blk.tracer.commands.length = 0;
  return { blk, t, base, cow, origin, snap, target, A };
}

const cmds = (blk: BlockLayer, name: string) => blk.tracer.commands.filter((c) => c.name === name);

describe("dm-snapshot on kcopyd", () => {
  it("an origin write first copies its chunk to the COW device, once; the snapshot keeps the old data", async () => {
    const { blk, t, origin, snap, target, A } = await stack();
    const B = pattern(4096, 2);
    write(blk, t, origin, 20, B); // chunk 1 (sectors 16..31)
    // the chunk was read from the origin and written to COW chunk 0 before the write reached the origin
    const order = blk.tracer.commands.map((c) => [c.name, c.slba, c.blocks]);
    expect(order).toEqual([["Read", 16, 16], ["Write", ORIGIN, 16], ["Write", 20, 8]]);
    expect(blk.tracer.events.some((e) => e.action === "m" && /waits for 1 copy-on-write exception/.test(e.text!))).toBe(true);
    expect(target.status()).toBe(`16/${COW} 0`);
    expect((snap as DmDevice).status()).toEqual([`0 ${ORIGIN} snapshot 16/${COW} 0`]);
    // again in the same chunk: no copy
    write(blk, t, origin, 24, B);
    expect(cmds(blk, "Read").length).toBe(1);
    expect(target.kcopyd.stats.jobs).toBe(1);
    // the origin has the new data, the snapshot the old everywhere
    const o = read(blk, t, origin, 16, CHUNK * 512);
    expect(same(o, new Uint8Array([...A.subarray(16 * 512, 20 * 512), ...B.subarray(0, 2048), ...B]))).toBe(true);
    expect(same(read(blk, t, snap, 0, ORIGIN * 512), A)).toBe(true);
  });

  it("a write that spans chunks is split at the chunk size and each chunk is preserved", async () => {
    const { blk, t, origin, snap, target, A } = await stack();
    write(blk, t, origin, 8, pattern(16 * 512, 3)); // sectors 8..23: chunks 0 and 1
    expect(blk.tracer.events.filter((e) => e.action === "X").length).toBeGreaterThanOrEqual(1);
    expect(target.kcopyd.stats.jobs).toBe(2);
    expect(same(read(blk, t, snap, 0, ORIGIN * 512), A)).toBe(true);
  });

  it("a partial write to the snapshot copies the chunk then writes the COW; a whole-chunk write skips the copy", async () => {
    const { blk, t, base, origin, snap, target, A } = await stack();
    const C = pattern(2048, 4);
    write(blk, t, snap, 48 + 4, C); // chunk 3, partial
    expect(target.kcopyd.stats.jobs).toBe(1);
    const s = read(blk, t, snap, 48, CHUNK * 512);
    expect(same(s.subarray(0, 2048), A.subarray(48 * 512, 52 * 512))).toBe(true);
    expect(same(s.subarray(2048, 4096), C)).toBe(true);
    expect(same(s.subarray(4096), A.subarray(56 * 512, 64 * 512))).toBe(true);
    // the origin is unchanged
    expect(same(read(blk, t, origin, 0, ORIGIN * 512), A)).toBe(true);
    // whole chunk 5: no kcopyd job, one Write to the COW device
    const reads = cmds(blk, "Read").length;
    const D = pattern(CHUNK * 512, 5);
    write(blk, t, snap, 80, D);
    expect(target.kcopyd.stats.jobs).toBe(1);
    expect(blk.tracer.events.some((e) => e.action === "m" && /chunk 5 overwritten whole/.test(e.text!))).toBe(true);
    expect(cmds(blk, "Read").length).toBe(reads); // the origin is not read
    expect(same(read(blk, t, snap, 80, CHUNK * 512), D)).toBe(true);
    expect(same(read(blk, t, base, 80, CHUNK * 512), A.subarray(80 * 512, 96 * 512))).toBe(true);
    expect(target.status()).toBe(`32/${COW} 0`);
  });

  it("two snapshots of one origin: an origin write is preserved in both before it lands", async () => {
    const { blk, t, origin, snap, A } = await stack();
    createDm(blk, "cow2", `0 ${COW} linear nvme0n1 ${ORIGIN + COW}`);
    const snap2 = createDm(blk, "snap2", `0 ${ORIGIN} snapshot /dev/mapper/base /dev/mapper/cow2 N 32`);
    write(blk, t, origin, 100, pattern(1024, 6));
    expect(blk.tracer.events.some((e) => e.action === "m" && /waits for 2 copy-on-write exception/.test(e.text!))).toBe(true);
    for (const s of [snap, snap2]) expect(same(read(blk, t, s, 0, ORIGIN * 512), A)).toBe(true);
    // origin writes split at the smaller chunk size (16)
    expect((snap2.targets[0] as SnapshotTarget).status()).toBe(`32/${COW} 0`);
  });

  it("a full COW device invalidates the snapshot: its I/O fails, origin writes go on", async () => {
    const { blk, t, origin, snap, target } = await stack({}, 32); // room for 2 chunks
    for (const c of [0, 1, 2]) write(blk, t, origin, c * CHUNK, pattern(512, 10 + c));
    expect(target.valid).toBe(false);
    expect(target.status()).toBe("Invalid");
    expect(blk.tracer.events.some((e) => e.action === "m" && /Invalidating snapshot: Unable to allocate exception/.test(e.text!))).toBe(true);
    expect(io(blk, t, snap, Op.READ, 0, new Uint8Array(512))).toBe(BlkStatus.IOERR);
    write(blk, t, origin, 5 * CHUNK, pattern(512, 20));
    expect(target.kcopyd.stats.jobs).toBe(2);
  });

  it("with kcopyd offload (ctx through dm-linear) every COW copy is an NVMe Copy and nothing is read", async () => {
    const { blk, t, origin, snap, target, A } = await stack({ offload: true });
    for (const c of [1, 7, 9]) write(blk, t, origin, c * CHUNK + 2, pattern(1024, c));
    const copies = cmds(blk, "Copy");
    expect(copies.map((c) => [c.slba, c.ranges])).toEqual([
      [ORIGIN, [{ slba: 16, nlb: 16 }]], [ORIGIN + 16, [{ slba: 112, nlb: 16 }]], [ORIGIN + 32, [{ slba: 144, nlb: 16 }]],
    ]);
    expect(copies.every((c) => c.status === 0)).toBe(true);
    expect(cmds(blk, "Read").length).toBe(0);
    expect(target.kcopyd.stats.offloaded_bytes).toBe(3 * CHUNK * 512);
    expect(same(read(blk, t, snap, 0, ORIGIN * 512), A)).toBe(true);
  });

  it("single and per-CPU kcopyd preserve the same bytes; per-CPU submits the COW from every writer's CPU", async () => {
    const run = async (variant: "single" | "percpu") => {
      const { blk, origin, snap, target } = await stack({ variant, job_cpu_ns: 5000 }, 4096, 4);
      const tasks = [0, 1, 2, 3].map((cpu) => blk.sim.addTask(300 + cpu, `dd${cpu}`, cpu));
      blk.tracer.events.length = 0;
      // each task writes 4 KiB into 8 chunks of its own quarter, all at once
      for (let i = 0; i < 8; i++) {
        for (const [k, tk] of tasks.entries()) {
          blk.sim.as(tk, () => {
            const b = blk.mem!.pool.alloc(4096);
            blk.mem!.ram.set(pattern(4096, 100 + k * 8 + i), b.bus);
            blk.submitBio(new Bio(origin, Op.WRITE, (k * 64 + i * 4) * CHUNK + 8, 4096, [{ bus: b.bus, len: 4096 }]));
          });
        }
      }
      for (const tk of tasks) blk.waitTask(tk);
      const cowCpus = new Set(blk.tracer.events.filter((e) => e.action === "D" && e.rwbs === "R").map((e) => e.cpu));
      return { cowCpus, snap: read(blk, tasks[0], snap, 0, ORIGIN * 512), origin: read(blk, tasks[0], origin, 0, ORIGIN * 512), stats: target.kcopyd.stats, end: blk.sim.now_ns };
    };
    const s = await run("single");
    const p = await run("percpu");
    expect(same(s.snap, p.snap)).toBe(true);
    expect(same(s.origin, p.origin)).toBe(true);
    expect(s.cowCpus.size).toBe(1);
    expect(p.cowCpus).toEqual(new Set([0, 1, 2, 3]));
    expect([s.stats.jobs, p.stats.jobs]).toEqual([32, 32]);
    expect(s.stats.max_parallel_workers).toBe(1);
    expect(p.stats.max_parallel_workers).toBe(4);
  });

  it("bad tables are refused with what is wrong", async () => {
    const { blk } = await stack();
    const bad = (table: string) => () => createDm(blk, `x${Math.random().toString(36).slice(2, 8)}`, table);
    expect(bad(`0 ${ORIGIN} snapshot /dev/mapper/base /dev/mapper/cow P 16`)).toThrow(/persistent exception store \(P\) is not modelled/);
    expect(bad(`0 ${ORIGIN} snapshot /dev/mapper/base /dev/mapper/cow N 24`)).toThrow(/not a power of 2/);
    expect(bad(`0 ${ORIGIN} snapshot /dev/mapper/base /dev/mapper/base N 16`)).toThrow(/COW device cannot be the same/);
    expect(bad(`0 ${ORIGIN} snapshot /dev/mapper/base /dev/mapper/cow X 16`)).toThrow(/Invalid persistent argument/);
    expect(bad(`0 ${ORIGIN} snapshot /dev/mapper/base /dev/mapper/cow N`)).toThrow(/requires at least 4 arguments/);
    expect(bad(`0 ${ORIGIN} snapshot-origin`)).toThrow(/expected <origin>/);
    expect(bad(`0 ${ORIGIN * 2} snapshot-origin /dev/mapper/base`)).toThrow(/too small/);
  });
});
