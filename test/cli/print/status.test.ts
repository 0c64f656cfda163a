// Tests for src/cli/print/status.ts against nvme-cli master's output format (tools/nvme-cli-output.md).
import { describe, it, expect } from "vitest";
import * as S from "../../../assembly/spec/status";
import { statusString, statusLine, statusName } from "../../../src/cli/print/status";

describe("statusString (libnvme nvme_status_to_string)", () => {
  it("has a text for every status the controller can return, except those libnvme lacks", () => {
    const lacking = new Set([S.SC_NS_NOT_REACHABLE]); // libnvme's nvm_status[] has no 0x88 entry
    for (const [name, value] of Object.entries(S)) {
      if (!name.startsWith("SC_")) continue;
      const text = statusString(value);
      if (lacking.has(value)) expect(text, name).toBe("unrecognized");
      else expect(text, name).not.toBe("unrecognized");
    }
  });

  it("uses the libnvme texts", () => {
    expect(statusString(S.SC_SUCCESS)).toBe("Successful Completion: The command completed without error");
    expect(statusString(S.SC_INVALID_FIELD)).toBe("Invalid Field in Command: A reserved coded value or an unsupported value in a defined field");
    expect(statusString(S.SC_INVALID_OPCODE)).toBe("Invalid Command Opcode: A reserved coded value or an unsupported value in the command opcode field");
    expect(statusString(S.SC_LBA_OUT_OF_RANGE)).toBe("LBA Out of Range: The command references an LBA that exceeds the size of the namespace");
    expect(statusString(S.SC_INVALID_NSID)).toBe("Invalid Namespace or Format: The namespace or the format of that namespace is invalid");
    expect(statusString(S.SC_FEATURE_NOT_SAVEABLE)).toBe("Feature Identifier Not Saveable: The Feature Identifier specified does not support a saveable value");
    expect(statusString(S.SC_COMPARE_FAILURE)).toBe("Compare Failure: The command failed due to a miscompare during a Compare command");
    expect(statusString(S.SC_DEALLOCATED_OR_UNWRITTEN)).toBe("Deallocated or Unwritten Logical Block: The command failed due to an attempt to read from or verify an LBA range containing a deallocated or unwritten logical block");
  });

  it("knows the Copy statuses (NVM Command Set specific)", () => {
    expect(statusString(S.SC_COMMAND_SIZE_LIMIT_EXCEEDED)).toBe("Command Size Limit Exceeded");
    expect(statusString(S.SC_INCOMPATIBLE_NS_OR_FORMAT)).toBe("Incompatible Namespace or Format");
    expect(statusString(S.SC_FAST_COPY_NOT_POSSIBLE)).toBe("Fast Copy Not Possible");
    expect(statusString(S.SC_OVERLAPPING_IO_RANGE)).toBe("Overlapping I/O Range");
    expect(statusString(S.SC_NS_NOT_REACHABLE)).toBe("unrecognized");
    expect(statusString(S.SC_INSUFFICIENT_RESOURCES)).toBe("Insufficient Resources");
    expect(statusString(S.SC_CONFLICTING_ATTRIBUTES)).toBe("Conflicting Attributes: The attributes specified in the command are conflicting");
  });

  it("ignores DNR, More and CRD and handles SCT 7 and unknown SCTs", () => {
    expect(statusString(S.SC_INVALID_FIELD | S.STATUS_DNR | S.STATUS_MORE | (3 << S.STATUS_CRD_SHIFT))).toBe(statusString(S.SC_INVALID_FIELD));
    expect(statusString(0x7ff)).toBe("Vendor Specific Status");
    expect(statusString(0x401)).toBe("Unknown status");
    expect(statusString(0x17)).toBe("unrecognized");
    expect(statusString(0x13c)).toBe("unrecognized"); // first code past cmd_spec_status[] goes to the NVM table
  });
});

describe("statusLine", () => {
  it("prints the full value with %#x, DNR and More included", () => {
    expect(statusLine(S.SC_INVALID_FIELD | S.STATUS_DNR)).toBe(
      "NVMe status: Invalid Field in Command: A reserved coded value or an unsupported value in a defined field(0x4002)");
    expect(statusLine(S.SC_COMMAND_SIZE_LIMIT_EXCEEDED | S.STATUS_DNR | S.STATUS_MORE)).toBe("NVMe status: Command Size Limit Exceeded(0x6183)");
    expect(statusLine(S.SC_LBA_OUT_OF_RANGE | S.STATUS_DNR)).toBe(
      "NVMe status: LBA Out of Range: The command references an LBA that exceeds the size of the namespace(0x4080)");
    expect(statusLine(0)).toBe("NVMe status: Successful Completion: The command completed without error(0)");
  });
});

describe("statusName (the short name the playground shows)", () => {
  it("is the libnvme text up to its colon, without CRD, More or DNR mattering", () => {
    expect(statusName(S.SC_SUCCESS)).toBe("Successful Completion");
    expect(statusName(S.SC_INVALID_FIELD | S.STATUS_DNR)).toBe("Invalid Field in Command");
    expect(statusName(S.SC_LBA_OUT_OF_RANGE | S.STATUS_DNR)).toBe("LBA Out of Range");
    expect(statusName(S.SC_COMMAND_SIZE_LIMIT_EXCEEDED)).toBe("Command Size Limit Exceeded");
  });
  it("names every status the controller can return", () => {
    for (const [name, value] of Object.entries(S)) {
      if (!name.startsWith("SC_")) continue;
      const short = statusName(value);
      expect(short, name).not.toBe("Unknown status");
      expect(short, name).not.toContain(": ");
    }
    expect(statusName(S.SC_NS_NOT_REACHABLE)).toBe("Namespace Not Reachable");
    expect(statusName(0x7ff)).toBe("Vendor Specific Status");
    expect(statusName(0x0ff)).toBe("Unknown status");
  });
});
