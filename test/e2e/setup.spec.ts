// End-to-end test of the Setup view as a user works it: change MSRC and the copy design of the
// vector-merge experiment, apply and run, and see more Copy commands; the link carries the
// edited setup and a reload restores the form; stack a dm-linear on nvme0n1 in the graph with
// the keyboard, run it and see dm-0, refuse to remove a device another stacks on, remove it;
// a bad value gets an error naming its JSON path. Screenshots at 1280x800 and 420 wide.
import { test, expect, type Page } from "@playwright/test";
import { SHOTS, watchErrors } from "./helpers";

const setupPanel = (page: Page) => page.getByRole("tabpanel", { name: "Setup" });

/** The last run's counts from the Setup view's run panel. */
async function lastRunCounts(page: Page): Promise<{ commands: number; copies: number }> {
  const text = await setupPanel(page).locator(".setup-last-run").innerText();
  const m = /(\d+) NVMe commands \((\d+) Copy\)/.exec(text);
  if (!m) throw new Error(`no run counts in: ${text}`);
  return { commands: Number(m[1]), copies: Number(m[2]) };
}

test("edit MSRC and the copy design, apply and run; the link restores the edited form", async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto("/#x=vector-merge&view=setup");
  const panel = setupPanel(page);
  await expect(page.getByRole("tab", { name: "Setup" })).toHaveAttribute("aria-selected", "true");
  const msrc = panel.getByLabel("MSRC", { exact: true });
  await expect(msrc).toHaveValue("15");
  await expect(panel.getByLabel("MSSRL", { exact: true })).toHaveValue("64");
  await expect(panel.getByRole("radio", { name: "vector" })).toBeChecked();
  await expect(panel.getByLabel("ONCS bit 8: Copy supported")).toBeChecked();
  await expect(panel.getByText("Run (in the run bar) runs: A vectored copy merged by plugging — the experiment's own setup")).toBeVisible();

  // the experiment as it is, from the run bar
  await page.getByRole("button", { name: "Run", exact: true }).click();
  await expect(page.locator("#run-status")).toContainText("run #1:");
  const base = await lastRunCounts(page);
  await expect(page.locator("#run-status")).toContainText(`${base.commands} NVMe commands`);
  await page.screenshot({ path: `${SHOTS}/setup-01-form.png`, fullPage: true });

  // MSRC 15 -> 1 (2 ranges per Copy) and the 2026 ctx design
  await msrc.fill("1");
  await msrc.press("Tab");
  await panel.getByRole("radio", { name: "ctx" }).check();
  await expect(panel.getByText(/Not applied yet: setup\.controller\.namespaces\[0\]\.msrc, setup\.design/)).toBeVisible();
  await expect(panel.getByRole("textbox", { name: "The whole setup (JSON)" })).toHaveValue(/"msrc": 1\n/);
  await panel.getByRole("button", { name: "Apply and run" }).click();
  await expect(page.locator("#run-status")).toContainText("run #2:");
  await expect(panel.locator(".setup-last-run")).toContainText("Last run: #2 (this setup)");
  const edited = await lastRunCounts(page);
  expect(edited.copies).toBeGreaterThan(base.copies);
  await expect(page.locator("#run-status")).toContainText(`${edited.commands} NVMe commands`);
  await expect(page.locator("#current")).toContainText("(setup edited)");
  await expect(panel.getByText(/with the setup edited \(2 changes from the experiment's: setup\.controller\.namespaces\[0\]\.msrc, setup\.design\)/)).toBeVisible();
  await expect(page.locator("#error")).toBeHidden();
  await page.screenshot({ path: `${SHOTS}/setup-02-edited-run.png`, fullPage: true });

  // the link carries the setup; a reload gives the same form
  expect(page.url()).toContain("setup=");
  await page.reload();
  await expect(setupPanel(page).getByLabel("MSRC", { exact: true })).toHaveValue("1");
  await expect(setupPanel(page).getByRole("radio", { name: "ctx" })).toBeChecked();
  await expect(page.locator("#current")).toContainText("(setup edited)");

  // reset: the experiment's own setup again, and the link loses setup=
  await setupPanel(page).getByRole("button", { name: "Reset to the experiment's setup" }).click();
  await expect(setupPanel(page).getByLabel("MSRC", { exact: true })).toHaveValue("15");
  await expect(setupPanel(page).getByRole("radio", { name: "vector" })).toBeChecked();
  expect(page.url()).not.toContain("setup=");
  expect(errors).toEqual([]);
});

test("the block stack graph: add a dm-linear with the keyboard, run it, refuse and then remove", async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto("/#x=vector-merge&view=setup");
  const panel = setupPanel(page);
  const ns = panel.getByRole("button", { name: /^nvme0n1: namespace, 131072 sectors/ });
  await ns.focus();
  await page.keyboard.press("Enter");
  await expect(ns).toHaveAttribute("aria-pressed", "true");
  await expect(panel.getByRole("group", { name: "Add a target above nvme0n1" })).toBeVisible();
  await panel.getByLabel("Target type").selectOption("linear");
  await expect(panel.getByLabel("On (device)")).toHaveValue("nvme0n1");
  await panel.getByLabel("Mapper name (optional)").fill("lin");
  await panel.getByRole("button", { name: "Add target" }).focus();
  await page.keyboard.press("Enter");
  const dm0 = panel.getByRole("button", { name: /^dm-0 \(lin\): linear, 131072 sectors/ });
  await expect(dm0).toBeFocused();
  await expect(panel.getByRole("status").filter({ hasText: "Added dm-0 (linear on nvme0n1)" })).toBeVisible();
  await expect(panel.getByLabel(/^dm-0 table/)).toHaveValue("0 131072 linear nvme0n1 0");
  await page.screenshot({ path: `${SHOTS}/setup-03-stack.png`, fullPage: true });

  await panel.getByRole("button", { name: "Apply and run" }).click();
  await expect(page.locator("#run-status")).toContainText("run #1:");
  await expect(panel.locator(".setup-last-run")).toContainText("Device-mapper devices: dm-0 (lin) 0 131072 linear 259:0 0");
  await expect(page.locator("#error")).toBeHidden();

  // stack a crypt on dm-0: now dm-0 cannot go
  await dm0.focus();
  await page.keyboard.press("Enter");
  await panel.getByLabel("Target type").selectOption("crypt");
  await expect(panel.getByLabel("On (device)")).toHaveValue("dm-0");
  await panel.getByRole("button", { name: "Add target" }).click();
  await expect(panel.getByRole("button", { name: /^dm-1 \(crypt0\): crypt/ })).toBeVisible();
  await dm0.focus();
  await page.keyboard.press("Delete");
  await expect(panel.locator("#setup-stack-msg")).toHaveText("cannot remove dm-0 (lin): dm-1 (crypt0) stacks on it (setup.stack[1])");
  await page.screenshot({ path: `${SHOTS}/setup-04-refused.png`, fullPage: true });

  // remove the top, then dm-0
  await panel.getByRole("button", { name: /^dm-1 \(crypt0\)/ }).click();
  await panel.getByRole("button", { name: "Remove dm-1" }).click();
  await expect(panel.getByRole("button", { name: /^dm-1 / })).toHaveCount(0);
  await dm0.focus();
  await page.keyboard.press("Delete");
  await expect(panel.locator("#setup-stack-msg")).toHaveText("Removed dm-0. Apply to use the setup without it.");
  await expect(panel.getByRole("button", { name: /^dm-0/ })).toHaveCount(0);
  await panel.getByRole("button", { name: "Apply", exact: true }).click();
  await expect(panel.getByText("no device-mapper devices")).toBeVisible();
  expect(errors).toEqual([]);
});

test("a bad value is refused with the field's JSON path; bad JSON too", async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto("/#x=vector-merge&view=setup");
  const panel = setupPanel(page);
  const msrc = panel.getByLabel("MSRC", { exact: true });
  await msrc.fill("300");
  await msrc.press("Tab");
  const why = 'setup.controller.namespaces[0].msrc: "300" is not an integer in 0..255 (MSRC)';
  await expect(msrc).toHaveAttribute("aria-invalid", "true");
  await expect(panel.locator("#setup-f-ns-0-msrc-err")).toHaveText(why);
  await panel.getByRole("button", { name: "Apply", exact: true }).click();
  await expect(panel.locator(".setup-problems")).toContainText(why);
  await expect(msrc).toBeFocused();
  expect(page.url()).not.toContain("setup=");
  await page.screenshot({ path: `${SHOTS}/setup-05-invalid.png`, fullPage: true });
  await msrc.fill("7");
  await msrc.press("Tab");
  await expect(msrc).not.toHaveAttribute("aria-invalid", "true");

  // the JSON: not JSON, then a setup the scenario parser refuses (named by path)
  const json = panel.getByRole("textbox", { name: "The whole setup (JSON)" });
  await json.fill("{ nope");
  await json.press("Tab");
  await expect(panel.locator("#setup-json-err")).toContainText("JSON:");
  await json.fill(JSON.stringify({ controller: { namespaces: [{ size: "64M" }] }, cpus: 1, design: "copy-everything", steps: [] }));
  await json.press("Tab");
  await expect(panel.locator(".setup-problems")).toContainText('setup.design: "copy-everything" is not one of pair, ctx, vector');
  await panel.getByRole("button", { name: "Apply and run" }).click();
  await expect(panel.locator(".setup-problems")).toContainText("setup.design");
  await expect(page.locator("#run-status")).not.toContainText("run #");
  expect(errors).toEqual([]);
});

