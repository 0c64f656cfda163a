// The Trace view's model (web/views/trace-model.ts) on real runs of every examples/blk
// scenario: filters by device, action and task; the controller's lines interleaved by time;
// search; the blkparse text and fio disk stats exports; and the Chrome Trace Event JSON,
// checked structurally (every "b" has its "e", tracks in time order, counts match the run).

import { describe, it, expect, beforeAll } from "vitest";
import { readFileSync, readdirSync } from "node:fs";
import { LabSession, type LabRun } from "../../src/lab/session";
import { loadCoreModule } from "../../src/node/wasm";
import { Sha256 } from "../../src/util/sha256";
import { formatEvent, formatTrace, formatDiskStats, inBlktrace } from "../../src/block/blkparse";
import type { BlkEvent } from "../../src/block/trace";
import * as L from "../../assembly/layout";
import {
  filterRows, rowLine, rowTime, controllerLines, controllerLineCount, deviceNames, traceDevices, traceTasks, resolveDevice,
  makeMatcher, searchRows, nextMatch, exportText, exportDiskStats, chromeTrace, exportName, CONTROLLER_PID, CONTROLLER_EVENTS_TID,
  ACTIONS, traceRun, type ChromeTraceEvent,
} from "../../web/views/trace-model";
import { movedLater } from "../../web/views/controller-time";

const NAMES = readdirSync("examples/blk").filter((f) => f.endsWith(".json")).map((f) => f.replace(/\.json$/, "")).sort();
const runs = new Map<string, LabRun>();

beforeAll(async () => {
  for (const name of NAMES) {
    const lab = new LabSession(() => loadCoreModule(false), () => new Sha256());
    runs.set(name, await lab.run(JSON.parse(readFileSync(`examples/blk/${name}.json`, "utf8")), name));
  }
}, 300_000);

const run = (name: string) => runs.get(name)!;
const shown = (e: BlkEvent) => inBlktrace(e);
/** What the Chrome trace keeps as instants: everything but messages without text (a tag sleep too). */
const instant = (e: BlkEvent) => !(e.action === "m" && !e.text);

describe("what blkparse prints", () => {
  it("a tag sleep (S) is in the story's events but not in the list or the text export, as a modern blktrace", () => {
    const ev = (seq: number, action: BlkEvent["action"]): BlkEvent => ({
      seq, sequence: action === "S" ? 0 : seq, time_ns: 1000 * seq, cpu: 0, pid: 100, comm: "a", major: 259, minor: 0, action, rwbs: "W", sector: 0, sectors: 8,
    });
    const events = [ev(1, "Q"), ev(2, "S"), ev(3, "G")];
    const r = { events, controller: [], disks: [{ name: "nvme0n1", major: 259, minor: 0, stats: undefined as never }] };
    const rows = [...filterRows(r, {})];
    expect(rows.map((i) => events[i].action)).toEqual(["Q", "G"]);
    expect(exportText(r, events).split("\n").filter((l) => l.startsWith("259,0")).length).toBe(2);
  });
});

