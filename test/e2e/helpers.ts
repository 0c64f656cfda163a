// The helpers the end-to-end specs in test/e2e share (error watching, running a gallery
// experiment, the screenshot folder, a busy block-layer setup), so each spec holds only its own steps.
import { expect, type Page } from "@playwright/test";

/** Where the specs save their screenshots. */
export const SHOTS = "test-results/screenshots";

export interface WatchOptions {
  /** Count console warnings too, not only console errors. */
  warnings?: boolean;
  /** Count failed requests too. */
  requests?: boolean;
}

/**
 * Collect the page's uncaught errors and console errors (and, if asked, console warnings and
 * failed requests) from now on; a test ends with `expect(errors).toEqual([])`.
 */
export function watchErrors(page: Page, opts: WatchOptions = {}): string[] {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  page.on("console", (m) => { if (m.type() === "error" || (opts.warnings && m.type() === "warning")) errors.push(`console.${m.type()}: ${m.text()}`); });
  if (opts.requests) page.on("requestfailed", (r) => errors.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  return errors;
}

/**
 * Open the Experiments tab and press the Run button of the experiment card named title; with
 * opens, wait until that view's tab is the selected one.
 */
export async function runFromGallery(page: Page, title: RegExp | string, opens?: string): Promise<void> {
  await page.getByRole("tab", { name: "Experiments" }).click();
  await page.getByRole("article", { name: title }).getByRole("button", { name: "Run" }).click();
  if (opens !== undefined) await expect(page.getByRole("tab", { name: opens })).toHaveAttribute("aria-selected", "true");
}

/** A setup of two tasks: gc copies 60 scattered blocks in one plug (ctx design), fio writes 30 blocks. */
export function busySetup(): Record<string, unknown> {
  const steps: Array<Record<string, unknown>> = [
    { task: "gc", op: "write", dev: "nvme0n1", pos: 0, len: "1M", pattern: 7 },
    { task: "gc", op: "wait" },
    { task: "gc", op: "plug" },
  ];
  for (let i = 0; i < 60; i++) steps.push({ task: "gc", op: "copy", src: "nvme0n1", src_pos: `${i * 16}k`, dst: "nvme0n1", dst_pos: `${4096 + i * 4}k`, len: "4k" });
  steps.push({ task: "gc", op: "unplug" });
  for (let i = 0; i < 30; i++) steps.push({ task: "fio", op: "write", dev: "nvme0n1", pos: `${16384 + i * 64}k`, len: "4k", pattern: i });
  steps.push({ task: "gc", op: "wait" }, { task: "fio", op: "wait" });
  return {
    controller: { namespaces: [{ size: "64M", mssrl: 256, mcl: 4096, msrc: 7 }] }, cpus: 2, design: "ctx",
    tasks: [{ comm: "gc", pid: 100, cpu: 0 }, { comm: "fio", pid: 200, cpu: 1 }], steps,
  };
}
