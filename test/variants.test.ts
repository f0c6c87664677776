// The seeds' bugs on demand (impl/variants.ts, docs/architecture.md §6): each seed-bug variant
// shows the symptom its seed documents (the contract variants: test/contract.test.ts), and the default configuration (no variant) run
// through the same scenario does not. Single-threaded and deterministic, except the two
// races (remote-push-racy, drain-nonatomic-take), which need a thread's step to land
// between another thread's load and store: there the step generators are driven by
// hand with .next(), the same way the checker's step executor does it (docs/architecture.md §3).
//
// Geometry: SMALL (test/helpers.ts): SuperSlab = 2^13 = 8 KB = 2 slabs of 4 KB, slab 0
// has 4096 - 64 = 4032 usable bytes. capacity = usable / stride (seed
// 004_d59e0d336a26e3fe.txt §3.2): C7 (2048 B) 1 block in slab 0, 2 in slab 1; C6 (512 B)
// 7 and 8. Sizes: 1024 -> C7, 500 -> C6 (user size + 1-byte header fits the stride).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { drainOp, exitOp, free, freeOp, malloc, run, tickOp } from '../impl/allocator/allocator.js';
import { audit, type SlotSnap, type Snapshot } from '../model/audit.js';
import type { ConfigInput } from '../impl/config.js';
import type { Heap } from '../impl/heap.js';
import { readCell } from '../impl/os/pages.js';
import { cellLink } from '../impl/locators.js';
import { access, lockWord } from '../impl/steps.js';
import { attachThread, type Thread } from '../impl/thread/thread.js';
import { VARIANTS } from '../impl/variants.js';
import { firstViolation, type Violation } from '../model/rules/catalogue.js';
import { assertHolds, blockOf, heapOf, mustFree, mustMalloc, SMALL, type Stepper, stepping } from './helpers.js';

const C7 = 1024;
const C6 = 500;

const withVariant = (name: string, extra: ConfigInput = {}): ConfigInput => ({ ...SMALL, ...extra, variants: [name] });

/** The violation of invariant `id` in the heap's current audit, or null. */
function violation(heap: Heap, id: string): Violation | null {
  return firstViolation(audit(heap), (inv) => inv.id === id);
}


/** Resumes `op` `n` times; it must still be suspended afterwards (at a shared access). */
function stepN<R>(op: Stepper<R>, n: number): void {
  for (let i = 0; i < n; i++) {
    const r = op.next();
    assert.not.ok(r.done, `operation finished after ${i + 1} of ${n} steps`);
    assert.is(lockWord(r.value as number), -1, 'suspended before a shared access, not waiting on a lock');
  }
}

test('the catalogue: 23 variants (13 seed bugs, 9 wrong contract decisions, a torn read), each with a distinct flag and a seed file', () => {
  assert.is(VARIANTS.length, 23);
  assert.is(new Set(VARIANTS.map((v) => v.flag)).size, 23);
  for (const v of VARIANTS) assert.match(v.seed, /^00[0-4]_[0-9a-f]{16}\.txt/);
});

// ---------------------------------------------------------------- tls-free-skips-used

// seed 001_4c03cbcfeeca547d.txt: the fast-path free never lowers meta->used and the SLL
// cleanup "drains to tls_list, NOT back to slabs", so "[SS_EMPTY]: 0 times", "[LRU_PUSH]:
// 0 times".
function freeAllAndDrain(input: ConfigInput): Snapshot {
  const { heap, t } = heapOf(input);
  const ps = [mustMalloc(t, C6), mustMalloc(t, C6), mustMalloc(t, C6)];
  for (const p of ps) mustFree(t, p);
  run(t, drainOp(t));
  return assertHolds(heap);
}

test('tls-free-skips-used (seed 001): everything freed and drained, yet no EMPTY and no LRU push', () => {
  const s = freeAllAndDrain(withVariant('tls-free-skips-used'));
  assert.is(s.counters.tlsDrains, 1, 'the drain ran ...');
  assert.is(s.counters.emptyEvents, 0, '... but no slab went EMPTY');
  assert.is(s.counters.lruPush, 0);
  assert.is(s.counters.ssFreed, 0);
  const slot = s.superslabs[0]!.slots[0]!;
  assert.is(slot.state, 'ACTIVE');
  assert.is(slot.used, 3, 'meta->used never decremented');
  assert.equal(slot.live, []);
  assert.is(s.threads[0]!.sllCount[6], 0);
  assert.is(s.threads[0]!.threadListCount[6], 3, 'the blocks went to the thread list');

  const d = freeAllAndDrain(SMALL);
  assert.is(d.counters.emptyEvents, 1);
  assert.is(d.counters.lruPush, 1);
  assert.is(d.superslabs[0]!.state, 'CACHED');
  assert.is(d.threads[0]!.threadListCount[6], 0);
});

