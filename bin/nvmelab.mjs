#!/usr/bin/env node
// nvmelab's CLI entry: rebuild the controller's wasm if assembly/ changed, load the
// TypeScript sources through tsx (no separate build step), run the command.
import { register } from "tsx/esm/api";
import { buildWasm } from "../scripts/asbuild.mjs";

// A reader that stops early (| head) closes the pipe: end quietly, as a C tool killed by
// SIGPIPE does, instead of an unhandled EPIPE error.
process.stdout.on("error", (e) => {
  if (e.code === "EPIPE") process.exit(0);
  throw e;
});
await buildWasm({ quiet: true });
register();
const { main } = await import("../src/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
