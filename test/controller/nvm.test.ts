// NVM Command Set I/O commands (NVM CS 1.1 §3.3): Read, Write, Compare, Write Zeroes (DEAC),
// Dataset Management (deallocate), Verify, Flush (incl. broadcast), with MDTS (in 4 KiB
// units, Base §5.1.13.2.1), LBA ranges with wrap-around, extended and separate metadata,
// deallocated blocks reading as zeroes (DLFEAT 001b), NUSE, and the common checks QEMU's
// nvme_io_cmd makes first (NSID, FUSE, opcode).

import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { Host, ns, sqe, rw, dsmRanges, dsmCmd, pattern, eq, u64, OP, DNR, SC } from "../host";

const DEAC = 1 << 25;
const zero = (n: number) => new Uint8Array(n);

describe("NVM I/O commands", () => {
  let h: Host;
  beforeAll(async () => {
    h = await Host.create({
      config: {
        namespaces: [
          ns(1, 2048),
          ns(2, 1024, { ms: 8, extended: true }),
          ns(3, 1024, { ms: 16 }),
          ns(4, 256, { lbaBytes: 4096 }),
          ns(6, 1 << 20),
        ],
      },
    });
  });
  afterAll(async () => { await h.close(); });

  const st = (s: Uint32Array, d: Parameters<Host["ioCmd"]>[1] = {}) => h.ioCmd(s, d).status;
  const nuse = (nsid: number) => u64(h.identify(0, nsid).data!, 16);

  describe("common checks (QEMU nvme_io_cmd order: NSID, attached, FUSE, opcode)", () => {
    it("NSID 0, FFFFFFFFh and above NN: Invalid Namespace or Format; inactive: Invalid Field", () => {
      for (const opc of [OP.READ, OP.WRITE, OP.COMPARE, OP.WRITE_ZEROES, OP.DSM, OP.VERIFY, OP.COPY, 0x7e]) {
        for (const nsid of [0, 0xffffffff, 257, 0x80000000]) expect(st(sqe(opc, { nsid })), `opc ${opc} nsid ${nsid}`).toBe(SC.INVALID_NS_OR_FORMAT | DNR);
        expect(st(sqe(opc, { nsid: 5 })), `opc ${opc} inactive`).toBe(SC.INVALID_FIELD | DNR);
      }
    });

    it("unsupported I/O opcodes: Invalid Command Opcode, after the NSID checks", () => {
      for (const opc of [0x03, 0x04, 0x0d, 0x0e, 0x11, 0x12, 0x15, 0x18, 0x1a, 0x7d, 0x7e, 0x80, 0x81, 0xff]) {
        expect(st(sqe(opc, { nsid: 1 })), `opc ${opc}`).toBe(SC.INVALID_OPCODE | DNR);
      }
    });

    it("FUSE != 00b: Invalid Field with DNR (FUSES = 0), before the opcode", () => {
      for (const fuse of [1, 2, 3]) {
        expect(st(rw(OP.READ, 1, 0, 1, 0, { flags: fuse }), { inLen: 512 })).toBe(SC.INVALID_FIELD | DNR);
        expect(st(sqe(0x7e, { nsid: 1, flags: fuse }))).toBe(SC.INVALID_FIELD | DNR);
        expect(st(sqe(OP.FLUSH, { nsid: 1, flags: fuse }))).toBe(SC.INVALID_FIELD | DNR);
        expect(h.adminCmd(sqe(OP.IDENTIFY, { cdw10: 1, flags: fuse }), { inLen: 4096 }).status).toBe(SC.INVALID_FIELD | DNR);
      }
      // NSID is checked before FUSE, for Flush too (QEMU handles only a broadcast Flush earlier).
      expect(st(sqe(OP.READ, { nsid: 0, flags: 1 }))).toBe(SC.INVALID_NS_OR_FORMAT | DNR);
      expect(st(sqe(OP.FLUSH, { nsid: 0, flags: 1 }))).toBe(SC.INVALID_NS_OR_FORMAT | DNR);
      expect(st(sqe(OP.FLUSH, { nsid: 5, flags: 2 }))).toBe(SC.INVALID_FIELD | DNR);
      expect(st(sqe(OP.FLUSH, { nsid: 0xffffffff, flags: 1 }))).toBe(SC.INVALID_FIELD | DNR);
    });

    it("unsupported admin opcodes: Invalid Command Opcode, before PSDT and FUSE", () => {
      for (const opc of [0x03, 0x07, 0x0b, 0x0d, 0x0e, 0x10, 0x11, 0x14, 0x15, 0x18, 0x19, 0x1c, 0x7c, 0x7f, 0x81, 0x84, 0xc0, 0xff]) {
        expect(h.adminCmd(sqe(opc, { flags: 0xc1 })).status, `admin ${opc}`).toBe(SC.INVALID_OPCODE | DNR);
      }
    });
  });

  describe("Read and Write", () => {
    it("round trip; never-written blocks read as zeroes", () => {
      const d = pattern(8 * 512, 11);
      expect(st(rw(OP.WRITE, 1, 100, 8), { out: d })).toBe(0);
      const r = h.ioCmd(rw(OP.READ, 1, 96, 16), { inLen: 16 * 512 });
      expect(r.status).toBe(0);
      expect(eq(r.data!.slice(0, 2048), zero(2048))).toBe(true);
      expect(eq(r.data!.slice(2048, 6144), d)).toBe(true);
      expect(eq(r.data!.slice(6144), zero(2048))).toBe(true);
    });

    it("FUA, LR, PRINFO and DTYPE bits are accepted (no PI, no volatile data lost)", () => {
      const d = pattern(512, 12);
      expect(st(rw(OP.WRITE, 1, 300, 1, (1 << 30) | (1 << 31) | (0x8 << 26) | (2 << 20)), { out: d })).toBe(0);
      expect(eq(h.readBlocks(1, 300, 1, 512).data!, d)).toBe(true);
    });

    it("LBA range: the last block is fine; past the end or wrapping around 2^64 is LBA Out of Range", () => {
      expect(st(rw(OP.WRITE, 1, 2047, 1), { out: pattern(512, 1) })).toBe(0);
      expect(st(rw(OP.READ, 1, 2040, 8), { inLen: 4096 })).toBe(0);
      expect(st(rw(OP.READ, 1, 2041, 8), { inLen: 4096 })).toBe(SC.LBA_OUT_OF_RANGE | DNR);
      expect(st(rw(OP.READ, 1, 2048, 1), { inLen: 512 })).toBe(SC.LBA_OUT_OF_RANGE | DNR);
      expect(st(rw(OP.WRITE, 1, 0xffffffffffffffffn, 2), { out: pattern(1024, 1) })).toBe(SC.LBA_OUT_OF_RANGE | DNR);
      expect(st(rw(OP.READ, 1, 0xfffffffffffffff0n, 0x20), { inLen: 0x20 * 512 })).toBe(SC.LBA_OUT_OF_RANGE | DNR);
      expect(st(rw(OP.READ, 1, 1n << 32n, 1), { inLen: 512 })).toBe(SC.LBA_OUT_OF_RANGE | DNR); // CDW11 counts
    });

    it("MDTS = 2^7 x 4 KiB = 512 KiB of data (interleaved metadata included, separate excluded)", () => {
      expect(st(rw(OP.READ, 1, 0, 1024), { inLen: 512 * 1024 })).toBe(0);
      expect(st(rw(OP.READ, 1, 0, 1025), { inLen: 512 * 1025 })).toBe(SC.INVALID_FIELD | DNR);
      expect(st(rw(OP.READ, 4, 0, 128), { inLen: 4096 * 128 })).toBe(0);
      expect(st(rw(OP.READ, 4, 0, 129), { inLen: 4096 * 129 })).toBe(SC.INVALID_FIELD | DNR);
      expect(st(rw(OP.READ, 2, 0, 1008), { inLen: 520 * 1008 })).toBe(0); // 524160 bytes
      expect(st(rw(OP.READ, 2, 0, 1009), { inLen: 520 * 1009 })).toBe(SC.INVALID_FIELD | DNR);
      expect(st(rw(OP.READ, 3, 0, 1024), { inLen: 512 * 1024, mdInLen: 16 * 1024 })).toBe(0);
      // MDTS is checked before the LBA range (QEMU).
      expect(st(rw(OP.READ, 1, 1n << 40n, 2000), { keepDptr: true })).toBe(SC.INVALID_FIELD | DNR);
      expect(st(rw(OP.WRITE, 1, 0, 1025), { out: pattern(512 * 1025, 3) })).toBe(SC.INVALID_FIELD | DNR);
    });

    it("4 KiB blocks", () => {
      const d = pattern(3 * 4096, 13);
      expect(st(rw(OP.WRITE, 4, 255 - 2, 3), { out: d })).toBe(0);
      expect(eq(h.readBlocks(4, 253, 3, 3 * 4096).data!, d)).toBe(true);
      expect(nuse(4)).toBe(3n);
    });

    it("extended metadata: each block's metadata follows its data in the buffer", () => {
      const d = pattern(4 * 520, 14);
      expect(st(rw(OP.WRITE, 2, 10, 4), { out: d })).toBe(0);
      expect(eq(h.readBlocks(2, 10, 4, 4 * 520).data!, d)).toBe(true);
      // Reading from block 11 starts at the second block's data.
      expect(eq(h.readBlocks(2, 11, 2, 2 * 520).data!, d.slice(520, 3 * 520))).toBe(true);
      expect(eq(h.readBlocks(2, 9, 1, 520).data!, zero(520))).toBe(true);
    });

    it("separate metadata through MPTR", () => {
      const d = pattern(3 * 512, 15), m = pattern(3 * 16, 16);
      expect(st(rw(OP.WRITE, 3, 20, 3), { out: d, mdOut: m })).toBe(0);
      const r = h.ioCmd(rw(OP.READ, 3, 20, 3), { inLen: 1536, mdInLen: 48 });
      expect(eq(r.data!, d)).toBe(true);
      expect(eq(r.md!, m)).toBe(true);
      const r2 = h.ioCmd(rw(OP.READ, 3, 21, 3), { inLen: 1536, mdInLen: 48 });
      expect(eq(r2.md!, new Uint8Array([...m.slice(16), ...zero(16)]))).toBe(true);
    });

    it("a write across a chunk boundary, then reads of parts of it", () => {
      // Chunks of 32 blocks of 512 bytes: 30..33 spans two.
      const d = pattern(4 * 512, 17);
      expect(st(rw(OP.WRITE, 1, 30, 4), { out: d })).toBe(0);
      expect(eq(h.readBlocks(1, 31, 2, 1024).data!, d.slice(512, 1536))).toBe(true);
    });
  });

  describe("Compare", () => {
    it("equal data: success; a difference: Compare Failure with DNR", () => {
      const d = pattern(4 * 512, 21);
      expect(st(rw(OP.WRITE, 1, 500, 4), { out: d })).toBe(0);
      expect(st(rw(OP.COMPARE, 1, 500, 4), { out: d })).toBe(0);
      const bad = d.slice(); bad[3 * 512 + 7] ^= 1;
      expect(st(rw(OP.COMPARE, 1, 500, 4), { out: bad })).toBe(SC.COMPARE_FAILURE | DNR);
      // Unwritten blocks compare equal to zeroes.
      expect(st(rw(OP.COMPARE, 1, 600, 2), { out: zero(1024) })).toBe(0);
      expect(st(rw(OP.COMPARE, 1, 600, 2), { out: pattern(1024, 1) })).toBe(SC.COMPARE_FAILURE | DNR);
    });

    it("metadata is compared too, extended and separate", () => {
      const d = pattern(2 * 520, 22);
      expect(st(rw(OP.WRITE, 2, 100, 2), { out: d })).toBe(0);
      expect(st(rw(OP.COMPARE, 2, 100, 2), { out: d })).toBe(0);
      const bad = d.slice(); bad[1039] ^= 0x80; // last metadata byte
      expect(st(rw(OP.COMPARE, 2, 100, 2), { out: bad })).toBe(SC.COMPARE_FAILURE | DNR);
      const sd = pattern(512, 23), sm = pattern(16, 24);
      expect(st(rw(OP.WRITE, 3, 100, 1), { out: sd, mdOut: sm })).toBe(0);
      expect(st(rw(OP.COMPARE, 3, 100, 1), { out: sd, mdOut: sm })).toBe(0);
      const bm = sm.slice(); bm[0] ^= 1;
      expect(st(rw(OP.COMPARE, 3, 100, 1), { out: sd, mdOut: bm })).toBe(SC.COMPARE_FAILURE | DNR);
    });

    it("MDTS and LBA range apply", () => {
      expect(st(rw(OP.COMPARE, 1, 0, 1025), { out: zero(1025 * 512) })).toBe(SC.INVALID_FIELD | DNR);
      expect(st(rw(OP.COMPARE, 1, 2047, 2), { out: zero(1024) })).toBe(SC.LBA_OUT_OF_RANGE | DNR);
    });
  });

  describe("Write Zeroes", () => {
    it("DEAC = 0: blocks read as zeroes and stay allocated (NUSE counts them)", () => {
      expect(st(rw(OP.WRITE, 1, 700, 8), { out: pattern(4096, 31) })).toBe(0);
      const before = nuse(1);
      expect(st(rw(OP.WRITE_ZEROES, 1, 702, 10))).toBe(0);
      expect(eq(h.readBlocks(1, 700, 12, 6144).data!, new Uint8Array([...pattern(4096, 31).slice(0, 1024), ...zero(5120)]))).toBe(true);
      expect(nuse(1)).toBe(before + 4n); // 702-707 were written already, 708-711 are new
    });

    it("DEAC = 1: blocks are deallocated (NUSE drops) and read as zeroes", () => {
      expect(st(rw(OP.WRITE, 1, 800, 40), { out: pattern(40 * 512, 32) })).toBe(0);
      const before = nuse(1);
      expect(st(rw(OP.WRITE_ZEROES, 1, 805, 30, DEAC))).toBe(0);
      expect(nuse(1)).toBe(before - 30n);
      const r = h.readBlocks(1, 800, 40, 40 * 512).data!;
      expect(eq(r.slice(0, 2560), pattern(40 * 512, 32).slice(0, 2560))).toBe(true);
      expect(eq(r.slice(2560, 35 * 512), zero(30 * 512))).toBe(true);
      expect(eq(r.slice(35 * 512), pattern(40 * 512, 32).slice(35 * 512))).toBe(true);
    });

    it("zeroes metadata too", () => {
      expect(st(rw(OP.WRITE, 3, 200, 2), { out: pattern(1024, 33), mdOut: pattern(32, 34) })).toBe(0);
      expect(st(rw(OP.WRITE_ZEROES, 3, 200, 2))).toBe(0);
      const r = h.ioCmd(rw(OP.READ, 3, 200, 2), { inLen: 1024, mdInLen: 32 });
      expect(eq(r.data!, zero(1024)) && eq(r.md!, zero(32))).toBe(true);
    });

    it("no MDTS limit: 65536 blocks at once; the LBA range still applies", () => {
      expect(st(rw(OP.WRITE_ZEROES, 6, 1000, 65536))).toBe(0);
      expect(nuse(6)).toBe(65536n);
      expect(st(rw(OP.WRITE_ZEROES, 6, 1000, 65536, DEAC))).toBe(0);
      expect(nuse(6)).toBe(0n);
      expect(st(rw(OP.WRITE_ZEROES, 1, 2000, 49))).toBe(SC.LBA_OUT_OF_RANGE | DNR);
      expect(st(rw(OP.WRITE_ZEROES, 1, 0xffffffffffffffffn, 1))).toBe(SC.LBA_OUT_OF_RANGE | DNR);
    });
  });

  describe("Dataset Management", () => {
    it("AD deallocates every range; NLB 0 ranges are ignored; NUSE drops", () => {
      expect(st(rw(OP.WRITE, 1, 1000, 64), { out: pattern(64 * 512, 41) })).toBe(0);
      const before = nuse(1);
      const ranges = dsmRanges([{ slba: 1000, nlb: 3 }, { slba: 1010, nlb: 0 }, { slba: 1031, nlb: 2 }, { slba: 1060, nlb: 10 }]);
      expect(st(dsmCmd(1, 4), { out: ranges })).toBe(0);
      expect(nuse(1)).toBe(before - 3n - 2n - 4n); // 1064-1069 were never written
      const r = h.readBlocks(1, 1000, 64, 64 * 512).data!;
      const want = pattern(64 * 512, 41);
      want.fill(0, 0, 3 * 512); want.fill(0, 31 * 512, 33 * 512); want.fill(0, 60 * 512);
      expect(eq(r, want)).toBe(true);
    });

    it("without AD the ranges are hints: nothing changes", () => {
      expect(st(rw(OP.WRITE, 1, 1100, 4), { out: pattern(2048, 42) })).toBe(0);
      expect(st(dsmCmd(1, 1, 0x3), { out: dsmRanges([{ slba: 1100, nlb: 4 }]) })).toBe(0);
      expect(eq(h.readBlocks(1, 1100, 4, 2048).data!, pattern(2048, 42))).toBe(true);
    });

    it("a range outside the namespace: LBA Out of Range, and no range is deallocated", () => {
      expect(st(rw(OP.WRITE, 1, 1200, 4), { out: pattern(2048, 43) })).toBe(0);
      const before = nuse(1);
      expect(st(dsmCmd(1, 2), { out: dsmRanges([{ slba: 1200, nlb: 4 }, { slba: 2047, nlb: 2 }]) })).toBe(SC.LBA_OUT_OF_RANGE | DNR);
      expect(st(dsmCmd(1, 2), { out: dsmRanges([{ slba: 1200, nlb: 4 }, { slba: 0xffffffffffffffffn, nlb: 2 }]) })).toBe(SC.LBA_OUT_OF_RANGE | DNR);
      expect(nuse(1)).toBe(before);
      expect(eq(h.readBlocks(1, 1200, 4, 2048).data!, pattern(2048, 43))).toBe(true);
    });

    it("256 ranges (NR = FFh); range list outside host RAM is a Data Transfer Error", () => {
      const list = Array.from({ length: 256 }, (_, i) => ({ slba: i * 4, nlb: 1 }));
      expect(st(dsmCmd(6, 256), { out: dsmRanges(list) })).toBe(0);
      expect(st(sqe(OP.DSM, { nsid: 1, cdw10: 0, cdw11: 4, prp1: h.ramSize }), { keepDptr: true })).toBe(SC.DATA_TRANSFER_ERROR);
    });

    it("a freed chunk reused for other blocks holds no stale data", () => {
      // Blocks 1536-1567 fill one 32-block chunk; deallocating all of it frees the chunk.
      expect(st(rw(OP.WRITE, 1, 1536, 32), { out: pattern(32 * 512, 44) })).toBe(0);
      expect(st(dsmCmd(1, 1), { out: dsmRanges([{ slba: 1536, nlb: 32 }]) })).toBe(0);
      expect(st(rw(OP.WRITE, 1, 1600, 1), { out: pattern(512, 45) })).toBe(0);
      const r = h.readBlocks(1, 1600, 32, 32 * 512).data!;
      expect(eq(r.slice(0, 512), pattern(512, 45))).toBe(true);
      expect(eq(r.slice(512), zero(31 * 512))).toBe(true);
      expect(eq(h.readBlocks(1, 1536, 32, 32 * 512).data!, zero(32 * 512))).toBe(true);
    });
  });

  describe("Verify and Flush", () => {
    it("Verify: no data moves; no size limit (VSL 0); LBA range applies", () => {
      expect(st(rw(OP.VERIFY, 6, 0, 65536))).toBe(0);
      expect(st(rw(OP.VERIFY, 1, 2047, 2))).toBe(SC.LBA_OUT_OF_RANGE | DNR);
    });

    it("Flush: one namespace or all (FFFFFFFFh, VWC bits 2:1 = 11b); NSID errors", () => {
      expect(st(sqe(OP.FLUSH, { nsid: 1 }))).toBe(0);
      expect(st(sqe(OP.FLUSH, { nsid: 0xffffffff }))).toBe(0);
      expect(st(sqe(OP.FLUSH, { nsid: 0 }))).toBe(SC.INVALID_NS_OR_FORMAT | DNR);
      expect(st(sqe(OP.FLUSH, { nsid: 257 }))).toBe(SC.INVALID_NS_OR_FORMAT | DNR);
      expect(st(sqe(OP.FLUSH, { nsid: 5 }))).toBe(SC.INVALID_FIELD | DNR);
    });
  });

  it("NUSE: overwriting does not count twice; reads do not count", () => {
    const before = nuse(4);
    expect(st(rw(OP.WRITE, 4, 0, 2), { out: pattern(8192, 51) })).toBe(0);
    expect(st(rw(OP.WRITE, 4, 1, 2), { out: pattern(8192, 52) })).toBe(0);
    expect(st(rw(OP.READ, 4, 100, 4), { inLen: 16384 })).toBe(0);
    expect(nuse(4)).toBe(before + 3n);
    expect(h.core.nuse(4)).toBe(Number(before + 3n));
  });
});

