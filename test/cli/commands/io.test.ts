// The NVM I/O commands (src/cli/commands/io.ts): read, write, compare, copy, dsm, flush,
// write-zeroes and verify, as nvme-cli's submit_io, copy_cmd, dsm, flush_cmd, ... run them.

import { describe, it, expect, beforeEach, afterEach, vi } from "vitest";
import { cliInTempDir, Cli } from "../harness";
import { NvmeDriver } from "../../../src/driver/nvme";
import { copyDescriptors } from "../../../src/cli/commands/io";

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
      "-g", "0", "-C", "-T", "2", "-S", "7", "-D", "1", "-a", "0xbeef", "-m", "0xffff", "-p", "1", "-f", "--dry-run"], { stdin: new Uint8Array(2048) });
    expect(r.code).toBe(0);
    expect(r.err).toBe("");
    const l = lines(r.out);
    expect(l.map(([k]) => k)).toEqual(["opcode", "nsid", "flags", "control", "nblocks", "metadata", "addr", "slba", "dsmgmt", "reftag", "apptag",
      "appmask", "storagetagcheck", "storagetag", "pif", "sts"]);
    const v = Object.fromEntries(l);
    // control: PRINFO 1 << 10 | FUA | STC | DTYPE 2 << 4; dsmgmt: DSM | DSPEC << 16 (a DTYPE is given)
    expect(v).toMatchObject({ opcode: "01", nsid: "01", flags: "00", control: "4520", nblocks: "0003", slba: "10", dsmgmt: "00070001",
      reftag: "123456789", apptag: "beef", appmask: "ffff", storagetagcheck: "0001", storagetag: "0", pif: "02", sts: "00" });
    expect(v.addr).toMatch(/^[1-9a-f][0-9a-f]*$/);
    expect(v.metadata).toMatch(/^[1-9a-f][0-9a-f]*$/);
    expect(r.out).toMatch(/^storagetagcheck : 0001\nstoragetag      : 0\npif             : 02\nsts             : 00\n$/m);
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

