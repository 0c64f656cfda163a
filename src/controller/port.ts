// How the host reaches the controller: MMIO writes posted through the mailbox, register
// reads from the BAR0 mirror, and a way to let the controller run. Two implementations with
// one interface: StepPort runs the controller in the caller's thread after each kick
// (deterministic); ThreadPort talks to a controller running in its own thread.

import * as L from "../../assembly/layout";
import { ControllerCore, wallClockNs } from "./core";

export interface ControllerPort {
  readonly core: ControllerCore;
  readonly threaded: boolean;
  /** Post an MMIO write (a register or a doorbell). */
  write32(offset: number, value: number): void;
  write64(offset: number, value: bigint): void;
  /** Read a register; earlier posted writes take effect first (a PCIe read flushes posted writes). */
  read32(offset: number): number;
  read64(offset: number): bigint;
  /** Let the controller act on what was posted (stepped: run it now). */
  kick(): void;
  /**
   * Wait for interrupt vector iv to move past seen, at most timeoutNs; returns its value.
   * Stepped: runs the controller once and returns whatever the count is then.
   */
  waitVector(iv: number, seen: number, timeoutNs: number): number;
  /** Give the controller a chance to progress while the host polls (stepped: one step). */
  poll(): void;
  now(): number;
}

/**
 * The host's end of the MMIO mailbox: entries written in order, each made valid by its
 * sequence word (stored last, with Atomics when the controller runs in another thread). The
 * consumer count is read only when the ring looks full, so posting does not pull the
 * controller's cache line in the common case.
 */
export class Mailbox {
  private produced = 0;
  private consumedSeen = 0;
  private readonly mb: Int32Array;
  // The layout's mailbox geometry in i32 words, as fields: on the per-post path a field of this
  // object is one load, a module constant a load and a tag check each.
  private readonly entries = L.MBOX_ENTRIES;
  private readonly entriesWord = L.MBOX_ENTRIES_OFFSET / 4;
  private readonly entryMask = L.MBOX_ENTRIES - 1;
  private readonly entryWords = L.MBOX_ENTRY_SIZE / 4;
  private readonly seqWord = L.MBOX_E_SEQ / 4;
  private readonly targetWord = L.MBOX_E_TARGET / 4;
  private readonly loWord = L.MBOX_E_VALUE_LO / 4;
  private readonly hiWord = L.MBOX_E_VALUE_HI / 4;
  private readonly offsetMask = L.MBOX_TARGET_OFFSET_MASK;
  private readonly sizeShift = L.MBOX_TARGET_SIZE_SHIFT;

  /**
   * sameThread: the controller runs only inside this thread's calls (StepPort), so plain stores
   * are seen in program order and the sequence word needs no atomic store (a call out of
   * the engine's code that costs more than the rest of the post).
   */
  constructor(readonly core: ControllerCore, private readonly sameThread = false) {
    this.mb = core.mailbox;
    this.produced = Atomics.load(this.mb, L.MBOX_CONSUMER / 4) >>> 0;
    this.consumedSeen = this.produced;
  }

  private consumed(): number {
    this.consumedSeen = Atomics.load(this.mb, L.MBOX_CONSUMER / 4) >>> 0;
    return this.consumedSeen;
  }

  /** Append one write; returns the i32 index of its sequence word, or -1 when full. */
  tryPost(offset: number, size: number, lo: number, hi: number): number {
    const produced = this.produced;
    if (((produced - this.consumedSeen) >>> 0) >= this.entries && ((produced - this.consumed()) >>> 0) >= this.entries) return -1;
    const e = this.entriesWord + (produced & this.entryMask) * this.entryWords;
    const mb = this.mb;
    mb[e + this.targetWord] = (offset & this.offsetMask) | (size << this.sizeShift);
    mb[e + this.loWord] = lo;
    mb[e + this.hiWord] = hi;
    this.produced = (produced + 1) >>> 0;
    const seq = e + this.seqWord;
    if (this.sameThread) mb[seq] = this.produced | 0;
    else Atomics.store(mb, seq, this.produced | 0);
    return seq;
  }

  /** Writes posted and not yet applied by the controller. */
  pending(): boolean {
    return this.consumed() !== this.produced;
  }

  /** The i32 index of the sequence word the controller waits on next. */
  nextSeqIndex(): number {
    return (L.MBOX_ENTRIES_OFFSET + (this.consumed() & (L.MBOX_ENTRIES - 1)) * L.MBOX_ENTRY_SIZE) / 4 + L.MBOX_E_SEQ / 4;
  }
}

