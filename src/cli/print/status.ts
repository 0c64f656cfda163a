// NVMe completion status as nvme-cli reports it: the texts of libnvme's
// nvme_status_to_string(status, fabrics=false) (nvme-cli master, libnvme/src/nvme/util.c)
// and the "NVMe status: <text>(<%#x>)" line nvme-cli writes to stderr. The status value is
// the CQE status field without the phase bit: (SCT << 8) | SC plus CRD, More (0x2000) and
// DNR (0x4000), exactly the value the kernel passes back and nvme-cli prints.

import {
  STATUS_SC_MASK, STATUS_SCT_SHIFT, STATUS_SCT_MASK, SCT_GENERIC, SCT_COMMAND_SPECIFIC, SCT_MEDIA, SCT_PATH,
  SC_NS_NOT_REACHABLE,
} from "../../../assembly/spec/status";
import { hex } from "./fmt";

const SCT_VENDOR = 7;

/** Generic Command Status (SCT 0). 0x17 and 0x29/0x2a have no text in libnvme. */
const GENERIC: Record<number, string> = {
  0x00: "Successful Completion: The command completed without error",
  0x01: "Invalid Command Opcode: A reserved coded value or an unsupported value in the command opcode field",
  0x02: "Invalid Field in Command: A reserved coded value or an unsupported value in a defined field",
  0x03: "Command ID Conflict: The command identifier is already in use",
  0x04: "Data Transfer Error: Transferring the data or metadata associated with a command experienced an error",
  0x05: "Commands Aborted due to Power Loss Notification: Indicates that the command was aborted due to a power loss notification",
  0x06: "Internal Error: The command was not completed successfully due to an internal error",
  0x07: "Command Abort Requested: The command was aborted due to an Abort command",
  0x08: "Command Aborted due to SQ Deletion: The command was aborted due to a Delete I/O Submission Queue",
  0x09: "Command Aborted due to Failed Fused Command: The command was aborted due to the other command in a fused operation failing",
  0x0a: "Command Aborted due to Missing Fused Command: The fused command was aborted due to the adjacent submission queue entry not containing a fused command",
  0x0b: "Invalid Namespace or Format: The namespace or the format of that namespace is invalid",
  0x0c: "Command Sequence Error: The command was aborted due to a protocol violation in a multi- command sequence",
  0x0d: "Invalid SGL Segment Descriptor: The command includes an invalid SGL Last Segment or SGL Segment descriptor",
  0x0e: "Invalid Number of SGL Descriptors: There is an SGL Last Segment descriptor or an SGL Segment descriptor in a location other than the last descriptor of a segment based on the length indicated",
  0x0f: "Data SGL Length Invalid: The length of a Data SGL is too short or too long and the controller does not support SGL transfers longer than the amount of data to be transferred",
  0x10: "Metadata SGL Length Invalid: The length of a Metadata SGL is too short or too long and the controller does not support SGL transfers longer than the amount of data to be transferred",
  0x11: "SGL Descriptor Type Invalid: The type of an SGL Descriptor is a type that is not supported by the controller",
  0x12: "Invalid Use of Controller Memory Buffer: The attempted use of the Controller Memory Buffer is not supported by the controller",
  0x13: "PRP Offset Invalid: The Offset field for a PRP entry is invalid",
  0x14: "Atomic Write Unit Exceeded: The length specified exceeds the atomic write unit size",
  0x15: "Operation Denied: The command was denied due to lack of access rights",
  0x16: "SGL Offset Invalid: The offset specified in a descriptor is invalid",
  0x18: "Host Identifier Inconsistent Format: The NVM subsystem detected the simultaneous use of 64- bit and 128-bit Host Identifier values on different controllers",
  0x19: "Keep Alive Timer Expired: The Keep Alive Timer expired",
  0x1a: "Keep Alive Timeout Invalid: The Keep Alive Timeout value specified is invalid",
  0x1b: "Command Aborted due to Preempt and Abort: The command was aborted due to a Reservation Acquire command",
  0x1c: "Sanitize Failed: The most recent sanitize operation failed and no recovery action has been successfully completed",
  0x1d: "Sanitize In Progress: The requested function is prohibited while a sanitize operation is in progress",
  0x1e: "SGL Data Block Granularity Invalid: The Address alignment or Length granularity for an SGL Data Block descriptor is invalid",
  0x1f: "Command Not Supported for Queue in CMB: The controller does not support Submission Queue in the Controller Memory Buffer or Completion Queue in the Controller Memory Buffer",
  0x20: "Namespace is Write Protected: The command is prohibited while the namespace is write protected",
  0x21: "Command Interrupted: Command processing was interrupted and the controller is unable to successfully complete the command",
  0x22: "Transient Transport Error: A transient transport error was detected",
  0x23: "Command Prohibited by Command and Feature Lockdown: The command was aborted due to command execution being prohibited by the Command and Feature Lockdown",
  0x24: "Admin Command Media Not Ready: The Admin command requires access to media and the media is not ready",
  0x25: "The command was aborted due to an invalid KEYTAG field value",
  0x26: "The command is prohibited while the Host Disperesed Namespace Support (HDISNS) field is not set to 1h in the Host Behavior Support feature",
  0x27: "Host Identifier Not Initialized",
  0x28: "The command was aborted due to the key associated with the KEYTAG field being incorrect",
  0x80: "LBA Out of Range: The command references an LBA that exceeds the size of the namespace",
  0x81: "Capacity Exceeded: Execution of the command has caused the capacity of the namespace to be exceeded",
  0x82: "Namespace Not Ready: The namespace is not ready to be accessed",
  0x83: "Reservation Conflict: The command was aborted due to a conflict with a reservation held on the accessed namespace",
  0x84: "Format In Progress: A Format NVM command is in progress on the namespace",
  0x85: "The value size is not valid",
  0x86: "The KV key size is not valid",
  0x87: "The Store If Key Exists (SIKE) bit is set to '1' in the Store Option field and the KV key does not exists",
  0x88: "There was an unrecovered error when reading from the medium",
  0x89: "The Store If No Key Exists (SINKE) bit is set to '1' in the Store Option field and the KV key exists",
};

