// The NVMe driver's block side (src/block/nvme-blk.ts): queue limits from Identify as Linux
// sets them (nvme_init_identify's MDTS, nvme_init_non_mdts_limits with the NVM Command Set
// Identify Controller, nvme_config_discard, nvme_update_disk_info), and discards and write
// zeroes split by the limits CNS 06h reports.

import { describe, it, expect } from "vitest";
import { mkHost, submit, pattern } from "./helpers";
import { readMedia } from "../../src/controller/media";
import { defaultConfig, defaultNamespace } from "../../src/controller/config";
import { BlockHost } from "../../src/block/host";
import { loadCoreModule } from "../../src/node/wasm";
import { Bio, BlkStatus, Op } from "../../src/block/bio";
import { SYSFS } from "../../src/block/limits";
import { nvmeCtrlLimits, nvmeMpsToSectors } from "../../src/block/nvme-blk";
import type { MqDisk } from "../../src/block/mq";
import type { BlockLayer } from "../../src/block/blk";
import type { Task } from "../../src/block/sim";

const UINT_MAX = 0xffffffff;
const sysfs = (d: MqDisk, k: string) => SYSFS[k].show(d.limits, d.flags);
const limitsOf = (d: MqDisk) => ({
  discard: d.limits.max_hw_discard_sectors, segments: d.limits.max_discard_segments,
  granularity: d.limits.discard_granularity, zeroes: d.limits.max_write_zeroes_sectors,
});

function run(blk: BlockLayer, t: Task, d: MqDisk, op: Op, sector: number, bytes: number): Bio {
  const bio = new Bio(d, op, sector, bytes);
  blk.sim.as(t, () => { blk.submitBio(bio); blk.waitTask(); });
  return bio;
}

describe("queue limits from Identify, as the Linux nvme driver sets them", () => {
  it("no limits in CNS 06h: discard UINT_MAX sectors in 256 ranges, write zeroes at MDTS", async () => {
    const { d } = await mkHost();
    expect(limitsOf(d)).toEqual({ discard: UINT_MAX, segments: 256, granularity: 512, zeroes: 1024 });
    expect(sysfs(d, "discard_max_hw_bytes")).toBe(UINT_MAX * 512); // 2199023255040, as a real NVMe disk without DMRSL
    expect(sysfs(d, "write_zeroes_max_bytes")).toBe(512 * 1024);
  });

  it("DMRSL, DMRL and WZSL from CNS 06h set max_discard_sectors, max_discard_segments and max_write_zeroes_sectors", async () => {
    const { d } = await mkHost({ ctrl: { dmrsl: 8, dmrl: 16, wzsl: 1 } });
    expect(limitsOf(d)).toEqual({ discard: 8, segments: 16, granularity: 512, zeroes: 16 }); // WZSL 1: 2 x 4 KiB
    // DMRSL counts logical blocks: 8 blocks of 4 KiB are 64 sectors. DMRL left unset reads 255.
    const big = await mkHost({ ctrl: { dmrsl: 8, wzsl: 5 }, namespaces: [{ formatIndex: 4 }] });
    expect(limitsOf(big.d)).toEqual({ discard: 64, segments: 255, granularity: 4096, zeroes: 256 });
  });

  it("a DMRSL above UINT_MAX sectors is ignored (nvme_sect_to_lba bound); WZSL past 16 bits of NLB is capped", async () => {
    const { d } = await mkHost({ ctrl: { dmrsl: 0xffffffff, wzsl: 20 }, namespaces: [{ formatIndex: 4 }] });
    expect(d.limits.max_hw_discard_sectors).toBe(UINT_MAX);
    expect(d.limits.max_write_zeroes_sectors).toBe(65536 * 8); // 65536 blocks of 4 KiB
  });

  it("ONCS without DSM or Write Zeroes: a reported limit still enables them (the limit is then a hard one)", async () => {
    // ONCS: Compare, Save/Select, Copy; no Write Zeroes (bit 3), no DSM (bit 2).
    const plain = await mkHost({ ctrl: { oncs: 0x0111 } });
    expect(limitsOf(plain.d)).toMatchObject({ discard: 0, zeroes: 0 });
    const limited = await mkHost({ ctrl: { oncs: 0x0111, dmrsl: 32, wzsl: 2 } });
    expect(limitsOf(limited.d)).toMatchObject({ discard: 32, zeroes: 32 });
  });

  it("a controller older than NVMe 1.2 is not asked for CNS 06h: its limits are not used", async () => {
    const { d } = await mkHost({ ctrl: { version: 0x00010100, dmrsl: 8, wzsl: 1 } });
    expect(limitsOf(d)).toEqual({ discard: UINT_MAX, segments: 256, granularity: 512, zeroes: 1024 });
  });

  it("nvme_mps_to_sectors: 2^n pages of CAP.MPSMIN in sectors, UINT_MAX past 32 bits", () => {
    expect(nvmeMpsToSectors(0n, 0)).toBe(8);
    expect(nvmeMpsToSectors(0n, 7)).toBe(1024);
    expect(nvmeMpsToSectors(0n, 28)).toBe(2 ** 31);
    expect(nvmeMpsToSectors(0n, 29)).toBe(UINT_MAX);
    expect(nvmeMpsToSectors(1n << 48n, 0)).toBe(16); // MPSMIN 8 KiB
    const id = new Uint8Array(4096);
    id[77] = 20; // MDTS 2^20 pages: more than NVME_MAX_KB_SZ
    id[520] = 0x08; // ONCS Write Zeroes
    expect(nvmeCtrlLimits(id, null, 0n)).toEqual({ oncs: 8, max_hw_sectors: 16384, max_zeroes_sectors: 16384, dmrl: 0, dmrsl: 0 });
  });
});

