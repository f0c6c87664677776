// What a rule is (docs/architecture.md §8): a stable ID, the kind of judgement, the seed it
// comes from, the rule in one sentence, and the check that judges it — or, for the rules
// the executor raises itself (a crash, a deadlock), the file that raises it. The catalogue
// (catalogue.ts) lists every rule once; a violation names its rule by ID.

export interface Violation {
  id: string;
  what: string;
  where: string;
  expected: string;
  actual: string;
}

/**
 * safety: holds at every quiescent point (no operation half done); liveness: holds after
 * quiescence (everything freed, drained, exited, trimmed, the clock past the TTL);
 * decision: a choice the allocator makes, judged when it makes it; model: the allocator
 * against the abstract heap and the lifecycle machines; harness: raised by the executor.
 */
export type RuleKind = 'safety' | 'liveness' | 'decision' | 'model' | 'harness';

export interface Rule<In = never> {
  readonly id: string;
  readonly kind: RuleKind;
  /** The seed (or document) the rule comes from. */
  readonly seed: string;
  /** The rule in one sentence (quoted in every report). */
  readonly statement: string;
  /** The first violation of the rule in `input`, or null; absent when `raisedBy` raises it. */
  check?(input: In): Violation | null;
  /** The source file that raises the rule's violations, for a rule with no check. */
  readonly raisedBy?: string;
}

/** A rule that is always judged by its check. */
export type CheckedRule<In> = Rule<In> & { check(input: In): Violation | null };

export function violation(id: string, what: string, where: string, expected: unknown, actual: unknown): Violation {
  return { id, what, where, expected: String(expected), actual: String(actual) };
}
