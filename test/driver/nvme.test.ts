// The host driver (src/driver/nvme.ts): what it tells before a command about the buffers it
// will give the command; which Identify pages bring-up reads, as Linux's nvme core does.

import { describe, it, expect } from "vitest";
import { rig } from "../helpers";
import { newSqe } from "../../src/driver/sqe";
import { namespaceFromJson, defaultConfig, ControllerConfig } from "../../src/controller/config";
import { ControllerCore } from "../../src/controller/core";
import { StepPort } from "../../src/controller/port";
import { NvmeDriver, DriverOptions } from "../../src/driver/nvme";
import { loadCoreModule } from "../../src/node/wasm";

describe("plannedBuffers", () => {
  it("names the bus addresses exec then gives the data (PRP1) and metadata (MPTR) buffers, PRP lists included", async () => {
    const r = await rig({ config: { namespaces: [namespaceFromJson({ size: "8M", lbaSize: 512, ms: 8 }, 0, "test")] } });
    try {
      const d = r.driver;
      for (const blocks of [1, 8, 64, 300]) { // one page, two, a PRP list, a longer one
        const plan = d.plannedBuffers(blocks * 512, blocks * 8);
        const q = newSqe(0x02, 1); q[12] = blocks - 1;
        const got = d.exec(d.ioQueue(), q, { inLen: blocks * 512, mdInLen: blocks * 8 });
        expect(got.status).toBe(0);
        expect(plan.data, `${blocks}`).toBe(got.sqe[6] + got.sqe[7] * 2 ** 32);
        expect(plan.md, `${blocks}`).toBe(got.sqe[4] + got.sqe[5] * 2 ** 32);
      }
      expect(d.plannedBuffers(0, 0)).toEqual({ data: 0, md: 0 });
    } finally {
      await r.close();
    }
  });
});

describe("bring-up: the NVM Command Set Identify Controller (nvme_init_non_mdts_limits)", () => {
  /** A driver on a fresh controller, its Identify calls recorded (CNS, CDW11), not yet brought up. */
  async function driverOn(config: Partial<ControllerConfig>, options: DriverOptions = {}) {
    const core = await ControllerCore.create(await loadCoreModule(false), { ...defaultConfig(), ...config });
    core.exports.ctrl_power_on();
    const driver = new NvmeDriver(new StepPort(core), options);
    const asked: Array<[number, number]> = [];
    const identify = driver.identify.bind(driver);
    driver.identify = (cns, nsid = 0, cdw11 = 0) => { asked.push([cns, cdw11]); return identify(cns, nsid, cdw11); };
    return { driver, asked, cnsCsi: () => asked.filter(([cns]) => cns === 0x06) };
  }

  it("reads CNS 06h with CSI 00h right after Identify Controller and keeps the page", async () => {
    const { driver, asked, cnsCsi } = await driverOn({ vsl: 2, wzsl: 4, dmrsl: 64 });
    driver.bringUp();
    expect(asked.slice(0, 2)).toEqual([[0x01, 0], [0x06, 0]]);
    expect(cnsCsi()).toHaveLength(1);
    const p = driver.idCtrlNvm!;
    expect([p[0], p[1], p[3], new DataView(p.buffer, p.byteOffset).getUint32(4, true)]).toEqual([2, 4, 255, 64]);
  });

  it("does not ask a controller older than NVMe 1.2 (nvme_id_cns_ok: CNS above 03h)", async () => {
    for (const version of [0x00010100, 0x00010000]) {
      const { driver, cnsCsi } = await driverOn({ version, wzsl: 4 });
      driver.bringUp();
      expect(cnsCsi(), version.toString(16)).toEqual([]);
      expect(driver.idCtrlNvm).toBeNull();
    }
    const { driver, cnsCsi } = await driverOn({ version: 0x00010200 });
    driver.bringUp();
    expect(cnsCsi()).toHaveLength(1);
    // The oracle replay's host does not ask either (identifyIocs: false).
    const replay = await driverOn({}, { identifyIocs: false });
    replay.driver.bringUp();
    expect(replay.cnsCsi()).toEqual([]);
  });

  it("a refusal is no bring-up failure, and the controller is not asked again after a reset (NVME_CTRL_SKIP_ID_CNS_CS)", async () => {
    const { driver, cnsCsi } = await driverOn({});
    const identify = driver.identify;
    driver.identify = (cns, nsid = 0, cdw11 = 0) => {
      const r = identify(cns, nsid, cdw11);
      return cns === 0x06 ? { ...r, status: 0x4002, data: undefined } : r; // Invalid Field, DNR
    };
    driver.bringUp();
    expect(driver.state).toBe("READY");
    expect(driver.idCtrlNvm).toBeNull();
    expect(driver.skipIdCnsCs).toBe(true);
    driver.recover();
    expect(cnsCsi()).toHaveLength(1);
  });
});
