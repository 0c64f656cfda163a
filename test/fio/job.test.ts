// fio job files: valid files give the FioJob records fio's rules make (sections, [global]
// inheritance, comments, ${VAR}, sizes with kb_base, times, bs=r,w,t,c, rw=randread:8,
// percentages, defaults), and invalid ones fail with a message naming the file, the line and
// the option.

import { describe, it, expect } from "vitest";
import {
  parseJobFile, parseJobFileWithGlobals, parseFioSize, parseFioTime, FioJobError,
  IGNORED_OPTIONS, NOT_MODELLED_OPTIONS, MODELLED_ENGINES,
} from "../../src/fio/job";
import type { FioJob } from "../../src/fio/types";

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;
const S = 1_000_000_000;

function one(text: string, env?: Record<string, string>): FioJob {
  const jobs = parseJobFile(text, "job.fio", env);
  expect(jobs).toHaveLength(1);
  return jobs[0];
}

/** The message of the FioJobError the text raises (fails the test if none). */
function errorOf(text: string, env?: Record<string, string>): string {
  try {
    parseJobFile(text, "job.fio", env);
  } catch (e) {
    expect(e).toBeInstanceOf(FioJobError);
    return (e as Error).message;
  }
  throw new Error("expected a FioJobError");
}

// The copy-offload fork's examples/fio-copy.fio (copyoffload-3.35-v14), with a device for
// filename: a writer, a copier (rw=copy bs=128k dest_offset=128m ioengine=psync) that starts
// after it, and a reader that verifies the copy.
const FIO_COPY = `[global]
filename=/dev/nvme0n1
filesize=256m

[writer]
rw=write
bs=128k
numjobs=1
offset=0
buffer_pattern=0xdeadbeef
io_size=128m

[copier]
new_group
wait_for=writer
rw=copy
bs=128k
offset=0
dest_offset=128m
numjobs=1
ioengine=psync
emulate=1
io_size=128m

[reader]
new_group
wait_for=copier
rw=read
bs=128k
numjobs=1
verify=pattern
verify_pattern=0xdeadbeef
`;

