// Admin command fields: queue creation, features, log pages, asynchronous events
// (NVMe Base 2.1 §5). Shared by the controller and the host.

// Create I/O Completion / Submission Queue (Base §5.2.1, §5.2.2)
export const CREATEQ_QID_MASK = 0xffff; // CDW10 15:0
export const CREATEQ_QSIZE_SHIFT = 16; // CDW10 31:16, 0's based
export const CREATEQ_PC = 0x1; // CDW11 bit 0
export const CREATECQ_IEN = 0x2; // CDW11 bit 1
export const CREATECQ_IV_SHIFT = 16; // CDW11 31:16
export const CREATESQ_QPRIO_SHIFT = 1; // CDW11 2:1
export const CREATESQ_CQID_SHIFT = 16; // CDW11 31:16

// Abort (Base §5.1.1): CDW10 SQID 15:0, CID 31:16. DW0 bit 0 = 1: not aborted.
export const ABORT_CID_SHIFT = 16;
export const ABORT_NOT_ABORTED = 0x1;

// Get / Set Features (Base §5.1.12, §5.1.25)
export const FEAT_FID_MASK = 0xff; // CDW10 7:0
export const FEAT_SEL_SHIFT = 8; // Get: CDW10 10:8
export const FEAT_SEL_MASK = 0x7;
export const FEAT_SV_BIT = 31; // Set: CDW10 bit 31
export const FEAT_SEL_CURRENT = 0;
export const FEAT_SEL_DEFAULT = 1;
export const FEAT_SEL_SAVED = 2;
export const FEAT_SEL_SUPPORTED = 3;
/** Supported Capabilities (SEL 011b) bits in DW0. */
export const FEAT_CAP_SAVEABLE = 0x1;
export const FEAT_CAP_NS_SPECIFIC = 0x2;
export const FEAT_CAP_CHANGEABLE = 0x4;

export const FID_ARBITRATION = 0x01;
export const FID_POWER_MANAGEMENT = 0x02;
export const FID_TEMPERATURE_THRESHOLD = 0x04;
export const FID_ERROR_RECOVERY = 0x05;
export const FID_VOLATILE_WRITE_CACHE = 0x06;
export const FID_NUMBER_OF_QUEUES = 0x07;
export const FID_INTERRUPT_COALESCING = 0x08;
export const FID_INTERRUPT_VECTOR_CONFIG = 0x09;
export const FID_WRITE_ATOMICITY = 0x0a;
export const FID_ASYNC_EVENT_CONFIG = 0x0b;
export const FID_HOST_BEHAVIOR_SUPPORT = 0x16;

export const ARB_AB_MASK = 0x7; // Arbitration Burst 2:0, 111b = no limit
export const ARB_AB_NO_LIMIT = 0x7;
export const NUMQ_NCQR_SHIFT = 16;
export const IRQC_THR_MASK = 0xff; // aggregation threshold, 0's based
export const IRQC_TIME_SHIFT = 8; // aggregation time, 100 µs units
export const IRQC_TIME_UNIT_NS = 100000;
export const IVC_IV_MASK = 0xffff;
export const IVC_CD = 0x10000; // coalescing disable, bit 16
export const VWC_WCE = 0x1;
export const TEMP_TMPTH_MASK = 0xffff;
export const TEMP_TMPSEL_SHIFT = 16; // 19:16
export const TEMP_THSEL_SHIFT = 20; // 21:20, 00b over, 01b under
export const ERR_REC_TLER_MASK = 0xffff;
export const ERR_REC_DULBE = 0x10000;
export const AEC_SMART_MASK = 0xff;
export const AEC_NS_ATTR = 0x100;
// Asynchronous Event Configuration notice bits (bit numbers; bit 8 is AEC_NS_ATTR)
export const AEC_FW_BIT = 9;
export const AEC_TELEM_BIT = 10;
export const AEC_ANA_BIT = 11;
export const AEC_PLA_BIT = 12;
export const AEC_LBAS_BIT = 13;
export const AEC_EGA_BIT = 14;
export const AEC_NNSSHDN_BIT = 15;
export const AEC_TTHRY_BIT = 16;
export const AEC_RASSN_BIT = 17;
export const AEC_RGRP0_BIT = 18;
export const AEC_ANSAN_BIT = 19;
export const AEC_ZDCN_BIT = 27;
export const AEC_PMDRLPCN_BIT = 28;
export const AEC_ADLPCN_BIT = 29;
export const AEC_HDLPCN_BIT = 30;
export const AEC_DLPCN_BIT = 31;
export const ARB_LPW_SHIFT = 8; // 15:8, 0's based
export const ARB_MPW_SHIFT = 16; // 23:16
export const ARB_HPW_SHIFT = 24; // 31:24
export const PM_PS_MASK = 0x1f; // 4:0
export const PM_WH_SHIFT = 5; // 7:5
export const PM_WH_MASK = 0x7;
export const TEMP_TMPTHH_SHIFT = 22; // 24:22 hysteresis
export const TEMP_TMPTHH_MASK = 0x7;
export const WAN_DN = 0x1;

/** Host Behavior Support data (512 bytes): byte offsets. */
export const HBS_DATA_SIZE = 512;
export const HBS_ACRE = 0;
export const HBS_ETDAS = 1;
export const HBS_LBAFEE = 2;
export const HBS_HDISNS = 3;
export const HBS_CDFE = 4; // u16: bit n enables Copy Descriptor Format nh (n = 2..4)

