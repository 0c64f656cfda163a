// The CLI as a user runs it: nvme-cli commands against a state file that keeps the device
// between calls, nvme-cli's messages and exit codes, and bad input refused with a message
// that names it, leaving the stored device as it was.

import { describe, it, expect, beforeEach, afterEach } from "vitest";
import { readFileSync, writeFileSync, existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { cliInTempDir, type Cli } from "./harness";

let cli: Cli;
let dir: string;
let state: string;

const nvme = (...args: string[]) => cli.nvme(args);
const snapshot = () => cli.snapshot();

beforeEach(() => {
  cli = cliInTempDir();
  dir = cli.dir;
  state = cli.state;
});
afterEach(() => cli.done());

describe("nvmelab CLI with a state file", () => {
  it("creates a device, writes, copies with several ranges and reads it back across calls", async () => {
    expect((await nvme("create", "--state", "@STATE", "--ns", "64M", "--ns", "16M,lba=4096", "--mssrl", "16", "--mcl", "40", "--msrc", "3")).code).toBe(0);
    const data = new Uint8Array(8 * 512).map((_, i) => (i * 31 + 7) & 0xff);
    writeFileSync(join(dir, "in.bin"), data);
    const w = await nvme("write", "/dev/nvme0n1", "--state", "@STATE", "--start-block=100", "--block-count=7", "--data-size=4096", "--data=in.bin");
    expect(w.err).toContain("write: Success");
    const c = await nvme("copy", "/dev/nvme0n1", "--state", "@STATE", "--sdlba=5000", "--slbs=100,104", "--blocks=3,3");
    expect(c.out.trim()).toBe("NVMe Copy: success");
    const r = await nvme("read", "/dev/nvme0n1", "--state", "@STATE", "-s", "5000", "-c", "7", "-z", "4096");
    expect(r.code).toBe(0);
    expect(Buffer.from(r.bytes).equals(Buffer.from(data))).toBe(true);
    const ns = await nvme("id-ns", "/dev/nvme0n1", "--state", "@STATE");
    expect(ns.out).toMatch(/^nuse\s+: 0x10$/m);
    expect(ns.out).toMatch(/^mssrl\s+: 16$/m);
    expect(ns.out).toMatch(/^mcl\s+: 40$/m);
    expect(ns.out).toMatch(/^msrc\s+: 3$/m);
  });

  it("reports a failed Copy as nvme-cli does, with the failing range in CQE Dword 0", async () => {
    await nvme("create", "--state", "@STATE", "--mssrl", "16");
    const c = await nvme("copy", "/dev/nvme0n1", "--state", "@STATE", "--sdlba=2000", "--slbs=0,8", "--blocks=3,16");
    expect(c.code).toBe(1);
    expect(c.err).toBe("NVMe status: Command Size Limit Exceeded(0x4183)\n"); // copy_cmd's one line
    const v = await nvme("copy", "/dev/nvme0n1", "--state", "@STATE", "--sdlba=2000", "--slbs=0,8", "--blocks=3,16", "-v");
    expect(v.err).toContain("copy: CQE Dword 0 = 1: source range 1 is the first one not copied");
  });

  it("keeps features set with set-feature for later calls: CDFE enables Copy format 2h", async () => {
    await nvme("create", "--state", "@STATE", "--ns", "8M", "--ns", "8M");
    const before = await nvme("copy", "/dev/nvme0n1", "--state", "@STATE", "--sdlba=100", "--slbs=0", "--blocks=0", "--snsids=2", "--format=2");
    expect(before.err).toContain("Invalid Field in Command");
    const hbs = new Uint8Array(512);
    hbs[4] = 0x0c; // CDFE: formats 2h and 3h
    writeFileSync(join(dir, "hbs.bin"), hbs);
    const s = await nvme("set-feature", "/dev/nvme0", "--state", "@STATE", "-f", "0x16", "--data=hbs.bin");
    expect(s.code).toBe(0);
    const g = await nvme("get-feature", "/dev/nvme0", "--state", "@STATE", "-f", "0x16", "-H");
    expect(g.out).toMatch(/Copy Descriptor Format 2h Enabled.*True/);
    const after = await nvme("copy", "/dev/nvme0n1", "--state", "@STATE", "--sdlba=100", "--slbs=0", "--blocks=0", "--snsids=2", "--format=2");
    expect(after.out.trim()).toBe("NVMe Copy: success");
  });

  it("keeps a namespace's feature (Error Recovery on NSID 1) for later calls, restored with its NSID", async () => {
    await nvme("create", "--state", "@STATE", "--ns", "8M");
    const s = await nvme("set-feature", "/dev/nvme0n1", "--state", "@STATE", "-f", "5", "-V", "100");
    expect(s.code).toBe(0);
    const g = await nvme("get-feature", "/dev/nvme0n1", "--state", "@STATE", "-f", "5");
    expect(g.err).toBe("");
    expect(g.code).toBe(0);
    expect(g.out).toMatch(/get-feature:0x05 \(Error Recovery\), Current value:0x0*64/);
  });

  it("counts power cycles and host commands in the SMART log across calls", async () => {
    await nvme("create", "--state", "@STATE");
    writeFileSync(join(dir, "z.bin"), new Uint8Array(512 * 1001));
    await nvme("write", "/dev/nvme0n1", "--state", "@STATE", "-s", "0", "-c", "1000", "-z", String(512 * 1001), "-d", "z.bin");
    const j = JSON.parse((await nvme("smart-log", "/dev/nvme0", "--state", "@STATE", "-o", "json")).out);
    expect(j.power_cycles).toBe(3);
    expect(j.host_write_commands).toBe(1);
    expect(j.data_units_written).toBe(2); // 1001 x 512 bytes, in 512,000-byte units rounded up
    expect(j.unsafe_shutdowns).toBe(0);
  });

  it("decodes id-ctrl as nvme-cli -H does, and as JSON", async () => {
    const h = await nvme("id-ctrl", "/dev/nvme0", "-H");
    expect(h.out).toMatch(/^oncs\s+: 0x79d$/m);
    expect(h.out).toContain("[8:8] : 0x1\tCopy Supported");
    expect(h.out).toContain("[2:2] : 0x1\tController Copy Format 2h Supported");
    const j = JSON.parse((await nvme("id-ctrl", "/dev/nvme0", "--output-format=json")).out);
    expect(j.oncs).toBe(0x79d);
    expect(j.ocfs).toBe(0xf);
    expect(j.mdts).toBe(7);
  });

  it("sends raw commands with admin-passthru and io-passthru", async () => {
    const a = await nvme("admin-passthru", "/dev/nvme0", "--opcode=0x06", "--cdw10=1", "--data-len=4096", "--read");
    expect(a.err).toContain("Admin Command Identify is Success and result: 0x00000000");
    expect(a.out).toMatch(/^0000: 36 1b f4 1a/m); // VID 1B36h, SSVID 1AF4h
    const b = await nvme("io-passthru", "/dev/nvme0n1", "--opcode=0xff", "--namespace-id=1");
    expect(b.code).toBe(1);
    expect(b.err).toContain("NVMe status: Invalid Command Opcode");
  });

  it("imports a raw image and exports it back unchanged", async () => {
    await nvme("create", "--state", "@STATE", "--ns", "1M");
    const img = new Uint8Array(1 << 20);
    img.set([1, 2, 3, 4], 512 * 77);
    writeFileSync(join(dir, "in.img"), img);
    expect((await nvme("import-image", "/dev/nvme0n1", join(dir, "in.img"), "--state", "@STATE")).code).toBe(0);
    expect((await nvme("export-image", "/dev/nvme0n1", join(dir, "out.img"), "--state", "@STATE")).code).toBe(0);
    expect(Buffer.compare(readFileSync(join(dir, "out.img")), Buffer.from(img))).toBe(0);
    const r = await nvme("read", "/dev/nvme0n1", "--state", "@STATE", "-s", "77", "-c", "0", "-z", "512");
    expect(Array.from(r.bytes.subarray(0, 4))).toEqual([1, 2, 3, 4]);
  });

  it("replays an oracle trace and compares it with QEMU's result", async () => {
    const fixtures = join(__dirname, "../fixtures/oracle");
    writeFileSync(join(dir, "t.json"), readFileSync(join(fixtures, "traces/admin.json")));
    writeFileSync(join(dir, "q.json"), readFileSync(join(fixtures, "results/admin.qemu-10.0.2.json")));
    const r = await nvme("replay", "t.json", "--out", "ours.json", "--compare", "q.json");
    expect(r.out).toContain("op 77 (raw 'Get Features with FUSE = 01b'): dnr: 0 != 1");
    expect(r.out).toContain("1 difference(s)");
    expect(JSON.parse(readFileSync(join(dir, "ours.json"), "utf8")).schema).toBe("qemu-nvme-oracle-result/1");
  });
});

describe("bad input: a clear message, and the stored device unchanged", () => {
  beforeEach(async () => {
    await nvme("create", "--state", "@STATE", "--ns", "4M");
    writeFileSync(join(dir, "in.bin"), new Uint8Array(4096).fill(9));
    await nvme("write", "/dev/nvme0n1", "--state", "@STATE", "-s", "0", "-c", "7", "-z", "4096", "-d", "in.bin");
  });

  const cases: Array<[string, string[], RegExp]> = [
    ["an unknown option", ["copy", "/dev/nvme0n1", "--state", "@STATE", "--sdlab=3"], /copy: unrecognized option '--sdlab'/],
    ["a bad number", ["copy", "/dev/nvme0n1", "--state", "@STATE", "--sdlba=12x"], /^Expected long suffixed integer argument for 'sdlba' but got '12x'!$/m],
    ["a value out of range", ["copy", "/dev/nvme0n1", "--state", "@STATE", "--slbs=1", "--blocks=70000"], /^70000 out of range\ninvalid range$/m],
    ["no device", ["id-ctrl", "/dev/sda", "--state", "@STATE"], /id-ctrl: "\/dev\/sda" is not an NVMe device/],
    ["a second controller", ["id-ctrl", "/dev/nvme1", "--state", "@STATE"], /no such device/],
    ["too many ranges", ["copy", "/dev/nvme0n1", "--state", "@STATE", `--slbs=${Array(257).fill(0).join(",")}`], /^invalid range$/m],
    ["snsids with format 0", ["copy", "/dev/nvme0n1", "--state", "@STATE", "--slbs=0", "--snsids=1"], /^formats 0 and 1 do not support cross-namespace copy$/m],
    ["a configuration change of an existing device", ["id-ctrl", "/dev/nvme0", "--state", "@STATE", "--mdts", "5"], /already holds a device/],
    ["a missing data size", ["read", "/dev/nvme0n1", "--state", "@STATE"], /data size not provided/],
    ["an unknown command", ["frobnicate"], /unknown command "frobnicate"/],
  ];
  for (const [what, args, message] of cases) {
    it(`${what}`, async () => {
      const before = snapshot();
      const r = await nvme(...args);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(message);
      expect(snapshot()).toEqual(before);
    });
  }

  it("a state file that is not one", async () => {
    writeFileSync(state, "{\"format\": \"something else\"}");
    const r = await nvme("list", "--state", "@STATE");
    expect(r.err).toMatch(/not an nvmelab state file/);
    expect(readFileSync(state, "utf8")).toBe("{\"format\": \"something else\"}");
  });

  it("a bad --ns spec names the key", async () => {
    const r = await nvme("create", "--state", join(dir, "other.json"), "--ns", "64M,lba=1000");
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/no LBA format with 1000-byte data/);
    expect(existsSync(join(dir, "other.json"))).toBe(false);
  });

  it("a big sparse namespace costs little", async () => {
    const r = await nvme("create", "--state", join(dir, "big.json"), "--ns", "1T");
    expect(r.code).toBe(0);
    expect(statSync(join(dir, "big.ns1.img")).blocks * 512).toBeLessThan(1 << 20);
  });
});
