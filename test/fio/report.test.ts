// report.ts: fio's normal output and JSON for hand-built results. Every expected line is worked
// out from fio's format strings (stat.c show_thread_status_normal, show_ddir_status, display_lat,
// show_clat_percentiles, show_lat, show_group_stats, print_disk_util; lib/num2str.c; json.c)
// and glibc printf rounding, not taken from this module's output. Two lines are real fio output
// quoted in the project's reference notes (facts 9.3, anchors "fio output").

import { describe, it, expect } from "vitest";
import { formatFio, formatFioStart, fioJson, formatFioJson, fioRuntimeMs, num2str, cFixed, ctimeUtc, FIO_VERSION } from "../../src/fio/report";
import { parseJobFile } from "../../src/fio/job";
import { newLatStat, addLat } from "../../src/fio/stats";
import type { DirResult, FioDir, FioResult, JobResult, LatStat } from "../../src/fio/types";

const perDir = (r = 0, w = 0, t = 0, c = 0): Record<FioDir, number> => ({ read: r, write: w, trim: t, copy: c });

function lat(values: Array<[number, number]>): LatStat {
  const s = newLatStat(true);
  for (const [v, times] of values) for (let i = 0; i < times; i++) addLat(s, v);
  return s;
}

function dir(p: Partial<DirResult> & { clatValues: Array<[number, number]>; latOffset?: number }): DirResult {
  const { clatValues, latOffset = 2000, ...rest } = p;
  return {
    io_bytes: 0, total_ios: 0, short_ios: 0, drop_ios: 0, runtime_ms: 0, slat: null,
    clat: lat(clatValues), lat: lat(clatValues.map(([v, n]) => [v + latOffset, n])),
    bw_samples_kib: [], iops_samples: [], ...rest,
  };
}

function job(p: Partial<JobResult>): JobResult {
  return {
    name: "job1", groupid: 0, jobs: 1, error: 0, pid: 4242, job_start_ms: 0, job_runtime_ms: 2500,
    options: { rw: "randread", bs: "4k" }, dirs: {},
    usr_cpu: 1.5, sys_cpu: 3.125, ctx: 1003, majf: 0, minf: 27,
    io_u_map: [1000, 0, 0, 0, 0, 0, 0], io_u_submit: [0, 1000, 0, 0, 0, 0, 0], io_u_complete: [0, 1000, 0, 0, 0, 0, 0],
    total_submit: 1000, total_complete: 1000,
    issued_total: perDir(), issued_short: perDir(), issued_dropped: perDir(), latency_depth: 1,
    ...p,
  };
}

/** 1000 4 KiB reads in 2500 ms; clat 200/300/400/500 us, 250 each; lat 2 us more. */
function jobA(p: Partial<JobResult> = {}): JobResult {
  return job({
    dirs: {
      read: dir({
        io_bytes: 4_096_000, total_ios: 1000, runtime_ms: 2500,
        clatValues: [[200_000, 250], [300_000, 250], [400_000, 250], [500_000, 250]],
        bw_samples_kib: [1500, 1600, 1700, 1600, 1600], iops_samples: [375, 400, 425, 400, 400],
      }),
    },
    issued_total: perDir(1000),
    ...p,
  });
}

/** The same reads in 5000 ms, every clat 300 us. */
function jobB(): JobResult {
  return job({
    pid: 4243, job_runtime_ms: 5000, usr_cpu: 3, sys_cpu: 1, ctx: 997,
    dirs: {
      read: dir({
        io_bytes: 4_096_000, total_ios: 1000, runtime_ms: 5000, clatValues: [[300_000, 1000]],
        bw_samples_kib: [800, 800], iops_samples: [200, 200],
      }),
    },
    issued_total: perDir(1000),
  });
}

function result(jobs: JobResult[], p: Partial<FioResult> = {}): FioResult {
  return {
    fio_version: "fio-3.35", timestamp: 0, clock: "model", global_options: { ioengine: "psync", direct: "1" },
    jobs,
    disk_util: [{
      name: "nvme0n1", read_ios: 1000, write_ios: 0, read_sectors: 8000, write_sectors: 0, read_merges: 0,
      write_merges: 0, read_ticks: 480, write_ticks: 0, in_queue: 480, util: 30.125,
    }],
    ...p,
  };
}

const lines = (s: string) => s.split("\n");

