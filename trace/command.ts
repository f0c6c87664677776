// `slabcheck trace record|replay|compare|shrink`: real programs' allocations through the
// reference allocator. Exit 0 when the replay ends with the audit holding, 1 when it
// fails (an invariant, ENOMEM, an allocator exception) or the recorded program failed,
// 2 on bad input (a bad trace names its line).
import { printReport } from '../cli/run.js';
import { CONFIG_OPTIONS, configFrom, intOption, parse, UsageError } from '../cli/usage.js';
import type { ConfigInput } from '../impl/config.js';
import { execute } from '../properties/execute.js';
import { caseSize } from '../properties/program.js';
import { encodeToken } from '../properties/token.js';
import { formatEvent, parseLine, TraceError, type TraceEvent } from './format.js';
import { parseOrSkip, planEvents } from './plan.js';
import { forEachLine, TraceFileError } from './read.js';
import { record, RecordError } from './record.js';
import { REPLAY_DEFAULTS } from './replay.js';
import { configFor, replayFile, type TraceReport, type TraceRun } from './run.js';
import { shrinkTrace } from './shrink.js';
import { traceCase } from './to-case.js';
import { wellFormed } from './shrink.js';
import { writeTrace } from './write.js';

export const TRACE_USAGE = `slabcheck trace record [--out FILE] [--max N] -- CMD ARGS...
  slabcheck trace replay FILE [--variant NAME]... [--config FILE] [--set KEY=VALUE]... [--json] [--no-timing]
                        [--audit-every N] [--events-per-ms N] [--lenient]
  slabcheck trace compare FILE --variant NAME[,NAME...]... [--set KEY=VALUE]... [--json] [replay options]
  slabcheck trace slice FILE --from LINE [--to LINE] --out FILE
  slabcheck trace shrink FILE [--out FILE] [--budget N] [--variant NAME]... [--config FILE] [--set KEY=VALUE]... [--json] [replay options]`;

type Out = (line: string) => void;

const SUBCOMMANDS = 'record, replay, compare, slice or shrink';

const REPLAY_OPTIONS = {
  ...CONFIG_OPTIONS,
  json: { type: 'boolean' },
  'no-timing': { type: 'boolean' },
  'audit-every': { type: 'string' },
  'events-per-ms': { type: 'string' },
  lenient: { type: 'boolean' },
} as const;

export async function traceCommand(argv: string[], out: Out, err: Out): Promise<number> {
  const [sub, ...rest] = argv;
  try {
    switch (sub) {
      case 'record': return recordCommand(rest, out, err);
      case 'replay': return await replayCommand(rest, out, err);
      case 'compare': return await compareCommand(rest, out, err);
      case 'shrink': return await shrinkCommand(rest, out, err);
      case 'slice': return await sliceCommand(rest, out);
      default: throw new UsageError(sub === undefined ? `trace needs a subcommand: ${SUBCOMMANDS}` : `unknown trace subcommand '${sub}' (${SUBCOMMANDS})`);
    }
  } catch (e) {
    if (e instanceof TraceError || e instanceof TraceFileError || e instanceof RecordError) {
      err(`slabcheck: ${e instanceof TraceError && file(rest) !== undefined ? `${file(rest)}: ` : ''}${e.message}`);
      return 2;
    }
    throw e;
  }
}

const file = (argv: string[]): string | undefined => argv.find((a) => !a.startsWith('-'));

function recordCommand(argv: string[], out: Out, err: Out): number {
  const { values, positionals } = parse(argv, { out: { type: 'string' }, max: { type: 'string' } }, Infinity);
  if (positionals.length === 0) throw new UsageError('trace record needs a program to run: slabcheck trace record [--out FILE] -- CMD ARGS...');
  const max = values.max === undefined ? null : intOption('max', values.max, 0, 1, 2 ** 52);
  const r = record(values.out ?? 'slabcheck.trace', positionals, max);
  out(`recorded ${r.events} events to ${r.file}${max !== null && r.events >= max ? ` (stopped at --max ${max})` : ''}`);
  if (r.others.length > 0) out(`other processes that loaded the recorder wrote their own traces: ${r.others.join(', ')}`);
  if (r.status !== 0) err(`slabcheck: the program exited with status ${r.status}`);
  return r.status === 0 ? 0 : 1;
}

interface ReplayValues {
  config?: string; set?: string[]; variant?: string[]; json?: boolean; 'no-timing'?: boolean;
  'audit-every'?: string; 'events-per-ms'?: string; lenient?: boolean;
}

function traceRun(values: ReplayValues, config: ConfigInput, err: Out): TraceRun {
  return {
    config,
    timing: values['no-timing'] !== true,
    lenient: values.lenient === true,
    auditEvery: intOption('audit-every', values['audit-every'], REPLAY_DEFAULTS.auditEvery, 0, 2 ** 52),
    eventsPerMs: intOption('events-per-ms', values['events-per-ms'], REPLAY_DEFAULTS.eventsPerMs, 1, 2 ** 52),
    ...(values.json !== true && err === console.error && process.stderr.isTTY === true ? { progress: bar } : {}),
  };
}

