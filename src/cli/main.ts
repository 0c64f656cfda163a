// nvmelab's command line: nvme-cli's commands and options against the emulated controller,
// plus nvmelab's own (create, import-image, export-image, replay, bench). Global options pick
// the device: --state FILE keeps it between calls; --config FILE, --ns and the controller flags
// configure a new one. This is the Node side (files, process, Session); the runner itself is
// src/cli/run.ts, shared with the playground's console (src/cli/browser.ts).

import { readFileSync, writeFileSync } from "node:fs";
import { Options } from "./args";
import { Io, CliError, Platform } from "./context";
import { Session } from "../node/session";
import { TRACE_ALL } from "../../assembly/layout";
import { COMMANDS } from "./commands/index";
import { runCli, usageText, CliHost } from "./run";
import { loadCoreModule } from "../node/wasm";
import { nodeSha256 } from "../node/hash";
import { spawnNodeController } from "../node/thread";

export { GLOBAL_OPTIONS } from "./run";

export const nodePlatform: Platform = {
  loadModule: loadCoreModule, sha256: nodeSha256, spawn: spawnNodeController,
  env: Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined)),
};

export const nodeIo: Io = {
  out: (t) => process.stdout.write(t.endsWith("\n") || t === "" ? t : t + "\n"),
  outBytes: (b) => process.stdout.write(b),
  err: (t) => process.stderr.write(t.endsWith("\n") ? t : t + "\n"),
  readFile: (p) => {
    try { return new Uint8Array(readFileSync(p)); } catch (e) { throw new CliError(`${p}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message}`); }
  },
  writeFile: (p, b) => writeFileSync(p, b),
  readStdin: () => (process.stdin.isTTY ? null : new Uint8Array(readFileSync(0))),
};

function overridesFrom(g: Options): Record<string, number> {
  const o: Record<string, number> = {};
  const map: Array<[string, string]> = [["mdts", "mdts"], ["max-queues", "maxIoQueuePairs"], ["mqes", "mqes"], ["oncs", "oncs"],
    ["ocfs", "ocfs"], ["vsl", "vsl"], ["wzsl", "wzsl"], ["dmrl", "dmrl"], ["dmrsl", "dmrsl"], ["dmsl", "dmsl"], ["mssrl", "mssrl"], ["mcl", "mcl"], ["msrc", "msrc"], ["host-ram", "hostRamBytes"]];
  for (const [flag, key] of map) if (g.has(flag)) o[key] = g.int(flag, 0);
  if (g.has("max-queues")) o.maxVectors = Math.min(2048, g.int("max-queues", 0) + 1);
  return o;
}

export function usage(): string {
  return usageText(COMMANDS);
}

const nodeHost: CliHost = {
  commands: COMMANDS,
  platform: nodePlatform,
  open: (o) => Session.open({
    statePath: o.str("state") ?? process.env.NVMELAB_STATE, configPath: o.str("config"), ns: o.strs("ns"), overrides: overridesFrom(o),
    threaded: o.flag("threaded"), traceMask: o.flag("trace") ? TRACE_ALL : 0,
  }),
};

export function main(argv: string[], io: Io = nodeIo): Promise<number> {
  return runCli(argv, io, nodeHost);
}
