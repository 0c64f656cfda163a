// The admin commands (src/cli/commands/admin.ts) as a user runs them against a state file.

import { describe, it, expect, beforeEach, afterEach } from "vitest";
import { cliInTempDir, Cli } from "../harness";

let cli: Cli;
beforeEach(() => { cli = cliInTempDir(); });
afterEach(() => cli.done());

/** The fields of error-log's Entry[i] (nvme-cli's normal output), by name. */
function entry(out: string, i: number): Record<string, string> {
  const block = out.split(/ Entry\[\s*\d+\]\n/)[i + 1] ?? "";
  return Object.fromEntries(block.split("\n").map((l) => /^(\w+)\s*: (.*)$/.exec(l)).filter((m) => m !== null).map((m) => [m![1], m![2]]));
}

describe("error-log with a state file", () => {
  it("shows the failed commands of earlier calls, newest first, and matches the SMART log's count", async () => {
    await cli.nvme(["create", "--state", "@STATE"]);
    // 64 MiB namespace of 512-byte blocks: LBA 2097152 is past its end.
    const r1 = await cli.nvme(["read", "/dev/nvme0n1", "--state", "@STATE", "-s", "2097152", "-c", "0", "-z", "512"]);
    expect(r1.err).toContain("LBA Out of Range");
    const r2 = await cli.nvme(["write", "/dev/nvme0n1", "--state", "@STATE", "-s", "2097160", "-c", "0", "-z", "512"], { stdin: new Uint8Array(512) });
    expect(r2.err).toContain("LBA Out of Range");

    const log = await cli.nvme(["error-log", "/dev/nvme0", "--state", "@STATE", "-e", "3"]);
    expect(log.code).toBe(0);
    const [newest, older, unused] = [0, 1, 2].map((i) => entry(log.out, i));
    expect(newest).toMatchObject({ error_count: "2", sqid: "1", cmdid: "0", status_field: expect.stringMatching(/^0x4080\b/), lba: "0x200008", nsid: "0x1", opcode: "0x1" });
    expect(older).toMatchObject({ error_count: "1", sqid: "1", cmdid: "0", status_field: expect.stringMatching(/^0x4080\b/), lba: "0x200000", nsid: "0x1", opcode: "0x2" });
    expect(unused.error_count).toBe("0");

    const smart = JSON.parse((await cli.nvme(["smart-log", "/dev/nvme0", "--state", "@STATE", "-o", "json"])).out);
    expect(smart.num_err_log_entries).toBe(2);
  });
});

describe("set-feature", () => {
  it("reads the feature's data from stdin when no --data file is given, zeroes when stdin gives nothing", async () => {
    await cli.nvme(["create", "--state", "@STATE", "--ns", "8M", "--ns", "8M"]);
    const hbs = new Uint8Array(512);
    hbs[4] = 0x0c; // Host Behavior Support: CDFE = 0Ch, Copy formats 2h and 3h
    const s = await cli.nvme(["set-feature", "/dev/nvme0", "--state", "@STATE", "-f", "0x16"], { stdin: hbs });
    expect(s.code).toBe(0);
    const g = await cli.nvme(["get-feature", "/dev/nvme0", "--state", "@STATE", "-f", "0x16", "-H"]);
    expect(g.out).toMatch(/Copy Descriptor Format 2h Enabled.*True/);
    const c = await cli.nvme(["copy", "/dev/nvme0n1", "--state", "@STATE", "--sdlba=100", "--slbs=0", "--blocks=0", "--snsids=2", "--format=2"]);
    expect(c.out).toBe("NVMe Copy: success\n");
    await cli.nvme(["set-feature", "/dev/nvme0", "--state", "@STATE", "-f", "0x16"]); // stdin a terminal
    const off = await cli.nvme(["get-feature", "/dev/nvme0", "--state", "@STATE", "-f", "0x16", "-H"]);
    expect(off.out).toMatch(/Copy Descriptor Format 2h Enabled.*False/);
  });
});

