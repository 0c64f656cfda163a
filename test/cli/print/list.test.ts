// Tests for src/cli/print/list.ts against nvme-cli master's output format (tools/nvme-cli-output.md).
import { describe, it, expect } from "vitest";
import { rig } from "../../helpers";
import { listText, listJson, ListRow, usageCell, formatCell, naturalCompare } from "../../../src/cli/print/list";
import { toNvmeJson } from "../../../src/cli/print/json";
import { newSqe } from "../../../src/driver/sqe";
import * as I from "../../../assembly/spec/identify";

const HEADER = "Node                  Generic               SN                   Model                                    Namespace  Usage                      Format           FW Rev  ";
const DASHES = "--------------------- --------------------- -------------------- ---------------------------------------- ---------- -------------------------- ---------------- --------";

function ascii(d: Uint8Array, off: number, len: number): string {
  return new TextDecoder().decode(d.subarray(off, off + len));
}

/** A list row built the way the CLI gathers it: Identify Controller + Identify Namespace. */
function rowFrom(ctrl: Uint8Array, ns: Uint8Array, nsid: number, instance: number): ListRow {
  const v = new DataView(ns.buffer, ns.byteOffset, ns.byteLength);
  const flbas = ns[I.IDN_FLBAS];
  const f = I.IDN_LBAF0 + ((flbas & 0xf) | ((flbas & 0x60) >> 1)) * I.IDN_LBAF_SIZE;
  const lbaBytes = 2 ** ns[f + I.LBAF_LBADS];
  return {
    node: `/dev/nvme${instance}n${nsid}`, generic: `/dev/ng${instance}n${nsid}`,
    sn: ascii(ctrl, I.IDC_SN, 20), model: ascii(ctrl, I.IDC_MN, 40), fw: ascii(ctrl, I.IDC_FR, 8), nsid,
    usedBytes: Number(v.getBigUint64(I.IDN_NUSE, true)) * lbaBytes,
    totalBytes: Number(v.getBigUint64(I.IDN_NSZE, true)) * lbaBytes,
    lbaBytes, ms: v.getUint16(f + I.LBAF_MS, true),
  };
}

describe("list", () => {
  it("prints the nvme-cli master table for the project's controller", async () => {
    const r = await rig();
    try {
      const d = r.driver;
      for (let i = 0; i < 4; i++) { // 1 MiB written in MDTS-sized pieces: NUSE 2048
        const w = newSqe(0x01, 1); w[10] = i * 512; w[12] = 511;
        expect(d.exec(d.ioQueue(), w, { out: new Uint8Array(1 << 18) }).status).toBe(0);
      }
      const row = rowFrom(d.identify(1).data!, d.identify(0, 1).data!, 1, 0);
      expect(row).toMatchObject({ sn: "NVMELAB0001         ", usedBytes: 1048576, totalBytes: 67108864, lbaBytes: 512, ms: 0 });
      expect(listText([row])).toBe([
        HEADER,
        DASHES,
        "/dev/nvme0n1          /dev/ng0n1            NVMELAB0001          nvmelab NVMe Ctrl                        0x1          1.05  MB /  67.11  MB    512   B +  0 B   0.1.0   ",
        "",
      ].join("\n"));
      expect(toNvmeJson(listJson([row]))).toBe([
        "{",
        '  "Devices":[',
        "    {",
        '      "NameSpace":1,',
        '      "DevicePath":"/dev/nvme0n1",',
        '      "GenericPath":"/dev/ng0n1",',
        '      "Firmware":"0.1.0",',
        '      "ModelNumber":"nvmelab NVMe Ctrl",',
        '      "SerialNumber":"NVMELAB0001",',
        '      "UsedBytes":1048576,',
        '      "MaximumLBA":131072,',
        '      "PhysicalSize":67108864,',
        '      "SectorSize":512',
        "    }",
        "  ]",
        "}",
      ].join("\n"));
    } finally { await r.close(); }
  });

  it("reproduces the QEMU example row from the research document", () => {
    const row: ListRow = {
      node: "/dev/nvme0n1", generic: "/dev/ng0n1", sn: "EMU0001", model: "QEMU NVMe Ctrl", nsid: 1,
      usedBytes: 1073741824, totalBytes: 1073741824, lbaBytes: 512, ms: 0, fw: "1.0",
    };
    expect(listText([row]).split("\n")[2]).toBe(
      "/dev/nvme0n1          /dev/ng0n1            EMU0001              QEMU NVMe Ctrl                           0x1          1.07  GB /   1.07  GB    512   B +  0 B   1.0     ");
  });

  it("formats the Usage and Format cells", () => {
    expect(usageCell(0, 1073741824)).toBe("  0.00   B /   1.07  GB");
    expect(formatCell(4096, 8)).toBe("  4 KiB +  8 B");
    expect(formatCell(512, 64)).toBe("512   B + 64 B");
    expect(usageCell(999, 1e12)).toBe("999.00   B /   1.00  TB");
  });

  it("widens a column for a longer value and sorts rows by natural name order", () => {
    const base: ListRow = {
      node: "", generic: "", sn: "S", model: "M", nsid: 1, usedBytes: 0, totalBytes: 0, lbaBytes: 512, ms: 0, fw: "F",
    };
    const rows = ["nvme10n1", "nvme2n1", "nvme1n12", "nvme1n2"].map((n, i) => ({
      ...base, node: `/dev/${n}`, generic: `/dev/ng${n.slice(4)}`, nsid: i + 1,
    }));
    rows[0].model = "M".repeat(45);
    const lines = listText(rows).split("\n");
    expect(lines.slice(2, 6).map((l) => l.split(" ")[0])).toEqual(["/dev/nvme1n2", "/dev/nvme1n12", "/dev/nvme2n1", "/dev/nvme10n1"]);
    expect(lines[0]).toBe(HEADER.replace("Model" + " ".repeat(35), "Model" + " ".repeat(40)));
    expect(lines[1].split(" ")[3]).toHaveLength(45);
    for (const l of lines.slice(0, 6)) expect(l).toHaveLength(HEADER.length + 5);
    expect(naturalCompare("nvme2n1", "nvme10n1")).toBeLessThan(0);
    expect(naturalCompare("nvme1n1", "nvme1n1")).toBe(0);
    expect(naturalCompare("nvme1", "nvme1n1")).toBeLessThan(0);
  });

  it("prints only the header and dashes when there are no devices", () => {
    expect(listText([])).toBe(`${HEADER}\n${DASHES}\n`);
    expect(listJson([])).toEqual({ Devices: [] });
  });
});
