// Queues (Base 2.1 §3.3, §5.2.1-5.2.5): Create/Delete I/O CQ and SQ with every check in
// QEMU's order (nvme_create_cq, nvme_create_sq, nvme_del_sq, nvme_del_cq), doorbell
// misbehaviour reported as an asynchronous event (§3.1.4.21 and QEMU's doorbell checks),
// completion queues that never overflow (a host that does not consume stalls), the phase tag
// on wrap (§4.2.4), SQHD, and round-robin arbitration with Arbitration Burst (§3.4.4).

import { describe, it, expect, beforeEach, afterEach } from "vitest";
import { Host, OP, REG, CC_ENABLE, sqe, rw, cqeAt, DNR, SC } from "../host";

const createCq = (qid: number, qsize: number, prp1: number | bigint, cdw11 = 1) =>
  sqe(OP.CREATE_CQ, { prp1, cdw10: (qid | ((qsize - 1) << 16)) >>> 0, cdw11 });
const createSq = (qid: number, qsize: number, prp1: number | bigint, cqid: number, cdw11 = 1) =>
  sqe(OP.CREATE_SQ, { prp1, cdw10: (qid | ((qsize - 1) << 16)) >>> 0, cdw11: (cdw11 | (cqid << 16)) >>> 0 });

describe("create and delete I/O queues", () => {
  let h: Host;
  beforeEach(async () => {
    // A controller with four I/O queue pairs; pairs 3 and 4 are deleted for the tests.
    h = await Host.create({ config: { mqes: 1023, maxVectors: 8, maxIoQueuePairs: 4 }, driver: { ioQueues: 4 } });
    for (const q of [3, 4]) {
      expect(h.adminCmd(sqe(OP.DELETE_SQ, { cdw10: q })).status).toBe(0);
      expect(h.adminCmd(sqe(OP.DELETE_CQ, { cdw10: q })).status).toBe(0);
    }
  });
  afterEach(async () => { await h.close(); });

  it("Create I/O CQ: each check with its status (Base §5.2.2)", () => {
    const base = h.alloc(4096);
    const st = (s: Uint32Array) => h.adminCmd(s).status;
    expect(st(createCq(0, 16, base))).toBe(SC.INVALID_QID | DNR);
    expect(st(createCq(5, 16, base))).toBe(SC.INVALID_QID | DNR); // beyond the 4 supported
    expect(st(createCq(1, 16, base))).toBe(SC.INVALID_QID | DNR); // exists
    expect(st(sqe(OP.CREATE_CQ, { prp1: base, cdw10: 3, cdw11: 1 }))).toBe(SC.INVALID_QUEUE_SIZE | DNR); // QSIZE 0
    expect(st(createCq(3, 1025, base))).toBe(SC.INVALID_QUEUE_SIZE | DNR); // > MQES + 1
    expect(st(createCq(3, 16, base + 512))).toBe(SC.INVALID_PRP_OFFSET | DNR);
    expect(st(createCq(3, 16, base, 1 | 2 | (8 << 16)))).toBe(SC.INVALID_INTERRUPT_VECTOR | DNR); // IV 8 of 8 vectors
    expect(st(createCq(3, 16, base, 0))).toBe(SC.INVALID_FIELD | DNR); // PC = 0
    expect(st(createCq(3, 1024, base, 1 | 2 | (7 << 16)))).toBe(0);
  });

  it("Create I/O CQ: QEMU's order when several fields are wrong", () => {
    const base = h.alloc(4096);
    const st = (s: Uint32Array) => h.adminCmd(s).status;
    expect(st(sqe(OP.CREATE_CQ, { prp1: base + 4, cdw10: 0, cdw11: 0 }))).toBe(SC.INVALID_QID | DNR);
    expect(st(sqe(OP.CREATE_CQ, { prp1: base + 4, cdw10: 3, cdw11: 0 }))).toBe(SC.INVALID_QUEUE_SIZE | DNR);
    expect(st(createCq(3, 16, base + 4, 0xffff0000))).toBe(SC.INVALID_PRP_OFFSET | DNR);
    expect(st(createCq(3, 16, base, 0xffff0000))).toBe(SC.INVALID_INTERRUPT_VECTOR | DNR);
    // CC.IOCQES other than 4 comes first of all (Invalid Queue Size).
    h.w32(REG.CC, (CC_ENABLE & ~(0xf << 20)) | (5 << 20));
    expect(st(sqe(OP.CREATE_CQ, { prp1: base + 4, cdw10: 0, cdw11: 0 }))).toBe(SC.INVALID_QUEUE_SIZE | DNR);
    h.w32(REG.CC, CC_ENABLE);
    expect(st(createCq(3, 16, base))).toBe(0);
  });

  it("Create I/O SQ: each check with its status, in QEMU's order (Base §5.2.3)", () => {
    const cqb = h.alloc(4096);
    const base = h.alloc(4096);
    const st = (s: Uint32Array) => h.adminCmd(s).status;
    expect(st(createCq(3, 16, cqb))).toBe(0);
    expect(st(createSq(3, 16, base, 0))).toBe(SC.CQ_INVALID | DNR);
    expect(st(createSq(3, 16, base, 4))).toBe(SC.CQ_INVALID | DNR); // CQ 4 does not exist
    expect(st(createSq(3, 16, base, 9))).toBe(SC.CQ_INVALID | DNR); // beyond the queues supported
    expect(st(createSq(0, 16, base, 3))).toBe(SC.INVALID_QID | DNR);
    expect(st(createSq(5, 16, base, 3))).toBe(SC.INVALID_QID | DNR);
    expect(st(createSq(1, 16, base, 3))).toBe(SC.INVALID_QID | DNR); // exists
    expect(st(sqe(OP.CREATE_SQ, { prp1: base, cdw10: 3, cdw11: 1 | (3 << 16) }))).toBe(SC.INVALID_QUEUE_SIZE | DNR);
    expect(st(createSq(3, 1025, base, 3))).toBe(SC.INVALID_QUEUE_SIZE | DNR);
    expect(st(createSq(3, 16, base + 64, 3))).toBe(SC.INVALID_PRP_OFFSET | DNR);
    expect(st(createSq(3, 16, base, 3, 0))).toBe(SC.INVALID_FIELD | DNR);
    // Order: CQID before QID before QSIZE before PRP1 before PC.
    expect(st(sqe(OP.CREATE_SQ, { prp1: base + 4, cdw10: 0, cdw11: 0 }))).toBe(SC.CQ_INVALID | DNR);
    expect(st(sqe(OP.CREATE_SQ, { prp1: base + 4, cdw10: 0, cdw11: 3 << 16 }))).toBe(SC.INVALID_QID | DNR);
    expect(st(sqe(OP.CREATE_SQ, { prp1: base + 4, cdw10: 3, cdw11: 3 << 16 }))).toBe(SC.INVALID_QUEUE_SIZE | DNR);
    expect(st(createSq(3, 16, base + 4, 3, 0))).toBe(SC.INVALID_PRP_OFFSET | DNR);
    // QPRIO is ignored (round robin only).
    expect(st(createSq(3, 16, base, 3, 1 | (3 << 1)))).toBe(0);
  });

  it("Delete I/O SQ and CQ (Base §5.2.4-5.2.5)", () => {
    const st = (s: Uint32Array) => h.adminCmd(s).status;
    expect(st(sqe(OP.DELETE_SQ, { cdw10: 0 }))).toBe(SC.INVALID_QID | DNR);
    expect(st(sqe(OP.DELETE_SQ, { cdw10: 3 }))).toBe(SC.INVALID_QID | DNR);
    expect(st(sqe(OP.DELETE_SQ, { cdw10: 0xffff }))).toBe(SC.INVALID_QID | DNR);
    expect(st(sqe(OP.DELETE_CQ, { cdw10: 0 }))).toBe(SC.CQ_INVALID | DNR);
    expect(st(sqe(OP.DELETE_CQ, { cdw10: 3 }))).toBe(SC.CQ_INVALID | DNR);
    // A CQ with SQs on it: Invalid Queue Deletion, without DNR (retry after deleting the SQs).
    const cqb = h.alloc(4096);
    expect(st(createCq(3, 16, cqb))).toBe(0);
    expect(st(createSq(3, 16, h.alloc(4096), 3))).toBe(0);
    expect(st(createSq(4, 16, h.alloc(4096), 3))).toBe(0);
    expect(st(sqe(OP.DELETE_CQ, { cdw10: 3 }))).toBe(SC.INVALID_QUEUE_DELETION);
    expect(st(sqe(OP.DELETE_SQ, { cdw10: 3 }))).toBe(0);
    expect(st(sqe(OP.DELETE_CQ, { cdw10: 3 }))).toBe(SC.INVALID_QUEUE_DELETION);
    expect(st(sqe(OP.DELETE_SQ, { cdw10: 4 }))).toBe(0);
    expect(st(sqe(OP.DELETE_CQ, { cdw10: 3 }))).toBe(0);
    // A deleted queue's ID can be used again.
    expect(st(createCq(3, 16, cqb))).toBe(0);
  });

  it("a new CQ starts with phase 1 at slot 0; SQHD and SQID are reported; phase flips on wrap (§4.2.4)", () => {
    const cqb = h.alloc(4096), sqb = h.alloc(4096);
    expect(h.adminCmd(createCq(3, 4, cqb, 1)).status).toBe(0);
    expect(h.adminCmd(createSq(3, 8, sqb, 3)).status).toBe(0);
    let tail = 0, head = 0;
    for (let i = 0; i < 6; i++) {
      h.ram.set(new Uint8Array(sqe(OP.FLUSH, { nsid: 1, cid: 100 + i }).buffer), sqb + 64 * tail);
      tail = (tail + 1) % 8;
      h.w32(h.sqDoorbell(3), tail);
      const c = cqeAt(h, cqb, head);
      expect(c).toMatchObject({ cid: 100 + i, status: 0, sqid: 3, sqhd: tail, phase: i < 4 ? 1 : 0 });
      head = (head + 1) % 4;
      h.w32(h.cqDoorbell(3), head);
    }
  });
});

