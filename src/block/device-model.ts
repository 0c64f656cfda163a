// How long the device takes: the modelled-time side of the NVMe controller. The controller
// itself runs instantly (stepped); this model says when each command's completion is posted,
// from the resources it uses, each with a unit and a physical meaning:
// - the link: PCIe per direction (host->device for write data, device->host for read data),
//   its usable bandwidth after encoding and TLP/DLLP overhead;
// - the controller's firmware time per command;
// - the media: channels x dies; a page read (tR) or program (tPROG) occupies its die, the
//   transfer between die and controller occupies the channel; pages are striped over the
//   dies channel first, so consecutive pages run in parallel;
// - a write cache: writes complete once their data is in the cache; programs still occupy
//   the dies (a later read or flush waits for them); a flush waits for every program; the
//   buffer fills whole pages, so a write's share of a page program is its share of the page;
// - null_blk-like devices: a fixed completion time per command and an optional bandwidth
//   cap (null_blk's completion_nsec and mbps).
// Every resource is a timeline (free_at_ns): a use starts when both the request and the
// resource are ready, so queueing, parallelism and saturation follow from the parameters.
// Deterministic: the same commands in the same order give the same times.

export type ModelOp = "read" | "write" | "copy" | "flush" | "dsm" | "write_zeroes" | "other";

/** One command as the model sees it. */
export interface ModelCommand {
  op: ModelOp;
  /** Bytes of data over the link (read or write payload; a Copy's range list is negligible). */
  bytes: number;
  /** Read/write: byte offset of the data on the namespace. Copy: the destination's. */
  offset: number;
  /** Copy: source ranges on the media, [byte offset, bytes]. */
  sources?: Array<[number, number]>;
  /** The host's I/O queue it went to (0-based): a fabric target serves each queue on one CPU. */
  queue?: number;
  /** Write: Force Unit Access (CDW12 bit 30): complete only once the data is on the media. */
  fua?: boolean;
}

/**
 * A ModelCommand with every field present, so all of them share one object shape (the models
 * read them per command).
 */
export function modelCommand(op: ModelOp, bytes: number, offset: number, queue = 0, sources?: Array<[number, number]>, fua = false): ModelCommand {
  return { op, bytes, offset, sources, queue, fua };
}

/** complete() returns this when the completion time depends on later events: the model calls ModelHost.resolved(token, t) then. */
export const MODEL_PENDING = -1;

/** What a model that decides later needs from the clock (given once by bind()). */
export interface ModelHost {
  /** Run fn(arg) at modelled time t_ns, after the events already due then. */
  at<A>(t_ns: number, fn: (arg: A) => void, arg: A): void;
  /** The command complete() was given token for now has its completion time. */
  resolved(token: object, done_ns: number): void;
}

export interface DeviceModel {
  readonly name: string;
  /**
   * The command arrives at now_ns (doorbell); returns when its completion is posted. A bound
   * model given a token may return MODEL_PENDING instead, and resolve the token later.
   */
  complete(c: ModelCommand, now_ns: number, token?: object): number;
  /** The clock's side, for models that book work when an earlier part ends (see MODEL_PENDING). */
  bind?(host: ModelHost): void;
  /**
   * The clock has reached now_ns: reservations that ended before it can be forgotten. Only the
   * caller knows the real time (complete() is also called with later arrival times, e.g. by a
   * fabric's target), so it says so here.
   */
  advance?(now_ns: number): void;
  /**
   * Read data reaches the host through its CPU (NVMe/TCP copies each received byte from the
   * socket into the request's pages), not by DMA: the host CPU model charges copy_ns_per_byte.
   */
  readonly hostCopiesReads?: boolean;
  /** Busy time per resource so far (ns), for utilisation. */
  busy(): Record<string, number>;
}

