// The observer: the event sink the checker gives every allocator thread. It replays
// each lifecycle event on the xstate-derived table (model/lifecycle.ts) with the facts
// the guards need, read from the heap at that moment, records which machine edges ran,
// and judges the shared pool's decisions (model/rules/decision.ts) for acquisitions that
// ran alone: no other thread's lifecycle event between the acquisition's start and its
// decision, and no other thread's claim or release half done at its start (reported,
// not yet SLOT_SETTLED: its counts, registry entry or list push still to land). The
// first violation sticks; the executor stops at it.
import { poolView, slotSnapshot, superSlabCounts } from '../model/audit.js';
import { EV, STAGE_NEW_SS, STAGE_UNUSED, type EventSink } from '../impl/events.js';
import type { Heap } from '../impl/heap.js';
import { slotId, ssOfSlot } from '../impl/locators.js';
import { INITIAL_STATE, nextState, type LifecycleEvent, type MachineName } from '../model/lifecycle.js';
import { decisionViolation } from '../model/rules/catalogue.js';
import { LIFECYCLE } from '../model/rules/model.js';
import type { Violation } from '../model/rules/rule.js';
import { H, SS_CACHED } from '../impl/layout.js';
import { LruOracle } from '../model/lru-oracle.js';
import { peek } from '../impl/steps.js';

type EventKind = (typeof EV)[keyof typeof EV];
type SsEventKind = typeof EV.SS_MAP | typeof EV.SS_CACHE | typeof EV.SS_REUSE | typeof EV.SS_UNMAP | typeof EV.SS_RESET;

export interface ObservedEvent {
  tid: number;
  text: string;
}

export class Observer implements EventSink {
  violation: Violation | null = null;
  readonly covered = new Set<string>();
  /** Lifecycle events as text, in order (kept when tracing). */
  readonly log: ObservedEvent[] = [];
  /** Machine edges taken since the executor last took them (kept when tracing). */
  readonly edges: string[] = [];
  private readonly state: Record<MachineName, Map<number, string>> = { slot: new Map(), superslab: new Map() };
  private seq = 0;
  /** Events reported so far (an explorer tells by it which steps reported one). */
  events = 0;
  private readonly acquire = new Map<number, { seq: number; own: number; overlaps: boolean }>();
  /** Threads with a claim or release reported and not yet settled. */
  private readonly unsettled = new Set<number>();

  /**
   * The LRU's decisions (model/lru-oracle.ts), judged at each SuperSlab event, and per
   * thread a lower bound of the clock its running operation reads (set by the executor).
   */
  constructor(private readonly heap: Heap, private readonly tracing: boolean, private readonly lru: LruOracle = new LruOracle(heap.cfg), private readonly floor: Map<number, number> = new Map()) {}

  /**
   * The machines' states and the unsettled claims, as text: between operations, all that
   * judges the events to come (an acquisition's sequence numbers start at its own begin).
   */
  stateKey(): string {
    const sorted = (m: Map<number, string>): [number, string][] => [...m].sort(([a], [b]) => a - b);
    return JSON.stringify([sorted(this.state.slot), sorted(this.state.superslab), [...this.unsettled].sort((a, b) => a - b)]);
  }