describe("completion queues never overflow", () => {
  for (const threaded of [false, true]) {
    it(`a host that does not consume completions stalls; consuming resumes (${threaded ? "threaded" : "stepped"})`, async () => {
      const h = await Host.create({ threaded, driver: { ioQueues: 2 } });
      try {
        expect(h.adminCmd(sqe(OP.DELETE_SQ, { cdw10: 2 })).status).toBe(0);
        expect(h.adminCmd(sqe(OP.DELETE_CQ, { cdw10: 2 })).status).toBe(0);
        const cqb = h.alloc(4096), sqb = h.alloc(4096);
        expect(h.adminCmd(createCq(2, 4, cqb, 1)).status).toBe(0); // holds 3 entries
        expect(h.adminCmd(createSq(2, 16, sqb, 2)).status).toBe(0);
        for (let i = 0; i < 10; i++) h.ram.set(new Uint8Array(sqe(OP.FLUSH, { nsid: 1, cid: i }).buffer), sqb + 64 * i);
        h.port.write32(h.sqDoorbell(2), 10);
        h.port.kick();
        const settle = () => { for (let k = 0; k < 20; k++) { h.reg32(REG.CSTS); h.step(); } };
        settle();
        // Three completions, then nothing: slot 3 is never written while the CQ is full.
        expect([0, 1, 2].map((s) => cqeAt(h, cqb, s))).toMatchObject([
          { cid: 0, phase: 1, sqhd: 1 }, { cid: 1, phase: 1, sqhd: 2 }, { cid: 2, phase: 1, sqhd: 3 }]);
        expect(cqeAt(h, cqb, 3).phase).toBe(0);
        // Other queues keep working meanwhile.
        expect(h.ioCmd(sqe(OP.FLUSH, { nsid: 1 })).status).toBe(0);
        // Consume two: two more complete (slots 3 and 0, the latter with the phase flipped).
        h.port.write32(h.cqDoorbell(2), 2);
        h.port.kick();
        settle();
        expect(cqeAt(h, cqb, 3)).toMatchObject({ cid: 3, phase: 1 });
        expect(cqeAt(h, cqb, 0)).toMatchObject({ cid: 4, phase: 0 });
        expect(cqeAt(h, cqb, 1)).toMatchObject({ cid: 1, phase: 1 }); // not overwritten
        // Consume everything as it comes: all ten complete, in order.
        const seen: number[] = [0, 1, 2, 3, 4];
        let head = 1, phase = 0;
        for (let round = 0; round < 50 && seen.length < 10; round++) {
          h.port.write32(h.cqDoorbell(2), head);
          h.port.kick();
          settle();
          for (;;) {
            const c = cqeAt(h, cqb, head);
            if (c.phase !== phase) break;
            seen.push(c.cid);
            head = (head + 1) % 4;
            if (head === 0) phase ^= 1;
          }
        }
        expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      } finally {
        await h.close();
      }
    });
  }
});

