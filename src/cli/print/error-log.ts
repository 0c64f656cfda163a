// `nvme error-log` output: the Error Information log page (LID 01h) entries in the order the
// controller returns them (newest first), as nvme-cli master's stdout_error_log prints them,
// and the json_error_log object. `entries` is what nvme-cli computes from --log-entries
// (default 64) capped at ELPE + 1; the caller passes it, or it defaults to every entry in data.

import * as A from "../../../assembly/spec/admin";
import { u8, u16, u32, u64, hex, jnum } from "./fmt";
import { statusString } from "./status";

/** nvme_trtype_to_string. */
export function trtypeString(trtype: number): string {
  switch (trtype) {
    case 0: return "The transport type is not indicated or the error is not transport related";
    case 1: return "RDMA Transport error";
    case 2: return "Fibre Channel Transport error";
    case 3: return "TCP Transport error";
    case 254: return "Intra-host Transport error";
    default: return "Reserved";
  }
}

/** How many entries to show: --log-entries capped at ELPE + 1 (nvme-cli get_error_log). */
export function errorLogEntries(logEntries: number, elpe: number): number {
  return Math.min(logEntries, elpe + 1);
}

function entryCount(data: Uint8Array, entries?: number): number {
  const max = Math.floor(data.length / A.ERRLOG_ENTRY_SIZE);
  return Math.min(entries ?? max, max);
}

/** `nvme error-log` text, ending with a newline. devname as nvme-cli shows it ("nvme0"). */
export function errorLogText(data: Uint8Array, devname: string, entries?: number): string {
  const n = entryCount(data, entries);
  const o: string[] = [];
  o.push(`Error Log Entries for device:${devname} entries:${entries ?? n}`);
  o.push(".................");
  for (let i = 0; i < n; i++) {
    const e = i * A.ERRLOG_ENTRY_SIZE;
    const sf = u16(data, e + A.ERRLOG_STATUS);
    const status = sf >> 1;
    const trtype = u8(data, e + A.ERRLOG_TRTYPE);
    o.push(` Entry[${String(i).padStart(2, " ")}]`);
    o.push(".................");
    o.push(`error_count\t: ${u64(data, e + A.ERRLOG_COUNT)}`);
    o.push(`sqid\t\t: ${u16(data, e + A.ERRLOG_SQID)}`);
    o.push(`cmdid\t\t: ${hex(u16(data, e + A.ERRLOG_CID))}`);
    o.push(`status_field\t: ${hex(status)} (${statusString(status)})`);
    o.push(`phase_tag\t: ${hex(sf & A.ERRLOG_PHASE)}`);
    o.push(`parm_err_loc\t: ${hex(u16(data, e + A.ERRLOG_PARAM_LOC))}`);
    o.push(`lba\t\t: ${hex(u64(data, e + A.ERRLOG_LBA))}`);
    o.push(`nsid\t\t: ${hex(u32(data, e + A.ERRLOG_NSID))}`);
    o.push(`vs\t\t: ${u8(data, e + A.ERRLOG_VS)}`);
    o.push(`trtype\t\t: ${hex(trtype)} (${trtypeString(trtype)})`);
    o.push(`csi\t\t: ${u8(data, e + A.ERRLOG_CSI)}`);
    o.push(`opcode\t\t: ${hex(u8(data, e + A.ERRLOG_OPCODE))}`);
    o.push(`cs\t\t: ${hex(u64(data, e + A.ERRLOG_CS))}`);
    o.push(`trtype_spec_info: ${hex(u16(data, e + A.ERRLOG_TTSI))}`);
    o.push(`log_page_version: ${u8(data, e + A.ERRLOG_LPVER)}`);
    o.push(".................");
  }
  if (n === 0) o.push("all entries filtered");
  return o.join("\n") + "\n";
}

/** `nvme error-log -o json` object (nvme-cli master json_error_log). */
export function errorLogJson(data: Uint8Array, entries?: number): Record<string, unknown> {
  const n = entryCount(data, entries);
  const errors: Array<Record<string, unknown>> = [];
  for (let i = 0; i < n; i++) {
    const e = i * A.ERRLOG_ENTRY_SIZE;
    const sf = u16(data, e + A.ERRLOG_STATUS);
    errors.push({
      error_count: jnum(u64(data, e + A.ERRLOG_COUNT)),
      sqid: u16(data, e + A.ERRLOG_SQID),
      cmdid: u16(data, e + A.ERRLOG_CID),
      status_field: sf >> 1,
      phase_tag: sf & A.ERRLOG_PHASE,
      parm_error_location: u16(data, e + A.ERRLOG_PARAM_LOC),
      lba: jnum(u64(data, e + A.ERRLOG_LBA)),
      nsid: u32(data, e + A.ERRLOG_NSID),
      vs: u8(data, e + A.ERRLOG_VS),
      trtype: u8(data, e + A.ERRLOG_TRTYPE),
      csi: u8(data, e + A.ERRLOG_CSI),
      opcode: u8(data, e + A.ERRLOG_OPCODE),
      cs: jnum(u64(data, e + A.ERRLOG_CS)),
      trtype_spec_info: u16(data, e + A.ERRLOG_TTSI),
      log_page_version: u8(data, e + A.ERRLOG_LPVER),
    });
  }
  return { errors };
}
