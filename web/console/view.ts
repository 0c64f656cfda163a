// The Console view (main thread): an xterm.js terminal whose lines run in the host worker on
// the page's controller. The line editor (history, completion) is web/console/line-editor.ts;
// the worker streams each command's output back in numbered batches and this writes them to
// the terminal in order, in slices, waiting for xterm to take each one, so long output never
// holds the page up. Standard error is red, the console's own remarks dim.

import { Terminal } from "@xterm/xterm";
import "@xterm/xterm/css/xterm.css";
import * as Comlink from "comlink";
import type { HostApi, BootInfo, ConsoleRun } from "../host.worker";
import type { Chunk } from "./shell";
import { LineEditor, History, type EditorAction } from "./line-editor";
import { complete, columns, shownName } from "./complete";

const PROMPT = "\x1b[1;32mnvmelab\x1b[0m$ ";
const PROMPT_WIDTH = "nvmelab$ ".length;
const ROWS = 28;
const HISTORY_KEY = "nvmelab.console.history";
/** Largest piece handed to xterm at once; the next waits until xterm has parsed it. */
const SLICE = 32 * 1024;
/** Room for xterm's scrollbar at the right of the rows (CSS pixels). */
const SCROLLBAR = 16;
/**
 * Fewest columns: nvme-cli's `list` prints 169 (print_list_items: Node, Generic, SN, Model,
 * Namespace, Usage, Format, FW Rev in their fixed widths), and a wrapped table is unreadable.
 * A narrower box scrolls sideways; the card widens up to the window to avoid it.
 */
const MIN_COLS = 170;

const SGR: Record<Chunk["stream"], [string, string]> = {
  out: ["", ""],
  err: ["\x1b[31m", "\x1b[39m"],
  warn: ["\x1b[33m", "\x1b[39m"],
  ok: ["", ""],
  note: ["\x1b[2m", "\x1b[22m"],
};

export interface ConsoleOptions {
  host: Comlink.Remote<HostApi>;
  /** Where the terminal goes. */
  element: HTMLElement;
  /** A command booted the controller (there was none). */
  onBooted?(info: BootInfo): void;
  /** A command started or ended. */
  onBusy?(busy: boolean): void;
}

function loadHistory(): string[] {
  try {
    const v = JSON.parse(localStorage.getItem(HISTORY_KEY) ?? "[]");
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
  } catch {
    return [];
  }
}

function saveHistory(h: History): void {
  try {
    localStorage.setItem(HISTORY_KEY, JSON.stringify(h.entries));
  } catch {
    // storage may be unavailable (private mode, quota): history then lasts for the page only
  }
}

/** Width in CSS pixels of one cell of the terminal's font. */
function cellWidth(el: HTMLElement, font: string, size: number): number {
  const probe = document.createElement("span");
  probe.textContent = "W".repeat(64);
  probe.style.cssText = `position:absolute;visibility:hidden;white-space:pre;font-family:${font};font-size:${size}px`;
  el.appendChild(probe);
  const w = probe.getBoundingClientRect().width / 64;
  probe.remove();
  return w || size * 0.6;
}

/** Writes text to the terminal in order, a slice at a time. */
class TermWriter {
  private queue: string[] = [];
  private running = false;
  private waiters: Array<() => void> = [];

  constructor(private readonly term: Terminal) {}

  write(text: string): void {
    if (text === "") return;
    this.queue.push(text);
    if (!this.running) void this.pump();
  }

  /** Resolves when everything written so far is on the screen. */
  drained(): Promise<void> {
    return this.running || this.queue.length ? new Promise((r) => this.waiters.push(r)) : Promise.resolve();
  }

  private async pump(): Promise<void> {
    this.running = true;
    while (this.queue.length) {
      const text = this.queue.shift()!;
      for (let i = 0; i < text.length; i += SLICE) {
        await new Promise<void>((r) => this.term.write(text.slice(i, i + SLICE), r));
      }
    }
    this.running = false;
    for (const w of this.waiters.splice(0)) w();
  }
}