describe("doorbell misbehaviour is reported by an asynchronous event (Error, log page 01h)", () => {
  let h: Host;
  let cqb = 0, sqb = 0;
  beforeEach(async () => {
    // Queue pair 2 is rebuilt by hand (8 entries each) so the test controls its doorbells.
    h = await Host.create({ driver: { ioQueues: 2 } });
    expect(h.adminCmd(sqe(OP.DELETE_SQ, { cdw10: 2 })).status).toBe(0);
    expect(h.adminCmd(sqe(OP.DELETE_CQ, { cdw10: 2 })).status).toBe(0);
    cqb = h.alloc(4096); sqb = h.alloc(4096);
    expect(h.adminCmd(createCq(2, 8, cqb, 1)).status).toBe(0);
    expect(h.adminCmd(createSq(2, 8, sqb, 2)).status).toBe(0);
    for (let i = 0; i < 8; i++) h.ram.set(new Uint8Array(sqe(OP.FLUSH, { nsid: 1, cid: i }).buffer), sqb + 64 * i);
  });
  afterEach(async () => { await h.close(); });

  /** Submit an AER without waiting; returns a function that says whether it completed and how. */
  function aer() {
    const tag = h.admin.submit(sqe(OP.AER));
    const seq = h.admin.doneSeq[tag];
    h.admin.ring(h.port);
    h.port.kick();
    return () => {
      h.step();
      h.admin.reap(h.port);
      return h.admin.doneSeq[tag] !== seq ? h.admin.completion(tag) : null;
    };
  }

  // DW0: type 000b Error, info 00h invalid doorbell register / 01h invalid value, log page 01h.
  const REGISTER = 0x00010000, VALUE = 0x00010100;
  const cases: Array<[string, number, (h: Host) => void]> = [
    ["SQ tail doorbell of a queue that does not exist", REGISTER, (h) => h.w32(h.sqDoorbell(9), 1)],
    ["CQ head doorbell of a queue that does not exist", REGISTER, (h) => h.w32(h.cqDoorbell(9), 0)],
    ["SQ tail doorbell beyond the queues supported", REGISTER, (h) => h.w32(h.sqDoorbell(65), 1)],
    ["SQ tail equal to the queue size", VALUE, (h) => h.w32(h.sqDoorbell(2), 8)],
    ["SQ tail with bits above 15 set", VALUE, (h) => h.w32(h.sqDoorbell(2), 0x10000)],
    ["SQ tail with bits above 15 set and the low bits in range", VALUE, (h) => h.w32(h.sqDoorbell(2), 0x80001)],
    ["SQ tail moved backwards over unfetched entries", VALUE, (h) => {
      h.port.write32(h.sqDoorbell(2), 2);
      h.port.write32(h.sqDoorbell(2), 1);
      h.port.kick();
    }],
    ["CQ head equal to the queue size", VALUE, (h) => h.w32(h.cqDoorbell(2), 8)],
    ["CQ head with bits above 15 set", VALUE, (h) => h.w32(h.cqDoorbell(2), 0x10000)],
    ["CQ head past the entries posted", VALUE, (h) => h.w32(h.cqDoorbell(2), 5)],
  ];
  for (const [what, dw0, misbehave] of cases) {
    it(what, () => {
      const done = aer();
      expect(done()).toBeNull();
      misbehave(h);
      expect(done()).toMatchObject({ status: 0, dw0 });
      // The bad write changed nothing: the queue runs the entries the good writes made valid.
      const posted = cqeAt(h, cqb, 0).phase === 1 ? 2 : 0;
      h.w32(h.sqDoorbell(2), posted + 1);
      expect(cqeAt(h, cqb, posted)).toMatchObject({ cid: posted, status: 0, phase: 1, sqhd: posted + 1 });
      expect(cqeAt(h, cqb, posted + 1).phase).toBe(0);
    });
  }

  it("a doorbell for a deleted SQ is an invalid register", () => {
    expect(h.adminCmd(sqe(OP.DELETE_SQ, { cdw10: 2 })).status).toBe(0);
    const done = aer();
    h.w32(h.sqDoorbell(2), 1);
    expect(done()).toMatchObject({ status: 0, dw0: REGISTER });
  });

  it("with no request outstanding the event waits for the next AER", () => {
    h.w32(h.sqDoorbell(9), 1);
    const done = aer();
    expect(done()).toMatchObject({ status: 0, dw0: REGISTER });
  });
});