/** PCIe generations: GT/s per lane and encoding efficiency (8b/10b, 128b/130b, 242B/256B FLIT). */
const PCIE_GEN: Record<number, { gts: number; enc: number }> = {
  1: { gts: 2.5, enc: 8 / 10 }, 2: { gts: 5, enc: 8 / 10 }, 3: { gts: 8, enc: 128 / 130 },
  4: { gts: 16, enc: 128 / 130 }, 5: { gts: 32, enc: 128 / 130 }, 6: { gts: 64, enc: 242 / 256 },
};

/**
 * Usable PCIe bandwidth in bytes/s per direction: lanes x GT/s x encoding, less the TLP
 * overhead for max_payload bytes of data per TLP (framing 2 + sequence 2 + header 16 (4DW with
 * 64-bit addresses) + LCRC 4 = 24 bytes), less DLLP traffic (ACKs, flow control; ~2%).
 */
export function pcieBytesPerS(gen: number, lanes: number, maxPayload = 256, dllpShare = 0.02): number {
  const g = PCIE_GEN[gen];
  if (!g) throw new Error(`PCIe generation ${gen} is not one of ${Object.keys(PCIE_GEN).join(", ")}`);
  if (![1, 2, 4, 8, 16].includes(lanes)) throw new Error(`PCIe lanes ${lanes} is not 1, 2, 4, 8 or 16`);
  const raw = (lanes * g.gts * 1e9 * g.enc) / 8;
  return raw * (maxPayload / (maxPayload + 24)) * (1 - dllpShare);
}

/** The model's parameters (docs/TIMING.md explains each). */
export interface DeviceModelParams {
  name: string;
  /** Firmware time per command before anything else (ns). */
  cmd_overhead_ns: number;
  /** Firmware time of a read of up to 4 KiB, and of a larger read (ns, per command). */
  read_fw_4k_ns: number;
  read_fw_ns: number;
  /** Firmware time of a write into the cache: per command plus per 4 KiB (ns). */
  write_fw_ns: number;
  write_fw_per_4k_ns: number;
  /** Link bandwidth per direction (bytes/s); 0 = no link limit (null_blk). */
  link_bytes_per_s: number;
  /** null_blk: the fixed completion time (ns) instead of the media; 0 = use the media. */
  completion_ns: number;
  /** null_blk's mbps: a cap over all data (bytes/s); 0 = none. */
  cap_bytes_per_s: number;
  /** The media; null for null_blk-like devices. */
  media: null | {
    channels: number;
    dies_per_channel: number;
    page_bytes: number;
    /** tR for a read of up to 4 KiB, and for a whole page (ns). */
    read_4k_ns: number;
    read_page_ns: number;
    /** tPROG per page (ns). */
    program_ns: number;
    channel_bytes_per_s: number;
  };
  /** Writes complete when cached (the media programs behind). */
  write_cache: boolean;
  /** The write buffer's size: data cached and not yet programmed; a write waits for room (0: unbounded). */
  write_buffer_bytes: number;
  /** Copy without media (null_blk-like): internal bytes/s; 0 = instant after completion_ns. */
  copy_bytes_per_s: number;
}

/** null_blk with completion_nsec (and mbps): every command completes after the same time. */
export function nullBlkParams(completion_ns = 10_000, mbps = 0): DeviceModelParams {
  return {
    name: `null_blk (completion_nsec=${completion_ns}${mbps ? `, mbps=${mbps}` : ""})`,
    cmd_overhead_ns: 0, read_fw_4k_ns: 0, read_fw_ns: 0, write_fw_ns: 0, write_fw_per_4k_ns: 0, link_bytes_per_s: 0,
    completion_ns, cap_bytes_per_s: mbps * 1e6, media: null, write_cache: false, write_buffer_bytes: 0, copy_bytes_per_s: 0,
  };
}

/**
 * A Samsung 970 PRO as NVMeVirt models it (snu-csl/nvmevirt ssd_config.h, SAMSUNG_970PRO):
 * 8 channels x 2 dies, 32 KiB pages, channels at 800 MB/s, PCIe 3360 MB/s (we use Gen3 x4's
 * computed figure, 3.49 GB/s), 4 KiB tR 35.76 us, page tR 36.01 us, tPROG 190 us, firmware
 * 8.5 us for a 4 KiB read and 10.74 us for a larger one, write buffer with early completion
 * (4 us per command + 0.46 us per 4 KiB) of channels x dies x page x 2 = 1 MiB.
 */
