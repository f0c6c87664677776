// Every interleaving of one program, up to a preemption bound, with dynamic partial-order
// reduction (Flanagan & Godefroid, POPL 2005) and sleep sets (Godefroid 1996). Stateless:
// each execution runs the case from its start (execute.ts with a Probe), following the
// choices of a prefix of the current path, then the default rule of the `choices`
// scheduler (the running thread goes on), so that every execution replays from a token.
//
// After each execution, every race — a step j and the last earlier step i of another
// thread that conflicts with it (conflict() below: a common word, one of them writing)
// and does not happen before j through
// other steps — asks that j's thread be tried at the state before i (or every thread
// runnable there when it is not). A thread whose step from a state was explored sleeps
// in the siblings explored after it, until a step that conflicts with it runs: the
// orders it would add are equivalent to ones already run.
//
// Preemptions (CHESS's iterative context bounding, Musuvathi & Qadeer, PLDI 2007): a
// switch away from a thread that is inside an operation and could go on. Switching
// between operations is free, so bound 0 is every order of whole operations. Under a
// bound, a race whose reversal would preempt also asks for the switch at the start of
// the preempted thread's run of steps and at its last operation boundary in it (Coons,
// Musuvathi & McKinley, OOPSLA 2013: bounded POR), and a thread whose subtree the bound
// cut short is not put to sleep, so no schedule within the bound is lost to the reduction.
import { firstWord, lastWord, writes } from '../../impl/steps.js';
import { DID, execute, type Outcome, type Probe } from '../execute.js';
import type { Case } from '../program.js';
import { nextByDefault } from '../schedulers/choices.js';

export interface ExploreOptions {
  /** Preemptions an execution may make (Infinity: unbounded). */
  preemptions: number;
  /** Partial-order reduction on (off: every interleaving within the bound, for comparison). */
  dpor: boolean;
  /** Ends an execution at a state between operations explored before (item 7's state cache). */
  cache: boolean;
}

/** The shortest violating execution found: the fewest preemptions, then the fewest steps. */
export interface Found {
  /** The case with its `choices` schedule (the picks past which the default rule gives the same run are dropped). */
  case: Case;
  preemptions: number;
  steps: number;
  outcome: Outcome;
}

export interface Explored {
  /** Executions run to their end (a violation ends one too). */
  executions: number;
  /** Choices not taken because their thread slept, and executions given up because every thread that could run slept (redundant by the reduction). */
  asleep: number;
  /** Choices not taken because they would exceed the preemption bound. */
  boundCut: number;
  /** Executions ended at a state the cache had seen. */
  cacheHits: number;
  /** Hashes of the heap and the abstract heap after the program (before the epilogue). */
  finalStates: Set<string>;
  found: Found | null;
}

/**
 * A step's footprint: the request it performed (-1: none) and what else it did (execute.ts
 * DID). Starting or ending an operation and reporting an event read the whole heap (the
 * checker's judgments) and write the checker's own state (abstract heap, oracles,
 * machines); the kernel writes the whole heap.
 */
interface Step {
  thread: number;
  did: number;
  /** The i32 words its request touched (lo > hi: none), and whether it wrote them. */
  lo: number;
  hi: number;
  writes: boolean;
}

const CHECKER = DID.START | DID.END | DID.EVENT;

function footprint(thread: number, request: number, did: number): Step {
  if (request < 0) return { thread, did, lo: 0, hi: -1, writes: false };
  return { thread, did, lo: firstWord(request), hi: lastWord(request), writes: writes(request) };
}

// impl/steps.ts dependent() on the requests, and the checker's reads and writes on top
function conflict(a: Step, b: Step): boolean {
  if ((a.did | b.did) & DID.KERNEL || (a.did & CHECKER && b.did & CHECKER)) return true;
  if ((a.did & CHECKER && b.writes) || (b.did & CHECKER && a.writes)) return true;
  return (a.writes || b.writes) && a.lo <= b.hi && b.lo <= a.hi;
}

