// Identify data structures (4096 bytes each): Identify Controller (NVMe Base 2.1
// Figure 312), Identify Namespace for the NVM Command Set (NVM CS 1.1 Figure 97),
// the NVM-specific pages (CNS 05h/06h) and the Namespace Identification Descriptor list.
// Byte offsets; multi-byte fields are little endian.

export const IDENTIFY_DATA_SIZE = 4096;

// CDW10 / CDW11 of Identify
export const IDENTIFY_CNS_MASK = 0xff; // CDW10 7:0
export const IDENTIFY_CNTID_SHIFT = 16; // CDW10 31:16
export const IDENTIFY_CSI_SHIFT = 24; // CDW11 31:24
export const CNS_NAMESPACE = 0x00;
export const CNS_CONTROLLER = 0x01;
export const CNS_ACTIVE_NSID_LIST = 0x02;
export const CNS_NS_ID_DESCRIPTORS = 0x03;
export const CNS_CSI_NAMESPACE = 0x05;
export const CNS_CSI_CONTROLLER = 0x06;
export const CSI_NVM = 0x00;

// Identify Controller (CNS 01h)
export const IDC_VID = 0; // u16
export const IDC_SSVID = 2; // u16
export const IDC_SN = 4; // 20 ASCII, space padded
export const IDC_SN_LEN = 20;
export const IDC_MN = 24; // 40 ASCII
export const IDC_MN_LEN = 40;
export const IDC_FR = 64; // 8 ASCII
export const IDC_FR_LEN = 8;
export const IDC_RAB = 72;
export const IDC_IEEE = 73; // 3 bytes
export const IDC_CMIC = 76;
export const IDC_MDTS = 77;
export const IDC_CNTLID = 78; // u16
export const IDC_VER = 80; // u32
export const IDC_RTD3R = 84;
export const IDC_RTD3E = 88;
export const IDC_OAES = 92;
export const IDC_CTRATT = 96;
export const IDC_CNTRLTYPE = 111;
export const CNTRLTYPE_IO = 1; // 0 = not reported (before NVMe 1.4)
export const CNTRLTYPE_DISCOVERY = 2;
export const CNTRLTYPE_ADMIN = 3;
export const IDC_OACS = 256; // u16
export const IDC_ACL = 258;
export const IDC_AERL = 259;
export const IDC_FRMW = 260;
export const IDC_LPA = 261;
export const IDC_ELPE = 262;
export const IDC_NPSS = 263;
export const IDC_AVSCC = 264;
export const IDC_WCTEMP = 266; // u16, Kelvin
export const IDC_CCTEMP = 268; // u16, Kelvin
export const IDC_TNVMCAP = 280; // 16 bytes
export const IDC_UNVMCAP = 296; // 16 bytes
export const IDC_SQES = 512;
export const IDC_CQES = 513;
export const IDC_MAXCMD = 514; // u16
export const IDC_NN = 516; // u32
export const IDC_ONCS = 520; // u16
export const IDC_FUSES = 522; // u16
export const IDC_FNA = 524;
export const IDC_VWC = 525;
export const IDC_AWUN = 526; // u16
export const IDC_AWUPF = 528; // u16
export const IDC_ICSVSCC = 530;
export const IDC_NWPC = 531;
export const IDC_ACWU = 532; // u16
export const IDC_OCFS = 534; // u16: Copy Descriptor Formats Supported
export const IDC_SGLS = 536; // u32
export const IDC_MNAN = 540; // u32
export const IDC_SUBNQN = 768; // 256 bytes
export const IDC_SUBNQN_LEN = 256;
export const IDC_PSD0 = 2048; // 32 bytes per power state descriptor
export const IDC_PSD_SIZE = 32;
export const PSD_MP = 0; // u16, centiwatts
export const PSD_FLAGS = 3; // bit 0 MXPS, bit 1 NOPS
export const PSD_ENLAT = 4; // u32, µs
export const PSD_EXLAT = 8; // u32, µs
export const PSD_RRT = 12;
export const PSD_RRL = 13;
export const PSD_RWT = 14;
export const PSD_RWL = 15;
export const IDC_VS = 3072; // 1024 bytes vendor specific

