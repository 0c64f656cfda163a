// The driver's DMA memory: host RAM handed out in 4 KiB pages (first fit over a sorted
// list of free extents, coalesced on free), as dma_alloc_coherent would. Addresses are bus
// addresses: offsets into host RAM.

export const PAGE_SIZE = 4096;

export interface DmaBuffer {
  bus: number;
  bytes: number;
}

export class DmaPool {
  /** Free extents [start, end) in bytes, sorted, non-adjacent. */
  private free: Array<[number, number]>;

  constructor(readonly size: number, reserveBytes = 0) {
    this.free = [[Math.ceil(reserveBytes / PAGE_SIZE) * PAGE_SIZE, size]];
  }

  /** Allocate bytes (rounded up to pages), aligned to align bytes (a power of two >= 4096). */
  alloc(bytes: number, align = PAGE_SIZE): DmaBuffer {
    const need = Math.max(PAGE_SIZE, Math.ceil(bytes / PAGE_SIZE) * PAGE_SIZE);
    for (let i = 0; i < this.free.length; i++) {
      const [s, e] = this.free[i];
      const start = Math.ceil(s / align) * align;
      if (start + need > e) continue;
      const parts: Array<[number, number]> = [];
      if (start > s) parts.push([s, start]);
      if (start + need < e) parts.push([start + need, e]);
      this.free.splice(i, 1, ...parts);
      return { bus: start, bytes: need };
    }
    throw new Error(`host memory exhausted: cannot allocate ${bytes} bytes (host RAM is ${this.size} bytes; raise hostRamBytes)`);
  }

  release(b: DmaBuffer): void {
    let s = b.bus;
    let e = b.bus + b.bytes;
    let i = 0;
    while (i < this.free.length && this.free[i][1] < s) i++;
    if (i < this.free.length && this.free[i][0] < e && this.free[i][1] > s) throw new Error(`double free of bus ${b.bus}`);
    if (i > 0 && this.free[i - 1][1] === s) { s = this.free[i - 1][0]; i--; this.free.splice(i, 1); }
    if (i < this.free.length && this.free[i][0] === e) { e = this.free[i][1]; this.free.splice(i, 1); }
    this.free.splice(i, 0, [s, e]);
  }

  freeBytes(): number {
    return this.free.reduce((a, [s, e]) => a + e - s, 0);
  }
}