export function tlc970ProParams(): DeviceModelParams {
  return {
    name: "TLC SSD (Samsung 970 PRO as NVMeVirt models it)",
    cmd_overhead_ns: 0, read_fw_4k_ns: 8_500, read_fw_ns: 10_740, write_fw_ns: 4_000, write_fw_per_4k_ns: 460, link_bytes_per_s: pcieBytesPerS(3, 4),
    completion_ns: 0, cap_bytes_per_s: 0,
    media: { channels: 8, dies_per_channel: 2, page_bytes: 32 * 1024, read_4k_ns: 35_760, read_page_ns: 36_013, program_ns: 190_000, channel_bytes_per_s: 800e6 },
    write_cache: true, write_buffer_bytes: 8 * 2 * 32 * 1024 * 2, copy_bytes_per_s: 0,
  };
}

/** One reservation of a timeline: [start_ns, end_ns), linked to its neighbours in time. */
class Reservation {
  // doubles from the start, so the fields keep one representation
  start_ns = 0.5;
  end_ns = 0.5;
  prev: Reservation | null = null;
  /** The next reservation in time, or (while on the spare chain) the next spare one. */
  next: Reservation | null = null;
}

/**
 * The model's clock as its timelines see it: every later use starts at or after now_ns (the
 * caller's real time, given by DeviceModel.advance), so a reservation that ended before it can
 * never be reached again.
 */
export class TimelineClock {
  // doubles from the start, so the fields keep one representation
  now_ns = -Infinity;
  /**
   * The use Timeline.book books: from no earlier than at_ns for dur_ns; book leaves at_ns at
   * the use's end, where a command's next step starts. Fields, not arguments: a double passed
   * to or returned from a call V8 does not inline is boxed (a HeapNumber per use).
   */
  at_ns = 0.5;
  dur_ns = 0.5;
}

/**
 * A resource's timeline: the intervals it is reserved for, in time order. A use goes into the
 * first gap at or after its start that is long enough, so work reserved for the future (a
 * program after a read, a response after the device) does not hold up work that can run now
 * (a die idle until then serves a read at once). Intervals that ended before the model's
 * clock are dropped (prune), so a timeline stays short.
 *
 * The intervals are a doubly linked list of pooled objects (no allocation per use once warm).
 * A use lands at or near the end (the next transfer on a link, a read queued on its die), so
 * the search walks back from the last interval, and an interval put between others is linked
 * in: nothing moves (a link's timeline holds every transfer in flight; moving them in an array
 * was most of a read's cost).
 */
export class Timeline {
  private first: Reservation | null = null;
  private last: Reservation | null = null;
  /** Reservations dropped by prune or merged away, kept for the next uses (chained by next). */
  private spare: Reservation | null = null;
  busy_ns = 0;

  /** clock: shared with the model's other timelines; without one, only prune() forgets. */
  constructor(private readonly clock: TimelineClock = new TimelineClock()) {}

  /** When it is free of every reservation. */
  get free_ns(): number {
    return this.last !== null ? this.last.end_ns : 0;
  }

  /** Use it for dur_ns from no earlier than at_ns; returns when the use ends. */
  use(at_ns: number, dur_ns: number): number {
    const k = this.clock;
    k.at_ns = at_ns;
    k.dur_ns = dur_ns;
    this.book();
    return k.at_ns;
  }

