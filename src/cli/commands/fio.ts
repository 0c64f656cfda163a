// nvmelab fio JOB.fio: run fio job files on the emulated stack in modelled time and print
// fio's report (normal or JSON). The setup (controller, CPUs, queues, device model, dm stack,
// copy design) comes from a preset or a JSON file in the scenario format without steps
// (docs/FIO.md).

import { Command, CliError } from "../context";
import { parseScenario, buildScenarioHost, ScenarioError, Scenario } from "../../block/scenario";
import { parseJobFileWithGlobals, FioJobError } from "../../fio/job";
import { runFio, FioRunError, fioNotes } from "../../fio/run";
import { formatFio, formatFioJson, formatFioStart } from "../../fio/report";
import { FIO_SETUPS } from "../../fio/setups";

function setupOf(ctx: Parameters<Command["run"]>[0], name: string | undefined): { s: Scenario; where: string } {
  const key = name ?? "tlc-970pro";
  let input: unknown;
  let where = `setup ${key}`;
  if (FIO_SETUPS[key]) input = FIO_SETUPS[key];
  else {
    where = key;
    try {
      input = JSON.parse(new TextDecoder().decode(ctx.io.readFile(key)));
    } catch (e) {
      throw new CliError(`fio --setup ${key}: not a preset (${Object.keys(FIO_SETUPS).join(", ")}) and not a readable JSON file: ${(e as Error).message}`);
    }
  }
  if (typeof input !== "object" || input === null || Array.isArray(input)) throw new CliError(`${where}: expected a JSON object`);
  if ("steps" in input || "tasks" in input) throw new CliError(`${where}: a setup has no steps or tasks (the job file gives the work)`);
  try {
    return { s: parseScenario({ ...input, steps: [] }, where), where };
  } catch (e) {
    if (e instanceof ScenarioError) throw new CliError(e.message);
    throw e;
  }
}

export const fio: Command = {
  name: "fio", device: false, positionals: 1,
  summary: "Run fio job files on the emulated stack, in modelled time or on the wall clock (fio's report, normal or JSON)",
  usage: "<job.fio> [--setup=<preset|setup.json>] [--output-format=normal|json|json+] [--output=<file>] [--clock=model|wall]",
  // fio's own --output-format (parse_output_format's values) in place of the global one, which
  // is nvme-cli's: runCli leaves a command that declares it to check its values itself
  options: [
    { long: "output-format", short: "o", kind: "string", help: "fio's output format: normal|json|json+ (terse is not modelled)" },
    { long: "setup", kind: "string", help: `the host: a preset (${Object.keys(FIO_SETUPS).join(", ")}; default tlc-970pro) or a JSON file (docs/FIO.md)` },
    { long: "output", kind: "string", help: "write the report to this file instead of standard output" },
    { long: "clock", kind: "string", help: "model (default): modelled time; wall: the wall clock times the emulator itself" },
  ],
  async run(ctx, o) {
    const [path] = o.positional;
    if (!path) throw new CliError("fio: give a job file (fio JOB.fio)");
    const fmt = o.str("output-format") ?? "normal";
    // fio's formats (parse_output_format): normal, json, json+ (json with the clat bins), terse
    if (fmt === "terse") throw new CliError("fio: --output-format=terse: fio's terse format is not modelled; use normal, json or json+");
    if (fmt !== "normal" && fmt !== "json" && fmt !== "json+") throw new CliError(`fio: --output-format=${fmt}: not one of fio's formats; use normal, json or json+ (terse is not modelled)`);
    const clock = o.str("clock") ?? "model";
    if (clock !== "model" && clock !== "wall") throw new CliError(`fio: --clock=${clock}: use model (modelled time) or wall (the emulator's own speed)`);
    let text: string;
    try {
      text = new TextDecoder().decode(ctx.io.readFile(path));
    } catch (e) {
      // the Io's message already names the file
      throw new CliError((e as Error).message.startsWith(path) ? (e as Error).message : `${path}: ${(e as Error).message}`);
    }
    let parsed;
    try {
      parsed = parseJobFileWithGlobals(text, path, ctx.platform.env ?? {});
    } catch (e) {
      if (e instanceof FioJobError) throw new CliError(e.message);
      throw e;
    }
    const { s } = setupOf(ctx, o.str("setup"));
    let result;
    try {
      const host = await buildScenarioHost(await ctx.platform.loadModule(false), s, "setup");
      result = runFio(host, parsed.jobs, { clock });
    } catch (e) {
      if (e instanceof ScenarioError || e instanceof FioRunError) throw new CliError(e.message);
      throw e;
    }
    result.global_options = parsed.global_options;
    // fio prints its notes with log_info; here they go to stderr, beside the model's own
    // warnings, so that a JSON report on stdout stays parseable
    for (const n of fioNotes(parsed.jobs)) ctx.io.err(n);
    for (const j of parsed.jobs) {
      if (!j.direct) ctx.io.err(`fio: job ${j.name}: direct=0, but the page cache is not modelled; its I/O goes to the device as with direct=1`);
      if (j.hipri && j.ioengine === "pvsync2") ctx.io.err(`fio: job ${j.name}: hipri with pvsync2 passes RWF_HIPRI, which Linux ignores for synchronous direct I/O since 5.18: completions are interrupts, as without it`);
      const unchecked = ["verify", "do_verify", "verify_pattern", "buffer_pattern"].filter((k) => k in j.options);
      if (unchecked.length) ctx.io.err(`fio: job ${j.name}: ${unchecked.join(", ")} accepted but not modelled: no data is checked`);
    }
    // group_reporting travels with each job's results: the report folds as fio does, job by job
    // the normal format starts as fio's stdout does: the jobs' lines, the version, "Starting ..."
    let text_ = fmt === "normal" ? formatFioStart(parsed.jobs) + formatFio(result) : formatFioJson(result, { plus: fmt === "json+" });
    // not fio output: the host CPU model's use per core, when the setup models CPU costs
    if (fmt === "normal" && result.cpu_util_per_core) {
      text_ = text_.replace(/\n?$/, "\n") + `\nHost CPU (modelled), busy per core: ${result.cpu_util_per_core.map((u, i) => `cpu${i}=${u.toFixed(1)}%`).join(", ")}\n`;
    }
    const out = o.str("output");
    if (out) ctx.io.writeFile(out, new TextEncoder().encode(text_.endsWith("\n") ? text_ : text_ + "\n"));
    else ctx.io.out(text_.replace(/\n$/, ""));
    return result.jobs.some((j) => j.error !== 0) ? 1 : 0;
  },
};
