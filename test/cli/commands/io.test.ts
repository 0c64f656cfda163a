// The NVM I/O commands (src/cli/commands/io.ts): read, write, compare, copy, dsm, flush,
// write-zeroes and verify, as nvme-cli's submit_io, copy_cmd, dsm, flush_cmd, ... run them.

import { describe, it, expect, beforeEach, afterEach } from "vitest";
import { cliInTempDir, Cli } from "../harness";

let cli: Cli;
beforeEach(() => { cli = cliInTempDir(); });
afterEach(() => cli.done());

describe("numbers", () => {
  it("takes suffix_binary_parse's sizes and strtoul's hex for read and write", async () => {
    await cli.nvme(["create", "--state", "@STATE"]);
    const data = new Uint8Array(2048).map((_, i) => (i * 7) & 0xff);
    const w = await cli.nvme(["write", "/dev/nvme0n1", "--state", "@STATE", "-s", "0x10", "-c", "0x3", "-z", "2Ki"], { stdin: data });
    expect(w.err).toBe("write: Success\n");
    const r = await cli.nvme(["read", "/dev/nvme0n1", "--state", "@STATE", "--start-block=020", "--block-count=3", "--data-size=0x800"]);
    expect(r.code).toBe(0);
    expect(Buffer.from(r.bytes).equals(Buffer.from(data))).toBe(true);
  });

  it("refuses a size suffix nvme-cli does not know, and a block count beyond 16 bits, changing nothing", async () => {
    await cli.nvme(["create", "--state", "@STATE"]);
    const before = cli.snapshot();
    const k = await cli.nvme(["write", "/dev/nvme0n1", "--state", "@STATE", "-s", "0", "-c", "7", "-z", "4k"], { stdin: new Uint8Array(4096) });
    expect(k.code).toBe(1);
    expect(k.err).toBe("Expected long suffixed integer argument for 'data-size' but got '4k'!\n");
    const c = await cli.nvme(["write", "/dev/nvme0n1", "--state", "@STATE", "-s", "0", "-c", "70000", "-z", "512"], { stdin: new Uint8Array(512) });
    expect(c.err).toBe("Expected short argument for 'block-count' but got '70000'!\n");
    expect(cli.snapshot()).toEqual(before);
  });

  it("says how much host memory there is when --data-size does not fit it", async () => {
    const r = await cli.nvme(["read", "/dev/nvme0n1", "-s", "0", "-c", "0", "-z", "1Gi"]);
    expect(r.code).toBe(1);
    expect(r.err).toBe("read: cannot allocate a data buffer of 1073741824 bytes (--data-size): host memory is 67108864 bytes (a new device takes --host-ram)\n");
  });
});

describe("flush", () => {
  it("on the controller device without -n fails as flush_cmd's nvme_get_nsid does there", async () => {
    await cli.nvme(["create", "--state", "@STATE"]);
    const r = await cli.nvme(["flush", "/dev/nvme0", "--state", "@STATE", "--trace"]);
    expect(r.code).toBe(1);
    expect(r.out).toBe("");
    expect(r.err).toBe("get-namespace-id: Inappropriate ioctl for device\n"); // the trace is not printed: nothing ran
  });

  it("flushes every namespace with -n 0xffffffff, and the device's namespace when -n is 0 or absent", async () => {
    await cli.nvme(["create", "--state", "@STATE"]);
    for (const args of [["/dev/nvme0", "-n", "0xffffffff"], ["/dev/nvme0n1"], ["/dev/nvme0n1", "-n", "0"]]) {
      const r = await cli.nvme(["flush", ...args, "--state", "@STATE", "--trace"]);
      expect(r.out, args.join(" ")).toBe("NVMe Flush: success\n");
      expect(r.err, args.join(" ")).toContain(`pci_nvme_io_cmd cid 0 nsid ${args[2] === "0xffffffff" ? "0xffffffff" : "0x1"} sqid 1 opc 0x0 opname 'Flush'`);
    }
  });
});

