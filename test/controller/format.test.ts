// Format NVM (Base 2.1 §5.1.10; assembly/ctrl/format.ts): LBA format, MSET, PI and PIL in
// CDW10, with QEMU 10.0.2's checks in its order (NSID; per namespace: format index, metadata
// too small for the PI tuple, PI type) and the spec's Secure Erase Settings; erasure; the new
// format surviving a controller reset and reaching the host's configuration (saved state).

import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { Host, ns, rw, sqe, OP, DNR, SC } from "../host";

const fmt = (o: { lbaf: number; mset?: number; pi?: number; pil?: number; ses?: number }) =>
  (o.lbaf & 0xf) | ((o.mset ?? 0) << 4) | ((o.pi ?? 0) << 5) | ((o.pil ?? 0) << 8) | ((o.ses ?? 0) << 9);

describe("Format NVM", () => {
  let h: Host;
  beforeAll(async () => {
    h = await Host.create({ config: { namespaces: [ns(1, 1024), ns(2, 1024, { ms: 8, extended: true }), ns(3, 512, { pif: 2 })] } });
  });
  afterAll(async () => { await h.close(); });

  const format = (nsid: number, cdw10: number) => h.adminCmd(sqe(OP.FORMAT_NVM, { nsid, cdw10 })).status;
  const idns = (nsid: number) => h.identify(0, nsid).data!;

  it("NSID checks: 0 and above NN are Invalid Namespace or Format, an inactive NSID Invalid Field", () => {
    expect(format(0, 0)).toBe(SC.INVALID_NS_OR_FORMAT | DNR);
    expect(format(300, 0)).toBe(SC.INVALID_NS_OR_FORMAT | DNR);
    expect(format(9, 0)).toBe(SC.INVALID_FIELD | DNR);
  });

  it("a format index beyond NLBAF, or PI without room for the tuple: Invalid Format; PI type above 3: Invalid Field", () => {
    expect(format(1, fmt({ lbaf: 8 }))).toBe(SC.INVALID_FORMAT | DNR);
    expect(format(1, fmt({ lbaf: 0, pi: 1 }))).toBe(SC.INVALID_FORMAT | DNR); // 512+0
    expect(format(3, fmt({ lbaf: 1, pi: 1 }))).toBe(SC.INVALID_FORMAT | DNR); // 512+8, 64b guard needs 16
    expect(format(1, fmt({ lbaf: 1, pi: 4 }))).toBe(SC.INVALID_FIELD | DNR);
    expect(format(1, fmt({ lbaf: 0, pi: 5 }))).toBe(SC.INVALID_FORMAT | DNR); // the metadata check comes first
  });

  it("Secure Erase Settings: user data erase accepted; cryptographic erase (FNA bit 2 = 0) and reserved values refused", () => {
    expect(format(1, fmt({ lbaf: 0, ses: 2 }))).toBe(SC.INVALID_FIELD | DNR);
    expect(format(1, fmt({ lbaf: 0, ses: 5 }))).toBe(SC.INVALID_FIELD | DNR);
    expect(format(1, fmt({ lbaf: 0, ses: 1 }))).toBe(0);
  });

  it("erases the namespace and takes the new format, PI type and location: FLBAS, DPS, I/O", () => {
    expect(h.write512(2, 0, 4, new Uint8Array(4 * 520).fill(7)).status).toBe(0);
    expect(h.nuse(2)).toBe(4n);
    expect(format(2, fmt({ lbaf: 2, mset: 1, pi: 2, pil: 1 }))).toBe(0);
    const id = idns(2);
    expect(id[26]).toBe(0x12); // FLBAS: format 2 (512+16), extended
    expect(id[29]).toBe(0x0a); // DPS: type 2, first
    expect(h.nuse(2)).toBe(0n);
    // The namespace is now 512+16 with PI: a PRACT write carries 528 bytes per block (ms > tuple).
    const w = h.ioCmd(rw(OP.WRITE, 2, 0, 1, (8 << 26) >>> 0, { cdw14: 0, cdw15: 0 }), { out: new Uint8Array(528).fill(1) });
    expect(w.status).toBe(0);
    const r = h.ioCmd(rw(OP.READ, 2, 0, 2), { inLen: 1056 });
    expect(r.data!.subarray(512, 514)).not.toEqual(new Uint8Array([1, 1])); // the generated guard, first
    expect(r.data!.subarray(528 + 512, 528 + 520)).toEqual(new Uint8Array(8).fill(0xff)); // LBA 1 unwritten
  });

  it("the new format survives a controller reset, and the configuration slot holds it for the host", () => {
    h.driver.bringUp(); // CC.EN 1 -> 0 -> 1
    expect(idns(2)[26]).toBe(0x12);
    expect(idns(2)[29]).toBe(0x0a);
    const c = h.core.formatsInUse().find((n) => n.nsid === 2)!;
    expect(c).toEqual({ nsid: 2, formatIndex: 2, extended: true, pi: 2, pil: 1 });
  });

  it("another data size: the media map is rebuilt; data written afterwards reads back", () => {
    expect(format(1, fmt({ lbaf: 4 }))).toBe(0); // 4096+0
    expect(idns(1)[26]).toBe(4);
    const data = new Uint8Array(8192).map((_, i) => i & 0xff);
    expect(h.write512(1, 1000, 2, data).status).toBe(0);
    expect(h.readBlocks(1, 1000, 2, 8192).data).toEqual(data);
    expect(format(1, fmt({ lbaf: 0 }))).toBe(0);
    expect(h.readBlocks(1, 1000, 1, 512).data).toEqual(new Uint8Array(512));
  });

  it("NSID FFFFFFFFh formats every namespace, or none when one cannot take the format", () => {
    expect(h.write512(1, 0, 1, new Uint8Array(512).fill(9)).status).toBe(0);
    expect(format(0xffffffff, fmt({ lbaf: 1, pi: 1 }))).toBe(SC.INVALID_FORMAT | DNR); // ns 3 (64b guard) cannot
    expect(h.readBlocks(1, 0, 1, 512).data).toEqual(new Uint8Array(512).fill(9));
    expect(format(0xffffffff, fmt({ lbaf: 2, pi: 3 }))).toBe(0);
    for (const nsid of [1, 2, 3]) expect(idns(nsid)[29], `ns ${nsid}`).toBe(3);
    expect(h.nuse(1)).toBe(0n);
  });
});
