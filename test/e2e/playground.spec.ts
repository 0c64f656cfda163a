// End-to-end test of the playground, driven as a user would (clicks on named controls): the
// page is crossOriginIsolated, boots the controller threaded and stepped, Identify shows
// ONCS with Copy, one Copy command gathers three ranges and the destination matches. Saves
// a screenshot of each state to test-results/screenshots/.
import { test, expect, type Page } from "@playwright/test";
import { SHOTS, watchErrors } from "./helpers";

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}

const region = (page: Page, name: string) => page.getByRole("region", { name, exact: true });

async function boot(page: Page, mode: "Threaded" | "Stepped"): Promise<void> {
  await page.getByRole("radio", { name: new RegExp(`^${mode}`) }).check();
  await page.getByRole("button", { name: "Boot controller" }).click();
  const ctrl = region(page, "Controller");
  await expect(ctrl.getByRole("status")).toContainText(`Controller ready: ${mode.toLowerCase()}`);
  await expect(ctrl).toContainText("driver state READY");
  await expect(ctrl).toContainText("RDY 1");
}

async function runCopy(page: Page): Promise<void> {
  await page.getByRole("button", { name: "Run copy" }).click();
  const copy = region(page, "Copy");
  await expect(copy.getByRole("status")).toContainText("Data matches");
  const completion = copy.getByRole("table", { name: "Completion queue entry" });
  await expect(completion.getByRole("row", { name: /^Status/ })).toContainText("0x0000 Successful Completion");
  await expect(completion.getByRole("row", { name: /^DW0/ })).toContainText("0x00000000");
  const ranges = copy.getByRole("table", { name: /^Source ranges/ });
  await expect(ranges.getByRole("row")).toHaveCount(1 + 3);
  await expect(copy).toContainText("NR 2 (3 ranges, 0's based)");
  // Source and destination bytes are shown, recognisable, and equal block by block.
  const dump = copy.getByRole("table", { name: /^First 16 bytes of each block/ });
  await expect(dump).toContainText("R0 LBA 8");
  await expect(dump).toContainText("R2 LBA 102");
  await expect(dump.getByText("✓ yes")).toHaveCount(9);
  await expect(dump.getByText("✗ no")).toHaveCount(0);
}

test("playground: boot, identify and copy, threaded then stepped", async ({ page }) => {
  const errors = watchErrors(page, { warnings: true, requests: true });
  await page.goto("/#view=controller");
  expect(await page.evaluate(() => self.crossOriginIsolated)).toBe(true);
  await expect(page.getByRole("status").filter({ hasText: "crossOriginIsolated" })).toHaveText("crossOriginIsolated");
  await expect(page.getByRole("button", { name: "Identify" })).toBeDisabled();
  await shot(page, "01-loaded");

  // Threaded: the controller loop runs in its own Web Worker.
  await boot(page, "Threaded");
  await expect(region(page, "Controller")).toContainText("Host worker");
  await expect(region(page, "Controller")).toContainText("crossOriginIsolated");
  await shot(page, "02-booted-threaded");

  await page.getByRole("button", { name: "Identify" }).click();
  const id = region(page, "Identify");
  const ctrl = id.getByRole("table", { name: "Identify Controller (CNS 01h)" });
  await expect(ctrl.getByRole("row", { name: /^MN/ })).toContainText("nvmelab NVMe Ctrl");
  await expect(ctrl.getByRole("row", { name: /^VER/ })).toContainText("NVMe 2.1.0");
  await expect(ctrl.getByRole("row", { name: /^ONCS/ })).toContainText("bit 8 Copy");
  await expect(ctrl.getByRole("row", { name: /^OCFS/ })).toContainText("Format 0h");
  const ns = id.getByRole("table", { name: "Identify Namespace 1 (CNS 00h)" });
  await expect(ns.getByRole("row", { name: /^NSZE/ })).toContainText("131072");
  await expect(ns.getByRole("row", { name: /^MSRC/ })).toContainText("128 source ranges");
  await expect(ns.getByRole("row", { name: /^FLBAS/ })).toContainText("512-byte data");
  await shot(page, "03-identify");

  await runCopy(page);
  await page.getByRole("heading", { name: "Copy" }).scrollIntoViewIfNeeded();
  await shot(page, "04-copy-threaded");
  // The SQE as submitted: opcode 19h in CDW0, SDLBA in CDW10, NR 2 / DESFMT 0h in CDW12.
  await page.getByText("Submission queue entry and source range descriptors").click();
  const sqe = page.getByLabel("Copy SQE");
  await expect(sqe).toContainText(/CDW0 +0x[0-9a-f]{4}0019/);
  await expect(sqe).toContainText(/CDW10 +0x00000400/);
  await expect(sqe).toContainText(/CDW12 +0x00000002/);
  await region(page, "Copy").screenshot({ path: `${SHOTS}/04b-copy-result.png` });

  // NUSE counts the blocks written and copied (9 source + 9 destination).
  await page.getByRole("button", { name: "Identify" }).click();
  await expect(ns.getByRole("row", { name: /^NUSE/ })).toContainText("18");

  // Stepped: a fresh controller, run inside the host worker.
  await boot(page, "Stepped");
  await expect(region(page, "Copy").getByRole("status")).toHaveCount(0); // earlier results are cleared
  await runCopy(page);
  await shot(page, "05-copy-stepped");

  // A narrow window still shows everything (tables scroll sideways inside their cards).
  await page.setViewportSize({ width: 420, height: 900 });
  await shot(page, "06-narrow");

  await expect(page.getByRole("alert")).toBeHidden();
  expect(errors).toEqual([]);
});
