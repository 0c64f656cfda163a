// The Setup view's model (web/views/setup-model.ts) on every examples/blk scenario: a form
// that changes nothing gives the same JSON byte for byte, each edit changes only the key it
// names, edited setups still pass parseScenario (and run), the stack graph matches the
// tables, and adding / removing dm targets keeps dm-N references right or is refused.

import { describe, it, expect } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import { parseScenario } from "../../src/block/scenario";
import { LabSession } from "../../src/lab/session";
import { loadCoreModule } from "../../src/node/wasm";
import { Sha256 } from "../../src/util/sha256";
import {
  allFields, setField, diffPaths, stackGraph, layoutGraph, addTarget, removeDevice, setTable, validateSetup,
  namespaceFields, controllerFields, ocfsFields, presetField, linuxField, hostFields, modelFields, fabricField, tcpFields, designField, limitFields,
  addNamespace, removeNamespace, referencesTo, describeSetup, setIn, FieldError, PRESETS, fieldProblems, parseLine, type Setup, type Field,
} from "../../web/views/setup-model";

const DIR = "examples/blk";
const examples = readdirSync(DIR).filter((f) => f.endsWith(".json")).map((f) => ({ name: f, text: readFileSync(`${DIR}/${f}`, "utf8") }));
const load = (name: string): Setup => JSON.parse(examples.find((e) => e.name === name)!.text) as Setup;
const field = (fs: Field[], id: string): Field => fs.find((f) => f.id === id)!;
const parses = (s: Setup) => expect(() => parseScenario(s, "setup")).not.toThrow();

describe("the form over every example", () => {
  it("has the nine examples", () => expect(examples.length).toBeGreaterThanOrEqual(9));

  for (const ex of examples) {
    describe(ex.name, () => {
      const original = JSON.parse(ex.text) as Setup;

      it("round trip: every field written back with what it shows leaves the JSON identical", () => {
        let s = JSON.parse(ex.text) as Setup;
        for (const f of allFields(s)) s = f.set(s, f.get(s)); // set, not setField: no short cut
        expect(JSON.stringify(s)).toBe(JSON.stringify(original));
        expect(validateSetup(s, parseScenario)).toEqual([]);
      });

      it("an MSRC, MDTS, ONCS and design edit change only those keys and still parse", () => {
        let s = JSON.parse(ex.text) as Setup;
        s = setField(s, field(namespaceFields(s, 0), "ns-0-msrc"), "3");
        s = setField(s, field(controllerFields(), "ctrl-mdts"), "5");
        const design = original.design === "vector" ? "pair" : "vector";
        s = setField(s, designField(), design);
        expect(diffPaths(original, s).sort()).toEqual(["setup.controller.mdts", "setup.controller.namespaces[0].msrc", "setup.design"]);
        expect((s.controller as { namespaces: Array<{ msrc: number }> }).namespaces[0].msrc).toBe(3);
        s = setField(s, field(controllerFields(), "ctrl-oncs-copy"), false);
        expect((s.controller as { oncs: number }).oncs & 0x100).toBe(0);
        parses(s);
        expect(validateSetup(s, parseScenario)).toEqual([]);
      });

      it("the graph has every namespace and every dm device, with an edge per device argument", () => {
        const g = stackGraph(original);
        expect(g.problems).toEqual([]);
        const stack = (original.stack as Array<{ name: string; table: string[] }> | undefined) ?? [];
        const made = ((original.steps as Array<Record<string, unknown>>) ?? []).filter((st) => st.op === "dm_create");
        expect(g.nodes.filter((n) => n.kind === "dm").map((n) => n.mapper)).toEqual([...stack.map((x) => x.name), ...made.map((x) => x.name)]);
        const lay = layoutGraph(g);
        expect(lay.boxes.length).toBe(g.nodes.length);
        // every edge goes down: from a higher row to a lower one
        for (const l of lay.lines) expect(l.y1).toBeLessThan(l.y2 + 1);
      });
    });
  }
});

