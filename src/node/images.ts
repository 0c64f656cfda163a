// Raw namespace images as QEMU's nvme-ns opens them with format=raw: nblocks * block_size
// bytes of data, followed (when the format has metadata) by nblocks * ms bytes of metadata
// (hw/nvme/ns.c places metadata after the data area). Written sparse: only stored blocks.

import { openSync, closeSync, ftruncateSync, writeSync, readSync, fstatSync } from "node:fs";
import { ControllerCore } from "../controller/core";
import { lbaSize, metadataSize } from "../controller/config";
import { storedRuns, visitBlocks, importBlocks, StoredRun } from "../controller/media";

export function imageBytes(core: ControllerCore, nsid: number): number {
  const ns = core.config.namespaces[core.slotOf(nsid)];
  return ns.blocks * (lbaSize(ns) + metadataSize(ns));
}

/** Write namespace nsid as a raw image at path (replacing it). Returns the stored runs. */
export function writeImage(core: ControllerCore, nsid: number, path: string): StoredRun[] {
  const ns = core.config.namespaces[core.slotOf(nsid)];
  const bs = lbaSize(ns);
  const ms = metadataSize(ns);
  const moff = ns.blocks * bs;
  const fd = openSync(path, "w");
  try {
    ftruncateSync(fd, imageBytes(core, nsid));
    const runs = storedRuns(core, nsid);
    for (const r of runs) {
      visitBlocks(core, nsid, r.lba, r.count, (lba, _n, data, md) => {
        if (data) writeSync(fd, data, 0, data.length, lba * bs);
        if (md && ms) writeSync(fd, md, 0, md.length, moff + lba * ms);
      });
    }
    return runs;
  } finally {
    closeSync(fd);
  }
}

/**
 * Load a raw image into namespace nsid. Its size must be the namespace's data area, or data
 * plus metadata area. With runs, only those LBAs are read (a state file lists them);
 * without, the whole image is scanned and all-zero blocks are skipped.
 */
export function readImage(core: ControllerCore, nsid: number, path: string, runs?: StoredRun[]): void {
  const ns = core.config.namespaces[core.slotOf(nsid)];
  const bs = lbaSize(ns);
  const ms = metadataSize(ns);
  const fd = openSync(path, "r");
  try {
    const size = fstatSync(fd).size;
    const dataBytes = ns.blocks * bs;
    const withMd = ms > 0 && size === dataBytes + ns.blocks * ms;
    if (size !== dataBytes && !withMd) {
      const want = ms ? `${dataBytes} (data) or ${dataBytes + ns.blocks * ms} (data + metadata)` : `${dataBytes}`;
      throw new Error(`${path}: image is ${size} bytes, namespace ${nsid} needs ${want} bytes (${ns.blocks} blocks of ${bs}${ms ? `+${ms}` : ""})`);
    }
    const piece = Math.max(1, Math.floor((4 << 20) / (bs + ms)));
    const todo = runs ?? [{ lba: 0, count: ns.blocks }];
    for (const r of todo) {
      if (r.lba < 0 || r.count < 0 || r.lba + r.count > ns.blocks) throw new Error(`${path}: stored run ${r.lba}+${r.count} is outside the namespace`);
      for (let done = 0; done < r.count; done += piece) {
        const n = Math.min(piece, r.count - done);
        const lba = r.lba + done;
        const data = new Uint8Array(n * bs);
        readSync(fd, data, 0, data.length, lba * bs);
        let md: Uint8Array | undefined;
        if (withMd) {
          md = new Uint8Array(n * ms);
          readSync(fd, md, 0, md.length, dataBytes + lba * ms);
        }
        importBlocks(core, nsid, lba, data, md);
      }
    }
  } finally {
    closeSync(fd);
  }
}
