// Replays a malloc trace through the reference allocator, one event at a time in the
// trace's global order, on the calling thread (the interleaving is the trace's own):
// - each trace thread is an allocator thread, attached at its first event and exited
//   (drained, then exit) right after its last one (replay's first pass finds it);
// - a free by another thread than the allocating one is the allocator's business: a
//   remote free when the slab's owner is alive, an adopting free when it exited;
// - realloc = allocate the new block, then free the old one (tiny or large either way);
// - sizes above the tiny classes (MAX_TINY_SIZE), and aligned allocations asking for
//   more than 16-byte alignment (the model's blocks sit one header byte past a stride
//   boundary), take the pass-through large path: counted, not modelled;
// - the logical clock advances 1 ms every `eventsPerMs` events (idle trim, LRU TTL);
// - the safety audit runs every `auditEvery` events; the caller runs the final one.
// A bad event (a free of a pointer that is not live, a pointer handed out twice while
// live) is a TraceError naming its line, or, lenient, counted and skipped before it
// changes anything. ENOMEM, an allocator exception or a broken invariant stops the
// replay with a Failure.
import { drainOp, exitOp, free, malloc, run, tickOp } from '../impl/allocator/allocator.js';
import { audit, mappedBytes } from '../model/audit.js';
import { E, AllocatorError } from '../impl/errors.js';
import type { Heap } from '../impl/heap.js';
import { classOfSize, MAX_TINY_SIZE, NUM_CLASSES } from '../impl/sizeclass.js';
import { trim } from '../impl/superslab/trim.js';
import { attachThread, type Thread } from '../impl/thread/thread.js';
import { firstViolation, type Violation } from '../model/rules/catalogue.js';
import { TraceError, type TraceEvent } from './format.js';
import { LiveTable } from './live.js';

/** The largest alignment a tiny block honours. */
export const TINY_ALIGN = 16;

export interface ReplayOptions {
  /** Events per logical millisecond. */
  eventsPerMs: number;
  /** Safety audit every N events (0: only the final one). */
  auditEvery: number;
  lenient: boolean;
}

export const REPLAY_DEFAULTS: ReplayOptions = { eventsPerMs: 1000, auditEvery: 100_000, lenient: false };

export type Failure =
  | { kind: 'audit'; line: number; violation: Violation }
  | { kind: 'enomem'; line: number; tid: number }
  | { kind: 'crash'; line: number; tid: number; message: string };

/** What the model-independent side of a trace looks like, and how the tiny path served it. */
export interface TraceStats {
  events: number;
  ops: Record<'m' | 'c' | 'r' | 'a' | 'f', number>;
  threads: number;
  failedAllocs: number;
  skipped: number;
  firstSkipped: string | null;
  /** Blocks freed (by free, realloc's move or realloc(p, 0)), and those by another trace thread than the allocating one. */
  frees: number;
  crossThreadFrees: number;
  /** Allocations per tiny class, C0..C7, then the large path. */
  classHistogram: number[];
  largeAllocs: number;
  largeFrees: number;
  tinyOps: number;
  /** Model fragmentation: SuperSlab (and legacy) bytes mapped over the tiny bytes live. */
  peakLiveBytes: number;
  mappedAtPeakLive: number;
  finalLiveBytes: number;
  finalMappedBytes: number;
}

export class Replayer {
  readonly stats: TraceStats = {
    events: 0, ops: { m: 0, c: 0, r: 0, a: 0, f: 0 }, threads: 0, failedAllocs: 0, skipped: 0, firstSkipped: null,
    frees: 0, crossThreadFrees: 0, classHistogram: new Array<number>(NUM_CLASSES + 1).fill(0), largeAllocs: 0, largeFrees: 0, tinyOps: 0,
    peakLiveBytes: 0, mappedAtPeakLive: 0, finalLiveBytes: 0, finalMappedBytes: 0,
  };
  failure: Failure | null = null;
  /** Events per trace thread. */
  readonly perThread = new Map<number, number>();
  private readonly threads = new Map<number, Thread>();
  private readonly live = new LiveTable();
  private liveBytes = 0;
  private line = 0;

  constructor(private readonly heap: Heap, private readonly options: ReplayOptions, private readonly lastLine: ReadonlyMap<number, number>) {}

  /** Replays one event; false once the replay has stopped on a failure. */
  apply(ev: TraceEvent, line: number): boolean {
    if (this.failure !== null) return false;
    this.line = line;
    try {
      const t = this.thread(ev.tid);
      if (this.valid(ev)) this.perform(t, ev);
      this.stats.events++;
      this.perThread.set(ev.tid, (this.perThread.get(ev.tid) ?? 0) + 1);
      if (this.stats.events % this.options.eventsPerMs === 0) run(t, tickOp(t, 1));
      if (this.lastLine.get(ev.tid) === line) {
        run(t, drainOp(t));
        run(t, exitOp(t));
        this.threads.delete(ev.tid);
      }
    } catch (err) {
      if (err instanceof TraceError) throw err;
      this.failure = err instanceof OutOfMemory
        ? { kind: 'enomem', line, tid: ev.tid }
        : { kind: 'crash', line, tid: ev.tid, message: `${(err as Error).name}: ${(err as Error).message}` };
      return false;
    }
    if (this.options.auditEvery > 0 && this.stats.events % this.options.auditEvery === 0) {
      const violation = firstViolation(audit(this.heap, { counters: false }));
      if (violation !== null) this.failure = { kind: 'audit', line, violation };
    }
    return this.failure === null;
  }

