// The Queues view: the last run's SQs and CQs as rings (slots, head, tail, phase tags),
// replayed from the controller's own event ring one event or one command at a time, or played
// at a chosen speed. Hovering or focusing a slot shows its SQE or CQE decoded; doorbell writes
// and interrupts flash (statically under prefers-reduced-motion). The replay is on the block
// layer's modelled clock: fetches at submission, each CQE, its interrupt and the CQ head
// doorbell at its command's modelled completion (controller-time.ts). The replay and the
// decoding live in queues-model.ts (no DOM).

import "./queues.css";
import { h, show, table } from "../dom";
import type { ViewContext } from "../app/view";
import * as L from "../../assembly/layout";
import {
  QueueReplay, sqSlotState, cqSlotState, cqSlotPhase, ringWindow, ringDistance, slotAngle, decodeCompletion,
  entryTitle, opLetter, formatNs, type QueueState, type SqState, type CqState, type SqEntry, type CqEntry,
  type CommandStop, type EntryField,
} from "./queues-model";

type Kind = "sq" | "cq";
interface SlotRef { kind: Kind; qid: number; slot: number }

const SVG = "http://www.w3.org/2000/svg";
/** Most slots a ring draws; a bigger queue shows a window of them around head and tail. */
const WINDOW = 32;
const DIAL = 260;
const RADIUS = 104;
const SPEEDS = [1, 2, 5, 10, 30, 100];

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

const reducedMotion = () => typeof matchMedia === "function" && matchMedia("(prefers-reduced-motion: reduce)").matches;

/** Restart a CSS flash on el (a class removed and added again replays its animation). */
function flash(el: Element, on: boolean): void {
  el.classList.remove("hot");
  if (!on) return;
  if (!reducedMotion()) void (el as HTMLElement).offsetWidth;
  el.classList.add("hot");
}

/** One SQ or CQ drawn as a ring of slot buttons (roving tabindex; arrows move round the ring). */
class Ring {
  readonly root: HTMLElement;
  private readonly dial: HTMLElement;
  private readonly pointers: SVGGElement;
  private readonly centre: HTMLElement;
  private readonly caption: HTMLElement;
  readonly doorbell: HTMLElement;
  readonly irq?: HTMLElement;
  private buttons: HTMLButtonElement[] = [];
  private size = -1;
  private start = 0;
  /** The slot that takes the ring's tab stop (the last one focused, else the head). */
  private focusSlot?: number;
  private q?: SqState | CqState;
  private current?: number;

  constructor(readonly kind: Kind, readonly qid: number, private readonly view: QueuesView) {
    const name = `${kind.toUpperCase()} ${qid}`;
    this.doorbell = h("span", { class: "q-badge q-db", title: kind === "sq" ? "SQ tail doorbell (host MMIO write)" : "CQ head doorbell (host MMIO write)" });
    this.irq = kind === "cq" ? h("span", { class: "q-badge q-irq", title: "MSI-X vector the controller raises for this CQ" }) : undefined;
    this.centre = h("div", { class: "q-centre", "aria-hidden": "true" });
    const svgEl = svg("svg", { viewBox: `0 0 ${DIAL} ${DIAL}`, width: DIAL, height: DIAL, "aria-hidden": "true", class: "q-svg" });
    svgEl.append(svg("circle", { cx: DIAL / 2, cy: DIAL / 2, r: RADIUS, class: "q-track" }));
    this.pointers = svg("g", {});
    svgEl.append(this.pointers);
    this.dial = h("div", { class: "q-dial", role: "group", "aria-label": `${name} slots`, "aria-describedby": "q-legend" }, svgEl, this.centre);
    this.caption = h("p", { class: "q-ptrs" });
    this.root = h("div", { class: `q-ring q-${kind}` },
      h("h4", null, name, " ", h("span", { class: "muted" }, kind === "sq" ? "submission queue" : "completion queue")),
      h("div", { class: "q-badges" }, this.doorbell, this.irq ?? null),
      this.dial, this.caption);
    this.dial.addEventListener("keydown", (ev) => this.onKey(ev));
  }

  private label(): string {
    return `${this.kind.toUpperCase()} ${this.qid}`;
  }