/** Command Specific Status (SCT 1, SC below CMD_SPEC_TABLE_SIZE). */
const CMD_SPECIFIC: Record<number, string> = {
  0x00: "Completion Queue Invalid: The Completion Queue identifier specified in the command does not exist",
  0x01: "Invalid Queue Identifier: The creation of the I/O Completion Queue failed due to an invalid queue identifier specified as part of the command",
  0x02: "Invalid Queue Size: The host attempted to create an I/O Completion Queue with an invalid number of entries",
  0x03: "Abort Command Limit Exceeded: The number of concurrently outstanding Abort commands has exceeded the limit indicated in the Identify Controller data structure",
  0x04: "Abort Command Is Missing: The abort command is missing",
  0x05: "Asynchronous Event Request Limit Exceeded: The number of concurrently outstanding Asynchronous Event Request commands has been exceeded",
  0x06: "Invalid Firmware Slot: The firmware slot indicated is invalid or read only",
  0x07: "Invalid Firmware Image: The firmware image specified for activation is invalid and not loaded by the controller",
  0x08: "Invalid Interrupt Vector: The creation of the I/O Completion Queue failed due to an invalid interrupt vector specified as part of the command",
  0x09: "Invalid Log Page: The log page indicated is invalid",
  0x0a: "Invalid Format: The LBA Format specified is not supported",
  0x0b: "Firmware Activation Requires Conventional Reset: The firmware commit was successful, however, activation of the firmware image requires a conventional reset",
  0x0c: "Invalid Queue Deletion: Invalid I/O Completion Queue specified to delete",
  0x0d: "Feature Identifier Not Saveable: The Feature Identifier specified does not support a saveable value",
  0x0e: "Feature Not Changeable: The Feature Identifier is not able to be changed",
  0x0f: "Feature Not Namespace Specific: The Feature Identifier specified is not namespace specific",
  0x10: "Firmware Activation Requires NVM Subsystem Reset: The firmware commit was successful, however, activation of the firmware image requires an NVM Subsystem",
  0x11: "Firmware Activation Requires Controller Level Reset: The firmware commit was successful; however, the image specified does not support being activated without a reset",
  0x12: "Firmware Activation Requires Maximum Time Violation: The image specified if activated immediately would exceed the Maximum Time for Firmware Activation (MTFA) value reported in Identify Controller",
  0x13: "Firmware Activation Prohibited: The image specified is being prohibited from activation by the controller for vendor specific reasons",
  0x14: "Overlapping Range: The downloaded firmware image has overlapping ranges",
  0x15: "Namespace Insufficient Capacity: Creating the namespace requires more free space than is currently available",
  0x16: "Namespace Identifier Unavailable: The number of namespaces supported has been exceeded",
  0x18: "Namespace Already Attached: The controller is already attached to the namespace specified",
  0x19: "Namespace Is Private: The namespace is private and is already attached to one controller",
  0x1a: "Namespace Not Attached: The request to detach the controller could not be completed because the controller is not attached to the namespace",
  0x1b: "Thin Provisioning Not Supported: Thin provisioning is not supported by the controller",
  0x1c: "Controller List Invalid: The controller list provided contains invalid controller ids",
  0x1d: "Device Self-test In Progress: The controller or NVM subsystem already has a device self-test operation in process",
  0x1e: "Boot Partition Write Prohibited: The command tried to modify a locked Boot Partition",
  0x1f: "Invalid Controller Identifier: An invalid controller id was specified",
  0x20: "Invalid Secondary Controller State: The requested secondary controller action is invalid based on the secondary and primary controllers current states",
  0x21: "Invalid Number of Controller Resources: The specified number of Flexible Resources is invalid",
  0x22: "Invalid Resource Identifier: At least one of the specified resource identifiers was invalid",
  0x23: "Sanitize Prohibited While Persistent Memory Region is Enabled",
  0x24: "ANA Group Identifier Invalid: The specified ANA Group Identifier (ANAGRPID) is not supported in the submitted command",
  0x25: "ANA Attach Failed: The controller is not attached to the namespace as a result of an ANA condition",
  0x26: "Insufficient Capacity: Requested operation requires more free space than is currently available",
  0x27: "Namespace Attachment Limit Exceeded: Attaching the ns to a controller causes max number of ns attachments allowed to be exceeded",
  0x28: "Prohibition of Command Execution Not Supported",
  0x29: "The I/O command set is not supported",
  0x2a: "The I/O command set is not enabled",
  0x2b: "The I/O command set combination is rejected",
  0x2c: "The I/O command set is invalid",
  0x2d: "Identifier Unavailable: The number of Endurance Groups or NVM Sets supported has been exceeded",
  0x2f: "Discovery Info Entry not applicable to selected entity",
  0x30: "The requested Zoning data structure is locked on the CDC",
  0x31: "The requested Zoning data structure does not exist on the CDC",
  0x32: "Discovery Info entries exceed Discovery Controller's capacity",
  0x33: "Fabric Zoning is not enabled on the CDC",
  0x34: "The NQN contained in the ZoneGroup Originator field does not match the Host NQN used by the DDC to connect to the CDC",
  0x37: "Invalid Controller Data Queue",
  0x38: "Not Enough Resources",
  0x39: "Controller Suspended: Operation failed because the controller is currently in a suspended state",
  0x3a: "Controller Not Suspended: Operation failed because the controller is not in a suspended state",
  0x3b: "Controller Data Queue Full",
};
/** libnvme's cmd_spec_status[] ends at 0x3b: higher SCT 1 codes use the NVM table. */
const CMD_SPEC_TABLE_SIZE = 0x3c;

