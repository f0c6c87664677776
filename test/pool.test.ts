// The shared pool's acquisition stages (seed 004_d59e0d336a26e3fe.txt §1.2, §4; seed
// 000_86274261e3f63077.txt for the per-class registry): which stage serves a slab, which
// counter moves, what the audit shows, and the lifecycle events reported on the way.
//
// Geometry: SMALL (test/helpers.ts). A SuperSlab is 2^13 = 8 KB = 2 slabs of 4 KB; slab 0
// loses the 64-byte SuperSlab header, so it has 4032 usable bytes. capacity = usable /
// stride (seed 004 §3.2):
//   C7 (2048 B): slab 0 floor(4032/2048) = 1 block, slab 1 4096/2048 = 2 blocks
//   C6 (512 B):  slab 0 floor(4032/512)  = 7 blocks, slab 1 4096/512  = 8 blocks
//   C5 (256 B):  slab 0 15, slab 1 16
// Sizes: a user size s goes to the first class whose stride holds s + 1 (1-byte header):
// 1024 -> C7 (seed 004 §8 uses hak_alloc_at(1024) for class 7), 500 -> C6, 200 -> C5.
// The TLS SLL drain interval is the seed default 1024, so a free stays in the thread
// cache until run(t, drainOp(t)) puts it back in its slab (seed 001 Option B).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { drainOp, free, malloc, run } from '../impl/allocator/allocator.js';
import { audit } from '../model/audit.js';
import { E } from '../impl/errors.js';
import { EV, STAGE_CAP_RECLAIM, STAGE_EMPTY_LIST, STAGE_EMPTY_SCAN, STAGE_NEW_SS, STAGE_UNUSED } from '../impl/events.js';
import { createHeap } from '../impl/heap.js';
import { attachThread } from '../impl/thread/thread.js';
import { firstViolation } from '../model/rules/catalogue.js';
import { assertHolds, counters, heapOf, mustFree, mustMalloc, SMALL } from './helpers.js';

const C7 = 1024;
const C6 = 500;
const C5 = 200;

test('first allocation of a class maps a SuperSlab: stage 3 (LRU miss, then mmap)', () => {
  const { heap, t } = heapOf(SMALL);
  mustMalloc(t, C7);
  const c = counters(heap);
  // Nothing to scan (0.5), no EMPTY list (1), no UNUSED slot (2): stage 3. The LRU is
  // empty, so its pop misses and the SuperSlab comes from one mmap (2x size, trimmed).
  assert.is(c.stage3Hits, 1);
  assert.is(c.stage05Hits + c.stage1Hits + c.stage2Hits, 0);
  assert.is(c.lruPopMiss, 1);
  assert.is(c.lruPopHit, 0);
  assert.is(c.ssAlloc, 1);
  assert.is(c.mmap, 1);
  const s = assertHolds(heap);
  assert.is(s.superslabs.length, 1);
  const ss = s.superslabs[0]!;
  assert.is(ss.state, 'MAPPED');
  assert.is(ss.slots[0]!.state, 'ACTIVE');
  assert.is(ss.slots[0]!.cls, 7);
  assert.is(ss.slots[0]!.capacity, 1); // 4032 / 2048
  assert.is(ss.slots[1]!.state, 'UNUSED');
  assert.is(ss.activeSlots, 1);
  assert.is(ss.unused, 1);
  assert.is(s.unusedSlots, 1);
  assert.is(s.classActive[7], 1);
  // seed 000: the per-class registry is populated when a slab of the class is bound.
  assert.equal(s.registry[7], [ss.index]);
  assert.is(s.os.vmaCount, 1);
  assert.is(s.os.mappedBytes, 8192);
});

test('a second class takes the UNUSED slot of the same SuperSlab: stage 2, no new mapping', () => {
  const { heap, t } = heapOf(SMALL);
  mustMalloc(t, C7);
  mustMalloc(t, C6);
  const c = counters(heap);
  assert.is(c.stage3Hits, 1);
  assert.is(c.stage2Hits, 1);
  assert.is(c.ssAlloc, 1);
  assert.is(c.mmap, 1);
  const s = assertHolds(heap);
  assert.is(s.superslabs.length, 1);
  const slot1 = s.superslabs[0]!.slots[1]!;
  assert.is(slot1.state, 'ACTIVE');
  assert.is(slot1.cls, 6);
  assert.is(slot1.capacity, 8); // 4096 / 512
  assert.is(s.unusedSlots, 0);
  assert.equal(s.registry[6], [0]);
  assert.equal(s.registry[7], [0]);
});

