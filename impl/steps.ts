// One implementation, two executors (docs/architecture.md §3). An operation that touches
// state another thread can touch is a generator; each shared access is a request it
// yields — `const old = yield cas(t, w + SL.RHEAD, expect, next)` — and the executor
// performs it and resumes the generator with the result (as loom's API makes every
// access a scheduling point). The request names the access's kind and word, so every
// scheduling point carries its footprint (access()); the operands travel in the thread's
// scratch (Thread.x, Thread.y). The direct executor (workers, benchmarks) performs each
// request at once; the step executor (the checker) performs a thread's pending request
// when the schedule picks it, then runs its thread-local code up to its next yield, and
// treats a thread whose pending request is a LOCK of a held word as blocked. All heap
// Atomics of the allocator are in perform() below (test/access.test.ts checks it); the
// simulated kernel (os/) is atomic under its own lock and entered after a KERNEL request.
import { H } from './layout.js';

/** Request kinds: request = word * KINDS + kind. */
export const K = {
  LOAD: 0,
  STORE: 1,
  CAS: 2,
  ADD: 3,
  XCHG: 4,
  OR: 5,
  AND: 6,
  LOCK: 7,
  UNLOCK: 8,
  /** f64 cell (a block's header and link, os/pages.ts): word = f64 index. */
  CELL_LOAD: 9,
  CELL_STORE: 10,
  /** The simulated kernel (mmap, munmap, populate), entered after it; word = H.OS_LOCK. */
  KERNEL: 11,
  /** Waits until the lock at the word is free, without taking it. */
  WAIT: 12,
} as const;
const KINDS = 16;

export type Op<R> = Generator<number, R, number>;

/** The heap's views, what the accesses here touch (heap.ts Heap has them; this file sits below it). */
export interface Views {
  readonly i32: Int32Array;
  readonly f64: Float64Array;
}

/**
 * What requests and executors need of a thread (thread/thread.ts Thread is one; this
 * level sits below it): its heap, its id (a lock's holder) and the operands' scratch.
 */
export interface Actor {
  readonly heap: Views;
  readonly tid: number;
  x: number;
  y: number;
}

export const reqKind = (r: number): number => r % KINDS;
export const reqWord = (r: number): number => (r - (r % KINDS)) / KINDS;

// ---------------------------------------------------------------- requests (what an op yields)

export const load = (w: number): number => w * KINDS + K.LOAD;
export function store(t: Actor, w: number, v: number): number {
  t.x = v;
  return w * KINDS + K.STORE;
}
/** Resumes with the old value (the CAS succeeded when it equals `expect`). */
export function cas(t: Actor, w: number, expect: number, v: number): number {
  t.x = expect;
  t.y = v;
  return w * KINDS + K.CAS;
}
/** Resumes with the old value. */
export function add(t: Actor, w: number, n: number): number {
  t.x = n;
  return w * KINDS + K.ADD;
}
export const sub = (t: Actor, w: number, n: number): number => add(t, w, -n);
export function xchg(t: Actor, w: number, v: number): number {
  t.x = v;
  return w * KINDS + K.XCHG;
}
export function or(t: Actor, w: number, bits: number): number {
  t.x = bits;
  return w * KINDS + K.OR;
}
export function and(t: Actor, w: number, bits: number): number {
  t.x = bits;
  return w * KINDS + K.AND;
}
/** Takes the allocator lock at `w` (the thread waits while it is held). */
export const lock = (w: number): number => w * KINDS + K.LOCK;
export const unlock = (w: number): number => w * KINDS + K.UNLOCK;
/** Waits until the lock at `w` is free (its holder's work done), without taking it. */
export const waitFree = (w: number): number => w * KINDS + K.WAIT;
export const cellLoad = (cell: number): number => cell * KINDS + K.CELL_LOAD;
export function cellStore(t: Actor, cell: number, v: number): number {
  t.x = v;
  return cell * KINDS + K.CELL_STORE;
}
export const kernel = (): number => H.OS_LOCK * KINDS + K.KERNEL;

// ---------------------------------------------------------------- executors

/** Performs request `r` of thread `t` (a LOCK only once its word is free); the value the op resumes with. */
export function perform(t: Actor, r: number): number {
  const { i32 } = t.heap;
  const kind = r % KINDS;
  const w = (r - kind) / KINDS;
  switch (kind) {
    case K.LOAD: return Atomics.load(i32, w);
    case K.STORE: return Atomics.store(i32, w, t.x);
    case K.CAS: return Atomics.compareExchange(i32, w, t.x, t.y);
    case K.ADD: return Atomics.add(i32, w, t.x);
    case K.XCHG: return Atomics.exchange(i32, w, t.x);
    case K.OR: return Atomics.or(i32, w, t.x);
    case K.AND: return Atomics.and(i32, w, t.x);
    case K.LOCK:
      if (Atomics.compareExchange(i32, w, 0, t.tid) !== 0) throw new Error(`lock word ${w} taken while held`);
      return 0;
    case K.UNLOCK:
      Atomics.store(i32, w, 0);
      Atomics.notify(i32, w);
      return 0;
    case K.CELL_LOAD: return t.heap.f64[w]!;
    case K.CELL_STORE: return (t.heap.f64[w] = t.x);
    default: return 0; // KERNEL: the op makes its system call once resumed; WAIT: the word is free
  }
}

const waits = (kind: number): boolean => kind === K.LOCK || kind === K.WAIT;

