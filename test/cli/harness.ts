// Running nvmelab's CLI as a user does, in-process: a temporary directory for files and the
// state file, captured stdout/stderr/binary output, and optional bytes piped to stdin.

import { mkdtempSync, rmSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { main } from "../../src/cli/main";
import { Io } from "../../src/cli/context";

export interface Run { code: number; out: string; err: string; bytes: Uint8Array }

export interface Cli {
  dir: string;
  /** The state file; "@STATE" in an argument is replaced by it. */
  state: string;
  /** Run one command line; stdin: the bytes piped to it (default: none, as from a terminal). */
  nvme(args: string[], opts?: { stdin?: Uint8Array }): Promise<Run>;
  write(name: string, bytes: Uint8Array | string): void;
  read(name: string): Uint8Array;
  /** The state file and namespace 1's image as they are on disk ("" when missing). */
  snapshot(): string[];
  done(): void;
}

export function cliInTempDir(): Cli {
  const dir = mkdtempSync(join(tmpdir(), "nvmelab-cli-"));
  const state = join(dir, "dev.json");
  return {
    dir, state,
    async nvme(args, opts = {}) {
      let out = "";
      let err = "";
      const chunks: Uint8Array[] = [];
      const io: Io = {
        out: (t) => { out += t.endsWith("\n") ? t : t + "\n"; },
        outBytes: (b) => { chunks.push(Uint8Array.from(b)); },
        err: (t) => { err += t.endsWith("\n") ? t : t + "\n"; },
        readFile: (p) => new Uint8Array(readFileSync(join(dir, p))),
        writeFile: (p, b) => writeFileSync(join(dir, p), b),
        readStdin: () => opts.stdin ?? null,
      };
      const code = await main(args.map((a) => a.replace("@STATE", state)), io);
      const bytes = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
      let at = 0;
      for (const c of chunks) { bytes.set(c, at); at += c.length; }
      return { code, out, err, bytes };
    },
    write: (name, bytes) => writeFileSync(join(dir, name), bytes),
    read: (name) => new Uint8Array(readFileSync(join(dir, name))),
    snapshot: () => [state, state.replace(".json", ".ns1.img")].map((f) => (existsSync(f) ? readFileSync(f).toString("base64") : "")),
    done: () => rmSync(dir, { recursive: true, force: true }),
  };
}
