// Every class of bad input gets a clear answer: exit 2 with a message naming the problem
// (or exit 1 for a run that failed), never a stack trace, a hang or a false verdict
// about the allocator. One test per class; the fuzz suite (test/fuzz.test.ts) samples
// the space around them.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { deflateRawSync } from 'node:zlib';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../impl/config.js';
import { createHeap, heapInput } from '../impl/heap.js';
import { assertAllocator, replay } from '../properties/index.js';
import { TINY_GEOMETRY } from '../properties/scope.js';
import { TOKEN_LIMITS } from '../properties/token.js';
import { main } from '../cli/main.js';
import { cli, cliInFreshProcess, type CliResult } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'slabcheck-bad-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

/** Exit 2, nothing on out (unless `printed`), the first line names every one of `mentions`. */
async function refused(argv: string[], ...mentions: string[]): Promise<CliResult> {
  const r = await cli(...argv);
  assert.is(r.code, 2, `${argv.join(' ')}: exit ${r.code}, ${r.err.join('\n')}`);
  assert.ok(r.err[0]?.startsWith('slabcheck: '), r.err.join('\n'));
  assert.not.ok(r.err[0]!.includes('internal error'), r.err[0]);
  for (const m of mentions) assert.ok(r.err[0]!.includes(m), `${argv.join(' ')}: '${r.err[0]}' should mention ${m}`);
  return r;
}

const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

/** A token holding `json` as given (so it can be malformed in any way). */
const tokenOf = (json: string): string => `sc1.${deflateRawSync(Buffer.from(json)).toString('base64url')}`;
const CASE = { config: { ...TINY_GEOMETRY }, program: { threads: [[{ op: 'alloc', size: 100 }]] }, schedule: { kind: 'preempt', quanta: [], points: [] } };
const token = (patch: Record<string, unknown>): string => tokenOf(JSON.stringify({ ...CASE, ...patch }));

test('in-range knobs that cannot be built: the heap is checked against its budget first, naming the knob', async () => {
  await refused(['check', '--runs', '1', '--set', 'sim.phys_mib=65536'], 'sim.phys_mib', 'budget');
  await refused(['run', 'random-mixed', '--set', 'vm.max_map_count=16777216'], 'vm.max_map_count', 'budget');
  await refused(['check', '--runs', '1', '--config', file('big.json', '{"sim.phys_mib": 65536}')], 'sim.phys_mib');
  await refused(['replay', token({ config: { ...TINY_GEOMETRY, 'vm.max_map_count': 16777216 } })], 'vm.max_map_count', 'budget');
  assert.throws(() => createHeap({ 'sim.phys_mib': 65536 }), (e: unknown) => e instanceof ConfigError && e.key === 'sim.phys_mib');
});

test('threads beyond sim.max_threads: refused before running, naming the knob', async () => {
  await refused(['check', '--set', 'sim.max_threads=2'], 'sim.max_threads', 'needs 4');
  await refused(['replay', token({ config: { ...TINY_GEOMETRY, 'sim.max_threads': 2 }, program: { threads: [[], [], []] } })], 'sim.max_threads');
  await refused(['run', 'random-mixed', '--threads', '4', '--set', 'sim.max_threads=4'], 'sim.max_threads');
});

test('simulated OOM in an interleaved run is a failure of the run (exit 1), reported like the worker path', async () => {
  for (const threads of ['1', '2']) {
    const r = await cli('run', 'random-mixed', '--threads', threads, '--exec', 'interleaved', '--set', 'sim.phys_mib=0.05');
    assert.is(r.code, 1);
    assert.ok(r.out.some((l) => /FAILED: worker \d \(tid \d+\): OomKilled: out of simulated physical memory/.test(l)), r.out.join('\n'));
  }
});

