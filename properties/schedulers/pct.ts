// PCT (Burckhardt et al., ASPLOS 2010; `--scheduler pct`): the highest-priority runnable
// thread runs; at each change point — the k-th shared write of the run — the running
// thread drops below all others. Bug depth d = d - 1 change points (--depth).
import fc from 'fast-check';
import { entries, keys, nat, TokenError } from '../fields.js';
import type { Progress, Scheduler, SchedulerPlugin } from './registry.js';

export type PctSchedule = { kind: 'pct'; priorities: number[]; changes: number[] };

/** Change points fall within the shared writes a scope program makes. */
const MAX_CHANGE_WRITE = 60;

export const pct: SchedulerPlugin<PctSchedule> = {
  kind: 'pct',
  aliases: [],
  summary: 'PCT: random thread priorities, lowered at depth - 1 change points (shared writes of the run)',

  arbitrary({ threads, depth }) {
    return fc.record({
      priorities: fc.shuffledSubarray([...Array(threads).keys()], { minLength: threads, maxLength: threads }),
      changes: fc.uniqueArray(fc.integer({ min: 1, max: MAX_CHANGE_WRITE }), { maxLength: depth - 1 }).map((c) => c.sort((a, b) => a - b)),
    }).map(({ priorities, changes }): PctSchedule => ({ kind: 'pct', priorities, changes }));
  },

  validate(s) {
    keys(s, 'the schedule', ['kind', 'priorities', 'changes']);
    if (!entries(s['priorities'], Number.isSafeInteger) || !entries(s['changes'], nat)) throw new TokenError('no valid schedule');
    return { kind: 'pct', priorities: s['priorities'] as number[], changes: s['changes'] as number[] };
  },

  text: (s) => `PCT priorities [${s.priorities.join(', ')}], change points at shared writes [${s.changes.join(', ')}]`,
  size: (s) => s.changes.length,
  detail: () => 0,

  *shrink(s) {
    for (let i = 0; i < s.changes.length; i++) yield { ...s, changes: s.changes.filter((_, k) => k !== i) };
  },

  dropThread: (s, t) => ({ ...s, priorities: s.priorities.filter((_, i) => i !== t) }),
  dropOp: (s) => s,
  create: (s, threads, atomicOps, progress) => new PctScheduler(s.priorities, atomicOps ? [] : s.changes, threads, progress),
};

class PctScheduler implements Scheduler {
  private readonly priority: number[];
  private readonly changes: Set<number>;
  private lowered = 0;
  private current = -1;

  constructor(priorities: readonly number[], changes: readonly number[], threads: number, private readonly p: Progress) {
    this.priority = Array.from({ length: threads }, (_, i) => priorities[i] ?? -i);
    this.changes = new Set(changes);
  }

  pick(runnable: readonly boolean[]): number {
    const c = this.current;
    if (c >= 0 && this.p.beforeWrite(c) && this.changes.delete(this.p.totalWrites())) {
      this.priority[c] = -1_000_000 - ++this.lowered;
    }
    let best = -1;
    for (let i = 0; i < runnable.length; i++) {
      if (runnable[i] && (best < 0 || this.priority[i]! > this.priority[best]!)) best = i;
    }
    return (this.current = best);
  }
}
