// `nvme id-ns` output: the Identify Namespace data structure (CNS 00h, NVM Command Set)
// as nvme-cli master's stdout_id_ns prints it, including the Copy limits (mssrl, mcl, msrc),
// the -H bit decodings and the LBA format lines marked "(in use)"; plus the JSON object of
// json_nvme_id_ns. Pure functions over the 4096-byte page.

import * as I from "../../../assembly/spec/identify";
import { u8, u16, u32, u64, u128, hex, l10n, hexBytes, not, jnum } from "./fmt";
import { hexdump } from "./hexdump";

export interface IdNsTextOptions {
  /** -H / --human-readable. */
  human: boolean;
  /** -V / --vendor-specific: hexdump the 384-byte vendor specific area. */
  vendorSpecific?: boolean;
}

type Out = string[];

/** nvme_id_ns_flbas_to_lbaf_inuse: FLBAS bits 3:0 plus bits 6:5 as bits 5:4. */
export function lbafInUse(flbas: number): number {
  return (flbas & I.FLBAS_INDEX_LO_MASK) | ((flbas & I.FLBAS_INDEX_HI_MASK) >> 1);
}

function rpText(rp: number): string {
  return rp === 3 ? "Degraded" : rp === 2 ? "Good" : rp === 1 ? "Better" : "Best";
}

function nsfeat(o: Out, v: number): void {
  const optrperf = (v >> 7) & 1, mam = (v >> 6) & 1, optperf = (v >> 4) & 3;
  const uidreuse = (v >> 3) & 1, dulbe = (v >> 2) & 1, na = (v >> 1) & 1, thin = v & 1;
  o.push(`  [7:7] : ${hex(optrperf)}\tNPRG, NPRA and NORS are ${not(optrperf)}Supported`);
  o.push(`  [6:6] : ${hex(mam)}\t${mam ? "Multiple" : "Single"} Atomicity Mode applies to write operations`);
  o.push(`  [5:4] : ${hex(optperf)}\tNPWG, NPWA, ${(optperf & 1) || !optperf ? "NPDG, " : ""}${(optperf & 2) || !optperf ? "NPDGL, " : ""}NPDA, and NOWS are ${not(optperf)}Supported`);
  o.push(`  [3:3] : ${hex(uidreuse)}\tNGUID and EUI64 fields if non-zero, ${uidreuse ? "Never " : ""}Reused`);
  o.push(`  [2:2] : ${hex(dulbe)}\tDeallocated or Unwritten Logical Block error ${not(dulbe)}Supported`);
  o.push(`  [1:1] : ${hex(na)}\tNamespace uses ${na ? "NAWUN, NAWUPF, and NACWU" : "AWUN, AWUPF, and ACWU"}`);
  o.push(`  [0:0] : ${hex(thin)}\tThin Provisioning ${not(thin)}Supported`);
  o.push("");
}

function flbas(o: Out, v: number): void {
  const rsvd = (v >> 7) & 1, msb = (v & I.FLBAS_INDEX_HI_MASK) >> 5, ext = (v & I.FLBAS_EXTENDED) ? 1 : 0, lsb = v & I.FLBAS_INDEX_LO_MASK;
  if (rsvd) o.push(`  [7:7] : ${hex(rsvd)}\tReserved`);
  o.push(`  [6:5] : ${hex(msb)}\tMost significant 2 bits of Current LBA Format Selected`);
  o.push(`  [4:4] : ${hex(ext)}\tMetadata Transferred ${ext ? "at End of Data LBA" : "in Separate Contiguous Buffer"}`);
  o.push(`  [3:0] : ${hex(lsb)}\tLeast significant 4 bits of Current LBA Format Selected`);
  o.push("");
}

