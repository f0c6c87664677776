// Stage 1's lock-free per-class list of EMPTY slots (seed 004 §4: sp_freelist_pop_lockfree;
// seed 000 Option A2: "track empty slabs per-class during free"). A Treiber stack linked
// through the slots; the head carries a 10-bit tag bumped by every successful CAS, so a
// pop that read a head before other threads popped and re-pushed the same slot fails
// instead of corrupting the list (ABA would need 1024 such CASes inside one pop).
//
// The list is a hint: a popped slot is only claimed if its state CAS EMPTY -> ACTIVE
// succeeds; stale nodes (slot claimed by stage 0.5, SuperSlab cached or freed) are
// dropped by the popper. A slot has a link per class list and LISTED marks the lists
// holding it, so it is on each list at most once, and a release always lands it on the
// list of the class it last served even while a stale node sits on another.
import type { Heap } from '../heap.js';
import { H, SL } from '../layout.js';
import { headSlot, retag, slotIndex } from '../locators.js';
import { and, cas, load, type Op, or, peek, store } from '../steps.js';
import type { Thread } from '../thread/thread.js';

export function* listPush(t: Thread, cls: number, slot: number): Op<void> {
  const w = slotIndex(t.heap, slot);
  if (((yield or(t, w + SL.LISTED, 1 << cls)) & (1 << cls)) !== 0) return;
  for (;;) {
    const head = yield load(H.EMPTY_HEAD + cls);
    yield store(t, w + SL.LNEXT + cls, headSlot(head));
    if ((yield cas(t, H.EMPTY_HEAD + cls, head, retag(head, slot + 1))) === head) return;
  }
}

/** A slot taken off `cls`'s list (not yet claimed), or -1 when the list is empty. */
export function* listPop(t: Thread, cls: number): Op<number> {
  for (;;) {
    const head = yield load(H.EMPTY_HEAD + cls);
    const top = headSlot(head);
    if (top === 0) return -1;
    const next = yield load(slotIndex(t.heap, top - 1) + SL.LNEXT + cls);
    if ((yield cas(t, H.EMPTY_HEAD + cls, head, retag(head, next))) === head) {
      yield and(t, slotIndex(t.heap, top - 1) + SL.LISTED, ~(1 << cls));
      return top - 1;
    }
  }
}

/** The slots on `cls`'s list, head first (for the audit; not safe against concurrent change). */
export function listSlots(h: Heap, cls: number): readonly number[] {
  const head = headSlot(peek(h, H.EMPTY_HEAD + cls));
  if (head === 0) return NO_SLOTS; // most lists, most of the time
  const out: number[] = [];
  const limit = h.cfg.maxSuperSlabs * h.cfg.slabsPerSS;
  for (let s = head; s !== 0 && out.length <= limit; ) {
    out.push(s - 1);
    s = peek(h, slotIndex(h, s - 1) + SL.LNEXT + cls);
  }
  return out;
}

// Readonly by type, not frozen (a frozen array's for...of allocates an iterator: model/audit.ts NONE).
const NO_SLOTS: readonly number[] = [];
