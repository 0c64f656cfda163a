// Data pointers (Base 2.1 §4.3): PRP1 offsets, PRP2 as data pointer or list pointer, PRP lists
// starting at an offset and chained through the last entry of a list page (§4.3.1), and SGLs
// (§4.3.2): Data Block, Segment and Last Segment rules with QEMU's statuses. A bad pointer
// fails the command before any data moves: Invalid PRP Offset (0013h, DNR) for misaligned
// entries, Data Transfer Error (0004h) for addresses outside host RAM.

import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { Host, OP, REG, CC_ENABLE, sqe, rw, cqeAt, pattern, eq, u16, ns, DNR, SC } from "../host";

const PSDT_SGL = 1 << 6; // SQE byte 1 bits 7:6 = 01b: SGL, MPTR contiguous
const PSDT_SGL_MD = 2 << 6; // 10b: SGL, MPTR points to an SGL descriptor
const PSDT_RESERVED = 3 << 6;
const DATA = 0x0, BIT_BUCKET = 0x1, SEGMENT = 0x2, LAST = 0x3, KEYED = 0x4;

describe("PRPs and SGLs", () => {
  let h: Host;
  const blocks = pattern(64 * 512, 7); // LBAs 0-63 of namespace 1
  beforeAll(async () => {
    h = await Host.create({ config: { namespaces: [ns(1, 4096), ns(2, 1024, { ms: 16 })] } });
    expect(h.write512(1, 0, 64, blocks).status).toBe(0);
  });
  afterAll(async () => { await h.close(); });

  const lba = (first: number, n: number) => blocks.slice(first * 512, (first + n) * 512);
  /** Read nlb blocks from LBA slba with the data pointer fields given. */
  const read = (slba: number, nlb: number, f: Parameters<typeof rw>[5]) => h.ioCmd(rw(OP.READ, 1, slba, nlb, 0, f), { keepDptr: true });
  /** Gather bytes the controller wrote to host memory at a list of (bus, length) pieces. */
  const gather = (pieces: Array<[number, number]>) => Buffer.concat(pieces.map(([b, n]) => Buffer.from(h.read(b, n))));

  describe("PRP", () => {
    it("PRP1 alone: the transfer fits in the rest of PRP1's page", () => {
      const a = h.alloc(4096);
      expect(read(0, 2, { prp1: a + 3072 }).status).toBe(0);
      expect(eq(h.read(a + 3072, 1024), lba(0, 2))).toBe(true);
    });

    it("PRP1 with an offset, then PRP2 as the second page (§4.3.1)", () => {
      const a = h.alloc(4096), b = h.alloc(4096);
      expect(read(8, 8, { prp1: a + 512, prp2: b }).status).toBe(0);
      expect(eq(gather([[a + 512, 3584], [b, 512]]), lba(8, 8))).toBe(true);
      expect(h.read(b + 512, 8).every((x) => x === 0)).toBe(true); // nothing past the transfer
    });

    it("PRP2 as a data pointer must be page aligned", () => {
      const a = h.alloc(4096), b = h.alloc(8192);
      expect(read(0, 8, { prp1: a + 512, prp2: b + 8 }).status).toBe(SC.INVALID_PRP_OFFSET | DNR);
    });

    it("PRP1 must be dword aligned (bits 1:0 clear)", () => {
      const a = h.alloc(4096);
      expect(read(0, 1, { prp1: a + 2 }).status).toBe(SC.INVALID_PRP_OFFSET | DNR);
      expect(read(0, 1, { prp1: a + 4 }).status).toBe(0);
      expect(eq(h.read(a + 4, 512), lba(0, 1))).toBe(true);
    });

    it("PRP list starting at an offset, chained to a second list page through its last slot", () => {
      // 17 KiB from LBA 4: PRP1 takes 3 KiB at offset 1 KiB, the list 3.5 pages more.
      const a = h.alloc(4096);
      const pages = [h.alloc(4096), h.alloc(4096), h.alloc(4096), h.alloc(4096)];
      const l1 = h.alloc(4096), l2 = h.alloc(4096);
      const list = l1 + 4080; // two slots left in this page: one entry, then the chain pointer
      h.put64(list, pages[0]);
      h.put64(list + 8, l2);
      h.put64(l2, pages[1]); h.put64(l2 + 8, pages[2]); h.put64(l2 + 16, pages[3]);
      expect(read(4, 34, { prp1: a + 1024, prp2: list }).status).toBe(0);
      expect(eq(gather([[a + 1024, 3072], [pages[0], 4096], [pages[1], 4096], [pages[2], 4096], [pages[3], 2048]]), lba(4, 34))).toBe(true);
    });

    it("the last slot of a list page is an entry, not a pointer, when it covers the rest", () => {
      // Exactly two list entries remain and both fit: no chaining.
      const a = h.alloc(4096), p0 = h.alloc(4096), p1 = h.alloc(4096), l = h.alloc(4096);
      h.put64(l + 4080, p0); h.put64(l + 4088, p1);
      expect(read(0, 24, { prp1: a, prp2: l + 4080 }).status).toBe(0);
      expect(eq(gather([[a, 4096], [p0, 4096], [p1, 4096]]), lba(0, 24))).toBe(true);
    });

    it("list entries and chain pointers must be page aligned", () => {
      const a = h.alloc(4096), p0 = h.alloc(4096), p1 = h.alloc(4096), l = h.alloc(4096), l2 = h.alloc(4096);
      h.put64(l, p0); h.put64(l + 8, p1 + 4);
      expect(read(0, 24, { prp1: a, prp2: l }).status).toBe(SC.INVALID_PRP_OFFSET | DNR);
      h.put64(l + 4088, p0); h.put64(l + 4080, p0);
      h.put64(l2 + 4088, l2 + 8); // chain pointer with an offset
      h.put64(l2 + 4080, p0);
      expect(read(0, 24, { prp1: a, prp2: l2 + 4080 }).status).toBe(SC.INVALID_PRP_OFFSET | DNR);
    });

    it("a PRP list pointer must be dword aligned", () => {
      const a = h.alloc(4096), l = h.alloc(4096);
      expect(read(0, 24, { prp1: a, prp2: l + 2 }).status).toBe(SC.INVALID_PRP_OFFSET | DNR);
    });

    it("addresses outside host RAM: Data Transfer Error, no DNR", () => {
      const a = h.alloc(4096), l = h.alloc(4096);
      const out = h.ramSize;
      expect(read(0, 1, { prp1: out }).status).toBe(SC.DATA_TRANSFER_ERROR);
      expect(read(0, 1, { prp1: 0xfffffffffffff000n }).status).toBe(SC.DATA_TRANSFER_ERROR);
      expect(read(0, 16, { prp1: a, prp2: out }).status).toBe(SC.DATA_TRANSFER_ERROR); // PRP2 data page
      expect(read(0, 24, { prp1: a, prp2: out }).status).toBe(SC.DATA_TRANSFER_ERROR); // PRP list
      h.put64(l, h.alloc(4096)); h.put64(l + 8, 0x100000000000n);
      expect(read(0, 24, { prp1: a, prp2: l }).status).toBe(SC.DATA_TRANSFER_ERROR); // list entry
      // The last page of host RAM is fine.
      expect(read(0, 8, { prp1: out - 4096 }).status).toBe(0);
      expect(eq(h.read(out - 4096, 4096), lba(0, 8))).toBe(true);
    });

    it("a Write with a bad PRP changes nothing on the media", () => {
      const a = h.alloc(4096);
      h.write(a, pattern(4096, 99));
      const w = h.ioCmd(rw(OP.WRITE, 1, 0, 16, 0, { prp1: a, prp2: h.ramSize }), { keepDptr: true });
      expect(w.status).toBe(SC.DATA_TRANSFER_ERROR);
      expect(eq(h.readBlocks(1, 0, 16, 8192).data!, lba(0, 16))).toBe(true);
    });

    it("PRP2 at the last qword of a page: the first list has one slot, a chain pointer", () => {
      const a = h.alloc(4096), l = h.alloc(4096), l2 = h.alloc(4096);
      const pages = [h.alloc(4096), h.alloc(4096), h.alloc(4096)];
      h.put64(l + 4088, l2);
      pages.forEach((p, i) => h.put64(l2 + 8 * i, p));
      expect(read(0, 32, { prp1: a, prp2: l + 4088 }).status).toBe(0);
      expect(eq(gather([[a, 4096], [pages[0], 4096], [pages[1], 4096], [pages[2], 4096]]), lba(0, 32))).toBe(true);
    });

  });

  describe("SGL", () => {
    /** Read with SGL1 = one descriptor. */
    const readSgl = (slba: number, nlb: number, addr: bigint | number, len: number, type: number, subtype = 0) => {
      const s = rw(OP.READ, 1, slba, nlb, 0, { flags: PSDT_SGL });
      s[6] = Number(BigInt(addr) & 0xffffffffn); s[7] = Number(BigInt(addr) >> 32n);
      s[8] = len >>> 0; s[9] = ((type << 4) | subtype) << 24;
      return h.ioCmd(s, { keepDptr: true });
    };

    it("one Data Block in SGL1, at a byte-aligned address (SGLS 01b: no alignment)", () => {
      const a = h.alloc(8192);
      expect(readSgl(2, 3, a + 7, 1536, DATA).status).toBe(0);
      expect(eq(h.read(a + 7, 1536), lba(2, 3))).toBe(true);
    });

    it("Last Segment of three Data Blocks, one of them empty", () => {
      const seg = h.alloc(4096), a = h.alloc(4096), b = h.alloc(4096);
      h.sglDesc(seg, a + 1, 700, DATA);
      h.sglDesc(seg + 16, b, 0, DATA);
      h.sglDesc(seg + 32, b + 3, 324, DATA);
      expect(readSgl(5, 2, seg, 48, LAST).status).toBe(0);
      expect(eq(gather([[a + 1, 700], [b + 3, 324]]), lba(5, 2))).toBe(true);
    });

    it("Segment -> Segment -> Last Segment chain", () => {
      const s1 = h.alloc(4096), s2 = h.alloc(4096), s3 = h.alloc(4096), d = h.alloc(8192);
      h.sglDesc(s1, d, 512, DATA);
      h.sglDesc(s1 + 16, s2, 32, SEGMENT);
      h.sglDesc(s2, d + 1000, 512, DATA);
      h.sglDesc(s2 + 16, s3, 32, LAST);
      h.sglDesc(s3, d + 2000, 100, DATA);
      h.sglDesc(s3 + 16, d + 3000, 412, DATA);
      expect(readSgl(10, 3, s1, 32, SEGMENT).status).toBe(0);
      expect(eq(gather([[d, 512], [d + 1000, 512], [d + 2000, 100], [d + 3000, 412]]), lba(10, 3))).toBe(true);
    });

    it("a (Last) Segment of length 0 or not a multiple of 16: Invalid SGL Segment Descriptor", () => {
      const seg = h.alloc(4096), d = h.alloc(4096);
      h.sglDesc(seg, d, 512, DATA);
      expect(readSgl(0, 1, seg, 0, LAST).status).toBe(SC.SGL_INVALID_SEGMENT | DNR);
      expect(readSgl(0, 1, seg, 24, LAST).status).toBe(SC.SGL_INVALID_SEGMENT | DNR);
      expect(readSgl(0, 1, seg, 8, SEGMENT).status).toBe(SC.SGL_INVALID_SEGMENT | DNR);
    });

    it("a Last Segment may not chain to another segment", () => {
      const s1 = h.alloc(4096), s2 = h.alloc(4096), d = h.alloc(4096);
      h.sglDesc(s1, d, 256, DATA);
      h.sglDesc(s1 + 16, s2, 16, LAST);
      h.sglDesc(s2, d + 256, 256, DATA);
      expect(readSgl(0, 1, s1, 32, LAST).status).toBe(SC.SGL_INVALID_SEGMENT | DNR);
      expect(readSgl(0, 1, s1, 32, SEGMENT).status).toBe(0);
    });

    it("a segment descriptor anywhere but the last slot: Invalid Number of SGL Descriptors", () => {
      const s1 = h.alloc(4096), s2 = h.alloc(4096), d = h.alloc(4096);
      h.sglDesc(s1, s2, 16, LAST);
      h.sglDesc(s1 + 16, d, 512, DATA);
      h.sglDesc(s2, d, 512, DATA);
      expect(readSgl(0, 1, s1, 32, SEGMENT).status).toBe(SC.SGL_INVALID_COUNT | DNR);
    });

    it("unsupported descriptor types: SGL Descriptor Type Invalid", () => {
      const seg = h.alloc(4096), d = h.alloc(4096);
      for (const [type, sub] of [[BIT_BUCKET, 0], [KEYED, 0], [DATA, 1], [0x5, 0], [0xe, 0]]) {
        h.sglDesc(seg, d, 256, DATA);
        h.sglDesc(seg + 16, d + 256, 256, type, sub);
        expect(readSgl(0, 1, seg, 32, LAST).status).toBe(SC.SGL_INVALID_TYPE | DNR);
      }
      // In SGL1 itself a Data Block with the Offset subtype is invalid too.
      expect(readSgl(0, 1, d, 512, DATA, 1).status).toBe(SC.SGL_INVALID_TYPE | DNR);
      // SGL1 that is neither a Data Block nor a segment: QEMU's Invalid SGL Segment Descriptor.
      expect(readSgl(0, 1, d, 512, BIT_BUCKET).status).toBe(SC.SGL_INVALID_SEGMENT | DNR);
    });

    it("SGL shorter or longer than the transfer: Data SGL Length Invalid (SGLS bit 18 clear)", () => {
      const seg = h.alloc(4096), d = h.alloc(4096);
      expect(readSgl(0, 2, d, 1000, DATA).status).toBe(SC.SGL_INVALID_DATA_LEN | DNR);
      h.sglDesc(seg, d, 512, DATA);
      h.sglDesc(seg + 16, d + 512, 512, DATA);
      expect(readSgl(0, 1, seg, 32, LAST).status).toBe(SC.SGL_INVALID_DATA_LEN | DNR);
      // A single Data Block longer than needed is trimmed (QEMU maps min(len, remaining)).
      expect(readSgl(0, 1, d, 4096, DATA).status).toBe(0);
    });

    it("address + length beyond 2^64: Data SGL Length Invalid", () => {
      expect(readSgl(0, 1, 0xffffffffffffff00n, 512, DATA).status).toBe(SC.SGL_INVALID_DATA_LEN | DNR);
    });

    it("segments or data outside host RAM: Data Transfer Error", () => {
      const seg = h.alloc(4096);
      expect(readSgl(0, 1, h.ramSize, 512, DATA).status).toBe(SC.DATA_TRANSFER_ERROR);
      expect(readSgl(0, 1, h.ramSize - 16, 32, LAST).status).toBe(SC.DATA_TRANSFER_ERROR);
      h.sglDesc(seg, h.ramSize - 256, 512, DATA);
      expect(readSgl(0, 1, seg, 16, LAST).status).toBe(SC.DATA_TRANSFER_ERROR);
    });

    it("a Segment that points at itself ends with an error, not a hang", () => {
      const seg = h.alloc(4096);
      h.sglDesc(seg, seg, 16, SEGMENT);
      expect(readSgl(0, 1, seg, 16, SEGMENT).status).toBe(SC.SGL_INVALID_COUNT | DNR);
    });

    it("PSDT 11b is reserved; admin commands must use PRPs", () => {
      const d = h.alloc(4096);
      expect(h.ioCmd(rw(OP.READ, 1, 0, 1, 0, { flags: PSDT_RESERVED, prp1: d }), { keepDptr: true }).status).toBe(SC.INVALID_FIELD | DNR);
      expect(h.adminCmd(sqe(OP.IDENTIFY, { flags: PSDT_SGL, cdw10: 1, prp1: d }), { keepDptr: true }).status).toBe(SC.INVALID_FIELD | DNR);
    });

    it("the driver's one-descriptor SGL write and read round trip", () => {
      const data = pattern(2048, 5);
      expect(h.ioCmd(rw(OP.WRITE, 1, 100, 4), { out: data, sgl: true }).status).toBe(0);
      expect(eq(h.ioCmd(rw(OP.READ, 1, 100, 4), { inLen: 2048, sgl: true }).data!, data)).toBe(true);
    });

    it("metadata through MPTR as an SGL descriptor (PSDT 10b); too short: Metadata SGL Length Invalid", () => {
      const data = pattern(1024, 3), md = pattern(32, 4);
      const d = h.alloc(4096), m = h.alloc(4096), mdesc = h.alloc(4096);
      h.write(d, data); h.write(m + 5, md);
      h.sglDesc(mdesc, m + 5, 32, DATA);
      const w = rw(OP.WRITE, 2, 10, 2, 0, { flags: PSDT_SGL_MD, mptr: mdesc });
      w[6] = d; w[8] = 1024; w[9] = 0;
      expect(h.ioCmd(w, { keepDptr: true }).status).toBe(0);
      const r = h.ioCmd(rw(OP.READ, 2, 10, 2), { inLen: 1024, mdInLen: 32 });
      expect(eq(r.data!, data)).toBe(true);
      expect(eq(r.md!, md)).toBe(true);
      h.sglDesc(mdesc, m, 16, DATA);
      expect(h.ioCmd(w, { keepDptr: true }).status).toBe(SC.SGL_INVALID_MD_LEN | DNR);
    });

    it("separate metadata (MPTR) outside host RAM: Data Transfer Error", () => {
      const d = h.alloc(4096);
      expect(h.ioCmd(rw(OP.READ, 2, 0, 1, 0, { prp1: d, mptr: h.ramSize - 8 }), { keepDptr: true }).status).toBe(SC.DATA_TRANSFER_ERROR);
    });
  });
});

