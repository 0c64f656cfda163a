// The shared-memory map: where the host (src/) and the controller (assembly/) find
// each other in the one shared WebAssembly.Memory. Plain integer constants, shared by
// both sides.
//
//   [0, 64 KiB)        fixed pages below AssemblyScript's static data (--memoryBase 65536):
//                      header (region table), MMIO write mailbox, thread control words,
//                      interrupt vector words, controller configuration
//   [64 KiB, 1 MiB)    AssemblyScript static data (read-only at run time)
//   [1 MiB, ...)       regions placed by the host, in this order, each 64 KiB aligned:
//                      BAR0 (register file for reads), host RAM (DMA-able: queues, PRP
//                      lists, data buffers), event ring, tool scratch
//   controller base    controller-owned memory, laid out by the controller at init
//                      (state block, queue tables, error log, namespace tables), then the
//                      media heap, which grows with what is written (memory.grow)
//
// Bus addresses (PRPs, SGLs, ASQ/ACQ, queue bases) are offsets into host RAM: bus
// address b is wasm address HOST_RAM_BASE + b, valid only when b + length <= host RAM size.

import { ERRLOG_ENTRIES, ERRLOG_ENTRY_SIZE } from "./spec/admin";

export const LAYOUT_MAGIC = 0x4c4d564e; // "NVML" little endian
export const LAYOUT_VERSION = 1;
export const WASM_PAGE_SIZE = 65536;
/** Largest memory a wasm32 shared memory can have: 4 GiB. */
export const MEMORY_MAX_PAGES = 65536;
export const REGION_ALIGN = 65536;

// ---- fixed pages ----
export const HEADER_BASE = 0x0000;
export const MAILBOX_BASE = 0x1000; // 8 KiB
export const CONTROL_BASE = 0x3000; // 4 KiB
export const VECTORS_BASE = 0x4000; // 32 KiB
export const CONFIG_BASE = 0xc000; // 16 KiB
export const FIXED_END = 0x10000;
/** AssemblyScript's static data must end below this (checked at init). */
export const STATIC_DATA_LIMIT = 0xff000;
/**
 * The controller's state block (assembly/ctrl/state.ts CtrlState), 4 KiB at a fixed address
 * between the static data and the host's regions: every access to it is then a load from a
 * constant address, where a block found at init costs a load of its address first.
 */
export const CTRL_STATE_BASE = 0xff000;
export const DYNAMIC_BASE = 0x100000;

// ---- header: region table (u32 each) ----
export const HDR_MAGIC = 0;
export const HDR_VERSION = 4;
export const HDR_BAR0_BASE = 8;
export const HDR_BAR0_SIZE = 12;
export const HDR_HOST_RAM_BASE = 16;
export const HDR_HOST_RAM_SIZE = 20;
export const HDR_EVENTS_BASE = 24;
export const HDR_EVENTS_COUNT = 28; // entries, a power of two
export const HDR_SCRATCH_BASE = 32;
export const HDR_SCRATCH_SIZE = 36;
export const HDR_CTRL_BASE = 40; // first byte the controller owns
export const HDR_CTRL_STATE = 44; // controller state block, set by the controller at init
export const HDR_INITIAL_PAGES = 48;

// ---- MMIO write mailbox: the host's posted register writes, applied in order ----
// Every host write to BAR0 (registers and doorbells) is an entry, so the controller sees
// each write exactly as a device sees an MMIO write: same-value writes, writes to absent
// queues, and the order of register and doorbell writes. An entry carries its own sequence
// number, so the controller polls (and sleeps on) one cache line: the next entry.
export const MBOX_CONSUMER = 0; // u32, entries applied so far (controller writes; host reads when the ring looks full)
export const MBOX_ENTRIES_OFFSET = 1024;
export const MBOX_ENTRIES = 256; // power of two
export const MBOX_ENTRY_SIZE = 16;
export const MBOX_E_SEQ = 0; // u32: posting number + 1 (wrapping); valid when it equals the controller's next
export const MBOX_E_TARGET = 4; // u32: BAR0 offset in 23:0, access size (4 or 8) in 31:24
export const MBOX_E_VALUE_LO = 8;
export const MBOX_E_VALUE_HI = 12;
export const MBOX_TARGET_OFFSET_MASK = 0xffffff;
export const MBOX_TARGET_SIZE_SHIFT = 24;

// ---- the benchmark's echo (assembly/bench.ts bench_nvme_echo) ----
/**
 * Flag: the host writes no SQE and the echo neither touches nor reads one (each CQE carries
 * the slot as its CID): the doorbell's and the CQE's traffic alone, which shows what the
 * SQE's cache line adds to a round trip.
 */
