// Schedulers as plugins (properties/schedulers/): every registered scheduler generates
// schedules that round-trip through tokens, print, and shrink to strictly smaller or
// simpler ones; the command line lists them all and still takes the old name `random`;
// and the delay-bounded scheduler — added as one module and one registry line — runs
// threads to their end but for its delays, and finds the races with them (and not with
// atomic operations).
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ConfigInput } from '../impl/config.js';
import { check } from '../properties/check.js';
import { execute, type Outcome } from '../properties/execute.js';
import { caseSize, scheduleText, type Case, type Op, type Schedule } from '../properties/program.js';
import { makeScheduler, pluginOf, SCHEDULER_NAMES, SCHEDULERS, schedulerKind } from '../properties/schedulers/registry.js';
import type { Progress } from '../properties/schedulers/registry.js';
import { caseArb, TINY_GEOMETRY, TINY_POLICY_BASE } from '../properties/scope.js';
import { decodeToken, encodeToken, TokenError } from '../properties/token.js';
import { cli } from './helpers.js';

const BASE: ConfigInput = { ...TINY_GEOMETRY, ...TINY_POLICY_BASE };
const alloc = (size: number): Op => ({ op: 'alloc', size });
const freeOf = (from: number, pick: number): Op => ({ op: 'free', from, pick });
/** The threads in the order their operations start, before the quiescence epilogue. */
const starts = (o: Outcome): number[] => o.trace.filter((e) => e.kind === 'start' && e.step < o.quiescenceFrom).map((e) => e.thread);
/** A generated value as JSON gives it back (fast-check builds records without Object's prototype). */
const plain = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

test('registry: one plugin per kind; --scheduler names are the kinds and the old name random', () => {
  const kinds = SCHEDULERS.map((p) => p.kind);
  assert.equal(kinds, ['preempt', 'pct', 'delay', 'choices']);
  assert.equal([...SCHEDULER_NAMES], ['preempt', 'pct', 'delay', 'choices', 'random']);
  assert.is(schedulerKind('random'), 'preempt');
  for (const k of kinds) assert.is(schedulerKind(k), k);
  for (const bad of ['dfs', 'constructor', '__proto__', '']) assert.is(schedulerKind(bad), undefined);
  for (const p of SCHEDULERS) assert.ok(p.summary.length > 0, `${p.kind} has a summary`);
});

for (const plugin of SCHEDULERS) {
  test(`${plugin.kind}: generated schedules round-trip through tokens, print, and shrink to smaller ones`, () => {
    let shrunk = 0;
    let smaller = 0;
    for (const c of fc.sample(caseArb({ scheduler: plugin.kind }), { numRuns: 40, seed: 11 })) {
      assert.is(c.schedule.kind, plugin.kind);
      assert.equal(decodeToken(encodeToken(c)), plain(c), 'the token carries the schedule whole');
      assert.ok(scheduleText(c.schedule).length > 0);
      const size = pluginOf(c.schedule).size(c.schedule);
      assert.is(caseSize(c).switches, size);
      const weight = (s: Schedule): number => pluginOf(s).size(s) * 1e6 + pluginOf(s).detail(s);
      // never larger; the minimizer takes only strictly smaller ones (preempt's quantum 3 -> 2
      // weighs the same: size counts quanta above 1, the detail does not count them)
      for (const candidate of pluginOf(c.schedule).shrink(c.schedule)) {
        shrunk++;
        assert.is(candidate.kind, plugin.kind);
        assert.ok(weight(candidate) <= weight(c.schedule), `${JSON.stringify(candidate)} is larger than ${JSON.stringify(c.schedule)}`);
        if (weight(candidate) < weight(c.schedule)) smaller++;
        assert.equal(decodeToken(encodeToken({ ...c, schedule: candidate })).schedule, plain(candidate));
      }
      // dropping a thread or an operation keeps a schedule of the same kind that runs
      const dropped = pluginOf(c.schedule).dropOp(pluginOf(c.schedule).dropThread(c.schedule, 0), 0, 0);
      assert.is(dropped.kind, plugin.kind);
    }
    assert.ok(shrunk > 0 && smaller > shrunk / 2, `${smaller} of ${shrunk} shrink candidates strictly smaller`);
  });
}

test('tokens: a schedule of an unknown kind, or with a field of another kind, is refused', () => {
  const c: Case = { config: BASE, program: { threads: [[alloc(300)]] }, schedule: { kind: 'delay', delays: [3] } };
  assert.equal(decodeToken(encodeToken(c)), c);
  const refused = (schedule: unknown, why: RegExp): void => {
    try {
      decodeToken(encodeToken({ ...c, schedule } as unknown as Case));
      assert.unreachable('accepted');
    } catch (e) {
      assert.instance(e, TokenError);
      assert.match((e as Error).message, why);
    }
  };
  refused({ kind: 'random', quanta: [], points: [] }, /no valid schedule/); // a CLI name, never a token kind
  refused({ kind: 'delay', delays: [-1] }, /no valid schedule/);
  refused({ kind: 'delay', delays: [1], changes: [] }, /unknown field 'changes'/);
  refused({ kind: 'delay' }, /no field 'delays'/);
  refused({ delays: [1] }, /no valid schedule/);
});

