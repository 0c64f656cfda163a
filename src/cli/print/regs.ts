// `nvme show-regs` output: the controller registers of BAR0 as nvme-cli 2.x prints them (the
// 2.x series after the show-regs rework: nvme-print-stdout.c stdout_ctrl_registers at commit
// 1494a4d9, nvme-print-json.c json_ctrl_registers of the same series, binary_ctrl_registers).
//
// Text: every controller register from CAP to PMRMSCU in offset order (nvme.c
// nvme_is_ctrl_reg, stepping by get_reg_size), each as "%-8s: %#llx" with the name of
// nvme_register_symbol_to_string; -H adds the field lines of stdout_ctrl_register_human after
// each register. Nothing is skipped on a PCIe controller: an unsupported CMB only changes the
// CMBLOC/CMBSZ decodings ("feature is not supported"), PMRCTL.EN only the PMRSTS NRDY line.
// JSON: one member per register (json-c int for 32-bit ones, so bit 31 set prints negative,
// uint64 for the 64-bit ones, uint for PMRMSCL/U); -H gives each register an array holding one
// object of decoded fields (json_registers_*). The strings and their quirks (the PMRSWTV value
// taken from the units nibble by libnvme's NVME_PMRSWTP_PMRSWTV, "(IVMC)" labelled "Set", AMS
// tested with bit 0 in text but bit 1 in JSON) are nvme-cli's. Pure functions over a snapshot
// of the registers.

import { NvmeJson } from "./json";
import * as R from "../../../assembly/spec/regs";

/** Bytes of BAR0 nvme-cli reads: 0000h to 0E1Bh (binary_ctrl_registers' reg_size). */
export const REGS_SIZE = 0x0e1c;

// Register offsets: the one register map (assembly/spec/regs.ts, NVMe Base 2.1 §3.1.4), in
// libnvme's short names.
const {
  REG_CAP: CAP, REG_VS: VS, REG_INTMS: INTMS, REG_INTMC: INTMC, REG_CC: CC, REG_CSTS: CSTS, REG_NSSR: NSSR,
  REG_AQA: AQA, REG_ASQ: ASQ, REG_ACQ: ACQ, REG_CMBLOC: CMBLOC, REG_CMBSZ: CMBSZ, REG_BPINFO: BPINFO,
  REG_BPRSEL: BPRSEL, REG_BPMBL: BPMBL, REG_CMBMSC: CMBMSC, REG_CMBSTS: CMBSTS, REG_CMBEBS: CMBEBS,
  REG_CMBSWTP: CMBSWTP, REG_NSSD: NSSD, REG_CRTO: CRTO, REG_PMRCAP: PMRCAP, REG_PMRCTL: PMRCTL,
  REG_PMRSTS: PMRSTS, REG_PMREBS: PMREBS, REG_PMRSWTP: PMRSWTP, REG_PMRMSCL: PMRMSCL, REG_PMRMSCU: PMRMSCU,
} = R;

/** nvme_is_ctrl_reg's registers with nvme_register_symbol_to_string's names, in offset order. */
const REGS: Array<[number, string]> = [
  [CAP, "cap"], [VS, "version"], [INTMS, "intms"], [INTMC, "intmc"], [CC, "cc"], [CSTS, "csts"],
  [NSSR, "nssr"], [AQA, "aqa"], [ASQ, "asq"], [ACQ, "acq"], [CMBLOC, "cmbloc"], [CMBSZ, "cmbsz"],
  [BPINFO, "bpinfo"], [BPRSEL, "bprsel"], [BPMBL, "bpmbl"], [CMBMSC, "cmbmsc"], [CMBSTS, "cmbsts"],
  [CMBEBS, "cmbebs"], [CMBSWTP, "cmbswtp"], [NSSD, "nssd"], [CRTO, "crto"], [PMRCAP, "pmrcap"],
  [PMRCTL, "pmrctl"], [PMRSTS, "pmrsts"], [PMREBS, "pmrebs"], [PMRSWTP, "pmrswtp"],
  [PMRMSCL, "pmrmscl"], [PMRMSCU, "pmrmscu"],
];

/** libnvme nvme_is_64bit_reg (PMRMSC is read as its two 32-bit halves). */
function is64(off: number): boolean {
  return off === CAP || off === ASQ || off === ACQ || off === BPMBL || off === CMBMSC;
}

