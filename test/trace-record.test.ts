// The recorder (trace/record.ts + trace/shim/slabtrace.c), built with the machine's C
// compiler: its self-test program (threads, cross-thread frees, every traced call, a fork
// whose child must stay out of the trace, an exec'd child with its own file) gives a
// well-formed trace; a Python run records and replays with the audit holding; --max, a
// failing program, a missing program, a source that does not compile.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { buildC, RecordError, shimSource } from '../trace/record.js';
import type { TraceReport } from '../trace/run.js';
import { cli } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'slabcheck-record-test-'));

async function replayJson(file: string): Promise<TraceReport> {
  const r = await cli('trace', 'replay', file, '--json', '--no-timing');
  assert.is(r.code, 0, `replay of ${file}: ${r.err.join('\n')}`);
  return JSON.parse(r.out[0]!) as TraceReport;
}

test('the self-test program: threads and a fork give a well-formed trace; an exec\'d child writes its own', async () => {
  const selftest = buildC(shimSource('selftest.c'), false);
  const out = join(dir, 'selftest.trace');
  const r = await cli('trace', 'record', '--out', out, '--', selftest);
  assert.is(r.code, 0, r.err.join('\n'));
  assert.match(r.out[0]!, new RegExp(`^recorded \\d+ events to ${out}$`));
  const others = /wrote their own traces: (\S+)$/.exec(r.out[1] ?? '')?.[1];
  assert.ok(others !== undefined && others.startsWith(`${out}.`), `the exec'd child's file: ${r.out[1]}`);
  const text = readFileSync(out, 'utf8');
  assert.not.ok(/ 123457 /.test(text), 'the forked child stopped tracing: none of its allocations is in the parent\'s trace');
  // strict replay: every free names a live pointer, no pointer is handed out twice while live
  const t = (await replayJson(out)).trace;
  assert.is(t.threads, 5, 'main + 4 workers');
  for (const op of ['m', 'c', 'r', 'a', 'f'] as const) assert.ok(t.ops[op] > 100, `${op}: ${t.ops[op]}`);
  assert.ok(t.crossThreadFrees > 50, `cross-thread frees ${t.crossThreadFrees}`);
  assert.ok(/^\d+ r [0-9a-f]+ 0 0$/m.test(text), 'realloc(p, 0) is logged as a free');
  const child = readFileSync(others!, 'utf8').trim().split('\n');
  assert.is(child.filter((l) => / m 123457 /.test(l)).length, 100);
  assert.is(child.filter((l) => / f /.test(l)).length, 100);
  const c = (await replayJson(others!)).trace;
  assert.is(c.events, 200);
  assert.is(c.largeAllocs, 100);
});

test('record a Python run (PYTHONMALLOC=malloc), gzipped, then replay it: the audit holds', async () => {
  const out = join(dir, 'python.trace.gz');
  const saved = process.env['PYTHONMALLOC'];
  process.env['PYTHONMALLOC'] = 'malloc';
  const r = await cli('trace', 'record', '--out', out, '--', 'python3', '-c', 'import json; print(len(json.dumps([{"k": str(i)} for i in range(3000)])))');
  if (saved === undefined) delete process.env['PYTHONMALLOC'];
  else process.env['PYTHONMALLOC'] = saved;
  assert.is(r.code, 0, r.err.join('\n'));
  const events = Number(/^recorded (\d+) events/.exec(r.out[0]!)?.[1]);
  assert.ok(events > 10_000, `${events} events`);
  assert.is(gunzipSync(readFileSync(out)).toString().trim().split('\n').length, events);
  const rep = await replayJson(out);
  assert.is(rep.trace.events, events);
  assert.is(rep.audit, 'ok');
  assert.ok(rep.trace.tinyShare > 0.9, `an interpreter's small objects: tiny share ${rep.trace.tinyShare}`);
});

test('record: --max stops the trace; a failing program exits 1; a missing one is named', async () => {
  const out = join(dir, 'max.trace');
  const r = await cli('trace', 'record', '--out', out, '--max', '50', '--', 'python3', '-c', 'pass');
  assert.is(r.code, 0);
  assert.ok(r.out[0]!.includes('recorded 50 events') && r.out[0]!.includes('stopped at --max 50'), r.out[0]);
  assert.is(readFileSync(out, 'utf8').trim().split('\n').length, 50);
  await replayJson(out); // a prefix of a trace is a trace (leaks only)
  const failing = await cli('trace', 'record', '--out', join(dir, 'fail.trace'), '--', 'sh', '-c', 'exit 3');
  assert.is(failing.code, 1);
  assert.equal(failing.err, ['slabcheck: the program exited with status 3']);
  const missing = await cli('trace', 'record', '--out', join(dir, 'none.trace'), '--', join(dir, 'no-such-program'));
  assert.is(missing.code, 2);
  assert.ok(missing.err[0]!.includes('no such program'), missing.err[0]);
});

test('buildC: a source that does not compile is an error naming the compilers tried; a built one is cached', () => {
  const bad = join(dir, 'bad.c');
  writeFileSync(bad, 'this is not C\n');
  assert.throws(() => buildC(bad, true), (e: Error) => e instanceof RecordError && e.message.includes('cannot build bad.c') && e.message.includes('cc:'));
  const fresh = join(dir, 'fresh.c'); // a source never built before (the cache is keyed by content)
  writeFileSync(fresh, `int slabcheck_test_${process.pid}_${Date.now()}(void) { return 1; }\n`);
  assert.ok(buildC(fresh, true).endsWith('/fresh.so'));
  const lib = buildC(shimSource('slabtrace.c'), true);
  assert.is(buildC(shimSource('slabtrace.c'), true), lib);
});

test.run();
