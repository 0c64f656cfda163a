// A model of dm-crypt (drivers/md/dm-crypt.c). NOT AES and not any real cipher: each 512-byte
// sector is XORed with a keystream from a splitmix-style generator seeded with the key and
// the sector's IV. What the model keeps is the property that matters for copy offload: with
// the plain64 IV (the default "aes-xts-plain64") the IV is the sector number within the
// dm-crypt device (+ iv_offset), so the same plaintext encrypts differently at every sector,
// and ciphertext copied raw to another LBA decrypts to garbage. Hence no copy support in
// either series; copies through dm-crypt fall back to read (decrypt) + write (encrypt).
//
// Table: `<cipher> <key> <iv_offset> <dev> <offset> [<#opt_params> <opt_params>...]`, e.g.
// `aes-xts-plain64 00112233... 0 nvme0n1 0`. IV modes modelled: plain64 and plain (32-bit).
// Optional parameters: allow_discards (as upstream, discards are refused without it),
// no_read_workqueue, no_write_workqueue; same_cpu_crypt and submit_from_crypt_cpus are
// accepted and change nothing here.
//
// Writes: the plaintext is encrypted into bounce pages from host memory (crypt_alloc_buffer)
// and the clone carries those; pages go back when the clone completes. By default the
// encrypted clones are submitted by the per-device dmcrypt_write thread, sorted by sector,
// inside a plug; with no_write_workqueue, by the submitter. Reads: the clone reads into the
// original's pages, which are decrypted in place on completion, in a kcryptd kworker (or in
// the completion context with no_read_workqueue).

import { BlkStatus, Op, opIsCopy } from "../bio";
import type { BioVec } from "../bio";
import type { BlockDevice } from "../disk";
import type { DmaBuffer } from "../../driver/dma-pool";
import type { Task } from "../sim";
import { DmIo, DmTarget, MapResult, SectorMap, TargetCtx, TargetError, checkArea, devNum, parseSectors } from "./target";

/** DM_CRYPT_DEFAULT_MAX_READ_SIZE and _WRITE_SIZE (131072 bytes) in sectors. */
export const CRYPT_MAX_IO_SECTORS = 131072 >> 9;

const mix32 = (x: number): number => {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
};

/** The modelled cipher: XOR 512 bytes at data[at..] with the keystream of (key, iv). */
export function cryptSector(key: [number, number], iv: number, data: Uint8Array, at: number): void {
  const lo = iv >>> 0;
  const hi = Math.floor(iv / 0x100000000) >>> 0;
  let s = mix32(key[0] ^ lo) ^ mix32((key[1] ^ hi) + 0x9e3779b9);
  for (let i = 0; i < 512; i += 4) {
    s = (s + 0x9e3779b9) >>> 0;
    const w = mix32(s);
    data[at + i] ^= w & 0xff;
    data[at + i + 1] ^= (w >>> 8) & 0xff;
    data[at + i + 2] ^= (w >>> 16) & 0xff;
    data[at + i + 3] ^= w >>> 24;
  }
}

/** Fold a hex key into the generator's 64-bit seed. */
function foldKey(hex: string): [number, number] {
  let a = 0x243f6a88, b = 0x85a308d3;
  for (let i = 0; i < hex.length; i += 2) {
    const byte = parseInt(hex.slice(i, i + 2), 16);
    a = mix32(a ^ byte ^ (i << 8));
    b = mix32(b + a);
  }
  return [a, b];
}

const gather = (ram: Uint8Array, vecs: BioVec[], bytes: number): Uint8Array => {
  const out = new Uint8Array(bytes);
  let at = 0;
  for (const v of vecs) {
    const n = Math.min(v.len, bytes - at);
    out.set(ram.subarray(v.bus, v.bus + n), at);
    at += n;
  }
  return out;
};

const scatter = (ram: Uint8Array, vecs: BioVec[], data: Uint8Array): void => {
  let at = 0;
  for (const v of vecs) {
    const n = Math.min(v.len, data.length - at);
    ram.set(data.subarray(at, at + n), v.bus);
    at += n;
  }
};

/** A read clone's pages and size as mapped (the plaintext lands there after decryption). */
interface ReadPages { read: true; vecs: BioVec[]; size: number }

const OPT_PARAMS = ["allow_discards", "same_cpu_crypt", "submit_from_crypt_cpus", "no_read_workqueue", "no_write_workqueue"];

