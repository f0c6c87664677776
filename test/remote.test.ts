// Remote frees (seed 003_932746184e5394df.txt §3, seed 004_d59e0d336a26e3fe.txt §4.3):
// a thread freeing a block of a slab it does not own pushes it on the slab's remote
// queue (remote_heads / remote_counts). total_active_blocks drops at once (seed 003
// Option A: "Decrement active blocks immediately on remote free"); `used` only drops
// when the owner drains the queue into its freelist — explicitly (drainOp) or when its
// slab runs out during malloc ("next refill drains remote queue", seed 003 §2.2) — and a
// slab the drain empties turns EMPTY (seed 004 §4.4 / Option A1). A thread that exits
// flushes its cache and drains its queues; a slab it leaves blocks in is ORPHAN, and the
// next thread to free into it adopts it (seed 004 §4.2's partial adopt, per slab).
//
// Geometry: SMALL (test/helpers.ts): SuperSlab = 2 slabs of 4 KB, slab 0 has 4032 usable
// bytes. capacity = usable / stride (seed 004 §3.2): C6 (512 B) 7 blocks in slab 0, 8 in
// slab 1; C7 (2048 B) 1 and 2. Sizes: 500 -> C6, 1024 -> C7 (user size + 1-byte header).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { drainOp, exitOp, free, freeOp, malloc, run } from '../impl/allocator/allocator.js';
import { audit } from '../model/audit.js';
import { ORPHAN } from '../impl/layout.js';
import { attachThread } from '../impl/thread/thread.js';
import { assertHolds, blockOf, heapOf, mustFree, mustMalloc, SMALL, stepping } from './helpers.js';

const C6 = 500;
const C7 = 1024;


const all = (): boolean => true;

test('a free by another thread goes on the slab\'s remote queue: active drops at once, `used` does not (seed 003 §3)', () => {
  const { heap, t: a } = heapOf(SMALL);
  const b = attachThread(heap);
  const ps = [mustMalloc(a, C6), mustMalloc(a, C6), mustMalloc(a, C6)];
  const before = audit(heap);
  assert.is(before.superslabs[0]!.active, 3);

  assert.is(free(b, ps[1]!), 0);
  const s = assertHolds(heap);
  const { slot, idx } = blockOf(heap, s, ps[1]!);
  assert.is(slot.owner, a.tid);
  assert.equal(slot.remote.items, [idx], 'pushed on the owner\'s slab queue');
  assert.is(slot.remoteCount, 1, 'remote_counts');
  assert.is(s.counters.remoteFrees, 1);
  assert.is(s.counters.localFrees, 0);
  // seed 003 Option A: total_active_blocks drops with the push ...
  assert.is(s.superslabs[0]!.active, 2);
  // ... `used` only when the owner drains (seed 003 §2.2 step 3).
  assert.is(slot.used, 3);
  assert.equal(slot.freelist.items, []);
  assert.not.ok(slot.live.includes(idx));
  // Neither thread's cache holds it.
  for (const th of s.threads) assert.is(th.sllCount[6], 0, `thread ${th.tid} cache`);

  // A second remote free stacks on the same queue, newest first (MPSC push).
  assert.is(free(b, ps[2]!), 0);
  const s2 = assertHolds(heap);
  const slot2 = blockOf(heap, s2, ps[2]!).slot;
  assert.equal(slot2.remote.items, [blockOf(heap, s2, ps[2]!).idx, idx]);
  assert.is(slot2.remoteCount, 2);
  assert.is(s2.superslabs[0]!.active, 1);
  assert.is(slot2.used, 3);
});

test('the owner\'s drainOp moves its remote queue to the freelist and lowers `used` (remoteDrained)', () => {
  const { heap, t: a } = heapOf(SMALL);
  const b = attachThread(heap);
  const ps = [mustMalloc(a, C6), mustMalloc(a, C6), mustMalloc(a, C6)];
  mustFree(b, ps[0]!);
  mustFree(b, ps[1]!);

  // Only the owner drains: B's drainOp leaves A's queue where it is.
  run(b, drainOp(b));
  let s = assertHolds(heap);
  assert.is(blockOf(heap, s, ps[0]!).slot.remoteCount, 2);
  assert.is(s.counters.remoteDrained, 0);

  run(a, drainOp(a));
  s = assertHolds(heap);
  const slot = blockOf(heap, s, ps[0]!).slot;
  assert.equal(slot.remote.items, []);
  assert.is(slot.remoteCount, 0);
  assert.equal([...slot.freelist.items].sort(), [blockOf(heap, s, ps[0]!).idx, blockOf(heap, s, ps[1]!).idx].sort());
  assert.is(slot.used, 1);
  assert.is(s.counters.remoteDrained, 2);
  assert.is(s.superslabs[0]!.active, 1, 'already lowered by the pushes; the drain does not lower it again');
  assert.is(slot.state, 'ACTIVE', 'a block is still live');
  assert.is(s.counters.emptyEvents, 0);
  // The drained blocks are reused by the owner.
  const again = [mustMalloc(a, C6), mustMalloc(a, C6)].sort();
  assert.equal(again, [ps[0]!, ps[1]!].sort());
  assertHolds(heap);
});

