// The contract's decision oracles wired to the step executor (model/lru-oracle.ts,
// model/trim-oracle.ts, the TLS drain below): what each operation must decide, from the
// heap when it starts and the events it reports, judged when it ends. Trim and idle trim
// are judged when the operation ran alone (no other thread stepped while it ran), where the
// heap at its start determines the decision; the LRU and the drain at every operation.
import { poolView, type PoolView } from '../model/audit.js';
import type { Heap } from '../impl/heap.js';
import { H, SL, T } from '../impl/layout.js';
import { slotIndex } from '../impl/locators.js';
import { NUM_CLASSES } from '../impl/sizeclass.js';
import { peek } from '../impl/steps.js';
import type { Thread } from '../impl/thread/thread.js';
import type { AbstractHeap } from '../model/abstract.js';
import { classForSize } from '../model/contract.js';
import type { Violation } from '../model/rules/rule.js';
import { LruOracle } from '../model/lru-oracle.js';
import { judgeIdleTrim, judgeTrim } from '../model/trim-oracle.js';
import { opPlugin } from './ops/registry.js';
import type { Op } from './program.js';

/** What one virtual thread's running operation needs at its end. */
export interface OpState {
  /** Another thread stepped while it ran. */
  interleaved: boolean;
  /** The heap at its start (trim and tick only). */
  start: PoolView | null;
  /** tick: the clock and idle trim's deadline at its start. */
  clock: number;
  due: number;
  /** free: the class of the block and its cache's length before the free. */
  cls: number;
  cached: number;
  /** drain, exit: the classes whose cache held blocks at its start (the ones it drains). */
  holding: number[];
}

export class Decisions {
  readonly lru: LruOracle;
  /** Per allocator thread id: a lower bound of the clock its running operation reads. */
  readonly floor = new Map<number, number>();
  /** Per allocator thread id and class: frees cached since the last drain. */
  private readonly counts = new Map<number, number[]>();

  constructor(private readonly heap: Heap, private readonly model: AbstractHeap) {
    this.lru = new LruOracle(heap.cfg);
  }

  /** What the oracles hold between operations, as text (the clock floors are set anew when an operation begins). */
  stateKey(): string {
    return JSON.stringify([this.lru.stateKey(), [...this.counts].sort(([a], [b]) => a - b)]);
  }

  newOp(): OpState {
    return { interleaved: false, start: null, clock: 0, due: 0, cls: -1, cached: 0, holding: [] };
  }

  /** Before an operation's first step (`freeing`: the live block a free takes, else 0). */
  begin(t: Thread, op: Op, s: OpState, freeing: number): void {
    const p = opPlugin(op);
    s.interleaved = false;
    s.clock = peek(this.heap, H.NOW_MS);
    this.floor.set(t.tid, s.clock + p.clockMs(op));
    s.due = peek(this.heap, H.NEXT_TRIM_MS);
    s.start = null;
    s.cls = -1;
    s.cached = 0;
    s.holding.length = 0;
    switch (p.decision) {
      case 'trim': case 'tick':
        s.start = poolView(this.heap);
        return;
      case 'drain':
        for (let cls = 0; cls < NUM_CLASSES; cls++) if (this.cacheLength(t, cls) > 0) s.holding.push(cls);
        return;
      case 'free':
        this.beginFree(t, s, freeing);
        return;
      case 'none':
    }
  }

  // A free of a block of a slab this thread owns goes to its cache while the cache has room (seed 001).
  private beginFree(t: Thread, s: OpState, freeing: number): void {
    const block = freeing === 0 ? undefined : this.model.live.get(freeing);
    const cls = block === undefined || block.slot < 0 ? -1 : classForSize(block.size);
    if (cls < 0) return;
    s.cached = this.cacheLength(t, cls);
    const local = peek(this.heap, slotIndex(this.heap, block!.slot) + SL.OWNER) === t.tid;
    const { sllCap } = this.heap.cfg;
    s.cls = local && (sllCap === 0 || s.cached < sllCap) ? cls : -2 - cls; // -2 - cls: not cached, the cache must stay as it is
  }

  /**
   * After the operation's last step: the first decision it got wrong. Idle trim is judged
   * in the program only: the epilogue's tick is the harness ageing the clock for the
   * liveness rules, which judge what idle trim left (INV-LRU, LIVE-RECLAIM).
   */
  end(t: Thread, op: Op, s: OpState, inProgram: boolean): Violation | null {
    for (const cls of s.holding) this.countsOf(t.tid)[cls] = 0;
    switch (opPlugin(op).decision) {
      case 'none': case 'drain': return null;
      case 'free': return s.cls === -1 ? null : this.cacheDecision(t, s);
      case 'trim': return s.interleaved ? null : this.trimDecision(t, s);
      case 'tick': {
        if (!inProgram) return null;
        const idle = judgeIdleTrim(this.heap.cfg.idleTrimMs, s.clock, opPlugin(op).clockMs(op), s.due, peek(this.heap, H.NEXT_TRIM_MS));
        if (s.interleaved) return null;
        return idle.violation ?? (idle.ran ? this.trimDecision(t, s) : null);
      }
    }
  }

  // What a trim no other thread stepped into kept and freed (LRU-POLICY, TRIM-RESERVE).
  private trimDecision(t: Thread, s: OpState): Violation | null {
    return this.lru.trimmed(this.floor.get(t.tid)!) ?? judgeTrim(s.start!, poolView(this.heap), this.heap.cfg.trimSs);
  }

  // TLS-DRAIN after a free of a block of class `s.cls` (cached), or `-2 - s.cls` (not cached).
  private cacheDecision(t: Thread, s: OpState): Violation | null {
    const cached = s.cls >= 0;
    const cls = cached ? s.cls : -2 - s.cls;
    const counts = this.countsOf(t.tid);
    const interval = this.heap.cfg.drainInterval;
    if (cached) counts[cls]!++;
    const due = cached && interval > 0 && counts[cls]! >= interval;
    if (due) counts[cls] = 0;
    const expected = due ? 0 : s.cached + (cached ? 1 : 0);
    const left = this.cacheLength(t, cls);
    if (left === expected) return null;
    const what = due ? `cached free number ${interval} of class ${cls} since its last drain did not drain the cache`
      : cached ? `a free into the thread's own slab, with room in its cache, did not end in the cache (drain interval ${interval})`
        : 'a free the cache could not take (another thread\'s slab, or the cache full) changed the cache';
    return { id: 'TLS-DRAIN', what, where: `thread ${t.tid}, class ${cls}`, expected: `${expected} blocks cached`, actual: `${left} blocks cached` };
  }

  private countsOf(tid: number): number[] {
    let c = this.counts.get(tid);
    if (c === undefined) this.counts.set(tid, (c = new Array<number>(NUM_CLASSES).fill(0)));
    return c;
  }

  private cacheLength(t: Thread, cls: number): number {
    return peek(this.heap, t.ti + T.SLL_COUNT + cls);
  }
}
