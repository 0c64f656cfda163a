// Admin commands with nvme-cli's names, options and output: list, id-ctrl, id-ns, nvm-id-ctrl,
// nvm-id-ns, get-log, smart-log, error-log, effects-log, get-feature, set-feature, show-regs,
// reset, subsystem-reset.

import * as I from "../../../assembly/spec/identify";
import * as A from "../../../assembly/spec/admin";
import * as R from "../../../assembly/spec/regs";
import * as P from "../../../assembly/spec/pi";
import { OptSpec, Options } from "../args";
import { Command, CommandContext, CliError, namespaceOf } from "../context";
import { reportStatus } from "../status";
import { idCtrlText, idCtrlJson } from "../print/id-ctrl";
import { idNsText, idNsJson } from "../print/id-ns";
import { nvmIdCtrlText, nvmIdCtrlJson } from "../print/nvm-id-ctrl";
import { nvmIdNsText, nvmIdNsJson } from "../print/nvm-id-ns";
import { newSqe } from "../../driver/sqe";
import * as O from "../../../assembly/spec/opcodes";
import { smartLogText, smartLogJson } from "../print/smart-log";
import { errorLogText, errorLogJson, errorLogEntries } from "../print/error-log";
import { effectsLogText, effectsLogJson } from "../print/effects-log";
import { getFeatureLine, getFeatureJson, setFeatureLine, featureName } from "../print/features";
import { statusLine } from "../print/status";
import { hexPad } from "../print/fmt";
import { SC_INVALID_FIELD, SC_INVALID_NSID } from "../../../assembly/spec/status";
import { listText, listJson, ListRow } from "../print/list";
import { hexdump } from "../print/hexdump";
import { toNvmeJson } from "../print/json";
import { regsText, regsJson, REGS_SIZE } from "../print/regs";

// Option types as nvme-cli's commands declare them (OPT_UINT word, OPT_SHRT short, OPT_BYTE
// byte, OPT_SUFFIX suffix).
const NSID: OptSpec = { long: "namespace-id", short: "n", kind: "word", help: "namespace ID" };
const RAW: OptSpec = { long: "raw-binary", short: "b", kind: "flag", help: "output in binary format" };
const VS: OptSpec = { long: "vendor-specific", short: "V", kind: "flag", help: "dump the vendor specific field in binary" };

type Format = "normal" | "json" | "binary";
function formatOf(ctx: CommandContext, o: Options): Format {
  if (o.flag("raw-binary")) return "binary";
  return (ctx.global.str("output-format") as Format | undefined) ?? "normal";
}

function showJson(ctx: CommandContext, obj: unknown): void {
  ctx.io.out(toNvmeJson(obj));
}

/** Run an Identify and report failures the nvme-cli way. */
function identify(ctx: CommandContext, cns: number, nsid = 0): Uint8Array | number {
  const r = ctx.dev.driver.identify(cns, nsid);
  return r.status !== 0 ? reportStatus(ctx, r.status) : r.data!;
}

export const list: Command = {
  name: "list", device: true, deviceArg: false, summary: "List the NVMe devices (the emulated controller's namespaces)", usage: "[OPTIONS]",
  options: [],
  run(ctx, o) {
    const d = ctx.dev.driver;
    const id = d.idCtrl;
    const ascii = (off: number, len: number) => String.fromCharCode(...id.subarray(off, off + len)).trimEnd();
    const rows: ListRow[] = d.nsids.map((nsid) => {
      const f = d.format(nsid);
      const nuse = new DataView(d.idNs.get(nsid)!.buffer).getBigUint64(I.IDN_NUSE, true);
      return {
        node: `/dev/nvme0n${nsid}`, generic: `/dev/ng0n${nsid}`, sn: ascii(I.IDC_SN, I.IDC_SN_LEN), model: ascii(I.IDC_MN, I.IDC_MN_LEN),
        nsid, usedBytes: Number(nuse) * f.lbaBytes, totalBytes: Number(f.nsze) * f.lbaBytes, lbaBytes: f.lbaBytes, ms: f.ms,
        fw: ascii(I.IDC_FR, I.IDC_FR_LEN),
      };
    });
    if (formatOf(ctx, o) === "json") showJson(ctx, listJson(rows));
    else ctx.io.out(listText(rows));
    return 0;
  },
};