/** A state on the current path: the state before step `depth` of the executions that share the path to it. */
interface Node {
  runnable: boolean[];
  midOp: boolean[];
  /** The thread that ran the step before (-1 at the start). */
  last: number;
  /** Preemptions on the path to it. */
  preemptions: number;
  /** The thread stepped from here on the current path, and its footprint once run. */
  chosen: number;
  step: Step | null;
  /** Its step's vector clock (addRaces), kept while the step stays on the path. */
  clock: Int32Array | null;
  backtrack: Set<number>;
  done: Set<number>;
  /** Threads asleep here, with the footprint of their step from here. */
  sleep: Map<number, Step>;
  /** boundCut when `chosen` was taken: more since means the bound cut its subtree. */
  cutsAtChoice: number;
  /** Its state's cache entry, when it is between operations and explored from here. */
  entry: Entry | null;
}

/**
 * A state between operations, explored: with how many preemptions left, which threads
 * slept there (they were not explored from it), and the footprints of every step run
 * below it (with DPOR, what a later run that reaches it again would have raced with).
 */
interface Entry {
  left: number;
  sleep: number[];
  summary: Map<string, Step>;
}

const stepKey = (s: Step): string => `${s.thread}:${s.did}:${s.lo}:${s.hi}:${s.writes ? 1 : 0}`;

/** Every step below it of a thread other than `p` happens before a step with vector clock `clock`. */
function coveredBelow(clock: Int32Array, p: number): number {
  let min = Infinity;
  for (let t = 0; t < clock.length; t++) if (t !== p && clock[t]! < min) min = clock[t]!;
  return min === Infinity ? 0 : min;
}

/** Switching to `p` at `n` preempts: the thread before is inside an operation and could go on. */
function cost(n: Node, p: number): number {
  return n.last >= 0 && p !== n.last && n.runnable[n.last] === true && n.midOp[n.last] === true ? 1 : 0;
}

/** The default rule's thread, or when it sleeps the next awake runnable one in turn; -1 when all sleep. */
function firstAwake(n: Node): number {
  const d = nextByDefault(n.last, n.runnable);
  for (let k = 0; k < n.runnable.length; k++) {
    const t = (d + k) % n.runnable.length;
    if (n.runnable[t] === true && !n.sleep.has(t)) return t;
  }
  return -1;
}

export function explore(c: Case, options: ExploreOptions): Explored {
  return new Explorer(c, options).run();
}

class Explorer implements Probe {
  private readonly nodes: Node[] = [];
  private readonly out: Explored = { executions: 0, asleep: 0, boundCut: 0, cacheHits: 0, finalStates: new Set(), found: null };
  /** States between operations explored, by their digest (execute.ts Probe). */
  private readonly cache = new Map<string, Entry>();
  /** The entry that ended this execution, if one did. */
  private hit: Entry | null = null;
  /** The state this execution's program ended in, and the end states whose epilogue found no violation. */
  private final: string | null = null;
  private readonly passed = new Set<string>();
  /** This execution: steps run, and how many leading nodes it replays. */
  private depth = 0;
  private replay = 0;
  private blocked = false;

  constructor(private readonly c: Case, private readonly o: ExploreOptions) {}

  run(): Explored {
    do {
      this.depth = 0;
      this.blocked = false;
      this.hit = null;
      this.final = null;
      const outcome = execute(this.c, { probe: this });
      if (this.blocked) this.out.asleep++;
      else if (!outcome.abandoned) this.out.executions++;
      // the steps before `fresh` ran in earlier executions, which analysed them
      const fresh = Math.max(0, this.replay - 1);
      const latest = this.o.dpor ? this.addRaces(fresh) : [];
      if (this.o.cache) this.summarize(fresh);
      if (this.o.dpor && this.hit !== null) this.raceSummary(latest);
      if (outcome.violation !== null) this.keep(outcome);
      else if (this.final !== null) this.passed.add(this.final);
    } while (this.backtrack());
    return this.out;
  }

