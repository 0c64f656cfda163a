// blk-mq behaviour pinned to Linux (block/blk-mq.c, blk-merge.c, blk-settings.c,
// mq-deadline.c, drivers/nvme/host): plug flush rules, nested plugs, unplug on sleep,
// multi-range discard merging, bio splitting by MDTS / virt boundary / max_sectors_kb,
// nomerges, mq-deadline sort order and merges, tag exhaustion, blk_status mapping and disk
// statistics. Every expectation is an exact count, sector or byte.

import { describe, it, expect } from "vitest";
import { mkHost, pattern } from "./helpers";
import { Bio, BioVec, BlkStatus, BLK_STATUS_NAMES, Op, REQ_NOMERGE } from "../../src/block/bio";
import { Request } from "../../src/block/request";
import { BlockLayer } from "../../src/block/blk";
import { BlkEvent } from "../../src/block/trace";
import { MqDisk } from "../../src/block/mq";
import { SYSFS } from "../../src/block/limits";
import { nvmeErrorStatus } from "../../src/block/nvme-blk";
import { blkCopy } from "../../src/block/copy/copy";
import type { Task } from "../../src/block/sim";
import { createDm } from "../../src/block/dm/core";

// ---- helpers ----

/** A page-aligned buffer in host RAM holding data. */
function buffer(blk: BlockLayer, data: Uint8Array): number {
  const b = blk.mem!.pool.alloc(Math.max(data.length, 4096));
  blk.mem!.ram.set(data, b.bus);
  return b.bus;
}

function writeBio(blk: BlockLayer, d: MqDisk, sector: number, data: Uint8Array, flags = 0): Bio {
  const bus = buffer(blk, data);
  const bio = new Bio(d, Op.WRITE, sector, data.length, [{ bus, len: data.length }], flags);
  blk.submitBio(bio);
  return bio;
}

function readBio(blk: BlockLayer, d: MqDisk, sector: number, bytes: number): { bio: Bio; data: () => Uint8Array } {
  const b = blk.mem!.pool.alloc(bytes);
  blk.mem!.ram.fill(0xee, b.bus, b.bus + bytes);
  const bio = new Bio(d, Op.READ, sector, bytes, [{ bus: b.bus, len: bytes }]);
  blk.submitBio(bio);
  return { bio, data: () => blk.mem!.ram.slice(b.bus, b.bus + bytes) };
}

function opBio(blk: BlockLayer, d: MqDisk, op: Op, sector: number, bytes: number): Bio {
  const bio = new Bio(d, op, sector, bytes);
  blk.submitBio(bio);
  return bio;
}

/** Read back through the block layer (in task t) and return the bytes. */
function readBack(blk: BlockLayer, t: Task, d: MqDisk, sector: number, bytes: number): Uint8Array {
  let r!: ReturnType<typeof readBio>;
  blk.sim.as(t, () => {
    r = readBio(blk, d, sector, bytes);
    blk.waitTask();
  });
  expect(r.bio.status).toBe(BlkStatus.OK);
  return r.data();
}

const acts = (evs: BlkEvent[], keep: string) => evs.filter((e) => keep.split(",").includes(e.action)).map((e) => e.action);
const cmdsNamed = (blk: BlockLayer, name: string) => blk.tracer.commands.filter((c) => c.name === name);

// ---- plugging ----