export const idCtrl: Command = {
  name: "id-ctrl", device: true, summary: "Identify Controller (CNS 01h): show its fields, -H to decode them", usage: "<device> [OPTIONS]",
  options: [VS, RAW],
  run(ctx, o) {
    const data = identify(ctx, I.CNS_CONTROLLER);
    if (typeof data === "number") return data;
    const fmt = formatOf(ctx, o);
    if (fmt === "binary") ctx.io.outBytes(data);
    else if (fmt === "json") showJson(ctx, idCtrlJson(data));
    else ctx.io.out(idCtrlText(data, { human: ctx.global.flag("human-readable"), vendorSpecific: o.flag("vendor-specific") }));
    return 0;
  },
};

export const idNs: Command = {
  name: "id-ns", device: true, summary: "Identify Namespace (CNS 00h): NSZE, NUSE, LBA formats, MSSRL/MCL/MSRC", usage: "<device> [--namespace-id=<nsid>] [OPTIONS]",
  options: [NSID, { long: "force", kind: "flag", help: "also show an inactive namespace" }, VS, RAW],
  run(ctx, o) {
    const nsid = namespaceOf(ctx, o);
    const data = identify(ctx, I.CNS_NAMESPACE, nsid);
    if (typeof data === "number") return data;
    const fmt = formatOf(ctx, o);
    if (fmt === "binary") ctx.io.outBytes(data);
    else if (fmt === "json") showJson(ctx, idNsJson(data, { human: ctx.global.flag("human-readable") }));
    else ctx.io.out(idNsText(data, nsid, { human: ctx.global.flag("human-readable"), vendorSpecific: o.flag("vendor-specific") }));
    return 0;
  },
};

/** nvme-cli's -v (VERBOSE) for the nvm-id commands; -H, nvmelab's decode flag, does the same. */
function verbose(ctx: CommandContext): boolean {
  return ctx.global.flag("verbose") || ctx.global.flag("human-readable");
}

export const nvmIdCtrl: Command = {
  name: "nvm-id-ctrl", device: true, summary: "NVM Command Set Identify Controller (CNS 06h, CSI 00h): VSL, WZSL, WUSL, DMRL, DMRSL, DMSL; -v to decode", usage: "<device> [OPTIONS]",
  options: [],
  run(ctx, o) {
    const r = ctx.dev.driver.identify(I.CNS_CSI_CONTROLLER, 0, I.CSI_NVM << I.IDENTIFY_CSI_SHIFT);
    if (r.status !== 0) return reportStatus(ctx, r.status);
    const fmt = formatOf(ctx, o);
    if (fmt === "binary") ctx.io.outBytes(r.data!);
    else if (fmt === "json") showJson(ctx, nvmIdCtrlJson(r.data!));
    else ctx.io.out(nvmIdCtrlText(r.data!, { verbose: verbose(ctx) }));
    return 0;
  },
};

export const nvmIdNs: Command = {
  name: "nvm-id-ns", device: true, summary: "NVM Command Set Identify Namespace (CNS 05h, CSI 00h): LBSTM, PIC, ELBAFs; -v to decode", usage: "<device> [--namespace-id=<nsid>] [OPTIONS]",
  options: [{ ...NSID, help: "identifier of desired namespace" }, { long: "uuid-index", short: "U", kind: "byte", help: "UUID index (CDW14 bits 6:0)", max: 0x7f }],
  run(ctx, o) {
    const nsid = namespaceOf(ctx, o);
    // As nvme-cli's nvm_id_ns: Identify Namespace first (its NLBAF, NULBAF and FLBAS frame the ELBAFs).
    const id = identify(ctx, I.CNS_NAMESPACE, nsid);
    if (typeof id === "number") return id;
    const q = newSqe(O.ADMIN_IDENTIFY, nsid);
    q[10] = I.CNS_CSI_NAMESPACE;
    q[11] = I.CSI_NVM << I.IDENTIFY_CSI_SHIFT;
    q[14] = o.int("uuid-index", 0);
    const r = ctx.dev.driver.exec(ctx.dev.driver.admin, q, { inLen: I.IDENTIFY_DATA_SIZE });
    if (r.status !== 0) return reportStatus(ctx, r.status);
    const fmt = formatOf(ctx, o);
    if (fmt === "binary") ctx.io.outBytes(r.data!);
    else if (fmt === "json") showJson(ctx, nvmIdNsJson(r.data!, id));
    else ctx.io.out(nvmIdNsText(r.data!, nsid, id, { verbose: verbose(ctx) }));
    return 0;
  },
};

