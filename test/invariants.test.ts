// The snapshot rules (model/rules/safety.ts, liveness.ts) judged on hand-built snapshots: for every
// invariant, a snapshot audited from a real heap passes it, and a deep copy with one
// minimal hand-made corruption — modelling the seed bug the invariant is about — fails
// it with that invariant's id and a located, non-empty report. The corruption table must
// cover exactly the catalogue, so a new invariant without a test fails this suite.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { drainOp, exitOp, malloc, run, tickOp } from '../impl/allocator/allocator.js';
import { audit, type CachedBlock, type SlotSnap, type Snapshot, type SsSnap, type ThreadSnap } from '../model/audit.js';
import { createHeap } from '../impl/heap.js';
import { classOfSize } from '../impl/sizeclass.js';
import { attachThread } from '../impl/thread/thread.js';
import { firstViolation, snapshotRule, SNAPSHOT_RULES, type Violation } from '../model/rules/catalogue.js';
import type { CheckedRule } from '../model/rules/rule.js';
import { Marks } from '../model/rules/views.js';
import { freeAcrossExit, mustFree, mustMalloc, SMALL } from './helpers.js';

// ---------------------------------------------------------------- the good snapshots

// User sizes and their classes: a user pointer is block base + 1 (1-byte header), so a
// class serves sizes up to stride - 1 (impl/sizeclass.ts).
const C7_SIZE = 2000; // 2048 stride: SMALL holds 1 block in slab 0 (4096 - 64 header), 2 in slab 1
const C2_SIZE = 16; // 32 stride
const C4_SIZE = 64; // 128 stride
const C5_SIZE = 200; // 256 stride

// SMALL (SuperSlab of 2 slabs of 4 KB) with a soft cap of 1 ACTIVE slot per class for
// stage 3 (seed 004 §1.2): the cap is what sends an allocation to the legacy path
// (seed 004 §1.3 shared_fail->legacy) when no EMPTY slot can be reclaimed.
const CONFIG = { ...SMALL, HAKMEM_TINY_CAP: 1 };

/**
 * A heap mid-run, at a quiescent point: several classes with live blocks, blocks in a
 * thread cache (TLS SLL, seed 001), a remote free pending in a slab's queue from a second
 * thread (seed 003 §3), an EMPTY slot on its stage 1 list (seed 004 §4.4), a SuperSlab in
 * the LRU (seed 000), a legacy block (seed 004 §1.3).
 */
function busySnapshot(): Snapshot {
  const heap = createHeap(CONFIG);
  const a = attachThread(heap);
  const b = attachThread(heap);
  const c = attachThread(heap);
  // SuperSlab 0, all class 7: slab 0 (1 block) from stage 3, slab 1 (2 blocks) from
  // stage 2 (no cap check there); the 4th block finds class 7 at its cap of 1 and no
  // EMPTY slot anywhere, so it goes to the legacy path.
  const c7 = [mustMalloc(a, C7_SIZE), mustMalloc(a, C7_SIZE), mustMalloc(a, C7_SIZE)];
  mustMalloc(a, C7_SIZE); // legacy, stays live
  // SuperSlab 1, slab 0: class 2, owned by a. Block 3 goes back to the freelist.
  const c2 = [mustMalloc(a, C2_SIZE), mustMalloc(a, C2_SIZE), mustMalloc(a, C2_SIZE), mustMalloc(a, C2_SIZE)];
  mustFree(a, c2[3]!);
  run(a, drainOp(a));
  // SuperSlab 1, slab 1 (stage 2): class 4 for b, freed and drained: EMPTY, on the class 4
  // list; slab 0 stays ACTIVE, so SuperSlab 1 stays mapped.
  const q4 = mustMalloc(b, C4_SIZE);
  mustFree(b, q4);
  run(b, drainOp(b));
  // SuperSlab 2 (stage 3, nothing UNUSED left): class 5 for c, freed, drained, c exits:
  // no slot ACTIVE, no block active, no pin -> freed to the LRU.
  const r5 = mustMalloc(c, C5_SIZE);
  mustFree(c, r5);
  run(c, drainOp(c));
  run(c, exitOp(c));
  // Thread caches of a: one class 2 block, one class 7 block.
  mustFree(a, c2[1]!);
  mustFree(a, c7[0]!);
  // A remote free: b frees a's class 2 block 0; it waits in the slab's queue.
  mustFree(b, c2[0]!);
  return audit(heap);
}

