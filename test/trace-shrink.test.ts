// Shrinking a failing trace (trace/shrink.ts), the checker case made of it
// (trace/to-case.ts: the trace's order as a round robin with fillers, frees by pick),
// `trace slice`, and the bar: a real trace that a variant breaks shrinks to
// ≤ 20 events that fail the same way, and the token replays the same invariant.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { execute } from '../properties/execute.js';
import { opText } from '../properties/program.js';
import { formatEvent, parseLine, type TraceEvent } from '../trace/format.js';
import { renumber, shrinkTrace, signature, wellFormed } from '../trace/shrink.js';
import { replayEvents, type TraceRun } from '../trace/run.js';
import { traceCase } from '../trace/to-case.js';
import { writeTrace } from '../trace/write.js';
import { cli } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'slabcheck-shrink-test-'));
const events = (lines: string[]): TraceEvent[] => lines.map((l, i) => parseLine(l, i + 1));
const text = (evs: TraceEvent[]): string[] => evs.map(formatEvent);
const RUN: TraceRun = { config: {}, timing: false, eventsPerMs: 1000, auditEvery: 0, lenient: false };
const corpus = (name: string): string => fileURLToPath(new URL(`../../trace/corpus/${name}`, import.meta.url));

test('wellFormed drops what no longer fits: frees of dropped blocks, failed calls, double allocations', () => {
  assert.equal(text(wellFormed(events([
    '0 f 10', // never allocated
    '0 m 8 20', '0 m 8 20', // the second: 20 is live
    '0 m 8 0', // failed
    '0 r 30 16 40', // realloc of a dropped block: a malloc now
    '0 r 40 100000 0', // a failed realloc: nothing
    '0 r 50 0 0', // realloc(p, 0) of a dropped block: nothing
    '0 r 40 0 0', // realloc(p, 0) of a live one: a free
    '0 r 20 24 60', '1 m 8 20', // moved; 20 is free again, so it may come back
    '0 r 60 8 20', // onto a live pointer: dropped, 60 stays live
    '1 f 20', '0 f 60',
  ]))), ['0 m 8 20', '0 m 16 40', '0 r 40 0 0', '0 r 20 24 60', '1 m 8 20', '1 f 20', '0 f 60']);
});

test('renumber: dense thread ids by first appearance', () => {
  assert.equal(text(renumber(events(['5 m 8 10', '2 m 8 20', '5 f 20', '2 f 10']))), ['0 m 8 10', '1 m 8 20', '0 f 20', '1 f 10']);
});

// seed 000: a fast-path free never lowers `used`; thread 0's exit strands the block
const BROKEN = ['0 m 100 10', '1 m 24 500', '0 m 2000 11', '0 f 10', '1 m 24 501', '0 m 100 12', '0 f 12', '1 f 500', '0 m 5000 13', '1 f 501', '0 f 11', '0 f 13', '2 m 8 900', '2 f 900'];

test('shrinkTrace: the smallest trace that fails the same way; null when the trace passes', async () => {
  const run = { ...RUN, config: { variants: ['tls-free-skips-used'] } };
  const whole = await replayEvents(events(BROKEN), run);
  assert.is(signature(whole), 'audit INV-CONSERVATION');
  const s = (await shrinkTrace(events(BROKEN), run, 1000))!;
  assert.is(s.signature, 'audit INV-CONSERVATION');
  assert.is(s.exhausted, false);
  assert.ok(s.replays > 5, `${s.replays} replays`);
  assert.equal(text(s.events), ['0 m 64 10', '0 f 10'], 'one block freed on the fast path; its size down to the least of its class (C4)');
  assert.is(signature(await replayEvents(s.events, run)), 'audit INV-CONSERVATION');
  assert.is(await shrinkTrace(events(BROKEN), RUN, 1000), null, 'the default configuration passes');
  const starved = (await shrinkTrace(events(BROKEN), run, 3))!;
  assert.is(starved.exhausted, true);
  assert.is(starved.replays, 3);
});

