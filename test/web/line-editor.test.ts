// The console's line editor: keys as xterm sends them, editing, history with its draft, what
// is written back to the terminal (checked by replaying it on a tiny terminal model), and
// where feeding stops (an action) so the rest is fed after the command ran.

import { describe, it, expect } from "vitest";
import { LineEditor, History, nextKey } from "../../web/console/line-editor";

/** A minimal terminal: enough of CR, CRLF, CUU/CUF, ED/EL and auto-wrap to check the editor's output. */
class Screen {
  rows: string[] = [""];
  x = 0;
  y = 0;
  private wrapPending = false;
  constructor(readonly cols: number) {}
  private row(y: number): string {
    while (this.rows.length <= y) this.rows.push("");
    return this.rows[y];
  }
  private put(c: string): void {
    if (this.wrapPending) {
      this.wrapPending = false;
      this.x = 0;
      this.y++;
    }
    const r = this.row(this.y).padEnd(this.x, " ");
    this.rows[this.y] = r.slice(0, this.x) + c + r.slice(this.x + 1);
    if (this.x === this.cols - 1) this.wrapPending = true;
    else this.x++;
  }
  write(s: string): void {
    for (let i = 0; i < s.length; i++) {
      const c = s[i];
      if (c === "\x1b") {
        const m = /^\x1b\[(\d*)([A-Za-z])/.exec(s.slice(i));
        if (!m) throw new Error(`unknown escape at ${JSON.stringify(s.slice(i, i + 8))}`);
        const n = m[1] === "" ? 1 : Number(m[1]);
        this.wrapPending = false;
        if (m[2] === "A") this.y = Math.max(0, this.y - n);
        else if (m[2] === "C") this.x = Math.min(this.cols - 1, this.x + n);
        else if (m[2] === "J") { this.rows[this.y] = this.row(this.y).slice(0, this.x); this.rows.length = this.y + 1; }
        else if (m[2] === "K") this.rows[this.y] = this.row(this.y).slice(0, this.x);
        else throw new Error(`unsupported CSI ${m[0]}`);
        i += m[0].length - 1;
      } else if (c === "\r") { this.x = 0; this.wrapPending = false; }
      else if (c === "\n") { this.y++; this.row(this.y); this.wrapPending = false; }
      else if (c === "\x07") { /* bell */ }
      else this.put(c);
    }
  }
  text(): string[] {
    return this.rows.map((r) => r.trimEnd());
  }
}

function setup(cols = 40, items: string[] = []) {
  const screen = new Screen(cols);
  const ed = new LineEditor(new History(items), "$ ", 2, () => cols);
  screen.write(ed.start());
  const type = (data: string) => {
    const r = ed.feed(data);
    screen.write(r.write);
    return r;
  };
  return { screen, ed, type };
}

describe("nextKey", () => {
  it("splits characters, CSI and SS3 sequences and Alt+key", () => {
    const keys: string[] = [];
    const data = "a\x1b[A\x1bOH\x1b[3~\x1b[1;5C\x1bbé\r";
    for (let i = 0; i < data.length; ) { const k = nextKey(data, i); keys.push(k); i += k.length; }
    expect(keys).toEqual(["a", "\x1b[A", "\x1bOH", "\x1b[3~", "\x1b[1;5C", "\x1bb", "é", "\r"]);
  });
});

describe("LineEditor", () => {
  it("inserts, moves and deletes as readline does", () => {
    const { ed, type, screen } = setup();
    type("id-ctrl");
    type("\x1b[D\x1b[D\x1b[D\x1b[D\x7f"); // left 4, backspace: "idctrl"
    expect(ed.line).toBe("idctrl");
    expect(ed.cursor).toBe(2);
    type("-");
    type("\x05 -H"); // Ctrl+E, then " -H"
    expect(ed.line).toBe("id-ctrl -H");
    type("\x01\x1b[3~"); // Home, Delete
    expect(ed.line).toBe("d-ctrl -H");
    type("\x0b"); // Ctrl+K
    expect(ed.line).toBe("");
    type("copy --sdlba=1 --slbs=0");
    type("\x17"); // Ctrl+W
    expect(ed.line).toBe("copy --sdlba=1 ");
    type("\x1b[1;5D"); // Ctrl+Left: to the start of "1"
    expect(ed.cursor).toBe(13);
    type("\x15"); // Ctrl+U
    expect(ed.line).toBe("1 ");
    expect(screen.text()[0]).toBe("$ 1");
    expect(screen.x).toBe(2);
  });

  it("submits on Enter, stops there and leaves the rest for later", () => {
    const { ed, type, screen } = setup();
    const r = type("list\r\nhel");
    expect(r.action).toEqual({ type: "submit", line: "list" });
    expect(r.rest).toBe("hel"); // CR LF is one Enter
    expect(screen.text()).toEqual(["$ list", ""]);
    expect(ed.history.entries).toEqual(["list"]);
    screen.write(ed.start());
    type(r.rest);
    expect(screen.text()).toEqual(["$ list", "$ hel"]);
  });

  it("walks the history with Up and Down and keeps the line being edited", () => {
    const { ed, type } = setup(40, ["list", "id-ctrl -H"]);
    type("rea");
    type("\x1b[A");
    expect(ed.line).toBe("id-ctrl -H");
    type("\x1b[A");
    expect(ed.line).toBe("list");
    type("\x1b[A"); // the oldest: stays
    expect(ed.line).toBe("list");
    type("\x1b[B\x1b[B");
    expect(ed.line).toBe("rea");
    expect(ed.cursor).toBe(3);
    type("\x1b[B"); // past the draft: nothing
    expect(ed.line).toBe("rea");
  });

  it("keeps history without blanks or repeats, up to its size", () => {
    const h = new History([], 3);
    for (const l of ["a", "a", " ", "b", "c", "d"]) h.add(l);
    expect(h.entries).toEqual(["b", "c", "d"]);
  });

  it("asks for completion on Tab and inserts the completion", () => {
    const { ed, type, screen } = setup();
    const r = type("id-c\tx");
    expect(r.action).toEqual({ type: "complete", line: "id-c", cursor: 4 });
    expect(r.rest).toBe("x");
    screen.write(ed.replace(0, "id-ctrl "));
    expect(ed.line).toBe("id-ctrl ");
    expect(screen.text()[0]).toBe("$ id-ctrl");
    expect(screen.x).toBe(10);
  });

  it("lists below the line and redraws it", () => {
    const { ed, type, screen } = setup();
    type("blk ru");
    type("\x1b[D");
    screen.write(ed.below() + "run  runs\r\n" + ed.redraw());
    expect(screen.text()).toEqual(["$ blk ru", "run  runs", "$ blk ru"]);
    expect(screen.x).toBe(7);
  });

  it("wraps long lines and keeps the cursor where the model says", () => {
    const { type, screen } = setup(10);
    type("abcdefghijklmnop"); // 2 + 16 = 18 columns: two rows
    expect(screen.text()).toEqual(["$ abcdefgh", "ijklmnop"]);
    expect([screen.y, screen.x]).toEqual([1, 8]);
    type("\x01"); // Home: back on the first row
    expect([screen.y, screen.x]).toEqual([0, 2]);
    type("XY"); // grows to exactly 20 columns: the cursor goes below the margin correctly
    expect(screen.text()).toEqual(["$ XYabcdef", "ghijklmnop", ""]);
    expect([screen.y, screen.x]).toEqual([0, 4]);
    type("\x05");
    expect([screen.y, screen.x]).toEqual([2, 0]);
    type("\x7f\x7f\x7f");
    expect(screen.text().filter((l) => l !== "")).toEqual(["$ XYabcdef", "ghijklm"]);
    expect([screen.y, screen.x]).toEqual([1, 7]);
    const r = type("\r");
    expect(r.action).toEqual({ type: "submit", line: "XYabcdefghijklm" });
    expect(screen.y).toBe(2);
  });

  it("drops the line on Ctrl+C and clears on Ctrl+L", () => {
    const { ed, type, screen } = setup();
    const r = type("oops\x03");
    expect(r.action).toEqual({ type: "interrupt", line: "oops" });
    expect(screen.text()[0]).toBe("$ oops^C");
    expect(ed.history.entries).toEqual([]);
    expect(type("\x0c").action).toEqual({ type: "clear" });
  });

  it("ignores control characters and unknown sequences", () => {
    const { ed, type } = setup();
    type("a\x00\x1b[15~\x1bOP\x07b");
    expect(ed.line).toBe("ab");
  });
});