function rd32(bar: Uint8Array, off: number): number {
  return new DataView(bar.buffer, bar.byteOffset, bar.byteLength).getUint32(off, true);
}

function rd64(bar: Uint8Array, off: number): bigint {
  return new DataView(bar.buffer, bar.byteOffset, bar.byteLength).getBigUint64(off, true);
}

/** Bits [shift, shift+width) of v (libnvme NVME_GET). */
function bits(v: number, shift: number, width: number): number {
  return Math.floor(v / 2 ** shift) % 2 ** width;
}

function bits64(v: bigint, shift: number, width: number): bigint {
  return (v >> BigInt(shift)) & ((1n << BigInt(width)) - 1n);
}

/** C "%x" / "%llx". */
const x = (v: number | bigint): string => v.toString(16);
/** C "%#x" / "%#llx": "0" for zero. */
const nx = (v: number | bigint): string => (v === 0 || v === 0n ? "0" : "0x" + v.toString(16));
const sup = (v: number | bigint, s = "Supported", n = "Not supported"): string => (v ? s : n);

/** nvme_register_szu_to_string. */
function szu(v: number): string {
  return ["4 KB", "64 KB", "1 MB", "16 MB", "256 MB", "4 GB", "64 GB"][v] ?? "Reserved";
}

/** nvme_register_unit_to_string (NVME_UNIT_B .. NVME_UNIT_1G). */
function unit(v: number): string {
  return ["Bytes", "One KB", "One MB", "One GB"][v] ?? "Reserved";
}

/** nvme_register_pmr_hsts_to_string. */
function hsts(v: number): string {
  return ["Normal Operation", "Restore Error", "Read Only", "Unreliable"][v] ?? "Reserved";
}

function ccShn(v: number): string {
  return ["No notification; no effect", "Normal shutdown notification", "Abrupt shutdown notification"][v] ?? "Reserved";
}

function ccAms(v: number): string {
  return v === 0 ? "Round Robin" : v === 1 ? "Weighted Round Robin with Urgent Priority Class" : v === 7 ? "Vendor Specific" : "Reserved";
}

function ccCss(v: number): string {
  return v === 0 ? "NVM Command Set" : v === 6 ? "All supported I/O Command Sets" : v === 7 ? "Admin Command Set only" : "Reserved";
}

function cstsShst(v: number): string {
  return ["Normal operation (no shutdown has been requested)", "Shutdown processing occurring", "Shutdown processing complete"][v] ?? "Reserved";
}

function bpinfoBrs(v: number): string {
  return ["No Boot Partition read operation requested", "Boot Partition read in progress",
    "Boot Partition read completed successfully", "Error completing Boot Partition read"][v] ?? "Invalid";
}

function cps(v: number): string {
  return ["Not Reported", "Controller scope", "Domain scope"][v] ?? "NVM subsystem scope";
}

/** The fields of CAP (struct nvme_bar_cap's bit-fields, which match Base 2.1 Figure 36). */
function capFields(cap: bigint) {
  const lo = Number(cap & 0xffffffffn);
  const hi = Number(cap >> 32n);
  return {
    mqes: bits(lo, 0, 16), cqr: bits(lo, 16, 1), ams: bits(lo, 17, 2), to: bits(lo, 24, 8),
    dstrd: bits(hi, 0, 4), nssrs: bits(hi, 4, 1), css: bits(hi, 5, 8), bps: bits(hi, 13, 1), cps: bits(hi, 14, 2),
    mpsmin: bits(hi, 16, 4), mpsmax: bits(hi, 20, 4), pmrs: bits(hi, 24, 1), cmbs: bits(hi, 25, 1),
    nsss: bits(hi, 26, 1), crwms: bits(hi, 27, 1), crims: bits(hi, 28, 1), nsses: bits(hi, 29, 1),
  };
}

// ---- text (stdout_registers_*) ----

