// The block layer's clock and scheduler: a discrete-event queue in modelled nanoseconds, the
// simulated tasks (pid, comm, CPU, plug), workqueues, and the context each piece of code runs
// in (which task, which CPU), so every trace event says who did it. Deterministic: the same
// scenario gives the same events in the same order.

import type { BlkPlug } from "./plug";

export interface Task {
  pid: number;
  comm: string;
  cpu: number;
  /** current->plug: the outermost plug; nested blk_start_plug calls only count depth. */
  plug: BlkPlug | null;
  plugDepth: number;
  /** The plug object of this task's last blk_start_plug, kept for the next (a plug per bio allocates none). */
  plugSpare: BlkPlug | null;
  /** Bios this task submitted that have not completed (for wait). */
  outstanding: number;
  /** current->bio_list while a bio-based driver runs in this task (__submit_bio_noacct). */
  bioList: unknown[] | null;
  /** An empty array kept for the next bioList, so a submission allocates none. */
  bioListSpare: unknown[] | null;
}

/**
 * A pending event's work: fn(arg) runs as ctx. Each lives in a slot (its index) that is reused
 * once the event ran; the heap and the FIFO hold slot numbers, and the event's time and seq sit
 * in typed arrays beside them (no allocation per event, and moving an event in the heap moves
 * numbers: no map check per comparison, no write barrier per move).
 */
interface SimEvent {
  ctx: Task;
  fn: (arg: any) => void; // eslint-disable-line @typescript-eslint/no-explicit-any
  arg: unknown;
}

/**
 * The host CPU model's per-operation costs (ns), all 0 by default (the block-layer scenarios run
 * with free CPUs). A cost makes its CPU busy: work that needs the CPU starts when it is free.
 */
export interface CpuCosts {
  /** Entering and leaving a system call (read/write/io_submit/io_getevents). */
  syscall_ns: number;
  /** Building and submitting one I/O through the block layer and the driver (per bio). */
  submit_ns: number;
  /** The completion interrupt and the request's completion path (per request). */
  irq_ns: number;
  /** Waking a sleeping task and switching to it. */
  context_switch_ns: number;
  /** One look at a completion queue while polling (io_uring hipri, polled queues). */
  poll_ns: number;
  /** Copying data through the CPU (user-space buffers, bounce buffers), per byte. */
  copy_ns_per_byte: number;
}

export const FREE_CPU: CpuCosts = { syscall_ns: 0, submit_ns: 0, irq_ns: 0, context_switch_ns: 0, poll_ns: 0, copy_ns_per_byte: 0 };

/** Bounds: a scenario that would loop forever stops with an error that says so. */
export const MAX_EVENTS_PER_RUN = 50_000_000;

export class Sim {
  now_ns = 0;
  current: Task;
  readonly tasks = new Map<number, Task>();
  /** Events due now, in the order they were scheduled (a FIFO of slots: most events are due now). */
  private readonly dueNow = new EventFifo();
  private seq = 0;
  private processed = 0;
  /** Per CPU: kworker tasks that run work items (kworker/N:1) and the irq context. */
  private kworkers = new Map<string, Task>();

  /** The CPU model: costs, and per CPU when it is next free and how long it was busy. */
  costs: CpuCosts = FREE_CPU;
  readonly cpuFree_ns: number[];
  readonly cpuBusy_ns: number[];

  constructor(readonly cpus: number) {
    this.cpuFree_ns = new Array(cpus).fill(0);
    this.cpuBusy_ns = new Array(cpus).fill(0);
    this.current = this.idle(0);
  }

  /**
   * Run ns of work on cpu, from now or when the CPU is free; returns when it ends. The caller
   * schedules what follows the work at that time (0 ns: now, and nothing is charged).
   */
  useCpu(cpu: number, ns: number): number {
    if (ns <= 0) return this.now_ns;
    const start = Math.max(this.now_ns, this.cpuFree_ns[cpu]);
    const end = start + ns;
    this.cpuFree_ns[cpu] = end;
    this.cpuBusy_ns[cpu] += ns;
    return end;
  }

  private readonly idles: Task[] = [];

  /** The context of an interrupt handler or softirq on cpu (pid 0, as blktrace shows it). */
  idle(cpu: number): Task {
    return (this.idles[cpu] ??= this.kworker(cpu, `swapper/${cpu}`, 0));
  }

  kworker(cpu: number, comm = `kworker/${cpu}:1`, pid = 1000 + cpu): Task {
    const key = `${comm}/${pid}`;
    let t = this.kworkers.get(key);
    if (!t) {
      t = { pid, comm, cpu, plug: null, plugDepth: 0, plugSpare: null, outstanding: 0, bioList: null, bioListSpare: null };
      this.kworkers.set(key, t);
    }
    return t;
  }

