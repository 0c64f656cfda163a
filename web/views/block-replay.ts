// The Block layer view's replay card: the last run step by step, one trace event (or NVMe
// command / CQE) at a time, with the bios, requests and commands as chips that move between the
// layers' columns (task -> dm remap -> split -> plug/merge -> request queue -> NVMe SQ -> done),
// the step's reason, each task's plug list at that moment and the last plug flush. The model
// (no DOM) is web/views/block-replay-model.ts; web/views/block.ts mounts this card.

import "./block-replay.css";
import { h, show } from "../dom";
import type { BlkEvent } from "../../src/block/trace";
import type { BlockModel } from "./block-model";
import { fmtMicros } from "../app/time";
import { buildReplay, type Replay, type ReplayView, type ChipView, type LaneView } from "./block-replay-model";

export interface ReplayCard {
  el: HTMLElement;
  /** A new run: rebuild the frames and go back to the start. */
  setRun(model: BlockModel, events: ReadonlyArray<BlkEvent>): void;
  /** No run: hide the card and stop playing. */
  clear(): void;
}

export interface ReplayOptions {
  /** Show a bio's story in the view (a root bio id). */
  selectBio(root: number): void;
}

/** Steps per second the speed select offers; play draws at most one frame per animation frame. */
const SPEEDS = [1, 2, 5, 10, 30, 100, 1000];
const DEFAULT_SPEED = 5;
/** Chips per lane before "+N more". */
const CAP = 12;
/** Moves slower than this many steps per second animate; faster play just redraws. */
const ANIMATE_MAX_SPEED = 10;

let seqId = 0;

/** A 24x24 icon for a control (fonts may lack the media-control characters); the button names it. */
function icon(d: string): SVGSVGElement {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("width", "16");
  svg.setAttribute("height", "16");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  const p = document.createElementNS(ns, "path");
  p.setAttribute("d", d);
  p.setAttribute("fill", "currentColor");
  svg.appendChild(p);
  return svg;
}

/** Runs up to this many events get their replay at once; longer ones when the user asks. */
const EAGER_EVENTS = 5000;

