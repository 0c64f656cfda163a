// `nvme get-feature` / `nvme set-feature` output: the "get-feature:0x07 (Number of Queues),
// Current value:0x001f001f" line of nvme-cli master's stdout_feature_show, the -H field
// decodings of stdout_feature_show_fields (FIDs 01h, 02h, 04h-0Bh, 16h including the Copy
// Descriptor Format Enable bits), the SEL=011b capability lines, a hexdump of the data buffer
// without -H, the set-feature line, and the JSON objects of json_feature_show(_fields).

import * as A from "../../../assembly/spec/admin";
import { u8, u16, hexPad, degrees, degreesF, kelvinToCelsius } from "./fmt";
import { hexdump } from "./hexdump";

const FEATURE_NAMES: Record<number, string> = {
  0x01: "Arbitration",
  0x02: "Power Management",
  0x03: "LBA Range Type",
  0x04: "Temperature Threshold",
  0x05: "Error Recovery",
  0x06: "Volatile Write Cache",
  0x07: "Number of Queues",
  0x08: "Interrupt Coalescing",
  0x09: "Interrupt Vector Configuration",
  0x0a: "Write Atomicity Normal",
  0x0b: "Async Event Configuration",
  0x0c: "Autonomous Power State Transition",
  0x0d: "Host Memory Buffer",
  0x0e: "Timestamp",
  0x0f: "Keep Alive Timer",
  0x10: "Host Controlled Thermal Management",
  0x11: "Non-Operational Power State Config",
  0x12: "Read Recovery Level",
  0x13: "Predictable Latency Mode Config",
  0x14: "Predictable Latency Mode Window",
  0x15: "LBA Status Interval",
  0x16: "Host Behavior",
  0x17: "Sanitize",
  0x18: "Endurance Event Group Configuration",
  0x19: "I/O Command Set Profile",
  0x1a: "Spinup Control",
  0x1b: "Power Loss Signaling Config",
  0x1c: "Performance Characteristics",
  0x1d: "Flexible Direct Placement",
  0x1e: "Flexible Direct Placement Events",
  0x1f: "Namespace Admin Label",
  0x20: "Key Value Configuration",
  0x21: "Controller Data Queue",
  0x78: "Embedded Management Controller Address",
  0x79: "Host Management Agent Address",
  0x7d: "Enhanced Controller Metadata",
  0x7e: "Controller Metadata",
  0x7f: "Namespace Metadata",
  0x80: "Software Progress",
  0x81: "Host Identifier",
  0x82: "Reservation Notification Mask",
  0x83: "Reservation Persistence",
  0x84: "Namespace Write Protect",
  0x85: "Boot Partition Write Protection Config",
};

/** nvme_feature_to_string. */
export function featureName(fid: number): string {
  return FEATURE_NAMES[fid] ?? "Unknown";
}

/** nvme_select_to_string. */
export function selectName(sel: number): string {
  return ({ 0: "Current", 1: "Default", 2: "Saved", 3: "Supported capabilities", 8: "Changed" } as Record<number, string>)[sel] ?? "Reserved";
}

function tempSelect(sel: number): string {
  return sel === 0 ? "Composite Temperature" : sel <= 8 ? `Temperature Sensor ${sel}` : "Reserved";
}

function tempType(t: number): string {
  return t === 0 ? "Over Temperature Threshold" : t === 1 ? "Under Temperature Threshold" : "Reserved";
}

function workloadHint(wh: number): string {
  return ["No Workload", "Extended Idle Period with a Burst of Random Writes", "Heavy Sequential Writes"][wh] ?? "Reserved";
}

const bit = (v: number, n: number) => (v >>> n) & 1;