// The progress bar, on a terminal only: one line redrawn on stderr, cleared at the end.
const bar = (done: number, total: number): boolean => process.stderr.write(barText(done, total));

export function barText(done: number, total: number): string {
  const width = 30;
  const filled = Math.round((done / Math.max(total, 1)) * width);
  return `\r[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${done}/${total} events${done >= total ? '\r\x1b[K' : ''}`;
}

function needFile(positionals: string[], sub: string): string {
  const f = positionals[0];
  if (f === undefined) throw new UsageError(`trace ${sub} needs a trace FILE`);
  return f;
}

async function replayCommand(argv: string[], out: Out, err: Out): Promise<number> {
  const { values, positionals } = parse(argv, REPLAY_OPTIONS, 1);
  const f = needFile(positionals, 'replay');
  const r = await replayFile(f, traceRun(values, configFrom(values), err));
  if (values.json === true) out(JSON.stringify(r));
  else printTrace(f, r, out);
  return verdict(r);
}

const verdict = (r: TraceReport): number => (r.audit === 'ok' && r.trace.failure === null ? 0 : 1);

function printTrace(f: string, r: TraceReport, out: Out): void {
  const t = r.trace;
  out(`trace ${f}: ${t.events} events, ${t.threads} threads (m ${t.ops.m}, c ${t.ops.c}, r ${t.ops.r}, a ${t.ops.a}, f ${t.ops.f}; failed allocations ${t.failedAllocs}${t.skipped > 0 ? `; skipped ${t.skipped}, first: ${t.firstSkipped}` : ''})`);
  out(`  clock: 1 ms per ${t.eventsPerMs} events; audit every ${t.auditEvery === 0 ? '(end only)' : `${t.auditEvery} events`}${t.eventsPerSec === undefined ? '' : `; ${t.eventsPerSec} events/s, process peak RSS ${Math.round(t.processMaxRssBytes! / 2 ** 20)} MB`}`);
  out(`  classes: ${Object.entries(t.classHistogram).map(([k, n]) => `${k} ${n}`).join(', ')}; tiny share ${t.tinyShare}`);
  out(`  cross-thread frees ${t.crossThreadFrees} (${t.crossThreadShare}); the allocator's remote share ${t.remoteShare}`);
  const fr = t.fragmentation;
  out(`  fragmentation (mapped / live tiny bytes): at peak live ${fr.atPeakLive} (${fr.mappedAtPeakLive} / ${fr.peakLiveBytes}), at the end ${fr.final} (${fr.finalMappedBytes} / ${fr.finalLiveBytes})`);
  if (t.failure !== null) out(`  FAILED at line ${t.failure.line}: ${failureText(r)}`);
  printReport(r, out);
}

function failureText(r: TraceReport): string {
  const f = r.trace.failure;
  if (f === null) return typeof r.audit === 'string' ? r.audit : r.audit.id;
  if (f.kind === 'audit') return `${f.violation.id}: ${f.violation.what}`;
  if (f.kind === 'enomem') return `ENOMEM on trace thread ${f.tid}`;
  return f.message;
}

async function compareCommand(argv: string[], out: Out, err: Out): Promise<number> {
  const { values, positionals } = parse(argv, REPLAY_OPTIONS, 1);
  const f = needFile(positionals, 'compare');
  if (values.variant === undefined) throw new UsageError('trace compare needs at least one --variant NAME[,NAME...] (each is a column beside the default)');
  const columns = [[], ...values.variant.map((v) => v.split(',').filter((x) => x !== ''))];
  const reports: TraceReport[] = [];
  for (const variants of columns) {
    reports.push(await replayFile(f, traceRun({ ...values, json: true }, configFrom({ ...values, variant: variants }), err)));
  }
  if (values.json === true) {
    out(JSON.stringify(reports));
  } else {
    const rows: [string, (r: TraceReport) => unknown][] = [
      ['mmap', (r) => r.mmap], ['munmap', (r) => r.munmap], ['lruPush', (r) => r.lruPush], ['ssAlloc', (r) => r.ssAlloc],
      ['ssFreed', (r) => r.ssFreed], ['SuperSlabs live peak', (r) => r.ssLive.peak], ['emptyEvents', (r) => r.emptyEvents],
      ['legacyFallbacks', (r) => r.legacyFallbacks], ['remoteFrees', (r) => r.remoteFrees], ['adopted', (r) => r.counters.adopted],
      ['enomem', (r) => r.enomem], ['peak RSS KB', (r) => Math.round(r.peakRssBytes / 1024)], ['peak VmSize KB', (r) => Math.round(r.peakVmBytes / 1024)],
      ['fragmentation final', (r) => r.trace.fragmentation.final], ['audit', (r) => failureText(r)],
    ];
    const head = ['', ...columns.map((c) => (c.length === 0 ? 'default' : c.join('+')))];
    const table = [head, ...rows.map(([name, get]) => [name, ...reports.map((r) => String(get(r)))])];
    const widths = head.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
    out(`trace ${f}: ${reports[0]!.trace.events} events, ${reports[0]!.trace.threads} threads`);
    for (const row of table) out(row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd());
  }
  return reports.every((r) => verdict(r) === 0) ? 0 : 1;
}

