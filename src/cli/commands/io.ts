// NVM I/O commands with nvme-cli's names, options and messages: read, write, compare
// (nvme-cli's submit_io), write-zeroes, verify, flush, dsm and copy.

import * as O from "../../../assembly/spec/opcodes";
import * as C from "../../../assembly/spec/copy";
import * as S from "../../../assembly/spec/sqe";
import { newSqe, setU64 } from "../../driver/sqe";
import { OptSpec, Options, parseList } from "../args";
import { Command, CommandContext, CliError, namespaceOf } from "../context";
import { reportStatus } from "../status";
import { PiFormat, namespacePiFormat, nvmPiFormat, invalidTags, placeTags } from "./pi-tags";
import * as I from "../../../assembly/spec/identify";
import { PI16_SIZE, PI64_SIZE } from "../../../assembly/spec/pi";

// Option types as nvme-cli's submit_io, copy_cmd, dsm, flush_cmd, write_zeroes and verify_cmd
// declare them (OPT_UINT word, OPT_SHRT short, OPT_BYTE byte, OPT_SUFFIX suffix, OPT_LIST).
const NSID: OptSpec = { long: "namespace-id", short: "n", kind: "word", help: "namespace ID (default: the device's)" };
const LR: OptSpec = { long: "limited-retry", short: "l", kind: "flag", help: "limit the retry effort (LR)" };
const FUA: OptSpec = { long: "force-unit-access", short: "f", kind: "flag", help: "force unit access (FUA)" };

const IO_OPTS: OptSpec[] = [
  NSID,
  { long: "start-block", short: "s", kind: "suffix", help: "64-bit address of the first block (SLBA)" },
  { long: "block-count", short: "c", kind: "short", help: "number of blocks, 0's based (NLB)" },
  { long: "block-size", short: "b", kind: "int", help: "logical block size in bytes (default: the namespace's)" },
  { long: "data-size", short: "z", kind: "suffix", help: "size of the data buffer in bytes (4096, 0x1000, 4Ki)" },
  { long: "metadata-size", short: "y", kind: "suffix", help: "size of the metadata buffer in bytes" },
  { long: "ref-tag", short: "r", kind: "suffix", help: "reference tag (ILBRT)" },
  { long: "data", short: "d", kind: "string", help: "data file (write/compare: input; read: output); default stdin/stdout" },
  { long: "metadata", short: "M", kind: "string", help: "metadata file" },
  { long: "prinfo", short: "p", kind: "byte", help: "protection information action and checks (PRINFO)", max: 15 },
  { long: "app-tag-mask", short: "m", kind: "short", help: "application tag mask (LBATM)" },
  { long: "app-tag", short: "a", kind: "short", help: "application tag (LBAT)" },
  { long: "storage-tag", short: "g", kind: "suffix", help: "storage tag" },
  LR, FUA,
  { long: "storage-tag-check", short: "C", kind: "flag", help: "storage tag check (STC)" },
  { long: "dir-type", short: "T", kind: "byte", help: "directive type (DTYPE)", max: 15 },
  { long: "dir-spec", short: "S", kind: "short", help: "directive specific (DSPEC)" },
  { long: "dsm", short: "D", kind: "byte", help: "dataset management attributes (DSM)" },
  { long: "show-command", short: "V", kind: "flag", help: "show the command before sending it" },
  { long: "dry-run", short: "w", kind: "flag", help: "show the command and do not send it" },
  { long: "latency", short: "t", kind: "flag", help: "print the command's latency" },
  { long: "force", kind: "flag", help: "accepted for compatibility" },
];

/** CDW12 of Read/Write/Compare/Verify/Write Zeroes: NLB, PRINFO, FUA, LR, plus DTYPE/STC. */
function rwCdw12(o: Options, nlb0: number): number {
  return (nlb0 & 0xffff) | ((o.int("dir-type", 0) & 0xf) << 20) | (o.flag("storage-tag-check") ? 1 << 24 : 0)
    | ((o.int("prinfo", 0) & 0xf) << O.RW_PRINFO_SHIFT) | (o.flag("force-unit-access") ? 1 << O.RW_FUA_BIT : 0)
    | (o.flag("limited-retry") ? 1 << O.RW_LR_BIT : 0);
}

