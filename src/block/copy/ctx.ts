// The 2026 design (Bart Van Assche, "Block storage copy offloading"): per chunk a copy
// context ties COPY_SRC and COPY_DST bios (bi_copy_ctx); stacking drivers remap them until
// every bio sits on a non-stacking device (submit_bio_noacct parks each there); then the
// same-driver check; then only the first DST bio is submitted and the driver takes the
// source ranges from the context, building one Copy (or several when MSRC/MCL demand). A
// copy that is refused or comes back short is finished by read+write for the rest.

import { Bio, BlkStatus, Op, bioEndio } from "../bio";
import type { BlockLayer } from "../blk";
import type { BlockDevice } from "../disk";
import { CopyCtx, CtxPhase } from "./ctx-types";
import type { CopyParams, Piece } from "./types";
import type { DesignResult } from "./copy";

let nextCtxId = 1;
export function resetCtxIds(): void { nextCtxId = 1; }

/** Cut pieces into chunks within the copy length and the source/destination range counts. */
export function ctxChunks(work: Piece[], maxBytes: number, maxSrc: number, maxDst: number): Piece[][] {
  const chunks: Piece[][] = [];
  let cur: Piece[] = [];
  let bytes = 0, srcRuns = 0, dstRuns = 0;
  const close = () => { if (cur.length) chunks.push(cur); cur = []; bytes = 0; srcRuns = 0; dstRuns = 0; };
  for (const w0 of work) {
    let w = w0;
    while (w.len > 0) {
      const last = cur[cur.length - 1];
      const newSrc = !last || last.srcPos + last.len !== w.srcPos ? 1 : 0;
      const newDst = !last || last.dstPos + last.len !== w.dstPos ? 1 : 0;
      if (cur.length && (bytes >= maxBytes || srcRuns + newSrc > maxSrc || dstRuns + newDst > maxDst)) { close(); continue; }
      const take = Math.min(w.len, maxBytes - bytes);
      cur.push({ srcPos: w.srcPos, dstPos: w.dstPos, len: take });
      bytes += take; srcRuns += newSrc; dstRuns += newDst;
      w = { srcPos: w.srcPos + take, dstPos: w.dstPos + take, len: w.len - take };
    }
  }
  close();
  return chunks;
}

/** Contiguous runs of one side of a chunk, as (sector, bytes). */
function runs(chunk: Piece[], side: "src" | "dst"): Array<{ pos: number; len: number }> {
  const out: Array<{ pos: number; len: number }> = [];
  for (const p of chunk) {
    const pos = side === "src" ? p.srcPos : p.dstPos;
    const last = out[out.length - 1];
    if (last && last.pos + last.len === pos) last.len += p.len;
    else out.push({ pos, len: p.len });
  }
  return out;
}

export function ctxCopy(blk: BlockLayer, p: CopyParams, work: Piece[], finish: (r: DesignResult) => void): void {
  const none = [p.src, p.dst].find((d) => d.limits.max_copy_sectors === 0);
  if (none) return finish({ status: BlkStatus.NOTSUPP, left: work, reason: `ctx: ${none.name} has copy_max_bytes 0 (${why(none)})` });
  const lim = (f: (d: BlockDevice) => number) => Math.min(f(p.src), f(p.dst));
  const chunks = ctxChunks(work, lim((d) => d.limits.max_copy_sectors) * 512, lim((d) => d.limits.max_copy_src_segments), lim((d) => d.limits.max_copy_dst_segments));
  let pending = chunks.length;
  let status: BlkStatus = BlkStatus.OK;
  const left: Piece[] = [];
  const reasons: string[] = [];
  blk.startPlug();
  for (const chunk of chunks) {
    runChunk(blk, p, chunk, (st, copiedBytes, reason) => {
      if (st !== BlkStatus.OK) {
        if (status === BlkStatus.OK) status = st;
        left.push(...after(chunk, copiedBytes));
        if (reason && !reasons.includes(reason)) reasons.push(reason);
      }
      if (--pending === 0) finish({ status, left, reason: reasons.length ? `ctx: ${reasons.join("; ")}` : undefined });
    });
  }
  blk.finishPlug();
}

function why(d: BlockDevice): string {
  if (d.stacking) return "a stacking target without copy support is in the stack";
  return d.limits.max_copy_hw_sectors === 0 ? "copy_max_hw_bytes is 0: the device has no Copy" : "copy_max_bytes was set to 0";
}

