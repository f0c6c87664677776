// The LRU of empty SuperSlabs (seed 000_86274261e3f63077.txt: "SS_LRU_INIT max_cached=256
// max_memory_mb=512 ttl_sec=60", hak_ss_lru_push / hak_ss_lru_pop; seed
// 001_4c03cbcfeeca547d.txt): a SuperSlab whose last slot empties with no block active is
// pushed (still mapped), stage 3 pops it before mmap, and entries leave it by TTL on the
// logical clock, by count and by bytes — oldest first — or never enter it when it is off.
//
// Geometry: SMALL (test/helpers.ts): SuperSlab 8 KB = 2 slabs of 4 KB; C7 (2048 B) holds
// floor(4032/2048) = 1 block in slab 0 and 2 in slab 1, so 3 C7 allocations fill one
// SuperSlab and the 4th maps the next: SuperSlab k holds C7 allocations 3k .. 3k+2.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { drainOp, run, tickOp } from '../impl/allocator/allocator.js';
import { audit } from '../model/audit.js';
import type { ConfigInput } from '../impl/config.js';
import { EV } from '../impl/events.js';
import type { Heap } from '../impl/heap.js';
import { SS_CACHED, SS_MAPPED } from '../impl/layout.js';
import { CLOCK_MAX_MS, trim } from '../impl/superslab/trim.js';
import type { Thread } from '../impl/thread/thread.js';
import { assertHolds, counters, heapOf, mustFree, mustMalloc, SMALL } from './helpers.js';

const C7 = 1024;
const C6 = 500;
const PER_SS = 3; // C7 blocks per SMALL SuperSlab (1 + 2)

/** TTL 1 s (1000 ms on the logical clock) and no idle trim: only push/pop/trim() expire entries. */
const TTL1: ConfigInput = { ...SMALL, HAKMEM_SUPERSLAB_TTL_SEC: 1, HAKMEM_TINY_IDLE_TRIM_MS: 0 };

/** Allocates `n` SuperSlabs' worth of C7 blocks; blocks[k] are SuperSlab k's. */
function fill(t: Thread, n: number, perSS = PER_SS): number[][] {
  const out: number[][] = [];
  for (let k = 0; k < n; k++) {
    const blocks: number[] = [];
    for (let i = 0; i < perSS; i++) blocks.push(mustMalloc(t, C7));
    out.push(blocks);
  }
  return out;
}

/** Frees `blocks` and drains: their SuperSlab empties and leaves the pool. */
function release(heap: Heap, t: Thread, blocks: number[]): void {
  for (const p of blocks) mustFree(t, p);
  run(t, drainOp(t));
  assertHolds(heap);
}

test('the last slot emptying with no block active frees the SuperSlab to the LRU, still mapped', () => {
  const { heap, t } = heapOf(SMALL);
  const events: number[][] = [];
  t.sink = { event: (kind, _tid, a) => { if (kind !== EV.ACQUIRE_BEGIN && kind !== EV.SLOT_SETTLED) events.push([kind, a]); } };
  const x = mustMalloc(t, C7); // slot 0
  const y = mustMalloc(t, C6); // slot 1
  release(heap, t, [x]);
  let s = assertHolds(heap);
  assert.is(s.superslabs[0]!.state, 'MAPPED'); // slot 1 still ACTIVE
  assert.is(s.counters.lruPush, 0);
  mustFree(t, y);
  s = assertHolds(heap);
  // y sits in the thread cache: its slab's `used` and the SuperSlab's active count still
  // include it (seed 001), so nothing is freed yet.
  assert.is(s.superslabs[0]!.state, 'MAPPED');
  assert.is(s.superslabs[0]!.active, 1);
  const munmapBefore = s.counters.munmap;
  run(t, drainOp(t));
  s = assertHolds(heap);
  const ss = s.superslabs[0]!;
  assert.is(ss.state, 'CACHED');
  assert.is(ss.pins, 0);
  assert.equal(ss.slots.map((x) => x.state), ['UNUSED', 'UNUSED']); // its slots left the pool
  assert.equal(s.lru, [0]);
  assert.is(s.lruCount, 1);
  assert.is(s.unusedSlots, 0); // a cached SuperSlab offers no stage 2 slots
  assert.is(s.counters.lruPush, 1);
  assert.is(s.counters.ssFreed, 1);
  assert.is(s.counters.munmap, munmapBefore); // the mapping is kept
  assert.is(s.os.vmaCount, 1);
  assert.is(s.os.mappedBytes, 8192);
  assert.equal(events.slice(-3), [[EV.SLOT_EMPTY, 0], [EV.SLOT_EMPTY, 1], [EV.SS_CACHE, 0]]);
});

