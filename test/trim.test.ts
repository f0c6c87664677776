// Trim (seed 003_932746184e5394df.txt §1.1, hak_tiny_trim): a SuperSlab is freed when
// (1) total_active_blocks == 0, (2) no thread cache holds it, (3) it is beyond the empty
// reserve (HAKMEM_TINY_SS_RESERVE); reserve SuperSlabs stay mapped with every slot UNUSED.
// Orphans: blocks freed remotely (Option A: total_active_blocks drops on the push) into
// the queue of a slab whose owner exited in the meantime — on variant orphan-push-race
// nobody drains it, `used` stays up, and only trim can reclaim the SuperSlab (the design
// closes that race: the pusher adopts the slab). Idle trim (Option B) runs when the logical clock passes
// HAKMEM_TINY_IDLE_TRIM_MS; 0 means never (§1.2: "Default: Disabled").
//
// Geometry: SMALL (test/helpers.ts): SuperSlab 8 KB = 2 slabs of 4 KB; C7 (2048 B) holds
// floor(4032/2048) = 1 block in slab 0 and 2 in slab 1 — C7 allocations 1..3 fill SS 0,
// the 4th maps SS 1. C6 (512 B) holds 7 in slab 0. Seed defaults otherwise: idle trim
// 100 ms, reserve 1, LRU on.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { drainOp, exitOp, free, run, tickOp } from '../impl/allocator/allocator.js';
import { audit, type Snapshot } from '../model/audit.js';
import type { ConfigInput } from '../impl/config.js';
import { E } from '../impl/errors.js';
import { EV } from '../impl/events.js';
import { createHeap, type Heap } from '../impl/heap.js';
import { ORPHAN, SLOT_ACTIVE } from '../impl/layout.js';
import { trim } from '../impl/superslab/trim.js';
import { attachThread, type Thread } from '../impl/thread/thread.js';
import { firstViolation } from '../model/rules/catalogue.js';
import { assertHolds, freeAcrossExit, mustFree, mustMalloc, SMALL } from './helpers.js';

const C7 = 1024;
const C6 = 500;

const liveReclaim = (s: Snapshot) => firstViolation(s, (inv) => inv.id === 'LIVE-RECLAIM');

function twoThreads(input: ConfigInput): { heap: Heap; a: Thread; b: Thread } {
  const heap = createHeap(input);
  return { heap, a: attachThread(heap), b: attachThread(heap) };
}

/** A allocates `n` C7 blocks; B frees them all across A's exit (test/helpers.ts), on variant orphan-push-race. */
function orphan(input: ConfigInput, n: number): { heap: Heap; b: Thread } {
  const { heap, a, b } = twoThreads({ ...input, variants: [...((input.variants as string[] | undefined) ?? []), 'orphan-push-race'] });
  const ptrs: number[] = [];
  for (let i = 0; i < n; i++) ptrs.push(mustMalloc(a, C7));
  freeAcrossExit(b, ptrs, a);
  return { heap, b };
}

test('orphan (seed 003): remote frees, owner exits — slab ACTIVE, queue full, no active block; trim frees the SuperSlab', () => {
  const { heap, b } = orphan({ ...SMALL, HAKMEM_TINY_SS_RESERVE: 0 }, 3);
  let s = assertHolds(heap);
  assert.is(s.counters.remoteFrees, 3);
  assert.equal(s.threads.map((t) => t.tid), [b.tid]);
  const ss = s.superslabs[0]!;
  assert.is(ss.state, 'MAPPED');
  assert.is(ss.active, 0); // Option A: lowered on each remote push
  assert.is(ss.pins, 0); // A's binding went with A
  for (const slot of ss.slots) {
    assert.is(slot.state, 'ACTIVE');
    assert.is(slot.owner, ORPHAN);
    assert.is(slot.used, slot.carved); // nobody drained: `used` still counts the queued blocks
    assert.is(slot.remote.items.length, slot.carved);
    assert.is(slot.remoteCount, slot.carved);
  }
  assert.is(ss.slots[0]!.carved + ss.slots[1]!.carved, 3);
  // B's drain only drains slabs B owns: the orphan stays.
  run(b, drainOp(b));
  assert.is(audit(heap).superslabs[0]!.state, 'MAPPED');
  assert.is(liveReclaim(audit(heap))?.id, 'LIVE-RECLAIM'); // never reclaimed without trim

  run(b, trim(b));
  s = assertHolds(heap);
  assert.is(s.counters.trims, 1);
  assert.is(s.counters.ssFreed, 1);
  assert.is(s.counters.lruPush, 1);
  assert.is(s.counters.ssReset, 0);
  assert.is(s.superslabs[0]!.state, 'CACHED');
  assert.is(s.classActive[7], 0);
  assert.is(liveReclaim(s), null);
  // Past the TTL (60 s default) idle trim unmaps it: nothing stays mapped (reserve 0).
  run(b, tickOp(b, 60_000));
  s = assertHolds(heap, () => true);
  assert.is(s.superslabs.length, 0);
  assert.is(s.os.mappedBytes, 0);
});

