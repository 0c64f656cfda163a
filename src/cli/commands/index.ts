// The command table: nvme-cli's commands first, then nvmelab's own.
import { Command } from "../context";
import * as io from "./io";
import { replay } from "./replay";
import { bench } from "./bench";

export const COMMANDS: Command[] = [
  io.read, io.write, io.compare, io.copy, io.dsm, io.writeZeroes, io.flush, io.verify,
  replay, bench,
];
