// blkparse.ts: events, the end-of-run summary and fio's disk stats, against literal lines worked
// out from blkparse's and fio's printf formats (blkparse_fmt.c process_default, blkparse.c
// handle_notify and dump_io_stats, fio stat.c print_disk_util).

import { describe, it, expect } from "vitest";
import {
  formatEvent, formatTrace, formatSummary, formatDiskStats, diskStatsJson, summarize,
  traceErrorValue, groupThousands, fixed2, blkparseRwbs,
} from "../../src/block/blkparse";
import type { BlkEvent } from "../../src/block/trace";
import { newDiskStats, type DiskStats } from "../../src/block/disk";

const T = 1_500_000_123;

function ev(p: Partial<BlkEvent>): BlkEvent {
  return {
    seq: 3, time_ns: T, cpu: 1, pid: 42, comm: "fio", major: 259, minor: 0,
    action: "Q", rwbs: "W", sector: 2048, sectors: 8, ...p,
  };
}

describe("RWBS as blkparse prints it (fill_rwbs)", () => {
  it("a write-zeroes is a plain write, an empty flush gets N after its F; the rest as the stream has them", () => {
    expect(blkparseRwbs("WZ")).toBe("W");
    expect(blkparseRwbs("WZS")).toBe("WS");
    expect(blkparseRwbs("F")).toBe("FN");
    expect(blkparseRwbs("FS")).toBe("FNS");
    // the flush request blk_kick_flush makes: REQ_OP_FLUSH | REQ_PREFLUSH, FF in blk_fill_rwbs
    expect(blkparseRwbs("FF")).toBe("FN");
    for (const r of ["R", "W", "WS", "FWS", "FWFS", "WFS", "D", "CR", "CW", "N", "RM"]) expect(blkparseRwbs(r)).toBe(r);
    expect(formatEvent(ev({ rwbs: "WZ", action: "D" }))).toBe("259,0    1        3     1.500000123    42  D   W 2048 + 8 [fio]");
  });
});

describe("formatEvent: header", () => {
  it("prints the brief's example exactly", () => {
    expect(formatEvent(ev({}))).toBe("259,0    1        3     1.500000123    42  Q   W 2048 + 8 [fio]");
  });

  it("pads device, CPU, sequence, seconds and pid, and lets wide values overflow", () => {
    expect(formatEvent(ev({ major: 8, minor: 16, cpu: 0, seq: 1, time_ns: 0, pid: 1, action: "D", rwbs: "RS", sector: 100 })))
      .toBe("  8,16   0        1     0.000000000     1  D  RS 100 + 8 [fio]");
    expect(formatEvent(ev({
      major: 8, minor: 1000, cpu: 12, seq: 123456789, time_ns: 123456_789012345, pid: 123456,
      action: "M", rwbs: "WFSM", sector: 1, sectors: 1, comm: "x",
    }))).toBe("  8,1000 12 123456789 123456.789012345 123456  M WFSM 1 + 1 [x]");
  });

  it("truncates comm to 15 characters as blkparse's comm[16] does", () => {
    expect(formatEvent(ev({ comm: "a_very_long_process_name" })))
      .toBe("259,0    1        3     1.500000123    42  Q   W 2048 + 8 [a_very_long_pro]");
  });
});

