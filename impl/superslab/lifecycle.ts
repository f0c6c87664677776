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
import { slotId, slotIndex, ssIndex, ssWord as word } from '../locators.js';
import { writableCell } from '../os/pages.js';
import { ENOMEM, sysMmap, sysMunmap, sysPopulate } from '../os/syscalls.js';
import { lock, type Op, READ, unlock, WRITE } from '../steps.js';
import type { Thread } from '../thread/thread.js';
import { lruEnabled, lruExpired, lruHasRoom, lruLink, lruNewest, lruOldest, lruUnlink } from './lru.js';
import { SS_MAGIC, ssBase, unpin } from './table.js';

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
    const cached = lruNewest(h);
    if (cached >= 0) {
      lruUnlink(h, cached);
      addPool(h, 1);
      f64[t.cnt + C.lruPopHit]!++;
      t.emit(EV.SS_REUSE, cached, 0, 0);
      yield* prepare(h, cached);
      return cached;
    }
    f64[t.cnt + C.lruPopMiss]!++;
  }
  const ss = takeEntry(h);
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
    yield WRITE;
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
  yield* prepare(h, ss);
  return ss;
}

// mmap twice the size, then unmap the misaligned head and tail (seed 002 §3, seed 003 §5).
function* mapAligned(t: Thread): Op<number> {
  const h = t.heap;
  const size = h.cfg.ssBytes;
  yield WRITE;
  if (size <= h.cfg.pageBytes) return sysMmap(h, t.cnt, size); // pages are aligned enough
  const raw = sysMmap(h, t.cnt, 2 * size);
  if (raw === ENOMEM) return -1;
  const base = Math.ceil(raw / size) * size;
  if (base > raw) {
    yield WRITE;
    sysMunmap(h, t.cnt, raw, base - raw);
  }
  if (raw + 2 * size > base + size) {
    yield WRITE;
    sysMunmap(h, t.cnt, base + size, raw + 2 * size - (base + size));
  }
  return base;
}

// A new incarnation: every slot UNUSED, held FREEING until published.
function* prepare(h: Heap, ss: number): Op<void> {
  const { i32, cfg } = h;
  const e = ssIndex(h, ss);
  yield WRITE;
  Atomics.store(i32, e + S.WORD, word(SS_FREEING, 0));
  Atomics.add(i32, e + S.GEN, 1);
  Atomics.store(i32, e + S.ACTIVE, 0);
  Atomics.store(i32, e + S.ACTIVE_SLOTS, 0);
  Atomics.store(i32, e + S.HOSTED, 0);
  for (let slab = 0; slab < cfg.slabsPerSS; slab++) clearSlot(h, slotId(h.cfg, ss, slab));
  Atomics.store(i32, e + S.UNUSED, cfg.slabsPerSS);
  yield WRITE;
  Atomics.add(i32, H.UNUSED_SLOTS, cfg.slabsPerSS);
}

/** Makes a SuperSlab from mapSuperSlab visible, pinned once by the caller's binding. */
export function* publishMapped(h: Heap, ss: number): Op<void> {
  yield WRITE;
  Atomics.store(h.i32, ssIndex(h, ss) + S.WORD, word(SS_MAPPED, 1));
}

// LISTED and LNEXT are left alone: they belong to the stage 1 lists, which may still hold the slot.
const SLAB_WORDS = [SL.STATE, SL.CLASS, SL.CAP, SL.CARVED, SL.USED, SL.FREE, SL.OWNER, SL.RHEAD, SL.RCOUNT];

function clearSlot(h: Heap, slot: number): void {
  const w = slotIndex(h, slot);
  for (const f of SLAB_WORDS) Atomics.store(h.i32, w + f, 0);
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
    if (state === SLOT_ACTIVE) {
      yield WRITE;
      Atomics.sub(i32, H.CLASS_ACTIVE + i32[w + SL.CLASS]!, 1);
    }
    if (reset) t.emit(EV.SLOT_RESET, slot, state, 0);
    clearSlot(h, slot);
    if (state === SLOT_EMPTY) Atomics.sub(i32, H.EMPTY_SLOTS, 1);
  }
  Atomics.store(i32, ssIndex(h, ss) + S.ACTIVE_SLOTS, 0);
}

/** Under the pool lock, `ss` held FREEING: to the LRU if it fits, else munmap (seed 000 superslab_free). */
export function* freeSuperSlab(t: Thread, ss: number): Op<void> {
  const h = t.heap;
  const { i32, f64 } = h;
  const e = ssIndex(h, ss);
  f64[t.cnt + C.ssFreed]!++;
  yield* dropSlots(t, ss, false);
  yield WRITE;
  Atomics.sub(i32, H.UNUSED_SLOTS, Atomics.exchange(i32, e + S.UNUSED, 0));
  if (lruEnabled(h)) {
    yield* evictExpired(t);
    while (!lruHasRoom(h) && lruOldest(h) >= 0) yield* evict(t, lruOldest(h));
    if (lruHasRoom(h)) {
      lruLink(h, ss);
      addPool(h, -1);
      f64[t.cnt + C.lruPush]!++;
      t.emit(EV.SS_CACHE, ss, 0, 0);
      yield WRITE;
      Atomics.store(i32, e + S.WORD, word(SS_CACHED, 0));
      return;
    }
  }
  yield* unmap(t, ss, SS_MAPPED);
}