function mc(o: Out, v: number): void {
  const rsvd = (v & 0xfc) >> 2, mdp = (v >> 1) & 1, ext = v & 1;
  if (rsvd) o.push(`  [7:2] : ${hex(rsvd)}\tReserved`);
  o.push(`  [1:1] : ${hex(mdp)}\tMetadata Pointer ${not(mdp)}Supported`);
  o.push(`  [0:0] : ${hex(ext)}\tMetadata as Part of Extended Data LBA ${not(ext)}Supported`);
  o.push("");
}

function dpc(o: Out, v: number): void {
  const b = (n: number) => (v >> n) & 1;
  const rsvd = (v & 0xe0) >> 5;
  if (rsvd) o.push(`  [7:5] : ${hex(rsvd)}\tReserved`);
  o.push(`  [4:4] : ${hex(b(4))}\tProtection Information Transferred as Last Bytes of Metadata ${not(b(4))}Supported`);
  o.push(`  [3:3] : ${hex(b(3))}\tProtection Information Transferred as First Bytes of Metadata ${not(b(3))}Supported`);
  o.push(`  [2:2] : ${hex(b(2))}\tProtection Information Type 3 ${not(b(2))}Supported`);
  o.push(`  [1:1] : ${hex(b(1))}\tProtection Information Type 2 ${not(b(1))}Supported`);
  o.push(`  [0:0] : ${hex(b(0))}\tProtection Information Type 1 ${not(b(0))}Supported`);
  o.push("");
}

function dps(o: Out, v: number): void {
  const rsvd = (v & 0xf0) >> 4, first = (v >> 3) & 1, pit = v & 7;
  const pitText = pit === 3 ? "Type 3 Enabled" : pit === 2 ? "Type 2 Enabled" : pit === 1 ? "Type 1 Enabled" : pit === 0 ? "Disabled" : "Reserved Enabled";
  if (rsvd) o.push(`  [7:4] : ${hex(rsvd)}\tReserved`);
  o.push(`  [3:3] : ${hex(first)}\tProtection Information is Transferred as ${first ? "First" : "Last"} Bytes of Metadata`);
  o.push(`  [2:0] : ${hex(pit)}\tProtection Information ${pitText}`);
  o.push("");
}

function nmic(o: Out, v: number): void {
  const rsvd = (v & 0xfc) >> 2, disns = (v >> 1) & 1, shrns = v & 1;
  if (rsvd) o.push(`  [7:2] : ${hex(rsvd)}\tReserved`);
  o.push(`  [1:1] : ${hex(disns)}\tNamespace is ${not(disns)}a Dispersed Namespace`);
  o.push(`  [0:0] : ${hex(shrns)}\tNamespace Multipath ${not(shrns)}Capable`);
  o.push("");
}

function rescap(o: Out, v: number): void {
  const b = (n: number) => (v >> n) & 1;
  o.push(`  [7:7] : ${hex(b(7))}\tIgnore Existing Key - Used as defined in revision ${b(7) ? "1.3 or later" : "1.2.1 or earlier"}`);
  const names = ["Persist Through Power Loss", "Write Exclusive", "Exclusive Access", "Write Exclusive - Registrants Only",
    "Exclusive Access - Registrants Only", "Write Exclusive - All Registrants", "Exclusive Access - All Registrants"];
  for (let n = 6; n >= 0; n--) o.push(`  [${n}:${n}] : ${hex(b(n))}\t${names[n]} ${not(b(n))}Supported`);
  o.push("");
}

function fpi(o: Out, v: number): void {
  const fpis = (v >> 7) & 1, fpii = v & 0x7f;
  o.push(`  [7:7] : ${hex(fpis)}\tFormat Progress Indicator ${not(fpis)}Supported`);
  if (fpis || fpii) o.push(`  [6:0] : ${hex(fpii)}\tFormat Progress Indicator (Remaining ${fpii}%)`);
  o.push("");
}

