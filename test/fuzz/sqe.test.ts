// Random SQEs against the debug build (assertions on), Format NVM included. Every command must complete with a
// status the spec defines, or the controller must set CSTS.CFS and come back through a
// reset; no wasm trap, no hang; and no namespace that a command did not name changes.
//
// Opcodes (admin and I/O, valid and not), flags (FUSE, PSDT), NSIDs and command dwords are
// random, biased toward values that get past the first checks. Data pointers point into a
// fuzz region at the bottom of host RAM (often at PRP lists, SGL segments, Copy and DSM range
// lists built there), or outside host RAM; the driver's own queues sit above the region, so
// a random DMA cannot break the harness. Now and then the test rings the doorbell of an SQ a
// fuzzed Create I/O SQ made over the fuzz region, so the controller fetches garbage too.
//
// Namespace safety is checked per epoch of commands: some namespaces are off limits (no I/O
// command names them, though Copy ranges, admin commands and garbage may) and must be
// byte-for-byte unchanged at the end of the epoch, NUSE included.
//
// Seeded: the seed is printed; FUZZ_SEED=<seed> replays a run, FUZZ_COUNT=<n> sets its length.

import { describe, it, expect } from "vitest";
import { Host, ns, rw, sqe, pattern } from "../host";
import { DriverError } from "../../src/driver/nvme";

const COUNT = Number(process.env.FUZZ_COUNT ?? 100_000);
const SEED = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) >>> 0 : (Date.now() ^ (process.pid << 16)) >>> 0;

const MiB = 1 << 20;
const RAM = 32 * MiB;
const FUZZ = 24 * MiB; // [0, FUZZ): the fuzz region
const EPOCH = 32;
const CDFE = new Uint8Array(512);
CDFE[4] = 0x0c;
const NSIDS = [1, 2, 3, 4, 5];
const NSZE = new Map([[1, 2048], [2, 512], [3, 128], [4, 1024], [5, 256]]);
// 1 and 4 share a format, as do 2 and 5 (extended vs separate metadata): cross-namespace copies between them work.
const FORMATS = [ns(1, 2048), ns(2, 512, { ms: 8, extended: true }), ns(3, 128, { lbaBytes: 4096 }), ns(4, 1024), ns(5, 256, { ms: 8 })];

/** Status codes the controller may return ((SCT << 8) | SC), per the spec tables. */
const KNOWN_STATUS = new Set([
  0x000, 0x001, 0x002, 0x004, 0x007, 0x00b, 0x00c, 0x00d, 0x00e, 0x00f, 0x010, 0x011, 0x013, 0x080, 0x081,
  0x100, 0x101, 0x102, 0x105, 0x108, 0x10a, 0x10c, 0x10d, 0x10e, 0x10f, 0x181, 0x183, 0x185, 0x187,
  0x282, 0x283, 0x284, 0x285,
]);

/** mulberry32: small, fast, seedable. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    f: next,
    u32: () => Math.floor(next() * 4294967296) >>> 0,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    chance: (p: number) => next() < p,
    pick: <T,>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)],
  };
}
type Rng = ReturnType<typeof rng>;

/** A namespace's media as stored: NUSE and a copy of every chunk that holds memory. */
interface Snapshot { nuse: number; chunks: Map<number, Buffer> }

class Fuzzer {
  readonly r: Rng;
  readonly h: Host;
  /** I/O queues a fuzzed Create I/O CQ/SQ made (not the driver's), with their geometry. */
  fuzzCqs = new Map<number, number>(); // qid -> size
  fuzzSqs = new Map<number, { size: number; cqid: number }>();
  stats = { commands: 0, statuses: new Map<number, number>(), fatal: 0, recoveries: 0, rogue: 0, registers: 0, registerResets: 0, epochsChecked: 0, maxMs: 0 };
  /** Namespaces a successful Format NVM named this epoch (it may change them: LBA format, PI, erasure). */
  formatted = new Set<number>();
  /** Per queue type and opcode: completions and successes (FUZZ_VERBOSE=1 prints them). */
  byOpcode = new Map<string, [number, number]>();