/** Under the pool lock, `ss` held FREEING: keep it mapped as an empty reserve, slots UNUSED. */
export function* resetSuperSlab(t: Thread, ss: number): Op<void> {
  const h = t.heap;
  const { i32 } = h;
  const e = ssIndex(h, ss);
  const unused = i32[e + S.UNUSED]!;
  if (unused < h.cfg.slabsPerSS) {
    h.f64[t.cnt + C.ssReset]!++;
    yield* dropSlots(t, ss, true);
    Atomics.store(i32, e + S.UNUSED, h.cfg.slabsPerSS);
    yield WRITE;
    Atomics.add(i32, H.UNUSED_SLOTS, h.cfg.slabsPerSS - unused);
    t.emit(EV.SS_RESET, ss, 0, 0);
  }
  yield* unhold(h, ss);
}

/** Under the pool lock: unmaps LRU entries past the TTL, oldest first. */
export function* evictExpired(t: Thread): Op<void> {
  const h = t.heap;
  for (let ss = lruOldest(h); ss >= 0 && lruExpired(h, ss); ss = lruOldest(h)) yield* evict(t, ss);
}

function* evict(t: Thread, ss: number): Op<void> {
  lruUnlink(t.heap, ss);
  t.heap.f64[t.cnt + C.lruEvict]!++;
  yield* unmap(t, ss, SS_CACHED);
}

function* unmap(t: Thread, ss: number, from: number): Op<void> {
  const h = t.heap;
  yield WRITE;
  sysMunmap(h, t.cnt, ssBase(h, ss), h.cfg.ssBytes);
  h.i32[H.SS_LIVE]!--;
  if (from === SS_MAPPED) addPool(h, -1);
  t.emit(EV.SS_UNMAP, ss, from, 0);
  yield WRITE;
  Atomics.store(h.i32, ssIndex(h, ss) + S.WORD, word(SS_NONE, 0));
  giveEntry(h, ss);
}

/**
 * Frees `ss` if it has no ACTIVE slot, no active block and no pin (seed 000:
 * active_slots == 0 -> superslab_free). Callers call it after any step that can make
 * that true; `locked` when they already hold the pool lock. GEN guards against the
 * entry having become another SuperSlab meanwhile.
 */
export function* maybeFree(t: Thread, ss: number, locked = false): Op<void> {
  const h = t.heap;
  const { i32 } = h;
  const e = ssIndex(h, ss);
  yield READ;
  if (Atomics.load(i32, e + S.WORD) !== FREE_WORD) return;
  yield READ;
  if (Atomics.load(i32, e + S.ACTIVE_SLOTS) !== 0) return;
  yield READ;
  if (Atomics.load(i32, e + S.ACTIVE) !== 0) return;
  const gen = Atomics.load(i32, e + S.GEN);
  if (!locked) yield* lock(h, H.POOL_LOCK, t.tid);
  if (yield* hold(h, ss, gen)) {
    yield READ;
    const empty = Atomics.load(i32, e + S.ACTIVE_SLOTS) === 0 && Atomics.load(i32, e + S.ACTIVE) === 0;
    if (empty) yield* freeSuperSlab(t, ss);
    else yield* unhold(h, ss);
  }
  if (!locked) yield* unlock(h, H.POOL_LOCK);
}

/** Under the pool lock: takes `ss` exclusively if it is MAPPED, unpinned and still incarnation `gen`. */
export function* hold(h: Heap, ss: number, gen: number): Op<boolean> {
  const e = ssIndex(h, ss);
  yield WRITE;
  if (Atomics.load(h.i32, e + S.GEN) !== gen) return false;
  return Atomics.compareExchange(h.i32, e + S.WORD, FREE_WORD, word(SS_FREEING, 0)) === FREE_WORD;
}

/** Gives back a SuperSlab taken with hold(), unchanged. */
export function* unhold(h: Heap, ss: number): Op<void> {
  yield WRITE;
  Atomics.store(h.i32, ssIndex(h, ss) + S.WORD, FREE_WORD);
}

/** Drops a pin, then frees the SuperSlab if that pin was all that kept it. */
export function* releasePin(t: Thread, ss: number, locked = false): Op<void> {
  yield* unpin(t.heap, ss);
  yield* maybeFree(t, ss, locked);
}

// Under the pool lock: SuperSlabs in the pool, and the peak.
function addPool(h: Heap, n: number): void {
  const pool = (h.i32[H.SS_POOL]! += n);
  if (pool > h.i32[H.PEAK_SS_POOL]!) h.i32[H.PEAK_SS_POOL] = pool;
}

// SuperSlab table entries: a free list, then never-used entries.
function takeEntry(h: Heap): number {
  const { i32 } = h;
  const free = i32[H.SS_FREE]!;
  if (free !== 0) {
    i32[H.SS_FREE] = i32[ssIndex(h, free - 1) + S.NEXT_FREE]!;
    return free - 1;
  }
  const high = i32[H.SS_HIGH]!;
  if (high >= h.cfg.maxSuperSlabs) return -1;
  Atomics.store(i32, H.SS_HIGH, high + 1);
  return high;
}

function giveEntry(h: Heap, ss: number): void {
  h.i32[ssIndex(h, ss) + S.NEXT_FREE] = h.i32[H.SS_FREE]!;
  h.i32[H.SS_FREE] = ss + 1;
}
