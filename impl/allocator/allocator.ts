// The allocator's public operations. Each exists once, as a step generator (`*Op`, for
// the checker's step executor); `malloc` and `free` add the direct form the hot loops
// use: the thread-local fast path runs plain, and only a miss builds a generator for
// the direct executor (docs/architecture.md §3). Results are numbers: an address, 0, or a negative
// error code (errors.ts); a rejected free changes nothing.
import { CACHED, cacheAlloc, cacheFree, DRAIN_DUE, drainCache } from '../cache/cache.js';
import { C, NUM_COUNTERS } from '../counters.js';
import { E } from '../errors.js';
import { H, ORPHAN, S, SL, SLOT_ACTIVE, SS_FREEING, SS_MAPPED, T, TF } from '../layout.js';
import {
  blockAddress, cellHeader, cellLive, makeCell, slabOffset, slotId, slotIndex, SS_MAGIC, ssIndex, ssOfSlot, ssState,
} from '../locators.js';
import { isMappedPage, pageCell, pageOf, residentCell } from '../os/pages.js';
import { ACQ_ENOMEM, ACQ_LEGACY, acquireSlab } from '../pool/acquire.js';
import { drainOwned, localFree, remoteFree } from '../pool/release.js';
import { classOfSize, STRIDE_SHIFTS, STRIDES } from '../sizeclass.js';
import { claimOrphan } from '../slab/remote.js';
import { takeBlock } from '../slab/slab.js';
import { add, cas, load, lock, type Op, peek, runDirect, store, sub, unlock } from '../steps.js';
import { releasePin } from '../superslab/lifecycle.js';
import { pin } from '../superslab/table.js';
import { tick } from '../superslab/trim.js';
import type { Thread } from '../thread/thread.js';
import { V } from '../variants.js';
import { legacyAlloc, legacyFree, isLegacyBlock } from './legacy.js';

/** Allocates `size` bytes: the user address, or E.BAD_SIZE / E.ENOMEM. */
export function malloc(t: Thread, size: number): number {
  const fast = mallocFast(t, size);
  return fast !== MISS ? fast : runDirect(t, allocSlow(t, size));
}

export function* mallocOp(t: Thread, size: number): Op<number> {
  const fast = mallocFast(t, size);
  return fast !== MISS ? fast : yield* allocSlow(t, size);
}

/** Frees `ptr`: 0, or a negative E.FREE_* code (the heap is then unchanged). */
export function free(t: Thread, ptr: number): number {
  const fast = freeFast(t, ptr);
  if (fast > 0) runDirect(t, freeSlow(t, fast, ptr));
  return Math.min(fast, 0);
}

export function* freeOp(t: Thread, ptr: number): Op<number> {
  const fast = freeFast(t, ptr);
  if (fast > 0) yield* freeSlow(t, fast, ptr);
  return Math.min(fast, 0);
}

/** Drains the thread's caches to its slabs and the remote queues of every slab it owns. */
export function* drainOp(t: Thread): Op<void> {
  const { i32 } = t.heap;
  for (let cls = 0; cls < STRIDES.length; cls++) {
    if (i32[t.ti + T.SLL_COUNT + cls]! > 0) yield* drainCache(t, cls);
  }
  yield* eachOwnedSlab(t, true, function* (slot, pinned) {
    if (pinned) yield* drainOwned(t, slot);
  });
}

// Visits every ACTIVE slab `t` owns (only those with a queue when `queuedOnly`), with its
// SuperSlab pinned if it could be (not once it is cached or unmapped).
function* eachOwnedSlab(t: Thread, queuedOnly: boolean, visit: (slot: number, pinned: boolean) => Op<void>): Op<void> {
  const h = t.heap;
  for (const slot of [...t.owned]) {
    const w = slotIndex(h, slot);
    if (!(yield* owns(t, w))) {
      t.owned.delete(slot);
      continue;
    }
    if (queuedOnly && (yield load(w + SL.RHEAD)) === 0) continue;
    const ss = ssOfSlot(h.cfg, slot);
    const pinned = yield* pin(t, ss);
    if (yield* owns(t, w)) yield* visit(slot, pinned);
    if (pinned) yield* releasePin(t, ss);
  }
}

function* owns(t: Thread, w: number): Op<boolean> {
  return (yield load(w + SL.OWNER)) === t.tid && (yield load(w + SL.STATE)) === SLOT_ACTIVE;
}

/** Advances the logical clock (idle trim runs when due). */
export function* tickOp(t: Thread, ms: number): Op<void> {
  yield* tick(t, ms);
}

/**
 * Thread exit: caches flushed, bindings dropped, remote queues drained; a slab with
 * blocks still out is left ORPHAN, for the next thread that frees one of them to adopt.
 */
