// The browser's SHA-256 (src/util/sha256.ts) against node:crypto: any data, fed in any pieces.

import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { createHash } from "node:crypto";
import { Sha256 } from "../../src/util/sha256";

describe("Sha256", () => {
  it("gives FIPS 180-4's digests for the standard vectors", () => {
    const hex = (s: string) => { const h = new Sha256(); h.update(new TextEncoder().encode(s)); return h.digestHex(); };
    expect(hex("")).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect(hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")).toBe("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  });

  it("equals node:crypto for random data split at random places", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 3000 }), fc.array(fc.nat(3000), { maxLength: 6 }), (data, cuts) => {
      const h = new Sha256();
      let at = 0;
      for (const c of [...cuts].sort((a, b) => a - b)) {
        const to = Math.min(c, data.length);
        if (to >= at) { h.update(data.subarray(at, to)); at = to; }
      }
      h.update(data.subarray(at));
      expect(h.digestHex()).toBe(createHash("sha256").update(data).digest("hex"));
    }), { numRuns: 300 });
  });
});
