// Tests for src/cli/print/id-ns.ts against nvme-cli master's output format (tools/nvme-cli-output.md).
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { rig, Rig } from "../../helpers";
import { idNsText, idNsJson, lbafInUse } from "../../../src/cli/print/id-ns";
import { toNvmeJson } from "../../../src/cli/print/json";
import { defaultNamespace, DEFAULT_ONCS } from "../../../src/controller/config";
import { ONCS_COPY, ONCS_COPY_SINGLE_ATOMICITY, ONCS_ALL_FAST_COPY } from "../../../assembly/spec/identify";

// nvme-cli master stdout_id_ns field order (tools/nvme-cli-output.md §3.1).
const LABELS = `nsze ncap nuse nsfeat nlbaf flbas mc dpc dps nmic rescap fpi dlfeat nawun nawupf nacwu nabsn nabo nabspf noiob
nvmcap mssrl mcl msrc kpios nulbaf kpiodaag anagrpid nsattr nvmsetid endgid nguid eui64`.split(/\s+/);
// master json_nvme_id_ns key order (§3.3); npwg..nows only when NSFEAT.OPTPERF is set.
const JSON_KEYS = [...LABELS, "lbafs", "vs"];

function block(text: string, label: string): string[] {
  const lines = text.split("\n");
  const start = lines.findIndex((l) => l.startsWith(label.padEnd(8, " ") + ": ") || l.startsWith(label + "\t: "));
  const end = lines.indexOf("", start);
  return lines.slice(start, end);
}

