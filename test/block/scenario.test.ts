// Scenario files as a user runs them: the examples in examples/blk give the commands and the
// data docs/BLOCK.md describes; `nvmelab blk run` prints the trace and the summary and writes
// the JSON; bad files are refused with the JSON path of the problem.

import { describe, it, expect } from "vitest";
import { readFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { parseScenario, runScenario, patternByte, ScenarioError } from "../../src/block/scenario";
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
    bad({ steps: [], extra: 1 }, /f\.json\.extra: unknown key/);
  });

  it("a bad step fails with its path and a bad value for a sysfs file is refused", async () => {
    await expect(run({ steps: [{ op: "write", dev: "nvme0n9", pos: 0, len: 4096 }] })).rejects.toThrow(/steps\[0\]\.dev: no block device "nvme0n9"/);
    await expect(run({ steps: [{ op: "sysfs", dev: "nvme0n1", attr: "max_sectors_kb", value: 1 }] })).rejects.toThrow(/max_sectors_kb = 1: must be 0 or between 4/);
    await expect(run({ steps: [{ op: "copy", src: "nvme0n1", src_pos: 0, dst: "nvme0n1", dst_pos: 2048, len: 4096 }] })).rejects.toThrow(/steps\[0\]: copy: source 0\+4096 overlaps destination/);
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