/**
 * A quiesced heap: everything freed (locally, remotely, a legacy block), drained, every
 * thread exited, trimmed, the clock past the TTL. b's frees of a's blocks land across a's
 * exit (variant orphan-push-race: the design adopts such slabs), leaving two ORPHAN slabs holding only remotely freed blocks: no thread can drain
 * them and only trim (seed 003 §1.1:
 * total_active_blocks == 0, not held by a thread) reclaims those SuperSlabs: one is kept
 * as the empty reserve (HAKMEM_TINY_SS_RESERVE=1), the other goes to the LRU.
 */
function quiescedSnapshot(): Snapshot {
  const heap = createHeap({ ...CONFIG, variants: ['orphan-push-race'] }); // the race freeAcrossExit needs
  const a = attachThread(heap);
  const b = attachThread(heap);
  const c7 = [mustMalloc(a, C7_SIZE), mustMalloc(a, C7_SIZE), mustMalloc(a, C7_SIZE)];
  const legacy = mustMalloc(a, C7_SIZE);
  const c2 = [mustMalloc(a, C2_SIZE), mustMalloc(a, C2_SIZE), mustMalloc(a, C2_SIZE)];
  const q4 = [mustMalloc(b, C4_SIZE), mustMalloc(b, C4_SIZE)];
  mustFree(a, c2[0]!);
  mustFree(a, c7[0]!);
  mustFree(a, legacy);
  run(a, drainOp(a));
  mustFree(b, q4[1]!);
  mustFree(a, q4[0]!);
  freeAcrossExit(b, [c2[1]!, c2[2]!, c7[1]!, c7[2]!], a);
  run(b, drainOp(b));
  run(b, exitOp(b));
  const t = attachThread(heap);
  const { lruTtlMs, idleTrimMs } = audit(heap).limits;
  // The first tick's trim frees one SuperSlab into the LRU at the new time; the entry
  // lives a TTL from then, so a second tick past the TTL is what evicts it.
  run(t, tickOp(t, lruTtlMs + idleTrimMs));
  run(t, tickOp(t, lruTtlMs + idleTrimMs));
  run(t, exitOp(t));
  return audit(heap);
}

const BUSY = busySnapshot();
const QUIESCED = quiescedSnapshot();
const baseFor = (inv: CheckedRule<Snapshot>): Snapshot => (inv.kind === 'liveness' ? QUIESCED : BUSY);

// ---------------------------------------------------------------- snapshot lookups

const pooled = (ss: SsSnap): boolean => ss.state !== 'CACHED';
const slotWhere = (ss: SsSnap, slot: SlotSnap): string => `SuperSlab ${ss.index} slab ${slot.slab}`;

function findSlot(s: Snapshot, what: string, pred: (slot: SlotSnap, ss: SsSnap) => boolean): [SsSnap, SlotSnap] {
  for (const ss of s.superslabs) for (const slot of ss.slots) if (pred(slot, ss)) return [ss, slot];
  throw new Error(`scenario has no ${what}`);
}

function findSs(s: Snapshot, what: string, pred: (ss: SsSnap) => boolean): SsSnap {
  const ss = s.superslabs.find(pred);
  if (ss === undefined) throw new Error(`scenario has no ${what}`);
  return ss;
}

/** A block in a thread's TLS SLL, with the slot it belongs to. */
function cachedBlock(s: Snapshot): { t: ThreadSnap; cls: number; block: CachedBlock; ss: SsSnap; slot: SlotSnap } {
  for (const t of s.threads) {
    for (let cls = 0; cls < t.sll.length; cls++) {
      const block = t.sll[cls]![0];
      if (block === undefined) continue;
      const [ss, slot] = findSlot(s, `slot ${block.slot}`, (x) => x.slot === block.slot);
      return { t, cls, block, ss, slot };
    }
  }
  throw new Error('scenario has no thread-cached block');
}

const remoteSlot = (s: Snapshot): [SsSnap, SlotSnap] =>
  findSlot(s, 'ACTIVE slab with a pending remote free', (x) => x.state === 'ACTIVE' && x.remote.items.length > 0);
const freelistSlot = (s: Snapshot): [SsSnap, SlotSnap] =>
  findSlot(s, 'ACTIVE slab with a freelist', (x) => x.state === 'ACTIVE' && x.freelist.items.length > 0);
const liveSlot = (s: Snapshot): [SsSnap, SlotSnap] =>
  findSlot(s, 'ACTIVE slab with live blocks', (x) => x.state === 'ACTIVE' && x.live.length > 0);
const emptySlot = (s: Snapshot, listed = true): [SsSnap, SlotSnap] =>
  findSlot(s, `${listed ? 'listed ' : ''}EMPTY slot in a pooled SuperSlab`, (x, ss) => x.state === 'EMPTY' && ((x.listed & (1 << x.cls)) !== 0 || !listed) && pooled(ss));