describe("plug (blk_add_rq_to_plug, blk_finish_plug)", () => {
  it("33 discontiguous 4 KiB writes: the 33rd request flushes the first 32 (G, U depth 32, P)", async () => {
    const { blk, d, t } = await mkHost();
    const bios: Bio[] = [];
    blk.sim.as(t, () => {
      blk.startPlug();
      for (let i = 0; i < 32; i++) bios.push(writeBio(blk, d, i * 16, pattern(4096, i)));
      // nothing reached the device before the 33rd request was added
      expect(blk.tracer.commands.length).toBe(0);
      bios.push(writeBio(blk, d, 32 * 16, pattern(4096, 32)));
      expect(blk.tracer.commands.length).toBe(32);
      blk.finishPlug();
      blk.waitTask();
    });
    const seq = acts(blk.tracer.events, "Q,G,P,U,D").join("");
    expect(seq).toBe("QGP" + "QG".repeat(31) + "QG" + "U" + "D".repeat(32) + "P" + "U" + "D");
    const unplugs = blk.tracer.events.filter((e) => e.action === "U");
    expect(unplugs.map((e) => e.depth)).toEqual([32, 1]);
    // the first unplug comes after the 33rd bio's G
    const g33 = blk.tracer.events.findIndex((e) => e.action === "G" && e.bio === bios[32].id);
    expect(blk.tracer.events.indexOf(unplugs[0])).toBeGreaterThan(g33);
    const w = cmdsNamed(blk, "Write");
    expect(w.length).toBe(33);
    expect(w.map((c) => c.slba)).toEqual(Array.from({ length: 33 }, (_, i) => i * 16));
    expect(w.every((c) => c.blocks === 8)).toBe(true);
    expect(bios.every((b) => b.ended && b.status === BlkStatus.OK)).toBe(true);
  });

  it("a plug holding requests of two queues flushes at 64 requests (2 x BLK_MAX_REQUEST_COUNT)", async () => {
    const { blk, d, t } = await mkHost({ namespaces: [{}, {}] });
    const d2 = blk.disk("nvme0n2") as MqDisk;
    blk.sim.as(t, () => {
      blk.startPlug();
      for (let i = 0; i < 70; i++) writeBio(blk, i % 2 ? d2 : d, i * 16, pattern(4096, i));
      blk.finishPlug();
      blk.waitTask();
    });
    const u = blk.tracer.events.filter((e) => e.action === "U");
    // one unplug per queue, the queue of the plug's first request first (blk_mq_extract_queue_requests, 6.16)
    expect(u.map((e) => `${e.minor}:${e.depth}`)).toEqual(["0:32", "1:32", "0:3", "1:3"]);
    // the first flush came when the 65th request was added, after its G
    const g = blk.tracer.events.filter((e) => e.action === "G");
    expect(blk.tracer.events.indexOf(u[0])).toBeGreaterThan(blk.tracer.events.indexOf(g[64]));
    expect(blk.tracer.events.indexOf(u[0])).toBeLessThan(blk.tracer.events.indexOf(g[65]));
    expect(cmdsNamed(blk, "Write").length).toBe(70);
  });

  it("a plugged request of 128 KiB flushes the plug when the next request is added (BLK_PLUG_FLUSH_SIZE)", async () => {
    const { blk, d, t } = await mkHost();
    blk.sim.as(t, () => {
      blk.startPlug();
      writeBio(blk, d, 0, pattern(128 * 1024, 1));
      writeBio(blk, d, 4096, pattern(4096, 2)); // not contiguous: a new request
      writeBio(blk, d, 8192, pattern(4096, 3));
      blk.finishPlug();
      blk.waitTask();
    });
    expect(blk.tracer.events.filter((e) => e.action === "U").map((e) => e.depth)).toEqual([1, 2]);
    expect(acts(blk.tracer.events, "P,U").join("")).toBe("PUPU");
    expect(cmdsNamed(blk, "Write").map((c) => c.blocks)).toEqual([256, 8, 8]);
  });

  it("the 128 KiB rule looks at the plug's oldest request (rq_list_peek, the head), not the one added last", async () => {
    // 4 KiB, then 256 KiB, then 4 KiB, none contiguous: the big request is never the head, so
    // adding the third request does not flush; with the newest checked (before 6.13) it would,
    // and the unplugs would be [2, 1]
    const { blk, d, t } = await mkHost();
    blk.sim.as(t, () => {
      blk.startPlug();
      writeBio(blk, d, 0, pattern(4096, 1));
      writeBio(blk, d, 1024, pattern(256 * 1024, 2));
      writeBio(blk, d, 4096, pattern(4096, 3));
      blk.finishPlug();
      blk.waitTask();
    });
    expect(blk.tracer.events.filter((e) => e.action === "U").map((e) => e.depth)).toEqual([3]);
    expect(acts(blk.tracer.events, "P,U").join("")).toBe("PU");

    // the big request first: it is the head when the next request comes, so that one flushes
    // it; after the flush the small request is the head and the third one does not
    const b = await mkHost();
    b.blk.sim.as(b.t, () => {
      b.blk.startPlug();
      writeBio(b.blk, b.d, 1024, pattern(256 * 1024, 2));
      writeBio(b.blk, b.d, 0, pattern(4096, 1));
      writeBio(b.blk, b.d, 4096, pattern(4096, 3));
      b.blk.finishPlug();
      b.blk.waitTask();
    });
    expect(b.blk.tracer.events.filter((e) => e.action === "U").map((e) => e.depth)).toEqual([1, 2]);
    expect(acts(b.blk.tracer.events, "P,U").join("")).toBe("PUPU");
  });

  it("a flushed plug dispatches its requests in submission order, oldest first (rq_list_add_tail, 6.13)", async () => {
    const { blk, d, t } = await mkHost();
    const sectors = [800, 0, 400, 1600, 8];
    blk.sim.as(t, () => {
      blk.startPlug();
      for (const [i, s] of sectors.entries()) writeBio(blk, d, s, pattern(4096, i));
      blk.finishPlug();
      blk.waitTask();
    });
    // neither sorted nor reversed: D and the Writes in the order the bios came
    expect(blk.tracer.events.filter((e) => e.action === "D").map((e) => e.sector)).toEqual(sectors);
    expect(cmdsNamed(blk, "Write").map((c) => c.slba)).toEqual(sectors);
  });

  it("a request below 128 KiB does not flush; one that grew to 128 KiB by merges does", async () => {
    const { blk, d, t } = await mkHost();
    blk.sim.as(t, () => {
      blk.startPlug();
      writeBio(blk, d, 0, pattern(124 * 1024, 1));
      writeBio(blk, d, 4096, pattern(4096, 2));
      blk.finishPlug();
      blk.waitTask();
    });
    expect(blk.tracer.events.filter((e) => e.action === "U").map((e) => e.depth)).toEqual([2]);

    const b = await mkHost();
    b.blk.sim.as(b.t, () => {
      b.blk.startPlug();
      for (let i = 0; i < 32; i++) writeBio(b.blk, b.d, i * 8, pattern(4096, i)); // merge into one 128 KiB request
      writeBio(b.blk, b.d, 4096, pattern(4096, 99));
      b.blk.finishPlug();
      b.blk.waitTask();
    });
    expect(b.blk.tracer.events.filter((e) => e.action === "M").length).toBe(31);
    expect(b.blk.tracer.events.filter((e) => e.action === "U").map((e) => e.depth)).toEqual([1, 1]);
    expect(cmdsNamed(b.blk, "Write").map((c) => c.blocks)).toEqual([256, 8]);
  });

  it("with nomerges=2 a 128 KiB request does not flush the plug", async () => {
    const { blk, d, t } = await mkHost();
    expect(SYSFS.nomerges.store!(d.limits, d.flags, 2)).toBeNull();
    blk.sim.as(t, () => {
      blk.startPlug();
      writeBio(blk, d, 0, pattern(128 * 1024, 1));
      writeBio(blk, d, 4096, pattern(4096, 2));
      blk.finishPlug();
      blk.waitTask();
    });
    expect(blk.tracer.events.filter((e) => e.action === "U").map((e) => e.depth)).toEqual([2]);
  });

  it("nested plugs: the inner finish does not flush; the outer one does", async () => {
    const { blk, d, t } = await mkHost();
    let afterInner = -1;
    blk.sim.as(t, () => {
      blk.startPlug();
      writeBio(blk, d, 0, pattern(4096, 1));
      blk.startPlug();
      writeBio(blk, d, 64, pattern(4096, 2));
      blk.finishPlug();
      afterInner = blk.tracer.commands.length;
      expect(blk.tracer.events.some((e) => e.action === "U" || e.action === "UT" || e.action === "D")).toBe(false);
      writeBio(blk, d, 128, pattern(4096, 3));
      blk.finishPlug();
      blk.waitTask();
    });
    expect(afterInner).toBe(0);
    expect(blk.tracer.events.filter((e) => e.action === "P").length).toBe(1);
    expect(blk.tracer.events.filter((e) => e.action === "U").map((e) => e.depth)).toEqual([3]);
    expect(cmdsNamed(blk, "Write").length).toBe(3);
  });

  it("a task that blocks (waitTask) flushes its plug with UT; the later finish has nothing to flush", async () => {
    const { blk, d, t } = await mkHost();
    const bios: Bio[] = [];
    blk.sim.as(t, () => {
      blk.startPlug();
      for (let i = 0; i < 3; i++) bios.push(writeBio(blk, d, i * 64, pattern(4096, i)));
      blk.waitTask();
      expect(bios.every((b) => b.ended)).toBe(true);
      blk.finishPlug();
    });
    const un = blk.tracer.events.filter((e) => e.action === "U" || e.action === "UT");
    expect(un.map((e) => `${e.action}${e.depth}`)).toEqual(["UT3"]);
    expect(un[0].pid).toBe(100);
    // blk_mq_dispatch_plug_list(from_sched): inserted (I) by the sleeping task, issued (D) by kblockd
    const ev = blk.tracer.events.filter((e) => ["UT", "I", "D"].includes(e.action));
    expect(ev.map((e) => `${e.action}:${e.comm}`)).toEqual([
      "UT:fio", "I:fio", "I:fio", "I:fio", "D:kworker/0:1H", "D:kworker/0:1H", "D:kworker/0:1H",
    ]);
    expect(cmdsNamed(blk, "Write").length).toBe(3);
  });
});

