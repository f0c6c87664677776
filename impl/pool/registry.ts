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
import { type Op, WRITE } from '../steps.js';
import { V } from '../variants.js';

export function* register(h: Heap, ss: number, cls: number): Op<void> {
  const { i32 } = h;
  const e = ssIndex(h, ss);
  const bit = 1 << cls;
  yield WRITE;
  Atomics.or(i32, e + S.HOSTED, bit);
  if (h.cfg.v & V.REGISTRY_UNPOPULATED) return; // seed 000: registration removed
  yield WRITE;
  if ((Atomics.or(i32, e + S.REGISTERED, bit) & bit) !== 0) return;
  yield WRITE;
  const n = Atomics.add(i32, H.REG_SIZE + cls, 1);
  yield WRITE;
  Atomics.store(i32, registryBase(h, cls) + n, ss + 1);
}

/** SuperSlab indices in `cls`'s registry (entries not yet written read as -1). */
export function registryEntry(h: Heap, cls: number, i: number): number {
  return Atomics.load(h.i32, registryBase(h, cls) + i) - 1;
}
