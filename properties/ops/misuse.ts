// misuse: a free the allocator must reject (model/contract.ts). `kind` steers the address —
// a freed block of thread `from` (double), a byte inside a live one (interior), its
// SuperSlab's header or a slab tail (foreign), a block its slab never handed out (never),
// an address in no mapping (wild); `pick` and `offset` choose among them. The address is
// chosen from the abstract heap and the heap as it stands when the operation starts, with
// what the contract says the free must answer; FREE-ERROR judges the code, and that the
// heap's state (impl/heap.ts stateBytes) is the same after the free's first step (its pointer check). A target
// that turns out to be a live block is no misuse: the operation does nothing then, like a
// free with nothing to free.
import fc from 'fast-check';
import { match } from 'ts-pattern';
import { freeOp } from '../../impl/allocator/allocator.js';
import { audit, type Snapshot } from '../../model/audit.js';
import { errorName } from '../../impl/errors.js';
import { copyState, sameState, type Heap } from '../../impl/heap.js';
import { isMappedPage, pageOf } from '../../impl/os/pages.js';
import { describe } from '../../impl/quote.js';
import { HEADER_BYTES, STRIDES } from '../../impl/sizeclass.js';
import type { AbstractHeap } from '../../model/abstract.js';
import { classForSize, expectedFree, judgeRejectedFree, type FreeFacts } from '../../model/contract.js';
import { keys, nat, TokenError } from '../fields.js';
import type { OpPlugin } from './registry.js';

export const MISUSE_KINDS = ['double', 'interior', 'foreign', 'never', 'wild'] as const;
export type MisuseKind = (typeof MISUSE_KINDS)[number];
export type MisuseOp = { op: 'misuse'; kind: MisuseKind; from: number; pick: number; offset: number };

export const misuse: OpPlugin<MisuseOp> = {
  kind: 'misuse',
  summary: 'a free the allocator must reject: double, interior, foreign, never allocated, wild',

  draws: () => [{
    weight: 1,
    arbitrary: fc.record({ kind: fc.constantFrom(...MISUSE_KINDS), from: fc.nat(3), pick: fc.nat(3), offset: fc.nat(63) })
      .map(({ kind, from, pick, offset }): MisuseOp => ({ op: 'misuse', kind, from, pick, offset })),
  }],

  validate(o, where) {
    keys(o, where, ['op', 'kind', 'from', 'pick', 'offset']);
    if (!MISUSE_KINDS.includes(o['kind'] as MisuseKind)) throw new TokenError(`${where}: unknown misuse kind ${describe(o['kind'])} (expected ${MISUSE_KINDS.join(', ')})`);
    if (!nat(o['from']) || !nat(o['pick']) || !nat(o['offset'])) throw new TokenError(`${where}: misuse needs whole numbers from, pick and offset`);
    return { op: 'misuse', kind: o['kind'] as MisuseKind, from: o['from'], pick: o['pick'], offset: o['offset'] };
  },

  text: (o, threads) => `free-${o.kind}(T${o.from % threads}#${o.pick}+${o.offset})`,
  clockMs: () => 0,
  detail: (o) => o.pick + o.from + o.offset,
  shrink: (o) => [...(o.pick > 0 ? [{ ...o, pick: 0 }] : []), ...(o.from > 0 ? [{ ...o, from: 0 }] : []), ...(o.offset > 0 ? [{ ...o, offset: 0 }] : [])],
  decision: 'none',
  endsThread: false,

  start(o, ctx) {
    const target = misuseTarget(o, ctx.model, ctx.heap, ctx.threads);
    if (target === null) return null;
    const address = `0x${target.address.toString(16)}`;
    let before: Uint8Array | null = copyState(ctx.heap);
    let changed = false;
    return {
      gen: freeOp(ctx.t, target.address),
      target: () => ` -> ${address}`,
      freeing: 0,
      // a rejected free is its pointer check alone: that first step must change no byte
      firstStep() {
        changed = !sameState(ctx.heap, before!);
        before = null;
      },
      end(result, fail) {
        fail(judgeRejectedFree(`T${ctx.index} ${misuse.text(o, ctx.threads)} at ${address}`, target.expected, result, changed, errorName));
      },
      text: (result) => `= ${errorName(result)}`,
    };
  },
};

interface MisuseTarget {
  address: number;
  /** The E.FREE_* code the contract expects. */
  expected: number;
}

function freeFacts(h: Heap): FreeFacts {
  return { vaBytes: h.cfg.vaBytes, mapped: (a) => a >= 0 && a < h.cfg.vaBytes && isMappedPage(h, pageOf(h, a)) };
}

/** The bad free `op` makes now, or null when it has nothing to aim at. */
function misuseTarget(op: MisuseOp, model: AbstractHeap, h: Heap, threads: number): MisuseTarget | null {
  const s = audit(h, { counters: false });
  const address = aim(op, model, h, s, threads);
  if (address === null) return null;
  const expected = expectedFree(s, address, freeFacts(h));
  return expected === 0 ? null : { address, expected };
}

function aim(op: MisuseOp, model: AbstractHeap, h: Heap, s: Snapshot, threads: number): number | null {
  const { cfg } = h;
  const from = op.from % threads;
  if (op.kind === 'wild') {
    // null, past the address space, and the address space's last page (mapped late if ever)
    return [0, cfg.vaBytes + op.offset, cfg.vaBytes - cfg.pageBytes + HEADER_BYTES][op.offset % 3]!;
  }
  const pool = op.kind === 'double' ? model.freedOf(from) : model.liveOf(from);
  const tiny = pool.filter((b) => !b.legacy);
  if (tiny.length === 0) return null;
  const b = tiny[op.pick % tiny.length]!;
  const stride = STRIDES[classForSize(b.size)]!;
  const base = b.address - HEADER_BYTES;
  const ssBase = base - (base % cfg.ssBytes); // SuperSlabs are aligned to their size
  const slab = Math.floor((base - ssBase) / cfg.slabBytes);
  return match(op.kind)
    .with('double', () => b.address)
    // every byte after the user pointer up to the next block's header: never a block start
    .with('interior', () => b.address + 1 + (op.offset % (stride - 1)))
    // the SuperSlab header, or the last bytes of the block's slab (its tail, if it has one)
    .with('foreign', () => (op.offset % 2 === 0
      ? ssBase + HEADER_BYTES + ((op.offset >> 1) % cfg.slab0Header)
      : ssBase + (slab + 1) * cfg.slabBytes - ((op.offset >> 1) % 8)))
    .with('never', () => neverHandedOut(h, s, op.offset, ssBase, slab))
    .exhaustive();
}

// A block start of the block's slab past its carved ones, else the first block of the
// SuperSlab's next slab.
function neverHandedOut(h: Heap, s: Snapshot, offset: number, ssBase: number, slab: number): number {
  const { cfg } = h;
  const start = (s: number): number => ssBase + (s === 0 ? cfg.slab0Header : s * cfg.slabBytes);
  const ss = s.superslabs.find((x) => x.base === ssBase && x.state !== 'CACHED');
  const slot = ss?.slots[slab];
  if (slot !== undefined && slot.state === 'ACTIVE' && slot.carved < slot.capacity) {
    const idx = slot.carved + (offset % (slot.capacity - slot.carved));
    return start(slab) + idx * STRIDES[slot.cls]! + HEADER_BYTES;
  }
  return start((slab + 1) % cfg.slabsPerSS) + HEADER_BYTES;
}