describe("printf and num2str", () => {
  it("%.Nf rounds an exact tie to even (glibc), otherwise like toFixed", () => {
    expect(cFixed(3.125, 2)).toBe("3.12");
    expect(cFixed(3.375, 2)).toBe("3.38");
    expect(cFixed(30.125, 2)).toBe("30.12");
    expect(cFixed(2.5, 0)).toBe("2");
    expect(cFixed(0.1, 2)).toBe("0.10");
    expect(cFixed(2050.78125, 2)).toBe("2050.78");
    expect(cFixed(-0.125, 2)).toBe("-0.12");
  });

  it("num2str: at most 4 digits, one decimal where it fits, carry into the last digit otherwise", () => {
    expect(num2str(4096, 4, 1, true, "B")).toBe("4096B");
    expect(num2str(1_048_576, 4, 1, true, "B")).toBe("1024KiB");
    expect(num2str(50_565_120, 4, 1, true, "B")).toBe("48.2MiB");
    expect(num2str(5_056_512, 4, 1, false, "B/s")).toBe("5057kB/s"); // 5056 rem 512: carried
    expect(num2str(88_410, 4, 1, false, "")).toBe("88.4k");
    expect(num2str(1_500_000, 6, 1, false, "")).toBe("1500.0k");
    expect(num2str(999_999, 6, 1, false, "")).toBe("999999");
  });

  it("num2str: a fraction that rounds up to 1 carries into the whole part (lib/num2str.c: tmp[0] == '1')", () => {
    // 19999: 19 rem 999, "%.1f" of 0.999 is "1.0": fio prints 20.0k, not 19.0k
    expect(num2str(19_999, 4, 1, false, "")).toBe("20.0k");
    expect(num2str(19_970, 4, 1, false, "")).toBe("20.0k");
    expect(num2str(19_949, 4, 1, false, "")).toBe("19.9k");
    // 10239 B: 9 rem 1023 KiB, "%.2f" of 1023/1024 is "1.00": 10.00KiB (fio's width quirk kept)
    expect(num2str(10_239, 4, 1, true, "B")).toBe("10.00KiB");
    // no room for decimals: the carry rule of the last digit, unchanged
    expect(num2str(1_048_063, 4, 1, true, "B/s")).toBe("1023KiB/s");
  });

  it("ctime in UTC, day of month padded to 3", () => {
    expect(ctimeUtc(0)).toBe("Thu Jan  1 00:00:00 1970");
    expect(ctimeUtc(1_700_000_000)).toBe("Tue Nov 14 22:13:20 2023");
  });
});

describe("formatFio: one read job", () => {
  it("prints fio's whole report, line for line", () => {
    expect(formatFio(result([jobA()]))).toBe([
      "",
      "job1: (groupid=0, jobs=1): err= 0: pid=4242: Thu Jan  1 00:00:00 1970",
      "  read: IOPS=400, BW=1600KiB/s (1638kB/s)(4000KiB/2500msec)",
      "    clat (usec): min=200, max=500, avg=350.00, stdev=111.86",
      "     lat (usec): min=202, max=502, avg=352.00, stdev=111.86",
      "    clat percentiles (usec):",
      "     |  1.00th=[  200],  5.00th=[  200], 10.00th=[  200], 20.00th=[  200],",
      "     | 30.00th=[  302], 40.00th=[  302], 50.00th=[  302], 60.00th=[  400],",
      "     | 70.00th=[  400], 80.00th=[  502], 90.00th=[  502], 95.00th=[  502],",
      "     | 99.00th=[  502], 99.50th=[  502], 99.90th=[  502], 99.95th=[  502],",
      "     | 99.99th=[  502]",
      "   bw (  KiB/s): min= 1500, max= 1700, per=100.00%, avg=1600.00, stdev=70.71, samples=5",
      "   iops        : min=  375, max=  425, avg=400.00, stdev=17.68, samples=5",
      "  lat (usec)   : 250=25.00%, 500=50.00%, 750=25.00%",
      "  cpu          : usr=1.50%, sys=3.12%, ctx=1003, majf=0, minf=27",
      "  IO depths    : 1=100.0%, 2=0.0%, 4=0.0%, 8=0.0%, 16=0.0%, 32=0.0%, >=64=0.0%",
      "     submit    : 0=0.0%, 4=100.0%, 8=0.0%, 16=0.0%, 32=0.0%, 64=0.0%, >=64=0.0%",
      "     complete  : 0=0.0%, 4=100.0%, 8=0.0%, 16=0.0%, 32=0.0%, 64=0.0%, >=64=0.0%",
      "     issued rwts: total=1000,0,0,0 short=0,0,0,0 dropped=0,0,0,0",
      "     latency   : target=0, window=0, percentile=100.00%, depth=1",
      "",
      "Run status group 0 (all jobs):",
      "   READ: bw=1600KiB/s (1638kB/s), 1600KiB/s-1600KiB/s (1638kB/s-1638kB/s), io=4000KiB (4096kB), run=2500-2500msec",
      "",
      "Disk stats (read/write):",
      "  nvme0n1: ios=1000/0, sectors=8000/0, merge=0/0, ticks=480/0, in_queue=480, util=30.12%",
      "",
    ].join("\n"));
  });

  it("a submission latency line comes first when the engine has one", () => {
    const a = jobA();
    a.dirs.read!.slat = lat([[1500, 2], [2500, 2]]);
    const out = lines(formatFio(result([a])));
    const i = out.indexOf("  read: IOPS=400, BW=1600KiB/s (1638kB/s)(4000KiB/2500msec)");
    // 1500..2500 ns: min not above 2000, so nsec; mean 2000, S 4 * 500^2 -> sqrt(1e6 / 3)
    expect(out[i + 1]).toBe("    slat (nsec): min=1500, max=2500, avg=2000.00, stdev=577.35");
    expect(out[i + 2]).toBe("    clat (usec): min=200, max=500, avg=350.00, stdev=111.86");
  });

  it("header date from the timestamp; an error shows its text", () => {
    const r = result([jobA({ error: 5 })], { timestamp: 1_700_000_000 });
    expect(lines(formatFio(r))[1]).toBe("job1: (groupid=0, jobs=1): err= 5 (error=Input/output error): pid=4242: Tue Nov 14 22:13:20 2023");
    r.jobs[0].verror = "file:io_u.c:1889, func=io_u error, error=Input/output error";
    expect(lines(formatFio(r))[1]).toBe(
      "job1: (groupid=0, jobs=1): err= 5 (file:io_u.c:1889, func=io_u error, error=Input/output error): pid=4242: Tue Nov 14 22:13:20 2023",
    );
  });

  it("description: \"  Description  : [text]\" under the header, JSON \"desc\" after the latency keys", () => {
    const r = result([jobA({ description: "my test job" })]);
    const out = lines(formatFio(r));
    expect(out[1]).toBe("job1: (groupid=0, jobs=1): err= 0: pid=4242: Thu Jan  1 00:00:00 1970");
    expect(out[2]).toBe("  Description  : [my test job]");
    expect(out[3]).toBe("  read: IOPS=400, BW=1600KiB/s (1638kB/s)(4000KiB/2500msec)");
    const keys = Object.keys((fioJson(r) as any).jobs[0]);
    expect(keys.slice(-2)).toEqual(["latency_window", "desc"]);
    expect((fioJson(r) as any).jobs[0].desc).toBe("my test job");
    // none: neither the line nor the key
    expect(formatFio(result([jobA()]))).not.toContain("Description");
    expect("desc" in (fioJson(result([jobA()])) as any).jobs[0]).toBe(false);
    // a group's thread_stat keeps its first job's description; fio's buffer holds 255 characters
    const long = "x".repeat(300);
    const g = result([jobA({ description: long, group_reporting: true }), jobA({ description: "second", group_reporting: true })]);
    expect(lines(formatFio(g))[2]).toBe(`  Description  : [${"x".repeat(255)}]`);
  });

  it("no disks: no Disk stats block; a job that did nothing prints nothing", () => {
    const out = formatFio(result([job({})], { disk_util: [] }));
    expect(out).toBe("\n\nRun status group 0 (all jobs):\n");
  });
});

