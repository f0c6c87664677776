// One heap buffer per checker process (impl/heap.ts reuseHeap): a reused buffer holds
// exactly what a fresh one does outside the frames and the free-frame stacks, after
// runs that dirtied every region (SuperSlabs mapped, freed and cached, legacy mappings,
// exited threads' counters, frames evicted), and the checker gives every case the same
// outcome whatever ran before it in the process.
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { exitOp, free, malloc, run, tickOp } from '../impl/allocator/allocator.js';
import type { ConfigInput } from '../impl/config.js';
import { createHeap, reuseHeap, type Heap } from '../impl/heap.js';
import { H } from '../impl/layout.js';
import { trim } from '../impl/superslab/trim.js';
import { attachThread } from '../impl/thread/thread.js';
import { execute } from '../properties/execute.js';
import { caseArb } from '../properties/scope.js';
import { SMALL } from './helpers.js';

const INPUT: ConfigInput = { ...SMALL, HAKMEM_SUPERSLAB_MAX_CACHED: 1, HAKMEM_TINY_CAP: 1, HAKMEM_TINY_SS_RESERVE: 0 };

/** Dirties every region: SuperSlabs of three classes, a legacy fallback under cap 1, frees, an exit, trims. */
function dirty(heap: Heap): void {
  const a = attachThread(heap);
  const b = attachThread(heap);
  const blocks: number[] = [];
  for (let i = 0; i < 12; i++) blocks.push(malloc(a, [1500, 300, 200][i % 3]!));
  for (let i = 0; i < 12; i += 2) free(b, blocks[i]!);
  run(b, exitOp(b));
  run(a, tickOp(a, 50));
  run(a, trim(a));
}

/** Word indices outside the frames, the free stacks and the stored configuration where two heaps differ. */
function differences(x: Heap, y: Heap): number[] {
  const { L } = x;
  const skip = (w: number): boolean => (w >= L.config && w < L.ss) || (w >= L.l2Free && w < L.l2Free + L.l2Count)
    || (w >= L.frameFree && w < L.frameFree + x.cfg.physPages);
  const out: number[] = [];
  for (let w = 0; w < L.frames * 2; w++) if (!skip(w) && x.i32[w] !== y.i32[w]) out.push(w);
  return out;
}

test('a reused buffer equals a fresh heap, word for word, outside frames and free stacks', () => {
  const old = createHeap(INPUT);
  dirty(old);
  assert.ok(old.i32[H.SS_HIGH]! >= 2 && old.i32[H.VA_HIGH]! > 0 && old.i32[H.L2_HIGH]! > 0 && old.i32[H.LEGACY_LIVE]! > 0,
    'the dirtying run mapped SuperSlabs and legacy blocks');
  const fresh = createHeap({ ...INPUT, HAKMEM_TINY_CAP: 0 });
  const dirtyWords = differences(old, fresh).length;
  assert.ok(dirtyWords > 20, `${dirtyWords} words differ:  'the dirty heap differs from a fresh one (so the comparison can fail)`);
  const reused = reuseHeap(old, { ...INPUT, HAKMEM_TINY_CAP: 0 });
  assert.is(reused.sab, old.sab, 'same buffer');
  assert.equal(differences(reused, fresh), []);
  assert.equal(reused.cfg, fresh.cfg);
  // and it runs the same as the fresh heap
  dirty(reused);
  dirty(fresh);
  assert.equal(differences(reused, fresh), []);
});

test('another layout gets a new buffer', () => {
  const old = createHeap(INPUT);
  const other = reuseHeap(old, { ...INPUT, 'sim.max_threads': 4 });
  assert.is.not(other.sab, old.sab);
  assert.is(reuseHeap(null, INPUT).sab.byteLength, old.sab.byteLength);
});

test('a configuration known by its object is frozen through and through; equal layouts share one buffer', () => {
  // a frozen input is known by its object; one whose variants list can still change is read anew
  const variants = ['tls-free-skips-used'];
  const open = Object.freeze({ ...INPUT, variants });
  assert.equal(createHeap(open).cfg.variants, ['tls-free-skips-used']);
  variants.push('drain-skips-empty');
  assert.equal(createHeap(open).cfg.variants, ['tls-free-skips-used', 'drain-skips-empty']);
  const shut = Object.freeze({ ...INPUT, variants: Object.freeze(['no-idle-trim']) });
  assert.is(createHeap(shut).cfg, createHeap(shut).cfg, 'one Config for one frozen object');
  // a policy knob changes no size: the buffer is reused
  const old = createHeap(INPUT);
  assert.is(reuseHeap(old, { ...INPUT, HAKMEM_TINY_CAP: 2 }).sab, old.sab);
});

test('every case has the same outcome whatever ran before it in the process', () => {
  const cases = fc.sample(caseArb({ variants: ['tls-free-skips-used'] }), { numRuns: 60, seed: 3 });
  const key = (i: number): string => {
    const o = execute(cases[i]!);
    return JSON.stringify([o.violation, o.phase, o.steps, o.switches, [...o.covered].sort()]);
  };
  const forward = cases.map((_, i) => key(i));
  const backward = cases.map((_, i) => key(cases.length - 1 - i)).reverse();
  assert.equal(backward, forward);
  assert.ok(forward.some((k) => !k.startsWith('[null')), 'some of the cases fail (their heaps are left mid-bug)');
});

test.run();