  addTask(pid: number, comm: string, cpu: number): Task {
    if (cpu < 0 || cpu >= this.cpus) throw new Error(`task ${comm}: cpu ${cpu} does not exist (the run has ${this.cpus} CPUs)`);
    const t: Task = { pid, comm, cpu, plug: null, plugDepth: 0, plugSpare: null, outstanding: 0, bioList: null, bioListSpare: null };
    this.tasks.set(pid, t);
    return t;
  }

  /**
   * Event slots: slot i's work is events[i], its seq eventSeq[i]; free slots are a stack. Slot
   * 0 is the heap's sentinel: it never runs, and its seq (+Infinity) sorts after every event's.
   */
  private readonly events: SimEvent[] = [];
  private eventSeq = new Float64Array(64).fill(Infinity, 0, 1);
  private freeSlots = new Int32Array(64);
  private freeCount = 0;

  /**
   * Events due later than now, earliest first: a 4-ary heap on (at_ns, seq) in one typed array,
   * entry i at heap[2i] (its time) and heap[2i+1] (its slot). Four children per node halve the
   * levels a pop walks down (about 2.5 for the 32 completions of a QD 32 job); every entry past
   * the end is the sentinel (+Infinity, slot 0), so a node's four children can be compared
   * without asking how many it has.
   */
  private heap = newHeapArray(64);
  private heapLength = 0;
  /**
   * The root's event was taken to run and its place is empty (heapLength still counts it):
   * the next at() fills it with the new event in one walk down (the common case: a completion
   * whose refill schedules the next completion), and anything else that needs the heap moves
   * the last entry there first (removeRoot).
   */
  private rootTaken = false;

  /**
   * Run fn in ctx at time at_ns (never earlier than now). With arg, fn(arg) runs: a method
   * bound once and its argument, so hot paths need no closure per event.
   */
  at<A>(at_ns: number, ctx: Task, fn: (arg: A) => void, arg?: A): void {
    if (at_ns <= this.now_ns) { this.atNow(ctx, fn, arg); return; }
    const slot = this.takeSlot(ctx, fn, arg);
    this.eventSeq[slot] = ++this.seq;
    if (this.rootTaken === true) {
      // the event that just ran left the root's place empty: the new event takes it (a
      // remove and an insert in one walk, as an hrtimer re-armed from its own callback)
      this.rootTaken = false;
      const h = this.heap;
      h[0] = at_ns;
      h[1] = slot;
      this.siftRoot();
      return;
    }
    let i = this.heapLength;
    if (2 * (i + HEAP_ARITY) > this.heap.length) this.growHeap();
    this.heapLength = i + 1;
    // sift up: move parents down until the event's place is found; its seq is the largest
    // there is, so it goes before a parent only at an earlier time
    const h = this.heap;
    let j = i << 1; // array index of the hole (int32: no overflow checks)
    while (j > 0) {
      const p = ((j - 2) >> 3) << 1; // the parent of the hole
      const p_ns = h[p];
      if (!(at_ns < p_ns)) break;
      h[j] = p_ns;
      h[(j + 1) | 0] = h[(p + 1) | 0];
      j = p;
    }
    h[j] = at_ns;
    h[(j + 1) | 0] = slot;
  }

  /**
   * at(now_ns, ctx, fn, arg) for a caller with no time at hand: fn(arg) runs as ctx after every
   * event due now. A time passed to a call that is not inlined is boxed (a HeapNumber), so the
   * per-command path schedules what is due now through here. Due now, it runs after every event
   * due now that is in the heap or the FIFO already, and before any later one: a FIFO keeps that
   * order in O(1). The clock does not move while the FIFO holds events, so they need no time of
   * their own (each is due at now_ns), nor a seq (see heapDueNow). The FIFO's first event waits
   * in fields (next*), not in a slot: most often it is the only one (fio's refill after a
   * completion), and it then costs no slot and no ring entry.
   */
  atNow<A>(ctx: Task, fn: (arg: A) => void, arg?: A): void {
    if (this.nextFn === null && this.dueNow.length === 0) {
      this.nextCtx = ctx;
      this.nextFn = fn;
      this.nextArg = arg;
    } else {
      this.dueNow.push(this.takeSlot(ctx, fn, arg));
    }
  }

  /**
   * The due-now FIFO's first event, when it is not in the ring (nextFn null: none). Only set
   * while the ring is empty, so it is always before every event in the ring.
   */
  private nextCtx: Task = null!;
  private nextFn: ((arg: any) => void) | null = null; // eslint-disable-line @typescript-eslint/no-explicit-any
  private nextArg: unknown = undefined;