describe("id-ns", () => {
  let r: Rig;
  let ns: Uint8Array;
  beforeAll(async () => {
    // Namespace 1 formatted with LBA format 4 (4096 bytes, no metadata).
    r = await rig({ config: { namespaces: [{ ...defaultNamespace(1), formatIndex: 4 }] } });
    const res = r.driver.identify(0, 1);
    expect(res.status).toBe(0);
    ns = res.data!;
  });
  afterAll(async () => { await r.close(); });

  it("prints every field in nvme-cli master's order, then the LBA formats", () => {
    const lines = idNsText(ns, 1, { human: false }).split("\n");
    expect(lines[0]).toBe("NVME Identify Namespace 1:");
    const labels = lines.slice(1, LABELS.length + 1).map((l) => l.split(":")[0].trim());
    expect(labels).toEqual(LABELS);
    expect(lines.slice(1, 4)).toEqual(["nsze    : 0x20000", "ncap    : 0x20000", "nuse    : 0"]);
    expect(lines.slice(LABELS.length + 1)).toEqual([
      "lbaf  0 : ms:0   lbads:9  rp:0 ",
      "lbaf  1 : ms:8   lbads:9  rp:0 ",
      "lbaf  2 : ms:16  lbads:9  rp:0 ",
      "lbaf  3 : ms:64  lbads:9  rp:0 ",
      "lbaf  4 : ms:0   lbads:12 rp:0 (in use)",
      "lbaf  5 : ms:8   lbads:12 rp:0 ",
      "lbaf  6 : ms:16  lbads:12 rp:0 ",
      "lbaf  7 : ms:64  lbads:12 rp:0 ",
      "",
    ]);
  });

  it("prints the Copy limits and the other fields that matter", () => {
    const lines = idNsText(ns, 1, { human: false }).split("\n");
    for (const want of [
      "nlbaf   : 7", "flbas   : 0x4", "mc      : 0x3", "dlfeat  : 9", "nvmcap  : 536870912",
      "mssrl   : 128", "mcl     : 128", "msrc    : 127", "kpios   : 0", "nulbaf  : 0", "kpiodaag: 0",
      "nsattr\t: 0", "nvmsetid: 0", "endgid  : 0",
      "nguid   : 00000000000000000000000000000000", "eui64   : 0000000000000000",
    ]) expect(lines, want).toContain(want);
  });

  it("marks LBA format 0 in use on a default namespace", async () => {
    const r2 = await rig();
    try {
      const text = idNsText(r2.driver.identify(0, 1).data!, 1, { human: false });
      expect(text.split("\n")).toContain("lbaf  0 : ms:0   lbads:9  rp:0 (in use)");
      expect(text.split("\n")).toContain("lbaf  4 : ms:0   lbads:12 rp:0 ");
    } finally { await r2.close(); }
  });

  it("decodes with -H: field descriptions, bit blocks and LBA Format lines", () => {
    const text = idNsText(ns, 1, { human: true });
    const lines = text.split("\n");
    expect(lines.slice(0, 4)).toEqual([
      "NVME Identify Namespace 1:",
      "nsze    : 0x20000\tTotal size in logical blocks",
      "ncap    : 0x20000\tMaximum size in logical blocks",
      "nuse    : 0\tCurrent size in logical blocks",
    ]);
    expect(block(text, "flbas")).toEqual([
      "flbas   : 0x4",
      "  [6:5] : 0\tMost significant 2 bits of Current LBA Format Selected",
      "  [4:4] : 0\tMetadata Transferred in Separate Contiguous Buffer",
      "  [3:0] : 0x4\tLeast significant 4 bits of Current LBA Format Selected",
    ]);
    expect(block(text, "dlfeat")).toEqual([
      "dlfeat  : 9",
      "  [4:4] : 0\tGuard Field of Deallocated Logical Blocks is set to 0xFFFF",
      "  [3:3] : 0x1\tDeallocate Bit in the Write Zeroes Command is Supported",
      "  [2:0] : 0x1\tBytes Read From a Deallocated Logical Block and its Metadata are 0x00",
    ]);
    expect(block(text, "nsattr")).toEqual(["nsattr\t: 0", "  [0:0] : 0\tNamespace Not Write Protected"]);
    expect(block(text, "kpios")).toEqual([
      "kpios   : 0", "  [1:1] : 0\tKey Per I/O Capability Not Supported", "  [0:0] : 0\tKey Per I/O Capability Disabled",
    ]);
    expect(block(text, "nsfeat")).toHaveLength(8);
    expect(block(text, "rescap")).toHaveLength(9);
    // Copy limits have no -H decoding: no blank line between them.
    const k = lines.indexOf("mssrl   : 128");
    expect(lines.slice(k, k + 3)).toEqual(["mssrl   : 128", "mcl     : 128", "msrc    : 127"]);
    expect(lines).toContain("LBA Format  4 : Metadata Size: 0   bytes - Data Size: 4096 bytes - Relative Performance: 0 Best (in use)");
    expect(lines).toContain("LBA Format  0 : Metadata Size: 0   bytes - Data Size: 512 bytes - Relative Performance: 0 Best ");
    expect(lines.slice(-2)).toEqual(["LBA Format  7 : Metadata Size: 64  bytes - Data Size: 4096 bytes - Relative Performance: 0 Best ", ""]);
  });

  it("prints the vendor-specific area as a hexdump with -V", () => {
    const text = idNsText(ns, 1, { human: false, vendorSpecific: true });
    expect(text.endsWith([
      "lbaf  7 : ms:64  lbads:12 rp:0 ",
      "vs[]:",
      "       0  1  2  3  4  5  6  7  8  9  a  b  c  d  e  f",
      '0000: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 "................"',
      "*",
      "0180:",
      "",
      "",
    ].join("\n"))).toBe(true);
  });

  it("reports zero Copy limits when the controller does not support Copy", async () => {
    const r2 = await rig({ config: { oncs: DEFAULT_ONCS & ~(ONCS_COPY | ONCS_COPY_SINGLE_ATOMICITY | ONCS_ALL_FAST_COPY) } });
    try {
      const lines = idNsText(r2.driver.identify(0, 1).data!, 1, { human: false }).split("\n");
      expect(lines).toContain("mssrl   : 0");
      expect(lines).toContain("mcl     : 0");
      expect(lines).toContain("msrc    : 0");
    } finally { await r2.close(); }
  });

  it("reads the in-use format from FLBAS bits 3:0 and 6:5", () => {
    expect(lbafInUse(0x04)).toBe(4);
    expect(lbafInUse(0x14)).toBe(4);
    expect(lbafInUse(0x21)).toBe(17);
    expect(lbafInUse(0x6f)).toBe(63);
  });

  it("builds the JSON object with nvme-cli master's keys", () => {
    const j = idNsJson(ns);
    expect(Object.keys(j)).toEqual(JSON_KEYS);
    expect(j).toMatchObject({ nsze: 131072, ncap: 131072, nuse: 0, flbas: 4, nvmcap: 536870912, mssrl: 128, mcl: 128, msrc: 127, vs: [] });
    const lbafs = j.lbafs as Array<Record<string, number>>;
    expect(lbafs).toHaveLength(8);
    expect(lbafs[4]).toEqual({ lbaf: 4, ms: 0, ds: 12, rp: 0, in_use: 1 });
    expect(Object.keys(lbafs[0])).toEqual(["lbaf", "ms", "ds", "rp", "in_use"]);
    expect(lbafs.filter((l) => l.in_use === 1)).toHaveLength(1);
    const text = toNvmeJson(j);
    expect(text.startsWith('{\n  "nsze":131072,\n  "ncap":131072,')).toBe(true);
    expect(text).toContain('  "lbafs":[\n    {\n      "lbaf":0,\n      "ms":0,\n      "ds":9,\n      "rp":0,\n      "in_use":0\n    },');
    expect(text).toContain('"nguid":"00000000000000000000000000000000",\n  "eui64":"0000000000000000",');
  });

  it("builds the -H JSON LBA formats with descriptive keys", () => {
    const lbafs = idNsJson(ns, { human: true }).lbafs as Array<Record<string, unknown>>;
    expect(lbafs[4]).toEqual({
      "LBA Format": 4, "Metadata Size": "0 bytes", "Data Size": "4096 bytes", "Relative Performance": "0x0 Best", "in use": "yes",
    });
    expect(lbafs[1]["in use"]).toBe("no");
  });

  it("adds the optional performance fields to JSON when NSFEAT.OPTPERF is set", () => {
    const d = ns.slice();
    d[24] |= 0x10;
    const keys = Object.keys(idNsJson(d));
    expect(keys.slice(keys.indexOf("nvmcap"), keys.indexOf("mssrl") + 1)).toEqual(["nvmcap", "npwg", "npwa", "npdg", "npda", "nows", "mssrl"]);
  });
});
