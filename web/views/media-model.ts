// The Media view's logic, without DOM: hexdump -C formatting of namespace blocks, LBA <->
// byte offset maths in the raw image (data area, then metadata area, as QEMU's hw/nvme/ns.c
// lays out a format=raw drive), which LBAs a command of the run wrote (Write, Write Zeroes,
// Copy destination and its source ranges, Dataset Management deallocation), the window
// navigation bounds, the image's file name, size check and QEMU command line.

import type { NvmeCommandRecord } from "../../src/block/trace";
import type { LabNamespace } from "../../src/lab/namespace";
import * as O from "../../assembly/spec/opcodes";

/** Bytes per hexdump line (hexdump -C, xxd). */
export const LINE_BYTES = 16;
/** Window sizes the view offers, in blocks (each read stays far below MAX_READ_BLOCKS). */
export const WINDOW_CHOICES = [1, 2, 4, 8] as const;

export interface LbaRange {
  /** First LBA and number of LBAs (1's based). */
  lba: number;
  count: number;
}

// ---- the raw image: offsets ----

/** Byte offset of LBA lba's data in the raw image (= in the namespace's data area). */
export function dataOffset(ns: LabNamespace, lba: number): number {
  return lba * ns.lbaBytes;
}

/** Byte offset of LBA lba's metadata in the raw image: after every block's data (hw/nvme/ns.c moff). */
export function metadataOffset(ns: LabNamespace, lba: number): number {
  return ns.blocks * ns.lbaBytes + lba * ns.metadataBytes;
}

/** Which LBA (and which area of it) a byte offset of the raw image belongs to. */
export function offsetToLba(ns: LabNamespace, offset: number): { lba: number; area: "data" | "metadata"; within: number } | undefined {
  if (!Number.isSafeInteger(offset) || offset < 0 || offset >= ns.imageBytes) return undefined;
  const dataBytes = ns.blocks * ns.lbaBytes;
  if (offset < dataBytes) return { lba: Math.floor(offset / ns.lbaBytes), area: "data", within: offset % ns.lbaBytes };
  const m = offset - dataBytes;
  return { lba: Math.floor(m / ns.metadataBytes), area: "metadata", within: m % ns.metadataBytes };
}

/** Hex digits of the hexdump's offset column: 8 as hexdump -C prints, more for images past 4 GiB. */
export function offsetDigits(ns: LabNamespace): number {
  return Math.max(8, Math.max(0, ns.imageBytes - 1).toString(16).length);
}

// ---- hexdump -C ----

export interface DumpLine {
  /** The line as hexdump -C prints it: offset, 16 bytes in two groups of 8, |ASCII|; or "*". */
  text: string;
  /** Offset of its first byte (for "*": of the first line it stands for). */
  offset: number;
  squeezed: boolean;
}

const printable = (b: number) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : ".");

/** One hexdump -C line of up to 16 bytes at offset. */
export function hexLine(bytes: Uint8Array, offset: number, digits = 8): string {
  let hex = "";
  let ascii = "";
  for (let i = 0; i < LINE_BYTES; i++) {
    if (i === 8) hex += " ";
    if (i < bytes.length) {
      hex += ` ${bytes[i].toString(16).padStart(2, "0")}`;
      ascii += printable(bytes[i]);
    } else {
      hex += "   ";
    }
  }
  return `${offset.toString(16).padStart(digits, "0")} ${hex}  |${ascii}|`;
}

function sameLine(b: Uint8Array, i: number, j: number): boolean {
  for (let k = 0; k < LINE_BYTES; k++) if (b[i + k] !== b[j + k]) return false;
  return true;
}

/**
 * Lines of `hexdump -C` for bytes that start at offset in the image. With squeeze (hexdump's
 * default; -v turns it off), a run of lines equal to the line before is printed as one "*".
 * hexdump's closing line (the end offset) is left to the caller, who knows where the dump ends.
 */
export function hexdumpLines(bytes: Uint8Array, offset: number, opts: { squeeze?: boolean; digits?: number } = {}): DumpLine[] {
  const squeeze = opts.squeeze ?? true;
  const digits = opts.digits ?? 8;
  const out: DumpLine[] = [];
  let starred = false;
  for (let i = 0; i < bytes.length; i += LINE_BYTES) {
    const full = i + LINE_BYTES <= bytes.length;
    if (squeeze && i > 0 && full && sameLine(bytes, i, i - LINE_BYTES)) {
      if (!starred) out.push({ text: "*", offset: offset + i, squeezed: true });
      starred = true;
      continue;
    }
    starred = false;
    out.push({ text: hexLine(bytes.subarray(i, i + LINE_BYTES), offset + i, digits), offset: offset + i, squeezed: false });
  }
  return out;
}

