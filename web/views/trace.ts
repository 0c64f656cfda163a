// The Trace view: the last run's block events as blkparse prints them, in a virtualised list
// (a million lines scroll as a hundred), with filters (device, action, task), a search with
// next/previous, the controller's QEMU-style lines interleaved by time on request, and exports:
// blkparse text with its summary, fio's disk stats, and Chrome Trace Event JSON for Perfetto.
// Which lines, in which order, and every export's content come from trace-model.ts.

import "./trace.css";
import { h, show } from "../dom";
import type { ViewContext } from "../app/view";
import type { LabRun } from "../../src/lab/session";
import { VirtualList } from "./virtual-list";
import { fmtModelled } from "../app/time";
import {
  ACTIONS, chromeTrace, exportDiskStats, exportName, exportText, filterRows, makeMatcher, nextMatch, rowLine,
  searchRows, traceDevices, traceRun, traceTasks, type Matcher, type TraceFilter,
} from "./trace-model";

/** Row height, px: .virtual-list-row in trace.css has the same. */
const ROW_PX = 20;
/** Lines searched between two frames: the page stays responsive on a million lines. */
const SEARCH_SLICE = 25_000;

const kib = (n: number) => (n < 10240 ? `${n} bytes` : `${(n / 1024).toFixed(0)} KiB`);