test('shrinkTrace keeps a failure that needs two threads: a remote free (seed 003 §2.2)', async () => {
  // remote-free-skips-active: a remote free does not lower the SuperSlab's active count
  const lines = ['0 m 24 10', '0 m 24 11', '1 m 100 20', '1 f 10', '0 m 8 30', '0 f 30', '1 f 20', '0 f 11'];
  const run = { ...RUN, config: { variants: ['remote-free-skips-active'] } };
  const want = signature(await replayEvents(events(lines), run));
  assert.ok(want !== null, 'the variant breaks this trace');
  const s = (await shrinkTrace(events(lines), run, 1000))!;
  assert.is(s.signature, want);
  assert.ok(s.events.length <= 4, text(s.events).join('; '));
  assert.is(new Set(s.events.map((e) => e.tid)).size, 2, 'a remote free needs a second thread');
  assert.ok(s.events.some((e) => e.op === 'f' && e.tid === 1), 'thread 1 frees thread 0\'s block');
});

test('traceCase: the trace order as a round robin with tick(0) fillers; frees by pick; realloc and the large path', () => {
  const evs = events(['0 m 8 10', '0 m 16 11', '1 m 3000 20', '1 f 11', '0 r 10 40 12', '1 r 20 8 21', '2 m 8 30', '1 f 21', '0 f 12', '2 f 30']);
  const c = traceCase(evs, { variants: [] }, 1000);
  assert.equal(c.schedule, { kind: 'preempt', quanta: [1, 1, 1], points: [] });
  // executed: the operations other than the fillers start in the trace's order
  const o = execute(c, { trace: true });
  assert.is(o.violation, null);
  const started = o.trace.filter((e) => e.kind === 'start' && e.text !== 'tick(0ms)').map((e) => `T${e.thread} ${e.text.split(' ')[0]}`);
  assert.equal(started.slice(0, 16), [
    'T0 alloc(8)', 'T0 alloc(16)', 'T1 free(T0#1)', 'T0 alloc(40)', 'T0 free(T0#0)', 'T1 alloc(8)', 'T2 alloc(8)', 'T1 free(T1#0)',
    'T1 drain()', 'T1 exit()', 'T0 free(T0#0)', 'T0 drain()', 'T0 exit()', 'T2 free(T2#0)', 'T2 drain()', 'T2 exit()',
  ]);
  assert.ok(c.program.threads.flat().some((op) => op.op === 'tick' && op.ms === 0), 'fillers were needed');
  const toZero = traceCase(events(['0 m 8 10', '0 m 8 11', '0 r 10 0 0', '0 f 11']), {}, 1000);
  assert.equal(toZero.program.threads[0]!.map((op) => opText(op, 1)), ['alloc(8)', 'alloc(8)', 'free(T0#0)', 'free(T0#0)', 'drain()', 'exit()']);
  const ticking = traceCase(events(['0 m 8 10', '0 f 10', '0 m 8 11']), {}, 2);
  assert.equal(ticking.program.threads[0]!.map((op) => opText(op, 1)), ['alloc(8)', 'free(T0#0)', 'tick(1ms)', 'alloc(8)', 'drain()', 'exit()']);
});