  pick(runnable: readonly boolean[], midOp: readonly boolean[], state: () => string): number {
    const k = this.depth;
    if (k < this.replay) {
      const chosen = this.nodes[k]!.chosen;
      if (runnable[chosen] !== true) throw new Error(`prove: the run diverged from its prefix at step ${k} (the allocator is not deterministic)`);
      return chosen;
    }
    const parent = this.nodes[k - 1];
    const node: Node = {
      runnable: [...runnable], midOp: [...midOp], last: parent?.chosen ?? -1,
      preemptions: parent === undefined ? 0 : parent.preemptions + cost(parent, parent.chosen),
      chosen: -1, step: null, clock: null, backtrack: new Set(), done: new Set(), sleep: new Map(), cutsAtChoice: this.out.boundCut, entry: null,
    };
    if (parent !== undefined && this.o.dpor) {
      for (const [q, s] of parent.sleep) if (q !== parent.chosen && !conflict(s, parent.step!)) node.sleep.set(q, s);
    }
    // between operations: a state explored before with as many preemptions left has nothing new below it
    // (and no thread that slept there is awake here: the sleepers were not explored from it)
    if (this.o.cache && k > 0 && !midOp.includes(true)) {
      const key = state();
      const left = this.o.preemptions - node.preemptions;
      const seen = this.cache.get(key);
      if (seen !== undefined && seen.left >= left && seen.sleep.every((t) => node.sleep.has(t))) {
        this.out.cacheHits++;
        this.hit = seen;
        return -1;
      }
      node.entry = { left, sleep: [...node.sleep.keys()], summary: new Map() };
      this.cache.set(key, node.entry);
    }
    const p = firstAwake(node);
    if (p < 0) {
      this.blocked = true;
      return -1;
    }
    if (node.preemptions + cost(node, p) > this.o.preemptions) {
      this.out.boundCut++;
      return -1;
    }
    if (!this.o.dpor) for (let t = 0; t < runnable.length; t++) if (runnable[t]) node.backtrack.add(t);
    node.chosen = p;
    node.backtrack.add(p);
    node.done.add(p);
    this.nodes.push(node);
    return p;
  }

  stepped(thread: number, request: number, did: number): void {
    this.nodes[this.depth++]!.step = footprint(thread, request, did);
  }

  // The epilogue is a function of the state the program ends in: run once per state that passed it.
  ended(end: () => string): boolean {
    this.final = end();
    this.out.finalStates.add(this.final);
    return !(this.o.cache && this.passed.has(this.final));
  }

  /** Every state between operations on the path gets the footprints of the steps run below it, and of those below the state that ended the run. */
  private summarize(fresh: number): void {
    for (let q = 0; q < this.depth; q++) {
      const e = this.nodes[q]!.entry;
      if (e === null) continue;
      for (let j = Math.max(q, fresh); j < this.depth; j++) e.summary.set(stepKey(this.nodes[j]!.step!), this.nodes[j]!.step!);
      if (this.hit !== null) for (const [key, s] of this.hit.summary) e.summary.set(key, s);
    }
  }

  /**
   * With DPOR, the steps below the state that ended the run race with the steps run here
   * as if they had run after them (Yang et al., SPIN 2008: stateful DPOR): each asks for
   * its thread at the last conflicting step of another thread not known to happen before
   * its thread's last step here (`latest`: per thread, the clock of its last step).
   */
  private raceSummary(latest: readonly (Int32Array | null)[]): void {
    const threads = this.nodes[0]?.runnable.length ?? 0;
    for (const s of this.hit!.summary.values()) {
      const before = latest[s.thread] ?? new Int32Array(threads);
      for (let i = this.depth - 1; i >= 0; i--) {
        const si = this.nodes[i]!.step!;
        if (si.thread === s.thread || before[si.thread]! > i || !conflict(si, s)) continue;
        this.reverse(i, s.thread);
        break;
      }
    }
  }

