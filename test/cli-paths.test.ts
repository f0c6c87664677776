// The command's less travelled paths, each with what it must print: zoo when a bug is
// not found (nulls, '-' columns, exit 1), coverage with a violation, the progress line on
// a terminal (ended before anything else is printed) and Ctrl-C there, ENOMEM and per-thread lines of a
// run, scenario without a name, an internal error that is not an Error, a report
// directory that became a file, view's default output file.
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { main } from '../cli/main.js';
import { writeReport } from '../cli/report-files.js';
import { UsageError } from '../cli/usage.js';
import { dispatchOrder, type ZooTask } from '../cli/zoo-tasks.js';
import { variantByName } from '../impl/variants.js';
import { check } from '../properties/check.js';
import { cli } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'slabcheck-paths-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('zoo: a bug not found in the runs given is 0/1 with nulls and dashes, and exit 1', async () => {
  const argv = ['zoo', '--variant', 'remote-push-racy', '--seeds', '1', '--runs', '1'];
  const j = await cli(...argv, '--atomic-runs', '0', '--json');
  assert.is(j.code, 1);
  const row = (JSON.parse(j.out[0]!) as { variants: Record<string, unknown>[] }).variants[0]!;
  assert.equal([row['detected'], row['invariant'], row['ms'], row['steps'], row['token'], row['atomic']], ['0/1', null, null, null, null, null]);
  assert.equal(j.err, ['zoo: remote-push-racy seed 1: not found in 1 runs']);
  const text = await cli(...argv, '--atomic-runs', '3');
  assert.is(text.code, 1);
  assert.match(text.out[1]!, /^remote-push-racy\s+0\/1\s+-\s+-\s+-\s+-\s+passes\(3\)\s+-$/);
  const racy = await cli('zoo', '--variant', 'remote-push-racy', '--seeds', '1', '--runs', '1', '--atomic-runs', '0');
  assert.match(racy.out[1]!, /\s-\s+-$/, 'no atomic run: a dash');
  assert.is((await cli('zoo', '--scheduler', 'dfs')).code, 2);
});

test('zoo: a variant caught by a rule that is not one of its rules fails, and says which', async () => {
  const v = variantByName('registry-unpopulated')! as { rules: readonly string[] };
  const rules = v.rules;
  v.rules = ['INV-LRU']; // this process runs the checks itself with --jobs 1
  try {
    const j = await cli('zoo', '--variant', 'registry-unpopulated', '--seeds', '1', '--atomic-runs', '1', '--jobs', '1', '--json');
    assert.is(j.code, 1);
    const out = JSON.parse(j.out[0]!) as { ok: boolean; variants: Record<string, unknown>[] };
    assert.is(out.ok, false);
    assert.is(out.variants[0]!['detected'], '1/1', 'found, by the wrong rule');
    assert.equal(out.variants[0]!['unexpected'], [{ seed: 1, invariant: 'INV-REGISTRY' }, { seed: 'atomic', invariant: 'INV-REGISTRY' }]);
    assert.equal(j.err, [
      'zoo: registry-unpopulated seed 1: caught by INV-REGISTRY, not one of its rules INV-LRU',
      'zoo: registry-unpopulated with atomic operations: caught by INV-REGISTRY, not one of its rules INV-LRU',
    ]);
  } finally {
    v.rules = rules;
  }
  const fine = await cli('zoo', '--variant', 'registry-unpopulated', '--seeds', '1', '--atomic-runs', '1', '--jobs', '1', '--json');
  assert.is(fine.code, 0);
  assert.equal((JSON.parse(fine.out[0]!) as { variants: Record<string, unknown>[] }).variants[0]!['unexpected'], []);
});

