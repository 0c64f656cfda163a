// The block layer's event stream, in blktrace's terms (kernel/trace/blktrace.c actions): one
// record per decision, with the modelled time, CPU, task, device and sectors, plus ids that
// link bios, requests and NVMe commands. blkparse's default text format is one reader of it
// (blkparse.ts); JSON output and the page are others.

import { Op, REQ_FUA, REQ_META, REQ_PREFLUSH, REQ_SYNC } from "./bio";

/**
 * Actions: Q queued, X split, A remapped, G get request, P plug, I inserted, D issued,
 * C completed, M back merge, F front merge, U unplug, UT unplug from schedule, S sleep (no
 * tag), R requeue, m a text message (copy decisions are messages: see docs/BLOCK.md).
 */
export type Action = "Q" | "X" | "A" | "G" | "P" | "I" | "D" | "C" | "M" | "F" | "U" | "UT" | "S" | "R" | "m";

export interface BlkEvent {
  /** The order of the event in the whole run (the page and the JSON order by it). */
  seq: number;
  /**
   * blktrace's sequence number: counted per device (each has its own blk_trace) and per CPU
   * (__blk_add_trace: ++*per_cpu_ptr(bt->sequence, cpu)); a message (trace_note) has 0 and
   * takes no number. Absent in events made by hand: blkparse then prints seq.
   */
  sequence?: number;
  time_ns: number;
  cpu: number;
  pid: number;
  comm: string;
  major: number;
  minor: number;
  action: Action;
  rwbs: string;
  sector: number;
  sectors: number;
  /** C: the blk_status name when not OK. */
  error?: string;
  /** U/UT: requests flushed. */
  depth?: number;
  /** X: where the split's second part starts. */
  splitAt?: number;
  /** A: the device and sector the bio came from. */
  fromMajor?: number;
  fromMinor?: number;
  fromSector?: number;
  /** m: the message text. */
  text?: string;
  bio?: number;
  rq?: number;
}

/** An NVMe command the host driver issued for a request, with its outcome. */
export interface NvmeCommandRecord {
  seq: number;
  time_ns: number;
  done_ns?: number;
  disk: string;
  rq: number;
  qid: number;
  cid: number;
  opcode: number;
  name: string;
  nsid: number;
  /** Read/Write/Write Zeroes/Verify: SLBA; Copy: SDLBA. */
  slba?: number;
  /** 1-based block count (Read/Write/Write Zeroes; Copy: the sum of its ranges). */
  blocks?: number;
  /** DSM and Copy: the number of ranges (NR + 1). */
  nr?: number;
  /** DSM: {slba, nlb}; Copy: {slba, nlb, nsid?}. nlb is 1-based here. */
  ranges?: Array<{ slba: number; nlb: number; nsid?: number }>;
  status?: number;
  dw0?: number;
}

/** blk_fill_rwbs: F (preflush) then D/W/R/N, then F (FUA), S (sync), M (meta). Copies: C + R/W. */
export function rwbs(op: Op, flags: number, bytes: number): string {
  let s = "";
  if (flags & REQ_PREFLUSH) s += "F";
  switch (op) {
    case Op.WRITE: s += "W"; break;
    case Op.DISCARD: s += "D"; break;
    case Op.READ: s += "R"; break;
    case Op.FLUSH: s += "F"; break;
    case Op.COPY_SRC: s += "CR"; break;
    case Op.COPY_DST: case Op.COPY: s += "CW"; break;
    case Op.WRITE_ZEROES: s += "WZ"; break;
    default: s += bytes > 0 ? "W" : "N";
  }
  if (flags & REQ_FUA) s += "F";
  if (flags & REQ_SYNC) s += "S";
  if (flags & REQ_META) s += "M";
  return s.slice(0, 4);
}

export class Tracer {
  readonly events: BlkEvent[] = [];
  readonly commands: NvmeCommandRecord[] = [];
  private seq = 0;
  /** Record block events (off for long workloads: fio runs keep counters, not traces). */
  on = true;
  /** Keep every NVMe command record (off with `on` for long workloads). */
  keepCommands = true;
  /** maxEvents bounds the recorded events: a runaway scenario stops with a clear error, not an OOM. */
  constructor(readonly maxEvents = 2_000_000) {}

  emit(e: Omit<BlkEvent, "seq" | "sequence">): void {
    if (!this.on) return;
    if (this.events.length >= this.maxEvents) throw new Error(`trace limit reached: more than ${this.maxEvents} block events`);
    // a message (trace_note) takes no number; nor does S, which blktrace no longer records (blkparse.ts inBlktrace)
    const numbered = e.action !== "m" && e.action !== "S";
    this.events.push({ seq: ++this.seq, sequence: numbered ? this.nextSequence(e.major, e.minor, e.cpu) : 0, ...e });
  }

  /** Per device and CPU: the last blktrace sequence number given (MKDEV-like key, then the CPU). */
  private readonly sequences = new Map<number, number>();

  private nextSequence(major: number, minor: number, cpu: number): number {
    const key = ((major * 1048576 + minor) * 4096) + cpu;
    const n = (this.sequences.get(key) ?? 0) + 1;
    this.sequences.set(key, n);
    return n;
  }

  /** Number a command's record and keep it in `commands` (unless keepCommands is off); the caller fills in the rest later. */
  command(r: NvmeCommandRecord): NvmeCommandRecord {
    r.seq = this.commands.length + 1;
    if (this.keepCommands) this.commands.push(r);
    return r;
  }
}
