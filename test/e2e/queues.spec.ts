// End-to-end test of the Queues view: before a run it says how to get one; after the gallery
// runs "A vectored copy merged by plugging" it replays the controller's events: stepping to the
// Copy command shows its SQE decoded (opcode 19h, SDLBA, NR, the four source ranges), its
// completion the CQE (status, phase), doorbells flash, Play/Pause animate, the slider and the
// ring slots work by keyboard. Screenshots at 1280x800 and 420 wide.
import { test, expect, type Page } from "@playwright/test";
import { readFileSync } from "node:fs";
import { runFromGallery, SHOTS, watchErrors } from "./helpers";

async function runVectorMerge(page: Page): Promise<void> {
  await runFromGallery(page, "A vectored copy merged by plugging");
  await expect(page.locator("#run-status")).toContainText(/run #1: 11 steps/);
  await page.getByRole("tab", { name: "Queues" }).click();
}

test("the Queues view replays the run: the Copy's SQE and CQE decoded, stepping, play/pause, keyboard", async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto("/");
  const panel = page.getByRole("tabpanel", { name: "Queues" });

  // no run yet: the view says how to get one
  await page.getByRole("tab", { name: "Queues" }).click();
  await expect(panel).toContainText("No run yet");
  await expect(panel.getByRole("button", { name: "Open Experiments" })).toBeVisible();

  await runVectorMerge(page);
  await expect(panel.getByRole("heading", { name: "Admin queue pair" })).toBeVisible();
  await expect(panel.getByRole("heading", { name: /I\/O queue pair 1/ })).toContainText("SQ 1 → CQ 1, vector 1");
  // it opens after bring-up: 9 admin commands done (Identify CNS 06h among them), the I/O queues empty
  const pos = panel.locator("#q-pos-text");
  await expect(pos).toContainText(/^event 54 of 217/);
  const sq1 = panel.getByRole("group", { name: "SQ 1 slots" });
  const cq1 = panel.getByRole("group", { name: "CQ 1 slots" });
  await expect(sq1.getByRole("button")).toHaveCount(32); // a 32-slot window of the 256-entry ring
  await expect(panel.getByRole("group", { name: "SQ 0 slots" }).getByRole("button")).toHaveCount(32);
  await expect(panel.locator(".q-sq").nth(1)).toContainText("256 entries · head 0 (controller) · tail 0 (host) · 0 fetched");
  await page.screenshot({ path: `${SHOTS}/queues-01-after-bringup.png`, fullPage: true });

  // one event: the host rings SQ 1's tail doorbell for the first Write
  await panel.getByRole("button", { name: "Step event", exact: true }).click();
  await expect(panel.locator(".q-now-line")).toContainText("pci_nvme_mmio_doorbell_sq sqid 1 new_tail 1");
  await expect(panel.locator(".q-sq .q-db.hot")).toHaveText("SQ1TDBL = 1");
  await expect(sq1.getByRole("button", { name: /^SQ 1 slot 0: Write \(01h\) CID \d+, submitted, not fetched/ })).toBeVisible();

  // step by command, stopping at Copy commands only
  await panel.getByLabel("stops at").selectOption("copy");
  await panel.getByRole("button", { name: "Step command" }).click();
  await expect(panel.locator(".q-now-line")).toContainText(/pci_nvme_io_cmd cid \d+ nsid 0x1 sqid 1 opc 0x19 opname 'Copy'/);
  // the CID is nvme_cid's (a generation in bits 15:12 over the request's blk-mq tag): the entry shows the one in the trace line
  const cid = (await panel.locator(".q-now-line").textContent())!.match(/cid (\d+)/)![1];
  await expect(pos).toContainText(/^event 66 of 217 · t = 184\.762 µs/);
  const entry = panel.getByRole("complementary", { name: "Entry" });
  await expect(entry).toContainText("SQ 1 slot 2 · fetched");
  await expect(entry.getByRole("heading", { name: /Copy \(19h\)/ })).toBeVisible();
  const sqe = entry.getByLabel("SQE fields");
  await expect(sqe).toContainText("OPC19h Copy (NVM command set)");
  await expect(sqe).toContainText(`CID${cid}NSID1`);
  await expect(sqe).toContainText("SDLBA8192 0x2000");
  await expect(sqe).toContainText("NR3 0's based: 4 source ranges");
  await expect(sqe).toContainText("DESFMT0h 32-byte source ranges");
  // the ranges appear as the controller reads them: step through the four EVK_COPY_RANGE events
  for (let i = 0; i < 4; i++) await panel.getByRole("button", { name: "Step event", exact: true }).click();
  await expect(panel.locator(".q-now-line")).toContainText("pci_nvme_copy_source_range range 3 snsid 1 slba 0x258 nlb 16 -> nsid 1 dlba 0x2030");
  const ranges = entry.getByRole("table", { name: /Source ranges the controller read \(4\)/ });
  await expect(ranges.locator("tbody tr")).toHaveCount(4);
  // NLB 0's based as in the descriptor (and the SQE's NLB), then the blocks it means
  await expect(ranges.locator("thead th")).toHaveText(["Range", "SNSID", "SLBA", "NLB", "Blocks", "→ NSID", "DLBA"]);
  await expect(ranges.locator("tbody tr").nth(0).locator("th, td")).toHaveText(["0", "1", "0", "15", "16", "1", "8192"]);
  await expect(ranges.locator("tbody tr").nth(3).locator("th, td")).toHaveText(["3", "1", "600", "15", "16", "1", "8240"]);
  await page.screenshot({ path: `${SHOTS}/queues-02-copy-sqe.png`, fullPage: true });

  // the completion, then its interrupt (QEMU's order): CQE in CQ 1 slot 2, phase 1, success
  await panel.getByRole("button", { name: "Step event", exact: true }).click();
  await expect(panel.locator(".q-now-line")).toContainText(`pci_nvme_enqueue_req_completion cid ${cid} cqid 1 dw0 0x0 dw1 0x0 status 0x0`);
  await expect(entry).toContainText("CQ 1 slot 2 · posted, not yet consumed");
  await expect(entry.getByRole("heading", { name: `CQE for CID ${cid} (Copy (19h)) Successful Completion` })).toBeVisible();
  const cqe = entry.getByLabel("CQE fields");
  await expect(cqe).toContainText("P1 phase tag");
  await expect(cqe).toContainText("SQHD3");
  await expect(cqe).toContainText("SC00h Successful Completion");
  await expect(cq1.getByRole("button", { name: new RegExp(`^CQ 1 slot 2: CID ${cid} Successful Completion, phase 1, posted`) })).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/queues-03-copy-cqe.png`, fullPage: true });
  await panel.getByRole("button", { name: "Step event", exact: true }).click();
  await expect(panel.locator(".q-now-line")).toContainText("pci_nvme_irq_msix raising MSI-X IRQ vector 1");
  await expect(panel.locator(".q-cq .q-irq.hot")).toContainText("MSI-X vector 1");

  // keyboard: Tab reaches SQ 1's ring; arrows move round it and the entry follows
  await sq1.getByRole("button").and(page.locator("[tabindex='0']")).focus();
  await page.keyboard.press("Home"); // the head: the next slot to fetch
  await expect(page.locator(":focus")).toHaveAttribute("aria-label", /^SQ 1 slot 3: empty, never written/);
  await page.keyboard.press("ArrowLeft");
  await expect(page.locator(":focus")).toHaveAttribute("aria-label", new RegExp(`^SQ 1 slot 2: Copy \\(19h\\) CID ${cid}, fetched`));
  await expect(entry).toContainText("SQ 1 slot 2 · fetched");
  await expect(entry.getByLabel("SQE fields")).toContainText("NR3");
  await page.keyboard.press("ArrowLeft");
  await expect(entry).toContainText("SQ 1 slot 1");
  await expect(entry.getByLabel("SQE fields")).toContainText("OPC01h Write");
  // Enter chooses the slot: Tab on through CQ 1's ring to the entry's buttons keeps it shown
  await page.keyboard.press("Enter");
  await expect(entry).toContainText("Chosen");
  await page.keyboard.press("Tab");
  await expect(page.locator(":focus")).toHaveAttribute("aria-label", /^CQ 1 slot/);
  await expect(entry).toContainText("SQ 1 slot 1");
  await page.keyboard.press("Tab");
  await expect(page.locator(":focus")).toHaveText("Go to its fetch");
  await expect(entry).toContainText("SQ 1 slot 1");
  await page.keyboard.press("Enter");
  await expect(panel.locator(".q-now-line")).toContainText(/pci_nvme_io_cmd cid \d+ nsid 0x1 sqid 1 opc 0x1 opname 'Write'/);
  await expect(pos).toContainText(/^event 58 of 217/);
  await expect(page.locator(":focus")).toHaveText("Go to its fetch");
  await page.screenshot({ path: `${SHOTS}/queues-04-keyboard.png`, fullPage: true });
  // the rings are in the Tab order: from Reset, Tab reaches a slot of SQ 1
  await panel.getByRole("button", { name: "Reset" }).focus();
  let reached = false;
  for (let i = 0; i < 30 && !reached; i++) {
    await page.keyboard.press("Tab");
    reached = /^SQ 1 slot \d+/.test((await page.locator(":focus").getAttribute("aria-label")) ?? "");
  }
  expect(reached).toBe(true);

  // the slider by keyboard: End is the last event, Home the first (no queue yet)
  const slider = panel.getByRole("slider", { name: "Position" });
  await slider.focus();
  await page.keyboard.press("End");
  // the run ends at its modelled end, when the last Copies complete and the host releases
  // their CQEs: nothing is left new (the CQEs are not at their submission time, 211.147 µs)
  await expect(pos).toContainText(/^event 217 of 217 · t = 286\.682 µs/);
  await expect(panel.locator(".q-now-line")).toContainText("pci_nvme_mmio_doorbell_cq cqid 1 new_head 19");
  await expect(panel.locator(".q-cq").nth(1)).toContainText("256 entries · tail 19 (controller) · head 19 (host) · 19 posted");
  await page.keyboard.press("Home");
  await expect(pos).toContainText(/^event 0 of 217/);
  await expect(panel.locator(".q-now-line")).toContainText("Before the first event");
  await expect(panel.getByRole("heading", { name: "Admin queue pair" })).toContainText("not created yet");

  // play at 100 events/s, then pause: the position stops moving
  await panel.getByLabel("speed").selectOption("100");
  await panel.getByRole("button", { name: "Play" }).click();
  await expect(panel.getByRole("button", { name: "Play" })).toHaveCount(0);
  await expect(pos).not.toContainText(/^event 0 of/);
  await expect.poll(async () => Number((await pos.textContent())!.match(/^event (\d+)/)![1])).toBeGreaterThan(20);
  await panel.getByRole("button", { name: "Pause" }).click();
  await expect(panel.getByRole("button", { name: "Pause" })).toHaveCount(0);
  const paused = await pos.textContent();
  await page.waitForTimeout(300);
  await expect(pos).toHaveText(paused!);
  await page.screenshot({ path: `${SHOTS}/queues-05-paused.png`, fullPage: true });

  // Reset goes back before the first event
  await panel.getByRole("button", { name: "Reset" }).click();
  await expect(pos).toContainText(/^event 0 of 217/);

  // a new run (the run bar's Run) redraws the view from it, again just after bring-up
  await page.getByRole("navigation", { name: "Experiment and run" }).getByRole("button", { name: "Run" }).click();
  await expect(panel).toContainText("217 controller events of run #2");
  await expect(pos).toContainText(/^event 54 of 217/);
  expect(errors).toEqual([]);
});

test("the Queues view at 420 px wide", async ({ page }) => {
  const errors = watchErrors(page);
  await page.setViewportSize({ width: 420, height: 900 });
  await page.goto("/");
  await runVectorMerge(page);
  const panel = page.getByRole("tabpanel", { name: "Queues" });
  await panel.getByLabel("stops at").selectOption("copy");
  await panel.getByRole("button", { name: "Step command" }).click();
  await expect(panel.getByRole("complementary", { name: "Entry" })).toContainText("Copy (19h)");
  // prefers-reduced-motion: a doorbell is highlighted without the flash animation
  await page.emulateMedia({ reducedMotion: "reduce" });
  await panel.getByRole("button", { name: "Back" }).click(); // to the doorbell before the fetch
  const hot = panel.locator(".q-sq .q-db.hot");
  await expect(hot).toHaveText("SQ1TDBL = 3");
  expect(await hot.evaluate((el) => getComputedStyle(el).animationName)).toBe("none");
  // nothing wider than the window
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await page.screenshot({ path: `${SHOTS}/queues-06-narrow.png`, fullPage: true });
  expect(errors).toEqual([]);
});

test("the Queues view in dark mode, a queue pair and the entry up close", async ({ page }) => {
  const errors = watchErrors(page);
  await page.emulateMedia({ colorScheme: "dark" });
  await page.goto("/");
  await runVectorMerge(page);
  const panel = page.getByRole("tabpanel", { name: "Queues" });
  await panel.getByLabel("stops at").selectOption("copy");
  await panel.getByRole("button", { name: "Step command" }).click();
  await panel.getByRole("button", { name: "Step command" }).click(); // its completion
  await expect(panel.locator(".q-now-line")).toContainText(/pci_nvme_enqueue_req_completion cid \d+ cqid 1/);
  // hovering a slot shows its entry: the Copy's SQE in SQ 1 slot 2
  await panel.getByRole("button", { name: /^SQ 1 slot 2: Copy/ }).hover();
  await expect(panel.getByRole("complementary", { name: "Entry" })).toContainText("SQ 1 slot 2 · fetched");
  await page.screenshot({ path: `${SHOTS}/queues-07-dark.png` });
  await panel.locator(".q-pair").nth(1).screenshot({ path: `${SHOTS}/queues-08-pair.png` });
  expect(errors).toEqual([]);
});

test("a 4-entry I/O queue pair (queue_depth 4) wraps: tails, heads and phase tags", async ({ page }) => {
  const errors = watchErrors(page);
  const setup = { ...JSON.parse(readFileSync("examples/blk/vector-merge.json", "utf8")), queue_depth: 4 };
  const b64 = Buffer.from(JSON.stringify(setup)).toString("base64url");
  await page.goto(`/#view=queues&x=vector-merge&setup=${b64}`);
  await page.getByRole("navigation", { name: "Experiment and run" }).getByRole("button", { name: "Run" }).click();
  const panel = page.getByRole("tabpanel", { name: "Queues" });
  const cq1 = panel.getByRole("group", { name: "CQ 1 slots" });
  await expect(cq1.getByRole("button")).toHaveCount(4);
  await panel.getByRole("slider", { name: "Position" }).focus();
  await page.keyboard.press("End");
  // 19 CQEs in 4 slots: the tail wrapped 4 times (phase 1, 0, 1, 0, then 1 again) and stands at 3;
  // the host's last CQ head doorbell released the last CQE
  await expect(panel.locator(".q-cq").nth(1)).toContainText("4 entries · tail 3 (controller) · head 3 (host) · 19 posted · phase 1");
  await expect(cq1.getByRole("button", { name: /^CQ 1 slot 2: CID \d+ Successful Completion, phase 1, consumed/ })).toBeVisible();
  await expect(cq1.getByRole("button", { name: /^CQ 1 slot 3: CID \d+ Successful Completion, phase 0, consumed/ })).toBeVisible();
  await expect(panel.locator(".q-sq").nth(1)).toContainText("4 entries · head 3 (controller) · tail 3 (host) · 19 fetched");
  // back to the 4th completion: the last slot of the first lap, then the first of the second
  const stops = panel.getByLabel("stops at");
  await stops.selectOption("io");
  await panel.getByRole("button", { name: "Reset" }).click();
  const step = panel.getByRole("button", { name: "Step command" });
  const line = panel.locator(".q-now-line");
  let completions = 0;
  while (completions < 5) {
    await step.click();
    if (!(await line.textContent())!.includes("pci_nvme_enqueue_req_completion")) continue;
    if (++completions === 4) {
      await expect(panel.getByRole("complementary", { name: "Entry" })).toContainText("CQ 1 slot 3 · posted, not yet consumed (P = 1: written before the tail wrapped; the controller's phase is now 0)");
      await expect(panel.locator(".q-cq").nth(1)).toContainText("tail 0 (controller)");
      await expect(panel.locator(".q-cq").nth(1)).toContainText("phase 0");
    }
  }
  await expect(panel.getByRole("complementary", { name: "Entry" })).toContainText("CQ 1 slot 0 · posted");
  await expect(panel.getByRole("complementary", { name: "Entry" }).getByLabel("CQE fields")).toContainText("P0 phase tag");
  await page.screenshot({ path: `${SHOTS}/queues-09-wrapped.png`, fullPage: true });
  expect(errors).toEqual([]);
});
