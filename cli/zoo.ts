// `slabcheck zoo`: the checker against every seed bug. For each variant and each seed,
// the time and runs to the first failure and the size of the shrunk counterexample;
// then the same search with operations made atomic (no preemption inside one), which
// finds the bugs that do not need an interleaving and misses those that do. A variant
// random checking is not expected to find (impl/variants.ts foundBy: a torn read) is
// judged by `prove` instead: at its bound, which must find it, and at that bound without
// preemptions (its atomic column), which must not. A variant passes when it is found
// (every seed, or prove) and every rule that caught it is one of its `rules`
// (impl/variants.ts). The searches run --jobs at a time, each in a worker thread (zoo-tasks.ts).
import { variantByName, VARIANTS, type ProveBound } from '../impl/variants.js';
import { intOption, jobsOption, parse, SCHEDULER_OPTION, schedulerOption, UsageError } from './usage.js';
import { quote } from '../impl/quote.js';
import { runTasks, type ZooOutcome, type ZooTask } from './zoo-tasks.js';
import { proveFromCheck, proveZoo, type ProveZooRow } from './zoo-prove.js';

export const ZOO_USAGE = `slabcheck zoo [--seeds N] [--runs N] [--atomic-runs N] [--scheduler ${SCHEDULER_OPTION}] [--variant NAME]... [--jobs N] [--json]
                slabcheck zoo --mode prove [--preemptions P] [--budget SECONDS] [--variant NAME]... [--jobs N] [--json]
                slabcheck zoo --mode prove --from check [--seeds N] [--runs N] [--budget SECONDS] [--variant NAME]... [--jobs N] [--json]`;

interface SeedRow {
  seed: number;
  detected: boolean;
  invariant: string | null;
  ms: number | null;
  runs: number;
  steps: number | null;
  token: string | null;
}

