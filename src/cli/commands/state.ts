// nvmelab's own device commands: create a state file, import a raw image into a namespace,
// export one (a file QEMU's nvme-ns can open as a raw drive), and print a namespace's hash.

import { Command, CommandContext, CliError, namespaceOf } from "../context";
import { Options, OptSpec } from "../args";
import { readImage, writeImage, imageBytes } from "../../node/images";
import { hashMedia } from "../../controller/media";
import { formatBytes } from "../../util/units";

export const create: Command = {
  name: "create", device: true, deviceArg: false, mutates: true,
  summary: "Create a device in a state file (with --ns, --config and the controller options)",
  usage: "--state=<file> [--ns=<size>[,lba=512|4096][,ms=N][,ext][,mssrl=N][,mcl=N][,msrc=N]] ... [--config=<json>]",
  options: [],
  run(ctx) {
    if (!ctx.global.str("state") && !process.env.NVMELAB_STATE) throw new CliError("create: give --state=<file> (where the device is kept)");
    const c = ctx.dev.core.config;
    ctx.io.out(`created nvme0: ${c.model}, serial ${c.serial}, ${c.namespaces.length} namespace(s), ${c.maxIoQueuePairs} I/O queue pairs, MDTS ${c.mdts}`);
    for (const ns of c.namespaces) {
      const f = ns.formats[ns.formatIndex];
      ctx.io.out(`  nvme0n${ns.nsid}: ${ns.blocks} blocks of ${1 << f.lbads}${f.ms ? `+${f.ms}${ns.extended ? " (extended)" : ""}` : ""} bytes (${formatBytes(ns.blocks * (1 << f.lbads))}), MSSRL ${ns.mssrl}, MCL ${ns.mcl}, MSRC ${ns.msrc}`);
    }
    return 0;
  },
};

const IMAGE_NSID: OptSpec = { long: "namespace-id", short: "n", kind: "int", help: "namespace (default: the device's, else 1)", min: 1 };

/** The image file (second positional) and the namespace, checked to exist, of import/export-image. */
function imageTarget(ctx: CommandContext, o: Options, name: string): { file: string; nsid: number } {
  const file = o.positional[1];
  if (!file) throw new CliError(`${name}: give the image file after the device`);
  const nsid = namespaceOf(ctx, o, 1);
  ctx.dev.core.slotOf(nsid);
  return { file, nsid };
}

export const importImage: Command = {
  name: "import-image", device: true, mutates: true, positionals: 2,
  summary: "Load a raw image (e.g. a QEMU nvme-ns drive file) into a namespace",
  usage: "<device> <image-file> [--namespace-id=<nsid>]",
  options: [IMAGE_NSID],
  run(ctx, o) {
    const { file, nsid } = imageTarget(ctx, o, "import-image");
    readImage(ctx.dev.core, nsid, file);
    ctx.dev.driver.recover(); // the controller's view of the namespace (NUSE) changed underneath the host
    ctx.io.out(`imported ${file} into nvme0n${nsid} (${ctx.dev.core.nuse(nsid)} blocks in use)`);
    return 0;
  },
};

export const exportImage: Command = {
  name: "export-image", device: true, positionals: 2,
  summary: "Write a namespace as a raw image that QEMU's nvme-ns can open (-drive format=raw)",
  usage: "<device> <image-file> [--namespace-id=<nsid>]",
  options: [IMAGE_NSID],
  run(ctx, o) {
    const { file, nsid } = imageTarget(ctx, o, "export-image");
    writeImage(ctx.dev.core, nsid, file);
    ctx.io.out(`wrote nvme0n${nsid} to ${file} (${imageBytes(ctx.dev.core, nsid)} bytes, sparse)`);
    return 0;
  },
};

export const mediaHash: Command = {
  name: "media-hash", device: true,
  summary: "SHA-256 of a namespace's data (unwritten blocks as zeroes), as the QEMU oracle's media_hash",
  usage: "<device> [--namespace-id=<nsid>] [--start-block=<slba> --block-count=<n>]",
  options: [
    { long: "namespace-id", short: "n", kind: "int", help: "namespace", min: 1 },
    { long: "start-block", short: "s", kind: "int", help: "first block", max: Number.MAX_SAFE_INTEGER },
    { long: "block-count", short: "c", kind: "int", help: "number of blocks (1's based; default: to the end)", max: Number.MAX_SAFE_INTEGER },
  ],
  run(ctx, o) {
    const nsid = namespaceOf(ctx, o, 1);
    const slba = o.int("start-block", 0);
    const h = hashMedia(ctx.dev.core, nsid, ctx.platform.sha256(), slba, o.maybeInt("block-count"));
    ctx.io.out(`${h}  nvme0n${nsid}`);
    return 0;
  },
};
