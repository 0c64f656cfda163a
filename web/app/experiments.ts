// The gallery's experiments: each sets up and runs one of the source documents' experiments
// and says what it shows and where it comes from. Scenario experiments are the repository's
// examples/blk files (the same ones `npx nvmelab blk run` takes); console experiments are
// command lines a user could type; the NVMe/TCP one runs seed 000's fio job at two link
// speeds. No DOM.

const files = import.meta.glob("../../examples/blk/*.json", { query: "?raw", import: "default", eager: true }) as Record<string, string>;

export type ExperimentKind = "scenario" | "console" | "tcp";

export interface Experiment {
  id: string;
  title: string;
  /** Which source document (../shared/seeds) and which part of it. */
  source: string;
  /** What it shows, for the gallery card. */
  about: string;
  kind: ExperimentKind;
  /** scenario: the setup (scenario JSON, as in examples/blk). */
  setup?: Record<string, unknown>;
  /** scenario: where the setup comes from, for the user to run it from the CLI. */
  file?: string;
  /** console: the command lines, run in the Console one after another. */
  lines?: string[];
  /** tcp: link speeds (Gb/s) and the I/O shape of seed 000's table. */
  tcp?: { gbps: number[]; bs: string; ranges: number; runtime: string };
  /** The view that shows its result best. */
  view: "block" | "queues" | "trace" | "console" | "charts";
}

function example(name: string): { setup: Record<string, unknown>; file: string } {
  const key = `../../examples/blk/${name}.json`;
  const text = files[key];
  if (text === undefined) throw new Error(`examples/blk/${name}.json is not bundled`);
  return { setup: JSON.parse(text) as Record<string, unknown>, file: `examples/blk/${name}.json` };
}

const seed = {
  s000: "000: LSF/MM/BPF 2023, Storage: Copy Offload",
  s001: "001: dm-devel, kcopyd on one CPU",
  s002: "002: LSF/MM/BPF 2026, Block storage copy offloading",
};

export const EXPERIMENTS: Experiment[] = [
  {
    id: "vector-merge", title: "A vectored copy merged by plugging", source: seed.s002, kind: "scenario", view: "block",
    about: "Four copy() calls to adjacent destinations in one plug merge into one request and one NVMe Copy with four source ranges; a copy bigger than MCL is split. Change the copy design in Setup (pair, ctx, vector) and run again to compare the designs.",
    ...example("vector-merge"),
  },
  {
    id: "ctx-gc", title: "Log-structured GC: 16 live blocks, MSRC 7", source: seed.s002, kind: "scenario", view: "block",
    about: "Garbage collection gathers 16 scattered live blocks into a new segment with 16 copy() calls in one plug. With MSRC 7 (8 ranges per command) the driver combines them into two Copy commands.",
    ...example("ctx-gc"),
  },
  {
    id: "limits", title: "Copy limits exceeded: the status codes", source: seed.s000, kind: "console", view: "console",
    about: "Copy commands sent straight to the controller (nvme-cli's copy; --blocks is 0's based) past the limits Identify Namespace reports (MSSRL 128, MCL 128, MSRC 127): one range of 129 blocks, two ranges adding up to 200 blocks, and 129 one-block ranges (NR past MSRC; 129 blocks is past MCL too). Each completes with Command Size Limit Exceeded (SCT 1h, SC 83h) and CQE Dword 0 (shown by -v) names the first range not copied; the last copy, exactly MCL blocks, succeeds.",
    lines: [
      "id-ns /dev/nvme0n1 -H",
      "copy /dev/nvme0n1 -v --sdlba=5000 --slbs=0 --blocks=128",
      "copy /dev/nvme0n1 -v --sdlba=5000 --slbs=0,1000 --blocks=99,99",
      "copy /dev/nvme0n1 -v --sdlba=5000 --slbs=" + Array.from({ length: 129 }, (_, i) => i * 2).join(",") + " --blocks=0",
      "copy /dev/nvme0n1 --sdlba=5000 --slbs=0,1000 --blocks=63,63",
    ],
  },
  {
    id: "crypt-fallback", title: "dm-crypt forces the fallback", source: seed.s002, kind: "scenario", view: "block",
    about: "dm-crypt cannot pass copies down (the ciphertext depends on the sector), so a copy through it sends no Copy command and falls back to read+write; the same copy on the dm-linear device below is offloaded.",
    ...example("crypt-fallback"),
  },
  {
    id: "pair-nomerges", title: "The pairing failure with nomerges", source: seed.s002, kind: "scenario", view: "block",
    about: "The v20 two-bio design pairs a copy's DST and SRC bios by merging them in the plug. With nomerges=2 they reach the driver alone, fail with BLK_STS_IOERR, and the copy falls back to read+write.",
    ...example("pair-nomerges"),
  },
  {
    id: "pair-interleaved", title: "Interleaved copies break the pairing", source: seed.s002, kind: "scenario", view: "trace",
    about: "Two tasks copy at once through dm-delay, made to resubmit in one plug as dm-crypt's write thread does (a what-if); their bios arrive interleaved, and the v20 pairing joins halves of different copies. The copy-context design (ctx-interleaved) ties each copy's bios together and gets it right.",
    ...example("pair-interleaved"),
  },
  {
    id: "kcopyd-percpu", title: "kcopyd: one worker against per-CPU", source: seed.s001, kind: "scenario", view: "trace",
    about: "Four tasks on four CPUs each ask kcopyd for eight small copies, as dm-snapshot's copy-on-write does. The per-CPU redesign runs each job on its caller's CPU, four at once; upstream kcopyd (variant single, under Host > kcopyd in Setup) runs every job on one kworker, one at a time. Compare the kworker CPUs in the trace and the modelled end time.",
    ...example("kcopyd-percpu"),
  },
  {
    id: "snapshot-cow", title: "dm-snapshot copy-on-write through kcopyd", source: seed.s001, kind: "scenario", view: "block",
    about: "A transient snapshot of an origin volume: each first write to a chunk waits while kcopyd copies the chunk to the COW area (a read of the origin, then a write); the second write to that chunk does not wait. In Setup, set kcopyd offload on and the copies become NVMe Copy commands.",
    ...example("snapshot-cow"),
  },
  {
    id: "tcp-offload", title: "Offload against read+write over NVMe/TCP", source: seed.s000, kind: "tcp", view: "charts",
    about: "Seed 000's table: 16 fio jobs copy 8 KiB with one range, as user-space read+write (every byte crosses the link twice) and as Copy offload (the target emulates it on its own side, nothing crosses), at 1 Gb/s and 100 Gb/s. A modelled TLC SSD sits behind the target. Bandwidth and network utilisation as npm run reproduce measures them, beside the figures the seed published.",
    tcp: { gbps: [1, 100], bs: "8k", ranges: 1, runtime: "5ms" },
  },
];

export const EXPERIMENT_IDS: ReadonlySet<string> = new Set(EXPERIMENTS.map((e) => e.id));

export function experiment(id: string | undefined): Experiment | undefined {
  return EXPERIMENTS.find((e) => e.id === id);
}

/** The setup the page starts with: the first experiment's. */
export const DEFAULT_EXPERIMENT = "vector-merge";
