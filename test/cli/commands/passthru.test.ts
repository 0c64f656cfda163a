// admin-passthru and io-passthru (src/cli/commands/passthru.ts) as nvme-cli's passthru() runs.

import { describe, it, expect, beforeEach, afterEach } from "vitest";
import { cliInTempDir, Cli } from "../harness";

let cli: Cli;
beforeEach(() => { cli = cliInTempDir(); });
afterEach(() => cli.done());

/** The "name : value" lines of --show-command / --dry-run output. */
const shown = (out: string) => Object.fromEntries(out.split("\n").map((l) => /^(\w+)\s+: (\S+)$/.exec(l)).filter((m) => m !== null).map((m) => [m![1], m![2]]));

describe("options", () => {
  it("takes the dword short options -2, -3 and -4 to -9 that help lists, with hex and negative values", async () => {
    const r = await cli.nvme(["io-passthru", "/dev/nvme0n1", "-O", "0x02", "-n", "1", "-2", "2", "-3", "3", "-4", "0x10", "-5", "11",
      "-6", "-1", "-7", "13", "-8", "014", "-9", "15", "--dry-run"]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(shown(r.out)).toMatchObject({ opcode: "02", nsid: "00000001", cdw2: "00000002", cdw3: "00000003", cdw10: "00000010",
      cdw11: "0000000b", cdw12: "ffffffff", cdw13: "0000000d", cdw14: "0000000c", cdw15: "0000000f" });
  });

  it("refuses a dword beyond 32 bits with argconfig's message", async () => {
    const r = await cli.nvme(["io-passthru", "/dev/nvme0n1", "-O", "2", "-4", "0x100000000"]);
    expect(r.code).toBe(1);
    expect(r.err).toBe("Expected word argument for 'cdw10' but got '0x100000000'!\n");
  });
});

describe("flags", () => {
  it("any --flags is refused as nvme_user_cmd refuses it (EINVAL), admin and I/O alike, and nothing is sent", async () => {
    await cli.nvme(["create", "--state", "@STATE", "--ns", "8M"]);
    for (const cmd of [["admin-passthru", "/dev/nvme0", "-O", "0x06", "--cdw10=1", "-l", "4096", "-r"], ["io-passthru", "/dev/nvme0n1", "-n", "1", "-O", "0x02", "-l", "512", "-r"]]) {
      const r = await cli.nvme([...cmd, "--state", "@STATE", "--flags=0x40", "--trace"]);
      expect(r.code, cmd[0]).toBe(1);
      expect(r.err, cmd[0]).toMatch(/^passthru: Invalid argument$/m);
      // the bring-up's own admin commands are in the trace; an I/O Read would be on SQ 1
      expect(r.err, cmd[0]).not.toMatch(/pci_nvme_io_cmd .*sqid 1 opc 0x2\b/);
      const ok = await cli.nvme([...cmd, "--state", "@STATE"]);
      expect(ok.code, cmd[0]).toBe(0);
    }
  });
});

describe("the NSID of io-passthru", () => {
  const read = (dev: string, ...nsid: string[]) => cli.nvme(["io-passthru", dev, "--state", "@STATE", "-O", "0x02", ...nsid, "-l", "512", "-r", "--trace"]);
  const sent = (err: string) => /pci_nvme_io_cmd cid \d+ nsid (0x[0-9a-f]+) sqid 1 opc 0x2/.exec(err)?.[1];

  it("is 0 unless given, and Linux refuses one that is not the namespace device's (EINVAL) before sending it", async () => {
    await cli.nvme(["create", "--state", "@STATE", "--ns", "8M", "--ns", "8M"]);
    for (const [dev, nsid] of [["/dev/nvme0n1", []], ["/dev/nvme0n1", ["-n", "2"]], ["/dev/ng0n2", ["--namespace-id=1"]]] as const) {
      const r = await read(dev, ...nsid);
      expect(r.code, `${dev} ${nsid}`).toBe(1);
      expect(r.err, `${dev} ${nsid}`).toMatch(/^passthru: Invalid argument$/m);
      expect(sent(r.err), `${dev} ${nsid}`).toBeUndefined();
    }
    for (const [dev, nsid] of [["/dev/nvme0n1", "1"], ["/dev/ng0n2", "2"]]) {
      const r = await read(dev, "-n", nsid);
      expect(r.err).toContain("IO Command Read is Success and result: 0x00000000");
      expect(sent(r.err)).toBe(`0x${nsid}`);
    }
  });

  it("on the controller device is refused with more than one namespace, and must be the only one's otherwise", async () => {
    await cli.nvme(["create", "--state", "@STATE", "--ns", "8M", "--ns", "8M"]);
    expect((await read("/dev/nvme0", "-n", "1")).err).toMatch(/^passthru: Invalid argument$/m);
    cli.done();
    cli = cliInTempDir();
    await cli.nvme(["create", "--state", "@STATE", "--ns", "8M"]);
    expect((await read("/dev/nvme0")).err).toMatch(/^passthru: Invalid argument$/m);
    const ok = await read("/dev/nvme0", "-n", "1");
    expect(ok.code).toBe(0);
    expect(sent(ok.err)).toBe("0x1");
  });

  it("is not checked for admin-passthru, on any device", async () => {
    await cli.nvme(["create", "--state", "@STATE"]);
    const r = await cli.nvme(["admin-passthru", "/dev/nvme0n1", "--state", "@STATE", "-O", "0x06", "-n", "1", "-4", "0", "-l", "4096", "-r"]);
    expect(r.err).toBe("Admin Command Identify is Success and result: 0x00000000\n");
  });
});

describe("data", () => {
  it("is written from stdin when there is no --input-file, over the prefilled buffer", async () => {
    await cli.nvme(["create", "--state", "@STATE"]);
    const data = new Uint8Array(300).map((_, i) => (i * 13 + 1) & 0xff);
    const w = await cli.nvme(["io-passthru", "/dev/nvme0n1", "--state", "@STATE", "-O", "0x01", "-n", "1", "-4", "9", "-l", "512", "-p", "0xab"], { stdin: data });
    expect(w.err).toBe("IO Command Write is Success and result: 0x00000000\n");
    expect(w.out).toBe(""); // a write shows no data
    const r = await cli.nvme(["read", "/dev/nvme0n1", "--state", "@STATE", "-s", "9", "-c", "0", "-z", "512"]);
    expect(Array.from(r.bytes.subarray(0, 300))).toEqual(Array.from(data));
    expect(r.bytes.subarray(300).every((b) => b === 0xab)).toBe(true);
  });

  it("needs a direction: from the opcode's bits 1:0 or --read/--write, else \"data direction not given\"", async () => {
    await cli.nvme(["create", "--state", "@STATE"]);
    const r = await cli.nvme(["io-passthru", "/dev/nvme0n1", "--state", "@STATE", "--opcode=0x08", "-n", "1", "--data-len=512", "--trace"]);
    expect(r.code).toBe(1);
    expect(r.err).toBe("data direction not given\n");
    const z = await cli.nvme(["io-passthru", "/dev/nvme0n1", "--state", "@STATE", "--opcode=0x08", "-n", "1", "--data-len=512", "--write"], { stdin: new Uint8Array(512) });
    expect(z.err).toBe("IO Command Write Zeroes is Success and result: 0x00000000\n");
  });
});

describe("--show-command and --dry-run", () => {
  it("print passthru()'s lines: the dwords, the buffers' addresses and lengths, timeout_ms", async () => {
    const r = await cli.nvme(["admin-passthru", "/dev/nvme0", "-O", "6", "-f", "0x40", "-R", "0x12", "-n", "0xffffffff", "-4", "1",
      "-l", "4096", "-m", "16", "-r", "-t", "1000", "--dry-run"]);
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split("\n");
    expect(lines.map((l) => l.slice(0, 13))).toEqual(["opcode       ", "flags        ", "rsvd1        ", "nsid         ", "cdw2         ",
      "cdw3         ", "data_len     ", "metadata_len ", "addr         ", "metadata     ", "cdw10        ", "cdw11        ", "cdw12        ",
      "cdw13        ", "cdw14        ", "cdw15        ", "timeout_ms   "]);
    expect(shown(r.out)).toMatchObject({ opcode: "06", flags: "40", rsvd1: "0012", nsid: "ffffffff", data_len: "00001000", metadata_len: "00000010",
      cdw10: "00000001", timeout_ms: "000003e8" });
    expect(shown(r.out).addr).toMatch(/^[1-9a-f][0-9a-f]*$/); // PRIx64: no padding
    expect(shown(r.out).metadata).toMatch(/^[1-9a-f][0-9a-f]*$/);
    expect(r.err).toBe(""); // nothing sent
    const none = shown((await cli.nvme(["io-passthru", "/dev/nvme0n1", "-O", "0", "-n", "1", "-s"])).out);
    expect([none.addr, none.metadata]).toEqual(["0", "0"]); // no buffers: NULL pointers
  });
});

describe("without --opcode", () => {
  it("is refused in nvme-cli's words instead of sending opcode 0", async () => {
    const a = await cli.nvme(["admin-passthru", "/dev/nvme0", "--trace"]);
    expect(a.code).toBe(1);
    expect(a.err).toBe("admin-passthru: opcode parameter required\n");
    const i = await cli.nvme(["io-passthru", "/dev/nvme0n1", "-n", "1"]);
    expect(i.err).toBe("io-passthru: opcode parameter required\n");
  });
});