/** Output batches of one command, put in order by their numbers. */
class RunOutput {
  private next = 0;
  private held = new Map<number, Chunk[]>();
  private expected = Infinity;
  private done?: () => void;

  constructor(private readonly emit: (chunks: Chunk[]) => void) {}

  receive(chunks: Chunk[], seq: number): void {
    this.held.set(seq, chunks);
    while (this.held.has(this.next)) {
      this.emit(this.held.get(this.next)!);
      this.held.delete(this.next++);
    }
    if (this.next >= this.expected) this.done?.();
  }

  /** Resolves once all `count` batches arrived and were emitted. */
  all(count: number): Promise<void> {
    this.expected = count;
    return this.next >= count ? Promise.resolve() : new Promise((r) => { this.done = r; });
  }
}

export interface ConsoleHandle {
  terminal: Terminal;
  focus(): void;
  /** Type text as if from the keyboard ("\r" ends a line); the gallery's console experiments use it. */
  type(text: string): void;
}

export function startConsole(opts: ConsoleOptions): ConsoleHandle {
  const font = '"DejaVu Sans Mono", ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace';
  const fontSize = 13;
  const term = new Terminal({
    rows: ROWS,
    cols: 100,
    convertEol: true,
    scrollback: 10_000,
    screenReaderMode: true,
    cursorBlink: true,
    fontFamily: font,
    fontSize,
    minimumContrastRatio: 4.5,
    theme: {
      background: "#161a21",
      foreground: "#e4e7ed",
      cursor: "#e4e7ed",
      selectionBackground: "#3b4a66",
      red: "#ff7b72",
      yellow: "#e3b341",
      green: "#6fd08f",
      brightGreen: "#8be0a8",
    },
  });
  term.open(opts.element);
  const textarea = opts.element.querySelector("textarea");
  const hint = opts.element.getAttribute("aria-describedby");
  if (textarea && hint) textarea.setAttribute("aria-describedby", hint);

  // Fit the columns to the element's width, never fewer than MIN_COLS (the rows stay fixed).
  // --console-min-width tells the card around it how wide MIN_COLS are (style.css widens it
  // up to the window); xterm's own element gets that width, so a narrower box scrolls sideways.
  const fit = () => {
    const cw = cellWidth(opts.element, font, fontSize);
    const cs = getComputedStyle(opts.element);
    const pad = parseFloat(cs.paddingLeft) + parseFloat(cs.paddingRight);
    const minWidth = Math.ceil(MIN_COLS * cw + SCROLLBAR);
    (opts.element.parentElement ?? opts.element).style.setProperty("--console-min-width", `${minWidth + pad}px`);
    if (term.element) term.element.style.minWidth = `${minWidth}px`;
    const inner = opts.element.clientWidth - pad - SCROLLBAR;
    const cols = Math.max(MIN_COLS, Math.floor(inner / cw));
    if (cols !== term.cols) term.resize(cols, ROWS);
  };
  // xterm's vertical scrollbar sits at the right edge of xterm's element, which in a box
  // narrower than MIN_COLS is out of view until the box is scrolled all the way right (and
  // then the text is out of view). The box tells style.css how far that edge lies beyond its
  // visible right edge (--console-beyond), and the scrollbar is drawn back by as much: it
  // stays at the right of what the user sees, over the rows there, wherever the box scrolls.
  const box = opts.element;
  const pin = () => box.style.setProperty("--console-beyond", `${Math.max(0, box.scrollWidth - box.clientWidth - box.scrollLeft)}px`);
  box.addEventListener("scroll", pin, { passive: true });
  fit();
  pin();
  new ResizeObserver(() => { fit(); pin(); }).observe(opts.element);

  const history = new History(loadHistory());
  const editor = new LineEditor(history, PROMPT, PROMPT_WIDTH, () => term.cols);
  const writer = new TermWriter(term);
  let run: RunOutput | undefined;
  const sink = Comlink.proxy((chunks: Chunk[], seq: number) => run?.receive(chunks, seq));

  const writeChunks = (chunks: Chunk[]) => {
    for (const c of chunks) writer.write(SGR[c.stream][0] + c.text + SGR[c.stream][1]);
  };

  // Keyboard: Tab completes inside the terminal, so Shift+Tab, or Esc then Tab, move focus
  // out of it (no keyboard trap). Shift+PageUp/PageDown scroll (xterm), Shift+Home/End go
  // to the top and the bottom of the scrollback.
  let escaped = false;
  term.attachCustomKeyEventHandler((ev) => {
    if (ev.type !== "keydown") return true;
    if (ev.key === "Tab" && (ev.shiftKey || escaped)) {
      escaped = false;
      return false;
    }
    escaped = ev.key === "Escape";
    if (ev.shiftKey && !ev.ctrlKey && !ev.altKey && (ev.key === "Home" || ev.key === "End")) {
      ev.preventDefault();
      if (ev.key === "Home") term.scrollToTop();
      else term.scrollToBottom();
      return false;
    }
    return true;
  });

  let busy = false;
  let pending = "";
  let commands = 0;

  const setBusy = (b: boolean) => {
    busy = b;
    opts.element.setAttribute("aria-busy", String(b));
    opts.onBusy?.(b);
  };

  async function runLine(line: string): Promise<void> {
    const word = line.trim().split(/\s+/)[0];
    if (word === "clear") {
      term.clear();
      return;
    }
    if (word === "history") {
      history.entries.forEach((h, i) => writer.write(`${String(i + 1).padStart(5)}  ${h}\n`));
      return;
    }
    const out = new RunOutput(writeChunks);
    run = out;
    try {
      const r: ConsoleRun = await opts.host.consoleRun(line, sink);
      await out.all(r.batches);
      if (r.booted) opts.onBooted?.(r.booted);
    } catch (e) {
      writer.write(`${SGR.err[0]}console: ${e instanceof Error ? e.message : String(e)}${SGR.err[1]}\n`);
    } finally {
      run = undefined;
    }
  }

  async function completeAt(a: Extract<EditorAction, { type: "complete" }>): Promise<void> {
    let spec;
    try {
      spec = await opts.host.consoleSpec();
    } catch {
      return;
    }
    const c = complete(a.line, a.cursor, spec);
    const word = a.line.slice(c.from, a.cursor);
    if (c.replacement !== word) writer.write(editor.replace(c.from, c.replacement));
    else if (c.candidates.length > 1) {
      writer.write(editor.below() + columns(c.candidates.map(shownName), term.cols).join("\n") + "\n" + editor.redraw());
    } else {
      writer.write("\x07");
    }
  }

  async function act(a: EditorAction): Promise<void> {
    switch (a.type) {
      case "submit":
        saveHistory(history);
        if (a.line.trim() !== "") {
          setBusy(true);
          await runLine(a.line);
          await writer.drained();
          setBusy(false);
        }
        writer.write(editor.start());
        await writer.drained();
        // How many lines have run (the prompt is back): tests and tools can wait on it.
        opts.element.dataset.commands = String(++commands);
        break;
      case "interrupt":
        writer.write(editor.start());
        break;
      case "clear":
        term.clear();
        writer.write(editor.redraw());
        break;
      case "complete":
        await completeAt(a);
        break;
    }
  }

  let pumping = false;
  async function pump(): Promise<void> {
    if (pumping) return;
    pumping = true;
    try {
      while (pending) {
        const data = pending;
        pending = "";
        const r = editor.feed(data);
        pending = r.rest + pending;
        writer.write(r.write);
        if (r.action) await act(r.action);
      }
    } finally {
      pumping = false;
    }
  }

  term.onData((data) => {
    if (busy && data === "\x03") {
      writer.write(`${SGR.note[0]}^C (a running command cannot be stopped; it ends on its own)${SGR.note[1]}\n`);
      return;
    }
    pending += data;
    void pump();
  });

  writer.write(`${SGR.note[0]}nvmelab console: nvme-cli's commands on this page's controller. Type help; Tab completes, Up/Down recall.${SGR.note[1]}\n`);
  writer.write(editor.start());
  return {
    terminal: term,
    focus: () => term.focus(),
    type(text: string) {
      pending += text;
      void pump();
    },
  };
}
