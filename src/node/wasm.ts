// Load the controller's compiled wasm in Node (build/core.wasm, or the debug build with
// assertions), compiling it once per process.

import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

const cache = new Map<string, Promise<WebAssembly.Module>>();

export function coreWasmPath(debug = false): string {
  return fileURLToPath(new URL(`../../build/${debug ? "core.debug.wasm" : "core.wasm"}`, import.meta.url));
}

export function loadCoreModule(debug = false): Promise<WebAssembly.Module> {
  const path = coreWasmPath(debug);
  let m = cache.get(path);
  if (!m) {
    m = readFile(path).then((b) => WebAssembly.compile(b), (e: NodeJS.ErrnoException) => {
      throw new Error(e.code === "ENOENT" ? `${path} is missing: run "npm run asbuild" (npm ci does it)` : e.message);
    });
    cache.set(path, m);
  }
  return m;
}
