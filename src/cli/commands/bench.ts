// nvmelab bench (npm run bench): the emulator's own speed on this machine, with baselines.
import { Command } from "../context";
import { runBench, benchReport } from "../../bench/bench";
import { nodeBenchEnv } from "../../node/bench";

export const bench: Command = {
  name: "bench", device: false,
  summary: "Measure the emulator: stepped commands/s, threaded round trip, Copy throughput (each beside a baseline)",
  usage: "[--json=<file>] [--quick]",
  options: [
    { long: "json", kind: "string", help: "also write the figures as JSON to this file" },
    { long: "quick", kind: "flag", help: "shorter runs (less stable figures)" },
  ],
  async run(ctx, o) {
    const env = await nodeBenchEnv((l) => ctx.io.err(l));
    const r = await runBench(env, o.flag("quick"));
    ctx.io.out(benchReport(r));
    const file = o.str("json");
    if (file) ctx.io.writeFile(file, new TextEncoder().encode(JSON.stringify(r, null, 2) + "\n"));
    return 0;
  },
};
