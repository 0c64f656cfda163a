// The Block layer replay's model (no DOM): turns a BlockModel (web/views/block-model.ts) and the
// run's events into a time-ordered list of frames, one per step of the run (one trace event, or
// an NVMe command / its CQE), each with the moves it makes: a bio queued (Q), remapped (A), split
// (X), turned into a request (G) or merged into one (M/F), a request plugged (P), handed to the
// queue by a plug flush (U/UT), dispatched (D), sent as an NVMe command, completed (CQE, C).
// A ReplayCursor applies frames forward and undoes them backward (each change keeps its before
// and after state), so stepping either way costs only the frames crossed, never a rebuild.

import type { BlkEvent } from "../../src/block/trace";
import { LANES, fmtBytes, type BlockModel, type Lane, type Step, type CommandInfo, type FlushInfo } from "./block-model";

/** The replay's columns: the flow's lanes plus where finished things go. */
export type Place = Lane | "done";
export const PLACES: ReadonlyArray<{ id: Place; title: string }> = [...LANES, { id: "done", title: "Done" }];

/** What is somewhere at a moment: a bio on its own, a request (with its bios), an NVMe command. */
export interface EntState {
  key: string;
  kind: "bio" | "rq" | "cmd";
  id: number;
  place: Place;
  /** A bio inside a request (G or merged): it goes where the request goes, drawn inside it. */
  in?: number;
  sector: number;
  sectors: number;
  rwbs: string;
  dev: string;
  /** Requests: how many back (M) and front (F) merges so far: its bios are a slice of RqInfo.bios. */
  m?: number;
  f?: number;
  /** Commands: completed with this status name. */
  status?: string;
  bad?: boolean;
  /** The frame it arrived where it is (orders a lane; the newest show when a lane is long). */
  since: number;
}

export interface Change {
  key: string;
  before?: EntState;
  after?: EntState;
}

export interface PlugChange {
  pid: number;
  before: number[];
  after: number[];
}

export interface Counters {
  bios: number;
  splits: number;
  remaps: number;
  merges: number;
  requests: number;
  flushes: number;
  dispatched: number;
  commands: number;
  cqes: number;
  /** Bios finished (their request completed, or their own C). */
  completed: number;
  errors: number;
}

const ZERO: Counters = { bios: 0, splits: 0, remaps: 0, merges: 0, requests: 0, flushes: 0, dispatched: 0, commands: 0, cqes: 0, completed: 0, errors: 0 };

export interface ReplayFrame {
  index: number;
  /** The step's order key (event seq; commands sit just after their request's D). */
  order: number;
  time_ns: number;
  action: string;
  lane: Place;
  /** "bio 4", "rq 3", "copy #1", or "" for a device message. */
  subject: string;
  text: string;
  why?: string;
  /** Other things the same event did (a flush of several requests, a packed Copy). */
  also: string[];
  bad: boolean;
  /** Keys of what the frame moved or changed (highlighted on the stage). */
  touches: string[];
  changes: Change[];
  plugChanges: PlugChange[];
  /** Counts after this frame. */
  counters: Counters;
  /** Index (into BlockModel.flushes) of the newest plug flush at or before this frame, -1 if none. */
  lastFlush: number;
  /** A root bio to show in the story when this frame is picked. */
  root?: number;
}

export interface Replay {
  model: BlockModel;
  frames: ReplayFrame[];
  /** Whether labels name the device (runs with more than one device). */
  multiDev: boolean;
  /** Total front merges per request (to slice RqInfo.bios). */
  fTotal: Map<number, number>;
  /** 2026 design: the SRC bios of a copy context that ride in their DST bio's request. */
  riders: Map<number, number[]>;
  cursor: ReplayCursor;
}

// ---- labels ----