test('an exhausted slab drains its remote queue during malloc and hands the block back: no new slab', () => {
  const { heap, t: a } = heapOf(SMALL);
  const b = attachThread(heap);
  const cap = heap.cfg.capacity[6 * 2]!; // C6 in slab 0: 4032 / 512 = 7
  assert.is(cap, 7);
  const ps = Array.from({ length: cap }, () => mustMalloc(a, C6));
  let s = audit(heap);
  const slot0 = blockOf(heap, s, ps[0]!).slot;
  assert.is(slot0.carved, cap);
  assert.equal(slot0.freelist.items, []);
  mustFree(b, ps[3]!);
  const stagesBefore = s.counters.stage05Hits + s.counters.stage1Hits + s.counters.stage2Hits + s.counters.stage3Hits;

  const p = malloc(a, C6);
  assert.is(p, ps[3], 'the remotely freed block comes back');
  s = assertHolds(heap);
  assert.is(s.counters.remoteDrained, 1);
  assert.is(s.counters.stage05Hits + s.counters.stage1Hits + s.counters.stage2Hits + s.counters.stage3Hits, stagesBefore,
    'no slab acquired: the drain refilled the bound slab');
  assert.is(s.threads.find((x) => x.tid === a.tid)!.bound[6], slot0.slot);
  const slot = blockOf(heap, s, p).slot;
  assert.is(slot.used, cap);
  assert.is(slot.remoteCount, 0);

  // With nothing queued, the next malloc must leave the exhausted slab for another one.
  const q = mustMalloc(a, C6);
  s = assertHolds(heap);
  assert.is.not(blockOf(heap, s, q).slot.slot, slot0.slot);
  assert.is(s.counters.remoteDrained, 1);
});

test('a slab emptied by a remote drain turns EMPTY; with nothing else in use its SuperSlab goes to the LRU (seed 004 §4.4)', () => {
  const { heap, t: a } = heapOf(SMALL);
  const b = attachThread(heap);
  const keep = mustMalloc(a, C7); // slab 0 (C7), keeps the SuperSlab in use
  const ps = [mustMalloc(a, C6), mustMalloc(a, C6)]; // slab 1 (C6, stage 2)
  for (const p of ps) mustFree(b, p);
  let s = assertHolds(heap);
  const c6 = blockOf(heap, s, ps[0]!).slot;
  assert.is(c6.slab, 1);
  assert.is(c6.used, 2);
  assert.is(c6.state, 'ACTIVE');

  run(a, drainOp(a));
  s = assertHolds(heap);
  const slot = s.superslabs[0]!.slots[1]!;
  assert.is(slot.state, 'EMPTY');
  assert.is(slot.used, 0);
  assert.is(s.counters.emptyEvents, 1);
  assert.is(s.counters.remoteDrained, 2);
  assert.ok(s.emptyLists[6]!.items.includes(slot.slot));
  assert.is(s.threads.find((x) => x.tid === a.tid)!.bound[6], -1);
  assert.is(s.superslabs[0]!.state, 'MAPPED');
  assert.is(s.counters.lruPush, 0);

  // The last block of the SuperSlab, freed remotely and drained: the whole SuperSlab is
  // free (active_slots 0, total_active_blocks 0) and goes to the LRU (seed 000).
  mustFree(b, keep);
  run(a, drainOp(a));
  s = assertHolds(heap);
  assert.is(s.counters.emptyEvents, 2);
  assert.is(s.counters.lruPush, 1);
  assert.is(s.superslabs[0]!.state, 'CACHED');
});

test('a remote free whose ACTIVE drop lands after the owner\'s drain emptied the slab frees the SuperSlab itself (HAKMEM_TINY_TRIM_SS=0)', () => {
  const { heap, t: a } = heapOf({ ...SMALL, HAKMEM_TINY_TRIM_SS: 0, HAKMEM_TINY_SS_RESERVE: 0 });
  const b = attachThread(heap);
  const p = mustMalloc(a, C7);
  const f = stepping(b, freeOp(b, p));
  // remoteFree's accesses: remotePush's count, head read, link, CAS, then the orphan check; the next is the ACTIVE drop, not yet done
  for (let i = 0; i < 6; i++) assert.is(f.next().done, false);
  run(a, drainOp(a)); // drains the block: slab EMPTY; its check of the SuperSlab still counts the block
  let s = audit(heap); // mid-free: ACTIVE still counts the block, as the push's order intends
  assert.is(s.superslabs[0]!.slots[0]!.state, 'EMPTY');
  assert.is(s.superslabs[0]!.active, 1);
  assert.is(s.superslabs[0]!.state, 'MAPPED');
  while (!f.next().done);
  s = assertHolds(heap);
  assert.is(s.superslabs[0]!.active, 0);
  assert.is(s.superslabs[0]!.state, 'CACHED', 'the drop that ended ACTIVE freed it; trim never would');
});

