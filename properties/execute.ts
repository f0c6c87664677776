// The step executor (docs/architecture.md §3): one generator per virtual thread, resumed one
// atomic step at a time in the order the scheduler picks; a thread waiting on a held
// lock is not runnable, and no runnable thread while some are unfinished is a deadlock.
// Checks: every lifecycle event (observer.ts), every allocation against the abstract
// heap, the safety catalogue and the abstract heap at every quiescent point (no thread
// mid-operation), and after the program a deterministic quiescence — every live block
// freed, every thread drained and exited, the clock past the TTL, a trim — the liveness
// rules. The first violation ends the run.
import { audit, type Snapshot } from '../model/audit.js';
import { ConfigError } from '../impl/config.js';
import { createHash } from 'node:crypto';
import { reuseHeap, stateBytes, type Heap } from '../impl/heap.js';
import { OomKilled } from '../impl/os/pages.js';
import { accessKind, blocked, K, lockWord, reqKind, step, type AccessKind } from '../impl/steps.js';
import { attachThread, NoThreadSlot, type Thread } from '../impl/thread/thread.js';
import { AbstractHeap } from '../model/abstract.js';
import { firstViolation, type Violation } from '../model/rules/catalogue.js';
import { Decisions, type OpState } from './decisions.js';
import { Observer } from './observer.js';
import { opPlugin, type RunContext, type Running } from './ops/registry.js';
import { opText, type Case, type Op } from './program.js';
import { makeScheduler } from './schedulers/registry.js';

export interface TraceEntry {
  step: number;
  thread: number;
  kind: 'start' | 'end' | 'event' | 'switch';
  text: string;
}

export interface Outcome {
  violation: Violation | null;
  /** 'program', or 'quiescence' when the violation came in the epilogue. */
  phase: 'program' | 'quiescence';
  steps: number;
  /** Context switches the run made (a different thread than the step before). */
  switches: number;
  /** Of those, preemptions: away from a thread inside an operation that could go on (as prove counts them). */
  preemptions: number;
  covered: Set<string>;
  trace: TraceEntry[];
  /** Snapshots at the last clean quiescent point and at the violation (when tracing). */
  before: Snapshot | null;
  after: Snapshot | null;
  /** When tracing: the heap before the first step (frame 0) and after each step (frame k), the last at the violation. */
  frames: Frame[];
  /** Allocator thread id of each virtual thread, the epilogue's janitor last (when tracing). */
  tids: number[];
  /** The step count when the epilogue (quiescence) began; -1 when the program did not finish. */
  quiescenceFrom: number;
  /** A probe gave up on the run (no verdict: the run stopped where the probe said). */
  abandoned: boolean;
}

/** The shared access a step performed: the request its thread's previous yield announced (impl/steps.ts). */
export type Access = 'local' | AccessKind;

export interface Frame {
  step: number;
  /** The virtual thread that ran the step (-1 for frame 0). */
  thread: number;
  access: Access;
  /** Lifecycle machine edges the step took (model/lifecycle.ts edgeKey). */
  edges: string[];
  heap: Snapshot;
}

export interface ExecuteOptions {
  /** Keep a trace and snapshots for a report. */
  trace?: boolean;
  /** Stop a runaway schedule (a livelock is a finding too). */
  maxSteps?: number;
  /** An explorer (properties/prove/) that picks every step of the program in place of the case's schedule. */
  probe?: Probe;
  /**
   * The run replays, up to the end of this many operations, a run that was judged clean
   * (the serial search's sequences extend one that passed): the checks at the states
   * between those operations are not made again. The checker still follows every step.
   */
  judgedOps?: number;
}

/**
 * What a step did besides the shared access it performed (impl/steps.ts request), for an
 * explorer's footprints: it started an operation (the op's first step and the decision
 * oracles read the heap unannounced, a free takes its block from the abstract heap), ended
 * one (the checker judges it on the heap and updates its abstract heap), reported a
 * lifecycle event (the observer reads the heap and updates its machines), or entered the
 * simulated kernel (which maps and zeroes pages).
 */
export const DID = { START: 1, END: 2, EVENT: 4, KERNEL: 8 } as const;

