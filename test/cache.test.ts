// The per-thread fast cache, the TLS SLL (seed 001_4c03cbcfeeca547d.txt): a free by the
// owning thread is pushed on its class's list without touching the slab, so `used`
// (meta->used) stays where it was; every HAKMEM_TLS_SLL_DRAIN_INTERVAL frees of a class
// the list drains back to the slabs, lowering `used`, and a slab whose `used` reaches 0
// turns EMPTY (seed 001 Option B). An allocation pops the list first (LIFO). A block
// leaving the list has its header byte checked: a bad one is TLS_SLL_HDR_RESET
// (seed 004_d59e0d336a26e3fe.txt §2), counted and repaired, never a crash.
//
// Geometry: SMALL (test/helpers.ts): a SuperSlab of 2 slabs of 4 KB, slab 0 losing the
// 64-byte header. capacity = usable / stride (seed 004 §3.2): C6 (512 B) holds
// floor(4032/512) = 7 blocks in slab 0 and 8 in slab 1; C7 (2048 B) 1 and 2.
// Sizes: user size s goes to the first class whose stride holds s + 1 (1-byte header):
// 500 -> C6, 200 -> C5, 1024 -> C7.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { drainOp, malloc, run } from '../impl/allocator/allocator.js';
import { audit, type SlotSnap, type Snapshot } from '../model/audit.js';
import { EV } from '../impl/events.js';
import type { Heap } from '../impl/heap.js';
import { writableCell } from '../impl/os/pages.js';
import { cellHeader, cellLink, cellLive, headerByte, makeCell } from '../impl/locators.js';
import type { Thread } from '../impl/thread/thread.js';
import { firstViolation } from '../model/rules/catalogue.js';
import { assertHolds, blockOf, counters, heapOf, mustFree, mustMalloc, SMALL } from './helpers.js';

const C6 = 500;
const C5 = 200;
const C7 = 1024;


/** The f64 cell of the block behind user pointer `p` (its header byte lives there). */
function cellOf(heap: Heap, t: Thread, p: number): number {
  return writableCell(heap, t.cnt, p - 1);
}

/** Overwrites the header byte of the block behind `p`, keeping its link and live bit. */
function corruptHeader(heap: Heap, t: Thread, p: number, header: number): void {
  const cell = cellOf(heap, t, p);
  const v = heap.f64[cell]!;
  heap.f64[cell] = makeCell(cellLink(v), cellLive(v), header);
}

const onlyHeader = (inv: { id: string }): boolean => inv.id === 'INV-HEADER';

test('a free by the owning thread goes to its TLS SLL: `used` and total_active_blocks stay (seed 001 §1)', () => {
  const { heap, t } = heapOf(SMALL);
  const ps = [mustMalloc(t, C6), mustMalloc(t, C6), mustMalloc(t, C6)];
  const before = audit(heap);
  assert.is(blockOf(heap, before, ps[0]!).slot.used, 3);
  assert.is(before.superslabs[0]!.active, 3);

  mustFree(t, ps[1]!);
  const s = assertHolds(heap);
  const th = s.threads.find((x) => x.tid === t.tid)!;
  // seed 001: "tls_sll_push(class_idx, base); // <- Does NOT decrement meta->used"
  assert.is(th.sllCount[6], 1);
  assert.equal(th.sll[6]!.map((b) => b.address), [ps[1]! - 1]);
  assert.ok(th.sll[6]![0]!.headerOk);
  const { slot, idx } = blockOf(heap, s, ps[1]!);
  assert.is(th.sll[6]![0]!.slot, slot.slot);
  assert.is(th.sll[6]![0]!.index, idx);
  assert.is(slot.used, 3, '`used` unchanged by a fast-path free');
  assert.not.ok(slot.live.includes(idx), 'the cached block is no longer live');
  assert.equal(slot.freelist.items, [], 'the slab freelist is not touched');
  // A cached block still counts in total_active_blocks (INV-ACTIVE-SUM: live + cached).
  assert.is(s.superslabs[0]!.active, 3);
  assert.is(s.counters.localFrees, 1);
  assert.is(s.counters.tlsDrains, 0);
  // Other classes' lists are untouched.
  th.sllCount.forEach((n, cls) => { if (cls !== 6) assert.is(n, 0, `class ${cls} list`); });
});

