// Misuse: a bad free returns a typed error (impl/errors.ts) and leaves the heap exactly as
// it was — every rejected free below is checked against the whole audit, counters
// included, serialised before and after. Bad malloc sizes are E.BAD_SIZE, the same way.
//
// Geometry: SMALL (test/helpers.ts): SuperSlab = 2^13 = 8 KB = 2 slabs of 4 KB; slab 0
// starts after the 64-byte SuperSlab header (sim.slab0_header_bytes). capacity = usable
// / stride (seed 004_d59e0d336a26e3fe.txt §3.2): C6 (512 B) 7 blocks in slab 0; C7
// (2048 B) 1 block in slab 0, 2 in slab 1. Sizes: 500 -> C6, 1024 -> C7 (+1-byte header).
// User pointer = block base + 1 (impl/sizeclass.ts).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { drainOp, free, malloc, run } from '../impl/allocator/allocator.js';
import { audit, type Snapshot } from '../model/audit.js';
import { AllocatorError, describeError, E, errorName, isError } from '../impl/errors.js';
import type { Heap } from '../impl/heap.js';
import { isMappedPage } from '../impl/os/pages.js';
import { MAX_TINY_SIZE, STRIDES } from '../impl/sizeclass.js';
import { attachThread, type Thread } from '../impl/thread/thread.js';
import { assertHolds, heapOf, mustFree, mustMalloc, SMALL } from './helpers.js';

const C6 = 500;
const C7 = 1024;

/** free(t, ptr) must return `code` and change nothing at all in the heap. */
function rejects(heap: Heap, t: Thread, ptr: number, code: number, what: string): void {
  const before = JSON.stringify(audit(heap));
  const r = free(t, ptr);
  assert.is(errorName(r), errorName(code), `${what}: free(${ptr})`);
  assert.is(JSON.stringify(audit(heap)), before, `${what}: a rejected free changed the heap`);
}

function ssOf(heap: Heap, s: Snapshot, p: number): Snapshot['superslabs'][number] {
  const base = p - 1 - ((p - 1) % heap.cfg.ssBytes);
  const ss = s.superslabs.find((x) => x.base === base);
  assert.ok(ss);
  return ss!;
}

test('double free while the first free sits in the owner\'s TLS SLL: FREE_DOUBLE', () => {
  const { heap, t } = heapOf(SMALL);
  const p = mustMalloc(t, C6);
  mustMalloc(t, C6);
  mustFree(t, p);
  assert.is(audit(heap).threads[0]!.sllCount[6], 1);
  rejects(heap, t, p, E.FREE_DOUBLE, 'owner, cached');
  const b = attachThread(heap);
  rejects(heap, b, p, E.FREE_DOUBLE, 'another thread, cached');
  // The block is still handed out once, and only once.
  assert.is(malloc(t, C6), p);
  assert.is.not(malloc(t, C6), p);
  assertHolds(heap);
});

test('double free after the drain put the block back on its slab freelist: FREE_DOUBLE', () => {
  const { heap, t } = heapOf(SMALL);
  const p = mustMalloc(t, C6);
  const keep = mustMalloc(t, C6); // keeps the slab ACTIVE
  mustFree(t, p);
  run(t, drainOp(t));
  const s = audit(heap);
  assert.is(s.threads[0]!.sllCount[6], 0);
  assert.is(ssOf(heap, s, p).slots[0]!.freelist.items.length, 1);
  rejects(heap, t, p, E.FREE_DOUBLE, 'on the freelist');
  assert.ok(keep > 0);
});

test('double free while the first free sits on a remote queue: FREE_DOUBLE, for owner and freer alike', () => {
  const { heap, t: a } = heapOf(SMALL);
  const b = attachThread(heap);
  const p = mustMalloc(a, C6);
  mustMalloc(a, C6);
  mustFree(b, p);
  assert.is(ssOf(heap, audit(heap), p).slots[0]!.remoteCount, 1);
  rejects(heap, b, p, E.FREE_DOUBLE, 'remote freer again');
  rejects(heap, a, p, E.FREE_DOUBLE, 'owner after a remote free');
});

