// nvmelab reproduce (npm run reproduce): the source documents' published figures beside ours,
// in modelled time (src/reproduce/reproduce.ts says where each parameter comes from).
import { Command } from "../context";
import { reproReport, seed000, seed001 } from "../../reproduce/reproduce";

export const reproduce: Command = {
  name: "reproduce", device: false,
  summary: "Reproduce the source documents' figures (seed 000 NVMe/TCP copy offload, seed 001 kcopyd) and print ours beside them",
  usage: "[--json=<file>] [--quick]",
  options: [
    { long: "json", kind: "string", help: "write the rows {experiment, metric, unit, published, ours, ...} as JSON to this file" },
    { long: "quick", kind: "flag", help: "shorter modelled runs" },
  ],
  async run(ctx, o) {
    ctx.io.err("seed 001: dm-snapshot copy-on-write, single against per-CPU kcopyd ...");
    const mod = await ctx.platform.loadModule(false);
    const s1 = await seed001(mod, o.flag("quick") ? "20ms" : "50ms");
    ctx.io.err("seed 000: NVMe/TCP copy offload against user-space read+write at 1 and 100 Gb/s ...");
    const rows = [...s1.rows, ...(await seed000(mod, o.flag("quick")))];
    ctx.io.out(`seed 001 runs: single kcopyd ${Math.round(s1.single.iops)} IOPS, ${(s1.single.lat_ns / 1000).toFixed(1)} us; per-CPU ${Math.round(s1.percpu.iops)} IOPS, ${(s1.percpu.lat_ns / 1000).toFixed(1)} us`);
    ctx.io.out(reproReport(rows));
    const file = o.str("json");
    if (file) ctx.io.writeFile(file, new TextEncoder().encode(JSON.stringify(rows, null, 2) + "\n"));
    return 0;
  },
};