describe("formatFio: units and widths", () => {
  it("reproduces fio's own lines (facts 9.3, anchors): IOPS and BW rounding", () => {
    // 5181 MiB of 4 KiB reads in 15002 ms.
    const rd = job({
      dirs: { read: dir({ io_bytes: 5181 * 1_048_576, total_ios: 5181 * 256, runtime_ms: 15002, clatValues: [[40_000, 1]] }) },
      issued_total: perDir(5181 * 256),
    });
    // 4450 writes of 7 KiB in 50032 ms.
    const wr = job({
      name: "w", dirs: { write: dir({ io_bytes: 7168 * 4450, total_ios: 4450, runtime_ms: 50032, clatValues: [[40_000, 1]] }) },
      issued_total: perDir(0, 4450), groupid: 1,
    });
    const out = lines(formatFio(result([rd, wr])));
    expect(out).toContain("  read: IOPS=88.4k, BW=345MiB/s (362MB/s)(5181MiB/15002msec)");
    expect(out).toContain("  write: IOPS=88, BW=623KiB/s (638kB/s)(30.4MiB/50032msec)");
    // Group lines: io 5432672256 B is 5433 MB after the carry.
    expect(out).toContain("   READ: bw=345MiB/s (362MB/s), 345MiB/s-345MiB/s (362MB/s-362MB/s), io=5181MiB (5433MB), run=15002-15002msec");
    expect(out).toContain("  WRITE: bw=623KiB/s (638kB/s), 623KiB/s-623KiB/s (638kB/s-638kB/s), io=30.4MiB (31.9MB), run=50032-50032msec");
    expect(out).toContain("Run status group 1 (all jobs):");
  });

  it("nsec latencies: nsec percentiles, and lat buckets by the bins' values", () => {
    const j = job({
      dirs: { read: dir({ io_bytes: 12_288, total_ios: 3, runtime_ms: 1, clatValues: [[10_000, 1], [20_000, 1], [30_000, 1]] }) },
      issued_total: perDir(3),
    });
    const out = formatFio(result([j]));
    expect(out).toContain([
      "    clat (nsec): min=10000, max=30000, avg=20000.00, stdev=10000.00",
      "     lat (nsec): min=12000, max=32000, avg=22000.00, stdev=10000.00",
      "    clat percentiles (nsec):",
      "     |  1.00th=[10048],  5.00th=[10048], 10.00th=[10048], 20.00th=[10048],",
      "     | 30.00th=[10048], 40.00th=[20096], 50.00th=[20096], 60.00th=[20096],",
      "     | 70.00th=[30080], 80.00th=[30080], 90.00th=[30080], 95.00th=[30080],",
      "     | 99.00th=[30080], 99.50th=[30080], 99.90th=[30080], 99.95th=[30080],",
      "     | 99.99th=[30080]",
      "  lat (usec)   : 20=33.33%, 50=66.67%",
    ].join("\n"));
  });

  it("a wide value widens the percentile column and leaves three to a line", () => {
    // 5 us and 1.5 s: usec (min 5024 > 2000); 1501560832 ns -> 1501561 us, 7 wide: (80-7)/(2+10+7) = 3.
    const j = job({
      dirs: { read: dir({ io_bytes: 8192, total_ios: 2, runtime_ms: 1501, clatValues: [[5000, 1], [1_500_000_000, 1]] }) },
      issued_total: perDir(2),
    });
    const out = formatFio(result([j]));
    expect(out).toContain("    clat (usec): min=5, max=1500.0k, avg=750002.50, stdev=1060656.64\n");
    expect(out).toContain([
      "    clat percentiles (usec):",
      "     |  1.00th=[      6],  5.00th=[      6], 10.00th=[      6],",
      "     | 20.00th=[      6], 30.00th=[      6], 40.00th=[      6],",
      "     | 50.00th=[      6], 60.00th=[1501561], 70.00th=[1501561],",
      "     | 80.00th=[1501561], 90.00th=[1501561], 95.00th=[1501561],",
      "     | 99.00th=[1501561], 99.50th=[1501561], 99.90th=[1501561],",
      "     | 99.95th=[1501561], 99.99th=[1501561]",
      "",
    ].join("\n"));
    expect(out).toContain("  lat (usec)   : 10=50.00%\n  lat (msec)   : 2000=50.00%\n");
  });

  it("lat buckets wrap after five per line", () => {
    const j = job({
      dirs: { trim: dir({ io_bytes: 7 * 4096, total_ios: 7, runtime_ms: 1, clatValues: [1, 3, 5, 15, 30, 60, 150].map((v): [number, number] => [v, 1]) }) },
      issued_total: perDir(0, 0, 7),
    });
    const out = formatFio(result([j]));
    expect(out).toContain("  lat (nsec)   : 2=14.29%, 4=14.29%, 10=14.29%, 20=14.29%, 50=14.29%\n  lat (nsec)   : 100=14.29%, 250=14.29%\n");
    expect(out).toContain("  trim: IOPS=7000, BW=27.3MiB/s (28.7MB/s)(28.0KiB/1msec)\n");
    expect(out).toContain("   TRIM: bw=27.3MiB/s (28.7MB/s), 27.3MiB/s-27.3MiB/s (28.7MB/s-28.7MB/s), io=28.0KiB (28.7kB), run=1-1msec\n");
  });

  it("copy prints like the other directions; bandwidth over 1 GiB/s in MiB", () => {
    const j = job({
      name: "copier",
      dirs: {
        copy: dir({
          io_bytes: 131_072_000, total_ios: 1000, runtime_ms: 1000, clatValues: [[100_000, 1000]],
          bw_samples_kib: [2_000_000, 2_200_000], iops_samples: [1000, 1000],
        }),
      },
      issued_total: perDir(0, 0, 0, 1000),
    });
    const out = lines(formatFio(result([j])));
    expect(out).toContain("  copy: IOPS=1000, BW=125MiB/s (131MB/s)(125MiB/1000msec)");
    expect(out).toContain("   bw (  MiB/s): min= 1953, max= 2148, per=100.00%, avg=2050.78, stdev=138.11, samples=2");
    expect(out).toContain("   iops        : min= 1000, max= 1000, avg=1000.00, stdev= 0.00, samples=2");
    expect(out).toContain("     issued rwts: total=0,0,0,1000 short=0,0,0,0 dropped=0,0,0,0");
    expect(out).toContain("   COPY: bw=125MiB/s (131MB/s), 125MiB/s-125MiB/s (131MB/s-131MB/s), io=125MiB (131MB), run=1000-1000msec");
  });
});

