// The rule catalogue: every rule the checker judges, each defined once in the module of its
// kind — safety.ts, liveness.ts (audit snapshots), decision.ts (the pool's choices),
// model.ts (abstract heap, lifecycle machines), harness.ts (raised by the executor) — and
// listed here in judging order. Violations name rules by ID; a report quotes the rule's
// statement (properties/report.ts); variants name the rules expected to catch them
// (impl/variants.ts `rules`).
import type { Snapshot } from '../audit.js';
import { CONTRACT_RULES } from './contract.js';
import { DECISION_RULES, type Decision } from './decision.js';
import { HARNESS_RULES } from './harness.js';
import { LIVENESS_RULES } from './liveness.js';
import { MODEL_RULES } from './model.js';
import type { CheckedRule, Rule, Violation } from './rule.js';
import { SAFETY_RULES } from './safety.js';

export type { Rule, RuleKind, Violation } from './rule.js';

/** The snapshot rules: safety, then liveness. */
export const SNAPSHOT_RULES: readonly CheckedRule<Snapshot>[] = [...SAFETY_RULES, ...LIVENESS_RULES];

export const RULES: readonly Rule[] = [...SNAPSHOT_RULES, ...DECISION_RULES, ...CONTRACT_RULES, ...MODEL_RULES, ...HARNESS_RULES];

const BY_ID = new Map(RULES.map((r) => [r.id, r]));

/** The rule with stable ID `id`. */
export function ruleById(id: string): Rule | undefined {
  return BY_ID.get(id);
}

/** The snapshot rule with ID `id` (its check takes an audit snapshot). */
export function snapshotRule(id: string): CheckedRule<Snapshot> | undefined {
  return SNAPSHOT_RULES.find((r) => r.id === id);
}

/** The first violation among the snapshot rules `which` selects (default: safety), in catalogue order. */
export function firstViolation(s: Snapshot, which?: (r: Rule) => boolean): Violation | null {
  for (const r of which === undefined ? SAFETY_RULES : SNAPSHOT_RULES.filter(which)) {
    const bad = r.check(s);
    if (bad !== null) return bad;
  }
  return null;
}

/** The first decision rule `d` breaks, in catalogue order. */
export function decisionViolation(d: Decision): Violation | null {
  for (const r of DECISION_RULES) {
    const bad = r.check(d);
    if (bad !== null) return bad;
  }
  return null;
}
