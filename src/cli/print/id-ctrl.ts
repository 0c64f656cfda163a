// `nvme id-ctrl` output: the Identify Controller data structure (CNS 01h) printed line for
// line as nvme-cli master's stdout_id_ctrl does (labels padded to 10, then ": "), with the
// -H (human) bit decodings after each field, the power state descriptors, and the -V
// vendor-specific hexdump; plus the JSON object of json_nvme_id_ctrl. Pure functions over
// the 4096-byte page.

import * as I from "../../../assembly/spec/identify";
import {
  u8, u16, u32, u128, hex, cStr, uuidString, l10n, degrees, degreesF, not, jnum,
} from "./fmt";
import { hexdump } from "./hexdump";

export interface IdCtrlTextOptions {
  /** -H / --human-readable: decode the bit fields. */
  human: boolean;
  /** -V / --vendor-specific: hexdump the 1024-byte vendor specific area. */
  vendorSpecific?: boolean;
  /** Product name nvme-cli prints before the data with -H when it recognises the device. */
  productName?: string;
}

type Out = string[];

function cmic(o: Out, v: number): void {
  const rsvd = (v >> 4) & 0xf;
  const ana = (v >> 3) & 1, sriov = (v >> 2) & 1, mctl = (v >> 1) & 1, mp = v & 1;
  if (rsvd) o.push(`  [7:4] : ${hex(rsvd)}\tReserved`);
  o.push(`  [3:3] : ${hex(ana)}\tANA ${ana ? "" : "not "}supported`);
  o.push(`  [2:2] : ${hex(sriov)}\t${sriov ? "SR-IOV" : "PCI"}`);
  o.push(`  [1:1] : ${hex(mctl)}\t${mctl ? "Multi" : "Single"} Controller`);
  o.push(`  [0:0] : ${hex(mp)}\t${mp ? "Multi" : "Single"} Port`);
  o.push("");
}

function oaes(o: Out, v: number): void {
  const b = (n: number) => (v >>> n) & 1;
  const rsvd28 = (v >>> 28) & 0x7;
  const rsvd20 = (v & 0x7fe0000) >>> 20; // nvme-cli's mask: bits 26:20 once shifted
  const rsvd0 = v & 0xff;
  o.push(`  [31:31] : ${hex(b(31))}\tDiscovery Log Change Notice ${not(b(31))}Supported`);
  if (rsvd28) o.push(`  [30:28] : ${hex(rsvd28)}\tReserved`);
  o.push(`  [27:27] : ${hex(b(27))}\tZone Descriptor Changed Notices ${not(b(27))}Supported`);
  if (rsvd20) o.push(`  [26:20] : ${hex(rsvd20)}\tReserved`);
  o.push(`  [19:19] : ${hex(b(19))}\tAllocated Namespace Attribute Notices ${not(b(19))}Supported`);
  if (b(18)) o.push(`  [18:18] : ${hex(b(18))}\tReserved`);
  o.push(`  [17:17] : ${hex(b(17))}\tReachability Groups Change Notices ${not(b(17))}Supported`);
  o.push(`  [16:16] : ${hex(b(16))}\tTemperature Threshold Hysteresis Recovery ${not(b(16))}Supported`);
  o.push(`  [15:15] : ${hex(b(15))}\tNormal NSS Shutdown Event ${not(b(15))}Supported`);
  o.push(`  [14:14] : ${hex(b(14))}\tEndurance Group Event Aggregate Log Page Change Notice ${not(b(14))}Supported`);
  o.push(`  [13:13] : ${hex(b(13))}\tLBA Status Information Notices ${not(b(13))}Supported`);
  o.push(`  [12:12] : ${hex(b(12))}\tPredictable Latency Event Aggregate Log Change Notices ${not(b(12))}Supported`);
  o.push(`  [11:11] : ${hex(b(11))}\tAsymmetric Namespace Access Change Notices ${not(b(11))}Supported`);
  if (b(10)) o.push(`  [10:10] : ${hex(b(10))}\tReserved`);
  o.push(`  [9:9] : ${hex(b(9))}\tFirmware Activation Notices ${not(b(9))}Supported`);
  o.push(`  [8:8] : ${hex(b(8))}\tNamespace Attribute Changed Event ${not(b(8))}Supported`);
  if (rsvd0) o.push(`  [7:0] : ${hex(rsvd0)}\tReserved`);
  o.push("");
}

const CTRATT_BITS: Array<[number, string]> = [
  [21, "Power Measurement"], [20, "Power Limit"], [19, "Flexible Data Placement"],
  [18, "Reservations and Host Identifier Interaction"], [17, "HMB Restrict Non-Operational Power State Access"],
  [16, "MDTS and Size Limits Exclude Metadata"], [15, "Extended LBA Formats"], [14, "Delete NVM Set"],
  [13, "Delete Endurance Group"], [12, "Variable Capacity Management"], [11, "Fixed Capacity Management"],
  [10, "Multi Domain Subsystem"], [9, "UUID List"], [8, "SQ Associations"], [7, "Namespace Granularity"],
  [6, "Traffic Based Keep Alive"], [5, "Predictable Latency Mode"], [4, "Endurance Groups"],
  [3, "Read Recovery Levels"], [2, "NVM Sets"], [1, "Non-Operational Power State Permissive"],
  [0, "128-bit Host Identifier"],
];

function ctratt(o: Out, v: number): void {
  const rsvd = v >>> 22;
  if (rsvd) o.push(`  [31:22] : ${hex(rsvd)}\tReserved`);
  for (const [n, text] of CTRATT_BITS) {
    const b = (v >>> n) & 1;
    o.push(`  [${n}:${n}] : ${hex(b)}\t${text} ${not(b)}Supported`);
  }
  o.push("");
}

function bpcap(o: Out, v: number): void {
  const rsvd = v >> 3, sf = (v >> 2) & 1, rpmb = v & 3;
  const rpmbText = ["Support Not Specified", "Not Supported", "Supported", undefined][rpmb] ?? "(null)";
  if (rsvd) o.push(` [7:3] : ${hex(rsvd)}\tReserved`);
  o.push(`  [2:2] : ${hex(sf)}\tSet Features Boot Partition Write Protection ${not(sf)}Supported`);
  o.push(`  [1:0] : ${hex(rpmb)}\tRPMB Boot Partition Write Protection ${rpmbText}`);
  o.push("");
}

function plsi(o: Out, v: number): void {
  const rsvd = v >> 2, fq = (v >> 1) & 1, epf = v & 1;
  if (rsvd) o.push(` [7:2] : ${hex(rsvd)}\tReserved`);
  o.push(`  [1:1] : ${hex(fq)}\tPower Loss Signaling with Forced Quiescence ${not(fq)}Supported`);
  o.push(`  [0:0] : ${hex(epf)}\tPower Loss Signaling with Emergency Power Fail ${not(epf)}Supported`);
  o.push("");
}

