// The Block layer view's model on real runs of the examples (LabSession in Node): bios' life
// stories, merges and splits with the limit or design rule that caused them, plug lists at
// each flush, the NVMe commands requests became, and the copies' fallbacks with their reasons.

import { describe, it, expect, beforeAll } from "vitest";
import { readFileSync } from "node:fs";
import { LabSession, type LabRun } from "../../src/lab/session";
import { loadCoreModule } from "../../src/node/wasm";
import { Sha256 } from "../../src/util/sha256";
import {
  buildBlockModel, story, bioTree, treeRequests, treeCommands, outcome, splitReason, refusalReason, deviceNamer,
  filterGroups, paginate, pageOf, plugEntryText, rootLanes, type BlockModel,
} from "../../web/views/block-model";

const example = (name: string) => JSON.parse(readFileSync(`examples/blk/${name}.json`, "utf8")) as unknown;
async function run(name: string): Promise<LabRun> {
  return new LabSession(() => loadCoreModule(false), () => new Sha256()).run(example(name));
}

describe("outcome of a bio the trace leaves open", () => {
  it("a bio queued and never completed is neither OK nor failed: open", () => {
    const q = { seq: 1, time_ns: 0, cpu: 0, pid: 100, comm: "a", major: 259, minor: 0, action: "Q" as const, rwbs: "W", sector: 0, sectors: 8, bio: 1 };
    const m = buildBlockModel({ design: "ctx", ops: [], events: [q], commands: [], disks: [{ name: "nvme0n1", major: 259, minor: 0, limits: {} }], dm: [] });
    expect(outcome(m, 1)).toEqual({ text: "no completion in the trace", bad: false, open: true });
  });
});

