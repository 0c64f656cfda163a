// End-to-end data protection (NVM Command Set 1.1 §5.2; Base 2.1 §5.1.10 Format NVM): the
// PRINFO field, the protection information tuples, and the Format NVM fields that choose
// them. Shared by the controller and the host.

// PRINFO (CDW12 29:26 of Read, Write, Compare, Verify and Write Zeroes; Copy's PRINFOR in
// CDW12 15:12 and PRINFOW in 29:26): NVM CS 1.1 Figure 11.
export const PRINFO_PRACT = 0x8; // Protection Information Action
export const PRINFO_PRCHK_GUARD = 0x4; // check the Guard field
export const PRINFO_PRCHK_APP = 0x2; // check the Application Tag field
export const PRINFO_PRCHK_REF = 0x1; // check the Reference Tag field
export const PRINFO_PRCHK_MASK = 0x7;
export const PRINFO_MASK = 0xf;

// Protection information types (Identify Namespace DPS bits 2:0, Format NVM PI).
export const PI_TYPE_NONE = 0;
export const PI_TYPE_1 = 1;
export const PI_TYPE_2 = 2;
export const PI_TYPE_3 = 3;

// Identify Namespace DPC (byte 28) and DPS (byte 29), NVM CS 1.1 Figure 97.
export const DPC_TYPE1 = 0x01;
export const DPC_TYPE2 = 0x02;
export const DPC_TYPE3 = 0x04;
export const DPC_FIRST = 0x08; // PI may be the first bytes of metadata
export const DPC_LAST = 0x10; // PI may be the last bytes of metadata
export const DPC_ALL = 0x1f;
export const DPS_TYPE_MASK = 0x07;
export const DPS_FIRST = 0x08; // 1: PI is the first bytes of metadata, 0: the last

// The 16b Guard protection information tuple (8 bytes, NVM CS 1.1 Figure 13), big endian:
// Guard (CRC-16 T10-DIF), Application Tag, 32-bit Reference Tag.
export const PI16_SIZE = 8;
export const PI16_GUARD = 0;
export const PI16_APPTAG = 2;
export const PI16_REFTAG = 4;
// The 64b Guard tuple (16 bytes, NVM CS 1.1 Figure 15), big endian: Guard (CRC-64/NVMe),
// Application Tag, then 48 bits of Storage Tag and Reference Tag (STS = 0 here: all Reference Tag).
export const PI64_SIZE = 16;
export const PI64_GUARD = 0;
export const PI64_APPTAG = 8;
export const PI64_REFTAG = 10;
/** CRC-16 T10-DIF generator (NVM CS 1.1 §5.2.1.3.2). */
export const CRC16_T10DIF_POLY = 0x8bb7;
// CRC-64/NVMe (NVM CS 1.1 §5.2.1.3.4, polynomial AD93D23594C93659h) is in assembly/ctrl/pi.ts:
// its 64-bit constants do not fit a JavaScript number.

// Format NVM, CDW10 (Base 2.1 Figure 322).
export const FMT_LBAFL_MASK = 0xf; // 3:0, format index bits 3:0
export const FMT_MSET_BIT = 4; // 1: extended LBA (metadata with the data)
export const FMT_PI_SHIFT = 5; // 7:5
export const FMT_PI_MASK = 0x7;
export const FMT_PIL_BIT = 8; // 1: PI in the first bytes of metadata
export const FMT_SES_SHIFT = 9; // 11:9 Secure Erase Settings
export const FMT_SES_MASK = 0x7;
export const FMT_LBAFU_SHIFT = 12; // 13:12, format index bits 5:4
export const FMT_LBAFU_MASK = 0x3;
export const SES_NONE = 0;
export const SES_USER_DATA = 1;
export const SES_CRYPTO = 2;
