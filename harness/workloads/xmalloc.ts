// xmalloc (mimalloc-bench's xmalloc-test): producer threads allocate blocks and pass them
// to consumer threads, which free them — every free is a remote free (seed 003 §2.2 at
// its purest) until the producer exits; then the consumer adopts the slabs it left. Threads pair up: even-numbered threads produce, each into a ring shared
// with the next thread, which consumes; a lone last thread both produces and consumes.
import { drainOp, exitOp, free, malloc, run } from '../../impl/allocator/allocator.js';
import type { Heap } from '../../impl/heap.js';
import { attachThread, type Thread } from '../../impl/thread/thread.js';
import { Rng } from '../rng.js';
import { checked, mallocOrStop } from './results.js';
import { DONE, PROGRESS, WAIT, type Part, type Shared, type Workload } from './types.js';

export interface XmallocOptions extends Record<string, number> {
  objs: number;
  size: number;
  seed: number;
}

const RING = 1024;
// ring words (i32): [head (next to pop), tail (next to push), producer done]
const HEAD = 0;
const TAIL = 1;
const DONE_FLAG = 2;

export const xmalloc: Workload<XmallocOptions> = {
  name: 'xmalloc',
  options: {
    objs: [100_000, 1, 2 ** 40, 'blocks each producer allocates'],
    size: [64, 2, 2048, 'largest block + 1 (blocks are 1..size-1 bytes)'],
    seed: [42, 0, 2 ** 32 - 1, 'random seed'],
  },
  setup(_heap, _o, threads) {
    const rings: Shared = {};
    for (let p = 0; p < threads; p += 2) rings[`ring${p}`] = new SharedArrayBuffer(16 + 8 * RING);
    return rings;
  },
  part(heap, o, shared, index, threads) {
    const producer = index % 2 === 0;
    const ring = shared[`ring${producer ? index : index - 1}`] as SharedArrayBuffer;
    return new XmallocPart(heap, o, ring, index, producer, producer && index === threads - 1);
  },
  teardown: () => 0,
};

class XmallocPart implements Part {
  private readonly t: Thread;
  private readonly ctl: Int32Array;
  private readonly slots: Float64Array;
  private readonly rng: Rng;
  private made = 0;
  ops = 0;
  readonly threadsUsed = 1;

  constructor(heap: Heap, private readonly o: XmallocOptions, ring: SharedArrayBuffer, private readonly index: number,
    private readonly producer: boolean, private readonly alone: boolean) {
    this.t = attachThread(heap);
    this.ctl = new Int32Array(ring, 0, 4);
    this.slots = new Float64Array(ring, 16, RING);
    this.rng = new Rng(o.seed + index);
  }

  get tid(): number {
    return this.t.tid;
  }

  step(): number {
    if (this.producer && this.made < this.o.objs) {
      if (this.alone) {
        const p = mallocOrStop(malloc(this.t, 1 + this.rng.below(this.o.size - 1)), this.index);
        checked(free(this.t, p), p);
        this.ops += 2;
        this.made++;
        return PROGRESS;
      }
      return this.produce();
    }
    if (this.producer) {
      Atomics.store(this.ctl, DONE_FLAG, 1);
      Atomics.notify(this.ctl, TAIL);
      return DONE;
    }
    return this.consume();
  }

  private produce(): number {
    const { ctl } = this;
    const tail = Atomics.load(ctl, TAIL);
    if (tail - Atomics.load(ctl, HEAD) === RING) return WAIT;
    this.slots[tail % RING] = mallocOrStop(malloc(this.t, 1 + this.rng.below(this.o.size - 1)), this.index);
    Atomics.store(ctl, TAIL, tail + 1); // publishes the slot
    Atomics.notify(ctl, TAIL);
    this.ops++;
    this.made++;
    return PROGRESS;
  }

  private consume(): number {
    const { ctl } = this;
    const head = Atomics.load(ctl, HEAD);
    if (head === Atomics.load(ctl, TAIL)) return Atomics.load(ctl, DONE_FLAG) === 1 && head === Atomics.load(ctl, TAIL) ? DONE : WAIT;
    const p = this.slots[head % RING]!;
    Atomics.store(ctl, HEAD, head + 1);
    Atomics.notify(ctl, HEAD);
    checked(free(this.t, p), p);
    this.ops++;
    return PROGRESS;
  }

  get waitOn(): [Int32Array, number] {
    return [this.ctl, this.producer ? HEAD : TAIL];
  }

  close(): void {
    run(this.t, drainOp(this.t));
    run(this.t, exitOp(this.t));
  }
}
