// fio's latency statistics, kept as fio keeps them (stat.c, stat.h, io_u.c):
//
// - min, max, mean and the sum of squared deviations online (add_stat_sample), the standard
//   deviation sqrt(S / (n - 1)) (calc_lat), and the merge of two accumulators for
//   group_reporting (__sum_stat, the parallel form of Welford's algorithm);
// - the log-linear latency histogram that percentiles come from (plat_val_to_idx /
//   plat_idx_to_val with FIO_IO_U_PLAT_BITS 6: 29 groups of 64 bins, 1856 bins in all; values
//   below 128 ns get a bin each, above that a bin covers 2^(msb-6) ns and stands for its middle);
// - the percentiles read off that histogram (calc_clat_percentiles: the value of the first bin
//   at which the running count reaches p/100 * N, that product taken in x86 long double);
// - the "lat (nsec/usec/msec)" buckets (io_u_mark_lat_nsec/usec/msec) and their percentages
//   (stat_calc_lat), and the IO depth / submit / complete maps (io_u_mark_depth,
//   __io_u_mark_map, stat_calc_dist), for the runner to fill a JobResult with.
//
// Written from fio's definitions; no fio code is copied.

import type { LatStat } from "./types";

export const FIO_IO_U_PLAT_BITS = 6;
export const FIO_IO_U_PLAT_VAL = 1 << FIO_IO_U_PLAT_BITS; // 64
export const FIO_IO_U_PLAT_GROUP_NR = 29;
export const FIO_IO_U_PLAT_NR = FIO_IO_U_PLAT_GROUP_NR * FIO_IO_U_PLAT_VAL; // 1856

/** fio's default percentile_list (and its order). */
export const DEFAULT_PERCENTILES: readonly number[] = [
  1, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 99, 99.5, 99.9, 99.95, 99.99,
];

const TWO32 = 2 ** 32;

/** Index of the most significant set bit of a non-negative integer (0 for 0 and 1). */
function msbOf(v: number): number {
  if (v < TWO32) return v === 0 ? 0 : 31 - Math.clz32(v);
  return 32 + (31 - Math.clz32(Math.floor(v / TWO32)));
}

/**
 * fio's plat_val_to_idx: the histogram bin of a latency in ns. Values whose MSB is at most bit 6
 * (0..127) are their own index; above, the MSB picks a group of 64 bins and the 6 bits below it
 * the bin; the last bin (1855) takes everything from 2^34 ns up.
 */
export function platValToIdx(ns: number): number {
  return platIdxOfWhole(Math.max(0, Math.floor(ns)));
}

/** platValToIdx of a value already whole and non-negative (addLat's sample). */
function platIdxOfWhole(v: number): number {
  if (v < 4294967296) {
    // the common case (under 4.3 s) in 32-bit integer operations; the constants written out
    // (128 = FIO_IO_U_PLAT_VAL << 1, 6 = FIO_IO_U_PLAT_BITS, 63 = FIO_IO_U_PLAT_VAL - 1), as V8
    // reloads and checks module constants on every call
    if (v < 128) return v;
    const errorBits = 31 - Math.clz32(v) - 6;
    return ((errorBits + 1) << 6) + (63 & (v >>> errorBits));
  }
  const msb = msbOf(v);
  if (msb <= FIO_IO_U_PLAT_BITS) return v;
  const errorBits = msb - FIO_IO_U_PLAT_BITS;
  const base = (errorBits + 1) << FIO_IO_U_PLAT_BITS;
  const offset = (FIO_IO_U_PLAT_VAL - 1) & Math.floor(v / 2 ** errorBits);
  return Math.min(base + offset, FIO_IO_U_PLAT_NR - 1);
}

/**
 * fio's plat_idx_to_val: the value a bin stands for. Bins 0..127 are exact; above, the middle of
 * the bin's range, base + (k + 0.5) * 2^error_bits, an integer.
 */
export function platIdxToVal(idx: number): number {
  if (idx < 0 || idx >= FIO_IO_U_PLAT_NR) throw new RangeError(`histogram index ${idx} out of range`);
  if (idx < FIO_IO_U_PLAT_VAL << 1) return idx;
  const errorBits = (idx >> FIO_IO_U_PLAT_BITS) - 1;
  const base = 2 ** (errorBits + FIO_IO_U_PLAT_BITS);
  const k = idx % FIO_IO_U_PLAT_VAL;
  return Math.floor(base + (k + 0.5) * 2 ** errorBits);
}