/**
 * submit_io's --show-command / --dry-run lines, in its order and formats: the fields as
 * nvme-cli holds them (dsmgmt carries DSPEC only with a DTYPE; reftag and storagetag whole,
 * PRIx64), metadata and addr the buffers' host-RAM bus addresses where nvme-cli prints its
 * user pointers (0: none), pif and sts as submitIo read them.
 */
function showCommand(ctx: CommandContext, o: Options, q: Uint32Array, nsid: number, size: number, mdSize: number, pi: PiFormat): void {
  const hex = (v: number | bigint, w = 0) => v.toString(16).padStart(w, "0");
  const { pif, sts } = pi;
  const dtype = o.int("dir-type", 0);
  const at = ctx.dev.driver.plannedBuffers(size, mdSize);
  ctx.io.out([
    `opcode       : ${hex(q[0] & 0xff, 2)}`, `nsid         : ${hex(nsid, 2)}`, `flags        : ${hex(0, 2)}`,
    `control      : ${hex(q[12] >>> 16, 4)}`, `nblocks      : ${hex(q[12] & 0xffff, 4)}`,
    `metadata     : ${hex(at.md)}`, `addr         : ${hex(at.data)}`,
    `slba         : ${hex(o.u64("start-block", 0n))}`,
    `dsmgmt       : ${hex((o.int("dsm", 0) | (dtype ? o.int("dir-spec", 0) << 16 : 0)) >>> 0, 8)}`,
    `reftag       : ${hex(o.u64("ref-tag", 0n))}`, `apptag       : ${hex(o.int("app-tag", 0), 4)}`, `appmask      : ${hex(o.int("app-tag-mask", 0), 4)}`,
    `storagetagcheck : ${hex(o.flag("storage-tag-check") ? 1 : 0, 4)}`, `storagetag      : ${hex(o.u64("storage-tag", 0n))}`,
    `pif             : ${hex(pif, 2)}`, `sts             : ${hex(sts, 2)}`,
  ].join("\n"));
}

/** Bytes of a PI tuple for the format namespace nsid uses: 8 with a 16b guard, 16 otherwise (nvme-cli's pi_size). */
function piTupleBytes(ctx: CommandContext, nsid: number): number {
  const id = ctx.dev.driver.identify(I.CNS_NAMESPACE, nsid);
  if (id.status !== 0) return 8;
  const flbas = id.data![I.IDN_FLBAS];
  return nvmPiFormat(ctx, nsid, (flbas & 0xf) | (((flbas >> 5) & 3) << 4)).pif === I.PIF_16B_GUARD ? PI16_SIZE : PI64_SIZE;
}

