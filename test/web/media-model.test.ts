// The Media view's model (web/views/media-model.ts): hexdump -C lines (checked against the real
// hexdump where it is installed), image offsets for 512/4096-byte LBAs with metadata, what a
// command wrote (Write, Write Zeroes, DSM, Copy with partial completion and cross-namespace
// ranges), navigation bounds, locations typed by the user, and the image size rule.

import { describe, it, expect } from "vitest";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { NvmeCommandRecord } from "../../src/block/trace";
import type { LabNamespace } from "../../src/lab/session";
import * as M from "../../web/views/media-model";

const ns = (lbaBytes: number, metadataBytes: number, blocks: number, nsid = 1): LabNamespace =>
  ({ nsid, lbaBytes, metadataBytes, blocks, imageBytes: blocks * (lbaBytes + metadataBytes) });

const cmd = (p: Partial<NvmeCommandRecord> & Pick<NvmeCommandRecord, "opcode" | "name">): NvmeCommandRecord =>
  ({ seq: 1, time_ns: 0, disk: "nvme0n1", rq: 1, qid: 1, cid: 0, nsid: 1, status: 0, ...p });

const HEXDUMP = "/usr/bin/hexdump";

describe("hexdump -C lines", () => {
  const bytes = new Uint8Array(106);
  bytes.set([...new TextEncoder().encode("Hello, NVMe!\n")]);
  bytes.set([0x7f, 0x80, 0xff, 0x41, 0x42, 0x43], 100);

  it("prints offset, two groups of eight bytes and the ASCII column, squeezing repeats to *", () => {
    const lines = M.hexdumpLines(bytes, 0);
    expect(lines.map((l) => l.text)).toEqual([
      "00000000  48 65 6c 6c 6f 2c 20 4e  56 4d 65 21 0a 00 00 00  |Hello, NVMe!....|",
      "00000010  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|",
      "*",
      "00000060  00 00 00 00 7f 80 ff 41  42 43                    |.......ABC|",
    ]);
    expect(lines[2]).toMatchObject({ squeezed: true, offset: 0x20 });
    expect(M.endLine(106)).toBe("0000006a");
    // -v: every line
    expect(M.hexdumpLines(bytes, 0, { squeeze: false })).toHaveLength(7);
  });

  it("uses the image offset and widens the offset column past 4 GiB", () => {
    expect(M.hexLine(new Uint8Array(16).fill(0x41), 0x400000)).toMatch(/^00400000  41 41 41 41 41 41 41 41  41 41 41 41 41 41 41 41  \|AAAAAAAAAAAAAAAA\|$/);
    expect(M.offsetDigits(ns(512, 0, 131072))).toBe(8);
    expect(M.offsetDigits(ns(4096, 0, 2 ** 21))).toBe(9); // 8 GiB
    expect(M.hexLine(new Uint8Array(1), 0x100000000, 9)).toMatch(/^100000000  00 /);
  });

  it.skipIf(!existsSync(HEXDUMP))("matches the hexdump tool byte for byte", () => {
    const dir = mkdtempSync(join(tmpdir(), "media-model-"));
    const file = join(dir, "x.img");
    const data = new Uint8Array(4096 + 37);
    for (let i = 0; i < data.length; i++) data[i] = i < 1024 ? 0 : i < 2048 ? (i * 7) & 0xff : i % 3 === 0 ? 0x20 : 0x61 + (i % 5);
    writeFileSync(file, data);
    for (const [s, n] of [[0, data.length], [512, 1024], [1024, 512], [4096, 37]]) {
      const want = execFileSync(HEXDUMP, ["-C", "-s", String(s), "-n", String(n), file], { encoding: "utf8" }).trimEnd().split("\n");
      const got = [...M.hexdumpLines(data.subarray(s, s + n), s).map((l) => l.text), M.endLine(s + n)];
      expect(got).toEqual(want);
    }
  });
});

