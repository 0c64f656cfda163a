// Shared test setup: a controller (stepped or threaded) with a driver brought up on it.

import { ControllerCore } from "../src/controller/core";
import { ControllerConfig, defaultConfig } from "../src/controller/config";
import { StepPort, ThreadPort, ControllerPort } from "../src/controller/port";
import { NvmeDriver, DriverOptions } from "../src/driver/nvme";
import { loadCoreModule } from "../src/node/wasm";
import { spawnNodeController } from "../src/node/thread";

export interface Rig {
  core: ControllerCore;
  port: ControllerPort;
  driver: NvmeDriver;
  close(): Promise<void>;
}

export async function rig(opts: { config?: Partial<ControllerConfig>; driver?: DriverOptions; threaded?: boolean; debug?: boolean; trace?: number } = {}): Promise<Rig> {
  const config = { ...defaultConfig(), ...opts.config };
  const module = await loadCoreModule(opts.debug ?? true);
  const core = await ControllerCore.create(module, config, { traceMask: opts.trace ?? 0 });
  core.exports.ctrl_power_on();
  const port: ControllerPort = opts.threaded ? await ThreadPort.start(core, spawnNodeController) : new StepPort(core);
  const driver = new NvmeDriver(port, opts.driver);
  driver.bringUp();
  return {
    core, port, driver,
    async close() { if (port instanceof ThreadPort) await port.stop(); },
  };
}
