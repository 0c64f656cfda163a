// Shared helpers for the nvme-cli style printers: little-endian field readers and the
// C printf conventions nvme-cli's output depends on (%#x printing 0 as "0", %#0*x, %-.*s
// stopping at NUL, glibc's round-half-even %.2f, 128-bit decimal counters, °C/°F strings).
// Pure functions, no I/O.

export function u8(d: Uint8Array, off: number): number {
  return d[off] ?? 0;
}

export function u16(d: Uint8Array, off: number): number {
  return u8(d, off) | (u8(d, off + 1) << 8);
}

export function u32(d: Uint8Array, off: number): number {
  return (u16(d, off) | (u16(d, off + 2) << 16)) >>> 0;
}

export function u64(d: Uint8Array, off: number): bigint {
  return BigInt(u32(d, off)) | (BigInt(u32(d, off + 4)) << 32n);
}

export function u128(d: Uint8Array, off: number): bigint {
  return u64(d, off) | (u64(d, off + 8) << 64n);
}

/** A JSON-friendly integer: a number when it is exactly representable, else a bigint. */
export function jnum(v: bigint | number): number | bigint {
  if (typeof v === "number") return v;
  return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/** C "%#x" of an unsigned value: "0" for zero, "0x.." otherwise. */
export function hex(v: number | bigint): string {
  const b = typeof v === "bigint" ? v : BigInt(Math.trunc(v));
  return b === 0n ? "0" : "0x" + b.toString(16);
}

/** C "%#0*x": zero padded to width including the "0x"; zero prints as width zeros. */
export function hexPad(v: number | bigint, width: number): string {
  const b = typeof v === "bigint" ? v : BigInt(v);
  if (b === 0n) return "0".repeat(width);
  return "0x" + b.toString(16).padStart(width - 2, "0");
}

/** C "%0*x" (no prefix). */
export function hex0(v: number | bigint, width: number): string {
  const b = typeof v === "bigint" ? v : BigInt(v);
  return b.toString(16).padStart(width, "0");
}

/** C "%*s" (right-justified). */
export function padL(s: string | number, width: number): string {
  return String(s).padStart(width, " ");
}

/** C "%-*s" (left-justified). */
export function padR(s: string | number, width: number): string {
  return String(s).padEnd(width, " ");
}

/** C "%-.*s" over a fixed-size char field: the bytes up to the first NUL, as Latin-1. */
export function cStr(d: Uint8Array, off: number, len: number): string {
  let s = "";
  for (let i = 0; i < len; i++) {
    const c = u8(d, off + i);
    if (c === 0) break;
    s += String.fromCharCode(c);
  }
  return s;
}

/** libnvme's uuid string: 8-4-4-4-12 lower-case hex. */
export function uuidString(d: Uint8Array, off: number): string {
  let h = "";
  for (let i = 0; i < 16; i++) h += hex0(u8(d, off + i), 2);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Bytes as "%02x" each, in order (nguid, eui64). */
export function hexBytes(d: Uint8Array, off: number, len: number): string {
  let h = "";
  for (let i = 0; i < len; i++) h += hex0(u8(d, off + i), 2);
  return h;
}

/**
 * C "%.*f" as glibc prints it: the exact binary value rounded to prec digits, ties to even.
 * (Number.prototype.toFixed rounds exact ties up.)
 */
export function cFixed(x: number, prec: number): string {
  if (!Number.isFinite(x)) return String(x);
  const neg = x < 0 || Object.is(x, -0);
  const ax = Math.abs(x);
  if (ax >= 1e21) return (neg ? "-" : "") + BigInt(Math.round(ax)).toString() + (prec > 0 ? "." + "0".repeat(prec) : "");
  // toFixed(100) is the exact decimal expansion for doubles in this range.
  const exact = ax.toFixed(100);
  const dot = exact.indexOf(".");
  const intPart = exact.slice(0, dot);
  const frac = exact.slice(dot + 1);
  const keep = intPart + frac.slice(0, prec);
  const rest = frac.slice(prec);
  let digits = BigInt(keep);
  const first = rest.charCodeAt(0) - 48;
  const tail = rest.slice(1).replace(/0+$/, "");
  if (first > 5 || (first === 5 && tail.length > 0) || (first === 5 && tail.length === 0 && digits % 2n === 1n)) digits += 1n;
  let s = digits.toString().padStart(prec + 1, "0");
  if (prec > 0) s = s.slice(0, s.length - prec) + "." + s.slice(s.length - prec);
  return (neg && digits !== 0n ? "-" : "") + s;
}

/** uint128_t_to_l10n_string in the C locale (no thousands separator). */
export function l10n(v: bigint): string {
  return v.toString();
}

const SI_LD: Array<[number, string]> = [
  [1e30, "Q"], [1e27, "R"], [1e24, "Y"], [1e21, "Z"], [1e18, "E"],
  [1e15, "P"], [1e12, "T"], [1e9, "G"], [1e6, "M"], [1e3, "k"], [1e0, ""],
];

/** uint128_t_to_si_string: value * bytesPerUnit scaled by 1000s, "%.2Lf %sB". */
export function siString(v: bigint, bytesPerUnit: number): string {
  let bytes = Number(v) * bytesPerUnit;
  let suffix = "";
  for (const [mag, s] of SI_LD) {
    if (bytes >= mag) { bytes /= mag; suffix = s; break; }
  }
  return `${cFixed(bytes, 2)} ${suffix}B`;
}

/** suffix_si_get (double): returns [scaled value, suffix]; 0 keeps suffix "". */
export function suffixSi(value: number): [number, string] {
  const table: Array<[number, string]> = [
    [1e15, "P"], [1e12, "T"], [1e9, "G"], [1e6, "M"], [1e3, "k"], [1e0, ""],
    [1e-3, "m"], [1e-6, "u"], [1e-9, "n"], [1e-12, "p"], [1e-15, "f"],
  ];
  for (const [mag, s] of table) if (value >= mag) return [value / mag, s];
  return [value, ""];
}

/** suffix_binary_get (integer, rounded to nearest unit). */
export function suffixBinary(value: number): [number, string] {
  const table: Array<[number, string]> = [[50, "Pi"], [40, "Ti"], [30, "Gi"], [20, "Mi"], [10, "Ki"]];
  for (const [shift, s] of table) {
    const unit = 2 ** shift;
    if (Math.abs(value) >= unit) return [Math.trunc((value + unit / 2) / unit), s];
  }
  return [value, ""];
}

/** Kelvin to Celsius and Fahrenheit the way nvme-cli does it (C long arithmetic). */
export function kelvinToCelsius(k: number): number {
  return k - 273;
}

export function kelvinToFahrenheit(k: number): number {
  return Math.trunc((kelvinToCelsius(k) * 9) / 5) + 32;
}

/** nvme_degrees_string for normal (text) output: "40 °C". */
export function degrees(k: number): string {
  return `${kelvinToCelsius(k)} °C`;
}

/** nvme_degrees_fahrenheit_string for normal (text) output: "104 °F". */
export function degreesF(k: number): string {
  return `${kelvinToFahrenheit(k)} °F`;
}

/** "" or "Not " for the "%sSupported" pattern. */
export function not(v: number | boolean): string {
  return v ? "" : "Not ";
}
