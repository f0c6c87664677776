// `slabcheck check`: the main job — the invariant catalogue over random programs and
// interleavings on the tiny scope (or a configuration of yours); exit 0 when all hold
// and the runs took every lifecycle transition (--min-coverage relaxes that: a
// transition never taken is a part never checked), 1 on a violation (report written,
// token printed) or too little coverage, 2 on bad input.
// `slabcheck replay TOKEN`: the same report again, byte for byte.
// `slabcheck coverage`: which lifecycle transitions the runs exercised.
import { shardRange } from '../properties/search.js';
import { check, validateCheckOptions, type CheckOptions, type CheckResult } from '../properties/check.js';
import { execute } from '../properties/execute.js';
import type { Case } from '../properties/program.js';
import { saveToCorpus } from '../properties/corpus.js';
import { emitTest } from '../properties/emit-test.js';
import { makeReport, terminalText, type Report } from '../properties/report.js';
import { decodeToken, TokenError } from '../properties/token.js';
import { TINY_GEOMETRY, TINY_POLICY_BASE } from '../properties/scope.js';
import { quote } from '../impl/quote.js';
import { checkInteractively, interactive } from './interactive.js';
import { checkReportDir, writeFile, writeReport } from './report-files.js';
import { coveragePage } from '../viewer/coverage-page.js';
import { CONFIG_OPTIONS, configFrom, intOption, jobsOption, parse, SCHEDULER_OPTION, schedulerOption, UsageError } from './usage.js';

export const CHECK_USAGE = `slabcheck check [--runs N] [--seed S] [--scheduler ${SCHEDULER_OPTION}] [--depth D] [--atomic]
                  [--variant NAME]... [--config FILE] [--set KEY=VALUE]... [--min-coverage PCT] [--json] [--report DIR]
                  [--emit-test FILE] [--save] [--jobs N] [--shard K/N]`;
export const REPLAY_USAGE = 'slabcheck replay TOKEN [--json] [--report DIR] [--emit-test FILE]';
export const COVERAGE_USAGE = `slabcheck coverage [--runs N] [--seed S] [--scheduler ${SCHEDULER_OPTION}] [--json] [--html FILE]`;

const RUN_OPTIONS = {
  runs: { type: 'string' },
  seed: { type: 'string' },
  scheduler: { type: 'string' },
  depth: { type: 'string' },
  atomic: { type: 'boolean' },
  json: { type: 'boolean' },
  jobs: { type: 'string' },
  shard: { type: 'string' },
} as const;

/** What to keep of a counterexample: a uvu test replaying it, the case in the corpus (check only). */
const EMIT_OPTION = { 'emit-test': { type: 'string' } } as const;
const SAVE_OPTION = { save: { type: 'boolean' } } as const;

type Out = (line: string) => void;

/** Exit code after Ctrl-C (128 + SIGINT), as shells expect. */
const INTERRUPTED = 130;

export async function checkCommand(argv: string[], out: Out, err: Out): Promise<number> {
  const { values } = parse(argv, {
    ...CONFIG_OPTIONS, ...RUN_OPTIONS, report: { type: 'string' }, 'min-coverage': { type: 'string' }, ...EMIT_OPTION, ...SAVE_OPTION,
  });
  checkReportDir(values.report ?? 'reports');
  const minCoverage = intOption('min-coverage', values['min-coverage'], 100, 0, 100);
  const result = await runCheck(values, err);
  if (result === null) return INTERRUPTED;
  const percent = (100 * result.covered.length) / result.edges.length;
  const coverageOk = percent >= minCoverage;
  if (values.json === true) {
    out(JSON.stringify({ ...summary(result), coverageOk, ...shardFields(result, values), report: result.report }));
  } else if (result.report === null) {
    out(`${coverageOk ? 'ok' : 'FAILED'}: ${result.runs} runs, no violation (seed ${result.seed})`);
    out(`lifecycle transitions exercised: ${result.covered.length}/${result.edges.length}`);
  } else {
    for (const line of terminalText(result.report)) out(line);
  }
  if (result.report !== null) err(`report: ${writeReport(values.report ?? 'reports', result.report)}.md`);
  keep(result.report, values, err);
  if (result.report === null && !coverageOk) {
    const never = result.edges.filter((e) => !result.covered.includes(e));
    err(`slabcheck: lifecycle transition coverage ${percent.toFixed(1)}% is below --min-coverage ${minCoverage}%; never taken: ${never.join(', ')}`);
    err('slabcheck: a transition never taken is a part never checked: raise --runs, or accept less with --min-coverage');
    return 1;
  }
  return result.ok ? 0 : 1;
}

// --emit-test FILE and --save: a regression test of the counterexample, the case in the corpus.
function keep(r: Report | null, values: { 'emit-test'?: string; save?: boolean }, err: Out): void {
  const file = values['emit-test'];
  if (file !== undefined) {
    if (r === null) {
      err(`no counterexample: no test written to ${file}`);
    } else {
      writeFile(file, emitTest(r), '--emit-test');
      err(`test: ${file}`);
    }
  }
  if (values.save === true) err(r === null ? 'no counterexample: nothing saved to the corpus' : `corpus: ${saveToCorpus(r)}`);
}

