// Protection information from the command line: a PI namespace from --ns (pi=, pil=), nvme-cli's
// format --lbaf/--ms/--pi/--pil/--ses, read/write/verify/write-zeroes with --prinfo, --ref-tag,
// --app-tag and --app-tag-mask reaching the controller, id-ns -H decoding DPC and DPS, and the
// format kept in the state file.

import { describe, it, expect, beforeEach, afterEach } from "vitest";
import { readFileSync } from "node:fs";
import { cliInTempDir, Cli } from "../harness";

let cli: Cli;
beforeEach(() => { cli = cliInTempDir(); });
afterEach(() => cli.done());

const ST = ["--state", "@STATE"];
const dev = (...a: string[]) => ["/dev/nvme0n1", ...ST, ...a];

describe("protection information", () => {
  it("a type 1 namespace from --ns: id-ns -H decodes DPC and DPS; PRACT writes 512 bytes a block; checks reach the controller", async () => {
    expect((await cli.nvme(["create", ...ST, "--ns", "1M,ms=8,ext,pi=1"])).code).toBe(0);
    const id = await cli.nvme(["id-ns", ...dev("-H")]);
    expect(id.out).toContain("dpc     : 0x1f\n");
    expect(id.out).toContain("  [4:4] : 0x1\tProtection Information Transferred as Last Bytes of Metadata Supported\n");
    expect(id.out).toContain("dps     : 0x1\n");
    expect(id.out).toContain("  [2:0] : 0x1\tProtection Information Type 1 Enabled\n");
    const data = new Uint8Array(1024).map((_, i) => (i * 3) & 0xff);
    const w = await cli.nvme(["write", ...dev("-s", "8", "-c", "1", "-z", "1024", "-p", "8", "-r", "8", "-a", "0x1234")], { stdin: data });
    expect(w.err).toBe("write: Success\n"); // 2 x 512: no rounding to 520-byte blocks with PRACT
    const r = await cli.nvme(["read", ...dev("-s", "8", "-c", "1", "-z", "1040")]);
    expect(r.code).toBe(0);
    expect(Buffer.from(r.bytes.subarray(512 + 2, 512 + 8)).toString("hex")).toBe("123400000008");
    const ok = await cli.nvme(["read", ...dev("-s", "8", "-c", "1", "-z", "1024", "-p", "15", "-r", "8", "-a", "0x1234", "-m", "0xffff")]);
    expect(ok.code).toBe(0);
    expect(Buffer.from(ok.bytes).equals(Buffer.from(data))).toBe(true);
    const app = await cli.nvme(["read", ...dev("-s", "8", "-c", "1", "-z", "1040", "-p", "2", "-a", "0x1235", "-m", "0xffff")]);
    expect(app.code).not.toBe(0);
    expect(app.err).toMatch(/APPTAG_CHECK|Application Tag Check/i);
    const ref = await cli.nvme(["verify", ...dev("-s", "9", "-c", "0", "-p", "1", "-r", "8")]);
    expect(ref.err).toMatch(/INVALID_PI|Invalid Protection Information/i);
    expect((await cli.nvme(["verify", ...dev("-s", "9", "-c", "0", "-p", "1", "-r", "9")])).code).toBe(0);
    const wz = await cli.nvme(["write-zeroes", ...dev("-s", "100", "-c", "0", "-p", "4")]);
    expect(wz.err).toMatch(/INVALID_PI|Invalid Protection Information/i);
  });

  it("copy: --prinfor checks the source with --expected-ref-tags/--expected-app-tags/--expected-app-tag-masks; --prinfow with PRACT generates from --ref-tag/--app-tag", async () => {
    expect((await cli.nvme(["create", ...ST, "--ns", "1M,ms=8,ext,pi=1"])).code).toBe(0);
    expect((await cli.nvme(["write", ...dev("-s", "0", "-c", "1", "-z", "1024", "-p", "8", "-r", "0", "-a", "0x1234")], { stdin: new Uint8Array(1024).fill(5) })).code).toBe(0);
    const ok = await cli.nvme(["copy", ...dev("-d", "100", "-s", "0", "-b", "1", "-P", "7", "-R", "0", "-A", "0x1234", "-M", "0xffff")]);
    expect(ok.code).toBe(0);
    const bad = await cli.nvme(["copy", ...dev("-d", "100", "-s", "0", "-b", "1", "-P", "2", "-A", "0x1235", "-M", "0xffff")]);
    expect(bad.err).toMatch(/APPTAG_CHECK|Application Tag Check/i);
    const gen = await cli.nvme(["copy", ...dev("-d", "200", "-s", "0", "-b", "1", "-P", "8", "-p", "8", "-r", "200", "-a", "0x77")]);
    expect(gen.code).toBe(0);
    const r = await cli.nvme(["read", ...dev("-s", "201", "-c", "0", "-z", "520")]);
    expect(Buffer.from(r.bytes.subarray(512 + 2, 520)).toString("hex")).toBe("0077000000c9"); // application tag 77h, reference tag 201
    const mix = await cli.nvme(["copy", ...dev("-d", "300", "-s", "0", "-b", "0", "-P", "8", "-p", "0")]);
    expect(mix.err).toMatch(/INVALID_FIELD|Invalid Field/i);
  });

  it("format: PI type, location and metadata setting reach the controller, and the state file keeps them", async () => {
    expect((await cli.nvme(["create", ...ST, "--ns", "1M"])).code).toBe(0);
    const bad = await cli.nvme(["format", ...dev("--lbaf=0", "--pi=1", "--force")]);
    expect(bad.code).not.toBe(0);
    expect(bad.err).toMatch(/INVALID_FORMAT|Invalid Format/i);
    const f = await cli.nvme(["format", ...dev("--lbaf=2", "--ms=1", "--pi=3", "--pil=1", "--force")]);
    expect(f.code).toBe(0);
    expect(f.out).toBe("Success formatting namespace:1\n");
    const st = JSON.parse(readFileSync(cli.state, "utf8"));
    expect(st.config.namespaces[0]).toMatchObject({ formatIndex: 2, extended: true, pi: 3, pil: 1 });
    const id = await cli.nvme(["id-ns", ...dev("-H")]);
    expect(id.out).toContain("dps     : 0xb\n");
    expect(id.out).toContain("  [3:3] : 0x1\tProtection Information is Transferred as First Bytes of Metadata\n");
    expect(id.out).toMatch(/LBA Format {2}2 : Metadata Size: 16 {2}bytes - Data Size: 512 bytes - Relative Performance: 0 Best \(in use\)/);
    // The next command opens the saved device: 512 + 16 extended blocks, type 3, a 528-byte read.
    const r = await cli.nvme(["read", ...dev("-s", "0", "-c", "0", "-z", "528")]);
    expect(r.code).toBe(0);
    expect(Buffer.from(r.bytes.subarray(512, 520)).toString("hex")).toBe("ffffffffffffffff"); // erased: the all-ones tuple
  });

  it("format refuses what nvme-cli refuses before sending anything, and warns without --force", async () => {
    expect((await cli.nvme(["create", ...ST, "--ns", "1M,ms=8"])).code).toBe(0);
    const before = cli.snapshot();
    expect((await cli.nvme(["format", ...dev("--lbaf=1", "--pil=2")])).err).toBe("invalid pil:2\n");
    expect((await cli.nvme(["format", ...dev("--lbaf=1", "--block-size=512")])).err).toBe("Invalid specification of both LBAF and Block Size, please specify only one\n");
    expect((await cli.nvme(["format", ...dev("--block-size=1000")])).err).toBe("Invalid value for block size (1000), must be a power of two\n");
    expect(cli.snapshot()).toEqual(before);
    const w = await cli.nvme(["format", ...dev("--pi=2")]);
    expect(w.code).toBe(0);
    expect(w.err).toContain("You are about to format nvme0n1, namespace 0x1.\nWARNING: Format may irrevocably delete this device's data.\n");
    const id = await cli.nvme(["id-ns", ...dev()]);
    expect(id.out).toContain("dps     : 0x2\n"); // the current LBA format (512 + 8) kept, type 2
  });
});