/** NVM Command Set Specific Status (SCT 1, SC >= 0x3c). 0x84 and 0x88 have no text in libnvme. */
const NVM_SPECIFIC: Record<number, string> = {
  0x80: "Conflicting Attributes: The attributes specified in the command are conflicting",
  0x81: "Invalid Protection Information: The command's Protection Information Field settings are invalid for the namespace's Protection Information format",
  0x82: "Attempted Write to Read Only Range: The LBA range specified contains read-only blocks",
  0x83: "Command Size Limit Exceeded",
  0x85: "Incompatible Namespace or Format",
  0x86: "Fast Copy Not Possible",
  0x87: "Overlapping I/O Range",
  0x89: "Insufficient Resources",
  0xb6: "Invalid Zone Operation Request: The operation requested is invalid",
  0xb7: "ZRWA Resources Unavailable: No ZRWAs are available",
  0xb8: "Zoned Boundary Error: Invalid Zone Boundary crossing",
  0xb9: "Zone Is Full: The accessed zone is in ZSF:Full state",
  0xba: "Zone Is Read Only: The accessed zone is in ZSRO:Read Only state",
  0xbb: "Zone Is Offline: The access zone is in ZSO:Offline state",
  0xbc: "Zone Invalid Write: The write to zone was not at the write pointer offset",
  0xbd: "Too Many Active Zones: The controller does not allow additional active zones",
  0xbe: "Too Many Open Zones: The controller does not allow additional open zones",
  0xbf: "Invalid Zone State Transition: The request is not a valid zone state transition",
};