/** Takes `slot` off its class's stage 1 list (`strict`: it must have been on it). */
function unlist(s: Snapshot, slot: SlotSnap, strict = true): void {
  const list = s.emptyLists[slot.cls]!;
  const items = list.items.filter((x) => x !== slot.slot);
  s.emptyLists[slot.cls] = { ...list, items }; // replaced, not edited: an empty list is the snapshots' shared frozen one
  if (strict && items.length !== list.items.length - 1) throw new Error(`slot ${slot.slot} was not on the class ${slot.cls} list`);
}

// ---------------------------------------------------------------- the corruptions

interface Corruption {
  /** The bug it models. */
  name: string;
  /** Corrupts `s` in place; returns a string the violation's `where` must contain. */
  apply(s: Snapshot): string;
}

const CORRUPTIONS: Record<string, Corruption[]> = {
  'INV-FREELIST': [
    {
      // seed 003 §3.2 / 004 §4.3: a block pushed while already at the head links to itself
      // further down; the audit's bounded walk reports `cycle: true` past the capacity.
      name: 'freelist made cyclic',
      apply(s) {
        const [ss, slot] = freelistSlot(s);
        const items = slot.freelist.items;
        const walk: number[] = [];
        while (walk.length <= slot.capacity) walk.push(items[walk.length % items.length]!);
        slot.freelist = { items: walk, cycle: true };
        return slotWhere(ss, slot);
      },
    },
    {
      name: 'freelist holds a block twice (double free)',
      apply(s) {
        const [ss, slot] = freelistSlot(s);
        slot.freelist = { ...slot.freelist, items: [...slot.freelist.items, slot.freelist.items[0]!] };
        return slotWhere(ss, slot);
      },
    },
    {
      // A remote free of a block past the carve mark (never handed out).
      name: 'remote queue links a block outside the carved range',
      apply(s) {
        const [ss, slot] = remoteSlot(s);
        assert.ok(slot.carved < slot.capacity, 'the slab has uncarved blocks');
        slot.remote = { ...slot.remote, items: [...slot.remote.items, slot.carved] };
        slot.remoteCount++;
        return slotWhere(ss, slot);
      },
    },
  ],
  'INV-CONSERVATION': [
    {
      // seed 001 §2: a block that is nowhere — dropped off the freelist.
      name: 'a block dropped from a freelist (lost)',
      apply(s) {
        const [ss, slot] = freelistSlot(s);
        slot.freelist = { ...slot.freelist, items: slot.freelist.items.slice(1) };
        return slotWhere(ss, slot);
      },
    },
    {
      // seed 003 §3: a block freed locally (into the TLS cache) and then remotely.
      name: 'a thread-cached block also on its slab\'s remote queue',
      apply(s) {
        const { block, ss, slot } = cachedBlock(s);
        slot.remote = { ...slot.remote, items: [...slot.remote.items, block.index] };
        slot.remoteCount++;
        return slotWhere(ss, slot);
      },
    },
    {
      name: 'a thread cache dropped a block (cache lost without a flush)',
      apply(s) {
        const { t, cls, ss, slot } = cachedBlock(s);
        t.sll[cls] = t.sll[cls]!.slice(1);
        t.sllCount[cls]!--;
        return slotWhere(ss, slot);
      },
    },
  ],
  'INV-USED': [
    {
      // seed 001 §2: "meta->used must reflect true state" — off by one.
      name: '`used` one too high',
      apply(s) {
        const [ss, slot] = liveSlot(s);
        slot.used++;
        return slotWhere(ss, slot);
      },
    },
  ],
  'INV-REMOTE-COUNT': [
    {
      // seed 003 §3.2: the push landed but remote_counts was not incremented.
      name: 'remote count one short of the queue',
      apply(s) {
        const [ss, slot] = remoteSlot(s);
        slot.remoteCount--;
        return slotWhere(ss, slot);
      },
    },
  ],
  'INV-ACTIVE-SUM': [
    {
      // seed 003 §3.2: ss_remote_push without ss_active_dec_one — the pending remote free
      // still counts in total_active_blocks.
      name: 'remote free without the active decrement',
      apply(s) {
        const [ss] = remoteSlot(s);
        ss.active++;
        return `SuperSlab ${ss.index}`;
      },
    },
  ],
  'INV-DISJOINT': [
    {
      // seed 004 §2 hypothesis 3: the slab was reused (here by another thread) while a
      // thread cache still held one of its blocks.
      name: 'cached block in a slab now owned by another thread',
      apply(s) {
        const { t, cls, slot } = cachedBlock(s);
        const other = s.threads.find((x) => x.tid !== t.tid);
        assert.ok(other, 'a second thread');
        slot.owner = other.tid;
        return `thread ${t.tid} class ${cls} cache`;
      },
    },
    {
      // seed 004 §2 hypothesis 1: the slab went EMPTY (free to reuse) with a block still live.
      name: 'live block in an EMPTY slab',
      apply(s) {
        const [ss, slot] = liveSlot(s);
        slot.state = 'EMPTY';
        return slotWhere(ss, slot);
      },
    },
  ],
  'INV-SLOT-STATE': [
    {
      // seed 004 §4.3-4.4 (variant drain-skips-empty): the drain lowered `used` to 0 but
      // never marked the slab EMPTY: still ACTIVE, still counted, on no list, unbound.
      name: 'EMPTY never detected: ACTIVE slab with used 0',
      apply(s) {
        const [ss, slot] = emptySlot(s, false);
        unlist(s, slot, false);
        slot.listed &= ~(1 << slot.cls);
        slot.state = 'ACTIVE';
        ss.activeSlots++;
        s.classActive[slot.cls]!++;
        return slotWhere(ss, slot);
      },
    },
    {
      // seed 000: a release that did not lower active_slots keeps the SuperSlab from freeing.
      name: 'active_slots not lowered on release',
      apply(s) {
        const [ss] = emptySlot(s);
        ss.activeSlots++;
        return `SuperSlab ${ss.index}`;
      },
    },
    {
      name: 'class_active_slots drifted (soft cap counts a slab that is not ACTIVE)',
      apply(s) {
        const [, slot] = emptySlot(s);
        s.classActive[slot.cls]!++;
        return `class ${slot.cls}`;
      },
    },
    {
      // a release the pool's EMPTY count missed: stage 0.5 would skip its scan with an EMPTY slot there
      name: 'pool EMPTY count below the EMPTY slots',
      apply(s) {
        emptySlot(s);
        s.emptySlots--;
        return 'shared pool';
      },
    },
  ],
  'INV-EMPTY-LISTED': [
    {
      // seed 004 §4.4: "EMPTY slabs accumulate but never recycle" — released, never pushed.
      name: 'EMPTY slot removed from its stage 1 list',
      apply(s) {
        const [ss, slot] = emptySlot(s);
        unlist(s, slot);
        slot.listed &= ~(1 << slot.cls);
        return slotWhere(ss, slot);
      },
    },
    {
      // A push that set LISTED but lost its CAS for good: the slot can never be pushed again.
      name: 'slot marked listed but on no list',
      apply(s) {
        const [ss, slot] = emptySlot(s);
        unlist(s, slot);
        return slotWhere(ss, slot);
      },
    },
  ],
  'INV-REGISTRY': [
    {
      // seed 000: "g_super_reg_by_class[][] is not populated" — stage 0.5 can never hit.
      name: 'SuperSlab missing from its class registry',
      apply(s) {
        const [ss, slot] = liveSlot(s);
        const reg = s.registry[slot.cls]!;
        assert.ok(reg.includes(ss.index));
        s.registry[slot.cls] = reg.filter((x) => x !== ss.index);
        return `class ${slot.cls} registry`;
      },
    },
    {
      name: 'registry lists a SuperSlab twice',
      apply(s) {
        const [ss, slot] = liveSlot(s);
        s.registry[slot.cls] = [...s.registry[slot.cls]!, ss.index];
        return `class ${slot.cls} registry`;
      },
    },
  ],
  'INV-OWNER': [
    {
      // seed 004 §4.2: the exit kept its slab instead of leaving it for adoption.
      name: 'an ACTIVE slab still owned by an exited thread',
      apply(s) {
        const held = new Set(s.threads.flatMap((t) => [...t.bound, ...t.sll.flat().map((b) => b.slot)]));
        const [ss, slot] = findSlot(s, 'ACTIVE slot no thread binds or caches', (x, y) => x.state === 'ACTIVE' && pooled(y) && !held.has(x.slot));
        slot.owner = Math.max(...s.threads.map((t) => t.tid)) + 1;
        return slotWhere(ss, slot);
      },
    },
  ],
  'INV-PINS': [
    {
      // seed 003 §1.1 ("not cached in TLS"): a pin leaked, so trim never takes the SuperSlab.
      name: 'a pin leaked',
      apply(s) {
        const ss = findSs(s, 'MAPPED SuperSlab', (x) => x.state === 'MAPPED');
        ss.pins++;
        return `SuperSlab ${ss.index}`;
      },
    },
    {
      // The release unbound nothing: the thread still binds the slab it emptied.
      name: 'a thread still binds the slab it released',
      apply(s) {
        const [ss, slot] = emptySlot(s);
        const t = s.threads.find((x) => x.tid === slot.owner);
        assert.ok(t, 'the EMPTY slot\'s last owner is alive');
        assert.is(t.bound[slot.cls], -1);
        t.bound[slot.cls] = slot.slot;
        ss.pins++;
        return `thread ${t.tid} class ${slot.cls}`;
      },
    },
  ],
  'INV-HEADER': [
    {
      // seed 004 §2: [TLS_SLL_HDR_RESET] got=0x00 expect=0xa6.
      name: 'a block header zeroed',
      apply(s) {
        const [ss, slot] = liveSlot(s);
        slot.badHeaders = [slot.live[0]!];
        return slotWhere(ss, slot);
      },
    },
    {
      name: 'SuperSlab header does not name its entry',
      apply(s) {
        const ss = findSs(s, 'MAPPED SuperSlab', (x) => x.state === 'MAPPED');
        ss.headerOk = false;
        return `SuperSlab ${ss.index}`;
      },
    },
  ],
  'INV-LRU': [
    {
      // seed 003 §1.2 / variant no-idle-trim: trim never runs, so an entry outlives its
      // TTL (seed 000: ttl_sec=60) by a whole idle trim interval.
      name: 'LRU entry aged past TTL + idle trim interval',
      apply(s) {
        const ss = findSs(s, 'cached SuperSlab', (x) => x.state === 'CACHED');
        assert.ok(s.limits.idleTrimMs > 0, 'idle trim runs (seed 003 Option B: 100 ms)');
        s.nowMs = ss.stamp + s.limits.lruTtlMs + s.limits.idleTrimMs;
        return `SuperSlab ${ss.index}`;
      },
    },
    {
      name: 'a cached SuperSlab fell off the LRU list',
      apply(s) {
        const ss = findSs(s, 'cached SuperSlab', (x) => x.state === 'CACHED');
        s.lru = s.lru.filter((x) => x !== ss.index);
        s.lruCount--;
        return 'LRU';
      },
    },
    {
      name: 'the LRU lists a mapped SuperSlab in place of the cached one (the count right)',
      apply(s) {
        const ss = findSs(s, 'cached SuperSlab', (x) => x.state === 'CACHED');
        const mapped = findSs(s, 'MAPPED SuperSlab', (x) => x.state === 'MAPPED');
        s.lru = s.lru.map((x) => (x === ss.index ? mapped.index : x));
        return 'LRU';
      },
    },
    {
      name: 'two cached SuperSlabs, the LRU lists one of them twice (the counts right)',
      apply(s) {
        const ss = findSs(s, 'cached SuperSlab', (x) => x.state === 'CACHED');
        const other = findSs(s, 'MAPPED SuperSlab', (x) => x.state === 'MAPPED');
        s.superslabs = s.superslabs.map((x) => (x === other ? { ...x, state: 'CACHED' as const } : x));
        s.lru = [ss.index, ss.index];
        s.lruCount = 2;
        return 'LRU';
      },
    },
  ],
  'INV-MAP-BALANCE': [
    {
      // seed 002 §3 / 003 §5: mmap 2x then trim — a misaligned part left mapped is an
      // extra VMA nothing accounts for.
      name: 'an extra mapping',
      apply(s) {
        s.os.vmaCount++;
        s.os.mappedBytes += s.limits.pageBytes;
        return 'simulated OS';
      },
    },
    {
      name: 'a page too many mapped (trim unmapped too little)',
      apply(s) {
        s.os.mappedBytes += s.limits.pageBytes;
        return 'simulated OS';
      },
    },
  ],
  'INV-QUIESCENT': [
    {
      // seed 004 §1.2: alloc_lock left held.
      name: 'pool lock held between operations',
      apply(s) {
        s.poolLockHeld = true;
        return 'shared pool';
      },
    },
    {
      name: 'SuperSlab left FREEING',
      apply(s) {
        const ss = findSs(s, 'MAPPED SuperSlab', (x) => x.state === 'MAPPED');
        ss.state = 'FREEING';
        return `SuperSlab ${ss.index}`;
      },
    },
  ],
  'LIVE-RECLAIM': [
    {
      // seed 003 (alloc=49123 freed=0): a MAPPED SuperSlab keeps an ACTIVE slab after
      // quiescence — its slab was never drained and reset.
      name: 'MAPPED SuperSlab with an ACTIVE slot after quiescence',
      apply(s) {
        const ss = findSs(s, 'MAPPED SuperSlab', (x) => x.state === 'MAPPED');
        const slot = ss.slots[ss.slots.length - 1]!;
        slot.state = 'ACTIVE';
        slot.used = 1;
        return `SuperSlab ${ss.index}`;
      },
    },
    {
      // seed 003 §3: remote frees never lowered total_active_blocks.
      name: 'empty SuperSlab with total_active_blocks inflated',
      apply(s) {
        const ss = findSs(s, 'MAPPED SuperSlab', (x) => x.state === 'MAPPED');
        ss.active = 2;
        return `SuperSlab ${ss.index}`;
      },
    },
    {
      // Trim keeps more empty SuperSlabs than HAKMEM_TINY_SS_RESERVE.
      name: 'more empty SuperSlabs mapped than the reserve',
      apply(s) {
        const reserve = findSs(s, 'MAPPED SuperSlab', (x) => x.state === 'MAPPED');
        let next = Math.max(...s.superslabs.map((x) => x.index)) + 1;
        while (s.superslabs.filter((x) => x.state !== 'CACHED').length <= s.limits.emptyReserve) {
          s.superslabs.push({ ...structuredClone(reserve), index: next++ });
        }
        return 'shared pool';
      },
    },
  ],
  'MEM-BOUND': [
    {
      // seed 003 §9: VmSize 167 GB for 4096 live blocks — a SuperSlab beyond the reserve
      // stays mapped after quiescence: here an LRU entry the clock has not yet expired
      // (consistent with every safety invariant: listed, counted, within its TTL).
      name: 'a cached SuperSlab beyond the reserve still mapped',
      apply(s) {
        const reserve = findSs(s, 'MAPPED SuperSlab', (x) => x.state === 'MAPPED');
        const index = Math.max(...s.superslabs.map((x) => x.index)) + 1;
        const bytes = Math.max(s.limits.ssBytes, s.limits.pageBytes);
        s.superslabs.push({ ...structuredClone(reserve), index, state: 'CACHED', pins: 0, stamp: s.nowMs, base: reserve.base + 4 * bytes });
        s.lru.push(index);
        s.lruCount++;
        s.os.ssLive++;
        s.os.vmaCount++;
        s.os.mappedBytes += bytes;
        return 'simulated OS';
      },
    },
  ],
};

