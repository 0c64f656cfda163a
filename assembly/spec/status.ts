// Completion status values, NVMe Base 2.1 §4.2.3 and NVM Command Set 1.1 §3.4.
// Written as (SCT << 8) | SC, the encoding QEMU and Linux use; DNR and MORE are
// added as bits 14 and 13. The CQE status field is this value; the CQE stores it
// shifted left by one above the phase bit.

export const SCT_GENERIC = 0;
export const SCT_COMMAND_SPECIFIC = 1;
export const SCT_MEDIA = 2;
export const SCT_PATH = 3;

export const STATUS_DNR = 0x4000;
export const STATUS_MORE = 0x2000;
export const STATUS_CRD_SHIFT = 11;
export const STATUS_SC_MASK = 0xff;
export const STATUS_SCT_SHIFT = 8;
export const STATUS_SCT_MASK = 0x7;

// Generic Command Status (SCT 0)
export const SC_SUCCESS = 0x0000;
export const SC_INVALID_OPCODE = 0x0001;
export const SC_INVALID_FIELD = 0x0002;
export const SC_CID_CONFLICT = 0x0003;
export const SC_DATA_TRANSFER_ERROR = 0x0004;
export const SC_POWER_LOSS_ABORT = 0x0005;
export const SC_INTERNAL_ERROR = 0x0006;
export const SC_ABORT_REQUESTED = 0x0007;
export const SC_ABORT_SQ_DELETED = 0x0008;
export const SC_ABORT_FUSE_FAIL = 0x0009;
export const SC_ABORT_FUSE_MISSING = 0x000a;
export const SC_INVALID_NSID = 0x000b; // Invalid Namespace or Format
export const SC_COMMAND_SEQUENCE_ERROR = 0x000c;
export const SC_SGL_INVALID_LAST = 0x000d; // Invalid SGL Segment Descriptor
export const SC_SGL_INVALID_COUNT = 0x000e; // Invalid Number of SGL Descriptors
export const SC_SGL_INVALID_DATA_LEN = 0x000f; // Data SGL Length Invalid
export const SC_SGL_INVALID_MD_LEN = 0x0010; // Metadata SGL Length Invalid
export const SC_SGL_INVALID_TYPE = 0x0011; // SGL Descriptor Type Invalid
export const SC_INVALID_CMB_USE = 0x0012;
export const SC_INVALID_PRP_OFFSET = 0x0013;
export const SC_SGL_INVALID_OFFSET = 0x0016;
export const SC_HOST_ID_INCONSISTENT = 0x0018;
export const SC_NS_WRITE_PROTECTED = 0x0020;
export const SC_LBA_OUT_OF_RANGE = 0x0080;
export const SC_CAPACITY_EXCEEDED = 0x0081;
export const SC_NS_NOT_READY = 0x0082;

// Command Specific Status (SCT 1)
export const SC_CQ_INVALID = 0x0100;
export const SC_INVALID_QID = 0x0101;
export const SC_INVALID_QUEUE_SIZE = 0x0102;
export const SC_ABORT_LIMIT_EXCEEDED = 0x0103;
export const SC_ASYNC_EVENT_LIMIT_EXCEEDED = 0x0105;
export const SC_INVALID_INTERRUPT_VECTOR = 0x0108;
export const SC_INVALID_LOG_PAGE = 0x0109;
export const SC_INVALID_FORMAT = 0x010a;
export const SC_INVALID_QUEUE_DELETION = 0x010c;
export const SC_FEATURE_NOT_SAVEABLE = 0x010d;
export const SC_FEATURE_NOT_CHANGEABLE = 0x010e;
export const SC_FEATURE_NOT_NS_SPECIFIC = 0x010f;
export const SC_CONFLICTING_ATTRIBUTES = 0x0180;
export const SC_INVALID_PROTECTION_INFO = 0x0181;
export const SC_WRITE_TO_READ_ONLY = 0x0182;
export const SC_COMMAND_SIZE_LIMIT_EXCEEDED = 0x0183;
export const SC_INCOMPATIBLE_NS_OR_FORMAT = 0x0185;
export const SC_FAST_COPY_NOT_POSSIBLE = 0x0186;
export const SC_OVERLAPPING_IO_RANGE = 0x0187;
export const SC_NS_NOT_REACHABLE = 0x0188;
export const SC_INSUFFICIENT_RESOURCES = 0x0189;

// Media and Data Integrity Errors (SCT 2)
export const SC_WRITE_FAULT = 0x0280;
export const SC_UNRECOVERED_READ = 0x0281;
export const SC_GUARD_CHECK = 0x0282;
export const SC_APPTAG_CHECK = 0x0283;
export const SC_REFTAG_CHECK = 0x0284;
export const SC_COMPARE_FAILURE = 0x0285;
export const SC_ACCESS_DENIED = 0x0286;
export const SC_DEALLOCATED_OR_UNWRITTEN = 0x0287;