  /** use() with its times in the clock's fields: at_ns, dur_ns in; at_ns is the use's end on return. */
  book(): void {
    const k = this.clock;
    const at_ns = k.at_ns;
    const dur_ns = k.dur_ns;
    this.busy_ns += dur_ns;
    const last = this.last;
    // The common case: at or after every reservation (append, or extend the last one).
    if (last === null || last.end_ns <= at_ns) {
      const end = at_ns + dur_ns;
      k.at_ns = end;
      if (dur_ns <= 0) return;
      if (last !== null && last.end_ns === at_ns) last.end_ns = end;
      else this.insertBefore(null, at_ns, end);
      return;
    }
    // The next common case: only the last reservation ends after at_ns and the use does not
    // fit before it (a busy die's queue): it follows the last one, which grows.
    const prev = last.prev;
    if ((prev === null || prev.end_ns <= at_ns) && !(at_ns + dur_ns <= last.start_ns)) {
      const end = last.end_ns + dur_ns;
      k.at_ns = end;
      if (dur_ns > 0) last.end_ns = end;
      return;
    }
    k.at_ns = this.useGap(last, at_ns, dur_ns);
  }

  /** use() when the last reservation ends after at_ns: the first gap from at_ns that fits. */
  private useGap(last: Reservation, at_ns: number, dur_ns: number): number {
    // the first reservation that ends after at_ns (the last one does): walk back from the end
    let r: Reservation | null = last;
    for (let p = last.prev; p !== null && p.end_ns > at_ns; p = p.prev) r = p;
    // from there, the first gap that is long enough (or after the last reservation: r = null)
    let start = at_ns;
    for (; r !== null; r = r.next) {
      if (start + dur_ns <= r.start_ns) break; // fits in the gap before reservation r
      start = Math.max(start, r.end_ns);
    }
    const end = start + dur_ns;
    if (dur_ns <= 0) return end;
    // coalesce with the reservations it touches: the list stays short and the walks cheap
    const prev = r !== null ? r.prev : last;
    const joinsPrev = prev !== null && prev.end_ns === start;
    const joinsNext = r !== null && r.start_ns === end;
    if (joinsPrev && joinsNext) { prev!.end_ns = r!.end_ns; this.remove(r!); }
    else if (joinsPrev) prev!.end_ns = end;
    else if (joinsNext) r!.start_ns = start;
    else this.insertBefore(r, start, end);
    return end;
  }

  /**
   * Link a new interval [start, end) in before next (null: after the last). The first
   * reservation is reused if it ended before the clock (no use can reach it: prune would drop
   * it), so a timeline forgets as it goes and prune finds little left.
   */
  private insertBefore(next: Reservation | null, start: number, end: number): void {
    let r = this.first;
    if (r !== null && r.end_ns < this.clock.now_ns) {
      if (r === this.last) {
        // every reservation has ended (an idle die's next read): the new one is the only one
        r.start_ns = start;
        r.end_ns = end;
        return;
      }
      const after = r.next;
      this.first = after;
      if (after !== null) after.prev = null;
      else this.last = null;
    } else {
      r = this.spare ?? new Reservation();
      this.spare = r.next;
    }
    r.start_ns = start;
    r.end_ns = end;
    const prev = next !== null ? next.prev : this.last;
    r.prev = prev;
    r.next = next;
    if (prev !== null) prev.next = r;
    else this.first = r;
    if (next !== null) next.prev = r;
    else this.last = r;
  }

  /** Unlink r and keep it as a spare. */
  private remove(r: Reservation): void {
    const prev = r.prev;
    const next = r.next;
    if (prev !== null) prev.next = next;
    else this.first = next;
    if (next !== null) next.prev = prev;
    else this.last = prev;
    r.prev = null;
    r.next = this.spare;
    this.spare = r;
  }

  /** Whether a reservation covers t_ns. */
  busyAt(t_ns: number): boolean {
    let r = this.last;
    if (r === null || r.end_ns <= t_ns) return false;
    for (let p = r.prev; p !== null && p.end_ns > t_ns; p = p.prev) r = p;
    return r.start_ns <= t_ns;
  }

