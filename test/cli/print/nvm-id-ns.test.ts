// Tests for src/cli/print/nvm-id-ns.ts against nvme-cli master's stdout_nvm_id_ns and
// json_nvme_nvm_id_ns: the ELBAF lines up to NLBAF + NULBAF with "(in use)" from FLBAS, their
// C padding (trailing spaces kept), NPDGL only with NSFEAT bit 5, the -v decodings.
import { describe, it, expect } from "vitest";
import { nvmIdNsText, nvmIdNsJson } from "../../../src/cli/print/nvm-id-ns";
import { toNvmeJson } from "../../../src/cli/print/json";

function idNs(nlbaf: number, flbas: number, nsfeat = 0, nulbaf = 0): Uint8Array {
  const b = new Uint8Array(4096);
  b[24] = nsfeat; b[25] = nlbaf; b[26] = flbas; b[82] = nulbaf;
  return b;
}

function nvmNs(f: { lbstm?: bigint; pic?: number; pifa?: number; elbaf?: number[]; npdgl?: number; npdal?: number }): Uint8Array {
  const b = new Uint8Array(4096);
  const v = new DataView(b.buffer);
  v.setBigUint64(0, f.lbstm ?? 0n, true);
  b[8] = f.pic ?? 0; b[9] = f.pifa ?? 0;
  (f.elbaf ?? []).forEach((e, i) => v.setUint32(12 + 4 * i, e, true));
  v.setUint32(268, f.npdgl ?? 0, true);
  v.setUint32(284, f.npdal ?? 0, true);
  return b;
}

describe("nvm-id-ns", () => {
  it("prints LBSTM, PIC, PIFA, an ELBAF line per format (in use marked), then the granularities", () => {
    const t = nvmIdNsText(nvmNs({ elbaf: [0, 2 << 7, 0, 0] }), 1, idNs(3, 0x01), { verbose: false });
    expect(t).toBe([
      "NVMe NVM Identify Namespace 1:",
      "lbstm : 0", "pic   : 0", "pifa  : 0",
      "elbaf  0 : qpif:0 pif:0 sts:0  ",
      "elbaf  1 : qpif:0 pif:2 sts:0  (in use)",
      "elbaf  2 : qpif:0 pif:0 sts:0  ",
      "elbaf  3 : qpif:0 pif:0 sts:0  ",
      "nprg  : 0", "npra  : 0", "nors  : 0", "npdal : 0", "lbapss: 0", "tlbaag: 0", "",
    ].join("\n"));
  });

  it("FLBAS bits 6:5 select formats 16 and up; NULBAF adds lines; NPDGL only with NSFEAT bit 5", () => {
    const lines = nvmIdNsText(nvmNs({ elbaf: [], npdgl: 8, npdal: 8, lbstm: 0xffn }), 2, idNs(16, 0x20 | 0x0, 0x20, 2), { verbose: false }).split("\n");
    expect(lines[1]).toBe("lbstm : 0xff");
    expect(lines.filter((l) => l.startsWith("elbaf"))).toHaveLength(19);
    expect(lines).toContain("elbaf 16 : qpif:0 pif:0 sts:0  (in use)");
    expect(lines.slice(-8)).toEqual(["npdgl : 0x8", "nprg  : 0", "npra  : 0", "nors  : 0", "npdal : 0x8", "lbapss: 0", "tlbaag: 0", ""]);
  });

  it("-v decodes PIC and PIFA and spells each ELBAF out", () => {
    const elbaf = 10 | (2 << 7) | (1 << 9); // STS 10, PIF 64b guard, QPIF 32b guard
    const lines = nvmIdNsText(nvmNs({ pic: 0x0b, pifa: 0x01, elbaf: [elbaf, 3 << 7] }), 1, idNs(1, 0), { verbose: true }).split("\n");
    expect(lines.slice(2, 15)).toEqual([
      "pic   : 0xb",
      "  [3:3] : 0x1\tQualified Protection Information Format Supported",
      "  [2:2] : 0\tStorage Tag Check Read Not Supported",
      "  [1:1] : 0x1\t16b Guard Protection Information Storage Tag Mask",
      "  [0:0] : 0x1\t16b Guard Protection Information Storage Tag Supported",
      "",
      "pifa  : 0x1",
      "  [2:0] : 0x1\tStorage Tag Masking Level Attribute : Byte Granularity Masking",
      "",
      "Extended LBA Format  0 : Qualified Protection Information Format: 32b Guard(1) - Protection Information Format: 64b Guard(2) - Storage Tag Size (MSB): 10 (in use)",
      "Extended LBA Format  1 : Qualified Protection Information Format: 16b Guard(0) - Protection Information Format: Qualified Type(3) - Storage Tag Size (MSB): 0  ",
      "nprg  : 0",
      "npra  : 0",
    ]);
  });

  it("JSON: lbstm, pic and an elbafs array up to NLBAF (not NULBAF), each {sts, pif}", () => {
    const j = nvmIdNsJson(nvmNs({ elbaf: [5 | (2 << 7), 0] }), idNs(1, 0, 0, 3));
    expect(toNvmeJson(j)).toBe('{\n  "lbstm":0,\n  "pic":0,\n  "elbafs":[\n    {\n      "sts":5,\n      "pif":2\n    },\n    {\n      "sts":0,\n      "pif":0\n    }\n  ]\n}');
  });
});