function cntrltype(o: Out, v: number): void {
  const type = ["Controller type not reported", "I/O Controller", "Discovery Controller", "Administrative Controller"];
  o.push(`  [7:2] : ${hex((v & 0xfc) >> 2)}\tReserved`);
  o.push(`  [1:0] : ${hex(v)}\t${type[v & 3]}`);
}

function crcap(o: Out, v: number): void {
  const rsvd = v >> 2, rgidc = (v >> 1) & 1, rrsup = v & 1;
  if (rsvd) o.push(` [7:2] : ${hex(rsvd)}\tReserved`);
  o.push(`  [1:1] : ${hex(rgidc)}\tRGRPID ${rgidc ? "does not change" : "may change"} while the namespace is attached to any controller.`);
  o.push(`  [0:0] : ${hex(rrsup)}\tReachability Reporting ${not(rrsup)}Supported`);
  o.push("");
}

function nvmsr(o: Out, v: number): void {
  const rsvd = (v >> 2) & 0xfc, nvmee = (v >> 1) & 1, nvmesd = v & 1;
  if (rsvd) o.push(` [7:2] : ${hex(rsvd)}\tReserved`);
  o.push(`  [1:1] : ${hex(nvmee)}\tNVM subsystem ${not(nvmee)}part of an Enclosure`);
  o.push(`  [0:0] : ${hex(nvmesd)}\tNVM subsystem ${not(nvmesd)}part of a Storage Device`);
  o.push("");
}

function vwci(o: Out, v: number): void {
  const valid = (v >> 7) & 1;
  o.push(`  [7:7] : ${hex(valid)}\tVPD Write Cycles Remaining field is ${not(valid)}valid.`);
  o.push(`  [6:0] : ${hex(v & 0xfe)}\tVPD Write Cycles Remaining`); // nvme-cli masks with 0xfe
  o.push("");
}

function mec(o: Out, v: number): void {
  const rsvd = (v >> 2) & 0xfc, pcie = (v >> 1) & 1, smbus = v & 1;
  if (rsvd) o.push(` [7:2] : ${hex(rsvd)}\tReserved`);
  o.push(`  [1:1] : ${hex(pcie)}\tNVM subsystem ${not(pcie)}contains a Management Endpoint on a PCIe port`);
  o.push(`  [0:0] : ${hex(smbus)}\tNVM subsystem ${not(smbus)}contains a Management Endpoint on an SMBus/I2C port`);
  o.push("");
}

const OACS_BITS: Array<[number, string]> = [
  [11, "Host Managed Live Migration"], [10, "Lockdown Command and Feature"], [9, "Get LBA Status Capability"],
  [8, "Doorbell Buffer Config"], [7, "Virtualization Management"], [6, "NVMe-MI Send and Receive"],
  [5, "Directives"], [4, "Device Self-test"], [3, "NS Management and Attachment"], [2, "FW Commit and Download"],
  [1, "Format NVM"], [0, "Security Send and Receive"],
];

function oacs(o: Out, v: number): void {
  const rsvd = (v & 0xf000) >> 12;
  if (rsvd) o.push(` [15:12] : ${hex(rsvd)}\tReserved`);
  for (const [n, text] of OACS_BITS) {
    const b = (v >> n) & 1;
    o.push(`  [${n}:${n}] : ${hex(b)}\t${text} ${not(b)}Supported`);
  }
  o.push("");
}

function frmw(o: Out, v: number): void {
  const rsvd = (v & 0xc0) >> 6, smud = (v >> 5) & 1, fawr = (v >> 4) & 1, nfws = (v & 0xe) >> 1, s1ro = v & 1;
  if (rsvd) o.push(`  [7:6] : ${hex(rsvd)}\tReserved`);
  o.push(`  [5:5] : ${hex(smud)}\tMultiple FW or Boot Update Detection ${not(smud)}Supported`);
  o.push(`  [4:4] : ${hex(fawr)}\tFirmware Activate Without Reset ${not(fawr)}Supported`);
  o.push(`  [3:1] : ${hex(nfws)}\tNumber of Firmware Slots`);
  o.push(`  [0:0] : ${hex(s1ro)}\tFirmware Slot 1 Read${s1ro ? "-Only" : "/Write"}`);
  o.push("");
}

function lpa(o: Out, v: number): void {
  const b = (n: number) => (v >> n) & 1;
  if (b(7)) o.push(`  [7:7] : ${hex(b(7))}\tReserved`);
  o.push(`  [6:6] : ${hex(b(6))}\tTelemetry Log Data Area 4 ${not(b(6))}Supported`);
  o.push(`  [5:5] : ${hex(b(5))}\tLID 0x0, Scope of each command in LID 0x5, 0x12, 0x13 ${not(b(5))}Supported`);
  o.push(`  [4:4] : ${hex(b(4))}\tPersistent Event log ${not(b(4))}Supported`);
  o.push(`  [3:3] : ${hex(b(3))}\tTelemetry host/controller initiated log page ${not(b(3))}Supported`);
  o.push(`  [2:2] : ${hex(b(2))}\tExtended data for Get Log Page ${not(b(2))}Supported`);
  o.push(`  [1:1] : ${hex(b(1))}\tCommand Effects Log Page ${not(b(1))}Supported`);
  o.push(`  [0:0] : ${hex(b(0))}\tSMART/Health Log Page per NS ${not(b(0))}Supported`);
  o.push("");
}

function oneBit(o: Out, v: number, rsvdLine: string, text: string): void {
  const rsvd = (v & 0xfe) >> 1;
  if (rsvd) o.push(`${rsvdLine}${hex(rsvd)}\tReserved`);
  o.push(`  [0:0] : ${hex(v & 1)}\t${text}`);
  o.push("");
}

function temperature(o: Out, k: number, text: string): void {
  o.push(` [15:0] : ${degrees(k)} (${k} K, ${degreesF(k)})\t${text}`);
  o.push("");
}

function rpmbs(o: Out, v: number): void {
  const asz = (v >>> 24) & 0xff, tsz = (v >>> 16) & 0xff, rsvd = (v & 0xffc0) >> 6, auth = (v & 0x38) >> 3, units = v & 7;
  o.push(` [31:24]: ${hex(asz)}\tAccess Size`);
  o.push(` [23:16]: ${hex(tsz)}\tTotal Size`);
  if (rsvd) o.push(` [15:6] : ${hex(rsvd)}\tReserved`);
  o.push(`  [5:3] : ${hex(auth)}\tAuthentication Method`);
  o.push(`  [2:0] : ${hex(units)}\tNumber of RPMB Units`);
  o.push("");
}