  /** Drop reservations that ended before now_ns. */
  prune(now_ns: number): void {
    const first = this.first;
    if (first === null || !(first.end_ns < now_ns)) return;
    // the ended prefix goes to the spares as one piece
    let lastEnded = first;
    while (lastEnded.next !== null && lastEnded.next.end_ns < now_ns) lastEnded = lastEnded.next;
    const kept = lastEnded.next;
    this.first = kept;
    if (kept !== null) kept.prev = null;
    else this.last = null;
    lastEnded.next = this.spare;
    this.spare = first;
  }
}

/** Forget past write-buffer entries at most this often (model time): they only lengthen its scans. */
const PRUNE_EVERY_NS = 50_000;
/**
 * Give ended reservations back to the timelines' spares at most this often: the searches walk
 * back from the last reservation and never reach them, so this only bounds the memory they
 * hold, and seldom is cheaper (each of the timelines is visited per prune).
 */
const PRUNE_TIMELINES_EVERY_NS = 1_000_000;

/** The queueing model over DeviceModelParams. */
export class QueueingDeviceModel implements DeviceModel {
  readonly name: string;
  /** The caller's clock (advance), shared by the timelines. */
  private readonly clock = new TimelineClock();
  private readonly h2d = new Timeline(this.clock);
  private readonly d2h = new Timeline(this.clock);
  private readonly cap = new Timeline(this.clock);
  private readonly channels: Timeline[];
  private readonly dies: Timeline[];

  constructor(readonly p: DeviceModelParams) {
    this.name = p.name;
    const m = p.media;
    this.channels = m ? Array.from({ length: m.channels }, () => new Timeline(this.clock)) : [];
    this.dies = m ? Array.from({ length: m.channels * m.dies_per_channel }, () => new Timeline(this.clock)) : [];
  }

  busy(): Record<string, number> {
    const out: Record<string, number> = { link_h2d: this.h2d.busy_ns, link_d2h: this.d2h.busy_ns };
    if (this.p.cap_bytes_per_s) out.cap = this.cap.busy_ns;
    this.channels.forEach((c, i) => { out[`channel${i}`] = c.busy_ns; });
    this.dies.forEach((d, i) => { out[`die${i}`] = d.busy_ns; });
    return out;
  }

  complete(c: ModelCommand, now_ns: number): number {
    const p = this.p;
    const t = now_ns + p.cmd_overhead_ns;
    if (p.completion_ns > 0 || !p.media) return this.nullBlk(c, t);
    switch (c.op) {
      case "read": return this.read(c.offset, c.bytes, t + (c.bytes <= 4096 ? p.read_fw_4k_ns : p.read_fw_ns));
      case "write": return this.write(c.offset, c.bytes, t, c.fua === true);
      case "copy": return this.copy(c, t);
      case "flush": return p.write_cache ? Math.max(t, ...this.dies.map((d) => d.free_ns)) : t;
      default: return t;
    }
  }

  /** When reservations were last forgotten: pruning is bookkeeping, done at most every PRUNE_EVERY_NS. */
  private prunedAt = -Infinity;
  private timelinesPrunedAt = -Infinity;

  /** Called per command: only the interval check here, so that callers inline it; forget() does the work. */
  advance(now_ns: number): void {
    this.clock.now_ns = now_ns;
    if (!(now_ns - this.prunedAt < PRUNE_EVERY_NS)) this.forget(now_ns);
  }

  private forget(now_ns: number): void {
    this.prunedAt = now_ns;
    let k = 0;
    while (k < this.pending.length && this.pending[k][0] <= now_ns) k++;
    if (k > 0) this.pending.splice(0, k);
    if (now_ns - this.timelinesPrunedAt < PRUNE_TIMELINES_EVERY_NS) return;
    this.timelinesPrunedAt = now_ns;
    this.h2d.prune(now_ns);
    this.d2h.prune(now_ns);
    this.cap.prune(now_ns);
    for (const c of this.channels) c.prune(now_ns);
    for (const d of this.dies) d.prune(now_ns);
  }

  private xfer(bytes: number, bw: number): number {
    return bw > 0 ? (bytes / bw) * 1e9 : 0;
  }

