// Playwright configuration for the browser (end-to-end) tests in test/e2e: Debian's Chromium
// (never a downloaded one), against the production build served by `vite preview` with
// COOP/COEP headers.
import { defineConfig } from "@playwright/test";

// PW_PORT and NVMELAB_DIST let several runs (one per working copy or helper) go at once
const PORT = Number(process.env.PW_PORT ?? 4173);
const URL = `http://127.0.0.1:${PORT}`;

export default defineConfig({
  testDir: "test/e2e",
  outputDir: process.env.PW_OUT ?? "test-results",
  timeout: 30_000,
  expect: { timeout: 10_000 },
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  reporter: process.env.CI ? "line" : "list",
  use: {
    baseURL: URL,
    browserName: "chromium",
    headless: true,
    viewport: { width: 1280, height: 800 },
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
      ],
    },
  },
  webServer: {
    command: `npm run build && npx vite preview --port ${PORT} --strictPort --host 127.0.0.1`,
    url: URL,
    reuseExistingServer: !process.env.CI,
    timeout: 120_000,
    stdout: "ignore",
    stderr: "pipe",
  },
});
