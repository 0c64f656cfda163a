// The controller's events on the modelled clock (web/views/controller-time.ts) on real runs of
// the lab: each I/O command's CQE, interrupt and CQ head doorbell at the command's modelled
// completion (NvmeCommandRecord.done_ns), fetches and doorbells at submission, time order,
// and the ring's order kept at equal times.

import { describe, it, expect, beforeAll } from "vitest";
import { readFileSync } from "node:fs";
import { LabSession, type LabRun } from "../../src/lab/session";
import { loadCoreModule } from "../../src/node/wasm";
import { Sha256 } from "../../src/util/sha256";
import * as L from "../../assembly/layout";
import { atModelledTime, movedLater } from "../../web/views/controller-time";

const example = (name: string) => JSON.parse(readFileSync(`examples/blk/${name}.json`, "utf8")) as Record<string, unknown>;
const run = (setup: unknown) => new LabSession(() => loadCoreModule(false), () => new Sha256()).run(setup);

let vm: LabRun;
let small: LabRun;
let gc: LabRun;

beforeAll(async () => {
  vm = await run(example("vector-merge"));
  gc = await run(example("ctx-gc"));
  // a 4-entry I/O queue: CIDs are reused while earlier commands are still in modelled flight
  small = await run({ ...example("vector-merge"), queue_depth: 4 });
});

/** The driver's records of I/O commands in the order the controller fetched them. */
function fetchedRecords(r: LabRun) {
  const left = r.commands.slice();
  return r.controller.filter((e) => e.kind === L.EVK_FETCH && e.sqid > 0).map((e) => {
    const i = left.findIndex((c) => c.qid === e.sqid && c.cid === e.cid && c.opcode === e.opc);
    return left.splice(i, 1)[0];
  });
}