describe("__submit_bio's plug (060406c61c7c, Linux 6.10 to 7.1)", () => {
  const seq = (blk: BlockLayer) => blk.tracer.events.filter((e) => e.action !== "m").map((e) => `${e.action}${e.action === "U" ? e.depth : ""}:${e.minor}`);

  it("a bio submitted without a plug is plugged alone: Q G P U(1) D, all by the task; 7.2 (no such plug) traces Q G D", async () => {
    const { blk, d, t } = await mkHost();
    blk.sim.as(t, () => { writeBio(blk, d, 0, pattern(4096, 1)); blk.waitTask(); });
    expect(blk.tracer.events.map((e) => `${e.action}${e.action === "U" ? e.depth : ""} ${e.rwbs} ${e.comm}`)).toEqual([
      "Q W fio", "G W fio", "P N fio", "U1 N fio", "D W fio", "C W swapper/0",
    ]);
    const b = await mkHost();
    b.blk.plugInSubmitBio = false;
    b.blk.sim.as(b.t, () => { writeBio(b.blk, b.d, 0, pattern(4096, 1)); b.blk.waitTask(); });
    expect(acts(b.blk.tracer.events, "Q,G,P,U,D,C").join("")).toBe("QGDC");
    // the same command either way
    expect(cmdsNamed(b.blk, "Write").map((c) => [c.slba, c.blocks])).toEqual(cmdsNamed(blk, "Write").map((c) => [c.slba, c.blocks]));
  });

  it("a bio cannot merge into the previous bio's request: that request left with its plug (the task's own plug merges them)", async () => {
    const { blk, d, t } = await mkHost();
    blk.sim.as(t, () => {
      writeBio(blk, d, 0, pattern(4096, 1));
      writeBio(blk, d, 8, pattern(4096, 2)); // contiguous, but rq of the first is already issued
      blk.waitTask();
    });
    expect(acts(blk.tracer.events, "M,F").length).toBe(0);
    expect(blk.tracer.events.filter((e) => e.action === "U").map((e) => e.depth)).toEqual([1, 1]);
    expect(cmdsNamed(blk, "Write").map((c) => [c.slba, c.blocks])).toEqual([[0, 8], [8, 8]]);
    const b = await mkHost();
    b.blk.sim.as(b.t, () => {
      b.blk.startPlug();
      writeBio(b.blk, b.d, 0, pattern(4096, 1));
      writeBio(b.blk, b.d, 8, pattern(4096, 2));
      b.blk.finishPlug();
      b.blk.waitTask();
    });
    // __submit_bio's blk_start_plug is a no-op under the task's plug: one P, one U of depth 1
    expect(acts(b.blk.tracer.events, "P,M,U").join("")).toBe("PMU");
    expect(cmdsNamed(b.blk, "Write").map((c) => [c.slba, c.blocks])).toEqual([[0, 16]]);
  });

  it("a split bio: each piece is plugged and flushed alone, the rest resubmitted after the front's flush", async () => {
    const { blk, d, t } = await mkHost();
    expect(SYSFS.max_sectors_kb.store!(d.limits, d.flags, 8)).toBeNull();
    blk.sim.as(t, () => { writeBio(blk, d, 0, pattern(24576, 1)); blk.waitTask(); });
    expect(seq(blk).filter((x) => !x.startsWith("C"))).toEqual([
      "Q:0", "X:0", "G:0", "P:0", "U1:0", "D:0", "X:0", "G:0", "P:0", "U1:0", "D:0", "G:0", "P:0", "U1:0", "D:0",
    ]);
  });

  it("with mq-deadline: U, then the request is inserted (I) and dispatched at once by the task; 7.2 leaves the run to kblockd", async () => {
    const { blk, d, t } = await mkHost();
    d.setScheduler("mq-deadline");
    blk.sim.as(t, () => { writeBio(blk, d, 0, pattern(4096, 1)); blk.waitTask(); });
    expect(blk.tracer.events.filter((e) => e.action !== "C").map((e) => `${e.action}:${e.comm}`)).toEqual(["Q:fio", "G:fio", "P:fio", "U:fio", "I:fio", "D:fio"]);
    const b = await mkHost();
    b.d.setScheduler("mq-deadline");
    b.blk.plugInSubmitBio = false;
    b.blk.sim.as(b.t, () => { writeBio(b.blk, b.d, 0, pattern(4096, 1)); b.blk.waitTask(); });
    expect(b.blk.tracer.events.filter((e) => e.action !== "C").map((e) => `${e.action}:${e.comm}`)).toEqual(["Q:fio", "G:fio", "I:fio", "D:kworker/0:1H"]);
  });

  it("a bio-based device (dm-linear): its own plug stays empty; the clone's request is plugged and flushed alone on the NVMe queue", async () => {
    const { blk, t } = await mkHost();
    const dm = createDm(blk, "lin", "0 8192 linear nvme0n1 1000");
    blk.sim.as(t, () => { writeBio(blk, dm as unknown as MqDisk, 0, pattern(4096, 1)); blk.waitTask(); });
    // minor 0 of major 253 is dm-0, of 259 nvme0n1: tell them apart by major
    expect(blk.tracer.events.filter((e) => e.action !== "m" && e.action !== "C").map((e) => `${e.action}${e.action === "U" ? e.depth : ""}:${e.major}`)).toEqual([
      "Q:253", "A:259", "Q:259", "G:259", "P:259", "U1:259", "D:259",
    ]);
  });
});

