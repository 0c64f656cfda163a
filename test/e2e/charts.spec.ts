// End-to-end test of the Charts view: with no run it says how to get one; after "A vectored
// copy merged by plugging" it shows the four captioned charts and totals that match the
// scenario (17 Copy commands, 4 x 8 KiB + 2 MiB copied inside the device, only Source Range
// entries over the link); after "Log-structured GC" both runs are charted side by side and
// named in the key, the legends and the totals; the baseline can be changed by keyboard; the
// NVMe/TCP experiment draws its bars; 1280x800 and a 420-pixel window; no console errors.
import { test, expect, type Page } from "@playwright/test";
import { runFromGallery, SHOTS, watchErrors } from "./helpers";

/** The cell of a totals row for the n-th run column (1 = newest). */
function total(page: Page, row: string, n = 1) {
  return page.getByRole("table", { name: "Totals of the runs charted" }).getByRole("row", { name: row, exact: false }).first().getByRole("cell").nth(n - 1);
}

test("charts of one run, then two runs side by side", async ({ page }) => {
  test.setTimeout(120_000);
  const errors = watchErrors(page);
  await page.goto("/#view=charts");
  const panel = page.getByRole("tabpanel", { name: "Charts" });
  await expect(panel).toContainText("No run yet");
  await expect(panel.getByRole("button", { name: "Open Experiments" })).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/charts-01-empty.png` });

  // first run: the vectored copy
  await runFromGallery(page, "A vectored copy merged by plugging");
  await expect(page.locator("#run-status")).toContainText("run #1");
  await page.getByRole("tab", { name: "Charts" }).click();
  for (const name of ["Command rate", "Bandwidth: host link against inside the device", "Merges and splits", "Queue depth"]) {
    const fig = panel.getByRole("figure", { name });
    await expect(fig).toBeVisible();
    await expect(fig.getByRole("img")).toHaveAttribute("aria-label", new RegExp(`^${name}: line chart over 286\\.68 µs of modelled time of #1 A vectored copy merged by plugging \\(design vector\\)`));
    await expect(fig.locator("canvas").first()).toBeVisible();
  }
  await expect(panel.getByRole("heading", { name: "One run" })).toBeVisible();
  // totals, from the scenario: 4 copies of 8 KiB merged into one Copy, a 2 MiB copy split into 16 (MCL 256 blocks)
  await expect(total(page, "Copy commands")).toHaveText("17");
  await expect(total(page, "Write commands")).toHaveText("2");
  await expect(total(page, "Inside the device: Copy")).toHaveText("2,129,920 B (2.03 MiB) — 4,160 blocks");
  // 4 + 64 ranges (MSSRL 64 blocks) of 32 bytes; the copied data never crosses the link
  await expect(total(page, "Host link: Copy Source Range entries")).toHaveText("2,176 B (2.13 KiB) — 68 × 32 B");
  await expect(total(page, "Host link: Read/Write data")).toHaveText("1,048,576 B (1.00 MiB)");
  await expect(total(page, "Back merges (M)")).toHaveText("3");
  // the 2 MiB copy's 16 Copy commands (MCL 256 blocks each) are submitted together
  await expect(total(page, "Queue depth: max, all queues")).toHaveText("16");

  // the Data table of the bandwidth chart: bins in µs with MB/s values
  const bw = panel.getByRole("figure", { name: "Bandwidth: host link against inside the device" });
  // the two 512 KiB Writes at once sum past the 24 Gb/s link: the simple model's, said so
  await expect(bw.locator(".chart-note")).toHaveText("The simple device model gives every command the whole link, 3,000 MB/s, with unlimited parallelism (docs/TIMING.md): commands in flight do not share it, and the chart sums them. This run's host link line peaks at 5,675 MB/s (1.9× the link) with several commands moving data at once.");
  await bw.locator(".chart-note").screenshot({ path: `${SHOTS}/charts-02-link-note.png` });
  await bw.getByText("Data: bandwidth").click();
  const bwTable = bw.getByRole("table", { name: /MB\/s per bin/ });
  await expect(bwTable).toBeVisible();
  await expect(bwTable.getByRole("columnheader")).toHaveText(["bin start (µs)", "Host link #1", "Inside the device #1"]);
  expect(await bwTable.getByRole("row").count()).toBeGreaterThan(20);
  const rate = panel.getByRole("figure", { name: "Command rate" });
  const rateLegend = rate.getByRole("table", { name: /^Legend of command rate/ });
  await expect(rateLegend).toContainText("Copy #1");
  await page.screenshot({ path: `${SHOTS}/charts-02-one-run.png`, fullPage: true });

  // second run: log-structured GC; both runs side by side
  await runFromGallery(page, /Log-structured GC/);
  await expect(page.locator("#run-status")).toContainText("run #2");
  await page.getByRole("tab", { name: "Charts" }).click();
  await expect(panel.getByRole("heading", { name: "Two runs side by side" })).toBeVisible();
  const key = panel.getByRole("list", { name: "Runs in the charts" });
  await expect(key.getByRole("listitem").nth(0)).toContainText("Solid lines: #2 Log-structured GC: 16 live blocks, MSRC 7 (design ctx)");
  await expect(key.getByRole("listitem").nth(1)).toContainText("Dashed lines: #1 A vectored copy merged by plugging (design vector)");
  await expect(rateLegend).toContainText("Copy #2");
  await expect(rateLegend).toContainText("Copy #1");
  await expect(bw.getByRole("table", { name: /^Legend of bandwidth/ })).toContainText("Inside the device #2");
  const totals = page.getByRole("table", { name: "Totals of the runs charted" });
  await expect(totals.getByRole("columnheader")).toHaveText(["", "#2 Log-structured GC: 16 live blocks, MSRC 7 (design ctx)", "#1 A vectored copy merged by plugging (design vector)"]);
  await expect(total(page, "Copy commands", 1)).toHaveText("2");
  await expect(total(page, "Copy commands", 2)).toHaveText("17");
  // 16 blocks of 4 KiB gathered inside the device in two Copy commands of 8 ranges
  await expect(total(page, "Inside the device: Copy", 1)).toHaveText("65,536 B (64.00 KiB) — 128 blocks");
  await expect(total(page, "Host link: Copy Source Range entries", 1)).toHaveText("512 B — 16 × 32 B");
  await page.screenshot({ path: `${SHOTS}/charts-03-two-runs.png`, fullPage: true });

  // the baseline by keyboard: nothing, then pin run #1 again
  const select = panel.getByLabel("Compare the newest run with");
  await select.focus();
  await select.selectOption({ label: "Nothing: the newest run alone" });
  await expect(panel.getByRole("heading", { name: "One run" })).toBeVisible();
  await expect(rateLegend).not.toContainText("Copy #1");
  await expect(panel.getByLabel("Compare the newest run with")).toBeFocused();
  await panel.getByLabel("Compare the newest run with").selectOption({ label: "Pin #1 A vectored copy merged by plugging (design vector)" });
  await expect(rateLegend).toContainText("Copy #1");

  // a run on four I/O queues (kcopyd per CPU): queue depth per qid, in the legend and the totals
  await runFromGallery(page, /^kcopyd: one worker against per-CPU/);
  await expect(page.locator("#run-status")).toContainText("run #3");
  await page.getByRole("tab", { name: "Charts" }).click();
  const depth = panel.getByRole("figure", { name: "Queue depth" });
  const depthLegend = depth.getByRole("table", { name: /^Legend of queue depth/ });
  for (const q of [1, 2, 3, 4]) await expect(depthLegend).toContainText(`Mean, qid ${q} #3`);
  await expect(total(page, "Queue depth: max, qid 4", 1)).toHaveText(/^[1-9]\d*$/);
  await expect(total(page, "Queue depth: max, qid 4", 2)).toHaveText("–");
  await select.selectOption({ label: "Nothing: the newest run alone" });
  await depth.scrollIntoViewIfNeeded();
  await depth.screenshot({ path: `${SHOTS}/charts-04-queues.png` });

  // narrow window: one column, the plots fit
  await page.setViewportSize({ width: 420, height: 800 });
  await expect(async () => {
    const w = await rate.locator("canvas").first().evaluate((c) => c.getBoundingClientRect().width);
    expect(w).toBeLessThanOrEqual(400);
    expect(w).toBeGreaterThan(250);
  }).toPass();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await page.screenshot({ path: `${SHOTS}/charts-05-narrow.png`, fullPage: true });
  await panel.getByRole("figure", { name: "Queue depth" }).screenshot({ path: `${SHOTS}/charts-06-narrow-depth.png` });

  // dark scheme: the charts are drawn again in the dark palette
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.emulateMedia({ colorScheme: "dark" });
  await expect(rateLegend).toContainText("Read #3");
  await panel.getByRole("figure", { name: "Command rate" }).scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/charts-07-dark.png` });
  await panel.getByRole("figure", { name: "Queue depth" }).screenshot({ path: `${SHOTS}/charts-08-dark-depth.png` });
  expect(errors).toEqual([]);
});

test("the NVMe/TCP experiment's bars", async ({ page }) => {
  test.setTimeout(180_000);
  const errors = watchErrors(page);
  await page.goto("/");
  await runFromGallery(page, "Offload against read+write over NVMe/TCP");
  await page.getByRole("tab", { name: "Charts" }).click();
  const panel = page.getByRole("tabpanel", { name: "Charts" });
  const bwFig = panel.getByRole("figure", { name: "Bandwidth (MiB/s of data copied)" });
  await expect(bwFig).toBeVisible({ timeout: 150_000 });
  const utilFig = panel.getByRole("figure", { name: "Link utilisation (% of the busier direction)" });
  await expect(bwFig.getByRole("listitem").filter({ hasText: "Gb/s" })).toHaveCount(2);
  await expect(bwFig.getByText("1 Gb/s")).toBeVisible();
  await expect(bwFig.getByText("100 Gb/s")).toBeVisible();
  await expect(utilFig.locator(".bar")).toHaveCount(4);
  // the bars' numbers are the Experiments table's (the same TcpRun)
  const bars = await bwFig.locator(".bar-value").allTextContents();
  expect(bars.every((t) => /^[\d,]+\.\d MiB\/s$/.test(t))).toBe(true);
  // no setup has run: the view is the NVMe/TCP result, not "No run yet" above it
  await expect(panel).not.toContainText("No run yet");
  await expect(panel.getByRole("heading", { name: "NVMe/TCP: offload against read+write" })).toBeInViewport();
  await expect(panel.locator(".charts-no-series")).toContainText("The time-series charts (command rate, bandwidth, merges, queue depth) show a run of a setup");
  await page.screenshot({ path: `${SHOTS}/charts-09-tcp.png`, fullPage: true });
  expect(errors).toEqual([]);
});
