// The block layer against a plain model of the device bytes: random sequences of writes
// (random data, random page layouts that may split at the virt boundary), discards,
// write-zeroes, reads and copies (contiguous or vectored, within or across namespaces, with
// the run's copy design and offload on or off) from 1-3 tasks that start and finish plugs
// and wait at random, on the none or mq-deadline scheduler. Discarded and zeroed blocks read
// as zeroes. An operation that touches bytes another one still in flight writes (or writes
// bytes it reads) first waits for everything, so the model's serial order is one the block
// layer may choose. Every read returns the model's bytes; at the end the whole area is read
// back; every bio completes exactly once and every copy is done with offloaded + emulated
// equal to what was asked (all offloaded when offload is on, all emulated when it is off).
// A second property runs the same on random device-mapper stacks (linear, striped, crypt,
// crypt on linear, linear on crypt) built on the namespaces: the model is the top device's
// bytes; operations a stack refuses (write-zeroes and discards through dm-crypt) must fail
// BLK_STS_NOTSUPP and change nothing.
// Replay a failure with PROP_SEED=<seed> (fast-check prints it); PROP_RUNS sets the run count.

import { describe, it, expect } from "vitest";
import { pattern } from "./helpers";
import fc from "fast-check";
import { BlockHost } from "../../src/block/host";
import { defaultConfig, defaultNamespace } from "../../src/controller/config";
import { loadCoreModule } from "../../src/node/wasm";
import { Bio, BioVec, BlkStatus, Op } from "../../src/block/bio";
import { BlockLayer } from "../../src/block/blk";
import { MqDisk, SchedulerName } from "../../src/block/mq";
import { SYSFS } from "../../src/block/limits";
import { CopyDesign } from "../../src/block/disk";
import { blkCopy } from "../../src/block/copy/copy";
import type { CopyOutcome } from "../../src/block/copy/types";
import type { Task } from "../../src/block/sim";
import type { BlockDevice } from "../../src/block/disk";
import { createDm } from "../../src/block/dm/core";

/** The area every operation stays in, per namespace, in 512-byte blocks (1 MiB). */
const AREA = 2048;
/** The initial fill through a dm stack goes in pieces of 512 KiB. */
const FILL_PIECE = 1024;
const NAMESPACES = 2;

type Ext = { pos: number; len: number };
type Cmd =
  | { k: "write"; task: number; ns: number; pos: number; len: number; seed: number; cuts: number[]; offs: number[] }
  | { k: "discard" | "wz" | "read"; task: number; ns: number; pos: number; len: number }
  | { k: "copy"; task: number; sns: number; dns: number; src: Ext[]; dst: number }
  | { k: "plug" | "unplug" | "wait"; task: number };

/** Device-mapper stacks: the devices the operations use (namespace 1 and 2 slots). */
type Stack = "none" | "linear" | "striped" | "crypt" | "crypt-on-linear" | "linear-on-crypt";

interface Run {
  stack?: Stack;
  design: CopyDesign;
  offload: boolean;
  scheduler: SchedulerName;
  tasks: number;
  cmds: Cmd[];
}

// ---- arbitraries (blocks of 512 bytes) ----

const lenArb = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 1, max: 16 }) },
  { weight: 3, arbitrary: fc.integer({ min: 1, max: 16 }).map((n) => n * 8) },
  { weight: 1, arbitrary: fc.integer({ min: 129, max: 1100 }) },
);
const extArb = lenArb.chain((len) => fc.integer({ min: 0, max: AREA - len }).map((pos) => ({ pos, len })));
const taskArb = (n: number) => fc.integer({ min: 0, max: n - 1 });
const nsArb = fc.oneof({ weight: 4, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.constant(2) });

const overlaps = (a: Ext, b: Ext) => a.pos < b.pos + b.len && b.pos < a.pos + a.len;