  /** A free slot holding fn(arg) as ctx. */
  private takeSlot<A>(ctx: Task, fn: (arg: A) => void, arg: A | undefined): number {
    let slot: number;
    if (this.freeCount > 0) {
      slot = this.freeSlots[--this.freeCount];
      const e = this.events[slot];
      e.ctx = ctx;
      e.fn = fn;
      e.arg = arg;
    } else {
      slot = this.newSlot(ctx, fn, arg);
    }
    return slot;
  }

  /** A slot more (all are in use): the slot arrays double when full. */
  private newSlot<A>(ctx: Task, fn: (arg: A) => void, arg: A | undefined): number {
    if (this.events.length === 0) this.events.push({ ctx, fn: noop, arg: undefined }); // the sentinel
    const slot = this.events.length;
    this.events.push({ ctx, fn, arg });
    if (slot === this.eventSeq.length) {
      const seq = new Float64Array(slot * 2);
      seq.set(this.eventSeq);
      this.eventSeq = seq;
      this.freeSlots = new Int32Array(slot * 2); // empty: every slot is in use
    }
    return slot;
  }

  /** Twice the heap's room (heap.length counts two elements per entry). */
  private growHeap(): void {
    const h = newHeapArray(this.heap.length);
    h.set(this.heap);
    this.heap = h;
  }

  /** queue_work: run fn in a kworker on cpu, after what is running now. */
  queueWork(cpu: number, fn: () => void, worker?: Task): void {
    this.atNow(worker ?? this.kworker(cpu), fn);
  }

  /** Run code as ctx (a task's step, a completion, a work item). */
  as<T, A = undefined>(ctx: Task, fn: (arg: A) => T, arg?: A): T {
    const saved = this.current;
    this.current = ctx;
    try {
      return fn(arg as A);
    } finally {
      this.current = saved;
    }
  }

  get pending(): number { return this.heapLength - (this.rootTaken ? 1 : 0) + this.dueNow.length + (this.nextFn !== null ? 1 : 0); }

  /** Process the next event; false when there is none. */
  step(): boolean {
    const saved = this.current;
    try {
      return this.runNext(saved);
    } finally {
      this.current = saved;
    }
  }

  /**
   * Run the next event as its context, then give the CPU back to `after` (false when there is
   * none). No try/finally per event: the loops that call it restore current if an event
   * throws, as as() would have.
   */
  private runNext(after: Task): boolean {
    let ctx: Task;
    let fn: (arg: any) => void; // eslint-disable-line @typescript-eslint/no-explicit-any
    let arg: unknown;
    let at_ns = this.now_ns;
    if (this.nextFn !== null && !this.heapDueNow()) {
      ctx = this.nextCtx;
      fn = this.nextFn;
      arg = this.nextArg;
      this.nextFn = null;
      this.nextArg = undefined;
    } else {
      let slot: number;
      if (this.dueNow.length > 0 && !this.heapDueNow()) {
        slot = this.dueNow.shift();
      } else {
        if (this.rootTaken === true) this.removeRoot();
        if (this.heapLength === 0) return false;
        at_ns = this.heap[0]; // never before now: an event enters the heap only when due later
        slot = this.heap[1] | 0;
        this.rootTaken = true;
      }
      const e = this.events[slot];
      ctx = e.ctx;
      fn = e.fn;
      arg = e.arg;
      e.arg = undefined;
      this.freeSlots[this.freeCount++] = slot;
    }
    if (++this.processed > MAX_EVENTS_PER_RUN) throw new Error(`more than ${MAX_EVENTS_PER_RUN} events: the scenario does not settle`);
    this.now_ns = at_ns;
    this.current = ctx;
    fn(arg);
    this.current = after;
    return true;
  }

  /**
   * Whether the heap's earliest event is due now, and so goes before every event in the
   * due-now FIFO: an event enters the heap only when it is due later than now, so one due now
   * was scheduled before the clock got here, before anything in the FIFO (all scheduled at
   * now_ns). Never when the heap is empty (its top is the sentinel, +Infinity).
   */
  private heapDueNow(): boolean {
    const h = this.heap;
    const now = this.now_ns;
    if (this.rootTaken !== true) return h[0] <= now;
    // the earliest is one of the root's four children (past the end: sentinels)
    return h[2] <= now || h[4] <= now || h[6] <= now || h[8] <= now;
  }

  /** The taken root's place goes to the last entry (the heap holds more than the root). */
  private removeRoot(): void {
    const h = this.heap;
    const end = --this.heapLength << 1; // the last entry: it leaves its place to the sentinel
    h[0] = h[end];
    h[1] = h[(end + 1) | 0];
    h[end] = Infinity;
    h[(end + 1) | 0] = 0;
    this.rootTaken = false;
    if (end > 0) this.siftRoot();
  }

