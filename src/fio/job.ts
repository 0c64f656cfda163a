// fio job files: the INI text fio reads, parsed into FioJob records with fio's own rules for
// sections, comments, ${VAR}, sizes, times, booleans, per-direction values and defaults. The
// rules follow fio's parser (parse.c: str_to_decimal, get_mult_bytes, get_mult_time,
// handle_option; init.c: parse_jobs_ini, fixup_options; options.c: the option table) and its
// HOWTO ("Job file format", "Parameter types", the options), plus the copy-offload fork
// (vincentkfu/fio, copyoffload-3.35-v14: rw=copy|randcopy, dest_offset, the psync engine's
// emulate option, a fourth bs value for copy).
//
// The rules, as fio has them:
//  - Lines: leading blanks are dropped; a line whose first character is ';' or '#' is a
//    comment; anything after the first ';' or '#' on a line is cut off (strip_blank_end), and
//    so are trailing blanks. "[name]" opens a section; a section whose name starts with
//    "global" is a global section (strncmp(name, "global", 6)). There may be several; each
//    one changes the defaults of the jobs after it, never of those before. An option before
//    any section is an error ("option <...> outside of [] job section"); a file with no job
//    section defines no job ("No job(s) defined").
//  - "name=value" or a bare "name". Only flag options (FIO_OPT_STR_SET: time_based,
//    group_reporting, norandommap, hipri, stonewall, new_group, thread) may be bare; others "require
//    an argument". A flag may also be given 0 or 1. Option names are case-sensitive.
//  - ${VAR} anywhere in an option line is replaced by the environment variable; an undefined
//    one becomes "" (option_dup_subs). Section names are not substituted.
//  - Within a section kb_base is applied first (it has prio 1 and fio sorts a section's
//    options by prio), the others in file order; a later value overrides an earlier one.
//  - Numbers and sizes (FIO_OPT_INT, _ULL, _STR_VAL all go through str_to_decimal): decimal or
//    0x hex, with a unit suffix that is not case-sensitive: b; k, m, g, t, p with an optional
//    b ("kb" = "k"); and the IEC forms kib, mib, gib, tib, pib. With kb_base=1024 (default)
//    k = 1024 and, "to avoid breaking old scripts", kib = 1000; with kb_base=1000 k = 1000 and
//    kib = 1024. "ki" without b is read as "k" by the parser, though the HOWTO lists it as kibi
//    (fio issue #1618, still open); we follow the parser. So iodepth=1k is 1024, and
//    number_ios=2k is 2048 I/Os.
//  - Percentages (size, offset, dest_offset): a number 1..100 followed by '%'.
//  - Times: a number with us/usec, ms/msec, s/sec, m (minutes), h, d; no suffix means seconds
//    for runtime, ramp_time and startdelay (is_seconds).
//  - Booleans: 0 or 1.
//  - Per-direction values (bs=r,w,t,c): a non-empty field sets its direction; an empty field
//    keeps what was there (default or [global]); the last field, if not empty, also applies to
//    every later direction. So bs=8k,32k is 8k reads and 32k writes, trims and copies;
//    bs=8k,32k, leaves trims and copies alone; bs=,,,4m sets copies only (t/copy_test.py).
//  - rw=randread:8: after a random pattern, ":N" is the number of I/Os before a new random
//    offset (ddir_seq_nr, 1..2^32-1, a size-style number).
//  - Defaults: rw=read, bs=4096, iodepth=1, iodepth_batch=1, iodepth_batch_complete_min=1,
//    numjobs=1, loops=1, ioengine=psync (FIO_PREFERRED_ENGINE on Linux), direct=0,
//    rwmixread=50 (rwmixread=N sets rwmixwrite=100-N and the other way round), randseed=0x89,
//    kb_base=1024, offset=0, num_range=1, emulate=0.
//  - Fixups (fixup_options): iodepth_batch 0, or above iodepth, becomes iodepth.
//  - name= overrides the section name; wait_for= must name an earlier job, and only one.
//  - filesize= (the fork's example sets it in [global]): the region each job covers; size=
//    then only defaults io_size (HOWTO, filesize).
//
// Where we are stricter than fio (it would accept these, often with a surprising meaning):
//  - A value with trailing junk ("4q", "1.5g", "10sec2") is an error; fio reads the leading
//    digits and ignores an unknown suffix (4q is 4 bytes, 1.5g is 1 byte). Hex takes no suffix.
//  - A time with an unknown unit ("10min") is an error; fio reads it as microseconds.
//  - Blanks around '=' are allowed; fio keeps leading blanks of a value, which defeats its
//    suffix parsing ("bs = 4k" is 4 bytes there).
//  - bs=4k-8k or bs=4k:8k: fio splits at ':' or '-' when there is no comma (read 4k, the rest
//    8k); we refuse it, as it is almost always meant as a range (bsrange, not modelled).
//  - time_based without runtime: fio warns and drops time_based; we refuse the file.
//  - rw=copy|randcopy with an engine other than psync: the fork copies only in psync
//    (copy_file_range, or pread+pwrite with emulate=1), so we refuse it here.
//  - emulate= is the fork's psync engine option; with another engine fio says "Bad option".
//  - dest_offset and dest_offset_delta together: refused (which one the fork uses was not
//    verified).
// Not supported: include directives, $pagesize/$mb_memory/$ncpus, arithmetic "(...)", zone
// ('z') values, ranges (filesize=a-b, startdelay=a-b), several files in filename= (a ':'), a
// sequential rw with ":N" (holes), io_size as a percentage, and the options in
// NOT_MODELLED_OPTIONS; IGNORED_OPTIONS are accepted and have no effect.