function dsto(o: Out, v: number): void {
  const rsvd = (v & 0xfc) >> 2, hirs = (v >> 1) & 1, sdso = v & 1;
  if (rsvd) o.push(`  [7:2] : ${hex(rsvd)}\tReserved`);
  o.push(`  [1:1] : ${hex(hirs)}\tHost-Initiated Refresh capability ${not(hirs)}Supported`);
  o.push(`  [0:0] : ${hex(sdso)}\tNVM subsystem supports ${sdso ? "only one device self-test operation in progress" : "one device self-test operation per controller"} at a time`);
  o.push("");
}

function hctma(o: Out, v: number): void {
  const rsvd = (v & 0xfffe) >> 1;
  if (rsvd) o.push(` [15:1] : ${hex(rsvd)}\tReserved`);
  o.push(`  [0:0] : ${hex(v & 1)}\tHost Controlled Thermal Management ${not(v & 1)}Supported`);
  o.push("");
}

function sanicap(o: Out, v: number): void {
  const modifies = [
    "Additional media modification after sanitize operation completes successfully is not defined",
    "Media is not additionally modified after sanitize operation completes successfully",
    "Media is additionally modified after sanitize operation completes successfully",
    "Reserved",
  ];
  const nodmmas = (v >>> 30) & 3, ndi = (v >>> 29) & 1, rsvd = (v & 0x1ffffff0) >>> 4;
  const b = (n: number) => (v >>> n) & 1;
  o.push(`  [31:30] : ${hex(nodmmas)}\t${modifies[nodmmas]}`);
  o.push(`  [29:29] : ${hex(ndi)}\tNo-Deallocate After Sanitize bit in Sanitize command ${ndi ? "Not " : ""}Supported`);
  if (rsvd) o.push(`  [28:4] : ${hex(rsvd)}\tReserved`);
  o.push(`  [3:3] : ${hex(b(3))}\tMedia Verification and Post-Verification Deallocation state ${not(b(3))}Supported`);
  o.push(`  [2:2] : ${hex(b(2))}\tOverwrite Sanitize Operation ${not(b(2))}Supported`);
  o.push(`  [1:1] : ${hex(b(1))}\tBlock Erase Sanitize Operation ${not(b(1))}Supported`);
  o.push(`  [0:0] : ${hex(b(0))}\tCrypto Erase Sanitize Operation ${not(b(0))}Supported`);
  o.push("");
}

function anacap(o: Out, v: number): void {
  const b = (n: number) => (v >> n) & 1;
  o.push(`  [7:7] : ${hex(b(7))}\tNon-zero group ID ${not(b(7))}Supported`);
  o.push(`  [6:6] : ${hex(b(6))}\tGroup ID does ${b(6) ? "not " : ""}change`);
  if (b(5)) o.push(` [5:5] : ${hex(b(5))}\tReserved`);
  o.push(`  [4:4] : ${hex(b(4))}\tANA Change state ${not(b(4))}Supported`);
  o.push(`  [3:3] : ${hex(b(3))}\tANA Persistent Loss state ${not(b(3))}Supported`);
  o.push(`  [2:2] : ${hex(b(2))}\tANA Inaccessible state ${not(b(2))}Supported`);
  o.push(`  [1:1] : ${hex(b(1))}\tANA Non-optimized state ${not(b(1))}Supported`);
  o.push(`  [0:0] : ${hex(b(0))}\tANA Optimized state ${not(b(0))}Supported`);
  o.push("");
}

function kpioc(o: Out, v: number): void {
  const rsvd = v >> 2, sc = (v >> 1) & 1, s = v & 1;
  if (rsvd) o.push(` [7:2] : ${hex(rsvd)}\tReserved`);
  o.push(`  [1:1] : ${hex(sc)}\tKey Per I/O capability ${sc ? "applies" : "Not apply"} to all namespaces`);
  o.push(`  [0:0] : ${hex(s)}\tKey Per I/O capability ${not(s)}Supported`);
  o.push("");
}

function tmpthha(o: Out, v: number): void {
  const rsvd = (v & 0xf8) >> 3;
  if (rsvd) o.push(`  [7:3] : ${hex(rsvd)}\tReserved`);
  o.push(`  [2:0] : ${hex(v & 7)}\tTemperature Threshold Maximum Hysteresis`);
  o.push("");
}

function cdpa(o: Out, v: number): void {
  const rsvd = v >> 1;
  if (rsvd) o.push(`  [15:1] : ${hex(rsvd)}\tReserved`);
  o.push(`  [0:0] : ${hex(v & 1)}\tHMAC-SHA-384 ${not(v & 1)}Supported`);
  o.push("");
}

function ipmsr(o: Out, v: number): void {
  const srs = (v >> 8) & 0xff, srv = v & 0xff;
  const scale = ["Not reported", "1 microsecond", "10 microseconds", "100 microseconds", "1 millisecond", "10 milliseconds"][srs] ?? "Reserved";
  o.push(`  [15:8] : ${hex(srs)}\tSample Rate Scale (${scale})`);
  o.push(`  [7:0]  : ${hex(srv)}\tSample Rate Value`);
  o.push("");
}

function qes(o: Out, v: number, q: "SQ" | "CQ"): void {
  const max = (v & 0xf0) >> 4, min = v & 0xf;
  o.push(`  [7:4] : ${hex(max)}\tMax ${q} Entry Size (${2 ** max})`);
  o.push(`  [3:0] : ${hex(min)}\tMin ${q} Entry Size (${2 ** min})`);
  o.push("");
}

function oncs(o: Out, v: number): void {
  const b = (n: number) => (v >> n) & 1;
  const rsvd = v >> 13;
  if (rsvd) o.push(`  [15:13] : ${hex(rsvd)}\tReserved`);
  o.push(`  [12:12] : ${hex(b(12))}\tNamespace Zeroes ${not(b(12))}Supported`);
  o.push(`  [11:11] : ${hex(b(11))}\tMaximum Write Zeroes with Deallocate ${not(b(11))}Supported`);
  o.push(`  [10:10] : ${hex(b(10))}\tAll Fast Copy ${not(b(10))}Supported`);
  o.push(`  [9:9] : ${hex(b(9))}\tCopy Single Atomicity ${not(b(9))}Supported`);
  o.push(`  [8:8] : ${hex(b(8))}\tCopy ${not(b(8))}Supported`);
  o.push(`  [7:7] : ${hex(b(7))}\tVerify ${not(b(7))}Supported`);
  o.push(`  [6:6] : ${hex(b(6))}\tTimestamp ${not(b(6))}Supported`);
  o.push(`  [5:5] : ${hex(b(5))}\tReservations ${not(b(5))}Supported`);
  o.push(`  [4:4] : ${hex(b(4))}\tSave and Select ${not(b(4))}Supported`);
  o.push(`  [3:3] : ${hex(b(3))}\tWrite Zeroes Support Variants`);
  o.push(`  [2:2] : ${hex(b(2))}\tDataset Management Support Variants`);
  o.push(`  [1:1] : ${hex(b(1))}\tWrite Uncorrectable Support Variants`);
  o.push(`  [0:0] : ${hex(b(0))}\tCompare Command ${not(b(0))}Supported`);
  o.push("");
}

