// SMART / Health counters and the Error Information log (Base §5.1.12.1.2-3). Both live in
// the persistent block (layout.ts PERSIST_*), which the host saves with the namespace
// images, so power cycles, unsafe shutdowns, data units and the failed commands themselves
// survive between CLI runs, and the log's newest Error Count matches the SMART log's
// Number of Error Information Log Entries.

import {
  ERRLOG_ENTRY_SIZE, ERRLOG_ENTRIES, ERRLOG_COUNT, ERRLOG_SQID, ERRLOG_CID, ERRLOG_STATUS,
  ERRLOG_PARAM_LOC, ERRLOG_LBA, ERRLOG_NSID, ERRLOG_OPCODE, ERRLOG_CSI, ERRLOG_PHASE,
} from "../spec/admin";
import { state } from "./globals";
import { PersistentState, PERSIST_MAGIC } from "./state";
import { PERSIST_SIZE } from "../layout";
import { r_loc, r_lba, r_has_lba } from "./result";

@inline export function persistent(): PersistentState {
  return changetype<PersistentState>(<usize>state().persist);
}

export function persistInit(): void {
  const p = persistent();
  memory.fill(changetype<usize>(p), 0, PERSIST_SIZE);
  p.magic = PERSIST_MAGIC;
  p.clean_shutdown = 1;
}

/** Power-on accounting, after the host restored the saved block (or kept the fresh one). */
export function powerOn(): void {
  const p = persistent();
  if (p.magic != PERSIST_MAGIC) persistInit();
  p.err_head %= ERRLOG_ENTRIES; // the block came from the host's file: keep the ring's writes inside it
  p.power_cycles++;
  if (p.clean_shutdown == 0) p.unsafe_shutdowns++;
}

export function countRead(bytes: u64): void {
  const p = persistent();
  p.read_bytes += bytes;
  p.host_read_cmds++;
}

export function countWrite(bytes: u64): void {
  const p = persistent();
  p.written_bytes += bytes;
  p.host_write_cmds++;
}

/**
 * Record a failed command in the Error Information log (a ring; newest entry first when read).
 * phase is the Phase Tag of the completion posted for it (Base Figure 206, Status Field bit 0).
 */
export function errorLogAdd(sqid: u32, cid: u32, opc: u32, nsid: u32, status: u32, phase: u32): void {
  const st = state();
  const p = persistent();
  p.error_count++;
  const e = <usize>st.errlog + <usize>(p.err_head * ERRLOG_ENTRY_SIZE);
  memory.fill(e, 0, ERRLOG_ENTRY_SIZE);
  store<u64>(e + ERRLOG_COUNT, p.error_count);
  store<u16>(e + ERRLOG_SQID, <u16>sqid);
  store<u16>(e + ERRLOG_CID, <u16>cid);
  store<u16>(e + ERRLOG_STATUS, <u16>(((status & 0x7fff) << 1) | (phase & ERRLOG_PHASE)));
  store<u16>(e + ERRLOG_PARAM_LOC, <u16>r_loc);
  if (r_has_lba) store<u64>(e + ERRLOG_LBA, r_lba);
  store<u32>(e + ERRLOG_NSID, nsid);
  store<u8>(e + ERRLOG_CSI, 0);
  store<u8>(e + ERRLOG_OPCODE, <u8>opc);
  p.err_head = (p.err_head + 1) % ERRLOG_ENTRIES;
}
