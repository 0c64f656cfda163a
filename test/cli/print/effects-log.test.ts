// Tests for src/cli/print/effects-log.ts against nvme-cli master's output format (tools/nvme-cli-output.md).
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { rig, Rig } from "../../helpers";
import { effectsLogText, effectsLogJson, commandName } from "../../../src/cli/print/effects-log";
import { toNvmeJson } from "../../../src/cli/print/json";
import * as A from "../../../assembly/spec/admin";

const DASH = "-".repeat(80);

describe("effects-log", () => {
  let r: Rig;
  let log: Uint8Array;
  beforeAll(async () => {
    r = await rig();
    const res = r.driver.getLogPage(A.LID_COMMANDS_EFFECTS, A.EFFECTS_LOG_SIZE);
    expect(res.status).toBe(0);
    log = res.data!;
  });
  afterAll(async () => { await r.close(); });

  it("prints the Admin and I/O command tables with names, as nvme-cli master does", () => {
    expect(effectsLogText(log)).toBe([
      "NVM Command Set Log Page",
      DASH,
      "Admin Commands",
      "ACS0     [Delete I/O Submission Queue     ] 00000001",
      "ACS1     [Create I/O Submission Queue     ] 00000001",
      "ACS2     [Get Log Page                    ] 00000001",
      "ACS4     [Delete I/O Completion Queue     ] 00000001",
      "ACS5     [Create I/O Completion Queue     ] 00000001",
      "ACS6     [Identify                        ] 00000001",
      "ACS8     [Abort                           ] 00000001",
      "ACS9     [Set Features                    ] 00000001",
      "ACS10    [Get Features                    ] 00000001",
      "ACS12    [Asynchronous Event Request      ] 00000001",
      "ACS128   [Format NVM                      ] 00000007",
      "",
      "I/O Commands",
      "IOCS0    [Flush                           ] 00000003",
      "IOCS1    [Write                           ] 00000003",
      "IOCS2    [Read                            ] 00000001",
      "IOCS5    [Compare                         ] 00000001",
      "IOCS8    [Write Zeroes                    ] 00000003",
      "IOCS9    [Dataset Management              ] 00000003",
      "IOCS12   [Verify                          ] 00000001",
      "IOCS25   [Copy                            ] 00000003",
      "",
      "",
    ].join("\n"));
  });

  it("decodes each entry on two lines with -H (flags + CSER, then CSE)", () => {
    const lines = effectsLogText(log, { human: true }).split("\n");
    expect(lines.slice(0, 5)).toEqual([
      "NVM Command Set Log Page",
      DASH,
      "Admin Commands",
      "ACS0     [Delete I/O Submission Queue     ] 00000001  CSUPP+  LBCC-  NCC-  NIC-  CCC-  USS-  No CSER defined",
      "  No command restriction",
    ]);
    const k = lines.indexOf("IOCS25   [Copy                            ] 00000003  CSUPP+  LBCC+  NCC-  NIC-  CCC-  USS-  No CSER defined");
    expect(k).toBeGreaterThan(0);
    expect(lines.slice(k + 1)).toEqual(["  No command restriction", "", ""]);
    expect(lines).toContain("ACS9     [Set Features                    ] 00000001  CSUPP+  LBCC-  NCC-  NIC-  CCC-  USS-  No CSER defined");
    expect(lines).toContain("ACS128   [Format NVM                      ] 00000007  CSUPP+  LBCC+  NCC+  NIC-  CCC-  USS-  No CSER defined");
    const d = new Uint8Array(A.EFFECTS_LOG_SIZE); // NIC and CCC decode (no command here sets them)
    new DataView(d.buffer).setUint32(A.EFFECTS_ACS + 0x09 * 4, A.EFFECT_CSUPP | A.EFFECT_NCC | A.EFFECT_NIC | A.EFFECT_CCC, true);
    expect(effectsLogText(d, { human: true }).split("\n")).toContain("ACS9     [Set Features                    ] 0000001d  CSUPP+  LBCC-  NCC+  NIC+  CCC+  USS-  No CSER defined");
  });

  it("prints the vendor-specific segments, the other CSER/CSE texts and the command set header", () => {
    const d = new Uint8Array(A.EFFECTS_LOG_SIZE);
    const v = new DataView(d.buffer);
    v.setUint32(A.EFFECTS_ACS + 0xc1 * 4, A.EFFECT_CSUPP | (1 << A.EFFECT_CSER_SHIFT) | (2 << A.EFFECT_CSE_SHIFT), true);
    v.setUint32(A.EFFECTS_IOCS + 0x81 * 4, A.EFFECT_CSUPP | A.EFFECT_USS | (1 << A.EFFECT_CSE_SHIFT), true);
    v.setUint32(A.EFFECTS_IOCS + 0x02 * 4, A.EFFECT_LBCC, true); // no CSUPP: not shown
    expect(effectsLogText(d, { human: true, csi: 2 })).toBe([
      "ZNS Command Set Log Page",
      DASH,
      "Vendor Specific Admin Commands",
      "ACS193   [Unknown                         ] 00024001  CSUPP+  LBCC-  NCC-  NIC-  CCC-  USS-  No admin command for any namespace",
      "  No other command for any namespace",
      "",
      "Vendor Specific I/O Commands",
      "IOCS129  [Unknown                         ] 00090001  CSUPP+  LBCC-  NCC-  NIC-  CCC-  USS+  No CSER defined",
      "  No other command for same namespace",
      "",
      "",
    ].join("\n"));
    expect(effectsLogText(new Uint8Array(A.EFFECTS_LOG_SIZE), { csi: 9 })).toBe(`Unknown Command Set Log Page\n${DASH}\n`);
  });

  it("names commands as nvme_cmd_to_string does", () => {
    expect(commandName(true, 0x09)).toBe("Set Features");
    expect(commandName(true, 0x80)).toBe("Format NVM");
    expect(commandName(true, 0x03)).toBe("Unknown");
    expect(commandName(false, 0x19)).toBe("Copy");
    expect(commandName(false, 0x0c)).toBe("Verify");
    expect(commandName(false, 0x7d)).toBe("Zone Append");
  });

  it("builds the JSON array with ACS_n / IOCS_n keys and raw effects values", () => {
    const j = effectsLogJson(log);
    expect(j).toHaveLength(1);
    expect(Object.keys(j[0])).toEqual(["command_set_identifier", "admin_cmd_set", "io_cmd_set"]);
    const acs = j[0].admin_cmd_set as Record<string, number>;
    const iocs = j[0].io_cmd_set as Record<string, number>;
    expect(Object.keys(acs)).toEqual([
      "ACS_0 (Delete I/O Submission Queue)", "ACS_1 (Create I/O Submission Queue)", "ACS_2 (Get Log Page)",
      "ACS_4 (Delete I/O Completion Queue)", "ACS_5 (Create I/O Completion Queue)", "ACS_6 (Identify)", "ACS_8 (Abort)",
      "ACS_9 (Set Features)", "ACS_10 (Get Features)", "ACS_12 (Asynchronous Event Request)", "ACS_128 (Format NVM)",
    ]);
    expect(acs["ACS_9 (Set Features)"]).toBe(0x01);
    expect(acs["ACS_128 (Format NVM)"]).toBe(0x07); // CSUPP, LBCC, NCC
    expect(iocs["IOCS_25 (Copy)"]).toBe(3);
    expect(Object.keys(iocs)).toHaveLength(8);
    const text = toNvmeJson(j);
    expect(text.startsWith('[\n  {\n    "command_set_identifier":0,\n    "admin_cmd_set":{\n      "ACS_0 (Delete I/O Submission Queue)":1,\n')).toBe(true);
    expect(text.endsWith('      "IOCS_25 (Copy)":3\n    }\n  }\n]')).toBe(true);
  });
});
