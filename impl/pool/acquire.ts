// The shared pool's slab acquisition (seed 004 §1.2, shared_pool_acquire_slab):
//   stage 0.5  scan the class's registry for an EMPTY slot (seed 000 A2, seed 004 §4.1)
//   stage 1    pop the class's lock-free EMPTY list
//   stage 2    claim an UNUSED slot, lock-free
//   stage 3    under the pool lock: a new SuperSlab (LRU pop, else mmap), unless the
//              class is at its soft cap; then any EMPTY slot of any class is reused
//              before the allocation falls back to the legacy path (seed 004 §5.1 fix).
// A claimed slot is bound to the claiming thread's TLS for its class, the SuperSlab
// pinned for as long as it stays bound.
import { C } from '../counters.js';
import {
  EV, STAGE_CAP_RECLAIM, STAGE_EMPTY_LIST, STAGE_EMPTY_SCAN, STAGE_NEW_SS, STAGE_UNUSED,
} from '../events.js';
import { H, S, SL, SLOT_ACTIVE, SLOT_EMPTY, SLOT_UNUSED, SS_MAPPED, T } from '../layout.js';
import { registryBase, slotId, slotIndex, ssIndex, ssOfSlot, ssState } from '../locators.js';
import { initSlab } from '../slab/slab.js';
import { add, cas, load, lock, type Op, sub, unlock } from '../steps.js';
import { mapSuperSlab, publishMapped, releasePin } from '../superslab/lifecycle.js';
import { pin } from '../superslab/table.js';
import type { Thread } from '../thread/thread.js';
import { V } from '../variants.js';
import { listPop } from './empty-list.js';
import { register } from './registry.js';

/** acquireSlab result: the allocation goes to the legacy path. */
export const ACQ_LEGACY = -1;
/** acquireSlab result: no memory for a new SuperSlab. */
export const ACQ_ENOMEM = -2;

const STAGE_COUNTER = [0, C.stage05Hits, C.stage1Hits, C.stage2Hits, C.stage3Hits, C.capReclaims];

/** A slot of class `cls` bound to `t` (its SuperSlab pinned), or ACQ_LEGACY / ACQ_ENOMEM. */
export function* acquireSlab(t: Thread, cls: number): Op<number> {
  t.emit(EV.ACQUIRE_BEGIN, cls, 0, 0);
  if (t.heap.cfg.v & V.TLS_SUPERSLABS) return yield* fromOwnSuperSlab(t, cls);
  let slot = t.heap.cfg.emptyReuse ? yield* scanRegistry(t, cls) : -1;
  if (slot < 0) slot = yield* popEmptyList(t, cls);
  if (slot < 0) slot = yield* claimUnused(t, cls);
  if (slot < 0) slot = yield* newSlab(t, cls);
  return slot;
}

// Stage 0.5: EMPTY slots in the SuperSlabs registered for the class.
function* scanRegistry(t: Thread, cls: number): Op<number> {
  const h = t.heap;
  if ((yield load(H.EMPTY_SLOTS)) <= 0) return -1; // nothing to find: no scan (linear in what it finds)
  let n = yield load(H.REG_SIZE + cls);
  if (h.cfg.v & V.EMPTY_SCAN_LIMIT) n = Math.min(n, h.cfg.emptyScanLimit); // seed 004 §4.1
  for (let i = 0; i < n; i++) {
    const ss = (yield load(registryBase(h, cls) + i)) - 1; // -1: not yet written
    if (ss < 0) continue;
    const slot = yield* claimIn(t, ss, SLOT_EMPTY, cls, STAGE_EMPTY_SCAN);
    if (slot >= 0) return slot;
  }
  return -1;
}

// Stage 1: the class's EMPTY list; stale entries are dropped.
function* popEmptyList(t: Thread, cls: number): Op<number> {
  for (;;) {
    const slot = yield* listPop(t, cls);
    if (slot < 0) return -1;
    if (yield* claim(t, slot, SLOT_EMPTY, cls, STAGE_EMPTY_LIST)) return slot;
  }
}

// Stage 2: an UNUSED slot, newest SuperSlabs first (UNUSED slots appear only when a
// SuperSlab is mapped or reset). The counts never undercount, so skipping on 0 is safe.
function* claimUnused(t: Thread, cls: number): Op<number> {
  const h = t.heap;
  if ((yield load(H.UNUSED_SLOTS)) <= 0) return -1;
  for (let ss = (yield load(H.SS_HIGH)) - 1; ss >= 0; ss--) {
    if ((yield load(ssIndex(h, ss) + S.UNUSED)) <= 0) continue;
    const slot = yield* claimIn(t, ss, SLOT_UNUSED, cls, STAGE_UNUSED);
    if (slot >= 0) return slot;
  }
  return -1;
}