/** What an explorer sees of a run. */
export interface Probe {
  /**
   * The virtual thread to step (runnable), or -1 to abandon the run; `midOp[t]`: thread t is
   * inside an operation; `state()`, when no thread is: the run's whole state as text (the end
   * digest of ended(), each thread's place in its program, the blocks freed), equal for two
   * runs exactly when what follows is the same.
   */
  pick(runnable: readonly boolean[], midOp: readonly boolean[], state: () => string): number;
  /** After each program step: its thread, the request it performed (-1: none) and what else it did (DID bits). */
  stepped(thread: number, request: number, did: number): void;
  /**
   * After the program's last step; false skips the epilogue (its verdict is known). `end()`:
   * a digest of what the epilogue depends on (heap, which threads exited, live blocks,
   * oracles, machines); `freed()`: the blocks freed so far, as text (all else a misuse needs).
   */
  ended(end: () => string, freed: () => string): boolean;
}

class VThread {
  pc = 0;
  /** The operation under way (its plugin's Running), null between operations. */
  running: Running | null = null;
  op: Op | null = null;
  done: boolean;
  exited = false;
  /** What the decision oracles need of the running operation (decisions.ts). */
  readonly dec: OpState;
  /** pc of the operation whose first step has run. */
  startedAt = -1;
  /** The request its last yield announced: the access its next step performs (-1: none, between operations). */
  pending = -1;
  /** Writes (rmw included) and reads announced in the current operation; whether the pending request is one. */
  opWrites = 0;
  beforeWrite = false;
  opReads = 0;
  beforeRead = false;
  /** The pending request's kind. */
  announced: Access = 'local';

  constructor(readonly index: number, readonly t: Thread, readonly ops: readonly Op[], decisions: Decisions, readonly ctx: RunContext) {
    this.done = ops.length === 0;
    this.dec = decisions.newOp();
  }
}

/**
 * What a virtual thread's operations see of the run. `threads` counts the run's virtual
 * threads as they are when asked (the epilogue's janitor joins last). A class, not an
 * object literal with a getter: V8 gives each such literal a hidden class of its own,
 * made in the old generation and pointing at the run through the getter, so every run
 * survived the young-generation collections and was copied to the old one (the checker
 * spent a tenth of its time collecting).
 */
class ThreadContext implements RunContext {
  constructor(
    readonly heap: Heap, readonly model: AbstractHeap, private readonly all: readonly VThread[], readonly index: number, readonly t: Thread,
    readonly blockName: (address: number) => string, readonly snapshot: () => Snapshot,
  ) {}

  get threads(): number {
    return this.all.length;
  }
}

export function execute(c: Case, options: ExecuteOptions = {}): Outcome {
  return new Run(c, options).run();
}

const FIRST_RUNNABLE = (runnable: boolean[]): number => runnable.indexOf(true);

// One buffer per checker process or worker: each run resets the previous run's (runs
// never overlap: a run's heap is not used after it returns).
let lastHeap: Heap | null = null;

class Run {
  private readonly heap: Heap;
  private readonly observer: Observer;
  private readonly decisions: Decisions;
  private readonly model = new AbstractHeap();
  private readonly threads: VThread[];
  private readonly tracing: boolean;
  private readonly out: Outcome;
  private last = -1;
  private logged = 0;
  private writes = 0;
  /** The heap has not changed since the last quiescent check (which found it clean). */
  private checked = false;
  private cached: { steps: number; snap: Snapshot } | null = null;
  private readonly failWith = (v: Violation | null): void => this.fail(v);

  constructor(private readonly c: Case, private readonly options: ExecuteOptions) {
    this.heap = lastHeap = reuseHeap(lastHeap, c.config);
    this.tracing = options.trace === true;
    this.decisions = new Decisions(this.heap, this.model);
    this.observer = new Observer(this.heap, this.tracing, this.decisions.lru, this.decisions.floor);
    const n = Math.max(1, c.program.threads.length);
    this.threads = [];
    for (let i = 0; i < n; i++) this.threads.push(this.vthread(i, attachThread(this.heap, this.observer), c.program.threads[i] ?? []));
    this.out = {
      violation: null, phase: 'program', steps: 0, switches: 0, preemptions: 0, covered: this.observer.covered, trace: [], before: null, after: null, frames: [], tids: [], quiescenceFrom: -1,
      abandoned: false,
    };
  }

