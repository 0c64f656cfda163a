// End-to-end test of the Media view, used as a user would: run "A vectored copy merged by
// plugging" from the gallery, open Media, check the hexdump marks the last Copy's destination
// and that its bytes are the source's, choose the merged Copy from the list, move by keyboard
// and by typed LBA/offset, export the namespace image (a download) and import it back (same
// media hash), import a wrong-size file (an error, nothing changed), and follow a new run.
// Screenshots go to test-results/screenshots/media-*.png.
import { test, expect, type Page, type Locator } from "@playwright/test";
import { readFileSync, writeFileSync, statSync } from "node:fs";
import { SHOTS, watchErrors } from "./helpers";

const TITLE = "A vectored copy merged by plugging";

const mediaPanel = (page: Page) => page.getByRole("tabpanel", { name: "Media" });
const dump = (page: Page) => mediaPanel(page).locator("#media-dump");
const hash = (page: Page) => mediaPanel(page).locator("#media-hash");

/** The hex and ASCII columns of a block's hexdump (its lines without the offset column). */
async function blockBytes(block: Locator): Promise<string[]> {
  const text = await block.locator("pre.media-lines").first().innerText();
  return text.split("\n").map((l) => l.replace(/^[0-9a-f]+ {2}/, ""));
}

const block = (page: Page, lba: number) => dump(page).locator(`.media-block[data-lba="${lba}"]`);

