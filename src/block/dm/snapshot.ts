// dm-snapshot (drivers/md/dm-snap.c, dm-snap-transient.c; Documentation/admin-guide/
// device-mapper/snapshot.rst), the copy-on-write user of kcopyd:
//   snapshot-origin <origin>
//   snapshot <origin> <COW device> <persistent?> <chunksize> [<# feature args> [<arg>]*]
// A write through snapshot-origin to a chunk that a snapshot has not yet preserved first has
// kcopyd copy the chunk from the origin to the next free chunk of that snapshot's COW device
// (a pending exception); the write waits and goes to the origin when the copies complete.
// Through the snapshot device, reads of preserved chunks go to the COW device and the rest to
// the origin; a write to an unpreserved chunk copies it first, except a write of the whole
// chunk, which goes straight to the new COW chunk ("dm snapshot: skip reading origin when
// overwriting complete chunk"). A failed copy or a full COW device invalidates the snapshot:
// its I/O then fails with BLK_STS_IOERR and origin writes stop waiting for it.
//
// Modelled: the transient exception store (N): exceptions in memory, COW chunks handed out
// from chunk 0 in order. Not modelled: the persistent store's on-disk header and exception
// areas (P, PO), snapshot-merge, discard features, and the chunk tracking that holds a COW
// completion while a snapshot read of the origin is in flight. The origin's split boundary is
// the smallest chunk size of its snapshots at the time of the write (the kernel computes it at
// resume). An origin write waits for every snapshot's copy of its chunk (the kernel queues it
// on one pending exception and starts that one last).

import { BlkStatus, Op, opIsWrite } from "../bio";
import type { BlockLayer } from "../blk";
import type { BlockDevice } from "../disk";
import { KcopydClient, kcopydClientCreate } from "./kcopyd";
import { DmHost, DmIo, DmTarget, MapResult, SectorMap, TargetCtx, TargetError, checkArea, devNum, parseSectors } from "./target";

/** A chunk being preserved (struct dm_snap_pending_exception). */
interface Pending {
  chunk: number;
  newChunk: number;
  started: boolean;
  /** Writes to the snapshot waiting for the exception (snapshot_bios). */
  snapshotIos: DmIo[];
  /** Origin writes waiting for it (origin_bios), each with how many exceptions it still waits for. */
  originWaits: OriginWait[];
}

interface OriginWait { io: DmIo; left: number }

/** Snapshots by the origin device they preserve (the _origins hash of dm-snap.c). */
const origins = new WeakMap<BlockLayer, Map<BlockDevice, SnapshotTarget[]>>();

function snapshotsOf(blk: BlockLayer, origin: BlockDevice): SnapshotTarget[] {
  let m = origins.get(blk);
  if (!m) origins.set(blk, (m = new Map()));
  let l = m.get(origin);
  if (!l) m.set(origin, (l = []));
  return l;
}

/** snapshot-origin <origin>: reads pass; writes wait for every snapshot to preserve their chunk. */
export class SnapshotOriginTarget implements DmTarget {
  readonly type = "snapshot-origin";
  readonly begin: number;
  readonly len: number;
  readonly index: number;
  readonly dev: BlockDevice;
  readonly copyOffloadSupported = false;
  readonly stackingCopyOffl = false;
  whatIfCopy = false;
  readonly maxIoLen = 0;
  readonly numFlushBios = 1;
  readonly numDiscardBios = 0;
  readonly numWriteZeroesBios = 0;
  private readonly blk: BlockLayer;

  constructor(ctx: TargetCtx, args: string[]) {
    if (args.length !== 1) throw new TargetError(`snapshot-origin: incorrect number of arguments (expected <origin>, got ${args.length})`);
    this.blk = ctx.blk;
    this.begin = ctx.begin;
    this.len = ctx.len;
    this.index = ctx.index;
    this.dev = ctx.device(args[0]);
    checkArea(this.dev, 0, this.len);
  }

  devices() {
    return [{ dev: this.dev, start: 0, len: this.len }];
  }

  /** origin_map: writes are cut at the smallest chunk of the origin's snapshots (dm_accept_partial_bio). */
  splitBoundary(op: number, sector: number): number {
    if (!opIsWrite(op as Op)) return 0;
    const live = snapshotsOf(this.blk, this.dev).filter((s) => s.valid);
    if (live.length === 0) return 0;
    const b = Math.min(...live.map((s) => s.chunkSectors));
    return b - ((sector - this.begin) % b);
  }

  map(io: DmIo): MapResult {
    const c = io.clone;
    c.bdev = this.dev;
    if (c.size > 0) c.sector = c.sector - this.begin;
    if (c.op !== Op.WRITE || c.size === 0) return "remapped";
    // do_origin / __origin_write: every valid snapshot that has not preserved the chunk copies it
    let left = 0;
    const wait: OriginWait = { io, left: 0 };
    for (const s of snapshotsOf(this.blk, this.dev)) {
      const pe = s.preserveForOrigin(c.sector);
      if (!pe) continue;
      pe.originWaits.push(wait);
      left++;
    }
    if (left === 0) return "remapped";
    wait.left = left;
    this.blk.message(io.md, `snapshot-origin: bio ${io.orig.id} ${c.sector}+${c.sectors} waits for ${left} copy-on-write exception(s)`);
    return "submitted";
  }