describe("fio job files: valid", () => {
  it("reads the fork's fio-copy.fio: writer, copier, verifying reader", () => {
    const { jobs, global_options } = parseJobFileWithGlobals(FIO_COPY, "fio-copy.fio");
    expect(jobs.map((j) => [j.name, j.line, j.rw])).toEqual([
      ["writer", 5, "write"], ["copier", 13, "copy"], ["reader", 25, "read"],
    ]);
    const [writer, copier, reader] = jobs;
    for (const j of jobs) {
      expect(j.filename).toBe("/dev/nvme0n1");
      expect(j.bs).toEqual({ read: 128 * KiB, write: 128 * KiB, trim: 128 * KiB, copy: 128 * KiB });
      expect(j.size).toBe(256 * MiB); // filesize= is the region
      expect(j.numjobs).toBe(1);
      expect(j.ioengine).toBe("psync");
    }
    expect(writer.io_size).toBe(128 * MiB);
    expect(writer.wait_for).toBe("");
    expect(writer.new_group).toBe(false);
    expect(copier).toMatchObject({
      offset: 0, dest_offset: 128 * MiB, dest_offset_percent: 0, dest_offset_delta: null,
      emulate: true, io_size: 128 * MiB, wait_for: "writer", new_group: true, stonewall: false,
    });
    expect(reader).toMatchObject({ wait_for: "copier", new_group: true, emulate: false, io_size: 0 });
    // Every option as written, under fio's names, [global] ones included; verify is kept there.
    expect(reader.options).toEqual({
      filename: "/dev/nvme0n1", filesize: "256m", new_group: "", wait_for: "copier", rw: "read",
      bs: "128k", numjobs: "1", verify: "pattern", verify_pattern: "0xdeadbeef",
    });
    expect(copier.options.dest_offset).toBe("128m");
    expect(copier.options.emulate).toBe("1");
    expect(global_options).toEqual({ filename: "/dev/nvme0n1", filesize: "256m" });
  });

  it("reads a libaio randread QD32 job: numjobs=4 group_reporting time_based runtime=10s", () => {
    const j = one(`; 4 x QD32 random reads
[randread-qd32]
filename=/dev/nvme0n1
ioengine=libaio
direct=1
rw=randread
bs=4k
iodepth=32
numjobs=4
group_reporting
time_based
runtime=10s
`);
    expect(j).toMatchObject({
      name: "randread-qd32", line: 2, ioengine: "libaio", direct: true, rw: "randread", rw_seq_nr: 1,
      iodepth: 32, iodepth_batch_submit: 1, numjobs: 4, group_reporting: true, time_based: true,
      runtime_ns: 10 * S, size: 0, size_percent: 0,
    });
    expect(j.bs).toEqual({ read: 4096, write: 4096, trim: 4096, copy: 4096 });
    expect(j.options.group_reporting).toBe("");
    expect(j.options.time_based).toBe("");
  });

  it("gives fio's defaults to a job that sets only filename", () => {
    const j = one("[j]\nfilename=/dev/nvme0n1\n");
    expect(j).toEqual({
      name: "j", line: 1, rw: "read", rw_seq_nr: 1,
      bs: { read: 4096, write: 4096, trim: 4096, copy: 4096 },
      size: 0, size_percent: 0, offset: 0, offset_percent: 0,
      dest_offset: 0, dest_offset_percent: 0, dest_offset_delta: null, num_range: 1, emulate: false,
      iodepth: 1, iodepth_batch_submit: 1, iodepth_batch_complete_min: 1, numjobs: 1, ioengine: "psync",
      direct: false, runtime_ns: 0, time_based: false, ramp_time_ns: 0, startdelay_ns: 0,
      filename: "/dev/nvme0n1", group_reporting: false, randseed: 0x89, rwmixread: 50,
      norandommap: false, hipri: false, stonewall: false, new_group: false, wait_for: "", io_size: 0, number_ios: 0,
      loops: 1, fsync: 0, fdatasync: 0, end_fsync: false, fsync_on_close: false, kb_base: 1024, options: { filename: "/dev/nvme0n1" }, section_options: { filename: "/dev/nvme0n1" },
    });
  });

  it("applies [global] to the jobs after it, lets a job override it, and a later [global] changes only later jobs", () => {
    const jobs = parseJobFile(`[global]
filename=/dev/nvme0n1
bs=64k
iodepth=8
ioengine=io_uring

[a]
rw=write

[b]
bs=16k
iodepth=2

[global]
iodepth=16
direct=1

[c]
`, "job.fio");
    const [a, b, c] = jobs;
    expect([a.bs.read, a.iodepth, a.ioengine, a.direct, a.rw]).toEqual([64 * KiB, 8, "io_uring", false, "write"]);
    expect([b.bs.write, b.iodepth, b.ioengine, b.direct, b.rw]).toEqual([16 * KiB, 2, "io_uring", false, "read"]);
    expect([c.bs.trim, c.iodepth, c.ioengine, c.direct]).toEqual([64 * KiB, 16, "io_uring", true]);
    expect(a.options).toEqual({ filename: "/dev/nvme0n1", bs: "64k", iodepth: "8", ioengine: "io_uring", rw: "write" });
    expect(b.options.bs).toBe("16k");
    expect(c.options).toMatchObject({ iodepth: "16", direct: "1", bs: "64k" });
    // the JSON's "job options" are the section's own (get_new_job copies no [global] options)
    expect(a.section_options).toEqual({ rw: "write" });
    expect(b.section_options).toEqual({ bs: "16k", iodepth: "2" });
    expect(c.section_options).toEqual({});
  });

  it("treats any section whose name starts with \"global\" as global, as fio's strncmp does", () => {
    const j = one("[global-defaults]\nfilename=/dev/x\nbs=8k\n[j]\n");
    expect(j.name).toBe("j");
    expect(j.bs.read).toBe(8192);
  });

  it("substitutes ${VAR} from env, and an undefined variable by nothing", () => {
    const text = "[${NAME}]\nfilename=${DEV}\nbs=${BS}\nnumjobs=${NJ}\ndescription=a${UNSET}b\n";
    const j = one(text, { DEV: "/dev/nvme1n1", BS: "8k", NJ: "3", NAME: "ignored" });
    expect(j.name).toBe("${NAME}"); // section names are not substituted
    expect(j.filename).toBe("/dev/nvme1n1");
    expect(j.bs.read).toBe(8 * KiB);
    expect(j.numjobs).toBe(3);
    expect(j.options.description).toBe("ab");
    expect(j.options.filename).toBe("/dev/nvme1n1"); // as fio's JSON shows it: after substitution
    // No env given: nothing is read from process.env.
    expect(errorOf("[j]\nfilename=${DEV}\n")).toBe('job.fio:2: option "filename": empty value');
  });

  it("reads bs=r,w,t,c the way fio's handle_option does", () => {
    const bs = (v: string, global = "") => one(`[global]\nfilename=/dev/x\n${global}\n[j]\nbs=${v}\n`).bs;
    expect(bs("4k,8k")).toEqual({ read: 4 * KiB, write: 8 * KiB, trim: 8 * KiB, copy: 8 * KiB });
    expect(bs("256k")).toEqual({ read: 256 * KiB, write: 256 * KiB, trim: 256 * KiB, copy: 256 * KiB });
    // A trailing comma stops the last value from applying to later directions.
    expect(bs("8k,32k,")).toEqual({ read: 8 * KiB, write: 32 * KiB, trim: 4 * KiB, copy: 4 * KiB });
    expect(bs("4k,")).toEqual({ read: 4 * KiB, write: 4 * KiB, trim: 4 * KiB, copy: 4 * KiB });
    expect(bs("16k,")).toEqual({ read: 16 * KiB, write: 4 * KiB, trim: 4 * KiB, copy: 4 * KiB });
    // Empty fields keep the default, or what [global] set.
    expect(bs(",8k")).toEqual({ read: 4 * KiB, write: 8 * KiB, trim: 8 * KiB, copy: 8 * KiB });
    expect(bs(",8k,", "bs=64k")).toEqual({ read: 64 * KiB, write: 8 * KiB, trim: 64 * KiB, copy: 64 * KiB });
    expect(bs(",,,4m")).toEqual({ read: 4 * KiB, write: 4 * KiB, trim: 4 * KiB, copy: 4 * MiB }); // t/copy_test.py test 6
    expect(bs("1k,2k,3k,4k")).toEqual({ read: 1 * KiB, write: 2 * KiB, trim: 3 * KiB, copy: 4 * KiB });
    expect(one("[j]\nfilename=/dev/x\nblocksize=8k\n").options).toEqual({ filename: "/dev/x", bs: "8k" });
  });

  it("reads rw=randread:8 as 8 I/Os per random offset, and other rw forms", () => {
    const rw = (v: string) => one(`[j]\nfilename=/dev/x\nrw=${v}\n`);
    expect(rw("randread:8")).toMatchObject({ rw: "randread", rw_seq_nr: 8 });
    expect(rw("randwrite:2k")).toMatchObject({ rw: "randwrite", rw_seq_nr: 2048 });
    expect(rw("randcopy:4")).toMatchObject({ rw: "randcopy", rw_seq_nr: 4 });
    expect(rw("readwrite")).toMatchObject({ rw: "rw", rw_seq_nr: 1 });
    expect(rw("trim").rw).toBe("trim");
    expect(one("[j]\nfilename=/dev/x\nreadwrite=randtrim\n").options.rw).toBe("randtrim");
    // A later rw= starts again from 1, as str_rw_cb does.
    expect(one("[global]\nfilename=/dev/x\nrw=randread:8\n[j]\nrw=randread\n").rw_seq_nr).toBe(1);
  });

  it("takes percentages for size, offset and dest_offset", () => {
    const j = one("[global]\nsize=1g\n[j]\nfilename=/dev/x\nsize=50%\noffset=10%\ndest_offset=25%\n");
    expect(j).toMatchObject({ size: 0, size_percent: 50, offset: 0, offset_percent: 10, dest_offset: 0, dest_offset_percent: 25 });
    const k = one("[global]\nsize=50%\n[j]\nfilename=/dev/x\nsize=1g\noffset=4k\n");
    expect(k).toMatchObject({ size: GiB, size_percent: 0, offset: 4096, offset_percent: 0 });
  });

  it("reads sizes with fio's suffixes and kb_base (the opposite IEC base when 1024)", () => {
    const size = (v: string, kb = "") => one(`[j]\nfilename=/dev/x\n${kb}\nsize=${v}\n`).size;
    expect(size("4k")).toBe(4096);
    expect(size("4K")).toBe(4096);
    expect(size("4kb")).toBe(4096);
    expect(size("4KB")).toBe(4096);
    expect(size("4KiB")).toBe(4000); // kb_base=1024: "KiB" is 1000, as fio's HOWTO says
    expect(size("1m")).toBe(MiB);
    expect(size("1MiB")).toBe(1_000_000);
    expect(size("2g")).toBe(2 * GiB);
    expect(size("1t")).toBe(1024 * GiB);
    expect(size("4096b")).toBe(4096);
    expect(size("0x1000")).toBe(4096);
    expect(size("4ki")).toBe(4096); // the parser reads "ki" as "k" (fio #1618)
    expect(size("4k", "kb_base=1000")).toBe(4000);
    expect(size("4KiB", "kb_base=1000")).toBe(4096);
    expect(size("1m", "kb_base=1000")).toBe(1_000_000);
    // kb_base is applied first in its section, wherever it is written; [global]'s holds for jobs.
    expect(one("[j]\nfilename=/dev/x\nsize=1m\nkb_base=1000\n").size).toBe(1_000_000);
    expect(one("[global]\nkb_base=1000\n[j]\nfilename=/dev/x\nbs=4k\n").bs.read).toBe(4000);
    // Numbers take the same suffixes (FIO_OPT_INT goes through str_to_decimal).
    expect(one("[j]\nfilename=/dev/x\nnumber_ios=2k\niodepth=0x20\n")).toMatchObject({ number_ios: 2048, iodepth: 32 });
    expect(parseFioSize("64m")).toEqual({ value: 64 * MiB, percent: false });
    expect(parseFioSize("64m", 1000)).toEqual({ value: 64_000_000, percent: false });
    expect(parseFioSize("20%", 1024, { percent: true })).toEqual({ value: 20, percent: true });
    expect(parseFioSize("-8m", 1024, { signed: true }).value).toBe(-8 * MiB);
    expect(() => parseFioSize("1.5g")).toThrow('"1.5g" is not a size');
  });

  it("reads times: seconds by default, us/ms/s/m/h/d suffixes", () => {
    const t = (v: string) => one(`[j]\nfilename=/dev/x\nruntime=${v}\n`).runtime_ns;
    expect(t("90")).toBe(90 * S);
    expect(t("10s")).toBe(10 * S);
    expect(t("10sec")).toBe(10 * S);
    expect(t("1500ms")).toBe(1.5 * S);
    expect(t("1500msec")).toBe(1.5 * S);
    expect(t("250us")).toBe(250_000);
    expect(t("2m")).toBe(120 * S);
    expect(t("1h")).toBe(3600 * S);
    expect(t("1d")).toBe(86400 * S);
    expect(t("5S")).toBe(5 * S);
    const j = one("[j]\nfilename=/dev/x\nramp_time=2\nstartdelay=500ms\ntimeout=30\n");
    expect(j).toMatchObject({ ramp_time_ns: 2 * S, startdelay_ns: S / 2, runtime_ns: 30 * S });
    expect(j.options).toMatchObject({ runtime: "30" }); // the alias is kept under fio's name
    expect(parseFioTime("3m")).toBe(180 * S);
  });

  it("skips comments and blank lines, and trims blanks, CR and inline comments", () => {
    const j = one([
      "; a comment",
      "# another",
      "",
      "   [spaced]   ",
      "  filename = /dev/nvme0n1  ",
      "\tbs=8k ; inline comment",
      "iodepth=4 # another inline comment",
      "  ;indented comment",
      "direct=1\r",
      "",
    ].join("\n"));
    expect(j).toMatchObject({ name: "spaced", line: 4, filename: "/dev/nvme0n1", iodepth: 4, direct: true });
    expect(j.bs.read).toBe(8192);
    expect(j.options).toEqual({ filename: "/dev/nvme0n1", bs: "8k", iodepth: "4", direct: "1" });
  });

  it("keeps rwmixread and rwmixwrite as each other's complement; the later one wins", () => {
    expect(one("[j]\nfilename=/dev/x\nrw=randrw\nrwmixread=70\n").rwmixread).toBe(70);
    expect(one("[j]\nfilename=/dev/x\nrw=randrw\nrwmixwrite=30\n").rwmixread).toBe(70);
    expect(one("[j]\nfilename=/dev/x\nrwmixread=10\nrwmixwrite=40\n").rwmixread).toBe(60);
    expect(one("[j]\nfilename=/dev/x\nrwmixwrite=40\nrwmixread=10\n").rwmixread).toBe(10);
    expect(one("[j]\nfilename=/dev/x\nrwmixread=0\n").rwmixread).toBe(0);
    expect(one("[j]\nfilename=/dev/x\nrwmixread=100\n").rwmixread).toBe(100);
  });

  it("reads flags bare or as 0/1, booleans as 0/1, and buffered as the inverse of direct", () => {
    const j = one("[j]\nfilename=/dev/x\nnorandommap\nstonewall=1\nnew_group=0\ngroup_reporting=1\nbuffered=0\n");
    expect(j).toMatchObject({ norandommap: true, stonewall: true, new_group: false, group_reporting: true, direct: true });
    expect(one("[global]\ndirect=1\n[j]\nfilename=/dev/x\nbuffered=1\n").direct).toBe(false);
    expect(one("[j]\nfilename=/dev/x\nwait_for_previous\n").stonewall).toBe(true);
  });

  it("lets name= rename a job, and wait_for= find it by that name", () => {
    const jobs = parseJobFile("[global]\nfilename=/dev/x\n[a]\nname=first\n[b]\nwait_for=first\n", "job.fio");
    expect(jobs.map((j) => [j.name, j.line, j.wait_for])).toEqual([["first", 3, ""], ["b", 5, "first"]]);
  });

  it("applies fio's iodepth_batch fixups and aliases", () => {
    const j = (s: string) => one(`[j]\nfilename=/dev/x\n${s}\n`);
    expect(j("iodepth=16\niodepth_batch=0").iodepth_batch_submit).toBe(16);
    expect(j("iodepth=16\niodepth_batch_submit=64").iodepth_batch_submit).toBe(16);
    expect(j("iodepth=16\niodepth_batch_submit=8\niodepth_batch_complete=4")).toMatchObject({
      iodepth_batch_submit: 8, iodepth_batch_complete_min: 4,
    });
    expect(j("iodepth_batch_complete_min=0").iodepth_batch_complete_min).toBe(0);
  });

  it("takes the copy options: dest_offset_delta (signed), num_range, emulate", () => {
    const j = one("[j]\nfilename=/dev/x\nrw=copy\ndest_offset_delta=8M\nnum_range=4\nemulate=0\nnumber_ios=2\nbs=4M\n");
    expect(j).toMatchObject({ rw: "copy", dest_offset_delta: 8 * MiB, num_range: 4, emulate: false, number_ios: 2 });
    expect(one("[j]\nfilename=/dev/x\nrw=copy\noffset=16m\ndest_offset_delta=-8m\n").dest_offset_delta).toBe(-8 * MiB);
    // the branch copyoffload's engine: BLKCOPY, or pread+pwrite with emulate=1
    expect(one("[j]\nfilename=/dev/x\nrw=randcopy\nioengine=sctl\nemulate=1\nnum_range=16\n")).toMatchObject({ ioengine: "sctl", emulate: true, num_range: 16 });
  });

  it("accepts the ignored options and keeps them as written", () => {
    const j = one("[j]\nfilename=/dev/x\nthread\ninvalidate=1\ndescription=hello world\nrandrepeat=0\niomem=malloc\n");
    expect(j.options).toMatchObject({ thread: "", invalidate: "1", description: "hello world", randrepeat: "0", mem: "malloc" });
    for (const name of ["thread", "invalidate", "verify", "buffer_pattern"]) expect(IGNORED_OPTIONS).toHaveProperty(name);
    expect(MODELLED_ENGINES).toEqual(["psync", "pvsync2", "libaio", "io_uring", "sync", "sctl"]);
    expect(NOT_MODELLED_OPTIONS.has("bsrange")).toBe(true);
  });

  it("reads description= (fio prints it with the job's report), inherited from [global] like other options", () => {
    expect(IGNORED_OPTIONS).not.toHaveProperty("description");
    expect(one("[j]\nfilename=/dev/x\ndescription=my test job\n").description).toBe("my test job");
    expect(one("[global]\ndescription=all of them\n[j]\nfilename=/dev/x\n").description).toBe("all of them");
    expect(one("[j]\nfilename=/dev/x\n").description).toBeUndefined();
  });

  it("reads several jobs with their section lines", () => {
    const jobs = parseJobFile("[global]\nfilename=/dev/x\n\n[one]\nrw=write\n\n\n[two]\n[three]\nrw=trim\n", "job.fio");
    expect(jobs.map((j) => [j.name, j.line, j.rw])).toEqual([["one", 4, "write"], ["two", 8, "read"], ["three", 9, "trim"]]);
  });
});