function submitIo(opcode: number, name: string): Command {
  return {
    name, device: true, mutates: opcode === O.NVM_WRITE,
    summary: name === "read" ? "Read blocks (NVM Read) to a file or stdout"
      : name === "write" ? "Write blocks (NVM Write) from a file or stdin" : "Compare blocks with a file (NVM Compare)",
    usage: "<device> --start-block=<slba> --block-count=<nlb-1> --data-size=<bytes> [--data=<file>] [OPTIONS]",
    options: IO_OPTS,
    run(ctx, o) {
      const nsid = namespaceOf(ctx, o);
      const f = ctx.dev.driver.format(nsid);
      const bs = o.int("block-size", f.lbaBytes);
      if (bs !== f.lbaBytes) throw new CliError(`${name}: --block-size ${bs} does not match namespace ${nsid}'s ${f.lbaBytes}-byte blocks`);
      const nlb = o.int("block-count", 0) + 1;
      if (!o.has("data-size")) throw new CliError(`${name}: data size not provided (--data-size)`);
      // Extended LBAs carry their metadata, except with PRACT on a format whose metadata is just
      // the PI tuple: the controller inserts or strips it (NVM CS 1.1 §5.2.2.1-2), and nvme-cli's
      // get_pi_info leaves it out of the block size (pi_size by the format's PIF).
      let lbaBytes = f.lbaBytes + (f.extended ? f.ms : 0);
      if (f.extended && f.ms && (o.int("prinfo", 0) & 8) && f.ms === piTupleBytes(ctx, nsid)) lbaBytes = f.lbaBytes;
      const hostRam = ctx.dev.core.hostRam.length;
      const want = o.u64("data-size", 0n);
      if (want > BigInt(hostRam)) {
        // nvme-cli's nvme_alloc fails with ENOMEM; say why, and what would help.
        throw new CliError(`${name}: cannot allocate a data buffer of ${want} bytes (--data-size): host memory is ${hostRam} bytes (a new device takes --host-ram)`);
      }
      let size = Number(want);
      if (size < nlb * lbaBytes) {
        size = nlb * lbaBytes;
        ctx.io.err(`Rounding data size to fit block count (${size} bytes)`);
      }
      const mdSize = f.ms && !f.extended ? Math.max(Number(BigInt.asUintN(32, o.u64("metadata-size", 0n))), nlb * f.ms) : 0;
      // submit_io reads the protection information format only for a --metadata-size (nvme-cli
      // asks NSID 1's NVM Identify Namespace; this, the command's namespace's); without one the
      // tags are placed as for 16b guard, and invalid_tags holds the reference tag to 32 bits.
      let pi: PiFormat = { pif: 0, sts: 0 };
      if (o.u64("metadata-size", 0n) !== 0n) {
        const p = namespacePiFormat(ctx, nsid);
        if (typeof p === "number") return p;
        pi = p;
      }
      const tags = checkedTags(o, pi);
      const q = newSqe(opcode, nsid);
      setU64(q, S.SQE_CDW10, o.u64("start-block", 0n));
      q[12] = rwCdw12(o, nlb - 1);
      q[13] = (o.int("dsm", 0) & 0xff) | (o.int("dir-spec", 0) << 16);
      placeTags(q, pi, tags.ref, tags.storage, o.int("app-tag", 0), o.int("app-tag-mask", 0));
      const reading = opcode === O.NVM_READ;
      let out: Uint8Array | undefined;
      let mdOut: Uint8Array | undefined;
      if (!reading) {
        out = new Uint8Array(size);
        const file = o.str("data");
        const src = file ? ctx.io.readFile(file) : ctx.io.readStdin();
        if (!src) throw new CliError(`${name}: no data: give --data=<file> or pipe the data to stdin`);
        out.set(src.subarray(0, size));
        if (mdSize) {
          mdOut = new Uint8Array(mdSize);
          const mf = o.str("metadata");
          if (mf) mdOut.set(ctx.io.readFile(mf).subarray(0, mdSize));
        }
      }
      if (o.flag("show-command") || o.flag("dry-run")) showCommand(ctx, o, q, nsid, size, mdSize, pi);
      if (o.flag("dry-run")) return 0;
      const t0 = ctx.dev.port.now();
      const r = ctx.dev.driver.exec(ctx.dev.driver.ioQueue(), q, reading ? { inLen: size, mdInLen: mdSize || undefined } : { out, mdOut });
      if (o.flag("latency")) ctx.io.out(` latency: ${name}: ${Math.round((ctx.dev.port.now() - t0) / 1000)} us`);
      const code = reportStatus(ctx, r.status);
      if (code !== 0) return code;
      if (reading) {
        const file = o.str("data");
        if (file) ctx.io.writeFile(file, r.data!);
        else ctx.io.outBytes(r.data!);
        const mf = o.str("metadata");
        if (mf && r.md) ctx.io.writeFile(mf, r.md);
      }
      ctx.io.err(`${name}: Success`);
      return 0;
    },
  };
}

