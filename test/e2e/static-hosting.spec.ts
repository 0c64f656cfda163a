// The static build on a server that sends no COOP/COEP headers (python3 -m http.server): the
// page's service worker (coi-serviceworker) adds them after one reload, the page becomes
// crossOriginIsolated and an experiment runs. Chromium allows service workers on localhost.
import { test, expect } from "@playwright/test";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { SHOTS } from "./helpers";

const DIST = process.env.NVMELAB_DIST ?? "dist";
const PORT = Number(process.env.PW_PORT ?? 4173) + 100;
let server: ChildProcess | undefined;

test.beforeAll(async () => {
  if (!existsSync(`${DIST}/index.html`)) throw new Error(`${DIST}/index.html is missing: the web server step builds it`);
  server = spawn("python3", ["-m", "http.server", String(PORT), "--bind", "127.0.0.1", "--directory", DIST], { stdio: "ignore" });
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${PORT}/`)).ok) return;
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("python3 -m http.server did not start");
});

test.afterAll(() => { server?.kill(); });

test("without COOP/COEP headers the service worker makes the page isolated, and it runs", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  const res = await page.request.get(`http://127.0.0.1:${PORT}/`);
  expect(res.headers()["cross-origin-opener-policy"]).toBeUndefined();
  await page.goto(`http://127.0.0.1:${PORT}/#x=vector-merge`);
  // the first load registers the worker and reloads once
  await expect(page.locator("#isolation")).toHaveText("crossOriginIsolated", { timeout: 20_000 });
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  await page.getByRole("button", { name: "Run", exact: true }).first().click();
  await expect(page.locator("#run-status")).toContainText(/run #1: 11 steps/);
  await page.screenshot({ path: `${SHOTS}/static-01-isolated-by-service-worker.png` });
  expect(errors).toEqual([]);
});
