// `npm run bench`: speed measured, printed as one JSON object (never asserted by tests).
// - random-mixed ops/s on the direct executor (10M iterations, ws 256 and 8192);
// - the fast path's garbage: GC events during a million cache-hit malloc/free pairs
//   (the thread-local fast paths must not allocate JS objects per operation);
// - checker throughput on the default scope: runs/s and scheduler steps/s.
// Figures on a shared 2-core machine are noisy: compare ratios from one run.
import { PerformanceObserver } from 'node:perf_hooks';
import fc from 'fast-check';
import { free, malloc } from '../impl/allocator.js';
import { createHeap } from '../impl/heap.js';
import { attachThread } from '../impl/thread/thread.js';
import { execute } from '../properties/execute.js';
import type { Case } from '../properties/program.js';
import { caseArb } from '../properties/scope.js';
import { runWorkload } from './runner.js';
import { defaults } from './workloads/index.js';
import { randomMixed } from './workloads/random-mixed.js';
import type { Workload } from './workloads/types.js';

interface Args {
  iters: number;
  checkerRuns: number;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { iters: 10_000_000, checkerRuns: 3000 };
  for (let i = 0; i < argv.length; i += 2) {
    const value = Number(argv[i + 1]);
    if (argv[i] === '--iters' && Number.isSafeInteger(value) && value > 0) args.iters = value;
    else if (argv[i] === '--checker-runs' && Number.isSafeInteger(value) && value > 0) args.checkerRuns = value;
    else throw new Error(`usage: bench [--iters N] [--checker-runs N]; bad '${argv[i]} ${argv[i + 1] ?? ''}'`);
  }
  return args;
}

async function randomMixedOpsPerSec(iters: number, ws: number): Promise<{ ws: number; iters: number; opsPerSec: number; seconds: number }> {
  const workload = randomMixed as unknown as Workload<Record<string, number>>;
  const r = await runWorkload(createHeap({}), {
    workload, options: { ...defaults(workload), iters, ws }, threads: 1, exec: 'interleaved', schedSeed: 1, seconds: 0, timeoutMs: 600_000,
  });
  return { ws, iters, opsPerSec: Math.round(r.ops / r.seconds), seconds: Number(r.seconds.toFixed(3)) };
}

async function fastPathGcs(pairs: number): Promise<{ pairs: number; gcEvents: number; nsPerPair: number }> {
  const heap = createHeap({ HAKMEM_TLS_SLL_DRAIN_INTERVAL: 0 }); // no drains: every free and malloc is a cache hit
  const t = attachThread(heap);
  const p0 = malloc(t, 100);
  free(t, p0);
  let events = 0;
  const observer = new PerformanceObserver((list) => {
    events += list.getEntries().length;
  });
  observer.observe({ entryTypes: ['gc'] });
  await new Promise((resolve) => setImmediate(resolve));
  events = 0;
  const start = performance.now();
  for (let i = 0; i < pairs; i++) {
    const p = malloc(t, 100);
    free(t, p);
  }
  const ms = performance.now() - start;
  await new Promise((resolve) => setImmediate(resolve)); // let the observer deliver
  observer.disconnect();
  return { pairs, gcEvents: events, nsPerPair: Math.round((ms * 1e6) / pairs) };
}

function checkerThroughput(runs: number): { runs: number; runsPerSec: number; stepsPerSec: number; meanSteps: number } {
  const cases = fc.sample(caseArb({}), { numRuns: runs, seed: 7 }) as Case[];
  let steps = 0;
  const start = performance.now();
  for (const c of cases) steps += execute(c).steps;
  const seconds = (performance.now() - start) / 1000;
  return { runs, runsPerSec: Math.round(runs / seconds), stepsPerSec: Math.round(steps / seconds), meanSteps: Math.round(steps / runs) };
}

const args = parseArgs(process.argv.slice(2));
const result = {
  node: process.version,
  randomMixed: [await randomMixedOpsPerSec(args.iters, 256), await randomMixedOpsPerSec(args.iters, 8192)],
  fastPath: await fastPathGcs(1_000_000),
  checker: checkerThroughput(args.checkerRuns),
};
console.log(JSON.stringify(result));
