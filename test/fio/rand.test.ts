// fio runner's generator (src/fio/run.ts Rand): fill, which draws ahead for a direction with a
// generator of its own, gives exactly the numbers below gives call by call, for powers of two
// (its integer shortcut) and any other range, and leaves the generator in the same state.

import { describe, it, expect } from "vitest";
import { Rand } from "../../src/fio/run";

describe("Rand.fill", () => {
  it("draws what below draws, in order, and moves the state as far", () => {
    const ns = [1, 2, 3, 100, 4096, 262144, 262143, 1 << 27, (1 << 27) + 1, 1 << 28, 2 ** 31, 2 ** 32, 2 ** 40 + 7];
    for (const seed of [0, 1, 7919, 123456789]) {
      for (const n of ns) {
        const a = new Rand(seed);
        const b = new Rand(seed);
        const out = new Float64Array(200);
        for (let round = 0; round < 3; round++) {
          a.fill(out, 200, n);
          for (let i = 0; i < 200; i++) expect(out[i]).toBe(b.below(n));
        }
        expect(a.below(1000)).toBe(b.below(1000));
      }
    }
  });
});
