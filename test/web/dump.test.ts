// The console's xxd and hexdump -C (web/console/dump.ts), byte for byte against what xxd(1)
// and hexdump(1) print for the same bytes (captured from xxd 2022-01-14 and util-linux 2.38.1's
// hexdump): groups, padding of a short last line, "*" for repeated lines, the closing length.

import { describe, it, expect } from "vitest";
import { xxd, hexdumpC } from "../../web/console/dump";

// "nvmelab\0" "0000" 4 x 0, the alphabet, 48 zero bytes, "xyz" (93 bytes)
const bytes = new Uint8Array([
  ...new TextEncoder().encode("nvmelab"), 0, ...new TextEncoder().encode("0000"), 0, 0, 0, 0,
  ...new TextEncoder().encode("abcdefghijklmnopqrstuvwxyz"), ...new Array(48).fill(0), ...new TextEncoder().encode("xyz"),
]);

describe("xxd", () => {
  it("prints as xxd FILE does", () => {
    expect(bytes.length).toBe(93);
    expect(xxd(bytes)).toBe("00000000: 6e76 6d65 6c61 6200 3030 3030 0000 0000  nvmelab.0000....\n00000010: 6162 6364 6566 6768 696a 6b6c 6d6e 6f70  abcdefghijklmnop\n00000020: 7172 7374 7576 7778 797a 0000 0000 0000  qrstuvwxyz......\n00000030: 0000 0000 0000 0000 0000 0000 0000 0000  ................\n00000040: 0000 0000 0000 0000 0000 0000 0000 0000  ................\n00000050: 0000 0000 0000 0000 0000 7879 7a         ..........xyz");
  });

  it("shows 0x20..0x7e as text and pads a last group of one byte", () => {
    expect(xxd(new Uint8Array([0x7f, 0x80, 0xff, 0x20, 0x7e]))).toBe("00000000: 7f80 ff20 7e                             ... ~");
    expect(xxd(new Uint8Array(0))).toBe("");
  });
});

describe("hexdump -C", () => {
  it("prints as hexdump -C FILE does, a repeated line as *", () => {
    expect(hexdumpC(bytes)).toBe("00000000  6e 76 6d 65 6c 61 62 00  30 30 30 30 00 00 00 00  |nvmelab.0000....|\n00000010  61 62 63 64 65 66 67 68  69 6a 6b 6c 6d 6e 6f 70  |abcdefghijklmnop|\n00000020  71 72 73 74 75 76 77 78  79 7a 00 00 00 00 00 00  |qrstuvwxyz......|\n00000030  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|\n*\n00000050  00 00 00 00 00 00 00 00  00 00 78 79 7a           |..........xyz|\n0000005d");
  });

  it("ends with the length, and an empty file is only that", () => {
    expect(hexdumpC(new Uint8Array([0x41]))).toBe("00000000  41                                                |A|\n00000001");
    expect(hexdumpC(new Uint8Array(32))).toBe("00000000  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|\n*\n00000020");
    expect(hexdumpC(new Uint8Array(0))).toBe("0000000");
  });
});
