// The device model against its closed forms: null_blk's fixed completion time gives 1e9 /
// completion_nsec IOPS at QD 1, its mbps cap bounds throughput at any depth; the TLC SSD's
// 4 KiB read is firmware + tR + channel + link, 16 dies serve 16 reads at once and the 17th
// waits a tR; writes complete from the cache while programs keep the dies busy, and a flush
// waits for them; PCIe bandwidth follows the encoding and TLP overhead.

import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { modelCommand, QueueingDeviceModel, SimpleDeviceModel, Timeline, TimelineClock, deviceModelFromJson, nullBlkParams, pcieBytesPerS, tlc970ProParams } from "../../src/block/device-model";
import { parseScenario, runScenario } from "../../src/block/scenario";
import { loadCoreModule } from "../../src/node/wasm";
import { mkHost, write, read, flush, pattern, same } from "./helpers";
import { BlkStatus } from "../../src/block/bio";

describe("device model", () => {
  it("a timeline fills gaps: work reserved for later does not hold up work that fits before it", () => {
    const t = new Timeline();
    expect(t.use(100, 100)).toBe(200); // [100, 200)
    expect(t.use(0, 50)).toBe(50); // [0, 50): before it
    expect(t.use(0, 80)).toBe(280); // the gap [50, 100) is too short: after [100, 200)
    expect(t.use(40, 40)).toBe(90); // [50, 90) fits
    expect(t.busy_ns).toBe(270);
    t.prune(150);
    expect(t.free_ns).toBe(280);
    expect(t.use(0, 10)).toBe(10); // pruned reservations no longer count
  });

  it("a long timeline: a use before forty reservations is linked in before them, and each keeps its place", () => {
    const t = new Timeline();
    for (let k = 0; k < 40; k++) expect(t.use(1000 + 100 * k, 10)).toBe(1010 + 100 * k); // [1000+100k, 1010+100k)
    expect(t.use(0, 50)).toBe(50); // before all of them
    expect(t.use(990, 30)).toBe(1040); // [1010, 1040): after the first, in its gap
    for (let k = 1; k < 40; k++) expect(t.busyAt(1000 + 100 * k + 5)).toBe(true);
    for (let k = 1; k < 40; k++) expect(t.busyAt(1000 + 100 * k + 50)).toBe(false);
    expect(t.busyAt(25)).toBe(true);
    expect(t.free_ns).toBe(1000 + 100 * 39 + 10);
    expect(t.use(1015, 60)).toBe(1100); // busy until 1040, then [1040, 1100) fits just before [1100, 1110)
  });

  it("a timeline gives what a plain list of busy intervals gives, through any uses and prunes, and so does one on a clock", () => {
    // The reference: every reservation kept, the earliest gap in their union at or after
    // at_ns that fits, and intervals that ended before the last prune forgotten.
    const reference = () => {
      const busy: Array<[number, number]> = [];
      let pruned = -Infinity;
      return {
        use(at: number, dur: number): number {
          // the busy time as a union: touching intervals are one
          const live: Array<[number, number]> = [];
          for (const [s, e] of busy.filter(([, e]) => e >= pruned).sort((x, y) => x[0] - y[0])) {
            const last = live[live.length - 1];
            if (last && last[1] >= s) last[1] = Math.max(last[1], e);
            else live.push([s, e]);
          }
          let start = at;
          for (const [s, e] of live) {
            if (e <= start) continue;
            if (start + dur <= s) break;
            start = Math.max(start, e);
          }
          if (dur > 0) busy.push([start, start + dur]);
          return start + dur;
        },
        prune(now: number) { pruned = Math.max(pruned, now); },
        free(): number { return Math.max(0, ...busy.filter(([, e]) => e >= pruned).map(([, e]) => e)); },
      };
    };
    const op = fc.oneof(
      fc.record({ kind: fc.constant("use" as const), at: fc.integer({ min: 0, max: 600 }), dur: fc.integer({ min: 0, max: 40 }) }),
      fc.record({ kind: fc.constant("prune" as const), at: fc.integer({ min: 0, max: 60 }), dur: fc.constant(0) }),
    );
    // times are offsets from the clock, so the clock moves on and many intervals are pruned
    // (enough for the timeline to drop its dead prefix)
    fc.assert(fc.property(fc.array(op, { minLength: 100, maxLength: 400 }), (ops) => {
      const t = new Timeline();
      const r = reference();
      // a timeline on a clock, never pruned: it reuses the reservations that ended before the
      // clock as it inserts, and gives the same times
      const tc = new TimelineClock();
      const t2 = new Timeline(tc);
      let clock = 0;
      for (const o of ops) {
        if (o.kind === "prune") {
          // prunes only move forward, and uses never start before the last prune (the model's clock)
          clock += o.at;
          t.prune(clock);
          r.prune(clock);
          tc.now_ns = clock;
        } else {
          const at = clock + o.at;
          const end = r.use(at, o.dur);
          expect(t.use(at, o.dur)).toBe(end);
          expect(t2.use(at, o.dur)).toBe(end);
        }
        expect(t.free_ns).toBe(r.free());
        if (r.free() >= clock) expect(t2.free_ns).toBe(r.free());
      }
    }), { numRuns: 300 });
  });

  it("null_blk completion_nsec=10000 at QD 1: 100K IOPS", () => {
    const m = new QueueingDeviceModel(nullBlkParams(10_000));
    let t = 0;
    for (let i = 0; i < 1000; i++) t = m.complete({ op: "read", bytes: 4096, offset: i * 4096 }, t);
    expect(1000 / (t / 1e9)).toBeCloseTo(100_000, 6);
  });

  it("null_blk mbps=400 caps 4 KiB reads at QD 32 to 400 MB/s", () => {
    const m = new QueueingDeviceModel(nullBlkParams(1_000, 400));
    // 32 in flight: each completion submits the next at once
    const due: number[] = [];
    for (let i = 0; i < 32; i++) due.push(m.complete({ op: "read", bytes: 4096, offset: i * 4096 }, 0));
    let n = 32;
    let last = 0;
    while (n < 32_000) {
      const i = due.indexOf(Math.min(...due));
      last = due[i];
      due[i] = m.complete({ op: "read", bytes: 4096, offset: n * 4096 }, last);
      n++;
    }
    const mbps = ((n - 32) * 4096) / (last / 1e9) / 1e6;
    expect(mbps).toBeGreaterThan(399);
    expect(mbps).toBeLessThan(401);
  });

  it("PCIe Gen3 x4: 8 GT/s x 4 x 128/130 / 8, less 24 bytes per 256-byte TLP and 2% DLLPs", () => {
    expect(pcieBytesPerS(3, 4)).toBeCloseTo(4 * 8e9 * (128 / 130) / 8 * (256 / 280) * 0.98, 0);
    expect(pcieBytesPerS(1, 1)).toBeCloseTo(2.5e9 * 0.8 / 8 * (256 / 280) * 0.98, 0);
    expect(() => pcieBytesPerS(7, 4)).toThrow(/generation 7/);
    expect(() => pcieBytesPerS(3, 3)).toThrow(/lanes 3/);
  });

  it("TLC: an idle 4 KiB read is firmware + tR + channel + link; 16 dies take 16 reads at once, the 17th waits", () => {
    const p = tlc970ProParams();
    const m = new QueueingDeviceModel(p);
    const one = 8_500 + 35_760 + (4096 / 800e6) * 1e9 + (4096 / p.link_bytes_per_s) * 1e9;
    expect(m.complete({ op: "read", bytes: 4096, offset: 0 }, 0)).toBeCloseTo(one, 6);
    const m2 = new QueueingDeviceModel(p);
    // pages 32 KiB apart land on 16 different dies
    const done = Array.from({ length: 17 }, (_, i) => m2.complete({ op: "read", bytes: 4096, offset: i * 32768 }, 0));
    const firstWave = Math.max(...done.slice(0, 16));
    // in parallel: only the shared channels (2 dies each) and the link serialise them
    expect(firstWave).toBeLessThan(one + 16 * 1_200 + 6_000);
    expect(done[16]).toBeGreaterThan(one + 35_000);
  });

  it("TLC: writes complete from the write cache; programs keep the die busy (a page's tPROG shared by its data); a flush waits for them", () => {
    const p = tlc970ProParams();
    const m = new QueueingDeviceModel(p);
    // a whole 32 KiB page: one tPROG on its die behind the channel transfer
    const w = m.complete({ op: "write", bytes: 32768, offset: 0 }, 0);
    expect(w).toBeCloseTo((32768 / p.link_bytes_per_s) * 1e9 + 4_000 + 8 * 460, 6);
    const programmed = w + (32768 / 800e6) * 1e9 + 190_000;
    const f = m.complete({ op: "flush", bytes: 0, offset: 0 }, w);
    expect(f).toBeCloseTo(programmed, 6);
    // a read of the same die waits behind the program
    const r = m.complete({ op: "read", bytes: 4096, offset: 0 }, w);
    expect(r).toBeGreaterThan(programmed + 35_760);
    // a 4 KiB write costs its die an eighth of tPROG (the buffer fills the page first)
    const q = new QueueingDeviceModel(p);
    const w4 = q.complete({ op: "write", bytes: 4096, offset: 0 }, 0);
    expect(q.complete({ op: "flush", bytes: 0, offset: 0 }, w4)).toBeCloseTo(w4 + (4096 / 800e6) * 1e9 + 190_000 / 8, 6);
    // without the cache the write itself waits for its program
    const nc = new QueueingDeviceModel({ ...p, write_cache: false });
    expect(nc.complete({ op: "write", bytes: 32768, offset: 0 }, 0)).toBeGreaterThan(190_000);
  });

  it("TLC: a FUA write completes when its data is programmed, cache or not, and a partial page costs a whole tPROG", () => {
    const p = tlc970ProParams();
    const cached = new QueueingDeviceModel(p).complete(modelCommand("write", 32768, 0), 0);
    const fua = new QueueingDeviceModel(p).complete(modelCommand("write", 32768, 0, 0, undefined, true), 0);
    const through = new QueueingDeviceModel({ ...p, write_cache: false }).complete(modelCommand("write", 32768, 0), 0);
    // a whole page: what a write without the cache takes, the cached completion plus channel and tPROG
    expect(fua).toBeCloseTo(through, 6);
    expect(fua).toBeCloseTo(cached + (32768 / 800e6) * 1e9 + 190_000, 6);
    // 4 KiB: the die programs it now (190 us), not an eighth of a page
    const c4 = new QueueingDeviceModel(p).complete(modelCommand("write", 4096, 0), 0);
    const f4 = new QueueingDeviceModel(p).complete(modelCommand("write", 4096, 0, 0, undefined, true), 0);
    expect(f4).toBeCloseTo(c4 + (4096 / 800e6) * 1e9 + 190_000, 6);
  });

  it("TLC: the 1 MiB write buffer: a stream to busy dies waits for programs once it is full; a write larger than it waits for its own", () => {
    const p = tlc970ProParams();
    expect(p.write_buffer_bytes).toBe(1 << 20);
    // 64 writes of 64 KiB all on dies 0 and 1 (offsets 1 MiB apart): each die programs them one
    // after another (190 us per 32 KiB page), far slower than the link brings them
    const run = (buffer: number) => {
      const m = new QueueingDeviceModel({ ...p, write_buffer_bytes: buffer });
      let last = 0;
      for (let i = 0; i < 64; i++) last = Math.max(last, m.complete({ op: "write", bytes: 65536, offset: i * (1 << 20) }, 0));
      return last;
    };
    const link = 64 * (65536 / p.link_bytes_per_s) * 1e9;
    expect(run(0)).toBeLessThan(link + 100_000); // unbounded: the link is the limit
    // bounded: the last 48 writes wait for room, i.e. for 48 programs per die
    expect(run(1 << 20)).toBeGreaterThan(47 * 190_000);
    const big = new QueueingDeviceModel(p);
    expect(big.complete({ op: "write", bytes: 2 << 20, offset: 0 }, 0)).toBeGreaterThan(190_000 * 2);
  });

  it("TLC: a Copy reads and programs on the media without the link", () => {
    const p = tlc970ProParams();
    const m = new QueueingDeviceModel(p);
    const done = m.complete({ op: "copy", bytes: 0, offset: 1 << 20, sources: [[0, 65536]] }, 0);
    expect(done).toBeGreaterThan(36_013);
    expect(m.busy().link_d2h).toBe(0);
    expect(m.busy().link_h2d).toBe(0);
  });

  it("the block layer runs on a chosen model: the same data, the model's times", async () => {
    const { blk, t, d } = await mkHost({ model: new QueueingDeviceModel(tlc970ProParams()) });
    const data = pattern(65536, 3);
    write(blk, t, d, 0, data);
    // the write completed from the cache; the flush waits for its programs
    const w0 = blk.sim.now_ns;
    expect(flush(blk, t, d)).toBe(BlkStatus.OK);
    expect(blk.sim.now_ns - w0).toBeGreaterThan(150_000);
    const t0 = blk.sim.now_ns;
    expect(same(read(blk, t, d, 0, 65536), data)).toBe(true);
    // 64 KiB = two 32 KiB pages on two dies and channels, in parallel: firmware + one page tR +
    // one 32 KiB channel transfer + 64 KiB over the link, not two of each
    const p = tlc970ProParams();
    const want = 10_740 + 36_013 + (32768 / 800e6) * 1e9 + (65536 / p.link_bytes_per_s) * 1e9;
    expect(blk.sim.now_ns - t0).toBeCloseTo(want, 0);
    const simple = await mkHost({ model: new SimpleDeviceModel({ latency_ns: 1000, link_bytes_per_s: 1e9, copy_bytes_per_s: 1e9 }) });
    write(simple.blk, simple.t, simple.d, 0, data);
    const s0 = simple.blk.sim.now_ns;
    read(simple.blk, simple.t, simple.d, 0, 65536);
    expect(simple.blk.sim.now_ns - s0).toBeCloseTo(1000 + 65536, 0);
  });

  it("setup files choose a preset; bad ones name the key", async () => {
    expect(deviceModelFromJson({ preset: "null_blk", completion_us: 5 }, "d").complete({ op: "read", bytes: 4096, offset: 0 }, 0)).toBe(5000);
    expect(deviceModelFromJson("tlc-970pro", "d").name).toMatch(/970 PRO/);
    expect(() => deviceModelFromJson({ preset: "hdd" }, "s.device")).toThrow(/s\.device\.preset: "hdd" is not one of simple, null_blk, tlc-970pro/);
    expect(() => deviceModelFromJson({ preset: "null_blk", channels: 4 }, "s.device")).toThrow(/s\.device\.channels: unknown key for preset null_blk/);
    expect(() => deviceModelFromJson({ preset: "tlc-970pro", pcie_lanes: 3 }, "s.device")).toThrow(/pcie_lanes: PCIe lanes 3/);
    expect(() => parseScenario({ device: "null_blk", timing: { latency_us: 1 }, steps: [] })).toThrow(/give either device or timing/);
    // a scenario on null_blk: every command takes completion_nsec
    const r = await runScenario(await loadCoreModule(false), parseScenario({
      controller: { namespaces: [{ size: "16M" }] }, cpus: 1, device: { preset: "null_blk", completion_us: 7 },
      steps: [{ op: "write", dev: "nvme0n1", pos: 0, len: "4k" }, { op: "wait" }, { op: "read", dev: "nvme0n1", pos: 0, len: "4k" }, { op: "wait" }],
    }));
    expect(r.ops.filter((o) => o.done_ns !== undefined).map((o) => o.done_ns)).toEqual([7000, 14000]);
  });
});