function fuses(o: Out, v: number): void {
  const rsvd = (v & 0xfe) >> 1; // nvme-cli masks only bits 7:1
  if (rsvd) o.push(` [15:1] : ${hex(rsvd)}\tReserved`);
  o.push(`  [0:0] : ${hex(v & 1)}\tFused Compare and Write ${not(v & 1)}Supported`);
  o.push("");
}

function fna(o: Out, v: number): void {
  const rsvd = (v & 0xf0) >> 4, bcnsid = (v >> 3) & 1, cese = (v >> 2) & 1, cens = (v >> 1) & 1, fmns = v & 1;
  if (rsvd) o.push(`  [7:4] : ${hex(rsvd)}\tReserved`);
  o.push(`  [3:3] : ${hex(bcnsid)}\tFormat NVM Broadcast NSID (FFFFFFFFh) ${bcnsid ? "Not " : ""}Supported`);
  o.push(`  [2:2] : ${hex(cese)}\tCrypto Erase ${not(cese)}Supported as part of Secure Erase`);
  o.push(`  [1:1] : ${hex(cens)}\tCrypto Erase Applies to ${cens ? "All" : "Single"} Namespace(s)`);
  o.push(`  [0:0] : ${hex(fmns)}\tFormat Applies to ${fmns ? "All" : "Single"} Namespace(s)`);
  o.push("");
}

function vwc(o: Out, v: number): void {
  const flushBehavior = [
    "Support for the NSID field set to FFFFFFFFh is not indicated",
    "Reserved",
    "The Flush command does not support NSID set to FFFFFFFFh",
    "The Flush command supports NSID set to FFFFFFFFh",
  ];
  const rsvd = (v & 0xf8) >> 3, flush = (v & 6) >> 1, present = v & 1;
  if (rsvd) o.push(`  [7:3] : ${hex(rsvd)}\tReserved`);
  o.push(`  [2:1] : ${hex(flush)}\t${flushBehavior[flush]}`);
  o.push(`  [0:0] : ${hex(present)}\tVolatile Write Cache ${not(present)}Present`);
  o.push("");
}

function nwpc(o: Out, v: number): void {
  const rsvd = (v & 0xf8) >> 3, perm = (v >> 2) & 1, power = (v >> 1) & 1, nowp = v & 1;
  if (rsvd) o.push(`  [7:3] : ${hex(rsvd)}\tReserved`);
  o.push(`  [2:2] : ${hex(perm)}\tPermanent Write Protect ${not(perm)}Supported`);
  o.push(`  [1:1] : ${hex(power)}\tWrite Protect Until Power Supply ${not(power)}Supported`);
  o.push(`  [0:0] : ${hex(nowp)}\tNo Write Protect and Write Protect Namespace ${not(nowp)}Supported`);
  o.push("");
}

function ocfs(o: Out, v: number): void {
  const rsvd = v >> 4;
  if (rsvd) o.push(`  [15:4] : ${hex(rsvd)}\tReserved`);
  for (let fmt = 3; fmt >= 0; fmt--) {
    const b = (v >> fmt) & 1;
    o.push(`  [${fmt}:${fmt}] : ${hex(b)}\tController Copy Format ${fmt.toString(16)}h ${not(b)}Supported`);
  }
  o.push("");
}

function sgls(o: Out, v: number): void {
  const b = (n: number) => (v >>> n) & 1;
  const rsvd0 = (v >>> 22) & 0x3ff, sdt = (v >>> 8) & 0xff, rsvd1 = (v & 0xf8) >> 3, sglsp = v & 3;
  const show = (bit: number) => sglsp !== 0 || b(bit) !== 0;
  if (rsvd0) o.push(` [31:22]: ${hex(rsvd0)}\tReserved`);
  if (show(21)) o.push(` [21:21]: ${hex(b(21))}\tTransport SGL Data Block Descriptor ${not(b(21))}Supported`);
  if (show(20)) o.push(` [20:20]: ${hex(b(20))}\tAddress Offsets ${not(b(20))}Supported`);
  if (show(19)) o.push(` [19:19]: ${hex(b(19))}\tMetadata Pointer Containing SGL Descriptor is ${not(b(19))}Supported`);
  if (show(18)) o.push(` [18:18]: ${hex(b(18))}\tSGL Length Larger than Buffer ${not(b(18))}Supported`);
  if (show(17)) o.push(` [17:17]: ${hex(b(17))}\tByte-Aligned Contig. MD Buffer ${not(b(17))}Supported`);
  if (show(16)) o.push(` [16:16]: ${hex(b(16))}\tSGL Bit-Bucket ${not(b(16))}Supported`);
  o.push(` [15:8] : ${hex(sdt)}\tSGL Descriptor Threshold`);
  if (rsvd1) o.push(` [7:3] : ${hex(rsvd1)}\tReserved`);
  if (show(2)) o.push(`  [2:2] : ${hex(b(2))}\tKeyed SGL Data Block descriptor ${not(b(2))}Supported`);
  if (sglsp === 3) o.push(`  [1:0] : ${hex(sglsp)}\tReserved`);
  else if (sglsp === 2) o.push(`  [1:0] : ${hex(sglsp)}\tScatter-Gather Lists Supported. Dword alignment required.`);
  else if (sglsp === 1) o.push(`  [1:0] : ${hex(sglsp)}\tScatter-Gather Lists Supported. No Dword alignment required.`);
  else o.push(` [1:0]  : ${hex(sglsp)}\tScatter-Gather Lists Not Supported`);
  o.push("");
}

function trattr(o: Out, v: number): void {
  const rsvd = v >> 3, mrtll = (v >> 2) & 1, tudcs = (v >> 1) & 1, thmcs = v & 1;
  if (rsvd) o.push(` [7:3] : ${hex(rsvd)}\tReserved`);
  o.push(`  [2:2] : ${hex(mrtll)}\tMemory Range Tracking Length Limit`);
  o.push(`  [1:1] : ${hex(tudcs)}\tTracking User Data Changes ${not(tudcs)}Supported`);
  o.push(`  [0:0] : ${hex(thmcs)}\tTrack Host Memory Changes ${not(thmcs)}Supported`);
  o.push("");
}