  constructor(h: Host, seed: number) {
    this.h = h;
    this.r = rng(seed);
    const fill = new Uint32Array(h.ram.buffer, h.ram.byteOffset, FUZZ / 4);
    for (let i = 0; i < fill.length; i++) fill[i] = this.r.u32();
  }

  // ---- addresses and structures in host memory ----

  /** A bus address for a data pointer: inside the fuzz region mostly, outside host RAM sometimes. */
  addr(align: "dword" | "page" | "any" = "dword"): bigint {
    const r = this.r;
    const x = r.f();
    if (x < 0.80) {
      const a = r.int(0, FUZZ - 8);
      return BigInt(align === "page" ? a & ~4095 : align === "dword" ? a & ~3 : a);
    }
    if (x < 0.86) return BigInt(RAM + r.int(0, 3) * 4096); // just past host RAM
    if (x < 0.91) return (BigInt(r.u32()) << 32n) | BigInt(r.u32() & (align === "page" ? ~4095 : ~0) >>> 0);
    if (x < 0.95) return BigInt(r.int(0, 16) * 4096); // the bottom of host RAM
    return BigInt(r.u32() & 0xfffff000) * 4096n; // far out
  }

  /** A place in the fuzz region for a structure of len bytes that stays inside the region. */
  spot(len: number, align = 8): number {
    return (this.r.int(0, FUZZ - len - 8) & ~(align - 1)) >>> 0;
  }
  put64(bus: number, v: bigint): void { this.h.core.hostRamView.setBigUint64(bus, v & 0xffffffffffffffffn, true); }
  put32(bus: number, v: number): void { this.h.core.hostRamView.setUint32(bus, v >>> 0, true); }

  /** A PRP list at a random offset of a page: page-aligned entries mostly, garbage sometimes. */
  prpList(): bigint {
    const r = this.r;
    const page = this.spot(8192, 4096);
    const at = page + (r.chance(0.5) ? 0 : r.int(0, 511) * 8);
    const bad = r.chance(0.3) ? 0.05 : 0; // most lists are clean, some have a bad entry somewhere
    for (let p = at; p < page + 4096; p += 8) {
      this.put64(p, r.chance(bad) ? this.addr("page") + BigInt(r.chance(0.5) ? 0 : r.int(1, 4095)) : BigInt(this.spot(4096, 4096)));
    }
    return BigInt(at + (r.chance(0.03) ? r.int(1, 7) : 0));
  }

  /** One SGL descriptor: a Data Block inside the fuzz region mostly. */
  sglDesc(at: number, depth: number): void {
    const r = this.r;
    const x = r.f();
    let type = 0, addr = 0n, len = 0;
    if (x < 0.7 || depth > 2) {
      len = r.chance(0.1) ? 0 : r.int(1, 65536);
      addr = r.chance(0.9) ? BigInt(this.spot(len + 8, 1)) : this.addr("any");
      type = r.chance(0.95) ? 0 : r.pick([0x1, 0x4, 0x5, 0xf]);
    } else {
      const n = r.int(1, 8);
      const seg = this.spot(16 * n + 16, 16);
      for (let i = 0; i < n; i++) this.sglDesc(seg + 16 * i, depth + 1);
      addr = BigInt(seg);
      len = r.chance(0.9) ? 16 * n : r.int(0, 200);
      type = r.chance(0.5) ? 0x2 : 0x3;
    }
    this.put64(at, addr);
    this.put32(at + 8, len);
    this.put32(at + 12, ((type << 4) | (r.chance(0.95) ? 0 : r.int(1, 15))) << 24);
  }

