// Tests for src/bench/floor.ts: the bench's floor must do the work it stands for (every read
// completes with success, each block is read once, fio's latency bins), and run the same device
// at the same rate as the full stack, or the ratio beside it means nothing. Functional only:
// timings live in `npm run bench`.
import { describe, it, expect } from "vitest";
import { loadCoreModule } from "../../src/node/wasm";
import { buildScenarioHost, parseScenario } from "../../src/block/scenario";
import { FIO_SETUPS } from "../../src/fio/setups";
import { parseJobFile } from "../../src/fio/job";
import { runFio } from "../../src/fio/run";
import { platValToIdx } from "../../src/fio/stats";
import { runFloor } from "../../src/bench/floor";

const host = async () => buildScenarioHost(await loadCoreModule(false), parseScenario({ ...FIO_SETUPS["tlc-970pro"], steps: [] }, "setup"), "setup");
const JOB = "[r]\nfilename=/dev/nvme0n1\nrw=randread\nbs=4k\nioengine=libaio\niodepth=32\nsize=1g\ntime_based\nruntime=20ms\n";

describe("runFloor", () => {
  it("completes every read with success and reads each block once", async () => {
    const r = runFloor(await host(), 32, 1 << 30, 20e6);
    expect(r.errors).toBe(0);
    expect(r.ios).toBeGreaterThan(1000);
    // the reads completed plus the 32 still in flight, each a distinct block
    expect(r.blocks_read).toBe(r.ios + 32);
    // every completion in fio's histogram, its bin the one of a latency between min and max
    expect(r.lat_bins.reduce((a, n) => a + n, 0)).toBe(r.ios);
    expect(r.min_lat_ns).toBeLessThanOrEqual(r.mean_lat_ns);
    expect(r.max_lat_ns).toBeGreaterThanOrEqual(r.mean_lat_ns);
    expect(r.lat_bins.findIndex((n) => n > 0)).toBe(platValToIdx(r.min_lat_ns));
    expect(r.lat_bins.length - 1 - [...r.lat_bins].reverse().findIndex((n) => n > 0)).toBe(platValToIdx(r.max_lat_ns));
  });

  it("runs the device at the full stack's rate and latency (same model, same queue depth)", async () => {
    const floor = runFloor(await host(), 32, 1 << 30, 20e6);
    const fio = runFio(await host(), parseJobFile(JOB, "floor.fio"));
    const read = fio.jobs[0].dirs.read!;
    expect(Math.abs(floor.ios / read.total_ios - 1)).toBeLessThan(0.05);
    expect(floor.mean_lat_ns).toBeGreaterThan(44_000); // firmware 8.5 us + tR 35.76 us at least
  });

  it("starts over when the random map is full, and reads only blocks within the size", async () => {
    for (const blocks of [64, 50]) {
      const r = runFloor(await host(), 4, blocks * 4096, 5e6);
      expect(r.errors).toBe(0);
      expect(r.blocks_read).toBe(r.ios + 4);
      expect(r.ios).toBeGreaterThan(2 * blocks);
      expect(r.max_block).toBe(blocks - 1);
    }
  });

  it("refuses a queue depth the queue cannot hold", async () => {
    const h = await host();
    expect(() => runFloor(h, 0, 1 << 30, 1e6)).toThrow(/queue depth 0/);
    expect(() => runFloor(h, 5000, 1 << 30, 1e6)).toThrow(/queue depth 5000/);
    expect(() => runFloor(h, 32, 16 * 4096, 1e6)).toThrow(/do not fit/);
  });
});