  /**
   * After the last event: the blocks still live are freed by one teardown thread (as if
   * the program freed everything before it exited), which then drains and exits, and a
   * trim runs, as after a workload. The caller audits.
   */
  finish(): void {
    this.stats.finalLiveBytes = this.liveBytes;
    this.stats.finalMappedBytes = this.mapped();
    const janitor = attachThread(this.heap);
    for (const address of this.live.addresses()) {
      if (address !== 0) this.checked(free(janitor, address), address);
    }
    run(janitor, drainOp(janitor));
    run(janitor, exitOp(janitor));
    const trimmer = attachThread(this.heap);
    run(trimmer, trim(trimmer));
    run(trimmer, exitOp(trimmer));
  }

  private thread(tid: number): Thread {
    let t = this.threads.get(tid);
    if (t === undefined) {
      t = attachThread(this.heap);
      this.threads.set(tid, t);
      this.stats.threads++;
    }
    return t;
  }

  // Whether the event fits the live set; strict: a TraceError, lenient: counted.
  private valid(ev: TraceEvent): boolean {
    const problem = this.problem(ev);
    if (problem === null) return true;
    if (!this.options.lenient) throw new TraceError(this.line, problem);
    this.stats.skipped++;
    this.stats.firstSkipped ??= `line ${this.line}: ${problem}`;
    return false;
  }

  private problem(ev: TraceEvent): string | null {
    const hex = (p: number): string => p.toString(16);
    if (ev.op === 'f') return this.live.has(ev.ptr) ? null : `free of ${hex(ev.ptr)}, which is not live (never allocated, or freed already)`;
    if (ev.op === 'r' && ev.arg !== 0 && !this.live.has(ev.arg)) return `realloc of ${hex(ev.arg)}, which is not live`;
    if (ev.ptr !== 0 && this.live.has(ev.ptr) && !(ev.op === 'r' && ev.arg === ev.ptr)) {
      return `${hex(ev.ptr)} handed out while it is still live (allocated twice without a free)`;
    }
    return null;
  }

  private perform(t: Thread, ev: TraceEvent): void {
    this.stats.ops[ev.op]++;
    if (ev.op === 'f') {
      this.release(t, ev.tid, ev.ptr);
    } else if (ev.op !== 'r' || ev.arg === 0) {
      if (ev.ptr === 0) this.stats.failedAllocs++;
      else this.allocate(t, ev);
    } else if (ev.ptr !== 0) {
      const old = ev.arg;
      const slot = this.live.find(old);
      // allocate first (the program copies from the old block), under a placeholder key
      // when the pointer stayed the same
      this.allocate(t, ev, ev.ptr === old ? -1 : ev.ptr);
      this.release(t, ev.tid, old, slot);
      if (ev.ptr === old) this.rekey(-1, old);
    } else if (ev.size === 0) {
      this.release(t, ev.tid, ev.arg); // realloc(p, 0) freed p
    } else {
      this.stats.failedAllocs++; // a failed realloc leaves the old block live
    }
  }

  private allocate(t: Thread, ev: TraceEvent, key = ev.ptr): void {
    const tiny = ev.size <= MAX_TINY_SIZE && !(ev.op === 'a' && ev.arg > TINY_ALIGN);
    let address = 0;
    if (tiny) {
      address = malloc(t, ev.size);
      if (address === E.ENOMEM) throw new OutOfMemory();
      this.checked(address);
      this.stats.classHistogram[classOfSize(ev.size)]!++;
      this.stats.tinyOps++;
      this.liveBytes += ev.size;
      if (this.liveBytes > this.stats.peakLiveBytes) {
        this.stats.peakLiveBytes = this.liveBytes;
        this.stats.mappedAtPeakLive = this.mapped();
      }
    } else {
      this.stats.classHistogram[NUM_CLASSES]!++;
      this.stats.largeAllocs++;
    }
    this.live.add(key, address, ev.size, ev.tid);
  }

  private release(t: Thread, tid: number, ptr: number, slot = this.live.find(ptr)): void {
    const address = this.live.addressAt(slot);
    this.stats.frees++;
    if (this.live.tidAt(slot) !== tid) this.stats.crossThreadFrees++;
    if (address === 0) {
      this.stats.largeFrees++;
    } else {
      this.checked(free(t, address), address);
      this.stats.tinyOps++;
      this.liveBytes -= this.live.sizeAt(slot);
    }
    this.live.remove(ptr, slot);
  }

  private rekey(from: number, to: number): void {
    const slot = this.live.find(from);
    const [address, size, tid] = [this.live.addressAt(slot), this.live.sizeAt(slot), this.live.tidAt(slot)];
    this.live.remove(from, slot);
    this.live.add(to, address, size, tid);
  }

  private checked(result: number, address?: number): void {
    if (result < 0) throw new AllocatorError(result, address);
  }

  private mapped(): number {
    return mappedBytes(this.heap);
  }
}

class OutOfMemory extends Error {}