// ---------------------------------------------------------------- tests

const describe = (bad: Violation | null): string =>
  bad === null ? 'null' : `${bad.id}: ${bad.what} at ${bad.where} (expected ${bad.expected}, actual ${bad.actual})`;

function assertReport(bad: Violation | null, id: string, where: string, label: string): void {
  assert.ok(bad !== null, `${label}: not detected`);
  assert.is(bad.id, id, `${label}: ${describe(bad)}`);
  for (const field of ['what', 'where', 'expected', 'actual'] as const) {
    assert.type(bad[field], 'string');
    assert.ok(bad[field].length > 0, `${label}: empty ${field}`);
  }
  assert.ok(bad.where.includes(where), `${label}: where "${bad.where}" does not name "${where}"`);
}

test('the busy scenario has the interesting state it promises', () => {
  const s = BUSY;
  const activeClasses = new Set(s.superslabs.flatMap((ss) => ss.slots.filter((x) => x.state === 'ACTIVE').map((x) => x.cls)));
  for (const size of [C7_SIZE, C2_SIZE]) assert.ok(activeClasses.has(classOfSize(size)), `class of ${size} ACTIVE`);
  assert.ok(s.superslabs.some((ss) => ss.slots.some((x) => x.live.length > 0)), 'live blocks');
  assert.ok(s.threads.some((t) => t.sll.some((l) => l.length > 0)), 'blocks in a thread cache');
  const [, rslot] = remoteSlot(s);
  assert.is(rslot.remote.items.length, 1);
  assert.is(s.counters.remoteFrees, 1, 'the one cross-thread free of the scenario is still queued');
  assert.ok(s.threads.some((t) => t.tid !== rslot.owner), 'its sender is another live thread');
  const [, eslot] = emptySlot(s);
  assert.is(eslot.cls, classOfSize(C4_SIZE));
  assert.ok(s.emptyLists[eslot.cls]!.items.includes(eslot.slot), 'EMPTY slot on its stage 1 list');
  const cached = findSs(s, 'cached SuperSlab', (x) => x.state === 'CACHED');
  assert.equal(s.lru, [cached.index]);
  assert.ok(cached.hosted & (1 << classOfSize(C5_SIZE)), 'the cached SuperSlab hosted class 5');
  assert.is(s.legacyLive, 1, 'one legacy block (class 7 at its soft cap of 1)');
  assert.ok(s.threads.length >= 2, 'two live threads');
});