test('free of a block whose slab was emptied since: FREE_NEVER_ALLOCATED; whose SuperSlab is cached: FREE_FOREIGN; unmapped: FREE_UNMAPPED', () => {
  // Slab emptied, SuperSlab kept by a C7 block in slab 0 (errors.ts: "or its slab was emptied since").
  {
    const { heap, t } = heapOf(SMALL);
    mustMalloc(t, C7);
    const p = mustMalloc(t, C6); // slab 1
    mustFree(t, p);
    run(t, drainOp(t));
    assert.is(ssOf(heap, audit(heap), p).slots[1]!.state, 'EMPTY');
    rejects(heap, t, p, E.FREE_NEVER_ALLOCATED, 'slab EMPTY');
  }
  // The SuperSlab went to the LRU: still mapped, but no slab of it holds blocks.
  {
    const { heap, t } = heapOf(SMALL);
    const p = mustMalloc(t, C6);
    mustFree(t, p);
    run(t, drainOp(t));
    assert.is(ssOf(heap, audit(heap), p).state, 'CACHED');
    rejects(heap, t, p, E.FREE_FOREIGN, 'SuperSlab cached in the LRU');
  }
  // LRU off (HAKMEM_SUPERSLAB_MAX_CACHED=0): the emptied SuperSlab is munmapped.
  {
    const { heap, t } = heapOf({ ...SMALL, HAKMEM_SUPERSLAB_MAX_CACHED: 0 });
    const p = mustMalloc(t, C6);
    mustFree(t, p);
    run(t, drainOp(t));
    const s = audit(heap);
    assert.is(s.superslabs.length, 0);
    assert.is(s.os.mappedBytes, 0);
    rejects(heap, t, p, E.FREE_UNMAPPED, 'SuperSlab unmapped');
  }
});

test('interior pointers: FREE_INTERIOR', () => {
  const { heap, t } = heapOf(SMALL);
  const p = mustMalloc(t, C6);
  const q = mustMalloc(t, C6);
  for (const off of [1, 2, 7, 8, 100, STRIDES[6]! - 2]) rejects(heap, t, p + off, E.FREE_INTERIOR, `p + ${off}`);
  // A block base passed as a user pointer: free looks 1 byte earlier, at the previous
  // block's last byte.
  rejects(heap, t, q - 1, E.FREE_INTERIOR, 'block base instead of user pointer');
  // Interior of a cached (freed) block: still INTERIOR, not DOUBLE.
  mustFree(t, p);
  rejects(heap, t, p + 3, E.FREE_INTERIOR, 'interior of a cached block');
});

test('addresses in a slab never handed out: FREE_NEVER_ALLOCATED', () => {
  const { heap, t } = heapOf(SMALL);
  const p = mustMalloc(t, C6);
  const s = audit(heap);
  const ss = ssOf(heap, s, p);
  assert.is(ss.slots[0]!.carved, 1);
  // The next block of the slab has not been carved yet.
  rejects(heap, t, p + STRIDES[6]!, E.FREE_NEVER_ALLOCATED, 'next, uncarved block');
  rejects(heap, t, p + 6 * STRIDES[6]!, E.FREE_NEVER_ALLOCATED, 'last block of the slab, uncarved');
  // Slab 1 is UNUSED: nothing in it was ever handed out.
  assert.is(ss.slots[1]!.state, 'UNUSED');
  rejects(heap, t, ss.base + heap.cfg.slabBytes + 1, E.FREE_NEVER_ALLOCATED, 'first block of an UNUSED slab');
});

test('the SuperSlab header area and the slab tail past the last block: FREE_FOREIGN', () => {
  const { heap, t } = heapOf(SMALL);
  const p = mustMalloc(t, C6);
  const ss = ssOf(heap, audit(heap), p);
  const header = heap.cfg.slab0Header;
  for (const off of [1, 8, 9, header - 7, header - 1, header]) {
    rejects(heap, t, ss.base + off, E.FREE_FOREIGN, `SuperSlab header + ${off}`);
  }
  assert.is(p, ss.base + header + 1, 'the first block starts right after the header');
  // C6 in slab 0: 7 blocks of 512 end at header + 3584 < 4096; the 448-byte tail holds no block.
  const cap = heap.cfg.capacity[6 * 2]!;
  const tail = ss.base + header + cap * STRIDES[6]!;
  assert.ok(tail + 1 < ss.base + heap.cfg.slabBytes, 'the tail lies inside slab 0');
  rejects(heap, t, tail + 1, E.FREE_FOREIGN, 'slab tail, where block `cap` would start');
});

test('addresses in no mapping and values that are not addresses: FREE_UNMAPPED', () => {
  const { heap, t } = heapOf(SMALL);
  const p = mustMalloc(t, C6);
  const { pageBytes, vaBytes } = heap.cfg;
  // A page of the simulated address space that nothing maps (derived, not guessed).
  let page = vaBytes / pageBytes - 1;
  while (isMappedPage(heap, page)) page--;
  rejects(heap, t, page * pageBytes + 1, E.FREE_UNMAPPED, 'unmapped page');
  rejects(heap, t, page * pageBytes + 8 * 5 + 1, E.FREE_UNMAPPED, 'unmapped page, block-like offset');
  const bad: [number, string][] = [
    [p + 0.5, 'non-integer'],
    [NaN, 'NaN'],
    [Infinity, 'Infinity'],
    [-Infinity, '-Infinity'],
    [-1, 'negative'],
    [-p, 'negated pointer'],
    [vaBytes, 'just past the address space'],
    [vaBytes - 1, 'last byte of the address space'],
    [2 ** 53, '2^53'],
    [Number.MAX_VALUE, 'MAX_VALUE'],
  ];
  for (const [ptr, what] of bad) rejects(heap, t, ptr, E.FREE_UNMAPPED, what);
  // free(0) is not C's no-op here, but it is rejected and changes nothing.
  const before = JSON.stringify(audit(heap));
  assert.ok(isError(free(t, 0)));
  assert.is(JSON.stringify(audit(heap)), before);
});