  private nullBlk(c: ModelCommand, t: number): number {
    const p = this.p;
    let done = t + p.completion_ns;
    const moved = c.op === "read" || c.op === "write" ? c.bytes : 0;
    if (p.cap_bytes_per_s && moved) done = Math.max(done, this.cap.use(t, this.xfer(moved, p.cap_bytes_per_s)));
    if (c.op === "copy" && p.copy_bytes_per_s) {
      const bytes = (c.sources ?? []).reduce((a, s) => a + s[1], 0);
      done = Math.max(done, t + this.xfer(bytes, p.copy_bytes_per_s));
    }
    return done;
  }

  /** The die and channel of a page (striped channel first). */
  private unit(offset: number): { die: Timeline; ch: Timeline } {
    const m = this.p.media!;
    const page = Math.floor(offset / m.page_bytes);
    const u = page % this.dies.length;
    return { die: this.dies[u], ch: this.channels[u % m.channels] };
  }

  /** Walk [offset, offset + bytes) page piece by page piece; returns the latest time fn gives. */
  private pages(offset: number, bytes: number, t: number, fn: (n: number, die: Timeline, ch: Timeline) => number): number {
    const m = this.p.media!;
    let last = t;
    for (let at = offset; at < offset + bytes; ) {
      const n = Math.min(m.page_bytes - (at % m.page_bytes), offset + bytes - at);
      const { die, ch } = this.unit(at);
      last = Math.max(last, fn(n, die, ch));
      at += n;
    }
    return last;
  }

  /**
   * Each page piece: tR on its die, then the transfer on its channel; leaves in clock.at_ns
   * when all are in the controller. The walk of pages() written out: this is every read's path,
   * and its times go through the clock's fields (Timeline.book), not boxed through calls.
   */
  private mediaRead(offset: number, bytes: number, t: number): void {
    const m = this.p.media!;
    const dies = this.dies;
    const k = this.clock;
    // one piece (a read within a page, as every 4 KiB read): the walk of mediaReadPages, once.
    // The walk is a method of its own so that read() has the budget to inline this one.
    const inPage = offset % m.page_bytes;
    if (bytes > 0 && inPage + bytes <= m.page_bytes) {
      const u = Math.floor(offset / m.page_bytes) % dies.length;
      k.at_ns = t;
      k.dur_ns = bytes <= 4096 ? m.read_4k_ns : m.read_page_ns;
      dies[u].book();
      k.dur_ns = this.xfer(bytes, m.channel_bytes_per_s);
      this.channels[u % m.channels].book();
      if (!(k.at_ns > t)) k.at_ns = t;
      return;
    }
    this.mediaReadPages(offset, bytes, t);
  }

  /** mediaRead over more than one page piece. */
  private mediaReadPages(offset: number, bytes: number, t: number): void {
    const m = this.p.media!;
    const dies = this.dies;
    const k = this.clock;
    let last = t;
    for (let at = offset; at < offset + bytes; ) {
      const n = Math.min(m.page_bytes - (at % m.page_bytes), offset + bytes - at);
      const u = Math.floor(at / m.page_bytes) % dies.length;
      k.at_ns = t;
      k.dur_ns = n <= 4096 ? m.read_4k_ns : m.read_page_ns;
      dies[u].book();
      k.dur_ns = this.xfer(n, m.channel_bytes_per_s);
      this.channels[u % m.channels].book();
      if (k.at_ns > last) last = k.at_ns;
      at += n;
    }
    k.at_ns = last;
  }

  /**
   * Each page piece: the transfer on its channel, then its share of tPROG on its die. The write
   * buffer gathers data into whole pages before a page is programmed, so a piece of n bytes
   * costs the die tPROG x n / page_bytes (a 32 KiB page programmed once for four 8 KiB writes),
   * not a whole tPROG. Returns when all are programmed.
   */
  private mediaProgram(offset: number, bytes: number, t: number, fua = false): number {
    const m = this.p.media!;
    // FUA cannot wait for the rest of its page: each piece is a program of its own (a whole tPROG)
    return this.pages(offset, bytes, t, (n, die, ch) => die.use(ch.use(t, this.xfer(n, m.channel_bytes_per_s)), fua ? m.program_ns : (m.program_ns * n) / m.page_bytes));
  }