test('the next stage 3 pops the cached SuperSlab (lruPopHit) without mmap', () => {
  const { heap, t } = heapOf(SMALL);
  const p = mustMalloc(t, C7);
  release(heap, t, [p]);
  const before = audit(heap);
  assert.is(before.superslabs[0]!.state, 'CACHED');
  const q = mustMalloc(t, C7);
  const s = assertHolds(heap);
  assert.is(s.counters.lruPopHit, 1);
  assert.is(s.counters.lruPopMiss, 1); // only the very first map missed
  assert.is(s.counters.stage3Hits, 2);
  assert.is(s.counters.ssAlloc, 1);
  assert.is(s.counters.mmap, before.counters.mmap);
  assert.is(s.superslabs[0]!.state, 'MAPPED');
  assert.is(s.superslabs[0]!.gen, before.superslabs[0]!.gen + 1); // a new incarnation
  assert.is(s.superslabs[0]!.base, before.superslabs[0]!.base);
  assert.equal(s.lru, []);
  assert.is(q, p); // same SuperSlab, same slab, block 0 carved again
});

test('stage 3 pops the newest entry first', () => {
  const { heap, t } = heapOf(SMALL);
  const blocks = fill(t, 2);
  release(heap, t, blocks[0]!);
  release(heap, t, blocks[1]!);
  assert.equal(audit(heap).lru, [1, 0]); // newest first
  const reused: number[] = [];
  t.sink = { event: (kind, _tid, a) => { if (kind === EV.SS_REUSE) reused.push(a); } };
  mustMalloc(t, C7);
  assert.equal(reused, [1]);
  const s = assertHolds(heap);
  assert.equal(s.lru, [0]);
  assert.is(s.counters.lruPopHit, 1);
});

test('TTL (logical clock): an entry younger than the TTL survives trim; at the TTL the next trim unmaps it', () => {
  const { heap, t } = heapOf(TTL1);
  const unmapped: number[][] = [];
  t.sink = { event: (kind, _tid, a, b) => { if (kind === EV.SS_UNMAP) unmapped.push([a, b]); } };
  release(heap, t, [mustMalloc(t, C7)]); // cached at now = 0
  assert.is(audit(heap).superslabs[0]!.stamp, 0);
  run(t, tickOp(t, 999));
  run(t, trim(t));
  let s = assertHolds(heap);
  assert.is(s.superslabs[0]!.state, 'CACHED'); // age 999 < 1000
  assert.is(s.counters.lruEvict, 0);
  run(t, tickOp(t, 1));
  s = assertHolds(heap);
  assert.is(s.nowMs, 1000);
  assert.is(s.superslabs[0]!.state, 'CACHED'); // expired, but nothing ran that evicts
  const munmapBefore = s.counters.munmap;
  run(t, trim(t));
  s = assertHolds(heap);
  assert.is(s.counters.lruEvict, 1);
  assert.is(s.counters.munmap, munmapBefore + 1);
  assert.is(s.superslabs.length, 0);
  assert.equal(s.lru, []);
  assert.is(s.os.vmaCount, 0);
  assert.is(s.os.mappedBytes, 0);
  assert.equal(unmapped, [[0, SS_CACHED]]);
});

