// Runs a workload on a heap: its parts either in real worker threads sharing the heap's
// SharedArrayBuffer (cross-thread frees go through the remote queues for real; figures
// depend on the OS schedule) or interleaved on the main thread by a seeded scheduler
// (one operation at a time; the same figures every time). Then the workload's teardown,
// the main thread's drain and exit, and a trim; the caller audits.
//
// A worker that throws is reported with its index and allocator thread id, the others
// are stopped, and the run ends; one that does not finish within the timeout is
// terminated and reported; the heap is then left as it was (no teardown). ENOMEM (seed
// 003's end) stops the run and is reported too.
import { Worker } from 'node:worker_threads';
import { drainOp, exitOp, run } from '../impl/allocator/allocator.js';
import type { Heap } from '../impl/heap.js';
import { trim } from '../impl/superslab/trim.js';
import { attachThread } from '../impl/thread/thread.js';
import { Rng } from './rng.js';
import { Control } from './workers/control.js';
import type { HeapTrend } from './workers/heap-trend.js';
import { DONE, OutOfMemory, PROGRESS, WAIT, type Part, type Shared, type Workload } from './workloads/types.js';

export interface RunSpec {
  workload: Workload<Record<string, number>>;
  options: Record<string, number>;
  threads: number;
  exec: 'workers' | 'interleaved';
  /** Interleaved: the scheduler's seed. */
  schedSeed: number;
  /** Wall-clock stop (0: run until every part is done). */
  seconds: number;
  /** How long the run may take: unfinished workers are terminated; interleaved, the run stops. */
  timeoutMs: number;
}

export interface ThreadResult {
  index: number;
  ops: number;
  threadsUsed: number;
  /** A worker's JS heap over the run (absent when interleaved). */
  jsHeap?: HeapTrend;
}

export interface Failure {
  index: number;
  tid: number;
  message: string;
}

export interface RunResult {
  ops: number;
  /** Wall-clock seconds of the parts (setup and teardown excluded). */
  seconds: number;
  perThread: ThreadResult[];
  stopped: 'done' | 'time' | 'enomem' | 'failure';
  enomem: { index: number; tid: number } | null;
  failures: Failure[];
}

export async function runWorkload(heap: Heap, spec: RunSpec): Promise<RunResult> {
  const main = attachThread(heap);
  const shared = spec.workload.setup(heap, spec.options, spec.threads, main);
  const result = spec.exec === 'workers' ? await inWorkers(heap, spec, shared) : interleaved(heap, spec, shared);
  // a failed worker may have died mid-operation (even holding the pool lock): leave the heap as it is
  if (result.failures.length > 0) return result;
  result.ops += spec.workload.teardown(spec.options, shared, spec.threads, main);
  run(main, drainOp(main));
  run(main, exitOp(main));
  const trimmer = attachThread(heap);
  run(trimmer, trim(trimmer));
  run(trimmer, exitOp(trimmer));
  return result;
}

