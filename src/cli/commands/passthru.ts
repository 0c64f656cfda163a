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
  { long: "flags", short: "f", kind: "byte", help: "CDW0 bits 15:8 (FUSE, PSDT); Linux refuses any but 0 (EINVAL), and so does this" },
  { long: "prefill", short: "p", kind: "byte", help: "byte to fill the data buffer with" },
  { long: "rsvd", short: "R", kind: "short", help: "CDW0 bits 31:16 are the CID; this is ignored" },
  { long: "namespace-id", short: "n", kind: "word", help: "NSID" },
  { long: "data-len", short: "l", kind: "word", help: "data buffer length in bytes" },
  { long: "metadata-len", short: "m", kind: "word", help: "metadata buffer length in bytes" },
  { long: "timeout", short: "t", kind: "word", help: "timeout in ms (shown by --show-command; the emulated controller answers first)" },
  // nvme-cli's short options for the command dwords: -2, -3, and -4 .. -9 for CDW10-15.
  ...[2, 3, 10, 11, 12, 13, 14, 15].map((n): OptSpec => ({ long: `cdw${n}`, short: String(n < 10 ? n : n - 6), kind: "word", help: `command dword ${n}` })),
  { long: "input-file", short: "i", kind: "string", help: "data to write (default stdin), or where to save the data read" },
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
      // nvme-cli 2.x's passthru() sent opcode 0 (an admin Delete I/O SQ, an I/O Flush) when
      // none was given; its successor refuses, and so does this, with the successor's words.
      if (!o.has("opcode")) throw new CliError(`${name}: opcode parameter required`);
      const opc = o.int("opcode", 0);
      // passthru() sends --namespace-id as given, 0 by default: it never asks the device.
      const nsid = o.int("namespace-id", 0);
      const q = newSqe(opc, nsid);
      q[0] |= o.int("flags", 0) << 8;
      for (const n of [2, 3, 10, 11, 12, 13, 14, 15]) q[n] = o.int(`cdw${n}`, 0) >>> 0;
      const len = o.int("data-len", 0);
      const mdLen = o.int("metadata-len", 0);
      const prefill = o.int("prefill", 0);
      // passthru(): the opcode's data transfer bits 1:0 set the direction (bit 0 host to
      // controller, bit 1 controller to host), and --write/--read add to them.
      const writes = o.flag("write") || (opc & 1) !== 0;
      const reads = o.flag("read") || (opc & 2) !== 0;
      const hostRam = ctx.dev.core.hostRam.length;
      if (len + mdLen > hostRam) throw new CliError(`${name}: cannot allocate ${len + mdLen} bytes of buffers (--data-len, --metadata-len): host memory is ${hostRam} bytes`);
      // What is written comes from --input-file (--metadata), else from stdin, read over the
      // prefilled buffer as passthru()'s read(2) does; a terminal gives nothing.
      const input = (file: string | undefined, n: number): Uint8Array => {
        const b = new Uint8Array(n).fill(prefill);
        const src = file ? ctx.io.readFile(file) : ctx.io.readStdin();
        if (src) b.set(src.subarray(0, n));
        return b;
      };
      let out: Uint8Array | undefined;
      let mdOut: Uint8Array | undefined;
      if (mdLen && writes) mdOut = input(o.str("metadata"), mdLen);
      else if (mdLen) mdOut = new Uint8Array(mdLen).fill(prefill);
      if (len) {
        if (!reads && !writes) throw new CliError("data direction not given");
        if (writes) out = input(o.str("input-file"), len);
      }
      if (o.flag("show-command") || o.flag("dry-run")) {
        // passthru()'s lines; addr and metadata are the buffers' host-RAM bus addresses
        // (0: no buffer) where nvme-cli prints its user pointers.
        const x = (v: number, w: number) => (v >>> 0).toString(16).padStart(w, "0");
        const at = ctx.dev.driver.plannedBuffers(len, mdLen);
        ctx.io.out([
          `opcode       : ${x(opc, 2)}`, `flags        : ${x(o.int("flags", 0), 2)}`, `rsvd1        : ${x(o.int("rsvd", 0), 4)}`,
          `nsid         : ${x(nsid, 8)}`, `cdw2         : ${x(q[2], 8)}`, `cdw3         : ${x(q[3], 8)}`,
          `data_len     : ${x(len, 8)}`, `metadata_len : ${x(mdLen, 8)}`,
          `addr         : ${at.data.toString(16)}`, `metadata     : ${at.md.toString(16)}`,
          ...[10, 11, 12, 13, 14, 15].map((n) => `${`cdw${n}`.padEnd(13)}: ${x(q[n], 8)}`),
          `timeout_ms   : ${x(o.int("timeout", 0), 8)}`,
        ].join("\n"));
      }
      if (o.flag("dry-run")) return 0;
      const queue = admin ? ctx.dev.driver.admin : ctx.dev.driver.ioQueue(0);
      const t0 = ctx.dev.port.now();
      // nvme_user_cmd refuses any flags (FUSE, PSDT are the driver's) before the NSID check:
      // -EINVAL for either ioctl, admin or I/O
      if (o.int("flags", 0) !== 0 || (!admin && !ioctlTakesNsid(ctx, nsid))) {
        if (o.flag("latency")) ctx.io.out(`${admin ? "Admin" : "IO"} Command ${commandName(admin, opc)} latency: 0 us`);
        ctx.io.err("passthru: Invalid argument");
        return 1;
      }
      const r = ctx.dev.driver.exec(queue, q, {
        out, inLen: len && reads ? len : undefined, mdOut: writes ? mdOut : undefined, mdInLen: mdLen && !writes ? mdLen : undefined,
      });
      if (o.flag("latency")) ctx.io.out(`${admin ? "Admin" : "IO"} Command ${commandName(admin, opc)} latency: ${Math.round((ctx.dev.port.now() - t0) / 1000)} us`);
      const code = reportStatus(ctx, r.status);
      if (code !== 0) return code;
      if (admin && opc === O.ADMIN_SET_FEATURES) ctx.dev.recordFeature(q[10] & 0xff, q[11], nsid, out);
      ctx.io.err(`${admin ? "Admin" : "IO"} Command ${commandName(admin, opc)} is Success and result: 0x${r.dw0.toString(16).padStart(8, "0")}`);
      // passthru_print_read_output: only for a command that reads; data to --input-file or
      // stdout, metadata to --metadata or stdout after it.
      if (reads) {
        const show = (b: Uint8Array, file: string | undefined) => {
          if (file) ctx.io.writeFile(file, b);
          else if (o.flag("raw-binary")) ctx.io.outBytes(b);
          else ctx.io.out(hexdump(b));
        };
        if (r.data) show(r.data, o.str("input-file"));
        if (r.md) show(r.md, o.str("metadata"));
      }
      return 0;
    },
  };
}

export const adminPassthru = passthru(true);
export const ioPassthru = passthru(false);
