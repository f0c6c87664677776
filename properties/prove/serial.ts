// Level 0 of a bound as one search. With no preemption every operation runs whole, so the
// runs of all the programs of a bound at level 0 are the sequences of whole operations in
// which a thread's next operation is any of its letters (programs.ts nextOps) — and two
// sequences that end in the same state (execute.ts Probe: heap, each thread's place in its
// program, abstract heap, oracles, machines) have the same futures. So instead of
// enumerating programs and then their orders, this search grows the sequences breadth
// first, one operation at a time, and grows each state once: programs that share a
// prefix, or reach one state by different roads, share the work (as a model checker
// shares states; a bound of 9 operations on one thread is thousands of states where it is
// millions of programs).
//
// Each sequence is run as a case (its program: each thread's operations so far; its
// schedule: the `choices` that run them in that order), from the start, epilogue
// included: the sequence is itself a program of the bound, judged whole. Threads start in
// order (thread t's first operation comes after thread t-1's): the other orders are the
// same runs with threads renamed. A free that could take no block is no letter (it does
// nothing). The first depth that holds a violation gives the counterexample with the
// fewest operations, and of those the fewest steps.
import { execute, type Probe } from '../execute.js';
import type { Case, Op } from '../program.js';
import type { ConfigInput } from '../../impl/config.js';
import { nextByDefault } from '../schedulers/choices.js';
import { nextOps, type Bound } from './programs.js';

/** A sequence of whole operations: each thread's operations, and the thread of each in the order run. */
interface Sequence {
  threads: Op[][];
  order: number[];
}

export interface SerialResult {
  /** Sequences run (each a program in one order of its operations). */
  executions: number;
  /** Sequences that ended in a state another had reached: not grown further. */
  cacheHits: number;
  /** States grown (distinct states between operations, the empty start not counted). */
  states: number;
  /** The digests of the states the sequences ended in. */
  finalStates: Set<string>;
  /** Every sequence of the bound was run (false: `stop` cut it short). */
  complete: boolean;
  found: { case: Case; steps: number; id: string } | null;
}

/** Runs one sequence as a case; its end state, or the violation it found. */
class SequenceRun implements Probe {
  private next = 0;
  private current = -1;
  /** The thread of every step, and the threads runnable before it (for the counterexample's picks). */
  readonly picks: number[] = [];
  readonly runnable: boolean[][] = [];
  state: string | null = null;

  constructor(private readonly s: Sequence, private readonly passed: ReadonlySet<string>) {}

  pick(runnable: readonly boolean[], midOp: readonly boolean[]): number {
    // the running thread finishes its operation; then the next in the order starts one
    if (this.current < 0 || midOp[this.current] !== true) this.current = this.s.order[this.next++] ?? -1;
    if (this.current < 0 || runnable[this.current] !== true) throw new Error(`prove: thread T${this.current} of the serial order cannot run (the allocator is not deterministic)`);
    this.picks.push(this.current);
    this.runnable.push([...runnable]);
    return this.current;
  }

  stepped(): void {}

  // the epilogue is a function of the end state: run once per state that passed it
  ended(state: () => string): boolean {
    this.state = state();
    return !this.passed.has(this.state);
  }
}

/** Every sequence of whole operations within the bound on one configuration, breadth first, each state grown once. */
export function serialSearch(config: ConfigInput, bound: Bound, stop?: () => boolean, onDepth?: (depth: number, executions: number) => void): SerialResult {
  const out: SerialResult = { executions: 0, cacheHits: 0, states: 0, finalStates: new Set(), complete: true, found: null };
  const seen = new Set<string>();
  const passed = new Set<string>();
  let frontier: Sequence[] = [{ threads: [], order: [] }];
  for (let depth = 1; depth <= bound.threads * bound.ops && frontier.length > 0; depth++) {
    const grown: Sequence[] = [];
    for (const s of frontier) {
      for (const child of children(s, bound)) {
        if (stop?.() === true) {
          out.complete = false;
          return out;
        }
        const c: Case = { config, program: { threads: child.threads }, schedule: { kind: 'choices', picks: [] } };
        const run = new SequenceRun(child, passed);
        const outcome = execute(c, { probe: run, judgedOps: depth - 1 });
        out.executions++;
        if (run.state !== null) out.finalStates.add(run.state);
        if (outcome.violation !== null) {
          if (out.found === null || outcome.steps < out.found.steps) out.found = { case: { ...c, schedule: { kind: 'choices', picks: trimmed(run) } }, steps: outcome.steps, id: outcome.violation.id };
          continue;
        }
        const state = run.state!;
        passed.add(state);
        if (seen.has(state)) {
          out.cacheHits++;
          continue;
        }
        seen.add(state);
        grown.push(child);
      }
    }
    out.states += grown.length;
    onDepth?.(depth, out.executions);
    if (out.found !== null) return out;
    frontier = grown;
  }
  return out;
}

/** The sequence and one more operation: of a thread started with operations left and no exit, or of the next thread to start. */
function children(s: Sequence, b: Bound): Sequence[] {
  const out: Sequence[] = [];
  const blocks = s.threads.map((ops) => ops.filter((o) => o.op === 'alloc').length);
  for (let t = 0; t < Math.min(b.threads, s.threads.length + 1); t++) {
    const ops = s.threads[t] ?? [];
    if (ops.length >= b.ops || ops.at(-1)?.op === 'exit') continue;
    const known = t < blocks.length ? blocks : [...blocks, 0];
    for (const op of nextOps(b, t, known)) {
      const threads = s.threads.map((x, i) => (i === t ? [...x, op] : x));
      if (t === s.threads.length) threads.push([op]);
      out.push({ threads, order: [...s.order, t] });
    }
  }
  return out;
}

/** The run's picks without the trailing ones the default rule makes anyway (choices.ts). */
function trimmed(run: SequenceRun): number[] {
  let keep = 0;
  for (let k = 0; k < run.picks.length; k++) if (run.picks[k] !== nextByDefault(k === 0 ? -1 : run.picks[k - 1]!, run.runnable[k]!)) keep = k + 1;
  return run.picks.slice(0, keep);
}
