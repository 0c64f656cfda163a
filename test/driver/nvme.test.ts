// The host driver (src/driver/nvme.ts): what it tells before a command about the buffers it
// will give the command.

import { describe, it, expect } from "vitest";
import { rig } from "../helpers";
import { newSqe } from "../../src/driver/sqe";
import { namespaceFromJson } from "../../src/controller/config";

describe("plannedBuffers", () => {
  it("names the bus addresses exec then gives the data (PRP1) and metadata (MPTR) buffers, PRP lists included", async () => {
    const r = await rig({ config: { namespaces: [namespaceFromJson({ size: "8M", lbaSize: 512, ms: 8 }, 0, "test")] } });
    try {
      const d = r.driver;
      for (const blocks of [1, 8, 64, 300]) { // one page, two, a PRP list, a longer one
        const plan = d.plannedBuffers(blocks * 512, blocks * 8);
        const q = newSqe(0x02, 1); q[12] = blocks - 1;
        const got = d.exec(d.ioQueue(), q, { inLen: blocks * 512, mdInLen: blocks * 8 });
        expect(got.status).toBe(0);
        expect(plan.data, `${blocks}`).toBe(got.sqe[6] + got.sqe[7] * 2 ** 32);
        expect(plan.md, `${blocks}`).toBe(got.sqe[4] + got.sqe[5] * 2 ** 32);
      }
      expect(d.plannedBuffers(0, 0)).toEqual({ data: 0, md: 0 });
    } finally {
      await r.close();
    }
  });
});