describe("devices and tasks", () => {
  it("names devices as the stack numbers them: dm-N is 253,N, nvmeXnY counts minors from X*16", () => {
    const names = deviceNames({ disks: ["nvme0n1", "nvme0n2", "dm-0", "nvme1n1", "dm-3"].map((name) => ({ name, stats: undefined as never })) });
    expect([...names]).toEqual([["259,0", "nvme0n1"], ["259,1", "nvme0n2"], ["253,0", "dm-0"], ["259,16", "nvme1n1"], ["253,3", "dm-3"]]);
    expect(resolveDevice("/dev/nvme0n2", names)).toBe("259,1");
    expect(resolveDevice("253:3", names)).toBe("253,3");
    expect(resolveDevice("sda", names)).toBeUndefined();
  });

  it("takes a run's device numbers from its disks: each event's device is one the run lists", () => {
    const r = run("pair-interleaved");
    expect(r.disks.map((d) => `${d.name} ${d.major},${d.minor}`).sort()).toEqual(["dm-0 253,0", "nvme0n1 259,0"]);
    // numbers the name rules would not guess are taken as given
    const names = deviceNames({ disks: [{ name: "nvme0n1", major: 259, minor: 7, stats: undefined as never }] });
    expect([...names]).toEqual([["259,7", "nvme0n1"]]);
    for (const e of r.events) expect(deviceNames(r).has(`${e.major},${e.minor}`)).toBe(true);
  });

  it("lists a real run's devices in first-seen order with their names and event counts", () => {
    const r = run("pair-interleaved");
    const devs = traceDevices(r);
    expect(devs.map((d) => `${d.key} ${d.name}`)).toEqual(["253,0 dm-0", "259,0 nvme0n1"]);
    expect(devs.reduce((a, d) => a + d.events, 0)).toBe(r.events.length);
    // every A line says where the bio came from: its "from" device is one of the named ones
    for (const e of r.events.filter((x) => x.action === "A")) expect(deviceNames(r).get(`${e.fromMajor},${e.fromMinor}`)).toBe("dm-0");
    const tasks = traceTasks(r.events).map((t) => `${t.pid}:${t.comm}`);
    expect(tasks).toEqual(["0:swapper/0", "100:a", "101:b", "1200:kworker/0:3"]);
  });
});