// ---------------------------------------------------------------- remote-free-skips-active

// seed 003_932746184e5394df.txt §3: ss_remote_push "Does NOT decrement
// total_active_blocks"; the drain does not either; so the SuperSlab is never freed.
function remoteFreeScenario(input: ConfigInput): { heap: Heap; a: Thread; b: Thread; ps: number[]; activeBefore: number } {
  const { heap, t: a } = heapOf(input);
  const b = attachThread(heap);
  const ps = [mustMalloc(a, C6), mustMalloc(a, C6)];
  const activeBefore = audit(heap).superslabs[0]!.active;
  mustFree(b, ps[0]!);
  return { heap, a, b, ps, activeBefore };
}

test('remote-free-skips-active (seed 003): total_active_blocks stays high after remote frees; INV-ACTIVE-SUM fails; freed=0', () => {
  {
    const { heap, a, b, ps, activeBefore } = remoteFreeScenario(withVariant('remote-free-skips-active'));
    assert.is(activeBefore, 2);
    let s = audit(heap);
    assert.is(s.counters.remoteFrees, 1);
    assert.is(s.superslabs[0]!.active, 2, 'not decremented on the remote free');
    const bad = violation(heap, 'INV-ACTIVE-SUM');
    assert.ok(bad !== null);
    assert.is(bad!.expected, '1 (live + cached)');
    assert.is(bad!.actual, '2');
    // "Drain (Thread A, later) ... Still does NOT decrement total_active_blocks"
    mustFree(b, ps[1]!);
    run(a, drainOp(a));
    s = audit(heap);
    assert.is(s.counters.remoteDrained, 2);
    assert.is(s.superslabs[0]!.active, 2);
    // Every block is free, the slab went EMPTY, but the SuperSlab is "logically non-empty".
    assert.is(s.counters.emptyEvents, 1);
    assert.is(s.counters.ssFreed, 0, 'seed 003: freed=0');
    assert.is(s.superslabs[0]!.state, 'MAPPED');
    // Idle trim skips it too: "if (ss->total_active_blocks != 0) continue;"
    run(a, tickOp(a, heap.cfg.idleTrimMs));
    s = audit(heap);
    assert.is(s.counters.trims, 1);
    assert.is(s.superslabs[0]!.state, 'MAPPED');
    assert.is(s.os.mappedBytes, heap.cfg.ssBytes);
  }
  {
    const { heap, a, b, ps, activeBefore } = remoteFreeScenario(SMALL);
    assert.is(activeBefore, 2);
    assert.is(audit(heap).superslabs[0]!.active, 1);
    assert.is(violation(heap, 'INV-ACTIVE-SUM'), null);
    mustFree(b, ps[1]!);
    run(a, drainOp(a));
    const s = assertHolds(heap);
    assert.is(s.counters.ssFreed, 1);
    assert.is(s.superslabs[0]!.state, 'CACHED');
  }
});

// ---------------------------------------------------------------- drain-skips-empty

// seed 004 §4.3-4.4: the drains lower `used` but "Never marks slab as EMPTY". While the
// slab is still bound to its thread that is legal (a bound slab may be empty); once the
// thread lets go of it, an ACTIVE slab with used 0 held by nobody is an EMPTY that was
// never detected.
function drainToZero(input: ConfigInput, remote: boolean): { heap: Heap; a: Thread; slot: number } {
  const { heap, t: a } = heapOf(input);
  const b = attachThread(heap);
  const ps = [mustMalloc(a, C6), mustMalloc(a, C6)];
  for (const p of ps) mustFree(remote ? b : a, p);
  run(a, drainOp(a));
  return { heap, a, slot: blockOf(heap, audit(heap), ps[0]!).slot.slot };
}

