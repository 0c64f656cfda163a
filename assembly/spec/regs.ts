// NVMe controller registers (BAR0): offsets and bit fields, NVMe Base 2.1 §3.1.4.
// Shared by the controller (AssemblyScript) and the host (TypeScript): plain integer
// constants only, so the file compiles under both. Offsets in bytes; a field is
// (value >>> X_SHIFT) & X_MASK.

export const REG_CAP = 0x00; // 8 bytes
export const REG_VS = 0x08;
export const REG_INTMS = 0x0c;
export const REG_INTMC = 0x10;
export const REG_CC = 0x14;
export const REG_CSTS = 0x1c;
export const REG_NSSR = 0x20;
export const REG_AQA = 0x24;
export const REG_ASQ = 0x28; // 8 bytes
export const REG_ACQ = 0x30; // 8 bytes
export const REG_CMBLOC = 0x38;
export const REG_CMBSZ = 0x3c;
export const REG_BPINFO = 0x40;
export const REG_BPRSEL = 0x44;
export const REG_BPMBL = 0x48; // 8 bytes
export const REG_CMBMSC = 0x50; // 8 bytes
export const REG_CMBSTS = 0x58;
export const REG_CMBEBS = 0x5c;
export const REG_CMBSWTP = 0x60;
export const REG_NSSD = 0x64;
export const REG_CRTO = 0x68;
export const REG_PMRCAP = 0xe00;
export const REG_PMRCTL = 0xe04;
export const REG_PMRSTS = 0xe08;
export const REG_PMREBS = 0xe0c;
export const REG_PMRSWTP = 0xe10;
export const REG_PMRMSCL = 0xe14;
export const REG_PMRMSCU = 0xe18;
export const REG_DOORBELL_BASE = 0x1000;
/** Registers below the doorbells: 4 KiB, per the register map. */
export const REG_PROPERTIES_SIZE = 0x1000;

/** NSSR value "NVMe" that triggers an NVM Subsystem Reset (Base §3.1.4.5). */
export const NSSR_MAGIC = 0x4e564d65;

// CAP, low dword (bits 31:0)
export const CAP_MQES_MASK = 0xffff; // 15:0, 0's based
export const CAP_CQR_BIT = 16;
export const CAP_AMS_SHIFT = 17; // 18:17
export const CAP_TO_SHIFT = 24; // 31:24, 500 ms units
// CAP, high dword (bits 63:32), shifts relative to bit 32
export const CAPH_DSTRD_SHIFT = 0; // 35:32
export const CAPH_NSSRS_BIT = 4; // 36
export const CAPH_CSS_SHIFT = 5; // 44:37
export const CAPH_BPS_BIT = 13; // 45
export const CAPH_MPSMIN_SHIFT = 16; // 51:48
export const CAPH_MPSMAX_SHIFT = 20; // 55:52
/** CAP.CSS bit 0: NVM Command Set. */
export const CAP_CSS_NVM = 0x01;

// CC
export const CC_EN = 0x1;
export const CC_CSS_SHIFT = 4; // 6:4
export const CC_CSS_MASK = 0x7;
export const CC_MPS_SHIFT = 7; // 10:7
export const CC_MPS_MASK = 0xf;
export const CC_AMS_SHIFT = 11; // 13:11
export const CC_AMS_MASK = 0x7;
export const CC_SHN_SHIFT = 14; // 15:14
export const CC_SHN_MASK = 0x3;
export const CC_IOSQES_SHIFT = 16; // 19:16
export const CC_IOCQES_SHIFT = 20; // 23:20
export const CC_ES_MASK = 0xf;
export const CC_SHN_NONE = 0;
export const CC_SHN_NORMAL = 1;
export const CC_SHN_ABRUPT = 2;

// CSTS
export const CSTS_RDY = 0x1;
export const CSTS_CFS = 0x2;
export const CSTS_SHST_SHIFT = 2; // 3:2
export const CSTS_SHST_MASK = 0x3;
export const CSTS_SHST_NORMAL = 0;
export const CSTS_SHST_OCCURRING = 1;
export const CSTS_SHST_COMPLETE = 2;
export const CSTS_NSSRO = 0x10;

// AQA
export const AQA_ASQS_MASK = 0xfff; // 11:0, 0's based
export const AQA_ACQS_SHIFT = 16; // 27:16, 0's based

/** Doorbell y offsets with stride 4 << DSTRD (Base §3.1.4.21-22). */
export const DOORBELL_SQ = 0; // SQyTDBL = 1000h + (2y) * (4 << DSTRD)
export const DOORBELL_CQ = 1; // CQyHDBL = 1000h + (2y + 1) * (4 << DSTRD)
