// What a workload is: shared setup on the main thread, then one part per thread, each a
// stepper that does one operation per call and allocates nothing doing so. The same
// parts run in real worker threads (each loops its own part; cross-thread frees go
// through the remote queues for real) or interleaved on the main thread by a seeded
// scheduler (the same program, deterministic figures). runner.ts drives both.
import type { Heap } from '../../impl/heap.js';
import type { Thread } from '../../impl/thread/thread.js';

/** step(): did something. */
export const PROGRESS = 1;
/** step(): nothing to do until another thread acts (a consumer with an empty queue). */
export const WAIT = 0;
/** step(): this part is done. */
export const DONE = -1;

/** Everything a part needs that crosses to a worker: numbers, strings and shared buffers. */
export type Shared = Record<string, SharedArrayBuffer | number | string | boolean>;

export interface Part {
  step(): number;
  /** Operations done (mallocs + frees). */
  readonly ops: number;
  /** Allocator threads this part has run (larson respawns them), and the current one's id. */
  readonly threadsUsed: number;
  readonly tid: number;
  /** Drain and exit whatever allocator thread the part still runs. */
  close(): void;
  /** After WAIT: the word another thread changes when this part can go on. */
  readonly waitOn?: [Int32Array, number];
}

export interface Workload<O extends Record<string, number>> {
  name: string;
  /** Option name -> [default, min, max, what]. */
  options: Record<keyof O & string, [number, number, number, string]>;
  /** Main thread, before any part: shared buffers, warm-up allocations (by `main`). */
  setup(heap: Heap, o: O, threads: number, main: Thread): Shared;
  part(heap: Heap, o: O, shared: Shared, index: number, threads: number): Part;
  /** Why these options make no sense together (min above max, a thread that is not there), or null. */
  invalid?(o: O, threads: number, exec: 'workers' | 'interleaved'): string | null;
  /** Main thread, after every part closed: frees what the workload still holds; the ops it did. */
  teardown(o: O, shared: Shared, threads: number, main: Thread): number;
}

/** Thrown by a part when malloc fails with ENOMEM (seed 003's end): the run stops there. */
export class OutOfMemory extends Error {
  constructor(readonly thread: number) {
    super(`malloc failed with ENOMEM on thread ${thread}`);
    this.name = 'OutOfMemory';
  }
}
