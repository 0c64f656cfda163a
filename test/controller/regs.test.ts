// Registers (Base 2.1 §3.1.4) and the controller state machine: enable with the checks of
// QEMU's nvme_start_ctrl (§3.5.1), Controller Level Reset by CC.EN 1 -> 0 (§3.7.2), shutdown
// (§3.6), NVM Subsystem Reset (§3.7.1). Raw register writes, no driver bring-up.

import { describe, it, expect, beforeEach, afterEach } from "vitest";
import { Host, REG, CC_ENABLE, OP, sqe, cqeAt, u16, rw, pattern, eq } from "../host";

const CSTS_RDY = 0x1, CSTS_CFS = 0x2, SHST_COMPLETE = 0x8, CSTS_NSSRO = 0x10;

/** Admin queues of 4 entries in host memory, programmed but not enabled. */
function adminQueues(h: Host, o: { asq?: number; acq?: number; aqa?: number } = {}) {
  const asq = o.asq ?? h.alloc(4096);
  const acq = o.acq ?? h.alloc(4096);
  h.w32(REG.AQA, o.aqa ?? (3 | (3 << 16)));
  h.w64(REG.ASQ, BigInt(asq));
  h.w64(REG.ACQ, BigInt(acq));
  return { asq, acq };
}

/** Put an Identify Controller at admin SQ slot and ring tail. */
function identifyAt(h: Host, asq: number, slot: number, cid: number, buf: number) {
  h.ram.set(new Uint8Array(sqe(OP.IDENTIFY, { cid, cdw10: 1, prp1: buf }).buffer), asq + 64 * slot);
  h.w32(0x1000, slot + 1);
}

