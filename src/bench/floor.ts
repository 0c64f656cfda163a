// The fio simulation bench's floor: the bench job's per-I/O work with a lean loop standing in for
// fio, the block layer and nvme-blk, over the real lower layers (the stepped wasm controller,
// the driver's QueuePair, the StepPort and the setup's device model). It shows how much of a
// simulated command's cost is the controller and the device model, which any host stack pays,
// and how much is the host stack above them (`npm run bench` prints both; docs/FIO.md).
//
// Per I/O the loop does what those layers must do at minimum: a block from fio's random map
// (src/fio/random-map.ts, as fio's axmap), a 4 KiB Read built in the SQ's tail slot and
// submitted under the buffer's tag as CID, the SQ doorbell, one controller step, the CQE reaped
// in place (status checked) and the CQ head doorbell (nvme-blk's commit), the device model's
// completion time, an event in a 4-ary heap of times, and at completion fio's latency bin
// (plat_val_to_idx, FIO_IO_U_PLAT_BITS 6), sum, min and max, then the refill. It is a
// measuring stick, not a model: no bios, requests, tags, disk statistics or fio report.

import type { ScenarioHost } from "../block/scenario";
import { modelCommand } from "../block/device-model";
import type { DeviceModel } from "../block/device-model";
import { RandomMap } from "../fio/random-map";
import { platValToIdx, FIO_IO_U_PLAT_NR } from "../fio/stats";
import * as O from "../../assembly/spec/opcodes";

export interface FloorResult {
  /** Reads completed within the modelled runtime. */
  ios: number;
  /** Their latency (modelled ns): mean, least and most. */
  mean_lat_ns: number;
  min_lat_ns: number;
  max_lat_ns: number;
  /** Their latencies in fio's histogram bins (plat_val_to_idx), as fio keeps them for percentiles. */
  lat_bins: Uint32Array;
  /** Reads that completed with a non-zero status (the loop stops at the first). */
  errors: number;
  /** Blocks taken from the random map (each once until every block was: then it starts over). */
  blocks_read: number;
  /** The highest block read (below size_bytes / 4 KiB). */
  max_block: number;
}

const BLOCK_BYTES = 4096;
/**
 * Run 4 KiB random reads at queue depth qd over the first size_bytes of the host's first
 * namespace for runtime_ns of modelled time, on hardware queue 0. The host must be fresh (its
 * clock at 0, nothing in flight) and its device model one that answers at once (not
 * MODEL_PENDING).
 */
export function runFloor(sh: ScenarioHost, qd: number, size_bytes: number, runtime_ns: number, seed = 0x2545f491): FloorResult {
  const h = sh.h;
  const port = h.port;
  const q = h.driver.io[0];
  const model: DeviceModel = h.nvme.model;
  const sim = h.blk.sim;
  const disk = h.nvme.disks[0];
  const lbaBytes = disk.lbaBytes;
  const nlb0 = BLOCK_BYTES / lbaBytes - 1;
  const blocks = Math.floor(size_bytes / BLOCK_BYTES);
  if (!(qd >= 1 && qd <= q.room() && qd < 4096)) throw new Error(`floor: queue depth ${qd} does not fit queue ${q.qid} (room ${q.room()})`);
  if (blocks < qd || size_bytes > disk.capacity * 512) throw new Error(`floor: ${size_bytes} bytes do not fit ${disk.name}`);
  const bufs = h.driver.pool.alloc(qd * BLOCK_BYTES);
  const map = new RandomMap(blocks);
  let rnd = seed | 0 || 1;
  // the 4-ary heap: times with +Infinity past the end, and the buffer (= tag) of each
  const heapT = new Float64Array(qd + 4).fill(Infinity);
  const heapV = new Int32Array(qd + 4);
  let heapN = 0;
  const issued = new Float64Array(qd);
  const plat = new Uint32Array(FIO_IO_U_PLAT_NR);
  const mc = modelCommand("read", BLOCK_BYTES, 0);
  let now = 0;
  let latSum = 0, latMin = Infinity, latMax = 0, ios = 0, errors = 0, blocksRead = 0, maxBlock = 0;

  // fio's random map (src/fio/random-map.ts): the draw, or the next free block after it; a
  // full map starts over
  const takeBlock = (): number => {
    rnd ^= rnd << 13; rnd ^= rnd >>> 17; rnd ^= rnd << 5;
    const taken = map.take((rnd >>> 0) % blocks);
    blocksRead++;
    if (taken > maxBlock) maxBlock = taken;
    return taken;
  };
  const push = (t: number, v: number): void => {
    let i = heapN++;
    while (i > 0) {
      const p = (i - 1) >> 2;
      if (heapT[p] <= t) break;
      heapT[i] = heapT[p]; heapV[i] = heapV[p]; i = p;
    }
    heapT[i] = t; heapV[i] = v;
  };
  const pop = (): number => {
    const v = heapV[0];
    const n = --heapN;
    const t = heapT[n], x = heapV[n];
    heapT[n] = Infinity;
    let i = 0;
    for (;;) {
      const c = 4 * i + 1;
      if (c >= n) break;
      let m = c, mt = heapT[c];
      if (heapT[c + 1] < mt) { m = c + 1; mt = heapT[m]; }
      if (heapT[c + 2] < mt) { m = c + 2; mt = heapT[m]; }
      if (heapT[c + 3] < mt) { m = c + 3; mt = heapT[m]; }
      if (t <= mt) break;
      heapT[i] = mt; heapV[i] = heapV[m]; i = m;
    }
    heapT[i] = t; heapV[i] = x;
    return v;
  };
  const issue = (buf: number): void => {
    const lba = takeBlock() * (nlb0 + 1);
    const s = q.tailSlot();
    // every dword written (the slot holds an older command): TypedArray fill is a runtime call
    s[0] = O.NVM_READ; s[1] = disk.nsid; s[2] = 0; s[3] = 0; s[4] = 0; s[5] = 0;
    s[6] = bufs.bus + buf * BLOCK_BYTES; s[7] = 0; s[8] = 0; s[9] = 0; // PRP1, PRP2
    s[10] = lba; s[11] = 0; s[12] = nlb0; s[13] = 0; s[14] = 0; s[15] = 0;
    const tag = q.submit(s, buf);
    if (tag !== buf) throw new Error(`floor: CID ${buf} went out under tag ${tag}`);
    issued[buf] = now;
    mc.offset = lba * lbaBytes;
    model.advance?.(now);
    const due = model.complete(mc, now);
    q.ring(port);
    port.kick();
    // one command per doorbell: the CQE reaped is this one's
    for (let t = q.reapNext(false); t >= 0; t = q.reapNext(false)) {
      if (q.cqeDw3() >>> 17 !== 0) errors++;
      push(due, t);
    }
    q.reapEnd(port);
    q.ackCompletions(port);
  };

  for (let b = 0; b < qd; b++) issue(b);
  while (heapN > 0 && errors === 0 && heapT[0] <= runtime_ns) {
    now = heapT[0];
    sim.now_ns = now; // the controller's clock is the block layer's
    const buf = pop();
    const lat = Math.floor(now - issued[buf]);
    plat[platValToIdx(lat)]++;
    latSum += lat;
    if (lat < latMin) latMin = lat;
    if (lat > latMax) latMax = lat;
    ios++;
    issue(buf);
  }
  return { ios, mean_lat_ns: ios > 0 ? latSum / ios : 0, min_lat_ns: latMin, max_lat_ns: latMax, lat_bins: plat, errors, blocks_read: blocksRead, max_block: maxBlock };
}