/** Async Event Configuration lines, in nvme-cli's order: [label, bit or -1 for SMART 7:0]. */
const AEC_TEXT: Array<[string, number]> = [
  ["Discovery Log Page Change Notices", A.AEC_DLPCN_BIT],
  ["Host Discovery Log Page Change Notification", A.AEC_HDLPCN_BIT],
  ["AVE Discovery Log Page Change Notification", A.AEC_ADLPCN_BIT],
  ["Pull Model DDC Request Log Page Change Notification", A.AEC_PMDRLPCN_BIT],
  ["Zone Descriptor Changed Notices", A.AEC_ZDCN_BIT],
  ["Allocated Namespace Attribute Notices", A.AEC_ANSAN_BIT],
  ["Reachability Group", A.AEC_RGRP0_BIT],
  ["Reachability Association", A.AEC_RASSN_BIT],
  ["Temperature Threshold Hysteresis Recovery", A.AEC_TTHRY_BIT],
  ["Normal NVM Subsystem Shutdown", A.AEC_NNSSHDN_BIT],
  ["Endurance Group Event Aggregate Log Change Notices", A.AEC_EGA_BIT],
  ["LBA Status Information Notices", A.AEC_LBAS_BIT],
  ["Predictable Latency Event Aggregate Log Change Notices", A.AEC_PLA_BIT],
  ["Asymmetric Namespace Access Change Notices", A.AEC_ANA_BIT],
  ["Telemetry Log Notices", A.AEC_TELEM_BIT],
  ["Firmware Activation Notices", A.AEC_FW_BIT],
  ["Namespace Attribute Notices", 8],
  ["SMART / Health Critical Warnings", -1],
];

function aecSet(v: number, b: number): boolean {
  return b < 0 ? (v & A.AEC_SMART_MASK) !== 0 : bit(v, b) === 1;
}

/** Arbitration feature (FID 01h) fields: the weights are 0's based; AB 111b means no limit. */
function arbitration(v: number) {
  const ab = v & A.ARB_AB_MASK;
  return {
    hpw: ((v >>> A.ARB_HPW_SHIFT) & 0xff) + 1,
    mpw: ((v >>> A.ARB_MPW_SHIFT) & 0xff) + 1,
    lpw: ((v >>> A.ARB_LPW_SHIFT) & 0xff) + 1,
    burst: ab === A.ARB_AB_NO_LIMIT ? "No limit" : String(1 << ab),
  };
}

/** Temperature Threshold feature (FID 04h) fields: hysteresis and threshold in kelvin. */
function temperatureThreshold(v: number) {
  return {
    thh: (v >>> A.TEMP_TMPTHH_SHIFT) & A.TEMP_TMPTHH_MASK,
    thsel: (v >>> A.TEMP_THSEL_SHIFT) & 0x3,
    tmpsel: (v >>> A.TEMP_TMPSEL_SHIFT) & 0xf,
    tmpth: v & A.TEMP_TMPTH_MASK,
  };
}

function tempLine(k: number): string {
  return `${degrees(k)} (${k} K, ${degreesF(k)})`;
}

