// The protection information tags of an I/O command as nvme-cli and libnvme place them: the
// initial reference tag (ILBRT/EILBRT) and the storage tag (LBST) share the 80-bit Logical Block
// Tags field of CDW2, CDW3 and CDW14, split by the namespace's protection information format
// (PIF: 16b, 32b or 64b guard) and storage tag size (STS); the application tag and its mask are
// CDW15 (NVM Command Set 1.1 §5.3 and the Read/Write command figures). Before it places them,
// nvme-cli refuses tags that do not fit (invalid_tags). The controller checks and generates
// protection information with them on a namespace formatted with PI (docs/CONFORMANCE.md); on
// one without, they reach the SQE and are ignored, as QEMU does.

import * as I from "../../../assembly/spec/identify";
import { CommandContext } from "../context";
import { reportStatus } from "../status";
import { Sqe } from "../../driver/sqe";

const U64 = (1n << 64n) - 1n;
const U32 = 0xffffffffn;

/** PIF values of the NVM Command Set Identify Namespace's ELBAF (bits 8:7). */
export const PIF_16B_GUARD = 0;
export const PIF_32B_GUARD = 1;
export const PIF_64B_GUARD = 2;

export interface PiFormat {
  /** Protection information format of the format in use. */
  pif: number;
  /** Storage tag size in bits. */
  sts: number;
}

/** C's u64 << n and >> n as x86-64 runs them (the count taken modulo 64). */
const shl = (v: bigint, n: number) => (v << BigInt(n & 63)) & U64;
const shr = (v: bigint, n: number) => v >> BigInt(n & 63);

/**
 * libnvme's nvme_set_var_size_tags (nvme_init_var_size_tags in nvme-cli master): CDW2, CDW3
 * and CDW14 for a reference tag and a storage tag. 16b guard: CDW14 holds the 32-bit field,
 * the storage tag in its upper STS bits. 32b guard: an 80-bit field over CDW14, CDW3 and CDW2.
 * 64b guard: a 48-bit field over CDW14 and CDW3 15:0. Returns null for a PIF libnvme refuses.
 */
export function varSizeTags(pif: number, sts: number, refTag: bigint, storageTag: bigint): [number, number, number] | null {
  let cdw2 = 0n;
  let cdw3 = 0n;
  let cdw14: bigint;
  switch (pif) {
    case PIF_16B_GUARD:
      cdw14 = (refTag & U32) | (shl(storageTag, 32 - sts) & U32);
      break;
    case PIF_32B_GUARD:
      cdw14 = (refTag & U32) | (shl(storageTag, 80 - sts) & 0xffff0000n);
      cdw3 = shr(refTag, 32) & U32;
      cdw3 |= (sts >= 48 ? shr(storageTag, sts - 48) : shl(storageTag, 48 - sts)) & U32;
      cdw2 = shr(storageTag, sts - 16) & 0xffffn;
      break;
    case PIF_64B_GUARD:
      cdw14 = (refTag & U32) | (shl(storageTag, 48 - sts) & U32);
      cdw3 = shr(refTag, 32) & 0xffffn;
      cdw3 |= (sts >= 16 ? shr(storageTag, sts - 16) : shl(storageTag, 16 - sts)) & 0xffffn;
      break;
    default:
      return null;
  }
  return [Number(cdw2), Number(cdw3), Number(cdw14)];
}

/**
 * nvme-cli's invalid_tags: the lines it prints for a storage tag wider than STS or a reference
 * tag wider than the format leaves it (16b guard: 32 - STS bits; 32b guard: 80 - STS bits
 * when STS > 16; 64b guard: 48 - STS bits when STS > 0, as master has it); none when both fit.
 */
export function invalidTags(storageTag: bigint, refTag: bigint, sts: number, pif: number): string[] {
  if (sts < 64 && storageTag >= 1n << BigInt(sts)) return ["Storage tag larger than storage tag size"];
  const out: string[] = [];
  let bad = false;
  switch (pif) {
    case PIF_16B_GUARD: bad = refTag >= 1n << BigInt(32 - sts); break;
    case PIF_32B_GUARD: bad = sts > 16 && refTag >= 1n << BigInt(80 - sts); break;
    case PIF_64B_GUARD: bad = sts > 0 && refTag >= 1n << BigInt(48 - sts); break;
    default: out.push("Invalid PIF"); bad = true; break;
  }
  if (bad) out.push("Reference tag larger than allowed by PIF");
  return out;
}

/**
 * The PIF and STS of namespace nsid's format in use, as nvme-cli reads them before an I/O
 * command: Identify Namespace (CNS 00h) for FLBAS, then the NVM Command Set Identify Namespace
 * (CNS 05h, CSI 00h) for that format's ELBAF. A failed Identify Namespace is reported and its
 * status returned; a failed CNS 05h leaves PIF and STS 0, as nvme-cli does.
 */
export function namespacePiFormat(ctx: CommandContext, nsid: number): PiFormat | number {
  const id = ctx.dev.driver.identify(I.CNS_NAMESPACE, nsid);
  if (id.status !== 0) return reportStatus(ctx, id.status);
  const flbas = id.data![I.IDN_FLBAS];
  const index = (flbas & 0xf) | (((flbas >> 5) & 3) << 4); // nvme_id_ns_flbas_to_lbaf_inuse
  return nvmPiFormat(ctx, nsid, index);
}

/** PIF and STS of LBA format index in namespace nsid's NVM Command Set Identify Namespace (0, 0 if it fails). */
export function nvmPiFormat(ctx: CommandContext, nsid: number, index: number): PiFormat {
  const r = ctx.dev.driver.identify(I.CNS_CSI_NAMESPACE, nsid, I.CSI_NVM << I.IDENTIFY_CSI_SHIFT);
  if (r.status !== 0 || !r.data) return { pif: 0, sts: 0 };
  const elbaf = new DataView(r.data.buffer, r.data.byteOffset, r.data.byteLength).getUint32(I.IDNVM_ELBAF0 + index * 4, true);
  return { sts: elbaf & 0x7f, pif: (elbaf >> I.ELBAF_PIF_SHIFT) & 3 };
}

/**
 * CDW2, CDW3, CDW14 and CDW15 of q from the tags, for the format f; false when libnvme would
 * not place them (an unknown PIF), true otherwise.
 */
export function placeTags(q: Sqe, f: PiFormat, refTag: bigint, storageTag: bigint, appTag: number, appTagMask: number): boolean {
  const t = varSizeTags(f.pif, f.sts, refTag, storageTag);
  if (!t) return false;
  [q[2], q[3], q[14]] = t;
  q[15] = ((appTag & 0xffff) | ((appTagMask & 0xffff) << 16)) >>> 0;
  return true;
}
