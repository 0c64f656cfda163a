// Tests for src/cli/print/fmt.ts against nvme-cli master's output format (tools/nvme-cli-output.md).
import { describe, it, expect } from "vitest";
import { cFixed, hex, hexPad, siString, degrees, degreesF, suffixBinary, cStr, uuidString } from "../../../src/cli/print/fmt";

describe("printf helpers", () => {
  it("cFixed rounds like glibc (exact binary value, ties to even)", () => {
    // Expected values printed by glibc printf("%.2f") / ("%3.0f") for the same doubles.
    const cases: Array<[number, string, string]> = [
      [1.125, "1.12", "1"], [0.125, "0.12", "0"], [2.675, "2.67", "3"], [631.808, "631.81", "632"],
      [1.005, "1.00", "1"], [0.5, "0.50", "0"], [1.5, "1.50", "2"], [2.5, "2.50", "2"],
      [1.073741824, "1.07", "1"], [999.995, "1000.00", "1000"], [12.345, "12.35", "12"], [0, "0.00", "0"],
      [4096, "4096.00", "4096"], [1e6 / 3, "333333.33", "333333"],
    ];
    for (const [v, two, zero] of cases) {
      expect(cFixed(v, 2), String(v)).toBe(two);
      expect(cFixed(v, 0), String(v)).toBe(zero);
    }
  });

  it("hex follows %#x and %#0*x", () => {
    expect(hex(0)).toBe("0");
    expect(hex(0x1b36)).toBe("0x1b36");
    expect(hex(0xffffffff)).toBe("0xffffffff");
    expect(hex(1n << 63n)).toBe("0x8000000000000000");
    expect(hexPad(7, 4)).toBe("0x07");
    expect(hexPad(0, 2)).toBe("00");
    expect(hexPad(0, 8)).toBe("00000000");
    expect(hexPad(0x1f001f, 10)).toBe("0x001f001f");
  });

  it("siString uses 1000-based suffixes with %.2Lf", () => {
    expect(siString(0n, 512000)).toBe("0.00 B");
    expect(siString(1234n, 512000)).toBe("631.81 MB");
    expect(siString(1n, 512000)).toBe("512.00 kB");
    expect(siString(2097152n, 512000)).toBe("1.07 TB");
  });

  it("temperatures are integer Celsius/Fahrenheit from Kelvin", () => {
    expect(degrees(313)).toBe("40 °C");
    expect(degreesF(313)).toBe("104 °F");
    expect(degrees(0)).toBe("-273 °C");
    expect(degreesF(0)).toBe("-459 °F");
  });

  it("suffixBinary rounds to the nearest unit", () => {
    expect(suffixBinary(512)).toEqual([512, ""]);
    expect(suffixBinary(4096)).toEqual([4, "Ki"]);
    expect(suffixBinary(1536)).toEqual([2, "Ki"]);
  });

  it("cStr stops at NUL and uuidString is 8-4-4-4-12", () => {
    expect(cStr(new Uint8Array([0x41, 0x20, 0x00, 0x42]), 0, 4)).toBe("A ");
    expect(uuidString(new Uint8Array(16).map((_, i) => i), 0)).toBe("00010203-0405-0607-0809-0a0b0c0d0e0f");
  });
});
