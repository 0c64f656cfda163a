// SpawnController for browsers: starts the controller thread as a module Web Worker
// (web/controller.worker.ts), hands it the compiled module and the shared memory, and
// resolves once the controller loop is running, without blocking the caller's thread.

import * as L from "../assembly/layout";
import type { SpawnController, ThreadHandle } from "../src/controller/port";
import type { ControllerStart, ControllerThreadMessage } from "./controller.worker";

/** How long a new worker may take to load and reach the controller loop. */
const START_TIMEOUT_MS = 10_000;

export interface BrowserThreadHandle extends ThreadHandle {
  /** Why the controller thread died, if it did (a trap, a failed instantiate). */
  failure(): string | undefined;
}

export const spawnBrowserController: SpawnController = (module, memory, spin) =>
  new Promise<BrowserThreadHandle>((resolve, reject) => {
    const worker = new Worker(new URL("./controller.worker.ts", import.meta.url), { type: "module", name: "nvmelab controller" });
    const threadState = new Int32Array(memory.buffer, L.CONTROL_BASE + L.CTL_THREAD_STATE, 1);
    const started = performance.now();
    let failure: string | undefined;
    let settled = false;

    const handle: BrowserThreadHandle = {
      failure: () => failure,
      async terminate() {
        worker.terminate();
        if (failure) throw new Error(`controller thread failed: ${failure}`);
      },
    };
    const fail = (why: string) => {
      failure ??= why;
      if (!settled) {
        settled = true;
        worker.terminate();
        reject(new Error(`controller thread did not start: ${why}`));
      }
    };
    worker.onmessage = (e: MessageEvent<ControllerThreadMessage>) => {
      if (e.data.type === "crashed") fail(e.data.message);
    };
    worker.onerror = (e) => {
      e.preventDefault();
      fail(e.message || "the controller worker script failed to load");
    };
    worker.onmessageerror = () => fail("the controller worker could not receive the module or memory");

    // Poll the thread-state word without blocking: Chromium starts a nested worker only
    // while its parent runs its event loop, and ThreadPort.start blocks right after this
    // promise resolves (resolving early deadlocks the host worker until the start timeout).
    const poll = () => {
      if (settled) return;
      if (Atomics.load(threadState, 0) === L.THREAD_RUNNING) {
        settled = true;
        resolve(handle);
      } else if (performance.now() - started > START_TIMEOUT_MS) {
        fail(`no THREAD_RUNNING after ${START_TIMEOUT_MS} ms`);
      } else {
        setTimeout(poll, 1);
      }
    };
    const start: ControllerStart = { module, memory, spin };
    worker.postMessage(start);
    poll();
  });