test('thread exit flushes its cache, drains its queues and leaves a slab with blocks out ORPHAN; the next free adopts it (seed 004 §4.2)', () => {
  const { heap, t: a } = heapOf(SMALL);
  const x = attachThread(heap);
  const ps = [mustMalloc(a, C6), mustMalloc(a, C6), mustMalloc(a, C6), mustMalloc(a, C6)];
  mustFree(a, ps[0]!); // in A's TLS SLL
  mustFree(x, ps[1]!); // on the remote queue
  let s = audit(heap);
  assert.is(s.threads.find((t) => t.tid === a.tid)!.sllCount[6], 1);
  const slotId = blockOf(heap, s, ps[0]!).slot.slot;
  assert.is(s.superslabs[0]!.pins, 1, 'A\'s binding pins the SuperSlab');

  run(a, exitOp(a));
  s = assertHolds(heap);
  assert.equal(s.threads.map((t) => t.tid), [x.tid], 'A is gone');
  assert.is(s.counters.tlsDrains, 1, 'exit drained the cache');
  assert.is(s.counters.remoteDrained, 1, 'and the remote queue');
  assert.is(s.counters.allocs, 4, 'an exited thread\'s counters are kept');
  let slot = blockOf(heap, s, ps[2]!).slot;
  assert.is(slot.slot, slotId);
  assert.is(slot.used, 2, 'two blocks still out');
  assert.is(slot.state, 'ACTIVE');
  assert.is(slot.owner, ORPHAN, 'no owner: the next thread to free into it adopts it');
  assert.is(s.counters.orphaned, 1);
  assert.is(s.superslabs[0]!.pins, 0, 'binding dropped');

  // A new thread may take A's thread slot, never A's thread id. Its free adopts the slab
  // and is local; a third thread's free is then remote, to the adopter.
  const b = attachThread(heap);
  assert.is(b.slot, a.slot);
  assert.is.not(b.tid, a.tid);
  assert.is(free(b, ps[2]!), 0);
  s = assertHolds(heap);
  slot = blockOf(heap, s, ps[3]!).slot;
  assert.is(slot.owner, b.tid);
  assert.is(s.counters.adopted, 1);
  assert.is(slot.used, 1);
  assert.is(free(x, ps[3]!), 0);
  s = assertHolds(heap);
  assert.is(s.counters.remoteFrees, 2);
  assert.is(blockOf(heap, s, ps[3]!).slot.remoteCount, 1);

  // The adopter's drain empties the slab (EMPTY); nothing else is in use, so its
  // SuperSlab is free too and goes to the LRU (seed 000).
  run(b, drainOp(b));
  s = assertHolds(heap);
  assert.is(s.counters.emptyEvents, 1);
  assert.is(s.counters.lruPush, 1);
  assert.is(s.superslabs[0]!.state, 'CACHED');
  run(b, exitOp(b));
  run(x, exitOp(x));
  s = assertHolds(heap, all);
  assert.equal(s.threads, []);
  assert.is(s.counters.orphaned, 1, 'nothing left out, nothing orphaned at these exits');
});

test('two threads race to adopt an orphan: one wins, the other frees remotely to it', () => {
  const { heap, t: a } = heapOf(SMALL);
  const ps = [mustMalloc(a, C6), mustMalloc(a, C6)];
  run(a, exitOp(a));
  const b = attachThread(heap);
  const c = attachThread(heap);
  const slow = stepping(b, freeOp(b, ps[0]!));
  assert.is(slow.next().done, false, 'B saw the orphan and stopped before its claim');
  assert.is(free(c, ps[1]!), 0); // C adopts first
  for (let r = slow.next(); !r.done; r = slow.next());
  const s = assertHolds(heap);
  const slot = blockOf(heap, s, ps[0]!).slot;
  assert.is(slot.owner, c.tid);
  assert.is(s.counters.adopted, 1);
  assert.is(s.counters.remoteFrees, 1, 'B lost the claim: its block went on the queue');
  assert.equal(slot.remote.items, [blockOf(heap, s, ps[0]!).idx]);
  assert.is(slot.used, 1);
});

test.run();
