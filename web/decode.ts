// Decoding for display: Identify Controller / Identify Namespace fields, CQE status values
// with the specification's names, and hexdump helpers. Pure functions over bytes, shared
// by the playground's views (no DOM here).

import * as I from "../assembly/spec/identify";
import * as S from "../assembly/spec/status";
import { statusName } from "../src/cli/print/status";
import { formatBytes } from "../src/util/units";

export interface Field {
  /** nvme-cli's field name, upper case as in the specification (e.g. "ONCS"). */
  name: string;
  /** What the field is, in words. */
  label: string;
  /** The value as stored (hex or decimal). */
  value: string;
  /** What the value means, e.g. the set bits by name. */
  meaning?: string[];
}

const hex = (v: number | bigint, digits = 0) => `0x${v.toString(16).padStart(digits, "0")}`;

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

/** An ASCII field of an Identify page, trailing spaces and NULs removed. */
export function asciiField(b: Uint8Array, off: number, len: number): string {
  let s = "";
  for (let i = 0; i < len; i++) s += String.fromCharCode(b[off + i]);
  return s.replace(/[\s\0]+$/, "");
}

function bitNames(v: number, names: Record<number, string>, width: number): string[] {
  const out: string[] = [];
  for (let bit = 0; bit < width; bit++) {
    if (((v >>> bit) & 1) === 0) continue;
    out.push(`bit ${bit} ${names[bit] ?? "(reserved)"}`);
  }
  return out;
}

/** ONCS: Optional NVM Command Support (Base 2.1 Figure 312). */
export const ONCS_BITS: Record<number, string> = {
  0: "Compare", 1: "Write Uncorrectable", 2: "Dataset Management", 3: "Write Zeroes",
  4: "Save field in Set/Get Features", 5: "Reservations", 6: "Timestamp", 7: "Verify",
  8: "Copy", 9: "Copy Single Atomicity", 10: "All Fast Copy", 11: "Max Write Zeroes with Deallocate",
  12: "Namespace Zeroes",
};

/** OCFS: Copy Descriptor Formats Supported. */
export const OCFS_BITS: Record<number, string> = {
  0: "Format 0h (32-byte source ranges)",
  1: "Format 1h (40-byte source ranges, 64-bit PI)",
  2: "Format 2h (32-byte, source NSID)",
  3: "Format 3h (40-byte, source NSID)",
};

const SGLS_BITS: Record<number, string> = {
  2: "Keyed SGL Data Block", 16: "SGL Bit Bucket", 17: "byte-aligned contiguous MPTR",
  18: "SGL longer than data", 19: "MPTR may point to an SGL", 20: "Address as offset",
  21: "Transport SGL Data Block",
};

function sglsMeaning(v: number): string[] {
  const support = ["not supported", "supported, no alignment required", "supported, Dword alignment required", "reserved"][v & 3];
  const rest = bitNames(v & ~3, SGLS_BITS, 32);
  return [`bits 1:0 SGLs ${support}`, ...rest];
}

export function versionString(v: number): string {
  return `${v >>> 16}.${(v >>> 8) & 0xff}.${v & 0xff}`;
}

/** The Identify Controller fields the playground shows, in the page's order. */
export function decodeIdentifyController(b: Uint8Array, mpsminBytes = 4096): Field[] {
  const dv = view(b);
  const ver = dv.getUint32(I.IDC_VER, true);
  const mdts = b[I.IDC_MDTS];
  const oncs = dv.getUint16(I.IDC_ONCS, true);
  const ocfs = dv.getUint16(I.IDC_OCFS, true);
  const sgls = dv.getUint32(I.IDC_SGLS, true);
  return [
    { name: "MN", label: "Model Number", value: asciiField(b, I.IDC_MN, I.IDC_MN_LEN) },
    { name: "SN", label: "Serial Number", value: asciiField(b, I.IDC_SN, I.IDC_SN_LEN) },
    { name: "FR", label: "Firmware Revision", value: asciiField(b, I.IDC_FR, I.IDC_FR_LEN) },
    { name: "VID", label: "PCI Vendor ID", value: hex(dv.getUint16(I.IDC_VID, true), 4) },
    { name: "VER", label: "Version", value: hex(ver, 8), meaning: [`NVMe ${versionString(ver)}`] },
    {
      name: "MDTS", label: "Maximum Data Transfer Size", value: String(mdts),
      meaning: [mdts === 0 ? "no limit" : `2^${mdts} × ${formatBytes(mpsminBytes)} = ${formatBytes(2 ** mdts * mpsminBytes)} per command`],
    },
    { name: "NN", label: "Number of Namespaces", value: String(dv.getUint32(I.IDC_NN, true)), meaning: ["highest NSID the controller supports"] },
    { name: "ONCS", label: "Optional NVM Command Support", value: hex(oncs, 4), meaning: bitNames(oncs, ONCS_BITS, 16) },
    { name: "OCFS", label: "Optional Copy Formats Supported", value: hex(ocfs, 4), meaning: bitNames(ocfs, OCFS_BITS, 16) },
    { name: "SGLS", label: "SGL Support", value: hex(sgls, 8), meaning: sglsMeaning(sgls) },
    { name: "SUBNQN", label: "NVM Subsystem NQN", value: asciiField(b, I.IDC_SUBNQN, I.IDC_SUBNQN_LEN) },
  ];
}

