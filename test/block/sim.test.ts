// The discrete-event clock (src/block/sim.ts): events run in (time, order scheduled) order,
// whether they wait in the heap (later) or the FIFO (due now), held against a plain list
// sorted on every step; the clock never goes back; the CPU model's busy time.

import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Sim } from "../../src/block/sim";

/** An event of the reference model: run at at_ns, scheduled as the seq-th. */
interface RefEvent { at_ns: number; seq: number; id: number }

/**
 * A script: each event, when it runs, schedules children at offsets from now (0 = due now,
 * negative = in the past, which the clock makes now). Children are numbered in order.
 */
type Script = number[][];

function runSim(script: Script, roots: number[]): Array<[number, number, number]> {
  const sim = new Sim(1);
  const ctx = sim.idle(0);
  const seen: Array<[number, number, number]> = [];
  let next = 0;
  const fire = (id: number): void => {
    seen.push([id, sim.now_ns, sim.pending]);
    for (const off of script[id % script.length]) {
      if (next >= 400) return;
      sim.at(sim.now_ns + off, ctx, fire, next++);
    }
  };
  for (const at of roots) sim.at(at, ctx, fire, next++);
  sim.drain();
  return seen;
}

function runReference(script: Script, roots: number[]): Array<[number, number, number]> {
  const queue: RefEvent[] = [];
  const seen: Array<[number, number, number]> = [];
  let seq = 0;
  let next = 0;
  let now = 0;
  const add = (at: number) => queue.push({ at_ns: Math.max(at, now), seq: seq++, id: next++ });
  for (const at of roots) add(at);
  while (queue.length > 0) {
    queue.sort((a, b) => a.at_ns - b.at_ns || a.seq - b.seq);
    const e = queue.shift()!;
    now = Math.max(now, e.at_ns);
    seen.push([e.id, now, queue.length]);
    for (const off of script[e.id % script.length]) {
      if (next >= 400) break;
      add(now + off);
    }
  }
  return seen;
}

describe("Sim", () => {
  it("runs events in time order, and in the order scheduled at equal times (heap and FIFO alike), counting what is pending", () => {
    const offset = fc.oneof(fc.constant(0), fc.constant(-5), fc.integer({ min: 1, max: 50 }));
    fc.assert(
      fc.property(
        fc.array(fc.array(offset, { maxLength: 3 }), { minLength: 1, maxLength: 12 }),
        fc.array(fc.integer({ min: 0, max: 100 }), { minLength: 1, maxLength: 6 }),
        (script, roots) => {
          expect(runSim(script, roots)).toEqual(runReference(script, roots));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("an event due now runs after a heap event due at the same time that was scheduled first", () => {
    const sim = new Sim(1);
    const ctx = sim.idle(0);
    const order: string[] = [];
    sim.at(10, ctx, () => {
      order.push("a@10");
      sim.at(10, ctx, () => order.push("c@10 (due now)"));
    });
    sim.at(10, ctx, () => order.push("b@10 (heap)"));
    sim.at(20, ctx, () => order.push("d@20"));
    sim.drain();
    expect(order).toEqual(["a@10", "b@10 (heap)", "c@10 (due now)", "d@20"]);
    expect(sim.now_ns).toBe(20);
  });

  it("keeps more than its first ring of events due now, in order", () => {
    const sim = new Sim(1);
    const ctx = sim.idle(0);
    const order: number[] = [];
    for (let i = 0; i < 200; i++) sim.at(0, ctx, (k: number) => order.push(k), i);
    expect(sim.pending).toBe(200);
    sim.drain();
    expect(order).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(sim.pending).toBe(0);
  });

  it("useCpu queues work behind what the CPU is busy with and counts its busy time", () => {
    const sim = new Sim(2);
    expect(sim.useCpu(0, 0)).toBe(0);
    expect(sim.useCpu(0, 100)).toBe(100);
    expect(sim.useCpu(0, 50)).toBe(150);
    expect(sim.useCpu(1, 30)).toBe(30);
    expect(sim.cpuBusy_ns).toEqual([150, 30]);
  });

  it("runUntil names what never happened when no event is left", () => {
    const sim = new Sim(1);
    expect(() => sim.runUntil(() => false, "the disk to answer")).toThrow("stuck: the disk to answer can never happen (no events left)");
  });

  it("drainUntil runs every event, as runUntil and drain do, and asks done once at the end", () => {
    const sim = new Sim(1);
    const ctx = sim.idle(0);
    let done = false;
    let asked = 0;
    const order: number[] = [];
    sim.at(10, ctx, () => { order.push(10); done = true; });
    sim.at(20, ctx, () => order.push(20));
    sim.drainUntil(() => { asked++; return done; }, "the disk to answer");
    expect(order).toEqual([10, 20]);
    expect(asked).toBe(1);
    expect(sim.now_ns).toBe(20);
    expect(() => sim.drainUntil(() => false, "the disk to answer")).toThrow("stuck: the disk to answer can never happen (no events left)");
  });
});
