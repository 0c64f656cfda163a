// Command-line options as nvme-cli (argconfig over getopt_long) takes them: --name=value,
// --name value, -x value, -xvalue, bundled short flags (-Hb); lists are comma separated.
// Every error names the command and the option.

export type OptKind = "flag" | "int" | "u64" | "string" | "list" | "size" | "u64list";

export interface OptSpec {
  long: string;
  short?: string;
  kind: OptKind;
  help: string;
  /** For int: inclusive bounds. */
  min?: number;
  max?: number;
  repeat?: boolean;
}

export type OptValue = boolean | number | bigint | string | string[] | number[] | bigint[];
export interface Parsed {
  opts: Map<string, OptValue>;
  positional: string[];
}

export class UsageError extends Error {}

function parseNumber(text: string, spec: OptSpec, cmd: string): number {
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

function parseBig(text: string, spec: OptSpec, cmd: string): bigint {
  const t = text.trim();
  if (!/^(0x[0-9a-f]+|\d+)$/i.test(t)) throw new UsageError(`${cmd}: --${spec.long}: "${text}" is not a number`);
  const v = BigInt(t);
  if (v > 0xffffffffffffffffn) throw new UsageError(`${cmd}: --${spec.long}: ${text} does not fit 64 bits`);
  return v;
}

function convert(spec: OptSpec, raw: string, cmd: string): OptValue {
  switch (spec.kind) {
    case "int": return parseNumber(raw, spec, cmd);
    case "u64": return parseBig(raw, spec, cmd);
    case "size": {
      const m = /^\s*(\d+)\s*([kKmMgGtT]?)\s*$/.exec(raw);
      if (!m) throw new UsageError(`${cmd}: --${spec.long}: "${raw}" is not a size`);
      const mult = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }[m[2].toLowerCase()]!;
      return Number(m[1]) * mult;
    }
    case "list": return raw.split(",").filter((x) => x.trim() !== "").map((x) => parseNumber(x, spec, cmd));
    case "u64list": return raw.split(",").filter((x) => x.trim() !== "").map((x) => parseBig(x, spec, cmd));
    case "string": return raw;
    case "flag": return true;
  }
}

export function parseArgs(argv: string[], specs: OptSpec[], cmd: string): Parsed {
  const byLong = new Map(specs.map((s) => [s.long, s]));
  const byShort = new Map(specs.filter((s) => s.short).map((s) => [s.short!, s]));
  const opts = new Map<string, OptValue>();
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
      continue;
    }
    if (a.startsWith("-") && a.length > 1 && !/^-\d/.test(a)) {
      for (let j = 1; j < a.length; j++) {
        const spec = byShort.get(a[j]);
        if (!spec) throw new UsageError(`${cmd}: invalid option -- '${a[j]}' (see "nvmelab help ${cmd}")`);
        if (spec.kind === "flag") { set(spec, true); continue; }
        const raw = j + 1 < a.length ? a.slice(j + 1) : argv[++i];
        if (raw === undefined) throw new UsageError(`${cmd}: option '-${a[j]}' needs a value`);
        set(spec, convert(spec, raw, cmd));
        break;
      }
      continue;
    }
    positional.push(a);
  }
  return { opts, positional };
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
