// Level 0 of a bound as one search. With no preemption every operation runs whole, so the
// runs of all the programs of a bound at level 0 are the sequences of whole operations in
// which a thread's next operation is any of its letters (programs.ts nextOps) — and two
// sequences that end in the same state (execute.ts Probe: heap, abstract heap, oracles,
// machines) have the same futures, but for the operations each thread has left: a state
// reached with no more operations on any thread than another that reached it has no future
// the other lacks (it dominates; both futures are those of the same state, the other's cut
// shorter by the bound). So instead of
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
// nothing). Every configuration of the bound is searched in step, depth by depth (a state
// is one configuration's): the first depth that holds a violation gives the
// counterexample with the fewest operations on any of them, and of those the fewest context
// switches (its size as reports count it: operations + schedule entries), then steps.
import { execute, type Probe } from '../execute.js';
import type { Case, Op } from '../program.js';
import type { ConfigInput } from '../../impl/config.js';
import { nextByDefault } from '../schedulers/choices.js';
import { nextOps, totalOps, type Bound } from './programs.js';

/** A sequence of whole operations on one of the configurations: each thread's operations, and the thread of each in the order run. */
export interface Sequence {
  config: number;
  threads: Op[][];
  order: number[];
}

/**
 * What running one sequence gave: the state it ended in (execute.ts Probe.ended's digest;
 * null: a violation stopped it first) and, when a misuse letter may follow, the blocks
 * freed (else ''); the violation with its size and picks.
 */
export interface SequenceResult {
  state: string | null;
  freed: string;
  violation: { id: string; steps: number; switches: number; picks: number[] } | null;
}

export interface SerialResult {
  /** Sequences run (each a program in one order of its operations). */
  executions: number;
  /** Sequences that ended in a state another had reached: not grown further. */
  cacheHits: number;
  /** States grown (distinct states between operations, the empty start not counted). */
  states: number;
  /** The digests of the states the sequences ended in (with their configuration's number). */
  finalStates: Set<string>;
  /** Every sequence of the bound was run (false: the deadline cut it short). */
  complete: boolean;
  /** The counterexample and the number of its configuration. */
  found: { case: Case; config: number; steps: number; switches: number; id: string } | null;
}

/** Each thread's operations in `s` (its places). */
const places = (s: Sequence): number[] => s.threads.map((ops) => ops.length);

/** Sequences run between two looks at the deadline (and handed to a worker at once). */
export const CHUNK = 64;

/**
 * The search, as batches to run: next() hands out the current depth's sequences a chunk
 * at a time, take() is given their results in the order handed out; a depth's results
 * all taken, the next depth begins. Whoever runs the chunks (this thread, or workers side
 * by side) the result is the same.
 */
export class SerialSearch {
  readonly out: SerialResult = { executions: 0, cacheHits: 0, states: 0, finalStates: new Set(), complete: true, found: null };
  /** The states grown, each with the places of the sequences that reached it (none dominating another). */
  private readonly seen = new Map<string, number[][]>();
  private depth = 0;
  private children: Sequence[] = [];
  private given = 0;
  private taken = 0;
  private grown: Sequence[] = [];

  constructor(private readonly configs: readonly ConfigInput[], private readonly bound: Bound) {
    this.begin(configs.map((_, config) => ({ config, threads: [], order: [] })));
  }

  /** Sequences to run next (all of one depth, `depth` operations long), or null: wait for results, or the search is over. */
  next(): { depth: number; sequences: Sequence[] } | null {
    if (this.given >= this.children.length) return null;
    const sequences = this.children.slice(this.given, this.given + CHUNK);
    this.given += sequences.length;
    return { depth: this.depth, sequences };
  }