test('a legacy block (soft cap reached, no EMPTY slot) freed twice: the second free is FREE_UNMAPPED', () => {
  // HAKMEM_TINY_CAP=1 (seed 004 §1.2): stage 3 refuses a second C7 slab. The first
  // SuperSlab's 2 slabs take 1 + 2 C7 blocks (stage 3, then stage 2, which the cap does
  // not gate); with no EMPTY slot anywhere the 4th C7 allocation goes legacy (seed 004 §1.3).
  const { heap, t } = heapOf({ ...SMALL, HAKMEM_TINY_CAP: 1 });
  const tinyBlocks = heap.cfg.capacity[7 * 2]! + heap.cfg.capacity[7 * 2 + 1]!;
  assert.is(tinyBlocks, 3);
  for (let i = 0; i < tinyBlocks; i++) mustMalloc(t, C7);
  assert.is(audit(heap).counters.legacyFallbacks, 0);
  const x = mustMalloc(t, C7);
  let s = audit(heap);
  assert.is(s.counters.softCapHits, 1);
  assert.is(s.counters.legacyFallbacks, 1);
  assert.is(s.legacyLive, 1);
  assert.is(s.superslabs.length, 1, 'no second SuperSlab');
  // An interior pointer into a live legacy block is not an allocator block.
  rejects(heap, t, x + 8, E.FREE_FOREIGN, 'interior of a legacy block');
  rejects(heap, t, x - 8, E.FREE_FOREIGN, 'legacy block header');

  mustFree(t, x);
  s = assertHolds(heap);
  assert.is(s.legacyLive, 0);
  // errors.ts: FREE_UNMAPPED covers "a legacy block freed twice" (its mapping is gone).
  rejects(heap, t, x, E.FREE_UNMAPPED, 'legacy block freed twice');
  assertHolds(heap);
});

test('malloc of a size the tiny allocator does not serve: BAD_SIZE, heap untouched', () => {
  const { heap, t } = heapOf(SMALL);
  mustMalloc(t, C6);
  const sizes: [number, string][] = [
    [-1, '-1'],
    [MAX_TINY_SIZE + 1, '2048 (C7 stride; the header makes it 2049)'],
    [NaN, 'NaN'],
    [Infinity, 'Infinity'],
    [-Infinity, '-Infinity'],
    [1 << 20, '1 MB'],
  ];
  assert.is(MAX_TINY_SIZE + 1, 2048);
  for (const [size, what] of sizes) {
    const before = JSON.stringify(audit(heap));
    const r = malloc(t, size);
    assert.is(errorName(r), 'BAD_SIZE', what);
    assert.is(r, E.BAD_SIZE);
    assert.is(JSON.stringify(audit(heap)), before, `malloc(${what}) changed the heap`);
  }
  // The edges that are served: 0 (C0) and 2047 (C7).
  assert.ok(malloc(t, 0) > 0);
  assert.ok(malloc(t, MAX_TINY_SIZE) > 0);
  assertHolds(heap);
});

test('errorName / describeError / AllocatorError give a readable message for every code', () => {
  const texts = new Set<string>();
  for (const [name, code] of Object.entries(E)) {
    assert.ok(code < 0, `${name} is negative`);
    assert.ok(isError(code));
    assert.is(errorName(code), name);
    const text = describeError(code);
    assert.ok(text.length > 10 && !text.startsWith('unknown'), `${name}: ${text}`);
    texts.add(text);
  }
  assert.is(texts.size, Object.keys(E).length, 'each code has its own message');
  assert.match(describeError(E.FREE_DOUBLE), /double free/);
  assert.match(describeError(E.FREE_INTERIOR), /interior/);
  assert.match(describeError(E.BAD_SIZE), /2047/);
  assert.is(errorName(-999), 'E-999');
  assert.match(describeError(-999), /unknown error -999/);
  assert.not.ok(isError(0));
  const err = new AllocatorError(E.FREE_DOUBLE, 0x1041);
  assert.ok(err instanceof Error);
  assert.is(err.name, 'AllocatorError');
  assert.is(err.code, E.FREE_DOUBLE);
  assert.is(err.message, `FREE_DOUBLE: ${describeError(E.FREE_DOUBLE)} at 0x1041`);
  assert.is(new AllocatorError(E.ENOMEM).message, `ENOMEM: ${describeError(E.ENOMEM)}`);
});

test.run();
