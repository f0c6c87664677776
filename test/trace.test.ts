// Malloc traces (trace/): the line format and its errors, replay's semantics (threads,
// cross-thread frees, realloc, the large path, the clock, each thread's exit point, the
// audit every N events), bad traces through the CLI (exit 2, the line number), --lenient,
// gzip input, determinism and `trace compare`.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { formatEvent, parseLine, TraceError, type TraceEvent } from '../trace/format.js';
import { configFor, replayEvents, type TraceReport, type TraceRun } from '../trace/run.js';
import { planEvents } from '../trace/plan.js';
import { barText } from '../trace/command.js';
import { cli } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'slabcheck-trace-test-'));
let files = 0;
/** A trace file with `lines` (gzipped when `gz`). */
function traceFile(lines: string[], gz = false): string {
  const path = join(dir, `t${files++}.trace${gz ? '.gz' : ''}`);
  const text = lines.map((l) => `${l}\n`).join('');
  writeFileSync(path, gz ? gzipSync(text) : text);
  return path;
}

const events = (lines: string[]): TraceEvent[] => lines.map((l, i) => parseLine(l, i + 1));
const RUN: TraceRun = { config: {}, timing: false, eventsPerMs: 1000, auditEvery: 0, lenient: false };
const replay = (lines: string[], run: Partial<TraceRun> = {}): Promise<TraceReport> => replayEvents(events(lines), { ...RUN, ...run });

function traceError(text: string, ...mentions: string[]): void {
  try {
    parseLine(text, 7);
  } catch (err) {
    assert.instance(err, TraceError);
    assert.ok((err as Error).message.startsWith('line 7: '), (err as Error).message);
    for (const m of mentions) assert.ok((err as Error).message.includes(m), `'${(err as Error).message}' should mention '${m}'`);
    return;
  }
  assert.unreachable(`'${text}' parsed`);
}

test('the format: every op parses and prints back the same line', () => {
  const lines = ['0 m 24 7f0012340010', '3 c 4 8 55aa00', '1 r 55aa00 100 55bb00', '1 r 0 16 1000', '2 a 64 100 2000', '0 f 7f0012340010', '1 r 55bb00 0 0'];
  for (const l of lines) assert.is(formatEvent(parseLine(l, 1)), l);
  assert.equal(parseLine('3 c 4 8 55aa00', 1), { tid: 3, op: 'c', size: 32, ptr: 0x55aa00, arg: 4 });
  assert.equal(parseLine('  1   r 10 5 20  ', 1), { tid: 1, op: 'r', size: 5, ptr: 0x20, arg: 0x10 });
  // a failed allocation may ask for any size; a successful one may not ask for more than 1 TiB
  assert.is(parseLine('0 m 18446744073709551615 0', 1).ptr, 0);
});

test('the format: bad lines name the line and the problem', () => {
  traceError('0 x 12 10', "unknown op 'x'");
  traceError('garbage', "expected '<tid> <op> ...'");
  traceError('0 m 12', "op 'm' takes 2 fields, got 1");
  traceError('0 f 10 20', "op 'f' takes 1 fields, got 2");
  traceError('-1 m 12 10', "thread id '-1' is not a decimal");
  traceError('2000000 m 12 10', 'not a dense index');
  traceError('0 m 1.5 10', "size '1.5'");
  traceError('0 m 12 0x10', 'not a lowercase hex pointer');
  traceError('0 m 12 ABC', 'not a lowercase hex pointer');
  traceError('0 m 12 12345678901234', 'wider than 52 bits');
  traceError('0 m 2000000000000 10', 'too large');
  traceError('0 c 1048576 1048577 10', 'too large');
  traceError('0 f 0', 'free of pointer 0');
  traceError('0 r zz 1 10', "old pointer 'zz'");
  traceError('0 a x 1 10', "alignment 'x'");
  traceError('0 c n 1 10', "nmemb 'n'");
});

