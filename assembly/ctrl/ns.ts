// Namespaces: built at power-on from the host's configuration slots (layout.ts CFGNS_*),
// then looked up by NSID. Holds the format arithmetic every I/O command needs.

import {
  CFG_NS_BASE, CFG_NS_SIZE, CFGNS_NSID, CFGNS_NSZE, CFGNS_NLBAF, CFGNS_FLBAS, CFGNS_MSSRL,
  CFGNS_MCL, CFGNS_MSRC, CFGNS_NMIC, CFGNS_PIF, CFGNS_PI, CFGNS_PIL, CFGNS_LBAF, MAX_NAMESPACES, CFG_NS_MAX_LBAF,
} from "../layout";
import { PI_TYPE_3 } from "../spec/pi";
import { tupleSize } from "./pi";
import { FLBAS_INDEX_LO_MASK, FLBAS_EXTENDED } from "../spec/identify";
import { g_cfg, g_ns, state } from "./globals";
import { NsState, NS_STATE_SIZE } from "./state";
import { heapAlloc } from "./heap";
import { CHUNK_TARGET_BYTES, MAX_CHUNK_SHIFT, L1_SPAN_BITS } from "./media";

export const NSID_BROADCAST: u32 = 0xffffffff;

/** The namespace state for nsid, or null when no namespace with that NSID is attached. */
export function nsById(nsid: u32): NsState | null {
  const st = state();
  if (nsid == 0 || nsid > st.nn) return null;
  const slot = <u32>load<u8>(<usize>st.ns_map + <usize>nsid);
  if (slot == 0) return null;
  return changetype<NsState>(g_ns + <usize>((slot - 1) * NS_STATE_SIZE));
}

/** NSID inside 1..NN (Identify Controller NN): valid, though perhaps not active. */
@inline export function nsidValid(nsid: u32): bool {
  return nsid != 0 && nsid <= state().nn;
}

@inline export function nsAt(i: u32): NsState {
  return changetype<NsState>(g_ns + <usize>(i * NS_STATE_SIZE));
}

/** Bytes one LBA takes in the data buffer: data, plus metadata when extended. */
@inline export function lbaDataBytes(ns: NsState): u32 {
  return (<u32>1 << ns.lbads) + (ns.extended != 0 ? ns.ms : 0);
}

/** LBA range check with wrap-around: [slba, slba + nlb) inside the namespace. */
@inline export function inRange(ns: NsState, slba: u64, nlb: u64): bool {
  return slba < ns.nsze && nlb <= ns.nsze - slba;
}

/** Set up namespace slot i from its configuration; false when the configuration is invalid. */
export function nsInit(i: u32): bool {
  const cfg = g_cfg + CFG_NS_BASE + <usize>(i * CFG_NS_SIZE);
  const ns = nsAt(i);
  memory.fill(changetype<usize>(ns), 0, NS_STATE_SIZE);
  const nsid = load<u32>(cfg + CFGNS_NSID);
  if (nsid == 0) return true;
  const nlbaf = load<u32>(cfg + CFGNS_NLBAF);
  if (nlbaf == 0 || nlbaf > <u32>CFG_NS_MAX_LBAF) return false;
  const nsze = load<u64>(cfg + CFGNS_NSZE);
  ns.nlbaf = nlbaf;
  ns.cfg = <u32>cfg;
  ns.pif = load<u32>(cfg + CFGNS_PIF);
  if (ns.pif != 0 && ns.pif != 2) return false;
  if (!nsSetFormat(ns, load<u32>(cfg + CFGNS_FLBAS), load<u32>(cfg + CFGNS_PI), load<u32>(cfg + CFGNS_PIL))) return false;
  if (nsze == 0 || nsze > (<u64>1 << 50 >> ns.lbads)) return false;
  ns.nsid = nsid;
  ns.nsze = nsze;
  ns.mssrl = load<u32>(cfg + CFGNS_MSSRL);
  ns.mcl = load<u32>(cfg + CFGNS_MCL);
  ns.msrc = load<u32>(cfg + CFGNS_MSRC);
  ns.nmic = load<u32>(cfg + CFGNS_NMIC);
  return nsInitMedia(ns);
}