describe("protection information tags in the SQE", () => {
  // nvme-cli (submit_io, write_zeroes, verify_cmd, copy_cmd) places --ref-tag and --storage-tag
  // by the namespace's protection information format (libnvme's nvme_set_var_size_tags) and
  // --app-tag/--app-tag-mask in CDW15, after invalid_tags. The expected dwords of verify and
  // write-zeroes are the ones nvme-cli 2.3 itself sent to this emulator (through an
  // LD_PRELOAD shim for its ioctls); copy follows master's init_pi_tags.
  /** Run one command line and return the I/O commands' SQEs it sent. */
  async function ioSqes(args: string[], opts?: { stdin?: Uint8Array }) {
    const sent: Uint32Array[] = [];
    const exec = NvmeDriver.prototype.exec;
    const spy = vi.spyOn(NvmeDriver.prototype, "exec").mockImplementation(function (this: NvmeDriver, q, sqe, data, t) {
      const r = exec.call(this, q, sqe, data, t);
      if (q.qid !== 0) sent.push(new Uint32Array(r.sqe ?? sqe));
      return r;
    });
    try {
      const r = await cli.nvme(args, opts);
      return { ...r, sent };
    } finally {
      spy.mockRestore();
    }
  }
  const tags = (q: Uint32Array) => [q[2], q[3], q[14], q[15]];

  beforeEach(async () => {
    await cli.nvme(["create", "--state", "@STATE", "--ns", "8M", "--ns", "8M,ms=8,pif=2"]); // 16b guard, 64b guard
  });

  it("verify and write-zeroes: by the namespace's format, the reference tag over CDW14 and (64b guard) CDW3", async () => {
    for (const cmd of ["verify", "write-zeroes"]) {
      const a = await ioSqes([cmd, "/dev/nvme0n1", "--state", "@STATE", "-s", "8", "-c", "1", "-r", "5", "-a", "3", "-m", "0xffff"]);
      expect(a.code).toBe(0);
      expect(tags(a.sent[0])).toEqual([0, 0, 5, 0xffff0003]);
      const b = await ioSqes([cmd, "/dev/nvme0n2", "--state", "@STATE", "-s", "8", "-c", "1", "-r", "0x123456789abc"]);
      expect(b.code).toBe(0);
      expect(tags(b.sent[0])).toEqual([0, 0x1234, 0x56789abc, 0]);
      const c = await ioSqes([cmd, "/dev/nvme0n2", "--state", "@STATE", "-s", "8", "-c", "1", "-r", "7", "-p", "0xf", "-l", "-f", "-C"]);
      expect(c.sent[0][12] >>> 0).toBe(0xfd000001); // LR, FUA, PRINFO Fh, STC; NLB 1
    }
  });

  it("refuses, as invalid_tags does, a reference tag beyond 32 bits on 16b guard and any storage tag (STS 0), sending nothing", async () => {
    for (const cmd of ["verify", "write-zeroes"]) {
      const big = await ioSqes([cmd, "/dev/nvme0n1", "--state", "@STATE", "-s", "0", "-c", "0", "-r", "0x100000000"]);
      expect(big.err).toBe("Reference tag larger than allowed by PIF\n");
      expect(big.code).toBe(1);
      expect(big.sent).toEqual([]);
      const st = await ioSqes([cmd, "/dev/nvme0n2", "--state", "@STATE", "-s", "0", "-c", "0", "-S", "1"]);
      expect(st.err).toBe("Storage tag larger than storage tag size\n");
      expect(st.sent).toEqual([]);
    }
  });

  it("read, write, compare: 16b-guard placement unless --metadata-size, as submit_io reads the format only then", async () => {
    const data = new Uint8Array(4096).fill(0x5a);
    const w = await ioSqes(["write", "/dev/nvme0n1", "--state", "@STATE", "-s", "0", "-c", "7", "-z", "4096", "-r", "0x89abcdef", "-a", "0x1234", "-m", "0xff00"], { stdin: data });
    expect(w.code).toBe(0);
    expect(tags(w.sent[0])).toEqual([0, 0, 0x89abcdef, 0xff001234]);
    // namespace 2 (64b guard) without -y: held to 32 bits and refused before anything is sent
    const refused = await ioSqes(["read", "/dev/nvme0n2", "--state", "@STATE", "-s", "0", "-c", "7", "-z", "4096", "-r", "0x100000000"]);
    expect(refused.err).toBe("Reference tag larger than allowed by PIF\n");
    expect(refused.sent).toEqual([]);
    // with a metadata buffer the 64b-guard format is read: bits 47:32 go to CDW3
    const r = await ioSqes(["read", "/dev/nvme0n2", "--state", "@STATE", "-s", "0", "-c", "7", "-z", "4096", "-y", "64", "-r", "0x123456789abc"]);
    expect(r.code).toBe(0);
    expect(tags(r.sent[0])).toEqual([0, 0x1234, 0x56789abc, 0]);
    const g = await ioSqes(["compare", "/dev/nvme0n1", "--state", "@STATE", "-s", "0", "-c", "7", "-z", "4096", "-g", "1"], { stdin: data });
    expect(g.err).toBe("Storage tag larger than storage tag size\n");
    expect(g.sent).toEqual([]);
  });

  it("copy: the destination namespace's format places ILBRT (CDW3 only for 64b guard), LBAT and LBATM", async () => {
    const a = await ioSqes(["copy", "/dev/nvme0n1", "--state", "@STATE", "--sdlba=100", "--slbs=0,16", "--blocks=3,3", "-r", "0xfedcba98", "-a", "3", "-m", "0xffff"]);
    expect(a.code).toBe(0);
    expect(tags(a.sent[0])).toEqual([0, 0, 0xfedcba98, 0xffff0003]);
    const big = await ioSqes(["copy", "/dev/nvme0n1", "--state", "@STATE", "--sdlba=100", "--slbs=0", "--blocks=3", "-r", "0x123456789abc"]);
    expect(big.err).toBe("Reference tag larger than allowed by PIF\n");
    expect(big.sent).toEqual([]);
    const st = await ioSqes(["copy", "/dev/nvme0n1", "--state", "@STATE", "--sdlba=100", "--slbs=0", "--blocks=3", "-t", "1", "-c"]);
    expect(st.err).toBe("Storage tag larger than storage tag size\n");
    expect(st.sent).toEqual([]);
    // namespace 2 has the 64b-guard format: descriptor format 1h
    const w = await ioSqes(["copy", "/dev/nvme0n2", "--state", "@STATE", "--format=1", "--sdlba=100", "--slbs=0", "--blocks=3", "-r", "0x123456789abc"]);
    expect(w.code).toBe(0);
    expect(tags(w.sent[0])).toEqual([0, 0x1234, 0x56789abc, 0]);
  });
});

describe("copy descriptors", () => {
  const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

  it("format 0h: EILBRT, ELBAT, ELBATM at bytes 24, 28, 30, little endian (QEMU reads them so)", () => {
    const d = copyDescriptors(0, [0x10n], [3], [], [], [0x11223344n], [0x5566], [0x7788], 1);
    expect(hex(d.subarray(24, 32))).toBe("4433221166558877");
  });

  it("format 1h: the expected reference tag big endian in ELBT's last 8 bytes (26-35), as libnvme writes it", () => {
    const d = copyDescriptors(1, [0x10n], [3], [], [], [0x0102_0304_0506_0708n], [0x5566], [0x7788], 1);
    expect(d.length).toBe(40);
    expect(hex(d.subarray(26, 36))).toBe("00000102030405060708");
    expect(hex(d.subarray(36, 40))).toBe("66558877");
    // bits 47:0 (bytes 30-35) are the 64b-guard reference tag QEMU reads
    expect(hex(copyDescriptors(3, [0n], [0], [2], [0], [0x123456789abcn], [], [], 1).subarray(26, 36))).toBe("0000000012345678" + "9abc");
  });
});
