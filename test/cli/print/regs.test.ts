// Tests for src/cli/print/regs.ts: `nvme show-regs` as nvme-cli 2.x prints it
// (nvme-print-stdout.c stdout_ctrl_registers / stdout_registers_*, nvme-print-json.c
// json_ctrl_registers / json_registers_*), over hand-made register snapshots.
import { describe, it, expect } from "vitest";
import { regsText, regsJson, REGS_SIZE } from "../../../src/cli/print/regs";
import { toNvmeJson } from "../../../src/cli/print/json";

/** A BAR0 snapshot with the given registers (offset -> value; bigint for a 64-bit write). */
function bar(regs: Record<number, number | bigint>): Uint8Array {
  const b = new Uint8Array(REGS_SIZE);
  const dv = new DataView(b.buffer);
  for (const [off, v] of Object.entries(regs)) {
    if (typeof v === "bigint") dv.setBigUint64(Number(off), v, true);
    else dv.setUint32(Number(off), v, true);
  }
  return b;
}

/** The -H block of one register: its "name: value" line up to the next register's line. */
function block(text: string, name: string): string {
  const lines = text.slice(0, -1).split("\n"); // the text ends with a newline
  const i = lines.findIndex((l) => l.startsWith(`${name.padEnd(8)}: `));
  let j = i + 1;
  while (j < lines.length && !/^\w+ *: /.test(lines[j])) j++;
  return lines.slice(i, j).join("\n") + "\n";
}

// QEMU-like values: MQES 2047, CQR, TO 15, DSTRD 0, NSSRS, CSS NVM and I/O sets (bits 0, 6), MPSMAX 64 KiB.
const QEMU = {
  0x00: 0x0040_0830_0f01_07ffn, 0x08: 0x10400, 0x14: 0x460001, 0x1c: 0x1, 0x24: 0x1f001f,
  0x28: 0x1_2345_6000n, 0x30: 0x1_2345_7000n,
};

