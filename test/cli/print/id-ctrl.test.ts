// Tests for src/cli/print/id-ctrl.ts against nvme-cli master's output format (tools/nvme-cli-output.md).
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { rig, Rig } from "../../helpers";
import { idCtrlText, idCtrlJson } from "../../../src/cli/print/id-ctrl";
import { toNvmeJson } from "../../../src/cli/print/json";
import { DEFAULT_ONCS } from "../../../src/controller/config";
import { ONCS_COPY, ONCS_COPY_SINGLE_ATOMICITY, ONCS_ALL_FAST_COPY, OCFS_FORMAT0, OCFS_FORMAT1 } from "../../../assembly/spec/identify";

// nvme-cli master stdout_id_ctrl field order (tools/nvme-cli-output.md §2.1).
const LABELS = `vid ssvid sn mn fr rab ieee cmic mdts cntlid ver rtd3r rtd3e oaes ctratt rrls bpcap nssl plsi cntrltype
fguid crdt1 crdt2 crdt3 crcap nvmsr vwci mec oacs acl aerl frmw lpa elpe npss avscc apsta wctemp cctemp mtfa hmpre hmmin
tnvmcap unvmcap rpmbs edstt dsto fwug kas hctma mntmt mxtmt sanicap hmminds hmmaxd nsetidmax endgidmax anatt anacap
anagrpmax nanagrpid pels domainid kpioc mptfawr megcap tmpthha cqt cdpa mup ipmsr msmt sqes cqes maxcmd nn oncs fuses fna
vwc awun awupf icsvscc nwpc acwu ocfs sgls mnan maxdna maxcna oaqd rhiri hirt cmmrtd nmmrtd minmrtg maxmrtg trattr mcudmq
mnsudmq mcmr nmcmr mcdqpc subnqn ioccsz iorcsz icdoff fcatt msdbd ofcs dctype ccrl`.split(/\s+/);

// nvme-cli master json_nvme_id_ctrl key order (§2.4).
const JSON_KEYS = [...LABELS.slice(0, LABELS.indexOf("ccrl") + 1), "psds"];
const PSD_KEYS = `max_power max_power_scale non-operational_state entry_lat exit_lat read_tput read_lat write_tput write_lat
idle_power idle_scale active_power active_power_work active_scale emerg_power_fail_recover_time
emerg_power_fail_recover_scale force_quiesce_vault_time force_quiesce_vault_scale emerg_power_fail_vault_time
emerg_power_fail_vault_scale`.split(/\s+/);

function block(text: string, label: string): string[] {
  const lines = text.split("\n");
  const start = lines.findIndex((l) => l.startsWith(label.padEnd(10, " ") + ": "));
  const end = lines.indexOf("", start);
  return lines.slice(start, end);
}