test('HAKMEM_TLS_SLL_DRAIN_INTERVAL frees of a class drain its SLL back to the slab, lowering `used` (seed 001 Option B)', () => {
  const N = 4;
  const { heap, t } = heapOf({ ...SMALL, HAKMEM_TLS_SLL_DRAIN_INTERVAL: N });
  // 7 C6 blocks fill slab 0 exactly (7 = 4032 / 512); one C5 block for a second class.
  const ps = Array.from({ length: 7 }, () => mustMalloc(t, C6));
  const other = mustMalloc(t, C5);
  const slotOf = (s: Snapshot): SlotSnap => blockOf(heap, s, ps[0]!).slot;

  for (let i = 0; i < N - 1; i++) mustFree(t, ps[i]!);
  mustFree(t, other); // a free of another class does not count towards class 6's interval
  let s = assertHolds(heap);
  let th = s.threads[0]!;
  assert.is(s.counters.tlsDrains, 0, `${N - 1} class-6 frees: no drain yet`);
  assert.is(th.sllCount[6], N - 1);
  assert.is(th.sllCount[5], 1);
  assert.is(slotOf(s).used, 7);

  mustFree(t, ps[N - 1]!); // the N-th free of class 6
  s = assertHolds(heap);
  th = s.threads[0]!;
  assert.is(s.counters.tlsDrains, 1);
  assert.is(th.sllCount[6], 0, 'the class 6 SLL is empty after the drain');
  assert.is(th.sllCount[5], 1, 'class 5 is drained on its own schedule');
  const slot = slotOf(s);
  assert.is(slot.used, 7 - N, '`used` lowered by the drained blocks');
  assert.is(slot.freelist.items.length, N);
  assert.equal([...slot.freelist.items].sort(), ps.slice(0, N).map((p) => blockOf(heap, s, p).idx).sort());
  assert.is(s.superslabs[0]!.active, 7 - N + 1, 'drained blocks stop counting as active (+1: the cached C5 block)');
  assert.is(s.counters.emptyEvents, 0, '`used` is not 0: no EMPTY');

  // The interval counts frees since the last drain: N - 1 more frees do not drain again.
  for (let i = N; i < 7 && i < 2 * N - 1; i++) mustFree(t, ps[i]!);
  s = assertHolds(heap);
  assert.is(s.counters.tlsDrains, 1);
  assert.is(slotOf(s).used, 7 - N);
});

test('HAKMEM_TLS_SLL_DRAIN_INTERVAL=0: the SLL never drains by itself; drainOp still does', () => {
  const { heap, t } = heapOf({ ...SMALL, HAKMEM_TLS_SLL_DRAIN_INTERVAL: 0 });
  const ps = Array.from({ length: 5 }, () => mustMalloc(t, C6));
  for (const p of ps) mustFree(t, p);
  let s = assertHolds(heap);
  assert.is(s.counters.tlsDrains, 0);
  assert.is(s.threads[0]!.sllCount[6], 5);
  assert.is(blockOf(heap, s, ps[0]!).slot.used, 5, 'seed 001 symptom: every block freed, `used` still 5');
  assert.is(s.counters.emptyEvents, 0);
  run(t, drainOp(t));
  s = assertHolds(heap);
  assert.is(s.counters.tlsDrains, 1);
  assert.is(s.counters.emptyEvents, 1);
});