function cmdArb(tasks: number): fc.Arbitrary<Cmd> {
  const t = taskArb(tasks);
  const write = fc.record({ task: t, ns: nsArb, e: extArb, seed: fc.nat(), cuts: fc.array(fc.nat(), { maxLength: 3 }), offs: fc.array(fc.constantFrom(0, 0, 0, 1, 4), { minLength: 4, maxLength: 4 }) })
    .map(({ task, ns, e, seed, cuts, offs }): Cmd => ({ k: "write", task, ns, pos: e.pos, len: e.len, seed, cuts, offs }));
  const simple = (k: "discard" | "wz" | "read") => fc.record({ task: t, ns: nsArb, e: extArb }).map(({ task, ns, e }): Cmd => ({ k, task, ns, pos: e.pos, len: e.len }));
  const copy = fc.record({
    task: t, sns: nsArb, dns: nsArb,
    src: fc.oneof({ weight: 3, arbitrary: fc.array(extArb, { minLength: 1, maxLength: 1 }) }, { weight: 1, arbitrary: fc.array(extArb.map((e) => ({ pos: e.pos, len: Math.min(e.len, 64) })), { minLength: 2, maxLength: 4 }) }),
    at: fc.nat(),
  }).map(({ task, sns, dns, src, at }) => {
    const total = src.reduce((a, s) => a + s.len, 0);
    return { task, sns, dns, src, total, dst: total > AREA ? -1 : at % (AREA - total + 1) };
  }).filter((c) => c.dst >= 0 && (c.sns !== c.dns || c.src.every((s) => !overlaps(s, { pos: c.dst, len: c.total }))))
    .map(({ task, sns, dns, src, dst }): Cmd => ({ k: "copy", task, sns, dns, src, dst }));
  return fc.oneof(
    { weight: 6, arbitrary: write },
    { weight: 2, arbitrary: simple("discard") },
    { weight: 2, arbitrary: simple("wz") },
    { weight: 4, arbitrary: simple("read") },
    { weight: 6, arbitrary: copy },
    { weight: 2, arbitrary: fc.record({ task: t }).map(({ task }): Cmd => ({ k: "plug", task })) },
    { weight: 2, arbitrary: fc.record({ task: t }).map(({ task }): Cmd => ({ k: "unplug", task })) },
    { weight: 1, arbitrary: fc.record({ task: t }).map(({ task }): Cmd => ({ k: "wait", task })) },
  );
}

const runArb = (stacks: Stack[]): fc.Arbitrary<Run> => fc.integer({ min: 1, max: 3 }).chain((tasks) => fc.record({
  stack: fc.constantFrom(...stacks),
  design: fc.constantFrom<CopyDesign>("pair", "ctx", "vector"),
  offload: fc.boolean(),
  scheduler: fc.constantFrom<SchedulerName>("none", "none", "mq-deadline"),
  tasks: fc.constant(tasks),
  cmds: fc.array(cmdArb(tasks), { minLength: 1, maxLength: 30 }),
}));

// ---- the check ----

/** What an operation in flight touches: extents on a namespace, read or written. */
interface Access { ns: number; ext: Ext; write: boolean }
interface Pending { acc: Access[]; done: () => boolean }

const KEY = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

/** Build the stack; the two devices operations go to (the same one twice when it uses both namespaces). */
function stackUp(blk: BlockLayer, stack: Stack): BlockDevice[] {
  const n2 = blk.disk("nvme0n2");
  switch (stack) {
    case "none": return [blk.disk("nvme0n1"), n2];
    case "linear": return [createDm(blk, "lin", [`0 ${AREA} linear nvme0n1 136`]), n2];
    case "striped": {
      const top = createDm(blk, "str", [`0 ${AREA} striped 2 64 nvme0n1 0 nvme0n2 128`]);
      return [top, top];
    }
    case "crypt": return [createDm(blk, "cr", [`0 ${AREA} crypt aes-xts-plain64 ${KEY} 0 nvme0n1 8`]), n2];
    case "crypt-on-linear": {
      createDm(blk, "lin", [`0 ${AREA + 64} linear nvme0n1 64`]);
      return [createDm(blk, "cr", [`0 ${AREA} crypt aes-xts-plain64 ${KEY} 7 /dev/mapper/lin 32`]), n2];
    }
    case "linear-on-crypt": {
      createDm(blk, "cr", [`0 ${AREA + 64} crypt aes-xts-plain64 ${KEY} 0 nvme0n1 0`]);
      return [createDm(blk, "lin", [`0 ${AREA} linear /dev/mapper/cr 64`]), n2];
    }
  }
}

