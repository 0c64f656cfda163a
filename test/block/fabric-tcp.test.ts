// The NVMe/TCP timing model against the header arithmetic: PDU sizes from the transport
// binding, TCP segmentation by MSS, Ethernet line overhead, the R2T round trip for writes
// beyond the in-capsule size, read data before the response, and a Copy that the target
// emulates on its backend without a byte of data on the wire.

import { describe, it, expect } from "vitest";
import { NvmeTcpModel, CAPSULE_CMD_HEADER, CAPSULE_RESP_HEADER, DATA_PDU_HEADER } from "../../src/block/fabric-tcp";
import { QueueingDeviceModel, nullBlkParams, tlc970ProParams, MODEL_PENDING } from "../../src/block/device-model";
import type { ModelHost } from "../../src/block/device-model";
import { buildScenarioHost, parseScenario } from "../../src/block/scenario";
import { loadCoreModule } from "../../src/node/wasm";
import { write, read, pattern, same } from "./helpers";

const nullDev = () => new QueueingDeviceModel(nullBlkParams(0));
const lineOf = (bytes: number, mss = 1448) => bytes + Math.max(1, Math.ceil(bytes / mss)) * (38 + 52);

describe("NVMe/TCP model", () => {
  it("PDU headers and line bytes: 72-byte capsule, 24-byte response and data PDUs, MSS 1448 at MTU 1500", () => {
    expect([CAPSULE_CMD_HEADER, CAPSULE_RESP_HEADER, DATA_PDU_HEADER]).toEqual([72, 24, 24]);
    const m = new NvmeTcpModel(nullDev());
    expect(m.lineBytes(72)).toEqual({ line: 72 + 90, segments: 1 });
    expect(m.lineBytes(8192 + 24)).toEqual({ line: 8216 + 6 * 90, segments: 6 });
  });

  it("a 4 KiB read at 1 Gb/s: capsule over, data and response back, each half an RTT late", () => {
    const m = new NvmeTcpModel(nullDev(), { rtt_ns: 20_000 });
    const done = m.complete({ op: "read", bytes: 4096, offset: 0 }, 0);
    const ns = (b: number) => b * 8; // 1 Gb/s: 8 ns per byte
    const capsule = ns(lineOf(72)) + 10_000;
    const data = ns(lineOf(24 + 4096));
    const resp = ns(lineOf(24));
    expect(done).toBeCloseTo(capsule + data + resp + 10_000, 6);
    const w = m.wire();
    expect(w.c2h.payload_bytes).toBe(4096);
    expect(w.h2c.payload_bytes).toBe(0);
  });

  it("a 64 KiB write waits for R2T (beyond the 16 KiB in-capsule size); an 8 KiB one does not", () => {
    const small = new NvmeTcpModel(nullDev(), { rtt_ns: 20_000 });
    const big = new NvmeTcpModel(nullDev(), { rtt_ns: 20_000 });
    const s = small.complete({ op: "write", bytes: 8192, offset: 0 }, 0);
    const b = big.complete({ op: "write", bytes: 65536, offset: 0 }, 0);
    // the big one pays an extra round trip (R2T) besides its longer transfer
    expect(b - s).toBeGreaterThan(20_000 + (65536 - 8192) * 8);
    expect(big.wire().h2c.payload_bytes).toBe(65536);
  });

  it("a Copy travels as a capsule with its range descriptors; the emulating target moves no data over the wire", () => {
    const m = new NvmeTcpModel(nullDev());
    m.complete({ op: "copy", bytes: 0, offset: 1 << 20, sources: Array.from({ length: 16 }, (_, i) => [i * 131072, 131072] as [number, number]) }, 0);
    const w = m.wire();
    expect(w.h2c.payload_bytes + w.c2h.payload_bytes).toBe(0);
    // only the capsule: the response (one small segment) is acknowledged by the next segment the host sends
    expect(w.h2c.line_bytes).toBe(lineOf(72 + 16 * 32));
  });

  it("ACKs as Linux sends them: a frame once more than one MSS is unacknowledged, otherwise on the next segment back", () => {
    const m = new NvmeTcpModel(nullDev());
    m.complete({ op: "read", bytes: 8192, offset: 0 }, 0);
    // C2HData of 8216 bytes: segments 1448 x5 + 976; an ACK after the 2nd, 4th and 6th; the response's 24 bytes wait
    expect(m.wire().h2c.line_bytes).toBe(lineOf(72) + 3 * 84);
    m.complete({ op: "read", bytes: 512, offset: 0 }, 1e6);
    // the second capsule carries the ACK of the first response; its 536-byte data PDU and response stay below one MSS
    expect(m.wire().h2c.line_bytes).toBe(2 * lineOf(72) + 3 * 84);
    // the target's side: the capsules it received were acknowledged by what it sent back
    expect(m.wire().c2h.line_bytes).toBe(lineOf(24 + 8192) + lineOf(24) + lineOf(24 + 512) + lineOf(24));
  });

  it("a one-frame PDU of another connection is not queued behind bulk data (fq_codel serves sparse flows first)", () => {
    const m = new NvmeTcpModel(nullDev(), { rtt_ns: 0 });
    // a 1 MiB write's H2CData fills the host's side of a 1 Gb/s wire for about 9 ms
    const bulk = m.complete({ op: "write", bytes: 1 << 20, offset: 0, queue: 0 }, 0);
    // meanwhile another queue's 4 KiB read: its capsule waits at most one frame, not 9 ms
    const rd = m.complete({ op: "read", bytes: 4096, offset: 0, queue: 1 }, 1_000_000);
    const frame = (1500 + 38) * 8;
    expect(rd).toBeLessThan(1_000_000 + frame + 8 * (lineOf(72) + lineOf(24 + 4096) + lineOf(24)) + 1);
    expect(bulk).toBeGreaterThan(8 * (1 << 20));
  });

  it("one connection keeps its bytes in order: a capsule waits for the same queue's data, not another queue's", () => {
    const at = (queueOfRead: number) => {
      const m = new NvmeTcpModel(nullDev(), { rtt_ns: 0 });
      // a 1 MiB write on queue 0 (its H2CData fills the host's side for about 9 ms), then a 512-byte read
      m.complete({ op: "write", bytes: 1 << 20, offset: 0, queue: 0 }, 0);
      return m.complete({ op: "read", bytes: 512, offset: 0, queue: queueOfRead }, 1_000_000);
    };
    expect(at(1)).toBeLessThan(1_100_000);
    expect(at(0)).toBeGreaterThan(8 * (1 << 20));
  });

  it("a read's response leaves after its own data; interleaved frames' line time is kept", () => {
    const m = new NvmeTcpModel(nullDev(), { rtt_ns: 0 });
    const done = m.complete({ op: "read", bytes: 65536, offset: 0 }, 0);
    const w = m.wire();
    // every byte of the C2HData went before the response
    const data = 8 * Array.from({ length: 1 }, () => lineOf(24 + 65536)).reduce((a, b) => a + b, 0);
    expect(done).toBeGreaterThanOrEqual(8 * lineOf(72) + data + 8 * lineOf(24) - 1);
    // busy time is all the line bytes, the one-frame PDUs and ACK frames included
    expect(w.c2h.busy_ns).toBeCloseTo(8 * w.c2h.line_bytes, 6);
    expect(w.h2c.busy_ns).toBeCloseTo(8 * w.h2c.line_bytes, 6);
    expect(w.h2c.line_bytes).toBeGreaterThan(lineOf(72)); // ACK frames for the 64 KiB
  });

  it("an emulated Copy's write reaches the backend when its reads end, behind a read that arrived meanwhile", () => {
    // one die, no write cache: the Copy's read, then a host read arriving while it runs, then the Copy's write
    const p = tlc970ProParams();
    const run = (bound: boolean) => {
      const backend = new QueueingDeviceModel({ ...p, write_cache: false, media: { ...p.media!, channels: 1, dies_per_channel: 1 } });
      const m = new NvmeTcpModel(backend, { bits_per_s: 100e9, rtt_ns: 0 });
      const events: Array<{ t: number; fn: (a: never) => void; arg: unknown }> = [];
      let copyDone = NaN;
      const token = {};
      const host: ModelHost = { at: (t, fn, arg) => { events.push({ t, fn: fn as (a: never) => void, arg }); }, resolved: (tok, t) => { expect(tok).toBe(token); copyDone = t; } };
      if (bound) m.bind(host);
      const c = m.complete({ op: "copy", bytes: 0, offset: 1 << 20, sources: [[0, 4096]] }, 0, token);
      if (bound) expect(c).toBe(MODEL_PENDING);
      else copyDone = c;
      const readDone = m.complete({ op: "read", bytes: 4096, offset: 8192 }, 5_000);
      for (const e of events.sort((a, b) => a.t - b.t)) e.fn(e.arg as never);
      return { copyDone, readDone };
    };
    const eager = run(false), timed = run(true);
    expect(eager.readDone).toBeGreaterThan(eager.copyDone); // booked at arrival, the write went first
    expect(timed.readDone).toBeLessThan(timed.copyDone);
    expect(timed.readDone).toBeLessThan(eager.readDone - 30_000);
  });

  it("user-space read+write of 8 KiB at 1 Gb/s is wire-bound near the line rate; the copy is not", () => {
    // a closed loop at QD 1 of read 8K then write 8K, against one Copy of 8K
    const rw = new NvmeTcpModel(nullDev(), { rtt_ns: 0 });
    let t = 0;
    for (let i = 0; i < 1000; i++) t = rw.complete({ op: "write", bytes: 8192, offset: 0 }, rw.complete({ op: "read", bytes: 8192, offset: 0 }, t));
    const rwMiBs = (1000 * 8192) / (t / 1e9) / 2 ** 20;
    expect(rwMiBs).toBeLessThan(60); // each byte crosses twice, one direction at a time at QD 1
    const cp = new NvmeTcpModel(nullDev(), { rtt_ns: 0 });
    let c = 0;
    for (let i = 0; i < 1000; i++) c = cp.complete({ op: "copy", bytes: 0, offset: 1 << 20, sources: [[0, 8192]] }, c);
    expect((1000 * 8192) / (c / 1e9) / 2 ** 20).toBeGreaterThan(rwMiBs * 5);
  });

  it("the target's CPUs: a queue's commands share its CPU; queues on different CPUs do not wait for each other", () => {
    const run = (cpus: number) => {
      const m = new NvmeTcpModel(nullDev(), { bits_per_s: 100e9, rtt_ns: 0, target_cmd_ns: 10_000, target_cpus: cpus });
      // two reads at once on queues 0 and 1, and a third on queue 0
      return [0, 1, 0].map((queue) => m.complete({ op: "read", bytes: 512, offset: 0, queue }, 0));
    };
    const [a1, b1, c1] = run(1);
    const [a2, b2, c2] = run(2);
    // one CPU: each command waits for the ones before it (10 us of work each)
    expect(b1 - a1).toBeGreaterThanOrEqual(10_000 - 1);
    expect(c1 - b1).toBeGreaterThanOrEqual(10_000 - 1);
    // two CPUs: queue 1 runs beside queue 0; queue 0's second command still waits for its first
    expect(Math.abs(b2 - a2)).toBeLessThan(1_000);
    expect(c2 - a2).toBeGreaterThanOrEqual(10_000 - 1);
    // no CPUs modelled: the work is a delay, nobody waits
    const free = new NvmeTcpModel(nullDev(), { bits_per_s: 100e9, rtt_ns: 0, target_cmd_ns: 10_000 });
    const t = [0, 0].map((queue) => free.complete({ op: "read", bytes: 512, offset: 0, queue }, 0));
    expect(Math.abs(t[1] - t[0])).toBeLessThan(1_000);
    expect(free.busy().target_cpu).toBe(0);
    const m = new NvmeTcpModel(nullDev(), { target_cmd_ns: 10_000, target_cpus: 4 });
    m.complete({ op: "read", bytes: 512, offset: 0, queue: 5 }, 0);
    expect(m.busy().target_cpu).toBe(10_000);
  });

  it("the target copies received write data out of the socket: per byte, after the data has arrived", () => {
    const at = (perByte: number, bytes: number) =>
      new NvmeTcpModel(nullDev(), { bits_per_s: 100e9, rtt_ns: 0, target_copy_ns_per_byte: perByte, target_cpus: 1 }).complete({ op: "write", bytes, offset: 0, queue: 0 }, 0);
    // H2CData after an R2T (64 KiB) and in-capsule data (8 KiB) both cost the copy
    expect(at(1, 65536) - at(0, 65536)).toBeCloseTo(65536, 6);
    expect(at(1, 8192) - at(0, 8192)).toBeCloseTo(8192, 6);
    // reads leave zero-copy
    const rd = (perByte: number) => new NvmeTcpModel(nullDev(), { bits_per_s: 100e9, rtt_ns: 0, target_copy_ns_per_byte: perByte, target_cpus: 1 }).complete({ op: "read", bytes: 65536, offset: 0 }, 0);
    expect(rd(1)).toBe(rd(0));
  });

  it("refuses a nonsense link", () => {
    expect(() => new NvmeTcpModel(nullDev(), { mtu: 100 })).toThrow(/MTU 100/);
    expect(() => new NvmeTcpModel(nullDev(), { bits_per_s: 0 })).toThrow(/line rate/);
  });

  it("a setup puts the device behind NVMe/TCP: the data arrives, and the wire saw it; bad fabrics name the key", async () => {
    const sc = parseScenario({ controller: { namespaces: [{ size: "16M" }] }, cpus: 1, device: { preset: "null_blk", completion_us: 5 }, fabric: { transport: "tcp", gbps: 10, rtt_us: 20 }, steps: [] });
    const { blk } = await buildScenarioHost(await loadCoreModule(false), sc);
    const t = blk.sim.addTask(100, "fio", 0);
    const d = blk.disk("nvme0n1");
    const data = pattern(65536, 4);
    write(blk, t, d, 0, data);
    expect(same(read(blk, t, d, 0, 65536), data)).toBe(true);
    const m = (blk.disk("nvme0n1") as unknown as { ctrl: { model: NvmeTcpModel } }).ctrl.model;
    expect(m).toBeInstanceOf(NvmeTcpModel);
    expect([m.wire().h2c.payload_bytes, m.wire().c2h.payload_bytes]).toEqual([65536, 65536]);
    expect(() => parseScenario({ fabric: { transport: "rdma" }, steps: [] })).toThrow(/fabric\.transport: "rdma": only "tcp" is modelled/);
    expect(() => parseScenario({ fabric: { transport: "tcp", mtu: 100 }, steps: [] })).toThrow(/fabric\.mtu: 100 is not a number in 576\.\.9216/);
    expect(() => parseScenario({ fabric: { transport: "tcp", speed: 1 }, steps: [] })).toThrow(/fabric\.speed: unknown key/);
    expect(() => parseScenario({ fabric: { transport: "tcp", target_cpus: 1.5 }, steps: [] })).toThrow(/fabric\.target_cpus: 1\.5 is not a whole number/);
    expect(() => parseScenario({ fabric: { transport: "tcp", target_copy_ns_per_byte: -1 }, steps: [] })).toThrow(/fabric\.target_copy_ns_per_byte: -1 is not a number in 0\.\.1000/);
  });

  it("over NVMe/TCP the host CPU copies read data (copy_ns_per_byte); over PCIe it does not", async () => {
    const run = async (fabric: boolean) => {
      const sc = parseScenario({
        controller: { namespaces: [{ size: "16M" }] }, cpus: 1, device: { preset: "null_blk", completion_us: 0 },
        cpu: { copy_ns_per_byte: 0.5 }, ...(fabric ? { fabric: { transport: "tcp", gbps: 100, rtt_us: 0 } } : {}), steps: [],
      });
      const { blk } = await buildScenarioHost(await loadCoreModule(false), sc);
      const t = blk.sim.addTask(100, "fio", 0);
      const d = blk.disk("nvme0n1");
      write(blk, t, d, 0, pattern(65536, 1));
      const busy0 = blk.sim.cpuBusy_ns[0];
      read(blk, t, d, 0, 65536);
      return blk.sim.cpuBusy_ns[0] - busy0;
    };
    expect(await run(true)).toBeCloseTo(65536 * 0.5, 6);
    expect(await run(false)).toBe(0);
  });
});