test('the quiesced scenario: every thread gone, only the reserve mapped', () => {
  const s = QUIESCED;
  assert.is(s.threads.length, 0);
  assert.is(s.legacyLive, 0);
  assert.is(s.lru.length, 0, 'the clock is past the TTL of every LRU entry');
  const mapped = s.superslabs.filter((ss) => ss.state === 'MAPPED');
  assert.is(mapped.length, s.limits.emptyReserve, 'HAKMEM_TINY_SS_RESERVE empty SuperSlabs kept');
  for (const ss of mapped) for (const slot of ss.slots) assert.is(slot.state, 'UNUSED');
  assert.ok(s.counters.remoteFrees > 0 && s.counters.legacyFallbacks > 0 && s.counters.trims > 0);
});

test('the corruption table covers exactly the catalogue', () => {
  const ids = SNAPSHOT_RULES.map((inv) => inv.id);
  assert.is(new Set(ids).size, ids.length, 'catalogue ids are unique');
  assert.equal(Object.keys(CORRUPTIONS).sort(), [...ids].sort());
  for (const [id, list] of Object.entries(CORRUPTIONS)) assert.ok(list.length > 0, `${id} has a corruption`);
  for (const id of ['INV-CONSERVATION', 'INV-FREELIST', 'INV-SLOT-STATE', 'INV-PINS']) {
    assert.ok(CORRUPTIONS[id]!.length >= 2, `${id} has two corruptions`);
  }
});

