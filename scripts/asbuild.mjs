// Build the controller's wasm (release and debug) when assembly/ changed since the last
// build, or always with --force. Used by npm ci (prepare), npm test, npm start, the CLI.
import { statSync, readdirSync, existsSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outputs = ["build/core.wasm", "build/core.debug.wasm"].map((p) => join(root, p));

function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

export function wasmIsStale() {
  if (!outputs.every(existsSync)) return true;
  const src = Math.max(newest(join(root, "assembly")), statSync(join(root, "asconfig.json")).mtimeMs);
  return outputs.some((o) => statSync(o).mtimeMs < src);
}

export async function buildWasm({ force = false, quiet = false } = {}) {
  if (!force && !wasmIsStale()) return;
  const asc = (await import("assemblyscript/asc")).default;
  for (const target of ["release", "debug"]) {
    const { error, stderr } = await asc.main(["--config", join(root, "asconfig.json"), "--target", target], {
      stdout: { write() {} },
    });
    if (error) {
      process.stderr.write(stderr.toString());
      throw new Error(`asc (${target}) failed: ${error.message}`);
    }
  }
  if (!quiet) process.stderr.write("built build/core.wasm and build/core.debug.wasm\n");
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const force = process.argv.includes("--force");
  process.chdir(root);
  buildWasm({ force }).catch((e) => { console.error(e.message); process.exit(1); });
}