test('the design closes the orphan race: the pushes adopt the slabs, the adopter\'s drain frees the SuperSlab without trim', () => {
  const { heap, a, b } = twoThreads({ ...SMALL, HAKMEM_TINY_SS_RESERVE: 0, HAKMEM_TINY_TRIM_SS: 0 });
  const ptrs = [mustMalloc(a, C7), mustMalloc(a, C7), mustMalloc(a, C7)];
  freeAcrossExit(b, ptrs, a);
  let s = assertHolds(heap);
  assert.is(s.counters.orphaned, 2);
  assert.is(s.counters.adopted, 2); // B's first push into each slab adopts it
  for (const slot of s.superslabs[0]!.slots) assert.is(slot.owner, b.tid);
  run(b, drainOp(b));
  s = assertHolds(heap);
  assert.is(s.counters.trims, 0);
  assert.is(s.superslabs[0]!.state, 'CACHED');
  assert.is(liveReclaim(s), null);
});

test('trim keeps HAKMEM_TINY_SS_RESERVE=1 orphan mapped, every slot UNUSED (ssReset), frees the next', () => {
  // 4 C7 blocks: SS 0 (slots 0, 1) and SS 1 (slot 2). Both orphaned.
  const { heap, b } = orphan(SMALL, 4);
  let s = assertHolds(heap);
  assert.equal(s.superslabs.map((x) => [x.state, x.active]), [['MAPPED', 0], ['MAPPED', 0]]);
  const events: number[][] = [];
  b.sink = { event: (kind, _tid, a, bb) => events.push([kind, a, bb]) };
  run(b, trim(b));
  s = assertHolds(heap);
  assert.is(s.counters.ssReset, 1);
  assert.is(s.counters.ssFreed, 1);
  const reserve = s.superslabs[0]!;
  assert.is(reserve.state, 'MAPPED');
  assert.equal(reserve.slots.map((x) => x.state), ['UNUSED', 'UNUSED']);
  assert.is(reserve.unused, 2);
  assert.is(reserve.activeSlots, 0);
  assert.is(s.unusedSlots, 2);
  assert.is(s.superslabs[1]!.state, 'CACHED');
  assert.equal(events, [
    [EV.SLOT_RESET, 0, SLOT_ACTIVE],
    [EV.SLOT_RESET, 1, SLOT_ACTIVE],
    [EV.SS_RESET, 0, 0],
    [EV.SS_CACHE, 1, 0],
  ]);
  assert.is(liveReclaim(s), null); // one empty SuperSlab mapped = the reserve
  // A second trim keeps the same reserve and has nothing to reset.
  run(b, trim(b));
  s = assertHolds(heap);
  assert.is(s.counters.ssReset, 1);
  assert.is(s.counters.ssFreed, 1);
  assert.is(s.superslabs[0]!.state, 'MAPPED');
  // The reserve serves the next allocation at stage 2, without mmap or an LRU pop.
  const mmapBefore = s.counters.mmap;
  mustMalloc(b, C6);
  s = assertHolds(heap);
  assert.is(s.counters.stage2Hits, 2); // A's slab 1 earlier, now B's
  assert.is(s.counters.lruPopHit, 0);
  assert.is(s.counters.mmap, mmapBefore);
  // Stage 2 skips SS 1 (cached: no UNUSED slots in the pool) and claims the reserve's slab 0.
  assert.is(s.superslabs[0]!.slots[0]!.state, 'ACTIVE');
  assert.is(s.superslabs[0]!.slots[0]!.cls, 6);
});