import type { FioDir, FioEngine, FioJob, FioRw, FioSyncIo } from "./types";

/** A job file fio would refuse, or one the model cannot run. The message starts with
 * "file:line:" (or "file:" when no line applies). */
export class FioJobError extends Error {
  constructor(
    message: string,
    readonly file: string,
    readonly line: number | null,
    readonly option: string | null,
  ) {
    super(message);
    this.name = "FioJobError";
  }
}

/** The engines the model has; others are refused with this list. */
export const MODELLED_ENGINES: readonly FioEngine[] = ["psync", "pvsync2", "libaio", "io_uring", "sync", "sctl"];
/** The engines the copy-offload fork copies with: psync (copy_file_range; branch copyoffload-3.35-v14) and sctl (BLKCOPY; branch copyoffload). */
const COPY_ENGINES: readonly FioEngine[] = ["psync", "sctl"];

/** bs=r,w,t,c order (the fork adds copy as the fourth direction). */
const DIRS: readonly FioDir[] = ["read", "write", "trim", "copy"];

const UINT_MAX = 4294967295;
/** fio's default --max-jobs (FIO_MAX_JOBS). */
const MAX_JOBS = 4096;
/** fio's MAX_TRIM_RANGE, the bound of its num_range option. */
const MAX_NUM_RANGE = 256;

type ValueKind = "str" | "bool" | "flag" | "int" | "size" | "time";

/**
 * Options fio has that the model accepts and ignores: they change nothing the model
 * simulates. They are kept in FioJob.options as written (and in section_options, fio's JSON
 * "job options", when the job's section sets them), so a runner that later gives one a
 * meaning can read it from there.
 */
export const IGNORED_OPTIONS: Readonly<Record<string, { kind: ValueKind; why: string; aliases?: readonly string[] }>> = {
  thread: { kind: "flag", why: "jobs are model tasks, neither processes nor threads" },
  invalidate: { kind: "bool", why: "no page cache in the model" },
  fadvise_hint: { kind: "str", why: "no page cache in the model" },
  randrepeat: { kind: "bool", why: "the model's random offsets always repeat (from randseed)" },
  allrandrepeat: { kind: "bool", why: "the model's random offsets always repeat (from randseed)" },
  clocksource: { kind: "str", why: "the model keeps its own clock" },
  overwrite: { kind: "bool", why: "block devices are not laid out" },
  create_serialize: { kind: "bool", why: "block devices are not created" },
  create_fsync: { kind: "bool", why: "block devices are not created" },
  create_on_open: { kind: "bool", why: "block devices are not created" },
  fallocate: { kind: "str", why: "block devices are not laid out" },
  unlink: { kind: "bool", why: "block devices are not removed" },
  allow_mounted_write: { kind: "bool", why: "nothing is mounted" },
  mem: { kind: "str", why: "buffers are model memory", aliases: ["iomem"] },
  iomem_align: { kind: "int", why: "buffers are model memory", aliases: ["mem_align"] },
  lockmem: { kind: "size", why: "buffers are model memory" },
  nice: { kind: "int", why: "no CPU scheduler in the model" },
  cpus_allowed: { kind: "str", why: "no CPUs in the model" },
  cpus_allowed_policy: { kind: "str", why: "no CPUs in the model" },
  cpumask: { kind: "str", why: "no CPUs in the model" },
  // Data contents: the parser gives them no meaning and the model checks no data; they stay
  // in options for the runner (the fork's example verifies its copy with them).
  buffer_pattern: { kind: "str", why: "data contents are not checked" },
  refill_buffers: { kind: "flag", why: "data contents are not checked" },
  scramble_buffers: { kind: "bool", why: "data contents are not checked" },
  zero_buffers: { kind: "flag", why: "data contents are not checked" },
  verify: { kind: "str", why: "data contents are not checked" },
  verify_pattern: { kind: "str", why: "data contents are not checked" },
  do_verify: { kind: "bool", why: "data contents are not checked" },
};

