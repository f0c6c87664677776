// A worker thread of a parallel run: attaches the heap, builds its part of the workload
// and steps it until it is done or the run is stopped; reports its ops, or the error it
// hit with its thread id, or ENOMEM. Same impl code as the main thread (direct executor).
import { parentPort, workerData } from 'node:worker_threads';
import { attachHeap } from '../../impl/heap.js';
import { WORKLOADS } from '../workloads/index.js';
import { DONE, OutOfMemory, WAIT, type Part, type Shared } from '../workloads/types.js';
import { Control } from './control.js';
import { HeapSampler } from './heap-trend.js';

interface Data {
  sab: SharedArrayBuffer;
  control: SharedArrayBuffer;
  workload: string;
  options: Record<string, number>;
  shared: Shared;
  index: number;
  threads: number;
}

const d = workerData as Data;
const control = new Control(d.control);
const heap = attachHeap(d.sab);
let part: Part | null = null;
// This worker's JS heap, sampled every 250 ms: a long run must keep its floor flat.
const heapSampler = new HeapSampler(250);
try {
  part = WORKLOADS[d.workload]!.part(heap, d.options, d.shared, d.index, d.threads);
  for (let n = 0; ; n++) {
    const status = part.step();
    if (status === DONE) break;
    if (status === WAIT) {
      const [words, at] = part.waitOn ?? control.idle;
      Atomics.wait(words, at, Atomics.load(words, at), 5);
    }
    if ((n & 255) === 0) {
      control.publish(d.index, part.tid, part.ops);
      if (control.stopped) break;
      if ((n & 0xffff) === 0) heapSampler.poll(performance.now());
    }
  }
  part.close();
  parentPort!.postMessage({ kind: 'done', index: d.index, ops: part.ops, threadsUsed: part.threadsUsed, jsHeap: heapSampler.trend() });
} catch (err) {
  const e = err as Error;
  // ENOMEM ends the run, not the thread: it still drains and exits (neither maps memory)
  if (e instanceof OutOfMemory) part?.close();
  parentPort!.postMessage({
    kind: e instanceof OutOfMemory ? 'enomem' : 'error',
    index: d.index,
    tid: part?.tid ?? 0,
    ops: part?.ops ?? 0,
    threadsUsed: part?.threadsUsed ?? 0,
    message: `${e.name}: ${e.message}`,
  });
}