export interface LbaFormatInfo {
  index: number;
  dataBytes: number;
  metadataBytes: number;
  rp: number;
  extended: boolean;
}

export function lbaFormatInUse(b: Uint8Array): LbaFormatInfo {
  const flbas = b[I.IDN_FLBAS];
  const index = (flbas & I.FLBAS_INDEX_LO_MASK) | (((flbas >> 5) & 3) << 4);
  const off = I.IDN_LBAF0 + index * I.IDN_LBAF_SIZE;
  return {
    index,
    metadataBytes: view(b).getUint16(off + I.LBAF_MS, true),
    dataBytes: 2 ** b[off + I.LBAF_LBADS],
    rp: b[off + I.LBAF_RP] & 3,
    extended: (flbas & I.FLBAS_EXTENDED) !== 0,
  };
}

/** The Identify Namespace (NVM) fields the playground shows. */
export function decodeIdentifyNamespace(b: Uint8Array): Field[] {
  const dv = view(b);
  const f = lbaFormatInUse(b);
  const blocks = (off: number) => {
    const n = dv.getBigUint64(off, true);
    return { value: String(n), meaning: [`${formatBytes(Number(n) * f.dataBytes)} in ${f.dataBytes}-byte blocks`] };
  };
  const mssrl = dv.getUint16(I.IDN_MSSRL, true);
  const mcl = dv.getUint32(I.IDN_MCL, true);
  const msrc = b[I.IDN_MSRC];
  return [
    { name: "NSZE", label: "Namespace Size", ...blocks(I.IDN_NSZE) },
    { name: "NCAP", label: "Namespace Capacity", ...blocks(I.IDN_NCAP) },
    { name: "NUSE", label: "Namespace Utilization", ...blocks(I.IDN_NUSE) },
    {
      name: "FLBAS", label: "LBA format in use", value: hex(b[I.IDN_FLBAS], 2),
      meaning: [
        `LBAF ${f.index} of ${b[I.IDN_NLBAF] + 1}: ${f.dataBytes}-byte data, ${f.metadataBytes}-byte metadata${f.metadataBytes ? (f.extended ? " (extended LBA)" : " (separate buffer)") : ""}, RP ${f.rp}`,
      ],
    },
    { name: "MSSRL", label: "Maximum Single Source Range Length", value: String(mssrl), meaning: [`${mssrl} blocks per source range`] },
    { name: "MCL", label: "Maximum Copy Length", value: String(mcl), meaning: [`${mcl} blocks per Copy command`] },
    { name: "MSRC", label: "Maximum Source Range Count", value: String(msrc), meaning: [`0's based: ${msrc + 1} source ranges per Copy command`] },
  ];
}

const SCT_NAMES = ["Generic Command Status", "Command Specific Status", "Media and Data Integrity Errors", "Path Related Status"];

export interface StatusInfo {
  /** The status field as nvme-cli prints it (SCT << 8 | SC, with CRD, More, DNR). */
  raw: number;
  sct: number;
  sc: number;
  name: string;
  sctName: string;
  dnr: boolean;
  more: boolean;
  crd: number;
}

export function decodeStatus(status: number): StatusInfo {
  const sct = (status >>> S.STATUS_SCT_SHIFT) & S.STATUS_SCT_MASK;
  const sc = status & S.STATUS_SC_MASK;
  return {
    raw: status,
    sct,
    sc,
    name: statusName(status),
    sctName: SCT_NAMES[sct] ?? (sct === 7 ? "Vendor Specific" : "Reserved"),
    dnr: (status & S.STATUS_DNR) !== 0,
    more: (status & S.STATUS_MORE) !== 0,
    crd: (status >>> S.STATUS_CRD_SHIFT) & 3,
  };
}

export function hexBytes(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join(" ");
}

export function asciiBytes(b: Uint8Array): string {
  return Array.from(b, (x) => (x >= 0x20 && x < 0x7f ? String.fromCharCode(x) : ".")).join("");
}

export function hex32(v: number): string {
  return hex(v >>> 0, 8);
}
export { hex };