describe("SGLs not supported (SGLS = 0)", () => {
  it("PSDT 01b: Invalid Field in Command", async () => {
    const h = await Host.create({ config: { sgls: 0 } });
    try {
      expect(h.ioCmd(rw(OP.READ, 1, 0, 1), { inLen: 512, sgl: true }).status).toBe(SC.INVALID_FIELD | DNR);
    } finally { await h.close(); }
  });

  it("SGLS bit 18: an SGL longer than the transfer is accepted", async () => {
    const h = await Host.create({ config: { sgls: 0x1 | (1 << 18) } });
    try {
      const seg = h.alloc(4096), d = h.alloc(4096);
      h.sglDesc(seg, d, 512, 0); h.sglDesc(seg + 16, d + 512, 512, 0);
      const s = rw(OP.READ, 1, 0, 1, 0, { flags: 1 << 6, prp1: seg });
      s[8] = 32; s[9] = (LAST << 4) << 24;
      expect(h.ioCmd(s, { keepDptr: true }).status).toBe(0);
    } finally { await h.close(); }
  });
});

describe("a PRP list that chains back to itself (MDTS = 0, no transfer limit)", () => {
  it("is walked like any other: each pass consumes 511 entries, so the walk ends", async () => {
    const h = await Host.create({ config: { mdts: 0, namespaces: [ns(1, 8192)] } });
    try {
      const tail = pattern(4096, 8);
      expect(h.ioCmd(rw(OP.WRITE, 1, 4792, 8), { out: tail }).status).toBe(0);
      // 600 pages: PRP1, then 599 entries from a list page of 511 entries for one data page
      // whose last slot points back at the list itself.
      const a = h.alloc(4096), l = h.alloc(4096), p = h.alloc(4096);
      for (let i = 0; i < 511; i++) h.put64(l + 8 * i, p);
      h.put64(l + 4088, l);
      expect(h.ioCmd(rw(OP.READ, 1, 0, 4800, 0, { prp1: a, prp2: l }), { keepDptr: true }).status).toBe(0);
      expect(eq(h.read(p, 4096), tail)).toBe(true); // the last page of the transfer
    } finally { await h.close(); }
  });
});