function capText(cap: bigint): string[] {
  const c = capFields(cap);
  const s = (v: number) => sup(v, "Supported", "Not Supported");
  return [
    `\tNVM Subsystem Shutdown Enhancements Supported (NSSES): ${s(c.nsses)}`,
    `\tController Ready With Media Support (CRWMS): ${s(c.crwms)}`,
    `\tController Ready Independent of Media Support (CRIMS): ${s(c.crims)}`,
    `\tNVM Subsystem Shutdown Supported   (NSSS): ${s(c.nsss)}`,
    `\tController Memory Buffer Supported (CMBS): The Controller Memory Buffer is ${s(c.cmbs)}`,
    `\tPersistent Memory Region Supported (PMRS): The Persistent Memory Region is ${s(c.pmrs)}`,
    `\tMemory Page Size Maximum         (MPSMAX): ${2 ** (12 + c.mpsmax)} bytes`,
    `\tMemory Page Size Minimum         (MPSMIN): ${2 ** (12 + c.mpsmin)} bytes`,
    `\tController Power Scope              (CPS): ${cps(c.cps)}`,
    `\tBoot Partition Support              (BPS): ${c.bps ? "Yes" : "No"}`,
    `\tCommand Sets Supported              (CSS): NVM command set is ${s(c.css & 0x01)}`,
    `\t${" ".repeat(43)}One or more I/O Command Sets are ${s(c.css & 0x40)}`,
    `\t${" ".repeat(43)}${c.css & 0x80 ? "Only Admin Command Set Supported" : "I/O Command Set is Supported"}`,
    `\tNVM Subsystem Reset Supported     (NSSRS): ${c.nssrs ? "Yes" : "No"}`,
    `\tDoorbell Stride                   (DSTRD): ${2 ** (2 + c.dstrd)} bytes`,
    `\tTimeout                              (TO): ${c.to * 500} ms`,
    `\tArbitration Mechanism Supported     (AMS): Weighted Round Robin with Urgent Priority Class is ${sup(c.ams & 0x01)}`,
    `\tContiguous Queues Required          (CQR): ${c.cqr ? "Yes" : "No"}`,
    `\tMaximum Queue Entries Supported    (MQES): ${c.mqes + 1}`,
    "",
  ];
}

function ccText(cc: number): string[] {
  return [
    `\tController Ready Independent of Media Enable (CRIME): ${bits(cc, 24, 1) ? "Enabled" : "Disabled"}`,
    `\tI/O Completion Queue Entry Size (IOCQES): ${2 ** bits(cc, 20, 4)} bytes`,
    `\tI/O Submission Queue Entry Size (IOSQES): ${2 ** bits(cc, 16, 4)} bytes`,
    `\tShutdown Notification              (SHN): ${ccShn(bits(cc, 14, 2))}`,
    `\tArbitration Mechanism Selected     (AMS): ${ccAms(bits(cc, 11, 3))}`,
    `\tMemory Page Size                   (MPS): ${2 ** (12 + bits(cc, 7, 4))} bytes`,
    `\tI/O Command Set Selected           (CSS): ${ccCss(bits(cc, 4, 3))}`,
    `\tEnable                              (EN): ${bits(cc, 0, 1) ? "Yes" : "No"}`,
    "",
  ];
}

function cstsText(v: number): string[] {
  return [
    `\tShutdown Type                   (ST): ${bits(v, 6, 1) ? "Subsystem" : "Controller"}`,
    `\tProcessing Paused               (PP): ${bits(v, 5, 1) ? "Yes" : "No"}`,
    `\tNVM Subsystem Reset Occurred (NSSRO): ${bits(v, 4, 1) ? "Yes" : "No"}`,
    `\tShutdown Status               (SHST): ${cstsShst(bits(v, 2, 2))}`,
    `\tController Fatal Status        (CFS): ${bits(v, 1, 1) ? "True" : "False"}`,
    `\tReady                          (RDY): ${bits(v, 0, 1) ? "Yes" : "No"}`,
    "",
  ];
}

function cmblocText(v: number, support: boolean): string[] {
  if (!support) return ["\tController Memory Buffer feature is not supported", ""];
  const enforced = (b: number) => (b ? "Not Enforced" : "Enforced");
  return [
    `\tOffset                                                        (OFST): ${nx(bits(v, 12, 20))} (See cmbsz.szu for granularity)`,
    `\tCMB Queue Dword Alignment                                     (CQDA): ${bits(v, 8, 1)}`,
    `\tCMB Data Metadata Mixed Memory Support                      (CDMMMS): ${enforced(bits(v, 7, 1))}`,
    `\tCMB Data Pointer and Command Independent Locations Support (CDPCILS): ${enforced(bits(v, 6, 1))}`,
    `\tCMB Data Pointer Mixed Locations Support                    (CDPMLS): ${enforced(bits(v, 5, 1))}`,
    `\tCMB Queue Physically Discontiguous Support                   (CQPDS): ${enforced(bits(v, 4, 1))}`,
    `\tCMB Queue Mixed Memory Support                               (CQMMS): ${enforced(bits(v, 3, 1))}`,
    `\tBase Indicator Register                                        (BIR): ${nx(bits(v, 0, 3))}`,
    "",
  ];
}

