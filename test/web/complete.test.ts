// Tab completion in the console: command names (also after "nvmelab"), long options, blk's
// sub-command, files one directory at a time (also after --opt= and <), devices, and the
// listing when the common prefix adds nothing.

import { describe, it, expect } from "vitest";
import { complete, columns, pathCandidates, shownName, type CompletionSpec } from "../../web/console/complete";
import { commandSpecs } from "../../src/cli/browser";

const spec: CompletionSpec = {
  commands: commandSpecs(),
  builtins: ["help", "ls", "cat", "xxd", "clear", "history"],
  files: ["examples/blk/ctx-gc.json", "examples/blk/ctx-interleaved.json", "examples/blk/vector-merge.json", "examples/fio/copy.fio", "data/pattern.bin"],
  devices: ["/dev/nvme0", "/dev/nvme0n1"],
};

const at = (line: string) => complete(line, line.length, spec);
const apply = (line: string) => { const c = at(line); return line.slice(0, c.from) + c.replacement; };

describe("complete", () => {
  it("completes command names, with or without nvmelab before them", () => {
    expect(apply("id-c")).toBe("id-ctrl ");
    expect(apply("nvmelab id-c")).toBe("nvmelab id-ctrl ");
    expect(apply("hist")).toBe("history ");
    expect(at("id-").candidates).toEqual(["id-ctrl", "id-ns"]);
    expect(apply("id-")).toBe("id-"); // nothing to add: the caller lists the candidates
    expect(at("zzz").candidates).toEqual([]);
  });

  it("completes a command's long options, with = for those that take a value", () => {
    expect(apply("write /dev/nvme0n1 --start-b")).toBe("write /dev/nvme0n1 --start-block=");
    expect(apply("id-ctrl --human")).toBe("id-ctrl --human-readable ");
    expect(at("copy /dev/nvme0n1 --s").candidates).toEqual(["--sdlba=", "--slbs=", "--snsids=", "--sopts=", "--storage-tag-check", "--storage-tag="]);
    expect(at("list --sta").candidates).toEqual([]); // --state is not a browser option
  });

  it("completes files a directory at a time, after options and redirections too", () => {
    expect(apply("fio ex")).toBe("fio examples/");
    expect(apply("fio examples/f")).toBe("fio examples/fio/");
    expect(apply("blk run examples/blk/ctx-g")).toBe("blk run examples/blk/ctx-gc.json ");
    expect(apply("blk run examples/blk/ctx")).toBe("blk run examples/blk/ctx-");
    expect(apply("write /dev/nvme0n1 --data=da")).toBe("write /dev/nvme0n1 --data=data/");
    expect(apply("write /dev/nvme0n1 < data/p")).toBe("write /dev/nvme0n1 < data/pattern.bin ");
    expect(apply("write /dev/nvme0n1 <data/p")).toBe("write /dev/nvme0n1 <data/pattern.bin ");
    expect(apply("cat /examples/fio/c")).toBe("cat /examples/fio/copy.fio ");
    expect(pathCandidates("", spec.files)).toEqual(["examples/", "data/"]);
  });

  it("completes devices and blk's sub-command", () => {
    expect(apply("id-ns /dev/nv")).toBe("id-ns /dev/nvme0");
    expect(at("id-ns /dev/nvme0").candidates).toEqual(["/dev/nvme0", "/dev/nvme0n1"]);
    expect(apply("blk r")).toBe("blk run ");
    expect(apply("help co")).toBe("help co"); // compare, copy
    expect(at("help co").candidates).toEqual(["compare", "copy"]);
  });

  it("completes in the middle of a line (the word ends at the cursor)", () => {
    const line = "id-c /dev/nvme0";
    const c = complete(line, 4, spec);
    expect(c.from).toBe(0);
    expect(c.replacement).toBe("id-ctrl ");
  });
});

describe("listing", () => {
  it("shows paths by their last part", () => {
    expect(["examples/blk/ctx-gc.json", "examples/fio/", "/dev/nvme0n1", "--data=", "list"].map(shownName))
      .toEqual(["ctx-gc.json", "fio/", "nvme0n1", "--data=", "list"]);
  });


  it("lays candidates out down the columns, as bash", () => {
    expect(columns(["a", "bb", "c", "dd", "e"], 12)).toEqual(["a   c   e", "bb  dd"]);
    expect(columns([], 80)).toEqual([]);
    expect(columns(["a-very-long-name"], 5)).toEqual(["a-very-long-name"]);
  });
});