test('TTL: an expired entry is unmapped when another SuperSlab is pushed', () => {
  const { heap, t } = heapOf(TTL1);
  const blocks = fill(t, 2);
  release(heap, t, blocks[0]!); // SS 0 cached at 0
  run(t, tickOp(t, 1000));
  release(heap, t, blocks[1]!); // SS 1 pushed at 1000: SS 0 (age 1000) goes first
  const s = assertHolds(heap);
  assert.is(s.counters.lruPush, 2);
  assert.is(s.counters.lruEvict, 1);
  assert.equal(s.lru, [1]);
  assert.equal(s.superslabs.map((x) => x.index), [1]);
  assert.is(s.os.vmaCount, 1);
});

test('TTL: an expired entry is unmapped by the next pop, which then misses and maps fresh', () => {
  const { heap, t } = heapOf(TTL1);
  release(heap, t, [mustMalloc(t, C7)]);
  run(t, tickOp(t, 1000));
  const mmapBefore = counters(heap).mmap;
  mustMalloc(t, C7);
  const s = assertHolds(heap);
  assert.is(s.counters.lruEvict, 1);
  assert.is(s.counters.lruPopHit, 0);
  assert.is(s.counters.lruPopMiss, 2);
  assert.is(s.counters.ssAlloc, 2);
  assert.is(s.counters.mmap, mmapBefore + 1);
  assert.is(s.superslabs.length, 1);
  assert.is(s.superslabs[0]!.state, 'MAPPED');
});

test('TTL: idle trim (tickOp past HAKMEM_TINY_IDLE_TRIM_MS) expires entries without any allocator call', () => {
  const { heap, t } = heapOf({ ...SMALL, HAKMEM_SUPERSLAB_TTL_SEC: 1 }); // idle trim: default 100 ms
  release(heap, t, [mustMalloc(t, C7)]);
  run(t, tickOp(t, 999)); // trim due at 100: runs, entry age 999 — kept; next trim at 1099
  let s = assertHolds(heap);
  assert.is(s.counters.trims, 1);
  assert.is(s.superslabs[0]!.state, 'CACHED');
  run(t, tickOp(t, 101)); // now 1100 >= 1099: trim runs, age 1100 >= 1000
  s = assertHolds(heap);
  assert.is(s.counters.trims, 2);
  assert.is(s.counters.lruEvict, 1);
  assert.is(s.superslabs.length, 0);
  assert.is(s.os.mappedBytes, 0);
});

test('HAKMEM_SUPERSLAB_MAX_CACHED=2: the third push evicts the oldest entry', () => {
  const { heap, t } = heapOf({ ...SMALL, HAKMEM_SUPERSLAB_MAX_CACHED: 2 });
  const blocks = fill(t, 3);
  const events: number[][] = [];
  t.sink = { event: (kind, _tid, a, b) => { if (kind === EV.SS_UNMAP || kind === EV.SS_CACHE) events.push([kind, a, b]); } };
  release(heap, t, blocks[0]!);
  release(heap, t, blocks[1]!);
  assert.equal(audit(heap).lru, [1, 0]);
  const munmapBefore = counters(heap).munmap;
  release(heap, t, blocks[2]!);
  const s = assertHolds(heap);
  assert.equal(s.lru, [2, 1]);
  assert.is(s.lruCount, 2);
  assert.is(s.counters.lruPush, 3);
  assert.is(s.counters.lruEvict, 1);
  assert.is(s.counters.munmap, munmapBefore + 1);
  assert.is(s.os.vmaCount, 2);
  assert.equal(events, [
    [EV.SS_CACHE, 0, 0],
    [EV.SS_CACHE, 1, 0],
    [EV.SS_UNMAP, 0, SS_CACHED],
    [EV.SS_CACHE, 2, 0],
  ]);
});

