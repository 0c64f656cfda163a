// The flush machinery pinned to Linux 6.x (block/blk-flush.c, block/blk-core.c
// submit_bio_noacct, block/blk-mq.c blk_mq_submit_bio / blk_mq_requeue_work,
// drivers/nvme/host/core.c nvme_setup_flush, kernel/trace/blktrace.c with blkparse's
// fill_rwbs): what a PREFLUSH/FUA write and blkdev_issue_flush send to the device, in which
// order, how concurrent flushes share one NVMe Flush, and the blkparse lines they leave. Every
// expectation is an exact command, line or count.

import { describe, it, expect, vi } from "vitest";
import { mkHost, pattern, flush } from "./helpers";
import { Bio, BlkStatus, Op, REQ_FUA, REQ_PREFLUSH, REQ_SYNC } from "../../src/block/bio";
import type { BlockLayer } from "../../src/block/blk";
import { blkdevIssueFlush } from "../../src/block/blk-flush";
import { formatEvent } from "../../src/block/blkparse";
import type { BlockDevice } from "../../src/block/disk";
import type { MqDisk } from "../../src/block/mq";
import type { Request } from "../../src/block/request";
import type { Task } from "../../src/block/sim";
import { createDm } from "../../src/block/dm/core";
import { SYSFS } from "../../src/block/limits";
import * as O from "../../assembly/spec/opcodes";

/** A write bio of 4 KiB-aligned data from host RAM (not submitted). */
function writeBio(blk: BlockLayer, d: BlockDevice, sector: number, data: Uint8Array, flags: number): Bio {
  const b = blk.mem!.pool.alloc(Math.max(data.length, 4096));
  blk.mem!.ram.set(data, b.bus);
  return new Bio(d, Op.WRITE, sector, data.length, [{ bus: b.bus, len: data.length }], flags);
}

/** Submit bios from task t (each with its own status), then wait for them. */
function run(blk: BlockLayer, t: Task, ...bios: Bio[]): BlkStatus[] {
  const st = bios.map(() => -1 as BlkStatus);
  blk.sim.as(t, () => {
    bios.forEach((b, i) => { b.endio = (x) => { st[i] = x.status; }; blk.submitBio(b); });
    blk.waitTask();
  });
  return st;
}

/** The blkparse lines of the trace (messages left out), without the summary. */
const lines = (blk: BlockLayer) => blk.tracer.events.filter((e) => e.action !== "m").map(formatEvent);
const cmds = (blk: BlockLayer) => blk.tracer.commands.map((c) => `${c.name}${c.slba !== undefined ? ` ${c.slba}+${c.blocks}` : ""} cid ${c.cid} @${Math.round(c.time_ns)}`);

