// The controller against the reference model (test/model/reference.ts): random rounds of
// Write, Read, Compare, Write Zeroes (DEAC 0/1), Dataset Management deallocate and Copy
// (formats 0h and 2h with random and overlapping ranges across several namespaces, CDFE on,
// limits that sometimes fail), each round submitted at once over several I/O queues.
// Statuses, CQE DW0, read data and NUSE must match the model's.
//
// Commands of one round that touch the same blocks (one writes what the other reads or
// writes) go to the same queue, which runs them in order; the others are spread over the
// queues and may run in any order, so the model's serial order is one the controller may
// choose. Replay a failure with PROP_SEED=<seed> (fast-check prints it and the shrunk case).

import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { Host, ns as nsConfig, rw, copyCmd, copyRanges, dsmRanges, dsmCmd, pattern, OP, BatchItem } from "../host";
import { RefController, RefNsConfig, HostBlocks } from "../model/reference";

const NAMESPACES: RefNsConfig[] = [
  { nsid: 1, nsze: 1024, lbaBytes: 512, ms: 0, extended: false, mssrl: 16, mcl: 48, msrc: 3 },
  { nsid: 2, nsze: 512, lbaBytes: 512, ms: 0, extended: false, mssrl: 32, mcl: 64, msrc: 7 },
  { nsid: 3, nsze: 256, lbaBytes: 512, ms: 8, extended: true, mssrl: 8, mcl: 24, msrc: 2 },
  { nsid: 4, nsze: 256, lbaBytes: 512, ms: 16, extended: false, mssrl: 8, mcl: 24, msrc: 2 },
  { nsid: 5, nsze: 64, lbaBytes: 4096, ms: 0, extended: false, mssrl: 4, mcl: 8, msrc: 1 },
  // Same format as 3 with metadata through MPTR: Copy between 3 and 6 moves metadata across layouts.
  { nsid: 6, nsze: 128, lbaBytes: 512, ms: 8, extended: false, mssrl: 8, mcl: 24, msrc: 2 },
];
const NN = 256;
const MDTS_BYTES = 4096 << 7;
const INACTIVE = 7;
const QUEUES = 3;
const U64_MAX = (1n << 64n) - 1n;

type Range = { slba: bigint; nlb: number };
type CopyRange = Range & { snsid: number };
type Cmd =
  | { k: "write"; ns: number; slba: bigint; nlb: number; seed: number }
  | { k: "read"; ns: number; slba: bigint; nlb: number }
  | { k: "compare"; ns: number; slba: bigint; nlb: number; flip: number | null }
  | { k: "wz"; ns: number; slba: bigint; nlb: number; deac: boolean }
  | { k: "dsm"; ns: number; ranges: Range[] }
  | { k: "copy"; ns: number; sdlba: bigint; fmt: number; ranges: CopyRange[] };
type Planned = { cmd: Cmd; q: number };

const cfgOf = (nsid: number) => NAMESPACES.find((n) => n.nsid === nsid) ?? NAMESPACES[0];

// ---- arbitraries ----

/** An SLBA for a namespace: mostly inside, sometimes at the end, rarely far out or wrapping. */
const slbaArb = (nsze: number) => fc.oneof(
  { weight: 12, arbitrary: fc.integer({ min: 0, max: nsze - 1 }).map(BigInt) },
  { weight: 2, arbitrary: fc.integer({ min: Math.max(0, nsze - 12), max: nsze + 4 }).map(BigInt) },
  { weight: 1, arbitrary: fc.constantFrom(U64_MAX, U64_MAX - 3n, 1n << 32n, 1n << 63n) },
);
/** A namespace, rarely an inactive (Invalid Field) or invalid (Invalid Namespace) one. */
const nsidArb = fc.oneof(
  { weight: 30, arbitrary: fc.constantFrom(1, 2, 3, 4, 5, 6) },
  { weight: 1, arbitrary: fc.constantFrom(0, INACTIVE) },
);