describe("id-ctrl", () => {
  let r: Rig;
  let id: Uint8Array;
  beforeAll(async () => {
    r = await rig();
    const res = r.driver.identify(1);
    expect(res.status).toBe(0);
    id = res.data!;
  });
  afterAll(async () => { await r.close(); });

  it("prints the header and identity fields as nvme-cli does", () => {
    const lines = idCtrlText(id, { human: false }).split("\n");
    expect(lines.slice(0, 12)).toEqual([
      "NVME Identify Controller:",
      "vid       : 0x1b36",
      "ssvid     : 0x1af4",
      "sn        : NVMELAB0001         ",
      "mn        : nvmelab NVMe Ctrl                       ",
      "fr        : 0.1.0   ",
      "rab       : 6",
      "ieee      : 000000",
      "cmic      : 0",
      "mdts      : 7",
      "cntlid    : 0",
      "ver       : 0x20100",
    ]);
  });

  it("prints every field once, in nvme-cli master's order, then the power states", () => {
    const text = idCtrlText(id, { human: false });
    const lines = text.split("\n");
    const labels = lines.slice(1).filter((l) => /^[a-z0-9]+ *: /.test(l)).map((l) => l.split(":")[0].trim());
    expect(labels).toEqual(LABELS);
    for (const l of lines.slice(1, LABELS.length + 1)) expect(l.slice(10, 12)).toBe(": ");
    expect(lines.slice(LABELS.length + 1)).toEqual([
      "ps      0 : mp:25.00W operational enlat:0 exlat:0 rrt:0 rrl:0",
      "            rwt:0 rwl:0 idle_power:- active_power:-",
      "            active_power_workload:-",
      "            emergency power fail recovery time: -",
      "            forced quiescence vault time: -",
      "            emergency power fail vault time: -",
      "",
    ]);
    expect(text.endsWith("emergency power fail vault time: -\n")).toBe(true);
  });

  it("prints the fields that matter with their values", () => {
    const lines = idCtrlText(id, { human: false }).split("\n");
    for (const want of [
      "oacs      : 0x2", "acl       : 3", "aerl      : 3", "frmw      : 0x3", "lpa       : 0x6", "elpe      : 63",
      "npss      : 0", "wctemp    : 343", "cctemp    : 373", "tnvmcap   : 0", "sqes      : 0x66", "cqes      : 0x44",
      "nn        : 256", "oncs      : 0x79d", "fuses     : 0", "fna       : 0", "vwc       : 0x7", "ocfs      : 0xf",
      "sgls      : 0x80001", "subnqn    : nqn.2026-11.dev.nvmelab:NVMELAB0001", "cntrltype : 1",
      "fguid     : 00000000-0000-0000-0000-000000000000", "megcap    : 0", "maxdna    : 0", "ccrl      : 0",
    ]) expect(lines, want).toContain(want);
  });

  it("decodes ONCS with -H, including the Copy bits", () => {
    expect(block(idCtrlText(id, { human: true }), "oncs")).toEqual([
      "oncs      : 0x79d",
      "  [12:12] : 0\tNamespace Zeroes Not Supported",
      "  [11:11] : 0\tMaximum Write Zeroes with Deallocate Not Supported",
      "  [10:10] : 0x1\tAll Fast Copy Supported",
      "  [9:9] : 0x1\tCopy Single Atomicity Supported",
      "  [8:8] : 0x1\tCopy Supported",
      "  [7:7] : 0x1\tVerify Supported",
      "  [6:6] : 0\tTimestamp Not Supported",
      "  [5:5] : 0\tReservations Not Supported",
      "  [4:4] : 0x1\tSave and Select Supported",
      "  [3:3] : 0x1\tWrite Zeroes Support Variants",
      "  [2:2] : 0x1\tDataset Management Support Variants",
      "  [1:1] : 0\tWrite Uncorrectable Support Variants",
      "  [0:0] : 0x1\tCompare Command Supported",
    ]);
  });

  it("decodes OCFS, SGLS, VWC, SQES/CQES, FRMW and LPA with -H", () => {
    const text = idCtrlText(id, { human: true });
    expect(block(text, "ocfs")).toEqual([
      "ocfs      : 0xf",
      "  [3:3] : 0x1\tController Copy Format 3h Supported",
      "  [2:2] : 0x1\tController Copy Format 2h Supported",
      "  [1:1] : 0x1\tController Copy Format 1h Supported",
      "  [0:0] : 0x1\tController Copy Format 0h Supported",
    ]);
    expect(block(text, "sgls")).toEqual([
      "sgls      : 0x80001",
      " [21:21]: 0\tTransport SGL Data Block Descriptor Not Supported",
      " [20:20]: 0\tAddress Offsets Not Supported",
      " [19:19]: 0x1\tMetadata Pointer Containing SGL Descriptor is Supported",
      " [18:18]: 0\tSGL Length Larger than Buffer Not Supported",
      " [17:17]: 0\tByte-Aligned Contig. MD Buffer Not Supported",
      " [16:16]: 0\tSGL Bit-Bucket Not Supported",
      " [15:8] : 0\tSGL Descriptor Threshold",
      "  [2:2] : 0\tKeyed SGL Data Block descriptor Not Supported",
      "  [1:0] : 0x1\tScatter-Gather Lists Supported. No Dword alignment required.",
    ]);
    expect(block(text, "vwc")).toEqual([
      "vwc       : 0x7",
      "  [2:1] : 0x3\tThe Flush command supports NSID set to FFFFFFFFh",
      "  [0:0] : 0x1\tVolatile Write Cache Present",
    ]);
    expect(block(text, "sqes")).toEqual(["sqes      : 0x66", "  [7:4] : 0x6\tMax SQ Entry Size (64)", "  [3:0] : 0x6\tMin SQ Entry Size (64)"]);
    expect(block(text, "cqes")).toEqual(["cqes      : 0x44", "  [7:4] : 0x4\tMax CQ Entry Size (16)", "  [3:0] : 0x4\tMin CQ Entry Size (16)"]);
    expect(block(text, "frmw")).toEqual([
      "frmw      : 0x3",
      "  [5:5] : 0\tMultiple FW or Boot Update Detection Not Supported",
      "  [4:4] : 0\tFirmware Activate Without Reset Not Supported",
      "  [3:1] : 0x1\tNumber of Firmware Slots",
      "  [0:0] : 0x1\tFirmware Slot 1 Read-Only",
    ]);
    expect(block(text, "lpa")).toEqual([
      "lpa       : 0x6",
      "  [6:6] : 0\tTelemetry Log Data Area 4 Not Supported",
      "  [5:5] : 0\tLID 0x0, Scope of each command in LID 0x5, 0x12, 0x13 Not Supported",
      "  [4:4] : 0\tPersistent Event log Not Supported",
      "  [3:3] : 0\tTelemetry host/controller initiated log page Not Supported",
      "  [2:2] : 0x1\tExtended data for Get Log Page Supported",
      "  [1:1] : 0x1\tCommand Effects Log Page Supported",
      "  [0:0] : 0\tSMART/Health Log Page per NS Not Supported",
    ]);
  });

  it("decodes CMIC, OACS, FUSES, FNA, the temperatures and CNTRLTYPE with -H", () => {
    const text = idCtrlText(id, { human: true });
    expect(block(text, "cmic")).toEqual([
      "cmic      : 0", "  [3:3] : 0\tANA not supported", "  [2:2] : 0\tPCI", "  [1:1] : 0\tSingle Controller", "  [0:0] : 0\tSingle Port",
    ]);
    const oacs = block(text, "oacs");
    expect(oacs).toHaveLength(13);
    expect(oacs[1]).toBe("  [11:11] : 0\tHost Managed Live Migration Not Supported");
    expect(oacs[12]).toBe("  [0:0] : 0\tSecurity Send and Receive Not Supported");
    expect(block(text, "fuses")).toEqual(["fuses     : 0", "  [0:0] : 0\tFused Compare and Write Not Supported"]);
    expect(block(text, "fna")).toEqual([
      "fna       : 0",
      "  [3:3] : 0\tFormat NVM Broadcast NSID (FFFFFFFFh) Supported",
      "  [2:2] : 0\tCrypto Erase Not Supported as part of Secure Erase",
      "  [1:1] : 0\tCrypto Erase Applies to Single Namespace(s)",
      "  [0:0] : 0\tFormat Applies to Single Namespace(s)",
    ]);
    expect(block(text, "wctemp")).toEqual(["wctemp    : 343", " [15:0] : 70 °C (343 K, 158 °F)\tWarning Composite Temperature Threshold (WCTEMP)"]);
    expect(block(text, "elpe")).toEqual(["elpe      : 63", "  [7:0] : 63 (0's based)\tError Log Page Entries (ELPE)"]);
    expect(block(text, "tnvmcap")).toEqual(["tnvmcap   : 0", "[127:0] : 0", "\tTotal NVM Capacity (TNVMCAP)"]);
    // CNTRLTYPE's decoding has no blank line after it.
    const lines = text.split("\n");
    const k = lines.indexOf("cntrltype : 1");
    expect(lines.slice(k, k + 4)).toEqual(["cntrltype : 1", "  [7:2] : 0\tReserved", "  [1:0] : 0x1\tI/O Controller", "fguid     : 00000000-0000-0000-0000-000000000000"]);
  });

  it("prints the product name first with -H and the vendor-specific hexdump with -V", () => {
    const text = idCtrlText(id, { human: true, vendorSpecific: true, productName: "QEMU NVM Express Controller" });
    expect(text.startsWith("QEMU NVM Express Controller\n\nNVME Identify Controller:\n")).toBe(true);
    expect(idCtrlText(id, { human: false, productName: "x" }).startsWith("NVME Identify Controller:\n")).toBe(true);
    expect(text.endsWith([
      "vs[]:",
      "       0  1  2  3  4  5  6  7  8  9  a  b  c  d  e  f",
      '0000: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 "................"',
      "*",
      "0400:",
      "",
      "",
    ].join("\n"))).toBe(true);
  });

  it("shows Copy as not supported when the controller is configured without it", async () => {
    const r2 = await rig({ config: { oncs: DEFAULT_ONCS & ~(ONCS_COPY | ONCS_COPY_SINGLE_ATOMICITY | ONCS_ALL_FAST_COPY), ocfs: OCFS_FORMAT0 | OCFS_FORMAT1 } });
    try {
      const text = idCtrlText(r2.driver.identify(1).data!, { human: true });
      const oncs = block(text, "oncs");
      expect(oncs[0]).toBe("oncs      : 0x9d");
      expect(oncs).toContain("  [8:8] : 0\tCopy Not Supported");
      expect(oncs).toContain("  [9:9] : 0\tCopy Single Atomicity Not Supported");
      expect(oncs).toContain("  [10:10] : 0\tAll Fast Copy Not Supported");
      expect(block(text, "ocfs")).toEqual([
        "ocfs      : 0x3",
        "  [3:3] : 0\tController Copy Format 3h Not Supported",
        "  [2:2] : 0\tController Copy Format 2h Not Supported",
        "  [1:1] : 0x1\tController Copy Format 1h Supported",
        "  [0:0] : 0x1\tController Copy Format 0h Supported",
      ]);
    } finally {
      await r2.close();
    }
  });

  it("builds the JSON object with nvme-cli master's keys and values", () => {
    const j = idCtrlJson(id);
    expect(Object.keys(j)).toEqual(JSON_KEYS);
    expect(j).toMatchObject({
      vid: 0x1b36, ssvid: 0x1af4, sn: "NVMELAB0001         ", mn: "nvmelab NVMe Ctrl".padEnd(40, " "), fr: "0.1.0   ",
      rab: 6, ieee: 0, mdts: 7, ver: 0x20100, oncs: 0x79d, ocfs: 0xf, sgls: 0x80001, nn: 256, vwc: 7,
      subnqn: "nqn.2026-11.dev.nvmelab:NVMELAB0001", fguid: "00000000-0000-0000-0000-000000000000", tnvmcap: 0,
    });
    const psds = j.psds as Array<Record<string, number>>;
    expect(psds).toHaveLength(1);
    expect(Object.keys(psds[0])).toEqual(PSD_KEYS);
    expect(psds[0].max_power).toBe(2500);
    const text = toNvmeJson(j);
    expect(text.startsWith('{\n  "vid":6966,\n  "ssvid":6900,\n  "sn":"NVMELAB0001         ",\n')).toBe(true);
    expect(text).toContain('\n  "oncs":1949,\n');
    expect(text).toContain('\n  "ocfs":15,\n');
    expect(text).toContain('\n  "psds":[\n    {\n      "max_power":2500,\n      "max_power_scale":0,\n');
    expect(JSON.parse(text).oncs).toBe(0x79d);
  });

  it("adds product_name first when given and leaves out an empty subnqn", () => {
    const copy = id.slice();
    copy.fill(0, 768, 1024);
    const j = idCtrlJson(copy, { productName: "QEMU NVM Express Controller" });
    expect(Object.keys(j)[0]).toBe("product_name");
    expect("subnqn" in j).toBe(false);
  });
});
