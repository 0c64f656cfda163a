// End-to-end test of the Block layer view: with no run it says how to get one; the gallery's
// vectored-copy experiment shows four copy bios merged (M) into one request that became one
// Copy with four ranges, and the 2 MiB copy split by max_copy_sectors; a bio chosen with the
// keyboard shows its story and its decoded NVMe command; the dm-crypt experiment shows the
// fallback to read+write with its reason. Screenshots at 1280x800 and 420 wide.
import { test, expect } from "@playwright/test";
import { busySetup, runFromGallery, SHOTS, watchErrors } from "./helpers";

test("with no run, the view says how to get one", async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto("/#view=block");
  const panel = page.getByRole("tabpanel", { name: "Block layer" });
  await expect(panel).toContainText("No run yet");
  await expect(panel).toContainText("npx nvmelab blk run examples/blk/vector-merge.json");
  await panel.getByRole("button", { name: "Open Experiments" }).click();
  await expect(page.getByRole("tab", { name: "Experiments" })).toHaveAttribute("aria-selected", "true");
  expect(errors).toEqual([]);
});

test("merges, splits, plug flushes and a bio's story; then the dm-crypt fallback", async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto("/");
  await runFromGallery(page, "A vectored copy merged by plugging", "Block layer");
  const panel = page.getByRole("tabpanel", { name: "Block layer" });
  await expect(panel.locator("#blk-summary")).toContainText("design vector");
  await expect(panel.locator("#blk-summary")).toContainText("19 NVMe commands");

  // four copy() calls -> four bios -> merged into one request in one plug flush (#1 and #2 are
  // the 1 MiB write's halves, each flushed alone by the plug __submit_bio opens for it)
  const flow = panel.getByRole("table", { name: /^Flow/ });
  const group = flow.locator("tr.blk-group", { hasText: "Plug flush #3:" });
  await expect(group).toContainText("Plug flush #3: U depth 1 by task (pid 100) to nvme0n1");
  await expect(group).toContainText("blk_finish_plug");
  await expect(group).toContainText("plug list: rq 3: bios 3, 4, 5, 6 (CW 8192+64, 32 KiB)");
  for (const id of [4, 5, 6]) {
    const row = flow.locator(`tr[data-root="${id}"]`);
    await expect(row.locator("td.lane-plug")).toContainText(`M bio ${id} into rq 3`);
    await expect(row.locator("td.lane-plug")).toContainText("back merge: adjacent destination, vector design");
    await expect(row.locator("td.lane-nvme")).toContainText("Copy SDLBA 8192 · 4 ranges");
  }
  await expect(flow.locator('tr[data-root="3"] td.lane-rq')).toContainText("rq 3 CW 8192+64");
  await expect(flow.locator('tr[data-root="3"] td.lane-rq')).toContainText("4 bios");

  // the 2 MiB copy: 15 splits at max_copy_sectors, 16 requests, 16 plug flushes, 16 Copies
  const big = flow.locator('tr[data-root="7"]');
  await expect(big.locator("td.lane-split")).toContainText("X ×15 at 256 sectors");
  await expect(big.locator("td.lane-split")).toContainText("max_copy_sectors: copy_max_bytes 131072 = 256 sectors");
  await expect(big.locator("td.lane-rq")).toContainText("16 requests: rq 4–19");
  await expect(big.locator("td.lane-plug")).toContainText("plugged → 16 flushes #4–#19");
  await expect(big.locator("td.lane-nvme")).toContainText("16 commands: Copy");
  const flushes = panel.getByRole("table", { name: /^Each flush of a task's plug/ });
  await expect(flushes.locator("tbody tr")).toHaveCount(19);
  await expect(flushes.locator("tbody tr").nth(3)).toContainText("BLK_PLUG_FLUSH_SIZE (128 KiB)");
  await page.screenshot({ path: `${SHOTS}/block-01-vector-merge.png`, fullPage: true });
  await panel.getByRole("region", { name: /^Flow/ }).screenshot({ path: `${SHOTS}/block-01b-flow.png` });

  // keyboard: from the first bio, ArrowDown to bio 3, Enter shows its story; focus stays
  const first = flow.getByRole("button", { name: "bio 1", exact: true });
  await first.focus();
  await page.keyboard.press("ArrowDown");
  const bio3 = flow.getByRole("button", { name: "bio 3", exact: true });
  await expect(bio3).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(bio3).toHaveAttribute("aria-pressed", "true");
  await expect(bio3).toBeFocused();
  const storyCard = panel.getByRole("region", { name: /^Story of bio 3/ });
  await expect(storyCard.getByRole("heading", { level: 3 })).toHaveText("Story of bio 3: CW 8192+16 on nvme0n1");
  await expect(storyCard).toContainText("part of copy #1 (vector, 8 KiB nvme0n1 → nvme0n1)");
  const steps = storyCard.getByRole("list", { name: "Steps of bio 3" });
  await expect(steps).toContainText("G new request rq 3 (CW 8192+16)");
  await expect(steps).toContainText("M bio 4 CW 8208+16 merged (now 32 sectors)");
  await expect(steps).toContainText("U plug flush #3 (depth 1) hands rq 3 to nvme0n1");
  // (the CID is nvme_cid's: a generation over the tag the driver chose; the rest is fixed by the scenario)
  await expect(steps).toContainText(/NVMe command #3: Copy SDLBA 8192, 4 range\(s\), 64 blocks on SQ 1, CID \d+/);
  const cmd = storyCard.locator('[data-command="3"]');
  await expect(cmd).toContainText("#3 Copy for rq 3 Successful Completion");
  await expect(cmd.locator("dl")).toContainText("NR3 (4 ranges, 0's based)");
  await expect(cmd.locator("dl")).toContainText("DESFMT0h");
  await expect(cmd.locator("dl")).toContainText("Opcode" + "Copy (19h)");
  const ranges = cmd.getByRole("table", { name: /^Source ranges of command #3/ });
  await expect(ranges.locator("tbody tr")).toHaveCount(4);
  // range 1: SLBA 200, NLB field 15 (16 blocks, 0's based), written to 8208-8223
  await expect(ranges.locator("tbody tr").nth(1).locator("th, td")).toHaveText(["1", "200", "15", "16", "8208–8223"]);
  await page.screenshot({ path: `${SHOTS}/block-02-story-bio3.png` });
  // back to the flow: the focus returns to the bio, and arrows go on from there
  await storyCard.getByRole("button", { name: "Back to bio 3 in the flow" }).click();
  await expect(bio3).toBeFocused();
  await page.keyboard.press("ArrowDown");
  await expect(flow.getByRole("button", { name: "bio 4", exact: true })).toBeFocused();

  // the task filter and "Find bio" (a split front finds its root)
  await panel.getByLabel("Find bio").fill("12");
  await panel.getByRole("button", { name: "Show" }).click();
  await expect(panel.getByText("bio 12 is part of bio 7's story")).toBeVisible();
  await expect(panel.getByRole("region", { name: /^Story of bio 7/ })).toContainText("X split at sector 17920: front 17664+256 goes on as bio 13");

  // dm-crypt: the copy through it falls back to read+write, with the reason
  await runFromGallery(page, "dm-crypt forces the fallback", "Block layer");
  await expect(panel.locator("#blk-summary")).toContainText("design ctx");
  const copies = panel.getByRole("table", { name: "What each copy() became, and why" });
  const c1 = copies.locator("tbody tr").nth(0);
  await expect(c1).toContainText("dm-1 → dm-1");
  await expect(c1).toContainText("fell back to read+write (64 KiB)");
  await expect(c1).toContainText("ctx: dm-1 has copy_max_bytes 0 (a stacking target without copy support is in the stack)");
  await expect(c1).toContainText("emulated by kworker/0:2: 64 KiB with 1 bounce buffer(s) of 64 KiB");
  await expect(c1).toContainText("no copy bio");
  const c2 = copies.locator("tbody tr").nth(1);
  await expect(c2).toContainText("dm-0 → dm-0");
  await expect(c2).toContainText("offloaded 64 KiB");
  await expect(panel.getByText(/dm-1 copy limits zeroed \(ctx\): target 0 \(crypt\) does not set BLK_FEAT_STACKING_COPY_OFFL/)).toBeVisible();
  await c1.getByRole("button", { name: "bio 10 (read+write)" }).click();
  const emu = panel.getByRole("region", { name: /^Story of bio 10/ });
  await expect(emu).toContainText("read+write emulation of copy #1 (ctx, 64 KiB dm-1 → dm-1)");
  await expect(emu.getByRole("list", { name: "Steps of bio 10" })).toContainText("A remapped dm-1 0 -> dm-0 0+128");
  await expect(emu).toContainText("#4 Read for rq 4");
  // the offloaded copy: parked in its context, one Copy
  await c2.getByRole("button", { name: "bio 7" }).click();
  const src = panel.getByRole("region", { name: /^Story of bio 7/ });
  await expect(src).toContainText("parked in copy context 1 as its SRC");
  await expect(src.locator('[data-command="3"] dl')).toContainText("SDLBA49152");
  await page.screenshot({ path: `${SHOTS}/block-03-crypt-fallback.png`, fullPage: true });

  await page.emulateMedia({ colorScheme: "dark" });
  await panel.getByRole("table", { name: /^Flow/ }).scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/block-07-dark.png` });
  await page.emulateMedia({ colorScheme: "light" });
  await page.setViewportSize({ width: 420, height: 800 });
  await panel.getByRole("table", { name: /^Flow/ }).scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/block-04-narrow.png` });
  await src.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/block-05-narrow-story.png` });
  expect(errors).toEqual([]);
});

test("a run of a few hundred bios is paged; arrows cross pages; the task filter narrows the flow", async ({ page }) => {
  const errors = watchErrors(page);
  const setup = Buffer.from(JSON.stringify(busySetup())).toString("base64url");
  await page.goto(`/#view=block&setup=${setup}`);
  await page.locator("#run").click();
  const panel = page.getByRole("tabpanel", { name: "Block layer" });
  await expect(panel.locator("#blk-summary")).toContainText("design ctx");
  await expect(panel.locator("#blk-summary")).toContainText("151 submitted by tasks");
  const pager = panel.getByRole("navigation", { name: "Flow pages" });
  await expect(pager).toContainText("page 1 of 4");
  const flow = panel.getByRole("table", { name: /^Flow/ });
  await expect(flow.locator("button.blk-bio")).toHaveCount(40);
  // the 60 copies' requests: the 33rd flushes the first 32 (BLK_MAX_REQUEST_COUNT), the unplug
  // the other 28; the driver packs adjacent ones into Copies of 8 ranges (MSRC 7)
  const group = flow.locator("tr.blk-group").nth(1);
  await expect(group).toContainText("Plug flush #3: U depth 32 by gc (pid 100)");
  await expect(group).toContainText("32 requests plugged reached BLK_MAX_REQUEST_COUNT (32");
  await expect(group).toContainText("… and 26 more requests");
  const flushes = panel.getByRole("table", { name: /^Each flush of a task's plug/ });
  // flushes #1 and #2: gc's 1 MiB write, its halves each in __submit_bio's own plug
  await expect(flushes.locator("tbody tr").nth(3)).toContainText("blk_finish_plug");
  await expect(flushes.locator("tbody tr").nth(3).locator("td").nth(4)).toHaveText("28");
  const story1 = flow.locator("tr[data-root]").nth(1);
  await expect(story1.locator("td.lane-nvme")).toContainText("8 ranges");

  // End, then ArrowDown: the focus moves to the first bio of page 2
  await flow.locator("button.blk-bio").first().focus();
  await page.keyboard.press("End");
  await expect(flow.locator("button.blk-bio").last()).toBeFocused();
  await page.keyboard.press("ArrowDown");
  await expect(pager).toContainText("page 2 of 4");
  await expect(flow.locator("button.blk-bio").first()).toBeFocused();
  await page.keyboard.press("ArrowUp");
  await expect(pager).toContainText("page 1 of 4");
  await expect(flow.locator("button.blk-bio").last()).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(panel.getByRole("region", { name: /^Story of bio/ })).toContainText("copy context");

  // only fio's 30 writes, without a plug of fio's own (each plugged and flushed alone), each a Write of 8 blocks
  await panel.getByRole("combobox", { name: "Task" }).selectOption({ label: "fio (pid 200): 30 bios" });
  await expect(flow.locator("button.blk-bio")).toHaveCount(30);
  await expect(panel.getByRole("navigation", { name: "Flow pages" })).toHaveCount(0);
  await expect(flow.locator("tr.blk-group").first()).toContainText("Issued one request at a time by fio (pid 200)");
  await expect(flow.locator("tr[data-root]").first().locator("td.lane-nvme")).toContainText("Write SLBA 32768 · 8 blocks");
  await flow.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/block-06-task-filter.png`, fullPage: false });
  expect(errors).toEqual([]);
});

test("a copy split hundreds of times: the flow keeps one row, the story shows its ends until asked for all", async ({ page }) => {
  const errors = watchErrors(page);
  const setup = {
    controller: { namespaces: [{ size: "256M", mssrl: 64, mcl: 256, msrc: 15 }] }, cpus: 1, design: "vector",
    steps: [{ op: "copy", src: "nvme0n1", src_pos: 0, dst: "nvme0n1", dst_pos: "64M", len: "16M" }, { op: "wait" }],
  };
  await page.goto(`/#view=block&setup=${Buffer.from(JSON.stringify(setup)).toString("base64url")}`);
  await page.locator("#run").click();
  const panel = page.getByRole("tabpanel", { name: "Block layer" });
  await expect(panel.locator("#blk-summary")).toContainText("1 submitted by tasks");
  const row = panel.locator('tr[data-root="1"]');
  // 16 MiB in 128 KiB pieces (copy_max_bytes = MCL 256 blocks): 127 splits, 128 requests and Copies
  await expect(row.locator("td.lane-split")).toContainText("X ×127 at 256 sectors");
  await expect(row.locator("td.lane-rq")).toContainText("128 requests: rq 1–128");
  await expect(row.locator("td.lane-nvme")).toContainText("128 commands: Copy");
  await row.getByRole("button", { name: "bio 1" }).click();
  const steps = panel.getByRole("list", { name: "Steps of bio 1" });
  await expect(steps.locator("li")).toHaveCount(150 + 1 + 50);
  await steps.getByRole("button", { name: /^Show all \d+ steps$/ }).click();
  const all = await steps.locator("li").count();
  expect(all).toBeGreaterThan(1000);
  await expect(steps.locator("li").last()).toContainText("C completed");
  await expect(panel.getByRole("region", { name: /^Story of bio 1/ }).locator("details summary")).toHaveText("128 commands");
  expect(errors).toEqual([]);
});

test("at 800 px the flow stacks each bio's layers: every one, the NVMe SQ and the outcome too, on screen without sideways scrolling", async ({ page }) => {
  const errors = watchErrors(page);
  await page.setViewportSize({ width: 800, height: 900 });
  await page.goto("/");
  await runFromGallery(page, "A vectored copy merged by plugging", "Block layer");
  const panel = page.getByRole("tabpanel", { name: "Block layer" });
  const flow = panel.getByRole("table", { name: /^Flow/ });
  const wrap = flow.locator("xpath=..");
  // nothing hides past the table's own scrollbar
  expect(await wrap.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
  // bio 3's row: each cell under its layer's name, all inside the window's width
  const row = flow.getByRole("row").filter({ has: page.getByRole("button", { name: "bio 3", exact: true }) });
  const cells = row.getByRole("cell");
  await expect(cells).toHaveCount(7);
  const labels = await cells.evaluateAll((els) => els.map((e) => getComputedStyle(e, "::before").content));
  expect(labels).toEqual(['"Task (submit_bio)"', '"dm remap"', '"Split"', '"Plug / merge"', '"Request queue"', '"NVMe SQ"', '"Outcome"']);
  await row.scrollIntoViewIfNeeded();
  for (let i = 0; i < 7; i++) {
    const b = (await cells.nth(i).boundingBox())!;
    expect(b.x).toBeGreaterThanOrEqual(0);
    expect(b.x + b.width).toBeLessThanOrEqual(800);
  }
  await expect(cells.nth(5)).toContainText("Copy");
  await expect(cells.nth(6)).toContainText("completed OK");
  await row.screenshot({ path: `${SHOTS}/block-08-800-row.png` });
  // the column headers are still there for assistive technology
  await expect(flow.getByRole("columnheader", { name: "NVMe SQ" })).toHaveCount(1);
  expect(errors).toEqual([]);
});
