// Queue limits (struct queue_limits, include/linux/blkdev.h) with the kernel's defaults,
// stacking (blk_stack_limits), the copy limits of the designs explored here, and the sysfs
// view (/sys/block/<disk>/queue/*) with the files a user may write.

export interface QueueLimits {
  logical_block_size: number;
  physical_block_size: number;
  /** In 512-byte sectors, as the kernel keeps them. */
  max_hw_sectors: number;
  max_user_sectors: number;
  max_sectors: number;
  max_segments: number;
  max_segment_size: number;
  /** Zero when there is none (no gaps allowed inside a page-sized window). */
  virt_boundary_mask: number;
  seg_boundary_mask: number;
  max_discard_segments: number;
  max_hw_discard_sectors: number;
  max_discard_sectors: number;
  discard_granularity: number;
  max_write_zeroes_sectors: number;
  /** Copy limits (v20: max_copy_hw_sectors, max_user_copy_sectors, max_copy_sectors). */
  max_copy_hw_sectors: number;
  max_user_copy_sectors: number;
  max_copy_sectors: number;
  /** 2026 series: range counts a copy may have on each side. */
  max_copy_src_segments: number;
  max_copy_dst_segments: number;
  chunk_sectors: number;
}

/** BLK_MAX_SEGMENTS, BLK_MAX_SEGMENT_SIZE, BLK_DEF_MAX_SECTORS_CAP (block/blk-settings.c). */
export const BLK_MAX_SEGMENTS = 128;
export const BLK_MAX_SEGMENT_SIZE = 65536;
export const BLK_DEF_MAX_SECTORS_CAP = 2560;
/** BLK_COPY_MAX_BYTES (v20): an absolute cap on one copy, 128 MiB. */
export const BLK_COPY_MAX_BYTES = 1 << 27;
export const UINT_MAX = 0xffffffff;
const U16_MAX = 0xffff;

/** blk_set_default_limits: what a queue has before its driver says more. */
export function defaultLimits(): QueueLimits {
  return {
    logical_block_size: 512,
    physical_block_size: 512,
    max_hw_sectors: BLK_DEF_MAX_SECTORS_CAP,
    max_user_sectors: 0,
    max_sectors: BLK_DEF_MAX_SECTORS_CAP,
    max_segments: BLK_MAX_SEGMENTS,
    max_segment_size: BLK_MAX_SEGMENT_SIZE,
    virt_boundary_mask: 0,
    seg_boundary_mask: UINT_MAX,
    max_discard_segments: 1,
    max_hw_discard_sectors: 0,
    max_discard_sectors: 0,
    discard_granularity: 0,
    max_write_zeroes_sectors: 0,
    max_copy_hw_sectors: 0,
    max_user_copy_sectors: UINT_MAX,
    max_copy_sectors: 0,
    max_copy_src_segments: 0,
    max_copy_dst_segments: 0,
    chunk_sectors: 0,
  };
}

/** blk_set_stacking_limits: a stacking driver starts unlimited and takes the min of its legs. */
export function stackingLimits(): QueueLimits {
  return {
    ...defaultLimits(),
    max_hw_sectors: UINT_MAX,
    max_sectors: UINT_MAX,
    max_segments: U16_MAX,
    max_segment_size: UINT_MAX,
    max_discard_segments: U16_MAX,
    max_hw_discard_sectors: UINT_MAX,
    max_discard_sectors: UINT_MAX,
    max_write_zeroes_sectors: UINT_MAX,
    max_copy_hw_sectors: UINT_MAX,
    max_copy_sectors: UINT_MAX,
    max_copy_src_segments: U16_MAX,
    max_copy_dst_segments: U16_MAX,
  };
}

const lcm = (a: number, b: number): number => {
  if (a === 0) return b;
  if (b === 0) return a;
  let x = a, y = b;
  while (y) [x, y] = [y, x % y];
  return (a / x) * b;
};
const minNotZero = (a: number, b: number) => (a === 0 ? b : b === 0 ? a : Math.min(a, b));

