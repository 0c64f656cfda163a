// The controller thread in a browser: a module Web Worker that receives {module, memory, spin}
// once by postMessage and runs the controller loop (runControllerThread) on that shared memory
// until the host sets CTL_STOP. Started by web/controller-thread.ts.

import { runControllerThread, THREAD_WORDS } from "../src/controller/port";

export interface ControllerStart {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  spin: number;
}

/** Messages this worker posts back to its spawner. */
export type ControllerThreadMessage = { type: "exited" } | { type: "crashed"; message: string };

const post = (m: ControllerThreadMessage) => self.postMessage(m);

self.onmessage = (e: MessageEvent<ControllerStart>) => {
  self.onmessage = null; // one controller per thread
  const { module, memory, spin } = e.data;
  try {
    runControllerThread(module, memory, spin, THREAD_WORDS);
    post({ type: "exited" });
  } catch (err) {
    post({ type: "crashed", message: err instanceof Error ? err.message : String(err) });
  }
};