for (const remote of [false, true]) {
  const how = remote ? 'remote-queue drain' : 'TLS SLL drain';
  test(`drain-skips-empty (seed 004 §4.4), ${how}: used reaches 0 with no EMPTY; INV-SLOT-STATE fails once unbound`, () => {
    {
      const { heap, a, slot } = drainToZero(withVariant('drain-skips-empty'), remote);
      let s = audit(heap);
      const snap = s.superslabs[0]!.slots[slot % heap.cfg.slabsPerSS]!;
      assert.is(snap.used, 0, 'the drain lowered used');
      assert.is(snap.state, 'ACTIVE', 'but the slab never went EMPTY');
      assert.is(s.counters.emptyEvents, 0);
      assert.equal(s.emptyLists[6]!.items, []);
      assert.is(s.threads.find((x) => x.tid === a.tid)!.bound[6], slot, 'still bound');
      assert.is(violation(heap, 'INV-SLOT-STATE'), null, 'legal while bound');
      run(a, exitOp(a));
      s = audit(heap);
      const bad = violation(heap, 'INV-SLOT-STATE');
      assert.ok(bad !== null);
      assert.match(bad!.what, /EMPTY never detected/);
      assert.is(s.superslabs[0]!.state, 'MAPPED', 'and the SuperSlab is never freed');
      assert.is(s.counters.ssFreed, 0);
    }
    {
      const { heap, a } = drainToZero(SMALL, remote);
      let s = assertHolds(heap);
      assert.is(s.counters.emptyEvents, 1);
      assert.is(s.counters.ssFreed, 1);
      run(a, exitOp(a));
      s = assertHolds(heap);
      assert.is(s.superslabs[0]!.state, 'CACHED');
    }
  });
}

// ---------------------------------------------------------------- stage 0.5 scenarios

/**
 * Two SuperSlabs registered for C7, an EMPTY C7 slot in the second one (SuperSlab 1),
 * none in the first; then one more C7 allocation has to acquire a slab.
 *   x1: stage 3, SS0 slab 0 (1 block)   x2, x3: stage 2, SS0 slab 1 (2 blocks)
 *   x4: stage 3, SS1 slab 0 (1 block)   x5, x6: stage 2, SS1 slab 1 (2 blocks)
 * x4 freed and drained: SS1 slab 0 EMPTY (SS1 kept by slab 1). x7: the bound slab
 * (SS1 slab 1) is exhausted, so the pool is asked.
 */
function emptyInSecondSuperSlab(input: ConfigInput): { heap: Heap; before: Snapshot; after: Snapshot; x4: number; x7: number } {
  const { heap, t } = heapOf(input);
  const xs = Array.from({ length: 6 }, () => mustMalloc(t, C7));
  const x4 = xs[3]!;
  mustFree(t, x4);
  run(t, drainOp(t));
  const before = audit(heap);
  const x7 = mustMalloc(t, C7);
  return { heap, before, after: audit(heap), x4, x7 };
}

test('empty-scan-limit (seed 004 §4.1), HAKMEM_SS_EMPTY_SCAN_LIMIT=1: stage 0.5 misses an EMPTY slot in the 2nd SuperSlab; the default hits it', () => {
  const limit = { HAKMEM_SS_EMPTY_SCAN_LIMIT: 1 };
  const v = emptyInSecondSuperSlab(withVariant('empty-scan-limit', limit));
  // The setup the scenario promises: 2 SuperSlabs registered for C7, the EMPTY slot in the 2nd.
  assert.is(v.before.superslabs.length, 2);
  assert.equal(v.before.registry[7], [0, 1]);
  assert.is(v.before.superslabs[1]!.slots[0]!.state, 'EMPTY');
  assert.ok(v.before.superslabs[0]!.slots.every((x) => x.state === 'ACTIVE'));
  const dv = (k: keyof Snapshot['counters']): number => v.after.counters[k] - v.before.counters[k];
  assert.is(dv('stage05Hits'), 0, 'the scan stopped after 1 SuperSlab');
  assert.is(dv('stage1Hits'), 1, 'the stage 1 list served it instead');
  assert.is(v.x7, v.x4);

  const d = emptyInSecondSuperSlab({ ...SMALL, ...limit });
  const dd = (k: keyof Snapshot['counters']): number => d.after.counters[k] - d.before.counters[k];
  assert.is(dd('stage05Hits'), 1, 'the fixed design scans the whole registry, whatever the knob');
  assert.is(dd('stage1Hits'), 0);
  assert.is(d.x7, d.x4);
  assertHolds(d.heap);
});

