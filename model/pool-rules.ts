// Rules judged at the moment the shared pool decides (seed 004 §1.2, §4, §5.1): they
// look at a snapshot taken when the allocator reports the decision. The observer
// applies them only to acquisitions that ran alone — no other thread's lifecycle event
// between the acquisition's start and its decision, and no other thread's claim or
// release half done at its start — since a slot that turned EMPTY under a running scan,
// or a lock-free claim whose count and registry entry land after the decision read
// them, is a benign race, not a bug (seed 004 §1.2: stages 0.5-2 claim without the
// pool lock, so stage 3's soft-cap test under the lock reads a count they move).
import type { Snapshot, SsSnap } from '../impl/audit.js';
import type { Violation } from './invariants.js';

export const POOL_RULES = [
  {
    id: 'INV-EMPTY-FIRST',
    seed: '004_d59e0d336a26e3fe.txt §4-§5, 000_86274261e3f63077.txt',
    rule: 'no stage 2 or 3 claim while an EMPTY slot is reachable for the class (on its stage 1 list, or — stage 0.5 on — in a SuperSlab that hosted it); no legacy fallback while any EMPTY slot exists',
  },
  {
    id: 'INV-SOFTCAP',
    seed: '004_d59e0d336a26e3fe.txt §1.2 (tiny_cap)',
    rule: 'stage 3 maps a SuperSlab for a class only below its soft cap',
  },
  {
    id: 'INV-LIFECYCLE',
    seed: 'docs/architecture.md §7',
    rule: 'every lifecycle event the allocator reports is a legal transition of the slot and SuperSlab machines',
  },
] as const;

const pooled = (ss: SsSnap): boolean => ss.state !== 'CACHED';

/**
 * INV-EMPTY-FIRST for an acquisition of `cls` that ended in `decision`: 'stage2' or
 * 'stage3' (a slot taken while EMPTY ones were reachable), or 'legacy'.
 */
export function emptyFirst(s: Snapshot, cls: number, decision: 'stage2' | 'stage3' | 'legacy'): Violation | null {
  const listed = new Set(s.emptyLists[cls]?.items ?? []);
  for (const ss of s.superslabs) {
    if (!pooled(ss)) continue;
    for (const slot of ss.slots) {
      if (slot.state !== 'EMPTY') continue;
      const scanned = s.limits.emptyReuse && (ss.hosted & (1 << cls)) !== 0; // HAKMEM_SS_EMPTY_REUSE=0: no stage 0.5
      const reachable = decision === 'legacy' || listed.has(slot.slot) || scanned;
      if (reachable) {
        return {
          id: 'INV-EMPTY-FIRST',
          what: decision === 'legacy'
            ? `legacy fallback for class ${cls} while an EMPTY slot exists`
            : `${decision === 'stage2' ? 'stage 2 (UNUSED slot)' : 'stage 3 (new SuperSlab)'} for class ${cls} while an EMPTY slot was reachable`,
          where: `SuperSlab ${ss.index} slab ${slot.slab} (slot ${slot.slot})`,
          expected: 'the EMPTY slot reused first',
          actual: `it stayed EMPTY${listed.has(slot.slot) ? ` on class ${cls}'s list` : ''}`,
        };
      }
    }
  }
  return null;
}

/** INV-SOFTCAP for a stage 3 claim of `cls` (the snapshot is taken before the claim counts). */
export function softCap(s: Snapshot, cls: number): Violation | null {
  const cap = s.limits.softCap;
  const active = s.classActive[cls]!;
  if (cap === 0 || active < cap) return null;
  return { id: 'INV-SOFTCAP', what: `stage 3 mapped a SuperSlab for class ${cls} at its soft cap`, where: `class ${cls}`, expected: `< ${cap} ACTIVE slots`, actual: `${active}` };
}
