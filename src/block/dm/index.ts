// Device-mapper: bio-based stacking block devices (dm-N, major 253) and the targets modelled
// (linear, striped, crypt, delay, snapshot-origin, snapshot, clone) and dm-kcopyd. See core.ts.

export { DM_MAJOR, DmDevice, TARGET_TYPES, WHAT_IF_COPY_TOKEN, createDm, dmByName, dmDevices, lookupDevice, parseDmTable } from "./core";
export type { DmOptions, DmTargetSpec } from "./core";
export type { DmHost, DmIo, DmTarget, MapResult, SectorMap, TargetCtx } from "./target";
export { LinearTarget } from "./linear";
export { StripedTarget } from "./striped";
export { CryptTarget, cryptSector } from "./crypt";
export { DelayTarget } from "./delay";
export { SnapshotOriginTarget, SnapshotTarget } from "./snapshot";
export { CloneTarget } from "./clone";
export { KcopydClient, kcopydClientCreate, kcopydClients, kcopydConfig, setKcopydConfig } from "./kcopyd";
export type { DmIoRegion, KcopydConfig, KcopydStats, KcopydVariant } from "./kcopyd";
