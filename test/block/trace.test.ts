// The block layer's event stream (src/block/trace.ts): blktrace's sequence numbers, counted per
// device and per CPU as __blk_add_trace counts them, with messages (trace_note) at 0; the run's
// own order (seq) over everything; the bound on recorded events.

import { describe, it, expect } from "vitest";
import { Tracer, type BlkEvent } from "../../src/block/trace";
import { formatEvent, formatTrace, inBlktrace } from "../../src/block/blkparse";

type Emitted = Omit<BlkEvent, "seq" | "sequence">;
const at = (major: number, minor: number, cpu: number, action: BlkEvent["action"] = "Q"): Emitted => ({
  time_ns: 1000, cpu, pid: 7, comm: "fio", major, minor, action, rwbs: action === "m" ? "N" : "R", sector: 0, sectors: 8,
  ...(action === "m" ? { text: "a note" } : {}),
});

describe("Tracer", () => {
  it("numbers events per device and per CPU from 1; a message gets 0 and takes no number", () => {
    const t = new Tracer();
    t.emit(at(253, 0, 0)); // dm-0 cpu0: 1
    t.emit(at(253, 0, 1)); // dm-0 cpu1: 1
    t.emit(at(259, 0, 0)); // nvme0n1 cpu0: 1
    t.emit(at(259, 0, 0, "m")); // note: 0
    t.emit(at(253, 0, 0, "G")); // dm-0 cpu0: 2
    t.emit(at(259, 0, 0, "D")); // nvme0n1 cpu0: 2
    t.emit(at(259, 1, 0, "D")); // nvme0n2 cpu0: 1
    expect(t.events.map((e) => [e.seq, e.sequence])).toEqual([[1, 1], [2, 1], [3, 1], [4, 0], [5, 2], [6, 2], [7, 1]]);
  });

  it("a tag sleep (S), which blktrace no longer records, takes no number and blkparse leaves it out", () => {
    const t = new Tracer();
    t.emit(at(259, 0, 0));
    t.emit(at(259, 0, 0, "S"));
    t.emit(at(259, 0, 0, "G"));
    expect(t.events.map((e) => [e.action, e.sequence])).toEqual([["Q", 1], ["S", 0], ["G", 2]]);
    const lines = formatTrace(t.events).split("\n").filter((l) => l.startsWith("259,0"));
    expect(lines.map((l) => l.trim().split(/\s+/).slice(2, 6))).toEqual([["1", "0.000001000", "7", "Q"], ["2", "0.000001000", "7", "G"]]);
    expect(inBlktrace(t.events[1])).toBe(false);
  });

  it("blkparse prints the blktrace sequence, not the run's order", () => {
    const t = new Tracer();
    t.emit(at(253, 0, 0));
    t.emit(at(259, 0, 0));
    t.emit(at(259, 0, 0, "m"));
    t.emit(at(259, 0, 0, "D"));
    expect(t.events.map((e) => formatEvent(e).slice(0, 20))).toEqual([
      "253,0    0        1 ",
      "259,0    0        1 ",
      "259,0    0        0 ",
      "259,0    0        2 ",
    ]);
  });

  it("records nothing when off, and stops with an error past its bound", () => {
    const off = new Tracer();
    off.on = false;
    off.emit(at(259, 0, 0));
    expect(off.events).toHaveLength(0);
    const small = new Tracer(2);
    small.emit(at(259, 0, 0));
    small.emit(at(259, 0, 0));
    expect(() => small.emit(at(259, 0, 0))).toThrow("trace limit reached: more than 2 block events");
  });
});