describe("formatEvent: per-action tails", () => {
  it("Q I D G M F S: sector + nsectors [comm]", () => {
    for (const a of ["Q", "I", "D", "G", "M", "F", "S"] as const) {
      expect(formatEvent(ev({ action: a }))).toBe(`259,0    1        3     1.500000123    42  ${a}   W 2048 + 8 [fio]`);
    }
  });

  it("Q I D G M F S without sectors: [comm] only", () => {
    for (const a of ["Q", "I", "D", "G", "M", "F", "S"] as const) {
      expect(formatEvent(ev({ action: a, rwbs: "FWS", sector: 0, sectors: 0 })))
        .toBe(`259,0    1        3     1.500000123    42  ${a} FWS [fio]`);
    }
  });

  it("C and R: sector + nsectors [error], the errno as blk_io_trace's u16 holds it", () => {
    expect(formatEvent(ev({ seq: 4, action: "C" }))).toBe("259,0    1        4     1.500000123    42  C   W 2048 + 8 [0]");
    expect(formatEvent(ev({ seq: 4, action: "C", error: "BLK_STS_IOERR" })))
      .toBe("259,0    1        4     1.500000123    42  C   W 2048 + 8 [65531]");
    expect(formatEvent(ev({ seq: 4, action: "C", rwbs: "CW", error: "BLK_STS_NOTSUPP" })))
      .toBe("259,0    1        4     1.500000123    42  C  CW 2048 + 8 [65441]");
    expect(formatEvent(ev({ seq: 4, action: "R", rwbs: "R", error: "BLK_STS_TIMEOUT" })))
      .toBe("259,0    1        4     1.500000123    42  R   R 2048 + 8 [65426]");
    expect(formatEvent(ev({ seq: 4, action: "R", rwbs: "R" }))).toBe("259,0    1        4     1.500000123    42  R   R 2048 + 8 [0]");
  });

  it("C without sectors: sector [error]", () => {
    expect(formatEvent(ev({ seq: 4, action: "C", rwbs: "FWS", sector: 0, sectors: 0 })))
      .toBe("259,0    1        4     1.500000123    42  C FWS 0 [0]");
  });

  it("maps every blk_status name to its errno", () => {
    const want: Record<string, number> = {
      BLK_STS_NOTSUPP: -95, BLK_STS_TIMEOUT: -110, BLK_STS_NOSPC: -28, BLK_STS_TRANSPORT: -108,
      BLK_STS_TARGET: -121, BLK_STS_RESV_CONFLICT: -6, BLK_STS_MEDIUM: -61, BLK_STS_PROTECTION: -84,
      BLK_STS_RESOURCE: -12, BLK_STS_IOERR: -5, BLK_STS_AGAIN: -11,
    };
    for (const [name, errno] of Object.entries(want)) expect(traceErrorValue(name)).toBe(65536 + errno);
    expect(traceErrorValue(undefined)).toBe(0);
    expect(traceErrorValue("BLK_STS_OK")).toBe(0);
    expect(traceErrorValue("BLK_STS_SOMETHING_NEW")).toBe(65531);
  });

  it("P: [comm]", () => {
    expect(formatEvent(ev({ seq: 5, action: "P", rwbs: "N", sector: 0, sectors: 0 })))
      .toBe("259,0    1        5     1.500000123    42  P   N [fio]");
  });

  it("U and UT: [comm] depth, the action right-aligned in two columns", () => {
    expect(formatEvent(ev({ seq: 6, action: "U", rwbs: "N", sector: 0, sectors: 0, depth: 3 })))
      .toBe("259,0    1        6     1.500000123    42  U   N [fio] 3");
    expect(formatEvent(ev({ seq: 6, action: "UT", rwbs: "N", sector: 0, sectors: 0, depth: 1, comm: "kworker/1:1H" })))
      .toBe("259,0    1        6     1.500000123    42 UT   N [kworker/1:1H] 1");
  });

  it("X: sector / split sector [comm]", () => {
    expect(formatEvent(ev({ seq: 7, action: "X", sector: 0, sectors: 512, splitAt: 256 })))
      .toBe("259,0    1        7     1.500000123    42  X   W 0 / 256 [fio]");
  });

  it("A: sector + nsectors <- (major,minor) from sector", () => {
    expect(formatEvent(ev({ seq: 8, action: "A", sector: 6144, fromMajor: 253, fromMinor: 1, fromSector: 4096 })))
      .toBe("259,0    1        8     1.500000123    42  A   W 6144 + 8 <- (253,1) 4096");
  });

  it("m: the text, with sequence 0, pid 0 and RWBS N as handle_notify prints messages", () => {
    expect(formatEvent(ev({ seq: 17, cpu: 2, action: "m", rwbs: "N", sector: 0, sectors: 0, text: "copy: offload 8 sectors" })))
      .toBe("259,0    2        0     1.500000123     0  m   N copy: offload 8 sectors");
  });
});

