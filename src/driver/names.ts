// Command names as nvme-cli and QEMU's traces spell them (nvme_admin_opc_str / nvme_io_opc_str).

import * as O from "../../assembly/spec/opcodes";

const ADMIN: Record<number, string> = {
  [O.ADMIN_DELETE_SQ]: "Delete I/O Submission Queue", [O.ADMIN_CREATE_SQ]: "Create I/O Submission Queue",
  [O.ADMIN_GET_LOG_PAGE]: "Get Log Page", [O.ADMIN_DELETE_CQ]: "Delete I/O Completion Queue",
  [O.ADMIN_CREATE_CQ]: "Create I/O Completion Queue", [O.ADMIN_IDENTIFY]: "Identify", [O.ADMIN_ABORT]: "Abort",
  [O.ADMIN_SET_FEATURES]: "Set Features", [O.ADMIN_GET_FEATURES]: "Get Features",
  [O.ADMIN_ASYNC_EVENT_REQUEST]: "Asynchronous Event Request", [O.ADMIN_KEEP_ALIVE]: "Keep Alive",
  0x10: "Firmware Commit", 0x11: "Firmware Image Download", 0x14: "Device Self-test", 0x15: "Namespace Attachment",
  0x0d: "Namespace Management", 0x19: "Directive Send", 0x1a: "Directive Receive", 0x1c: "Virtualization Management",
  0x7c: "Doorbell Buffer Config", 0x80: "Format NVM", 0x81: "Security Send", 0x82: "Security Receive", 0x84: "Sanitize",
};

const IO: Record<number, string> = {
  [O.NVM_FLUSH]: "Flush", [O.NVM_WRITE]: "Write", [O.NVM_READ]: "Read", [O.NVM_WRITE_UNCORRECTABLE]: "Write Uncorrectable",
  [O.NVM_COMPARE]: "Compare", [O.NVM_WRITE_ZEROES]: "Write Zeroes", [O.NVM_DATASET_MANAGEMENT]: "Dataset Management",
  [O.NVM_VERIFY]: "Verify", [O.NVM_COPY]: "Copy", 0x0d: "Reservation Register", 0x0e: "Reservation Report",
  0x11: "Reservation Acquire", 0x15: "Reservation Release", 0x79: "Zone Management Send", 0x7a: "Zone Management Receive",
  0x7d: "Zone Append",
};

export function opcodeName(admin: boolean, opc: number): string {
  return (admin ? ADMIN : IO)[opc] ?? "Unknown";
}