function cmbszText(v: number): string[] {
  if (!v) return ["\tController Memory Buffer feature is not supported", ""];
  const s = (b: number) => sup(b);
  return [
    `\tSize                      (SZ): ${bits(v, 12, 20)}`,
    `\tSize Units               (SZU): ${szu(bits(v, 8, 4))}`,
    `\tWrite Data Support       (WDS): Write Data and metadata transfer in Controller Memory Buffer is ${s(bits(v, 4, 1))}`,
    `\tRead Data Support        (RDS): Read Data and metadata transfer in Controller Memory Buffer is ${s(bits(v, 3, 1))}`,
    `\tPRP SGL List Support   (LISTS): PRP/SG Lists in Controller Memory Buffer is ${s(bits(v, 2, 1))}`,
    `\tCompletion Queue Support (CQS): Admin and I/O Completion Queues in Controller Memory Buffer is ${s(bits(v, 1, 1))}`,
    `\tSubmission Queue Support (SQS): Admin and I/O Submission Queues in Controller Memory Buffer is ${s(bits(v, 0, 1))}`,
    "",
  ];
}

/** stdout_ctrl_register_human: the lines after "name    : value" with -H. */
function humanText(off: number, v: bigint, support: boolean): string[] {
  const w = Number(v & 0xffffffffn);
  switch (off) {
    case CAP: return capText(v);
    case VS: return [`\tNVMe specification ${bits(w, 16, 16)}.${bits(w, 8, 8)}.${bits(w, 0, 8)}`, ""];
    case INTMS: return [`\tInterrupt Vector Mask Set (IVMS): ${nx(v)}`, ""];
    case INTMC: return [`\tInterrupt Vector Mask Clear (IVMC): ${nx(v)}`, ""];
    case CC: return ccText(w);
    case CSTS: return cstsText(w);
    case NSSR: return [`\tNVM Subsystem Reset Control (NSSRC): ${v}`, ""];
    case AQA: return [`\tAdmin Completion Queue Size (ACQS): ${bits(w, 16, 12) + 1}`, `\tAdmin Submission Queue Size (ASQS): ${bits(w, 0, 12) + 1}`, ""];
    case ASQ: return [`\tAdmin Submission Queue Base (ASQB): ${x(bits64(v, 12, 52))}`];
    case ACQ: return [`\tAdmin Completion Queue Base (ACQB): ${x(bits64(v, 12, 52))}`];
    case CMBLOC: return cmblocText(w, support);
    case CMBSZ: return cmbszText(w);
    case BPINFO: return [
      `\tActive Boot Partition ID      (ABPID): ${bits(w, 31, 1)}`,
      `\tBoot Read Status                (BRS): ${bpinfoBrs(bits(w, 24, 2))}`,
      `\tBoot Partition Size            (BPSZ): ${bits(w, 0, 15)}`,
    ];
    case BPRSEL: return [
      `\tBoot Partition Identifier      (BPID): ${bits(w, 31, 1)}`,
      `\tBoot Partition Read Offset    (BPROF): ${x(bits(w, 10, 20))}`,
      `\tBoot Partition Read Size      (BPRSZ): ${x(bits(w, 0, 10))}`,
    ];
    case BPMBL: return [`\tBoot Partition Memory Buffer Base Address (BMBBA): ${x(bits64(v, 12, 52))}`];
    case CMBMSC: return [
      `\tController Base Address         (CBA): ${x(bits64(v, 12, 52))}`,
      `\tController Memory Space Enable (CMSE): ${x(bits64(v, 1, 1))}`,
      `\tCapabilities Registers Enabled  (CRE): CMBLOC and CMBSZ registers are ${bits64(v, 0, 1) ? "" : "NOT "}enabled`,
      "",
    ];
    case CMBSTS: return [`\tController Base Address Invalid (CBAI): ${x(bits(w, 0, 1))}`, ""];
    case CMBEBS: return [
      `\tCMB Elasticity Buffer Size Base  (CMBWBZ): ${nx(bits(w, 8, 24))}`,
      "\tRead Bypass Behavior                     : memory reads not conflicting with memory writes in the CMB Elasticity Buffer "
        + `${bits(w, 4, 1) ? "SHALL" : "MAY"} bypass those memory writes`,
      `\tCMB Elasticity Buffer Size Units (CMBSZU): ${unit(bits(w, 0, 4))}`,
      "",
    ];
    case CMBSWTP: return [
      `\tCMB Sustained Write Throughput       (CMBSWTV): ${nx(bits(w, 8, 24))}`,
      `\tCMB Sustained Write Throughput Units (CMBSWTU): ${unit(bits(w, 0, 4))}/second`,
      "",
    ];
    case NSSD: return [`\tNVM Subsystem Shutdown Control (NSSC): ${nx(w)}`, ""];
    case CRTO: return [
      `\tCRIMT                               : ${Math.trunc(bits(w, 16, 16) / 2)} secs`,
      `\tCRWMT                               : ${Math.trunc(bits(w, 0, 16) / 2)} secs`,
    ];
    case PMRCAP: return [
      `\tController Memory Space Supported                   (CMSS): Referencing PMR with host supplied addresses is ${bits(w, 24, 1) ? "" : "Not "}Supported`,
      `\tPersistent Memory Region Timeout                   (PMRTO): ${x(bits(w, 16, 8))}`,
      `\tPersistent Memory Region Write Barrier Mechanisms (PMRWBM): ${x(bits(w, 10, 4))}`,
      `\tPersistent Memory Region Time Units                (PMRTU): PMR time unit is ${bits(w, 8, 2) ? "minutes" : "500 milliseconds"}`,
      `\tBase Indicator Register                              (BIR): ${x(bits(w, 5, 3))}`,
      `\tWrite Data Support                                   (WDS): Write data to the PMR is ${bits(w, 4, 1) ? "" : "not "}supported`,
      `\tRead Data Support                                    (RDS): Read data from the PMR is ${bits(w, 3, 1) ? "" : "not "}supported`,
    ];
    case PMRCTL: return [`\tEnable (EN): PMR is ${bits(w, 0, 1) ? "READY" : "Disabled"}`];
    case PMRSTS: return [
      `\tController Base Address Invalid (CBAI): ${x(bits(w, 12, 1))}`,
      `\tHealth Status                   (HSTS): ${hsts(bits(w, 9, 3))}`,
      `\tNot Ready                       (NRDY): The Persistent Memory Region is ${!bits(w, 8, 1) && support ? "READY" : "Not Ready"}`
        + " to process PCI Express memory read and write requests",
      `\tError                            (ERR): ${x(bits(w, 0, 8))}`,
    ];
    case PMREBS: return [
      `\tPMR Elasticity Buffer Size Base  (PMRWBZ): ${x(bits(w, 8, 24))}`,
      "\tRead Bypass Behavior                     : memory reads not conflicting with memory writes in the PMR Elasticity Buffer "
        + `${bits(w, 4, 1) ? "SHALL" : "MAY"} bypass those memory writes`,
      `\tPMR Elasticity Buffer Size Units (PMRSZU): ${unit(bits(w, 0, 4))}`,
    ];
    case PMRSWTP: return [
      // libnvme's NVME_PMRSWTP_PMRSWTV reads the units field (bits 3:0), so nvme-cli does too.
      `\tPMR Sustained Write Throughput       (PMRSWTV): ${x(bits(w, 0, 4))}`,
      `\tPMR Sustained Write Throughput Units (PMRSWTU): ${unit(bits(w, 0, 4))}/second`,
    ];
    case PMRMSCL: return [
      `\tController Base Address         (CBA): ${nx(bits(w, 12, 20))}`,
      `\tController Memory Space Enable (CMSE): ${nx(bits(w, 1, 1))}`,
      "",
    ];
    case PMRMSCU: return [`\tController Base Address         (CBA): ${nx(w)}`];
  }
  return [];
}