// A trace over three CPUs: writes with merges on CPU 0, a read that is requeued and fails on
// CPU 1, copy halves and a discard on CPU 1, a message on CPU 2.
function trace(): BlkEvent[] {
  const w = { cpu: 0, pid: 100, comm: "fio" };
  const r = { cpu: 1, pid: 200, comm: "dd" };
  const list: Array<Partial<BlkEvent>> = [
    { ...w, time_ns: 0, action: "Q", rwbs: "W", sector: 0, sectors: 8 },
    { ...w, time_ns: 1000, action: "G", rwbs: "W", sector: 0, sectors: 8 },
    { ...w, time_ns: 2000, action: "P", rwbs: "N", sector: 0, sectors: 0 },
    { ...w, time_ns: 3000, action: "Q", rwbs: "W", sector: 8, sectors: 1 },
    { ...w, time_ns: 4000, action: "M", rwbs: "W", sector: 8, sectors: 1 },
    { ...w, time_ns: 5000, action: "Q", rwbs: "W", sector: 9, sectors: 1 },
    { ...w, time_ns: 6000, action: "M", rwbs: "W", sector: 9, sectors: 1 },
    { ...w, time_ns: 7000, action: "I", rwbs: "W", sector: 0, sectors: 10 },
    { ...w, time_ns: 8000, action: "U", rwbs: "N", sector: 0, sectors: 0, depth: 1 },
    { ...w, time_ns: 9000, action: "D", rwbs: "W", sector: 0, sectors: 10 },
    { ...r, time_ns: 10000, action: "Q", rwbs: "R", sector: 1000, sectors: 16 },
    { ...r, time_ns: 11000, action: "G", rwbs: "R", sector: 1000, sectors: 16 },
    { ...r, time_ns: 12000, action: "UT", rwbs: "N", sector: 0, sectors: 0, depth: 1 },
    { ...r, time_ns: 13000, action: "D", rwbs: "R", sector: 1000, sectors: 16 },
    { ...r, time_ns: 14000, action: "R", rwbs: "R", sector: 1000, sectors: 16 },
    { ...r, time_ns: 15000, action: "D", rwbs: "R", sector: 1000, sectors: 16 },
    { ...r, time_ns: 16000, action: "Q", rwbs: "CR", sector: 5000, sectors: 8 },
    { ...r, time_ns: 17000, action: "Q", rwbs: "CW", sector: 6000, sectors: 8 },
    { ...r, time_ns: 18000, action: "Q", rwbs: "D", sector: 8000, sectors: 2048 },
    { ...w, time_ns: 2_000_000, action: "C", rwbs: "W", sector: 0, sectors: 10 },
    { ...r, time_ns: 3_000_000, action: "C", rwbs: "R", sector: 1000, sectors: 16, error: "BLK_STS_IOERR" },
    { cpu: 2, pid: 200, comm: "dd", time_ns: 10_000_000, action: "m", rwbs: "N", sector: 0, sectors: 0, text: "copy: emulated" },
  ];
  return list.map((p, i) => ev({ seq: i + 1, ...p }));
}

const CPU0 =
  "CPU0 (nvmelab):\n" +
  " Reads Queued:           0,        0KiB\t Writes Queued:           3,        5KiB\n" +
  " Read Dispatches:        0,        0KiB\t Write Dispatches:        1,        5KiB\n" +
  " Reads Requeued:         0\t\t Writes Requeued:         0\n" +
  " Reads Completed:        0,        0KiB\t Writes Completed:        1,        5KiB\n" +
  " Read Merges:            0,        0KiB\t Write Merges:            2,        1KiB\n" +
  " Read depth:             1        \t Write depth:             1\n" +
  " IO unplugs:             1        \t Timer unplugs:           0\n";
const CPU1 =
  "CPU1 (nvmelab):\n" +
  " Reads Queued:           2,       12KiB\t Writes Queued:           2,    1,028KiB\n" +
  " Read Dispatches:        2,        8KiB\t Write Dispatches:        0,        0KiB\n" +
  " Reads Requeued:         1\t\t Writes Requeued:         0\n" +
  " Reads Completed:        1,        8KiB\t Writes Completed:        0,        0KiB\n" +
  " Read Merges:            0,        0KiB\t Write Merges:            0,        0KiB\n" +
  " Read depth:             1        \t Write depth:             1\n" +
  " IO unplugs:             0        \t Timer unplugs:           1\n";
const CPU2 =
  "CPU2 (nvmelab):\n" +
  " Reads Queued:           0,        0KiB\t Writes Queued:           0,        0KiB\n" +
  " Read Dispatches:        0,        0KiB\t Write Dispatches:        0,        0KiB\n" +
  " Reads Requeued:         0\t\t Writes Requeued:         0\n" +
  " Reads Completed:        0,        0KiB\t Writes Completed:        0,        0KiB\n" +
  " Read Merges:            0,        0KiB\t Write Merges:            0,        0KiB\n" +
  " Read depth:             1        \t Write depth:             1\n" +
  " IO unplugs:             0        \t Timer unplugs:           0\n";
const TOTAL =
  "Total (nvmelab):\n" +
  " Reads Queued:           2,       12KiB\t Writes Queued:           5,    1,033KiB\n" +
  " Read Dispatches:        2,        8KiB\t Write Dispatches:        1,        5KiB\n" +
  " Reads Requeued:         1\t\t Writes Requeued:         0\n" +
  " Reads Completed:        1,        8KiB\t Writes Completed:        1,        5KiB\n" +
  " Read Merges:            0,        0KiB\t Write Merges:            2,        1KiB\n" +
  " IO unplugs:             1        \t Timer unplugs:           1\n";