test('a SuperSlab whose slab is bound to a live thread is not trimmed; the owner\'s drain frees it', () => {
  const { heap, a, b } = twoThreads({ ...SMALL, HAKMEM_TINY_SS_RESERVE: 0 });
  const x = mustMalloc(a, C6); // slot 0, 1 of 7 blocks: stays bound to A
  mustFree(b, x);
  let s = assertHolds(heap);
  assert.is(s.superslabs[0]!.active, 0);
  assert.is(s.superslabs[0]!.pins, 1);
  run(b, trim(b));
  s = assertHolds(heap);
  assert.is(s.counters.trims, 1);
  assert.is(s.counters.ssFreed + s.counters.ssReset, 0);
  assert.is(s.superslabs[0]!.state, 'MAPPED');
  assert.is(s.superslabs[0]!.slots[0]!.remote.items.length, 1);
  // The owner drains its remote queue: `used` reaches 0, the slab goes EMPTY, the
  // SuperSlab has no ACTIVE slot left and goes to the LRU (seed 000).
  run(a, drainOp(a));
  s = assertHolds(heap);
  assert.is(s.counters.remoteDrained, 1);
  assert.is(s.counters.emptyEvents, 1);
  assert.is(s.counters.ssFreed, 1);
  assert.is(s.superslabs[0]!.state, 'CACHED');
});

test('trim never frees a SuperSlab with an active block, live or in its owner\'s thread cache', () => {
  const { heap, a, b } = twoThreads({ ...SMALL, HAKMEM_TINY_SS_RESERVE: 0 });
  const [x1, x2, x3] = [mustMalloc(a, C7), mustMalloc(a, C7), mustMalloc(a, C7)]; // fill SS 0
  mustMalloc(a, C7); // SS 1 slot 0: A's binding moves there, SS 0 is unpinned
  mustFree(a, x1!); // A's own free: into A's thread cache, still active (seed 001)
  mustFree(b, x2!);
  mustFree(b, x3!);
  let s = assertHolds(heap);
  assert.is(s.superslabs[0]!.pins, 0);
  assert.is(s.superslabs[0]!.active, 1);
  assert.is(s.superslabs[1]!.active, 1);
  run(b, trim(b));
  s = assertHolds(heap);
  assert.is(s.counters.ssFreed + s.counters.ssReset, 0);
  assert.equal(s.superslabs.map((x) => x.state), ['MAPPED', 'MAPPED']);
  // A's drain returns x1 to slab 0 and drains slab 1's remote queue: SS 0 empties.
  run(a, drainOp(a));
  s = assertHolds(heap);
  assert.is(s.counters.emptyEvents, 2);
  assert.equal(s.superslabs.map((x) => x.state), ['CACHED', 'MAPPED']);
});

test('variant remote-free-skips-active (seed 003 §3 bug): the orphan keeps total_active_blocks > 0 and trim never frees it', () => {
  const { heap, b } = orphan({ ...SMALL, HAKMEM_TINY_SS_RESERVE: 0, variants: ['remote-free-skips-active'] }, 1);
  run(b, trim(b));
  const s = audit(heap);
  assert.is(s.superslabs[0]!.active, 1); // "permanently inflated"
  assert.is(s.counters.ssFreed, 0);
  assert.is(s.superslabs[0]!.state, 'MAPPED');
  assert.is(firstViolation(s)?.id, 'INV-ACTIVE-SUM');
});

