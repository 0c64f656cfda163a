// The console's shell, in the host worker: it splits a command line into words (quotes,
// backslashes, < FILE and > FILE), runs the console's own commands (help, ls, cat, xxd, hexdump) or
// the CLI (src/cli/browser.ts) on the page's controller, and streams what they print to the
// page in batches. Files live in a small in-memory file system: the bundled examples, a few
// data files, and whatever commands write (read --data=FILE, fio --output=FILE, > FILE).
// Standard input is a built-in pattern unless < FILE says otherwise. No DOM.

import { CliError, Io } from "../../src/cli/context";
import { hexdump } from "../../src/cli/print/hexdump";
import { xxd, hexdumpC } from "./dump";
import { runBrowserCli, browserUsage, commandSpecs, BrowserCli, BROWSER_COMMANDS } from "../../src/cli/browser";
import { PREFIXES, type CompletionSpec } from "./complete";

/** Standard output, standard error (errors, warnings, and the CLI's success lines), console remarks. */
export type Stream = "out" | "err" | "warn" | "ok" | "note";
export interface Chunk {
  stream: Stream;
  text: string;
}

export class ShellError extends Error {}

// ---- files ----

/** A path of the in-memory file system without its leading "/" ("examples/blk/ctx-gc.json"). */
export function normalizePath(path: string): string {
  const parts: string[] = [];
  for (const p of path.split("/")) {
    if (p === "" || p === ".") continue;
    if (p === "..") parts.pop();
    else parts.push(p);
  }
  return parts.join("/");
}

export interface DirEntry {
  name: string;
  dir: boolean;
  size: number;
}

export class MemFs {
  private readonly files = new Map<string, Uint8Array>();

  constructor(initial: Record<string, Uint8Array | string> = {}) {
    for (const [p, v] of Object.entries(initial)) this.write(p, typeof v === "string" ? new TextEncoder().encode(v) : v);
  }

  paths(): string[] {
    return [...this.files.keys()].sort();
  }

  isDir(path: string): boolean {
    const p = normalizePath(path);
    return p === "" || this.paths().some((f) => f.startsWith(p + "/"));
  }

  read(path: string): Uint8Array {
    const f = this.files.get(normalizePath(path));
    if (f) return f;
    if (this.isDir(path)) throw new CliError(`${path}: is a directory`);
    throw new CliError(`${path}: no such file (ls lists the console's files)`);
  }

  write(path: string, bytes: Uint8Array): void {
    const p = normalizePath(path);
    if (p === "" || this.isDir(p)) throw new CliError(`${path}: is a directory`);
    if (path.startsWith("/dev/")) throw new CliError(`${path}: device nodes are not files (give the device as the command's first argument)`);
    this.files.set(p, bytes.slice());
  }

  /** The entries of a directory ("" is the root), directories first. */
  list(dir: string): DirEntry[] {
    const d = normalizePath(dir);
    if (this.files.has(d)) return [{ name: d, dir: false, size: this.files.get(d)!.length }];
    if (!this.isDir(d)) throw new CliError(`ls: ${dir}: no such file or directory`);
    const pre = d === "" ? "" : d + "/";
    const seen = new Map<string, DirEntry>();
    for (const [p, b] of this.files) {
      if (!p.startsWith(pre)) continue;
      const rest = p.slice(pre.length);
      const k = rest.indexOf("/");
      const name = k >= 0 ? rest.slice(0, k) : rest;
      if (!seen.has(name)) seen.set(name, { name, dir: k >= 0, size: k >= 0 ? 0 : b.length });
    }
    return [...seen.values()].sort((a, b) => Number(b.dir) - Number(a.dir) || a.name.localeCompare(b.name));
  }
}

/**
 * The built-in data: 16-byte records "nvmelab " + the record's byte offset in 8 hex digits,
 * so a hexdump of what was written shows where each line came from.
 */
export function patternBytes(length: number): Uint8Array {
  const b = new Uint8Array(length);
  const rec = new TextEncoder().encode("nvmelab 00000000");
  for (let off = 0; off < length; off += 16) {
    const hex = off.toString(16).padStart(8, "0").slice(-8);
    for (let k = 0; k < 16 && off + k < length; k++) b[off + k] = k < 8 ? rec[k] : hex.charCodeAt(k - 8);
  }
  return b;
}