test('replay: a trace thread is an allocator thread; a free by another thread is a remote free', async () => {
  const r = await replay(['0 m 24 100', '1 m 24 200', '1 f 100', '0 f 200', '0 m 8 300', '1 m 8 400', '1 f 400', '0 f 300']);
  assert.is(r.trace.threads, 2);
  assert.is(r.trace.crossThreadFrees, 2);
  assert.is(r.trace.frees, 4);
  assert.is(r.trace.crossThreadShare, 0.5);
  assert.is(r.remoteFrees, 2, 'both cross-thread frees found their owner alive');
  assert.is(r.trace.remoteShare, 0.5);
  assert.equal(r.trace.classHistogram, { C0: 0, C1: 2, C2: 2, C3: 0, C4: 0, C5: 0, C6: 0, C7: 0, large: 0 });
  assert.equal(r.perThread.map((p) => [p.index, p.ops]), [[0, 4], [1, 4]]);
  assert.is(r.audit, 'ok');
  assert.is(r.trace.failure, null);
});

test('replay: a thread exits right after its last event (its slabs go ORPHAN; a later free adopts)', async () => {
  const r = await replay(['1 m 24 100', '1 m 24 200', '0 m 24 300', '0 f 100', '0 f 200', '0 f 300']);
  assert.is(r.counters.orphaned, 1, "thread 1 exited after line 2 with its blocks out");
  assert.is(r.counters.adopted, 1, "thread 0's free adopted the slab");
  assert.is(r.remoteFrees, 0);
  // the same frees while thread 1 still lives (its last event comes after them) are remote
  const alive = await replay(['1 m 24 100', '1 m 24 200', '0 m 24 300', '0 f 100', '0 f 200', '0 f 300', '1 m 24 400', '1 f 400']);
  assert.is(alive.remoteFrees, 2);
  assert.is(alive.counters.orphaned, 0, 'thread 1 exits with nothing out');
});

test('replay: realloc moves between blocks, tiny to large and back, in place, to 0, and failing', async () => {
  const r = await replay([
    '0 r 0 24 100', // realloc(NULL): a malloc
    '0 r 100 5000 200', // tiny -> large
    '0 r 200 40 300', // large -> tiny
    '0 r 300 60 300', // same pointer, new class (C3 -> C3 here: 60 + header < 64)
    '0 r 300 200 300', // same pointer, a bigger class
    '0 r 300 999999999999 0', // failed: the block stays live
    '1 r 300 0 0', // realloc(p, 0) frees, on another thread
    '0 m 100000 0', // a failed malloc
  ]);
  const t = r.trace;
  assert.equal(t.ops, { m: 1, c: 0, r: 7, a: 0, f: 0 });
  assert.is(t.failedAllocs, 2);
  assert.equal(t.classHistogram, { C0: 0, C1: 0, C2: 1, C3: 2, C4: 0, C5: 1, C6: 0, C7: 0, large: 1 });
  assert.is(t.largeAllocs, 1);
  assert.is(t.largeFrees, 1);
  assert.is(t.frees, 5);
  assert.is(t.crossThreadFrees, 1);
  assert.is(t.tinyOps, 8, '4 tiny allocations and 4 tiny frees');
  assert.is(t.tinyShare, 0.8);
  assert.is(r.audit, 'ok');
  assert.is(t.fragmentation.finalLiveBytes, 0);
});

test('replay: large sizes and alignments above 16 take the counted pass-through path', async () => {
  const r = await replay(['0 m 2047 100', '0 m 2048 200', '0 a 16 100 300', '0 a 64 100 400', '0 c 2 1024 500', '0 f 100', '0 f 200', '0 f 300', '0 f 400', '0 f 500']);
  assert.is(r.trace.classHistogram['C7'], 1);
  assert.is(r.trace.classHistogram['C4'], 1, 'memalign(16, 100) is a tiny block');
  assert.is(r.trace.largeAllocs, 3);
  assert.is(r.trace.largeFrees, 3);
  assert.is(r.counters.allocs, 2);
});

test('replay: fragmentation is mapped bytes over the tiny bytes live, at the peak and at the end', async () => {
  const r = await replay(['0 m 1000 100', '0 m 1000 200', '0 f 100']);
  const f = r.trace.fragmentation;
  assert.is(f.peakLiveBytes, 2000);
  assert.is(f.finalLiveBytes, 1000);
  assert.is(f.mappedAtPeakLive, 2 ** 21, 'one 2 MB SuperSlab');
  assert.is(f.atPeakLive, 1048.576);
  assert.is(f.final, 2097.152);
});

