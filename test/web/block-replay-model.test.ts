// The Block layer replay's model on real runs of the examples (LabSession in Node): frames in
// trace order, what is in each lane and each task's plug list after a given frame, stepping
// back equal to stepping forward, every bio done at the end, and the reasons (a merge's, a
// flush's, a copy's refusal) carried by the frames.

import { describe, it, expect, beforeAll } from "vitest";
import { readFileSync } from "node:fs";
import { LabSession, type LabRun } from "../../src/lab/session";
import { loadCoreModule } from "../../src/node/wasm";
import { Sha256 } from "../../src/util/sha256";
import { buildBlockModel } from "../../web/views/block-model";
import { buildReplay, stateAt, findFrame, PLACES, type Replay, type ReplayView } from "../../web/views/block-replay-model";

const example = (name: string) => JSON.parse(readFileSync(`examples/blk/${name}.json`, "utf8")) as unknown;
async function run(setup: unknown): Promise<LabRun> {
  return new LabSession(() => loadCoreModule(false), () => new Sha256()).run(setup);
}
const labels = (v: ReplayView, lane: string) => v.lanes.find((l) => l.id === lane)!.chips.map((c) => c.label);
const chip = (v: ReplayView, key: string) => v.lanes.flatMap((l) => l.chips.map((c) => ({ lane: l.id, ...c }))).find((c) => c.key === key);