function fcatt(o: Out, v: number): void {
  const rsvd = (v & 0xfe) >> 1;
  if (rsvd) o.push(`  [7:1] : ${hex(rsvd)}\tReserved`);
  o.push(`  [0:0] : ${hex(v & 1)}\t${v & 1 ? "Static" : "Dynamic"} Controller Model`);
  o.push("");
}

function ofcs(o: Out, v: number): void {
  const rsvd = (v & 0xfffe) >> 1;
  if (rsvd) o.push(`  [15:1] : ${hex(rsvd)}\tReserved`);
  o.push(`  [0:0] : ${hex(v & 1)}\tDisconnect command ${v & 1 ? "" : "Not"} Supported`);
  o.push("");
}

function dctype(o: Out, v: number): void {
  const rsvd = (v & 0xfc) >> 2, val = v & 3;
  if (rsvd) o.push(`  [7:3] : ${hex(rsvd)}\tReserved`);
  const text = val === 1 ? "DDC" : val === 2 ? "CDC" : "not reported";
  o.push(`  [0:2] : ${hex(val)}\tDiscovery Controller Type: ${text}`);
  o.push("");
}

function powerAndScale(power: number, scale: number): string {
  switch (scale & 3) {
    case 0: return "-";
    case 1: return `${Math.floor(power / 10000)}.${String(power % 10000).padStart(4, "0")}W`;
    case 2: return `${Math.floor(power / 100)}.${String(power % 100).padStart(2, "0")}W`;
    default: return "reserved";
  }
}

const TIME_SCALE = [
  "1 microsecond", "10 microseconds", "100 microseconds", "1 millisecond", "10 milliseconds",
  "100 milliseconds", "1 second", "10 seconds", "100 seconds", "1,000 seconds", "10,000 seconds",
  "100,000 seconds", "1,000,000 seconds",
];

function psdTime(o: Out, desc: string, time: number, ts: number): void {
  const value = time === 0 ? "-" : time <= 99 ? `${time} (unit: ${TIME_SCALE[ts] ?? "Reserved"})` : "reserved";
  o.push(`${desc.padStart(12 + desc.length, " ")}: ${value}`);
}

function powerStates(o: Out, d: Uint8Array): void {
  const npss = u8(d, I.IDC_NPSS);
  for (let i = 0; i <= npss && i < I.IDC_PSD_COUNT; i++) {
    const p = I.IDC_PSD0 + i * I.IDC_PSD_SIZE;
    const mp = u16(d, p + I.PSD_MP);
    const flags = u8(d, p + I.PSD_FLAGS);
    const maxPower = flags & I.PSD_FLAG_MXPS
      ? `${Math.floor(mp / 10000)}.${String(mp % 10000).padStart(4, "0")}W`
      : `${Math.floor(mp / 100)}.${String(mp % 100).padStart(2, "0")}W`;
    const ips = u8(d, p + I.PSD_IPS), apws = u8(d, p + I.PSD_APWS);
    const workload = ["-", "1MiB 32 RW, 30s idle", "80K 128KiB SW"][apws & 7] ?? "reserved";
    o.push(`ps   ${String(i).padStart(4, " ")} : mp:${maxPower} ${flags & I.PSD_FLAG_NOPS ? "non-" : ""}operational enlat:${u32(d, p + I.PSD_ENLAT) | 0} exlat:${u32(d, p + I.PSD_EXLAT) | 0} rrt:${u8(d, p + I.PSD_RRT)} rrl:${u8(d, p + I.PSD_RRL)}`);
    o.push(`            rwt:${u8(d, p + I.PSD_RWT)} rwl:${u8(d, p + I.PSD_RWL)} idle_power:${powerAndScale(u16(d, p + I.PSD_IDLP), ips >> I.PSD_SCALE_SHIFT)} active_power:${powerAndScale(u16(d, p + I.PSD_ACTP), apws >> I.PSD_SCALE_SHIFT)}`);
    o.push(`            active_power_workload:${workload}`);
    const fqv = u8(d, p + I.PSD_EPFR_FQV_TS);
    psdTime(o, "emergency power fail recovery time", u8(d, p + I.PSD_EPFRT), fqv & 0xf);
    psdTime(o, "forced quiescence vault time", u8(d, p + I.PSD_FQVT), fqv >> 4);
    psdTime(o, "emergency power fail vault time", u8(d, p + I.PSD_EPFVT), u8(d, p + I.PSD_EPFVTS) & 0xf);
  }
}