describe("a write with REQ_PREFLUSH (blk_insert_flush: PREFLUSH -> DATA)", () => {
  it("sends an NVMe Flush for the namespace, then the Write, after the Flush completed", async () => {
    const { h, blk, d, t } = await mkHost();
    const sqes: Array<{ opc: number; nsid: number; dw12: number }> = [];
    const q = h.driver.io[0];
    const submit = q.submit.bind(q);
    vi.spyOn(q, "submit").mockImplementation((sqe, cid) => { sqes.push({ opc: sqe[0] & 0xff, nsid: sqe[1], dw12: sqe[12] }); return submit(sqe, cid); });
    expect(run(blk, t, writeBio(blk, d, 2048, pattern(4096, 1), REQ_PREFLUSH | REQ_SYNC))).toEqual([BlkStatus.OK]);
    // nvme_setup_flush: opcode 00h, the namespace's NSID, nothing else; then the data, no FUA
    expect(sqes).toEqual([{ opc: O.NVM_FLUSH, nsid: 1, dw12: 0 }, { opc: O.NVM_WRITE, nsid: 1, dw12: 7 }]);
    // the flush request borrows the data request's tag (no scheduler): the same CID, one after the other
    // nvme_cid: genctr 1 over tag 0 for both, the flush request's own counter and the data request's
    expect(cmds(blk)).toEqual(["Flush cid 4096 @0", "Write 2048+8 cid 4096 @10000"]);
    expect(blk.tracer.commands[1].time_ns).toBe(blk.tracer.commands[0].done_ns);
  });

  it("traces Q/G FWS, the flush request D/C FN (kblockd, no G or I), the data I/D/C WS, then the sequence's C of 0 bytes", async () => {
    const { blk, d, t } = await mkHost();
    run(blk, t, writeBio(blk, d, 2048, pattern(4096, 1), REQ_PREFLUSH | REQ_SYNC));
    expect(lines(blk)).toEqual([
      "259,0    0        1     0.000000000   100  Q FWS 2048 + 8 [fio]",
      "259,0    0        2     0.000000000   100  G FWS 2048 + 8 [fio]",
      "259,0    0        3     0.000000000   900  D  FN [kworker/0:1H]",
      "259,0    0        4     0.000010000     0  C  FN 0 [0]",
      "259,0    0        5     0.000010000   900  I  WS 2048 + 8 [kworker/0:1H]",
      "259,0    0        6     0.000010000   900  D  WS 2048 + 8 [kworker/0:1H]",
      "259,0    0        7     0.000021365     0  C  WS 2048 + 8 [0]",
      // blk_flush_restore_request: __sector from the bio blk_update_request advanced, 0 bytes left
      "259,0    0        8     0.000021365     0  C  WS 2056 [0]",
    ]);
    // the event stream keeps blk_fill_rwbs's letters: REQ_OP_FLUSH | REQ_PREFLUSH is FF
    expect(blk.tracer.events.filter((e) => e.action === "D").map((e) => e.rwbs)).toEqual(["FF", "WS"]);
  });

  it("with FUA: the Write carries FUA natively (no POSTFLUSH), D shows WFS", async () => {
    const { blk, d, t } = await mkHost();
    run(blk, t, writeBio(blk, d, 0, pattern(4096, 2), REQ_PREFLUSH | REQ_FUA));
    expect(cmds(blk)).toEqual(["Flush cid 4096 @0", "Write 0+8 cid 4096 @10000"]);
    expect(blk.tracer.events.filter((e) => e.action !== "m").map((e) => `${e.action} ${e.rwbs}`)).toEqual(["Q FWF", "G FWF", "D FF", "C FF", "I WFS", "D WFS", "C WFS", "C WFS"]);
  });

  it("a FUA write without PREFLUSH is not sequenced: one Write with FUA, REQ_SYNC added, still plugged", async () => {
    const { h, blk, d, t } = await mkHost();
    const dw12: number[] = [];
    const q = h.driver.io[0];
    const submit = q.submit.bind(q);
    vi.spyOn(q, "submit").mockImplementation((sqe, cid) => { dw12.push(sqe[12]); return submit(sqe, cid); });
    blk.sim.as(t, () => {
      blk.startPlug();
      blk.submitBio(writeBio(blk, d, 0, pattern(4096, 3), REQ_FUA));
      blk.finishPlug();
      blk.waitTask();
    });
    expect(dw12).toEqual([(1 << O.RW_FUA_BIT) | 7]);
    expect(blk.tracer.events.map((e) => `${e.action} ${e.rwbs}`)).toEqual(["Q WF", "G WF", "P N", "U N", "D WFS", "C WFS"]);
  });
});

