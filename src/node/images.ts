// Raw namespace images as QEMU's nvme-ns opens them with format=raw: nblocks * block_size
// bytes of data, followed (when the format has metadata) by nblocks * ms bytes of metadata
// (hw/nvme/ns.c places metadata after the data area). Written sparse: only stored blocks. The
// layout walks are src/controller/media.ts's visitImage and loadImage; this file adds the files.

import { openSync, closeSync, ftruncateSync, writeSync, readSync, fstatSync } from "node:fs";
import { ControllerCore } from "../controller/core";
import { lbaSize, metadataSize } from "../controller/config";
import { visitImage, loadImage, StoredRun } from "../controller/media";

export function imageBytes(core: ControllerCore, nsid: number): number {
  const ns = core.config.namespaces[core.slotOf(nsid)];
  return ns.blocks * (lbaSize(ns) + metadataSize(ns));
}

/** Write namespace nsid as a raw image at path (replacing it). Returns the stored runs. */
export function writeImage(core: ControllerCore, nsid: number, path: string): StoredRun[] {
  const fd = openSync(path, "w");
  try {
    ftruncateSync(fd, imageBytes(core, nsid));
    return visitImage(core, nsid, (at, bytes) => { writeSync(fd, bytes, 0, bytes.length, at); });
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
    if (size !== dataBytes && !(ms > 0 && size === dataBytes + ns.blocks * ms)) {
      const want = ms ? `${dataBytes} (data) or ${dataBytes + ns.blocks * ms} (data + metadata)` : `${dataBytes}`;
      throw new Error(`${path}: image is ${size} bytes, namespace ${nsid} needs ${want} bytes (${ns.blocks} blocks of ${bs}${ms ? `+${ms}` : ""})`);
    }
    for (const r of runs ?? []) {
      if (r.lba < 0 || r.count < 0 || r.lba + r.count > ns.blocks) throw new Error(`${path}: stored run ${r.lba}+${r.count} is outside the namespace`);
    }
    loadImage(core, nsid, size, (at, length) => {
      const b = new Uint8Array(length);
      readSync(fd, b, 0, length, at);
      return b;
    }, runs);
  } finally {
    closeSync(fd);
  }
}
