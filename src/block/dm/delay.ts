// dm-delay (drivers/md/dm-delay.c): table `<dev> <offset> <delay_ms> [<write_dev>
// <write_offset> <write_delay_ms> [<flush_dev> <flush_offset> <flush_delay_ms>]]`; with one
// class, reads, writes and flushes share it. A bio of a class with a non-zero delay is remapped
// and put on the target's list with its expiry (delay_bio, DM_MAPIO_SUBMITTED); one timer per
// target fires at the earliest expiry and queues flush_expired_bios on the kdelayd workqueue,
// which takes every expired bio off the list in arrival order and submits each on its own
// (flush_delayed_bios: dm_submit_bio_remap in a loop, no plug). So bios of different tasks are
// submitted by one kworker, one after another. `what-if=plug` on the table line (not dmsetup
// syntax, not upstream) resubmits them inside one plug instead, as other asynchronous stacking
// drivers do (dm-crypt's write thread, dmcrypt_write): the case of Bart Van Assche's objection
// to v20's plug pairing. Time is the model's clock (blk.sim).

import { Op, REQ_PREFLUSH, opIsWrite } from "../bio";
import type { BlockDevice } from "../disk";
import type { Task } from "../sim";
import { DmIo, DmTarget, MapResult, SectorMap, TargetCtx, TargetError, checkArea, devNum, parseSectors } from "./target";

interface DelayClass { name: "read" | "write" | "flush"; dev: BlockDevice; start: number; delay_ms: number; ops: number }

interface Delayed { io: DmIo; cls: DelayClass; expires_ns: number }

export class DelayTarget implements DmTarget {
  readonly type = "delay";
  readonly begin: number;
  readonly len: number;
  readonly index: number;
  readonly read: DelayClass;
  readonly write: DelayClass;
  readonly flush: DelayClass;
  private readonly argc: number;
  readonly copyOffloadSupported = false;
  readonly stackingCopyOffl = false;
  whatIfCopy = false;
  readonly maxIoLen = 0;
  readonly numFlushBios = 1;
  readonly numDiscardBios = 1;
  readonly numWriteZeroesBios = 0;
  /** dc->delayed_bios, in arrival order. */
  private readonly list: Delayed[] = [];
  /** The pending timer's expiry (timer_pending / delay_timer.expires); a newer arm cancels older ones. */
  private timer: { at_ns: number; gen: number } | null = null;
  private gen = 0;
  private readonly ctx: TargetCtx;

  /** what-if=plug (parsed with the table, dm/core.ts): resubmit expired bios inside one plug (upstream dm-delay does not). */
  resubmitInPlug = false;
  private plugNoted = false;

  constructor(ctx: TargetCtx, args: string[]) {
    if (args.length !== 3 && args.length !== 6 && args.length !== 9) throw new TargetError(`Requires exactly 3, 6 or 9 arguments (got ${args.length})`);
    this.ctx = ctx;
    this.begin = ctx.begin;
    this.len = ctx.len;
    this.index = ctx.index;
    this.argc = args.length;
    const cls = (name: DelayClass["name"], a: string[]): DelayClass => {
      const start = parseSectors(a[1], `Invalid device sector (${name})`);
      const delay_ms = parseSectors(a[2], `Invalid delay (${name})`);
      const dev = ctx.device(a[0]);
      checkArea(dev, start, this.len);
      return { name, dev, start, delay_ms, ops: 0 };
    };
    this.read = cls("read", args);
    // with 3 arguments all classes use them; with 6, flushes use the write class's (delay_ctr)
    this.write = cls("write", args.length >= 6 ? args.slice(3) : args);
    this.flush = cls("flush", args.length === 9 ? args.slice(6) : args.length === 6 ? args.slice(3) : args);
  }

  devices() {
    return [this.read, this.write, this.flush].map((c) => ({ dev: c.dev, start: c.start, len: this.len }));
  }

  /** delay_map: the class by data direction (PREFLUSH writes and empty flushes: flush). */
  private classOf(op: Op, flags: number): DelayClass {
    if (op === Op.FLUSH) return this.flush;
    if (opIsWrite(op)) return flags & REQ_PREFLUSH ? this.flush : this.write;
    return this.read;
  }

  map(io: DmIo): MapResult {
    const c = io.clone;
    const k = this.classOf(c.op, c.flags);
    c.bdev = k.dev;
    if (c.size > 0) c.sector = k.start + (c.sector - this.begin);
    if (k.delay_ms === 0) return "remapped";
    // delay_bio: onto the list, arm the timer
    const blk = this.ctx.blk;
    const expires_ns = blk.sim.now_ns + k.delay_ms * 1_000_000;
    k.ops++;
    this.list.push({ io, cls: k, expires_ns });
    this.queueTimeout(expires_ns, blk.task.cpu);
    return "submitted";
  }

  /** queue_timeout: (re)arm the timer when none is pending or this expiry is earlier. */
  private queueTimeout(at_ns: number, cpu: number): void {
    if (this.timer && this.timer.at_ns <= at_ns) return;
    const gen = ++this.gen;
    this.timer = { at_ns, gen };
    const sim = this.ctx.blk.sim;
    // handle_delayed_timer runs in timer (softirq) context and queues the work on this CPU
    sim.at(at_ns, sim.idle(cpu), () => {
      if (this.timer?.gen !== gen) return; // cancelled by mod_timer
      this.timer = null;
      sim.queueWork(cpu, () => this.flushExpired(cpu), this.worker(cpu));
    });
  }

  private worker(cpu: number): Task {
    return this.ctx.blk.sim.kworker(cpu, `kworker/${cpu}:3`, 1200 + cpu);
  }

  /** flush_expired_bios -> flush_delayed_bios: expired bios in list order, each on its own (in one plug with what-if=plug). */
  private flushExpired(cpu: number): void {
    const blk = this.ctx.blk;
    const now = blk.sim.now_ns;
    const go: Delayed[] = [];
    let next = Infinity;
    for (let i = 0; i < this.list.length; ) {
      const d = this.list[i];
      if (d.expires_ns <= now) {
        go.push(d);
        d.cls.ops--;
        this.list.splice(i, 1);
        continue;
      }
      next = Math.min(next, d.expires_ns);
      i++;
    }
    if (next !== Infinity) this.queueTimeout(next, cpu);
    if (go.length === 0) return;
    if (!this.resubmitInPlug) {
      for (const d of go) d.io.md.submitRemap(d.io);
      return;
    }
    if (!this.plugNoted) {
      this.plugNoted = true;
      blk.message(go[0].io.md, `dm: ${go[0].io.md.name} target ${this.index} (delay) resubmits in a plug because of what-if=plug: not upstream behaviour`);
    }
    blk.startPlug();
    try {
      for (const d of go) d.io.md.submitRemap(d.io);
    } finally {
      blk.finishPlug();
    }
  }

  /** Bios held right now (dmsetup status: reads writes flushes). */
  status(): string {
    return `${this.read.ops} ${this.write.ops} ${this.flush.ops}`;
  }

  mapSector(sector: number, write: boolean): SectorMap {
    const k = write ? this.write : this.read;
    return { dev: k.dev, sector: k.start + (sector - this.begin), room: this.begin + this.len - sector };
  }

  params(): string {
    const c = (k: DelayClass) => `${devNum(k.dev)} ${k.start} ${k.delay_ms}`;
    return [c(this.read), ...(this.argc >= 6 ? [c(this.write)] : []), ...(this.argc === 9 ? [c(this.flush)] : [])].join(" ");
  }
}
