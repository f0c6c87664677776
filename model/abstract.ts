// The abstract heap: what a user of malloc/free can observe — which blocks are live,
// which thread allocated each, for what size. Every allocation result is judged against
// it and against the audit snapshot (fresh, of the size's class, at the start of a
// carved block of an ACTIVE slab — or a legacy block — and overlapping no live block);
// at quiescent points the audit's live blocks must be exactly the model's.
import type { Snapshot } from '../impl/audit.js';
import { classOfSize, HEADER_BYTES, STRIDES } from '../impl/sizeclass.js';
import type { Violation } from './invariants.js';

export interface LiveBlock {
  /** The user address malloc returned. */
  address: number;
  size: number;
  /** Index of the allocating thread in the program. */
  thread: number;
  /** Name in reports: T<thread>.a<n> (n-th allocation of that thread). */
  name: string;
  legacy: boolean;
}

export const MODEL_RULES = [
  { id: 'ALLOC-FRESH', rule: 'malloc never returns a block that is live' },
  { id: 'ALLOC-CLASS', rule: 'the block is of the size\'s class (or a legacy block)' },
  { id: 'ALLOC-RANGE', rule: 'the block starts a carved block of an ACTIVE slab in a pooled SuperSlab' },
  { id: 'ALLOC-DISJOINT', rule: 'a new block overlaps no live block' },
  { id: 'MODEL-LIVE', rule: 'at quiescent points the heap\'s live blocks are exactly the model\'s' },
] as const;

const v = (id: string, what: string, where: string, expected: unknown, actual: unknown): Violation => ({
  id, what, where, expected: String(expected), actual: String(actual),
});

export class AbstractHeap {
  readonly live = new Map<number, LiveBlock>();
  private readonly allocated: LiveBlock[][] = [];

  /** Thread `thread`'s live blocks, oldest first (what a free op picks from). */
  liveOf(thread: number): LiveBlock[] {
    return (this.allocated[thread] ?? []).filter((b) => this.live.has(b.address) && this.live.get(b.address) === b);
  }

  /** Records an allocation; the first rule it breaks, judged on the snapshot taken right after it. */
  onAlloc(thread: number, size: number, address: number, legacy: boolean, s: Snapshot): Violation | null {
    const list = (this.allocated[thread] ??= []);
    const block: LiveBlock = { address, size, thread, legacy, name: `T${thread}.a${list.length}` };
    list.push(block);
    const bad = this.judge(block, s);
    this.live.set(address, block);
    return bad;
  }

  onFree(address: number): void {
    this.live.delete(address);
  }

  private judge(b: LiveBlock, s: Snapshot): Violation | null {
    const prior = this.live.get(b.address);
    if (prior !== undefined) return v('ALLOC-FRESH', 'malloc returned a live block', b.name, 'a free block', `the block of ${prior.name}`);
    if (b.legacy) return null;
    const cls = classOfSize(b.size);
    const base = b.address - HEADER_BYTES;
    const ss = s.superslabs.find((x) => x.state !== 'CACHED' && base >= x.base && base < x.base + s.limits.ssBytes);
    if (ss === undefined) return v('ALLOC-RANGE', 'block outside every pooled SuperSlab', b.name, 'inside a MAPPED SuperSlab', `0x${b.address.toString(16)}`);
    const slot = ss.slots[Math.floor((base - ss.base) / s.limits.slabBytes)]!;
    if (slot.state !== 'ACTIVE') return v('ALLOC-RANGE', 'block in a slab that is not ACTIVE', b.name, 'ACTIVE', slot.state);
    if (slot.cls !== cls) return v('ALLOC-CLASS', `block of the wrong class for ${b.size} bytes`, b.name, `class ${cls}`, `class ${slot.cls}`);
    const dataStart = ss.base + (slot.slab === 0 ? s.limits.slab0HeaderBytes : slot.slab * s.limits.slabBytes);
    const offset = base - dataStart;
    if (offset < 0 || offset % STRIDES[cls]! !== 0 || offset / STRIDES[cls]! >= slot.carved) {
      return v('ALLOC-RANGE', 'not the start of a carved block', b.name, `a block start below ${slot.carved} carved`, `offset ${offset}`);
    }
    const end = base + STRIDES[cls]!;
    for (const other of this.live.values()) {
      if (other.legacy) continue;
      const oBase = other.address - HEADER_BYTES;
      const oEnd = oBase + STRIDES[classOfSize(other.size)]!;
      if (base < oEnd && oBase < end) return v('ALLOC-DISJOINT', 'new block overlaps a live block', b.name, 'disjoint', `overlaps ${other.name}`);
    }
    return null;
  }

  /** MODEL-LIVE: the snapshot's live blocks are exactly this model's. */
  compare(s: Snapshot): Violation | null {
    const heapLive = new Set<number>();
    for (const ss of s.superslabs) {
      for (const slot of ss.slots) {
        if (slot.state === 'UNUSED') continue;
        const start = ss.base + (slot.slab === 0 ? s.limits.slab0HeaderBytes : slot.slab * s.limits.slabBytes);
        for (const idx of slot.live) heapLive.add(start + idx * STRIDES[slot.cls]! + HEADER_BYTES);
      }
    }
    let legacy = 0;
    for (const b of this.live.values()) {
      if (b.legacy) {
        legacy++;
        continue;
      }
      if (!heapLive.delete(b.address)) return v('MODEL-LIVE', 'a block the user holds is not live in the heap', b.name, 'live', 'free (lost or handed out again)');
    }
    const [stray] = heapLive;
    if (stray !== undefined) return v('MODEL-LIVE', 'the heap holds a live block nobody allocated', `0x${stray.toString(16)}`, 'free', 'live');
    if (legacy !== s.legacyLive) return v('MODEL-LIVE', 'legacy blocks disagree', 'legacy path', legacy, s.legacyLive);
    return null;
  }
}
