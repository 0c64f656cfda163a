// Device-mapper stacks from a scenario: each entry names a dm device and its table in
// dmsetup's syntax ("<start> <length> <target> <args>", sectors), created in order so later
// devices can stack on earlier ones (docs/BLOCK.md).

import type { BlockLayer } from "./blk";
import { createDm } from "./dm";

export interface StackSpec {
  name: string;
  table: string[];
}

export function createStack(blk: BlockLayer, specs: StackSpec[], where: string): void {
  specs.forEach((s, i) => {
    const at = `${where}[${i}]`;
    if (typeof s !== "object" || s === null || typeof s.name !== "string" || !Array.isArray(s.table)) {
      throw new Error(`${at}: expected {"name": "<mapper name>", "table": ["<start> <length> <target> <args>", ...]}`);
    }
    try {
      createDm(blk, s.name, s.table);
    } catch (e) {
      throw new Error(`${at}: ${(e as Error).message}`);
    }
  });
}