// impl/variants.ts foundBy: zoo judges such a variant by prove at its bound (must find it)
// and at the bound without preemptions (must not); the catalogue entry is changed in this
// process, which runs the searches itself with --jobs 1.
test('zoo: a variant random checking is not expected to find is judged by prove at its bound, and without preemptions', async () => {
  const v = variantByName('pin-check-torn')! as { foundBy?: { prove: { threads: number; ops: number; preemptions: number } } };
  const bound = v.foundBy!.prove;
  const j = await cli('zoo', '--variant', 'pin-check-torn', '--jobs', '1', '--json');
  assert.is(j.code, 0, j.err.join('\n'));
  const row = (JSON.parse(j.out[0]!) as { variants: Record<string, unknown>[] }).variants[0]!;
  const text = `${bound.threads}x${bound.ops}x${bound.preemptions}`;
  assert.equal([row['detected'], row['allDetected'], row['prove'], row['invariant'], row['seeds']], ['prove 1/1', true, text, 'INV-LIFECYCLE', []]);
  assert.equal((row['atomic'] as Record<string, unknown>)['detected'], false, 'no violation without a preemption');
  const replayed = await cli('replay', row['token'] as string);
  assert.is(replayed.code, 1);
  assert.ok(replayed.out.some((l) => l.startsWith('VIOLATION INV-LIFECYCLE')), replayed.out.join('\n'));
  assert.match(j.err[0]!, new RegExp(`^zoo: pin-check-torn prove ${text}: INV-LIFECYCLE in \\d+ executions$`));
  assert.match(j.err[1]!, new RegExp(`^zoo: pin-check-torn prove ${bound.threads}x${bound.ops}x0: no violation in \\d+ executions$`));
  const human = await cli('zoo', '--variant', 'pin-check-torn', '--jobs', '1');
  assert.match(human.out[1]!, /^pin-check-torn\s+prove 1\/1\s+INV-LIFECYCLE\s+\d+\s+\d+\s+\d+\s+passes\(\d+\)\s+sc1\./);
  assert.match(human.out[2]!, new RegExp(`judged by prove within ${text}`));

  const kept = v.foundBy;
  try {
    v.foundBy = { prove: { threads: 1, ops: 1, preemptions: 0 } }; // too small a bound: not found
    const small = await cli('zoo', '--variant', 'pin-check-torn', '--jobs', '1', '--json');
    assert.is(small.code, 1);
    const r = (JSON.parse(small.out[0]!) as { ok: boolean; variants: Record<string, unknown>[] });
    assert.equal([r.ok, r.variants[0]!['detected'], r.variants[0]!['token']], [false, 'prove 0/1', null]);
  } finally {
    v.foundBy = kept;
  }
  const plain = variantByName('tls-free-skips-used')! as typeof v;
  try {
    plain.foundBy = { prove: { threads: 1, ops: 1, preemptions: 1 } }; // a bug needing no interleaving: the atomic search finds it
    const atomic = await cli('zoo', '--variant', 'tls-free-skips-used', '--jobs', '1', '--json');
    assert.is(atomic.code, 1);
    const r = (JSON.parse(atomic.out[0]!) as { ok: boolean; variants: Record<string, unknown>[] });
    assert.equal([r.ok, r.variants[0]!['detected'], (r.variants[0]!['atomic'] as Record<string, unknown>)['detected']], [false, 'prove 1/1', true]);
    assert.match(atomic.err[1]!, /prove 1x1x0: INV-CONSERVATION in \d+ executions: found without a preemption/);
  } finally {
    delete plain.foundBy;
  }
});

test('coverage: the transition list marks exercised edges, and a violation makes it exit 1', async () => {
  const r = await cli('coverage', '--runs', '300', '--variant', 'tls-free-skips-used');
  assert.is(r.code, 1);
  assert.match(r.out[0]!, /^lifecycle transitions exercised in \d+ runs: \d+\/\d+/);
  assert.ok(r.out.slice(1).every((l) => /^ {2}[x ] \w+:/.test(l)), r.out.join('\n'));
});

/** Runs `main(argv)` as on a terminal (stderr a TTY, this process's console.error), capturing stderr writes. */
async function onTerminal(argv: string[], during?: (writes: string[]) => Promise<void>): Promise<{ code: number; writes: string[]; out: string[] }> {
  const writes: string[] = [];
  const tty = process.stderr.isTTY;
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.isTTY = true;
  process.stderr.write = ((chunk: string) => writes.push(String(chunk)) > 0) as typeof process.stderr.write;
  const out: string[] = [];
  try {
    const running = main(argv, (l) => out.push(`${writes.length}:${l}`), console.error);
    await during?.(writes);
    return { code: await running, writes, out };
  } finally {
    process.stderr.isTTY = tty;
    process.stderr.write = write;
  }
}

test('progress on a terminal: redrawn in place, and ended with a newline before the report is printed', async () => {
  const { code, writes, out } = await onTerminal(['check', '--runs', '200', '--variant', 'tls-free-skips-used', '--report', dir]);
  assert.is(code, 1);
  const progress = writes.filter((w) => w.startsWith('\rchecking: '));
  assert.ok(progress.length > 0, 'progress was drawn');
  const lastProgress = writes.lastIndexOf(progress[progress.length - 1]!);
  assert.is(writes[lastProgress + 1], '\n', 'the progress line is ended');
  const firstOut = Number(out[0]!.split(':')[0]);
  assert.ok(firstOut > lastProgress + 1, 'the report comes after the ended line');
  assert.ok(out.some((l) => l.includes('VIOLATION')));
});

test('prove on a terminal: a progress line with the share of the bound done, ended before stdout', async () => {
  const { code, writes, out } = await onTerminal(['prove', '--threads', '2', '--ops', '2', '--preemptions', '1', '--jobs', '1']);
  assert.is(code, 0);
  const progress = writes.filter((w) => w.startsWith('\rproving: '));
  assert.ok(progress.length > 0, 'progress was drawn');
  assert.match(progress.at(-1)!, /^\rproving: 100\.0% of the bound \(preemptions 1, program on a configuration 76\/76\), \d+ executions, \d+\/s {2}$/);
  const last = writes.lastIndexOf(progress.at(-1)!);
  assert.is(writes[last + 1], '\n', 'the progress line is ended');
  assert.ok(Number(out[0]!.split(':')[0]) > last + 1, 'stdout comes after the ended line');
});