test('registry-unpopulated (seed 000): the per-class registry stays empty, INV-REGISTRY fails, stage 0.5 never hits', () => {
  const v = emptyInSecondSuperSlab(withVariant('registry-unpopulated'));
  assert.equal(v.after.registry[7], []);
  assert.ok(v.after.registry.every((r) => r.length === 0));
  const bad = firstViolation(v.after, (inv) => inv.id === 'INV-REGISTRY');
  assert.ok(bad !== null);
  assert.match(bad!.what, /missing from its registry/);
  assert.is(v.after.counters.stage05Hits, 0, 'seed 000: "Empty scan always returns 0 hits"');
  assert.is(v.after.counters.stage1Hits, 1);

  const d = emptyInSecondSuperSlab(SMALL);
  assert.equal(d.after.registry[7], [0, 1]);
  assert.is(firstViolation(d.after, (inv) => inv.id === 'INV-REGISTRY'), null);
  assert.is(d.after.counters.stage05Hits, 1);
});

// ---------------------------------------------------------------- whole-superslab-only

// seed 000: "Current: waits for entire SuperSlab to be empty"; Priority 1 "trigger on
// individual slab empty". x1 in SS0 slab 0, x2 x3 in SS0 slab 1; x1 freed and drained
// makes slab 0 EMPTY while slab 1 is live; x4 needs a slab.
function emptyBesideLiveSlab(input: ConfigInput): { before: Snapshot; after: Snapshot; x1: number; x4: number } {
  const { heap, t } = heapOf(input);
  const x1 = mustMalloc(t, C7);
  mustMalloc(t, C7);
  mustMalloc(t, C7);
  mustFree(t, x1);
  run(t, drainOp(t));
  const before = audit(heap);
  const x4 = mustMalloc(t, C7);
  return { before, after: audit(heap), x1, x4 };
}

test('whole-superslab-only (seed 000): an EMPTY slab beside a live one is not reused; a new SuperSlab is mapped', () => {
  const v = emptyBesideLiveSlab(withVariant('whole-superslab-only'));
  assert.is(v.before.superslabs[0]!.slots[0]!.state, 'EMPTY');
  assert.is(v.before.superslabs[0]!.slots[1]!.state, 'ACTIVE');
  assert.is(v.after.counters.stage05Hits, 0);
  assert.is(v.after.counters.stage1Hits, 0);
  assert.is(v.after.counters.stage3Hits, 2, 'a second SuperSlab instead');
  assert.is(v.after.counters.ssAlloc, 2);
  assert.is(v.after.superslabs[0]!.slots[0]!.state, 'EMPTY', 'the EMPTY slab is left unused');
  assert.is.not(v.x4, v.x1);

  const d = emptyBesideLiveSlab(SMALL);
  assert.is(d.after.counters.stage05Hits, 1, 'per-slab reuse (seed 000 Priority 1)');
  assert.is(d.after.counters.stage3Hits, 1);
  assert.is(d.after.counters.ssAlloc, 1);
  assert.is(d.x4, d.x1);
});

// ---------------------------------------------------------------- softcap-legacy-fallback

/**
 * HAKMEM_TINY_CAP=1. SS0 holds only C6 (slab 0: 7 blocks, stage 3; slab 1: stage 2),
 * SS1 only C7 (1 + 2 blocks). Slab 0 of SS0 freed and drained goes EMPTY (on the C6
 * list, in no C7 registry SuperSlab). No UNUSED slot is left. The next C7 allocation
 * reaches stage 3 with C7 at the cap.
 */
function capWithForeignEmpty(input: ConfigInput): { heap: Heap; before: Snapshot; after: Snapshot; p: number; emptySlot: number } {
  const { heap, t } = heapOf({ ...input, HAKMEM_TINY_CAP: 1 });
  const c6 = Array.from({ length: 7 }, () => mustMalloc(t, C6));
  mustMalloc(t, C6); // SS0 slab 1
  for (let i = 0; i < 3; i++) mustMalloc(t, C7); // SS1
  for (const p of c6) mustFree(t, p);
  run(t, drainOp(t));
  const before = audit(heap);
  const emptySlot = before.superslabs[0]!.slots[0]!.slot;
  const p = malloc(t, C7);
  return { heap, before, after: audit(heap), p, emptySlot };
}