/** stdout_feature_show_fields: the -H decoding lines of one feature (each ends with "\n"). */
export function featureFields(fid: number, v: number, data?: Uint8Array): string {
  const o: string[] = [];
  switch (fid) {
    case A.FID_ARBITRATION: {
      const a = arbitration(v);
      o.push(`\tHigh Priority Weight   (HPW): ${a.hpw}`);
      o.push(`\tMedium Priority Weight (MPW): ${a.mpw}`);
      o.push(`\tLow Priority Weight    (LPW): ${a.lpw}`);
      o.push(`\tArbitration Burst       (AB): ${a.burst}`);
      break;
    }
    case A.FID_POWER_MANAGEMENT: {
      const wh = (v >>> A.PM_WH_SHIFT) & A.PM_WH_MASK;
      o.push(`\tWorkload Hint (WH): ${wh} - ${workloadHint(wh)}`);
      o.push(`\tPower State   (PS): ${v & A.PM_PS_MASK}`);
      break;
    }
    case A.FID_TEMPERATURE_THRESHOLD: {
      const { thh, thsel, tmpsel, tmpth } = temperatureThreshold(v);
      o.push(`\tTemperature Threshold Hysteresis(TMPTHH): ${tempLine(thh)}`);
      o.push(`\tThreshold Type Select         (THSEL): ${thsel} - ${tempType(thsel)}`);
      o.push(`\tThreshold Temperature Select (TMPSEL): ${tmpsel} - ${tempSelect(tmpsel)}`);
      o.push(`\tTemperature Threshold         (TMPTH): ${tempLine(tmpth)}`);
      break;
    }
    case A.FID_ERROR_RECOVERY:
      o.push(`\tDeallocated or Unwritten Logical Block Error Enable (DULBE): ${v & A.ERR_REC_DULBE ? "Enabled" : "Disabled"}`);
      o.push(`\tTime Limited Error Recovery                          (TLER): ${(v & A.ERR_REC_TLER_MASK) * 100} ms`);
      break;
    case A.FID_VOLATILE_WRITE_CACHE:
      o.push(`\tVolatile Write Cache Enable (WCE): ${v & A.VWC_WCE ? "Enabled" : "Disabled"}`);
      break;
    case A.FID_NUMBER_OF_QUEUES:
      o.push(`\tNumber of IO Completion Queues Allocated (NCQA): ${(v >>> A.NUMQ_NCQR_SHIFT) + 1}`);
      o.push(`\tNumber of IO Submission Queues Allocated (NSQA): ${(v & 0xffff) + 1}`);
      break;
    case A.FID_INTERRUPT_COALESCING:
      o.push(`\tAggregation Time     (TIME): ${((v >>> A.IRQC_TIME_SHIFT) & 0xff) * 100} usec`);
      o.push(`\tAggregation Threshold (THR): ${(v & A.IRQC_THR_MASK) + 1}`);
      break;
    case A.FID_INTERRUPT_VECTOR_CONFIG:
      o.push(`\tCoalescing Disable (CD): ${v & A.IVC_CD ? "True" : "False"}`);
      o.push(`\tInterrupt Vector   (IV): ${v & A.IVC_IV_MASK}`);
      break;
    case A.FID_WRITE_ATOMICITY:
      o.push(`\tDisable Normal (DN): ${v & A.WAN_DN ? "True" : "False"}`);
      break;
    case A.FID_ASYNC_EVENT_CONFIG:
      for (const [label, b] of AEC_TEXT) {
        o.push(`\t${label.padEnd(58, " ")}: ${aecSet(v, b) ? "Send async event" : "Do not send async event"}`);
      }
      break;
    case A.FID_HOST_BEHAVIOR_SUPPORT:
      if (data) {
        const tf = (x: number) => (x ? "True" : "False");
        const cdfe = u16(data, A.HBS_CDFE);
        o.push(`\tAdvanced Command Retry Enable (ACRE)                    : ${tf(u8(data, A.HBS_ACRE))}`);
        o.push(`\tExtended Telemetry Data Area 4 Supported (ETDAS)        : ${tf(u8(data, A.HBS_ETDAS))}`);
        o.push(`\tLBA Format Extension Enable (LBAFEE)                    : ${tf(u8(data, A.HBS_LBAFEE))}`);
        o.push(`\tHost Dispersed Namespace Support (HDISNS)               : ${u8(data, A.HBS_HDISNS) ? "Enabled" : "Disabled"}`);
        o.push(`\tCopy Descriptor Format 2h Enabled (CDF2E)               : ${tf(cdfe & (1 << 2))}`);
        o.push(`\tCopy Descriptor Format 3h Enabled (CDF3E)               : ${tf(cdfe & (1 << 3))}`);
        o.push(`\tCopy Descriptor Format 4h Enabled (CDF4E)               : ${tf(cdfe & (1 << 4))}`);
      }
      break;
    default:
      break;
  }
  return o.map((l) => l + "\n").join("");
}