test('an emptied slab goes EMPTY on drain, is listed for stage 1; stage 0.5 reuses it first', () => {
  const { heap, t } = heapOf(SMALL);
  const p = mustMalloc(t, C7); // SS 0 slot 0 (C7, 1 block)
  mustMalloc(t, C6); // SS 0 slot 1 keeps the SuperSlab alive (seed 000: active_slots != 0)
  mustFree(t, p);
  // The free only reached the thread cache: the block still counts in `used`.
  let s = assertHolds(heap);
  assert.is(s.superslabs[0]!.slots[0]!.state, 'ACTIVE');
  assert.is(s.superslabs[0]!.slots[0]!.used, 1);
  assert.is(counters(heap).emptyEvents, 0);
  run(t, drainOp(t));
  s = assertHolds(heap);
  const slot0 = s.superslabs[0]!.slots[0]!;
  assert.is(slot0.state, 'EMPTY');
  assert.is(slot0.used, 0);
  assert.ok(slot0.listed & (1 << slot0.cls), 'on its class\'s stage 1 list');
  assert.equal(s.emptyLists[7]!.items, [0]); // stage 1 list of class 7 (seed 004 §4.4 fix)
  assert.is(s.classActive[7], 0);
  assert.is(s.superslabs[0]!.state, 'MAPPED'); // slot 1 is still ACTIVE: not freed
  assert.is(counters(heap).emptyEvents, 1);
  assert.is(counters(heap).lruPush, 0);

  const q = mustMalloc(t, C7);
  const c = counters(heap);
  // Stage 0.5 scans the class's registry before stage 1 pops the list, and SS 0 is in
  // registry[7] (class 7 was bound there): the scan finds the EMPTY slot first. The same
  // slot, re-initialised, carves block 0 again: the same address.
  assert.is(c.stage05Hits, 1);
  assert.is(c.stage1Hits, 0);
  assert.is(c.stage3Hits, 1);
  assert.is(c.ssAlloc, 1);
  assert.is(q, p);
  s = assertHolds(heap);
  assert.is(s.superslabs[0]!.slots[0]!.state, 'ACTIVE');
  // The list is a hint: the stage 1 entry is left behind, stale, to be dropped by a pop.
  assert.equal(s.emptyLists[7]!.items, [0]);
});

test('HAKMEM_SS_EMPTY_REUSE=0: stage 0.5 never runs, the stage 1 list serves the reuse', () => {
  const { heap, t } = heapOf({ ...SMALL, HAKMEM_SS_EMPTY_REUSE: 0 });
  const p = mustMalloc(t, C7);
  mustMalloc(t, C6);
  mustFree(t, p);
  run(t, drainOp(t));
  assert.equal(assertHolds(heap).emptyLists[7]!.items, [0]);
  const q = mustMalloc(t, C7);
  const c = counters(heap);
  assert.is(c.stage05Hits, 0);
  assert.is(c.stage1Hits, 1);
  assert.is(c.stage3Hits, 1);
  assert.is(q, p);
  const s = assertHolds(heap);
  assert.equal(s.emptyLists[7]!.items, []); // popped
  assert.is(s.superslabs[0]!.slots[0]!.listed, 0);
});