  /** The results of the chunk handed out first and not yet taken. */
  take(results: readonly SequenceResult[]): void {
    for (const [k, r] of results.entries()) {
      const child = this.children[this.taken + k]!;
      this.out.executions++;
      const state = r.state === null ? null : `${child.config}:${r.state}`;
      if (state !== null) this.out.finalStates.add(state);
      if (r.violation !== null) {
        // of a depth's violations: the fewest context switches (the report's size: operations + switches), then steps
        const f = this.out.found;
        const v = r.violation;
        if (f === null || v.switches < f.switches || (v.switches === f.switches && v.steps < f.steps)) {
          const c: Case = { config: this.configs[child.config]!, program: { threads: child.threads }, schedule: { kind: 'choices', picks: v.picks } };
          this.out.found = { case: c, config: child.config, steps: v.steps, switches: v.switches, id: v.id };
        }
      } else if (this.dominated(state! + r.freed, places(child))) {
        this.out.cacheHits++;
      } else {
        this.grown.push(child);
      }
    }
    this.taken += results.length;
    if (this.taken < this.children.length) return;
    this.out.states += this.grown.length;
    // the first depth with a violation ends the search: it has the fewest operations
    if (this.out.found === null && this.depth < totalOps(this.bound)) this.begin(this.grown);
  }

  /** A sequence reached `state` before with no more operations on any thread; else `at` is recorded as reaching it. */
  private dominated(state: string, at: number[]): boolean {
    const before = this.seen.get(state);
    if (before === undefined) {
      this.seen.set(state, [at]);
      return false;
    }
    if (before.some((p) => p.every((n, t) => n <= at[t]!))) return true;
    // BFS: a later sequence has as many operations in all, so it dominates none recorded
    before.push(at);
    return false;
  }

  /** Every result is in: the search is over. */
  get done(): boolean {
    return this.taken >= this.children.length;
  }

  private begin(frontier: Sequence[]): void {
    this.depth++;
    this.children = frontier.flatMap((s) => children(s, this.bound));
    this.given = this.taken = 0;
    this.grown = [];
  }
}

/** Every sequence of whole operations within the bound on each configuration, run by this thread. */
export function serialSearch(configs: readonly ConfigInput[], bound: Bound, deadline = Infinity): SerialResult {
  const search = new SerialSearch(configs, bound);
  const passed = new Set<string>();
  for (let batch = search.next(); batch !== null; batch = search.next()) {
    if (Date.now() > deadline) {
      search.out.complete = false;
      break;
    }
    search.take(runSequences(configs, bound, batch.sequences, batch.depth, passed));
  }
  return search.out;
}

/**
 * Runs sequences of `depth` operations, each from the start, with the checks of its
 * first depth - 1 operations skipped (they replay a sequence that passed them) and the
 * epilogue skipped at an end state in `passed` (it passed there before, on that
 * configuration; added to here).
 */
export function runSequences(configs: readonly ConfigInput[], bound: Bound, sequences: readonly Sequence[], depth: number, passed: Set<string>): SequenceResult[] {
  const misuse = bound.alphabet.includes('misuse');
  return sequences.map((s) => {
    const run = new SequenceRun(s, passed, misuse);
    const outcome = execute({ config: configs[s.config]!, program: { threads: s.threads }, schedule: { kind: 'choices', picks: [] } }, { probe: run, judgedOps: depth - 1 });
    if (outcome.violation === null) {
      passed.add(`${s.config}:${run.state!}`);
      return { state: run.state, freed: run.freed, violation: null };
    }
    const picks = trimmed(run);
    return { state: run.state, freed: run.freed, violation: { id: outcome.violation.id, steps: outcome.steps, switches: picks.filter((t, k) => k > 0 && t !== picks[k - 1]).length, picks } };
  });
}

/** Runs one sequence as a case; its end state, or the violation it found. */
class SequenceRun implements Probe {
  private next = 0;
  private current = -1;
  /** The thread of every step, and the threads runnable before it (for the counterexample's picks). */
  readonly picks: number[] = [];
  readonly runnable: boolean[][] = [];
  state: string | null = null;
  freed = '';

  constructor(private readonly s: Sequence, private readonly passed: ReadonlySet<string>, private readonly misuse: boolean) {}

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
  ended(end: () => string, freed: () => string): boolean {
    this.state = end();
    if (this.misuse) this.freed = freed();
    return !this.passed.has(`${this.s.config}:${this.state}`);
  }
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
      out.push({ config: s.config, threads, order: [...s.order, t] });
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
