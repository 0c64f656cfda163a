// stats.ts against values worked out by hand from fio's definitions (stat.c plat_val_to_idx,
// plat_idx_to_val, calc_clat_percentiles, add_stat_sample, calc_lat, __sum_stat, sum_stat;
// io_u.c io_u_mark_lat_nsec/usec/msec; stat.c stat_calc_lat, stat_calc_dist).

import { describe, it, expect } from "vitest";
import {
  FIO_IO_U_PLAT_NR, DEFAULT_PERCENTILES, platValToIdx, platIdxToVal, newLatStat, addLat, mergeLat,
  sumLatPure, stddev, calcLat, percentiles, percentileThreshold, markLatency, newLatBuckets,
  latBuckets, statCalcLat, statCalcDist, depthIdx, submitIdx, statOf,
} from "../../src/fio/stats";

describe("histogram geometry", () => {
  it("has fio's 29 groups of 64 bins", () => {
    expect(FIO_IO_U_PLAT_NR).toBe(1856);
  });

  it("plat_val_to_idx: values up to 127 are their own bin", () => {
    for (const v of [0, 1, 2, 63, 64, 100, 127]) expect(platValToIdx(v)).toBe(v);
  });

  it("plat_val_to_idx: above 127, the group of the MSB and the next 6 bits", () => {
    // msb 7: error_bits 1, base (1+1)<<6 = 128, offset (v >> 1) & 63
    expect(platValToIdx(128)).toBe(128);
    expect(platValToIdx(129)).toBe(128);
    expect(platValToIdx(130)).toBe(129);
    expect(platValToIdx(255)).toBe(191);
    // msb 8: error_bits 2, base 192
    expect(platValToIdx(256)).toBe(192);
    expect(platValToIdx(259)).toBe(192);
    expect(platValToIdx(260)).toBe(193);
    // 1000: msb 9, error_bits 3, base 256, (1000 >> 3) & 63 = 125 & 63 = 61
    expect(platValToIdx(1000)).toBe(317);
    // 1e6: msb 19, error_bits 13, base 14 << 6 = 896, (1e6 >> 13) & 63 = 122 & 63 = 58
    expect(platValToIdx(1_000_000)).toBe(954);
    // 200000: msb 17, error_bits 11, base 768, (200000 >> 11) & 63 = 97 & 63 = 33
    expect(platValToIdx(200_000)).toBe(801);
  });

  it("plat_val_to_idx: the 32-bit path agrees with fio's arithmetic at every bin edge, and across 2^32", () => {
    // fio's formula in floating point: msb, error_bits = msb - 6, base, offset = (v >> error_bits) & 63
    const ref = (v: number) => {
      const msb = Math.floor(Math.log2(v));
      if (msb <= 6) return v;
      const e = msb - 6;
      return Math.min(((e + 1) << 6) + (Math.floor(v / 2 ** e) & 63), 1855);
    };
    for (let msb = 7; msb <= 34; msb++) {
      for (const v of [2 ** msb - 1, 2 ** msb, 2 ** msb + 1, 2 ** msb + 2 ** (msb - 6), 1.5 * 2 ** msb, 2 ** msb + 0.5]) {
        expect(platValToIdx(v)).toBe(ref(Math.floor(v)));
      }
    }
  });

  it("plat_val_to_idx: values past 2^32 and the clamp to the last bin", () => {
    // 2^33: msb 33, error_bits 27, base 28 << 6 = 1792, offset (2^33 >> 27) & 63 = 64 & 63 = 0
    expect(platValToIdx(2 ** 33)).toBe(1792);
    // 2^34 - 1: msb 33, offset 127 & 63 = 63
    expect(platValToIdx(2 ** 34 - 1)).toBe(1855);
    // 2^34: msb 34, base 29 << 6 = 1856 -> clamped to 1855; so is anything larger
    expect(platValToIdx(2 ** 34)).toBe(1855);
    expect(platValToIdx(1e15)).toBe(1855);
  });

  it("plat_idx_to_val: exact below 128, the middle of the bin above", () => {
    expect(platIdxToVal(0)).toBe(0);
    expect(platIdxToVal(127)).toBe(127);
    // idx 128: error_bits (128 >> 6) - 1 = 1, base 2^7, k 0: 128 + 0.5 * 2
    expect(platIdxToVal(128)).toBe(129);
    expect(platIdxToVal(191)).toBe(128 + 63.5 * 2);
    expect(platIdxToVal(192)).toBe(258);
    // idx 317: error_bits 3, base 512, k 61: 512 + 61.5 * 8
    expect(platIdxToVal(317)).toBe(1004);
    // idx 954: error_bits 13, base 2^19, k 58: 524288 + 58.5 * 8192
    expect(platIdxToVal(954)).toBe(1_003_520);
    // idx 1855: error_bits 27, base 2^33, k 63
    expect(platIdxToVal(1855)).toBe(2 ** 33 + 63.5 * 2 ** 27);
    expect(() => platIdxToVal(1856)).toThrow();
  });

  it("every bin's value falls back into that bin", () => {
    for (let i = 0; i < FIO_IO_U_PLAT_NR; i++) expect(platValToIdx(platIdxToVal(i))).toBe(i);
  });
});