function logCommand(ctx: CommandContext, lid: number, len: number, nsid: number, rae = false): Uint8Array | number {
  const r = ctx.dev.driver.getLogPage(lid, len, nsid, 0, rae);
  return r.status !== 0 ? reportStatus(ctx, r.status) : r.data!;
}

export const smartLog: Command = {
  name: "smart-log", device: true, summary: "SMART / Health Information log (02h)", usage: "<device> [OPTIONS]",
  options: [{ ...NSID, help: "namespace ID (default FFFFFFFFh: the controller)" }, RAW],
  run(ctx, o) {
    const nsid = o.int("namespace-id", 0xffffffff);
    const data = logCommand(ctx, A.LID_SMART, A.SMART_LOG_SIZE, nsid);
    if (typeof data === "number") return data;
    const fmt = formatOf(ctx, o);
    if (fmt === "binary") ctx.io.outBytes(data);
    else if (fmt === "json") showJson(ctx, smartLogJson(data, { human: ctx.global.flag("human-readable") }));
    else ctx.io.out(smartLogText(data, nsid, "nvme0", { human: ctx.global.flag("human-readable") }));
    return 0;
  },
};

export const errorLog: Command = {
  name: "error-log", device: true, summary: "Error Information log (01h): the newest failed commands first", usage: "<device> [--log-entries=<n>] [OPTIONS]",
  options: [{ long: "log-entries", short: "e", kind: "word", help: "number of entries to show (default 64)", min: 1, max: 4096 }, RAW],
  run(ctx, o) {
    const elpe = ctx.dev.driver.idCtrl[I.IDC_ELPE];
    const entries = errorLogEntries(o.int("log-entries", 64), elpe);
    const data = logCommand(ctx, A.LID_ERROR_INFO, entries * A.ERRLOG_ENTRY_SIZE, 0xffffffff);
    if (typeof data === "number") return data;
    const fmt = formatOf(ctx, o);
    if (fmt === "binary") ctx.io.outBytes(data);
    else if (fmt === "json") showJson(ctx, errorLogJson(data, entries));
    else ctx.io.out(errorLogText(data, "nvme0", entries));
    return 0;
  },
};

export const effectsLog: Command = {
  name: "effects-log", device: true, summary: "Commands Supported and Effects log (05h)", usage: "<device> [OPTIONS]",
  options: [RAW, { long: "csi", short: "c", kind: "byte", help: "command set identifier" }],
  run(ctx, o) {
    const data = logCommand(ctx, A.LID_COMMANDS_EFFECTS, A.EFFECTS_LOG_SIZE, 0xffffffff);
    if (typeof data === "number") return data;
    const fmt = formatOf(ctx, o);
    if (fmt === "binary") ctx.io.outBytes(data);
    else if (fmt === "json") showJson(ctx, effectsLogJson(data, o.int("csi", 0)));
    else ctx.io.out(effectsLogText(data, { human: ctx.global.flag("human-readable"), csi: o.int("csi", 0) }));
    return 0;
  },
};

