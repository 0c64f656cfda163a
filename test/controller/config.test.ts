// The controller configuration (src/controller/config.ts): the Identify CNS 06h limits
// (VSL, WZSL, DMRL, DMRSL, DMSL), their validation naming the field, and the Dataset
// Management triple as the controller reports it (NVM CS §3.2.3.1: all three or none).

import { describe, it, expect } from "vitest";
import { defaultConfig, validateConfig, configFromJson, dsmLimits } from "../../src/controller/config";

describe("controller configuration: NVM Command Set limits", () => {
  it("default: no limits at all", () => {
    const c = defaultConfig();
    expect([c.vsl, c.wzsl, c.dmrl, c.dmrsl, c.dmsl]).toEqual([0, 0, 0, 0, 0]);
    expect(dsmLimits(c)).toEqual({ dmrl: 0, dmrsl: 0, dmsl: 0n });
  });

  it("one DSM limit set: the others are reported at their largest value", () => {
    expect(dsmLimits({ ...defaultConfig(), dmrsl: 4096 })).toEqual({ dmrl: 255, dmrsl: 4096, dmsl: 0xffffffffffffffffn });
    expect(dsmLimits({ ...defaultConfig(), dmrl: 16 })).toEqual({ dmrl: 16, dmrsl: 0xffffffff, dmsl: 0xffffffffffffffffn });
    expect(dsmLimits({ ...defaultConfig(), dmrl: 4, dmrsl: 8, dmsl: 12 })).toEqual({ dmrl: 4, dmrsl: 8, dmsl: 12n });
  });

  it("from JSON, with range errors naming the field", () => {
    const c = configFromJson({ vsl: 7, wzsl: "3", dmrsl: "0x400000" });
    expect([c.vsl, c.wzsl, c.dmrsl]).toEqual([7, 3, 0x400000]);
    expect(() => configFromJson({ wzsl: 21 })).toThrow(/config\.wzsl: 21 is not an integer in 0\.\.20/);
    expect(() => configFromJson({ dmrl: 256 })).toThrow(/config\.dmrl: 256 is not an integer in 0\.\.255/);
    expect(() => validateConfig({ ...defaultConfig(), dmrsl: 2 ** 32 })).toThrow(/config\.dmrsl/);
    expect(() => validateConfig({ ...defaultConfig(), vsl: -1 })).toThrow(/config\.vsl/);
  });
});
