// `slabcheck prove` (properties/prove/): the programs of a bound, the exploration with and
// without partial-order reduction (the same final states and verdicts: the reduction
// loses nothing), counterexamples minimal by construction that replay from their token,
// and the command (exit codes, the bound stated, deterministic JSON, bad input).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execute } from '../properties/execute.js';
import { MISUSE_KINDS, type Op, type Program } from '../properties/program.js';
import { explore } from '../properties/prove/explore.js';
import { caseBound } from '../properties/prove/guided.js';
import { DEFAULT_ALPHABET, programsEstimate, programsOf, type Bound } from '../properties/prove/programs.js';
import { prove } from '../properties/prove/prove.js';
import { serialSearch } from '../properties/prove/serial.js';
import { TINY_GEOMETRY, TINY_POLICY_BASE } from '../properties/scope.js';
import { decodeToken, encodeToken } from '../properties/token.js';
import { cli } from './helpers.js';

const TINY = { ...TINY_GEOMETRY, ...TINY_POLICY_BASE };
const bound = (threads: number, ops: number, alphabet: Bound['alphabet'] = DEFAULT_ALPHABET): Bound => ({ threads, ops, alphabet, sizes: [1500], ticks: [4] });
const TMP = mkdtempSync(join(tmpdir(), 'slabcheck-prove-'));
test.after(() => rmSync(TMP, { recursive: true, force: true }));

// ---------------------------------------------------------------- programs

/** The program with its threads renamed by `perm` (a free's `from` renamed too). */
function renamed(p: Program, perm: number[]): string {
  const threads: Op[][] = new Array(p.threads.length);
  p.threads.forEach((ops, i) => {
    threads[perm[i]!] = ops.map((o) => (o.op === 'free' || o.op === 'misuse' ? { ...o, from: perm[o.from]! } : o));
  });
  return JSON.stringify(threads);
}
const PERMS: Record<number, number[][]> = { 1: [[0]], 2: [[0, 1], [1, 0]], 3: [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]] };
/** One name per program up to thread renaming: its least renaming. */
const up = (p: Program): string => PERMS[p.threads.length]!.map((perm) => renamed(p, perm)).sort()[0]!;

test('programs: smallest first, one per thread renaming, and every useful program of the bound up to renaming', () => {
  for (const b of [bound(2, 2), bound(3, 1), { ...bound(2, 2, ['alloc', 'free', 'exit', 'tick']), ticks: [4, 12] }, bound(2, 1, ['alloc', 'remote', 'misuse', 'trim'])]) {
    const programs = programsOf(b);
    const size = (p: Program): number => p.threads.flat().length;
    for (let i = 1; i < programs.length; i++) assert.ok(size(programs[i - 1]!) <= size(programs[i]!), 'smallest first');
    const names = programs.map(up);
    assert.is(new Set(names).size, names.length, 'no program twice under a renaming of threads');
    // brute force: every thread count, every op list over the letters (a free: of any block its owner may hold); kept unless
    // a free certainly frees nothing (its owner allocates too few blocks, before it when the owner is the freeing thread) or an op follows an exit
    const letters = (i: number, t: number): Op[] => b.alphabet.flatMap((l): Op[] => {
      const frees = (from: number): Op[] => [...Array(b.ops).keys()].map((pick): Op => ({ op: 'free', from, pick }));
      if (l === 'alloc') return [{ op: 'alloc', size: 1500 }];
      if (l === 'free') return frees(i);
      if (l === 'remote') return [...Array(t).keys()].filter((j) => j !== i).flatMap(frees);
      if (l === 'tick') return b.ticks.map((ms): Op => ({ op: 'tick', ms }));
      if (l === 'misuse') return MISUSE_KINDS.map((kind): Op => ({ op: 'misuse', kind, from: i, pick: 0, offset: 1 }));
      return [{ op: l }];
    });
    const expected = new Set<string>();
    for (let t = 1; t <= b.threads; t++) {
      let all: Op[][][] = [[]];
      for (let i = 0; i < t; i++) {
        let lists: Op[][] = [[]];
        const out: Op[][] = [];
        for (let k = 0; k < b.ops; k++) {
          lists = lists.flatMap((ops) => letters(i, t).map((o) => [...ops, o]));
          out.push(...lists);
        }
        all = all.flatMap((threads) => out.map((ops) => [...threads, ops]));
      }
      for (const threads of all) {
        const afterExit = threads.some((ops) => ops.slice(0, -1).some((o) => o.op === 'exit'));
        const allocs = (ops: Op[]): number => ops.filter((x) => x.op === 'alloc').length;
        const idle = threads.some((ops, i) => ops.some((o, k) => o.op === 'free' && o.pick >= allocs(o.from === i ? ops.slice(0, k) : threads[o.from]!)));
        if (!afterExit && !idle) expected.add(up({ threads }));
      }
    }
    assert.equal([...expected].sort(), [...names].sort(), `the programs of ${b.threads}x${b.ops} over ${b.alphabet.join(',')}`);
  }
});