test('replay: the logical clock advances one ms per --events-per-ms events (idle trim acts)', async () => {
  const lines: string[] = [];
  for (let i = 1; i <= 300; i++) lines.push(`0 m 100 ${i.toString(16)}`, `0 f ${i.toString(16)}`);
  const slow = await replay(lines, { eventsPerMs: 1000 });
  const fast = await replay(lines, { eventsPerMs: 1 });
  assert.is(slow.counters.trims, 1, 'only the final trim');
  assert.ok(fast.counters.trims > 1, `600 ms of clock: idle trims ran (${fast.counters.trims})`);
});

test('replay: the audit runs every N events and stops the replay at the first violation', async () => {
  // seed 000: frees on the fast path never lower `used`; the drain at thread 0's exit (line 6) strands its block
  const lines = ['0 m 100 10', '0 f 10', '0 m 100 20', '0 f 20', '0 m 100 30', '0 f 30', '1 m 8 40', '1 f 40'];
  const every = await replay(lines, { auditEvery: 2, config: { variants: ['tls-free-skips-used'] } });
  assert.equal(every.trace.failure?.kind, 'audit');
  assert.is(every.trace.failure?.line, 6, 'the audit after line 6');
  assert.is(every.trace.events, 6, 'the replay stopped there');
  assert.is((every.audit as { id: string }).id, 'INV-CONSERVATION');
  // end only: the same bug found by the final audit
  const end = await replay(lines, { auditEvery: 0, config: { variants: ['tls-free-skips-used'] } });
  assert.is(end.trace.failure, null);
  assert.is(end.trace.events, 8);
  assert.is((end.audit as { id: string }).id, 'INV-CONSERVATION');
  const fixed = await replay(lines, { auditEvery: 1 });
  assert.is(fixed.audit, 'ok');
});

test('replay: ENOMEM and an allocator exception stop the replay with a failure', async () => {
  const lines: string[] = [];
  for (let i = 1; i <= 200; i++) lines.push(`0 m 2000 ${i.toString(16)}`);
  const oom = await replay(lines, { config: { HAKMEM_TINY_SS_FORCE_LG: 16, 'vm.max_map_count': 4 } });
  assert.equal(oom.trace.failure?.kind, 'enomem');
  assert.is(oom.stopped, 'enomem');
  assert.ok(oom.enomemAt !== null);
  const crash = await replay(['0 m 8 10', '1 m 8 20', '0 f 10', '1 f 20'], { config: { 'sim.max_threads': 1 } });
  assert.equal(crash.trace.failure?.kind, 'crash');
  assert.ok(crash.failures[0]!.message.includes('no free thread slot'), crash.failures[0]!.message);
  assert.is(crash.audit, 'skipped: a worker failed');
});

test('replay: the thread table is sized for the threads alive at once', () => {
  const plan = planEvents(events(['0 m 8 10', '1 m 8 20', '1 f 20', '2 m 8 30', '2 f 30', '0 f 10']));
  assert.is(plan.maxConcurrent, 2, 'thread 1 ended before thread 2 started');
  assert.equal(plan.lastLine, new Map([[0, 6], [1, 3], [2, 5]]));
  assert.equal(configFor(plan, {})['sim.max_threads'], 64);
  assert.equal(configFor({ ...plan, maxConcurrent: 100 }, {})['sim.max_threads'], 102);
  assert.equal(configFor({ ...plan, maxConcurrent: 100 }, { 'sim.max_threads': 7 })['sim.max_threads'], 7);
});

// ---------------------------------------------------------------- through the CLI

/** A bad trace: exit 2, one message naming the file, the line and the problem. */
async function badTrace(lines: string[] | string, ...mentions: string[]): Promise<void> {
  const file = typeof lines === 'string' ? lines : traceFile(lines);
  const r = await cli('trace', 'replay', file);
  assert.is(r.code, 2, `exit code for ${JSON.stringify(lines)}: ${r.err.join('\n')}`);
  assert.equal(r.out, []);
  assert.is(r.err.length, 1);
  assert.ok(r.err[0]!.startsWith(`slabcheck: ${file}`), r.err[0]);
  for (const m of mentions) assert.ok(r.err[0]!.includes(m), `'${r.err[0]}' should mention '${m}'`);
}

