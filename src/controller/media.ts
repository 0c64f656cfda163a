// Direct access to namespace media for tools (state files, raw images, media hashes, the
// Media view): walks the controller's sparse chunks through its exported backdoor. Only
// while the controller is quiet (stepped, or its thread stopped).

import { ControllerCore } from "./core";
import { Hasher } from "../util/sha256";
import { lbaSize, metadataSize } from "./config";

export interface StoredRun {
  /** First LBA and count of a run of LBAs backed by memory (unlisted LBAs read as zeroes). */
  lba: number;
  count: number;
}

function geometry(core: ControllerCore, nsid: number) {
  core.syncFormats(); // a Format NVM may have changed the namespace's LBA format
  const slot = core.slotOf(nsid);
  const ns = core.config.namespaces[slot];
  const per = 2 ** core.exports.media_chunk_shift(slot);
  return { slot, bs: lbaSize(ns), ms: metadataSize(ns), blocks: ns.blocks, per, nchunks: Math.ceil(ns.blocks / per) };
}

/** Runs of LBAs stored in memory, merged across adjacent chunks. */
export function storedRuns(core: ControllerCore, nsid: number): StoredRun[] {
  const g = geometry(core, nsid);
  const runs: StoredRun[] = [];
  let c = core.exports.media_next_stored(g.slot, 0);
  while (c < g.nchunks) {
    const lba = c * g.per;
    const count = Math.min(g.per, g.blocks - lba);
    const last = runs[runs.length - 1];
    if (last && last.lba + last.count === lba) last.count += count;
    else runs.push({ lba, count });
    c = core.exports.media_next_stored(g.slot, c + 1);
  }
  return runs;
}

/**
 * Visit [slba, slba + nlb) chunk by chunk: data (and metadata) views of stored chunks,
 * null for LBAs that read as zeroes. Views alias controller memory: use them before the
 * controller runs again.
 */
export function visitBlocks(core: ControllerCore, nsid: number, slba: number, nlb: number,
  fn: (lba: number, count: number, data: Uint8Array | null, md: Uint8Array | null) => void): void {
  const g = geometry(core, nsid);
  if (slba < 0 || nlb < 0 || slba + nlb > g.blocks) throw new Error(`LBAs ${slba}+${nlb} are outside namespace ${nsid} (${g.blocks} blocks)`);
  const mem = core.bytes();
  let lba = slba;
  const end = slba + nlb;
  while (lba < end) {
    const c = Math.floor(lba / g.per);
    const i = lba - c * g.per;
    const n = Math.min(end - lba, g.per - i);
    const p = core.exports.media_chunk_ptr(g.slot, c);
    if (p > 1) {
      const data = mem.subarray(p + i * g.bs, p + (i + n) * g.bs);
      const mdBase = p + g.per * g.bs;
      const md = g.ms ? mem.subarray(mdBase + i * g.ms, mdBase + (i + n) * g.ms) : null;
      fn(lba, n, data, md);
    } else {
      fn(lba, n, null, null);
    }
    lba += n;
  }
}

/** Data (and separate metadata) of [slba, slba + nlb) as the media holds it. */
export function readMedia(core: ControllerCore, nsid: number, slba: number, nlb: number): { data: Uint8Array; md: Uint8Array } {
  const g = geometry(core, nsid);
  const data = new Uint8Array(nlb * g.bs);
  const md = new Uint8Array(nlb * g.ms);
  visitBlocks(core, nsid, slba, nlb, (lba, count, d, m) => {
    if (d) data.set(d, (lba - slba) * g.bs);
    if (m) md.set(m, (lba - slba) * g.ms);
  });
  return { data, md };
}

const ZEROES = new Uint8Array(1 << 20);

function feedZeroes(h: Hasher, bytes: number): void {
  while (bytes > 0) {
    const n = Math.min(bytes, ZEROES.length);
    h.update(ZEROES.subarray(0, n));
    bytes -= n;
  }
}

