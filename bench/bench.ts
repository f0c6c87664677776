// `npm run bench`: speed measured, printed as one JSON object (never asserted by tests).
// - random-mixed ops/s on the direct executor (10M iterations, ws 256 and 8192);
// - larson with 1 and 2 real workers, xmalloc with 2 workers (a producer and a consumer);
// - the same workloads against the system allocator: bench/c/workloads.c, built with the
//   machine's C compiler in this invocation, reported beside them as a ratio;
// - the fast path's garbage: GC events during a million cache-hit malloc/free pairs
//   (the thread-local fast paths must not allocate JS objects per operation);
// - checker throughput on the default scope: runs and scheduler steps per CPU-second (median of 5 rounds);
//   and `check` itself with --jobs 1 and --jobs 2: cases per wall-second, their ratio, CPU seconds;
// - where a found counterexample's time goes: the search, fast-check's shrinking,
//   minimize.ts, the search for a smaller failing case, the traced report run (each
//   variant random checking finds, seed 1);
// - the scale cliffs (scale.ts): cost per SuperSlab from 100 to 65,530 SuperSlabs.
// Figures on a shared 2-core machine are noisy: compare ratios from one run.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import fc from 'fast-check';
import { runWorkload } from '../harness/runner.js';
import { defaults, WORKLOADS } from '../harness/workloads/index.js';
import { randomMixedLoopOnly } from '../harness/workloads/random-mixed.js';
import type { Workload } from '../harness/workloads/types.js';
import { free, malloc } from '../impl/allocator/allocator.js';
import { createHeap } from '../impl/heap.js';
import { attachThread } from '../impl/thread/thread.js';
import { check } from '../properties/check.js';
import { execute } from '../properties/execute.js';
import { VARIANTS } from '../impl/variants.js';
import type { Case } from '../properties/program.js';
import { caseArb } from '../properties/scope.js';
import { scale } from './scale.js';

// The parts of the JSON, each measured only when asked for (--only: one of them, e.g. to
// compare two builds' checker alternately without the minutes the rest takes).
const PARTS = ['workloads', 'fastPath', 'checker', 'checkerJobs', 'shrinkingMs', 'scale'] as const;
type Part = (typeof PARTS)[number];

interface Args {
  iters: number;
  checkerRuns: number;
  jobsRuns: number;
  only: Part | null;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { iters: 10_000_000, checkerRuns: 3000, jobsRuns: 30_000, only: null };
  for (let i = 0; i < argv.length; i += 2) {
    const value = Number(argv[i + 1]);
    if (argv[i] === '--iters' && Number.isSafeInteger(value) && value > 0) args.iters = value;
    else if (argv[i] === '--checker-runs' && Number.isSafeInteger(value) && value > 0) args.checkerRuns = value;
    else if (argv[i] === '--jobs-runs' && Number.isSafeInteger(value) && value > 0) args.jobsRuns = value;
    else if (argv[i] === '--only' && (PARTS as readonly string[]).includes(argv[i + 1] ?? '')) args.only = argv[i + 1] as Part;
    else {
      console.error(`usage: bench [--iters N] [--checker-runs N] [--jobs-runs N] (whole numbers > 0) [--only ${PARTS.join('|')}]; bad '${argv[i]} ${argv[i + 1] ?? ''}'`);
      process.exit(2);
    }
  }
  return args;
}

interface Measured {
  workload: string;
  params: Record<string, number>;
  opsPerSec: number;
  /** GC events during the run (its loop, setup and teardown; the heap is made before). */
  gcEvents: number;
  /** random-mixed: the same loop with calls that do nothing (the benchmark's own cost and GC events), and the allocator's share. */
  loopOnly?: { opsPerSec: number; nsPerOp: number; allocatorNsPerOp: number; gcEvents: number };
  system: { opsPerSec: number; modelOverSystem: number } | null;
}

// GC events in this thread while `f` runs, and what they cost in ms. v8.GCProfiler records
// each as it happens; a PerformanceObserver delivers them only after a timer's turn, and so
// had counted none in a synchronous loop (random-mixed's, which does collect, showed 0).
async function countingGcs<R>(f: () => Promise<R> | R): Promise<[R, number, number]> {
  const profiler = new v8.GCProfiler();
  profiler.start();
  let gcs: v8.GCProfilerResult['statistics'] = [];
  let r: R;
  try {
    r = await f();
  } finally {
    gcs = profiler.stop().statistics;
  }
  return [r, gcs.length, gcs.reduce((us, g) => us + g.cost, 0) / 1000];
}

