// dm-stripe (drivers/md/dm-stripe.c): table `<num_stripes> <chunk_sectors> <dev> <offset>
// [<dev> <offset>]...`. The target's sectors are dealt out round-robin, chunk_sectors at a
// time: chunk c of the target goes to stripe c % num_stripes at row c / num_stripes
// (stripe_map_sector). max_io_len = chunk_sectors, so dm core splits bios at chunk
// boundaries, and dm_calculate_queue_limits stacks chunk_sectors so whoever submits above
// sees the boundary too. Discards and write-zeroes are not cut at chunks: dm core sends one
// clone per stripe and each takes the part of the range on its stripe (stripe_map_range).
// Flushes bypass map (flush_bypasses_map): dm core sends one to each device of the table. No
// copy support in either series: a range may span devices.

import { BlkStatus, Op } from "../bio";
import type { BlockDevice } from "../disk";
import type { QueueLimits } from "../limits";
import { DmIo, DmTarget, MapResult, SectorMap, TargetCtx, TargetError, checkArea, devNum, parseSectors } from "./target";

interface Stripe { dev: BlockDevice; start: number }

export class StripedTarget implements DmTarget {
  readonly type = "striped";
  readonly begin: number;
  readonly len: number;
  readonly index: number;
  readonly stripes: Stripe[] = [];
  readonly chunk: number;
  /** Sectors each stripe holds (ti->len / num_stripes). */
  readonly width: number;
  readonly copyOffloadSupported = false;
  readonly stackingCopyOffl = false;
  whatIfCopy = false;
  readonly maxIoLen: number;
  readonly numFlushBios: number;
  readonly flushBypassesMap = true;
  readonly numDiscardBios: number;
  readonly numWriteZeroesBios: number;

  constructor(ctx: TargetCtx, args: string[]) {
    this.begin = ctx.begin;
    this.len = ctx.len;
    this.index = ctx.index;
    if (args.length < 2) throw new TargetError("Not enough arguments: expected <num_stripes> <chunk_sectors> <dev> <offset> ...");
    const n = parseSectors(args[0], "Invalid stripe count");
    if (n < 1) throw new TargetError("Invalid stripe count: must be at least 1");
    this.chunk = parseSectors(args[1], "Invalid chunk_size");
    if (this.chunk < 1) throw new TargetError("Invalid chunk_size: must be at least 1 sector");
    if (this.len % n !== 0) throw new TargetError(`Target length not divisible by number of stripes (${this.len} sectors, ${n} stripes)`);
    this.width = this.len / n;
    if (this.width % this.chunk !== 0) throw new TargetError(`Target length not divisible by chunk size (${this.width} sectors per stripe, chunk ${this.chunk})`);
    if (args.length !== 2 + 2 * n) throw new TargetError(`Not enough destinations specified: ${n} stripes need ${n} <dev> <offset> pairs, got ${(args.length - 2) / 2}`);
    for (let i = 0; i < n; i++) {
      const start = parseSectors(args[3 + 2 * i], `Invalid device sector of stripe ${i}`);
      const dev = ctx.device(args[2 + 2 * i]);
      checkArea(dev, start, this.width);
      if (this.chunk % (dev.limits.logical_block_size >> 9) !== 0) throw new TargetError(`chunk_size ${this.chunk} is not a multiple of ${dev.name}'s logical block size (${dev.limits.logical_block_size} bytes)`);
      this.stripes.push({ dev, start });
    }
    this.maxIoLen = this.chunk;
    this.numFlushBios = n;
    this.numDiscardBios = n;
    this.numWriteZeroesBios = n;
  }

  devices() {
    return this.stripes.map((s) => ({ dev: s.dev, start: s.start, len: this.width }));
  }

  /** io_hints: io_min = chunk, io_opt = chunk * stripes (not modelled); chunk_sectors comes from max_io_len. */
  ioHints(_l: QueueLimits): void { /* nothing the model keeps */ }

  /** stripe_map_sector. */
  private where(sector: number): { stripe: number; sector: number; room: number } {
    const off = sector - this.begin;
    const inChunk = off % this.chunk;
    const chunkNo = Math.floor(off / this.chunk);
    const stripe = chunkNo % this.stripes.length;
    const row = Math.floor(chunkNo / this.stripes.length);
    return { stripe, sector: this.stripes[stripe].start + row * this.chunk + inChunk, room: this.chunk - inChunk };
  }

  map(io: DmIo): MapResult {
    const c = io.clone;
    if (c.size === 0) {
      // an empty flush: one clone per stripe (num_flush_bios)
      c.bdev = this.stripes[io.flushIndex % this.stripes.length].dev;
      return "remapped";
    }
    if (c.op === Op.DISCARD || c.op === Op.WRITE_ZEROES) return this.mapRange(io);
    const w = this.where(c.sector);
    c.bdev = this.stripes[w.stripe].dev;
    c.sector = w.sector;
    return "remapped";
  }

  /**
   * stripe_map_range: clone i of a discard or write-zeroes covers the part of the range on
   * stripe i, [first sector of stripe i at or after the start, same for the end); a clone with
   * nothing on its stripe completes at once.
   */
  private mapRange(io: DmIo): MapResult {
    const c = io.clone;
    const target = io.flushIndex;
    const from = this.onStripe(c.sector, target);
    const to = this.onStripe(c.sector + c.sectors, target);
    if (from >= to) {
      io.md.killIo(io, BlkStatus.OK, `striped: ${c.op === Op.DISCARD ? "discard" : "write-zeroes"} bio ${io.orig.id} has nothing on stripe ${target}`);
      return "submitted";
    }
    c.bdev = this.stripes[target].dev;
    c.sector = this.stripes[target].start + from;
    c.size = (to - from) * 512;
    return "remapped";
  }

  /** stripe_map_range_sector: where `sector` of the target falls on stripe `target`, rounded to its next chunk when it is on another stripe. */
  private onStripe(sector: number, target: number): number {
    const off = sector - this.begin;
    const chunkNo = Math.floor(off / this.chunk);
    const stripe = chunkNo % this.stripes.length;
    const rowStart = Math.floor(chunkNo / this.stripes.length) * this.chunk;
    if (stripe === target) return rowStart + (off % this.chunk);
    return target < stripe ? rowStart + this.chunk : rowStart;
  }

  mapSector(sector: number): SectorMap {
    const w = this.where(sector);
    return { dev: this.stripes[w.stripe].dev, sector: w.sector, room: w.room };
  }

  params(): string {
    return `${this.stripes.length} ${this.chunk} ${this.stripes.map((s) => `${devNum(s.dev)} ${s.start}`).join(" ")}`;
  }
}
