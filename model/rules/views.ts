// Views of an audit snapshot (model/audit.ts) the snapshot rules share, each built once per
// snapshot: every slot with its SuperSlab, every cached block by slot; and the few words
// rule texts use for a place.
import type { CachedBlock, SlotSnap, Snapshot, SsSnap } from '../audit.js';

export const maskText = (mask: number): string => {
  const classes = [...Array(8).keys()].filter((c) => mask & (1 << c));
  return classes.length === 0 ? 'none' : `class ${classes.join(', ')}`;
};
export const slotName = (ss: Pick<SsSnap, 'index'>, slot: Pick<SlotSnap, 'slab' | 'slot'>): string => `SuperSlab ${ss.index} slab ${slot.slab} (slot ${slot.slot})`;
export const inUse = (slot: SlotSnap): boolean => slot.state !== 'UNUSED';
export const pooled = (ss: Pick<SsSnap, 'state'>): boolean => ss.state !== 'CACHED';

type CachedBySlot = Map<number, { tid: number; cls: number; block: CachedBlock }[]>;
const cachedMemo = new WeakMap<Snapshot, CachedBySlot>();

/** Every block sitting in a thread cache (SLL or thread list), by slot id (built once per snapshot). */
export function cachedBySlot(s: Snapshot): CachedBySlot {
  const memo = cachedMemo.get(s);
  if (memo !== undefined) return memo;
  const out: CachedBySlot = new Map();
  cachedMemo.set(s, out);
  for (const t of s.threads) {
    for (const lists of [t.sll, t.threadList]) {
      lists.forEach((blocks, cls) => {
        for (const block of blocks) {
          const list = out.get(block.slot) ?? [];
          list.push({ tid: t.tid, cls, block });
          out.set(block.slot, list);
        }
      });
    }
  }
  return out;
}

const slotsMemo = new WeakMap<Snapshot, [SsSnap, SlotSnap][]>();

/** Every slot with its SuperSlab (listed once per snapshot). */
export function slots(s: Snapshot): [SsSnap, SlotSnap][] {
  let out = slotsMemo.get(s);
  if (out === undefined) {
    out = [];
    for (const ss of s.superslabs) for (const slot of ss.slots) out.push([ss, slot]);
    slotsMemo.set(s, out);
  }
  return out;
}
