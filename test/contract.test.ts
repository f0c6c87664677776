// The contract oracles (issue 10 item 0): the alphabet programs draw from (every class,
// both edges of each, misuse), and per decision a program the designed allocator passes
// and the variant with that decision wrong fails, with the decision's rule
// (model/contract.ts, model/lru-oracle.ts, model/trim-oracle.ts, properties/decisions.ts).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './helpers.js';
import type { ConfigInput } from '../impl/config.js';
import { E, errorName } from '../impl/errors.js';
import { classOfSize, MAX_TINY_SIZE, STRIDES } from '../impl/sizeclass.js';
import { VARIANTS } from '../impl/variants.js';
import { classForSize, EDGE_SIZES, judgeRejectedFree } from '../model/contract.js';
import { CONTRACT_RULES } from '../model/rules/contract.js';
import { execute } from '../properties/execute.js';
import { MISUSE_KINDS, type Case, type Op, type Schedule } from '../properties/program.js';
import { ruleOf } from '../properties/report.js';
import { caseArb, TINY_GEOMETRY, TINY_POLICY_BASE } from '../properties/scope.js';

const config = (knobs: ConfigInput = {}, variants: string[] = []): ConfigInput => ({
  ...TINY_GEOMETRY, ...TINY_POLICY_BASE, ...knobs, ...(variants.length > 0 ? { variants } : {}),
});
const plain = (quanta: number[] = []): Schedule => ({ kind: 'preempt', quanta, points: [] });

/** The rule the run of `threads` breaks (null: none), with `variants` on. */
function verdict(threads: Op[][], knobs: ConfigInput, variants: string[], quanta: number[] = []): string | null {
  const c: Case = { config: config(knobs, variants), program: { threads }, schedule: plain(quanta) };
  const v = execute(c).violation;
  return v === null ? null : v.id;
}

/** The designed allocator passes `threads`; variant `name` fails it with `rule`. */
function decides(name: string, rule: string, threads: Op[][], knobs: ConfigInput = {}, quanta: number[] = []): void {
  assert.ok(VARIANTS.some((v) => v.name === name), name);
  assert.is(verdict(threads, knobs, [], quanta), null, `${name}: the designed allocator passes`);
  assert.is(verdict(threads, knobs, [name], quanta), rule, `${name}: ${rule} fails`);
}

const alloc = (size: number): Op => ({ op: 'alloc', size });
const free = (from: number, pick = 0): Op => ({ op: 'free', from, pick });
const misuse = (kind: (typeof MISUSE_KINDS)[number], offset = 0): Op => ({ op: 'misuse', kind, from: 0, pick: 0, offset });

// ---------------------------------------------------------------- the alphabet

test('sizes: the contract\'s class of every size agrees with the allocator\'s; the edges are both sides of every stride', () => {
  for (let size = -1; size <= MAX_TINY_SIZE + 2; size++) assert.is(classForSize(size), classOfSize(size), `size ${size}`);
  assert.equal([...EDGE_SIZES], [0, 7, 8, 15, 16, 31, 32, 63, 64, 127, 128, 255, 256, 511, 512, 2047, 2048]);
  for (const stride of STRIDES) assert.is(classForSize(stride), STRIDES.indexOf(stride) + 1 < STRIDES.length ? STRIDES.indexOf(stride) + 1 : -1);
});

test('programs draw every class with both edges, and every misuse kind; on the designed allocator each misuse gets its code', () => {
  const cases = fc.sample(caseArb({}), { numRuns: 3000, seed: 11 });
  const ops = cases.flatMap((c) => c.program.threads.flat());
  const sizes = new Set(ops.flatMap((o) => (o.op === 'alloc' ? [o.size] : [])));
  for (const size of EDGE_SIZES) assert.ok(sizes.has(size), `size ${size} drawn`);
  for (let cls = 0; cls < STRIDES.length; cls++) assert.ok([...sizes].some((s) => classForSize(s) === cls), `class ${cls} drawn`);
  const kinds = new Set(ops.flatMap((o) => (o.op === 'misuse' ? [o.kind] : [])));
  assert.equal([...kinds].sort(), [...MISUSE_KINDS].sort());
  // what the misuses of a sample answered (the executor judged each against the contract)
  const codes = new Set<string>();
  for (const c of cases.slice(0, 600)) {
    const o = execute(c, { trace: true });
    assert.is(o.violation, null, JSON.stringify(o.violation));
    for (const e of o.trace) if (e.kind === 'end' && e.text.startsWith('= FREE_')) codes.add(e.text.slice(2));
  }
  assert.equal([...codes].sort(), ['FREE_DOUBLE', 'FREE_FOREIGN', 'FREE_INTERIOR', 'FREE_NEVER_ALLOCATED', 'FREE_UNMAPPED']);
});

test('each misuse kind, on a block the program holds: the documented code, the heap unchanged', () => {
  const expected: [Op, number][] = [
    [misuse('double'), E.FREE_DOUBLE], [misuse('interior', 5), E.FREE_INTERIOR], [misuse('foreign'), E.FREE_FOREIGN],
    [misuse('never'), E.FREE_NEVER_ALLOCATED], [misuse('wild'), E.FREE_UNMAPPED], [misuse('wild', 1), E.FREE_UNMAPPED],
  ];
  for (const [op, code] of expected) {
    const c: Case = { config: config(), program: { threads: [[alloc(300), alloc(300), free(0, 1), op]] }, schedule: plain() };
    const o = execute(c, { trace: true });
    assert.is(o.violation, null);
    assert.ok(o.trace.some((e) => e.kind === 'end' && e.text === `= ${errorName(code)}`), `${JSON.stringify(op)} answers ${errorName(code)}`);
  }
});

