// Explicit choices (`--scheduler choices`): the schedule is the list of threads to step, one
// per step of the program, as `slabcheck prove` (properties/prove/) found it; past the list,
// or where a listed thread cannot run, the running thread goes on while it can and the next
// runnable one in round-robin order takes over when it cannot (nextByDefault). The
// explorer extends every prefix it tries by that same rule, so a counterexample it found
// replays from its token step for step. Random lists make it a (weak) random scheduler too.
// With atomicOps a choice that would switch away from a thread inside an operation is not
// taken: the thread finishes the operation first.
import fc from 'fast-check';
import { entries, keys, nat, TokenError } from '../fields.js';
import type { Progress, Scheduler, SchedulerPlugin } from './registry.js';

export type ChoicesSchedule = { kind: 'choices'; picks: number[] };

/** The thread after `last` when no choice says otherwise: `last` while it can run, else the next runnable in turn. */
export function nextByDefault(last: number, runnable: readonly boolean[]): number {
  if (last >= 0 && runnable[last] === true) return last;
  for (let k = 1; k <= runnable.length; k++) {
    const t = (last + k + runnable.length) % runnable.length;
    if (runnable[t] === true) return t;
  }
  return -1;
}

/** Context switches in a list of picks (a thread different from the one before). */
const switches = (picks: readonly number[]): number => picks.filter((t, i) => i > 0 && t !== picks[i - 1]).length;

export const choices: SchedulerPlugin<ChoicesSchedule> = {
  kind: 'choices',
  aliases: [],
  summary: "explicit: the thread of every step, as prove's counterexamples list them (then each thread runs on)",

  // runs of one thread, so that random lists switch now and then, mostly inside operations
  arbitrary: ({ threads }) =>
    fc.array(fc.tuple(fc.nat(threads - 1), fc.integer({ min: 1, max: 12 })), { maxLength: 8 })
      .map((runs): ChoicesSchedule => ({ kind: 'choices', picks: runs.flatMap(([t, n]) => Array<number>(n).fill(t)) })),

  validate(s) {
    keys(s, 'the schedule', ['kind', 'picks']);
    if (!entries(s['picks'], nat)) throw new TokenError('no valid schedule');
    return { kind: 'choices', picks: s['picks'] as number[] };
  },

  text: (s) => (s.picks.length === 0 ? 'each thread to its end in turn (T0 first)' : `steps by thread: ${runsText(s.picks)}, then each thread on to its end`),
  size: (s) => switches(s.picks),
  detail: (s) => s.picks.length,

  // drop the last choice (the default takes over one step earlier), or one whole run of a thread
  *shrink(s) {
    if (s.picks.length > 0) yield { ...s, picks: s.picks.slice(0, -1) };
    let start = 0;
    for (let i = 1; i <= s.picks.length; i++) {
      if (i === s.picks.length || s.picks[i] !== s.picks[start]) {
        if (start > 0 || i < s.picks.length) yield { ...s, picks: [...s.picks.slice(0, start), ...s.picks.slice(i)] };
        start = i;
      }
    }
  },

  dropThread: (s, t) => ({ ...s, picks: s.picks.filter((p) => p !== t).map((p) => (p > t ? p - 1 : p)) }),
  // choices count steps, not operations: the list stays, the default covers what no longer matches
  dropOp: (s) => s,
  create: (s, threads, atomicOps, progress) => new ChoicesScheduler(s.picks.map((p) => p % Math.max(1, threads)), atomicOps ? progress : null),
};

/** `T0×5 T1×3 T0×12`: the picks as runs of one thread. */
function runsText(picks: readonly number[]): string {
  const runs: string[] = [];
  let start = 0;
  for (let i = 1; i <= picks.length; i++) {
    if (i === picks.length || picks[i] !== picks[start]) {
      runs.push(`T${picks[start]}×${i - start}`);
      start = i;
    }
  }
  return runs.join(' ');
}

class ChoicesScheduler implements Scheduler {
  private step = 0;
  private last = -1;

  /** `atomic`: the executor's progress, when no operation may be preempted. */
  constructor(private readonly picks: readonly number[], private readonly atomic: Progress | null) {}

  pick(runnable: readonly boolean[]): number {
    const chosen = this.picks[this.step++];
    const held = this.atomic !== null && this.last >= 0 && runnable[this.last] === true && this.atomic.midOp(this.last);
    this.last = !held && chosen !== undefined && runnable[chosen] === true ? chosen : nextByDefault(this.last, runnable);
    return this.last;
  }
}