/** The lock word a thread whose pending request is `r` waits for, or -1 (not a LOCK or WAIT). */
export const lockWord = (r: number): number => (waits(r % KINDS) ? reqWord(r) : -1);

/** True when a thread whose pending request is `r` cannot run: a LOCK or WAIT on a held word. */
export function blocked(h: Views, r: number): boolean {
  return waits(r % KINDS) && Atomics.load(h.i32, reqWord(r)) !== 0;
}

/** One step of `op` on `t`: performs `pending` (its last request; -1 before its first step), runs to its next request. */
export function step<R>(t: Actor, op: Op<R>, pending: number): IteratorResult<number, R> {
  if (pending >= 0 && blocked(t.heap, pending)) throw new Error(`stepped a thread waiting on lock word ${lockWord(pending)}`);
  return op.next(pending < 0 ? 0 : perform(t, pending));
}

/** Runs `op` to completion on thread `t`; waits (for real) on held locks. */
export function runDirect<R>(t: Actor, op: Op<R>): R {
  const { i32 } = t.heap;
  let res = 0;
  for (;;) {
    const r = op.next(res);
    if (r.done === true) return r.value;
    const req = r.value;
    const kind = req % KINDS;
    if (!waits(kind)) {
      res = perform(t, req);
      continue;
    }
    const w = (req - kind) / KINDS;
    for (let spins = 0; kind === K.LOCK ? Atomics.compareExchange(i32, w, 0, t.tid) !== 0 : Atomics.load(i32, w) !== 0; spins++) {
      if (spins > 100) Atomics.wait(i32, w, Atomics.load(i32, w), 1);
    }
    res = 0;
  }
}

// ---------------------------------------------------------------- outside operations

/**
 * An atomic read that is no scheduling point: outside any operation (the audit, heap
 * creation, thread attach: nothing of the checker's runs concurrently), or in an
 * operation's first step, which runs unannounced (free's pointer check, tick's argument check).
 */
export const peek = (h: Views, w: number): number => Atomics.load(h.i32, w);
/** A cell (f64 index `c`) read outside any operation (the audit). */
export const peekCell = (h: Views, c: number): number => h.f64[c]!;
/** An atomic store outside any operation (heap creation, thread exit bookkeeping). */
export function poke(h: Views, w: number, v: number): void {
  Atomics.store(h.i32, w, v);
}
/** An atomic add outside any operation (thread attach); the old value. */
export const pokeAdd = (h: Views, w: number, n: number): number => Atomics.add(h.i32, w, n);
/** An atomic CAS outside any operation (thread attach); the old value. */
export const pokeCas = (h: Views, w: number, expect: number, v: number): number => Atomics.compareExchange(h.i32, w, expect, v);

// ---------------------------------------------------------------- footprints (for tools: DPOR, incremental checks)

export type AccessKind = 'read' | 'write' | 'rmw' | 'lock';
const NAMES = ['load', 'store', 'cas', 'add', 'xchg', 'or', 'and', 'lock', 'unlock', 'cellLoad', 'cellStore', 'kernel', 'wait'] as const;
/** For schedulers: a WAIT is a lock-word wait like a LOCK attempt (neither read nor write). */
const CLASS: readonly AccessKind[] = ['read', 'write', 'rmw', 'rmw', 'rmw', 'rmw', 'rmw', 'lock', 'write', 'read', 'write', 'rmw', 'lock'];
/** For dependence: whether the access writes its word(s) (a WAIT only reads the lock word). */
const WRITES: readonly boolean[] = [false, true, true, true, true, true, true, true, true, false, true, true, false];

export interface Access {
  kind: AccessKind;
  name: (typeof NAMES)[number];
  view: 'i32' | 'f64';
  /** The word's index in its view. */
  index: number;
  /** The i32 words touched, first and last (an f64 cell spans two). */
  words: [number, number];
}

/** The access kind of request `r` (no allocation: the executors' and schedulers' hot path). */
export const accessKind = (r: number): AccessKind => CLASS[r % KINDS]!;

const isCell = (r: number): boolean => r % KINDS === K.CELL_LOAD || r % KINDS === K.CELL_STORE;
/** The first and last i32 words request `r` touches (an f64 cell spans two); no allocation, for explorers. */
export const firstWord = (r: number): number => (isCell(r) ? 2 * reqWord(r) : reqWord(r));
export const lastWord = (r: number): number => (isCell(r) ? 2 * reqWord(r) + 1 : reqWord(r));

/** Request `r`, decoded. */
export function access(r: number): Access {
  const kind = r % KINDS;
  if (!Number.isInteger(r) || r < 0 || kind >= NAMES.length) throw new RangeError(`not an access request: ${r}`);
  return { kind: CLASS[kind]!, name: NAMES[kind]!, view: isCell(r) ? 'f64' : 'i32', index: reqWord(r), words: [firstWord(r), lastWord(r)] };
}

/** Request `r` writes its word(s) (LOCK and UNLOCK write the lock word; a WAIT only reads it). */
export const writes = (r: number): boolean => WRITES[r % KINDS]!;

/** Two requests conflict: they touch a common word and one of them writes it. */
export function dependent(a: number, b: number): boolean {
  const x = access(a);
  const y = access(b);
  if (x.words[1] < y.words[0] || y.words[1] < x.words[0]) return false;
  return writes(a) || writes(b);
}
