// One copy as the caller asked for it and what became of it: the segments on each side, the
// design used, and per piece whether it was offloaded (which NVMe commands), emulated (and
// why), or failed. Shared by the three designs and the emulation fallback.

import type { BlockDevice, CopyDesign } from "../disk";
import type { BlkStatus } from "../bio";

/** A byte range on a device. */
export interface CopySeg { pos: number; len: number }

export interface CopyParams {
  src: BlockDevice;
  dst: BlockDevice;
  srcSegs: CopySeg[];
  dstSegs: CopySeg[];
  /** Overrides the device's design. */
  design?: CopyDesign;
  /** Fall back to read+write when offload is refused or incomplete (default true). */
  fallback?: boolean;
  /** Emulation: buffers in flight (1 = the series' one read-then-write at a time). */
  inflight?: number;
  /** Emulation: stop halving the bounce buffer at this size (simulates memory pressure when larger). */
  maxBufferBytes?: number;
}

export type StepKind = "offload" | "emulate" | "fail";

export interface CopyStep {
  kind: StepKind;
  /** Destination bytes this step covers. */
  bytes: number;
  /** Why: for emulate and fail, what refused the offload; for offload, how it went. */
  reason: string;
}

export interface CopyOutcome {
  id: number;
  design: CopyDesign;
  requested_bytes: number;
  offloaded_bytes: number;
  emulated_bytes: number;
  /** 0 when every byte arrived; else the first error's blk_status. */
  status: BlkStatus;
  steps: CopyStep[];
  done: boolean;
}

/** A contiguous piece on both sides: src [srcPos, +len) to dst [dstPos, +len). */
export interface Piece { srcPos: number; dstPos: number; len: number }

/** Walk both segment lists in step: the pieces where both sides are contiguous. */
export function pieces(srcSegs: CopySeg[], dstSegs: CopySeg[]): Piece[] {
  const out: Piece[] = [];
  let i = 0, j = 0, si = 0, dj = 0;
  while (i < srcSegs.length && j < dstSegs.length) {
    const s = srcSegs[i], d = dstSegs[j];
    const len = Math.min(s.len - si, d.len - dj);
    out.push({ srcPos: s.pos + si, dstPos: d.pos + dj, len });
    si += len; dj += len;
    if (si === s.len) { i++; si = 0; }
    if (dj === d.len) { j++; dj = 0; }
  }
  return out;
}
