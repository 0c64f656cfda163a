// Data pointers, as the Linux driver builds them (nvme_setup_prps, nvme_pci_setup_sgls): for a
// buffer or a request's segments, PRP1 = first byte, PRP2 = second page or a PRP list
// (chained with the last entry of each full list page); or one SGL Data Block descriptor.

import { DmaPool, DmaBuffer, PAGE_SIZE } from "./dma-pool";
import { Sqe, setPrp, setPsdt, setU64 } from "./sqe";
import * as S from "../../assembly/spec/sqe";
import { SGL_TYPE_DATA_BLOCK, SGL_TYPE_SHIFT } from "../../assembly/spec/sgl";

// prpsWithinTwoCtrlPages writes these as literals (see there); the layout stays declared once
if (PAGE_SIZE !== 4096 || S.SQE_PRP1 !== 24 || S.SQE_PRP2 !== 32 || S.PSDT_PRP !== 0 || ((S.SQE_PSDT_MASK << S.SQE_PSDT_SHIFT) << 8) !== 0xc000) {
  throw new Error("prp.ts: the literals of prpsWithinTwoCtrlPages no longer match assembly/spec/sqe.ts or PAGE_SIZE");
}

/** What a command needing no PRP list returns (shared: callers only read it). */
const NO_LISTS: DmaBuffer[] = Object.freeze([]) as unknown as DmaBuffer[];

/**
 * [bus, bus + len) over at most two pages needs no list (and no allocation): PRP1 is the first
 * byte, PRP2 the second page (or 0). Returns false, setting nothing, when it spans more.
 */
function prpsWithinTwoPages(q: Sqe, bus: number, len: number, page: number): boolean {
  if (page === PAGE_SIZE) return prpsWithinTwoCtrlPages(q, bus, len);
  const first = Math.min(Math.max(len, 0), page - (bus % page));
  if (len - first > page) return false;
  setPsdt(q, S.PSDT_PRP);
  setPrp(q, bus, len > first ? bus + first : 0);
  return true;
}

/**
 * prpsWithinTwoPages for the driver's 4 KiB page (NVME_CTRL_PAGE_SIZE), small enough for the
 * engine to inline into a caller building a Read or Write: a 4 KiB I/O's segment is this
 * path's whole PRP work (nvme_pci_setup_prps' "length <= NVME_CTRL_PAGE_SIZE - offset" and
 * two-entry cases). len > 0.
 */
export function prpsWithinTwoCtrlPages(q: Sqe, bus: number, len: number): boolean {
  // the page (PAGE_SIZE), PSDT (CDW0 15:14: 00b, S.PSDT_PRP) and the offsets of PRP1 and PRP2
  // (S.SQE_PRP1, S.SQE_PRP2) as literals: on this per-command path a module constant is a load
  // and a check each
  const inPage = 4096 - (bus % 4096);
  const first = len < inPage ? len : inPage;
  if (len - first > 4096) return false;
  q[0] &= ~0xc000;
  setU64(q, 24, bus);
  setU64(q, 32, len > first ? bus + first : 0);
  return true;
}

/** Fill PRP1/PRP2 for [bus, bus + len); list pages come from pool and are returned for release. */
export function buildPrps(q: Sqe, bus: number, len: number, pool: DmaPool, ram: DataView, page = PAGE_SIZE): DmaBuffer[] {
  if (prpsWithinTwoPages(q, bus, len, page)) return NO_LISTS;
  return buildPrpsForSegments(q, [{ bus, len }], pool, ram, page);
}

/** One SGL Data Block descriptor in SGL1 covering [bus, bus + len) (PSDT = 01b). */
export function buildSglDataBlock(q: Sqe, bus: number, len: number): void {
  setPsdt(q, S.PSDT_SGL_MPTR_CONTIG);
  setU64(q, S.SQE_SGL1, bus);
  q[S.SQE_SGL1 / 4 + 2] = len >>> 0;
  q[S.SQE_SGL1 / 4 + 3] = (SGL_TYPE_DATA_BLOCK << SGL_TYPE_SHIFT) << 24;
}

/**
 * PRPs for a scatter list (nvme_pci_setup_prps over a request's segments): PRP1 is the first
 * byte; every later entry starts a page. Segments after the first must start on a page and
 * all but the last must end on one (the queue's virt boundary guarantees it); a list that
 * breaks the rule is a host bug and is refused here rather than sent.
 */
export function buildPrpsForSegments(q: Sqe, segs: Array<{ bus: number; len: number }>, pool: DmaPool, ram: DataView, page = PAGE_SIZE): DmaBuffer[] {
  // one segment over one or two pages (a 4 KiB I/O): no entry list either
  if (segs.length === 1 && segs[0].len > 0 && prpsWithinTwoPages(q, segs[0].bus, segs[0].len, page)) return NO_LISTS;
  const entries: number[] = [];
  for (let i = 0; i < segs.length; i++) {
    const { bus, len } = segs[i];
    if (len <= 0) continue;
    if (entries.length > 0 && bus % page !== 0) throw new Error(`segment ${i} at ${bus} does not start on a page: it cannot be described by PRPs`);
    if (i < segs.length - 1 && (bus + len) % page !== 0) throw new Error(`segment ${i} ends inside a page: it cannot be described by PRPs`);
    for (let a = bus; a < bus + len; a = (Math.floor(a / page) + 1) * page) entries.push(a);
  }
  setPsdt(q, S.PSDT_PRP);
  if (entries.length <= 2) { setPrp(q, entries[0] ?? 0, entries[1] ?? 0); return []; }
  const perList = page / 8;
  const lists: DmaBuffer[] = [];
  let prevList: DmaBuffer | null = null;
  let i = 1;
  while (i < entries.length) {
    const list = pool.alloc(page, page);
    lists.push(list);
    if (prevList) setU64le(ram, prevList.bus + (perList - 1) * 8, list.bus);
    const left = entries.length - i;
    const here = left > perList ? perList - 1 : left;
    for (let k = 0; k < here; k++) setU64le(ram, list.bus + k * 8, entries[i++]);
    prevList = list;
  }
  setPrp(q, entries[0], lists[0].bus);
  return lists;
}

/** A little-endian 64-bit PRP entry from a number (bus addresses stay below 2^53). */
function setU64le(ram: DataView, at: number, v: number): void {
  ram.setUint32(at, v >>> 0, true);
  ram.setUint32(at + 4, Math.floor(v / 4294967296) >>> 0, true);
}