describe("--show-command and --dry-run", () => {
  const lines = (out: string) => out.trimEnd().split("\n").map((l) => l.split(/\s+:\s/) as [string, string]);

  it("print every line of submit_io's, in its order and formats, and send nothing with --dry-run", async () => {
    await cli.nvme(["create", "--state", "@STATE", "--ns", "8M,ms=8,pif=2"]);
    const before = cli.snapshot();
    const r = await cli.nvme(["write", "/dev/nvme0n1", "--state", "@STATE", "-s", "0x10", "-c", "3", "-z", "2Ki", "-y", "32", "-r", "0x123456789",
      "-g", "5", "-C", "-T", "2", "-S", "7", "-D", "1", "-a", "0xbeef", "-m", "0xffff", "-p", "1", "-f", "--dry-run"], { stdin: new Uint8Array(2048) });
    expect(r.code).toBe(0);
    expect(r.err).toBe("");
    const l = lines(r.out);
    expect(l.map(([k]) => k)).toEqual(["opcode", "nsid", "flags", "control", "nblocks", "metadata", "addr", "slba", "dsmgmt", "reftag", "apptag",
      "appmask", "storagetagcheck", "storagetag", "pif", "sts"]);
    const v = Object.fromEntries(l);
    // control: PRINFO 1 << 10 | FUA | STC | DTYPE 2 << 4; dsmgmt: DSM | DSPEC << 16 (a DTYPE is given)
    expect(v).toMatchObject({ opcode: "01", nsid: "01", flags: "00", control: "4520", nblocks: "0003", slba: "10", dsmgmt: "00070001",
      reftag: "123456789", apptag: "beef", appmask: "ffff", storagetagcheck: "0001", storagetag: "5", pif: "02", sts: "00" });
    expect(v.addr).toMatch(/^[1-9a-f][0-9a-f]*$/);
    expect(v.metadata).toMatch(/^[1-9a-f][0-9a-f]*$/);
    expect(r.out).toMatch(/^storagetagcheck : 0001\nstoragetag      : 5\npif             : 02\nsts             : 00\n$/m);
    expect(cli.snapshot()[1]).toEqual(before[1]); // the namespace's image: nothing written
  });

  it("leave DSPEC out of dsmgmt without a DTYPE, and pif at 0 without --metadata-size, as submit_io does", async () => {
    await cli.nvme(["create", "--state", "@STATE", "--ns", "8M,pif=2"]);
    const v = Object.fromEntries(lines((await cli.nvme(["read", "/dev/nvme0n1", "--state", "@STATE", "-s", "0", "-c", "0", "-z", "512", "-S", "7", "-V"])).out).slice(0, 16));
    expect(v).toMatchObject({ dsmgmt: "00000000", metadata: "0", reftag: "0", storagetag: "0", pif: "00" });
  });
});

describe("argument errors, in nvme-cli's words and order", () => {
  const refused = async (args: string[], message: string) => {
    const before = cli.snapshot();
    const r = await cli.nvme([...args, "--state", "@STATE"]);
    expect(r.code, args.join(" ")).toBe(1);
    expect(r.out, args.join(" ")).toBe("");
    expect(r.err, args.join(" ")).toBe(message + "\n");
    expect(cli.snapshot()).toEqual(before);
  };

  it("copy: copy_cmd's format, namespace list and range checks, before it asks the device for the NSID", async () => {
    await cli.nvme(["create", "--state", "@STATE"]);
    await refused(["copy", "/dev/nvme0n1", "--format=4", "--slbs=0", "--blocks=0"], "invalid format");
    await refused(["copy", "/dev/nvme0n1", "--format=1", "--slbs=0", "--blocks=0", "--snsids=1"], "formats 0 and 1 do not support cross-namespace copy");
    await refused(["copy", "/dev/nvme0n1", "--format=2", "--slbs=0,8", "--blocks=0,0", "--snsids=1"], "formats 2 and 3 require source namespace ids for each source range");
    await refused(["copy", "/dev/nvme0n1", "--sdlba=9"], "invalid range");
    await refused(["copy", "/dev/nvme0", "--sdlba=9"], "invalid range"); // not get-namespace-id: the ranges come first
    await refused(["copy", "/dev/nvme0n1", "--slbs=0", "--expected-ref-tags=0x100000000"], "0x100000000 out of range\ninvalid range");
    await refused(["copy", "/dev/nvme0", "--slbs=0", "--blocks=0"], "get-namespace-id: Inappropriate ioctl for device");
  });

  it("dsm: \"No range definition provided\" for no range, too many, or a bad list, before the NSID", async () => {
    await cli.nvme(["create", "--state", "@STATE"]);
    await refused(["dsm", "/dev/nvme0n1", "--ad"], "No range definition provided");
    await refused(["dsm", "/dev/nvme0", "--ad"], "No range definition provided");
    await refused(["dsm", "/dev/nvme0n1", "--ad", `--slbs=${Array(257).fill(0).join(",")}`], "No range definition provided");
    await refused(["dsm", "/dev/nvme0n1", "--ad", "--slbs=0", "--blocks=0x100000000"], "0x100000000 out of range\nNo range definition provided");
  });
});
