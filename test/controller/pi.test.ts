// End-to-end data protection (NVM CS 1.1 §5.2; assembly/ctrl/pi.ts): tuples generated with
// PRACT and checked with PRCHK on Read, Write, Compare, Verify and Write Zeroes, for PI types
// 1, 2 and 3, first and last in the metadata, extended and separate metadata, 16b and 64b
// guards; the escapes; unwritten blocks; Identify DPC/DPS; the configuration's checks.

import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { Host, ns, rw, sqe, OP, DNR, SC } from "../host";
import { validateConfig, defaultConfig } from "../../src/controller/config";

const PRACT = 8, GUARD = 4, APP = 2, REF = 1;
const pr = (p: number) => (p << 26) >>> 0;
const tags = (app: number, mask: number) => ((mask << 16) | app) >>> 0;

/** CRC-16 T10-DIF, bit by bit (the reference the controller's table must match). */
function crc16(data: Uint8Array, crc = 0): number {
  for (const b of data) {
    crc ^= b << 8;
    for (let k = 0; k < 8; k++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x8bb7) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

/** CRC-64/NVMe (reflected 0xAD93D23594C93659, init and xorout all ones), bit by bit. */
function crc64(data: Uint8Array): bigint {
  const poly = 0x9a6c9329ac4bc9b5n;
  let crc = 0xffffffffffffffffn;
  for (const b of data) {
    crc ^= BigInt(b);
    for (let k = 0; k < 8; k++) crc = crc & 1n ? (crc >> 1n) ^ poly : crc >> 1n;
  }
  return crc ^ 0xffffffffffffffffn;
}

function block(lba: number, size = 512): Uint8Array {
  const b = new Uint8Array(size);
  for (let i = 0; i < size; i++) b[i] = (lba * 7 + i * 13) & 0xff;
  return b;
}

/** An 8-byte 16b-guard tuple. */
function tuple16(guard: number, app: number, ref: number): Uint8Array {
  const t = new Uint8Array(8);
  const v = new DataView(t.buffer);
  v.setUint16(0, guard);
  v.setUint16(2, app);
  v.setUint32(4, ref);
  return t;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

describe("protection information", () => {
  let h: Host;
  beforeAll(async () => {
    h = await Host.create({
      config: {
        namespaces: [
          ns(1, 1024, { ms: 8, extended: true, pi: 1 }),
          ns(2, 1024, { ms: 8, extended: true, pi: 2 }),
          ns(3, 1024, { ms: 8, extended: true, pi: 3 }),
          ns(4, 1024, { ms: 16, pi: 1, pil: 0 }), // separate metadata, PI in the last 8 bytes
          ns(5, 1024, { ms: 16, extended: true, pi: 1, pil: 1 }), // PI first
          ns(6, 256, { lbaBytes: 4096, ms: 16, extended: true, pi: 1, pif: 2 }),
          ns(7, 1024, { ms: 8, extended: true }), // metadata, no PI
          ns(8, 64, { formats: [{ ms: 0, lbads: 9, rp: 0 }, { ms: 8, lbads: 12, rp: 0 }], pif: 2 }), // no format holds a 16-byte tuple
        ],
      },
    });
  });
  afterAll(async () => { await h.close(); });

  const io = (s: Uint32Array, d: Parameters<Host["ioCmd"]>[1] = {}) => h.ioCmd(s, d);

  it("Identify Namespace: DPC lists types 1-3 first and last; DPS is the type in use and its location", () => {
    const idns = (nsid: number) => h.identify(0, nsid).data!;
    expect(idns(1)[28]).toBe(0x1f);
    expect(idns(1)[29]).toBe(0x01);
    expect(idns(3)[29]).toBe(0x03);
    expect(idns(5)[29]).toBe(0x09); // type 1, first
    expect(idns(7)[28]).toBe(0x1f);
    expect(idns(7)[29]).toBe(0x00);
    expect(idns(8)[28]).toBe(0x00); // DPC 0: no listed format's metadata holds the namespace's tuple
    // Identify Controller OACS bit 1: Format NVM.
    expect(h.identify(1, 0).data![256] & 2).toBe(2);
  });

  it("the configuration refuses PI without room for the tuple, naming the field", () => {
    const c = defaultConfig();
    c.namespaces = [ns(1, 64, { pi: 1 })];
    expect(() => validateConfig(c)).toThrow(/namespaces\[0\]\.pi: .*8-byte PI tuple/);
    c.namespaces = [ns(1, 64, { ms: 8, pi: 1, pif: 2 })];
    expect(() => validateConfig(c)).toThrow(/16-byte PI tuple of pif 2/);
    c.namespaces = [ns(1, 64, { ms: 8, pi: 4 })];
    expect(() => validateConfig(c)).toThrow(/namespaces\[0\]\.pi/);
    c.namespaces = [ns(1, 64, { ms: 8, pi: 1, pil: 2 })];
    expect(() => validateConfig(c)).toThrow(/namespaces\[0\]\.pil/);
  });

  it("Write with PRACT on 512+8: the host sends data only; the tuple is CRC-16, LBAT, ILBRT counting up", () => {
    const data = concat(block(10), block(11));
    const w = io(rw(OP.WRITE, 1, 10, 2, pr(PRACT), { cdw14: 10, cdw15: tags(0x1234, 0xffff) }), { out: data });
    expect(w.status).toBe(0);
    const r = io(rw(OP.READ, 1, 10, 2), { inLen: 2 * 520 });
    expect(r.status).toBe(0);
    expect(r.data!.subarray(0, 512)).toEqual(block(10));
    expect(r.data!.subarray(512, 520)).toEqual(tuple16(crc16(block(10)), 0x1234, 10));
    expect(r.data!.subarray(1032, 1040)).toEqual(tuple16(crc16(block(11)), 0x1234, 11));
    // Read with PRACT strips the tuple: data only, and every check passes.
    const s = io(rw(OP.READ, 1, 10, 2, pr(PRACT | GUARD | APP | REF), { cdw14: 10, cdw15: tags(0x1234, 0xffff) }), { inLen: 1024 });
    expect(s.status).toBe(0);
    expect(s.data).toEqual(data);
  });

  it("Read checks: guard, application tag under its mask, reference tag; no DNR", () => {
    const ok = io(rw(OP.READ, 1, 10, 2, pr(GUARD | APP | REF), { cdw14: 10, cdw15: tags(0x1200, 0xff00) }), { inLen: 1040 });
    expect(ok.status).toBe(0);
    expect(io(rw(OP.READ, 1, 10, 2, pr(APP), { cdw14: 10, cdw15: tags(0x1235, 0xffff) }), { inLen: 1040 }).status).toBe(SC.APPTAG_CHECK);
    // Type 1: the Reference Tag of LBA 11 is 11; ILBRT 10 for SLBA 11 is Invalid PI (it must be the LBA).
    expect(io(rw(OP.READ, 1, 11, 1, pr(REF), { cdw14: 10 }), { inLen: 520 }).status).toBe(SC.INVALID_PROTECTION_INFO | DNR);
    expect(io(rw(OP.READ, 1, 11, 1, pr(REF), { cdw14: 11 }), { inLen: 520 }).status).toBe(0);
    // Corrupt the stored guard of LBA 11 through a write without checks.
    const bad = concat(block(11), tuple16(crc16(block(11)) ^ 1, 0x1234, 11));
    expect(io(rw(OP.WRITE, 1, 11, 1), { out: bad }).status).toBe(0);
    const g = io(rw(OP.READ, 1, 10, 2, pr(GUARD)), { inLen: 1040 });
    expect(g.status).toBe(SC.GUARD_CHECK); // SCT 2 / SC 82h, and no DNR bit in the status
    expect(io(rw(OP.READ, 1, 10, 2, pr(APP | REF), { cdw14: 10, cdw15: tags(0x1234, 0xffff) }), { inLen: 1040 }).status).toBe(0);
  });

  it("Write without PRACT checks the host's tuples first: nothing is stored when one fails", () => {
    const good = concat(block(20), tuple16(crc16(block(20)), 7, 20));
    const badRef = concat(block(21), tuple16(crc16(block(21)), 7, 99));
    expect(io(rw(OP.WRITE, 1, 20, 2, pr(GUARD | APP | REF), { cdw14: 20, cdw15: tags(7, 0xffff) }), { out: concat(good, badRef) }).status).toBe(SC.REFTAG_CHECK);
    const r = io(rw(OP.READ, 1, 20, 1), { inLen: 520 });
    expect(r.data!.subarray(0, 512)).toEqual(new Uint8Array(512)); // LBA 20 was not written
    expect(r.data!.subarray(512)).toEqual(new Uint8Array(8).fill(0xff)); // unwritten: the all-ones tuple
    const badGuard = concat(block(21), tuple16(0xbeef, 7, 21));
    expect(io(rw(OP.WRITE, 1, 20, 2, pr(GUARD), { cdw14: 20 }), { out: concat(good, badGuard) }).status).toBe(SC.GUARD_CHECK);
    expect(io(rw(OP.WRITE, 1, 20, 1, pr(GUARD | APP | REF), { cdw14: 20, cdw15: tags(7, 0xffff) }), { out: good }).status).toBe(0);
  });

  it("unwritten blocks read with the all-ones tuple and pass every check", () => {
    const r = io(rw(OP.READ, 1, 500, 2, pr(GUARD | APP | REF), { cdw14: 500, cdw15: tags(1, 0xffff) }), { inLen: 1040 });
    expect(r.status).toBe(0);
    expect(r.data!.subarray(512, 520)).toEqual(new Uint8Array(8).fill(0xff));
  });

  it("escapes: application tag FFFFh turns checks off for types 1 and 2; type 3 also needs reference tag FFFFFFFFh", () => {
    const esc = concat(block(30), tuple16(0, 0xffff, 0x1234));
    for (const nsid of [1, 2]) {
      expect(io(rw(OP.WRITE, nsid, 30, 1, pr(GUARD | APP), { cdw15: tags(5, 0xffff) }), { out: esc }).status, `ns ${nsid}`).toBe(0);
    }
    expect(io(rw(OP.WRITE, 3, 30, 1, pr(GUARD)), { out: esc }).status).toBe(SC.GUARD_CHECK);
    expect(io(rw(OP.WRITE, 3, 30, 1, pr(GUARD)), { out: concat(block(30), tuple16(0, 0xffff, 0xffffffff)) }).status).toBe(0);
  });

  it("type 2 checks ILBRT + n without tying it to the LBA; type 3 keeps one reference tag and refuses PRCHK ref", () => {
    const d = concat(block(40), block(41));
    expect(io(rw(OP.WRITE, 2, 40, 2, pr(PRACT), { cdw14: 1000 }), { out: d }).status).toBe(0);
    expect(io(rw(OP.READ, 2, 40, 2, pr(REF), { cdw14: 1000 }), { inLen: 1040 }).status).toBe(0);
    expect(io(rw(OP.READ, 2, 41, 1, pr(REF), { cdw14: 1000 }), { inLen: 520 }).status).toBe(SC.REFTAG_CHECK);
    expect(io(rw(OP.WRITE, 3, 40, 2, pr(PRACT), { cdw14: 77 }), { out: d }).status).toBe(0);
    const r = io(rw(OP.READ, 3, 40, 2), { inLen: 1040 });
    expect(r.data!.subarray(1036, 1040)).toEqual(new Uint8Array([0, 0, 0, 77])); // not incremented
    expect(io(rw(OP.READ, 3, 40, 2, pr(REF), { cdw14: 77 }), { inLen: 1040 }).status).toBe(SC.INVALID_PROTECTION_INFO | DNR);
    expect(io(rw(OP.READ, 3, 40, 2, pr(GUARD)), { inLen: 1040 }).status).toBe(0);
  });

  it("separate metadata, PI last of 16 bytes: the guard covers the 8 metadata bytes before the tuple", () => {
    const md = new Uint8Array(16);
    md.set([1, 2, 3, 4, 5, 6, 7, 8]);
    const w = io(rw(OP.WRITE, 4, 3, 1, pr(PRACT), { cdw14: 3, cdw15: tags(9, 0) }), { out: block(3), mdOut: md });
    expect(w.status).toBe(0);
    const r = io(rw(OP.READ, 4, 3, 1, pr(GUARD | REF), { cdw14: 3 }), { inLen: 512, mdInLen: 16 });
    expect(r.status).toBe(0);
    expect(r.md!.subarray(0, 8)).toEqual(md.subarray(0, 8));
    expect(r.md!.subarray(8)).toEqual(tuple16(crc16(md.subarray(0, 8), crc16(block(3))), 9, 3));
    // PRACT with metadata larger than the tuple still transfers the metadata (nothing stripped).
    const s = io(rw(OP.READ, 4, 3, 1, pr(PRACT | GUARD)), { inLen: 512, mdInLen: 16 });
    expect(s.status).toBe(0);
    expect(s.md).toEqual(r.md);
  });

  it("PI first of 16 bytes, extended: the guard covers the data alone", () => {
    const lb = concat(block(6), new Uint8Array(16).fill(0x5a));
    expect(io(rw(OP.WRITE, 5, 6, 1, pr(PRACT), { cdw14: 6, cdw15: tags(3, 0) }), { out: lb }).status).toBe(0);
    const r = io(rw(OP.READ, 5, 6, 1), { inLen: 528 });
    expect(r.data!.subarray(512, 520)).toEqual(tuple16(crc16(block(6)), 3, 6));
    expect(r.data!.subarray(520)).toEqual(new Uint8Array(8).fill(0x5a));
  });

  it("64b guard (pif 2): CRC-64/NVMe, 48-bit reference tag from CDW14 and CDW3 bits 15:0", () => {
    expect(crc64(new TextEncoder().encode("123456789"))).toBe(0xae8b14860a799888n); // the CRC's check value
    const data = block(2, 4096);
    const w = io(rw(OP.WRITE, 6, 2, 1, pr(PRACT), { cdw14: 2, cdw15: tags(0x77, 0) }), { out: data });
    expect(w.status).toBe(0);
    const r = io(rw(OP.READ, 6, 2, 1), { inLen: 4112 });
    const t = new DataView(r.data!.buffer, r.data!.byteOffset + 4096, 16);
    expect(t.getBigUint64(0)).toBe(crc64(data));
    expect(t.getUint16(8)).toBe(0x77);
    expect(t.getUint16(10)).toBe(0);
    expect(t.getUint32(12)).toBe(2);
    expect(io(rw(OP.READ, 6, 2, 1, pr(GUARD | REF), { cdw14: 2 }), { inLen: 4112 }).status).toBe(0);
    expect(io(rw(OP.READ, 6, 2, 1, pr(REF), { cdw3: 1, cdw14: 2 }), { inLen: 4112 }).status).toBe(SC.INVALID_PROTECTION_INFO | DNR);
    // Write Zeroes with PRACT: the guard is the CRC-64 of the block's zeroes (QEMU: of 4096 zero bytes, C-PIWZ64).
    expect(io(rw(OP.WRITE_ZEROES, 6, 100, 1, pr(PRACT), { cdw14: 100 })).status).toBe(0);
    const z = io(rw(OP.READ, 6, 100, 1, pr(GUARD | REF), { cdw14: 100 }), { inLen: 4112 });
    expect(z.status).toBe(0);
    expect(new DataView(z.data!.buffer, z.data!.byteOffset + 4096, 8).getBigUint64(0)).toBe(crc64(new Uint8Array(4096)));
    // Without PRACT the tuple is zeroes, and zero is not the CRC-64 of zeroes: the guard check fails.
    expect(io(rw(OP.WRITE_ZEROES, 6, 108, 1)).status).toBe(0);
    expect(io(rw(OP.READ, 6, 108, 1, pr(GUARD)), { inLen: 4112 }).status).toBe(SC.GUARD_CHECK);
  });

  it("Verify checks the stored tuples and refuses PRACT; Compare refuses PRACT and compares the tuple too", () => {
    expect(io(rw(OP.VERIFY, 1, 10, 2, pr(GUARD))).status).toBe(SC.GUARD_CHECK); // LBA 11's guard was corrupted above
    expect(io(rw(OP.VERIFY, 1, 10, 1, pr(GUARD | APP | REF), { cdw14: 10, cdw15: tags(0x1234, 0xffff) })).status).toBe(0);
    expect(io(rw(OP.VERIFY, 1, 10, 1, pr(PRACT))).status).toBe(SC.INVALID_PROTECTION_INFO | DNR);
    expect(io(rw(OP.COMPARE, 1, 10, 1, pr(PRACT)), { out: block(10) }).status).toBe(SC.INVALID_PROTECTION_INFO | DNR);
    const stored = concat(block(10), tuple16(crc16(block(10)), 0x1234, 10));
    expect(io(rw(OP.COMPARE, 1, 10, 1, pr(GUARD | APP | REF), { cdw14: 10, cdw15: tags(0x1234, 0xffff) }), { out: stored }).status).toBe(0);
    expect(io(rw(OP.COMPARE, 1, 10, 1, pr(APP), { cdw15: tags(0x1235, 0xffff) }), { out: stored }).status).toBe(SC.APPTAG_CHECK);
    const otherTuple = concat(block(10), tuple16(0, 0, 0));
    expect(io(rw(OP.COMPARE, 1, 10, 1), { out: otherTuple }).status).toBe(SC.COMPARE_FAILURE | DNR);
    // A block never written compares as zeroes with the all-ones tuple it reads with.
    expect(io(rw(OP.COMPARE, 1, 700, 1), { out: concat(new Uint8Array(512), new Uint8Array(8).fill(0xff)) }).status).toBe(0);
  });

  it("Write Zeroes: PRCHK is Invalid PI; without PRACT the tuple is zero; with PRACT it is generated", () => {
    expect(io(rw(OP.WRITE_ZEROES, 1, 100, 4, pr(GUARD))).status).toBe(SC.INVALID_PROTECTION_INFO | DNR);
    expect(io(rw(OP.WRITE_ZEROES, 1, 100, 2, (1 << 25) >>> 0)).status).toBe(0); // DEAC: still written, PI zero
    const z = io(rw(OP.READ, 1, 100, 2), { inLen: 1040 });
    expect(z.data).toEqual(new Uint8Array(1040));
    expect(io(rw(OP.READ, 1, 100, 2, pr(GUARD | APP), { cdw15: tags(0, 0xffff) }), { inLen: 1040 }).status).toBe(0);
    expect(io(rw(OP.READ, 1, 101, 1, pr(REF), { cdw14: 101 }), { inLen: 520 }).status).toBe(SC.REFTAG_CHECK);
    expect(io(rw(OP.WRITE_ZEROES, 1, 200, 2, pr(PRACT), { cdw14: 200, cdw15: tags(0xabcd, 0) })).status).toBe(0);
    const g = io(rw(OP.READ, 1, 200, 2), { inLen: 1040 });
    expect(g.data!.subarray(512, 520)).toEqual(tuple16(0, 0xabcd, 200));
    expect(g.data!.subarray(1032, 1040)).toEqual(tuple16(0, 0xabcd, 201));
  });

  it("a namespace with metadata and no PI ignores PRINFO", () => {
    const lb = concat(block(1), tuple16(1, 2, 3));
    expect(io(rw(OP.WRITE, 7, 1, 1, pr(PRACT | GUARD | APP | REF), { cdw14: 9 }), { out: lb }).status).toBe(0);
    expect(io(rw(OP.READ, 7, 1, 1, pr(PRACT | GUARD | APP | REF), { cdw14: 9 }), { inLen: 520 }).data).toEqual(lb);
  });

  it("Flush and Dataset Management are unchanged on a PI namespace", () => {
    expect(io(sqe(OP.FLUSH, { nsid: 1 })).status).toBe(0);
  });
});

describe("protection information on the controller thread (threaded port)", () => {
  it("PRACT write, checked read, a Copy generating tuples and a Format NVM run in the worker as in the stepped core", async () => {
    const h = await Host.create({ threaded: true, config: { namespaces: [ns(1, 1024, { ms: 8, extended: true, pi: 1 })] } });
    try {
      const data = concat(block(4), block(5));
      expect(h.ioCmd(rw(OP.WRITE, 1, 4, 2, pr(PRACT), { cdw14: 4, cdw15: tags(0x42, 0) }), { out: data }).status).toBe(0);
      const r = h.ioCmd(rw(OP.READ, 1, 4, 2, pr(GUARD | APP | REF), { cdw14: 4, cdw15: tags(0x42, 0xffff) }), { inLen: 1040 });
      expect(r.status).toBe(0);
      expect(r.data!.subarray(1032, 1040)).toEqual(tuple16(crc16(block(5)), 0x42, 5));
      const d = new Uint8Array(32);
      new DataView(d.buffer).setBigUint64(8, 4n, true); // one range: SLBA 4, NLB 0 (1 block)
      const c = sqe(OP.COPY, { nsid: 1, cdw10: 50, cdw12: ((8 << 12) | (8 << 26)) >>> 0, cdw14: 50, cdw15: 7 });
      expect(h.ioCmd(c, { out: d }).status).toBe(0);
      const t = h.ioCmd(rw(OP.READ, 1, 50, 1), { inLen: 520 });
      expect(t.data!.subarray(512)).toEqual(tuple16(crc16(block(4)), 7, 50));
      expect(h.adminCmd(sqe(OP.FORMAT_NVM, { nsid: 1, cdw10: 1 | (1 << 4) | (3 << 5) })).status).toBe(0);
      expect(h.identify(0, 1).data![29]).toBe(3);
    } finally {
      await h.close();
    }
  });
});