test('HAKMEM_SUPERSLAB_MAX_MEMORY_MB=1 with 512 KB SuperSlabs: two fit; the third push evicts the oldest', () => {
  // MB granularity needs big SuperSlabs: 2^19 = 512 KB = 8 slabs of the default 64 KB
  // (slab 0 usable 65536 - 2048 = 63488). C7: 31 + 7 x 32 = 255 blocks per SuperSlab.
  const { heap, t } = heapOf({
    HAKMEM_TINY_SS_FORCE_LG: 19,
    HAKMEM_SUPERSLAB_MAX_MEMORY_MB: 1,
    'sim.va_gib': 0.01,
    'sim.phys_mib': 8,
    'sim.max_threads': 2,
    'vm.max_map_count': 64,
  });
  const limits = audit(heap).limits;
  const perSS = limits.capacity[7]![0]! + (limits.slabsPerSS - 1) * limits.capacity[7]![1]!;
  assert.is(perSS, 255);
  assert.is(limits.lruMaxBytes, 2 * limits.ssBytes);
  assert.is(limits.lruMaxCached, 256); // the count limit is far away: bytes bind
  const blocks = fill(t, 3, perSS);
  assert.is(audit(heap).superslabs.length, 3);
  release(heap, t, blocks[0]!);
  release(heap, t, blocks[1]!);
  assert.equal(audit(heap).lru, [1, 0]);
  release(heap, t, blocks[2]!);
  const s = assertHolds(heap);
  assert.equal(s.lru, [2, 1]);
  assert.is(s.counters.lruEvict, 1);
  assert.is(s.os.mappedBytes, 2 * limits.ssBytes);
});

test('LRU off (HAKMEM_SUPERSLAB_MAX_CACHED=0, or MAX_MEMORY_MB below one SuperSlab): munmap at once, no pop tried', () => {
  for (const off of [{ HAKMEM_SUPERSLAB_MAX_CACHED: 0 }, { HAKMEM_SUPERSLAB_MAX_MEMORY_MB: 0 }]) {
    const { heap, t } = heapOf({ ...SMALL, ...off });
    const events: number[][] = [];
    t.sink = { event: (kind, _tid, a, b) => { if (kind !== EV.ACQUIRE_BEGIN && kind !== EV.SLOT_SETTLED) events.push([kind, a, b]); } };
    const p = mustMalloc(t, C7);
    const munmapBefore = counters(heap).munmap;
    events.length = 0;
    release(heap, t, [p]);
    let s = assertHolds(heap);
    const what = JSON.stringify(off);
    assert.is(s.counters.ssFreed, 1, what);
    assert.is(s.counters.lruPush, 0, what);
    assert.is(s.counters.munmap, munmapBefore + 1, what);
    assert.is(s.superslabs.length, 0, what);
    assert.is(s.os.vmaCount, 0, what);
    assert.equal(events, [[EV.SLOT_EMPTY, 0, 7], [EV.SS_UNMAP, 0, SS_MAPPED]], what);
    mustMalloc(t, C7);
    s = assertHolds(heap);
    assert.is(s.counters.lruPopMiss + s.counters.lruPopHit, 0, what); // no LRU to ask
    assert.is(s.counters.ssAlloc, 2, what);
  }
});

// The logical clock is an Int32 of ms (about 24.8 days); a tick past it once wrapped it
// negative and stopped the TTL. It is now refused with a clear error, the clock unchanged.
test('a tick past the logical clock range is a RangeError and changes nothing', () => {
  const { heap, t } = heapOf(SMALL);
  run(t, tickOp(t, CLOCK_MAX_MS - 1000));
  const before = audit(heap).nowMs;
  assert.throws(() => run(t, tickOp(t, 1001)), (e: unknown) => e instanceof RangeError && /24\.8 days/.test((e as Error).message));
  assert.throws(() => run(t, tickOp(t, -1)), (e: unknown) => e instanceof RangeError);
  assert.throws(() => run(t, tickOp(t, 0.5)), (e: unknown) => e instanceof RangeError);
  assert.is(audit(heap).nowMs, before);
  run(t, tickOp(t, 1000)); // exactly to the end is fine
  assert.is(audit(heap).nowMs, CLOCK_MAX_MS);
});

test.run();
