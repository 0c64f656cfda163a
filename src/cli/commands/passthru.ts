// admin-passthru and io-passthru: any command, built from nvme-cli's options, with its data
// buffer, the result line on stderr and the data as a hexdump (or raw with -b).

import * as O from "../../../assembly/spec/opcodes";
import { OptSpec } from "../args";
import { Command, CommandContext, CliError } from "../context";
import { reportStatus } from "../status";
import { hexdump } from "../print/hexdump";
import { opcodeName } from "../../driver/names";
import { newSqe } from "../../driver/sqe";

// nvme-cli's passthru() options and their types (OPT_BYTE byte, OPT_SHRT short, OPT_UINT word).
const OPTIONS: OptSpec[] = [
  { long: "opcode", short: "O", kind: "byte", help: "opcode" },
  { long: "flags", short: "f", kind: "byte", help: "CDW0 bits 15:8 (FUSE, PSDT)" },
  { long: "prefill", short: "p", kind: "byte", help: "byte to fill the data buffer with" },
  { long: "rsvd", short: "R", kind: "short", help: "CDW0 bits 31:16 are the CID; this is ignored" },
  { long: "namespace-id", short: "n", kind: "word", help: "NSID" },
  { long: "data-len", short: "l", kind: "word", help: "data buffer length in bytes" },
  { long: "metadata-len", short: "m", kind: "word", help: "metadata buffer length in bytes" },
  // nvme-cli's short options for the command dwords: -2, -3, and -4 .. -9 for CDW10-15.
  ...[2, 3, 10, 11, 12, 13, 14, 15].map((n): OptSpec => ({ long: `cdw${n}`, short: String(n < 10 ? n : n - 6), kind: "word", help: `command dword ${n}` })),
  { long: "input-file", short: "i", kind: "string", help: "data to write (or where to save the data read)" },
  { long: "metadata", short: "M", kind: "string", help: "metadata file" },
  { long: "raw-binary", short: "b", kind: "flag", help: "print the data read as raw binary" },
  { long: "show-command", short: "s", kind: "flag", help: "show the command before sending it" },
  { long: "dry-run", short: "d", kind: "flag", help: "show the command, do not send it" },
  { long: "read", short: "r", kind: "flag", help: "the command reads data (controller to host)" },
  { long: "write", short: "w", kind: "flag", help: "the command writes data (host to controller)" },
  { long: "latency", short: "T", kind: "flag", help: "print the command's latency" },
];

/** nvme-cli's name of an opcode in passthru's messages (nvme_cmd_to_string, unknown ones "Vendor Specific"). */
function commandName(admin: boolean, opc: number): string {
  const name = opcodeName(admin, opc);
  return name === "Unknown" ? "Vendor Specific" : name;
}

/**
 * Whether Linux passes an I/O command with this NSID through (drivers/nvme/host/ioctl.c).
 * NVME_IOCTL_IO_CMD on a namespace device (nvmeXnY, ngXnY) runs nvme_user_cmd for that
 * namespace, and nvme_validate_passthru_nsid refuses any other NSID with EINVAL. On the
 * controller's character device nvme_dev_user_cmd refuses it with EINVAL when the controller
 * has more than one namespace, and otherwise validates the NSID against its only one. Admin
 * commands (NVME_IOCTL_ADMIN_CMD) are never checked.
 */
function ioctlTakesNsid(ctx: CommandContext, nsid: number): boolean {
  const nsids = ctx.dev.driver.nsids;
  const own = ctx.path.nsid ?? (nsids.length === 1 ? nsids[0] : undefined);
  return own !== undefined && nsid === own;
}

function passthru(admin: boolean): Command {
  const name = admin ? "admin-passthru" : "io-passthru";
  return {
    name, device: true, mutates: !admin,
    summary: `Send any ${admin ? "admin" : "I/O"} command (opcode, dwords, data buffer) and show the completion`,
    usage: "<device> --opcode=<opc> [--cdw10=<v> ...] [--data-len=<bytes> --read|--write] [OPTIONS]",
    options: OPTIONS,
    run(ctx, o) {
      if (!o.has("opcode")) throw new CliError(`${name}: give --opcode`);
      const opc = o.int("opcode", 0);
      // passthru() sends --namespace-id as given, 0 by default: it never asks the device.
      const nsid = o.int("namespace-id", 0);
      const q = newSqe(opc, nsid);
      q[0] |= o.int("flags", 0) << 8;
      for (const n of [2, 3, 10, 11, 12, 13, 14, 15]) q[n] = o.int(`cdw${n}`, 0) >>> 0;
      const len = o.int("data-len", 0);
      // Direction from --read/--write, else from the opcode's data transfer bits 1:0.
      const writes = o.flag("write") || (!o.flag("read") && (opc & 1) !== 0);
      const reads = o.flag("read") || (!o.flag("write") && (opc & 2) !== 0);
      let out: Uint8Array | undefined;
      if (len && writes) {
        out = new Uint8Array(len).fill(o.int("prefill", 0));
        const f = o.str("input-file");
        if (f) out.set(ctx.io.readFile(f).subarray(0, len));
      }
      if (o.flag("show-command") || o.flag("dry-run")) {
        const x = (v: number, w: number) => (v >>> 0).toString(16).padStart(w, "0");
        ctx.io.out([
          `opcode       : ${x(opc, 2)}`, `flags        : ${x(o.int("flags", 0), 2)}`, `rsvd1        : ${x(0, 4)}`,
          `nsid         : ${x(nsid, 8)}`, `cdw2         : ${x(q[2], 8)}`, `cdw3         : ${x(q[3], 8)}`,
          `data_len     : ${x(len, 8)}`, `metadata_len : ${x(o.int("metadata-len", 0), 8)}`,
          ...[10, 11, 12, 13, 14, 15].map((n) => `${`cdw${n}`.padEnd(13)}: ${x(q[n], 8)}`),
        ].join("\n"));
      }
      if (o.flag("dry-run")) return 0;
      const queue = admin ? ctx.dev.driver.admin : ctx.dev.driver.ioQueue(0);
      const t0 = ctx.dev.port.now();
      if (!admin && !ioctlTakesNsid(ctx, nsid)) {
        if (o.flag("latency")) ctx.io.out(`IO Command ${commandName(admin, opc)} latency: 0 us`);
        ctx.io.err("passthru: Invalid argument");
        return 1;
      }
      const r = ctx.dev.driver.exec(queue, q, { out, inLen: len && reads && !writes ? len : undefined, mdInLen: o.int("metadata-len", 0) || undefined });
      if (o.flag("latency")) ctx.io.out(`${admin ? "Admin" : "IO"} Command ${commandName(admin, opc)} latency: ${Math.round((ctx.dev.port.now() - t0) / 1000)} us`);
      const code = reportStatus(ctx, r.status);
      if (code !== 0) return code;
      if (admin && opc === O.ADMIN_SET_FEATURES) ctx.dev.recordFeature(q[10] & 0xff, q[11], nsid, out);
      ctx.io.err(`${admin ? "Admin" : "IO"} Command ${commandName(admin, opc)} is Success and result: 0x${r.dw0.toString(16).padStart(8, "0")}`);
      if (r.data) {
        const f = o.str("input-file");
        if (f && !writes) ctx.io.writeFile(f, r.data);
        else if (o.flag("raw-binary")) ctx.io.outBytes(r.data);
        else ctx.io.out(hexdump(r.data));
      }
      return 0;
    },
  };
}

export const adminPassthru = passthru(true);
export const ioPassthru = passthru(false);