  mapSector(sector: number): SectorMap {
    return { dev: this.dev, sector: sector - this.begin, room: this.begin + this.len - sector };
  }

  params(): string {
    return devNum(this.dev);
  }
}

/** snapshot <origin> <COW device> N <chunksize>: the transient copy-on-write store. */
export class SnapshotTarget implements DmTarget {
  readonly type = "snapshot";
  readonly begin: number;
  readonly len: number;
  readonly index: number;
  readonly origin: BlockDevice;
  readonly cow: BlockDevice;
  readonly chunkSectors: number;
  readonly copyOffloadSupported = false;
  readonly stackingCopyOffl = false;
  whatIfCopy = false;
  /** snapshot_ctr: ti->max_io_len = chunk size (dm core splits at chunk boundaries). */
  readonly maxIoLen: number;
  readonly numFlushBios = 1;
  readonly numDiscardBios = 0;
  readonly numWriteZeroesBios = 0;
  valid = true;
  private readonly blk: BlockLayer;
  /** Created, and the snapshot registered with its origin, once the device exists. */
  private kc!: KcopydClient;
  /** Completed exceptions: chunk -> COW chunk. */
  private readonly complete = new Map<number, number>();
  private readonly pending = new Map<number, Pending>();
  /** The transient store's next free COW sector (next_free). */
  private nextFree = 0;
  private md: DmHost | null = null;

  constructor(ctx: TargetCtx, args: string[]) {
    if (args.length < 4) throw new TargetError(`requires at least 4 arguments: <origin> <COW device> <persistent?> <chunksize> (got ${args.length})`);
    const [originName, cowName, persistent, chunk, ...rest] = args;
    if (rest.length > 0) {
      const n = parseSectors(rest[0], "Invalid number of feature arguments");
      if (rest.length !== n + 1) throw new TargetError(`Invalid number of feature arguments: ${n} announced, ${rest.length - 1} given`);
      if (n > 0) throw new TargetError(`feature "${rest[1]}" is not modelled (discard_zeroes_cow and discard_passdown_origin are not)`);
    }
    const p = persistent.toUpperCase();
    if (p === "P" || p === "PO") throw new TargetError(`persistent exception store (${persistent}) is not modelled: use N (transient)`);
    if (p !== "N") throw new TargetError(`Invalid persistent argument "${persistent}" (P, PO or N)`);
    this.blk = ctx.blk;
    this.begin = ctx.begin;
    this.len = ctx.len;
    this.index = ctx.index;
    this.origin = ctx.device(originName);
    this.cow = ctx.device(cowName);
    if (this.cow === this.origin) throw new TargetError("COW device cannot be the same as origin device");
    this.chunkSectors = parseSectors(chunk, "Invalid chunk size");
    const lbs = Math.max(this.origin.limits.logical_block_size, this.cow.limits.logical_block_size) >> 9;
    if (this.chunkSectors === 0 || (this.chunkSectors & (this.chunkSectors - 1)) !== 0) throw new TargetError(`Chunk size is not a power of 2 (${this.chunkSectors})`);
    if (this.chunkSectors % lbs !== 0) throw new TargetError(`Chunk size ${this.chunkSectors} is not a multiple of the device blocksize (${lbs} sectors)`);
    if (this.cow.capacity < this.chunkSectors) throw new TargetError(`COW device ${this.cow.name} is smaller than one chunk`);
    checkArea(this.origin, 0, this.len);
    this.maxIoLen = this.chunkSectors;
  }

  attach(md: DmHost): void {
    this.md = md;
    this.kc = kcopydClientCreate(this.blk, `snapshot ${this.origin.name}->${this.cow.name}`);
    snapshotsOf(this.blk, this.origin).push(this);
  }

  devices() {
    return [{ dev: this.origin, start: 0, len: this.len }, { dev: this.cow, start: 0, len: this.cow.capacity }];
  }

  /** The kcopyd client of this snapshot (for its statistics). */
  get kcopyd(): KcopydClient { return this.kc; }

  private chunkOf(sector: number): number {
    return Math.floor(sector / this.chunkSectors);
  }

