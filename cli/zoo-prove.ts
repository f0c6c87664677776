// `slabcheck zoo --mode prove`: every seed bug against `prove`. For each variant, the bounds
// of LADDER (threads x ops per thread) x STEPS (letters: basic, every one, every one with
// every size programs draw; policies: the base, its one-knob neighbours), smallest search
// first — fewest units (programs x configurations), up to UNITS_LIMIT — each at up to
// --preemptions preemptions, until one holds a violation or the variant's time budget is
// spent. A row gives the bound found (T x K x P, letters, policies), the executions explored
// on the way, the time, the rule, the counterexample's size and token.
import { variantByName } from '../impl/variants.js';
import type { ConfigInput } from '../impl/config.js';
import { SIZES } from '../properties/ops/alloc.js';
import { DEFAULT_ALPHABET, DEFAULT_SIZES, LETTERS, programsEstimate, programsOf, type Bound, type Letter } from '../properties/prove/programs.js';
import { prove } from '../properties/prove/prove.js';
import { policyNeighbours, TINY_GEOMETRY, TINY_POLICY_BASE } from '../properties/scope.js';

/** Threads x ops per thread, smallest first (T x K, then fewer threads). */
export const LADDER: readonly [threads: number, ops: number][] = [[1, 1], [1, 2], [2, 1], [1, 3], [3, 1], [2, 2], [1, 4], [2, 3], [3, 2]];
/** Bounds with more units (programs x configurations) than this are not tried. */
const UNITS_LIMIT = 4_000;

type Letters = 'basic' | 'all' | 'all+sizes';
type Policies = 'base' | 'neighbours';
const STEPS: readonly [Letters, Policies][] = [
  ['basic', 'base'], ['basic', 'neighbours'], ['all', 'base'], ['all', 'neighbours'], ['all+sizes', 'base'], ['all+sizes', 'neighbours'],
];

export interface ProveZooOptions {
  variants: string[];
  preemptions: number;
  /** Seconds a variant may take (checked between programs). */
  budget: number;
  jobs: number;
}

export interface ProveZooRow {
  variant: string;
  found: boolean;
  /** The bound that held the violation, or the last one completed (in search order). */
  bound: { threads: number; ops: number; preemptions: number; letters: Letters; policies: Policies } | null;
  executions: number;
  seconds: number;
  invariant: string | null;
  /** The rule is one of the variant's `rules` (impl/variants.ts). */
  expected: boolean;
  steps: number | null;
  token: string | null;
}

interface Search {
  threads: number;
  ops: number;
  letters: Letters;
  policies: Policies;
  bound: Bound;
}

/** The policies of each step: the base, or its neighbours. */
const policiesOf = (p: Policies): ConfigInput[] => (p === 'base' ? [TINY_POLICY_BASE] : policyNeighbours().slice(1));

/** Every bound of LADDER x STEPS within UNITS_LIMIT, fewest units first (ties: in LADDER, then STEPS order). */
function searches(): Search[] {
  const out: (Search & { units: number })[] = [];
  for (const [threads, ops] of LADDER) {
    for (const [letters, policies] of STEPS) {
      const bound: Bound = {
        threads, ops, alphabet: (letters === 'basic' ? DEFAULT_ALPHABET : LETTERS) as readonly Letter[], sizes: letters === 'all+sizes' ? SIZES : DEFAULT_SIZES, tickMs: 4,
      };
      const configs = policiesOf(policies).length;
      if (programsEstimate(bound) * configs > 16 * UNITS_LIMIT) continue; // not worth enumerating
      const units = programsOf(bound).length * configs;
      if (units <= UNITS_LIMIT) out.push({ threads, ops, letters, policies, bound, units });
    }
  }
  return out.sort((a, b) => a.units - b.units);
}

export async function proveZoo(o: ProveZooOptions, progress: (row: ProveZooRow) => void): Promise<ProveZooRow[]> {
  const rows: ProveZooRow[] = [];
  const plan = searches();
  for (const name of o.variants) {
    const v = variantByName(name)!;
    const start = performance.now();
    const deadline = start + o.budget * 1000;
    const row: ProveZooRow = { variant: name, found: false, bound: null, executions: 0, seconds: 0, invariant: null, expected: true, steps: null, token: null };
    for (const { threads, ops, letters, policies, bound } of plan) {
      const configs = policiesOf(policies).map((policy) => ({ ...TINY_GEOMETRY, ...policy, ...v.set, variants: [name] }));
      const r = await prove({ bound, preemptions: o.preemptions, configs, dpor: true, cache: true, jobs: o.jobs, stop: () => performance.now() > deadline });
      row.executions += r.executions;
      if (r.found !== null) {
        const report = r.found.report;
        Object.assign(row, {
          found: true, bound: { threads, ops, preemptions: r.found.preemptions, letters, policies }, invariant: report.invariant.id,
          expected: v.rules.includes(report.invariant.id), steps: report.size.steps, token: report.token,
        });
        break;
      }
      if (!r.complete) break;
      row.bound = { threads, ops, preemptions: o.preemptions, letters, policies };
    }
    row.seconds = Math.round((performance.now() - start) / 100) / 10;
    progress(row);
    rows.push(row);
  }
  return rows;
}