test('a drain that brings `used` to 0 makes the slab EMPTY and lists it for reuse (seed 001 Option B, seed 000)', () => {
  const N = 3;
  const { heap, t } = heapOf({ ...SMALL, HAKMEM_TLS_SLL_DRAIN_INTERVAL: N });
  const events: number[][] = [];
  t.sink = { event: (kind, tid, a, b, c) => events.push([kind, tid, a, b, c]) };
  // A C7 block in slab 0 keeps the SuperSlab in use; the C6 slab is slab 1 (stage 2).
  const keep = mustMalloc(t, C7);
  const ps = Array.from({ length: N }, () => mustMalloc(t, C6));
  let s = audit(heap);
  const c6 = blockOf(heap, s, ps[0]!).slot;
  assert.is(c6.slab, 1);
  assert.is(s.threads[0]!.bound[6], c6.slot);

  for (const p of ps) mustFree(t, p);
  s = assertHolds(heap);
  assert.is(s.counters.tlsDrains, 1);
  assert.is(s.counters.emptyEvents, 1);
  const slot = s.superslabs[0]!.slots[1]!;
  assert.is(slot.state, 'EMPTY');
  assert.is(slot.used, 0);
  assert.ok(s.emptyLists[6]!.items.includes(slot.slot), 'on the class 6 stage 1 list');
  assert.is(s.threads[0]!.bound[6], -1, 'an emptied slab is unbound from its thread');
  assert.is(s.classActive[6], 0);
  assert.is(s.superslabs[0]!.state, 'MAPPED', 'slab 0 is still in use: the SuperSlab stays');
  assert.is(s.superslabs[0]!.activeSlots, 1);
  assert.is(s.counters.lruPush, 0);
  const emptied = events.filter((e) => e[0] === EV.SLOT_EMPTY);
  assert.equal(emptied, [[EV.SLOT_EMPTY, t.tid, slot.slot, 6, 0]]);
  assert.ok(blockOf(heap, s, keep).slot.live.length === 1);
});

test('a drain that empties the last slab of a SuperSlab sends it to the LRU (seed 001 §3 chain, seed 000)', () => {
  const N = 2;
  const { heap, t } = heapOf({ ...SMALL, HAKMEM_TLS_SLL_DRAIN_INTERVAL: N });
  const ps = Array.from({ length: N }, () => mustMalloc(t, C6));
  for (const p of ps) mustFree(t, p);
  // seed 001: used == 0 -> shared_pool_release_slab -> superslab_free -> hak_ss_lru_push
  const s = assertHolds(heap);
  assert.is(s.counters.emptyEvents, 1);
  assert.is(s.counters.ssFreed, 1);
  assert.is(s.counters.lruPush, 1);
  assert.is(s.superslabs[0]!.state, 'CACHED');
  assert.equal(s.lru, [s.superslabs[0]!.index]);
  assert.is(s.superslabs[0]!.active, 0);
});

test('an allocation pops the SLL first, last freed first (LIFO), without touching the slab', () => {
  const { heap, t } = heapOf(SMALL);
  const ps = [mustMalloc(t, C6), mustMalloc(t, C6), mustMalloc(t, C6)];
  for (const p of ps) mustFree(t, p);
  const before = audit(heap);
  const slot0 = blockOf(heap, before, ps[0]!).slot;
  assert.is(before.threads[0]!.sllCount[6], 3);
  // The list head is the last block freed.
  assert.equal(before.threads[0]!.sll[6]!.map((b) => b.address + 1), [ps[2], ps[1], ps[0]]);

  // A free of class 6 does not serve class 5: its allocation carves from a new slab.
  const c5 = mustMalloc(t, C5);
  assert.not.ok(ps.includes(c5));
  assert.is(audit(heap).threads[0]!.sllCount[6], 3);

  for (let i = 2; i >= 0; i--) {
    assert.is(malloc(t, C6), ps[i], `pop ${2 - i} returns the block freed ${2 - i} frees ago`);
    const s = assertHolds(heap);
    assert.is(s.threads[0]!.sllCount[6], i);
    const slot = blockOf(heap, s, ps[0]!).slot;
    assert.is(slot.used, 3, 'a cache pop does not change `used`');
    assert.is(slot.carved, slot0.carved, 'nor carve');
    assert.ok(slot.live.includes(blockOf(heap, s, ps[i]!).idx), 'the popped block is live again');
  }
  const s = audit(heap);
  assert.is(s.counters.allocs, 3 + 1 + 3);
  // With the SLL empty, the next allocation carves a fresh block from the slab.
  const fresh = mustMalloc(t, C6);
  assert.not.ok(ps.includes(fresh));
  assert.is(blockOf(heap, audit(heap), fresh).slot.carved, slot0.carved + 1);
});