// Identify Controller fields read by the host's nvme-cli style printer (Base 2.1 Figure 312;
// layout as libnvme struct nvme_id_ctrl).
export const IDC_RRLS = 100; // u16
export const IDC_BPCAP = 102;
export const IDC_NSSL = 104; // u32
export const IDC_PLSI = 110;
export const IDC_FGUID = 112; // 16 bytes
export const IDC_CRDT1 = 128; // u16
export const IDC_CRDT2 = 130; // u16
export const IDC_CRDT3 = 132; // u16
export const IDC_CRCAP = 134;
export const IDC_NVMSR = 253;
export const IDC_VWCI = 254;
export const IDC_MEC = 255;
export const IDC_APSTA = 265;
export const IDC_MTFA = 270; // u16
export const IDC_HMPRE = 272; // u32
export const IDC_HMMIN = 276; // u32
export const IDC_RPMBS = 312; // u32
export const IDC_EDSTT = 316; // u16
export const IDC_DSTO = 318;
export const IDC_FWUG = 319;
export const IDC_KAS = 320; // u16
export const IDC_HCTMA = 322; // u16
export const IDC_MNTMT = 324; // u16
export const IDC_MXTMT = 326; // u16
export const IDC_SANICAP = 328; // u32
export const IDC_HMMINDS = 332; // u32
export const IDC_HMMAXD = 336; // u16
export const IDC_NSETIDMAX = 338; // u16
export const IDC_ENDGIDMAX = 340; // u16
export const IDC_ANATT = 342;
export const IDC_ANACAP = 343;
export const IDC_ANAGRPMAX = 344; // u32
export const IDC_NANAGRPID = 348; // u32
export const IDC_PELS = 352; // u32
export const IDC_DOMAINID = 356; // u16
export const IDC_KPIOC = 358;
export const IDC_MPTFAWR = 360; // u16
export const IDC_MEGCAP = 368; // 16 bytes
export const IDC_TMPTHHA = 384;
export const IDC_CQT = 386; // u16
export const IDC_CDPA = 388; // u16
export const IDC_MUP = 390; // u16
export const IDC_IPMSR = 392; // u16
export const IDC_MSMT = 394; // u16
export const IDC_MAXDNA = 544; // 16 bytes
export const IDC_MAXCNA = 560; // u32
export const IDC_OAQD = 564; // u32
export const IDC_RHIRI = 568;
export const IDC_HIRT = 569;
export const IDC_CMMRTD = 570; // u16
export const IDC_NMMRTD = 572; // u16
export const IDC_MINMRTG = 574;
export const IDC_MAXMRTG = 575;
export const IDC_TRATTR = 576;
export const IDC_MCUDMQ = 578; // u16
export const IDC_MNSUDMQ = 580; // u16
export const IDC_MCMR = 582; // u16
export const IDC_NMCMR = 584; // u16
export const IDC_MCDQPC = 586; // u16
export const IDC_IOCCSZ = 1792; // u32, fabrics
export const IDC_IORCSZ = 1796; // u32
export const IDC_ICDOFF = 1800; // u16
export const IDC_FCATT = 1802;
export const IDC_MSDBD = 1803;
export const IDC_OFCS = 1804; // u16
export const IDC_DCTYPE = 1806;
export const IDC_CCRL = 1807;
export const IDC_PSD_COUNT = 32;
export const IDC_VS_LEN = 1024;
export const PSD_IDLP = 16; // u16 idle power
export const PSD_IPS = 18; // 7:6 idle power scale
export const PSD_ACTP = 20; // u16 active power
export const PSD_APWS = 22; // 7:6 active power scale, 2:0 workload
export const PSD_EPFRT = 23;
export const PSD_FQVT = 24;
export const PSD_EPFVT = 25;
export const PSD_EPFR_FQV_TS = 26; // 3:0 EPFRT scale, 7:4 FQVT scale
export const PSD_EPFVTS = 27; // 3:0 EPFVT scale
export const PSD_FLAG_MXPS = 0x1;
export const PSD_FLAG_NOPS = 0x2;
export const PSD_SCALE_SHIFT = 6; // IPS / APWS bits 7:6

