import { describe, it, expect } from "vitest";
import { rig } from "../helpers";
import { newSqe } from "../../src/driver/sqe";

describe("smoke", () => {
  for (const threaded of [false, true]) {
    it(`brings up, writes, reads, copies (${threaded ? "threaded" : "stepped"})`, async () => {
      const r = await rig({ threaded });
      try {
        const d = r.driver;
        expect(d.state).toBe("READY");
        expect(d.nsids).toEqual([1]);
        const data = new Uint8Array(4096).map((_, i) => (i * 7) & 0xff);
        const w = newSqe(0x01, 1); w[10] = 0; w[12] = 7;
        expect(d.exec(d.ioQueue(), w, { out: data }).status).toBe(0);
        const c = newSqe(0x19, 1); c[10] = 100; c[12] = 0;
        const range = new Uint8Array(32); new DataView(range.buffer).setBigUint64(8, 0n, true); new DataView(range.buffer).setUint16(16, 7, true);
        expect(d.exec(d.ioQueue(), c, { out: range }).status).toBe(0);
        const rd = newSqe(0x02, 1); rd[10] = 100; rd[12] = 7;
        const got = d.exec(d.ioQueue(), rd, { inLen: 4096 });
        expect(got.status).toBe(0);
        expect(Buffer.from(got.data!).equals(Buffer.from(data))).toBe(true);
        expect(r.core.nuse(1)).toBe(16);
      } finally {
        await r.close();
      }
    });
  }
});