describe("plug merges (blk_attempt_plug_merge)", () => {
  it("with one queue in the plug only the request added last (the list's tail) is tried", async () => {
    const { blk, d, t } = await mkHost();
    blk.sim.as(t, () => {
      blk.startPlug();
      writeBio(blk, d, 0, pattern(4096, 1));
      writeBio(blk, d, 1000, pattern(4096, 2));
      writeBio(blk, d, 8, pattern(4096, 3)); // contiguous with the older request only
      blk.finishPlug();
      blk.waitTask();
    });
    expect(blk.tracer.events.filter((e) => e.action === "M" || e.action === "F").length).toBe(0);
    expect(cmdsNamed(blk, "Write").map((c) => c.slba)).toEqual([0, 1000, 8]);
  });

  it("with several queues in the plug and the tail on another queue, only the oldest request of this queue is tried", async () => {
    const { blk, d, t } = await mkHost({ namespaces: [{}, {}] });
    const d2 = blk.disk("nvme0n2") as MqDisk;
    // the tail is on the other queue: blk_attempt_plug_merge scans from the head to this queue's first request
    blk.sim.as(t, () => {
      blk.startPlug();
      writeBio(blk, d, 0, pattern(4096, 1));
      writeBio(blk, d2, 0, pattern(4096, 2));
      writeBio(blk, d, 8, pattern(4096, 3));
      blk.finishPlug();
      blk.waitTask();
    });
    expect(blk.tracer.events.filter((e) => e.action === "M").length).toBe(1);
    expect(cmdsNamed(blk, "Write").map((c) => `${c.disk}:${c.slba}+${c.blocks}`).sort()).toEqual(["nvme0n1:0+16", "nvme0n2:0+8"]);

    // the tail is this queue's but does not take the bio: no other request is tried
    const b = await mkHost({ namespaces: [{}, {}] });
    const b2 = b.blk.disk("nvme0n2") as MqDisk;
    b.blk.sim.as(b.t, () => {
      b.blk.startPlug();
      writeBio(b.blk, b.d, 0, pattern(4096, 1));
      writeBio(b.blk, b2, 0, pattern(4096, 2));
      writeBio(b.blk, b.d, 1000, pattern(4096, 3));
      writeBio(b.blk, b.d, 8, pattern(4096, 4));
      b.blk.finishPlug();
      b.blk.waitTask();
    });
    expect(b.blk.tracer.events.filter((e) => e.action === "M" || e.action === "F").length).toBe(0);
    expect(cmdsNamed(b.blk, "Write").length).toBe(4);

    // two requests of this queue, then the other queue's: a bio contiguous with the older one
    // merges into it, one contiguous with the newer one does not (only the first found from the
    // head is tried; scanning from the newest, as before 6.13, would give the opposite)
    const c = await mkHost({ namespaces: [{}, {}] });
    const c2 = c.blk.disk("nvme0n2") as MqDisk;
    const merged: Bio[] = [];
    c.blk.sim.as(c.t, () => {
      c.blk.startPlug();
      writeBio(c.blk, c.d, 0, pattern(4096, 1));
      writeBio(c.blk, c.d, 1000, pattern(4096, 2));
      writeBio(c.blk, c2, 0, pattern(4096, 3));
      merged.push(writeBio(c.blk, c.d, 8, pattern(4096, 4)));
      writeBio(c.blk, c.d, 1008, pattern(4096, 5));
      c.blk.finishPlug();
      c.blk.waitTask();
    });
    const m = c.blk.tracer.events.filter((e) => e.action === "M" || e.action === "F");
    expect(m.map((e) => [e.action, e.bio, e.sector])).toEqual([["M", merged[0].id, 8]]);
    expect(cmdsNamed(c.blk, "Write").map((x) => `${x.disk}:${x.slba}+${x.blocks}`)).toEqual(["nvme0n1:0+16", "nvme0n1:1000+8", "nvme0n1:1008+8", "nvme0n2:0+8"]);
  });
});

describe("discard merging (bio_attempt_discard_merge, nvme_setup_discard)", () => {
  it("N discontiguous discards in a plug become one DSM with N ranges", async () => {
    const { blk, d, t } = await mkHost();
    const bios: Bio[] = [];
    blk.sim.as(t, () => {
      blk.startPlug();
      for (let i = 0; i < 20; i++) bios.push(opBio(blk, d, Op.DISCARD, i * 64 + (i % 3) * 8, 4096));
      blk.finishPlug();
      blk.waitTask();
    });
    const dsm = cmdsNamed(blk, "Dataset Management");
    expect(dsm.length).toBe(1);
    expect(dsm[0].nr).toBe(20);
    expect(dsm[0].ranges).toEqual(Array.from({ length: 20 }, (_, i) => ({ slba: i * 64 + (i % 3) * 8, nlb: 8 })));
    expect(bios.every((b) => b.ended && b.status === BlkStatus.OK)).toBe(true);
    expect(blk.tracer.events.filter((e) => e.action === "G").length).toBe(1);
  });

  it("300 discards: 256 ranges fill the first request; the 257th starts a request, and adding it flushes the first (>= 128 KiB)", async () => {
    const { blk, d, t } = await mkHost();
    blk.sim.as(t, () => {
      blk.startPlug();
      for (let i = 0; i < 300; i++) opBio(blk, d, Op.DISCARD, i * 16, 4096);
      blk.finishPlug();
      blk.waitTask();
    });
    const dsm = cmdsNamed(blk, "Dataset Management");
    expect(dsm.map((c) => c.nr)).toEqual([256, 44]);
    expect(dsm[1].ranges![0]).toEqual({ slba: 256 * 16, nlb: 8 });
    expect(dsm[1].ranges![43]).toEqual({ slba: 299 * 16, nlb: 8 });
    expect(blk.tracer.events.filter((e) => e.action === "U").map((e) => e.depth)).toEqual([1, 1]);
    expect(blk.tracer.events.filter((e) => e.action === "G").length).toBe(2);
    // discard merges are not back merges: blk-merge.c traces none for them
    expect(blk.tracer.events.filter((e) => e.action === "M" || e.action === "F").length).toBe(0);
    expect(d.stats.discards).toBe(2);
    expect(d.stats.discard_sectors).toBe(2400);
    // merged discards are counted apart from writes (op_stat_group STAT_DISCARD)
    expect(d.stats.merges).toEqual([0, 0]);
    expect(d.stats.ios).toEqual([0, 0]);
  });

  it("discarded blocks read back as zeroes", async () => {
    const { blk, d, t } = await mkHost();
    blk.sim.as(t, () => {
      writeBio(blk, d, 0, pattern(16384, 5));
      blk.waitTask();
      opBio(blk, d, Op.DISCARD, 8, 4096);
      opBio(blk, d, Op.WRITE_ZEROES, 24, 2048);
      blk.waitTask();
    });
    const got = readBack(blk, t, d, 0, 16384);
    const want = pattern(16384, 5);
    want.fill(0, 4096, 8192);
    want.fill(0, 12288, 14336);
    expect(Buffer.from(got).equals(Buffer.from(want))).toBe(true);
  });
});

