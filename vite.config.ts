// vite configuration for the playground: web/ is the page root, build goes to dist/, and
// every response (dev server and preview) carries COOP/COEP so the page and its workers are
// crossOriginIsolated (shared WebAssembly.Memory, Atomics.wait in workers).
import { defineConfig } from "vite";
import { fileURLToPath } from "node:url";

const crossOriginIsolation = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
};

export default defineConfig({
  root: fileURLToPath(new URL("./web", import.meta.url)),
  server: { headers: crossOriginIsolation },
  preview: { headers: crossOriginIsolation },
  worker: { format: "es" },
  build: {
    target: "es2022",
    outDir: process.env.NVMELAB_DIST ?? fileURLToPath(new URL("./dist", import.meta.url)),
    emptyOutDir: true,
  },
});