export class CryptTarget implements DmTarget {
  readonly type = "crypt";
  readonly begin: number;
  readonly len: number;
  readonly index: number;
  readonly dev: BlockDevice;
  readonly start: number;
  readonly cipher: string;
  readonly ivMode: "plain64" | "plain";
  readonly ivOffset: number;
  private readonly keyHex: string;
  private readonly key: [number, number];
  readonly opts: string[];
  readonly copyOffloadSupported = false;
  readonly stackingCopyOffl = false;
  whatIfCopy = false;
  readonly maxIoLen = 0;

  /**
   * crypt_map: a read or write larger than get_max_request_size is accepted in part
   * (dm_accept_partial_bio) and dm core sends the rest on; 6.11 and later cap both at
   * DM_CRYPT_DEFAULT_MAX_READ_SIZE / _WRITE_SIZE, 128 KiB (module parameters max_read_size
   * and max_write_size), from the bio's start whatever its alignment.
   */
  splitBoundary(op: number, _sector: number): number {
    return op === Op.READ || op === Op.WRITE ? CRYPT_MAX_IO_SECTORS : 0;
  }
  readonly numFlushBios = 1;
  readonly numDiscardBios: number;
  readonly numWriteZeroesBios = 0;
  private readonly ctx: TargetCtx;
  /** Encrypted writes waiting for the dmcrypt_write thread (its rb-tree, by sector). */
  private writes: DmIo[] = [];
  private writerQueued = false;

  constructor(ctx: TargetCtx, args: string[]) {
    this.ctx = ctx;
    this.begin = ctx.begin;
    this.len = ctx.len;
    this.index = ctx.index;
    if (args.length < 5) throw new TargetError(`Not enough arguments: expected <cipher> <key> <iv_offset> <dev> <offset> [<#opt_params> <opt_params>], got ${args.length}`);
    const [cipher, key, ivOff, devName, offset, ...rest] = args;
    this.cipher = cipher;
    // cipher-chainmode-ivmode[:ivopts] or capi:<spec>-ivmode
    const iv = cipher.split("-").pop()!.split(":")[0];
    if (!cipher.includes("-")) throw new TargetError(`Invalid cipher specification "${cipher}": expected <cipher>-<chainmode>-<ivmode>, e.g. aes-xts-plain64`);
    if (iv !== "plain64" && iv !== "plain") throw new TargetError(`IV mechanism "${iv}" is not modelled (only plain64 and plain)`);
    this.ivMode = iv;
    if (key.startsWith(":")) throw new TargetError("keys from the kernel keyring are not modelled: give the key in hex");
    if (key !== "-" && !/^([0-9a-fA-F]{2})+$/.test(key)) throw new TargetError("Error decoding and setting key: expected hex digits (an even number) or -");
    this.keyHex = key;
    this.key = foldKey(key === "-" ? "" : key.toLowerCase());
    this.ivOffset = parseSectors(ivOff, "Invalid iv_offset sector");
    this.start = parseSectors(offset, "Invalid device sector");
    this.opts = [];
    if (rest.length > 0) {
      const n = parseSectors(rest[0], "Invalid number of feature args");
      if (rest.length !== n + 1) throw new TargetError(`Invalid number of feature args: ${n} announced, ${rest.length - 1} given`);
      for (const o of rest.slice(1)) {
        if (!OPT_PARAMS.includes(o)) throw new TargetError(`Invalid feature arguments: "${o}" is not modelled (known: ${OPT_PARAMS.join(", ")})`);
        this.opts.push(o);
      }
    }
    this.dev = ctx.device(devName);
    checkArea(this.dev, this.start, this.len);
    if (!ctx.blk.mem) throw new TargetError("dm-crypt needs host memory for its bounce pages (no controller attached)");
    this.numDiscardBios = this.opts.includes("allow_discards") ? 1 : 0;
  }

  devices() {
    return [{ dev: this.dev, start: this.start, len: this.len }];
  }

  /** The IV of a dm sector: its offset in the target plus iv_offset (plain truncates to 32 bits). */
  private ivOf(sector: number): number {
    const iv = this.ivOffset + (sector - this.begin);
    return this.ivMode === "plain" ? iv % 0x100000000 : iv;
  }

  /** XOR each sector of data (which starts at dm sector `sector`) with its keystream. */
  transform(data: Uint8Array, sector: number): void {
    for (let at = 0, s = sector; at < data.length; at += 512, s++) cryptSector(this.key, this.ivOf(s), data, at);
  }

