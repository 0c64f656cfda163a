// The one copy API: copy(src_dev, src_pos, dst_dev, dst_pos, len) and its vectored form,
// checked like the series check their arguments, run by the design the destination device
// (or the caller) chooses, and finished by read+write emulation for whatever the design
// could not offload. The outcome says, byte for byte, which path each part took and why.

import { BlkStatus, BLK_STATUS_NAMES } from "../bio";
import type { BlockLayer } from "../blk";
import { emulate } from "./emulate";
import { pairCopy } from "./pair";
import { ctxCopy } from "./ctx";
import { vectorCopy } from "./vector";
import { CopyOutcome, CopyParams, Piece, pieces } from "./types";

/** What a design reports: the pieces it did not copy and why. */
export interface DesignResult {
  status: BlkStatus;
  left: Piece[];
  reason?: string;
}

let nextCopyId = 1;
export function resetCopyIds(): void { nextCopyId = 1; }

/** Argument checks (blkdev_copy_sanity_check and the like); an Error names what is wrong. */
export function checkCopy(p: CopyParams): void {
  const total = (segs: CopyParams["srcSegs"]) => segs.reduce((a, s) => a + s.len, 0);
  const srcLen = total(p.srcSegs), dstLen = total(p.dstSegs);
  if (srcLen !== dstLen) throw new Error(`copy: the source segments hold ${srcLen} bytes and the destination segments ${dstLen}; they must be equal`);
  if (srcLen === 0) throw new Error("copy: nothing to copy (length 0)");
  const check = (segs: CopyParams["srcSegs"], side: string, d: CopyParams["src"]) => {
    const lbs = d.limits.logical_block_size;
    segs.forEach((s, i) => {
      if (s.len <= 0) throw new Error(`copy: ${side} segment ${i} has length ${s.len}`);
      if (s.pos % lbs || s.len % lbs) throw new Error(`copy: ${side} segment ${i} (${s.pos}+${s.len}) is not aligned to ${d.name}'s logical block size ${lbs}`);
      if (s.pos < 0 || s.pos + s.len > d.capacity * 512) throw new Error(`copy: ${side} segment ${i} (${s.pos}+${s.len}) is beyond the end of ${d.name} (${d.capacity * 512} bytes)`);
    });
  };
  check(p.srcSegs, "source", p.src);
  check(p.dstSegs, "destination", p.dst);
  if (p.src === p.dst) {
    for (const s of p.srcSegs) for (const d of p.dstSegs) {
      if (s.pos < d.pos + d.len && d.pos < s.pos + s.len) throw new Error(`copy: source ${s.pos}+${s.len} overlaps destination ${d.pos}+${d.len} on ${p.src.name}`);
    }
  }
}

/**
 * Start a copy in the current task; it counts as the task's outstanding I/O until every byte
 * is copied or has failed. onDone runs once, with the outcome.
 */
export function blkCopy(blk: BlockLayer, p: CopyParams, onDone?: (o: CopyOutcome) => void): CopyOutcome {
  checkCopy(p);
  const design = p.design ?? blk.designOf(p.dst);
  const work = pieces(p.srcSegs, p.dstSegs);
  const total = work.reduce((a, w) => a + w.len, 0);
  const o: CopyOutcome = { id: nextCopyId++, design, requested_bytes: total, offloaded_bytes: 0, emulated_bytes: 0, status: BlkStatus.OK, steps: [], done: false };
  const task = blk.task;
  task.outstanding++;
  const end = () => {
    o.done = true;
    task.outstanding--;
    onDone?.(o);
  };
  const run = design === "pair" ? pairCopy : design === "vector" ? vectorCopy : ctxCopy;
  blk.message(p.dst, `copy: #${o.id} ${design}: ${total} bytes from ${p.src.name} (${p.srcSegs.length} segment(s)) to ${p.dst.name} (${p.dstSegs.length})`);
  run(blk, p, work, (r) => {
    const leftBytes = r.left.reduce((a, w) => a + w.len, 0);
    o.offloaded_bytes = total - leftBytes;
    if (o.offloaded_bytes > 0) o.steps.push({ kind: "offload", bytes: o.offloaded_bytes, reason: `${design}: offloaded` });
    if (leftBytes === 0) { end(); return; }
    const why = r.reason ?? `${design}: ${BLK_STATUS_NAMES[r.status]}`;
    if (p.fallback === false) {
      o.status = r.status || BlkStatus.IOERR;
      o.steps.push({ kind: "fail", bytes: leftBytes, reason: why });
      blk.message(p.dst, `copy: #${o.id} ${leftBytes} bytes not copied: ${why} (fallback off)`);
      end();
      return;
    }
    blk.message(p.dst, `copy: #${o.id} falling back to read+write for ${leftBytes} bytes: ${why}`);
    emulate(blk, blk.sim.current.cpu, p.src, p.dst, r.left, { inflight: p.inflight ?? 1, maxBufferBytes: p.maxBufferBytes }, (st, bytes) => {
      o.emulated_bytes = bytes;
      o.steps.push({ kind: "emulate", bytes: leftBytes, reason: why });
      if (st !== BlkStatus.OK) {
        o.status = st;
        o.steps.push({ kind: "fail", bytes: leftBytes - bytes, reason: `emulation: ${BLK_STATUS_NAMES[st]}` });
      }
      end();
    });
  });
  return o;
}
