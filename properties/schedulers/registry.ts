// What a scheduler plugin is, and the schedulers, registered once. At every step the
// executor (execute.ts) asks a Scheduler which runnable virtual thread resumes next; the
// scheduler is driven by a Schedule value, plain data that fast-check generates and
// shrinks like any other (its own fc.scheduler cannot shrink; docs/architecture.md §9),
// that the minimizer simplifies and that a replay token carries. One module per kind
// holds all of it (SchedulerPlugin); generation (scope.ts), shrinking (minimize.ts),
// tokens (token.ts), printing (program.ts) and the command line's --scheduler (cli/) all
// read SCHEDULERS. A new scheduler is one module and one line there.
import type fc from 'fast-check';
import { TokenError, type Json } from '../fields.js';
import { choices } from './choices.js';
import { delay } from './delay.js';
import { pct } from './pct.js';
import { preempt } from './preempt.js';

export interface Scheduler {
  /** Index of the thread to step; `runnable` has at least one true. */
  pick(runnable: readonly boolean[]): number;
}

/** Where the threads are, as the executor knows it. */
export interface Progress {
  /** Operations the thread has completed (= index of its current one). */
  ops(thread: number): number;
  /** Write requests (rmw included, impl/steps.ts accessKind) in its current operation so far. */
  writes(thread: number): number;
  /** Read requests in its current operation so far. */
  reads(thread: number): number;
  /** It is inside an operation. */
  midOp(thread: number): boolean;
  /** Its pending request writes (write or rmw): it stands just before a shared write. */
  beforeWrite(thread: number): boolean;
  /** Its pending request is a read: it stands just before a shared read. */
  beforeRead(thread: number): boolean;
  /** Write requests (rmw included) by all threads so far. */
  totalWrites(): number;
}

/** What a schedule is drawn for. */
export interface ScheduleScope {
  threads: number;
  maxOpsPerThread: number;
  /** The bug depth asked for (check --depth). */
  depth: number;
}

export interface SchedulerPlugin<S extends { kind: string }> {
  /** Its name on the command line and its schedules' `kind` in tokens. */
  readonly kind: S['kind'];
  /** Older command-line names it answers to. */
  readonly aliases: readonly string[];
  /** One line for the command's help. */
  readonly summary: string;
  arbitrary(scope: ScheduleScope): fc.Arbitrary<S>;
  /** The schedule a token's JSON holds (its `kind` is this plugin's), or a TokenError. */
  validate(json: Json): S;
  /** The schedule in words, as reports print it. */
  text(s: S): string;
  /** Its entries (points, change points, …): a counterexample's size is its operations plus these. */
  size(s: S): number;
  /** How far its entries are from the simplest ones: the minimizer's tie-break after size. */
  detail(s: S): number;
  /** Smaller or simpler schedules the minimizer tries, one entry dropped or simplified each. */
  shrink(s: S): Iterable<S>;
  /** The schedule for the program without thread `t`, or without operation `j` of thread `t`. */
  dropThread(s: S, t: number): S;
  dropOp(s: S, t: number, j: number): S;
  /**
   * The scheduler that follows `s`. With `atomicOps`, no thread is preempted inside an
   * operation: interleavings happen only between operations (how the checker shows that
   * a race needs a real interleaving).
   */
  create(s: S, threads: number, atomicOps: boolean, progress: Progress): Scheduler;
}

export const SCHEDULERS = [preempt, pct, delay, choices] as const;

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