describe("online statistics", () => {
  it("min, max, mean and the sample standard deviation", () => {
    const s = newLatStat(false);
    expect(calcLat(s)).toBeNull();
    for (const v of [2, 4, 4, 4, 5, 5, 7, 9]) addLat(s, v);
    expect(s.n).toBe(8);
    expect(s.min_ns).toBe(2);
    expect(s.max_ns).toBe(9);
    expect(s.mean_ns).toBeCloseTo(5, 12);
    expect(s.m2).toBeCloseTo(32, 9); // sum of squared deviations
    expect(stddev(s)).toBeCloseTo(Math.sqrt(32 / 7), 12); // 2.1380899...
    expect(s.plat).toBeNull();
  });

  it("a single sample has deviation 0; samples are whole ns", () => {
    const s = newLatStat(true);
    addLat(s, 1500.9);
    expect(calcLat(s)).toEqual({ min: 1500, max: 1500, mean: 1500, dev: 0 });
    expect(s.plat![platValToIdx(1500)]).toBe(1);
  });

  it("mergeLat (group_reporting's __sum_stat) equals accumulating everything at once", () => {
    const a = newLatStat(true);
    const b = newLatStat(true);
    const all = newLatStat(true);
    const xs = [100, 2500, 37_000, 41, 9_999_999, 123_456, 77];
    const ys = [5, 6, 7_000_000, 88_888];
    for (const x of xs) { addLat(a, x); addLat(all, x); }
    for (const y of ys) { addLat(b, y); addLat(all, y); }
    mergeLat(a, b);
    expect(a.n).toBe(all.n);
    expect(a.min_ns).toBe(5);
    expect(a.max_ns).toBe(9_999_999);
    expect(a.mean_ns).toBeCloseTo(all.mean_ns, 6);
    expect(stddev(a)).toBeCloseTo(stddev(all), 6);
    expect(Array.from(a.plat!)).toEqual(Array.from(all.plat!));
  });

  it("mergeLat into an empty accumulator copies; from an empty one changes nothing", () => {
    const a = newLatStat(true);
    const b = newLatStat(true);
    addLat(b, 10);
    addLat(b, 30);
    mergeLat(a, b);
    expect(calcLat(a)).toEqual(calcLat(b));
    mergeLat(a, newLatStat(true));
    expect(a.n).toBe(2);
  });

  it("sumLatPure (bw/iops under group_reporting) adds min, max, mean, S and samples", () => {
    const a = statOf([1500, 1600, 1700, 1600, 1600]);
    const b = statOf([800, 800]);
    sumLatPure(a, b);
    expect(a.min_ns).toBe(2300);
    expect(a.max_ns).toBe(2500);
    expect(a.mean_ns).toBe(2400);
    expect(a.m2).toBe(20000);
    expect(a.n).toBe(7);
    expect(stddev(a)).toBeCloseTo(Math.sqrt(20000 / 6), 12);
  });
});