/** blk_stack_limits(top, bottom): top takes the stricter of each limit. */
export function stackLimits(t: QueueLimits, b: QueueLimits): void {
  t.max_sectors = minNotZero(t.max_sectors, b.max_sectors);
  t.max_hw_sectors = minNotZero(t.max_hw_sectors, b.max_hw_sectors);
  t.max_segments = minNotZero(t.max_segments, b.max_segments);
  t.max_segment_size = minNotZero(t.max_segment_size, b.max_segment_size);
  t.virt_boundary_mask = t.virt_boundary_mask | b.virt_boundary_mask;
  t.seg_boundary_mask = Math.min(t.seg_boundary_mask, b.seg_boundary_mask);
  t.max_discard_segments = minNotZero(t.max_discard_segments, b.max_discard_segments);
  t.max_hw_discard_sectors = Math.min(t.max_hw_discard_sectors, b.max_hw_discard_sectors);
  t.max_discard_sectors = Math.min(t.max_discard_sectors, b.max_discard_sectors);
  t.discard_granularity = Math.max(t.discard_granularity, b.discard_granularity);
  t.max_write_zeroes_sectors = Math.min(t.max_write_zeroes_sectors, b.max_write_zeroes_sectors);
  t.logical_block_size = Math.max(t.logical_block_size, b.logical_block_size);
  t.physical_block_size = Math.max(t.physical_block_size, b.physical_block_size);
  t.max_copy_hw_sectors = Math.min(t.max_copy_hw_sectors, b.max_copy_hw_sectors);
  t.max_copy_sectors = Math.min(t.max_copy_sectors, b.max_copy_sectors);
  t.max_copy_src_segments = Math.min(t.max_copy_src_segments, b.max_copy_src_segments);
  t.max_copy_dst_segments = Math.min(t.max_copy_dst_segments, b.max_copy_dst_segments);
  t.chunk_sectors = lcm(t.chunk_sectors, b.chunk_sectors);
}

/** Copy limits off: what a stacking target that cannot pass copies leaves (dm_calculate_queue_limits). */
export function clearCopyLimits(l: QueueLimits): void {
  l.max_copy_hw_sectors = 0;
  l.max_copy_sectors = 0;
  l.max_copy_src_segments = 0;
  l.max_copy_dst_segments = 0;
}

/**
 * One file in /sys/block/<disk>/queue/: how to read it and, when writable, how to set it. d is
 * the device, for what the attribute shows of its features (write_cache: BLK_FEAT_WRITE_CACHE).
 */
interface SysfsAttr {
  show(l: QueueLimits, q: QueueFlags, d?: { writeCache?: boolean }): number | string;
  store?(l: QueueLimits, q: QueueFlags, v: number | string): string | null;
  /** A text attribute: the words it takes (write_cache); the others take numbers. */
  words?: readonly string[];
}

/** Flags beside the limits that sysfs shows (QUEUE_FLAG_NOMERGES / NOXMERGES, BLK_FLAG_WRITE_CACHE_DISABLED). */
export interface QueueFlags {
  nomerges: 0 | 1 | 2;
  /**
   * BLK_FLAG_WRITE_CACHE_DISABLED (queue_limits.flags, 6.11+): "write through" written to
   * write_cache. blk_queue_write_cache() is then false although the device has a volatile
   * write cache (BLK_FEAT_WRITE_CACHE, the device's writeCache): flushes and FUA are dropped
   * as on a device without one. Absent: false.
   */
  writeCacheDisabled?: boolean;
}

/** The words queue_wc_store takes (each matched as a prefix, strncmp): the first clears BLK_FLAG_WRITE_CACHE_DISABLED, the others set it. */
export const WRITE_CACHE_WORDS = ["write back", "write through", "none"] as const;

const kb = (sectors: number) => Math.floor(sectors / 2);

