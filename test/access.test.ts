// The access helpers (impl/steps.ts): every shared access of an operation is a request
// naming its kind and word, performed by the executor; no heap Atomics in impl/ bypass
// them (a source scan); the decoder and the dependence relation tools build on.
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { free, freeOp, malloc } from '../impl/allocator/allocator.js';
import { audit } from '../model/audit.js';
import { H, SL } from '../impl/layout.js';
import { slotIndex } from '../impl/locators.js';
import {
  access, accessKind, add, cas, cellLoad, cellStore, dependent, K, kernel, load, lock, lockWord, reqKind, reqWord, store, unlock, waitFree,
} from '../impl/steps.js';
import { attachThread } from '../impl/thread/thread.js';
import { blockOf, filesUnder, heapOf, SMALL, stepping } from './helpers.js';

const root = process.cwd();

// The kernel (os/) is atomic under its own lock and entered after a KERNEL request; steps.ts performs every other access.
const EXEMPT = /^impl\/(steps\.ts|os\/)/;

/** Lines of `source` that call Atomics. */
const atomicsCalls = (source: string): number[] =>
  source.split('\n').flatMap((line, i) => (/\bAtomics\s*\.\s*\w+\s*\(/.test(line.replace(/\/\/.*$/, '')) ? [i + 1] : []));

test('the scan finds an Atomics call (and ignores one in a comment)', () => {
  assert.equal(atomicsCalls('a();\nconst x = Atomics.load(i32, w);\n// Atomics.store(i32, w, 1)'), [2]);
});

test('no heap Atomics in impl/ outside the access helpers (steps.ts) and the kernel (os/)', () => {
  const found: string[] = [];
  for (const file of filesUnder(join(root, 'impl'))) {
    const rel = relative(root, file).split('\\').join('/');
    if (EXEMPT.test(rel)) continue;
    for (const line of atomicsCalls(readFileSync(file, 'utf8'))) found.push(`${rel}:${line}`);
  }
  assert.equal(found, []);
});

test('requests encode kind and word; small words stay small integers', () => {
  const { t } = heapOf(SMALL);
  for (const [r, kind, word] of [[load(5), K.LOAD, 5], [store(t, 9, 1), K.STORE, 9], [cas(t, 2 ** 26 - 1, 0, 1), K.CAS, 2 ** 26 - 1], [kernel(), K.KERNEL, H.OS_LOCK]] as const) {
    assert.is(reqKind(r), kind);
    assert.is(reqWord(r), word);
  }
  assert.ok(cas(t, 2 ** 26 - 1, 0, 1) < 2 ** 30, 'a Smi (31-bit) below 2^26 words');
  assert.is(reqWord(load(2 ** 30)), 2 ** 30, 'exact beyond, as a double');
});

test('access(): kinds for schedulers, words for footprints (a cell spans two i32 words)', () => {
  const { t } = heapOf(SMALL);
  assert.equal(access(load(40)), { kind: 'read', name: 'load', view: 'i32', index: 40, words: [40, 40] });
  assert.equal(access(cellStore(t, 21, 3.5)), { kind: 'write', name: 'cellStore', view: 'f64', index: 21, words: [42, 43] });
  assert.is(accessKind(add(t, 3, 1)), 'rmw');
  assert.is(accessKind(lock(2)), 'lock');
  assert.is(accessKind(waitFree(2)), 'lock');
  assert.is(accessKind(unlock(2)), 'write');
  assert.is(lockWord(lock(2)), 2);
  assert.is(lockWord(load(2)), -1);
  assert.throws(() => access(-3), /not an access request/);
});

test('dependent(): a common word and a write; reads commute; locks on one word conflict', () => {
  const { t } = heapOf(SMALL);
  assert.ok(dependent(load(7), store(t, 7, 1)));
  assert.ok(dependent(cas(t, 7, 0, 1), add(t, 7, 1)));
  assert.not.ok(dependent(load(7), load(7)), 'two reads');
  assert.not.ok(dependent(store(t, 7, 1), store(t, 8, 1)), 'two words');
  assert.ok(dependent(cellLoad(21), store(t, 43, 0)), 'the cell overlaps i32 word 43');
  assert.not.ok(dependent(cellLoad(21), store(t, 44, 0)));
  assert.ok(dependent(lock(2), unlock(2)) && dependent(lock(2), lock(2)));
  assert.ok(dependent(waitFree(2), unlock(2)));
  assert.not.ok(dependent(waitFree(2), waitFree(2)), 'a wait only reads the lock word');
});

test('a remote push links its block in a step of its own, before the CAS that publishes it', () => {
  const { heap, t: a } = heapOf(SMALL);
  const b = attachThread(heap);
  const p = malloc(a, 500);
  const slot = blockOf(heap, audit(heap), p).slot.slot;
  const f = stepping(b, freeOp(b, p));
  const seen: string[] = [];
  for (let r = f.next(); r.done !== true; r = f.next()) {
    const x = access(r.value);
    seen.push(x.view === 'f64' ? `${x.name} cell` : `${x.name} ${x.index - slotIndex(heap, slot)}`);
  }
  const link = seen.indexOf('cellStore cell');
  assert.ok(link > 0, `the link store is a scheduling point: ${seen.join(', ')}`);
  assert.is(seen[link - 1], `load ${SL.RHEAD}`);
  assert.is(seen[link + 1], `cas ${SL.RHEAD}`);
  assert.is(free(a, malloc(a, 500)), 0);
});

test.run();