  private build(size: number): void {
    this.size = size;
    for (const b of this.buttons) b.remove();
    const w = Math.min(size, WINDOW);
    const windowed = size > WINDOW;
    const total = windowed ? w + 6 : w;
    const px = Math.max(10, Math.min(26, Math.floor((0.8 * 2 * Math.PI * RADIUS) / total)));
    this.buttons = [];
    for (let k = 0; k < w; k++) {
      const a = slotAngle(k, w, windowed);
      const b = h("button", { type: "button", class: "q-slot", tabindex: -1 });
      b.style.left = `${DIAL / 2 + RADIUS * Math.sin(a) - px / 2}px`;
      b.style.top = `${DIAL / 2 - RADIUS * Math.cos(a) - px / 2}px`;
      b.style.width = b.style.height = `${px}px`;
      b.style.fontSize = `${Math.max(9, Math.round(px * 0.5))}px`;
      b.addEventListener("focus", () => { this.focusSlot = Number(b.dataset.slot); this.view.hover({ kind: this.kind, qid: this.qid, slot: Number(b.dataset.slot) }, "focus"); this.roving(); });
      b.addEventListener("blur", (ev) => this.view.hover(undefined, "focus", ev.relatedTarget));
      b.addEventListener("mouseenter", () => this.view.hover({ kind: this.kind, qid: this.qid, slot: Number(b.dataset.slot) }, "pointer"));
      b.addEventListener("mouseleave", () => this.view.hover(undefined, "pointer"));
      b.addEventListener("click", () => this.view.pin({ kind: this.kind, qid: this.qid, slot: Number(b.dataset.slot) }));
      this.buttons.push(b);
      this.dial.append(b);
    }
  }

  private onKey(ev: KeyboardEvent): void {
    const q = this.q;
    if (!q || q.size === 0 || this.focusSlot === undefined) return;
    let to: number | undefined;
    switch (ev.key) {
      case "ArrowRight": case "ArrowDown": to = (this.focusSlot + 1) % q.size; break;
      case "ArrowLeft": case "ArrowUp": to = (this.focusSlot - 1 + q.size) % q.size; break;
      case "Home": to = q.head; break;
      case "End": to = this.kind === "sq" ? (q.tail - 1 + q.size) % q.size : q.tail; break;
      case "Escape": ev.preventDefault(); this.view.pin(undefined); return;
      default: return;
    }
    ev.preventDefault();
    this.view.pin(undefined); // moving round the ring previews again
    this.focusSlot = to;
    this.update(q, this.current);
    this.buttonFor(to)?.focus();
  }

  private buttonFor(slot: number): HTMLButtonElement | undefined {
    const k = ringDistance(this.start, slot, this.size);
    return k < this.buttons.length ? this.buttons[k] : undefined;
  }

  private roving(): void {
    const tab = this.focusSlot !== undefined && this.buttonFor(this.focusSlot) ? this.focusSlot : this.q?.head ?? 0;
    for (const b of this.buttons) b.tabIndex = Number(b.dataset.slot) === tab ? 0 : -1;
  }

