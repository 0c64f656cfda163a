// `nvme smart-log` output: the SMART / Health Information log page (LID 02h) as nvme-cli
// master's stdout_smart_log prints it (tab-aligned labels, °C/°F temperatures, 128-bit
// counters in decimal, data units with their SI byte size), and the json_smart_log object.

import * as A from "../../../assembly/spec/admin";
import { u8, u16, u32, u64, u128, hex, l10n, siString, degrees, degreesF, jnum } from "./fmt";

function powerMeasurementType(pmt: number): string {
  if (pmt === 0) return "NVM subsystem total power";
  if (pmt >= 0xc && pmt <= 0xf) return "Vendor Specific";
  return "Reserved";
}

function powerField(ipm: number): string {
  const power = ipm & 0xffff;
  switch ((ipm >>> 16) & 3) {
    case 0: return "-";
    case 1: return `${Math.floor(power / 10000)}.${String(power % 10000).padStart(4, "0")}W`;
    case 2: return `${Math.floor(power / 100)}.${String(power % 100).padStart(2, "0")}W`;
    default: return "reserved";
  }
}

function temp(k: number): string {
  return `${degrees(k)} (${k} K, ${degreesF(k)})`;
}

/** `nvme smart-log` text, ending with a newline. devname as nvme-cli shows it ("nvme0"). */
export function smartLogText(data: Uint8Array, nsid: number, devname: string, opts: { human?: boolean } = {}): string {
  const d = data;
  const cw = u8(d, A.SMART_CRITICAL_WARNING);
  const o: string[] = [];
  o.push(`Smart Log for NVME device:${devname} namespace-id:${(nsid >>> 0).toString(16)}`);
  o.push(`critical_warning\t\t\t: ${hex(cw)}`);
  if (opts.human) {
    o.push(`      Available Spare[0]             : ${cw & 0x01}`);
    o.push(`      Temp. Threshold[1]             : ${(cw & 0x02) >> 1}`);
    o.push(`      NVM subsystem Reliability[2]   : ${(cw & 0x04) >> 2}`);
    o.push(`      Read-only[3]                   : ${(cw & 0x08) >> 3}`);
    o.push(`      Volatile mem. backup failed[4] : ${(cw & 0x10) >> 4}`);
    o.push(`      Persistent Mem. RO[5]          : ${(cw & 0x20) >> 5}`);
  }
  o.push(`temperature\t\t\t\t: ${temp(u16(d, A.SMART_COMPOSITE_TEMP))}`);
  o.push(`available_spare\t\t\t\t: ${u8(d, A.SMART_AVAIL_SPARE)}%`);
  o.push(`available_spare_threshold\t\t: ${u8(d, A.SMART_AVAIL_SPARE_THRESH)}%`);
  o.push(`percentage_used\t\t\t\t: ${u8(d, A.SMART_PERCENT_USED)}%`);
  o.push(`endurance group critical warning summary: ${hex(u8(d, A.SMART_ENDGRP_CRIT_WARN))}`);
  const dur = u128(d, A.SMART_DATA_UNITS_READ), duw = u128(d, A.SMART_DATA_UNITS_WRITTEN);
  o.push(`Data Units Read\t\t\t\t: ${l10n(dur)} (${siString(dur, A.SMART_DATA_UNIT_BYTES)})`);
  o.push(`Data Units Written\t\t\t: ${l10n(duw)} (${siString(duw, A.SMART_DATA_UNIT_BYTES)})`);
  o.push(`host_read_commands\t\t\t: ${l10n(u128(d, A.SMART_HOST_READ_CMDS))}`);
  o.push(`host_write_commands\t\t\t: ${l10n(u128(d, A.SMART_HOST_WRITE_CMDS))}`);
  o.push(`controller_busy_time\t\t\t: ${l10n(u128(d, A.SMART_CTRL_BUSY_TIME))}`);
  o.push(`power_cycles\t\t\t\t: ${l10n(u128(d, A.SMART_POWER_CYCLES))}`);
  o.push(`power_on_hours\t\t\t\t: ${l10n(u128(d, A.SMART_POWER_ON_HOURS))}`);
  o.push(`unsafe_shutdowns\t\t\t: ${l10n(u128(d, A.SMART_UNSAFE_SHUTDOWNS))}`);
  o.push(`media_errors\t\t\t\t: ${l10n(u128(d, A.SMART_MEDIA_ERRORS))}`);
  o.push(`num_err_log_entries\t\t\t: ${l10n(u128(d, A.SMART_NUM_ERR_LOG_ENTRIES))}`);
  o.push(`Warning Temperature Time\t\t: ${u32(d, A.SMART_WARN_TEMP_TIME)}`);
  o.push(`Critical Composite Temperature Time\t: ${u32(d, A.SMART_CRIT_TEMP_TIME)}`);
  for (let i = 0; i < A.SMART_TEMP_SENSOR_COUNT; i++) {
    const k = u16(d, A.SMART_TEMP_SENSOR1 + i * 2);
    if (k) o.push(`Temperature Sensor ${i + 1}\t\t\t: ${temp(k)}`);
  }
  o.push(`Thermal Management T1 Trans Count\t: ${u32(d, A.SMART_THM_TEMP1_TRANS_COUNT)}`);
  o.push(`Thermal Management T2 Trans Count\t: ${u32(d, A.SMART_THM_TEMP2_TRANS_COUNT)}`);
  o.push(`Thermal Management T1 Total Time\t: ${u32(d, A.SMART_THM_TEMP1_TOTAL_TIME)}`);
  o.push(`Thermal Management T2 Total Time\t: ${u32(d, A.SMART_THM_TEMP2_TOTAL_TIME)}`);
  const ipm = u32(d, A.SMART_INTERVAL_POWER);
  o.push(`Operational Lifetime Energy Consumed\t: ${u64(d, A.SMART_OP_LIFETIME_ENERGY)}`);
  o.push(`Interval Power Measurement Type\t\t: ${powerMeasurementType((ipm >>> 20) & 0x3f)}`);
  o.push(`Interval Power Measurement\t\t: ${powerField(ipm)}`);
  return o.join("\n") + "\n";
}