  private read(offset: number, bytes: number, t: number): number {
    this.mediaRead(offset, bytes, t);
    const k = this.clock;
    k.dur_ns = this.xfer(bytes, this.p.link_bytes_per_s);
    this.d2h.book();
    return k.at_ns;
  }

  /**
   * A FUA write completes when programmed (NVM Command Set: the data is on non-volatile media
   * before the completion), and its pages are programmed at once, each costing its die a whole
   * tPROG, not the share of a page the write buffer would have filled.
   */
  private write(offset: number, bytes: number, t: number, fua: boolean): number {
    const arrived = this.h2d.use(t, this.xfer(bytes, this.p.link_bytes_per_s));
    const cached = this.bufferRoom(arrived + this.p.write_fw_ns + this.p.write_fw_per_4k_ns * Math.ceil(bytes / 4096), bytes);
    const programmed = this.mediaProgram(offset, bytes, cached, fua);
    this.buffered(programmed, bytes);
    return this.p.write_cache && !fua && !this.overflows(bytes) ? cached : programmed;
  }

  /** Data in the write buffer: [program end, bytes] of every program not yet done, by end time. */
  private readonly pending: Array<[number, number]> = [];

  /** The earliest time from t at which bytes more fit in the write buffer (programs free it as they end). */
  private bufferRoom(t: number, bytes: number): number {
    const cap = this.p.write_buffer_bytes;
    if (!this.p.write_cache || cap <= 0) return t;
    let held = 0;
    for (const [end, n] of this.pending) if (end > t) held += n;
    if (held + bytes <= cap) return t;
    // wait for the earliest programs to end until the rest fits
    for (const [end, n] of this.pending) {
      if (end <= t) continue;
      held -= n;
      if (held + bytes <= cap) return end;
    }
    return t; // larger than the whole buffer: it completes when programmed (overflows)
  }

  /** A write larger than the whole write buffer cannot complete from it: it waits for its programs. */
  private overflows(bytes: number): boolean {
    return this.p.write_buffer_bytes > 0 && bytes > this.p.write_buffer_bytes;
  }

  private buffered(end: number, bytes: number): void {
    if (!this.p.write_cache || this.p.write_buffer_bytes <= 0) return;
    const q = this.pending;
    let i = q.length;
    while (i > 0 && q[i - 1][0] > end) i--;
    q.splice(i, 0, [end, bytes]);
  }

  /** Copy: every source range read from the media, then programmed at the destination; no link. */
  private copy(c: ModelCommand, t: number): number {
    let dst = c.offset;
    let done = t;
    for (const [off, n] of c.sources ?? []) {
      this.mediaRead(off, n, t);
      const read = this.bufferRoom(this.clock.at_ns, n);
      const programmed = this.mediaProgram(dst, n, read);
      this.buffered(programmed, n);
      done = Math.max(done, this.p.write_cache && !this.overflows(n) ? read : programmed);
      dst += n;
    }
    return done;
  }
}

/**
 * The model the block layer used so far, kept as the default: a fixed latency per command,
 * data at link bandwidth and copies at an internal bandwidth, with unlimited parallelism.
 */
export interface SimpleTiming {
  latency_ns: number;
  link_bytes_per_s: number;
  copy_bytes_per_s: number;
}

export class SimpleDeviceModel implements DeviceModel {
  readonly name = "simple (fixed latency, link and copy bandwidth, unlimited parallelism)";
  private busy_ns = 0;
  constructor(readonly t: SimpleTiming) {}
  busy(): Record<string, number> { return { device: this.busy_ns }; }
  complete(c: ModelCommand, now_ns: number): number {
    let dur = this.t.latency_ns;
    if (c.op === "read" || c.op === "write") dur += (c.bytes / this.t.link_bytes_per_s) * 1e9;
    if (c.op === "copy") dur += ((c.sources ?? []).reduce((a, s) => a + s[1], 0) / this.t.copy_bytes_per_s) * 1e9;
    this.busy_ns += dur;
    return now_ns + dur;
  }
}

