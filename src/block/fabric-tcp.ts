// NVMe over TCP as a timing model (NVMe/TCP transport binding, NVMe-oF TCP 1.0; Linux nvme-tcp
// host and nvmet-tcp target): the host's commands travel as PDUs over a modelled Ethernet
// link to a target whose backend is the local device model. Data still moves in the emulator
// as before; this model says when each command completes and how busy each direction of the
// wire was, so bandwidth and network utilisation are measured, not assumed.
//
// PDUs (§3.6): CapsuleCmd = common header 8 + SQE 64 = 72 bytes (+ in-capsule data);
// CapsuleResp = 8 + CQE 16 = 24; H2CData, C2HData and R2T headers = 24; optional header and
// data digests add 4 bytes each. A write whose data fits the in-capsule size goes in the
// command capsule; a larger one waits for the target's R2T and then sends H2CData PDUs of at
// most MAXH2CDATA. Read data comes back as C2HData PDUs, then the response capsule.
//
// The wire (full duplex, one timeline per direction): each PDU is cut into TCP segments of at
// most MSS = MTU - 20 (IPv4) - 32 (TCP with the timestamp option); every segment costs
// 14 (Ethernet header) + 4 (FCS) + 8 (preamble) + 12 (inter-frame gap) + 20 + 32 bytes of
// line time. The receiver acknowledges as Linux does (__tcp_ack_snd_check): an ACK frame (84
// bytes of line time, the 64-byte minimum frame plus preamble and gap) as soon as more than one
// MSS is unacknowledged, otherwise the ACK rides on the next segment it sends (piggybacked, no
// frame). Each host queue has its own connection, which keeps its PDUs in order. Data PDUs
// queue on the wire in order; a one-frame PDU of a connection with nothing else queued (a
// capsule, an R2T, a response) is a sparse flow that the sender's fq_codel serves first (RFC
// 8290 §4.1). ACK frames and sparse frames hold up no PDU of their own, but their line time is
// taken from the wire's capacity (see Wire). A message arrives half a round trip after it has
// left.
//
// Copy at the target: nvmet executes a Copy on its backend; a backend without Copy is emulated
// on the target by reading the source ranges and writing the destination there (as the
// copy-offload series' nvmet does), so the data never crosses the wire. The target submits
// the write when the reads have ended, so the backend sees it then, behind whatever arrived
// meanwhile: with a clock bound (bind()), the model books the write at that moment and
// resolves the command's completion then (MODEL_PENDING); unbound, it books it at arrival.

import { MODEL_PENDING, Timeline, modelCommand } from "./device-model";
import type { DeviceModel, ModelCommand, ModelHost } from "./device-model";

export interface TcpLinkParams {
  /** Line rate in bits per second (1e9 for 1 GbE). */
  bits_per_s: number;
  /** Round-trip time of the path (ns): propagation, switching and both stacks' latency. */
  rtt_ns: number;
  mtu: number;
  /** Digests (HDGST, DDGST): 4 bytes after each PDU header / data. */
  header_digest: boolean;
  data_digest: boolean;
  /** In-capsule data the target accepts (ioccsz); nvmet-tcp's default inline_data_size is 4 pages. */
  in_capsule_bytes: number;
  /** MAXH2CDATA and the target's largest C2HData PDU. */
  max_data_pdu_bytes: number;
  /**
   * The target's CPU work per command (ns): receiving and parsing the capsule, submitting to
   * the backend, completing and sending the response. With target_cpus it runs on the CPU that
   * serves the command's queue; without, it is a plain delay.
   */
  target_cmd_ns: number;
  /** Copying received write data out of the socket into the target's pages (ns per byte; reads go out zero-copy). */
  target_copy_ns_per_byte: number;
  /**
   * Target CPUs that run nvmet-tcp's per-queue work (nvmet_tcp_io_work on the queue's io_cpu,
   * queues spread over the CPUs in turn); 0 = CPU work is not contended.
   */
  target_cpus: number;
  /** The backend has Copy (offload there) or not (nvmet emulates it with reads and writes). */
  backend_copy: "offload" | "emulate";
}

export const DEFAULT_TCP: TcpLinkParams = {
  bits_per_s: 1e9, rtt_ns: 50_000, mtu: 1500, header_digest: false, data_digest: false,
  in_capsule_bytes: 16384, max_data_pdu_bytes: 131072, target_cmd_ns: 0, target_copy_ns_per_byte: 0, target_cpus: 0,
  backend_copy: "emulate",
};

