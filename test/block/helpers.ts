// Shared by the block-layer tests: a host with its namespaces and one task, deterministic
// data for a seed, and bios of data submitted from a task (waited for or not).

import { expect } from "vitest";
import { Bio, BlkStatus, Op } from "../../src/block/bio";
import type { BlockDevice } from "../../src/block/disk";
import { BlockHost, BlockHostOptions } from "../../src/block/host";
import { ControllerConfig, NamespaceConfig, defaultConfig, defaultNamespace } from "../../src/controller/config";
import { loadCoreModule } from "../../src/node/wasm";
import { BlockLayer } from "../../src/block/blk";
import { MqDisk } from "../../src/block/mq";
import type { Task } from "../../src/block/sim";
import { blkdevIssueFlush } from "../../src/block/blk-flush";

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

/** Submit one bio of data from task t without waiting; returns the wait. Reads fill data when done. */
export function submit(blk: BlockLayer, t: Task, d: BlockDevice, op: Op, sector: number, data: Uint8Array, onDone?: (s: BlkStatus) => void): () => void {
  const mem = blk.mem!;
  const buf = mem.pool.alloc(Math.max(data.length, 512));
  if (op === Op.WRITE) mem.ram.set(data, buf.bus);
  blk.sim.as(t, () => {
    const bio = new Bio(d, op, sector, data.length, data.length ? [{ bus: buf.bus, len: data.length }] : []);
    bio.endio = (b) => {
      if (op === Op.READ) data.set(mem.ram.subarray(buf.bus, buf.bus + data.length));
      mem.pool.release(buf);
      onDone?.(b.status);
    };
    blk.submitBio(bio);
  });
  return () => blk.waitTask(t);
}

/** One bio from task t, waited for; the status it ended with. */
export function io(blk: BlockLayer, t: Task, d: BlockDevice, op: Op, sector: number, data: Uint8Array): BlkStatus {
  let st = -1 as BlkStatus;
  submit(blk, t, d, op, sector, data, (s) => { st = s; });
  blk.sim.as(t, () => blk.waitTask());
  return st;
}

/** blkdev_issue_flush from task t (an empty REQ_OP_WRITE | REQ_PREFLUSH bio), waited for; its status. */
export function flush(blk: BlockLayer, t: Task, d: BlockDevice): BlkStatus {
  let st = -1 as BlkStatus;
  blk.sim.as(t, () => {
    blkdevIssueFlush(blk, d, (b) => { st = b.status; });
    blk.waitTask();
  });
  return st;
}

/** Write data at sector and expect success. */
export function write(blk: BlockLayer, t: Task, d: BlockDevice, sector: number, data: Uint8Array): void {
  expect(io(blk, t, d, Op.WRITE, sector, data)).toBe(BlkStatus.OK);
}

/** Read bytes at sector and expect success. */
export function read(blk: BlockLayer, t: Task, d: BlockDevice, sector: number, bytes: number): Uint8Array {
  const out = new Uint8Array(bytes);
  expect(io(blk, t, d, Op.READ, sector, out)).toBe(BlkStatus.OK);
  return out;
}

export const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b));
