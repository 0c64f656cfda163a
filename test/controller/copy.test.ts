// Copy (NVM CS 1.1 §3.3.2; TP 4065 / 4130): Source Range formats 0h-3h, CDFE gating of 2h/3h
// (Host Behavior Support), NR vs MSRC, range vs MSSRL, total vs MCL, source and destination
// out of range with partial completion (CQE DW0 = index of the first range not copied),
// cross-namespace copy and Incompatible Namespace or Format, and overlap: formats 2h/3h
// reject any source LBA shared with the whole destination range (Overlapping I/O Range),
// format 0h copies overlapping ranges as if through a buffer.
//
// The first group reproduces /work/shared/oracle/qemu-copy-status-table.md (QEMU 10.0.2) row by
// row, with the same namespaces; where the controller follows the spec instead of QEMU the
// row says so (docs/CONFORMANCE.md).

import { describe, it, expect, beforeEach, afterEach } from "vitest";
import { Host, ns, rw, copyCmd, copyRanges, CopyRange, pattern, eq, u64, OP, DNR, SC } from "../host";

const N = 131072; // namespace 1 blocks
/** Contents of a prefilled block: distinct for every namespace and LBA. */
const blk = (nsid: number, lba: number) => pattern(512, nsid * 1000003 + lba);
const ZERO = new Uint8Array(512);
/** The oracle's prefill: ns1 LBAs 0-15, 100-115, 200-215, 300-315, 400-415, N-4..N-1; ns2 0-15. */
const PREFILLED: Record<number, Array<[number, number]>> = {
  1: [[0, 16], [100, 16], [200, 16], [300, 16], [400, 16], [N - 4, 4]],
  2: [[0, 16]],
  4: [[0, 64]],
};
const prefilled = (nsid: number, lba: number) => (PREFILLED[nsid] ?? []).some(([s, n]) => lba >= s && lba < s + n);
/** What a block holds before any copy. */
const orig = (nsid: number, lba: number) => (prefilled(nsid, lba) ? blk(nsid, lba) : ZERO);

