// Reporting a command's completion the way nvme-cli does: status line on stderr and a
// non-zero exit for an NVMe error.

import { CommandContext } from "./context";
import { statusLine } from "./print/status";

/** Print nvme-cli's status line for a failed completion; returns the exit code (0 on success). */
export function reportStatus(ctx: CommandContext, status: number): number {
  if ((status & 0x7ff) === 0) return 0;
  ctx.io.err(statusLine(status));
  return 1;
}
