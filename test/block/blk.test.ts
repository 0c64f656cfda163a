// The block layer's entry points (src/block/blk.ts): submit_bio's count of a task's bios, and submit_bio_noacct's current->bio_list
// loop. Bios a stacking driver submits while it runs are held and sent after it returns, in
// __submit_bio_noacct's order: those for lower devices first, then those for the same device,
// then what was already waiting. Fake devices record the order in which they are entered.

import { describe, it, expect } from "vitest";
import { BlockLayer } from "../../src/block/blk";
import { Bio, Op, bioChain, bioEndio } from "../../src/block/bio";
import { BlockDevice, newDiskStats } from "../../src/block/disk";
import { defaultLimits } from "../../src/block/limits";

/** A bio-based device that logs each bio it takes and then runs onSubmit (which may submit more). */
function fakeDevice(name: string, minor: number, log: string[], onSubmit: (bio: Bio) => void = () => {}): BlockDevice {
  return {
    name, major: 253, minor, limits: defaultLimits(), flags: { nomerges: 0 }, capacity: 1 << 20, stats: newDiskStats(),
    stacking: true, driver: "dm",
    submit(bio: Bio) {
      log.push(`${name}:${bio.sector}`);
      onSubmit(bio);
    },
  };
}

describe("submit_bio_noacct", () => {
  it("sends what a driver submitted after it returns: lower devices first, then its own, then what waited", () => {
    const blk = new BlockLayer(1);
    const log: string[] = [];
    const bottom = fakeDevice("bottom", 2, log);
    const lower = fakeDevice("lower", 1, log, (bio) => {
      // entered while its caller's bios wait: goes before them, and recursion stays flat
      blk.submitBioNoacct(new Bio(bottom, Op.WRITE, bio.sector, 4096));
      expect(log[log.length - 1]).toBe(`lower:${bio.sector}`); // not entered yet: held
    });
    const top: BlockDevice = fakeDevice("top", 0, log, (bio) => {
      if (bio.sector !== 0) return;
      // submitted in this order: its own remainder first, then two for the lower device
      blk.submitBioNoacct(new Bio(top, Op.WRITE, 800, 4096));
      blk.submitBioNoacct(new Bio(lower, Op.WRITE, 8, 4096));
      blk.submitBioNoacct(new Bio(lower, Op.WRITE, 16, 4096));
      expect(log).toEqual(["top:0"]); // nothing entered while top runs
    });
    blk.submitBioNoacct(new Bio(top, Op.WRITE, 0, 4096));
    expect(log).toEqual(["top:0", "lower:8", "bottom:8", "lower:16", "bottom:16", "top:800"]);
  });

  it("keeps working after a driver throws: the next submission starts from an empty list", () => {
    const blk = new BlockLayer(1);
    const log: string[] = [];
    const lower = fakeDevice("lower", 1, log);
    let fail = true;
    const top: BlockDevice = fakeDevice("top", 0, log, () => {
      blk.submitBioNoacct(new Bio(lower, Op.WRITE, 8, 4096));
      if (fail) throw new Error("driver bug");
    });
    expect(() => blk.submitBioNoacct(new Bio(top, Op.WRITE, 0, 4096))).toThrow("driver bug");
    fail = false;
    log.length = 0;
    blk.submitBioNoacct(new Bio(top, Op.WRITE, 0, 4096));
    expect(log).toEqual(["top:0", "lower:8"]);
  });
});

describe("submit_bio", () => {
  it("counts a bio as its task's until bio_endio, and the caller's end_io runs before the count drops", () => {
    const blk = new BlockLayer(1);
    const held: Bio[] = [];
    const dev = fakeDevice("dev", 0, [], (bio) => held.push(bio));
    const task = blk.sim.addTask(100, "fio", 0);
    const seen: number[] = [];
    const bio = new Bio(dev, Op.READ, 0, 4096);
    bio.endio = () => seen.push(task.outstanding);
    blk.sim.as(task, () => blk.submitBio(bio));
    expect(task.outstanding).toBe(1);
    expect(bio.task).toBe(100);
    bioEndio(held[0]);
    expect(seen).toEqual([1]);
    expect(task.outstanding).toBe(0);
  });

  it("a bio submitted again before it ended counts twice and is released twice", () => {
    const blk = new BlockLayer(1);
    const held: Bio[] = [];
    const dev = fakeDevice("dev", 0, [], (bio) => held.push(bio));
    const task = blk.sim.addTask(100, "fio", 0);
    const bio = new Bio(dev, Op.READ, 0, 4096);
    blk.sim.as(task, () => { blk.submitBio(bio); blk.submitBio(bio); });
    expect(task.outstanding).toBe(2);
    bioEndio(bio);
    expect(task.outstanding).toBe(0);
  });

  it("a chained child's submitter is released before its parent ends", () => {
    const blk = new BlockLayer(1);
    const dev = fakeDevice("dev", 0, []);
    const task = blk.sim.addTask(100, "fio", 0);
    const parent = new Bio(dev, Op.READ, 0, 8192);
    const child = new Bio(dev, Op.READ, 0, 4096);
    bioChain(child, parent);
    const order: string[] = [];
    parent.endio = () => order.push(`parent ends, ${task.outstanding} outstanding`);
    blk.sim.as(task, () => { blk.submitBio(parent); blk.submitBio(child); });
    bioEndio(parent); // one of parent's two references
    bioEndio(child);
    expect(order).toEqual(["parent ends, 1 outstanding"]);
    expect(task.outstanding).toBe(0);
  });
});