  // Race detection over the execution just run, with vector clocks of happens-before; per thread, the clock of its last step.
  private addRaces(fresh: number): (Int32Array | null)[] {
    const n = this.depth;
    const threads = this.nodes[0]?.runnable.length ?? 0;
    const latest: (Int32Array | null)[] = new Array(threads).fill(null);
    for (let j = 0; j < n; j++) {
      const node = this.nodes[j]!;
      const sj = node.step!;
      const p = sj.thread;
      if (j < fresh && node.clock !== null) {
        latest[p] = node.clock;
        continue;
      }
      const before = latest[p] ?? new Int32Array(threads);
      const clock = Int32Array.from(before);
      // from the latest earlier step down; a step already known to happen before needs no look
      // (until the first race the clock is p's own, so the first conflicting step not known
      // to happen before is the last race: FG DPOR reverses it; later ones only join clocks)
      let raced = false;
      let covered = coveredBelow(clock, p);
      for (let i = j - 1; i >= covered; i--) {
        const si = this.nodes[i]!.step!;
        if (si.thread === p || clock[si.thread]! > i || !conflict(si, sj)) continue;
        if (!raced) {
          raced = true;
          this.reverse(i, p);
        }
        const ci = this.nodes[i]!.clock!;
        for (let t = 0; t < threads; t++) if (ci[t]! > clock[t]!) clock[t] = ci[t]!;
        covered = coveredBelow(clock, p);
      }
      clock[p] = j + 1;
      node.clock = clock;
      latest[p] = clock;
    }
    return latest;
  }

  /** Asks for thread `p` at node `i` (every runnable thread when `p` cannot run there). */
  private reverse(i: number, p: number): void {
    const node = this.nodes[i]!;
    if (node.runnable[p] === true) node.backtrack.add(p);
    else for (let t = 0; t < node.runnable.length; t++) if (node.runnable[t]) node.backtrack.add(t);
    if (!Number.isFinite(this.o.preemptions) || node.runnable[p] !== true || cost(node, p) === 0) return;
    // the preempting switch may be over the bound: ask for it where it is cheaper too
    const c = node.last;
    let start = i;
    while (start > 0 && this.nodes[start - 1]!.chosen === c) {
      start--;
      if (this.nodes[start]!.midOp[c] !== true && this.nodes[start]!.runnable[p] === true) this.nodes[start]!.backtrack.add(p);
      if (!this.nodes[start]!.midOp[c]) break;
    }
    if (this.nodes[start]!.runnable[p] === true) this.nodes[start]!.backtrack.add(p);
  }

  private keep(outcome: Outcome): void {
    const picks = this.nodes.slice(0, this.depth).map((n) => n.chosen);
    const last = this.nodes[this.depth - 1];
    const preemptions = last === undefined ? 0 : last.preemptions + cost(last, last.chosen);
    const f = this.out.found;
    if (f !== null && (f.preemptions < preemptions || (f.preemptions === preemptions && f.steps <= outcome.steps))) return;
    // drop the trailing picks the default rule makes anyway
    let keep = 0;
    for (let k = 0; k < picks.length; k++) if (picks[k] !== nextByDefault(this.nodes[k]!.last, this.nodes[k]!.runnable)) keep = k + 1;
    this.out.found = { case: { ...this.c, schedule: { kind: 'choices', picks: picks.slice(0, keep) } }, preemptions, steps: outcome.steps, outcome };
  }

  /** Moves to the next execution: the deepest state with a choice left; false when none is left. */
  private backtrack(): boolean {
    this.nodes.length = Math.min(this.nodes.length, this.depth);
    for (let k = this.nodes.length - 1; k >= 0; k--) {
      const node = this.nodes[k]!;
      if (this.o.dpor && node.step !== null && this.out.boundCut === node.cutsAtChoice) node.sleep.set(node.chosen, node.step);
      for (const p of node.backtrack) {
        if (node.done.has(p)) continue;
        node.done.add(p); // a sleeper sleeps here for good: done either way
        if (node.sleep.has(p)) {
          this.out.asleep++;
          continue;
        }
        if (node.preemptions + cost(node, p) > this.o.preemptions) {
          this.out.boundCut++;
          continue;
        }
        node.chosen = p;
        node.step = null;
        node.clock = null;
        node.cutsAtChoice = this.out.boundCut;
        this.nodes.length = k + 1;
        this.replay = k + 1;
        return true;
      }
      this.nodes.length = k;
    }
    return false;
  }
}
