// The CLI in a browser worker (the playground's console): the commands that run there, a
// stand-in for each Node-only one that says why it is not available, and a host that runs
// device commands on the page's own controller (it lives on between commands; nothing is
// saved). No Node APIs and no DOM: the worker gives the platform and the device.

import { Command, CliError, Device, Io, Platform } from "./context";
import { Options, OptSpec } from "./args";
import { runCli, usageText, CliHost, GLOBAL_OPTIONS, OpenedDevice } from "./run";
import * as io from "./commands/io";
import * as admin from "./commands/admin";
import { adminPassthru, ioPassthru } from "./commands/passthru";
import { replay } from "./commands/replay";
import { blk } from "./commands/blk";
import { fio } from "./commands/fio";
import { reproduce } from "./commands/reproduce";
import * as L from "../../assembly/layout";
import * as I from "../../assembly/spec/identify";

/** Commands of the Node CLI that cannot run in a browser, and why. */
export const NODE_ONLY: Record<string, string> = {
  create: "it keeps a device in a state file; the console's device is the page's controller",
  "import-image": "it reads a raw image file from disk",
  "export-image": "it writes a raw image file to disk",
  "media-hash": "its module also holds the image commands, which need Node's fs",
  bench: "it times the controller in Node worker_threads",
};

function nodeOnly(name: string): Command {
  const why = NODE_ONLY[name];
  return {
    name, device: false, options: [], usage: "",
    summary: "(Node CLI only: npx nvmelab " + name + ")",
    run() {
      throw new CliError(`${name}: not available in the browser (${why}): run "npx nvmelab ${name}" in a checkout`);
    },
  };
}

/** The command table of the browser CLI, in the Node CLI's order. */
export const BROWSER_COMMANDS: Command[] = [
  admin.list, admin.idCtrl, admin.idNs, admin.nvmIdCtrl, admin.nvmIdNs, admin.showRegs,
  admin.getLog, admin.smartLog, admin.errorLog, admin.effectsLog, admin.getFeature, admin.setFeature,
  io.read, io.write, io.compare, io.copy, io.dsm, io.writeZeroes, io.flush, io.verify,
  adminPassthru, ioPassthru, admin.format, admin.reset, admin.subsystemReset,
  nodeOnly("create"), nodeOnly("import-image"), nodeOnly("export-image"), nodeOnly("media-hash"),
  replay, nodeOnly("bench"), blk, fio, reproduce,
];

/** Global options that configure or keep a device: the page's controller has its own. */
const DEVICE_SETUP = ["state", "config", "ns", "mdts", "max-queues", "mqes", "oncs", "ocfs", "vsl", "wzsl", "dmrl", "dmrsl", "dmsl", "mssrl", "mcl", "msrc", "host-ram", "threaded"];

/** The global options that mean something in the browser (help shows these). */
export const BROWSER_GLOBALS: OptSpec[] = GLOBAL_OPTIONS.filter((s) => !DEVICE_SETUP.includes(s.long));

export interface BrowserCli {
  platform: Platform;
  /** The page's controller (the worker boots one when there is none). */
  device(): Promise<Device>;
}

function host(b: BrowserCli): CliHost {
  return {
    commands: BROWSER_COMMANDS,
    platform: b.platform,
    shownGlobals: BROWSER_GLOBALS,
    async open(o: Options): Promise<OpenedDevice> {
      const setup = DEVICE_SETUP.find((k) => o.has(k));
      if (setup) {
        throw new CliError(`${o.cmd}: --${setup} is not available in the browser: the console runs on the page's controller `
          + `(the Controller section boots it); --${setup} is for "npx nvmelab"`);
      }
      const dev = await b.device();
      // The device outlives the command, so the Identify Namespace data the driver kept from
      // bring-up may be old (NUSE grows with writes): read it again, as a new nvme-cli would.
      for (const nsid of dev.driver.nsids) {
        const r = dev.driver.identify(I.CNS_NAMESPACE, nsid);
        if (r.status === 0 && r.data) dev.driver.idNs.set(nsid, r.data);
      }
      const trace = o.flag("trace");
      const traceFrom = Atomics.load(dev.core.control, L.CTL_EVENT_SEQ / 4) >>> 0;
      if (trace) dev.core.setTraceMask(L.TRACE_ALL);
      return {
        core: dev.core, port: dev.port, driver: dev.driver,
        recordFeature: (fid, cdw11, nsid, data) => dev.recordFeature(fid, cdw11, nsid, data),
        traceFrom,
        async close() {
          if (trace) dev.core.setTraceMask(0);
        },
      };
    },
  };
}

/** Run one command line (already split into words, without "nvmelab") in the browser. */
export function runBrowserCli(argv: string[], io: Io, b: BrowserCli): Promise<number> {
  return runCli(argv, io, host(b));
}

export function browserUsage(): string {
  return usageText(BROWSER_COMMANDS, BROWSER_GLOBALS);
}

/** What the console completes: each command's name and long options (with "=" when they take a value). */
export interface CommandSpec {
  name: string;
  summary: string;
  options: string[];
  /** Sub-commands (blk run). */
  subcommands?: string[];
}

export function commandSpecs(): CommandSpec[] {
  return BROWSER_COMMANDS.map((c) => ({
    name: c.name,
    summary: c.summary,
    options: [...c.options, ...BROWSER_GLOBALS].map((s) => `--${s.long}${s.kind === "flag" ? "" : "="}`),
    ...(c.name === "blk" ? { subcommands: ["run"] } : {}),
  }));
}