const ETH_FRAME_OVERHEAD = 14 + 4 + 8 + 12;
const IP_HEADER = 20;
const TCP_HEADER = 32;
const ACK_LINE_BYTES = 64 + 8 + 12;
const PDU_CH = 8;
export const CAPSULE_CMD_HEADER = PDU_CH + 64;
export const CAPSULE_RESP_HEADER = PDU_CH + 16;
export const DATA_PDU_HEADER = 24;
export const R2T_PDU_HEADER = 24;

/**
 * One direction of the wire: a timeline (gaps are used) for the data PDUs, with the bytes it
 * carried. Frames that go out between data frames (bare ACKs, a sparse flow's one-frame PDUs)
 * hold up no message of their own. Sent while data is on the wire, their line time is owed
 * and added to the first data PDU booked from then on; sent while it is idle, they use idle
 * time. The wire's capacity is kept without cutting its timeline into gaps too short for a
 * data PDU.
 */
class Wire {
  private readonly t = new Timeline();
  line_bytes = 0;
  payload_bytes = 0;
  /** Bytes this direction's sender has received from the other side and not acknowledged yet. */
  unacked_bytes = 0;
  /**
   * Owed line time of interleaved frames: [from_ns, dur_ns] pairs from owedHead on, sorted by
   * from_ns. Taking them moves owedHead (no shift per PDU); the taken prefix is dropped once it
   * is the larger part.
   */
  private readonly owed: number[] = [];
  private owedHead = 0;
  private owed_ns = 0;
  /** Line time of interleaved frames that went while no data was on the wire. */
  private idle_used_ns = 0;
  constructor(private readonly bytesPerNs: number) {}
  get busy_ns(): number { return this.t.busy_ns + this.owed_ns + this.idle_used_ns; }
  prune(now_ns: number): void { this.t.prune(now_ns); }

  /** ACK frames sent at at_ns, between data frames: their line time is owed. */
  ackFrames(at_ns: number, lineBytes: number): void {
    if (lineBytes <= 0) return;
    this.line_bytes += lineBytes;
    this.owe(at_ns, lineBytes / this.bytesPerNs);
  }

  /** Per connection (the host queue it serves): when its last PDU has left. */
  private readonly connDataLeft: number[] = [];
  connLeft(conn: number): number { return this.connDataLeft[conn] ?? 0; }
  setConnLeft(conn: number, left_ns: number): void {
    if (!(left_ns <= this.connLeft(conn))) this.connDataLeft[conn] = left_ns;
  }

  /** When the wire has sent everything booked on it (and what it owes). */
  get end_ns(): number { return this.t.free_ns + this.owed_ns; }

  /** Put line_bytes on the wire from at_ns, behind what is queued (FIFO, gaps used); returns when the last bit has left. */
  send(at_ns: number, lineBytes: number, payload: number): number {
    this.line_bytes += lineBytes;
    this.payload_bytes += payload;
    return this.t.use(at_ns, lineBytes / this.bytesPerNs + this.takeOwed(at_ns));
  }

  /**
   * A one-frame message of a connection with nothing else queued (a capsule, an R2T, a
   * response): the sender's fq_codel qdisc serves such a sparse flow ahead of the bulk flows
   * (RFC 8290 §4.1, new flows first), so it waits only for the frame on the wire (frameBytes of
   * line time when the wire is busy) and then goes. Its line time is owed by the data behind it.
   */
  sendSparse(at_ns: number, lineBytes: number, payload: number, frameBytes: number): number {
    this.line_bytes += lineBytes;
    this.payload_bytes += payload;
    const dur = lineBytes / this.bytesPerNs;
    const left = at_ns + (this.t.busyAt(at_ns) ? frameBytes / this.bytesPerNs : 0) + dur;
    this.owe(at_ns, dur);
    return left;
  }

  private owe(at_ns: number, dur_ns: number): void {
    // on a wire idle then, the frame takes idle time and holds up nothing
    if (!this.t.busyAt(at_ns)) { this.idle_used_ns += dur_ns; return; }
    const o = this.owed;
    let i = o.length;
    while (i > this.owedHead && o[i - 2] > at_ns) i -= 2; // mostly appended: times arrive nearly in order
    if (i === o.length) o.push(at_ns, dur_ns);
    else o.splice(i, 0, at_ns, dur_ns);
    this.owed_ns += dur_ns;
  }

