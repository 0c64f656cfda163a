// Asynchronous Event Request (Base 2.1 §5.1.2) and Abort (§5.1.1): the AERL limit, events
// queued until a request is outstanding, an event type masked once reported until the host
// reads its log page with RAE cleared (§5.1.12.1), and aborting an outstanding AER (QEMU:
// the AER completes with Command Abort Requested, Abort's DW0 bit 0 = 0).

import { describe, it, expect, beforeEach, afterEach } from "vitest";
import { Host, sqe, cqeAt, OP, REG, CC_ENABLE, DNR, SC } from "../host";
import { Completion } from "../../src/driver/queue";

describe("Asynchronous Event Request", () => {
  let h: Host;
  beforeEach(async () => { h = await Host.create(); });
  afterEach(async () => { await h.close(); });

  /** Submit an AER without waiting; poll() returns its completion once there is one. */
  function aer() {
    const tag = h.admin.submit(sqe(OP.AER));
    const cid = h.admin.cidOfTag[tag];
    const seq = h.admin.doneSeq[tag];
    h.admin.ring(h.port);
    h.port.kick();
    const poll = (): Completion | null => {
      h.step();
      h.admin.reap(h.port);
      return h.admin.doneSeq[tag] !== seq ? h.admin.completion(tag) : null;
    };
    return { cid, poll };
  }
  /** A host error the controller reports as an event: a doorbell of a queue that does not exist. */
  const badDoorbell = (info: "register" | "value") =>
    info === "register" ? h.w32(h.sqDoorbell(40), 1) : h.w32(h.sqDoorbell(1), 0xffff);
  const REGISTER = 0x00010000, VALUE = 0x00010100;

  it("AERL + 1 requests may be outstanding; one more is Asynchronous Event Request Limit Exceeded", () => {
    const held = [aer(), aer(), aer(), aer()]; // AERL = 3 (0's based)
    for (const a of held) expect(a.poll()).toBeNull();
    const extra = aer().poll();
    expect(extra).toMatchObject({ status: SC.AER_LIMIT_EXCEEDED });
    // The limit counts outstanding requests: once one completes another may be submitted.
    badDoorbell("register");
    expect(held[0].poll()).toMatchObject({ status: 0, dw0: REGISTER });
    expect(aer().poll()).toBeNull();
    expect(aer().poll()).toMatchObject({ status: SC.AER_LIMIT_EXCEEDED });
  });

  it("requests complete oldest first", () => {
    const a = aer(), b = aer();
    badDoorbell("register");
    expect(b.poll()).toBeNull();
    expect(a.poll()).toMatchObject({ status: 0, dw0: REGISTER });
  });

  it("an event type stays masked until its log page is read with RAE = 0", () => {
    const a = aer();
    badDoorbell("register");
    expect(a.poll()).toMatchObject({ dw0: REGISTER });
    const b = aer();
    badDoorbell("value"); // another Error event: masked
    expect(b.poll()).toBeNull();
    expect(h.getLog(0x01, 64, { rae: true }).status).toBe(0); // Retain Asynchronous Event: still masked
    expect(b.poll()).toBeNull();
    expect(h.getLog(0x02, 512).status).toBe(0); // another log page: no effect on Error events
    expect(b.poll()).toBeNull();
    expect(h.getLog(0x01, 64).status).toBe(0); // RAE = 0 clears the mask: the queued event is reported
    expect(b.poll()).toMatchObject({ status: 0, dw0: VALUE });
  });

  // SMART / Health, Temperature Threshold: type 001b, info 01h, log page 02h (QEMU nvme_smart_event).
  const TEMPERATURE = 0x00020101;

  it("a temperature threshold crossed by Set Features is a SMART event when AEC bit 1 enables it", () => {
    const a = aer();
    expect(h.setFeature(0x04, 300).status).toBe(0); // over-temperature threshold below 313 K, AEC off
    expect(a.poll()).toBeNull();
    expect(h.setFeature(0x04, 343).status).toBe(0);
    expect(h.setFeature(0x0b, 0x02).status).toBe(0); // AEC: temperature warnings
    expect(h.setFeature(0x04, 310).status).toBe(0);
    expect(a.poll()).toMatchObject({ status: 0, dw0: TEMPERATURE });
    // Masked until the SMART log is read with RAE cleared; the Error log does not unmask it.
    const b = aer();
    expect(h.setFeature(0x04, (1 << 20) | 320).status).toBe(0); // under-temperature threshold above 313 K
    expect(b.poll()).toBeNull();
    expect(h.getLog(0x01, 64).status).toBe(0);
    expect(b.poll()).toBeNull();
    expect(h.getLog(0x02, 512, { rae: true }).status).toBe(0);
    expect(b.poll()).toBeNull();
    expect(h.getLog(0x02, 512).status).toBe(0);
    expect(b.poll()).toMatchObject({ status: 0, dw0: TEMPERATURE });
    // Error events are a separate type: not masked by the SMART event.
    const c = aer();
    badDoorbell("register");
    expect(c.poll()).toMatchObject({ dw0: REGISTER });
  });

  it("thresholds that the temperature does not cross raise no event", () => {
    expect(h.setFeature(0x0b, 0x02).status).toBe(0);
    const a = aer();
    expect(h.setFeature(0x04, 350).status).toBe(0);
    expect(h.setFeature(0x04, (1 << 20) | 300).status).toBe(0);
    expect(h.setFeature(0x04, (1 << 16) | 200).status).toBe(0); // another sensor: ignored
    expect(a.poll()).toBeNull();
  });

  it("the same event is not queued twice while it waits", () => {
    badDoorbell("register");
    badDoorbell("register");
    expect(aer().poll()).toMatchObject({ dw0: REGISTER });
    expect(h.getLog(0x01, 64).status).toBe(0);
    expect(aer().poll()).toBeNull();
  });

  it("Abort of an outstanding AER: it completes with Command Abort Requested; Abort DW0 = 0", () => {
    const a = aer();
    expect(a.poll()).toBeNull();
    const r = h.adminCmd(sqe(OP.ABORT, { cdw10: (0 | (a.cid << 16)) >>> 0 }));
    expect(r).toMatchObject({ status: 0, dw0: 0 });
    expect(a.poll()).toMatchObject({ status: SC.ABORT_REQUESTED, dw0: 0 });
    // An aborted request no longer counts against the limit, nor receives events.
    badDoorbell("register");
    expect(aer().poll()).toMatchObject({ dw0: REGISTER });
  });

  it("Abort of a command that is not outstanding: success with DW0 bit 0 = 1 (not aborted)", () => {
    expect(h.adminCmd(sqe(OP.ABORT, { cdw10: (1 | (77 << 16)) >>> 0 }))).toMatchObject({ status: 0, dw0: 1 });
    expect(h.adminCmd(sqe(OP.ABORT, { cdw10: 0 | (0x1234 << 16) }))).toMatchObject({ status: 0, dw0: 1 });
  });

  it("Abort naming an SQ that does not exist: Invalid Field (QEMU), DW0 = 1", () => {
    expect(h.adminCmd(sqe(OP.ABORT, { cdw10: 9 }))).toMatchObject({ status: SC.INVALID_FIELD | DNR, dw0: 1 });
  });

  it("a Controller Level Reset drops outstanding requests and pending events", () => {
    const a = aer();
    expect(a.poll()).toBeNull();
    badDoorbell("value"); // completes a
    expect(a.poll()).toMatchObject({ dw0: VALUE });
    badDoorbell("register"); // masked, pending
    h.driver.recover();
    // After reset nothing is masked or pending: a new event is reported at once, the old one is gone.
    const b = aer();
    expect(b.poll()).toBeNull();
    badDoorbell("value");
    expect(b.poll()).toMatchObject({ dw0: VALUE });
  });

  it("an outstanding AER holds a slot of the admin CQ: with a 2-entry admin CQ other commands wait", async () => {
    const s = await Host.create({ up: false });
    try {
      const asq = s.alloc(4096), acq = s.alloc(4096), buf = s.alloc(4096);
      s.w32(REG.AQA, 3 | (1 << 16)); // SQ of 4 entries, CQ of 2 (one usable slot)
      s.w64(REG.ASQ, BigInt(asq));
      s.w64(REG.ACQ, BigInt(acq));
      s.w32(REG.CC, CC_ENABLE);
      s.ram.set(new Uint8Array(sqe(OP.AER, { cid: 1 }).buffer), asq);
      s.ram.set(new Uint8Array(sqe(OP.IDENTIFY, { cid: 2, cdw10: 1, prp1: buf }).buffer), asq + 64);
      s.w32(0x1000, 2);
      expect(cqeAt(s, acq, 0).phase).toBe(0); // the Identify waits: its slot is the AER's
      s.w32(s.sqDoorbell(40), 1); // an event completes the AER into that slot
      expect(cqeAt(s, acq, 0)).toMatchObject({ cid: 1, status: 0, dw0: REGISTER, phase: 1 });
      expect(cqeAt(s, acq, 1).phase).toBe(0);
      s.w32(0x1004, 1); // consumed: now the Identify runs
      expect(cqeAt(s, acq, 1)).toMatchObject({ cid: 2, status: 0, phase: 1, sqhd: 2 });
    } finally { await s.close(); }
  });
});