/** fio options the model does not simulate: refused by name, so they are not mistaken for typos. */
export const NOT_MODELLED_OPTIONS: ReadonlySet<string> = new Set([
  "bsrange", "blocksize_range", "bssplit", "ba", "blockalign", "bs_unaligned", "blocksize_unaligned",
  "bs_is_seq_rand", "rate", "rate_min", "ratemin", "rate_iops", "rate_iops_min", "rate_process",
  "rate_cycle", "rate_ignore_thinktime", "thinktime", "thinktime_spin", "thinktime_blocks",
  "thinktime_blocks_type", "thinktime_iotime", "rw_sequencer", "percentage_random",
  "random_distribution", "random_generator", "softrandommap", "offset_increment", "offset_align",
  "nrfiles", "nr_files", "openfiles", "file_service_type", "directory", "filename_format", "opendir",
  "lockfile", "write_barrier",
  "sync_file_range", "iodepth_low", "iodepth_batch_complete_max", "io_submit_mode",
  "serialize_overlap", "write_iolog", "read_iolog", "replay_no_stall", "replay_redirect",
  "replay_scale", "replay_align", "replay_time_scale", "replay_skip", "write_bw_log", "write_lat_log",
  "write_iops_log", "write_hist_log", "log_avg_msec", "log_hist_msec", "log_offset", "per_job_logs",
  "unified_rw_reporting", "gtod_reduce", "disable_lat", "disable_clat", "disable_slat",
  "disable_bw_measurement", "lat_percentiles", "clat_percentiles", "slat_percentiles",
  "percentile_list", "significant_figures", "unit_base", "exitall", "exitall_on_error",
  "continue_on_error", "ignore_error", "prio", "prioclass", "priohint", "cmdprio_percentage",
  "cmdprio_class", "cmdprio", "cmdprio_bssplit", "hipri_percentage", "fixedbufs",
  "registerfiles", "sqthread_poll", "sqthread_poll_cpu", "nonvectored", "uncached", "nowait",
  "force_async", "cmd_type", "userspace_reap", "zonemode", "zonesize", "zonerange", "zoneskip",
  "zonecapacity", "max_open_zones", "fill_device", "fill_fs", "file_append", "create_only", "pre_read",
  "trim_percentage", "trim_backlog", "trim_verify_zero", "verify_backlog", "verify_interval",
  "verify_offset", "verify_fatal", "verify_dump", "verify_async", "verify_only", "experimental_verify",
  "steadystate", "ss", "ss_dur", "ss_ramp", "flow", "flow_id", "latency_target", "latency_window",
  "latency_percentile", "max_latency", "atomic", "exec_prerun", "exec_postrun", "ioscheduler",
  "dedupe_percentage", "buffer_compress_percentage", "buffer_compress_chunk", "fdp", "dataplacement",
  "plids", "fdp_pli", "numa_cpu_nodes", "numa_mem_policy",
]);

// ---- values: sizes, numbers, times ----

const SIZE_RE = /^(\d+)([a-z%]*)$/i;

function unitMultiplier(suffix: string, kbBase: number): bigint | "percent" | null {
  const s = suffix.toLowerCase();
  if (s === "" || s === "b") return 1n;
  if (s === "%") return "percent";
  const m = /^([kmgtp])(i?b?)$/.exec(s);
  if (!m) return null;
  const pow = BigInt("kmgtp".indexOf(m[1]) + 1);
  // "kib" is the opposite base of kb_base; "k", "kb" and (the parser's reading) "ki" are kb_base.
  const base = m[2] === "ib" ? (kbBase === 1024 ? 1000n : 1024n) : BigInt(kbBase);
  return base ** pow;
}

interface SizeValue { value: number; percent: boolean }

/**
 * An fio size or number ("4k", "128m", "0x1000", "50%"), as str_to_decimal reads it, with
 * kb_base 1024 or 1000. Throws an Error whose message names the text.
 */
export function parseFioSize(text: string, kbBase = 1024, opts: { percent?: boolean; signed?: boolean } = {}): SizeValue {
  let t = text.trim();
  if (t === "") throw new Error("empty value");
  if (t.startsWith("(")) throw new Error(`"${text}": arithmetic expressions are not supported`);
  let negative = false;
  if (opts.signed && t.startsWith("-")) { negative = true; t = t.slice(1); }
  let n: bigint;
  if (/^0x[0-9a-f]+$/i.test(t)) n = BigInt(t);
  else {
    const m = SIZE_RE.exec(t);
    const mult = m ? unitMultiplier(m[2], kbBase) : null;
    if (!m || mult === null) throw new Error(`"${text}" is not a size`);
    if (mult === "percent") {
      if (!opts.percent) throw new Error(`"${text}": a percentage is not allowed here`);
      const p = Number(m[1]);
      if (p < 1 || p > 100) throw new Error(`"${text}": a percentage must be 1..100`);
      return { value: p, percent: true };
    }
    n = BigInt(m[1]) * mult;
  }
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`"${text}" is too large for the model (above 2^53)`);
  const v = Number(n);
  return { value: negative ? -v : v, percent: false };
}

const TIME_UNIT_NS: Record<string, bigint> = {
  us: 1_000n, usec: 1_000n, ms: 1_000_000n, msec: 1_000_000n, s: 1_000_000_000n, sec: 1_000_000_000n,
  m: 60_000_000_000n, h: 3_600_000_000_000n, d: 86_400_000_000_000n,
};

