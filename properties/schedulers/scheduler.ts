// What a scheduler plugin is. At every step the executor (execute.ts) asks a Scheduler
// which runnable virtual thread resumes next; the scheduler is driven by a Schedule value,
// plain data that fast-check generates and shrinks like any other (its own fc.scheduler
// cannot shrink; docs/architecture.md §9), that the minimizer simplifies and that a replay
// token carries. One module per kind holds all of it; registry.ts lists the modules.
import type fc from 'fast-check';
import type { Json } from '../fields.js';

export interface Scheduler {
  /** Index of the thread to step; `runnable` has at least one true. */
  pick(runnable: readonly boolean[]): number;
}

/** Where the threads are, as the executor knows it. */
export interface Progress {
  /** Operations the thread has completed (= index of its current one). */
  ops(thread: number): number;
  /** WRITE yields in its current operation so far. */
  writes(thread: number): number;
  /** READ yields in its current operation so far. */
  reads(thread: number): number;
  /** It is inside an operation. */
  midOp(thread: number): boolean;
  /** Its last yield was a WRITE: it stands just before a shared write. */
  beforeWrite(thread: number): boolean;
  /** Its last yield was a READ: it stands just before a shared read. */
  beforeRead(thread: number): boolean;
  /** WRITE yields by all threads so far. */
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
