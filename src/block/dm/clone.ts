// dm-clone (drivers/md/dm-clone-target.c; Documentation/admin-guide/device-mapper/dm-clone.rst):
// a writable one-to-one copy of a read-only source device on a destination device, usable at
// once while kcopyd copies ("hydrates") the source to the destination region by region.
//
//   clone <metadata dev> <destination dev> <source dev> <region size>
//         [<#feature args> [<feature arg>]* [<#core args> [<core arg>]*]]
//
// features no_hydration, no_discard_passdown; core args hydration_threshold <#regions> and
// hydration_batch_size <#regions> (defaults 1 and 1). The region size is in sectors, a power
// of two from 8 (4 KiB) to 2097152 (1 GiB), and a multiple of both devices' logical block size.
// Sector S of the target is sector S - begin of both the source and the destination.
//
// NOT MODELLED: the metadata device's on-disk format (dm-clone-metadata.c: superblock, space
// map, dm_bitset) and its commits. The metadata device is looked up and must hold the blocks
// the model estimates, but nothing is read from or written to it: the region bitmap lives in
// memory only (as if every commit succeeded at once). So REQ_PREFLUSH / REQ_FUA bios are not
// held for a commit, the metadata mode is always "rw", and the "<#used metadata blocks>" of
// the status line is an estimate (superblock + array blocks of the bitset + its btree root),
// not dm-persistent-data's count. dm_kcopyd_throttle, suspend/resume and table reloads of a
// live clone are not modelled either.
//
// I/O (clone_map): a read of a hydrated region goes to the destination, of an unhydrated one
// to the source (even while that region is hydrating). A write to a hydrated region goes to
// the destination. A write to an unhydrated region is held on the region's hydration
// (hydrate_bio_region): the first one starts it, kcopyd copies the region from the source to
// the destination, and the held writes are then submitted by the clone's worker (a kworker)
// inside a plug; later writes to a hydrating region wait on the same hydration, so several
// bios hydrate a region once. A write of exactly region_size sectors overwrites the region:
// no copy; it goes straight to the destination and the region is hydrated when it completes
// OK (hydration_overwrite). A failed copy fails the held writes (BLK_STS_IOERR) and the region
// stays unhydrated; background hydration then stops (the kernel would retry the region for
// ever, dm-clone.rst known issue 3; a model run must end) until enable_hydration. Empty flushes go to the destination (num_flush_bios = 1).
//
// Splitting: dm-clone sets ti->max_io_len = region_size (dm_set_target_max_io_len), so dm core
// splits reads and writes at region boundaries; but dm core does not apply max_io_len to
// discards (__process_abnormal_io: max_granularity stays 0 as dm-clone does not set
// max_discard_granularity); this model's dm core does the same. The target gives the boundary
// through splitBoundary (maxIoLen stays 0) and skips DISCARD there too; io_hints stacks
// region_size into chunk_sectors as dm_calculate_queue_limits does for max_io_len.
//
// Discards (process_discard_bio): only the regions the discard covers whole count (bio_region_range
// rounds the start up and the end down); none: completed at once. If all of them are hydrated
// the discard goes down at once; else the worker marks them hydrated without copying
// (dm_clone_cond_set_range) and then passes the discard, trimmed to those regions, to the
// destination, unless no_discard_passdown. io_hints turns passdown off when the destination
// has no discard support or max_discard_sectors below a region (disable_passdown_if_not_supported).
// Write Zeroes is not supported (num_write_zeroes_bios = 0). Copies: dm-clone sets no copy flag
// in either series, so dm core zeroes the copy limits; with the copy_offload what-if a copy bio
// is still refused here (the mapping of each region is decided at I/O time).
//
// Background hydration (do_hydration, run by the worker): unless no_hydration, from where it
// stopped last (hydration_offset, wrapping to 0), find the next unhydrated region not already
// hydrating, batch up to hydration_batch_size contiguous ones into one kcopyd job, and keep at
// most hydration_threshold regions hydrating (user-triggered hydrations count too); it stops
// while any bio of the target is in flight (ios_in_flight). A finished kcopyd job wakes the
// worker again when no bio is in flight; otherwise the periodic waker (do_waker, every
// COMMIT_PERIOD = 1 s from creation) restarts it. The model arms that timer only while
// hydration is enabled, not done and hydration_threshold > 0, so a finished run has no events
// left. The worker runs first right after creation (the resume). When every region is
// hydrated, a trace message says so (the kernel raises a dm event at the next commit).
//
// kcopyd: each hydration is one dm_kcopyd_copy from the source to the destination; with the
// run's kcopyd offload what-if on, kcopyd tries a block-layer copy first, so hydrating onto
// another range of the same namespace (through dm-linear) becomes NVMe Copy commands where the
// copy design lets a copy span the two devices (ctx; v20's pair needs one device, so a clone's
// two devices fall back to read + write).

