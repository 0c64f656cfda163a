// The bio (src/block/bio.ts): a reused bio (Bio.reinit, as the kernel's bio cache hands a
// freed bio back) is indistinguishable from a new one but for its id, which counts on.

import { describe, it, expect } from "vitest";
import { Bio, BlkStatus, OP_NAMES, Op, REQ_POLLED, bioChain, bioEndio, opIsCopy } from "../../src/block/bio";
import { mkHost } from "./helpers";

describe("Bio.reinit (bio_reset + bio_init)", () => {
  it("leaves every field as the constructor does, with the next id", async () => {
    const { d } = await mkHost();
    const parent = new Bio(d, Op.WRITE, 0, 8192, [{ bus: 0, len: 8192 }]);
    const used = new Bio(d, Op.WRITE, 8, 4096, [{ bus: 4096, len: 4096 }], 1 << 3, 7);
    // everything a bio picks up on its way: chaining, an end_io, an error, a copy vector, a trace origin
    bioChain(used, parent);
    used.endio = () => {};
    used.status = BlkStatus.IOERR;
    used.copySrc = [{ sector: 1, sectors: 1 }];
    used.origin = parent;
    used.queued = true;
    used.private_ = { x: 1 };
    bioEndio(used);
    expect(used.ended).toBe(true);
    const vecs = [{ bus: 8192, len: 512 }];
    used.reinit(d, Op.READ, 16, 512, vecs, REQ_POLLED, 3);
    const fresh = new Bio(d, Op.READ, 16, 512, vecs, REQ_POLLED, 3);
    expect(used.id).toBe(fresh.id - 1); // numbered in allocation order, as a new bio
    expect(Object.keys(used)).toEqual(Object.keys(fresh));
    // field by field, by identity (a deep diff would walk the whole device graph)
    const differ = Object.keys(fresh).filter((k) => k !== "id" && !Object.is((used as any)[k], (fresh as any)[k]));
    expect(differ).toEqual([]);
  });
});

describe("opIsCopy", () => {
  it("holds for the copy ops and for no other op (they are the ops from COPY_SRC up)", () => {
    for (const [op, name] of Object.entries(OP_NAMES)) {
      expect(opIsCopy(Number(op) as Op), name).toBe(name.startsWith("COPY"));
    }
  });
});
