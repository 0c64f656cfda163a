// disk.ts: the per-request counters (DiskAcct) and their DiskStats view (foldStats).

import { describe, expect, it } from "vitest";
import { Op } from "../../src/block/bio";
import { DiskAcct, accountDone, accountFlush, accountMerge, foldStats, inflightChange, newDiskStats } from "../../src/block/disk";

describe("DiskAcct", () => {
  it("folds each op group into the DiskStats fields blk_account_io_done counts it in", () => {
    const a = new DiskAcct();
    accountDone(a, Op.READ, 8, 100);
    accountDone(a, Op.WRITE, 16, 200);
    accountDone(a, Op.DISCARD, 32, 10);
    accountDone(a, Op.FLUSH, 0, 5);
    accountDone(a, Op.COPY_SRC, 4, 1);
    accountDone(a, Op.COPY_DST, 4, 2);
    accountMerge(a, false);
    accountMerge(a, true);
    accountMerge(a, true);
    accountFlush(a, 7);
    inflightChange(a, 0, 1);
    inflightChange(a, 30, -1);
    const s = foldStats(a, newDiskStats());
    expect(s.ios).toEqual([2, 2]);
    expect(s.sectors).toEqual([12, 20]);
    expect(s.ticks_ns).toEqual([101, 202]);
    expect(s.merges).toEqual([1, 2]);
    expect(s.in_queue_ns).toBe(100 + 200 + 10 + 5 + 1 + 2 + 7);
    expect([s.discards, s.discard_sectors, s.flushes, s.copies, s.copy_sectors]).toEqual([1, 32, 2, 1, 4]);
    expect([s.busy_ns, s.inflight, s.since_ns]).toEqual([30, 0, 30]);
  });

  it("is a view: folding again writes the same record with the counters as of now", () => {
    const a = new DiskAcct();
    const view = newDiskStats();
    accountDone(a, Op.READ, 8, 1);
    expect(foldStats(a, view).ios).toEqual([1, 0]);
    accountDone(a, Op.READ, 8, 1);
    expect(foldStats(a, view)).toBe(view);
    expect(view.ios).toEqual([2, 0]);
  });
});
