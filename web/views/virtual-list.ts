// A virtualised list for the browser: rows of one fixed height, only those in view (plus a
// few) in the DOM, so a million-line trace scrolls like a short one. It is an ARIA listbox:
// focusable, with an active row (aria-activedescendant) moved by the arrow keys, Page Up/Down
// and Home/End, and each option says its position in the whole list (aria-posinset/setsize).
// The layout maths is virtual-list-math.ts; the caller draws a row's content (renderRow).

import { MAX_SPACER_PX, scrollToReveal, scrollTopFor, spacerHeight, windowAt, positionAt, type ListGeometry } from "./virtual-list-math";

export interface VirtualListOptions {
  /** The accessible name of the list. */
  label: string;
  /** Row height in px (CSS must give the rows this height: see .virtual-list-row). */
  rowHeight: number;
  /** Fill row element el with row i's content (called again when the row changes or on refresh). */
  renderRow(el: HTMLElement, i: number): void;
  /** Called when the active row changes (keyboard, click or setActive). */
  onActive?(i: number): void;
  /** Prefix for the rows' ids (unique in the page). */
  idPrefix: string;
  /** Rows drawn beyond each edge of the viewport. */
  overscan?: number;
  /** Spacer cap, px (tests use a small one to exercise scaling). */
  maxPx?: number;
}

export class VirtualList {
  /** The scrolling box: put it in the page. */
  readonly element: HTMLDivElement;
  private readonly spacer: HTMLDivElement;
  private readonly rows: HTMLDivElement;
  private pool: HTMLDivElement[] = [];
  private count = 0;
  private activeRow = -1;
  /** Bumped by refresh(): rows drawn under an older version are drawn again. */
  private version = 0;
  private frame = 0;
  private viewport = 0;

  constructor(private readonly o: VirtualListOptions) {
    this.rows = document.createElement("div");
    this.rows.className = "virtual-list-rows";
    this.rows.setAttribute("role", "presentation");
    this.spacer = document.createElement("div");
    this.spacer.className = "virtual-list-spacer";
    this.spacer.setAttribute("role", "presentation");
    this.spacer.append(this.rows);
    this.element = document.createElement("div");
    this.element.className = "virtual-list";
    this.element.tabIndex = 0;
    this.element.setAttribute("role", "listbox");
    this.element.setAttribute("aria-label", o.label);
    this.element.append(this.spacer);
    this.element.addEventListener("scroll", () => this.schedule());
    this.element.addEventListener("keydown", (ev) => this.onKey(ev));
    this.element.addEventListener("click", (ev) => {
      const row = (ev.target as HTMLElement).closest<HTMLElement>(".virtual-list-row");
      if (row?.dataset.index !== undefined) this.setActive(Number(row.dataset.index), false);
    });
    new ResizeObserver(() => this.schedule()).observe(this.element);
  }

  get size(): number {
    return this.count;
  }

  get active(): number {
    return this.activeRow;
  }

  private geometry(): ListGeometry {
    return { count: this.count, rowHeight: this.o.rowHeight, viewport: this.viewport, maxPx: this.o.maxPx ?? MAX_SPACER_PX };
  }

  /** Replace the list's length; the view goes back to the top and no row is active. */
  setCount(n: number): void {
    this.count = n;
    this.activeRow = -1;
    this.element.removeAttribute("aria-activedescendant");
    this.version++;
    this.element.scrollTop = 0;
    this.render();
  }

  /** Draw the visible rows again (their content changed, e.g. a search highlight). */
  refresh(): void {
    this.version++;
    this.render();
  }

  /** The (fractional) row at the top of the viewport. */
  topPosition(): number {
    return positionAt(this.element.scrollTop, this.geometry());
  }

  /** Scroll so row i is at the top. */
  scrollToRow(i: number): void {
    this.element.scrollTop = Math.floor(scrollTopFor(i, this.geometry()));
    this.render();
  }

  /** Make row i the active one and, unless reveal is false, scroll it into view. */
  setActive(i: number, reveal = true): void {
    if (this.count === 0) return;
    const row = Math.min(Math.max(0, Math.trunc(i)), this.count - 1);
    this.activeRow = row;
    this.element.setAttribute("aria-activedescendant", `${this.o.idPrefix}-${row}`);
    if (reveal) {
      this.measure();
      const now = this.element.scrollTop;
      const to = scrollToReveal(row, now, this.geometry());
      // scrollTop may be rounded to a whole px: round away from the row, so it is fully in view
      if (to !== now) this.element.scrollTop = to > now ? Math.ceil(to) : Math.floor(to);
    }
    this.version++;
    this.render();
    this.o.onActive?.(row);
  }

  private measure(): void {
    this.viewport = this.element.clientHeight;
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  /** Draw the rows in view now (also called from the scroll handler, once per frame). */
  render(): void {
    this.measure();
    const g = this.geometry();
    this.spacer.style.height = `${spacerHeight(g)}px`;
    const w = windowAt(this.element.scrollTop, g, this.o.overscan ?? 6);
    const n = w.end - w.first;
    while (this.pool.length < n) {
      const el = document.createElement("div");
      el.className = "virtual-list-row";
      el.setAttribute("role", "option");
      this.pool.push(el);
      this.rows.append(el);
    }
    while (this.pool.length > n) this.pool.pop()!.remove();
    this.rows.style.transform = `translateY(${w.top}px)`;
    const setsize = String(this.count);
    for (let k = 0; k < n; k++) {
      const i = w.first + k;
      const el = this.pool[k];
      const key = `${i}/${this.version}`;
      if (el.dataset.key === key) continue;
      el.dataset.key = key;
      el.dataset.index = String(i);
      el.id = `${this.o.idPrefix}-${i}`;
      el.setAttribute("aria-posinset", String(i + 1));
      el.setAttribute("aria-setsize", setsize);
      const on = i === this.activeRow;
      el.setAttribute("aria-selected", String(on));
      el.classList.toggle("active", on);
      this.o.renderRow(el, i);
    }
  }

  private onKey(ev: KeyboardEvent): void {
    if (this.count === 0) return;
    const page = Math.max(1, Math.floor(this.viewport / this.o.rowHeight) - 1);
    const from = this.activeRow >= 0 ? this.activeRow : Math.ceil(this.topPosition()) - 1;
    let to: number;
    switch (ev.key) {
      case "ArrowDown": to = from + 1; break;
      case "ArrowUp": to = this.activeRow >= 0 ? from - 1 : from + 1; break;
      case "PageDown": to = from + page; break;
      case "PageUp": to = from - page; break;
      case "Home": to = 0; break;
      case "End": to = this.count - 1; break;
      default: return;
    }
    ev.preventDefault();
    this.setActive(to);
  }
}