import { BlkStatus, Op, bioEndio, opIsCopy, opIsWrite } from "../bio";
import type { BlockLayer } from "../blk";
import type { BlockDevice } from "../disk";
import type { QueueLimits } from "../limits";
import type { Task } from "../sim";
import { KcopydClient, kcopydClientCreate } from "./kcopyd";
import { DmHost, DmIo, DmTarget, MapResult, SectorMap, TargetCtx, TargetError, devNum } from "./target";

/** MIN_REGION_SIZE / MAX_REGION_SIZE (sectors). */
export const CLONE_MIN_REGION_SIZE = 1 << 3;
export const CLONE_MAX_REGION_SIZE = 1 << 21;
/** DEFAULT_HYDRATION_THRESHOLD, DEFAULT_HYDRATION_BATCH_SIZE (regions). */
export const CLONE_DEFAULT_HYDRATION_THRESHOLD = 1;
export const CLONE_DEFAULT_HYDRATION_BATCH_SIZE = 1;
/** COMMIT_PERIOD: the waker's period. */
export const CLONE_COMMIT_PERIOD_NS = 1_000_000_000;
/** DM_CLONE_METADATA_BLOCK_SIZE = DM_SM_METADATA_BLOCK_SIZE (sectors). */
export const CLONE_METADATA_BLOCK_SECTORS = 8;
/** DM_SM_METADATA_MAX_SECTORS: metadata beyond this is not used. */
const METADATA_MAX_SECTORS = 255 * ((1 << 14) - 64) * CLONE_METADATA_BLOCK_SECTORS;
/** DM_CLONE_METADATA_MAX_SECTORS_WARNING: 16 GiB. */
const METADATA_WARN_SECTORS = 16 * ((1024 * 1024 * 1024) >> 9);
/** 64-bit bitset words per dm_array block (4 KiB less the array block header), for the estimate. */
const BITSET_WORDS_PER_BLOCK = 509;
const UINT_MAX = 0xffffffff;

/** struct dm_clone_region_hydration. */
interface Hydration {
  region: number;
  /** The write that overwrites the whole region (no copy), if this is such a hydration. */
  overwrite: DmIo | null;
  /** Writes held until the region is hydrated. */
  deferred: DmIo[];
  status: BlkStatus;
  /** Regions batched behind this one (the head of a batch). */
  batch: Hydration[];
}

/** Per-io data: the hydration an overwrite bio completes. */
interface CloneIoData { overwriteOf?: Hydration }

