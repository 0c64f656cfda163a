// Get Features / Set Features (Base 2.1 §5.1.12, §5.1.25, feature table Figure 385): every
// FID the controller supports, SEL 000b current / 001b default / 010b saved / 011b supported
// capabilities, SV (no feature is saveable), the NSID rules for namespace-specific and
// controller-wide features, in QEMU's order of checks (nvme_get_feature, nvme_set_feature).

import { describe, it, expect, beforeEach, afterEach } from "vitest";
import { Host, sqe, OP, REG, CC_ENABLE, DNR, SC, ns } from "../host";

const ARB = 0x01, PM = 0x02, TEMP = 0x04, ERR_REC = 0x05, VWC = 0x06, NUMQ = 0x07, IRQC = 0x08, IVC = 0x09, WAN = 0x0a, AEC = 0x0b, HBS = 0x16;
const CHANGEABLE = 0x4, NS_SPECIFIC = 0x2;

describe("features", () => {
  let h: Host;
  beforeEach(async () => { h = await Host.create(); });
  afterEach(async () => { await h.close(); });

  const get = (fid: number, sel = 0, cdw11 = 0, nsid = 0) => h.getFeature(fid, { sel, cdw11, nsid });
  const set = (fid: number, cdw11: number, nsid = 0) => h.setFeature(fid, cdw11, { nsid });

  it("unsupported FIDs: Invalid Field in Command for Get and Set", () => {
    for (const fid of [0x00, 0x03, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x17, 0x7f, 0x80, 0xc0, 0xff]) {
      expect(get(fid).status, `get ${fid}`).toBe(SC.INVALID_FIELD | DNR);
      expect(get(fid, 3).status, `get caps ${fid}`).toBe(SC.INVALID_FIELD | DNR);
      expect(set(fid, 0).status, `set ${fid}`).toBe(SC.INVALID_FIELD | DNR);
    }
  });

  it("SV = 1: Feature Identifier Not Saveable, checked before the FID (QEMU)", () => {
    for (const fid of [ARB, PM, TEMP, VWC, NUMQ, IRQC, IVC, WAN, AEC, HBS, 0x00, 0xff]) {
      expect(h.setFeature(fid, 0, { sv: true }).status, `fid ${fid}`).toBe(SC.FEATURE_NOT_SAVEABLE | DNR);
    }
  });

  it("SEL 011b reports capabilities: changeable, Error Recovery namespace specific, none saveable", () => {
    for (const fid of [ARB, PM, TEMP, VWC, NUMQ, IRQC, IVC, WAN, AEC, HBS]) {
      const r = get(fid, 3);
      expect([r.status, r.dw0], `fid ${fid}`).toEqual([0, CHANGEABLE]);
    }
    expect(get(ERR_REC, 3, 0, 1).dw0).toBe(CHANGEABLE | NS_SPECIFIC);
  });

  it("SEL 100b-111b are reserved: Invalid Field", () => {
    for (const sel of [4, 5, 6, 7]) expect(get(ARB, sel).status).toBe(SC.INVALID_FIELD | DNR);
  });

  // [fid, cdw11 for Get, default DW0, value to set, DW0 read back]
  const values: Array<[string, number, number, number, number, number]> = [
    ["Arbitration (AB 111b: no limit)", ARB, 0, 0x7, 0x03020101, 0x03020101],
    ["Power Management (PS 0, WH)", PM, 0, 0, 0xa0, 0xa0],
    ["Temperature Threshold, over (WCTEMP 343 K)", TEMP, 0, 343, 350, 350],
    ["Temperature Threshold, under", TEMP, 1 << 20, 0, (1 << 20) | 250, 250],
    ["Volatile Write Cache (enabled)", VWC, 0, 1, 0, 0],
    ["Interrupt Coalescing", IRQC, 0, 0, 0x0a05, 0x0a05],
    ["Interrupt Vector Configuration, vector 3", IVC, 3, 3, 0x10003, 0x10003],
    ["Write Atomicity Normal", WAN, 0, 0, 1, 1],
    ["Asynchronous Event Configuration", AEC, 0, 0, 0x1ff, 0x1ff],
  ];
  for (const [name, fid, getArg, dflt, value, back] of values) {
    it(`${name}: default, set, current, saved = default`, () => {
      expect([get(fid, 0, getArg).status, get(fid, 0, getArg).dw0]).toEqual([0, dflt]);
      expect(set(fid, value).status).toBe(0);
      expect(get(fid, 0, getArg).dw0).toBe(back);
      expect(get(fid, 1, getArg).dw0).toBe(dflt);
      expect(get(fid, 2, getArg).dw0).toBe(dflt);
    });
  }

  it("features return to their defaults after a Controller Level Reset (Figure 385: not persistent)", () => {
    expect(set(ARB, 0x1).status).toBe(0);
    expect(set(IRQC, 0x0101).status).toBe(0);
    h.driver.recover();
    expect(get(ARB).dw0).toBe(0x7);
    expect(get(IRQC).dw0).toBe(0);
  });

  it("Power Management: a power state other than 0 is Invalid Field (NPSS = 0)", () => {
    expect(set(PM, 1).status).toBe(SC.INVALID_FIELD | DNR);
    expect(set(PM, 0x1f).status).toBe(SC.INVALID_FIELD | DNR);
    expect(get(PM).dw0).toBe(0);
  });

  it("Temperature Threshold: THSEL 10b/11b Invalid Field; other sensors read 0 and ignore sets (QEMU)", () => {
    expect(set(TEMP, (2 << 20) | 300).status).toBe(SC.INVALID_FIELD | DNR);
    expect(get(TEMP, 0, 3 << 20).status).toBe(SC.INVALID_FIELD | DNR);
    expect(set(TEMP, (1 << 16) | 300).status).toBe(0); // TMPSEL 1: sensor 1 does not exist
    expect(get(TEMP, 0, 1 << 16).dw0).toBe(0);
    expect(get(TEMP).dw0).toBe(343);
  });

  it("Error Recovery is namespace specific: NSID rules for Get and Set", () => {
    expect(get(ERR_REC, 0, 0, 0).status).toBe(SC.INVALID_NS_OR_FORMAT | DNR);
    expect(get(ERR_REC, 0, 0, 0xffffffff).status).toBe(SC.INVALID_NS_OR_FORMAT | DNR);
    expect(get(ERR_REC, 0, 0, 257).status).toBe(SC.INVALID_NS_OR_FORMAT | DNR);
    expect(get(ERR_REC, 0, 0, 2).status).toBe(SC.INVALID_FIELD | DNR); // valid but inactive
    expect(get(ERR_REC, 3, 0, 2).status).toBe(SC.INVALID_FIELD | DNR); // NSID checked before SEL
    expect(set(ERR_REC, 5, 0).status).toBe(SC.INVALID_NS_OR_FORMAT | DNR);
    expect(set(ERR_REC, 5, 2).status).toBe(SC.INVALID_FIELD | DNR);
    expect(set(ERR_REC, 0x1234, 0xffffffff).status).toBe(0); // every namespace
    expect(get(ERR_REC, 0, 0, 1).dw0).toBe(0x1234);
    expect(set(ERR_REC, 7, 1).status).toBe(0);
    expect(get(ERR_REC, 0, 0, 1).dw0).toBe(7);
    // DULBE cannot be enabled: deallocated blocks read as zeroes without error.
    expect(set(ERR_REC, 0x10000, 1).status).toBe(SC.INVALID_FIELD | DNR);
  });

  it("Error Recovery is kept per namespace; NSID FFFFFFFFh sets every namespace; reset clears all (Figure 385, QEMU ns->features.err_rec)", async () => {
    const g = await Host.create({ config: { namespaces: [ns(1, 1024), ns(2, 1024)] } });
    try {
      const gget = (nsid: number) => g.getFeature(ERR_REC, { nsid }).dw0;
      expect(g.setFeature(ERR_REC, 5, { nsid: 1 }).status).toBe(0);
      expect([gget(1), gget(2)]).toEqual([5, 0]);
      expect(g.setFeature(ERR_REC, 9, { nsid: 0xffffffff }).status).toBe(0);
      expect([gget(1), gget(2)]).toEqual([9, 9]);
      expect(g.setFeature(ERR_REC, 3, { nsid: 2 }).status).toBe(0);
      expect([gget(1), gget(2)]).toEqual([9, 3]);
      g.driver.recover();
      expect([gget(1), gget(2)]).toEqual([0, 0]);
    } finally { await g.close(); }
  });

  it("controller-wide features on Set: NSID other than 0/FFFFFFFFh is Not Namespace Specific", () => {
    expect(set(ARB, 0x7, 1).status).toBe(SC.FEATURE_NOT_NS_SPECIFIC | DNR);
    expect(set(ARB, 0x7, 2).status).toBe(SC.FEATURE_NOT_NS_SPECIFIC | DNR); // inactive, still valid
    expect(set(ARB, 0x7, 257).status).toBe(SC.INVALID_NS_OR_FORMAT | DNR);
    expect(set(ARB, 0x3, 0xffffffff).status).toBe(0);
    expect(get(ARB, 0, 0, 1).dw0).toBe(0x3); // Get ignores the NSID of a controller-wide feature
  });

  it("Number of Queues: Set after I/O queues exist is a Command Sequence Error; FFFFh is invalid", () => {
    expect(get(NUMQ, 1).dw0).toBe(0x003f003f); // 64 pairs, 0's based
    expect(set(NUMQ, 0).status).toBe(SC.COMMAND_SEQUENCE_ERROR | DNR);
  });

  it("Number of Queues on a fresh controller: FFFFh in either half is Invalid Field; DW0 = queues allocated", async () => {
    const f = await Host.create({ up: false, config: { maxIoQueuePairs: 8 } });
    try {
      // Admin queues only, by hand: no I/O queue exists yet.
      const sq = f.alloc(4096), cq = f.alloc(4096);
      f.w32(REG.AQA, 31 | (31 << 16));
      f.w64(REG.ASQ, BigInt(sq));
      f.w64(REG.ACQ, BigInt(cq));
      f.w32(REG.CC, CC_ENABLE);
      const run = (s: Uint32Array, slot: number) => {
        f.ram.set(new Uint8Array(s.buffer), sq + 64 * slot);
        f.w32(0x1000, slot + 1);
        const dv = f.core.hostRamView;
        return { dw0: dv.getUint32(cq + 16 * slot, true), status: dv.getUint32(cq + 16 * slot + 12, true) >>> 17 };
      };
      expect(run(sqe(OP.SET_FEATURES, { cdw10: NUMQ, cdw11: 0xffff0000 }), 0).status).toBe(SC.INVALID_FIELD | DNR);
      expect(run(sqe(OP.SET_FEATURES, { cdw10: NUMQ, cdw11: 0x0000ffff }), 1).status).toBe(SC.INVALID_FIELD | DNR);
      const ok = run(sqe(OP.SET_FEATURES, { cdw10: NUMQ, cdw11: 0x00010001 }), 2);
      expect(ok.status).toBe(0);
      // At least the queues asked for, at most those supported (8 pairs, 0's based 7).
      expect(ok.dw0 & 0xffff).toBeGreaterThanOrEqual(1);
      expect(ok.dw0 >>> 16).toBeGreaterThanOrEqual(1);
      expect(ok.dw0 & 0xffff).toBeLessThanOrEqual(7);
      expect(ok.dw0 >>> 16).toBeLessThanOrEqual(7);
      const again = run(sqe(OP.GET_FEATURES, { cdw10: NUMQ }), 3);
      expect(again.dw0).toBe(ok.dw0);
    } finally { await f.close(); }
  });

  it("Interrupt Vector Configuration: vector beyond the vectors is Invalid Field; vector 0 reports CD", () => {
    expect(get(IVC, 0, 65).status).toBe(SC.INVALID_FIELD | DNR); // 65 vectors: 0-64
    expect(set(IVC, 65).status).toBe(SC.INVALID_FIELD | DNR);
    expect(get(IVC, 0, 64).dw0).toBe(64);
    expect(get(IVC, 0, 0).dw0).toBe(0x10000); // the admin CQ's vector is never coalesced
  });

  it("Host Behavior Support: 512 bytes in, the same bytes out; default all zero", () => {
    const data = new Uint8Array(512);
    data.set([1, 1, 0, 0, 0x0c, 0x00]); // ACRE, ETDAS, CDFE = formats 2h and 3h
    expect(h.setFeature(HBS, 0, { out: data }).status).toBe(0);
    const cur = h.getFeature(HBS, { inLen: 512 });
    expect(cur.status).toBe(0);
    expect(Array.from(cur.data!.slice(0, 8))).toEqual([1, 1, 0, 0, 0x0c, 0, 0, 0]);
    expect(cur.data!.slice(8).every((x) => x === 0)).toBe(true);
    const dflt = h.getFeature(HBS, { sel: 1, inLen: 512 });
    expect(dflt.data!.every((x) => x === 0)).toBe(true);
  });

  it("Host Behavior Support with a bad data pointer: Data Transfer Error and nothing changes", () => {
    expect(h.enableCdfe(0x04).status).toBe(0);
    const s = sqe(OP.SET_FEATURES, { cdw10: HBS, prp1: h.ramSize });
    expect(h.adminCmd(s, { keepDptr: true }).status).toBe(SC.DATA_TRANSFER_ERROR);
    expect(h.getFeature(HBS, { inLen: 512 }).data![4]).toBe(0x04);
  });
});

describe("Volatile Write Cache not present (VWC = 0)", () => {
  it("FID 06h is not supported", async () => {
    const h = await Host.create({ config: { vwc: 0 } });
    try {
      expect(h.getFeature(VWC).status).toBe(SC.INVALID_FIELD | DNR);
      expect(h.setFeature(VWC, 1).status).toBe(SC.INVALID_FIELD | DNR);
    } finally { await h.close(); }
  });
});
