// Device-mapper: bio-based stacking block devices (dm-N, major 253) and the targets modelled
// (linear, striped, crypt, delay). See core.ts.

export { DM_MAJOR, DmDevice, TARGET_TYPES, WHAT_IF_COPY_TOKEN, createDm, dmByName, dmDevices, lookupDevice, parseDmTable } from "./core";
export type { DmOptions, DmTargetSpec } from "./core";
export type { DmHost, DmIo, DmTarget, MapResult, SectorMap, TargetCtx } from "./target";
export { LinearTarget } from "./linear";
export { StripedTarget } from "./striped";
export { CryptTarget, cryptSector } from "./crypt";
export { DelayTarget } from "./delay";