/** An fio time ("10", "10s", "500ms", "2m") in ns; a bare number is seconds (is_seconds). */
export function parseFioTime(text: string): number {
  const t = text.trim();
  if (t === "") throw new Error("empty value");
  if (t.startsWith("(")) throw new Error(`"${text}": arithmetic expressions are not supported`);
  const m = /^(\d+)([a-z]*)$/i.exec(t);
  const unit = m ? (m[2] === "" ? TIME_UNIT_NS.s : TIME_UNIT_NS[m[2].toLowerCase()]) : undefined;
  if (!m || unit === undefined) throw new Error(`"${text}" is not a time (examples: 30, 10s, 500ms, 2m, 1h)`);
  const ns = BigInt(m[1]) * unit;
  if (ns > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`"${text}" is too long for the model`);
  return Number(ns);
}

// ---- the settings a section changes ----

/** A job's options as sections set them: FioJob's fields, plus what only parsing needs. */
type Settings = Omit<FioJob, "name" | "line" | "wait_for"> & {
  kb_base: number;
  name: string | null;
  wait_for: string;
  filesize: number;
  /** Canonical option name -> line where it was last set (for checks made per job). */
  where: Record<string, number>;
};

function defaults(): Settings {
  return {
    kb_base: 1024, name: null, wait_for: "", rw: "read", rw_seq_nr: 1,
    bs: { read: 4096, write: 4096, trim: 4096, copy: 4096 },
    size: 0, size_percent: 0, filesize: 0, offset: 0, offset_percent: 0,
    dest_offset: 0, dest_offset_percent: 0, dest_offset_delta: null, num_range: 1, emulate: false,
    iodepth: 1, iodepth_batch_submit: 1, iodepth_batch_complete_min: 1, numjobs: 1, ioengine: "psync",
    direct: false, runtime_ns: 0, time_based: false, ramp_time_ns: 0, startdelay_ns: 0, filename: "",
    group_reporting: false, randseed: 0x89, rwmixread: 50, norandommap: false, hipri: false, stonewall: false,
    new_group: false, io_size: 0, number_ios: 0, loops: 1, fsync: 0, fdatasync: 0, end_fsync: false,
    fsync_on_close: false, sync: "none", options: {}, where: {},
  };
}

function clone(s: Settings): Settings {
  return { ...s, bs: { ...s.bs }, options: { ...s.options }, where: { ...s.where } };
}

// ---- one option's value, with errors that say where ----

class Value {
  constructor(
    readonly opt: string,
    readonly raw: string | null,
    readonly kbBase: number,
    private readonly file: string,
    private readonly line: number,
  ) {}

  error(detail: string): FioJobError {
    return new FioJobError(`${this.file}:${this.line}: option "${this.opt}": ${detail}`, this.file, this.line, this.opt);
  }

  /** The value; "requires an argument" when bare (fio's __handle_option), an error when empty. */
  text(): string {
    if (this.raw === null) {
      throw new FioJobError(`${this.file}:${this.line}: option "${this.opt}" requires an argument`, this.file, this.line, this.opt);
    }
    if (this.raw === "") throw this.error("empty value");
    return this.raw;
  }

  private wrap<T>(f: () => T): T {
    try { return f(); } catch (e) {
      if (e instanceof FioJobError) throw e;
      throw this.error((e as Error).message);
    }
  }

  /** A size; `t` is one field of the value (bs=r,w,t,c) or, by default, all of it. */
  size(opts: { percent?: boolean; signed?: boolean; min?: number } = {}, t: string = this.text()): SizeValue {
    if (/^\d+z$/i.test(t)) throw this.error(`"${t}": zone counts (zonemode=zbd) are not modelled`);
    const v = this.wrap(() => parseFioSize(t, this.kbBase, opts));
    if (!v.percent && opts.min !== undefined && v.value < opts.min) throw this.error(`min value out of range: ${v.value} (${opts.min} min)`);
    return v;
  }

  /** An integer option (FIO_OPT_INT): same grammar as sizes, within min..max. */
  int(min: number, max: number): number {
    const t = this.text();
    const v = this.wrap(() => {
      try { return parseFioSize(t, this.kbBase, { signed: min < 0 }).value; } catch (e) {
        if ((e as Error).message.endsWith("is not a size")) throw new Error(`"${t}" is not a number`);
        throw e;
      }
    });
    if (v < min) throw this.error(`min value out of range: ${v} (${min} min)`);
    if (v > max) throw this.error(`max value out of range: ${v} (${max} max)`);
    return v;
  }

  time(): number {
    const t = this.text();
    if (/^\d+\w*[-:]\d/.test(t)) throw this.error(`"${t}": a range of times is not modelled; give one time`);
    return this.wrap(() => parseFioTime(t));
  }

  /** FIO_OPT_BOOL: 0 or 1, never bare. */
  bool(): boolean {
    const t = this.text();
    if (!/^(0|1|0x0*[01])$/i.test(t)) throw this.error(`"${t}" is not a boolean (0 or 1)`);
    return Number(t) === 1;
  }

  /** FIO_OPT_STR_SET: bare means set; 0 or 1 also allowed. */
  flag(): boolean {
    return this.raw === null ? true : this.bool();
  }
}

// ---- the option table ----

interface Spec {
  name: string;
  aliases?: readonly string[];
  set(st: Settings, v: Value): void;
}