// ---------------------------------------------------------------- the reduction loses nothing

// A sample of programs: with DPOR and sleep sets, the state cache, or both, the same final
// states and the same verdict as every interleaving within the bound (the conservative
// points of bounded POR are what keep DPOR so: without them 2x2 at 1 preemption reaches
// 222 of 319 final states; the cache's summaries keep DPOR's races below a cached state).
test('DPOR and the state cache reach the same final states and verdicts as every interleaving, bounded and unbounded', () => {
  const programs = programsOf(bound(2, 2));
  const sample = programs.filter((_, i) => i % 9 === 4);
  assert.ok(sample.length >= 7);
  const modes = [{ dpor: true, cache: false }, { dpor: false, cache: true }, { dpor: true, cache: true }];
  const executions = [0, 0, 0];
  let full = 0;
  let hits = 0;
  for (const program of sample) {
    for (const preemptions of program.threads.flat().length <= 3 ? [1, 2] : [1]) {
      const c = { config: TINY, program, schedule: { kind: 'choices' as const, picks: [] } };
      const every = explore(c, { preemptions, dpor: false, cache: false });
      full += every.executions;
      modes.forEach((mode, m) => {
        const a = explore(c, { preemptions, ...mode });
        assert.equal([...a.finalStates].sort(), [...every.finalStates].sort(), `${JSON.stringify(mode)}: ${JSON.stringify(program)} at ${preemptions} preemptions`);
        assert.is(a.found === null, every.found === null);
        executions[m]! += a.executions;
        hits += a.cacheHits;
      });
    }
  }
  for (const [m, n] of executions.entries()) assert.ok(n < full, `${JSON.stringify(modes[m])} ran ${n} executions, every interleaving ${full}`);
  assert.ok(hits > 0);
  // three threads (vector clocks of three, a race reversed past a third thread's steps)
  for (const program of programsOf(bound(3, 1)).filter((p) => p.threads.length === 3).filter((_, i) => i % 3 === 1)) {
    const c = { config: TINY, program, schedule: { kind: 'choices' as const, picks: [] } };
    const every = explore(c, { preemptions: 1, dpor: false, cache: false });
    const both = explore(c, { preemptions: 1, dpor: true, cache: true });
    assert.equal([...both.finalStates].sort(), [...every.finalStates].sort(), JSON.stringify(program));
    assert.ok(both.executions < every.executions);
  }
  // unbounded on a program small enough to enumerate: T0 alloc; T1 drain
  const small = { config: TINY, program: { threads: [[{ op: 'alloc', size: 1500 } as Op], [{ op: 'drain' } as Op]] }, schedule: { kind: 'choices' as const, picks: [] } };
  const a = explore(small, { preemptions: Infinity, dpor: true, cache: true });
  const b = explore(small, { preemptions: Infinity, dpor: false, cache: false });
  assert.equal([...a.finalStates].sort(), [...b.finalStates].sort());
  assert.ok(a.executions < b.executions, `unbounded: ${a.executions} with DPOR, ${b.executions} without`);
});

// ---------------------------------------------------------------- level 0: the serial search

// One thread: the serial search's sequences are the programs themselves, so it must reach
// exactly the end states of every program of the bound run one by one (nothing lost to
// its state cache, or to the checks it skips on a prefix that was judged).
test('serial search: one thread, exactly the end states of every program of the bound', () => {
  for (const b of [bound(1, 4), { ...bound(1, 3, ['alloc', 'free', 'drain', 'tick', 'trim', 'exit', 'misuse']), sizes: [1500, 300], ticks: [4, 12] }]) {
    const serial = serialSearch([TINY], b);
    assert.ok(serial.complete && serial.found === null);
    const programs = new Set<string>();
    for (const program of programsOf(b)) for (const s of explore({ config: TINY, program, schedule: { kind: 'choices', picks: [] } }, { preemptions: 0, dpor: false, cache: false }).finalStates) programs.add(`0:${s}`);
    assert.equal([...serial.finalStates].sort(), [...programs].sort(), `${b.ops} ops over ${b.alphabet.join(',')}`);
    assert.ok(serial.cacheHits > 0 && serial.executions < programsOf(b).length, `${serial.executions} sequences run for ${programsOf(b).length} programs`);
  }
});

