// A block comes back: from its owner (localFree), from another thread (remoteFree), or
// out of a remote queue its owner drains (drainOwned). EMPTY detection (seed 000
// Priority 1, seed 004 Option A): wherever a slab's `used` can reach 0 — the owner
// draining its thread cache or its remote queue — the slab turns EMPTY and its slot
// goes back to the shared pool, per slab, not only per SuperSlab. The SuperSlab's
// active count drops after the block is back, so the SuperSlab cannot be freed under
// the release; the drop that ends it checks whether the SuperSlab can go.
import { C } from '../counters.js';
import { EV } from '../events.js';
import { H, S, SL, SLOT_EMPTY, T } from '../layout.js';
import { slotIndex, ssIndex, ssOfSlot } from '../locators.js';
import { claimOrphan, drainRemote, remotePush } from '../slab/remote.js';
import { pushFree } from '../slab/slab.js';
import { add, type Op, store, sub } from '../steps.js';
import { maybeFree, releasePin } from '../superslab/lifecycle.js';
import type { Thread } from '../thread/thread.js';
import { V } from '../variants.js';
import { listPush } from './empty-list.js';

/**
 * Owner: block `idx` goes back to `slot` (seed 001 free_local_box) — from a drain of the
 * thread cache (Option B), or straight from a free that found the cache full.
 */
export function* localFree(t: Thread, slot: number, idx: number, drained: boolean): Op<void> {
  const h = t.heap;
  const ss = ssOfSlot(h.cfg, slot);
  pushFree(h, t.cnt, slot, idx);
  h.i32[slotIndex(h, slot) + SL.USED]!--;
  const released = yield* releaseIfEmpty(t, slot, drained);
  yield sub(t, ssIndex(h, ss) + S.ACTIVE, 1); // the block stops counting only now, so ss cannot be freed under the release
  if (released) yield* maybeFree(t, ss);
}

/**
 * Not the owner: block `idx` (its cell at f64 index `cell`) goes on `slot`'s remote
 * queue; `total_active_blocks` drops after the push (seed 003 Option A).
 */
export function* remoteFree(t: Thread, slot: number, idx: number, cell: number): Op<void> {
  const h = t.heap;
  yield* remotePush(t, slot, idx, cell);
  // The owner we read may have drained, left the slab ORPHAN and exited before the push
  // landed: nobody would drain it, so we adopt it (its exit drains it). An owner that
  // orphans it after this re-reads its queue (allocator/allocator.ts orphan). Our block
  // still counts in ACTIVE, so the SuperSlab cannot be reset under us: ORPHAN means orphaned.
  if (!(h.cfg.v & V.ORPHAN_PUSH_RACE)) yield* claimOrphan(t, slot);
  if (h.cfg.v & V.REMOTE_FREE_SKIPS_ACTIVE) return; // seed 003: active count stays inflated
  const ss = ssOfSlot(h.cfg, slot);
  // The owner's drain may have emptied the slab before this lands; its check of the
  // SuperSlab still counted our block, so the drop that ends ACTIVE checks it again.
  if ((yield sub(t, ssIndex(h, ss) + S.ACTIVE, 1)) === 1) yield* maybeFree(t, ss);
}

/** Owner, holding a pin on the slot's SuperSlab: drains its remote queue (seed 003). */
export function* drainOwned(t: Thread, slot: number): Op<void> {
  if ((yield* drainRemote(t, slot)) > 0) yield* releaseIfEmpty(t, slot, true);
}

/** Owner: if `slot`'s `used` is 0, releases it; true when it did. */
function* releaseIfEmpty(t: Thread, slot: number, drained: boolean): Op<boolean> {
  const h = t.heap;
  if (h.i32[slotIndex(h, slot) + SL.USED]! !== 0) return false;
  if (drained && h.cfg.v & V.DRAIN_SKIPS_EMPTY) return false; // seed 004 §4.4: "never marks slab as EMPTY"
  yield* releaseSlot(t, slot);
  return true;
}

// ACTIVE -> EMPTY, then published on the class's stage 1 list. A slab bound to this
// thread is unbound first; the binding's pin keeps the SuperSlab until the end.
function* releaseSlot(t: Thread, slot: number): Op<void> {
  const h = t.heap;
  const { i32 } = h;
  const w = slotIndex(h, slot);
  const cls = i32[w + SL.CLASS]!;
  const ss = ssOfSlot(h.cfg, slot);
  const bound = i32[t.ti + T.BOUND + cls] === slot + 1;
  if (bound) i32[t.ti + T.BOUND + cls] = 0;
  yield add(t, H.EMPTY_SLOTS, 1); // counted first: the count never undercounts
  yield store(t, w + SL.STATE, SLOT_EMPTY);
  t.owned.delete(slot);
  h.f64[t.cnt + C.emptyEvents]!++;
  t.emit(EV.SLOT_EMPTY, slot, cls, 0);
  yield sub(t, H.CLASS_ACTIVE + cls, 1);
  yield sub(t, ssIndex(h, ss) + S.ACTIVE_SLOTS, 1);
  yield* listPush(t, cls, slot);
  t.emit(EV.SLOT_SETTLED, slot, cls, 0);
  if (bound) yield* releasePin(t, ss);
}