test("narrow window: the form and the graph fit 420 pixels", async ({ page }) => {
  const errors = watchErrors(page);
  await page.setViewportSize({ width: 420, height: 900 });
  await page.goto("/#x=crypt-fallback&view=setup");
  const panel = setupPanel(page);
  await expect(panel.getByRole("button", { name: /^dm-1 \(secret\): crypt/ })).toBeVisible();
  const wide = await page.evaluate(() => [...document.querySelectorAll("#view-setup *")]
    .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1 && !e.closest(".table-wrap, .graph-wrap"))
    .slice(0, 5).map((e) => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`));
  expect(wide).toEqual([]);
  // nothing widens the page (the tables and the graph scroll inside their cards)
  expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
  await panel.getByRole("group", { name: "Controller", exact: true }).scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/setup-06-narrow.png` });
  await panel.getByRole("group", { name: "Block stack", exact: true }).screenshot({ path: `${SHOTS}/setup-07-narrow-stack.png` });
  expect(errors).toEqual([]);
});

test("snapshot-cow: the steps' devices in the graph, with origin and COW edges", async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto("/#x=snapshot-cow&view=setup");
  const panel = setupPanel(page);
  const snap = panel.getByRole("button", { name: "dm-3 (snap): snapshot, 16384 sectors, made by a dm_create step during the run" });
  await expect(snap).toBeVisible();
  await expect(panel.locator(".stack-graph .edge-label")).toHaveText(["origin", "origin", "COW"]);
  await snap.click();
  await expect(panel.getByLabel(/^dm-3 table/)).toHaveValue("0 16384 snapshot /dev/mapper/base /dev/mapper/cow N 128");
  await expect(panel.getByRole("group", { name: /^Add a target above/ })).toHaveCount(0);
  await expect(panel.getByRole("button", { name: "Remove dm-3" })).toHaveCount(0);
  await snap.press("Delete");
  await expect(panel.locator("#setup-stack-msg")).toHaveText("dm-3 (snap) is made by setup.steps[3] (dm_create) during the run: edit the steps in the JSON");
  await panel.getByRole("group", { name: "Block stack", exact: true }).screenshot({ path: `${SHOTS}/setup-08-snapshot-graph.png` });
  expect(errors).toEqual([]);
});