describe("filterRows", () => {
  it("with no filter shows every event blkparse prints, in order", () => {
    for (const name of NAMES) {
      const r = run(name);
      const rows = filterRows(r, {});
      const want = r.events.map((e, i) => (shown(e) ? i : -1)).filter((i) => i >= 0);
      expect(Array.from(rows), name).toEqual(want);
      // the lines are formatTrace's, line for line
      const text = Array.from(rows, (i) => rowLine(r, i) + "\n").join("");
      expect(formatTrace(r.events).startsWith(text), name).toBe(true);
    }
  });

  it("filters by device (numbers or name), action and task, and combines them", () => {
    const r = run("pair-interleaved");
    const on = (f: Parameters<typeof filterRows>[1]) => Array.from(filterRows(r, f), (i) => r.events[i]);
    const nvme = on({ device: "259,0" });
    expect(nvme.length).toBe(r.events.filter((e) => e.major === 259 && shown(e)).length);
    expect(nvme.length).toBeGreaterThan(0);
    expect(on({ device: "nvme0n1" })).toEqual(nvme);
    expect(on({ device: "/dev/nvme0n1" })).toEqual(nvme);
    expect(on({ device: "259:0" })).toEqual(nvme);
    expect(on({ device: "dm-0" }).every((e) => e.major === 253)).toBe(true);
    expect(on({ device: "sdz" })).toEqual([]);

    const q = on({ actions: new Set(["Q"]) });
    expect(q.length).toBe(r.events.filter((e) => e.action === "Q").length);
    expect(q.every((e) => e.action === "Q")).toBe(true);
    // the interleaved copies: each task queues a write, then its copy's two halves (CW and CR), then a read
    const qa = on({ actions: new Set(["Q"]), task: { comm: "a" } });
    expect(qa.map((e) => `${e.rwbs} ${e.sector}`)).toEqual(["W 0", "CW 256", "CR 0", "R 256"]);
    expect(on({ actions: new Set(["Q"]), task: { pid: 101 } }).map((e) => `${e.rwbs} ${e.sector}`)).toEqual(["W 64", "CW 512", "CR 64", "R 512"]);
    // the kworker (dm-delay's) resubmits everything to nvme0n1: every Q on 259,0 is its
    const kq = on({ actions: new Set(["Q"]), device: "nvme0n1" });
    expect(kq.length).toBe(8);
    expect(kq.every((e) => e.comm === "kworker/0:3")).toBe(true);
    // the one merge that pairs A's SRC with B's DST
    expect(on({ actions: new Set(["M", "F"]) }).map((e) => formatEvent(e))).toEqual([expect.stringMatching(/^259,0 +0 +\d+ +0\.010011365 +1200 +M +CR 0 \+ 8 \[kworker\/0:3\]$/)]);
    expect(on({ actions: new Set() })).toEqual([]);
  });

  it("interleaves the controller's lines by time, counting two lines for an error completion", () => {
    // the ring's times and the modelled clock's (traceRun)
    for (const [name, r] of ["pair-interleaved", "vector-merge", "snapshot-cow"].flatMap((x) => [[x, run(x)], [`${x} modelled`, traceRun(run(x))]] as const)) {
      for (const e of r.controller) expect(controllerLineCount(e)).toBe(controllerLines(e).length);
      const rows = filterRows(r, { controller: true });
      const blk = Array.from(rows).filter((x) => x >= 0);
      expect(blk).toEqual(Array.from(filterRows(r, {})));
      const ctl = Array.from(rows).filter((x) => x < 0);
      expect(ctl.length).toBe(r.controller.reduce((a, e) => a + controllerLines(e).length, 0));
      for (let k = 1; k < rows.length; k++) expect(rowTime(r, rows[k]), `${name} row ${k}`).toBeGreaterThanOrEqual(rowTime(r, rows[k - 1]));
    }
  });

  it("on the modelled clock, a command's CQE and interrupt print at its request's C time, just before the C", () => {
    const r = traceRun(run("vector-merge"));
    const lines = Array.from(filterRows(r, { controller: true })).map((x) => rowLine(r, x));
    // the two 512 KiB Writes, submitted at 0, complete to the block layer at 184762 ns
    const c = lines.findIndex((l) => / C +W 0 \+ 1024 /.test(l));
    expect(lines[c]).toMatch(/^259,0 +0 +\d+ +0\.000184762 /);
    // nvme_cid: generation 1 over tags 0 and 1 (4096 = 0x1000, 4097 = 0x1001)
    const post = lines.findIndex((l) => l.includes("pci_nvme_enqueue_req_completion cid 4096 cqid 1"));
    expect(lines[post]).toMatch(/^nvme0 +\d+ +0\.000184762 pci_nvme_enqueue_req_completion cid 4096 cqid 1 /);
    expect(lines[post + 1]).toMatch(/0\.000184762 pci_nvme_irq_msix raising MSI-X IRQ vector 1$/);
    expect(post).toBeLessThan(c);
    // every line between the Writes' fetch and the CQE is earlier than the completion
    const fetch = lines.findIndex((l) => l.includes("pci_nvme_io_cmd cid 4097 nsid 0x1 sqid 1 opc 0x1 opname 'Write'"));
    expect(lines[fetch]).toMatch(/ 0\.000000000 pci_nvme_io_cmd/);
    expect(fetch).toBeLessThan(post);
    // the last line is the host's last CQ head doorbell at the run's end
    expect(lines[lines.length - 1]).toMatch(/ 0\.000286682 pci_nvme_mmio_doorbell_cq cqid 1 new_head 19$/);
  });

  it("prints controller lines in blkparse's time column", () => {
    const r = run("pair-interleaved");
    const rows = filterRows(r, { controller: true });
    const io = Array.from(rows).map((x) => rowLine(r, x)).filter((l) => l.includes("pci_nvme_io_cmd"));
    expect(io.length).toBe(r.controller.filter((e) => e.kind === L.EVK_FETCH && e.sqid > 0).length);
    expect(io[0]).toMatch(/^nvme0 +\d+ +0\.005000000 pci_nvme_io_cmd cid 4096 nsid 0x1 sqid 1 opc 0x1 opname 'Write'$/);
    const blkLine = rowLine(r, Array.from(rows).find((x) => x >= 0 && r.events[x].time_ns === 5e6)!);
    expect(io[0].slice(20, 35)).toBe(blkLine.slice(20, 35));
  });

  it("puts the controller's bring-up before the first Q, though both are at time 0", () => {
    for (const r of [run("vector-merge"), traceRun(run("vector-merge")), traceRun(run("kcopyd-percpu"))]) {
      const rows = Array.from(filterRows(r, { controller: true }));
      const firstBlk = rows.findIndex((x) => x >= 0);
      expect(r.events[rows[firstBlk]].action).toBe("Q");
      expect(r.events[rows[firstBlk]].time_ns).toBe(0);
      const lines = rows.map((x) => rowLine(r, x));
      const admin = lines.flatMap((l, i) => (l.includes("pci_nvme_admin_cmd") ? [i] : []));
      expect(admin.length).toBeGreaterThanOrEqual(7);
      expect(Math.max(...admin)).toBeLessThan(firstBlk);
      expect(lines[0]).toMatch(/^nvme0 +1 +0\.000000000 pci_nvme_mmio_write addr 0x24 /);
      expect(lines.slice(0, firstBlk).some((l) => l.includes("pci_nvme_create_sq create submission queue, addr=0x2000, sqid=1"))).toBe(true);
    }
  });

  it("puts a command's doorbell and fetch right after the D that issued it, before the next bio's Q at that time", () => {
    // vector-merge at 0: the 1 MiB write is split; each half's D rings the doorbell for its Write
    let r = traceRun(run("vector-merge"));
    let lines = Array.from(filterRows(r, { controller: true })).map((x) => rowLine(r, x));
    let d = lines.findIndex((l) => / D +W 0 \+ 1024 \[task\]$/.test(l));
    expect(lines.slice(d + 1, d + 4).map((l) => l.replace(/^nvme0 +\d+ +[\d.]+ |^259,0 .* (?=[A-Z]+ +W )/, ""))).toEqual([
      "pci_nvme_mmio_doorbell_sq sqid 1 new_tail 1",
      // nvme_cid: generation 1 over tag 0 (the tag's first command)
      "pci_nvme_io_cmd cid 4096 nsid 0x1 sqid 1 opc 0x1 opname 'Write'",
      "G   W 1024 + 1024 [task]",
    ]);
    // kcopyd-percpu at 53.690 µs: kworker/0's read is issued and fetched, then kworker/1 queues its bio
    r = traceRun(run("kcopyd-percpu"));
    lines = Array.from(filterRows(r, { controller: true })).map((x) => rowLine(r, x));
    d = lines.findIndex((l) => / 0\.000053690 +1400 +D +R 0 \+ 32 \[kworker\/0:4\]$/.test(l));
    expect(d).toBeGreaterThan(0);
    const fetch = lines.findIndex((l, i) => i > d && l.includes("pci_nvme_io_cmd"));
    const q = lines.findIndex((l) => / 0\.000053690 +1401 +Q +R 64 \+ 8 \[kworker\/1:4\]$/.test(l));
    expect(lines[fetch]).toMatch(/^nvme0 +\d+ +0\.000053690 pci_nvme_io_cmd cid \d+ nsid 0x1 sqid 1 opc 0x2 opname 'Read'$/);
    expect(lines.slice(d + 1, fetch).every((l) => l.startsWith("nvme0 "))).toBe(true);
    expect(lines[fetch - 1]).toMatch(/pci_nvme_mmio_doorbell_sq sqid 1 new_tail \d+$/);
    expect(q).toBe(fetch + 1);
  });

  it("at one time, places each controller line after exactly the block events recorded before its step", () => {
    for (const name of NAMES) {
      for (const r of [run(name), traceRun(run(name))]) {
        const rows = Array.from(filterRows(r, { controller: true }));
        // for each controller row: the block rows before it and after it
        let maxBefore = -1;
        const maxBeforeAt: number[] = [];
        for (const x of rows) { if (x >= 0) maxBefore = Math.max(maxBefore, x); maxBeforeAt.push(maxBefore); }
        let minAfter = Infinity;
        const minAfterAt: number[] = [];
        for (let k = rows.length - 1; k >= 0; k--) { minAfterAt[k] = minAfter; if (rows[k] >= 0) minAfter = Math.min(minAfter, rows[k]); }
        rows.forEach((x, k) => {
          if (x >= 0) return;
          const e = r.controller[(-x - 1) >> 1];
          if (movedLater(e)) {
            // moved to a completion: before every block event of its time
            if (minAfterAt[k] < Infinity) expect(r.events[minAfterAt[k]].time_ns).toBeGreaterThanOrEqual(e.timeNs);
            if (maxBeforeAt[k] >= 0) expect(r.events[maxBeforeAt[k]].time_ns, `${name} ${e.seq}`).toBeLessThan(e.timeNs);
          } else {
            expect(maxBeforeAt[k], `${name} controller event ${e.seq}`).toBeLessThan(e.blkBefore);
            expect(minAfterAt[k], `${name} controller event ${e.seq}`).toBeGreaterThanOrEqual(e.blkBefore);
          }
        });
      }
    }
  });

  it("orders ties by hand-made stamps: moved lines first, then by blkBefore; without one, after the block events", () => {
    const ev = (seq: number, action: BlkEvent["action"], time_ns: number): BlkEvent => ({
      seq, sequence: seq, time_ns, cpu: 0, pid: 100, comm: "a", major: 259, minor: 0, action, rwbs: "W", sector: 0, sectors: 8,
    });
    const ctl = (seq: number, timeNs: number, more: { ringTimeNs?: number; blkBefore?: number }) => ({
      seq, kind: L.EVK_DOORBELL_SQ, cls: 0, sqid: 1, cid: 0, opc: 0, status: 0, nsid: 0, arg32: seq, a: 0n, b: 0n, timeNs, ...more,
    });
    const events = [ev(1, "Q", 0), ev(2, "D", 0), ev(3, "Q", 0), ev(4, "C", 10), ev(5, "D", 10)];
    const disks = [{ name: "nvme0n1", major: 259, minor: 0, stats: undefined as never }];
    const order = (controller: ReturnType<typeof ctl>[]) =>
      Array.from(filterRows({ events, controller, disks }, { controller: true }), (x) => (x >= 0 ? events[x].action + x : `c${controller[(-x - 1) >> 1].seq}`));
    // bring-up (0), the first D's doorbell (2), a completion moved to 10 (ring time 0), the second D's (5)
    expect(order([ctl(0, 0, { blkBefore: 0 }), ctl(1, 0, { blkBefore: 2, ringTimeNs: 0 }), ctl(2, 10, { blkBefore: 3, ringTimeNs: 0 }), ctl(3, 10, { blkBefore: 5, ringTimeNs: 10 })]))
      .toEqual(["c0", "Q0", "D1", "c1", "Q2", "c2", "C3", "D4", "c3"]);
    // without stamps (the old rule): after every block event of its time
    expect(order([ctl(0, 0, {}), ctl(1, 10, {})])).toEqual(["Q0", "D1", "Q2", "c0", "C3", "D4", "c1"]);
    // a filter that hides the D keeps the doorbell between the events around it
    const onlyQ = Array.from(filterRows({ events, controller: [ctl(1, 0, { blkBefore: 2 })], disks }, { controller: true, actions: new Set(["Q"]) }), (x) => (x >= 0 ? x : "c"));
    expect(onlyQ).toEqual([0, "c", 2]);
  });

  it("handles a million events", () => {
    const evs: BlkEvent[] = Array.from({ length: 1_000_000 }, (_, i) => ({
      seq: i + 1, time_ns: i * 1000, cpu: i % 4, pid: 100 + (i % 4), comm: `t${i % 4}`, major: 259, minor: 0,
      action: (["Q", "G", "D", "C"] as const)[i % 4], rwbs: "W", sector: i * 8, sectors: 8,
    }));
    const r = { events: evs, controller: [], disks: [{ name: "nvme0n1", stats: undefined as never }] };
    expect(filterRows(r, {}).length).toBe(1_000_000);
    const d = filterRows(r, { actions: new Set(["D"]), task: { comm: "t2" } });
    expect(d.length).toBe(250_000);
    expect(rowLine(r, d[249_999])).toBe(formatEvent(evs[999_998]));
  });
});