export function createReplayCard(opts: ReplayOptions): ReplayCard {
  const uid = `rp${++seqId}`;
  let replay: Replay | undefined;
  let playing = false;
  let raf = 0;
  let lastT = 0;
  let acc = 0;
  let speed = DEFAULT_SPEED;
  let pending = 0;

  const btn = (label: string, content: Node | string, cls = "") => h("button", { type: "button", "aria-label": label, title: label, class: `rp-btn ${cls}`.trim() }, content);
  const first = btn("First step", icon("M5 4h2v16H5zM20 4v16L9 12z"));
  const back = btn("Step back", icon("M17 4v16L6 12z"));
  const play = btn("Play", "▶ Play", "primary rp-play");
  const fwd = btn("Step forward", icon("M7 4v16l11-8z"));
  const last = btn("Last step", icon("M17 4h2v16h-2zM4 4v16l11-8z"));
  const speedSel = h("select", { id: `${uid}-speed` },
    SPEEDS.map((s) => h("option", { value: s, selected: s === DEFAULT_SPEED }, `${s} step${s === 1 ? "" : "s"}/s`))) as HTMLSelectElement;
  const scrub = h("input", { id: `${uid}-scrub`, type: "range", min: 0, max: 0, step: 1, value: 0 }) as HTMLInputElement;
  const where = h("span", { class: "rp-where", id: `${uid}-where` }, "");
  const stage = h("div", { class: "rp-stage", role: "group", "aria-label": "Where each bio, request and NVMe command is after this step" });
  const nowText = h("p", { class: "rp-text" });
  const nowWhy = h("p", { class: "rp-why" });
  const nowAlso = h("ul", { class: "rp-also" });
  const now = h("div", { class: "rp-now", role: "status", "aria-live": "polite", "aria-atomic": "true" }, nowText, nowWhy, nowAlso);
  const plugsOut = h("div", { class: "rp-plugs" });
  const flushOut = h("div", { class: "rp-flush" });
  const countsOut = h("dl", { class: "rp-counts" });

  const card = h("section", { class: "card rp-card", tabindex: 0, "aria-labelledby": `${uid}-h`, "aria-describedby": `${uid}-keys` },
    h("h3", { id: `${uid}-h` }, "Replay: the run step by step"),
    h("p", { class: "hint", id: `${uid}-keys` }, "Each step is one event of the trace (or an NVMe command and its completion): watch the bios become requests and commands, with the reason for each decision. Keys while this card has focus: Space plays or pauses, ← → step, Home and End go to the first and last step. Select a bio to see its whole story."),
    h("div", { class: "controls rp-controls" },
      h("div", { class: "rp-buttons", role: "group", "aria-label": "Replay controls" }, first, back, play, fwd, last),
      h("span", { class: "rp-speed" }, h("label", { for: speedSel.id }, "Speed"), speedSel)),
    h("div", { class: "rp-scrub" }, h("label", { for: scrub.id }, "Step"), scrub, where),
    now,
    stage,
    h("div", { class: "rp-side" },
      h("section", { class: "rp-box", "aria-labelledby": `${uid}-plugs-h` }, h("h4", { id: `${uid}-plugs-h` }, "Plug lists now"), plugsOut),
      h("section", { class: "rp-box", "aria-labelledby": `${uid}-flush-h` }, h("h4", { id: `${uid}-flush-h` }, "Last plug flush"), flushOut),
      h("section", { class: "rp-box", "aria-labelledby": `${uid}-counts-h` }, h("h4", { id: `${uid}-counts-h` }, "So far"), countsOut)));
  card.hidden = true;

  // ---- controls ----

  first.addEventListener("click", () => { pause(); go(0); });
  back.addEventListener("click", () => { pause(); go(pos() - 1, true); });
  fwd.addEventListener("click", () => { pause(); go(pos() + 1, true); });
  last.addEventListener("click", () => { pause(); go(total()); });
  play.addEventListener("click", () => (playing ? pause() : start()));
  speedSel.addEventListener("change", () => { speed = Number(speedSel.value) || DEFAULT_SPEED; });
  scrub.addEventListener("input", () => { pause(); go(Number(scrub.value)); });
  card.addEventListener("keydown", (ev) => {
    const t = ev.target as HTMLElement;
    if (t instanceof HTMLInputElement || t instanceof HTMLSelectElement || t instanceof HTMLTextAreaElement) return;
    if (ev.altKey || ev.ctrlKey || ev.metaKey) return;
    switch (ev.key) {
      case " ":
        // a focused button takes Space itself (it clicks); on the card it plays or pauses
        if (t !== card) return;
        if (playing) pause(); else start();
        break;
      case "ArrowLeft": pause(); go(pos() - 1, true); break;
      case "ArrowRight": pause(); go(pos() + 1, true); break;
      case "Home": pause(); go(0); break;
      case "End": pause(); go(total()); break;
      default: return;
    }
    ev.preventDefault();
  });
  // play stops when the page is hidden (and when the card's tab is: see tick)
  document.addEventListener("visibilitychange", () => { if (document.hidden) pause(); });

  function pos(): number { return replay?.cursor.pos ?? 0; }
  function total(): number { return replay?.frames.length ?? 0; }

  function start(): void {
    if (!replay || total() === 0) return;
    if (pos() >= total()) go(0);
    playing = true;
    acc = 1; // the first step shows at once
    lastT = performance.now();
    setPlayLabel();
    stage.setAttribute("aria-busy", "true");
    now.setAttribute("aria-busy", "true");
    raf = requestAnimationFrame(tick);
  }

  function pause(): void {
    if (!playing) return;
    playing = false;
    cancelAnimationFrame(raf);
    setPlayLabel();
    stage.removeAttribute("aria-busy");
    now.removeAttribute("aria-busy");
  }

  function setPlayLabel(): void {
    play.setAttribute("aria-label", playing ? "Pause" : "Play");
    play.title = playing ? "Pause" : "Play";
    play.textContent = playing ? "❚❚ Pause" : "▶ Play";
  }

  /** One animation frame of play: as many steps as the speed says have passed (bounded), one draw. */
  function tick(t: number): void {
    if (!playing) return;
    if (document.hidden || !card.isConnected || card.offsetParent === null) { pause(); return; }
    acc += (Math.min(1000, Math.max(0, t - lastT)) * speed) / 1000;
    lastT = t;
    const n = Math.floor(acc);
    if (n > 0) {
      acc -= n;
      go(pos() + n, n === 1 && speed <= ANIMATE_MAX_SPEED);
    }
    if (pos() >= total()) { pause(); return; }
    raf = requestAnimationFrame(tick);
  }

  // ---- drawing ----

  function go(to: number, animate = false): void {
    if (!replay) return;
    const before = animate && !reducedMotion() ? chipRects() : undefined;
    replay.cursor.seek(to);
    draw(replay.cursor.view(CAP), before);
  }

  function reducedMotion(): boolean {
    return typeof matchMedia === "function" && matchMedia("(prefers-reduced-motion: reduce)").matches;
  }

  function chipRects(): Map<string, DOMRect> {
    const out = new Map<string, DOMRect>();
    for (const el of stage.querySelectorAll<HTMLElement>("li.rp-chip[data-key]")) out.set(el.dataset.key!, el.getBoundingClientRect());
    return out;
  }

  function draw(v: ReplayView, before?: Map<string, DOMRect>): void {
    const focusedKey = (document.activeElement as HTMLElement | null)?.closest?.<HTMLElement>("li.rp-chip")?.dataset.key;
    const focusedBio = (document.activeElement as HTMLElement | null)?.dataset?.bio;
    scrub.max = String(v.total);
    scrub.value = String(v.pos);
    const whereText = `step ${v.pos} of ${v.total}${v.frame ? ` · ${fmtMicros(v.time_ns)}` : " · before the first event"}`;
    where.textContent = whereText;
    scrub.setAttribute("aria-valuetext", whereText);
    first.disabled = back.disabled = v.pos === 0;
    fwd.disabled = last.disabled = v.pos >= v.total;
    play.disabled = v.total === 0;
    // a button that just became disabled drops the focus: keep it in the card (keys go on working)
    if (document.activeElement instanceof HTMLButtonElement && document.activeElement.disabled && card.contains(document.activeElement)) card.focus({ preventScroll: true });

    // the step and why it happened
    const f = v.frame;
    if (!f) {
      nowText.textContent = v.total ? "Before the run: nothing submitted yet. Step forward or press Play." : "This run has no block layer events.";
      nowText.className = "rp-text";
      nowWhy.textContent = "";
      show(nowAlso);
    } else {
      show(nowText, h("span", { class: `rp-act lane-${f.lane}` }, f.action === "cmd" ? "SQE" : f.action === "cqe" ? "CQE" : f.action), " ", f.text);
      nowText.className = `rp-text${f.bad ? " bad" : ""}`;
      show(nowWhy, h("strong", null, "Why: "), f.why ?? "the run gives no reason for this step (a message or an event that decides nothing)");
      show(nowAlso, f.also.map((t) => h("li", null, t)));
    }

    // the stage: one column per lane
    show(stage, v.lanes.map(lane));
    if (before) flip(before);
    if (focusedKey) {
      const el = stage.querySelector<HTMLElement>(`li.rp-chip[data-key="${focusedKey}"]`);
      const target = (focusedBio ? el?.querySelector<HTMLElement>(`[data-bio="${focusedBio}"]`) : null) ?? el?.querySelector<HTMLElement>("button");
      (target ?? card).focus({ preventScroll: true });
    }

    // plug lists, last flush, counters
    show(plugsOut, v.plugs.length === 0
      ? h("p", { class: "meta" }, "No task holds a plugged request now.")
      : v.plugs.map((p) => h("div", { class: "rp-plug", "data-pid": p.pid },
          h("p", { class: "rp-plug-task" }, `${p.comm} (pid ${p.pid}): ${p.entries.length} request${p.entries.length === 1 ? "" : "s"}`),
          h("ol", { class: "rp-plist", "aria-label": `Plug list of ${p.comm} (pid ${p.pid})` },
            p.entries.slice(0, 16).map((e) => h("li", null, h("code", null, e.text)))),
          p.entries.length > 16 ? h("p", { class: "meta" }, `… and ${p.entries.length - 16} more`) : null)));
    const lf = v.lastFlush;
    show(flushOut, !lf ? h("p", { class: "meta" }, "No plug flushed yet.") : [
      h("p", { class: "rp-flush-title" }, `#${lf.index + 1}: ${lf.kind} depth ${lf.depth} by ${lf.comm} (pid ${lf.pid}) to ${lf.dev} at ${fmtMicros(lf.time_ns)}`),
      h("p", { class: "rp-why" }, lf.why),
      lf.list.length ? h("ol", { class: "rp-plist", "aria-label": `Plug list flushed by flush #${lf.index + 1}` }, lf.list.slice(0, 8).map((e) => h("li", null, h("code", null, `rq ${e.rq}: bio${e.bios.length === 1 ? "" : "s"} ${e.bios.join(", ")} (${e.rwbs} ${e.sector}+${e.sectors})`)))) : null,
      lf.list.length > 8 ? h("p", { class: "meta" }, `… and ${lf.list.length - 8} more requests`) : null,
    ]);
    const c = v.counters;
    const counts: Array<[string, number]> = [
      ["bios", c.bios], ["dm remaps", c.remaps], ["splits", c.splits], ["merges", c.merges], ["requests", c.requests],
      ["plug flushes", c.flushes], ["dispatched (D)", c.dispatched], ["NVMe commands", c.commands], ["CQEs", c.cqes], ["bios done", c.completed], ["errors", c.errors],
    ];
    show(countsOut, counts.map(([k, n]) => h("div", { class: k === "errors" && n > 0 ? "bad" : undefined }, h("dt", null, k), h("dd", null, String(n)))));
  }

  function lane(l: LaneView): HTMLElement {
    return h("div", { class: `rp-lane lane-${l.id}`, "data-lane": l.id },
      h("h4", { class: "rp-lane-h", id: `${uid}-lane-${l.id}` }, l.title, h("span", { class: "rp-count" }, String(l.count))),
      h("ul", { class: "rp-chips", "aria-labelledby": `${uid}-lane-${l.id}` },
        l.more > 0 ? h("li", { class: "rp-more" }, `+${l.more} more`) : null,
        l.chips.map(chip),
        l.count === 0 ? h("li", { class: "rp-empty", "aria-label": "empty" }, "·") : null));
  }

  function chip(c: ChipView): HTMLElement {
    const cls = `rp-chip kind-${c.kind}${c.touched ? " hit" : ""}${c.bad ? " bad" : ""}`;
    const attrs = { class: cls, "data-key": c.key, "aria-current": c.touched ? "step" : undefined };
    if (c.kind === "bio") {
      const b = h("button", { type: "button", class: "rp-bio", "data-bio": c.id, title: `bio ${c.id}: its story below` }, c.label);
      b.addEventListener("click", () => { if (c.root !== undefined) opts.selectBio(c.root); });
      return h("li", attrs, b);
    }
    if (c.kind === "rq") {
      const shown = c.bios.slice(0, 6);
      return h("li", attrs,
        h("span", { class: "rp-label" }, c.label),
        h("span", { class: "rp-inner" }, shown.map((id) => bioButton(id, c.id, c.riders.includes(id))), c.bios.length > shown.length ? h("span", { class: "rp-more-bios" }, `+${c.bios.length - shown.length} bios`) : null));
    }
    return h("li", attrs, h("span", { class: "rp-label" }, c.label), c.status ? h("span", { class: `rp-status${c.bad ? " bad" : ""}` }, c.status) : null);
  }

  function bioButton(id: number, rq: number, rider: boolean): HTMLElement {
    // a rider is a 2026-design SRC bio: not in the request's bio list, its range rides in the command
    const b = h("button", {
      type: "button", class: `rp-bio small${rider ? " rider" : ""}`, "data-bio": id,
      "aria-label": rider ? `bio ${id} (SRC, rides) in rq ${rq}` : `bio ${id} in rq ${rq}`,
      title: rider ? `bio ${id}: a SRC bio of its copy context; its range rides in this request` : `bio ${id}: its story below`,
    }, rider ? `bio ${id} SRC` : `bio ${id}`);
    b.addEventListener("click", () => {
      const root = replay?.model.bios.get(id)?.root;
      if (root !== undefined) opts.selectBio(root);
    });
    return b;
  }

  /** FLIP: each chip that was on the stage before starts where it was and slides to where it is. */
  function flip(before: Map<string, DOMRect>): void {
    const moved: HTMLElement[] = [];
    for (const el of stage.querySelectorAll<HTMLElement>("li.rp-chip[data-key]")) {
      const was = before.get(el.dataset.key!);
      if (!was) { el.classList.add("rp-new"); continue; }
      const now = el.getBoundingClientRect();
      const dx = was.left - now.left, dy = was.top - now.top;
      if (Math.abs(dx) < 1 && Math.abs(dy) < 1) continue;
      el.style.transition = "none";
      el.style.transform = `translate(${dx}px, ${dy}px)`;
      moved.push(el);
    }
    if (moved.length === 0) return;
    void stage.offsetWidth; // apply the starting transforms before the transition starts
    for (const el of moved) {
      el.classList.add("rp-moving");
      el.style.transition = "";
      el.style.transform = "";
      el.addEventListener("transitionend", () => el.classList.remove("rp-moving"), { once: true });
    }
  }

  return {
    el: card,
    setRun(model, events) {
      pause();
      replay = undefined;
      card.hidden = false;
      clearTimeout(pending);
      for (const b of [first, back, play, fwd, last]) b.disabled = true;
      const build = () => {
        where.textContent = `preparing ${events.length} events…`;
        // built after the rest of the view has drawn (a long run's frames take a moment)
        pending = window.setTimeout(() => {
          replay = buildReplay(model, events);
          go(0);
        }, 0);
      };
      if (events.length <= EAGER_EVENTS) { build(); return; }
      // a long run's frames take about 10 ms per thousand events on the page's thread: only on request
      const prepare = h("button", { type: "button", class: "rp-prepare" }, `Prepare the replay (${events.length} events)`);
      prepare.addEventListener("click", () => { card.focus(); build(); });
      show(where, prepare);
      for (const el of [stage, nowText, nowWhy, nowAlso, plugsOut, flushOut, countsOut]) show(el);
      scrub.max = "0";
      scrub.value = "0";
    },
    clear() {
      pause();
      clearTimeout(pending);
      replay = undefined;
      card.hidden = true;
    },
  };
}
