// nvmelab blk run SCENARIO.json: run a block-layer scenario (docs/BLOCK.md) and print the
// blkparse-format trace, what each op became (offloaded, emulated and why), every NVMe command
// the driver issued, and fio-style disk stats; --json writes all of it, with media hashes.

import { Command, CliError } from "../context";
import { parseScenario, runScenario, ScenarioError, ScenarioResult } from "../../block/scenario";
import { formatTrace, formatDiskStats, diskStatsJson } from "../../block/blkparse";
import { deviceNamer } from "../../block/devnames";
import type { NvmeCommandRecord } from "../../block/trace";

function commandLine(c: NvmeCommandRecord): string {
  const st = c.status === undefined ? "" : ` status=${c.status === 0 ? "0" : "0x" + c.status.toString(16)}`;
  const at = `${(c.time_ns / 1e3).toFixed(3)}us ${c.disk} q${c.qid} cid ${c.cid} rq ${c.rq}`;
  const ranges = (c.ranges ?? []).map((r) => `${r.nsid !== undefined ? `ns${r.nsid}:` : ""}${r.slba}+${r.nlb}`).join(",");
  switch (c.name) {
    case "Copy": return `${at}: Copy sdlba=${c.slba} nr=${c.nr} ranges=[${ranges}]${st}${c.status ? ` dw0=${c.dw0}` : ""}`;
    case "Dataset Management": return `${at}: Dataset Management nr=${c.nr} ranges=[${ranges}]${st}`;
    case "Flush": return `${at}: Flush${st}`;
    default: return `${at}: ${c.name} slba=${c.slba} nlb=${c.blocks}${st}`;
  }
}

export function summary(r: ScenarioResult): string[] {
  const out: string[] = [];
  // a blank line before each section (an empty line alone would print nothing)
  out.push(`\nOps (design ${r.design}):`);
  for (const op of r.ops) {
    if (["plug", "unplug", "wait", "sleep", "sysfs", "release"].includes(op.op)) continue;
    const c = op.copy;
    let line = `  #${op.step} ${op.task} ${op.op}${op.dev ? " " + op.dev : ""}: ${op.status ?? "not completed"}`;
    if (op.sha256) line += ` sha256=${op.sha256.slice(0, 16)}`;
    if (op.error) line += ` (${op.error})`;
    if (c) {
      line += ` (${c.design}: ${c.requested_bytes} bytes, offloaded ${c.offloaded_bytes}, emulated ${c.emulated_bytes})`;
      for (const s of c.steps) if (s.kind !== "offload") line += `\n      ${s.kind} ${s.bytes} bytes: ${s.reason}`;
    }
    out.push(line);
  }
  if (r.dm.length > 0) {
    out.push("\ndmsetup status:");
    for (const d of r.dm) for (const l of d.status) out.push(`  ${d.name}: ${l}`);
  }
  if (r.kcopyd.length > 0) {
    out.push("\nkcopyd:");
    for (const k of r.kcopyd) {
      const s = k.stats;
      const cpus = s.runs_per_cpu.map((n, i) => (n ? `${i}:${n}` : "")).filter(Boolean).join(" ");
      out.push(`  ${k.client} (${k.variant}, sub-job ${k.subjob_size_kb} KiB${k.offload ? ", offload" : ""}): ${s.jobs} jobs, ${s.sub_jobs} sub-jobs; read ${s.read_bytes} B, written ${s.write_bytes} B, zeroed ${s.zero_bytes} B, offloaded ${s.offloaded_bytes} B (fallback ${s.offload_fallback_bytes} B); runs per CPU ${cpus || "none"}; at most ${s.max_parallel_workers} worker(s) busy at once`);
    }
  }
  out.push("\nNVMe commands:");
  for (const c of r.commands) out.push("  " + commandLine(c));
  out.push("\n" + formatDiskStats(r.disks, r.end_ns));
  return out;
}

export const blk: Command = {
  name: "blk", device: false, positionals: 2,
  summary: "Block layer: run a scenario (stack, limits, copy design, tasks, bios and copies) and show what reached the device",
  usage: "run <scenario.json> [--json=<result.json>] [--no-trace]",
  options: [
    { long: "json", kind: "string", help: "write ops, events, NVMe commands, disk stats and media hashes as JSON" },
    { long: "no-trace", kind: "flag", help: "leave out the blkparse trace" },
  ],
  async run(ctx, o) {
    const [sub, path, extra] = o.positional;
    if (sub !== "run") throw new CliError(`blk: unknown subcommand "${sub ?? ""}" (use: blk run <scenario.json>)`);
    if (!path) throw new CliError("blk run: give a scenario file");
    if (extra) throw new CliError(`blk run: unexpected argument "${extra}"`);
    let input: unknown;
    try {
      input = JSON.parse(new TextDecoder().decode(ctx.io.readFile(path)));
    } catch (e) {
      // the Io's message already names the file (a JSON error does not)
      throw new CliError((e as Error).message.startsWith(path) ? (e as Error).message : `${path}: ${(e as Error).message}`);
    }
    let result: ScenarioResult;
    try {
      result = await runScenario(await ctx.platform.loadModule(false), parseScenario(input, path));
    } catch (e) {
      if (e instanceof ScenarioError) throw new CliError(e.message);
      throw e;
    }
    // one summary per device, named as blkparse -i <device> names it
    if (!o.flag("no-trace")) ctx.io.out(formatTrace(result.events, deviceNamer(result.disks)).replace(/\n$/, ""));
    for (const l of summary(result)) ctx.io.out(l);
    const json = o.str("json");
    if (json) {
      const doc = { ...result, disk_util: diskStatsJson(result.disks, result.end_ns) };
      ctx.io.writeFile(json, new TextEncoder().encode(JSON.stringify(doc, null, 2) + "\n"));
    }
    return result.ops.some((op) => op.status !== undefined && op.status !== "BLK_STS_OK") ? 1 : 0;
  },
};