export const getLog: Command = {
  name: "get-log", device: true, summary: "Get any log page as a hexdump (or raw binary)", usage: "<device> --log-id=<lid> --log-len=<bytes> [OPTIONS]",
  options: [
    NSID,
    { long: "log-id", short: "i", kind: "byte", help: "log page identifier" },
    { long: "log-len", short: "l", kind: "word", help: "bytes to read (a multiple of 4)", min: 4 },
    { long: "aen", short: "a", kind: "word", help: "result of an asynchronous event (sets log-id and RAE)" },
    { long: "lpo", short: "L", kind: "suffix", help: "log page offset in bytes" },
    { long: "lsp", short: "s", kind: "byte", help: "log specific field", max: 0x7f },
    { long: "lsi", short: "S", kind: "short", help: "log specific identifier" },
    { long: "rae", short: "r", kind: "flag", help: "retain an asynchronous event" },
    { long: "uuid-index", short: "U", kind: "byte", help: "UUID index", max: 0x7f },
    RAW,
    { long: "csi", short: "y", kind: "byte", help: "command set identifier" },
    { long: "ot", short: "O", kind: "flag", help: "offset type" },
    { long: "xfer-len", short: "x", kind: "word", help: "read the log in pieces of this many bytes" },
  ],
  run(ctx, o) {
    const aen = o.maybeInt("aen");
    const lid = aen !== undefined ? (aen >>> 16) & 0xff : o.maybeInt("log-id");
    if (lid === undefined) throw new CliError("get-log: give --log-id");
    if (!o.has("log-len")) throw new CliError("get-log: give --log-len");
    const len = o.int("log-len", 0);
    if (len % 4 !== 0) throw new CliError(`get-log: --log-len ${len} is not a multiple of 4`);
    const nsid = o.int("namespace-id", 0xffffffff);
    const r = ctx.dev.driver.getLogPage(lid, len, nsid, Number(o.u64("lpo", 0n)), o.flag("rae") || aen !== undefined, o.int("lsp", 0));
    if (r.status !== 0) return reportStatus(ctx, r.status);
    if (formatOf(ctx, o) === "binary") ctx.io.outBytes(r.data!);
    else ctx.io.out(`Device:nvme0 log-id:${lid} namespace-id:${nsid ? `0x${nsid.toString(16)}` : "0"}\n${hexdump(r.data!)}`);
    return 0;
  },
};

/**
 * The NSID get-feature and set-feature send: -n as given (0 included), else what
 * nvme_get_nsid answers for the device (get_feature / set_feature test
 * argconfig_parse_seen(opts, "namespace-id")): a namespace's NSID on /dev/nvme0nN or
 * /dev/ng0nN, and on the controller's character device, where NVME_IOCTL_ID fails with
 * ENOTTY, NVME_NSID_ALL (FFFFFFFFh).
 */
function featureNsid(ctx: CommandContext, o: Options): number {
  return o.has("namespace-id") ? o.int("namespace-id", 0) : ctx.path.nsid ?? 0xffffffff;
}

/**
 * nvme-cli master's feature_name values for --feature-id (get-feature and set-feature):
 * "-f host-behavior" for "-f 0x16", matched as argconfig_match_val matches (a unique prefix
 * will do).
 */
export const FEATURE_VALS: ReadonlyArray<readonly [string, number]> = [
  ["arbitration", 0x01], ["power-mgmt", 0x02], ["lba-range", 0x03], ["temp-thresh", 0x04],
  ["err-recovery", 0x05], ["volatile-wc", 0x06], ["num-queues", 0x07], ["irq-coalesce", 0x08],
  ["irq-config", 0x09], ["write-atomic", 0x0a], ["async-event", 0x0b], ["auto-pst", 0x0c],
  ["host-mem-buf", 0x0d], ["timestamp", 0x0e], ["kato", 0x0f], ["hctm", 0x10], ["nopsc", 0x11],
  ["rrl", 0x12], ["plm-config", 0x13], ["plm-window", 0x14], ["lba-sts-interval", 0x15],
  ["host-behavior", 0x16], ["sanitize", 0x17], ["endurance-evt-cfg", 0x18], ["iocs-profile", 0x19],
  ["spinup-control", 0x1a], ["power-loss-signal", 0x1b], ["perf-characteristics", 0x1c], ["fdp", 0x1d],
  ["fdp-events", 0x1e], ["ns-admin-label", 0x1f], ["key-value", 0x20], ["ctrl-data-queue", 0x21],
  ["emb-mgmt-ctrl-addr", 0x78], ["host-mgmt-agent-addr", 0x79], ["enh-ctrl-metadata", 0x7d],
  ["ctrl-metadata", 0x7e], ["ns-metadata", 0x7f], ["sw-progress", 0x80], ["host-id", 0x81],
  ["resv-nf-mask", 0x82], ["resv-persist", 0x83], ["write-protect", 0x84], ["bp-write-protect", 0x85],
];

const FID_LBA_RANGE = 0x03;
const FID_AUTO_PST = 0x0c;
const FID_HOST_MEM_BUF = 0x0d;
const FID_TIMESTAMP = 0x0e;
const FID_PLM_CONFIG = 0x13;
const FID_PERF_CHARACTERISTICS = 0x1c;
const FID_FDP_EVENTS = 0x1e;
const FID_HOST_ID = 0x81;