describe("search", () => {
  it("matches plain text without case, or a regular expression, and finds each occurrence", () => {
    const m = makeMatcher("cw")!;
    expect(m.test("259,0 0 1 0.000 100  Q  CW 8 + 8 [task]")).toBe(true);
    expect(m.ranges("CW cw Cw")).toEqual([[0, 2], [3, 5], [6, 8]]);
    expect(makeMatcher("")).toBeNull();
    const re = makeMatcher("Q +C[RW]", true)!;
    expect(re.test("  Q  CR 0 + 8")).toBe(true);
    expect(re.test("  Q   W 0 + 8")).toBe(false);
    expect(re.ranges("Q  CW, q CR")).toEqual([[0, 5], [7, 11]]);
    expect(makeMatcher("a*", true)!.ranges("baab")).toEqual([[1, 3]]);
    expect(() => makeMatcher("(", true)).toThrow();
  });

  it("finds the pair-interleaved Copy halves queued on nvme0n1", () => {
    const r = run("pair-interleaved");
    const rows = filterRows(r, {});
    const out: number[] = [];
    const m = makeMatcher("259,0 +\\d+ +\\d+ +[\\d.]+ +\\d+ +Q +C[RW]", true)!;
    // a slice at a time, as the view does
    for (let at = 0; at < rows.length; at += 7) searchRows(r, rows, m, at, at + 7, out);
    expect(out.map((p) => rowLine(r, rows[p]).match(/Q +(C[RW] \d+)/)![1])).toEqual(["CW 256", "CW 512", "CR 0", "CR 64"]);
    expect(out).toEqual([...out].sort((a, b) => a - b));
  });

  it("steps to the next and previous match, wrapping around", () => {
    const ms = [3, 10, 20];
    expect(nextMatch(ms, -1, 1)).toBe(0);
    expect(nextMatch(ms, 3, 1)).toBe(1);
    expect(nextMatch(ms, 15, 1)).toBe(2);
    expect(nextMatch(ms, 20, 1)).toBe(0);
    expect(nextMatch(ms, 20, -1)).toBe(1);
    expect(nextMatch(ms, 3, -1)).toBe(2);
    expect(nextMatch([], 0, 1)).toBe(-1);
  });
});