/** Standard input when nothing is redirected: 1 MiB of the pattern (more than one command moves). */
export const STDIN_BYTES = 1 << 20;

/** The data files every console starts with, beside the examples. */
export function dataFiles(): Record<string, Uint8Array> {
  const hbs = new Uint8Array(512);
  hbs[4] = 0x0c; // Host Behavior Support: CDFE = 0Ch (Copy descriptor formats 2h and 3h)
  return {
    "data/pattern.bin": patternBytes(64 * 1024),
    "data/zeroes.bin": new Uint8Array(64 * 1024),
    "data/hbs-cdfe.bin": hbs,
  };
}

// ---- command lines ----

export interface CommandLine {
  words: string[];
  stdin?: string;
  stdout?: string;
}

/** Split a line as a shell does: blanks separate words; '...', "..." and \ quote; < and > redirect. */
export function tokenize(line: string): CommandLine {
  const words: string[] = [];
  const redirects: Array<"<" | ">"> = [];
  const kinds: Array<"word" | "<" | ">"> = [];
  let cur = "";
  let inWord = false;
  let quote: string | undefined;
  const end = () => {
    if (inWord) {
      words.push(cur);
      kinds.push("word");
    }
    cur = "";
    inWord = false;
  };
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === "\\" && quote === '"' && (line[i + 1] === '"' || line[i + 1] === "\\")) cur += line[++i];
      else cur += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === "\\") {
      if (i + 1 < line.length) cur += line[++i];
      inWord = true;
    } else if (c === " " || c === "\t") {
      end();
    } else if (c === "<" || c === ">") {
      end();
      redirects.push(c);
      kinds.push(c);
    } else if (c === "|" || c === ";" || c === "&") {
      throw new ShellError(`"${c}": the console runs one command per line (no pipes or command lists); use > FILE and < FILE`);
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (quote) throw new ShellError(`unterminated ${quote === "'" ? "single" : "double"} quote`);
  end();
  const out: CommandLine = { words: [] };
  let w = 0;
  for (let k = 0; k < kinds.length; k++) {
    const kind = kinds[k];
    if (kind === "word") {
      out.words.push(words[w++]);
      continue;
    }
    if (kinds[k + 1] !== "word") throw new ShellError(`${kind}: give a file name after it`);
    const file = words[w++];
    k++;
    if (kind === "<") out.stdin = file;
    else out.stdout = file;
  }
  return out;
}

// ---- output ----

/** Control characters other than tab and newline would be terminal commands: shown as "." instead. */
export function printable(text: string): string {
  return text.replace(/[\x00-\x08\x0b-\x1f\x7f]/g, ".");
}

/**
 * What a command prints, batched for the page: a batch goes when it holds maxChars or when
 * maxMs passed since the last one, and at the end. Consecutive text of one stream is joined.
 */
export class Output {
  private pending: Chunk[] = [];
  private size = 0;
  private last: number;
  batches = 0;

  constructor(
    private readonly post: (chunks: Chunk[], seq: number) => void,
    private readonly maxChars = 16 * 1024,
    private readonly maxMs = 40,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.last = now();
  }

  write(stream: Stream, text: string): void {
    if (text === "") return;
    const t = printable(text);
    const tail = this.pending[this.pending.length - 1];
    if (tail && tail.stream === stream) tail.text += t;
    else this.pending.push({ stream, text: t });
    this.size += t.length;
    if (this.size >= this.maxChars || this.now() - this.last >= this.maxMs) this.flush();
  }

  flush(): void {
    this.last = this.now();
    if (this.pending.length === 0) return;
    const chunks = this.pending;
    this.pending = [];
    this.size = 0;
    this.post(chunks, this.batches++);
  }
}

const line = (t: string) => (t.endsWith("\n") || t === "" ? t : t + "\n");

/**
 * How a line of standard error is shown. nvme-cli reports success on stderr too ("write:
 * Success"), and the CLI prints progress and warnings there; those are not errors, so they are
 * not red, nor are the controller's trace events (--trace). Anything not recognised is an
 * error (red).
 */
