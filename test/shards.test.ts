// Sharded checking (properties/search.ts, merge.ts; `check --shard K/N`, `slabcheck merge`):
// the shards of a run, merged, print what one machine prints for the whole run — when
// nothing fails, and when the first failure sits in a middle shard with later shards
// failing too (the merge must pick the earliest, whatever order the files come in).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { check } from '../properties/check.js';
import { blockStarts, searchWorkersKept, shardRange } from '../properties/search.js';
import { mergeShards, type ShardResult } from '../properties/merge.js';
import { cli } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'slabcheck-shards-'));

async function shardFiles(args: string[], count: number): Promise<string[]> {
  const files: string[] = [];
  for (let k = 1; k <= count; k++) {
    const r = await cli('check', ...args, '--json', '--report', dir, '--jobs', '1', '--shard', `${k}/${count}`);
    const file = join(dir, `${args.join('_')}-${k}.json`);
    writeFileSync(file, r.out[0]!);
    files.push(file);
  }
  return files;
}

for (const args of [['--runs', '300', '--seed', '3'], ['--runs', '1500', '--seed', '1', '--variant', 'remote-push-racy']]) {
  test(`merge of 3 shards = the whole run: ${args.join(' ')}`, async () => {
    const whole = await cli('check', ...args, '--json', '--report', dir, '--jobs', '1');
    const files = await shardFiles(args, 3);
    const merged = await cli('merge', ...files.reverse());
    assert.is(merged.out[0], whole.out[0]);
    assert.is(merged.code, whole.code);
  });
}

test('the first failure of the run wins, not the first shard to fail', () => {
  const options = { variants: ['remote-push-racy'], seed: 1, runs: 1500 };
  const serial = check(options);
  assert.ok(serial.firstFailure !== null);
  const shards = [1, 2, 3].map((index) => check({ ...options, shard: { index, count: 3 } }));
  // more than one shard fails: the merge must take the run's first failure, not any shard's
  assert.ok(shards.filter((s) => s.firstFailure !== null).length >= 2);
  assert.is(Math.min(...shards.flatMap((s) => (s.firstFailure === null ? [] : [s.firstFailure]))), serial.firstFailure);
  const asJson = (r: typeof serial, index: number): ShardResult => ({
    ok: r.ok, seed: r.seed, runs: r.runs, shrinks: r.shrinks, covered: r.covered.length, transitions: r.edges.length, coverageOk: false,
    shard: { index, count: 3, ...shardRange(1500, { index, count: 3 }) }, firstFailure: r.firstFailure, coveredEdges: r.covered, report: r.report,
  });
  const merged = mergeShards([asJson(shards[1]!, 2), asJson(shards[2]!, 3), asJson(shards[0]!, 1)]);
  assert.is(merged.runs, serial.firstFailure! + 1);
  assert.is(merged.report?.token, serial.report?.token);
  assert.is(merged.shrinks, serial.shrinks);
});

test('merge refuses what is not one run\'s shards', async () => {
  const files = await shardFiles(['--runs', '40'], 2);
  const missing = await cli('merge', files[0]!);
  assert.is(missing.code, 2);
  assert.match(missing.err.join('\n'), /expected shards 1\.\.2 of one run once each/);
  const twice = await cli('merge', files[0]!, files[0]!);
  assert.is(twice.code, 2);
  const notJson = join(dir, 'bad.json');
  writeFileSync(notJson, 'nope');
  assert.match((await cli('merge', notJson)).err.join('\n'), /is not JSON/);
  assert.match((await cli('merge', join(dir, 'absent.json'))).err.join('\n'), /cannot read/);
  assert.match((await cli('merge')).err.join('\n'), /needs the JSON results/);
  writeFileSync(notJson, '{"ok":true}');
  assert.match((await cli('merge', notJson)).err.join('\n'), /not the output of check --shard/);
  // a shard's file edited or cut short: refused with the file and the field, never merged into a verdict
  const good = JSON.parse(readFileSync(files[1]!, 'utf8')) as Record<string, any>;
  const edits: [string, (j: Record<string, any>) => void, RegExp][] = [
    ['index past the count', (j) => (j['shard'].index = 3), /"shard" is not \{index, count, first, end\}/],
    ['a negative end', (j) => (j['shard'].end = -1), /"shard" is not/],
    ['runs as text', (j) => (j['runs'] = '20'), /"runs" is not a whole number/],
    ['no seed', (j) => delete j['seed'], /"seed" is not a whole number/],
    ['edges not a list', (j) => (j['coveredEdges'] = 'all'), /"coveredEdges" is not a list/],
    ['a failure outside the shard', (j) => (j['firstFailure'] = 0), /"firstFailure" is neither null nor a case number of the shard \(20 to 39\)/],
    ['a failure without its report', (j) => (j['firstFailure'] = 25), /"report" does not go with "firstFailure"/],
    ['a list, not an object', () => undefined, /not a JSON object/],
  ];
  for (const [what, edit, says] of edits) {
    const j = structuredClone(good);
    edit(j);
    writeFileSync(notJson, what === 'a list, not an object' ? '[1]' : JSON.stringify(j));
    const r = await cli('merge', files[0]!, notJson);
    assert.is(r.code, 2, what);
    assert.ok(r.err[0]!.startsWith(`slabcheck: '${notJson}': not the output of check --shard K/N --json: `), `${what}: ${r.err[0]}`);
    assert.match(r.err[0]!, says, what);
  }
});

