// Tests for src/cli/print/features.ts against nvme-cli master's output format (tools/nvme-cli-output.md).
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { rig, Rig } from "../../helpers";
import {
  getFeatureLine, setFeatureLine, getFeatureJson, featureFields, featureFieldsJson, featureName, selectName,
} from "../../../src/cli/print/features";
import { toNvmeJson } from "../../../src/cli/print/json";
import * as A from "../../../assembly/spec/admin";

const H = { human: true };

describe("features", () => {
  let r: Rig;
  beforeAll(async () => { r = await rig(); });
  afterAll(async () => { await r.close(); });

  function get(fid: number, sel = 0, cdw11 = 0, dataLen = 0, nsid = 0) {
    const res = r.driver.getFeatures(fid, sel, cdw11, dataLen, nsid);
    expect(res.status, `get-feature ${fid} sel ${sel}`).toBe(0);
    return res;
  }

  it("prints the get-feature line as nvme-cli does, %#0*x included", () => {
    expect(getFeatureLine(A.FID_NUMBER_OF_QUEUES, 0, get(A.FID_NUMBER_OF_QUEUES).dw0))
      .toBe("get-feature:0x07 (Number of Queues), Current value:0x003f003f\n");
    expect(getFeatureLine(A.FID_POWER_MANAGEMENT, 1, get(A.FID_POWER_MANAGEMENT, 1).dw0))
      .toBe("get-feature:0x02 (Power Management), Default value:00000000\n");
    expect(getFeatureLine(0, 2, 0)).toBe("get-feature:00 (Unknown), Saved value:00000000\n");
  });

  it("decodes Arbitration, Power Management and Temperature Threshold with -H", () => {
    expect(getFeatureLine(A.FID_ARBITRATION, 0, get(A.FID_ARBITRATION).dw0, undefined, H)).toBe([
      "get-feature:0x01 (Arbitration), Current value:0x00000007",
      "\tHigh Priority Weight   (HPW): 1",
      "\tMedium Priority Weight (MPW): 1",
      "\tLow Priority Weight    (LPW): 1",
      "\tArbitration Burst       (AB): No limit",
      "",
    ].join("\n"));
    expect(getFeatureLine(A.FID_POWER_MANAGEMENT, 0, get(A.FID_POWER_MANAGEMENT).dw0, undefined, H)).toBe([
      "get-feature:0x02 (Power Management), Current value:00000000",
      "\tWorkload Hint (WH): 0 - No Workload",
      "\tPower State   (PS): 0",
      "",
    ].join("\n"));
    expect(getFeatureLine(A.FID_TEMPERATURE_THRESHOLD, 0, get(A.FID_TEMPERATURE_THRESHOLD).dw0, undefined, H)).toBe([
      "get-feature:0x04 (Temperature Threshold), Current value:0x00000157",
      "\tTemperature Threshold Hysteresis(TMPTHH): -273 °C (0 K, -459 °F)",
      "\tThreshold Type Select         (THSEL): 0 - Over Temperature Threshold",
      "\tThreshold Temperature Select (TMPSEL): 0 - Composite Temperature",
      "\tTemperature Threshold         (TMPTH): 70 °C (343 K, 158 °F)",
      "",
    ].join("\n"));
    expect(featureFields(A.FID_ARBITRATION, 0x03020103)).toBe(
      "\tHigh Priority Weight   (HPW): 4\n\tMedium Priority Weight (MPW): 3\n\tLow Priority Weight    (LPW): 2\n\tArbitration Burst       (AB): 8\n");
    expect(featureFields(A.FID_TEMPERATURE_THRESHOLD, (1 << 20) | (2 << 16) | 273)).toContain(
      "\tThreshold Type Select         (THSEL): 1 - Under Temperature Threshold\n\tThreshold Temperature Select (TMPSEL): 2 - Temperature Sensor 2\n\tTemperature Threshold         (TMPTH): 0 °C (273 K, 32 °F)\n");
  });

  it("decodes Error Recovery (namespace 1), Volatile Write Cache and Number of Queues with -H", () => {
    expect(r.driver.setFeatures(A.FID_ERROR_RECOVERY, 0x64, undefined, false, 1).status).toBe(0);
    expect(getFeatureLine(A.FID_ERROR_RECOVERY, 0, get(A.FID_ERROR_RECOVERY, 0, 0, 0, 1).dw0, undefined, H)).toBe([
      "get-feature:0x05 (Error Recovery), Current value:0x00000064",
      "\tDeallocated or Unwritten Logical Block Error Enable (DULBE): Disabled",
      "\tTime Limited Error Recovery                          (TLER): 10000 ms",
      "",
    ].join("\n"));
    expect(getFeatureLine(A.FID_VOLATILE_WRITE_CACHE, 0, get(A.FID_VOLATILE_WRITE_CACHE).dw0, undefined, H))
      .toBe("get-feature:0x06 (Volatile Write Cache), Current value:0x00000001\n\tVolatile Write Cache Enable (WCE): Enabled\n");
    expect(r.driver.setFeatures(A.FID_VOLATILE_WRITE_CACHE, 0).status).toBe(0);
    expect(getFeatureLine(A.FID_VOLATILE_WRITE_CACHE, 0, get(A.FID_VOLATILE_WRITE_CACHE).dw0, undefined, H))
      .toBe("get-feature:0x06 (Volatile Write Cache), Current value:00000000\n\tVolatile Write Cache Enable (WCE): Disabled\n");
    expect(r.driver.setFeatures(A.FID_VOLATILE_WRITE_CACHE, 1).status).toBe(0);
    expect(getFeatureLine(A.FID_NUMBER_OF_QUEUES, 0, get(A.FID_NUMBER_OF_QUEUES).dw0, undefined, H)).toBe([
      "get-feature:0x07 (Number of Queues), Current value:0x003f003f",
      "\tNumber of IO Completion Queues Allocated (NCQA): 64",
      "\tNumber of IO Submission Queues Allocated (NSQA): 64",
      "",
    ].join("\n"));
  });

  it("decodes Interrupt Coalescing, Interrupt Vector Configuration and Write Atomicity with -H", () => {
    expect(r.driver.setFeatures(A.FID_INTERRUPT_COALESCING, 0x0a07).status).toBe(0);
    expect(getFeatureLine(A.FID_INTERRUPT_COALESCING, 0, get(A.FID_INTERRUPT_COALESCING).dw0, undefined, H)).toBe([
      "get-feature:0x08 (Interrupt Coalescing), Current value:0x00000a07",
      "\tAggregation Time     (TIME): 1000 usec",
      "\tAggregation Threshold (THR): 8",
      "",
    ].join("\n"));
    expect(getFeatureLine(A.FID_INTERRUPT_VECTOR_CONFIG, 0, get(A.FID_INTERRUPT_VECTOR_CONFIG, 0, 1).dw0, undefined, H)).toBe([
      "get-feature:0x09 (Interrupt Vector Configuration), Current value:0x00000001",
      "\tCoalescing Disable (CD): False",
      "\tInterrupt Vector   (IV): 1",
      "",
    ].join("\n"));
    expect(featureFields(A.FID_INTERRUPT_VECTOR_CONFIG, 0x10002)).toBe("\tCoalescing Disable (CD): True\n\tInterrupt Vector   (IV): 2\n");
    expect(getFeatureLine(A.FID_WRITE_ATOMICITY, 0, get(A.FID_WRITE_ATOMICITY).dw0, undefined, H))
      .toBe("get-feature:0x0a (Write Atomicity Normal), Current value:00000000\n\tDisable Normal (DN): False\n");
  });

  it("decodes Async Event Configuration with -H", () => {
    const lines = getFeatureLine(A.FID_ASYNC_EVENT_CONFIG, 0, get(A.FID_ASYNC_EVENT_CONFIG).dw0, undefined, H).split("\n");
    expect(lines[0]).toBe("get-feature:0x0b (Async Event Configuration), Current value:00000000");
    expect(lines).toHaveLength(20);
    expect(lines[1]).toBe("\tDiscovery Log Page Change Notices                         : Do not send async event");
    expect(lines[18]).toBe("\tSMART / Health Critical Warnings                          : Do not send async event");
    const set = featureFields(A.FID_ASYNC_EVENT_CONFIG, 0x302).split("\n");
    expect(set).toContain("\tSMART / Health Critical Warnings                          : Send async event");
    expect(set).toContain("\tNamespace Attribute Notices                               : Send async event");
    expect(set).toContain("\tFirmware Activation Notices                               : Send async event");
    expect(set).toContain("\tTelemetry Log Notices                                     : Do not send async event");
  });

  it("decodes Host Behavior Support with the Copy Descriptor Format Enable bits", () => {
    const hbs = new Uint8Array(A.HBS_DATA_SIZE);
    new DataView(hbs.buffer).setUint16(A.HBS_CDFE, 0x0c, true); // CDF2E | CDF3E
    expect(r.driver.setFeatures(A.FID_HOST_BEHAVIOR_SUPPORT, 0, hbs).status).toBe(0);
    const g = get(A.FID_HOST_BEHAVIOR_SUPPORT, 0, 0, A.HBS_DATA_SIZE);
    expect(getFeatureLine(A.FID_HOST_BEHAVIOR_SUPPORT, 0, g.dw0, g.data, H)).toBe([
      "get-feature:0x16 (Host Behavior), Current value:00000000",
      "\tAdvanced Command Retry Enable (ACRE)                    : False",
      "\tExtended Telemetry Data Area 4 Supported (ETDAS)        : False",
      "\tLBA Format Extension Enable (LBAFEE)                    : False",
      "\tHost Dispersed Namespace Support (HDISNS)               : Disabled",
      "\tCopy Descriptor Format 2h Enabled (CDF2E)               : True",
      "\tCopy Descriptor Format 3h Enabled (CDF3E)               : True",
      "\tCopy Descriptor Format 4h Enabled (CDF4E)               : False",
      "",
    ].join("\n"));
    // Without -H the data buffer is hexdumped.
    expect(getFeatureLine(A.FID_HOST_BEHAVIOR_SUPPORT, 0, g.dw0, g.data)).toBe([
      "get-feature:0x16 (Host Behavior), Current value:00000000",
      "       0  1  2  3  4  5  6  7  8  9  a  b  c  d  e  f",
      '0000: 00 00 00 00 0c 00 00 00 00 00 00 00 00 00 00 00 "................"',
      '0010: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 "................"',
      "*",
      "0200:",
      "",
      "",
    ].join("\n"));
    expect(featureFieldsJson(A.FID_HOST_BEHAVIOR_SUPPORT, 0, g.data)).toEqual({
      "Host Behavior Support": "False",
      "Advanced Command Retry Enable (ACRE)": "False",
      "Extended Telemetry Data Area 4 Supported (ETDAS)": "False",
      "LBA Format Extension Enable (LBAFEE)": "False",
      "Host Dispersed Namespace Support (HDISNS)": "Disabled",
      "Copy Descriptor Format 2h Enable (CDF2E)": "True",
      "Copy Descriptor Format 3h Enable (CDF3E)": "True",
      "Copy Descriptor Format 4h Enable (CDF4E)": "False",
    });
    new DataView(hbs.buffer).setUint16(A.HBS_CDFE, 0, true);
    expect(r.driver.setFeatures(A.FID_HOST_BEHAVIOR_SUPPORT, 0, hbs).status).toBe(0);
  });

  it("prints the capabilities for SEL=011b instead of the fields", () => {
    expect(getFeatureLine(A.FID_ERROR_RECOVERY, 3, get(A.FID_ERROR_RECOVERY, 3, 0, 0, 1).dw0, undefined, H)).toBe([
      "get-feature:0x05 (Error Recovery), Supported capabilities value:0x00000006",
      "  Feature is per-namespace",
      "  Feature is changeable",
      "",
    ].join("\n"));
    expect(getFeatureLine(A.FID_ARBITRATION, 3, 7)).toBe(
      "get-feature:0x01 (Arbitration), Supported capabilities value:0x00000007\n  Feature is saveable\n  Feature is per-namespace\n  Feature is changeable\n");
  });

  it("prints the set-feature line", () => {
    expect(setFeatureLine(A.FID_VOLATILE_WRITE_CACHE, 1, 0, false)).toBe("set-feature:0x06 (Volatile Write Cache), value:0x00000001, cdw12:00000000, save:0\n");
    expect(setFeatureLine(A.FID_VOLATILE_WRITE_CACHE, 0, 0, true)).toBe("set-feature:0x06 (Volatile Write Cache), value:00000000, cdw12:00000000, save:0x1\n");
    expect(setFeatureLine(A.FID_NUMBER_OF_QUEUES, 0x1f001fn, 0x10, false)).toBe("set-feature:0x07 (Number of Queues), value:0x001f001f, cdw12:0x00000010, save:0\n");
    expect(setFeatureLine(A.FID_HOST_BEHAVIOR_SUPPORT, 0, 0, false, new Uint8Array(16))).toBe(
      "set-feature:0x16 (Host Behavior), value:00000000, cdw12:00000000, save:0\n" +
      '       0  1  2  3  4  5  6  7  8  9  a  b  c  d  e  f\n0000: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 "................"\n');
  });

  it("names features and selects", () => {
    expect(featureName(0x16)).toBe("Host Behavior");
    expect(featureName(0x0b)).toBe("Async Event Configuration");
    expect(featureName(0x42)).toBe("Unknown");
    expect(featureName(0x85)).toBe("Boot Partition Write Protection Config");
    expect([0, 1, 2, 3, 4].map(selectName)).toEqual(["Current", "Default", "Saved", "Supported capabilities", "Reserved"]);
  });

  it("builds the get-feature JSON object", () => {
    expect(toNvmeJson(getFeatureJson(A.FID_NUMBER_OF_QUEUES, 0, get(A.FID_NUMBER_OF_QUEUES).dw0))).toBe([
      "{",
      '  "feature: 0x07":[',
      "    {",
      '      "name":"Number of Queues",',
      '      "Current":"0x003f003f"',
      "    }",
      "  ],",
      '  "Feature: 0x07":[',
      "    {",
      '      "Number of IO Completion Queues Allocated (NCQA)":64,',
      '      "Number of IO Submission Queues Allocated (NSQA)":64',
      "    }",
      "  ]",
      "}",
    ].join("\n"));
    expect(getFeatureJson(A.FID_NUMBER_OF_QUEUES, 3, 4)).toEqual({
      "feature: 0x07": [{ name: "Number of Queues", "Supported capabilities": "0x00000004" }],
      "Feature: 0x07: select": ["changeable"],
    });
    expect(featureFieldsJson(A.FID_ARBITRATION, 7)).toEqual({
      "High Priority Weight (HPW)": 1, "Medium Priority Weight (MPW)": 1, "Low Priority Weight (LPW)": 1, "Arbitration Burst (AB)": "No limit",
    });
    expect(featureFieldsJson(A.FID_INTERRUPT_COALESCING, 0x0a07)).toEqual({ "Aggregation Time (TIME)": "1000 usec", "Aggregation Threshold (THR)": 8 });
    expect(featureFieldsJson(A.FID_INTERRUPT_VECTOR_CONFIG, 0x10001)).toEqual({ "Coalescing Disable (CD)": "True", "Interrupt Vector (IV)": 1 });
    expect(featureFieldsJson(A.FID_VOLATILE_WRITE_CACHE, 1)).toEqual({ "Volatile Write Cache Enable (WCE)": "Enabled" });
  });
});