describe("text exports", () => {
  it("is formatTrace's output for a one-device run, and summarises each device of a stacked one", () => {
    const vm = run("vector-merge");
    expect(exportText(vm, vm.events)).toBe(formatTrace(vm.events, "nvme0n1"));
    const r = run("pair-interleaved");
    const t = exportText(r, r.events);
    const dm = r.events.filter((e) => e.major === 253).length;
    const nv = r.events.filter((e) => e.major === 259).length;
    expect(t).toContain(`Events (dm-0): ${dm} entries\n`);
    expect(t).toContain(`Events (nvme0n1): ${nv} entries\n`);
    expect(t.indexOf("CPU0 (dm-0):")).toBeLessThan(t.indexOf("CPU0 (nvme0n1):"));
    // dm-0 saw events on both CPUs: a Total block; nvme0n1 only from the kworker on CPU 0: none
    expect(t).toContain("Total (dm-0):");
    expect(t).not.toContain("Total (nvme0n1):");
    // the lone COPY_DST half completes with -EIO, which blkparse prints as the u16 65531
    expect(t).toMatch(/^259,0 +0 +\d+ +0\.010011365 +0 +C +CW 256 \+ 8 \[65531\]$/m);
  });

  it("exports fio's disk stats for all disks or the chosen one", () => {
    const r = run("pair-interleaved");
    expect(exportDiskStats(r)).toBe(formatDiskStats(r.disks, r.end_ns));
    const one = exportDiskStats(r, new Set(["nvme0n1"]));
    expect(one.split("\n")).toEqual(["Disk stats (read/write):", expect.stringMatching(/^ {2}nvme0n1: ios=3\/4, sectors=24\/32, merge=0\/1, /), ""]);
  });

  it("names files after the experiment and run", () => {
    expect(exportName("pair-interleaved", 2, "trace.json")).toBe("pair-interleaved-run2.trace.json");
    expect(exportName(undefined, 1, "blkparse.txt")).toBe("setup-run1.blkparse.txt");
    expect(exportName("a b/c", 1, "diskstats.txt")).toBe("a-b-c-run1.diskstats.txt");
  });
});

