// The console's line editor, as readline does it in a terminal: it takes what the terminal
// sends for keys (xterm's onData: characters and escape sequences) and answers with what to
// write back (the redrawn line, the cursor moved) and what the user asked for (run a line,
// complete a word, clear the screen). Pure: no DOM, no terminal object, so it is unit-tested.
//
// Keys: printable characters insert; Backspace, Delete; Left/Right, Ctrl+B/F; Home/End,
// Ctrl+A/E; Ctrl+Left/Right and Alt+B/F by word; Up/Down and Ctrl+P/N walk the history;
// Ctrl+U/K kill to the start/end, Ctrl+W the word before the cursor; Ctrl+C drops the line;
// Ctrl+L clears the screen; Tab asks for completion; Enter runs the line.

export class History {
  private items: string[];
  /** Where Up/Down are: items.length is the line being edited (the draft). */
  private pos: number;
  private draft = "";

  constructor(items: string[] = [], readonly max = 500) {
    this.items = items.slice(-max);
    this.pos = this.items.length;
  }

  get entries(): readonly string[] {
    return this.items;
  }

  /** Remember a line that was run (not blank, not the same as the one before). */
  add(line: string): void {
    if (line.trim() !== "" && this.items[this.items.length - 1] !== line) {
      this.items.push(line);
      if (this.items.length > this.max) this.items.splice(0, this.items.length - this.max);
    }
    this.reset();
  }

  /** Back to the draft end (a new line starts). */
  reset(): void {
    this.pos = this.items.length;
    this.draft = "";
  }

  /** The line before (Up), keeping the current one as the draft; undefined at the oldest. */
  prev(current: string): string | undefined {
    if (this.pos === 0) return undefined;
    if (this.pos === this.items.length) this.draft = current;
    return this.items[--this.pos];
  }

  /** The line after (Down); the draft after the newest; undefined at the draft. */
  next(): string | undefined {
    if (this.pos >= this.items.length) return undefined;
    this.pos++;
    return this.pos === this.items.length ? this.draft : this.items[this.pos];
  }
}

export type EditorAction =
  | { type: "submit"; line: string }
  | { type: "complete"; line: string; cursor: number }
  | { type: "clear" }
  | { type: "interrupt"; line: string };

export interface FeedResult {
  /** Bytes to write to the terminal, in order. */
  write: string;
  /** What the user asked for; feeding stops after it (rest holds the keys after it). */
  action?: EditorAction;
  rest: string;
}

/** One key out of terminal input: a character, a control character or an escape sequence. */
export function nextKey(data: string, i: number): string {
  const c = data[i];
  if (c !== "\x1b" || i + 1 >= data.length) {
    const cp = data.codePointAt(i)!;
    return String.fromCodePoint(cp);
  }
  const d = data[i + 1];
  if (d === "[") {
    // CSI: parameters and intermediates, then one final byte in @..~
    let j = i + 2;
    while (j < data.length && !(data.charCodeAt(j) >= 0x40 && data.charCodeAt(j) <= 0x7e)) j++;
    return data.slice(i, Math.min(j + 1, data.length));
  }
  if (d === "O") return data.slice(i, i + 3); // SS3: ESC O A
  return data.slice(i, i + 2); // Alt+key
}

const WORD = /[A-Za-z0-9_]/;

export class LineEditor {
  line = "";
  cursor = 0;
  /** Row of the cursor, counted from the prompt's row, as last drawn. */
  private cursorRow = 0;

  constructor(
    readonly history: History,
    /** The prompt as written (it may hold colours) and how many columns it takes. */
    public prompt: string,
    public promptWidth: number,
    /** The terminal's width in columns (it may change between calls). */
    private readonly cols: () => number,
  ) {}

  /** Start a new line: write the prompt (the cursor is at the start of an empty row). */
  start(): string {
    this.line = "";
    this.cursor = 0;
    this.cursorRow = 0;
    this.history.reset();
    return this.prompt;
  }

  /** Redraw the prompt and line (after output was written below them, e.g. a completion list). */
  redraw(): string {
    this.cursorRow = 0;
    return this.render(true);
  }

  /** Move below the input without ending it (a completion list goes there); redraw() after. */
  below(): string {
    const at = this.cursor;
    this.cursor = this.line.length;
    const s = this.render();
    this.cursor = at;
    return s + "\r\n";
  }

  /** Replace the text between from and the cursor (a completion) and redraw. */
  replace(from: number, text: string): string {
    this.line = this.line.slice(0, from) + text + this.line.slice(this.cursor);
    this.cursor = from + text.length;
    return this.render();
  }

