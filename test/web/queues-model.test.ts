// The Queues view's model (web/views/queues-model.ts) on real runs of the lab: counts of
// fetches and completions per queue, head/tail/phase through wrap-arounds (a 4-entry I/O queue),
// which SQE each slot holds before and after its fetch, the Copy entry's decoded fields and
// source ranges, the admin commands of bring-up, stepping by command, and the ring window.

import { describe, it, expect, beforeAll } from "vitest";
import { readFileSync } from "node:fs";
import { LabSession, type LabRun } from "../../src/lab/session";
import { loadCoreModule } from "../../src/node/wasm";
import { Sha256 } from "../../src/util/sha256";
import * as L from "../../assembly/layout";
import type { ControllerEvent } from "../../src/controller/events";
import {
  QueueReplay, sqSlotState, cqSlotState, cqSlotPhase, ringWindow, ringDistance, slotAngle, decodeCommand,
  decodeCompletion, formatNs, entryTitle, opLetter,
} from "../../web/views/queues-model";

const example = (name: string) => JSON.parse(readFileSync(`examples/blk/${name}.json`, "utf8")) as Record<string, unknown>;
const run = (setup: unknown) => new LabSession(() => loadCoreModule(false), () => new Sha256()).run(setup);
const field = (fields: Array<{ name: string; value: string; meaning?: string }>, name: string) => fields.find((f) => f.name === name);

let vm: LabRun;
let gc: LabRun;
let small: LabRun;

beforeAll(async () => {
  vm = await run(example("vector-merge"));
  gc = await run(example("ctx-gc"));
  // a 4-entry I/O SQ and CQ: 19 commands wrap both rings several times
  small = await run({ ...example("vector-merge"), queue_depth: 4 });
});

