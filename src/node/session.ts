// One CLI session with the emulated device: create it (from flags, a --config file, or a
// --state file), power it on, bring the driver up, and at the end shut it down cleanly and
// save it back to the state file. Each session is a power cycle of the device; features the
// host set with set-feature are kept in the state file and re-applied, as a running host
// would keep them.

import { existsSync, readFileSync } from "node:fs";
import { ControllerCore } from "../controller/core";
import { ControllerConfig, configFromJson, defaultConfig, namespaceFromJson, validateConfig } from "../controller/config";
import { ControllerPort, StepPort, ThreadPort } from "../controller/port";
import { NvmeDriver } from "../driver/nvme";
import { Device } from "../cli/context";
import { CliError } from "../cli/context";
import { loadCoreModule } from "./wasm";
import { spawnNodeController } from "./thread";
import { readState, restoreState, saveState, SavedFeature } from "./state";

export interface SessionOptions {
  statePath?: string;
  configPath?: string;
  /** --ns specs: "SIZE[,lba=N][,ms=N][,ext][,mssrl=N][,mcl=N][,msrc=N][,pif=0|2][,pi=0-3][,pil=0|1][,nsid=N]". */
  ns: string[];
  overrides: Partial<ControllerConfig>;
  threaded: boolean;
  traceMask: number;
  ioQueues?: number;
}

/** Parse one --ns spec into the JSON form configFromJson takes. */
export function parseNsSpec(spec: string, i: number): Record<string, unknown> {
  const [size, ...rest] = spec.split(",");
  const o: Record<string, unknown> = { size };
  for (const kv of rest) {
    const [k, v] = kv.split("=");
    const key = { lba: "lbaSize", ms: "ms", ext: "extended", mssrl: "mssrl", mcl: "mcl", msrc: "msrc", nsid: "nsid", blocks: "blocks", pif: "pif", pi: "pi", pil: "pil" }[k];
    if (!key) throw new CliError(`--ns ${spec}: unknown key "${k}" (use lba, ms, ext, mssrl, mcl, msrc, pif, pi, pil, nsid)`);
    o[key] = key === "extended" ? true : v;
    if (key !== "extended" && v === undefined) throw new CliError(`--ns ${spec}: ${k} needs a value (${k}=N)`);
  }
  if (o.blocks !== undefined) delete o.size;
  void i;
  return o;
}

function buildConfig(o: SessionOptions): ControllerConfig {
  let c: ControllerConfig = defaultConfig();
  if (o.configPath) {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(o.configPath, "utf8"));
    } catch (e) {
      throw new CliError(`${o.configPath}: ${(e as Error).message}`);
    }
    c = configFromJson(json, o.configPath);
  }
  if (o.ns.length > 0) c.namespaces = o.ns.map((s, i) => namespaceFromJson(parseNsSpec(s, i), i, `--ns ${s}`));
  const { mssrl, mcl, msrc, ...ctrl } = o.overrides as Partial<ControllerConfig> & { mssrl?: number; mcl?: number; msrc?: number };
  c = { ...c, ...ctrl };
  for (const ns of c.namespaces) {
    if (mssrl !== undefined) ns.mssrl = mssrl;
    if (mcl !== undefined) ns.mcl = mcl;
    if (msrc !== undefined) ns.msrc = msrc;
  }
  validateConfig(c);
  return c;
}

export class Session implements Device {
  features: SavedFeature[] = [];

  private constructor(
    readonly core: ControllerCore,
    readonly port: ControllerPort,
    readonly driver: NvmeDriver,
    private readonly statePath: string | undefined,
    features: SavedFeature[],
  ) {
    this.features = features;
  }

  static async open(o: SessionOptions): Promise<Session> {
    const hasConfigFlags = o.configPath !== undefined || o.ns.length > 0 || Object.keys(o.overrides).length > 0;
    let config: ControllerConfig;
    let state = undefined;
    if (o.statePath && existsSync(o.statePath)) {
      if (hasConfigFlags) throw new CliError(`${o.statePath} already holds a device; its configuration cannot change (drop the configuration options, or remove the state file to start over)`);
      // readState's messages name the file and what is wrong with it: a user error, no stack.
      try { state = readState(o.statePath); } catch (e) { throw new CliError((e as Error).message); }
      config = state.config;
    } else {
      config = buildConfig(o);
    }
    const module = await loadCoreModule(false);
    const core = await ControllerCore.create(module, config, { traceMask: o.traceMask });
    if (state && o.statePath) restoreState(o.statePath, state, core);
    core.exports.ctrl_power_on();
    const port = o.threaded ? await ThreadPort.start(core, spawnNodeController) : new StepPort(core);
    const features = state?.features ?? [];
    const driver = new NvmeDriver(port, {
      ioQueues: o.ioQueues ?? 1,
      features: features.map((f) => ({ fid: f.fid, cdw11: f.cdw11, nsid: f.nsid ?? 0, data: f.data ? Uint8Array.from(Buffer.from(f.data, "hex")) : undefined })),
    });
    driver.bringUp();
    return new Session(core, port, driver, o.statePath, features);
  }

  recordFeature(fid: number, cdw11: number, nsid: number, data?: Uint8Array): void {
    this.features = this.features.filter((f) => !(f.fid === fid && (f.nsid ?? 0) === nsid));
    this.features.push({ fid, cdw11, ...(nsid ? { nsid } : {}), ...(data ? { data: Buffer.from(data).toString("hex") } : {}) });
  }

  /** Shut the controller down cleanly; save to the state file when there is one and save is true. */
  async close(save: boolean): Promise<void> {
    try {
      if (this.driver.state === "READY") this.driver.shutdown();
    } finally {
      if (this.port instanceof ThreadPort) await this.port.stop();
    }
    if (save && this.statePath) saveState(this.statePath, this.core, this.features);
  }
}
