// Baselines for `npm run bench`, measured with the same engine in the same run as the
// controller: wasm memory.copy (beside Copy throughput) and a bare shared-memory spin
// ping-pong (beside the threaded controller's round trip). Not used by the controller.

/** Copy n bytes from src to dst reps times. */
export function bench_memcpy(dst: u32, src: u32, n: u32, reps: u32): void {
  for (let i: u32 = 0; i < reps; i++) memory.copy(<usize>dst, <usize>src, <usize>n);
}

/**
 * The echo side of a ping-pong on the i32 at word: each time the host makes it odd, make it
 * even (+1). Returns the rounds answered; gives up after spin_limit idle spins per round.
 */
export function bench_echo(word: u32, rounds: u32, spin_limit: u32): u32 {
  for (let r: u32 = 0; r < rounds; r++) {
    let spins: u32 = 0;
    let v = atomic.load<i32>(<usize>word);
    while ((v & 1) == 0) {
      if (++spins > spin_limit) return r;
      v = atomic.load<i32>(<usize>word);
    }
    atomic.store<i32>(<usize>word, v + 1);
  }
  return rounds;
}
