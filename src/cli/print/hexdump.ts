// nvme-cli's d(buf, len, width, group) hexdump, used by get-log, get-feature (without -H),
// passthru reads and the -V vendor-specific areas. Master (stdout_d) prints a line that
// repeats the one before it as a single "*" and, if the dump ends while skipping, the final
// offset on its own line; nvme-cli 2.3 prints every line (collapse: false). The result ends
// with the newline nvme-cli prints.

import { hex0 } from "./fmt";

export interface HexdumpOptions {
  /** Bytes per line (nvme-cli always passes 16). */
  width?: number;
  /** Bytes per space-separated group (nvme-cli passes 1). */
  group?: number;
  /** Collapse repeated lines to "*" as nvme-cli master does (default true; false = 2.3). */
  collapse?: boolean;
}

export function hexdump(buf: Uint8Array, opts: HexdumpOptions = {}): string {
  const width = opts.width ?? 16;
  const group = opts.group ?? 1;
  const collapse = opts.collapse ?? true;
  const len = buf.length;
  let out = "     ";
  for (let i = 0; i <= 15; i++) out += i.toString(16).padStart(3, " ");
  let offset = 0;
  let ascii = "";
  let omitting = false;
  const lineEqual = (off: number): boolean => {
    if (!collapse || off === 0 || len < off + width) return false;
    for (let k = 0; k < width; k++) if (buf[off - width + k] !== buf[off + k]) return false;
    return true;
  };
  let i = 0;
  for (; i < len; i++) {
    if (i % width === 0) {
      if (lineEqual(offset)) {
        if (!omitting) {
          omitting = true;
          out += "\n*";
        }
        offset += width;
        continue;
      } else if (omitting) {
        omitting = false;
      }
      out += "\n" + hex0(offset, 4) + ":";
    }
    if (omitting) continue;
    out += (i % group ? "" : " ") + hex0(buf[i], 2);
    const c = buf[i];
    ascii += c >= 0x21 && c <= 0x7e ? String.fromCharCode(c) : ".";
    if ((i + 1) % width === 0) {
      out += ` "${ascii}"`;
      offset += width;
      ascii = "";
    }
  }
  if (omitting) out += "\n" + hex0(offset, 4) + ":\n";
  if (ascii.length) {
    const b = width - (i % width);
    const pad = 2 * b + Math.floor(b / group) + (b % group ? 1 : 0);
    out += " " + " ".repeat(pad) + ` "${ascii}"`;
  }
  return out + "\n";
}