const cmdArb: fc.Arbitrary<Cmd> = nsidArb.chain((ns) => {
  const c = cfgOf(ns);
  const copyRangeArb = (fmt: number): fc.Arbitrary<CopyRange> => fc.record({
    snsid: fmt === 2
      ? fc.oneof({ weight: 6, arbitrary: fc.constant(ns) }, { weight: 4, arbitrary: fc.constantFrom(1, 2, 3, 4, 5, 6, 3, 6) }, { weight: 1, arbitrary: fc.constantFrom(0, INACTIVE, 0xffffffff) })
      : fc.constant(0),
    slba: slbaArb(c.nsze),
    nlb: fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 1, max: Math.max(1, c.mssrl >> 1) }) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: c.mssrl + 2 }) }),
  });
  return fc.oneof(
    { weight: 6, arbitrary: fc.record({ k: fc.constant("write" as const), ns: fc.constant(ns), slba: slbaArb(c.nsze), nlb: fc.oneof({ weight: 30, arbitrary: fc.integer({ min: 1, max: 16 }) }, { weight: 1, arbitrary: fc.integer({ min: 120, max: 1100 }) }), seed: fc.nat() }) },
    { weight: 5, arbitrary: fc.record({ k: fc.constant("read" as const), ns: fc.constant(ns), slba: slbaArb(c.nsze), nlb: fc.integer({ min: 1, max: 40 }) }) },
    { weight: 2, arbitrary: fc.record({ k: fc.constant("compare" as const), ns: fc.constant(ns), slba: slbaArb(c.nsze), nlb: fc.integer({ min: 1, max: 16 }), flip: fc.option(fc.nat(), { freq: 2 }) }) },
    { weight: 2, arbitrary: fc.record({ k: fc.constant("wz" as const), ns: fc.constant(ns), slba: slbaArb(c.nsze), nlb: fc.integer({ min: 1, max: 80 }), deac: fc.boolean() }) },
    { weight: 2, arbitrary: fc.record({ k: fc.constant("dsm" as const), ns: fc.constant(ns), ranges: fc.array(fc.record({ slba: slbaArb(c.nsze), nlb: fc.integer({ min: 0, max: 40 }) }), { minLength: 1, maxLength: 4 }) }) },
    { weight: 8, arbitrary: fc.constantFrom(0, 0, 0, 2, 2, 2, 2, 1, 3).chain((fmt) => fc.record({
      k: fc.constant("copy" as const), ns: fc.constant(ns), sdlba: slbaArb(c.nsze), fmt: fc.constant(fmt),
      ranges: fc.oneof(
        { weight: 5, arbitrary: fc.array(copyRangeArb(fmt), { minLength: 1, maxLength: c.msrc + 1 }) },
        { weight: 1, arbitrary: fc.array(copyRangeArb(fmt), { minLength: 1, maxLength: c.msrc + 2 }) },
      ),
    })) },
  );
});

