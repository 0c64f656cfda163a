// The Media view's model on a real run (examples/blk/vector-merge.json in a LabSession): every
// Copy's destination holds its sources' bytes as sourceOf maps them, the highlight of the last
// Copy, hexdump lines of the exported image, and an image export and re-import that gives the
// same media hash (a wrong-size image changes nothing).

import { describe, it, expect, beforeAll } from "vitest";
import { readFileSync } from "node:fs";
import { LabSession, type LabRun } from "../../src/lab/session";
import { loadCoreModule } from "../../src/node/wasm";
import { Sha256 } from "../../src/util/sha256";
import * as M from "../../web/views/media-model";

const example = (name: string) => JSON.parse(readFileSync(`examples/blk/${name}.json`, "utf8")) as unknown;
const equal = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

describe("the Media view's model on a LabSession run", () => {
  const lab = new LabSession(() => loadCoreModule(false), () => new Sha256());
  let run: LabRun;
  beforeAll(async () => { run = await lab.run(example("vector-merge")); });

  it("highlights the last Copy: its destination and its source ranges", () => {
    const list = M.mediaCommands(run.commands, 1);
    expect(list[0].cmd.name).toBe("Write");
    const last = M.lastWriter(list, 1)!;
    expect(last.cmd.name).toBe("Copy");
    expect(last.index).toBe(run.commands.length - 1);
    const hl = M.highlightOf(last.cmd, 1);
    // the 2M copy to 8M (LBA 16384) is split at MCL 256 blocks: the last piece is 16384 + 15*256
    expect(hl.written).toEqual([{ lba: 16384 + 15 * 256, count: 256 }]);
    expect(hl.sources.reduce((n, r) => n + r.count, 0)).toBe(256);
    expect(hl.sources[0].lba).toBe(15 * 256);
    // the merged copy of the plug: four 8k copies in one command to 4M (LBA 8192)
    const merged = list.find((c) => c.cmd.name === "Copy" && c.cmd.slba === 8192)!;
    expect(M.highlightOf(merged.cmd, 1).sources).toEqual([{ lba: 0, count: 16 }, { lba: 200, count: 16 }, { lba: 400, count: 16 }, { lba: 600, count: 16 }]);
  });

  it("maps every destination block of every Copy to the source block it holds", () => {
    const copies = run.commands.filter((c) => c.name === "Copy");
    let checked = 0;
    for (const c of copies) {
      for (let lba = c.slba!; lba < c.slba! + c.blocks!; lba++) {
        const s = M.sourceOf(c, lba)!;
        // the sources were written once (0..1M) and never overwritten: they still hold what was copied
        expect(equal(lab.readBlocks(1, lba, 1).data, lab.readBlocks(1, s.lba, 1).data)).toBe(true);
        checked++;
      }
    }
    expect(checked).toBe(64 + 4096);
    // and a wrong mapping would be caught: neighbouring source blocks differ
    expect(equal(lab.readBlocks(1, 8192, 1).data, lab.readBlocks(1, 1, 1).data)).toBe(false);
  });

  it("dumps the exported image's bytes at the offsets hexdump -C -s would print", () => {
    const ns = run.namespaces[0];
    const image = lab.exportImage(1);
    expect(image.length).toBe(ns.imageBytes);
    const { data } = lab.readBlocks(1, 8192, 2);
    const at = M.dataOffset(ns, 8192);
    expect(at).toBe(4 << 20);
    const fromImage = M.hexdumpLines(image.subarray(at, at + 1024), at, { squeeze: false });
    const fromRead = M.hexdumpLines(data, at, { squeeze: false });
    expect(fromRead.map((l) => l.text)).toEqual(fromImage.map((l) => l.text));
    expect(fromRead[0].text.startsWith("00400000  ")).toBe(true);
    // unwritten LBAs read as zeroes: one line and a *
    const zero = lab.readBlocks(1, 100_000, 1).data;
    expect(M.hexdumpLines(zero, M.dataOffset(ns, 100_000)).map((l) => l.text)).toEqual([
      "030d4000  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|", "*"]);
  });

  it("exports an image and re-imports it with the same media hash; a wrong size changes nothing", () => {
    const ns = run.namespaces[0];
    const hash = lab.mediaHash(1);
    const image = lab.exportImage(1);
    // the media hash is sha256 of the image's data area (the oracle's media_hash)
    const sha = new Sha256();
    sha.update(image.subarray(0, ns.blocks * ns.lbaBytes));
    expect(hash).toBe(sha.digestHex());
    const stored = lab.stored(1);

    // a wrong-size image: the model's check and the lab's say the same, and nothing changes
    const bad = image.subarray(0, 4096);
    const problem = M.imageSizeProblem(ns, bad.length, "short.img");
    expect(() => lab.importImage(1, bad, "short.img")).toThrow(problem);
    expect(lab.mediaHash(1)).toBe(hash);

    // replace the media with zeroes, then import the exported image back
    const zeroHash = lab.importImage(1, new Uint8Array(ns.imageBytes), "zero.img");
    expect(zeroHash).not.toBe(hash);
    expect(lab.stored(1)).toEqual([]);
    expect(lab.importImage(1, image, "vector-merge-ns1.img")).toBe(hash);
    expect(lab.mediaHash(1)).toBe(hash);
    expect(M.storedBlocks(lab.stored(1))).toBeLessThanOrEqual(M.storedBlocks(stored));
    expect(equal(lab.exportImage(1), image)).toBe(true);
  });
});