test('softcap-legacy-fallback (seed 004 §5.1): at the cap with an EMPTY slot of another class, the variant goes legacy; the default reuses it', () => {
  const v = capWithForeignEmpty(withVariant('softcap-legacy-fallback'));
  assert.is(v.before.superslabs.length, 2);
  assert.is(v.before.superslabs[0]!.slots[0]!.state, 'EMPTY');
  assert.is(v.before.superslabs[0]!.slots[0]!.cls, 6);
  assert.equal(v.before.registry[7], [1], 'the EMPTY slot is in no C7 SuperSlab');
  assert.is(v.before.unusedSlots, 0);
  assert.ok(v.before.classActive[7]! >= 1, 'C7 at the cap');
  assert.ok(v.p > 0);
  assert.is(v.after.counters.softCapHits, 1);
  assert.is(v.after.counters.legacyFallbacks, 1, 'shared_fail->legacy');
  assert.is(v.after.counters.capReclaims, 0);
  assert.is(v.after.legacyLive, 1);
  assert.is(v.after.superslabs[0]!.slots[0]!.state, 'EMPTY', 'the EMPTY slot stays unused');
  assertHolds(v.heap);

  const d = capWithForeignEmpty(SMALL);
  assert.is(d.after.counters.softCapHits, 1);
  assert.is(d.after.counters.capReclaims, 1);
  assert.is(d.after.counters.legacyFallbacks, 0);
  assert.is(d.after.legacyLive, 0);
  const slot = d.after.superslabs[0]!.slots[0]!;
  assert.is(slot.slot, d.emptySlot);
  assert.is(slot.state, 'ACTIVE');
  assert.is(slot.cls, 7, 'the C6 slot now serves C7');
  assert.is(blockOf(d.heap, d.after, d.p).slot.slot, d.emptySlot);
  assertHolds(d.heap);
});

// ---------------------------------------------------------------- no-idle-trim

// seed 003 §1.2: "hak_tiny_trim() is NEVER CALLED"; the LRU keeps its entry past the TTL.
function idle(input: ConfigInput, ms: number): Snapshot {
  const { heap, t } = heapOf(input);
  const p = mustMalloc(t, C6);
  mustFree(t, p);
  run(t, drainOp(t)); // the SuperSlab goes to the LRU, stamped at 0 ms
  run(t, tickOp(t, ms));
  return audit(heap);
}

const LIMITS = audit(heapOf(SMALL).heap).limits;
/** Past the LRU TTL by one idle trim interval: INV-LRU's bound. */
const PAST_TTL = LIMITS.lruTtlMs + LIMITS.idleTrimMs;

test('no-idle-trim (seed 003 §1.2): ticks past the idle trim interval run no trim; the LRU outlives its TTL', () => {
  const limits = LIMITS;
  assert.is(limits.idleTrimMs, 100, 'seed 003 Option B: HAKMEM_TINY_IDLE_TRIM_MS=100');
  assert.is(limits.lruTtlMs, 60_000, 'seed 000: ttl_sec=60');
  const past = PAST_TTL;

  const v1 = idle(withVariant('no-idle-trim'), limits.idleTrimMs);
  assert.is(v1.nowMs, limits.idleTrimMs, 'the clock moved');
  assert.is(v1.counters.trims, 0);
  const v = idle(withVariant('no-idle-trim'), past);
  assert.is(v.counters.trims, 0);
  assert.is(v.counters.lruEvict, 0);
  assert.is(v.lruCount, 1);
  assert.is(v.os.mappedBytes, limits.ssBytes);
  const bad = firstViolation(v, (inv) => inv.id === 'INV-LRU');
  assert.ok(bad !== null);
  assert.match(bad!.what, /trim not running/);

  const d1 = idle(SMALL, limits.idleTrimMs);
  assert.is(d1.counters.trims, 1);
  const d = idle(SMALL, past);
  assert.is(d.counters.trims, 1);
  assert.is(d.counters.lruEvict, 1);
  assert.is(d.lruCount, 0);
  assert.is(d.os.mappedBytes, 0);
  assert.is(firstViolation(d), null);
});

// ---------------------------------------------------------------- no-orphan-adopt

// seed 004 §4.2: partial adopt exists but is "not called"; seed 003 §2.2: only the owner
// drains. An exiting thread keeps its slabs, so every later free into them is remote and
// waits in a queue nobody drains: the slab never turns EMPTY, and its SuperSlab comes
// back only when it has no active block at all (trim). The fix leaves the slab ORPHAN
// and the first free adopts it.
function exitThenFree(input: ConfigInput): { heap: Heap; slot: SlotSnap } {
  const { heap, t: a } = heapOf(input);
  const ps = [mustMalloc(a, C6), mustMalloc(a, C6)];
  run(a, exitOp(a));
  const b = attachThread(heap);
  for (const p of ps) mustFree(b, p);
  run(b, drainOp(b));
  const s = audit(heap);
  return { heap, slot: s.superslabs[0]!.slots[0]! };
}

