// The per-class SuperSlab registry that feeds stage 0.5 (seed 000: g_super_reg_by_class,
// "not populated because per-class registration was removed in Phase 12").
// A SuperSlab table entry is appended to class c's registry the first time a slab of c
// is bound in it, and stays listed for the life of the table entry (REGISTERED remembers
// it), so appends are lock-free and nothing is ever removed under a reader. HOSTED is
// the ground truth the checker compares the registry with: the classes that have had a
// slab in the SuperSlab's current incarnation.
import type { Heap } from '../heap.js';
import { H, S } from '../layout.js';
import { registryBase, ssIndex } from '../locators.js';
import { add, type Op, or, peek, store } from '../steps.js';
import type { Thread } from '../thread/thread.js';
import { V } from '../variants.js';

export function* register(t: Thread, ss: number, cls: number): Op<void> {
  const h = t.heap;
  const e = ssIndex(h, ss);
  const bit = 1 << cls;
  yield or(t, e + S.HOSTED, bit);
  if (h.cfg.v & V.REGISTRY_UNPOPULATED) return; // seed 000: registration removed
  if (((yield or(t, e + S.REGISTERED, bit)) & bit) !== 0) return;
  const n = yield add(t, H.REG_SIZE + cls, 1);
  yield store(t, registryBase(h, cls) + n, ss + 1);
}

/** Entry `i` of `cls`'s registry, a SuperSlab index (-1: not yet written), read outside any operation. */
export function registryEntry(h: Heap, cls: number, i: number): number {
  return peek(h, registryBase(h, cls) + i) - 1;
}