/** The part of a chunk after its first copiedBytes destination bytes. */
function after(chunk: Piece[], copiedBytes: number): Piece[] {
  const out: Piece[] = [];
  let skip = copiedBytes;
  for (const p of chunk) {
    if (skip >= p.len) { skip -= p.len; continue; }
    out.push({ srcPos: p.srcPos + skip, dstPos: p.dstPos + skip, len: p.len - skip });
    skip = 0;
  }
  return out;
}

function runChunk(blk: BlockLayer, p: CopyParams, chunk: Piece[], done: (st: BlkStatus, copiedBytes: number, reason?: string) => void): void {
  const dstRuns = runs(chunk, "dst");
  const srcRuns = runs(chunk, "src");
  const originals: Bio[] = [
    ...dstRuns.map((r) => new Bio(p.dst, Op.COPY_DST, r.pos / 512, r.len)),
    ...srcRuns.map((r) => new Bio(p.src, Op.COPY_SRC, r.pos / 512, r.len)),
  ];
  let failure: string | undefined;
  let failStatus: BlkStatus = BlkStatus.OK;
  const ctx: CopyCtx = {
    id: nextCtxId++,
    phase: CtxPhase.TRANSLATE,
    translating: originals.length,
    src: [],
    dst: [],
    copiedSectors: 0,
    arrive(bio: Bio) {
      (bio.op === Op.COPY_SRC ? ctx.src : ctx.dst).push(bio);
      blk.message(bio.bdev, `copy: ctx ${ctx.id} ${bio.op === Op.COPY_SRC ? "SRC" : "DST"} bio ${bio.id} translated to ${bio.bdev.name} ${bio.sector}+${bio.sectors}`);
      if (--ctx.translating === 0) translated();
    },
  };
  let outstanding = originals.length;
  for (const b of originals) {
    b.copyCtx = ctx;
    b.endio = (x) => {
      if (ctx.phase === CtxPhase.TRANSLATE) {
        // refused on the way down (a stacking device that takes no copies, a split, a bad range)
        if (!failure) { failure = `${x.bdev.name} refused bio ${x.id} (${x.status})`; failStatus = x.status; }
        if (--ctx.translating === 0) translated();
      }
      if (--outstanding === 0) {
        const copied = ctx.copiedSectors * 512;
        const total = chunk.reduce((a, q) => a + q.len, 0);
        if (failure) done(failStatus || BlkStatus.NOTSUPP, copied, failure);
        else if (copied < total) done(failStatus || BlkStatus.IOERR, copied, `the device copied ${copied} of ${total} bytes`);
        else done(BlkStatus.OK, copied);
      }
    };
  }
  function endHeld(status: BlkStatus) {
    for (const b of [...ctx.dst, ...ctx.src]) { b.status = status; bioEndio(b); }
  }
  function translated() {
    const held = [...ctx.dst, ...ctx.src];
    if (failure) { ctx.phase = CtxPhase.DONE; endHeld(BlkStatus.NOTSUPP); return; }
    const drivers = new Set(held.map((b) => b.bdev.driver));
    if (drivers.size > 1) {
      failure = `ranges ended on different drivers (${[...drivers].join(", ")})`;
      failStatus = BlkStatus.NOTSUPP;
      blk.message(held[0].bdev, `copy: ctx ${ctx.id} ${failure}: not offloaded`);
      ctx.phase = CtxPhase.DONE;
      endHeld(BlkStatus.NOTSUPP);
      return;
    }
    if (ctx.dst.length !== 1) {
      failure = `${ctx.dst.length} destination bios; the driver takes 1`;
      failStatus = BlkStatus.NOTSUPP;
      ctx.phase = CtxPhase.DONE;
      endHeld(BlkStatus.NOTSUPP);
      return;
    }
    // translation_complete: BLKDEV_COPY; only the first DST bio goes to the driver
    ctx.phase = CtxPhase.COPY;
    const first = ctx.dst[0];
    const others = ctx.src;
    const endio = first.endio;
    first.endio = (b) => {
      ctx.phase = CtxPhase.DONE;
      if (b.status !== BlkStatus.OK) failStatus = b.status;
      for (const o of others) { o.status = b.status; bioEndio(o); }
      endio?.(b);
    };
    blk.message(first.bdev, `copy: ctx ${ctx.id} translated: ${ctx.src.length} source bio(s) -> ${first.bdev.name}; submitting DST bio ${first.id}`);
    blk.submitBioNoacct(first);
  }
  for (const b of originals) blk.submitBio(b);
}