/**
 * libnvme_get_feature_length for Get Features (controller to host): the data buffer a feature
 * returns, by the size of libnvme's structure for it; 0 for the features that return only
 * Dword 0. Set Features sends no Host Memory Buffer data.
 */
export function featureDataLength(fid: number, cdw11: number, toHost = true): number {
  switch (fid) {
    case FID_LBA_RANGE: return 4096; // struct nvme_lba_range_type: 64 entries of 64 bytes
    case FID_AUTO_PST: return 256; // struct nvme_feat_auto_pst: 32 entries of 8 bytes
    case FID_PLM_CONFIG: return 512; // struct nvme_plm_config
    case FID_TIMESTAMP: return 8; // struct nvme_timestamp
    case A.FID_HOST_BEHAVIOR_SUPPORT: return A.HBS_DATA_SIZE; // struct nvme_feat_host_behavior
    case FID_HOST_ID: return cdw11 & 1 ? 16 : 8; // EXHID: the 128-bit host identifier
    case FID_HOST_MEM_BUF: return toHost ? 4096 : 0; // struct nvme_host_mem_buf_attrs
    default: return 0;
  }
}

/** C's strcmp(a, b) == 0 over two feature buffers (get_feature_id_changed compares them so). */
function cStringsEqual(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; ; i++) {
    const x = i < a.length ? a[i] : 0;
    const y = i < b.length ? b[i] : 0;
    if (x !== y) return false;
    if (x === 0) return true;
  }
}

/** The Get Features a get-feature of one FID sends, as get_feature_id builds it. */
interface FeatCfg {
  fid: number;
  sel: number;
  cdw11: number;
  dataLen: number;
  nsid: number;
}

/** get_feature_id: the data length (libnvme_get_feature_length unless -l), FDP Events' own, none for SEL 3. */
function getFeatureId(ctx: CommandContext, cfg: FeatCfg) {
  if (!cfg.dataLen) cfg.dataLen = featureDataLength(cfg.fid, cfg.cdw11);
  if (cfg.fid === FID_FDP_EVENTS) {
    // every supported FDP event: 255 event descriptors of 2 bytes, NES = FFh in CDW11 23:16
    cfg.dataLen = 0xff * 2;
    cfg.cdw11 = (cfg.cdw11 | (0xff << 16)) >>> 0;
  }
  if (cfg.sel === A.FEAT_SEL_SUPPORTED) cfg.dataLen = 0;
  return ctx.dev.driver.getFeatures(cfg.fid, cfg.sel, cfg.cdw11, cfg.dataLen, cfg.nsid);
}

/** The SCT and SC of a status, DNR, More and CRD left out (get_feature's filter_out_flags). */
const statusCode = (status: number) => status & 0x7ff;

/**
 * get_feature_id_changed and get_feature_id_print for one FID; returns the status. With
 * --changed, the current value is read (SEL 000b), then the default (SEL 001b), and the
 * feature is shown when they differ, with the SEL of the second read in its line ("Default
 * value:" and the current value), as nvme-cli master does; a feature whose data buffers
 * compare equal as C strings (strcmp) is shown too.
 */
function getFeatureChanged(ctx: CommandContext, o: Options, base: FeatCfg): number {
  const cfg = { ...base };
  const changed = o.flag("changed");
  if (changed) cfg.sel = A.FEAT_SEL_CURRENT;
  const r = getFeatureId(ctx, cfg);
  const err = r.status;
  let def: ReturnType<typeof getFeatureId> | undefined;
  if (!err && changed) {
    cfg.sel = A.FEAT_SEL_DEFAULT;
    def = getFeatureId(ctx, cfg);
  }
  // Performance Characteristics and Host Identifier: nvme-cli shows the CDW11 it sent.
  let result = r.dw0 >>> 0;
  if (!err && (cfg.fid === FID_PERF_CHARACTERISTICS || cfg.fid === FID_HOST_ID)) result = cfg.cdw11;
  const show = err || !changed || def!.status || result !== def!.dw0 >>> 0
    || (r.data !== undefined && def!.data !== undefined && cStringsEqual(r.data, def!.data));
  if (!show) return err;
  if (err) {
    // Invalid Field (feature not supported) and Invalid Namespace are get_feature_ids' to report.
    const sc = statusCode(err);
    if (sc !== SC_INVALID_FIELD && sc !== SC_INVALID_NSID) reportStatus(ctx, err);
    return err;
  }
  const fmt = formatOf(ctx, o);
  if (fmt === "binary" && r.data) ctx.io.outBytes(r.data); // a feature without data: its line
  else if (fmt === "json") showJson(ctx, getFeatureJson(cfg.fid, cfg.sel, result, r.data));
  else ctx.io.out(getFeatureLine(cfg.fid, cfg.sel, result, r.data, { human: ctx.global.flag("human-readable") }));
  return err;
}

