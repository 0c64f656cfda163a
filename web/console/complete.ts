// Tab completion for the console, as bash does it: the word under the cursor is completed to
// the candidates' common prefix (and a space when only one is left); when that adds nothing,
// the candidates are listed. Command names (with or without a leading "nvmelab"), a command's
// long options, blk's sub-command, file names of the in-memory file system (one directory
// level at a time, also after --opt= and < or >) and device names. Pure, so it is unit-tested.

import type { CommandSpec } from "../../src/cli/browser";

export interface CompletionSpec {
  commands: CommandSpec[];
  /** The console's own commands (help, ls, cat ...). */
  builtins: string[];
  /** Every file of the in-memory file system (paths without a leading "/"). */
  files: string[];
  /** Device nodes (/dev/nvme0, /dev/nvme0n1 ...). */
  devices: string[];
}

export interface Completion {
  /** Where the completed word starts in the line (it ends at the cursor). */
  from: number;
  /** The word's candidates, sorted (empty: nothing matches). */
  candidates: string[];
  /** What replaces the word: the common prefix, plus a space when it is a whole word. */
  replacement: string;
}

/** Words that may come before the command: "nvmelab list" is "list". */
export const PREFIXES = ["nvmelab", "nvme"];

function commonPrefix(items: string[]): string {
  if (items.length === 0) return "";
  let p = items[0];
  for (const s of items) while (!s.startsWith(p)) p = p.slice(0, -1);
  return p;
}

/** Paths that start with prefix, cut after the next "/" (one directory level at a time). */
export function pathCandidates(prefix: string, paths: string[]): string[] {
  const lead = prefix.startsWith("/") ? "/" : prefix.startsWith("./") ? "./" : "";
  const bare = prefix.slice(lead.length);
  const out = new Set<string>();
  for (const p of paths) {
    if (!p.startsWith(bare)) continue;
    const k = p.indexOf("/", bare.length);
    out.add(lead + (k >= 0 ? p.slice(0, k + 1) : p));
  }
  return [...out];
}

function finish(from: number, word: string, candidates: string[], head = ""): Completion {
  const sorted = [...new Set(candidates)].sort();
  if (sorted.length === 0) return { from, candidates: [], replacement: word };
  if (sorted.length === 1) {
    const c = sorted[0];
    return { from, candidates: sorted, replacement: head + c + (/[/=]$/.test(c) ? "" : " ") };
  }
  const p = commonPrefix(sorted);
  return { from, candidates: sorted, replacement: head + (p.length >= word.length - head.length ? p : word.slice(head.length)) };
}

export function complete(line: string, cursor: number, spec: CompletionSpec): Completion {
  const before = line.slice(0, cursor);
  const from = Math.max(before.lastIndexOf(" "), before.lastIndexOf("\t")) + 1;
  const word = before.slice(from);
  const words = before.slice(0, from).trim().split(/\s+/).filter(Boolean);
  const at = PREFIXES.includes(words[0]) ? 1 : 0;
  const starts = (list: string[], w = word) => list.filter((c) => c.startsWith(w));
  const files = () => [...pathCandidates(word, spec.files), ...starts(spec.devices)];

  if (words.length === at) {
    const names = [...spec.commands.map((c) => c.name), ...(at === 0 ? spec.builtins : [])];
    return finish(from, word, starts(names));
  }
  const name = words[at];
  const cmd = spec.commands.find((c) => c.name === name);
  const last = words[words.length - 1];
  if (last === "<" || last === ">") return finish(from, word, pathCandidates(word, spec.files));
  if (/^[<>]/.test(word)) return finish(from, word, pathCandidates(word.slice(1), spec.files), word[0]);
  if (word.startsWith("-")) {
    const eq = word.indexOf("=");
    if (eq >= 0) {
      const head = word.slice(0, eq + 1);
      return finish(from, word, pathCandidates(word.slice(eq + 1), spec.files), head);
    }
    return finish(from, word, starts(cmd?.options ?? []));
  }
  if (name === "help") return finish(from, word, words.length === at + 1 ? starts(spec.commands.map((c) => c.name)) : []);
  const positionals = words.slice(at + 1).filter((w) => !w.startsWith("-"));
  if (cmd?.subcommands && positionals.length === 0) return finish(from, word, starts(cmd.subcommands));
  return finish(from, word, files());
}

/** How a candidate is listed: a path by its last part, as bash lists file names. */
export function shownName(candidate: string): string {
  return candidate.replace(/^.*\/(?=[^/]+\/?$)/, "");
}

/** Candidates laid out in columns across width, as bash lists them. */
export function columns(items: string[], width: number): string[] {
  if (items.length === 0) return [];
  const w = Math.max(...items.map((s) => s.length)) + 2;
  const per = Math.max(1, Math.floor(width / w));
  const rows = Math.ceil(items.length / per);
  const out: string[] = [];
  for (let r = 0; r < rows; r++) {
    let s = "";
    for (let c = 0; c < per; c++) {
      const item = items[c * rows + r];
      if (item !== undefined) s += item.padEnd(w);
    }
    out.push(s.trimEnd());
  }
  return out;
}
