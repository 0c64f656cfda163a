// Tests for assembly/bench.ts: the benchmark's baselines must do exactly the work they stand
// for (one answer per ping, one CQE per SQE with its CID and phase tag), or the figures beside
// them mean nothing. Functional only: timings live in `npm run bench`.
import { describe, it, expect, beforeEach } from "vitest";
import { instantiate } from "../../src/controller/core";
import { loadCoreModule } from "../../src/node/wasm";
import * as L from "../../assembly/layout";
import { REG_DOORBELL_BASE } from "../../assembly/spec/regs";

interface BenchExports {
  bench_echo(word: number, rounds: number, spinLimit: number): number;
  bench_nvme_echo(mbox: number, sq: number, cq: number, depth: number, rounds: number, spinLimit: number, flags: number): number;
  bench_memcpy(dst: number, src: number, n: number, reps: number): void;
}

const MBOX = 0x100000;
const SQ = 0x102000;
const CQ = 0x103000;
const DEPTH = 4;
const SQ_DB = REG_DOORBELL_BASE + 8;
const CQ_DB = REG_DOORBELL_BASE + 12;

let ex: BenchExports;
let i32: Int32Array;
let posted = 0;

beforeEach(async () => {
  const memory = new WebAssembly.Memory({ initial: 32, maximum: 64, shared: true });
  ex = (await instantiate(await loadCoreModule(true), memory, () => 0)) as unknown as BenchExports;
  i32 = new Int32Array(memory.buffer);
  i32[MBOX / 4 + 3] = 1; // the echo's phase word starts at 1
  posted = 0;
});

function post(offset: number, value: number): void {
  const e = (MBOX + L.MBOX_ENTRIES_OFFSET + (posted % L.MBOX_ENTRIES) * L.MBOX_ENTRY_SIZE) / 4;
  i32[e + L.MBOX_E_TARGET / 4] = offset | (4 << L.MBOX_TARGET_SIZE_SHIFT);
  i32[e + L.MBOX_E_VALUE_LO / 4] = value;
  posted++;
  i32[e + L.MBOX_E_SEQ / 4] = posted;
}

function writeSqe(slot: number, cid: number): void {
  const at = (SQ + slot * 64) / 4;
  i32.fill(0, at, at + 16);
  i32[at] = (cid << 16) | 0x00; // Flush
  i32[at + 1] = 1;
}

function cqe(slot: number): number[] {
  const at = (CQ + slot * 16) / 4;
  return Array.from(i32.subarray(at, at + 4), (x) => x >>> 0);
}

describe("bench_nvme_echo", () => {
  it("answers an SQ doorbell with one CQE per new SQE: CID, SQ head and phase tag", () => {
    writeSqe(0, 0x1234);
    writeSqe(1, 0x0042);
    post(SQ_DB, 2);
    expect(ex.bench_nvme_echo(MBOX, SQ, CQ, DEPTH, 2, 1000, 0)).toBe(2);
    expect(cqe(0)).toEqual([0, 0, 1 | (1 << 16), 0x1234 | (1 << 16)]);
    expect(cqe(1)).toEqual([0, 0, 2 | (1 << 16), 0x0042 | (1 << 16)]);
    expect(i32[MBOX / 4]).toBe(1); // entries applied, where the host looks for them
  });

  it("keeps its place across calls and flips the phase tag when the CQ wraps", () => {
    for (let n = 0; n < DEPTH + 1; n++) {
      writeSqe(n % DEPTH, n);
      post(SQ_DB, (n + 1) % DEPTH);
      if (n === 1) post(CQ_DB, 2); // a CQ head doorbell is consumed, not answered
      expect(ex.bench_nvme_echo(MBOX, SQ, CQ, DEPTH, 1, 1000, 0)).toBe(1);
    }
    expect(cqe(0)[3]).toBe(4 | (0 << 16)); // the fifth command, second pass: phase 0
    expect(cqe(1)[3]).toBe(1 | (1 << 16));
    expect(i32[MBOX / 4]).toBe(DEPTH + 2);
  });

  it("gives up after spin_limit idle spins and changes nothing", () => {
    const before = Array.from(i32.subarray(MBOX / 4, MBOX / 4 + 4));
    expect(ex.bench_nvme_echo(MBOX, SQ, CQ, DEPTH, 5, 100, 0)).toBe(0);
    expect(Array.from(i32.subarray(MBOX / 4, MBOX / 4 + 4))).toEqual(before);
    expect(cqe(0)).toEqual([0, 0, 0, 0]);
  });

  it("with ECHO_NO_SQE answers each doorbelled slot with its index as the CID and reads no SQE", () => {
    writeSqe(0, 0x1234); // not read: the CQE carries the slot, not this CID
    post(SQ_DB, 2);
    expect(ex.bench_nvme_echo(MBOX, SQ, CQ, DEPTH, 2, 1000, L.ECHO_NO_SQE)).toBe(2);
    expect(cqe(0)).toEqual([0, 0, 1 | (1 << 16), 0 | (1 << 16)]);
    expect(cqe(1)).toEqual([0, 0, 2 | (1 << 16), 1 | (1 << 16)]);
    // the same doorbell without the flag would have answered slot 0 with the SQE's CID
    expect(i32[MBOX / 4]).toBe(1);
  });

  it("consumes an SQ tail beyond the queue without answering it", () => {
    post(SQ_DB, DEPTH);
    expect(ex.bench_nvme_echo(MBOX, SQ, CQ, DEPTH, 1, 100, 0)).toBe(0);
    expect(i32[MBOX / 4]).toBe(1);
    expect(cqe(0)).toEqual([0, 0, 0, 0]);
  });
});

describe("bench_echo", () => {
  it("answers each odd value with the next even one, and stops when nobody pings", () => {
    const word = 0x100000;
    i32[word / 4] = 1;
    expect(ex.bench_echo(word, 1, 100)).toBe(1);
    expect(i32[word / 4]).toBe(2);
    expect(ex.bench_echo(word, 3, 100)).toBe(0); // 2 is even: no ping pending
    expect(i32[word / 4]).toBe(2);
  });
});

describe("bench_memcpy", () => {
  it("copies n bytes", () => {
    const u8 = new Uint8Array(i32.buffer);
    for (let i = 0; i < 300; i++) u8[0x100000 + i] = i & 0xff;
    ex.bench_memcpy(0x110000, 0x100000, 300, 2);
    expect(Array.from(u8.subarray(0x110000, 0x110000 + 300))).toEqual(Array.from(u8.subarray(0x100000, 0x100000 + 300)));
  });
});
