// alloc(size): malloc of `size` bytes. The sizes programs draw (the alphabet, issue 10
// item 0): one each of C7, C6, C5, where the scope's slabs fill and empty within a few
// operations, then both edges of every class (model/contract.ts EDGE_SIZES, 2048 refused).
// Its result is judged against the contract (ALLOC-SIZE, ALLOC-CLASS) and the abstract heap.
import fc from 'fast-check';
import { mallocOp } from '../../impl/allocator/allocator.js';
import { describe } from '../../impl/quote.js';
import { LEGACY_HEADER } from '../../impl/allocator/legacy.js';
import { EDGE_SIZES, judgeAllocResult } from '../../model/contract.js';
import { keys, nat, TokenError } from '../fields.js';
import type { OpPlugin, RunContext } from './registry.js';

export type AllocOp = { op: 'alloc'; size: number };

/** The sizes programs draw; shrinking prefers earlier ones. */
export const SIZES: readonly number[] = [1500, 300, 200, ...EDGE_SIZES];
/** How many of SIZES lead: the mid-class sizes most allocations use (and shrinking goes to). */
const MAIN_SIZES = 3;

const of = (size: number): AllocOp => ({ op: 'alloc', size });

// A legacy block's user address sits a header past a page start (impl/allocator/legacy.ts).
const isLegacy = (address: number, ctx: RunContext): boolean => (address - LEGACY_HEADER) % ctx.heap.cfg.pageBytes === 0;

export const alloc: OpPlugin<AllocOp> = {
  kind: 'alloc',
  summary: 'malloc of a size from every class, edges included',

  draws: () => [
    { weight: 5, arbitrary: fc.constantFrom(...SIZES.slice(0, MAIN_SIZES)).map(of) },
    { weight: 2, arbitrary: fc.constantFrom(...EDGE_SIZES).map(of) },
  ],

  validate(o, where) {
    keys(o, where, ['op', 'size']);
    if (!nat(o['size'])) throw new TokenError(`${where}: alloc size ${describe(o['size'])} is not a whole number`);
    return of(o['size']);
  },

  text: (o) => `alloc(${o.size})`,
  clockMs: () => 0,
  detail: (o) => SIZES.indexOf(o.size) + 1,
  // toward the main sizes (not every edge: that would multiply the candidates)
  shrink: (o) => SIZES.slice(0, Math.min(MAIN_SIZES, Math.max(0, SIZES.indexOf(o.size)))).map(of),
  decision: 'none',
  endsThread: false,

  start(o, ctx) {
    return {
      gen: mallocOp(ctx.t, o.size),
      target: () => '',
      freeing: 0,
      firstStep() {},
      end(result, fail) {
        fail(judgeAllocResult(`T${ctx.index} alloc(${o.size})`, o.size, result));
        if (result > 0) fail(ctx.model.onAlloc(ctx.index, o.size, result, isLegacy(result, ctx), ctx.snapshot()));
      },
      text: (result) => (result <= 0 ? `failed (${result})` : `= ${ctx.blockName(result)}${isLegacy(result, ctx) ? ' (legacy)' : ''}`),
    };
  },
};
