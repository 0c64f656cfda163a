// Submission and Completion Queue Entry layouts, NVMe Base 2.1 §4.1-4.2 (Figures 88-100).
// Shared by the controller and the host. Offsets in bytes inside a 64-byte SQE or a
// 16-byte CQE; SQE_CDWn is Command Dword n.

export const SQE_SIZE = 64;
export const SQE_SIZE_LOG2 = 6;
export const CQE_SIZE = 16;
export const CQE_SIZE_LOG2 = 4;

export const SQE_OPC = 0; // byte: opcode
export const SQE_FLAGS = 1; // byte: FUSE 1:0, PSDT 7:6 (CDW0 bits 9:8, 15:14)
export const SQE_CID = 2; // u16
export const SQE_NSID = 4; // CDW1
export const SQE_CDW2 = 8;
export const SQE_CDW3 = 12;
export const SQE_MPTR = 16; // u64, CDW4-5
export const SQE_PRP1 = 24; // u64, CDW6-7 (or SGL1 bytes 24-39)
export const SQE_PRP2 = 32; // u64, CDW8-9
export const SQE_SGL1 = 24;
export const SQE_CDW10 = 40;
export const SQE_CDW11 = 44;
export const SQE_CDW12 = 48;
export const SQE_CDW13 = 52;
export const SQE_CDW14 = 56;
export const SQE_CDW15 = 60;

export const SQE_FUSE_MASK = 0x3;
export const SQE_PSDT_SHIFT = 6;
export const SQE_PSDT_MASK = 0x3;
export const PSDT_PRP = 0;
export const PSDT_SGL_MPTR_CONTIG = 1;
export const PSDT_SGL_MPTR_SGL = 2;

export const CQE_DW0 = 0;
export const CQE_DW1 = 4;
export const CQE_SQHD = 8; // u16
export const CQE_SQID = 10; // u16
export const CQE_CID = 12; // u16
export const CQE_STATUS = 14; // u16: bit 0 phase, 15:1 status field
/** DW3 = CID | phase << 16 | SF << 17. */
export const CQE_DW3 = 12;
export const CQE_PHASE_BIT = 16; // in DW3
export const CQE_SF_SHIFT = 17; // in DW3