test('firstViolation: null on the good snapshots', () => {
  assert.is(firstViolation(BUSY), null, describe(firstViolation(BUSY)));
  const all = firstViolation(QUIESCED, () => true);
  assert.is(all, null, describe(all));
  // Liveness is not vacuous: the busy heap, with live blocks, is not reclaimed.
  const live = firstViolation(BUSY, (inv) => inv.kind === 'liveness');
  assert.ok(live !== null && live.id === 'LIVE-RECLAIM', describe(live));
});

for (const inv of SNAPSHOT_RULES) {
  test(`${inv.id} (${inv.kind}): passes the good snapshot, fails each corruption`, () => {
    const corruptions = CORRUPTIONS[inv.id];
    assert.ok(corruptions !== undefined && corruptions.length > 0, `no corruption for ${inv.id}`);
    const good = baseFor(inv);
    assert.is(inv.check(good), null, describe(inv.check(good)));
    for (const c of corruptions) {
      const bad = structuredClone(good);
      const where = c.apply(bad);
      assertReport(inv.check(bad), inv.id, where, `${inv.id} / ${c.name}`);
    }
    assert.is(inv.check(good), null, 'the good snapshot is untouched');
  });
}

test('firstViolation reports the first violation in catalogue order', () => {
  const used = SNAPSHOT_RULES.findIndex((inv) => inv.id === 'INV-USED');
  const maps = SNAPSHOT_RULES.findIndex((inv) => inv.id === 'INV-MAP-BALANCE');
  assert.ok(used >= 0 && maps >= 0 && used < maps, 'INV-USED comes before INV-MAP-BALANCE');
  const bad = structuredClone(BUSY);
  CORRUPTIONS['INV-MAP-BALANCE']![0]!.apply(bad);
  CORRUPTIONS['INV-USED']![0]!.apply(bad);
  assert.is(firstViolation(bad)?.id, 'INV-USED');
  assert.is(firstViolation(bad, (inv) => inv.id === 'INV-MAP-BALANCE')?.id, 'INV-MAP-BALANCE');
  assert.is(firstViolation(bad, (inv) => inv.kind === 'liveness')?.id, 'LIVE-RECLAIM');
});