describe("a large sparse namespace (2^40 blocks)", () => {
  it("deallocating 2^40 blocks is exact and takes few steps (absent tables are skipped whole)", async () => {
    const h = await Host.create({ config: { namespaces: [ns(1, 2 ** 40)] } });
    try {
      for (const lba of [0, 2 ** 24 + 5, 2 ** 39, 2 ** 40 - 1]) expect(h.ioCmd(rw(OP.WRITE, 1, lba, 1), { out: pattern(512, lba) }).status).toBe(0);
      expect(h.nuse(1)).toBe(4n);
      const ranges = Array.from({ length: 256 }, (_, i) => ({ slba: BigInt(i) * 0xffffffffn, nlb: 0xffffffff }));
      const t0 = performance.now();
      expect(h.ioCmd(dsmCmd(1, 256), { out: dsmRanges(ranges) }).status).toBe(0);
      expect(performance.now() - t0).toBeLessThan(150); // walking every L3 span took ~500 ms
      expect(h.nuse(1)).toBe(1n); // LBA 2^40 - 1 lies beyond 256 x (2^32 - 1)
      expect(eq(h.readBlocks(1, 2 ** 40 - 1, 1, 512).data!, pattern(512, 2 ** 40 - 1))).toBe(true);
      expect(eq(h.readBlocks(1, 2 ** 39, 1, 512).data!, zero(512))).toBe(true);
    } finally { await h.close(); }
  });
});

