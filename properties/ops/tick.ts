// tick(ms): advances the logical clock; idle trim runs on the tick that reaches its
// deadline (seed 003 Option B), judged by IDLE-TRIM; the LRU's TTL counts on this clock.
import fc from 'fast-check';
import { tickOp } from '../../impl/allocator/allocator.js';
import { describe } from '../../impl/quote.js';
import { keys, nat, TOKEN_LIMITS, TokenError } from '../fields.js';
import { done } from './plain.js';
import type { OpPlugin } from './registry.js';

export type TickOp = { op: 'tick'; ms: number };

export const tick: OpPlugin<TickOp> = {
  kind: 'tick',
  summary: 'advances the logical clock (idle trim, LRU TTL)',

  draws: () => [{ weight: 1, arbitrary: fc.constantFrom(4, 12).map((ms): TickOp => ({ op: 'tick', ms })) }],

  validate(o, where) {
    keys(o, where, ['op', 'ms']);
    if (!nat(o['ms']) || o['ms'] > TOKEN_LIMITS.tickMs) throw new TokenError(`${where}: tick ms ${describe(o['ms'])} is not a whole number up to ${TOKEN_LIMITS.tickMs}`);
    return { op: 'tick', ms: o['ms'] };
  },

  text: (o) => `tick(${o.ms}ms)`,
  clockMs: (o) => o.ms,
  detail: (o) => o.ms,
  shrink: (o) => (o.ms > 1 ? [{ op: 'tick', ms: 1 }] : []),
  decision: 'tick',
  endsThread: false,
  start: (o, ctx) => done(tickOp(ctx.t, o.ms)),
};
