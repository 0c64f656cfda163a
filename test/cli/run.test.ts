// The command runner (src/cli/run.ts): what happens before a command runs.

import { describe, it, expect, beforeEach, afterEach } from "vitest";
import { cliInTempDir, Cli } from "./harness";

let cli: Cli;
beforeEach(() => { cli = cliInTempDir(); });
afterEach(() => cli.done());

describe("the device argument", () => {
  it("is required as nvme-cli's check_arg_dev requires it: \"<command>: Invalid argument\", the help, exit 1", async () => {
    await cli.nvme(["create", "--state", "@STATE"]);
    const before = cli.snapshot();
    for (const cmd of ["id-ctrl", "smart-log", "flush", "write", "io-passthru", "media-hash"]) {
      const r = await cli.nvme([cmd, "--state", "@STATE"], { stdin: new Uint8Array(512) });
      expect(r.code, cmd).toBe(1);
      expect(r.out, cmd).toBe("");
      expect(r.err, cmd).toMatch(new RegExp(`^${cmd}: Invalid argument\\nUsage: nvmelab ${cmd} `));
    }
    expect(cli.snapshot()).toEqual(before);
  });

  it("is checked after the options, as argconfig_parse runs first", async () => {
    const r = await cli.nvme(["id-ctrl", "--bogus"]);
    expect(r.err).toMatch(/^id-ctrl: unrecognized option '--bogus'/);
  });

  it("is not wanted by list and create", async () => {
    expect((await cli.nvme(["create", "--state", "@STATE"])).code).toBe(0);
    const l = await cli.nvme(["list", "--state", "@STATE"]);
    expect(l.code).toBe(0);
    expect(l.out).toContain("/dev/nvme0n1");
  });
});