describe("runtime (update_runtime)", () => {
  it("whole usec rounded up to msec: 1.28 ms is 2 msec, and fio's rates follow from it", () => {
    const j = jobA();
    Object.assign(j.dirs.read!, { runtime_ms: 1.28, io_bytes: 16 << 20, total_ios: 128 });
    const out = lines(formatFio(result([j])));
    // 128 * 1000 / 2 = 64000 IOPS; 16 MiB * 1000 / 2 = 8388608000 B/s
    expect(out).toContain("  read: IOPS=64.0k, BW=8000MiB/s (8389MB/s)(16.0MiB/2msec)");
    expect(out).toContain("   READ: bw=8000MiB/s (8389MB/s), 8000MiB/s-8000MiB/s (8389MB/s-8389MB/s), io=16.0MiB (16.8MB), run=2-2msec");
    const js = fioJson(result([j])) as any;
    expect(js.jobs[0].read).toMatchObject({ runtime: 2, bw_bytes: 8_388_608_000, iops: 64_000 });
  });

  it("exact msec stay, a sub-usec run is 0 msec (no direction block), and a direction without bytes has no runtime", () => {
    expect(fioRuntimeMs(2500, 1)).toBe(2500);
    expect(fioRuntimeMs(2500.001, 1)).toBe(2501);
    expect(fioRuntimeMs(2500.0009, 1)).toBe(2500); // 2500000.9 us truncates to a whole msec
    expect(fioRuntimeMs(0.0005, 1)).toBe(0);
    expect(fioRuntimeMs(7, 0)).toBe(0);
  });
});

