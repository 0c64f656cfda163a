// `nvme effects-log` output: the Commands Supported and Effects log page (LID 05h) as nvme-cli
// master's stdout_effects_log_page prints it (Admin, Vendor Specific Admin, I/O and Vendor
// Specific I/O segments, one "ACS<opcode>[<name>] <effects>" line per supported command, the
// -H flag/CSER/CSE text), the json_effects_log_list array, and nvme_cmd_to_string's names.

import * as A from "../../../assembly/spec/admin";
import * as O from "../../../assembly/spec/opcodes";
import { u32 } from "./fmt";

const ADMIN_NAMES: Record<number, string> = {
  [O.ADMIN_DELETE_SQ]: "Delete I/O Submission Queue",
  [O.ADMIN_CREATE_SQ]: "Create I/O Submission Queue",
  [O.ADMIN_GET_LOG_PAGE]: "Get Log Page",
  [O.ADMIN_DELETE_CQ]: "Delete I/O Completion Queue",
  [O.ADMIN_CREATE_CQ]: "Create I/O Completion Queue",
  [O.ADMIN_IDENTIFY]: "Identify",
  [O.ADMIN_ABORT]: "Abort",
  [O.ADMIN_SET_FEATURES]: "Set Features",
  [O.ADMIN_GET_FEATURES]: "Get Features",
  [O.ADMIN_ASYNC_EVENT_REQUEST]: "Asynchronous Event Request",
  0x0d: "Namespace Management",
  0x10: "Firmware Commit",
  0x11: "Firmware Image Download",
  0x14: "Device Self-test",
  0x15: "Namespace Attachment",
  [O.ADMIN_KEEP_ALIVE]: "Keep Alive",
  0x19: "Directive Send",
  0x1a: "Directive Receive",
  0x1c: "Virtualization Management",
  0x1d: "NVMe-MI Send",
  0x1e: "NVMe-MI Receive",
  0x20: "Capacity Management",
  0x21: "Discovery Information Management (DIM)",
  0x22: "Fabric Zoning Receive",
  0x24: "Lockdown",
  0x25: "Fabric Zoning Lookup",
  0x28: "Clear Exported NVM Resource Configuration",
  0x29: "Fabric Zoning Send",
  0x2a: "Create Exported NVM Subsystem",
  0x2d: "Manage Exported NVM Subsystem",
  0x31: "Manage Exported Namespace",
  0x35: "Manage Exported Port",
  0x39: "Send Discovery Log Page",
  0x3d: "Track Send",
  0x3e: "Track Receive",
  0x41: "Migration Send",
  0x42: "Migration Receive",
  0x45: "Controller Data Queue",
  0x7c: "Doorbell Buffer Config",
  0x7f: "Fabrics Commands",
  0x80: "Format NVM",
  0x81: "Security Send",
  0x82: "Security Receive",
  0x84: "Sanitize",
  0x85: "Load Program",
  0x86: "Get LBA Status",
  0x88: "Program Activation Management",
  0x89: "Memory Range Set Management",
};

const IO_NAMES: Record<number, string> = {
  [O.NVM_FLUSH]: "Flush",
  [O.NVM_WRITE]: "Write",
  [O.NVM_READ]: "Read",
  [O.NVM_WRITE_UNCORRECTABLE]: "Write Uncorrectable",
  [O.NVM_COMPARE]: "Compare",
  [O.NVM_WRITE_ZEROES]: "Write Zeroes",
  [O.NVM_DATASET_MANAGEMENT]: "Dataset Management",
  0x0d: "Reservation Register",
  0x0e: "Reservation Report",
  0x11: "Reservation Acquire",
  0x15: "Reservation Release",
  0x18: "Cancel",
  [O.NVM_VERIFY]: "Verify",
  [O.NVM_COPY]: "Copy",
  0x79: "Zone Management Send",
  0x7a: "Zone Management Receive",
  0x7d: "Zone Append",
};