export const ECHO_NO_SQE = 1;

// ---- thread control words, grouped by writer so hot words do not share cache lines ----
export const CTL_PARKED = 0; // i32, 1 while the controller thread sleeps on the next mailbox entry
export const CTL_STOP = 4; // i32, host sets 1 to end the controller thread
export const CTL_THREAD_STATE = 8; // i32, THREAD_*
export const CTL_TRACE_MASK = 12; // i32, which event classes the controller records
export const CTL_EVENT_SEQ = 64; // u32, number of events written so far (its own line)
export const CTL_SPIN_TOUCHED = 128; // u32, sum of SQE words touched while spinning (diagnostics; keeps the loads live)
export const THREAD_NONE = 0;
export const THREAD_RUNNING = 1;
export const THREAD_EXITED = 2;
export const THREAD_CRASHED = 3; // set by the thread's host code when the wasm traps

// ---- interrupt vectors: one 16-byte slot per MSI-X vector ----
export const MAX_VECTORS = 2048;
export const VECTOR_SLOT_SIZE = 16;
export const VEC_COUNT = 0; // i32, incremented (Atomics) for every interrupt; the host waits on it
export const VEC_WAITERS = 4; // i32, host sets while it sleeps so the controller knows to notify

// ---- controller configuration (host writes before ctrl_init) ----
export const CFG_NN = 0; // u32, number of namespace slots that follow (<= MAX_NAMESPACES)
export const CFG_MAX_IOQPAIRS = 4; // u32
export const CFG_MQES = 8; // u32, 0's based max queue entries
export const CFG_MDTS = 12; // u32, log2 units of CAP.MPSMIN pages, 0 = no limit
export const CFG_ONCS = 16; // u32
export const CFG_OCFS = 20; // u32
export const CFG_VWC = 24; // u32, Identify VWC byte
export const CFG_SGLS = 28; // u32
export const CFG_MAX_VECTORS = 32; // u32
export const CFG_AERL = 36; // u32, 0's based
export const CFG_VID = 40; // u32 (u16 used)
export const CFG_SSVID = 44;
export const CFG_MPSMAX = 48; // u32
export const CFG_DSTRD = 52;
export const CFG_CNTLID = 56;
export const CFG_VER = 60; // u32, VS register value
export const CFG_MAX_INFLIGHT = 64; // u32, request slots
// NVM Command Set limits reported in Identify CNS 06h (NVM CS 1.0 Figure 102) and applied to
// Verify, Write Zeroes and Dataset Management; 0 = none (see src/controller/config.ts).
export const CFG_VSL = 68; // u32, Verify Size Limit: 2^n x 4 KiB
export const CFG_WZSL = 72; // u32, Write Zeroes Size Limit: 2^n x 4 KiB
export const CFG_DMRL = 76; // u32, Dataset Management Ranges Limit (1..255)
export const CFG_DMRSL = 80; // u32, Dataset Management Range Size Limit (logical blocks)
export const CFG_DMSL = 88; // u64, Dataset Management Size Limit (logical blocks)
export const CFG_SN = 128; // 20 bytes
export const CFG_MN = 160; // 40 bytes
export const CFG_FR = 208; // 8 bytes
export const CFG_SUBNQN = 256; // 256 bytes
export const CFG_NS_BASE = 1024;
export const CFG_NS_SIZE = 256;
export const MAX_NAMESPACES = 16;
// per-namespace configuration slot
export const CFGNS_NSID = 0; // u32, 0 = empty slot
export const CFGNS_NSZE = 8; // u64 blocks
export const CFGNS_NLBAF = 16; // u32, number of formats (1's based, <= 16)
export const CFGNS_FLBAS = 20; // u32, format index in use (+ FLBAS_EXTENDED)
export const CFGNS_MSSRL = 24; // u32
export const CFGNS_MCL = 28; // u32
export const CFGNS_MSRC = 32; // u32, 0's based
export const CFGNS_NMIC = 36;
export const CFGNS_PIF = 40; // u32, protection information format of every LBA format: 0 = 16b guard, 2 = 64b guard
// End-to-end data protection of the format in use (NVM CS 1.1 §5.2; Identify Namespace DPS):
export const CFGNS_PI = 44; // u32, protection information type 0 (none), 1, 2 or 3
export const CFGNS_PIL = 48; // u32, 1 = PI in the first bytes of metadata, 0 = the last (DPS bit 3)
export const CFGNS_LBAF = 64; // 16 x 4 bytes: ms u16, lbads u8, rp u8
export const CFGNS_EUI64 = 128; // 8 bytes
export const CFGNS_NGUID = 144; // 16 bytes
export const CFGNS_UUID = 160; // 16 bytes
export const CFG_NS_MAX_LBAF = 16;