export async function coverageCommand(argv: string[], out: Out, err: Out): Promise<number> {
  const { values } = parse(argv, { ...CONFIG_OPTIONS, ...RUN_OPTIONS, html: { type: 'string' } });
  const result = await runCheck(values, err);
  if (result === null) return INTERRUPTED;
  if (values.html !== undefined) {
    writeFile(values.html, coveragePage(result), '--html');
    err(`coverage page: ${values.html}`);
  }
  const missing = result.edges.filter((e) => !result.covered.includes(e));
  const share = result.covered.length / result.edges.length;
  if (values.json === true) {
    out(JSON.stringify({ runs: result.runs, seed: result.seed, covered: result.covered.length, total: result.edges.length, share, missing }));
  } else {
    out(`lifecycle transitions exercised in ${result.runs} runs: ${result.covered.length}/${result.edges.length} (${(share * 100).toFixed(1)}%)`);
    for (const e of result.edges) out(`  ${result.covered.includes(e) ? 'x' : ' '} ${e}`);
  }
  return result.ok ? 0 : 1;
}

export function replayCommand(argv: string[], out: Out, err: Out): number {
  const { values, positionals } = parse(argv, { json: { type: 'boolean' }, report: { type: 'string' }, ...EMIT_OPTION }, 1);
  if (values.report !== undefined) checkReportDir(values.report);
  const c = caseArg(positionals[0], 'replay');
  const o = execute(c, { trace: true });
  if (o.violation === null) {
    if (values.json === true) out(JSON.stringify({ ok: true, report: null }));
    else out('no violation: this case passes on this version of the allocator');
    keep(null, values, err);
    return 0;
  }
  const report = makeReport(c, o);
  if (values.json === true) out(JSON.stringify({ ok: false, report }));
  else for (const line of terminalText(report)) out(line);
  if (values.report !== undefined) err(`report: ${writeReport(values.report, report)}.md`);
  keep(report, values, err);
  return 1;
}

/** The case a command's TOKEN argument carries; a missing or malformed token is a usage error. */
export function caseArg(token: string | undefined, command: string): Case {
  if (token === undefined) throw new UsageError(`${command} needs a token (the sc1.… string a violation printed)`);
  try {
    return decodeToken(token);
  } catch (e) {
    if (e instanceof TokenError) throw new UsageError(e.message);
    throw e;
  }
}

interface RunValues {
  runs?: string; seed?: string; scheduler?: string; depth?: string; atomic?: boolean;
  config?: string; set?: string[]; variant?: string[]; jobs?: string; shard?: string;
}

/** --shard K/N: 1 <= K <= N. */
function shardOption(raw: string | undefined): { index: number; count: number } | undefined {
  if (raw === undefined) return undefined;
  const m = /^(\d{1,7})\/(\d{1,7})$/.exec(raw.trim());
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (m === null || count < 1 || index < 1 || index > count) throw new UsageError(`--shard must be K/N with 1 <= K <= N, got ${quote(raw)}`);
  return { index, count };
}

// With --shard, what `slabcheck merge` needs besides the summary (properties/merge.ts).
function shardFields(r: CheckResult, values: RunValues): Record<string, unknown> {
  const shard = shardOption(values.shard);
  if (shard === undefined) return {};
  const range = shardRange(intOption('runs', values.runs, 1000, 1, 1e9), shard);
  return { shard: { ...shard, ...range }, firstFailure: r.firstFailure, coveredEdges: r.covered };
}

/** The run, or null when Ctrl-C interrupted it (the partial summary is printed, exit 130). */
async function runCheck(values: RunValues, err: Out): Promise<CheckResult | null> {
  const runs = intOption('runs', values.runs, 1000, 1, 1e9);
  const scheduler = schedulerOption(values.scheduler);
  // --config: that configuration exactly (over the seeds' defaults); otherwise the tiny
  // scope, with any --set on top of every configuration it draws
  const fromFile = values.config !== undefined;
  const { variants, ...knobs } = configFrom(values, fromFile ? {} : { ...TINY_GEOMETRY, ...TINY_POLICY_BASE }) as { variants?: string[] };
  const options: CheckOptions = {
    runs,
    seed: intOption('seed', values.seed, 42, 0, 2 ** 31 - 1),
    scheduler,
    depth: intOption('depth', values.depth, 3, 1, 16),
    atomicOps: values.atomic === true,
    ...(fromFile ? { config: knobs } : { set: knobs }),
    variants: variants ?? [],
    jobs: jobsOption(values.jobs, 256),
    ...(values.shard === undefined ? {} : { shard: shardOption(values.shard)! }),
  };
  if (!interactive(err)) return check(options);
  validateCheckOptions(options); // bad options are exit 2 here, not an error in the worker
  const { result, runsDone } = await checkInteractively(options);
  if (result !== null && !result.interrupted) return result;
  const found = result?.report ?? null;
  err(`interrupted after ${result?.runs ?? runsDone} of ${runs} runs (seed ${options.seed}): ${found === null ? 'no violation so far' : `${found.invariant.id} found`}`);
  if (found !== null) err(`  replay: npx slabcheck replay ${found.token}`);
  err(`  the cases follow from the seed: run again with --seed ${options.seed} --runs ${runs} to repeat these and finish`);
  return null;
}

// No wall-clock figures: the same seed and options print the same bytes.
function summary(r: CheckResult): Record<string, unknown> {
  return { ok: r.ok, seed: r.seed, runs: r.runs, shrinks: r.shrinks, covered: r.covered.length, transitions: r.edges.length };
}
