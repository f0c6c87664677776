// The schedulers, registered once: generation (scope.ts), shrinking (minimize.ts), tokens
// (token.ts), printing (program.ts) and the command line's --scheduler (cli/) all read
// this list. A new scheduler is one module (scheduler.ts says what it exports) and one
// line here.
import { TokenError, type Json } from '../fields.js';
import { delay } from './delay.js';
import { pct } from './pct.js';
import { preempt } from './preempt.js';
import type { Progress, Scheduler, SchedulerPlugin } from './scheduler.js';

export const SCHEDULERS = [preempt, pct, delay] as const;

type Plugin = (typeof SCHEDULERS)[number];
/** A schedule of any registered kind. */
export type Schedule = Plugin extends infer P ? (P extends SchedulerPlugin<infer S> ? S : never) : never;
export type SchedulerKind = Schedule['kind'];

/** The scheduler the checker uses when none is named. */
export const DEFAULT_SCHEDULER: SchedulerKind = 'preempt';

/** The names --scheduler takes, the older ones after the kinds. */
export const SCHEDULER_NAMES: readonly string[] = [...SCHEDULERS.map((p) => p.kind), ...SCHEDULERS.flatMap((p) => p.aliases)];

// The one place a schedule's kind picks its plugin's functions: each plugin handles only its own kind.
const byKind = new Map<string, SchedulerPlugin<Schedule>>(SCHEDULERS.map((p) => [p.kind, p as unknown as SchedulerPlugin<Schedule>]));

/** The plugin of a schedule. */
export const pluginOf = (s: Schedule): SchedulerPlugin<Schedule> => byKind.get(s.kind)!;

/** The plugin a --scheduler name (a kind or an older alias) names, or undefined. */
export function schedulerNamed(name: string): SchedulerPlugin<Schedule> | undefined {
  const p = SCHEDULERS.find((x) => x.kind === name || x.aliases.includes(name));
  return p === undefined ? undefined : byKind.get(p.kind);
}

/** The kind a --scheduler name stands for (kinds stand for themselves), or undefined. */
export const schedulerKind = (name: string): SchedulerKind | undefined => schedulerNamed(name)?.kind as SchedulerKind | undefined;

/** A token's schedule: its kind's plugin validates the rest. */
export function validateSchedule(s: Json): Schedule {
  const p = byKind.get(s['kind'] as string);
  if (p === undefined) throw new TokenError('no valid schedule');
  return p.validate(s);
}

export function makeScheduler(s: Schedule, threads: number, atomicOps: boolean, progress: Progress): Scheduler {
  return pluginOf(s).create(s, threads, atomicOps, progress);
}
