// The `slabcheck` command (cli/main.ts), called in-process: the "done when"
// figures of `run random-mixed`, determinism, the human report, usage errors (exit 2,
// a message naming the problem), --config/--set/--variant, `variants`, `help`, and one
// out-of-process run.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, cliInFreshProcess, cliOnce, type CliResult } from './helpers.js';
import { VARIANTS } from '../impl/variants.js';

/** A `--json` run: exactly one line on out, nothing on err. */
function json(r: CliResult): Record<string, unknown> {
  assert.is(r.out.length, 1, `one JSON line expected, got ${r.out.length}`);
  assert.equal(r.err, []);
  return JSON.parse(r.out[0]!) as Record<string, unknown>;
}

const num = (o: Record<string, unknown>, key: string): number => {
  const v = o[key];
  assert.type(v, 'number', `${key} is a number`);
  return v as number;
};

/** A usage error: exit 2, nothing on out, the first err line names the problem. */
async function usageError(argv: string[], ...mentions: (string | RegExp)[]): Promise<string> {
  const r = await cli(...argv);
  assert.is(r.code, 2, `exit code of ${JSON.stringify(argv)}`);
  assert.equal(r.out, [], `nothing on out for ${JSON.stringify(argv)}`);
  const message = r.err.join('\n');
  assert.ok(r.err[0]?.startsWith('slabcheck: '), `message first: ${message}`);
  assert.ok(message.includes('usage:'), 'the usage follows the message');
  for (const m of mentions) {
    assert.ok(typeof m === 'string' ? r.err[0]!.includes(m) : m.test(r.err[0]!), `${JSON.stringify(argv)}: '${r.err[0]}' should mention ${m}`);
  }
  return r.err[0]!;
}

// seed 000_86274261e3f63077.txt "Validation": `bench_random_mixed_hakmem 100000 256 42`.
const SEED000 = ['run', 'random-mixed', '--iters', '100000', '--ws', '256', '--seed', '42'];
const BUGGY = ['--variant', 'tls-free-skips-used'];

// The field list for `run --json`.
const FIELDS = ['opsPerSec', 'mmap', 'munmap', 'lruPush', 'lruPopHit', 'lruPopMiss', 'ssAlloc', 'ssFreed',
  'emptyEvents', 'legacyFallbacks', 'pageFaults', 'peakRssBytes', 'peakVmBytes'];

test('run --json has every field the issue asks for', async () => {
  const r = await cliOnce(...SEED000, '--json');
  const j = json(r);
  for (const f of FIELDS) num(j, f);
  assert.ok('audit' in j, 'audit');
  assert.ok(num(j, 'opsPerSec') > 0);
  // 100000 iterations, plus one free per slot still full at the end (at most ws of them)
  const ops = num(j, 'ops');
  assert.ok(ops >= 100_000 && ops <= 100_000 + 256, `ops ${ops}`);
});

test('done when: the default configuration reuses SuperSlabs (seed 000 after-fix figures)', async () => {
  const r = await cliOnce(...SEED000, '--json');
  const j = json(r);
  assert.is(j['audit'], 'ok');
  assert.is(r.code, 0);
  // seed 000 "After fix: Multiple LRU_PUSH hits + <50 mmap calls / Expected: [EMPTY detected]
  // messages + [LRU_PUSH] messages"; before the fix it was 400+ mmap calls.
  assert.ok(num(j, 'lruPush') > 0, 'lruPush > 0');
  assert.ok(num(j, 'ssFreed') > 0, 'ssFreed > 0');
  assert.ok(num(j, 'emptyEvents') > 0, 'emptyEvents > 0');
  assert.ok(num(j, 'mmap') < 50, `mmap ${j['mmap']} (seed 000: <50 after the fix, 400+ before)`);
  assert.ok(num(j, 'munmap') < 100, `munmap ${j['munmap']}`);
  assert.is(j['legacyFallbacks'], 0);
  assert.equal(j['variants'], []);
});

