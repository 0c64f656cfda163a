// State files (src/node/state.ts): the persistent block's versions, and problems named with
// the file.

import { describe, it, expect, beforeEach, afterEach } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import { cliInTempDir, Cli } from "../cli/harness";
import { readState, STATE_FORMAT } from "../../src/node/state";
import { PERSIST_SIZE, PERSIST_COUNTERS_SIZE } from "../../assembly/layout";

let cli: Cli;
beforeEach(() => { cli = cliInTempDir(); });
afterEach(() => cli.done());

const json = () => JSON.parse(readFileSync(cli.state, "utf8"));

describe("state file versions", () => {
  it("writes the counters and the error log, and reads a counters-only nvmelab-state/1 file", async () => {
    await cli.nvme(["create", "--state", "@STATE"]);
    await cli.nvme(["read", "/dev/nvme0n1", "--state", "@STATE", "-s", "2097152", "-c", "0", "-z", "512"]);
    const now = json();
    expect(now.format).toBe(STATE_FORMAT);
    expect(Buffer.from(now.persistent, "base64").length).toBe(PERSIST_SIZE);

    // The same device as an older nvmelab saved it: format /1, the counters' 128 bytes only.
    const old = { ...now, format: "nvmelab-state/1", persistent: Buffer.from(now.persistent, "base64").subarray(0, PERSIST_COUNTERS_SIZE).toString("base64") };
    writeFileSync(cli.state, JSON.stringify(old));
    const smart = JSON.parse((await cli.nvme(["smart-log", "/dev/nvme0", "--state", "@STATE", "-o", "json"])).out);
    expect(smart.power_cycles).toBe(3); // create, read, smart-log: the counters came through
    expect(smart.num_err_log_entries).toBe(1);
    const log = await cli.nvme(["error-log", "/dev/nvme0", "--state", "@STATE", "-e", "1"]);
    expect(log.out).toMatch(/^error_count\s*: 0$/m); // the old file had no log to restore
    expect(json().format).toBe(STATE_FORMAT); // saved in the current format
  });

  it("names the file and the version when the block does not fit the format", async () => {
    await cli.nvme(["create", "--state", "@STATE"]);
    const s = json();
    writeFileSync(cli.state, JSON.stringify({ ...s, persistent: Buffer.from(s.persistent, "base64").subarray(0, PERSIST_COUNTERS_SIZE).toString("base64") }));
    expect(() => readState(cli.state)).toThrow(`${cli.state}: persistent: ${PERSIST_COUNTERS_SIZE} bytes, but a ${STATE_FORMAT} file holds ${PERSIST_SIZE}`);
    writeFileSync(cli.state, JSON.stringify({ ...s, format: "nvmelab-state/9" }));
    expect(() => readState(cli.state)).toThrow(`${cli.state}: state format "nvmelab-state/9" is not one this nvmelab reads`);
    const before = readFileSync(cli.state, "utf8");
    const r = await cli.nvme(["smart-log", "/dev/nvme0", "--state", "@STATE"]);
    expect(r.code).toBe(1);
    expect(r.err).toBe(`${cli.state}: state format "nvmelab-state/9" is not one this nvmelab reads (nvmelab-state/1, nvmelab-state/2); it was written by another version\n`);
    expect(readFileSync(cli.state, "utf8")).toBe(before);
  });
});
