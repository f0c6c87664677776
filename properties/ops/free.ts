// free(T#k): free a live block allocated by thread `from` (mod the thread count): its
// `pick`-th (mod the count), oldest first; nothing when that thread holds none. The free
// takes effect at its first step (the pointer check, then the cache push or the live bit
// cleared); what follows — a drain, a remote push — is the allocator's.
import fc from 'fast-check';
import { freeOp } from '../../impl/allocator/allocator.js';
import { keys, nat, TokenError } from '../fields.js';
import type { OpPlugin } from './registry.js';

export type FreeOp = { op: 'free'; from: number; pick: number };

export const free: OpPlugin<FreeOp> = {
  kind: 'free',
  summary: "free of a live block, the thread's own or another's",

  draws: () => [{ weight: 4, arbitrary: fc.record({ from: fc.nat(3), pick: fc.nat(3) }).map(({ from, pick }): FreeOp => ({ op: 'free', from, pick })) }],

  validate(o, where) {
    keys(o, where, ['op', 'from', 'pick']);
    if (!nat(o['from']) || !nat(o['pick'])) throw new TokenError(`${where}: free needs whole numbers from and pick`);
    return { op: 'free', from: o['from'], pick: o['pick'] };
  },

  text: (o, threads) => `free(T${o.from % threads}#${o.pick})`,
  clockMs: () => 0,
  detail: (o) => o.pick + o.from,
  shrink: (o) => [...(o.pick > 0 ? [{ ...o, pick: 0 }] : []), ...(o.from > 0 ? [{ ...o, from: 0 }] : [])],
  decision: 'free',
  endsThread: false,

  start(o, ctx) {
    const live = ctx.model.liveOf(o.from % ctx.threads);
    if (live.length === 0) return null;
    const block = live[o.pick % live.length]!.address;
    return {
      gen: freeOp(ctx.t, block),
      target: () => ` -> ${ctx.blockName(block)}`,
      freeing: block,
      firstStep: () => ctx.model.onFree(block),
      end(result, fail) {
        if (result !== 0) fail({ id: 'FREE-REJECTED', what: `free of a live block returned ${result}`, where: ctx.blockName(block), expected: '0', actual: String(result) });
      },
      text: () => 'done',
    };
  },
};