test('stage 0.5 claims an EMPTY slot whatever class it served; the stale stage 1 entry is dropped', () => {
  const { heap, t } = heapOf(SMALL);
  mustMalloc(t, C7); // SS 0 slot 0: C7's single block
  const y = mustMalloc(t, C6); // SS 0 slot 1 (stage 2)
  mustFree(t, y);
  run(t, drainOp(t));
  assert.equal(assertHolds(heap).emptyLists[6]!.items, [1]);
  // C7's slab is exhausted: stage 0.5 scans registry[7] = [SS 0] and binds the EMPTY slot
  // of class 6 to class 7 (seed 004 §4.1: "Bind to class_idx").
  mustMalloc(t, C7);
  let s = assertHolds(heap);
  assert.is(counters(heap).stage05Hits, 1);
  assert.is(s.superslabs[0]!.slots[1]!.state, 'ACTIVE');
  assert.is(s.superslabs[0]!.slots[1]!.cls, 7);
  assert.is(s.superslabs[0]!.slots[1]!.capacity, 2);
  assert.equal(s.emptyLists[6]!.items, [1]); // stale: slot 1 is ACTIVE for class 7 now
  // C6 again: stage 0.5 finds no EMPTY slot in registry[6]; stage 1 pops slot 1, fails
  // its EMPTY -> ACTIVE claim and drops it; no UNUSED slot: stage 3 maps SS 1.
  mustMalloc(t, C6);
  const c = counters(heap);
  assert.is(c.stage1Hits, 0);
  assert.is(c.stage3Hits, 2);
  assert.is(c.ssAlloc, 2);
  s = assertHolds(heap);
  assert.equal(s.emptyLists[6]!.items, []);
  assert.is(s.superslabs[0]!.slots[1]!.listed, 0);
  assert.equal(s.registry[6], [0, 1]);
});

test('registry-unpopulated variant (seed 000 bug): the registry stays empty and the audit flags it', () => {
  const heap = createHeap({ ...SMALL, variants: ['registry-unpopulated'] });
  const t = attachThread(heap);
  const p = mustMalloc(t, C7);
  mustMalloc(t, C6);
  mustFree(t, p);
  run(t, drainOp(t));
  mustMalloc(t, C7);
  const s = audit(heap);
  // seed 000: "Empty scan always returns 0 hits, Stage 0.5 always misses" — the reuse
  // falls through to stage 1, which the model keeps working.
  assert.equal(s.registry[7], []);
  assert.is(s.counters.stage05Hits, 0);
  assert.is(s.counters.stage1Hits, 1);
  assert.is(firstViolation(s)?.id, 'INV-REGISTRY');
});

test('soft cap (HAKMEM_TINY_CAP=1): stage 3 refused, EMPTY slot of another class reclaimed, then legacy', () => {
  const { heap, t } = heapOf({ ...SMALL, HAKMEM_TINY_CAP: 1 });
  const log: number[][] = [];
  t.sink = { event: (kind, _tid, a, b, c) => { if (kind !== EV.ACQUIRE_BEGIN && kind !== EV.SLOT_SETTLED) log.push([kind, a, b, c]); } };
  const x1 = mustMalloc(t, C7); // stage 3: SS 0 slot 0 (cap applies: 0 < 1)
  const x2 = mustMalloc(t, C7); // stage 2: SS 0 slot 1 — the cap is checked by stage 3 only
  assert.is(counters(heap).stage2Hits, 1);
  assert.is(audit(heap).classActive[7], 2); // above the cap: stages 0.5-2 do not consult it
  const y = mustMalloc(t, C6); // C6 has 0 ACTIVE slots < 1: stage 3 maps SS 1
  mustMalloc(t, C5); // stage 2: SS 1 slot 1 keeps SS 1 alive
  mustFree(t, y);
  run(t, drainOp(t)); // SS 1 slot 0 (C6) EMPTY; SS 1 is not in registry[7]
  const x3 = mustMalloc(t, C7); // slot 1's second block
  assert.is(counters(heap).softCapHits, 0);
  log.length = 0;

  // Slot 1 exhausted. 0.5: registry[7] = [SS 0], no EMPTY slot there; 1: C7's list is
  // empty; 2: no UNUSED slot; 3: 2 ACTIVE C7 slots >= cap 1 -> refused; the EMPTY C6
  // slot of SS 1 is reclaimed for class 7 (seed 004 §5.1 fix) instead of going legacy.
  const x4 = mustMalloc(t, C7);
  let c = counters(heap);
  assert.is(c.softCapHits, 1);
  assert.is(c.capReclaims, 1);
  assert.is(c.legacyFallbacks, 0);
  assert.is(c.stage3Hits, 2);
  assert.equal(log, [[EV.SOFT_CAP, 7, 0, 0], [EV.SLOT_CLAIM, 2, 7, STAGE_CAP_RECLAIM]]);
  let s = assertHolds(heap);
  assert.is(s.superslabs[1]!.slots[0]!.cls, 7);
  assert.equal(s.registry[7], [0, 1]);
  log.length = 0;

  // SS 1 slot 0 holds 1 C7 block (4032 / 2048). Next: no EMPTY slot anywhere -> legacy:
  // the block gets a mapping of its own (seed 004 §1.3).
  const vmasBefore = s.os.vmaCount;
  const mmapBefore = c.mmap;
  const legacy = mustMalloc(t, C7);
  c = counters(heap);
  assert.is(c.softCapHits, 2);
  assert.is(c.capReclaims, 1);
  assert.is(c.legacyFallbacks, 1);
  assert.is(c.stage3Hits, 2);
  assert.is(c.mmap, mmapBefore + 1);
  assert.equal(log, [[EV.SOFT_CAP, 7, 0, 0], [EV.LEGACY, 7, 0, 0]]);
  s = assertHolds(heap);
  assert.is(s.legacyLive, 1);
  assert.is(s.os.vmaCount, vmasBefore + 1);
  assert.is(s.superslabs.length, 2);
  assert.is(free(t, legacy + 8), E.FREE_FOREIGN); // inside its mapping, not a block: rejected
  assert.is(audit(heap).legacyLive, 1);
  // Freeing it munmaps its mapping at once (no cache).
  const munmapBefore = c.munmap;
  mustFree(t, legacy);
  s = assertHolds(heap);
  assert.is(s.legacyLive, 0);
  assert.is(s.os.vmaCount, vmasBefore);
  assert.is(s.counters.munmap, munmapBefore + 1);
  assert.is(free(t, legacy), E.FREE_UNMAPPED); // its mapping is gone
  for (const p of [x1, x2, x3, x4]) mustFree(t, p);
  run(t, drainOp(t));
  assertHolds(heap);
});

