// `slabcheck prove`: every program and every interleaving within a bound
// (properties/prove/); exit 0 when no violation exists within it, 1 on a violation (the
// smallest: report written, token printed, as `check`), 2 on bad input. stdout is a
// function of the options (the same bytes every time); the time goes to stderr, with a
// progress line on a terminal.
import { quote } from '../impl/quote.js';
import { saveToCorpus } from '../properties/corpus.js';
import { terminalText } from '../properties/report.js';
import type { ConfigInput } from '../impl/config.js';
import { policyFamily, policyNeighbours, TINY_GEOMETRY, TINY_POLICY_BASE } from '../properties/scope.js';
import { DEFAULT_ALPHABET, DEFAULT_SIZES, DEFAULT_TICKS, LETTERS, programsEstimate, type Bound, type Letter } from '../properties/prove/programs.js';
import { prove, type ProveOptions, type ProveProgress, type ProveResult } from '../properties/prove/prove.js';
import { caseBound, type CaseBound } from '../properties/prove/guided.js';
import { decodeToken } from '../properties/token.js';
import { interactive } from './interactive.js';
import { checkReportDir, writeReport } from './report-files.js';
import { CONFIG_OPTIONS, configFrom, intOption, jobsOption, parse, UsageError } from './usage.js';

export const PROVE_USAGE = `slabcheck prove [--threads T] [--ops K] [--preemptions P] [--alphabet LETTERS] [--sizes N,...] [--ticks MS,...] [--policies base|neighbours|all]
                  [--no-serial] [--no-dpor] [--no-cache] [--compare] [--variant NAME]... [--config FILE] [--set KEY=VALUE]... [--json] [--report DIR] [--save] [--jobs N]
                slabcheck prove --from TOKEN [...]   the smallest bound holding a counterexample (its threads, operations, letters, sizes,
                  ticks, configuration, preemptions): the smallest counterexample there
    letters: ${LETTERS.join(', ')} (default ${DEFAULT_ALPHABET.join(',')})`;

type Out = (line: string) => void;

/** --policies: which of the tiny scope's policies (properties/scope.ts) the programs run on. */
const POLICIES = new Map<string, { text: string; configs: () => ConfigInput[] }>([
  ['base', { text: 'base policy', configs: () => [TINY_POLICY_BASE] }],
  ['neighbours', { text: `the base policy and its ${policyNeighbours().length - 1} one-knob neighbours`, configs: policyNeighbours }],
  ['all', { text: `all ${policyFamily().length} policies`, configs: policyFamily }],
]);

const MAX_THREADS = 4;
const MAX_OPS = 12;
/** Programs a level explored program by program may have (about): past it, only level 0's serial search is feasible. */
const MAX_PROGRAMS = 2_000_000;

export async function proveCommand(argv: string[], out: Out, err: Out): Promise<number> {
  const { values } = parseProve(argv);
  checkReportDir(values.report ?? 'reports');
  const asked = values.from === undefined ? boundFromOptions(values) : boundFromToken(values);
  const { bound, preemptions, configs, configuration } = asked;
  const serial = values['no-serial'] !== true;
  if ((preemptions > 0 || !serial) && programsEstimate(bound) > MAX_PROGRAMS) {
    const what = `the bound has about ${programsEstimate(bound).toExponential(1)} programs, too many to explore one by one (at most ${MAX_PROGRAMS})`;
    throw new UsageError(asked.from === undefined
      ? `${what}: lower --threads, --ops or the letters, or give --preemptions 0 (one serial search)`
      : `${what}: the token's case (${asked.from.preemptions} preemption(s)) is too large to search around; give a smaller one`);
  }
  const jobs = jobsOption(values.jobs, 64);
  const options: ProveOptions = { bound, preemptions, configs, serial, dpor: values['no-dpor'] !== true, cache: values['no-cache'] !== true, jobs };
  const started = performance.now();
  const result = await run(options, err);
  const full = values.compare === true ? await run({ ...options, dpor: !options.dpor }, err) : null;
  const seconds = (performance.now() - started) / 1000;
  const stated = statement(options, configuration);
  const from = asked.from === undefined ? {} : { from: asked.from };
  if (values.json === true) {
    out(JSON.stringify({ ok: result.ok, bound: stated, ...from, ...counts(result), ...(full === null ? {} : { compare: comparison(options, result, full) }), report: result.found?.report ?? null }));
  } else {
    if (asked.from !== undefined) {
      const f = asked.from;
      out(`from: the token's case, ${f.violation} with ${bound.total} op(s) and ${f.switches} switch(es), ${f.preemptions} of them preemptions`);
    }
    const on = configs.length > 1 ? ` on configuration ${(result.found?.config ?? 0) + 1} of ${configs.length}` : '';
    const which = result.found?.program == null ? 'serial search' : `program ${result.found.program + 1} of ${result.programs}`;
    out(result.ok ? 'ok: no violation within the bound' : `VIOLATION within the bound (${which}${on}, ${result.found!.preemptions} preemption(s), ${result.found!.steps} steps)`);
    out(`bound: ${stated.threads} thread(s) x up to ${stated.ops} op(s)${stated.total === null ? '' : `, ${stated.total} in all`}, letters ${stated.alphabet.join(',')}, alloc sizes ${stated.sizes.join(',') || '-'}, ticks ${stated.ticks.length === 0 ? '-' : `${stated.ticks.join(',')} ms`}, preemptions ${stated.preemptions ?? 'unbounded'}, configuration ${stated.configuration}`);
    out(`search: ${searchText(options)}`);
    out(countsText(result));
    if (full !== null) {
      const c = comparison(options, result, full);
      out(`reduction: ${c.withDpor.executions} executions with DPOR, ${c.withoutDpor.executions} without (x${c.ratio}); same final states and verdict: ${c.sameFinalStates ? 'yes' : 'NO'}`);
    }
    if (result.found !== null) for (const line of terminalText(result.found.report)) out(line);
  }
  if (result.found !== null) err(`report: ${writeReport(values.report ?? 'reports', result.found.report)}.md`);
  if (values.save === true) err(result.found === null ? 'no counterexample: nothing saved to the corpus' : `corpus: ${saveToCorpus(result.found.report)}`);
  err(`time: ${seconds.toFixed(1)} s`);
  return result.ok ? 0 : 1;
}