test('done when: --variant tls-free-skips-used shows seed 001 symptom and fails the audit (exit 1)', async () => {
  const r = await cliOnce(...SEED000, ...BUGGY, '--json');
  const j = json(r);
  // seed 001_4c03cbcfeeca547d.txt "Experimental Evidence": [LRU_PUSH] 0, [SS_FREE] 0, [SS_EMPTY] 0
  assert.is(j['lruPush'], 0);
  assert.is(j['ssFreed'], 0);
  assert.is(j['emptyEvents'], 0);
  assert.equal(j['variants'], ['tls-free-skips-used']);
  const verdict = j['audit'] as Record<string, unknown>;
  assert.type(verdict, 'object', 'the audit names a violation');
  assert.match(String(verdict['id']), /^(INV|LIVE|MEM)-[A-Z-]+$/);
  for (const k of ['what', 'where', 'expected', 'actual']) assert.type(verdict[k], 'string', k);
  assert.is(r.code, 1);
});

test('the seed 000 command line is the default: no options give the same run', async () => {
  assert.equal((await cli('run', 'random-mixed', '--json', '--no-timing')).out, (await cli(...SEED000, '--json', '--no-timing')).out);
});

test('--no-timing: identical runs print byte-identical output', async () => {
  const a = await cli(...SEED000, '--json', '--no-timing');
  const b = await cli(...SEED000, '--json', '--no-timing');
  assert.is(a.out.length, 1);
  assert.is(a.out[0], b.out[0]);
  const j = json(a);
  assert.not.ok('opsPerSec' in j);
  assert.not.ok('seconds' in j);
  const h1 = await cli(...SEED000, ...BUGGY, '--no-timing');
  const h2 = await cli(...SEED000, ...BUGGY, '--no-timing');
  assert.ok(h1.out.length > 1);
  assert.equal(h1.out, h2.out);
  assert.is(h1.code, 1);
});

test('with timing, two runs differ only in opsPerSec and seconds', async () => {
  const untimed = (await cli(...SEED000, '--json', '--no-timing')).out[0]!;
  const a = json(await cliOnce(...SEED000, '--json'));
  const b = json(await cli(...SEED000, '--json'));
  for (const j of [a, b]) {
    assert.ok(num(j, 'opsPerSec') > 0);
    assert.ok(num(j, 'seconds') >= 0);
    delete j['opsPerSec'];
    delete j['seconds'];
  }
  assert.equal(a, b);
  assert.is(JSON.stringify(a), untimed, 'the timed report is the untimed one plus the two wall-clock fields');
});

test('human output names the figures and the audit verdict, matching --json', async () => {
  const j = json(await cli(...SEED000, '--json', '--no-timing'));
  const r = await cli(...SEED000, '--no-timing');
  assert.is(r.code, 0);
  assert.equal(r.err, []);
  const text = r.out.join('\n');
  assert.ok(r.out[0]!.startsWith('random-mixed '), r.out[0]);
  assert.not.ok(text.includes('ops/s'), '--no-timing prints no throughput');
  for (const want of [
    `mmap ${j['mmap']} `, `munmap ${j['munmap']} `, `page faults ${j['pageFaults']}`,
    `mapped ${j['ssAlloc']}`, `freed ${j['ssFreed']}`, `push ${j['lruPush']}`,
    `pop hit ${j['lruPopHit']}`, `miss ${j['lruPopMiss']}`,
    `EMPTY events ${j['emptyEvents']}`, `legacy fallbacks ${j['legacyFallbacks']}`,
    'peak RSS ', 'peak VmSize ', 'audit: ok',
  ]) assert.ok(text.includes(want), `human output should contain '${want}':\n${text}`);

  const timed = (await cli(...SEED000)).out.join('\n');
  assert.match(timed, new RegExp(`${j['ops']} ops in [0-9.]+ s: \\d+ ops/s`));

  const bad = json(await cliOnce(...SEED000, ...BUGGY, '--json'));
  const h = await cli(...SEED000, ...BUGGY, '--no-timing');
  assert.is(h.code, 1);
  const htext = h.out.join('\n');
  assert.ok(h.out[0]!.includes('variant tls-free-skips-used'), h.out[0]);
  const id = (bad['audit'] as { id: string }).id;
  assert.ok(htext.includes(`audit: ${id}`), `the verdict names ${id}:\n${htext}`);
  assert.not.ok(htext.includes('audit: ok'));
});

