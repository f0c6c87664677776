// The operations with no argument (drain, trim, exit): one definition of what they share.
import fc from 'fast-check';
import type { Op as Step } from '../../impl/steps.js';
import type { Thread } from '../../impl/thread/thread.js';
import { keys } from '../fields.js';
import type { Decision, OpPlugin, Running } from './registry.js';

export interface PlainSpec<K extends string> {
  kind: K;
  summary: string;
  /** Its weight among the scope's draws. */
  weight: number;
  decision: Decision;
  endsThread: boolean;
  run(t: Thread): Step<void>;
}

export function plainOp<K extends string>(spec: PlainSpec<K>): OpPlugin<{ op: K }> {
  const op = { op: spec.kind };
  return {
    kind: spec.kind,
    summary: spec.summary,
    draws: () => [{ weight: spec.weight, arbitrary: fc.constant(op) }],
    validate(o, where) {
      keys(o, where, ['op']);
      return { op: spec.kind };
    },
    text: () => `${spec.kind}()`,
    clockMs: () => 0,
    detail: () => 0,
    shrink: () => [],
    decision: spec.decision,
    endsThread: spec.endsThread,
    start: (_, ctx) => done(spec.run(ctx.t)),
  };
}

/** An operation that returns nothing and is judged by its decision oracle alone. */
export function done(gen: Step<void>): Running {
  return { gen, target: () => '', freeing: 0, firstStep() {}, end() {}, text: () => 'done' };
}