export async function zooCommand(argv: string[], out: (line: string) => void, err: (line: string) => void): Promise<number> {
  const { values } = parse(argv, {
    seeds: { type: 'string' },
    runs: { type: 'string' },
    'atomic-runs': { type: 'string' },
    scheduler: { type: 'string' },
    variant: { type: 'string', multiple: true },
    json: { type: 'boolean' },
    jobs: { type: 'string' },
    mode: { type: 'string' },
    preemptions: { type: 'string' },
    budget: { type: 'string' },
    from: { type: 'string' },
  });
  const jobs = jobsOption(values.jobs, 256); // searches at once, each in a thread (the rows do not depend on it)
  const names = values.variant ?? VARIANTS.map((v) => v.name);
  for (const n of names) if (!VARIANTS.some((v) => v.name === n)) throw new UsageError(`unknown variant '${n}'`);
  if (values.mode !== undefined && values.mode !== 'check' && values.mode !== 'prove') throw new UsageError(`--mode must be check or prove, got ${quote(values.mode)}`);
  const only = (mode: string, keys: (keyof typeof values)[]): void => {
    const bad = keys.find((k) => values[k] !== undefined);
    if (bad !== undefined) throw new UsageError(`--${bad} does not apply to --mode ${mode}`);
  };
  if (values.from !== undefined && values.from !== 'check') throw new UsageError(`--from must be check, got ${quote(values.from)}`);
  if (values.mode === 'prove') {
    // the plan shares a variant's budget among its searches; check's case bounds one search
    const budget = intOption('budget', values.budget, values.from === 'check' ? 600 : 120, 1, 86_400);
    if (values.from === 'check') {
      only('prove --from check', ['atomic-runs', 'scheduler', 'preemptions']);
      const o = { variants: names, seeds: intOption('seeds', values.seeds, 5, 1, 1000), runs: intOption('runs', values.runs, 50_000, 1, 1e9), budget, jobs };
      return zooProve({ from: 'check', seeds: o.seeds, runs: o.runs, budget }, (progress) => proveFromCheck(o, progress), values.json === true, out, err);
    }
    only('prove', ['seeds', 'runs', 'atomic-runs', 'scheduler']);
    const o = { variants: names, preemptions: intOption('preemptions', values.preemptions, 1, 0, 4), budget, jobs };
    return zooProve({ preemptions: o.preemptions, budget }, (progress) => proveZoo(o, progress), values.json === true, out, err);
  }
  only('check', ['preemptions', 'budget', 'from']);
  const seeds = intOption('seeds', values.seeds, 5, 1, 1000);
  const runs = intOption('runs', values.runs, 50_000, 1, 1e9);
  const atomicRuns = intOption('atomic-runs', values['atomic-runs'], 5_000, 0, 1e9);
  const scheduler = schedulerOption(values.scheduler);

  const tasks: ZooTask[] = names.flatMap((variant): ZooTask[] => {
    const bound = variantByName(variant)!.foundBy?.prove;
    if (bound !== undefined) {
      return [{ kind: 'prove', variant, bound, atomicOps: false }, ...(atomicRuns > 0 ? [{ kind: 'prove', variant, bound: { ...bound, preemptions: 0 }, atomicOps: true } as const] : [])];
    }
    return [
      ...Array.from({ length: seeds }, (_, k): ZooTask => ({ kind: 'check', variant, seed: k + 1, runs, scheduler, atomicOps: false })),
      ...(atomicRuns > 0 ? [{ kind: 'check', variant, seed: 1, runs: atomicRuns, scheduler, atomicOps: true } as const] : []),
    ];
  });
  const expected = (t: ZooTask, o: ZooOutcome): boolean => o.invariant === null || variantByName(t.variant)!.rules.includes(o.invariant);
  const searchText = (t: ZooTask): string => (t.kind === 'prove' ? `prove ${boundText(t.bound)}` : t.atomicOps ? 'with atomic operations' : `seed ${t.seed}`);
  const outcomes = await runTasks(tasks, jobs, (t, o) => {
    if (!expected(t, o)) err(`zoo: ${t.variant} ${searchText(t)}: caught by ${o.invariant}, not one of its rules ${variantByName(t.variant)!.rules.join(', ')}`);
    else if (t.kind === 'prove') {
      const race = t.atomicOps && !o.ok ? ': found without a preemption, so random checking should find it too' : '';
      err(`zoo: ${t.variant} ${searchText(t)}: ${o.ok ? 'no violation' : o.invariant} in ${o.runs} executions${race}`);
    }
    else if (!t.atomicOps) err(`zoo: ${t.variant} ${searchText(t)}: ${o.ok ? `not found in ${runs} runs` : `${o.invariant} after ${o.runs} runs`}`);
  });
  const rows = names.map((variant) => {
    const mine = tasks.flatMap((t, i) => (t.variant === variant ? [{ t, o: outcomes[i]! }] : []));
    const proved = mine.find(({ t }) => t.kind === 'prove' && !t.atomicOps);
    const perSeed: SeedRow[] = mine.flatMap(({ t, o }) => (t.kind === 'check' && !t.atomicOps ? [{
      seed: t.seed, detected: !o.ok, invariant: o.invariant, ms: o.ms, runs: o.runs, steps: o.steps, token: o.token,
    }] : []));
    const atomic = mine.find(({ t }) => t.atomicOps)?.o ?? null;
    // a prove row has no seeds: its search is exhaustive, found or not
    const found = proved === undefined ? perSeed.filter((s) => s.detected) : proved.o.ok ? [] : [{ ...proved.o, seed: 0, detected: true }];
    const searches = proved === undefined ? seeds : 1;
    const unexpected = mine.filter(({ t, o }) => !expected(t, o)).map(({ t, o }) => ({ seed: t.atomicOps ? 'atomic' : t.kind === 'prove' ? 'prove' : t.seed, invariant: o.invariant }));
    return {
      variant,
      seed: VARIANTS.find((v) => v.name === variant)!.seed,
      detected: proved === undefined ? `${found.length}/${seeds}` : `prove ${found.length}/1`,
      allDetected: found.length === searches,
      /** The bound prove searched (this row's runs are its executions), or null: random checking, per seed. */
      prove: proved?.t.kind === 'prove' ? boundText(proved.t.bound) : null,
      /** Rules that caught it and are not among its `rules` (a failure of the row). */
      unexpected,
      invariant: found[0]?.invariant ?? null,
      ms: median(found.map((s) => s.ms!)),
      runs: median(found.map((s) => s.runs)),
      steps: found.length === 0 ? null : Math.max(...found.map((s) => s.steps!)),
      token: found[0]?.token ?? null,
      atomic: atomic === null ? null : { runs: atomic.runs, detected: !atomic.ok, invariant: atomic.invariant },
      seeds: perSeed,
    };
  });
  // a prove row's atomic search must pass: with no preemption the race cannot show
  const ok = rows.every((r) => r.allDetected && r.unexpected.length === 0 && (r.prove === null || r.atomic === null || !r.atomic.detected));
  if (values.json === true) {
    out(JSON.stringify({ ok, scheduler, seeds, runs, atomicRuns, variants: rows }));
  } else {
    out(`variant                    detected  invariant          ms(median) runs(median) steps(max) atomic-ops  token`);
    for (const r of rows) {
      const atomicText = r.atomic === null ? '-' : r.atomic.detected ? `found` : `passes(${r.atomic.runs})`;
      out(`${r.variant.padEnd(26)} ${r.detected.padEnd(9)} ${String(r.invariant ?? '-').padEnd(18)} ${String(r.ms ?? '-').padStart(10)} ${String(r.runs ?? '-').padStart(12)} ${String(r.steps ?? '-').padStart(10)} ${atomicText.padEnd(11)} ${r.token ?? '-'}`);
    }
    for (const r of rows.filter((x) => x.prove !== null)) {
      out(`${r.variant}: random checking is not expected to find it; judged by prove within ${r.prove} (threads x ops x preemptions), runs = executions; atomic-ops: the same bound without preemptions`);
    }
  }
  return ok ? 0 : 1;
}

