// The Media view: what the last run's controller holds on its namespaces. A hexdump -C window
// over a namespace's LBAs with the blocks the selected command wrote highlighted (by default
// the last Write, Write Zeroes or Copy; a Copy's source ranges in a second colour, and each
// destination block checked against its source), the run's commands that changed the media
// and the LBAs that hold data (both virtualised listboxes), the media hash, and export and
// import of raw images that QEMU's nvme-ns opens (-drive format=raw). The bytes come from
// the lab in the host worker (web/host.worker.ts); the layout maths is in media-model.ts.

import * as Comlink from "comlink";
import { h, show } from "../dom";
import type { ViewContext } from "../app/view";
import { experiment } from "../app/experiments";
import { decodeStatus } from "../decode";
import type { LabNamespace, LabRun } from "../../src/lab/session";
import * as M from "./media-model";
import "./media.css";

/** Height of one listbox row in px (the listboxes draw only the rows in view). */
const ROW_PX = 30;

// ---- a virtualised listbox (WAI-ARIA listbox with aria-activedescendant) ----

interface ListboxOptions {
  id: string;
  label: string;
  /** Visible rows before it scrolls. */
  rows: number;
  text(i: number): string;
  cls?(i: number): string | undefined;
  /** The user chose row i (click, Enter/Space, or moving with the arrow keys). */
  choose(i: number): void;
}

class VirtualListbox {
  readonly el: HTMLDivElement;
  private readonly spacer: HTMLDivElement;
  private count = 0;
  private active = -1;
  private selected = -1;

  constructor(private readonly o: ListboxOptions) {
    this.spacer = h("div", { class: "vlist-spacer" });
    this.el = h("div", { class: "vlist", role: "listbox", id: o.id, tabindex: 0, "aria-label": o.label }, this.spacer);
    this.el.addEventListener("scroll", () => this.render());
    this.el.addEventListener("keydown", (ev) => this.key(ev));
    this.el.addEventListener("click", (ev) => {
      const row = (ev.target as HTMLElement).closest<HTMLElement>("[data-i]");
      if (row) this.pick(Number(row.dataset.i), true);
    });
  }

  /** New contents: n rows, with row `selected` chosen (and shown). */
  set(n: number, selected: number): void {
    this.count = n;
    this.selected = selected;
    this.active = selected >= 0 ? selected : n > 0 ? 0 : -1;
    this.el.style.height = `${Math.max(1, Math.min(n, this.o.rows)) * ROW_PX + 2}px`;
    this.spacer.style.height = `${n * ROW_PX}px`;
    this.reveal();
    this.render();
  }

  private pick(i: number, choose: boolean): void {
    if (i < 0 || i >= this.count) return;
    this.active = i;
    if (choose) this.selected = i;
    this.reveal();
    this.render();
    if (choose) this.o.choose(i);
  }

  private key(ev: KeyboardEvent): void {
    const page = Math.max(1, this.o.rows - 1);
    const to = ev.key === "ArrowDown" ? this.active + 1 : ev.key === "ArrowUp" ? this.active - 1
      : ev.key === "PageDown" ? this.active + page : ev.key === "PageUp" ? this.active - page
        : ev.key === "Home" ? 0 : ev.key === "End" ? this.count - 1 : undefined;
    if (to !== undefined) {
      ev.preventDefault();
      // selection follows focus, as in a single-select listbox
      this.pick(Math.max(0, Math.min(this.count - 1, to)), true);
    } else if (ev.key === "Enter" || ev.key === " ") {
      ev.preventDefault();
      this.pick(this.active, true);
    }
  }

  /** Scroll so the active row is drawn and visible. */
  private reveal(): void {
    if (this.active < 0) return;
    const top = this.active * ROW_PX;
    const view = this.el.clientHeight || this.o.rows * ROW_PX;
    if (top < this.el.scrollTop) this.el.scrollTop = top;
    else if (top + ROW_PX > this.el.scrollTop + view) this.el.scrollTop = top + ROW_PX - view;
  }

