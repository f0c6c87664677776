// A small deterministic PRNG (splitmix32): the same seed gives the same workload on
// every machine. Nothing is allocated per draw: the state stays an int32 (a small
// integer to the engine; a value above 2^31 kept in a field would be a heap number,
// boxed on every store), and only the result is made unsigned.
/** splitmix32's increment as an int32 (0x9e3779b9 - 2^32): the state update stays an int32 add. */
const GOLDEN = 0x9e3779b9 | 0;

export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed | 0;
  }

  /** Uniform 32-bit unsigned integer. */
  next(): number {
    this.state = (this.state + GOLDEN) | 0;
    let z = this.state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  }

  /**
   * Uniform integer in [0, n), for 1 <= n < 2^31: next() % n, computed on halves below 2^31
   * so that, for n < 2^30, the engine takes an integer remainder (a draw above 2^31 made `%`
   * a call to fmod, the largest cost of the benchmark loop). x = 2q + b gives x % n = r % n
   * with r = 2 (q % n) + b < 2n: one remainder, then n taken off when r >= n, branch-free
   * (r - n is an int32 here: its sign masks n back in).
   */
  below(n: number): number {
    const x = this.next();
    const d = ((x >>> 1) % n) * 2 + (x & 1) - n;
    return d + (n & (d >> 31));
  }
}