export const SYSFS: Record<string, SysfsAttr> = {
  logical_block_size: { show: (l) => l.logical_block_size },
  physical_block_size: { show: (l) => l.physical_block_size },
  max_hw_sectors_kb: { show: (l) => kb(l.max_hw_sectors) },
  max_sectors_kb: {
    show: (l) => kb(l.max_sectors),
    // queue_max_sectors_store, then blk_validate_limits (6.10 and later): at least 4 KiB; a
    // value above max_hw_sectors_kb is clamped to it (kernels before 6.10 refused it); 0
    // restores the default; rounded down to whole logical blocks.
    store: (l, _q, v: number) => {
      if (v !== 0 && v < 4) return "must be 0 or at least 4 (KiB)";
      const lbs = l.logical_block_size >> 9;
      l.max_user_sectors = v * 2;
      const sectors = v === 0 ? Math.min(l.max_hw_sectors, BLK_DEF_MAX_SECTORS_CAP) : Math.min(l.max_hw_sectors, v * 2);
      l.max_sectors = Math.floor(sectors / lbs) * lbs;
      return null;
    },
  },
  max_segments: { show: (l) => l.max_segments },
  max_segment_size: { show: (l) => l.max_segment_size },
  max_discard_segments: { show: (l) => l.max_discard_segments },
  discard_max_hw_bytes: { show: (l) => l.max_hw_discard_sectors * 512 },
  discard_max_bytes: {
    show: (l) => l.max_discard_sectors * 512,
    store: (l, _q, v: number) => {
      if (v % l.logical_block_size !== 0) return `must be a multiple of the logical block size (${l.logical_block_size})`;
      l.max_discard_sectors = Math.min(Math.floor(v / 512), l.max_hw_discard_sectors);
      return null;
    },
  },
  discard_granularity: { show: (l) => l.discard_granularity },
  write_zeroes_max_bytes: { show: (l) => l.max_write_zeroes_sectors * 512 },
  nomerges: {
    show: (_l, q) => q.nomerges,
    store: (_l, q, v: number) => {
      if (v < 0 || v > 2) return "must be 0, 1 or 2";
      q.nomerges = v as 0 | 1 | 2;
      return null;
    },
  },
  write_cache: {
    words: WRITE_CACHE_WORDS,
    // queue_wc_show: blk_queue_write_cache(), the feature and not the disabled flag
    show: (_l, q, d) => (d?.writeCache !== false && q.writeCacheDisabled !== true ? "write back" : "write through"),
    // queue_wc_store (6.18): "write back" clears BLK_FLAG_WRITE_CACHE_DISABLED, "write through"
    // or "none" sets it, each compared as a prefix (strncmp; echo's newline is fine); the
    // device's feature is untouched, so "write back" on a device without a cache changes nothing
    store: (_l, q, v) => {
      const s = String(v);
      if (s.startsWith("write back")) q.writeCacheDisabled = false;
      else if (s.startsWith("write through") || s.startsWith("none")) q.writeCacheDisabled = true;
      else return `must be "write back", "write through" or "none" (queue_wc_store: EINVAL)`;
      return null;
    },
  },
  copy_max_hw_bytes: { show: (l) => l.max_copy_hw_sectors * 512 },
  copy_max_bytes: {
    show: (l) => l.max_copy_sectors * 512,
    // queue_copy_max_store (v20): LBA-aligned; above the hardware limit is truncated; 0 turns offload off.
    store: (l, _q, v: number) => {
      if (v % l.logical_block_size !== 0) return `must be a multiple of the logical block size (${l.logical_block_size})`;
      l.max_user_copy_sectors = Math.floor(v / 512);
      l.max_copy_sectors = Math.min(l.max_copy_hw_sectors, l.max_user_copy_sectors);
      return null;
    },
  },
  copy_max_src_segments: { show: (l) => l.max_copy_src_segments },
  copy_max_dst_segments: { show: (l) => l.max_copy_dst_segments },
  chunk_sectors: { show: (l) => l.chunk_sectors },
  virt_boundary_mask: { show: (l) => l.virt_boundary_mask },
};