  /** The owed line time of frames sent by at_ns, now taken from the timeline. */
  private takeOwed(at_ns: number): number {
    const o = this.owed;
    let k = this.owedHead, sum = 0;
    while (k < o.length && o[k] <= at_ns) { sum += o[k + 1]; k += 2; }
    if (k === this.owedHead) return 0;
    this.owed_ns -= sum;
    if (k === o.length) { o.length = 0; this.owedHead = 0; }
    else if (k >= 64 && 2 * k >= o.length) { o.splice(0, k); this.owedHead = 0; }
    else this.owedHead = k;
    return sum;
  }
}

export class NvmeTcpModel implements DeviceModel {
  readonly name: string;
  /** nvme-tcp's receive path copies C2HData payloads into the request's pages (writes go zero-copy). */
  readonly hostCopiesReads = true;
  readonly p: TcpLinkParams;
  private readonly h2c: Wire;
  private readonly c2h: Wire;
  private readonly mss: number;
  private host: ModelHost | null = null;
  /** The target's CPUs (target_cpus of them), busy with nvmet-tcp's work. */
  private readonly targetCpus: Timeline[];

  constructor(readonly backend: DeviceModel, p: Partial<TcpLinkParams> = {}) {
    this.p = { ...DEFAULT_TCP, ...p };
    if (!(this.p.bits_per_s > 0)) throw new Error(`NVMe/TCP: line rate ${this.p.bits_per_s} is not positive`);
    if (!Number.isInteger(this.p.mtu) || this.p.mtu < 576 || this.p.mtu > 9216) throw new Error(`NVMe/TCP: MTU ${this.p.mtu} is not between 576 and 9216`);
    this.mss = this.p.mtu - IP_HEADER - TCP_HEADER;
    if (!Number.isInteger(this.p.target_cpus) || this.p.target_cpus < 0 || this.p.target_cpus > 4096) throw new Error(`NVMe/TCP: target_cpus ${this.p.target_cpus} is not a whole number in 0..4096`);
    this.targetCpus = Array.from({ length: this.p.target_cpus }, () => new Timeline());
    const bpn = this.p.bits_per_s / 8 / 1e9;
    this.h2c = new Wire(bpn);
    this.c2h = new Wire(bpn);
    this.name = `NVMe/TCP ${this.p.bits_per_s / 1e9} Gb/s, RTT ${this.p.rtt_ns / 1000} us, MTU ${this.p.mtu} -> ${backend.name}`;
  }

  /** Line bytes of a PDU of `bytes` (header, digests, data) as TCP segments, and the segment count. */
  lineBytes(bytes: number): { line: number; segments: number } {
    const segments = Math.max(1, Math.ceil(bytes / this.mss));
    return { line: bytes + segments * (ETH_FRAME_OVERHEAD + IP_HEADER + TCP_HEADER), segments };
  }

  private pduBytes(header: number, data: number): number {
    return header + (this.p.header_digest ? 4 : 0) + data + (data > 0 && this.p.data_digest ? 4 : 0);
  }

  /** Send one PDU (payload: the user data in it); the other direction carries its ACKs. Returns when it has arrived. */
  private pdu(dir: "h2c" | "c2h", conn: number, at_ns: number, header: number, data: number, payload = data): number {
    const bytes = this.pduBytes(header, data);
    const { line, segments } = this.lineBytes(bytes);
    const w = dir === "h2c" ? this.h2c : this.c2h;
    const back = dir === "h2c" ? this.c2h : this.h2c;
    w.unacked_bytes = 0; // its segments carry the ACK of what this side has received (piggybacked)
    let left: number;
    if (segments === 1) {
      // a connection keeps its bytes in order: behind its own queued data, sparse only from then
      left = w.sendSparse(Math.max(at_ns, w.connLeft(conn)), line, payload, this.p.mtu + ETH_FRAME_OVERHEAD);
    } else {
      left = w.send(at_ns, line, payload);
    }
    w.setConnLeft(conn, left);
    const arrived = left + this.p.rtt_ns / 2;
    back.ackFrames(arrived, this.standaloneAcks(back, bytes, segments) * ACK_LINE_BYTES);
    return arrived;
  }

  /**
   * ACK frames the receiver sends on its own for a PDU of `bytes` in `segments` segments
   * (__tcp_ack_snd_check): as soon as more than one MSS is unacknowledged, an ACK goes at once;
   * less waits for the delayed-ACK timer, and in a busy connection rides on the next segment
   * that side sends (tcp_event_ack_sent), which costs no frame.
   */
  private standaloneAcks(receiver: Wire, bytes: number, segments: number): number {
    let acks = 0;
    for (let i = 0; i < segments; i++) {
      receiver.unacked_bytes += i < segments - 1 ? this.mss : bytes - (segments - 1) * this.mss;
      if (receiver.unacked_bytes > this.mss) { acks++; receiver.unacked_bytes = 0; }
    }
    return acks;
  }