describe("registers", () => {
  let h: Host;
  beforeEach(async () => { h = await Host.create({ up: false }); });
  afterEach(async () => { await h.close(); });

  it("CAP and VS report the configured capabilities (§3.1.4.1, §3.1.4.2)", () => {
    // MQES 0xFFFF, CQR 1, TO 0Fh | DSTRD 0, NSSRS (bit 36), CSS bit 37 (NVM), MPSMIN 0, MPSMAX 4
    expect(h.reg64(REG.CAP)).toBe(0x004000300f01ffffn);
    expect(h.reg32(REG.VS)).toBe(0x00020100);
    expect(h.reg32(REG.CC)).toBe(0);
    expect(h.reg32(REG.CSTS)).toBe(0);
  });

  it("read-only registers ignore writes; AQA keeps only ASQS/ACQS; ASQ/ACQ take 32-bit halves", () => {
    h.w32(REG.CAP, 0xffffffff);
    h.w32(REG.VS, 0);
    h.w32(REG.CSTS, 0xffffffff & ~CSTS_NSSRO);
    expect(h.reg64(REG.CAP)).toBe(0x004000300f01ffffn);
    expect(h.reg32(REG.VS)).toBe(0x00020100);
    expect(h.reg32(REG.CSTS)).toBe(0);
    h.w32(REG.AQA, 0xffffffff);
    expect(h.reg32(REG.AQA)).toBe(0x0fff0fff);
    h.w32(REG.ASQ, 0x12345000);
    h.w32(REG.ASQ + 4, 0x1);
    expect(h.reg64(REG.ASQ)).toBe(0x112345000n);
    h.w64(REG.ACQ, 0x200003000n);
    h.w32(REG.ACQ, 0x4000);
    expect(h.reg64(REG.ACQ)).toBe(0x200004000n);
  });

  it("INTMS sets and INTMC clears the mask; both read the mask (QEMU)", () => {
    h.w32(REG.INTMS, 0x5);
    expect(h.reg32(REG.INTMS)).toBe(0x5);
    expect(h.reg32(REG.INTMC)).toBe(0x5);
    h.w32(REG.INTMS, 0x2);
    h.w32(REG.INTMC, 0x1);
    expect(h.reg32(REG.INTMS)).toBe(0x6);
    expect(h.reg32(REG.INTMC)).toBe(0x6);
  });

  it("enable: CSTS.RDY = 1 and the admin queue runs commands", () => {
    const { asq, acq } = adminQueues(h);
    h.w32(REG.CC, CC_ENABLE);
    expect(h.reg32(REG.CSTS)).toBe(CSTS_RDY);
    expect(h.reg32(REG.CC)).toBe(CC_ENABLE);
    const buf = h.alloc(4096);
    identifyAt(h, asq, 0, 0x1234, buf);
    const c = cqeAt(h, acq, 0);
    expect(c).toMatchObject({ cid: 0x1234, phase: 1, status: 0, sqhd: 1, sqid: 0 });
    expect(u16(h.read(buf, 2), 0)).toBe(0x1b36); // Identify Controller VID
  });

  // Every check QEMU's nvme_start_ctrl makes; a failure sets CSTS.CFS and leaves RDY clear.
  const bad: Array<[string, (h: Host) => number]> = [
    ["ASQ not page aligned", (h) => { adminQueues(h, { asq: h.alloc(8192) + 64 }); return CC_ENABLE; }],
    ["ACQ not page aligned", (h) => { adminQueues(h, { acq: h.alloc(8192) + 16 }); return CC_ENABLE; }],
    ["CC.CSS = 001b (reserved)", (h) => { adminQueues(h); return CC_ENABLE | (1 << 4); }],
    ["CC.CSS = 110b but CAP.CSS bit 6 clear", (h) => { adminQueues(h); return CC_ENABLE | (6 << 4); }],
    ["CC.MPS above CAP.MPSMAX", (h) => { adminQueues(h); return CC_ENABLE | (5 << 7); }],
    ["ASQ aligned to 4 KiB but not to the 8 KiB page of CC.MPS = 1", (h) => {
      const base = h.alloc(16384, 8192);
      adminQueues(h, { asq: base + 4096, acq: h.alloc(8192, 8192) });
      return CC_ENABLE | (1 << 7);
    }],
    ["AQA.ASQS = 0", (h) => { adminQueues(h, { aqa: 3 << 16 }); return CC_ENABLE; }],
    ["AQA.ACQS = 0", (h) => { adminQueues(h, { aqa: 3 }); return CC_ENABLE; }],
    ["admin SQ outside host RAM", (h) => { adminQueues(h, { asq: h.ramSize }); return CC_ENABLE; }],
    ["admin CQ partly outside host RAM", (h) => { adminQueues(h, { acq: h.ramSize - 4096, aqa: 3 | (0x3ff << 16) }); return CC_ENABLE; }],
  ];
  for (const [what, setup] of bad) {
    it(`enable fails with CSTS.CFS: ${what}; reset clears it`, () => {
      const cc = setup(h);
      h.w32(REG.CC, cc);
      expect(h.reg32(REG.CSTS)).toBe(CSTS_CFS);
      // A second EN write while fatal changes nothing; CC.EN 1 -> 0 resets.
      h.w32(REG.CC, cc);
      expect(h.reg32(REG.CSTS)).toBe(CSTS_CFS);
      h.w32(REG.CC, 0);
      expect(h.reg32(REG.CSTS)).toBe(0);
      adminQueues(h);
      h.w32(REG.CC, CC_ENABLE);
      expect(h.reg32(REG.CSTS)).toBe(CSTS_RDY);
    });
  }

  it("8 KiB pages (CC.MPS = 1) are accepted with 8 KiB aligned queues", () => {
    adminQueues(h, { asq: h.alloc(8192, 8192), acq: h.alloc(8192, 8192) });
    h.w32(REG.CC, CC_ENABLE | (1 << 7));
    expect(h.reg32(REG.CSTS)).toBe(CSTS_RDY);
  });

  it("CC fields other than SHN/IOSQES/IOCQES do not change while enabled (§3.1.4.5)", () => {
    adminQueues(h);
    h.w32(REG.CC, CC_ENABLE);
    h.w32(REG.CC, CC_ENABLE | (2 << 7) | (1 << 11));
    expect(h.reg32(REG.CC)).toBe(CC_ENABLE);
    expect(h.reg32(REG.CSTS)).toBe(CSTS_RDY);
  });

  it("CC.EN 1 -> 0 is a Controller Level Reset: RDY clears, queues are gone, INTMS clears (§3.7.2)", () => {
    const { asq, acq } = adminQueues(h);
    h.w32(REG.CC, CC_ENABLE);
    h.w32(REG.INTMS, 0x3);
    h.w32(REG.CC, CC_ENABLE & ~1);
    expect(h.reg32(REG.CSTS)).toBe(0);
    expect(h.reg32(REG.INTMS)).toBe(0);
    // The admin queue no longer exists: a doorbell write does nothing.
    const buf = h.alloc(4096);
    identifyAt(h, asq, 0, 7, buf);
    expect(cqeAt(h, acq, 0).phase).toBe(0);
    // Enabled again, the queues start from slot 0 with phase 1.
    h.w32(REG.CC, CC_ENABLE);
    identifyAt(h, asq, 0, 8, buf);
    expect(cqeAt(h, acq, 0)).toMatchObject({ cid: 8, phase: 1, status: 0, sqhd: 1 });
  });

  for (const [name, shn] of [["normal", 1], ["abrupt", 2]] as const) {
    it(`shutdown (${name}): SHST = 10b at once, no more commands are fetched, reset restarts (§3.6)`, () => {
      const { asq, acq } = adminQueues(h);
      h.w32(REG.CC, CC_ENABLE);
      h.w32(REG.CC, CC_ENABLE | (shn << 14));
      expect(h.reg32(REG.CSTS)).toBe(CSTS_RDY | SHST_COMPLETE);
      const buf = h.alloc(4096);
      identifyAt(h, asq, 0, 9, buf);
      expect(cqeAt(h, acq, 0).phase).toBe(0);
      // Clearing SHN clears SHST, but a reset is needed to run commands again.
      h.w32(REG.CC, CC_ENABLE);
      expect(h.reg32(REG.CSTS)).toBe(CSTS_RDY);
      identifyAt(h, asq, 0, 9, buf);
      expect(cqeAt(h, acq, 0).phase).toBe(0);
      h.w32(REG.CC, 0);
      h.w32(REG.CC, CC_ENABLE);
      identifyAt(h, asq, 0, 10, buf);
      expect(cqeAt(h, acq, 0)).toMatchObject({ cid: 10, phase: 1, status: 0 });
    });
  }

  /** PersistentState.clean_shutdown: 1 once a shutdown completed, 0 again when enabled. */
  const cleanShutdown = () => new DataView(h.core.persistentBlock().buffer).getUint32(4, true);

  for (const [name, shn] of [["normal", 1], ["abrupt", 2]] as const) {
    it(`CC.SHN = ${shn} (${name}) while disabled: a shutdown, SHST = 10b; enabling with SHN = 00b in the same write resumes (Base 2.1 CSTS.SHST, QEMU)`, () => {
      const { asq, acq } = adminQueues(h);
      h.w32(REG.CC, CC_ENABLE & ~1);
      expect(h.reg32(REG.CSTS)).toBe(0);
      h.w32(REG.CC, (CC_ENABLE & ~1) | (shn << 14));
      expect(h.reg32(REG.CSTS)).toBe(SHST_COMPLETE); // not ready, shutdown complete
      expect(cleanShutdown()).toBe(1);
      h.w32(REG.CC, CC_ENABLE);
      expect(h.reg32(REG.CSTS)).toBe(CSTS_RDY);
      expect(cleanShutdown()).toBe(0);
      const buf = h.alloc(4096);
      identifyAt(h, asq, 0, 11, buf);
      expect(cqeAt(h, acq, 0)).toMatchObject({ cid: 11, phase: 1, status: 0 });
    });
  }

  it("CC.SHN cleared while disabled clears SHST (as while enabled); writing it again while set starts nothing", () => {
    h.w32(REG.CC, 1 << 14);
    expect(h.reg32(REG.CSTS)).toBe(SHST_COMPLETE);
    h.w32(REG.CC, 2 << 14); // 01b -> 10b: no new shutdown, SHST unchanged
    expect(h.reg32(REG.CSTS)).toBe(SHST_COMPLETE);
    h.w32(REG.CC, 0);
    expect(h.reg32(REG.CSTS)).toBe(0);
    expect(h.reg32(REG.CC)).toBe(0);
  });

  it("CC.EN 1 -> 0 and CC.SHN 00b -> 01b in one write: a reset, then a shutdown (Base 2.1 CC.SHN; QEMU leaves SHST 00b)", () => {
    const { asq, acq } = adminQueues(h);
    h.w32(REG.CC, CC_ENABLE);
    expect(h.reg32(REG.CSTS)).toBe(CSTS_RDY);
    h.w32(REG.CC, (CC_ENABLE & ~1) | (1 << 14));
    expect(h.reg32(REG.CSTS)).toBe(SHST_COMPLETE);
    expect(cleanShutdown()).toBe(1);
    // The reset deleted the admin queues: a doorbell finds none.
    const buf = h.alloc(4096);
    identifyAt(h, asq, 0, 12, buf);
    expect(cqeAt(h, acq, 0).phase).toBe(0);
    // A reset by CC.EN 1 -> 0 of a shut-down controller clears SHST (no new shutdown in that write).
    h.w32(REG.CC, CC_ENABLE);
    h.w32(REG.CC, CC_ENABLE | (1 << 14));
    expect(h.reg32(REG.CSTS)).toBe(CSTS_RDY | SHST_COMPLETE);
    h.w32(REG.CC, (CC_ENABLE & ~1) | (1 << 14));
    expect(h.reg32(REG.CSTS)).toBe(0);
  });

  it("NSSR: only \"NVMe\" resets the subsystem; CC clears and CSTS.NSSRO sets (§3.7.1)", () => {
    adminQueues(h);
    h.w32(REG.CC, CC_ENABLE);
    h.w32(REG.NSSR, 0x4e564d64);
    expect(h.reg32(REG.CSTS)).toBe(CSTS_RDY);
    h.w32(REG.NSSR, 0x4e564d65);
    expect(h.reg32(REG.CSTS)).toBe(CSTS_NSSRO);
    expect(h.reg32(REG.CC)).toBe(0);
    // NSSRO survives an enable, and is cleared by writing 1 to it (RW1C).
    h.w32(REG.CC, CC_ENABLE);
    expect(h.reg32(REG.CSTS)).toBe(CSTS_RDY | CSTS_NSSRO);
    h.w32(REG.CSTS, CSTS_NSSRO);
    expect(h.reg32(REG.CSTS)).toBe(CSTS_RDY);
  });

  it("doorbell writes while disabled are ignored", () => {
    const { asq, acq } = adminQueues(h);
    const buf = h.alloc(4096);
    identifyAt(h, asq, 0, 3, buf); // rings tail 1 before enable
    h.w32(REG.CC, CC_ENABLE);
    expect(cqeAt(h, acq, 0).phase).toBe(0);
  });

  it("writes beyond BAR0 or misaligned are ignored", () => {
    adminQueues(h);
    h.w32(REG.CC + 2, 0xffff);
    h.w32(h.core.layout.bar0Size, 1);
    h.w64(REG.CC, 1n); // 8-byte write to a 4-byte register
    expect(h.reg32(REG.CC)).toBe(0);
    expect(h.reg32(REG.CSTS)).toBe(0);
  });
});