test('FREE-ERROR judges the code and the heap: a right code that changed the heap fails too', () => {
  assert.is(judgeRejectedFree('x', E.FREE_DOUBLE, E.FREE_DOUBLE, false, errorName), null);
  assert.is(judgeRejectedFree('x', E.FREE_DOUBLE, E.FREE_DOUBLE, true, errorName)?.what, 'a rejected free (FREE_DOUBLE) changed the heap');
  assert.is(judgeRejectedFree('x', E.FREE_INTERIOR, 0, false, errorName)?.actual, '0 (freed)');
});

test('every contract rule is in the reports\' catalogue', () => {
  for (const r of CONTRACT_RULES) assert.is(ruleOf(r.id), r.statement, r.id);
});

// ---------------------------------------------------------------- a decision each

test('size -> class (ALLOC-CLASS, ALLOC-SIZE): size-class-no-header gives a stride-sized request the class one below', () => {
  decides('size-class-no-header', 'ALLOC-CLASS', [[alloc(512)]]);
  decides('size-class-no-header', 'ALLOC-SIZE', [[alloc(2048)]]);
});

test('interior free (FREE-ERROR): interior-free-rounds-down frees the block it points into', () => {
  decides('interior-free-rounds-down', 'FREE-ERROR', [[alloc(1500), misuse('interior')]]);
});

test('never-allocated free (FREE-ERROR): never-allocated-as-double answers the wrong code', () => {
  decides('never-allocated-as-double', 'FREE-ERROR', [[alloc(300), misuse('never')]]);
});

// T0 fills two C7 SuperSlabs (3 blocks each, the fourth opens the second), frees them all
// and drains: both reach an LRU of 2, the second newest; the next map must pop it.
test('LRU pop (LRU-POLICY): lru-pops-oldest takes the older entry', () => {
  const four = [alloc(1500), alloc(1500), alloc(1500), alloc(1500)];
  decides('lru-pops-oldest', 'LRU-POLICY', [[...four, free(0), free(0), free(0), free(0), alloc(1500)]], { HAKMEM_SUPERSLAB_MAX_CACHED: 2 });
});

// T1's free empties T0's SuperSlab at 0 ms into the LRU (TTL 8 ms); the ticks reach 8 ms,
// when idle trim must evict it.
test('LRU TTL (LRU-POLICY): lru-ttl-late keeps an entry at exactly its TTL', () => {
  decides('lru-ttl-late', 'LRU-POLICY', [[alloc(1500), { op: 'drain' }, { op: 'tick', ms: 4 }], [free(0), { op: 'tick', ms: 4 }]]);
});

// LRU bounds 2 entries and one SuperSlab's bytes: the second freed SuperSlab (at quiescence)
// must evict the first.
test('LRU bytes bound (LRU-POLICY): lru-bytes-ignored caches past it', () => {
  decides('lru-bytes-ignored', 'LRU-POLICY', [[alloc(1500), alloc(1500), alloc(300)]], { HAKMEM_SUPERSLAB_MAX_CACHED: 2, HAKMEM_SUPERSLAB_MAX_MEMORY_MB: 2 ** -7 });
});

// T1's remote frees leave T0's first SuperSlab with no active block but ACTIVE slots; its
// tick's idle trim must free it (reserve 0).
test('trim reserve (TRIM-RESERVE): trim-reserve-plus-one keeps one more', () => {
  const four = [alloc(1500), alloc(1500), alloc(1500), alloc(1500)];
  decides('trim-reserve-plus-one', 'TRIM-RESERVE', [four, [free(0), free(0), free(0), { op: 'tick', ms: 4 }]], { HAKMEM_TINY_SS_RESERVE: 0 }, [2]);
});

test('TLS drain (TLS-DRAIN): drain-interval-late drains one cached free late', () => {
  decides('drain-interval-late', 'TLS-DRAIN', [[alloc(1500), alloc(1500)]], { HAKMEM_TLS_SLL_DRAIN_INTERVAL: 2 });
});

test('idle trim (IDLE-TRIM): idle-trim-late skips the tick that reaches its deadline', () => {
  decides('idle-trim-late', 'IDLE-TRIM', [[{ op: 'tick', ms: 4 }]]);
});

// ---------------------------------------------------------------- check at its defaults

const DECISIONS: Record<string, string[]> = {
  'size-class-no-header': ['ALLOC-CLASS', 'ALLOC-SIZE'], 'interior-free-rounds-down': ['FREE-ERROR'],
  'never-allocated-as-double': ['FREE-ERROR'], 'lru-pops-oldest': ['LRU-POLICY'], 'lru-ttl-late': ['LRU-POLICY'],
  'lru-bytes-ignored': ['LRU-POLICY'], 'trim-reserve-plus-one': ['TRIM-RESERVE'], 'drain-interval-late': ['TLS-DRAIN'],
  'idle-trim-late': ['IDLE-TRIM'],
};

test('check at its default runs (1000, seed 42) finds every wrong decision with its rule', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'slabcheck-contract-'));
  try {
    for (const [name, rules] of Object.entries(DECISIONS)) {
      const r = await cli('check', '--variant', name, '--json', '--report', join(dir, name));
      assert.is(r.code, 1, `${name}: ${r.out.join('\n')}`);
      const j = JSON.parse(r.out[0]!) as { ok: boolean; runs: number; report: { invariant: { id: string } } };
      assert.is(j.ok, false);
      assert.ok(j.runs <= 1000);
      assert.ok(rules.includes(j.report.invariant.id), `${name}: ${j.report.invariant.id}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