describe("splits (bio_split_to_limits)", () => {
  it("a 1 MiB write with MDTS 512 KiB splits once (X) into two NVMe Writes", async () => {
    const { blk, d, t } = await mkHost();
    expect(d.limits.max_hw_sectors).toBe(1024);
    expect(d.limits.max_sectors).toBe(1024);
    const data = pattern(1 << 20, 7);
    let bio!: Bio;
    blk.sim.as(t, () => {
      bio = writeBio(blk, d, 2048, data);
      blk.waitTask();
    });
    const x = blk.tracer.events.filter((e) => e.action === "X");
    expect(x.length).toBe(1);
    expect([x[0].sector, x[0].sectors, x[0].splitAt]).toEqual([2048, 1024, 3072]);
    expect(cmdsNamed(blk, "Write").map((c) => [c.slba, c.blocks])).toEqual([[2048, 1024], [3072, 1024]]);
    expect(blk.tracer.events.filter((e) => e.action === "Q").length).toBe(1);
    expect(bio.ended && bio.status === BlkStatus.OK).toBe(true);
    expect(Buffer.from(readBack(blk, t, d, 2048, 1 << 20)).equals(Buffer.from(data))).toBe(true);
  });

  it("a bio whose pages leave a gap inside a 4 KiB window splits at the gap (virt boundary)", async () => {
    const { blk, d, t } = await mkHost();
    const data = pattern(4096, 8);
    let bio!: Bio;
    blk.sim.as(t, () => {
      const p = blk.mem!.pool.alloc(4096);
      const q = blk.mem!.pool.alloc(8192);
      blk.mem!.ram.set(data.subarray(0, 2048), p.bus);
      blk.mem!.ram.set(data.subarray(2048), q.bus + 4096);
      // the first vector ends mid-page: the next one cannot follow it in one PRP list
      bio = new Bio(d, Op.WRITE, 16, 4096, [{ bus: p.bus, len: 2048 }, { bus: q.bus + 4096, len: 2048 }]);
      blk.submitBio(bio);
      blk.waitTask();
    });
    const x = blk.tracer.events.filter((e) => e.action === "X");
    expect(x.map((e) => [e.sector, e.sectors, e.splitAt])).toEqual([[16, 4, 20]]);
    expect(cmdsNamed(blk, "Write").map((c) => [c.slba, c.blocks])).toEqual([[16, 4], [20, 4]]);
    expect(bio.ended && bio.status === BlkStatus.OK).toBe(true);
    expect(Buffer.from(readBack(blk, t, d, 16, 4096)).equals(Buffer.from(data))).toBe(true);

    // page-aligned pieces leave no gap: one request, no split
    const b = await mkHost();
    b.blk.sim.as(b.t, () => {
      const p = b.blk.mem!.pool.alloc(4096);
      const q = b.blk.mem!.pool.alloc(4096);
      const vecs: BioVec[] = [{ bus: p.bus, len: 4096 }, { bus: q.bus, len: 2048 }];
      b.blk.submitBio(new Bio(b.d, Op.WRITE, 0, 6144, vecs));
      b.blk.waitTask();
    });
    expect(b.blk.tracer.events.filter((e) => e.action === "X").length).toBe(0);
    expect(cmdsNamed(b.blk, "Write").map((c) => c.blocks)).toEqual([12]);
  });

  it("write-zeroes split by max_write_zeroes_sectors (MDTS): 1 MiB -> two Write Zeroes", async () => {
    const { blk, d, t } = await mkHost();
    expect(d.limits.max_write_zeroes_sectors).toBe(1024);
    let bio!: Bio;
    blk.sim.as(t, () => {
      bio = opBio(blk, d, Op.WRITE_ZEROES, 4096, 1 << 20);
      blk.waitTask();
    });
    expect(blk.tracer.events.filter((e) => e.action === "X").map((e) => [e.sector, e.sectors, e.splitAt])).toEqual([[4096, 1024, 5120]]);
    expect(cmdsNamed(blk, "Write Zeroes").map((c) => [c.slba, c.blocks])).toEqual([[4096, 1024], [5120, 1024]]);
    expect([bio.ended, bio.status]).toEqual([true, BlkStatus.OK]);
  });

  it("write-zeroes sets DEAC on a namespace whose DLFEAT allows it (NVME_NS_DEAC): the zeroed blocks are deallocated", async () => {
    const { h, blk, d, t } = await mkHost();
    blk.sim.as(t, () => {
      writeBio(blk, d, 0, pattern(64 * 512, 3));
      blk.waitTask();
    });
    expect(h.core.nuse(1)).toBe(64);
    expect((d as unknown as { deac: boolean }).deac).toBe(true);
    blk.sim.as(t, () => {
      opBio(blk, d, Op.WRITE_ZEROES, 0, 32 * 512);
      blk.waitTask();
    });
    // deallocated, so no longer counted in NUSE, and they read back as zeroes
    expect(h.core.nuse(1)).toBe(32);
    expect(readBack(blk, t, d, 0, 32 * 512).every((b) => b === 0)).toBe(true);
  });

  it("max_sectors_kb written through sysfs changes where writes split; above max_hw_sectors_kb it is clamped, below 4 refused", async () => {
    const { blk, d, t } = await mkHost();
    const attr = SYSFS.max_sectors_kb;
    expect(attr.show(d.limits, d.flags)).toBe(512);
    expect(attr.store!(d.limits, d.flags, 64)).toBeNull();
    expect(attr.show(d.limits, d.flags)).toBe(64);
    blk.sim.as(t, () => {
      writeBio(blk, d, 0, pattern(1 << 20, 9));
      blk.waitTask();
    });
    expect(blk.tracer.events.filter((e) => e.action === "X").length).toBe(15);
    const w = cmdsNamed(blk, "Write");
    expect(w.length).toBe(16);
    expect(w.every((c, i) => c.blocks === 128 && c.slba === i * 128)).toBe(true);

    const before = { ...d.limits };
    for (const bad of [1, 2, 3]) {
      expect(attr.store!(d.limits, d.flags, bad)).toBe("must be 0 or at least 4 (KiB)");
      expect(d.limits).toEqual(before);
    }
    // blk_validate_limits (6.10+): min(max_hw_sectors, max_user_sectors)
    for (const big of [1024, 4096]) {
      expect(attr.store!(d.limits, d.flags, big)).toBeNull();
      expect(attr.show(d.limits, d.flags)).toBe(512);
      expect(d.limits.max_user_sectors).toBe(big * 2);
    }
    expect(attr.store!(d.limits, d.flags, 0)).toBeNull();
    expect(d.limits.max_sectors).toBe(1024);
    expect(d.limits.max_user_sectors).toBe(0);
  });
});

