// Delay-bounded scheduling (Emmi, Qadeer, Rakamarić, POPL 2011; `--scheduler delay`): a
// deterministic scheduler — each thread runs until it finishes or blocks, then the next
// in round-robin order — deviated from at a few chosen steps. A delay at step k skips the
// running thread: the next runnable one in round-robin order takes over. With no delay
// the threads run one after the other; each delay adds one interleaving, so few delays
// reach the races that need few preemptions, like context bounding but counted in steps
// of the whole run rather than per operation. Bug depth d = d - 1 delays (--depth).
import fc from 'fast-check';
import { entries, keys, nat, TokenError } from '../fields.js';
import type { Progress, Scheduler, SchedulerPlugin } from './registry.js';

/** `delays`: the steps of the run (from 1) at which the running thread is skipped. */
export type DelaySchedule = { kind: 'delay'; delays: number[] };

/** Delays fall within the steps a scope program takes, mostly early ones. */
const EARLY_STEP = 40;
const LATE_STEP = 150;

const sorted = (xs: readonly number[]): number[] => [...xs].sort((a, b) => a - b);

export const delay: SchedulerPlugin<DelaySchedule> = {
  kind: 'delay',
  aliases: [],
  summary: 'delay-bounded: each thread runs to its end, but for depth - 1 delays (steps where the next thread takes over)',

  arbitrary({ depth }) {
    const step = fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 1, max: EARLY_STEP }) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: LATE_STEP }) });
    return fc.uniqueArray(step, { maxLength: depth - 1 }).map((d): DelaySchedule => ({ kind: 'delay', delays: sorted(d) }));
  },

  validate(s) {
    keys(s, 'the schedule', ['kind', 'delays']);
    if (!entries(s['delays'], nat)) throw new TokenError('no valid schedule');
    return { kind: 'delay', delays: s['delays'] as number[] };
  },

  text: (s) => `delay-bounded, each thread to its end (T0 first)${s.delays.length === 0 ? '' : `, delays at steps [${s.delays.join(', ')}]`}`,
  size: (s) => s.delays.length,
  detail: (s) => s.delays.reduce((n, d) => n + d, 0),

  // drop a delay; move one earlier (to half its step, or one step)
  *shrink(s) {
    for (let i = 0; i < s.delays.length; i++) yield { ...s, delays: s.delays.filter((_, k) => k !== i) };
    for (let i = 0; i < s.delays.length; i++) {
      const d = s.delays[i]!;
      for (const earlier of new Set([Math.floor(d / 2), d - 1])) {
        if (earlier >= 1 && !s.delays.includes(earlier)) yield { ...s, delays: sorted(s.delays.map((x, k) => (k === i ? earlier : x))) };
      }
    }
  },

  // delays count steps of the whole run, not of a thread or an operation
  dropThread: (s) => s,
  dropOp: (s) => s,
  create: (s, threads, atomicOps, progress) => new DelayScheduler(s.delays, threads, atomicOps, progress),
};

class DelayScheduler implements Scheduler {
  private current = -1;
  private step = 0;
  /** Delays due and not yet taken (with atomicOps one waits for the running operation's end). */
  private owed = 0;
  private readonly delays: Set<number>;

  constructor(delays: readonly number[], private readonly threads: number, private readonly atomicOps: boolean, private readonly p: Progress) {
    this.delays = new Set(delays);
  }

  pick(runnable: readonly boolean[]): number {
    if (this.delays.has(++this.step)) this.owed++;
    const c = this.current;
    if (c >= 0 && runnable[c]) {
      if (this.owed === 0 || (this.atomicOps && this.p.midOp(c))) return c;
      const next = this.after(c, runnable);
      if (next === c) return c; // nobody else can run: the delay waits
      this.owed--;
      return (this.current = next);
    }
    return (this.current = this.after(c, runnable));
  }

  /** The first runnable thread after `c` in round-robin order (`c` itself last). */
  private after(c: number, runnable: readonly boolean[]): number {
    for (let k = 1; k <= this.threads; k++) {
      const t = (c + k + this.threads) % this.threads;
      if (runnable[t]) return t;
    }
    return runnable.indexOf(true);
  }
}