describe("QueueReplay on vector-merge", () => {
  it("counts every fetch, completion, doorbell and interrupt per queue", () => {
    const r = new QueueReplay(vm.controller, vm.commands);
    const s = r.seek(r.length);
    const count = (kind: number, q: number, key: (e: ControllerEvent) => number = (e) => e.sqid) => vm.controller.filter((e) => e.kind === kind && key(e) === q).length;
    expect([...s.sqs.keys()].sort()).toEqual([0, 1]);
    expect([...s.cqs.keys()].sort()).toEqual([0, 1]);
    const sq1 = s.sqs.get(1)!, cq1 = s.cqs.get(1)!, sq0 = s.sqs.get(0)!, cq0 = s.cqs.get(0)!;
    // every block-layer command went through SQ 1 and was completed on CQ 1
    expect(sq1.fetched).toBe(vm.commands.length);
    expect(cq1.posted).toBe(vm.commands.length);
    expect(sq0.fetched).toBe(count(L.EVK_FETCH, 0));
    expect(cq0.posted).toBe(count(L.EVK_COMPLETE, 0, (e) => e.arg32));
    expect(sq1.doorbells).toBe(count(L.EVK_DOORBELL_SQ, 1));
    expect(cq1.doorbells).toBe(count(L.EVK_DOORBELL_CQ, 1));
    // each I/O completion raised vector 1 (interrupt coalescing is off)
    expect(cq1.interrupts).toBe(vm.commands.length);
    expect(cq1.vector).toBe(1);
    expect(cq0.vector).toBe(0);
    // sizes from Create I/O SQ/CQ (queue_depth 256) and AQA (32)
    expect([sq0.size, cq0.size, sq1.size, cq1.size]).toEqual([32, 32, 256, 256]);
    expect(sq1.cqid).toBe(1);
    // nothing left to fetch; the controller's head caught up with the host's tail
    expect(sq1.head).toBe(sq1.tail);
    expect(sq1.head).toBe(vm.commands.length % 256);
    expect(cq1.tail).toBe(vm.commands.length % 256);
    expect(cq1.phase).toBe(1);
    expect(s.ready).toBe(true);
  });

  it("decodes the first Copy: SDLBA, NR, DESFMT and the four source ranges of the merged request", () => {
    const r = new QueueReplay(vm.controller, vm.commands);
    const copies = r.entries.filter((e) => e.name === "Copy");
    const records = vm.commands.filter((c) => c.name === "Copy");
    expect(copies.length).toBe(records.length);
    const c = copies[0];
    expect(entryTitle(c)).toBe("Copy (19h)");
    expect(opLetter(c)).toBe("C");
    expect(c.sqid).toBe(1);
    expect(c.nsid).toBe(1);
    // dst_pos 4M in 512-byte blocks; four 8k copies merged: NR 3 (0's based)
    expect(field(c.fields, "SDLBA")?.value).toBe("8192");
    expect(field(c.fields, "NR")).toEqual({ name: "NR", value: "3", meaning: "0's based: 4 source ranges" });
    expect(field(c.fields, "DESFMT")?.value).toBe("0h");
    expect(c.ranges.map((x) => [x.index, x.slba, x.nlb, x.dlba])).toEqual([[0, 0, 16, 8192], [1, 200, 16, 8208], [2, 400, 16, 8224], [3, 600, 16, 8240]]);
    // the controller's ranges are the driver's record of the command
    expect(c.record).toBe(records[0]);
    expect(c.ranges.map((x) => ({ slba: x.slba, nlb: x.nlb }))).toEqual(records[0].ranges!.map((x) => ({ slba: x.slba, nlb: x.nlb })));
    expect(c.completion?.status.name).toBe("Successful Completion");
    expect(c.completion?.cqid).toBe(1);
    // posted at the command's modelled completion (controller-time.ts), not at its fetch
    expect(c.record!.done_ns).toBeGreaterThan(c.timeNs);
    expect(c.completion?.timeNs).toBe(c.record!.done_ns);
    // the split 2M copy: MCL 256 blocks, 4 ranges of MSSRL 64
    expect(copies.slice(1).every((x) => x.ranges.length === 4 && x.ranges.every((g) => g.nlb === 64))).toBe(true);
  });

  it("decodes bring-up's admin commands from their dwords", () => {
    const r = new QueueReplay(vm.controller, vm.commands);
    const admin = r.entries.filter((e) => e.admin);
    expect(admin.map((e) => e.name)).toEqual([
      "Identify", "Identify", "Set Features", "Identify", "Identify", "Create I/O Completion Queue", "Create I/O Submission Queue", "Get Features", "Set Features",
    ]);
    expect(field(admin[0].fields, "CNS")).toEqual({ name: "CNS", value: "01h", meaning: "Identify Controller" });
    // nvme_init_non_mdts_limits: the NVM Command Set Identify Controller, CSI 00h named
    expect(field(admin[1].fields, "CNS")?.meaning).toBe("I/O Command Set specific Identify Controller");
    expect(field(admin[1].fields, "CSI")).toEqual({ name: "CSI", value: "00h", meaning: "NVM Command Set" });
    expect(field(admin[2].fields, "FID")?.meaning).toBe("Number of Queues");
    const cq = admin[5].fields, sq = admin[6].fields;
    expect([field(cq, "QID")?.value, field(cq, "QSIZE")?.meaning, field(cq, "IV")?.value, field(cq, "IEN")?.value]).toEqual(["1", "0's based: 256 entries", "1", "1"]);
    expect([field(sq, "QID")?.value, field(sq, "QSIZE")?.value, field(sq, "CQID")?.value]).toEqual(["1", "255", "1"]);
    // Set Features Number of Queues: DW0 says what was allocated
    const dw0 = field(decodeCompletion(admin[2].completion!), "DW0");
    expect(dw0?.meaning).toMatch(/^NSQA \d+, NCQA \d+/);
  });

  it("steps by command: stops at fetches and completions, filtered", () => {
    const r = new QueueReplay(vm.controller, vm.commands);
    let p = 0;
    const stops: string[] = [];
    while ((p = r.nextCommand(p, "copy")) < r.length || r.isCommandStop(p - 1, "copy")) {
      stops.push(r.line(p - 1).split(" ")[0]);
      if (p >= r.length) break;
    }
    const copies = r.entries.filter((e) => e.name === "Copy").length;
    expect(stops.filter((s) => s === "pci_nvme_io_cmd").length).toBe(copies);
    expect(stops.filter((s) => s === "pci_nvme_enqueue_req_completion").length).toBe(copies);
    // the first stop of any kind is bring-up's first fetch (Identify), just after SQ 0's doorbell
    const first = r.nextCommand(0);
    expect(r.line(first - 1)).toMatch(/^pci_nvme_admin_cmd cid 0 sqid 0 opc 0x6 opname 'Identify'/);
    expect(r.previousCommand(r.nextCommand(first))).toBe(first);
    expect(r.previousCommand(first)).toBe(0);
    expect(r.nextCommand(r.length)).toBe(r.length);
    // no command failed in this run
    expect(r.nextCommand(0, "error")).toBe(r.length);
  });

  it("seeks backwards to the same state as a fresh replay", () => {
    const a = new QueueReplay(vm.controller, vm.commands);
    const b = new QueueReplay(vm.controller, vm.commands);
    a.seek(a.length);
    for (const p of [150, 3, 60, 61, 62, 0, 200]) {
      const x = a.seek(p), y = new QueueReplay(vm.controller, vm.commands).seek(p);
      expect(x.position).toBe(p);
      const pick = (s: typeof x) => [...s.sqs.values()].map((q) => [q.sqid, q.head, q.tail, q.fetched]).concat([...s.cqs.values()].map((q) => [q.cqid, q.head, q.tail, q.phase, q.posted]));
      expect(pick(x)).toEqual(pick(y));
      expect(x.event).toBe(p ? a.events[p - 1] : undefined);
    }
    b.seek(10);
    expect(b.seek(5).position).toBe(5);
  });
});

