// StepPort's ordering stamps (src/controller/port.ts): each step notes how far the caller's
// own event stream had got, and stampOf gives it back for any controller event, by the
// ring's sequence number. The lab uses it to place controller events among block events of
// the same modelled time (src/lab/session.ts blkBefore).

import { describe, it, expect } from "vitest";
import { ControllerCore } from "../../src/controller/core";
import { defaultConfig } from "../../src/controller/config";
import { StepPort } from "../../src/controller/port";
import { NvmeDriver } from "../../src/driver/nvme";
import { readEvents, eventSeq } from "../../src/controller/events";
import { loadCoreModule } from "../../src/node/wasm";
import * as L from "../../assembly/layout";

async function stamped() {
  const core = await ControllerCore.create(await loadCoreModule(true), defaultConfig(), { traceMask: L.TRACE_ALL });
  core.exports.ctrl_power_on();
  const host = { stamp: 0 };
  const port = new StepPort(core, () => 0, () => host.stamp);
  const driver = new NvmeDriver(port, { ioQueues: 1 });
  return { core, port, driver, host };
}

describe("StepPort stamps", () => {
  it("stamps every event a step records with the caller's count when the step ran", async () => {
    const { core, port, driver, host } = await stamped();
    driver.bringUp();
    const upTo = eventSeq(core);
    host.stamp = 3;
    expect(driver.identify(1).status).toBe(0);
    const identified = eventSeq(core);
    host.stamp = 7;
    expect(driver.identify(1, 1).status).toBe(0);
    const events = readEvents(core, 0);
    expect(events.length).toBeGreaterThan(identified);
    for (const e of events) expect(port.stampOf(e.seq), `event ${e.seq}`).toBe(e.seq < upTo ? 0 : e.seq < identified ? 3 : 7);
    // the admin fetches after bring-up are stamped with the count their doorbell's step saw
    const fetches = events.filter((e) => e.kind === L.EVK_FETCH && e.seq >= upTo).map((e) => port.stampOf(e.seq));
    expect(fetches).toEqual([3, 7]);
  });

  it("a step that records nothing leaves no mark; without a stamp there is none", async () => {
    const { core, port, driver, host } = await stamped();
    driver.bringUp();
    port.poll(); // delivers bring-up's last CQ head doorbell, still in the mailbox
    const quiet = eventSeq(core);
    host.stamp = 5;
    port.poll(); // nothing posted: no event
    expect(eventSeq(core)).toBe(quiet);
    host.stamp = 6;
    expect(driver.identify(1).status).toBe(0);
    const after = readEvents(core, 0).filter((e) => port.stampOf(e.seq) !== 0);
    expect(after.length).toBeGreaterThan(0);
    expect(after.every((e) => port.stampOf(e.seq) === 6)).toBe(true);
    expect(new StepPort(core).stampOf(0)).toBeUndefined();
  });

  it("keeps stamps for the events still in the ring, however many steps a run takes", async () => {
    const { core, port, driver, host } = await stamped();
    driver.bringUp();
    const ring = core.layout.eventsCount;
    // three times as many stamped steps as the ring holds events: a register write each, one
    // event each (INTMS: masking the admin vector, harmless here)
    const steps = 3 * ring;
    for (let i = 1; i <= steps; i++) {
      host.stamp = i;
      port.write32(0x0c, 1);
      port.poll();
    }
    expect(readEvents(core, eventSeq(core) - 1)[0].kind).toBe(L.EVK_MMIO_WRITE);
    const marks = (port as unknown as { markSeq: number[] }).markSeq.length;
    expect(marks).toBeLessThanOrEqual(2 * (ring + 1));
    const events = readEvents(core, 0);
    expect(events.length).toBe(ring);
    let last = 0;
    for (const e of events) {
      const s = port.stampOf(e.seq)!;
      expect(s).toBeGreaterThanOrEqual(last);
      last = s;
    }
    // the oldest event still in the ring keeps its own step's stamp
    expect(port.stampOf(events[0].seq)).toBe(steps - ring + 1);
    expect(port.stampOf(events[events.length - 1].seq)).toBe(steps);
  });
});

describe("StepPort writes", () => {
  // INTMS (0x0c) and INTMC (0x10) writes record an MMIO write event each (offset, value),
  // harmless on a brought-up controller: the events show the order the controller saw
  async function writes(post: (port: StepPort) => void) {
    const { core, port, driver } = await stamped();
    driver.bringUp();
    port.poll();
    const from = eventSeq(core);
    post(port);
    const before = eventSeq(core);
    port.poll();
    const seen = readEvents(core, from).filter((e) => e.kind === L.EVK_MMIO_WRITE).map((e) => [e.arg32, Number(e.a)]);
    return { before: before - from, seen };
  }

  it("applies held writes at the next step, in the order written", async () => {
    const r = await writes((p) => { p.write32(0x0c, 1); p.write32(0x10, 1); });
    expect(r.before).toBe(0);
    expect(r.seen).toEqual([[0x0c, 1], [0x10, 1]]);
  });

  it("keeps the order when writes also go through the mailbox", async () => {
    // a 64-bit write first: the 32-bit ones after it follow it into the mailbox
    const a = await writes((p) => { p.write64(0x28, 0x10000n); p.write32(0x0c, 2); p.write32(0x10, 2); });
    expect(a.seen).toEqual([[0x28, 0x10000], [0x0c, 2], [0x10, 2]]);
    // two held, the rest (more than the mailbox holds) through the mailbox, which fills and steps
    const n = 600;
    const b = await writes((p) => { for (let i = 0; i < n; i++) p.write32(i & 1 ? 0x10 : 0x0c, i); });
    expect(b.seen).toEqual(Array.from({ length: n }, (_, i) => [i & 1 ? 0x10 : 0x0c, i]));
  });

  it("a register read applies held writes first", async () => {
    const { port, driver } = await stamped();
    driver.bringUp();
    port.write32(0x0c, 0x4);
    expect(port.read32(0x0c) & 0x4).toBe(0x4);
  });
});
