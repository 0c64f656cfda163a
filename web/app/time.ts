// Modelled times as the page prints them. One rule everywhere: a time is a whole number of
// nanoseconds, the fraction dropped (floored), as the kernel's ktime_get_ns() and blktrace's
// u64 time are and as blkparse prints them ("%5d.%09lu", src/block/blkparse.ts); the device
// models compute in fractions of a nanosecond, so 184762.67 ns is 184762 ns: "0.000184762" in
// the trace and "184.762 µs" in every view. Digits are cut, never rounded up. No DOM.

/** A modelled time as the kernel would hold it: whole nanoseconds, the fraction dropped. */
export const ktimeNs = (ns: number): number => Math.max(0, Math.floor(ns));

const three = (n: number) => String(n).padStart(3, "0");

/** "850 ns", "184.762 µs", "15.034 ms", "1.250 s": three decimals of the largest unit that fits. */
export function fmtModelled(ns: number): string {
  const t = ktimeNs(ns);
  if (t < 1e3) return `${t} ns`;
  if (t < 1e6) return `${Math.floor(t / 1e3)}.${three(t % 1e3)} µs`;
  if (t < 1e9) return `${Math.floor(t / 1e6)}.${three(Math.floor(t / 1e3) % 1e3)} ms`;
  return `${Math.floor(t / 1e9)}.${three(Math.floor(t / 1e6) % 1e3)} s`;
}

/** Always in µs with three decimals (the Block layer's columns line up): "184.762 µs", "15034.812 µs". */
export function fmtMicros(ns: number): string {
  const t = ktimeNs(ns);
  return `${Math.floor(t / 1e3)}.${three(t % 1e3)} µs`;
}
