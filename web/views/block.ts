// The Block layer view: the last run's bios moving through the layers (task -> dm remap ->
// split -> plug/merge -> request queue -> NVMe SQ) as swimlane columns, one row per bio a task
// submitted, grouped by the plug flush that dispatched it; each decision carries its reason
// (a trace message, a queue limit, a design rule). Selecting a bio (click, or arrows + Enter)
// shows its whole story and the NVMe commands it became, decoded. The model (no DOM) is
// web/views/block-model.ts; this file only draws it. Mounted by web/main.ts.

import "./block.css";
import { h, show, table } from "../dom";
import type { ViewContext } from "../app/view";
import { experiment } from "../app/experiments";
import {
  buildBlockModel, rootLanes, story, outcome, treeRequests, treeCommands, filterGroups, paginate, pageOf, plugEntryText, fmtBytes,
  LANES, type BlockModel, type Chip, type FlowGroup, type CommandInfo, type Lane,
} from "./block-model";
import { fmtMicros } from "../app/time";
import { createReplayCard } from "./block-replay";

/** Rows per page: a few thousand events stay readable and cheap to draw. */
const ROWS_PER_PAGE = 40;
const FLUSHES_PER_PAGE = 25;
const LANE_TITLE = new Map(LANES.map((l) => [l.id, l.title]));

