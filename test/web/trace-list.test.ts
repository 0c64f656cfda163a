// The virtualised list's layout maths (web/views/virtual-list-math.ts): the rows drawn always
// cover the viewport, scroll positions and row positions invert each other, and a million rows
// (taller than any browser lets an element be) stay reachable end to end.

import { describe, it, expect } from "vitest";
import { positionAt, scrollToReveal, scrollTopFor, spacerHeight, windowAt, type ListGeometry } from "../../web/views/virtual-list-math";

const small: ListGeometry = { count: 1000, rowHeight: 20, viewport: 300, maxPx: 8_000_000 };
const million: ListGeometry = { count: 1_000_000, rowHeight: 20, viewport: 600, maxPx: 8_000_000 };

/** Rows [first, end) drawn from `top` cover [scrollTop, scrollTop + viewport), as far as rows exist. */
function covers(st: number, g: ListGeometry): boolean {
  const w = windowAt(st, g);
  const bottom = w.top + (w.end - w.first) * g.rowHeight;
  return w.top <= st + 1e-6 && (bottom >= st + g.viewport - 1e-6 || w.end === g.count);
}

describe("virtual list layout", () => {
  it("draws the rows in view plus the overscan, placed where unscaled rows sit", () => {
    expect(spacerHeight(small)).toBe(20_000);
    expect(windowAt(0, small, 4)).toEqual({ first: 0, end: 20, top: 0 });
    // scrolled 10.5 rows: row 10 is half hidden at the top
    expect(windowAt(210, small, 4)).toEqual({ first: 6, end: 30, top: 120 });
    expect(windowAt(0, { ...small, count: 0 })).toEqual({ first: 0, end: 0, top: 0 });
    expect(windowAt(0, { ...small, count: 3 }, 4)).toEqual({ first: 0, end: 3, top: 0 });
  });

  it("caps the spacer for a million rows and still reaches both ends", () => {
    expect(spacerHeight(million)).toBe(8_000_000);
    const maxScroll = 8_000_000 - 600;
    const end = windowAt(maxScroll, million, 0);
    expect(end.end).toBe(1_000_000);
    // the last row's bottom is the viewport's bottom
    expect(end.top + (end.end - end.first) * 20).toBeCloseTo(maxScroll + 600, 6);
    expect(windowAt(0, million, 0).first).toBe(0);
    // the DOM never holds more than a viewport of rows plus the overscan
    for (const st of [0, 1, 123_456.5, 4_000_000, maxScroll]) {
      const w = windowAt(st, million, 6);
      expect(w.end - w.first).toBeLessThanOrEqual(600 / 20 + 2 + 12);
    }
  });

  it("covers the viewport at every scroll position", () => {
    for (const g of [small, million, { ...million, count: 999_983, rowHeight: 17, viewport: 413 }]) {
      const ms = spacerHeight(g) - g.viewport;
      for (let k = 0; k <= 200; k++) expect(covers((ms * k) / 200, g), `${g.count} at ${k}`).toBe(true);
      expect(covers(ms * 0.3 + 0.25, g)).toBe(true);
    }
  });

  it("maps row positions to scroll positions and back", () => {
    for (const g of [small, million]) {
      for (const pos of [0, 1, 17.5, g.count / 3, g.count - g.viewport / g.rowHeight]) {
        expect(positionAt(scrollTopFor(pos, g), g)).toBeCloseTo(pos, 6);
      }
      // past the end clamps to the last full page
      expect(positionAt(scrollTopFor(g.count + 50, g), g)).toBeCloseTo(g.count - g.viewport / g.rowHeight, 6);
    }
    // unscaled: one row is one rowHeight of scroll
    expect(scrollTopFor(10, small)).toBe(200);
  });

  it("reveals a row by moving as little as possible", () => {
    // rows 10..24 are in view at scrollTop 200 (15 rows of 20 px in 300 px)
    expect(scrollToReveal(12, 200, small)).toBe(200);
    expect(scrollToReveal(5, 200, small)).toBe(100);
    expect(scrollToReveal(30, 200, small)).toBe(31 * 20 - 300);
    for (const i of [0, 499_999, 999_999]) {
      const st = scrollToReveal(i, 0, million);
      const pos = positionAt(st, million);
      expect(i).toBeGreaterThanOrEqual(pos - 1e-6);
      expect(i + 1).toBeLessThanOrEqual(pos + million.viewport / million.rowHeight + 1e-6);
    }
  });
});