/** An empty accumulator (fio's reset_io_stat: min starts above any sample). */
export function newLatStat(withHistogram: boolean): LatStat {
  return {
    min_ns: Infinity,
    max_ns: 0,
    mean_ns: 0,
    m2: 0,
    n: 0,
    plat: withHistogram ? new Uint32Array(FIO_IO_U_PLAT_NR) : null,
  };
}

/**
 * One sample (fio's add_stat_sample, plus add_lat_percentile_sample when a histogram is kept).
 * fio's samples are whole ns: a fractional value is truncated, a negative one counts as 0.
 * As in fio, the mean and S are left alone when the sample equals the current mean.
 */
export function addLat(s: LatStat, ns: number): void {
  const v = Math.max(0, Math.floor(ns));
  if (v > s.max_ns) s.max_ns = v;
  if (v < s.min_ns) s.min_ns = v;
  const delta = v - s.mean_ns;
  if (delta !== 0) {
    s.mean_ns += delta / (s.n + 1);
    s.m2 += delta * (v - s.mean_ns);
  }
  s.n++;
  if (s.plat !== null) s.plat[platIdxOfWhole(v)]++;
}

/** A copy of an accumulator (its own histogram). */
export function copyLat(s: LatStat): LatStat {
  return { ...s, plat: s.plat ? s.plat.slice() : null };
}

/** The accumulator of n samples of 0 without a histogram (what addLat(s, 0) n times leaves). */
export function latOfZeros(n: number): LatStat {
  const s = newLatStat(false);
  if (n > 0) s.min_ns = 0;
  s.n = n;
  return s;
}

/**
 * Fold `from` into `into` as group_reporting sums time-based stats (sum_stat with pure_sum false,
 * i.e. __sum_stat): min of mins, max of maxes, the sample-weighted mean and
 * S = S1 + S2 + delta^2 * n1 * n2 / (n1 + n2); histograms add bin by bin.
 */
export function mergeLat(into: LatStat, from: LatStat): void {
  if (from.plat) {
    if (!into.plat) into.plat = new Uint32Array(FIO_IO_U_PLAT_NR);
    for (let i = 0; i < FIO_IO_U_PLAT_NR; i++) into.plat[i] += from.plat[i];
  }
  if (from.n === 0) return;
  into.min_ns = Math.min(into.min_ns, from.min_ns);
  into.max_ns = Math.max(into.max_ns, from.max_ns);
  if (into.n === 0) {
    into.mean_ns = from.mean_ns;
    into.m2 = from.m2;
  } else {
    const delta = from.mean_ns - into.mean_ns;
    const n = into.n + from.n;
    into.mean_ns = (from.mean_ns * from.n + into.mean_ns * into.n) / n;
    into.m2 = from.m2 + into.m2 + (delta ** 2 * (into.n * from.n)) / n;
  }
  into.n += from.n;
}

/**
 * Fold `from` into `into` as group_reporting sums bandwidth and IOPS stats (sum_stat with
 * pure_sum true): min, max, mean, S and the sample count are each added, so a group's bw line
 * reads as the sum of its jobs'. No histogram is involved.
 */
export function sumLatPure(into: LatStat, from: LatStat): void {
  if (from.n === 0) return;
  if (into.n === 0) {
    into.min_ns = from.min_ns;
    into.max_ns = from.max_ns;
    into.mean_ns = from.mean_ns;
    into.m2 = from.m2;
    into.n = from.n;
  } else {
    into.min_ns += from.min_ns;
    into.max_ns += from.max_ns;
    into.mean_ns += from.mean_ns;
    into.m2 += from.m2;
    into.n += from.n;
  }
}

/** fio's calc_lat deviation: sqrt(S / (n - 1)), 0 for fewer than two samples. */
export function stddev(s: LatStat): number {
  return s.n > 1 ? Math.sqrt(s.m2 / (s.n - 1)) : 0;
}

/** fio's calc_lat: min, max, mean and deviation, or null with no samples. */
export function calcLat(s: LatStat | null | undefined): { min: number; max: number; mean: number; dev: number } | null {
  if (!s || s.n === 0) return null;
  return { min: s.min_ns, max: s.max_ns, mean: s.mean_ns, dev: stddev(s) };
}

/** An accumulator over a list of values (fio's bw_stat / iops_stat built from their samples). */
export function statOf(values: readonly number[]): LatStat {
  const s = newLatStat(false);
  for (const v of values) addLat(s, v);
  return s;
}