test('usage errors: commands and workloads', async () => {
  await usageError([], 'no command');
  await usageError(['frob'], "unknown command 'frob'");
  await usageError(['run'], 'workload', 'random-mixed');
  await usageError(['run', 'frob'], "unknown workload 'frob'");
  await usageError(['run', 'random-mixed', 'extra'], "'extra'");
  await usageError(['run', 'random-mixed', '--frob'], '--frob');
  await usageError(['run', 'random-mixed', '--iters'], '--iters');
  await usageError(['variants', '--frob'], 'variants');
});

test('usage errors: whole-number options', async () => {
  await usageError(['run', 'random-mixed', '--iters', '0'], '--iters', "'0'");
  await usageError(['run', 'random-mixed', '--iters', 'abc'], '--iters', "'abc'");
  await usageError(['run', 'random-mixed', '--iters', '1.5'], '--iters', "'1.5'");
  await usageError(['run', 'random-mixed', '--iters', '1e3'], '--iters', "'1e3'");
  await usageError(['run', 'random-mixed', '--ws', '0'], '--ws');
  await usageError(['run', 'random-mixed', '--seed=-1'], '--seed', "'-1'");
  await usageError(['run', 'random-mixed', '--seed', '-1'], '--seed'); // parseArgs: ambiguous value
  await usageError(['run', 'random-mixed', '--seed', String(2 ** 32)], '--seed'); // seeds are 32-bit (harness/rng.ts)
});

test('usage errors: --variant and --set', async () => {
  await usageError(['run', 'random-mixed', '--variant', 'nope'], 'variants', "'nope'");
  await usageError(['run', 'random-mixed', '--set', 'HAKMEM_TINY_CAP'], '--set', 'KEY=VALUE', "'HAKMEM_TINY_CAP'");
  await usageError(['run', 'random-mixed', '--set', '=3'], '--set');
  await usageError(['run', 'random-mixed', '--set', 'HAKMEM_NO_SUCH_KNOB=1'], 'HAKMEM_NO_SUCH_KNOB', 'unknown');
  // impl/config.ts: HAKMEM_TINY_SS_FORCE_LG is 6..21 (seeds 003/004 use 19-21)
  await usageError(['run', 'random-mixed', '--set', 'HAKMEM_TINY_SS_FORCE_LG=22'], 'HAKMEM_TINY_SS_FORCE_LG', '22');
  await usageError(['run', 'random-mixed', '--set', 'HAKMEM_SS_EMPTY_REUSE=2'], 'HAKMEM_SS_EMPTY_REUSE');
  await usageError(['run', 'random-mixed', '--set', 'HAKMEM_TINY_CAP='], 'HAKMEM_TINY_CAP');
});