describe("what the current event touched, and a record that lost its beginning", () => {
  it("marks the fetched SQE, the Copy while its ranges are read, the posted CQE and doorbelled slots", () => {
    const r = new QueueReplay(vm.controller, vm.commands);
    const at = (i: number) => r.touched(r.seek(i + 1));
    const fetch = r.entries.find((e) => e.name === "Copy")!;
    expect(at(fetch.fetchAt)).toEqual({ kind: "sq", qid: 1, slot: fetch.slot });
    // the four EVK_COPY_RANGE events after it still point at the Copy
    for (let k = 1; k <= 4; k++) {
      expect(vm.controller[fetch.fetchAt + k].kind).toBe(L.EVK_COPY_RANGE);
      expect(at(fetch.fetchAt + k)).toEqual({ kind: "sq", qid: 1, slot: fetch.slot });
    }
    const c = fetch.completion!;
    expect(at(c.postAt)).toEqual({ kind: "cq", qid: 1, slot: c.slot });
    // the SQ doorbell before the fetch: the slot it submitted; the CQ doorbell after: the slot it released
    expect(vm.controller[fetch.fetchAt - 1].kind).toBe(L.EVK_DOORBELL_SQ);
    expect(at(fetch.fetchAt - 1)).toEqual({ kind: "sq", qid: 1, slot: fetch.slot });
    const db = vm.controller.findIndex((e, i) => i > c.postAt && e.kind === L.EVK_DOORBELL_CQ);
    expect(at(db)).toEqual({ kind: "cq", qid: 1, slot: c.slot });
    // the interrupt follows the posted CQE (QEMU's order) and touches no slot
    expect(vm.controller[c.postAt + 1].kind).toBe(L.EVK_INTERRUPT);
    expect(at(c.postAt + 1)).toBeUndefined();
    expect(r.touched(r.seek(0))).toBeUndefined();
  });

  it("replays a ring that overwrote the run's first events: counts right, positions unknown", () => {
    const from = vm.controller.findIndex((e) => e.kind === L.EVK_DOORBELL_SQ && e.sqid === 1) + 5;
    const tail = vm.controller.slice(from);
    const r = new QueueReplay(tail, vm.commands);
    const s = r.seek(r.length);
    const sq1 = s.sqs.get(1)!;
    expect(sq1.size).toBe(0);
    expect(sq1.createdAt).toBe(-1);
    expect(sq1.fetched).toBe(tail.filter((e) => e.kind === L.EVK_FETCH && e.sqid === 1).length);
    expect(s.cqs.get(1)!.posted).toBe(tail.filter((e) => e.kind === L.EVK_COMPLETE && e.arg32 === 1).length);
    expect(sqSlotState(sq1, 0)).toBe("empty");
    // the Copy commands are still decoded, with their ranges and completions
    const copies = r.entries.filter((e) => e.name === "Copy");
    expect(copies.length).toBe(vm.commands.filter((c) => c.name === "Copy").length);
    expect(copies.every((c) => c.ranges.length === 4 && c.completion?.status.raw === 0)).toBe(true);
    // records of commands older than the ring's first event are not matched to later fetches
    const lastWrite = r.entries.filter((e) => e.name === "Write").at(-1);
    if (lastWrite) expect(lastWrite.record!.time_ns).toBeGreaterThanOrEqual(tail[0].timeNs);
    expect(copies.map((c) => c.record)).toEqual(vm.commands.filter((c) => c.name === "Copy"));
  });
});

