// cache-thrash and cache-scratch (mimalloc-bench, from Hoard's suite): each thread
// allocates a small object, touches it `reps` times, frees it, `iters` times over.
// cache-scratch first hands each thread one object the main thread allocated, which the
// thread frees (a remote free) before it starts. They probe false sharing of cache lines
// between threads' objects; this model has no caches, so here they measure the
// allocator's paths for one hot block per thread (touches read the block's header cell).
import { drainOp, exitOp, free, malloc, run } from '../../impl/allocator/allocator.js';
import type { Heap } from '../../impl/heap.js';
import { readCell } from '../../impl/os/pages.js';
import { attachThread, type Thread } from '../../impl/thread/thread.js';
import { checked, mallocOrStop } from './results.js';
import { DONE, PROGRESS, type Part, type Workload } from './types.js';

export interface CacheOptions extends Record<string, number> {
  iters: number;
  size: number;
  reps: number;
}

const options: Workload<CacheOptions>['options'] = {
  iters: [100_000, 1, 2 ** 40, 'objects each thread allocates and frees'],
  size: [8, 1, 2047, 'object size in bytes (mimalloc-bench: 8)'],
  reps: [10, 0, 1 << 20, 'touches per object'],
};

export const cacheThrash: Workload<CacheOptions> = {
  name: 'cache-thrash',
  options,
  setup: () => ({}),
  part: (heap, o, _shared, index) => new CachePart(heap, o, 0, index),
  teardown: () => 0,
};

export const cacheScratch: Workload<CacheOptions> = {
  name: 'cache-scratch',
  options,
  setup(_heap, o, threads, t) {
    const handed = new SharedArrayBuffer(8 * threads);
    const objects = new Float64Array(handed);
    for (let i = 0; i < threads; i++) objects[i] = mallocOrStop(malloc(t, o.size), -1);
    return { handed }; // the main thread stays alive: its objects are freed remotely
  },
  part: (heap, o, shared, index) => new CachePart(heap, o, new Float64Array(shared['handed'] as SharedArrayBuffer)[index]!, index),
  teardown: () => 0,
};

class CachePart implements Part {
  private readonly t: Thread;
  private i = 0;
  ops = 0;
  readonly threadsUsed = 1;

  constructor(private readonly heap: Heap, private readonly o: CacheOptions, private handed: number, private readonly index: number) {
    this.t = attachThread(heap);
  }

  get tid(): number {
    return this.t.tid;
  }

  step(): number {
    const { t, o } = this;
    if (this.handed !== 0) {
      checked(free(t, this.handed), this.handed);
      this.handed = 0;
      this.ops++;
      return PROGRESS;
    }
    if (this.i === o.iters) return DONE;
    const p = mallocOrStop(malloc(t, o.size), this.index);
    for (let r = 0; r < o.reps; r++) readCell(this.heap, p - 1);
    checked(free(t, p), p);
    this.ops += 2;
    this.i++;
    return PROGRESS;
  }

  close(): void {
    run(this.t, drainOp(this.t));
    run(this.t, exitOp(this.t));
  }
}
