// Tests of the Charts view's model (web/views/charts-model.ts) against real runs of the
// repository's examples (examples/blk/*.json through LabSession, as the page runs them):
// binned series sum to the run's totals, the totals equal sums over the command records,
// queue depth matches a brute-force count and returns to 0, and Copy bytes inside the device
// are the copied blocks; plus the byte rules per opcode, the time axis and the run history.

import { describe, it, expect, beforeAll } from "vitest";
import { readFileSync, readdirSync } from "node:fs";
import { LabSession, type LabRun } from "../../src/lab/session";
import { loadCoreModule } from "../../src/node/wasm";
import { Sha256 } from "../../src/util/sha256";
import type { NvmeCommandRecord } from "../../src/block/trace";
import {
  binRun, runTotals, timeAxis, depthSteps, binDepth, commandBytes, hostBytes, niceAtLeast, opcodeClass,
  keepRun, baselineOf, tcpBars, fmtBytes, fmtSI, timeUnit, binStarts, simpleLinkMBs, simpleLinkNote, tcpComparison, type KeptRun,
} from "../../web/views/charts-model";

const EXAMPLES = readdirSync("examples/blk").filter((f) => f.endsWith(".json")).sort();
const runs = new Map<string, LabRun>();

beforeAll(async () => {
  const lab = new LabSession(() => loadCoreModule(false), () => new Sha256());
  for (const f of EXAMPLES) runs.set(f, await lab.run(JSON.parse(readFileSync(`examples/blk/${f}`, "utf8")), f));
}, 120_000);

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

function rec(p: Partial<NvmeCommandRecord>): NvmeCommandRecord {
  return { seq: 1, time_ns: 0, done_ns: 10, disk: "nvme0n1", rq: 1, qid: 1, cid: 0, opcode: 2, name: "Read", nsid: 1, status: 0, ...p };
}

describe("a real run: vector-merge (four merged copies, then a 2 MiB copy split by MCL)", () => {
  it("counts 17 Copy commands moving 4 x 8 KiB + 2 MiB inside the device, and only their Source Range entries over the link", () => {
    const r = runs.get("vector-merge.json")!;
    const t = runTotals(r);
    expect(t.byClass.get("Copy")).toBe(17);
    expect(t.byClass.get("Write")).toBe(2);
    expect(t.commands).toBe(19);
    expect(t.failed).toBe(0);
    expect(t.outstanding).toBe(0);
    // from the scenario: copies of 4 x 8k and one of 2M, on 512-byte blocks
    expect(t.inside).toBe(4 * 8192 + 2 * 2 ** 20);
    expect(t.copyBlocks).toBe((4 * 8192 + 2 * 2 ** 20) / 512);
    // the 1 MiB written first is the only data over the link
    expect(t.data).toBe(2 ** 20);
    // 4 ranges for the merged copy; the 2 MiB copy in MSSRL-sized (64-block) ranges
    expect(t.copyRanges).toBe(4 + 4096 / 64);
    expect(t.copyDescriptors).toBe(t.copyRanges * 32);
    expect(t.host).toBe(2 ** 20 + t.copyDescriptors);
    expect(t.backMerges + t.frontMerges).toBe(3);
    expect(t.splits).toBe(r.events.filter((e) => e.action === "X").length);
    expect(t.splits).toBeGreaterThan(0);
    expect(t.queueEntries).toBe(19 * (64 + 16));
  });
});

