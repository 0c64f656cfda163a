// The console's shell as it runs in the host worker, here in Node on a stepped controller:
// words and redirections, the in-memory files (the bundled examples among them), standard
// input's built-in pattern, read's bytes as a hexdump, blk and fio on the examples, errors as
// standard error (never thrown), Node-only commands and options refused with a reason, and
// output batched in order.

import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { Shell, MemFs, tokenize, normalizePath, patternBytes, printable, stderrKind, Output, ShellError, type Chunk } from "../../web/console/shell";
import { initialFiles } from "../../web/console/files";
import { BROWSER_COMMANDS, NODE_ONLY } from "../../src/cli/browser";
import { COMMANDS } from "../../src/cli/commands/index";
import { loadCoreModule } from "../../src/node/wasm";
import { Sha256 } from "../../src/util/sha256";
import * as L from "../../assembly/layout";
import { rig, type Rig } from "../helpers";

describe("tokenize", () => {
  it("splits words with quotes and backslashes, and takes < and > files", () => {
    expect(tokenize(`write  /dev/nvme0n1 -z 512 --data='my file' "a\\"b" c\\ d`)).toEqual({
      words: ["write", "/dev/nvme0n1", "-z", "512", "--data=my file", 'a"b', "c d"],
    });
    expect(tokenize("read /dev/nvme0n1 -z 512 >out.bin < in.bin")).toEqual({ words: ["read", "/dev/nvme0n1", "-z", "512"], stdout: "out.bin", stdin: "in.bin" });
    expect(tokenize("  ")).toEqual({ words: [] });
    expect(tokenize("x ''")).toEqual({ words: ["x", ""] });
  });

  it("refuses what it cannot do, saying why", () => {
    expect(() => tokenize("list | grep nvme")).toThrow(ShellError);
    expect(() => tokenize("list; list")).toThrow(/one command per line/);
    expect(() => tokenize("cat 'x")).toThrow(/unterminated single quote/);
    expect(() => tokenize("read >")).toThrow(/give a file name/);
  });
});

describe("files", () => {
  it("normalizes paths and lists directories", () => {
    expect(normalizePath("/examples/./blk//../blk/ctx-gc.json")).toBe("examples/blk/ctx-gc.json");
    const fs = new MemFs({ "a/b.txt": "hi", "a/c/d.bin": new Uint8Array(3), "top": "x" });
    expect(fs.list("")).toEqual([{ name: "a", dir: true, size: 0 }, { name: "top", dir: false, size: 1 }]);
    expect(fs.list("/a/")).toEqual([{ name: "c", dir: true, size: 0 }, { name: "b.txt", dir: false, size: 2 }]);
    expect(() => fs.read("a")).toThrow(/is a directory/);
    expect(() => fs.read("nope")).toThrow(/no such file/);
    expect(() => fs.write("a", new Uint8Array(1))).toThrow(/is a directory/);
  });

  it("holds every example of the repository under its path, and the data files", () => {
    const files = Object.keys(initialFiles());
    expect(files).toContain("examples/blk/ctx-gc.json");
    expect(files).toContain("examples/fio/copy.fio");
    expect(files).toContain("examples/fio/setup-dm-linear.json");
    expect(files).toContain("data/pattern.bin");
  });

  it("makes a pattern whose 16-byte records name their offset", () => {
    const p = patternBytes(40);
    expect(new TextDecoder().decode(p.subarray(0, 32))).toBe("nvmelab 00000000nvmelab 00000010");
    expect(new TextDecoder().decode(p.subarray(32))).toBe("nvmelab ");
  });
});

describe("output", () => {
  it("batches in order, joins a stream's text and shows control characters as dots", () => {
    let t = 0;
    const got: Array<[Chunk[], number]> = [];
    const out = new Output((c, n) => got.push([c, n]), 10, 100, () => t);
    out.write("out", "ab");
    out.write("out", "c\x1b[2J");
    out.write("err", "e\n");
    expect(got).toEqual([]);
    out.write("out", "long enough");
    expect(got).toEqual([[[{ stream: "out", text: "abc.[2J" }, { stream: "err", text: "e\n" }, { stream: "out", text: "long enough" }], 0]]);
    out.write("note", "n");
    t = 150;
    out.write("note", "m");
    out.flush();
    expect(got.slice(1)).toEqual([[[{ stream: "note", text: "nm" }], 1]]);
    expect(out.batches).toBe(2);
    expect(printable("a\tb\nc\x07\x7f")).toBe("a\tb\nc..");
  });

  it("tells errors from nvme-cli's success lines and the CLI's warnings", () => {
    expect(stderrKind("write: Success")).toBe("ok");
    expect(stderrKind("IO Command Read is Success and result: 0x00000000")).toBe("ok");
    expect(stderrKind("Rounding data size to fit block count (4096 bytes)")).toBe("warn");
    expect(stderrKind("seed 001: dm-snapshot copy-on-write, single against per-CPU kcopyd ...")).toBe("warn");
    expect(stderrKind("pci_nvme_admin_cmd cid 0 sqid 0 opc 0x6 opname 'Identify'")).toBe("note");
    expect(stderrKind('nvmelab: unknown command "x" (see "nvmelab help")')).toBe("err");
    expect(stderrKind("NVMe status: LBA Out of Range: The command references an LBA that exceeds the size of the namespace(0x4080)")).toBe("err");
  });
});

