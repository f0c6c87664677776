// The abstract heap: what a user of malloc/free can observe — which blocks are live,
// which thread allocated each, for what size. Every allocation result is judged against
// it and against the audit snapshot, and at quiescent points the audit's live blocks
// against it, by the model rules (rules/model.ts).
import type { Snapshot } from '../impl/audit.js';
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
}

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
    let bad: Violation | null = null;
    for (const rule of ALLOCATION_RULES) if ((bad = rule.check({ block, live: this.live, snapshot: s })) !== null) break;
    this.live.set(address, block);
    return bad;
  }

  onFree(address: number): void {
    this.live.delete(address);
  }

  /** MODEL-LIVE: the snapshot's live blocks are exactly this model's. */
  compare(s: Snapshot): Violation | null {
    return MODEL_LIVE.check({ live: this.live, snapshot: s });
  }
}
