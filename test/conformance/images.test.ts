// Raw namespace images are the ones QEMU's nvme-ns uses (data area, then metadata area):
// QEMU 10.0.2's own image files, kept after the image-compat trace, import to QEMU's media
// hashes, and exporting the same media writes byte-identical files. The trace replayed on
// the emulator writes the same images too.

import { describe, it, expect } from "vitest";
import { readFileSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { ControllerCore } from "../../src/controller/core";
import { hashMedia, hashMetadata } from "../../src/controller/media";
import { readImage, writeImage } from "../../src/node/images";
import { loadCoreModule } from "../../src/node/wasm";
import { nodeSha256 } from "../../src/node/hash";
import { emulatorConfig, runTrace } from "../../src/replay/run";
import { normalizeConfig } from "../../src/replay/trace";

const dir = join(__dirname, "../fixtures/oracle");
const trace = JSON.parse(readFileSync(join(dir, "traces/image-compat.json"), "utf8"));
const qemu = JSON.parse(readFileSync(join(dir, "results/image-compat.qemu-10.0.2.json"), "utf8"));

async function emptyController(): Promise<ControllerCore> {
  const core = await ControllerCore.create(await loadCoreModule(false), emulatorConfig(normalizeConfig(trace.config)));
  core.exports.ctrl_power_on();
  return core;
}

describe("raw images interchange with QEMU's nvme-ns", () => {
  it("imports QEMU's images to QEMU's data and metadata hashes, and exports them byte for byte", async () => {
    const core = await emptyController();
    const tmp = mkdtempSync(join(tmpdir(), "nvmelab-img-"));
    try {
      for (const m of qemu.final_media as Array<{ nsid: number; sha256: string; metadata_sha256?: string }>) {
        const file = join(dir, `images/image-compat.ns${m.nsid}.img`);
        readImage(core, m.nsid, file);
        expect(hashMedia(core, m.nsid, nodeSha256())).toBe(m.sha256);
        if (m.metadata_sha256) expect(hashMetadata(core, m.nsid, nodeSha256())).toBe(m.metadata_sha256);
        const out = join(tmp, `ns${m.nsid}.img`);
        writeImage(core, m.nsid, out);
        expect(Buffer.compare(readFileSync(out), readFileSync(file))).toBe(0);
      }
      expect(core.nuse(1)).toBe(11); // only non-zero blocks were stored
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it("the trace replayed on the emulator writes QEMU's images", async () => {
    const ours = await runTrace(trace, { module: await loadCoreModule(false), sha256: nodeSha256 });
    expect(ours.final_media).toEqual(qemu.final_media);
  });

  it("refuses an image whose size does not fit the namespace, changing nothing", async () => {
    const core = await emptyController();
    const before = hashMedia(core, 2, nodeSha256());
    expect(() => readImage(core, 2, join(dir, "images/image-compat.ns1.img"))).toThrow(/image is 33280 bytes, namespace 2 needs 65536 bytes/);
    expect(hashMedia(core, 2, nodeSha256())).toBe(before);
  });
});