test('run fault: every mode ends with the fault reported (exit 1), --timeout holds interleaved, odd counts end', async () => {
  for (const argv of [[], ['--mode', '2'], ['--threads', '2', '--exec', 'interleaved'], ['--iters', '3', '--at', '1']]) {
    const r = await cli('run', 'fault', ...argv);
    assert.is(r.code, 1, argv.join(' '));
    assert.ok(r.out.some((l) => l.includes('FAILED: worker 0')), `${argv.join(' ')}: ${r.out.join('\n')}`);
  }
  await refused(['run', 'fault', '--mode', '1'], '--mode 1', '--exec workers');
  const slow = await cli('run', 'random-mixed', '--iters', '100000000', '--timeout', '1');
  assert.is(slow.code, 1);
  assert.ok(slow.out.some((l) => l.includes('did not finish within 1000 ms')), slow.out.join('\n'));
  assert.is((await cli('run', 'fault', '-h')).code, 0);
});

test('--report that cannot be written: exit 2 naming it, before the run (and never a hang on procfs)', async () => {
  await refused(['check', '--runs', '1', '--report', '/dev/null'], '/dev/null', 'not a directory');
  await refused(['check', '--runs', '1', '--report', '/etc/passwd/x'], '/etc/passwd/x');
  await refused(['check', '--runs', '1', '--report', ''], '--report');
  // /proc accepts the access check; the write after the violation is refused, not retried forever
  const r = await cli('check', '--variant', 'tls-free-skips-used', '--report', '/proc/x/y');
  assert.is(r.code, 2);
  assert.ok(r.out.some((l) => l.startsWith('VIOLATION')), 'the report is printed first');
  assert.ok(r.err[0]!.includes("--report '/proc/x/y'"), r.err[0]);
});