describe("vector-merge: four copies merge in the plug, the flush hands rq 3 to the queue, the 2M copy splits", () => {
  let r: LabRun;
  let rp: Replay;
  beforeAll(async () => { r = await run(example("vector-merge")); rp = buildReplay(buildBlockModel(r), r.events); });

  it("one frame per step, in trace order, each with text; NVMe commands just after their D", () => {
    expect(rp.frames.length).toBeGreaterThan(r.events.length - 5);
    for (let i = 1; i < rp.frames.length; i++) expect(rp.frames[i].order).toBeGreaterThan(rp.frames[i - 1].order);
    expect(rp.frames.every((f) => f.text.length > 0)).toBe(true);
    const d = findFrame(rp, (f) => f.text.startsWith("rq 3: D issued"));
    expect(rp.frames[d + 1].text).toMatch(/^rq 3: NVMe command #3: Copy SDLBA 8192, 4 range\(s\), 64 blocks on SQ 1, CID \d+$/);
    expect(rp.frames[d + 1].action).toBe("cmd");
    expect(rp.frames[d + 2].text).toBe("rq 3: CQE of command #3: Successful Completion");
  });

  it("after bio 4 merges into rq 3 the plug list holds rq 3 with bios 3 and 4; the why names the plug merge", () => {
    const k = findFrame(rp, (f) => f.action === "M" && f.touches.includes("bio:4"));
    expect(k).toBeGreaterThan(0);
    const f = rp.frames[k];
    expect(f.text).toBe("rq 3: M bio 4 CW 8208+16 merged (now 32 sectors)");
    expect(f.why).toMatch(/^plug merge \(blk_attempt_plug_merge/);
    expect(f.why).toMatch(/adjacent destination: bio starts at 8208, where rq 3 ends/);
    const v = stateAt(rp, k + 1);
    expect(v.plugs).toHaveLength(1);
    expect(v.plugs[0].pid).toBe(100);
    expect(v.plugs[0].entries.map((e) => [e.rq, e.bios, e.sectors])).toEqual([[3, [3, 4], 32]]);
    expect(v.plugs[0].entries[0].text).toBe("rq 3: bios 3, 4 (CW 8192+32, 16 KiB)");
    expect(labels(v, "plug")).toEqual(["rq 3 CW 8192+32"]);
    expect(chip(v, "rq:3")!.bios).toEqual([3, 4]);
    expect(chip(v, "rq:3")!.touched).toBe(true);
    expect(v.counters.merges).toBe(1);
    // the frame before: bio 4 is queued on its own in the task lane, rq 3 holds bio 3 only
    const b = stateAt(rp, k);
    expect(labels(b, "task")).toEqual(["bio 4 CW 8208+16"]);
    expect(b.plugs[0].entries[0].bios).toEqual([3]);
    expect(rp.cursor.locate("bio:4")).toEqual({ place: "task" });
  });

  it("the flush frame empties the plug list and hands rq 3 (all four bios) to the queue; its command puts it in the NVMe SQ", () => {
    // flushes #1 and #2 were the first write's two halves, each in the plug __submit_bio opens for it
    const k = findFrame(rp, (f) => f.action === "U" && f.text.includes("hands rq 3 "));
    expect(rp.frames[k].text).toBe("U plug flush #3 (depth 1): hands rq 3 to nvme0n1");
    expect(rp.frames[k].why).toMatch(/^blk_finish_plug: the task's outermost plug ended/);
    const before = stateAt(rp, k);
    expect(before.plugs[0].entries[0].bios).toEqual([3, 4, 5, 6]);
    const v = stateAt(rp, k + 1);
    expect(v.plugs).toEqual([]);
    expect(v.lastFlush?.index).toBe(2);
    expect(v.counters.flushes).toBe(3);
    expect(labels(v, "plug")).toEqual([]);
    expect(labels(v, "rq")).toEqual(["rq 3 CW 8192+64"]);
    for (const b of [3, 4, 5, 6]) expect(rp.cursor.locate(`bio:${b}`)).toEqual({ place: "rq", in: 3 });
    const c = findFrame(rp, (f) => f.action === "cmd", k);
    const w = stateAt(rp, c + 1);
    expect(chip(w, "rq:3")!.lane).toBe("nvme");
    expect(labels(w, "nvme")).toContainEqual(expect.stringMatching(/^#3 Copy SQ1 CID\d+$/));
    expect(w.counters.commands).toBe(3);
    // its CQE moves the command to done, with its status; C moves the request and its bios
    const cq = stateAt(rp, c + 2);
    expect(chip(cq, "cmd:2")).toMatchObject({ lane: "done", status: "Successful Completion", bad: false });
    const done = stateAt(rp, c + 3);
    expect(chip(done, "rq:3")!.lane).toBe("done");
    for (const b of [3, 4, 5, 6]) expect(rp.cursor.locate(`bio:${b}`)!.place).toBe("done");
  });

  it("a split front appears in the split lane and the rest of the bio shrinks; the why is the limit", () => {
    const k = findFrame(rp, (f) => f.action === "X" && f.touches.includes("bio:8"));
    expect(rp.frames[k].why).toMatch(/^max_copy_sectors: copy_max_bytes 131072 = 256 sectors/);
    const v = stateAt(rp, k + 1);
    expect(labels(v, "split")).toEqual(["bio 7 CW 16640+3840", "bio 8 CW 16384+256"]);
    expect(v.counters.splits).toBe(2); // the 1M write's split came first
    // the next request's G flushes the plug (BLK_PLUG_FLUSH_SIZE): the flush frame says why
    const f = findFrame(rp, (x) => x.action === "U" && x.text.includes("hands rq 4 "));
    expect(rp.frames[f].why).toMatch(/BLK_PLUG_FLUSH_SIZE \(128 KiB\), so the next request \(rq 5\) flushes the plug first/);
    const at = stateAt(rp, f);
    expect(at.plugs[0].entries.map((e) => e.rq)).toEqual([4]);
    expect(labels(at, "rq")).toEqual(["rq 5 CW 16640+256"]);
  });

  it("at the end every bio is done, and the counters add up", () => {
    const v = stateAt(rp, rp.frames.length);
    const m = rp.model;
    const places = rp.cursor.bioPlaces();
    expect(places.size).toBe(m.bios.size);
    expect([...places.values()].every((p) => p === "done")).toBe(true);
    expect(v.counters).toMatchObject({ bios: m.bios.size, completed: m.bios.size, requests: m.rqs.size, flushes: m.flushes.length, commands: r.commands.length, cqes: r.commands.length, merges: 3, errors: 0 });
    for (const l of v.lanes) if (l.id !== "done") expect(l.count).toBe(0);
    const done = v.lanes.find((l) => l.id === "done")!;
    expect(done.count).toBe(m.rqs.size + r.commands.length);
    expect(done.chips).toHaveLength(12);
    expect(done.more).toBe(done.count - 12);
  });

  it("stepping back from k+1 gives the same state as stepping forward to k, for every k", () => {
    const total = rp.frames.length;
    const forward: string[] = [];
    for (let k = 0; k <= total; k++) forward.push(JSON.stringify(stateAt(rp, k, 1000)));
    for (let k = total - 1; k >= 0; k--) {
      stateAt(rp, k + 1, 1000);
      expect(JSON.stringify(stateAt(rp, k, 1000))).toBe(forward[k]);
    }
    // a jump (scrubber) lands on the same state as single steps
    stateAt(rp, total);
    expect(JSON.stringify(stateAt(rp, 26, 1000))).toBe(forward[26]);
    expect(JSON.stringify(stateAt(rp, 0, 1000))).toBe(forward[0]);
  });
});

describe("crypt-fallback: the copy through dm-crypt is refused; the ctx copy parks its SRC in a context", () => {
  let rp: Replay;
  beforeAll(async () => { const r = await run(example("crypt-fallback")); rp = buildReplay(buildBlockModel(r), r.events); });

  it("the copy's refusal reason is a frame's why", () => {
    const k = findFrame(rp, (f) => f.text === "copy #1: falls back to read+write for 64 KiB");
    expect(k).toBeGreaterThan(0);
    expect(rp.frames[k].why).toBe("ctx: dm-1 has copy_max_bytes 0 (a stacking target without copy support is in the stack)");
    expect(rp.frames[k].bad).toBe(true);
    expect(rp.frames[k - 1].text).toBe("copy #1: task (pid 100) calls copy(): 64 KiB dm-1 → dm-1, ctx design");
  });

  it("a dm clone appears in the dm lane with the table as why; its original waits there", () => {
    const k = findFrame(rp, (f) => f.action === "A" && f.touches.includes("bio:4"));
    expect(rp.frames[k].why).toBe("dm-0 (lin) table: 0 65536 linear 259:0 0");
    const v = stateAt(rp, k + 1);
    expect(labels(v, "dm")).toEqual(["bio 3 W 40960+128 dm-0", "bio 4 W 40960+128 nvme0n1"]);
  });

  it("the SRC bio parked in context 1 rides in its DST bio's request, and ends with it", () => {
    const k = findFrame(rp, (f) => f.text.startsWith("bio 8: context 1 complete"));
    const g = findFrame(rp, (f) => f.action === "G" && f.touches.includes("bio:8"), k);
    const v = stateAt(rp, g + 1);
    expect(chip(v, "rq:3")!.bios).toEqual([8, 9]);
    expect(chip(v, "rq:3")!.riders).toEqual([9]);
    expect(rp.cursor.locate("bio:9")).toEqual({ place: "rq", in: 3 });
    // the plug list names the request's own bios, as the flush's list does
    const p = findFrame(rp, (f) => f.action === "P" && f.touches.includes("rq:3"));
    expect(stateAt(rp, p + 1).plugs[0].entries[0].text).toBe("rq 3: bio 8 (CW 49152+128, 64 KiB)");
    stateAt(rp, rp.frames.length);
    expect([...rp.cursor.bioPlaces().values()].every((p) => p === "done")).toBe(true);
  });
});

describe("a long run: building is linear and a lane shows at most the cap", () => {
  it("a 16 MiB copy split 127 times: the frames build fast, a lane holds the newest chips with +N more", async () => {
    const r = await run({
      controller: { namespaces: [{ size: "256M", mssrl: 64, mcl: 256, msrc: 15 }] }, cpus: 1, design: "vector",
      steps: [{ op: "copy", src: "nvme0n1", src_pos: 0, dst: "nvme0n1", dst_pos: "64M", len: "16M" }, { op: "wait" }],
    });
    const m = buildBlockModel(r);
    const t0 = performance.now();
    const rp = buildReplay(m, r.events);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(rp.frames.length).toBeGreaterThan(1000);
    const v = stateAt(rp, rp.frames.length);
    const done = v.lanes.find((l) => l.id === "done")!;
    expect(done.count).toBe(128 * 2);
    expect(done.chips).toHaveLength(12);
    expect(done.more).toBe(244);
    // the newest arrivals are the ones shown: the last request's completion is among them
    expect(done.chips.map((c) => c.key)).toContain("rq:128");
    expect(PLACES.map((p) => p.id)).toEqual(["task", "dm", "split", "plug", "rq", "nvme", "done"]);
    // a jump back to the middle and forward again costs only the frames crossed, and agrees
    const mid = Math.floor(rp.frames.length / 2);
    const a = JSON.stringify(stateAt(rp, mid));
    stateAt(rp, 0);
    expect(JSON.stringify(stateAt(rp, mid))).toBe(a);
  });
});