describe("fio job files: invalid", () => {
  it("names file, line and option for a bad size", () => {
    const text = "[global]\nfilename=/dev/x\n\n; jobs\n[j]\nrw=read\nbs=4q\n";
    expect(errorOf(text)).toBe('job.fio:7: option "bs": "4q" is not a size');
    try { parseJobFile(text, "job.fio"); } catch (e) {
      const err = e as FioJobError;
      expect([err.file, err.line, err.option, err.name]).toEqual(["job.fio", 7, "bs", "FioJobError"]);
    }
    expect(errorOf("[j]\nfilename=/dev/x\nsize=1.5g\n")).toBe('job.fio:3: option "size": "1.5g" is not a size');
    expect(errorOf("[j]\nfilename=/dev/x\nbs=4k,8x\n")).toBe('job.fio:3: option "bs": "8x" is not a size');
    expect(errorOf("[j]\nfilename=/dev/x\nbs=4k,8k,1k,2k,4k\n")).toBe('job.fio:3: option "bs": "4k,8k,1k,2k,4k": at most 4 values (read,write,trim,copy)');
    expect(errorOf("[j]\nfilename=/dev/x\nbs=4k-8k\n")).toBe('job.fio:3: option "bs": "4k-8k": block size ranges are not modelled (bsrange); give one size per direction, separated by commas');
    expect(errorOf("[j]\nfilename=/dev/x\nbs=0\n")).toBe('job.fio:3: option "bs": min value out of range: 0 (1 min)');
    expect(errorOf("[j]\nfilename=/dev/x\nbs=4%\n")).toBe('job.fio:3: option "bs": "4%": a percentage is not allowed here');
    expect(errorOf("[j]\nfilename=/dev/x\nbs=\n")).toBe('job.fio:3: option "bs": empty value');
  });

  it("refuses an unknown option, suggesting a near one as fio does", () => {
    expect(errorOf("[j]\nfilename=/dev/x\nfoo=1\n")).toBe('job.fio:3: unknown option "foo"');
    expect(errorOf("[j]\nfilename=/dev/x\nblocksiz=4k\n")).toBe('job.fio:3: unknown option "blocksiz" (did you mean "blocksize"?)');
    expect(errorOf("[j]\nfilename=/dev/x\nBS=4k\n")).toBe('job.fio:3: unknown option "BS" (did you mean "bs"?)');
    expect(errorOf("[j]\nfilename=/dev/x\nbsrange=4k-8k\n")).toBe('job.fio:3: option "bsrange" is an fio option the model does not support');
  });

  it("requires a filename for every job, after [global]", () => {
    expect(errorOf("[global]\nbs=4k\n\n[reader]\nrw=read\n")).toBe(
      'job.fio:4: job "reader" has no filename= (fio would make up a file; the model needs a device, e.g. filename=/dev/nvme0n1)');
    // A later [global] does not reach back to an earlier job.
    expect(errorOf("[a]\nrw=read\n[global]\nfilename=/dev/x\n")).toBe(
      'job.fio:1: job "a" has no filename= (fio would make up a file; the model needs a device, e.g. filename=/dev/nvme0n1)');
    expect(errorOf("[j]\nfilename=/dev/a:/dev/b\n")).toBe(
      'job.fio:2: option "filename": "/dev/a:/dev/b": several files (\':\') are not modelled; name one device (escape a \':\' in a path as \'\\:\')');
    expect(one("[j]\nfilename=/dev/disk/by-path/pci-0000\\:01\n").filename).toBe("/dev/disk/by-path/pci-0000:01");
  });

  it("refuses an option before any section, a file without jobs, and a broken header", () => {
    expect(errorOf("; header\nbs=4k\n[j]\nfilename=/dev/x\n")).toBe('job.fio:2: option "bs=4k" outside of [] job section');
    expect(errorOf("[global]\nfilename=/dev/x\n")).toBe("job.fio: no job(s) defined");
    expect(errorOf("")).toBe("job.fio: no job(s) defined");
    expect(errorOf("[j\nfilename=/dev/x\n")).toBe('job.fio:1: section header "[j" has no closing "]"');
    expect(errorOf("[j]\ninclude other.fio\n")).toBe('job.fio:2: "include other.fio": include directives are not supported; put the options in this file');
  });

  it("refuses an ioengine the model does not have, naming those it has", () => {
    expect(errorOf("[j]\nfilename=/dev/x\nioengine=posixaio\n")).toBe(
      'job.fio:3: option "ioengine": "posixaio" is not modelled (the model has psync, pvsync2, libaio, io_uring, sync, sctl)');
    expect(errorOf("[j]\nfilename=/dev/x\nioengine=io_uring_cmd\n")).toBe(
      'job.fio:3: option "ioengine": "io_uring_cmd" is not modelled (the model has psync, pvsync2, libaio, io_uring, sync, sctl)');
  });

  it("refuses rwmixread and other integers out of range", () => {
    expect(errorOf("[j]\nfilename=/dev/x\nrw=randrw\nrwmixread=101\n")).toBe('job.fio:4: option "rwmixread": max value out of range: 101 (100 max)');
    expect(errorOf("[j]\nfilename=/dev/x\nrwmixwrite=200\n")).toBe('job.fio:3: option "rwmixwrite": max value out of range: 200 (100 max)');
    expect(errorOf("[j]\nfilename=/dev/x\nrwmixread=-1\n")).toBe('job.fio:3: option "rwmixread": "-1" is not a number');
    expect(errorOf("[j]\nfilename=/dev/x\niodepth=0\n")).toBe('job.fio:3: option "iodepth": min value out of range: 0 (1 min)');
    expect(errorOf("[j]\nfilename=/dev/x\nnumjobs=x\n")).toBe('job.fio:3: option "numjobs": "x" is not a number');
    expect(errorOf("[j]\nfilename=/dev/x\nkb_base=1023\n")).toBe('job.fio:3: option "kb_base": value 1023 not allowed (1024 or 1000)');
    expect(errorOf("[j]\nfilename=/dev/x\nsize=150%\n")).toBe('job.fio:3: option "size": "150%": a percentage must be 1..100');
    expect(errorOf("[j]\nfilename=/dev/x\nrw=randread:0\n")).toBe('job.fio:3: option "rw": "randread:0": randrw postfix parsing out of range (1..4294967295)');
  });

  it("refuses a bad time", () => {
    expect(errorOf("[j]\nfilename=/dev/x\nruntime=10x\n")).toBe('job.fio:3: option "runtime": "10x" is not a time (examples: 30, 10s, 500ms, 2m, 1h)');
    expect(errorOf("[j]\nfilename=/dev/x\nramp_time=1.5s\n")).toBe('job.fio:3: option "ramp_time": "1.5s" is not a time (examples: 30, 10s, 500ms, 2m, 1h)');
    expect(errorOf("[j]\nfilename=/dev/x\nstartdelay=1-5\n")).toBe('job.fio:3: option "startdelay": "1-5": a range of times is not modelled; give one time');
    expect(errorOf("[j]\nfilename=/dev/x\ntime_based\n")).toBe('job.fio:3: job "j": time_based requires a runtime/timeout setting (fio would drop time_based)');
  });

  it("refuses bad booleans and a bare non-flag option", () => {
    expect(errorOf("[j]\nfilename=/dev/x\ndirect\n")).toBe('job.fio:3: option "direct" requires an argument');
    expect(errorOf("[j]\nfilename=/dev/x\ndirect=2\n")).toBe('job.fio:3: option "direct": "2" is not a boolean (0 or 1)');
    expect(errorOf("[j]\nfilename=/dev/x\ntime_based=yes\nruntime=1\n")).toBe('job.fio:3: option "time_based": "yes" is not a boolean (0 or 1)');
    expect(errorOf("[j]\nfilename\n")).toBe('job.fio:2: option "filename" requires an argument');
  });

  it("refuses rw values and forms the model does not have", () => {
    expect(errorOf("[j]\nfilename=/dev/x\nrw=randomread\n")).toBe(
      'job.fio:3: option "rw": "randomread" is not an I/O pattern (read, write, trim, randread, randwrite, randtrim, rw, readwrite, randrw, copy, randcopy)');
    expect(errorOf("[j]\nfilename=/dev/x\nrw=trimwrite\n")).toBe('job.fio:3: option "rw": rw=trimwrite is not modelled');
    expect(errorOf("[j]\nfilename=/dev/x\nrw=write:4k\n")).toBe(
      'job.fio:3: option "rw": rw=write:4k: ":4k" after a sequential pattern adds holes (ddir_seq_add), which is not modelled');
  });

  it("refuses copy settings the fork would not run", () => {
    expect(errorOf("[j]\nfilename=/dev/x\nrw=copy\nioengine=libaio\n")).toBe(
      'job.fio:4: job "j": rw=copy needs ioengine=psync or sctl (the copy-offload fork copies only there: copy_file_range or the BLKCOPY ioctl, or with emulate=1 pread+pwrite)');
    expect(errorOf("[j]\nfilename=/dev/x\nemulate=1\nioengine=io_uring\n")).toBe(
      'job.fio:3: option "emulate" belongs to the psync and sctl engines (the fork\'s copy emulation), not ioengine=io_uring');
    expect(errorOf("[j]\nfilename=/dev/x\nrw=randread\nioengine=sctl\n")).toBe(
      'job.fio:4: job "j": ioengine=sctl only copies (the fork\'s engine sends every I/O as one BLKCOPY); use rw=copy or randcopy, or another engine for rw=randread');
    expect(errorOf("[j]\nfilename=/dev/x\nrw=copy\ndest_offset=8m\ndest_offset_delta=8m\n")).toBe(
      'job.fio:5: job "j": dest_offset and dest_offset_delta both given; use one');
    expect(errorOf("[j]\nfilename=/dev/x\nnum_range=300\n")).toBe('job.fio:3: option "num_range": max value out of range: 300 (256 max)');
  });

  it("refuses wait_for= naming no earlier job", () => {
    expect(errorOf("[global]\nfilename=/dev/x\n[reader]\nwait_for=writer\n[writer]\nrw=write\n")).toBe(
      'job.fio:4: option "wait_for": no job named "writer" before this one (fio allows no forward references)');
    expect(errorOf("[global]\nfilename=/dev/x\n[w]\n[w]\n[r]\nwait_for=w\n")).toBe(
      'job.fio:6: option "wait_for": 2 jobs are named "w"; a job waited for needs a unique name');
  });

  it("refuses what fio would expand but the model does not", () => {
    expect(errorOf("[j]\nfilename=/dev/x\nnumjobs=$ncpus\n")).toBe('job.fio:3: option "numjobs": fio\'s reserved keyword "$ncpus" is not supported; give a number');
    expect(errorOf("[j]\nfilename=/dev/x\nsize=(1024*4)\n")).toBe('job.fio:3: option "size": "(1024*4)": arithmetic expressions are not supported');
    expect(errorOf("[j]\nfilename=/dev/x\nio_size=50%\n")).toBe('job.fio:3: option "io_size": "50%": io_size as a percentage is not modelled; give bytes');
    expect(errorOf("[j]\nfilename=/dev/x\noffset=2z\n")).toBe('job.fio:3: option "offset": "2z": zone counts (zonemode=zbd) are not modelled');
  });

  it("reports the first problem when a file has several", () => {
    expect(errorOf("[j]\nfilename=/dev/x\nbs=4q\nfoo=1\n")).toBe('job.fio:3: option "bs": "4q" is not a size');
  });

  it("hipri: a flag of the io_uring and pvsync2 engines", () => {
    expect(parseJobFile("[j]\nfilename=/dev/nvme0n1\nioengine=io_uring\nhipri\n", "h.fio")[0].hipri).toBe(true);
    expect(parseJobFile("[j]\nfilename=/dev/nvme0n1\nioengine=io_uring\n", "h.fio")[0].hipri).toBe(false);
    expect(() => parseJobFile("[j]\nfilename=/dev/nvme0n1\nioengine=libaio\nhipri\n", "h.fio")).toThrow(/h\.fio:4: option "hipri" belongs to the io_uring and pvsync2 engines, not ioengine=libaio/);
  });
});