describe("get-feature and set-feature without -n", () => {
  // get_feature / set_feature ask nvme_get_nsid when -n is not seen: the namespace's NSID on a
  // namespace device, NVME_NSID_ALL on the controller (NVME_IOCTL_ID fails with ENOTTY there).
  // The controller (as QEMU's) takes FFFFFFFFh for Set Features of a namespace-specific feature
  // but not for Get Features, and refuses a namespace's NSID for a controller-wide feature.
  it("send FFFFFFFFh on /dev/nvme0 and the namespace's NSID on /dev/nvme0n1; -n 0 is sent as 0", async () => {
    const all = await cli.nvme(["set-feature", "/dev/nvme0", "-f", "5", "-V", "0x64"]);
    expect(all.err).toBe("");
    expect(all.out).toBe("set-feature:0x05 (Error Recovery), value:0x00000064, cdw12:00000000, save:0\n");
    const get = await cli.nvme(["get-feature", "/dev/nvme0", "-f", "5"]);
    expect(get.code).toBe(1);
    expect(get.err).toMatch(/^get-feature:0x05 \(Error Recovery\): NVMe status: Invalid Namespace or Format: .*\(0x400b\)\n$/);
    const ns = await cli.nvme(["get-feature", "/dev/nvme0n1", "-f", "5"]);
    expect(ns.out).toBe("get-feature:0x05 (Error Recovery), Current value:00000000\n");
    const wide = await cli.nvme(["set-feature", "/dev/nvme0n1", "-f", "1", "-V", "3"]);
    expect(wide.code).toBe(1);
    expect(wide.err).toMatch(/^NVMe status: Feature Not Namespace Specific: .*\(0x410f\)\n$/);
    const zero = await cli.nvme(["set-feature", "/dev/nvme0", "-n", "0", "-f", "5", "-V", "0x64"]);
    expect(zero.err).toMatch(/^NVMe status: Invalid Namespace or Format: /);
  });
});

describe("get-feature --sel and --changed", () => {
  it("refuses a select above 3 and a UUID index above 127 as nvme-cli master's get_feature does", async () => {
    for (const sel of ["4", "8", "255"]) {
      const bad = await cli.nvme(["get-feature", "/dev/nvme0", "-f", "1", "-s", sel]);
      expect(bad.code).toBe(1);
      expect(bad.err).toBe(`invalid 'select' param:${sel}\n`);
      expect(bad.out).toBe("");
    }
    const uuid = await cli.nvme(["get-feature", "/dev/nvme0", "-f", "1", "-U", "128"]);
    expect(uuid.err).toBe("invalid uuid index param: 128\n");
  });

  it("--changed reads current then default and shows the features that differ, with the second read's select in the line", async () => {
    await cli.nvme(["create", "--state", "@STATE"]);
    // Nothing changed: only Host Behavior shows, because get_feature_id_changed also shows a
    // feature whose two data buffers compare equal as C strings (both start with a zero byte).
    const none = await cli.nvme(["get-feature", "/dev/nvme0n1", "--state", "@STATE", "-C"]);
    expect(none.out.split("\n").filter((l) => l.startsWith("get-feature:"))).toEqual(["get-feature:0x16 (Host Behavior), Default value:00000000"]);
    await cli.nvme(["set-feature", "/dev/nvme0", "--state", "@STATE", "-f", "1", "-V", "3"]);
    const one = await cli.nvme(["get-feature", "/dev/nvme0", "--state", "@STATE", "--changed", "-f", "arbitration"]);
    expect(one.out).toBe("get-feature:0x01 (Arbitration), Default value:0x00000003\n");
    expect(one.code).toBe(0);
  });
});