describe("show-regs text", () => {
  it("prints every controller register, CAP to PMRMSCU, as %-8s: %#llx (nothing skipped without a CMB or PMR)", () => {
    expect(regsText(bar({ ...QEMU, 0xe18: 0xfeed }), false)).toBe(
      "cap     : 0x4008300f0107ff\n" +
      "version : 0x10400\n" +
      "intms   : 0\n" +
      "intmc   : 0\n" +
      "cc      : 0x460001\n" +
      "csts    : 0x1\n" +
      "nssr    : 0\n" +
      "aqa     : 0x1f001f\n" +
      "asq     : 0x123456000\n" +
      "acq     : 0x123457000\n" +
      "cmbloc  : 0\n" +
      "cmbsz   : 0\n" +
      "bpinfo  : 0\n" +
      "bprsel  : 0\n" +
      "bpmbl   : 0\n" +
      "cmbmsc  : 0\n" +
      "cmbsts  : 0\n" +
      "cmbebs  : 0\n" +
      "cmbswtp : 0\n" +
      "nssd    : 0\n" +
      "crto    : 0\n" +
      "pmrcap  : 0\n" +
      "pmrctl  : 0\n" +
      "pmrsts  : 0\n" +
      "pmrebs  : 0\n" +
      "pmrswtp : 0\n" +
      "pmrmscl : 0\n" +
      "pmrmscu : 0xfeed\n");
  });

  it("decodes CAP as stdout_registers_cap, fields in its order", () => {
    const t = regsText(bar(QEMU), true);
    expect(block(t, "cap")).toBe(
      "cap     : 0x4008300f0107ff\n" +
      "\tNVM Subsystem Shutdown Enhancements Supported (NSSES): Not Supported\n" +
      "\tController Ready With Media Support (CRWMS): Not Supported\n" +
      "\tController Ready Independent of Media Support (CRIMS): Not Supported\n" +
      "\tNVM Subsystem Shutdown Supported   (NSSS): Not Supported\n" +
      "\tController Memory Buffer Supported (CMBS): The Controller Memory Buffer is Not Supported\n" +
      "\tPersistent Memory Region Supported (PMRS): The Persistent Memory Region is Not Supported\n" +
      "\tMemory Page Size Maximum         (MPSMAX): 65536 bytes\n" +
      "\tMemory Page Size Minimum         (MPSMIN): 4096 bytes\n" +
      "\tController Power Scope              (CPS): Not Reported\n" +
      "\tBoot Partition Support              (BPS): No\n" +
      "\tCommand Sets Supported              (CSS): NVM command set is Supported\n" +
      "\t                                           One or more I/O Command Sets are Supported\n" +
      "\t                                           I/O Command Set is Supported\n" +
      "\tNVM Subsystem Reset Supported     (NSSRS): Yes\n" +
      "\tDoorbell Stride                   (DSTRD): 4 bytes\n" +
      "\tTimeout                              (TO): 7500 ms\n" +
      "\tArbitration Mechanism Supported     (AMS): Weighted Round Robin with Urgent Priority Class is Not supported\n" +
      "\tContiguous Queues Required          (CQR): Yes\n" +
      "\tMaximum Queue Entries Supported    (MQES): 2048\n" +
      "\n");
    // The bits above 45: CPS 47:46, PMRS 56, CMBS 57, NSSS 58, CRWMS 59, CRIMS 60, NSSES 61; AMS bit 17.
    const all = regsText(bar({ 0x00: (0x3f_00_c0_20n << 32n) | 0x0f02_0000n }), true);
    expect(block(all, "cap")).toContain("\tNVM Subsystem Shutdown Enhancements Supported (NSSES): Supported\n" +
      "\tController Ready With Media Support (CRWMS): Supported\n" +
      "\tController Ready Independent of Media Support (CRIMS): Supported\n" +
      "\tNVM Subsystem Shutdown Supported   (NSSS): Supported\n" +
      "\tController Memory Buffer Supported (CMBS): The Controller Memory Buffer is Supported\n" +
      "\tPersistent Memory Region Supported (PMRS): The Persistent Memory Region is Supported\n");
    expect(all).toContain("\tController Power Scope              (CPS): NVM subsystem scope\n");
    expect(all).toContain("\t                                           I/O Command Set is Supported\n"); // CSS bit 7 clear
    expect(all).toContain("Priority Class is Supported\n");
  });

  it("decodes VS, INTMS/INTMC, CC, CSTS, NSSR and AQA with a blank line after each, ASQ and ACQ as the base >> 12 without one", () => {
    const t = regsText(bar({ ...QEMU, 0x0c: 0x5, 0x20: 0x4e564d65, 0x1c: 0x1d }), true);
    expect(block(t, "version")).toBe("version : 0x10400\n\tNVMe specification 1.4.0\n\n");
    expect(block(t, "intms")).toBe("intms   : 0x5\n\tInterrupt Vector Mask Set (IVMS): 0x5\n\n");
    expect(block(t, "intmc")).toBe("intmc   : 0\n\tInterrupt Vector Mask Clear (IVMC): 0\n\n");
    expect(block(t, "cc")).toBe(
      "cc      : 0x460001\n" +
      "\tController Ready Independent of Media Enable (CRIME): Disabled\n" +
      "\tI/O Completion Queue Entry Size (IOCQES): 16 bytes\n" +
      "\tI/O Submission Queue Entry Size (IOSQES): 64 bytes\n" +
      "\tShutdown Notification              (SHN): No notification; no effect\n" +
      "\tArbitration Mechanism Selected     (AMS): Round Robin\n" +
      "\tMemory Page Size                   (MPS): 4096 bytes\n" +
      "\tI/O Command Set Selected           (CSS): NVM Command Set\n" +
      "\tEnable                              (EN): Yes\n\n");
    expect(block(t, "csts")).toBe(
      "csts    : 0x1d\n" +
      "\tShutdown Type                   (ST): Controller\n" +
      "\tProcessing Paused               (PP): No\n" +
      "\tNVM Subsystem Reset Occurred (NSSRO): Yes\n" +
      "\tShutdown Status               (SHST): Reserved\n" +
      "\tController Fatal Status        (CFS): False\n" +
      "\tReady                          (RDY): Yes\n\n");
    expect(block(t, "nssr")).toBe("nssr    : 0x4e564d65\n\tNVM Subsystem Reset Control (NSSRC): 1314278757\n\n");
    expect(block(t, "aqa")).toBe("aqa     : 0x1f001f\n\tAdmin Completion Queue Size (ACQS): 32\n\tAdmin Submission Queue Size (ASQS): 32\n\n");
    expect(block(t, "asq")).toBe("asq     : 0x123456000\n\tAdmin Submission Queue Base (ASQB): 123456\n");
    expect(block(t, "acq")).toBe("acq     : 0x123457000\n\tAdmin Completion Queue Base (ACQB): 123457\n");
  });

  it("decodes CMBLOC only when CMBSZ is non-zero (nvme_registers_cmbloc_support)", () => {
    const none = regsText(bar({ 0x38: 0x1234_5678 }), true);
    expect(block(none, "cmbloc")).toBe("cmbloc  : 0x12345678\n\tController Memory Buffer feature is not supported\n\n");
    expect(block(none, "cmbsz")).toBe("cmbsz   : 0\n\tController Memory Buffer feature is not supported\n\n");
    const cmb = regsText(bar({ 0x38: 0x0000_2152, 0x3c: 0x0040_0217 }), true);
    expect(block(cmb, "cmbloc")).toBe(
      "cmbloc  : 0x2152\n" +
      "\tOffset                                                        (OFST): 0x2 (See cmbsz.szu for granularity)\n" +
      "\tCMB Queue Dword Alignment                                     (CQDA): 1\n" +
      "\tCMB Data Metadata Mixed Memory Support                      (CDMMMS): Enforced\n" +
      "\tCMB Data Pointer and Command Independent Locations Support (CDPCILS): Not Enforced\n" +
      "\tCMB Data Pointer Mixed Locations Support                    (CDPMLS): Enforced\n" +
      "\tCMB Queue Physically Discontiguous Support                   (CQPDS): Not Enforced\n" +
      "\tCMB Queue Mixed Memory Support                               (CQMMS): Enforced\n" +
      "\tBase Indicator Register                                        (BIR): 0x2\n\n");
    expect(block(cmb, "cmbsz")).toBe(
      "cmbsz   : 0x400217\n" +
      "\tSize                      (SZ): 1024\n" +
      "\tSize Units               (SZU): 1 MB\n" +
      "\tWrite Data Support       (WDS): Write Data and metadata transfer in Controller Memory Buffer is Supported\n" +
      "\tRead Data Support        (RDS): Read Data and metadata transfer in Controller Memory Buffer is Not supported\n" +
      "\tPRP SGL List Support   (LISTS): PRP/SG Lists in Controller Memory Buffer is Supported\n" +
      "\tCompletion Queue Support (CQS): Admin and I/O Completion Queues in Controller Memory Buffer is Supported\n" +
      "\tSubmission Queue Support (SQS): Admin and I/O Submission Queues in Controller Memory Buffer is Supported\n\n");
  });

  it("decodes the boot partition, CMB control, NSSD and CRTO registers", () => {
    const t = regsText(bar({
      0x40: 0x8200_0010, 0x44: 0x8000_0c05, 0x48: 0xabc_d000n, 0x50: 0x9_8765_4003n, 0x58: 1,
      0x5c: 0x0001_0011, 0x60: 0x0000_2003, 0x64: 0x4e, 0x68: 0x0014_0005,
    }), true);
    expect(block(t, "bpinfo")).toBe("bpinfo  : 0x82000010\n" +
      "\tActive Boot Partition ID      (ABPID): 1\n" +
      "\tBoot Read Status                (BRS): Boot Partition read completed successfully\n" +
      "\tBoot Partition Size            (BPSZ): 16\n");
    expect(block(t, "bprsel")).toBe("bprsel  : 0x80000c05\n" +
      "\tBoot Partition Identifier      (BPID): 1\n" +
      "\tBoot Partition Read Offset    (BPROF): 3\n" +
      "\tBoot Partition Read Size      (BPRSZ): 5\n");
    expect(block(t, "bpmbl")).toBe("bpmbl   : 0xabcd000\n\tBoot Partition Memory Buffer Base Address (BMBBA): abcd\n");
    expect(block(t, "cmbmsc")).toBe("cmbmsc  : 0x987654003\n" +
      "\tController Base Address         (CBA): 987654\n" +
      "\tController Memory Space Enable (CMSE): 1\n" +
      "\tCapabilities Registers Enabled  (CRE): CMBLOC and CMBSZ registers are enabled\n\n");
    expect(block(t, "cmbsts")).toBe("cmbsts  : 0x1\n\tController Base Address Invalid (CBAI): 1\n\n");
    expect(block(t, "cmbebs")).toBe("cmbebs  : 0x10011\n" +
      "\tCMB Elasticity Buffer Size Base  (CMBWBZ): 0x100\n" +
      "\tRead Bypass Behavior                     : memory reads not conflicting with memory writes in the CMB Elasticity Buffer SHALL bypass those memory writes\n" +
      "\tCMB Elasticity Buffer Size Units (CMBSZU): One KB\n\n");
    expect(block(t, "cmbswtp")).toBe("cmbswtp : 0x2003\n" +
      "\tCMB Sustained Write Throughput       (CMBSWTV): 0x20\n" +
      "\tCMB Sustained Write Throughput Units (CMBSWTU): One GB/second\n\n");
    expect(block(t, "nssd")).toBe("nssd    : 0x4e\n\tNVM Subsystem Shutdown Control (NSSC): 0x4e\n\n");
    expect(block(t, "crto")).toBe("crto    : 0x140005\n" +
      "\tCRIMT                               : 10 secs\n" +
      "\tCRWMT                               : 2 secs\n");
  });

  it("decodes the PMR registers; PMRSTS is READY only with PMRCTL.EN set; PMRSWTV shows the units field as libnvme reads it", () => {
    const regs = { 0xe00: 0x0105_0538, 0xe04: 0, 0xe08: 0x0000_0203, 0xe0c: 0x0000_0412, 0xe10: 0x0000_0501, 0xe14: 0x0000_3002, 0xe18: 0x1 };
    const off = regsText(bar(regs), true);
    expect(block(off, "pmrcap")).toBe("pmrcap  : 0x1050538\n" +
      "\tController Memory Space Supported                   (CMSS): Referencing PMR with host supplied addresses is Supported\n" +
      "\tPersistent Memory Region Timeout                   (PMRTO): 5\n" +
      "\tPersistent Memory Region Write Barrier Mechanisms (PMRWBM): 1\n" +
      "\tPersistent Memory Region Time Units                (PMRTU): PMR time unit is minutes\n" +
      "\tBase Indicator Register                              (BIR): 1\n" +
      "\tWrite Data Support                                   (WDS): Write data to the PMR is supported\n" +
      "\tRead Data Support                                    (RDS): Read data from the PMR is supported\n");
    expect(block(off, "pmrctl")).toBe("pmrctl  : 0\n\tEnable (EN): PMR is Disabled\n");
    expect(block(off, "pmrsts")).toBe("pmrsts  : 0x203\n" +
      "\tController Base Address Invalid (CBAI): 0\n" +
      "\tHealth Status                   (HSTS): Restore Error\n" +
      "\tNot Ready                       (NRDY): The Persistent Memory Region is Not Ready to process PCI Express memory read and write requests\n" +
      "\tError                            (ERR): 3\n");
    expect(block(off, "pmrebs")).toBe("pmrebs  : 0x412\n" +
      "\tPMR Elasticity Buffer Size Base  (PMRWBZ): 4\n" +
      "\tRead Bypass Behavior                     : memory reads not conflicting with memory writes in the PMR Elasticity Buffer SHALL bypass those memory writes\n" +
      "\tPMR Elasticity Buffer Size Units (PMRSZU): One MB\n");
    expect(block(off, "pmrswtp")).toBe("pmrswtp : 0x501\n" +
      "\tPMR Sustained Write Throughput       (PMRSWTV): 1\n" +
      "\tPMR Sustained Write Throughput Units (PMRSWTU): One KB/second\n");
    expect(block(off, "pmrmscl")).toBe("pmrmscl : 0x3002\n" +
      "\tController Base Address         (CBA): 0x3\n" +
      "\tController Memory Space Enable (CMSE): 0x1\n\n");
    expect(block(off, "pmrmscu")).toBe("pmrmscu : 0x1\n\tController Base Address         (CBA): 0x1\n");
    expect(off.endsWith("(CBA): 0x1\n")).toBe(true);
    const on = regsText(bar({ ...regs, 0xe04: 1, 0xe08: 0 }), true);
    expect(block(on, "pmrctl")).toBe("pmrctl  : 0x1\n\tEnable (EN): PMR is READY\n");
    expect(on).toContain("(NRDY): The Persistent Memory Region is READY to process PCI Express");
  });
});

