// The CLI's state file: a small JSON (configuration, SMART counters, the features the host
// set) beside one raw image per namespace, so the emulated device lives on between CLI
// calls. Saving writes every file to a temporary name and renames it into place, images
// first, so a failed save leaves the previous state whole.

import { readFileSync, writeFileSync, renameSync, existsSync, rmSync } from "node:fs";
import { dirname, basename, join, resolve } from "node:path";
import { ControllerConfig, configFromJson } from "../controller/config";
import { ControllerCore } from "../controller/core";
import { StoredRun } from "../controller/media";
import { writeImage, readImage } from "./images";
import { PERSIST_SIZE, PERSIST_COUNTERS_SIZE } from "../../assembly/layout";

/**
 * The format this nvmelab writes, and the size of the persistent block each format it reads
 * holds: /1 kept the SMART counters only, /2 adds the Error Information log after them.
 */
export const STATE_FORMAT = "nvmelab-state/2";
const PERSISTENT_BYTES: Record<string, number> = { "nvmelab-state/1": PERSIST_COUNTERS_SIZE, [STATE_FORMAT]: PERSIST_SIZE };

export interface SavedFeature {
  fid: number;
  cdw11: number;
  nsid?: number;
  data?: string; // hex
}

export interface StateNamespace {
  nsid: number;
  image: string; // relative to the state file
  runs: Array<[number, number]>;
}

export interface StateFile {
  format: string;
  config: ControllerConfig;
  persistent: string; // base64 of the controller's persistent block (counters, error log)
  features: SavedFeature[];
  namespaces: StateNamespace[];
}

export function imagePathFor(statePath: string, nsid: number): string {
  const base = basename(statePath).replace(/\.json$/i, "");
  return `${base}.ns${nsid}.img`;
}

/** Read and check a state file; every problem names the file and the field. */
export function readState(path: string): StateFile {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new Error(`${path}: not a readable state file: ${(e as Error).message}`);
  }
  const o = raw as Partial<StateFile>;
  const formats = Object.keys(PERSISTENT_BYTES);
  if (typeof o !== "object" || o === null || typeof o.format !== "string" || !o.format.startsWith("nvmelab-state/")) {
    throw new Error(`${path}: not an nvmelab state file (format must be one of ${formats.map((f) => `"${f}"`).join(", ")})`);
  }
  const persistentBytes = PERSISTENT_BYTES[o.format];
  if (persistentBytes === undefined) throw new Error(`${path}: state format "${o.format}" is not one this nvmelab reads (${formats.join(", ")}); it was written by another version`);
  const config = configFromJson(o.config, `${path}: config`);
  if (typeof o.persistent !== "string") throw new Error(`${path}: persistent: expected base64 text`);
  const blockBytes = Buffer.from(o.persistent, "base64").length;
  if (blockBytes !== persistentBytes) throw new Error(`${path}: persistent: ${blockBytes} bytes, but a ${o.format} file holds ${persistentBytes}`);
  if (!Array.isArray(o.features)) throw new Error(`${path}: features: expected a list`);
  o.features.forEach((f, i) => {
    if (!Number.isInteger(f.fid) || !Number.isInteger(f.cdw11) || (f.nsid !== undefined && !Number.isInteger(f.nsid)) || (f.data !== undefined && !/^([0-9a-f]{2})*$/i.test(f.data))) {
      throw new Error(`${path}: features[${i}]: expected {fid, cdw11, nsid?, data?: hex}`);
    }
  });
  if (!Array.isArray(o.namespaces)) throw new Error(`${path}: namespaces: expected a list`);
  for (const [i, ns] of o.namespaces.entries()) {
    if (!config.namespaces.some((c) => c.nsid === ns.nsid)) throw new Error(`${path}: namespaces[${i}]: NSID ${ns.nsid} is not in the configuration`);
    if (typeof ns.image !== "string" || !Array.isArray(ns.runs)) throw new Error(`${path}: namespaces[${i}]: expected {nsid, image, runs}`);
    if (!existsSync(join(dirname(path), ns.image))) throw new Error(`${path}: namespaces[${i}]: image ${ns.image} is missing`);
  }
  return { format: o.format, config, persistent: o.persistent, features: o.features, namespaces: o.namespaces };
}

/** Load the namespace images and counters of a state into a freshly created controller. */
export function restoreState(path: string, s: StateFile, core: ControllerCore): void {
  core.restorePersistentBlock(Uint8Array.from(Buffer.from(s.persistent, "base64")));
  for (const ns of s.namespaces) {
    const runs: StoredRun[] = ns.runs.map(([lba, count]) => ({ lba, count }));
    readImage(core, ns.nsid, join(dirname(path), ns.image), runs);
  }
}

export function saveState(path: string, core: ControllerCore, features: SavedFeature[]): void {
  const dir = dirname(resolve(path));
  const suffix = `.tmp-${process.pid}`;
  const written: string[] = [];
  try {
    core.syncFormats(); // a Format NVM may have changed a namespace's format and PI
    const namespaces: StateNamespace[] = [];
    for (const ns of core.config.namespaces) {
      const image = imagePathFor(path, ns.nsid);
      const tmp = join(dir, image) + suffix;
      written.push(tmp);
      const runs = writeImage(core, ns.nsid, tmp);
      namespaces.push({ nsid: ns.nsid, image, runs: runs.map((r) => [r.lba, r.count]) });
    }
    const state: StateFile = {
      format: STATE_FORMAT,
      config: core.config,
      persistent: Buffer.from(core.persistentBlock()).toString("base64"),
      features,
      namespaces,
    };
    const json = path + suffix;
    written.push(json);
    writeFileSync(json, JSON.stringify(state, null, 2) + "\n");
    // Everything is written: move it into place, the JSON last.
    for (const ns of namespaces) renameSync(join(dir, ns.image) + suffix, join(dir, ns.image));
    renameSync(json, path);
  } catch (e) {
    for (const f of written) rmSync(f, { force: true });
    throw e;
  }
}
