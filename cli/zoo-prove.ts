// `slabcheck zoo --mode prove`: every seed bug against `prove`. For each variant, a fixed
// plan of searches, cheapest scope first (SCOPES: letters, sizes, policies), each at the
// bounds of BOUNDS: at 0 preemptions one serial search per thread count (properties/prove/
// serial.ts: breadth first, as deep as its time allows, so what it finds has the fewest
// operations); at --preemptions P, every program of a small bound at every level up to P,
// when the bound has few enough of them (UNITS_LIMIT). Time is given in passes, as iterative
// deepening gives depth: pass k lets each search still open run for CAP_S x 4^k seconds, and a
// search that ends without a violation is closed. A cheap counterexample is thus found
// before a costly search has spent the budget, whatever the plan's order, at the price of
// re-running what a cut search had done (at most a third of the time). A row gives the bound
// of the counterexample (threads it uses x most operations of a thread x preemptions, and
// the scope), the executions and time spent, the rule, its size and token, and the searches run.
//
// With `--from check` (proveFromCheck) there is no plan: `check` finds each variant (seeds
// 1, 2, … in turn) and prove searches the smallest bound holding its counterexample
// (properties/prove/guided.ts): the smallest counterexample of that bound, never larger
// than check's, and the proof that none smaller exists there.
import { variantByName } from '../impl/variants.js';
import type { ConfigInput } from '../impl/config.js';
import { decodeToken } from '../properties/token.js';
import { SIZES } from '../properties/ops/alloc.js';
import { DEFAULT_ALPHABET, DEFAULT_SIZES, DEFAULT_TICKS, LETTERS, programsEstimate, programsOf, type Bound, type Letter } from '../properties/prove/programs.js';
import { prove, type ProveResult } from '../properties/prove/prove.js';
import { policyFamily, policyNeighbours, TINY_GEOMETRY, TINY_POLICY_BASE } from '../properties/scope.js';
import { caseBound } from '../properties/prove/guided.js';
import { DEFAULT_SCHEDULER } from '../properties/schedulers/registry.js';
import { runTasks, type ZooOutcome, type ZooTask } from './zoo-tasks.js';

type Policies = 'base' | 'neighbours' | 'all';
interface Scope {
  name: string;
  alphabet: readonly Letter[];
  sizes: readonly number[];
  policies: Policies;
}

/** The mid-class sizes (C7, C5, C6): what most allocations draw (ops/alloc.ts). */
const MAIN_SIZES = SIZES.slice(0, 3);
const BASIC = DEFAULT_ALPHABET;
const C7 = DEFAULT_SIZES;
const C7_C5 = MAIN_SIZES.slice(0, 2);
/** Cheapest first: a letter, a size or the neighbours' policies at a time, then more of each, then every letter, size and policy. */
const SCOPES: readonly Scope[] = [
  { name: 'basic', alphabet: BASIC, sizes: C7, policies: 'base' },
  { name: 'basic+exit', alphabet: [...BASIC, 'exit'], sizes: C7, policies: 'base' },
  { name: 'basic+tick', alphabet: [...BASIC, 'tick'], sizes: C7, policies: 'base' },
  { name: 'basic', alphabet: BASIC, sizes: C7_C5, policies: 'base' },
  { name: 'basic', alphabet: BASIC, sizes: C7, policies: 'neighbours' },
  { name: 'basic+tick+exit+trim', alphabet: [...BASIC, 'tick', 'exit', 'trim'], sizes: C7_C5, policies: 'base' },
  { name: 'basic+tick+exit', alphabet: [...BASIC, 'tick', 'exit'], sizes: C7, policies: 'neighbours' },
  { name: 'all', alphabet: LETTERS, sizes: MAIN_SIZES, policies: 'base' },
  { name: 'basic', alphabet: BASIC, sizes: C7_C5, policies: 'all' },
  { name: 'all+edges', alphabet: LETTERS, sizes: SIZES, policies: 'base' },
];
/** Threads x ops per thread: serial searches (0 preemptions, as deep as time allows, up to the ops), then searches at --preemptions. */
const BOUNDS: { serial: [number, number][]; interleaved: [number, number][] } = {
  serial: [[1, 12], [2, 6], [3, 4]],
  interleaved: [[2, 1], [2, 2], [3, 1], [2, 3], [3, 2]],
};
/** Bounds with more units (programs x configurations) than this are not explored program by program. */
const UNITS_LIMIT = 4_000;
/** Seconds a search may run in the first pass (enough for a bound of one or two operations); each pass gives four times the last. */
const CAP_S = 0.25;