/**
 * The controller runs inside the caller's calls: after every kick, read and poll.
 *
 * A write reaches the controller at its next step, as through the mailbox, but the last two
 * 32-bit writes before a step (per command: the SQ tail doorbell, then the previous reap's CQ
 * head doorbell) skip it: the port keeps them and ctrl_step_writes applies them first, where
 * the mailbox's oldest entries would have been. Once a write went to the mailbox (a 64-bit
 * one, a third one) every later one follows it there until it is drained, so the order of all
 * writes, and every event they record, is the mailbox's.
 *
 * With a stamp (a count the caller's own event stream has reached: BlockHost gives how many
 * block trace events exist), each step notes the stamp against the controller's event
 * sequence number, and stampOf tells for any controller event how far the caller's stream
 * had got when the step that recorded it ran. Many events of both streams share one modelled
 * time; this is their causal order (a D, then the doorbell and fetch its queue_rq caused),
 * which times alone cannot give.
 */
export class StepPort implements ControllerPort {
  readonly threaded = false;
  private readonly mailbox: Mailbox;
  /** Marks: from controller event markSeq[i] on, events were recorded at stamp markStamp[i]. */
  private readonly markSeq: number[] = [];
  private readonly markStamp: number[] = [];
  /** What step() touches, as fields (a module constant or a chain of loads costs more per step). */
  private readonly control: Int32Array;
  private readonly traceMaskWord = L.CTL_TRACE_MASK / 4;
  private readonly ctrlStep: (now_ns: number) => number;
  private readonly ctrlStepWrites: (now_ns: number, count: number, off0: number, val0: number, off1: number, val1: number) => number;
  /** 32-bit writes held for the next step (0-2): offset and value of each. */
  private held = 0;
  private heldOff0 = 0;
  private heldVal0 = 0;
  private heldOff1 = 0;
  private heldVal1 = 0;
  /** Some write went to the mailbox and may not be applied yet: later ones must follow it there. */
  private mailboxUsed = false;
  constructor(readonly core: ControllerCore, private readonly clock: () => number = wallClockNs, private readonly stamp?: () => number) {
    this.mailbox = new Mailbox(core, true);
    this.control = core.control;
    this.ctrlStep = core.exports.ctrl_step;
    this.ctrlStepWrites = core.exports.ctrl_step_writes;
    // what the controller recorded before this port ran it came before the stamp's stream went on
    if (stamp) this.mark(0, stamp());
  }

  now(): number { return this.clock(); }
  step(): number {
    // only while the controller records events (CTL_TRACE_MASK): without events there is
    // nothing to stamp, and the fio simulation steps the controller per command
    if (this.stamp && this.control[this.traceMaskWord] !== 0) this.mark(Atomics.load(this.control, L.CTL_EVENT_SEQ / 4) >>> 0, this.stamp());
    const held = this.held;
    let work: number;
    if (held === 0) work = this.ctrlStep(this.clock());
    else {
      this.held = 0;
      work = this.ctrlStepWrites(this.clock(), held, this.heldOff0, this.heldVal0, this.heldOff1, this.heldVal1);
    }
    // a step drains at most a mailbox's worth: look whether anything is left only when it was used
    if (this.mailboxUsed) this.mailboxUsed = this.mailbox.pending();
    return work;
  }

  private mark(seq: number, stamp: number): void {
    const n = this.markSeq.length;
    // the last step recorded nothing: this one takes its place
    if (n > 0 && this.markSeq[n - 1] === seq) { this.markStamp[n - 1] = stamp; return; }
    if (n > 0 && this.markStamp[n - 1] === stamp) return;
    this.markSeq.push(seq);
    this.markStamp.push(stamp);
    // marks start at distinct sequence numbers, so at most ring-size + 1 of them cover events
    // still in the ring: drop older ones now and then (a long run steps millions of times)
    const ring = this.core.layout.eventsCount;
    if (n + 1 > 2 * (ring + 1)) {
      const oldest = this.stampIndex(seq - ring);
      if (oldest > 0) { this.markSeq.splice(0, oldest); this.markStamp.splice(0, oldest); }
    }
  }