  /** Draw the queue as it is now; `current` is the slot the current event touched, if any. */
  update(q: SqState | CqState | undefined, current?: number): void {
    this.q = q;
    this.current = current;
    const exists = q !== undefined && q.exists && q.size > 0;
    this.root.classList.toggle("absent", !exists);
    if (!q || q.size === 0) {
      this.build(0);
      this.pointers.replaceChildren();
      this.centre.textContent = q ? "size unknown" : "not created";
      this.caption.textContent = q ? `${this.label()}: its creation is older than the event ring` : `${this.label()} does not exist yet`;
      this.doorbell.textContent = this.kind === "sq" ? "SQ tail doorbell" : "CQ head doorbell";
      return;
    }
    if (q.size !== this.size) this.build(q.size);
    const sq = this.kind === "sq" ? (q as SqState) : undefined;
    const cq = this.kind === "cq" ? (q as CqState) : undefined;
    this.start = ringWindow(q.size, this.buttons.length, q.head, q.tail, this.focusSlot, this.start);
    const name = this.label();
    for (let k = 0; k < this.buttons.length; k++) {
      const slot = (this.start + k) % q.size;
      const b = this.buttons[k];
      b.dataset.slot = String(slot);
      let state: string, text: string, label: string;
      if (sq) {
        state = sqSlotState(sq, slot);
        const e = sq.slots[slot];
        text = e ? opLetter(e) : "";
        label = `${name} slot ${slot}: ${e ? `${entryTitle(e)} CID ${e.cid}` : "empty"}, ${state === "pending" ? "submitted, not fetched" : state === "consumed" ? "fetched" : "never written"}`;
      } else {
        state = cqSlotState(cq!, slot);
        const c = cq!.slots[slot];
        const p = cqSlotPhase(cq!, slot);
        text = String(p);
        label = `${name} slot ${slot}: ${c ? `CID ${c.cid} ${c.status.name}` : "empty"}, phase ${p}, ${state === "new" ? "posted, not yet consumed" : state === "consumed" ? "consumed" : "never written"}`;
        b.classList.toggle("err", !!c && (c.status.raw & 0x7ff) !== 0);
      }
      b.className = b.className.replace(/\bs-\w+/g, "").trim() + ` s-${state}`;
      b.classList.toggle("cur", slot === current);
      b.classList.toggle("sel", slot === this.view.selectedFor(this.kind, this.qid));
      b.textContent = text;
      b.setAttribute("aria-label", label);
    }
    this.roving();
    this.drawPointers(q);
    const pending = ringDistance(q.head, q.tail, q.size);
    if (sq) {
      this.centre.replaceChildren(h("strong", null, `${pending}`), h("span", null, pending === 1 ? " entry to fetch" : " entries to fetch"));
      this.caption.textContent = `${q.size} entries · head ${q.head} (controller) · tail ${q.tail} (host) · ${sq.fetched} fetched · ${sq.doorbells} doorbells${q.exists ? "" : " · deleted"}`;
      this.doorbell.textContent = `SQ${this.qid}TDBL = ${q.tail}`;
    } else {
      this.centre.replaceChildren(h("strong", null, `P = ${cq!.phase}`), h("span", null, `${pending} new`));
      this.caption.textContent = `${q.size} entries · tail ${q.tail} (controller) · head ${q.head} (host) · ${cq!.posted} posted · phase ${cq!.phase}${q.exists ? "" : " · deleted"}`;
      this.doorbell.textContent = `CQ${this.qid}HDBL = ${q.head}`;
      this.irq!.textContent = cq!.ien ? `MSI-X vector ${cq!.vector} · ${cq!.interrupts} irqs` : "polled (IEN 0)";
    }
    if (q.size > this.buttons.length) {
      const last = (this.start + this.buttons.length - 1) % q.size;
      const gap = svg("text", { x: DIAL / 2, y: DIAL / 2 + RADIUS + 4, class: "q-gap", "text-anchor": "middle" });
      gap.textContent = `…${q.size - this.buttons.length} more…`;
      const range = svg("text", { x: DIAL / 2, y: DIAL / 2 + RADIUS + 16, class: "q-gap", "text-anchor": "middle" });
      range.textContent = `shown ${this.start}–${last}`;
      this.pointers.append(gap, range);
    }
  }

  /** Head and tail as hands from the centre to their slots, labelled H and T. */
  private drawPointers(q: SqState | CqState): void {
    this.pointers.replaceChildren();
    const windowed = q.size > this.buttons.length;
    const hand = (slot: number, label: string, cls: string, r: number) => {
      const k = ringDistance(this.start, slot, q.size);
      if (k >= this.buttons.length) return;
      const a = slotAngle(k, this.buttons.length, windowed);
      const x = DIAL / 2 + r * Math.sin(a), y = DIAL / 2 - r * Math.cos(a);
      // from just outside the centre's text to the label
      const r0 = 36, rl = r - 8;
      this.pointers.append(svg("line", {
        x1: DIAL / 2 + r0 * Math.sin(a), y1: DIAL / 2 - r0 * Math.cos(a), x2: DIAL / 2 + rl * Math.sin(a), y2: DIAL / 2 - rl * Math.cos(a), class: `q-hand ${cls}`,
      }));
      const t = svg("text", { x, y: y + 4, class: `q-hand-label ${cls}`, "text-anchor": "middle" });
      t.textContent = label;
      this.pointers.append(t);
    };
    // the controller's pointer is drawn inside the ring, the host's outside
    if (this.kind === "sq") { hand(q.head, "H", "ctrl", RADIUS - 22); hand(q.tail, "T", "host", RADIUS + 20); }
    else { hand(q.tail, "T", "ctrl", RADIUS - 22); hand(q.head, "H", "host", RADIUS + 20); }
  }
}

