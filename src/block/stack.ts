// Device-mapper stacks from a scenario: each entry names a dm device and its table in
// dmsetup's syntax ("<start> <length> <target> <args>", sectors), created in order so later
// devices can stack on earlier ones.

import type { BlockLayer } from "./blk";

export interface StackSpec {
  name: string;
  table: string[];
}

export function createStack(blk: BlockLayer, specs: StackSpec[], where: string): void {
  if (specs.length > 0) throw new Error(`${where}: device-mapper is not wired in yet`);
  void blk;
}