function dlfeat(o: Out, v: number): void {
  const rsvd = (v & 0xe0) >> 5, guard = (v >> 4) & 1, dwz = (v >> 3) & 1, val = v & 7;
  const read = val === 2 ? "0xFF" : val === 1 ? "0x00" : val === 0 ? "Not Reported" : "Reserved Value";
  if (rsvd) o.push(`  [7:5] : ${hex(rsvd)}\tReserved`);
  o.push(`  [4:4] : ${hex(guard)}\tGuard Field of Deallocated Logical Blocks is set to ${guard ? "CRC of The Value Read" : "0xFFFF"}`);
  o.push(`  [3:3] : ${hex(dwz)}\tDeallocate Bit in the Write Zeroes Command is ${not(dwz)}Supported`);
  o.push(`  [2:0] : ${hex(val)}\tBytes Read From a Deallocated Logical Block and its Metadata are ${read}`);
  o.push("");
}

function kpios(o: Out, v: number): void {
  const rsvd = (v & 0xfc) >> 2, sup = (v >> 1) & 1, en = v & 1;
  if (rsvd) o.push(`  [7:2] : ${hex(rsvd)}\tReserved`);
  o.push(`  [1:1] : ${hex(sup)}\tKey Per I/O Capability ${not(sup)}Supported`);
  o.push(`  [0:0] : ${hex(en)}\tKey Per I/O Capability ${en ? "Enabled" : "Disabled"}`);
  o.push("");
}

function nsattr(o: Out, v: number): void {
  const rsvd = (v & 0xfe) >> 1, wp = v & 1;
  if (rsvd) o.push(`  [7:1] : ${hex(rsvd)}\tReserved`);
  o.push(`  [0:0] : ${hex(wp)}\tNamespace ${not(wp)}Write Protected`);
  o.push("");
}