export interface ProveZooOptions {
  variants: string[];
  preemptions: number;
  /** Seconds a variant may take. */
  budget: number;
  jobs: number;
}

interface Search {
  scope: Scope;
  threads: number;
  ops: number;
  preemptions: number;
}

export interface ProveZooRow {
  variant: string;
  found: boolean;
  /** The counterexample's bound: threads it uses, most operations of one, preemptions; the scope searched. */
  bound: { threads: number; ops: number; preemptions: number; letters: string; sizes: number[]; policies: Policies | 'check\'s' } | null;
  executions: number;
  seconds: number;
  invariant: string | null;
  /** The rule is one of the variant's `rules` (impl/variants.ts). */
  expected: boolean;
  /** The counterexample's operations in all, and its size as its report counts it (operations + schedule entries). */
  ops: number | null;
  steps: number | null;
  token: string | null;
  /** The searches run, in order, with the seconds each was allowed (`complete`: false when they ran out). */
  searches: { search: string; seconds: number; complete: boolean }[];
  /**
   * With --from check: the check that found the case (seed, runs), its operations and preemptions (what prove's
   * are never more than), and its size as its report counts it (`steps`: schedule entries of its own kind).
   */
  from?: { seed: number; runs: number; ops: number; preemptions: number; steps: number } | null;
}

const policiesOf = (p: Policies): ConfigInput[] => (p === 'base' ? [TINY_POLICY_BASE] : p === 'neighbours' ? policyNeighbours() : policyFamily());
const boundOf = (s: Search): Bound => ({ threads: s.threads, ops: s.ops, alphabet: s.scope.alphabet, sizes: s.scope.sizes, ticks: DEFAULT_TICKS });
const searchText = (s: Search): string => `${s.threads}x${s.ops}x${s.preemptions} ${s.scope.name} sizes ${s.scope.sizes.join(',')} ${s.scope.policies}`;

/** The plan: every scope at the serial bounds, then at the interleaved ones (program by program only within UNITS_LIMIT). */
function plan(preemptions: number): Search[] {
  const out: Search[] = [];
  for (const scope of SCOPES) {
    for (const [threads, ops] of BOUNDS.serial) out.push({ scope, threads, ops, preemptions: 0 });
    if (preemptions === 0) continue;
    for (const [threads, ops] of BOUNDS.interleaved) {
      const s: Search = { scope, threads, ops, preemptions };
      const configs = policiesOf(scope.policies).length;
      // a huge bound is not enumerated to learn that it is huge
      if (programsEstimate(boundOf(s)) * configs <= 100 * UNITS_LIMIT && programsOf(boundOf(s)).length * configs <= UNITS_LIMIT) out.push(s);
    }
  }
  return out;
}

export async function proveZoo(o: ProveZooOptions, progress: (row: ProveZooRow) => void): Promise<ProveZooRow[]> {
  const rows: ProveZooRow[] = [];
  const searches = plan(o.preemptions);
  for (const name of o.variants) {
    const v = variantByName(name)!;
    const start = Date.now();
    const end = start + o.budget * 1000;
    const row: ProveZooRow = { variant: name, found: false, bound: null, executions: 0, seconds: 0, invariant: null, expected: true, ops: null, steps: null, token: null, searches: [] };
    let open = searches;
    for (let cap = CAP_S * 1000; open.length > 0 && !row.found && Date.now() < end; cap *= 4) {
      const cut: Search[] = [];
      for (const s of open) {
        if (Date.now() >= end) break;
        const configs = policiesOf(s.scope.policies).map((policy) => ({ ...TINY_GEOMETRY, ...policy, ...v.set, variants: [name] }));
        const allowed = Math.min(cap, end - Date.now());
        const r = await prove({ bound: boundOf(s), preemptions: s.preemptions, configs, dpor: true, cache: true, jobs: o.jobs, deadline: Date.now() + allowed });
        row.executions += r.executions;
        row.searches.push({ search: searchText(s), seconds: allowed / 1000, complete: r.complete });
        if (r.found !== null) {
          found(row, { letters: s.scope.name, sizes: s.scope.sizes, policies: s.scope.policies }, r.found, v.rules);
          break;
        }
        if (!r.complete) cut.push(s);
      }
      open = cut;
    }
    row.seconds = Math.round((Date.now() - start) / 100) / 10;
    progress(row);
    rows.push(row);
  }
  return rows;
}