/** `nvme id-ctrl` text (nvme-cli master stdout_id_ctrl), ending with a newline. */
export function idCtrlText(data: Uint8Array, opts: IdCtrlTextOptions): string {
  const d = data;
  const H = opts.human;
  const o: Out = [];
  const line = (label: string, value: string | number) => o.push(`${label.padEnd(10, " ")}: ${value}`);
  const field = (label: string, value: string | number, decode?: (o: Out) => void) => {
    line(label, value);
    if (H && decode) decode(o);
  };
  if (H && opts.productName) o.push(opts.productName, "");
  o.push("NVME Identify Controller:");
  field("vid", hex(u16(d, I.IDC_VID)));
  field("ssvid", hex(u16(d, I.IDC_SSVID)));
  field("sn", cStr(d, I.IDC_SN, I.IDC_SN_LEN));
  field("mn", cStr(d, I.IDC_MN, I.IDC_MN_LEN));
  field("fr", cStr(d, I.IDC_FR, I.IDC_FR_LEN));
  field("rab", u8(d, I.IDC_RAB));
  field("ieee", [2, 1, 0].map((k) => u8(d, I.IDC_IEEE + k).toString(16).padStart(2, "0")).join(""));
  field("cmic", hex(u8(d, I.IDC_CMIC)), (o) => cmic(o, u8(d, I.IDC_CMIC)));
  field("mdts", u8(d, I.IDC_MDTS));
  field("cntlid", hex(u16(d, I.IDC_CNTLID)));
  field("ver", hex(u32(d, I.IDC_VER)));
  field("rtd3r", hex(u32(d, I.IDC_RTD3R)));
  field("rtd3e", hex(u32(d, I.IDC_RTD3E)));
  field("oaes", hex(u32(d, I.IDC_OAES)), (o) => oaes(o, u32(d, I.IDC_OAES)));
  field("ctratt", hex(u32(d, I.IDC_CTRATT)), (o) => ctratt(o, u32(d, I.IDC_CTRATT)));
  field("rrls", hex(u16(d, I.IDC_RRLS)));
  field("bpcap", hex(u8(d, I.IDC_BPCAP)), (o) => bpcap(o, u8(d, I.IDC_BPCAP)));
  field("nssl", hex(u32(d, I.IDC_NSSL)));
  field("plsi", u8(d, I.IDC_PLSI), (o) => plsi(o, u8(d, I.IDC_PLSI)));
  field("cntrltype", u8(d, I.IDC_CNTRLTYPE), (o) => cntrltype(o, u8(d, I.IDC_CNTRLTYPE)));
  field("fguid", uuidString(d, I.IDC_FGUID));
  field("crdt1", u16(d, I.IDC_CRDT1));
  field("crdt2", u16(d, I.IDC_CRDT2));
  field("crdt3", u16(d, I.IDC_CRDT3));
  field("crcap", u8(d, I.IDC_CRCAP), (o) => crcap(o, u8(d, I.IDC_CRCAP)));
  field("nvmsr", u8(d, I.IDC_NVMSR), (o) => nvmsr(o, u8(d, I.IDC_NVMSR)));
  field("vwci", u8(d, I.IDC_VWCI), (o) => vwci(o, u8(d, I.IDC_VWCI)));
  field("mec", u8(d, I.IDC_MEC), (o) => mec(o, u8(d, I.IDC_MEC)));
  field("oacs", hex(u16(d, I.IDC_OACS)), (o) => oacs(o, u16(d, I.IDC_OACS)));
  field("acl", u8(d, I.IDC_ACL));
  field("aerl", u8(d, I.IDC_AERL));
  field("frmw", hex(u8(d, I.IDC_FRMW)), (o) => frmw(o, u8(d, I.IDC_FRMW)));
  field("lpa", hex(u8(d, I.IDC_LPA)), (o) => lpa(o, u8(d, I.IDC_LPA)));
  field("elpe", u8(d, I.IDC_ELPE), (o) => { o.push(`  [7:0] : ${u8(d, I.IDC_ELPE)} (0's based)\tError Log Page Entries (ELPE)`, ""); });
  field("npss", u8(d, I.IDC_NPSS), (o) => { o.push(`  [7:0] : ${u8(d, I.IDC_NPSS)} (0's based)\tNumber of Power States Support (NPSS)`, ""); });
  field("avscc", hex(u8(d, I.IDC_AVSCC)), (o) => oneBit(o, u8(d, I.IDC_AVSCC), "  [7:1] : ",
    `Admin Vendor Specific Commands uses ${u8(d, I.IDC_AVSCC) & 1 ? "NVMe" : "Vendor Specific"} Format`));
  field("apsta", hex(u8(d, I.IDC_APSTA)), (o) => oneBit(o, u8(d, I.IDC_APSTA), "  [7:1] : ",
    `Autonomous Power State Transitions ${not(u8(d, I.IDC_APSTA) & 1)}Supported`));
  field("wctemp", u16(d, I.IDC_WCTEMP), (o) => temperature(o, u16(d, I.IDC_WCTEMP), "Warning Composite Temperature Threshold (WCTEMP)"));
  field("cctemp", u16(d, I.IDC_CCTEMP), (o) => temperature(o, u16(d, I.IDC_CCTEMP), "Critical Composite Temperature Threshold (CCTEMP)"));
  field("mtfa", u16(d, I.IDC_MTFA));
  field("hmpre", u32(d, I.IDC_HMPRE));
  field("hmmin", u32(d, I.IDC_HMMIN));
  field("tnvmcap", l10n(u128(d, I.IDC_TNVMCAP)), (o) => {
    o.push(`[127:0] : ${l10n(u128(d, I.IDC_TNVMCAP))}`, "\tTotal NVM Capacity (TNVMCAP)", "");
  });
  field("unvmcap", l10n(u128(d, I.IDC_UNVMCAP)), (o) => {
    o.push(`[127:0] : ${l10n(u128(d, I.IDC_UNVMCAP))}`, "\tUnallocated NVM Capacity (UNVMCAP)", "");
  });
  field("rpmbs", hex(u32(d, I.IDC_RPMBS)), (o) => rpmbs(o, u32(d, I.IDC_RPMBS)));
  field("edstt", u16(d, I.IDC_EDSTT));
  field("dsto", u8(d, I.IDC_DSTO), (o) => dsto(o, u8(d, I.IDC_DSTO)));
  field("fwug", u8(d, I.IDC_FWUG));
  field("kas", u16(d, I.IDC_KAS));
  field("hctma", hex(u16(d, I.IDC_HCTMA)), (o) => hctma(o, u16(d, I.IDC_HCTMA)));
  field("mntmt", u16(d, I.IDC_MNTMT), (o) => temperature(o, u16(d, I.IDC_MNTMT), "Minimum Thermal Management Temperature (MNTMT)"));
  field("mxtmt", u16(d, I.IDC_MXTMT), (o) => temperature(o, u16(d, I.IDC_MXTMT), "Maximum Thermal Management Temperature (MXTMT)"));
  field("sanicap", hex(u32(d, I.IDC_SANICAP)), (o) => sanicap(o, u32(d, I.IDC_SANICAP)));
  field("hmminds", u32(d, I.IDC_HMMINDS));
  field("hmmaxd", u16(d, I.IDC_HMMAXD));
  field("nsetidmax", u16(d, I.IDC_NSETIDMAX));
  field("endgidmax", u16(d, I.IDC_ENDGIDMAX));
  field("anatt", u8(d, I.IDC_ANATT));
  field("anacap", u8(d, I.IDC_ANACAP), (o) => anacap(o, u8(d, I.IDC_ANACAP)));
  field("anagrpmax", u32(d, I.IDC_ANAGRPMAX));
  field("nanagrpid", u32(d, I.IDC_NANAGRPID));
  field("pels", u32(d, I.IDC_PELS));
  field("domainid", u16(d, I.IDC_DOMAINID));
  field("kpioc", u8(d, I.IDC_KPIOC), (o) => kpioc(o, u8(d, I.IDC_KPIOC)));
  field("mptfawr", u16(d, I.IDC_MPTFAWR));
  field("megcap", l10n(u128(d, I.IDC_MEGCAP)));
  field("tmpthha", hex(u8(d, I.IDC_TMPTHHA)), (o) => tmpthha(o, u8(d, I.IDC_TMPTHHA)));
  field("cqt", u16(d, I.IDC_CQT));
  field("cdpa", u16(d, I.IDC_CDPA), (o) => cdpa(o, u16(d, I.IDC_CDPA)));
  field("mup", u16(d, I.IDC_MUP));
  field("ipmsr", hex(u16(d, I.IDC_IPMSR)), (o) => ipmsr(o, u16(d, I.IDC_IPMSR)));
  field("msmt", hex(u16(d, I.IDC_MSMT)));
  field("sqes", hex(u8(d, I.IDC_SQES)), (o) => qes(o, u8(d, I.IDC_SQES), "SQ"));
  field("cqes", hex(u8(d, I.IDC_CQES)), (o) => qes(o, u8(d, I.IDC_CQES), "CQ"));
  field("maxcmd", u16(d, I.IDC_MAXCMD));
  field("nn", u32(d, I.IDC_NN));
  field("oncs", hex(u16(d, I.IDC_ONCS)), (o) => oncs(o, u16(d, I.IDC_ONCS)));
  field("fuses", hex(u16(d, I.IDC_FUSES)), (o) => fuses(o, u16(d, I.IDC_FUSES)));
  field("fna", hex(u8(d, I.IDC_FNA)), (o) => fna(o, u8(d, I.IDC_FNA)));
  field("vwc", hex(u8(d, I.IDC_VWC)), (o) => vwc(o, u8(d, I.IDC_VWC)));
  field("awun", u16(d, I.IDC_AWUN));
  field("awupf", u16(d, I.IDC_AWUPF));
  field("icsvscc", u8(d, I.IDC_ICSVSCC), (o) => oneBit(o, u8(d, I.IDC_ICSVSCC), "  [7:1] : ",
    `NVM Vendor Specific Commands uses ${u8(d, I.IDC_ICSVSCC) & 1 ? "NVMe" : "Vendor Specific"} Format`));
  field("nwpc", u8(d, I.IDC_NWPC), (o) => nwpc(o, u8(d, I.IDC_NWPC)));
  field("acwu", u16(d, I.IDC_ACWU));
  field("ocfs", hex(u16(d, I.IDC_OCFS)), (o) => ocfs(o, u16(d, I.IDC_OCFS)));
  field("sgls", hex(u32(d, I.IDC_SGLS)), (o) => sgls(o, u32(d, I.IDC_SGLS)));
  field("mnan", u32(d, I.IDC_MNAN));
  field("maxdna", l10n(u128(d, I.IDC_MAXDNA)));
  field("maxcna", u32(d, I.IDC_MAXCNA));
  field("oaqd", u32(d, I.IDC_OAQD));
  field("rhiri", u8(d, I.IDC_RHIRI));
  field("hirt", u8(d, I.IDC_HIRT));
  field("cmmrtd", u16(d, I.IDC_CMMRTD));
  field("nmmrtd", u16(d, I.IDC_NMMRTD));
  field("minmrtg", u8(d, I.IDC_MINMRTG));
  field("maxmrtg", u8(d, I.IDC_MAXMRTG));
  field("trattr", u8(d, I.IDC_TRATTR), (o) => trattr(o, u8(d, I.IDC_TRATTR)));
  field("mcudmq", u16(d, I.IDC_MCUDMQ));
  field("mnsudmq", u16(d, I.IDC_MNSUDMQ));
  field("mcmr", u16(d, I.IDC_MCMR));
  field("nmcmr", u16(d, I.IDC_NMCMR));
  field("mcdqpc", u16(d, I.IDC_MCDQPC));
  field("subnqn", cStr(d, I.IDC_SUBNQN, I.IDC_SUBNQN_LEN));
  field("ioccsz", u32(d, I.IDC_IOCCSZ));
  field("iorcsz", u32(d, I.IDC_IORCSZ));
  field("icdoff", u16(d, I.IDC_ICDOFF));
  field("fcatt", hex(u8(d, I.IDC_FCATT)), (o) => fcatt(o, u8(d, I.IDC_FCATT)));
  field("msdbd", u8(d, I.IDC_MSDBD));
  field("ofcs", u16(d, I.IDC_OFCS), (o) => ofcs(o, u16(d, I.IDC_OFCS)));
  field("dctype", u8(d, I.IDC_DCTYPE), (o) => dctype(o, u8(d, I.IDC_DCTYPE)));
  field("ccrl", u8(d, I.IDC_CCRL));
  powerStates(o, d);
  let text = o.join("\n") + "\n";
  if (opts.vendorSpecific) text += "vs[]:\n" + hexdump(d.subarray(I.IDC_VS, I.IDC_VS + I.IDC_VS_LEN));
  return text;
}

