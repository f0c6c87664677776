// The preempting round robin (`--scheduler preempt`, formerly `random`): each thread runs
// its quantum of whole operations (1 by default), then the next thread in turn, with
// preemption points (thread, op, k) that switch away from `thread` just before the k-th
// shared write (`points`) or read (`reads`) of its operation number `op` (context
// bounding, as CHESS does: most concurrency bugs need one or two preemptions). Stopping
// only before writes never separates two reads with no write between them, so a torn
// snapshot (old x, new y while another thread writes both) would be unreachable.
import fc from 'fast-check';
import { entries, keys, nat, TokenError } from '../fields.js';
import type { Progress, Scheduler, SchedulerPlugin } from './registry.js';

export type Point = [thread: number, op: number, access: number];

/** No points and no quanta is the plain round robin by operation. */
export type PreemptSchedule = { kind: 'preempt'; quanta: number[]; points: Point[]; reads?: Point[] };

const LISTS = ['points', 'reads'] as const;
const point = (p: unknown): boolean => Array.isArray(p) && p.length === 3 && p.every(nat);

export const preempt: SchedulerPlugin<PreemptSchedule> = {
  kind: 'preempt',
  aliases: ['random'],
  summary: 'round robin by operation, preempted just before chosen shared writes and reads',

  // quanta mostly 1; up to 3 preemption points, mostly in early operations, before early
  // writes, a third of them before a read (an operation reads more than it writes)
  arbitrary({ threads, maxOpsPerThread }) {
    const quanta = fc.array(fc.oneof({ weight: 3, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.integer({ min: 2, max: 4 }) }), { maxLength: threads });
    const op = fc.oneof({ weight: 3, arbitrary: fc.nat(3) }, { weight: 1, arbitrary: fc.nat(maxOpsPerThread) });
    const access = (few: number, many: number) =>
      fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 1, max: few }) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: many }) });
    const at = (k: fc.Arbitrary<number>) => fc.tuple(fc.nat(threads - 1), op, k);
    const anyPoint = fc.oneof(
      { weight: 2, arbitrary: at(access(3, 8)).map((p) => ({ read: false, p })) },
      { weight: 1, arbitrary: at(access(4, 16)).map((p) => ({ read: true, p })) },
    );
    return fc.record({ quanta, points: fc.array(anyPoint, { maxLength: 3 }) })
      .map(({ quanta: q, points }): PreemptSchedule => ({
        kind: 'preempt', quanta: q, points: points.filter((x) => !x.read).map((x) => x.p), reads: points.filter((x) => x.read).map((x) => x.p),
      }));
  },

  validate(s) {
    keys(s, 'the schedule', ['kind', 'quanta', 'points'], ['reads']);
    if (!entries(s['quanta'], nat) || !entries(s['points'], point)) throw new TokenError('no valid schedule');
    if (s['reads'] !== undefined && !entries(s['reads'], point)) throw new TokenError('no valid schedule');
    return {
      kind: 'preempt', quanta: s['quanta'] as number[], points: s['points'] as Point[], ...(s['reads'] === undefined ? {} : { reads: s['reads'] as Point[] }),
    };
  },

  text(s) {
    const turns = s.quanta.some((q) => q > 1) ? `round robin, ${s.quanta.map((q, t) => `T${t} ${q} op${q > 1 ? 's' : ''}`).join(', ')} a turn` : 'round robin by operation';
    const reads = s.reads ?? [];
    if (s.points.length === 0 && reads.length === 0) return `${turns} (T0 first)`;
    const points = [
      ...s.points.map(([t, op, k]) => `T${t} before write ${k} of its op ${op}`),
      ...reads.map(([t, op, k]) => `T${t} before read ${k} of its op ${op}`),
    ];
    return `${turns}, preempting ${points.join('; ')}`;
  },

  size: (s) => s.points.length + (s.reads?.length ?? 0) + s.quanta.filter((q) => q > 1).length,

  detail(s) {
    let d = 0;
    for (const [, op, k] of [...s.points, ...s.reads ?? []]) d += op + k;
    return d;
  },

  *shrink(s) {
    for (const key of LISTS) {
      const list = s[key] ?? [];
      for (let i = 0; i < list.length; i++) yield { ...s, [key]: list.filter((_, k) => k !== i) };
    }
    for (let i = 0; i < s.quanta.length; i++) {
      if (s.quanta[i]! > 1) yield { ...s, quanta: s.quanta.map((q, k) => (k === i ? q - 1 : q)) };
    }
    for (const key of LISTS) {
      const list = s[key] ?? [];
      for (let i = 0; i < list.length; i++) {
        const [t, op, k] = list[i]!;
        if (k > 1) yield { ...s, [key]: list.map((p, x): Point => (x === i ? [t, op, k - 1] : p)) };
      }
    }
  },

  dropThread(s, t) {
    const drop = (list: Point[]): Point[] => list.filter(([pt]) => pt !== t).map(([pt, op, k]) => [pt > t ? pt - 1 : pt, op, k]);
    return { ...s, quanta: s.quanta.filter((_, i) => i !== t), points: drop(s.points), ...(s.reads ? { reads: drop(s.reads) } : {}) };
  },

  dropOp(s, t, j) {
    const drop = (list: Point[]): Point[] => list.filter(([pt, op]) => !(pt === t && op === j)).map(([pt, op, k]) => [pt, pt === t && op > j ? op - 1 : op, k]);
    return { ...s, points: drop(s.points), ...(s.reads ? { reads: drop(s.reads) } : {}) };
  },

  create: (s, threads, atomicOps, progress) => new PreemptScheduler(s.quanta, atomicOps ? [] : s.points, atomicOps ? [] : s.reads ?? [], threads, progress),
};

class PreemptScheduler implements Scheduler {
  private current = -1;
  /** Operations the current thread had completed when its turn began. */
  private turnStart = 0;
  /** Per thread, per operation number: the write (and read) numbers still to preempt before (each taken once). */
  private readonly writePoints: Map<number, number[]>[];
  private readonly readPoints: Map<number, number[]>[];

  constructor(
    private readonly quanta: readonly number[],
    points: readonly Point[],
    reads: readonly Point[],
    private readonly threads: number,
    private readonly p: Progress,
  ) {
    // none: no map for any thread (most schedules preempt at few points or none)
    const byThread = (list: readonly Point[]): Map<number, number[]>[] => {
      if (list.length === 0) return [];
      const out = Array.from({ length: threads }, () => new Map<number, number[]>());
      for (const [t, op, k] of list) {
        const at = out[t % threads]!;
        const ks = at.get(op) ?? [];
        if (!ks.includes(k)) ks.push(k);
        at.set(op, ks);
      }
      return out;
    };
    this.writePoints = byThread(points);
    this.readPoints = byThread(reads);
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

  // Called at every step: looks up, allocates nothing.
  private preempted(t: number): boolean {
    if (this.p.beforeWrite(t)) return take(this.writePoints[t], this.p.ops(t), this.p.writes(t));
    return this.p.beforeRead(t) && take(this.readPoints[t], this.p.ops(t), this.p.reads(t));
  }
}

// Takes point (op, k) off `points` (absent: none): true when it was there.
function take(points: Map<number, number[]> | undefined, op: number, k: number): boolean {
  const ks = points?.get(op);
  const i = ks === undefined ? -1 : ks.indexOf(k);
  if (i < 0) return false;
  ks!.splice(i, 1);
  return true;
}