  /** Index of the last mark at or before controller event seq (-1: none). */
  private stampIndex(seq: number): number {
    let lo = 0;
    let hi = this.markSeq.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.markSeq[mid] <= seq) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }

  /**
   * The stamp when the step that recorded controller event seq (its ring sequence number,
   * ControllerEvent.seq) ran; undefined without a stamp. An event recorded outside a step
   * (none in a lab run) has the stamp of the step before it.
   */
  stampOf(seq: number): number | undefined {
    const i = this.stampIndex(seq);
    return i < 0 ? undefined : this.markStamp[i];
  }

  private post(offset: number, size: number, lo: number, hi: number): void {
    this.mailboxUsed = true;
    if (this.mailbox.tryPost(offset, size, lo, hi) < 0) {
      this.step();
      this.mailboxUsed = true;
      if (this.mailbox.tryPost(offset, size, lo, hi) < 0) throw new Error("controller mailbox stuck");
    }
  }
  write32(offset: number, value: number): void {
    if (!this.mailboxUsed) {
      const held = this.held;
      if (held === 0) { this.heldOff0 = offset | 0; this.heldVal0 = value | 0; this.held = 1; return; }
      if (held === 1) { this.heldOff1 = offset | 0; this.heldVal1 = value | 0; this.held = 2; return; }
    }
    this.post(offset, 4, value | 0, 0);
  }
  write64(offset: number, value: bigint): void {
    this.post(offset, 8, Number(value & 0xffffffffn) | 0, Number(value >> 32n) | 0);
  }
  read32(offset: number): number {
    if (this.held !== 0 || this.mailbox.pending()) this.step();
    return Atomics.load(this.core.barI32, offset / 4) >>> 0;
  }
  read64(offset: number): bigint {
    return BigInt(this.read32(offset)) | (BigInt(this.read32(offset + 4)) << 32n);
  }
  kick(): void { this.step(); }
  poll(): void { this.step(); }
  waitVector(iv: number): number {
    this.step();
    return Atomics.load(this.core.vectors, (iv * L.VECTOR_SLOT_SIZE + L.VEC_COUNT) / 4);
  }
}

/** How a controller thread is started: Node worker_threads or a browser Worker. */
export interface ThreadHandle {
  terminate(): Promise<void>;
}
export type SpawnController = (module: WebAssembly.Module, memory: WebAssembly.Memory, spin: number) => Promise<ThreadHandle>;

/** Spin iterations of the controller thread before it parks (about 20-40 µs here). */
export const DEFAULT_SPIN = 20000;
/** Host-side spins on a register read or a vector before sleeping. */
const HOST_SPIN = 4000;

/** The controller runs in its own thread; this side posts writes and waits on vectors. */
export class ThreadPort implements ControllerPort {
  readonly threaded = true;
  private readonly mailbox: Mailbox;
  private constructor(readonly core: ControllerCore, private readonly handle: ThreadHandle) {
    this.mailbox = new Mailbox(core);
  }

  static async start(core: ControllerCore, spawn: SpawnController, spin = DEFAULT_SPIN): Promise<ThreadPort> {
    const c = core.control;
    Atomics.store(c, L.CTL_STOP / 4, 0);
    Atomics.store(c, L.CTL_THREAD_STATE / 4, L.THREAD_NONE);
    const handle = await spawn(core.module, core.memory, spin);
    // Wait without blocking: a browser starts a worker's nested worker only while it runs
    // its event loop.
    const deadline = wallClockNs() + 10e9;
    for (;;) {
      const s = Atomics.load(c, L.CTL_THREAD_STATE / 4);
      if (s === L.THREAD_RUNNING) break;
      if (s === L.THREAD_CRASHED) throw new Error("controller thread crashed while starting");
      if (wallClockNs() > deadline) throw new Error("controller thread did not start");
      await new Promise((r) => setTimeout(r, 1));
    }
    return new ThreadPort(core, handle);
  }

  private checkAlive(): void {
    if (Atomics.load(this.core.control, L.CTL_THREAD_STATE / 4) === L.THREAD_CRASHED) throw new Error("the controller thread crashed (wasm trap)");
  }

  now(): number { return wallClockNs(); }