export function stderrKind(text: string): "err" | "warn" | "ok" | "note" {
  const t = text.trimEnd();
  if (/^pci_nvme_/.test(t)) return "note"; // --trace: the controller's events
  if (/(^|: )Success$|is Success and result: 0x[0-9a-f]+$/.test(t)) return "ok";
  if (/^Rounding data size|\.\.\.$|not modelled/.test(t)) return "warn";
  return "err";
}

// ---- the shell ----

export const BUILTINS: Record<string, string> = {
  help: "this text; help <command> lists a command's options",
  ls: "list the console's files: ls [directory]",
  cat: "print a text file: cat <file>...",
  xxd: "a file's bytes as xxd prints them: xxd <file>",
  hexdump: "a file's bytes as hexdump -C prints them: hexdump -C <file>",
  clear: "clear the terminal (also Ctrl+L)",
  history: "the command lines run so far (Up and Down walk them)",
};

export function consoleHelp(): string {
  const w = Math.max(...Object.keys(BUILTINS).map((k) => k.length));
  return [
    browserUsage(),
    "",
    "The console:",
    "  Commands run on this page's controller (the one the Controller section boots; the first",
    "  device command boots a stepped one when there is none). It keeps its data until the page",
    "  is closed. \"nvmelab list\", \"nvme list\" and \"list\" are the same command.",
    "",
    "  Files live in memory: examples/blk/*.json (blk run), examples/fio/* (fio), and data/:",
    "  pattern.bin (the built-in pattern), zeroes.bin, hbs-cdfe.bin (set-feature -f 0x16, CDFE=0Ch).",
    "  Commands write files there too (read --data=FILE, fio --output=FILE, > FILE).",
    "  Standard input is the built-in pattern: 16-byte records \"nvmelab <offset>\" (1 MiB), so",
    "    write /dev/nvme0n1 --start-block=0 --block-count=7 --data-size=4096",
    "  writes it; --data=FILE or < FILE writes a file instead. Data printed to standard output",
    "  (read without --data) is shown as a hexdump; > FILE keeps the bytes.",
    "  Errors are shown in red, warnings and progress in yellow. Commands of the Node CLI that",
    "  need files or threads say so.",
    "",
    "  Console commands:",
    ...Object.entries(BUILTINS).map(([k, v]) => `    ${k.padEnd(w)}  ${v}`),
    "",
    "  Keys: Enter runs the line; Up/Down walk the history; Tab completes command names, long",
    "  options and file names, or lists the choices; Left/Right, Home/End, Ctrl+A/E/U/K/W as in bash;",
    "  Ctrl+C drops the line; Ctrl+L clears; Shift+PageUp/PageDown scroll, Shift+Home/End go to",
    "  the top/bottom. Shift+Tab, or Esc then Tab, leaves the console.",
  ].join("\n");
}

export class Shell {
  private stdinPattern?: Uint8Array;
  /** The running command's output (for notes from the device, e.g. a boot). */
  private current?: Output;

  constructor(readonly fs: MemFs, private readonly cli: BrowserCli) {}

  /** A remark in the running command's output (dimmed, not the command's own). */
  note(text: string): void {
    this.current?.write("note", text);
  }

  /** What Tab completes against. */
  completionSpec(nsids: number[]): CompletionSpec {
    return {
      commands: commandSpecs(),
      builtins: Object.keys(BUILTINS),
      files: this.fs.paths(),
      devices: ["/dev/nvme0", ...(nsids.length ? nsids : [1]).map((n) => `/dev/nvme0n${n}`)],
    };
  }

  /**
   * Run one line; post sends the output in batches (numbered from 0). Returns the exit code
   * and how many batches were posted (the page waits for all of them).
   */
  async run(text: string, post: (chunks: Chunk[], seq: number) => void): Promise<{ code: number; batches: number }> {
    const out = new Output(post);
    this.current = out;
    let code: number;
    try {
      code = await this.exec(text, out);
    } catch (e) {
      // Errors never escape to the page's console: they are the command's standard error.
      out.write("err", line(e instanceof ShellError || e instanceof CliError ? e.message : `console: ${(e as Error)?.stack ?? e}`));
      code = 1;
    } finally {
      this.current = undefined;
    }
    out.flush();
    return { code, batches: out.batches };
  }