describe("Chrome Trace Event JSON", () => {
  const parse = (r: LabRun, controller = false) => JSON.parse(JSON.stringify(chromeTrace(r, { controller, title: "t" }))) as { traceEvents: ChromeTraceEvent[]; displayTimeUnit: string };

  it("is valid JSON in the Trace Event Format with every async span closed, on every example", () => {
    for (const name of NAMES) {
      const r = run(name);
      const t = parse(r, true);
      expect(t.displayTimeUnit).toBe("ns");
      const evs = t.traceEvents;
      const endUs = r.end_ns / 1000;
      const meta = evs.filter((e) => e.ph === "M");
      const body = evs.filter((e) => e.ph !== "M");
      // metadata first, then everything in time order
      expect(evs.slice(0, meta.length).every((e) => e.ph === "M"), name).toBe(true);
      for (const e of body) {
        expect(["X", "i", "b", "e", "C"]).toContain(e.ph);
        expect(Number.isFinite(e.ts) && e.ts! >= 0 && e.ts! <= endUs + 1e-9, `${name} ${e.name} ts ${e.ts}`).toBe(true);
        expect(Number.isInteger(e.pid) && Number.isInteger(e.tid)).toBe(true);
      }
      // every b has exactly one e with the same cat and id, not before it; no stray e
      const open = new Map<string, ChromeTraceEvent>();
      let pairs = 0;
      for (const e of body) {
        const k = `${e.cat}/${e.id}`;
        if (e.ph === "b") { expect(open.has(k), `${name} ${k} opened twice`).toBe(false); open.set(k, e); }
        if (e.ph === "e") {
          const b = open.get(k);
          expect(b, `${name}: ${k} ends without a begin`).toBeDefined();
          expect(e.ts!).toBeGreaterThanOrEqual(b!.ts!);
          expect(e.name).toBe(b!.name);
          open.delete(k);
          pairs++;
        }
      }
      expect([...open.keys()], name).toEqual([]);
      // ts never goes back on a thread track
      const last = new Map<string, number>();
      for (const e of body) {
        const k = `${e.pid}/${e.tid}`;
        expect(e.ts!, `${name} ${k}`).toBeGreaterThanOrEqual(last.get(k) ?? 0);
        last.set(k, e.ts!);
      }
      // counts match the run
      const bios = new Set(r.events.filter((e) => e.bio !== undefined && "QAX".includes(e.action)).map((e) => e.bio));
      const rqs = r.events.filter((e) => e.action === "G" && e.rq !== undefined).length;
      expect(body.filter((e) => e.ph === "b" && e.cat === "bio").length, name).toBe(bios.size);
      expect(body.filter((e) => e.ph === "b" && e.cat === "request").length, name).toBe(rqs);
      expect(pairs).toBe(bios.size + rqs);
      const instants = r.events.filter((e) => !"QGC".includes(e.action) && instant(e)).length;
      expect(body.filter((e) => e.ph === "i" && e.pid !== CONTROLLER_PID).length, name).toBe(instants);
      expect(body.filter((e) => e.ph === "i" && e.tid === CONTROLLER_EVENTS_TID && e.pid === CONTROLLER_PID).length).toBe(r.controller.length);
      // NVMe commands: one X each, never overlapping on a track (an SQ's lane)
      const xs = body.filter((e) => e.ph === "X");
      expect(xs.length, name).toBe(r.commands.length);
      const busy = new Map<number, number>();
      for (const x of xs) {
        expect(x.pid).toBe(CONTROLLER_PID);
        expect(x.ts!, `${name} ${x.name} tid ${x.tid}`).toBeGreaterThanOrEqual((busy.get(x.tid) ?? 0) - 1e-9);
        busy.set(x.tid, x.ts! + x.dur!);
      }
      // every track used has a name
      const procs = new Set(meta.filter((e) => e.name === "process_name").map((e) => e.pid));
      const threads = new Set(meta.filter((e) => e.name === "thread_name").map((e) => `${e.pid}/${e.tid}`));
      for (const e of body) {
        expect(procs.has(e.pid), `${name} pid ${e.pid}`).toBe(true);
        if (e.ph !== "C") expect(threads.has(`${e.pid}/${e.tid}`), `${name} ${e.pid}/${e.tid}`).toBe(true);
      }
      // dispatched requests drain: the last in-flight counter of each device reads 0
      const counters = new Map<number, ChromeTraceEvent>();
      for (const e of body) if (e.ph === "C") counters.set(e.pid, e);
      for (const [pid, c] of counters) expect(c.args, `${name} pid ${pid}`).toEqual({ reads: 0, writes: 0 });
    }
  });

  it("names the processes, and spans a bio from Q to the completion of the request it joined", () => {
    const r = run("pair-interleaved");
    const t = parse(r);
    const pn = t.traceEvents.filter((e) => e.name === "process_name").map((e) => `${e.pid} ${(e.args as { name: string }).name}`);
    expect(pn).toEqual(["253000 dm-0 (253,0)", "259000 nvme0n1 (259,0)", "1 nvme0 (controller)"]);
    // A's SRC (bio 11, sector 0) merged into B's DST request 4 (sector 512): the wrongly paired Copy
    const b11 = t.traceEvents.filter((e) => e.id === "bio:11");
    expect(b11.map((e) => [e.ph, e.ts])).toEqual([["b", 10011.365333333332], ["e", 10023.413333333332]]);
    const copy = t.traceEvents.find((e) => e.ph === "X" && e.name === "Copy")!;
    expect(copy.ts).toBe(10011.365333333332);
    expect(copy.args).toMatchObject({ rq: 4, qid: 1, sdlba: 512, blocks: 8, ranges: 1, range_list: "0+8", status: "0x0000" });
    expect(copy.ts! + copy.dur!).toBeCloseTo(b11[1].ts!, 6);
    // the lone halves fail: their request spans end with -EIO as blkparse prints it
    const failed = t.traceEvents.filter((e) => e.ph === "e" && e.cat === "request" && (e.args as { error: number }).error === 65531);
    expect(failed.map((e) => e.id)).toEqual(["rq:259,0:3", "rq:259,0:5"]);
    // the message lines are instants named by their text
    expect(t.traceEvents.some((e) => e.ph === "i" && e.name === "copy: paired COPY_SRC bio 11 with COPY_DST request 4")).toBe(true);
  });

  it("describes a vectored Copy's source ranges", () => {
    const t = parse(run("vector-merge"));
    const copy = t.traceEvents.find((e) => e.ph === "X" && e.name === "Copy")!;
    expect(copy.args).toMatchObject({ sdlba: 8192, blocks: 64, ranges: 4, range_list: "0+16 200+16 400+16 600+16" });
  });

  it("lists every blktrace action once", () => {
    expect(new Set(ACTIONS.map((a) => a.action)).size).toBe(ACTIONS.length);
    expect(ACTIONS.map((a) => a.action).sort()).toEqual(["A", "C", "D", "F", "G", "I", "M", "P", "Q", "R", "S", "U", "UT", "X", "m"].sort());
  });
});