/** Media and Data Integrity Errors (SCT 2). */
const MEDIA: Record<number, string> = {
  0x80: "Write Fault: The write data could not be committed to the media",
  0x81: "Unrecovered Read Error: The read data could not be recovered from the media",
  0x82: "End-to-end Guard Check Error: The command was aborted due to an end-to-end guard check failure",
  0x83: "End-to-end Application Tag Check Error: The command was aborted due to an end-to-end application tag check failure",
  0x84: "End-to-end Reference Tag Check Error: The command was aborted due to an end-to-end reference tag check failure",
  0x85: "Compare Failure: The command failed due to a miscompare during a Compare command",
  0x86: "Access Denied: Access to the namespace and/or LBA range is denied due to lack of access rights",
  0x87: "Deallocated or Unwritten Logical Block: The command failed due to an attempt to read from or verify an LBA range containing a deallocated or unwritten logical block",
  0x88: "End-to-End Storage Tag Check Error: The command was aborted due to an end-to-end storage tag check failure",
};

/** Path Related Status (SCT 3). */
const PATH: Record<number, string> = {
  0x00: "Internal Path Error: An internal error specific to the controller processing the command prevented completion",
  0x01: "Asymmetric Access Persistent Loss: The controller is in a persistent loss state with the requested namespace",
  0x02: "Asymmetric Access Inaccessible: The controller is in an inaccessible state with the requested namespace",
  0x03: "Asymmetric Access Transition: The controller is currently transitioning states with the requested namespace",
  0x60: "Controller Pathing Error: A pathing error was detected by the controller",
  0x70: "Host Pathing Error: A pathing error was detected by the host",
  0x71: "Command Aborted By Host: The command was aborted as a result of host action",
};

function lookup(table: Record<number, string>, sc: number): string {
  return table[sc] ?? "unrecognized";
}

/** libnvme nvme_status_to_string(status, false): the text for an NVMe status value. */
export function statusString(status: number): string {
  const sc = status & STATUS_SC_MASK;
  const sct = (status >> STATUS_SCT_SHIFT) & STATUS_SCT_MASK;
  switch (sct) {
    case SCT_GENERIC: return lookup(GENERIC, sc);
    case SCT_COMMAND_SPECIFIC: return sc < CMD_SPEC_TABLE_SIZE ? lookup(CMD_SPECIFIC, sc) : lookup(NVM_SPECIFIC, sc);
    case SCT_MEDIA: return lookup(MEDIA, sc);
    case SCT_PATH: return lookup(PATH, sc);
    case SCT_VENDOR: return "Vendor Specific Status";
    default: return "Unknown status";
  }
}

/** Names of statuses we return that libnvme has no text for (NVM CS Figure 102). */
const NAMES_LIBNVME_LACKS: Record<number, string> = { [SC_NS_NOT_REACHABLE]: "Namespace Not Reachable" };

/** The status's short name: libnvme's text up to its colon ("Invalid Field in Command"). */
export function statusName(status: number): string {
  const text = statusString(status);
  if (text === "unrecognized") return NAMES_LIBNVME_LACKS[status & 0x7ff] ?? "Unknown status";
  const colon = text.indexOf(": ");
  return colon > 0 ? text.slice(0, colon) : text;
}

/** nvme-cli's stderr line for a failed command, without the newline: "NVMe status: ...(0x4002)". */
export function statusLine(status: number): string {
  return `NVMe status: ${statusString(status)}(${hex(status)})`;
}