describe("fields", () => {
  it("an invalid value is refused with the field's JSON path", () => {
    const s = load("vector-merge.json");
    expect(() => setField(s, field(namespaceFields(s, 0), "ns-0-msrc"), "300")).toThrow(FieldError);
    expect(() => setField(s, field(namespaceFields(s, 0), "ns-0-msrc"), "300")).toThrow(/^setup\.controller\.namespaces\[0\]\.msrc: "300" is not an integer in 0\.\.255 \(MSRC\)$/);
    expect(() => setField(s, field(namespaceFields(s, 0), "ns-0-size"), "64q")).toThrow(/^setup\.controller\.namespaces\[0\]\.size: /);
    expect(() => setField(s, field(controllerFields(), "ctrl-mdts"), "21")).toThrow(/setup\.controller\.mdts/);
  });

  it("the kernel is a choice of the modelled ones; 7.2 runs without __submit_bio's plug, 6.18 removes the key", () => {
    const s = load("ctx-gc.json");
    const f = linuxField();
    expect(hostFields().map((x) => x.id)).toContain("linux");
    expect(f.get(s)).toBe("6.18");
    const y = setField(s, f, "7.2");
    expect(diffPaths(s, y)).toEqual(["setup.linux"]);
    expect(parseScenario(y, "setup").linux).toBe("7.2");
    expect(setField(y, f, "6.18")).toEqual(s);
    expect(() => setField(s, f, "6.1")).toThrow(/^setup\.linux: "6\.1" is not one of 6\.18, 7\.2$/);
  });

  it("clearing a field removes its key (the default applies) and objects it left empty", () => {
    const s = load("ctx-gc.json");
    const f = limitFields(s, "nvme0n1").find((x) => x.id === "sysfs-nvme0n1-nomerges")!;
    const y = setField(s, f, "2");
    expect(y.sysfs).toEqual({ nvme0n1: { nomerges: 2 } });
    parses(y);
    expect(setField(y, f, "")).toEqual(s);
  });

  it("write_cache is a choice of queue_wc_store's words; the default removes the key", () => {
    const s = load("ctx-gc.json");
    const f = limitFields(s, "nvme0n1").find((x) => x.id === "sysfs-nvme0n1-write_cache")!;
    const y = setField(s, f, "write through");
    expect(y.sysfs).toEqual({ nvme0n1: { write_cache: "write through" } });
    parses(y);
    expect(() => setField(s, f, "write behind")).toThrow(/^setup\.sysfs\.nvme0n1\.write_cache: "write behind" is not one of /);
    expect(setField(y, f, "")).toEqual(s);
  });

  it("OCFS checkboxes write the bitmap, starting from the default 0xf", () => {
    const s = load("ctx-gc.json");
    const y = setField(s, field(ocfsFields(), "ctrl-ocfs-2"), false);
    expect((y.controller as { ocfs: number }).ocfs).toBe(0b1011);
    parses(y);
    expect(validateSetup(y, parseScenario)).toEqual([]);
  });

  it("the LBA format writes lbaSize and keeps the size in bytes", () => {
    const s = load("vector-merge.json");
    const y = setField(s, field(namespaceFields(s, 0), "ns-0-lbaf"), "4096+0");
    expect(diffPaths(s, y)).toEqual(["setup.controller.namespaces[0].lbaSize"]);
    expect(field(namespaceFields(y, 0), "ns-0-lbaf").get(y)).toBe("4096+0");
    const z = setField(s, field(namespaceFields(s, 0), "ns-0-lbaf"), "512+8");
    expect((z.controller as { namespaces: Array<Record<string, unknown>> }).namespaces[0]).toMatchObject({ lbaSize: 512, ms: 8 });
    expect(validateSetup(z, parseScenario)).toEqual([]);
  });

  it("protection information: type and location are numbers in the namespace; PI without room for the tuple is named", () => {
    const s = load("vector-merge.json");
    const noRoom = setField(s, field(namespaceFields(s, 0), "ns-0-pi"), "1");
    expect((noRoom.controller as { namespaces: Array<Record<string, unknown>> }).namespaces[0].pi).toBe(1);
    expect(validateSetup(noRoom, parseScenario).join("\n")).toMatch(/^setup\.controller\.namespaces\[0\]\.pi: protection information type 1 needs metadata that holds the 8-byte PI tuple/m);
    const y = setField(setField(noRoom, field(namespaceFields(noRoom, 0), "ns-0-lbaf"), "512+8"), field(namespaceFields(noRoom, 0), "ns-0-pil"), "1");
    expect((y.controller as { namespaces: Array<Record<string, unknown>> }).namespaces[0]).toMatchObject({ ms: 8, pi: 1, pil: 1 });
    expect(validateSetup(y, parseScenario)).toEqual([]);
    expect(field(namespaceFields(y, 0), "ns-0-pi").get(y)).toBe("1");
    expect(describeSetup(y)[0]).toContain("512+8-byte LBAs, PI type 1");
    expect(() => setField(y, field(namespaceFields(y, 0), "ns-0-pi"), "5")).toThrow(FieldError);
  });

  it("a device preset drops timing (they exclude each other); none removes the device", () => {
    const s = setIn(load("ctx-gc.json"), ["timing"], { latency_us: 5 });
    const y = setField(s, presetField(), "tlc-970pro");
    expect(y.device).toEqual({ preset: "tlc-970pro" });
    expect(y.timing).toBeUndefined();
    parses(y);
    const lanes = modelFields(y).find((f) => f.id === "dev-lanes")!;
    const z = setField(y, lanes, "8");
    expect(z.device).toEqual({ preset: "tlc-970pro", pcie_lanes: 8 });
    expect(setField(z, presetField(), "none").device).toBeUndefined();
    const t = setField(s, fabricField(), "tcp");
    expect(t.fabric).toEqual({ transport: "tcp", gbps: 1, rtt_us: 50 });
    parses(t);
    // the target's CPUs: a whole number, and the work per command in µs
    const cpus = tcpFields().find((f) => f.id === "tcp-target-cpus")!;
    const work = tcpFields().find((f) => f.id === "tcp-target-cmd")!;
    const c = setField(setField(t, cpus, "24"), work, "2.5");
    expect(c.fabric).toEqual({ transport: "tcp", gbps: 1, rtt_us: 50, target_cpus: 24, target_cmd_us: 2.5 });
    parses(c);
    expect(() => setField(t, cpus, "1.5")).toThrow(/fabric\.target_cpus/);
  });

  it("the simple model's link is per command: its hints say commands in flight do not share it", () => {
    // docs/TIMING.md: the simple model has unlimited parallelism, so the Charts' sum can pass the link
    expect(PRESETS.find((p) => p.value === "none")!.hint).toMatch(/each command gets the whole link \(unlimited parallelism\)/);
    expect(PRESETS.find((p) => p.value === "simple")!.hint).toMatch(/unlimited parallelism/);
    expect(field(modelFields({}), "timing-link").hint).toBe("per command: commands in flight do not share it");
    expect(field(modelFields({ device: "simple" }), "dev-link").hint).toBe("per command: commands in flight do not share it");
  });

  it("namespaces: add one, refuse to remove one in use or the only one", () => {
    const s = load("crypt-fallback.json");
    expect(removeNamespace(s, 0).error).toMatch(/only namespace/);
    const y = addNamespace(s);
    expect((y.controller as { namespaces: unknown[] }).namespaces).toHaveLength(2);
    expect(validateSetup(y, parseScenario)).toEqual([]);
    expect(removeNamespace(y, 0).error).toMatch(/nvme0n1 is in use: dm-0 \(lin\) stacks on it \(setup\.stack\[0\]\)/);
    expect(removeNamespace(y, 1).setup).toEqual(s);
  });

  it("validation names every invalid field at once, not only the parser's first problem", () => {
    // a link can carry any JSON: three fields wrong at once
    const bad = { controller: { namespaces: [{ size: "huge", msrc: 999 }] }, cpus: -1 } as Setup;
    expect(fieldProblems(bad).map((p) => p.field.id)).toEqual(["ns-0-size", "ns-0-msrc", "cpus"]);
    expect(validateSetup(bad, parseScenario)).toEqual([
      'setup.controller.namespaces[0].size: "huge" is not a size (examples: 4096, 64M, 1GiB, 1T) (Size)',
      'setup.controller.namespaces[0].msrc: "999" is not an integer in 0..255 (MSRC)',
      'setup.cpus: "-1" is not an integer in 1..64 (CPUs)',
    ]);
    // parseScenario alone stops at its first
    expect(() => parseScenario(bad, "setup")).toThrow();
    // one place, one message: the parser's own wording of a field already named is dropped
    const one = { cpus: 0 } as Setup;
    expect(validateSetup(one, parseScenario)).toEqual(['setup.cpus: "0" is not an integer in 1..64 (CPUs)']);
    for (const ex of examples) expect(fieldProblems(load(ex.name)), ex.name).toEqual([]);
  });

  it("validation names hw_queues against the controller's queue pairs", () => {
    const s = setIn(setIn(load("kcopyd-percpu.json"), ["controller", "maxIoQueuePairs"], 2), ["hw_queues"], 4);
    expect(validateSetup(s, parseScenario)).toContain("setup.hw_queues: 4 hardware queues, but the controller has 2 I/O queue pairs (setup.controller.maxIoQueuePairs)");
  });
});