export interface FromCheckOptions {
  variants: string[];
  /** Seeds tried in turn until check finds the variant, and runs a seed. */
  seeds: number;
  runs: number;
  /** Seconds prove may take on a variant's bound. */
  budget: number;
  jobs: number;
}

/** Each variant: check's first counterexample (seeds in turn), then prove in its bound. */
export async function proveFromCheck(o: FromCheckOptions, progress: (row: ProveZooRow) => void): Promise<ProveZooRow[]> {
  const cases = new Map<string, { seed: number; outcome: ZooOutcome }>();
  for (let seed = 1; seed <= o.seeds && cases.size < o.variants.length; seed++) {
    const tasks = o.variants.filter((v) => !cases.has(v)).map((variant): ZooTask => ({ kind: 'check', variant, seed, runs: o.runs, scheduler: DEFAULT_SCHEDULER, atomicOps: false }));
    await runTasks(tasks, o.jobs, (t, outcome) => {
      if (!outcome.ok) cases.set(t.variant, { seed, outcome });
    });
  }
  const rows: ProveZooRow[] = [];
  for (const name of o.variants) {
    const row: ProveZooRow = { variant: name, found: false, bound: null, executions: 0, seconds: 0, invariant: null, expected: true, ops: null, steps: null, token: null, searches: [], from: null };
    const c = cases.get(name);
    const cb = c === undefined ? null : caseBound(decodeToken(c.outcome.token!));
    if (c !== undefined && cb !== null) {
      row.from = { seed: c.seed, runs: c.outcome.runs, ops: cb.bound.total, preemptions: cb.preemptions, steps: c.outcome.steps! };
      const start = Date.now();
      const r = await prove({ bound: cb.bound, preemptions: cb.preemptions, configs: [cb.config], dpor: true, cache: true, jobs: o.jobs, deadline: start + o.budget * 1000 });
      row.seconds = Math.round((Date.now() - start) / 100) / 10;
      row.executions = r.executions;
      const search = `${cb.bound.threads}x${cb.bound.ops}x${cb.preemptions} ${cb.bound.alphabet.join(',')} sizes ${cb.bound.sizes.join(',')} check's`;
      row.searches.push({ search, seconds: o.budget, complete: r.complete });
      if (r.found !== null) found(row, { letters: cb.bound.alphabet.join(','), sizes: cb.bound.sizes, policies: 'check\'s' }, r.found, variantByName(name)!.rules);
    }
    progress(row);
    rows.push(row);
  }
  return rows;
}

/** Records a counterexample in the row: its bound (threads it uses, most operations of one, preemptions) and the scope searched. */
function found(row: ProveZooRow, scope: { letters: string; sizes: readonly number[]; policies: Policies | 'check\'s' }, f: NonNullable<ProveResult['found']>, rules: readonly string[]): void {
  const report = f.report;
  const threads = decodeToken(report.token).program.threads;
  Object.assign(row, {
    found: true,
    bound: {
      threads: threads.length, ops: Math.max(...threads.map((ops) => ops.length)), preemptions: f.preemptions,
      letters: scope.letters, sizes: [...scope.sizes], policies: scope.policies,
    },
    invariant: report.invariant.id, expected: rules.includes(report.invariant.id), ops: report.size.ops, steps: report.size.steps, token: report.token,
  });
}
