// Format NVM (Base 2.1 §5.1.10; NVM CS 1.1 §5.2 for PI and PIL): a new LBA format, metadata
// setting, protection information type and location for one namespace or, with NSID
// FFFFFFFFh, for every attached one. The checks and their order follow QEMU 10.0.2's
// nvme_format / nvme_format_check (NSID, then per namespace: LBA format index, metadata too
// small for the PI tuple, PI type); where the spec asks for more (Secure Erase Settings) the
// spec wins (docs/CONFORMANCE.md C-FMTSES). All user data and metadata are erased: every block
// reads as deallocated afterwards. NSZE keeps its value (docs/CONFORMANCE.md C-FMTNSZE).

import { SQE_NSID, SQE_CDW10 } from "../spec/sqe";
import {
  FMT_LBAFL_MASK, FMT_MSET_BIT, FMT_PI_SHIFT, FMT_PI_MASK, FMT_PIL_BIT, FMT_SES_SHIFT, FMT_SES_MASK,
  SES_NONE, SES_USER_DATA, PI_TYPE_3,
} from "../spec/pi";
import { FLBAS_EXTENDED } from "../spec/identify";
import { SC_SUCCESS, SC_INVALID_FIELD, SC_INVALID_NSID, SC_INVALID_FORMAT, SC_INTERNAL_ERROR, STATUS_DNR } from "../spec/status";
import { CFGNS_FLBAS, CFGNS_PI, CFGNS_PIL, CFGNS_LBAF, MAX_NAMESPACES } from "../layout";
import { g_sqe } from "./globals";
import { NsState } from "./state";
import { fail } from "./result";
import { nsById, nsidValid, nsAt, nsSetFormat, nsInitMedia, nsGeometry, nsMapBytes, NSID_BROADCAST } from "./ns";
import { heapReserve } from "./heap";
import { deallocate } from "./media";
import { tupleSize } from "./pi";

export function formatNvm(): u32 {
  const nsid = load<u32>(g_sqe + SQE_NSID);
  const dw10 = load<u32>(g_sqe + SQE_CDW10);
  // LBAFU (13:12) extends the index only with Host Behavior Support LBAFEE, which this
  // controller does not offer (at most 16 formats): it is ignored, as QEMU does without LBAFEE.
  const lbaf = dw10 & FMT_LBAFL_MASK;
  const mset = (dw10 >> FMT_MSET_BIT) & 1;
  const pi = (dw10 >> FMT_PI_SHIFT) & FMT_PI_MASK;
  const pil = (dw10 >> FMT_PIL_BIT) & 1;
  const ses = (dw10 >> FMT_SES_SHIFT) & FMT_SES_MASK;
  if (nsid != NSID_BROADCAST) {
    if (!nsidValid(nsid)) return fail(SC_INVALID_NSID | STATUS_DNR, SQE_NSID, 0);
    if (nsById(nsid) == null) return fail(SC_INVALID_FIELD | STATUS_DNR, SQE_NSID, 0);
  }
  // Secure Erase Settings: a user data erase is what every format does here; a cryptographic
  // erase is not supported (FNA bit 2 = 0) and 3h-7h are reserved: Invalid Field in Command.
  if (ses != <u32>SES_NONE && ses != <u32>SES_USER_DATA) return fail(SC_INVALID_FIELD | STATUS_DNR, SQE_CDW10, FMT_SES_SHIFT);
  // Check every namespace the command names before any is formatted, so a failure leaves all
  // of them as they were.
  for (let i: u32 = 0; i < <u32>MAX_NAMESPACES; i++) {
    const ns = nsAt(i);
    if (!selected(ns, nsid)) continue;
    const s = formatCheck(ns, lbaf, pi);
    if (s != SC_SUCCESS) return s;
  }
  // A new data size needs a new media map: make sure the memory for every one exists first, so
  // the format cannot stop halfway (it never fails in practice: a map is 4 bytes per 2^19 chunks).
  let mapBytes: u64 = 0;
  for (let i: u32 = 0; i < <u32>MAX_NAMESPACES; i++) {
    const ns = nsAt(i);
    if (!selected(ns, nsid)) continue;
    const lbads = <u32>load<u8>(<usize>ns.cfg + CFGNS_LBAF + <usize>(lbaf * 4), 2);
    if (lbads != ns.lbads) mapBytes += nsMapBytes(ns.nsze, lbads) + 64;
  }
  if (mapBytes != 0 && !heapReserve(mapBytes)) return fail(SC_INTERNAL_ERROR, SQE_CDW10, 0);
  for (let i: u32 = 0; i < <u32>MAX_NAMESPACES; i++) {
    const ns = nsAt(i);
    if (!selected(ns, nsid)) continue;
    formatOne(ns, lbaf | (mset != 0 ? FLBAS_EXTENDED : 0), pi, pil);
  }
  return SC_SUCCESS;
}

@inline function selected(ns: NsState, nsid: u32): bool {
  return ns.active != 0 && (nsid == NSID_BROADCAST || ns.nsid == nsid);
}

/** QEMU's nvme_format_check order: index, metadata for the PI tuple, PI type. */
function formatCheck(ns: NsState, lbaf: u32, pi: u32): u32 {
  if (lbaf >= ns.nlbaf) return fail(SC_INVALID_FORMAT | STATUS_DNR, SQE_CDW10, 0);
  const ms = <u32>load<u16>(<usize>ns.cfg + CFGNS_LBAF + <usize>(lbaf * 4));
  if (pi != 0 && ms < tupleSize(ns.pif)) return fail(SC_INVALID_FORMAT | STATUS_DNR, SQE_CDW10, FMT_PI_SHIFT);
  if (pi > <u32>PI_TYPE_3) return fail(SC_INVALID_FIELD | STATUS_DNR, SQE_CDW10, FMT_PI_SHIFT);
  return SC_SUCCESS;
}

/**
 * Erase the namespace and take the new format. The configuration slot keeps the new format
 * too, so a power cycle (and the host's saved state) finds the namespace as formatted. The
 * erased chunks go to this namespace's free list and are reused while they are large enough;
 * a new data size needs a new media map (the old one's memory is not returned: the heap only
 * grows, and formats are rare).
 */
function formatOne(ns: NsState, flbas: u32, pi: u32, pil: u32): void {
  deallocate(ns, 0, ns.nsze);
  const oldStride = ns.chunk_stride;
  const oldShift = ns.chunk_shift;
  const ok = nsSetFormat(ns, flbas, pi, pil);
  assert(ok, "format checked");
  const cfg = <usize>ns.cfg;
  store<u32>(cfg + CFGNS_FLBAS, flbas);
  store<u32>(cfg + CFGNS_PI, pi);
  store<u32>(cfg + CFGNS_PIL, pil);
  nsGeometry(ns);
  if (ns.chunk_shift != oldShift) {
    // Another data size: a new map for the new number of chunks (the old tables stay unused).
    const mapped = nsInitMedia(ns);
    assert(mapped, "format: no memory for the media map");
    ns.free_chunks = 0;
    ns.free_count = 0;
  } else if (ns.chunk_stride > oldStride) {
    // Same map, larger chunks: the freed chunks are too small to reuse.
    ns.free_chunks = 0;
    ns.free_count = 0;
  }
  ns.chunks_in_use = 0;
  ns.nuse = 0;
}
