// The Copy command (NVM Command Set 1.1 §3.3.2, Figures 31-40) and its Source Range
// entry formats 0h-3h. Shared by the controller and the host.

// CDW10-11 SDLBA; CDW12 fields
export const COPY_NR_MASK = 0xff; // 7:0, 0's based
export const COPY_DESFMT_SHIFT = 8; // 11:8
export const COPY_DESFMT_MASK = 0xf;
export const COPY_PRINFOR_SHIFT = 12; // 15:12
export const COPY_CETYPE_SHIFT = 16; // 19:16
export const COPY_DTYPE_SHIFT = 20; // 23:20
export const COPY_STCW_BIT = 24;
export const COPY_STCR_BIT = 25;
export const COPY_PRINFOW_SHIFT = 26; // 29:26
export const COPY_FUA_BIT = 30;
export const COPY_LR_BIT = 31;
/** Up to 256 Source Range entries per command (NR is 8 bits, 0's based). */
export const COPY_MAX_RANGES = 256;

// Source Range entry, formats 0h and 2h: 32 bytes
export const COPY_RANGE_F0_SIZE = 32;
// formats 1h and 3h: 40 bytes
export const COPY_RANGE_F1_SIZE = 40;
export const COPY_RANGE_SNSID = 0; // u32, formats 2h/3h (SPARS in 0h/1h: reserved)
export const COPY_RANGE_SLBA = 8; // u64
export const COPY_RANGE_NLB = 16; // u16, 0's based
export const COPY_RANGE_CETYPE = 18; // 3:0
export const COPY_RANGE_CEV = 20; // u16
export const COPY_RANGE_SOPT = 22; // u16, formats 2h/3h; bit 15 FCO
export const COPY_SOPT_FCO = 0x8000;
export const COPY_RANGE_F0_EILBRT = 24; // u32
export const COPY_RANGE_F0_ELBAT = 28; // u16
export const COPY_RANGE_F0_ELBATM = 30; // u16
export const COPY_RANGE_F1_ELBT = 26; // 10 bytes
export const COPY_RANGE_F1_ELBAT = 36; // u16
export const COPY_RANGE_F1_ELBATM = 38; // u16

export const COPY_FORMAT_0 = 0;
export const COPY_FORMAT_1 = 1;
export const COPY_FORMAT_2 = 2;
export const COPY_FORMAT_3 = 3;
