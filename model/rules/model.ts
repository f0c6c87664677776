// The allocator against its model: every allocation against the abstract heap
// (model/abstract.ts) and the audit snapshot taken right after it — fresh, of the size's
// class, at the start of a carved block of an ACTIVE slab (or a legacy block), overlapping
// no live block; at quiescent points the heap's live blocks against the model's; every
// lifecycle event against the slot and SuperSlab machines (model/lifecycle.ts).
import type { Snapshot, SlotSnap, SsSnap } from '../audit.js';
import { slabAt, slabStart } from '../../impl/locators.js';
import { HEADER_BYTES, STRIDES } from '../../impl/sizeclass.js';
import { classForSize } from '../contract.js';
import type { LiveBlock } from '../abstract.js';
import { nextState, type LifecycleEvent, type MachineName } from '../lifecycle.js';
import { violation, type CheckedRule } from './rule.js';

/** An allocation to judge: the new block, the blocks live before it, the heap right after it. */
export interface Allocation {
  block: LiveBlock;
  live: ReadonlyMap<number, LiveBlock>;
  snapshot: Snapshot;
}

/** The pooled SuperSlab and slab a non-legacy block's address falls in, if any. */
function locate({ block, snapshot: s }: Allocation): { ss: SsSnap; slot: SlotSnap; base: number } | null {
  const base = block.address - HEADER_BYTES;
  const ss = s.superslabs.find((x) => x.state !== 'CACHED' && base >= x.base && base < x.base + s.limits.ssBytes);
  return ss === undefined ? null : { ss, slot: ss.slots[slabAt(s.limits, ss.base, base)]!, base };
}

/** Where a slab's blocks start (slab 0 after the SuperSlab header). */
const dataStart = (s: Snapshot, ss: SsSnap, slot: SlotSnap): number => slabStart(s.limits, ss.base, slot.slab);

/** Judged in this order on every allocation; the first broken is reported. */
export const ALLOCATION_RULES: readonly CheckedRule<Allocation>[] = [
  {
    id: 'ALLOC-FRESH',
    kind: 'model',
    seed: 'docs/architecture.md §7 (the abstract heap)',
    statement: 'malloc never returns a block that is live',
    check({ block: b, live }) {
      const prior = live.get(b.address);
      return prior === undefined ? null : violation(this.id, 'malloc returned a live block', b.name, 'a free block', `the block of ${prior.name}`);
    },
  },
  {
    id: 'ALLOC-CLASS',
    kind: 'model',
    seed: 'docs/architecture.md §7 (the abstract heap)',
    statement: 'the block is of the size\'s class (or a legacy block)',
    check(a) {
      // judged on blocks inside an ACTIVE slab; ALLOC-RANGE judges the others
      const at = a.block.legacy ? null : locate(a);
      if (at === null || at.slot.state !== 'ACTIVE') return null;
      const cls = classForSize(a.block.size);
      return at.slot.cls === cls ? null : violation(this.id, `block of the wrong class for ${a.block.size} bytes`, a.block.name, `class ${cls}`, `class ${at.slot.cls}`);
    },
  },
  {
    id: 'ALLOC-RANGE',
    kind: 'model',
    seed: 'docs/architecture.md §7 (the abstract heap)',
    statement: 'the block starts a carved block of an ACTIVE slab in a pooled SuperSlab',
    check(a) {
      const b = a.block;
      if (b.legacy) return null;
      const at = locate(a);
      if (at === null) return violation(this.id, 'block outside every pooled SuperSlab', b.name, 'inside a MAPPED SuperSlab', `0x${b.address.toString(16)}`);
      if (at.slot.state !== 'ACTIVE') return violation(this.id, 'block in a slab that is not ACTIVE', b.name, 'ACTIVE', at.slot.state);
      const stride = STRIDES[classForSize(b.size)]!;
      const offset = at.base - dataStart(a.snapshot, at.ss, at.slot);
      if (offset < 0 || offset % stride !== 0 || offset / stride >= at.slot.carved) {
        return violation(this.id, 'not the start of a carved block', b.name, `a block start below ${at.slot.carved} carved`, `offset ${offset}`);
      }
      return null;
    },
  },
  {
    id: 'ALLOC-DISJOINT',
    kind: 'model',
    seed: 'docs/architecture.md §7 (the abstract heap)',
    statement: 'a new block overlaps no live block',
    check({ block: b, live }) {
      if (b.legacy) return null;
      const base = b.address - HEADER_BYTES;
      const end = base + STRIDES[classForSize(b.size)]!;
      for (const other of live.values()) {
        if (other.legacy) continue;
        const oBase = other.address - HEADER_BYTES;
        const oEnd = oBase + STRIDES[classForSize(other.size)]!;
        if (base < oEnd && oBase < end) return violation(this.id, 'new block overlaps a live block', b.name, 'disjoint', `overlaps ${other.name}`);
      }
      return null;
    },
  },
];

/** The model's live blocks and the heap at a quiescent point. */
export interface LiveComparison {
  live: ReadonlyMap<number, LiveBlock>;
  snapshot: Snapshot;
}

export const MODEL_LIVE: CheckedRule<LiveComparison> = {
  id: 'MODEL-LIVE',
  kind: 'model',
  seed: 'docs/architecture.md §7 (the abstract heap)',
  statement: 'at quiescent points the heap\'s live blocks are exactly the model\'s',
  check({ live, snapshot: s }) {
    const heapLive = new Set<number>();
    for (const ss of s.superslabs) {
      for (const slot of ss.slots) {
        if (slot.state === 'UNUSED') continue;
        const start = dataStart(s, ss, slot);
        for (const idx of slot.live) heapLive.add(start + idx * STRIDES[slot.cls]! + HEADER_BYTES);
      }
    }
    let legacy = 0;
    for (const b of live.values()) {
      if (b.legacy) {
        legacy++;
        continue;
      }
      if (!heapLive.delete(b.address)) return violation(this.id, 'a block the user holds is not live in the heap', b.name, 'live', 'free (lost or handed out again)');
    }
    const [stray] = heapLive;
    if (stray !== undefined) return violation(this.id, 'the heap holds a live block nobody allocated', `0x${stray.toString(16)}`, 'free', 'live');
    if (legacy !== s.legacyLive) return violation(this.id, 'legacy blocks disagree', 'legacy path', legacy, s.legacyLive);
    return null;
  },
};

/** A lifecycle event the allocator reported for slot or SuperSlab `id`, in machine state `from`. */
export interface Transition {
  machine: MachineName;
  id: number;
  from: string;
  event: LifecycleEvent;
}

export const LIFECYCLE: CheckedRule<Transition> = {
  id: 'INV-LIFECYCLE',
  kind: 'model',
  seed: 'docs/architecture.md §7',
  statement: 'every lifecycle event the allocator reports is a legal transition of the slot and SuperSlab machines',
  check({ machine, id, from, event }) {
    if (nextState(machine, from, event) !== null) return null;
    const { type, ...facts } = event;
    return violation(this.id, `illegal ${machine} transition ${type} from ${from}`, `${machine === 'slot' ? 'slot' : 'SuperSlab'} ${id}`,
      `a ${type} the ${machine} machine allows in ${from}`, JSON.stringify(facts));
  },
};

export const MODEL_RULES: readonly CheckedRule<never>[] = [...ALLOCATION_RULES, MODEL_LIVE, LIFECYCLE];