/** nvme_cmd_to_string(admin, opcode). */
export function commandName(admin: boolean, opcode: number): string {
  return (admin ? ADMIN_NAMES : IO_NAMES)[opcode] ?? "Unknown";
}

function csiHeader(csi: number): string {
  switch (csi) {
    case 0: return "NVM Command Set Log Page";
    case 1: return "KV Command Set Log Page";
    case 2: return "ZNS Command Set Log Page";
    default: return "Unknown Command Set Log Page";
  }
}

function humanEffects(e: number): string {
  const f = (bit: number) => (e & bit ? "+" : "-");
  let s = `  CSUPP+  LBCC${f(A.EFFECT_LBCC)}  NCC${f(A.EFFECT_NCC)}  NIC${f(A.EFFECT_NIC)}  CCC${f(A.EFFECT_CCC)}  USS${f(A.EFFECT_USS)}`;
  const cser = (e >>> A.EFFECT_CSER_SHIFT) & A.EFFECT_CSER_MASK;
  s += cser === 0 ? "  No CSER defined\n" : cser === 1 ? "  No admin command for any namespace\n" : "  Reserved CSER\n";
  const cse = (e >>> A.EFFECT_CSE_SHIFT) & A.EFFECT_CSE_MASK;
  s += cse === 0 ? "  No command restriction\n" : cse === 1 ? "  No other command for same namespace\n"
    : cse === 2 ? "  No other command for any namespace\n" : "  Reserved CSE\n";
  return s;
}

function segment(data: Uint8Array, admin: boolean, from: number, to: number, header: string, human: boolean): string {
  let out = "";
  let printed = false;
  const base = admin ? A.EFFECTS_ACS : A.EFFECTS_IOCS;
  for (let op = from; op < to; op++) {
    const e = u32(data, base + op * 4);
    if (!(e & A.EFFECT_CSUPP)) continue;
    if (!printed) { out += header + "\n"; printed = true; }
    const name = commandName(admin, op).padEnd(32, " ");
    const eff = e.toString(16).padStart(8, "0");
    out += admin ? `ACS${String(op).padEnd(6, " ")}[${name}] ${eff}` : `IOCS${String(op).padEnd(5, " ")}[${name}] ${eff}`;
    out += human ? humanEffects(e) : "\n";
  }
  if (printed) out += "\n";
  return out;
}

/** `nvme effects-log` text for one command set's page, ending as nvme-cli ends it. */
export function effectsLogText(data: Uint8Array, opts: { human?: boolean; csi?: number } = {}): string {
  const human = opts.human ?? false;
  let out = csiHeader(opts.csi ?? 0) + "\n" + "-".repeat(80) + "\n";
  out += segment(data, true, 0, 0xbf, "Admin Commands", human);
  out += segment(data, true, 0xc0, 0xff, "Vendor Specific Admin Commands", human);
  out += segment(data, false, 0, 0x80, "I/O Commands", human);
  out += segment(data, false, 0x80, 0x100, "Vendor Specific I/O Commands", human);
  return out;
}

/** `nvme effects-log -o json`: an array with one object per command set (json_effects_log_list). */
export function effectsLogJson(data: Uint8Array, csi = 0): Array<Record<string, unknown>> {
  const acs: Record<string, number> = {};
  const iocs: Record<string, number> = {};
  for (let op = 0; op < 256; op++) {
    const a = u32(data, A.EFFECTS_ACS + op * 4);
    if (a & A.EFFECT_CSUPP) acs[`ACS_${op} (${commandName(true, op)})`] = a;
  }
  for (let op = 0; op < 256; op++) {
    const e = u32(data, A.EFFECTS_IOCS + op * 4);
    if (e & A.EFFECT_CSUPP) iocs[`IOCS_${op} (${commandName(false, op)})`] = e;
  }
  return [{ command_set_identifier: csi, admin_cmd_set: acs, io_cmd_set: iocs }];
}
