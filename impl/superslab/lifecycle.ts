// A SuperSlab's life (design card: MAPPED -> CACHED -> MAPPED | UNMAPPED):
// - map: LRU pop, else mmap 2x the size and trim to alignment (seeds 002/003), prefault
//   by policy (seed 002), header written at the base;
// - free: when no slot is ACTIVE and no block is active (seeds 000/004), or by trim when
//   no block is active (seed 003): to the LRU if it fits, else munmap;
// - reset: trim keeps up to HAKMEM_TINY_SS_RESERVE empty SuperSlabs mapped, all slots UNUSED.
// All of it runs under the pool lock, with the SuperSlab held exclusively (FREEING).
import { C } from '../counters.js';
import { EV } from '../events.js';
import type { Heap } from '../heap.js';
import {
  H, S, SL, SLOT_ACTIVE, SLOT_EMPTY, SLOT_UNUSED, SS_CACHED, SS_FREEING, SS_MAPPED, SS_NONE,
} from '../layout.js';
import { SS_MAGIC, ssBase, slotId, slotIndex, ssIndex, ssWord as word } from '../locators.js';
import { writableCell } from '../os/pages.js';
import { ENOMEM, sysMmap, sysMunmap, sysPopulate } from '../os/syscalls.js';
import { clearSlab } from '../slab/slab.js';
import { add, cas, kernel, load, lock, type Op, store, sub, unlock, xchg } from '../steps.js';
import type { Thread } from '../thread/thread.js';
import { lruEnabled, lruExpired, lruHasRoom, lruLink, lruNewest, lruOldest, lruUnlink } from './lru.js';
import { unpin } from './table.js';
import { V } from '../variants.js';

const FREE_WORD = word(SS_MAPPED, 0);

/**
 * Under the pool lock: a SuperSlab with every slot UNUSED, still held exclusively
 * (FREEING) so that no other thread can take a slot before the caller claims its own;
 * the caller then calls publishMapped (seed 004 stage 3: LRU pop before mmap).
 * -1 when no memory can be had.
 */
export function* mapSuperSlab(t: Thread): Op<number> {
  const h = t.heap;
  const { i32, f64, cfg } = h;
  yield* evictExpired(t);
  if (lruEnabled(h)) {
    const cached = cfg.v & V.LRU_POPS_OLDEST ? lruOldest(h) : lruNewest(h);
    if (cached >= 0) {
      lruUnlink(h, cached);
      addPool(h, 1);
      f64[t.cnt + C.lruPopHit]!++;
      t.emit(EV.SS_REUSE, cached, 0, 0);
      yield* prepare(t, cached);
      return cached;
    }
    f64[t.cnt + C.lruPopMiss]!++;
  }
  const ss = yield* takeEntry(t);
  if (ss < 0) {
    f64[t.cnt + C.enomem]!++;
    return -1;
  }
  const base = yield* mapAligned(t);
  if (base < 0) {
    giveEntry(h, ss);
    return -1;
  }
  const e = ssIndex(h, ss);
  i32[e + S.BASE_PAGE] = base / cfg.pageBytes;
  if (cfg.prefault >= 1) {
    yield kernel();
    sysPopulate(h, t.cnt, base, cfg.ssBytes); // seed 002: MADV_POPULATE_WRITE
  }
  if (cfg.prefault === 2) {
    for (let p = base; p < base + cfg.ssBytes; p += cfg.pageBytes) f64[writableCell(h, t.cnt, p)] = 0;
  }
  f64[writableCell(h, t.cnt, base)] = SS_MAGIC;
  f64[writableCell(h, t.cnt, base + 8)] = ss + 1;
  f64[t.cnt + C.ssAlloc]!++;
  const live = ++i32[H.SS_LIVE]!;
  if (live > i32[H.PEAK_SS_LIVE]!) i32[H.PEAK_SS_LIVE] = live;
  addPool(h, 1);
  t.emit(EV.SS_MAP, ss, 0, 0);
  yield* prepare(t, ss);
  return ss;
}