test("media: the last copy's destination, navigation, image export and re-import", async ({ page }, info) => {
  test.setTimeout(120_000);
  const errors = watchErrors(page);
  await page.goto("/#view=media");

  // nothing has run: the view says how to get a run
  await expect(mediaPanel(page)).toContainText("Nothing has run yet");
  await page.screenshot({ path: `${SHOTS}/media-01-no-run.png`, fullPage: true });
  await mediaPanel(page).getByRole("button", { name: "Open Experiments" }).click();
  await expect(page.getByRole("tab", { name: "Experiments" })).toHaveAttribute("aria-selected", "true");

  await page.getByRole("article", { name: TITLE }).getByRole("button", { name: "Run" }).click();
  await expect(page.locator("#run-status")).toContainText(/run #1: 11 steps/);
  await page.getByRole("tab", { name: "Media" }).click();

  const panel = mediaPanel(page);
  await expect(panel).toContainText(`The media of the last run's controller (run #1: ${TITLE})`);
  await expect(panel.locator("#media-ns-meta")).toContainText("nvme0n1: 131072 LBAs of 512 bytes (64 MiB)");
  await expect(hash(page)).toHaveText(/^[0-9a-f]{64}$/);
  const runHash = await hash(page).innerText();

  // the last write is the last piece of the 2M copy to 8M, split at MCL (256 blocks): SDLBA 16384 + 15*256
  await expect(panel.locator("#media-legend")).toContainText("The last write: #19 Copy SDLBA 20224, 256 blocks from 4 ranges: 3840-3903");
  await expect(panel.locator("#media-legend")).toContainText("wrote LBAs 20224-20479 (256 blocks); source ranges 3840-3903, 3904-3967, 3968-4031, 4032-4095 (256 blocks)");
  await expect(panel.getByRole("region", { name: "Hexdump of namespace 1, LBA 20224-20225" })).toBeVisible();
  const dst = block(page, 20224);
  await expect(dst).toHaveClass(/mark-dst/);
  await expect(dst).toContainText("copy destination");
  await expect(dst).toContainText("from LBA 3840 (range 0)");
  await expect(dst).toContainText("same bytes as the source now");
  // the 2M copy reads past the 1M written: this piece's source, and so its destination, read as zeroes
  await expect(dst.locator("pre").first()).toHaveText("009e0000  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|\n*"); // 20224 * 512 = 0x9e0000
  await expect(panel.getByRole("listbox", { name: "Commands that changed the media" }).getByRole("option", { selected: true })).toContainText("#19 Copy SDLBA 20224");
  await page.screenshot({ path: `${SHOTS}/media-02-last-copy.png`, fullPage: true });
  const dstBytes = await blockBytes(dst);
  await dst.getByRole("button", { name: "from LBA 3840 (range 0)" }).click();
  await expect(block(page, 3840)).toHaveClass(/mark-src/);
  await expect(block(page, 3840)).toContainText("copy source");
  expect(await blockBytes(block(page, 3840))).toEqual(dstBytes);

  // choose the copy merged in the plug (four 8k copies to 4M) from the list of commands
  // (a virtualised listbox: only the rows in view exist; Home goes to the first, as a user would)
  const cmds = panel.getByRole("listbox", { name: "Commands that changed the media" });
  await expect(cmds.getByRole("option", { name: /#3 Copy/ })).toHaveCount(0);
  await cmds.focus();
  await page.keyboard.press("Home");
  await expect(cmds.getByRole("option", { selected: true })).toContainText("#1 Write SLBA 0, 1024 blocks");
  await expect(block(page, 0)).toHaveClass(/mark-dst/);
  await cmds.getByRole("option", { name: /#3 Copy SDLBA 8192, 64 blocks/ }).click();
  await expect(panel.locator("#media-legend")).toContainText("wrote LBAs 8192-8255 (64 blocks); source ranges 0-15, 200-215, 400-415, 600-615 (64 blocks)");
  const merged = block(page, 8192);
  await expect(merged).toHaveClass(/mark-dst/);
  await expect(merged).toContainText("from LBA 0 (range 0)");
  await expect(merged).toContainText("same bytes as the source now");
  await expect(merged.locator("pre").first()).toHaveText(/^00400000 {2}[0-9a-f]{2} /); // 4M
  const mergedBytes = await blockBytes(merged);
  expect(mergedBytes.length).toBe(32); // pattern data: no two lines alike, nothing squeezed
  // the source block holds the same bytes, marked as a source
  await merged.getByRole("button", { name: "from LBA 0 (range 0)" }).click();
  await expect(block(page, 0)).toHaveClass(/mark-src/);
  expect(await blockBytes(block(page, 0))).toEqual(mergedBytes);
  await cmds.getByRole("option", { name: /#3 Copy SDLBA 8192, 64 blocks/ }).click();
  await expect(block(page, 8192)).toHaveClass(/mark-dst/);
  // keyboard in the list: ArrowUp chooses the command before (the second 512 KiB Write)
  await cmds.press("ArrowUp");
  await expect(cmds.getByRole("option", { selected: true })).toContainText("#2 Write SLBA 1024, 1024 blocks");
  await expect(block(page, 1024)).toHaveClass(/mark-dst/);
  await cmds.press("ArrowDown");
  await expect(block(page, 8192)).toHaveClass(/mark-dst/);

  // keyboard in the hexdump: one LBA, one window, the ends
  const region = panel.locator("#media-dump");
  await region.focus();
  await page.keyboard.press("PageDown");
  await expect(panel.getByRole("region", { name: "Hexdump of namespace 1, LBA 8194-8195" })).toBeFocused();
  await page.keyboard.press("ArrowDown");
  await expect(panel.getByRole("region", { name: "Hexdump of namespace 1, LBA 8195-8196" })).toBeVisible();
  await page.keyboard.press("ArrowUp");
  await page.keyboard.press("ArrowUp");
  await expect(panel.getByRole("region", { name: "Hexdump of namespace 1, LBA 8193-8194" })).toBeVisible();
  await page.keyboard.press("End");
  await expect(panel.getByRole("region", { name: "Hexdump of namespace 1, LBA 131070-131071" })).toBeVisible();
  await expect(block(page, 131071).locator("pre").first()).toHaveText(/^03fffe00 {2}00 00 00 00 00 00 00 00 {2}00 00 00 00 00 00 00 00 {2}\|\.{16}\|\n\*$/);
  await expect(region.locator("pre.end")).toHaveText("04000000");
  await expect(panel.getByRole("button", { name: "Next ▶" })).toBeDisabled();
  await page.keyboard.press("Home");
  await expect(panel.getByRole("region", { name: "Hexdump of namespace 1, LBA 0-1" })).toBeVisible();
  await expect(panel.getByRole("button", { name: "◀ Previous" })).toBeDisabled();

  // a byte offset as the scenario writes it: 4104k is the second 8k copy's destination, from LBA 200
  const lba = panel.getByRole("textbox", { name: "LBA or offset" });
  await lba.fill("4104k");
  await lba.press("Enter");
  await expect(panel.getByRole("region", { name: "Hexdump of namespace 1, LBA 8208-8209" })).toBeVisible();
  await expect(block(page, 8208)).toContainText("from LBA 200 (range 1)");
  const at8208 = await blockBytes(block(page, 8208));
  await block(page, 8208).getByRole("button", { name: "from LBA 200 (range 1)" }).click();
  expect(await blockBytes(block(page, 200))).toEqual(at8208);
  await lba.fill("100b");
  await lba.press("Enter");
  await expect(panel.locator("#media-lba-error")).toHaveText("byte offset 100 is not a multiple of the 512-byte LBA size");
  await expect(lba).toHaveAttribute("aria-invalid", "true");
  await lba.fill("0x2000");
  await panel.getByRole("button", { name: "Go", exact: true }).click();
  await expect(panel.getByRole("region", { name: "Hexdump of namespace 1, LBA 8192-8193" })).toBeVisible();
  await expect(panel.locator("#media-lba-error")).toBeHidden();

  // the stored runs: the 1M written, the merged copy's 64 LBAs, the 2M copy
  const storedList = panel.getByRole("listbox", { name: "LBAs that hold data" });
  await expect(storedList.getByRole("option")).toHaveText([
    "LBA 0-2047 · 2048 blocks (1 MiB)", "LBA 8192-8255 · 64 blocks (32 KiB)", "LBA 16384-18431 · 2048 blocks (1 MiB)"]);
  await storedList.getByRole("option", { name: /LBA 16384-18431/ }).click();
  await expect(panel.getByRole("region", { name: "Hexdump of namespace 1, LBA 16384-16385" })).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/media-03-navigated.png`, fullPage: true });

  // export: a download named after the experiment, the namespace's full raw image
  await expect(panel.locator("#media-qemu")).toHaveText("-drive file=vector-merge-ns1.img,format=raw,if=none,id=nvm1 -device nvme,serial=nvmelab,id=nvme0 -device nvme-ns,drive=nvm1,bus=nvme0,nsid=1,logical_block_size=512,physical_block_size=512");
  const downloading = page.waitForEvent("download");
  await panel.getByRole("button", { name: "Export image" }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe("vector-merge-ns1.img");
  const saved = info.outputPath("vector-merge-ns1.img");
  await download.saveAs(saved);
  expect(statSync(saved).size).toBe(64 << 20);
  await expect(panel.locator("#media-exported")).toContainText("Exported vector-merge-ns1.img: 67108864 bytes (64 MiB)");
  // the image's bytes at 4M are what the hexdump shows for LBA 8192
  const image = readFileSync(saved);
  await lba.fill("8192");
  await lba.press("Enter");
  const first = (await blockBytes(block(page, 8192)))[0];
  expect(first.slice(0, 48).trim().split(/\s+/).map((x) => parseInt(x, 16))).toEqual([...image.subarray(4 << 20, (4 << 20) + 16)]);

  // import a changed image: the hash changes and the hexdump shows the new bytes
  const changed = Buffer.from(image);
  changed.write("IMPORTED", 8192 * 512, "latin1");
  const changedPath = info.outputPath("changed.img");
  writeFileSync(changedPath, changed);
  const importInput = panel.getByLabel("Import image");
  await importInput.setInputFiles(changedPath);
  await expect(panel.locator("#media-imported")).toContainText("Imported changed.img into namespace 1: new media hash");
  await expect(hash(page)).not.toHaveText(runHash);
  await expect(panel.locator("#media-hash-note")).toHaveText("after importing changed.img");
  await expect(block(page, 8192).locator("pre").first()).toContainText("|IMPORTED");
  await expect(block(page, 8192)).toContainText("differs from the source now");
  await expect(panel.locator("#media-legend")).toContainText("The media was replaced by importing changed.img");

  // re-import the exported image: the same media hash as after the run
  await importInput.setInputFiles(saved);
  await expect(panel.locator("#media-imported")).toContainText(`Imported vector-merge-ns1.img into namespace 1: new media hash ${runHash}`);
  await expect(hash(page)).toHaveText(runHash);
  await expect(block(page, 8192)).toContainText("same bytes as the source now");
  await page.screenshot({ path: `${SHOTS}/media-04-reimported.png`, fullPage: true });

  // a wrong-size file: a clear error naming both sizes, and nothing changed
  const short = info.outputPath("short.img");
  writeFileSync(short, Buffer.alloc(1000, 0x55));
  await importInput.setInputFiles(short);
  const err = panel.locator("#media-image-error");
  await expect(err).toBeVisible();
  await expect(err).toHaveText("Import refused, nothing changed: short.img: it is 1000 bytes; namespace 1 needs 67108864 bytes (131072 blocks of 512)");
  await expect(hash(page)).toHaveText(runHash);
  await expect(block(page, 8192)).toContainText("same bytes as the source now");
  await err.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/media-05-wrong-size.png`, fullPage: true });

  // a narrow window
  await page.setViewportSize({ width: 420, height: 800 });
  await expect(panel.locator("#media-dump")).toBeVisible();
  await expect(cmds.getByRole("option", { selected: true })).toContainText("#3 Copy SDLBA 8192");
  await page.screenshot({ path: `${SHOTS}/media-06-narrow.png`, fullPage: true });
  await panel.getByRole("heading", { name: "Hexdump" }).scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/media-07-narrow-hexdump.png` });
  await cmds.scrollIntoViewIfNeeded();
  await expect(cmds.getByRole("option", { selected: true })).toBeInViewport();
  await page.screenshot({ path: `${SHOTS}/media-08-narrow-lists.png` });
  await page.setViewportSize({ width: 1280, height: 800 });

  // a new run replaces the controller: the view follows it (and the import is gone)
  await importInput.setInputFiles(changedPath);
  await expect(hash(page)).not.toHaveText(runHash);
  await page.getByRole("button", { name: "Run", exact: true }).first().click();
  await expect(panel).toContainText(`(run #2: ${TITLE})`);
  await expect(hash(page)).toHaveText(runHash);
  await expect(panel.locator("#media-hash-note")).toHaveText("after the run");
  await expect(block(page, 20224)).toContainText("same bytes as the source now");
  expect(errors).toEqual([]);
});

test("media: 4096-byte LBAs with metadata, two namespaces, a copy whose source changed since", async ({ page }, info) => {
  test.setTimeout(90_000);
  const errors = watchErrors(page);
  const setup = {
    controller: { namespaces: [{ size: "1M", lbaSize: 4096, ms: 8 }, { size: "1M" }] },
    cpus: 1,
    design: "vector",
    steps: [
      { op: "write", dev: "nvme0n1", pos: 0, len: "16k", pattern: 3 },
      { op: "wait" },
      { op: "copy", src: "nvme0n1", src_pos: "4k", dst: "nvme0n1", dst_pos: "512k", len: "8k" },
      { op: "wait" },
      { op: "write_zeroes", dev: "nvme0n1", pos: "8k", len: "4k" },
      { op: "wait" },
    ],
  };
  const b64 = Buffer.from(JSON.stringify(setup)).toString("base64url");
  await page.goto(`/#view=media&setup=${b64}`);
  const panel = mediaPanel(page);
  await expect(panel).toContainText("Nothing has run yet");
  await page.getByRole("button", { name: "Run", exact: true }).first().click();
  await expect(panel).toContainText("The media of the last run's controller (run #1, setup edited)");
  await expect(panel.getByRole("combobox", { name: "Namespace" }).getByRole("option")).toHaveText([
    "nvme0n1 (nsid 1, 4096+8-byte LBAs)", "nvme0n2 (nsid 2, 512-byte LBAs)"]);
  await expect(panel.locator("#media-ns-meta")).toContainText("nvme0n1: 256 LBAs of 4096 bytes + 8 bytes of metadata (1 MiB)");

  // the last write is the Write Zeroes of LBA 2: its block reads as zeroes, its metadata after the data area
  await expect(panel.locator("#media-legend")).toContainText("The last write: #3 Write Zeroes SLBA 2, 1 block — it zeroed LBA 2 (1 block)");
  const zeroed = block(page, 2);
  await expect(zeroed).toHaveClass(/mark-dst/);
  await expect(zeroed).toContainText("zeroed");
  await expect(zeroed).toContainText("LBA 2 · offset 0x2000 · metadata at 0x100010");
  await expect(zeroed.locator("pre").first()).toHaveText("00002000  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|\n*");
  // metadata of LBA 2 at 256 * 4096 + 2 * 8 in the image
  await expect(zeroed.getByLabel("LBA 2 metadata")).toHaveText("00100010  00 00 00 00 00 00 00 00                           |........|");
  await expect(panel.locator("#media-qemu")).toHaveText(/logical_block_size=4096,physical_block_size=4096,ms=8$/);

  // the Copy ran before LBA 2 was zeroed: its second destination block no longer matches its source
  const cmds = panel.getByRole("listbox", { name: "Commands that changed the media" });
  await cmds.getByRole("option", { name: /#2 Copy SDLBA 128, 2 blocks from 1 range: 1-2/ }).click();
  await expect(block(page, 128)).toContainText("same bytes as the source now");
  await expect(block(page, 129)).toContainText("differs from the source now");
  await expect(block(page, 129)).toContainText("from LBA 2 (range 0)");
  await expect(block(page, 128).locator("pre").first()).toHaveText(/^00080000 {2}/);
  await page.screenshot({ path: `${SHOTS}/media-09-metadata.png`, fullPage: true });

  // the exported image carries data then metadata: 256 * (4096 + 8) bytes
  const hash1 = await hash(page).innerText();
  const downloading = page.waitForEvent("download");
  await panel.getByRole("button", { name: "Export image" }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe("setup-ns1.img");
  const saved = info.outputPath("setup-ns1.img");
  await download.saveAs(saved);
  const image = readFileSync(saved);
  expect(image.length).toBe(256 * 4104);
  // and its data area hashes to the media hash
  const { createHash } = await import("node:crypto");
  expect(createHash("sha256").update(image.subarray(0, 256 * 4096)).digest("hex")).toBe(hash1);
  // a data-only image (QEMU's size without metadata) is accepted too
  const dataOnly = info.outputPath("data-only.img");
  writeFileSync(dataOnly, image.subarray(0, 256 * 4096));
  await panel.getByLabel("Import image").setInputFiles(dataOnly);
  await expect(panel.locator("#media-imported")).toContainText(`new media hash ${hash1}`);
  // a wrong size names both sizes the namespace accepts
  const short = info.outputPath("short.img");
  writeFileSync(short, Buffer.alloc(4096));
  await panel.getByLabel("Import image").setInputFiles(short);
  await expect(panel.locator("#media-image-error")).toHaveText("Import refused, nothing changed: short.img: it is 4096 bytes; namespace 1 needs 1048576 (data) or 1050624 (data + metadata) bytes (256 blocks of 4096+8)");
  await expect(hash(page)).toHaveText(hash1);

  // the second namespace: never written, so its hash is that of 1 MiB of zeroes
  await panel.getByRole("combobox", { name: "Namespace" }).selectOption("2");
  await expect(panel.locator("#media-legend")).toContainText("No command of the run wrote to this namespace");
  await expect(hash(page)).toHaveText(createHash("sha256").update(Buffer.alloc(1 << 20)).digest("hex"));
  await expect(panel.getByRole("listbox", { name: "LBAs that hold data" }).getByRole("option")).toHaveCount(0);
  await expect(panel.locator("#media-qemu")).toHaveText(/nsid=2,logical_block_size=512,physical_block_size=512$/);

  // dark mode: back to namespace 1 and its Copy
  await page.emulateMedia({ colorScheme: "dark" });
  await panel.getByRole("combobox", { name: "Namespace" }).selectOption("1");
  await expect(block(page, 2)).toHaveClass(/mark-dst/);
  await expect(panel.locator("#media-image-error")).toBeHidden();
  await panel.getByRole("heading", { name: "Hexdump" }).scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/media-10-dark.png` });
  expect(errors).toEqual([]);
});
