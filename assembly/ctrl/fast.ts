// The fast path of the most common I/O command: a Read of a namespace without metadata whose
// data lies in one media chunk and whose data pointer is PRP1 (and PRP2 as a second page, no
// PRP list). Every check of the general path (exec.ts ioCommand, nvm.ts read, dma.ts mapPrp)
// is made first, with no side effect; a command that any check would fail, or that needs
// anything else (tracing, fused, SGL, PRP list, metadata, several chunks), is declined and
// runs the general path from the start, which then sees exactly the state the fetch left.
// An accepted command has the general path's effects in its order: data to the host, the
// SMART counters, then the CQE with its interrupt. Both paths' code lives on: the general
// one stays the reference for behaviour, this one only leaves out calls and re-derivations.

import { SQE_OPC, SQE_FLAGS, SQE_CID, SQE_NSID, SQE_PRP1, SQE_PRP2, SQE_CDW10, SQE_CDW12 } from "../spec/sqe";
import { NVM_READ, RW_NLB_MASK } from "../spec/opcodes";
import { SC_SUCCESS } from "../spec/status";
import { EVC_NORMAL } from "../layout";
import { state } from "./globals";
import { NsState } from "./state";
import { nsById, inRange, NSID_BROADCAST } from "./ns";
import { busToWasm } from "./dma";
import { chunkAt, ZERO_CHUNK } from "./media";
import { countRead } from "./smart";
import { postCqe } from "./queues";
import { traceOn } from "./events";

// readFast reads OPC and FLAGS as one 16-bit word
if (SQE_FLAGS != SQE_OPC + 1) ERROR("SQE FLAGS must follow OPC (assembly/spec/sqe.ts)");

/**
 * Run the I/O command at sqe of SQ sqid if it is a plain Read (above); false: declined, nothing
 * changed. sqe is the entry's slot in host RAM, not the controller's SQE buffer: the host may
 * reuse the slot only once it sees the CQE's SQ Head past it (Base §4.2.2), and every field is
 * read before the data moves (a PRP may even point at the SQ), so the fast path needs no copy;
 * a declined command is fetched into the buffer for the general path then. The result globals
 * (result.ts) are left as they are: only the general path reads them, after its own resetResult.
 */
export function readFast(sqid: u32, cqid: u32, sqe: usize): bool {
  // OPC and FLAGS (the next byte) in one load: a Read with FLAGS 0 (not fused, PSDT = PRP).
  // With normal tracing on the general path records the fetch.
  if (load<u16>(sqe + SQE_OPC) != <u16>NVM_READ || traceOn(EVC_NORMAL)) return false;
  const nsid = load<u32>(sqe + SQE_NSID);
  if (nsid == NSID_BROADCAST) return false;
  const found = nsById(nsid);
  if (found == null) return false;
  const ns = changetype<NsState>(found);
  // nvm.ts read / prepareTransfer: MDTS, then the LBA range; fast_nlb is MDTS in blocks, 0 for
  // a format with metadata or PI (ns.ts fastNlb)
  const slba = load<u64>(sqe + SQE_CDW10);
  const nlb = <u64>(load<u32>(sqe + SQE_CDW12) & RW_NLB_MASK) + 1;
  if (nlb > <u64>ns.fast_nlb) return false;
  const bytes = nlb << ns.lbads;
  if (!inRange(ns, slba, nlb)) return false;
  // dma.ts mapPrp without a list: PRP1 to the end of its page, the rest (one page at most) at PRP2
  const page: u64 = <u64>1 << state().page_shift;
  const mask = page - 1;
  const prp1 = load<u64>(sqe + SQE_PRP1);
  if ((prp1 & 3) != 0) return false;
  const first = min<u64>(bytes, page - (prp1 & mask));
  const rest = bytes - first;
  if (rest > page) return false;
  const to1 = busToWasm(prp1, first);
  if (to1 == 0) return false;
  let to2: usize = 0;
  if (rest != 0) {
    const prp2 = load<u64>(sqe + SQE_PRP2);
    if ((prp2 & mask) != 0) return false;
    to2 = busToWasm(prp2, rest);
    if (to2 == 0) return false;
  }
  // nvm.ts mediaToHost when the blocks are one piece of one chunk
  const per = <u64>1 << ns.chunk_shift;
  const idx = slba & (per - 1);
  if (idx + nlb > per) return false;
  // the last field it needs, before the data moves
  const cid = <u32>load<u16>(sqe + SQE_CID);
  const p = chunkAt(ns, slba >> ns.chunk_shift);
  if (p > ZERO_CHUNK) {
    const from = <usize>p + (<usize>idx << ns.lbads);
    memory.copy(to1, from, <usize>first);
    if (rest != 0) memory.copy(to2, from + <usize>first, <usize>rest);
  } else {
    memory.fill(to1, 0, <usize>first);
    if (rest != 0) memory.fill(to2, 0, <usize>rest);
  }
  countRead(bytes);
  // exec.ts complete with a success: no error log entry, CQE Dwords 0 and 1 zero
  postCqe(cqid, sqid, cid, SC_SUCCESS, 0, 0, NVM_READ, nsid, EVC_NORMAL);
  return true;
}