describe("fio job files: fsync and fdatasync", () => {
  it("fsync=, fdatasync= (ints, default 0), end_fsync and fsync_on_close (bools) are accepted", () => {
    const j = one("[w]\nfilename=/dev/nvme0n1\nrw=write\nfsync=4\nfdatasync=0x10\nend_fsync=1\nfsync_on_close=0\n");
    expect([j.fsync, j.fdatasync, j.end_fsync, j.fsync_on_close]).toEqual([4, 16, true, false]);
    const d = one("[r]\nfilename=/dev/nvme0n1\n");
    expect([d.fsync, d.fdatasync, d.end_fsync, d.fsync_on_close]).toEqual([0, 0, false, false]);
    expect(NOT_MODELLED_OPTIONS.has("fsync")).toBe(false);
    expect(NOT_MODELLED_OPTIONS.has("fdatasync")).toBe(false);
  });

  it("sync= takes fio 3.x's values: none and 0, sync and 1 (O_SYNC), dsync (O_DSYNC); others name the line", () => {
    const of = (v: string) => one(`[w]\nfilename=/dev/nvme0n1\nrw=write\nsync=${v}\n`).sync ?? "none";
    expect(["none", "0", "sync", "1", "dsync"].map(of)).toEqual(["none", "none", "sync", "sync", "dsync"]);
    expect(one("[w]\nfilename=/dev/nvme0n1\n").sync).toBeUndefined();
    expect(NOT_MODELLED_OPTIONS.has("sync")).toBe(false);
    expect(errorOf("[w]\nfilename=/dev/nvme0n1\nsync=yes\n")).toMatch(/^job\.fio:3: option "sync": value "yes" not allowed \(none, 0, sync, 1, dsync\)/);
    expect(errorOf("[c]\nfilename=/dev/nvme0n1\nrw=copy\nsync=1\n")).toMatch(/^job\.fio:4: option "sync" with rw=copy is not modelled/);
  });

  it("bad values and io_uring are refused with the line and the option", () => {
    expect(errorOf("[w]\nfilename=/dev/nvme0n1\nfsync=x\n")).toMatch(/^job\.fio:3: option "fsync"/);
    expect(errorOf("[w]\nfilename=/dev/nvme0n1\nend_fsync=2\n")).toMatch(/^job\.fio:3: option "end_fsync"/);
    expect(one("[w]\nfilename=/dev/nvme0n1\nrw=write\nioengine=io_uring\nfdatasync=1\n").fdatasync).toBe(1);
    expect(errorOf("[w]\nfilename=/dev/nvme0n1\nrw=write\nioengine=io_uring\nend_fsync=1\n")).toMatch(/^job\.fio:5: option "end_fsync" with ioengine=io_uring is not modelled/);
  });
});