class QueuesView {
  private replay?: QueueReplay;
  private runSeq = -1;
  private position = 0;
  private state?: QueueState;
  private rings = new Map<string, Ring>();
  private pointerSel?: SlotRef;
  private focusSel?: SlotRef;
  private pinned?: SlotRef;
  private timer?: ReturnType<typeof setTimeout>;
  private stop: CommandStop = "any";
  private detailKey = "";
  private speed = 5;

  private readonly slider = h("input", { type: "range", min: 0, max: 0, value: 0, step: 1, id: "q-pos", "aria-describedby": "q-pos-text" }) as HTMLInputElement;
  private readonly posText = h("span", { id: "q-pos-text", class: "q-pos-text" });
  private readonly playBtn = h("button", { type: "button", class: "primary" }, "Play");
  private readonly nowLine = h("p", { class: "meta q-now-line", "aria-live": "polite" });
  private readonly traceList = h("ol", { class: "q-trace", "aria-label": "Trace around the current event" });
  private readonly now = h("div", { class: "q-now" }, this.nowLine, this.traceList);
  private readonly pairs = h("div", { class: "q-pairs" });
  private readonly detail = h("div", { class: "q-detail-body" });
  private readonly problems = h("div", { class: "q-problems" });
  private readonly notice = h("div");

  constructor(private readonly panel: HTMLElement, private readonly ctx: ViewContext) {}

  mount(): void {
    this.ctx.store.subscribe((s) => {
      if (s.runSeq !== this.runSeq) this.draw();
      if (s.view !== "queues") this.pause();
    });
    this.draw();
  }

  /** Which slot of a ring is selected (hovered, focused, pinned, or touched by the current event). */
  selectedFor(kind: Kind, qid: number): number | undefined {
    const s = this.selection();
    return s && s.kind === kind && s.qid === qid ? s.slot : undefined;
  }

  hover(ref: SlotRef | undefined, how: "pointer" | "focus", to?: EventTarget | null): void {
    // Tab from a slot into the entry's own buttons keeps that entry shown
    if (how === "focus" && !ref && !this.pinned && to instanceof Node && this.detail.contains(to)) this.pinned = this.focusSel;
    if (how === "pointer") this.pointerSel = ref;
    else this.focusSel = ref;
    this.renderDetail();
    this.markSelection();
  }

  pin(ref: SlotRef | undefined): void {
    this.pinned = ref;
    this.renderDetail();
    this.markSelection();
  }

  private selection(): SlotRef | undefined {
    // a slot chosen by click or Enter stays until another is chosen, Escape, or the position moves
    return this.pinned ?? this.pointerSel ?? this.focusSel ?? this.currentSlot();
  }

  /** The slot the current event touched (queues-model.ts QueueReplay.touched). */
  private currentSlot(): SlotRef | undefined {
    return this.replay && this.state ? this.replay.touched(this.state) : undefined;
  }

  private markSelection(): void {
    for (const ring of this.rings.values()) {
      const sel = this.selectedFor(ring.kind, ring.qid);
      ring.root.querySelectorAll<HTMLButtonElement>(".q-slot").forEach((b) => b.classList.toggle("sel", Number(b.dataset.slot) === sel));
    }
  }