export function* exitOp(t: Thread): Op<void> {
  const h = t.heap;
  const { i32, f64 } = h;
  for (let cls = 0; cls < STRIDES.length; cls++) {
    if (i32[t.ti + T.SLL_COUNT + cls]! > 0) yield* drainCache(t, cls);
    const bound = i32[t.ti + T.BOUND + cls]! - 1;
    if (bound >= 0) {
      i32[t.ti + T.BOUND + cls] = 0;
      yield* releasePin(t, ssOfSlot(h.cfg, bound));
    }
  }
  yield* eachOwnedSlab(t, false, (slot, pinned) => orphan(t, slot, pinned));
  yield lock(H.POOL_LOCK);
  for (let i = 0; i < NUM_COUNTERS; i++) f64[h.L.retired + i]! += f64[t.cnt + i]!;
  yield unlock(H.POOL_LOCK);
  f64.fill(0, t.tf, t.tf + TF.WORDS);
  i32.fill(0, t.ti + 1, t.ti + T.WORDS);
  yield sub(t, H.THREADS_LIVE, 1);
  yield store(t, t.ti + T.TID, 0);
}

// Exit, owner: a slab the drain did not empty loses its owner (seed 004 §4.2: with no
// adopter, nobody would drain it again — its blocks, freed by other threads, would wait
// in its queue and the slab would stay ACTIVE until its whole SuperSlab had no active
// block). Variant no-orphan-adopt leaves it owned by the dead thread.
function* orphan(t: Thread, slot: number, pinned: boolean): Op<void> {
  const h = t.heap;
  const w = slotIndex(h, slot);
  for (;;) {
    if (pinned) yield* drainOwned(t, slot);
    if (h.cfg.v & V.NO_ORPHAN_ADOPT || (yield load(w + SL.STATE)) !== SLOT_ACTIVE) return; // or the drain emptied it
    if ((yield cas(t, w + SL.OWNER, t.tid, ORPHAN)) !== t.tid) return;
    h.f64[t.cnt + C.orphaned]!++;
    // A push that read us as owner before the mark may have landed after the drain (a
    // push after the mark adopts the slab itself, pool/release.ts remoteFree): take it back, drain again.
    if (!pinned || h.cfg.v & V.ORPHAN_PUSH_RACE) return;
    if ((yield load(w + SL.RHEAD)) === 0 || !(yield* claimOrphan(t, slot))) return;
  }
}

/** Runs any step operation to completion on the calling thread. */
export function run<R>(t: Thread, op: Op<R>): R {
  return runDirect(t, op);
}

// ---------------------------------------------------------------- allocation

const MISS = 0; // neither an address nor an error

// Variant size-class-no-header: the class whose stride holds the size, header forgotten.
function classOf(t: Thread, size: number): number {
  if (!(t.heap.cfg.v & V.SIZE_CLASS_NO_HEADER) || !Number.isInteger(size) || size < 1) return classOfSize(size);
  return size <= STRIDES[STRIDES.length - 1]! ? classOfSize(size - 1) : -1;
}

function mallocFast(t: Thread, size: number): number {
  const cls = classOf(t, size);
  if (cls < 0) return E.BAD_SIZE;
  const base = cacheAlloc(t, cls);
  if (base === 0) return MISS;
  t.heap.f64[t.cnt + C.allocs]!++;
  return base + 1;
}

function* allocSlow(t: Thread, size: number): Op<number> {
  const h = t.heap;
  const cls = classOf(t, size);
  const { i32 } = h;
  for (;;) {
    const bound = i32[t.ti + T.BOUND + cls]! - 1;
    if (bound >= 0) {
      const idx = takeBlock(t, bound);
      if (idx >= 0) {
        yield add(t, ssIndex(h, ssOfSlot(h.cfg, bound)) + S.ACTIVE, 1);
        h.f64[t.cnt + C.allocs]!++;
        return blockAddress(h, bound, idx) + 1;
      }
      if ((yield load(slotIndex(h, bound) + SL.RHEAD)) !== 0) {
        yield* drainOwned(t, bound);
        continue;
      }
      // Exhausted: unbind it. It stays ours; its blocks come back through our frees.
      i32[t.ti + T.BOUND + cls] = 0;
      yield* releasePin(t, ssOfSlot(h.cfg, bound));
    }
    const slot = yield* acquireSlab(t, cls);
    if (slot === ACQ_LEGACY) return yield* legacyAlloc(t, cls, size);
    if (slot === ACQ_ENOMEM) return E.ENOMEM;
  }
}

// ---------------------------------------------------------------- free

const SLOW_REMOTE = 1;
const SLOW_DRAIN = 2;
const SLOW_LEGACY = 3;
const SLOW_LOCAL = 4;
const SLOW_ADOPT = 5;

// 0: done on the fast path; SLOW_*: the slow path to run; < 0: rejected.
function freeFast(t: Thread, ptr: number): number {
  const found = locate(t, ptr);
  if (found !== 0) return found;
  const h = t.heap;
  const owner = h.i32[slotIndex(h, t.fSlot) + SL.OWNER];
  if (owner !== t.tid) {
    h.f64[t.fCell] = makeCell(0, false, cellHeader(h.f64[t.fCell]!));
    return owner === ORPHAN ? SLOW_ADOPT : SLOW_REMOTE;
  }
  h.f64[t.cnt + C.localFrees]!++;
  const cached = cacheFree(t, t.fCls, ptr - 1, t.fCell);
  if (cached === CACHED) return 0;
  return cached === DRAIN_DUE ? SLOW_DRAIN : SLOW_LOCAL; // SLOW_LOCAL: seed 001's tiny_free_local_box
}