test('--config: missing file, malformed JSON, not an object', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'slabcheck-cli-'));
  try {
    const missing = join(dir, 'missing.json');
    await usageError(['run', 'random-mixed', '--config', missing], missing);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"HAKMEM_TINY_CAP": ');
    await usageError(['run', 'random-mixed', '--config', bad], bad, 'JSON');
    const arr = join(dir, 'array.json');
    writeFileSync(arr, '[1, 2]');
    await usageError(['run', 'random-mixed', '--config', arr], arr, 'object');
    const nul = join(dir, 'null.json');
    writeFileSync(nul, 'null');
    await usageError(['run', 'random-mixed', '--config', nul], nul, 'object');
    const unknown = join(dir, 'unknown.json');
    writeFileSync(unknown, '{"HAKMEM_NO_SUCH_KNOB": 1}');
    await usageError(['run', 'random-mixed', '--config', unknown], 'HAKMEM_NO_SUCH_KNOB');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--config is applied: LRU off (max_cached 0) munmaps the emptied SuperSlab; --set overrides it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'slabcheck-cli-'));
  try {
    const file = join(dir, 'no-lru.json');
    writeFileSync(file, JSON.stringify({ HAKMEM_SUPERSLAB_MAX_CACHED: 0 }));
    const base = json(await cli(...SEED000, '--json', '--no-timing'));
    const r = await cli(...SEED000, '--config', file, '--json', '--no-timing');
    const j = json(r);
    assert.is(r.code, 0);
    assert.is(j['audit'], 'ok');
    // impl/config.ts: "0 disables the LRU" -> nothing pushed, nothing popped from it
    assert.is(j['lruPush'], 0);
    assert.is(j['lruPopHit'], 0);
    assert.ok(num(j, 'ssFreed') > 0, 'the SuperSlab is still freed');
    // seed 000 superslab_free(): not cached -> munmap; so nothing stays mapped and there is one
    // more munmap than in the default run for each SuperSlab the default run cached
    assert.is(j['finalVmBytes'], 0);
    assert.ok(num(base, 'finalVmBytes') > 0, 'the default run keeps its cached SuperSlab mapped');
    assert.ok(num(j, 'munmap') > num(base, 'munmap'), `munmap ${j['munmap']} vs default ${base['munmap']}`);

    // --set is read after --config, so it wins
    const back = json(await cli(...SEED000, '--config', file, '--set', 'HAKMEM_SUPERSLAB_MAX_CACHED=256', '--json', '--no-timing'));
    assert.equal(back, base);

    // a config file may name variants; they add to --variant
    const vfile = join(dir, 'variants.json');
    writeFileSync(vfile, JSON.stringify({ variants: ['no-idle-trim'] }));
    const both = await cli(...SEED000, '--config', vfile, ...BUGGY, '--json', '--no-timing');
    assert.equal(json(both)['variants'], ['no-idle-trim', 'tls-free-skips-used']);
    assert.is(both.code, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// The five seed documents (summarised in docs/seeds.md); every variant cites one of them.
const SEED_FILES = ['000_86274261e3f63077.txt', '001_4c03cbcfeeca547d.txt', '002_b461f92c61066b62.txt',
  '003_932746184e5394df.txt', '004_d59e0d336a26e3fe.txt'];

test('variants lists all 23 variants with their seed file', async () => {
  const r = await cli('variants');
  assert.is(r.code, 0);
  assert.equal(r.err, []);
  assert.is(r.out.length, 23);
  assert.is(VARIANTS.length, 23);
  for (const v of VARIANTS) {
    const line = r.out.find((l) => l.split(/\s+/)[0] === v.name);
    assert.ok(line !== undefined, `variant ${v.name} listed`);
    assert.ok(line.includes(v.seed), `${v.name} names its seed ${v.seed}`);
    assert.ok(line.includes(v.bug), `${v.name} describes its bug`);
    assert.ok(SEED_FILES.includes(v.seed.split(' ')[0]!), `${v.name}: ${v.seed} is a seed file`);
  }
});

test('variants --json parses and matches impl/variants.ts', async () => {
  const r = await cli('variants', '--json');
  assert.is(r.code, 0);
  assert.is(r.out.length, 1);
  const list = JSON.parse(r.out[0]!) as { name: string; seed: string; bug: string }[];
  assert.equal(list, VARIANTS.map(({ name, seed, bug }) => ({ name, seed, bug })));
  assert.is(new Set(list.map((v) => v.name)).size, 23);
});

test('run WORKLOAD --help lists the workload\'s options with their defaults', async () => {
  const r = await cli('run', 'random-mixed', '--help');
  assert.is(r.code, 0);
  const text = r.out.join('\n');
  for (const want of ['--iters', '--ws', '--seed', 'default 100000']) assert.ok(text.includes(want), `lists ${want}`);
});

test('help prints the usage and exits 0', async () => {
  const r = await cli('help');
  assert.is(r.code, 0);
  assert.equal(r.err, []);
  const text = r.out.join('\n');
  for (const want of ['usage:', 'slabcheck run WORKLOAD', 'random-mixed', 'larson', '--threads', '--variant', '--config', '--set', '--json', '--no-timing', 'slabcheck variants', 'slabcheck help']) {
    assert.ok(text.includes(want), `help mentions ${want}`);
  }
});

test('--help / -h alone prints the whole usage; COMMAND --help / -h prints that command\'s (as help COMMAND); exit 0', async () => {
  const usage = (await cli('help')).out;
  for (const argv of [['--help'], ['-h']]) assert.equal((await cli(...argv)).out, usage, argv.join(' '));
  for (const argv of [['run', '--help'], ['scenario', '-h'], ['check', '--runs', '5', '--help'], ['zoo', '--help'], ['variants', '-h']]) {
    const r = await cli(...argv);
    assert.is(r.code, 0, argv.join(' '));
    assert.equal(r.err, []);
    assert.equal(r.out, (await cli('help', argv[0]!)).out, argv.join(' '));
    const text = r.out.join('\n');
    assert.ok(text.includes(`slabcheck ${argv[0]}`), `${argv.join(' ')}: ${text}`);
    for (const other of ['check', 'replay', 'zoo', 'coverage', 'run', 'scenario', 'variants'].filter((c) => c !== argv[0])) {
      assert.not.ok(text.includes(`slabcheck ${other} `), `${argv.join(' ')} prints only its own usage, not ${other}'s`);
    }
  }
  assert.not.equal((await cli('run', 'larson', '--help')).out, usage);
  assert.equal((await cli('run', 'larson', '-h')).out, (await cli('run', 'larson', '--help')).out);
});

test('out of process: a node process running main() prints the JSON report and exits 0', async () => {
  const argv = ['run', 'random-mixed', '--iters', '1000', '--json'];
  const p = cliInFreshProcess(argv);
  assert.is(p.stderr, '');
  assert.is(p.status, 0);
  const lines = p.stdout.trimEnd().split('\n');
  assert.is(lines.length, 1);
  const j = JSON.parse(lines[0]!) as Record<string, unknown>;
  assert.is(j['audit'], 'ok');
  assert.equal(j['options'], { iters: 1000, ws: 256, seed: 42, opsPerMs: 1000 });
  for (const f of FIELDS) assert.type(j[f], 'number', f);
  // the same run in-process gives the same figures (the wall-clock ones aside)
  const here = json(await cli(...argv, '--no-timing'));
  delete j['opsPerSec'];
  delete j['seconds'];
  assert.equal(j, here);
});

// A malformed `variants` in --config or --set, merged with --variant, is makeConfig's to name
// (it once crashed the merge: "is not iterable", or was split into letters).
test('--config with a non-list `variants` plus --variant is a usage error, not a crash', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'slabcheck-cli-'));
  try {
    for (const value of [5, { a: 1 }, 'no-idle-trim']) {
      const file = join(dir, 'v.json');
      writeFileSync(file, JSON.stringify({ variants: value }));
      let r: { code: number; err: string[] } | undefined;
      try {
        r = await cli('run', 'random-mixed', '--iters', '10', '--config', file, '--variant', 'no-idle-trim');
      } catch (e) {
        assert.unreachable(`main threw for variants ${JSON.stringify(value)}: ${(e as Error).message}`);
      }
      assert.is(r!.code, 2);
      assert.ok(r!.err[0]!.includes('expected a list of variant names'), r!.err[0]);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--set variants=NAME plus --variant is a usage error naming the key', async () => {
  const r = await cli('run', 'random-mixed', '--iters', '10', '--set', 'variants=no-idle-trim', '--variant', 'no-idle-trim');
  assert.is(r.code, 2);
  assert.ok(r.err[0]!.includes('expected a list of variant names'), r.err[0]);
});

test.run();