export const read = submitIo(O.NVM_READ, "read");
export const write = submitIo(O.NVM_WRITE, "write");
export const compare = submitIo(O.NVM_COMPARE, "compare");

const RANGE_OPTS: OptSpec[] = [
  NSID,
  { long: "start-block", short: "s", kind: "suffix", help: "64-bit address of the first block (SLBA)" },
  { long: "block-count", short: "c", kind: "short", help: "number of blocks, 0's based (NLB)" },
  LR, FUA,
  { long: "prinfo", short: "p", kind: "byte", help: "protection information (PRINFO)", max: 15 },
  { long: "ref-tag", short: "r", kind: "suffix", help: "reference tag" },
  { long: "app-tag-mask", short: "m", kind: "short", help: "application tag mask" },
  { long: "app-tag", short: "a", kind: "short", help: "application tag" },
  { long: "storage-tag", short: "S", kind: "suffix", help: "storage tag" },
  { long: "storage-tag-check", short: "C", kind: "flag", help: "storage tag check" },
];

function rangeCommand(opcode: number, name: string, summary: string, success: string, extra: OptSpec[] = []): Command {
  return {
    name, summary, device: true, mutates: opcode === O.NVM_WRITE_ZEROES,
    usage: "<device> --start-block=<slba> --block-count=<nlb-1> [OPTIONS]",
    options: [...RANGE_OPTS, ...extra],
    run(ctx, o) {
      const nsid = namespaceOf(ctx, o);
      // write_zeroes and verify_cmd read the namespace's protection information format, check
      // the tags against it (invalid_tags) and place them by it.
      const pi = namespacePiFormat(ctx, nsid);
      if (typeof pi === "number") return pi;
      const tags = checkedTags(o, pi);
      const q = newSqe(opcode, nsid);
      setU64(q, S.SQE_CDW10, o.u64("start-block", 0n));
      q[12] = rwCdw12(o, o.int("block-count", 0)) | (o.flag("deac") ? 1 << O.RW_DEAC_BIT : 0);
      placeTags(q, pi, tags.ref, tags.storage, o.int("app-tag", 0), o.int("app-tag-mask", 0));
      const r = ctx.dev.driver.exec(ctx.dev.driver.ioQueue(), q, {});
      const code = reportStatus(ctx, r.status);
      if (code === 0) ctx.io.out(success);
      return code;
    },
  };
}

export const writeZeroes = rangeCommand(O.NVM_WRITE_ZEROES, "write-zeroes", "Write zeroes to blocks (deallocating them with --deac)",
  "NVME Write Zeroes Success", [{ long: "deac", short: "d", kind: "flag", help: "deallocate the blocks (DEAC)" }]);
export const verify = rangeCommand(O.NVM_VERIFY, "verify", "Verify blocks (no data transfer)", "NVME Verify Success");

export const flush: Command = {
  name: "flush", device: true, summary: "Flush the volatile write cache (NVMe Flush); -n 0xffffffff: every namespace", usage: "<device> [--namespace-id=<nsid>]",
  options: [NSID],
  run(ctx, o) {
    // flush_cmd asks the device for its NSID when -n is not given: a namespace device only.
    const nsid = namespaceOf(ctx, o);
    const r = ctx.dev.driver.exec(ctx.dev.driver.ioQueue(), newSqe(O.NVM_FLUSH, nsid), {});
    const code = reportStatus(ctx, r.status);
    if (code === 0) ctx.io.out("NVMe Flush: success");
    return code;
  },
};

/** nvme-cli's dsm: the message for no ranges, too many, or a list it could not read. */
const DSM_NO_RANGE = "No range definition provided";