  private render(): void {
    const view = this.el.clientHeight || this.o.rows * ROW_PX;
    const first = Math.max(0, Math.floor(this.el.scrollTop / ROW_PX) - 2);
    const last = Math.min(this.count, Math.ceil((this.el.scrollTop + view) / ROW_PX) + 2);
    const rows: HTMLElement[] = [];
    for (let i = first; i < last; i++) {
      const text = this.o.text(i);
      rows.push(h("div", {
        class: ["vlist-row", this.o.cls?.(i), i === this.active ? "active" : undefined].filter(Boolean).join(" "),
        role: "option", id: `${this.o.id}-${i}`, "data-i": i, title: text,
        "aria-selected": String(i === this.selected), "aria-posinset": i + 1, "aria-setsize": this.count,
        style: `top:${i * ROW_PX}px;height:${ROW_PX}px`,
      }, text));
    }
    show(this.spacer, rows);
    if (this.active >= 0 && this.active >= first && this.active < last) this.el.setAttribute("aria-activedescendant", `${this.o.id}-${this.active}`);
    else this.el.removeAttribute("aria-activedescendant");
  }
}

// ---- the view ----

interface BlockDump {
  lba: number;
  data: Uint8Array;
  md: Uint8Array;
  mark: M.Mark;
  /** A Copy destination block: the source block it came from and whether it holds the same bytes now. */
  source?: { lba: number; nsid: number; range: number; same: boolean };
}

