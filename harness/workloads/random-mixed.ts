// bench_random_mixed, as the seeds run it (seed 000 "Workload pattern", seed 001): each
// iteration picks a random slot of a working set of `ws`; frees it if full, else
// allocates 16..1040 bytes into it; everything is freed at the end. With several
// threads each runs its own copy (seed + thread index): no cross-thread frees. The
// logical clock advances 1 ms per `opsPerMs` iterations of each thread (idle trim and
// the LRU TTL run on it).
import { drainOp, exitOp, free, malloc, run, tickOp } from '../../impl/allocator/allocator.js';
import type { Heap } from '../../impl/heap.js';
import { attachThread, type Thread } from '../../impl/thread/thread.js';
import { Rng } from '../rng.js';
import { checked, mallocOrStop } from './results.js';
import { DONE, PROGRESS, type Part, type Workload } from './types.js';

export interface RandomMixedOptions extends Record<string, number> {
  iters: number;
  ws: number;
  seed: number;
  opsPerMs: number;
}

export const randomMixed: Workload<RandomMixedOptions> = {
  name: 'random-mixed',
  options: {
    iters: [100_000, 1, 2 ** 40, 'iterations per thread (seed 000: 100000)'],
    ws: [256, 1, 1 << 24, 'working-set slots per thread (seed 000: 256, seed 001: 4096)'],
    seed: [42, 0, 2 ** 32 - 1, 'random seed (thread i uses seed + i)'],
    opsPerMs: [1000, 1, 1e9, 'operations per logical ms; every thread\'s ticks advance the one shared clock'],
  },
  setup: () => ({}),
  part: (heap, o, _shared, index) => new RandomMixedPart(heap, o, index, ALLOCATOR),
  teardown: () => 0,
};

/** What an iteration calls: the allocator, or (for the benchmark) nothing. */
interface Calls {
  malloc(t: Thread, size: number): number;
  free(t: Thread, address: number): number;
  tick(t: Thread): void;
}

const ALLOCATOR: Calls = { malloc, free, tick: (t) => run(t, tickOp(t, 1)) };

/**
 * The benchmark loop alone (`npm run bench` reports its cost beside the allocator's):
 * the same draws, slot updates and runner, with calls that only hand out a number.
 */
export const randomMixedLoopOnly: Workload<RandomMixedOptions> = {
  ...randomMixed,
  name: 'random-mixed loop only',
  part: (heap, o, _shared, index) => new RandomMixedPart(heap, o, index, NO_ALLOCATOR),
};

const NO_ALLOCATOR: Calls = { malloc: (_t, size) => size * 16 + 1, free: () => 0, tick: () => undefined };

class RandomMixedPart implements Part {
  private readonly t: Thread;
  private readonly slots: Float64Array;
  private readonly rng: Rng;
  private i = 0;
  /** Iterations until the next tick: the clock ticks when i reaches a multiple of opsPerMs (no division per iteration). */
  private untilTick: number;
  private sweep = 0;
  ops = 0;
  readonly threadsUsed = 1;

  constructor(heap: Heap, private readonly o: RandomMixedOptions, private readonly index: number, private readonly calls: Calls) {
    this.t = attachThread(heap);
    this.slots = new Float64Array(o.ws);
    this.rng = new Rng(o.seed + index);
    this.untilTick = o.opsPerMs;
  }

  step(): number {
    const { t, slots, o, calls } = this;
    if (this.i < o.iters) {
      const k = this.rng.below(o.ws);
      const p = slots[k]!;
      if (p !== 0) {
        checked(calls.free(t, p), p);
        slots[k] = 0;
      } else {
        slots[k] = mallocOrStop(calls.malloc(t, 16 + this.rng.below(1025)), this.index);
      }
      this.ops++;
      this.i++;
      if (--this.untilTick === 0) {
        this.untilTick = o.opsPerMs;
        calls.tick(t);
      }
      return PROGRESS;
    }
    while (this.sweep < o.ws && slots[this.sweep] === 0) this.sweep++;
    if (this.sweep === o.ws) return DONE;
    checked(this.calls.free(t, slots[this.sweep]!), slots[this.sweep]);
    slots[this.sweep++] = 0;
    this.ops++;
    return PROGRESS;
  }

  get tid(): number {
    return this.t.tid;
  }

  close(): void {
    run(this.t, drainOp(this.t));
    run(this.t, exitOp(this.t));
  }
}
