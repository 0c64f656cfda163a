// Command-line options as nvme-cli (argconfig over getopt_long) takes them: --name=value,
// --name value, -x value, -xvalue, bundled short flags (-Hb), digit short options where a
// command has them (passthru's -4 for --cdw10); a value may itself start with '-'. Lists are
// comma separated. Numbers follow util/argconfig.c's argconfig_parse_type: strtoul with base
// 0 (decimal, 0x hex, 0 octal) for byte, short and word options, util/suffix.c's
// suffix_binary_parse for suffixed 64-bit ones (OPT_SUFFIX: 4096, 0x1000, 4Ki, 1Gi), and
// argconfig's own message when one does not fit. Every error names the option.

/**
 * flag, string; nvme-cli's number types: byte (OPT_BYTE), short (OPT_SHRT), word (OPT_UINT),
 * suffix (OPT_SUFFIX, 64 bits); list (OPT_LIST of numbers up to listMax), u64list (OPT_LIST
 * of 64-bit numbers); nvmelab's own options: int (decimal or 0x, min..max), size (64M, 1G).
 */
export type OptKind = "flag" | "int" | "byte" | "short" | "word" | "suffix" | "string" | "list" | "size" | "u64list";

export interface OptSpec {
  long: string;
  short?: string;
  kind: OptKind;
  help: string;
  /** int: inclusive bounds; byte/short/word: a narrower range the command accepts. */
  min?: number;
  max?: number;
  /** list: the largest element (argconfig_parse_comma_sep_array_u16/_u32: 0xffff or 0xffffffff). */
  listMax?: number;
  /** list, u64list: the command's own line after a bad element (nvme-cli's copy: "invalid range"). */
  listError?: string;
  repeat?: boolean;
  /**
   * Names the option takes for values (argconfig's OPT_VALS, e.g. get-feature's
   * "--feature-id=host-behavior"): matched as argconfig_match_val matches them, before the
   * value is read as a number.
   */
  vals?: ReadonlyArray<readonly [string, number]>;
}

export type OptValue = boolean | number | bigint | string | string[] | number[] | bigint[];
export interface Parsed {
  opts: Map<string, OptValue>;
  /** Each option's text as given (the last one of a repeated option). */
  raw: Map<string, string>;
  positional: string[];
}

export class UsageError extends Error {}

const U64 = (1n << 64n) - 1n;

/**
 * C's strtoull(text, &end, 0) as glibc does it: leading white space, an optional sign (a minus
 * negates modulo 2^64), then 0x/0X hex, a leading 0 octal, or decimal, as many digits as fit.
 * Returns the value and what is left after the digits, or null when there are no digits or
 * the value overflows 64 bits (ERANGE).
 */
export function strtoull(text: string): { value: bigint; rest: string } | null {
  let i = 0;
  while (i < text.length && " \t\n\v\f\r".includes(text[i])) i++;
  let negative = false;
  if (text[i] === "+" || text[i] === "-") { negative = text[i] === "-"; i++; }
  let base = 10;
  if (text[i] === "0" && (text[i + 1] === "x" || text[i + 1] === "X") && /[0-9a-f]/i.test(text[i + 2] ?? "")) { base = 16; i += 2; }
  else if (text[i] === "0") base = 8;
  const digit = base === 16 ? /[0-9a-f]/i : base === 8 ? /[0-7]/ : /[0-9]/;
  const start = i;
  while (i < text.length && digit.test(text[i])) i++;
  if (i === start) return null;
  const value = BigInt((base === 16 ? "0x" : base === 8 ? "0o" : "") + text.slice(start, i));
  if (value > U64) return null;
  return { value: negative ? (-value) & U64 : value, rest: text.slice(i) };
}

/** util/argconfig.c's argconfig_error. */
function argconfigError(type: string, spec: OptSpec, raw: string): UsageError {
  return new UsageError(`Expected ${type} argument for '${spec.long}' but got '${raw}'!`);
}

/**
 * An argconfig number: strtoul's value, refused as argconfig refuses it (no digits, more than
 * the type holds). Also refused, where argconfig would silently take the digits before them or
 * cut the value to 32 bits: characters after the number, and a word beyond 32 bits.
 */
