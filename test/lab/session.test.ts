// The playground's laboratory (src/lab/session.ts) in Node: a run keeps its controller's events
// and media; hexdump reads, image export and re-import (same hash), and bad input that
// changes nothing.

import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { LabSession, LabError, MAX_READ_BLOCKS } from "../../src/lab/session";
import { loadCoreModule } from "../../src/node/wasm";
import { Sha256 } from "../../src/util/sha256";
import * as L from "../../assembly/layout";

const lab = () => new LabSession(() => loadCoreModule(false), () => new Sha256());
const example = (name: string) => JSON.parse(readFileSync(`examples/blk/${name}.json`, "utf8")) as unknown;

describe("LabSession", () => {
  it("runs a setup and returns block events, NVMe commands and the controller's events", async () => {
    const s = lab();
    const r = await s.run(example("vector-merge"));
    expect(r.design).toBe("vector");
    expect(r.events.some((e) => e.action === "M")).toBe(true);
    const copies = r.commands.filter((c) => c.name === "Copy");
    expect(copies.length).toBeGreaterThan(0);
    // the controller fetched and completed every command the driver issued for a request
    const fetched = r.controller.filter((e) => e.kind === L.EVK_FETCH && e.sqid > 0);
    const completed = r.controller.filter((e) => e.kind === L.EVK_COMPLETE && e.sqid > 0);
    expect(fetched.length).toBe(r.commands.length);
    expect(completed.length).toBe(r.commands.length);
    expect(r.controller.some((e) => e.kind === L.EVK_CREATE_SQ)).toBe(true);
    expect(r.controllerEventsLost).toBe(0);
    expect(r.namespaces).toEqual([{ nsid: 1, lbaBytes: 512, metadataBytes: 0, blocks: 131072, imageBytes: 64 << 20 }]);
  });

  it("says where each controller event stands among the block events: blkBefore, from the step that recorded it", async () => {
    for (const name of ["vector-merge", "kcopyd-percpu", "snapshot-cow"]) {
      const r = await lab().run(example(name));
      let last = 0;
      for (const e of r.controller) {
        // the ring's order is the order things happened: the count never goes back
        expect(e.blkBefore).toBeGreaterThanOrEqual(last);
        last = e.blkBefore;
        // the block events before it are not later than its step; those after, not earlier
        if (e.blkBefore > 0) expect(r.events[e.blkBefore - 1].time_ns).toBeLessThanOrEqual(e.timeNs);
        if (e.blkBefore < r.events.length) expect(r.events[e.blkBefore].time_ns).toBeGreaterThanOrEqual(e.timeNs);
      }
      // bring-up ran before the first bio; the last step (the run's last CQ head doorbell) after every block event
      const firstIo = r.controller.findIndex((e) => e.kind === L.EVK_DOORBELL_SQ && e.sqid > 0);
      // (its last CQ head doorbell too: BlockHost delivers it before any bio)
      const bringUp = r.controller.slice(0, firstIo);
      expect(bringUp.every((e) => e.blkBefore === 0 && e.timeNs === 0)).toBe(true);
      expect(bringUp.filter((e) => e.kind === L.EVK_FETCH).length).toBeGreaterThanOrEqual(7);
      expect(bringUp[bringUp.length - 1].kind).toBe(L.EVK_DOORBELL_CQ);
      expect(r.controller[r.controller.length - 1].blkBefore).toBe(r.events.length);
      // each I/O command is fetched in the step its D's commit_rqs ran: after that D
      const fetches = r.controller.filter((e) => e.kind === L.EVK_FETCH && e.sqid > 0);
      const ds = r.events.flatMap((e, i) => (e.action === "D" && e.major === 259 ? [i] : []));
      expect(fetches.length).toBeGreaterThan(0);
      for (const f of fetches) expect(ds.some((i) => i < f.blkBefore && r.events[i].time_ns === f.timeNs), `${name} fetch ${f.seq}`).toBe(true);
    }
  });

  it("delivers the host's last CQ head doorbell: every CQ's head reaches its tail at the end", async () => {
    const r = await lab().run(example("vector-merge"));
    const posted = new Map<number, number>();
    const head = new Map<number, number>();
    for (const e of r.controller) {
      if (e.kind === L.EVK_COMPLETE) posted.set(e.arg32, (posted.get(e.arg32) ?? 0) + 1);
      if (e.kind === L.EVK_DOORBELL_CQ) head.set(e.sqid, e.arg32);
    }
    // 19 I/O commands on a 256-entry CQ 1: the host acknowledged all 19 (commitRqs reaps, then ackCompletions)
    expect(posted.get(1)).toBe(r.commands.length);
    expect(head.get(1)).toBe(r.commands.length);
    const last = r.controller[r.controller.length - 1];
    expect(last.kind).toBe(L.EVK_DOORBELL_CQ);
    expect(last.timeNs).toBe(r.end_ns);
  });

  it("reads blocks as the media holds them, and refuses reads outside the namespace", async () => {
    const s = lab();
    await expect(async () => s.readBlocks(1, 0, 1)).rejects.toThrow(/nothing has run yet/);
    const r = await s.run(example("vector-merge"));
    const { data } = s.readBlocks(1, 0, 2);
    expect(data.length).toBe(1024);
    expect(data.some((b) => b !== 0)).toBe(true);
    // the first copy's destination (4M = LBA 8192) holds the first 8k of the source
    expect(s.readBlocks(1, 8192, 16).data).toEqual(s.readBlocks(1, 0, 16).data);
    expect(() => s.readBlocks(1, r.namespaces[0].blocks, 1)).toThrow(LabError);
    expect(() => s.readBlocks(1, 0, MAX_READ_BLOCKS + 1)).toThrow(/read 1\.\.256/);
    expect(() => s.readBlocks(2, 0, 1)).toThrow(/no namespace 2/);
  });

  it("exports an image and re-imports it with the same media hash; a wrong size changes nothing", async () => {
    const s = lab();
    await s.run(example("vector-merge"));
    const before = s.mediaHash(1);
    const image = s.exportImage(1);
    expect(image.length).toBe(64 << 20);
    expect(() => s.importImage(1, image.subarray(0, 1000), "short.img")).toThrow(/short\.img: it is 1000 bytes; namespace 1 needs 67108864 bytes/);
    expect(s.mediaHash(1)).toBe(before);
    // a blank image clears everything; the exported one brings it all back
    const blank = s.importImage(1, new Uint8Array(image.length));
    expect(blank).not.toBe(before);
    expect(s.stored(1)).toEqual([]);
    expect(s.importImage(1, image)).toBe(before);
  });

  it("a bad setup names where and keeps the last run", async () => {
    const s = lab();
    await s.run(example("vector-merge"));
    const h = s.mediaHash(1);
    await expect(s.run({ controller: {}, steps: [{ op: "fly" }] })).rejects.toThrow(/setup\.steps\[0\]/);
    expect(s.mediaHash(1)).toBe(h);
  });
});