  /**
   * Draw prompt and line from the prompt's first row: up to it, clear to the end of the
   * screen, write, then put the cursor at its column. Lines wider than the terminal wrap;
   * a line that ends exactly at the right margin gets the cursor onto the next row first
   * (a space and CR, as readline does), so the row arithmetic holds.
   */
  private render(fresh = false): string {
    const cols = Math.max(1, this.cols());
    let s = fresh ? "\r" : (this.cursorRow > 0 ? `\x1b[${this.cursorRow}A` : "") + "\r";
    s += "\x1b[J" + this.prompt + this.line;
    const end = this.promptWidth + this.line.length;
    if (end > 0 && end % cols === 0) s += " \r\x1b[K";
    const endRow = Math.floor(end / cols);
    const at = this.promptWidth + this.cursor;
    const row = Math.floor(at / cols);
    const col = at % cols;
    if (endRow > row) s += `\x1b[${endRow - row}A`;
    s += "\r" + (col > 0 ? `\x1b[${col}C` : "");
    this.cursorRow = row;
    return s;
  }

  /** Move the cursor to the end of the input and to a new row (before output). */
  private finish(): string {
    this.cursor = this.line.length;
    return this.render() + "\r\n";
  }

  private wordLeft(): number {
    let i = this.cursor;
    while (i > 0 && !WORD.test(this.line[i - 1])) i--;
    while (i > 0 && WORD.test(this.line[i - 1])) i--;
    return i;
  }

  private wordRight(): number {
    let i = this.cursor;
    while (i < this.line.length && !WORD.test(this.line[i])) i++;
    while (i < this.line.length && WORD.test(this.line[i])) i++;
    return i;
  }

  /** Deletes back to the previous space (Ctrl+W, as bash's unix-word-rubout). */
  private rubout(): number {
    let i = this.cursor;
    while (i > 0 && this.line[i - 1] === " ") i--;
    while (i > 0 && this.line[i - 1] !== " ") i--;
    return i;
  }

  private setLine(text: string): void {
    this.line = text;
    this.cursor = text.length;
  }

  /** Take terminal input; stop after the first action (the caller feeds rest later). */
  feed(data: string): FeedResult {
    let write = "";
    let i = 0;
    while (i < data.length) {
      const key = nextKey(data, i);
      i += key.length;
      const before = this.line;
      const cursorBefore = this.cursor;
      let action: EditorAction | undefined;
      switch (key) {
        case "\r":
        case "\n":
          if (key === "\r" && data[i] === "\n") i++; // CR LF (a paste): one Enter
          write += this.finish();
          action = { type: "submit", line: this.line };
          this.history.add(this.line);
          break;
        case "\t":
          action = { type: "complete", line: this.line, cursor: this.cursor };
          break;
        case "\x03": // Ctrl+C
          write += this.finish().replace(/\r\n$/, "^C\r\n");
          action = { type: "interrupt", line: this.line };
          this.history.reset();
          break;
        case "\x0c": // Ctrl+L
          action = { type: "clear" };
          break;
        case "\x7f":
        case "\b":
          if (this.cursor > 0) {
            this.line = this.line.slice(0, this.cursor - 1) + this.line.slice(this.cursor);
            this.cursor--;
          }
          break;
        case "\x1b[3~":
        case "\x04": // Ctrl+D deletes the character under the cursor
          this.line = this.line.slice(0, this.cursor) + this.line.slice(this.cursor + 1);
          break;
        case "\x1b[D": case "\x1bOD": case "\x02":
          this.cursor = Math.max(0, this.cursor - 1);
          break;
        case "\x1b[C": case "\x1bOC": case "\x06":
          this.cursor = Math.min(this.line.length, this.cursor + 1);
          break;
        case "\x1b[H": case "\x1bOH": case "\x1b[1~": case "\x1b[7~": case "\x01":
          this.cursor = 0;
          break;
        case "\x1b[F": case "\x1bOF": case "\x1b[4~": case "\x1b[8~": case "\x05":
          this.cursor = this.line.length;
          break;
        case "\x1b[1;5D": case "\x1b[1;3D": case "\x1bb":
          this.cursor = this.wordLeft();
          break;
        case "\x1b[1;5C": case "\x1b[1;3C": case "\x1bf":
          this.cursor = this.wordRight();
          break;
        case "\x1b[A": case "\x1bOA": case "\x10": {
          const p = this.history.prev(this.line);
          if (p !== undefined) this.setLine(p);
          break;
        }
        case "\x1b[B": case "\x1bOB": case "\x0e": {
          const n = this.history.next();
          if (n !== undefined) this.setLine(n);
          break;
        }
        case "\x15": // Ctrl+U
          this.line = this.line.slice(this.cursor);
          this.cursor = 0;
          break;
        case "\x0b": // Ctrl+K
          this.line = this.line.slice(0, this.cursor);
          break;
        case "\x17": { // Ctrl+W
          const from = this.rubout();
          this.line = this.line.slice(0, from) + this.line.slice(this.cursor);
          this.cursor = from;
          break;
        }
        default:
          // Printable text; other control characters and unknown sequences are dropped.
          if (key.length >= 1 && !/^[\x00-\x1f\x7f]/.test(key) && !/[\x80-\x9f]/.test(key)) {
            this.line = this.line.slice(0, this.cursor) + key + this.line.slice(this.cursor);
            this.cursor += key.length;
          }
      }
      if (action) return { write, action, rest: data.slice(i) };
      if (this.line !== before || this.cursor !== cursorBefore) write += this.render();
    }
    return { write, rest: "" };
  }
}
