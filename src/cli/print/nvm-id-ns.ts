// `nvme nvm-id-ns` output: the I/O Command Set specific Identify Namespace data structure for
// the NVM Command Set (CNS 05h, CSI 00h) as nvme-cli master's stdout_nvm_id_ns prints it,
// one ELBAF line per LBA format with "(in use)" from the Identify Namespace's FLBAS, the -v
// decodings of PIC and PIFA; plus the JSON object of json_nvme_nvm_id_ns. Pure functions over
// the two 4096-byte pages.

import * as I from "../../../assembly/spec/identify";
import { u8, u32, u64, hex, not, jnum } from "./fmt";
import { lbafInUse } from "./id-ns";

/** nvme-cli's pif_to_string: QPIF 3h names the Qualified Type only in the PIF field, with QPIFS. */
function pifText(pif: number, qpifs: boolean, pifField: boolean): string {
  if (pif === 0) return "16b Guard";
  if (pif === 1) return "32b Guard";
  if (pif === 2) return "64b Guard";
  return pif === 3 && pifField && qpifs ? "Qualified Type" : "Reserved";
}

/** `nvme nvm-id-ns` text, ending with a newline; idNs is the namespace's Identify Namespace (CNS 00h). */
export function nvmIdNsText(d: Uint8Array, nsid: number, idNs: Uint8Array, opts: { verbose: boolean }): string {
  const o: string[] = [];
  const inUse = lbafInUse(u8(idNs, I.IDN_FLBAS));
  const pic = u8(d, I.IDNVM_PIC), pifa = u8(d, I.IDNVM_PIFA);
  const qpifs = ((pic >> 3) & 1) === 1;
  o.push(`NVMe NVM Identify Namespace ${nsid}:`);
  o.push(`lbstm : ${hex(u64(d, I.IDNVM_LBSTM))}`);
  o.push(`pic   : ${hex(pic)}`);
  if (opts.verbose) {
    const rsvd = (pic & 0xf0) >> 4;
    if (rsvd) o.push(`  [7:4] : ${hex(rsvd)}\tReserved`);
    o.push(`  [3:3] : ${hex((pic >> 3) & 1)}\tQualified Protection Information Format ${not((pic >> 3) & 1)}Supported`);
    o.push(`  [2:2] : ${hex((pic >> 2) & 1)}\tStorage Tag Check Read ${not((pic >> 2) & 1)}Supported`);
    o.push(`  [1:1] : ${hex((pic >> 1) & 1)}\t16b Guard Protection Information Storage Tag Mask`);
    o.push(`  [0:0] : ${hex(pic & 1)}\t16b Guard Protection Information Storage Tag ${not(pic & 1)}Supported`, "");
  }
  o.push(`pifa  : ${hex(pifa)}`);
  if (opts.verbose) {
    const rsvd = (pifa & 0xf8) >> 3, stmla = pifa & 7;
    if (rsvd) o.push(`  [7:3] : ${hex(rsvd)}\tReserved`);
    const what = ["Bit Granularity Masking", "Byte Granularity Masking", "Masking Not Supported"][stmla] ?? "Reserved";
    o.push(`  [2:0] : ${hex(stmla)}\tStorage Tag Masking Level Attribute : ${what}`, "");
  }
  const count = u8(idNs, I.IDN_NLBAF) + u8(idNs, I.IDN_NULBAF);
  for (let i = 0; i <= count; i++) {
    const elbaf = u32(d, I.IDNVM_ELBAF0 + 4 * i);
    const qpif = (elbaf >>> I.ELBAF_QPIF_SHIFT) & I.ELBAF_QPIF_MASK;
    const pif = (elbaf >>> I.ELBAF_PIF_SHIFT) & I.ELBAF_PIF_MASK;
    const sts = elbaf & I.ELBAF_STS_MASK;
    const mark = i === inUse ? "(in use)" : "";
    const idx = String(i).padStart(2, " ");
    if (opts.verbose) {
      o.push(`Extended LBA Format ${idx} : Qualified Protection Information Format: ${pifText(qpif, qpifs, false)}(${qpif}) - `
        + `Protection Information Format: ${pifText(pif, qpifs, true)}(${pif}) - Storage Tag Size (MSB): ${String(sts).padEnd(2, " ")} ${mark}`);
    } else {
      o.push(`elbaf ${idx} : qpif:${qpif} pif:${pif} sts:${String(sts).padEnd(2, " ")} ${mark}`);
    }
  }
  // NPDGL only with NSFEAT bit 5 (OPTPERF bit 1: NPDGL and NPDAL reported)
  if (u8(idNs, I.IDN_NSFEAT) & 0x20) o.push(`npdgl : ${hex(u32(d, I.IDNVM_NPDGL))}`);
  o.push(`nprg  : ${hex(u32(d, I.IDNVM_NPRG))}`);
  o.push(`npra  : ${hex(u32(d, I.IDNVM_NPRA))}`);
  o.push(`nors  : ${hex(u32(d, I.IDNVM_NORS))}`);
  o.push(`npdal : ${hex(u32(d, I.IDNVM_NPDAL))}`);
  o.push(`lbapss: ${hex(u32(d, I.IDNVM_LBAPSS))}`);
  o.push(`tlbaag: ${hex(u32(d, I.IDNVM_TLBAAG))}`);
  return o.join("\n") + "\n";
}

/** `nvme nvm-id-ns -o json` object (json_nvme_nvm_id_ns): the formats up to NLBAF only. */
export function nvmIdNsJson(d: Uint8Array, idNs: Uint8Array): Record<string, unknown> {
  const elbafs = [];
  for (let i = 0; i <= u8(idNs, I.IDN_NLBAF); i++) {
    const elbaf = u32(d, I.IDNVM_ELBAF0 + 4 * i);
    elbafs.push({ sts: elbaf & I.ELBAF_STS_MASK, pif: (elbaf >>> I.ELBAF_PIF_SHIFT) & I.ELBAF_PIF_MASK });
  }
  return { lbstm: jnum(u64(d, I.IDNVM_LBSTM)), pic: u8(d, I.IDNVM_PIC), elbafs };
}