/** stdout_select_result: the SEL=011b capability lines. */
function selectResult(v: number): string {
  let s = "";
  if (v & A.FEAT_CAP_SAVEABLE) s += "  Feature is saveable\n";
  if (v & A.FEAT_CAP_NS_SPECIFIC) s += "  Feature is per-namespace\n";
  if (v & A.FEAT_CAP_CHANGEABLE) s += "  Feature is changeable\n";
  return s;
}

/**
 * `nvme get-feature` text (nvme-cli master stdout_feature_show), ending with a newline:
 * the value line, then the SEL=3 capabilities, or the -H fields, or a hexdump of data.
 */
export function getFeatureLine(fid: number, sel: number, dw0: number, data?: Uint8Array, opts: { human?: boolean } = {}): string {
  const v = dw0 >>> 0;
  let s = `get-feature:${hexPad(fid, fid ? 4 : 2)} (${featureName(fid)}), ${selectName(sel)} value:${hexPad(v, v ? 10 : 8)}\n`;
  if (sel === A.FEAT_SEL_SUPPORTED) s += selectResult(v);
  else if (opts.human) s += featureFields(fid, v, data);
  else if (data) s += hexdump(data);
  return s;
}

/** `nvme set-feature` success line, ending with a newline (plus a hexdump of data, if any). */
export function setFeatureLine(fid: number, value: number | bigint, cdw12: number, save: boolean, data?: Uint8Array): string {
  const v = typeof value === "bigint" ? value : BigInt(value >>> 0);
  const c = cdw12 >>> 0;
  let s = `set-feature:${hexPad(fid, fid ? 4 : 2)} (${featureName(fid)}), value:${hexPad(v, v ? 10 : 8)}, cdw12:${hexPad(c, c ? 10 : 8)}, save:${save ? "0x1" : "0"}\n`;
  if (data) s += hexdump(data);
  return s;
}

/** nvme_degrees_string in JSON mode: "40 Celsius". */
function jsonDegrees(k: number): string {
  return `${kelvinToCelsius(k)} Celsius`;
}

