// SGL descriptors (NVMe Base 2.1 §4.3.2, Figures 114-121): 16 bytes each.

export const SGL_DESC_SIZE = 16;
export const SGL_DESC_ADDR = 0; // u64
export const SGL_DESC_LEN = 8; // u32
export const SGL_DESC_ID = 15; // type 7:4, subtype 3:0
export const SGL_TYPE_SHIFT = 4;
export const SGL_TYPE_DATA_BLOCK = 0x0;
export const SGL_TYPE_BIT_BUCKET = 0x1;
export const SGL_TYPE_SEGMENT = 0x2;
export const SGL_TYPE_LAST_SEGMENT = 0x3;
export const SGL_TYPE_KEYED_DATA_BLOCK = 0x4;
export const SGL_TYPE_TRANSPORT_DATA_BLOCK = 0x5;
export const SGL_SUBTYPE_ADDRESS = 0x0;
export const SGL_SUBTYPE_OFFSET = 0x1;
