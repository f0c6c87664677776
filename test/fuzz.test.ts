// The fuzz suite (bench/fuzz/): fast-check over argument vectors, replay tokens, config
// files and --set values, each run as `node bin/slabcheck.js ...` in a child process with
// a time and memory limit. Here a small sample must meet the bar (exit 0, 1 or 2, no
// stack trace, exit 2 names the problem, no hang); `npm run fuzz` runs 10,000. First, the
// judge is shown to catch what it must: programs that crash, hang, run out of memory or
// exit 2 silently are each classified as failing.
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { inputArb, type FuzzInput } from '../bench/fuzz/inputs.js';
import { DEFAULT_LIMITS, runAll, runInput } from '../bench/fuzz/outcome.js';

const none: FuzzInput = { kind: 'argv', argv: [] };
const as = (code: string, timeoutMs = 5000) => runInput(none, { ...DEFAULT_LIMITS, timeoutMs, oldSpaceMib: 64 }, ['-e', code]);

test('the judge catches a stack trace, a hang, an exit past 2, running out of memory and a silent exit 2', async () => {
  assert.is((await as('throw new Error("boom")')).outcome, 'crash');
  assert.is((await as('console.error("slabcheck: internal error (a bug in slabcheck): TypeError: x"); process.exit(1)')).outcome, 'crash');
  assert.is((await as('process.exit(3)')).outcome, 'crash');
  assert.is((await as('const a = []; for (;;) a.push(new Array(1e5).fill(1))', 60_000)).outcome, 'crash', 'the old-space limit holds');
  const hang = await as('for (;;) {}', 1500);
  assert.is(hang.outcome, 'hang');
  assert.ok(hang.ms < 10_000, 'stopped at its limit');
  assert.is((await as('process.exit(2)')).outcome, 'unnamed');
  assert.is((await as('console.error("slabcheck: --runs must be a whole number"); process.exit(2)')).outcome, 'exit2');
  assert.is((await as('process.exit(1)')).outcome, 'exit1');
  assert.is((await as('')).outcome, 'exit0');
});

test('a sample of every kind of input — argv, tokens, config files, --set values, traces — meets the bar', async () => {
  const sample = fc.sample(inputArb, { numRuns: 24, seed: 12 });
  assert.equal(new Set(sample.map((i) => i.kind)), new Set(['argv', 'token', 'config', 'set', 'trace']));
  const { counts, failures } = await runAll(sample, 2);
  assert.equal(failures.map((f) => ({ argv: f.input.argv.map((a) => a.slice(0, 80)), ...f.result })), []);
  assert.is(counts.crash + counts.hang + counts.unnamed, 0);
  assert.ok(counts.exit2 > 0, 'bad input was among them');
});

test('npm run fuzz: a benchmark-style command printing the counts per outcome as JSON', () => {
  const r = spawnSync(process.execPath, [new URL('../bench/fuzz.js', import.meta.url).pathname, '--inputs', '6', '--seed', '3'], { encoding: 'utf8', timeout: 180_000 });
  assert.is(r.status, 0, r.stdout + r.stderr);
  const j = JSON.parse(r.stdout) as { inputs: number; counts: Record<string, number>; bar: boolean; failures: unknown[] };
  assert.is(j.inputs, 6);
  assert.equal(Object.keys(j.counts).sort(), ['crash', 'exit0', 'exit1', 'exit2', 'hang', 'unnamed']);
  assert.is(Object.values(j.counts).reduce((a, b) => a + b, 0), 6);
  assert.is(j.bar, true);
  assert.equal(j.failures, []);
  const bad = spawnSync(process.execPath, [new URL('../bench/fuzz.js', import.meta.url).pathname, '--inputs', 'x'], { encoding: 'utf8' });
  assert.is(bad.status, 2);
  assert.match(bad.stderr, "fuzz --inputs: expected a whole number, got 'x'");
});

test.run();
