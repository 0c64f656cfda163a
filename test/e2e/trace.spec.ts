// End-to-end test of the Trace view: run "Interleaved copies break the pairing" from the
// gallery, read its blkparse lines, filter them by action, task and device, search with next
// and previous, interleave the controller's lines, move through the list by keyboard, and
// download the three exports (blkparse text, fio disk stats, Chrome trace JSON) and check
// what is in them. A second test mounts the virtualised list with a million synthetic rows.
import { test, expect, type Page, type Locator } from "@playwright/test";
import { readFileSync } from "node:fs";
import { build } from "esbuild";
import { runFromGallery, SHOTS, watchErrors } from "./helpers";

/** Whether the list's current row is inside the list's visible box (the list scrolls on its own). */
async function currentShown(list: Locator): Promise<boolean> {
  const row = await list.locator(".virtual-list-row.current").boundingBox();
  const box = await list.boundingBox();
  return !!row && !!box && row.y >= box.y && row.y + row.height <= box.y + box.height;
}

async function download(page: Page, button: string): Promise<{ name: string; text: string }> {
  const [d] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: button }).click()]);
  const path = await d.path();
  return { name: d.suggestedFilename(), text: readFileSync(path, "utf8") };
}

test("the trace of interleaved copies: blkparse lines, filters, search, controller lines and exports", async ({ page }) => {
  test.setTimeout(90_000);
  const errors = watchErrors(page);
  await page.goto("/#view=trace");
  const panel = page.getByRole("tabpanel", { name: "Trace" });
  await expect(panel).toContainText("No run yet");
  await expect(panel).toContainText("Interleaved copies break the pairing");

  await runFromGallery(page, "Interleaved copies break the pairing", "Trace");
  const runStatus = await page.locator("#run-status").textContent();
  const [, commands, events] = /(\d+) NVMe commands, (\d+) block events/.exec(runStatus ?? "")!;

  const list = panel.getByRole("listbox", { name: "Trace lines" });
  await expect(list).toBeVisible();
  const shown = panel.locator(".trace-shown");
  await expect(shown).toHaveText(`Showing ${events} lines: ${events} of ${events} block events`);
  // blkparse's default format: device, CPU, sequence, time, pid, action, RWBS, sector + count [task]
  const options = list.getByRole("option");
  await expect(options.first()).toHaveText(/^253,0 +0 +0 +0\.000000000 +0 +m +N dm: dm-0 target 0 \(delay\) passes copies/);
  // blktrace's sequence numbers count per device and CPU (messages take none): task a's Q is dm-0's first on CPU 0
  await expect(options.filter({ hasText: /^253,0 +0 +1 +0\.000000000 +100 +Q +W 0 \+ 8 \[a\]$/ })).toHaveCount(1);
  await expect(options.first()).toHaveAttribute("aria-setsize", events);
  await page.screenshot({ path: `${SHOTS}/trace-01-list.png`, fullPage: true });

  // keyboard: End goes to the last line, Home back to the first
  await list.focus();
  await page.keyboard.press("End");
  await expect(list).toHaveAttribute("aria-activedescendant", `trace-row-${Number(events) - 1}`);
  await expect(list.locator(`#trace-row-${Number(events) - 1}`)).toHaveText(/ C +R 512 \+ 8 \[0\]$/);
  await page.keyboard.press("Home");
  await page.keyboard.press("ArrowDown");
  await expect(list).toHaveAttribute("aria-activedescendant", "trace-row-1");

  // filter by action: only Q (queued); both devices' bios
  await panel.getByRole("button", { name: "No actions" }).click();
  await expect(shown).toHaveText(`Showing 0 lines: 0 of ${events} block events`);
  await panel.getByRole("checkbox", { name: /^Q queued/ }).check();
  await expect(shown).toContainText("Showing 16 lines");
  await expect(options.filter({ hasText: /^259,0 +\d+ +\d+ +[\d.]+ +\d+ +Q +CW/ })).toHaveCount(2);
  // and by task: what task a queued, in order: its write, its copy's DST and SRC halves, its read
  await panel.getByLabel("Task").selectOption(JSON.stringify({ pid: 100, comm: "a" }));
  await expect(shown).toContainText("Showing 4 lines");
  await expect(options).toHaveText([/Q +W 0 \+ 8 \[a\]$/, /Q +CW 256 \+ 8 \[a\]$/, /Q +CR 0 \+ 8 \[a\]$/, /Q +R 256 \+ 8 \[a\]$/]);
  await page.screenshot({ path: `${SHOTS}/trace-02-filtered.png`, fullPage: true });

  // the device filter: on nvme0n1 every Q is the kworker's (dm-delay resubmits them)
  await panel.getByLabel("Task").selectOption("");
  await panel.getByLabel("Device").selectOption("259,0");
  await expect(shown).toContainText("Showing 8 lines");
  await expect(options.filter({ hasText: "[kworker/0:3]" })).toHaveCount(8);

  // search (all actions and devices again): the message that pairs halves of two different copies
  await panel.getByRole("button", { name: "All actions" }).click();
  await panel.getByLabel("Device").selectOption("");
  const search = panel.getByRole("searchbox", { name: "Search" });
  await search.fill("copy:");
  const matches = panel.locator(".trace-matches");
  // the copy: messages: two copies started, the pairing, two lone halves not sent, two copies failed
  const n = 7;
  // typing moves to the first match (from the top, nothing chosen yet), and shows it
  await expect(matches).toHaveText(`1 of ${n} matches`);
  await expect(list.locator(".virtual-list-row.current mark").first()).toHaveText("copy:");
  expect(await currentShown(list)).toBe(true);
  await search.press("Enter");
  await expect(matches).toHaveText(`2 of ${n} matches`);
  await panel.getByRole("button", { name: "Previous match" }).click();
  await panel.getByRole("button", { name: "Previous match" }).click();
  await expect(matches).toHaveText(`${n} of ${n} matches`);
  await expect(list.locator(".virtual-list-row.current mark").first()).toHaveText("copy:");
  // a regular expression; "Only matching lines" keeps just those
  await search.fill("paired COPY_SRC bio \\d+ with COPY_DST request \\d+");
  await panel.getByRole("checkbox", { name: "Regular expression" }).check();
  await expect(matches).toHaveText("1 of 1 match");
  await expect(list.locator(".virtual-list-row.current")).toContainText("copy: paired COPY_SRC bio 11 with COPY_DST request 4");
  await panel.getByRole("checkbox", { name: "Only matching lines" }).check();
  await expect(options).toHaveText([/^259,0 +0 +0 +0\.010011365 +0 +m +N copy: paired COPY_SRC bio 11 with COPY_DST request 4$/]);
  await search.fill("(");
  await expect(matches).toContainText("not a regular expression");
  await expect(search).toHaveAttribute("aria-invalid", "true");
  await page.screenshot({ path: `${SHOTS}/trace-03-search.png`, fullPage: true });

  // the controller's lines, interleaved by time: one pci_nvme_io_cmd per NVMe command of the run
  await panel.getByRole("checkbox", { name: "Only matching lines" }).uncheck();
  await panel.getByRole("checkbox", { name: "Regular expression" }).uncheck();
  await panel.getByRole("checkbox", { name: /Interleave controller lines/ }).check();
  await expect(shown).toContainText(/controller lines$/);
  await search.fill("");
  await list.focus();
  await page.keyboard.press("Home");
  await search.fill("pci_nvme_io_cmd");
  await expect(matches).toHaveText(`1 of ${commands} matches`);
  // CID 4096 = 0x1000: nvme_cid's generation 1 over tag 0
  await expect(list.locator(".virtual-list-row.current")).toHaveText(/^nvme0 +\d+ +0\.005000000 pci_nvme_io_cmd cid 4096 nsid 0x1 sqid 1 opc 0x1 opname 'Write'$/);
  await page.screenshot({ path: `${SHOTS}/trace-04-controller.png`, fullPage: true });
  await search.fill("");

  // exports
  const text = await download(page, "Export text");
  expect(text.name).toBe("pair-interleaved-run1.blkparse.txt");
  expect(text.text).toMatch(/^259,0 +\d+ +\d+ +[\d.]+ +\d+ +Q +CW 256 \+ 8 \[kworker\/0:3\]$/m);
  expect(text.text).toContain("CPU0 (dm-0):");
  expect(text.text).toMatch(/^Events \(nvme0n1\): \d+ entries$/m);
  expect(text.text).not.toContain("pci_nvme");
  const stats = await download(page, "Export disk stats");
  expect(stats.name).toBe("pair-interleaved-run1.diskstats.txt");
  expect(stats.text).toMatch(/^Disk stats \(read\/write\):\n {2}nvme0n1: ios=\d+\/\d+, sectors=\d+\/\d+, merge=\d+\/\d+, ticks=\d+\/\d+, in_queue=\d+, util=[ \d.]+%\n {2}dm-0: ios=/);
  const chrome = await download(page, "Export Chrome trace");
  expect(chrome.name).toBe("pair-interleaved-run1.trace.json");
  const json = JSON.parse(chrome.text) as { traceEvents: Array<{ ph: string; name: string; pid: number; args?: Record<string, unknown> }>; displayTimeUnit: string };
  expect(json.displayTimeUnit).toBe("ns");
  expect(json.traceEvents.filter((e) => e.ph === "X")).toHaveLength(Number(commands));
  expect(json.traceEvents.filter((e) => e.ph === "b").length).toBe(json.traceEvents.filter((e) => e.ph === "e").length);
  expect(json.traceEvents.filter((e) => e.ph === "M" && e.name === "process_name").map((e) => e.args?.name)).toEqual(["dm-0 (253,0)", "nvme0n1 (259,0)", "nvme0 (controller)"]);
  // with the controller lines on, the controller's events are in it too
  expect(json.traceEvents.some((e) => e.ph === "i" && e.name === "pci_nvme_io_cmd")).toBe(true);
  await expect(panel.getByRole("status").filter({ hasText: "Saved pair-interleaved-run1.trace.json" })).toBeVisible();

  // a narrow window: the controls wrap, the list scrolls sideways
  await page.setViewportSize({ width: 420, height: 800 });
  await panel.getByRole("checkbox", { name: /Interleave controller lines/ }).uncheck();
  await list.scrollIntoViewIfNeeded();
  const box = await list.boundingBox();
  expect(box!.width).toBeLessThanOrEqual(420);
  expect(await list.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
  await page.screenshot({ path: `${SHOTS}/trace-05-narrow.png`, fullPage: true });
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.emulateMedia({ colorScheme: "dark" });
  await search.fill("CW");
  await expect(matches).toHaveText(/^\d+ of \d+ matches$/);
  await page.screenshot({ path: `${SHOTS}/trace-07-dark.png` });
  expect(errors).toEqual([]);
});

test("the virtualised list holds a million rows: few in the DOM, every one reachable by keyboard", async ({ page }) => {
  const errors = watchErrors(page);
  const bundle = await build({ entryPoints: ["web/views/virtual-list.ts"], bundle: true, write: false, format: "iife", globalName: "VL", target: "es2022" });
  await page.goto("/");
  await page.addStyleTag({ path: "web/views/trace.css" });
  await page.addScriptTag({ content: bundle.outputFiles[0].text });
  await page.evaluate(() => {
    const { VirtualList } = (window as unknown as { VL: typeof import("../../web/views/virtual-list") }).VL;
    const host = document.createElement("div");
    host.style.cssText = "position:fixed;inset:20px;z-index:10;background:var(--bg);padding:10px";
    const list = new VirtualList({ label: "A million rows", rowHeight: 20, idPrefix: "m", renderRow: (el, i) => { el.textContent = `row ${i} ${"x".repeat(i % 7)}`; } });
    host.append(list.element);
    document.body.append(host);
    list.setCount(1_000_000);
  });
  const list = page.getByRole("listbox", { name: "A million rows" });
  await expect(list.getByRole("option").first()).toHaveText("row 0 ");
  await expect(list.getByRole("option").first()).toHaveAttribute("aria-setsize", "1000000");
  expect(await list.getByRole("option").count()).toBeLessThan(60);

  await list.focus();
  await page.keyboard.press("End");
  await expect(list).toHaveAttribute("aria-activedescendant", "m-999999");
  await expect(list.locator("#m-999999")).toBeInViewport({ ratio: 1 });
  await expect(list.locator("#m-999999")).toHaveText("row 999999 ");
  await page.keyboard.press("PageUp");
  const after = Number((await list.getAttribute("aria-activedescendant"))!.slice(2));
  expect(after).toBeLessThan(999_999);
  expect(after).toBeGreaterThan(999_999 - 40);
  await expect(list.locator(`#m-${after}`)).toBeInViewport({ ratio: 1 });
  await page.keyboard.press("ArrowUp");
  await expect(list).toHaveAttribute("aria-activedescendant", `m-${after - 1}`);
  expect(await list.getByRole("option").count()).toBeLessThan(60);

  // the middle, by the scroll bar: rows around half a million are drawn
  await list.evaluate((el) => { el.scrollTop = (el.scrollHeight - el.clientHeight) / 2; });
  await expect.poll(async () => Number((await list.getByRole("option").nth(10).getAttribute("aria-posinset")) ?? 0)).toBeGreaterThan(499_000);
  expect(Number(await list.getByRole("option").nth(10).getAttribute("aria-posinset"))).toBeLessThan(501_000);
  await page.screenshot({ path: `${SHOTS}/trace-06-million.png` });

  await page.keyboard.press("Home");
  await expect(list).toHaveAttribute("aria-activedescendant", "m-0");
  await expect(list.locator("#m-0")).toBeInViewport({ ratio: 1 });
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("ArrowDown");
  await expect(list).toHaveAttribute("aria-activedescendant", "m-2");
  await list.locator("#m-5").click();
  await expect(list).toHaveAttribute("aria-activedescendant", "m-5");
  expect(errors).toEqual([]);
});

test("controller lines on the modelled clock: a Write's completion at its C, found by typing", async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto("/");
  await runFromGallery(page, "A vectored copy merged by plugging", "Block layer");
  await page.getByRole("tab", { name: "Trace" }).click();
  const panel = page.getByRole("tabpanel", { name: "Trace" });
  const list = panel.getByRole("listbox", { name: "Trace lines" });
  await panel.getByRole("checkbox", { name: /Interleave controller lines/ }).check();
  // typing is enough: the list moves to the match
  await panel.getByRole("searchbox", { name: "Search" }).fill("enqueue_req_completion cid 4096 cqid 1");
  // the Write's CID, 4096 (nvme_cid: generation 1 over tag 0); the Copy that took tag 0 later
  // had generation 2 (8192), so only the Write matches
  await expect(panel.locator(".trace-matches")).toHaveText("1 of 1 match");
  const current = list.locator(".virtual-list-row.current");
  // the 512 KiB Write submitted at 0 posts its CQE when the block layer completes it (C at 0.000184762)
  await expect(current).toHaveText(/^nvme0 +\d+ +0\.000184762 pci_nvme_enqueue_req_completion cid 4096 cqid 1 dw0 0x0 dw1 0x0 status 0x0$/);
  expect(await currentShown(list)).toBe(true);
  // then its interrupt, the other Write's, and the requests' C lines
  const active = list.locator(".virtual-list-row.active");
  await expect(active).toHaveText(await current.textContent() ?? "");
  await list.focus();
  await page.keyboard.press("ArrowDown");
  await expect(active).toHaveText(/ 0\.000184762 pci_nvme_irq_msix raising MSI-X IRQ vector 1$/);
  for (let i = 0; i < 4; i++) await page.keyboard.press("ArrowDown");
  await expect(active).toHaveText(/^259,0 +0 +\d+ +0\.000184762 +0 +C +W 0 \+ 1024 \[0\]$/);
  await page.screenshot({ path: `${SHOTS}/trace-08-modelled-completion.png` });

  // at time 0, in the order things happened (the worker's run carries each controller
  // event's blkBefore): the controller's bring-up first, then the first Write's D, its
  // doorbell and fetch, then the split's second half
  await page.keyboard.press("Home");
  await expect(active).toHaveText(/^nvme0 +1 +0\.000000000 pci_nvme_mmio_write addr 0x24 /);
  await panel.getByRole("searchbox", { name: "Search" }).fill("D   W 0 + 1024 [task]");
  await expect(panel.locator(".trace-matches")).toHaveText("1 of 1 match");
  // blkparse's sequence 6: __submit_bio's plug adds a P and a U 1 before the D (Linux 6.10+)
  await expect(active).toHaveText(/^259,0 +0 +6 +0\.000000000 +100 +D +W 0 \+ 1024 \[task\]$/);
  await list.focus();
  await page.keyboard.press("ArrowDown");
  await expect(active).toHaveText(/ 0\.000000000 pci_nvme_mmio_doorbell_sq sqid 1 new_tail 1$/);
  await page.keyboard.press("ArrowDown");
  await expect(active).toHaveText(/ 0\.000000000 pci_nvme_io_cmd cid 4096 nsid 0x1 sqid 1 opc 0x1 opname 'Write'$/);
  await page.keyboard.press("ArrowDown");
  await expect(active).toHaveText(/^259,0 +0 +7 +0\.000000000 +100 +G +W 1024 \+ 1024 \[task\]$/);
  await page.screenshot({ path: `${SHOTS}/trace-09-tie-order.png` });
  expect(errors).toEqual([]);
});