test('bad traces: garbage, unknown ops, huge sizes, unknown frees, pointer reuse name their line', async () => {
  await badTrace(['0 m 8 10', 'hello world', '0 f 10'], 'line 2', "unknown op 'world'");
  await badTrace(['0 m 8 10', '0 q 10'], 'line 2', "unknown op 'q'");
  await badTrace(['# a comment', '', '0 m 99999999999999 10'], 'line 3', 'too large');
  await badTrace(['0 m 8 10', '0 f 20'], 'line 2', 'free of 20, which is not live');
  await badTrace(['0 m 8 10', '0 f 10', '1 f 10'], 'line 3', 'free of 10');
  await badTrace(['0 m 8 10', '1 m 16 10'], 'line 2', '10 handed out while it is still live');
  await badTrace(['0 r 10 8 20'], 'line 1', 'realloc of 10, which is not live');
  await badTrace(['0 m 8 10', '0 m 8 20', '0 r 10 8 20'], 'line 3', '20 handed out while it is still live');
  await badTrace([`0 m 8 ${'1'.repeat(5000)}`], 'line 1', 'longer than 4096');
  await badTrace(join(dir, 'missing.trace'), 'no such file');
  await badTrace(dir, 'EISDIR');
});

test('bad traces: a truncated or corrupt gzip file is named as such', async () => {
  const lines: string[] = [];
  for (let i = 1; i <= 5000; i++) lines.push(`0 m ${i % 2000} ${i.toString(16)}`, `0 f ${i.toString(16)}`);
  const whole = traceFile(lines, true);
  const gz = readFileSync(whole);
  const cut = join(dir, 'cut.trace.gz');
  writeFileSync(cut, gz.subarray(0, Math.floor(gz.length / 2)));
  await badTrace(cut, 'truncated gzip data after line');
  const corrupt = join(dir, 'corrupt.trace.gz');
  writeFileSync(corrupt, Buffer.concat([gz.subarray(0, 20), Buffer.alloc(200, 0x55)]));
  await badTrace(corrupt, 'gzip data after line');
  const ok = await cli('trace', 'replay', whole, '--json', '--no-timing');
  assert.is(ok.code, 0);
  assert.is((JSON.parse(ok.out[0]!) as TraceReport).trace.events, 10_000);
});

test('--lenient counts and skips bad lines and bad events, before they change anything', async () => {
  const file = traceFile(['0 m 8 10', 'garbage', '0 f 20', '0 m 8 10', '0 f 10', '0 x 1 1']);
  const r = await cli('trace', 'replay', file, '--lenient', '--json', '--no-timing');
  assert.is(r.code, 0, r.err.join('\n'));
  const t = (JSON.parse(r.out[0]!) as TraceReport).trace;
  assert.is(t.skipped, 4);
  assert.is(t.firstSkipped, 'line 2: unparsable');
  assert.is(t.events, 4, 'events: the parsable lines');
  assert.equal(t.ops, { m: 1, c: 0, r: 0, a: 0, f: 1 });
});