export const dsm: Command = {
  name: "dsm", device: true, mutates: true, summary: "Dataset Management: deallocate (--ad) or give hints for block ranges",
  usage: "<device> --slbs=<slba,...> --blocks=<nlb,...> [--ad] [--idw] [--idr] [OPTIONS]",
  options: [
    NSID,
    { long: "ctx-attrs", short: "a", kind: "list", help: "context attributes per range", listError: DSM_NO_RANGE },
    { long: "blocks", short: "b", kind: "list", help: "number of blocks per range (1's based)", listError: DSM_NO_RANGE },
    { long: "slbs", short: "s", kind: "u64list", help: "starting LBA per range", listError: DSM_NO_RANGE },
    { long: "ad", short: "d", kind: "flag", help: "attribute deallocate (AD)" },
    { long: "idw", short: "w", kind: "flag", help: "attribute integral dataset for write (IDW)" },
    { long: "idr", short: "r", kind: "flag", help: "attribute integral dataset for read (IDR)" },
    { long: "cdw11", short: "c", kind: "word", help: "all attributes at once (CDW11)" },
  ],
  run(ctx, o) {
    // dsm: the ranges are checked before the device is asked for its NSID.
    const attrs = o.list("ctx-attrs");
    const blocks = o.list("blocks");
    const slbs = o.u64list("slbs");
    const nr = Math.max(attrs.length, blocks.length, slbs.length);
    if (nr < 1 || nr > 256) throw new CliError(DSM_NO_RANGE);
    const nsid = namespaceOf(ctx, o);
    const data = new Uint8Array(nr * O.DSM_RANGE_SIZE);
    const dv = new DataView(data.buffer);
    for (let i = 0; i < nr; i++) {
      dv.setUint32(i * 16 + O.DSM_RANGE_CATTR, attrs[i] ?? 0, true);
      dv.setUint32(i * 16 + O.DSM_RANGE_NLB, blocks[i] ?? 0, true);
      dv.setBigUint64(i * 16 + O.DSM_RANGE_SLBA, slbs[i] ?? 0n, true);
    }
    const q = newSqe(O.NVM_DATASET_MANAGEMENT, nsid);
    q[10] = nr - 1;
    q[11] = o.has("cdw11") ? o.int("cdw11", 0) : (o.flag("ad") ? O.DSM_AD : 0) | (o.flag("idw") ? O.DSM_IDW : 0) | (o.flag("idr") ? O.DSM_IDR : 0);
    const r = ctx.dev.driver.exec(ctx.dev.driver.ioQueue(), q, { out: data });
    const code = reportStatus(ctx, r.status);
    if (code === 0) ctx.io.out("NVMe DSM: success");
    return code;
  },
};

/** Source Range entries in descriptor format fmt (NVM CS Figures 39-40), little endian. */
export function copyDescriptors(fmt: number, slbs: bigint[], nlbs: number[], snsids: number[], sopts: number[],
  eilbrts: bigint[], elbats: number[], elbatms: number[], nr: number): Uint8Array {
  const size = fmt === 1 || fmt === 3 ? C.COPY_RANGE_F1_SIZE : C.COPY_RANGE_F0_SIZE;
  const data = new Uint8Array(nr * size);
  const dv = new DataView(data.buffer);
  for (let i = 0; i < nr; i++) {
    const b = i * size;
    if (fmt === 2 || fmt === 3) {
      dv.setUint32(b + C.COPY_RANGE_SNSID, snsids[i] ?? 0, true);
      dv.setUint16(b + C.COPY_RANGE_SOPT, sopts[i] ?? 0, true);
    }
    dv.setBigUint64(b + C.COPY_RANGE_SLBA, slbs[i] ?? 0n, true);
    dv.setUint16(b + C.COPY_RANGE_NLB, nlbs[i] ?? 0, true);
    if (size === C.COPY_RANGE_F0_SIZE) {
      dv.setUint32(b + C.COPY_RANGE_F0_EILBRT, Number((eilbrts[i] ?? 0n) & 0xffffffffn), true);
      dv.setUint16(b + C.COPY_RANGE_F0_ELBAT, elbats[i] ?? 0, true);
      dv.setUint16(b + C.COPY_RANGE_F0_ELBATM, elbatms[i] ?? 0, true);
    } else {
      // ELBT: 80 bits, big endian; libnvme writes the 64-bit expected reference tag into its
      // last 8 bytes (nvme_init_copy_range_elbt, master's htobe64 at elbt[2]); QEMU reads the low
      // 48 bits (bytes 30-35) as the 64b-guard reference tag.
      dv.setBigUint64(b + C.COPY_RANGE_F1_ELBT + 2, eilbrts[i] ?? 0n, false);
      dv.setUint16(b + C.COPY_RANGE_F1_ELBAT, elbats[i] ?? 0, true);
      dv.setUint16(b + C.COPY_RANGE_F1_ELBATM, elbatms[i] ?? 0, true);
    }
  }
  return data;
}

