// Command opcodes: Admin (NVMe Base 2.1 Figure 84) and NVM I/O (NVM Command Set 1.1 Figure 18).

export const ADMIN_DELETE_SQ = 0x00;
export const ADMIN_CREATE_SQ = 0x01;
export const ADMIN_GET_LOG_PAGE = 0x02;
export const ADMIN_DELETE_CQ = 0x04;
export const ADMIN_CREATE_CQ = 0x05;
export const ADMIN_IDENTIFY = 0x06;
export const ADMIN_ABORT = 0x08;
export const ADMIN_SET_FEATURES = 0x09;
export const ADMIN_GET_FEATURES = 0x0a;
export const ADMIN_ASYNC_EVENT_REQUEST = 0x0c;
export const ADMIN_KEEP_ALIVE = 0x18;
export const ADMIN_FORMAT_NVM = 0x80;

export const NVM_FLUSH = 0x00;
export const NVM_WRITE = 0x01;
export const NVM_READ = 0x02;
export const NVM_WRITE_UNCORRECTABLE = 0x04;
export const NVM_COMPARE = 0x05;
export const NVM_WRITE_ZEROES = 0x08;
export const NVM_DATASET_MANAGEMENT = 0x09;
export const NVM_VERIFY = 0x0c;
export const NVM_COPY = 0x19;

/** Read/Write-family CDW12 fields (NVM CS Figure 47 etc.). */
export const RW_NLB_MASK = 0xffff; // 15:0, 0's based
export const RW_DEAC_BIT = 25; // Write Zeroes
export const RW_PRINFO_SHIFT = 26; // 29:26
export const RW_FUA_BIT = 30;
export const RW_LR_BIT = 31;

/** Dataset Management: CDW10 NR 7:0 (0's based); CDW11 attributes (NVM CS §3.3.3). */
export const DSM_NR_MASK = 0xff;
export const DSM_IDR = 0x1;
export const DSM_IDW = 0x2;
export const DSM_AD = 0x4;
/** DSM range (16 bytes): Context Attributes, Length in logical blocks (1's based), SLBA. */
export const DSM_RANGE_SIZE = 16;
export const DSM_RANGE_CATTR = 0;
export const DSM_RANGE_NLB = 4;
export const DSM_RANGE_SLBA = 8;