const RW_VALUES: Record<string, FioRw> = {
  read: "read", write: "write", trim: "trim", randread: "randread", randwrite: "randwrite",
  randtrim: "randtrim", rw: "rw", readwrite: "rw", randrw: "randrw", copy: "copy", randcopy: "randcopy",
};
const RW_NOT_MODELLED = new Set(["trimwrite", "randtrimwrite", "filecreate", "filestat", "filedelete"]);
const RANDOM_RW = new Set<FioRw>(["randread", "randwrite", "randtrim", "randrw", "randcopy"]);

function setRw(st: Settings, v: Value): void {
  const t = v.text();
  const colon = t.indexOf(":");
  const pattern = colon < 0 ? t : t.slice(0, colon);
  const rw = RW_VALUES[pattern];
  if (rw === undefined) {
    if (RW_NOT_MODELLED.has(pattern)) throw v.error(`rw=${pattern} is not modelled`);
    throw v.error(`"${pattern}" is not an I/O pattern (${Object.keys(RW_VALUES).join(", ")})`);
  }
  st.rw = rw;
  st.rw_seq_nr = 1;
  if (colon < 0) return;
  const postfix = t.slice(colon + 1).trim();
  if (!RANDOM_RW.has(rw)) {
    throw v.error(`rw=${t}: ":${postfix}" after a sequential pattern adds holes (ddir_seq_add), which is not modelled`);
  }
  let n: number;
  try { n = parseFioSize(postfix, st.kb_base).value; } catch {
    throw v.error(`"${t}": randrw postfix parsing failed (":N" is the number of I/Os per random offset)`);
  }
  if (n <= 0 || n > UINT_MAX) throw v.error(`"${t}": randrw postfix parsing out of range (1..${UINT_MAX})`);
  st.rw_seq_nr = n;
}

function setBs(st: Settings, v: Value): void {
  const t = v.text();
  const fields = t.split(",");
  if (fields.length > DIRS.length) throw v.error(`"${t}": at most ${DIRS.length} values (read,write,trim,copy)`);
  let any = false;
  fields.forEach((f, i) => {
    const field = f.trim();
    if (field === "") return;
    if (/[-:]/.test(field)) throw v.error(`"${field}": block size ranges are not modelled (bsrange); give one size per direction, separated by commas`);
    const bytes = v.size({ min: 1 }, field).value;
    any = true;
    st.bs[DIRS[i]] = bytes;
    if (i === fields.length - 1) for (let j = i + 1; j < DIRS.length; j++) st.bs[DIRS[j]] = bytes;
  });
  if (!any) throw v.error("empty value");
}

function setFilename(st: Settings, v: Value): void {
  const t = v.text();
  // A ':' separates files unless escaped with '\' (HOWTO, filename).
  if (/(^|[^\\]):/.test(t)) throw v.error(`"${t}": several files (':') are not modelled; name one device (escape a ':' in a path as '\\:')`);
  st.filename = t.replace(/\\:/g, ":");
}

function setIoengine(st: Settings, v: Value): void {
  const t = v.text();
  if (!(MODELLED_ENGINES as readonly string[]).includes(t)) {
    throw v.error(`"${t}" is not modelled (the model has ${MODELLED_ENGINES.join(", ")})`);
  }
  st.ioengine = t as FioEngine;
}

/** sync= (fio 3.x, FIO_OPT_STR): none or 0, sync or 1 (O_SYNC), dsync (O_DSYNC). */
const SYNC_IO_VALUES: Readonly<Record<string, FioSyncIo>> = { none: "none", 0: "none", sync: "sync", 1: "sync", dsync: "dsync" };

function setSyncIo(st: Settings, v: Value): void {
  const t = v.text();
  const s = SYNC_IO_VALUES[t];
  if (s === undefined) throw v.error(`value "${t}" not allowed (none, 0, sync, 1, dsync)`);
  st.sync = s;
}