test("a link's invalid setup is checked when the page opens: every problem named, every field marked", async ({ page }) => {
  const errors = watchErrors(page);
  const bad = { controller: { namespaces: [{ size: "huge", msrc: 999 }] }, cpus: -1 };
  await page.goto(`/#view=setup&setup=${Buffer.from(JSON.stringify(bad)).toString("base64url")}`);
  const panel = setupPanel(page);
  const messages = [
    'setup.controller.namespaces[0].size: "huge" is not a size (examples: 4096, 64M, 1GiB, 1T) (Size)',
    'setup.controller.namespaces[0].msrc: "999" is not an integer in 0..255 (MSRC)',
    'setup.cpus: "-1" is not an integer in 1..64 (CPUs)',
  ];
  // the link's banner, before anything is pressed
  const banner = page.locator("#link-problems");
  await expect(banner).toContainText("the link's setup is not valid (3 problems; the Setup view marks each field)");
  for (const m of messages) await expect(banner).toContainText(m);
  // the Apply bar's list, and each field marked with its own message
  const list = panel.locator(".setup-problems");
  await expect(list).toContainText("The setup is not valid (3 problems)");
  await expect(list.getByRole("listitem")).toHaveText(messages);
  await expect(panel.locator('[aria-invalid="true"]')).toHaveCount(3);
  for (const [label, m] of [["Size", messages[0]], ["MSRC", messages[1]], ["CPUs", messages[2]]] as const) {
    const field = panel.getByLabel(label, { exact: true });
    await expect(field).toHaveAttribute("aria-invalid", "true");
    await expect(field).toHaveAccessibleDescription(new RegExp(m.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));
  }
  await page.screenshot({ path: `${SHOTS}/setup-06-bad-link.png`, fullPage: true });
  // Run in the run bar names all three, and runs nothing
  await page.getByRole("button", { name: "Run", exact: true }).click();
  await expect(page.locator("#error")).toContainText("the setup is not valid (3 problems; the Setup view marks each field)");
  for (const m of messages) await expect(page.locator("#error")).toContainText(m);
  await expect(page.locator("#run-status")).toHaveText("");
  // fixing one field takes it off the list and unmarks it
  const msrc = panel.getByLabel("MSRC", { exact: true });
  await msrc.fill("7");
  await msrc.press("Tab");
  await expect(list).toContainText("The setup is not valid (2 problems)");
  await expect(msrc).not.toHaveAttribute("aria-invalid", "true");
  await expect(panel.locator('[aria-invalid="true"]')).toHaveCount(2);
  expect(errors).toEqual([]);
});

