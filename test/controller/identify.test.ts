// Identify (Base 2.1 §5.1.13): every CNS the controller supports with its field values at
// their spec offsets (Identify Controller Figure 312, Identify Namespace NVM CS Figure 97,
// Active Namespace ID list, Namespace Identification Descriptors Figure 315, the NVM
// command set specific pages), and the NSID/CNS/CSI errors in QEMU's statuses.

import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { Host, ns, u16, u32, u64, ascii, pattern, rw, OP, DNR, SC } from "../host";

describe("Identify", () => {
  let h: Host;
  beforeAll(async () => {
    h = await Host.create({
      config: {
        namespaces: [
          ns(7, 4096, { lbaBytes: 4096, ms: 8, extended: true, eui64: "0011223344556677", nguid: "00112233445566778899aabbccddeeff", uuid: "01234567-89ab-cdef-0123-456789abcdef", nmic: 1 }),
          ns(1, 131072),
          ns(3, 1000, { ms: 16, mssrl: 16, mcl: 40, msrc: 3, uuid: "fedcba98-7654-3210-fedc-ba9876543210" }),
        ],
      },
    });
  });
  afterAll(async () => { await h.close(); });

  it("CNS 01h Identify Controller: the configured identity and capabilities", () => {
    const r = h.identify(0x01);
    expect(r.status).toBe(0);
    const b = r.data!;
    expect(u16(b, 0)).toBe(0x1b36); // VID
    expect(u16(b, 2)).toBe(0x1af4); // SSVID
    expect(ascii(b, 4, 20)).toBe("NVMELAB0001".padEnd(20, " ")); // SN, space padded
    expect(ascii(b, 24, 40)).toBe("nvmelab NVMe Ctrl".padEnd(40, " "));
    expect(ascii(b, 64, 8)).toBe("0.1.0".padEnd(8, " "));
    expect(b[72]).toBe(6); // RAB
    expect(b[77]).toBe(7); // MDTS: 2^7 x 4 KiB
    expect(u16(b, 78)).toBe(0); // CNTLID
    expect(u32(b, 80)).toBe(0x00020100); // VER
    expect(b[111]).toBe(1); // CNTRLTYPE: I/O controller
    expect(u16(b, 256)).toBe(0x2); // OACS: Format NVM only
    expect(b[258]).toBe(3); // ACL
    expect(b[259]).toBe(3); // AERL
    expect(b[262]).toBe(63); // ELPE: 64 error log entries
    expect(b[512]).toBe(0x66); // SQES
    expect(b[513]).toBe(0x44); // CQES
    expect(u32(b, 516)).toBe(256); // NN
    // ONCS: Compare, DSM, Write Zeroes, Save/Select, Verify, Copy, NVMCSA, NVMAFC.
    expect(u16(b, 520)).toBe(0x0001 | 0x0004 | 0x0008 | 0x0010 | 0x0080 | 0x0100 | 0x0200 | 0x0400);
    expect(u16(b, 522)).toBe(0); // FUSES: no fused operations
    expect(b[525]).toBe(0x07); // VWC present, flush broadcast supported
    expect(u16(b, 534)).toBe(0x000f); // OCFS: Copy formats 0h-3h
    expect(u32(b, 536)).toBe(0x00080001); // SGLS: supported without alignment, MPTR as SGL
    const nqn = "nqn.2026-11.dev.nvmelab:NVMELAB0001";
    expect(ascii(b, 768, nqn.length)).toBe(nqn); // SUBNQN, NUL terminated
    expect(b[768 + nqn.length]).toBe(0);
  });

  it("CNS 00h Identify Namespace: size, format, copy limits, identifiers", () => {
    const b = h.identify(0x00, 3).data!;
    expect(u64(b, 0)).toBe(1000n); // NSZE
    expect(u64(b, 8)).toBe(1000n); // NCAP
    expect(u64(b, 16)).toBe(0n); // NUSE: nothing written
    expect(b[24] & 1).toBe(1); // NSFEAT: thin provisioning (NUSE meaningful)
    expect(b[25]).toBe(7); // NLBAF: 8 formats, 0's based
    expect(b[26]).toBe(2); // FLBAS: format 2 (512 + 16), metadata separate
    expect(b[27]).toBe(0x03); // MC: extended and separate metadata supported
    expect(b[33]).toBe(0x09); // DLFEAT: deallocated reads zeroes, Write Zeroes DEAC supported
    expect(u64(b, 48)).toBe(1000n * 512n); // NVMCAP
    expect(u64(b, 56)).toBe(0n);
    expect(u16(b, 74)).toBe(16); // MSSRL
    expect(u32(b, 76)).toBe(40); // MCL
    expect(b[80]).toBe(3); // MSRC, 0's based
    // LBA formats: ms (u16), lbads, rp; QEMU's eight.
    const fmts = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => [u16(b, 128 + 4 * i), b[130 + 4 * i], b[131 + 4 * i]]);
    expect(fmts).toEqual([[0, 9, 0], [8, 9, 0], [16, 9, 0], [64, 9, 0], [0, 12, 0], [8, 12, 0], [16, 12, 0], [64, 12, 0]]);
    expect(u32(b, 128 + 4 * 8)).toBe(0); // no ninth format
  });

  it("CNS 00h: extended-LBA format, NMIC, EUI64 and NGUID", () => {
    const b = h.identify(0x00, 7).data!;
    expect(u64(b, 0)).toBe(4096n);
    expect(b[26]).toBe(0x10 | 5); // FLBAS: format 5 (4096 + 8), bit 4 extended
    expect(b[30]).toBe(1); // NMIC
    expect(u64(b, 48)).toBe(4096n * 4096n);
    expect(Buffer.from(b.slice(104, 120)).toString("hex")).toBe("00112233445566778899aabbccddeeff");
    expect(Buffer.from(b.slice(120, 128)).toString("hex")).toBe("0011223344556677");
    // Namespace 1 defaults: MSSRL 128, MCL 128, MSRC 127 (QEMU's), no identifiers.
    const d = h.identify(0x00, 1).data!;
    expect([u16(d, 74), u32(d, 76), d[80], d[26]]).toEqual([128, 128, 127, 0]);
    expect(d.slice(104, 128).every((x) => x === 0)).toBe(true);
  });

  it("CNS 00h: NUSE counts written blocks", () => {
    expect(h.ioCmd(rw(OP.WRITE, 1, 1000, 5), { out: pattern(2560, 1) }).status).toBe(0);
    expect(u64(h.identify(0x00, 1).data!, 16)).toBe(5n);
  });

  it("CNS 00h: NSID errors; an inactive NSID returns zeroes (QEMU; no namespace management)", () => {
    expect(h.identify(0x00, 0).status).toBe(SC.INVALID_NS_OR_FORMAT | DNR);
    expect(h.identify(0x00, 257).status).toBe(SC.INVALID_NS_OR_FORMAT | DNR); // > NN
    expect(h.identify(0x00, 0xffffffff).status).toBe(SC.INVALID_NS_OR_FORMAT | DNR);
    const r = h.identify(0x00, 2);
    expect(r.status).toBe(0);
    expect(r.data!.every((x) => x === 0)).toBe(true);
  });

  it("CNS 02h Active Namespace ID list: NSIDs above CDW1.NSID, ascending", () => {
    const list = (nsid: number) => {
      const r = h.identify(0x02, nsid);
      expect(r.status).toBe(0);
      const out: number[] = [];
      for (let i = 0; i < 1024 && u32(r.data!, 4 * i) !== 0; i++) out.push(u32(r.data!, 4 * i));
      expect(r.data!.slice(4 * out.length).every((x) => x === 0)).toBe(true);
      return out;
    };
    expect(list(0)).toEqual([1, 3, 7]);
    expect(list(1)).toEqual([3, 7]);
    expect(list(4)).toEqual([7]);
    expect(list(7)).toEqual([]);
    expect(list(0xfffffffd)).toEqual([]);
    expect(h.identify(0x02, 0xfffffffe).status).toBe(SC.INVALID_NS_OR_FORMAT | DNR);
    expect(h.identify(0x02, 0xffffffff).status).toBe(SC.INVALID_NS_OR_FORMAT | DNR);
  });

  it("CNS 03h Namespace Identification Descriptors: the identifiers set, then the CSI", () => {
    const b = h.identify(0x03, 7).data!;
    // NIDT, NIDL, 2 reserved, NID
    expect([b[0], b[1], b[2], b[3]]).toEqual([1, 8, 0, 0]);
    expect(Buffer.from(b.slice(4, 12)).toString("hex")).toBe("0011223344556677");
    expect([b[12], b[13]]).toEqual([2, 16]);
    expect(Buffer.from(b.slice(16, 32)).toString("hex")).toBe("00112233445566778899aabbccddeeff");
    expect([b[32], b[33]]).toEqual([3, 16]);
    expect(Buffer.from(b.slice(36, 52)).toString("hex")).toBe("0123456789abcdef0123456789abcdef");
    expect([b[52], b[53], b[56]]).toEqual([4, 1, 0]); // CSI: NVM
    expect(b.slice(57).every((x) => x === 0)).toBe(true);
    // Namespace 3 has only a UUID; namespace 1 only the CSI descriptor.
    const c = h.identify(0x03, 3).data!;
    expect([c[0], c[1], c[20], c[21], c[24]]).toEqual([3, 16, 4, 1, 0]);
    const d = h.identify(0x03, 1).data!;
    expect([d[0], d[1], d[4]]).toEqual([4, 1, 0]);
    expect(d.slice(5).every((x) => x === 0)).toBe(true);
  });

  it("CNS 03h: an inactive NSID is Invalid Field; an invalid NSID Invalid Namespace (QEMU)", () => {
    expect(h.identify(0x03, 2).status).toBe(SC.INVALID_FIELD | DNR);
    expect(h.identify(0x03, 0).status).toBe(SC.INVALID_NS_OR_FORMAT | DNR);
    expect(h.identify(0x03, 0xffffffff).status).toBe(SC.INVALID_NS_OR_FORMAT | DNR);
  });

  it("CNS 05h / 06h for the NVM command set (CSI 00h); other CSIs are Invalid Field", () => {
    const n = h.identify(0x05, 1, 0 << 24);
    expect(n.status).toBe(0);
    expect(n.data!.every((x) => x === 0)).toBe(true); // no PI formats, no storage tags: ELBAF all 16b guard
    expect(h.identify(0x05, 1, 2 << 24).status).toBe(SC.INVALID_FIELD | DNR); // ZNS
    const c = h.identify(0x06, 0, 0);
    expect(c.status).toBe(0);
    // No limits by default: VSL, WZSL, WUSL 0 (none reported), DMRL, DMRSL, DMSL all 0
    // (NVM CS §3.2.3.1: Dataset Management without processing limits); the rest reserved.
    expect(c.data!.every((x) => x === 0)).toBe(true);
    expect(h.identify(0x06, 0, 1 << 24).status).toBe(SC.INVALID_FIELD | DNR);
    expect(h.identify(0x06, 0, 2 << 24).status).toBe(SC.INVALID_FIELD | DNR);
  });

  it("CNS 05h: the NSID is checked first (QEMU), then the CSI, then an inactive NSID gets zeroes", () => {
    // Invalid NSIDs are Invalid Namespace or Format whatever the CSI, as nvme_identify_ns_csi.
    for (const csi of [0, 1, 2]) {
      expect(h.identify(0x05, 0, csi << 24).status, `NSID 0, CSI ${csi}`).toBe(SC.INVALID_NS_OR_FORMAT | DNR);
      expect(h.identify(0x05, 0xffffffff, csi << 24).status).toBe(SC.INVALID_NS_OR_FORMAT | DNR);
      expect(h.identify(0x05, 257, csi << 24).status).toBe(SC.INVALID_NS_OR_FORMAT | DNR);
    }
    const z = h.identify(0x05, 2, 0);
    expect(z.status).toBe(0);
    expect(z.data!.every((x) => x === 0)).toBe(true);
    // An I/O Command Set the controller does not support is Invalid Field even for an inactive
    // NSID (QEMU returns zeroes there).
    expect(h.identify(0x05, 2, 1 << 24).status).toBe(SC.INVALID_FIELD | DNR);
    expect(h.identify(0x05, 2, 2 << 24).status).toBe(SC.INVALID_FIELD | DNR);
  });

  it("CNS 05h / 06h with a bad CSI: the parameter error location is CDW11 bits 31:24", () => {
    const loc = () => u16(h.driver.getLogPage(0x01, 64).data!, 14);
    expect(h.identify(0x06, 0, 3 << 24).status).toBe(SC.INVALID_FIELD | DNR);
    expect(loc()).toBe(44 + 3); // byte 47, bit 0
    expect(h.identify(0x05, 1, 2 << 24).status).toBe(SC.INVALID_FIELD | DNR);
    expect(loc()).toBe(44 + 3);
  });

  it("unsupported CNS values are Invalid Field", () => {
    for (const cns of [0x04, 0x07, 0x08, 0x10, 0x11, 0x12, 0x13, 0x1f, 0xff]) {
      expect(h.identify(cns, 1).status, `CNS ${cns}`).toBe(SC.INVALID_FIELD | DNR);
    }
  });

  it("the data pointer is checked: PRP1 outside host RAM is a Data Transfer Error", () => {
    expect(h.adminCmd(new Uint32Array([0x06, 0, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0]), { keepDptr: true }).status).toBe(SC.DATA_TRANSFER_ERROR);
  });
});