/** What the command searches: the bound, up to which preemption level, on which configurations (and, with --from, the case it came from). */
interface Asked {
  bound: Bound;
  preemptions: number;
  configs: ConfigInput[];
  configuration: string;
  from?: Omit<CaseBound, 'bound' | 'config'>;
}

type Values = ReturnType<typeof parseProve>['values'];

function parseProve(argv: string[]) {
  return parse(argv, {
    ...CONFIG_OPTIONS,
    threads: { type: 'string' }, ops: { type: 'string' }, preemptions: { type: 'string' }, alphabet: { type: 'string' }, sizes: { type: 'string' }, ticks: { type: 'string' }, policies: { type: 'string' },
    from: { type: 'string' },
    'no-serial': { type: 'boolean' }, 'no-dpor': { type: 'boolean' }, 'no-cache': { type: 'boolean' }, compare: { type: 'boolean' }, json: { type: 'boolean' }, report: { type: 'string' }, save: { type: 'boolean' }, jobs: { type: 'string' },
  });
}

function boundFromOptions(values: Values): Asked {
  const bound: Bound = {
    threads: intOption('threads', values.threads, 2, 1, MAX_THREADS),
    ops: intOption('ops', values.ops, 2, 1, MAX_OPS),
    alphabet: values.alphabet === undefined ? DEFAULT_ALPHABET : alphabetOption(values.alphabet),
    sizes: values.sizes === undefined ? DEFAULT_SIZES : numbersOption('sizes', values.sizes, 4096, 'bytes'),
    ticks: values.ticks === undefined ? DEFAULT_TICKS : numbersOption('ticks', values.ticks, 1000, 'ms'),
  };
  const preemptions = values.preemptions === undefined ? Infinity : intOption('preemptions', values.preemptions, 0, 0, 16);
  // --config: that configuration exactly; otherwise the tiny scope's policies asked for, with --set on top of each
  if (values.config !== undefined && values.policies !== undefined) throw new UsageError('--policies chooses among the tiny scope\'s policies: not with --config');
  const policies = POLICIES.get(values.policies ?? 'base');
  if (policies === undefined) throw new UsageError(`--policies must be one of ${[...POLICIES.keys()].join(', ')}, got ${quote(values.policies!)}`);
  const bases = values.config === undefined ? policies.configs().map((p) => ({ ...TINY_GEOMETRY, ...p })) : [{}];
  const configs = bases.map((base) => ({ ...base, ...configFrom(values, base) }));
  const configuration = [
    values.config === undefined ? `tiny scope, ${policies.text}` : `--config ${values.config}`,
    ...(values.set ?? []).map((x) => `--set ${x}`), ...(values.variant ?? []).map((x) => `--variant ${x}`),
  ].join(' ');
  return { bound, preemptions, configs, configuration };
}

/** --from TOKEN: the bound is the case's; nothing else may set it. */
function boundFromToken(values: Values): Asked {
  const setters = ['threads', 'ops', 'preemptions', 'alphabet', 'sizes', 'ticks', 'policies', 'config', 'set', 'variant'] as const;
  const bad = setters.find((k) => values[k] !== undefined);
  if (bad !== undefined) throw new UsageError(`--${bad} does not apply with --from: the bound and configuration are the token's case's`);
  const found = caseBound(decodeToken(values.from!));
  if (found === null) throw new UsageError('--from: the token\'s case shows no violation, or has no operation: it bounds no search');
  const { bound, config, ...from } = found;
  return { bound, preemptions: from.preemptions, configs: [config], configuration: 'the token\'s', from };
}

