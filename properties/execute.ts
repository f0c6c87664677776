// The step executor (docs/architecture.md §3): one generator per virtual thread, resumed one
// atomic step at a time in the order the scheduler picks; a thread waiting on a held
// lock is not runnable, and no runnable thread while some are unfinished is a deadlock.
// Checks: every lifecycle event (observer.ts), every allocation against the abstract
// heap, the safety catalogue and the abstract heap at every quiescent point (no thread
// mid-operation), and after the program a deterministic quiescence — every live block
// freed, every thread drained and exited, the clock past the TTL, a trim — the liveness
// rules. The first violation ends the run.
import { drainOp, exitOp, freeOp, mallocOp, tickOp } from '../impl/allocator.js';
import { audit, type Snapshot } from '../impl/audit.js';
import { ConfigError } from '../impl/config.js';
import { reuseHeap, type Heap } from '../impl/heap.js';
import { LEGACY_HEADER } from '../impl/legacy.js';
import { OomKilled } from '../impl/os/pages.js';
import { accessKind, blocked, lockWord, step, type AccessKind, type Op as Step } from '../impl/steps.js';
import { trim } from '../impl/superslab/trim.js';
import { attachThread, NoThreadSlot, type Thread } from '../impl/thread/thread.js';
import { AbstractHeap } from '../model/abstract.js';
import { judgeAllocResult, judgeRejectedFree } from '../model/contract.js';
import { errorName } from '../impl/errors.js';
import { firstViolation, type Violation } from '../model/rules/catalogue.js';
import { Decisions, type OpState } from './decisions.js';
import { misuseTarget, type MisuseTarget } from './misuse.js';
import { Observer } from './observer.js';
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
}

class VThread {
  pc = 0;
  gen: Step<number> | null = null;
  op: Op | null = null;
  done: boolean;
  exited = false;
  /** The block a running free targets. */
  freeing = 0;
  /** A running misuse: its address and expected code; the heap's bytes before it, whether its first step changed them. */
  misuse: MisuseTarget | null = null;
  heapBefore: Uint8Array | null = null;
  heapChanged = false;
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

  constructor(readonly index: number, readonly t: Thread, readonly ops: readonly Op[], decisions: Decisions) {
    this.done = ops.length === 0;
    this.dec = decisions.newOp();
  }
}