  /** Copy Source Range entries or DSM ranges at a spot; returns its bus address. */
  ranges(copy: boolean): number {
    const r = this.r;
    const n = 256;
    const size = copy ? 32 : 16; // Copy formats 0h/2h: 32 bytes (1h/3h are refused before the list is read)
    const at = this.spot(n * size + 8, 8);
    for (let i = 0; i < n; i++) {
      const e = at + i * size;
      const slba = r.chance(0.9) ? BigInt(r.int(0, r.pick([64, 128, 512, 2048]) + 4)) : (BigInt(r.u32()) << 32n) | BigInt(r.u32());
      if (copy) {
        this.put32(e, r.chance(0.9) ? r.pick([1, 2, 3, 4, 5, 1, 2, 4, 5, 0, 6, 0xffffffff]) : r.u32());
        this.put64(e + 8, slba);
        this.put32(e + 16, r.chance(0.85) ? r.int(0, 15) : r.chance(0.5) ? r.int(0, 200) : r.u32());
        this.put32(e + 20, r.chance(0.9) ? 0 : r.u32());
      } else {
        this.put32(e, r.chance(0.9) ? 0 : r.u32());
        this.put32(e + 4, r.chance(0.85) ? r.int(0, 70) : r.u32());
        this.put64(e + 8, slba);
      }
    }
    return at;
  }

  // ---- SQEs ----

  /** A random admin SQE, biased toward the implemented opcodes and plausible fields. */
  adminSqe(): Uint32Array {
    const r = this.r;
    const s = new Uint32Array(16);
    for (let i = 2; i < 16; i++) s[i] = r.chance(0.5) ? r.u32() : r.int(0, 16);
    const opc = r.chance(0.85) ? r.pick([0x00, 0x01, 0x02, 0x04, 0x05, 0x06, 0x06, 0x06, 0x08, 0x09, 0x09, 0x0a, 0x0a, 0x0c, 0x80]) : r.int(0, 255);
    const flags = r.chance(0.9) ? 0 : r.int(0, 255);
    s[0] = opc | (flags << 8);
    s[1] = r.chance(0.7) ? r.pick([0, 1, 2, 3, 4, 5, 6, 0xffffffff]) : r.u32();
    const sel = r.f();
    switch (opc) {
      case 0x00: case 0x04: s[10] = r.chance(0.8) ? r.int(0, 10) : r.u32(); break;
      case 0x01: case 0x05: {
        s[10] = (r.int(0, 10) | ((r.chance(0.8) ? r.int(0, 300) : r.int(0, 0xffff)) << 16)) >>> 0;
        s[11] = r.chance(0.8) ? ((r.chance(0.9) ? 1 : 0) | (r.int(0, 1) << 1) | (r.int(0, 10) << 16)) >>> 0 : r.u32();
        break;
      }
      case 0x02: {
        const numd = r.chance(0.8) ? r.int(0, 1200) : r.u32() & 0x3ffff;
        s[10] = (r.pick([0x01, 0x02, 0x03, 0x05, r.int(0, 255)]) | (r.int(0, 1) << 15) | ((numd & 0xffff) << 16)) >>> 0;
        s[11] = numd >>> 16;
        s[12] = r.chance(0.8) ? r.int(0, 64) * 4 : r.u32();
        s[13] = r.chance(0.95) ? 0 : r.u32();
        break;
      }
      case 0x06: s[10] = r.chance(0.8) ? r.int(0, 8) : r.u32(); s[11] = r.chance(0.8) ? r.int(0, 2) << 24 : r.u32(); break;
      case 0x08: s[10] = (r.int(0, 3) | (r.int(0, 40) << 16)) >>> 0; break;
      // Format NVM: LBA format, MSET, PI, PIL and SES mostly in range
      case 0x80: s[10] = r.chance(0.8) ? (r.int(0, 8) | (r.int(0, 1) << 4) | (r.int(0, 4) << 5) | (r.int(0, 1) << 8) | (r.chance(0.9) ? 0 : r.int(1, 7) << 9)) >>> 0 : r.u32(); break;
      case 0x09: case 0x0a: {
        s[10] = (r.pick([0x01, 0x02, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x16, r.int(0, 255)]) | (r.int(0, 7) << 8) | (r.chance(0.1) ? 1 << 31 : 0)) >>> 0;
        s[11] = sel < 0.5 ? r.int(0, 0x200) : r.u32();
        break;
      }
    }
    this.dptr(s, false, opc);
    // Queue bases must be page aligned: mostly give them one, inside the fuzz region.
    if ((opc === 0x01 || opc === 0x05) && r.chance(0.8)) { s[6] = this.spot(1 << 20, 4096); s[7] = 0; }
    return s;
  }