const TAIL =
  "\nThroughput (R/W): 800KiB/s / 500KiB/s\n" +
  "Events (nvmelab): 22 entries\n" +
  "Skips: 0 forward (0 -   0.0%)\n";

describe("summary", () => {
  it("counts per CPU the way dump_trace_fs accounts, copies and discards by their RWBS", () => {
    const s = summarize(trace());
    expect(s.cpus.map((c) => c.cpu)).toEqual([0, 1, 2]);
    const [c0, c1] = s.cpus.map((c) => c.stats);
    expect([c0.qwrites, c0.qwrite_kb, c0.qwrite_b]).toEqual([3, 4, 1024]);
    expect([c0.mwrites, c0.mwrite_kb, c0.mwrite_b]).toEqual([2, 0, 1024]);
    expect([c1.qreads, c1.qread_kb, c1.qwrites, c1.qwrite_kb]).toEqual([2, 12, 2, 1028]);
    expect([c1.ireads, c1.iread_kb, c1.rrqueue, c1.creads, c1.cread_kb]).toEqual([2, 8, 1, 1, 8]);
    expect([s.total.io_unplugs, s.total.timer_unplugs]).toEqual([1, 1]);
    expect(s.maxDepth).toEqual([1, 1]);
    expect([s.events, s.first_ns, s.last_ns]).toEqual([22, 0, 10_000_000]);
  });

  it("prints CPU blocks, a Total block, throughput, events and skips", () => {
    expect(formatSummary(trace())).toBe(CPU0 + CPU1 + CPU2 + "\n" + TOTAL + TAIL);
  });

  it("formatTrace with device names: one summary per device in the order they first appear, a tag sleep not counted", () => {
    const evs: BlkEvent[] = [
      ev({ seq: 1, major: 253, minor: 0, action: "Q", time_ns: 0 }),
      ev({ seq: 2, major: 259, minor: 0, action: "Q", time_ns: 1000 }),
      ev({ seq: 3, major: 259, minor: 0, action: "S", time_ns: 1000 }),
      ev({ seq: 4, major: 259, minor: 0, action: "G", time_ns: 2000 }),
    ];
    const out = formatTrace(evs, (major, minor) => (major === 253 ? `dm-${minor}` : `nvme0n${minor + 1}`));
    const heads = out.split("\n").filter((l) => /^(CPU\d+|Events) \(/.test(l));
    expect(heads).toEqual(["CPU1 (dm-0):", "Events (dm-0): 1 entries", "CPU1 (nvme0n1):", "Events (nvme0n1): 2 entries"]);
    expect(out).not.toMatch(/ S /);
  });

  it("formatTrace: every line, then the summary straight after the last one", () => {
    const out = formatTrace(trace());
    const lines = out.split("\n");
    expect(lines[0]).toBe("259,0    0        1     0.000000000   100  Q   W 0 + 8 [fio]");
    expect(lines[2]).toBe("259,0    0        3     0.000002000   100  P   N [fio]");
    expect(lines[8]).toBe("259,0    0        9     0.000008000   100  U   N [fio] 1");
    expect(lines[12]).toBe("259,0    1       13     0.000012000   200 UT   N [dd] 1");
    expect(lines[18]).toBe("259,0    1       19     0.000018000   200  Q   D 8000 + 2048 [dd]");
    expect(lines[20]).toBe("259,0    1       21     0.003000000   200  C   R 1000 + 16 [65531]");
    expect(lines[21]).toBe("259,0    2        0     0.010000000     0  m   N copy: emulated");
    expect(lines[22]).toBe("CPU0 (nvmelab):");
    expect(out).toBe(trace().map((e) => formatEvent(e) + "\n").join("") + CPU0 + CPU1 + CPU2 + "\n" + TOTAL + TAIL);
  });

  it("one CPU: no Total block; the device name is the caller's", () => {
    const one = trace().filter((e) => e.cpu === 0);
    expect(formatSummary(one, "nvme0n1")).toBe(
      CPU0.replace("CPU0 (nvmelab)", "CPU0 (nvme0n1)").replace(" Read depth:             1", " Read depth:             0") +
      "\nThroughput (R/W): 0KiB/s / 2,500KiB/s\n" +
      "Events (nvme0n1): 11 entries\n" +
      "Skips: 0 forward (0 -   0.0%)\n",
    );
  });

  it("adds leftover bytes to KiB and to throughput as blkparse does", () => {
    // Three 1-sector writes complete over 1 ms: KiB = 0 + 1536 >> 10 = 1; rate = (0 + 1536) / 1.
    const e = [0, 500_000, 1_000_000].map((t, i) => ev({ seq: i + 1, cpu: 0, time_ns: t, action: "C", sector: i, sectors: 1 }));
    const out = formatSummary(e);
    expect(out).toContain(" Reads Completed:        0,        0KiB\t Writes Completed:        3,        1KiB\n");
    expect(out).toContain("\nThroughput (R/W): 0KiB/s / 1,536KiB/s\n");
  });

  it("switches to a larger unit past a million, as size_cnv does", () => {
    const e = [ev({ seq: 1, cpu: 0, sectors: 4_000_000 })];
    expect(formatSummary(e)).toContain(" Writes Queued:           1,    2,000MiB\n");
  });

  it("an empty trace: throughput 0 and no CPU blocks", () => {
    expect(formatTrace([])).toBe("\nThroughput (R/W): 0KiB/s / 0KiB/s\nEvents (nvmelab): 0 entries\nSkips: 0 forward (0 -   0.0%)\n");
  });
});

describe("number formatting", () => {
  it("groups thousands with commas", () => {
    expect(groupThousands(0)).toBe("0");
    expect(groupThousands(999)).toBe("999");
    expect(groupThousands(1000)).toBe("1,000");
    expect(groupThousands(1234567)).toBe("1,234,567");
  });

  it("%.2f rounds exact ties to even, like glibc", () => {
    expect(fixed2(0.125)).toBe("0.12");
    expect(fixed2(12.375)).toBe("12.38");
    expect(fixed2(12.625)).toBe("12.62");
    expect(fixed2(33.333333)).toBe("33.33");
    expect(fixed2(0)).toBe("0.00");
    expect(fixed2(100)).toBe("100.00");
  });
});

function stats(p: Partial<DiskStats>): DiskStats {
  return { ...newDiskStats(), ...p };
}

describe("fio disk stats", () => {
  const disks = [
    {
      name: "nvme0n1",
      stats: stats({
        ios: [1200, 3400], sectors: [9600, 27200], merges: [5, 17],
        ticks_ns: [1_999_999, 45_000_001], in_queue_ns: 47_123_456, busy_ns: 48_500_000,
      }),
    },
    { name: "dm-0", stats: stats({ ios: [0, 7], sectors: [0, 56], busy_ns: 200_000_000 }) },
  ];

  it("prints fio's Disk stats block, ticks and in_queue in ms, util over the span", () => {
    expect(formatDiskStats(disks, 100_000_000)).toBe(
      "Disk stats (read/write):\n" +
      "  nvme0n1: ios=1200/3400, sectors=9600/27200, merge=5/17, ticks=1/45, in_queue=47, util=48.50%\n" +
      "  dm-0: ios=0/7, sectors=0/56, merge=0/0, ticks=0/0, in_queue=0, util=100.00%\n",
    );
  });

  it("util is 0.00% when the span is 0", () => {
    expect(formatDiskStats(disks.slice(0, 1), 0))
      .toBe("Disk stats (read/write):\n  nvme0n1: ios=1200/3400, sectors=9600/27200, merge=5/17, ticks=1/45, in_queue=47, util=0.00%\n");
  });

  it("util rounds as printf does", () => {
    const d = [{ name: "nvme0n1", stats: stats({ busy_ns: 1 }) }];
    expect(formatDiskStats(d, 3)).toBe("Disk stats (read/write):\n  nvme0n1: ios=0/0, sectors=0/0, merge=0/0, ticks=0/0, in_queue=0, util=33.33%\n");
    expect(formatDiskStats([{ name: "x", stats: stats({ busy_ns: 1 }) }], 8)).toContain("util=12.50%");
    expect(formatDiskStats([{ name: "x", stats: stats({ busy_ns: 1 }) }], 800)).toContain("util=0.12%");
  });

  it("prints nothing for no disks", () => {
    expect(formatDiskStats([], 1)).toBe("");
  });

  it("gives fio's disk_util JSON objects", () => {
    expect(diskStatsJson(disks, 100_000_000)).toEqual([
      {
        name: "nvme0n1", read_ios: 1200, write_ios: 3400, read_sectors: 9600, write_sectors: 27200,
        read_merges: 5, write_merges: 17, read_ticks: 1, write_ticks: 45, in_queue: 47, util: 48.5,
      },
      {
        name: "dm-0", read_ios: 0, write_ios: 7, read_sectors: 0, write_sectors: 56,
        read_merges: 0, write_merges: 0, read_ticks: 0, write_ticks: 0, in_queue: 0, util: 100,
      },
    ]);
    expect(diskStatsJson(disks, 0)[0].util).toBe(0);
  });
});
