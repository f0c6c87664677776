// SuperSlabs (seed 004 §3): aligned regions of 2^lg bytes cut into slabs. Their
// metadata lives in a table entry; the header at the SuperSlab's base (in simulated
// memory) names the entry, so free() finds it from a pointer as the real allocator
// does: base = ptr & ~(size - 1), then check the header magic.
//
// Pins: a thread pins a SuperSlab before touching its slots and holds the pin while a
// slab of it is bound to its TLS ("held by a thread cache", seed 003 §1.1). State and
// pin count share one word, so "free only when unpinned" and "pin only when MAPPED" are
// each a single CAS: a SuperSlab can never be freed under a thread that is using it.
import { H, S, SS_FREEING, SS_MAPPED } from '../layout.js';
import { ssIndex, ssState } from '../locators.js';
import { cas, load, type Op, sub, waitFree } from '../steps.js';
import type { Thread } from '../thread/thread.js';
import { V } from '../variants.js';

/**
 * Pins `ss` if it is MAPPED. A SuperSlab held FREEING belongs to a thread inside the
 * pool lock that may give it back: wait for the lock, then look again.
 */
export function* pin(t: Thread, ss: number): Op<boolean> {
  const w = ssIndex(t.heap, ss) + S.WORD;
  for (;;) {
    const word = yield load(w);
    if (ssState(word) === SS_FREEING) {
      yield waitFree(H.POOL_LOCK);
      continue;
    }
    if (ssState(word) !== SS_MAPPED) return false;
    // variant pin-check-torn: the CAS expects a second read of the word, not the one whose
    // state was checked — a hold between the two reads is then pinned over (a torn snapshot)
    const expect = t.heap.cfg.v & V.PIN_CHECK_TORN ? yield load(w) : word;
    if ((yield cas(t, w, expect, expect + 1)) === expect) return true;
  }
}

/** Drops one pin (callers then check whether the SuperSlab can be freed). */
export function* unpin(t: Thread, ss: number): Op<void> {
  yield sub(t, ssIndex(t.heap, ss) + S.WORD, 1);
}