// ONCS bits (Base 2.1 Figure 312, NVM CS)
export const ONCS_COMPARE = 0x0001;
export const ONCS_WRITE_UNCORRECTABLE = 0x0002;
export const ONCS_DSM = 0x0004;
export const ONCS_WRITE_ZEROES = 0x0008;
export const ONCS_SAVE_SELECT = 0x0010;
export const ONCS_RESERVATIONS = 0x0020;
export const ONCS_TIMESTAMP = 0x0040;
export const ONCS_VERIFY = 0x0080;
export const ONCS_COPY = 0x0100;
export const ONCS_COPY_SINGLE_ATOMICITY = 0x0200; // NVMCSA
export const ONCS_ALL_FAST_COPY = 0x0400; // NVMAFC

// OACS, LPA, VWC, SGLS, CTRATT, OAES bits
export const OACS_NONE = 0;
export const OACS_FORMAT_NVM = 0x0002; // bit 1: Format NVM supported
export const LPA_SMART_PER_NS = 0x01;
export const LPA_COMMANDS_EFFECTS = 0x02;
export const LPA_EXTENDED_DATA = 0x04;
export const VWC_PRESENT = 0x01;
export const VWC_FLUSH_BROADCAST = 0x06; // bits 2:1 = 11b: NSID FFFFFFFFh supported
export const SGLS_SUPPORTED_NO_ALIGN = 0x1; // bits 1:0 = 01b
export const SGLS_MPTR_SGL = 0x80000; // bit 19
export const OAES_NS_ATTR_NOTICES = 0x100;
export const OCFS_FORMAT0 = 0x1;
export const OCFS_FORMAT1 = 0x2;
export const OCFS_FORMAT2 = 0x4;
export const OCFS_FORMAT3 = 0x8;

// Identify Namespace (CNS 00h), NVM Command Set
export const IDN_NSZE = 0; // u64
export const IDN_NCAP = 8; // u64
export const IDN_NUSE = 16; // u64
export const IDN_NSFEAT = 24;
export const IDN_NLBAF = 25; // 0's based
export const IDN_FLBAS = 26;
export const IDN_MC = 27;
export const IDN_DPC = 28;
export const IDN_DPS = 29;
export const IDN_NMIC = 30;
export const IDN_RESCAP = 31;
export const IDN_FPI = 32;
export const IDN_DLFEAT = 33;
export const IDN_NAWUN = 34; // u16
export const IDN_NAWUPF = 36;
export const IDN_NACWU = 38;
export const IDN_NABSN = 40;
export const IDN_NABO = 42;
export const IDN_NABSPF = 44;
export const IDN_NOIOB = 46;
export const IDN_NVMCAP = 48; // 16 bytes
export const IDN_NPWG = 64;
export const IDN_NPWA = 66;
export const IDN_NPDG = 68;
export const IDN_NPDA = 70;
export const IDN_NOWS = 72;
export const IDN_MSSRL = 74; // u16, 1's based, logical blocks
export const IDN_MCL = 76; // u32, 1's based, logical blocks
export const IDN_MSRC = 80; // u8, 0's based
export const IDN_NULBAF = 82;
export const IDN_ANAGRPID = 92; // u32
export const IDN_NSATTR = 99;
export const IDN_NVMSETID = 100; // u16
export const IDN_ENDGID = 102; // u16
export const IDN_NGUID = 104; // 16 bytes
export const IDN_EUI64 = 120; // 8 bytes
export const IDN_LBAF0 = 128; // 4 bytes each, up to 64
export const IDN_KPIOS = 81;
export const IDN_KPIODAAG = 84; // u32
export const IDN_LBAF_MAX = 64;
export const IDN_VS = 3712; // 384 bytes vendor specific
export const IDN_VS_LEN = 384;
export const IDN_LBAF_SIZE = 4;
export const LBAF_MS = 0; // u16 metadata bytes
export const LBAF_LBADS = 2; // u8 log2(data size)
export const LBAF_RP = 3; // u8 bits 1:0 relative performance
export const FLBAS_INDEX_LO_MASK = 0xf; // 3:0
export const FLBAS_EXTENDED = 0x10; // bit 4: metadata at the end of each LBA
export const FLBAS_INDEX_HI_MASK = 0x60; // 6:5, bits 5:4 of the format index
export const NSFEAT_THINP = 0x01;
export const DLFEAT_READ_ZEROES = 0x01; // 2:0 = 001b
export const DLFEAT_WZ_DEAC = 0x08; // bit 3
export const MC_EXTENDED = 0x01; // metadata as part of an extended LBA
export const MC_SEPARATE = 0x02; // metadata in a separate buffer

