// `nvme nvm-id-ctrl` output: the I/O Command Set specific Identify Controller data structure
// for the NVM Command Set (CNS 06h, CSI 00h) as nvme-cli master's stdout_id_ctrl_nvm prints
// it (labels padded to 7, then ": "), with the -v decodings of KPIOCAP, AOCS, VER and LBAMQF;
// plus the JSON object of json_nvme_id_ctrl_nvm. Pure functions over the 4096-byte page.

import * as I from "../../../assembly/spec/identify";
import { u8, u16, u32, u64, hex, not, jnum } from "./fmt";

/** `nvme nvm-id-ctrl` text, ending with a newline; verbose: nvme-cli's -v decodings. */
export function nvmIdCtrlText(d: Uint8Array, opts: { verbose: boolean }): string {
  const o: string[] = [];
  const line = (label: string, value: string | number | bigint) => o.push(`${label.padEnd(7, " ")}: ${value}`);
  o.push("NVMe Identify Controller NVM:");
  line("vsl", u8(d, I.IDCNVM_VSL));
  line("wzsl", u8(d, I.IDCNVM_WZSL));
  line("wusl", u8(d, I.IDCNVM_WUSL));
  line("dmrl", u8(d, I.IDCNVM_DMRL));
  line("dmrsl", u32(d, I.IDCNVM_DMRSL));
  line("dmsl", u64(d, I.IDCNVM_DMSL));
  const kpiocap = u8(d, I.IDCNVM_KPIOCAP);
  line("kpiocap", kpiocap);
  if (opts.verbose) {
    const rsvd = (kpiocap & 0xfc) >> 2, kpiosc = (kpiocap >> 1) & 1, kpios = kpiocap & 1;
    if (rsvd) o.push(`  [7:2] : ${hex(rsvd)}\tReserved`);
    // "in theNVM subsystem": nvme-cli's own string, its missing space kept
    o.push(`  [1:1] : ${hex(kpiosc)}\tKey Per I/O capability enabled and disabled ${kpiosc ? "all namespaces" : "each namespace"} in theNVM subsystem`);
    o.push(`  [0:0] : ${hex(kpios)}\tKey Per I/O capability ${not(kpios)}Supported`);
  }
  line("wzdsl", u8(d, I.IDCNVM_WZDSL));
  const aocs = u16(d, I.IDCNVM_AOCS);
  line("aocs", aocs);
  if (opts.verbose) {
    const rsvd = (aocs & 0xfffe) >> 1, ralbas = aocs & 1;
    if (rsvd) o.push(`  [15:1] : ${hex(rsvd)}\tReserved`);
    o.push(`  [0:0] : ${hex(ralbas)}\tReporting Allocated LBA ${not(ralbas)}Supported`, "");
  }
  const ver = u32(d, I.IDCNVM_VER);
  line("ver", `0x${ver.toString(16)}`);
  if (opts.verbose) o.push(`  NVM command set specification: ${ver >>> 16}.${(ver >> 8) & 0xff}.${ver & 0xff}`, "");
  const lbamqf = u8(d, I.IDCNVM_LBAMQF);
  line("lbamqf", lbamqf);
  if (opts.verbose) {
    const what = lbamqf === 0 ? "LBA Migration Queue Entry Type 0" : lbamqf >= 0xc0 ? "Vendor Specific" : "Reserved";
    o.push(`  0x${lbamqf.toString(16)}: ${what}`, "");
  }
  return o.join("\n") + "\n";
}

/** `nvme nvm-id-ctrl -o json` object (json_nvme_id_ctrl_nvm); serialize with toNvmeJson. */
export function nvmIdCtrlJson(d: Uint8Array): Record<string, unknown> {
  return {
    vsl: u8(d, I.IDCNVM_VSL), wzsl: u8(d, I.IDCNVM_WZSL), wusl: u8(d, I.IDCNVM_WUSL), dmrl: u8(d, I.IDCNVM_DMRL),
    dmrsl: u32(d, I.IDCNVM_DMRSL), dmsl: jnum(u64(d, I.IDCNVM_DMSL)),
  };
}