/** kstrtouint(s, 10): an optional '+', decimal digits, at most UINT_MAX. */
function parseUint(s: string | undefined): number | null {
  if (s === undefined || !/^\+?\d+$/.test(s)) return null;
  const n = Number(s);
  return n <= UINT_MAX ? n : null;
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
const lcmNotZero = (a: number, b: number): number => (a === 0 ? b : b === 0 ? a : (a / gcd(a, b)) * b);

export class CloneTarget implements DmTarget {
  readonly type = "clone";
  readonly begin: number;
  readonly len: number;
  readonly index: number;
  readonly metadataDev: BlockDevice;
  readonly dest: BlockDevice;
  readonly source: BlockDevice;
  readonly regionSize: number;
  readonly nrRegions: number;
  readonly copyOffloadSupported = false;
  readonly stackingCopyOffl = false;
  whatIfCopy = false;
  /** 0: ti->max_io_len = region_size is given through splitBoundary (see the file comment). */
  readonly maxIoLen = 0;
  readonly numFlushBios = 1;
  readonly numDiscardBios = 1;
  readonly numWriteZeroesBios = 0;

  /** DM_CLONE_HYDRATION_ENABLED, DM_CLONE_DISCARD_PASSDOWN. */
  private hydrationEnabled = true;
  private discardPassdown = true;
  private threshold = CLONE_DEFAULT_HYDRATION_THRESHOLD;
  private batchSize = CLONE_DEFAULT_HYDRATION_BATCH_SIZE;
  /** The table's arguments after the three devices, as given (the kernel saves them for the table line). */
  private readonly ctrArgs: string[];
  private readonly metadataBlocks: number;

  /** The in-core region bitmap (the only copy in this model). */
  private readonly bitmap: Uint8Array;
  private nrHydrated = 0;
  /** The hydration hash table: regions hydrating now. */
  private readonly hydrating = new Map<number, Hydration>();
  /** hydrations_in_flight: regions being copied or overwritten. */
  private hydrationsInFlight = 0;
  /** ios_in_flight: bios mapped by this target and not yet completed. */
  private iosInFlight = 0;
  private hydrationOffset = 0;
  /** clone->deferred_bios and deferred_discard_bios: for the worker. */
  private deferredBios: DmIo[] = [];
  private deferredDiscards: DmIo[] = [];
  private workQueued = false;
  private wakerArmed = false;
  private readonly resumedAt_ns: number;
  private pausedSaid = false;
  private doneSaid = false;
  private md: DmHost | null = null;
  private readonly blk: BlockLayer;
  /** Created when the device exists (a table that fails after the constructor leaves no client behind). */
  private kc!: KcopydClient;
  /** The most regions hydrating at one time (for studies of hydration_threshold). */
  maxHydrating = 0;

  constructor(ctx: TargetCtx, args: string[]) {
    this.blk = ctx.blk;
    this.begin = ctx.begin;
    this.len = ctx.len;
    this.index = ctx.index;
    if (args.length < 4) {
      throw new TargetError(`Invalid number of arguments: expected <metadata dev> <destination dev> <source dev> <region size> [<#feature args> [<feature arg>]* [<#core args> [<core arg>]*]], got ${args.length}`);
    }
    const open = (name: string, what: string): BlockDevice => {
      try {
        return ctx.device(name);
      } catch (e) {
        throw new TargetError(`Error opening ${what} device: ${(e as Error).message}`);
      }
    };
    // parse_metadata_dev, parse_dest_dev, parse_source_dev
    this.metadataDev = open(args[0], "metadata");
    this.dest = open(args[1], "destination");
    if (this.dest.capacity < this.len) throw new TargetError(`Device size larger than destination device: the target has ${this.len} sectors, ${this.dest.name} ${this.dest.capacity}`);
    this.source = open(args[2], "source");
    if (this.source.capacity < this.len) throw new TargetError(`Device size larger than source device: the target has ${this.len} sectors, ${this.source.name} ${this.source.capacity}`);

    // parse_region_size: dm_read_arg in [MIN, MAX], a power of 2, a multiple of both logical block sizes
    const rs = /^\d+$/.test(args[3]) ? Number(args[3]) : NaN;
    if (!(rs >= CLONE_MIN_REGION_SIZE && rs <= CLONE_MAX_REGION_SIZE)) {
      throw new TargetError(`Invalid region size "${args[3]}": a number of sectors from ${CLONE_MIN_REGION_SIZE} (4 KiB) to ${CLONE_MAX_REGION_SIZE} (1 GiB)`);
    }
    if ((rs & (rs - 1)) !== 0) throw new TargetError(`Region size is not a power of 2 (${rs} sectors)`);
    for (const d of [this.source, this.dest]) {
      if (rs % (d.limits.logical_block_size >> 9) !== 0) {
        throw new TargetError(`Region size is not a multiple of device logical block size (${rs} sectors; ${d.name} has ${d.limits.logical_block_size}-byte blocks)`);
      }
    }
    this.regionSize = rs;
    this.nrRegions = Math.ceil(this.len / rs);
    // validate_nr_regions: dm_bitset and test_bit limit the count to 2^31
    if (this.nrRegions > 2 ** 31) throw new TargetError(`Too many regions. Consider increasing the region size (${this.nrRegions} regions of ${rs} sectors)`);

    // parse_feature_args, parse_core_args (dm_read_arg_group: the count must be in range and present)
    let at = 4;
    const group = (max: number, error: string): number => {
      const s = args[at++];
      const n = s !== undefined && /^\d+$/.test(s) ? Number(s) : NaN;
      if (!(n >= 0 && n <= max) || args.length - at < n) {
        throw new TargetError(`${error}: "${s}" (at most ${max}, and that many must follow; ${args.length - at} follow)`);
      }
      return n;
    };
    if (at < args.length) {
      const n = group(2, "Invalid number of feature arguments");
      for (let i = 0; i < n; i++) {
        const f = args[at++];
        if (f.toLowerCase() === "no_hydration") this.hydrationEnabled = false;
        else if (f.toLowerCase() === "no_discard_passdown") this.discardPassdown = false;
        else throw new TargetError(`Invalid feature argument "${f}" (features: no_hydration, no_discard_passdown)`);
      }
    }
    if (at < args.length) {
      const n = group(4, "Invalid number of core arguments");
      if (n & 1) throw new TargetError(`Number of core arguments must be even (got ${n}: key/value pairs)`);
      for (let i = 0; i < n; i += 2) {
        const key = args[at++], raw = args[at++];
        const v = parseUint(raw);
        const k = key.toLowerCase();
        if (k !== "hydration_threshold" && k !== "hydration_batch_size") {
          throw new TargetError(`Invalid core argument "${key}" (core arguments: hydration_threshold <#regions>, hydration_batch_size <#regions>)`);
        }
        if (v === null) throw new TargetError(`Invalid value for argument \`${k}': "${raw}" (an unsigned 32-bit number of regions)`);
        if (k === "hydration_threshold") this.threshold = v;
        else this.batchSize = v;
      }
    }
    // dm-clone does not look at what follows the core arguments
    const trailing = args.length - at;

    // dm_clone_metadata_open: the model only checks the device can hold its estimate
    const metaSectors = Math.min(this.metadataDev.capacity, METADATA_MAX_SECTORS);
    this.metadataBlocks = Math.floor(metaSectors / CLONE_METADATA_BLOCK_SECTORS);
    if (this.metadataBlocks < this.usedMetadataBlocks()) {
      throw new TargetError(`Failed to load metadata: ${this.metadataDev.name} holds ${this.metadataBlocks} metadata blocks of 4 KiB, the model's estimate for ${this.nrRegions} regions is ${this.usedMetadataBlocks()}`);
    }

    this.ctrArgs = args.slice(3);
    this.bitmap = new Uint8Array(Math.ceil(this.nrRegions / 8));
    if (this.metadataDev.capacity > METADATA_WARN_SECTORS) {
      this.say(`clone: metadata device ${this.metadataDev.name} is larger than ${METADATA_MAX_SECTORS} sectors: excess space will not be used`);
    }
    if (trailing > 0) this.say(`clone: ${trailing} argument(s) after the core arguments ignored (dm-clone does not read them)`);

    this.resumedAt_ns = ctx.blk.sim.now_ns;
  }

  // ---- what the status line and tests read ----

  /** Regions hydrated so far. */
  get hydratedRegions(): number { return this.nrHydrated; }
  /** Regions being hydrated now (#hydrating regions). */
  get hydratingRegions(): number { return this.hydrationsInFlight; }
  get hydrationThreshold(): number { return this.threshold; }
  get hydrationBatchSize(): number { return this.batchSize; }
  get backgroundHydration(): boolean { return this.hydrationEnabled; }
  get discardPassdownEnabled(): boolean { return this.discardPassdown; }
  /** The kcopyd client of this clone (for its statistics). */
  get kcopyd(): KcopydClient { return this.kc; }

  isRegionHydrated(region: number): boolean {
    return (this.bitmap[region >>> 3] & (1 << (region & 7))) !== 0;
  }

  /** The model's estimate: superblock + bitset array blocks + the array's btree root. */
  private usedMetadataBlocks(): number {
    const words = Math.ceil(this.nrRegions / 64);
    return 1 + Math.ceil(words / BITSET_WORDS_PER_BLOCK) + 1;
  }

  devices() {
    // clone_iterate_devices: source and destination, not the metadata device
    return [{ dev: this.source, start: 0, len: this.len }, { dev: this.dest, start: 0, len: this.len }];
  }

  /** ti->max_io_len for reads and writes; none for discards (dm core's abnormal-io path). */
  splitBoundary(op: number, sector: number): number {
    if (op === Op.DISCARD) return 0;
    return this.regionSize - ((sector - this.begin) % this.regionSize);
  }

  /** clone_io_hints: max_io_len into chunk_sectors (done by dm core upstream), and the discard limits. */
  ioHints(l: QueueLimits): void {
    l.chunk_sectors = lcmNotZero(this.regionSize, l.chunk_sectors);
    if (this.discardPassdown) {
      const dl = this.dest.limits;
      const reason = dl.max_discard_sectors === 0 ? "discard unsupported" : dl.max_discard_sectors < this.regionSize ? "max discard sectors smaller than a region" : null;
      if (reason) {
        this.say(`clone: Destination device (${this.dest.name}) ${reason}: Disabling discard passdown.`);
        this.discardPassdown = false;
      }
    }
    if (!this.discardPassdown) {
      // no passdown: the target's own virtual limits
      l.discard_granularity = this.regionSize * 512;
      l.max_hw_discard_sectors = Math.floor((UINT_MAX >>> 9) / this.regionSize) * this.regionSize;
      l.max_discard_sectors = l.max_hw_discard_sectors;
      return;
    }
    // both devices were stacked, but discards only go to the destination: take its limits
    const dl = this.dest.limits;
    l.max_discard_sectors = dl.max_discard_sectors;
    l.max_hw_discard_sectors = dl.max_hw_discard_sectors;
    l.discard_granularity = dl.discard_granularity;
    l.max_discard_segments = dl.max_discard_segments;
  }

  // ---- I/O ----

  map(io: DmIo): MapResult {
    const c = io.clone;
    if (opIsCopy(c.op)) {
      // only with the copy_offload what-if: dm-clone has no copy path
      return { kill: BlkStatus.NOTSUPP, why: `clone: bio ${io.orig.id} ${c.sector}+${c.sectors}: dm-clone cannot pass a copy (each region maps to the source or the destination at I/O time); the copy_offload what-if does not apply to it` };
    }
    this.host(io.md);
    this.iosInFlight++;
    if (c.size === 0) {
      // an empty flush: to the destination (the metadata commit it would trigger is not modelled)
      c.bdev = this.dest;
      return "remapped";
    }
    c.sector -= this.begin; // dm_target_offset: the same sector on both devices
    if (c.op === Op.DISCARD) {
      this.processDiscard(io);
      return "submitted";
    }
    const region = Math.floor(c.sector / this.regionSize);
    if (this.isRegionHydrated(region)) {
      c.bdev = this.dest;
      return "remapped";
    }
    if (!opIsWrite(c.op)) {
      c.bdev = this.source;
      return "remapped";
    }
    c.bdev = this.dest;
    this.hydrateBioRegion(io, region);
    return "submitted";
  }

  /** clone_endio: one bio less in flight; an overwrite's completion completes its region's hydration. */
  endIo(io: DmIo, done: () => void): void {
    this.iosInFlight--;
    const hd = (io.data as CloneIoData | undefined)?.overwriteOf;
    if (hd) {
      hd.status = io.clone.status;
      this.hydrationComplete(hd);
    }
    done();
  }

  /** hydrate_bio_region: wait on the region's hydration, or start it (copy, or overwrite). */
  private hydrateBioRegion(io: DmIo, region: number): void {
    const c = io.clone;
    const busy = this.hydrating.get(region);
    if (busy) {
      busy.deferred.push(io);
      this.say(`clone: bio ${io.orig.id} write ${c.sector}+${c.sectors} waits for region ${region}, which is hydrating`);
      return;
    }
    const hd: Hydration = { region, overwrite: null, deferred: [], status: BlkStatus.OK, batch: [] };
    this.hydrating.set(region, hd);
    if (c.sectors === this.regionSize) {
      // hydration_overwrite: the write is the hydration
      hd.overwrite = io;
      io.data = { overwriteOf: hd } satisfies CloneIoData;
      this.hydrationsInFlight++;
      this.noteHydrating();
      this.say(`clone: bio ${io.orig.id} overwrites region ${region} whole (${c.sector}+${c.sectors}): no copy, hydrated when the write completes`);
      io.md.submitRemap(io);
      return;
    }
    hd.deferred.push(io);
    this.say(`clone: hydrating region ${region} for bio ${io.orig.id} (write ${c.sector}+${c.sectors}); the write waits for the copy`);
    this.hydrationCopy(hd, 1);
  }

  /** hydration_copy: one kcopyd job for nr regions from hd's (the last region may be short). */
  private hydrationCopy(hd: Hydration, nr: number): void {
    const start = hd.region * this.regionSize;
    const lastRegion = hd.region + nr - 1;
    const tail = lastRegion === this.nrRegions - 1 ? this.len - lastRegion * this.regionSize : this.regionSize;
    const count = (nr - 1) * this.regionSize + tail;
    this.hydrationsInFlight += nr;
    this.noteHydrating();
    this.kc.copy({ bdev: this.source, sector: start, count }, [{ bdev: this.dest, sector: start, count }], 0, (readErr, writeErr) => this.copyDone(hd, readErr, writeErr));
  }

  /** hydration_kcopyd_callback: complete every region of the job, then go on hydrating if idle. */
  private copyDone(hd: Hydration, readErr: boolean, writeErr: number): void {
    const st = readErr || writeErr ? BlkStatus.IOERR : BlkStatus.OK;
    if (st !== BlkStatus.OK) {
      const last = hd.region + hd.batch.length;
      this.say(`clone: hydration failed: region${last > hd.region ? `s ${hd.region}..${last}` : ` ${hd.region}`} (${readErr ? "read error" : `write_err ${writeErr}`}); held writes fail`);
      if (this.hydrationEnabled) {
        // dm-clone retries a failing region for ever (dm-clone.rst, known issue 3); the model
        // stops background hydration instead, so a run always ends: enable_hydration restarts it
        this.hydrationEnabled = false;
        this.say("clone: background hydration stopped after a copy error (the kernel would retry for ever); send enable_hydration to retry");
      }
    }
    for (const h of [hd, ...hd.batch]) {
      h.status = st;
      this.hydrationComplete(h);
    }
    if (this.hydrationEnabled && this.iosInFlight === 0) this.wakeWorker();
  }

  /** hydration_complete: mark the region, let its held writes go (or fail them). */
  private hydrationComplete(hd: Hydration): void {
    this.hydrating.delete(hd.region);
    if (hd.status === BlkStatus.OK) {
      this.setHydrated(hd.region);
      if (hd.deferred.length > 0) {
        this.deferredBios.push(...hd.deferred);
        this.wakeWorker();
      }
    } else {
      for (const io of hd.deferred) {
        io.clone.status = hd.status;
        this.endClone(io);
      }
    }
    hd.deferred = [];
    this.hydrationsInFlight--;
  }

  private setHydrated(region: number): void {
    if (this.isRegionHydrated(region)) return;
    this.bitmap[region >>> 3] |= 1 << (region & 7);
    this.nrHydrated++;
    if (this.nrHydrated === this.nrRegions && !this.doneSaid) {
      this.doneSaid = true;
      this.say(`clone: hydration done: all ${this.nrRegions} regions hydrated (dm event)`);
    }
  }

  /** bio_region_range: the regions a bio covers whole. */
  private regionRange(sector: number, sectors: number): { rs: number; nr: number } {
    const rs = Math.ceil(sector / this.regionSize);
    const end = Math.floor((sector + sectors) / this.regionSize);
    return { rs, nr: Math.max(0, end - rs) };
  }

  /** process_discard_bio. */
  private processDiscard(io: DmIo): void {
    const c = io.clone;
    const { rs, nr } = this.regionRange(c.sector, c.sectors);
    if (nr === 0) {
      this.say(`clone: discard bio ${io.orig.id} ${c.sector}+${c.sectors} covers no whole region: completed`);
      this.endClone(io);
      return;
    }
    let all = true;
    for (let r = rs; r < rs + nr && all; r++) all = this.isRegionHydrated(r);
    if (all) {
      this.completeDiscard(io, true);
      return;
    }
    this.deferredDiscards.push(io);
    this.wakeWorker();
  }

  /** complete_discard_bio: trimmed to whole regions and passed to the destination, or completed. */
  private completeDiscard(io: DmIo, success: boolean): void {
    const c = io.clone;
    if (this.discardPassdown && success) {
      const { rs, nr } = this.regionRange(c.sector, c.sectors);
      c.bdev = this.dest;
      c.sector = rs * this.regionSize;
      c.size = nr * this.regionSize * 512;
      io.md.submitRemap(io);
      return;
    }
    this.endClone(io);
  }

  /** bio_endio on the clone without submitting it: dm core's clone_endio path. */
  private endClone(io: DmIo): void {
    bioEndio(io.clone);
  }

  // ---- the worker ----

  /** wake_worker: queue_work on the clone's workqueue (once until it runs). */
  private wakeWorker(): void {
    if (this.workQueued) return;
    this.workQueued = true;
    const sim = this.blk.sim;
    const cpu = sim.current.cpu;
    sim.queueWork(cpu, () => this.doWorker(), this.worker(cpu));
  }

  private worker(cpu: number): Task {
    return this.blk.sim.kworker(cpu, `kworker/${cpu}:6`, 1600 + cpu);
  }

  /** do_worker: held bios, discards, (flushes: no commit modelled), then background hydration. */
  private doWorker(): void {
    this.workQueued = false;
    if (!this.host()) return; // the table never became a device
    const blk = this.blk;
    const bios = this.deferredBios;
    this.deferredBios = [];
    if (bios.length > 0) {
      blk.startPlug();
      try {
        for (const io of bios) io.md.submitRemap(io);
      } finally {
        blk.finishPlug();
      }
    }
    const discards = this.deferredDiscards;
    this.deferredDiscards = [];
    if (discards.length > 0) {
      for (const io of discards) {
        const { rs, nr } = this.regionRange(io.clone.sector, io.clone.sectors);
        let newly = 0;
        for (let r = rs; r < rs + nr; r++) if (!this.isRegionHydrated(r)) { this.setHydrated(r); newly++; }
        this.say(`clone: discard bio ${io.orig.id}: regions ${rs}..${rs + nr - 1} hydrated without copying (${newly} newly)${this.discardPassdown ? `; passed down as ${rs * this.regionSize}+${nr * this.regionSize}` : ""}`);
      }
      blk.startPlug();
      try {
        for (const io of discards) this.completeDiscard(io, true);
      } finally {
        blk.finishPlug();
      }
    }
    this.doHydration();
  }

  /** do_hydration: start background hydrations up to the threshold, batching contiguous regions. */
  private doHydration(): void {
    if (this.nrHydrated === this.nrRegions) return;
    // do_hydration holds one count in hydrations_in_flight while it runs
    const guard = 1;
    let offset = this.hydrationOffset;
    let head: Hydration | null = null;
    let started = 0;
    const issue = () => {
      if (!head) return;
      const nr = 1 + head.batch.length;
      this.say(`clone: background hydration: region${nr > 1 ? `s ${head.region}..${head.region + nr - 1} (a batch of ${nr})` : ` ${head.region}`}, ${this.hydrationsInFlight + nr} hydrating (threshold ${this.threshold})`);
      this.hydrationCopy(head, nr);
      head = null;
    };
    if (this.hydrationEnabled && this.iosInFlight > 0 && offset < this.nrRegions) {
      if (!this.pausedSaid) this.say(`clone: background hydration paused: ${this.iosInFlight} bio(s) in flight`);
      this.pausedSaid = true;
    }
    while (this.hydrationEnabled && this.iosInFlight === 0 && offset < this.nrRegions) {
      const batched = head ? 1 + (head as Hydration).batch.length : 0;
      if (this.hydrationsInFlight + guard + batched > this.threshold) break;
      // __start_next_hydration: the next unhydrated region that is not hydrating
      let found = -1;
      for (let r = this.nextUnhydrated(offset); r < this.nrRegions; r = this.nextUnhydrated(r + 1)) {
        if (!this.hydrating.has(r)) { found = r; break; }
      }
      if (found < 0) { offset = this.nrRegions; break; }
      offset = found + 1;
      started++;
      const hd: Hydration = { region: found, overwrite: null, deferred: [], status: BlkStatus.OK, batch: [] };
      this.hydrating.set(found, hd);
      // __batch_hydration
      const max = this.batchSize;
      if (head) {
        const h = head as Hydration;
        if (1 + h.batch.length < max && h.region + 1 + h.batch.length === found) {
          h.batch.push(hd);
          if (1 + h.batch.length >= max) issue();
          continue;
        }
        issue();
      }
      if (max <= 1) {
        head = hd;
        issue();
      } else head = hd;
    }
    issue();
    if (started > 0) this.pausedSaid = false;
    if (offset >= this.nrRegions) offset = 0;
    this.hydrationOffset = offset;
  }

  /** dm_clone_find_next_unhydrated_region: the first unhydrated region >= from (nrRegions: none). */
  private nextUnhydrated(from: number): number {
    let r = from;
    while (r < this.nrRegions) {
      if ((r & 7) === 0 && this.bitmap[r >>> 3] === 0xff) { r += 8; continue; }
      if (!this.isRegionHydrated(r)) return r;
      r++;
    }
    return this.nrRegions;
  }

  /** do_waker: every COMMIT_PERIOD from creation; armed only while it can restart hydration. */
  private armWaker(): void {
    if (this.wakerArmed || !this.wakerUseful()) return;
    this.wakerArmed = true;
    const sim = this.blk.sim;
    const period = CLONE_COMMIT_PERIOD_NS;
    const next = this.resumedAt_ns + (Math.floor((sim.now_ns - this.resumedAt_ns) / period) + 1) * period;
    const cpu = sim.current.cpu;
    sim.at(next, this.worker(cpu), () => {
      this.wakerArmed = false;
      if (!this.host() || !this.wakerUseful()) return; // never became a device, or nothing to restart
      this.wakeWorker();
      this.armWaker();
    });
  }

  private wakerUseful(): boolean {
    return this.hydrationEnabled && this.threshold > 0 && this.nrHydrated < this.nrRegions;
  }

  private noteHydrating(): void {
    this.maxHydrating = Math.max(this.maxHydrating, this.hydrationsInFlight);
  }

  // ---- dmsetup ----

  /** clone_message. */
  message(args: string[]): void {
    if (args.length === 0) throw new TargetError("empty message (clone takes enable_hydration, disable_hydration, hydration_threshold <#regions>, hydration_batch_size <#regions>)");
    const cmd = args[0].toLowerCase();
    if (cmd === "enable_hydration") {
      if (!this.hydrationEnabled) {
        this.hydrationEnabled = true;
        this.wakeWorker();
      }
      this.armWaker();
      return;
    }
    if (cmd === "disable_hydration") {
      this.hydrationEnabled = false;
      return;
    }
    if (args.length !== 2) {
      throw new TargetError(`Invalid number of arguments (${args.length}): expected enable_hydration, disable_hydration, hydration_threshold <#regions> or hydration_batch_size <#regions>`);
    }
    const v = parseUint(args[1]);
    if (cmd === "hydration_threshold") {
      if (v === null) throw new TargetError(`hydration_threshold: "${args[1]}" is not an unsigned 32-bit number of regions`);
      this.threshold = v;
      // a threshold raised from 0 must restart hydration
      this.wakeWorker();
      this.armWaker();
      return;
    }
    if (cmd === "hydration_batch_size") {
      if (v === null) throw new TargetError(`hydration_batch_size: "${args[1]}" is not an unsigned 32-bit number of regions`);
      this.batchSize = v;
      return;
    }
    throw new TargetError(`Unsupported message \`${args[0]}'`);
  }

  /** STATUSTYPE_INFO (metadata figures as modelled: see the file comment). */
  status(): string {
    const features: string[] = [];
    if (!this.hydrationEnabled) features.push("no_hydration");
    if (!this.discardPassdown) features.push("no_discard_passdown");
    return [
      `${CLONE_METADATA_BLOCK_SECTORS} ${this.usedMetadataBlocks()}/${this.metadataBlocks}`,
      `${this.regionSize} ${this.nrHydrated}/${this.nrRegions} ${this.hydrationsInFlight}`,
      `${features.length}${features.map((f) => ` ${f}`).join("")}`,
      `4 hydration_threshold ${this.threshold} hydration_batch_size ${this.batchSize}`,
      "rw",
    ].join(" ");
  }

  mapSector(sector: number, write: boolean): SectorMap {
    const rel = sector - this.begin;
    const region = Math.floor(rel / this.regionSize);
    const dev = write || this.isRegionHydrated(region) ? this.dest : this.source;
    return { dev, sector: rel, room: Math.min(this.len - rel, (region + 1) * this.regionSize - rel) };
  }

  /** STATUSTYPE_TABLE: the three devices, then the saved arguments as given. */
  params(): string {
    return `${devNum(this.metadataDev)} ${devNum(this.dest)} ${devNum(this.source)} ${this.ctrArgs.join(" ")}`;
  }

  // ---- helpers ----

  /** The dm device holding the target, once it exists (targets are built before it). */
  attach(md: DmHost): void {
    this.md = md;
    this.kc = kcopydClientCreate(this.blk, `clone ${this.source.name}->${this.dest.name}`);
    // clone_resume -> do_waker: the worker runs, and the waker ticks every COMMIT_PERIOD
    this.wakeWorker();
    this.armWaker();
  }

  private host(md?: DmHost): DmHost | null {
    if (md) this.md = md;
    return this.md;
  }

  private say(text: string): void {
    this.blk.message(this.host() ?? this.dest, text);
  }
}