// A state reached with no more operations on any thread dominates: a drain with nothing
// to drain ends where the sequence stood, so drain;drain is run and not grown, and with
// two threads neither thread's second drain is.
test('serial search: a sequence that ends where a shorter one did is not grown', () => {
  const one = serialSearch([TINY], bound(1, 3, ['drain']));
  assert.equal([one.executions, one.cacheHits, one.states], [2, 1, 1]);
  const two = serialSearch([TINY], bound(2, 2, ['drain']));
  assert.equal([two.executions, two.cacheHits, two.states], [5, 3, 2]);
});

// Threads: against level 0 program by program, the same verdict and a counterexample of
// as many operations, and no more steps (the serial search takes the fewest over all the
// sequences of that many operations).
test('serial search: threads, the same verdicts and counterexample sizes as level 0 program by program', async () => {
  const cases: [string[], Bound][] = [
    [[], bound(2, 2)], [['remote-free-skips-active'], bound(2, 2)], [['tls-free-skips-used'], bound(2, 2)],
    [['no-idle-trim'], bound(2, 2, ['alloc', 'remote', 'tick'])], [['drain-skips-empty'], bound(2, 2, ['alloc', 'free', 'remote', 'drain', 'exit'])],
    [['lru-ttl-late'], { ...bound(1, 4, ['alloc', 'free', 'drain', 'tick']), ticks: [4, 8] }],
  ];
  let found = 0;
  for (const [variants, b] of cases) {
    const configs = [{ ...TINY, variants }];
    const serial = await prove({ bound: b, preemptions: 0, configs, dpor: true, cache: true });
    const one = await prove({ bound: b, preemptions: 0, configs, dpor: true, cache: true, serial: false });
    const what = `${variants.join(',') || 'the allocator as designed'}, ${b.threads}x${b.ops}`;
    assert.is(serial.ok, one.ok, what);
    assert.is(serial.programs, null);
    if (serial.found === null) continue;
    found++;
    const ops = (r: typeof serial): number => decodeToken(r.found!.report.token).program.threads.flat().length;
    assert.is(ops(serial), ops(one), what);
    assert.ok(serial.found.report.size.steps <= one.found!.report.size.steps, what);
    assert.is(serial.found.program, null);
    assert.is(execute(decodeToken(serial.found.report.token)).violation?.id, serial.found.report.invariant.id, `${what}: the token replays`);
  }
  assert.ok(found >= 4, `${found} of the variants found`);
  // a bound large enough that two jobs share one serial search's sequences: the same result
  for (const variants of [[], ['whole-superslab-only']]) {
    const o = { bound: bound(2, 3), preemptions: 0, configs: [{ ...TINY, variants }], dpor: true, cache: true };
    assert.ok(programsEstimate(o.bound) >= 10_000);
    assert.equal(JSON.parse(JSON.stringify(await prove({ ...o, jobs: 2 }))), JSON.parse(JSON.stringify(await prove(o))), `two jobs, ${variants.join() || 'as designed'}`);
  }
});

// ---------------------------------------------------------------- counterexamples

