// Interrupts (Base 2.1 §3.1.4.3-4 INTMS/INTMC, §5.27.1.8 Interrupt Coalescing, §5.27.1.9
// Interrupt Vector Configuration): one vector per CQ as created (IV), none for a CQ created
// with IEN = 0, masking that owes the interrupt until unmasked, aggregation by threshold and
// time, never for the admin CQ, never for error completions, never for a vector with CD set.
// Stepped with a clock the test moves, so aggregation time is exact.

import { describe, it, expect, beforeEach, afterEach } from "vitest";
import { Host, sqe, rw, OP, REG, DNR, SC } from "../host";

describe("interrupts", () => {
  let h: Host;
  // Queues 1 and 2 interrupt on vectors 1 and 2; queue 3 is polled (IEN = 0).
  beforeEach(async () => { h = await Host.create({ driver: { ioQueues: 3, pollQueues: 1 } }); });
  afterEach(async () => { await h.close(); });

  const flush = (qi: number) => expect(h.ioCmd(sqe(OP.FLUSH, { nsid: 1 }), {}, qi).status).toBe(0);
  const failing = (qi: number) => expect(h.ioCmd(rw(OP.READ, 1, 1n << 40n, 1), { inLen: 512 }, qi).status).toBe(SC.LBA_OUT_OF_RANGE | DNR);
  const counts = () => [0, 1, 2, 3].map((v) => h.vector(v));
  const delta = (before: number[]) => counts().map((c, i) => c - before[i]);

  it("each completion raises its CQ's vector; a CQ with IEN = 0 raises none", () => {
    expect([h.io(0).vector, h.io(1).vector, h.io(2).polled]).toEqual([1, 2, true]);
    let b = counts();
    flush(0); flush(0);
    expect(delta(b)).toEqual([0, 2, 0, 0]);
    b = counts();
    flush(1);
    expect(delta(b)).toEqual([0, 0, 1, 0]);
    b = counts();
    flush(2);
    expect(delta(b)).toEqual([0, 0, 0, 0]);
    b = counts();
    expect(h.identify(1).status).toBe(0);
    expect(delta(b)).toEqual([1, 0, 0, 0]); // admin CQ: vector 0
  });

  it("INTMS masks a vector; the interrupt owed is delivered once on INTMC", () => {
    h.w32(REG.INTMS, 1 << 1);
    let b = counts();
    flush(0); flush(0); flush(0);
    flush(1); // vector 2 is not masked
    expect(delta(b)).toEqual([0, 0, 1, 0]);
    b = counts();
    h.w32(REG.INTMC, 1 << 1);
    expect(delta(b)).toEqual([0, 1, 0, 0]);
    b = counts();
    h.w32(REG.INTMC, 1 << 1); // nothing more is owed
    flush(0);
    expect(delta(b)).toEqual([0, 1, 0, 0]);
  });

  it("coalescing: an interrupt per THR + 1 completions", () => {
    expect(h.setFeature(0x08, (10 << 8) | 2).status).toBe(0); // 3 entries, 1 ms
    const b = counts();
    flush(0); flush(0);
    expect(delta(b)).toEqual([0, 0, 0, 0]);
    flush(0);
    expect(delta(b)).toEqual([0, 1, 0, 0]);
    flush(0); flush(0); flush(0);
    expect(delta(b)).toEqual([0, 2, 0, 0]);
  });

  it("coalescing: the aggregation time fires a pending vector (100 µs units)", () => {
    expect(h.setFeature(0x08, (10 << 8) | 0xff).status).toBe(0); // 256 entries, 1 ms
    const b = counts();
    flush(0);
    h.nowNs += 0.9e6;
    h.step();
    expect(delta(b)).toEqual([0, 0, 0, 0]);
    h.nowNs += 0.1e6;
    h.step();
    expect(delta(b)).toEqual([0, 1, 0, 0]);
    h.nowNs += 5e6;
    h.step();
    expect(delta(b)).toEqual([0, 1, 0, 0]); // nothing pending any more
  });

  it("coalescing is per vector: the time counts from each vector's first pending completion", () => {
    expect(h.setFeature(0x08, (10 << 8) | 0xff).status).toBe(0);
    const b = counts();
    flush(0);
    h.nowNs += 0.6e6;
    flush(1);
    h.nowNs += 0.4e6;
    h.step();
    expect(delta(b)).toEqual([0, 1, 0, 0]);
    h.nowNs += 0.6e6;
    h.step();
    expect(delta(b)).toEqual([0, 1, 1, 0]);
  });

  it("TIME = 0 means no aggregation, whatever THR is", () => {
    expect(h.setFeature(0x08, 0x20).status).toBe(0);
    const b = counts();
    flush(0); flush(0);
    expect(delta(b)).toEqual([0, 2, 0, 0]);
  });

  it("the admin CQ is never coalesced", () => {
    expect(h.setFeature(0x08, (10 << 8) | 0xff).status).toBe(0);
    const b = counts();
    expect(h.identify(1).status).toBe(0);
    expect(h.identify(1).status).toBe(0);
    expect(delta(b)).toEqual([2, 0, 0, 0]);
  });

  it("an error completion interrupts at once, delivering the pending ones with it", () => {
    expect(h.setFeature(0x08, (10 << 8) | 0xff).status).toBe(0);
    const b = counts();
    flush(0); flush(0);
    expect(delta(b)).toEqual([0, 0, 0, 0]);
    failing(0);
    expect(delta(b)).toEqual([0, 1, 0, 0]);
    h.nowNs += 2e6;
    h.step();
    expect(delta(b)).toEqual([0, 1, 0, 0]); // the timer has nothing left to fire
  });

  it("Interrupt Vector Configuration CD: that vector is not coalesced", () => {
    expect(h.setFeature(0x08, (10 << 8) | 0xff).status).toBe(0);
    expect(h.setFeature(0x09, (1 << 16) | 2).status).toBe(0); // vector 2: coalescing disabled
    const b = counts();
    flush(1); flush(1);
    flush(0); flush(0);
    expect(delta(b)).toEqual([0, 0, 2, 0]);
    h.nowNs += 1e6;
    h.step();
    expect(delta(b)).toEqual([0, 1, 2, 0]);
  });

  it("a masked vector whose aggregation time passes is owed until unmasked", () => {
    expect(h.setFeature(0x08, (10 << 8) | 0xff).status).toBe(0);
    h.w32(REG.INTMS, 1 << 1);
    const b = counts();
    flush(0);
    h.nowNs += 1e6;
    h.step();
    expect(delta(b)).toEqual([0, 0, 0, 0]);
    h.w32(REG.INTMC, 1 << 1);
    expect(delta(b)).toEqual([0, 1, 0, 0]);
  });

  it("a controller reset forgets pending aggregation and masks", () => {
    expect(h.setFeature(0x08, (10 << 8) | 0xff).status).toBe(0);
    flush(0);
    h.w32(REG.INTMS, 1 << 2);
    h.driver.recover();
    expect(h.reg32(REG.INTMS)).toBe(0);
    const b = counts();
    h.nowNs += 5e6;
    h.step();
    expect(delta(b)).toEqual([0, 0, 0, 0]);
    flush(1); // vector 2 no longer masked, coalescing back to off
    expect(delta(b)).toEqual([0, 0, 1, 0]);
  });
});