describe("QueueReplay with a 4-entry I/O queue (queue_depth 4)", () => {
  it("wraps SQ and CQ, inverting the phase tag at each wrap", () => {
    const r = new QueueReplay(small.controller, small.commands);
    expect(r.seek(r.length).sqs.get(1)!.size).toBe(4);
    const n = small.commands.length;
    expect(n).toBeGreaterThan(8);
    const io = r.completions.filter((c) => c.cqid === 1);
    expect(io.length).toBe(n);
    io.forEach((c, k) => {
      expect(c.slot).toBe(k % 4);
      // Base §4.2.4: phase 1 on the first pass, 0 on the second, ...
      expect(c.phase).toBe(1 ^ (Math.floor(k / 4) & 1));
      // SQHD: the SQ head when posted, at the modelled completion: past this command's own
      // slot, and by at most the 3 commands a 4-entry queue holds
      expect(ringDistance(c.entry!.slot, c.sqhd, 4)).toBeGreaterThanOrEqual(1);
      expect(ringDistance(c.entry!.slot, c.sqhd, 4)).toBeLessThanOrEqual(3);
    });
    const fetched = r.entries.filter((e) => e.sqid === 1);
    fetched.forEach((e, k) => expect(e.slot).toBe(k % 4));
    const end = r.seek(r.length);
    const cq = end.cqs.get(1)!;
    expect(cq.tail).toBe(n % 4);
    expect(cq.phase).toBe(1 ^ (Math.floor(n / 4) & 1));
    expect(cq.posted).toBe(n);
    // slots hold the phase of the lap that last wrote them
    for (let i = 0; i < 4; i++) expect(cqSlotPhase(cq, i)).toBe(cq.slots[i]!.phase);
    expect(new Set([0, 1, 2, 3].map((i) => cqSlotPhase(cq, i))).size).toBe(n % 4 === 0 ? 1 : 2);
  });

  it("shows a submitted SQE in its slot before the fetch, and the CQE as new until the CQ doorbell", () => {
    const r = new QueueReplay(small.controller, small.commands);
    let checked = 0;
    for (let i = 0; i < r.length; i++) {
      const e = r.events[i];
      if (e.kind !== L.EVK_DOORBELL_SQ || e.sqid !== 1) continue;
      const s = r.seek(i + 1);
      const sq = s.sqs.get(1)!;
      const pending = ringDistance(sq.head, sq.tail, sq.size);
      expect(pending).toBeGreaterThan(0);
      // the next fetch of SQ 1 takes the SQE in the head slot, which the replay already shows
      const next = r.entries.find((x) => x.sqid === 1 && x.fetchAt > i)!;
      expect(sqSlotState(sq, sq.head)).toBe("pending");
      expect(sq.slots[sq.head]).toBe(next);
      expect(next.slot).toBe(sq.head);
      const after = r.seek(next.fetchAt + 1).sqs.get(1)!;
      expect(sqSlotState(after, next.slot)).toBe(pending > 1 ? "pending" : "consumed");
      checked++;
    }
    expect(checked).toBe(small.controller.filter((e) => e.kind === L.EVK_DOORBELL_SQ && e.sqid === 1).length);
    // a posted CQE is "new" until the host's CQ head doorbell passes it
    const c = r.completions.find((x) => x.cqid === 1)!;
    const at = r.seek(c.postAt + 1).cqs.get(1)!;
    expect(cqSlotState(at, c.slot)).toBe("new");
    const db = r.events.findIndex((e, i) => i > c.postAt && e.kind === L.EVK_DOORBELL_CQ && e.sqid === 1);
    expect(cqSlotState(r.seek(db + 1).cqs.get(1)!, c.slot)).toBe("consumed");
  });

  it("ctx-gc: two Copy commands of 8 ranges each (MSRC 7), both on SQ 1", () => {
    const r = new QueueReplay(gc.controller, gc.commands);
    const copies = r.entries.filter((e) => e.name === "Copy");
    expect(copies.length).toBe(2);
    for (const c of copies) {
      expect(field(c.fields, "NR")?.value).toBe("7");
      expect(c.ranges.length).toBe(8);
      expect(c.ranges.map((x) => x.slba)).toEqual(c.record!.ranges!.map((x) => x.slba));
    }
    // both were in SQ 1 at once: one doorbell made two slots pending
    const db = gc.controller.findIndex((e) => e.kind === L.EVK_DOORBELL_SQ && e.sqid === 1 && e.arg32 === 3);
    const sq = r.seek(db + 1).sqs.get(1)!;
    expect(ringDistance(sq.head, sq.tail, sq.size)).toBe(2);
    expect([sq.slots[1], sq.slots[2]]).toEqual(copies);
  });
});

