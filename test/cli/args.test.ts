// Option parsing (src/cli/args.ts) as nvme-cli's argconfig and getopt_long do it.

import { describe, it, expect } from "vitest";
import { parseArgs, OptSpec, strtoull, suffixBinaryParse, matchVal } from "../../src/cli/args";

const SPECS: OptSpec[] = [
  { long: "opcode", short: "O", kind: "byte", help: "" },
  { long: "block-count", short: "c", kind: "short", help: "" },
  { long: "namespace-id", short: "n", kind: "word", help: "" },
  { long: "data-size", short: "z", kind: "suffix", help: "" },
  { long: "cdw10", short: "4", kind: "word", help: "" },
  { long: "cdw15", short: "9", kind: "word", help: "" },
  { long: "blocks", short: "b", kind: "list", listMax: 0xffff, listError: "invalid range", help: "" },
  { long: "read", short: "r", kind: "flag", help: "" },
];
const parse = (...argv: string[]) => parseArgs(argv, SPECS, "cmd");
const value = (long: string, ...argv: string[]) => parse(...argv).opts.get(long);

describe("numbers as argconfig reads them (strtoul base 0)", () => {
  it("takes decimal, 0x hex and 0 octal for every number type", () => {
    expect(value("opcode", "--opcode=0x82")).toBe(0x82);
    expect(value("opcode", "-O", "010")).toBe(8);
    expect(value("block-count", "-c0xffff")).toBe(0xffff);
    expect(value("namespace-id", "--namespace-id", "0xFFFFFFFF")).toBe(0xffffffff);
    expect(value("namespace-id", "-n", "-1")).toBe(0xffffffff); // uint32_t of strtoul("-1"), as nvme-cli
    expect(value("data-size", "-z", "0x1000")).toBe(4096n);
    expect(value("data-size", "-z", "017")).toBe(15n);
  });

  it("refuses what does not fit the type with argconfig's message", () => {
    expect(() => parse("-c", "70000")).toThrow(/^Expected short argument for 'block-count' but got '70000'!$/);
    expect(() => parse("--opcode=256")).toThrow(/^Expected byte argument for 'opcode' but got '256'!$/);
    expect(() => parse("--opcode=-1")).toThrow(/^Expected byte argument for 'opcode' but got '-1'!$/);
    expect(() => parse("-n", "0x100000000")).toThrow(/^Expected word argument for 'namespace-id' but got '0x100000000'!$/);
    expect(() => parse("-n", "one")).toThrow(/^Expected word argument for 'namespace-id' but got 'one'!$/);
    expect(() => parse("-c", "12x")).toThrow(/^Expected short argument for 'block-count' but got '12x'!$/);
    expect(() => parse("-z", "18446744073709551616")).toThrow(/^Expected long suffixed integer argument for 'data-size' but got '18446744073709551616'!$/);
  });
});

describe("suffixes as util/suffix.c's suffix_binary_parse reads them", () => {
  it("takes a number and exactly Ki, Mi, Gi, Ti or Pi in any case", () => {
    expect(suffixBinaryParse("4Ki")).toBe(4096n);
    expect(suffixBinaryParse("4ki")).toBe(4096n);
    expect(suffixBinaryParse("2MI")).toBe(2n << 20n);
    expect(suffixBinaryParse("1Gi")).toBe(1n << 30n);
    expect(suffixBinaryParse("1Ti")).toBe(1n << 40n);
    expect(suffixBinaryParse("1Pi")).toBe(1n << 50n);
    expect(suffixBinaryParse("0x10Ki")).toBe(16n << 10n);
    expect(value("data-size", "--data-size=8Ki")).toBe(8192n);
  });

  it("refuses the single-letter and the byte forms", () => {
    for (const raw of ["4k", "4K", "4M", "1G", "4KiB", "4 Ki", "4Ki ", "Ki", "", "4.5Ki"]) {
      expect(suffixBinaryParse(raw), raw).toBeNull();
      expect(() => parse(`--data-size=${raw}`), raw).toThrow(`Expected long suffixed integer argument for 'data-size' but got '${raw}'!`);
    }
  });

  it("strtoull: white space and a sign before the digits, the rest after them", () => {
    expect(strtoull("  42x")).toEqual({ value: 42n, rest: "x" });
    expect(strtoull("0x")).toEqual({ value: 0n, rest: "x" });
    expect(strtoull("-1")).toEqual({ value: (1n << 64n) - 1n, rest: "" });
    expect(strtoull("09")).toEqual({ value: 0n, rest: "9" });
    expect(strtoull("x")).toBeNull();
  });
});

describe("short options", () => {
  it("takes digit short options where the command defines them, values starting with '-' included", () => {
    const p = parse("/dev/nvme0n1", "-4", "7", "-90x10", "--cdw10", "-1");
    expect(p.positional).toEqual(["/dev/nvme0n1"]);
    expect(p.opts.get("cdw10")).toBe(0xffffffff);
    expect(p.opts.get("cdw15")).toBe(0x10);
    expect(value("cdw10", "-4", "-2")).toBe(0xfffffffe);
    expect(value("block-count", "-c", "-0")).toBe(0);
  });

  it("refuses a digit option the command does not have", () => {
    expect(() => parse("/dev/nvme0n1", "-5", "1")).toThrow(`cmd: invalid option -- '5' (see "nvmelab help cmd")`);
  });
});

describe("lists", () => {
  it("reads each element with base 0 and names the one out of range, then the command's message", () => {
    expect(value("blocks", "--blocks=0x10,010,7")).toEqual([16, 8, 7]);
    expect(() => parse("--blocks=1,70000")).toThrow(/^70000 out of range\ninvalid range$/);
    expect(() => parse("--blocks=1,x")).toThrow(/^cmd: --blocks: 'x' is not a number\ninvalid range$/);
  });
});

describe("named values as argconfig_match_val matches them (OPT_VALS)", () => {
  const vals = [["host-behavior", 0x16], ["host-id", 0x81], ["kato", 0x0f], ["fdp", 0x1d], ["fdp-events", 0x1e]] as const;
  const fid: OptSpec = { long: "feature-id", short: "f", kind: "byte", help: "", vals };

  it("takes a name or a unique prefix of one, in any case; a name equal to the value beats longer ones", () => {
    expect(matchVal(vals, "host-behavior")).toBe(0x16);
    expect(matchVal(vals, "HOST-B")).toBe(0x16);
    expect(matchVal(vals, "k")).toBe(0x0f);
    expect(matchVal(vals, "fdp")).toBe(0x1d); // exact, although "fdp-events" starts with it too
    expect(matchVal(vals, "host")).toBeUndefined(); // ambiguous
    expect(matchVal(vals, "kato2")).toBeUndefined();
    expect(matchVal(vals, "")).toBeUndefined();
  });

  it("reads a value that names nothing as a number, with argconfig's message when it is not one", () => {
    expect(parseArgs(["-f", "fdp-e"], [fid], "get-feature").opts.get("feature-id")).toBe(0x1e);
    expect(parseArgs(["--feature-id=0x16"], [fid], "get-feature").opts.get("feature-id")).toBe(0x16);
    expect(() => parseArgs(["-f", "host"], [fid], "get-feature")).toThrow("Expected byte argument for 'feature-id' but got 'host'!");
  });
});