describe("formatFioStart: what fio prints before the jobs run (add_job, parse_options, run_threads)", () => {
  it("a line per job (\"...\" for numjobs' second instance), the version, and the processes started", () => {
    const jobs = parseJobFile(`[global]
filename=/dev/nvme0n1
ioengine=libaio
iodepth=32

[rr]
rw=randread
numjobs=3

[sw]
stonewall
rw=write
bs=64k,128k
ioengine=psync
iodepth=1
`, "t.fio");
    expect(formatFioStart(jobs)).toBe([
      "rr: (g=0): rw=randread, bs=(R) 4096B-4096B, (W) 4096B-4096B, (T) 4096B-4096B, ioengine=libaio, iodepth=32",
      "...",
      "sw: (g=1): rw=write, bs=(R) 64.0KiB-64.0KiB, (W) 128KiB-128KiB, (T) 128KiB-128KiB, ioengine=psync, iodepth=1",
      `${FIO_VERSION}`,
      "Starting 4 processes",
      "",
    ].join("\n"));
    expect(FIO_VERSION).toBe("fio-3.35");
  });

  it("rw names as ddir_str, kb_base's prefixes for bs, threads counted apart, the fork's (C) for copy jobs", () => {
    const jobs = parseJobFile(`[a]
filename=/dev/nvme0n1
rw=readwrite
kb_base=1000
bs=64k
thread
[b]
filename=/dev/nvme0n1
rw=copy
new_group
`, "t.fio");
    expect(formatFioStart(jobs)).toBe([
      "a: (g=0): rw=rw, bs=(R) 64.0kB-64.0kB, (W) 64.0kB-64.0kB, (T) 64.0kB-64.0kB, ioengine=psync, iodepth=1",
      "b: (g=1): rw=copy, bs=(R) 4096B-4096B, (W) 4096B-4096B, (T) 4096B-4096B, (C) 4096B-4096B, ioengine=psync, iodepth=1",
      "fio-3.35",
      "Starting 1 thread and 1 process",
      "",
    ].join("\n"));
  });
});

describe("disk stats with device-mapper (print_disk_util, show_agg_stats, json_array_add_disk_util)", () => {
  const du = (name: string, n: number, util: number, slaves?: string[]) => ({
    name, read_ios: n, write_ios: 2 * n + 1, read_sectors: 8 * n, write_sectors: 16 * n + 3, read_merges: n % 3,
    write_merges: 1, read_ticks: n + 1, write_ticks: 2 * n, in_queue: 3 * n + 1, util, ...(slaves ? { slaves } : {}),
  });
  // dm-0 striped over two disks: its slaves' sums divided by 2 (integer division), util the busiest's
  const disks = [du("dm-0", 200, 99.5, ["nvme0n1", "nvme1n1"]), du("nvme0n1", 101, 40.25), du("nvme1n1", 100, 87.5)];

  it("the master first, indented two more, with its slaves' averages; the slaves after it", () => {
    const out = formatFio(result([jobA()], { disk_util: disks }));
    expect(out.endsWith([
      "Disk stats (read/write):",
      "    dm-0: ios=200/401, sectors=1600/3203, merge=2/1, ticks=201/400, in_queue=601, util=99.50%, "
        + "aggrios=100/202, aggsectors=804/1611, aggrmerge=1/1, aggrticks=101/201, aggrin_queue=302, aggrutil=87.50%",
      "  nvme0n1: ios=101/203, sectors=808/1619, merge=2/1, ticks=102/202, in_queue=304, util=40.25%",
      "  nvme1n1: ios=100/201, sectors=800/1603, merge=1/1, ticks=101/200, in_queue=301, util=87.50%",
      "",
    ].join("\n"))).toBe(true);
  });

  it("JSON adds fio's aggr_* keys (aggr_write_merge as fio spells it) to the master only", () => {
    const js = fioJson(result([jobA()], { disk_util: disks })) as any;
    expect(Object.keys(js.disk_util[0]).slice(11)).toEqual([
      "aggr_read_ios", "aggr_write_ios", "aggr_read_sectors", "aggr_write_sectors", "aggr_read_merges",
      "aggr_write_merge", "aggr_read_ticks", "aggr_write_ticks", "aggr_in_queue", "aggr_util",
    ]);
    expect(js.disk_util[0]).toMatchObject({ aggr_read_ios: 100, aggr_write_ios: 202, aggr_in_queue: 302, aggr_util: 87.5 });
    expect("slaves" in js.disk_util[0]).toBe(false);
    expect(Object.keys(js.disk_util[1])).toHaveLength(11);
  });
});

describe("kb_base", () => {
  it("kb_base=1000 prints SI first and IEC in parentheses (i2p), in the job and group lines, and labels bw kB/s", () => {
    // 64 MB (kb_base=1000's 64m) in 18 ms: 3555555555 B/s
    const j = jobA({ kb_base: 1000 });
    Object.assign(j.dirs.read!, { io_bytes: 64_000_000, total_ios: 500, runtime_ms: 18, bw_samples_kib: [900, 1100] });
    const out = lines(formatFio(result([j])));
    expect(out).toContain("  read: IOPS=27.8k, BW=3556MB/s (3391MiB/s)(64.0MB/18msec)");
    expect(out).toContain("   bw (   kB/s): min=  900, max= 1100, per=0.03%, avg=1000.00, stdev=141.42, samples=2");
    expect(out).toContain("   READ: bw=3556MB/s (3391MiB/s), 3556MB/s-3556MB/s (3391MiB/s-3391MiB/s), io=64.0MB (61.0MiB), run=18-18msec");
    // above kb_base^2 the samples are divided by kb_base (1000), and fio still says MiB
    Object.assign(j.dirs.read!, { bw_samples_kib: [3_000_000, 4_000_000] });
    expect(lines(formatFio(result([j])))).toContain("   bw (  MiB/s): min= 3000, max= 4000, per=100.00%, avg=3500.00, stdev=707.11, samples=2");
    // the default (1024) keeps IEC first
    expect(lines(formatFio(result([jobA()])))).toContain("  read: IOPS=400, BW=1600KiB/s (1638kB/s)(4000KiB/2500msec)");
  });
});