export function entLabel(r: Replay, s: EntState): string {
  const dev = r.multiDev ? ` ${s.dev}` : "";
  if (s.kind === "bio") return `bio ${s.id} ${s.rwbs} ${s.sector}+${s.sectors}${dev}`;
  if (s.kind === "rq") return `rq ${s.id} ${s.rwbs} ${s.sector}+${s.sectors}${dev}`;
  const c = r.model.commands[s.id].record;
  return `#${c.seq} ${c.name} SQ${c.qid} CID${c.cid}`;
}

/** A request's bios at a moment: its G bio plus the merges so far (F at the head, M at the tail). */
export function rqBios(r: Replay, s: EntState): number[] {
  const all = r.model.rqs.get(s.id)?.bios ?? [];
  const ft = r.fTotal.get(s.id) ?? 0;
  return all.slice(ft - (s.f ?? 0), ft + 1 + (s.m ?? 0));
}

/** What a request carries: its bios and (2026 design) the SRC bios riding with its DST bio. */
export function carried(r: Replay, s: EntState): number[] {
  const out: number[] = [];
  for (const b of rqBios(r, s)) {
    out.push(b);
    for (const x of r.riders.get(b) ?? []) out.push(x);
  }
  return out;
}

// ---- building ----

interface StepRef { s: Step; owner: "bio" | "rq"; id: number }

/** Why, when the step itself carries none: the kernel function that does it. */
function fallbackWhy(m: BlockModel, ref: StepRef): string | undefined {
  const { s } = ref;
  switch (s.action) {
    case "Q": {
      const b = m.bios.get(ref.id);
      if (b?.via === "remap") return `the dm target submits its clone to ${b.dev} (submit_bio_noacct from the target's map function)`;
      return "submit_bio: the bio enters the block layer";
    }
    case "C": return ref.owner === "rq" ? "blk_mq_end_request: the request completed; each of its bios ends (bio_endio)" : "bio_endio: the bio completed";
    case "cqe": return "the controller posted the CQE in the CQ; the driver's completion path (nvme_process_cq -> nvme_complete_rq) ends the request";
    case "cmd": return "the driver built the SQE (nvme_setup_cmd), wrote it at the SQ tail and rang the SQ's tail doorbell";
    case "I": return "blk_mq_insert_request: the request waits in the scheduler's queue";
    default: return undefined;
  }
}

