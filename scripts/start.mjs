// npm start: install what is missing (npm ci), build the controller's wasm, and serve the
// playground with vite (cross-origin isolated through COOP/COEP headers, see vite.config.ts).
// Extra arguments go to vite, e.g. "npm start -- --host 0.0.0.0 --port 8080".
import { ensureNodeModules, run } from "./deps.mjs";

ensureNodeModules();
const { buildWasm } = await import("./asbuild.mjs");
await buildWasm();
process.exit(run("npx", ["vite", ...process.argv.slice(2)]));