async function model(workload: Workload<Record<string, number>>, params: Record<string, number>, threads: number): Promise<[number, number]> {
  const heap = createHeap({});
  const [r, gcEvents] = await countingGcs(() => runWorkload(heap, {
    workload, options: { ...defaults(workload), ...params }, threads,
    exec: workload.name.startsWith('random-mixed') ? 'interleaved' : 'workers', // random-mixed is single-threaded: main thread
    schedSeed: 1, seconds: 0, timeoutMs: 600_000,
  }));
  return [Math.round(r.ops / r.seconds), gcEvents];
}

// The C program, built once; null when the machine has no C compiler.
function buildSystem(): string | null {
  const source = fileURLToPath(new URL('../../bench/c/workloads.c', import.meta.url));
  const binary = join(mkdtempSync(join(tmpdir(), 'slabcheck-bench-')), 'workloads');
  for (const cc of ['cc', 'gcc', 'clang']) {
    if (spawnSync(cc, ['-O2', '-pthread', '-o', binary, source], { stdio: 'ignore' }).status === 0) return binary;
  }
  return null;
}

function system(binary: string | null, args: (string | number)[]): number | null {
  if (binary === null) return null;
  const out = execFileSync(binary, args.map(String), { encoding: 'utf8' });
  return Math.round((JSON.parse(out) as { opsPerSec: number }).opsPerSec);
}

async function measure(
  binary: string | null, name: string, params: Record<string, number>, threads: number, cArgs: (string | number)[],
): Promise<Measured> {
  const [opsPerSec, gcEvents] = await model(WORKLOADS[name]!, params, threads);
  const loopOnly = name === 'random-mixed' ? await model(randomMixedLoopOnly as unknown as Workload<Record<string, number>>, params, threads) : null;
  const sys = system(binary, cArgs);
  const ns = (opsPerSec: number): number => Number((1e9 / opsPerSec).toFixed(1));
  return {
    workload: name,
    params: { ...params, threads },
    opsPerSec,
    gcEvents,
    ...(loopOnly === null ? {} : { loopOnly: { opsPerSec: loopOnly[0], nsPerOp: ns(loopOnly[0]), allocatorNsPerOp: Number((ns(opsPerSec) - ns(loopOnly[0])).toFixed(1)), gcEvents: loopOnly[1] } }),
    system: sys === null ? null : { opsPerSec: sys, modelOverSystem: Number((opsPerSec / sys).toFixed(4)) },
  };
}

async function fastPathGcs(pairs: number): Promise<{ pairs: number; gcEvents: number; nsPerPair: number }> {
  const heap = createHeap({ HAKMEM_TLS_SLL_DRAIN_INTERVAL: 0 }); // no drains: every free and malloc is a cache hit
  const t = attachThread(heap);
  const p0 = malloc(t, 100);
  free(t, p0);
  const [ms, events] = await countingGcs(async () => {
    const start = performance.now();
    for (let i = 0; i < pairs; i++) {
      const p = malloc(t, 100);
      free(t, p);
    }
    return performance.now() - start;
  });
  return { pairs, gcEvents: events, nsPerPair: Math.round((ms * 1e6) / pairs) };
}

// Warm (the first pass over the cases compiles the code), per CPU-second of this process
// (the machine is shared: wall time counts other processes). The cases are run `rounds`
// times: the median round is the figure, the slowest and fastest show the noise. Also the
// garbage collector's events and pauses over the rounds, and the pauses' share of their
// wall time: a run's objects kept past a young-generation collection show there first
// (execute.ts ThreadContext).
async function checkerThroughput(runs: number, rounds: number): Promise<Record<string, number>> {
  const cases = fc.sample(caseArb({}), { numRuns: runs, seed: 7 }) as Case[];
  for (const c of cases) execute(c);
  const perRound: number[] = [];
  let steps = 0;
  const wall = performance.now();
  const [, gcEvents, gcMs] = await countingGcs(() => {
    for (let r = 0; r < rounds; r++) {
      steps = 0;
      const start = process.cpuUsage();
      for (const c of cases) steps += execute(c).steps;
      const used = process.cpuUsage(start);
      perRound.push(steps / ((used.user + used.system) / 1e6));
    }
  });
  const wallMs = performance.now() - wall;
  perRound.sort((a, b) => a - b);
  const median = perRound[rounds >> 1]!;
  return {
    runs, rounds, stepsPerCpuSec: Math.round(median), runsPerCpuSec: Math.round((median * runs) / steps), meanSteps: Math.round(steps / runs),
    slowestRound: Math.round(perRound[0]!), fastestRound: Math.round(perRound[rounds - 1]!),
    gcEvents, gcMs: Math.round(gcMs), gcShareOfWall: Number((gcMs / wallMs).toFixed(3)),
  };
}