describe("blkdev_issue_flush (an empty REQ_OP_WRITE | REQ_PREFLUSH, REQ_SYNC from submit_bio_wait)", () => {
  it("becomes one NVMe Flush; blkparse shows Q/G FWS, D/C FN and the empty request's C WS", async () => {
    const { blk, d, t } = await mkHost();
    expect(flush(blk, t, d)).toBe(BlkStatus.OK);
    expect(cmds(blk)).toEqual(["Flush cid 4096 @0"]);
    expect(lines(blk)).toEqual([
      "259,0    0        1     0.000000000   100  Q FWS [fio]",
      "259,0    0        2     0.000000000   100  G FWS [fio]",
      "259,0    0        3     0.000000000   900  D  FN [kworker/0:1H]",
      "259,0    0        4     0.000010000     0  C  FN 0 [0]",
      "259,0    0        5     0.000010000     0  C  WS 0 [0]",
    ]);
    // diskstats: the empty write is a write of 0 sectors, the flush request is in the flush fields
    expect(d.stats.ios).toEqual([0, 1]);
    expect(d.stats.sectors).toEqual([0, 0]);
    expect(d.stats.flushes).toBe(1);
  });

  it("on a device without a volatile write cache (VWC 0): completes at once, no command, no trace", async () => {
    const { blk, d, t } = await mkHost({ ctrl: { vwc: 0 } });
    expect(d.writeCache).toBe(false);
    expect(d.fua).toBe(false);
    expect(flush(blk, t, d)).toBe(BlkStatus.OK);
    expect(blk.tracer.commands).toEqual([]);
    expect(blk.tracer.events).toEqual([]);
    expect(d.stats.ios).toEqual([0, 0]);
    expect(d.stats.flushes).toBe(0);
  });

  it("without a write cache a PREFLUSH | FUA write loses both flags: a plain Write, traced W", async () => {
    const { h, blk, d, t } = await mkHost({ ctrl: { vwc: 0 } });
    const dw12: number[] = [];
    const q = h.driver.io[0];
    const submit = q.submit.bind(q);
    vi.spyOn(q, "submit").mockImplementation((sqe, cid) => { dw12.push(sqe[12]); return submit(sqe, cid); });
    run(blk, t, writeBio(blk, d, 0, pattern(4096, 4), REQ_PREFLUSH | REQ_FUA));
    expect(cmds(blk)).toEqual(["Write 0+8 cid 4096 @0"]);
    expect(dw12).toEqual([7]);
    // a plain write, plugged and flushed alone by the plug __submit_bio opens around it (6.10+)
    expect(blk.tracer.events.map((e) => `${e.action} ${e.rwbs}`)).toEqual(["Q W", "G W", "P N", "U N", "D W", "C W"]);
  });

  it("write_cache \"write through\" (BLK_FLAG_WRITE_CACHE_DISABLED): the same, though the device has a cache and FUA", async () => {
    const { h, blk, d, t } = await mkHost();
    expect(SYSFS.write_cache.store!(d.limits, d.flags, "write through")).toBeNull();
    expect([d.writeCache, d.fua, SYSFS.write_cache.show(d.limits, d.flags, d)]).toEqual([true, true, "write through"]);
    expect(flush(blk, t, d)).toBe(BlkStatus.OK);
    expect([blk.tracer.commands.length, blk.tracer.events.length, d.stats.flushes]).toEqual([0, 0, 0]);
    const dw12: number[] = [];
    const q = h.driver.io[0];
    const submit = q.submit.bind(q);
    vi.spyOn(q, "submit").mockImplementation((sqe, cid) => { dw12.push(sqe[12]); return submit(sqe, cid); });
    run(blk, t, writeBio(blk, d, 0, pattern(4096, 4), REQ_PREFLUSH | REQ_FUA));
    // no FUA bit (DW12 bit 30) although the queue supports FUA: submit_bio_noacct dropped it
    expect(dw12).toEqual([7]);
    expect(blk.tracer.events.map((e) => `${e.action} ${e.rwbs}`)).toEqual(["Q W", "G W", "P N", "U N", "D W", "C W"]);
    // "write back" again: the flush machinery is back
    expect(SYSFS.write_cache.store!(d.limits, d.flags, "write back")).toBeNull();
    expect(flush(blk, t, d)).toBe(BlkStatus.OK);
    expect(blk.tracer.commands.map((c) => c.name)).toEqual(["Write", "Flush"]);
  });
});