/** hexdump's closing line: the offset just past the last byte. */
export function endLine(offset: number, digits = 8): string {
  return offset.toString(16).padStart(digits, "0");
}

/** The shell command that prints the same bytes from an exported image. */
export function hexdumpCommand(file: string, ns: LabNamespace, lba: number, count: number): string {
  return `hexdump -C -s ${dataOffset(ns, lba)} -n ${count * ns.lbaBytes} ${file}`;
}

// ---- what a command wrote ----

/** Commands that change what the media holds. */
const MEDIA_OPCODES = new Set([O.NVM_WRITE, O.NVM_WRITE_ZEROES, O.NVM_COPY, O.NVM_DATASET_MANAGEMENT]);
/** The commands "the last command or copy wrote" means (issue 5): Write, Write Zeroes, Copy. */
const WRITE_OPCODES = new Set([O.NVM_WRITE, O.NVM_WRITE_ZEROES, O.NVM_COPY]);

export interface MediaCommand {
  /** Index in the run's commands. */
  index: number;
  cmd: NvmeCommandRecord;
}

/** Source ranges of a Copy on namespace nsid (format 2h/3h ranges name their own namespace). */
function sourcesOn(cmd: NvmeCommandRecord, nsid: number): LbaRange[] {
  return (cmd.ranges ?? []).filter((r) => (r.nsid ?? cmd.nsid) === nsid).map((r) => ({ lba: r.slba, count: r.nlb }));
}

/** The run's commands that changed (or, for a Copy, read the sources on) namespace nsid, in submission order. */
export function mediaCommands(commands: readonly NvmeCommandRecord[], nsid: number): MediaCommand[] {
  const out: MediaCommand[] = [];
  commands.forEach((cmd, index) => {
    if (!MEDIA_OPCODES.has(cmd.opcode)) return;
    if (cmd.nsid === nsid || (cmd.opcode === O.NVM_COPY && sourcesOn(cmd, nsid).length > 0)) out.push({ index, cmd });
  });
  // the tracer numbers and keeps records as commands are submitted (BlkTracer.command)
  return out;
}

/** The last Write, Write Zeroes or Copy submitted to nsid: what the view highlights first. */
export function lastWriter(list: readonly MediaCommand[], nsid: number): MediaCommand | undefined {
  for (let i = list.length - 1; i >= 0; i--) if (WRITE_OPCODES.has(list[i].cmd.opcode) && list[i].cmd.nsid === nsid) return list[i];
  return undefined;
}

export type HighlightKind = "written" | "zeroed" | "deallocated" | "copy-destination";

export interface Highlight {
  cmd: NvmeCommandRecord;
  kind: HighlightKind;
  /** LBAs the command wrote on the viewed namespace. */
  written: LbaRange[];
  /** A Copy's source ranges on the viewed namespace, in descriptor order. */
  sources: LbaRange[];
  /** What to tell the user besides (a failed or partial command). */
  note?: string;
}

const blocksOf = (rs: readonly LbaRange[]) => rs.reduce((n, r) => n + r.count, 0);
const blocksText = (n: number) => `${n} block${n === 1 ? "" : "s"}`;

/**
 * The LBAs command cmd wrote on nsid. A failed Copy wrote the ranges before the one its CQE
 * Dword 0 names (NVMe 2.1 NVM Command Set §3.3.1: the lowest numbered Source Range entry not
 * copied; the controller here, as QEMU's nvme_copy_cb, copies in descriptor order); for another
 * failed command the spec leaves the written blocks undefined.
 */
export function highlightOf(cmd: NvmeCommandRecord, nsid: number): Highlight {
  const failed = cmd.status !== undefined && cmd.status !== 0;
  if (cmd.opcode === O.NVM_COPY) {
    const sources = sourcesOn(cmd, nsid);
    const all = (cmd.ranges ?? []).map((r) => r.nlb);
    let copied = all.length;
    let note: string | undefined;
    if (failed) {
      copied = cmd.dw0 !== undefined && cmd.dw0 < all.length ? cmd.dw0 : 0;
      note = `failed: CQE Dword 0 = ${cmd.dw0 ?? "?"}, so ${copied} of ${all.length} source ranges were copied`;
    }
    const blocks = all.slice(0, copied).reduce((n, b) => n + b, 0);
    const written = cmd.nsid === nsid && cmd.slba !== undefined && blocks > 0 ? [{ lba: cmd.slba, count: blocks }] : [];
    return { cmd, kind: "copy-destination", written, sources, note };
  }
  const kind: HighlightKind = cmd.opcode === O.NVM_WRITE_ZEROES ? "zeroed" : cmd.opcode === O.NVM_DATASET_MANAGEMENT ? "deallocated" : "written";
  const written = cmd.opcode === O.NVM_DATASET_MANAGEMENT
    ? (cmd.ranges ?? []).map((r) => ({ lba: r.slba, count: r.nlb }))
    : cmd.slba !== undefined && cmd.blocks ? [{ lba: cmd.slba, count: cmd.blocks }] : [];
  return { cmd, kind, written, sources: [], note: failed ? "failed: what it wrote is undefined (the spec does not say which blocks were written)" : undefined };
}

