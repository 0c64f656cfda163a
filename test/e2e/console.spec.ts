// End-to-end test of the Console view, typed as a user types (keyboard.type, Enter, Tab, Up):
// the CLI's commands run in the host worker on the page's controller, and their output is read
// back from the rows xterm draws (the visible screen; Shift+PageUp scrolls back as a user
// would). The accessible rows (xterm's screen reader mode) are checked too; they follow the
// screen at most once a second, so the waiting is done on the drawn rows. Saves screenshots
// to test-results/screenshots/console-*.png.
import { test, expect, type Page, type Locator } from "@playwright/test";
import { SHOTS, watchErrors } from "./helpers";

const PROMPT = "nvmelab$";
/** Poll the terminal often: its rows follow the buffer within about 100 ms. */
const FAST = { intervals: [20, 50, 100] };

const consoleRegion = (page: Page) => page.getByRole("region", { name: "Console", exact: true });
/** The terminal's rows as xterm exposes them to assistive technology (the visible rows). */
const accessibleRows = (page: Page): Locator => consoleRegion(page).getByRole("list").getByRole("listitem");

/** The rows as xterm draws them (the visible screen, updated every frame). */
async function screen(page: Page): Promise<string[]> {
  const t = await consoleRegion(page).locator(".xterm-rows > div").allInnerTexts();
  return t.map((l) => l.replace(/\u00a0/g, " ").trimEnd());
}

/** The last row with text: the prompt when the console is idle. */
async function lastLine(page: Page): Promise<string> {
  const s = (await screen(page)).filter((l) => l.trim() !== "");
  return s[s.length - 1] ?? "";
}

async function open(page: Page): Promise<void> {
  await page.goto("/#view=console");
  await expect(consoleRegion(page)).toBeVisible();
  await expect.poll(() => lastLine(page), FAST).toBe(PROMPT);
  await page.getByRole("textbox", { name: "Terminal input" }).focus();
}

const commandsRun = async (page: Page) => Number((await page.locator("#console").getAttribute("data-commands")) ?? 0);

/** Type a line, press Enter, and wait until it ran and the prompt is back on the screen. */
async function run(page: Page, line: string, timeout = 20_000): Promise<void> {
  const before = await commandsRun(page);
  await page.keyboard.type(line);
  await page.keyboard.press("Enter");
  await expect.poll(() => commandsRun(page), { ...FAST, timeout, message: `"${line}" to finish` }).toBeGreaterThan(before);
  await expect.poll(() => lastLine(page), { ...FAST, message: `the prompt after "${line}"` }).toBe(PROMPT);
}

/** Wait until a row on the screen matches. */
async function expectRow(page: Page, text: string | RegExp): Promise<void> {
  await expect.poll(() => screen(page), FAST).toContainEqual(typeof text === "string" ? text : expect.stringMatching(text));
}

const drawn = async (page: Page) => (await screen(page)).join("\n");

/**
 * Which of the patterns are in the terminal, the scrollback included? Looks as a user does:
 * from the bottom (Shift+End) upwards a page at a time (Shift+PageUp) until all are found or
 * the screen stops moving (the top).
 */
async function inScrollback(page: Page, patterns: RegExp[], stay = false): Promise<boolean[]> {
  const found = patterns.map(() => false);
  const look = (screenText: string) => screenText.split("\n").forEach((l) => patterns.forEach((p, i) => { if (p.test(l)) found[i] = true; }));
  await page.keyboard.press("Shift+End");
  let shown = await drawn(page);
  look(shown);
  for (let i = 0; i < 200 && !found.every(Boolean); i++) {
    await page.keyboard.press("Shift+PageUp");
    const t0 = Date.now();
    let next = shown;
    while (next === shown && Date.now() - t0 < 1000) {
      await page.waitForTimeout(20);
      next = await drawn(page);
    }
    if (next === shown) break; // the top
    shown = next;
    look(shown);
  }
  if (!stay) await page.keyboard.press("Shift+End"); // else the caller looks at where they were found
  return found;
}

async function shot(page: Page, name: string): Promise<void> {
  await consoleRegion(page).screenshot({ path: `${SHOTS}/console-${name}.png` });
}

