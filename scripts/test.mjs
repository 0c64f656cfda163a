// npm test: install what is missing, build the wasm, type-check every TypeScript file (one
// test: vitest strips types without checking them, so a type error would pass unseen), run the
// unit/property/fuzz/conformance tests (vitest) and the browser tests (Playwright in Debian's
// Chromium), and end with one plain line "N passed, N failed" for CI.
import { rmSync, existsSync } from "node:fs";
import { join } from "node:path";
import { ensureNodeModules, ensureChromium, run, root, readJson } from "./deps.mjs";

let passed = 0;
let failed = 0;
const only = process.argv.slice(2);
const want = (k) => only.length === 0 || only.includes(k);

try {
  ensureNodeModules();
  const { buildWasm } = await import("./asbuild.mjs");
  await buildWasm();
} catch (e) {
  console.error(e.message);
  console.log("0 passed, 1 failed");
  process.exit(1);
}

if (want("types")) {
  console.log("tsc --noEmit (src, web, test, bench, scripts) ...");
  if (run("npx", ["tsc", "--noEmit", "-p", "tsconfig.json"]) === 0) passed += 1;
  else failed += 1;
}

if (want("unit")) {
  const out = join(root, "vitest-report.json");
  rmSync(out, { force: true });
  const code = run("npx", ["vitest", "run", "--reporter=default", "--reporter=json", `--outputFile=${out}`]);
  if (existsSync(out)) {
    const r = readJson(out);
    passed += r.numPassedTests;
    failed += r.numFailedTests + (r.numRuntimeErrorTests ?? 0);
    if (code !== 0 && r.numFailedTests === 0) failed += 1; // a suite failed to load
  } else {
    failed += 1;
  }
}

if (want("e2e")) {
  if (!ensureChromium()) {
    failed += 1;
  } else {
    const out = join(root, "playwright-report.json");
    rmSync(out, { force: true });
    const code = run("npx", ["playwright", "test", "--reporter=line,json"], {
      env: { ...process.env, CI: "1", PLAYWRIGHT_JSON_OUTPUT_NAME: out },
    });
    if (existsSync(out)) {
      const s = readJson(out).stats;
      passed += s.expected;
      failed += s.unexpected + (s.flaky ?? 0);
      if (code !== 0 && s.unexpected === 0) failed += 1;
    } else {
      failed += 1;
    }
  }
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