describe("the simple model's link: each command has all of it", () => {
  it("vector-merge's two 512 KiB Writes at once sum to twice the 24 Gb/s link, and the chart says why", () => {
    const r = runs.get("vector-merge.json")!;
    // the setup gives no model: the simple model with its default 24 Gb/s = 3000 MB/s link
    expect(simpleLinkMBs(r.setup)).toBe(3000);
    const peak = Math.max(...binRun(r).hostMBs);
    // 1 MiB in 184.76 µs is 5675 MB/s: two commands, each at the full link rate less the latency
    expect(Math.round(peak)).toBe(5675);
    const note = simpleLinkNote(r.setup, peak)!;
    expect(note).toMatch(/^The simple device model gives every command the whole link, 3,000 MB\/s, with unlimited parallelism \(docs\/TIMING\.md\)/);
    expect(note).toContain("peaks at 5,675 MB/s (1.9× the link) with several commands moving data at once.");
    expect(simpleLinkNote(r.setup, 2000)).not.toContain("peaks");
  });

  it("reads the link from timing or a simple device; other models and NVMe/TCP have no such note", () => {
    expect(simpleLinkMBs({ timing: { link_gbps: 8 } })).toBe(1000);
    expect(simpleLinkMBs({ device: "simple" })).toBe(3000);
    expect(simpleLinkMBs({ device: { preset: "simple", link_gbps: 16 } })).toBe(2000);
    expect(simpleLinkMBs({ device: { latency_us: 5 } })).toBe(3000);
    expect(simpleLinkMBs({ device: "null_blk" })).toBeUndefined();
    expect(simpleLinkMBs({ device: { preset: "tlc-970pro" } })).toBeUndefined();
    expect(simpleLinkMBs({ fabric: { transport: "tcp", gbps: 1 } })).toBeUndefined();
    expect(simpleLinkNote({ device: "null_blk" }, 1e9)).toBeUndefined();
  });
});

describe("every example run", () => {
  for (const f of EXAMPLES) {
    it(`${f}: the series sum to the totals, which are sums over the command records`, () => {
      const r = runs.get(f)!;
      const t = runTotals(r);
      const s = binRun(r);
      const a = s.axis;
      expect(a.bins).toBeLessThanOrEqual(200);
      expect(a.bins * a.width_ns).toBeGreaterThanOrEqual(r.end_ns);
      const lba = (nsid: number) => r.namespaces.find((n) => n.nsid === nsid)!.lbaBytes;

      // totals against direct sums over the records
      const copies = r.commands.filter((c) => c.name === "Copy");
      expect(t.byClass.get("Copy") ?? 0).toBe(copies.length);
      const okCopies = copies.filter((c) => c.status === 0);
      if (okCopies.length === copies.length) expect(t.inside).toBe(sum(copies.map((c) => c.blocks! * lba(c.nsid))));
      expect(t.copyDescriptors).toBe(sum(copies.map((c) => c.nr! * 32)));
      const rw = r.commands.filter((c) => (c.name === "Read" || c.name === "Write") && c.status === 0);
      expect(t.data).toBe(sum(rw.map((c) => c.blocks! * lba(c.nsid))));
      expect(t.backMerges).toBe(r.events.filter((e) => e.action === "M").length);
      expect(t.splits).toBe(r.events.filter((e) => e.action === "X").length);

      // the binned series sum back to the totals (rates are per the run's time in each bin)
      expect(sum(s.span_ns)).toBeCloseTo(r.end_ns, 6);
      const integral = (xs: number[]) => sum(xs.map((x, i) => (x * s.span_ns[i]) / 1e9));
      let completed = 0;
      for (const [k, xs] of s.rate) {
        const n = r.commands.filter((c) => c.done_ns !== undefined && opcodeClass(c) === k).length;
        expect((sum(xs) * a.width_ns) / 1e9).toBeCloseTo(n, 6);
        completed += n;
      }
      expect(completed).toBe(r.commands.length - t.outstanding);
      expect(integral(s.hostMBs) * 1e6).toBeCloseTo(t.host, 3);
      expect(integral(s.insideMBs) * 1e6).toBeCloseTo(t.inside, 3);
      expect(s.mergesCum[a.bins - 1]).toBe(t.backMerges + t.frontMerges);
      expect(s.splitsCum[a.bins - 1]).toBe(t.splits);

      // queue depth: never negative, back to 0, mean and max agree with the totals
      const steps = depthSteps(r.commands);
      expect(Math.min(0, ...steps.map((p) => p.after))).toBe(0);
      expect(steps[steps.length - 1].after).toBe(0);
      expect(Math.max(...s.depthMax)).toBe(t.depthMax);
      expect(integral(s.depthAvg) * 1e9).toBeCloseTo(t.depthMean * r.end_ns, 3);
      for (let i = 0; i < a.bins; i++) expect(s.depthMax[i]).toBeGreaterThanOrEqual(s.depthAvg[i] - 1e-9);
      // per queue: the queues add up to the total
      const qs = [...new Set(r.commands.map((c) => c.qid))];
      expect([...s.depthAvgByQ.keys()].sort()).toEqual(qs.sort());
      for (let i = 0; i < a.bins; i++) expect(sum([...s.depthAvgByQ.values()].map((xs) => xs[i]))).toBeCloseTo(s.depthAvg[i], 9);
    });
  }

  it("queue depth equals a brute-force count of commands out (submitted, not yet completed) at any instant", () => {
    for (const f of ["kcopyd-percpu.json", "snapshot-cow.json", "clone-hydration.json"]) {
      const r = runs.get(f)!;
      const steps = depthSteps(r.commands);
      const depthAt = (t: number) => { let d = 0; for (const p of steps) if (p.t <= t) d = p.after; return d; };
      const probes = [...new Set(r.commands.flatMap((c) => [c.time_ns, c.done_ns!, (c.time_ns + c.done_ns!) / 2]))];
      for (const t of probes) {
        const brute = r.commands.filter((c) => c.time_ns <= t && t < c.done_ns!).length;
        expect(depthAt(t), `${f} at ${t} ns`).toBe(brute);
      }
    }
  });

  it("two runs on one shared axis: the longer run sets the bins and the shorter one is zero after its end", () => {
    const x = runs.get("vector-merge.json")!, y = runs.get("ctx-gc.json")!;
    const a = timeAxis([x.end_ns, y.end_ns]);
    expect(a.end_ns).toBe(Math.max(x.end_ns, y.end_ns));
    const sy = binRun(y, a);
    expect(sy.axis).toBe(a);
    const after = Math.ceil(y.end_ns / a.width_ns);
    expect(after).toBeLessThan(a.bins);
    for (let i = after; i < a.bins; i++) {
      expect(sy.depthAvg[i]).toBe(0);
      expect(sy.hostMBs[i]).toBe(0);
    }
    expect(sum(sy.insideMBs.map((x, i) => x * sy.span_ns[i])) / 1e3).toBeCloseTo(runTotals(y).inside, 3);
    // the bin the shorter run ends in is averaged over the run's part of it only
    const last = after - 1;
    expect(sy.span_ns[last]).toBeCloseTo(y.end_ns - last * a.width_ns, 6);
    expect(sy.span_ns[after]).toBe(0);
    expect(runTotals(y).byClass.get("Copy")).toBe(2);
  });
});

