// The controller's private state, laid out by hand in controller-owned shared memory
// (never AssemblyScript heap objects: that heap is per instance). Each structure is an
// @unmanaged class placed at a fixed address with changetype, so any instance attached
// to the memory sees the same state; the wasm globals in globals.ts only cache addresses.

/** Controller phases: the CC/CSTS state machine (Base §3.6, §3.7). */
export const PHASE_DISABLED: u32 = 0; // CC.EN = 0, CSTS.RDY = 0
export const PHASE_READY: u32 = 1; // CC.EN = 1, CSTS.RDY = 1
export const PHASE_FATAL: u32 = 2; // CSTS.CFS = 1 until the host resets
export const PHASE_SHUTDOWN: u32 = 3; // CSTS.SHST = 10b, commands no longer fetched

import { PERSIST_COUNTERS_SIZE } from "../layout";

export const STATE_MAGIC: u32 = 0x5453434e; // "NCST"

@unmanaged export class CtrlState {
  magic: u32;
  phase: u32;
  cc: u32;
  csts: u32;
  aqa: u32;
  intms: u32;
  asq: u64;
  acq: u64;
  page_shift: u32; // log2 of the memory page size chosen in CC.MPS at enable
  mbox_seen: u32; // mailbox entries applied so far
  heap_next: u32; // next free byte of controller memory (bump allocator)
  heap_end: u32; // end of memory in bytes, memory.size() << 16
  sq_table: u32;
  cq_table: u32;
  vec_table: u32;
  ns_table: u32;
  errlog: u32; // the Error Information log ring, inside the persistent block (PERSIST_ERRLOG)
  seglist: u32; // data segment list: (wasm address u32, length u32) pairs
  md_seglist: u32; // metadata segment list
  sqe_buf: u32; // the SQE being executed, copied out of host RAM as a device fetch does
  page_buf: u32; // 4 KiB scratch: Identify pages, log pages, feature data
  range_buf: u32; // Copy / DSM range list, COPY_MAX_RANGES x 40 bytes
  sq_ready: u32; // bitmap (u64 words), bit qid set while SQ qid has entries to fetch
  aer_table: u32; // u16 CIDs of outstanding Asynchronous Event Requests
  ae_table: u32; // u32 AER DW0 values waiting for a request
  persist: u32; // PersistentState
  max_qid: u32; // highest I/O queue identifier the controller supports
  nn: u32;
  mqes: u32;
  mdts: u32;
  oncs: u32;
  ocfs: u32;
  vwc: u32;
  sgls: u32;
  max_vectors: u32;
  aerl: u32;
  mpsmax: u32;
  dstrd: u32;
  sq_ready_words: u32;
  rr_next: u32; // round robin starts its next round at this qid
  io_queues_created: u32; // I/O queues created since the last reset (Number of Queues rule)
  aer_count: u32;
  ae_count: u32;
  ae_masked: u32; // bit per event type: reported and not yet cleared by Get Log Page
  feat_arb: u32;
  feat_pm: u32;
  feat_temp_over: u32;
  feat_temp_under: u32;
  feat_vwc: u32;
  feat_nsqa: u32; // 0's based
  feat_ncqa: u32;
  feat_irqc: u32;
  feat_wan: u32;
  feat_aec: u32;
  feat_hbs_cdfe: u32;
  feat_hbs_lo: u32; // Host Behavior Support bytes 0-3
  cntlid: u32;
  ver: u32;
  vid: u32;
  ssvid: u32;
  max_inflight: u32;
  vsl: u32; // NVM CS limits (Identify CNS 06h): Verify and Write Zeroes size, 2^n x 4 KiB; 0 = none
  wzsl: u32;
  dmrl: u32; // Dataset Management processing limits: all three non-zero or all zero
  dmrsl: u32;
  dmsl: u64;
  ns_map: u32; // u8 per NSID 0..nn: namespace slot + 1, 0 = no namespace
  vec_pending: u32; // vectors holding coalesced completions
  dcur: u32; // data Cursor (dma.ts)
  mcur: u32; // metadata Cursor
  table_next: u32; // radix tables come from an arena, so data chunks stay contiguous (media.ts)
  table_end: u32;
  crc16_table: u32; // 256 u16: CRC-16 T10-DIF by byte (pi.ts)
  crc64_table: u32; // 256 u64: CRC-64/NVMe by byte, reflected
  pi_buf: u32; // 64-byte scratch for protection information tuples
  now_ns: f64;
  sq_ready_count: u32; // bits set in sq_ready: a round of arbitration ends once it is 0
  sq_ready_hint: u32; // the SQ marked ready last: the ready one when sq_ready_count is 1 and its bit is set
}
if (offsetof<CtrlState>() > 4096) ERROR("CtrlState outgrew its 4 KiB page at CTRL_STATE_BASE (assembly/layout.ts)");

/**
 * Counters that outlive a power cycle: the head of the persistent block (layout.ts
 * PERSIST_*), saved with the namespace images; the Error Information log ring follows at
 * PERSIST_ERRLOG. Fields are only ever added at the end, so an older block still reads.
 */
