// A namespace as the playground needs it for hexdumps and raw images, and the one rule for an
// image's size. No dependencies: the page's main thread checks a file with it before reading
// it, and the host worker's LabSession checks again before it changes anything.

/** A namespace as the page needs it for hexdumps and images. */
export interface LabNamespace {
  nsid: number;
  lbaBytes: number;
  metadataBytes: number;
  blocks: number;
  /** Size of its raw image: blocks * (lbaBytes + metadataBytes), data first (hw/nvme/ns.c). */
  imageBytes: number;
}

/** Why an image of size bytes cannot be loaded into ns (undefined: it can): the data area, or data plus metadata. */
export function imageSizeProblem(ns: LabNamespace, size: number, name: string): string | undefined {
  const dataBytes = ns.blocks * ns.lbaBytes;
  if (size === dataBytes || (ns.metadataBytes > 0 && size === ns.imageBytes)) return undefined;
  const want = ns.metadataBytes ? `${dataBytes} (data) or ${ns.imageBytes} (data + metadata)` : `${dataBytes}`;
  return `${name}: it is ${size} bytes; namespace ${ns.nsid} needs ${want} bytes (${ns.blocks} blocks of ${ns.lbaBytes}${ns.metadataBytes ? `+${ns.metadataBytes}` : ""})`;
}
