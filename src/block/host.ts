// A host with a block layer: the emulated NVMe controller (stepped, deterministic), the NVMe
// driver brought up with one I/O queue pair per hardware context, the block layer with its
// CPUs and copy design, and the namespaces registered as block devices. No DOM and no Node
// APIs: the wasm module comes from the caller (src/node or web).

import { ControllerCore } from "../controller/core";
import { ControllerConfig } from "../controller/config";
import { StepPort } from "../controller/port";
import { NvmeDriver } from "../driver/nvme";
import { BlockLayer } from "./blk";
import { CopyDesign } from "./disk";
import { DEFAULT_TIMING, DeviceTiming, NvmeBlkController } from "./nvme-blk";
import { DeviceModel, SimpleDeviceModel } from "./device-model";
import { resetBioIds } from "./bio";
import { resetRequestIds } from "./request";
import { resetCopyIds } from "./copy/copy";
import { resetCtxIds } from "./copy/ctx";

export interface BlockHostOptions {
  cpus?: number;
  /** Hardware queues (NVMe I/O queue pairs); default one per CPU. */
  hwQueues?: number;
  queueDepth?: number;
  design?: CopyDesign;
  /** The simple model's parameters (the default model). */
  timing?: Partial<DeviceTiming>;
  /** A device model instead (device-model.ts: null_blk-like, the TLC SSD, or your own). */
  model?: DeviceModel;
  /** Controller event classes to record in its ring (layout.ts EVC_*; default none). */
  controllerTrace?: number;
}

export class BlockHost {
  private constructor(
    readonly core: ControllerCore,
    readonly port: StepPort,
    readonly driver: NvmeDriver,
    readonly blk: BlockLayer,
    readonly nvme: NvmeBlkController,
  ) {}

  static async create(module: WebAssembly.Module, config: ControllerConfig, o: BlockHostOptions = {}): Promise<BlockHost> {
    resetBioIds();
    resetRequestIds();
    resetCopyIds();
    resetCtxIds();
    const cpus = o.cpus ?? 2;
    if (!Number.isInteger(cpus) || cpus < 1 || cpus > 64) throw new Error(`cpus: ${cpus} is not between 1 and 64`);
    const hw = o.hwQueues ?? cpus;
    if (!Number.isInteger(hw) || hw < 1 || hw > config.maxIoQueuePairs) throw new Error(`hw_queues: ${hw} is not between 1 and the controller's ${config.maxIoQueuePairs} queue pairs`);
    const core = await ControllerCore.create(module, config, { traceMask: o.controllerTrace ?? 0 });
    core.exports.ctrl_power_on();
    const blk = new BlockLayer(cpus);
    // the controller's clock is the block layer's modelled clock: deterministic runs; each
    // step is stamped with how many block events the trace holds, so a controller event can
    // be placed among the block events of its time (src/lab/session.ts blkBefore)
    const port = new StepPort(core, () => blk.sim.now_ns, () => blk.tracer.events.length);
    const driver = new NvmeDriver(port, { ioQueues: hw, ioDepth: o.queueDepth ?? 256 });
    driver.bringUp();
    blk.design = o.design ?? "ctx";
    blk.mem = { pool: driver.pool, ram: core.hostRam };
    const model = o.model ?? new SimpleDeviceModel({ ...DEFAULT_TIMING, ...o.timing });
    const nvme = new NvmeBlkController(blk, driver, 0, model);
    for (const d of nvme.disks) blk.addDisk(d);
    // the stepped controller reads posted writes at its next step: deliver the last admin
    // command's CQ head doorbell now, before any bio, as a device would see it, not with the
    // first I/O doorbell (the trace would show it after that I/O's D)
    port.poll();
    return new BlockHost(core, port, driver, blk, nvme);
  }
}