// Variant tls-superslabs, the design of seed 003 §2.2: a thread takes slabs of a class
// only from its own SuperSlab for that class (g_tls_slabs[class]->ss, "owned" by the
// thread): its next UNUSED slab, else a new SuperSlab (stage 3) becomes its own. No
// slab is shared or reused; a SuperSlab comes back only once it has no active block.
function* fromOwnSuperSlab(t: Thread, cls: number): Op<number> {
  const h = t.heap;
  const { i32 } = h;
  const own = i32[t.ti + T.OWN_SS + cls]! - 1;
  if (own >= 0 && (yield* pin(t, own))) {
    if ((yield load(ssIndex(h, own) + S.GEN)) === i32[t.ti + T.OWN_GEN + cls]) {
      const slot = yield* claimIn(t, own, SLOT_UNUSED, cls, STAGE_UNUSED, true);
      if (slot >= 0) return slot; // our pin is now the binding's
    }
    yield* releasePin(t, own);
  }
  const slot = yield* newSlab(t, cls);
  if (slot >= 0) {
    const ss = ssOfSlot(h.cfg, slot);
    i32[t.ti + T.OWN_SS + cls] = ss + 1;
    i32[t.ti + T.OWN_GEN + cls] = yield load(ssIndex(h, ss) + S.GEN);
  }
  return slot;
}

// Stage 3, under the pool lock.
function* newSlab(t: Thread, cls: number): Op<number> {
  const h = t.heap;
  const { cfg } = h;
  yield lock(H.POOL_LOCK);
  let slot: number;
  if (cfg.softCap > 0 && (yield load(H.CLASS_ACTIVE + cls)) >= cfg.softCap) {
    h.f64[t.cnt + C.softCapHits]!++;
    t.emit(EV.SOFT_CAP, cls, 0, 0);
    slot = ACQ_LEGACY;
    if (!(cfg.v & V.SOFTCAP_LEGACY_FALLBACK)) {
      const found = yield* reclaimAnyEmpty(t, cls);
      if (found >= 0) slot = found;
    }
  } else {
    const ss = yield* mapSuperSlab(t);
    slot = ss < 0 ? ACQ_ENOMEM : slotId(h.cfg, ss, 0);
    if (ss >= 0) {
      // held exclusively until published: nobody else can have its first slot
      if (!(yield* claim(t, slot, SLOT_UNUSED, cls, STAGE_NEW_SS, true))) throw new Error('a held SuperSlab lost a slot');
      yield* publishMapped(t, ss);
    }
  }
  yield unlock(H.POOL_LOCK);
  return slot;
}

// At the soft cap: any EMPTY slot, whatever class it last served.
function* reclaimAnyEmpty(t: Thread, cls: number): Op<number> {
  const h = t.heap;
  if ((yield load(H.EMPTY_SLOTS)) <= 0) return -1;
  const high = yield load(H.SS_HIGH);
  for (let ss = 0; ss < high; ss++) {
    if (ssState(yield load(ssIndex(h, ss) + S.WORD)) !== SS_MAPPED) continue;
    const slot = yield* claimIn(t, ss, SLOT_EMPTY, cls, STAGE_CAP_RECLAIM, false, true);
    if (slot >= 0) return slot;
  }
  return -1;
}

/** The first slot of SuperSlab `ss` in state `from` that `t` claims for `cls`, or -1 (see claim). */
function* claimIn(
  t: Thread, ss: number, from: number, cls: number, stage: number, pinned = false, locked = false,
): Op<number> {
  const h = t.heap;
  for (let slab = 0; slab < h.cfg.slabsPerSS; slab++) {
    const slot = slotId(h.cfg, ss, slab);
    if ((yield load(slotIndex(h, slot) + SL.STATE)) !== from) continue;
    if (yield* claim(t, slot, from, cls, stage, pinned, locked)) return slot;
  }
  return -1;
}

/**
 * Claims `slot` (state `from` -> ACTIVE) for class `cls` and binds it to `t`. Pins the
 * SuperSlab first unless `pinned` (a fresh one comes pinned); `locked` when the caller
 * holds the pool lock.
 */
function* claim(
  t: Thread, slot: number, from: number, cls: number, stage: number, pinned = false, locked = false,
): Op<boolean> {
  const h = t.heap;
  if (from === SLOT_EMPTY && h.cfg.v & V.WHOLE_SUPERSLAB_ONLY) return false; // seed 000: old design
  const ss = ssOfSlot(h.cfg, slot);
  const e = ssIndex(h, ss);
  const w = slotIndex(h, slot);
  if (!pinned && !(yield* pin(t, ss))) return false;
  if ((yield cas(t, w + SL.STATE, from, SLOT_ACTIVE)) !== from) {
    if (!pinned) yield* releasePin(t, ss, locked);
    return false;
  }
  if (from === SLOT_EMPTY) yield sub(t, H.EMPTY_SLOTS, 1);
  h.f64[t.cnt + STAGE_COUNTER[stage]!]!++;
  t.emit(EV.SLOT_CLAIM, slot, cls, stage);
  yield* initSlab(t, slot, cls);
  yield add(t, H.CLASS_ACTIVE + cls, 1);
  yield add(t, e + S.ACTIVE_SLOTS, 1);
  if (from === SLOT_UNUSED) {
    yield sub(t, e + S.UNUSED, 1);
    yield sub(t, H.UNUSED_SLOTS, 1);
  }
  yield* register(t, ss, cls);
  t.emit(EV.SLOT_SETTLED, slot, cls, 0);
  h.i32[t.ti + T.BOUND + cls] = slot + 1;
  t.owned.add(slot);
  return true;
}