export function mountBlockLayer(panel: HTMLElement, ctx: ViewContext): void {
  const { store } = ctx;
  let model: BlockModel | undefined;
  let modelSeq = -1;
  let task: number | null = null;
  let page = 0;
  let flushPage = 0;
  let selected: number | undefined;

  const summary = h("div");
  const copiesOut = h("div");
  const flowOut = h("div");
  const storyOut = h("section", { class: "card blk-story", "aria-labelledby": "blk-story-h" });
  /** Says what a selection did, for screen readers (the story itself is not read out on every change). */
  const announce = h("p", { class: "blk-sr", role: "status" });
  const flushOut = h("div");
  const devicesOut = h("div");

  const taskSelect = h("select", { id: "blk-task" }) as HTMLSelectElement;
  taskSelect.addEventListener("change", () => {
    task = taskSelect.value === "" ? null : Number(taskSelect.value);
    page = 0;
    drawFlow();
  });
  const findInput = h("input", { id: "blk-find", type: "number", min: 1, inputmode: "numeric", size: 6 }) as HTMLInputElement;
  const findMsg = h("span", { class: "meta", role: "status" });
  const findForm = h("form", { class: "blk-find" },
    h("label", { for: "blk-find" }, "Find bio"), findInput, h("button", { type: "submit" }, "Show"), findMsg);
  findForm.addEventListener("submit", (ev) => {
    ev.preventDefault();
    if (!model) return;
    const id = Number(findInput.value);
    const b = model.bios.get(id);
    if (!b) { findMsg.textContent = `no bio ${findInput.value} in this run`; return; }
    findMsg.textContent = b.root === id ? "" : `bio ${id} is part of bio ${b.root}'s story`;
    if (task !== null && model.bios.get(b.root)!.pid !== task) { task = null; taskSelect.value = ""; }
    select(b.root, true);
  });

  const flowCard = h("section", { class: "card", "aria-labelledby": "blk-flow-h" },
    h("h3", { id: "blk-flow-h" }, "Flow: each bio a task submitted, through the layers"),
    h("p", { class: "hint" }, "Columns are the layers a bio passes, left to right; rows are the bios tasks submitted (their dm clones and split fronts are in the same row), grouped by the plug flush that dispatched their requests. Select a bio for its whole story: ↑ ↓ move between bios, Enter shows one."),
    h("div", { class: "controls" }, h("label", { for: "blk-task" }, "Task"), taskSelect, findForm),
    flowOut, announce);

  // the replay card: a bio chip selects that bio's story here, as a link in the copies table does
  const replay = createReplayCard({
    selectBio: (id) => {
      if (!model?.bios.has(id)) return;
      if (task !== null && model.bios.get(id)!.pid !== task) { task = null; taskSelect.value = ""; }
      select(id, true);
    },
  });

  panel.classList.add("blk-view");
  show(panel, h("h2", { class: "view-title" }, "Block layer"), summary, copiesOut, replay.el, flowCard, storyOut, flushOut, devicesOut);

  function draw(): void {
    const s = store.state;
    if (!s.run) {
      model = undefined;
      const go = h("button", { type: "button", class: "primary" }, "Open Experiments");
      go.addEventListener("click", () => ctx.navigate("experiments"));
      show(summary,
        h("p", { class: "hint" }, s.running ? "Running…" : "No run yet. Run an experiment to see its bios here: in the Experiments tab, press Run on \u201cA vectored copy merged by plugging\u201d (or any block experiment), or press Run in the bar above for the current setup. From a shell: ",
          h("code", null, "npx nvmelab blk run examples/blk/vector-merge.json"), "."),
        h("div", { class: "controls" }, go));
      for (const el of [copiesOut, flowOut, flushOut, devicesOut]) show(el);
      flowCard.hidden = true;
      storyOut.hidden = true;
      replay.clear();
      return;
    }
    if (s.runSeq === modelSeq && model) return;
    modelSeq = s.runSeq;
    model = buildBlockModel(s.run);
    page = 0;
    flushPage = 0;
    task = null;
    selected = undefined;
    flowCard.hidden = false;
    const m = model;
    const x = experiment(s.experiment);
    const reqs = m.rqs.size;
    show(summary, h("p", { class: "meta", id: "blk-summary" },
      `Run #${s.runSeq}${x ? ` (${x.title}${s.edited ? ", setup edited" : ""})` : ""}: design ${m.design} · ${s.run.events.length} block events · ${m.bios.size} bios (${m.roots.length} submitted by tasks) · ${reqs} requests · ${m.flushes.length} plug flushes · ${m.commands.length} NVMe commands`));
    show(taskSelect, h("option", { value: "" }, `All tasks (${m.roots.length} bios)`),
      m.tasks.map((t) => h("option", { value: t.pid }, `${t.comm} (pid ${t.pid}): ${t.roots} bio${t.roots === 1 ? "" : "s"}`)));
    taskSelect.value = "";
    findMsg.textContent = "";
    drawCopies();
    replay.setRun(m, s.run.events);
    drawFlow();
    drawStory();
    drawFlushes();
    drawDevices();
  }

  // ---- copies ----

  function drawCopies(): void {
    const m = model!;
    if (m.copies.length === 0) { show(copiesOut); return; }
    const rows = m.copies.map((c) => {
      const what: Array<Node | string> = [];
      if (c.offloaded) what.push(h("span", { class: "status ok" }, `offloaded ${fmtBytes(c.offloaded)}`), " ");
      if (c.fallback) what.push(h("span", { class: "status bad" }, `fell back to read+write (${fmtBytes(c.fallback.bytes)})`), " ", h("span", { class: "blk-why" }, c.fallback.why));
      if (c.notCopied) what.push(h("span", { class: "status bad" }, `not copied (${fmtBytes(c.notCopied.bytes)})`), " ", h("span", { class: "blk-why" }, c.notCopied.why));
      if (c.emulation) what.push(h("div", { class: "meta" }, `emulated by ${c.emulation.comm}: ${fmtBytes(c.emulation.bytes)} with ${c.emulation.buffers} bounce buffer(s) of ${fmtBytes(c.emulation.size)}`));
      const bioCell = h("div", { class: "blk-links" },
        c.bios.length ? c.bios.map((id) => bioLink(id)) : h("span", { class: "muted" }, "no copy bio"),
        c.emuBios.map((id) => bioLink(id, "read+write")));
      return [`#${c.id}`, c.step !== undefined ? `steps[${c.step}]` : "", c.design, `${c.src} → ${c.dst}`, fmtBytes(c.bytes), h("div", null, what), bioCell];
    });
    show(copiesOut, h("section", { class: "card", "aria-labelledby": "blk-copies-h" },
      h("h3", { id: "blk-copies-h" }, `Copies: ${m.copies.length} copy() call${m.copies.length === 1 ? "" : "s"}`),
      table("What each copy() became, and why", ["Copy", "Step", "Design", "From → to", "Bytes", "Outcome", "Bios"], rows, "compact blk-copies")));
  }

  function bioLink(id: number, note?: string): HTMLElement {
    const b = h("button", { type: "button", class: "blk-link", "data-bio": id }, `bio ${id}${note ? ` (${note})` : ""}`);
    b.addEventListener("click", () => {
      if (task !== null && model!.bios.get(id)!.pid !== task) { task = null; taskSelect.value = ""; }
      select(id, true);
    });
    return b;
  }

  // ---- the flow ----

  function pages(): FlowGroup[][] {
    return paginate(filterGroups(model!, task), ROWS_PER_PAGE);
  }

  function drawFlow(): void {
    const m = model!;
    const all = pages();
    page = Math.min(page, Math.max(0, all.length - 1));
    const groups = all[page] ?? [];
    // explicit table roles: a narrow window restyles the cells as blocks (block.css), and a
    // browser may then drop a table's implicit roles
    const head = h("thead", { role: "rowgroup" }, h("tr", { role: "row" },
      h("th", { scope: "col", role: "columnheader" }, "Bio"),
      LANES.map((l) => h("th", { scope: "col", role: "columnheader", class: `lane-${l.id}` }, l.title)),
      h("th", { scope: "col", role: "columnheader" }, "Outcome")));
    const bodies = groups.map((g) => {
      const header = h("tr", { class: "blk-group", role: "row" }, h("th", { scope: "colgroup", role: "rowheader", colspan: LANES.length + 2 }, groupTitle(m, g)));
      const rows = g.roots.map((id) => {
        const lanes = rootLanes(m, id);
        const o = outcome(m, id);
        const btn = h("button", { type: "button", class: "blk-bio", "data-bio": id, "aria-pressed": String(selected === id) }, `bio ${id}`);
        btn.addEventListener("click", () => select(id, false));
        btn.addEventListener("keydown", (ev) => moveFocus(ev, btn));
        return h("tr", { class: selected === id ? "selected" : undefined, "data-root": id, role: "row" },
          h("th", { scope: "row", role: "rowheader" }, btn),
          // data-lane: a narrow window stacks the cells, each under its layer's name (block.css)
          LANES.map((l) => h("td", { class: `lane-${l.id}`, "data-lane": l.title, role: "cell" }, chips(lanes[l.id]))),
          h("td", { class: "blk-outcome", "data-lane": "Outcome", role: "cell" }, h("span", { class: `status ${o.bad ? "bad" : o.open ? "open" : "ok"}` }, o.bad ? "✗" : o.open ? "…" : "✓"), " ", h("span", { class: "blk-why" }, o.text)));
      });
      return h("tbody", { role: "rowgroup" }, header, rows);
    });
    const nav = pager(page, all.length, (p) => { page = p; drawFlow(); focusFirst(); }, "Flow pages");
    show(flowOut,
      groups.length === 0 ? h("p", { class: "hint" }, "No bios for this task.") : null,
      h("div", { class: "table-wrap" }, h("table", { class: "blk-flow", role: "table", "aria-labelledby": "blk-flow-h" }, head, bodies)),
      all.length > 1 ? nav : null);
  }

  function focusFirst(): void {
    flowOut.querySelector<HTMLButtonElement>("button.blk-bio")?.focus();
  }

  /** Arrow keys move between the bio buttons of the flow (and across pages at the ends). */
  function moveFocus(ev: KeyboardEvent, btn: HTMLButtonElement): void {
    const list = [...flowOut.querySelectorAll<HTMLButtonElement>("button.blk-bio")];
    const i = list.indexOf(btn);
    let to = -1;
    if (ev.key === "ArrowDown") to = i + 1;
    else if (ev.key === "ArrowUp") to = i - 1;
    else if (ev.key === "Home") to = 0;
    else if (ev.key === "End") to = list.length - 1;
    else return;
    ev.preventDefault();
    const total = pages().length;
    if (to >= list.length && page + 1 < total) { page++; drawFlow(); focusFirst(); return; }
    if (to < 0 && page > 0) { page--; drawFlow(); const l = [...flowOut.querySelectorAll<HTMLButtonElement>("button.blk-bio")]; l[l.length - 1]?.focus(); return; }
    list[Math.max(0, Math.min(list.length - 1, to))]?.focus();
  }

  function groupTitle(m: BlockModel, g: FlowGroup): Array<Node | string> {
    if (g.kind === "flush") {
      const f = m.flushes[g.flush!];
      return [
        h("span", { class: "blk-flush-title" }, `Plug flush #${f.index + 1}: ${f.kind} depth ${f.depth} by ${f.comm} (pid ${f.pid}) to ${f.dev} at ${fmtMicros(f.time_ns)}`),
        h("span", { class: "blk-why" }, ` — ${f.why}`),
        h("span", { class: "blk-plug-list" }, "plug list: ", f.list.slice(0, f.list.length > 8 ? 6 : 8).map((p, i) => [i ? "; " : "", h("code", null, plugEntryText(p))]),
          f.list.length > 8 ? `; … and ${f.list.length - 6} more requests (the Plug flushes table lists them all)` : null),
      ];
    }
    if (g.kind === "direct") return [h("span", { class: "blk-flush-title" }, `Issued one request at a time by ${g.comm} (pid ${g.pid})`), h("span", { class: "blk-why" }, " — no plug of the task's own gathered them: each request was plugged and flushed alone (P, then U depth 1: the plug __submit_bio opens around each bio, Linux 6.10 to 7.1) or went straight to the driver (or its scheduler)")];
    return [h("span", { class: "blk-flush-title" }, `No request of their own (${g.comm}, pid ${g.pid})`), h("span", { class: "blk-why" }, " — completed, failed or handed on without being dispatched as a request")];
  }

  function chips(list: Chip[]): HTMLElement | string {
    if (list.length === 0) return h("span", { class: "blk-none", "aria-label": "nothing" }, "·");
    return h("ul", { class: "blk-chips" }, list.map((c) => h("li", { class: c.bad ? "bad" : undefined },
      h("span", { class: "blk-chip-text" }, c.text), c.why ? h("span", { class: "blk-why" }, c.why) : null)));
  }

  function pager(cur: number, total: number, go: (p: number) => void, label: string): HTMLElement {
    const prev = h("button", { type: "button", disabled: cur === 0 }, "Previous");
    const next = h("button", { type: "button", disabled: cur >= total - 1 }, "Next");
    prev.addEventListener("click", () => go(cur - 1));
    next.addEventListener("click", () => go(cur + 1));
    return h("nav", { class: "controls blk-pager", "aria-label": label }, prev, h("span", { class: "meta" }, `page ${cur + 1} of ${total}`), next);
  }

  // ---- selection and the story ----

  /** Select a root bio: its row is marked, its story drawn; focus stays on (or moves to) its button. */
  function select(rootId: number, fromElsewhere: boolean): void {
    selected = rootId;
    const p = pageOf(pages(), rootId);
    if (p >= 0) page = p;
    drawFlow();
    drawStory();
    // focus stays on the bio's button (arrows go on from there); the story scrolls into view
    flowOut.querySelector<HTMLButtonElement>(`button.blk-bio[data-bio="${rootId}"]`)?.focus({ preventScroll: true });
    storyOut.scrollIntoView?.({ block: fromElsewhere ? "start" : "nearest" });
    announce.textContent = `Showing the story of bio ${rootId} below the flow`;
  }

  function drawStory(): void {
    const m = model!;
    storyOut.hidden = false;
    if (selected === undefined) {
      show(storyOut, h("h3", { id: "blk-story-h" }, "Story of a bio"), h("p", { class: "hint" }, "Select a bio in the flow (or in the copies table) to see every step it took, why, and the NVMe commands it became."));
      return;
    }
    const id = selected;
    const b = m.bios.get(id)!;
    const o = outcome(m, id);
    const steps = story(m, id);
    const rqList = treeRequests(m, id);
    const cmds = treeCommands(m, id);
    const copy = b.copy !== undefined ? m.copies.find((c) => c.id === b.copy) : b.emulationOf !== undefined ? m.copies.find((c) => c.id === b.emulationOf) : undefined;
    const back = h("button", { type: "button", class: "blk-back" }, `Back to bio ${id} in the flow`);
    back.addEventListener("click", () => flowOut.querySelector<HTMLButtonElement>(`button.blk-bio[data-bio="${id}"]`)?.focus());
    show(storyOut,
      h("div", { class: "blk-story-head" }, h("h3", { id: "blk-story-h" }, `Story of bio ${id}: ${b.rwbs} ${b.sector}+${b.sectors} on ${b.dev}`), back),
      h("p", { class: `verdict ${o.bad ? "bad" : o.open ? "open" : "ok"}` }, o.text),
      h("p", { class: "meta" }, `Submitted by ${b.comm} (pid ${b.pid}, CPU ${b.cpu}) at ${fmtMicros(b.time_ns)}`,
        copy ? ` · ${b.emulationOf !== undefined ? "read+write emulation of" : "part of"} copy #${copy.id} (${copy.design}, ${fmtBytes(copy.bytes)} ${copy.src} → ${copy.dst})` : "",
        ` · ${steps.length} steps · ${rqList.length} request${rqList.length === 1 ? "" : "s"} · ${cmds.length} NVMe command${cmds.length === 1 ? "" : "s"}`),
      stepList(id, steps),
      cmds.length ? h("h4", null, `NVMe command${cmds.length === 1 ? "" : "s"} it became`) : null,
      cmds.length > 8 ? h("details", null, h("summary", null, `${cmds.length} commands`), cmds.map(commandBlock)) : cmds.map(commandBlock));
  }

  /** The steps as an ordered list; a very long story shows its start and end until asked for all. */
  function stepList(id: number, steps: ReturnType<typeof story>): HTMLElement {
    const item = (s: (typeof steps)[number]) => h("li", { class: s.bad ? "bad" : undefined },
      h("span", { class: `blk-lane lane-${s.lane}` }, LANE_TITLE.get(s.lane as Lane) ?? s.lane),
      h("code", { class: "blk-act" }, s.action),
      h("span", { class: "blk-time" }, fmtMicros(s.time_ns)),
      h("span", { class: "blk-step-text" }, s.text),
      s.reason ? h("span", { class: "blk-why" }, `why: ${s.reason}`) : null);
    const list = h("ol", { class: "blk-steps", "aria-label": `Steps of bio ${id}` });
    const HEAD = 150, TAIL = 50;
    if (steps.length <= HEAD + TAIL + 20) { show(list, steps.map(item)); return list; }
    const more = h("button", { type: "button" }, `Show all ${steps.length} steps`);
    const gap = h("li", { class: "blk-gap", value: HEAD + 1 }, `… ${steps.length - HEAD - TAIL} steps not shown `, more);
    const tail = steps.slice(-TAIL).map(item);
    tail[0]?.setAttribute("value", String(steps.length - TAIL + 1));
    show(list, steps.slice(0, HEAD).map(item), gap, tail);
    more.addEventListener("click", () => { show(list, steps.map(item)); list.querySelectorAll("li")[HEAD]?.setAttribute("tabindex", "-1"); (list.querySelectorAll("li")[HEAD] as HTMLElement | undefined)?.focus(); });
    return list;
  }

  function commandBlock(c: CommandInfo): HTMLElement {
    const r = c.record;
    const ranges = r.name === "Copy" && r.ranges ? (() => {
      let dst = r.slba ?? 0;
      return table(`Source ranges of command #${r.seq} (descriptor format ${r.ranges.some((x) => x.nsid !== undefined && x.nsid !== r.nsid) ? "2h" : "0h"})`,
        ["#", "SLBA", "NLB field (0's based)", "Blocks", "Destination LBAs"],
        r.ranges.map((g, i) => { const row = [String(i), String(g.slba), String(g.nlb - 1), String(g.nlb), `${dst}–${dst + g.nlb - 1}`]; dst += g.nlb; return row; }), "compact");
    })() : null;
    return h("div", { class: "blk-cmd", "data-command": r.seq },
      h("p", { class: "cmd" }, h("strong", null, `#${r.seq} ${r.name}`), ` for rq ${c.rqs.join(", ")} `, h("span", { class: `status ${c.ok ? "ok" : "bad"}` }, c.statusName)),
      h("div", { class: "grid2" },
        h("div", null,
          h("dl", { class: "kv blk-fields" }, c.fields.map(([k, v]) => [h("dt", null, k), h("dd", null, v)])),
          c.notes.length ? h("p", { class: "blk-why" }, c.notes.join("; ")) : null),
        ranges));
  }

  // ---- plug flushes and devices ----

  function drawFlushes(): void {
    const m = model!;
    if (m.flushes.length === 0) { show(flushOut, h("section", { class: "card" }, h("h3", null, "Plug flushes"), h("p", { class: "hint" }, "No task plugged a request in this run."))); return; }
    const total = Math.ceil(m.flushes.length / FLUSHES_PER_PAGE);
    flushPage = Math.min(flushPage, total - 1);
    const part = m.flushes.slice(flushPage * FLUSHES_PER_PAGE, (flushPage + 1) * FLUSHES_PER_PAGE);
    const rows = part.map((f) => [`#${f.index + 1}`, fmtMicros(f.time_ns), `${f.comm} (${f.pid})`, f.kind, f.dev, String(f.depth),
      h("ul", { class: "blk-plist" }, f.list.map((p) => h("li", null, h("code", null, plugEntryText(p))))), h("span", { class: "blk-why" }, f.why)]);
    show(flushOut, h("section", { class: "card", "aria-labelledby": "blk-flushes-h" },
      h("h3", { id: "blk-flushes-h" }, `Plug flushes: ${m.flushes.length}`),
      table("Each flush of a task's plug: the plug list it handed to the queue, and why it flushed", ["Flush", "Time", "Task", "Unplug", "Queue", "Depth", "Plug list", "Why"], rows, "compact blk-flushes"),
      total > 1 ? pager(flushPage, total, (p) => { flushPage = p; drawFlushes(); }, "Plug flush pages") : null));
  }

  function drawDevices(): void {
    const m = model!;
    const s = store.state.run!;
    const keys = ["max_sectors_kb", "max_segments", "copy_max_bytes", "copy_max_src_segments", "nomerges"];
    const rows = s.disks.map((d) => [d.name, m.designOf(d.name), ...keys.map((k) => String(d.limits[k] ?? "-"))]);
    const notes = m.deviceNotes;
    show(devicesOut, h("section", { class: "card", "aria-labelledby": "blk-dev-h" },
      h("h3", { id: "blk-dev-h" }, "Devices, limits and stack"),
      table("Queue limits at the end of the run (sysfs names)", ["Device", "Copy design", ...keys], rows, "compact"),
      s.dm.length ? table("Device-mapper tables", ["Device", "Name", "Table"], s.dm.map((d) => [d.dev, d.name, h("code", null, d.table.join("\n"))]), "compact") : null,
      notes.length ? h("details", { open: notes.length <= 8 }, h("summary", null, `Messages about devices and services (${notes.length})`),
        h("ul", { class: "blk-notes" }, notes.slice(0, 500).map((n) => h("li", null, h("code", null, n.dev), " ", n.text))),
        notes.length > 500 ? h("p", { class: "meta" }, `… and ${notes.length - 500} more in the Trace view`) : null) : null));
  }

  store.subscribe(draw);
  draw();
}
