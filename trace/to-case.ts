// A (small) trace as a checker case (properties/program.ts), so `slabcheck replay TOKEN`
// runs it through the step executor and `check`'s interleavings can explore around it.
// Program thread i is trace thread i (dense, by first appearance). Replay's semantics
// carry over: a tiny allocation is alloc(size); a free is free(from, pick) — the block's
// allocating thread and its index among that thread's live blocks, oldest first; realloc
// is alloc then free; the large path is left out (not modelled); after every
// `eventsPerMs`-th event the thread ticks 1 ms; after its last event a thread drains and
// exits. The trace's global order becomes a round robin by operation in which a thread
// whose turn comes before its next event runs tick(0) (nothing but a clock read: the
// clock does not move, so no idle trim falls due).
import type { ConfigInput } from '../impl/config.js';
import { MAX_TINY_SIZE } from '../impl/sizeclass.js';
import type { Case, Op } from '../properties/program.js';
import type { TraceEvent } from './format.js';
import { TINY_ALIGN } from './replay.js';

const FILLER: Op = { op: 'tick', ms: 0 };

export function traceCase(events: readonly TraceEvent[], config: ConfigInput, eventsPerMs: number): Case {
  const index = new Map<number, number>();
  for (const e of events) if (!index.has(e.tid)) index.set(e.tid, index.size);
  const last = new Map<number, number>();
  events.forEach((e, i) => last.set(e.tid, i));
  const steps: [number, Op][] = [];
  const lists: number[][] = [...index.keys()].map(() => []); // per thread: live block ids, oldest first
  const blocks = new Map<number, { id: number; thread: number } | null>(); // trace pointer -> tiny block (null: large)
  let nextId = 0;
  const alloc = (t: number, ptr: number, size: number, tiny: boolean): void => {
    if (!tiny) {
      blocks.set(ptr, null);
      return;
    }
    const id = nextId++;
    lists[t]!.push(id);
    blocks.set(ptr, { id, thread: t });
    steps.push([t, { op: 'alloc', size }]);
  };
  const release = (t: number, b: { id: number; thread: number } | null | undefined): void => {
    if (b === null || b === undefined) return;
    const list = lists[b.thread]!;
    const pick = list.indexOf(b.id);
    list.splice(pick, 1);
    steps.push([t, { op: 'free', from: b.thread, pick }]);
  };
  const free = (t: number, ptr: number): void => {
    const b = blocks.get(ptr);
    blocks.delete(ptr);
    release(t, b);
  };
  events.forEach((e, i) => {
    const t = index.get(e.tid)!;
    const tiny = e.size <= MAX_TINY_SIZE && !(e.op === 'a' && e.arg > TINY_ALIGN);
    if (e.op === 'f') {
      free(t, e.ptr);
    } else if (e.op !== 'r' || e.arg === 0) {
      if (e.ptr !== 0) alloc(t, e.ptr, e.size, tiny);
    } else if (e.ptr !== 0) {
      const old = blocks.get(e.arg);
      blocks.delete(e.arg);
      alloc(t, e.ptr, e.size, tiny); // the new block first, then the old one freed
      release(t, old);
    } else if (e.size === 0) {
      free(t, e.arg);
    }
    if ((i + 1) % eventsPerMs === 0) steps.push([t, { op: 'tick', ms: 1 }]);
    if (last.get(e.tid) === i) steps.push([t, { op: 'drain' }], [t, { op: 'exit' }]);
  });
  return { config, program: { threads: roundRobin(steps, index.size) }, schedule: { kind: 'preempt', quanta: new Array<number>(index.size).fill(1), points: [] } };
}

// Threads' operations such that a round robin by operation (T0 first, a finished thread
// skipped) runs `steps` in their order: fillers for the threads whose turn comes first.
function roundRobin(steps: readonly [number, Op][], threads: number): Op[][] {
  const program: Op[][] = Array.from({ length: threads }, () => []);
  const remaining = new Array<number>(threads).fill(0);
  for (const [t] of steps) remaining[t]!++;
  let current = -1;
  for (const [t, op] of steps) {
    for (let u = (current + 1) % threads; u !== t; u = (u + 1) % threads) {
      if (remaining[u]! > 0) program[u]!.push(FILLER);
    }
    program[t]!.push(op);
    remaining[t]!--;
    current = t;
  }
  return program;
}