describe("nomerges", () => {
  async function plugRun(nomerges: 0 | 1 | 2) {
    const { blk, d, t } = await mkHost();
    expect(SYSFS.nomerges.store!(d.limits, d.flags, nomerges)).toBeNull();
    blk.sim.as(t, () => {
      blk.startPlug();
      for (let i = 0; i < 4; i++) writeBio(blk, d, i * 8, pattern(4096, i));
      blk.finishPlug();
      blk.waitTask();
    });
    return { merges: blk.tracer.events.filter((e) => e.action === "M").length, writes: cmdsNamed(blk, "Write").map((c) => c.blocks), stats: d.stats };
  }

  it("plug merges: 0 and 1 merge (only NOMERGES stops plug merging), 2 does not", async () => {
    const r0 = await plugRun(0);
    const r1 = await plugRun(1);
    const r2 = await plugRun(2);
    expect([r0.merges, r0.writes]).toEqual([3, [32]]);
    expect([r1.merges, r1.writes]).toEqual([3, [32]]);
    expect([r2.merges, r2.writes]).toEqual([0, [8, 8, 8, 8]]);
    expect(r0.stats.merges).toEqual([0, 3]);
    expect(r2.stats.merges).toEqual([0, 0]);
  });

  it("out-of-range nomerges is refused", async () => {
    const { d } = await mkHost();
    expect(typeof SYSFS.nomerges.store!(d.limits, d.flags, 3)).toBe("string");
    expect(d.flags.nomerges).toBe(0);
  });

  /**
   * mq-deadline holds requests while the driver has no free tag (7 tags with queue depth 8):
   * bios can merge into them. nomerges=1 leaves only the one-hit cache (q->last_merge).
   */
  async function deadlineRun(nomerges: 0 | 1 | 2) {
    const { blk, d, t } = await mkHost({ queueDepth: 8 });
    d.setScheduler("mq-deadline");
    expect(SYSFS.nomerges.store!(d.limits, d.flags, nomerges)).toBeNull();
    const want = new Map<number, Uint8Array>();
    const w = (sector: number, seed: number) => {
      const data = pattern(4096, seed);
      want.set(sector, data);
      return writeBio(blk, d, sector, data);
    };
    const bios: Bio[] = [];
    blk.sim.as(t, () => {
      for (let i = 0; i < 7; i++) bios.push(w(10000 + i * 100, i)); // every driver tag busy
      bios.push(w(300, 10)); // no tag: leaves the scheduler for the dispatch list
      bios.push(w(400, 11)); // waits in the scheduler (q->last_merge)
      bios.push(w(408, 12)); // back merge into 400 (through last_merge)
      bios.push(w(500, 13)); // waits in the scheduler
      bios.push(w(508, 14)); // back merge into 500: only through the hash
      bios.push(w(392, 15)); // front merge into 400 (through last_merge)
      blk.waitTask();
    });
    expect(bios.every((b) => b.ended && b.status === BlkStatus.OK)).toBe(true);
    for (const [s, data] of want) expect(Buffer.from(readBack(blk, t, d, s, 4096)).equals(Buffer.from(data))).toBe(true);
    const ev = blk.tracer.events;
    return {
      m: ev.filter((e) => e.action === "M").length,
      f: ev.filter((e) => e.action === "F").length,
      writes: cmdsNamed(blk, "Write").filter((c) => c.slba! < 10000).map((c) => `${c.slba}+${c.blocks}`),
    };
  }

  it("mq-deadline merges: 0 back and front, 1 only through last_merge, 2 none", async () => {
    expect(await deadlineRun(0)).toEqual({ m: 2, f: 1, writes: ["300+8", "392+24", "500+16"] });
    expect(await deadlineRun(1)).toEqual({ m: 1, f: 1, writes: ["300+8", "392+24", "500+8", "508+8"] });
    expect(await deadlineRun(2)).toEqual({ m: 0, f: 0, writes: ["300+8", "392+8", "400+8", "408+8", "500+8", "508+8"] });
  });
});

describe("merge refusals (ll_back_merge_fn, ll_new_hw_segment)", () => {
  it("a virt-boundary gap refuses the bio but leaves the request mergeable (no req_set_nomerge)", async () => {
    const { blk, d, t } = await mkHost({ queueDepth: 8 });
    d.setScheduler("mq-deadline");
    const gapped = pattern(4096, 21);
    blk.sim.as(t, () => {
      for (let i = 0; i < 7; i++) writeBio(blk, d, 10000 + i * 100, pattern(4096, i)); // every driver tag busy
      writeBio(blk, d, 300, pattern(4096, 9)); // to the dispatch list
      writeBio(blk, d, 400, pattern(4096, 10)); // waits in the scheduler
      // contiguous, but its page starts 512 bytes in: a gap inside a 4 KiB window
      const b = blk.mem!.pool.alloc(8192);
      blk.mem!.ram.set(gapped, b.bus + 512);
      blk.submitBio(new Bio(d, Op.WRITE, 408, 4096, [{ bus: b.bus + 512, len: 4096 }]));
      writeBio(blk, d, 392, pattern(4096, 11)); // front merge into 400 still allowed
      blk.waitTask();
    });
    const ev = blk.tracer.events;
    expect(ev.filter((e) => e.action === "M").length).toBe(0);
    expect(ev.filter((e) => e.action === "F").map((e) => e.sector)).toEqual([392]);
    expect(cmdsNamed(blk, "Write").filter((c) => c.slba! < 10000).map((c) => `${c.slba}+${c.blocks}`)).toEqual(["300+8", "392+16", "408+8"]);
    const got = readBack(blk, t, d, 392, 12288);
    expect(Buffer.from(got.subarray(8192)).equals(Buffer.from(gapped))).toBe(true);
  });

  it("max_segments refuses the bio and marks the request nomerge (req_set_nomerge)", async () => {
    const { blk, d, t } = await mkHost({ queueDepth: 8 });
    d.setScheduler("mq-deadline");
    d.limits.max_segments = 2;
    blk.sim.as(t, () => {
      for (let i = 0; i < 7; i++) writeBio(blk, d, 10000 + i * 100, pattern(4096, i)); // every driver tag busy
      writeBio(blk, d, 300, pattern(4096, 9)); // to the dispatch list
      writeBio(blk, d, 400, pattern(4096, 10)); // waits in the scheduler
      writeBio(blk, d, 408, pattern(4096, 11)); // back merge: 2 segments
      writeBio(blk, d, 416, pattern(4096, 12)); // a third segment: refused, 400 is marked nomerge
      writeBio(blk, d, 392, pattern(4096, 13)); // so no front merge into it
      blk.waitTask();
    });
    const ev = blk.tracer.events;
    expect(ev.filter((e) => e.action === "M").map((e) => e.sector)).toEqual([408]);
    expect(ev.filter((e) => e.action === "F").length).toBe(0);
    expect(cmdsNamed(blk, "Write").filter((c) => c.slba! < 10000).map((c) => `${c.slba}+${c.blocks}`)).toEqual(["300+8", "392+8", "400+16", "416+8"]);
  });
});

describe("mq-deadline dispatch order", () => {
  it("requests inserted out of order are dispatched in sector order", async () => {
    const { blk, d, t } = await mkHost();
    d.setScheduler("mq-deadline");
    const sectors = [5000, 1000, 3000, 2000, 4000];
    blk.sim.as(t, () => {
      blk.startPlug();
      for (const [i, s] of sectors.entries()) writeBio(blk, d, s, pattern(4096, i));
      blk.finishPlug();
      blk.waitTask();
    });
    const ev = blk.tracer.events;
    expect(ev.filter((e) => e.action === "I").map((e) => e.sector)).toEqual(sectors);
    expect(ev.filter((e) => e.action === "D").map((e) => e.sector)).toEqual([1000, 2000, 3000, 4000, 5000]);
    expect(cmdsNamed(blk, "Write").map((c) => c.slba)).toEqual([1000, 2000, 3000, 4000, 5000]);
  });

  it("reads go before writes; sector order within each", async () => {
    const { blk, d, t } = await mkHost();
    d.setScheduler("mq-deadline");
    blk.sim.as(t, () => {
      blk.startPlug();
      writeBio(blk, d, 900, pattern(4096, 1));
      readBio(blk, d, 700, 4096);
      writeBio(blk, d, 100, pattern(4096, 2));
      readBio(blk, d, 300, 4096);
      blk.finishPlug();
      blk.waitTask();
    });
    expect(blk.tracer.events.filter((e) => e.action === "D").map((e) => `${e.rwbs}${e.sector}`)).toEqual(["R300", "R700", "W100", "W900"]);
  });
});

