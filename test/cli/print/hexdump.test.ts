// Tests for src/cli/print/hexdump.ts against nvme-cli master's output format (tools/nvme-cli-output.md).
import { describe, it, expect } from "vitest";
import { hexdump } from "../../../src/cli/print/hexdump";

const HEADER = "       0  1  2  3  4  5  6  7  8  9  a  b  c  d  e  f";
const ZERO_LINE = " 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 \"................\"";

describe("hexdump (nvme-cli d())", () => {
  it("prints the header, offsets, bytes and ASCII (2.3 style, no collapsing)", () => {
    expect(hexdump(new Uint8Array(32), { collapse: false })).toBe(
      `${HEADER}\n0000:${ZERO_LINE}\n0010:${ZERO_LINE}\n`);
  });

  it("collapses repeated lines as master does and ends with the final offset", () => {
    expect(hexdump(new Uint8Array(32))).toBe(`${HEADER}\n0000:${ZERO_LINE}\n*\n0020:\n\n`);
  });

  it("prints a differing line after a run of repeats", () => {
    const b = new Uint8Array(64);
    b[48] = 0x41;
    expect(hexdump(b)).toBe(
      `${HEADER}\n0000:${ZERO_LINE}\n*\n0030: 41 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 "A..............."\n`);
  });

  it("pads a partial last line the way the C code does", () => {
    const b = new Uint8Array([0x4e, 0x56, 0x4d, 0x65, 0x00]);
    expect(hexdump(b)).toBe(`${HEADER}\n0000: 4e 56 4d 65 00${" ".repeat(1 + 33)} "NVMe."\n`);
  });

  it("prints only the header for an empty buffer", () => {
    expect(hexdump(new Uint8Array(0))).toBe(`${HEADER}\n`);
  });

  it("shows printable characters and dots for the rest", () => {
    const b = new Uint8Array(16).map((_, i) => [0x20, 0x21, 0x7e, 0x7f, 0x80][i % 5]);
    expect(hexdump(b, { collapse: false }).split("\n")[1]).toBe(
      '0000: 20 21 7e 7f 80 20 21 7e 7f 80 20 21 7e 7f 80 20 ".!~...!~...!~..."');
  });
  it("matches the C d() output for mixed buffers (compiled from nvme-cli's stdout_d)", () => {
    const a = new Uint8Array([0x4e, 0x56, 0x4d, 0x65, 0x00]);
    const b = new Uint8Array(40).map((_, i) => (i * 7) & 0xff);
    const c = new Uint8Array(64);
    c[48] = 0x41;
    const got = hexdump(a) + hexdump(b) + hexdump(c) + hexdump(c.subarray(0, 37));
    expect(got).toBe("       0  1  2  3  4  5  6  7  8  9  a  b  c  d  e  f\n0000: 4e 56 4d 65 00                                   \"NVMe.\"\n       0  1  2  3  4  5  6  7  8  9  a  b  c  d  e  f\n0000: 00 07 0e 15 1c 23 2a 31 38 3f 46 4d 54 5b 62 69 \".....#*18?FMT[bi\"\n0010: 70 77 7e 85 8c 93 9a a1 a8 af b6 bd c4 cb d2 d9 \"pw~.............\"\n0020: e0 e7 ee f5 fc 03 0a 11                          \"........\"\n       0  1  2  3  4  5  6  7  8  9  a  b  c  d  e  f\n0000: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 \"................\"\n*\n0030: 41 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 \"A...............\"\n       0  1  2  3  4  5  6  7  8  9  a  b  c  d  e  f\n0000: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 \"................\"\n*\n0020: 00 00 00 00 00                                   \".....\"\n");
  });
});
