// The block layer's entry points (src/block/blk.ts): submit_bio's count of a task's bios, and submit_bio_noacct's current->bio_list
// loop. Bios a stacking driver submits while it runs are held and sent after it returns, in
// __submit_bio_noacct's order: those for lower devices first, then those for the same device,
// then what was already waiting. Fake devices record the order in which they are entered.

import { describe, it, expect } from "vitest";
import { BlockLayer } from "../../src/block/blk";
import { Bio, Op, REQ_NOMERGE, bioChain, bioEndio } from "../../src/block/bio";
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

describe("bio_submit_split (6.18: the rest to the head of current->bio_list)", () => {
  /**
   * b2f5974079d8's raid456 case with fake devices: an md-like bio-based driver splits a 2 MiB
   * read by max_sectors (1 MiB), splits the front again by its chunk (512 KiB) and maps what
   * is left to its member disk. Each rest goes to the head of the list, so the member sees the
   * chunks in order; at the tail (before 6.18) the second rest would wait behind the first and
   * the disk would see 0, 1M, 1.5M, 512k.
   */
  it("a bio split twice in one submission is issued in order", () => {
    const blk = new BlockLayer(1);
    blk.tracer.on = true;
    const log: string[] = [];
    const disk = fakeDevice("disk", 1, log);
    const md: BlockDevice = fakeDevice("md", 0, log, (bio) => {
      if (bio.sectors > 2048) bio = blk.submitSplit(bio, 2048);
      const room = 1024 - (bio.sector % 1024);
      if (bio.sectors > room) bio = blk.submitSplit(bio, room);
      blk.submitBioNoacct(new Bio(disk, bio.op, bio.sector, bio.size));
    });
    blk.submitBioNoacct(new Bio(md, Op.READ, 0, 2 << 20));
    expect(log.filter((l) => l.startsWith("disk"))).toEqual(["disk:0", "disk:1024", "disk:2048", "disk:3072"]);
    expect(log).toEqual(["md:0", "disk:0", "md:1024", "disk:1024", "md:2048", "disk:2048", "md:3072", "disk:3072"]);
    // each split traced X on md (front / rest) when it was made, the original queued once
    const ev = blk.tracer.events.map((e) => `${e.action} ${e.major},${e.minor} ${e.sector}+${e.sectors}${e.splitAt !== undefined ? ` / ${e.splitAt}` : ""}`);
    expect(ev.filter((e) => e.startsWith("X") || e.startsWith("Q 253,0"))).toEqual([
      "Q 253,0 0+4096", "X 253,0 0+2048 / 2048", "X 253,0 0+1024 / 1024", "X 253,0 2048+1024 / 3072",
    ]);
  });

  it("the front is marked REQ_NOMERGE and chained: the original ends after both parts", () => {
    const blk = new BlockLayer(1);
    let front: Bio | null = null;
    const md: BlockDevice = fakeDevice("md", 0, [], (b) => { if (b.sectors > 8) front = blk.submitSplit(b, 8); });
    const bio = new Bio(md, Op.WRITE, 0, 8192);
    let ended = false;
    bio.endio = () => { ended = true; };
    blk.submitBioNoacct(bio);
    expect(front!.flags & REQ_NOMERGE).toBe(REQ_NOMERGE);
    expect([front!.sector, front!.sectors, bio.sector, bio.sectors]).toEqual([0, 8, 8, 8]);
    bioEndio(bio); // the rest's own completion: the front still holds the original
    expect(ended).toBe(false);
    bioEndio(front!);
    expect(ended).toBe(true);
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
