// The property run: fast-check generates cases (configuration, program, schedule) from
// the scope, the executor runs each, and the first violation is shrunk — program and
// schedule together, since both are plain values — then minimized (minimize.ts) and
// re-run with a trace for its report. Deterministic for a given seed.
import fc from 'fast-check';
import { allEdges } from '../model/lifecycle.js';
import { execute } from './execute.js';
import { minimize } from './minimize.js';
import { caseSize, type Case } from './program.js';
import { makeReport, type Report } from './report.js';
import { ConfigError, makeConfig } from '../impl/config.js';
import { checkHeapBudget } from '../impl/heap-budget.js';
import { describe } from '../impl/quote.js';
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
}

export interface CheckResult {
  ok: boolean;
  seed: number;
  /** Cases run: all of them, or up to and including the first failure. */
  runs: number;
  /** Shrink steps that still failed. */
  shrinks: number;
  /** Wall-clock ms: to the first failure (null when none), and in all. */
  msToFailure: number | null;
  ms: number;
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
  cases: fc.Arbitrary<Case>, seed: number, runsToFailure: number, best: Case, id: string, fixed: ReadonlySet<string>,
): Case {
  const budget = Math.min(5000, Math.max(2000, 2 * runsToFailure));
  let smallest = best;
  let tries = 8;
  for (const c of fc.sample(cases, { numRuns: budget, seed: seed + 1 })) {
    if (execute(c).violation?.id !== id) continue;
    const m = minimize(c, id, 600, fixed);
    if (size(m) < size(smallest)) smallest = m;
    if (--tries === 0) break;
  }
  return smallest;
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
  if (o.scheduler !== undefined && o.scheduler !== 'random' && o.scheduler !== 'pct') {
    throw new RangeError(`check: scheduler must be 'random' or 'pct', got ${describe(o.scheduler)}`);
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

/** A case never run: what UntilStopped hands out once the run is stopped. */
const SKIPPED: Case = { config: {}, program: { threads: [[]] }, schedule: { kind: 'preempt', quanta: [], points: [] } };

/** `arb` until `stopped()`, then SKIPPED: the cases left after a stop cost next to nothing to skip. */
class UntilStopped extends fc.Arbitrary<Case> {
  constructor(private readonly arb: fc.Arbitrary<Case>, private readonly stopped: () => boolean) {
    super();
  }

  generate(mrng: fc.Random, bias: number | undefined): fc.Value<Case> {
    return this.stopped() ? new fc.Value(SKIPPED, undefined) : this.arb.generate(mrng, bias);
  }

  canShrinkWithoutContext(value: unknown): value is Case {
    return this.arb.canShrinkWithoutContext(value);
  }

  shrink(value: Case, context: unknown): fc.Stream<fc.Value<Case>> {
    return this.arb.shrink(value, context);
  }
}

export function check(options: CheckOptions = {}): CheckResult {
  validateCheckOptions(options);
  const seed = options.seed ?? 42;
  const covered = new Map<string, number>();
  const start = performance.now();
  let msToFailure: number | null = null;
  let runs = 0;
  const cases = options.atomicOps === true ? caseArb(options).map((c): Case => ({ ...c, atomicOps: true })) : caseArb(options);
  let interrupted = false;
  const generated = options.stop === undefined ? cases : new UntilStopped(cases, () => interrupted);
  const property = fc.property(generated, (c: Case) => {
    if (interrupted || options.stop?.() === true) {
      interrupted = true;
      return true;
    }
    const o = execute(c);
    if (msToFailure === null) {
      runs++;
      for (const e of o.covered) covered.set(e, (covered.get(e) ?? 0) + 1);
      options.onProgress?.(runs);
      if (o.violation !== null) msToFailure = performance.now() - start;
    }
    return o.violation === null;
  });
  const details = fc.check(property, { numRuns: options.runs ?? 1000, seed });
  const minimal = details.counterexample?.[0];
  let report: Report | null = null;
  if (details.failed && minimal !== undefined) {
    const shrunk = execute(minimal).violation;
    if (shrunk === null) throw new Error('the shrunk counterexample did not fail again: the executor is not deterministic');
    // knobs the user fixed stay as they are; only the ones the scope drew may be simplified
    const fixed = new Set(Object.keys(options.config ?? options.set ?? {}));
    const smallest = smallestFailing(cases, seed, runs, minimize(minimal, shrunk.id, 3000, fixed), shrunk.id, fixed);
    report = makeReport(smallest, execute(smallest, { trace: true }));
  } else if (details.failed) {
    throw new Error(`the property run failed without a counterexample: ${String(details.errorInstance ?? 'unknown')}`);
  }
  const edges = [...allEdges('slot'), ...allEdges('superslab')];
  return {
    ok: !details.failed,
    seed,
    runs,
    shrinks: details.numShrinks,
    msToFailure,
    ms: performance.now() - start,
    covered: edges.filter((e) => covered.has(e)),
    hits: Object.fromEntries(edges.map((e) => [e, covered.get(e) ?? 0])),
    edges,
    report,
    interrupted,
  };
}
