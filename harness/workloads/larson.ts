// Larson, with mimalloc-bench's semantics (seed 003 ran it: `larson 10 8 128 1024 1 12345 4`):
// the main thread warms up threads * chunks blocks of min..max-1 bytes (shuffled, then
// 4 * that many replacements); each thread owns a slice of `chunks` of them and, for
// rounds * chunks iterations, frees a random victim of its slice and allocates a new
// block in its place; then the thread exits and a new one takes over the slice. So frees
// cross threads — the main thread's blocks, dead predecessors' blocks — through the
// remote queues (seed 003 §2.2). A run is `lifetimes` thread lifetimes per slot, or
// `seconds` of wall clock (the runner stops it).
import { drainOp, exitOp, free, malloc, run, tickOp } from '../../impl/allocator/allocator.js';
import type { Heap } from '../../impl/heap.js';
import { attachThread, type Thread } from '../../impl/thread/thread.js';
import { Rng } from '../rng.js';
import { checked, mallocOrStop } from './results.js';
import { DONE, PROGRESS, type Part, type Shared, type Workload } from './types.js';

export interface LarsonOptions extends Record<string, number> {
  min: number;
  max: number;
  chunks: number;
  rounds: number;
  lifetimes: number;
  seconds: number;
  seed: number;
  itersPerMs: number;
}

export const larson: Workload<LarsonOptions> = {
  name: 'larson',
  options: {
    min: [8, 1, 2047, 'smallest block (seed 003: 8)'],
    max: [128, 2, 2048, 'largest block + 1 (seed 003: 128)'],
    chunks: [1024, 1, 1 << 20, 'blocks each thread owns (seed 003: 1024)'],
    rounds: [1, 1, 1 << 20, 'a lifetime is rounds * chunks iterations (seed 003: 1)'],
    lifetimes: [100, 1, 1 << 30, 'thread lifetimes per slot (ignored with --seconds)'],
    seconds: [0, 0, 86400, 'wall-clock run time instead of lifetimes (0: use lifetimes)'],
    seed: [12345, 0, 2 ** 32 - 1, 'random seed (seed 003: 12345)'],
    itersPerMs: [1000, 1, 1e9, 'iterations (a free and a malloc) per logical ms; every thread\'s ticks advance the one shared clock'],
  },
  invalid: (o) => (o.min < o.max ? null : `--min ${o.min} must be below --max ${o.max} (blocks are min..max-1 bytes)`),
  setup(_heap, o, threads, t) {
    const n = threads * o.chunks;
    const array = new SharedArrayBuffer(8 * n);
    const blocks = new Float64Array(array);
    const rng = new Rng(o.seed);
    const size = (): number => o.min + (o.max > o.min ? rng.below(o.max - o.min) : 0);
    for (let i = 0; i < n; i++) blocks[i] = mallocOrStop(malloc(t, size()), -1);
    for (let i = n; i > 0; i--) {
      const j = rng.below(i);
      const tmp = blocks[j]!;
      blocks[j] = blocks[i - 1]!;
      blocks[i - 1] = tmp;
    }
    for (let i = 0; i < 4 * n; i++) {
      const victim = rng.below(n);
      checked(free(t, blocks[victim]!), blocks[victim]);
      blocks[victim] = mallocOrStop(malloc(t, size()), -1);
    }
    return { array }; // the main thread stays alive (as in larson); workers free its blocks
  },
  part: (heap, o, shared, index) => new LarsonPart(heap, o, shared, index),
  teardown(o, shared, threads, t) {
    const blocks = new Float64Array(shared['array'] as SharedArrayBuffer);
    let ops = 0;
    for (let i = 0; i < threads * o.chunks; i++) {
      if (blocks[i] !== 0) {
        checked(free(t, blocks[i]!), blocks[i]);
        ops++;
      }
    }
    return ops;
  },
};

class LarsonPart implements Part {
  private t: Thread;
  private readonly blocks: Float64Array;
  private readonly rng: Rng;
  private iteration = 0;
  private lifetime = 0;
  private readonly perLifetime: number;
  ops = 0;
  threadsUsed = 0;

  constructor(private readonly heap: Heap, private readonly o: LarsonOptions, shared: Shared, private readonly index: number) {
    this.blocks = new Float64Array(shared['array'] as SharedArrayBuffer, 8 * index * o.chunks, o.chunks);
    this.rng = new Rng(o.seed + 1 + index);
    this.perLifetime = o.rounds * o.chunks;
    this.t = this.spawn();
  }

  step(): number {
    const { t, o, blocks } = this;
    if (this.iteration === this.perLifetime) {
      // the thread ends; a new one inherits the slice (larson's _beginthread on exit)
      run(t, exitOp(t));
      if (++this.lifetime === o.lifetimes && o.seconds === 0) return DONE;
      this.t = this.spawn();
      this.iteration = 0;
      return PROGRESS;
    }
    const victim = this.rng.below(o.chunks);
    checked(free(t, blocks[victim]!), blocks[victim]);
    blocks[victim] = 0;
    blocks[victim] = mallocOrStop(malloc(t, o.min + (o.max > o.min ? this.rng.below(o.max - o.min) : 0)), this.index);
    this.ops += 2;
    if (++this.iteration % o.itersPerMs === 0) run(t, tickOp(t, 1));
    return PROGRESS;
  }

  close(): void {
    if (this.iteration === this.perLifetime && this.lifetime === this.o.lifetimes) return; // already exited
    run(this.t, drainOp(this.t));
    run(this.t, exitOp(this.t));
  }

  get tid(): number {
    return this.t.tid;
  }

  private spawn(): Thread {
    this.threadsUsed++;
    return attachThread(this.heap);
  }
}