test('a violation: the fewest preemptions, its report replays from the token, and no smaller bound has one', async () => {
  const config = { ...TINY, variants: ['remote-free-skips-active'] };
  const r = await prove({ bound: bound(2, 2), preemptions: 1, configs: [config], dpor: true, cache: true });
  const parallel = await prove({ bound: bound(2, 2), preemptions: 1, configs: [config], dpor: true, cache: true, jobs: 2 });
  assert.equal(JSON.parse(JSON.stringify(parallel)), JSON.parse(JSON.stringify(r)), 'two jobs: the same result');
  assert.not.ok(r.ok);
  const found = r.found!;
  assert.is(found.report.invariant.id, 'INV-ACTIVE-SUM');
  assert.is(found.preemptions, 0, 'a remote free alone shows it: no preemption needed');
  assert.is(r.levels.length, 1, 'found at level 0: level 1 never ran');
  const c = decodeToken(found.report.token);
  assert.is(c.schedule.kind, 'choices');
  assert.is(execute(c).violation?.id, 'INV-ACTIVE-SUM', 'the token replays');
  // the fewest operations: no program of the bound with fewer fails at any interleaving of level 0
  const ops = c.program.threads.flat().length;
  const before = programsOf(bound(2, 2)).filter((p) => p.threads.flat().length < ops);
  assert.ok(before.length > 0);
  for (const program of before) assert.is(explore({ config, program, schedule: { kind: 'choices', picks: [] } }, { preemptions: 0, dpor: false, cache: false }).found, null);
});

// A torn read (variant pin-check-torn, impl/superslab/table.ts): pin checks the SuperSlab's
// state in one read and pins on a second read; a hold between the two is pinned over. The
// bad outcome needs another thread's write between two reads of one thread, which no
// schedule preempting only before writes (check's, before reads were preemption points)
// produces; random checking misses it too (README: check --runs 20000).
test('a torn read: prove finds pin-check-torn; no preemption before a write reaches it, one before a read does', async () => {
  const config = { ...TINY, variants: ['pin-check-torn'] };
  const r = await prove({ bound: bound(2, 2), preemptions: 1, configs: [config], dpor: true, cache: true });
  assert.is(r.found?.report.invariant.id, 'INV-LIFECYCLE');
  assert.is(r.found!.preemptions, 1);
  const { program } = decodeToken(r.found!.report.token);
  let writes = 0;
  let reads = 0;
  for (const quanta of [[], [2, 1], [1, 2], [2, 2]]) {
    for (let t = 0; t < 2; t++) {
      for (let op = 0; op < 2; op++) {
        for (let k = 1; k <= 64; k++) {
          if (execute({ config, program, schedule: { kind: 'preempt', quanta, points: [[t, op, k]] } }).violation !== null) writes++;
          if (execute({ config, program, schedule: { kind: 'preempt', quanta, points: [], reads: [[t, op, k]] } }).violation !== null) reads++;
        }
      }
    }
  }
  assert.is(writes, 0, 'no single preemption before a write shows it');
  assert.ok(reads > 0, 'a preemption before a read does');
});

// ---------------------------------------------------------------- the command

test('prove: exit 0 within the bound, the bound and the counts stated, the same stdout every time', async () => {
  const argv = ['prove', '--threads', '2', '--ops', '1', '--preemptions', '1'];
  const a = await cli(...argv);
  assert.is(a.code, 0, a.err.join('\n'));
  assert.is(a.out[0], 'ok: no violation within the bound');
  assert.is(a.out[1], 'bound: 2 thread(s) x up to 1 op(s), letters alloc,free,remote,drain, alloc sizes 1500, ticks 1,4,8,12 ms, preemptions 1, configuration tiny scope, base policy');
  assert.is(a.out[2], 'search: level 0: one serial search over every program (whole operations, each state grown once); level 1: program by program, DPOR with sleep sets, state cache between operations');
  assert.match(a.out[3]!, /^programs 6, executions \d+, pruned: \d+ asleep, \d+ at a state explored before, \d+ choices over the bound; distinct final states \d+$/);
  assert.match(a.err.at(-1)!, /^time: \d+\.\d s$/);
  const b = await cli(...argv);
  assert.equal(b.out, a.out);
  const j = await cli(...argv, '--json', '--compare');
  assert.is(j.code, 0);
  const r = JSON.parse(j.out[0]!) as Record<string, any>;
  assert.equal(r['bound'].preemptions, 1);
  assert.is(r['programs'], 6);
  assert.is(r['levels'].length, 2);
  assert.ok(r['compare'].sameFinalStates, 'with and without DPOR: the same final states');
  assert.ok(r['compare'].withoutDpor.executions >= r['compare'].withDpor.executions);
});