describe("submit_bio_noacct's flush checks", () => {
  it("a REQ_OP_FLUSH bio is not supported (only blk-flush makes REQ_OP_FLUSH requests)", async () => {
    const { blk, d, t } = await mkHost();
    expect(run(blk, t, new Bio(d, Op.FLUSH, 0, 0))).toEqual([BlkStatus.NOTSUPP]);
    expect(blk.tracer.commands).toEqual([]);
  });

  it("REQ_PREFLUSH or REQ_FUA on a read is refused with BLK_STS_IOERR before it is queued", async () => {
    const { blk, d, t } = await mkHost();
    const b = blk.mem!.pool.alloc(4096);
    expect(run(blk, t, new Bio(d, Op.READ, 0, 4096, [{ bus: b.bus, len: 4096 }], REQ_FUA))).toEqual([BlkStatus.IOERR]);
    expect(blk.tracer.events.map((e) => e.action)).toEqual(["m"]);
    expect(blk.tracer.commands).toEqual([]);
  });
});

describe("coalescing (flush_queue[2], blk_kick_flush C1-C3)", () => {
  it("three flushes on one hardware queue: the first gets a Flush, the two that arrive while it runs share the next", async () => {
    const { blk, d } = await mkHost({ cpus: 2, hwQueues: 1 });
    const tasks = [blk.sim.addTask(201, "a", 0), blk.sim.addTask(202, "b", 1), blk.sim.addTask(203, "c", 0)];
    const st: BlkStatus[] = [];
    for (const t of tasks) blk.sim.as(t, () => blkdevIssueFlush(blk, d, (b) => st.push(b.status)));
    for (const t of tasks) blk.sim.as(t, () => blk.waitTask());
    expect(st).toEqual([BlkStatus.OK, BlkStatus.OK, BlkStatus.OK]);
    // one flush request per hardware queue (fq->flush_rq): its genctr goes 1, 2 over the tags it borrows (0, then 1)
    expect(cmds(blk)).toEqual(["Flush cid 4096 @0", "Flush cid 8193 @10000"]);
    expect(d.flushesIssued).toBe(2);
    // the second flush request borrowed b's tag (the first pending request): CID 1
    const byPid = (pid: number) => blk.tracer.events.filter((e) => e.pid === pid).map((e) => e.action).join("");
    expect(byPid(201) + byPid(202) + byPid(203)).toBe("QG".repeat(3));
    // one C WS of 0 bytes per flush sequence, after the Flush that served it
    const c = blk.tracer.events.filter((e) => e.action === "C").map((e) => `${e.rwbs}@${e.time_ns}`);
    expect(c).toEqual(["FF@10000", "WS@10000", "FF@20000", "WS@20000", "WS@20000"]);
  });

  it("separate hardware queues have separate flush queues: no sharing", async () => {
    const { blk, d } = await mkHost({ cpus: 2, hwQueues: 2 });
    const tasks = [blk.sim.addTask(201, "a", 0), blk.sim.addTask(202, "b", 1)];
    for (const t of tasks) blk.sim.as(t, () => blkdevIssueFlush(blk, d));
    for (const t of tasks) blk.sim.as(t, () => blk.waitTask());
    expect(blk.tracer.commands.map((c) => `${c.name} q${c.qid} @${c.time_ns}`)).toEqual(["Flush q1 @0", "Flush q2 @0"]);
  });

  it("C2: a flush waits while a sequenced write's data is in flight (flush_data_in_flight), then goes", async () => {
    const { blk, d, t } = await mkHost();
    const w = writeBio(blk, d, 2048, pattern(4096, 5), REQ_PREFLUSH);
    const f = new Bio(d, Op.WRITE, 0, 0, [], REQ_PREFLUSH | REQ_SYNC);
    run(blk, t, w, f);
    // Flush (for w) at 0; w's data at 10 us; f's flush only when that data completed
    expect(cmds(blk)).toEqual(["Flush cid 4096 @0", "Write 2048+8 cid 4096 @10000", "Flush cid 8193 @21365"]);
  });

  it("C3: past FLUSH_PENDING_TIMEOUT (5 s) the waiting flush goes although data is in flight", async () => {
    // every command takes 6 s: when the first Flush ends, the second has waited longer than 5 s.
    // The requeue work inserts the data, then the flush request into hctx->dispatch, which is
    // dispatched before the software queues: the Flush goes first
    const { blk, d, t } = await mkHost({ timing: { latency_ns: 6e9 } });
    run(blk, t, writeBio(blk, d, 2048, pattern(4096, 5), REQ_PREFLUSH), new Bio(d, Op.WRITE, 0, 0, [], REQ_PREFLUSH | REQ_SYNC));
    expect(blk.tracer.commands.map((c) => `${c.name} @${Math.round(c.time_ns / 1e9)}s`)).toEqual(["Flush @0s", "Flush @6s", "Write @6s"]);
  });
});