  /** A random I/O SQE for namespace-or-not nsid. */
  ioSqe(offLimits: Set<number>): Uint32Array {
    const r = this.r;
    const s = new Uint32Array(16);
    for (let i = 2; i < 16; i++) s[i] = r.chance(0.5) ? r.u32() : r.int(0, 16);
    const opc = r.chance(0.92) ? r.pick([0x00, 0x01, 0x01, 0x01, 0x02, 0x02, 0x02, 0x05, 0x08, 0x09, 0x0c, 0x19, 0x19, 0x19, 0x19]) : r.int(0, 255);
    const flags = r.chance(0.85) ? 0 : r.chance(0.5) ? r.pick([0x40, 0x80, 0xc0, 0x01, 0x02, 0x03]) : r.int(0, 255);
    s[0] = opc | (flags << 8);
    let nsid = r.chance(0.85) ? r.pick([1, 2, 3, 4, 5, 1]) : r.pick([0, 6, 7, 257, 0xffffffff, r.u32()]);
    if (offLimits.has(nsid)) nsid = r.pick([0, 6, 0xffffffff]);
    s[1] = nsid;
    // SLBA (inside the namespace mostly), NLB and the command-specific upper CDW12 bits.
    const nsze = NSZE.get(nsid) ?? 2048;
    if (r.chance(0.85)) { s[10] = r.int(0, nsze + 4); s[11] = 0; } else if (r.chance(0.5)) { s[10] = r.u32(); s[11] = r.chance(0.5) ? 0xffffffff : r.u32(); }
    const nlb = r.chance(0.8) ? r.int(0, 15) : r.chance(0.5) ? r.int(0, 1200) : r.int(0, 0xffff);
    const upper = r.chance(0.7) ? 0 : r.u32() & 0xffff0000;
    s[12] = (nlb | upper) >>> 0;
    if (opc === 0x19) s[12] = (r.int(0, r.chance(0.9) ? 6 : 255) | (r.pick([0, 0, 0, 0, 2, 2, 2, 1, 3, r.int(0, 15)]) << 8) | (r.chance(0.8) ? 0 : r.u32() & 0xffff0000)) >>> 0;
    if (opc === 0x09) { s[10] = r.chance(0.9) ? r.int(0, 8) : r.u32(); s[11] = r.chance(0.8) ? 4 : r.u32(); }
    if (opc === 0x08 && r.chance(0.5)) s[12] |= 1 << 25;
    this.dptr(s, true, opc);
    return s;
  }

  /** Fill MPTR and DPTR: PRPs or SGL1 (per PSDT), pointing at structures in the fuzz region or anywhere. */
  dptr(s: Uint32Array, io: boolean, opc: number): void {
    const r = this.r;
    const put = (dw: number, v: bigint) => { s[dw] = Number(v & 0xffffffffn); s[dw + 1] = Number((v >> 32n) & 0xffffffffn); };
    put(4, r.chance(0.9) ? this.addr() : BigInt(r.u32()));
    const psdt = (s[0] >>> 14) & 3;
    if (io && (psdt === 1 || psdt === 2)) {
      const at = this.spot(32, 16);
      this.sglDesc(at, 0);
      for (let i = 0; i < 4; i++) s[6 + i] = this.h.core.hostRamView.getUint32(at + 4 * i, true);
      if (psdt === 2 && r.chance(0.7)) { const m = this.spot(32, 16); this.sglDesc(m, 0); put(4, BigInt(m)); }
      return;
    }
    const ranges = io && (opc === 0x19 || opc === 0x09) && r.chance(0.85);
    put(6, ranges ? BigInt(this.ranges(opc === 0x19)) : r.chance(0.95) ? this.addr() : BigInt(r.u32()));
    put(8, r.chance(0.3) ? this.prpList() : this.addr("page"));
  }

  // ---- running ----