test('soft cap with an EMPTY slot of the same class: stage 0.5 serves it before stage 3 is asked', () => {
  const { heap, t } = heapOf({ ...SMALL, HAKMEM_TINY_CAP: 1 });
  mustMalloc(t, C6); // SS 0 slot 0 keeps SS 0 alive
  const x = mustMalloc(t, C7); // SS 0 slot 1 (stage 2)
  mustFree(t, x);
  run(t, drainOp(t));
  mustMalloc(t, C7);
  const c = counters(heap);
  assert.is(c.stage05Hits, 1);
  assert.is(c.softCapHits, 0); // stage 3 never ran
  assert.is(c.capReclaims, 0);
  assertHolds(heap);
});

test('lifecycle events of alloc / free / drain / alloc again', () => {
  const heap = createHeap(SMALL);
  const log: number[][] = [];
  const t = attachThread(heap, { event: (kind, tid, a, b, c) => log.push([kind, tid, a, b, c]) });
  const tid = t.tid;
  const p = mustMalloc(t, C7);
  assert.equal(log, [
    [EV.ACQUIRE_BEGIN, tid, 7, 0, 0],
    [EV.SS_MAP, tid, 0, 0, 0],
    [EV.SLOT_CLAIM, tid, 0, 7, STAGE_NEW_SS],
    [EV.SLOT_SETTLED, tid, 0, 7, 0], // counts and registry entry published
  ]);
  log.length = 0;
  mustFree(t, p);
  assert.equal(log, []); // the thread cache took it; no slab changed
  run(t, drainOp(t));
  // The slab's last block came back: slot 0 EMPTY; SS 0 has no ACTIVE slot and no active
  // block, so it is freed to the LRU (seed 000: active_slots == 0 -> superslab_free).
  assert.equal(log, [
    [EV.SLOT_EMPTY, tid, 0, 7, 0],
    [EV.SLOT_SETTLED, tid, 0, 7, 0], // on class 7's stage 1 list
    [EV.SS_CACHE, tid, 0, 0, 0],
  ]);
  log.length = 0;
  mustMalloc(t, C7);
  // Stage 0.5 and 1 find nothing (the cached SuperSlab's slots left the pool), stage 3
  // pops the LRU instead of mapping.
  assert.equal(log, [
    [EV.ACQUIRE_BEGIN, tid, 7, 0, 0],
    [EV.SS_REUSE, tid, 0, 0, 0],
    [EV.SLOT_CLAIM, tid, 0, 7, STAGE_NEW_SS],
    [EV.SLOT_SETTLED, tid, 0, 7, 0],
  ]);
  log.length = 0;
  mustMalloc(t, C6);
  assert.equal(log, [
    [EV.ACQUIRE_BEGIN, tid, 6, 0, 0],
    [EV.SLOT_CLAIM, tid, 1, 6, STAGE_UNUSED],
    [EV.SLOT_SETTLED, tid, 1, 6, 0],
  ]);
  assertHolds(heap);
});