test('no-orphan-adopt (seed 004 §4.2): the dead thread keeps its slab; frees into it strand on its queue', () => {
  const bad = exitThenFree(withVariant('no-orphan-adopt'));
  const s = audit(bad.heap);
  assert.is(bad.slot.state, 'ACTIVE');
  assert.is(bad.slot.used, 2);
  assert.is(bad.slot.remote.items.length, 2, 'B\'s drain cannot take them: not B\'s slab');
  assert.is(s.counters.adopted, 0);
  assert.is(s.counters.emptyEvents, 0);
  assert.is(violation(bad.heap, 'INV-OWNER')?.id, 'INV-OWNER');

  const good = exitThenFree(SMALL);
  const g = assertHolds(good.heap);
  assert.is(g.counters.orphaned, 1);
  assert.is(g.counters.adopted, 1);
  assert.is(g.counters.remoteFrees, 0);
  assert.is(g.counters.emptyEvents, 1, 'the adopter\'s drain empties it');
});

// ---------------------------------------------------------------- tls-superslabs

// seed 003 §2.2: "Allocates from g_tls_slabs[class_A]->ss_A (TLS-cached SuperSlab)",
// "SuperSlab ss_A is owned by Thread A". Each thread maps its own SuperSlab per class and
// carves only there; the shared pool hands one thread's free slabs to another.
test('tls-superslabs (seed 003 §2.2): every thread maps its own SuperSlab per class; the pool shares one', () => {
  const run3 = (input: ConfigInput): Snapshot => {
    const { heap, t: a } = heapOf(input);
    const b = attachThread(heap);
    mustMalloc(a, C6); // a's SuperSlab, slab 0
    mustMalloc(b, C6); // bug: b's own SuperSlab; fix: slab 1 of the same one (stage 2)
    mustMalloc(a, C7); // bug: a's own C7 SuperSlab; fix: a third SuperSlab (nothing UNUSED left)
    return assertHolds(heap);
  };
  const bad = run3(withVariant('tls-superslabs'));
  assert.is(bad.counters.ssAlloc, 3);
  assert.is(bad.counters.stage2Hits, 0);
  assert.equal(bad.superslabs.map((x) => x.unused), [1, 1, 1], 'each thread\'s SuperSlab keeps its UNUSED slab to itself');
  const good = run3(SMALL);
  assert.is(good.counters.ssAlloc, 2);
  assert.is(good.counters.stage2Hits, 1);
});

test('tls-superslabs: the thread\'s next slab of a class comes from its own SuperSlab while it has one UNUSED', () => {
  const { heap, t: a } = heapOf(withVariant('tls-superslabs'));
  const b = attachThread(heap);
  mustMalloc(b, C7); // b's SuperSlab 0
  for (let i = 0; i < 3; i++) mustMalloc(a, C7); // a's SuperSlab 1: slab 0 (1 block), slab 1 (2 blocks)
  let s = assertHolds(heap);
  assert.is(s.counters.ssAlloc, 2);
  assert.is(s.superslabs[0]!.unused, 1, 'b\'s UNUSED slab stays b\'s');
  const p = mustMalloc(a, C7); // a's SuperSlab 1 is full: a new one
  s = assertHolds(heap);
  assert.is(s.counters.ssAlloc, 3);
  // a's newest SuperSlab empties and goes to the LRU: a's hold on it is stale (it cannot
  // be pinned), so a's next slab comes from stage 3 — which pops that same SuperSlab
  mustFree(a, p);
  run(a, drainOp(a));
  assert.is(assertHolds(heap).superslabs[2]!.state, 'CACHED');
  mustMalloc(a, C7);
  s = assertHolds(heap);
  assert.is(s.counters.ssAlloc, 3);
  assert.is(s.counters.lruPopHit, 1);
  assert.is(s.superslabs[2]!.state, 'MAPPED');
});

// ---------------------------------------------------------------- the two races

/**
 * A race on a fresh heap between two operations: `first` is a step generator resumed
 * by hand, `second` runs whole when injected; `probe` reads how far `first` has got.
 */
interface Race<P> {
  heap: Heap;
  owner: Thread;
  ps: number[];
  first: Stepper<unknown>;
  second: () => void;
  probe: () => P;
}

interface Outcome<P> {
  /** Times `first` was resumed before `second` ran; -1: `second` ran after `first` finished. */
  k: number;
  /** The probe at the moment `second` ran. */
  at: P;
  /** INV-CONSERVATION once both finished. */
  lost: Violation | null;
  /** The first safety violation once both finished. */
  bad: Violation | null;
  race: Race<P>;
}