/** Hash the data area of [slba, slba + nlb) (unwritten blocks count as zeroes), as the oracle's media_hash. */
export function hashMedia(core: ControllerCore, nsid: number, h: Hasher, slba = 0, nlb?: number): string {
  const g = geometry(core, nsid);
  const count = nlb ?? g.blocks - slba;
  visitBlocks(core, nsid, slba, count, (_lba, n, d) => {
    if (d) h.update(d);
    else feedZeroes(h, n * g.bs);
  });
  return h.digestHex();
}

/** Same, over the metadata area. */
export function hashMetadata(core: ControllerCore, nsid: number, h: Hasher): string {
  const g = geometry(core, nsid);
  visitBlocks(core, nsid, 0, g.blocks, (_lba, n, _d, m) => {
    if (m) h.update(m);
    else feedZeroes(h, n * g.ms);
  });
  return h.digestHex();
}

/**
 * Store image bytes for LBAs [slba, slba + nlb): data (nlb * bs) and metadata (nlb * ms).
 * All-zero blocks stay unwritten. Throws when the controller runs out of memory.
 */
export function importBlocks(core: ControllerCore, nsid: number, slba: number, data: Uint8Array, md?: Uint8Array): void {
  const g = geometry(core, nsid);
  const nlb = data.length / g.bs;
  if (!Number.isInteger(nlb)) throw new Error(`image data is not a whole number of ${g.bs}-byte blocks`);
  const maxBlocks = Math.floor(core.layout.scratchSize / (g.bs + g.ms));
  for (let done = 0; done < nlb; done += maxBlocks) {
    const n = Math.min(maxBlocks, nlb - done);
    core.scratch.set(data.subarray(done * g.bs, (done + n) * g.bs), 0);
    const mdAt = n * g.bs;
    if (g.ms && md) core.scratch.set(md.subarray(done * g.ms, (done + n) * g.ms), mdAt);
    else if (g.ms) core.scratch.fill(0, mdAt, mdAt + n * g.ms);
    const ok = core.exports.media_import(g.slot, slba + done, n, core.layout.scratchBase, core.layout.scratchBase + mdAt);
    if (!ok) throw new Error(`namespace ${nsid}: out of memory storing LBAs ${slba + done}..${slba + done + n - 1} (the wasm memory is limited to 4 GiB)`);
  }
}

// ---- raw images, as QEMU's nvme-ns opens them with format=raw: blocks * bs bytes of data, then
// (when the format has metadata) blocks * ms bytes of metadata (hw/nvme/ns.c) ----

/** Hand each stored block's data and metadata to put(at, bytes) at its offset in the raw image; returns the stored runs. */
export function visitImage(core: ControllerCore, nsid: number, put: (at: number, bytes: Uint8Array) => void): StoredRun[] {
  const g = geometry(core, nsid);
  const mdArea = g.blocks * g.bs;
  const runs = storedRuns(core, nsid);
  for (const r of runs) {
    visitBlocks(core, nsid, r.lba, r.count, (lba, _n, data, md) => {
      if (data) put(lba * g.bs, data);
      if (md && g.ms) put(mdArea + lba * g.ms, md);
    });
  }
  return runs;
}

/**
 * Load a raw image of size bytes (the data area, or data plus metadata) into namespace nsid, a
 * few MiB at a time: get(at, length) gives the image's bytes there. With runs, only those LBAs;
 * without, every LBA (all-zero blocks stay unwritten). The caller checks the size first.
 */
export function loadImage(core: ControllerCore, nsid: number, size: number, get: (at: number, length: number) => Uint8Array, runs?: StoredRun[]): void {
  const g = geometry(core, nsid);
  const mdArea = g.blocks * g.bs;
  const withMd = g.ms > 0 && size === mdArea + g.blocks * g.ms;
  const piece = Math.max(1, Math.floor((4 << 20) / (g.bs + g.ms)));
  for (const r of runs ?? [{ lba: 0, count: g.blocks }]) {
    for (let done = 0; done < r.count; done += piece) {
      const n = Math.min(piece, r.count - done);
      const lba = r.lba + done;
      importBlocks(core, nsid, lba, get(lba * g.bs, n * g.bs), withMd ? get(mdArea + lba * g.ms, n * g.ms) : undefined);
    }
  }
}