  map(io: DmIo): MapResult {
    const c = io.clone;
    c.bdev = this.dev;
    if (c.size > 0) c.sector = this.start + (c.sector - this.begin);
    if (c.op === Op.READ) {
      // decrypted in end_io over the whole clone as mapped: blk-mq may split the clone below and
      // advance its iterator, so keep the pages and size now (dm-crypt decrypts io->base_bio's
      // saved iterator, not the clone's, in kcryptd_crypt_read_convert)
      if (c.size > 0) io.data = { read: true, vecs: c.vecs.map((v) => ({ ...v })), size: c.size } satisfies ReadPages;
      return "remapped";
    }
    if (c.op !== Op.WRITE || c.size === 0) {
      // flushes, allowed discards, and copies only under the copy_offload what-if: nothing to
      // transform, so a copy moves ciphertext unchanged to an LBA whose IV differs
      if (opIsCopy(c.op)) this.ctx.blk.message(io.md, `crypt: bio ${io.orig.id} ${c.op === Op.COPY_SRC ? "COPY_SRC" : c.op === Op.COPY_DST ? "COPY_DST" : "COPY"} passed raw (copy_offload what-if): ciphertext keeps the IV of its old sector`);
      return "remapped";
    }
    if (this.opts.includes("no_write_workqueue")) {
      const why = this.encrypt(io);
      return why ? { kill: BlkStatus.RESOURCE, why } : "remapped";
    }
    // kcryptd_crypt_write_convert + dmcrypt_write: encrypted, then submitted by the writer thread
    this.writes.push(io);
    if (!this.writerQueued) {
      this.writerQueued = true;
      const blk = this.ctx.blk;
      blk.sim.queueWork(blk.task.cpu, () => this.writer(), this.writerTask(io));
    }
    return "submitted";
  }

  private writerTask(io: DmIo): Task {
    const sim = this.ctx.blk.sim;
    return sim.kworker(sim.current.cpu, `dmcrypt_write/${io.md.major}:${io.md.minor}`, 1300 + io.md.minor);
  }

  /** dmcrypt_write: everything queued, lowest sector first, in one plug. */
  private writer(): void {
    const blk = this.ctx.blk;
    this.writerQueued = false;
    const todo = this.writes.splice(0).sort((a, b) => a.clone.sector - b.clone.sector);
    blk.startPlug();
    try {
      for (const io of todo) {
        const why = this.encrypt(io);
        if (why) io.md.killIo(io, BlkStatus.RESOURCE, why);
        else io.md.submitRemap(io);
      }
    } finally {
      blk.finishPlug();
    }
  }

  /** crypt_alloc_buffer + crypt_convert: ciphertext in bounce pages; null when done, else why not. */
  private encrypt(io: DmIo): string | null {
    const mem = this.ctx.blk.mem!;
    const c = io.clone;
    let buf: DmaBuffer;
    try {
      buf = mem.pool.alloc(c.size);
    } catch (e) {
      return `crypt: no bounce pages for bio ${io.orig.id}: ${(e as Error).message}`;
    }
    const data = gather(mem.ram, c.vecs, c.size);
    this.transform(data, io.fromSector);
    mem.ram.set(data, buf.bus);
    c.vecs = [{ bus: buf.bus, len: c.size }];
    io.data = buf;
    return null;
  }

  endIo(io: DmIo, done: () => void): void {
    const blk = this.ctx.blk;
    const mem = blk.mem!;
    const c = io.clone;
    const read = io.data as ReadPages | undefined;
    if (io.data && !read?.read) {
      // a write's bounce pages (crypt_free_buffer_pages)
      mem.pool.release(io.data as DmaBuffer);
      io.data = undefined;
      done();
      return;
    }
    if (c.op !== Op.READ || !read || c.status !== BlkStatus.OK) { done(); return; }
    io.data = undefined;
    const decrypt = () => {
      const data = gather(mem.ram, read.vecs, read.size);
      this.transform(data, io.fromSector);
      scatter(mem.ram, read.vecs, data);
      done();
    };
    if (this.opts.includes("no_read_workqueue")) { decrypt(); return; }
    const cpu = blk.sim.current.cpu;
    blk.sim.queueWork(cpu, decrypt, blk.sim.kworker(cpu, `kworker/${cpu}:3`, 1200 + cpu));
  }

  mapSector(sector: number): SectorMap {
    return { dev: this.dev, sector: this.start + (sector - this.begin), room: this.begin + this.len - sector };
  }

  params(): string {
    const opt = this.opts.length ? ` ${this.opts.length} ${this.opts.join(" ")}` : "";
    // dmsetup table shows the key (without --showkeys it is blanked to zeros in newer versions)
    return `${this.cipher} ${this.keyHex} ${this.ivOffset} ${devNum(this.dev)} ${this.start}${opt}`;
  }
}
