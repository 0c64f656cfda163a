// Tests for src/cli/print/nvm-id-ctrl.ts against nvme-cli master's stdout_id_ctrl_nvm and
// json_nvme_id_ctrl_nvm: field order, label padding, the -v decodings, JSON keys and values.
import { describe, it, expect } from "vitest";
import { nvmIdCtrlText, nvmIdCtrlJson } from "../../../src/cli/print/nvm-id-ctrl";
import { toNvmeJson } from "../../../src/cli/print/json";
import { rig } from "../../helpers";

function page(f: { vsl?: number; wzsl?: number; wusl?: number; dmrl?: number; dmrsl?: number; dmsl?: bigint; kpiocap?: number; wzdsl?: number; aocs?: number; ver?: number; lbamqf?: number }): Uint8Array {
  const b = new Uint8Array(4096);
  const v = new DataView(b.buffer);
  b[0] = f.vsl ?? 0; b[1] = f.wzsl ?? 0; b[2] = f.wusl ?? 0; b[3] = f.dmrl ?? 0;
  v.setUint32(4, f.dmrsl ?? 0, true);
  v.setBigUint64(8, f.dmsl ?? 0n, true);
  b[16] = f.kpiocap ?? 0; b[17] = f.wzdsl ?? 0;
  v.setUint16(18, f.aocs ?? 0, true);
  v.setUint32(20, f.ver ?? 0, true);
  b[24] = f.lbamqf ?? 0;
  return b;
}

describe("nvm-id-ctrl", () => {
  it("prints every field with its label padded to 7, decimal but ver in hex", () => {
    const t = nvmIdCtrlText(page({ vsl: 7, dmrl: 255, dmrsl: 524287, dmsl: 255n * 524287n, ver: 0x00010100 }), { verbose: false });
    expect(t).toBe([
      "NVMe Identify Controller NVM:",
      "vsl    : 7", "wzsl   : 0", "wusl   : 0", "dmrl   : 255", "dmrsl  : 524287", "dmsl   : 133693185",
      "kpiocap: 0", "wzdsl  : 0", "aocs   : 0", "ver    : 0x10100", "lbamqf : 0", "",
    ].join("\n"));
  });

  it("-v decodes KPIOCAP, AOCS, VER and LBAMQF as nvme-cli does (its strings, its blank lines)", () => {
    const lines = nvmIdCtrlText(page({ kpiocap: 0x7, aocs: 0x3, ver: 0x00010100, lbamqf: 0xc1 }), { verbose: true }).split("\n");
    expect(lines.slice(7)).toEqual([
      "kpiocap: 7",
      "  [7:2] : 0x1\tReserved",
      "  [1:1] : 0x1\tKey Per I/O capability enabled and disabled all namespaces in theNVM subsystem",
      "  [0:0] : 0x1\tKey Per I/O capability Supported",
      "wzdsl  : 0",
      "aocs   : 3",
      "  [15:1] : 0x1\tReserved",
      "  [0:0] : 0x1\tReporting Allocated LBA Supported",
      "",
      "ver    : 0x10100",
      "  NVM command set specification: 1.1.0",
      "",
      "lbamqf : 193",
      "  0xc1: Vendor Specific",
      "",
      "",
    ]);
    expect(nvmIdCtrlText(page({ lbamqf: 1 }), { verbose: true })).toContain("  0x1: Reserved\n");
  });

  it("JSON: vsl, wzsl, wusl, dmrl, dmrsl and dmsl, the 64-bit DMSL as a bare integer", () => {
    const j = nvmIdCtrlJson(page({ vsl: 3, wzsl: 5, dmrl: 255, dmrsl: 4096, dmsl: 0xffffffffffffffffn }));
    expect(toNvmeJson(j)).toBe('{\n  "vsl":3,\n  "wzsl":5,\n  "wusl":0,\n  "dmrl":255,\n  "dmrsl":4096,\n  "dmsl":18446744073709551615\n}');
  });

  it("the controller's page: all zero by default", async () => {
    const r = await rig();
    try {
      const res = r.driver.identify(0x06, 0, 0);
      expect(res.status).toBe(0);
      expect(nvmIdCtrlText(res.data!, { verbose: false })).toContain("vsl    : 0\nwzsl   : 0\nwusl   : 0\ndmrl   : 0\ndmrsl  : 0\ndmsl   : 0\n");
    } finally { await r.close(); }
  });
});
