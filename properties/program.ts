// What the checker runs (docs/architecture.md §3, §8): a program — a few virtual threads, each a
// short list of operations — and a schedule of their atomic steps. Both are plain
// values that fast-check generates and shrinks together, and that a replay token
// carries whole, so a counterexample needs no seed or shrink path to reproduce.
import type { ConfigInput } from '../impl/config.js';

export type Op =
  | { op: 'alloc'; size: number }
  /** Free a live block allocated by thread `from` (mod the thread count): its `pick`-th (mod the count), oldest first. */
  | { op: 'free'; from: number; pick: number }
  | { op: 'drain' }
  | { op: 'trim' }
  | { op: 'tick'; ms: number }
  | { op: 'exit' };

export interface Program {
  threads: Op[][];
}

/**
 * Preemption points on a round robin (schedulers.ts): each thread runs `quanta[t]`
 * operations a turn (1 when absent), and (t, op, k) in `points` switches away from
 * thread t just before the k-th shared write of its operation number `op`, in `reads`
 * just before its k-th shared read; no points and no quanta is the plain round robin by
 * operation. PCT: thread priorities and change points (the k-th shared write of the run
 * lowers the running thread below all others).
 */
export type Schedule =
  | { kind: 'preempt'; quanta: number[]; points: Point[]; reads?: Point[] }
  | { kind: 'pct'; priorities: number[]; changes: number[] };

export type Point = [thread: number, op: number, access: number];

export interface Case {
  config: ConfigInput;
  program: Program;
  schedule: Schedule;
  /** Preempt only between operations (how a race is shown to need an interleaving). */
  atomicOps?: boolean;
}

export function opText(op: Op, threads: number): string {
  switch (op.op) {
    case 'alloc': return `alloc(${op.size})`;
    case 'free': return `free(T${op.from % threads}#${op.pick})`;
    case 'tick': return `tick(${op.ms}ms)`;
    default: return `${op.op}()`;
  }
}

export function programText(p: Program): string[] {
  return p.threads.map((ops, i) => `T${i}: ${ops.length === 0 ? '(nothing)' : ops.map((o) => opText(o, p.threads.length)).join('; ')}`);
}

export function scheduleText(s: Schedule): string {
  if (s.kind === 'pct') return `PCT priorities [${s.priorities.join(', ')}], change points at shared writes [${s.changes.join(', ')}]`;
  const turns = s.quanta.some((q) => q > 1) ? `round robin, ${s.quanta.map((q, t) => `T${t} ${q} op${q > 1 ? 's' : ''}`).join(', ')} a turn` : 'round robin by operation';
  const reads = s.reads ?? [];
  if (s.points.length === 0 && reads.length === 0) return `${turns} (T0 first)`;
  const points = [
    ...s.points.map(([t, op, k]) => `T${t} before write ${k} of its op ${op}`),
    ...reads.map(([t, op, k]) => `T${t} before read ${k} of its op ${op}`),
  ];
  return `${turns}, preempting ${points.join('; ')}`;
}

/** Program operations plus schedule entries: the size of a counterexample. */
export function caseSize(c: Case): { ops: number; switches: number } {
  const ops = c.program.threads.reduce((n, t) => n + t.length, 0);
  const s = c.schedule;
  const switches = s.kind === 'preempt' ? s.points.length + (s.reads?.length ?? 0) + s.quanta.filter((q) => q > 1).length : s.changes.length;
  return { ops, switches };
}

/** The seed-bug variants a case runs with (its configuration's `variants`). */
export function variantsOf(c: Case): string[] {
  const v = c.config['variants'];
  return Array.isArray(v) ? v.map(String) : [];
}
