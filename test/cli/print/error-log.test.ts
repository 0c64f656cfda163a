// Tests for src/cli/print/error-log.ts against nvme-cli master's output format (tools/nvme-cli-output.md).
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { rig, Rig } from "../../helpers";
import { errorLogText, errorLogJson, errorLogEntries, trtypeString } from "../../../src/cli/print/error-log";
import { toNvmeJson } from "../../../src/cli/print/json";
import { newSqe } from "../../../src/driver/sqe";
import * as A from "../../../assembly/spec/admin";
import { IDC_ELPE } from "../../../assembly/spec/identify";

// nvme-cli master json_error_log entry keys (tools/nvme-cli-output.md §5.2).
const JSON_KEYS = `error_count sqid cmdid status_field phase_tag parm_error_location lba nsid vs trtype csi opcode cs
trtype_spec_info log_page_version`.split(/\s+/);

const TR0 = "0 (The transport type is not indicated or the error is not transport related)";

describe("error-log", () => {
  let r: Rig;
  let log: Uint8Array;
  let elpe: number;
  beforeAll(async () => {
    r = await rig();
    const d = r.driver;
    elpe = d.identify(1).data![IDC_ELPE];
    // Three failing commands, oldest first: Identify CNS 09h, a Read past the end, Get Features FID 55h.
    expect(d.identify(9).status).toBe(0x4002);
    const rd = newSqe(0x02, 1); rd[10] = 0x7fffffff; rd[12] = 7;
    expect(d.exec(d.ioQueue(), rd, { inLen: 4096 }).status).toBe(0x4080);
    expect(d.getFeatures(0x55).status).toBe(0x4002);
    const res = d.getLogPage(A.LID_ERROR_INFO, (elpe + 1) * A.ERRLOG_ENTRY_SIZE);
    expect(res.status).toBe(0);
    log = res.data!;
  });
  afterAll(async () => { await r.close(); });

  it("caps --log-entries at ELPE + 1", () => {
    expect(elpe).toBe(63);
    expect(errorLogEntries(64, elpe)).toBe(64);
    expect(errorLogEntries(200, elpe)).toBe(64);
    expect(errorLogEntries(2, elpe)).toBe(2);
  });

  it("prints the entries newest first, with nvme-cli master's labels and tabs", () => {
    const text = errorLogText(log, "nvme0", 2);
    expect(text).toBe([
      "Error Log Entries for device:nvme0 entries:2",
      ".................",
      " Entry[ 0]",
      ".................",
      "error_count\t: 3",
      "sqid\t\t: 0",
      "cmdid\t\t: 0",
      "status_field\t: 0x4002 (Invalid Field in Command: A reserved coded value or an unsupported value in a defined field)",
      "phase_tag\t: 0x1",
      "parm_err_loc\t: 0x28",
      "lba\t\t: 0",
      "nsid\t\t: 0",
      "vs\t\t: 0",
      `trtype\t\t: ${TR0}`,
      "csi\t\t: 0",
      "opcode\t\t: 0xa",
      "cs\t\t: 0",
      "trtype_spec_info: 0",
      "log_page_version: 0",
      ".................",
      " Entry[ 1]",
      ".................",
      "error_count\t: 2",
      "sqid\t\t: 1",
      "cmdid\t\t: 0",
      "status_field\t: 0x4080 (LBA Out of Range: The command references an LBA that exceeds the size of the namespace)",
      "phase_tag\t: 0x1",
      "parm_err_loc\t: 0x28",
      "lba\t\t: 0x7fffffff",
      "nsid\t\t: 0x1",
      "vs\t\t: 0",
      `trtype\t\t: ${TR0}`,
      "csi\t\t: 0",
      "opcode\t\t: 0x2",
      "cs\t\t: 0",
      "trtype_spec_info: 0",
      "log_page_version: 0",
      ".................",
      "",
    ].join("\n"));
  });

  it("prints every requested entry, empty ones included, with two-digit entry numbers", () => {
    const lines = errorLogText(log, "nvme0", 64).split("\n");
    expect(lines[0]).toBe("Error Log Entries for device:nvme0 entries:64");
    expect(lines.filter((l) => l.startsWith(" Entry["))).toHaveLength(64);
    expect(lines).toContain(" Entry[63]");
    const k = lines.indexOf(" Entry[ 2]");
    expect(lines.slice(k + 2, k + 7)).toEqual([
      "error_count\t: 1", "sqid\t\t: 0", "cmdid\t\t: 0",
      "status_field\t: 0x4002 (Invalid Field in Command: A reserved coded value or an unsupported value in a defined field)",
      "phase_tag\t: 0x1",
    ]);
    expect(lines[k + 13]).toBe("opcode\t\t: 0x6");
    const z = lines.indexOf(" Entry[ 3]");
    expect(lines.slice(z + 2, z + 7)).toEqual([
      "error_count\t: 0", "sqid\t\t: 0", "cmdid\t\t: 0",
      "status_field\t: 0 (Successful Completion: The command completed without error)", "phase_tag\t: 0",
    ]);
  });

  it("prints \"all entries filtered\" when there is nothing to show", () => {
    expect(errorLogText(log, "nvme0", 0)).toBe("Error Log Entries for device:nvme0 entries:0\n.................\nall entries filtered\n");
  });

  it("names the transport types", () => {
    expect(trtypeString(0)).toBe("The transport type is not indicated or the error is not transport related");
    expect(trtypeString(1)).toBe("RDMA Transport error");
    expect(trtypeString(200)).toBe("Reserved");
  });

  it("builds the JSON object with nvme-cli master's keys", () => {
    const j = errorLogJson(log, 3) as { errors: Array<Record<string, number>> };
    expect(Object.keys(j)).toEqual(["errors"]);
    expect(j.errors).toHaveLength(3);
    for (const e of j.errors) expect(Object.keys(e)).toEqual(JSON_KEYS);
    expect(j.errors.map((e) => e.error_count)).toEqual([3, 2, 1]);
    expect(j.errors[1]).toMatchObject({ sqid: 1, status_field: 0x4080, phase_tag: 1, parm_error_location: 0x28, lba: 0x7fffffff, nsid: 1, opcode: 2 });
    const text = toNvmeJson(errorLogJson(log, 1));
    expect(text.startsWith('{\n  "errors":[\n    {\n      "error_count":3,\n      "sqid":0,\n')).toBe(true);
    expect(text.endsWith('      "log_page_version":0\n    }\n  ]\n}')).toBe(true);
  });
});