/** nvme-cli's copy_cmd: the message for a range list it cannot use. */
const COPY_BAD_RANGE = "invalid range";

const EXPECTED_REF_TAGS: OptSpec = { long: "expected-ref-tags", short: "R", kind: "u64list", help: "expected initial reference tag of each range", listError: COPY_BAD_RANGE };

export const copy: Command = {
  name: "copy", device: true, mutates: true,
  summary: "Copy source ranges to one destination inside the device (NVMe Copy, descriptor formats 0h-3h)",
  usage: "<device> --sdlba=<dlba> --slbs=<slba,...> --blocks=<nlb-1,...> [--snsids=<nsid,...>] [--format=<0-3>] [OPTIONS]",
  options: [
    NSID,
    { long: "sdlba", short: "d", kind: "suffix", help: "64-bit address of the first destination block (SDLBA)" },
    { long: "slbs", short: "s", kind: "u64list", help: "starting LBA of each source range", listError: COPY_BAD_RANGE },
    { long: "blocks", short: "b", kind: "list", help: "number of blocks of each source range, 0's based", listMax: 0xffff, listError: COPY_BAD_RANGE },
    { long: "snsids", short: "N", kind: "list", help: "source namespace of each range (formats 2h and 3h)", listError: COPY_BAD_RANGE },
    { long: "sopts", short: "O", kind: "list", help: "source options of each range (formats 2h and 3h)", listMax: 0xffff, listError: COPY_BAD_RANGE },
    LR, FUA,
    { long: "prinfow", short: "p", kind: "byte", help: "protection information for the writes (PRINFOW)", max: 15 },
    { long: "prinfor", short: "P", kind: "byte", help: "protection information for the reads (PRINFOR)", max: 15 },
    { long: "ref-tag", short: "r", kind: "suffix", help: "initial reference tag of the writes (ILBRT)" },
    EXPECTED_REF_TAGS,
    { long: "app-tag", short: "a", kind: "short", help: "application tag of the writes (LBAT)" },
    { long: "expected-app-tags", short: "A", kind: "list", help: "expected application tag of each range", listMax: 0xffff, listError: COPY_BAD_RANGE },
    { long: "app-tag-mask", short: "m", kind: "short", help: "application tag mask of the writes (LBATM)" },
    { long: "expected-app-tag-masks", short: "M", kind: "list", help: "expected application tag mask of each range", listMax: 0xffff, listError: COPY_BAD_RANGE },
    { long: "dir-type", short: "T", kind: "byte", help: "directive type (DTYPE)", max: 15 },
    { long: "dir-spec", short: "S", kind: "short", help: "directive specific (DSPEC)" },
    { long: "format", short: "F", kind: "byte", help: "descriptor format (0-3)" },
    { long: "storage-tag", short: "t", kind: "suffix", help: "storage tag" },
    { long: "storage-tag-check", short: "c", kind: "flag", help: "storage tag check (STCR and STCW)" },
  ],
  run(ctx, o) {
    // copy_cmd's checks, its messages, its order, all before it asks the device for its NSID.
    const fmt = o.int("format", 0);
    if (fmt > 3) throw new CliError("invalid format");
    const slbs = o.u64list("slbs");
    const nlbs = o.list("blocks");
    const snsids = o.list("snsids");
    // Formats 0h and 2h hold 32-bit expected reference tags: copy_cmd reads them as u32s.
    const refTags = o.raw("expected-ref-tags");
    const eilbrts = refTags !== undefined && (fmt === 0 || fmt === 2)
      ? parseList(refTags, EXPECTED_REF_TAGS, "copy", 0xffffffffn) : o.u64list("expected-ref-tags");
    const elbats = o.list("expected-app-tags");
    const elbatms = o.list("expected-app-tag-masks");
    const nr = Math.max(slbs.length, nlbs.length, eilbrts.length, elbats.length, elbatms.length);
    if ((fmt === 2 || fmt === 3) && snsids.length !== nr) throw new CliError("formats 2 and 3 require source namespace ids for each source range");
    if (fmt < 2 && snsids.length > 0) throw new CliError("formats 0 and 1 do not support cross-namespace copy");
    if (nr < 1 || nr > C.COPY_MAX_RANGES) throw new CliError(COPY_BAD_RANGE);
    const nsid = namespaceOf(ctx, o);
    const data = copyDescriptors(fmt, slbs, nlbs, snsids, o.list("sopts"), eilbrts, elbats, elbatms, nr);
    const q = newSqe(O.NVM_COPY, nsid);
    setU64(q, S.SQE_CDW10, o.u64("sdlba", 0n));
    const stc = o.flag("storage-tag-check");
    q[12] = (nr - 1) | (fmt << C.COPY_DESFMT_SHIFT) | (o.int("prinfor", 0) << C.COPY_PRINFOR_SHIFT)
      | (o.int("dir-type", 0) << C.COPY_DTYPE_SHIFT) | (stc ? (1 << C.COPY_STCW_BIT) | (1 << C.COPY_STCR_BIT) : 0)
      | (o.int("prinfow", 0) << C.COPY_PRINFOW_SHIFT) | (o.flag("force-unit-access") ? 1 << C.COPY_FUA_BIT : 0)
      | (o.flag("limited-retry") ? 1 << C.COPY_LR_BIT : 0);
    q[13] = o.int("dir-spec", 0) << 16;
    // copy_cmd's init_pi_tags: ILBRT and LBST by the destination namespace's format, after
    // invalid_tags; LBAT and LBATM in CDW15.
    const pi = namespacePiFormat(ctx, nsid);
    if (typeof pi === "number") return pi;
    const tags = checkedTags(o, pi);
    placeTags(q, pi, tags.ref, tags.storage, o.int("app-tag", 0), o.int("app-tag-mask", 0));
    const r = ctx.dev.driver.exec(ctx.dev.driver.ioQueue(), q, { out: data });
    const code = reportStatus(ctx, r.status);
    if (code !== 0) {
      // nvme-cli's copy_cmd prints the status only. CQE Dword 0 (the first range not copied,
      // NVM CS §3.3.2) is worth knowing, so -v/--verbose, which copy_cmd takes too, adds it.
      if (ctx.global.flag("verbose")) ctx.io.err(`copy: CQE Dword 0 = ${r.dw0}: source range ${r.dw0} is the first one not copied`);
      return code;
    }
    ctx.io.out("NVMe Copy: success");
    return 0;
  },
};

/** The --ref-tag and --storage-tag of o, refused as nvme-cli's invalid_tags refuses tags that do not fit format pi. */
function checkedTags(o: Options, pi: PiFormat): { ref: bigint; storage: bigint } {
  const ref = o.u64("ref-tag", 0n);
  const storage = o.u64("storage-tag", 0n);
  const bad = invalidTags(storage, ref, pi.sts, pi.pif);
  if (bad.length) throw new CliError(bad.join("\n"));
  return { ref, storage };
}