async function check(r: Run): Promise<void> {
  const c = defaultConfig();
  c.namespaces = Array.from({ length: NAMESPACES }, (_, i) => defaultNamespace(i + 1, 8192));
  const h = await BlockHost.create(await loadCoreModule(false), c, { cpus: 2, design: r.design });
  const blk: BlockLayer = h.blk;
  for (const n of [1, 2]) {
    const d = blk.disk(`nvme0n${n}`) as MqDisk;
    d.setScheduler(r.scheduler);
    if (!r.offload) expect(SYSFS.copy_max_bytes.store!(d.limits, d.flags, 0)).toBeNull();
  }
  const stack = r.stack ?? "none";
  const disks = stackUp(blk, stack);
  /** The model slot of a device: one per distinct device. */
  const slot = (ns: number) => (disks[1] === disks[0] ? 0 : ns - 1);
  const supports = (d: BlockDevice, k: "discard" | "wz") => (k === "wz" ? d.limits.max_write_zeroes_sectors : d.limits.max_discard_sectors) > 0;
  const tasks: Task[] = Array.from({ length: r.tasks }, (_, i) => blk.sim.addTask(200 + i, `t${i}`, i % 2));
  const model = [new Uint8Array(AREA * 512), new Uint8Array(AREA * 512)];
  const bios: Bio[] = [];
  /** Bios the device does not support: they must fail BLK_STS_NOTSUPP. */
  const refused: Bio[] = [];
  const outcomes: Array<{ o: CopyOutcome; src: BlockDevice; dst: BlockDevice }> = [];
  /**
   * Offload off: nothing offloaded. On, between namespaces: all of it within one, across two
   * only with ctx (format 2h). Within a dm device: all through dm-linear for pair and ctx (the
   * 2025 series has no dm support), nothing through dm-crypt or dm-stripe. Between a dm device
   * and a namespace: not pinned here (-1).
   */
  const expectOffloaded = (o: CopyOutcome): number => {
    const { src, dst } = outcomes.find((x) => x.o === o)!;
    if (!r.offload) return 0;
    if (!src.stacking && !dst.stacking) return src === dst || r.design === "ctx" ? o.requested_bytes : 0;
    if (src === dst) return stack === "linear" && r.design !== "vector" ? o.requested_bytes : 0;
    return o.offloaded_bytes;
  };
  const reads: Array<{ bio: Bio; bus: number; want: Uint8Array }> = [];
  let pending: Pending[] = [];
  const ram = blk.mem!.ram;
  const pool = blk.mem!.pool;
  if (stack !== "none") {
    // what dm-crypt reads from never-written blocks is the keystream, not zeroes: start from
    // known bytes written through the stack
    const init = blk.sim.addTask(299, "init", 0);
    for (const [i, d] of (disks[0] === disks[1] ? [disks[0]] : disks).entries()) {
      const data = pattern(AREA * 512, 1000 + i);
      const b = pool.alloc(AREA * 512);
      ram.set(data, b.bus);
      const wb: Bio[] = [];
      blk.sim.as(init, () => {
        for (let at = 0; at < AREA; at += FILL_PIECE) {
          const bio = new Bio(d, Op.WRITE, at, FILL_PIECE * 512, [{ bus: b.bus + at * 512, len: FILL_PIECE * 512 }]);
          wb.push(bio);
          blk.submitBio(bio);
        }
        blk.waitTask();
      });
      for (const bio of wb) expect([bio.ended, bio.status]).toEqual([true, BlkStatus.OK]);
      model[i].set(data);
    }
  }

  const drain = () => {
    for (const t of tasks) blk.sim.as(t, () => blk.waitTask());
    blk.sim.drain();
    for (const p of pending) expect(p.done()).toBe(true);
    pending = [];
  };
  /** Wait for everything first when this op touches bytes an op in flight writes (or writes bytes it reads). */
  const order = (acc: Access[], done: () => boolean) => {
    pending = pending.filter((p) => !p.done());
    const clash = pending.some((p) => p.acc.some((a) => acc.some((b) => a.ns === b.ns && (a.write || b.write) && overlaps(a.ext, b.ext))));
    if (clash) drain();
    pending.push({ acc, done });
  };
  const R = (ns: number, ext: Ext): Access => ({ ns, ext, write: false });
  const W = (ns: number, ext: Ext): Access => ({ ns, ext, write: true });

  for (const cmd of r.cmds) {
    const t = tasks[cmd.task];
    blk.sim.as(t, () => {
      switch (cmd.k) {
        case "plug":
          if (t.plugDepth < 2) blk.startPlug();
          return;
        case "unplug":
          if (t.plugDepth > 0) blk.finishPlug();
          return;
        case "wait":
          blk.waitTask();
          return;
        case "write": {
          const data = pattern(cmd.len * 512, cmd.seed);
          // cut the buffer into up to 4 pieces, each in its own pages, some not page-aligned
          const cuts = [...new Set(cmd.cuts.map((x) => x % cmd.len).filter((x) => x > 0))].sort((a, b) => a - b);
          const bounds = [0, ...cuts, cmd.len];
          const vecs: BioVec[] = [];
          for (let i = 0; i + 1 < bounds.length; i++) {
            const len = (bounds[i + 1] - bounds[i]) * 512;
            const off = cmd.offs[i] * 512;
            const b = pool.alloc(len + off);
            ram.set(data.subarray(bounds[i] * 512, bounds[i + 1] * 512), b.bus + off);
            vecs.push({ bus: b.bus + off, len });
          }
          const bio = new Bio(disks[cmd.ns - 1], Op.WRITE, cmd.pos, cmd.len * 512, vecs);
          order([W(slot(cmd.ns), cmd)], () => bio.ended);
          bios.push(bio);
          model[slot(cmd.ns)].set(data, cmd.pos * 512);
          blk.submitBio(bio);
          return;
        }
        case "discard":
        case "wz": {
          const d = disks[cmd.ns - 1];
          const bio = new Bio(d, cmd.k === "wz" ? Op.WRITE_ZEROES : Op.DISCARD, cmd.pos, cmd.len * 512);
          order([W(slot(cmd.ns), cmd)], () => bio.ended);
          if (supports(d, cmd.k)) {
            bios.push(bio);
            model[slot(cmd.ns)].fill(0, cmd.pos * 512, (cmd.pos + cmd.len) * 512);
          } else refused.push(bio);
          blk.submitBio(bio);
          return;
        }
        case "read": {
          const b = pool.alloc(cmd.len * 512);
          ram.fill(0xa5, b.bus, b.bus + cmd.len * 512);
          const bio = new Bio(disks[cmd.ns - 1], Op.READ, cmd.pos, cmd.len * 512, [{ bus: b.bus, len: cmd.len * 512 }]);
          order([R(slot(cmd.ns), cmd)], () => bio.ended);
          bios.push(bio);
          reads.push({ bio, bus: b.bus, want: model[slot(cmd.ns)].slice(cmd.pos * 512, (cmd.pos + cmd.len) * 512) });
          blk.submitBio(bio);
          return;
        }
        case "copy": {
          const total = cmd.src.reduce((a, s) => a + s.len, 0);
          // two namespace slots on one device (a stripe set): an overlapping copy is not allowed
          if (disks[cmd.sns - 1] === disks[cmd.dns - 1] && cmd.src.some((e) => overlaps(e, { pos: cmd.dst, len: total }))) return;
          let o: CopyOutcome | null = null;
          order([...cmd.src.map((e) => R(slot(cmd.sns), e)), W(slot(cmd.dns), { pos: cmd.dst, len: total })], () => o!.done);
          const src = model[slot(cmd.sns)];
          const bytes = new Uint8Array(total * 512);
          let at = 0;
          for (const s of cmd.src) { bytes.set(src.subarray(s.pos * 512, (s.pos + s.len) * 512), at); at += s.len * 512; }
          model[slot(cmd.dns)].set(bytes, cmd.dst * 512);
          o = blkCopy(blk, {
            src: disks[cmd.sns - 1], dst: disks[cmd.dns - 1],
            srcSegs: cmd.src.map((s) => ({ pos: s.pos * 512, len: s.len * 512 })),
            dstSegs: [{ pos: cmd.dst * 512, len: total * 512 }],
          });
          outcomes.push({ o, src: disks[cmd.sns - 1], dst: disks[cmd.dns - 1] });
          return;
        }
      }
    });
  }
  // finish every plug, then wait for all I/O
  for (const t of tasks) blk.sim.as(t, () => { while (t.plugDepth > 0) blk.finishPlug(); });
  drain();
  for (const t of tasks) expect(t.outstanding).toBe(0);

  for (const b of bios) {
    expect(b.ended).toBe(true);
    expect(b.status).toBe(BlkStatus.OK);
  }
  for (const b of refused) expect([b.ended, b.status]).toEqual([true, BlkStatus.NOTSUPP]);
  for (const rd of reads) expect(Buffer.from(ram.subarray(rd.bus, rd.bus + rd.want.length)).equals(Buffer.from(rd.want))).toBe(true);
  for (const { o } of outcomes) {
    expect(o.done).toBe(true);
    expect(o.status).toBe(BlkStatus.OK);
    expect(o.offloaded_bytes + o.emulated_bytes).toBe(o.requested_bytes);
    expect(o.offloaded_bytes).toBe(expectOffloaded(o));
  }
  if (!r.offload) expect(blk.tracer.commands.filter((x) => x.name === "Copy").length).toBe(0);
  expect(blk.tracer.commands.every((x) => x.status === 0)).toBe(true);

  // the whole area, read back through the block layer (one bio each)
  const reader = blk.sim.addTask(300, "check", 0);
  for (const [i, d] of (disks[0] === disks[1] ? [disks[0]] : disks).entries()) {
    const b = pool.alloc(AREA * 512);
    // one read of the whole area: blk-mq splits it below dm-crypt, which must decrypt it all
    const piece = AREA;
    const rbios: Bio[] = [];
    blk.sim.as(reader, () => {
      for (let at = 0; at < AREA; at += piece) {
        const bio = new Bio(d, Op.READ, at, piece * 512, [{ bus: b.bus + at * 512, len: piece * 512 }]);
        rbios.push(bio);
        blk.submitBio(bio);
      }
      blk.waitTask();
    });
    for (const bio of rbios) expect([bio.ended, bio.status]).toEqual([true, BlkStatus.OK]);
    const got = ram.subarray(b.bus, b.bus + AREA * 512);
    if (!Buffer.from(got).equals(Buffer.from(model[i]))) {
      const at = got.findIndex((v, j) => v !== model[i][j]);
      throw new Error(`${d.name}: byte ${at} (block ${Math.floor(at / 512)}) is ${got[at]}, the model has ${model[i][at]}`);
    }
  }
}

const params = (runs: number) => ({ numRuns: Number(process.env.PROP_RUNS ?? runs), seed: process.env.PROP_SEED ? Number(process.env.PROP_SEED) : undefined, endOnFailure: true });

describe("block layer vs a byte model", () => {
  it("random writes, discards, write-zeroes, reads and copies from 1-3 tasks with plugs", async () => {
    await fc.assert(fc.asyncProperty(runArb(["none"]), check), params(50));
  });

  it("the same through random device-mapper stacks (linear, striped, crypt)", async () => {
    await fc.assert(fc.asyncProperty(runArb(["linear", "striped", "crypt", "crypt-on-linear", "linear-on-crypt"]), check), params(50));
  });
});