/** A shrunk trace becomes a checker case when it is this small (program operations, fillers included). */
const CASE_MAX_OPS = 200;
const CASE_MAX_THREADS = 8;

async function shrinkCommand(argv: string[], out: Out, err: Out): Promise<number> {
  const { values, positionals } = parse(argv, { ...REPLAY_OPTIONS, out: { type: 'string' }, budget: { type: 'string' } }, 1);
  const f = needFile(positionals, 'shrink');
  const budget = intOption('budget', values.budget, 3000, 1, 1e7);
  const run = { ...traceRun({ ...values, json: true }, configFrom(values), err), timing: false };
  const events: TraceEvent[] = [];
  await forEachLine(f, (text, line) => {
    const ev = parseOrSkip(text, line, run.lenient);
    if (ev !== null) events.push(ev);
  });
  const shrunk = await shrinkTrace(events, run, budget);
  if (shrunk === null) {
    out(values.json === true ? JSON.stringify({ ok: true }) : `trace ${f} replays with the audit holding: nothing to shrink`);
    return 0;
  }
  const file = values.out ?? `${f.replace(/\.gz$/, '')}.min.trace`;
  writeTrace(file, shrunk.events, [`slabcheck trace shrink ${f}: ${shrunk.signature}; ${shrunk.events.length} of ${events.length} events; config ${JSON.stringify(run.config)}`]);
  const threads = new Set(shrunk.events.map((e) => e.tid)).size;
  const c = traceCase(shrunk.events, configFor(planEvents(shrunk.events), run.config), run.eventsPerMs);
  const small = threads <= CASE_MAX_THREADS && caseSize(c).ops <= CASE_MAX_OPS;
  const checker = small ? execute(c).violation : null;
  const token = small ? encodeToken(c) : null;
  if (values.json === true) {
    out(JSON.stringify({
      ok: false, signature: shrunk.signature, from: events.length, events: shrunk.events.length, threads, replays: shrunk.replays,
      exhausted: shrunk.exhausted, file, token, checker: checker === null ? null : checker.id,
    }));
    return 1;
  }
  out(`trace ${f} fails (${shrunk.signature}); shrunk from ${events.length} to ${shrunk.events.length} events, ${threads} thread${threads === 1 ? '' : 's'}, in ${shrunk.replays} replays${shrunk.exhausted ? ' (budget exhausted: --budget N for more)' : ''}`);
  for (const ev of shrunk.events.slice(0, 40)) out(`  ${formatEvent(ev)}`);
  if (shrunk.events.length > 40) out(`  ... (${shrunk.events.length - 40} more)`);
  out(`written to ${file} (replay it with the same configuration and options)`);
  if (token === null) {
    out(`too large for a checker case (${threads} threads, ${caseSize(c).ops} operations; at most ${CASE_MAX_THREADS} and ${CASE_MAX_OPS})`);
  } else {
    out(`checker case (${caseSize(c).ops} operations): ${checker === null ? 'passes in the checker' : `the checker finds ${checker.id}${`audit ${checker.id}` === shrunk.signature ? ' (the same)' : ''}`}`);
    out(`  replay: npx slabcheck replay ${token}`);
  }
  return 1;
}

// A window of a trace (lines FROM..TO), made well-formed: frees of blocks allocated before
// the window are dropped, reallocs of them become mallocs. Memory: the window.
async function sliceCommand(argv: string[], out: Out): Promise<number> {
  const { values, positionals } = parse(argv, { from: { type: 'string' }, to: { type: 'string' }, out: { type: 'string' } }, 1);
  const f = needFile(positionals, 'slice');
  if (values.out === undefined || values.from === undefined) throw new UsageError('trace slice needs --from LINE and --out FILE');
  const from = intOption('from', values.from, 1, 1, 2 ** 52);
  const to = intOption('to', values.to, 2 ** 52, from, 2 ** 52);
  const events: TraceEvent[] = [];
  await forEachLine(f, (text, line) => {
    if (line >= from && line <= to) events.push(parseLine(text, line));
  });
  const kept = wellFormed(events);
  writeTrace(values.out, kept, [`slabcheck trace slice ${f} --from ${from}${values.to === undefined ? '' : ` --to ${to}`}`]);
  out(`${kept.length} events (lines ${from}..${Math.min(to, from + events.length - 1)}, ${events.length - kept.length} dropped to keep it well-formed) written to ${values.out}`);
  return 0;
}