export function execute(c: Case, options: ExecuteOptions = {}): Outcome {
  return new Run(c, options).run();
}

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

  constructor(private readonly c: Case, private readonly options: ExecuteOptions) {
    this.heap = lastHeap = reuseHeap(lastHeap, c.config);
    this.tracing = options.trace === true;
    this.decisions = new Decisions(this.heap, this.model);
    this.observer = new Observer(this.heap, this.tracing, this.decisions.lru, this.decisions.floor);
    const n = Math.max(1, c.program.threads.length);
    this.threads = Array.from({ length: n }, (_, i) => new VThread(i, attachThread(this.heap, this.observer), c.program.threads[i] ?? [], this.decisions));
    this.out = {
      violation: null, phase: 'program', steps: 0, switches: 0, covered: this.observer.covered, trace: [], before: null, after: null, frames: [], tids: [], quiescenceFrom: -1,
    };
  }

  run(): Outcome {
    try {
      const sched = makeScheduler(this.c.schedule, this.threads.length, this.c.atomicOps === true, {
        ops: (i) => this.threads[i]!.pc,
        writes: (i) => this.threads[i]!.opWrites,
        reads: (i) => this.threads[i]!.opReads,
        midOp: (i) => this.threads[i]!.gen !== null,
        beforeWrite: (i) => this.threads[i]!.beforeWrite,
        beforeRead: (i) => this.threads[i]!.beforeRead,
        totalWrites: () => this.writes,
      });
      if (this.loop((runnable) => sched.pick(runnable)) && this.quiesce()) {
        this.fail(firstViolation(audit(this.heap), (inv) => inv.kind === 'liveness'));
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
      if (this.out.steps >= max) {
        this.fail({ id: 'LIVELOCK', what: `no end after ${max} steps`, where: 'scheduler', expected: 'termination', actual: `${max} steps` });
        return false;
      }
      const i = pick(runnable);
      if (this.last >= 0 && i !== this.last) {
        this.out.switches++;
        this.trace(i, 'switch', `switch to T${i}`);
      }
      this.last = i;
      this.out.steps++;
      for (const other of this.threads) if (other.index !== i && other.gen !== null) other.dec.interleaved = true;
      const vt = this.threads[i]!;
      const access = vt.gen === null ? 'local' : vt.announced;
      // a step that ran no allocator code (a free with nothing to free) leaves a checked state as it was
      if (this.stepThread(vt)) this.checked = false;
      this.drainLog();
      if (this.tracing) this.frame(vt, access);
      if (this.stopped()) return false;
      if (!this.checked && this.threads.every((vt) => vt.gen === null)) {
        this.checked = true;
        const s = this.snapshot();
        this.fail(firstViolation(s) ?? this.model.compare(s) ?? this.decisions.lru.compare(s));
        if (this.stopped()) return false;
        if (this.tracing) this.out.before = s;
      }
    }
  }

  /** Runs `vt`'s next step; false when it ran no allocator code. */
  private stepThread(vt: VThread): boolean {
    if (vt.gen === null) {
      const op = vt.ops[vt.pc]!;
      vt.op = op;
      vt.gen = this.begin(vt, op);
      this.decisions.begin(vt.t, op, vt.dec, vt.freeing);
      const target = vt.freeing !== 0 ? ` -> ${this.blockName(vt.freeing)}` : vt.misuse !== null ? ` -> 0x${vt.misuse.address.toString(16)}` : '';
      this.trace(vt.index, 'start', opText(op, this.threads.length) + target);
      if (vt.gen === null) {
        this.finishOp(vt, 0);
        return false;
      }
    }
    const first = vt.pc !== vt.startedAt;
    vt.startedAt = vt.pc;
    const r = step(vt.t, vt.gen, vt.pending);
    // A free takes effect at its first step (the pointer check and the cache push or the
    // live bit cleared); what follows — a drain, a remote push — is the allocator's.
    if (first && vt.freeing !== 0) this.model.onFree(vt.freeing);
    // A rejected free is its pointer check alone: that first step must change no byte.
    if (first && vt.heapBefore !== null) {
      vt.heapChanged = Buffer.compare(vt.heapBefore, new Uint8Array(this.heap.sab)) !== 0;
      vt.heapBefore = null;
    }
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
      this.finishOp(vt, r.value);
    } else {
      vt.pending = r.value;
    }
    return true;
  }

  // The generator an operation runs as; null for a free with nothing to free (a no-op).
  private begin(vt: VThread, op: Op): Step<number> | null {
    const t = vt.t;
    switch (op.op) {
      case 'alloc':
        return mallocOp(t, op.size);
      case 'free': {
        const live = this.model.liveOf(op.from % this.threads.length);
        if (live.length === 0) return null;
        vt.freeing = live[op.pick % live.length]!.address;
        return freeOp(t, vt.freeing);
      }
      case 'drain':
        return asNumber(drainOp(t));
      case 'trim':
        return asNumber(trim(t));
      case 'tick':
        return asNumber(tickOp(t, op.ms));
      case 'exit':
        return asNumber(exitOp(t));
      case 'misuse': {
        vt.misuse = misuseTarget(op, this.model, this.heap, this.threads.length);
        if (vt.misuse === null) return null;
        vt.heapBefore = new Uint8Array(this.heap.sab).slice();
        return freeOp(t, vt.misuse.address);
      }
    }
  }

  private finishOp(vt: VThread, result: number): void {
    const op = vt.op!;
    vt.gen = null;
    vt.op = null;
    vt.opWrites = 0;
    vt.opReads = 0;
    vt.pc++;
    vt.exited = op.op === 'exit';
    vt.done = vt.exited || vt.pc >= vt.ops.length;
    this.fail(this.decisions.end(vt.t, op, vt.dec, this.out.phase === 'program'));
    if (op.op === 'alloc') {
      this.fail(judgeAllocResult(`T${vt.index} alloc(${op.size})`, op.size, result));
      if (result > 0) {
        const legacy = (result - LEGACY_HEADER) % this.heap.cfg.pageBytes === 0;
        this.fail(this.model.onAlloc(vt.index, op.size, result, legacy, this.snapshot()));
        this.trace(vt.index, 'end', `= ${this.blockName(result)}${legacy ? ' (legacy)' : ''}`);
      } else {
        this.trace(vt.index, 'end', `failed (${result})`);
      }
    } else if (op.op === 'misuse' && vt.misuse !== null) {
      const where = `T${vt.index} ${opText(op, this.threads.length)} at 0x${vt.misuse.address.toString(16)}`;
      this.fail(judgeRejectedFree(where, vt.misuse.expected, result, vt.heapChanged, errorName));
      this.trace(vt.index, 'end', `= ${errorName(result)}`);
      vt.misuse = null;
      vt.heapChanged = false;
    } else if (op.op === 'free' && vt.freeing !== 0) {
      if (result !== 0) {
        this.fail({ id: 'FREE-REJECTED', what: `free of a live block returned ${result}`, where: this.blockName(vt.freeing), expected: '0', actual: String(result) });
      }
      vt.freeing = 0;
      this.trace(vt.index, 'end', 'done');
    } else {
      this.trace(vt.index, 'end', 'done');
    }
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
      this.threads[i] = new VThread(i, vt.t, vt.exited ? [] : [...frees, { op: 'drain' }, { op: 'exit' }], this.decisions);
    });
    // the janitor's frees adopt orphaned slabs (their blocks go to its cache): drain them;
    // trim first (SuperSlabs go to the LRU or the reserve), then age the LRU past its TTL
    janitor.push({ op: 'drain' }, { op: 'trim' }, { op: 'tick', ms: cfg.lruTtlMs + Math.max(cfg.idleTrimMs, 1) }, { op: 'trim' }, { op: 'exit' });
    this.threads.push(new VThread(this.threads.length, attachThread(this.heap, this.observer), janitor, this.decisions));
    this.last = -1;
    return this.loop((runnable) => runnable.indexOf(true));
  }

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

// drain/trim/tick/exit return nothing; the executor treats every operation as Step<number>.
function* asNumber(op: Step<void>): Step<number> {
  yield* op;
  return 0;
}