  private draw(): void {
    this.pause();
    const s = this.ctx.store.state;
    this.runSeq = s.runSeq;
    this.rings.clear();
    this.pointerSel = this.focusSel = this.pinned = undefined;
    this.detailKey = "";
    const title = h("h2", { class: "view-title" }, "Queues");
    if (!s.run) {
      const open = h("button", { type: "button" }, "Open Experiments");
      open.addEventListener("click", () => this.ctx.navigate("experiments"));
      show(this.panel, title, h("section", { class: "card" },
        h("p", { class: "hint" }, "No run yet. Run an experiment (the Experiments tab, or Run in the bar above for the current setup) and this view replays its submission and completion queues event by event: every doorbell, fetch, completion and interrupt the controller recorded."),
        h("div", { class: "controls" }, open)));
      this.replay = undefined;
      return;
    }
    const run = s.run;
    this.replay = new QueueReplay(run.controller, run.commands);
    const r = this.replay;
    this.slider.max = String(r.length);
    show(this.notice, run.controllerEventsLost > 0
      ? h("p", { class: "error warn" }, `The controller's event ring (65536 events) overwrote the first ${run.controllerEventsLost} events of this run: the replay starts there, and queues created earlier are shown by their counts only.`)
      : null);

    // one card per queue pair (SQ n and CQ n; Linux's nvme-pci pairs them one to one)
    const ids = r.queueIds();
    const cards = ids.map((qid) => {
      const sq = new Ring("sq", qid, this), cq = new Ring("cq", qid, this);
      this.rings.set(`sq${qid}`, sq);
      this.rings.set(`cq${qid}`, cq);
      const hid = `q-pair-${qid}`;
      return h("section", { class: "card q-pair", "aria-labelledby": hid },
        h("h3", { id: hid }, qid === 0 ? "Admin queue pair" : `I/O queue pair ${qid}`, h("span", { class: "muted q-pair-meta", "data-qid": qid })),
        h("div", { class: "q-rings" }, sq.root, cq.root));
    });
    show(this.pairs, cards);

    // errors and host misbehaviour, to jump to
    show(this.problems, r.problems.length === 0
      ? h("p", { class: "meta" }, "No failed command, host misbehaviour or fatal error in this run's controller events.")
      : table(`Errors and host misbehaviour (${r.problems.length}${r.problems.length > 50 ? ", the first 50" : ""})`, ["Event", "Time", "Trace", ""], r.problems.slice(0, 50).map((i) => {
        const go = h("button", { type: "button", class: "small" }, "Go");
        go.setAttribute("aria-label", `Go to event ${i + 1}`);
        go.addEventListener("click", () => this.go(i + 1));
        return [`#${i + 1}`, formatNs(r.events[i].timeNs), h("code", null, r.line(i)), go];
      }), "compact"));

    const controls = this.controls();
    const bringUp = this.bringUpEnd();
    const detailCard = h("aside", { class: "card q-detail", "aria-labelledby": "q-detail-h" }, h("h3", { id: "q-detail-h" }, "Entry"), this.detail);
    show(this.panel,
      title,
      h("p", { class: "hint" },
        `${r.length} controller events of run #${s.runSeq}, bring-up included, on the run's modelled clock. The controller ran stepped inside the host worker and executed each command when its doorbell rang; the device model decides when it is done. So doorbells, fetches and Copy source ranges are at submission, and each CQE, its interrupt and the CQ head doorbell that releases it are at the command's modelled completion (when the block layer completes its request), in that order. `,
        "In each SQ the host writes entries and moves the tail (doorbell); the controller fetches at the head. In each CQ the controller posts at the tail with the current phase tag (inverted at every wrap) and the host consumes up to its head doorbell. ",
        "The controller records a completion once the CQE is written and before it raises the vector, as QEMU traces them (pci_nvme_enqueue_req_completion, then pci_nvme_irq_msix)."),
      this.notice,
      controls,
      h("p", { class: "q-legend", id: "q-legend" },
        h("span", { class: "q-key s-pending" }), " submitted, not fetched ",
        h("span", { class: "q-key s-new" }), " posted, not consumed ",
        h("span", { class: "q-key s-consumed" }), " fetched / consumed ",
        h("span", { class: "q-key s-empty" }), " never written · ",
        "SQ slots: W R C F D Z V M = Write, Read, Copy, Flush, DSM, Write Zeroes, Verify, Compare; A = admin. CQ slots: the phase tag. ",
        h("b", null, "H"), " head, ", h("b", null, "T"), " tail: the controller's inside the ring, the host's outside. ",
        "In a ring, the arrow keys move, Home goes to the head, End to the tail, Enter keeps a slot's entry shown, Escape lets it follow the replay again."),
      h("div", { class: "q-layout" }, this.pairs, detailCard),
      h("section", { class: "card" }, h("h3", null, "Problems"), this.problems));
    this.go(bringUp);
  }

  /** The position after bring-up (before the first event on an I/O queue), where the view opens. */
  private bringUpEnd(): number {
    const r = this.replay!;
    for (let i = 0; i < r.length; i++) {
      const e = r.events[i];
      if ((e.kind === L.EVK_DOORBELL_SQ || e.kind === L.EVK_FETCH) && e.sqid !== 0) return i;
    }
    return r.length;
  }

