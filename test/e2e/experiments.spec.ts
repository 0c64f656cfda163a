// Every experiment of the gallery, run as a user runs it (its card's Run button): each opens
// the view that shows it best, and what it shows is the source document's point: commands
// counted, the fallback, the failed pairing, the status codes of exceeded limits, the NVMe/TCP
// table. Screenshots in test-results/screenshots/experiment-*.png.
import { test, expect, type Page } from "@playwright/test";
import { runFromGallery, SHOTS, watchErrors } from "./helpers";

const status = (page: Page) => page.locator("#run-status");
const selected = (page: Page, tab: string) => expect(page.getByRole("tab", { name: tab })).toHaveAttribute("aria-selected", "true");

test("each block-layer experiment runs from its card and opens its view", async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto("/");
  // block events include a P and a U for each request no plug of its task's own gathered (the
  // plug __submit_bio opens around every bio, Linux 6.10 to 7.1)
  const cases: Array<[string, string, RegExp, string]> = [
    ["A vectored copy merged by plugging", "Block layer", /run #1: 11 steps, 19 NVMe commands, 125 block events/, "vector-merge"],
    ["Log-structured GC: 16 live blocks, MSRC 7", "Block layer", /run #2: 22 steps, 4 NVMe commands, 159 block events/, "ctx-gc"],
    ["dm-crypt forces the fallback", "Block layer", /run #3: 7 steps, 6 NVMe commands, 80 block events/, "crypt-fallback"],
    ["The pairing failure with nomerges", "Block layer", /run #4: 7 steps, 4 NVMe commands, 43 block events/, "pair-nomerges"],
    ["Interleaved copies break the pairing", "Trace", /run #5: 18 steps, 5 NVMe commands, 70 block events, 15\.034 ms modelled/, "pair-interleaved"],
    ["kcopyd: one worker against per-CPU", "Trace", /run #6: 24 steps, 12 NVMe commands, 134 block events/, "kcopyd-percpu"],
    ["dm-snapshot copy-on-write through kcopyd", "Block layer", /run #7: 14 steps, 59 NVMe commands, 572 block events/, "snapshot-cow"],
  ];
  for (const [title, view, want, id] of cases) {
    await runFromGallery(page, title);
    await expect(status(page)).toContainText(want);
    await selected(page, view);
    await expect(page.locator("#current")).toContainText(title);
    expect(new URL(page.url()).hash).toBe(`#view=${view === "Trace" ? "trace" : "block"}&x=${id}`);
    await page.screenshot({ path: `${SHOTS}/experiment-${id}.png` });
  }
  // the interleaved pairing: two copies fail with BLK_STS_IOERR, which the trace shows as -EIO
  await runFromGallery(page, "Interleaved copies break the pairing");
  await expect(status(page)).toContainText("run #8");
  const trace = page.getByRole("tabpanel", { name: "Trace" });
  await trace.getByRole("searchbox", { name: "Search" }).fill("[65531]");
  // the two lone halves complete with -EIO (blktrace's error field: 65531)
  await expect(trace.locator(".trace-matches")).toHaveText(/^(1 of )?[1-9]\d* match/);
  expect(errors).toEqual([]);
});

test("copy limits exceeded: the console shows Command Size Limit Exceeded for each limit", async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto("/");
  await runFromGallery(page, "Copy limits exceeded: the status codes");
  await selected(page, "Console");
  // the three copies past MSSRL, MCL and MSRC fail; the last, exactly MCL blocks, succeeds
  await expect.poll(async () => Number(await page.locator("#console").getAttribute("data-commands")), { timeout: 30_000 }).toBe(5);
  const rows = page.locator("#console .xterm-rows");
  await expect.poll(async () => ((await rows.textContent()) ?? "").split("NVMe status: Command Size Limit Exceeded(0x4183)").length - 1).toBe(3);
  await expect(rows).toContainText("copy: CQE Dword 0 = 0: source range 0 is the first one not copied");
  await expect(rows).toContainText("NVMe Copy: success");
  await page.screenshot({ path: `${SHOTS}/experiment-limits.png` });
  expect(errors).toEqual([]);
});

test("offload against read+write over NVMe/TCP: the table at 1 and 100 Gb/s", async ({ page }) => {
  test.setTimeout(120_000);
  const errors = watchErrors(page);
  await page.goto("/");
  await runFromGallery(page, "Offload against read+write over NVMe/TCP");
  // like the other experiments: it opens the view that shows it (Charts), says what it did in
  // the run bar and the log
  await expect(page.getByRole("tab", { name: "Charts" })).toHaveAttribute("aria-selected", "true", { timeout: 90_000 });
  await expect(page.locator("#run-status")).toHaveText(/^NVMe\/TCP #1: 4 cases, offload against read\+write [\d.]+× at 1 Gb\/s, [\d.]+× at 100 Gb\/s; [\d.]+ s to run$/);
  await expect(page.locator("#log")).toContainText(/NVMe\/TCP #1 \(Offload against read\+write over NVMe\/TCP\): 1 Gb\/s read\+write [\d.]+ MiB\/s/);
  const table = page.getByRole("tabpanel", { name: "Charts" }).getByRole("table", { name: /^NVMe\/TCP, bs 8k, 1 range\(s\)/ });
  await expect(table).toBeVisible();
  const rows = table.locator("tbody tr");
  await expect(rows).toHaveCount(4);
  const cells = async (i: number) => (await rows.nth(i).locator("th, td").allTextContents()).map((t) => t.trim());
  const g1 = await cells(0), g100 = await cells(2);
  expect(g1[0]).toBe("1 Gb/s");
  expect(g100[0]).toBe("100 Gb/s");
  // each modelled row has the seed's own figures under it
  expect(await cells(1)).toEqual(["1 Gb/s, seed 000", "107", "787", "7.36x", "97", "14"]);
  expect(await cells(3)).toEqual(["100 Gb/s, seed 000", "791", "843", "1.07x", "6.75", "0.14"]);
  // at 1 Gb/s the wire bounds read+write and the offloaded copy does not cross it
  expect(Number(g1[2])).toBeGreaterThan(2 * Number(g1[1]));
  expect(Number(g1[4])).toBeGreaterThan(80);
  expect(Number(g1[5])).toBeLessThan(20);
  await page.screenshot({ path: `${SHOTS}/experiment-tcp-offload.png`, fullPage: true });
  expect(errors).toEqual([]);
});
