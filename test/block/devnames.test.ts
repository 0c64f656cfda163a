// Device numbers and names (src/block/devnames.ts): a run's own numbers win; a run without them
// is named by the stack's rules (dm-N is 253,N; nvmeXnY in NSID order from minor X*16).

import { describe, it, expect } from "vitest";
import { deviceNames, deviceNamer, DM_MAJOR, BLKEXT_MAJOR } from "../../src/block/devnames";

describe("device names", () => {
  it("names by the run's numbers, else by the stack's rules, in the order the run lists its disks", () => {
    const names = deviceNames([{ name: "nvme0n2" }, { name: "dm-1" }, { name: "nvme0n1" }, { name: "nvme1n1" }]);
    expect([...names]).toEqual([["259,1", "nvme0n2"], ["253,1", "dm-1"], ["259,0", "nvme0n1"], ["259,16", "nvme1n1"]]);
    const given = deviceNames([{ name: "nvme0n1", major: BLKEXT_MAJOR, minor: 7 }]);
    expect([...given]).toEqual([["259,7", "nvme0n1"]]);
  });

  it("a namer falls back to dm-N for a device-mapper minor and to major,minor otherwise", () => {
    const n = deviceNamer([{ name: "nvme0n1", major: BLKEXT_MAJOR, minor: 0 }]);
    expect([n(259, 0), n(DM_MAJOR, 4), n(8, 0)]).toEqual(["nvme0n1", "dm-4", "8,0"]);
  });
});