describe("vector-merge: four adjacent copies merge in the plug; the 2M copy splits by max_copy_sectors", () => {
  let r: LabRun;
  let m: BlockModel;
  beforeAll(async () => { r = await run("vector-merge"); m = buildBlockModel(r); });

  it("the four 8k copies are four bios merged (M) into one request, one Copy with four ranges", () => {
    const copies = m.copies.filter((c) => c.bytes === 8192);
    expect(copies.map((c) => c.id)).toEqual([1, 2, 3, 4]);
    const roots = copies.flatMap((c) => c.bios);
    expect(roots).toHaveLength(4);
    const rqIds = new Set(roots.map((id) => treeRequests(m, id).map((q) => q.id).join(",")));
    expect(rqIds.size).toBe(1);
    const rq = m.rqs.get(Number([...rqIds][0]))!;
    expect(rq.bios).toEqual(roots);
    expect(rq.sectors).toBe(64);
    const merged = roots.slice(1).map((id) => m.bios.get(id)!.merged);
    expect(merged.map((x) => x?.kind)).toEqual(["M", "M", "M"]);
    for (const id of roots.slice(1)) {
      const s = story(m, id).find((x) => x.action === "M" && x.bio === id)!;
      expect(s.text).toBe(`M back merge into rq ${rq.id}`);
      expect(s.reason).toMatch(/plug merge/);
      expect(s.reason).toMatch(/adjacent destination/);
      expect(s.reason).toMatch(/vector design merges copies to adjacent destinations/);
    }
    const cmds = treeCommands(m, roots[0]);
    expect(cmds).toHaveLength(1);
    expect(cmds[0].record.name).toBe("Copy");
    expect(cmds[0].record.nr).toBe(4);
    expect(cmds[0].record.ranges).toEqual([{ slba: 0, nlb: 16 }, { slba: 200, nlb: 16 }, { slba: 400, nlb: 16 }, { slba: 600, nlb: 16 }]);
    expect(cmds[0].fields).toContainEqual(["NR", "3 (4 ranges, 0's based)"]);
    expect(cmds[0].fields).toContainEqual(["SDLBA", "8192"]);
    expect(cmds[0].statusName).toBe("Successful Completion");
    // the plug list at its flush: one request holding the four bios, flushed by blk_finish_plug
    const f = m.flushes[rq.flush!];
    expect(f.kind).toBe("U");
    expect(f.depth).toBe(1);
    expect(f.list.map(plugEntryText)).toEqual([`rq ${rq.id}: bios ${roots.join(", ")} (CW 8192+64, 32 KiB)`]);
    expect(f.why).toMatch(/blk_finish_plug/);
  });

  it("the 2M copy is split 15 times at 256 sectors, each by max_copy_sectors, into 16 Copy commands", () => {
    const big = m.copies.find((c) => c.bytes === 2 << 20)!;
    expect(big.bios).toHaveLength(1);
    const root = big.bios[0];
    const splits = story(m, root).filter((s) => s.action === "X");
    expect(splits).toHaveLength(15);
    for (const s of splits) expect(s.reason).toMatch(/^max_copy_sectors: copy_max_bytes 131072 = 256 sectors \(vector design/);
    const rqs = treeRequests(m, root);
    expect(rqs).toHaveLength(16);
    expect(rqs.every((q) => q.sectors === 256)).toBe(true);
    const cmds = treeCommands(m, root);
    expect(cmds).toHaveLength(16);
    expect(cmds.every((c) => c.record.name === "Copy" && c.record.blocks === 256 && c.ok)).toBe(true);
    // each Copy carries four ranges cut at MSSRL 64
    expect(cmds[0].notes.join()).toMatch(/MSSRL 64/);
    // plugged 128 KiB requests: every next request flushes the plug first (BLK_PLUG_FLUSH_SIZE)
    const flushes = [...new Set(rqs.map((q) => q.flush))].map((i) => m.flushes[i!]);
    expect(flushes).toHaveLength(16);
    expect(flushes.filter((f) => /BLK_PLUG_FLUSH_SIZE/.test(f.why))).toHaveLength(15);
    expect(flushes[15].why).toMatch(/blk_finish_plug/);
    expect(outcome(m, root)).toEqual({ text: "completed OK", bad: false });
  });

  it("the first write is split by max_sectors_kb and issued without a plug", () => {
    const root = m.roots[0];
    const x = story(m, root).find((s) => s.action === "X")!;
    expect(x.reason).toBe("max_sectors_kb 512 = 1024 sectors");
    expect(m.groups[0].kind).toBe("direct");
    expect(treeCommands(m, root).map((c) => c.record.name)).toEqual(["Write", "Write"]);
  });
});

describe("crypt-fallback: dm-crypt takes no copies, so the copy falls back to read+write", () => {
  let m: BlockModel;
  beforeAll(async () => { m = buildBlockModel(await run("crypt-fallback")); });

  it("the copy through dm-crypt sends no copy bio and says why it fell back", () => {
    const c = m.copies.find((x) => x.src === "dm-1")!;
    expect(c.design).toBe("ctx");
    expect(c.bios).toEqual([]);
    expect(c.fallback?.why).toBe("ctx: dm-1 has copy_max_bytes 0 (a stacking target without copy support is in the stack)");
    expect(c.emulation).toEqual({ bytes: 65536, buffers: 1, size: 65536, comm: "kworker/0:2" });
    expect(c.offloaded).toBe(0);
    expect(c.emulated).toBe(65536);
    // the emulation is a read then a write, each through dm-crypt and dm-linear to the namespace
    const kinds = c.emuBios.map((id) => m.bios.get(id)!.rwbs);
    expect(kinds).toEqual(["RS", "WS"]);
    const cmds = c.emuBios.flatMap((id) => treeCommands(m, id).map((x) => x.record.name));
    expect(cmds).toEqual(["Read", "Write"]);
    expect(m.deviceNotes.some((n) => n.dev === "dm-1" && /does not set BLK_FEAT_STACKING_COPY_OFFL/.test(n.text))).toBe(true);
  });

  it("the same copy on dm-linear is offloaded: remapped, parked in its context, one Copy", () => {
    const c = m.copies.find((x) => x.src === "dm-0")!;
    expect(c.fallback).toBeUndefined();
    expect(c.offloaded).toBe(65536);
    expect(c.ctxs).toEqual([1]);
    const [dst, src] = c.bios.map((id) => m.bios.get(id)!);
    expect([dst.rwbs, src.rwbs]).toEqual(["CW", "CR"]);
    const sDst = story(m, dst.id);
    expect(sDst.find((s) => s.action === "A")!.text).toBe(`A remapped dm-0 49152 -> nvme0n1 49152+128 (clone of bio ${dst.id})`);
    expect(sDst.some((s) => /parked in copy context 1 as its DST/.test(s.text))).toBe(true);
    const sSrc = story(m, src.id);
    expect(sSrc.some((s) => /rides in DST bio \d+'s request/.test(s.text))).toBe(true);
    const cmds = treeCommands(m, src.id);
    expect(cmds).toHaveLength(1);
    expect(cmds[0].record).toMatchObject({ name: "Copy", slba: 49152, nr: 1, ranges: [{ slba: 40960, nlb: 128 }], status: 0 });
    expect(treeCommands(m, dst.id)).toEqual(cmds);
  });

  it("dm clones are linked to the bio they came from, through both dm devices", () => {
    const write = m.bios.get(m.roots[0])!;
    expect(write.dev).toBe("dm-1");
    const chain = story(m, write.id).filter((s) => s.action === "A").map((s) => s.text.replace(/ \(clone.*/, ""));
    expect(chain).toEqual(["A remapped dm-1 0 -> dm-0 0+128", "A remapped dm-0 0 -> nvme0n1 0+128"]);
  });
});

describe("pair-nomerges: the v20 pairing, then nomerges=2", () => {
  let m: BlockModel;
  beforeAll(async () => { m = buildBlockModel(await run("pair-nomerges")); });

  it("pairs the first copy's COPY_SRC with its COPY_DST request (the design's special merge)", () => {
    const c = m.copies[0];
    const [dst, src] = c.bios;
    const s = story(m, src).find((x) => x.action === "M" && x.bio === src)!;
    expect(s.reason).toMatch(/pair design \(v20\): the COPY_SRC bio joins its COPY_DST request/);
    expect(treeCommands(m, dst).map((x) => x.record.nr)).toEqual([1]);
  });

  it("after nomerges=2 the halves go alone, are not sent, fail, and the copy falls back", () => {
    const c = m.copies[1];
    const [dst, src] = c.bios;
    const g = story(m, src).find((x) => x.action === "G")!;
    expect(g.reason).toBe("nomerges = 2 on nvme0n1 (set by steps[4]): the queue tries no merges");
    expect(outcome(m, dst)).toEqual({ text: "rq 3 not sent: a lone COPY_DST request (its other half never merged) (BLK_STS_IOERR)", bad: true });
    expect(outcome(m, src).text).toBe("rq 4 not sent: a lone COPY_SRC request (its other half never merged) (BLK_STS_IOERR)");
    expect(treeCommands(m, dst)).toEqual([]);
    // both halves sat in one plug list and went out in one flush
    const f = m.flushes[m.rqs.get(3)!.flush!];
    expect(f.depth).toBe(2);
    expect(f.list.map((p) => p.rq)).toEqual([3, 4]);
    expect(c.fallback?.why).toMatch(/^pair: 1 of 1 chunk\(s\) failed/);
    expect(c.emuBios.map((id) => m.bios.get(id)!.rwbs)).toEqual(["RS", "WS"]);
  });
});

describe("reasons from limits", () => {
  const l = { max_sectors_kb: 128, max_segments: 128, max_segment_size: 65536, virt_boundary_mask: 4095, chunk_sectors: 0, copy_max_bytes: 65536, copy_max_src_segments: 8, discard_max_bytes: 1 << 20, discard_granularity: 4096, write_zeroes_max_bytes: 524288 };
  it("names the limit the split size equals", () => {
    expect(splitReason("W", 256, 256, l, "ctx")).toBe("max_sectors_kb 128 = 256 sectors");
    expect(splitReason("R", 64, 64, l, "ctx")).toMatch(/^segment limits: max_segments 128/);
    expect(splitReason("W", 24, 1024, { ...l, chunk_sectors: 512 }, "ctx")).toBe("chunk_sectors 512: the bio crossed a chunk boundary at sector 1024");
    expect(splitReason("CW", 128, 128, l, "vector")).toMatch(/^max_copy_sectors: copy_max_bytes 65536 = 128 sectors \(vector design/);
    expect(splitReason("CW", 40, 40, l, "vector")).toMatch(/^copy_max_src_segments 8/);
    expect(splitReason("D", 2048, 2048, l, "ctx")).toBe("max_discard_sectors: discard_max_bytes 1048576 = 2048 sectors");
    expect(splitReason("W", 8, 8, undefined, "ctx")).toMatch(/not in the run/);
  });
  it("explains merge refusals with the limit's value", () => {
    expect(refusalReason("max_segments", l)).toBe("the merged request would need more than max_segments 128 segments");
    expect(refusalReason("copy_segments", l)).toBe("the copy would carry more than copy_max_src_segments 8 source ranges");
    expect(refusalReason("virt_boundary", l)).toMatch(/0xfff/);
  });
  it("names devices by major:minor", () => {
    const n = deviceNamer([{ name: "nvme0n2" }, { name: "nvme0n1" }, { name: "dm-0" }]);
    expect([n(259, 0), n(259, 1), n(253, 3), n(8, 0)]).toEqual(["nvme0n1", "nvme0n2", "dm-3", "8,0"]);
    // a run's disks carry their numbers: those win over the naming rules
    const given = deviceNamer([{ name: "nvme0n1", major: 259, minor: 5 }, { name: "dm-0", major: 253, minor: 0 }]);
    expect([given(259, 5), given(253, 0), given(259, 0)]).toEqual(["nvme0n1", "dm-0", "259,0"]);
  });
});

describe("paging the flow", () => {
  it("splits groups across pages and finds a bio's page; filters by task", async () => {
    const m = buildBlockModel(await run("crypt-fallback"));
    const pages = paginate(m.groups, 3);
    expect(pages.flat().flatMap((g) => g.roots)).toEqual(m.roots);
    expect(pages.every((p) => p.reduce((a, g) => a + g.roots.length, 0) <= 3)).toBe(true);
    expect(pageOf(pages, m.roots[m.roots.length - 1])).toBe(pages.length - 1);
    const kworker = m.tasks.find((t) => t.comm.startsWith("kworker"))!;
    const only = filterGroups(m, kworker.pid).flatMap((g) => g.roots);
    expect(only.length).toBe(kworker.roots);
    expect(only.every((id) => m.bios.get(id)!.pid === kworker.pid)).toBe(true);
  });
});

describe("ctx-gc: the driver packs 16 requests into two Copy commands (MSRC 7)", () => {
  it("says which requests each Copy serves, after the driver's packing message", async () => {
    const m = buildBlockModel(await run("ctx-gc"));
    const copies = m.commands.filter((c) => c.record.name === "Copy");
    expect(copies.map((c) => c.record.nr)).toEqual([8, 8]);
    const [a, b] = copies;
    expect(a.rqs).toHaveLength(8);
    expect(b.rqs).toHaveLength(8);
    expect(a.rqs.some((id) => b.rqs.includes(id))).toBe(false);
    const r = m.rqs.get(b.rqs[3])!;
    expect(r.packed).toMatchObject({ commands: 2, msrc: 7 });
    expect(r.commands).toEqual([b.index]);
    // the story: D, then the packing decision, then the command it joined
    const root = [...m.bios.values()].find((x) => x.rq === r.id)!.root;
    const s = story(m, root).filter((x) => x.lane === "nvme").map((x) => x.action);
    expect(s.slice(0, 2)).toEqual(["m", "cmd"]);
    expect(story(m, root).find((x) => x.action === "m" && x.lane === "nvme")!.reason).toMatch(/MSRC \+ 1 = 8 ranges/);
  });

  it("a SRC bio riding in its DST's request completes with that request: the outcome says so, as its story does", async () => {
    const m = buildBlockModel(await run("ctx-gc"));
    // bio 3 (CR 0+8) is copy context 1's SRC: it has no C of its own; rq 2 (its DST's) completed
    const b = m.bios.get(3)!;
    expect([b.rwbs, b.done]).toEqual(["CR", undefined]);
    expect(story(m, 3).filter((x) => x.action === "C").map((x) => x.rq)).toEqual([2]);
    expect(outcome(m, 3)).toEqual({ text: "completed OK with rq 2", bad: false });
    // every root whose story ends in C says completed, never "no completion"
    for (const id of m.bios.keys()) {
      if (m.bios.get(id)!.root !== id) continue;
      if (story(m, id).some((x) => x.action === "C")) expect(outcome(m, id).text, `bio ${id}`).toMatch(/^completed OK/);
    }
  });
});

describe("every example", () => {
  const names = ["vector-merge", "crypt-fallback", "pair-nomerges", "ctx-gc", "pair-interleaved", "ctx-interleaved", "snapshot-cow", "kcopyd-percpu", "clone-hydration"];
  it.each(names)("%s: plug lists match the unplug depths, requests reach commands, roots cover every bio", async (name) => {
    const m = buildBlockModel(await run(name));
    for (const f of m.flushes) expect(f.list.length, `flush #${f.index + 1}`).toBe(f.depth);
    for (const r of m.rqs.values()) {
      if (r.plugged) expect(r.flush, `rq ${r.id} plugged but never flushed`).toBeDefined();
      expect(r.commands.length > 0 || r.notSent !== undefined, `rq ${r.id} became no command`).toBe(true);
    }
    for (const c of m.commands) for (const id of c.rqs) expect(m.rqs.has(id)).toBe(true);
    const covered = new Set(m.roots.flatMap((id) => bioTree(m, id).map((b) => b.id)));
    expect(covered.size).toBe(m.bios.size);
    expect(m.groups.flatMap((g) => g.roots)).toEqual(m.roots);
  });
});

describe("the flow row", () => {
  it("puts each decision in its layer's lane, with its reason", async () => {
    const m = buildBlockModel(await run("vector-merge"));
    const merged = rootLanes(m, 4);
    expect(merged.plug[0]).toEqual({ text: "M bio 4 into rq 3", why: "back merge: adjacent destination, vector design" });
    expect(merged.nvme[0].text).toBe("Copy SDLBA 8192 · 4 ranges");
    expect(merged.split).toEqual([]);
    const big = rootLanes(m, 7);
    expect(big.split[0].text).toBe("X ×15 at 256 sectors");
    expect(big.split[0].why).toBe("max_copy_sectors: copy_max_bytes 131072 = 256 sectors");
    expect(big.rq[0].text).toBe("16 requests: rq 4–19");
    const crypt = buildBlockModel(await run("crypt-fallback"));
    expect(rootLanes(crypt, crypt.roots[0]).dm.map((c) => c.text)).toEqual(["dm-1 → dm-0 0", "dm-0 → nvme0n1 0"]);
  });
});

describe("a plug flushed because the task slept (UT), with mq-deadline", () => {
  const setup = {
    controller: { namespaces: [{ size: "64M" }] }, cpus: 1, scheduler: { nvme0n1: "mq-deadline" },
    steps: [
      { op: "plug" },
      { op: "write", dev: "nvme0n1", pos: 0, len: "4k", pattern: 1 },
      { op: "write", dev: "nvme0n1", pos: "4k", len: "4k", pattern: 2 },
      { op: "write", dev: "nvme0n1", pos: "1M", len: "4k", pattern: 3 },
      { op: "write", dev: "nvme0n1", pos: "1020k", len: "4k", pattern: 4 },
      { op: "wait" },
      { op: "write", dev: "nvme0n1", pos: "2M", len: "1M", pattern: 5 },
      { op: "unplug" },
      { op: "wait" },
    ],
  };
  let m: BlockModel;
  beforeAll(async () => { m = buildBlockModel(await new LabSession(() => loadCoreModule(false), () => new Sha256()).run(setup)); });

  it("back and front merges in the plug, a UT flush of both requests, inserted and issued by kblockd", () => {
    const [a, b, c, d] = m.roots;
    expect(m.bios.get(b)!.merged).toMatchObject({ kind: "M", rq: 1, short: "back merge: adjacent sectors" });
    expect(m.bios.get(d)!.merged).toMatchObject({ kind: "F", rq: 2, short: "front merge: adjacent sectors" });
    expect(story(m, c).find((s) => s.action === "G")!.reason).toBe("not adjacent to the newest plugged request rq 1 (0+16): blk_attempt_plug_merge tries only that one");
    const f = m.flushes[0];
    expect(f.kind).toBe("UT");
    expect(f.list.map(plugEntryText)).toEqual(["rq 1: bios 1, 2 (W 0+16, 8 KiB)", "rq 2: bios 4, 3 (W 2040+16, 8 KiB)"]);
    expect(f.why).toMatch(/^the task went to sleep/);
    const steps = story(m, a);
    expect(steps.find((s) => s.action === "I")!.reason).toMatch(/a UT flush inserts the requests/);
    expect(steps.find((s) => s.action === "D")!.text).toMatch(/by kworker\/0:1H$/);
  });

  it("the 1M write: split at max_sectors, and the 512 KiB front's request flushes the plug before the rest is added", () => {
    const root = m.roots[4];
    const s = story(m, root);
    expect(s.find((x) => x.action === "X")!.reason).toBe("max_sectors_kb 512 = 1024 sectors");
    const g = s.filter((x) => x.action === "G");
    expect(g[1].reason).toMatch(/holds a split front, marked REQ_NOMERGE/);
    const rqs = treeRequests(m, root);
    expect(m.flushes[rqs[0].flush!].why).toMatch(/BLK_PLUG_FLUSH_SIZE/);
    expect(m.flushes[rqs[1].flush!].why).toMatch(/^blk_finish_plug/);
    // each command comes after its request's D, each CQE after its command
    const order = s.filter((x) => x.lane === "nvme").map((x) => x.text.replace(/:.*/, ""));
    expect(order).toEqual(["NVMe command #3", "NVMe command #4", "CQE of command #3", "CQE of command #4"]);
  });
});