describe("the flush request: one per hardware queue (fq->flush_rq), re-initialised by blk_kick_flush", () => {
  /** The requests the driver's queue_rq is handed for REQ_OP_FLUSH, in order, and their scheduler tags then. */
  function flushRqs(d: MqDisk, schedTags: number[] = []): Request[] {
    const seen: Request[] = [];
    const queueRq = d.ops.queueRq.bind(d.ops);
    vi.spyOn(d.ops, "queueRq").mockImplementation((disk, rq) => {
      if (rq.op === Op.FLUSH) { seen.push(rq); schedTags.push(rq.schedTag); }
      return queueRq(disk, rq);
    });
    return seen;
  }

  it("every flush of a hardware queue is the same request, with a new id per lifetime (blk_rq_init)", async () => {
    const { blk, d } = await mkHost({ cpus: 2, hwQueues: 1 });
    const seen = flushRqs(d);
    const tasks = [blk.sim.addTask(201, "a", 0), blk.sim.addTask(202, "b", 1), blk.sim.addTask(203, "c", 0)];
    for (const t of tasks) blk.sim.as(t, () => blkdevIssueFlush(blk, d));
    for (const t of tasks) blk.sim.as(t, () => blk.waitTask());
    const t = blk.sim.addTask(204, "d", 1);
    expect(flush(blk, t, d)).toBe(BlkStatus.OK);
    // three Flushes (a's; b's and c's together; d's), all from the one preallocated request
    expect(seen.length).toBe(3);
    // (identity compared as booleans: a failing toBe would print the request and its whole queue)
    expect(seen[1] === seen[0]).toBe(true);
    expect(seen[2] === seen[0]).toBe(true);
    // numbered like every preallocated request, at each (re-)initialisation: a's request 1 and
    // its flush at once 2; b 3, c 4, their flush 5 when the first ends; d 6, its flush 7
    const ids = (a: string) => blk.tracer.events.filter((e) => e.action === a).map((e) => e.rq);
    expect(ids("G")).toEqual([1, 3, 4, 6]);
    expect(ids("D")).toEqual([2, 5, 7]);
    expect(blk.tracer.commands.map((c) => c.rq)).toEqual([2, 5, 7]);
    // its own genctr counts 1, 2, 3 over the tags it borrows (a's 0, b's 1, d's 2: the tag freed last)
    expect(blk.tracer.commands.map((c) => c.cid)).toEqual([4096, 8193, 12290]);
    // it holds no tag between flushes: it only borrowed them
    expect(seen[0].tag).toBe(-1);
  });

  it("each hardware queue has its own, reused across flushes", async () => {
    const { blk, d } = await mkHost({ cpus: 2, hwQueues: 2 });
    const seen = flushRqs(d);
    const a = blk.sim.addTask(201, "a", 0);
    const b = blk.sim.addTask(202, "b", 1);
    for (let i = 0; i < 2; i++) {
      for (const t of [a, b]) blk.sim.as(t, () => blkdevIssueFlush(blk, d));
      for (const t of [a, b]) blk.sim.as(t, () => blk.waitTask());
    }
    expect(seen.map((rq) => rq.hctx)).toEqual([0, 1, 0, 1]);
    expect(seen[0] === seen[1]).toBe(false);
    expect(seen[2] === seen[0]).toBe(true);
    expect(seen[3] === seen[1]).toBe(true);
    // each queue's flush request counts its own genctr: 1 then 2 on each, over tag 0
    expect(blk.tracer.commands.map((c) => `q${c.qid} ${c.cid}`)).toEqual(["q1 4096", "q2 4096", "q1 8192", "q2 8192"]);
  });

  it("with mq-deadline it borrows the first request's scheduler tag nominally and gives it and its driver tag back", async () => {
    const { blk, d, t } = await mkHost();
    d.setScheduler("mq-deadline");
    const schedTags: number[] = [];
    const seen = flushRqs(d, schedTags);
    expect(flush(blk, t, d)).toBe(BlkStatus.OK);
    expect(flush(blk, t, d)).toBe(BlkStatus.OK);
    expect(seen.length).toBe(2);
    expect(seen[1] === seen[0]).toBe(true);
    expect(schedTags).toEqual([0, 0]);
    expect([seen[0].tag, seen[0].schedTag]).toEqual([-1, -1]);
    // the genctr is the flush request's own: 1, then 2, over the driver tag it got at dispatch
    expect(blk.tracer.commands.map((c) => c.cid)).toEqual([4096, 8192]);
  });
});