/** A Progress whose fields a test sets by hand. */
function fakeProgress(n: number): { mid: boolean[]; p: Progress } {
  const mid = Array<boolean>(n).fill(false);
  const p: Progress = {
    ops: () => 0, writes: () => 0, reads: () => 0, midOp: (i) => mid[i]!, beforeWrite: () => false, beforeRead: () => false, totalWrites: () => 0,
  };
  return { mid, p };
}

test('delay: each thread runs to its end, T0 first; a delay hands over to the next runnable thread', () => {
  const all = [true, true, true];
  const plain = makeScheduler({ kind: 'delay', delays: [] }, 3, false, fakeProgress(3).p);
  assert.equal([1, 2, 3].map(() => plain.pick(all)), [0, 0, 0]);
  assert.is(plain.pick([false, true, true]), 1, 'T0 done or blocked: the next one');
  assert.is(plain.pick(all), 1, 'and it keeps running');
  const d = makeScheduler({ kind: 'delay', delays: [2, 3] }, 3, false, fakeProgress(3).p);
  assert.equal([d.pick(all), d.pick(all), d.pick(all), d.pick(all)], [0, 1, 2, 2]);
  assert.is(d.pick([true, false, false]), 0, 'round robin wraps');
  const alone = makeScheduler({ kind: 'delay', delays: [2] }, 2, false, fakeProgress(2).p);
  assert.equal([alone.pick([true, false]), alone.pick([true, false]), alone.pick([true, true])], [0, 0, 1], 'a delay nobody can take waits');
});

test('delay: with atomicOps a delay waits for the end of the running operation', () => {
  const { mid, p } = fakeProgress(2);
  const d = makeScheduler({ kind: 'delay', delays: [2] }, 2, true, p);
  const both = [true, true];
  assert.is(d.pick(both), 0);
  mid[0] = true;
  assert.is(d.pick(both), 0, 'step 2: mid-operation, the delay waits');
  assert.is(d.pick(both), 0);
  mid[0] = false;
  assert.is(d.pick(both), 1, 'between operations: the delay is taken');
});

// The race of variant remote-push-racy (impl/slab/remote.ts): T1's push is delayed
// between its load of the head and its store; T2's push lands in between and is lost.
test('delay: on a real program, no delay runs the threads one after the other; one delay interleaves them', () => {
  const program = { threads: [[alloc(300), alloc(300)], [freeOf(0, 0)], [freeOf(0, 1)]] };
  const config = { ...BASE, variants: ['remote-push-racy'] };
  const plain = execute({ config, program, schedule: { kind: 'delay', delays: [] } }, { trace: true });
  assert.is(plain.violation, null);
  assert.equal(starts(plain), [0, 0, 1, 2]);
  let found: Outcome | null = null;
  for (let k = 1; k < 400 && found === null; k++) {
    const o = execute({ config, program, schedule: { kind: 'delay', delays: [k] } }, { trace: true });
    if (o.violation !== null) found = o;
  }
  assert.ok(found !== null, 'some single delay loses a push');
  assert.is(found.violation!.id, 'INV-CONSERVATION');
});

test('delay: check finds a race with it, shrinks it, and not with atomic operations', () => {
  const r = check({ variants: ['drain-nonatomic-take'], scheduler: 'delay', seed: 1, runs: 20_000 });
  assert.is(r.ok, false);
  assert.is(r.report!.invariant.id, 'INV-CONSERVATION');
  const c = decodeToken(r.report!.token);
  assert.is(c.schedule.kind, 'delay');
  assert.ok(r.report!.size.switches >= 1 && r.report!.size.switches <= 2, `${r.report!.schedule}`);
  assert.match(r.report!.schedule, /^delay-bounded, each thread to its end \(T0 first\), delays at steps \[\d+(, \d+)?\]$/);
  assert.is(execute({ ...c, atomicOps: true }).violation, null, 'no interleaving inside an operation, no race');
  assert.is(check({ variants: ['drain-nonatomic-take'], scheduler: 'delay', seed: 1, runs: 3000, atomicOps: true }).ok, true);
  assert.is(check({ variants: ['registry-unpopulated'], scheduler: 'delay', seed: 1, runs: 50 }).report?.invariant.id, 'INV-REGISTRY');
});

test('check --help lists every scheduler; --scheduler random is preempt; a bad name is exit 2', async () => {
  const help = await cli('check', '--help');
  assert.ok(help.out.join('\n').includes('[--scheduler preempt|pct|delay|choices]'), help.out.join('\n'));
  const zooHelp = await cli('zoo', '--help');
  assert.ok(zooHelp.out.join('\n').includes('[--scheduler preempt|pct|delay|choices]'));
  const old = await cli('check', '--scheduler', 'random', '--runs', '30', '--json', '--min-coverage', '0');
  const now = await cli('check', '--scheduler', 'preempt', '--runs', '30', '--json', '--min-coverage', '0');
  assert.is(old.code, 0);
  assert.equal(old.out, now.out);
  const bad = await cli('check', '--scheduler', 'dfs');
  assert.is(bad.code, 2);
  assert.is(bad.err[0], "slabcheck: --scheduler must be one of preempt, pct, delay, choices, got 'dfs'");
});

test.run();
