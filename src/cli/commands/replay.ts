// nvmelab replay: run a QEMU-oracle trace on the emulator and write the result in the
// oracle's schema, for "qemu_nvme_oracle.py compare QEMU.json OURS.json"; --compare does
// the comparison here too.

import { Command, CliError } from "../context";
import { runTrace, compareResults } from "../../replay/run";
import { Trace, TraceError } from "../../replay/trace";

function readJson(bytes: Uint8Array, path: string): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new CliError(`${path}: not JSON: ${(e as Error).message}`);
  }
}

export const replay: Command = {
  name: "replay", device: false,
  summary: "Run a QEMU NVMe oracle trace on the emulator; write the result in the oracle's schema",
  usage: "<trace.json> [--out=<result.json>] [--compare=<qemu-result.json>] [--threaded]",
  options: [
    { long: "out", kind: "string", help: "write the result here (default: stdout)" },
    { long: "compare", kind: "string", help: "compare with this result (e.g. QEMU's); exit 1 on differences" },
    { long: "ignore", kind: "string", repeat: true, help: "a cmp key (or final_media) to leave out of --compare" },
  ],
  async run(ctx, o) {
    const [tracePath, extra] = o.positional;
    if (!tracePath) throw new CliError("replay: give a trace file");
    if (extra) throw new CliError(`replay: unexpected argument "${extra}"`);
    const trace = readJson(ctx.io.readFile(tracePath), tracePath) as Trace;
    let result: Record<string, unknown>;
    try {
      result = await runTrace(trace, {
        module: await ctx.platform.loadModule(false), sha256: ctx.platform.sha256, spawn: ctx.platform.spawn,
        threaded: ctx.global.flag("threaded"), log: ctx.global.flag("verbose") ? (l) => ctx.io.err(l) : undefined,
      });
    } catch (e) {
      if (e instanceof TraceError) throw new CliError(`${tracePath}: ${e.message}`);
      throw e;
    }
    const text = JSON.stringify(result, null, 2) + "\n";
    const out = o.str("out");
    if (out) ctx.io.writeFile(out, new TextEncoder().encode(text));
    else if (!o.str("compare")) ctx.io.out(text);
    let code = result.aborted ? 1 : 0;
    if (result.aborted) ctx.io.err(`replay: ${result.error}`);
    const cmpPath = o.str("compare");
    if (cmpPath) {
      const expected = readJson(ctx.io.readFile(cmpPath), cmpPath) as Record<string, unknown>;
      const diffs = compareResults(expected, result, o.strs("ignore"));
      for (const d of diffs) ctx.io.out(d);
      ctx.io.out(diffs.length ? `${diffs.length} difference(s)` : "no differences");
      if (diffs.length) code = 1;
    }
    return code;
  },
};