test("console: help, id-ctrl -H, errors in red, Node-only commands", async ({ page }) => {
  const errors = watchErrors(page, { warnings: true, requests: true });
  await open(page);
  await shot(page, "01-ready");

  await run(page, "help");
  await expectRow(page, "  Console commands:");
  await expectRow(page, /Standard input is the built-in pattern/);
  await shot(page, "02-help");
  expect(await inScrollback(page, [/^nvmelab\$ help$/, /^Usage: nvmelab <command>/, /^  copy +Copy source ranges/, /^  blk +Block layer/, /^  bench +\(Node CLI only/]))
    .toEqual([true, true, true, true, true]);

  // The first device command boots a stepped controller; the Controller view shows it (its tab is hidden now).
  await run(page, "nvmelab id-ctrl /dev/nvme0 -H");
  await expect(page.locator("#boot-out [role=status]")).toContainText("Controller ready: stepped");
  await expectRow(page, /emergency power fail vault time/); // the end of the output is on the screen
  expect(await inScrollback(page, [/^oncs +: 0x[0-9a-f]+$/, /^ +\[8:8\] : 0x1\s+Copy Supported$/], true)).toEqual([true, true]);
  await shot(page, "03-id-ctrl-oncs");
  await page.keyboard.press("Shift+End");

  // Screen readers get the same rows (they follow within a second).
  await expect(accessibleRows(page).filter({ hasText: "emergency power fail vault time" }).first()).toBeAttached();

  await run(page, "frobnicate /dev/nvme0");
  await expectRow(page, 'nvmelab: unknown command "frobnicate" (see "nvmelab help")');
  // Shown in red: the row's text is drawn in a red foreground.
  const errRow = consoleRegion(page).locator(".xterm-rows > div", { hasText: "unknown command" }).locator("span").first();
  const color = await errRow.evaluate((el) => getComputedStyle(el).color);
  const [r, g, b] = color.match(/\d+/g)!.map(Number);
  expect(r, `error colour ${color}`).toBeGreaterThan(180);
  expect(r - Math.max(g, b), `error colour ${color}`).toBeGreaterThan(60);

  await run(page, "bench");
  await expectRow(page, /^bench: not available in the browser \(.*worker_threads\)/);
  await run(page, "list --state=dev.json");
  await expectRow(page, /^list: --state is not available in the browser/);
  await shot(page, "04-errors");

  expect(errors).toEqual([]);
});

test("console: write the built-in pattern, read it back, copy", async ({ page }) => {
  const errors = watchErrors(page, { warnings: true, requests: true });
  await open(page);
  await run(page, "write /dev/nvme0n1 --start-block=0 --block-count=7 --data-size=4096");
  await expectRow(page, "write: Success");
  await run(page, "read /dev/nvme0n1 --start-block=0 --block-count=7 --data-size=4096");
  await expectRow(page, '0ff0: 6e 76 6d 65 6c 61 62 20 30 30 30 30 30 66 66 30 "nvmelab.00000ff0"');
  await expectRow(page, "read: Success");
  await shot(page, "05-write-read");

  // Copy blocks 0-1 and 4-5 to LBA 100, then read the destination: the offsets say where each came from.
  await run(page, "copy /dev/nvme0n1 --sdlba=100 --slbs=0,4 --blocks=1,1");
  await expectRow(page, "NVMe Copy: success");
  await run(page, "read /dev/nvme0n1 -s 100 -c 3 -z 2048");
  await expectRow(page, '07f0: 6e 76 6d 65 6c 61 62 20 30 30 30 30 30 62 66 30 "nvmelab.00000bf0"');
  // blocks 0-1 then 4-5: the record at 0x3f0 is followed by the one from offset 0x800
  expect(await inScrollback(page, [
    /^03f0: 6e 76 6d 65 6c 61 62 20 30 30 30 30 30 33 66 30 "nvmelab\.000003f0"$/,
    /^0400: 6e 76 6d 65 6c 61 62 20 30 30 30 30 30 38 30 30 "nvmelab\.00000800"$/,
  ])).toEqual([true, true]);
  await shot(page, "06-copy-read");
  // read keeps nvme-cli's d() layout above; xxd on the same bytes kept in a file prints xxd's
  await run(page, "read /dev/nvme0n1 -s 100 -c 3 -z 2048 > out/dst.bin");
  await run(page, "xxd out/dst.bin");
  await expectRow(page, "000007f0: 6e76 6d65 6c61 6220 3030 3030 3062 6630  nvmelab 00000bf0");
  expect(errors).toEqual([]);
});

test("console: blk run and fio on the bundled examples; long output leaves the page responsive", async ({ page }) => {
  test.setTimeout(90_000);
  const errors = watchErrors(page, { warnings: true, requests: true });
  await open(page);
  await run(page, "ls examples/blk");
  await expectRow(page, /^ +\d+  ctx-gc\.json$/);

  await run(page, "blk run examples/blk/ctx-gc.json", 60_000);
  await expectRow(page, /Copy sdlba=16384 nr=8 /);
  await expectRow(page, "Disk stats (read/write):");
  await shot(page, "07-blk-ctx-gc");

  await run(page, "fio examples/fio/copy.fio", 60_000);
  await expectRow(page, "Run status group 0 (all jobs):");
  await shot(page, "08-fio-copy");

  // ~1900 lines: the page keeps drawing frames while the worker runs it and the terminal takes the text.
  await page.evaluate(() => {
    const w = window as unknown as { maxGap: number; watching: boolean };
    w.maxGap = 0;
    w.watching = true;
    let last = performance.now();
    const tick = (t: number) => {
      w.maxGap = Math.max(w.maxGap, t - last);
      last = t;
      if (w.watching) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  await run(page, "blk run examples/blk/clone-hydration.json", 60_000);
  const gap = await page.evaluate(() => { const w = window as unknown as { maxGap: number; watching: boolean }; w.watching = false; return w.maxGap; });
  expect(gap, "longest frame while the output was written (ms)").toBeLessThan(1000);
  await expectRow(page, "Disk stats (read/write):");
  expect(errors).toEqual([]);
});

test("console: history with Up, Tab completion, and the keyboard can leave the terminal", async ({ page }) => {
  const errors = watchErrors(page, { warnings: true, requests: true });
  await open(page);

  // Tab completes a command name and a long option.
  await page.keyboard.type("li");
  await page.keyboard.press("Tab");
  await expect.poll(() => lastLine(page), FAST).toBe(`${PROMPT} list`);
  await page.keyboard.type("--output-f");
  await page.keyboard.press("Tab");
  await expect.poll(() => lastLine(page), FAST).toBe(`${PROMPT} list --output-format=`);
  await page.keyboard.type("json");
  await page.keyboard.press("Enter");
  await expect.poll(() => commandsRun(page), FAST).toBe(1);
  await expectRow(page, '      "DevicePath":"/dev/nvme0n1",');

  // Files complete a directory at a time; with several choices, Tab lists them.
  await page.keyboard.type("blk run ex");
  await page.keyboard.press("Tab");
  await page.keyboard.type("b");
  await page.keyboard.press("Tab");
  await page.keyboard.type("ctx");
  await page.keyboard.press("Tab");
  await expect.poll(() => lastLine(page), FAST).toBe(`${PROMPT} blk run examples/blk/ctx-`);
  await page.keyboard.press("Tab");
  await expect.poll(() => screen(page)).toContainEqual(expect.stringMatching(/^ctx-gc\.json +ctx-interleaved\.json$/));
  await page.keyboard.type("g");
  await page.keyboard.press("Tab");
  await expect.poll(() => lastLine(page), FAST).toBe(`${PROMPT} blk run examples/blk/ctx-gc.json`);
  await shot(page, "09-completion");
  await page.keyboard.press("Control+U");
  await expect.poll(() => lastLine(page), FAST).toBe(PROMPT);

  // Up recalls earlier lines, newest first; Enter runs the recalled one.
  await run(page, "version");
  await page.keyboard.press("ArrowUp");
  await expect.poll(() => lastLine(page), FAST).toBe(`${PROMPT} version`);
  await page.keyboard.press("ArrowUp");
  await expect.poll(() => lastLine(page), FAST).toBe(`${PROMPT} list --output-format=json`);
  await page.keyboard.press("ArrowDown");
  await expect.poll(() => lastLine(page), FAST).toBe(`${PROMPT} version`);
  await page.keyboard.press("Enter");
  await expect.poll(() => lastLine(page), FAST).toBe(PROMPT);
  await expect.poll(async () => (await screen(page)).filter((l) => l.startsWith("nvmelab version 0.1.0")).length).toBe(2);
  await run(page, "history");
  await expectRow(page, /^ +1  list --output-format=json$/);
  await expectRow(page, /^ +2  version$/);
  await shot(page, "10-history");

  // Tab completes inside the terminal; Shift+Tab moves focus out of it (no keyboard trap),
  // to the control before it, and Tab comes back.
  const input = page.getByRole("textbox", { name: "Terminal input" });
  await page.keyboard.press("Shift+Tab");
  await expect(input).not.toBeFocused();
  await expect(page.getByRole("tab", { name: "Console" })).toBeFocused(); // the selected tab is the control before the panel
  await page.keyboard.press("Tab");
  await expect(input).toBeFocused();
  await page.keyboard.press("Escape");
  await page.keyboard.press("Tab");
  await expect(input).not.toBeFocused();
  expect(errors).toEqual([]);
});

test("console: nvme-cli's 169-column list stays one line a row; a narrow window scrolls the terminal sideways", async ({ page }) => {
  const errors = watchErrors(page);
  await page.setViewportSize({ width: 1440, height: 900 });
  await open(page);
  await run(page, "list");
  const header = /^Node {18}Generic {15}SN {19}Model {36}Namespace  Usage {22}Format {11}FW Rev$/;
  // at 1440 px the card widens past the page's column: the whole table, no wrapping, no scrolling
  await expectRow(page, header);
  await expectRow(page, /^\/dev\/nvme0n1 .* 0\.1\.0$/);
  const term = page.locator("#console");
  const fits = () => term.evaluate((el) => [el.scrollWidth <= el.clientWidth, document.documentElement.scrollWidth <= document.documentElement.clientWidth]);
  expect(await fits()).toEqual([true, true]);
  await page.screenshot({ path: `${SHOTS}/console-list-1440.png` });
  // at 800 px the terminal keeps its columns and scrolls inside its box; the page does not
  await page.setViewportSize({ width: 800, height: 900 });
  await expect.poll(fits).toEqual([false, true]);
  await expectRow(page, header);
  await page.screenshot({ path: `${SHOTS}/console-list-800.png` });
  expect(errors).toEqual([]);
});

test("console: in a narrow window the terminal scrolls sideways in its box, and its vertical scrollbar stays in view at the box's right", async ({ page }) => {
  const errors = watchErrors(page);
  await page.setViewportSize({ width: 900, height: 900 });
  await open(page);
  // more than a screen of output, so there is something to scroll back to
  await run(page, "help");
  await run(page, "list");
  const term = page.locator("#console");
  const scrollbar = term.locator(".xterm-scrollable-element > .scrollbar.vertical");
  const slider = scrollbar.locator(".slider");
  const box = async (l: Locator) => (await l.boundingBox())!;
  /** The scrollbar lies inside the box's visible part (its padding edge), and the box inside the window. */
  const inView = async (where: string) => {
    const b = await box(term);
    const s = await box(scrollbar);
    const vw = page.viewportSize()!.width;
    expect(b.x, where).toBeGreaterThanOrEqual(0);
    expect(b.x + b.width, where).toBeLessThanOrEqual(vw);
    expect(s.x, where).toBeGreaterThanOrEqual(b.x);
    expect(s.x + s.width, `${where}: the scrollbar's right edge (the box ends at ${b.x + b.width})`).toBeLessThanOrEqual(b.x + b.width);
    // at the right: no more than the box's padding and border between them
    expect(b.x + b.width - (s.x + s.width), where).toBeLessThanOrEqual(8);
    expect(s.height, where).toBeGreaterThan(200);
  };
  const scrollTo = (x: "left" | "middle" | "right") =>
    term.evaluate((el, x) => { el.scrollLeft = x === "left" ? 0 : x === "right" ? el.scrollWidth : (el.scrollWidth - el.clientWidth) / 2; }, x);
  for (const width of [900, 600]) {
    await page.setViewportSize({ width, height: 900 });
    // the terminal keeps its 170 columns, so its box scrolls sideways; the page does not
    await expect.poll(() => term.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(true);
    for (const x of ["left", "middle", "right", "left"] as const) {
      await scrollTo(x);
      await expect(() => inView(`${width} px, scrolled ${x}`)).toPass({ timeout: 5000 });
    }
    await page.screenshot({ path: `${SHOTS}/console-scrollbar-${width}.png` });
  }
  // typing brings the cursor back into view (the browser keeps xterm's input, which follows
  // the cursor, visible), here from the far right to the prompt at the left
  await scrollTo("right");
  await page.keyboard.type("id");
  const cursor = term.locator(".xterm-cursor");
  await expect(async () => {
    const b = await box(term);
    const c = await box(cursor);
    expect(c.x).toBeGreaterThanOrEqual(b.x);
    expect(c.x + c.width).toBeLessThanOrEqual(b.x + b.width);
  }).toPass({ timeout: 5000 });
  await page.keyboard.press("Control+C");
  // and it works: at the bottom, drag the slider to the top, and the first line shows
  await term.hover();
  await page.keyboard.press("Shift+End");
  const s = await box(slider);
  expect(s.x + s.width).toBeLessThanOrEqual((await box(term)).x + (await box(term)).width);
  await page.mouse.move(s.x + s.width / 2, s.y + s.height / 2);
  await page.mouse.down();
  await page.mouse.move(s.x + s.width / 2, (await box(scrollbar)).y - 50, { steps: 8 });
  await page.mouse.up();
  await expectRow(page, /^nvmelab console: nvme-cli's commands on this page's controller\./);
  await page.screenshot({ path: `${SHOTS}/console-scrollbar-dragged.png` });
  expect(errors).toEqual([]);
});
