// The playground's laboratory, without DOM or Node: it runs a setup (a scenario: controller,
// block stack, copy design, device and link models, steps) to the end in modelled time, keeps
// the host it built so the page can look at the controller's event ring and media after the
// run, and reads, exports and imports raw namespace images (QEMU nvme-ns format=raw). The
// host worker (web/host.worker.ts) exposes one LabSession to the page.

import { parseScenario, runScenario, ScenarioError, type ScenarioHost, type ScenarioResult } from "../block/scenario";
import { readEvents, eventSeq, type ControllerEvent } from "../controller/events";
import { lbaSize, metadataSize } from "../controller/config";
import { hashMedia, loadImage, readMedia, storedRuns, visitImage, type StoredRun } from "../controller/media";
import { imageSizeProblem, type LabNamespace } from "./namespace";
import type { Hasher } from "../util/sha256";
import { TRACE_ALL } from "../../assembly/layout";


/**
 * A controller event of a lab run, with its place among the block layer's events: the
 * controller runs stepped, inside the host's calls, and blkBefore is how many block events
 * (LabRun.events) had been recorded when the step that recorded this event ran (StepPort
 * stampOf). So events[0 .. blkBefore - 1] happened before it and the rest after, however
 * many share its modelled time: bring-up comes before the first Q, and the doorbell and
 * fetch of a command right after the D that issued it.
 */
export interface LabControllerEvent extends ControllerEvent {
  blkBefore: number;
}

/**
 * One run of a setup: the scenario's result plus what the controller recorded. `media` is
 * empty: hashing every namespace takes longer than most runs, so the page asks (mediaHash).
 */
export interface LabRun extends ScenarioResult {
  /** The setup as given (the page keeps it with the run it produced). */
  setup: unknown;
  /** The controller's event ring after the run, oldest first (bring-up included). */
  controller: LabControllerEvent[];
  /** Events the ring overwrote before the run ended (runs longer than the ring). */
  controllerEventsLost: number;
  namespaces: LabNamespace[];
  cpus: number;
  wall_ms: number;
}

/** Largest image the page exports or imports in one piece (a Blob the browser holds in memory). */
export const MAX_IMAGE_BYTES = 512 * 2 ** 20;
/** Most blocks one hexdump read returns. */
export const MAX_READ_BLOCKS = 256;

export class LabError extends Error {}

export class LabSession {
  private host?: ScenarioHost;
  private runs = 0;

  constructor(
    private readonly loadModule: () => Promise<WebAssembly.Module>,
    private readonly hasher: () => Hasher,
    private readonly now_ms: () => number = () => performance.now(),
  ) {}

  /** Parse and run a setup; on a bad setup the error names where, and the last run stays. */
  async run(setup: unknown, where = "setup"): Promise<LabRun> {
    const scenario = parseScenario(setup, where);
    const module = await this.loadModule();
    const t0 = this.now_ms();
    let built: ScenarioHost | undefined;
    const r = await runScenario(module, scenario, { onHost: (h) => { built = h; }, controllerTrace: TRACE_ALL, hashMedia: false });
    const host = built!;
    this.host = host;
    this.runs++;
    const core = host.h.core;
    // The stepped controller reads the host's MMIO writes from its mailbox at its next step
    // (StepPort): the CQ head doorbell of the run's last reap (QueuePair.ackCompletions, as
    // nvme_poll_cq rings it after each batch) would stay unread, and the Queues view would
    // show a CQE the host had consumed as new. One step delivers it, at the run's end time.
    host.h.port.poll();
    const end = eventSeq(core);
    const port = host.h.port;
    const controller = readEvents(core, 0).map((e): LabControllerEvent => ({ ...e, blkBefore: port.stampOf(e.seq) ?? 0 }));
    return {
      ...r,
      setup,
      controller,
      controllerEventsLost: end - controller.length,
      namespaces: this.namespaces(),
      cpus: scenario.cpus,
      wall_ms: this.now_ms() - t0,
    };
  }

  /** Namespaces of the last run's controller. */
  namespaces(): LabNamespace[] {
    const core = this.need().h.core;
    return [...this.need().h.driver.nsids].map((nsid) => {
      const ns = core.config.namespaces[core.slotOf(nsid)];
      const lbaBytes = lbaSize(ns);
      const metadataBytes = metadataSize(ns);
      return { nsid, lbaBytes, metadataBytes, blocks: ns.blocks, imageBytes: ns.blocks * (lbaBytes + metadataBytes) };
    });
  }

  /** Data and metadata of LBAs [slba, slba + nlb) of the last run's namespace nsid. */
  readBlocks(nsid: number, slba: number, nlb: number): { data: Uint8Array; md: Uint8Array } {
    const ns = this.namespace(nsid);
    if (!Number.isSafeInteger(slba) || slba < 0 || slba >= ns.blocks) throw new LabError(`namespace ${nsid}: LBA ${slba} is outside 0..${ns.blocks - 1}`);
    if (!Number.isSafeInteger(nlb) || nlb < 1 || nlb > MAX_READ_BLOCKS) throw new LabError(`namespace ${nsid}: ${nlb} blocks: read 1..${MAX_READ_BLOCKS} at a time`);
    return readMedia(this.need().h.core, nsid, slba, Math.min(nlb, ns.blocks - slba));
  }

  /** Runs of LBAs that hold data (everything else reads as zeroes). */
  stored(nsid: number): StoredRun[] {
    this.namespace(nsid);
    return storedRuns(this.need().h.core, nsid);
  }

  /** sha256 of the namespace's data area, as the oracle's media_hash. */
  mediaHash(nsid: number): string {
    this.namespace(nsid);
    return hashMedia(this.need().h.core, nsid, this.hasher());
  }

  /** The namespace as a raw image: data of every block, then metadata of every block. */
  exportImage(nsid: number): Uint8Array {
    const ns = this.namespace(nsid);
    if (ns.imageBytes > MAX_IMAGE_BYTES) throw new LabError(`namespace ${nsid}: its image is ${ns.imageBytes} bytes, more than the page exports (${MAX_IMAGE_BYTES}); use the CLI's --state`);
    const out = new Uint8Array(ns.imageBytes);
    visitImage(this.need().h.core, nsid, (at, bytes) => out.set(bytes, at));
    return out;
  }

  /**
   * Replace the namespace's contents with a raw image (data only, or data + metadata when the
   * format has metadata). A wrong size changes nothing. Returns the new media hash.
   */
  importImage(nsid: number, image: Uint8Array, name = "image"): string {
    const ns = this.namespace(nsid);
    const problem = imageSizeProblem(ns, image.length, name);
    if (problem) throw new LabError(problem);
    const core = this.need().h.core;
    // the import skips zero blocks (it stays sparse): drop the old contents first
    core.exports.media_deallocate(core.slotOf(nsid), 0, ns.blocks);
    loadImage(core, nsid, image.length, (at, length) => image.subarray(at, at + length));
    return this.mediaHash(nsid);
  }

  get hasRun(): boolean {
    return this.host !== undefined;
  }

  private need(): ScenarioHost {
    if (!this.host) throw new LabError("nothing has run yet: run a setup or an experiment first");
    return this.host;
  }

  private namespace(nsid: number): LabNamespace {
    const ns = this.namespaces().find((n) => n.nsid === nsid);
    if (!ns) throw new LabError(`no namespace ${nsid} (there are: ${this.namespaces().map((n) => n.nsid).join(", ")})`);
    return ns;
  }
}

export { ScenarioError };
export type { LabNamespace };