test('trace replay: the text report, the JSON, byte-identical with --no-timing, exit 1 on a failure', async () => {
  const lines = ['0 m 24 100', '1 m 3000 200', '1 f 100', '0 f 200'];
  const file = traceFile(lines, true);
  const text = await cli('trace', 'replay', file);
  assert.is(text.code, 0);
  assert.ok(text.out[0]!.startsWith(`trace ${file}: 4 events, 2 threads`), text.out[0]);
  assert.ok(text.out.some((l) => l.includes('cross-thread frees 2 (1)')), text.out.join('\n'));
  assert.ok(text.out.some((l) => l.includes('audit: ok')));
  const a = await cli('trace', 'replay', file, '--json', '--no-timing');
  const b = await cli('trace', 'replay', file, '--json', '--no-timing');
  assert.is(a.out[0], b.out[0]);
  assert.not.ok('eventsPerSec' in (JSON.parse(a.out[0]!) as TraceReport).trace);
  const timed = JSON.parse((await cli('trace', 'replay', file, '--json')).out[0]!) as TraceReport;
  assert.type(timed.trace.eventsPerSec, 'number');
  assert.ok(timed.trace.processMaxRssBytes! > 2 ** 20, 'the node process\'s peak RSS, in bytes');
  assert.not.ok('processMaxRssBytes' in (JSON.parse(a.out[0]!) as TraceReport).trace);
  const broken = traceFile(['0 m 100 10', '0 f 10', '0 m 100 20', '0 f 20', '1 m 8 40']);
  const bad = await cli('trace', 'replay', broken, '--variant', 'tls-free-skips-used', '--audit-every', '2');
  assert.is(bad.code, 1);
  assert.ok(bad.out.some((l) => l.includes('FAILED at line 4: INV-CONSERVATION')), bad.out.join('\n'));
  const oom = await cli('trace', 'replay', traceFile(Array.from({ length: 200 }, (_, i) => `0 m 2000 ${(i + 1).toString(16)}`)),
    '--set', 'HAKMEM_TINY_SS_FORCE_LG=16', '--set', 'vm.max_map_count=4');
  assert.is(oom.code, 1);
  assert.ok(oom.out.some((l) => l.includes('ENOMEM on trace thread 0')), oom.out.join('\n'));
});

test('trace usage errors: exit 2 with the problem named', async () => {
  const cases: [string[], string][] = [
    [['trace'], 'trace needs a subcommand'],
    [['trace', 'nope'], "unknown trace subcommand 'nope'"],
    [['trace', 'replay'], 'trace replay needs a trace FILE'],
    [['trace', 'replay', 'x', '--audit-every=-1'], '--audit-every must be a whole number'],
    [['trace', 'replay', 'x', '--events-per-ms', '0'], '--events-per-ms must be a whole number'],
    [['trace', 'replay', 'x', '--variant', 'nope'], 'nope'],
    [['trace', 'compare', 'x'], 'trace compare needs at least one --variant'],
    [['trace', 'record'], 'trace record needs a program to run'],
    [['trace', 'record', '--max', '0', '--', 'true'], '--max must be a whole number'],
  ];
  for (const [argv, mention] of cases) {
    const r = await cli(...argv);
    assert.is(r.code, 2, JSON.stringify(argv));
    assert.ok(r.err[0]!.includes(mention), `${JSON.stringify(argv)}: '${r.err[0]}' should mention '${mention}'`);
  }
});

test('trace compare: the default beside each variant column, exit 1 when one fails', async () => {
  const lines: string[] = [];
  for (let i = 1; i <= 200; i++) lines.push(`0 m ${i % 500} ${i.toString(16)}`);
  for (let i = 1; i <= 200; i++) lines.push(`1 f ${i.toString(16)}`);
  const file = traceFile(lines);
  const r = await cli('trace', 'compare', file, '--variant', 'tls-free-skips-used', '--variant', 'no-orphan-adopt,no-idle-trim');
  assert.is(r.code, 1);
  assert.is(r.out[0], `trace ${file}: 400 events, 2 threads`);
  assert.match(r.out[1]!, /^\s+default\s+tls-free-skips-used\s+no-orphan-adopt\+no-idle-trim$/);
  const audit = r.out.find((l) => l.startsWith('audit'))!;
  assert.match(audit, /^audit\s+ok\s+INV-\S+\s+\S+/);
  const json = await cli('trace', 'compare', file, '--variant', 'no-idle-trim', '--json', '--no-timing');
  const reports = JSON.parse(json.out[0]!) as TraceReport[];
  assert.equal(reports.map((x) => x.variants), [[], ['no-idle-trim']]);
  assert.is(json.code, reports.every((x) => x.audit === 'ok') ? 0 : 1);
});

test('the progress bar text', () => {
  assert.is(barText(0, 100), `\r[${' '.repeat(30)}] 0/100 events`);
  assert.is(barText(50, 100), `\r[${'#'.repeat(15)}${' '.repeat(15)}] 50/100 events`);
  assert.ok(barText(100, 100).endsWith('\r\x1b[K'), 'cleared at the end');
});

test.run();