test('Ctrl-C on a terminal: the run stops, the line is ended, a partial summary says runs done, seed and how to go on; exit 130', async () => {
  const { code, writes } = await onTerminal(['check', '--runs', '1000000', '--seed', '7'], async (w) => {
    while (!w.some((x) => /^\rchecking: [1-9]\d*\/1000000 runs$/.test(x))) await new Promise((r) => setTimeout(r, 20));
    process.emit('SIGINT');
  });
  assert.is(code, 130);
  const text = writes.join('');
  const m = /\rchecking: (\d+)\/1000000 runs\ninterrupted after (\d+) of 1000000 runs \(seed 7\): no violation so far\n/.exec(text);
  assert.ok(m !== null, JSON.stringify(text.slice(-400)));
  assert.ok(Number(m![2]) >= Number(m![1]) && Number(m![2]) < 1_000_000);
  assert.match(text, 'run again with --seed 7 --runs 1000000');
  assert.is(process.listenerCount('SIGINT'), 0, 'the handler is gone after the run');
});

test('a second Ctrl-C ends the worker at once; the summary still says how many runs were done', async () => {
  const { code, writes } = await onTerminal(['coverage', '--runs', '1000000'], async (w) => {
    while (!w.some((x) => /^\rchecking: [1-9]\d*\/1000000 runs$/.test(x))) await new Promise((r) => setTimeout(r, 20));
    process.emit('SIGINT');
    process.emit('SIGINT');
  });
  assert.is(code, 130);
  assert.match(writes.join(''), /\ninterrupted after \d+ of 1000000 runs \(seed 42\): no violation so far\n/);
});

test('run: ENOMEM and per-thread lines in the human report', async () => {
  const r = await cli('run', 'larson', '--threads', '2', '--exec', 'interleaved', '--lifetimes', '3', '--chunks', '64', '--set', 'vm.max_map_count=4', '--variant', 'tls-superslabs', '--no-timing');
  assert.ok(r.out.some((l) => /^ {2}ended: enomem \(ENOMEM on thread \d, tid \d+\)$/.test(l)), r.out.join('\n'));
  assert.ok(r.out.some((l) => l.startsWith('  per thread: T0 ')), r.out.join('\n'));
});

test('scenario without a name, or an unknown one, is a usage error', async () => {
  assert.is((await cli('scenario')).code, 2);
  const r = await cli('scenario', 'seed-999');
  assert.is(r.code, 2);
  assert.match(r.err[0]!, "unknown scenario 'seed-999'");
});

test('an internal error that is not an Error is still one line, exit 1', async () => {
  const err: string[] = [];
  const code = await main(['variants'], () => { throw 'a string'; }, (l) => err.push(l)); // eslint-disable-line no-throw-literal
  assert.is(code, 1);
  assert.equal(err, ['slabcheck: internal error (a bug in slabcheck; please report it with the command line): a string']);
});

test('a report directory that turned into a file by the time of writing is a usage error naming it', () => {
  const file = join(dir, 'was-a-dir');
  writeFileSync(file, '');
  const r = check({ runs: 200, variants: ['tls-free-skips-used'] }).report!;
  assert.throws(() => writeReport(file, r), (e: unknown) => e instanceof UsageError && e.message.includes('is not a directory'));
  assert.throws(() => writeReport(join(file, 'x'), r), (e: unknown) => e instanceof UsageError && e.message.includes('ENOTDIR'));
});

test('view without --out writes reports/<invariant or PASS>-<hash>.html under the working directory', async () => {
  const cwd = process.cwd();
  const token = check({ runs: 200, variants: ['tls-free-skips-used'] }).report!.token;
  process.chdir(dir);
  try {
    const r = await cli('view', token);
    assert.is(r.code, 0);
    const files = readdirSync(join(dir, 'reports'));
    assert.ok(files.some((f) => /^[A-Z-]+-[0-9a-f]{8}\.html$/.test(f)), files.join(' '));
    assert.ok(existsSync(join(dir, r.out[0]!.split(':')[0]!)));
  } finally {
    process.chdir(cwd);
  }
});

test('zoo hands out first the searches expected to take longest: prove, then the checks with atomic operations', () => {
  const check = (variant: string, seed: number, atomicOps = false): ZooTask => ({ kind: 'check', variant, seed, runs: atomicOps ? 5000 : 50_000, scheduler: 'preempt', atomicOps });
  const bound = variantByName('pin-check-torn')!.foundBy!.prove;
  const proving = (atomicOps: boolean): ZooTask => ({ kind: 'prove', variant: 'pin-check-torn', bound: atomicOps ? { ...bound, preemptions: 0 } : bound, atomicOps });
  const tasks = [check('tls-free-skips-used', 1), check('tls-free-skips-used', 2), check('tls-free-skips-used', 1, true), proving(false), proving(true), check('no-idle-trim', 1)];
  assert.equal(dispatchOrder(tasks), [3, 4, 2, 0, 1, 5]);
});

test.run();