describe("get-feature without --feature-id", () => {
  // get_feature_ids (nvme-cli master): FIDs 00h to FFh one after another; Invalid Field (not
  // supported) passes in silence, Invalid Namespace is reported with the feature and the scan
  // goes on, and the command's status is the last FID's, FFh's Invalid Field.
  const lines = [
    "get-feature:0x01 (Arbitration), Current value:0x00000007",
    "get-feature:0x02 (Power Management), Current value:00000000",
    "get-feature:0x04 (Temperature Threshold), Current value:0x00000157",
    "get-feature:0x05 (Error Recovery), Current value:00000000",
    "get-feature:0x06 (Volatile Write Cache), Current value:0x00000001",
    "get-feature:0x07 (Number of Queues), Current value:0x003f003f",
    "get-feature:0x08 (Interrupt Coalescing), Current value:00000000",
    "get-feature:0x09 (Interrupt Vector Configuration), Current value:0x00010000",
    "get-feature:0x0a (Write Atomicity Normal), Current value:00000000",
    "get-feature:0x0b (Async Event Configuration), Current value:00000000",
    "get-feature:0x16 (Host Behavior), Current value:00000000",
    "       0  1  2  3  4  5  6  7  8  9  a  b  c  d  e  f",
    "0000: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 \"................\"",
    "*",
    "0200:",
    "",
  ];

  it("shows every feature the namespace device answers, in FID order, and exits 1 with FFh's status", async () => {
    const r = await cli.nvme(["get-feature", "/dev/nvme0n1"]);
    expect(r.out).toBe(lines.join("\n") + "\n");
    expect(r.err).toBe("");
    expect(r.code).toBe(1);
    const zero = await cli.nvme(["get-feature", "/dev/nvme0n1", "-f", "0"]); // -f 0 is no -f
    expect(zero.out).toBe(r.out);
  });

  it("on the controller device reports the per-namespace feature's Invalid Namespace and goes on", async () => {
    const r = await cli.nvme(["get-feature", "/dev/nvme0"]);
    expect(r.out).toBe(lines.filter((l) => !l.startsWith("get-feature:0x05")).join("\n") + "\n");
    expect(r.err).toBe("get-feature:0x05 (Error Recovery): NVMe status: Invalid Namespace or Format: The namespace or the format of that namespace is invalid(0x400b)\n");
    expect(r.code).toBe(1);
  });

  it("sends a Get Features for each of the 256 FIDs (the controller's trace), one for -f", async () => {
    const count = (err: string) => err.split("\n").filter((l) => l.includes("opname 'Get Features'")).length;
    expect(count((await cli.nvme(["get-feature", "/dev/nvme0n1", "--trace"])).err)).toBe(256);
    expect(count((await cli.nvme(["get-feature", "/dev/nvme0n1", "-f", "0x80", "--trace"])).err)).toBe(1);
  });

  it("--sel=3 shows each supported feature's capabilities", async () => {
    const r = await cli.nvme(["get-feature", "/dev/nvme0n1", "-s", "3"]);
    const shown = r.out.split("\n").filter((l) => l.startsWith("get-feature:"));
    expect(shown[0]).toBe("get-feature:0x01 (Arbitration), Supported capabilities value:0x00000004");
    expect(shown).toContain("get-feature:0x05 (Error Recovery), Supported capabilities value:0x00000006");
    expect(shown).toHaveLength(11);
    expect(r.out).toContain("get-feature:0x05 (Error Recovery), Supported capabilities value:0x00000006\n  Feature is per-namespace\n  Feature is changeable\n");
    expect(r.out).not.toContain("0000:"); // SEL 011b transfers no data
  });

  it("a single unsupported feature gets the Invalid Field status line, as get_feature_ids prints it for one FID", async () => {
    const r = await cli.nvme(["get-feature", "/dev/nvme0", "-f", "0x0c"]);
    expect(r.out).toBe("");
    expect(r.err).toBe("NVMe status: Invalid Field in Command: A reserved coded value or an unsupported value in a defined field(0x4002)\n");
    expect(r.code).toBe(1);
  });

  it("takes feature names for --feature-id as argconfig_match_val matches them", async () => {
    const full = await cli.nvme(["get-feature", "/dev/nvme0", "-f", "num-queues"]);
    expect(full.out).toBe("get-feature:0x07 (Number of Queues), Current value:0x003f003f\n");
    expect((await cli.nvme(["get-feature", "/dev/nvme0", "--feature-id=NUM-Q"])).out).toBe(full.out);
    const ambiguous = await cli.nvme(["get-feature", "/dev/nvme0", "-f", "host"]);
    expect(ambiguous.err).toBe("Expected byte argument for 'feature-id' but got 'host'!\n");
    expect(ambiguous.code).toBe(1);
    const set = await cli.nvme(["set-feature", "/dev/nvme0", "-f", "volatile-wc", "-V", "0"]);
    expect(set.out).toBe("set-feature:0x06 (Volatile Write Cache), value:00000000, cdw12:00000000, save:0\n");
  });
});

