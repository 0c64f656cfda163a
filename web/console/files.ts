// The files every console starts with: the repository's examples/blk and examples/fio,
// bundled by vite as text (import.meta.glob with ?raw), under the same paths as in a
// checkout, and the built-in data files.

import { dataFiles } from "./shell";

const examples = import.meta.glob(["../../examples/blk/*", "../../examples/fio/*"], {
  query: "?raw", import: "default", eager: true,
}) as Record<string, string>;

export function initialFiles(): Record<string, Uint8Array | string> {
  const files: Record<string, Uint8Array | string> = {};
  for (const [path, text] of Object.entries(examples)) files[path.replace(/^(\.\.\/)+/, "")] = text;
  return { ...files, ...dataFiles() };
}
