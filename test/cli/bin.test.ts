// bin/nvmelab.mjs as a shell runs it: a reader that stops early (| head) ends the command
// quietly, as SIGPIPE ends a C tool, with no EPIPE stack trace.

import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";

describe("bin/nvmelab.mjs", () => {
  it("ends quietly when its reader closes the pipe (| head -1)", () => {
    const r = spawnSync("sh", ["-c", "node bin/nvmelab.mjs blk run examples/blk/vector-merge.json | head -1"], { encoding: "utf8", timeout: 60_000 });
    expect(r.stdout).toMatch(/^259,0 +0 +1 +0\.000000000 +100 +Q +W 0 \+ 2048 \[task\]\n$/);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  }, 60_000);
});
