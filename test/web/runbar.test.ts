// The run bar's and the log's words (web/app/runbar.ts): a setup's run, the NVMe/TCP
// experiment's result when it finished last, and nothing before a run.

import { describe, it, expect } from "vitest";
import { runStatus, runLogLine, tcpLogLine, tcpRatios } from "../../web/app/runbar";
import type { TcpRun } from "../../web/app/store";
import type { LabRun } from "../../src/lab/session";

const run = { ops: new Array(11), commands: new Array(19), events: new Array(121), end_ns: 286682.67, wall_ms: 36.2 } as unknown as LabRun;
const tcp: TcpRun = {
  experiment: "tcp-offload", bs: "8k", ranges: 1, wall_ms: 340,
  cases: [
    { gbps: 1, mode: "read+write", mibs: 101.6, util_pct: 96.1 }, { gbps: 1, mode: "offload", mibs: 644, util_pct: 12.8 },
    { gbps: 100, mode: "read+write", mibs: 786.1, util_pct: 6.6 }, { gbps: 100, mode: "offload", mibs: 896.4, util_pct: 0.1 },
  ],
};
const base = { running: false, runSeq: 0, tcpSeq: 0 };

describe("run bar", () => {
  it("says nothing before a run, and that a run is under way", () => {
    expect(runStatus(base)).toBe("");
    expect(runStatus({ ...base, running: true, run, runSeq: 1 })).toBe("running in modelled time…");
  });

  it("reports the setup's run", () => {
    expect(runStatus({ ...base, run, runSeq: 1, last: "run" })).toBe("run #1: 11 steps, 19 NVMe commands, 121 block events, 286.682 µs modelled, 36 ms to run");
    expect(runLogLine(1, run, "A vectored copy merged by plugging")).toBe("run #1 (A vectored copy merged by plugging): 19 NVMe commands, 121 block events in 36 ms");
  });

  it("reports the NVMe/TCP experiment when it finished last, even with an older setup run", () => {
    expect(tcpRatios(tcp)).toBe("6.34× at 1 Gb/s, 1.14× at 100 Gb/s");
    expect(runStatus({ ...base, tcp, tcpSeq: 1, last: "tcp" })).toBe("NVMe/TCP #1: 4 cases, offload against read+write 6.34× at 1 Gb/s, 1.14× at 100 Gb/s; 0.3 s to run");
    expect(runStatus({ ...base, run, runSeq: 3, tcp, tcpSeq: 1, last: "tcp" })).toMatch(/^NVMe\/TCP #1:/);
    expect(runStatus({ ...base, run, runSeq: 3, tcp, tcpSeq: 1, last: "run" })).toMatch(/^run #3:/);
    expect(tcpLogLine(1, tcp, "Offload against read+write over NVMe/TCP")).toBe("NVMe/TCP #1 (Offload against read+write over NVMe/TCP): 1 Gb/s read+write 101.6 MiB/s, 1 Gb/s offload 644.0 MiB/s, 100 Gb/s read+write 786.1 MiB/s, 100 Gb/s offload 896.4 MiB/s in 0.3 s");
  });
});
