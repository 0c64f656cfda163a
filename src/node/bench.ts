// The Node side of the benchmark: worker threads for the controller and the ping-pong echo.
import { Worker } from "node:worker_threads";
import { cpus } from "node:os";
import { BenchEnv, SpawnDual, DualThread, EchoArea } from "../bench/bench";
import * as L from "../../assembly/layout";
import { loadCoreModule } from "./wasm";
import { spawnNodeController } from "./thread";
import { wallClockNs } from "../controller/core";

/** The benchmark's second thread: runs the controller loop or echoes ping-pong rounds. */
export const spawnNodeDual: SpawnDual = async (module, memory, word, go, spin) => {
  const code = `const { workerData: d } = require("node:worker_threads");
const inst = new WebAssembly.Instance(d.module, { env: { memory: d.memory, now_ns: () => performance.now() * 1e6, abort() { throw new Error("abort"); } } });
inst.exports.ctrl_attach();
const g = new Int32Array(d.memory.buffer, d.go, 9); // 0 request, 1 done, 2 mode, 3 rounds, 4-7 echo area, SQ, CQ, depth, 8 echo flags
let seen = 0;
for (;;) {
  Atomics.wait(g, 0, seen);
  seen = Atomics.load(g, 0);
  const mode = Atomics.load(g, 2);
  if (mode === 1) while (inst.exports.ctrl_thread_run(d.spin) !== 0) {}
  else if (mode === 2) inst.exports.bench_echo(d.word, Atomics.load(g, 3), 2000000000);
  else if (mode === 3) inst.exports.bench_nvme_echo(g[4], g[5], g[6], g[7], Atomics.load(g, 3), 2000000000, g[8]);
  else break;
  Atomics.store(g, 1, seen);
  Atomics.notify(g, 1);
}`;
  const w = new Worker(code, { eval: true, workerData: { module, memory, word, go, spin } });
  const g = new Int32Array(memory.buffer, go, 9);
  const ctl = new Int32Array(memory.buffer, L.CONTROL_BASE, 64);
  let request = 0;
  const start = (mode: number, rounds = 0) => {
    request++;
    Atomics.store(g, 2, mode);
    Atomics.store(g, 3, rounds);
    Atomics.store(g, 0, request);
    Atomics.notify(g, 0);
    return request;
  };
  const finished = async (n: number) => {
    while (Atomics.load(g, 1) !== n) await new Promise((r) => setTimeout(r, 0));
  };
  let running = 0;
  const dual: DualThread = {
    async controller() {
      Atomics.store(ctl, L.CTL_STOP / 4, 0);
      Atomics.store(ctl, L.CTL_THREAD_STATE / 4, L.THREAD_NONE);
      running = start(1);
      while (Atomics.load(ctl, L.CTL_THREAD_STATE / 4) !== L.THREAD_RUNNING) await new Promise((r) => setTimeout(r, 0));
    },
    async pause() {
      Atomics.store(ctl, L.CTL_STOP / 4, 1);
      // wake a parked controller: it sleeps on the next mailbox entry's sequence word
      const mb = new Int32Array(memory.buffer, L.MAILBOX_BASE, 2048);
      const next = Atomics.load(mb, L.MBOX_CONSUMER / 4);
      Atomics.notify(mb, (L.MBOX_ENTRIES_OFFSET + (next & (L.MBOX_ENTRIES - 1)) * L.MBOX_ENTRY_SIZE + L.MBOX_E_SEQ) / 4);
      await finished(running);
    },
    echo(rounds: number) {
      return finished(start(2, rounds));
    },
    nvmeEcho(area: EchoArea, rounds: number, flags: number) {
      g[4] = area.mbox; g[5] = area.sq; g[6] = area.cq; g[7] = area.depth; g[8] = flags;
      return finished(start(3, rounds));
    },
    async close() {
      if (Atomics.load(ctl, L.CTL_THREAD_STATE / 4) === L.THREAD_RUNNING) await dual.pause();
      start(0);
      await w.terminate();
    },
  };
  return dual;
};

export async function nodeBenchEnv(log: (l: string) => void): Promise<BenchEnv> {
  const cpu = cpus();
  return {
    module: await loadCoreModule(false),
    spawn: spawnNodeController,
    spawnDual: spawnNodeDual,
    now: wallClockNs,
    log,
    machine: `Node ${process.version}, ${cpu.length} x ${cpu[0]?.model ?? "cpu"}`,
  };
}