// The bound CI proves on every run (README): 2 threads x up to 2 ops over the basic letters, 1 preemption.
test('prove --threads 2 --ops 2 --preemptions 1: the default allocator has no violation within it', async () => {
  const r = await cli('prove', '--threads', '2', '--ops', '2', '--preemptions', '1', '--json');
  assert.is(r.code, 0, r.out.join('\n'));
  const j = JSON.parse(r.out[0]!) as Record<string, any>;
  assert.ok(j['ok']);
  assert.is(j['programs'], 76);
  assert.ok(j['executions'] > 1000 && j['cacheHits'] > 0, JSON.stringify(j));
  assert.equal(j['levels'].map((l: { preemptions: number }) => l.preemptions), [0, 1]);
});

test('prove: a violation is exit 1 with the report written and a token replay runs', async () => {
  const dir = join(TMP, 'reports');
  const r = await cli('prove', '--threads', '2', '--ops', '2', '--preemptions', '0', '--variant', 'tls-free-skips-used', '--report', dir);
  assert.is(r.code, 1);
  assert.match(r.out[0]!, /^VIOLATION within the bound \(serial search, 0 preemption\(s\), \d+ steps\)$/);
  const token = r.out.find((l) => l.includes('npx slabcheck replay '))!.split('npx slabcheck replay ')[1]!.trim();
  const replayed = await cli('replay', token);
  assert.is(replayed.code, 1);
  assert.ok(readdirSync(dir).some((f) => f.endsWith('.md')));
});

// The tiny scope's policies: a decision wrong only under a policy the base does not have
// (drain-interval-late: the TLS cache drains one free late; the base interval is 4, a
// neighbour's 2) is found by --policies neighbours, on that neighbour.
test('prove --policies: the base policy and its neighbours, each program on each', async () => {
  const argv = ['prove', '--threads', '1', '--ops', '3', '--alphabet', 'alloc,free', '--preemptions', '0', '--variant', 'drain-interval-late', '--report', join(TMP, 'policies')];
  const base = await cli(...argv, '--json');
  assert.is(base.code, 0, 'with interval 4, three blocks (freed by the epilogue at most) never make a drain due');
  const neighbours = await cli(...argv, '--policies', 'neighbours', '--json');
  assert.is(neighbours.code, 1);
  const r = JSON.parse(neighbours.out[0]!) as Record<string, any>;
  assert.is(r['bound'].configs.length, 8);
  assert.is(r['report'].invariant.id, 'TLS-DRAIN');
  assert.is(r['bound'].configs[r['found'].config]['HAKMEM_TLS_SLL_DRAIN_INTERVAL'], 2);
  assert.is(decodeToken(r['report'].token).config['HAKMEM_TLS_SLL_DRAIN_INTERVAL'], 2);
  const all = await cli('prove', '--threads', '1', '--ops', '1', '--policies', 'all', '--json', '--jobs', '1');
  assert.is(JSON.parse(all.out[0]!).bound.configs.length, 96);
  // enough units (programs x configurations) for workers: two jobs explore them side by side, the same result
  assert.equal((await cli('prove', '--threads', '1', '--ops', '1', '--policies', 'all', '--json', '--jobs', '2')).out, all.out, 'two jobs');
});