describe("browser command table", () => {
  it("has every command of the Node CLI, in order; the Node-only ones say why", () => {
    expect(BROWSER_COMMANDS.map((c) => c.name)).toEqual(COMMANDS.map((c) => c.name));
    for (const name of Object.keys(NODE_ONLY)) expect(BROWSER_COMMANDS.find((c) => c.name === name)!.summary).toMatch(/Node CLI only/);
  });
});

describe("Shell on a stepped controller", () => {
  let r: Rig;
  let shell: Shell;
  let boots = 0;

  beforeAll(async () => {
    r = await rig({ debug: false });
    const module = await loadCoreModule(false);
    shell = new Shell(new MemFs(initialFiles()), {
      platform: { loadModule: async () => module, sha256: () => new Sha256(), env: {} },
      async device() {
        boots++;
        return { core: r.core, port: r.port, driver: r.driver, recordFeature() {} };
      },
    });
  });
  afterAll(() => r.close());

  async function run(line: string): Promise<{ code: number; out: string; err: string; chunks: Chunk[] }> {
    const chunks: Chunk[] = [];
    let seen = 0;
    const res = await shell.run(line, (c, seq) => { expect(seq).toBe(seen++); chunks.push(...c); });
    expect(res.batches).toBe(seen);
    const text = (k: (s: Chunk["stream"]) => boolean) => chunks.filter((c) => k(c.stream)).map((c) => c.text).join("");
    return { code: res.code, out: text((s) => s === "out"), err: text((s) => s !== "out" && s !== "note"), chunks };
  }

  it("runs CLI commands, with or without nvmelab/nvme before them", async () => {
    for (const line of ["list", "nvmelab list", "nvme list"]) {
      const { code, out } = await run(line);
      expect(code).toBe(0);
      expect(out).toMatch(/\/dev\/nvme0n1 +\/dev\/ng0n1 +NVMELAB0001/);
    }
    const id = await run("id-ctrl /dev/nvme0 -H");
    expect(id.out).toMatch(/\[8:8\] : 0x1\s+Copy Supported/);
  });

  it("writes standard input's pattern and reads it back as a hexdump", async () => {
    const w = await run("write /dev/nvme0n1 --start-block=0 --block-count=7 --data-size=4096");
    expect(w).toMatchObject({ code: 0, out: "", err: "write: Success\n" });
    expect(w.chunks.find((c) => c.text === "write: Success\n")!.stream).toBe("ok");
    const rd = await run("read /dev/nvme0n1 --start-block=7 --block-count=0 --data-size=512");
    expect(rd.code).toBe(0);
    expect(rd.out).toContain('0000: 6e 76 6d 65 6c 61 62 20 30 30 30 30 30 65 30 30 "nvmelab.00000e00"');
    expect(rd.out).toContain('"nvmelab.00000ff0"');
    expect(rd.chunks[0]).toEqual({ stream: "note", text: "(512 bytes on standard output, shown as a hexdump; --data=FILE or > FILE keeps them)\n" });
  });

  it("lists the namespace's use as it is now (Identify Namespace read again per command)", async () => {
    expect((await run("list")).out).toMatch(/4\.10  kB \/  67\.11  MB/);
  });

  it("copies, and keeps read's bytes in a file with --data or > FILE", async () => {
    expect((await run("copy /dev/nvme0n1 --sdlba=100 --slbs=0,4 --blocks=1,1")).out).toBe("NVMe Copy: success\n");
    expect((await run("read /dev/nvme0n1 -s 100 -c 3 -z 2048 --data=out/copied.bin")).code).toBe(0);
    expect((await run("read /dev/nvme0n1 -s 100 -c 3 -z 2048 > out/again.bin")).out).toBe("");
    const a = shell.fs.read("out/copied.bin");
    expect(shell.fs.read("out/again.bin")).toEqual(a);
    expect(new TextDecoder().decode(a.subarray(1024, 1040))).toBe("nvmelab 00000800");
    expect((await run("ls out")).out).toBe("    2048  again.bin\n    2048  copied.bin\n");
    // xxd's layout, not nvme-cli's: offset, 2-byte groups, text (read's own output keeps nvme-cli's d())
    expect((await run("xxd out/copied.bin")).out).toContain("00000400: 6e76 6d65 6c61 6220 3030 3030 3038 3030  nvmelab 00000800\n");
    expect((await run("hexdump -C out/copied.bin")).out).toContain("00000400  6e 76 6d 65 6c 61 62 20  30 30 30 30 30 38 30 30  |nvmelab 00000800|\n");
    expect((await run("hexdump out/copied.bin")).out).toMatch(/\n00000800\n$/);
    expect((await run("hexdump -v out/copied.bin")).err).toMatch(/hexdump -C FILE/);
    expect((await run("cat data/zeroes.bin")).err).toMatch(/binary data \(use xxd data\/zeroes.bin\)/);
    expect((await run("cat examples/fio/copy.fio")).out).toMatch(/rw=copy|rw=randcopy/);
  });

  it("writes a file named by --data or < FILE", async () => {
    expect((await run("write /dev/nvme0n1 -s 200 -c 0 -z 512 < data/zeroes.bin")).code).toBe(0);
    expect((await run("write /dev/nvme0n1 -s 201 -c 0 -z 512 --data=examples/fio/copy.fio")).code).toBe(0);
    const rd = await run("read /dev/nvme0n1 -s 201 -c 0 -z 512 > x.bin");
    expect(rd.code).toBe(0);
    expect(new TextDecoder().decode(shell.fs.read("x.bin")).slice(0, 20)).toBe(new TextDecoder().decode(shell.fs.read("examples/fio/copy.fio")).slice(0, 20));
    const missing = await run("write /dev/nvme0n1 -s 0 -c 0 -z 512 < nope.bin");
    expect(missing).toMatchObject({ code: 1 });
    expect(missing.err).toMatch(/nope.bin: no such file/);
  });

  it("runs blk scenarios and fio jobs from the bundled examples", async () => {
    const b = await run("blk run examples/blk/ctx-gc.json");
    expect(b.code).toBe(0);
    expect(b.out).toContain("Copy sdlba=16384 nr=8");
    const f = await run("fio examples/fio/copy.fio");
    expect(f.code).toBe(0);
    expect(f.out).toContain("Run status group 0 (all jobs):");
  }, 60_000);

  it("shows errors as standard error and never throws", async () => {
    const u = await run("bogus --x");
    expect(u).toMatchObject({ code: 1, out: "" });
    expect(u.err).toBe('nvmelab: unknown command "bogus" (see "nvmelab help")\n');
    expect(u.chunks[0].stream).toBe("err");
    expect((await run("read /dev/nvme0n1 --bogus")).err).toMatch(/unrecognized option '--bogus'/);
    expect((await run("list | head")).err).toMatch(/no pipes/);
    expect((await run("read /dev/nvme0n1 -s 999999999 -c 0 -z 512")).err).toMatch(/LBA Out of Range/);
  });

  it("says which commands and options are the Node CLI's", async () => {
    const b = await run("bench");
    expect(b.code).toBe(1);
    expect(b.err).toMatch(/^bench: not available in the browser \(.*worker_threads\): run "npx nvmelab bench"/);
    expect((await run("create --state=x.json")).err).toMatch(/create: not available in the browser/);
    expect((await run("media-hash /dev/nvme0n1")).err).toMatch(/media-hash: not available in the browser/);
    const st = await run("list --state=dev.json");
    expect(st.err).toMatch(/--state is not available in the browser: the console runs on the page's controller/);
    expect((await run("id-ctrl /dev/nvme0 --threaded")).err).toMatch(/--threaded is not available/);
  });

  it("prints help: the commands, the console's own and its files", async () => {
    const h = await run("help");
    expect(h.out).toMatch(/^Usage: nvmelab <command>/);
    expect(h.out).toMatch(/\n  copy +Copy source ranges/);
    expect(h.out).toMatch(/\n  bench +\(Node CLI only/);
    expect(h.out).toContain("Standard input is the built-in pattern");
    expect(h.out).not.toContain("--state");
    expect((await run("help copy")).out).toMatch(/^Usage: nvmelab copy <device> --sdlba/);
    expect((await run("help ls")).out).toMatch(/^ls: list/);
    expect((await run("help nope")).err).toMatch(/no command "nope"/);
    expect((await run("ls")).out).toBe("          data/\n          examples/\n          out/\n     512  x.bin\n");
  });

  it("traces the controller's events of one command with --trace", async () => {
    const t = await run("flush /dev/nvme0n1 --trace");
    expect(t.out).toBe("NVMe Flush: success\n");
    const events = t.chunks.filter((c) => c.stream === "note").map((c) => c.text).join("").trimEnd().split("\n");
    expect(t.err).toBe("");
    // this command's events only (what the controller saw while it ran): the Flush, from its doorbell
    expect(events.every((e) => e.startsWith("pci_nvme_"))).toBe(true);
    expect(events.some((e) => /^pci_nvme_mmio_doorbell_sq sqid 1 /.test(e))).toBe(true);
    expect(events.some((e) => /opname 'Flush'/.test(e))).toBe(true);
    expect(events.length).toBeLessThan(12);
    expect(Atomics.load(r.core.control, L.CTL_TRACE_MASK / 4)).toBe(0); // tracing ends with the command
    expect(boots).toBeGreaterThan(0);
  });
});
