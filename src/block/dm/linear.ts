// dm-linear (drivers/md/dm-linear.c): table `<dev> <offset>`; a bio at dm sector S lands on
// <dev> at offset + (S - begin). Flush, discard and write-zeroes pass with one bio each (flushes
// bypass map: flush_bypasses_map). The
// only target both copy series enable: v20 sets copy_offload_supported (patch 10), the 2026
// series sets BLK_FEAT_STACKING_COPY_OFFL in io_hints (patch 11).

import type { BlockDevice } from "../disk";
import { DmIo, DmTarget, MapResult, SectorMap, TargetCtx, TargetError, checkArea, devNum, parseSectors } from "./target";

export class LinearTarget implements DmTarget {
  readonly type = "linear";
  readonly begin: number;
  readonly len: number;
  readonly index: number;
  readonly dev: BlockDevice;
  readonly start: number;
  readonly copyOffloadSupported = true;
  readonly stackingCopyOffl = true;
  whatIfCopy = false;
  readonly maxIoLen = 0;
  readonly numFlushBios = 1;
  readonly flushBypassesMap = true;
  readonly numDiscardBios = 1;
  readonly numWriteZeroesBios = 1;

  constructor(ctx: TargetCtx, args: string[]) {
    if (args.length !== 2) throw new TargetError(`Invalid argument count: expected <dev> <offset>, got ${args.length} argument(s)`);
    this.begin = ctx.begin;
    this.len = ctx.len;
    this.index = ctx.index;
    this.start = parseSectors(args[1], "Invalid device sector");
    this.dev = ctx.device(args[0]);
    checkArea(this.dev, this.start, this.len);
  }

  devices() {
    return [{ dev: this.dev, start: this.start, len: this.len }];
  }

  map(io: DmIo): MapResult {
    const c = io.clone;
    c.bdev = this.dev;
    if (c.size > 0) c.sector = this.start + (c.sector - this.begin);
    return "remapped";
  }

  mapSector(sector: number): SectorMap {
    return { dev: this.dev, sector: this.start + (sector - this.begin), room: this.begin + this.len - sector };
  }

  params(): string {
    return `${devNum(this.dev)} ${this.start}`;
  }
}