describe("vector 0", () => {
  it("is reported with CD set, and an I/O CQ sharing it with the admin CQ is not coalesced either", async () => {
    const h = await Host.create({ config: { maxVectors: 1 } }); // every CQ interrupts on vector 0
    try {
      expect(h.io(0).vector).toBe(0);
      expect(h.getFeature(0x09, { cdw11: 0 }).dw0).toBe(0x10000);
      expect(h.setFeature(0x08, (10 << 8) | 0xff).status).toBe(0);
      const v0 = h.vector(0);
      for (let i = 0; i < 3; i++) expect(h.ioCmd(sqe(OP.FLUSH, { nsid: 1 })).status).toBe(0);
      expect(h.vector(0) - v0).toBe(3);
    } finally { await h.close(); }
  });
});

describe("interrupts, threaded", () => {
  it("the driver waits on vectors; coalesced completions still arrive within the aggregation time", async () => {
    const h = await Host.create({ threaded: true, driver: { ioQueues: 2 } });
    try {
      const v1 = h.vector(1);
      for (let i = 0; i < 20; i++) expect(h.ioCmd(sqe(OP.FLUSH, { nsid: 1 }), {}, i % 2).status).toBe(0);
      expect(h.vector(1) - v1).toBe(10);
      expect(h.setFeature(0x08, (20 << 8) | 3).status).toBe(0); // 4 entries or 2 ms
      const t0 = performance.now();
      for (let i = 0; i < 6; i++) expect(h.ioCmd(sqe(OP.FLUSH, { nsid: 1 })).status).toBe(0);
      expect(performance.now() - t0).toBeLessThan(2000);
    } finally { await h.close(); }
  });
});
