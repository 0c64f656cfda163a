// fio's random map (lib/axmap.c) for one file's blocks: a bit per block, set once the block has
// been used in this pass. Levels above keep a bit per full word of the level below, so the
// next free block after a used one (axmap_next_free) is found in a few word reads per level
// however full the map is: 2^28 blocks take five levels.

/** One level: its words, how many bits are real, and the mask of its last word's real bits. */
interface Level {
  words: Uint32Array;
  bits: number;
  lastMask: number;
}

function level(bits: number): Level {
  const words = new Uint32Array(Math.ceil(bits / 32));
  const tail = bits % 32;
  return { words, bits, lastMask: tail === 0 ? 0xffffffff : ((1 << tail) - 1) >>> 0 };
}

/** Count trailing zeros of a non-zero 32-bit value. */
function ctz32(x: number): number {
  return 31 - Math.clz32(x & -x);
}

export class RandomMap {
  /** levels[0]: a bit per block; levels[k]: a bit per word of levels[k - 1], set when it is full. */
  private readonly levels: Level[] = [];
  /**
   * levels[0]'s words, its last word's index and that word's real bits, for take()'s one word
   * read; the mask as a signed 32-bit value (`| 0`), as take() compares the word's bits in int32
   * (a full word is -1), not as a number up to 2^32 - 1 that V8 keeps as a double.
   */
  private readonly words0: Uint32Array;
  private readonly lastWord0: number;
  private readonly lastMask0: number;
  private used = 0;

  constructor(readonly blocks: number) {
    if (!(blocks >= 1)) throw new RangeError(`a random map needs at least one block (got ${blocks})`);
    let bits = blocks;
    for (;;) {
      const l = level(bits);
      this.levels.push(l);
      if (l.words.length === 1) break;
      bits = l.words.length;
    }
    this.words0 = this.levels[0].words;
    this.lastWord0 = this.words0.length - 1;
    this.lastMask0 = this.levels[0].lastMask | 0;
  }

  /** Every block has been used: the next pass starts (fio_file_reset). */
  get exhausted(): boolean { return this.used === this.blocks; }

  isFree(b: number): boolean {
    return (this.words0[b >>> 5] & (1 << (b & 31))) === 0;
  }

  /**
   * The block a random draw b (below blocks) lands on, marked used: b if free, else the next
   * free one (get_next_rand_offset -> axmap_next_free); a full map starts a new pass first
   * (fio_file_reset). A free b, the common case, is one word read and written.
   */
  take(b: number): number {
    if (this.used === this.blocks) this.reset();
    const words = this.words0;
    const f = this.isFree(b) ? b : this.nextFree(b);
    const w = f >>> 5;
    const now = words[w] | (1 << (f & 31));
    words[w] = now;
    this.used++;
    if (now === (w === this.lastWord0 ? this.lastMask0 : -1)) this.setFrom(1, w);
    return f;
  }

  /** Mark block b used (mark_random_map); a word that fills marks its bit in the level above. */
  mark(b: number): void {
    if (!this.isFree(b)) throw new Error(`random map: block ${b} is already used`);
    this.used++;
    this.setFrom(0, b);
  }

  /** Set bit i of level k and, while that fills its word, the word's bit in the level above. */
  private setFrom(k0: number, i: number): void {
    for (let k = k0; k < this.levels.length; k++) {
      const l = this.levels[k];
      const w = i >>> 5;
      l.words[w] = (l.words[w] | (1 << (i & 31))) >>> 0;
      if (l.words[w] !== (w === l.words.length - 1 ? l.lastMask : 0xffffffff)) return;
      i = w;
    }
  }

  /** axmap_next_free: the first free block after b, else the first free one from the start (-1: none). */
  nextFree(b: number): number {
    const after = this.firstClear(0, b + 1);
    return after >= 0 ? after : this.firstClear(0, 0);
  }

  reset(): void {
    for (const l of this.levels) l.words.fill(0);
    this.used = 0;
  }

  /** The first clear bit at or after i on level k, or -1. */
  private firstClear(k: number, i: number): number {
    const l = this.levels[k];
    if (i >= l.bits) return -1;
    const w = i >>> 5;
    const rest = ~l.words[w] & (0xffffffff << (i & 31));
    if (rest !== 0) return this.real(l, (w << 5) + ctz32(rest));
    // the rest of this word is used: the next word that is not full, from the level above
    if (k + 1 === this.levels.length) return -1; // the top level is one word
    const next = this.firstClear(k + 1, w + 1);
    return next < 0 ? -1 : this.real(l, (next << 5) + ctz32(~l.words[next]));
  }

  /** Bits past a level's real ones are never set: finding one means there is no free bit. */
  private real(l: Level, bit: number): number {
    return bit < l.bits ? bit : -1;
  }
}
