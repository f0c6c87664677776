// bench_random_mixed, as the seeds run it (seed 000 "Workload pattern", seed 001):
// each iteration picks a random slot of a working set of `ws`; frees it if full, else
// allocates 16..1040 bytes into it; everything is freed at the end, then a final drain
// and trim. The logical clock advances 1 ms per `opsPerMs` iterations (idle trim and
// the LRU TTL run on it).
import { exitOp, free, malloc, run, drainOp, tickOp } from '../../impl/allocator.js';
import { AllocatorError } from '../../impl/errors.js';
import type { Heap } from '../../impl/heap.js';
import { attachThread, type Thread } from '../../impl/thread/thread.js';
import { trim } from '../../impl/superslab/trim.js';
import { Rng } from '../rng.js';

export interface RandomMixedOptions {
  iters: number;
  ws: number;
  seed: number;
  /** Iterations per logical millisecond. */
  opsPerMs: number;
}

export const RANDOM_MIXED_DEFAULTS: RandomMixedOptions = { iters: 100_000, ws: 256, seed: 42, opsPerMs: 1000 };

export interface WorkloadTiming {
  ops: number;
  seconds: number;
}

/** Runs the workload on `heap` from the calling thread; ops = mallocs + frees. */
export function randomMixed(heap: Heap, o: RandomMixedOptions): WorkloadTiming {
  const t = attachThread(heap);
  const slots = new Float64Array(o.ws);
  const rng = new Rng(o.seed);
  let ops = 0;
  const start = performance.now();
  for (let i = 1; i <= o.iters; i++) {
    const k = rng.below(o.ws);
    const p = slots[k]!;
    if (p !== 0) {
      check(free(t, p), p);
      slots[k] = 0;
    } else {
      slots[k] = check(malloc(t, 16 + rng.below(1025)));
    }
    ops++;
    if (i % o.opsPerMs === 0) run(t, tickOp(t, 1));
  }
  for (let k = 0; k < o.ws; k++) {
    if (slots[k] !== 0) {
      check(free(t, slots[k]!), slots[k]);
      ops++;
    }
  }
  const seconds = (performance.now() - start) / 1000;
  finish(heap, t);
  return { ops, seconds };
}

/** End of a workload: the thread drains and exits, then a trim pass (seed 003's trim). */
export function finish(heap: Heap, t: Thread): void {
  run(t, drainOp(t));
  run(t, exitOp(t));
  const trimmer = attachThread(heap);
  run(trimmer, trim(trimmer));
  run(trimmer, exitOp(trimmer));
}

function check(result: number, address?: number): number {
  if (result < 0) throw new AllocatorError(result, address);
  return result;
}