@unmanaged export class PersistentState {
  magic: u32;
  clean_shutdown: u32; // 1 when the last power-off followed a completed shutdown
  read_bytes: u64; // user data read, for Data Units Read
  written_bytes: u64;
  host_read_cmds: u64;
  host_write_cmds: u64;
  busy_ns: f64;
  power_cycles: u64;
  power_on_ns: f64;
  unsafe_shutdowns: u64;
  media_errors: u64;
  error_count: u64; // error log entries ever created (Error Count of the newest entry)
  err_head: u32; // next slot of the Error Information log ring (0 in a counters-only block: empty ring)
}
export const PERSIST_MAGIC: u32 = 0x52455050; // "PPER"
// The counters must fit the bytes the layout reserves for them, or the error log ring at
// PERSIST_ERRLOG would overlap them: checked when the controller is compiled.
if (offsetof<PersistentState>() > <usize>PERSIST_COUNTERS_SIZE) ERROR("PersistentState outgrew PERSIST_COUNTERS_SIZE (assembly/layout.ts)");

export const SQF_EXISTS: u32 = 1;
export const SQF_PC: u32 = 2;

@unmanaged export class SqState {
  flags: u32;
  size: u32; // entries (1's based)
  base: u64; // bus address
  head: u32;
  tail: u32; // last doorbell value
  cqid: u32;
  qprio: u32;
  ring: u32; // wasm address of the whole ring when it lies inside host RAM, else 0 (set at creation)
}
export const SQ_STATE_SIZE: u32 = 48;
if (offsetof<SqState>() > <usize>SQ_STATE_SIZE) ERROR("SqState outgrew SQ_STATE_SIZE");

export const CQF_EXISTS: u32 = 1;
export const CQF_PC: u32 = 2;
export const CQF_IEN: u32 = 4;

@unmanaged export class CqState {
  flags: u32;
  size: u32;
  base: u64;
  head: u32; // last doorbell value
  tail: u32;
  phase: u32; // phase tag of the entries being written now
  iv: u32;
  sq_refs: u32; // SQs that post to this CQ
  reserved: u32; // slots promised to commands still outstanding (Asynchronous Event Requests)
  ring: u32; // wasm address of the whole ring when it lies inside host RAM, else 0 (set at creation)
}
export const CQ_STATE_SIZE: u32 = 48;
if (offsetof<CqState>() > <usize>CQ_STATE_SIZE) ERROR("CqState outgrew CQ_STATE_SIZE");

/** Interrupt vector state: masking (INTMS/INTMC) and aggregation (Base §5.27.1.8-9). */
@unmanaged export class VecState {
  ivc: u32; // Interrupt Vector Configuration feature value (IV | CD)
  pending: u32; // completions posted and not yet signalled
  first_pending_ns: f64;
  masked_pending: u32; // an interrupt is owed once the vector is unmasked
}
export const VEC_STATE_SIZE: u32 = 24;

/** A namespace: its format, limits, and its sparse media map (media.ts). */
@unmanaged export class NsState {
  nsid: u32;
  active: u32;
  nsze: u64;
  lbads: u32; // log2 data bytes per LBA
  ms: u32; // metadata bytes per LBA
  extended: u32; // 1 = metadata at the end of each LBA in the data buffer (FLBAS bit 4)
  flbas: u32;
  nlbaf: u32; // number of formats (1's based)
  mssrl: u32;
  mcl: u32;
  msrc: u32; // 0's based
  nmic: u32;
  pif: u32; // protection information format: 0 = 16b guard, 2 = 64b guard (ELBAF.PIF)
  cfg: u32; // address of this namespace's configuration slot (formats, ids)
  chunk_shift: u32; // log2 LBAs per chunk
  chunk_bytes: u32; // data + metadata bytes of one chunk
  l1: u32; // address of the first-level table (u32 entries)
  l1_entries: u32;
  free_chunks: u32; // free list of chunks of this namespace's size
  free_count: u32;
  chunk_stride: u32; // chunk_bytes rounded up to 64 for alignment
  nuse: u64; // LBAs written and not deallocated
  chunks_in_use: u64;
  feat_err_rec: u32; // Error Recovery (FID 05h) is namespace specific (Base 2.1 Figure 385; QEMU ns->features.err_rec)
  pi: u32; // protection information type in use (DPS 2:0): 0 = none, 1-3
  pil: u32; // 1: PI in the first bytes of metadata (DPS bit 3), 0: in the last
  pi_size: u32; // bytes of one PI tuple (8 for 16b guard, 16 for 64b guard); 0 without PI
  pi_off: u32; // offset of the tuple inside an LBA's metadata
  fast_nlb: u32; // most blocks a Read may have for the fast path (fast.ts): MDTS in blocks; 0 with metadata or PI
}
export const NS_STATE_SIZE: u32 = 128;
// Namespace slots are NS_STATE_SIZE apart in the namespace table: checked when compiled.
if (offsetof<NsState>() > <usize>NS_STATE_SIZE) ERROR("NsState outgrew NS_STATE_SIZE (assembly/ctrl/state.ts)");

@inline export function ctrlState(addr: usize): CtrlState { return changetype<CtrlState>(addr); }
