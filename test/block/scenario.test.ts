// Scenario files as a user runs them: the examples in examples/blk give the commands and the
// data docs/BLOCK.md describes; `nvmelab blk run` prints the trace and the summary and writes
// the JSON; bad files are refused with the JSON path of the problem.

import { describe, it, expect } from "vitest";
import { readFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { parseScenario, runScenario, patternByte, ScenarioError, ScenarioResult } from "../../src/block/scenario";
import { loadCoreModule } from "../../src/node/wasm";
import { sha256Hex } from "../../src/util/sha256";
import { main } from "../../src/cli/main";
import { Io } from "../../src/cli/context";

const example = (n: string) => JSON.parse(readFileSync(join(__dirname, "../../examples/blk", n), "utf8"));
const run = async (s: unknown) => runScenario(await loadCoreModule(false), parseScenario(s));
const expected = (seed: number, pos: number, len: number) => {
  const b = new Uint8Array(len);
  for (let i = 0; i < len; i++) b[i] = patternByte(seed, pos + i);
  return b;
};
/** A trace's copy bio events of one action on one major: [rwbs, sector, comm]. */
const copyEvents = (r: ScenarioResult, action: string, major: number) =>
  r.events.filter((e) => e.action === action && e.major === major && (e.rwbs === "CW" || e.rwbs === "CR")).map((e) => [e.rwbs, e.sector, e.comm]);
/** The order the *-interleaved examples release their copy bios: A's DST, B's DST, A's SRC, B's SRC. */
const INTERLEAVED = [["CW", 256, "a"], ["CW", 512, "b"], ["CR", 0, "a"], ["CR", 64, "b"]];

describe("blk scenarios", () => {
  it("ctx-gc: 16 copies in a plug become ceil(16 / (MSRC + 1)) = 2 Copy commands, data gathered", async () => {
    const r = await run(example("ctx-gc.json"));
    const copies = r.commands.filter((c) => c.name === "Copy");
    expect(copies.map((c) => c.nr)).toEqual([8, 8]);
    expect(copies[0].slba).toBe(16384);
    expect(copies[0].ranges!.map((x) => x.slba)).toEqual([0, 32, 64, 96, 128, 160, 192, 224]);
    expect(copies.every((c) => c.status === 0)).toBe(true);
    // the gathered segment holds blocks 0, 16k, 32k ... of the written pattern
    const want = new Uint8Array(65536);
    for (let i = 0; i < 16; i++) want.set(expected(7, i * 16384, 4096), i * 4096);
    const read = r.ops.find((o) => o.op === "read")!;
    expect(read.sha256).toBe(sha256Hex(want));
    expect(r.ops.filter((o) => o.copy).every((o) => o.copy!.offloaded_bytes === 4096 && o.copy!.emulated_bytes === 0)).toBe(true);
  });

  it("pair-nomerges: one paired Copy, then with nomerges=2 no Copy and a read+write fallback", async () => {
    const r = await run(example("pair-nomerges.json"));
    const copies = r.commands.filter((c) => c.name === "Copy");
    expect(copies).toHaveLength(1);
    expect(copies[0].nr).toBe(1);
    const ops = r.ops.filter((o) => o.copy);
    expect(ops[0].copy!.offloaded_bytes).toBe(65536);
    expect(ops[1].copy!.offloaded_bytes).toBe(0);
    expect(ops[1].copy!.emulated_bytes).toBe(65536);
    expect(r.events.some((e) => e.action === "m" && /paired COPY_SRC/.test(e.text!))).toBe(true);
    expect(r.events.filter((e) => e.action === "m" && /lone COPY_DST/.test(e.text!))).toHaveLength(1);
  });

  it("vector-merge: adjacent copies merge (M) into one Copy with 4 ranges; a 2 MiB copy splits (X) by MCL", async () => {
    const r = await run(example("vector-merge.json"));
    const copies = r.commands.filter((c) => c.name === "Copy");
    expect(copies[0].nr).toBe(4);
    expect(copies[0].ranges!.map((x) => x.slba)).toEqual([0, 200, 400, 600]);
    expect(r.events.filter((e) => e.action === "M" && e.rwbs === "CW")).toHaveLength(3);
    expect(r.events.filter((e) => e.action === "X" && e.rwbs === "CW").length).toBe(15);
    expect(copies.slice(1).every((c) => c.blocks === 256)).toBe(true);
  });

  it("crypt-fallback: no Copy through dm-crypt (read+write, plaintext right), one Copy through dm-linear", async () => {
    const r = await run(example("crypt-fallback.json"));
    const copies = r.commands.filter((c) => c.name === "Copy");
    expect(copies).toHaveLength(1);
    expect(copies[0].slba).toBe(49152);
    expect(copies[0].ranges).toEqual([{ slba: 40960, nlb: 128 }]);
    const [viaCrypt, viaLinear] = r.ops.filter((o) => o.copy).map((o) => o.copy!);
    expect(viaCrypt.offloaded_bytes).toBe(0);
    expect(viaCrypt.emulated_bytes).toBe(65536);
    expect(viaCrypt.steps[0].reason).toMatch(/dm-1 has copy_max_bytes 0/);
    expect(viaLinear.offloaded_bytes).toBe(65536);
    expect(r.ops.find((o) => o.op === "read")!.sha256).toBe(sha256Hex(expected(11, 0, 65536)));
  });

  it("pair-interleaved: A DST, B DST, A SRC, B SRC through dm-delay pairs B's destination with A's source", async () => {
    const r = await run(example("pair-interleaved.json"));
    expect(r.events.some((e) => e.action === "m" && /delay\) passes copies \(pair\) because of the copy_offload what-if/.test(e.text!))).toBe(true);
    // queued on dm-0 by each task in the released order; dm-delay's one kworker remaps them in that order
    expect(copyEvents(r, "Q", 253)).toEqual(INTERLEAVED.map(([op, sector, task]) => [op, sector, task]));
    expect(copyEvents(r, "A", 259)).toEqual(INTERLEAVED.map(([op, sector]) => [op, sector, "kworker/0:3"]));
    expect(r.events.filter((e) => e.action === "M" && e.rwbs === "CR").map((e) => [e.sector, e.comm])).toEqual([[0, "kworker/0:3"]]);
    // one Copy: B's destination (sector 512) from A's source (0)
    const copies = r.commands.filter((c) => c.name === "Copy");
    expect(copies.map((c) => [c.slba, c.ranges, c.status])).toEqual([[512, [{ slba: 0, nlb: 8 }], 0]]);
    expect(r.events.filter((e) => e.action === "m" && /lone COPY_(DST|SRC) request/.test(e.text!)).map((e) => e.text!.match(/lone (COPY_\w+)/)![1])).toEqual(["COPY_DST", "COPY_SRC"]);
    // both copies fail (fallback off); B's destination holds A's data, A's was never written
    const cp = r.ops.filter((o) => o.copy);
    expect(cp.map((o) => [o.task, o.status, o.copy!.offloaded_bytes, o.copy!.emulated_bytes])).toEqual([["a", "BLK_STS_IOERR", 0, 0], ["b", "BLK_STS_IOERR", 0, 0]]);
    const [atA, atB] = r.ops.filter((o) => o.op === "read");
    expect(atB.sha256).toBe(sha256Hex(expected(11, 0, 4096)));
    expect(atA.sha256).toBe(sha256Hex(new Uint8Array(4096)));
  });

  it("pair-interleaved with fallback on: the mispaired Copy still goes out; read+write then rewrites both destinations", async () => {
    const s = example("pair-interleaved.json");
    for (const st of s.steps) if (st.op === "copy") delete st.fallback;
    const r = await run(s);
    expect(r.commands.filter((c) => c.name === "Copy").map((c) => [c.slba, c.ranges])).toEqual([[512, [{ slba: 0, nlb: 8 }]]]);
    expect(r.ops.filter((o) => o.copy).map((o) => [o.status, o.copy!.emulated_bytes])).toEqual([["BLK_STS_OK", 4096], ["BLK_STS_OK", 4096]]);
    expect(r.ops.filter((o) => o.op === "read").map((o) => o.sha256)).toEqual([sha256Hex(expected(11, 0, 4096)), sha256Hex(expected(12, 32768, 4096))]);
  });

  it("pair-interleaved released A, A, B, B: each task's halves pair with each other", async () => {
    const s = example("pair-interleaved.json");
    const rel = s.steps.filter((x: { op: string }) => x.op === "release");
    rel[1].task = "a";
    rel[2].task = "b";
    const r = await run(s);
    expect(r.commands.filter((c) => c.name === "Copy").map((c) => [c.slba, c.ranges, c.status])).toEqual([[256, [{ slba: 0, nlb: 8 }], 0], [512, [{ slba: 64, nlb: 8 }], 0]]);
    expect(r.ops.filter((o) => o.op === "read").map((o) => o.sha256)).toEqual([sha256Hex(expected(11, 0, 4096)), sha256Hex(expected(12, 32768, 4096))]);
  });

  it("ctx-interleaved: the same interleaving, both copies offloaded to the right place", async () => {
    const r = await run(example("ctx-interleaved.json"));
    expect(copyEvents(r, "Q", 253)).toEqual(INTERLEAVED.map(([op, sector, task]) => [op, sector, task]));
    expect(copyEvents(r, "A", 259)).toEqual(INTERLEAVED.map(([op, sector]) => [op, sector, "kworker/0:3"]));
    expect(r.commands.filter((c) => c.name === "Copy").map((c) => [c.slba, c.ranges, c.status])).toEqual([[256, [{ slba: 0, nlb: 8 }], 0], [512, [{ slba: 64, nlb: 8 }], 0]]);
    expect(r.ops.filter((o) => o.copy).map((o) => [o.status, o.copy!.offloaded_bytes, o.copy!.emulated_bytes])).toEqual([["BLK_STS_OK", 4096, 0], ["BLK_STS_OK", 4096, 0]]);
    expect(r.ops.filter((o) => o.op === "read").map((o) => o.sha256)).toEqual([sha256Hex(expected(11, 0, 4096)), sha256Hex(expected(12, 32768, 4096))]);
  });

  it("held copy bios: released in order into the task's plug; never released fails the run; a wait, a release with nothing held, too big a count fail with the step", async () => {
    const two = (steps: unknown[]) => ({ design: "pair", tasks: [{ comm: "a" }, { comm: "b" }], steps: [
      { task: "a", op: "write", dev: "nvme0n1", pos: 0, len: "8k" },
      { task: "a", op: "wait" },
      { task: "a", op: "copy", src: "nvme0n1", src_pos: 0, dst: "nvme0n1", dst_pos: "1M", len: "4k", hold: true },
      ...steps,
    ] });
    await expect(run(two([]))).rejects.toThrow(/^the run ended with copy bios still held: a holds 2 bio\(s\) \(held by scenario\.steps\[2\]\)/);
    await expect(run(two([{ task: "a", op: "release" }]))).rejects.toThrow(/still held: a holds 1 bio\(s\) \(held by scenario\.steps\[2\]\)/);
    await expect(run(two([{ task: "b", op: "release" }]))).rejects.toThrow(/^scenario\.steps\[3\]: b holds no copy bios/);
    await expect(run(two([{ task: "a", op: "release", count: 3 }]))).rejects.toThrow(/^scenario\.steps\[3\]\.count: 3, but a holds 2 bio\(s\)/);
    await expect(run(two([{ task: "a", op: "wait" }]))).rejects.toThrow(/^scenario\.steps\[3\]: a holds 2 copy bio\(s\) it has not released/);
    await expect(run(two([{ task: "a", op: "release", count: "all" }, { task: "a", op: "release" }]))).rejects.toThrow(/^scenario\.steps\[4\]: a holds no copy bios/);
    // released in a plug, pair's halves merge as they would have in the copy's own plug
    const ok = await run(two([{ task: "a", op: "plug" }, { task: "a", op: "release", count: "all" }, { task: "a", op: "unplug" }, { task: "a", op: "wait" }, { task: "a", op: "read", dev: "nvme0n1", pos: "1M", len: "4k" }]));
    expect(ok.commands.filter((c) => c.name === "Copy").map((c) => [c.slba, c.ranges, c.status])).toEqual([[2048, [{ slba: 0, nlb: 8 }], 0]]);
    expect(ok.ops.find((o) => o.op === "read")!.sha256).toBe(sha256Hex(expected(1, 0, 4096)));
    // without a plug (the copy's own plug ended with its step) each half goes out alone: fallback
    const alone = await run(two([{ task: "a", op: "release", count: 2 }]));
    expect(alone.commands.filter((c) => c.name === "Copy")).toEqual([]);
    expect(alone.events.filter((e) => e.action === "m" && /lone COPY_(DST|SRC) request/.test(e.text!))).toHaveLength(2);
    expect([alone.ops[2].status, alone.ops[2].copy!.emulated_bytes]).toEqual(["BLK_STS_OK", 4096]);
    // at most 1024 held bios: 513 chunks of 4 KiB are 1026 bios
    await expect(run({ design: "pair", sysfs: { nvme0n1: { copy_max_bytes: 4096 } }, steps: [
      { op: "copy", src: "nvme0n1", src_pos: 0, dst: "nvme0n1", dst_pos: "4M", len: 513 * 4096, hold: true },
    ] })).rejects.toThrow(/^scenario\.steps\[0\]\.hold: more than 1024 bios would be held for task/);
  });

  it("snapshot-cow: each first origin write to a chunk waits for kcopyd's read of the origin and write of the COW area", async () => {
    const r = await run(example("snapshot-cow.json"));
    expect(r.ops.every((o) => o.status === undefined || o.status === "BLK_STS_OK")).toBe(true);
    // base = nvme0n1 0.., cow = nvme0n1 16384..; chunks of 128 sectors: chunk 1 -> COW chunk 0
    const c = r.commands.filter((x) => x.time_ns > 0 && x.slba! < 16384 + 4096).map((x) => [x.name, x.slba, x.blocks]);
    const at = (name: string, slba: number, blocks: number) => c.findIndex((x) => x[0] === name && x[1] === slba && x[2] === blocks);
    expect(at("Read", 128, 128)).toBeGreaterThanOrEqual(0);
    // both chunks' reads go out together; kcopyd writes both COW chunks in one plug, where they
    // back-merge into one request; only then do the two origin writes go out
    const cow = at("Write", 16384, 256);
    expect(cow).toBeGreaterThan(at("Read", 128, 128));
    expect(cow).toBeGreaterThan(at("Read", 2048, 128));
    expect(at("Write", 128, 8)).toBeGreaterThan(cow);
    expect(at("Write", 2048, 8)).toBeGreaterThan(cow);
    expect(r.kcopyd).toHaveLength(1);
    expect([r.kcopyd[0].stats.jobs, r.kcopyd[0].stats.read_bytes]).toEqual([2, 131072]);
    expect(r.dm.find((d) => d.name === "snap")!.status).toEqual(["0 16384 snapshot 384/4096 0"]);
    // the snapshot reads the data from before the writes; the origin has them
    const before = expected(1, 0, 2 << 20);
    const reads = r.ops.filter((o) => o.op === "read");
    expect(reads[0].sha256).toBe(sha256Hex(before));
    const after = before.slice();
    after.set(expected(2, 65536, 4096), 65536);
    after.set(expected(4, 69632, 4096), 69632);
    after.set(expected(3, 1 << 20, 4096), 1 << 20);
    expect(reads[1].sha256).toBe(sha256Hex(after));
    // with kcopyd's offload the two copies are NVMe Copy commands through dm-linear
    const s = example("snapshot-cow.json");
    s.kcopyd.offload = true;
    const o = await run(s);
    expect(o.commands.filter((x) => x.name === "Copy").map((x) => [x.slba, x.ranges])).toEqual([[16384, [{ slba: 128, nlb: 128 }]], [16512, [{ slba: 2048, nlb: 128 }]]]);
    expect(o.ops.filter((x) => x.op === "read").map((x) => x.sha256)).toEqual(reads.map((x) => x.sha256));
  });

  it("kcopyd-percpu: per-CPU jobs run on four CPUs at once, the single worker on one; the same bytes, the single one later", async () => {
    const p = await run(example("kcopyd-percpu.json"));
    const single = example("kcopyd-percpu.json");
    single.kcopyd.variant = "single";
    const s = await run(single);
    expect(p.media).toEqual(s.media);
    expect(p.ops.filter((o) => o.op === "read").map((o) => o.sha256)).toEqual(s.ops.filter((o) => o.op === "read").map((o) => o.sha256));
    expect(p.kcopyd[0].stats.runs_per_cpu.every((n) => n > 0)).toBe(true);
    expect(s.kcopyd[0].stats.runs_per_cpu.filter((n) => n > 0)).toHaveLength(1);
    expect([p.kcopyd[0].stats.max_parallel_workers, s.kcopyd[0].stats.max_parallel_workers]).toEqual([4, 1]);
    const lastCopy = (r: typeof p) => Math.max(...r.ops.filter((o) => o.op === "kcopyd").map((o) => o.done_ns!));
    expect(lastCopy(p)).toBeLessThan(lastCopy(s));
    // the copied bytes: 16 KiB at 4M from 0..16K, and the second destination of one job
    const reads = p.ops.filter((o) => o.op === "read");
    expect(reads[0].sha256).toBe(sha256Hex(expected(9, 0, 16384)));
    expect(reads[1].sha256).toBe(sha256Hex(expected(9, 12288, 4096)));
  });

  it("clone-hydration: on-demand and background hydration by NVMe Copy (kcopyd offload); the clone reads the source plus the writes", async () => {
    const r = await run(example("clone-hydration.json"));
    expect(r.ops.every((o) => o.status === undefined || o.status === "BLK_STS_OK")).toBe(true);
    const want = expected(7, 0, 4 << 20);
    want.set(expected(8, 196 * 1024, 4096), 196 * 1024);
    want.set(expected(9, 1 << 20, 65536), 1 << 20);
    const reads = r.ops.filter((o) => o.op === "read");
    expect(reads[0].sha256).toBe(sha256Hex(want.subarray(65536, 131072)));
    expect(reads[1].sha256).toBe(sha256Hex(want));
    expect(reads[2].sha256).toBe(sha256Hex(want));
    expect(r.dm.find((d) => d.name === "clone")!.status[0]).toMatch(/ 128 64\/64 0 0 4 hydration_threshold 8 hydration_batch_size 4 rw$/);
    // hydration read nothing from the source: the only source reads are the one user read before hydration
    const srcReads = r.commands.filter((c) => c.name === "Read" && c.slba! < 8192);
    expect(srcReads.map((c) => [c.slba, c.blocks])).toEqual([[128, 128]]);
    expect(r.commands.filter((c) => c.name === "Copy").length).toBeGreaterThan(0);
    expect(r.kcopyd[0].stats.offloaded_bytes).toBe((64 - 1) * 65536);
    // without offload: Read+Write hydration, the same bytes
    const s = example("clone-hydration.json");
    s.kcopyd.offload = false;
    const o = await run(s);
    expect(o.commands.filter((c) => c.name === "Copy")).toHaveLength(0);
    expect(o.ops.filter((x) => x.op === "read").map((x) => x.sha256)).toEqual(reads.map((x) => x.sha256));
  });

  it("\"linux\": \"7.2\" drops __submit_bio's plug (no P/U for an unplugged bio); 6.18 is the default; others are refused", async () => {
    const base = { controller: { namespaces: [{ size: "16M" }] }, cpus: 1, steps: [{ op: "write", dev: "nvme0n1", pos: 0, len: 4096 }] };
    const actions = (r: ScenarioResult) => r.events.filter((e) => e.action !== "m").map((e) => e.action).join(" ");
    expect(actions(await run(base))).toBe("Q G P U D C");
    expect(actions(await run({ ...base, linux: "6.18" }))).toBe("Q G P U D C");
    expect(actions(await run({ ...base, linux: "7.2" }))).toBe("Q G D C");
    expect(() => parseScenario({ ...base, linux: "6.1" })).toThrow(/scenario\.linux: "6\.1" is not a modelled kernel \(6\.18 or 7\.2\)/);
    expect(() => parseScenario({ ...base, linux: 7.2 })).toThrow(/scenario\.linux: /);
  });

  it("dm_create, dm_message and kcopyd steps check their arguments; unknown step keys are refused before the run", async () => {
    const base = { controller: { namespaces: [{ size: "16M" }] }, cpus: 1 };
    expect(() => parseScenario({ ...base, steps: [{ op: "write", dev: "nvme0n1", pos: 0, len: 4096, bogus: 1 }] })).toThrow(/steps\[0\]\.bogus: unknown key/);
    // "pages" was once accepted and ignored: a key that does nothing is refused like any other
    expect(() => parseScenario({ ...base, steps: [{ op: "write", dev: "nvme0n1", pos: 0, len: 4096, pages: 2 }] })).toThrow(/steps\[0\]\.pages: unknown key/);
    expect(() => parseScenario({ ...base, kcopyd: { variant: "many" }, steps: [] })).toThrow(/kcopyd\.variant: "many" is not "single" or "percpu"/);
    expect(() => parseScenario({ ...base, kcopyd: { subjob_size_kb: 6 }, steps: [] })).toThrow(/kcopyd\.subjob_size_kb: 6 is not a multiple of 4/);
    await expect(run({ ...base, steps: [{ op: "dm_message", dev: "nope", message: "x" }] })).rejects.toThrow(/steps\[0\]\.dev: no device-mapper device "nope"/);
    await expect(run({ ...base, steps: [{ op: "dm_create", name: "s", table: ["0 8 snapshot nvme0n1 nvme0n1 N 8"] }] })).rejects.toThrow(/steps\[0\]: .*COW device cannot be the same/);
    await expect(run({ ...base, steps: [{ op: "dm_create", name: "l", table: ["0 8 linear nvme0n1 0"] }, { op: "dm_message", dev: "l", message: "hello" }] })).rejects.toThrow(/steps\[1\]: .*takes no messages/);
    await expect(run({ ...base, steps: [{ op: "kcopyd", src: "nvme0n1", src_pos: 0, len: 4096, dst: [] }] })).rejects.toThrow(/steps\[0\]\.dst: expected a list/);
    await expect(run({ ...base, steps: [{ op: "kcopyd", src: "nvme0n1", src_pos: 0, len: 4096, dst: [["nvme0n1", "64M"]] }] })).rejects.toThrow(/steps\[0\]: kcopyd scenario: region nvme0n1/);
    // a read error reaches the step's status with read_err
    const r = await run({ controller: { namespaces: [{ size: "16M" }, { size: "16M", lbaSize: 4096 }] }, cpus: 1, steps: [{ op: "kcopyd", src: "nvme0n2", src_pos: 512, len: 4096, dst: [["nvme0n1", 0]] }, { op: "wait" }] });
    expect([r.ops[0].status, r.ops[0].error]).toEqual(["BLK_STS_IOERR", "read_err"]);
  });

  it("a flush step is blkdev_issue_flush (FWS, one Flush); it takes only dev; preflush writes go through blk-flush", async () => {
    const base = { controller: { namespaces: [{ size: "16M" }] }, cpus: 1 };
    const r = await run({ ...base, steps: [
      { op: "flush", dev: "nvme0n1" }, { op: "wait" },
      { op: "write", dev: "nvme0n1", pos: "1M", len: "4k", preflush: true, fua: true }, { op: "wait" },
    ] });
    expect(r.ops.filter((o) => o.op !== "wait").map((o) => [o.op, o.status])).toEqual([["flush", "BLK_STS_OK"], ["write", "BLK_STS_OK"]]);
    expect(r.events.filter((e) => e.action === "Q").map((e) => e.rwbs)).toEqual(["FWS", "FWF"]);
    expect(r.commands.map((c) => c.name)).toEqual(["Flush", "Flush", "Write"]);
    expect(() => parseScenario({ ...base, steps: [{ op: "flush", dev: "nvme0n1", len: 4096 }] })).toThrow(/steps\[0\]\.len: unknown key \(expected one of: dev\)/);
    // without a volatile write cache nothing reaches the device for the flush
    const n = await run({ ...base, controller: { vwc: 0, namespaces: [{ size: "16M" }] }, steps: [{ op: "flush", dev: "nvme0n1" }, { op: "wait" }] });
    expect([n.ops[0].status, n.commands.length, n.events.length]).toEqual(["BLK_STS_OK", 0, 0]);
  });

  it("write_cache (queue_wc_store): \"write through\" drops flushes and FUA although the device keeps its cache; \"write back\" restores them", async () => {
    const base = { controller: { namespaces: [{ size: "16M" }] }, cpus: 1 };
    const flushAndFua = [
      { op: "flush", dev: "nvme0n1" }, { op: "wait" },
      { op: "write", dev: "nvme0n1", pos: "1M", len: "4k", preflush: true, fua: true }, { op: "wait" },
    ];
    const r = await run({ ...base, sysfs: { nvme0n1: { write_cache: "write through" } }, steps: [
      ...flushAndFua,
      // echo "write back" > write_cache: the newline is fine (strncmp of the first 10 bytes)
      { op: "sysfs", dev: "nvme0n1", attr: "write_cache", value: "write back\n" },
      ...flushAndFua,
    ] });
    expect(r.ops.filter((o) => o.op === "flush" || o.op === "write").map((o) => o.status)).toEqual(Array(4).fill("BLK_STS_OK"));
    // write through (bdev_write_cache false): the empty flush ends in submit_bio_noacct (no Q, no
    // command) and the write loses PREFLUSH and FUA: Q W, one Write without FUA. Write back: as before
    expect(r.events.filter((e) => e.action === "Q").map((e) => e.rwbs)).toEqual(["W", "FWS", "FWF"]);
    expect(r.commands.map((c) => c.name)).toEqual(["Write", "Flush", "Flush", "Write"]);
    expect(r.disks[0].limits.write_cache).toBe("write back");
    const wt = await run({ ...base, sysfs: { nvme0n1: { write_cache: "none" } }, steps: [] });
    expect(wt.disks[0].limits.write_cache).toBe("write through");
    // the device's cache is untouched: VWC still reported, nothing sent to change it
    expect(wt.commands).toEqual([]);
    // no volatile write cache (VWC 0): "write back" clears the flag but there is no cache to use
    const n = await run({ ...base, controller: { vwc: 0, namespaces: [{ size: "16M" }] }, sysfs: { nvme0n1: { write_cache: "write back" } }, steps: flushAndFua.slice(0, 2) });
    expect([n.disks[0].limits.write_cache, n.commands.length, n.events.length]).toEqual(["write through", 0, 0]);
  });

  it("write_cache under device-mapper: dm's own flag stops a flush at dm; a namespace's stops its clone there", async () => {
    const base = { controller: { namespaces: [{ size: "16M" }] }, cpus: 1, stack: [{ name: "lin", table: ["0 8192 linear nvme0n1 0"] }] };
    const flush = [{ op: "flush", dev: "dm-0" }, { op: "wait" }];
    // dm-0 write through: the flush never reaches dm (no Q on 253,0, nothing below)
    const d = await run({ ...base, sysfs: { "dm-0": { write_cache: "write through" } }, steps: flush });
    expect([d.ops[0].status, d.events.filter((e) => e.action !== "m").length, d.commands.length]).toEqual(["BLK_STS_OK", 0, 0]);
    expect(d.disks.map((x) => `${x.name} ${x.limits.write_cache}`)).toEqual(["nvme0n1 write back", "dm-0 write through"]);
    // the namespace write through: dm still has the cache feature it stacked (blk_stack_limits
    // inherits BLK_FEAT_WRITE_CACHE, not the flag), sends its empty flush clone, which the
    // namespace's submit_bio_noacct ends at once: Q and A, no request, no command
    const n = await run({ ...base, sysfs: { nvme0n1: { write_cache: "write through" } }, steps: flush });
    expect(n.events.filter((e) => e.action !== "m").map((e) => `${e.action} ${e.major}`)).toEqual(["Q 253", "A 259", "C 253"]);
    expect(n.commands).toEqual([]);
  });

  it("the same scenario gives the same events and media", async () => {
    const a = await run(example("ctx-gc.json"));
    const b = await run(example("ctx-gc.json"));
    expect(JSON.stringify(a.events)).toBe(JSON.stringify(b.events));
    expect(a.media).toEqual(b.media);
  });

  it("bad scenarios name the JSON path", () => {
    const bad = (s: unknown, msg: RegExp) => expect(() => parseScenario(s, "f.json")).toThrow(msg);
    bad({ steps: [{ op: "copy!" }] }, /f\.json\.steps\[0\]\.op: "copy!" is not one of/);
    bad({ design: "token", steps: [] }, /f\.json\.design: "token"/);
    bad({ steps: [], sysfs: { nvme0n1: { max_hw_sectors_kb: 4 } } }, /max_hw_sectors_kb: read-only/);
    bad({ steps: [], tasks: [{ comm: "a" }, { comm: "a" }] }, /two tasks are named "a"/);
    bad({ steps: [{ op: "write" }], tasks: [{ comm: "a" }, { comm: "b" }] }, /steps\[0\]\.task: missing/);
    bad({ steps: [], cpus: 0 }, /f\.json\.cpus: 0 is not an integer in 1\.\.64/);
    // nvme-pci's io_queue_depth range (NVME_PCI_MAX_QUEUE_SIZE 4095: a tag fits nvme_cid's 12 bits)
    bad({ steps: [], queue_depth: 4096 }, /f\.json\.queue_depth: 4096 is not an integer in 2\.\.4095/);
    bad({ steps: [], extra: 1 }, /f\.json\.extra: unknown key/);
    bad({ steps: [{ op: "release", n: 1 }] }, /f\.json\.steps\[0\]\.n: unknown key \(expected one of: count\)/);
    bad({ steps: [{ op: "release", count: 0 }] }, /f\.json\.steps\[0\]\.count: 0 is not "all" or an integer in 1\.\.1024/);
    bad({ steps: [{ op: "release", count: "some" }] }, /f\.json\.steps\[0\]\.count: "some" is not "all"/);
    bad({ steps: [{ op: "copy", hold: "yes" }] }, /f\.json\.steps\[0\]\.hold: expected true or false/);
  });

  it("a bad step fails with its path and a bad value for a sysfs file is refused", async () => {
    await expect(run({ steps: [{ op: "write", dev: "nvme0n9", pos: 0, len: 4096 }] })).rejects.toThrow(/steps\[0\]\.dev: no block device "nvme0n9"/);
    await expect(run({ steps: [{ op: "sysfs", dev: "nvme0n1", attr: "max_sectors_kb", value: 1 }] })).rejects.toThrow(/max_sectors_kb = 1: must be 0 or at least 4 \(KiB\)/);
    // write_cache takes queue_wc_store's words, a string; anything else names the field and the value
    await expect(run({ steps: [{ op: "sysfs", dev: "nvme0n1", attr: "write_cache", value: "write behind" }] })).rejects.toThrow(
      /^scenario\.steps\[0\]: nvme0n1\/queue\/write_cache = "write behind": must be "write back", "write through" or "none"/);
    await expect(run({ steps: [{ op: "sysfs", dev: "nvme0n1", attr: "write_cache", value: 0 }] })).rejects.toThrow(
      /^scenario\.steps\[0\]\.value: 0: write_cache takes "write back", "write through", "none"/);
    await expect(run({ sysfs: { nvme0n1: { write_cache: "writeback" } }, steps: [] })).rejects.toThrow(
      /^scenario\.sysfs\.nvme0n1\.write_cache: nvme0n1\/queue\/write_cache = "writeback": must be "write back"/);
    expect(() => parseScenario({ sysfs: { nvme0n1: { write_cache: true } }, steps: [] }, "f.json")).toThrow(
      /^f\.json\.sysfs\.nvme0n1\.write_cache: true: write_cache takes "write back", "write through", "none"/);
    await expect(run({ steps: [{ op: "copy", src: "nvme0n1", src_pos: 0, dst: "nvme0n1", dst_pos: 2048, len: 4096 }] })).rejects.toThrow(/steps\[0\]: copy: source 0\+4096 overlaps destination/);
  });
});