  run(): Outcome {
    try {
      const sched = makeScheduler(this.c.schedule, this.threads.length, this.c.atomicOps === true, {
        ops: (i) => this.threads[i]!.pc,
        writes: (i) => this.threads[i]!.opWrites,
        reads: (i) => this.threads[i]!.opReads,
        midOp: (i) => this.threads[i]!.running !== null,
        beforeWrite: (i) => this.threads[i]!.beforeWrite,
        beforeRead: (i) => this.threads[i]!.beforeRead,
        totalWrites: () => this.writes,
      });
      const probe = this.options.probe;
      const midOp = this.threads.map(() => false);
      const pick = probe === undefined ? (runnable: boolean[]) => sched.pick(runnable) : (runnable: boolean[]) => {
        for (let i = 0; i < midOp.length; i++) midOp[i] = this.threads[i]!.running !== null;
        return probe.pick(runnable, midOp, this.stateKey);
      };
      if (this.loop(pick)) {
        if (probe?.ended(this.endKey, this.freedKey) !== false && this.quiesce()) this.fail(firstViolation(audit(this.heap), (inv) => inv.kind === 'liveness'));
      }
    } catch (err) {
      // the simulated machine's limits are the case's, not the allocator's: no verdict
      if (err instanceof OomKilled) {
        throw new ConfigError('sim.phys_mib', `the case touches more memory than ${this.heap.cfg.knobs['sim.phys_mib']} MiB (OOM kill at step ${this.out.steps}); this is a limit of the configuration, not an allocator fault`);
      }
      if (err instanceof NoThreadSlot) throw new ConfigError('sim.max_threads', err.message);
      const vt = this.threads[this.last];
      if (this.tracing && vt !== undefined && this.out.frames.length <= this.out.steps) this.frame(vt, vt.announced);
      this.fail({
        id: 'CRASH',
        what: `the allocator threw: ${(err as Error).message}`,
        where: `thread T${this.last}`,
        expected: 'no exception',
        actual: (err as Error).name,
      });
    }
    if (this.tracing) this.out.tids = this.threads.map((vt) => vt.t.tid);
    return this.out;
  }

  /** Runs until every thread is done; false when a violation stopped it. */
  private loop(pick: (runnable: boolean[]) => number): boolean {
    if (this.tracing) {
      this.out.before = audit(this.heap);
      if (this.out.frames.length === 0) this.out.frames.push({ step: 0, thread: -1, access: 'local', edges: [], heap: this.out.before });
    }
    const max = this.options.maxSteps ?? 100_000;
    const runnable = new Array<boolean>(this.threads.length);
    for (;;) {
      let any = false;
      for (let i = 0; i < runnable.length; i++) {
        const vt = this.threads[i]!;
        any = (runnable[i] = !vt.done && (vt.pending < 0 || !blocked(this.heap, vt.pending))) || any;
      }
      if (!any) {
        if (this.threads.every((vt) => vt.done)) return true;
        const stuck = this.threads.filter((vt) => !vt.done).map((vt) => `T${vt.index} waits on word ${lockWord(vt.pending)}`);
        this.fail({ id: 'DEADLOCK', what: 'no thread can run but some have not finished', where: stuck.join(', '), expected: 'progress', actual: 'all blocked' });
        return false;
      }
      if (this.outOfSteps(max)) return false;
      const i = pick(runnable);
      if (i < 0) {
        this.out.abandoned = true;
        return false;
      }
      if (this.last >= 0 && i !== this.last) {
        this.out.switches++;
        if (runnable[this.last] === true && this.threads[this.last]!.running !== null) this.out.preemptions++;
        if (this.tracing) this.trace(i, 'switch', `switch to T${i}`);
      }
      this.last = i;
      this.out.steps++;
      for (const other of this.threads) if (other.index !== i && other.running !== null) other.dec.interleaved = true;
      const vt = this.threads[i]!;
      const access = vt.running === null ? 'local' : vt.announced;
      const probe = this.out.phase === 'program' ? this.options.probe : undefined;
      const request = vt.running === null ? -1 : vt.pending;
      const events = this.observer.events;
      // a step that ran no allocator code (a free with nothing to free) leaves a checked state as it was
      if (this.stepThread(vt)) this.checked = false;
      if (probe !== undefined) {
        const did = (request < 0 ? DID.START : 0) | (vt.running === null ? DID.END : 0) | (this.observer.events !== events ? DID.EVENT : 0)
          | (request >= 0 && reqKind(request) === K.KERNEL ? DID.KERNEL : 0);
        probe.stepped(i, request, did);
      }
      this.drainLog();
      if (this.tracing) this.frame(vt, access);
      if (this.stopped()) return false;
      if (!this.checked && this.quiet() && !this.judgeQuiescent()) return false;
    }
  }