describe("show-regs JSON", () => {
  it("has one member per register: uint64 for the 64-bit ones, json-c int (signed) for the 32-bit ones, uint for PMRMSCL/U", () => {
    const j = regsJson(bar({ ...QEMU, 0x40: 0x8000_0000, 0xe14: 0xffff_f000 }), false);
    expect(Object.keys(j)).toEqual([
      "cap", "vs", "intms", "intmc", "cc", "csts", "nssr", "aqa", "asq", "acq", "cmbloc", "cmbsz", "bpinfo", "bprsel",
      "bpmbl", "cmbmsc", "cmbsts", "cmbebs", "cmbswtp", "nssd", "crto", "pmrcap", "pmrctl", "pmrsts", "pmrebs", "pmrswtp",
      "pmrmscl", "pmrmscu",
    ]);
    const text = toNvmeJson(j);
    expect(text).toContain('\n  "cap":18023401012660223,\n  "vs":66560,\n');
    expect(text).toContain('\n  "asq":4886716416,\n');
    expect(text).toContain('\n  "bpinfo":-2147483648,\n');
    expect(text).toContain('\n  "pmrmscl":4294963200,\n');
  });

  it("with -H gives each register an array of one object of decoded fields (json_registers_*)", () => {
    const j = regsJson(bar({ ...QEMU, 0x68: 0x0014_0005 }), true);
    expect(toNvmeJson({ vs: j.vs, cc: j.cc, asq: j.asq, cmbloc: j.cmbloc, nssd: j.nssd, crto: j.crto })).toBe(`{
  "vs":[
    {
      "Version":"10400",
      "NVMe specification":"1.4.0"
    }
  ],
  "cc":[
    {
      "cc":"460001",
      "Controller Ready Independent of Media Enable (CRIME)":"Disabled",
      "I/O Completion Queue Entry Size (IOCQES): ":"16 bytes",
      "I/O Submission Queue Entry Size (IOSQES)":"64 bytes",
      "Shutdown Notification (SHN)":"No notification; no effect",
      "Arbitration Mechanism Selected (AMS)":"Round Robin",
      "Memory Page Size (MPS)":"4096 bytes",
      "I/O Command Set Selected (CSS)":"NVM Command Set",
      "Enable (EN)":"Yes"
    }
  ],
  "asq":[
    {
      "asq":"123456000",
      "Admin Submission Queue Base (ASQB)":"123456000"
    }
  ],
  "cmbloc":[
    {
      "cmbloc":"0",
      "Result":"Controller Memory Buffer feature is not supported"
    }
  ],
  "nssd":[
    {
      "NVM Subsystem Shutdown Control (NSSC)":"0"
    }
  ],
  "crto":[
    {
      "crto":"140005",
      "CRIMT":"10 secs",
      "CRWMT":"2 secs"
    }
  ]
}`);
    const cap = (j.cap as Array<Record<string, unknown>>)[0];
    expect(cap.cap).toBe("4008300f0107ff");
    expect(cap["Command Sets Supported (CSS)"]).toEqual([{ "NVM command set": "Supported", "One or more I/O Command Sets": "Supported", "I/O Command Set": "Supported" }]);
    expect(cap["Maximum Queue Entries Supported (MQES)"]).toBe(2048);
    expect(Object.keys(j)).toHaveLength(28);
  });
});
