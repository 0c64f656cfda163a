// A tiny DOM builder for the playground's views: h("tag", {attrs}, ...children) and table
// helpers. Browser-only; no framework.

type Child = Node | string | number | null | undefined | false | Child[];
type Attrs = Record<string, string | number | boolean | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs | null = null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === false) continue;
    if (k === "class") el.className = String(v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  append(el, children);
  return el;
}

function append(el: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.appendChild(typeof c === "object" ? c : document.createTextNode(String(c)));
  }
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing from index.html`);
  return el as T;
}

/** Replace el's content. */
export function show(el: HTMLElement, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

let captionSeq = 0;

/**
 * A table under its caption: the caption stays put (and names the table for assistive
 * technology) while the table scrolls sideways inside its card when the window is narrow.
 */
export function captioned(caption: string, tableEl: HTMLTableElement): HTMLElement {
  const id = `caption-${++captionSeq}`;
  tableEl.setAttribute("aria-labelledby", id);
  return h("div", { class: "table-block" }, h("p", { class: "caption", id }, caption), h("div", { class: "table-wrap" }, tableEl));
}

/** A table with a caption, a header row and body rows whose first cell is a row header. */
export function table(caption: string, head: string[], rows: Child[][], cls = ""): HTMLElement {
  return captioned(caption,
    h("table", { class: cls || undefined },
      h("thead", null, h("tr", null, head.map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", null, rows.map((r) => h("tr", null, r.map((c, i) => (i === 0 ? h("th", { scope: "row" }, c) : h("td", null, c))))))));
}