describe("NVMe command identifiers in modelled time", () => {
  it("no two commands outstanding at once on a queue share a CID (the CID is the request's tag)", async () => {
    // vector-merge with MSRC 1: one request's four ranges go out as two Copy commands at once
    const msrc1 = example("vector-merge.json");
    msrc1.controller.namespaces[0].msrc = 1;
    for (const [name, setup] of [...["clone-hydration.json", "kcopyd-percpu.json", "snapshot-cow.json", "vector-merge.json"].map((n) => [n, example(n)]), ["vector-merge, MSRC 1", msrc1]]) {
      const r = await run(setup);
      const byQ = new Map<number, typeof r.commands>();
      for (const c of r.commands) byQ.set(c.qid, [...(byQ.get(c.qid) ?? []), c]);
      for (const [qid, cmds] of byQ) {
        for (let i = 0; i < cmds.length; i++) {
          for (let j = i + 1; j < cmds.length; j++) {
            const a = cmds[i], b = cmds[j];
            const overlap = a.time_ns < b.done_ns! && b.time_ns < a.done_ns!;
            if (overlap && a.cid === b.cid) throw new Error(`${name}: qid ${qid} CID ${a.cid} used by commands ${a.seq} and ${b.seq} at once`);
          }
        }
      }
    }
  });
});