describe("offsets in the raw image", () => {
  it("places data first, then metadata (hw/nvme/ns.c), for 512 and 4096-byte formats", () => {
    const a = ns(512, 8, 1000);
    expect(M.dataOffset(a, 3)).toBe(1536);
    expect(M.metadataOffset(a, 0)).toBe(512_000);
    expect(M.metadataOffset(a, 3)).toBe(512_024);
    expect(M.offsetToLba(a, 1536 + 100)).toEqual({ lba: 3, area: "data", within: 100 });
    expect(M.offsetToLba(a, 512_024 + 7)).toEqual({ lba: 3, area: "metadata", within: 7 });
    expect(M.offsetToLba(a, a.imageBytes)).toBeUndefined();
    const b = ns(4096, 64, 16);
    expect(M.dataOffset(b, 15)).toBe(15 * 4096);
    expect(M.metadataOffset(b, 15)).toBe(16 * 4096 + 15 * 64);
    expect(M.offsetToLba(b, b.imageBytes - 1)).toEqual({ lba: 15, area: "metadata", within: 63 });
    expect(M.hexdumpCommand("x.img", b, 2, 3)).toBe("hexdump -C -s 8192 -n 12288 x.img");
  });
});

describe("what a command wrote", () => {
  const write = cmd({ seq: 1, opcode: 0x01, name: "Write", slba: 0, blocks: 1024 });
  const copy = cmd({ seq: 2, opcode: 0x19, name: "Copy", slba: 8192, blocks: 64, nr: 4,
    ranges: [{ slba: 0, nlb: 16 }, { slba: 200, nlb: 16 }, { slba: 400, nlb: 16 }, { slba: 600, nlb: 16 }] });
  const read = cmd({ seq: 3, opcode: 0x02, name: "Read", slba: 0, blocks: 8 });
  const wz = cmd({ seq: 4, opcode: 0x08, name: "Write Zeroes", slba: 50, blocks: 2 });
  const dsm = cmd({ seq: 5, opcode: 0x09, name: "Dataset Management", nr: 2, ranges: [{ slba: 10, nlb: 4 }, { slba: 90, nlb: 1 }] });
  const other = cmd({ seq: 6, opcode: 0x01, name: "Write", nsid: 2, disk: "nvme0n2", slba: 7, blocks: 1 });

  it("lists the commands that changed the namespace and picks the last Write/Write Zeroes/Copy", () => {
    const list = M.mediaCommands([write, copy, read, wz, dsm, other], 1);
    expect(list.map((c) => c.index)).toEqual([0, 1, 3, 4]);
    // DSM is listed but is not a write: the last write is the Write Zeroes
    expect(M.lastWriter(list, 1)?.cmd).toBe(wz);
    expect(M.lastWriter(M.mediaCommands([write, copy], 1), 1)?.cmd).toBe(copy);
    expect(M.lastWriter(M.mediaCommands([read], 1), 1)).toBeUndefined();
    expect(M.mediaCommands([write, other], 2).map((c) => c.cmd)).toEqual([other]);
  });

  it("marks a Copy's destination and its source ranges, and maps each destination LBA to its source", () => {
    const hl = M.highlightOf(copy, 1);
    expect(hl.written).toEqual([{ lba: 8192, count: 64 }]);
    expect(hl.sources).toEqual([{ lba: 0, count: 16 }, { lba: 200, count: 16 }, { lba: 400, count: 16 }, { lba: 600, count: 16 }]);
    expect(M.markOf(hl, 8192)).toBe("dst");
    expect(M.markOf(hl, 8255)).toBe("dst");
    expect(M.markOf(hl, 8256)).toBeUndefined();
    expect(M.markOf(hl, 215)).toBe("src");
    expect(M.markOf(hl, 216)).toBeUndefined();
    expect(M.sourceOf(copy, 8192)).toEqual({ range: 0, lba: 0, nsid: 1 });
    expect(M.sourceOf(copy, 8208)).toEqual({ range: 1, lba: 200, nsid: 1 });
    expect(M.sourceOf(copy, 8255)).toEqual({ range: 3, lba: 615, nsid: 1 });
    expect(M.sourceOf(copy, 8256)).toBeUndefined();
    expect(M.focusLba(hl)).toBe(8192);
    expect(M.describeCommand(copy)).toBe("Copy SDLBA 8192, 64 blocks from 4 ranges: 0-15, 200-215, 400-415, …");
    expect(M.describeHighlight(hl)).toBe("wrote LBAs 8192-8255 (64 blocks); source ranges 0-15, 200-215, 400-415, 600-615 (64 blocks)");
  });

  it("names a command's size in blocks, never as the 0's based NLB field", () => {
    // NLB is 0's based (NLB 0 is one block): a count printed as NLB would be one too many
    expect(M.describeCommand(cmd({ opcode: 0x01, name: "Write", slba: 0, blocks: 1024 }))).toBe("Write SLBA 0, 1024 blocks");
    expect(M.describeCommand(cmd({ opcode: 0x08, name: "Write Zeroes", slba: 2, blocks: 1 }))).toBe("Write Zeroes SLBA 2, 1 block");
    expect(M.describeCommand(cmd({ opcode: 0x19, name: "Copy", slba: 128, blocks: 2, ranges: [{ slba: 1, nlb: 2 }] }))).toBe("Copy SDLBA 128, 2 blocks from 1 range: 1-2");
  });

  it("marks an overlapping source and destination as both", () => {
    const c = cmd({ opcode: 0x19, name: "Copy", slba: 4, blocks: 8, ranges: [{ slba: 0, nlb: 8 }] });
    const hl = M.highlightOf(c, 1);
    expect([0, 4, 11, 12].map((l) => M.markOf(hl, l))).toEqual(["src", "both", "dst", undefined]);
  });

  it("counts only the ranges before CQE Dword 0 for a failed Copy", () => {
    const failed = { ...copy, status: 0x181, dw0: 2 };
    const hl = M.highlightOf(failed, 1);
    expect(hl.written).toEqual([{ lba: 8192, count: 32 }]);
    expect(hl.note).toMatch(/2 of 4 source ranges were copied/);
    expect(M.highlightOf({ ...copy, status: 0x181, dw0: 0 }, 1).written).toEqual([]);
  });

  it("keeps cross-namespace sources on their own namespace", () => {
    const x = cmd({ opcode: 0x19, name: "Copy", nsid: 2, slba: 0, blocks: 3, ranges: [{ slba: 5, nlb: 1, nsid: 1 }, { slba: 9, nlb: 2, nsid: 2 }] });
    expect(M.highlightOf(x, 1)).toMatchObject({ written: [], sources: [{ lba: 5, count: 1 }] });
    expect(M.highlightOf(x, 2)).toMatchObject({ written: [{ lba: 0, count: 3 }], sources: [{ lba: 9, count: 2 }] });
    expect(M.mediaCommands([x], 1)).toHaveLength(1);
    expect(M.lastWriter(M.mediaCommands([x], 1), 1)).toBeUndefined();
    expect(M.sourceOf(x, 1)).toEqual({ range: 1, lba: 9, nsid: 2 });
  });

  it("marks Write, Write Zeroes and deallocated ranges", () => {
    expect(M.highlightOf(write, 1)).toMatchObject({ kind: "written", written: [{ lba: 0, count: 1024 }], sources: [] });
    expect(M.highlightOf(wz, 1)).toMatchObject({ kind: "zeroed", written: [{ lba: 50, count: 2 }] });
    expect(M.highlightOf(dsm, 1)).toMatchObject({ kind: "deallocated", written: [{ lba: 10, count: 4 }, { lba: 90, count: 1 }] });
    expect(M.highlightOf({ ...write, status: 0x80 }, 1).note).toMatch(/undefined/);
    expect(M.describeHighlight(M.highlightOf(wz, 1))).toBe("zeroed LBAs 50-51 (2 blocks)");
    expect(M.describeHighlight(M.highlightOf({ ...wz, blocks: 1 }, 1))).toBe("zeroed LBA 50 (1 block)");
  });
});