/**
 * Take LBA format FLBAS (index and MSET) with protection information type pi (0-3) at location
 * pil (1: first bytes of metadata) into the namespace: false when the format does not exist,
 * its data size is unsupported, or its metadata cannot hold the PI tuple (8 bytes for 16b
 * Guard, 16 for 64b Guard; NVM CS 1.1 §5.2.1). Used at power-on and by Format NVM.
 */
export function nsSetFormat(ns: NsState, flbas: u32, pi: u32, pil: u32): bool {
  const idx = flbas & FLBAS_INDEX_LO_MASK;
  if (idx >= ns.nlbaf || pi > <u32>PI_TYPE_3 || pil > 1) return false;
  const lbaf = <usize>ns.cfg + CFGNS_LBAF + <usize>(idx * 4);
  const ms = <u32>load<u16>(lbaf);
  const lbads = <u32>load<u8>(lbaf, 2);
  if (lbads < 9 || lbads > 16) return false;
  const size = pi != 0 ? tupleSize(ns.pif) : 0;
  if (ms < size) return false;
  ns.lbads = lbads;
  ns.ms = ms;
  ns.extended = (flbas & FLBAS_EXTENDED) != 0 ? 1 : 0;
  ns.flbas = flbas;
  ns.pi = pi;
  ns.pil = pil;
  ns.pi_size = size;
  ns.pi_off = pil != 0 ? 0 : ms - size;
  ns.fast_nlb = fastNlb(ms, pi, lbads);
  return true;
}

/**
 * fast.ts's limit on a Read's blocks, made once per format: none with metadata or PI (the
 * general path handles those), else MDTS in blocks (MDTS is fixed at power-on; 0 = no limit,
 * so the 16-bit NLB's 65536). nlb > this exactly when nlb << lbads > MDTS in bytes.
 */
function fastNlb(ms: u32, pi: u32, lbads: u32): u32 {
  if ((ms | pi) != 0) return 0;
  const m = state().mdts;
  return m == 0 ? 0x10000 : <u32>min<u64>(0x10000, (<u64>4096 << m) >> lbads);
}

/** Chunk geometry for the namespace's format: LBAs per chunk, bytes per chunk (data, then metadata). */
export function nsGeometry(ns: NsState): void {
  const shift = chunkShift(ns.lbads);
  ns.chunk_shift = shift;
  ns.chunk_bytes = (<u32>1 << shift) * ((<u32>1 << ns.lbads) + ns.ms);
  ns.chunk_stride = (ns.chunk_bytes + 63) & ~63;
}

/** LBAs per chunk (log2) for a data size: chunks of about CHUNK_TARGET_BYTES of data. */
function chunkShift(lbads: u32): u32 {
  let shift: u32 = 0;
  while (shift < MAX_CHUNK_SHIFT && (<u32>2 << shift << lbads) <= CHUNK_TARGET_BYTES) shift++;
  return shift;
}

/** Bytes of the first-level table of a media map for nsze blocks of 2^lbads bytes. */
export function nsMapBytes(nsze: u64, lbads: u32): u64 {
  const shift = chunkShift(lbads);
  const nchunks = (nsze + (<u64>1 << shift) - 1) >> shift;
  return ((nchunks + (<u64>1 << L1_SPAN_BITS) - 1) >> L1_SPAN_BITS) * 4;
}

/** Geometry and an empty media map (the first-level table). */
export function nsInitMedia(ns: NsState): bool {
  nsGeometry(ns);
  const l1 = <u32>(nsMapBytes(ns.nsze, ns.lbads) >> 2);
  const p = heapAlloc(l1 * 4, 64);
  if (p == 0) return false;
  memory.fill(p, 0, <usize>(l1 * 4));
  ns.l1 = <u32>p;
  ns.l1_entries = l1;
  ns.active = 1;
  return true;
}