const SPECS: readonly Spec[] = [
  { name: "name", set: (st, v) => { st.name = v.text(); } },
  { name: "description", set: (st, v) => { st.description = v.text(); } },
  { name: "wait_for", set: (st, v) => { st.wait_for = v.text(); } },
  { name: "filename", set: setFilename },
  { name: "kb_base", set: (st, v) => {
      const n = v.int(0, UINT_MAX);
      if (n !== 1024 && n !== 1000) throw v.error(`value ${n} not allowed (1024 or 1000)`);
      st.kb_base = n;
    } },
  { name: "rw", aliases: ["readwrite"], set: setRw },
  { name: "bs", aliases: ["blocksize"], set: setBs },
  { name: "size", set: (st, v) => {
      const s = v.size({ percent: true });
      st.size = s.percent ? 0 : s.value;
      st.size_percent = s.percent ? s.value : 0;
    } },
  { name: "filesize", set: (st, v) => {
      const t = v.text();
      if (/^[^-:]+[-:]/.test(t)) throw v.error(`"${t}": a range of file sizes is not modelled; give one size`);
      st.filesize = v.size({ min: 1 }).value;
    } },
  { name: "offset", aliases: ["fileoffset"], set: (st, v) => {
      const s = v.size({ percent: true });
      st.offset = s.percent ? 0 : s.value;
      st.offset_percent = s.percent ? s.value : 0;
    } },
  { name: "dest_offset", set: (st, v) => {
      const s = v.size({ percent: true });
      st.dest_offset = s.percent ? 0 : s.value;
      st.dest_offset_percent = s.percent ? s.value : 0;
    } },
  { name: "dest_offset_delta", set: (st, v) => { st.dest_offset_delta = v.size({ signed: true }).value; } },
  { name: "num_range", set: (st, v) => { st.num_range = v.int(1, MAX_NUM_RANGE); } },
  { name: "emulate", set: (st, v) => { st.emulate = v.bool(); } },
  { name: "iodepth", set: (st, v) => { st.iodepth = v.int(1, UINT_MAX); } },
  { name: "iodepth_batch", aliases: ["iodepth_batch_submit"], set: (st, v) => { st.iodepth_batch_submit = v.int(0, UINT_MAX); } },
  { name: "iodepth_batch_complete_min", aliases: ["iodepth_batch_complete"], set: (st, v) => { st.iodepth_batch_complete_min = v.int(0, UINT_MAX); } },
  { name: "numjobs", set: (st, v) => { st.numjobs = v.int(1, MAX_JOBS); } },
  { name: "ioengine", set: setIoengine },
  { name: "direct", set: (st, v) => { st.direct = v.bool(); } },
  { name: "buffered", set: (st, v) => { st.direct = !v.bool(); } },
  { name: "runtime", aliases: ["timeout"], set: (st, v) => { st.runtime_ns = v.time(); } },
  { name: "time_based", set: (st, v) => { st.time_based = v.flag(); } },
  { name: "ramp_time", set: (st, v) => { st.ramp_time_ns = v.time(); } },
  { name: "startdelay", set: (st, v) => { st.startdelay_ns = v.time(); } },
  { name: "group_reporting", set: (st, v) => { st.group_reporting = v.flag(); } },
  { name: "randseed", set: (st, v) => { st.randseed = v.int(0, Number.MAX_SAFE_INTEGER); } },
  { name: "rwmixread", set: (st, v) => { st.rwmixread = v.int(0, 100); } },
  { name: "rwmixwrite", set: (st, v) => { st.rwmixread = 100 - v.int(0, 100); } },
  { name: "norandommap", set: (st, v) => { st.norandommap = v.flag(); } },
  { name: "hipri", set: (st, v) => { st.hipri = v.flag(); } },
  { name: "stonewall", aliases: ["wait_for_previous"], set: (st, v) => { st.stonewall = v.flag(); } },
  { name: "new_group", set: (st, v) => { st.new_group = v.flag(); } },
  { name: "io_size", aliases: ["io_limit"], set: (st, v) => {
      const t = v.text();
      if (t.trim().endsWith("%")) throw v.error(`"${t}": io_size as a percentage is not modelled; give bytes`);
      st.io_size = v.size().value;
    } },
  { name: "number_ios", set: (st, v) => { st.number_ios = v.int(0, Number.MAX_SAFE_INTEGER); } },
  { name: "loops", set: (st, v) => { st.loops = v.int(1, UINT_MAX); } },
  // fsync_blocks / fdatasync_blocks (FIO_OPT_INT, default 0): a sync every N writes
  { name: "fsync", set: (st, v) => { st.fsync = v.int(0, UINT_MAX); } },
  { name: "fdatasync", set: (st, v) => { st.fdatasync = v.int(0, UINT_MAX); } },
  { name: "end_fsync", set: (st, v) => { st.end_fsync = v.bool(); } },
  { name: "sync", set: setSyncIo },
  { name: "fsync_on_close", set: (st, v) => { st.fsync_on_close = v.bool(); } },
];

const IGNORED_SPECS: readonly Spec[] = Object.entries(IGNORED_OPTIONS).map(([name, o]) => ({
  name,
  aliases: o.aliases,
  set: (_st: Settings, v: Value) => {
    if (o.kind === "flag") v.flag();
    else if (o.kind === "bool") v.bool();
    else if (o.kind === "int") v.int(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
    else if (o.kind === "size") v.size();
    else if (o.kind === "time") v.time();
    else v.text();
  },
}));

const BY_NAME = new Map<string, Spec>();
for (const s of [...SPECS, ...IGNORED_SPECS]) {
  BY_NAME.set(s.name, s);
  for (const a of s.aliases ?? []) BY_NAME.set(a, s);
}

/** Levenshtein distance, for "did you mean" (fio's string_distance / string_distance_ok). */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

function closest(name: string): string | null {
  // Option names are case-sensitive in fio; a case slip is the likeliest typo.
  const lower = name.toLowerCase();
  for (const known of BY_NAME.keys()) if (known.toLowerCase() === lower) return known;
  let best: string | null = null;
  let bestD = Infinity;
  for (const known of BY_NAME.keys()) {
    const d = distance(name, known);
    if (d < bestD) { bestD = d; best = known; }
  }
  return best !== null && bestD <= Math.floor((name.length + 1) / 2) ? best : null;
}

// ---- the file: lines into sections ----

interface Entry { line: number; name: string; value: string | null }
interface Section { name: string; line: number; global: boolean; entries: Entry[] }

const RESERVED = /\$(pagesize|mb_memory|ncpus)\b/;

function substitute(text: string, env: Record<string, string>): string {
  return text.replace(/\$\{([^}]*)\}/g, (_m, v: string) => env[v] ?? "");
}

