// The block layer end to end in one small run each: a plug turning 32 writes into one
// request, ctx packing copies into Copy commands, and pair with and without merges.

import { describe, it, expect } from "vitest";
import { BlockHost } from "../../src/block/host";
import { defaultConfig, defaultNamespace } from "../../src/controller/config";
import { loadCoreModule } from "../../src/node/wasm";
import { Bio, Op } from "../../src/block/bio";
import { blkCopy } from "../../src/block/copy/copy";

async function host(design: "pair" | "ctx" | "vector" = "ctx", msrc = 127) {
  const c = defaultConfig();
  c.namespaces = [{ ...defaultNamespace(1), msrc }];
  const h = await BlockHost.create(await loadCoreModule(false), c, { cpus: 1, design });
  const t = h.blk.sim.addTask(100, "fio", 0);
  return { h, t };
}

describe("block smoke", () => {
  it("32 contiguous 4 KiB writes in one plug become one request", async () => {
    const { h, t } = await host();
    const blk = h.blk;
    const d = blk.disk("nvme0n1");
    blk.sim.as(t, () => {
      blk.startPlug();
      const buf = blk.mem!.pool.alloc(32 * 4096);
      for (let i = 0; i < 32; i++) blk.submitBio(new Bio(d, Op.WRITE, i * 8, 4096, [{ bus: buf.bus + i * 4096, len: 4096 }]));
      blk.finishPlug();
      blk.waitTask();
    });
    const cmds = blk.tracer.commands;
    expect(cmds.length).toBe(1);
    expect(cmds[0].blocks).toBe(256);
  });

  it("ctx: 16 discontiguous copies in a plug become one Copy with 16 ranges", async () => {
    const { h, t } = await host("ctx");
    const blk = h.blk;
    const d = blk.disk("nvme0n1");
    blk.sim.as(t, () => {
      blk.startPlug();
      for (let i = 0; i < 16; i++) blkCopy(blk, { src: d, dst: d, srcSegs: [{ pos: i * 2 * 4096, len: 4096 }], dstSegs: [{ pos: (1000 + i) * 4096, len: 4096 }] });
      blk.finishPlug();
      blk.waitTask();
    });
    const copies = blk.tracer.commands.filter((c) => c.name === "Copy");
    expect(copies.length).toBe(1);
    expect(copies[0].nr).toBe(16);
  });

  it("ctx with MSRC 3: 4 Copy commands", async () => {
    const { h, t } = await host("ctx", 3);
    const blk = h.blk;
    const d = blk.disk("nvme0n1");
    blk.sim.as(t, () => {
      blk.startPlug();
      for (let i = 0; i < 16; i++) blkCopy(blk, { src: d, dst: d, srcSegs: [{ pos: i * 2 * 4096, len: 4096 }], dstSegs: [{ pos: (1000 + i) * 4096, len: 4096 }] });
      blk.finishPlug();
      blk.waitTask();
    });
    expect(blk.tracer.commands.filter((c) => c.name === "Copy").length).toBe(4);
  });

  it("pair: one Copy per chunk; nomerges=2 never offloads", async () => {
    for (const nomerges of [0, 2] as const) {
      const { h, t } = await host("pair");
      const blk = h.blk;
      const d = blk.disk("nvme0n1");
      d.flags.nomerges = nomerges;
      let out: ReturnType<typeof blkCopy> | undefined;
      blk.sim.as(t, () => {
        out = blkCopy(blk, { src: d, dst: d, srcSegs: [{ pos: 0, len: 8192 }], dstSegs: [{ pos: 65536, len: 8192 }] });
        blk.waitTask();
      });
      expect(blk.tracer.commands.filter((c) => c.name === "Copy" && c.status === 0).length).toBe(nomerges ? 0 : 1);
      expect(out!.done).toBe(true);
      expect(out!.offloaded_bytes).toBe(nomerges ? 0 : 8192);
      expect(out!.emulated_bytes).toBe(nomerges ? 8192 : 0);
    }
  });
});