/** Builds the frames in one pass over the steps, bucketed by order (O(events), no sort). */
export function buildReplay(m: BlockModel, events: ReadonlyArray<BlkEvent>): Replay {
  // bucket every step by its order (seq, quarter steps for commands) without sorting
  // (sized up front: a growing sparse array would fall back to a slow dictionary)
  let maxOrder = 0;
  for (const e of events) if (e.seq > maxOrder) maxOrder = e.seq;
  for (const q of m.rqs.values()) for (const s of q.steps) if (s.order > maxOrder) maxOrder = s.order;
  const buckets: Array<StepRef[] | undefined> = new Array(Math.round(maxOrder * 4) + 2).fill(undefined);
  const put = (ref: StepRef) => {
    const k = Math.round(ref.s.order * 4);
    (buckets[k] ??= []).push(ref);
  };
  for (const b of m.bios.values()) for (const s of b.steps) put({ s, owner: "bio", id: b.id });
  for (const q of m.rqs.values()) for (const s of q.steps) put({ s, owner: "rq", id: q.id });
  const flushBySeq = new Map<number, FlushInfo>();
  for (const f of m.flushes) flushBySeq.set(f.seq, f);
  // events the model keeps no step for: flushes (an empty plug's U has no request to step),
  // and messages (copy() calls, fallbacks and their reasons, device notes)
  const extra = new Map<number, BlkEvent>();
  for (const e of events) {
    const k = e.seq * 4;
    if (flushBySeq.has(e.seq)) { extra.set(k, e); continue; }
    if (buckets[k] || e.action !== "m") continue;
    if (/^copy: paired /.test(e.text ?? "")) continue; // the M's reason says it
    extra.set(k, e);
  }
  const hasP = new Set<number>();
  const fTotal = new Map<number, number>();
  for (const q of m.rqs.values()) {
    let f = 0;
    for (const s of q.steps) {
      if (s.action === "P") hasP.add(q.id);
      if (s.action === "F") f++;
    }
    if (f) fTotal.set(q.id, f);
  }
  const cmdBySeq = new Map<number, CommandInfo>();
  for (const c of m.commands) cmdBySeq.set(c.record.seq, c);
  const copyById = new Map(m.copies.map((x) => [x.id, x]));
  const devs = new Set<string>();
  for (const b of m.bios.values()) devs.add(b.dev);

  // the 2026 design's SRC bios ride in the request of their context's DST bio ("context N
  // complete: this source range rides in DST bio M's request"): they end when it does
  const riders = new Map<number, number[]>();
  for (const b of m.bios.values()) {
    for (const s of b.steps) {
      const x = s.action === "m" ? /rides in DST bio (\d+)'s request/.exec(s.text) : null;
      if (x) { const l = riders.get(Number(x[1])) ?? []; l.push(b.id); riders.set(Number(x[1]), l); }
    }
  }

  const replay: Replay = { model: m, frames: [], multiDev: devs.size > 1, fTotal, riders, cursor: undefined as unknown as ReplayCursor };

  // the simulation's current state while building (the cursor replays it later)
  const cur = new Map<string, EntState>();
  const plugs = new Map<number, number[]>();
  let counters: Counters = { ...ZERO };
  let lastFlush = -1;

  let maxKey = buckets.length;
  for (const k of extra.keys()) if (k + 1 > maxKey) maxKey = k + 1;
  // the frame being built (the helpers below are made once, not per frame)
  let index = 0;
  let changes = new Map<string, Change>();
  let plugChanges = new Map<number, PlugChange>();
  let touches = new Set<string>();
  let c: Counters = { ...counters };

  const set = (next: EntState) => {
    const ch = changes.get(next.key);
    if (ch) ch.after = next;
    else changes.set(next.key, { key: next.key, before: cur.get(next.key), after: next });
    cur.set(next.key, next);
    touches.add(next.key);
  };
  const move = (key: string, place: Place, patch: Partial<EntState> = {}) => {
    const s = cur.get(key);
    if (!s) return;
    set({ ...s, ...patch, place, since: s.place === place ? s.since : index });
  };
  const plugSet = (pid: number, list: number[]) => {
    const before = plugs.get(pid) ?? [];
    const ch = plugChanges.get(pid);
    if (ch) ch.after = list;
    else plugChanges.set(pid, { pid, before, after: list });
    plugs.set(pid, list);
  };
  const ensureRq = (id: number): EntState | undefined => {
    const have = cur.get(`rq:${id}`);
    if (have) return have;
    const r = m.rqs.get(id);
    if (!r) return undefined;
    // the request starts as its G bio (the rest of a split bio: where the replay has it now)
    const bio0 = r.bios[fTotal.get(id) ?? 0];
    const b0 = bio0 === undefined ? undefined : cur.get(`bio:${bio0}`) ?? m.bios.get(bio0);
    const st: EntState = { key: `rq:${id}`, kind: "rq", id, place: "rq", sector: b0?.sector ?? r.sector, sectors: b0?.sectors ?? r.sectors, rwbs: r.rwbs, dev: r.dev, m: 0, f: 0, since: index };
    set(st);
    c.requests++;
    return st;
  };
  const bioIn = (bioId: number, rq: number) => {
    const key = `bio:${bioId}`;
    const s = cur.get(key);
    const b = m.bios.get(bioId);
    if (!b) return;
    const base: EntState = s ?? { key, kind: "bio", id: bioId, place: "task", sector: b.sector, sectors: b.sectors, rwbs: b.rwbs, dev: b.dev, since: index };
    const rqPlace = cur.get(`rq:${rq}`)?.place ?? "rq";
    set({ ...base, in: rq, place: rqPlace, since: index });
    for (const x of riders.get(bioId) ?? []) {
      const xs = cur.get(`bio:${x}`);
      if (xs) set({ ...xs, in: rq, place: rqPlace, since: index });
    }
  };
  const removeFromPlug = (rqId: number) => {
    const r = m.rqs.get(rqId);
    if (!r) return;
    const l = plugs.get(r.pid);
    if (l && l.includes(rqId)) plugSet(r.pid, l.filter((x) => x !== rqId));
  };
  /** A request moves: so do the bios inside it (their place follows). */
  const moveRq = (id: number, place: Place, patch: Partial<EntState> = {}) => {
    const s = cur.get(`rq:${id}`);
    if (!s) return;
    move(s.key, place, patch);
    if (s.place === place) return;
    for (const bid of carried(replay, cur.get(s.key)!)) {
      const bs = cur.get(`bio:${bid}`);
      if (bs && bs.in === id) set({ ...bs, place, since: index });
    }
  };

  for (let k = 0; k < maxKey; k++) {
    const refs = buckets[k];
    const ev = extra.get(k);
    if (!refs && !ev) continue;
    index = replay.frames.length;
    changes = new Map<string, Change>();
    plugChanges = new Map<number, PlugChange>();
    touches = new Set<string>();
    c = { ...counters };
    let bad = false;

    let primary: StepRef | undefined;
    const texts: string[] = [];
    let root: number | undefined;
    const countedCmd = new Set<number>();

    for (const ref of refs ?? []) {
      const { s } = ref;
      if (s.bad) bad = true;
      if (ref.owner === "bio") {
        const key = `bio:${ref.id}`;
        const b = m.bios.get(ref.id)!;
        root ??= b.root;
        switch (s.action) {
          case "Q":
            if (!cur.has(key)) { set({ key, kind: "bio", id: b.id, place: "task", sector: b.sector, sectors: b.sectors, rwbs: b.rwbs, dev: b.dev, since: index }); c.bios++; }
            else touches.add(key);
            break;
          case "A": {
            if (!cur.has(key)) c.bios++;
            set({ key, kind: "bio", id: b.id, place: "dm", sector: b.sector, sectors: b.sectors, rwbs: b.rwbs, dev: b.dev, since: cur.get(key)?.place === "dm" ? cur.get(key)!.since : index });
            c.remaps++;
            const pk = `bio:${b.parent}`;
            const ps = cur.get(pk);
            // the original waits in dm for its clones (dm_io), then ends when they all have
            if (ps && ps.in === undefined && ps.place === "task") move(pk, "dm");
            else if (ps) touches.add(pk);
            break;
          }
          case "X": {
            if (!cur.has(key)) c.bios++;
            set({ key, kind: "bio", id: b.id, place: "split", sector: b.sector, sectors: b.sectors, rwbs: b.rwbs, dev: b.dev, since: index });
            c.splits++;
            const pk = `bio:${b.parent}`;
            const ps = cur.get(pk);
            // bio_split: the original keeps the rest, from the split point on, and is resubmitted
            if (ps && ps.in === undefined) move(pk, "split", { sector: ps.sector + b.sectors, sectors: Math.max(0, ps.sectors - b.sectors) });
            break;
          }
          case "G":
            if (s.rq !== undefined) { ensureRq(s.rq); bioIn(b.id, s.rq); }
            break;
          case "M":
          case "F":
            if (s.rq !== undefined) { bioIn(b.id, s.rq); c.merges++; }
            break;
          case "C":
            move(key, "done", { in: undefined });
            c.completed++;
            if (s.bad) c.errors++;
            break;
          default: {
            const st = cur.get(key);
            if (st && s.lane === "dm" && /^parked in copy context/.test(s.text) && st.in === undefined) move(key, "dm");
            else if (st && s.bad && !st.bad) move(key, st.place, { bad: true });
            else touches.add(key);
          }
        }
      } else {
        const key = `rq:${ref.id}`;
        const r = m.rqs.get(ref.id)!;
        if (root === undefined && r.bios.length) root = m.bios.get(r.bios[0])?.root;
        switch (s.action) {
          case "G": {
            ensureRq(r.id);
            // a request allocated while the task's plug list held others joins that list without a P
            if (r.plugged && !hasP.has(r.id)) {
              moveRq(r.id, "plug");
              plugSet(r.pid, [...(plugs.get(r.pid) ?? []), r.id]);
            }
            break;
          }
          case "P":
            ensureRq(r.id);
            moveRq(r.id, "plug");
            if (!(plugs.get(r.pid) ?? []).includes(r.id)) plugSet(r.pid, [...(plugs.get(r.pid) ?? []), r.id]);
            break;
          case "M":
          case "F": {
            const st = cur.get(key);
            if (!st) break;
            const bio = s.bio !== undefined ? m.bios.get(s.bio) : undefined;
            const add = bio?.sectors ?? 0;
            if (s.action === "M") set({ ...st, m: (st.m ?? 0) + 1, sectors: st.sectors + add });
            else set({ ...st, f: (st.f ?? 0) + 1, sector: st.sector - add, sectors: st.sectors + add });
            break;
          }
          case "U":
          case "UT":
            removeFromPlug(r.id);
            moveRq(r.id, "rq");
            break;
          case "D":
            removeFromPlug(r.id);
            if (cur.get(key)?.place === "plug") moveRq(r.id, "rq");
            else touches.add(key);
            c.dispatched++;
            break;
          case "R":
            moveRq(r.id, "rq", { bad: true });
            break;
          case "cmd": {
            const n = Number(/#(\d+)/.exec(s.text)?.[1]);
            const ci = cmdBySeq.get(n);
            moveRq(r.id, "nvme");
            if (ci && !countedCmd.has(ci.index)) {
              countedCmd.add(ci.index);
              const ck = `cmd:${ci.index}`;
              if (!cur.has(ck)) {
                set({ key: ck, kind: "cmd", id: ci.index, place: "nvme", sector: ci.record.slba ?? 0, sectors: ci.record.blocks ?? 0, rwbs: ci.record.name, dev: ci.record.disk, since: index });
                c.commands++;
              } else touches.add(ck);
            }
            break;
          }
          case "cqe": {
            const n = Number(/#(\d+)/.exec(s.text)?.[1]);
            const ci = cmdBySeq.get(n);
            if (ci && !countedCmd.has(ci.index)) {
              countedCmd.add(ci.index);
              const ck = `cmd:${ci.index}`;
              if (cur.get(ck)?.place !== "done") {
                move(ck, "done", { status: ci.statusName, bad: !ci.ok });
                c.cqes++;
              }
            }
            touches.add(key);
            break;
          }
          case "C": {
            const st = cur.get(key);
            if (!st) break;
            moveRq(r.id, "done", { bad: !!s.bad || st.bad });
            c.completed += carried(replay, cur.get(key)!).length;
            if (s.bad) c.errors++;
            break;
          }
          default: {
            const st = cur.get(key);
            if (!st) break;
            if (s.lane === "nvme" && /^not sent/.test(s.text)) moveRq(r.id, "nvme", { bad: true });
            else if (s.bad && !st.bad) move(key, st.place, { bad: true });
            else touches.add(key);
          }
        }
      }
    }

    // the frame's words: the step that says why (a request's step when both do), else the first
    let text = "";
    let why: string | undefined;
    let subject = "";
    let action = "";
    let lane: Place = "task";
    let time_ns = 0;
    let order = k / 4;
    const flush = ev && flushBySeq.get(ev.seq);
    if (flush) {
      lastFlush = flush.index;
      c.flushes++;
      const ids = flush.list.map((p) => p.rq);
      subject = `${flush.comm} (pid ${flush.pid})`;
      action = flush.kind;
      lane = "plug";
      time_ns = flush.time_ns;
      text = `${flush.kind} plug flush #${flush.index + 1} (depth ${flush.depth}): ${ids.length ? `hands rq ${listText(ids)} to ${flush.dev}` : `nothing plugged for ${flush.dev}`}`;
      why = flush.why;
      order = flush.seq;
    } else if (refs) {
      for (const ref of refs) {
        if (!primary) { primary = ref; continue; }
        const better = (ref.s.reason && !primary.s.reason) || (!!ref.s.reason === !!primary.s.reason && ref.owner === "rq" && primary.owner === "bio" && ref.s.action !== "G");
        if (better) primary = ref;
      }
      const p = primary!;
      subject = `${p.owner} ${p.id}`;
      action = p.s.action;
      lane = p.s.lane;
      time_ns = p.s.time_ns;
      order = p.s.order;
      text = `${subject}: ${p.s.text}`;
      why = p.s.reason ?? fallbackWhy(m, p);
      for (const ref of refs) {
        if (ref === p) continue;
        const t = `${ref.owner} ${ref.id}: ${ref.s.text}`;
        if (ref.s.text !== p.s.text && !texts.includes(t) && texts.length < 8) texts.push(t);
      }
    } else if (ev) {
      const t = ev.text ?? "";
      action = "m";
      time_ns = ev.time_ns;
      order = ev.seq;
      lane = /^dm: /.test(t) ? "dm" : "task";
      let mm: RegExpExecArray | null;
      if ((mm = /^copy: #(\d+) (\w+): (\d+) bytes from (\S+) \((\d+) segment\(s\)\) to (\S+)/.exec(t))) {
        subject = `copy #${mm[1]}`;
        text = `${subject}: ${ev.comm} (pid ${ev.pid}) calls copy(): ${fmtBytes(Number(mm[3]))} ${mm[4]} → ${mm[6]}, ${mm[2]} design`;
        why = `copy() runs the ${mm[2]} design (the destination device's, or the caller's choice): it tries to offload and falls back to read+write for what it cannot`;
        const cp = copyById.get(Number(mm[1]));
        root = cp?.bios[0] ?? cp?.emuBios[0];
      } else if ((mm = /^copy: #(\d+) falling back to read\+write for (\d+) bytes: (.*)$/.exec(t))) {
        subject = `copy #${mm[1]}`;
        text = `${subject}: falls back to read+write for ${fmtBytes(Number(mm[2]))}`;
        why = mm[3];
        bad = true;
      } else if ((mm = /^copy: #(\d+) (\d+) bytes not copied: (.*?)(?: \(fallback off\))?$/.exec(t))) {
        subject = `copy #${mm[1]}`;
        text = `${subject}: ${fmtBytes(Number(mm[2]))} not copied`;
        why = mm[3];
        bad = true;
      } else {
        text = `${ev.comm}: ${t}`;
      }
    }
    counters = c;
    const frame: ReplayFrame = {
      index, order, time_ns, action, lane, subject, text, why, also: texts, bad,
      touches: [...touches], changes: [...changes.values()], plugChanges: [...plugChanges.values()], counters: c, lastFlush, root,
    };
    replay.frames.push(frame);
  }
  replay.cursor = new ReplayCursor(replay);
  return replay;
}

function listText(ids: number[]): string {
  if (ids.length > 6) return `${ids.slice(0, 5).join(", ")} … ${ids[ids.length - 1]} (${ids.length} requests)`;
  return ids.join(", ");
}

// ---- the cursor: what is where after `pos` frames ----

export interface ChipView {
  key: string;
  kind: EntState["kind"];
  id: number;
  label: string;
  /** Requests: the bios inside it now. */
  bios: number[];
  /** Of those, the 2026 design's SRC bios riding with their context's DST bio. */
  riders: number[];
  bad: boolean;
  touched: boolean;
  status?: string;
  /** The bio whose story a click shows (a bio's root). */
  root?: number;
}

export interface LaneView {
  id: Place;
  title: string;
  /** How many are in the lane; chips holds at most `cap` of them (the touched ones and the newest). */
  count: number;
  chips: ChipView[];
  more: number;
}

export interface PlugView {
  pid: number;
  comm: string;
  entries: Array<{ rq: number; bios: number[]; rwbs: string; sector: number; sectors: number; dev: string; text: string }>;
}

export interface ReplayView {
  pos: number;
  total: number;
  frame?: ReplayFrame;
  time_ns: number;
  lanes: LaneView[];
  plugs: PlugView[];
  lastFlush?: FlushInfo;
  counters: Counters;
}

/**
 * Holds the state after `pos` frames and moves it by applying frames (forward) or their
 * changes' `before` (backward): a seek costs the frames crossed, and seeks near the far end
 * start from there (the start is empty; the end state is kept once reached).
 */
export class ReplayCursor {
  pos = 0;
  private ents = new Map<string, EntState>();
  private lanes = new Map<Place, Set<string>>();
  private plugs = new Map<number, number[]>();

  constructor(private readonly r: Replay) {
    for (const p of PLACES) this.lanes.set(p.id, new Set());
  }

  get total(): number { return this.r.frames.length; }

  /** Moves to `pos` (clamped to 0..total) frames applied. */
  seek(pos: number): void {
    const to = Math.max(0, Math.min(this.total, Math.floor(pos)));
    if (to === 0 && this.pos > 1) { this.reset(); return; }
    while (this.pos < to) this.apply(this.r.frames[this.pos++], true);
    while (this.pos > to) this.apply(this.r.frames[--this.pos], false);
  }

  private reset(): void {
    this.ents.clear();
    for (const s of this.lanes.values()) s.clear();
    this.plugs.clear();
    this.pos = 0;
  }

  private apply(f: ReplayFrame, forward: boolean): void {
    const list = forward ? f.changes : [...f.changes].reverse();
    for (const ch of list) this.put(ch.key, forward ? ch.after : ch.before);
    for (const pc of f.plugChanges) {
      const l = forward ? pc.after : pc.before;
      if (l.length) this.plugs.set(pc.pid, l); else this.plugs.delete(pc.pid);
    }
  }

  private put(key: string, s: EntState | undefined): void {
    const old = this.ents.get(key);
    if (old && !(old.kind === "bio" && old.in !== undefined)) this.lanes.get(old.place)!.delete(key);
    if (!s) { this.ents.delete(key); return; }
    this.ents.set(key, s);
    if (!(s.kind === "bio" && s.in !== undefined)) this.lanes.get(s.place)!.add(key);
  }

  /** Where something is now (a bio inside a request is where the request is). */
  locate(key: string): { place: Place; in?: number } | undefined {
    const s = this.ents.get(key);
    if (!s) return undefined;
    if (s.kind === "bio" && s.in !== undefined) return { place: this.ents.get(`rq:${s.in}`)?.place ?? s.place, in: s.in };
    return { place: s.place };
  }

  state(key: string): EntState | undefined { return this.ents.get(key); }

  /** Every bio seen so far with where it is. */
  bioPlaces(): Map<number, Place> {
    const out = new Map<number, Place>();
    for (const s of this.ents.values()) if (s.kind === "bio") out.set(s.id, this.locate(s.key)!.place);
    return out;
  }

  /** What the stage shows: each lane's chips (at most `cap`), the plug lists, the frame's words. */
  view(cap = 12): ReplayView {
    const r = this.r;
    const frame = this.pos > 0 ? r.frames[this.pos - 1] : undefined;
    const touched = new Set(frame?.touches ?? []);
    const lanes: LaneView[] = PLACES.map((p) => {
      const keys = this.lanes.get(p.id)!;
      const picked = pickChips(keys, (k) => this.ents.get(k)!, touched, cap);
      return {
        id: p.id, title: p.title, count: keys.size, more: keys.size - picked.length,
        chips: picked.map((s) => this.chip(s, touched)),
      };
    });
    const plugs: PlugView[] = [];
    for (const [pid, list] of this.plugs) {
      const t = r.model.tasks.find((x) => x.pid === pid);
      const comm = t?.comm ?? r.model.rqs.get(list[0])?.comm ?? String(pid);
      plugs.push({
        pid, comm, entries: list.map((id) => {
          const s = this.ents.get(`rq:${id}`);
          const rq = r.model.rqs.get(id)!;
          const bios = s ? rqBios(r, s) : [];
          const sector = s?.sector ?? rq.sector, sectors = s?.sectors ?? rq.sectors;
          return {
            rq: id, bios, rwbs: rq.rwbs, sector, sectors, dev: rq.dev,
            text: `rq ${id}: bio${bios.length === 1 ? "" : "s"} ${bios.join(", ")} (${rq.rwbs} ${sector}+${sectors}, ${fmtBytes(sectors * 512)})`,
          };
        }),
      });
    }
    plugs.sort((a, b) => a.pid - b.pid);
    return {
      pos: this.pos, total: this.total, frame, time_ns: frame?.time_ns ?? 0, lanes, plugs,
      lastFlush: frame && frame.lastFlush >= 0 ? r.model.flushes[frame.lastFlush] : undefined,
      counters: frame?.counters ?? { ...ZERO },
    };
  }

  private chip(s: EntState, touched: Set<string>): ChipView {
    const r = this.r;
    const bios = s.kind === "rq" ? carried(r, s) : s.kind === "bio" ? [s.id] : [];
    const riders = s.kind === "rq" ? bios.filter((b) => r.model.bios.get(b)?.ctx?.side === "SRC" && !r.model.bios.get(b)?.rq) : [];
    let hit = touched.has(s.key);
    if (!hit && s.kind === "rq") hit = bios.some((b) => touched.has(`bio:${b}`));
    return {
      key: s.key, kind: s.kind, id: s.id, label: entLabel(r, s), bios, riders, bad: !!s.bad, touched: hit, status: s.status,
      root: s.kind === "bio" ? r.model.bios.get(s.id)?.root : bios.length ? r.model.bios.get(bios[0])?.root : undefined,
    };
  }
}

/** The chips a lane shows: the ones the frame touched, then the newest arrivals; in arrival order. */
function pickChips(keys: Set<string>, get: (k: string) => EntState, touched: Set<string>, cap: number): EntState[] {
  const all: EntState[] = [];
  if (keys.size <= cap) {
    for (const k of keys) all.push(get(k));
    return all.sort(byArrival);
  }
  const must: EntState[] = [];
  const top: EntState[] = []; // newest `room`, kept sorted oldest first; bounded by cap
  for (const k of keys) {
    const s = get(k);
    if (touched.has(k) && must.length < cap) { must.push(s); continue; }
    const room = cap - must.length;
    if (top.length < room) { insertSorted(top, s); continue; }
    if (room > 0 && byArrival(s, top[0]) > 0) { top.shift(); insertSorted(top, s); }
  }
  while (top.length + must.length > cap) top.shift();
  return [...must, ...top].sort(byArrival);
}

function byArrival(a: EntState, b: EntState): number {
  return a.since - b.since || (a.kind === b.kind ? a.id - b.id : a.kind < b.kind ? -1 : 1);
}

function insertSorted(list: EntState[], s: EntState): void {
  let i = list.length;
  while (i > 0 && byArrival(list[i - 1], s) > 0) i--;
  list.splice(i, 0, s);
}

/** The state after k frames (k = 0: before the first; k = frames.length: the end of the run). */
export function stateAt(r: Replay, k: number, cap = 12): ReplayView {
  r.cursor.seek(k);
  return r.cursor.view(cap);
}

/** Frame index (0-based) of the first frame at or after a position whose text matches. */
export function findFrame(r: Replay, test: (f: ReplayFrame) => boolean, from = 0): number {
  for (let i = Math.max(0, from); i < r.frames.length; i++) if (test(r.frames[i])) return i;
  return -1;
}