/** `nvme id-ctrl -o json` object (nvme-cli master json_nvme_id_ctrl); serialize with toNvmeJson. */
export function idCtrlJson(data: Uint8Array, opts: { productName?: string } = {}): Record<string, unknown> {
  const d = data;
  const r: Record<string, unknown> = {};
  if (opts.productName) r.product_name = opts.productName;
  const ieee = (u8(d, I.IDC_IEEE + 2) << 16) | (u8(d, I.IDC_IEEE + 1) << 8) | u8(d, I.IDC_IEEE);
  Object.assign(r, {
    vid: u16(d, I.IDC_VID), ssvid: u16(d, I.IDC_SSVID),
    sn: cStr(d, I.IDC_SN, I.IDC_SN_LEN), mn: cStr(d, I.IDC_MN, I.IDC_MN_LEN), fr: cStr(d, I.IDC_FR, I.IDC_FR_LEN),
    rab: u8(d, I.IDC_RAB), ieee, cmic: u8(d, I.IDC_CMIC), mdts: u8(d, I.IDC_MDTS), cntlid: u16(d, I.IDC_CNTLID),
    ver: u32(d, I.IDC_VER), rtd3r: u32(d, I.IDC_RTD3R), rtd3e: u32(d, I.IDC_RTD3E), oaes: u32(d, I.IDC_OAES),
    ctratt: u32(d, I.IDC_CTRATT), rrls: u16(d, I.IDC_RRLS), bpcap: u8(d, I.IDC_BPCAP), nssl: u32(d, I.IDC_NSSL),
    plsi: u8(d, I.IDC_PLSI), cntrltype: u8(d, I.IDC_CNTRLTYPE), fguid: uuidString(d, I.IDC_FGUID),
    crdt1: u16(d, I.IDC_CRDT1), crdt2: u16(d, I.IDC_CRDT2), crdt3: u16(d, I.IDC_CRDT3), crcap: u8(d, I.IDC_CRCAP),
    nvmsr: u8(d, I.IDC_NVMSR), vwci: u8(d, I.IDC_VWCI), mec: u8(d, I.IDC_MEC), oacs: u16(d, I.IDC_OACS),
    acl: u8(d, I.IDC_ACL), aerl: u8(d, I.IDC_AERL), frmw: u8(d, I.IDC_FRMW), lpa: u8(d, I.IDC_LPA),
    elpe: u8(d, I.IDC_ELPE), npss: u8(d, I.IDC_NPSS), avscc: u8(d, I.IDC_AVSCC), apsta: u8(d, I.IDC_APSTA),
    wctemp: u16(d, I.IDC_WCTEMP), cctemp: u16(d, I.IDC_CCTEMP), mtfa: u16(d, I.IDC_MTFA),
    hmpre: u32(d, I.IDC_HMPRE), hmmin: u32(d, I.IDC_HMMIN),
    tnvmcap: jnum(u128(d, I.IDC_TNVMCAP)), unvmcap: jnum(u128(d, I.IDC_UNVMCAP)),
    rpmbs: u32(d, I.IDC_RPMBS), edstt: u16(d, I.IDC_EDSTT), dsto: u8(d, I.IDC_DSTO), fwug: u8(d, I.IDC_FWUG),
    kas: u16(d, I.IDC_KAS), hctma: u16(d, I.IDC_HCTMA), mntmt: u16(d, I.IDC_MNTMT), mxtmt: u16(d, I.IDC_MXTMT),
    sanicap: u32(d, I.IDC_SANICAP), hmminds: u32(d, I.IDC_HMMINDS), hmmaxd: u16(d, I.IDC_HMMAXD),
    nsetidmax: u16(d, I.IDC_NSETIDMAX), endgidmax: u16(d, I.IDC_ENDGIDMAX), anatt: u8(d, I.IDC_ANATT),
    anacap: u8(d, I.IDC_ANACAP), anagrpmax: u32(d, I.IDC_ANAGRPMAX), nanagrpid: u32(d, I.IDC_NANAGRPID),
    pels: u32(d, I.IDC_PELS), domainid: u16(d, I.IDC_DOMAINID), kpioc: u8(d, I.IDC_KPIOC),
    mptfawr: u16(d, I.IDC_MPTFAWR), megcap: jnum(u128(d, I.IDC_MEGCAP)), tmpthha: u8(d, I.IDC_TMPTHHA),
    cqt: u16(d, I.IDC_CQT), cdpa: u16(d, I.IDC_CDPA), mup: u16(d, I.IDC_MUP), ipmsr: u16(d, I.IDC_IPMSR),
    msmt: u16(d, I.IDC_MSMT), sqes: u8(d, I.IDC_SQES), cqes: u8(d, I.IDC_CQES), maxcmd: u16(d, I.IDC_MAXCMD),
    nn: u32(d, I.IDC_NN), oncs: u16(d, I.IDC_ONCS), fuses: u16(d, I.IDC_FUSES), fna: u8(d, I.IDC_FNA),
    vwc: u8(d, I.IDC_VWC), awun: u16(d, I.IDC_AWUN), awupf: u16(d, I.IDC_AWUPF), icsvscc: u8(d, I.IDC_ICSVSCC),
    nwpc: u8(d, I.IDC_NWPC), acwu: u16(d, I.IDC_ACWU), ocfs: u16(d, I.IDC_OCFS), sgls: u32(d, I.IDC_SGLS),
    mnan: u32(d, I.IDC_MNAN), maxdna: jnum(u128(d, I.IDC_MAXDNA)), maxcna: u32(d, I.IDC_MAXCNA),
    oaqd: u32(d, I.IDC_OAQD), rhiri: u8(d, I.IDC_RHIRI), hirt: u8(d, I.IDC_HIRT), cmmrtd: u16(d, I.IDC_CMMRTD),
    nmmrtd: u16(d, I.IDC_NMMRTD), minmrtg: u8(d, I.IDC_MINMRTG), maxmrtg: u8(d, I.IDC_MAXMRTG),
    trattr: u8(d, I.IDC_TRATTR), mcudmq: u16(d, I.IDC_MCUDMQ), mnsudmq: u16(d, I.IDC_MNSUDMQ),
    mcmr: u16(d, I.IDC_MCMR), nmcmr: u16(d, I.IDC_NMCMR), mcdqpc: u16(d, I.IDC_MCDQPC),
  });
  const subnqn = cStr(d, I.IDC_SUBNQN, I.IDC_SUBNQN_LEN);
  if (subnqn.length) r.subnqn = subnqn;
  Object.assign(r, {
    ioccsz: u32(d, I.IDC_IOCCSZ), iorcsz: u32(d, I.IDC_IORCSZ), icdoff: u16(d, I.IDC_ICDOFF),
    fcatt: u8(d, I.IDC_FCATT), msdbd: u8(d, I.IDC_MSDBD), ofcs: u16(d, I.IDC_OFCS),
    dctype: u8(d, I.IDC_DCTYPE), ccrl: u8(d, I.IDC_CCRL),
  });
  const psds: Array<Record<string, number>> = [];
  const npss = u8(d, I.IDC_NPSS);
  for (let i = 0; i <= npss && i < I.IDC_PSD_COUNT; i++) {
    const p = I.IDC_PSD0 + i * I.IDC_PSD_SIZE;
    const flags = u8(d, p + I.PSD_FLAGS), fqv = u8(d, p + I.PSD_EPFR_FQV_TS), apws = u8(d, p + I.PSD_APWS);
    psds.push({
      max_power: u16(d, p + I.PSD_MP),
      max_power_scale: flags & I.PSD_FLAG_MXPS,
      "non-operational_state": flags & I.PSD_FLAG_NOPS ? 1 : 0,
      entry_lat: u32(d, p + I.PSD_ENLAT),
      exit_lat: u32(d, p + I.PSD_EXLAT),
      read_tput: u8(d, p + I.PSD_RRT),
      read_lat: u8(d, p + I.PSD_RRL),
      write_tput: u8(d, p + I.PSD_RWT),
      write_lat: u8(d, p + I.PSD_RWL),
      idle_power: u16(d, p + I.PSD_IDLP),
      idle_scale: (u8(d, p + I.PSD_IPS) >> I.PSD_SCALE_SHIFT) & 3,
      active_power: u16(d, p + I.PSD_ACTP),
      active_power_work: apws & 7,
      active_scale: (apws >> I.PSD_SCALE_SHIFT) & 3,
      emerg_power_fail_recover_time: u8(d, p + I.PSD_EPFRT),
      emerg_power_fail_recover_scale: fqv & 0xf,
      force_quiesce_vault_time: u8(d, p + I.PSD_FQVT),
      force_quiesce_vault_scale: fqv >> 4,
      emerg_power_fail_vault_time: u8(d, p + I.PSD_EPFVT),
      emerg_power_fail_vault_scale: u8(d, p + I.PSD_EPFVTS) & 0xf,
    });
  }
  r.psds = psds;
  return r;
}