  /** The media of namespace nsid as stored now. */
  snapshot(nsid: number): Snapshot {
    const core = this.h.core;
    core.syncFormats(); // a fuzzed Format NVM may have changed the namespace's format
    const slot = core.slotOf(nsid);
    const cfg = core.config.namespaces[slot];
    const per = 2 ** core.exports.media_chunk_shift(slot);
    const f = cfg.formats[cfg.formatIndex];
    const bytes = per * ((1 << f.lbads) + f.ms);
    const nchunks = Math.ceil(cfg.blocks / per);
    const mem = Buffer.from(core.memory.buffer);
    const chunks = new Map<number, Buffer>();
    for (let c = core.exports.media_next_stored(slot, 0); c < nchunks; c = core.exports.media_next_stored(slot, c + 1)) {
      const p = core.exports.media_chunk_ptr(slot, c);
      chunks.set(c, Buffer.from(mem.subarray(p, p + bytes)));
    }
    return { nuse: core.nuse(nsid), chunks };
  }

  same(a: Snapshot, b: Snapshot): boolean {
    if (a.nuse !== b.nuse || a.chunks.size !== b.chunks.size) return false;
    for (const [c, d] of a.chunks) { const e = b.chunks.get(c); if (!e || !e.equals(d)) return false; }
    return true;
  }

  /** Run one SQE through the driver; track queues it creates or deletes; recover when needed. */
  run(sqe: Uint32Array, admin: boolean, qi: number): void {
    const h = this.h;
    const t0 = performance.now();
    let status: number;
    try {
      const res = h.driver.exec(admin ? h.driver.admin : h.driver.ioQueue(qi), sqe, { keepDptr: true });
      status = res.status;
      expect(res.sqid).toBe(admin ? 0 : qi + 1);
    } catch (e) {
      if (!(e instanceof DriverError) || !/fatal/.test(e.message)) throw e;
      // The controller reported CSTS.CFS and the driver reset it: allowed, counted.
      this.stats.fatal++;
      this.forgetQueues();
      return;
    } finally {
      this.stats.maxMs = Math.max(this.stats.maxMs, performance.now() - t0);
    }
    this.stats.commands++;
    this.stats.statuses.set(status, (this.stats.statuses.get(status) ?? 0) + 1);
    const key = `${admin ? "admin" : "io"} ${(sqe[0] & 0xff).toString(16).padStart(2, "0")}h`;
    if (process.env.FUZZ_VERBOSE && !admin && (sqe[0] & 0xff) === 0x19) {
      const k2 = `copy status ${status.toString(16)}h`;
      const o2 = this.byOpcode.get(k2) ?? [0, 0]; o2[0]++; this.byOpcode.set(k2, o2);
    }
    const o = this.byOpcode.get(key) ?? [0, 0];
    o[0]++; if (status === 0) o[1]++;
    this.byOpcode.set(key, o);
    if ((status & ~0x47ff) !== 0 || !KNOWN_STATUS.has(status & 0x7ff)) throw new Error(`status ${status.toString(16)}h is not one the spec defines`);
    if (!admin || status !== 0) return;
    const opc = sqe[0] & 0xff;
    const qid = sqe[10] & 0xffff;
    if (opc === 0x05) this.fuzzCqs.set(qid, (sqe[10] >>> 16) + 1);
    if (opc === 0x01) this.fuzzSqs.set(qid, { size: (sqe[10] >>> 16) + 1, cqid: sqe[11] >>> 16 });
    if (opc === 0x00) this.fuzzSqs.delete(qid);
    if (opc === 0x80) for (const n of sqe[1] === 0xffffffff ? NSIDS : [sqe[1]]) this.formatted.add(n);
    if (opc === 0x04) this.fuzzCqs.delete(qid);
    // A fuzzed command deleted one of the driver's queues: bring the controller up again.
    if ((opc === 0x00 || opc === 0x04) && qid >= 1 && qid <= h.driver.io.length) this.recover();
  }

  recover(): void {
    this.h.driver.recover();
    this.stats.recoveries++;
    this.forgetQueues();
  }

  forgetQueues(): void {
    this.fuzzCqs.clear();
    this.fuzzSqs.clear();
  }