test('events name the reuse stage: 0.5 by default, 1 with the scan off', () => {
  for (const [reuse, stage] of [[1, STAGE_EMPTY_SCAN], [0, STAGE_EMPTY_LIST]] as const) {
    const heap = createHeap({ ...SMALL, HAKMEM_SS_EMPTY_REUSE: reuse });
    const claims: number[][] = [];
    const t = attachThread(heap, { event: (kind, _tid, a, b, c) => { if (kind === EV.SLOT_CLAIM) claims.push([a, b, c]); } });
    const p = mustMalloc(t, C7);
    mustMalloc(t, C6);
    mustFree(t, p);
    run(t, drainOp(t));
    mustMalloc(t, C7);
    assert.equal(claims, [[0, 7, STAGE_NEW_SS], [1, 6, STAGE_UNUSED], [0, 7, stage]], `HAKMEM_SS_EMPTY_REUSE=${reuse}`);
    assertHolds(heap);
  }
});

test('malloc of a non-tiny size is refused without touching the pool', () => {
  const { heap, t } = heapOf(SMALL);
  assert.is(malloc(t, 2048), E.BAD_SIZE); // MAX_TINY_SIZE is 2047 (2048 stride - 1 header)
  const c = counters(heap);
  assert.is(c.stage3Hits + c.legacyFallbacks + c.mmap, 0);
  assertHolds(heap);
});

// A slot that left a list by another route once stayed marked and could not go on the list of
// the class it served next (seed 004 Option A: an EMPTY slab goes on its class's list).
test('an EMPTY C7 slab is reused by the next C7 allocation at stage 1 (HAKMEM_SS_EMPTY_REUSE=0)', () => {
  const { heap, t } = heapOf({ ...SMALL, HAKMEM_SS_EMPTY_REUSE: 0 });
  // SS 0: both slabs C6 (7 + 8 blocks), all freed: slots 0, 1 go on C6's list, SS 0 to the LRU.
  const c6: number[] = [];
  for (let i = 0; i < 9; i++) c6.push(mustMalloc(t, 500));
  for (const p of c6) mustFree(t, p);
  run(t, drainOp(t));
  assert.equal(assertHolds(heap).emptyLists[6]!.items, [0, 1]); // stale: SS 0 is CACHED
  mustMalloc(t, 1024); //                            stage 3, LRU pop: SS 0 slot 0 for C7 (1 block)
  const x2 = mustMalloc(t, 1024); //                 stage 2: SS 0 slot 1 for C7 (still listed under C6)
  const x3 = mustMalloc(t, 1024);
  mustFree(t, x2);
  mustFree(t, x3);
  run(t, drainOp(t)); //                             slot 1 EMPTY (class 7), slot 0 still ACTIVE
  const s = assertHolds(heap);
  assert.is(s.superslabs[0]!.slots[1]!.state, 'EMPTY');
  assert.is(s.superslabs[0]!.slots[1]!.cls, 7);
  // Expected: slot 1 on C7's list. Actual: emptyLists[7] = [], emptyLists[6] = [0, 1].
  assert.ok(s.emptyLists[7]!.items.includes(1), `C7 list ${JSON.stringify(s.emptyLists[7]!.items)}, C6 list ${JSON.stringify(s.emptyLists[6]!.items)}`);
  mustMalloc(t, 1024);
  // Expected: stage 1 reuse, no new SuperSlab. Actual: stage 3 maps SS 1 (ssAlloc 2).
  assert.is(counters(heap).stage1Hits, 1);
  assert.is(counters(heap).ssAlloc, 1);
});

test.run();