describe("bytes per command", () => {
  it("Read and Write move their blocks over the link; failed or unfinished ones count nothing", () => {
    expect(commandBytes(rec({ blocks: 8 }), 4096)).toEqual({ data: 32768, copyDescriptors: 0, dsmRanges: 0, inside: 0 });
    expect(commandBytes(rec({ opcode: 1, name: "Write", blocks: 8 }), 512).data).toBe(4096);
    expect(commandBytes(rec({ blocks: 8, status: 0x280 }), 512).data).toBe(0);
    expect(commandBytes(rec({ blocks: 8, done_ns: undefined }), 512).data).toBe(0);
  });
  it("Dataset Management: 16 bytes per range; Write Zeroes and Flush: nothing", () => {
    expect(hostBytes(commandBytes(rec({ opcode: 9, name: "Dataset Management", nr: 3, ranges: [] }), 512))).toBe(48);
    expect(hostBytes(commandBytes(rec({ opcode: 8, name: "Write Zeroes", blocks: 100 }), 512))).toBe(0);
    expect(hostBytes(commandBytes(rec({ opcode: 0, name: "Flush" }), 512))).toBe(0);
  });
  it("Copy: 32-byte Source Range entries over the link (formats 0h and 2h), its blocks inside; a failed Copy only the ranges before Dword 0", () => {
    const ranges = [{ slba: 0, nlb: 8 }, { slba: 100, nlb: 4 }, { slba: 200, nlb: 2 }];
    const ok = commandBytes(rec({ opcode: 0x19, name: "Copy", nr: 3, blocks: 14, ranges }), 512);
    expect(ok).toEqual({ data: 0, copyDescriptors: 96, dsmRanges: 0, inside: 14 * 512 });
    const cross = commandBytes(rec({ opcode: 0x19, name: "Copy", nr: 1, blocks: 8, ranges: [{ slba: 0, nlb: 8, nsid: 2 }] }), 4096);
    expect(cross).toEqual({ data: 0, copyDescriptors: 32, dsmRanges: 0, inside: 8 * 4096 });
    // Command Size Limit Exceeded with Dword 0 = 2: ranges 0 and 1 were copied
    const partial = commandBytes(rec({ opcode: 0x19, name: "Copy", nr: 3, blocks: 14, ranges, status: 0x183, dw0: 2 }), 512);
    expect(partial.inside).toBe(12 * 512);
    expect(partial.copyDescriptors).toBe(96);
  });
});