/** How the view marks an LBA under a highlight. */
export type Mark = "dst" | "src" | "both" | undefined;

const inside = (rs: LbaRange[], lba: number) => rs.some((r) => lba >= r.lba && lba < r.lba + r.count);

export function markOf(hl: Highlight | undefined, lba: number): Mark {
  if (!hl) return undefined;
  const d = inside(hl.written, lba);
  const s = inside(hl.sources, lba);
  return d && s ? "both" : d ? "dst" : s ? "src" : undefined;
}

/**
 * For a Copy's destination LBA: the source LBA (and its range number) whose data it holds.
 * The destination is the source ranges laid end to end from SDLBA (NVM Command Set §3.3.1).
 */
export function sourceOf(cmd: NvmeCommandRecord, lba: number): { range: number; lba: number; nsid: number } | undefined {
  if (cmd.opcode !== O.NVM_COPY || cmd.slba === undefined || lba < cmd.slba) return undefined;
  let k = lba - cmd.slba;
  const ranges = cmd.ranges ?? [];
  for (let i = 0; i < ranges.length; i++) {
    if (k < ranges[i].nlb) return { range: i, lba: ranges[i].slba + k, nsid: ranges[i].nsid ?? cmd.nsid };
    k -= ranges[i].nlb;
  }
  return undefined;
}

/** The first LBA worth showing for a highlight: its first written LBA, else its first source. */
export function focusLba(hl: Highlight): number | undefined {
  return hl.written[0]?.lba ?? hl.sources[0]?.lba;
}

const lbaSpan = (r: LbaRange) => (r.count === 1 ? `${r.lba}` : `${r.lba}-${r.lba + r.count - 1}`);

const blocks = (n: number | undefined) => `${n ?? 0} block${n === 1 ? "" : "s"}`;

/**
 * One line naming a command: opcode, SLBA (Copy: SDLBA), how many blocks, ranges. The count
 * is in blocks, not the NLB field, which is 0's based (NVM Command Set §3.3.4, nvme-cli's
 * --block-count); the Queues view shows the NLB field with its count beside it.
 */
export function describeCommand(cmd: NvmeCommandRecord): string {
  if (cmd.opcode === O.NVM_COPY) {
    const rs = cmd.ranges ?? [];
    const shown = rs.slice(0, 3).map((r) => `${r.nsid !== undefined && r.nsid !== cmd.nsid ? `ns${r.nsid}:` : ""}${lbaSpan({ lba: r.slba, count: r.nlb })}`).join(", ");
    return `Copy SDLBA ${cmd.slba}, ${blocks(cmd.blocks)} from ${rs.length} range${rs.length === 1 ? "" : "s"}: ${shown}${rs.length > 3 ? ", …" : ""}`;
  }
  if (cmd.opcode === O.NVM_DATASET_MANAGEMENT) {
    const rs = cmd.ranges ?? [];
    return `Dataset Management (deallocate) ${rs.length} range${rs.length === 1 ? "" : "s"}: ${rs.slice(0, 3).map((r) => lbaSpan({ lba: r.slba, count: r.nlb })).join(", ")}${rs.length > 3 ? ", …" : ""}`;
  }
  return `${cmd.name} SLBA ${cmd.slba}, ${blocks(cmd.blocks)}`;
}

/** What the highlight covers, in words, for the legend. */
export function describeHighlight(hl: Highlight): string {
  const w = hl.written.map(lbaSpan).join(", ");
  const verb = hl.kind === "zeroed" ? "zeroed" : hl.kind === "deallocated" ? "deallocated" : "wrote";
  const dst = hl.written.length ? `${verb} ${hl.written.length === 1 && hl.written[0].count === 1 ? "LBA" : "LBAs"} ${w} (${blocksText(blocksOf(hl.written))})` : "wrote nothing on this namespace";
  const src = hl.sources.length ? `; source ranges ${hl.sources.map(lbaSpan).join(", ")} (${blocksText(blocksOf(hl.sources))})` : "";
  return `${dst}${src}`;
}