test('firstViolation, every pair of safety invariants corrupted at once: the earlier one', () => {
  const safety = SNAPSHOT_RULES.filter((inv) => inv.kind === 'safety');
  // Both corruptions in one snapshot; when one destroys what the other looks for (both
  // edit the same freelist or the same EMPTY slot), the other order is used.
  const both = (x: CheckedRule<Snapshot>, y: CheckedRule<Snapshot>): Snapshot | null => {
    const bad = structuredClone(BUSY);
    try {
      CORRUPTIONS[x.id]![0]!.apply(bad);
      CORRUPTIONS[y.id]![0]!.apply(bad);
      return bad;
    } catch {
      return null;
    }
  };
  for (let i = 0; i < safety.length; i++) {
    for (let j = i + 1; j < safety.length; j++) {
      const first = safety[i]!;
      const second = safety[j]!;
      const bad = both(second, first) ?? both(first, second);
      assert.ok(bad !== null, `${first.id} and ${second.id}: corruptions cannot be combined`);
      const got = firstViolation(bad);
      assert.is(got?.id, first.id, `${first.id} + ${second.id}: ${describe(got)}`);
    }
  }
});

test('firstViolation: liveness invariants only when asked', () => {
  const bad = structuredClone(QUIESCED);
  CORRUPTIONS['MEM-BOUND']![0]!.apply(bad);
  assert.is(firstViolation(bad), null, 'the default selects safety invariants only');
  assert.is(firstViolation(bad, () => true)?.id, 'MEM-BOUND');
});

