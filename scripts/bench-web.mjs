// npm run bench:web: how fast the playground comes up, measured the way a user meets it: the
// production build served by `vite preview` (COOP/COEP), opened in Debian's Chromium. Reports
// first contentful paint, when the gallery is interactive, and how long the first experiment
// takes to run, each the median of several cold page loads. A measurement, not a test.
import { build, preview } from "vite";
import { chromium } from "@playwright/test";
import { ensureNodeModules, ensureChromium } from "./deps.mjs";

const LOADS = Number(process.env.LOADS ?? 5);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

ensureNodeModules();
if (!ensureChromium()) process.exit(1);
const { buildWasm } = await import("./asbuild.mjs");
await buildWasm({ quiet: true });
await build({ logLevel: "warn" });
const server = await preview({ preview: { port: 4273, strictPort: true, host: "127.0.0.1" }, logLevel: "warn" });
const url = "http://127.0.0.1:4273/";
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
const rows = { fcp_ms: [], interactive_ms: [], first_run_ms: [] };
try {
  for (let i = 0; i < LOADS; i++) {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } }); // cold: no cache
    const page = await ctx.newPage();
    const t0 = Date.now();
    await page.goto(url);
    await page.getByRole("article", { name: "A vectored copy merged by plugging" }).getByRole("button", { name: "Run" }).waitFor();
    rows.interactive_ms.push(Date.now() - t0);
    rows.fcp_ms.push(await page.evaluate(() => performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? NaN));
    const t1 = Date.now();
    await page.getByRole("article", { name: "A vectored copy merged by plugging" }).getByRole("button", { name: "Run" }).click();
    await page.locator("#run-status").filter({ hasText: "run #1" }).waitFor();
    rows.first_run_ms.push(Date.now() - t1);
    await ctx.close();
  }
} finally {
  await browser.close();
  await new Promise((r) => server.httpServer.close(r));
}
const out = Object.fromEntries(Object.entries(rows).map(([k, v]) => [k, Math.round(median(v))]));
console.log(`playground from vite preview in Chromium, median of ${LOADS} cold loads at 1280x800:`);
console.log(`  first contentful paint     ${out.fcp_ms} ms`);
console.log(`  gallery interactive        ${out.interactive_ms} ms (from navigation to the first Run button)`);
console.log(`  first experiment run       ${out.first_run_ms} ms (vector-merge: wasm load, controller bring-up, the run, the views)`);
console.log(JSON.stringify(out));
