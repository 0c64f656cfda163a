// Node's controller thread: a worker_threads Worker evaluating runControllerThread's source
// on the shared memory (the Module and Memory pass to the worker without copying).

import { Worker } from "node:worker_threads";
import { runControllerThread, THREAD_WORDS, SpawnController, ThreadHandle } from "../controller/port";

export const spawnNodeController: SpawnController = async (module, memory, spin): Promise<ThreadHandle> => {
  // __name: the helper esbuild (tsx) inserts to keep function names; the source needs it.
  const code = `const { workerData } = require("node:worker_threads");
const __name = (f) => f;
(${runControllerThread.toString()})(workerData.module, workerData.memory, workerData.spin, workerData.words);`;
  const worker = new Worker(code, { eval: true, workerData: { module, memory, spin, words: THREAD_WORDS } });
  worker.unref();
  let failure: Error | undefined;
  worker.on("error", (e) => { failure = e; });
  return {
    async terminate() {
      await worker.terminate();
      if (failure) throw failure;
    },
  };
};