describe("table lines", () => {
  it("reads the what-if tokens as dm core does: neither is one of the target's arguments", () => {
    const l = parseLine("0 131072 delay nvme0n1 0 5 what-if=copy_offload what-if=plug");
    expect(typeof l === "object" && l !== null ? l.args : l).toEqual(["nvme0n1", "0", "5"]);
  });
});

describe("the stack graph", () => {
  it("crypt-fallback: dm-1 (crypt) on dm-0 (linear) on nvme0n1", () => {
    const g = stackGraph(load("crypt-fallback.json"));
    expect(g.nodes.map((n) => `${n.id}:${n.types.join("+")}:${n.level}`)).toEqual(["nvme0n1::0", "dm-0:linear:1", "dm-1:crypt:2"]);
    expect(g.edges).toEqual([{ from: "dm-0", to: "nvme0n1", role: "", target: 0 }, { from: "dm-1", to: "dm-0", role: "", target: 0 }]);
  });

  it("snapshot-cow: the steps' snapshot devices come after the stack, with origin and COW roles", () => {
    const g = stackGraph(load("snapshot-cow.json"));
    const snap = g.nodes.find((n) => n.mapper === "snap")!;
    expect(snap).toMatchObject({ id: "dm-3", from: "step", types: ["snapshot"] });
    expect(g.edges.filter((e) => e.from === "dm-3")).toEqual([{ from: "dm-3", to: "dm-0", role: "origin", target: 0 }, { from: "dm-3", to: "dm-1", role: "COW", target: 0 }]);
  });

  it("add a dm-linear over nvme0n1: a valid stack entry dm-0", () => {
    const s = load("vector-merge.json");
    const r = addTarget(s, { type: "linear", devices: ["nvme0n1"] });
    expect(r.error).toBeUndefined();
    expect(r.id).toBe("dm-0");
    expect(r.setup!.stack).toEqual([{ name: "linear0", table: ["0 131072 linear nvme0n1 0"] }]);
    expect(diffPaths(s, r.setup!)).toEqual(["setup.stack"]);
    expect(validateSetup(r.setup!, parseScenario)).toEqual([]);
    // and back
    expect(removeDevice(r.setup!, "dm-0").setup).toEqual(s);
  });

  it("adding to the stack moves the dm_create steps' devices up one, and references follow", () => {
    const s = load("snapshot-cow.json");
    const withRef = setIn(s, ["steps", 0, "dev"], "dm-2"); // a step that would name origin by number
    const r = addTarget(withRef, { type: "delay", devices: ["dm-1"], name: "slow" });
    expect(r.id).toBe("dm-2");
    expect((r.setup!.steps as Array<{ dev: string }>)[0].dev).toBe("dm-3");
    expect(stackGraph(r.setup!).nodes.find((n) => n.mapper === "origin")!.id).toBe("dm-3");
    expect((r.setup!.stack as Array<{ table: string[] }>)[2].table).toEqual(["0 4096 delay dm-1 0 1"]);
  });

  it("removing a device others stack on is refused, naming who; removing the top renumbers nothing else", () => {
    const s = load("crypt-fallback.json");
    expect(removeDevice(s, "dm-0").error).toBe("cannot remove dm-0 (lin): dm-1 (secret) stacks on it (setup.stack[1]); setup.steps[1].dev; setup.steps[4].src; setup.steps[4].dst");
    expect(removeDevice(s, "dm-1").error).toMatch(/setup\.steps\[0\]\.dev/);
    const g = load("snapshot-cow.json");
    expect(removeDevice(g, "dm-3").error).toMatch(/made by setup\.steps\[3\] \(dm_create\)/);
  });

  it("removing a middle device renumbers the ones above it everywhere", () => {
    let s = load("vector-merge.json");
    s = addTarget(s, { type: "linear", devices: ["nvme0n1"], name: "a" }).setup!;
    s = addTarget(s, { type: "linear", devices: ["nvme0n1"], name: "b" }).setup!;
    s = addTarget(s, { type: "crypt", devices: ["dm-1"], name: "c" }).setup!;
    s = setIn(s, ["sysfs"], { "dm-2": { nomerges: 1 } });
    const r = removeDevice(s, "dm-0");
    expect(r.error).toBeUndefined();
    expect((r.setup!.stack as Array<{ table: string[] }>)[1].table[0]).toContain(" dm-0 0");
    expect(r.setup!.sysfs).toEqual({ "dm-1": { nomerges: 1 } });
    expect(validateSetup(r.setup!, parseScenario)).toEqual([]);
  });

  it("snapshot and clone need distinct devices; a changed table is checked", () => {
    const s = load("vector-merge.json");
    expect(addTarget(s, { type: "snapshot", devices: ["nvme0n1", "nvme0n1"] }).error).toMatch(/different device/);
    const r = addTarget(s, { type: "linear", devices: ["nvme0n1"] });
    expect(setTable(r.setup!, "dm-0", ["0 200000 linear nvme0n1 0"]).error).toBe("setup.stack[0].table[0]: 200000 sectors at offset 0 go past the end of nvme0n1 (131072 sectors)");
    expect(setTable(r.setup!, "dm-0", ["0 100 linear nvme9n1 0"]).error).toMatch(/no device "nvme9n1"/);
    expect(setTable(r.setup!, "dm-0", ["0 1024 delay nvme0n1 0 3"]).setup!.stack).toEqual([{ name: "linear0", table: ["0 1024 delay nvme0n1 0 3"] }]);
  });

  it("references list steps and tables that name a device", () => {
    expect(referencesTo(load("clone-hydration.json"), "dm-1")).toEqual(["dm-3 (clone) stacks on it (setup.steps[2])", "setup.steps[12].dev"]);
  });

  it("describes what a run builds", () => {
    const d = describeSetup(load("crypt-fallback.json"));
    expect(d[0]).toBe("1 namespace: nvme0n1 64 MiB 512-byte LBAs, MSSRL 256 MCL 4096 MSRC 15; Copy supported (ONCS bit 8)");
    expect(d[2]).toBe("device-mapper: dm-0 (lin: linear), dm-1 (secret: crypt)");
  });
});