  event(kind: number, tid: number, a: number, b: number, c: number): void {
    this.events++;
    if (this.violation !== null) return;
    const h = this.heap;
    const k = kind as EventKind;
    switch (k) {
      case EV.ACQUIRE_BEGIN: {
        // (check.legacy_rules: the ruling undone, a half-done claim is not seen)
        const overlaps = !h.cfg.legacyRules && this.unsettled.size > (this.unsettled.has(tid) ? 1 : 0);
        this.acquire.set(tid, { seq: this.seq, own: 0, overlaps });
        return;
      }
      case EV.SLOT_SETTLED:
        this.unsettled.delete(tid);
        return;
      case EV.SOFT_CAP:
        this.note(tid, `class ${a} at its soft cap`);
        return;
      case EV.LEGACY:
        this.note(tid, `legacy fallback, class ${a}`);
        if (this.solo(tid)) this.fail(decisionViolation({ at: 'acquire', snapshot: poolView(h), cls: a, outcome: 'legacy' }));
        return;
      case EV.SLOT_CLAIM:
        this.lifecycle(tid);
        this.unsettled.add(tid);
        if (b >= 0 && (c === STAGE_UNUSED || c === STAGE_NEW_SS) && this.solo(tid)) {
          this.fail(decisionViolation({ at: 'acquire', snapshot: poolView(h), cls: b, outcome: c === STAGE_UNUSED ? 'stage2' : 'stage3' }));
        }
        this.apply(tid, 'slot', a, { type: 'CLAIM', stage: c }, this.tracing ? `slot ${a} claimed for class ${b} (stage ${STAGE_NAMES[c]})` : null);
        return;
      case EV.SLOT_EMPTY: {
        this.lifecycle(tid);
        this.unsettled.add(tid);
        const slot = slotSnapshot(h, a);
        this.apply(tid, 'slot', a, { type: 'RELEASE', used: slot.used, queued: slot.remote.items.length, live: slot.live.length }, this.tracing ? `slot ${a} EMPTY` : null);
        return;
      }
      case EV.SLOT_RESET:
        this.lifecycle(tid);
        this.apply(tid, 'slot', a, { type: 'RESET', ...this.ssFacts(ssOfSlot(h.cfg, a)) }, this.tracing ? `slot ${a} reset to UNUSED` : null);
        return;
      case EV.SS_MAP: case EV.SS_CACHE: case EV.SS_REUSE: case EV.SS_UNMAP: case EV.SS_RESET: {
        this.lifecycle(tid);
        const type = SS_EVENT[k]!;
        const e: LifecycleEvent = { type, ...this.ssFacts(a) };
        this.apply(tid, 'superslab', a, e, this.tracing ? `SuperSlab ${a} ${type}` : null);
        if (type !== 'RESET') for (let slab = 0; slab < h.cfg.slabsPerSS; slab++) this.apply(tid, 'slot', slotId(h.cfg, a, slab), e, null);
        this.fail(this.lruDecision(k, tid, a, b));
      }
    }
  }

  private lruDecision(kind: SsEventKind, tid: number, ss: number, from: number): Violation | null {
    const now = peek(this.heap, H.NOW_MS);
    const floor = this.floor.get(tid) ?? now;
    switch (kind) {
      case EV.SS_MAP: return this.lru.map(tid, ss, floor);
      case EV.SS_CACHE: return this.lru.push(tid, ss, now, floor);
      case EV.SS_REUSE: return this.lru.pop(tid, ss, floor);
      case EV.SS_UNMAP: return from === SS_CACHED ? this.lru.evict(tid, ss, now) : this.lru.unmapFreed(tid, ss);
      case EV.SS_RESET: return null; // kept mapped by trim: no LRU decision
    }
  }

  private ssFacts(ss: number): { ssActive: number; ssPins: number } {
    const { active, pins } = superSlabCounts(this.heap, ss);
    return { ssActive: active, ssPins: pins };
  }

  private apply(tid: number, machine: MachineName, id: number, e: LifecycleEvent, text: string | null): void {
    const from = this.state[machine].get(id) ?? INITIAL_STATE;
    const next = nextState(machine, from, e);
    if (text !== null) this.note(tid, text);
    if (next === null) {
      this.fail(LIFECYCLE.check({ machine, id, from, event: e }));
      return;
    }
    this.covered.add(next.edge);
    if (this.tracing) this.edges.push(next.edge);
    this.state[machine].set(id, next.target);
  }

  // Lifecycle events: the sequence number that tells whether an acquisition ran alone.
  private lifecycle(tid: number): void {
    this.seq++;
    const mine = this.acquire.get(tid);
    if (mine !== undefined) mine.own++;
  }

  private solo(tid: number): boolean {
    const mine = this.acquire.get(tid);
    return mine !== undefined && !mine.overlaps && this.seq - mine.seq === mine.own;
  }

  private note(tid: number, text: string): void {
    if (this.tracing) this.log.push({ tid, text });
  }

  fail(v: Violation | null): void {
    if (v !== null && this.violation === null) this.violation = v;
  }
}

const SS_EVENT: Record<number, LifecycleEvent['type']> = {
  [EV.SS_MAP]: 'MAP', [EV.SS_CACHE]: 'CACHE', [EV.SS_REUSE]: 'REUSE', [EV.SS_UNMAP]: 'UNMAP', [EV.SS_RESET]: 'RESET',
};
const STAGE_NAMES = ['', '0.5', '1', '2', '3', 'cap-reclaim'];
