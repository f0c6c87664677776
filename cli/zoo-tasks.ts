// zoo's searches — per variant a check for each seed and one with atomic operations, or,
// for a variant random checking is not expected to find (impl/variants.ts foundBy), prove
// at its bound and at the same bound without preemptions — each run whole (search,
// shrinking, report) by one thread of a pool of worker threads, so that shrinking, most
// of zoo's time, runs in parallel too. A search's result does not depend on the thread
// that runs it, so the rows are the same whatever the pool's size.
import { Worker } from 'node:worker_threads';
import { VARIANTS, type ProveBound } from '../impl/variants.js';
import { check } from '../properties/check.js';
import { DEFAULT_ALPHABET, DEFAULT_SIZES, DEFAULT_TICKS } from '../properties/prove/programs.js';
import { prove } from '../properties/prove/prove.js';
import type { SchedulerKind } from '../properties/schedulers/registry.js';
import { TINY_GEOMETRY, TINY_POLICY_BASE } from '../properties/scope.js';
import { workerExecArgv } from '../properties/search.js';

/** A check of `runs` random cases; with atomicOps, no preemption inside an operation. */
export interface CheckTask {
  kind: 'check';
  variant: string;
  seed: number;
  runs: number;
  scheduler: SchedulerKind;
  atomicOps: boolean;
}

/** prove at `bound` (the default letters, size and base policy); atomicOps: the bound has no preemption. */
export interface ProveTask {
  kind: 'prove';
  variant: string;
  bound: ProveBound;
  atomicOps: boolean;
}

export type ZooTask = CheckTask | ProveTask;

export interface ZooOutcome {
  ok: boolean;
  runs: number;
  /** Wall-clock ms to the first failure, or null. */
  ms: number | null;
  invariant: string | null;
  steps: number | null;
  token: string | null;
}

export async function runTask(t: ZooTask): Promise<ZooOutcome> {
  // under the knobs the variant needs to show (impl/variants.ts `set`)
  const set = { ...VARIANTS.find((v) => v.name === t.variant)!.set };
  if (t.kind === 'prove') {
    const start = performance.now();
    const { threads, ops, preemptions } = t.bound;
    const r = await prove({
      bound: { threads, ops, alphabet: DEFAULT_ALPHABET, sizes: DEFAULT_SIZES, ticks: DEFAULT_TICKS }, preemptions,
      configs: [{ ...TINY_GEOMETRY, ...TINY_POLICY_BASE, ...set, variants: [t.variant] }], dpor: true, cache: true,
    });
    const report = r.found?.report ?? null;
    return {
      ok: r.found === null,
      runs: r.executions,
      ms: report === null ? null : Math.round(performance.now() - start),
      invariant: report?.invariant.id ?? null,
      steps: report?.size.steps ?? null,
      token: report?.token ?? null,
    };
  }
  const r = check({ variants: [t.variant], seed: t.seed, runs: t.runs, scheduler: t.scheduler, atomicOps: t.atomicOps, set });
  return {
    ok: r.ok,
    runs: r.runs,
    ms: r.msToFailure === null ? null : Math.round(r.msToFailure),
    invariant: r.report?.invariant.id ?? null,
    steps: r.report?.size.steps ?? null,
    token: r.report?.token ?? null,
  };
}

/**
 * The order the pool hands tasks out: the ones expected to take longest first — the prove
 * searches (a bound explored whole: a few seconds), then the atomic-operation checks (the
 * races pass them, running all their cases) — so that no long task starts last while the
 * other threads idle. Outcomes and `done` calls stay in task order.
 */
export function dispatchOrder(tasks: readonly ZooTask[]): number[] {
  const rank = (t: ZooTask): number => (t.kind === 'prove' ? 2 : t.atomicOps ? 1 : 0);
  return tasks.map((_, i) => i).sort((a, b) => rank(tasks[b]!) - rank(tasks[a]!) || a - b);
}

/** Every task's outcome, in task order; `done` is called in task order too. */
export async function runTasks(tasks: readonly ZooTask[], jobs: number, done: (t: ZooTask, o: ZooOutcome) => void): Promise<ZooOutcome[]> {
  const out: ZooOutcome[] = [];
  let reported = 0;
  const finish = (i: number, o: ZooOutcome): void => {
    out[i] = o;
    for (; out[reported] !== undefined; reported++) done(tasks[reported]!, out[reported]!);
  };
  if (jobs <= 1) {
    for (const [i, t] of tasks.entries()) finish(i, await runTask(t));
    return out;
  }
  const order = dispatchOrder(tasks);
  let next = 0;
  const worker = (): Promise<void> => new Promise((resolve, reject) => {
    const execArgv = workerExecArgv();
    const w = new Worker(new URL('./zoo-worker.js', import.meta.url), execArgv === undefined ? {} : { execArgv });
    const give = (): void => {
      if (next >= tasks.length) {
        void w.terminate().then(() => resolve());
        return;
      }
      const i = order[next++]!;
      w.postMessage({ i, task: tasks[i] });
    };
    w.on('message', ({ i, outcome }: { i: number; outcome: ZooOutcome }) => {
      finish(i, outcome);
      give();
    });
    w.on('error', reject);
    give();
  });
  await Promise.all(Array.from({ length: Math.min(jobs, tasks.length) }, worker));
  return out;
}