const roundsArb = fc.array(fc.array(fc.record({ cmd: cmdArb, q: fc.integer({ min: 0, max: QUEUES - 1 }) }), { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 8 });

// ---- which commands may run in either order ----

type Span = { ns: number; s: bigint; e: bigint };
function footprint(c: Cmd): { reads: Span[]; writes: Span[] } {
  const span = (ns: number, s: bigint, n: number | bigint): Span => ({ ns, s, e: s + BigInt(n) });
  switch (c.k) {
    case "write": case "wz": return { reads: [], writes: [span(c.ns, c.slba, c.nlb)] };
    case "read": case "compare": return { reads: [span(c.ns, c.slba, c.nlb)], writes: [] };
    case "dsm": return { reads: [], writes: c.ranges.map((r) => span(c.ns, r.slba, r.nlb)) };
    case "copy": {
      const total = c.ranges.reduce((a, r) => a + r.nlb, 0);
      return { reads: c.ranges.map((r) => span(c.fmt === 2 ? r.snsid : c.ns, r.slba, r.nlb)), writes: [span(c.ns, c.sdlba, total)] };
    }
  }
}
const meet = (a: Span[], b: Span[]) => a.some((x) => b.some((y) => x.ns === y.ns && x.s < y.e && y.s < x.e));
function conflict(a: Cmd, b: Cmd): boolean {
  const fa = footprint(a), fb = footprint(b);
  return meet(fa.writes, [...fb.reads, ...fb.writes]) || meet(fb.writes, fa.reads);
}

/** Commands that conflict (transitively) share the queue of the first of them. */
function assignQueues(round: Planned[]): number[] {
  const parent = round.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
  for (let i = 0; i < round.length; i++) {
    for (let j = 0; j < i; j++) {
      if (conflict(round[i].cmd, round[j].cmd)) {
        const a = find(i), b = find(j);
        if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
      }
    }
  }
  return round.map((_, i) => round[find(i)].q);
}

// ---- running a round on both ----

interface Expect { status: number; dw0: number; read?: HostBlocks }

function hostBlocks(c: RefNsConfig, nlb: number, seed: number): HostBlocks {
  const per = c.lbaBytes + (c.extended ? c.ms : 0);
  return { data: pattern(nlb * per, seed), md: c.extended ? new Uint8Array(0) : pattern(nlb * c.ms, seed + 1) };
}

/** Apply cmd to the model; return what the controller must answer and the buffers to send. */
function plan(model: RefController, cmd: Cmd): { exp: Expect; item: Omit<BatchItem, "q"> } {
  const c = cfgOf(cmd.ns);
  const per = c.lbaBytes + (c.extended ? c.ms : 0);
  const sepMd = !c.extended && c.ms > 0;
  switch (cmd.k) {
    case "write": {
      const b = hostBlocks(c, cmd.nlb, cmd.seed);
      const r = model.write(cmd.ns, cmd.slba, cmd.nlb, b);
      return { exp: r, item: { sqe: rw(OP.WRITE, cmd.ns, cmd.slba, cmd.nlb), out: b.data, mdOut: sepMd ? b.md : undefined } };
    }
    case "read": {
      const r = model.read(cmd.ns, cmd.slba, cmd.nlb);
      return { exp: { status: r.status, dw0: r.dw0, read: r.blocks }, item: { sqe: rw(OP.READ, cmd.ns, cmd.slba, cmd.nlb), inLen: cmd.nlb * per, mdInLen: sepMd ? cmd.nlb * c.ms : undefined } };
    }
    case "compare": {
      // The buffer holds what the blocks hold now (model), perhaps with one byte flipped.
      const n = model.ns.get(cmd.ns);
      const inside = n !== undefined && n.inRange(cmd.slba, cmd.nlb);
      const b: HostBlocks = inside ? n!.toHost(Number(cmd.slba), cmd.nlb) : hostBlocks(c, cmd.nlb, 5);
      if (cmd.flip !== null) {
        const all = b.data.length + b.md.length;
        const at = cmd.flip % all;
        if (at < b.data.length) b.data[at] ^= 0x5a; else b.md[at - b.data.length] ^= 0x5a;
      }
      const r = model.compare(cmd.ns, cmd.slba, cmd.nlb, b);
      return { exp: r, item: { sqe: rw(OP.COMPARE, cmd.ns, cmd.slba, cmd.nlb), out: b.data, mdOut: sepMd ? b.md : undefined } };
    }
    case "wz": {
      const r = model.writeZeroes(cmd.ns, cmd.slba, cmd.nlb, cmd.deac);
      return { exp: r, item: { sqe: rw(OP.WRITE_ZEROES, cmd.ns, cmd.slba, cmd.nlb, cmd.deac ? 1 << 25 : 0) } };
    }
    case "dsm": {
      const r = model.deallocate(cmd.ns, cmd.ranges);
      return { exp: r, item: { sqe: dsmCmd(cmd.ns, cmd.ranges.length), out: dsmRanges(cmd.ranges) } };
    }
    case "copy": {
      const r = model.copy(cmd.ns, cmd.sdlba, cmd.ranges, cmd.fmt);
      const bytes = copyRanges(cmd.ranges);
      const list = cmd.fmt === 1 || cmd.fmt === 3 ? new Uint8Array(40 * cmd.ranges.length) : bytes;
      return { exp: r, item: { sqe: copyCmd(cmd.ns, cmd.sdlba, cmd.ranges.length, cmd.fmt), out: list } };
    }
  }
}

const show = (x: unknown) => JSON.stringify(x, (_, v) => (typeof v === "bigint" ? `${v}n` : v));

async function runProperty(threaded: boolean, numRuns: number): Promise<void> {
  const h = await Host.create({
    threaded,
    config: {
      nn: NN, mdts: 7,
      namespaces: NAMESPACES.map((n) => nsConfig(n.nsid, n.nsze, { lbaBytes: n.lbaBytes, ms: n.ms, extended: n.extended, mssrl: n.mssrl, mcl: n.mcl, msrc: n.msrc })),
    },
    driver: { ioQueues: QUEUES, ioDepth: 64 },
  });
  try {
    expect(h.enableCdfe(0x0c).status).toBe(0);
    const model = new RefController(NAMESPACES, NN, MDTS_BYTES);
    model.cdfe = 0x0c;
    const seed = process.env.PROP_SEED ? Number(process.env.PROP_SEED) : undefined;
    fc.assert(fc.property(roundsArb, (rounds) => {
      // Start from empty namespaces on both sides.
      model.clear();
      for (const n of NAMESPACES) expect(h.ioCmd(rw(OP.WRITE_ZEROES, n.nsid, 0, n.nsze, 1 << 25)).status).toBe(0);
      rounds.forEach((round, ri) => {
        const queues = assignQueues(round);
        const planned = round.map((p) => plan(model, p.cmd));
        const got = h.batch(planned.map((p, i) => ({ ...p.item, q: h.io(queues[i]) })));
        planned.forEach(({ exp }, i) => {
          const g = got[i];
          const where = `round ${ri} command ${i} (queue ${queues[i] + 1}): ${show(round[i].cmd)}`;
          if (g.status !== exp.status || g.dw0 !== exp.dw0) {
            throw new Error(`${where}: controller status ${g.status.toString(16)}h dw0 ${g.dw0}, model ${exp.status.toString(16)}h dw0 ${exp.dw0}`);
          }
          if (exp.read) {
            if (!Buffer.from(g.data!).equals(Buffer.from(exp.read.data))) throw new Error(`${where}: read data differs from the model`);
            if (exp.read.md.length && !Buffer.from(g.md!).equals(Buffer.from(exp.read.md))) throw new Error(`${where}: read metadata differs from the model`);
          }
        });
        for (const n of NAMESPACES) {
          const nuse = h.core.nuse(n.nsid);
          if (nuse !== model.nuse(n.nsid)) throw new Error(`after round ${ri}: NUSE of namespace ${n.nsid} is ${nuse}, model ${model.nuse(n.nsid)}`);
        }
      });
    }), { numRuns, seed });
    // Identify Namespace reports the same NUSE as the media counters.
    for (const n of NAMESPACES) expect(Number(h.nuse(n.nsid))).toBe(h.core.nuse(n.nsid));
  } finally {
    await h.close();
  }
}

/** PROP_RUNS=<n> scales both runs (stepped n, threaded n / 5) for longer searches. */
const RUNS = Number(process.env.PROP_RUNS ?? 300);

describe("media against the reference model", () => {
  it("stepped, three I/O queues", async () => { await runProperty(false, RUNS); }, 600_000);
  it("threaded, three I/O queues", async () => { await runProperty(true, Math.max(20, Math.round(RUNS / 5))); }, 600_000);
});