describe("binning", () => {
  it("spreads a command's bytes over its service time and keeps the total", () => {
    const r = { design: "ctx", namespaces: [{ nsid: 1, lbaBytes: 512 }], events: [], end_ns: 1000,
      commands: [rec({ time_ns: 150, done_ns: 450, blocks: 6 })] };
    const s = binRun(r, { width_ns: 100, bins: 10, end_ns: 1000 });
    expect(s.span_ns).toEqual(new Array(10).fill(100));
    // 3072 bytes over 300 ns: bins 1..4 hold 50, 100, 100, 50 ns of it
    const bytes = s.hostMBs.map((x) => (x * 1e6 * 100) / 1e9);
    expect(bytes.map((b) => Math.round(b))).toEqual([0, 512, 1024, 1024, 512, 0, 0, 0, 0, 0]);
    expect(s.rate.get("Read")![4]).toBe(1e9 / 100);
    expect(s.depthAvg.slice(0, 6)).toEqual([0, 0.5, 1, 1, 0.5, 0]);
    expect(s.depthMax.slice(0, 6)).toEqual([0, 1, 1, 1, 1, 0]);
  });
  it("the bin a run ends in: rates and mean depth over the run's part of the bin", () => {
    const r = { design: "ctx", namespaces: [{ nsid: 1, lbaBytes: 512 }], events: [], end_ns: 250,
      commands: [rec({ time_ns: 0, done_ns: 250, blocks: 1 })] };
    const s = binRun(r, { width_ns: 100, bins: 4, end_ns: 400 });
    expect(s.span_ns).toEqual([100, 100, 50, 0]);
    expect(s.depthAvg).toEqual([1, 1, 1, 0]);
    expect(s.depthMax).toEqual([1, 1, 1, 0]);
    expect(s.rate.get("Read")).toEqual([0, 0, 1e9 / 100, 0]); // an instant: per bin width
    // 512 bytes over 250 ns: 2.048 bytes/ns = 2048 MB/s in every bin of the run
    for (const x of s.hostMBs.slice(0, 3)) expect(x).toBeCloseTo(2048, 9);
    expect(s.hostMBs[3]).toBe(0);
  });
  it("a command following another at the same nanosecond is not two at once; a zero-length one counts in its instant", () => {
    const steps = depthSteps([rec({ time_ns: 0, done_ns: 100 }), rec({ time_ns: 100, done_ns: 200 }), rec({ time_ns: 150, done_ns: 150 })]);
    expect(steps).toEqual([{ t: 0, after: 1, peak: 1 }, { t: 100, after: 1, peak: 1 }, { t: 150, after: 1, peak: 2 }, { t: 200, after: 0, peak: 0 }]);
    const d = binDepth(steps, { width_ns: 100, bins: 2, end_ns: 200 });
    expect(d.max).toEqual([1, 2]);
    expect(d.avg).toEqual([1, 1]);
  });
  it("bin widths are 1-2-5 round and give at most 200 bins", () => {
    expect(niceAtLeast(0)).toBe(1);
    expect(niceAtLeast(1433)).toBe(2000);
    expect(niceAtLeast(2000)).toBe(2000);
    expect(niceAtLeast(2001)).toBe(5000);
    expect(niceAtLeast(7e6)).toBe(1e7);
    const a = timeAxis([286682.67]);
    expect(a).toEqual({ width_ns: 2000, bins: 144, end_ns: 286682.67 });
    expect(timeAxis([]).bins).toBe(1);
    expect(timeUnit(286682).name).toBe("µs");
    expect(timeUnit(15e6).name).toBe("ms");
    expect(binStarts({ width_ns: 2000, bins: 3, end_ns: 6000 }, 1000)).toEqual([0, 2, 4]);
  });
});