test('tokens: size, nesting, unknown fields, trailing garbage, op counts and values have limits and a clear rejection', async () => {
  const deep = `{"config":${JSON.stringify(CASE.config)},"program":${JSON.stringify(CASE.program)},"schedule":${JSON.stringify(CASE.schedule)},"x":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
  await refused(['replay', tokenOf(deep)], "unknown field 'x'");
  const good = token({});
  assert.is((await cli('replay', good)).code, 0);
  await refused(['replay', `${good}AAAA`], 'trailing');
  await refused(['replay', `sc1.${'A'.repeat(TOKEN_LIMITS.chars)}`], 'over the limit');
  await refused(['replay', token({ program: { threads: [Array(TOKEN_LIMITS.ops + 1).fill({ op: 'drain' })] } })], 'operations, over the limit');
  await refused(['replay', token({ program: { threads: [[{ op: 'tick', ms: 2 ** 53 - 1 }]] } })], 'tick ms');
  await refused(['replay', token({ program: { threads: Array(40).fill([{ op: 'tick', ms: TOKEN_LIMITS.tickMs }]) } })], 'threads, over the limit');
  await refused(['replay', token({ program: { threads: [Array(20).fill({ op: 'tick', ms: TOKEN_LIMITS.tickMs })] } })], 'ticks add up');
  // more blocks than the simulated machine has: a limit of the case, never a CRASH verdict
  await refused(['replay', token({ program: { threads: [Array(500).fill({ op: 'alloc', size: 1500 })] } })], 'sim.phys_mib', 'not an allocator fault');
  assert.throws(() => replay(`${good}AAAA`), /trailing/);
  // misuse operations: every field known and whole, the kind one of the documented ones
  const bad = { op: 'misuse', kind: 'double', from: 0, pick: 0, offset: 0 };
  assert.is((await cli('replay', token({ program: { threads: [[{ op: 'alloc', size: 300 }, bad]] } }))).code, 0);
  await refused(['replay', token({ program: { threads: [[{ ...bad, kind: 'sideways' }]] } })], "unknown misuse kind 'sideways'");
  await refused(['replay', token({ program: { threads: [[{ ...bad, offset: -1 }]] } })], 'misuse needs whole numbers');
  await refused(['replay', token({ program: { threads: [[{ ...bad, address: 4096 }]] } })], "unknown field 'address'");
});

test('nonsense is refused: min above max, a thread that is not there, NaN runs, hex numbers, __proto__', async () => {
  await refused(['run', 'larson', '--min', '100', '--max', '50'], '--min 100', '--max 50');
  await refused(['run', 'fault', '--thread', '63'], '--thread 63');
  await refused(['run', 'fault', '--at', '200000'], '--at');
  for (const runs of [NaN, -1, 0, 1.5]) assert.throws(() => assertAllocator({ runs }), (e: unknown) => e instanceof RangeError && e.message.includes('runs'));
  assert.throws(() => assertAllocator({ scheduler: 'nope' as 'pct' }), /scheduler/);
  await refused(['check', '--set', 'HAKMEM_TINY_CAP=0x15'], 'HAKMEM_TINY_CAP', "'0x15'");
  await refused(['check', '--config', file('bin.json', '{"HAKMEM_TINY_CAP": "0b10101"}')], 'HAKMEM_TINY_CAP', "'0b10101'");
  await refused(['run', 'random-mixed', '--iters', '0x15'], '--iters');
  await refused(['check', '--config', file('proto.json', '{"__proto__": {"HAKMEM_TINY_CAP": 1}}')], '__proto__', 'unknown key');
  await refused(['check', '--set', '__proto__=1'], '__proto__', 'unknown key');
});

test('names every JavaScript object has are no command, workload or key', async () => {
  for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf']) {
    await refused([name], 'unknown command');
    await refused(['run', name], 'unknown workload');
    await refused(['help', name].concat(['--frob']), '--frob');
  }
});

test('repetition and size: a variant named 1000 times is one variant; a 5 MB key is not echoed back', async () => {
  const many = Array(1000).fill('tls-free-skips-used') as string[];
  const heap = createHeap({ variants: many });
  assert.equal(heapInput(heap), { variants: ['tls-free-skips-used'] });
  const viaFlag = await cli('check', '--runs', '50', ...many.flatMap((v) => ['--variant', v]), '--json');
  assert.is(viaFlag.code, 1, 'the variant is found, as when named once');
  const viaFile = await cli('check', '--runs', '50', '--config', file('many.json', JSON.stringify({ variants: many })), '--json');
  assert.is(viaFile.code, 1);
  assert.not.throws(() => replay(token({ config: { ...TINY_GEOMETRY, variants: many } })));
  const huge = 'K'.repeat(5_000_000);
  const r = await refused(['check', '--set', `${huge}=1`], 'unknown key', '5000000 chars');
  assert.ok(r.err.join('\n').length < 2000, `stderr holds ${r.err.join('\n').length} chars`);
  const f = await refused(['check', '--config', file('huge.json', JSON.stringify({ [huge]: 1 }))], 'unknown key');
  assert.ok(f.err.join('\n').length < 2000);
});

test('usage: negative values are judged by range, COMMAND --help is its own, coverage refuses --report, --version', async () => {
  await refused(['check', '--runs', '-5'], '--runs', "'-5'");
  await refused(['run', 'random-mixed', '--seed', '-1'], '--seed', "'-1'");
  await refused(['coverage', '--report', 'x'], '--report');
  const v = await cli('--version');
  assert.is(v.code, 0);
  assert.match(v.out[0]!, /^slabcheck \d+\.\d+\.\d+$/);
});

test('terminal behaviour: no progress on stderr when it is not a terminal', () => {
  const r = cliInFreshProcess(['check', '--runs', '30', '--min-coverage', '0']); // 30 runs leave transitions untaken
  assert.is(r.status, 0);
  assert.is(r.stderr, '');
});

test('no stack trace for an error of slabcheck itself either: one line marked internal error, exit 1', async () => {
  const err: string[] = [];
  const code = await main(['variants'], () => { throw new TypeError('stdout is gone'); }, (line) => err.push(line));
  assert.is(code, 1);
  assert.equal(err.length, 1);
  assert.match(err[0]!, /^slabcheck: internal error .*TypeError: stdout is gone$/);
});

test.run();