describe("IO depths, submit and complete (stat_calc_dist)", () => {
  it("a slot with any count shows at least 0.1%, in the normal report and in JSON", () => {
    // 1 of 10000 I/Os at depth 1 is 0.01%: stat_calc_dist raises it to 0.1
    const j = jobA({
      issued_total: perDir(10_000), io_u_map: [1, 9999, 0, 0, 0, 0, 0],
      io_u_submit: [0, 9999, 1, 0, 0, 0, 0], total_submit: 10_000,
      io_u_complete: [0, 4999, 0, 0, 0, 0, 1], total_complete: 5000,
    });
    const out = lines(formatFio(result([j])));
    expect(out).toContain("  IO depths    : 1=0.1%, 2=100.0%, 4=0.0%, 8=0.0%, 16=0.0%, 32=0.0%, >=64=0.0%");
    expect(out).toContain("     submit    : 0=0.0%, 4=100.0%, 8=0.1%, 16=0.0%, 32=0.0%, 64=0.0%, >=64=0.0%");
    expect(out).toContain("     complete  : 0=0.0%, 4=100.0%, 8=0.0%, 16=0.0%, 32=0.0%, 64=0.0%, >=64=0.1%");
    const js = fioJson(result([j])) as any;
    expect(js.jobs[0].iodepth_level["1"]).toBe(0.1);
    expect(js.jobs[0].iodepth_submit["8"]).toBe(0.1);
    expect(js.jobs[0].iodepth_complete[">=64"]).toBe(0.1);
  });

  it("group_reporting sums the counts and their totals, then takes the shares (sum_thread_stats)", () => {
    const a = jobA({ io_u_map: [1000, 0, 0, 0, 0, 0, 0] });
    const b = jobA({ pid: 4243, issued_total: perDir(3000), io_u_map: [0, 0, 3000, 0, 0, 0, 0], io_u_submit: [0, 0, 1000, 0, 0, 0, 0] });
    const out = lines(formatFio(result([{ ...a, group_reporting: true }, { ...b, group_reporting: true }])));
    expect(out).toContain("  IO depths    : 1=25.0%, 2=0.0%, 4=75.0%, 8=0.0%, 16=0.0%, 32=0.0%, >=64=0.0%");
    expect(out).toContain("     submit    : 0=0.0%, 4=50.0%, 8=50.0%, 16=0.0%, 32=0.0%, 64=0.0%, >=64=0.0%");
  });
});

describe("reporting groups", () => {
  it("without group_reporting: one block per job; the group line spans them; per= is the share", () => {
    const out = lines(formatFio(result([jobA(), jobB()])));
    expect(out.filter((l) => l.startsWith("job1: (groupid=0, jobs=1)"))).toHaveLength(2);
    expect(out).toContain("  read: IOPS=200, BW=800KiB/s (819kB/s)(4000KiB/5000msec)");
    expect(out).toContain("   bw (  KiB/s): min= 1500, max= 1700, per=100.00%, avg=1600.00, stdev=70.71, samples=5");
    expect(out).toContain("   bw (  KiB/s): min=  800, max=  800, per=50.00%, avg=800.00, stdev= 0.00, samples=2");
    expect(out).toContain("   READ: bw=1600KiB/s (1638kB/s), 800KiB/s-1600KiB/s (819kB/s-1638kB/s), io=8000KiB (8192kB), run=2500-5000msec");
  });

  it("with group_reporting: one block, stats merged as fio merges them", () => {
    const out = formatFio(result([jobA({ group_reporting: true }), { ...jobB(), group_reporting: true }]));
    expect(out).toContain([
      "job1: (groupid=0, jobs=2): err= 0: pid=4242: Thu Jan  1 00:00:00 1970",
      "  read: IOPS=400, BW=1600KiB/s (1638kB/s)(8000KiB/5000msec)",
      "    clat (usec): min=200, max=500, avg=325.00, stdev=82.94",
      "     lat (usec): min=202, max=502, avg=327.00, stdev=82.94",
      "    clat percentiles (usec):",
      "     |  1.00th=[  200],  5.00th=[  200], 10.00th=[  200], 20.00th=[  302],",
      "     | 30.00th=[  302], 40.00th=[  302], 50.00th=[  302], 60.00th=[  302],",
      "     | 70.00th=[  302], 80.00th=[  400], 90.00th=[  502], 95.00th=[  502],",
      "     | 99.00th=[  502], 99.50th=[  502], 99.90th=[  502], 99.95th=[  502],",
      "     | 99.99th=[  502]",
      // bw and iops stats are summed field by field (sum_stat pure_sum), S included
      "   bw (  KiB/s): min= 2300, max= 2500, per=100.00%, avg=2400.00, stdev=57.74, samples=7",
      "   iops        : min=  575, max=  625, avg=600.00, stdev=14.43, samples=7",
      "  lat (usec)   : 250=12.50%, 500=75.00%, 750=12.50%",
      "  cpu          : usr=2.50%, sys=1.71%, ctx=2000, majf=0, minf=54",
    ].join("\n"));
    expect(out).toContain("     issued rwts: total=2000,0,0,0 short=0,0,0,0 dropped=0,0,0,0\n");
    expect(out).toContain("   READ: bw=1600KiB/s (1638kB/s), 1600KiB/s-1600KiB/s (1638kB/s-1638kB/s), io=8000KiB (8192kB), run=5000-5000msec\n");
  });

  it("group_reporting is the job's own: only a job that sets it folds into the one before it in its group", () => {
    const gr = (j: JobResult, name: string, on: boolean) => ({ ...j, name, group_reporting: on });
    // [a] numjobs=2 group_reporting, then [b] numjobs=2 without: a's two fold, b's stay apart
    const out = lines(formatFio(result([gr(jobA(), "a", true), gr(jobA(), "a", true), gr(jobB(), "b", false), gr(jobB(), "b", false)])));
    expect(out.filter((l) => / \(groupid=0, jobs=\d\)/.test(l))).toEqual([
      "a: (groupid=0, jobs=2): err= 0: pid=4242: Thu Jan  1 00:00:00 1970",
      "b: (groupid=0, jobs=1): err= 0: pid=4243: Thu Jan  1 00:00:00 1970",
      "b: (groupid=0, jobs=1): err= 0: pid=4243: Thu Jan  1 00:00:00 1970",
    ]);
    // a job with group_reporting in another group starts its own
    const other = { ...gr(jobB(), "c", true), groupid: 1 };
    const js = fioJson(result([gr(jobA(), "a", true), gr(jobA(), "a", true), other])) as any;
    expect(js.jobs.map((x: any) => [x.jobname, x.groupid])).toEqual([["a", 0], ["c", 1]]);
  });
});

