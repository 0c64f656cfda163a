// Device-mapper core (drivers/md/dm.c, dm-table.c) as bio-based stacking block devices dm-0,
// dm-1, ... (major 253, minor = index). A table of targets covers the device from sector 0
// without gaps or overlaps (dm_table_add_target / adjoin). Queue limits: each target starts
// from blk_set_stacking_limits, stacks every device under it, applies its io_hints, its
// max_io_len as chunk_sectors, and loses discard / write-zeroes / copy support it does not
// have; the table stacks the targets (dm_calculate_queue_limits). Copy support per series:
// v20 (pair) needs copy_offload_supported on every target and non-zero max_copy_sectors below;
// 2026 (ctx) needs BLK_FEAT_STACKING_COPY_OFFL on every target; the 2025 single-bio series
// (vector) has no dm support. Only dm-linear sets the flags. A per-target what-if
// (copy_offload) forces a target to pass copies; it is reported as not upstream behaviour.
//
// submit: the bio is split where it would cross a target boundary or the target's max_io_len
// (the front is mapped, the rest goes back through submit_bio_noacct, trace X), except copy
// bios, which fail ("splitting copy request is not supported": BLK_STS_IOERR in v20,
// BLK_STS_NOTSUPP otherwise). Each piece is cloned (op, flags, sectors, pages, bi_copy_ctx —
// the 2026 series copies it on clone — and the 2025 source vector, remapped); the target remaps
// the clone; dm traces A on the lower device and resubmits it with submit_bio_noacct, or the
// target holds it and does so later (dm-delay, dm-crypt's writer). The clone's completion
// completes the piece (status propagated), which traces C on the dm device.
//
// Flushes (dm_split_and_process_bio): a REQ_PREFLUSH bio is answered with empty
// REQ_OP_WRITE | REQ_PREFLUSH | REQ_SYNC clones (__send_empty_flush), num_flush_bios through
// each target's map, or, when every target sets flush_bypasses_map (linear, striped; Linux
// 6.11), one to each device of the table unmapped. A flush with data then goes through dm again
// without REQ_PREFLUSH, from the device's work item (__dm_io_complete -> queue_io ->
// dm_wq_work); as in the kernel, a failed preflush does not stop it. Simplified: a bio is
// accounted once on the dm device, not once per pass.

import { Bio, BioVec, BlkStatus, BLK_STATUS_NAMES, OP_NAMES, Op, REQ_PREFLUSH, REQ_SYNC, bioChain, bioEndio, opIsCopy } from "../bio";
import type { BlockLayer } from "../blk";
import { CopyDesign, DiskAcct, DiskStats, accountDone, foldStats, inflightChange, newDiskStats } from "../disk";
import type { BlockDevice } from "../disk";
import { QueueFlags, QueueLimits, clearCopyLimits, stackLimits, stackingLimits } from "../limits";
import { splitBio } from "../split";
import { CloneTarget } from "./clone";
import { CryptTarget } from "./crypt";
import { DelayTarget } from "./delay";
import { LinearTarget } from "./linear";
import { SnapshotOriginTarget, SnapshotTarget } from "./snapshot";
import { StripedTarget } from "./striped";
import { DmHost, DmIo, DmTarget, TargetCtx, TargetError } from "./target";
import { DM_MAJOR } from "../devnames";
import { WHAT_IF_COPY_TOKEN, WHAT_IF_PLUG_TOKEN, WHAT_IF_TOKENS } from "./what-if";

export { DM_MAJOR };
const UINT_MAX = 0xffffffff;

/** One line of a table: `<start> <length> <type> <args...>` (dmsetup's syntax, sectors). */
export interface DmTargetSpec {
  /** First sector on the dm device; default: where the previous target ends. */
  start?: number;
  len: number;
  /** linear, striped, crypt, delay. */
  type: string;
  /** The target's arguments, as one string or already split. */
  args: string | string[];
  /** What-if, not upstream: this target passes copies whatever its series says. */
  copy_offload?: boolean;
  /** What-if, not upstream (delay only): resubmit expired bios inside one plug. */
  plug?: boolean;
}

export interface DmOptions {
  /** The copy design of this device (default: the run's). */
  design?: CopyDesign;
}