  /**
   * The epilogue when not tracing: loop() with its first-runnable pick runs the threads in
   * order, each to its end (none is inside an operation when it starts, so none waits on
   * another), and so does this, without a schedule's bookkeeping at every step. A thread
   * that would wait on a lock (one a faulty allocator left held) hands the rest to loop(),
   * which goes on from the same state.
   */
  private inOrder(): boolean {
    const max = this.options.maxSteps ?? 100_000;
    for (const vt of this.threads) {
      while (!vt.done) {
        if (vt.pending >= 0 && blocked(this.heap, vt.pending)) return this.loop(FIRST_RUNNABLE);
        if (this.outOfSteps(max)) return false;
        if (this.last >= 0 && vt.index !== this.last) this.out.switches++; // the thread before is done: no preemption
        this.last = vt.index;
        this.out.steps++;
        if (this.stepThread(vt)) this.checked = false;
        if (this.stopped()) return false;
        // the threads before it are done, those after it not started: quiescent between its operations
        if (!this.checked && vt.running === null && !this.judgeQuiescent()) return false;
      }
    }
    return true;
  }

  /** LIVELOCK once the run has taken `max` steps. */
  private outOfSteps(max: number): boolean {
    if (this.out.steps < max) return false;
    this.fail({ id: 'LIVELOCK', what: `no end after ${max} steps`, where: 'scheduler', expected: 'termination', actual: `${max} steps` });
    return true;
  }

  /**
   * At a quiescent point after a step that changed the heap: the safety catalogue, the
   * abstract heap and the LRU on one decoded snapshot. False when a violation stopped the run.
   */
  private judgeQuiescent(): boolean {
    this.checked = true;
    if (this.options.judgedOps !== undefined && this.threads.reduce((n, vt) => n + vt.pc, 0) <= this.options.judgedOps) return true;
    const s = this.snapshot();
    this.fail(firstViolation(s) ?? this.model.compare(s) ?? this.decisions.lru.compare(s));
    if (this.stopped()) return false;
    if (this.tracing) this.out.before = s;
    return true;
  }

  /** No thread is inside an operation (a quiescent point). */
  private quiet(): boolean {
    for (const vt of this.threads) if (vt.running !== null) return false;
    return true;
  }

  /** Runs `vt`'s next step; false when it ran no allocator code. */
  private stepThread(vt: VThread): boolean {
    if (vt.running === null) {
      const op = vt.ops[vt.pc]!;
      vt.op = op;
      const running = opPlugin(op).start(op, vt.ctx);
      this.decisions.begin(vt.t, op, vt.dec, running?.freeing ?? 0);
      if (this.tracing) this.trace(vt.index, 'start', opText(op, this.threads.length) + (running?.target() ?? ''));
      // an operation with nothing to do (a free of a thread that holds no block) ends at once
      if (running === null) {
        this.finishOp(vt, 0);
        return false;
      }
      vt.running = running;
    }
    const running = vt.running;
    const first = vt.pc !== vt.startedAt;
    vt.startedAt = vt.pc;
    const r = step(vt.t, running.gen, vt.pending);
    if (first) running.firstStep();
    vt.announced = r.done === true ? 'local' : accessKind(r.value);
    vt.beforeWrite = vt.announced === 'write' || vt.announced === 'rmw';
    vt.beforeRead = vt.announced === 'read';
    if (vt.beforeWrite) {
      vt.opWrites++;
      this.writes++;
    } else if (vt.beforeRead) {
      vt.opReads++;
    }
    if (r.done === true) {
      vt.pending = -1;
      this.finishOp(vt, r.value ?? 0);
    } else {
      vt.pending = r.value;
    }
    return true;
  }

  private finishOp(vt: VThread, result: number): void {
    const op = vt.op!;
    const running = vt.running;
    vt.running = null;
    vt.op = null;
    vt.opWrites = 0;
    vt.opReads = 0;
    vt.pc++;
    vt.exited = opPlugin(op).endsThread;
    vt.done = vt.exited || vt.pc >= vt.ops.length;
    this.fail(this.decisions.end(vt.t, op, vt.dec, this.out.phase === 'program'));
    running?.end(result, this.failWith);
    if (this.tracing) this.trace(vt.index, 'end', running === null ? 'done' : running.text(result));
  }

