// nvmelab's command line: nvme-cli's commands and options against the emulated controller,
// plus nvmelab's own (create, import-image, export-image, replay, bench). Global options pick
// the device: --state FILE keeps it between calls; --config FILE, --ns and the controller flags
// configure a new one.

import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs, Options, OptSpec, UsageError, helpText } from "./args";
import { CommandContext, Io, CliError, parseDevicePath, Platform } from "./context";
import { Session } from "../node/session";
import { DriverError } from "../driver/nvme";
import { TRACE_ALL } from "../../assembly/layout";
import { readEvents, formatEvent } from "../controller/events";
import { COMMANDS } from "./commands/index";
import { loadCoreModule } from "../node/wasm";
import { nodeSha256 } from "../node/hash";
import { spawnNodeController } from "../node/thread";

export const nodePlatform: Platform = {
  loadModule: loadCoreModule, sha256: nodeSha256, spawn: spawnNodeController,
  env: Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined)),
};

export const GLOBAL_OPTIONS: OptSpec[] = [
  { long: "state", kind: "string", help: "state file: the device lives on between calls (created when missing)" },
  { long: "config", kind: "string", help: "controller configuration (JSON) for a new device" },
  { long: "ns", kind: "string", repeat: true, help: "a namespace of a new device: SIZE[,lba=512|4096][,ms=N][,ext][,mssrl=N][,mcl=N][,msrc=N][,pif=0|2][,nsid=N]" },
  { long: "mdts", kind: "int", max: 20, help: "new device: Maximum Data Transfer Size (2^n x 4 KiB, 0 = none)" },
  { long: "max-queues", kind: "int", min: 1, max: 65535, help: "new device: I/O queue pairs the controller supports" },
  { long: "mqes", kind: "int", min: 1, max: 0xffff, help: "new device: CAP.MQES (0's based queue entries)" },
  { long: "oncs", kind: "int", max: 0xffff, help: "new device: ONCS (optional NVM commands)" },
  { long: "ocfs", kind: "int", max: 0xf, help: "new device: OCFS (Copy descriptor formats supported)" },
  { long: "mssrl", kind: "int", min: 1, max: 0xffff, help: "new device: MSSRL of every namespace" },
  { long: "mcl", kind: "int", min: 1, max: 0xffffffff, help: "new device: MCL of every namespace" },
  { long: "msrc", kind: "int", max: 255, help: "new device: MSRC of every namespace (0's based)" },
  { long: "host-ram", kind: "size", help: "new device: host memory for queues and buffers (default 64M)" },
  { long: "threaded", kind: "flag", help: "run the controller in its own thread (default: stepped in this one)" },
  { long: "trace", kind: "flag", help: "print the controller's trace events (QEMU pci_nvme_* style) to stderr" },
  { long: "output-format", short: "o", kind: "string", help: "output format: normal|json|binary" },
  { long: "verbose", short: "v", kind: "flag", help: "more output" },
  { long: "human-readable", short: "H", kind: "flag", help: "decode fields" },
  { long: "timeout", kind: "int", help: "command timeout in ms (accepted for compatibility)" },
];

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
    ["ocfs", "ocfs"], ["mssrl", "mssrl"], ["mcl", "mcl"], ["msrc", "msrc"], ["host-ram", "hostRamBytes"]];
  for (const [flag, key] of map) if (g.has(flag)) o[key] = g.int(flag, 0);
  if (g.has("max-queues")) o.maxVectors = Math.min(2048, g.int("max-queues", 0) + 1);
  return o;
}

export function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    "Usage: nvmelab <command> [<device>] [OPTIONS]",
    "",
    "An emulated NVMe controller (with Copy) driven with nvme-cli's commands and options.",
    "The device is /dev/nvme0 (controller) or /dev/nvme0n<N> (namespace N).",
    "",
    "Commands:",
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "Global options:",
    ...GLOBAL_OPTIONS.map((s) => `  ${(s.short ? `-${s.short}, ` : "    ") + "--" + s.long}`.padEnd(24) + ` ${s.help}`),
    "",
    'See "nvmelab help <command>" for a command\'s options.',
  ].join("\n");
}

export async function main(argv: string[], io: Io = nodeIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "help" || name === "--help" || name === "-h") {
    const target = rest[0] && COMMANDS.find((c) => c.name === rest[0]);
    io.out(target ? helpText(target.name, target.summary, target.usage, [...target.options, ...GLOBAL_OPTIONS]) : usage());
    return 0;
  }
  if (name === "version" || name === "--version") {
    io.out("nvmelab version 0.1.0 (emulated NVMe 2.1 controller)");
    return 0;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd) {
    io.err(`nvmelab: unknown command "${name}" (see "nvmelab help")`);
    return 1;
  }
  let session: Session | undefined;
  let ok = false;
  try {
    if (rest.includes("--help") || rest.includes("-h")) {
      io.out(helpText(cmd.name, cmd.summary, cmd.usage, [...cmd.options, ...GLOBAL_OPTIONS]));
      return 0;
    }
    const parsed = parseArgs(rest, [...cmd.options, ...GLOBAL_OPTIONS], cmd.name);
    const o = new Options(parsed, cmd.name);
    const fmt = o.str("output-format");
    if (fmt !== undefined && !["normal", "json", "binary"].includes(fmt)) throw new UsageError(`${cmd.name}: --output-format must be normal, json or binary`);
    const path = cmd.device ? parseDevicePath(parsed.positional[0], cmd.name) : { text: "" };
    const most = cmd.positionals ?? 1;
    if (cmd.device && parsed.positional.length > most) throw new UsageError(`${cmd.name}: unexpected argument "${parsed.positional[most]}"`);
    const statePath = o.str("state") ?? process.env.NVMELAB_STATE;
    if (cmd.device) {
      session = await Session.open({
        statePath, configPath: o.str("config"), ns: o.strs("ns"), overrides: overridesFrom(o),
        threaded: o.flag("threaded"), traceMask: o.flag("trace") ? TRACE_ALL : 0,
      });
    }
    const ctx: CommandContext = { io, dev: session as Session, path, global: o, platform: nodePlatform };
    const code = await cmd.run(ctx, o);
    ok = true;
    if (session && o.flag("trace")) for (const e of readEvents(session.core, 0)) io.err(formatEvent(e));
    return code;
  } catch (e) {
    if (e instanceof UsageError || e instanceof CliError) io.err(e.message);
    else if (e instanceof DriverError) { io.err(`nvmelab: ${e.message}`); ok = true; }
    else { io.err(`nvmelab: ${(e as Error).stack ?? e}`); }
    return 1;
  } finally {
    // A command that ran (even one the device failed) leaves its effects in the state; a
    // rejected request leaves the state file as it was.
    if (session) await session.close(ok);
  }
}
