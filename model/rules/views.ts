// Views of an audit snapshot (model/audit.ts) the snapshot rules share, each built once per
// snapshot: every cached block by slot, a SuperSlab by its index; a scratch map the rules
// share; and the few words rule texts use for a place.
import type { CachedBlock, SlotSnap, Snapshot, SsSnap } from '../audit.js';

export const maskText = (mask: number): string => {
  const classes = [...Array(8).keys()].filter((c) => mask & (1 << c));
  return classes.length === 0 ? 'none' : `class ${classes.join(', ')}`;
};
export const slotName = (ss: Pick<SsSnap, 'index'>, slot: Pick<SlotSnap, 'slab' | 'slot'>): string => `SuperSlab ${ss.index} slab ${slot.slab} (slot ${slot.slot})`;
export const inUse = (slot: SlotSnap): boolean => slot.state !== 'UNUSED';
export const pooled = (ss: Pick<SsSnap, 'state'>): boolean => ss.state !== 'CACHED';

type CachedBySlot = Map<number, { tid: number; cls: number; block: CachedBlock }[]>;

// The views of the last snapshot asked about (the rules judge one snapshot at a time). Not
// a WeakMap: a module-level table holding each snapshot's views kept them alive through
// the young-generation collections, which then copied them to the old one.
let cachedOf: Snapshot | null = null;
let cached: CachedBySlot = new Map();
let positionsOf: Snapshot | null = null;

/** Every block sitting in a thread cache (SLL or thread list), by slot id (built once per snapshot). */
export function cachedBySlot(s: Snapshot): CachedBySlot {
  if (cachedOf !== s) {
    cachedOf = s;
    cached = new Map();
    for (const t of s.threads) {
      addCached(cached, t.tid, t.sll);
      addCached(cached, t.tid, t.threadList);
    }
  }
  return cached;
}

function addCached(out: CachedBySlot, tid: number, lists: readonly (readonly CachedBlock[])[]): void {
  for (let cls = 0; cls < lists.length; cls++) {
    const blocks = lists[cls]!;
    for (let k = 0; k < blocks.length; k++) {
      const block = blocks[k]!;
      const list = out.get(block.slot);
      if (list === undefined) out.set(block.slot, [{ tid, cls, block }]);
      else list.push({ tid, cls, block });
    }
  }
}

/** The snapshot's SuperSlab with table index `index`, if it has one (positions marked once per snapshot). */
export function superSlabAt(s: Snapshot, index: number): SsSnap | undefined {
  if (positionsOf !== s) {
    positionsOf = s;
    positions.clear();
    for (let k = 0; k < s.superslabs.length; k++) positions.set(s.superslabs[k]!.index, k + 1);
  }
  const k = positions.get(index);
  return k === 0 ? undefined : s.superslabs[k - 1];
}

/**
 * A scratch map from whole numbers (block indices, slot ids, SuperSlab indices) to a
 * non-zero value, emptied in O(1) by clear(): the rules' "seen" sets and masks without a Set
 * or Map per snapshot or slot (the checker judges a snapshot at every quiescent point).
 * Numbers outside [0, 2^22) — a corrupted list's, or slot ids past 4M — go to a Map, so a
 * garbage link cannot grow the arrays past 32 MB. One rule uses it at a time.
 */
export class Marks {
  private stamps = new Int32Array(256);
  private values = new Int32Array(256);
  private epoch = 1;
  private readonly other = new Map<number, number>();

  clear(): void {
    if (this.other.size > 0) this.other.clear();
    if (++this.epoch === 0x7fffffff) {
      this.stamps.fill(0);
      this.epoch = 1;
    }
  }

  /** The value at `i`, 0 when none. */
  get(i: number): number {
    if (!(i >= 0 && i < MARKS_LIMIT && Number.isInteger(i))) return this.other.get(i) ?? 0;
    return i < this.stamps.length && this.stamps[i] === this.epoch ? this.values[i]! : 0;
  }

  set(i: number, value: number): void {
    if (!(i >= 0 && i < MARKS_LIMIT && Number.isInteger(i))) {
      this.other.set(i, value);
      return;
    }
    if (i >= this.stamps.length) this.grow(i);
    this.stamps[i] = this.epoch;
    this.values[i] = value;
  }

  private grow(i: number): void {
    const n = Math.min(MARKS_LIMIT, Math.max(2 * this.stamps.length, i + 1));
    const stamps = new Int32Array(n);
    stamps.set(this.stamps);
    const values = new Int32Array(n);
    values.set(this.values);
    this.stamps = stamps;
    this.values = values;
  }
}

const MARKS_LIMIT = 2 ** 22;

// superSlabAt's own marks (the rules' scratch map is theirs while they run).
const positions = new Marks();
