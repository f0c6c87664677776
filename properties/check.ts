// The property run: fast-check generates cases (configuration, program, schedule) from
// the scope, the executor runs each, and the first violation is shrunk — program and
// schedule together, since both are plain values — then minimized (minimize.ts) and
// re-run with a trace for its report. Deterministic for a given seed, whatever the
// number of threads that run the cases or the shard (search.ts finds the first failure).
import fc from 'fast-check';
import { allEdges } from '../model/lifecycle.js';
import { execute } from './execute.js';
import { minimize, type Verdicts } from './minimize.js';
import { caseSize, type Case } from './program.js';
import { makeReport, type Report } from './report.js';
import { ConfigError, makeConfig } from '../impl/config.js';
import { checkHeapBudget } from '../impl/heap-budget.js';
import { describe } from '../impl/quote.js';
import { SCHEDULER_NAMES, schedulerNamed } from './schedulers/registry.js';
import { search, shardRange } from './search.js';
import { caseArb, DEFAULT_MAX_THREADS, TINY_GEOMETRY, TINY_POLICY_BASE, type ScopeOptions } from './scope.js';

export interface CheckOptions extends ScopeOptions {
  /** Cases to run when nothing fails (default 1000). */
  runs?: number;
  /** fast-check seed (default 42: the same run every time). */
  seed?: number;
  /** Preempt only between operations (no interleaving inside one). */
  atomicOps?: boolean;
  /** Called after every generated case (not during shrinking). */
  onProgress?: (runs: number) => void;
  /** Asked before every case: once true, the cases left are skipped and the result says interrupted. */
  stop?: () => boolean;
  /** Threads that run the cases: this one and jobs - 1 workers (default 1). The result is the same whatever it is. */
  jobs?: number;
  /**
   * Only shard `index` (1-based) of `count`: a contiguous part of the run's cases, so that
   * machines can split a run; mergeShards (merge.ts) gives the whole run's result.
   */
  shard?: { index: number; count: number };
}

export interface CheckResult {
  ok: boolean;
  seed: number;
  /** Cases run: all of them, or up to and including the first failure. */
  runs: number;
  /** The number of the first failing case of the run (from 0; a shard counts the whole run's cases), or null. */
  firstFailure: number | null;
  /** Shrink steps that still failed. */
  shrinks: number;
  /** Wall-clock ms: to the first failure (null when none), and in all. */
  msToFailure: number | null;
  ms: number;
  /** Wall-clock ms after the first failure, by phase (all 0 when none failed): fast-check's shrinking, minimize.ts, the search for a smaller failing case, the traced run for the report. */
  shrinkMs: { shrink: number; minimize: number; resample: number; report: number };
  /** Lifecycle edges exercised by the generated cases, and all edges of the machines. */
  covered: string[];
  /** Per edge: how many generated cases took it at least once (0 for the ones none took). */
  hits: Record<string, number>;
  edges: string[];
  report: Report | null;
  /** `stop` ended the run early: `runs` were run, with no violation among them unless `report` says so. */
  interrupted: boolean;
}

/**
 * After the first failure: a bounded search for other failures of the same rule, each
 * minimized; the smallest wins. Shrinking cannot always get from one counterexample to
 * a structurally different, smaller one (another thread layout, say); sampling can.
 */
function smallestFailing(
  cases: fc.Arbitrary<Case>, seed: number, runsToFailure: number, best: Case, id: string, fixed: ReadonlySet<string>, verdicts: Verdicts,
): Case {
  const budget = Math.min(5000, Math.max(2000, 2 * runsToFailure));
  let smallest = best;
  let tries = 8;
  for (const c of sampled(cases, seed + 1, budget)) {
    if (execute(c).violation?.id !== id) continue;
    const m = minimize(c, id, 600, fixed, verdicts);
    if (size(m) < size(smallest)) smallest = m;
    if (--tries === 0) break;
  }
  return smallest;
}

// The first `n` cases of the run with `seed`, drawn as they are asked for, in chunks that
// double from 64 (fc.sample with a path jumps to a case, one random jump per case before it:
// search.ts), not all up front: the search above often stops early.
function* sampled(cases: fc.Arbitrary<Case>, seed: number, n: number): Generator<Case> {
  for (let at = 0, chunk = 64; at < n; at += chunk, chunk *= 2) yield* fc.sample(cases, { seed, path: String(at), numRuns: Math.min(chunk, n - at) });
}

const size = (c: Case): number => {
  const { ops, switches } = caseSize(c);
  return ops + switches;
};

/**
 * Refuses options that cannot give a meaningful run (a library caller's `runs: NaN` would
 * pass vacuously after 0 runs): a RangeError naming the option, or a ConfigError naming
 * the knob when the configuration cannot hold the scope's programs.
 */
