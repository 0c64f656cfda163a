// The mq-deadline I/O scheduler (block/mq-deadline.c), the parts that change what reaches the
// device: requests sorted by sector per direction and dispatched in batches of fifo_batch,
// reads preferred until writes have been starved writes_starved times, a FIFO per direction
// whose expired head goes first (read_expire 500 ms, write_expire 5 s), a batch continuing
// from the position of the last dispatched request (latest_pos, Linux 6.3+), and bio merges
// into queued requests (q->last_merge first, then back merges by end sector through the
// hash, then front merges by start sector through the sort tree).

import { Bio, opIsWrite } from "./bio";
import { rqMergeable } from "./merge";
import type { Request } from "./request";
import type { MqDisk } from "./mq";

export const FIFO_BATCH = 16;
export const WRITES_STARVED = 2;
export const READ_EXPIRE_NS = 500e6;
export const WRITE_EXPIRE_NS = 5000e6;

interface Queued { rq: Request; deadline_ns: number }

export class Deadline {
  /** Per direction (0 read, 1 write): sorted by sector, and in arrival order. */
  private readonly sorted: Request[][] = [[], []];
  private readonly fifo: Queued[][] = [[], []];
  private lastDir = 0;
  private batching = 0;
  /** latest_pos: start sector of the last request dispatched, per direction. */
  private latestPos = [0, 0];
  private starved = 0;
  /** The one-hit merge cache (q->last_merge), the only lookup nomerges=1 leaves. */
  private lastMerge: Request | null = null;
  /**
   * per_prio->dispatch: requests inserted at the head (BLK_MQ_INSERT_AT_HEAD: the data of a
   * flush sequence, from the requeue list), dispatched before any sorted request.
   */
  private readonly dispatch: Request[] = [];

  get size(): number { return this.sorted[0].length + this.sorted[1].length + this.dispatch.length; }

  /** dd_insert_request with BLK_MQ_INSERT_AT_HEAD: onto the head of the dispatch list, outside the sort and FIFO lists. */
  insertAtHead(rq: Request): void {
    this.dispatch.unshift(rq);
  }

  insert(rq: Request, now_ns: number): void {
    const d = opIsWrite(rq.op) ? 1 : 0;
    const list = this.sorted[d];
    let i = list.length;
    while (i > 0 && list[i - 1].sector > rq.sector) i--;
    list.splice(i, 0, rq);
    this.fifo[d].push({ rq, deadline_ns: now_ns + (d ? WRITE_EXPIRE_NS : READ_EXPIRE_NS) });
    // dd_insert_request: a mergeable request goes into the hash and becomes q->last_merge if none
    if (!this.lastMerge && rqMergeable(rq)) this.lastMerge = rq;
  }

  requeue(rq: Request): void {
    const d = opIsWrite(rq.op) ? 1 : 0;
    const list = this.sorted[d];
    let i = list.length;
    while (i > 0 && list[i - 1].sector > rq.sector) i--;
    list.splice(i, 0, rq);
    this.fifo[d].unshift({ rq, deadline_ns: 0 });
  }

  /**
   * dd_bio_merge -> elv_merge: q->last_merge (the one-hit cache, all nomerges=1 leaves), then a
   * request ending where the bio starts (elv_rqhash_find), then one starting where the bio
   * ends (dd_request_merge, front_merges). elv_merged_request makes the target last_merge.
   */
  tryMerge(disk: MqDisk, bio: Bio, nsegs: number, oneHitOnly: boolean): boolean {
    const d = opIsWrite(bio.op) ? 1 : 0;
    const last = this.lastMerge;
    if (last && this.present(last) && disk.mergeInto(last, bio, nsegs)) { this.resort(opIsWrite(last.op) ? 1 : 0, last); return true; }
    if (oneHitOnly) return false;
    const back = this.sorted[d].find((rq) => rq.end === bio.sector && rq !== last);
    const front = this.sorted[d].find((rq) => rq.sector === bio.end && rq !== last);
    for (const rq of [back, front]) {
      if (rq && disk.mergeInto(rq, bio, nsegs)) { this.lastMerge = rq; this.resort(d, rq); return true; }
    }
    return false;
  }

  private present(rq: Request): boolean {
    return this.sorted[opIsWrite(rq.op) ? 1 : 0].includes(rq);
  }

  private resort(d: number, rq: Request): void {
    const list = this.sorted[d];
    list.splice(list.indexOf(rq), 1);
    let i = list.length;
    while (i > 0 && list[i - 1].sector > rq.sector) i--;
    list.splice(i, 0, rq);
  }

  /** deadline_from_pos: the first request at or after the last dispatched position. */
  private fromPos(d: number): Request | null {
    return this.sorted[d].find((rq) => rq.sector >= this.latestPos[d]) ?? null;
  }

  /** __dd_dispatch_request: continue the batch, else pick a direction and a start. */
  next(now_ns: number): Request | null {
    if (this.dispatch.length > 0) {
      // __dd_dispatch_request: the dispatch list first, without counting in the batch
      const head = this.dispatch.shift()!;
      this.latestPos[opIsWrite(head.op) ? 1 : 0] = head.sector;
      return head;
    }
    let rq: Request | null = null;
    const cont = this.fromPos(this.lastDir);
    if (cont && this.batching < FIFO_BATCH) {
      rq = cont;
    } else {
      const reads = this.sorted[0].length > 0;
      const writes = this.sorted[1].length > 0;
      let d: number;
      if (reads && !(writes && this.starved >= WRITES_STARVED)) {
        d = 0;
        if (writes) this.starved++;
      } else if (writes) {
        d = 1;
        this.starved = 0;
      } else return null;
      const head = this.fifo[d][0];
      const expired = head && head.deadline_ns <= now_ns;
      const nxt = this.fromPos(d);
      rq = expired || !nxt ? head.rq : nxt;
      this.batching = 0;
      this.lastDir = d;
    }
    this.remove(rq);
    this.batching++;
    this.latestPos[opIsWrite(rq.op) ? 1 : 0] = rq.sector;
    return rq;
  }

  private remove(rq: Request): void {
    const d = opIsWrite(rq.op) ? 1 : 0;
    const list = this.sorted[d];
    list.splice(list.indexOf(rq), 1);
    const f = this.fifo[d];
    f.splice(f.findIndex((q) => q.rq === rq), 1);
    if (this.lastMerge === rq) this.lastMerge = null;
  }
}