describe("memory page size from CC.MPS (§3.1.4.5)", () => {
  it("with 8 KiB pages a 4 KiB Identify at offset 4 KiB needs no PRP2", async () => {
    const h = await Host.create({ up: false });
    try {
      const asq = h.alloc(8192, 8192), acq = h.alloc(8192, 8192), buf = h.alloc(16384, 8192);
      h.w32(REG.AQA, 3 | (3 << 16));
      h.w64(REG.ASQ, BigInt(asq));
      h.w64(REG.ACQ, BigInt(acq));
      h.w32(REG.CC, CC_ENABLE | (1 << 7));
      h.ram.set(new Uint8Array(sqe(OP.IDENTIFY, { cid: 1, cdw10: 1, prp1: buf + 4096 }).buffer), asq);
      h.w32(0x1000, 1);
      expect(cqeAt(h, acq, 0)).toMatchObject({ cid: 1, status: 0, phase: 1 });
      expect(u16(h.read(buf + 4096, 2), 0)).toBe(0x1b36);
      // 4 KiB at offset 6 KiB crosses into the next 8 KiB page: PRP2 must be 8 KiB aligned.
      h.ram.set(new Uint8Array(sqe(OP.IDENTIFY, { cid: 2, cdw10: 1, prp1: buf + 6144, prp2: buf + 12288 }).buffer), asq + 64);
      h.w32(0x1000, 2);
      expect(cqeAt(h, acq, 1)).toMatchObject({ cid: 2, status: SC.INVALID_PRP_OFFSET | DNR });
    } finally { await h.close(); }
  });
});