describe("show-regs", () => {
  const names = ["cap", "version", "intms", "intmc", "cc", "csts", "nssr", "aqa", "asq", "acq", "cmbloc", "cmbsz", "bpinfo",
    "bprsel", "bpmbl", "cmbmsc", "cmbsts", "cmbebs", "cmbswtp", "nssd", "crto", "pmrcap", "pmrctl", "pmrsts", "pmrebs",
    "pmrswtp", "pmrmscl", "pmrmscu"];

  it("prints the controller's registers as stdout_ctrl_registers does: names in 8 columns, values %#llx", async () => {
    const r = await cli.nvme(["show-regs", "/dev/nvme0"]);
    expect(r.code).toBe(0);
    const lines = r.out.split("\n");
    expect(lines.pop()).toBe("");
    expect(lines.map((l) => l.slice(0, 10))).toEqual(names.map((n) => `${n.padEnd(8)}: `));
    expect(lines).toContain("version : 0x20100");
    expect(lines).toContain("cc      : 0x460001");
    expect(lines).toContain("csts    : 0x1");
    expect(lines).toContain("aqa     : 0x1f001f");
    expect(lines[lines.length - 1]).toBe("pmrmscu : 0");
  });

  it("-H decodes every register after its line, not only CAP", async () => {
    const r = await cli.nvme(["show-regs", "/dev/nvme0", "-H"]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("version : 0x20100\n\tNVMe specification 2.1.0\n\nintms   : 0\n");
    expect(r.out).toContain("cc      : 0x460001\n\tController Ready Independent of Media Enable (CRIME): Disabled\n");
    expect(r.out).toContain("csts    : 0x1\n\tShutdown Type                   (ST): Controller\n");
    expect(r.out).toContain("aqa     : 0x1f001f\n\tAdmin Completion Queue Size (ACQS): 32\n\tAdmin Submission Queue Size (ASQS): 32\n\n");
    expect(r.out).toContain("cmbloc  : 0\n\tController Memory Buffer feature is not supported\n\n");
    expect(r.out).toContain("crto    : 0\n\tCRIMT                               : 0 secs\n");
    expect(r.out.endsWith("pmrmscu : 0\n\tController Base Address         (CBA): 0\n")).toBe(true);
    const heads = r.out.split("\n").filter((l) => /^\w+ *: /.test(l)).map((l) => l.split(" ")[0]);
    expect(heads).toEqual(names);
  });

  it("-o json has one member per register, -o json -H the decoded fields, -o binary the 0E1Ch raw bytes", async () => {
    const text = (await cli.nvme(["show-regs", "/dev/nvme0"])).out;
    const cap = BigInt(/^cap +: (0x[0-9a-f]+)$/m.exec(text)![1]);
    const j = await cli.nvme(["show-regs", "/dev/nvme0", "-o", "json"]);
    expect(j.out).toMatch(new RegExp(`^\\{\\n  "cap":${cap},\\n  "vs":131328,\\n  "intms":0,`));
    expect(Object.keys(JSON.parse(j.out))).toEqual(names.map((n) => (n === "version" ? "vs" : n)));
    const h = JSON.parse((await cli.nvme(["show-regs", "/dev/nvme0", "-o", "json", "-H"])).out);
    expect(h.vs).toEqual([{ Version: "20100", "NVMe specification": "2.1.0" }]);
    expect(h.cap[0].cap).toBe(cap.toString(16));
    const b = await cli.nvme(["show-regs", "/dev/nvme0", "-o", "binary"]);
    expect(b.out).toBe("");
    expect(b.bytes.length).toBe(0xe1c);
    expect(new DataView(b.bytes.buffer).getBigUint64(0, true)).toBe(cap);
  });
});

describe("nvm-id-ctrl and nvm-id-ns", () => {
  it("nvm-id-ctrl shows the configured limits, as text, -v, JSON and binary", async () => {
    await cli.nvme(["create", "--state", "@STATE", "--wzsl", "3", "--dmrsl", "4096"]);
    const t = await cli.nvme(["nvm-id-ctrl", "/dev/nvme0", "--state", "@STATE"]);
    expect(t.code).toBe(0);
    expect(t.out.split("\n").slice(0, 7)).toEqual([
      "NVMe Identify Controller NVM:", "vsl    : 0", "wzsl   : 3", "wusl   : 0", "dmrl   : 255", "dmrsl  : 4096", "dmsl   : 18446744073709551615",
    ]);
    const v = await cli.nvme(["nvm-id-ctrl", "/dev/nvme0", "--state", "@STATE", "-v"]);
    expect(v.out).toContain("  [0:0] : 0\tReporting Allocated LBA Not Supported\n");
    const j = await cli.nvme(["nvm-id-ctrl", "/dev/nvme0", "--state", "@STATE", "-o", "json"]);
    expect(j.out).toContain('"wzsl":3,');
    expect(j.out).toContain('"dmsl":18446744073709551615\n');
    const b = await cli.nvme(["nvm-id-ctrl", "/dev/nvme0", "--state", "@STATE", "-o", "binary"]);
    expect(b.bytes.length).toBe(4096);
    expect([b.bytes[1], b.bytes[3]]).toEqual([3, 255]);
  });

  it("nvm-id-ns: the namespace of the device path or -n, the PI format of the format in use", async () => {
    await cli.nvme(["create", "--state", "@STATE", "--ns", "8M", "--ns", "8M,pif=2,ms=16"]);
    const one = await cli.nvme(["nvm-id-ns", "/dev/nvme0n1", "--state", "@STATE"]);
    expect(one.code).toBe(0);
    expect(one.out).toContain("NVMe NVM Identify Namespace 1:\n");
    expect(one.out).toContain("elbaf  0 : qpif:0 pif:0 sts:0  (in use)\n");
    const two = await cli.nvme(["nvm-id-ns", "/dev/nvme0", "--state", "@STATE", "-n", "2", "-U", "0"]);
    expect(two.out).toContain("NVMe NVM Identify Namespace 2:\n");
    expect(two.out).toContain("elbaf  2 : qpif:0 pif:2 sts:0  (in use)\n"); // 512 + 16: 64b guard
    expect(two.out).toContain("elbaf  0 : qpif:0 pif:0 sts:0  \n");
    const j = JSON.parse((await cli.nvme(["nvm-id-ns", "/dev/nvme0n2", "--state", "@STATE", "-o", "json"])).out);
    expect(j.elbafs[2]).toEqual({ sts: 0, pif: 2 });
    expect(j.elbafs).toHaveLength(8);
  });

  it("nvm-id-ns with an invalid NSID: Identify Namespace fails first, with nvme-cli's status line", async () => {
    await cli.nvme(["create", "--state", "@STATE"]);
    const r = await cli.nvme(["nvm-id-ns", "/dev/nvme0", "--state", "@STATE", "-n", "0xffffffff"]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/Invalid Namespace or Format/);
    expect(r.out).toBe("");
  });
});
