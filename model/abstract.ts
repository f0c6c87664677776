// The abstract heap: what a user of malloc/free can observe — which blocks are live,
// which thread allocated each, for what size. Every allocation result is judged against
// it and against the audit snapshot, and at quiescent points the audit's live blocks
// against it, by the model rules (rules/model.ts).
import type { Snapshot } from './audit.js';
import { HEADER_BYTES } from '../impl/sizeclass.js';
import { ALLOCATION_RULES, MODEL_LIVE } from './rules/model.js';
import type { Violation } from './rules/rule.js';

export interface LiveBlock {
  /** The user address malloc returned. */
  address: number;
  size: number;
  /** Index of the allocating thread in the program. */
  thread: number;
  /** Name in reports: T<thread>.a<n> (n-th allocation of that thread). */
  name: string;
  legacy: boolean;
  /** The slot (slab) holding it, once judged; -1 for a legacy block. */
  slot: number;
}

// The slot holding the byte at `base` in a pooled SuperSlab of `s`, or -1.
function slotOf(s: Snapshot, base: number): number {
  const ss = s.superslabs.find((x) => x.state !== 'CACHED' && base >= x.base && base < x.base + s.limits.ssBytes);
  return ss?.slots[Math.floor((base - ss.base) / s.limits.slabBytes)]?.slot ?? -1;
}

export class AbstractHeap {
  readonly live = new Map<number, LiveBlock>();
  private readonly allocated: LiveBlock[][] = [];

  /** Each thread's live blocks, oldest first (what a free picks from), as text; a thread that holds none and one that never allocated alike. */
  stateKey(): string {
    return text(Array.from(this.allocated, (_, t) => this.liveOf(t).map((b) => [b.address, b.size, b.slot, b.legacy])));
  }

  /** Each thread's blocks freed (what a double free picks from), as text, as stateKey's. */
  freedKey(): string {
    return text(Array.from(this.allocated, (_, t) => this.freedOf(t).map((b) => [b.address, b.size, b.legacy])));
  }

  /** Thread `thread`'s live blocks, oldest first (what a free op picks from). */
  liveOf(thread: number): LiveBlock[] {
    return (this.allocated[thread] ?? []).filter((b) => this.live.has(b.address) && this.live.get(b.address) === b);
  }

  /** Records an allocation; the first rule it breaks, judged on the snapshot taken right after it. */
  onAlloc(thread: number, size: number, address: number, legacy: boolean, s: Snapshot): Violation | null {
    const list = (this.allocated[thread] ??= []);
    const block: LiveBlock = { address, size, thread, legacy, name: `T${thread}.a${list.length}`, slot: -1 };
    list.push(block);
    let bad: Violation | null = null;
    for (const rule of ALLOCATION_RULES) if ((bad = rule.check({ block, live: this.live, snapshot: s })) !== null) break;
    if (!legacy) block.slot = slotOf(s, address - HEADER_BYTES);
    this.live.set(address, block);
    return bad;
  }

  /** Thread `thread`'s blocks freed since, whose address no live block holds now (what a double free picks from). */
  freedOf(thread: number): LiveBlock[] {
    return (this.allocated[thread] ?? []).filter((b) => !this.live.has(b.address));
  }

  onFree(address: number): void {
    this.live.delete(address);
  }

  /** MODEL-LIVE: the snapshot's live blocks are exactly this model's. */
  compare(s: Snapshot): Violation | null {
    return MODEL_LIVE.check({ live: this.live, snapshot: s });
  }
}

// Per-thread lists (one for each thread up to the last that allocated) as JSON, without the trailing empty ones.
function text(lists: unknown[][]): string {
  let n = lists.length;
  while (n > 0 && lists[n - 1]!.length === 0) n--;
  return JSON.stringify(lists.slice(0, n));
}