export function validateCheckOptions(o: CheckOptions): void {
  const whole = (name: string, v: number | undefined, min: number, max: number): void => {
    if (v !== undefined && !(Number.isSafeInteger(v) && v >= min && v <= max)) {
      throw new RangeError(`check: ${name} must be a whole number from ${min} to ${max}, got ${describe(v)}`);
    }
  };
  whole('runs', o.runs, 1, 1e9);
  whole('seed', o.seed, -(2 ** 31), 2 ** 31 - 1);
  whole('depth', o.depth, 1, 16);
  // at most 7 threads of 64 operations: every case fits a replay token (TOKEN_LIMITS)
  whole('maxThreads', o.maxThreads, 1, 7);
  whole('maxOpsPerThread', o.maxOpsPerThread, 0, 64);
  whole('jobs', o.jobs, 1, 256);
  if (o.shard !== undefined) {
    whole('shard.count', o.shard.count, 1, 1e6);
    whole('shard.index', o.shard.index, 1, o.shard.count);
  }
  if (o.scheduler !== undefined && (typeof o.scheduler !== 'string' || schedulerNamed(o.scheduler) === undefined)) {
    throw new RangeError(`check: scheduler must be one of ${SCHEDULER_NAMES.map((n) => `'${n}'`).join(', ')}, got ${describe(o.scheduler)}`);
  }
  if (o.variants !== undefined && !Array.isArray(o.variants)) throw new RangeError('check: variants must be a list of names');
  const base = o.config ?? { ...TINY_GEOMETRY, ...TINY_POLICY_BASE, ...o.set };
  const cfg = makeConfig(o.variants !== undefined && o.variants.length > 0 ? { ...base, variants: o.variants } : base);
  checkHeapBudget(cfg);
  const threads = o.maxThreads ?? DEFAULT_MAX_THREADS;
  if (threads + 1 > cfg.maxThreads) {
    throw new ConfigError('sim.max_threads', `${cfg.maxThreads} slots cannot hold the checker's ${threads} program threads and the quiescence janitor; it needs ${threads + 1}`);
  }
}

/** The case arbitrary of a run with `options` (what worker threads rebuild from the same options). */
export function checkCases(options: ScopeOptions & { atomicOps?: boolean }): fc.Arbitrary<Case> {
  return options.atomicOps === true ? caseArb(options).map((c): Case => ({ ...c, atomicOps: true })) : caseArb(options);
}

export function check(options: CheckOptions = {}): CheckResult {
  validateCheckOptions(options);
  const seed = options.seed ?? 42;
  const numRuns = options.runs ?? 1000;
  const start = performance.now();
  const cases = checkCases(options);
  const edges = [...allEdges('slot'), ...allEdges('superslab')];
  const { onProgress, stop, ...scope } = options;
  const found = search(cases, {
    scope, seed, ...shardRange(numRuns, options.shard), edges, jobs: options.jobs ?? 1,
    ...(onProgress === undefined ? {} : { onProgress }), ...(stop === undefined ? {} : { stop }),
  });
  const msToFailure = found.failure === null ? null : performance.now() - start;
  let report: Report | null = null;
  let shrinks = 0;
  const shrinkMs = { shrink: 0, minimize: 0, resample: 0, report: 0 };
  if (found.failure !== null) {
    let at = performance.now();
    const lap = (): number => {
      const now = performance.now();
      const ms = Math.round(now - at);
      at = now;
      return ms;
    };
    // shrunk exactly as a serial run shrinks it: fast-check replays the failing case's path
    const details = fc.check(fc.property(cases, (c: Case) => execute(c).violation === null), { numRuns, seed, path: String(found.failure) });
    const minimal = details.counterexample?.[0];
    if (!details.failed || minimal === undefined) {
      throw new Error(`case ${found.failure} failed, then not on replay: ${String(details.errorInstance ?? 'the executor is not deterministic')}`);
    }
    shrinks = details.numShrinks;
    const shrunk = execute(minimal).violation;
    if (shrunk === null) throw new Error('the shrunk counterexample did not fail again: the executor is not deterministic');
    // knobs the user fixed stay as they are; only the ones the scope drew may be simplified
    const fixed = new Set(Object.keys(options.config ?? options.set ?? {}));
    shrinkMs.shrink = lap();
    const verdicts: Verdicts = new Map();
    const minimized = minimize(minimal, shrunk.id, 3000, fixed, verdicts);
    shrinkMs.minimize = lap();
    const smallest = smallestFailing(cases, seed, found.failure + 1, minimized, shrunk.id, fixed, verdicts);
    shrinkMs.resample = lap();
    report = makeReport(smallest, execute(smallest, { trace: true }));
    shrinkMs.report = lap();
  }
  return {
    ok: found.failure === null,
    seed,
    runs: found.runs,
    firstFailure: found.failure,
    shrinks,
    msToFailure,
    ms: performance.now() - start,
    shrinkMs,
    covered: edges.filter((e) => found.hits.has(e)),
    hits: Object.fromEntries(edges.map((e) => [e, found.hits.get(e) ?? 0])),
    edges,
    report,
    interrupted: found.interrupted,
  };
}