// I/O Command Set specific Identify Namespace, NVM (CNS 05h, CSI 00h; NVM CS 1.0 Figure 100,
// NVM CS 1.1 adds PIFA and the fields from NPDGL on; layout as libnvme struct nvme_nvm_id_ns)
export const IDNVM_LBSTM = 0; // u64, Logical Block Storage Tag Mask
export const IDNVM_PIC = 8; // Protection Information Capabilities
export const IDNVM_PIFA = 9; // Protection Information Format Attribute
export const IDNVM_ELBAF0 = 12; // u32 each, 64 of them: STS 6:0, PIF 8:7, QPIF 12:9
export const IDNVM_NPDGL = 268; // u32, Namespace Preferred Deallocate Granularity Large
export const IDNVM_NPRG = 272; // u32, Namespace Preferred Read Granularity
export const IDNVM_NPRA = 276; // u32, Namespace Preferred Read Alignment
export const IDNVM_NORS = 280; // u32, Namespace Optimal Read Size
export const IDNVM_NPDAL = 284; // u32, Namespace Preferred Deallocate Alignment Large
export const IDNVM_LBAPSS = 288; // u32, LBA Format Placement Shard Size
export const IDNVM_TLBAAG = 292; // u32, Tracked LBA Allocation Granularity
export const ELBAF_STS_MASK = 0x7f;
export const ELBAF_PIF_SHIFT = 7;
export const ELBAF_PIF_MASK = 0x3;
export const ELBAF_QPIF_SHIFT = 9;
export const ELBAF_QPIF_MASK = 0xf;
export const PIF_16B_GUARD = 0;
export const PIF_64B_GUARD = 2;
// I/O Command Set specific Identify Controller, NVM (CNS 06h, CSI 00h; NVM CS 1.0 Figure 102,
// the fields from KPIOCAP on are later revisions'; layout as libnvme struct nvme_id_ctrl_nvm)
export const IDCNVM_VSL = 0; // Verify Size Limit: 2^n x CAP.MPSMIN, 0 = none reported
export const IDCNVM_WZSL = 1; // Write Zeroes Size Limit: 2^n x CAP.MPSMIN
export const IDCNVM_WUSL = 2; // Write Uncorrectable Size Limit: 2^n x CAP.MPSMIN
export const IDCNVM_DMRL = 3; // Dataset Management Ranges Limit
export const IDCNVM_DMRSL = 4; // u32, Dataset Management Range Size Limit (logical blocks)
export const IDCNVM_DMSL = 8; // u64, Dataset Management Size Limit (logical blocks)
export const IDCNVM_KPIOCAP = 16; // Key Per I/O Capabilities
export const IDCNVM_WZDSL = 17; // Write Zeroes With Deallocate Size Limit
export const IDCNVM_AOCS = 18; // u16, Admin Optional Command Support
export const IDCNVM_VER = 20; // u32, NVM Command Set specification version
export const IDCNVM_LBAMQF = 24; // LBA Migration Queue Format
/** The largest DMRL: DSM's NR is 0's based (256 ranges), DMRL 1's based (NVM CS §3.2.3.1). */
export const DMRL_MAX = 255;

// Namespace Identification Descriptor (CNS 03h): NIDT, NIDL, 2 reserved, NID
export const NIDT_EUI64 = 1;
export const NIDT_NGUID = 2;
export const NIDT_UUID = 3;
export const NIDT_CSI = 4;
export const NID_HEADER_SIZE = 4;