function splitSections(text: string, file: string, env: Record<string, string>): Section[] {
  const sections: Section[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((rawLine, i) => {
    const lineNo = i + 1;
    let p = rawLine.replace(/^\s+/, "");
    if (p === "" || p[0] === ";" || p[0] === "#") return;
    // strip_blank_end: everything from the first ';' or '#' goes, then trailing blanks.
    const cut = p.search(/[;#]/);
    if (cut >= 0) p = p.slice(0, cut);
    p = p.replace(/\s+$/, "");
    if (p === "") return;
    const fail = (detail: string, option: string | null = null): never => {
      throw new FioJobError(`${file}:${lineNo}: ${detail}`, file, lineNo, option);
    };
    if (p[0] === "[") {
      if (!p.endsWith("]")) fail(`section header "${p}" has no closing "]"`);
      const name = p.slice(1, -1);
      if (name === "") fail("empty section name \"[]\"");
      sections.push({ name, line: lineNo, global: name.startsWith("global"), entries: [] });
      return;
    }
    if (/^include(\s|$)/.test(p)) fail(`"${p}": include directives are not supported; put the options in this file`);
    if (sections.length === 0) fail(`option "${p}" outside of [] job section`);
    const opt = substitute(p, env);
    const eq = opt.indexOf("=");
    const name = (eq < 0 ? opt : opt.slice(0, eq)).trim();
    const value = eq < 0 ? null : opt.slice(eq + 1).trim();
    if (name === "") fail(`"${p}" has no option name`);
    if (value !== null) {
      const kw = RESERVED.exec(value);
      if (kw) fail(`option "${name}": fio's reserved keyword "$${kw[1]}" is not supported; give a number`, name);
    }
    sections[sections.length - 1].entries.push({ line: lineNo, name, value });
  });
  return sections;
}

/** A section's entries in the order they are applied: kb_base first (prio 1 in fio's table, and fio sorts a section's options by prio). */
function orderedEntries(sec: Section): Entry[] {
  return [...sec.entries.filter((e) => e.name === "kb_base"), ...sec.entries.filter((e) => e.name !== "kb_base")];
}

/** The options a section itself sets, by canonical name, as written (the last value of each). */
function sectionOptions(sec: Section): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of orderedEntries(sec)) {
    const spec = BY_NAME.get(e.name)!;
    delete out[spec.name];
    out[spec.name] = e.value ?? "";
  }
  return out;
}

function applySection(st: Settings, sec: Section, file: string): void {
  const ordered = orderedEntries(sec);
  for (const e of ordered) {
    const spec = BY_NAME.get(e.name);
    const fail = (detail: string): never => {
      throw new FioJobError(`${file}:${e.line}: ${detail}`, file, e.line, e.name);
    };
    if (spec === undefined) {
      if (NOT_MODELLED_OPTIONS.has(e.name)) fail(`option "${e.name}" is an fio option the model does not support`);
      const near = closest(e.name);
      fail(`unknown option "${e.name}"${near ? ` (did you mean "${near}"?)` : ""}`);
      return;
    }
    spec.set(st, new Value(spec.name, e.value, st.kb_base, file, e.line));
    delete st.options[spec.name];
    st.options[spec.name] = e.value ?? "";
    st.where[spec.name] = e.line;
  }
}

function finish(st: Settings, sec: Section, file: string, earlier: readonly FioJob[]): FioJob {
  const name = st.name ?? sec.name;
  const at = (opt: string | null, detail: string): never => {
    const line = (opt !== null ? st.where[opt] : undefined) ?? sec.line;
    throw new FioJobError(`${file}:${line}: ${detail}`, file, line, opt);
  };
  if (st.filename === "") {
    at(null, `job "${name}" has no filename= (fio would make up a file; the model needs a device, e.g. filename=/dev/nvme0n1)`);
  }
  if (st.emulate && !COPY_ENGINES.includes(st.ioengine)) {
    at("emulate", `option "emulate" belongs to the psync and sctl engines (the fork's copy emulation), not ioengine=${st.ioengine}`);
  }
  if (st.hipri && st.ioengine !== "io_uring" && st.ioengine !== "pvsync2") {
    at("hipri", `option "hipri" belongs to the io_uring and pvsync2 engines, not ioengine=${st.ioengine}`);
  }
  const copies = st.rw === "copy" || st.rw === "randcopy";
  if (copies && !COPY_ENGINES.includes(st.ioengine)) {
    at("ioengine", `job "${name}": rw=${st.rw} needs ioengine=psync or sctl (the copy-offload fork copies only there: copy_file_range or the BLKCOPY ioctl, or with emulate=1 pread+pwrite)`);
  }
  if (!copies && st.ioengine === "sctl") {
    at("ioengine", `job "${name}": ioengine=sctl only copies (the fork's engine sends every I/O as one BLKCOPY); use rw=copy or randcopy, or another engine for rw=${st.rw}`);
  }
  if (st.where.dest_offset !== undefined && st.dest_offset_delta !== null) {
    at("dest_offset_delta", `job "${name}": dest_offset and dest_offset_delta both given; use one`);
  }
  if (st.ioengine === "io_uring" && (st.end_fsync || st.fsync_on_close)) {
    const opt = st.end_fsync ? "end_fsync" : "fsync_on_close";
    at(opt, `option "${opt}" with ioengine=io_uring is not modelled (fio's last sync through the ring); fsync= and fdatasync= are, or use psync, sync, pvsync2 or libaio`);
  }
  if (st.sync !== "none" && copies) {
    at("sync", `option "sync" with rw=${st.rw} is not modelled (the fork's copy_file_range and BLKCOPY paths are not known to sync the destination); use it with writes`);
  }
  if (st.time_based && st.runtime_ns === 0) {
    at("time_based", `job "${name}": time_based requires a runtime/timeout setting (fio would drop time_based)`);
  }
  if (st.wait_for !== "") {
    const n = earlier.filter((j) => j.name === st.wait_for).length;
    if (n === 0) at("wait_for", `option "wait_for": no job named "${st.wait_for}" before this one (fio allows no forward references)`);
    if (n > 1) at("wait_for", `option "wait_for": ${n} jobs are named "${st.wait_for}"; a job waited for needs a unique name`);
  }
  let { size, size_percent, io_size } = st;
  if (st.filesize > 0) {
    // filesize= is the region; size= then only defaults io_size (HOWTO, filesize).
    if (size_percent > 0) at("size", `job "${name}": size as a percentage together with filesize= is not modelled`);
    if (io_size === 0) io_size = size;
    size = st.filesize;
    size_percent = 0;
  }
  const batch = st.iodepth_batch_submit === 0 || st.iodepth_batch_submit > st.iodepth ? st.iodepth : st.iodepth_batch_submit;
  return {
    name, line: sec.line, rw: st.rw, rw_seq_nr: st.rw_seq_nr, bs: { ...st.bs },
    size, size_percent, offset: st.offset, offset_percent: st.offset_percent,
    dest_offset: st.dest_offset, dest_offset_percent: st.dest_offset_percent, dest_offset_delta: st.dest_offset_delta,
    num_range: st.num_range, emulate: st.emulate, iodepth: st.iodepth, iodepth_batch_submit: batch,
    iodepth_batch_complete_min: st.iodepth_batch_complete_min, numjobs: st.numjobs, ioengine: st.ioengine,
    direct: st.direct, runtime_ns: st.runtime_ns, time_based: st.time_based, ramp_time_ns: st.ramp_time_ns,
    startdelay_ns: st.startdelay_ns, filename: st.filename, group_reporting: st.group_reporting,
    randseed: st.randseed, rwmixread: st.rwmixread, norandommap: st.norandommap, hipri: st.hipri, stonewall: st.stonewall,
    new_group: st.new_group, wait_for: st.wait_for, io_size, number_ios: st.number_ios, loops: st.loops,
    fsync: st.fsync, fdatasync: st.fdatasync, end_fsync: st.end_fsync, fsync_on_close: st.fsync_on_close,
    ...(st.sync !== "none" ? { sync: st.sync } : {}),
    ...(st.description ? { description: st.description } : {}),
    kb_base: st.kb_base,
    options: { ...st.options },
  };
}

/**
 * Each job's reporting group, as add_job (init.c) numbers them: a job with stonewall or
 * new_group opens the next group when the group so far has jobs.
 */
export function reportingGroups(jobs: readonly FioJob[]): number[] {
  let group = 0;
  return jobs.map((j, k) => {
    if (k > 0 && (j.stonewall || j.new_group)) group++;
    return group;
  });
}

export interface ParsedJobFile {
  jobs: FioJob[];
  /** Options of the [global] sections as written (the last value of each), for fio's JSON "global options". */
  global_options: Record<string, string>;
}

/** parseJobFile, plus the [global] options as written. */
export function parseJobFileWithGlobals(text: string, file: string, env: Record<string, string> = {}): ParsedJobFile {
  const sections = splitSections(text, file, env);
  let global = defaults();
  const globalOptions: Record<string, string> = {};
  const jobs: FioJob[] = [];
  for (const sec of sections) {
    const st = clone(global);
    applySection(st, sec, file);
    if (sec.global) {
      for (const e of sec.entries) {
        const spec = BY_NAME.get(e.name)!;
        delete globalOptions[spec.name];
        globalOptions[spec.name] = e.value ?? "";
      }
      global = st;
    } else {
      jobs.push({ ...finish(st, sec, file, jobs), section_options: sectionOptions(sec) });
    }
  }
  if (jobs.length === 0) throw new FioJobError(`${file}: no job(s) defined`, file, null, null);
  return { jobs, global_options: globalOptions };
}

/**
 * Parse an fio job file. `file` names it in messages; `env` supplies ${VAR} (pass process.env
 * from a CLI; nothing is read from the environment here, so the browser build works alike).
 * Throws FioJobError on the first problem.
 */
export function parseJobFile(text: string, file: string, env?: Record<string, string>): FioJob[] {
  return parseJobFileWithGlobals(text, file, env).jobs;
}