// ---- event ring: what the controller did, for traces and views ----
export const EVENT_SIZE = 48;
export const EV_SEQ = 0; // u32: sequence number + 1 (0 = never written)
export const EV_KIND = 4; // u8: EVK_*
export const EV_CLASS = 5; // u8: EVC_*
export const EV_SQID = 6; // u16
export const EV_CID = 8; // u16
export const EV_OPC = 10; // u8
export const EV_FLAGS = 11; // u8
export const EV_STATUS = 12; // u16 status field
export const EV_NSID = 16; // u32
export const EV_ARG32 = 20; // u32
export const EV_ARG64A = 24; // u64
export const EV_ARG64B = 32; // u64
export const EV_TIME_NS = 40; // f64
/** Event classes, as QEMU's trace-events split them: normal, error, host misbehaviour. */
export const EVC_NORMAL = 1;
export const EVC_ERROR = 2;
export const EVC_HOST_UB = 4;
export const TRACE_ALL = 7;
/** Event kinds (see src/controller/events.ts for their names and fields). */
export const EVK_MMIO_WRITE = 1; // ARG32 offset, ARG64A value
export const EVK_DOORBELL_SQ = 2; // SQID, ARG32 new tail
export const EVK_DOORBELL_CQ = 3; // SQID = CQID, ARG32 new head
export const EVK_FETCH = 4; // SQID, CID, OPC, NSID, ARG64A CDW10|CDW11<<32, ARG64B CDW12|CDW13<<32
export const EVK_COMPLETE = 5; // SQID, CID, OPC, STATUS, ARG32 CQID, ARG64A DW0
export const EVK_INTERRUPT = 6; // ARG32 vector
export const EVK_ENABLE = 7; // ARG32 CC
export const EVK_DISABLE = 8;
export const EVK_SHUTDOWN = 9;
export const EVK_FATAL = 10; // ARG32 reason
export const EVK_CREATE_SQ = 11; // SQID, ARG32 size, ARG64A base
export const EVK_CREATE_CQ = 12;
export const EVK_DELETE_SQ = 13;
export const EVK_DELETE_CQ = 14;
export const EVK_COPY_RANGE = 15; // NSID dest, ARG32 source nsid, ARG64A slba, ARG64B dlba | nlb<<48? see events.ts
export const EVK_ASYNC_EVENT = 16; // ARG32 AER DW0
export const EVK_UB = 17; // host misbehaviour, ARG32 UB_* reason, ARG64A value
export const EVK_ERROR = 18; // command error detail, ARG32 ERR_* reason
export const EVK_NSSR = 19;

/** Host misbehaviour reasons (EVK_UB), cf. QEMU pci_nvme_ub_*. */
export const UB_DB_ABSENT_SQ = 1;
export const UB_DB_ABSENT_CQ = 2;
export const UB_DB_SQ_TAIL_RANGE = 3;
export const UB_DB_CQ_HEAD_RANGE = 4;
export const UB_DB_SQ_OVERFLOW = 5;
export const UB_DB_CQ_HEAD_PAST_TAIL = 6;
export const UB_MMIO_READONLY = 7;
export const UB_MMIO_MISALIGNED = 8;
export const UB_MMIO_BEYOND_BAR = 9;
export const UB_CC_WHILE_ENABLED = 10;
export const UB_DB_WHILE_DISABLED = 11;
/** Fatal reasons (EVK_FATAL). */
export const FATAL_ENABLE_CHECK = 1;
export const FATAL_SQ_FETCH_DMA = 2;
export const FATAL_CQ_POST_DMA = 3;

// ---- the persistent block (ctrl_persist_addr, ctrl_persist_size) ----
// What outlives a power cycle: a host that keeps the device (the CLI's state file) saves
// these bytes with the namespace images and puts them back before ctrl_power_on. The
// counters are the fields of PersistentState (assembly/ctrl/state.ts), in declaration
// order from offset 0; the Error Information log ring follows them, so failed commands
// and the Error Count in the SMART log travel together (Base §5.1.12.1.2: the log lists
// the newest entries, whichever power cycle made them).
/** Bytes reserved for the counters; a block of just this size is a version-1 block (counters only). */
export const PERSIST_COUNTERS_SIZE = 128;
/** Offset of the Error Information log ring: ERRLOG_ENTRIES entries of ERRLOG_ENTRY_SIZE bytes. */
export const PERSIST_ERRLOG = PERSIST_COUNTERS_SIZE;
export const PERSIST_SIZE = PERSIST_ERRLOG + ERRLOG_ENTRIES * ERRLOG_ENTRY_SIZE;
