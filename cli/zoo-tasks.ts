// zoo's checks — one per variant and seed, and one with atomic operations per variant —
// each run whole (search, shrinking, report) by one thread of a pool of worker threads,
// so that shrinking, most of zoo's time, runs in parallel too. A check's result does not
// depend on the thread that runs it, so the rows are the same whatever the pool's size.
import { Worker } from 'node:worker_threads';
import { variantByName, VARIANTS } from '../impl/variants.js';
import { check } from '../properties/check.js';
import type { SchedulerKind } from '../properties/schedulers/registry.js';
import { workerExecArgv } from '../properties/search.js';

export interface ZooTask {
  variant: string;
  seed: number;
  runs: number;
  scheduler: SchedulerKind;
  atomicOps: boolean;
}

export interface ZooOutcome {
  ok: boolean;
  runs: number;
  /** Wall-clock ms to the first failure, or null. */
  ms: number | null;
  invariant: string | null;
  steps: number | null;
  token: string | null;
}

export function runTask(t: ZooTask): ZooOutcome {
  // under the knobs the variant needs to show (impl/variants.ts `set`)
  const set = { ...VARIANTS.find((v) => v.name === t.variant)!.set };
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
 * The order the pool hands tasks out: the ones expected to run all their cases first — a
 * variant only prove is expected to find, then the atomic-operation checks (the races
 * pass them) — so that no long task starts last while the other threads idle. Outcomes
 * and `done` calls stay in task order.
 */
export function dispatchOrder(tasks: readonly ZooTask[]): number[] {
  const expected = (t: ZooTask): number => (variantByName(t.variant)?.foundBy === 'prove' ? t.runs : t.atomicOps ? t.runs / 2 : 0);
  return tasks.map((_, i) => i).sort((a, b) => expected(tasks[b]!) - expected(tasks[a]!) || a - b);
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
    tasks.forEach((t, i) => finish(i, runTask(t)));
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
