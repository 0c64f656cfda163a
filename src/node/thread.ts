// Node's controller thread: a worker_threads Worker running CONTROLLER_THREAD_SOURCE on the
// shared memory (the Module and Memory pass to the worker without copying).

import { Worker } from "node:worker_threads";
import { CONTROLLER_THREAD_SOURCE, SpawnController, ThreadHandle } from "../controller/port";

export const spawnNodeController: SpawnController = async (module, memory, spin): Promise<ThreadHandle> => {
  const code = `${CONTROLLER_THREAD_SOURCE}
const { workerData, parentPort } = require("node:worker_threads");
nvmelabControllerThread(workerData.module, workerData.memory, workerData.spin, () => parentPort.postMessage("exited"));`;
  const worker = new Worker(code, { eval: true, workerData: { module, memory, spin } });
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