function parseTyped(raw: string, spec: OptSpec, type: "byte" | "short" | "word"): number {
  const r = strtoull(raw);
  const name = type === "word" ? "word" : type;
  if (!r || r.rest !== "") throw argconfigError(name, spec, raw);
  let v = r.value;
  if (type === "word") {
    // CFG_POSITIVE stores strtoul's result in a uint32_t: -1 is 0xffffffff, as in nvme-cli.
    if (v > 0xffffffffn && v < U64 - 0xffffffffn) throw argconfigError(name, spec, raw);
    v &= 0xffffffffn;
  } else if (v >= (type === "byte" ? 1n << 8n : 1n << 16n)) {
    throw argconfigError(name, spec, raw);
  }
  return Number(v);
}

/** util/suffix.c's suffix_binary_parse: a number, or a number and exactly one of Ki Mi Gi Ti Pi (any case). */
export function suffixBinaryParse(raw: string): bigint | null {
  const r = strtoull(raw);
  if (!r) return null;
  if (r.rest === "") return r.value;
  const shift = { ki: 10n, mi: 20n, gi: 30n, ti: 40n, pi: 50n }[r.rest.toLowerCase()];
  return shift === undefined ? null : (r.value << shift) & U64;
}

function checkRange(v: number, spec: OptSpec, raw: string, cmd: string): number {
  const min = spec.min ?? 0;
  const max = spec.max ?? Number.MAX_SAFE_INTEGER;
  if (v < min || v > max) throw new UsageError(`${cmd}: --${spec.long}: ${raw} is outside ${min}..${max}`);
  return v;
}

/** nvmelab's own integers (global options, media-hash): decimal or 0x hex within min..max. */
function parseInt10or16(text: string, spec: OptSpec, cmd: string): number {
  const t = text.trim();
  let v: number;
  if (/^0x[0-9a-f]+$/i.test(t)) v = parseInt(t, 16);
  else if (/^\d+$/.test(t)) v = Number(t);
  else throw new UsageError(`${cmd}: --${spec.long}: "${text}" is not a number`);
  const min = spec.min ?? 0;
  const max = spec.max ?? 0xffffffff;
  if (!Number.isSafeInteger(v) || v < min || v > max) throw new UsageError(`${cmd}: --${spec.long}: ${text} is outside ${min}..${max}`);
  return v;
}

/**
 * argconfig_parse_comma_sep_array*: strtoumax with base 0 per element; an element above the
 * array's type prints "<element> out of range". nvme-cli then fails the whole list, and the
 * command reports its own error (listError); a token that is not a number is named here too.
 */
export function parseList(raw: string, spec: OptSpec, cmd: string, max: bigint): bigint[] {
  const fail = (line: string) => new UsageError(spec.listError ? `${line}\n${spec.listError}` : line);
  return raw.split(",").filter((x) => x !== "").map((tok) => {
    const r = strtoull(tok);
    if (!r || r.rest !== "") throw fail(`${cmd}: --${spec.long}: '${tok}' is not a number`);
    if (r.value > max) throw fail(`${tok} out of range`);
    return r.value;
  });
}

/**
 * util/argconfig.c's argconfig_match_val: a name the value starts (any case); a name equal to it
 * wins, and a value that starts two names and equals neither matches none (ambiguous).
 */
export function matchVal(vals: ReadonlyArray<readonly [string, number]>, text: string): number | undefined {
  const t = text.toLowerCase();
  let match: number | undefined;
  for (const [name, v] of vals) {
    if (!name.toLowerCase().startsWith(t)) continue;
    if (name.length === text.length) return v;
    if (match !== undefined) return undefined;
    match = v;
  }
  return match;
}

function convert(spec: OptSpec, raw: string, cmd: string): OptValue {
  if (spec.vals) {
    const v = matchVal(spec.vals, raw);
    if (v !== undefined) return v;
  }
  switch (spec.kind) {
    case "int": return parseInt10or16(raw, spec, cmd);
    case "byte": case "short": case "word": return checkRange(parseTyped(raw, spec, spec.kind), spec, raw, cmd);
    case "suffix": {
      const v = suffixBinaryParse(raw);
      if (v === null) throw argconfigError("long suffixed integer", spec, raw);
      return v;
    }
    case "size": {
      const m = /^\s*(\d+)\s*([kKmMgGtT]?)\s*$/.exec(raw);
      if (!m) throw new UsageError(`${cmd}: --${spec.long}: "${raw}" is not a size`);
      const mult = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }[m[2].toLowerCase()]!;
      return Number(m[1]) * mult;
    }
    case "list": return parseList(raw, spec, cmd, BigInt(spec.listMax ?? 0xffffffff)).map(Number);
    case "u64list": return parseList(raw, spec, cmd, U64);
    case "string": return raw;
    case "flag": return true;
  }
}

