// The programs of a bound (issue 10 item 3): every program of 1 to T threads of 1 to K
// operations each over an alphabet of letters, smallest first (total operations, then
// threads), without the ones that are the same program again:
// - symmetry: threads renamed (a free's or misuse's `from` renamed with them) give the same program;
//   only the permutation whose text sorts first is kept;
// - blocks are named by their owner and age: free(T#k) takes thread T's k-th live block,
//   oldest first (mod how many it holds, ops/free.ts); k runs over the blocks T can hold
//   then (its allocations before the free when T is the freeing thread, all of them when
//   another), so every choice of block is a program;
// - a free that can take no block — the thread's own before it allocated, another
//   thread's that never allocates — does nothing and is left out, as is anything after an exit.
// The letters of one operation (nextOps) serve the serial search too (serial.ts), which
// takes them as the run goes instead of enumerating programs.
import { MISUSE_KINDS, type Op, type Program } from '../program.js';

/** The letters, and what each is in thread `i` of `threads` (a remote free: one op per other thread and block; misuse: one per kind). */
export const LETTERS = ['alloc', 'free', 'remote', 'drain', 'trim', 'tick', 'exit', 'misuse'] as const;
export type Letter = (typeof LETTERS)[number];

export const DEFAULT_ALPHABET: readonly Letter[] = ['alloc', 'free', 'remote', 'drain'];
/** C7 (1500 B): in the tiny scope a SuperSlab holds 3 of them, so slabs fill and empty within a few operations. */
export const DEFAULT_SIZES: readonly number[] = [1500];
/** The clock steps `tick` takes: those check draws (ops/tick.ts; the LRU churn of scope.ts) and shrinks to: 1 ms, the idle-trim interval, the TTL, past it. */
export const DEFAULT_TICKS: readonly number[] = [1, 4, 8, 12];

export interface Bound {
  threads: number;
  ops: number;
  alphabet: readonly Letter[];
  /** The sizes `alloc` takes. */
  sizes: readonly number[];
  /** The clock steps `tick` takes (ms). */
  ticks: readonly number[];
  /** The most operations of all threads together (default threads x ops). */
  total?: number;
}

/** The most operations a program of the bound has in all. */
export function totalOps(b: Bound): number {
  return Math.min(b.total ?? Infinity, b.threads * b.ops);
}

/**
 * Thread `i`'s possible next operations, `blocks[j]` being how many blocks thread j can
 * hold at that point (a free of one of them: pick 0 .. blocks[j] - 1; none when 0).
 */
export function nextOps(b: Bound, i: number, blocks: readonly number[]): Op[] {
  const frees = (from: number): Op[] => Array.from({ length: blocks[from] ?? 0 }, (_, pick): Op => ({ op: 'free', from, pick }));
  return b.alphabet.flatMap((l): Op[] => {
    switch (l) {
      case 'alloc': return b.sizes.map((size): Op => ({ op: 'alloc', size }));
      case 'free': return frees(i);
      case 'remote': return blocks.flatMap((_, from) => (from === i ? [] : frees(from)));
      case 'drain': return [{ op: 'drain' }];
      case 'trim': return [{ op: 'trim' }];
      case 'tick': return b.ticks.map((ms): Op => ({ op: 'tick', ms }));
      case 'exit': return [{ op: 'exit' }];
      // each kind, aimed at the thread's own oldest block (interior: its second byte)
      case 'misuse': return MISUSE_KINDS.map((kind): Op => ({ op: 'misuse', kind, from: i, pick: 0, offset: 1 }));
    }
  });
}

/** About how many programs the bound has (before the useless ones and renamings go): to skip a huge bound without enumerating it. */
export function programsEstimate(b: Bound): number {
  const letters = nextOps(b, 0, Array<number>(b.threads).fill(b.ops)).length;
  let lists = 0;
  for (let k = 1; k <= b.ops; k++) lists += letters ** k;
  let perms = 1;
  for (let t = 2; t <= b.threads; t++) perms *= t;
  return lists ** b.threads / perms;
}

/** The programs of the bound, smallest first. */
export function programsOf(b: Bound): Program[] {
  const out: Program[] = [];
  for (let total = 1; total <= totalOps(b); total++) {
    for (let t = 1; t <= b.threads; t++) {
      const threads: Op[][] = [];
      const grow = (left: number): void => {
        if (threads.length === t) {
          if (left === 0 && useful(threads) && canonical(threads)) out.push({ threads: threads.map((ops) => [...ops]) });
          return;
        }
        const rest = t - threads.length - 1;
        for (let n = Math.max(1, left - rest * b.ops); n <= Math.min(b.ops, left - rest); n++) {
          for (const ops of sequences(threads.length, n, b, t)) {
            threads.push(ops);
            grow(left - n);
            threads.pop();
          }
        }
      };
      grow(total);
    }
  }
  return out;
}

/** Thread `i`'s operation lists of length `n` (an exit only last; another thread's blocks: as many as it may allocate, useful() keeps what it does). */
function sequences(i: number, n: number, b: Bound, threads: number): Op[][] {
  let lists: Op[][] = [[]];
  for (let k = 0; k < n; k++) {
    lists = lists.flatMap((ops) => {
      if (ops.at(-1)?.op === 'exit') return [];
      const blocks = Array.from({ length: threads }, (_, j) => (j === i ? ops.filter((o) => o.op === 'alloc').length : b.ops));
      return nextOps(b, i, blocks).map((o) => [...ops, o]);
    });
  }
  return lists;
}

// No free that certainly frees nothing: another thread's block past what that thread ever allocates.
function useful(threads: Op[][]): boolean {
  const allocs = threads.map((ops) => ops.filter((o) => o.op === 'alloc').length);
  return threads.every((ops) => ops.every((o) => o.op !== 'free' || o.pick < allocs[o.from]!));
}

/** The program is the first of its thread renamings. */
function canonical(threads: Op[][]): boolean {
  const own = JSON.stringify(threads);
  for (const perm of permutations(threads.length)) {
    const renamed: Op[][] = new Array(threads.length);
    threads.forEach((ops, i) => {
      renamed[perm[i]!] = ops.map((o) => (o.op === 'free' || o.op === 'misuse' ? { ...o, from: perm[o.from]! } : o));
    });
    if (JSON.stringify(renamed) < own) return false;
  }
  return true;
}

function permutations(n: number): number[][] {
  if (n <= 1) return [[0]];
  return permutations(n - 1).flatMap((p) => Array.from({ length: n }, (_, k) => [...p.slice(0, k), n - 1, ...p.slice(k)]));
}
