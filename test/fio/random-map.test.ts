// fio's random map (src/fio/random-map.ts): held against a plain list of used blocks over random
// marks at every size from one word to four levels; exhausted exactly when every block is used.

import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { RandomMap } from "../../src/fio/random-map";

/** The reference: axmap_next_free over a plain array (first free after b, else the first free). */
function nextFreeRef(used: boolean[], b: number): number {
  for (let i = b + 1; i < used.length; i++) if (!used[i]) return i;
  for (let i = 0; i < used.length; i++) if (!used[i]) return i;
  return -1;
}

describe("RandomMap (fio's axmap)", () => {
  it("finds the next free block after a used one, wrapping to the first free, as a plain list does", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40_000 }),
        fc.constantFrom(0, 0.5, 0.97, 0.9995),
        fc.array(fc.nat(), { maxLength: 150 }),
        fc.nat(),
        (blocks, density, picks, seed) => {
          const map = new RandomMap(blocks);
          const used = new Array<boolean>(blocks).fill(false);
          // fill most of the map first, so the searches cross full words and full levels
          let x = seed >>> 0;
          for (let i = 0; i < blocks; i++) {
            x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
            if (x / 4294967296 < density) { map.mark(i); used[i] = true; }
          }
          for (const p of picks) {
            if (map.exhausted) {
              expect(used.every((u) => u)).toBe(true);
              map.reset();
              used.fill(false);
            }
            const b = p % blocks;
            expect(map.isFree(b)).toBe(!used[b]);
            const want = nextFreeRef(used, b);
            expect(map.nextFree(b)).toBe(want);
            const take = used[b] ? want : b;
            map.mark(take);
            used[take] = true;
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it("is exhausted exactly when full, for whole and partial last words on every level", () => {
    for (const blocks of [1, 31, 32, 33, 64, 1024, 1024 + 32, 32 * 32 * 32 + 1, 70]) {
      const map = new RandomMap(blocks);
      for (let i = 0; i < blocks; i++) {
        expect(map.exhausted).toBe(false);
        const p = (i * 7919) % blocks;
        const b = map.isFree(p) ? p : map.nextFree(p);
        expect(b).toBeGreaterThanOrEqual(0);
        expect(b).toBeLessThan(blocks);
        map.mark(b);
      }
      expect(map.exhausted).toBe(true);
      expect(map.nextFree(0)).toBe(-1);
      map.reset();
      expect(map.isFree(blocks - 1)).toBe(true);
    }
  });

  it("take(b) is b when free, else the next free block, marked; a full map starts a new pass (as isFree, nextFree, mark and reset)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5000 }), fc.array(fc.nat(), { maxLength: 6_000 }), (blocks, picks) => {
        const map = new RandomMap(blocks);
        const ref = new RandomMap(blocks);
        for (const p of picks) {
          const b = p % blocks;
          if (ref.exhausted) ref.reset();
          const want = ref.isFree(b) ? b : ref.nextFree(b);
          ref.mark(want);
          expect(map.take(b)).toBe(want);
          expect(map.exhausted).toBe(ref.exhausted);
        }
        for (let b = 0; b < blocks; b++) expect(map.isFree(b)).toBe(ref.isFree(b));
      }),
      { numRuns: 40 },
    );
  });

  it("refuses a block marked twice and a map of no blocks", () => {
    const map = new RandomMap(10);
    map.mark(3);
    expect(() => map.mark(3)).toThrow("random map: block 3 is already used");
    expect(() => new RandomMap(0)).toThrow("a random map needs at least one block (got 0)");
  });
});
