// The oracle's decoding of Identify pages (decode_id_ctrl / decode_id_ns in
// qemu_nvme_oracle.py): the same keys, so compare_fields mean the same on both sides.

import * as I from "../../assembly/spec/identify";

export const ID_CTRL_CMP_DEFAULT = ["oncs_copy", "ocfs"];
export const ID_NS_CMP_DEFAULT = ["nsze", "ncap", "lba_size", "ms", "mssrl", "mcl", "msrc"];

function u(d: Uint8Array, off: number, n: number): number | bigint {
  let v = 0n;
  for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(d[off + i] ?? 0);
  return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : `0x${v.toString(16)}` as unknown as bigint;
}

function s(d: Uint8Array, off: number, n: number): string {
  return String.fromCharCode(...d.subarray(off, off + n)).replace(/[ \0]+$/, "");
}

export function decodeIdCtrl(d: Uint8Array): Record<string, unknown> {
  const oncs = Number(u(d, I.IDC_ONCS, 2));
  return {
    vid: u(d, I.IDC_VID, 2), ssvid: u(d, I.IDC_SSVID, 2), sn: s(d, I.IDC_SN, 20), mn: s(d, I.IDC_MN, 40), fr: s(d, I.IDC_FR, 8),
    mdts: d[I.IDC_MDTS], cntlid: u(d, I.IDC_CNTLID, 2), ver: u(d, I.IDC_VER, 4), ctratt: u(d, I.IDC_CTRATT, 4),
    oacs: u(d, I.IDC_OACS, 2), sqes: d[I.IDC_SQES], cqes: d[I.IDC_CQES], nn: u(d, I.IDC_NN, 4),
    oncs, oncs_copy: (oncs >> 8) & 1, fuses: u(d, I.IDC_FUSES, 2), fna: d[I.IDC_FNA], vwc: d[I.IDC_VWC],
    ocfs: u(d, I.IDC_OCFS, 2), sgls: u(d, I.IDC_SGLS, 4),
  };
}

export function decodeIdNs(d: Uint8Array): Record<string, unknown> {
  const nlbaf = d[I.IDN_NLBAF];
  const flbas = d[I.IDN_FLBAS];
  const fmt = (flbas & 0xf) | (((flbas >> 5) & 3) << 4);
  const lbaf: Array<{ ms: number; lbads: number; rp: number }> = [];
  for (let i = 0; i < Math.min(nlbaf + 1, 64); i++) {
    const v = Number(u(d, I.IDN_LBAF0 + 4 * i, 4));
    lbaf.push({ ms: v & 0xffff, lbads: (v >>> 16) & 0xff, rp: (v >>> 24) & 3 });
  }
  const cur = fmt < lbaf.length ? lbaf[fmt] : { ms: 0, lbads: 0 };
  return {
    nsze: u(d, I.IDN_NSZE, 8), ncap: u(d, I.IDN_NCAP, 8), nuse: u(d, I.IDN_NUSE, 8), nsfeat: d[I.IDN_NSFEAT], nlbaf, flbas,
    mc: d[I.IDN_MC], dpc: d[I.IDN_DPC], dps: d[I.IDN_DPS], mssrl: u(d, I.IDN_MSSRL, 2), mcl: u(d, I.IDN_MCL, 4), msrc: d[I.IDN_MSRC],
    lba_format_index: fmt, lba_size: cur.lbads ? 2 ** cur.lbads : 0, ms: cur.ms, lbaf,
  };
}
