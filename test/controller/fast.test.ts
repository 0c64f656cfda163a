// The plain Read's fast path (assembly/ctrl/fast.ts) against the general path: the same reads on
// two controllers, one with tracing off (a plain Read takes the fast path) and one with every
// trace class on (every command takes the general path), must give the same statuses, CQE
// dwords, data, SMART counters and error log. The reads cover what the fast path accepts (one
// or two PRP pages, written, unwritten and zeroed blocks) and what it declines (several
// chunks, a PRP list, a failing check, a fused command, metadata).

import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { Host, OP, rw, ns, pattern } from "../host";
import { TRACE_ALL } from "../../assembly/layout";

const LID_ERROR_INFO = 0x01, LID_SMART = 0x02;

describe("plain Read fast path", () => {
  let fast: Host, general: Host;
  const config = { namespaces: [ns(1, 4096), ns(2, 1024, { lbaBytes: 4096 }), ns(3, 256, { ms: 8 })] };
  beforeAll(async () => {
    fast = await Host.create({ config });
    general = await Host.create({ config, trace: TRACE_ALL });
    for (const h of [fast, general]) {
      expect(h.write512(1, 0, 64, pattern(64 * 512, 3)).status).toBe(0);
      expect(h.ioCmd(rw(OP.WRITE_ZEROES, 1, 100, 40)).status).toBe(0);
      expect(h.ioCmd(rw(OP.WRITE, 2, 7, 3), { out: pattern(3 * 4096, 5) }).status).toBe(0);
      expect(h.ioCmd(rw(OP.WRITE, 3, 0, 4), { out: pattern(4 * 512, 9) }).status).toBe(0);
    }
  });
  afterAll(async () => { await fast.close(); await general.close(); });

  /** The same read on both controllers: one result per host, data compared by the caller. */
  const both = (s: () => Uint32Array, inLen: number, keepDptr = false) =>
    [fast, general].map((h) => h.ioCmd(s(), keepDptr ? { inLen, keepDptr } : { inLen }));

  const cases: Array<[string, number, number, number, number]> = [
    // name, nsid, slba, nlb, bytes
    ["one written block", 1, 5, 1, 512],
    ["4 KiB inside one chunk", 1, 8, 8, 4096],
    ["8 KiB: PRP1 and PRP2", 1, 0, 16, 8192],
    ["blocks across a chunk boundary", 1, 28, 8, 4096],
    ["a PRP list (16 KiB)", 1, 0, 32, 16384],
    ["never written blocks", 1, 2000, 8, 4096],
    ["zeroed blocks (Write Zeroes)", 1, 104, 8, 4096],
    ["4 KiB blocks", 2, 7, 2, 8192],
    ["the last block", 1, 4095, 1, 512],
    ["past the end (LBA Out of Range)", 1, 4095, 2, 1024],
    ["beyond MDTS", 1, 0, 1024, 512 * 1024],
    ["metadata namespace", 3, 0, 4, 2048],
    ["inactive NSID", 7, 0, 1, 512],
  ];
  for (const [name, nsid, slba, nlb, bytes] of cases) {
    it(name, () => {
      const [a, b] = both(() => rw(OP.READ, nsid, slba, nlb), bytes);
      expect(a.status).toBe(b.status);
      expect([a.dw0, a.dw1]).toEqual([b.dw0, b.dw1]);
      expect(Buffer.from(a.data ?? []).equals(Buffer.from(b.data ?? []))).toBe(true);
    });
  }

  it("a fused Read is declined and fails as on the general path", () => {
    const [a, b] = both(() => rw(OP.READ, 1, 0, 1, 0, { flags: 1 }), 512);
    expect(a.status).not.toBe(0);
    expect(a.status).toBe(b.status);
  });

  it("a Read whose PRP1 is not dword aligned is declined and fails as on the general path", () => {
    const [a, b] = [fast, general].map((h) => {
      const buf = h.alloc(4096);
      return h.ioCmd(rw(OP.READ, 1, 0, 1, 0, { prp1: buf + 2 }), { keepDptr: true });
    });
    expect(a.status).not.toBe(0);
    expect(a.status).toBe(b.status);
  });

  it("SMART counters and the error log come out the same", () => {
    // Both hosts ran every case above; their clocks are the same, so are Power On Hours.
    for (const [lid, len] of [[LID_SMART, 512], [LID_ERROR_INFO, 64 * 4]]) {
      const [a, b] = [fast, general].map((h) => h.getLog(lid, len));
      expect(a.status).toBe(0);
      expect(Buffer.from(a.data!).equals(Buffer.from(b.data!))).toBe(true);
    }
  });
});