  /** Data as PDUs of at most max_data_pdu_bytes; returns when the last has arrived. */
  private dataPdus(dir: "h2c" | "c2h", conn: number, at_ns: number, bytes: number): number {
    let t = at_ns;
    for (let off = 0; off < bytes; off += this.p.max_data_pdu_bytes) {
      t = this.pdu(dir, conn, at_ns, DATA_PDU_HEADER, Math.min(this.p.max_data_pdu_bytes, bytes - off));
    }
    return t;
  }

  bind(host: ModelHost): void {
    this.host = host;
    this.backend.bind?.(host);
  }

  complete(c: ModelCommand, now_ns: number, token?: object): number {
    const p = this.p;
    const inline = c.op === "write" && c.bytes <= p.in_capsule_bytes ? c.bytes : 0;
    // Copy: the source range descriptors (32 bytes each) travel in the capsule
    const descriptors = c.op === "copy" ? (c.sources?.length ?? 0) * 32 : c.op === "dsm" ? 16 : 0;
    const conn = c.queue ?? 0;
    const arrived = this.pdu("h2c", conn, now_ns, CAPSULE_CMD_HEADER, inline + descriptors, inline);
    // the queue's CPU takes the capsule (and copies in-capsule data out of the socket)
    let atTarget = this.targetWork(c.queue, arrived, p.target_cmd_ns + inline * p.target_copy_ns_per_byte);
    if (c.op === "write" && !inline && c.bytes > 0) {
      // R2T, then the data as H2CData, copied into the target's pages as it arrives
      const r2t = this.pdu("c2h", conn, atTarget, R2T_PDU_HEADER, 0);
      atTarget = this.targetWork(c.queue, this.dataPdus("h2c", conn, r2t, c.bytes), c.bytes * p.target_copy_ns_per_byte);
    }
    if (c.op === "copy" && p.backend_copy === "emulate" && this.host && token) {
      const job: EmulatedCopy = { token, read_ns: this.emulatedReads(c, atTarget), bytes: copyBytes(c), offset: c.offset, conn };
      this.host.at(job.read_ns, this.emulatedWrite, job);
      return MODEL_PENDING;
    }
    const done = this.backendDone(c, atTarget);
    // read data, then the response: one connection keeps its bytes in order, so the response
    // leaves once the connection's C2HData has (pdu)
    if (c.op === "read" && c.bytes > 0) this.dataPdus("c2h", conn, done, c.bytes);
    return this.pdu("c2h", conn, done, CAPSULE_RESP_HEADER, 0);
  }

  /** ns of target CPU work from at_ns on the CPU serving the host's queue; returns when it is done. */
  private targetWork(queue: number | undefined, at_ns: number, ns: number): number {
    if (ns <= 0) return at_ns;
    const cpus = this.targetCpus;
    if (cpus.length === 0) return at_ns + ns;
    return cpus[(queue ?? 0) % cpus.length].use(at_ns, ns);
  }

  /** The backend's part: a Copy it lacks is read then written on the target (no wire). */
  private backendDone(c: ModelCommand, at: number): number {
    if (c.op !== "copy" || this.p.backend_copy === "offload") return this.backend.complete(c, at);
    return this.backend.complete(modelCommand("write", copyBytes(c), c.offset, c.queue), this.emulatedReads(c, at));
  }

  /** An emulated Copy's reads of its source ranges, all submitted at once; returns when the last ends. */
  private emulatedReads(c: ModelCommand, at: number): number {
    let read = at;
    for (const [off, n] of c.sources ?? []) read = Math.max(read, this.backend.complete(modelCommand("read", n, off, c.queue), at));
    return read;
  }

  /** The reads of an emulated Copy have ended (now): its write goes to the backend, then the response. */
  private readonly emulatedWrite = (j: EmulatedCopy): void => {
    const done = this.backend.complete(modelCommand("write", j.bytes, j.offset, j.conn), j.read_ns);
    this.host!.resolved(j.token, this.pdu("c2h", j.conn, done, CAPSULE_RESP_HEADER, 0));
  };

  advance(now_ns: number): void {
    this.h2c.prune(now_ns);
    this.c2h.prune(now_ns);
    for (const t of this.targetCpus) t.prune(now_ns);
    this.backend.advance?.(now_ns);
  }

  busy(): Record<string, number> {
    let cpu = 0;
    for (const t of this.targetCpus) cpu += t.busy_ns;
    return { ...this.backend.busy(), wire_h2c: this.h2c.busy_ns, wire_c2h: this.c2h.busy_ns, target_cpu: cpu };
  }