describe("reset keeps the media", () => {
  for (const threaded of [false, true]) {
    it(`data written survives CC.EN reset and NSSR (${threaded ? "threaded" : "stepped"})`, async () => {
      const h = await Host.create({ threaded });
      try {
        const data = pattern(8 * 512, 1);
        expect(h.write512(1, 40, 8, data).status).toBe(0);
        h.driver.recover();
        expect(eq(h.readBlocks(1, 40, 8, 4096).data!, data)).toBe(true);
        h.port.write32(REG.NSSR, 0x4e564d65);
        h.driver.recover();
        expect(eq(h.readBlocks(1, 40, 8, 4096).data!, data)).toBe(true);
        expect(h.nuse(1)).toBe(8n);
      } finally {
        await h.close();
      }
    });
  }

  it("a completion that cannot be posted sets CSTS.CFS; the driver recovers by reset", async () => {
    const h = await Host.create();
    try {
      // Replace I/O queue pair 1 by an SQ whose CQ lies outside host RAM: its first
      // completion cannot be posted, so the controller becomes fatal.
      expect(h.adminCmd(sqe(OP.DELETE_SQ, { cdw10: 1 })).status).toBe(0);
      expect(h.adminCmd(sqe(OP.DELETE_CQ, { cdw10: 1 })).status).toBe(0);
      const sqBus = h.alloc(4096);
      expect(h.adminCmd(sqe(OP.CREATE_CQ, { prp1: BigInt(h.ramSize) * 2n, cdw10: 1 | (3 << 16), cdw11: 1 })).status).toBe(0);
      expect(h.adminCmd(sqe(OP.CREATE_SQ, { prp1: sqBus, cdw10: 1 | (3 << 16), cdw11: 1 | (1 << 16) })).status).toBe(0);
      h.ram.set(new Uint8Array(rw(OP.READ, 1, 0, 1, 0, { cid: 5, prp1: h.alloc(4096) }).buffer), sqBus);
      h.w32(h.sqDoorbell(1), 1);
      expect(h.reg32(REG.CSTS) & CSTS_CFS).toBe(CSTS_CFS);
      h.driver.recover();
      expect(h.reg32(REG.CSTS)).toBe(CSTS_RDY);
      expect(h.readBlocks(1, 0, 1, 512).status).toBe(0);
    } finally {
      await h.close();
    }
  });

  it("a CQ partly inside host RAM takes the completions that fit; the first one past the end is fatal", async () => {
    const h = await Host.create();
    try {
      // 258 entries of 16 bytes from the last page of host RAM: entries 256 and 257 lie past its end.
      expect(h.adminCmd(sqe(OP.DELETE_SQ, { cdw10: 1 })).status).toBe(0);
      expect(h.adminCmd(sqe(OP.DELETE_CQ, { cdw10: 1 })).status).toBe(0);
      const cqBus = h.ramSize - 4096;
      const sqBus = h.alloc(260 * 64);
      const buf = h.alloc(4096);
      expect(h.adminCmd(sqe(OP.CREATE_CQ, { prp1: BigInt(cqBus), cdw10: 1 | (257 << 16), cdw11: 1 })).status).toBe(0);
      expect(h.adminCmd(sqe(OP.CREATE_SQ, { prp1: sqBus, cdw10: 1 | (259 << 16), cdw11: 1 | (1 << 16) })).status).toBe(0);
      for (let i = 0; i < 257; i++) h.ram.set(new Uint8Array(rw(OP.READ, 1, i, 1, 0, { cid: i, prp1: buf }).buffer), sqBus + 64 * i);
      const dv = new DataView(h.ram.buffer, h.ram.byteOffset, h.ram.byteLength);
      h.w32(h.sqDoorbell(1), 256);
      expect(h.reg32(REG.CSTS)).toBe(CSTS_RDY);
      for (const i of [0, 255]) {
        const dw3 = dv.getUint32(cqBus + 16 * i + 12, true);
        expect(dw3 & 0xffff).toBe(i); // CID
        expect((dw3 >>> 16) & 1).toBe(1); // phase
        expect(dw3 >>> 17).toBe(0); // status
      }
      h.w32(h.sqDoorbell(1), 257);
      expect(h.reg32(REG.CSTS) & CSTS_CFS).toBe(CSTS_CFS);
    } finally {
      await h.close();
    }
  });
});