// A counterexample's bound: the case is one of its programs under one of its schedules,
// so prove there finds it or one with no more operations and no more preemptions.
test('prove --from TOKEN: the case\'s bound (its letters, sizes, configuration, preemptions), and the smallest counterexample in it', async () => {
  const program: Program = { threads: [[{ op: 'alloc', size: 200 }, { op: 'alloc', size: 200 }], [{ op: 'free', from: 0, pick: 0 }], [{ op: 'free', from: 2, pick: 5 }, { op: 'tick', ms: 4 }]] };
  const cb = caseBound({ config: { ...TINY, variants: ['tls-free-skips-used'] }, program, schedule: { kind: 'choices', picks: [0, 0, 1] } })!;
  // T1's free is of T0's block (remote), T2's of its own (free); the sizes and ticks the case uses, nothing else
  assert.equal(cb.bound, { threads: 3, ops: 2, total: 5, alphabet: ['alloc', 'free', 'remote', 'tick'], sizes: [200], ticks: [4] });
  assert.is(caseBound({ config: TINY, program, schedule: { kind: 'choices', picks: [] } }), null, 'no violation, no bound');
  // a thread with no operation is left out
  const shifted = program.threads.map((ops) => ops.map((o) => (o.op === 'free' ? { ...o, from: o.from + 1 } : o)));
  const idle = caseBound({ config: { ...TINY, variants: ['tls-free-skips-used'] }, program: { threads: [[], ...shifted] }, schedule: { kind: 'choices', picks: [] } })!;
  assert.equal(idle.bound, cb.bound);
  // check's case for remote-push-racy (the corpus): 4 operations, a preemption in its run
  const token = readFileSync('corpus/remote-push-racy-INV-CONSERVATION-b58fa984.txt', 'utf8').split('\n').find((l) => l.startsWith('sc1.'))!;
  const from = caseBound(decodeToken(token))!;
  assert.ok(from.preemptions >= 1 && from.bound.total === 4);
  const r = await cli('prove', '--from', token, '--json', '--report', join(TMP, 'from'));
  assert.is(r.code, 1, r.err.join('\n'));
  const j = JSON.parse(r.out[0]!) as Record<string, any>;
  assert.equal([j['bound'].threads, j['bound'].ops, j['bound'].total, j['bound'].preemptions], [3, 2, 4, from.preemptions]);
  assert.equal(j['bound'].configs, [decodeToken(token).config]);
  assert.equal(j['from'], { preemptions: from.preemptions, violation: 'INV-CONSERVATION', switches: from.switches });
  const found = decodeToken(j['report'].token);
  assert.ok(found.program.threads.flat().length <= 4 && j['found'].preemptions <= from.preemptions);
  assert.is(execute(found).violation?.id, j['report'].invariant.id, 'its token replays');
  // not to be mixed with what sets a bound; a token that is not one, or whose case passes
  for (const [argv, says] of [
    [['--from', token, '--threads', '2'], '--threads does not apply with --from'], [['--from', token, '--variant', 'no-idle-trim'], '--variant does not apply with --from'],
    [['--from', 'sc1.nonsense'], 'token'], [['--from', readFileSync('corpus/default-INV-SOFTCAP-054b7611.txt', 'utf8').split('\n')[1]!], 'shows no violation'],
    // a case of three threads of 12 operations and a preemption: a bound too large to enumerate
    [['--from', encodeToken({ config: { ...TINY, variants: ['tls-free-skips-used'] }, program: { threads: [0, 1, 2].map(() => Array.from({ length: 12 }, (_, k): Op => (k % 3 === 2 ? { op: 'drain' } : { op: 'alloc', size: 1500 }))) }, schedule: { kind: 'choices', picks: [0, 1] } })], 'too large to search around'],
  ] as const) {
    const bad = await cli('prove', ...argv);
    assert.is(bad.code, 2, `${argv.join(' ')}: ${bad.err.join('\n')}`);
    assert.ok(bad.err[0]!.includes(says), bad.err[0]);
  }
});

test('prove: bad options are exit 2 with a message naming the problem', async () => {
  for (const [argv, says] of [
    [['--threads', '0'], '--threads'], [['--threads', '9'], '--threads'], [['--ops', 'x'], '--ops'], [['--preemptions', '-1'], '--preemptions'],
    [['--alphabet', 'alloc,steal'], "unknown letter 'steal'"], [['--sizes', '5000'], '--sizes'], [['--sizes', '1,a'], '--sizes'],
    [['--variant', 'no-such-bug'], 'no-such-bug'], [['--policies', 'some'], '--policies must be one of base, neighbours, all'],
    [['--policies', 'all', '--config', 'x.json'], 'not with --config'],
    // a configuration the run cannot hold, found by this thread or by a worker (2x3: enough programs for workers)
    [['--set', 'sim.max_threads=2', '--jobs', '1'], 'sim.max_threads'], [['--ops', '3', '--preemptions', '0', '--set', 'sim.max_threads=2', '--jobs', '2'], 'sim.max_threads'], [['--set', 'HAKMEM_TINY_SS_RESERVE=-4'], 'HAKMEM_TINY_SS_RESERVE'], [['--frobnicate'], 'frobnicate'],
  ] as const) {
    const r = await cli('prove', ...argv);
    assert.is(r.code, 2, `${argv.join(' ')}: ${r.err.join('\n')}`);
    assert.equal(r.out, []);
    assert.ok(r.err[0]!.includes(says), `${argv.join(' ')}: ${r.err[0]}`);
  }
});

// ---------------------------------------------------------------- zoo --mode prove