  /** Bytes on the wire per direction (line and payload), for utilisation reports. */
  wire(): { h2c: WireStats; c2h: WireStats } {
    const w = (x: Wire): WireStats => ({ line_bytes: x.line_bytes, payload_bytes: x.payload_bytes, busy_ns: x.busy_ns, end_ns: x.end_ns });
    return { h2c: w(this.h2c), c2h: w(this.c2h) };
  }
}

/**
 * A setup's "fabric" object: {"transport": "tcp", "gbps": 1, "rtt_us": 50, "mtu": 1500,
 * "header_digest": false, "data_digest": false, "in_capsule_kib": 16, "max_data_pdu_kib": 128,
 * "target_cmd_us": 0, "target_copy_ns_per_byte": 0, "target_cpus": 0, "backend_copy": "emulate" | "offload"}.
 * Errors name the JSON path.
 */
export function tcpParamsFromJson(v: unknown, where: string): Partial<TcpLinkParams> {
  const bad = (k: string, why: string): never => { throw new Error(`${where}${k ? "." + k : ""}: ${why}`); };
  if (typeof v !== "object" || v === null || Array.isArray(v)) bad("", 'expected {"transport": "tcp", "gbps": ..., ...}');
  const o = v as Record<string, unknown>;
  const keys = ["transport", "gbps", "rtt_us", "mtu", "header_digest", "data_digest", "in_capsule_kib", "max_data_pdu_kib", "target_cmd_us", "target_copy_ns_per_byte", "target_cpus", "backend_copy"];
  for (const k of Object.keys(o)) if (!keys.includes(k)) bad(k, `unknown key (expected one of: ${keys.join(", ")})`);
  if (o.transport !== "tcp") bad("transport", `${JSON.stringify(o.transport)}: only "tcp" is modelled`);
  const out: Partial<TcpLinkParams> = {};
  const num = (k: string, lo: number, hi: number): number | undefined => {
    const x = o[k];
    if (x === undefined) return undefined;
    if (typeof x !== "number" || !Number.isFinite(x) || x < lo || x > hi) bad(k, `${JSON.stringify(x)} is not a number in ${lo}..${hi}`);
    return x as number;
  };
  const bool = (k: string): boolean | undefined => {
    const x = o[k];
    if (x === undefined) return undefined;
    if (typeof x !== "boolean") bad(k, "expected true or false");
    return x as boolean;
  };
  const g = num("gbps", 0.001, 1000); if (g !== undefined) out.bits_per_s = g * 1e9;
  const r = num("rtt_us", 0, 1e7); if (r !== undefined) out.rtt_ns = r * 1000;
  const m = num("mtu", 576, 9216); if (m !== undefined) out.mtu = Math.round(m);
  const hd = bool("header_digest"); if (hd !== undefined) out.header_digest = hd;
  const dd = bool("data_digest"); if (dd !== undefined) out.data_digest = dd;
  const ic = num("in_capsule_kib", 0, 1024); if (ic !== undefined) out.in_capsule_bytes = ic * 1024;
  const md = num("max_data_pdu_kib", 1, 65536); if (md !== undefined) out.max_data_pdu_bytes = md * 1024;
  const tc = num("target_cmd_us", 0, 1e6); if (tc !== undefined) out.target_cmd_ns = tc * 1000;
  const tb = num("target_copy_ns_per_byte", 0, 1000); if (tb !== undefined) out.target_copy_ns_per_byte = tb;
  const tn = num("target_cpus", 0, 4096);
  if (tn !== undefined) { if (!Number.isInteger(tn)) bad("target_cpus", `${tn} is not a whole number`); out.target_cpus = tn; }
  if (o.backend_copy !== undefined) {
    if (o.backend_copy !== "emulate" && o.backend_copy !== "offload") bad("backend_copy", `${JSON.stringify(o.backend_copy)} is not "emulate" or "offload"`);
    out.backend_copy = o.backend_copy as "emulate" | "offload";
  }
  return out;
}

/** One direction of the wire so far: bytes (line and payload), busy time, and when what is booked has left. */
export interface WireStats { line_bytes: number; payload_bytes: number; busy_ns: number; end_ns: number }

/** An emulated Copy between its reads and its write. */
interface EmulatedCopy { token: object; read_ns: number; bytes: number; offset: number; conn: number }

function copyBytes(c: ModelCommand): number {
  let total = 0;
  for (const s of c.sources ?? []) total += s[1];
  return total;
}
