// The host's queue pair (src/driver/queue.ts): commands submitted with CIDs of the caller's
// (nvme-blk gives nvme_cid's: a generation in bits 15:12 over the request's tag) are found
// again by their CQE's CID through its low 12 bits (the command's tag), or through the map when
// another command in flight had those bits first; a CID in flight cannot be given twice and is free again once its
// CQE is reaped; a CID the queue picks avoids every CID in flight; reapNext hands CQEs in place.

import { describe, it, expect } from "vitest";
import { rig } from "../helpers";
import { newSqe } from "../../src/driver/sqe";
import { QueuePair } from "../../src/driver/queue";
import * as O from "../../assembly/spec/opcodes";
import type { ControllerPort } from "../../src/controller/port";

/** Ring, run the controller and reap until the queue is empty again. */
function drain(q: QueuePair, port: ControllerPort): void {
  q.ring(port);
  port.kick();
  for (let i = 0; i < 100 && q.room() < q.depth - 1; i++) { q.reap(port); port.poll(); }
  expect(q.room()).toBe(q.depth - 1);
}

describe("QueuePair CIDs", () => {
  it("nvme_cid's CIDs: the same tag with a new generation, two CIDs with the same low bits, a duplicate refused", async () => {
    const r = await rig({ threaded: false });
    try {
      const q = r.driver.ioQueue(0);
      const port = r.driver.port;
      // generation 1 over tags 3 and 5, then generation 2 over tag 5 while 0x1005 is in flight
      const cids = [0x1003, 0x1005, 0x2005, 60_000];
      const tags = cids.map((cid) => q.submit(newSqe(O.NVM_FLUSH, 1), cid));
      expect(tags.every((t) => t >= 0)).toBe(true);
      expect(new Set(tags).size).toBe(4);
      expect(() => q.submit(newSqe(O.NVM_FLUSH, 1), 0x2005)).toThrow(`CID ${0x2005} is already in flight on queue ${q.qid}`);
      expect(() => q.submit(newSqe(O.NVM_FLUSH, 1), 0x1003)).toThrow(/already in flight/);
      drain(q, port);
      // each completion lands under the tag its CID was submitted with
      expect(tags.map((t) => q.completion(t).cid)).toEqual(cids);
      expect(tags.map((t) => q.completion(t).status)).toEqual([0, 0, 0, 0]);
      // free again: the next generations of the same tags, and the same CIDs once more
      const again = [0x2003, 0x3005, 0x1005].map((cid) => q.submit(newSqe(O.NVM_FLUSH, 1), cid));
      drain(q, port);
      expect(again.map((t) => q.completion(t).cid)).toEqual([0x2003, 0x3005, 0x1005]);
    } finally {
      await r.close();
    }
  });

  it("a CID the queue picks is its own next tag, or that tag with a generation when a caller's command in flight has that CID", async () => {
    const r = await rig({ threaded: false });
    try {
      const q = r.driver.ioQueue(0);
      const port = r.driver.port;
      // the caller's CID 0 is at tag 0 (its low bits); the queue's first pick of its own is 0, whose CID is taken
      const mine = q.submit(newSqe(O.NVM_FLUSH, 1), 0);
      const picked = q.submit(newSqe(O.NVM_FLUSH, 1));
      const next = q.submit(newSqe(O.NVM_FLUSH, 1));
      expect(mine).toBe(0);
      expect(picked).not.toBe(0);
      expect([q.cidOfTag[mine], q.cidOfTag[picked], q.cidOfTag[next]]).toEqual([0, 0x1000, 1]);
      drain(q, port);
      expect([q.completion(mine).cid, q.completion(picked).cid, q.completion(next).cid]).toEqual([0, 0x1000, 1]);
      // every tag is free again: the queue's picks start over at its last released tag
      expect(q.cidOfTag[mine]).toBe(-1);
    } finally {
      await r.close();
    }
  });

  it("reapNext hands each CQE in CQ order with its words in place; keep records one as reap does", async () => {
    const r = await rig({ threaded: false });
    try {
      const q = r.driver.ioQueue(0);
      const port = r.driver.port;
      const cids = [0x1007, 0x1002, 0x2009];
      const tags = cids.map((cid) => q.submit(newSqe(O.NVM_FLUSH, 1), cid));
      const seq0 = tags.map((t) => q.doneSeq[t]);
      q.ring(port);
      port.kick();
      const seen: number[] = [];
      for (let i = 0; i < 100 && seen.length < 3; i++) {
        for (let t = q.reapNext(false); t >= 0; t = q.reapNext(false)) {
          seen.push(t);
          // its CID in the entry, and its tag already free
          expect(q.cqeDw3() & 0xffff).toBe(cids[tags.indexOf(t)]);
          expect(q.cidOfTag[t]).toBe(-1);
          expect(q.cqeDw3() >>> 17).toBe(0);
          if (t === tags[1]) q.keep(t);
        }
        q.reapEnd(port);
        if (seen.length < 3) port.poll();
      }
      q.ackCompletions(port);
      // the controller fetched them in SQ order and posted them in that order
      expect(seen).toEqual(tags);
      expect(q.room()).toBe(q.depth - 1);
      // only the kept one is in cqe and doneSeq
      expect(tags.map((t, i) => q.doneSeq[t] - seq0[i])).toEqual([0, 1, 0]);
      expect(q.completion(tags[1]).cid).toBe(0x1002);
      expect(q.reapNext(false)).toBe(-1);
    } finally {
      await r.close();
    }
  });
});