describe("runs kept for comparison", () => {
  const k = (seq: number): KeptRun => ({ seq, title: `run ${seq}`, edited: false, run: { design: "ctx", commands: [], events: [], namespaces: [], end_ns: 0 } });
  it("keeps the newest runs, never the same one twice, never dropping the pinned one", () => {
    let kept: KeptRun[] = [];
    for (let i = 1; i <= 8; i++) kept = keepRun(kept, k(i), 4, 2);
    expect(kept.map((x) => x.seq)).toEqual([2, 6, 7, 8]);
    expect(keepRun(kept, k(8), 4).map((x) => x.seq)).toEqual([2, 6, 7, 8]);
  });
  it("compares the newest run with the previous one, a pinned one, or none", () => {
    const kept = [k(1), k(2), k(3)];
    expect(baselineOf(kept, "previous")?.seq).toBe(2);
    expect(baselineOf(kept, 1)?.seq).toBe(1);
    expect(baselineOf(kept, 3)?.seq).toBe(2); // the newest cannot be its own baseline
    expect(baselineOf(kept, 9)?.seq).toBe(2); // a pinned run no longer kept
    expect(baselineOf(kept, "none")).toBeUndefined();
    expect(baselineOf([k(1)], "previous")).toBeUndefined();
  });
});

describe("NVMe/TCP bars and formatting", () => {
  it("groups the cases by link speed on one linear scale", () => {
    const g = tcpBars({ experiment: "tcp-offload", bs: "8k", ranges: 1, wall_ms: 1, cases: [
      { gbps: 100, mode: "offload", mibs: 900, util_pct: 0.5 },
      { gbps: 1, mode: "read+write", mibs: 50, util_pct: 95 },
      { gbps: 1, mode: "offload", mibs: 600, util_pct: 1 },
      { gbps: 100, mode: "read+write", mibs: 450, util_pct: 9 },
    ] }, "mibs");
    expect(g.map((x) => x.gbps)).toEqual([1, 100]);
    expect(g[0].bars.map((b) => [b.mode, b.fraction])).toEqual([["read+write", 50 / 900], ["offload", 600 / 900]]);
    expect(g[1].bars[1]).toMatchObject({ mode: "offload", fraction: 1, label: "900.0 MiB/s" });
  });
  it("the comparison table: each link speed's modelled row, then seed 000's published figures", () => {
    const t = tcpComparison({
      experiment: "tcp-offload", bs: "8k", ranges: 1, wall_ms: 340,
      cases: [
        { gbps: 1, mode: "read+write", mibs: 101.6, util_pct: 96.1 }, { gbps: 1, mode: "offload", mibs: 644, util_pct: 12.8 },
        { gbps: 100, mode: "read+write", mibs: 786.1, util_pct: 6.6 }, { gbps: 100, mode: "offload", mibs: 896.4, util_pct: 0.1 },
      ],
    });
    expect(t.caption).toBe("NVMe/TCP, bs 8k, 1 range(s), 16 psync jobs (modelled; 0.3 s to run), beside seed 000's published figures");
    expect(t.rows).toEqual([
      ["1 Gb/s", "101.6", "644.0", "6.34x", "96.10", "12.80"],
      ["1 Gb/s, seed 000", "107", "787", "7.36x", "97", "14"],
      ["100 Gb/s", "786.1", "896.4", "1.14x", "6.60", "0.10"],
      ["100 Gb/s, seed 000", "791", "843", "1.07x", "6.75", "0.14"],
    ]);
  });

  it("utilisation bars are fractions of 100 %", () => {
    const g = tcpBars({ experiment: "t", bs: "8k", ranges: 1, wall_ms: 1, cases: [{ gbps: 1, mode: "read+write", mibs: 50, util_pct: 40 }] }, "util_pct");
    expect(g[0].bars[0].fraction).toBeCloseTo(0.4, 9);
  });
  it("formats bytes exactly and in binary units", () => {
    expect(fmtBytes(2129920)).toBe("2,129,920 B (2.03 MiB)");
    expect(fmtBytes(96)).toBe("96 B");
    expect(fmtSI(1500)).toBe("1.5k");
    expect(fmtSI(0.25)).toBe("0.25");
  });
});
