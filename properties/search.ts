// Finding the first failing case of a run in parallel, or in one shard of it. fast-check
// draws case i of a run from the seed alone (fc.sample with path i skips to it without
// drawing the cases before), so any thread can draw any case. The run is cut into
// blocks — short first, so an early failure ends the run early, then growing with the
// case number up to a cap — that worker threads take in turn; the result is the one a serial run
// gives: the failing case with the smallest number, whatever thread finishes first, and
// the lifecycle edges of the cases up to it. check.ts then shrinks that case as a serial
// run does (fc.check replaying path i).
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import fc from 'fast-check';
import { execute } from './execute.js';
import type { Case } from './program.js';

/** Case numbers [first, end) of a run of `runs` cases that shard `index` (1-based) of `count` checks. */
export function shardRange(runs: number, shard: { index: number; count: number } | undefined): { first: number; end: number } {
  if (shard === undefined) return { first: 0, end: runs };
  return { first: Math.floor(((shard.index - 1) * runs) / shard.count), end: Math.floor((shard.index * runs) / shard.count) };
}

/**
 * Where each block starts: 16 cases, then an eighth of the cases before it, at most a 40th of
 * the run (512 at least). The cap weighs two costs: the last block is time one thread works
 * alone while the others idle, and a block's fc.sample reaches its first case by one random
 * jump per case before it (~0.5 µs each, against ~400 µs to run a case): blocks of a 40th
 * make each about 2.5 % of the run. (Blocks of at most 128 cases spent 8 % of a
 * 30,000-case run's CPU on those jumps, and would have spent more than running the cases in
 * a run of a million.)
 */
export function blockStarts(first: number, end: number): number[] {
  const starts: number[] = [];
  const cap = Math.max(512, Math.ceil((end - first) / 40));
  for (let at = first; at < end; at += Math.min(cap, Math.max(16, Math.floor((at - first) / 8)))) starts.push(at);
  return starts;
}

export interface BlockResult {
  /** The case number that failed first in the block, or -1. */
  failure: number;
  /** Per edge (edges[k]): the block's cases up to its failure that took it. */
  hits: number[];
}

/**
 * Runs cases [start, end) of the run of `cases` with `seed`, stopping at the first
 * failure; null when `stop` said to stop before the block was through.
 */
export function runBlock(
  cases: fc.Arbitrary<Case>, seed: number, start: number, end: number, edges: readonly string[], stop?: () => boolean,
): BlockResult | null {
  const hits = new Array<number>(edges.length).fill(0);
  const index = new Map(edges.map((e, k) => [e, k]));
  for (const [k, c] of fc.sample(cases, { seed, path: String(start), numRuns: end - start }).entries()) {
    if (stop?.() === true) return null;
    const o = execute(c);
    for (const e of o.covered) hits[index.get(e)!]!++;
    if (o.violation !== null) return { failure: start + k, hits };
  }
  return { failure: -1, hits };
}

export interface SearchResult {
  /** The first failing case number, or null. */
  failure: number | null;
  /** Cases run up to and including the failure (all of the range when none failed). */
  runs: number;
  /** Per edge: the cases run that took it. */
  hits: Map<string, number>;
  /** `stop` ended the search: `runs` counts the blocks finished in order before it. */
  interrupted: boolean;
}

// Shared words: the next block to take, the first failure so far, a worker's failure;
// then per block its state (0 pending, 1 done), its failure, its hits per edge; then a
// worker's error text.
const NEXT = 0;
const FIRST = 1;
const FAILED = 2;
const HEADER = 4;
const ERROR_BYTES = 1024;

export interface SearchSpec {
  /** The scope options the workers rebuild the case arbitrary from (plain data). */
  scope: unknown;
  seed: number;
  first: number;
  end: number;
  edges: readonly string[];
  jobs: number;
  onProgress?: (runs: number) => void;
  /** Asked before every case this thread runs and while it waits: once true, the search ends. */
  stop?: () => boolean;
}

/**
 * The first failing case of [first, end), searched by this thread and `jobs - 1` worker
 * threads (check() stays synchronous: this thread runs blocks and waits on shared memory).
 */
export function search(cases: fc.Arbitrary<Case>, spec: SearchSpec): SearchResult {
  const starts = blockStarts(spec.first, spec.end);
  const stride = 2 + spec.edges.length;
  const sab = new SharedArrayBuffer(4 * (HEADER + starts.length * stride) + ERROR_BYTES);
  const i32 = new Int32Array(sab, 0, HEADER + starts.length * stride);
  i32[FIRST] = spec.end;
  const endOf = (b: number): number => starts[b + 1] ?? spec.end;
  const shared = { sab, seed: spec.seed, starts, end: spec.end, edges: spec.edges };
  // this thread is one of the jobs: it takes blocks too while it waits for the next in order
  for (const w of searchWorkers(spec.jobs - 1)) w.postMessage({ ...shared, scope: spec.scope });
  const hits = new Map<string, number>();
  let failure: number | null = null;
  let runs = 0;
  let interrupted = false;
  try {
    for (let b = 0; b < starts.length && !interrupted; b++) {
      const at = HEADER + b * stride;
      while (Atomics.load(i32, at) === 0) {
        if (Atomics.load(i32, FAILED) !== 0) throw new Error(`a checker worker failed: ${errorText(sab, i32.byteLength)}`);
        if (spec.stop?.() === true) {
          interrupted = true;
          break;
        }
        if (!takeBlock(cases, shared, i32, stride, spec.stop)) Atomics.wait(i32, at, 0, 100);
      }
      if (interrupted) break;
      spec.edges.forEach((e, k) => {
        if (i32[at + 2 + k]! > 0) hits.set(e, (hits.get(e) ?? 0) + i32[at + 2 + k]!);
      });
      const f = i32[at + 1]!;
      const done = f >= 0 ? f + 1 : endOf(b);
      while (runs < done - spec.first) {
        runs++;
        spec.onProgress?.(runs);
      }
      if (f >= 0) {
        failure = f;
        break;
      }
    }
  } finally {
    Atomics.store(i32, FIRST, -1); // no more blocks: a worker inside one leaves it (workBlocks)
    for (const w of pool.splice(KEPT)) void w.terminate();
  }
  return { failure, runs, hits, interrupted };
}

