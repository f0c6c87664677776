// One implementation, two executors (docs/architecture.md §3). An operation that touches state
// another thread can touch is a generator that yields immediately before each shared
// access: `yield READ` before one that only reads, `yield WRITE` before one that writes
// (a store, CAS, read-modify-write or system call), `yield lockWord` before each attempt
// to take an allocator lock. The direct executor (workers, benchmarks) runs
// a generator to completion; the step executor (the checker) resumes one yield at a time
// in the order a schedule dictates and treats a thread that yielded a held lock's word
// as blocked. There is no second copy of any algorithm for the checker.
import type { Heap } from './heap.js';

/** Yielded before a shared access that only reads. */
export const READ = 0;
/** Yielded before a shared access that writes (the checker may preempt before either kind). */
export const WRITE = -1;
// Any other yielded value is a lock word: the thread can go on once that word is 0
// (free) — to take the lock, or to see its holder's work done.

export type Op<R> = Generator<number, R, void>;

/** Takes the allocator lock at word `lock` for thread `tid`. */
export function* lock(h: Heap, word: number, tid: number): Op<void> {
  for (;;) {
    yield word;
    if (Atomics.compareExchange(h.i32, word, 0, tid) === 0) return;
  }
}

export function* unlock(h: Heap, word: number): Op<void> {
  yield WRITE;
  Atomics.store(h.i32, word, 0);
  Atomics.notify(h.i32, word);
}

/** Runs `op` to completion on this thread; waits (for real) on held locks. */
export function runDirect<R>(h: Heap, op: Op<R>): R {
  const { i32 } = h;
  for (;;) {
    const r = op.next();
    if (r.done === true) return r.value;
    const word = r.value;
    if (word > 0) {
      for (let spins = 0; ; spins++) {
        const holder = Atomics.load(i32, word);
        if (holder === 0) break;
        if (spins > 100) Atomics.wait(i32, word, holder, 1);
      }
    }
  }
}
