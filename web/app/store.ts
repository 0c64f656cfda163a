// The page's one source of truth: the current setup and experiment, the view shown, the last
// run of the setup (block events, NVMe commands, the controller's events) and of the NVMe/TCP
// experiment, and whether something is running. Views subscribe and redraw from it; only the
// store talks to the lab in the host worker, so runs never overlap. The URL follows the
// state (web/app/url.ts). No DOM.

import type { LabRun } from "../../src/lab/session";
import { DEFAULT_VIEW, type PageState, type ViewId } from "./url";
import { experiment, DEFAULT_EXPERIMENT, type Experiment } from "./experiments";

/** One NVMe/TCP case of the tcp experiment: MiB/s of data copied and the busier link direction's utilisation. */
export interface TcpCase {
  gbps: number;
  mode: "read+write" | "offload";
  mibs: number;
  util_pct: number;
}

export interface TcpRun {
  experiment: string;
  bs: string;
  ranges: number;
  cases: TcpCase[];
  wall_ms: number;
}

/** What the store needs from the host worker (web/host.worker.ts implements it). */
export interface LabHost {
  labRun(setup: unknown): Promise<LabRun>;
  labTcp(gbps: number, bs: string, ranges: number, emulate: boolean, runtime: string): Promise<{ mibs: number; util: number }>;
}

export interface StoreState {
  view: ViewId;
  experiment?: string;
  /** The setup the next run uses (an experiment's, or edited in Setup). */
  setup: Record<string, unknown>;
  /** True when the setup differs from the experiment's own. */
  edited: boolean;
  run?: LabRun;
  /** The run's sequence number (views redraw when it changes). */
  runSeq: number;
  tcp?: TcpRun;
  /** The NVMe/TCP experiment's runs so far (the run bar and the log report each). */
  tcpSeq: number;
  /** Which finished last: a setup's run or the NVMe/TCP experiment (the run bar reports it). */
  last?: "run" | "tcp";
  running: boolean;
  error?: string;
}

export type Listener = (s: StoreState) => void;

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

export class Store {
  private listeners = new Set<Listener>();
  state: StoreState;

  constructor(private readonly host: LabHost, initial: PageState) {
    const x = experiment(initial.experiment) ?? (initial.setup ? undefined : experiment(DEFAULT_EXPERIMENT));
    const setup = (initial.setup as Record<string, unknown> | undefined) ?? clone(x?.setup ?? {});
    this.state = { view: initial.view ?? DEFAULT_VIEW, experiment: x?.id, setup, edited: initial.setup !== undefined, runSeq: 0, tcpSeq: 0, running: false };
  }

  subscribe(f: Listener): () => void {
    this.listeners.add(f);
    return () => this.listeners.delete(f);
  }

  private set(patch: Partial<StoreState>): void {
    this.state = { ...this.state, ...patch };
    for (const f of this.listeners) f(this.state);
  }

  /** The state a link carries. */
  pageState(): PageState {
    return { view: this.state.view, experiment: this.state.experiment, setup: this.state.edited ? this.state.setup : undefined };
  }

  show(view: ViewId): void {
    if (view !== this.state.view) this.set({ view });
  }

  /** Choose an experiment: its setup replaces the current one (nothing runs yet). */
  choose(id: string): Experiment {
    const x = experiment(id);
    if (!x) throw new Error(`no experiment "${id}"`);
    this.set({ experiment: x.id, setup: clone(x.setup ?? {}), edited: false, error: undefined });
    return x;
  }

  /** A setup edited in the Setup view (checked when it runs). */
  edit(setup: Record<string, unknown>): void {
    this.set({ setup: clone(setup), edited: true });
  }

  /** Run the current setup; a bad setup's error is shown and the last run stays. */
  async run(): Promise<LabRun | undefined> {
    if (this.state.running) return undefined;
    this.set({ running: true, error: undefined });
    try {
      const run = await this.host.labRun(this.state.setup);
      this.set({ run, runSeq: this.state.runSeq + 1, running: false, last: "run" });
      return run;
    } catch (e) {
      this.set({ running: false, error: e instanceof Error ? e.message : String(e) });
      return undefined;
    }
  }

  /** Run the NVMe/TCP experiment: read+write and offload at each link speed. */
  async runTcp(x: Experiment): Promise<TcpRun | undefined> {
    if (this.state.running || !x.tcp) return undefined;
    this.set({ running: true, error: undefined });
    const t0 = performance.now();
    try {
      const cases: TcpCase[] = [];
      for (const gbps of x.tcp.gbps) {
        for (const emulate of [true, false]) {
          const r = await this.host.labTcp(gbps, x.tcp.bs, x.tcp.ranges, emulate, x.tcp.runtime);
          cases.push({ gbps, mode: emulate ? "read+write" : "offload", mibs: r.mibs, util_pct: r.util });
        }
      }
      const tcp: TcpRun = { experiment: x.id, bs: x.tcp.bs, ranges: x.tcp.ranges, cases, wall_ms: performance.now() - t0 };
      this.set({ tcp, tcpSeq: this.state.tcpSeq + 1, running: false, last: "tcp" });
      return tcp;
    } catch (e) {
      this.set({ running: false, error: e instanceof Error ? e.message : String(e) });
      return undefined;
    }
  }

  /** Report an error from a view (shown in the page's alert). */
  fail(message: string): void {
    this.set({ error: message });
  }
}