describe("Copy", () => {
  let h: Host;
  beforeEach(async () => {
    h = await Host.create({
      config: {
        namespaces: [
          ns(1, N, { mssrl: 16, mcl: 40, msrc: 3 }),
          ns(2, 16384, { mssrl: 16, mcl: 40, msrc: 3 }),
          ns(3, 1024, { ms: 8, extended: true, mssrl: 16, mcl: 40, msrc: 3 }), // 512 + 8: incompatible with 1
          ns(4, 4096, { mssrl: 32, mcl: 64, msrc: 7 }),
          ns(5, 512, { lbaBytes: 4096 }), // 4 KiB blocks: incompatible with 1
        ],
      },
    });
    for (const [nsid, ranges] of Object.entries(PREFILLED)) {
      for (const [s, n] of ranges) {
        const data = new Uint8Array(n * 512);
        for (let i = 0; i < n; i++) data.set(blk(+nsid, s + i), i * 512);
        expect(h.ioCmd(rw(OP.WRITE, +nsid, s, n), { out: data }).status).toBe(0);
      }
    }
  });
  afterEach(async () => { await h.close(); });

  const copy = (nsid: number, sdlba: number | bigint, ranges: CopyRange[], fmt = 0, extra12 = 0, cdw13 = 0) => {
    const s = copyCmd(nsid, sdlba, ranges.length, fmt, extra12);
    s[13] = cdw13;
    return h.ioCmd(s, { out: copyRanges(ranges) });
  };
  const read = (nsid: number, slba: number, nlb: number) => {
    const r = h.ioCmd(rw(OP.READ, nsid, slba, nlb), { inLen: nlb * 512 });
    expect(r.status).toBe(0);
    return r.data!;
  };
  /** Expect blocks [dst, dst + n) of nsid to hold the given 512-byte blocks. */
  const expectBlocks = (nsid: number, dst: number, want: Uint8Array[]) => {
    const got = read(nsid, dst, want.length);
    want.forEach((w, i) => expect(eq(got.slice(i * 512, (i + 1) * 512), w), `ns ${nsid} LBA ${dst + i}`).toBe(true));
  };
  /** The blocks a list of ranges names, in order (their original contents). */
  const sources = (ranges: CopyRange[], dflt = 1) => ranges.flatMap((r) => Array.from({ length: r.nlb }, (_, i) => orig(r.snsid ?? dflt, Number(r.slba) + i)));
  const zeros = (n: number) => Array.from({ length: n }, () => ZERO);

  describe("the QEMU oracle table, row by row", () => {
    it("1: three ranges, total 28", () => {
      const rs = [{ slba: 0, nlb: 8 }, { slba: 100, nlb: 16 }, { slba: 200, nlb: 4 }];
      expect(copy(1, 1000, rs)).toMatchObject({ status: 0, dw0: 0 });
      expectBlocks(1, 1000, sources(rs));
    });

    it("2: at the limits: 4 ranges (MSRC + 1), 40 blocks (MCL)", () => {
      const rs = [{ slba: 0, nlb: 10 }, { slba: 100, nlb: 10 }, { slba: 200, nlb: 10 }, { slba: 300, nlb: 10 }];
      expect(copy(1, 1100, rs).status).toBe(0);
      expectBlocks(1, 1100, sources(rs));
    });

    it("3: one range of MSSRL blocks", () => {
      expect(copy(1, 1200, [{ slba: 100, nlb: 16 }]).status).toBe(0);
      expectBlocks(1, 1200, sources([{ slba: 100, nlb: 16 }]));
    });

    it("4, 5: source ending at the last LBA; destination ending at the last LBA", () => {
      expect(copy(1, 1300, [{ slba: N - 4, nlb: 4 }]).status).toBe(0);
      expectBlocks(1, 1300, sources([{ slba: N - 4, nlb: 4 }]));
      expect(copy(1, N - 4, [{ slba: 0, nlb: 4 }]).status).toBe(0);
      expectBlocks(1, N - 4, sources([{ slba: 0, nlb: 4 }]));
    });

    it("6: format 0h, source overlapping the destination: copied as if read first", () => {
      expect(copy(1, 404, [{ slba: 400, nlb: 8 }]).status).toBe(0);
      expectBlocks(1, 400, [...sources([{ slba: 400, nlb: 4 }]), ...sources([{ slba: 400, nlb: 8 }]), ...sources([{ slba: 412, nlb: 4 }])]);
    });

    it("7, 8: PRINFOR/PRINFOW, FUA, LR, DTYPE and DSPEC do not change a copy on a namespace without PI", () => {
      expect(copy(1, 1400, [{ slba: 0, nlb: 4 }], 0, (0x8 << 12) | (0x8 << 26)).status).toBe(0);
      expect(copy(1, 1500, [{ slba: 0, nlb: 4 }], 0, (1 << 30) | (1 << 31) | (2 << 20), 1 << 16).status).toBe(0);
      expectBlocks(1, 1400, sources([{ slba: 0, nlb: 4 }]));
      expectBlocks(1, 1500, sources([{ slba: 0, nlb: 4 }]));
    });

    it("9: NR above MSRC: Command Size Limit Exceeded, nothing written", () => {
      const rs = [0, 1, 2, 3, 4].map((i) => ({ slba: i, nlb: 1 }));
      expect(copy(1, 2000, rs)).toMatchObject({ status: SC.COMMAND_SIZE_LIMIT | DNR, dw0: 0 });
      expectBlocks(1, 2000, zeros(5));
    });

    it("10: the first range above MSSRL: Command Size Limit Exceeded, DW0 = 0", () => {
      expect(copy(1, 2100, [{ slba: 0, nlb: 17 }])).toMatchObject({ status: SC.COMMAND_SIZE_LIMIT | DNR, dw0: 0 });
      expectBlocks(1, 2100, zeros(17));
    });

    it("11: the second range above MSSRL: the first range is copied, DW0 = 1", () => {
      expect(copy(1, 2200, [{ slba: 0, nlb: 4 }, { slba: 100, nlb: 17 }])).toMatchObject({ status: SC.COMMAND_SIZE_LIMIT | DNR, dw0: 1 });
      expectBlocks(1, 2200, [...sources([{ slba: 0, nlb: 4 }]), ...zeros(17)]);
    });

    it("12: total above MCL: Command Size Limit Exceeded before any range (QEMU 10)", () => {
      expect(copy(1, 2300, [{ slba: 0, nlb: 16 }, { slba: 100, nlb: 16 }, { slba: 200, nlb: 16 }])).toMatchObject({ status: SC.COMMAND_SIZE_LIMIT | DNR, dw0: 0 });
      expectBlocks(1, 2300, zeros(48));
    });

    it("13, 14, 15: source out of range (first range, second range, SLBA 2^64-1)", () => {
      expect(copy(1, 2400, [{ slba: N - 2, nlb: 4 }])).toMatchObject({ status: SC.LBA_OUT_OF_RANGE | DNR, dw0: 0 });
      expectBlocks(1, 2400, zeros(4));
      expect(copy(1, 2500, [{ slba: 0, nlb: 4 }, { slba: N - 2, nlb: 4 }])).toMatchObject({ status: SC.LBA_OUT_OF_RANGE | DNR, dw0: 1 });
      expectBlocks(1, 2500, [...sources([{ slba: 0, nlb: 4 }]), ...zeros(4)]);
      expect(copy(1, 2600, [{ slba: 0xffffffffffffffffn, nlb: 2 }])).toMatchObject({ status: SC.LBA_OUT_OF_RANGE | DNR, dw0: 0 });
      expectBlocks(1, 2600, zeros(2));
    });

    it("16, 17, 18: destination out of range (first range, second range, SDLBA 2^64-1)", () => {
      expect(copy(1, N - 2, [{ slba: 0, nlb: 4 }])).toMatchObject({ status: SC.LBA_OUT_OF_RANGE | DNR, dw0: 0 });
      expectBlocks(1, N - 4, sources([{ slba: N - 4, nlb: 4 }])); // unchanged
      expect(copy(1, N - 6, [{ slba: 0, nlb: 4 }, { slba: 100, nlb: 4 }])).toMatchObject({ status: SC.LBA_OUT_OF_RANGE | DNR, dw0: 1 });
      expectBlocks(1, N - 6, [...sources([{ slba: 0, nlb: 4 }]), ...sources([{ slba: N - 2, nlb: 2 }])]);
      expect(copy(1, 0xffffffffffffffffn, [{ slba: 0, nlb: 2 }])).toMatchObject({ status: SC.LBA_OUT_OF_RANGE | DNR, dw0: 0 });
    });

    it("19: format 1h on a 16b-guard namespace: Invalid Namespace or Format (spec; QEMU 1/0Ah)", () => {
      expect(copy(1, 2710, [{ slba: 0, nlb: 4 }], 1)).toMatchObject({ status: SC.INVALID_NS_OR_FORMAT | DNR, dw0: 0 });
      expectBlocks(1, 2710, zeros(4));
    });

    it("20-23: formats 2h and 3h without CDFE, 4h and Fh: Invalid Field", () => {
      for (const fmt of [2, 3, 4, 15]) {
        expect(copy(1, 2720, [{ slba: 0, nlb: 4, snsid: 1 }], fmt), `format ${fmt}`).toMatchObject({ status: SC.INVALID_FIELD | DNR, dw0: 0 });
      }
      expectBlocks(1, 2720, zeros(4));
    });

    it("24, 25: inactive NSID: Invalid Field; NSID FFFFFFFFh: Invalid Namespace or Format", () => {
      expect(copy(6, 2900, [{ slba: 0, nlb: 1 }]).status).toBe(SC.INVALID_FIELD | DNR);
      expect(copy(0xffffffff, 2900, [{ slba: 0, nlb: 1 }]).status).toBe(SC.INVALID_NS_OR_FORMAT | DNR);
    });

    it("26-28: with CDFE = 0Ch, format 2h copies within a namespace and across namespaces", () => {
      expect(h.enableCdfe(0x0c).status).toBe(0);
      expect(copy(1, 3000, [{ snsid: 1, slba: 300, nlb: 8 }], 2).status).toBe(0);
      expectBlocks(1, 3000, sources([{ snsid: 1, slba: 300, nlb: 8 }]));
      expect(copy(1, 3100, [{ snsid: 2, slba: 0, nlb: 8 }], 2).status).toBe(0);
      expectBlocks(1, 3100, sources([{ snsid: 2, slba: 0, nlb: 8 }]));
    });

    it("29: format 2h, source NSID inactive: Invalid Field; invalid (0, above NN, FFFFFFFFh): Invalid Namespace or Format", () => {
      expect(h.enableCdfe(0x0c).status).toBe(0);
      expect(copy(1, 3200, [{ snsid: 9, slba: 0, nlb: 1 }], 2)).toMatchObject({ status: SC.INVALID_FIELD | DNR, dw0: 0 });
      for (const snsid of [0, 257, 0xffffffff]) {
        expect(copy(1, 3200, [{ snsid: 1, slba: 0, nlb: 1 }, { snsid, slba: 0, nlb: 1 }], 2), `snsid ${snsid}`).toMatchObject({ status: SC.INVALID_NS_OR_FORMAT | DNR, dw0: 1 });
      }
      expectBlocks(1, 3200, [orig(1, 0), ZERO]);
    });

    it("30: format 2h, same namespace, source overlapping the destination: Overlapping I/O Range", () => {
      expect(h.enableCdfe(0x0c).status).toBe(0);
      expect(copy(1, 404, [{ snsid: 1, slba: 400, nlb: 8 }], 2)).toMatchObject({ status: SC.OVERLAPPING_IO_RANGE | DNR, dw0: 0 });
      expectBlocks(1, 400, sources([{ slba: 400, nlb: 16 }]));
    });

    it("31: format 3h on a 16b-guard namespace: Invalid Namespace or Format (spec; QEMU 1/0Ah)", () => {
      expect(h.enableCdfe(0x0c).status).toBe(0);
      expect(copy(1, 3300, [{ snsid: 1, slba: 0, nlb: 4 }], 3)).toMatchObject({ status: SC.INVALID_NS_OR_FORMAT | DNR, dw0: 0 });
      expectBlocks(1, 3300, zeros(4));
    });
  });

  describe("order of checks (QEMU 10 nvme_copy / nvme_do_copy)", () => {
    it("format support before NR; NR before the format-1h/3h PI check", () => {
      const five = [0, 1, 2, 3, 4].map((i) => ({ slba: i, nlb: 1, snsid: 1 }));
      expect(copy(1, 5000, five, 2).status).toBe(SC.INVALID_FIELD | DNR); // CDFE not set
      expect(copy(1, 5000, five, 1).status).toBe(SC.COMMAND_SIZE_LIMIT | DNR);
    });

    it("MCL before the per-range checks", () => {
      const rs = [{ slba: N, nlb: 16 }, { slba: 0, nlb: 16 }, { slba: 0, nlb: 16 }];
      expect(copy(1, 5000, rs)).toMatchObject({ status: SC.COMMAND_SIZE_LIMIT | DNR, dw0: 0 });
    });

    it("per range: MSSRL before source bounds before destination bounds", () => {
      expect(copy(1, N, [{ slba: N, nlb: 17 }]).status).toBe(SC.COMMAND_SIZE_LIMIT | DNR);
      expect(copy(1, N, [{ slba: N, nlb: 16 }]).status).toBe(SC.LBA_OUT_OF_RANGE | DNR);
    });

    it("per range, format 2h: SNSID, then format compatibility / overlap, then MSSRL", () => {
      expect(h.enableCdfe(0x04).status).toBe(0);
      expect(copy(1, 5000, [{ snsid: 3, slba: 5000, nlb: 17 }], 2).status).toBe(SC.INCOMPATIBLE_NS_OR_FORMAT | DNR);
      expect(copy(1, 5000, [{ snsid: 1, slba: 5000, nlb: 17 }], 2).status).toBe(SC.OVERLAPPING_IO_RANGE | DNR);
    });

    it("the range list is read by DMA: outside host RAM it is a Data Transfer Error, DW0 = 0", () => {
      const s = copyCmd(1, 6000, 1);
      s[6] = h.ramSize; s[7] = 0;
      expect(h.ioCmd(s, { keepDptr: true })).toMatchObject({ status: SC.DATA_TRANSFER_ERROR, dw0: 0 });
    });

    it("the range list may come through an SGL", () => {
      const s = copyCmd(1, 6100, 2);
      const r = h.ioCmd(s, { out: copyRanges([{ slba: 0, nlb: 2 }, { slba: 100, nlb: 2 }]), sgl: true });
      expect(r.status).toBe(0);
      expectBlocks(1, 6100, sources([{ slba: 0, nlb: 2 }, { slba: 100, nlb: 2 }]));
    });
  });

  describe("cross-namespace copy (formats 2h)", () => {
    beforeEach(() => { expect(h.enableCdfe(0x0c).status).toBe(0); });

    it("incompatible formats (metadata or block size): Incompatible Namespace or Format, partial", () => {
      expect(copy(1, 7000, [{ snsid: 2, slba: 0, nlb: 2 }, { snsid: 3, slba: 0, nlb: 2 }], 2)).toMatchObject({ status: SC.INCOMPATIBLE_NS_OR_FORMAT | DNR, dw0: 1 });
      expectBlocks(1, 7000, [...sources([{ snsid: 2, slba: 0, nlb: 2 }]), ...zeros(2)]);
      expect(copy(1, 7100, [{ snsid: 5, slba: 0, nlb: 1 }], 2)).toMatchObject({ status: SC.INCOMPATIBLE_NS_OR_FORMAT | DNR, dw0: 0 });
      expect(copy(3, 0, [{ snsid: 1, slba: 0, nlb: 1 }], 2).status).toBe(SC.INCOMPATIBLE_NS_OR_FORMAT | DNR);
    });

    it("each range names its own source: a same-namespace range after a foreign one reads the destination namespace", () => {
      const rs = [{ snsid: 2, slba: 0, nlb: 4 }, { snsid: 1, slba: 100, nlb: 4 }, { snsid: 2, slba: 8, nlb: 4 }, { snsid: 4, slba: 20, nlb: 4 }];
      expect(copy(1, 7200, rs, 2).status).toBe(0);
      expectBlocks(1, 7200, sources(rs));
    });

    it("MSSRL is the destination namespace's (spec reading; QEMU takes the source's)", () => {
      // Into namespace 4 (MSSRL 32) 20 blocks from namespace 1 (MSSRL 16): accepted.
      expect(copy(4, 1000, [{ snsid: 1, slba: 0, nlb: 16 }, { snsid: 1, slba: 100, nlb: 4 }], 2).status).toBe(0);
      expect(copy(4, 1100, [{ snsid: 1, slba: 400, nlb: 20 }], 2).status).toBe(0);
      expectBlocks(4, 1100, sources([{ snsid: 1, slba: 400, nlb: 20 }]));
      // Into namespace 1 (MSSRL 16) 20 blocks from namespace 4 (MSSRL 32): refused.
      expect(copy(1, 7300, [{ snsid: 4, slba: 0, nlb: 20 }], 2)).toMatchObject({ status: SC.COMMAND_SIZE_LIMIT | DNR, dw0: 0 });
      // NR and MCL are the destination's too: 8 ranges into namespace 4 (MSRC 7), 64 blocks (MCL 64).
      const eight = Array.from({ length: 8 }, (_, i) => ({ snsid: 1, slba: 8 * i, nlb: 8 }));
      expect(copy(4, 2000, eight, 2).status).toBe(0);
      expect(copy(1, 7400, eight.slice(0, 5), 2).status).toBe(SC.COMMAND_SIZE_LIMIT | DNR);
    });

    it("source out of range is checked against the source namespace", () => {
      expect(copy(1, 7500, [{ snsid: 2, slba: 16380, nlb: 4 }], 2).status).toBe(0);
      expect(copy(1, 7500, [{ snsid: 2, slba: 16381, nlb: 4 }], 2)).toMatchObject({ status: SC.LBA_OUT_OF_RANGE | DNR, dw0: 0 });
    });

    it("FCO (Fast Copy Only) succeeds: every copy is fast (ONCS NVMAFC)", () => {
      const r = copyRanges([{ snsid: 2, slba: 0, nlb: 2 }]);
      r[23] = 0x80; // SOPT bit 15
      const s = copyCmd(1, 7600, 1, 2);
      expect(h.ioCmd(s, { out: r }).status).toBe(0);
      expectBlocks(1, 7600, sources([{ snsid: 2, slba: 0, nlb: 2 }]));
    });
  });

  describe("overlap (formats 2h/3h: any shared LBA; format 0h: allowed)", () => {
    beforeEach(() => { expect(h.enableCdfe(0x0c).status).toBe(0); });
    const cases: Array<[string, number, CopyRange[], number]> = [
      // [what, SDLBA, ranges, failing range]
      ["source equal to the destination", 400, [{ slba: 400, nlb: 8 }], 0],
      ["source inside the destination", 400, [{ slba: 402, nlb: 2 }, { slba: 0, nlb: 6 }], 0],
      ["source starting inside and ending after the destination", 400, [{ slba: 404, nlb: 8 }], 0],
      ["source starting before the destination", 404, [{ slba: 400, nlb: 5 }], 0],
      ["second range inside the part the first range wrote", 100, [{ slba: 0, nlb: 8 }, { slba: 102, nlb: 2 }], 1],
      ["second range inside a part not yet written", 100, [{ slba: 0, nlb: 4 }, { slba: 104, nlb: 2 }], 1],
      ["first range inside a part a later range writes", 100, [{ slba: 105, nlb: 1 }, { slba: 0, nlb: 5 }], 0],
      ["last LBA of the source is the first of the destination", 407, [{ slba: 400, nlb: 8 }], 0],
    ];
    for (const [what, sdlba, rs, bad] of cases) {
      it(`format 2h: ${what}: Overlapping I/O Range, DW0 = ${bad}`, () => {
        const ranges = rs.map((r) => ({ ...r, snsid: 1 }));
        const before = read(1, 0, 512);
        expect(copy(1, sdlba, ranges, 2)).toMatchObject({ status: SC.OVERLAPPING_IO_RANGE | DNR, dw0: bad });
        // Only the ranges before the failing one were written.
        const after = read(1, 0, 512);
        const want = before.slice();
        let d = sdlba;
        for (const r of ranges.slice(0, bad)) {
          const s = Number(r.slba);
          for (let i = 0; i < r.nlb; i++) want.set(before.slice((s + i) * 512, (s + i + 1) * 512), (d + i) * 512);
          d += r.nlb;
        }
        expect(eq(after, want)).toBe(true);
      });
    }

    it("format 2h: overlap is decided without wrapping around 2^64 (both checks in LBA space)", () => {
      const top = 0xffffffffffffffffn;
      // Source and destination share LBA 2^64 - 1: overlap is found before the bounds.
      expect(copy(1, top, [{ snsid: 1, slba: top, nlb: 1 }], 2)).toMatchObject({ status: SC.OVERLAPPING_IO_RANGE | DNR, dw0: 0 });
      expect(copy(1, top - 1n, [{ snsid: 1, slba: top - 1n, nlb: 1 }], 2)).toMatchObject({ status: SC.OVERLAPPING_IO_RANGE | DNR, dw0: 0 });
      expect(copy(1, top - 3n, [{ snsid: 1, slba: top, nlb: 2 }, { snsid: 1, slba: 0, nlb: 2 }], 2)).toMatchObject({ status: SC.OVERLAPPING_IO_RANGE | DNR, dw0: 0 });
      // Disjoint near the top: no overlap, so the bounds decide.
      expect(copy(1, top - 1n, [{ snsid: 1, slba: 0, nlb: 1 }], 2)).toMatchObject({ status: SC.LBA_OUT_OF_RANGE | DNR, dw0: 0 });
      expect(copy(1, 0, [{ snsid: 1, slba: top, nlb: 2 }], 2)).toMatchObject({ status: SC.LBA_OUT_OF_RANGE | DNR, dw0: 0 });
    });

    it("format 2h: adjacent, not overlapping: allowed", () => {
      expect(copy(1, 408, [{ snsid: 1, slba: 400, nlb: 8 }], 2).status).toBe(0);
      expect(copy(1, 392, [{ snsid: 1, slba: 400, nlb: 8 }], 2).status).toBe(0);
      expectBlocks(1, 392, [...sources([{ slba: 400, nlb: 8 }]), ...sources([{ slba: 400, nlb: 8 }]), ...sources([{ slba: 400, nlb: 8 }])]);
    });

    it("format 2h: a range in another namespace at the same LBAs is no overlap", () => {
      expect(copy(1, 0, [{ snsid: 2, slba: 0, nlb: 8 }], 2).status).toBe(0);
      expectBlocks(1, 0, sources([{ snsid: 2, slba: 0, nlb: 8 }]));
    });

    it("format 0h: destination before an overlapping source", () => {
      expect(copy(1, 400, [{ slba: 404, nlb: 8 }]).status).toBe(0);
      expectBlocks(1, 400, [...sources([{ slba: 404, nlb: 8 }]), ...sources([{ slba: 408, nlb: 8 }])]);
    });

    it("format 0h: ranges are copied in order; a later range reads what an earlier one wrote", () => {
      // Range 0 writes 100-103 from 0-3; range 1 reads 102-105, two of them just written.
      expect(copy(1, 100, [{ slba: 0, nlb: 4 }, { slba: 102, nlb: 4 }]).status).toBe(0);
      expectBlocks(1, 100, [orig(1, 0), orig(1, 1), orig(1, 2), orig(1, 3), orig(1, 2), orig(1, 3), orig(1, 104), orig(1, 105)]);
    });

    it("format 0h: overlap across chunk boundaries in both directions (memmove within a range)", () => {
      // Chunks hold 32 blocks of 512 bytes: these ranges straddle the boundary at 32.
      expect(h.ioCmd(rw(OP.WRITE, 1, 0, 80), { out: pattern(80 * 512, 61) }).status).toBe(0);
      const base = read(1, 0, 80);
      expect(copy(1, 23, [{ slba: 20, nlb: 16 }]).status).toBe(0); // destination after the source
      const want = base.slice();
      want.set(base.slice(20 * 512, 36 * 512), 23 * 512);
      const mid = read(1, 0, 80);
      expect(eq(mid, want)).toBe(true);
      expect(copy(1, 27, [{ slba: 30, nlb: 16 }]).status).toBe(0); // destination before the source
      want.set(mid.slice(30 * 512, 46 * 512), 27 * 512);
      expect(eq(read(1, 0, 80), want)).toBe(true);
    });
  });

  describe("media effects", () => {
    it("copying never-written blocks writes zeroes; the destination counts in NUSE", () => {
      expect(h.ioCmd(rw(OP.WRITE, 2, 1000, 4), { out: pattern(2048, 9) }).status).toBe(0);
      const before = u64(h.identify(0, 2).data!, 16);
      expect(copy(2, 1000, [{ slba: 5000, nlb: 4 }]).status).toBe(0);
      expectBlocks(2, 1000, zeros(4));
      expect(copy(2, 2000, [{ slba: 5000, nlb: 3 }]).status).toBe(0);
      expect(u64(h.identify(0, 2).data!, 16)).toBe(before + 3n);
    });

    it("metadata is copied with the data (extended LBA namespace)", () => {
      const d = pattern(4 * 520, 77);
      expect(h.ioCmd(rw(OP.WRITE, 3, 10, 4), { out: d }).status).toBe(0);
      expect(copy(3, 500, [{ slba: 12, nlb: 2 }, { slba: 10, nlb: 2 }]).status).toBe(0);
      const r = h.ioCmd(rw(OP.READ, 3, 500, 4), { inLen: 4 * 520 });
      expect(eq(r.data!, new Uint8Array([...d.slice(1040), ...d.slice(0, 1040)]))).toBe(true);
    });

    it("128 ranges (the default MSRC 127) and the default MCL 128", async () => {
      const g = await Host.create();
      try {
        expect(g.ioCmd(rw(OP.WRITE, 1, 0, 128), { out: pattern(128 * 512, 5) }).status).toBe(0);
        const rs = Array.from({ length: 128 }, (_, i) => ({ slba: 127 - i, nlb: 1 }));
        expect(g.ioCmd(copyCmd(1, 1000, 128), { out: copyRanges(rs) }).status).toBe(0);
        const got = g.ioCmd(rw(OP.READ, 1, 1000, 128), { inLen: 128 * 512 }).data!;
        const src = pattern(128 * 512, 5);
        for (let i = 0; i < 128; i++) expect(eq(got.slice(i * 512, i * 512 + 512), src.slice((127 - i) * 512, (128 - i) * 512))).toBe(true);
        expect(g.ioCmd(copyCmd(1, 1000, 129), { out: copyRanges([...rs, { slba: 0, nlb: 1 }]) }).status).toBe(SC.COMMAND_SIZE_LIMIT | DNR);
      } finally { await g.close(); }
    });

    it("an LBA Out of Range copy records the LBA in the Error Information log", () => {
      expect(copy(1, 100, [{ slba: 0, nlb: 1 }, { slba: N, nlb: 1 }]).status).toBe(SC.LBA_OUT_OF_RANGE | DNR);
      const log = h.getLog(0x01, 64).data!;
      expect(u64(log, 16)).toBe(BigInt(N));
    });
  });
});