  private controls(): HTMLElement {
    const r = this.replay!;
    const btn = (label: string, f: () => void, hint?: string) => {
      const b = h("button", { type: "button", title: hint });
      b.textContent = label;
      b.addEventListener("click", f);
      return b;
    };
    const stopSel = h("select", { id: "q-stop" },
      h("option", { value: "any" }, "any command"), h("option", { value: "io" }, "I/O commands"),
      h("option", { value: "copy" }, "Copy commands"), h("option", { value: "error" }, "failed commands")) as HTMLSelectElement;
    stopSel.value = this.stop;
    stopSel.addEventListener("change", () => { this.stop = stopSel.value as CommandStop; });
    const speedSel = h("select", { id: "q-speed" }, SPEEDS.map((v) => h("option", { value: v }, `${v} events/s`))) as HTMLSelectElement;
    speedSel.value = String(this.speed);
    speedSel.addEventListener("change", () => { this.speed = Number(speedSel.value); });
    this.playBtn.onclick = () => (this.timer ? this.pause() : this.play());
    this.slider.oninput = () => { this.pause(); this.go(Number(this.slider.value)); };
    return h("section", { class: "card q-player", "aria-label": "Replay controls" },
      h("div", { class: "controls" },
        btn("Reset", () => { this.pause(); this.go(0); }, "Back to the first event (before the admin queue exists)"),
        btn("Back", () => { this.pause(); this.go(this.position - 1); }, "One event back"),
        btn("Step event", () => { this.pause(); this.go(this.position + 1); }, "Apply the next controller event"),
        btn("Step command", () => { this.pause(); this.go(r.nextCommand(this.position, this.stop)); }, "To the next fetch or completion of a command"),
        h("label", { class: "q-inline" }, "stops at ", stopSel),
        this.playBtn,
        h("label", { class: "q-inline" }, "speed ", speedSel)),
      h("div", { class: "q-slider" }, h("label", { for: "q-pos" }, "Position"), this.slider, this.posText),
      this.now);
  }

  private play(): void {
    const r = this.replay;
    if (!r) return;
    if (this.position >= r.length) this.go(0);
    this.playBtn.textContent = "Pause";
    // a live region that speaks every event at 100 events/s helps nobody: quiet while playing
    this.nowLine.setAttribute("aria-live", "off");
    const tick = () => {
      if (this.position >= r.length) { this.pause(); return; }
      this.go(this.position + 1);
      this.timer = setTimeout(tick, 1000 / this.speed);
    };
    this.timer = setTimeout(tick, 1000 / this.speed);
  }

  private pause(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.playBtn.textContent = "Play";
    this.nowLine.setAttribute("aria-live", "polite");
  }

  /** Show the state after p events. */
  go(p: number): void {
    const r = this.replay;
    if (!r) return;
    this.position = Math.max(0, Math.min(r.length, p));
    this.pinned = undefined; // a clicked slot stays shown until the position changes
    const s = (this.state = r.seek(this.position));
    this.slider.value = String(this.position);
    const e = s.event;
    this.posText.textContent = `event ${this.position} of ${r.length}${e ? ` · t = ${formatNs(e.timeNs)}` : ""}`;
    this.renderNow();
    const cur = this.currentSlot();
    for (const ring of this.rings.values()) {
      const q = ring.kind === "sq" ? s.sqs.get(ring.qid) : s.cqs.get(ring.qid);
      ring.update(q, cur && cur.kind === ring.kind && cur.qid === ring.qid ? cur.slot : undefined);
      // doorbell writes and interrupts flash on the event that did them
      flash(ring.doorbell, !!e && ring.qid === e.sqid && (ring.kind === "sq" ? e.kind === L.EVK_DOORBELL_SQ : e.kind === L.EVK_DOORBELL_CQ));
      if (ring.irq) flash(ring.irq, !!e && e.kind === L.EVK_INTERRUPT && (q as CqState | undefined)?.vector === e.arg32 && (q as CqState).ien);
    }
    for (const m of this.pairs.querySelectorAll<HTMLElement>(".q-pair-meta")) {
      const qid = Number(m.dataset.qid);
      const sq = s.sqs.get(qid), cq = s.cqs.get(qid);
      m.textContent = sq || cq ? ` · SQ ${qid} → CQ ${sq?.cqid ?? qid}${cq ? (cq.ien ? `, vector ${cq.vector}` : ", polled") : ""}` : " · not created yet";
    }
    this.renderDetail();
  }

