// A plain reference model of the controller's namespaces, for property tests: each namespace
// is a Map of LBA -> the block's bytes (data, then metadata); a missing LBA was never written or
// was deallocated and reads as zeroes (DLFEAT 001b). NUSE is the number of LBAs in the map.
// Commands return the status (and CQE DW0) the NVM Command Set gives them, with the checks in
// the controller's order (QEMU's where the spec is silent; the spec's where they differ, see
// docs/CONFORMANCE.md). No shared code with the controller: statuses are literals here.

export const ST = {
  SUCCESS: 0x0000,
  INVALID_OPCODE: 0x4001,
  INVALID_FIELD: 0x4002,
  INVALID_NS: 0x400b, // Invalid Namespace or Format
  LBA_RANGE: 0x4080,
  SIZE_LIMIT: 0x4183, // Command Size Limit Exceeded
  INCOMPATIBLE: 0x4185, // Incompatible Namespace or Format
  OVERLAP: 0x4187, // Overlapping I/O Range
  COMPARE_FAILURE: 0x4285,
} as const;

export interface RefNsConfig {
  nsid: number;
  nsze: number;
  /** Data bytes per block. */
  lbaBytes: number;
  /** Metadata bytes per block. */
  ms: number;
  /** Metadata interleaved after each block's data in the host buffer (else through MPTR). */
  extended: boolean;
  mssrl: number;
  mcl: number;
  /** Maximum Source Range Count, 0's based. */
  msrc: number;
}

export interface RefResult {
  status: number;
  dw0: number;
}

/** Host buffers for a block transfer: data (with metadata when extended) and separate metadata. */
export interface HostBlocks {
  data: Uint8Array;
  md: Uint8Array;
}

export interface RefCopyRange {
  snsid?: number;
  slba: bigint;
  /** 1's based. */
  nlb: number;
}

const ok = (dw0 = 0): RefResult => ({ status: ST.SUCCESS, dw0 });
const err = (status: number, dw0 = 0): RefResult => ({ status, dw0 });

export class RefNamespace {
  readonly blocks = new Map<number, Uint8Array>();
  constructor(readonly cfg: RefNsConfig) {}

  get blockBytes(): number { return this.cfg.lbaBytes + this.cfg.ms; }
  /** Bytes one block takes in the host data buffer. */
  get hostBytes(): number { return this.cfg.lbaBytes + (this.cfg.extended ? this.cfg.ms : 0); }
  get nuse(): number { return this.blocks.size; }

  /** [slba, slba + nlb) inside the namespace, without wrapping around 2^64. */
  inRange(slba: bigint, nlb: number | bigint): boolean {
    const n = BigInt(nlb);
    return slba < BigInt(this.cfg.nsze) && n <= BigInt(this.cfg.nsze) - slba;
  }

  get(lba: number): Uint8Array {
    return this.blocks.get(lba) ?? new Uint8Array(this.blockBytes);
  }

  /** Blocks as the host sees them in its buffers. */
  toHost(slba: number, nlb: number): HostBlocks {
    const { lbaBytes, ms, extended } = this.cfg;
    const data = new Uint8Array(nlb * this.hostBytes);
    const md = new Uint8Array(extended ? 0 : nlb * ms);
    for (let i = 0; i < nlb; i++) {
      const b = this.get(slba + i);
      if (extended) data.set(b, i * this.hostBytes);
      else {
        data.set(b.subarray(0, lbaBytes), i * lbaBytes);
        md.set(b.subarray(lbaBytes), i * ms);
      }
    }
    return { data, md };
  }

  /** Store blocks from host buffers. */
  fromHost(slba: number, nlb: number, h: HostBlocks): void {
    const { lbaBytes, ms, extended } = this.cfg;
    for (let i = 0; i < nlb; i++) {
      const b = new Uint8Array(this.blockBytes);
      if (extended) b.set(h.data.subarray(i * this.hostBytes, (i + 1) * this.hostBytes));
      else {
        b.set(h.data.subarray(i * lbaBytes, (i + 1) * lbaBytes));
        b.set(h.md.subarray(i * ms, (i + 1) * ms), lbaBytes);
      }
      this.blocks.set(slba + i, b);
    }
  }
}

export class RefController {
  readonly ns = new Map<number, RefNamespace>();
  /** Copy Descriptor Formats Enable (Host Behavior Support): bit n enables format nh. */
  cdfe = 0;

  constructor(
    configs: RefNsConfig[],
    /** Highest valid NSID (Identify Controller NN). */
    readonly nn: number,
    /** Maximum data transfer in bytes, 0 = none. */
    readonly mdtsBytes: number,
    /** Copy formats supported (OCFS). */
    readonly ocfs = 0xf,
  ) {
    for (const c of configs) this.ns.set(c.nsid, new RefNamespace(c));
  }

  /** Forget every block (as deallocating every LBA would). */
  clear(): void {
    for (const n of this.ns.values()) n.blocks.clear();
  }

  /** The I/O command NSID checks (QEMU nvme_io_cmd): invalid, then not attached. */
  private lookup(nsid: number): RefNamespace | number {
    if (nsid === 0 || nsid === 0xffffffff || nsid > this.nn) return ST.INVALID_NS;
    return this.ns.get(nsid) ?? ST.INVALID_FIELD;
  }