describe("navigation", () => {
  const a = ns(512, 0, 100);
  it("keeps the window inside the namespace", () => {
    expect(M.navigate(a, 0, 8, "PageDown")).toBe(8);
    expect(M.navigate(a, 0, 8, "PageUp")).toBe(0);
    expect(M.navigate(a, 5, 8, "ArrowUp")).toBe(4);
    expect(M.navigate(a, 99, 8, "ArrowDown")).toBe(99);
    expect(M.navigate(a, 95, 8, "PageDown")).toBe(99);
    expect(M.navigate(a, 10, 8, "End")).toBe(92);
    expect(M.navigate(a, 10, 8, "Home")).toBe(0);
    expect(M.navigate(a, 10, 8, "x")).toBeUndefined();
    expect(M.windowCount(a, 97, 8)).toBe(3);
    expect(M.clampStart(a, -3)).toBe(0);
    expect(M.clampStart(a, NaN)).toBe(0);
  });

  it("reads LBAs and block-aligned byte offsets, and says what is wrong", () => {
    const b = ns(512, 0, 131072);
    expect(M.parseLocation("8192", b)).toEqual({ lba: 8192 });
    expect(M.parseLocation(" 0x2000 ", b)).toEqual({ lba: 8192 });
    expect(M.parseLocation("4M", b)).toEqual({ lba: 8192 });
    expect(M.parseLocation("4104k", b)).toEqual({ lba: 8208 });
    expect(M.parseLocation("1024b", b)).toEqual({ lba: 2 });
    expect(M.parseLocation("100b", b)).toEqual({ error: "byte offset 100 is not a multiple of the 512-byte LBA size" });
    expect(M.parseLocation("131072", b)).toEqual({ error: "LBA 131072 is outside namespace 1 (LBAs 0-131071)" });
    expect(M.parseLocation("64M", b)).toMatchObject({ error: expect.stringMatching(/outside/) });
    expect(M.parseLocation("4Q", b)).toMatchObject({ error: expect.stringMatching(/not a unit/) });
    expect(M.parseLocation("-1", b)).toMatchObject({ error: expect.stringMatching(/is not an LBA/) });
    expect(M.nextStored([{ lba: 0, count: 10 }, { lba: 50, count: 5 }], 10)).toEqual({ lba: 50, count: 5 });
    expect(M.nextStored([{ lba: 0, count: 10 }], 10)).toBeUndefined();
  });
});