// mmap twice the size, then unmap the misaligned head and tail (seed 002 §3, seed 003 §5).
function* mapAligned(t: Thread): Op<number> {
  const h = t.heap;
  const size = h.cfg.ssBytes;
  yield kernel();
  if (size <= h.cfg.pageBytes) return sysMmap(h, t.cnt, size); // pages are aligned enough
  const raw = sysMmap(h, t.cnt, 2 * size);
  if (raw === ENOMEM) return -1;
  const base = Math.ceil(raw / size) * size;
  if (base > raw) {
    yield kernel();
    sysMunmap(h, t.cnt, raw, base - raw);
  }
  if (raw + 2 * size > base + size) {
    yield kernel();
    sysMunmap(h, t.cnt, base + size, raw + 2 * size - (base + size));
  }
  return base;
}

// A new incarnation: every slot UNUSED, held FREEING until published.
function* prepare(t: Thread, ss: number): Op<void> {
  const { cfg } = t.heap;
  const e = ssIndex(t.heap, ss);
  yield store(t, e + S.WORD, word(SS_FREEING, 0));
  yield add(t, e + S.GEN, 1);
  yield store(t, e + S.ACTIVE, 0);
  yield store(t, e + S.ACTIVE_SLOTS, 0);
  yield store(t, e + S.HOSTED, 0);
  for (let slab = 0; slab < cfg.slabsPerSS; slab++) yield* clearSlab(t, slotId(cfg, ss, slab));
  yield store(t, e + S.UNUSED, cfg.slabsPerSS);
  yield add(t, H.UNUSED_SLOTS, cfg.slabsPerSS);
}

/** Makes a SuperSlab from mapSuperSlab visible, pinned once by the caller's binding. */
export function* publishMapped(t: Thread, ss: number): Op<void> {
  yield store(t, ssIndex(t.heap, ss) + S.WORD, word(SS_MAPPED, 1));
}

/**
 * Under the pool lock, `ss` held FREEING: its slots leave the pool (every one UNUSED);
 * on a reset each slot that was in use reports SLOT_RESET.
 */
function* dropSlots(t: Thread, ss: number, reset: boolean): Op<void> {
  const h = t.heap;
  const { i32 } = h;
  for (let slab = 0; slab < h.cfg.slabsPerSS; slab++) {
    const slot = slotId(h.cfg, ss, slab);
    const w = slotIndex(h, slot);
    const state = i32[w + SL.STATE]!;
    if (state === SLOT_UNUSED) continue;
    if (state === SLOT_ACTIVE) yield sub(t, H.CLASS_ACTIVE + i32[w + SL.CLASS]!, 1);
    if (reset) t.emit(EV.SLOT_RESET, slot, state, 0);
    yield* clearSlab(t, slot);
    if (state === SLOT_EMPTY) yield sub(t, H.EMPTY_SLOTS, 1);
  }
  yield store(t, ssIndex(h, ss) + S.ACTIVE_SLOTS, 0);
}

/** Under the pool lock, `ss` held FREEING: to the LRU if it fits, else munmap (seed 000 superslab_free). */
export function* freeSuperSlab(t: Thread, ss: number): Op<void> {
  const h = t.heap;
  const e = ssIndex(h, ss);
  h.f64[t.cnt + C.ssFreed]!++;
  yield* dropSlots(t, ss, false);
  yield sub(t, H.UNUSED_SLOTS, yield xchg(t, e + S.UNUSED, 0));
  if (lruEnabled(h)) {
    yield* evictExpired(t);
    while (!lruHasRoom(h) && lruOldest(h) >= 0) yield* evict(t, lruOldest(h));
    if (lruHasRoom(h)) {
      lruLink(h, ss, yield load(H.NOW_MS));
      addPool(h, -1);
      h.f64[t.cnt + C.lruPush]!++;
      t.emit(EV.SS_CACHE, ss, 0, 0);
      yield store(t, e + S.WORD, word(SS_CACHED, 0));
      return;
    }
  }
  yield* unmap(t, ss, SS_MAPPED);
}

/** Under the pool lock, `ss` held FREEING: keep it mapped as an empty reserve, slots UNUSED. */
export function* resetSuperSlab(t: Thread, ss: number): Op<void> {
  const h = t.heap;
  const e = ssIndex(h, ss);
  const unused = h.i32[e + S.UNUSED]!; // held: nobody else changes it
  if (unused < h.cfg.slabsPerSS) {
    h.f64[t.cnt + C.ssReset]!++;
    yield* dropSlots(t, ss, true);
    yield store(t, e + S.UNUSED, h.cfg.slabsPerSS);
    yield add(t, H.UNUSED_SLOTS, h.cfg.slabsPerSS - unused);
    t.emit(EV.SS_RESET, ss, 0, 0);
  }
  yield* unhold(t, ss);
}