describe("decoding and layout helpers", () => {
  it("decodes a failed Copy's completion: SCT, SC, DNR and DW0 as the first range not copied", () => {
    // the events the controller records for a Copy past MCL (assembly/ctrl/exec.ts): fetch, then complete
    const ev = (kind: number, o: Partial<ControllerEvent>): ControllerEvent => ({ seq: 0, kind, cls: 1, sqid: 0, cid: 0, opc: 0, status: 0, nsid: 0, arg32: 0, a: 0n, b: 0n, timeNs: 0, ...o });
    const events = [
      ev(L.EVK_CREATE_CQ, { sqid: 1, arg32: 2, a: 0x6000n, b: 1n | (1n << 32n) }),
      ev(L.EVK_CREATE_SQ, { sqid: 1, arg32: 2, a: 0x2000n, b: 1n }),
      ev(L.EVK_DOORBELL_SQ, { sqid: 1, arg32: 1 }),
      ev(L.EVK_FETCH, { sqid: 1, cid: 7, opc: 0x19, nsid: 1, arg32: 1, a: 5000n, b: 1n }),
      ev(L.EVK_INTERRUPT, { arg32: 1 }),
      ev(L.EVK_COMPLETE, { cls: L.EVC_ERROR, sqid: 1, cid: 7, opc: 0x19, nsid: 1, arg32: 1, status: 0x4183, a: 1n }),
      ev(L.EVK_DOORBELL_SQ, { sqid: 1, arg32: 0 }),
      ev(L.EVK_FETCH, { sqid: 1, cid: 8, opc: 0x02, nsid: 1, arg32: 1, a: 0n, b: 7n }),
      ev(L.EVK_INTERRUPT, { arg32: 1 }),
      ev(L.EVK_COMPLETE, { sqid: 1, cid: 8, opc: 0x02, nsid: 1, arg32: 1 }),
    ];
    const r = new QueueReplay(events);
    const c = r.completions[0];
    const f = decodeCompletion(c);
    expect(field(f, "SCT")).toEqual({ name: "SCT", value: "1h", meaning: "Command Specific Status" });
    expect(field(f, "SC")).toEqual({ name: "SC", value: "83h", meaning: "Command Size Limit Exceeded" });
    expect(field(f, "DNR")?.value).toBe("1");
    expect(field(f, "DW0")?.meaning).toBe("first source range not copied: 1");
    expect(r.problems).toEqual([5]);
    expect(r.nextCommand(0, "error")).toBe(6);
    // a 2-entry CQ: the second CQE wraps the tail to 0 and inverts the phase
    const s = r.seek(r.length);
    expect(s.cqs.get(1)!.tail).toBe(0);
    expect(s.cqs.get(1)!.phase).toBe(0);
    expect(s.cqs.get(1)!.interrupts).toBe(2);
    expect(r.completions.map((x) => [x.slot, x.phase, x.sqhd])).toEqual([[0, 1, 1], [1, 1, 0]]);
    expect(field(r.entries[1].fields, "NLB")?.meaning).toBe("0's based: 8 blocks");
  });

  it("fills the slots of a second doorbell after the entries still pending from the first", () => {
    const ev = (kind: number, o: Partial<ControllerEvent>): ControllerEvent => ({ seq: 0, kind, cls: 1, sqid: 0, cid: 0, opc: 0, status: 0, nsid: 0, arg32: 0, a: 0n, b: 0n, timeNs: 0, ...o });
    const events = [
      ev(L.EVK_CREATE_CQ, { sqid: 1, arg32: 4, b: 1n }),
      ev(L.EVK_CREATE_SQ, { sqid: 1, arg32: 4, b: 1n }),
      ev(L.EVK_DOORBELL_SQ, { sqid: 1, arg32: 1 }),
      ev(L.EVK_DOORBELL_SQ, { sqid: 1, arg32: 3 }), // two more before the controller fetched the first
      ev(L.EVK_FETCH, { sqid: 1, cid: 10, opc: 0x02, nsid: 1, arg32: 1 }),
      ev(L.EVK_FETCH, { sqid: 1, cid: 11, opc: 0x01, nsid: 1, arg32: 1 }),
      ev(L.EVK_FETCH, { sqid: 1, cid: 12, opc: 0x00, nsid: 1, arg32: 1 }),
    ];
    const r = new QueueReplay(events);
    const sq = r.seek(4).sqs.get(1)!;
    expect([0, 1, 2, 3].map((i) => sqSlotState(sq, i))).toEqual(["pending", "pending", "pending", "empty"]);
    expect(sq.slots.slice(0, 3).map((e) => e?.cid)).toEqual([10, 11, 12]);
    expect(sq.slots.slice(0, 3).map((e) => e && entryTitle(e))).toEqual(["Read (02h)", "Write (01h)", "Flush (00h)"]);
    const after = r.seek(6).sqs.get(1)!;
    expect([0, 1, 2].map((i) => sqSlotState(after, i))).toEqual(["consumed", "consumed", "pending"]);
  });

  it("decodes Read/Write, DSM and Write Zeroes dwords", () => {
    const w = decodeCommand(false, 0x01, 1, 0x1000, 1, 7 | (1 << 30), 0);
    expect(field(w, "SLBA")?.value).toBe(String(2 ** 32 + 0x1000));
    expect(field(w, "FUA")?.value).toBe("1");
    expect(field(w, "LR")).toBeUndefined();
    const d = decodeCommand(false, 0x09, 1, 2, 4, 0, 0);
    expect(field(d, "NR")?.meaning).toBe("0's based: 3 ranges");
    expect(field(d, "Attributes")?.meaning).toBe("AD (deallocate)");
    expect(field(decodeCommand(false, 0x08, 1, 0, 0, 1 << 25, 0), "DEAC")?.value).toBe("1");
    expect(decodeCommand(false, 0x00, 0xffffffff, 0, 0, 0, 0)).toEqual([]);
  });

  it("keeps head, tail and the focused slot inside the ring window", () => {
    expect(ringWindow(32, 32, 5, 9)).toBe(0);
    for (const [head, tail] of [[0, 0], [250, 3], [100, 124], [17, 18]]) {
      const s = ringWindow(256, 32, head, tail);
      expect(ringDistance(s, head, 256)).toBeLessThan(32);
      expect(ringDistance(s, tail, 256)).toBeLessThan(32);
      expect(s % 8).toBe(0);
    }
    // more outstanding than the window holds: the head (the next to fetch or consume) stays in view
    expect(ringDistance(ringWindow(256, 32, 100, 140), 100, 256)).toBeLessThan(8);
    const s = ringWindow(256, 32, 10, 12, 200);
    expect(ringDistance(s, 200, 256)).toBeLessThan(32);
    // the window stays put while what it shows stays well inside
    expect(ringWindow(256, 32, 12, 14, undefined, 0)).toBe(0);
    expect(ringWindow(256, 32, 40, 41, undefined, 0)).not.toBe(0);
    expect(slotAngle(0, 32, false)).toBe(0);
    expect(slotAngle(8, 32, false)).toBeCloseTo(Math.PI / 2);
    // windowed: the gap is at the bottom, so the first and last drawn slots sit either side of it
    expect(slotAngle(0, 32, true)).toBeGreaterThan(Math.PI);
    expect(slotAngle(31, 32, true)).toBeLessThan(Math.PI);
    expect(formatNs(184762.67)).toBe("184.762 µs");
    expect(formatNs(0)).toBe("0 ns");
  });
});