export const getFeature: Command = {
  name: "get-feature", device: true, summary: "Get Features: the current, default, saved or supported value of a feature (default: every feature)",
  usage: "<device> [--feature-id=<fid>] [--sel=<0-3>] [OPTIONS]",
  options: [
    { long: "feature-id", short: "f", kind: "byte", help: "feature identifier or name (default: every feature, 00h to FFh)", vals: FEATURE_VALS },
    { ...NSID, help: "identifier of desired namespace" },
    { long: "sel", short: "s", kind: "byte", help: "[0-3]: current/default/saved/supported" },
    { long: "data-len", short: "l", kind: "word", help: "buffer length for features that return data" },
    RAW,
    { long: "cdw11", short: "c", kind: "word", help: "feature specific dword 11" },
    { long: "uuid-index", short: "U", kind: "byte", help: "UUID index" },
    { long: "changed", short: "C", kind: "flag", help: "show the features whose current value differs from the default" },
  ],
  run(ctx, o) {
    const nsid = featureNsid(ctx, o);
    const sel = o.int("sel", 0);
    if (sel > A.FEAT_SEL_SUPPORTED) throw new CliError(`invalid 'select' param:${sel}`);
    const uuid = o.int("uuid-index", 0);
    if (uuid > 127) throw new CliError(`invalid uuid index param: ${uuid}`);
    // get_feature_ids: one FID, or (no -f, or -f 0) every FID from 00h to FFh. A feature the
    // controller does not support (Invalid Field) is passed over in silence; Invalid
    // Namespace is reported with the feature's name and the loop goes on; any other error ends
    // it. The status of the last FID read is the command's (so a full scan ends with FFh's).
    const first = o.int("feature-id", 0);
    const end = first ? first + 1 : 0x100;
    let err = 0;
    let status = 0;
    let n = 0;
    for (let fid = first; fid < end; fid++, n++) {
      err = getFeatureChanged(ctx, o, { fid, sel, cdw11: o.int("cdw11", 0), dataLen: o.int("data-len", 0), nsid });
      if (!err) continue;
      status = statusCode(err);
      if (status === SC_INVALID_FIELD) continue;
      if (status !== SC_INVALID_NSID) break;
      ctx.io.err(`get-feature:${hexPad(fid, fid ? 4 : 2)} (${featureName(fid)}): ${statusLine(err)}`);
    }
    if (n === 1 && status === SC_INVALID_FIELD) reportStatus(ctx, err);
    return err ? 1 : 0;
  },
};

export const setFeature: Command = {
  name: "set-feature", device: true, mutates: true, summary: "Set Features: change a feature (kept in the state file for later calls)",
  usage: "<device> --feature-id=<fid> [--value=<cdw11>] [--data=<file>] [OPTIONS]",
  options: [
    NSID,
    { long: "feature-id", short: "f", kind: "byte", help: "feature identifier or name", vals: FEATURE_VALS },
    { long: "value", short: "V", kind: "suffix", help: "new value (CDW11)" },
    { long: "cdw12", short: "c", kind: "word", help: "feature specific dword 12" },
    { long: "uuid-index", short: "U", kind: "byte", help: "UUID index", max: 0x7f },
    { long: "data-len", short: "l", kind: "word", help: "buffer length" },
    { long: "data", short: "d", kind: "string", help: "file with the feature's data (Host Behavior Support: 512 bytes); default stdin" },
    { long: "save", short: "s", kind: "flag", help: "make the value persistent (SV)" },
  ],
  run(ctx, o) {
    if (!o.has("feature-id")) throw new CliError("set-feature: give --feature-id");
    const fid = o.int("feature-id", 0);
    const value = Number(o.u64("value", 0n) & 0xffffffffn);
    let data: Uint8Array | undefined;
    const len = o.int("data-len", 0) || featureDataLength(fid, value, false);
    if (o.str("data")) {
      data = new Uint8Array(len || ctx.io.readFile(o.str("data")!).length);
      data.set(ctx.io.readFile(o.str("data")!).subarray(0, data.length));
    } else if (len) {
      // set_feature reads a feature's data from stdin when no --data file is given (a
      // terminal gives nothing: the buffer stays zero).
      data = new Uint8Array(len);
      const src = ctx.io.readStdin();
      if (src) data.set(src.subarray(0, len));
    }
    const nsid = featureNsid(ctx, o);
    const r = ctx.dev.driver.setFeatures(fid, value, data, o.flag("save"), nsid);
    if (r.status !== 0) return reportStatus(ctx, r.status);
    ctx.dev.recordFeature(fid, value, nsid, data);
    ctx.io.out(setFeatureLine(fid, value, o.int("cdw12", 0), o.flag("save"), data));
    return 0;
  },
};