function value(bar: Uint8Array, off: number): bigint {
  return is64(off) ? rd64(bar, off) : BigInt(rd32(bar, off));
}

/**
 * `nvme show-regs` text (stdout_ctrl_registers), ending with a newline. human = -H: the
 * decoded fields after each register. CMBLOC is decoded only when CMBSZ is non-zero
 * (nvme_registers_cmbloc_support); PMRSTS reports READY only when PMRCTL.EN is set
 * (nvme_registers_pmrctl_ready).
 */
export function regsText(bar: Uint8Array, human: boolean): string {
  const out: string[] = [];
  for (const [off, name] of REGS) {
    const v = value(bar, off);
    out.push(`${name.padEnd(8)}: ${nx(v)}`);
    if (!human) continue;
    const support = off === CMBLOC ? rd32(bar, CMBSZ) !== 0 : off === PMRSTS ? (rd32(bar, PMRCTL) & 1) !== 0 : true;
    out.push(...humanText(off, v, support));
  }
  return out.join("\n") + "\n";
}

// ---- JSON (json_ctrl_registers, json_registers_*) ----

type Obj = { [key: string]: NvmeJson };

function capJson(cap: bigint): Obj {
  const c = capFields(cap);
  const yes = (v: number) => (v ? "Yes" : "No");
  const css: Obj = {
    "NVM command set": sup(c.css & 1),
    "One or more I/O Command Sets": sup(c.css & 0x40),
    [c.css & 0x80 ? "Only Admin Command Set" : "I/O Command Set"]: "Supported",
  };
  return {
    cap: x(cap),
    "NVM Subsystem Shutdown Enhancements Supported (NSSES)": sup(c.nsses),
    "Controller Ready With Media Support (CRWMS)": sup(c.crwms),
    "Controller Ready Independent of Media Support (CRIMS)": sup(c.crims),
    "NVM Subsystem Shutdown Supported (NSSS)": sup(c.nsss),
    "Controller Memory Buffer Supported (CMBS):": sup(c.cmbs),
    "Persistent Memory Region Supported (PMRS)": sup(c.pmrs),
    "Memory Page Size Maximum (MPSMAX)": `${2 ** (12 + c.mpsmax)} bytes`,
    "Memory Page Size Minimum (MPSMIN)": `${2 ** (12 + c.mpsmin)} bytes`,
    "Controller Power Scope (CPS)": cps(c.cps),
    "Boot Partition Support (BPS)": yes(c.bps),
    "Command Sets Supported (CSS)": [css],
    "NVM Subsystem Reset Supported (NSSRS)": yes(c.nssrs),
    "Doorbell Stride (DSTRD)": `${2 ** (2 + c.dstrd)} bytes`,
    "Timeout (TO)": `${c.to * 500} ms`,
    // json_registers_cap tests AMS bit 1 (Vendor Specific), unlike the text output's bit 0.
    "Arbitration Mechanism Supported (AMS)": [{ "Weighted Round Robin with Urgent Priority Class": sup(c.ams & 2) }],
    "Contiguous Queues Required (CQR)": yes(c.cqr),
    "Maximum Queue Entries Supported (MQES)": c.mqes + 1,
  };
}