describe("discards and write zeroes split by the CNS 06h limits", () => {
  it("DMRSL 8: a 100-block discard becomes DSM ranges of at most 8 blocks, and all 100 blocks are deallocated", async () => {
    const { h, blk, d, t } = await mkHost({ ctrl: { dmrsl: 8 } });
    const data = new Uint8Array(100 * 512).fill(0xa5);
    const buf = blk.mem!.pool.alloc(data.length);
    blk.mem!.ram.set(data, buf.bus);
    blk.sim.as(t, () => { blk.submitBio(new Bio(d, Op.WRITE, 0, data.length, [{ bus: buf.bus, len: data.length }])); blk.waitTask(); });
    const bio = run(blk, t, d, Op.DISCARD, 0, 100 * 512);
    expect([bio.ended, bio.status]).toEqual([true, BlkStatus.OK]);
    const ranges = blk.tracer.commands.filter((c) => c.name === "Dataset Management").flatMap((c) => c.ranges!);
    expect(ranges.reduce((n, r) => n + r.nlb, 0)).toBe(100);
    expect(Math.max(...ranges.map((r) => r.nlb))).toBe(8);
    const nuse = new DataView(h.driver.identify(0x00, 1).data!.buffer).getBigUint64(16, true);
    expect(nuse).toBe(0n);
  });

  it("WZSL 1: 64 KiB of write zeroes become eight Write Zeroes of 16 blocks", async () => {
    const { blk, d, t } = await mkHost({ ctrl: { wzsl: 1 } });
    const bio = run(blk, t, d, Op.WRITE_ZEROES, 2048, 64 * 1024);
    expect([bio.ended, bio.status]).toEqual([true, BlkStatus.OK]);
    expect(blk.tracer.commands.filter((c) => c.name === "Write Zeroes").map((c) => [c.slba, c.blocks])).toEqual(
      Array.from({ length: 8 }, (_, i) => [2048 + 16 * i, 16]));
  });
});

// Linux 6.18's nvme_configure_metadata, nvme_init_integrity and nvme_setup_rw without integrity
// payloads: a namespace formatted with protection information whose metadata is just the 8-byte
// tuple gets a block device whose I/O the controller protects (PRACT; types 1 and 2 with the
// first block's reference tag in CDW14); other PI formats get none.
describe("namespaces with protection information, as nvme_setup_rw drives them", () => {
  it("type 1, 512 + 8 extended: writes carry PRACT and the LBA's reference tag; the data reads back", async () => {
    const { h, blk, d, t } = await mkHost({ namespaces: [{ formatIndex: 1, extended: true, pi: 1 }] });
    const data = pattern(4096, 7);
    submit(blk, t, d, Op.WRITE, 80, data)();
    const back = new Uint8Array(4096);
    submit(blk, t, d, Op.READ, 80, back)();
    expect(Buffer.from(back).equals(Buffer.from(data))).toBe(true);
    // The controller generated the tuples: reference tag = LBA (80..87), application tag 0.
    const { md } = readMedia(h.core, 1, 80, 8);
    const dv = new DataView(md.buffer, md.byteOffset, md.byteLength);
    expect(Array.from({ length: 8 }, (_, i) => [dv.getUint16(8 * i + 2), dv.getUint32(8 * i + 4)])).toEqual(
      Array.from({ length: 8 }, (_, i) => [0, 80 + i]));
    const w = blk.tracer.commands.find((c) => c.name === "Write")!;
    expect(w.status ?? 0).toBe(0);
  });

  it("type 3: PRACT without a reference tag; Write Zeroes gets PRACT and, for type 1, the reference tag", async () => {
    const crc16 = (b: Uint8Array) => {
      let c = 0;
      for (const x of b) { c ^= x << 8; for (let k = 0; k < 8; k++) c = c & 0x8000 ? ((c << 1) ^ 0x8bb7) & 0xffff : (c << 1) & 0xffff; }
      return c;
    };
    const three = await mkHost({ namespaces: [{ formatIndex: 1, pi: 3 }] });
    const data = pattern(1024, 3);
    submit(three.blk, three.t, three.d, Op.WRITE, 8, data)();
    const { md } = readMedia(three.h.core, 1, 8, 2);
    const dv = new DataView(md.buffer, md.byteOffset, md.byteLength);
    expect([dv.getUint16(0), dv.getUint16(2), dv.getUint32(4)]).toEqual([crc16(data.subarray(0, 512)), 0, 0]); // generated; CDW14 left 0
    const one = await mkHost({ namespaces: [{ formatIndex: 1, pi: 1 }] });
    const z = new Bio(one.d, Op.WRITE_ZEROES, 32, 4096);
    one.blk.sim.as(one.t, () => { one.blk.submitBio(z); one.blk.waitTask(); });
    expect(z.status).toBe(BlkStatus.OK);
    const zm = readMedia(one.h.core, 1, 32, 8).md;
    const zv = new DataView(zm.buffer, zm.byteOffset, zm.byteLength);
    expect(Array.from({ length: 8 }, (_, i) => zv.getUint32(8 * i + 4))).toEqual(Array.from({ length: 8 }, (_, i) => 32 + i));
  });

  it("PI with more metadata than the tuple, or a 64b guard the kernel cannot see without CTRATT.ELBAS: no block device", async () => {
    const c = defaultConfig();
    c.namespaces = [{ formatIndex: 2, pi: 1 }, { formatIndex: 1, pi: 2 }, { formatIndex: 2, pi: 1, pif: 2 }].map((n, i) => ({ ...defaultNamespace(i + 1), ...n }));
    const h = await BlockHost.create(await loadCoreModule(false), c, { cpus: 1 });
    expect([...h.blk.disks.keys()]).toEqual(["nvme0n2"]);
  });
});
