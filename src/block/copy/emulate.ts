// Copy emulation, the fallback every design has (v20 blkdev_copy_emulation, 2026
// blkdev_copy_onload): a bounce buffer of min(len, the smaller of each side's max_hw_sectors
// and max_segments pages), halved while memory is short down to a page; then read a chunk
// from the source and write it to the destination, one read-then-write at a time in a
// kworker (the series' rule), or N at a time as an option.

import { Bio, BlkStatus, Op, REQ_SYNC } from "../bio";
import type { BlockLayer } from "../blk";
import type { BlockDevice } from "../disk";
import { PAGE_SIZE } from "../../driver/dma-pool";
import type { DmaBuffer } from "../../driver/dma-pool";
import type { Piece } from "./types";

export interface EmulateOptions {
  inflight: number;
  /** An upper bound on the buffer (models a kmalloc that fails above it). */
  maxBufferBytes?: number;
}

/** The bounce buffer size the series computes before allocation. */
export function bounceSize(len: number, src: BlockDevice, dst: BlockDevice): number {
  const side = (d: BlockDevice) => Math.min(d.limits.max_hw_sectors * 512, d.limits.max_segments * PAGE_SIZE);
  return Math.min(len, side(src), side(dst));
}

/**
 * Copy pieces by read then write; done(status, bytes copied in order before the first error).
 * The work runs in a kworker on cpu.
 */
export function emulate(blk: BlockLayer, cpu: number, src: BlockDevice, dst: BlockDevice, work: Piece[], o: EmulateOptions, done: (status: BlkStatus, bytes: number) => void): void {
  const mem = blk.mem;
  if (!mem) throw new Error("copy emulation needs host memory for its bounce buffer");
  const total = work.reduce((a, p) => a + p.len, 0);
  const worker = blk.sim.kworker(cpu, `kworker/${cpu}:2`, 1100 + cpu);
  blk.sim.queueWork(cpu, () => {
    // kvmalloc, halving on failure down to a page
    let size = bounceSize(total, src, dst);
    size = Math.max(PAGE_SIZE, Math.ceil(size / 512) * 512);
    const bufs: DmaBuffer[] = [];
    const want = Math.max(1, o.inflight);
    while (bufs.length < want) {
      try {
        if (o.maxBufferBytes !== undefined && size > o.maxBufferBytes) throw new Error("over the limit");
        bufs.push(mem.pool.alloc(size));
      } catch {
        if (bufs.length > 0) break;
        if (size <= PAGE_SIZE) { done(BlkStatus.RESOURCE, 0); return; }
        size = Math.max(PAGE_SIZE, Math.floor(size / 2 / 512) * 512);
      }
    }
    blk.message(dst, `copy: emulating ${total} bytes with ${bufs.length} bounce buffer(s) of ${size} bytes`);
    const chunks: Piece[] = [];
    for (const p of work) for (let off = 0; off < p.len; off += size) chunks.push({ srcPos: p.srcPos + off, dstPos: p.dstPos + off, len: Math.min(size, p.len - off) });
    // each chunk's place in the copy (bytes before it), for the ordered count after an error
    const before: number[] = [];
    for (let i = 0, acc = 0; i < chunks.length; acc += chunks[i].len, i++) before.push(acc);
    let next = 0;
    let active = 0;
    let failed: BlkStatus = BlkStatus.OK;
    let doneBytes = 0;
    let firstFail = Infinity;
    const finish = () => {
      for (const b of bufs) mem.pool.release(b);
      const ordered = failed === BlkStatus.OK ? total : Math.min(doneBytes, firstFail);
      done(failed, ordered);
    };
    const run = (buf: DmaBuffer) => {
      if (failed !== BlkStatus.OK || next >= chunks.length) {
        if (--active === 0) finish();
        return;
      }
      const c = chunks[next];
      const offset = before[next];
      next++;
      const rd = new Bio(src, Op.READ, c.srcPos / 512, c.len, [{ bus: buf.bus, len: c.len }], REQ_SYNC);
      rd.endio = (b) => blk.sim.queueWork(cpu, () => {
        if (b.status !== BlkStatus.OK) { failed = b.status; firstFail = Math.min(firstFail, offset); run(buf); return; }
        const wr = new Bio(dst, Op.WRITE, c.dstPos / 512, c.len, [{ bus: buf.bus, len: c.len }], REQ_SYNC);
        wr.endio = (w) => blk.sim.queueWork(cpu, () => {
          if (w.status !== BlkStatus.OK) { failed = w.status; firstFail = Math.min(firstFail, offset); }
          else doneBytes += c.len;
          run(buf);
        }, worker);
        blk.submitBio(wr);
      }, worker);
      blk.submitBio(rd);
    };
    active = bufs.length;
    for (const b of bufs) run(b);
  }, worker);
}