function runToEnd(op: Stepper<unknown>): void {
  for (let r = op.next(); r.done !== true; r = op.next()) assert.is(lockWord(r.value as number), -1, 'not waiting on a lock');
}

/**
 * Runs the race once for every point at which `second` can land in `first`: before it
 * starts (k = 0), at each of its suspensions, after it ends (k = -1) — every
 * single-injection interleaving. The suspension count comes from running `first`
 * alone, so it follows the implementation's yields instead of being hard-coded here.
 */
function everyInjection<P>(build: () => Race<P>): Outcome<P>[] {
  const alone = build();
  let suspensions = 0;
  while (alone.first.next().done !== true) suspensions++;
  const out: Outcome<P>[] = [];
  for (let k = -1; k <= suspensions; k++) {
    const race = build();
    if (k === -1) runToEnd(race.first);
    else stepN(race.first, k);
    // A direct executor waiting on a lock that a suspended generator holds would hang.
    if (audit(race.heap).poolLockHeld) continue;
    const at = race.probe();
    race.second();
    if (k !== -1) runToEnd(race.first);
    const s = audit(race.heap);
    out.push({ k, at, lost: firstViolation(s, (inv) => inv.id === 'INV-CONSERVATION'), bad: firstViolation(s), race });
  }
  return out;
}

const indexOf = (race: Race<unknown>, p: number): number => blockOf(race.heap, audit(race.heap), p).idx;
const slotOfRace = (race: Race<unknown>): SlotSnap => blockOf(race.heap, audit(race.heap), race.ps[0]!).slot;

// seed 004 §2 hypothesis 2 ("Race During Remote Free"): the push done with a load and a
// store instead of a CAS. Owner A; C has already queued ps[3], so the head is never 0
// and B's read of it shows as the link in B's block. `first`: B frees ps[0]; `second`:
// C frees ps[1]. ps[2] stays live.
interface PushProbe { bRead: boolean; bStored: boolean }

const pushRace = (input: ConfigInput) => (): Race<PushProbe> => {
  const { heap, t: a } = heapOf(input);
  const b = attachThread(heap);
  const c = attachThread(heap);
  const ps = [mustMalloc(a, C6), mustMalloc(a, C6), mustMalloc(a, C6), mustMalloc(a, C6)];
  mustFree(c, ps[3]!);
  const bIdx = blockOf(heap, audit(heap), ps[0]!).idx;
  const first = stepping(b, freeOp(b, ps[0]!));
  return {
    heap,
    owner: a,
    ps,
    first,
    second: () => assert.is(run(c, freeOp(c, ps[1]!)), 0),
    probe: () => ({
      // B has read the head once it stands before its link store, or the link shows in its block
      bRead: (first.pending >= 0 && access(first.pending).name === 'cellStore') || cellLink(readCell(heap, ps[0]! - 1)) !== 0,
      bStored: blockOf(heap, audit(heap), ps[0]!).slot.remote.items[0] === bIdx,
    }),
  };
};

test('remote-push-racy (seed 004 §2 hypothesis 2): a push landing between another push\'s load and store is lost; the CAS loses none', () => {
  const runs = everyInjection(pushRace(withVariant('remote-push-racy')));
  const inWindow = (r: Outcome<PushProbe>): boolean => r.at.bRead && !r.at.bStored;
  assert.ok(runs.some(inWindow), 'some suspension of B lies between its load and its store');
  for (const r of runs) {
    assert.is(r.lost !== null, inWindow(r), `k=${r.k}: lost exactly when C pushed between B's load and B's store`);
    if (r.lost === null) {
      assert.is(r.bad, null, `k=${r.k}: ${r.bad?.id}`);
      continue;
    }
    const { race } = r;
    assert.match(r.lost.actual, new RegExp(`block #${indexOf(race, race.ps[1]!)}$`), 'C\'s block is the one lost');
    assert.equal(slotOfRace(race).remote.items, [indexOf(race, race.ps[0]!), indexOf(race, race.ps[3]!)],
      'B\'s store linked past C\'s block');
  }
  // One after the other — C before B starts (k = 0) or after B ends (k = -1) — nothing is lost.
  assert.ok(runs.some((r) => r.k === 0) && runs.some((r) => r.k === -1));
  for (const r of runs.filter((x) => x.k === 0 || x.k === -1)) assert.is(r.bad, null);

  const dRuns = everyInjection(pushRace(SMALL));
  assert.is(dRuns.length, runs.length, 'the same interleavings');
  assert.ok(dRuns.some(inWindow), 'the default has the same window');
  for (const r of dRuns) {
    assert.is(r.bad, null, `default k=${r.k}: ${r.bad?.id} ${r.bad?.what}`);
    assert.is(slotOfRace(r.race).remote.items.length, 3, `default k=${r.k}: all three queued`);
    run(r.race.owner, drainOp(r.race.owner));
    const s = assertHolds(r.race.heap);
    assert.is(s.counters.remoteDrained, 3);
    assert.is(slotOfRace(r.race).used, 1, 'only ps[2] in use');
  }
});

