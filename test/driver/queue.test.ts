// The host's queue pair (src/driver/queue.ts): commands submitted with CIDs of the caller's
// (nvme-blk gives its requests' tags, or CIDs above them) are found again by their CQE's CID,
// whether the CID is in the array part (below twice the depth) or beyond it; a CID in flight
// cannot be given twice, and is free again once its CQE is reaped.

import { describe, it, expect } from "vitest";
import { rig } from "../helpers";
import { newSqe } from "../../src/driver/sqe";
import * as O from "../../assembly/spec/opcodes";

describe("QueuePair CIDs", () => {
  it("finds commands by explicit CIDs near and far, refuses a CID in flight, frees it at its CQE", async () => {
    const r = await rig({ threaded: false });
    try {
      const q = r.driver.ioQueue(0);
      const port = r.driver.port;
      const near = 2 * q.depth - 1, far = 60_000;
      const tags = [near, far, 7].map((cid) => q.submit(newSqe(O.NVM_FLUSH, 1), cid));
      expect(tags.every((t) => t >= 0)).toBe(true);
      expect(new Set(tags).size).toBe(3);
      expect(() => q.submit(newSqe(O.NVM_FLUSH, 1), far)).toThrow(`CID ${far} is already in flight on queue ${q.qid}`);
      expect(() => q.submit(newSqe(O.NVM_FLUSH, 1), near)).toThrow(/already in flight/);
      q.ring(port);
      port.kick();
      let reaped = 0;
      for (let i = 0; i < 100 && reaped < 3; i++) { reaped += q.reap(port); port.poll(); }
      expect(reaped).toBe(3);
      // each completion lands under the tag its CID was submitted with
      expect(tags.map((t) => q.completion(t).cid)).toEqual([near, far, 7]);
      expect(tags.map((t) => q.completion(t).status)).toEqual([0, 0, 0]);
      // free again: the same CIDs can be given once more
      const again = [near, far].map((cid) => q.submit(newSqe(O.NVM_FLUSH, 1), cid));
      expect(again.every((t) => t >= 0)).toBe(true);
      q.ring(port);
      port.kick();
      for (let i = 0; i < 100 && q.room() < q.depth - 1; i++) { q.reap(port); port.poll(); }
      expect(again.map((t) => q.completion(t).cid)).toEqual([near, far]);
    } finally {
      await r.close();
    }
  });
});