/** `nvme smart-log -o json` object (nvme-cli master json_smart_log); human = -H. */
export function smartLogJson(data: Uint8Array, opts: { human?: boolean } = {}): Record<string, unknown> {
  const d = data;
  const cw = u8(d, A.SMART_CRITICAL_WARNING);
  const r: Record<string, unknown> = {};
  r.critical_warning = opts.human
    ? {
      value: cw, available_spare: cw & 1, temp_threshold: (cw & 2) >> 1, reliability_degraded: (cw & 4) >> 2,
      ro: (cw & 8) >> 3, vmbu_failed: (cw & 0x10) >> 4, pmr_ro: (cw & 0x20) >> 5,
    }
    : cw;
  Object.assign(r, {
    temperature: u16(d, A.SMART_COMPOSITE_TEMP),
    avail_spare: u8(d, A.SMART_AVAIL_SPARE),
    spare_thresh: u8(d, A.SMART_AVAIL_SPARE_THRESH),
    percent_used: u8(d, A.SMART_PERCENT_USED),
    endurance_grp_critical_warning_summary: u8(d, A.SMART_ENDGRP_CRIT_WARN),
    data_units_read: jnum(u128(d, A.SMART_DATA_UNITS_READ)),
    data_units_written: jnum(u128(d, A.SMART_DATA_UNITS_WRITTEN)),
    host_read_commands: jnum(u128(d, A.SMART_HOST_READ_CMDS)),
    host_write_commands: jnum(u128(d, A.SMART_HOST_WRITE_CMDS)),
    controller_busy_time: jnum(u128(d, A.SMART_CTRL_BUSY_TIME)),
    power_cycles: jnum(u128(d, A.SMART_POWER_CYCLES)),
    power_on_hours: jnum(u128(d, A.SMART_POWER_ON_HOURS)),
    unsafe_shutdowns: jnum(u128(d, A.SMART_UNSAFE_SHUTDOWNS)),
    media_errors: jnum(u128(d, A.SMART_MEDIA_ERRORS)),
    num_err_log_entries: jnum(u128(d, A.SMART_NUM_ERR_LOG_ENTRIES)),
    warning_temp_time: u32(d, A.SMART_WARN_TEMP_TIME),
    critical_comp_time: u32(d, A.SMART_CRIT_TEMP_TIME),
  });
  for (let i = 0; i < A.SMART_TEMP_SENSOR_COUNT; i++) {
    const k = u16(d, A.SMART_TEMP_SENSOR1 + i * 2);
    if (k) r[`temperature_sensor_${i + 1}`] = k;
  }
  Object.assign(r, {
    thm_temp1_trans_count: u32(d, A.SMART_THM_TEMP1_TRANS_COUNT),
    thm_temp2_trans_count: u32(d, A.SMART_THM_TEMP2_TRANS_COUNT),
    thm_temp1_total_time: u32(d, A.SMART_THM_TEMP1_TOTAL_TIME),
    thm_temp2_total_time: u32(d, A.SMART_THM_TEMP2_TOTAL_TIME),
    op_lifetime_energy_consumed: jnum(u64(d, A.SMART_OP_LIFETIME_ENERGY)),
    interval_power_measurement: u32(d, A.SMART_INTERVAL_POWER),
  });
  return r;
}
