// Tests for src/cli/print/smart-log.ts against nvme-cli master's output format (tools/nvme-cli-output.md).
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { rig, Rig } from "../../helpers";
import { smartLogText, smartLogJson } from "../../../src/cli/print/smart-log";
import { toNvmeJson } from "../../../src/cli/print/json";
import { newSqe } from "../../../src/driver/sqe";
import * as A from "../../../assembly/spec/admin";

// nvme-cli master json_smart_log keys (tools/nvme-cli-output.md §4.2), sensors only when non-zero.
const JSON_KEYS = `critical_warning temperature avail_spare spare_thresh percent_used endurance_grp_critical_warning_summary
data_units_read data_units_written host_read_commands host_write_commands controller_busy_time power_cycles power_on_hours
unsafe_shutdowns media_errors num_err_log_entries warning_temp_time critical_comp_time temperature_sensor_1
thm_temp1_trans_count thm_temp2_trans_count thm_temp1_total_time thm_temp2_total_time op_lifetime_energy_consumed
interval_power_measurement`.split(/\s+/);

describe("smart-log", () => {
  let r: Rig;
  let fresh: Uint8Array;
  let after: Uint8Array;
  beforeAll(async () => {
    r = await rig();
    const d = r.driver;
    const s0 = d.getLogPage(A.LID_SMART, A.SMART_LOG_SIZE);
    expect(s0.status).toBe(0);
    fresh = s0.data!;
    // Three 4 KiB writes and one 4 KiB read (24 + 8 blocks of 512 bytes).
    const data = new Uint8Array(4096);
    for (let i = 0; i < 3; i++) {
      const w = newSqe(0x01, 1); w[10] = i * 8; w[12] = 7;
      expect(d.exec(d.ioQueue(), w, { out: data }).status).toBe(0);
    }
    const rd = newSqe(0x02, 1); rd[10] = 0; rd[12] = 7;
    expect(d.exec(d.ioQueue(), rd, { inLen: 4096 }).status).toBe(0);
    after = d.getLogPage(A.LID_SMART, A.SMART_LOG_SIZE).data!;
  });
  afterAll(async () => { await r.close(); });

  it("prints every line with nvme-cli master's tabs", () => {
    expect(smartLogText(fresh, 0xffffffff, "nvme0")).toBe([
      "Smart Log for NVME device:nvme0 namespace-id:ffffffff",
      "critical_warning\t\t\t: 0",
      "temperature\t\t\t\t: 40 °C (313 K, 104 °F)",
      "available_spare\t\t\t\t: 100%",
      "available_spare_threshold\t\t: 10%",
      "percentage_used\t\t\t\t: 0%",
      "endurance group critical warning summary: 0",
      "Data Units Read\t\t\t\t: 0 (0.00 B)",
      "Data Units Written\t\t\t: 0 (0.00 B)",
      "host_read_commands\t\t\t: 0",
      "host_write_commands\t\t\t: 0",
      "controller_busy_time\t\t\t: 0",
      "power_cycles\t\t\t\t: 1",
      "power_on_hours\t\t\t\t: 0",
      "unsafe_shutdowns\t\t\t: 0",
      "media_errors\t\t\t\t: 0",
      "num_err_log_entries\t\t\t: 0",
      "Warning Temperature Time\t\t: 0",
      "Critical Composite Temperature Time\t: 0",
      "Temperature Sensor 1\t\t\t: 40 °C (313 K, 104 °F)",
      "Thermal Management T1 Trans Count\t: 0",
      "Thermal Management T2 Trans Count\t: 0",
      "Thermal Management T1 Total Time\t: 0",
      "Thermal Management T2 Total Time\t: 0",
      "Operational Lifetime Energy Consumed\t: 0",
      "Interval Power Measurement Type\t\t: NVM subsystem total power",
      "Interval Power Measurement\t\t: -",
      "",
    ].join("\n"));
  });

  it("counts the I/O: data units rounded up to thousands of 512-byte units, commands", () => {
    const lines = smartLogText(after, 0xffffffff, "nvme0").split("\n");
    expect(lines).toContain("Data Units Read\t\t\t\t: 1 (512.00 kB)");
    expect(lines).toContain("Data Units Written\t\t\t: 1 (512.00 kB)");
    expect(lines).toContain("host_read_commands\t\t\t: 1");
    expect(lines).toContain("host_write_commands\t\t\t: 3");
  });

  it("prints the namespace id in hex and the critical warning bits with -H", () => {
    const lines = smartLogText(fresh, 1, "nvme0n1", { human: true }).split("\n");
    expect(lines.slice(0, 8)).toEqual([
      "Smart Log for NVME device:nvme0n1 namespace-id:1",
      "critical_warning\t\t\t: 0",
      "      Available Spare[0]             : 0",
      "      Temp. Threshold[1]             : 0",
      "      NVM subsystem Reliability[2]   : 0",
      "      Read-only[3]                   : 0",
      "      Volatile mem. backup failed[4] : 0",
      "      Persistent Mem. RO[5]          : 0",
    ]);
    expect(lines[8]).toBe("temperature\t\t\t\t: 40 °C (313 K, 104 °F)");
  });

  it("formats large counters, warnings, sensors and the power measurement", () => {
    const d = fresh.slice();
    const v = new DataView(d.buffer);
    d[A.SMART_CRITICAL_WARNING] = 0x0a;
    v.setUint16(A.SMART_COMPOSITE_TEMP, 273, true);
    v.setBigUint64(A.SMART_DATA_UNITS_WRITTEN, 1234n, true);
    v.setBigUint64(A.SMART_DATA_UNITS_READ, 0n, true);
    v.setBigUint64(A.SMART_DATA_UNITS_READ + 8, 1n, true); // 2^64
    v.setUint16(A.SMART_TEMP_SENSOR1, 0, true);
    v.setUint16(A.SMART_TEMP_SENSOR1 + 4, 350, true); // sensor 3
    v.setUint32(A.SMART_INTERVAL_POWER, (0xd << 20) | (1 << 16) | 12345, true);
    const lines = smartLogText(d, 0xffffffff, "nvme0", { human: true }).split("\n");
    expect(lines).toContain("critical_warning\t\t\t: 0xa");
    expect(lines).toContain("      Temp. Threshold[1]             : 1");
    expect(lines).toContain("      Read-only[3]                   : 1");
    expect(lines).toContain("temperature\t\t\t\t: 0 °C (273 K, 32 °F)");
    expect(lines).toContain("Data Units Written\t\t\t: 1234 (631.81 MB)");
    expect(lines).toContain("Data Units Read\t\t\t\t: 18446744073709551616 (9.44 YB)");
    expect(lines.filter((l) => l.startsWith("Temperature Sensor"))).toEqual(["Temperature Sensor 3\t\t\t: 77 °C (350 K, 170 °F)"]);
    expect(lines).toContain("Interval Power Measurement Type\t\t: Vendor Specific");
    expect(lines).toContain("Interval Power Measurement\t\t: 1.2345W");
  });

  it("builds the JSON object with nvme-cli master's keys, temperatures in Kelvin", () => {
    const j = smartLogJson(after);
    expect(Object.keys(j)).toEqual(JSON_KEYS);
    expect(j).toMatchObject({
      critical_warning: 0, temperature: 313, avail_spare: 100, spare_thresh: 10, data_units_read: 1, data_units_written: 1,
      host_read_commands: 1, host_write_commands: 3, power_cycles: 1, temperature_sensor_1: 313,
    });
    const text = toNvmeJson(j);
    expect(text.startsWith('{\n  "critical_warning":0,\n  "temperature":313,\n')).toBe(true);
    expect(text.endsWith('  "interval_power_measurement":0\n}')).toBe(true);
  });

  it("expands critical_warning into an object with -H", () => {
    const d = fresh.slice();
    d[A.SMART_CRITICAL_WARNING] = 0x21;
    expect(smartLogJson(d, { human: true }).critical_warning).toEqual({
      value: 0x21, available_spare: 1, temp_threshold: 0, reliability_degraded: 0, ro: 0, vmbu_failed: 0, pmr_ro: 1,
    });
  });
});