describe("percentiles (calc_clat_percentiles)", () => {
  it("the threshold p/100*N is taken in x86 long double: 30% of 100 needs 31 samples", () => {
    // Thresholds checked against numpy.longdouble (x87) on x86-64.
    expect(percentileThreshold(30, 100)).toBe(31);
    expect(percentileThreshold(60, 100)).toBe(61);
    expect(percentileThreshold(50, 100)).toBe(50);
    expect(percentileThreshold(99.9, 1000)).toBe(1000);
    expect(percentileThreshold(99.9, 2000)).toBe(1999);
    expect(percentileThreshold(30, 50)).toBe(16);
    expect(percentileThreshold(99.99, 2000)).toBe(2000);
  });

  it("1..100 ns once each: the value where the running count first reaches each threshold", () => {
    const s = newLatStat(true);
    for (let v = 1; v <= 100; v++) addLat(s, v);
    const got = percentiles(s);
    expect(got.map((x) => x.p)).toEqual([...DEFAULT_PERCENTILES]);
    expect(got.map((x) => x.ns)).toEqual([1, 5, 10, 20, 31, 40, 50, 61, 70, 80, 90, 95, 99, 100, 100, 100, 100]);
  });

  it("values report as their bin's middle; a custom list is sorted first", () => {
    const s = newLatStat(true);
    for (let i = 0; i < 250; i++) for (const v of [200_000, 300_000, 400_000, 500_000]) addLat(s, v);
    // bins: 200000 -> 801 (199680), 300000 -> 841 (301056), 400000 -> 865 (399360), 500000 -> 890 (501760)
    expect(percentiles(s, [99, 50, 1, 70])).toEqual([
      { p: 1, ns: 199_680 },
      { p: 50, ns: 301_056 },
      { p: 70, ns: 399_360 },
      { p: 99, ns: 501_760 },
    ]);
  });

  it("no samples or no histogram: no percentiles", () => {
    expect(percentiles(newLatStat(true))).toEqual([]);
    const s = newLatStat(false);
    addLat(s, 5);
    expect(percentiles(s)).toEqual([]);
  });
});

describe("lat buckets and distributions", () => {
  it("io_u_mark_latency: the bucket is the one below the label's upper bound", () => {
    const b = newLatBuckets();
    for (const ns of [0, 1]) markLatency(b, ns);
    markLatency(b, 2);
    markLatency(b, 999);
    expect(b.n).toEqual([2, 1, 0, 0, 0, 0, 0, 0, 0, 1]);
    markLatency(b, 1000); // 1 us -> "2"
    markLatency(b, 1999); // 1 us
    markLatency(b, 2000); // 2 us -> "4"
    markLatency(b, 749_999); // 749 us -> "750"
    markLatency(b, 999_999); // 999 us -> "1000"
    expect(b.u).toEqual([2, 1, 0, 0, 0, 0, 0, 0, 1, 1]);
    markLatency(b, 1_000_000); // 1 ms -> "2"
    markLatency(b, 1_999_999_999); // 1999 ms -> "2000"
    markLatency(b, 2_000_000_000); // 2000 ms -> ">=2000"
    expect(b.m).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1]);
  });

  it("latBuckets reads the histograms of all directions at their bins' values", () => {
    const r = newLatStat(true);
    const w = newLatStat(true);
    for (let i = 0; i < 3; i++) addLat(r, 300_000); // bin value 301056: 301 us -> "500"
    addLat(w, 50); // exact: 50 ns -> "100"
    addLat(w, 3_000_000); // 3 ms -> "4"
    const b = latBuckets([r, w, null]);
    expect(b.n).toEqual([0, 0, 0, 0, 0, 1, 0, 0, 0, 0]);
    expect(b.u).toEqual([0, 0, 0, 0, 0, 0, 0, 3, 0, 0]);
    expect(b.m).toEqual([0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it("stat_calc_lat floors a non-empty bucket at 0.01%, stat_calc_dist at 0.1%", () => {
    const lat = statCalcLat([1, 0, 99_999], 100_000);
    expect(lat.slice(0, 2)).toEqual([0.01, 0]);
    expect(lat[2]).toBeCloseTo(99.999, 9);
    expect(statCalcLat([3], 0)).toEqual([0]);
    const d = statCalcDist([1, 999, 0, 0, 0, 0, 0], 1000);
    expect(d[0]).toBeCloseTo(0.1, 12);
    expect(d[1]).toBeCloseTo(99.9, 9);
    expect(d.slice(2)).toEqual([0, 0, 0, 0, 0]);
    expect(statCalcDist([1, 9999], 10_000)[0]).toBe(0.1); // 0.01% raised to 0.1
  });

  it("IO depth and submit/complete slots", () => {
    expect([1, 2, 3, 4, 7, 8, 15, 16, 31, 32, 63, 64, 1000].map(depthIdx)).toEqual([0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6]);
    expect([0, 1, 4, 5, 8, 9, 16, 17, 32, 33, 64, 65].map(submitIdx)).toEqual([0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6]);
  });
});