// The process's search workers, kept between searches: a worker started cold runs its
// first thousand cases at a third of its warm speed while V8 compiles the checker (about
// 1.3 CPU-seconds), a cost a process that checks more than once (zoo, a test suite, a
// library caller) pays once. Idle, they do not keep the process alive; those beyond the
// cores (this thread is a job too) are let go after the search that asked for them.
const pool: Worker[] = [];
const KEPT = Math.max(0, availableParallelism() - 1);

function searchWorkers(n: number): readonly Worker[] {
  const execArgv = workerExecArgv();
  while (pool.length < n) {
    const w = new Worker(new URL('./search-worker.js', import.meta.url), execArgv === undefined ? {} : { execArgv });
    // A worker that cannot start or dies takes no block: the others (this thread included)
    // run them all, so the result stands. One that throws in a block reports it through FAILED.
    w.on('error', () => undefined);
    w.on('exit', () => {
      const i = pool.indexOf(w);
      if (i >= 0) pool.splice(i, 1);
    });
    w.unref();
    pool.push(w);
  }
  return pool.slice(0, n);
}

/** The search workers this process keeps. */
export const searchWorkersKept = (): number => pool.length;

/**
 * Options for a file worker: this process's own (inherited: undefined), unless it runs
 * `node -e` code (--input-type, which a file worker refuses); then only the options that
 * load code, since a worker refuses V8 and process options given to it explicitly.
 */
export function workerExecArgv(): string[] | undefined {
  if (!process.execArgv.some((a) => a.startsWith('--input-type'))) return undefined;
  return process.execArgv.filter((a) => /^--(import|require|loader|experimental-loader|conditions|enable-source-maps)\b/.test(a));
}

export interface Shared {
  sab: SharedArrayBuffer;
  seed: number;
  starts: number[];
  end: number;
  edges: readonly string[];
}

// Takes the next block, unless none is left before the first failure; runs it and
// publishes its result. False when there was none to take.
function takeBlock(cases: fc.Arbitrary<Case>, d: Shared, i32: Int32Array, stride: number, stop?: () => boolean): boolean {
  const b = Atomics.add(i32, NEXT, 1);
  if (b >= d.starts.length || d.starts[b]! > Atomics.load(i32, FIRST)) return false;
  const r = runBlock(cases, d.seed, d.starts[b]!, d.starts[b + 1] ?? d.end, d.edges, stop);
  if (r === null) return true; // stopped: the block stays unfinished
  const at = HEADER + b * stride;
  store(i32, at, r);
  if (r.failure >= 0) {
    for (let first = Atomics.load(i32, FIRST); r.failure < first; first = Atomics.load(i32, FIRST)) {
      if (Atomics.compareExchange(i32, FIRST, first, r.failure) === first) break;
    }
  }
  Atomics.store(i32, at, 1);
  Atomics.notify(i32, at);
  return true;
}

function store(i32: Int32Array, at: number, r: BlockResult): void {
  i32[at + 1] = r.failure;
  r.hits.forEach((n, k) => (i32[at + 2 + k] = n));
}

function errorText(sab: SharedArrayBuffer, at: number): string {
  const bytes = new Uint8Array(sab, at, ERROR_BYTES);
  const end = bytes.indexOf(0);
  return new TextDecoder().decode(bytes.slice(0, end < 0 ? ERROR_BYTES : end));
}

/**
 * A worker's part of one search (search-worker.ts): takes blocks until none is left before
 * the first failure, and leaves a block once the search is over (its result is not needed).
 */
export function workBlocks(cases: fc.Arbitrary<Case>, d: Shared): void {
  const stride = 2 + d.edges.length;
  const i32 = new Int32Array(d.sab, 0, HEADER + d.starts.length * stride);
  const over = (): boolean => Atomics.load(i32, FIRST) < 0;
  try {
    while (takeBlock(cases, d, i32, stride, over));
  } catch (err) {
    const text = new TextEncoder().encode(String((err as Error).stack ?? err)).slice(0, ERROR_BYTES - 1);
    new Uint8Array(d.sab, i32.byteLength, ERROR_BYTES).set(text);
    Atomics.store(i32, FAILED, 1);
    for (let b = 0; b < d.starts.length; b++) Atomics.notify(i32, HEADER + b * stride);
  }
}
