// The page's store (web/app/store.ts) with a fake lab: a setup's run and the NVMe/TCP
// experiment each count their runs and say which finished last, so the run bar and the log
// can report either; a failed run keeps the last one.

import { describe, it, expect } from "vitest";
import { Store, type LabHost } from "../../web/app/store";
import { experiment } from "../../web/app/experiments";
import type { LabRun } from "../../src/lab/session";

const fakeRun = { ops: [], commands: [], events: [], end_ns: 1000, wall_ms: 1 } as unknown as LabRun;

function host(fail = false): LabHost {
  return {
    labRun: async () => { if (fail) throw new Error("setup.cpus: bad"); return fakeRun; },
    labTcp: async (gbps, _bs, _ranges, emulate) => ({ mibs: emulate ? 100 * gbps : 600 * gbps, util: emulate ? 90 : 10 }),
  };
}

describe("Store", () => {
  it("counts NVMe/TCP runs and remembers that the NVMe/TCP experiment finished last", async () => {
    const s = new Store(host(), { view: "experiments" });
    expect([s.state.tcpSeq, s.state.last]).toEqual([0, undefined]);
    await s.run();
    expect([s.state.runSeq, s.state.tcpSeq, s.state.last]).toEqual([1, 0, "run"]);
    const x = experiment("tcp-offload")!;
    const r = await s.runTcp(x);
    expect(r?.cases.map((c) => `${c.gbps} ${c.mode}`)).toEqual(["1 read+write", "1 offload", "100 read+write", "100 offload"]);
    expect([s.state.runSeq, s.state.tcpSeq, s.state.last, s.state.running]).toEqual([1, 1, "tcp", false]);
    await s.runTcp(x);
    expect(s.state.tcpSeq).toBe(2);
    await s.run();
    expect([s.state.runSeq, s.state.last]).toEqual([2, "run"]);
  });

  it("a failed run reports its error and keeps what ran last", async () => {
    const s = new Store(host(true), { view: "experiments" });
    await s.runTcp(experiment("tcp-offload")!);
    await s.run();
    expect([s.state.error, s.state.last, s.state.runSeq]).toEqual(["setup.cpus: bad", "tcp", 0]);
  });
});