describe("Identify without Copy in ONCS", () => {
  it("MSSRL, MCL and MSRC are zero", async () => {
    const h = await Host.create({ config: { oncs: 0x0d } });
    try {
      const b = h.identify(0x00, 1).data!;
      expect([u16(b, 74), u32(b, 76), b[80]]).toEqual([0, 0, 0]);
      expect(u16(h.identify(0x01).data!, 520)).toBe(0x0d);
    } finally { await h.close(); }
  });
});

describe("Identify CNS 05h / 06h with configured limits and PI formats", () => {
  it("CNS 06h reports VSL, WZSL and the Dataset Management limits; unset DSM limits at their maximum", async () => {
    const h = await Host.create({ config: { vsl: 3, wzsl: 5, dmrsl: 4096 } });
    try {
      const b = h.identify(0x06, 0, 0).data!;
      expect(b[0]).toBe(3); // VSL
      expect(b[1]).toBe(5); // WZSL
      expect(b[2]).toBe(0); // WUSL: no Write Uncorrectable
      expect(b[3]).toBe(255); // DMRL: unset, so its maximum (255 of the 256 ranges)
      expect(u32(b, 4)).toBe(4096); // DMRSL
      expect(u64(b, 8)).toBe(0xffffffffffffffffn); // DMSL: unset, all bits set
      expect(b.slice(16).every((x) => x === 0)).toBe(true);
    } finally { await h.close(); }
  });

  it("CNS 05h: the ELBAF of the format in use carries the namespace's PI format; the others 16b guard", async () => {
    const h = await Host.create({ config: { namespaces: [ns(1, 4096, { pif: 2, ms: 16 })] } });
    try {
      const b = h.identify(0x05, 1, 0).data!;
      const flbas = h.identify(0x00, 1).data![26] & 0xf;
      expect(flbas).toBe(2); // 512 + 16
      expect(u32(b, 12 + 4 * flbas)).toBe(2 << 7); // PIF 10b: 64b guard; STS 0, QPIF 0
      for (let i = 0; i < 64; i++) if (i !== flbas) expect(u32(b, 12 + 4 * i), `ELBAF${i}`).toBe(0);
      expect(b.slice(0, 12).every((x) => x === 0)).toBe(true); // LBSTM, PIC, PIFA
      expect(b.slice(12 + 4 * 64).every((x) => x === 0)).toBe(true); // NPDGL ... TLBAAG: none reported
    } finally { await h.close(); }
  });

  it("CNS 00h: MC reports both metadata modes when a listed LBA format has metadata, also while formatted without", async () => {
    const h = await Host.create({ config: { namespaces: [ns(1, 4096), ns(2, 4096, { formats: [{ ms: 0, lbads: 9, rp: 0 }, { ms: 0, lbads: 12, rp: 0 }] })] } });
    try {
      expect(h.identify(0x00, 1).data![27]).toBe(0x03); // format 0 (no metadata) in use; formats 1-3, 5-7 have some
      expect(h.identify(0x00, 2).data![27]).toBe(0x00); // no format with metadata
    } finally { await h.close(); }
  });
});
