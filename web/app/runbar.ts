// The run bar's and the log's words for what finished last (web/main.ts shows them): a
// setup's run (steps, NVMe commands, block events, modelled and wall time), or the NVMe/TCP
// experiment's cases (offload against read+write at each link speed). No DOM.

import type { LabRun } from "../../src/lab/session";
import type { StoreState, TcpRun } from "./store";
import { fmtModelled } from "./time";

/** Offload's MiB/s over read+write's at each link speed: "6.34× at 1 Gb/s, 1.14× at 100 Gb/s". */
export function tcpRatios(r: TcpRun): string {
  const speeds = [...new Set(r.cases.map((c) => c.gbps))].sort((a, b) => a - b);
  return speeds.map((g) => {
    const rw = r.cases.find((c) => c.gbps === g && c.mode === "read+write");
    const cp = r.cases.find((c) => c.gbps === g && c.mode === "offload");
    return rw && cp && rw.mibs > 0 ? `${(cp.mibs / rw.mibs).toFixed(2)}× at ${g} Gb/s` : `${g} Gb/s incomplete`;
  }).join(", ");
}

function runText(seq: number, r: LabRun): string {
  return `run #${seq}: ${r.ops.length} steps, ${r.commands.length} NVMe commands, ${r.events.length} block events, ${fmtModelled(r.end_ns)} modelled, ${r.wall_ms.toFixed(0)} ms to run`;
}

function tcpText(seq: number, r: TcpRun): string {
  return `NVMe/TCP #${seq}: ${r.cases.length} cases, offload against read+write ${tcpRatios(r)}; ${(r.wall_ms / 1000).toFixed(1)} s to run`;
}

/** The run bar's status: running, or what finished last; empty before anything ran. */
export function runStatus(s: Pick<StoreState, "running" | "run" | "runSeq" | "tcp" | "tcpSeq" | "last">): string {
  if (s.running) return "running in modelled time…";
  if (s.last === "tcp" && s.tcp) return tcpText(s.tcpSeq, s.tcp);
  return s.run ? runText(s.runSeq, s.run) : "";
}

/** The log's line for a setup's run (title: the experiment's, or "custom setup"). */
export function runLogLine(seq: number, r: LabRun, title: string): string {
  return `run #${seq} (${title}): ${r.commands.length} NVMe commands, ${r.events.length} block events in ${r.wall_ms.toFixed(0)} ms`;
}

/** The log's line for the NVMe/TCP experiment. */
export function tcpLogLine(seq: number, r: TcpRun, title: string): string {
  return `NVMe/TCP #${seq} (${title}): ${r.cases.map((c) => `${c.gbps} Gb/s ${c.mode} ${c.mibs.toFixed(1)} MiB/s`).join(", ")} in ${(r.wall_ms / 1000).toFixed(1)} s`;
}