export function parseArgs(argv: string[], specs: OptSpec[], cmd: string): Parsed {
  const byLong = new Map(specs.map((s) => [s.long, s]));
  const byShort = new Map(specs.filter((s) => s.short).map((s) => [s.short!, s]));
  const opts = new Map<string, OptValue>();
  const rawText = new Map<string, string>();
  const positional: string[] = [];
  const set = (spec: OptSpec, v: OptValue) => {
    if (spec.repeat) {
      const prev = (opts.get(spec.long) as string[] | undefined) ?? [];
      opts.set(spec.long, [...prev, v as string]);
    } else {
      opts.set(spec.long, v);
    }
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--") { positional.push(...argv.slice(i + 1)); break; }
    if (a.startsWith("--")) {
      const eq = a.indexOf("=");
      const name = a.slice(2, eq < 0 ? undefined : eq);
      const spec = byLong.get(name);
      if (!spec) throw new UsageError(`${cmd}: unrecognized option '--${name}' (see "nvmelab help ${cmd}")`);
      if (spec.kind === "flag") {
        if (eq >= 0) throw new UsageError(`${cmd}: option '--${name}' takes no value`);
        set(spec, true);
        continue;
      }
      const raw = eq >= 0 ? a.slice(eq + 1) : argv[++i];
      if (raw === undefined) throw new UsageError(`${cmd}: option '--${name}' needs a value`);
      set(spec, convert(spec, raw, cmd));
      rawText.set(spec.long, raw);
      continue;
    }
    // A short option cluster, digits included (getopt: "-4" is option '4' where a command
    // defines it, as passthru's --cdw10); a value starting with '-' is taken above and below
    // as the argument of the option before it.
    if (a.startsWith("-") && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const spec = byShort.get(a[j]);
        if (!spec) throw new UsageError(`${cmd}: invalid option -- '${a[j]}' (see "nvmelab help ${cmd}")`);
        if (spec.kind === "flag") { set(spec, true); continue; }
        const raw = j + 1 < a.length ? a.slice(j + 1) : argv[++i];
        if (raw === undefined) throw new UsageError(`${cmd}: option '-${a[j]}' needs a value`);
        set(spec, convert(spec, raw, cmd));
        rawText.set(spec.long, raw);
        break;
      }
      continue;
    }
    positional.push(a);
  }
  return { opts, raw: rawText, positional };
}

export class Options {
  constructor(private readonly p: Parsed, readonly cmd: string) {}
  has(name: string): boolean { return this.p.opts.has(name); }
  flag(name: string): boolean { return this.p.opts.get(name) === true; }
  int(name: string, dflt: number): number { return (this.p.opts.get(name) as number | undefined) ?? dflt; }
  maybeInt(name: string): number | undefined { return this.p.opts.get(name) as number | undefined; }
  u64(name: string, dflt: bigint): bigint { return (this.p.opts.get(name) as bigint | undefined) ?? dflt; }
  str(name: string): string | undefined { return this.p.opts.get(name) as string | undefined; }
  list(name: string): number[] { return (this.p.opts.get(name) as number[] | undefined) ?? []; }
  u64list(name: string): bigint[] { return (this.p.opts.get(name) as bigint[] | undefined) ?? []; }
  strs(name: string): string[] { return (this.p.opts.get(name) as string[] | undefined) ?? []; }
  /** The option's text as given, before conversion. */
  raw(name: string): string | undefined { return this.p.raw.get(name); }
  get positional(): string[] { return this.p.positional; }
}

export function helpText(cmd: string, summary: string, usage: string, specs: OptSpec[]): string {
  const lines = [`Usage: nvmelab ${cmd} ${usage}`, "", summary, "", "Options:"];
  for (const s of specs) {
    const arg = s.kind === "flag" ? "" : s.kind === "list" || s.kind === "u64list" ? "=<LIST>" : s.kind === "string" ? "=<STR>" : "=<NUM>";
    const name = `  ${s.short ? `-${s.short}, ` : "    "}--${s.long}${arg}`;
    lines.push(`${name.padEnd(34)} ${s.help}`);
  }
  return lines.join("\n");
}