  /** Wake the controller if it sleeps on the entry at seqIndex (it re-checks before sleeping). */
  private wake(seqIndex: number): void {
    if (Atomics.load(this.core.control, L.CTL_PARKED / 4) !== 0) Atomics.notify(this.core.mailbox, seqIndex, 1);
  }
  private post(offset: number, size: number, lo: number, hi: number): void {
    let spins = 0;
    let at: number;
    while ((at = this.mailbox.tryPost(offset, size, lo, hi)) < 0) {
      this.wake(this.mailbox.nextSeqIndex());
      if ((++spins & 0xfff) === 0) this.checkAlive();
      if (spins > 1e8) throw new Error("controller thread does not drain the mailbox");
    }
    this.wake(at);
  }
  write32(offset: number, value: number): void { this.post(offset, 4, value | 0, 0); }
  write64(offset: number, value: bigint): void {
    this.post(offset, 8, Number(value & 0xffffffffn) | 0, Number(value >> 32n) | 0);
  }
  private flush(): void {
    const deadline = wallClockNs() + 5e9;
    while (this.mailbox.pending()) {
      this.wake(this.mailbox.nextSeqIndex());
      this.checkAlive();
      if (wallClockNs() > deadline) throw new Error("controller thread does not answer");
    }
  }
  read32(offset: number): number {
    this.flush();
    return Atomics.load(this.core.barI32, offset / 4) >>> 0;
  }
  read64(offset: number): bigint {
    return BigInt(this.read32(offset)) | (BigInt(this.read32(offset + 4)) << 32n);
  }
  kick(): void { this.wake(this.mailbox.nextSeqIndex()); }
  poll(): void { /* the controller thread runs by itself */ }

  waitVector(iv: number, seen: number, timeoutNs: number): number {
    const v = this.core.vectors;
    const slot = (iv * L.VECTOR_SLOT_SIZE) / 4;
    const count = slot + L.VEC_COUNT / 4;
    for (let i = 0; i < HOST_SPIN; i++) {
      const now = Atomics.load(v, count);
      if (now !== seen) return now;
    }
    this.checkAlive();
    Atomics.store(v, slot + L.VEC_WAITERS / 4, 1);
    const ms = timeoutNs < 0 ? Infinity : timeoutNs / 1e6;
    Atomics.wait(v, count, seen, ms);
    Atomics.store(v, slot + L.VEC_WAITERS / 4, 0);
    this.checkAlive();
    return Atomics.load(v, count);
  }

  /** Ask the controller thread to exit and wait for it. */
  async stop(): Promise<void> {
    Atomics.store(this.core.control, L.CTL_STOP / 4, 1);
    Atomics.notify(this.core.mailbox, this.mailbox.nextSeqIndex(), 1);
    const deadline = wallClockNs() + 5e9;
    for (;;) {
      const st = Atomics.load(this.core.control, L.CTL_THREAD_STATE / 4);
      if (st === L.THREAD_EXITED || st === L.THREAD_CRASHED || wallClockNs() > deadline) break;
      Atomics.notify(this.core.mailbox, this.mailbox.nextSeqIndex(), 1);
      await new Promise((r) => setTimeout(r, 1));
    }
    await this.handle.terminate();
    Atomics.store(this.core.control, L.CTL_THREAD_STATE / 4, L.THREAD_NONE);
  }
}

/**
 * The controller thread's body, for Node worker_threads (which evaluate its source text) and
 * browser module workers (which import it). Self-contained: it uses only its arguments, so
 * its source can run anywhere. A trap marks the thread crashed and wakes every waiter.
 */
export function runControllerThread(module: WebAssembly.Module, memory: WebAssembly.Memory, spin: number,
  words: { control: number; threadState: number; crashed: number; vectors: number; vectorCount: number }): void {
  const now_ns = () => performance.now() * 1e6;
  const abort = () => { throw new Error("controller assertion failed"); };
  try {
    const instance = new WebAssembly.Instance(module, { env: { memory, now_ns, abort } });
    const ex = instance.exports as unknown as { ctrl_attach(): void; ctrl_thread_run(spin: number): number };
    ex.ctrl_attach();
    while (ex.ctrl_thread_run(spin) !== 0) { /* it returns now and then so the engine can tier it up */ }
  } catch (e) {
    const i32 = new Int32Array(memory.buffer);
    Atomics.store(i32, (words.control + words.threadState) / 4, words.crashed);
    for (let v = 0; v < words.vectorCount; v++) Atomics.notify(i32, (words.vectors + v * 16) / 4);
    throw e;
  }
}

/** The constant arguments runControllerThread needs (from assembly/layout.ts). */
export const THREAD_WORDS = {
  control: L.CONTROL_BASE, threadState: L.CTL_THREAD_STATE, crashed: L.THREAD_CRASHED,
  vectors: L.VECTORS_BASE, vectorCount: L.MAX_VECTORS,
};