/** `nvme id-ns` text (nvme-cli master stdout_id_ns), ending with a newline. */
export function idNsText(data: Uint8Array, nsid: number, opts: IdNsTextOptions): string {
  const d = data;
  const H = opts.human;
  const o: Out = [];
  const nsfeatV = u8(d, I.IDN_NSFEAT);
  o.push(`NVME Identify Namespace ${nsid | 0}:`);
  const size = (label: string, off: number, text: string) =>
    o.push(`${label}: ${hex(u64(d, off))}${H ? `\t${text}` : ""}`);
  size("nsze    ", I.IDN_NSZE, "Total size in logical blocks");
  size("ncap    ", I.IDN_NCAP, "Maximum size in logical blocks");
  size("nuse    ", I.IDN_NUSE, "Current size in logical blocks");
  const field = (label: string, value: string | number, decode?: (o: Out) => void) => {
    o.push(`${label}: ${value}`);
    if (H && decode) decode(o);
  };
  field("nsfeat  ", hex(nsfeatV), (o) => nsfeat(o, nsfeatV));
  field("nlbaf   ", u8(d, I.IDN_NLBAF));
  field("flbas   ", hex(u8(d, I.IDN_FLBAS)), (o) => flbas(o, u8(d, I.IDN_FLBAS)));
  field("mc      ", hex(u8(d, I.IDN_MC)), (o) => mc(o, u8(d, I.IDN_MC)));
  field("dpc     ", hex(u8(d, I.IDN_DPC)), (o) => dpc(o, u8(d, I.IDN_DPC)));
  field("dps     ", hex(u8(d, I.IDN_DPS)), (o) => dps(o, u8(d, I.IDN_DPS)));
  field("nmic    ", hex(u8(d, I.IDN_NMIC)), (o) => nmic(o, u8(d, I.IDN_NMIC)));
  field("rescap  ", hex(u8(d, I.IDN_RESCAP)), (o) => rescap(o, u8(d, I.IDN_RESCAP)));
  field("fpi     ", hex(u8(d, I.IDN_FPI)), (o) => fpi(o, u8(d, I.IDN_FPI)));
  field("dlfeat  ", u8(d, I.IDN_DLFEAT), (o) => dlfeat(o, u8(d, I.IDN_DLFEAT)));
  field("nawun   ", u16(d, I.IDN_NAWUN));
  field("nawupf  ", u16(d, I.IDN_NAWUPF));
  field("nacwu   ", u16(d, I.IDN_NACWU));
  field("nabsn   ", u16(d, I.IDN_NABSN));
  field("nabo    ", u16(d, I.IDN_NABO));
  field("nabspf  ", u16(d, I.IDN_NABSPF));
  field("noiob   ", u16(d, I.IDN_NOIOB));
  field("nvmcap  ", l10n(u128(d, I.IDN_NVMCAP)));
  if (nsfeatV & 0x30) {
    field("npwg    ", u16(d, I.IDN_NPWG));
    field("npwa    ", u16(d, I.IDN_NPWA));
    if (nsfeatV & 0x10) field("npdg    ", u16(d, I.IDN_NPDG));
    field("npda    ", u16(d, I.IDN_NPDA));
    field("nows    ", u16(d, I.IDN_NOWS));
  }
  field("mssrl   ", u16(d, I.IDN_MSSRL));
  field("mcl     ", u32(d, I.IDN_MCL));
  field("msrc    ", u8(d, I.IDN_MSRC));
  field("kpios   ", u8(d, I.IDN_KPIOS), (o) => kpios(o, u8(d, I.IDN_KPIOS)));
  field("nulbaf  ", u8(d, I.IDN_NULBAF));
  field("kpiodaag", u32(d, I.IDN_KPIODAAG));
  field("anagrpid", u32(d, I.IDN_ANAGRPID));
  field("nsattr\t", u8(d, I.IDN_NSATTR), (o) => nsattr(o, u8(d, I.IDN_NSATTR)));
  field("nvmsetid", u16(d, I.IDN_NVMSETID));
  field("endgid  ", u16(d, I.IDN_ENDGID));
  field("nguid   ", hexBytes(d, I.IDN_NGUID, 16));
  field("eui64   ", hexBytes(d, I.IDN_EUI64, 8));
  const inUse = lbafInUse(u8(d, I.IDN_FLBAS));
  const count = u8(d, I.IDN_NLBAF) + u8(d, I.IDN_NULBAF);
  for (let i = 0; i <= count && i < I.IDN_LBAF_MAX; i++) {
    const f = I.IDN_LBAF0 + i * I.IDN_LBAF_SIZE;
    const ms = u16(d, f + I.LBAF_MS), ds = u8(d, f + I.LBAF_LBADS), rp = u8(d, f + I.LBAF_RP);
    const mark = i === inUse ? "(in use)" : "";
    const idx = String(i).padStart(2, " ");
    if (H) {
      o.push(`LBA Format ${idx} : Metadata Size: ${String(ms).padEnd(3, " ")} bytes - Data Size: ${String(2 ** ds).padEnd(2, " ")} bytes - Relative Performance: ${hex(rp)} ${rpText(rp)} ${mark}`);
    } else {
      o.push(`lbaf ${idx} : ms:${String(ms).padEnd(3, " ")} lbads:${String(ds).padEnd(2, " ")} rp:${hex(rp)} ${mark}`);
    }
  }
  let text = o.join("\n") + "\n";
  if (opts.vendorSpecific) text += "vs[]:\n" + hexdump(d.subarray(I.IDN_VS, I.IDN_VS + I.IDN_VS_LEN));
  return text;
}

/** d_json: the printable characters of buf in strings of `width`. */
function asciiChunks(buf: Uint8Array, width = 16): string[] {
  const out: string[] = [];
  let s = "";
  for (let i = 0; i < buf.length; i++) {
    s += buf[i] >= 0x21 && buf[i] <= 0x7e ? String.fromCharCode(buf[i]) : ".";
    if ((i + 1) % width === 0) { out.push(s); s = ""; }
  }
  if (s.length) out.push(s);
  return out;
}