describe("POSTFLUSH: a write cache without FUA (blk_flush_policy)", () => {
  it("a FUA write becomes the Write without FUA, then a Flush; the bio ends after the Flush", async () => {
    const { h, blk, d, t } = await mkHost();
    (d as MqDisk).fua = false;
    const dw12: number[] = [];
    const q = h.driver.io[0];
    const submit = q.submit.bind(q);
    vi.spyOn(q, "submit").mockImplementation((sqe, cid) => { dw12.push(sqe[12]); return submit(sqe, cid); });
    let ended = -1;
    const b = writeBio(blk, d, 64, pattern(4096, 6), REQ_FUA);
    blk.sim.as(t, () => { b.endio = () => { ended = blk.sim.now_ns; }; blk.submitBio(b); blk.waitTask(); });
    expect(cmds(blk)).toEqual(["Write 64+8 cid 4096 @0", "Flush cid 4096 @11365"]);
    expect(dw12).toEqual([7, 0]);
    expect(Math.round(ended)).toBe(21365);
    expect(lines(blk)).toEqual([
      "259,0    0        1     0.000000000   100  Q  WF 64 + 8 [fio]",
      "259,0    0        2     0.000000000   100  G  WF 64 + 8 [fio]",
      // DATA then POSTFLUSH: blk_insert_flush lets the data go on as a normal request, into
      // the plug __submit_bio opened for the bio
      "259,0    0        3     0.000000000   100  P   N [fio]",
      "259,0    0        4     0.000000000   100  U   N [fio] 1",
      "259,0    0        5     0.000000000   100  D  WS 64 + 8 [fio]",
      "259,0    0        6     0.000011365     0  C  WS 64 + 8 [0]",
      "259,0    0        7     0.000011365   900  D  FN [kworker/0:1H]",
      "259,0    0        8     0.000021365     0  C  FN 0 [0]",
      "259,0    0        9     0.000021365     0  C  WS 72 [0]",
    ]);
  });
});

describe("with mq-deadline", () => {
  it("the flush request takes a driver tag at dispatch; the data goes in at the head of the dispatch list", async () => {
    const { blk, d, t } = await mkHost();
    (d as MqDisk).setScheduler("mq-deadline");
    const w = writeBio(blk, d, 2048, pattern(4096, 7), REQ_PREFLUSH);
    const plain = writeBio(blk, d, 0, pattern(4096, 8), 0);
    run(blk, t, w, plain);
    // the requests' counters are the scheduler tags' (each 1), over the driver tags they get at dispatch
    expect(cmds(blk)).toEqual(["Write 0+8 cid 4096 @0", "Flush cid 4097 @0", "Write 2048+8 cid 4097 @10000"]);
    expect(blk.tracer.events.filter((e) => e.action !== "m").map((e) => `${e.action} ${e.rwbs} ${e.pid}`)).toEqual([
      // the plain write: __submit_bio's plug, flushed through blk_mq_dispatch_list (it holds a
      // scheduler tag): U, I, and the hardware queue runs at once; the PREFLUSH one is never plugged
      "Q FW 100", "G FW 100", "Q W 100", "G W 100", "P N 100", "U N 100", "I W 100", "D W 100",
      "D FF 900", "C FF 0", "I WS 900", "D WS 900", "C W 0", "C WS 0", "C WS 0",
    ]);
    // every tag came back: a new request can have all of them
    expect(d.stats.ios).toEqual([0, 2]);
    expect(d.stats.flushes).toBe(1);
  });
});

