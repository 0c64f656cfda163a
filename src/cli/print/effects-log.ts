// `nvme effects-log` output: the Commands Supported and Effects log page (LID 05h) as nvme-cli
// master's stdout_effects_log_page prints it (Admin, Vendor Specific Admin, I/O and Vendor
// Specific I/O segments, one "ACS<opcode>[<name>] <effects>" line per supported command, the
// -H flag/CSER/CSE text), the json_effects_log_list array, and nvme_cmd_to_string's names.

import * as A from "../../../assembly/spec/admin";
import { u32 } from "./fmt";

/** nvme_cmd_to_string(admin, opcode). */
export { opcodeName as commandName } from "../../driver/names";
import { opcodeName as commandName } from "../../driver/names";

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