function interleaved(heap: Heap, spec: RunSpec, shared: Shared): RunResult {
  const parts: Part[] = [];
  for (let i = 0; i < spec.threads; i++) parts.push(spec.workload.part(heap, spec.options, shared, i, spec.threads));
  const live = parts.map((_, i) => i);
  const rng = new Rng(spec.schedSeed);
  const result = emptyResult(spec.threads);
  const start = performance.now();
  let waiting = 0;
  let i = 0;
  try {
    for (let n = 1; live.length > 0; n++) {
      // with one thread left the draw is 0 and no later draw matters (live only shrinks)
      const at = live.length === 1 ? 0 : rng.below(live.length);
      i = live[at]!;
      const part = parts[i]!;
      let status = part.step();
      // One thread left: no draw to make, so it steps on here (the same steps in the same
      // order, each progress resetting `waiting` as below) until a step does not progress or
      // the clock check is due: the loop's own bookkeeping once per 1024 steps, not per step.
      while (live.length === 1 && status === PROGRESS && (n & 1023) !== 0) {
        waiting = 0;
        n++;
        status = part.step();
      }
      if (status === DONE) {
        parts[i]!.close();
        live.splice(at, 1);
        waiting = 0;
      } else if (status === WAIT) {
        if (++waiting > 64 * live.length) throw new Error(`interleaved run stuck: every thread waits (${live.map((x) => `T${x}`).join(', ')})`);
      } else {
        waiting = 0;
      }
      if ((n & 1023) === 0) {
        const ms = performance.now() - start;
        if (spec.seconds > 0 && ms >= spec.seconds * 1000) {
          result.stopped = 'time';
          break;
        }
        if (ms >= spec.timeoutMs) throw new Error(`did not finish within ${spec.timeoutMs} ms; stopped`);
      }
    }
    for (const x of live) parts[x]!.close();
  } catch (err) {
    // as in workers: ENOMEM ends the run; anything else (an OOM kill, an injected fault,
    // no thread slot) is a failure of thread i, and the heap is left as it is
    if (err instanceof OutOfMemory) {
      result.stopped = 'enomem';
      result.enomem = { index: err.thread, tid: parts[err.thread]?.tid ?? 0 };
      for (const x of live) parts[x]!.close();
    } else {
      result.stopped = 'failure';
      result.failures.push({ index: i, tid: parts[i]?.tid ?? 0, message: `${(err as Error).name}: ${(err as Error).message}` });
    }
  }
  result.seconds = (performance.now() - start) / 1000;
  parts.forEach((p, x) => {
    result.perThread[x] = { index: x, ops: p.ops, threadsUsed: p.threadsUsed };
    result.ops += p.ops;
  });
  return result;
}

interface WorkerMessage {
  kind: 'done' | 'error' | 'enomem';
  index: number;
  tid?: number;
  ops: number;
  threadsUsed: number;
  message?: string;
  jsHeap?: ThreadResult['jsHeap'];
}

async function inWorkers(heap: Heap, spec: RunSpec, shared: Shared): Promise<RunResult> {
  const control = Control.create(spec.threads);
  const stop = (): void => control.stop();
  const result = emptyResult(spec.threads);
  const url = new URL('./workers/worker.js', import.meta.url);
  const start = performance.now();
  const finished = new Set<number>();
  const workers = Array.from({ length: spec.threads }, (_, index) => new Worker(url, {
    workerData: {
      sab: heap.sab, control: control.buffer, workload: spec.workload.name, options: spec.options, shared, index, threads: spec.threads,
    },
  }));
  const exits = workers.map((w, index) => new Promise<void>((resolve) => {
    w.on('message', (m: WorkerMessage) => {
      finished.add(index);
      result.perThread[index] = { index, ops: m.ops, threadsUsed: m.threadsUsed, ...(m.jsHeap ? { jsHeap: m.jsHeap } : {}) };
      if (m.kind === 'error') {
        result.failures.push({ index, tid: m.tid ?? 0, message: m.message ?? 'unknown error' });
        stop();
      } else if (m.kind === 'enomem') {
        result.enomem ??= { index, tid: m.tid ?? 0 };
        stop();
      }
    });
    w.on('error', (err) => {
      result.failures.push({ index, tid: control.tid(index), message: `${err.name}: ${err.message}` });
      stop();
    });
    w.on('exit', () => resolve());
  }));
  const timers: NodeJS.Timeout[] = [];
  if (spec.seconds > 0) timers.push(setTimeout(stop, spec.seconds * 1000));
  timers.push(setTimeout(() => {
    stop();
    timers.push(setTimeout(() => {
      workers.forEach((w, index) => {
        if (finished.has(index)) return;
        result.perThread[index]!.ops = control.ops(index);
        result.failures.push({ index, tid: control.tid(index), message: `did not finish within ${spec.timeoutMs} ms; terminated` });
        void w.terminate();
      });
    }, 2000));
  }, spec.timeoutMs));
  await Promise.all(exits);
  for (const t of timers) clearTimeout(t);
  result.seconds = (performance.now() - start) / 1000;
  result.ops = result.perThread.reduce((n, p) => n + p.ops, 0);
  result.stopped = result.failures.length > 0 ? 'failure' : result.enomem !== null ? 'enomem' : spec.seconds > 0 ? 'time' : 'done';
  return result;
}

function emptyResult(threads: number): RunResult {
  return {
    ops: 0,
    seconds: 0,
    perThread: Array.from({ length: threads }, (_, index) => ({ index, ops: 0, threadsUsed: 0 })),
    stopped: 'done',
    enomem: null,
    failures: [],
  };
}
