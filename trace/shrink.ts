// `trace shrink`: delta debugging over a failing trace's events (Zeller's ddmin, by
// complements) to a minimal trace that fails the same way: the same failure kind and
// invariant, under the same configuration and replay options. Every candidate is made
// well-formed before it runs (wellFormed: a free only of a live pointer, a realloc of a
// dropped block becomes a malloc), and threads keep their own order (events are only
// removed). Passes: the prefix up to the failure, whole threads, ddmin, thread merges,
// then each size down to the smallest of its class; threads renumbered densely.
import { STRIDES, classOfSize } from '../impl/sizeclass.js';
import type { TraceEvent } from './format.js';
import { replayEvents, type TraceReport, type TraceRun } from './run.js';

/** `events` with what no longer fits dropped: frees of pointers not live, allocations of live ones, failed calls. */
export function wellFormed(events: readonly TraceEvent[]): TraceEvent[] {
  const live = new Set<number>();
  const out: TraceEvent[] = [];
  for (const ev of events) {
    if (ev.op === 'f') {
      if (live.delete(ev.ptr)) out.push(ev);
    } else if (ev.op === 'r' && ev.arg !== 0 && live.has(ev.arg)) {
      if (ev.ptr === 0) {
        if (ev.size === 0) { // realloc(p, 0): a free (a failed realloc changes nothing)
          live.delete(ev.arg);
          out.push(ev);
        }
      } else if (ev.ptr === ev.arg || !live.has(ev.ptr)) {
        live.delete(ev.arg);
        live.add(ev.ptr);
        out.push(ev);
      }
    } else if (ev.ptr !== 0 && !live.has(ev.ptr)) {
      live.add(ev.ptr);
      out.push(ev.op === 'r' ? { ...ev, op: 'm', arg: 0 } : ev); // a realloc of a dropped block: a malloc
    }
  }
  return out;
}

/** How a replay failed ('audit INV-…', 'enomem', 'crash'), or null when it passed. */
export function signature(r: TraceReport): string | null {
  const f = r.trace.failure;
  if (f !== null) return f.kind === 'audit' ? `audit ${f.violation.id}` : f.kind;
  if (r.audit === 'ok') return null;
  return typeof r.audit === 'string' ? 'crash' : `audit ${r.audit.id}`;
}

export interface Shrunk {
  events: TraceEvent[];
  signature: string;
  /** Replays run, and whether the budget ran out before the passes ended. */
  replays: number;
  exhausted: boolean;
}

export async function shrinkTrace(events: readonly TraceEvent[], run: TraceRun, budget: number): Promise<Shrunk | null> {
  const first = await replayEvents(events, run);
  const want = signature(first);
  if (want === null) return null;
  const s = new Shrinker(want, run, budget);
  let cur = wellFormed(events);
  const line = first.trace.failure?.line;
  if (line !== undefined) cur = (await s.fails(() => cur.slice(0, line))) ?? cur;
  cur = await s.prefix(cur);
  cur = await s.dropThreads(cur);
  cur = await s.ddmin(cur);
  cur = await s.mergeThreads(cur);
  cur = await s.smallSizes(cur);
  cur = (await s.fails(() => renumber(cur))) ?? cur;
  return { events: cur, signature: want, replays: s.replays, exhausted: s.replays >= budget };
}

class Shrinker {
  replays = 0;

  constructor(private readonly want: string, private readonly run: TraceRun, private readonly budget: number) {}

  /**
   * The candidate `build` makes, made well-formed, when it fails the same way. Built only
   * when the budget allows a replay: a candidate is a copy of the trace, and a pass that
   * goes on after the budget is spent would otherwise copy it once per event.
   */
  async fails(build: () => readonly TraceEvent[]): Promise<TraceEvent[] | null> {
    if (this.replays >= this.budget) return null;
    const c = wellFormed(build());
    this.replays++;
    return signature(await replayEvents(c, { ...this.run, timing: false })) === this.want ? c : null;
  }

  // The shortest failing prefix, by bisection (the failure need not be monotone in the
  // prefix: the result is checked, and the whole trace stays when none shorter fails).
  async prefix(cur: TraceEvent[]): Promise<TraceEvent[]> {
    let lo = 0;
    let hi = cur.length;
    let best = cur;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      const c = await this.fails(() => cur.slice(0, mid));
      if (c !== null) {
        best = c;
        hi = mid;
      } else {
        lo = mid;
      }
    }
    return best;
  }

  async dropThreads(cur: TraceEvent[]): Promise<TraceEvent[]> {
    for (const tid of new Set(cur.map((e) => e.tid))) cur = (await this.fails(() => cur.filter((e) => e.tid !== tid))) ?? cur;
    return cur;
  }

  async ddmin(cur: TraceEvent[]): Promise<TraceEvent[]> {
    let n = 2;
    while (cur.length >= 2 && this.replays < this.budget) {
      const chunk = Math.ceil(cur.length / n);
      let reduced = false;
      for (let start = 0; start < cur.length; start += chunk) {
        const c = await this.fails(() => [...cur.slice(0, start), ...cur.slice(start + chunk)]);
        if (c !== null && c.length < cur.length) {
          cur = c;
          n = Math.max(n - 1, 2);
          reduced = true;
          break;
        }
      }
      if (!reduced) {
        if (n >= cur.length) break;
        n = Math.min(cur.length, n * 2);
      }
    }
    return cur;
  }

  /** Each thread's events given to an earlier thread, when it still fails. */
  async mergeThreads(cur: TraceEvent[]): Promise<TraceEvent[]> {
    const tids = [...new Set(cur.map((e) => e.tid))];
    for (let i = tids.length - 1; i > 0; i--) {
      for (let j = 0; j < i; j++) {
        const c = await this.fails(() => cur.map((e) => (e.tid === tids[i] ? { ...e, tid: tids[j]! } : e)));
        if (c !== null) {
          cur = c;
          break;
        }
      }
    }
    return cur;
  }

  /** Each tiny allocation's size down to the smallest of its class. */
  async smallSizes(cur: TraceEvent[]): Promise<TraceEvent[]> {
    for (let i = 0; i < cur.length; i++) {
      const ev = cur[i]!;
      const cls = classOfSize(ev.size);
      const least = cls <= 0 ? 0 : STRIDES[cls - 1]!;
      if (ev.op === 'f' || cls < 0 || ev.size === least || (ev.op === 'r' && ev.ptr === 0)) continue;
      const small: TraceEvent = ev.op === 'c' ? { ...ev, op: 'm', arg: 0, size: least } : { ...ev, size: least };
      cur = (await this.fails(() => [...cur.slice(0, i), small, ...cur.slice(i + 1)])) ?? cur;
    }
    return cur;
  }
}

/** Threads renumbered 0, 1, … by first appearance (the format's dense index). */
export function renumber(events: readonly TraceEvent[]): TraceEvent[] {
  const ids = new Map<number, number>();
  return events.map((e) => {
    if (!ids.has(e.tid)) ids.set(e.tid, ids.size);
    return { ...e, tid: ids.get(e.tid)! };
  });
}
