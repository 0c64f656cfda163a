// End-to-end test of the page shell: the Experiments gallery runs an experiment and opens its
// view, the tabs work by mouse and keyboard, the URL carries the view and experiment (a link
// round trip), and a malformed link gives a message and the default setup, not a blank page.
import { test, expect } from "@playwright/test";
import { SHOTS, watchErrors } from "./helpers";

test("the gallery runs an experiment and opens its view; the link reproduces it", async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto("/");
  await expect(page.getByRole("tab", { name: "Experiments" })).toHaveAttribute("aria-selected", "true");
  const card = page.getByRole("article", { name: "A vectored copy merged by plugging" });
  await expect(card).toContainText("Source 002");
  await page.screenshot({ path: `${SHOTS}/shell-01-gallery.png`, fullPage: true });
  await card.getByRole("button", { name: "Run" }).click();
  await expect(page.getByRole("tab", { name: "Block layer" })).toHaveAttribute("aria-selected", "true");
  await expect(page.locator("#run-status")).toContainText(/run #1: 11 steps, \d+ NVMe commands/);
  expect(new URL(page.url()).hash).toBe("#view=block&x=vector-merge");

  // keyboard: from the selected tab, ArrowRight moves to the next view
  await page.getByRole("tab", { name: "Block layer" }).focus();
  await page.keyboard.press("ArrowRight");
  await expect(page.getByRole("tab", { name: "Trace" })).toHaveAttribute("aria-selected", "true");
  await expect(page.getByRole("tabpanel", { name: "Trace" })).toBeVisible();

  // the link opens the same view and experiment in a new page
  const again = await page.context().newPage();
  await again.goto(page.url());
  await expect(again.getByRole("tab", { name: "Trace" })).toHaveAttribute("aria-selected", "true");
  await expect(again.locator("#current")).toContainText("A vectored copy merged by plugging");
  await again.close();
  expect(errors).toEqual([]);
});

test("a malformed link gets a clear message and the default setup", async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto("/#view=nope&x=missing&setup=%%%");
  const alert = page.locator("#link-problems");
  await expect(alert).toBeVisible();
  await expect(alert).toContainText('view "nope" does not exist');
  await expect(alert).toContainText('experiment "missing" does not exist');
  await expect(alert).toContainText("the link's setup could not be read");
  await expect(page.getByRole("tab", { name: "Experiments" })).toHaveAttribute("aria-selected", "true");
  await expect(page.locator("#current")).toContainText("A vectored copy merged by plugging");
  await page.screenshot({ path: `${SHOTS}/shell-02-bad-link.png`, fullPage: true });
  expect(errors).toEqual([]);
});

test.describe("Copy link", () => {
  test.use({ permissions: ["clipboard-read", "clipboard-write"] });

  test("says it copied beside its button for a moment; the run's status stays", async ({ page }) => {
    const errors = watchErrors(page);
    await page.goto("/");
    await page.getByRole("article", { name: "A vectored copy merged by plugging" }).getByRole("button", { name: "Run" }).click();
    const status = page.locator("#run-status");
    await expect(status).toContainText(/^run #1: 11 steps/);
    const summary = await status.textContent();
    await page.getByRole("button", { name: "Copy link" }).click();
    const said = page.locator("#link-status");
    await expect(said).toHaveText("Link copied");
    await expect(page.getByRole("button", { name: "Copy link" })).toHaveAccessibleDescription("Link copied");
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(page.url());
    await expect(status).toHaveText(summary!);
    await page.locator(".runbar").screenshot({ path: `${SHOTS}/shell-03-link-copied.png` });
    // it goes by itself; the run's summary was never replaced
    await expect(said).toHaveText("", { timeout: 5000 });
    await expect(status).toHaveText(summary!);
    expect(errors).toEqual([]);
  });
});

test("Copy link without a clipboard shows the link beside its button, not in the run's status", async ({ page }) => {
  await page.goto("/#x=ctx-gc");
  await page.evaluate(() => Object.defineProperty(navigator, "clipboard", { value: { writeText: () => Promise.reject(new Error("denied")) } }));
  await page.getByRole("button", { name: "Copy link" }).click();
  await expect(page.locator("#link-status")).toHaveText(`The clipboard is not available; the link: ${page.url()}`);
  await expect(page.locator("#run-status")).toHaveText("");
});