  /**
   * Move the entry at the root, put there in the taken root's place, to where it belongs
   * among the heap's entries. It is handed over in the array, not as arguments: a time passed
   * to a call that is not inlined is boxed (a HeapNumber allocated per command), and an
   * argument's type is checked in every step of the loops that use it (the heap's end is read
   * from heapLength). The entry's seq is read only on a tie.
   * Indices count array elements (twice the entry's number) and are int32 (| 0), so V8 adds
   * no overflow checks.
   */
  private siftRoot(): void {
    const end = this.heapLength << 1;
    const h = this.heap;
    const seq = this.eventSeq;
    const x_ns = h[0];
    const xSlot = h[1];
    // bottom-up (Floyd): move the hole at the root down to a leaf, the earliest child up at
    // each level, then sift the entry up from there (the last entry came from the bottom, and
    // a new completion is most often later than those in flight, so it rarely climbs). The
    // (time, seq) comparison is written out at each child: as a function it cost about 90
    // instructions per command (ir.sh 12,181 -> 12,274). It asks <= first: most children are
    // later than the earliest so far, and then one compare decides
    let j = 0;
    for (;;) {
      const c = ((j << 2) + 2) | 0; // the first child of the hole
      if (c >= end) break;
      let m = c;
      let m_ns = h[c];
      const c1 = (c + 2) | 0;
      const c1_ns = h[c1];
      if (c1_ns <= m_ns && (c1_ns < m_ns || seq[h[(c1 + 1) | 0]] < seq[h[(m + 1) | 0]])) { m = c1; m_ns = c1_ns; }
      const c2 = (c + 4) | 0;
      const c2_ns = h[c2];
      if (c2_ns <= m_ns && (c2_ns < m_ns || seq[h[(c2 + 1) | 0]] < seq[h[(m + 1) | 0]])) { m = c2; m_ns = c2_ns; }
      const c3 = (c + 6) | 0;
      const c3_ns = h[c3];
      if (c3_ns <= m_ns && (c3_ns < m_ns || seq[h[(c3 + 1) | 0]] < seq[h[(m + 1) | 0]])) { m = c3; m_ns = c3_ns; }
      h[j] = m_ns;
      h[(j + 1) | 0] = h[(m + 1) | 0];
      j = m;
    }
    while (j > 0) {
      const p = ((j - 2) >> 3) << 1; // the parent of the hole
      const p_ns = h[p];
      if (!(x_ns < p_ns || (x_ns === p_ns && seq[xSlot] < seq[h[(p + 1) | 0]]))) break;
      h[j] = p_ns;
      h[(j + 1) | 0] = h[(p + 1) | 0];
      j = p;
    }
    h[j] = x_ns;
    h[(j + 1) | 0] = xSlot;
  }

  /** Run events until done() holds; an error names what never happened. */
  runUntil(done: () => boolean, what: string): void {
    const saved = this.current;
    try {
      while (!done()) {
        if (!this.runNext(saved)) throw new Error(`stuck: ${what} can never happen (no events left)`);
      }
    } finally {
      this.current = saved;
    }
  }

  /**
   * runUntil(done, what) and then drain(), for a caller that has nothing to do in between and
   * whose done() stays true once it holds: every event runs, and done() is asked once, at the
   * end, instead of after each event (a closure call per event: ir.sh 12,223 -> 12,033 per
   * command for fio's last group). The same error as runUntil's when it never holds.
   */
  drainUntil(done: () => boolean, what: string): void {
    this.drain();
    if (!done()) throw new Error(`stuck: ${what} can never happen (no events left)`);
  }

  /** Run every event there is. */
  drain(): void {
    const saved = this.current;
    try {
      while (this.runNext(saved)) { /* next */ }
    } finally {
      this.current = saved;
    }
  }
}

const noop = () => {};

/** Children per heap node. */
const HEAP_ARITY = 4;

/** A heap array for n entries, every one the sentinel (+Infinity, slot 0). */
function newHeapArray(n: number): Float64Array {
  const h = new Float64Array(2 * n);
  for (let i = 0; i < 2 * n; i += 2) h[i] = Infinity;
  return h;
}

/**
 * A FIFO of event slots in a ring that doubles when full: push and shift move indices, never
 * the entries (Array.shift would move them all).
 */
class EventFifo {
  private ring = new Int32Array(64);
  private head = 0;
  length = 0;

  push(slot: number): void {
    if (this.length === this.ring.length) this.grow();
    this.ring[(this.head + this.length) & (this.ring.length - 1)] = slot;
    this.length++;
  }

  shift(): number {
    const slot = this.ring[this.head];
    this.head = (this.head + 1) & (this.ring.length - 1);
    this.length--;
    return slot;
  }

  private grow(): void {
    const old = this.ring;
    const ring = new Int32Array(old.length * 2);
    for (let i = 0; i < this.length; i++) ring[i] = old[(this.head + i) & (old.length - 1)];
    this.ring = ring;
    this.head = 0;
  }
}