describe("edited setups run", () => {
  it("vector-merge with MSRC 1 sends more Copy commands; with a dm-linear added, dm-0 exists", async () => {
    const lab = new LabSession(() => loadCoreModule(false), () => new Sha256());
    const s = load("vector-merge.json");
    const base = await lab.run(s);
    const copies = (r: typeof base) => r.commands.filter((c) => c.name === "Copy").length;
    const fewer = setField(s, field(namespaceFields(s, 0), "ns-0-msrc"), "1");
    const r1 = await lab.run(fewer);
    expect(copies(r1)).toBeGreaterThan(copies(base));
    const stacked = addTarget(s, { type: "linear", devices: ["nvme0n1"] }).setup!;
    const r2 = await lab.run(stacked);
    expect(r2.dm.map((d) => `${d.dev} ${d.name} ${d.table.join(";")}`)).toEqual(["dm-0 linear0 0 131072 linear 259:0 0"]);
  });
});

describe("the NVM Command Set limits (CNS 06h) in the form", () => {
  it("WZSL, DMRL and DMRSL edits reach the controller and, through bring-up, the queue limits", async () => {
    let s = load("vector-merge.json");
    s = setField(s, field(controllerFields(), "ctrl-wzsl"), "1");
    s = setField(s, field(controllerFields(), "ctrl-dmrl"), "4");
    s = setField(s, field(controllerFields(), "ctrl-dmrsl"), "256");
    expect(diffPaths(load("vector-merge.json"), s).sort()).toEqual(["setup.controller.dmrl", "setup.controller.dmrsl", "setup.controller.wzsl"]);
    parses(s);
    expect(validateSetup(s, parseScenario)).toEqual([]);
    const { buildScenarioHost } = await import("../../src/block/scenario");
    const host = await buildScenarioHost(await loadCoreModule(false), parseScenario({ ...s, steps: [] }, "setup"), "setup");
    const l = host.blk.disk("nvme0n1")!.limits;
    const lba = (s.controller as { namespaces: Array<{ lba?: number }> }).namespaces[0].lba ?? 512;
    // nvme_init_non_mdts_limits: WZSL 2^1 pages of 4 KiB; DMRSL 256 blocks; DMRL 4 ranges
    expect(l.max_write_zeroes_sectors).toBe(2 * 4096 / 512);
    expect(l.max_discard_sectors).toBe(256 * lba / 512);
    expect(l.max_discard_segments).toBe(4);
  });

  it("refuses values outside the spec's fields, naming the JSON path", () => {
    const s = load("vector-merge.json");
    expect(() => setField(s, field(controllerFields(), "ctrl-dmrl"), "256")).toThrow(/^setup\.controller\.dmrl: "256" is not an integer in 0\.\.255 \(DMRL\)$/);
    expect(() => setField(s, field(controllerFields(), "ctrl-vsl"), "21")).toThrow(/setup\.controller\.vsl/);
  });
});
