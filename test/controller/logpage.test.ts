// Get Log Page (Base 2.1 §5.1.12): Error Information (01h, Figure 206) newest first with every
// field of a failed command, SMART / Health Information (02h, Figure 207) counters,
// Firmware Slot Information (03h), Commands Supported and Effects (05h, Figure 210), and the
// offset / length / LID checks in QEMU's order (nvme_get_log).

import { describe, it, expect, beforeEach, afterEach } from "vitest";
import { Host, sqe, rw, OP, u16, u32, u64, ascii, pattern, DNR, SC } from "../host";

const ERROR_LOG = 0x01, SMART = 0x02, FW_SLOT = 0x03, EFFECTS = 0x05;

/** Error Information log entry i (64 bytes each). */
function entry(b: Uint8Array, i: number) {
  const o = 64 * i;
  return {
    count: u64(b, o), sqid: u16(b, o + 8), cid: u16(b, o + 10), status: u16(b, o + 12) >> 1, phase: u16(b, o + 12) & 1,
    loc: u16(b, o + 14), lba: u64(b, o + 16), nsid: u32(b, o + 24), csi: b[o + 30], opcode: b[o + 31],
  };
}

describe("Get Log Page", () => {
  let h: Host;
  beforeEach(async () => { h = await Host.create(); });
  afterEach(async () => { await h.close(); });

  it("Error Information: failed commands, newest first, with SQID, CID, status, location, LBA, NSID, opcode", () => {
    const a = h.ioCmd(rw(OP.READ, 1, 131070, 4), { inLen: 2048 }); // LBA Out of Range at CDW10
    expect(a.status).toBe(SC.LBA_OUT_OF_RANGE | DNR);
    const b = h.adminCmd(sqe(OP.IDENTIFY, { cdw10: 0x42 }), { inLen: 4096 }); // bad CNS
    expect(b.status).toBe(SC.INVALID_FIELD | DNR);
    const c = h.ioCmd(sqe(0x7e, { nsid: 1 })); // unsupported I/O opcode
    expect(c.status).toBe(SC.INVALID_OPCODE | DNR);
    const r = h.getLog(ERROR_LOG, 4096, { nsid: 0 });
    expect(r.status).toBe(0);
    const e = [0, 1, 2].map((i) => entry(r.data!, i));
    expect(e[0]).toMatchObject({ count: 3n, sqid: 1, cid: c.cid, status: SC.INVALID_OPCODE | DNR, phase: c.phase, loc: 0, nsid: 1, opcode: 0x7e });
    expect(e[1]).toMatchObject({ count: 2n, sqid: 0, cid: b.cid, status: SC.INVALID_FIELD | DNR, phase: b.phase, loc: 40, nsid: 0, opcode: 0x06 });
    expect(e[2]).toMatchObject({ count: 1n, sqid: 1, cid: a.cid, status: SC.LBA_OUT_OF_RANGE | DNR, phase: a.phase, loc: 40, lba: 131070n, nsid: 1, opcode: 0x02, csi: 0 });
    expect(r.data!.slice(3 * 64).every((x) => x === 0)).toBe(true); // unused entries: error count 0
  });

  it("Parameter Error Location: byte of the SQE in bits 7:0, bit of that byte in bits 10:8 (Figure 206), for fields past bit 7 of a dword", () => {
    const loc = () => entry(h.getLog(ERROR_LOG, 64).data!, 0).loc;
    // Create I/O CQ, QSIZE 0: CDW10 bits 31:16 -> byte 42 bit 0.
    expect(h.adminCmd(sqe(OP.CREATE_CQ, { prp1: 0x100000, cdw10: 9, cdw11: 1 })).status).toBe(SC.INVALID_QUEUE_SIZE | DNR);
    expect(loc()).toBe(0x002a);
    // Get Features, SEL 100b: CDW10 bits 10:8 -> byte 41 bit 0.
    expect(h.getFeature(0x01, { sel: 4 }).status).toBe(SC.INVALID_FIELD | DNR);
    expect(loc()).toBe(0x0029);
    // Set Features, SV = 1: CDW10 bit 31 -> byte 43 bit 7.
    expect(h.setFeature(0x01, 0, { sv: true }).status).toBe(SC.FEATURE_NOT_SAVEABLE | DNR);
    expect(loc()).toBe(0x072b);
    // Get Features Temperature Threshold, THSEL 10b: CDW11 bits 21:20 -> byte 46 bit 4.
    expect(h.getFeature(0x04, { cdw11: 2 << 20 }).status).toBe(SC.INVALID_FIELD | DNR);
    expect(loc()).toBe(0x042e);
    // Copy, descriptor format 2h not enabled: CDW12 bits 11:8 -> byte 49 bit 0.
    expect(h.ioCmd(sqe(OP.COPY, { nsid: 1, cdw12: 2 << 8 })).status).toBe(SC.INVALID_FIELD | DNR);
    expect(loc()).toBe(0x0031);
  });

  it("Error Information is a ring of 64: after 70 errors the newest 64 remain, newest first", () => {
    for (let i = 0; i < 70; i++) expect(h.ioCmd(rw(OP.READ, 1, 200000 + i, 1), { inLen: 512 }).status).toBe(SC.LBA_OUT_OF_RANGE | DNR);
    const r = h.getLog(ERROR_LOG, 4096);
    const counts = Array.from({ length: 64 }, (_, i) => entry(r.data!, i).count);
    expect(counts).toEqual(Array.from({ length: 64 }, (_, i) => BigInt(70 - i)));
    expect(entry(r.data!, 63).lba).toBe(200006n);
  });

  it("offset and length: a dword-aligned offset starts inside the page; past the log the buffer reads zeroes", () => {
    for (let i = 0; i < 2; i++) h.ioCmd(rw(OP.READ, 1, 300000 + i, 1), { inLen: 512 });
    const r = h.getLog(ERROR_LOG, 64, { offset: 64 });
    expect(entry(r.data!, 0)).toMatchObject({ count: 1n, lba: 300000n });
    const tail = h.getLog(ERROR_LOG, 8192, { offset: 4032 });
    expect(tail.status).toBe(0);
    expect(tail.data!.every((x) => x === 0)).toBe(true);
    expect(h.getLog(ERROR_LOG, 64, { offset: 2 }).status).toBe(SC.INVALID_FIELD | DNR);
    expect(h.getLog(ERROR_LOG, 64, { offset: 4096 }).status).toBe(SC.INVALID_FIELD | DNR);
    expect(h.getLog(SMART, 4, { offset: 512 }).status).toBe(SC.INVALID_FIELD | DNR);
    expect(h.getLog(SMART, 4, { offset: 2 ** 32 }).status).toBe(SC.INVALID_FIELD | DNR); // LPOU
  });

  it("length above MDTS (512 KiB) is Invalid Field (QEMU), even for a page that exists", () => {
    // 512 KiB exactly: accepted (PRP list in host memory); one dword more: refused.
    const list = h.alloc(4096), buf = h.alloc(512 * 1024);
    for (let i = 0; i < 127; i++) h.put64(list + 8 * i, buf + 4096 * (i + 1));
    const numd = (bytes: number) => bytes / 4 - 1;
    const get = (bytes: number) => h.adminCmd(sqe(OP.GET_LOG_PAGE, {
      nsid: 0xffffffff, cdw10: (ERROR_LOG | ((numd(bytes) & 0xffff) << 16)) >>> 0, cdw11: numd(bytes) >>> 16, prp1: buf, prp2: list,
    }), { keepDptr: true }).status;
    expect(get(512 * 1024)).toBe(0);
    expect(get(512 * 1024 + 4)).toBe(SC.INVALID_FIELD | DNR);
  });

  it("unsupported log pages are Invalid Field (QEMU; not Invalid Log Page)", () => {
    for (const lid of [0x00, 0x04, 0x06, 0x07, 0x0d, 0x70, 0x80, 0xc0, 0xff]) {
      expect(h.getLog(lid, 512).status, `LID ${lid}`).toBe(SC.INVALID_FIELD | DNR);
    }
  });

  it("SMART / Health: fixed health fields and command and data-unit counters", () => {
    // 1000 blocks = 512000 bytes = one data unit; one more block rounds up to two.
    expect(h.ioCmd(rw(OP.WRITE, 1, 0, 1000), { out: pattern(512000, 1) }).status).toBe(0);
    expect(h.ioCmd(rw(OP.WRITE, 1, 1000, 1), { out: pattern(512, 2) }).status).toBe(0);
    for (let i = 0; i < 3; i++) expect(h.readBlocks(1, 0, 1, 512).status).toBe(0);
    expect(h.ioCmd(rw(OP.COMPARE, 1, 1000, 1), { out: pattern(512, 2) }).status).toBe(0);
    expect(h.readBlocks(1, 200000, 1, 512).status).toBe(SC.LBA_OUT_OF_RANGE | DNR); // failed: not counted
    for (const nsid of [0, 0xffffffff]) {
      const r = h.getLog(SMART, 512, { nsid });
      expect(r.status).toBe(0);
      const b = r.data!;
      expect(b[0]).toBe(0); // critical warning
      expect(u16(b, 1)).toBe(313); // composite temperature (K)
      expect([b[3], b[4], b[5]]).toEqual([100, 10, 0]); // available spare, threshold, percentage used
      expect(u64(b, 32)).toBe(1n); // data units read: 4 x 512 bytes, rounded up
      expect(u64(b, 48)).toBe(2n); // data units written
      expect(u64(b, 64)).toBe(4n); // host read commands: 3 Reads + 1 Compare
      expect(u64(b, 80)).toBe(2n); // host write commands
      expect(u64(b, 112)).toBe(1n); // power cycles
      expect(u64(b, 128)).toBe(0n); // power-on hours
      expect(u64(b, 144)).toBe(0n); // unsafe shutdowns
      expect(u64(b, 176)).toBe(1n); // error log entries
      expect(u16(b, 200)).toBe(313); // temperature sensor 1
      for (const off of [40, 56, 72, 88, 120, 136, 152, 168, 184]) expect(u64(b, off), `high half at ${off}`).toBe(0n);
    }
  });

  it("SMART / Health: a namespace NSID is Invalid Field (not per namespace: LPA bit 0 clear)", () => {
    expect(h.getLog(SMART, 512, { nsid: 1 }).status).toBe(SC.INVALID_FIELD | DNR);
  });

  it("SMART / Health: temperature above the over-temperature threshold sets critical warning bit 1", () => {
    expect(h.setFeature(0x04, 300).status).toBe(0);
    expect(h.getLog(SMART, 512).data![0]).toBe(0x02);
    expect(h.setFeature(0x04, 343).status).toBe(0);
    expect(h.setFeature(0x04, (1 << 20) | 320).status).toBe(0); // under-temperature threshold above 313 K
    expect(h.getLog(SMART, 512).data![0]).toBe(0x02);
  });

  it("Firmware Slot Information: slot 1 active with the firmware revision", () => {
    const b = h.getLog(FW_SLOT, 512).data!;
    expect(b[0]).toBe(1);
    expect(ascii(b, 8, 8)).toBe("0.1.0   ");
    expect(b.slice(16).every((x) => x === 0)).toBe(true);
  });

  it("Commands Supported and Effects: CSUPP for each implemented opcode, LBCC for media writers", () => {
    const b = h.getLog(EFFECTS, 4096).data!;
    const acs = (o: number) => u32(b, 4 * o);
    const iocs = (o: number) => u32(b, 1024 + 4 * o);
    // Admin: CSUPP only; Set Features changes no namespace or controller capability or
    // inventory (no NCC/NIC/CCC, which make Linux's nvme_passthru_end rescan; QEMU 01h).
    for (const o of [0x00, 0x01, 0x02, 0x04, 0x05, 0x06, 0x08, 0x09, 0x0a, 0x0c]) expect(acs(o), `admin ${o}`).toBe(0x1);
    expect(acs(0x80), "Format NVM").toBe(0x7); // CSUPP, LBCC, NCC (it changes FLBAS and DPS)
    for (const o of [0x03, 0x07, 0x0b, 0x0d, 0x10, 0x11, 0x18, 0x19, 0x7c, 0x81, 0x84, 0xc0]) expect(acs(o), `admin ${o}`).toBe(0);
    expect(iocs(0x00)).toBe(0x3); // Flush
    expect(iocs(0x01)).toBe(0x3); // Write
    expect(iocs(0x02)).toBe(0x1); // Read
    expect(iocs(0x05)).toBe(0x1); // Compare
    expect(iocs(0x08)).toBe(0x3); // Write Zeroes
    expect(iocs(0x09)).toBe(0x3); // Dataset Management
    expect(iocs(0x0c)).toBe(0x1); // Verify
    expect(iocs(0x19)).toBe(0x3); // Copy
    for (const o of [0x04, 0x0d, 0x0e, 0x11, 0x12, 0x15, 0x79, 0x7a, 0x7d, 0x80]) expect(iocs(o), `io ${o}`).toBe(0);
    for (let o = 0x1a; o < 256; o++) expect(iocs(o)).toBe(0);
  });
});

describe("effects follow ONCS", () => {
  it("without Compare, DSM, Verify and Copy they are not supported, and the opcodes are invalid", async () => {
    const h = await Host.create({ config: { oncs: 0x08 } }); // Write Zeroes only
    try {
      const b = h.getLog(EFFECTS, 4096).data!;
      const iocs = (o: number) => u32(b, 1024 + 4 * o);
      expect([0x00, 0x01, 0x02, 0x05, 0x08, 0x09, 0x0c, 0x19].map(iocs)).toEqual([0x3, 0x3, 0x1, 0, 0x3, 0, 0, 0]);
      for (const o of [0x05, 0x09, 0x0c, 0x19]) expect(h.ioCmd(sqe(o, { nsid: 1 })).status, `opcode ${o}`).toBe(SC.INVALID_OPCODE | DNR);
    } finally { await h.close(); }
  });
});