test('trace shrink on a real trace: sqlite3 under tls-free-skips-used, ≤ 20 events, the token replays the same invariant', async () => {
  const out = join(dir, 'sqlite.min.trace');
  const r = await cli('trace', 'shrink', corpus('sqlite.trace.gz'), '--variant', 'tls-free-skips-used', '--out', out, '--json');
  assert.is(r.code, 1);
  const j = JSON.parse(r.out[0]!) as { signature: string; from: number; events: number; token: string; checker: string; file: string };
  assert.is(j.signature, 'audit INV-CONSERVATION');
  assert.ok(j.from > 10_000);
  assert.ok(j.events <= 20, `${j.events} events`);
  assert.is(j.file, out);
  const min = readFileSync(out, 'utf8').trim().split('\n');
  assert.ok(min[0]!.startsWith('# slabcheck trace shrink'));
  assert.is(min.length - 1, j.events);
  const again = await cli('trace', 'replay', out, '--variant', 'tls-free-skips-used', '--json', '--no-timing');
  assert.is(again.code, 1, again.err.join('\n'));
  assert.is((JSON.parse(again.out[0]!) as { audit: { id: string } }).audit.id, 'INV-CONSERVATION');
  assert.is(j.checker, 'INV-CONSERVATION');
  const replay = await cli('replay', j.token);
  assert.is(replay.code, 1);
  assert.ok(replay.out[0]!.startsWith('VIOLATION INV-CONSERVATION'), replay.out[0]);
  const fixed = await cli('trace', 'replay', out, '--json', '--no-timing');
  assert.is(fixed.code, 0, 'the default allocator passes the shrunk trace');
});

test('trace shrink: the text report, a passing trace, a case too large for the checker', async () => {
  const file = join(dir, 'broken.trace');
  writeFileSync(file, BROKEN.join('\n') + '\n');
  const r = await cli('trace', 'shrink', file, '--variant', 'tls-free-skips-used');
  assert.is(r.code, 1);
  assert.match(r.out[0]!, /^trace .* fails \(audit INV-CONSERVATION\); shrunk from 14 to 2 events, 1 thread, in \d+ replays$/);
  assert.equal(r.out.slice(1, 3), ['  0 m 64 10', '  0 f 10']);
  assert.is(r.out[3], `written to ${file}.min.trace (replay it with the same configuration and options)`);
  assert.is(r.out[4], 'checker case (4 operations): the checker finds INV-CONSERVATION (the same)');
  assert.ok(r.out[5]!.startsWith('  replay: npx slabcheck replay sc1.'));
  const ok = await cli('trace', 'shrink', file);
  assert.is(ok.code, 0);
  assert.equal(ok.out, [`trace ${file} replays with the audit holding: nothing to shrink`]);
  assert.equal((await cli('trace', 'shrink', file, '--json')).out, ['{"ok":true}']);
  // a budget of one replay: the python trace stays large, too large for a checker case
  const big = await cli('trace', 'shrink', corpus('python.trace.gz'), '--variant', 'tls-free-skips-used', '--budget', '1', '--out', join(dir, 'py.min.trace.gz'));
  assert.is(big.code, 1);
  assert.ok(big.out[0]!.includes('budget exhausted'), big.out[0]);
  assert.ok(big.out.some((l) => l.startsWith('  ... (')), 'the listing is cut');
  assert.ok(big.out.some((l) => l.startsWith('too large for a checker case')), big.out.join('\n'));
  assert.ok(gunzipSync(readFileSync(join(dir, 'py.min.trace.gz'))).toString().startsWith('# slabcheck trace shrink'));
});

test('trace slice: a window made well-formed', async () => {
  const file = join(dir, 'whole.trace');
  writeTrace(file, events(['0 m 8 10', '0 m 8 20', '0 f 10', '0 r 20 16 30', '1 m 8 40', '1 f 40', '0 f 30']), ['a comment']);
  const out = join(dir, 'window.trace');
  const r = await cli('trace', 'slice', file, '--from', '4', '--to', '7', '--out', out);
  assert.is(r.code, 0, r.err.join('\n'));
  assert.is(r.out[0], `3 events (lines 4..7, 1 dropped to keep it well-formed) written to ${out}`);
  assert.equal(readFileSync(out, 'utf8').split('\n'), [`# slabcheck trace slice ${file} --from 4 --to 7`, '0 m 16 30', '1 m 8 40', '1 f 40', '']);
  const usage = await cli('trace', 'slice', file, '--from', '2');
  assert.is(usage.code, 2);
  assert.ok(usage.err[0]!.includes('trace slice needs --from LINE and --out FILE'));
});

test.run();