function* freeSlow(t: Thread, kind: number, ptr: number): Op<void> {
  if (kind === SLOW_REMOTE) yield* remoteFree(t, t.fSlot, t.fIdx, t.fCell);
  else if (kind === SLOW_DRAIN) yield* drainCache(t, t.fCls);
  else if (kind === SLOW_LOCAL) yield* localFree(t, t.fSlot, t.fIdx, false);
  else if (kind === SLOW_ADOPT) yield* adoptFree(t, t.fSlot, t.fIdx, t.fCell);
  else yield* legacyFree(t, ptr);
}

// A free into an ORPHAN slab (seed 004 §4.2's partial adopt, here per slab): the freeing
// thread takes the slab over, drains what other threads queued on it while it had no
// owner and frees the block locally, so the slab turns EMPTY when its last block comes
// back. Whoever loses the race for it frees remotely to the winner. The block being
// freed is live, so the SuperSlab has an active block and cannot be freed meanwhile.
function* adoptFree(t: Thread, slot: number, idx: number, cell: number): Op<void> {
  const h = t.heap;
  if (!(yield* claimOrphan(t, slot))) {
    yield* remoteFree(t, slot, idx, cell);
    return;
  }
  h.f64[t.cnt + C.localFrees]!++;
  yield* drainOwned(t, slot);
  yield* localFree(t, slot, idx, false);
}

/**
 * Checks that `ptr` is a live block. A tiny block: 0, with t.fSlot/fIdx/fCell/fCls set.
 * A legacy block: SLOW_LEGACY. Otherwise the E.FREE_* code saying what it is.
 */
function locate(t: Thread, ptr: number): number {
  const h = t.heap;
  const { cfg, i32, f64, L } = h;
  if (!Number.isInteger(ptr) || ptr <= 0 || ptr >= cfg.vaBytes) return E.FREE_UNMAPPED;
  const base = ptr - 1;
  // One page-table walk for the SuperSlab: its header cells (magic, entry + 1) share a
  // page. Not resident: unmapped or never touched, no header either way.
  const ssb = Math.floor(base * L.ssScale) * cfg.ssBytes;
  const header = residentCell(h, ssb);
  if (header >= 0 && f64[header] === SS_MAGIC) {
    const ss = f64[header + 1]! - 1;
    const e = ssIndex(h, ss);
    const state = ssState(peek(h, e + S.WORD)); // the fast path's check: no scheduling point (steps.ts)
    // FREEING: trim or a free check holding it for a moment; it gives it back (a live block is active)
    const basePage = i32[e + S.BASE_PAGE]!;
    if (basePage * cfg.pageBytes === ssb && (state === SS_MAPPED || state === SS_FREEING)) {
      // Offsets in the SuperSlab (below 2^21) are int32: shifts and masks, no division (slabAt, pageOf).
      const inSS = base - ssb;
      const slab = inSS >>> L.slabShift;
      const slot = slotId(cfg, ss, slab);
      const w = slotIndex(h, slot);
      const start = slabOffset(cfg, slab);
      const offset = inSS - start;
      if (offset < 0) return E.FREE_FOREIGN; // the SuperSlab header
      if (peek(h, w + SL.STATE) !== SLOT_ACTIVE) return E.FREE_NEVER_ALLOCATED;
      const cls = i32[w + SL.CLASS]!;
      const shift = STRIDE_SHIFTS[cls]!;
      const interior = (offset & (STRIDES[cls]! - 1)) !== 0; // strides are powers of two
      if (interior && !(cfg.v & V.INTERIOR_FREE_ROUNDS_DOWN)) return E.FREE_INTERIOR;
      const idx = offset >>> shift;
      if (idx >= i32[w + SL.CAP]!) return E.FREE_FOREIGN; // slab tail past the last block
      if (idx >= i32[w + SL.CARVED]!) return cfg.v & V.NEVER_ALLOCATED_AS_DOUBLE ? E.FREE_DOUBLE : E.FREE_NEVER_ALLOCATED;
      const at = interior ? start + (idx << shift) : inSS; // the block's base
      const cell = pageCell(h, basePage + (at >>> L.pageShift), at & (cfg.pageBytes - 1));
      if (!cellLive(f64[cell]!)) return E.FREE_DOUBLE;
      t.fSlot = slot;
      t.fIdx = idx;
      t.fCell = cell;
      t.fCls = cls;
      return 0;
    }
  }
  if (isLegacyBlock(t, ptr)) return SLOW_LEGACY;
  return isMappedPage(h, pageOf(h, ptr)) ? E.FREE_FOREIGN : E.FREE_UNMAPPED;
}
