// `nvmelab fio` as a user runs it: the examples in examples/fio with the presets and a setup
// file, fio's normal report and JSON, and the errors for a bad job file, setup or option.

import { describe, it, expect } from "vitest";
import { readFileSync, mkdtempSync, writeFileSync, copyFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { main, nodePlatform, GLOBAL_OPTIONS } from "../../src/cli/main";
import { Io } from "../../src/cli/context";
import { Options, parseArgs } from "../../src/cli/args";
import { fio } from "../../src/cli/commands/fio";

function cli() {
  const dir = mkdtempSync(join(tmpdir(), "nvmelab-fio-"));
  for (const f of ["copy.fio", "setup-dm-linear.json"]) copyFileSync(join(__dirname, "../../examples/fio", f), join(dir, f));
  const r = { out: "", err: "" };
  const io: Io = {
    out: (t) => { r.out += t + "\n"; }, outBytes: () => {}, err: (t) => { r.err += t + "\n"; },
    readFile: (p) => new Uint8Array(readFileSync(join(dir, p))), writeFile: (p, b) => writeFileSync(join(dir, p), b), readStdin: () => null,
  };
  const run = async (...args: string[]) => { r.out = ""; r.err = ""; return main(["fio", ...args], io); };
  return { dir, r, run, put: (name: string, text: string) => writeFileSync(join(dir, name), text) };
}

describe("nvmelab fio", () => {
  it("copy.fio: writer, copier (wait_for) and reader in fio's layout, with the COPY group line", async () => {
    const c = cli();
    expect(await c.run("copy.fio", "--setup=null_blk")).toBe(0);
    expect(c.r.err).toBe("");
    const out = c.r.out;
    expect(out).toMatch(/^writer: \(groupid=0, jobs=1\): err= 0: pid=4000: Thu Jan  1 00:00:00 1970$/m);
    // null_blk at 10 us per command, psync, 128 x 128 KiB: 1.28 ms, which fio's update_runtime
    // rounds up to 2 msec ((1280 us + 999) / 1000), so 64.0k IOPS and 8 MiB per ms, as fio prints
    expect(out).toMatch(/^  write: IOPS=64\.0k, BW=8000MiB\/s \(8389MB\/s\)\(16\.0MiB\/2msec\)$/m);
    expect(out).toMatch(/^  copy: IOPS=64\.0k, /m);
    expect(out).toMatch(/^Run status group 0 \(all jobs\):$/m);
    expect(out).toMatch(/^   COPY: bw=/m);
    expect(out).toMatch(/^Disk stats \(read\/write\):\n  nvme0n1: ios=128\//m);
  });

  it("the normal report starts as fio's stdout does: the job lines, the version, \"Starting N processes\", a blank line", async () => {
    const c = cli();
    c.put("nj.fio", "[global]\nfilename=/dev/nvme0n1\nioengine=libaio\niodepth=8\nsize=1m\n\n[rr]\nrw=randread\nnumjobs=2\n");
    expect(await c.run("nj.fio", "--setup=null_blk")).toBe(0);
    expect(c.r.out.split("\n").slice(0, 6)).toEqual([
      "rr: (g=0): rw=randread, bs=(R) 4096B-4096B, (W) 4096B-4096B, (T) 4096B-4096B, ioengine=libaio, iodepth=8",
      "...",
      "fio-3.35",
      "Starting 2 processes",
      "",
      "rr: (groupid=0, jobs=1): err= 0: pid=4000: Thu Jan  1 00:00:00 1970",
    ]);
    // JSON has none of it
    expect(await c.run("nj.fio", "--setup=null_blk", "--output-format=json")).toBe(0);
    expect(c.r.out.startsWith("{")).toBe(true);
  });

  it("a synchronous engine with iodepth > 1: fio's note, once per job instance, on stderr", async () => {
    const c = cli();
    const job = (engine: string) => `[global]\nfilename=/dev/nvme0n1\nbs=4k\nsize=1m\niodepth=8\n[r]\nrw=randread\nioengine=${engine}\nnumjobs=2\n`;
    c.put("sync.fio", job("psync"));
    expect(await c.run("sync.fio", "--setup=null_blk")).toBe(0);
    const note = "note: both iodepth >= 1 and synchronous I/O engine are selected, queue depth will be capped at 1";
    expect(c.r.err.split("\n").filter((l) => l === note)).toHaveLength(2);
    expect(c.r.out).not.toContain(note);
    c.put("async.fio", job("libaio"));
    expect(await c.run("async.fio", "--setup=null_blk")).toBe(0);
    expect(c.r.err).not.toContain(note);
  });

  it("pvsync2 with hipri: a note on stderr that Linux does not poll synchronous direct I/O; io_uring's hipri gets none", async () => {
    const c = cli();
    const job = (engine: string) => `[r]\nfilename=/dev/nvme0n1\nrw=randread\nbs=4k\nsize=1m\ndirect=1\nioengine=${engine}\nhipri\n`;
    c.put("p.fio", job("pvsync2"));
    expect(await c.run("p.fio", "--setup=null_blk")).toBe(0);
    expect(c.r.err).toContain("fio: job r: hipri with pvsync2 passes RWF_HIPRI, which Linux ignores for synchronous direct I/O since 5.18");
    c.put("u.fio", job("io_uring"));
    expect(await c.run("u.fio", "--setup=null_blk")).toBe(0);
    expect(c.r.err).not.toContain("RWF_HIPRI");
  });

  it("sync=1: each psync write is a FUA Write and a Flush; the report is fio's with the longer latency", async () => {
    const c = cli();
    const job = (sync: string) => `[w]\nfilename=/dev/nvme0n1\nrw=write\nbs=4k\nsize=256k\ndirect=1\nsync=${sync}\n`;
    c.put("s.fio", job("1"));
    c.put("n.fio", job("none"));
    expect(await c.run("s.fio", "--output-format=json")).toBe(0);
    const synced = JSON.parse(c.r.out).jobs[0];
    expect(await c.run("n.fio", "--output-format=json")).toBe(0);
    const plain = JSON.parse(c.r.out).jobs[0];
    expect(synced["job options"].sync).toBe("1");
    expect(synced.write.total_ios).toBe(64);
    // the default setup (a 970 PRO-like SSD with a write cache): a FUA write waits for its program
    expect(synced.write.clat_ns.mean).toBeGreaterThan(plain.write.clat_ns.mean + 100_000);
  });

  it("examples/fio/durable-writes.fio: O_SYNC psync writes each Write+Flush, O_DSYNC libaio only FUA, io_uring's fsync=8 through the io-wq worker", async () => {
    const c = cli();
    copyFileSync(join(__dirname, "../../examples/fio/durable-writes.fio"), join(c.dir, "durable-writes.fio"));
    expect(await c.run("durable-writes.fio", "--output-format=json")).toBe(0);
    const [osync, odsync, uring] = JSON.parse(c.r.out).jobs as Array<{ jobname: string; write: { total_ios: number; clat_ns: { mean: number } }; sync: { total_ios: number; lat_ns: { N: number } } }>;
    expect([osync.jobname, odsync.jobname, uring.jobname]).toEqual(["o_sync", "o_dsync_aio", "uring_fsync"]);
    // a FUA write waits for its program (about 190 us of tPROG); the cached writes of io_uring take microseconds
    expect(osync.write.clat_ns.mean).toBeGreaterThan(190_000);
    expect(odsync.write.clat_ns.mean).toBeGreaterThan(190_000);
    expect(uring.write.clat_ns.mean).toBeLessThan(20_000);
    // fio counts no syncs of its own for sync=; io_uring's fsync=8 gives one per 8 writes but after the last
    expect([osync.sync.lat_ns.N, odsync.sync.lat_ns.N]).toEqual([0, 0]);
    expect(uring.sync.total_ios).toBe(Math.floor(uring.write.total_ios / 8) - (uring.write.total_ios % 8 === 0 ? 1 : 0));
  });

  it("--output-format=json writes fio's JSON; --output writes a file", async () => {
    const c = cli();
    c.put("rr.fio", "[rr]\nfilename=/dev/mapper/vol\nrw=randread\nioengine=libaio\niodepth=4\nsize=4m\n");
    expect(await c.run("rr.fio", "--setup=setup-dm-linear.json", "--output-format=json", "--output=r.json")).toBe(0);
    const j = JSON.parse(readFileSync(join(c.dir, "r.json"), "utf8"));
    expect(j["fio version"]).toBe("fio-3.35");
    expect(j.jobs[0].jobname).toBe("rr");
    expect(j.jobs[0].read.total_ios).toBe(1024);
    expect(j.jobs[0].read.io_bytes).toBe(4 << 20);
    expect(j.disk_util.map((d: { name: string }) => d.name).sort()).toEqual(["dm-0", "nvme0n1"]);
  });

  it("JSON: [global] options only under \"global options\", each job's own under \"job options\" (get_new_job)", async () => {
    const c = cli();
    c.put("g.fio", "[global]\nfilename=/dev/nvme0n1\nsize=1m\n\n[a]\nrw=read\nbs=64k\n\n[b]\nrw=write\n");
    expect(await c.run("g.fio", "--setup=null_blk", "--output-format=json")).toBe(0);
    const j = JSON.parse(c.r.out);
    expect(j["global options"]).toEqual({ filename: "/dev/nvme0n1", size: "1m" });
    expect(j.jobs.map((x: { "job options": unknown }) => x["job options"])).toEqual([{ rw: "read", bs: "64k" }, { rw: "write" }]);
  });

  it("--output-format takes fio's formats: json+ adds the clat bins, terse is refused by name; help lists the option once", async () => {
    const c = cli();
    c.put("p.fio", "[p]\nfilename=/dev/nvme0n1\nrw=randread\nsize=64k\n");
    // the command itself (runCli's global check of --output-format is src/cli/run.ts's)
    const run = (fmt: string) => {
      const io: Io = {
        out: (t) => { c.r.out += t + "\n"; }, outBytes: () => {}, err: (t) => { c.r.err += t + "\n"; },
        readFile: (p) => new Uint8Array(readFileSync(join(c.dir, p))), writeFile: () => {}, readStdin: () => null,
      };
      c.r.out = ""; c.r.err = "";
      const o = new Options(parseArgs(["p.fio", "--setup=null_blk", `--output-format=${fmt}`], [...fio.options, ...GLOBAL_OPTIONS], "fio"), "fio");
      return fio.run({ io, dev: undefined as never, path: { text: "" } as never, global: o, platform: nodePlatform }, o);
    };
    expect(await run("json+")).toBe(0);
    const clat = JSON.parse(c.r.out).jobs[0].read.clat_ns;
    // 16 reads at null_blk's 10 us: one bin, keyed by the value it stands for
    expect(clat.bins).toEqual({ "10048": 16 });
    expect(await run("json")).toBe(0);
    expect("bins" in JSON.parse(c.r.out).jobs[0].read.clat_ns).toBe(false);
    await expect(run("terse")).rejects.toThrow(/--output-format=terse: fio's terse format is not modelled; use normal, json or json\+/);
    // and through runCli, whose global check is nvme-cli's (normal|json|binary)
    expect(await c.run("p.fio", "--setup=null_blk", "--output-format=json+")).toBe(0);
    expect(JSON.parse(c.r.out).jobs[0].read.clat_ns.bins).toEqual({ "10048": 16 });
    expect(await c.run("p.fio", "--setup=null_blk", "-o", "binary")).toBe(1);
    expect(c.r.err).toMatch(/fio: --output-format=binary: not one of fio's formats/);
    expect(await c.run("--help")).toBe(0);
    expect(c.r.out.match(/--output-format=<STR>/g)).toHaveLength(1);
    expect(c.r.out).toMatch(/\[--output-format=normal\|json\|json\+\]/);
    expect(c.r.out).toMatch(/fio's output format: normal\|json\|json\+/);
  });

  it("a deterministic report: the same job twice gives the same bytes", async () => {
    const c = cli();
    c.put("m.fio", "[m]\nfilename=/dev/nvme0n1\nrw=randrw\nioengine=libaio\niodepth=8\nsize=2m\n");
    await c.run("m.fio", "--output-format=json");
    const a = c.r.out;
    await c.run("m.fio", "--output-format=json");
    expect(c.r.out).toBe(a);
  });

  it("errors name the file, line and option; bad setups and options are refused", async () => {
    const c = cli();
    c.put("bad.fio", "[global]\nfilename=/dev/nvme0n1\n\n[j]\nbs=4q\n");
    expect(await c.run("bad.fio")).not.toBe(0);
    expect(c.r.err).toMatch(/bad\.fio:5: option "bs": "4q"/);
    c.put("nodev.fio", "[j]\nfilename=/dev/nvme9n1\nsize=1m\n");
    expect(await c.run("nodev.fio")).not.toBe(0);
    expect(c.r.err).toMatch(/no block device "\/dev\/nvme9n1"/);
    c.put("ok.fio", "[j]\nfilename=/dev/nvme0n1\nsize=1m\n");
    expect(await c.run("ok.fio", "--setup=hdd")).not.toBe(0);
    expect(c.r.err).toMatch(/--setup hdd: not a preset \(tlc-970pro, null_blk\)/);
    expect(await c.run("ok.fio", "--clock=cpu")).not.toBe(0);
    expect(c.r.err).toMatch(/--clock=cpu: use model .* or wall/);
    c.put("late.fio", "[j]\nfilename=/dev/nvme0n1\nsize=1m\nstartdelay=1\n");
    expect(await c.run("late.fio", "--clock=wall")).not.toBe(0);
    expect(c.r.err).toMatch(/startdelay is not supported with the wall clock/);
    expect(await c.run("ok.fio", "--output-format=xml")).not.toBe(0);
    expect(c.r.err).toMatch(/fio: --output-format=xml: not one of fio's formats; use normal, json or json\+/);
    expect(await c.run("ok.fio", "--output-format=binary")).not.toBe(0);
    expect(c.r.err).toMatch(/--output-format=binary: not one of fio's formats; use normal, json or json\+ \(terse is not modelled\)/);
    c.put("steps.json", JSON.stringify({ steps: [] }));
    expect(await c.run("ok.fio", "--setup=steps.json")).not.toBe(0);
    expect(c.r.err).toMatch(/a setup has no steps or tasks/);
  });

  it("--clock=wall times the emulator itself: fio's report with a real date, measured on the wall clock", async () => {
    const c = cli();
    c.put("w.fio", "[w]\nfilename=/dev/nvme0n1\nrw=randread\nioengine=libaio\niodepth=8\nsize=8m\n");
    expect(await c.run("w.fio", "--clock=wall", "--setup=null_blk", "--output-format=json", "--output=w.json")).toBe(0);
    const j = JSON.parse(readFileSync(join(c.dir, "w.json"), "utf8"));
    expect(j.timestamp).toBeGreaterThan(1.7e9);
    expect(j.jobs[0].read.total_ios).toBe(2048);
    expect(j.jobs[0].read.iops).toBeGreaterThan(0);
  });
});