describe("atModelledTime", () => {
  it("posts each I/O CQE at its command's modelled completion, and the run ends at the run's end", () => {
    for (const r of [vm, gc, small]) {
      const t = atModelledTime(r.controller, r.commands);
      expect(t.length).toBe(r.controller.length);
      const done = fetchedRecords(r).map((c) => c.done_ns!);
      // the k-th CQE of a command (by CID, in fetch order) at the k-th record's done time
      const fetchOrder = r.controller.filter((e) => e.kind === L.EVK_FETCH && e.sqid > 0).map((e) => `${e.sqid}:${e.cid}`);
      const byKey = new Map<string, number[]>();
      fetchOrder.forEach((k, i) => byKey.set(k, [...(byKey.get(k) ?? []), done[i]]));
      const posts = t.filter((e) => e.kind === L.EVK_COMPLETE && e.sqid > 0);
      expect(posts.length).toBe(r.commands.length);
      const seen = new Map<string, number>();
      // posts come in time order, so match each to its command through the ring's order
      for (const e of [...posts].sort((a, b) => a.seq - b.seq)) {
        const k = `${e.sqid}:${e.cid}`;
        const n = seen.get(k) ?? 0;
        seen.set(k, n + 1);
        expect(e.timeNs).toBe(byKey.get(k)![n]);
      }
      for (let i = 1; i < t.length; i++) expect(t[i].timeNs).toBeGreaterThanOrEqual(t[i - 1].timeNs);
      expect(t[t.length - 1].timeNs).toBe(r.end_ns);
    }
  });

  it("vector-merge: the 512 KiB Writes submitted at 0 post their CQEs at 184762.67 ns, as the block layer completes them", () => {
    const t = atModelledTime(vm.controller, vm.commands);
    const writes = vm.commands.filter((c) => c.name === "Write");
    expect(writes.map((c) => [c.time_ns, c.done_ns])).toEqual([[0, 184762.66666666666], [0, 184762.66666666666]]);
    const posts = t.filter((e) => e.kind === L.EVK_COMPLETE && e.sqid === 1).slice(0, 2);
    // nvme_cid: generation 1 over tags 0 and 1
    expect(posts.map((e) => [e.cid, e.timeNs, e.ringTimeNs])).toEqual([[0x1000, 184762.66666666666, 0], [0x1001, 184762.66666666666, 0]]);
    expect(posts.every(movedLater)).toBe(true);
    // fetches stay at submission
    const fetches = t.filter((e) => e.kind === L.EVK_FETCH && e.sqid === 1);
    expect(fetches.every((e) => e.timeNs === e.ringTimeNs && !movedLater(e))).toBe(true);
    expect(t.filter((e) => e.kind === L.EVK_DOORBELL_SQ).every((e) => e.timeNs === e.ringTimeNs)).toBe(true);
  });

  it("raises each interrupt after the CQE it signals, and rings each CQ head doorbell after the CQEs it releases", () => {
    for (const r of [vm, gc, small]) {
      const t = atModelledTime(r.controller, r.commands);
      const bySeq = new Map(t.map((e) => [e.seq, e]));
      // in the ring, each I/O CQE is followed by its interrupt (coalescing is off)
      for (let i = 0; i + 1 < r.controller.length; i++) {
        const e = r.controller[i];
        if (e.kind !== L.EVK_COMPLETE || e.sqid === 0) continue;
        const irq = r.controller[i + 1];
        expect(irq.kind).toBe(L.EVK_INTERRUPT);
        expect(bySeq.get(irq.seq)!.timeNs).toBe(bySeq.get(e.seq)!.timeNs);
      }
      // at each CQ head doorbell, in time order, the CQ holds at least as many posted CQEs
      // as the new head releases (the I/O CQ wraps only in the 4-entry run)
      const size = new Map<number, number>();
      const posted = new Map<number, number>();
      const released = new Map<number, number>();
      const head = new Map<number, number>();
      for (const e of t) {
        if (e.kind === L.EVK_CREATE_CQ) size.set(e.sqid, e.arg32);
        if (e.kind === L.EVK_COMPLETE) posted.set(e.arg32, (posted.get(e.arg32) ?? 0) + 1);
        if (e.kind === L.EVK_DOORBELL_CQ) {
          const n = size.get(e.sqid)!;
          const moved = (e.arg32 - (head.get(e.sqid) ?? 0) + n) % n;
          head.set(e.sqid, e.arg32);
          released.set(e.sqid, (released.get(e.sqid) ?? 0) + moved);
          expect(released.get(e.sqid)!).toBeLessThanOrEqual(posted.get(e.sqid) ?? 0);
        }
      }
      expect(released.get(1)).toBe(posted.get(1));
    }
  });

  it("at one time, puts what moved there first, then the ring's order; the lab's blkBefore comes along", () => {
    for (const r of [vm, gc, small]) {
      const t = atModelledTime(r.controller, r.commands);
      for (let i = 1; i < t.length; i++) {
        if (t[i].timeNs !== t[i - 1].timeNs) continue;
        // never an unmoved event before a moved one at one time
        expect(movedLater(t[i]) && !movedLater(t[i - 1]), `seq ${t[i].seq}`).toBe(false);
        if (movedLater(t[i]) === movedLater(t[i - 1])) expect(t[i].seq).toBeGreaterThan(t[i - 1].seq);
      }
      const stamp = new Map(r.controller.map((e) => [e.seq, e.blkBefore]));
      expect(t.every((e) => (e as { blkBefore?: number }).blkBefore === stamp.get(e.seq))).toBe(true);
    }
  });

  it("moves a completion before an event the ring recorded earlier at its new time (a clock that went back)", () => {
    const ev = (seq: number, kind: number, timeNs: number, more: Partial<LabRun["controller"][number]> = {}) => ({
      seq, kind, cls: 0, sqid: 1, cid: 0, opc: 1, status: 0, nsid: 1, arg32: 1, a: 0n, b: 0n, timeNs, blkBefore: seq, ...more,
    });
    // a doorbell at 50, then a command fetched and completed at 0 whose record says done at 50
    const t = atModelledTime(
      [ev(0, L.EVK_DOORBELL_SQ, 50), ev(1, L.EVK_FETCH, 0), ev(2, L.EVK_COMPLETE, 0)],
      [{ seq: 1, time_ns: 0, done_ns: 50, disk: "nvme0n1", rq: 1, qid: 1, cid: 0, opcode: 1, name: "Write", nsid: 1 }],
    );
    expect(t.map((e) => [e.seq, e.timeNs])).toEqual([[1, 0], [2, 50], [0, 50]]);
  });

  it("keeps the ring's times without command records (admin-only or unknown commands)", () => {
    const t = atModelledTime(vm.controller, []);
    expect(t.map((e) => [e.seq, e.timeNs])).toEqual(vm.controller.map((e) => [e.seq, e.timeNs]));
  });
});
