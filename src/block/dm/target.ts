// What a device-mapper target is to dm core (struct dm_target + struct target_type,
// include/linux/device-mapper.h): the sectors it covers, the devices under it
// (iterate_devices), its per-target capabilities (num_flush_bios, num_discard_bios,
// num_write_zeroes_bios, max_io_len, and each copy series' flag), io_hints, and map / end_io
// working on a clone of the bio. Plus the argument parsing and device lookup every
// constructor shares. Kept apart from core.ts so the targets do not import dm core.

import type { Bio, BlkStatus } from "../bio";
import type { BlockLayer } from "../blk";
import type { BlockDevice } from "../disk";
import type { QueueLimits } from "../limits";

/** The dm device as its targets see it (struct mapped_device). */
export interface DmHost extends BlockDevice {
  readonly blk: BlockLayer;
  /** The name given at creation (/dev/mapper/<name>). */
  readonly dmName: string;
  /** dm_submit_bio_remap: trace A on the lower device and submit_bio_noacct the clone. */
  submitRemap(io: DmIo): void;
  /** A target gives up on a clone it kept (DM_MAPIO_SUBMITTED path): the original ends with status. */
  killIo(io: DmIo, status: BlkStatus, why: string): void;
}

/** One mapped piece of a bio (struct dm_target_io): the original, its clone, the target. */
export interface DmIo {
  md: DmHost;
  ti: DmTarget;
  /** The bio dm received (after dm split it at a target or max_io_len boundary). */
  orig: Bio;
  /** The clone the target remaps (bio_alloc_clone). */
  clone: Bio;
  /** Where orig started on the dm device (for the A event and per-sector transforms). */
  fromSector: number;
  /** target_bio_nr: which of the target's num_flush_bios (empty flush) or num_discard_bios /
   *  num_write_zeroes_bios (discard, write-zeroes) clones this is. */
  flushIndex: number;
  /** Per-io data of the target (per_io_data_size). */
  data?: unknown;
  /**
   * dm core's own completion of a piece that does not end the bio: the preflush clones of a
   * flush with data (their end re-queues the bio, not bio_endio). Unset on every other piece.
   */
  onEnd?: (io: DmIo) => void;
}

/** DM_MAPIO_REMAPPED (core submits the clone), DM_MAPIO_SUBMITTED (the target will), DM_MAPIO_KILL. */
export type MapResult = "remapped" | "submitted" | { kill: BlkStatus; why: string };

/** Where a sector of the dm device lands, and for how many sectors the mapping stays contiguous. */
export interface SectorMap {
  dev: BlockDevice;
  sector: number;
  room: number;
}

export interface DmTarget {
  readonly type: string;
  /** ti->begin, ti->len (sectors of the dm device). */
  readonly begin: number;
  readonly len: number;
  /** Position in the table. */
  readonly index: number;
  /** iterate_devices: each underlying device with the area the target uses on it. */
  devices(): Array<{ dev: BlockDevice; start: number; len: number }>;
  /** v20 (patch 09/10): ti->copy_offload_supported. Only dm-linear sets it. */
  readonly copyOffloadSupported: boolean;
  /** 2026 (patches 10/11): BLK_FEAT_STACKING_COPY_OFFL from io_hints. Only dm-linear sets it. */
  readonly stackingCopyOffl: boolean;
  /** What-if (not upstream): pass copies through this target regardless of the flags above. */
  whatIfCopy: boolean;
  /** ti->max_io_len: dm splits bios so none crosses a multiple of it (0: none). */
  readonly maxIoLen: number;
  readonly numFlushBios: number;
  /**
   * ti->flush_bypasses_map (Linux 6.11, "dm: optimize flushes"): the target passes flushes on
   * unchanged, so when every target of a table sets it dm core sends one flush to each device
   * of the table instead of num_flush_bios through each target's map. dm-linear and dm-stripe.
   */
  readonly flushBypassesMap?: boolean;
  readonly numDiscardBios: number;
  readonly numWriteZeroesBios: number;
  /** io_hints: the target's say on the stacked limits. */
  ioHints?(l: QueueLimits): void;
  /** map: remap io.clone (set its bdev and sector) and say who submits it. */
  map(io: DmIo): MapResult;
  /** end_io: called when the clone completed; done() completes the original. */
  endIo?(io: DmIo, done: () => void): void;
  /** Where a dm sector lands for a read (write = false) or a write. */
  mapSector(sector: number, write: boolean): SectorMap;
  /** The target's arguments as `dmsetup table` prints them. */
  params(): string;
  /** STATUSTYPE_INFO: what `dmsetup status` prints after "<start> <len> <type>". */
  status?(): string;
  /** dmsetup message <dev> <sector> <words...>: throws TargetError for a message it does not take. */
  message?(args: string[]): void;
  /** Called once the dm device holding the target exists (for traces that name it). */
  attach?(md: DmHost): void;
  /** The target's own split boundary for a bio (dm_accept_partial_bio users): sectors from sector; 0: none. */
  splitBoundary?(op: number, sector: number): number;
}

/** What a target constructor gets (the parts of dm_table and dm_get_device it uses). */
export interface TargetCtx {
  blk: BlockLayer;
  begin: number;
  len: number;
  index: number;
  /** dm_get_device: a block device by name, /dev/name, /dev/mapper/name or major:minor. */
  device(name: string): BlockDevice;
}

/** A constructor error (ti->error): dm core adds the device, target index and type. */
export class TargetError extends Error {}

/** Parse a decimal sector count / offset the way dm's sscanf("%llu%c") does. */
export function parseSectors(s: string | undefined, what: string): number {
  if (s === undefined || !/^\d+$/.test(s)) throw new TargetError(`${what}: "${s ?? ""}" is not a non-negative decimal number`);
  const n = Number(s);
  if (!Number.isSafeInteger(n)) throw new TargetError(`${what}: ${s} is too large`);
  return n;
}

/** An underlying device must hold [start, start + len) (device_area_is_invalid). */
export function checkArea(dev: BlockDevice, start: number, len: number): void {
  if (start + len > dev.capacity) {
    throw new TargetError(`${dev.name} too small for target: start=${start}, len=${len}, dev_size=${dev.capacity}`);
  }
  const lbs = dev.limits.logical_block_size >> 9;
  if (start % lbs !== 0) throw new TargetError(`offset ${start} on ${dev.name} is not aligned to its logical block size (${dev.limits.logical_block_size} bytes)`);
}

/** How `dmsetup table` names a device: major:minor. */
export const devNum = (d: BlockDevice): string => `${d.major}:${d.minor}`;