function humanJson(off: number, v: bigint, support: boolean): Obj {
  const w = Number(v & 0xffffffffn);
  const ne = (b: number) => (b ? "Not enforced" : "Enforced");
  switch (off) {
    case CAP: return capJson(v);
    case VS: return { Version: x(w), "NVMe specification": `${bits(w, 16, 16)}.${bits(w, 8, 8)}.${bits(w, 0, 8)}` };
    case INTMS: return { intms: x(w), "Interrupt Vector Mask Set (IVMS)": x(w) };
    case INTMC: return { intmc: x(w), "Interrupt Vector Mask Set (IVMC)": x(w) };
    case CC: return {
      cc: x(w),
      "Controller Ready Independent of Media Enable (CRIME)": bits(w, 24, 1) ? "Enabled" : "Disabled",
      "I/O Completion Queue Entry Size (IOCQES): ": `${2 ** bits(w, 20, 4)} bytes`,
      "I/O Submission Queue Entry Size (IOSQES)": `${2 ** bits(w, 16, 4)} bytes`,
      "Shutdown Notification (SHN)": ccShn(bits(w, 14, 2)),
      "Arbitration Mechanism Selected (AMS)": ccAms(bits(w, 11, 3)),
      "Memory Page Size (MPS)": `${2 ** (12 + bits(w, 7, 4))} bytes`,
      "I/O Command Set Selected (CSS)": ccCss(bits(w, 4, 3)),
      "Enable (EN)": bits(w, 0, 1) ? "Yes" : "No",
    };
    case CSTS: return {
      csts: x(w),
      "Shutdown Type (ST)": bits(w, 6, 1) ? "Subsystem" : "Controller",
      "Processing Paused (PP)": bits(w, 5, 1) ? "Yes" : "No",
      "NVM Subsystem Reset Occurred (NSSRO)": bits(w, 4, 1) ? "Yes" : "No",
      "Shutdown Status (SHST)": cstsShst(bits(w, 2, 2)),
      "Controller Fatal Status (CFS)": bits(w, 1, 1) ? "True" : "False",
      "Ready (RDY)": bits(w, 0, 1) ? "Yes" : "No",
    };
    case NSSR: return { nssr: x(w), "NVM Subsystem Reset Control (NSSRC)": w };
    case AQA: return { aqa: x(w), "Admin Completion Queue Size (ACQS)": bits(w, 16, 12) + 1, "Admin Submission Queue Size (ASQS)": bits(w, 0, 12) + 1 };
    // json_registers_asq/acq show the whole register as the base, not ASQB/ACQB.
    case ASQ: return { asq: x(v), "Admin Submission Queue Base (ASQB)": x(v) };
    case ACQ: return { acq: x(v), "Admin Completion Queue Base (ACQB)": x(v) };
    case CMBLOC:
      if (!support) return { cmbloc: x(w), Result: "Controller Memory Buffer feature is not supported" };
      return {
        cmbloc: x(w),
        "Offset (OFST) (See cmbsz.szu for granularity)": "0x" + x(bits(w, 12, 20)),
        "CMB Queue Dword Alignment (CQDA)": bits(w, 8, 1),
        "CMB Data Metadata Mixed Memory Support (CDMMMS)": ne(bits(w, 7, 1)),
        "CMB Data Pointer and Command Independent Locations Support (CDPCILS)": ne(bits(w, 6, 1)),
        "CMB Data Pointer Mixed Locations Support (CDPMLS)": ne(bits(w, 5, 1)),
        "CMB Queue Physically Discontiguous Support (CQPDS)": ne(bits(w, 4, 1)),
        "CMB Queue Mixed Memory Support (CQMMS)": ne(bits(w, 3, 1)),
        "Base Indicator Register (BIR)": "0x" + x(bits(w, 0, 3)),
      };
    case CMBSZ:
      if (!w) return { cmbsz: x(w), Result: "Controller Memory Buffer feature is not supported" };
      return {
        cmbsz: x(w),
        "Size (SZ)": bits(w, 12, 20),
        "Size Units (SZU)": szu(bits(w, 8, 4)),
        "Write Data Support (WDS)": sup(bits(w, 4, 1)),
        "Read Data Support (RDS)": sup(bits(w, 3, 1)),
        "PRP SGL List Support (LISTS)": sup(bits(w, 2, 1)),
        "Completion Queue Support (CQS)": sup(bits(w, 1, 1)),
        "Submission Queue Support (SQS)": sup(bits(w, 0, 1)),
      };
    case BPINFO: return {
      bpinfo: x(w),
      "Active Boot Partition ID (ABPID)": bits(w, 31, 1),
      "Boot Read Status (BRS)": bpinfoBrs(bits(w, 24, 2)),
      "Boot Partition Size (BPSZ)": bits(w, 0, 15),
    };
    case BPRSEL: return {
      bprsel: x(w),
      "Boot Partition Identifier (BPID)": bits(w, 31, 1),
      "Boot Partition Read Offset (BPROF)": x(bits(w, 10, 20)),
      "Boot Partition Read Size (BPRSZ)": x(bits(w, 0, 10)),
    };
    case BPMBL: return { bpmbl: x(v), "Boot Partition Memory Buffer Base Address (BMBBA)": x(bits64(v, 12, 52)) };
    case CMBMSC: return {
      cmbmsc: x(v),
      "Controller Base Address (CBA)": x(bits64(v, 12, 52)),
      "Controller Memory Space Enable (CMSE)": x(bits64(v, 1, 1)),
      "Capabilities Registers Enabled (CRE)": bits64(v, 0, 1) ? "Enabled" : "Not enabled",
    };
    case CMBSTS: return { cmbsts: x(w), "Controller Base Address Invalid (CBAI)": x(bits(w, 0, 1)) };
    case CMBEBS: return {
      cmbebs: nx(w),
      "CMB Elasticity Buffer Size Base (CMBWBZ)": nx(bits(w, 8, 24)),
      "CMB Read Bypass Behavior (CMBRBB)": bits(w, 4, 1) ? "shall" : "may",
      "CMB Elasticity Buffer Size Units (CMBSZU)": unit(bits(w, 0, 4)),
    };
    case CMBSWTP: return {
      cmbswtp: nx(w),
      "CMB Sustained Write Throughput (CMBSWTV)": nx(bits(w, 8, 24)),
      "CMB Sustained Write Throughput Units (CMBSWTU)": `${unit(bits(w, 0, 4))}/second`,
    };
    case NSSD: return { "NVM Subsystem Shutdown Control (NSSC)": nx(w) };
    case CRTO: return {
      crto: x(w),
      CRIMT: `${Math.trunc((bits(w, 16, 16) * 500) / 1000)} secs`,
      CRWMT: `${Math.trunc((bits(w, 0, 16) * 500) / 1000)} secs`,
    };
    case PMRCAP: return {
      pmrcap: x(w),
      "Controller Memory Space Supported (CMSS)": sup(bits(w, 24, 1)),
      "Persistent Memory Region Timeout (PMRTO)": x(bits(w, 16, 8)),
      "Persistent Memory Region Write Barrier Mechanisms (PMRWBM)": x(bits(w, 10, 4)),
      "Persistent Memory Region Time Units (PMRTU)": bits(w, 8, 2) ? "minutes" : "500 milliseconds",
      "Base Indicator Register (BIR)": x(bits(w, 5, 3)),
      "Write Data Support (WDS)": sup(bits(w, 4, 1)),
      "Read Data Support (RDS)": sup(bits(w, 3, 1)),
    };
    case PMRCTL: return { pmrctl: x(w), "Enable (EN)": bits(w, 0, 1) ? "Ready" : "Disabled" };
    case PMRSTS: return {
      pmrsts: x(w),
      "Controller Base Address Invalid (CBAI)": x(bits(w, 12, 1)),
      "Health Status (HSTS)": hsts(bits(w, 9, 3)),
      "Not Ready (NRDY)": !bits(w, 8, 1) && support ? "Ready" : "Not ready",
      "Error (ERR)": x(bits(w, 0, 8)),
    };
    case PMREBS: return {
      pmrebs: x(w),
      "PMR Elasticity Buffer Size Base (PMRWBZ)": x(bits(w, 8, 24)),
      "Read Bypass Behavior": bits(w, 4, 1) ? "Shall" : "May",
      "PMR Elasticity Buffer Size Units (PMRSZU)": unit(bits(w, 0, 4)),
    };
    case PMRSWTP: return {
      pmrswtp: x(w),
      "PMR Sustained Write Throughput (PMRSWTV)": x(bits(w, 0, 4)), // NVME_PMRSWTP_PMRSWTV: the units field
      "PMR Sustained Write Throughput Units (PMRSWTU)": `${unit(bits(w, 0, 4))}/second`,
    };
    case PMRMSCL: return { pmrmscl: nx(w), "Controller Base Address (CBA)": nx(bits(w, 12, 20)), "Controller Memory Space Enable (CMSE)": nx(bits(w, 1, 1)) };
    case PMRMSCU: return { pmrmscu: nx(w), "Controller Base Address (CBA)": nx(w) };
  }
  return {};
}

/**
 * `nvme show-regs -o json` object (json_ctrl_registers, members in offset order, VS as "vs");
 * serialize with toNvmeJson. human = -H: each member is [ { decoded fields } ]
 * (obj_create_array_obj + json_registers_*).
 */
export function regsJson(bar: Uint8Array, human: boolean): Obj {
  const out: Obj = {};
  for (const [off, name] of REGS) {
    const key = off === VS ? "vs" : name;
    const v = value(bar, off);
    if (human) {
      const support = off === CMBLOC ? rd32(bar, CMBSZ) !== 0 : off === PMRSTS ? (rd32(bar, PMRCTL) & 1) !== 0 : true;
      out[key] = [humanJson(off, v, support)];
    } else if (is64(off)) {
      out[key] = v; // obj_add_uint64
    } else if (off === PMRMSCL || off === PMRMSCU) {
      out[key] = Number(v); // obj_add_uint
    } else {
      out[key] = Number(v) | 0; // obj_add_int: json-c's int32
    }
  }
  return out;
}