  /** MDTS, then the LBA range (QEMU nvme_rw order). */
  private transferCheck(n: RefNamespace, slba: bigint, nlb: number): number {
    if (this.mdtsBytes !== 0 && nlb * n.hostBytes > this.mdtsBytes) return ST.INVALID_FIELD;
    if (!n.inRange(slba, nlb)) return ST.LBA_RANGE;
    return ST.SUCCESS;
  }

  write(nsid: number, slba: bigint, nlb: number, h: HostBlocks): RefResult {
    const n = this.lookup(nsid);
    if (typeof n === "number") return err(n);
    const s = this.transferCheck(n, slba, nlb);
    if (s !== ST.SUCCESS) return err(s);
    n.fromHost(Number(slba), nlb, h);
    return ok();
  }

  read(nsid: number, slba: bigint, nlb: number): RefResult & { blocks?: HostBlocks } {
    const n = this.lookup(nsid);
    if (typeof n === "number") return err(n);
    const s = this.transferCheck(n, slba, nlb);
    if (s !== ST.SUCCESS) return err(s);
    return { ...ok(), blocks: n.toHost(Number(slba), nlb) };
  }

  compare(nsid: number, slba: bigint, nlb: number, h: HostBlocks): RefResult {
    const n = this.lookup(nsid);
    if (typeof n === "number") return err(n);
    const s = this.transferCheck(n, slba, nlb);
    if (s !== ST.SUCCESS) return err(s);
    const have = n.toHost(Number(slba), nlb);
    const same = Buffer.from(have.data).equals(Buffer.from(h.data)) && Buffer.from(have.md).equals(Buffer.from(h.md));
    return same ? ok() : err(ST.COMPARE_FAILURE);
  }

  /** Write Zeroes: no MDTS limit; DEAC deallocates, otherwise the blocks are written with zeroes. */
  writeZeroes(nsid: number, slba: bigint, nlb: number, deac: boolean): RefResult {
    const n = this.lookup(nsid);
    if (typeof n === "number") return err(n);
    if (!n.inRange(slba, nlb)) return err(ST.LBA_RANGE);
    for (let i = 0; i < nlb; i++) {
      const lba = Number(slba) + i;
      if (deac) n.blocks.delete(lba);
      else n.blocks.set(lba, new Uint8Array(n.blockBytes));
    }
    return ok();
  }

  /** Dataset Management with AD: every range is checked before any is deallocated; NLB 0 is ignored. */
  deallocate(nsid: number, ranges: Array<{ slba: bigint; nlb: number }>): RefResult {
    const n = this.lookup(nsid);
    if (typeof n === "number") return err(n);
    for (const r of ranges) if (r.nlb !== 0 && !n.inRange(r.slba, r.nlb)) return err(ST.LBA_RANGE);
    for (const r of ranges) for (let i = 0; i < r.nlb; i++) n.blocks.delete(Number(r.slba) + i);
    return ok();
  }

  /**
   * Copy: format support and enable (CDFE for 2h/3h), NR against MSRC, formats 1h/3h on
   * 16b-guard namespaces, MCL; then range by range (DW0 = index of the failing range, earlier
   * ranges stay copied): source NSID (2h), format compatibility, overlap with the whole
   * destination range (2h, same namespace), MSSRL of the destination, source bounds,
   * destination bounds. A range is read whole before it is written (memmove semantics).
   */
  copy(nsid: number, sdlba: bigint, ranges: RefCopyRange[], fmt: number): RefResult {
    const dst = this.lookup(nsid);
    if (typeof dst === "number") return err(dst);
    const cross = fmt === 2 || fmt === 3;
    if ((this.ocfs & (1 << fmt)) === 0 || (cross && (this.cdfe & (1 << fmt)) === 0)) return err(ST.INVALID_FIELD);
    if (ranges.length > dst.cfg.msrc + 1) return err(ST.SIZE_LIMIT);
    if (fmt === 1 || fmt === 3) return err(ST.INVALID_NS);
    const total = ranges.reduce((a, r) => a + BigInt(r.nlb), 0n);
    if (total > BigInt(dst.cfg.mcl)) return err(ST.SIZE_LIMIT);
    let dlba = sdlba;
    for (let i = 0; i < ranges.length; i++) {
      const r = ranges[i];
      let src: RefNamespace = dst;
      if (cross && r.snsid !== nsid) {
        const s = r.snsid ?? 0;
        if (s === 0 || s === 0xffffffff || s > this.nn) return err(ST.INVALID_NS, i);
        const found = this.ns.get(s);
        if (!found) return err(ST.INVALID_FIELD, i);
        if (found.cfg.lbaBytes !== dst.cfg.lbaBytes || found.cfg.ms !== dst.cfg.ms) return err(ST.INCOMPATIBLE, i);
        src = found;
      }
      if (cross && src === dst && r.slba < sdlba + total && sdlba < r.slba + BigInt(r.nlb)) return err(ST.OVERLAP, i);
      if (r.nlb > dst.cfg.mssrl) return err(ST.SIZE_LIMIT, i);
      if (!src.inRange(r.slba, r.nlb)) return err(ST.LBA_RANGE, i);
      if (!dst.inRange(dlba, r.nlb)) return err(ST.LBA_RANGE, i);
      const data = Array.from({ length: r.nlb }, (_, k) => src.get(Number(r.slba) + k).slice());
      data.forEach((b, k) => dst.blocks.set(Number(dlba) + k, b));
      dlba += BigInt(r.nlb);
    }
    return ok();
  }

  nuse(nsid: number): number {
    return this.ns.get(nsid)?.nuse ?? 0;
  }
}