// Protection information through Copy (NVM CS 1.1 §3.3.2 with §5.2): PRINFOR checks the source
// tuples with each entry's EILBRT/ELBAT/ELBATM, PRINFOW checks the copied tuples with ILBRT
// (counting on across ranges)/LBAT/LBATM or, with PRACT, generates new ones; formats 2h/3h pair
// PI and non-PI namespaces only when PRACT strips or inserts a tuple that is all the metadata.
describe("Copy with protection information", () => {
  let h: Host;
  const PRACT = 8, APP = 2, REF = 1;
  const prr = (p: number) => p << 12; // PRINFOR, CDW12 15:12
  const prw = (p: number) => (p << 26) >>> 0; // PRINFOW, CDW12 29:26
  /** Format 0h entries with tags. */
  const ranges = (list: Array<{ slba: number; nlb: number; snsid?: number; eilbrt?: number; elbat?: number; elbatm?: number }>) => {
    const b = copyRanges(list);
    const dv = new DataView(b.buffer);
    list.forEach((r, i) => {
      dv.setUint32(32 * i + 24, r.eilbrt ?? 0, true);
      dv.setUint16(32 * i + 28, r.elbat ?? 0, true);
      dv.setUint16(32 * i + 30, r.elbatm ?? 0, true);
    });
    return b;
  };
  /** CDW14 (ILBRT) and CDW15 (LBAT, LBATM) of a Copy SQE. */
  const tagged = (q: Uint32Array, t: { cdw14?: number; cdw15?: number }) => { q[14] = t.cdw14 ?? 0; q[15] = t.cdw15 ?? 0; return q; };
  const tupleAt = (nsid: number, lba: number) => {
    const r = h.ioCmd(rw(OP.READ, nsid, lba, 1), { inLen: 520 });
    const v = new DataView(r.data!.buffer, r.data!.byteOffset + 512, 8);
    return { guard: v.getUint16(0), app: v.getUint16(2), ref: v.getUint32(4) };
  };

  beforeEach(async () => {
    h = await Host.create({
      config: {
        namespaces: [
          ns(1, 1024, { ms: 8, extended: true, pi: 1 }),
          ns(2, 1024, { ms: 8, extended: true, pi: 2 }),
          ns(3, 1024), // no metadata
          ns(4, 1024, { ms: 8, extended: true }), // metadata, no PI
        ],
      },
    });
    expect(h.enableCdfe().status).toBe(0);
    // LBAs 0-3 of ns 1: tuples generated with application tag 0x1234, reference tags 0-3.
    expect(h.ioCmd(rw(OP.WRITE, 1, 0, 4, (8 << 26) >>> 0, { cdw14: 0, cdw15: 0x1234 }), { out: pattern(2048, 1) }).status).toBe(0);
    expect(h.write512(3, 0, 4, pattern(2048, 3)).status).toBe(0);
  });
  afterEach(async () => { await h.close(); });

  it("PRINFOR checks the source with the entry's tags; the tuples are copied as they are", () => {
    const ok = h.ioCmd(copyCmd(1, 100, 1, 0, prr(APP | REF)), { out: ranges([{ slba: 0, nlb: 4, eilbrt: 0, elbat: 0x1234, elbatm: 0xffff }]) });
    expect(ok.status).toBe(0);
    expect(tupleAt(1, 102)).toMatchObject({ app: 0x1234, ref: 2 });
    const bad = h.ioCmd(copyCmd(1, 200, 2, 0, prr(APP)), { out: ranges([{ slba: 0, nlb: 1, elbat: 0x1234, elbatm: 0xffff }, { slba: 1, nlb: 1, elbat: 0x1235, elbatm: 0xffff }]) });
    expect(bad.status).toBe(SC.APPTAG_CHECK);
    expect(bad.dw0).toBe(1); // the first range was copied
    expect(h.ioCmd(copyCmd(1, 200, 1, 0, prr(REF)), { out: ranges([{ slba: 1, nlb: 1, eilbrt: 0 }]) }).status).toBe(SC.INVALID_PROTECTION_INFO | DNR);
  });

  it("PRINFOW: with PRACT new tuples from ILBRT, LBAT, counting across ranges; without, the copied tuples checked against ILBRT", () => {
    const g = h.ioCmd(tagged(copyCmd(1, 300, 2, 0, prr(PRACT) | prw(PRACT)), { cdw14: 300, cdw15: 0x4321 }), { out: ranges([{ slba: 0, nlb: 2 }, { slba: 2, nlb: 2 }]) });
    expect(g.status).toBe(0);
    expect(tupleAt(1, 303)).toMatchObject({ app: 0x4321, ref: 303 });
    expect(tupleAt(1, 303).guard).toBe(tupleAt(1, 3).guard);
    expect(h.ioCmd(tagged(copyCmd(1, 310, 1, 0, prw(REF)), { cdw14: 310 }), { out: ranges([{ slba: 0, nlb: 2 }]) }).status).toBe(SC.REFTAG_CHECK);
    expect(h.ioCmd(tagged(copyCmd(1, 310, 1, 0, prw(REF)), { cdw14: 0 }), { out: ranges([{ slba: 0, nlb: 2 }]) }).status).toBe(SC.INVALID_PROTECTION_INFO | DNR);
    expect(h.ioCmd(copyCmd(1, 310, 1, 0, prr(PRACT)), { out: ranges([{ slba: 0, nlb: 1 }]) }).status).toBe(SC.INVALID_FIELD | DNR);
  });

  it("formats 2h: PI and non-PI namespaces pair only through PRACT on the PI side and no metadata on the other", () => {
    const from3 = ranges([{ snsid: 3, slba: 0, nlb: 2 }]);
    expect(h.ioCmd(copyCmd(1, 400, 1, 2, 0), { out: from3 }).status).toBe(SC.INCOMPATIBLE_NS_OR_FORMAT | DNR);
    expect(h.ioCmd(tagged(copyCmd(1, 400, 1, 2, prw(PRACT)), { cdw14: 400 }), { out: from3 }).status).toBe(0);
    const r = h.ioCmd(rw(OP.READ, 1, 400, 2, (5 << 26) >>> 0, { cdw14: 400 }), { inLen: 1040 }); // guard and ref checked
    expect(r.status).toBe(0);
    expect(r.data!.subarray(0, 512)).toEqual(pattern(2048, 3).subarray(0, 512));
    const from1 = ranges([{ snsid: 1, slba: 0, nlb: 2 }]);
    expect(h.ioCmd(copyCmd(3, 40, 1, 2, 0), { out: from1 }).status).toBe(SC.INCOMPATIBLE_NS_OR_FORMAT | DNR);
    expect(h.ioCmd(copyCmd(3, 40, 1, 2, prr(PRACT)), { out: from1 }).status).toBe(0);
    expect(h.readBlocks(3, 40, 1, 512).data).toEqual(pattern(2048, 1).subarray(0, 512));
    expect(h.ioCmd(copyCmd(4, 40, 1, 2, prr(PRACT)), { out: from1 }).status).toBe(SC.INCOMPATIBLE_NS_OR_FORMAT | DNR); // 512+8 without PI
    expect(h.ioCmd(copyCmd(2, 40, 1, 2, prr(PRACT) | prw(PRACT)), { out: from1 }).status).toBe(SC.INCOMPATIBLE_NS_OR_FORMAT | DNR); // type 1 -> type 2
  });
});