// `check` as the CLI runs it (case generation, worker threads, coverage), per wall-second:
// the same seed and runs with one job and with two (same verdict required, else the
// figures compare different work), and the CPU seconds each took (every thread of this
// process: what the second thread costs beyond the cases it runs). Warm, like the
// throughput above: a check of as many cases with two jobs first starts and compiles the
// worker that search.ts keeps (a fresh process pays that once, about 1.3 CPU-seconds per
// worker; after 5,000 cases the worker still ran slower than this thread). Three pairs,
// one job then two, since a shared 2-core host moves one pair's ratio by a tenth and more:
// the figures are the pair with the median ratio's, and every pair's ratio is listed.
function checkerJobs(runs: number): Record<string, number | number[]> {
  check({ runs, seed: 1, jobs: 2 });
  const timed = (jobs: number): { perSec: number; cpuSec: number; verdict: string } => {
    const start = performance.now();
    const cpu = process.cpuUsage();
    const r = check({ runs, seed: 42, jobs });
    const used = process.cpuUsage(cpu);
    return {
      perSec: runs / ((performance.now() - start) / 1000),
      cpuSec: Number(((used.user + used.system) / 1e6).toFixed(2)),
      verdict: JSON.stringify([r.ok, r.runs, r.report?.token ?? null, r.hits]),
    };
  };
  const pairs = [0, 1, 2].map(() => {
    const one = timed(1);
    const two = timed(2);
    if (one.verdict !== two.verdict) throw new Error('check --jobs 1 and --jobs 2 disagree on seed 42: the parallel search is not deterministic');
    return { one, two, ratio: Number((two.perSec / one.perSec).toFixed(3)) };
  });
  const { one, two, ratio } = [...pairs].sort((a, b) => a.ratio - b.ratio)[1]!;
  return {
    runs, jobs1CasesPerSec: Math.round(one.perSec), jobs2CasesPerSec: Math.round(two.perSec), jobs2OverJobs1: ratio,
    jobs1CpuSec: one.cpuSec, jobs2CpuSec: two.cpuSec, pairRatios: pairs.map((p) => p.ratio),
  };
}

// Per phase, the wall-clock ms summed over the variants (one check each, --jobs 1) and the
// variants' count; a variant not found in `runs` counts in search only.
function shrinking(runs: number): Record<string, number> {
  const ms = { variants: 0, search: 0, shrink: 0, minimize: 0, resample: 0, report: 0 };
  for (const v of VARIANTS) {
    if (v.foundBy !== undefined) continue; // random checking is not expected to find it
    const r = check({ variants: [v.name], seed: 1, runs, set: { ...v.set }, jobs: 1 });
    ms.variants++;
    ms.search += Math.round(r.msToFailure ?? r.ms);
    for (const k of ['shrink', 'minimize', 'resample', 'report'] as const) ms[k] += r.shrinkMs[k];
  }
  return ms;
}

const args = parseArgs(process.argv.slice(2));
const larson = { chunks: 1024, lifetimes: 1000, min: 8, max: 128, seed: 12345 };
const larsonC = (threads: number): (string | number)[] => ['larson', threads, larson.chunks, larson.lifetimes, larson.min, larson.max, larson.seed];
const result: Record<string, unknown> = { node: process.version };
const parts: Record<Part, () => Promise<unknown> | unknown> = {
  workloads: async () => {
    const c = buildSystem();
    result['systemAllocator'] = c === null ? 'no C compiler on this machine' : 'glibc malloc via bench/c/workloads.c (cc -O2)';
    return [
      await measure(c, 'random-mixed', { iters: args.iters, ws: 256, seed: 42 }, 1, ['random-mixed', args.iters, 256, 42]),
      await measure(c, 'random-mixed', { iters: args.iters, ws: 8192, seed: 42 }, 1, ['random-mixed', args.iters, 8192, 42]),
      await measure(c, 'larson', larson, 1, larsonC(1)),
      await measure(c, 'larson', larson, 2, larsonC(2)),
      await measure(c, 'xmalloc', { objs: 1_000_000, size: 64, seed: 42 }, 2, ['xmalloc', 1, 1_000_000, 64, 42]),
    ];
  },
  fastPath: () => fastPathGcs(1_000_000),
  checker: () => checkerThroughput(args.checkerRuns, 5),
  checkerJobs: () => checkerJobs(args.jobsRuns),
  shrinkingMs: () => shrinking(50_000),
  scale: () => scale([100, 1000, 10_000, 65_530]),
};
for (const part of PARTS) if (args.only === null || args.only === part) result[part] = await parts[part]();
console.log(JSON.stringify(result));
