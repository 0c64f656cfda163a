// Seed 000's published figures (LSF/MM/BPF 2023 topic, and the v20 design's reply of 3 June
// 2024; ../shared/reference/linux-copy-offload-facts.md §2), with no code around them: the
// reproduction (reproduce.ts) and the playground's NVMe/TCP table both read them.

/** Seed 000's published figures: MiB/s copied and network utilisation (%), by read+write and by copy offload. */
export interface Seed000Figures {
  /** "" for the LSF/MM/BPF 2023 table; "v20" for the v20 design's single-range figures (3 June 2024). */
  series: "" | "v20";
  gbps: number;
  bs: string;
  ranges: number;
  rw_mibs: number;
  copy_mibs: number;
  rw_util_pct: number;
  copy_util_pct: number;
}

const fig = (series: "" | "v20", gbps: number, bs: string, ranges: number, rw_mibs: number, copy_mibs: number, rw_util_pct: number, copy_util_pct: number): Seed000Figures =>
  ({ series, gbps, bs, ranges, rw_mibs, copy_mibs, rw_util_pct, copy_util_pct });

export const SEED000_PUBLISHED: readonly Seed000Figures[] = [
  fig("", 1, "8k", 1, 107, 787, 97, 14), fig("", 1, "2m", 16, 100, 2655, 89, 0.62),
  fig("", 100, "8k", 1, 791, 843, 6.75, 0.14), fig("", 100, "2m", 16, 1027, 1183, 8.42, 0),
  // the same setups with the v20 design (single range), Nitesh Shetty, linux-block, 3 June 2024
  fig("v20", 1, "8k", 1, 106, 360, 97, 6), fig("v20", 1, "1m", 1, 104, 2677, 92, 0.66),
  fig("v20", 100, "8k", 1, 794, 933, 6.75, 0.16),
];

