// End-to-end test of the Block layer view's replay card: run the vectored-copy experiment, step
// through it with the buttons, the keyboard and the scrubber, and check what the stage, the
// "why" and the plug list show at given steps (bio 4 merging into rq 3, the plug flush, the
// Copy command in the NVMe SQ); play to the end; a bio chip opens that bio's story; play stops
// when the tab is left. Screenshots at 1280x800 and 420 wide, light and dark.
import { test, expect, type Locator } from "@playwright/test";
import { busySetup, runFromGallery, SHOTS, watchErrors } from "./helpers";

const lane = (card: Locator, id: string) => card.locator(`.rp-lane[data-lane="${id}"]`);

/** Press → on the card and say whether rq 3's chip is sliding (its transition), or "" if not. */
function slideOfRq3(el: HTMLElement | SVGElement): string {
  el.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowRight", bubbles: true }));
  const c = el.querySelector('.rp-lane[data-lane="rq"] li.rp-chip[data-key="rq:3"]');
  return c && c.classList.contains("rp-moving") ? getComputedStyle(c).transitionDuration : "";
}

test("step, scrub and play the vectored-copy run: merges, the plug list, the flush, the Copy", async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto("/");
  await runFromGallery(page, "A vectored copy merged by plugging", "Block layer");
  const panel = page.getByRole("tabpanel", { name: "Block layer" });
  const card = panel.getByRole("region", { name: "Replay: the run step by step" });
  const slider = card.getByRole("slider", { name: "Step" });
  const now = card.getByRole("status");
  await expect(slider).toHaveAttribute("aria-valuetext", "step 0 of 163 · before the first event");
  await expect(now).toContainText("Before the run: nothing submitted yet");
  await expect(card.getByRole("button", { name: "Step back" })).toBeDisabled();

  // one click: the 1 MiB write is queued (Q) by the task
  await card.getByRole("button", { name: "Step forward" }).click();
  await expect(slider).toHaveAttribute("aria-valuetext", "step 1 of 163 · 0.000 µs");
  await expect(now).toContainText("bio 1: Q W 0+2048 on nvme0n1 by task (pid 100, CPU 0)");
  await expect(now).toContainText("Why: submit_bio: the task queues a new bio");
  await expect(lane(card, "task").getByRole("button", { name: "bio 1 W 0+2048" })).toBeVisible();

  // the keyboard on the card: → splits it at max_sectors_kb
  await card.focus();
  await page.keyboard.press("ArrowRight");
  await expect(slider).toHaveAttribute("aria-valuetext", /^step 2 of 163/);
  await expect(now).toContainText("bio 2: X split at sector 1024");
  await expect(now).toContainText("Why: max_sectors_kb 512 = 1024 sectors");
  await expect(lane(card, "split").locator("li.rp-chip")).toHaveText(["bio 1 W 1024+1024", "bio 2 W 0+1024"]);
  await expect(lane(card, "split").locator("li.rp-chip.hit")).toHaveCount(2);
  await expect(lane(card, "task").locator("li.rp-chip")).toHaveCount(0);

  // the scrubber: step 23 is bio 4's back merge into rq 3, in the task's plug
  await slider.fill("23");
  await expect(slider).toHaveAttribute("aria-valuetext", /^step 23 of 163 · 184\.762 µs$/);
  await expect(now).toContainText("rq 3: M bio 4 CW 8208+16 merged (now 32 sectors)");
  await expect(now).toContainText("plug merge (blk_attempt_plug_merge: the request added last to the plug, or with several queues the oldest of this queue); adjacent destination: bio starts at 8208, where rq 3 ends");
  const rq3 = lane(card, "plug").locator('li.rp-chip[data-key="rq:3"]');
  await expect(rq3).toContainText("rq 3 CW 8192+32");
  await expect(rq3).toHaveAttribute("aria-current", "step");
  await expect(rq3.getByRole("button")).toHaveText(["bio 3", "bio 4"]);
  const plugs = card.getByRole("region", { name: "Plug lists now" });
  await expect(plugs).toContainText("task (pid 100): 1 request");
  await expect(plugs.getByRole("list", { name: "Plug list of task (pid 100)" }).getByRole("listitem")).toHaveText(["rq 3: bios 3, 4 (CW 8192+32, 16 KiB)"]);
  await expect(card.getByRole("region", { name: "So far" })).toContainText("merges1");
  await page.screenshot({ path: `${SHOTS}/block-replay-01-merge.png` });
  await card.screenshot({ path: `${SHOTS}/block-replay-02-card-merge.png` });

  // seven steps on: the plug flush (blk_finish_plug) empties the list and hands rq 3 to the queue
  await card.focus();
  for (let i = 0; i < 6; i++) await page.keyboard.press("ArrowRight");
  await expect(slider).toHaveAttribute("aria-valuetext", /^step 29 of 163/);
  // the seventh → (sent in the page, so the check runs before the 260 ms slide ends): rq 3
  // slides from the plug column into the request queue's
  expect(await card.evaluate(slideOfRq3)).toBe("0.26s");
  await expect(slider).toHaveAttribute("aria-valuetext", /^step 30 of 163/);
  await expect(now).toContainText("U plug flush #3 (depth 1): hands rq 3 to nvme0n1");
  await expect(now).toContainText("Why: blk_finish_plug: the task's outermost plug ended");
  await expect(plugs).toContainText("No task holds a plugged request now.");
  const lastFlush = card.getByRole("region", { name: "Last plug flush" });
  await expect(lastFlush).toContainText("#3: U depth 1 by task (pid 100) to nvme0n1");
  await expect(lastFlush).toContainText("rq 3: bios 3, 4, 5, 6 (CW 8192+64)");
  await expect(lane(card, "plug").locator("li.rp-chip")).toHaveCount(0);
  await expect(lane(card, "rq").locator('li.rp-chip[data-key="rq:3"]')).toContainText("rq 3 CW 8192+64");

  // D, then the Copy command: rq 3 and command #3 are in the NVMe SQ lane
  await page.keyboard.press("ArrowRight");
  await page.keyboard.press("ArrowRight");
  await expect(slider).toHaveAttribute("aria-valuetext", /^step 32 of 163/);
  await expect(now).toContainText(/rq 3: NVMe command #3: Copy SDLBA 8192, 4 range\(s\), 64 blocks on SQ 1, CID \d+/);
  await expect(lane(card, "nvme").locator("li.rp-chip")).toHaveText([/^#3 Copy SQ1 CID\d+$/, /^rq 3 CW 8192\+64/]);
  await card.screenshot({ path: `${SHOTS}/block-replay-03-card-copy.png` });
  // ← goes back one: the command is not sent yet
  await page.keyboard.press("ArrowLeft");
  await expect(slider).toHaveAttribute("aria-valuetext", /^step 31 of 163/);
  await expect(now).toContainText("rq 3: D issued to the driver (CW 8192+64) by task");
  await expect(lane(card, "nvme").locator("li.rp-chip")).toHaveCount(0);

  // End: everything is done; the done lane shows the newest 12 and "+N more"
  await page.keyboard.press("End");
  await expect(slider).toHaveAttribute("aria-valuetext", /^step 163 of 163/);
  await expect(card.getByRole("button", { name: "Step forward" })).toBeDisabled();
  await expect(lane(card, "done").locator("li.rp-chip")).toHaveCount(12);
  await expect(lane(card, "done").locator("li.rp-more")).toHaveText("+26 more");
  const soFar = card.getByRole("region", { name: "So far" });
  await expect(soFar).toContainText("bios done22");
  await expect(soFar).toContainText("NVMe commands19");
  await expect(soFar).toContainText("CQEs19");
  await expect(soFar).toContainText("plug flushes19");
  await page.keyboard.press("Home");
  await expect(slider).toHaveAttribute("aria-valuetext", "step 0 of 163 · before the first event");

  // play at 1000 steps/s to the end: the button reads Pause while playing and Play after
  await card.getByRole("combobox", { name: "Speed" }).selectOption("1000");
  await card.getByRole("button", { name: "Play" }).click();
  await expect(slider).toHaveAttribute("aria-valuetext", /^step 163 of 163/);
  await expect(card.getByRole("button", { name: "Play" })).toBeVisible();
  await expect(now).toContainText("rq 19: C completed");

  // Space on the card plays and pauses (from the start again, slowly)
  await card.getByRole("combobox", { name: "Speed" }).selectOption("2");
  await card.focus();
  await page.keyboard.press("Space");
  await expect(card.getByRole("button", { name: "Pause" })).toBeVisible();
  await expect(slider).not.toHaveAttribute("aria-valuetext", /^step 163 of/);
  await page.keyboard.press("Space");
  await expect(card.getByRole("button", { name: "Play" })).toBeVisible();
  const at = Number(await slider.inputValue());
  expect(at).toBeGreaterThan(0);
  expect(at).toBeLessThan(20);

  // leaving the tab stops play
  await card.getByRole("button", { name: "Play" }).click();
  await expect(card.getByRole("button", { name: "Pause" })).toBeVisible();
  await page.getByRole("tab", { name: "Experiments" }).click();
  await page.waitForTimeout(400);
  await page.getByRole("tab", { name: "Block layer" }).click();
  await expect(card.getByRole("button", { name: "Play" })).toBeVisible();
  const stopped = await slider.inputValue();
  await page.waitForTimeout(700);
  expect(await slider.inputValue()).toBe(stopped);

  // a bio chip shows that bio's story below
  await slider.fill("23");
  await lane(card, "plug").getByRole("button", { name: "bio 4 in rq 3" }).click();
  await expect(panel.getByRole("region", { name: /^Story of bio 4/ }).getByRole("heading", { level: 3 })).toHaveText("Story of bio 4: CW 8208+16 on nvme0n1");
  expect(errors).toEqual([]);
});

test("the crypt fallback's reason, reduced motion, dark mode and a narrow window", async ({ page }) => {
  const errors = watchErrors(page);
  await page.emulateMedia({ reducedMotion: "reduce" });
  await page.goto("/");
  await runFromGallery(page, "dm-crypt forces the fallback", "Block layer");
  const panel = page.getByRole("tabpanel", { name: "Block layer" });
  const card = panel.getByRole("region", { name: "Replay: the run step by step" });
  const slider = card.getByRole("slider", { name: "Step" });
  const now = card.getByRole("status");
  await expect(slider).toHaveAttribute("aria-valuetext", "step 0 of 92 · before the first event");
  await slider.fill("30");
  await expect(now).toContainText("copy #1: falls back to read+write for 64 KiB");
  await expect(now).toContainText("Why: ctx: dm-1 has copy_max_bytes 0 (a stacking target without copy support is in the stack)");
  await expect(now.locator(".rp-text")).toHaveClass(/bad/);
  // the dm clone and its original wait in the dm lane (six steps back); with reduced motion nothing slides
  await slider.fill("6");
  await expect(now).toContainText("bio 4: A remapped dm-0 40960 -> nvme0n1 40960+128 (clone of bio 3)");
  await expect(lane(card, "dm").locator("li.rp-chip")).toHaveText(["bio 3 W 40960+128 dm-0", "bio 4 W 40960+128 nvme0n1"]);
  expect(await card.locator("li.rp-chip").first().evaluate((el) => getComputedStyle(el).animationName)).toBe("none");

  // rq 3 moves from the plug to the request queue at step 43: with reduced motion it does not slide
  await slider.fill("42");
  await expect(now).toContainText("rq 3: P rq 3 starts task's plug list");
  expect(await card.evaluate(slideOfRq3)).toBe("");
  await expect(now).toContainText("U plug flush #3 (depth 1): hands rq 3 to nvme0n1");

  // the SRC bio parked in its copy context rides in the DST bio's request
  await slider.fill("41");
  await expect(now).toContainText("bio 8: G new request rq 3 (CW 49152+128)");
  await expect(lane(card, "rq").locator('li.rp-chip[data-key="rq:3"]').getByRole("button")).toHaveText(["bio 8", "bio 9 SRC"]);
  await card.screenshot({ path: `${SHOTS}/block-replay-04-crypt.png` });

  await page.emulateMedia({ colorScheme: "dark", reducedMotion: "reduce" });
  await card.screenshot({ path: `${SHOTS}/block-replay-05-dark.png` });
  await page.emulateMedia({ colorScheme: "light", reducedMotion: "reduce" });
  await page.setViewportSize({ width: 420, height: 800 });
  await card.scrollIntoViewIfNeeded();
  await expect(lane(card, "rq")).toBeVisible();
  // the lanes stack: each lane is as wide as the card
  const w = await lane(card, "rq").evaluate((el) => el.getBoundingClientRect().width);
  const cw = await card.evaluate((el) => el.getBoundingClientRect().width);
  expect(w).toBeGreaterThan(cw * 0.8);
  await page.screenshot({ path: `${SHOTS}/block-replay-06-narrow.png` });
  await card.screenshot({ path: `${SHOTS}/block-replay-07-narrow-card.png` });
  expect(errors).toEqual([]);
});

test("a full plug: the lane shows 12 requests and +20 more; the 33rd request flushes all 32", async ({ page }) => {
  const errors = watchErrors(page);
  const setup = Buffer.from(JSON.stringify(busySetup())).toString("base64url");
  await page.goto(`/#view=block&setup=${setup}`);
  await page.locator("#run").click();
  const panel = page.getByRole("tabpanel", { name: "Block layer" });
  const card = panel.getByRole("region", { name: "Replay: the run step by step" });
  const slider = card.getByRole("slider", { name: "Step" });
  await expect(slider).toHaveAttribute("aria-valuetext", "step 0 of 864 · before the first event");
  await slider.fill("248");
  await expect(card.getByRole("status")).toContainText("bio 67: G new request rq 35 (CW 8448+8)");
  const plug = lane(card, "plug");
  await expect(plug.locator(".rp-lane-h")).toContainText("32");
  await expect(plug.locator("li.rp-chip")).toHaveCount(12);
  await expect(plug.locator("li.rp-more")).toHaveText("+20 more");
  // the newest plugged requests are the ones shown, oldest first
  await expect(plug.locator("li.rp-chip").last()).toContainText("rq 34 CW 8440+8");
  const list = card.getByRole("list", { name: "Plug list of gc (pid 100)" });
  await expect(list.getByRole("listitem")).toHaveCount(16);
  await expect(list.getByRole("listitem").first()).toHaveText("rq 3: bio 3 (CW 8192+8, 4 KiB)");
  await expect(card.getByRole("region", { name: "Plug lists now" })).toContainText("gc (pid 100): 32 requests");
  await expect(card.getByRole("region", { name: "Plug lists now" })).toContainText("… and 16 more");
  await card.getByRole("button", { name: "Step forward" }).click();
  await expect(card.getByRole("status")).toContainText("U plug flush #3 (depth 32): hands rq 3, 4, 5, 6, 7 … 34 (32 requests) to nvme0n1");
  await expect(card.getByRole("status")).toContainText("32 requests plugged reached BLK_MAX_REQUEST_COUNT (32");
  await expect(lane(card, "rq").locator(".rp-lane-h")).toContainText("33");
  await expect(lane(card, "rq").locator("li.rp-more")).toHaveText("+21 more");
  await card.screenshot({ path: `${SHOTS}/block-replay-08-full-plug.png` });
  expect(errors).toEqual([]);
});

test("a long run's replay is prepared on request, then steps like any other", async ({ page }) => {
  test.setTimeout(120_000);
  const errors = watchErrors(page);
  // a 100 MiB copy cut at MCL (256 blocks): several thousand block events, more than the card builds unasked
  const setup = {
    controller: { namespaces: [{ size: "256M", mssrl: 64, mcl: 256, msrc: 15 }] }, cpus: 1, design: "vector",
    steps: [{ op: "copy", src: "nvme0n1", src_pos: "0", dst: "nvme0n1", dst_pos: "128M", len: "100M" }, { op: "wait" }],
  };
  const b64 = Buffer.from(JSON.stringify(setup)).toString("base64url");
  await page.goto(`/#view=block&setup=${b64}`);
  await page.getByRole("button", { name: "Run", exact: true }).click();
  await expect(page.locator("#run-status")).toContainText("run #1:", { timeout: 60_000 });
  const card = page.getByRole("tabpanel", { name: "Block layer" }).getByRole("region", { name: "Replay: the run step by step" });
  const prepare = card.getByRole("button", { name: /^Prepare the replay \(\d+ events\)$/ });
  await expect(prepare).toBeVisible();
  const events = Number(/\((\d+) events\)/.exec((await prepare.textContent())!)![1]);
  expect(events).toBeGreaterThan(5000);
  await expect(card.getByRole("button", { name: "Play", exact: true })).toBeDisabled();
  await prepare.click();
  const slider = card.getByRole("slider", { name: "Step" });
  await expect(slider).toHaveAttribute("aria-valuetext", /^step 0 of \d+ · before the first event$/, { timeout: 30_000 });
  const total = Number(/of (\d+)/.exec((await slider.getAttribute("aria-valuetext"))!)![1]);
  expect(total).toBeGreaterThan(events);
  await card.getByRole("button", { name: "Last step" }).click();
  await expect(slider).toHaveAttribute("aria-valuetext", new RegExp(`^step ${total} of ${total}`));
  await expect(card.locator('.rp-lane[data-lane="done"]')).toContainText(/\+\d+ more/);
  await card.screenshot({ path: `${SHOTS}/block-replay-09-long-run.png` });
  expect(errors).toEqual([]);
});
