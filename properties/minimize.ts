// Minimizing a counterexample after fast-check's shrink. Under a round-robin schedule,
// removing one operation shifts every later interleaving, so single shrink steps often
// stop failing and fast-check stops early. This greedy pass tries every removal and
// simplification of the case — a thread, an operation or two (with the schedule entries
// that follow renumbered), a schedule entry (its scheduler's shrink candidates), an
// argument, a drawn knob — keeps the first
// strictly smaller case that still breaks the same rule, and repeats to a fixpoint.
import type { ConfigInput } from '../impl/config.js';
import { execute } from './execute.js';
import { opPlugin } from './ops/registry.js';
import { caseSize, type Case, type Schedule } from './program.js';
import { pluginOf } from './schedulers/registry.js';
import { TINY_POLICY_BASE } from './scope.js';

/**
 * What each case run so far violated (null: nothing), by its JSON text: minimizations that
 * meet a case again (a run's several minimizations converge on the same small cases: 40 %
 * of their runs over the variants) take its verdict instead of running it. The executor is
 * deterministic, so the result is the same; a budget counts these runs too.
 */
export type Verdicts = Map<string, string | null>;

/**
 * The smallest case reachable from `c` that still violates `id`, within `budget` runs.
 * Knobs named in `fixed` (the user's --config or --set) are never changed.
 */
export function minimize(c: Case, id: string, budget = 3000, fixed: ReadonlySet<string> = new Set(), verdicts: Verdicts = new Map()): Case {
  let best = c;
  let runs = 0;
  const fails = (x: Case): boolean => {
    runs++;
    const key = JSON.stringify(x);
    let verdict = verdicts.get(key);
    if (verdict === undefined) {
      verdict = execute(x).violation?.id ?? null;
      verdicts.set(key, verdict);
    }
    return verdict === id;
  };
  for (let improved = true; improved && runs < budget; ) {
    improved = false;
    for (const candidate of candidates(best, fixed)) {
      if (runs >= budget) break;
      if (weight(candidate) < weight(best) && fails(candidate)) {
        best = candidate;
        improved = true;
        break;
      }
    }
  }
  return best;
}

// Size first (operations + schedule entries), then simpler arguments and knobs.
function weight(c: Case): number {
  const { ops, switches } = caseSize(c);
  let detail = 0;
  for (const t of c.program.threads) {
    for (const o of t) detail += opPlugin(o).detail(o);
  }
  detail += pluginOf(c.schedule).detail(c.schedule);
  for (const [k, v] of Object.entries(TINY_POLICY_BASE)) if (k in c.config && c.config[k] !== v) detail += 1;
  return (ops + switches) * 1e6 + detail;
}

function* candidates(c: Case, fixed: ReadonlySet<string>): Generator<Case> {
  const threads = c.program.threads;
  const s = c.schedule;
  const scheduler = pluginOf(s);
  // drop a whole thread (frees of it now name another thread)
  if (threads.length > 1) {
    for (let t = 0; t < threads.length; t++) {
      yield withSchedule({ ...c, program: { threads: threads.filter((_, i) => i !== t) } }, scheduler.dropThread(s, t));
    }
  }
  // drop one operation
  for (let t = 0; t < threads.length; t++) {
    for (let j = 0; j < threads[t]!.length; j++) {
      const program = { threads: threads.map((ops, i) => (i === t ? ops.filter((_, k) => k !== j) : ops)) };
      yield withSchedule({ ...c, program }, scheduler.dropOp(s, t, j));
    }
  }
  // drop two operations (one removal alone often shifts the interleaving that matters)
  const all = threads.flatMap((ops, t) => ops.map((_, j) => [t, j] as const));
  for (let a = 0; a < all.length; a++) {
    for (let b = a + 1; b < all.length; b++) {
      const [ta, ja] = all[a]!;
      const [tb, jb] = all[b]!;
      const program = { threads: threads.map((ops, i) => ops.filter((_, k) => !(i === ta && k === ja) && !(i === tb && k === jb))) };
      // drop the later one first so the earlier index stays right
      yield withSchedule({ ...c, program }, scheduler.dropOp(scheduler.dropOp(s, tb, jb), ta, ja));
    }
  }
  // drop or simplify schedule entries
  for (const schedule of scheduler.shrink(s)) yield withSchedule(c, schedule);
  // simpler arguments (each kind's shrink candidates)
  for (let t = 0; t < threads.length; t++) {
    for (const [j, op] of threads[t]!.entries()) {
      for (const simpler of opPlugin(op).shrink(op)) {
        yield { ...c, program: { threads: threads.map((ops, i) => (i === t ? ops.map((o, k) => (k === j ? simpler : o)) : ops)) } };
      }
    }
  }
  // drawn knobs back to the scope's base draw
  for (const [k, v] of Object.entries(TINY_POLICY_BASE)) {
    if (!fixed.has(k) && k in c.config && c.config[k] !== v) yield { ...c, config: { ...c.config, [k]: v } as ConfigInput };
  }
}

function withSchedule(c: Case, schedule: Schedule): Case {
  return { ...c, schedule };
}