  /**
   * A random register write (CC, INTMS/INTMC, AQA/ASQ/ACQ, NSSR, CSTS, read-only, misaligned or
   * beyond the registers, or a doorbell of a fuzz-made queue). If it leaves the controller
   * not ready (disabled, shut down, fatal, reset), the driver brings it up again.
   */
  rogueRegister(): void {
    const h = this.h;
    const r = this.r;
    const cc = h.reg32(0x14);
    const off = r.pick([0x00, 0x08, 0x0c, 0x10, 0x14, 0x14, 0x14, 0x1c, 0x20, 0x24, 0x28, 0x2c, 0x30, 0x34, 0x3c, 0x50, 0x15, 0x0e00, 0x1000 + 8 * r.int(3, 8), 0x1004 + 8 * r.int(3, 8)]);
    let v = r.u32();
    if (off === 0x14) v = r.pick([cc & ~1, cc | (1 << 14), cc | (2 << 14), cc ^ (1 << 7), cc ^ (1 << 4), (cc & ~(0xf << 20)) | (r.int(0, 15) << 20), v]);
    if (off === 0x20) v = r.chance(0.5) ? 0x4e564d65 : v;
    if (r.chance(0.1)) h.port.write64(off & ~7, (BigInt(v) << 32n) | BigInt(r.u32())); else h.port.write32(off, v);
    h.port.kick();
    h.step();
    this.stats.registers++;
    const csts = h.reg32(0x1c);
    if ((csts & 0x1f) !== 0x1 || (h.reg32(0x14) & 0xc001) !== 0x1 || ((h.reg32(0x14) >>> 16) & 0xff) !== 0x46) {
      if (csts & 0x2) this.stats.fatal++;
      if (csts & 0x10) h.port.write32(0x1c, 0x10); // NSSRO is write-1-to-clear
      this.stats.registerResets++;
      this.recover();
    }
  }

  /** Ring a fuzz-made SQ (on a fuzz-made CQ) so the controller fetches garbage. */
  rogue(): boolean {
    const h = this.h;
    const io = h.driver.io.length;
    const sqs = [...this.fuzzSqs].filter(([q, s]) => q > io && s.cqid > io && this.fuzzCqs.has(s.cqid));
    if (sqs.length === 0) return false;
    const [qid, s] = this.r.pick(sqs);
    h.port.write32(0x1000 + 8 * qid, this.r.chance(0.9) ? this.r.int(1, Math.min(s.size - 1, 64)) : this.r.u32() & 0x1ffff);
    h.port.kick();
    for (let i = 0; i < 4; i++) h.step();
    this.stats.rogue++;
    if ((h.reg32(0x1c) & 0x2) !== 0) { this.stats.fatal++; this.recover(); }
    return true;
  }
}