/** Presets by name, for setup files ("device": {"preset": ...}). */
export const DEVICE_PRESETS = ["simple", "null_blk", "tlc-970pro"] as const;

/**
 * A model from a setup file's "device" object: {"preset": "null_blk", "completion_us": 10,
 * "mbps": 0} | {"preset": "tlc-970pro", "write_cache": true, "pcie_gen": 3, "pcie_lanes": 4,
 * "channels": 8, "dies_per_channel": 2} | {"preset": "simple", "latency_us": 10, "link_gbps":
 * 24, "copy_gbps": 16}. Errors name the JSON path.
 */
export function deviceModelFromJson(v: unknown, where: string): DeviceModel {
  const bad = (k: string, why: string): never => { throw new Error(`${where}${k ? "." + k : ""}: ${why}`); };
  if (typeof v === "string") v = { preset: v };
  if (typeof v !== "object" || v === null || Array.isArray(v)) bad("", `expected {"preset": ${DEVICE_PRESETS.map((p) => `"${p}"`).join(" | ")}, ...}`);
  const o = v as Record<string, unknown>;
  const preset = o.preset ?? "simple";
  const keys: Record<string, string[]> = {
    simple: ["latency_us", "link_gbps", "copy_gbps"],
    null_blk: ["completion_us", "mbps", "copy_gbps"],
    "tlc-970pro": ["write_cache", "pcie_gen", "pcie_lanes", "channels", "dies_per_channel"],
  };
  if (typeof preset !== "string" || !keys[preset]) bad("preset", `${JSON.stringify(preset)} is not one of ${DEVICE_PRESETS.join(", ")}`);
  for (const k of Object.keys(o)) if (k !== "preset" && !keys[preset as string].includes(k)) bad(k, `unknown key for preset ${preset} (expected one of: ${keys[preset as string].join(", ")})`);
  const num = (k: string, lo: number, hi: number, dflt: number): number => {
    const x = o[k];
    if (x === undefined) return dflt;
    if (typeof x !== "number" || !Number.isFinite(x) || x < lo || x > hi) bad(k, `${JSON.stringify(x)} is not a number in ${lo}..${hi}`);
    return x as number;
  };
  switch (preset) {
    case "null_blk": {
      const p = nullBlkParams(Math.round(num("completion_us", 0, 1e9, 10) * 1000), num("mbps", 0, 1e9, 0));
      p.copy_bytes_per_s = (num("copy_gbps", 0, 1e6, 0) * 1e9) / 8;
      return new QueueingDeviceModel(p);
    }
    case "tlc-970pro": {
      const p = tlc970ProParams();
      if (o.write_cache !== undefined) {
        if (typeof o.write_cache !== "boolean") bad("write_cache", "expected true or false");
        p.write_cache = o.write_cache as boolean;
      }
      const gen = num("pcie_gen", 1, 6, 3), lanes = num("pcie_lanes", 1, 16, 4);
      try { p.link_bytes_per_s = pcieBytesPerS(gen, lanes); } catch (e) { bad("pcie_lanes", (e as Error).message); }
      p.media = { ...p.media!, channels: num("channels", 1, 64, 8), dies_per_channel: num("dies_per_channel", 1, 64, 2) };
      if (!Number.isInteger(p.media.channels) || !Number.isInteger(p.media.dies_per_channel)) bad("channels", "channels and dies_per_channel are whole numbers");
      return new QueueingDeviceModel(p);
    }
    default:
      return new SimpleDeviceModel({
        latency_ns: num("latency_us", 0, 1e9, 10) * 1000,
        link_bytes_per_s: (num("link_gbps", 1e-6, 1e6, 24) * 1e9) / 8,
        copy_bytes_per_s: (num("copy_gbps", 1e-6, 1e6, 16) * 1e9) / 8,
      });
  }
}
