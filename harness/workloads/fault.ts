// fault: the harness's own check. Thread `thread` misbehaves at its operation `at`:
// mode 0 throws, mode 1 hangs (spins forever), mode 2 frees a block twice (the
// allocator refuses: a typed error). Every other thread allocates and frees. The run
// must report the thread by index and allocator thread id, stop the others, and end
// within its timeout.
import { drainOp, exitOp, free, malloc, run } from '../../impl/allocator/allocator.js';
import type { Heap } from '../../impl/heap.js';
import { attachThread, type Thread } from '../../impl/thread/thread.js';
import { checked, mallocOrStop } from './results.js';
import { DONE, PROGRESS, type Part, type Workload } from './types.js';

export interface FaultOptions extends Record<string, number> {
  mode: number;
  thread: number;
  at: number;
  iters: number;
}

export const fault: Workload<FaultOptions> = {
  name: 'fault',
  options: {
    mode: [0, 0, 2, 'what the thread does: 0 throw, 1 hang, 2 double free'],
    thread: [0, 0, 63, 'which thread misbehaves'],
    at: [1000, 0, 2 ** 40, 'at which of its operations'],
    iters: [100_000, 1, 2 ** 40, 'operations of the other threads'],
  },
  invalid: (o, threads, exec) => {
    if (o.thread >= threads) return `--thread ${o.thread} is not one of the ${threads} thread${threads > 1 ? 's' : ''} (0..${threads - 1})`;
    if (o.at >= o.iters) return `--at ${o.at} is past the thread's last operation (--iters ${o.iters}): nothing would misbehave`;
    // a hang on the main thread cannot be interrupted: only a worker can be terminated
    if (o.mode === 1 && exec === 'interleaved') return '--mode 1 (hang) needs --exec workers: a hang on the main thread cannot be stopped';
    return null;
  },
  setup: () => ({}),
  part: (heap, o, _shared, index) => new FaultPart(heap, o, index),
  teardown: () => 0,
};

class FaultPart implements Part {
  private readonly t: Thread;
  ops = 0;
  readonly threadsUsed = 1;
  private fired = false;

  constructor(heap: Heap, private readonly o: FaultOptions, private readonly index: number) {
    this.t = attachThread(heap);
  }

  get tid(): number {
    return this.t.tid;
  }

  step(): number {
    const { o, t } = this;
    // ops go up by two (a malloc and a free): compare with >=, so odd --at and --iters are reached
    if (this.index === o.thread && this.ops >= o.at && !this.fired) {
      this.fired = true;
      if (o.mode === 0) throw new Error(`injected failure at operation ${o.at}`);
      if (o.mode === 1) for (;;) { /* injected hang */ }
      const p = mallocOrStop(malloc(t, 64), this.index);
      checked(free(t, p), p);
      checked(free(t, p), p); // FREE_DOUBLE
    }
    if (this.ops >= o.iters) return DONE;
    const p = mallocOrStop(malloc(t, 64), this.index);
    checked(free(t, p), p);
    this.ops += 2;
    return PROGRESS;
  }

  close(): void {
    run(this.t, drainOp(this.t));
    run(this.t, exitOp(this.t));
  }
}