// seed 004 §4.3: the drain takes the queue with "atomic_exchange(&ss->remote_heads[slab_idx], 0)";
// the variant reads the head and stores 0 later. `first`: owner A's drainOp with ps[0]
// queued; `second`: B frees ps[1]. ps[2] stays live, so the slab never empties.
interface DrainProbe { taken: boolean }

const drainRace = (input: ConfigInput) => (): Race<DrainProbe> => {
  const { heap, t: a } = heapOf(input);
  const b = attachThread(heap);
  const ps = [mustMalloc(a, C6), mustMalloc(a, C6), mustMalloc(a, C6)];
  mustFree(b, ps[0]!);
  return {
    heap,
    owner: a,
    ps,
    first: stepping(a, drainOp(a)),
    second: () => assert.is(run(b, freeOp(b, ps[1]!)), 0),
    probe: () => ({ taken: blockOf(heap, audit(heap), ps[0]!).slot.remote.items.length === 0 }),
  };
};

test('drain-nonatomic-take (seed 004 §4.3): a push between the drain\'s load and its store of 0 is lost; the exchange loses none', () => {
  const runs = everyInjection(drainRace(withVariant('drain-nonatomic-take')));
  const lossy = runs.filter((r) => r.lost !== null);
  assert.ok(lossy.length > 0, 'some interleaving loses a block');
  for (const r of lossy) {
    const { race } = r;
    assert.ok(r.k > 0 && !r.at.taken, `k=${r.k}: lost only when B pushed inside A's drain, before the take showed`);
    assert.match(r.lost!.actual, new RegExp(`block #${indexOf(race, race.ps[1]!)}$`), 'B\'s block is the one lost');
    assert.equal(slotOfRace(race).remote.items, [], 'the store of 0 wiped B\'s push');
    assert.equal(slotOfRace(race).freelist.items, [indexOf(race, race.ps[0]!)], 'A moved only what it had read');
  }
  // A's last suspension before the take shows is the one between its load and its store.
  const window = runs.filter((r) => r.k > 0 && !r.at.taken).pop();
  assert.ok(window !== undefined && window.lost !== null, 'B pushing between the load and the store loses its block');
  for (const r of runs) if (r.lost === null) assert.is(r.bad, null, `k=${r.k}: ${r.bad?.id}`);
  // One after the other, either order, nothing is lost.
  for (const r of runs.filter((x) => x.k === 0 || x.k === -1)) assert.is(r.lost, null);

  const dRuns = everyInjection(drainRace(SMALL));
  // The same drain, but its take is one atomic step (the exchange) where the variant's
  // is two (load, store): one suspension fewer, no window between them.
  assert.is(dRuns.length, runs.length - 1);
  for (const r of dRuns) {
    assert.is(r.bad, null, `default k=${r.k}: ${r.bad?.id} ${r.bad?.what}`);
    // Whatever this drain left queued, the owner's next drain takes: both blocks come back.
    run(r.race.owner, drainOp(r.race.owner));
    const s = assertHolds(r.race.heap);
    assert.is(s.counters.remoteDrained, 2, `default k=${r.k}`);
    assert.is(slotOfRace(r.race).used, 1, 'only ps[2] in use');
  }
});

test('default configuration: every scenario above leaves the safety invariants holding', () => {
  // The symptom scenarios, run with no variant, end in a state the whole safety catalogue accepts.
  assert.is(firstViolation(freeAllAndDrain(SMALL)), null);
  assert.is(firstViolation(emptyInSecondSuperSlab(SMALL).after), null);
  assert.is(firstViolation(emptyBesideLiveSlab(SMALL).after), null);
  assert.is(firstViolation(capWithForeignEmpty(SMALL).after), null);
  assert.is(firstViolation(idle(SMALL, PAST_TTL)), null);
  const r = remoteFreeScenario(SMALL);
  assert.is(firstViolation(audit(r.heap)), null);
  assert.is(free(r.b, r.ps[1]!), 0);
  assert.is(firstViolation(audit(r.heap)), null);
});

test.run();
