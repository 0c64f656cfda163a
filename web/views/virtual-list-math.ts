// Layout maths of the virtualised list (virtual-list.ts), without DOM: which rows a scroll
// position shows and where to draw them. Rows have one fixed height. A list taller than
// browsers let an element be (Chromium clamps near 33.5 million px, Firefox near 17.9
// million) is drawn in a spacer of at most maxPx, and the scroll position maps to a row
// position in proportion, so a million rows stay reachable end to end.

export interface ListGeometry {
  count: number;
  rowHeight: number;
  /** The scrolling box's client height, px. */
  viewport: number;
  /** Tallest spacer used; beyond it the scroll position is scaled. */
  maxPx: number;
}

/** Default cap on the spacer's height: well under every browser's limit. */
export const MAX_SPACER_PX = 8_000_000;

export function spacerHeight(g: ListGeometry): number {
  return Math.min(g.count * g.rowHeight, g.maxPx);
}

const scaled = (g: ListGeometry) => g.count * g.rowHeight > g.maxPx;

/** Rows that fit in the viewport (fractional). */
const rowsInView = (g: ListGeometry) => g.viewport / g.rowHeight;

/** Highest first-row position (fractional): the last row at the bottom of the viewport. */
function maxPosition(g: ListGeometry): number {
  return Math.max(0, g.count - rowsInView(g));
}

function maxScroll(g: ListGeometry): number {
  return Math.max(0, spacerHeight(g) - g.viewport);
}

/** The (fractional) row at the top of the viewport for a scroll position. */
export function positionAt(scrollTop: number, g: ListGeometry): number {
  if (!scaled(g)) return Math.max(0, scrollTop) / g.rowHeight;
  const ms = maxScroll(g);
  return ms > 0 ? (Math.min(Math.max(0, scrollTop), ms) / ms) * maxPosition(g) : 0;
}

/** The scroll position that puts (fractional) row position pos at the top of the viewport. */
export function scrollTopFor(pos: number, g: ListGeometry): number {
  const p = Math.min(Math.max(0, pos), maxPosition(g));
  if (!scaled(g)) return p * g.rowHeight;
  const mp = maxPosition(g);
  return mp > 0 ? (p / mp) * maxScroll(g) : 0;
}

export interface ListWindow {
  /** First row drawn (inclusive) and last (exclusive). */
  first: number;
  end: number;
  /** Where, inside the spacer, the first drawn row's top goes (px). */
  top: number;
}

/**
 * The rows to draw at a scroll position: those in the viewport plus `overscan` on each side,
 * and where the first goes so that rows move smoothly with the scroll.
 */
export function windowAt(scrollTop: number, g: ListGeometry, overscan = 4): ListWindow {
  if (g.count === 0) return { first: 0, end: 0, top: 0 };
  const pos = positionAt(scrollTop, g);
  const top0 = Math.floor(pos);
  // the top row's own top, px inside the spacer: scrollTop minus how far it is scrolled past
  const rowTop = Math.max(0, scrollTop) - (pos - top0) * g.rowHeight;
  const first = Math.max(0, top0 - overscan);
  const end = Math.min(g.count, top0 + Math.ceil(rowsInView(g)) + 1 + overscan);
  return { first, end, top: rowTop - (top0 - first) * g.rowHeight };
}

/**
 * The scroll position that brings row i fully into view, moving as little as possible; the
 * current position when it already is.
 */
export function scrollToReveal(i: number, scrollTop: number, g: ListGeometry): number {
  const pos = positionAt(scrollTop, g);
  if (i < pos) return scrollTopFor(i, g);
  if (i + 1 > pos + rowsInView(g)) return scrollTopFor(i + 1 - rowsInView(g), g);
  return scrollTop;
}