test("the kernel choice: 7.2 runs without __submit_bio's plug, so the trace has no P and U before a D", async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto("/#x=vector-merge&view=setup");
  const panel = setupPanel(page);
  const kernel = panel.getByLabel("Kernel", { exact: true });
  await expect(kernel).toHaveValue("6.18");
  await kernel.selectOption("7.2");
  await expect(panel.getByText(/Not applied yet: setup\.linux/)).toBeVisible();
  await expect(panel.getByRole("textbox", { name: "The whole setup (JSON)" })).toHaveValue(/"linux": "7\.2"/);
  await panel.getByRole("button", { name: "Apply and run" }).click();
  await expect(page.locator("#run-status")).toContainText("run #1:");
  await page.screenshot({ path: `${SHOTS}/setup-09-kernel-7.2.png`, fullPage: true });
  await page.getByRole("tab", { name: "Trace" }).click();
  const trace = page.getByRole("tabpanel", { name: "Trace" });
  await trace.getByRole("searchbox", { name: "Search" }).fill("D   W 0 + 1024 [task]");
  await expect(trace.locator(".trace-matches")).toHaveText("1 of 1 match");
  // 6.18 numbers this D 6 (Q X G P U D); 7.2 has no plug of its own here: Q X G D
  await expect(trace.locator(".virtual-list-row.current")).toHaveText(/^259,0 +0 +4 +0\.000000000 +100 +D +W 0 \+ 1024 \[task\]$/);
  expect(errors).toEqual([]);
});