describe("Flush without broadcast support (VWC bits 2:1 = 10b)", () => {
  it("NSID FFFFFFFFh is Invalid Namespace or Format", async () => {
    const h = await Host.create({ config: { vwc: 0x05 } });
    try {
      expect(h.ioCmd(sqe(OP.FLUSH, { nsid: 0xffffffff })).status).toBe(SC.INVALID_NS_OR_FORMAT | DNR);
      expect(h.ioCmd(sqe(OP.FLUSH, { nsid: 1 })).status).toBe(0);
    } finally { await h.close(); }
  });
});

describe("MDTS = 0 (no limit)", () => {
  it("a 2 MiB read is accepted", async () => {
    const h = await Host.create({ config: { mdts: 0 } });
    try {
      expect(h.ioCmd(rw(OP.READ, 1, 0, 4096), { inLen: 4096 * 512 }).status).toBe(0);
    } finally { await h.close(); }
  });
});

describe("the NVM Command Set limits of Identify CNS 06h (NVM CS 1.0 Figure 102, §3.2.3.1)", () => {
  const nuseOf = (h: Host) => h.nuse(1);
  const written = (h: Host, slba: number, nlb: number, tag: number) => expect(h.write512(1, slba, nlb, pattern(nlb * 512, tag)).status).toBe(0);

  it("ONCS bits set: VSL and WZSL are recommendations, larger commands still run", async () => {
    const h = await Host.create({ config: { namespaces: [ns(1, 8192)], vsl: 1, wzsl: 1 } });
    try {
      // 2^1 x 4 KiB = 16 blocks of 512 bytes recommended; 64 run anyway.
      expect(h.ioCmd(rw(OP.VERIFY, 1, 0, 64)).status).toBe(0);
      expect(h.ioCmd(rw(OP.WRITE_ZEROES, 1, 0, 64)).status).toBe(0);
    } finally { await h.close(); }
  });

  it("ONCS bits cleared with a limit: Verify and Write Zeroes are supported up to it, Invalid Field above", async () => {
    // ONCS without Write Zeroes (bit 3) and Verify (bit 7): Compare, DSM, Save/Select, Copy.
    const h = await Host.create({ config: { namespaces: [ns(1, 8192), ns(2, 1024, { ms: 8, extended: true })], oncs: 0x0115, vsl: 1, wzsl: 2 } });
    try {
      expect(h.ioCmd(rw(OP.VERIFY, 1, 0, 16)).status).toBe(0); // 8 KiB = 2^1 x 4 KiB
      expect(h.ioCmd(rw(OP.VERIFY, 1, 0, 17)).status).toBe(SC.INVALID_FIELD | DNR);
      written(h, 100, 40, 7);
      expect(h.ioCmd(rw(OP.WRITE_ZEROES, 1, 100, 33)).status).toBe(SC.INVALID_FIELD | DNR); // above 16 KiB
      expect(eq(h.readBlocks(1, 100, 40, 40 * 512).data!, pattern(40 * 512, 7))).toBe(true);
      expect(h.ioCmd(rw(OP.WRITE_ZEROES, 1, 100, 32)).status).toBe(0);
      // The size limit is checked before the LBA range, as QEMU checks VSL.
      expect(h.ioCmd(rw(OP.WRITE_ZEROES, 1, 8190, 40)).status).toBe(SC.INVALID_FIELD | DNR);
      // Interleaved metadata counts: 16 blocks of 512 + 8 bytes exceed 8 KiB.
      expect(h.ioCmd(rw(OP.VERIFY, 2, 0, 15)).status).toBe(0);
      expect(h.ioCmd(rw(OP.VERIFY, 2, 0, 16)).status).toBe(SC.INVALID_FIELD | DNR);
      // The Commands Supported and Effects log lists both (CSUPP).
      const effects = h.driver.getLogPage(0x05, 4096).data!;
      const csupp = (opc: number) => effects[1024 + 4 * opc] & 1;
      expect([csupp(0x08), csupp(0x0c)]).toEqual([1, 1]);
    } finally { await h.close(); }
  });

  it("ONCS bits cleared and no limit: Verify and Write Zeroes are not supported", async () => {
    const h = await Host.create({ config: { namespaces: [ns(1, 8192)], oncs: 0x0115 } });
    try {
      expect(h.ioCmd(rw(OP.VERIFY, 1, 0, 1)).status).toBe(SC.INVALID_OPCODE | DNR);
      expect(h.ioCmd(rw(OP.WRITE_ZEROES, 1, 0, 1)).status).toBe(SC.INVALID_OPCODE | DNR);
    } finally { await h.close(); }
  });

  it("DSM limits with ONCS bit 2 set: only the blocks within DMRL, DMRSL and DMSL are deallocated", async () => {
    const h = await Host.create({ config: { namespaces: [ns(1, 8192)], dmrl: 2, dmrsl: 8, dmsl: 12 } });
    try {
      written(h, 0, 64, 9);
      const before = nuseOf(h);
      // Range 0: 10 blocks, 8 processed (DMRSL). Range 1: 10 blocks after 10 of range 0: 2 left
      // under DMSL 12. Range 2: beyond DMRL 2, untouched.
      const ranges = dsmRanges([{ slba: 0, nlb: 10 }, { slba: 20, nlb: 10 }, { slba: 40, nlb: 10 }]);
      expect(h.ioCmd(dsmCmd(1, 3), { out: ranges }).status).toBe(0);
      expect(nuseOf(h)).toBe(before - 8n - 2n);
      const r = h.readBlocks(1, 0, 64, 64 * 512).data!;
      const want = pattern(64 * 512, 9);
      want.fill(0, 0, 8 * 512); want.fill(0, 20 * 512, 22 * 512);
      expect(eq(r, want)).toBe(true);
    } finally { await h.close(); }
  });

  it("DSM limits with ONCS bit 2 cleared: supported, and a command beyond them is Command Size Limit Exceeded", async () => {
    const h = await Host.create({ config: { namespaces: [ns(1, 8192)], oncs: 0x0119, dmrsl: 8 } });
    try {
      written(h, 0, 32, 10);
      const before = nuseOf(h);
      expect(h.ioCmd(dsmCmd(1, 2), { out: dsmRanges([{ slba: 0, nlb: 8 }, { slba: 16, nlb: 9 }]) }).status).toBe(0x0183 | DNR);
      expect(nuseOf(h)).toBe(before); // nothing deallocated
      expect(h.ioCmd(dsmCmd(1, 2), { out: dsmRanges([{ slba: 0, nlb: 8 }, { slba: 16, nlb: 8 }]) }).status).toBe(0);
      expect(nuseOf(h)).toBe(before - 16n);
      // An LBA range error is still reported first.
      expect(h.ioCmd(dsmCmd(1, 1), { out: dsmRanges([{ slba: 8190, nlb: 9 }]) }).status).toBe(SC.LBA_OUT_OF_RANGE | DNR);
    } finally { await h.close(); }
  });
});
