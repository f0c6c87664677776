// The step schedulers. At every step the executor (execute.ts) asks which runnable
// virtual thread resumes next. Both kinds are driven by a Schedule value (program.ts),
// so fast-check shrinks them like any data (its own fc.scheduler cannot shrink;
// docs/architecture.md §9). The round robin preempts a thread just before a shared write
// or a shared read (impl/steps.ts WRITE, READ): stopping only before writes never
// separates two reads with no write between them, so a torn snapshot (old x, new y while
// another thread writes both) would be unreachable. PCT's change points count writes.
import type { Point, Schedule } from './program.js';

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

/**
 * The scheduler for `s`. With `atomicOps`, no thread is preempted inside an operation:
 * interleavings happen only between operations (how the checker shows that a race
 * needs a real interleaving).
 */
export function makeScheduler(s: Schedule, threads: number, atomicOps: boolean, progress: Progress): Scheduler {
  if (s.kind === 'preempt') return new PreemptScheduler(s.quanta, atomicOps ? [] : s.points, atomicOps ? [] : s.reads ?? [], threads, progress);
  return new PctScheduler(s.priorities, atomicOps ? [] : s.changes, threads, progress);
}

/**
 * Round robin — each thread runs its quantum of whole operations (1 by default), then
 * the next thread in turn — with preemption points: (thread, op, k) switches away from
 * `thread` just before the k-th shared write (`points`) or read (`reads`) of its
 * operation number `op` (context bounding, as CHESS does: most concurrency bugs need
 * one or two preemptions).
 */
class PreemptScheduler implements Scheduler {
  private current = -1;
  /** Operations the current thread had completed when its turn began. */
  private turnStart = 0;
  private readonly pending: Set<string>;

  constructor(
    private readonly quanta: readonly number[],
    points: readonly Point[],
    reads: readonly Point[],
    private readonly threads: number,
    private readonly p: Progress,
  ) {
    this.pending = new Set([
      ...points.map(([t, op, k]) => `w${t % threads}:${op}:${k}`),
      ...reads.map(([t, op, k]) => `r${t % threads}:${op}:${k}`),
    ]);
  }

  pick(runnable: readonly boolean[]): number {
    const c = this.current;
    if (c >= 0 && runnable[c] && !this.preempted(c)) {
      const quantum = Math.max(1, this.quanta[c] ?? 1);
      if (this.p.midOp(c) || this.p.ops(c) - this.turnStart < quantum) return c;
    }
    const start = c < 0 ? 0 : c + 1;
    for (let k = 0; k < this.threads; k++) {
      const t = (start + k) % this.threads;
      if (runnable[t]) return this.begin(t);
    }
    return this.begin(runnable.indexOf(true));
  }

  private begin(t: number): number {
    this.current = t;
    this.turnStart = this.p.ops(t);
    return t;
  }

  private preempted(t: number): boolean {
    if (this.p.beforeWrite(t)) return this.pending.delete(`w${t}:${this.p.ops(t)}:${this.p.writes(t)}`);
    return this.p.beforeRead(t) && this.pending.delete(`r${t}:${this.p.ops(t)}:${this.p.reads(t)}`);
  }
}

/**
 * PCT (Burckhardt et al., ASPLOS 2010): the highest-priority runnable thread runs; at
 * each change point — the k-th shared write of the run — the running thread drops
 * below all others. Bug depth = change points + 1.
 */
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