describe("arbitration: round robin with Arbitration Burst (Base §3.4.4, Feature 01h)", () => {
  for (const [ab, order] of [
    [0, [1, 2, 1, 2, 1, 2]],
    [1, [1, 1, 2, 2, 1, 2]],
    [7, [1, 1, 1, 2, 2, 2]],
  ] as const) {
    it(`AB = ${ab}: SQs 1 and 2 on one CQ complete in order ${order.join(",")}`, async () => {
      const h = await Host.create({ driver: { ioQueues: 2 } });
      try {
        expect(h.setFeature(0x01, ab).status).toBe(0);
        for (const q of [1, 2]) expect(h.adminCmd(sqe(OP.DELETE_SQ, { cdw10: q })).status).toBe(0);
        // SQs 1 and 2 both post to CQ 1.
        const sq1 = h.alloc(4096), sq2 = h.alloc(4096);
        expect(h.adminCmd(createSq(1, 8, sq1, 1)).status).toBe(0);
        expect(h.adminCmd(createSq(2, 8, sq2, 1)).status).toBe(0);
        const cq1 = h.io(0).cq.bus;
        const before = h.io(0).cqHead;
        for (let i = 0; i < 3; i++) {
          h.ram.set(new Uint8Array(rw(OP.READ, 1, i, 1, 0, { cid: 0x100 + i, prp1: h.alloc(4096) }).buffer), sq1 + 64 * i);
          h.ram.set(new Uint8Array(rw(OP.READ, 1, i, 1, 0, { cid: 0x200 + i, prp1: h.alloc(4096) }).buffer), sq2 + 64 * i);
        }
        h.port.write32(h.sqDoorbell(1), 3);
        h.port.write32(h.sqDoorbell(2), 3);
        h.port.kick();
        const got = [0, 1, 2, 3, 4, 5].map((k) => cqeAt(h, cq1, before + k));
        expect(got.map((c) => c.sqid)).toEqual(order);
        expect(got.every((c) => c.status === 0)).toBe(true);
      } finally {
        await h.close();
      }
    });
  }
});

