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
import { type Op, READ, WRITE } from '../steps.js';

export function* listPush(h: Heap, cls: number, slot: number): Op<void> {
  const { i32 } = h;
  const w = slotIndex(h, slot);
  yield WRITE;
  if ((Atomics.or(i32, w + SL.LISTED, 1 << cls) & (1 << cls)) !== 0) return;
  for (;;) {
    yield READ;
    const head = Atomics.load(i32, H.EMPTY_HEAD + cls);
    Atomics.store(i32, w + SL.LNEXT + cls, headSlot(head));
    yield WRITE;
    if (Atomics.compareExchange(i32, H.EMPTY_HEAD + cls, head, retag(head, slot + 1)) === head) return;
  }
}

/** A slot taken off `cls`'s list (not yet claimed), or -1 when the list is empty. */
export function* listPop(h: Heap, cls: number): Op<number> {
  const { i32 } = h;
  for (;;) {
    yield READ;
    const head = Atomics.load(i32, H.EMPTY_HEAD + cls);
    const top = headSlot(head);
    if (top === 0) return -1;
    yield READ;
    const next = Atomics.load(i32, slotIndex(h, top - 1) + SL.LNEXT + cls);
    yield WRITE;
    if (Atomics.compareExchange(i32, H.EMPTY_HEAD + cls, head, retag(head, next)) === head) {
      yield WRITE;
      Atomics.and(i32, slotIndex(h, top - 1) + SL.LISTED, ~(1 << cls));
      return top - 1;
    }
  }
}

/** The slots on `cls`'s list, head first (for the audit; not safe against concurrent change). */
export function listSlots(h: Heap, cls: number): number[] {
  const out: number[] = [];
  const limit = h.cfg.maxSuperSlabs * h.cfg.slabsPerSS;
  for (let s = headSlot(h.i32[H.EMPTY_HEAD + cls]!); s !== 0 && out.length <= limit; ) {
    out.push(s - 1);
    s = h.i32[slotIndex(h, s - 1) + SL.LNEXT + cls]!;
  }
  return out;
}