// ---- navigation ----

/** The window's first LBA, kept inside the namespace (the window may be shorter at the end). */
export function clampStart(ns: LabNamespace, lba: number): number {
  if (!Number.isFinite(lba)) return 0;
  return Math.min(Math.max(0, Math.floor(lba)), ns.blocks - 1);
}

/** How many blocks a window starting at lba shows. */
export function windowCount(ns: LabNamespace, lba: number, size: number): number {
  return Math.max(0, Math.min(size, ns.blocks - lba));
}

/** Where a navigation key takes the window (undefined: not a navigation key). */
export function navigate(ns: LabNamespace, start: number, size: number, key: string): number | undefined {
  switch (key) {
    case "ArrowDown": return clampStart(ns, start + 1);
    case "ArrowUp": return clampStart(ns, start - 1);
    case "PageDown": return clampStart(ns, start + size);
    case "PageUp": return clampStart(ns, start - size);
    case "Home": return 0;
    case "End": return clampStart(ns, ns.blocks - size);
    default: return undefined;
  }
}

const UNITS: Record<string, number> = { "": 1, b: 1, k: 1024, kib: 1024, m: 2 ** 20, mib: 2 ** 20, g: 2 ** 30, gib: 2 ** 30, t: 2 ** 40, tib: 2 ** 40 };

/**
 * Where the user wants to go: an LBA ("8192", "0x2000") or a byte offset with a unit as the
 * scenarios write positions ("4M", "4104k", "512b"), which must fall on a block boundary.
 */
export function parseLocation(text: string, ns: LabNamespace): { lba: number } | { error: string } {
  const t = text.trim();
  const m = /^(0x[0-9a-f]+|\d+)\s*([a-z]*)$/i.exec(t);
  if (!m) return { error: `"${text}" is not an LBA (8192, 0x2000) or a byte offset (4M, 4104k)` };
  const n = Number(m[1]);
  const unit = m[2].toLowerCase();
  let lba = n;
  if (unit) {
    const mult = UNITS[unit];
    if (mult === undefined) return { error: `"${m[2]}" is not a unit (k, M, G, T; b for bytes)` };
    const bytes = n * mult;
    if (bytes % ns.lbaBytes !== 0) return { error: `byte offset ${bytes} is not a multiple of the ${ns.lbaBytes}-byte LBA size` };
    lba = bytes / ns.lbaBytes;
  }
  if (!Number.isSafeInteger(lba) || lba >= ns.blocks) return { error: `LBA ${lba} is outside namespace ${ns.nsid} (LBAs 0-${ns.blocks - 1})` };
  return { lba };
}

// ---- images ----

/** The exported image's file name: <experiment>-ns<nsid>.img. */
export function imageName(experiment: string | undefined, nsid: number): string {
  const base = (experiment ?? "setup").replace(/[^A-Za-z0-9._-]+/g, "-") || "setup";
  return `${base}-ns${nsid}.img`;
}

/** Checked here first so a wrong file is not read at all; LabSession.importImage checks again. */
export { imageSizeProblem } from "../../src/lab/namespace";

/**
 * QEMU options that open the image as this namespace: a raw drive and an nvme-ns with the
 * same LBA data size and metadata size (QEMU derives the block count from the file size).
 */
export function qemuArgs(file: string, ns: LabNamespace): string {
  const id = `nvm${ns.nsid}`;
  const ms = ns.metadataBytes ? `,ms=${ns.metadataBytes}` : "";
  return `-drive file=${file},format=raw,if=none,id=${id} -device nvme,serial=nvmelab,id=nvme0 ` +
    `-device nvme-ns,drive=${id},bus=nvme0,nsid=${ns.nsid},logical_block_size=${ns.lbaBytes},physical_block_size=${ns.lbaBytes}${ms}`;
}

/** 64 MiB, 512 KiB, 1000 bytes. */
export function sizeText(bytes: number): string {
  for (const [unit, n] of [["TiB", 2 ** 40], ["GiB", 2 ** 30], ["MiB", 2 ** 20], ["KiB", 1024]] as const) {
    if (bytes >= n && bytes % n === 0) return `${bytes / n} ${unit}`;
  }
  if (bytes >= 2 ** 20) return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  return `${bytes} bytes`;
}

/** Blocks in stored runs (for "N of M blocks hold data"). */
export function storedBlocks(runs: readonly LbaRange[]): number {
  return blocksOf(runs);
}

/** The stored run that contains lba, or the next one after it. */
export function nextStored(runs: readonly LbaRange[], lba: number): LbaRange | undefined {
  return runs.find((r) => r.lba + r.count > lba);
}
