// Parsing of sizes and integers as users write them on command lines and in JSON
// ("1G", "512MiB", "0x1000", "4k"), with errors that say what was wrong.

const SUFFIX: Record<string, number> = {
  "": 1, k: 1024, kb: 1000, kib: 1024, m: 1024 ** 2, mb: 1000 ** 2, mib: 1024 ** 2,
  g: 1024 ** 3, gb: 1000 ** 3, gib: 1024 ** 3, t: 1024 ** 4, tb: 1000 ** 4, tib: 1024 ** 4,
  p: 1024 ** 5, pib: 1024 ** 5,
};

/** A byte count: a non-negative integer with an optional suffix (k, M, G, T, P; KiB/MB...). */
export function parseSize(text: string | number): number {
  if (typeof text === "number") {
    if (!Number.isSafeInteger(text) || text < 0) throw new Error(`${text} is not a whole number of bytes`);
    return text;
  }
  const m = /^\s*(0x[0-9a-f]+|\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  if (!m) throw new Error(`"${text}" is not a size (examples: 4096, 64M, 1GiB, 1T)`);
  const unit = SUFFIX[m[2].toLowerCase()];
  if (unit === undefined) throw new Error(`"${text}": unknown unit "${m[2]}" (use k, M, G, T, P or KiB/MB forms)`);
  const base = m[1].startsWith("0x") || m[1].startsWith("0X") ? parseInt(m[1], 16) : Number(m[1]);
  const v = base * unit;
  if (!Number.isSafeInteger(v)) throw new Error(`"${text}" is not a whole number of bytes below 2^53`);
  return v;
}

/** An integer as nvme-cli accepts it: decimal or 0x hex, within [min, max]. */
export function parseInteger(text: string | number, min: number, max: number, what: string): number {
  let v: number;
  if (typeof text === "number") v = text;
  else {
    const t = text.trim();
    if (/^0x[0-9a-f]+$/i.test(t)) v = parseInt(t, 16);
    else if (/^-?\d+$/.test(t)) v = Number(t);
    else throw new Error(`${what}: "${text}" is not a number`);
  }
  if (!Number.isSafeInteger(v)) throw new Error(`${what}: ${text} is not an integer`);
  if (v < min || v > max) throw new Error(`${what}: ${v} is outside ${min}..${max}`);
  return v;
}

/** A 64-bit unsigned integer (decimal or 0x hex) as a bigint. */
export function parseU64(text: string | number | bigint, what: string): bigint {
  let v: bigint;
  try {
    v = typeof text === "bigint" ? text : BigInt(typeof text === "number" ? text : text.trim());
  } catch {
    throw new Error(`${what}: "${text}" is not a number`);
  }
  if (v < 0n || v > 0xffffffffffffffffn) throw new Error(`${what}: ${text} does not fit 64 bits`);
  return v;
}

export function formatBytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${Number.isInteger(v) ? v : v.toFixed(2)} ${units[i]}`;
}