  /**
   * The epilogue: each thread frees what it still holds, drains and exits; a janitor
   * frees the blocks of threads that exited, drains, trims, moves the clock past the TTL and
   * trims again.
   * Run sequentially with the same checks. False when a violation stopped it.
   */
  private quiesce(): boolean {
    this.out.phase = 'quiescence';
    this.out.quiescenceFrom = this.out.steps;
    const cfg = this.heap.cfg;
    const janitor: Op[] = [];
    this.threads.forEach((vt, i) => {
      const frees: Op[] = this.model.liveOf(i).map(() => ({ op: 'free', from: i, pick: 0 }));
      if (vt.exited) janitor.push(...frees);
      this.threads[i] = this.vthread(i, vt.t, vt.exited ? [] : [...frees, { op: 'drain' }, { op: 'exit' }], vt.ctx);
    });
    // the janitor's frees adopt orphaned slabs (their blocks go to its cache): drain them;
    // trim first (SuperSlabs go to the LRU or the reserve), then age the LRU past its TTL
    janitor.push({ op: 'drain' }, { op: 'trim' }, { op: 'tick', ms: cfg.lruTtlMs + Math.max(cfg.idleTrimMs, 1) }, { op: 'trim' }, { op: 'exit' });
    this.threads.push(this.vthread(this.threads.length, attachThread(this.heap, this.observer), janitor));
    this.last = -1;
    return this.tracing ? this.loop(FIRST_RUNNABLE) : this.inOrder();
  }

  // A virtual thread with what its operations need of this run (ops/registry.ts RunContext):
  // a thread of the program keeps its context into the epilogue.
  private vthread(
    index: number, t: Thread, ops: readonly Op[], ctx: RunContext = new ThreadContext(this.heap, this.model, this.threads, index, t, this.nameOf, this.snapshotNow),
  ): VThread {
    return new VThread(index, t, ops, this.decisions, ctx);
  }

  private readonly nameOf = (address: number): string => this.blockName(address);
  private readonly snapshotNow = (): Snapshot => this.snapshot();

  // What the epilogue depends on: not the threads' places, nor the blocks freed (no misuse follows).
  private readonly endKey = (): string => {
    const h = createHash('sha1');
    for (const bytes of stateBytes(this.heap)) h.update(bytes);
    h.update(JSON.stringify(this.threads.map((vt) => [vt.exited, [...vt.t.owned].sort((a, b) => a - b)])));
    h.update(this.model.stateKey()).update(this.decisions.stateKey()).update(this.observer.stateKey());
    return h.digest('base64');
  };

  private readonly freedKey = (): string => this.model.freedKey();

  private readonly stateKey = (): string => `${this.endKey()}${JSON.stringify(this.threads.map((vt) => [vt.pc, vt.done]))}${this.freedKey()}`;

  // The heap decoded once per step, whoever asks (counters are not needed here).
  private snapshot(): Snapshot {
    if (this.cached?.steps !== this.out.steps) this.cached = { steps: this.out.steps, snap: audit(this.heap, { counters: false }) };
    return this.cached.snap;
  }

  private fail(v: Violation | null): void {
    this.observer.fail(v);
    if (this.observer.violation !== null && this.out.violation === null) {
      this.out.violation = this.observer.violation;
      if (this.tracing) this.out.after = audit(this.heap);
    }
  }

  private stopped(): boolean {
    if (this.observer.violation !== null && this.out.violation === null) this.fail(this.observer.violation);
    return this.out.violation !== null;
  }

  // The heap after the step just run, with the machine edges it took (tracing only).
  private frame(vt: VThread, access: Access = 'local'): void {
    this.out.frames.push({ step: this.out.steps, thread: vt.index, access, edges: this.observer.edges.splice(0), heap: audit(this.heap, { counters: false }) });
  }

  private drainLog(): void {
    for (; this.logged < this.observer.log.length; this.logged++) {
      const e = this.observer.log[this.logged]!;
      const vt = this.threads.find((x) => x.t.tid === e.tid);
      this.trace(vt?.index ?? -1, 'event', e.text);
    }
  }

  private trace(thread: number, kind: TraceEntry['kind'], text: string): void {
    if (this.tracing) this.out.trace.push({ step: this.out.steps, thread, kind, text });
  }

  private blockName(address: number): string {
    const b = this.model.live.get(address);
    return `${b?.name ?? 'block'} @0x${address.toString(16)}`;
  }
}