test('--shard and --jobs are checked', async () => {
  for (const bad of ['0/3', '4/3', '1', 'a/b', '1/0']) {
    const r = await cli('check', '--runs', '5', '--shard', bad);
    assert.is(r.code, 2, bad);
    assert.match(r.err.join('\n'), /--shard must be K\/N/);
  }
  assert.is((await cli('check', '--runs', '5', '--jobs', '0')).code, 2);
  assert.throws(() => check({ runs: 5, jobs: 0 }), /jobs must be a whole number/);
  assert.throws(() => check({ runs: 5, shard: { index: 3, count: 2 } }), /shard.index/);
});

test('blocks: short first, then growing; shards tile the run', () => {
  const starts = blockStarts(0, 1000);
  assert.equal(starts.slice(0, 9), [0, 16, 32, 48, 64, 80, 96, 112, 128]);
  assert.ok(starts.length < 40);
  for (let i = 1; i < starts.length; i++) assert.ok(starts[i]! > starts[i - 1]!);
  // a long run: blocks of at most a 40th of it, so the jumps to each block's first case stay few
  for (const [runs, cap] of [[30_000, 750], [1_000_000, 25_000]] as const) {
    const long = blockStarts(0, runs);
    assert.is(Math.max(...long.slice(1).map((s, i) => s - long[i]!)), cap, `a run of ${runs} is cut in blocks of at most ${cap} cases`);
    const jumps = long.reduce((n, s) => n + s, 0);
    assert.ok(jumps < 25 * runs, `${jumps} jumps to the blocks' first cases for ${runs} cases`);
  }
  const parts = [1, 2, 3, 4].map((index) => shardRange(10, { index, count: 4 }));
  assert.equal(parts, [{ first: 0, end: 2 }, { first: 2, end: 5 }, { first: 5, end: 7 }, { first: 7, end: 10 }]);
});

test('search workers are kept between checks, up to the cores: a failing check leaves them ready, and every result is one thread\'s', () => {
  const key = (o: Parameters<typeof check>[0]): string => {
    const r = check(o);
    return JSON.stringify([r.ok, r.runs, r.firstFailure, r.hits, r.report?.token ?? null]);
  };
  // the failure comes early, while the worker is inside a later block: it must leave it for the next check
  const failing = { runs: 2000, seed: 1, variants: ['remote-push-racy'] };
  const clean = { runs: 400, seed: 5 };
  const serial = [key({ ...failing, jobs: 1 }), key({ ...clean, jobs: 1 })];
  const kept = Math.max(0, availableParallelism() - 1); // the cores, this thread one of them
  for (let round = 0; round < 2; round++) {
    assert.equal([key({ ...failing, jobs: 2 }), key({ ...clean, jobs: 2 })], serial, `round ${round}`);
    assert.is(searchWorkersKept(), Math.min(1, kept), 'one worker, started once');
  }
  // more jobs than cores: the result stands, the workers beyond the cores are let go
  assert.is(key({ ...clean, jobs: availableParallelism() + 2 }), serial[1]);
  assert.is(searchWorkersKept(), kept, 'as many workers kept as there are other cores');
});

// --jobs's default (cli/usage.ts jobsOption): the cores, or SLABCHECK_JOBS when set (scripts/test.mjs
// sets 1 for the files it runs); seen in a fresh process by the search workers a check leaves.
test('--jobs defaults to the cores, or to SLABCHECK_JOBS; a bad SLABCHECK_JOBS is exit 2 naming it', async () => {
  const search = new URL('../properties/search.js', import.meta.url).href;
  const main = new URL('../cli/main.js', import.meta.url).href;
  const code = `import { main } from ${JSON.stringify(main)}; import { searchWorkersKept } from ${JSON.stringify(search)};
    const code = await main(['check', '--runs', '60', '--min-coverage', '0'], () => {}, () => {}); console.log(code, searchWorkersKept());`;
  const workersLeft = (jobs: string | undefined): string => {
    const env = { ...process.env };
    if (jobs === undefined) delete env['SLABCHECK_JOBS'];
    else env['SLABCHECK_JOBS'] = jobs;
    const p = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', env, timeout: 60_000 });
    assert.is(p.stderr, '');
    return p.stdout.trim();
  };
  const cores = availableParallelism();
  assert.is(workersLeft(undefined), `0 ${cores - 1}`, 'one job per core: the others in workers');
  assert.is(workersLeft('1'), '0 0', 'one job: no worker');
  assert.is(workersLeft(String(cores + 1)), `0 ${cores - 1}`, 'more jobs than cores: the workers beyond them let go');

  const kept = process.env['SLABCHECK_JOBS'];
  try {
    for (const bad of ['0', 'two', '1.5', '-1', '300', '']) {
      process.env['SLABCHECK_JOBS'] = bad;
      for (const argv of [['check', '--runs', '5'], ['prove', '--ops', '1'], ['zoo', '--variant', 'no-idle-trim']]) {
        const r = await cli(...argv);
        assert.is(r.code, 2, `${argv[0]} with SLABCHECK_JOBS=${bad}`);
        assert.match(r.err[0]!, /^slabcheck: SLABCHECK_JOBS \(the default of --jobs\) must be a whole number from 1 to \d+, got /);
      }
      assert.is((await cli('check', '--runs', '5', '--min-coverage', '0', '--jobs', '1')).code, 0, '--jobs given: SLABCHECK_JOBS is not read');
    }
  } finally {
    if (kept === undefined) delete process.env['SLABCHECK_JOBS'];
    else process.env['SLABCHECK_JOBS'] = kept;
  }
});

test.run();
