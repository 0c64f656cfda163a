// The command runner shared by the Node CLI (src/cli/main.ts) and the playground's console
// (src/cli/browser.ts): help, parsing, the device path, opening the device through the host,
// running the command and reporting errors. Free of Node APIs: the host says where the
// device comes from (a state file and a power cycle per call, or the page's own controller).

import { parseArgs, Options, OptSpec, UsageError, helpText } from "./args";
import { Command, CommandContext, Device, Io, CliError, parseDevicePath, Platform } from "./context";
import { DriverError } from "../driver/nvme";
import { readEvents, formatEvent } from "../controller/events";

export const GLOBAL_OPTIONS: OptSpec[] = [
  { long: "state", kind: "string", help: "state file: the device lives on between calls (created when missing)" },
  { long: "config", kind: "string", help: "controller configuration (JSON) for a new device" },
  { long: "ns", kind: "string", repeat: true, help: "a namespace of a new device: SIZE[,lba=512|4096][,ms=N][,ext][,mssrl=N][,mcl=N][,msrc=N][,pif=0|2][,pi=0-3][,pil=0|1][,nsid=N]" },
  { long: "mdts", kind: "int", max: 20, help: "new device: Maximum Data Transfer Size (2^n x 4 KiB, 0 = none)" },
  { long: "max-queues", kind: "int", min: 1, max: 65535, help: "new device: I/O queue pairs the controller supports" },
  { long: "mqes", kind: "int", min: 1, max: 0xffff, help: "new device: CAP.MQES (0's based queue entries)" },
  { long: "oncs", kind: "int", max: 0xffff, help: "new device: ONCS (optional NVM commands)" },
  { long: "ocfs", kind: "int", max: 0xf, help: "new device: OCFS (Copy descriptor formats supported)" },
  { long: "mssrl", kind: "int", min: 1, max: 0xffff, help: "new device: MSSRL of every namespace" },
  { long: "mcl", kind: "int", min: 1, max: 0xffffffff, help: "new device: MCL of every namespace" },
  { long: "msrc", kind: "int", max: 255, help: "new device: MSRC of every namespace (0's based)" },
  { long: "vsl", kind: "int", max: 20, help: "new device: Verify Size Limit, Identify CNS 06h (2^n x 4 KiB, 0 = none)" },
  { long: "wzsl", kind: "int", max: 20, help: "new device: Write Zeroes Size Limit, Identify CNS 06h (2^n x 4 KiB, 0 = none)" },
  { long: "dmrl", kind: "int", max: 255, help: "new device: Dataset Management ranges limit (0 = none)" },
  { long: "dmrsl", kind: "int", max: 0xffffffff, help: "new device: Dataset Management blocks per range limit (0 = none)" },
  { long: "dmsl", kind: "int", max: Number.MAX_SAFE_INTEGER, help: "new device: Dataset Management blocks per command limit (0 = none)" },
  { long: "host-ram", kind: "size", help: "new device: host memory for queues and buffers (default 64M)" },
  { long: "threaded", kind: "flag", help: "run the controller in its own thread (default: stepped in this one)" },
  { long: "trace", kind: "flag", help: "print the controller's trace events (QEMU pci_nvme_* style) to stderr" },
  { long: "output-format", short: "o", kind: "string", help: "output format: normal|json|binary" },
  { long: "verbose", short: "v", kind: "flag", help: "more output" },
  { long: "human-readable", short: "H", kind: "flag", help: "decode fields" },
  { long: "timeout", kind: "int", help: "command timeout in ms (accepted for compatibility)" },
];

/** A device opened for one command. */
export interface OpenedDevice extends Device {
  /** End the command's use of the device; ok: the command ran (its effects are kept). */
  close(ok: boolean): Promise<void>;
  /** The first controller event that belongs to this command (--trace); default 0. */
  traceFrom?: number;
}