// Get Log Page (Base §5.1.13)
export const LOG_LID_MASK = 0xff; // CDW10 7:0
export const LOG_LSP_SHIFT = 8; // CDW10 14:8
export const LOG_RAE_BIT = 15; // CDW10
export const LOG_NUMDL_SHIFT = 16; // CDW10 31:16
export const LOG_NUMDU_MASK = 0xffff; // CDW11 15:0
export const LOG_LSI_SHIFT = 16; // CDW11 31:16

export const LID_ERROR_INFO = 0x01;
export const LID_SMART = 0x02;
export const LID_FW_SLOT = 0x03;
export const LID_COMMANDS_EFFECTS = 0x05;

/** Error Information log entry (64 bytes, Base Figure 206). */
export const ERRLOG_ENTRY_SIZE = 64;
export const ERRLOG_COUNT = 0; // u64
export const ERRLOG_SQID = 8; // u16
export const ERRLOG_CID = 10; // u16
export const ERRLOG_STATUS = 12; // u16: bit 0 phase, 15:1 status field
export const ERRLOG_PARAM_LOC = 14; // u16: 7:0 byte, 10:8 bit
export const ERRLOG_LBA = 16; // u64
export const ERRLOG_NSID = 24; // u32
export const ERRLOG_VS = 28;
export const ERRLOG_TRTYPE = 29;
export const ERRLOG_CSI = 30;
export const ERRLOG_OPCODE = 31;
export const ERRLOG_CS = 32; // u64 command specific information
export const ERRLOG_TTSI = 40; // u16
export const ERRLOG_LPVER = 63;
export const ERRLOG_PHASE = 0x1; // status field bit 0
/** The controller keeps this many entries (ELPE = this - 1). */
export const ERRLOG_ENTRIES = 64;

/** SMART / Health Information log (512 bytes, Base Figure 207). 128-bit counters are little endian. */
export const SMART_LOG_SIZE = 512;
export const SMART_CRITICAL_WARNING = 0;
export const SMART_COMPOSITE_TEMP = 1; // u16 Kelvin
export const SMART_AVAIL_SPARE = 3;
export const SMART_AVAIL_SPARE_THRESH = 4;
export const SMART_PERCENT_USED = 5;
export const SMART_ENDGRP_CRIT_WARN = 6;
export const SMART_DATA_UNITS_READ = 32;
export const SMART_DATA_UNITS_WRITTEN = 48;
export const SMART_HOST_READ_CMDS = 64;
export const SMART_HOST_WRITE_CMDS = 80;
export const SMART_CTRL_BUSY_TIME = 96;
export const SMART_POWER_CYCLES = 112;
export const SMART_POWER_ON_HOURS = 128;
export const SMART_UNSAFE_SHUTDOWNS = 144;
export const SMART_MEDIA_ERRORS = 160;
export const SMART_NUM_ERR_LOG_ENTRIES = 176;
export const SMART_WARN_TEMP_TIME = 192; // u32 minutes
export const SMART_CRIT_TEMP_TIME = 196; // u32 minutes
export const SMART_TEMP_SENSOR1 = 200; // u16 x 8
export const SMART_TEMP_SENSOR_COUNT = 8;
export const SMART_THM_TEMP1_TRANS_COUNT = 216; // u32
export const SMART_THM_TEMP2_TRANS_COUNT = 220; // u32
export const SMART_THM_TEMP1_TOTAL_TIME = 224; // u32
export const SMART_THM_TEMP2_TOTAL_TIME = 228; // u32
export const SMART_OP_LIFETIME_ENERGY = 232; // u64
export const SMART_INTERVAL_POWER = 240; // u32: 15:0 value, 17:16 scale, 25:20 type
/** One data unit is 1000 units of 512 bytes (Base Figure 207). */
export const SMART_DATA_UNIT_BYTES = 512000;

/** Commands Supported and Effects log (4096 bytes, Base Figure 210). */
export const EFFECTS_LOG_SIZE = 4096;
export const EFFECTS_ACS = 0; // u32 x 256, indexed by admin opcode
export const EFFECTS_IOCS = 1024; // u32 x 256, indexed by I/O opcode
export const EFFECT_CSUPP = 0x1;
export const EFFECT_LBCC = 0x2;
export const EFFECT_NCC = 0x4;
export const EFFECT_NIC = 0x8;
export const EFFECT_CCC = 0x10;
export const EFFECT_CSE_SHIFT = 16; // 18:16
export const EFFECT_CSE_MASK = 0x7;
export const EFFECT_CSER_SHIFT = 14; // 15:14
export const EFFECT_CSER_MASK = 0x3;
export const EFFECT_USS = 0x80000; // bit 19 UUID Selection Supported

// Asynchronous Event Request completion DW0 (Base Figure 150)
export const AER_TYPE_ERROR = 0;
export const AER_TYPE_SMART = 1;
export const AER_TYPE_NOTICE = 2;
export const AER_INFO_SHIFT = 8; // 15:8
export const AER_LID_SHIFT = 16; // 23:16
export const AER_ERR_INVALID_DB_REG = 0x00;
export const AER_ERR_INVALID_DB_VALUE = 0x01;
export const AER_ERR_PERSISTENT_INTERNAL = 0x03;
export const AER_SMART_TEMP_THRESHOLD = 0x01; // SMART / Health event: temperature threshold
/** SMART critical warning bit 1, temperature; the same bit of Asynchronous Event Configuration enables its event. */
export const SMART_CW_TEMPERATURE = 0x02;