/** json_feature_show_fields: the decoded object for one feature. */
export function featureFieldsJson(fid: number, v: number, data?: Uint8Array): Record<string, unknown> {
  const r: Record<string, unknown> = {};
  switch (fid) {
    case A.FID_ARBITRATION: {
      const a = arbitration(v);
      r["High Priority Weight (HPW)"] = a.hpw;
      r["Medium Priority Weight (MPW)"] = a.mpw;
      r["Low Priority Weight (LPW)"] = a.lpw;
      r["Arbitration Burst (AB)"] = a.burst;
      break;
    }
    case A.FID_POWER_MANAGEMENT: {
      const wh = (v >>> A.PM_WH_SHIFT) & A.PM_WH_MASK;
      r["Workload Hint (WH)"] = wh;
      r["WH description"] = workloadHint(wh);
      r["Power State (PS)"] = v & A.PM_PS_MASK;
      break;
    }
    case A.FID_TEMPERATURE_THRESHOLD: {
      const { thh, thsel, tmpsel, tmpth } = temperatureThreshold(v);
      r["Temperature Threshold Hysteresis (TMPTHH)"] = jsonDegrees(thh);
      r["TMPTHH kelvin"] = `${thh} K`;
      r["Threshold Type Select (THSEL)"] = thsel;
      r["THSEL description"] = tempType(thsel);
      r["Threshold Temperature Select (TMPSEL)"] = tmpsel;
      r["TMPSEL description"] = tempSelect(tmpsel);
      r["Temperature Threshold (TMPTH)"] = jsonDegrees(tmpth);
      r["TMPTH kelvin"] = `${tmpth} K`;
      break;
    }
    case A.FID_ERROR_RECOVERY:
      r["Deallocated or Unwritten Logical Block Error Enable (DULBE)"] = v & A.ERR_REC_DULBE ? "Enabled" : "Disabled";
      r["Time Limited Error Recovery (TLER)"] = `${(v & A.ERR_REC_TLER_MASK) * 100} ms`;
      break;
    case A.FID_VOLATILE_WRITE_CACHE:
      r["Volatile Write Cache Enable (WCE)"] = v & A.VWC_WCE ? "Enabled" : "Disabled";
      break;
    case A.FID_NUMBER_OF_QUEUES:
      r["Number of IO Completion Queues Allocated (NCQA)"] = (v >>> A.NUMQ_NCQR_SHIFT) + 1;
      r["Number of IO Submission Queues Allocated (NSQA)"] = (v & 0xffff) + 1;
      break;
    case A.FID_INTERRUPT_COALESCING:
      r["Aggregation Time (TIME)"] = `${((v >>> A.IRQC_TIME_SHIFT) & 0xff) * 100} usec`;
      r["Aggregation Threshold (THR)"] = (v & A.IRQC_THR_MASK) + 1;
      break;
    case A.FID_INTERRUPT_VECTOR_CONFIG:
      r["Coalescing Disable (CD)"] = v & A.IVC_CD ? "True" : "False";
      r["Interrupt Vector (IV)"] = v & A.IVC_IV_MASK;
      break;
    case A.FID_WRITE_ATOMICITY:
      r["Disable Normal (DN)"] = v & A.WAN_DN ? "True" : "False";
      break;
    case A.FID_ASYNC_EVENT_CONFIG:
      // The JSON printer has no Allocated Namespace Attribute / Hysteresis Recovery keys.
      for (const [label, b] of AEC_TEXT) {
        if (b === A.AEC_ANSAN_BIT || b === A.AEC_TTHRY_BIT) continue;
        r[label] = aecSet(v, b) ? "Send async event" : "Do not send async event";
      }
      break;
    case A.FID_HOST_BEHAVIOR_SUPPORT:
      if (data) {
        const tf = (x: number) => (x ? "True" : "False");
        const cdfe = u16(data, A.HBS_CDFE);
        r["Host Behavior Support"] = tf(u8(data, 0) & 1);
        r["Advanced Command Retry Enable (ACRE)"] = tf(u8(data, A.HBS_ACRE));
        r["Extended Telemetry Data Area 4 Supported (ETDAS)"] = tf(u8(data, A.HBS_ETDAS));
        r["LBA Format Extension Enable (LBAFEE)"] = tf(u8(data, A.HBS_LBAFEE));
        r["Host Dispersed Namespace Support (HDISNS)"] = u8(data, A.HBS_HDISNS) ? "Enabled" : "Disabled";
        r["Copy Descriptor Format 2h Enable (CDF2E)"] = tf(cdfe & (1 << 2));
        r["Copy Descriptor Format 3h Enable (CDF3E)"] = tf(cdfe & (1 << 3));
        r["Copy Descriptor Format 4h Enable (CDF4E)"] = tf(cdfe & (1 << 4));
      }
      break;
    default:
      break;
  }
  return r;
}

/**
 * `nvme get-feature -o json` object: {"feature: 0x07":[{name, <Select>: "0x..."}]} followed by
 * "Feature: 0x07: select" (SEL=3) or "Feature: 0x07" with the decoded fields.
 */
export function getFeatureJson(fid: number, sel: number, dw0: number, data?: Uint8Array): Record<string, unknown> {
  const v = dw0 >>> 0;
  const id = hexPad(fid, fid ? 4 : 2);
  const r: Record<string, unknown> = {
    [`feature: ${id}`]: [{ name: featureName(fid), [selectName(sel)]: hexPad(v, v ? 10 : 8) }],
  };
  if (sel === A.FEAT_SEL_SUPPORTED) {
    const caps: string[] = [];
    if (v & A.FEAT_CAP_SAVEABLE) caps.push("saveable");
    if (v & A.FEAT_CAP_NS_SPECIFIC) caps.push("per-namespace");
    if (v & A.FEAT_CAP_CHANGEABLE) caps.push("changeable");
    r[`Feature: ${id}: select`] = caps;
  } else {
    r[`Feature: ${id}`] = [featureFieldsJson(fid, v, data)];
  }
  return r;
}
