// Rules judged at the moment the allocator decides (seed 004 §1.2, §4, §5.1), on a snapshot
// taken when it reports the decision. The observer (properties/observer.ts) asks them only
// for acquisitions that ran alone — no other thread's lifecycle event between the
// acquisition's start and its decision, and no other thread's claim or release half done
// at its start — since a slot that turned EMPTY under a running scan, or a lock-free claim
// whose count and registry entry land after the decision read them, is a benign race, not
// a bug (seed 004 §1.2: stages 0.5-2 claim without the pool lock, so stage 3's soft-cap
// test under the lock reads a count they move).
import type { PoolView } from '../audit.js';
import { violation, type CheckedRule } from './rule.js';
import { pooled, slotName } from './views.js';

/**
 * A decision point. `acquire`: an acquisition of class `cls` ended in `outcome` — a stage
 * 2 claim (UNUSED slot), a stage 3 claim (new SuperSlab; the view is taken before the
 * claim counts) or the legacy path. A rule returns null at points it does not judge.
 */
export type Decision = { at: 'acquire'; snapshot: PoolView; cls: number; outcome: 'stage2' | 'stage3' | 'legacy' };

export const EMPTY_FIRST: CheckedRule<Decision> = {
  id: 'INV-EMPTY-FIRST',
  kind: 'decision',
  seed: '004_d59e0d336a26e3fe.txt §4-§5, 000_86274261e3f63077.txt',
  statement: 'no stage 2 or 3 claim while an EMPTY slot is reachable for the class (on its stage 1 list, or — stage 0.5 on — in a SuperSlab that hosted it); no legacy fallback while any EMPTY slot exists',
  check({ snapshot: s, cls, outcome }) {
    const list = s.emptyLists[cls]?.items ?? [];
    let listed: Set<number> | null = null; // built at the first EMPTY slot (most claims see none)
    for (const ss of s.superslabs) {
      if (!pooled(ss)) continue;
      for (const slot of ss.slots) {
        if (slot.state !== 'EMPTY') continue;
        listed ??= new Set(list);
        // HAKMEM_SS_EMPTY_REUSE=0: no stage 0.5 (check.legacy_rules: the rule as it was, assuming it)
        const scanned = (s.limits.emptyReuse || s.limits.legacyRules) && (ss.hosted & (1 << cls)) !== 0;
        if (outcome === 'legacy' || listed.has(slot.slot) || scanned) {
          return violation(this.id,
            outcome === 'legacy'
              ? `legacy fallback for class ${cls} while an EMPTY slot exists`
              : `${outcome === 'stage2' ? 'stage 2 (UNUSED slot)' : 'stage 3 (new SuperSlab)'} for class ${cls} while an EMPTY slot was reachable`,
            slotName(ss, slot), 'the EMPTY slot reused first', `it stayed EMPTY${listed.has(slot.slot) ? ` on class ${cls}'s list` : ''}`);
        }
      }
    }
    return null;
  },
};

export const SOFT_CAP: CheckedRule<Decision> = {
  id: 'INV-SOFTCAP',
  kind: 'decision',
  seed: '004_d59e0d336a26e3fe.txt §1.2 (tiny_cap)',
  statement: 'stage 3 maps a SuperSlab for a class only below its soft cap',
  check({ snapshot: s, cls, outcome }) {
    const cap = s.limits.softCap;
    const active = s.classActive[cls]!;
    if (outcome !== 'stage3' || cap === 0 || active < cap) return null;
    return violation(this.id, `stage 3 mapped a SuperSlab for class ${cls} at its soft cap`, `class ${cls}`, `< ${cap} ACTIVE slots`, active);
  },
};

/** Judged in this order at each decision point. */
export const DECISION_RULES: readonly CheckedRule<Decision>[] = [EMPTY_FIRST, SOFT_CAP];