/** `nvme id-ns -o json` object (nvme-cli master json_nvme_id_ns); human = -H (verbose lbafs). */
export function idNsJson(data: Uint8Array, opts: { human?: boolean } = {}): Record<string, unknown> {
  const d = data;
  const nsfeatV = u8(d, I.IDN_NSFEAT);
  const r: Record<string, unknown> = {
    nsze: jnum(u64(d, I.IDN_NSZE)), ncap: jnum(u64(d, I.IDN_NCAP)), nuse: jnum(u64(d, I.IDN_NUSE)),
    nsfeat: nsfeatV, nlbaf: u8(d, I.IDN_NLBAF), flbas: u8(d, I.IDN_FLBAS), mc: u8(d, I.IDN_MC),
    dpc: u8(d, I.IDN_DPC), dps: u8(d, I.IDN_DPS), nmic: u8(d, I.IDN_NMIC), rescap: u8(d, I.IDN_RESCAP),
    fpi: u8(d, I.IDN_FPI), dlfeat: u8(d, I.IDN_DLFEAT), nawun: u16(d, I.IDN_NAWUN), nawupf: u16(d, I.IDN_NAWUPF),
    nacwu: u16(d, I.IDN_NACWU), nabsn: u16(d, I.IDN_NABSN), nabo: u16(d, I.IDN_NABO), nabspf: u16(d, I.IDN_NABSPF),
    noiob: u16(d, I.IDN_NOIOB), nvmcap: jnum(u128(d, I.IDN_NVMCAP)),
  };
  if (nsfeatV & 0x30) {
    r.npwg = u16(d, I.IDN_NPWG);
    r.npwa = u16(d, I.IDN_NPWA);
    if (nsfeatV & 0x10) r.npdg = u16(d, I.IDN_NPDG);
    r.npda = u16(d, I.IDN_NPDA);
    r.nows = u16(d, I.IDN_NOWS);
  }
  Object.assign(r, {
    mssrl: u16(d, I.IDN_MSSRL), mcl: u32(d, I.IDN_MCL), msrc: u8(d, I.IDN_MSRC), kpios: u8(d, I.IDN_KPIOS),
    nulbaf: u8(d, I.IDN_NULBAF), kpiodaag: u32(d, I.IDN_KPIODAAG), anagrpid: u32(d, I.IDN_ANAGRPID),
    nsattr: u8(d, I.IDN_NSATTR), nvmsetid: u16(d, I.IDN_NVMSETID), endgid: u16(d, I.IDN_ENDGID),
    nguid: hexBytes(d, I.IDN_NGUID, 16), eui64: hexBytes(d, I.IDN_EUI64, 8),
  });
  const inUse = lbafInUse(u8(d, I.IDN_FLBAS));
  const lbafs: Array<Record<string, unknown>> = [];
  for (let i = 0; i <= u8(d, I.IDN_NLBAF) && i < I.IDN_LBAF_MAX; i++) {
    const f = I.IDN_LBAF0 + i * I.IDN_LBAF_SIZE;
    const ms = u16(d, f + I.LBAF_MS), ds = u8(d, f + I.LBAF_LBADS), rp = u8(d, f + I.LBAF_RP);
    lbafs.push(opts.human
      ? {
        "LBA Format": i, "Metadata Size": `${ms} bytes`, "Data Size": `${2 ** ds} bytes`,
        "Relative Performance": `0x${rp.toString(16)} ${rpText(rp)}`, "in use": i === inUse ? "yes" : "no",
      }
      : { lbaf: i, ms, ds, rp, in_use: i === inUse ? 1 : 0 });
  }
  r.lbafs = lbafs;
  const vs = d.subarray(I.IDN_VS, I.IDN_VS + I.IDN_VS_LEN);
  const nul = vs.indexOf(0);
  r.vs = asciiChunks(vs.subarray(0, nul < 0 ? vs.length : nul));
  return r;
}