test('INV-LRU: an entry one ms short of TTL + idle interval is still fine', () => {
  const s = structuredClone(BUSY);
  const ss = findSs(s, 'cached SuperSlab', (x) => x.state === 'CACHED');
  s.nowMs = ss.stamp + s.limits.lruTtlMs + s.limits.idleTrimMs - 1;
  const lru = snapshotRule('INV-LRU')!;
  assert.is(lru.check(s), null);
  s.nowMs++;
  assert.is(lru.check(s)?.id, 'INV-LRU');
});

// A SuperSlab smaller than a page is mapped as a whole page: MEM-BOUND counts it so.
test('MEM-BOUND: the reserve SuperSlab, smaller than a page, is within the bound', () => {
  const heap = createHeap({
    HAKMEM_TINY_SS_FORCE_LG: 12, // one 4 KB slab per SuperSlab
    'sim.slab_bytes': 4096,
    'sim.slab0_header_bytes': 64,
    'sim.page_bytes': 8192,
    'sim.va_gib': 0.001,
    'sim.phys_mib': 4,
    variants: ['orphan-push-race'], // the race freeAcrossExit needs
  });
  const a = attachThread(heap);
  const b = attachThread(heap);
  const p = malloc(a, 16);
  assert.ok(p > 0);
  freeAcrossExit(b, [p], a); // a's slab stays ACTIVE, its block queued: only trim can reclaim it
  run(b, exitOp(b));
  const t = attachThread(heap);
  const { lruTtlMs, idleTrimMs } = audit(heap).limits;
  run(t, tickOp(t, lruTtlMs + idleTrimMs)); // trim: the SuperSlab is kept as the reserve
  run(t, tickOp(t, lruTtlMs + idleTrimMs));
  run(t, exitOp(t));
  const s = audit(heap);
  assert.is(s.superslabs.length, 1);
  assert.is(s.os.mappedBytes, s.limits.pageBytes); // one page: what INV-MAP-BALANCE expects
  const bad = firstViolation(s, () => true);
  assert.is(bad, null, bad === null ? '' : `${bad.id}: ${bad.what} (expected ${bad.expected}, actual ${bad.actual})`);
});


test('INV-CONSERVATION names both places of a block that is in two, and the blocks that are nowhere', () => {
  const twice = structuredClone(BUSY);
  const { t, block, slot } = cachedBlock(twice);
  slot.remote = { ...slot.remote, items: [...slot.remote.items, block.index] };
  const v = snapshotRule('INV-CONSERVATION')!.check(twice)!;
  assert.is(v.what, `block ${block.index} is in two places`);
  assert.is(v.actual, `remote queue and thread ${t.tid} cache`);
  const lost = structuredClone(BUSY);
  const [, fslot] = freelistSlot(lost);
  const dropped = fslot.freelist.items[0]!;
  fslot.freelist = { ...fslot.freelist, items: fslot.freelist.items.slice(1) };
  const w = snapshotRule('INV-CONSERVATION')!.check(lost)!;
  assert.is(w.what, 'carved blocks are nowhere (lost)');
  assert.ok(String(w.actual).endsWith(`missing: block #${dropped}`), String(w.actual));
});

test('Marks, the rules\' scratch map: values per number, emptied by clear, corrupted numbers kept apart', () => {
  const m = new Marks();
  m.set(3, 5);
  m.set(100_000, 7); // past the first size: grows
  m.set(-1, 9); // a corrupted list's link: kept in the side map
  m.set(2 ** 40, 11);
  m.set(2 ** 22, 15); // past the arrays' bound: the side map
  m.set(0.5, 13);
  assert.equal([m.get(3), m.get(100_000), m.get(-1), m.get(2 ** 40), m.get(0.5), m.get(2 ** 22), m.get(4)], [5, 7, 9, 11, 13, 15, 0]);
  m.clear();
  assert.equal([m.get(3), m.get(100_000), m.get(-1), m.get(2 ** 40), m.get(0.5), m.get(2 ** 22)], [0, 0, 0, 0, 0, 0]);
  m.set(3, 1);
  assert.is(m.get(3), 1);
});

test.run();
