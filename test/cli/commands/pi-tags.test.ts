// The protection information tags' placement and checks (src/cli/commands/pi-tags.ts) as libnvme's
// nvme_set_var_size_tags / nvme_init_var_size_tags and nvme-cli's invalid_tags do them.

import { describe, it, expect } from "vitest";
import { varSizeTags, invalidTags, PIF_16B_GUARD, PIF_32B_GUARD, PIF_64B_GUARD } from "../../../src/cli/commands/pi-tags";

describe("varSizeTags: CDW2, CDW3, CDW14", () => {
  it("16b guard: the reference tag in CDW14, the storage tag in its upper STS bits", () => {
    expect(varSizeTags(PIF_16B_GUARD, 0, 0x89abcdefn, 0n)).toEqual([0, 0, 0x89abcdef]);
    expect(varSizeTags(PIF_16B_GUARD, 0, 0x1_0000_0005n, 0n)).toEqual([0, 0, 5]); // only 32 bits fit
    expect(varSizeTags(PIF_16B_GUARD, 8, 0x123456n, 0xabn)).toEqual([0, 0, 0xab123456]);
  });

  it("64b guard: a 48-bit field over CDW14 and CDW3 15:0, the storage tag in its upper STS bits", () => {
    expect(varSizeTags(PIF_64B_GUARD, 0, 0x1234_5678_9abcn, 0n)).toEqual([0, 0x1234, 0x56789abc]);
    expect(varSizeTags(PIF_64B_GUARD, 0, 0xffff_1234_5678_9abcn, 0n)).toEqual([0, 0x1234, 0x56789abc]);
    // STS 16: the storage tag is CDW3 15:0, the reference tag CDW14
    expect(varSizeTags(PIF_64B_GUARD, 16, 0x1234n, 0xbeefn)).toEqual([0, 0xbeef, 0x1234]);
    // STS 8: the storage tag's 8 bits are CDW3 15:8
    expect(varSizeTags(PIF_64B_GUARD, 8, 0x12_0000_0001n, 0xaan)).toEqual([0, 0xaa12, 1]);
  });

  it("32b guard: an 80-bit field over CDW14, CDW3 and CDW2 (libnvme's own ZNS Append case: STS 48)", () => {
    expect(varSizeTags(PIF_32B_GUARD, 48, 0x1234n, 0x12n)).toEqual([0, 0x12, 0x1234]);
    expect(varSizeTags(PIF_32B_GUARD, 16, 0x1_2345_6789n, 0xbeefn)).toEqual([0xbeef, 1, 0x23456789]); // storage tag in bits 79:64
  });

  it("refuses a PIF libnvme does not know", () => {
    expect(varSizeTags(3, 0, 0n, 0n)).toBeNull();
  });
});

describe("invalidTags: nvme-cli's messages", () => {
  it("a storage tag wider than STS", () => {
    expect(invalidTags(1n, 0n, 0, PIF_16B_GUARD)).toEqual(["Storage tag larger than storage tag size"]);
    expect(invalidTags(0xffn, 0n, 8, PIF_16B_GUARD)).toEqual([]);
    expect(invalidTags(0x100n, 0n, 8, PIF_16B_GUARD)).toEqual(["Storage tag larger than storage tag size"]);
  });

  it("a reference tag wider than the format leaves it", () => {
    expect(invalidTags(0n, 0xffffffffn, 0, PIF_16B_GUARD)).toEqual([]);
    expect(invalidTags(0n, 0x1_0000_0000n, 0, PIF_16B_GUARD)).toEqual(["Reference tag larger than allowed by PIF"]);
    expect(invalidTags(0n, 0x100_0000n, 8, PIF_16B_GUARD)).toEqual(["Reference tag larger than allowed by PIF"]);
    // 64b guard: no limit without a storage tag (STS 0); 48 - STS bits with one
    expect(invalidTags(0n, 0xffff_ffff_ffff_ffffn, 0, PIF_64B_GUARD)).toEqual([]);
    expect(invalidTags(0n, 1n << 40n, 8, PIF_64B_GUARD)).toEqual(["Reference tag larger than allowed by PIF"]);
    expect(invalidTags(0n, (1n << 40n) - 1n, 8, PIF_64B_GUARD)).toEqual([]);
    // 32b guard: 80 - STS bits once STS > 16
    expect(invalidTags(0n, 1n << 60n, 20, PIF_32B_GUARD)).toEqual(["Reference tag larger than allowed by PIF"]);
    expect(invalidTags(0n, 1n << 60n, 16, PIF_32B_GUARD)).toEqual([]);
  });

  it("an unknown PIF", () => {
    expect(invalidTags(0n, 0n, 0, 3)).toEqual(["Invalid PIF", "Reference tag larger than allowed by PIF"]);
  });
});