export function mountMedia(panel: HTMLElement, ctx: ViewContext): void {
  const { store, host } = ctx;

  // what the view shows, for the run it was loaded for
  let loadedSeq = -1;
  let run: LabRun | undefined;
  let ns: LabNamespace | undefined;
  let commands: M.MediaCommand[] = [];
  let chosen: M.MediaCommand | undefined;
  let highlight: M.Highlight | undefined;
  let stored: M.LbaRange[] = [];
  let start = 0;
  let size = 2;
  let squeeze = true;
  /** Per namespace: the image that replaced the run's media, if any. */
  const imported = new Map<number, string>();
  /** The experiment the run came from (the store's may change before the next run). */
  let runExperiment: { id?: string; edited: boolean; seq: number } = { id: store.state.experiment, edited: store.state.edited, seq: store.state.runSeq };
  /** Bumped for every new request, so a late answer for an old one is dropped. */
  let token = 0;

  // ---- elements (built once; the run's data fills them) ----
  const intro = h("p", { class: "hint" });
  const nsSelect = h("select", { id: "media-ns" });
  const nsMeta = h("p", { class: "meta", id: "media-ns-meta" });
  const hashOut = h("code", { class: "media-hash", id: "media-hash" });
  const hashNote = h("span", { class: "muted", id: "media-hash-note" });

  const lbaInput = h("input", { id: "media-lba", type: "text", inputmode: "text", autocomplete: "off", spellcheck: "false", size: 12, "aria-describedby": "media-lba-help" });
  const goButton = h("button", { type: "button" }, "Go");
  const prevButton = h("button", { type: "button" }, "◀ Previous");
  const nextButton = h("button", { type: "button" }, "Next ▶");
  const sizeSelect = h("select", { id: "media-size" }, M.WINDOW_CHOICES.map((n) => h("option", { value: n }, `${n} block${n === 1 ? "" : "s"}`)));
  const squeezeBox = h("input", { id: "media-squeeze", type: "checkbox", checked: true });
  const lbaError = h("p", { class: "media-error", role: "alert", id: "media-lba-error", hidden: true });
  const legend = h("div", { class: "media-legend", id: "media-legend" });
  const dump = h("div", { class: "media-dump", id: "media-dump", role: "region", tabindex: 0, "aria-describedby": "media-keys", "aria-keyshortcuts": "ArrowUp ArrowDown PageUp PageDown Home End" });
  const dumpCmd = h("p", { class: "meta", id: "media-dump-cmd" });

  const cmdList = new VirtualListbox({
    id: "media-cmds", label: "Commands that changed the media", rows: 8,
    text: (i) => commandText(commands[i]),
    cls: (i) => (commands[i].cmd.status ? "bad" : undefined),
    choose: (i) => choose(commands[i], true),
  });
  const cmdCaption = h("p", { class: "caption", id: "media-cmds-caption" });
  const storedList = new VirtualListbox({
    id: "media-stored", label: "LBAs that hold data", rows: 6,
    text: (i) => { const r = stored[i]; return `LBA ${r.lba}-${r.lba + r.count - 1} · ${r.count} blocks (${M.sizeText(r.count * (ns?.lbaBytes ?? 512))})`; },
    choose: (i) => goTo(stored[i].lba),
  });
  const storedCaption = h("p", { class: "caption", id: "media-stored-caption" });

  const exportButton = h("button", { type: "button", class: "primary" }, "Export image");
  const importInput = h("input", { id: "media-import", type: "file", accept: ".img,.raw,.bin,application/octet-stream" });
  const imageOut = h("div", { class: "media-image-out", id: "media-image-out", "aria-live": "polite" });
  const imageError = h("p", { class: "media-error", role: "alert", id: "media-image-error", hidden: true });
  const qemuOut = h("pre", { class: "media-qemu", id: "media-qemu", "aria-label": "QEMU options for this image" });

  const body = h("div", { class: "media" },
    h("section", { class: "card", "aria-labelledby": "media-ns-h" },
      h("h2", { id: "media-ns-h" }, "Namespace"),
      h("div", { class: "controls" },
        h("label", { for: "media-ns" }, "Namespace "), nsSelect),
      nsMeta,
      h("p", { class: "media-hash-line" }, h("span", { id: "media-hash-label" }, "Media hash "),
        h("abbr", { title: "sha256 of the data area, unwritten blocks as zeroes: the QEMU oracle's media_hash" }, "(sha256 of the data area)"), ": ", hashOut, " ", hashNote)),
    h("div", { class: "media-grid" },
      h("section", { class: "card media-hex", "aria-labelledby": "media-hex-h" },
        h("h2", { id: "media-hex-h" }, "Hexdump"),
        h("div", { class: "controls" },
          h("span", { class: "pair" }, h("label", { for: "media-lba" }, "LBA or offset "), lbaInput, goButton),
          h("span", { class: "pair" }, prevButton, nextButton),
          h("span", { class: "pair" }, h("label", { for: "media-size" }, "Show "), sizeSelect),
          h("label", { class: "check" }, squeezeBox, " squeeze repeated lines (*)")),
        h("p", { class: "meta", id: "media-lba-help" }, "An LBA (8192, 0x2000) or a byte offset as the scenarios write it (4M, 4104k); Enter goes there."),
        lbaError,
        legend,
        h("p", { class: "meta", id: "media-keys" }, "In the hexdump: ↑/↓ one LBA, Page Up/Page Down one window, Home/End the first/last LBA; Space/Shift+Space scroll a long window."),
        dump,
        dumpCmd),
      h("div", { class: "media-side" },
        h("section", { class: "card", "aria-labelledby": "media-cmds-h" },
          h("h2", { id: "media-cmds-h" }, "Commands that wrote"),
          h("p", { class: "hint" }, "The run's NVMe commands that changed this namespace, in submission order. Choose one (click, or ↑/↓ in the list) to highlight its LBAs and go there."),
          cmdCaption, cmdList.el),
        h("section", { class: "card", "aria-labelledby": "media-stored-h" },
          h("h2", { id: "media-stored-h" }, "Stored LBAs"),
          h("p", { class: "hint" }, "Runs of LBAs the media stores (by chunk; everything else reads as zeroes). Choose one to go there."),
          storedCaption, storedList.el))),
    h("section", { class: "card", "aria-labelledby": "media-img-h" },
      h("h2", { id: "media-img-h" }, "Raw image"),
      h("p", { class: "hint" }, "The namespace as a raw image, as QEMU's nvme-ns keeps it: the data of every block, then (for formats with metadata) the metadata of every block. QEMU opens it as a drive with format=raw; an image QEMU wrote imports here the same way. Importing replaces the namespace's contents in the last run's controller (a file of the wrong size changes nothing)."),
      h("div", { class: "controls" },
        exportButton,
        h("label", { for: "media-import", class: "media-import-label" }, "Import image "), importInput),
      imageError,
      imageOut,
      h("p", { class: "meta" }, "QEMU (e.g. qemu-system-x86_64 … with these options):"),
      qemuOut));

  const empty = h("section", { class: "card" },
    h("p", { class: "hint", id: "media-empty" }),
    h("div", { class: "controls" }, (() => {
      const b = h("button", { type: "button", class: "primary" }, "Open Experiments");
      b.addEventListener("click", () => ctx.navigate("experiments"));
      return b;
    })()));

  // ---- drawing ----

  function commandText(c: M.MediaCommand): string {
    const st = c.cmd.status === undefined ? "no completion" : decodeStatus(c.cmd.status).name;
    return `#${c.index + 1} ${M.describeCommand(c.cmd)} · ${c.cmd.disk} · ${st}`;
  }

  function windowLabel(): string {
    if (!ns) return "Hexdump";
    const n = M.windowCount(ns, start, size);
    return `Hexdump of namespace ${ns.nsid}, LBA ${start}${n > 1 ? `-${start + n - 1}` : ""}`;
  }

  function drawIntro(): void {
    if (!run) return;
    const x = experiment(runExperiment.id);
    show(intro,
      h("strong", null, `The media of the last run's controller`),
      ` (run #${runExperiment.seq}${x ? `: ${x.title}` : ""}${runExperiment.edited ? ", setup edited" : ""}). `,
      "Each run builds its own controller and the lab keeps it until the next run: this is that controller's media after the run's last step, not the Controller tab's or the console's. Run again and this view follows the new run.");
  }

  function drawLegend(): void {
    const items: Array<HTMLElement | string> = [];
    if (highlight && chosen) {
      const hl = highlight;
      const kind = hl.kind === "copy-destination" ? "Copy destination" : hl.kind === "zeroed" ? "zeroed" : hl.kind === "deallocated" ? "deallocated" : "written";
      items.push(h("span", { class: "swatch dst", "aria-hidden": "true" }), ` ${kind}`);
      if (hl.sources.length) items.push(h("span", { class: "swatch src", "aria-hidden": "true" }), " Copy source");
      const jumps = [
        ...hl.written.map((r) => ({ r, what: hl.kind === "copy-destination" ? "destination" : kind })),
        ...hl.sources.map((r, i) => ({ r, what: `source range ${i}` })),
      ].slice(0, 9).map(({ r, what }) => {
        const b = h("button", { type: "button", class: "link" }, `${what}: LBA ${r.lba}`);
        b.addEventListener("click", () => goTo(r.lba));
        return b;
      });
      show(legend,
        h("p", { class: "media-chosen" }, h("strong", null, chosen === M.lastWriter(commands, ns!.nsid) ? "The last write: " : "Chosen: "),
          `#${chosen.index + 1} ${M.describeCommand(chosen.cmd)} — it ${M.describeHighlight(hl)}.`),
        hl.note ? h("p", { class: "media-error" }, `This command ${hl.note}.`) : null,
        imported.has(ns!.nsid) ? h("p", { class: "media-note" }, `The media was replaced by importing ${imported.get(ns!.nsid)}: the marks say what the run's command wrote, the bytes are the imported image's.`) : null,
        h("p", { class: "media-keys-legend" }, items, jumps.length ? h("span", { class: "jumps" }, " Go to: ", jumps) : null));
    } else {
      show(legend, h("p", { class: "media-chosen" }, "No command of the run wrote to this namespace; nothing is highlighted."));
    }
  }

  function drawNamespace(): void {
    if (!ns || !run) return;
    const hit = stored.reduce((n, r) => n + r.count, 0);
    show(nsMeta,
      `nvme0n${ns.nsid}: ${ns.blocks} LBAs of ${ns.lbaBytes} bytes${ns.metadataBytes ? ` + ${ns.metadataBytes} bytes of metadata` : ""} (${M.sizeText(ns.blocks * ns.lbaBytes)}); `,
      `${hit} LBAs hold data in ${stored.length} run${stored.length === 1 ? "" : "s"}; image ${ns.imageBytes} bytes (${M.sizeText(ns.imageBytes)}).`);
    show(qemuOut, M.qemuArgs(M.imageName(runExperiment.id, ns.nsid), ns));
    show(cmdCaption, `${commands.length} command${commands.length === 1 ? "" : "s"} of ${run.commands.length}`);
    show(storedCaption, `${stored.length} run${stored.length === 1 ? "" : "s"}, ${hit} LBAs`);
    cmdList.set(commands.length, chosen ? commands.indexOf(chosen) : -1);
    storedList.set(stored.length, -1);
  }

  async function drawDump(focus = false): Promise<void> {
    if (!ns) return;
    const my = ++token;
    const n = M.windowCount(ns, start, size);
    lbaInput.value = String(start);
    prevButton.disabled = start === 0;
    nextButton.disabled = start + n >= ns.blocks;
    dump.setAttribute("aria-label", windowLabel());
    dump.setAttribute("aria-busy", "true");
    const nsid = ns.nsid;
    const here = ns;
    try {
      const { data, md } = await host.labRead(nsid, start, n);
      const blocks: BlockDump[] = [];
      for (let k = 0; k < n; k++) {
        const lba = start + k;
        const b: BlockDump = {
          lba,
          data: data.subarray(k * here.lbaBytes, (k + 1) * here.lbaBytes),
          md: md.subarray(k * here.metadataBytes, (k + 1) * here.metadataBytes),
          mark: M.markOf(highlight, lba),
        };
        // a Copy's destination: read the source block it came from and compare, byte for byte
        const src = highlight?.kind === "copy-destination" && (b.mark === "dst" || b.mark === "both") ? M.sourceOf(highlight.cmd, lba) : undefined;
        if (src) {
          const s = await host.labRead(src.nsid, src.lba, 1);
          b.source = { ...src, same: s.data.length === b.data.length && s.data.every((x, i) => x === b.data[i]) };
        }
        blocks.push(b);
      }
      if (my !== token) return;
      renderDump(here, blocks);
      if (focus) dump.focus();
    } catch (e) {
      if (my !== token) return;
      show(dump, h("p", { class: "media-error" }, `Could not read LBAs ${start}+${n}: ${e instanceof Error ? e.message : String(e)}`));
    } finally {
      if (my === token) dump.removeAttribute("aria-busy");
    }
  }

  function renderDump(here: LabNamespace, blocks: BlockDump[]): void {
    const digits = M.offsetDigits(here);
    const file = M.imageName(runExperiment.id, here.nsid);
    const els = blocks.map((b) => {
      const off = M.dataOffset(here, b.lba);
      const lines = M.hexdumpLines(b.data, off, { squeeze, digits }).map((l) => l.text);
      const markText = b.mark === "dst" ? (highlight?.kind === "copy-destination" ? "copy destination" : highlight?.kind ?? "written")
        : b.mark === "src" ? "copy source" : b.mark === "both" ? "copy source and destination" : undefined;
      const srcJump = b.source ? (() => {
        const btn = h("button", { type: "button", class: "link" }, `from LBA ${b.source.lba}${b.source.nsid !== here.nsid ? ` of namespace ${b.source.nsid}` : ""} (range ${b.source.range})`);
        btn.addEventListener("click", () => { if (b.source!.nsid === here.nsid) goTo(b.source!.lba); });
        return btn;
      })() : null;
      return h("div", { class: `media-block${b.mark ? ` mark-${b.mark}` : ""}`, "data-lba": b.lba },
        h("p", { class: "media-block-head" },
          h("strong", null, `LBA ${b.lba}`), ` · offset 0x${off.toString(16)}`,
          here.metadataBytes ? ` · metadata at 0x${M.metadataOffset(here, b.lba).toString(16)}` : null,
          markText ? h("span", { class: `tag ${b.mark}` }, markText) : null,
          srcJump ? h("span", null, " ", srcJump) : null,
          b.source ? h("span", { class: `same ${b.source.same ? "ok" : "bad"}` }, b.source.same ? "same bytes as the source now" : "differs from the source now") : null),
        h("pre", { class: "media-lines", "aria-label": `LBA ${b.lba} data` }, lines.join("\n")),
        here.metadataBytes ? h("pre", { class: "media-lines md", "aria-label": `LBA ${b.lba} metadata` },
          M.hexdumpLines(b.md, M.metadataOffset(here, b.lba), { squeeze: false, digits }).map((l) => l.text).join("\n")) : null);
    });
    const last = blocks[blocks.length - 1];
    show(dump, els, last ? h("pre", { class: "media-lines end", "aria-hidden": "true" }, M.endLine(M.dataOffset(here, last.lba + 1), digits)) : null);
    dump.scrollTop = 0;
    show(dumpCmd, "The same bytes from the exported image: ", h("code", null, M.hexdumpCommand(file, here, start, blocks.length)));
  }

  async function refreshHash(): Promise<void> {
    if (!ns) return;
    const nsid = ns.nsid;
    hashOut.textContent = "…";
    try {
      const hash = await host.labHash(nsid);
      if (ns?.nsid === nsid) hashOut.textContent = hash;
    } catch (e) {
      hashOut.textContent = `(${e instanceof Error ? e.message : String(e)})`;
    }
    hashNote.textContent = imported.has(nsid) ? `after importing ${imported.get(nsid)}` : "after the run";
  }

  function goTo(lba: number, focus = false): void {
    if (!ns) return;
    start = M.clampStart(ns, lba);
    lbaError.hidden = true;
    void drawDump(focus);
  }

  function choose(c: M.MediaCommand | undefined, jump: boolean): void {
    if (!ns) return;
    chosen = c;
    highlight = c ? M.highlightOf(c.cmd, ns.nsid) : undefined;
    drawLegend();
    const at = highlight ? M.focusLba(highlight) : undefined;
    if (jump && at !== undefined) goTo(at);
    else void drawDump();
  }

  /** Load namespace nsid of the current run: stored runs, hash, commands, the default highlight. */
  async function selectNamespace(nsid: number): Promise<void> {
    if (!run) return;
    ns = run.namespaces.find((n) => n.nsid === nsid);
    if (!ns) return;
    nsSelect.value = String(nsid);
    // what the image card said was about the namespace shown before
    imageError.hidden = true;
    show(imageOut);
    lbaError.hidden = true;
    commands = M.mediaCommands(run.commands, nsid);
    chosen = M.lastWriter(commands, nsid);
    highlight = chosen ? M.highlightOf(chosen.cmd, nsid) : undefined;
    start = M.clampStart(ns, highlight ? M.focusLba(highlight) ?? 0 : 0);
    await refreshStored();
    drawLegend();
    void refreshHash();
    if (!highlight && stored.length) start = stored[0].lba;
    await drawDump();
  }

  async function refreshStored(): Promise<void> {
    if (!ns) return;
    const nsid = ns.nsid;
    try {
      const runs = await host.labStored(nsid);
      if (ns?.nsid !== nsid) return;
      stored = runs.map((r) => ({ lba: r.lba, count: r.count }));
    } catch {
      stored = [];
    }
    drawNamespace();
  }

  /** A new run (or the first look at one): rebuild everything from it. */
  async function load(): Promise<void> {
    const s = store.state;
    loadedSeq = s.runSeq;
    run = s.run;
    imported.clear();
    if (!run) {
      show(empty.querySelector<HTMLElement>("#media-empty")!,
        "Nothing has run yet. The Media view shows the namespaces of the last run's controller: choose an experiment in Experiments and press its Run button (or Run in the bar above), then come back here. ",
        "Try “A vectored copy merged by plugging”: it writes 1 MiB and copies parts of it, and the copies' destinations show here highlighted.");
      show(panel, h("h2", { class: "view-title" }, "Media"), empty);
      return;
    }
    show(nsSelect, run.namespaces.map((n) => h("option", { value: n.nsid }, `nvme0n${n.nsid} (nsid ${n.nsid}, ${n.lbaBytes}${n.metadataBytes ? `+${n.metadataBytes}` : ""}-byte LBAs)`)));
    drawIntro();
    show(panel, h("h2", { class: "view-title" }, "Media"), intro, body);
    const first = run.namespaces.find((n) => n.nsid === ns?.nsid) ?? run.namespaces[0];
    if (first) await selectNamespace(first.nsid);
  }

  // ---- actions ----

  nsSelect.addEventListener("change", () => void selectNamespace(Number(nsSelect.value)));
  const go = () => {
    if (!ns) return;
    const r = M.parseLocation(lbaInput.value, ns);
    if ("error" in r) {
      lbaError.hidden = false;
      lbaError.textContent = r.error;
      lbaInput.setAttribute("aria-invalid", "true");
      return;
    }
    lbaInput.removeAttribute("aria-invalid");
    goTo(r.lba);
  };
  goButton.addEventListener("click", go);
  lbaInput.addEventListener("keydown", (ev) => { if (ev.key === "Enter") { ev.preventDefault(); go(); } });
  prevButton.addEventListener("click", () => ns && goTo(M.navigate(ns, start, size, "PageUp")!));
  nextButton.addEventListener("click", () => ns && goTo(M.navigate(ns, start, size, "PageDown")!));
  sizeSelect.value = String(size);
  sizeSelect.addEventListener("change", () => { size = Number(sizeSelect.value); void drawDump(); });
  squeezeBox.addEventListener("change", () => { squeeze = squeezeBox.checked; void drawDump(); });
  dump.addEventListener("keydown", (ev) => {
    if (!ns || ev.altKey || ev.ctrlKey || ev.metaKey) return;
    const to = M.navigate(ns, start, size, ev.key);
    if (to === undefined) return;
    ev.preventDefault();
    if (to !== start) goTo(to, true);
  });

  exportButton.addEventListener("click", async () => {
    if (!ns) return;
    const here = ns;
    const name = M.imageName(runExperiment.id, here.nsid);
    exportButton.disabled = true;
    imageError.hidden = true;
    show(imageOut, h("p", { class: "meta" }, `Exporting ${name}…`));
    try {
      const bytes = await host.labExport(here.nsid);
      const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: "application/octet-stream" }));
      const a = h("a", { href: url, download: name, hidden: true });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      show(imageOut, h("p", { class: "verdict ok", id: "media-exported" },
        `Exported ${name}: ${bytes.length} bytes (${M.sizeText(bytes.length)}), ${here.blocks} blocks of ${here.lbaBytes}${here.metadataBytes ? ` then ${here.blocks} × ${here.metadataBytes} bytes of metadata` : ""}. QEMU opens it with the options below.`));
    } catch (e) {
      show(imageOut);
      imageError.hidden = false;
      imageError.textContent = `Export failed: ${e instanceof Error ? e.message : String(e)}`;
    } finally {
      exportButton.disabled = store.state.running;
    }
  });

  importInput.addEventListener("change", async () => {
    const file = importInput.files?.[0];
    if (!file || !ns) return;
    const here = ns;
    imageError.hidden = true;
    importInput.disabled = true;
    const before = hashOut.textContent;
    try {
      // the lab checks the size too; checking first means a wrong file is never read
      const problem = M.imageSizeProblem(here, file.size, file.name);
      if (problem) throw new Error(problem);
      show(imageOut, h("p", { class: "meta" }, `Importing ${file.name}…`));
      const bytes = new Uint8Array(await file.arrayBuffer());
      const hash = await host.labImport(here.nsid, Comlink.transfer(bytes, [bytes.buffer]), file.name);
      imported.set(here.nsid, file.name);
      show(imageOut, h("p", { class: "verdict ok", id: "media-imported" },
        `Imported ${file.name} into namespace ${here.nsid}: new media hash ${hash}${hash === before ? " (the same as before)" : ""}.`));
      if (ns?.nsid === here.nsid) {
        hashOut.textContent = hash;
        hashNote.textContent = `after importing ${file.name}`;
        await refreshStored();
        drawLegend();
        await drawDump();
      }
    } catch (e) {
      show(imageOut);
      imageError.hidden = false;
      imageError.textContent = `Import refused, nothing changed: ${e instanceof Error ? e.message : String(e)}`;
    } finally {
      importInput.disabled = store.state.running;
      importInput.value = "";
    }
  });

  // ---- following the store ----

  const visible = () => !panel.hidden;
  store.subscribe((s) => {
    // a run replaces the lab's controller: no image goes in or out while one is under way
    exportButton.disabled = s.running;
    importInput.disabled = s.running;
    if (s.runSeq !== runExperiment.seq) runExperiment = { id: s.experiment, edited: s.edited, seq: s.runSeq };
    if (s.runSeq !== loadedSeq && visible()) void load();
  });
  ctx.onShow(() => { if (store.state.runSeq !== loadedSeq) void load(); });
  void load();
}