/** Under the pool lock: unmaps LRU entries past the TTL, oldest first. */
export function* evictExpired(t: Thread): Op<void> {
  const h = t.heap;
  const now = yield load(H.NOW_MS);
  for (let ss = lruOldest(h); ss >= 0 && lruExpired(h, ss, now); ss = lruOldest(h)) yield* evict(t, ss);
}

function* evict(t: Thread, ss: number): Op<void> {
  lruUnlink(t.heap, ss);
  t.heap.f64[t.cnt + C.lruEvict]!++;
  yield* unmap(t, ss, SS_CACHED);
}

function* unmap(t: Thread, ss: number, from: number): Op<void> {
  const h = t.heap;
  yield kernel();
  sysMunmap(h, t.cnt, ssBase(h, ss), h.cfg.ssBytes);
  h.i32[H.SS_LIVE]!--;
  if (from === SS_MAPPED) addPool(h, -1);
  t.emit(EV.SS_UNMAP, ss, from, 0);
  yield store(t, ssIndex(h, ss) + S.WORD, word(SS_NONE, 0));
  giveEntry(h, ss);
}

/**
 * Frees `ss` if it has no ACTIVE slot, no active block and no pin (seed 000:
 * active_slots == 0 -> superslab_free). Callers call it after any step that can make
 * that true; `locked` when they already hold the pool lock. GEN guards against the
 * entry having become another SuperSlab meanwhile.
 */
export function* maybeFree(t: Thread, ss: number, locked = false): Op<void> {
  const e = ssIndex(t.heap, ss);
  if ((yield load(e + S.WORD)) !== FREE_WORD) return;
  if ((yield load(e + S.ACTIVE_SLOTS)) !== 0) return;
  if ((yield load(e + S.ACTIVE)) !== 0) return;
  const gen = yield load(e + S.GEN);
  if (!locked) yield lock(H.POOL_LOCK);
  if (yield* hold(t, ss, gen)) {
    const empty = (yield load(e + S.ACTIVE_SLOTS)) === 0 && (yield load(e + S.ACTIVE)) === 0;
    if (empty) yield* freeSuperSlab(t, ss);
    else yield* unhold(t, ss);
  }
  if (!locked) yield unlock(H.POOL_LOCK);
}

/** Under the pool lock: takes `ss` exclusively if it is MAPPED, unpinned and still incarnation `gen`. */
export function* hold(t: Thread, ss: number, gen: number): Op<boolean> {
  const e = ssIndex(t.heap, ss);
  if ((yield load(e + S.GEN)) !== gen) return false;
  return (yield cas(t, e + S.WORD, FREE_WORD, word(SS_FREEING, 0))) === FREE_WORD;
}

/** Gives back a SuperSlab taken with hold(), unchanged. */
export function* unhold(t: Thread, ss: number): Op<void> {
  yield store(t, ssIndex(t.heap, ss) + S.WORD, FREE_WORD);
}

/** Drops a pin, then frees the SuperSlab if that pin was all that kept it. */
export function* releasePin(t: Thread, ss: number, locked = false): Op<void> {
  yield* unpin(t, ss);
  yield* maybeFree(t, ss, locked);
}

// Under the pool lock: SuperSlabs in the pool, and the peak.
function addPool(h: Heap, n: number): void {
  const pool = (h.i32[H.SS_POOL]! += n);
  if (pool > h.i32[H.PEAK_SS_POOL]!) h.i32[H.PEAK_SS_POOL] = pool;
}

// SuperSlab table entries: a free list, then never-used entries (SS_HIGH is read lock-free).
function* takeEntry(t: Thread): Op<number> {
  const { i32 } = t.heap;
  const free = i32[H.SS_FREE]!;
  if (free !== 0) {
    i32[H.SS_FREE] = i32[ssIndex(t.heap, free - 1) + S.NEXT_FREE]!;
    return free - 1;
  }
  const high = i32[H.SS_HIGH]!; // written only under the lock we hold
  if (high >= t.heap.cfg.maxSuperSlabs) return -1;
  yield store(t, H.SS_HIGH, high + 1);
  return high;
}

function giveEntry(h: Heap, ss: number): void {
  h.i32[ssIndex(h, ss) + S.NEXT_FREE] = h.i32[H.SS_FREE]!;
  h.i32[H.SS_FREE] = ss + 1;
}