describe("nvmelab blk run", () => {
  it("prints the blkparse trace, the ops, the NVMe commands and disk stats; writes JSON", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nvmelab-blk-"));
    writeFileSync(join(dir, "s.json"), readFileSync(join(__dirname, "../../examples/blk/ctx-gc.json")));
    let out = "";
    let err = "";
    const io: Io = {
      out: (t) => { out += t + "\n"; }, outBytes: () => {}, err: (t) => { err += t + "\n"; },
      readFile: (p) => new Uint8Array(readFileSync(join(dir, p))), writeFile: (p, b) => writeFileSync(join(dir, p), b), readStdin: () => null,
    };
    const code = await main(["blk", "run", "s.json", "--json=r.json"], io);
    expect(err).toBe("");
    expect(code).toBe(0);
    expect(out).toMatch(/^259,0 +0 +1 +0\.000000000 +\d+ +Q +W 0 \+ 512 \[f2fs_gc\]$/m);
    expect(out).toMatch(/Copy sdlba=16384 nr=8 ranges=\[0\+8,32\+8/);
    expect(out).toMatch(/Disk stats \(read\/write\):\n +nvme0n1: ios=1\/17,/);
    const j = JSON.parse(readFileSync(join(dir, "r.json"), "utf8"));
    expect(j.commands.filter((c: { name: string }) => c.name === "Copy")).toHaveLength(2);
    expect(j.disk_util[0].name).toBe("nvme0n1");
    expect(j.media[0].sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(await main(["blk", "stop"], io)).not.toBe(0);
    expect(err).toMatch(/blk: unknown subcommand "stop"/);
  });
});

void ScenarioError;
