// Make sure what the commands need is installed: node_modules matching package-lock.json
// (npm ci), and, for browser tests, Debian's Chromium (apt-get, when running as root).
import { existsSync, readFileSync, statSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..");

export function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: "inherit", cwd: root, ...opts });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

/** npm ci when node_modules is missing or older than package-lock.json. */
export function ensureNodeModules() {
  const marker = join(root, "node_modules", ".package-lock.json");
  const lock = join(root, "package-lock.json");
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return;
  console.error("installing dependencies (npm ci)");
  if (run("npm", ["ci", "--no-audit", "--no-fund"]) !== 0) throw new Error("npm ci failed");
}

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Debian's chromium for Playwright; installs it with apt-get when missing and we are root. */
export function ensureChromium() {
  if (existsSync(CHROMIUM)) return true;
  const root = typeof process.getuid === "function" && process.getuid() === 0;
  if (!root) {
    console.error(`Chromium is missing at ${CHROMIUM}. Install Debian's package as root:\n  apt-get install -y chromium\nor set CHROMIUM_PATH to a Chromium binary. (Do not use "npx playwright install".)`);
    return false;
  }
  console.error("installing Debian's chromium (apt-get)");
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  if (run("apt-get", ["update", "-qq"], { env }) !== 0) return false;
  if (run("apt-get", ["install", "-y", "-qq", "--no-install-recommends", "chromium", "fonts-dejavu-core"], { env }) !== 0) return false;
  return existsSync(CHROMIUM);
}

export function readJson(p) {
  return JSON.parse(readFileSync(p, "utf8"));
}