describe("images", () => {
  it("names the file, checks its size and gives QEMU's options", () => {
    expect(M.imageName("vector-merge", 1)).toBe("vector-merge-ns1.img");
    expect(M.imageName(undefined, 2)).toBe("setup-ns2.img");
    const a = ns(512, 0, 131072);
    expect(M.imageSizeProblem(a, 64 << 20, "x.img")).toBeUndefined();
    expect(M.imageSizeProblem(a, 1000, "x.img")).toBe("x.img: it is 1000 bytes; namespace 1 needs 67108864 bytes (131072 blocks of 512)");
    const b = ns(4096, 8, 16, 3);
    expect(M.imageSizeProblem(b, 16 * 4096, "y")).toBeUndefined();
    expect(M.imageSizeProblem(b, 16 * 4104, "y")).toBeUndefined();
    expect(M.imageSizeProblem(b, 5, "y")).toBe("y: it is 5 bytes; namespace 3 needs 65536 (data) or 65664 (data + metadata) bytes (16 blocks of 4096+8)");
    expect(M.qemuArgs("v.img", b)).toBe("-drive file=v.img,format=raw,if=none,id=nvm3 -device nvme,serial=nvmelab,id=nvme0 -device nvme-ns,drive=nvm3,bus=nvme0,nsid=3,logical_block_size=4096,physical_block_size=4096,ms=8");
    expect(M.sizeText(64 << 20)).toBe("64 MiB");
    expect(M.sizeText(1000)).toBe("1000 bytes");
  });
});
