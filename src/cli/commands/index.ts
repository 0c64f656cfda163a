// The command table: nvme-cli's commands first, then nvmelab's own.
import { Command } from "../context";
import * as io from "./io";
import * as admin from "./admin";
import { adminPassthru, ioPassthru } from "./passthru";
import { create, importImage, exportImage, mediaHash } from "./state";
import { replay } from "./replay";
import { bench } from "./bench";
import { blk } from "./blk";
import { fio } from "./fio";
import { reproduce } from "./reproduce";

export const COMMANDS: Command[] = [
  admin.list, admin.idCtrl, admin.idNs, admin.nvmIdCtrl, admin.nvmIdNs, admin.showRegs,
  admin.getLog, admin.smartLog, admin.errorLog, admin.effectsLog, admin.getFeature, admin.setFeature,
  io.read, io.write, io.compare, io.copy, io.dsm, io.writeZeroes, io.flush, io.verify,
  adminPassthru, ioPassthru, admin.format, admin.reset, admin.subsystemReset,
  create, importImage, exportImage, mediaHash, replay, bench, blk, fio, reproduce,
];
