// Building Submission Queue Entries: 16 dwords, field by field, with the spec's layout
// (assembly/spec/sqe.ts). A command is a Uint32Array(16) so it can be written to a queue
// slot without allocation.

import * as S from "../../assembly/spec/sqe";

export type Sqe = Uint32Array;

export function newSqe(opcode: number, nsid = 0): Sqe {
  const q = new Uint32Array(16);
  q[0] = opcode & 0xff;
  q[1] = nsid >>> 0;
  return q;
}

export const dw = (byteOffset: number) => byteOffset / 4;

export function setCdw(q: Sqe, n: number, v: number): Sqe {
  q[n] = v >>> 0;
  return q;
}

/** A 64-bit field: a number (the hot path: no BigInt allocation; exact up to 2^53) or a bigint. */
export function setU64(q: Sqe, byteOffset: number, v: bigint | number): void {
  if (typeof v === "number") {
    q[byteOffset / 4] = v >>> 0;
    q[byteOffset / 4 + 1] = Math.floor(v / 4294967296) >>> 0;
    return;
  }
  q[byteOffset / 4] = Number(v & 0xffffffffn);
  q[byteOffset / 4 + 1] = Number((v >> 32n) & 0xffffffffn);
}

export function getU64(q: Sqe, byteOffset: number): bigint {
  return BigInt(q[byteOffset / 4]) | (BigInt(q[byteOffset / 4 + 1]) << 32n);
}

export function opcodeOf(q: Sqe): number { return q[0] & 0xff; }
export function nsidOf(q: Sqe): number { return q[1]; }
export function cidOf(q: Sqe): number { return q[0] >>> 16; }
export function psdtOf(q: Sqe): number { return (q[0] >>> 14) & 3; }
export function setPsdt(q: Sqe, psdt: number): void { q[0] = (q[0] & ~0xc000) | ((psdt & 3) << 14); }
export function setCid(q: Sqe, cid: number): void { q[0] = ((q[0] & 0xffff) | ((cid & 0xffff) << 16)) >>> 0; }

export function setPrp(q: Sqe, prp1: number | bigint, prp2: number | bigint): void {
  setU64(q, S.SQE_PRP1, prp1);
  setU64(q, S.SQE_PRP2, prp2);
}