export const showRegs: Command = {
  name: "show-regs", device: true, summary: "Show the controller registers (BAR0), -H to decode them", usage: "<device> [OPTIONS]",
  options: [],
  run(ctx) {
    // show_registers maps BAR0 and hands nvme_show_ctrl_registers the mapping; here the
    // registers are read once, as dwords, into a buffer of the size nvme-cli reads.
    const bar = new Uint8Array(REGS_SIZE);
    const dv = new DataView(bar.buffer);
    for (let off = 0; off < REGS_SIZE; off += 4) dv.setUint32(off, ctx.dev.port.read32(off), true);
    const human = ctx.global.flag("human-readable");
    const fmt = ctx.global.str("output-format");
    if (fmt === "binary") ctx.io.outBytes(bar); // binary_ctrl_registers: the raw 0E1Ch bytes
    else if (fmt === "json") showJson(ctx, regsJson(bar, human));
    else ctx.io.out(regsText(bar, human));
    return 0;
  },
};

/**
 * nvme-cli's format (format_cmd): Format NVM with LBAF (or the LBA format of a --block-size
 * without metadata), MSET (--ms), PI, PIL and SES, after its argument checks. Without --lbaf
 * and --block-size the namespace keeps its current LBA format. Without --force nvme-cli prints
 * a warning and waits 10 seconds for Ctrl-C; here the warning is printed and the format goes
 * ahead at once (there is nothing to interrupt in a scripted run). The driver identifies the
 * namespaces again afterwards, as Linux does after a command with the NCC effect.
 */