/** The prove rows of `search` (the plan, or check's cases), as a table or JSON (`stated`: the options it ran with). */
async function zooProve(
  stated: Record<string, string | number>,
  search: (progress: (row: ProveZooRow) => void) => Promise<ProveZooRow[]>,
  json: boolean, out: (line: string) => void, err: (line: string) => void,
): Promise<number> {
  const boundText = (r: ProveZooRow): string => (r.bound === null ? '-' : `${r.bound.threads}x${r.bound.ops}x${r.bound.preemptions} ${r.bound.letters} ${r.bound.sizes.join(',')} ${r.bound.policies}`);
  const rows = await search((r) => {
    const searched = r.from === null ? 'check did not find it' : `${r.searches.length} searches, ${r.searches.filter((s) => s.complete).length} complete`;
    const from = r.from == null ? '' : `, from check seed ${r.from.seed}'s case of ${r.from.ops} operation(s) and ${r.from.preemptions} preemption(s)`;
    if (r.found && !r.expected) err(`zoo: ${r.variant}: caught by ${r.invariant}, not one of its rules ${variantByName(r.variant)!.rules.join(', ')}`);
    else err(`zoo: ${r.variant}: ${r.found ? `${r.invariant} at ${boundText(r)}` : 'not found'} (${searched}), ${r.executions} executions, ${r.seconds} s${from}`);
  });
  const ok = rows.every((r) => r.found && r.expected);
  if (json) {
    out(JSON.stringify({ ok, mode: 'prove', ...stated, variants: rows }));
  } else {
    out('variant                    found at (TxKxP letters sizes policies)       executions  seconds  invariant          steps  token');
    for (const r of rows) {
      out(`${r.variant.padEnd(26)} ${(r.found ? boundText(r) : 'no').padEnd(44)} ${String(r.executions).padStart(10)} ${String(r.seconds).padStart(8)}  ${String(r.invariant ?? '-').padEnd(18)} ${String(r.steps ?? '-').padStart(5)}  ${r.token ?? '-'}`);
    }
  }
  return ok ? 0 : 1;
}

const boundText = (b: ProveBound): string => `${b.threads}x${b.ops}x${b.preemptions}`;

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)]!;
}