  /** snapshot_map. */
  map(io: DmIo): MapResult {
    const c = io.clone;
    if (c.size === 0) { c.bdev = this.cow; return "remapped"; } // an empty flush goes to the COW device
    if (!this.valid) return { kill: BlkStatus.IOERR, why: `snapshot: ${io.md.name} is invalid: bio ${io.orig.id} fails` };
    const sector = c.sector - this.begin;
    const chunk = this.chunkOf(sector);
    const e = this.complete.get(chunk);
    if (e !== undefined) { this.remapToCow(io, e); return "remapped"; }
    if (!opIsWrite(c.op)) {
      c.bdev = this.origin;
      c.sector = sector;
      return "remapped";
    }
    let pe: Pending | null | undefined = this.pending.get(chunk);
    if (!pe) {
      pe = this.newPending(chunk, `write bio ${io.orig.id} to the snapshot`);
      if (!pe) return { kill: BlkStatus.IOERR, why: `snapshot: ${io.md.name} invalidated: Unable to allocate exception` };
      if (c.size === this.chunkSectors * 512) {
        // start_full_bio: the whole chunk is overwritten, no read of the origin
        pe.started = true;
        this.remapToCow(io, pe.newChunk);
        const endio = c.endio;
        this.blk.message(io.md, `snapshot: chunk ${chunk} overwritten whole by bio ${io.orig.id}: no copy, COW chunk ${pe.newChunk}`);
        c.endio = (b) => {
          this.pendingComplete(pe!, b.status === BlkStatus.OK, b.status === BlkStatus.OK ? "" : "Error writing the full chunk");
          endio?.(b);
        };
        return "remapped";
      }
    }
    pe.snapshotIos.push(io);
    this.startCopy(pe);
    return "submitted";
  }

  /** An origin write at sector: the exception it must wait for, or null when the chunk is preserved. */
  preserveForOrigin(sector: number): Pending | null {
    if (!this.valid || sector >= this.len) return null;
    const chunk = this.chunkOf(sector);
    if (this.complete.has(chunk)) return null;
    let pe: Pending | null | undefined = this.pending.get(chunk);
    if (!pe) {
      pe = this.newPending(chunk, "an origin write");
      if (!pe) return null; // invalidated: the origin write goes on
    }
    this.startCopy(pe);
    return pe;
  }

  /** __find_pending_exception + transient_prepare_exception: the next free COW chunk, or invalidate. */
  private newPending(chunk: number, why: string): Pending | null {
    if (this.nextFree + this.chunkSectors > this.cow.capacity) {
      this.invalidate("Unable to allocate exception (COW device full)");
      return null;
    }
    const pe: Pending = { chunk, newChunk: this.nextFree / this.chunkSectors, started: false, snapshotIos: [], originWaits: [] };
    this.nextFree += this.chunkSectors;
    this.pending.set(chunk, pe);
    this.note(`snapshot: chunk ${chunk} gets COW chunk ${pe.newChunk} (for ${why})`);
    return pe;
  }

  /** start_copy: kcopyd copies the chunk from the origin to its COW chunk. */
  private startCopy(pe: Pending): void {
    if (pe.started) return;
    pe.started = true;
    const sector = pe.chunk * this.chunkSectors;
    const count = Math.min(this.chunkSectors, this.origin.capacity - sector);
    this.kc.copy({ bdev: this.origin, sector, count }, [{ bdev: this.cow, sector: pe.newChunk * this.chunkSectors, count }], 0, (readErr, writeErr) => {
      this.pendingComplete(pe, !readErr && !writeErr, readErr ? "Error reading snapshot" : "Error writing snapshot");
    });
  }

  /** pending_complete: the exception becomes real, then the waiting bios go on (or fail). */
  private pendingComplete(pe: Pending, ok: boolean, why: string): void {
    this.pending.delete(pe.chunk);
    if (ok && this.valid) this.complete.set(pe.chunk, pe.newChunk);
    else this.invalidate(why);
    for (const io of pe.snapshotIos) {
      if (ok && this.valid) {
        this.remapToCow(io, pe.newChunk);
        io.md.submitRemap(io);
      } else io.md.killIo(io, BlkStatus.IOERR, `snapshot: bio ${io.orig.id} fails: the snapshot is invalid`);
    }
    for (const w of pe.originWaits) if (--w.left === 0) w.io.md.submitRemap(w.io);
  }

  private remapToCow(io: DmIo, newChunk: number): void {
    const c = io.clone;
    const sector = c.sector - this.begin;
    c.bdev = this.cow;
    c.sector = newChunk * this.chunkSectors + (sector % this.chunkSectors);
  }

  /** __invalidate_snapshot. */
  private invalidate(why: string): void {
    if (!this.valid) return;
    this.valid = false;
    this.note(`snapshot: Invalidating snapshot: ${why}`);
  }

  private note(text: string): void {
    if (this.md) this.blk.message(this.md, text);
    else this.blk.message(this.origin, text);
  }

  mapSector(sector: number, write: boolean): SectorMap {
    const rel = sector - this.begin;
    const e = this.complete.get(this.chunkOf(rel));
    const room = this.chunkSectors - (rel % this.chunkSectors);
    if (e !== undefined) return { dev: this.cow, sector: e * this.chunkSectors + (rel % this.chunkSectors), room };
    return { dev: write ? this.cow : this.origin, sector: rel, room };
  }

  /** snapshot_status (transient): <sectors allocated>/<COW sectors> <metadata sectors>, or Invalid. */
  status(): string {
    return this.valid ? `${this.nextFree}/${this.cow.capacity} 0` : "Invalid";
  }

  params(): string {
    return `${devNum(this.origin)} ${devNum(this.cow)} N ${this.chunkSectors}`;
  }
}