describe("device-mapper (__send_empty_flush, flush with data)", () => {
  it("flush_bypasses_map (linear): one flush per device of the table, last named first, however many targets name it", async () => {
    const { blk, t } = await mkHost({ namespaces: [{}, {}] });
    const dm = createDm(blk, "two", ["0 1000 linear nvme0n1 0", "1000 1000 linear nvme0n2 0", "2000 1000 linear nvme0n1 5000"]);
    expect(flush(blk, t, dm)).toBe(BlkStatus.OK);
    expect(blk.tracer.commands.map((c) => `${c.name} ${c.disk}`)).toEqual(["Flush nvme0n2", "Flush nvme0n1"]);
    const a = blk.tracer.events.filter((e) => e.action === "A").map(formatEvent);
    expect(a).toEqual([
      "259,1    0        1     0.000000000   100  A FWS 0 + 0 <- (253,0) 0",
      "259,0    0        1     0.000000000   100  A FWS 0 + 0 <- (253,0) 0",
    ]);
  });

  it("a target without flush_bypasses_map (delay): num_flush_bios clones through each target's map", async () => {
    const { blk, t } = await mkHost();
    const dm = createDm(blk, "d", ["0 1000 delay nvme0n1 0 0", "1000 1000 delay nvme0n1 5000 0"]);
    expect(flush(blk, t, dm)).toBe(BlkStatus.OK);
    // two clones to one queue: blk-flush runs the second behind the first
    expect(blk.tracer.commands.map((c) => `${c.name} ${c.disk}`)).toEqual(["Flush nvme0n1", "Flush nvme0n1"]);
  });

  it("a flush with data: empty flushes first, then the data without REQ_PREFLUSH (FUA kept) from dm's work item", async () => {
    const { blk, t } = await mkHost();
    const dm = createDm(blk, "lin", "0 100000 linear nvme0n1 1000");
    expect(run(blk, t, writeBio(blk, dm, 2048, pattern(4096, 9), REQ_PREFLUSH | REQ_FUA | REQ_SYNC))).toEqual([BlkStatus.OK]);
    expect(cmds(blk)).toEqual(["Flush cid 4096 @0", "Write 3048+8 cid 4096 @10000"]);
    expect(lines(blk)).toEqual([
      "253,0    0        1     0.000000000   100  Q FWFS 2048 + 8 [fio]",
      "259,0    0        1     0.000000000   100  A FWS 0 + 0 <- (253,0) 0",
      "259,0    0        2     0.000000000   100  Q FWS [fio]",
      "259,0    0        3     0.000000000   100  G FWS [fio]",
      "259,0    0        4     0.000000000   900  D  FN [kworker/0:1H]",
      "259,0    0        5     0.000010000     0  C  FN 0 [0]",
      "259,0    0        6     0.000010000     0  C  WS 0 [0]",
      "259,0    0        7     0.000010000  1500  A WFS 3048 + 8 <- (253,0) 2048",
      "259,0    0        8     0.000010000  1500  Q WFS 3048 + 8 [kworker/0:5]",
      "259,0    0        9     0.000010000  1500  G WFS 3048 + 8 [kworker/0:5]",
      // dm_wq_work holds no plug: __submit_bio's plugs the clone's request alone
      "259,0    0       10     0.000010000  1500  P   N [kworker/0:5]",
      "259,0    0       11     0.000010000  1500  U   N [kworker/0:5] 1",
      "259,0    0       12     0.000010000  1500  D WFS 3048 + 8 [kworker/0:5]",
      "259,0    0       13     0.000021365     0  C WFS 3048 + 8 [0]",
      "253,0    0        2     0.000021365     0  C WFS 2048 + 8 [0]",
    ]);
  });
});