/** Where the CLI runs: its commands, platform and device. */
export interface CliHost {
  commands: Command[];
  platform: Platform;
  /** Open the device a device command runs against (the global options say how). */
  open(global: Options, cmd: Command): Promise<OpenedDevice>;
  /** The global options help shows (default: all of GLOBAL_OPTIONS); all are parsed. */
  shownGlobals?: OptSpec[];
}

export function usageText(commands: Command[], globals: OptSpec[] = GLOBAL_OPTIONS): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    "Usage: nvmelab <command> [<device>] [OPTIONS]",
    "",
    "An emulated NVMe controller (with Copy) driven with nvme-cli's commands and options.",
    "The device is /dev/nvme0 (controller) or /dev/nvme0n<N> (namespace N).",
    "",
    "Commands:",
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "Global options:",
    ...globals.map((s) => `  ${(s.short ? `-${s.short}, ` : "    ") + "--" + s.long}`.padEnd(24) + ` ${s.help}`),
    "",
    'See "nvmelab help <command>" for a command\'s options.',
  ].join("\n");
}

/** A command's options, then the global ones it does not define itself (passthru's --timeout is its own). */
function optionsOf(cmd: Command, globals: OptSpec[]): OptSpec[] {
  const own = new Set(cmd.options.map((s) => s.long));
  return [...cmd.options, ...globals.filter((s) => !own.has(s.long))];
}

export async function runCli(argv: string[], io: Io, host: CliHost): Promise<number> {
  const shown = host.shownGlobals ?? GLOBAL_OPTIONS;
  const [name, ...rest] = argv;
  if (!name || name === "help" || name === "--help" || name === "-h") {
    const target = rest[0] && host.commands.find((c) => c.name === rest[0]);
    io.out(target ? helpText(target.name, target.summary, target.usage, optionsOf(target, shown)) : usageText(host.commands, shown));
    return 0;
  }
  if (name === "version" || name === "--version") {
    io.out("nvmelab version 0.1.0 (emulated NVMe 2.1 controller)");
    return 0;
  }
  const cmd = host.commands.find((c) => c.name === name);
  if (!cmd) {
    io.err(`nvmelab: unknown command "${name}" (see "nvmelab help")`);
    return 1;
  }
  let session: OpenedDevice | undefined;
  let ok = false;
  try {
    if (rest.includes("--help") || rest.includes("-h")) {
      io.out(helpText(cmd.name, cmd.summary, cmd.usage, optionsOf(cmd, shown)));
      return 0;
    }
    const parsed = parseArgs(rest, optionsOf(cmd, GLOBAL_OPTIONS), cmd.name);
    const o = new Options(parsed, cmd.name);
    // nvme-cli's formats, unless the command has its own --output-format (fio's) and checks it
    const fmt = o.str("output-format");
    const ownFormats = cmd.options.some((s) => s.long === "output-format");
    if (!ownFormats && fmt !== undefined && !["normal", "json", "binary"].includes(fmt)) throw new UsageError(`${cmd.name}: --output-format must be normal, json or binary`);
    if (cmd.device && cmd.deviceArg !== false && parsed.positional.length === 0) {
      // nvme-cli's check_arg_dev: no device after the options is perror(argv[0]), i.e.
      // "<command>: Invalid argument", then parse_and_open prints the command's help.
      io.err(`${cmd.name}: Invalid argument`);
      io.err(helpText(cmd.name, cmd.summary, cmd.usage, optionsOf(cmd, shown)));
      return 1;
    }
    const path = cmd.device ? parseDevicePath(parsed.positional[0], cmd.name) : { text: "" };
    const most = cmd.positionals ?? 1;
    if (cmd.device && parsed.positional.length > most) throw new UsageError(`${cmd.name}: unexpected argument "${parsed.positional[most]}"`);
    if (cmd.device) session = await host.open(o, cmd);
    const ctx: CommandContext = { io, dev: session as Device, path, global: o, platform: host.platform };
    const code = await cmd.run(ctx, o);
    ok = true;
    if (session && o.flag("trace")) for (const e of readEvents(session.core, session.traceFrom ?? 0)) io.err(formatEvent(e));
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
