// What a CLI command runs against: output streams, file access, the device (controller,
// port and driver), and the features set through it (kept by a state file). Kept free of
// Node APIs so the playground's console can run the same commands.

import { ControllerCore } from "../controller/core";
import { ControllerPort } from "../controller/port";
import { NvmeDriver } from "../driver/nvme";
import { Options, OptSpec } from "./args";
import { SpawnController } from "../controller/port";
import { Hasher } from "../util/sha256";

export interface Io {
  out(text: string): void;
  outBytes(bytes: Uint8Array): void;
  err(text: string): void;
  readFile(path: string): Uint8Array;
  writeFile(path: string, bytes: Uint8Array): void;
  /** Bytes piped to the command (write without --data), or null when stdin is a terminal. */
  readStdin(): Uint8Array | null;
}

export interface Device {
  core: ControllerCore;
  port: ControllerPort;
  driver: NvmeDriver;
  /** Remember a successful Set Features so the next session restores it. */
  recordFeature(fid: number, cdw11: number, nsid: number, data?: Uint8Array): void;
}

/** A device node: /dev/nvme0 (the controller), /dev/nvme0nN or /dev/ng0nN (namespace N). */
export interface DevicePath {
  text: string;
  nsid?: number;
}

/** What differs between Node and the browser: loading the wasm, hashing, threads. */
export interface Platform {
  loadModule(debug?: boolean): Promise<WebAssembly.Module>;
  sha256(): Hasher;
  spawn?: SpawnController;
  /** Environment variables (fio job files' ${VAR}); none in the browser. */
  env?: Record<string, string>;
}

export interface CommandContext {
  io: Io;
  dev: Device;
  path: DevicePath;
  global: Options;
  platform: Platform;
}

export interface Command {
  name: string;
  summary: string;
  usage: string;
  options: OptSpec[];
  /** False for commands that do not open the emulated device (help, replay, bench). */
  device: boolean;
  /** False for device commands that take no device argument (list, create); default true. */
  deviceArg?: boolean;
  /** True when the command may change media (the session saves the state after it). */
  mutates?: boolean;
  /** Positional arguments the command takes, the device included (default 1). */
  positionals?: number;
  run(ctx: CommandContext, o: Options): number | Promise<number>;
}

export class CliError extends Error {}

/** The device node a command names; a command without a device argument (list) gets the controller. */
export function parseDevicePath(text: string | undefined, cmd: string): DevicePath {
  if (text === undefined) return { text: "/dev/nvme0" };
  const m = /^(?:\/dev\/)?(?:nvme(\d+)(?:n(\d+))?|ng(\d+)n(\d+))$/.exec(text);
  if (!m) throw new CliError(`${cmd}: "${text}" is not an NVMe device (use /dev/nvme0, /dev/nvme0n1 or /dev/ng0n1)`);
  const ctrl = Number(m[1] ?? m[3]);
  if (ctrl !== 0) throw new CliError(`${cmd}: ${text}: no such device (the emulator has one controller, nvme0)`);
  const ns = m[2] ?? m[4];
  return { text: text.startsWith("/dev/") ? text : `/dev/${text}`, nsid: ns === undefined ? undefined : Number(ns) };
}

/**
 * The namespace a command addresses: --namespace-id unless 0, else the device's, as nvme-cli's
 * commands do with `if (!cfg.namespace_id) nvme_get_nsid(...)`. On the controller's character
 * device that ioctl (NVME_IOCTL_ID) fails with ENOTTY, and nvme-cli stops with
 * "get-namespace-id: Inappropriate ioctl for device"; nvmelab's own commands pass a fallback.
 */
export function namespaceOf(ctx: CommandContext, o: Options, fallback?: number): number {
  const n = o.maybeInt("namespace-id") || ctx.path.nsid || fallback;
  if (n === undefined) throw new CliError("get-namespace-id: Inappropriate ioctl for device");
  return n;
}