async function fuzz(threaded: boolean, count: number, seed: number): Promise<Fuzzer> {
  const h = await Host.create({
    threaded,
    up: false,
    config: {
      hostRamBytes: RAM, maxIoQueuePairs: 8, aerl: 3,
      namespaces: FORMATS,
    },
    // Copy formats 2h and 3h enabled at every bring-up (Host Behavior Support CDFE).
    driver: { ioQueues: 2, ioDepth: 16, timeoutNs: threaded ? 2e9 : 30e9, features: [{ fid: 0x16, cdw11: 0, data: CDFE }] },
  });
  // The fuzz region takes the bottom of host RAM before the driver allocates its queues.
  const region = h.driver.pool.alloc(FUZZ);
  expect(region.bus).toBe(0);
  h.driver.bringUp();
  const f = new Fuzzer(h, seed);
  try {
    for (let done = 0; done < count;) {
      // An epoch: some namespaces are off limits to I/O commands and must not change.
      const off = new Set(NSIDS.filter(() => f.r.chance(0.4)));
      const before = new Map([...off].map((n) => [n, f.snapshot(n)]));
      let rogue = false;
      for (let k = 0; k < EPOCH && done < count; k++, done++) {
        const admin = f.r.chance(0.25);
        const qi = f.r.int(0, 1);
        // AERs are held until an event or an Abort; the threaded driver would wait its timeout.
        let sqe = admin ? f.adminSqe() : f.ioSqe(off);
        while (threaded && admin && (sqe[0] & 0xff) === 0x0c) sqe = f.adminSqe();
        try {
          f.run(sqe, admin, qi);
        } catch (e) {
          const hex = Array.from(sqe, (d) => d.toString(16).padStart(8, "0")).join(" ");
          throw new Error(`fuzz seed ${seed}, command ${done} (${admin ? "admin" : `I/O queue ${qi + 1}`}): ${(e as Error).message}\nSQE: ${hex}`);
        }
        if (!threaded && f.r.chance(0.004)) rogue = f.rogue() || rogue;
        if (!threaded && f.r.chance(0.002)) { f.rogueRegister(); rogue = true; }
      }
      const formatted = new Set(f.formatted);
      f.formatted.clear();
      if (rogue) continue; // garbage fetched from a rogue SQ may name any namespace
      for (const [n, s] of before) {
        if (formatted.has(n)) continue; // a Format NVM named it
        if (!f.same(s, f.snapshot(n))) throw new Error(`fuzz seed ${seed}: namespace ${n} changed during commands ${done - EPOCH}..${done - 1} that did not name it`);
      }
      f.stats.epochsChecked++;
    }
    // The controller is still sound: ready, and a write reads back on every namespace, once
    // each has its first format again (fuzzed Format NVM commands may have changed it).
    expect(h.reg32(0x1c) & 0x3).toBe(0x1);
    for (const [i, n] of NSIDS.entries()) {
      const c = FORMATS[i];
      expect(h.adminCmd(sqe(0x80, { nsid: n, cdw10: c.formatIndex | (c.extended ? 0x10 : 0) })).status).toBe(0);
    }
    h.driver.rescanNamespaces();
    for (const n of NSIDS) {
      const bytes = h.core.lbaBytes(n) + (n === 2 ? 8 : 0);
      const data = pattern(bytes, n);
      expect(h.ioCmd(rw(0x01, n, 7, 1), { out: data, mdOut: n === 5 ? new Uint8Array(8) : undefined }).status).toBe(0);
      expect(Buffer.from(h.ioCmd(rw(0x02, n, 7, 1), { inLen: bytes, mdInLen: n === 5 ? 8 : undefined }).data!).equals(Buffer.from(data))).toBe(true);
    }
    return f;
  } finally {
    await h.close();
  }
}

describe("fuzz: random SQEs", () => {
  it(`stepped, ${COUNT} SQEs (debug build)`, async () => {
    console.log(`fuzz seed ${SEED} (replay with FUZZ_SEED=${SEED})`);
    const t0 = performance.now();
    const f = await fuzz(false, COUNT, SEED);
    const s = f.stats;
    const top = [...s.statuses].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([k, v]) => `${k.toString(16)}h:${v}`).join(" ");
    console.log(`fuzz: ${s.commands} completed, ${s.fatal} fatal, ${s.recoveries} recoveries, ${s.rogue} rogue doorbells, ${s.registers} register writes (${s.registerResets} needed a reset), ${s.epochsChecked} epochs checked, slowest ${s.maxMs.toFixed(1)} ms, ${((performance.now() - t0) / 1000).toFixed(1)} s; ${top}`);
    if (process.env.FUZZ_VERBOSE) console.log([...f.byOpcode].filter(([, [n]]) => n > COUNT / 1000).sort().map(([k, [n, ok]]) => `${k} ${ok}/${n}`).join("\n"));
    // Enough commands got past the first checks to reach the handlers.
    expect(s.statuses.get(0) ?? 0).toBeGreaterThan(COUNT / 20);
    expect(s.epochsChecked).toBeGreaterThan(COUNT / EPOCH / 2);
  }, 180_000);

  it("threaded, 3000 SQEs", async () => {
    const seed = (SEED ^ 0x5bd1e995) >>> 0;
    const f = await fuzz(true, Math.min(COUNT, 3000), seed);
    expect(f.stats.commands).toBeGreaterThan(2900);
  }, 120_000);
});
