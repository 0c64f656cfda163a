// vite configuration for the playground: web/ is the page root, build goes to dist/, and
// every response (dev server and preview) carries COOP/COEP so the page and its workers are
// crossOriginIsolated (shared WebAssembly.Memory, Atomics.wait in workers).
import { defineConfig, type Plugin } from "vite";
import { fileURLToPath } from "node:url";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const crossOriginIsolation = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
};

// Static hosting without header control (GitHub Pages, python3 -m http.server): the page
// loads coi-serviceworker first, which reloads it once through a service worker that adds
// COOP/COEP (toolchain.md section 4). It must be a same-origin file next to index.html, not
// bundled: served from node_modules in dev, emitted as is into the build.
const COI_FILE = "coi-serviceworker.min.js";
function coiServiceWorker(): Plugin {
  const source = () => readFileSync(createRequire(import.meta.url).resolve(`coi-serviceworker/${COI_FILE}`), "utf8");
  return {
    name: "nvmelab-coi-serviceworker",
    configureServer(server) {
      server.middlewares.use(`/${COI_FILE}`, (_req, res) => {
        res.setHeader("Content-Type", "text/javascript");
        res.end(source());
      });
    },
    // first in <head>, as a classic script (vite would warn that it cannot bundle it from index.html)
    transformIndexHtml: () => [{ tag: "script", attrs: { src: `./${COI_FILE}` }, injectTo: "head-prepend" }],
    generateBundle() {
      this.emitFile({ type: "asset", fileName: COI_FILE, source: source() });
    },
  };
}

export default defineConfig({
  plugins: [coiServiceWorker()],
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
