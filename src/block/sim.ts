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

/** A pending event: fn(arg) runs as ctx at at_ns. Events are pooled (no allocation per event). */
interface SimEvent {
  at_ns: number;
  seq: number;
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
  /** Events due later than now, earliest first (a binary heap on at_ns, then seq). */
  private heap: SimEvent[] = [];
  /** Events due now, in the order they were scheduled (a FIFO: most events are due now). */
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

  /** Spent events, reused by at(): the per-command path allocates no event objects. */
  private spare: SimEvent[] = [];

  /**
   * Run fn in ctx at time at_ns (never earlier than now). With arg, fn(arg) runs: a method
   * bound once and its argument, so hot paths need no closure per event.
   */
  at<A>(at_ns: number, ctx: Task, fn: (arg: A) => void, arg?: A): void {
    if (at_ns <= this.now_ns) { this.atNow(ctx, fn, arg); return; }
    const e = this.spare.pop() ?? { at_ns: 0, seq: 0, ctx, fn, arg: undefined };
    e.at_ns = at_ns; // later than now
    e.seq = ++this.seq;
    e.ctx = ctx;
    e.fn = fn;
    e.arg = arg;
    // sift up: move parents down until e's place is found
    const h = this.heap;
    let i = h.length;
    h.push(e);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(e, h[p])) break;
      h[i] = h[p];
      i = p;
    }
    h[i] = e;
  }

  /**
   * at(now_ns, ctx, fn, arg) for a caller with no time at hand: fn(arg) runs as ctx after every
   * event due now. A time passed to a call that is not inlined is boxed (a HeapNumber), so the
   * per-command path schedules what is due now through here. Due now, its seq is the largest,
   * so it runs after every event due now that is in the heap or the FIFO already, and before
   * any later one: a FIFO keeps that order in O(1).
   */
  atNow<A>(ctx: Task, fn: (arg: A) => void, arg?: A): void {
    const e = this.spare.pop() ?? { at_ns: 0, seq: 0, ctx, fn, arg: undefined };
    e.at_ns = this.now_ns;
    e.seq = ++this.seq;
    e.ctx = ctx;
    e.fn = fn;
    e.arg = arg;
    this.dueNow.push(e);
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

  get pending(): number { return this.heap.length + this.dueNow.length; }

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
    const h = this.heap;
    const q = this.dueNow;
    // events due now were scheduled at now_ns, so only a heap event due now and scheduled
    // before them (a smaller seq) goes first
    const top = q.length > 0 && (h.length === 0 || !before(h[0], q.peek())) ? q.shift() : this.popHeap();
    if (top === undefined) return false;
    if (++this.processed > MAX_EVENTS_PER_RUN) throw new Error(`more than ${MAX_EVENTS_PER_RUN} events: the scenario does not settle`);
    this.now_ns = Math.max(this.now_ns, top.at_ns);
    const { ctx, fn, arg } = top;
    top.fn = noop;
    top.arg = undefined;
    this.spare.push(top);
    this.current = ctx;
    fn(arg);
    this.current = after;
    return true;
  }

  /** Take the heap's earliest event (undefined when it is empty). */
  private popHeap(): SimEvent | undefined {
    const h = this.heap;
    if (h.length === 0) return undefined;
    const top = h[0];
    const last = h.pop()!;
    const n = h.length;
    if (n > 0) {
      // bottom-up (Floyd): move the hole at the root down to a leaf, the earlier child up at
      // each level (one comparison per level), then sift last up from there (it came from
      // the bottom, so it rarely climbs); the events come out in the same order
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const m = l + 1 < n && before(h[l + 1], h[l]) ? l + 1 : l;
        h[i] = h[m];
        i = m;
      }
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (!before(last, h[p])) break;
        h[i] = h[p];
        i = p;
      }
      h[i] = last;
    }
    return top;
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

/**
 * A FIFO of events in a ring that doubles when full: push and shift move indices, never the
 * entries (Array.shift would move them all).
 */
class EventFifo {
  private ring: Array<SimEvent | undefined> = new Array(64).fill(undefined);
  private head = 0;
  length = 0;

  push(e: SimEvent): void {
    if (this.length === this.ring.length) this.grow();
    this.ring[(this.head + this.length) & (this.ring.length - 1)] = e;
    this.length++;
  }

  peek(): SimEvent {
    return this.ring[this.head]!;
  }

  shift(): SimEvent {
    const e = this.ring[this.head]!;
    this.ring[this.head] = undefined;
    this.head = (this.head + 1) & (this.ring.length - 1);
    this.length--;
    return e;
  }

  private grow(): void {
    const old = this.ring;
    const ring: Array<SimEvent | undefined> = new Array(old.length * 2).fill(undefined);
    for (let i = 0; i < this.length; i++) ring[i] = old[(this.head + i) & (old.length - 1)];
    this.ring = ring;
    this.head = 0;
  }
}

function before(a: SimEvent, b: SimEvent): boolean {
  return a.at_ns < b.at_ns || (a.at_ns === b.at_ns && a.seq < b.seq);
}