  /** The current event as a QEMU trace line, between its neighbours. */
  private renderNow(): void {
    const r = this.replay!;
    const p = this.position;
    const rows: HTMLElement[] = [];
    for (let i = Math.max(0, p - 3); i < Math.min(r.length, p + 2); i++) {
      const e = r.events[i];
      const cur = i === p - 1;
      const bad = e.cls === L.EVC_ERROR || e.cls === L.EVC_HOST_UB;
      rows.push(h("li", { class: `${cur ? "cur" : ""} ${bad ? "bad" : ""}`.trim(), "aria-current": cur ? "step" : undefined },
        h("span", { class: "q-ev-mark", "aria-hidden": "true" }, cur ? "▶" : ""), h("span", { class: "q-ev-n" }, `#${i + 1}`), h("span", { class: "q-ev-t" }, formatNs(e.timeNs)), h("code", null, r.line(i))));
    }
    if (p === 0) show(this.nowLine, "Before the first event: no queue exists yet. Step to watch bring-up (AQA/ASQ/ACQ, CC.EN, the admin queue).");
    else show(this.nowLine, `Event ${p} at t = ${formatNs(r.events[p - 1].timeNs)}: `, h("code", null, r.line(p - 1)));
    show(this.traceList, rows);
  }

  private renderDetail(): void {
    const sel = this.selection();
    const s = this.state;
    // re-render only when what is shown changes: a click on the entry's buttons must find them there
    const key = sel && s ? `${sel.kind}${sel.qid}:${sel.slot}@${s.position}/${this.pinned === sel}` : `none@${s?.position}`;
    if (key === this.detailKey) return;
    this.detailKey = key;
    if (!sel || !s) {
      show(this.detail, h("p", { class: "hint" }, "Hover, focus (Tab, then the arrow keys) or click a slot to see its entry decoded. Without one, this shows the entry the current event touched."));
      return;
    }
    const pinnedNote = this.pinned && this.pinned === sel ? h("p", { class: "meta" }, "Chosen: stays until another slot is chosen (click or Enter), Escape, or a step") : null;
    if (sel.kind === "sq") {
      const q = s.sqs.get(sel.qid);
      if (!q) return show(this.detail, h("p", null, `SQ ${sel.qid} does not exist at this point.`));
      const e = q.slots[sel.slot];
      const state = sqSlotState(q, sel.slot);
      const where = h("p", { class: "q-where" }, `SQ ${sel.qid} slot ${sel.slot} · `, h("span", { class: `q-state s-${state}` },
        state === "pending" ? "submitted, not yet fetched" : state === "consumed" ? "fetched (the host may reuse the slot)" : "never written"));
      if (!e) {
        const unknown = state === "pending" ? h("p", null, "The host wrote this entry, but the run ended before the controller fetched it, so its contents are not in the record.") : null;
        return show(this.detail, where, unknown, pinnedNote);
      }
      show(this.detail, where, pinnedNote, ...this.sqeBlock(e));
    } else {
      const q = s.cqs.get(sel.qid);
      if (!q) return show(this.detail, h("p", null, `CQ ${sel.qid} does not exist at this point.`));
      const c = q.slots[sel.slot];
      const state = cqSlotState(q, sel.slot);
      const where = h("p", { class: "q-where" }, `CQ ${sel.qid} slot ${sel.slot} · `, h("span", { class: `q-state s-${state}` },
        state === "new" ? `posted, not yet consumed (P = ${c?.phase}${c?.phase === q.phase ? ", the controller's current phase" : `: written before the tail wrapped; the controller's phase is now ${q.phase}`})` : state === "consumed" ? "consumed by the host" : "never written (P = 0: zeroed memory)"));
      if (!c) return show(this.detail, where, pinnedNote);
      show(this.detail, where, pinnedNote, ...this.cqeBlock(c));
    }
  }

  private fields(f: EntryField[], caption: string): HTMLElement {
    return h("dl", { class: "kv q-fields", "aria-label": caption }, f.flatMap((x) => [
      h("dt", null, h("abbr", null, x.name)),
      h("dd", null, h("code", null, x.value), x.meaning ? h("span", { class: "muted" }, ` ${x.meaning}`) : null),
    ]));
  }

  private jump(label: string, p: number): HTMLButtonElement {
    const b = h("button", { type: "button", class: "small" }, label);
    b.addEventListener("click", () => {
      const hadFocus = document.activeElement === b;
      this.pause();
      this.go(p);
      // the entry was redrawn: keep keyboard focus on the same button of the new one
      if (hadFocus) [...this.detail.querySelectorAll("button")].find((x) => x.textContent === label)?.focus();
    });
    return b;
  }

  private sqeBlock(e: SqEntry): Array<HTMLElement | null> {
    const c = e.completion;
    const status = c ? h("span", { class: `status ${(c.status.raw & 0x7ff) === 0 ? "ok" : "bad"}` }, c.status.name) : null;
    const head: EntryField[] = [
      { name: "OPC", value: `${e.opc.toString(16).padStart(2, "0")}h`, meaning: `${e.name} (${e.admin ? "admin" : "NVM"} command set)` },
      { name: "CID", value: String(e.cid) },
      { name: "NSID", value: String(e.nsid), meaning: e.nsid === 0xffffffff ? "every namespace" : e.nsid === 0 ? "none" : undefined },
    ];
    const ranges = e.ranges.length
      // NLB as the descriptor holds it (0's based, NVM Command Set §3.3.2), as the SQE's fields show it
      ? table(`Source ranges the controller read (${e.ranges.length})`, ["Range", "SNSID", "SLBA", "NLB", "Blocks", "→ NSID", "DLBA"],
        e.ranges.map((g) => [String(g.index), String(g.snsid), String(g.slba), String(g.nlb - 1), String(g.nlb), String(g.dnsid), String(g.dlba)]), "compact")
      : e.opc === 0x19 && !e.admin && e.record?.ranges
        ? table("Source ranges (the driver's record; the controller read none)", ["Range", "SLBA", "NLB", "Blocks"], e.record.ranges.map((g, i) => [String(i), String(g.slba), String(g.nlb - 1), String(g.nlb)]), "compact")
        : null;
    const rec = e.record;
    return [
      h("h4", { class: "q-entry-title" }, entryTitle(e), " ", status),
      this.fields([...head, ...e.fields], "SQE fields"),
      ranges,
      h("p", { class: "meta" }, `Fetched at event ${e.fetchAt + 1}, t = ${formatNs(e.timeNs)}.`,
        rec ? ` Driver: request ${rec.rq} on ${rec.disk}${rec.done_ns !== undefined ? `, completed to the block layer at t = ${formatNs(rec.done_ns)}` : ""}.` : ""),
      h("div", { class: "controls q-jumps" }, this.jump("Go to its fetch", e.fetchAt + 1), c ? this.jump("Go to its completion", c.postAt + 1) : null),
      c ? h("p", { class: "meta" }, `Completed in CQ ${c.cqid} slot ${c.slot} with phase ${c.phase}: SCT ${c.status.sct.toString(16)}h, SC ${c.status.sc.toString(16).padStart(2, "0")}h, DW0 0x${(c.dw0 >>> 0).toString(16)}.`) : h("p", { class: "meta" }, "No completion in the record (yet)."),
    ];
  }

  private cqeBlock(c: CqEntry): Array<HTMLElement | null> {
    const ok = (c.status.raw & 0x7ff) === 0;
    const e = c.entry;
    return [
      h("h4", { class: "q-entry-title" }, `CQE for CID ${c.cid}`, e ? ` (${entryTitle(e)})` : "", " ", h("span", { class: `status ${ok ? "ok" : "bad"}` }, c.status.name)),
      this.fields(decodeCompletion(c), "CQE fields"),
      h("p", { class: "meta" }, `Posted at event ${c.postAt + 1}, t = ${formatNs(c.timeNs)}; ${c.status.sctName}.`),
      h("div", { class: "controls q-jumps" }, e ? this.jump("Go to its fetch", e.fetchAt + 1) : null, this.jump("Go to its completion", c.postAt + 1)),
    ];
  }
}

export function mountQueues(panel: HTMLElement, ctx: ViewContext): void {
  new QueuesView(panel, ctx).mount();
}