test('zoo --mode prove: each variant at its smallest bound, with the executions and the rule', async () => {
  const r = await cli('zoo', '--mode', 'prove', '--variant', 'tls-free-skips-used', '--variant', 'remote-free-skips-active', '--json', '--jobs', '1');
  assert.is(r.code, 0, r.err.join('\n'));
  const j = JSON.parse(r.out[0]!) as { ok: boolean; variants: Record<string, any>[] };
  assert.ok(j.ok);
  const [own, remote] = j.variants;
  // a fast-path free that never lowers `used`: one thread, one op shows it at the end
  assert.equal(own!['bound'], { threads: 1, ops: 1, preemptions: 0, letters: 'basic', sizes: [1500], policies: 'base' });
  assert.is(own!['invariant'], 'INV-CONSERVATION');
  // a remote free needs a second thread; no preemption
  assert.equal(remote!['bound'], { threads: 2, ops: 1, preemptions: 0, letters: 'basic', sizes: [1500], policies: 'base' });
  assert.is(remote!['invariant'], 'INV-ACTIVE-SUM');
  assert.is(execute(decodeToken(remote!['token'])).violation?.id, 'INV-ACTIVE-SUM');
  assert.ok(remote!['executions'] > own!['executions']);
  // the first pass gives each search 0.25 s: one thread cannot show a remote free, and twelve of its operations do not end in that time
  assert.equal(remote!['searches'][0], { search: '1x12x0 basic sizes 1500 base', seconds: 0.25, complete: false });
  for (const row of j.variants) assert.ok(row['expected'] && row['steps'] <= 12);
  const text = await cli('zoo', '--mode', 'prove', '--variant', 'tls-free-skips-used', '--jobs', '1');
  assert.match(text.out[1]!, /^tls-free-skips-used +1x1x0 basic 1500 base +\d+ +[\d.]+ +INV-CONSERVATION +1 +sc1\./);
  // a budget spent before a violation: not found, the searches run and how many completed, exit 1
  for (const jobs of ['1', '2']) {
    const spent = await cli('zoo', '--mode', 'prove', '--variant', 'remote-push-racy', '--budget', '1', '--jobs', jobs);
    assert.is(spent.code, 1);
    assert.match(spent.out[1]!, /^remote-push-racy +no +\d+ /);
    assert.match(spent.err[0]!, /^zoo: remote-push-racy: not found \(\d+ searches, \d+ complete\), \d+ executions/);
  }
  // --from check: check finds each variant, prove searches its case's bound; never a larger counterexample than check's
  const guided = await cli('zoo', '--mode', 'prove', '--from', 'check', '--variant', 'remote-free-skips-active', '--variant', 'drain-interval-late', '--json', '--jobs', '1');
  assert.is(guided.code, 0, guided.err.join('\n'));
  const g = JSON.parse(guided.out[0]!) as { ok: boolean; from: string; variants: Record<string, any>[] };
  assert.is(g.from, 'check');
  for (const row of g.variants) {
    assert.ok(row['found'] && row['expected'] && row['from'].seed === 1, JSON.stringify(row));
    assert.ok(row['ops'] <= row['from'].ops && row['bound'].preemptions <= row['from'].preemptions, JSON.stringify(row));
    assert.is(row['bound'].policies, "check's");
    assert.is(execute(decodeToken(row['token'])).violation?.id, row['invariant']);
  }
  // a variant check does not find in its runs gives prove nothing to search: not found, exit 1
  const unseen = await cli('zoo', '--mode', 'prove', '--from', 'check', '--variant', 'pin-check-torn', '--seeds', '1', '--runs', '100', '--jobs', '1');
  assert.is(unseen.code, 1);
  assert.match(unseen.out[1]!, /^pin-check-torn +no /);
  assert.match(unseen.err[0]!, /^zoo: pin-check-torn: not found \(check did not find it\)/);
  for (const [argv, says] of [[['--mode', 'prove', '--seeds', '2'], '--seeds does not apply to --mode prove'], [['--mode', 'fast'], '--mode must be'], [['--budget', '5'], '--budget does not apply to --mode check'], [['--mode', 'prove', '--from', 'corpus'], '--from must be check'], [['--mode', 'prove', '--from', 'check', '--preemptions', '1'], '--preemptions does not apply to --mode prove --from check'], [['--from', 'check'], '--from does not apply to --mode check']] as const) {
    const bad = await cli('zoo', ...argv);
    assert.is(bad.code, 2);
    assert.ok(bad.err[0]!.includes(says), bad.err[0]);
  }
});

test.run();