describe("arbitration across many SQs: only SQs with entries are visited, in QID order", () => {
  it("AB = 0: SQs 2, 63 and 64 (two bitmap words) on one CQ take turns, and a fresh doorbell joins the round", async () => {
    const h = await Host.create({ driver: { ioQueues: 64 } });
    try {
      expect(h.setFeature(0x01, 0).status).toBe(0);
      const qids = [2, 63, 64];
      for (const q of qids) expect(h.adminCmd(sqe(OP.DELETE_SQ, { cdw10: q })).status).toBe(0);
      const base = new Map(qids.map((q) => [q, h.alloc(4096)]));
      for (const q of qids) expect(h.adminCmd(createSq(q, 8, base.get(q)!, 1)).status).toBe(0);
      const cq1 = h.io(0).cq.bus;
      const before = h.io(0).cqHead;
      for (const q of qids) {
        for (let i = 0; i < 2; i++) {
          h.ram.set(new Uint8Array(rw(OP.READ, 1, i, 1, 0, { cid: (q << 4) + i, prp1: h.alloc(4096) }).buffer), base.get(q)! + 64 * i);
        }
      }
      h.port.write32(h.sqDoorbell(64), 2);
      h.port.write32(h.sqDoorbell(2), 2);
      h.port.write32(h.sqDoorbell(63), 2);
      h.port.kick();
      const got = [0, 1, 2, 3, 4, 5].map((k) => cqeAt(h, cq1, before + k));
      expect(got.map((c) => c.sqid)).toEqual([2, 63, 64, 2, 63, 64]);
      expect(got.map((c) => c.cid)).toEqual([0x20, 0x3f0, 0x400, 0x21, 0x3f1, 0x401]);
      expect(got.every((c) => c.status === 0)).toBe(true);
      // Emptied SQs drop out; the next doorbell brings SQ 63 back on its own.
      h.ram.set(new Uint8Array(rw(OP.READ, 1, 5, 1, 0, { cid: 0x3f2, prp1: h.alloc(4096) }).buffer), base.get(63)! + 64 * 2);
      h.port.write32(h.sqDoorbell(63), 3);
      h.port.kick();
      const next = cqeAt(h, cq1, before + 6);
      expect([next.sqid, next.cid, next.status]).toEqual([63, 0x3f2, 0]);
    } finally {
      await h.close();
    }
  });
});