export const format: Command = {
  name: "format", device: true, mutates: true, summary: "Format NVM: a new LBA format, metadata setting, protection information type and location; erases the namespace",
  usage: "<device> [--namespace-id=<nsid>] [--lbaf=<n> | --block-size=<bytes>] [--ms=<0|1>] [--pi=<0-3>] [--pil=<0|1>] [--ses=<0-2>] [--force]",
  options: [
    { long: "namespace-id", short: "n", kind: "word", help: "identifier of desired namespace (FFFFFFFFh: every namespace)" },
    { long: "lbaf", short: "l", kind: "byte", help: "LBA format to apply (default: the current one)" },
    { long: "ses", short: "s", kind: "byte", help: "[0-2]: secure erase (0: none, 1: user data, 2: cryptographic)" },
    { long: "pi", short: "i", kind: "byte", help: "[0-3]: protection information type (0: none)" },
    { long: "pil", short: "p", kind: "byte", help: "[0-1]: protection information location (1: first bytes of metadata, 0: last)" },
    { long: "ms", short: "m", kind: "byte", help: "[0-1]: metadata settings (1: extended LBA, 0: separate buffer)" },
    { long: "reset", short: "r", kind: "flag", help: "automatically reset the controller after a successful format" },
    { long: "force", kind: "flag", help: "The \"I know what I'm doing\" flag, skip confirmation before sending command" },
    { long: "block-size", short: "b", kind: "suffix", help: "target block size" },
  ],
  run(ctx, o) {
    const bs = o.u64("block-size", 0n);
    if (o.has("lbaf") && bs !== 0n) throw new CliError("Invalid specification of both LBAF and Block Size, please specify only one");
    if (bs !== 0n && (bs & (bs - 1n)) !== 0n) throw new CliError(`Invalid value for block size (${bs}), must be a power of two`);
    const nsid = o.maybeInt("namespace-id") || ctx.path.nsid;
    if (!nsid) throw new CliError("Invalid namespace ID, specify a namespace to format or use\n'-n 0xffffffff' to format all namespaces on this controller.");
    let lbaf = o.has("lbaf") ? o.int("lbaf", 0) : -1;
    if (nsid !== 0xffffffff) {
      const id = identify(ctx, I.CNS_NAMESPACE, nsid);
      if (typeof id === "number") return id;
      const dv = new DataView(id.buffer, id.byteOffset, id.byteLength);
      if (bs !== 0n) {
        for (let i = 0; i <= id[I.IDN_NLBAF]; i++) {
          const at = I.IDN_LBAF0 + i * 4;
          if (2n ** BigInt(id[at + 2]) === bs && dv.getUint16(at, true) === 0) { lbaf = i; break; }
        }
        if (lbaf < 0) throw new CliError(`LBAF corresponding to given block size ${bs} not found\nPlease correct block size, or specify LBAF directly`);
      } else if (lbaf < 0) {
        lbaf = (id[I.IDN_FLBAS] & 0xf) | (((id[I.IDN_FLBAS] >> 5) & 3) << 4); // nvme_id_ns_flbas_to_lbaf_inuse
      }
    } else if (lbaf < 0) {
      lbaf = 0;
    }
    const ses = o.int("ses", 0), pi = o.int("pi", 0), pil = o.int("pil", 0), mset = o.int("ms", 0);
    if (ses > 7) throw new CliError(`invalid secure erase settings:${ses}`);
    if (lbaf > 63) throw new CliError(`invalid lbaf:${lbaf}`);
    if (pi > 7) throw new CliError(`invalid pi:${pi}`);
    if (pil > 1) throw new CliError(`invalid pil:${pil}`);
    if (mset > 1) throw new CliError(`invalid mset:${mset}`);
    if (!o.flag("force")) {
      ctx.io.err(`You are about to format ${ctx.path.text.replace(/^\/dev\//, "")}, namespace 0x${nsid.toString(16)}${nsid === 0xffffffff ? "(ALL namespaces)" : ""}.`);
      ctx.io.err("WARNING: Format may irrevocably delete this device's data.\n(nvmelab does not wait the 10 seconds nvme-cli gives to press Ctrl-C.)\n\nUse the force [--force] option to suppress this warning.");
    }
    // nvme_init_format_nvm: LBAF 3:0, MSET 4, PI 7:5, PIL 8, SES 11:9, LBAFU 13:12.
    const q = newSqe(O.ADMIN_FORMAT_NVM, nsid);
    q[10] = ((lbaf & P.FMT_LBAFL_MASK) | (mset << P.FMT_MSET_BIT) | ((pi & P.FMT_PI_MASK) << P.FMT_PI_SHIFT) | (pil << P.FMT_PIL_BIT)
      | ((ses & P.FMT_SES_MASK) << P.FMT_SES_SHIFT) | (((lbaf >> 4) & P.FMT_LBAFU_MASK) << P.FMT_LBAFU_SHIFT)) >>> 0;
    const r = ctx.dev.driver.exec(ctx.dev.driver.admin, q, {});
    if (r.status !== 0) return reportStatus(ctx, r.status);
    ctx.io.out(`Success formatting namespace:${nsid.toString(16)}`);
    ctx.dev.driver.rescanNamespaces();
    if (o.flag("reset") && ctx.path.nsid === undefined) ctx.dev.driver.recover();
    return 0;
  },
};

export const reset: Command = {
  name: "reset", device: true, summary: "Reset the controller (CC.EN 1 -> 0) and bring it up again", usage: "<device>",
  options: [],
  run(ctx) {
    ctx.dev.driver.recover();
    return 0;
  },
};

export const subsystemReset: Command = {
  name: "subsystem-reset", device: true, summary: "NVM Subsystem Reset (NSSR = \"NVMe\"), then bring the controller up", usage: "<device>",
  options: [],
  run(ctx) {
    ctx.dev.port.write32(R.REG_NSSR, R.NSSR_MAGIC);
    ctx.dev.driver.recover();
    return 0;
  },
};