type TargetCtor = new (ctx: TargetCtx, args: string[]) => DmTarget;

/** The target types modelled (dm_get_target_type). */
export const TARGET_TYPES: Record<string, TargetCtor> = {
  linear: LinearTarget,
  striped: StripedTarget,
  crypt: CryptTarget,
  delay: DelayTarget,
  "snapshot-origin": SnapshotOriginTarget,
  snapshot: SnapshotTarget,
  clone: CloneTarget,
};

export { WHAT_IF_COPY_TOKEN, WHAT_IF_PLUG_TOKEN };

const registry = new WeakMap<BlockLayer, Map<string, DmDevice>>();

function mapped(blk: BlockLayer): Map<string, DmDevice> {
  let m = registry.get(blk);
  if (!m) registry.set(blk, (m = new Map()));
  return m;
}

/** A dm device by the name it was created with (/dev/mapper/<name>). */
export function dmByName(blk: BlockLayer, name: string): DmDevice | undefined {
  return mapped(blk).get(name.replace(/^\/dev\/mapper\//, "").replace(/^mapper\//, ""));
}

/** Every dm device of the run, by minor. */
export function dmDevices(blk: BlockLayer): DmDevice[] {
  return [...mapped(blk).values()].sort((a, b) => a.minor - b.minor);
}

/** dm_get_device: nvme0n1, /dev/nvme0n1, dm-0, /dev/mapper/<name>, or major:minor. */
export function lookupDevice(blk: BlockLayer, name: string): BlockDevice {
  let n = name.replace(/^\/dev\//, "");
  if (n.startsWith("mapper/")) {
    const d = dmByName(blk, n);
    if (d) return d;
  }
  const mm = /^(\d+):(\d+)$/.exec(n);
  if (mm) {
    for (const d of blk.disks.values()) if (d.major === Number(mm[1]) && d.minor === Number(mm[2])) return d;
  } else {
    const d = blk.disks.get(n);
    if (d) return d;
  }
  n = name;
  const known = [...blk.disks.keys(), ...[...mapped(blk).keys()].map((k) => `mapper/${k}`)];
  throw new TargetError(`Device lookup failed: unknown device "${n}" (there are: ${known.join(", ") || "none"})`);
}

/** Parse table lines (`<start> <length> <type> <args...>`; blank lines and # comments skipped). */
export function parseDmTable(table: string | string[]): DmTargetSpec[] {
  const lines = Array.isArray(table) ? table : table.split("\n");
  const out: DmTargetSpec[] = [];
  lines.forEach((raw, i) => {
    const line = raw.replace(/#.*$/, "").trim();
    if (!line) return;
    const t = line.split(/\s+/);
    const where = `table target ${out.length} (line ${i + 1} "${line}")`;
    if (t.length < 3) throw new Error(`${where}: expected <start> <length> <target type> <arguments>`);
    if (!/^\d+$/.test(t[0])) throw new Error(`${where}: start "${t[0]}" is not a sector number`);
    if (!/^\d+$/.test(t[1])) throw new Error(`${where}: length "${t[1]}" is not a sector count`);
    let args = t.slice(3);
    const whatIf = args.includes(WHAT_IF_COPY_TOKEN);
    const plug = args.includes(WHAT_IF_PLUG_TOKEN);
    args = args.filter((a) => !WHAT_IF_TOKENS.includes(a));
    out.push({ start: Number(t[0]), len: Number(t[1]), type: t[2], args, ...(whatIf ? { copy_offload: true } : {}), ...(plug ? { plug: true } : {}) });
  });
  return out;
}

const lcmNotZero = (a: number, b: number): number => {
  if (a === 0) return b;
  if (b === 0) return a;
  let x = a, y = b;
  while (y) [x, y] = [y, x % y];
  return (a / x) * b;
};

/**
 * dmsetup create <name> with a table: build the targets, check the table, register dm-N.
 * Throws an Error naming the target index and what is wrong.
 */
export function createDm(blk: BlockLayer, name: string, table: DmTargetSpec[] | string | string[], o: DmOptions = {}): DmDevice {
  const specs = typeof table === "string" || (Array.isArray(table) && table.every((x) => typeof x === "string")) ? parseDmTable(table as string | string[]) : (table as DmTargetSpec[]);
  if (!name || /[\s/]/.test(name)) throw new Error(`dm: invalid device name "${name}" (no spaces or slashes)`);
  if (mapped(blk).has(name)) throw new Error(`dm ${name}: a device-mapper device of that name already exists`);
  let minor = 0;
  for (const d of blk.disks.values()) if (d.major === DM_MAJOR) minor = Math.max(minor, d.minor + 1);
  const prefix = `dm ${name} (dm-${minor})`;
  if (specs.length === 0) throw new Error(`${prefix}: empty table (a device needs at least one target)`);
  const targets: DmTarget[] = [];
  let end = 0;
  specs.forEach((s, i) => {
    const start = s.start ?? end;
    const where = `${prefix}: table target ${i} (${s.type ?? "?"} ${start}+${s.len})`;
    if (!Number.isSafeInteger(start) || start < 0) throw new Error(`${where}: start ${start} is not a sector number`);
    if (!Number.isSafeInteger(s.len) || s.len <= 0) throw new Error(`${where}: zero or invalid length ${s.len} (a target covers at least one sector)`);
    if (i === 0 && start !== 0) throw new Error(`${where}: the table must start at sector 0, but target 0 starts at ${start}`);
    if (start > end) throw new Error(`${where}: gap in table: target ${i - 1} ends at sector ${end}, target ${i} starts at ${start} (${start - end} sectors unmapped)`);
    if (start < end) throw new Error(`${where}: overlapping targets: target ${i} starts at sector ${start}, inside target ${i - 1} which ends at ${end}`);
    const Ctor = TARGET_TYPES[s.type];
    if (!Ctor) throw new Error(`${where}: unknown target type "${s.type}" (modelled: ${Object.keys(TARGET_TYPES).join(", ")})`);
    const args = typeof s.args === "string" ? s.args.trim().split(/\s+/).filter(Boolean) : [...s.args];
    if (s.plug && s.type !== "delay") throw new Error(`${where}: ${WHAT_IF_PLUG_TOKEN} applies only to a delay target`);
    let ti: DmTarget;
    try {
      ti = new Ctor({ blk, begin: start, len: s.len, index: i, device: (n) => lookupDevice(blk, n) }, args);
    } catch (e) {
      throw new Error(`${where}: ${(e as Error).message}`);
    }
    ti.whatIfCopy = s.copy_offload === true;
    if (ti instanceof DelayTarget) ti.resubmitInPlug = s.plug === true;
    targets.push(ti);
    end = start + s.len;
  });
  // validate_hardware_logical_block_alignment: every boundary on the table's logical block size
  let lbs = 512;
  for (const ti of targets) for (const d of ti.devices()) lbs = Math.max(lbs, d.dev.limits.logical_block_size);
  for (const ti of targets) {
    if ((ti.begin * 512) % lbs || (ti.len * 512) % lbs) {
      throw new Error(`${prefix}: table target ${ti.index} (${ti.type} ${ti.begin}+${ti.len}) is not aligned to the logical block size ${lbs} of the devices in the table`);
    }
  }
  const md = new DmDevice(blk, name, minor, targets, o.design);
  blk.addDisk(md);
  for (const ti of targets) ti.attach?.(md);
  mapped(blk).set(name, md);
  blk.message(md, `dm: created ${md.name} (${name}): ${md.table().join("; ")}`);
  return md;
}

export class DmDevice implements DmHost {
  readonly stacking = true;
  readonly driver = "dm";
  readonly major = DM_MAJOR;
  readonly name: string;
  readonly flags: QueueFlags = { nomerges: 0 };
  /** The counters bios update (disk.ts DiskAcct); stats is their DiskStats view. */
  private readonly acct = new DiskAcct();
  private readonly statsView: DiskStats = newDiskStats();
  get stats(): DiskStats {
    return foldStats(this.acct, this.statsView);
  }
  copyDesign?: CopyDesign;
  /** Flushes pass when any device below has a write cache (dm_table_supports_flush). */
  writeCache = true;
  limits: QueueLimits;
  capacity: number;
  /** Bios whose completion is already traced and accounted here: the bio's id then (a reused bio has a new one). */
  private readonly accounted = new WeakMap<Bio, number>();

  constructor(readonly blk: BlockLayer, readonly dmName: string, readonly minor: number, readonly targets: DmTarget[], design?: CopyDesign) {
    this.name = `dm-${minor}`;
    this.capacity = targets.reduce((a, t) => a + t.len, 0);
    if (design) this.copyDesign = design;
    this.limits = this.calculateLimits(null);
  }

  get design(): CopyDesign {
    return this.blk.designOf(this);
  }

  /** The copy design changes (like the nvme disks' applyCopyDesign): the limits are recalculated. */
  applyCopyDesign(design: CopyDesign): void {
    this.copyDesign = design;
    this.reload();
  }

  /** A table reload with the same table: limits are stacked again from the devices below. */
  reload(): void {
    this.limits = this.calculateLimits(this.limits);
  }

  /** dmsetup table. */
  table(): string[] {
    return this.targets.map((t) => `${t.begin} ${t.len} ${t.type} ${t.params()}`);
  }

  /** Which target holds sector. */
  targetAt(sector: number): DmTarget {
    for (const t of this.targets) if (sector < t.begin + t.len) return t;
    return this.targets[this.targets.length - 1];
  }

  /**
   * max_io_len: sectors from `sector` before a target boundary, the target's max_io_len, or
   * where the target accepts only part of a bio of this op (dm_accept_partial_bio).
   */
  maxIoLen(ti: DmTarget, sector: number, op?: Op): number {
    let room = ti.begin + ti.len - sector;
    if (ti.maxIoLen) room = Math.min(room, ti.maxIoLen - ((sector - ti.begin) % ti.maxIoLen));
    const own = op === undefined ? 0 : ti.splitBoundary?.(op, sector) ?? 0;
    if (own > 0) room = Math.min(room, own);
    return room;
  }

  /** dmsetup status: one line per target. */
  status(): string[] {
    return this.targets.map((t) => `${t.begin} ${t.len} ${t.type}${t.status ? ` ${t.status()}` : ""}`);
  }

  /** dmsetup message <name> <sector> <message>: to the target holding sector. */
  message(sector: number, args: string[]): void {
    if (!Number.isSafeInteger(sector) || sector < 0 || sector >= this.capacity) throw new Error(`dm ${this.dmName}: message sector ${sector} is outside the device (${this.capacity} sectors)`);
    const ti = this.targetAt(sector);
    if (!ti.message) throw new Error(`dm ${this.dmName}: target ${ti.index} (${ti.type}) takes no messages`);
    try {
      ti.message(args);
    } catch (e) {
      throw new Error(`dm ${this.dmName}: target ${ti.index} (${ti.type}): message "${args.join(" ")}": ${(e as Error).message}`);
    }
    this.blk.message(this, `dm: ${this.name} message to target ${ti.index} (${ti.type}): ${args.join(" ")}`);
  }

  /** Why a target takes no copies in this design (null: it does). */
  private copyRefusal(ti: DmTarget, design: CopyDesign): string | null {
    if (ti.whatIfCopy) return null;
    const t = `target ${ti.index} (${ti.type})`;
    switch (design) {
      case "pair": {
        if (!ti.copyOffloadSupported) return `${t} does not set copy_offload_supported (v20 sets it only in dm-linear)`;
        const none = ti.devices().find((d) => d.dev.limits.max_copy_sectors === 0);
        if (none) return `${t}: ${none.dev.name} has max_copy_sectors 0`;
        return null;
      }
      case "ctx":
        return ti.stackingCopyOffl ? null : `${t} does not set BLK_FEAT_STACKING_COPY_OFFL (the 2026 series sets it only in dm-linear)`;
      case "vector":
        return `${t}: the 2025 single-bio series has no device-mapper support`;
    }
  }

  /** dm_calculate_queue_limits (+ the copy rules of each series). */
  private calculateLimits(prev: QueueLimits | null): QueueLimits {
    const design = this.design;
    const l = stackingLimits();
    let anyCache = false;
    for (const ti of this.targets) {
      const tl = stackingLimits();
      for (const d of ti.devices()) {
        stackLimits(tl, d.dev.limits);
        if ((d.dev as { writeCache?: boolean }).writeCache !== false) anyCache = true;
      }
      ti.ioHints?.(tl);
      if (ti.maxIoLen) tl.chunk_sectors = lcmNotZero(ti.maxIoLen, tl.chunk_sectors);
      if (ti.numDiscardBios === 0) {
        tl.max_hw_discard_sectors = 0;
        tl.max_discard_sectors = 0;
        tl.discard_granularity = 0;
      }
      if (ti.numWriteZeroesBios === 0) tl.max_write_zeroes_sectors = 0;
      const refused = this.copyRefusal(ti, design);
      if (refused) {
        clearCopyLimits(tl);
        this.blk.message(this, `dm: ${this.name} copy limits zeroed (${design}): ${refused}`);
      } else if (ti.whatIfCopy) {
        const upstream = design === "pair" ? ti.copyOffloadSupported : design === "ctx" ? ti.stackingCopyOffl : false;
        this.blk.message(this, upstream
          ? `dm: ${this.name} target ${ti.index} (${ti.type}): copy_offload what-if set, but upstream ${ti.type} passes copies in ${design} anyway (no change)`
          : `dm: ${this.name} target ${ti.index} (${ti.type}) passes copies (${design}) because of the copy_offload what-if: not upstream behaviour`);
      }
      stackLimits(l, tl);
    }
    if (l.max_discard_sectors === 0) l.discard_granularity = 0;
    this.writeCache = anyCache;
    if (prev) {
      // sysfs settings survive a reload
      if (prev.max_user_copy_sectors !== UINT_MAX) {
        l.max_user_copy_sectors = prev.max_user_copy_sectors;
        l.max_copy_sectors = Math.min(l.max_copy_sectors, l.max_user_copy_sectors);
      }
      if (prev.max_user_sectors) {
        l.max_user_sectors = prev.max_user_sectors;
        l.max_sectors = Math.min(l.max_hw_sectors, l.max_user_sectors);
      }
    }
    return l;
  }

  // ---- I/O ----

  /** dm_submit_bio: split at the target (or max_io_len) boundary, then map. */
  submit(bio: Bio): void {
    this.account(bio);
    if (bio.flags & REQ_PREFLUSH) {
      this.sendEmptyFlush(bio);
      return;
    }
    if (bio.size === 0) {
      // nothing to map (__split_and_process_bio runs while sector_count is not 0)
      bioEndio(bio);
      return;
    }
    const ti = this.targetAt(bio.sector);
    // __process_abnormal_io: discards and write-zeroes are cut only at the target's end (unless
    // the target sets max_discard_granularity, which none modelled does), not at max_io_len
    const abnormal = bio.op === Op.DISCARD || bio.op === Op.WRITE_ZEROES;
    const room = abnormal ? ti.begin + ti.len - bio.sector : this.maxIoLen(ti, bio.sector, bio.op);
    if (bio.sectors > room) {
      if (opIsCopy(bio.op)) {
        const st = this.design === "pair" ? BlkStatus.IOERR : BlkStatus.NOTSUPP;
        const at = bio.sector + room;
        const edge = at === ti.begin + ti.len ? `the end of target ${ti.index} (${ti.type})` : ti.maxIoLen ? `a ${ti.maxIoLen}-sector boundary of target ${ti.index} (${ti.type})` : `a split boundary of target ${ti.index} (${ti.type})`;
        this.blk.message(this, `dm: bio ${bio.id} ${OP_NAMES[bio.op]} ${bio.sector}+${bio.sectors} crosses ${edge} at sector ${at}: splitting copy request is not supported (${BLK_STATUS_NAMES[st]})`);
        this.blk.fail(bio, st);
        return;
      }
      // dm_split_and_process_bio: the front is mapped now; then the bio is trimmed to the rest,
      // traced as split at its own new start (trace_block_split(bio, bio->bi_iter.bi_sector)),
      // and resubmitted to be mapped after what this submitted. It ends once, after every part.
      const front = splitBio(bio, room);
      front.queued = true;
      bioChain(front, bio);
      this.mapBio(ti, front);
      this.blk.bioEvent("X", bio, { splitAt: bio.sector });
      this.blk.submitBioNoacct(bio);
      return;
    }
    this.mapBio(ti, bio);
  }

  /** __map_bio for one piece that lies inside one target. */
  private mapBio(ti: DmTarget, bio: Bio): void {
    // a split front is a dm_io of its own for the disk stats (dm_io_acct), but the bio is
    // traced complete (C) only once, when its last part ends (bio_endio's trace_block_bio_complete)
    this.account(bio, false);
    const n = bio.op === Op.DISCARD ? ti.numDiscardBios : bio.op === Op.WRITE_ZEROES ? ti.numWriteZeroesBios : 1;
    if (n > 1) {
      // __send_changing_extent_only: num_discard_bios / num_write_zeroes_bios clones of the same
      // range, told apart by their index (target_bio_nr), e.g. one per stripe for dm-stripe
      bio.remaining += n - 1;
      for (let i = 0; i < n; i++) this.runMap({ md: this, ti, orig: bio, clone: this.cloneOf(bio, bio.sector, bio.size), fromSector: bio.sector, flushIndex: i });
      return;
    }
    const clone = this.cloneOf(bio, bio.sector, bio.size);
    const io: DmIo = { md: this, ti, orig: bio, clone, fromSector: bio.sector, flushIndex: 0 };
    if (bio.op === Op.COPY && bio.copySrc) {
      const why = this.remapCopySrc(io);
      if (why) { this.killIo(io, BlkStatus.NOTSUPP, why); return; }
    }
    this.runMap(io);
  }

  /**
   * __send_empty_flush for a REQ_PREFLUSH bio: empty REQ_OP_WRITE | REQ_PREFLUSH | REQ_SYNC
   * clones (of an on-stack flush bio, not of this one: no data, no FUA), remapped from sector 0.
   * With flush_bypasses_map on the table, one per device of the table, not mapped by a target;
   * otherwise num_flush_bios through each target's map. An empty bio ends when they all have;
   * a flush with data is queued again without REQ_PREFLUSH (queue_io), whatever they returned.
   */
  private sendEmptyFlush(bio: Bio): void {
    const ios: DmIo[] = [];
    const flushClone = () => {
      const c = new Bio(this, Op.WRITE, 0, 0, [], REQ_PREFLUSH | REQ_SYNC, bio.task);
      c.origin = bio;
      return c;
    };
    const bypass = this.flushBypassesMap;
    if (bypass) {
      for (const dev of this.tableDevices()) {
        const clone = flushClone();
        clone.bdev = dev;
        ios.push({ md: this, ti: this.targets.find((t) => t.devices().some((d) => d.dev === dev))!, orig: bio, clone, fromSector: 0, flushIndex: 0 });
      }
    } else {
      for (const ti of this.targets) {
        for (let i = 0; i < ti.numFlushBios; i++) ios.push({ md: this, ti, orig: bio, clone: flushClone(), fromSector: 0, flushIndex: i });
      }
    }
    if (bio.size > 0) {
      let left = ios.length;
      if (left === 0) { this.queueIo(bio); return; }
      const done = () => { if (--left === 0) this.queueIo(bio); };
      for (const io of ios) io.onEnd = done;
    } else {
      if (ios.length === 0) { bioEndio(bio); return; }
      bio.remaining += ios.length - 1;
    }
    for (const io of ios) {
      if (bypass) {
        io.clone.endio = () => this.endPiece(io);
        this.submitRemap(io);
      } else this.runMap(io);
    }
  }

  /** dm_table's flush_bypasses_map: every target passes flushes on unchanged. */
  private get flushBypassesMap(): boolean {
    return this.targets.every((t) => t.flushBypassesMap === true);
  }

  /**
   * dm_table_get_devices: each device of the table once. dm_get_device adds a device at the head
   * of the list (list_add) when a target first names it, so the last one named comes first.
   */
  private tableDevices(): BlockDevice[] {
    const seen: BlockDevice[] = [];
    for (const ti of this.targets) for (const d of ti.devices()) if (!seen.includes(d.dev)) seen.push(d.dev);
    return seen.reverse();
  }

  /**
   * queue_io, then dm_wq_work: the flush with data, its preflush done, goes through
   * submit_bio_noacct again without REQ_PREFLUSH from the device's work item (a kworker; no
   * second Q: BIO_TRACE_COMPLETION is set).
   */
  private queueIo(bio: Bio): void {
    bio.flags &= ~REQ_PREFLUSH;
    const sim = this.blk.sim;
    const cpu = this.blk.task.cpu;
    sim.queueWork(cpu, () => this.blk.submitBioNoacct(bio), sim.kworker(cpu, `kworker/${cpu}:5`, 1500 + cpu));
  }

  /** bio_alloc_clone: same op, flags, pages; bi_copy_ctx is copied (the 2026 series does so on clone). */
  private cloneOf(bio: Bio, sector: number, size: number): Bio {
    const c = new Bio(this, bio.op, sector, size, bio.vecs.map((v: BioVec) => ({ ...v })), bio.flags, bio.task);
    c.origin = bio;
    c.copyCtx = bio.copyCtx;
    return c;
  }

  /** The 2025 design's source vector, remapped range by range (all must land where the destination does). */
  private remapCopySrc(io: DmIo): string | null {
    const bio = io.orig;
    const dst = io.ti.mapSector(bio.sector, true).dev;
    const out: Array<{ sector: number; sectors: number }> = [];
    for (const r of bio.copySrc!) {
      const ti = this.targetAt(r.sector);
      const m = ti.mapSector(r.sector, false);
      if (m.room < r.sectors) return `dm: bio ${bio.id} source range ${r.sector}+${r.sectors} crosses a boundary of target ${ti.index} (${ti.type}): splitting copy request is not supported`;
      if (m.dev !== dst) return `dm: bio ${bio.id} source range ${r.sector}+${r.sectors} maps to ${m.dev.name}, the destination to ${dst.name}: the design copies within one device`;
      if (ti !== io.ti && this.copyRefusal(ti, this.design)) return `dm: bio ${bio.id} source range ${r.sector}+${r.sectors} is in target ${ti.index} (${ti.type}), which takes no copies`;
      out.push({ sector: m.sector, sectors: r.sectors });
    }
    io.clone.copySrc = out;
    return null;
  }

  private runMap(io: DmIo): void {
    io.clone.endio = () => this.cloneDone(io);
    const r = io.ti.map(io);
    if (r === "remapped") this.submitRemap(io);
    else if (r !== "submitted") this.killIo(io, r.kill, r.why);
  }

  /** dm_submit_bio_remap: A on the lower device (from this device and sector), then submit_bio_noacct. */
  submitRemap(io: DmIo): void {
    this.blk.bioEvent("A", io.clone, { fromMajor: this.major, fromMinor: this.minor, fromSector: io.fromSector });
    this.blk.submitBioNoacct(io.clone);
  }

  /** The clone will never be submitted: the original piece ends with status. */
  killIo(io: DmIo, status: BlkStatus, why: string): void {
    this.blk.message(this, why);
    io.clone.status = status;
    this.endPiece(io);
  }

  /** clone_endio: the target's end_io, then the piece completes with the clone's status. */
  private cloneDone(io: DmIo): void {
    if (io.ti.endIo) io.ti.endIo(io, () => this.endPiece(io));
    else this.endPiece(io);
  }

  private endPiece(io: DmIo): void {
    if (io.onEnd) { io.onEnd(io); return; }
    const o = io.orig;
    if (o.status === BlkStatus.OK && io.clone.status !== BlkStatus.OK) o.status = io.clone.status;
    bioEndio(o);
  }

  /**
   * Bio-based accounting (dm_io_acct: bio_start_io_acct / bio_end_io_acct), once per bio, and
   * the C event when traceC (not for a split front: the bio it came from is traced).
   */
  private account(bio: Bio, traceC = true): void {
    if (this.accounted.get(bio) === bio.id) return;
    this.accounted.set(bio, bio.id);
    const start = this.blk.sim.now_ns;
    inflightChange(this.acct, start, 1);
    const endio = bio.endio;
    bio.endio = (b) => {
      if (traceC) this.blk.bioEvent("C", b, b.status === BlkStatus.OK ? {} : { error: BLK_STATUS_NAMES[b.status] });
      const now = this.blk.sim.now_ns;
      inflightChange(this.acct, now, -1);
      accountDone(this.acct, b.op, b.sectors, now - start);
      endio?.(b);
    };
  }
}