test('TLS_SLL_HDR_RESET: a cached block with a zeroed header is repaired when an allocation pops it (seed 004 §2)', () => {
  const { heap, t } = heapOf(SMALL);
  const p = mustMalloc(t, C6);
  const q = mustMalloc(t, C6);
  mustFree(t, p);
  // seed 004 §2 log: "cls=6 ... got=0x00 expect=0xa6"
  corruptHeader(heap, t, p, 0x00);
  let s = audit(heap);
  assert.not.ok(s.threads[0]!.sll[6]![0]!.headerOk);
  const bad = firstViolation(s, onlyHeader);
  assert.ok(bad !== null, 'the audit sees the corrupted header');
  assert.equal(blockOf(heap, s, p).slot.badHeaders, [blockOf(heap, s, p).idx]);
  assert.is(s.counters.hdrResets, 0, 'not counted until the block leaves the cache');

  assert.is(malloc(t, C6), p, 'the block is handed out (no crash), same address');
  s = assertHolds(heap);
  assert.is(s.counters.hdrResets, 1);
  const { slot, idx } = blockOf(heap, s, p);
  assert.equal(slot.badHeaders, [], 'header repaired');
  assert.ok(slot.live.includes(idx));
  assert.is(cellHeader(heap.f64[cellOf(heap, t, p)]!), headerByte(6));
  assert.is(cellHeader(heap.f64[cellOf(heap, t, q)]!), headerByte(6), 'the neighbour is untouched');
  // It frees and reallocates normally afterwards, with no further reset.
  mustFree(t, p);
  assert.is(malloc(t, C6), p);
  assert.is(counters(heap).hdrResets, 1);
});

test('TLS_SLL_HDR_RESET: a bad header deeper in the SLL is caught and repaired by the drain', () => {
  const { heap, t } = heapOf(SMALL);
  const ps = [mustMalloc(t, C6), mustMalloc(t, C6), mustMalloc(t, C6)];
  const live = mustMalloc(t, C6); // keeps the slab ACTIVE after the drain
  for (const p of ps) mustFree(t, p);
  // ps[1] sits in the middle of the list; a wrong class's header (0xa7) is as bad as 0x00.
  corruptHeader(heap, t, ps[1]!, headerByte(7));
  assert.ok(firstViolation(audit(heap), onlyHeader) !== null);

  run(t, drainOp(t));
  const s = assertHolds(heap);
  assert.is(s.counters.hdrResets, 1, 'exactly the one bad block');
  assert.is(s.threads[0]!.sllCount[6], 0);
  const slot = blockOf(heap, s, ps[0]!).slot;
  assert.equal(slot.badHeaders, []);
  assert.is(slot.freelist.items.length, 3, 'the list was walked past the bad block: all 3 back in the slab');
  assert.is(slot.used, 1);
  assert.ok(slot.live.includes(blockOf(heap, s, live).idx));
  // The repaired blocks are handed out again from the freelist.
  const again = [mustMalloc(t, C6), mustMalloc(t, C6), mustMalloc(t, C6)].sort();
  assert.equal(again, [...ps].sort());
  assertHolds(heap);
  assert.is(counters(heap).hdrResets, 1);
});

test.run();
