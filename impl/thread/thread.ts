// A thread of the allocator: its slot in the heap (TLS state lives in the buffer so the
// audit can see every thread's caches) and the JS handle its operations run with.
import type { EventSink } from '../events.js';
import type { Heap } from '../heap.js';
import { H, T } from '../layout.js';
import { threadCells, threadCounters, threadWords } from '../locators.js';
import { pokeAdd, pokeCas } from '../steps.js';

export class Thread {
  /** i32 index of this thread's words (T.*). */
  readonly ti: number;
  /** f64 index of this thread's words (TF.*). */
  readonly tf: number;
  /** f64 index of this thread's counters. */
  readonly cnt: number;
  sink: EventSink | null = null;
  /**
   * The slots this thread claimed or adopted: a private index, so that drain and exit
   * visit its slabs without scanning every SuperSlab. The slot words stay the truth:
   * each entry is re-checked (owner and state) before use, and stale ones are dropped.
   */
  readonly owned = new Set<number>();
  // Scratch filled by free's pointer check for the slow path that follows (no allocation).
  fSlot = -1;
  fIdx = -1;
  fCell = -1;
  fCls = -1;
  /** Operands of the access request this thread last yielded (steps.ts). */
  x = 0;
  y = 0;

  constructor(readonly heap: Heap, readonly slot: number, readonly tid: number) {
    this.ti = threadWords(heap, slot);
    this.tf = threadCells(heap, slot);
    this.cnt = threadCounters(heap, slot);
  }

  emit(kind: number, a: number, b: number, c: number): void {
    if (this.sink !== null) this.sink.event(kind, this.tid, a, b, c);
  }
}

/** Starts a thread on `heap`: claims a free thread slot and a fresh thread id. */
export function attachThread(heap: Heap, sink: EventSink | null = null): Thread {
  const { cfg } = heap;
  const tid = pokeAdd(heap, H.NEXT_TID, 1);
  for (let slot = 0; slot < cfg.maxThreads; slot++) {
    if (pokeCas(heap, threadWords(heap, slot) + T.TID, 0, tid) === 0) {
      pokeAdd(heap, H.THREADS_LIVE, 1);
      const t = new Thread(heap, slot, tid);
      t.sink = sink;
      return t;
    }
  }
  throw new NoThreadSlot(cfg.maxThreads);
}

/** More live threads than sim.max_threads slots: a limit of the configuration, not an allocator fault. */
export class NoThreadSlot extends Error {
  constructor(readonly slots: number) {
    super(`no free thread slot: sim.max_threads=${slots} are all taken; raise sim.max_threads`);
    this.name = 'NoThreadSlot';
  }
}