test('idle trim (seed 003 Option B): runs once the clock passes HAKMEM_TINY_IDLE_TRIM_MS, reclaims the orphan', () => {
  const { heap, b } = orphan({ ...SMALL, HAKMEM_TINY_SS_RESERVE: 0, HAKMEM_TINY_IDLE_TRIM_MS: 100 }, 1);
  run(b, tickOp(b, 99));
  let s = assertHolds(heap);
  assert.is(s.counters.trims, 0);
  assert.is(s.superslabs[0]!.state, 'MAPPED');
  run(b, tickOp(b, 1)); // now = 100: due
  s = assertHolds(heap);
  assert.is(s.counters.trims, 1);
  assert.is(s.superslabs[0]!.state, 'CACHED');
  run(b, tickOp(b, 99)); // next due at 200
  assert.is(audit(heap).counters.trims, 1);
  run(b, tickOp(b, 1));
  assert.is(audit(heap).counters.trims, 2);
  // One long tick is one trim, not one per interval skipped.
  run(b, tickOp(b, 1000));
  assert.is(assertHolds(heap).counters.trims, 3);
});

test('no idle trim with HAKMEM_TINY_IDLE_TRIM_MS=0 (or variant no-idle-trim): the orphan stays until trim() is called', () => {
  for (const off of [{ HAKMEM_TINY_IDLE_TRIM_MS: 0 }, { variants: ['no-idle-trim'] }] as ConfigInput[]) {
    const what = JSON.stringify(off);
    const { heap, b } = orphan({ ...SMALL, HAKMEM_TINY_SS_RESERVE: 0, ...off }, 1);
    for (let i = 0; i < 10; i++) run(b, tickOp(b, 100_000));
    let s = assertHolds(heap);
    assert.is(s.nowMs, 1_000_000, what);
    assert.is(s.counters.trims, 0, what);
    assert.is(s.superslabs[0]!.state, 'MAPPED', what);
    assert.is(liveReclaim(s)?.id, 'LIVE-RECLAIM', what);
    run(b, trim(b));
    s = assertHolds(heap);
    assert.is(s.counters.trims, 1, what);
    assert.is(s.superslabs[0]!.state, 'CACHED', what);
  }
});

test('HAKMEM_TINY_TRIM_SS=0: trim frees no SuperSlab (it still expires LRU entries)', () => {
  // 3 blocks fill SS 0, so B's allocation below maps SS 1 instead of taking SS 0's slab 1.
  const { heap, b } = orphan({ ...SMALL, HAKMEM_TINY_SS_RESERVE: 0, HAKMEM_TINY_TRIM_SS: 0, HAKMEM_TINY_IDLE_TRIM_MS: 0 }, 3);
  // SS 1, emptied normally, goes to the LRU at now = 0.
  const p = mustMalloc(b, C7);
  mustFree(b, p);
  run(b, drainOp(b));
  let s = assertHolds(heap);
  assert.equal(s.superslabs.map((x) => x.state), ['MAPPED', 'CACHED']);
  run(b, tickOp(b, 60_000)); // the TTL
  run(b, trim(b));
  s = assertHolds(heap);
  assert.is(s.counters.trims, 1);
  assert.is(s.counters.ssFreed, 1); // only the normal free
  assert.is(s.counters.lruEvict, 1);
  assert.equal(s.superslabs.map((x) => x.state), ['MAPPED']);
});

test('a free after the owner exited adopts its slab, and a double free is refused', () => {
  const { heap, a, b } = twoThreads(SMALL);
  const x = mustMalloc(a, C6);
  const y = mustMalloc(a, C6);
  run(a, exitOp(a));
  mustFree(b, x); // adopts: a local free, to the freelist
  assert.is(free(b, x), E.FREE_DOUBLE);
  mustFree(b, y); // B's own slab now: into B's thread cache
  let s = assertHolds(heap);
  const slot = s.superslabs[0]!.slots[0]!;
  assert.is(slot.owner, b.tid);
  assert.is(s.counters.adopted, 1);
  assert.is(s.counters.remoteFrees, 0);
  assert.is(s.superslabs[0]!.active, 1); // y, cached
  run(b, drainOp(b));
  s = assertHolds(heap);
  assert.is(s.counters.emptyEvents, 1);
  assert.is(s.superslabs[0]!.active, 0);
});

test.run();