describe("tags (blk_mq_get_tag)", () => {
  it("queue depth 4 gives 3 tags: 10 bios without a plug sleep (S) 7 times and all complete", async () => {
    const { blk, d, t } = await mkHost({ queueDepth: 4 });
    const bios: Bio[] = [];
    blk.sim.as(t, () => {
      for (let i = 0; i < 10; i++) bios.push(writeBio(blk, d, i * 64, pattern(4096, i)));
      blk.waitTask();
    });
    const ev = blk.tracer.events;
    expect(ev.filter((e) => e.action === "S").map((e) => e.bio)).toEqual(bios.slice(3).map((b) => b.id));
    expect(bios.every((b) => b.ended && b.status === BlkStatus.OK)).toBe(true);
    expect(ev.filter((e) => e.action === "C").length).toBe(10);
    // never more than 3 commands outstanding
    let inflight = 0, max = 0;
    for (const e of ev) {
      if (e.action === "D") max = Math.max(max, ++inflight);
      if (e.action === "C") inflight--;
    }
    expect(max).toBe(3);
    for (let i = 0; i < 10; i++) expect(Buffer.from(readBack(blk, t, d, i * 64, 4096)).equals(Buffer.from(pattern(4096, i)))).toBe(true);
  });
});

describe("NVMe command identifiers (nvme_cid, nvme_setup_cmd's genctr)", () => {
  it("one request tag at queue depth 1: each command one generation on, 4 bits kept (0x1000, 0x2000 ... 0xf000, 0x0000, 0x1000)", async () => {
    const { blk, d, t } = await mkHost();
    for (let i = 0; i < 17; i++) blk.sim.as(t, () => { writeBio(blk, d, i * 8, pattern(4096, i)); blk.waitTask(); });
    const want = Array.from({ length: 17 }, (_, i) => ((i + 1) & 0xf) << 12);
    expect(cmdsNamed(blk, "Write").map((c) => c.cid)).toEqual(want);
  });

  it("the generation is each request's (each tag's): two in flight are 0x1000 and 0x1001, the next two 0x2001 and 0x2000", async () => {
    const { blk, d, t } = await mkHost();
    for (let round = 0; round < 2; round++) {
      blk.sim.as(t, () => {
        blk.startPlug();
        writeBio(blk, d, round * 64, pattern(4096, 1));
        writeBio(blk, d, round * 64 + 32, pattern(4096, 2));
        blk.finishPlug();
        blk.waitTask();
      });
    }
    // the second round takes the freed tags last-freed first (the model's tags are a stack, not sbitmap)
    expect(cmdsNamed(blk, "Write").map((c) => c.cid)).toEqual([0x1000, 0x1001, 0x2001, 0x2000]);
    // the controller answered each under the CID it was sent with
    expect(cmdsNamed(blk, "Write").every((c) => c.status === 0)).toBe(true);
  });

  it("a queue of more than 4095 entries is refused, as nvme-pci's io_queue_depth (NVME_PCI_MAX_QUEUE_SIZE) refuses it", async () => {
    await expect(mkHost({ queueDepth: 4096 })).rejects.toThrow(/at most 4095 \(NVME_PCI_MAX_QUEUE_SIZE/);
    const { blk, d, t } = await mkHost({ queueDepth: 4095 });
    blk.sim.as(t, () => { writeBio(blk, d, 0, pattern(4096, 1)); blk.waitTask(); });
    expect(cmdsNamed(blk, "Write").map((c) => c.cid)).toEqual([0x1000]);
  });
});

describe("errors as blk_status", () => {
  it("a read beyond the capacity fails BLK_STS_IOERR at submit (bio_check_eod), before Q", async () => {
    const { blk, d, t } = await mkHost({ namespaces: [{ blocks: 4096 }] });
    expect(d.capacity).toBe(4096);
    let a!: Bio, b!: Bio;
    blk.sim.as(t, () => {
      a = readBio(blk, d, 4096, 4096).bio;
      b = readBio(blk, d, 4088, 8192).bio; // straddles the end
    });
    for (const bio of [a, b]) {
      expect(bio.ended).toBe(true);
      expect(BLK_STATUS_NAMES[bio.status]).toBe("BLK_STS_IOERR");
    }
    expect(blk.tracer.events.filter((e) => e.action !== "m").length).toBe(0);
    expect(blk.tracer.commands.length).toBe(0);
    expect(t.outstanding).toBe(0);
  });

  it("nvme_error_status: NVMe status codes map to Linux's blk_status", () => {
    const cases: Array<[number, string]> = [
      [0x0000, "BLK_STS_OK"],
      [0x0081, "BLK_STS_NOSPC"],
      [0x0080, "BLK_STS_TARGET"],
      [0x0021, "BLK_STS_TARGET"], // Command Interrupted
      [0x0082, "BLK_STS_TARGET"], // Namespace Not Ready
      [0x0180, "BLK_STS_NOTSUPP"],
      [0x0001, "BLK_STS_NOTSUPP"],
      [0x0002, "BLK_STS_NOTSUPP"],
      [0x000b, "BLK_STS_NOTSUPP"],
      [0x0280, "BLK_STS_MEDIUM"],
      [0x0281, "BLK_STS_MEDIUM"],
      [0x0287, "BLK_STS_MEDIUM"],
      [0x0286, "BLK_STS_MEDIUM"],
      [0x0182, "BLK_STS_MEDIUM"],
      [0x0285, "BLK_STS_MEDIUM"],
      [0x0282, "BLK_STS_PROTECTION"],
      [0x0283, "BLK_STS_PROTECTION"],
      [0x0284, "BLK_STS_PROTECTION"],
      [0x0181, "BLK_STS_PROTECTION"],
      [0x0083, "BLK_STS_RESV_CONFLICT"],
      [0x0370, "BLK_STS_TRANSPORT"],
      [0x0185, "BLK_STS_IOERR"],
      [0x0187, "BLK_STS_IOERR"],
      [0x0004, "BLK_STS_IOERR"],
    ];
    for (const [sc, name] of cases) {
      expect([sc, BLK_STATUS_NAMES[nvmeErrorStatus(sc)]]).toEqual([sc, name]);
      // DNR and More do not change the mapping (status & 0x7ff)
      expect(BLK_STATUS_NAMES[nvmeErrorStatus(sc | 0x4000 | 0x2000)]).toBe(name);
    }
  });

  it("a Copy the device rejects completes with the mapped status (Incompatible Format -> BLK_STS_IOERR)", async () => {
    // source namespace with 4 KiB blocks, destination with 512-byte blocks: the controller
    // refuses a cross-namespace Copy between different formats
    const { blk, d, t } = await mkHost({ namespaces: [{}, { formatIndex: 4, blocks: 4096 }] });
    const src = blk.disk("nvme0n2") as MqDisk;
    const old = pattern(8192, 3);
    blk.sim.as(t, () => {
      writeBio(blk, src, 0, pattern(8192, 4));
      writeBio(blk, d, 800, old);
      blk.waitTask();
    });
    let o!: ReturnType<typeof blkCopy>;
    blk.sim.as(t, () => {
      o = blkCopy(blk, { src, dst: d, srcSegs: [{ pos: 0, len: 8192 }], dstSegs: [{ pos: 800 * 512, len: 8192 }], fallback: false });
      blk.waitTask();
    });
    const copies = cmdsNamed(blk, "Copy");
    expect(copies.length).toBe(1);
    expect(copies[0].status! & 0x7ff).toBe(0x185);
    expect(BLK_STATUS_NAMES[nvmeErrorStatus(copies[0].status!)]).toBe("BLK_STS_IOERR");
    const c = blk.tracer.events.filter((e) => e.action === "C" && e.rwbs === "CW");
    expect(c.map((e) => e.error)).toEqual(["BLK_STS_IOERR"]);
    expect(o.done).toBe(true);
    expect(BLK_STATUS_NAMES[o.status]).toBe("BLK_STS_IOERR");
    expect([o.offloaded_bytes, o.emulated_bytes]).toEqual([0, 0]);
    expect(Buffer.from(readBack(blk, t, d, 800, 8192)).equals(Buffer.from(old))).toBe(true);
  });
});

describe("disk statistics (/proc/diskstats)", () => {
  it("ios, merges and sectors per direction after a mix", async () => {
    const { blk, d, t } = await mkHost();
    blk.sim.as(t, () => {
      blk.startPlug();
      for (let i = 0; i < 4; i++) writeBio(blk, d, 100 + i * 8, pattern(4096, i)); // 1 request, 3 merges
      writeBio(blk, d, 1000, pattern(8192, 9)); // 1 request
      readBio(blk, d, 100, 4096);
      readBio(blk, d, 108, 4096); // merges with the read before
      readBio(blk, d, 5000, 2048);
      opBio(blk, d, Op.DISCARD, 3000, 4096);
      opBio(blk, d, Op.DISCARD, 4000, 4096); // discard merge
      blk.finishPlug();
      blk.waitTask();
      writeBio(blk, d, 7000, pattern(1 << 20, 1)); // split in two: 2 requests, no merge
      blk.waitTask();
    });
    const s = d.stats;
    expect(s.ios).toEqual([2, 4]);
    expect(s.merges).toEqual([1, 3]);
    expect(s.sectors).toEqual([16 + 4, 32 + 16 + 2048]);
    expect(s.discards).toBe(1);
    expect(s.discard_sectors).toBe(16);
    expect(s.inflight).toBe(0);
  });

  it("time_in_queue (in_queue) is the sum of every request's time from G to C, discards included (diskstats_show since 5.8)", async () => {
    // mq-deadline with 1 driver tag: requests wait in the scheduler between G and D
    const { blk, d, t } = await mkHost({ queueDepth: 2 });
    d.setScheduler("mq-deadline");
    blk.sim.as(t, () => {
      writeBio(blk, d, 0, pattern(4096, 1));
      writeBio(blk, d, 64, pattern(4096, 2));
      opBio(blk, d, Op.DISCARD, 3000, 4096);
      blk.waitTask();
    });
    const ev = blk.tracer.events.filter((e) => e.major === 259);
    const g = new Map(ev.filter((e) => e.action === "G").map((e) => [e.rq, e.time_ns]));
    const want = ev.filter((e) => e.action === "C").reduce((a, e) => a + e.time_ns - g.get(e.rq)!, 0);
    expect(g.size).toBe(3);
    expect(want).toBeGreaterThan(0);
    expect(d.stats.in_queue_ns).toBeCloseTo(want, 6);
    // the discard's time counts too: more than the writes' ticks
    expect(d.stats.in_queue_ns).toBeGreaterThan(d.stats.ticks_ns[1]);
  });
});

describe("request pool (static_rqs, blk_mq_rq_ctx_init, blk_mq_free_request)", () => {
  it("an ended request is handed out again clean: a new id, only its own bio, none of the last I/O's state but its driver's pdu", async () => {
    const { blk, d, t } = await mkHost();
    const ops = d.ops;
    const queueRq = ops.queueRq.bind(ops);
    const seen: Array<{ rq: Request; id: number; noMerge: boolean; flags: number; bios: Bio[]; tag: number; copied: number; pdu: unknown }> = [];
    ops.queueRq = (disk, rq) => {
      seen.push({ rq, id: rq.id, noMerge: rq.noMerge, flags: rq.flags, bios: [...rq.bios], tag: rq.tag, copied: rq.copiedSectors, pdu: rq.pdu });
      return queueRq(disk, rq);
    };
    const first = writeBioAs(blk, t, d, 0, pattern(4096, 1), REQ_NOMERGE);
    blk.sim.as(t, () => blk.waitTask());
    seen[0].rq.copiedSectors = 99; // what a finished copy leaves behind
    const second = writeBioAs(blk, t, d, 64, pattern(8192, 2), 0);
    blk.sim.as(t, () => blk.waitTask());
    expect(first.ended && second.ended).toBe(true);
    expect(seen).toHaveLength(2);
    expect(seen[1].rq).toBe(seen[0].rq); // the same object, as the kernel's static request
    expect(seen[1].id).toBe(seen[0].id + 1); // numbered as a new one would be
    expect(seen[0].noMerge).toBe(true);
    expect(seen[1].noMerge).toBe(false);
    expect(seen[1].flags).toBe(0);
    expect(seen[1].bios).toEqual([second]);
    expect(seen[1].copied).toBe(0);
    // the driver's data stays with the request object (the kernel allocates the pdu with it)
    expect(seen[0].pdu).toBeUndefined();
    expect(seen[1].pdu).toBeDefined();
    expect(seen[1].pdu).toBe(seen[0].rq.pdu);
    expect(seen[1].tag).toBeGreaterThanOrEqual(0);
    expect(seen[1].rq.sector).toBe(64);
    expect(seen[1].rq.dataLen).toBe(8192);
  });

  it("ending a request twice is refused, and the pool does not hand it out twice", async () => {
    const { blk, d, t } = await mkHost();
    const ops = d.ops;
    const queueRq = ops.queueRq.bind(ops);
    let last: Request | null = null;
    ops.queueRq = (disk, rq) => { last = rq; return queueRq(disk, rq); };
    writeBioAs(blk, t, d, 0, pattern(4096, 3), 0);
    blk.sim.as(t, () => blk.waitTask());
    expect(() => d.endRequest(last!, BlkStatus.OK)).toThrow(/ended twice/);
  });
});

/** A write bio from task t with flags, submitted now. */
function writeBioAs(blk: BlockLayer, t: Task, d: MqDisk, sector: number, data: Uint8Array, flags: number): Bio {
  let bio!: Bio;
  blk.sim.as(t, () => { bio = writeBio(blk, d, sector, data, flags); });
  return bio;
}