function alphabetOption(raw: string): Letter[] {
  const names = raw.split(',').map((x) => x.trim());
  const bad = names.find((x) => !(LETTERS as readonly string[]).includes(x));
  if (bad !== undefined) throw new UsageError(`--alphabet: unknown letter ${quote(bad)} (letters: ${LETTERS.join(', ')})`);
  return [...new Set(names as Letter[])];
}

/** --sizes, --ticks: whole numbers from 0 to `max`, comma separated. */
function numbersOption(name: string, raw: string, max: number, unit: string): number[] {
  const xs = raw.split(',').map((x) => x.trim());
  const bad = xs.find((x) => !/^\d{1,4}$/.test(x) || Number(x) > max);
  if (bad !== undefined) throw new UsageError(`--${name} must be whole numbers of ${unit} from 0 to ${max}, comma separated, got ${quote(bad)}`);
  return [...new Set(xs.map(Number))];
}

function searchText(o: ProveOptions): string {
  const serial = o.serial !== false && Number.isFinite(o.preemptions);
  const programs = `${o.dpor ? 'DPOR with sleep sets' : 'every interleaving'}${o.cache ? ', state cache between operations' : ''}`;
  if (!serial) return programs;
  const higher = o.preemptions === 1 ? 'level 1' : `levels 1-${o.preemptions}`;
  return `level 0: one serial search over every program (whole operations, each state grown once)${o.preemptions > 0 ? `; ${higher}: program by program, ${programs}` : ''}`;
}

// The progress line on a terminal: level, programs, executions, rate.
async function run(o: ProveOptions, err: Out): Promise<ProveResult> {
  if (!interactive(err)) return prove(o);
  const start = performance.now();
  let drawn = 0;
  const levels = Number.isFinite(o.preemptions) ? o.preemptions + 1 : 1;
  const onProgress = (p: ProveProgress): void => {
    const now = performance.now();
    if (now - drawn < 200 && p.done < p.units) return;
    drawn = now;
    const level = Number.isFinite(p.level) ? p.level : 0;
    const share = (level + p.done / p.units) / levels;
    process.stderr.write(`\rproving: ${(100 * share).toFixed(1)}% of the bound (preemptions ${Number.isFinite(p.level) ? p.level : 'any'}, ${p.serial ? 'serial search on a configuration' : 'program on a configuration'} ${p.done}/${p.units}), ${p.executions} executions, ${Math.round((1000 * p.executions) / (now - start))}/s  `);
  };
  try {
    return await prove({ ...o, onProgress });
  } finally {
    process.stderr.write('\n');
  }
}

/** The bound exactly, as stdout states it (`config`: every knob the runs had). */
function statement(o: ProveOptions, configuration: string) {
  return {
    threads: o.bound.threads, ops: o.bound.ops, total: o.bound.total ?? null, alphabet: [...o.bound.alphabet], sizes: [...o.bound.sizes], ticks: [...o.bound.ticks],
    preemptions: Number.isFinite(o.preemptions) ? o.preemptions : null, serial: o.serial !== false, dpor: o.dpor, cache: o.cache, configuration, configs: o.configs,
  };
}

function counts(r: ProveResult) {
  return {
    programs: r.programs, executions: r.executions, asleep: r.asleep, boundCut: r.boundCut, cacheHits: r.cacheHits, finalStates: r.finalStates, levels: r.levels,
    found: r.found === null ? null : { program: r.found.program, config: r.found.config, preemptions: r.found.preemptions, steps: r.found.steps },
  };
}

function countsText(r: ProveResult): string {
  return `programs ${r.programs ?? 'all (not enumerated: level 0 only)'}, executions ${r.executions}, pruned: ${r.asleep} asleep, ${r.cacheHits} at a state explored before, ${r.boundCut} choices over the bound; distinct final states ${r.finalStates}`;
}

function comparison(o: ProveOptions, r: ProveResult, other: ProveResult) {
  const [withDpor, withoutDpor] = o.dpor ? [r, other] : [other, r];
  return {
    withDpor: { executions: withDpor.executions, cacheHits: withDpor.cacheHits, finalStates: withDpor.finalStates },
    withoutDpor: { executions: withoutDpor.executions, cacheHits: withoutDpor.cacheHits, finalStates: withoutDpor.finalStates },
    ratio: Number((withoutDpor.executions / Math.max(1, withDpor.executions)).toFixed(2)),
    sameFinalStates: withDpor.finalStateHash === withoutDpor.finalStateHash && withDpor.ok === withoutDpor.ok,
  };
}
