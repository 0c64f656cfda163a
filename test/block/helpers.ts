// Shared by the block-layer tests: a host with its namespaces and one task, and deterministic
// data for a seed.

import { BlockHost, BlockHostOptions } from "../../src/block/host";
import { ControllerConfig, NamespaceConfig, defaultConfig, defaultNamespace } from "../../src/controller/config";
import { loadCoreModule } from "../../src/node/wasm";
import { BlockLayer } from "../../src/block/blk";
import { MqDisk } from "../../src/block/mq";
import type { Task } from "../../src/block/sim";

export interface HostSpec extends BlockHostOptions {
  namespaces?: Array<Partial<NamespaceConfig>>;
  ctrl?: Partial<ControllerConfig>;
}

/** A one-CPU host (unless spec says more) with task "fio" (pid 100) on CPU 0. */
export async function mkHost(spec: HostSpec = {}): Promise<{ h: BlockHost; blk: BlockLayer; d: MqDisk; t: Task }> {
  const c = defaultConfig();
  Object.assign(c, spec.ctrl ?? {});
  c.namespaces = (spec.namespaces ?? [{}]).map((n, i) => ({ ...defaultNamespace(i + 1), ...n }));
  const h = await BlockHost.create(await loadCoreModule(false), c, { cpus: 1, ...spec });
  const t = h.blk.sim.addTask(100, "fio", 0);
  return { h, blk: h.blk, d: h.blk.disk("nvme0n1") as MqDisk, t };
}

/** len deterministic bytes for seed (xorshift32). */
export function pattern(len: number, seed: number): Uint8Array {
  const out = new Uint8Array(len);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < len; i++) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}
