// Modelled times as the page prints them (web/app/time.ts): whole nanoseconds, floored as
// the kernel's ktime and blkparse's "%5d.%09lu" are, so the views and the trace agree to the
// nanosecond; units from ns to s, digits cut, never rounded up.

import { describe, it, expect } from "vitest";
import { ktimeNs, fmtModelled, fmtMicros } from "../../web/app/time";
import { formatEvent } from "../../src/block/blkparse";
import type { BlkEvent } from "../../src/block/trace";

describe("modelled times", () => {
  it("drop the fraction of a nanosecond, as blkparse does: 184762.67 ns is 184.762 µs and 0.000184762", () => {
    expect(ktimeNs(184762.66666666666)).toBe(184762);
    expect(fmtModelled(184762.66666666666)).toBe("184.762 µs");
    expect(fmtMicros(184762.66666666666)).toBe("184.762 µs");
    const c = { seq: 7, time_ns: 184762.66666666666, cpu: 0, pid: 0, comm: "swapper", major: 259, minor: 0, action: "C", rwbs: "W", sector: 0, sectors: 1024 } as BlkEvent;
    expect(formatEvent(c)).toContain(" 0.000184762 ");
  });

  it("pick the largest unit that fits, with three decimals", () => {
    expect(fmtModelled(0)).toBe("0 ns");
    expect(fmtModelled(999.9)).toBe("999 ns");
    expect(fmtModelled(1000)).toBe("1.000 µs");
    expect(fmtModelled(286682.67)).toBe("286.682 µs");
    expect(fmtModelled(999999.99)).toBe("999.999 µs");
    // a long run: ms, not "15034.8 µs"
    expect(fmtModelled(15034812.5)).toBe("15.034 ms");
    expect(fmtModelled(1_250_000_000)).toBe("1.250 s");
    expect(fmtMicros(15034812.5)).toBe("15034.812 µs");
    expect(fmtModelled(-5)).toBe("0 ns");
  });
});