describe("fioJson", () => {
  const r = result([jobA()]);
  const j = fioJson(r) as any;

  it("top level and job keys in fio's order", () => {
    expect(Object.keys(j)).toEqual(["fio version", "timestamp", "timestamp_ms", "time", "global options", "jobs", "disk_util"]);
    expect(j["fio version"]).toBe("fio-3.35");
    expect(j.timestamp).toBe(0);
    expect(j.timestamp_ms).toBe(0);
    expect(j.time).toBe("Thu Jan  1 00:00:00 1970");
    expect(j["global options"]).toEqual({ ioengine: "psync", direct: "1" });
    expect(Object.keys(j.jobs[0])).toEqual([
      "jobname", "groupid", "job_start", "error", "eta", "elapsed", "job options", "read", "write", "trim", "copy", "sync",
      "job_runtime", "usr_cpu", "sys_cpu", "ctx", "majf", "minf", "iodepth_level", "iodepth_submit", "iodepth_complete",
      "latency_ns", "latency_us", "latency_ms", "latency_depth", "latency_target", "latency_percentile", "latency_window",
    ]);
    expect(j.jobs[0]["job options"]).toEqual({ rw: "randread", bs: "4k" });
    expect(j.jobs[0].elapsed).toBe(3); // (2500 + 999) / 1000
    expect(j.jobs[0].job_start).toBe(0);
  });

  it("wall-clock timestamps: time from the timestamp, job_start in epoch ms", () => {
    const w = fioJson(result([jobA({ job_start_ms: 100 })], { timestamp: 1_700_000_000 })) as any;
    expect(w.timestamp).toBe(1_700_000_000);
    expect(w.timestamp_ms).toBe(1_700_000_000_000);
    expect(w.time).toBe("Tue Nov 14 22:13:20 2023");
    // the run ended at the timestamp, 2600 ms after it began
    expect(w.jobs[0].job_start).toBe(1_700_000_000_000 - 2600 + 100);
  });

  it("a direction: sizes, rates, latency objects with clat percentiles, bw and iops stats", () => {
    const rd = j.jobs[0].read;
    expect(Object.keys(rd)).toEqual([
      "io_bytes", "io_kbytes", "bw_bytes", "bw", "iops", "runtime", "total_ios", "short_ios", "drop_ios",
      "slat_ns", "clat_ns", "lat_ns", "bw_min", "bw_max", "bw_agg", "bw_mean", "bw_dev", "bw_samples",
      "iops_min", "iops_max", "iops_mean", "iops_stddev", "iops_samples",
    ]);
    expect(rd).toMatchObject({
      io_bytes: 4_096_000, io_kbytes: 4000, bw_bytes: 1_638_400, bw: 1600, iops: 400, runtime: 2500,
      total_ios: 1000, short_ios: 0, drop_ios: 0, bw_min: 1500, bw_max: 1700, bw_agg: 100, bw_mean: 1600,
      bw_samples: 5, iops_min: 375, iops_max: 425, iops_mean: 400, iops_samples: 5,
    });
    expect(rd.bw_dev).toBeCloseTo(70.710678, 5);
    expect(rd.iops_stddev).toBeCloseTo(17.677670, 5);
    expect(rd.slat_ns).toEqual({ min: 0, max: 0, mean: 0, stddev: 0, N: 0 });
    expect(rd.clat_ns).toMatchObject({ min: 200_000, max: 500_000, N: 1000 });
    expect(rd.clat_ns.mean).toBeCloseTo(350_000, 6);
    expect(rd.clat_ns.stddev).toBeCloseTo(111_859.3425, 3);
    expect(Object.keys(rd.clat_ns.percentile)).toEqual([
      "1.000000", "5.000000", "10.000000", "20.000000", "30.000000", "40.000000", "50.000000", "60.000000",
      "70.000000", "80.000000", "90.000000", "95.000000", "99.000000", "99.500000", "99.900000", "99.950000", "99.990000",
    ]);
    expect(rd.clat_ns.percentile["20.000000"]).toBe(199_680);
    expect(rd.clat_ns.percentile["30.000000"]).toBe(301_056);
    expect(rd.clat_ns.percentile["60.000000"]).toBe(399_360);
    expect(rd.clat_ns.percentile["99.900000"]).toBe(501_760);
    expect(rd.lat_ns.percentile).toBeUndefined();
    expect(rd.lat_ns).toMatchObject({ min: 202_000, max: 502_000, N: 1000 });
    expect(rd.lat_ns.mean).toBeCloseTo(352_000, 6);
  });

  it("idle directions are present and zero; sync is present", () => {
    const w = j.jobs[0].write;
    expect(w).toMatchObject({ io_bytes: 0, bw: 0, iops: 0, runtime: 0, bw_agg: 0, iops_samples: 0 });
    expect(w.clat_ns).toEqual({ min: 0, max: 0, mean: 0, stddev: 0, N: 0 });
    expect(j.jobs[0].copy.io_bytes).toBe(0);
    expect(j.jobs[0].sync).toEqual({ total_ios: 0, lat_ns: { min: 0, max: 0, mean: 0, stddev: 0, N: 0 } });
  });

  it("depth and latency maps keyed as fio keys them", () => {
    const job0 = j.jobs[0];
    expect(job0.iodepth_level).toEqual({ "1": 100, "2": 0, "4": 0, "8": 0, "16": 0, "32": 0, ">=64": 0 });
    expect(Object.keys(job0.iodepth_submit)).toEqual(["0", "4", "8", "16", "32", "64", ">=64"]);
    expect(job0.latency_us).toEqual({ "2": 0, "4": 0, "10": 0, "20": 0, "50": 0, "100": 0, "250": 25, "500": 50, "750": 25, "1000": 0 });
    expect(Object.keys(job0.latency_ms)).toEqual(["2", "4", "10", "20", "50", "100", "250", "500", "750", "1000", "2000", ">=2000"]);
    expect(job0).toMatchObject({ job_runtime: 2500, usr_cpu: 1.5, sys_cpu: 3.125, ctx: 1003, latency_depth: 1, latency_target: 0, latency_percentile: 100, latency_window: 0 });
  });

  it("disk_util as fio's objects; absent without disks, and no empty options", () => {
    expect(j.disk_util).toEqual([{
      name: "nvme0n1", read_ios: 1000, write_ios: 0, read_sectors: 8000, write_sectors: 0, read_merges: 0,
      write_merges: 0, read_ticks: 480, write_ticks: 0, in_queue: 480, util: 30.125,
    }]);
    const bare = fioJson(result([jobA({ options: { group_reporting: "" } })], { disk_util: [], global_options: {} })) as any;
    expect("disk_util" in bare).toBe(false);
    expect("global options" in bare).toBe(false);
    expect("job options" in bare.jobs[0]).toBe(false);
  });

  it("json+: clat_ns gets \"bins\" after \"percentile\", each non-empty bin keyed by plat_idx_to_val; slat and lat none", () => {
    const p = fioJson(r, { plus: true }) as any;
    const clat = p.jobs[0].read.clat_ns;
    expect(Object.keys(clat)).toEqual(["min", "max", "mean", "stddev", "N", "percentile", "bins"]);
    // 200/300/400/500 us, 250 each, in the bins standing for (by plat_val_to_idx / plat_idx_to_val)
    // 131072 + 33.5 * 2048, 262144 + 9.5 * 4096, 262144 + 33.5 * 4096 and 262144 + 58.5 * 4096 ns
    expect(clat.bins).toEqual({ "199680": 250, "301056": 250, "399360": 250, "501760": 250 });
    expect("bins" in p.jobs[0].read.lat_ns).toBe(false);
    expect("bins" in p.jobs[0].write.clat_ns).toBe(false);
    expect(formatFioJson(r, { plus: true })).toContain('\n          "bins" : {\n            "199680" : 250,\n');
    expect("bins" in (fioJson(r) as any).jobs[0].read.clat_ns).toBe(false);
  });

  it("formatFioJson prints as json.c does: two spaces a level, ints with %lld, floats with %f", () => {
    const text = formatFioJson(r);
    const l = lines(text);
    expect(l[0]).toBe("{");
    expect(l[1]).toBe('  "fio version" : "fio-3.35",');
    expect(l).toContain('  "time" : "Thu Jan  1 00:00:00 1970",');
    expect(l).toContain('  "jobs" : [');
    expect(l).toContain("    {");
    expect(l).toContain('      "jobname" : "job1",');
    expect(l).toContain('        "iops" : 400.000000,');
    expect(l).toContain('            "30.000000" : 301056,');
    expect(l).toContain('        "bw_dev" : 70.710678,');
    expect(l).toContain('      "util" : 30.125000');
    expect(text.endsWith("\n  ]\n}\n")).toBe(true);
    expect(JSON.parse(text).jobs[0].read.clat_ns.percentile["99.990000"]).toBe(501_760);
  });
});