  private async exec(text: string, out: Output): Promise<number> {
    const cmdline = tokenize(text);
    let words = cmdline.words;
    if (PREFIXES.includes(words[0])) words = words.slice(1);
    if (words.length === 0) {
      if (cmdline.words.length === 0) return 0; // empty line
      words = ["help"];
    }
    const captured: Uint8Array[] = [];
    const enc = new TextEncoder();
    const toFile = cmdline.stdout;
    const stdoutText = (t: string) => (toFile ? captured.push(enc.encode(t)) : out.write("out", t));
    const io: Io = {
      out: (t) => stdoutText(line(t)),
      err: (t) => out.write(stderrKind(t), line(t)),
      outBytes: (b) => {
        if (toFile) captured.push(b.slice());
        else {
          out.write("note", `(${b.length} bytes on standard output, shown as a hexdump; --data=FILE or > FILE keeps them)\n`);
          out.write("out", hexdump(b));
        }
      },
      readFile: (p) => this.fs.read(p),
      writeFile: (p, b) => this.fs.write(p, b),
      readStdin: () => (cmdline.stdin ? this.fs.read(cmdline.stdin) : (this.stdinPattern ??= patternBytes(STDIN_BYTES))),
    };
    if (cmdline.stdin) this.fs.read(cmdline.stdin); // a missing input file fails before the command runs
    const code = await this.dispatch(words, io);
    if (toFile) {
      const total = captured.reduce((n, b) => n + b.length, 0);
      const all = new Uint8Array(total);
      let at = 0;
      for (const b of captured) { all.set(b, at); at += b.length; }
      this.fs.write(toFile, all);
    }
    return code;
  }

  private async dispatch(words: string[], io: Io): Promise<number> {
    const [name, ...args] = words;
    switch (name) {
      case "help":
      case "--help":
      case "-h":
        if (args[0] && BUILTINS[args[0]]) { io.out(`${args[0]}: ${BUILTINS[args[0]]}`); return 0; }
        if (args[0] && !BROWSER_COMMANDS.some((c) => c.name === args[0])) {
          io.err(`help: no command "${args[0]}" (help lists them)`);
          return 1;
        }
        if (args[0]) return runBrowserCli(["help", args[0]], io, this.cli);
        io.out(consoleHelp());
        return 0;
      case "ls": {
        const dirs = args.filter((a) => !a.startsWith("-"));
        for (const d of dirs.length ? dirs : [""]) {
          if (dirs.length > 1) io.out(`${d}:`);
          for (const e of this.fs.list(d)) io.out(e.dir ? `${"".padStart(8)}  ${e.name}/` : `${String(e.size).padStart(8)}  ${e.name}`);
        }
        return 0;
      }
      case "cat": {
        if (args.length === 0) throw new CliError("cat: give a file (ls lists them)");
        for (const f of args) {
          const b = this.fs.read(f);
          let t: string;
          try {
            t = new TextDecoder("utf-8", { fatal: true }).decode(b);
          } catch {
            throw new CliError(`cat: ${f}: binary data (use xxd ${f})`);
          }
          if (/[\x00-\x08\x0e-\x1f]/.test(t)) throw new CliError(`cat: ${f}: binary data (use xxd ${f})`);
          io.out(t);
        }
        return 0;
      }
      case "xxd": {
        if (args.length !== 1) throw new CliError("xxd: give one file (ls lists them)");
        const b = this.fs.read(args[0]);
        if (b.length) io.out(xxd(b));
        return 0;
      }
      case "hexdump": {
        // hexdump -C, the canonical layout (its default 2-byte words are rarely what one wants)
        const files = args.filter((a) => a !== "-C");
        if (files.length !== 1 || args.some((a) => a.startsWith("-") && a !== "-C")) throw new CliError("hexdump: hexdump -C FILE (one file; ls lists them)");
        io.out(hexdumpC(this.fs.read(files[0])));
        return 0;
      }
      case "clear":
      case "history":
        // The page runs these (the terminal and the history are there); here only from a script.
        return 0;
      default:
        return runBrowserCli(words, io, this.cli);
    }
  }
}
