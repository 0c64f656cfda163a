// Data pointers for a DMA buffer, as the Linux driver builds them (nvme_setup_prps,
// nvme_pci_setup_sgls): PRP1 = first byte, PRP2 = second page or a PRP list (chained with
// the last entry of each full list page); or one SGL Data Block descriptor.

import { DmaPool, DmaBuffer, PAGE_SIZE } from "./dma-pool";
import { Sqe, setPrp, setPsdt, setU64 } from "./sqe";
import * as S from "../../assembly/spec/sqe";
import { SGL_TYPE_DATA_BLOCK, SGL_TYPE_SHIFT } from "../../assembly/spec/sgl";

/** Fill PRP1/PRP2 for [bus, bus + len); list pages come from pool and are returned for release. */
export function buildPrps(q: Sqe, bus: number, len: number, pool: DmaPool, ram: DataView, page = PAGE_SIZE): DmaBuffer[] {
  setPsdt(q, S.PSDT_PRP);
  if (len <= 0) { setPrp(q, bus, 0); return []; }
  const first = Math.min(len, page - (bus % page));
  let rest = len - first;
  let next = bus + first;
  if (rest === 0) { setPrp(q, bus, 0); return []; }
  if (rest <= page) { setPrp(q, bus, next); return []; }
  const perList = page / 8;
  const entries = Math.ceil(rest / page);
  const lists: DmaBuffer[] = [];
  let left = entries;
  let listBus = -1;
  let prevList: DmaBuffer | null = null;
  while (left > 0) {
    const list = pool.alloc(page, page);
    lists.push(list);
    if (prevList) ram.setBigUint64(prevList.bus + (perList - 1) * 8, BigInt(list.bus), true);
    else listBus = list.bus;
    const here = left > perList ? perList - 1 : left;
    for (let i = 0; i < here; i++) {
      ram.setBigUint64(list.bus + i * 8, BigInt(next), true);
      next += page;
      rest -= page;
    }
    left -= here;
    prevList = list;
  }
  setPrp(q, bus, listBus);
  return lists;
}

/** One SGL Data Block descriptor in SGL1 covering [bus, bus + len) (PSDT = 01b). */
export function buildSglDataBlock(q: Sqe, bus: number, len: number): void {
  setPsdt(q, S.PSDT_SGL_MPTR_CONTIG);
  setU64(q, S.SQE_SGL1, BigInt(bus));
  q[S.SQE_SGL1 / 4 + 2] = len >>> 0;
  q[S.SQE_SGL1 / 4 + 3] = (SGL_TYPE_DATA_BLOCK << SGL_TYPE_SHIFT) << 24;
}
