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