export function mountTrace(panel: HTMLElement, ctx: ViewContext): void {
  const { store } = ctx;
  let run: LabRun | undefined;
  let seq = -1;
  let experimentId: string | undefined;
  /** Rows the filters keep, and (with "only matching lines") the rows shown. */
  let base: Int32Array = new Int32Array(0);
  let rows: Int32Array = new Int32Array(0);
  let matcher: Matcher | null = null;
  /** Positions in `rows` whose line matches the search. */
  let matches: number[] = [];
  let currentMatch = -1;
  let searchToken = 0;
  let searching = false;

  // ---- controls ----

  const deviceSel = h("select", { id: "trace-device" });
  const taskSel = h("select", { id: "trace-task" });
  const controllerBox = h("input", { type: "checkbox", id: "trace-controller" });
  const actionBoxes = new Map<string, HTMLInputElement>();
  const actionList = h("div", { class: "trace-actions" });
  const allActions = h("button", { type: "button" }, "All actions");
  const noActions = h("button", { type: "button" }, "No actions");
  const actionsField = h("fieldset", { class: "trace-actions-field" },
    h("legend", null, "Actions (blktrace)"), actionList, h("div", { class: "controls" }, allActions, noActions));

  const searchBox = h("input", { type: "search", id: "trace-search", placeholder: "e.g. CW, kworker, 253,0, copy:", autocomplete: "off", spellcheck: "false", title: "Enter: next match; Shift+Enter: previous match" });
  const regexBox = h("input", { type: "checkbox", id: "trace-regex" });
  const onlyBox = h("input", { type: "checkbox", id: "trace-only" });
  const prevBtn = h("button", { type: "button", title: "Shift+Enter in the search box" }, "Previous match");
  const nextBtn = h("button", { type: "button", title: "Enter in the search box" }, "Next match");
  const matchStatus = h("output", { class: "trace-matches", "aria-live": "polite", for: "trace-search" });

  const exportTextBtn = h("button", { type: "button" }, "Export text");
  const exportStatsBtn = h("button", { type: "button" }, "Export disk stats");
  const exportChromeBtn = h("button", { type: "button" }, "Export Chrome trace");
  const exportStatus = h("p", { class: "meta", role: "status" });

  const shownStatus = h("p", { class: "meta trace-shown", role: "status" });
  const hint = h("p", { class: "hint" });

  const list = new VirtualList({
    label: "Trace lines",
    rowHeight: ROW_PX,
    idPrefix: "trace-row",
    renderRow: (el, i) => drawRow(el, i),
    onActive: (i) => {
      const k = nextMatch(matches, i - 1, 1);
      if (k >= 0 && matches[k] === i && k !== currentMatch) { currentMatch = k; showMatchStatus(); }
    },
  });
  list.element.classList.add("trace-list");

  const controls = h("div", { class: "card trace-controls" },
    h("div", { class: "trace-filters" },
      h("label", { for: "trace-device" }, "Device ", deviceSel),
      h("label", { for: "trace-task" }, "Task ", taskSel),
      h("label", { class: "check", for: "trace-controller" }, controllerBox, " Interleave controller lines (QEMU trace-events)")),
    actionsField,
    h("div", { class: "trace-search", role: "search" },
      h("label", { for: "trace-search" }, "Search ", searchBox),
      h("label", { class: "check", for: "trace-regex" }, regexBox, " Regular expression"),
      h("label", { class: "check", for: "trace-only" }, onlyBox, " Only matching lines"),
      prevBtn, nextBtn, matchStatus),
    h("div", { class: "trace-exports" },
      exportTextBtn, exportStatsBtn, exportChromeBtn,
      h("p", { class: "meta" },
        "Text: the filtered lines and blkparse's summary per device. Disk stats: fio's \"Disk stats (read/write)\" block. ",
        "Chrome trace: the whole run as Trace Event JSON; open it in ",
        h("a", { href: "https://ui.perfetto.dev", target: "_blank", rel: "noopener" }, "ui.perfetto.dev"),
        " (Open trace file) or chrome://tracing."),
      exportStatus));

  const body = h("div", { class: "trace-body" }, controls, shownStatus, list.element);

  // ---- drawing ----

  function drawRow(el: HTMLElement, i: number): void {
    if (!run) return;
    const r = rows[i];
    const line = rowLine(run, r);
    let cls = "virtual-list-row";
    if (r < 0) cls += " ctl";
    else {
      const e = run.events[r];
      if (e.action === "m") cls += " msg";
      else if (e.action === "C" && e.error && e.error !== "BLK_STS_OK") cls += " err";
    }
    if (i === list.active) cls += " active";
    const ranges = matcher ? matcher.ranges(line) : [];
    if (ranges.length) cls += currentMatch >= 0 && matches[currentMatch] === i ? " match current" : " match";
    el.className = cls;
    if (!ranges.length) { el.textContent = line; return; }
    el.replaceChildren();
    let at = 0;
    for (const [s, e] of ranges) {
      if (s > at) el.append(line.slice(at, s));
      el.append(h("mark", null, line.slice(s, e)));
      at = e;
    }
    if (at < line.length) el.append(line.slice(at));
  }

  function filter(): TraceFilter {
    const acts = new Set<string>();
    for (const [a, box] of actionBoxes) if (box.checked) acts.add(a);
    const task = taskSel.value ? JSON.parse(taskSel.value) as { pid: number; comm: string } : undefined;
    return {
      device: deviceSel.value || undefined,
      actions: acts.size === actionBoxes.size ? undefined : acts,
      task,
      controller: controllerBox.checked,
    };
  }

  function showShown(): void {
    if (!run) return;
    const blk = countBlock(rows);
    const ctl = rows.length - blk;
    shownStatus.textContent = `Showing ${rows.length.toLocaleString("en-US")} lines: ${blk.toLocaleString("en-US")} of ${run.events.length.toLocaleString("en-US")} block events`
      + (controllerBox.checked ? `, ${ctl.toLocaleString("en-US")} controller lines` : "");
  }

  function countBlock(a: Int32Array): number {
    let n = 0;
    for (let i = 0; i < a.length; i++) if (a[i] >= 0) n++;
    return n;
  }

  /** Filters changed: new rows, then the search runs again over them. */
  function refilter(): void {
    if (!run) return;
    base = filterRows(run, filter());
    rows = base;
    list.setCount(rows.length);
    showShown();
    research();
  }

  function showMatchStatus(): void {
    if (!matcher) { matchStatus.textContent = ""; return; }
    if (searching) return;
    const n = matches.length;
    matchStatus.textContent = n === 0 ? "no matches" : `${currentMatch >= 0 ? `${currentMatch + 1} of ` : ""}${n} ${n === 1 ? "match" : "matches"}`;
    prevBtn.disabled = nextBtn.disabled = n === 0;
  }

  /**
   * Search the filtered rows a slice per frame; a newer search cancels an older one. A new
   * query (jump) then moves to its first match at or after the current line, as a browser's
   * find does, so typing more letters stays on the line while it still matches.
   */
  function research(jump = false): void {
    const token = ++searchToken;
    matches = [];
    currentMatch = -1;
    searchBox.removeAttribute("aria-invalid");
    try {
      matcher = makeMatcher(searchBox.value, regexBox.checked);
    } catch (e) {
      matcher = null;
      searchBox.setAttribute("aria-invalid", "true");
      matchStatus.textContent = `not a regular expression: ${e instanceof Error ? e.message : String(e)}`;
      prevBtn.disabled = nextBtn.disabled = true;
      applyOnly();
      return;
    }
    if (!matcher || !run) {
      searching = false;
      prevBtn.disabled = nextBtn.disabled = true;
      showMatchStatus();
      applyOnly();
      return;
    }
    const m = matcher;
    const r = run;
    const src = base;
    const found: number[] = [];
    searching = true;
    prevBtn.disabled = nextBtn.disabled = true;
    let at = 0;
    const step = () => {
      if (token !== searchToken) return;
      searchRows(r, src, m, at, at + SEARCH_SLICE, found);
      at += SEARCH_SLICE;
      if (at < src.length) {
        matchStatus.textContent = `searching… ${Math.floor((100 * at) / src.length)}%`;
        setTimeout(step, 0);
        return;
      }
      searching = false;
      matches = found;
      applyOnly();
      if (jump && matches.length) {
        const from = onlyBox.checked ? 0 : list.active >= 0 ? list.active : Math.ceil(list.topPosition());
        currentMatch = nextMatch(matches, from - 1, 1);
        list.setActive(matches[currentMatch]);
      }
      showMatchStatus();
    };
    step();
  }

  /** "Only matching lines": show just the matches (positions become 0..n-1). */
  function applyOnly(): void {
    if (onlyBox.checked && matcher && !searching) {
      const only = new Int32Array(matches.length);
      for (let k = 0; k < matches.length; k++) only[k] = base[matches[k]];
      rows = only;
      matches = Array.from({ length: only.length }, (_, k) => k);
      list.setCount(rows.length);
    } else if (rows !== base) {
      rows = base;
      list.setCount(rows.length);
    } else list.refresh();
    showShown();
  }

  function go(dir: 1 | -1): void {
    if (!matches.length) return;
    const from = list.active >= 0 ? list.active : dir === 1 ? Math.ceil(list.topPosition()) - 1 : Math.floor(list.topPosition()) + 1;
    currentMatch = nextMatch(matches, from, dir);
    list.setActive(matches[currentMatch]);
    showMatchStatus();
  }

  function optionsFor(r: LabRun): void {
    const devices = traceDevices(r);
    show(deviceSel, h("option", { value: "" }, `All devices (${devices.length})`),
      devices.map((d) => h("option", { value: d.key }, `${d.key} ${d.name} (${d.events} events)`)));
    const tasks = traceTasks(r.events);
    show(taskSel, h("option", { value: "" }, `All tasks (${tasks.length})`),
      tasks.map((t) => h("option", { value: JSON.stringify({ pid: t.pid, comm: t.comm }) }, `${t.comm} (pid ${t.pid}, ${t.events} events)`)));
    const counts = new Map<string, number>();
    for (const e of r.events) counts.set(e.action, (counts.get(e.action) ?? 0) + 1);
    actionBoxes.clear();
    show(actionList, ACTIONS.map(({ action, name }) => {
      const n = counts.get(action) ?? 0;
      const box = h("input", { type: "checkbox", value: action, checked: true, id: `trace-act-${action}` });
      actionBoxes.set(action, box);
      box.addEventListener("change", refilter);
      return h("label", { class: `check act${n ? "" : " none"}`, for: `trace-act-${action}`, title: `blktrace action ${action}: ${name}` },
        box, " ", h("code", null, action), ` ${name} (${n})`);
    }));
  }

  function draw(): void {
    const s = store.state;
    if (s.runSeq === seq) return;
    seq = s.runSeq;
    run = s.run && traceRun(s.run);
    experimentId = s.experiment;
    if (!run) {
      show(panel, h("h2", { class: "view-title" }, "Trace"),
        h("p", { class: "hint" },
          "No run yet. Run an experiment from the Experiments tab (\"Interleaved copies break the pairing\" shows a trace worth reading), or press Run in the bar above for the current setup; its block events appear here as blkparse prints them."));
      return;
    }
    show(hint,
      `Run #${s.runSeq}${experimentId ? ` of ${experimentId}` : ""}: ${run.events.length.toLocaleString("en-US")} block events, ${run.commands.length} NVMe commands, ${run.controller.length.toLocaleString("en-US")} controller events, ${fmtModelled(run.end_ns)} modelled. `,
      "Lines are blkparse's default format: device, CPU, sequence, time (s), pid, action, RWBS, then sector + count [task], or [error] for a completion. Controller lines (nvme0, the ring's sequence number) are on the same modelled clock: a fetch at submission, a completion and its interrupt at the command's modelled completion, just before its request's C. Arrow keys, Page Up/Down, Home and End move through the list.");
    optionsFor(run);
    exportStatus.textContent = "";
    show(panel, h("h2", { class: "view-title" }, "Trace"), hint, body);
    refilter();
  }

  // ---- exports ----

  function download(name: string, text: string, type: string): void {
    const url = URL.createObjectURL(new Blob([text], { type }));
    const a = h("a", { href: url, download: name, hidden: true });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
    exportStatus.textContent = `Saved ${name} (${kib(text.length)}).`;
  }

  exportTextBtn.addEventListener("click", () => {
    if (!run) return;
    const kept: typeof run.events = [];
    for (let i = 0; i < base.length; i++) if (base[i] >= 0) kept.push(run.events[base[i]]);
    download(exportName(experimentId, seq, "blkparse.txt"), exportText(run, kept), "text/plain");
  });
  exportStatsBtn.addEventListener("click", () => {
    if (!run) return;
    const dev = traceDevices(run).find((d) => d.key === deviceSel.value);
    download(exportName(experimentId, seq, "diskstats.txt"), exportDiskStats(run, dev ? new Set([dev.name]) : undefined), "text/plain");
  });
  exportChromeBtn.addEventListener("click", () => {
    if (!run) return;
    const t = chromeTrace(run, { title: `nvmelab ${experimentId ?? "setup"} run #${seq}`, controller: controllerBox.checked });
    download(exportName(experimentId, seq, "trace.json"), JSON.stringify(t), "application/json");
  });

  // ---- events ----

  deviceSel.addEventListener("change", refilter);
  taskSel.addEventListener("change", refilter);
  controllerBox.addEventListener("change", refilter);
  allActions.addEventListener("click", () => { for (const b of actionBoxes.values()) b.checked = true; refilter(); });
  noActions.addEventListener("click", () => { for (const b of actionBoxes.values()) b.checked = false; refilter(); });
  let debounce = 0;
  searchBox.addEventListener("input", () => {
    clearTimeout(debounce);
    debounce = window.setTimeout(() => { debounce = 0; research(true); }, 120);
  });
  searchBox.addEventListener("keydown", (ev) => {
    if (ev.key !== "Enter") return;
    ev.preventDefault();
    // Enter before the typed query was searched: search it (which moves to its first match)
    if (debounce) { clearTimeout(debounce); debounce = 0; research(true); return; }
    if (searching) return;
    go(ev.shiftKey ? -1 : 1);
  });
  regexBox.addEventListener("change", () => research(true));
  onlyBox.addEventListener("change", () => research());
  prevBtn.addEventListener("click", () => go(-1));
  nextBtn.addEventListener("click", () => go(1));

  store.subscribe(draw);
  ctx.onShow(() => list.render());
  draw();
}