// ---- percentiles ----

// calc_clat_percentiles compares the running count with `(long double) p / 100.0 * nr`: on
// x86-64 two operations rounded to a 64-bit significand. That product is emulated exactly here
// (BigInt significand and binary exponent), so a percentile lands in the same bin as fio's does
// even where double arithmetic would round p/100*nr onto a whole number fio's does not reach.

/** value = m * 2^e, m > 0. */
interface Ext { m: bigint; e: number }

function bitLength(m: bigint): number {
  return m.toString(2).length;
}

/** Round to a 64-bit significand, to nearest, ties to even. */
function round64(x: Ext): Ext {
  const bl = bitLength(x.m);
  if (bl <= 64) return x;
  const shift = BigInt(bl - 64);
  let q = x.m >> shift;
  const r = x.m & ((1n << shift) - 1n);
  const half = 1n << (shift - 1n);
  if (r > half || (r === half && (q & 1n) === 1n)) q += 1n;
  return { m: q, e: x.e + Number(shift) };
}

/** A positive finite double as an exact m * 2^e. */
function extOfDouble(d: number): Ext {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, d);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const exp = (hi >>> 20) & 0x7ff;
  let m = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e: number;
  if (exp === 0) e = -1074;
  else {
    m |= 1n << 52n;
    e = exp - 1075;
  }
  return { m, e };
}

/**
 * The least whole count c with c >= (long double) p / 100.0 * nr, the product in x87 extended
 * precision (64-bit significand, round to nearest even) as fio computes it on x86-64.
 */
export function percentileThreshold(p: number, nr: number): number {
  if (!(p > 0) || nr <= 0) return 0;
  const x = extOfDouble(p);
  // x / 100 to 64 bits: widen the dividend so the quotient has well over 64 bits, keep a
  // sticky bit for any remainder, then round once.
  const widen = Math.max(0, 72 - bitLength(x.m));
  const num = x.m << BigInt(widen);
  let q = num / 100n;
  const r = num % 100n;
  q = (q << 1n) | (r === 0n ? 0n : 1n);
  const quot = round64({ m: q, e: x.e - widen - 1 });
  const prod = round64({ m: quot.m * BigInt(Math.floor(nr)), e: quot.e });
  // ceil(prod)
  if (prod.e >= 0) return Number(prod.m << BigInt(prod.e));
  const sh = BigInt(-prod.e);
  const whole = prod.m >> sh;
  const frac = prod.m & ((1n << sh) - 1n);
  return Number(frac === 0n ? whole : whole + 1n);
}

export interface PercentileValue {
  /** The percentile, as listed (e.g. 99.9). */
  p: number;
  /** Latency in ns: plat_idx_to_val of the bin where the count reached it. */
  ns: number;
}

/**
 * fio's calc_clat_percentiles over a histogram of `nr` samples: the list sorted ascending (as fio
 * sorts it), each percentile the value of the first bin at which the running count reaches
 * p/100 * nr. Empty with no samples, no histogram or an empty list.
 */
export function percentilesOfPlat(plat: ArrayLike<number>, nr: number, list: readonly number[] = DEFAULT_PERCENTILES): PercentileValue[] {
  const plist = list.filter((p) => p !== 0).slice(0, 20).sort((a, b) => a - b);
  if (plist.length === 0 || nr <= 0) return [];
  const thresholds = plist.map((p) => percentileThreshold(p, nr));
  const out: PercentileValue[] = [];
  let sum = 0;
  let j = 0;
  for (let i = 0; i < FIO_IO_U_PLAT_NR && j < plist.length; i++) {
    sum += plat[i];
    while (j < plist.length && sum >= thresholds[j]) {
      out.push({ p: plist[j], ns: platIdxToVal(i) });
      j++;
    }
  }
  return out;
}

/** Percentiles of an accumulator's histogram (see percentilesOfPlat), over its n samples. */
export function percentiles(s: LatStat, list: readonly number[] = DEFAULT_PERCENTILES): PercentileValue[] {
  if (!s.plat || s.n === 0) return [];
  return percentilesOfPlat(s.plat, s.n, list);
}

// ---- "lat (nsec/usec/msec)" buckets ----

/** Bucket labels, each the bucket's (exclusive) upper bound in its unit, as fio prints them. */
export const LAT_N_RANGES: readonly string[] = ["2", "4", "10", "20", "50", "100", "250", "500", "750", "1000"];
export const LAT_U_RANGES: readonly string[] = LAT_N_RANGES;
export const LAT_M_RANGES: readonly string[] = [...LAT_N_RANGES, "2000", ">=2000"];

/** Counts per bucket: io_u_lat_n (10), io_u_lat_u (10), io_u_lat_m (12). */
export interface LatBuckets {
  n: number[];
  u: number[];
  m: number[];
}

export function newLatBuckets(): LatBuckets {
  return { n: new Array(10).fill(0), u: new Array(10).fill(0), m: new Array(12).fill(0) };
}

/** The bucket index (io_u_mark_lat_nsec/usec/msec) of a value 0..999 in its unit. */
function bucketIdx(v: number): number {
  if (v >= 750) return 9;
  if (v >= 500) return 8;
  if (v >= 250) return 7;
  if (v >= 100) return 6;
  if (v >= 50) return 5;
  if (v >= 20) return 4;
  if (v >= 10) return 3;
  if (v >= 4) return 2;
  if (v >= 2) return 1;
  return 0;
}

/**
 * fio's io_u_mark_latency for one completion latency: under 1000 ns into the nsec buckets, under
 * 1 ms into the usec buckets (by whole usec), else into the msec buckets (by whole msec; 1000..1999
 * is "2000", 2000 and up ">=2000").
 */
export function markLatency(b: LatBuckets, ns: number, count = 1): void {
  const v = Math.max(0, Math.floor(ns));
  if (v < 1000) b.n[bucketIdx(v)] += count;
  else if (v < 1_000_000) b.u[bucketIdx(Math.floor(v / 1000))] += count;
  else {
    const ms = Math.floor(v / 1_000_000);
    b.m[ms >= 2000 ? 11 : ms >= 1000 ? 10 : bucketIdx(ms)] += count;
  }
}

/**
 * The lat buckets of completion-latency histograms (every direction of a job together, as fio's
 * io_u_lat_* are per job). The histogram keeps each sample only to its bin, so a bin is counted
 * at the value it stands for (plat_idx_to_val): exact below 128 ns and wherever a bucket edge
 * falls on a bin edge, otherwise a bin straddling an edge goes wholly to one side.
 */
export function latBuckets(stats: ReadonlyArray<LatStat | null | undefined>): LatBuckets {
  const b = newLatBuckets();
  for (const s of stats) {
    if (!s || !s.plat) continue;
    for (let i = 0; i < FIO_IO_U_PLAT_NR; i++) if (s.plat[i]) markLatency(b, platIdxToVal(i), s.plat[i]);
  }
  return b;
}

/**
 * fio's stat_calc_lat: each bucket as a percentage of `total` (the job's I/Os in all directions),
 * at least 0.01 when the bucket is not empty; all 0 when total is 0.
 */
export function statCalcLat(counts: readonly number[], total: number): number[] {
  return counts.map((c) => {
    if (!total) return 0;
    const pct = (c / total) * 100;
    return pct < 0.01 && c ? 0.01 : pct;
  });
}

// ---- IO depth, submit and complete maps ----

/** io_u_mark_depth: the IO depths slot (1, 2, 4, 8, 16, 32, >=64) of the depth at submission. */
export function depthIdx(depth: number): number {
  if (depth >= 64) return 6;
  if (depth < 2) return 0;
  // 2..63: a slot per power of two, the depth's most significant bit
  return 31 - Math.clz32(depth);
}

/** __io_u_mark_map: the submit/complete slot (0, 4, 8, 16, 32, 64, >=64) of a call handling nr I/Os. */
export function submitIdx(nr: number): number {
  if (nr > 64) return 6;
  if (nr < 1) return 0;
  if (nr <= 4) return 1;
  // 5..64: a slot per power of two above 4, the most significant bit of nr - 1
  return 31 - Math.clz32(nr - 1);
}

/**
 * fio's stat_calc_dist: each slot as a percentage of `total`, at least 0.1 when the slot is not
 * empty; all 0 when total is 0. (IO depths use the I/Os issued in all directions as the total;
 * submit and complete use the number of submit / complete calls.)
 */
export function statCalcDist(map: readonly number[], total: number): number[] {
  return map.map((c) => {
    if (!total) return 0;
    const pct = (c / total) * 100;
    return pct < 0.1 && c ? 0.1 : pct;
  });
}
