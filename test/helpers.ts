// Shared test scaffolding: small heaps, threads, and assertions over the audit.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { exitOp, free, freeOp, malloc, run } from '../impl/allocator/allocator.js';
import { audit, type SlotSnap, type Snapshot } from '../model/audit.js';
import type { ConfigInput } from '../impl/config.js';
import { createHeap, type Heap } from '../impl/heap.js';
import { slabAt, slabStart } from '../impl/locators.js';
import { STRIDES } from '../impl/sizeclass.js';
import { type Op, step } from '../impl/steps.js';
import { attachThread, type Thread } from '../impl/thread/thread.js';
import { firstViolation, type Rule } from '../model/rules/catalogue.js';
import { main } from '../cli/main.js';

/** A heap of small SuperSlabs (2 slabs of 4 KB; C7 holds 1-2 blocks per slab). */
export const SMALL: ConfigInput = {
  HAKMEM_TINY_SS_FORCE_LG: 13,
  'sim.slab_bytes': 4096,
  'sim.slab0_header_bytes': 64,
  'sim.va_gib': 0.001,
  'sim.phys_mib': 4,
  'sim.max_threads': 8,
  'vm.max_map_count': 256,
};

export function heapOf(input: ConfigInput = {}): { heap: Heap; t: Thread } {
  const heap = createHeap(input);
  return { heap, t: attachThread(heap) };
}

export function mustMalloc(t: Thread, size: number): number {
  const p = malloc(t, size);
  assert.ok(p > 0, `malloc(${size}) failed with ${p}`);
  return p;
}

export function mustFree(t: Thread, p: number): void {
  assert.is(free(t, p), 0, `free(0x${p.toString(16)})`);
}

/** Asserts that the invariants `which` selects (default: safety) hold; returns the snapshot. */
/**
 * `b` frees `ptrs` (blocks `owner` allocated): each free decides "remote" while `owner`
 * is alive, `owner` exits before the pushes land (its slabs go ORPHAN with nothing yet
 * to drain), then they land. On variant orphan-push-race nobody drains those slabs again
 * and only trim reclaims them; the design's remote frees adopt them (impl/pool/release.ts remoteFree).
 */
export function freeAcrossExit(b: Thread, ptrs: number[], owner: Thread): void {
  const frees = ptrs.map((p) => stepping(b, freeOp(b, p)));
  for (const f of frees) assert.is(f.next().done, false, 'the free stops inside its remote push');
  run(owner, exitOp(owner));
  for (const f of frees) while (!f.next().done);
}

/**
 * Runs an operation one scheduling point at a time, as the checker's step executor does
 * (impl/steps.ts step). It keeps its request's operands, so that tests may interleave
 * several operations of one thread (a real thread runs one at a time).
 */
export class Stepper<R> {
  /** The request the operation yielded last: the access its next step performs (-1: none). */
  pending = -1;
  private x = 0;
  private y = 0;
  constructor(readonly t: Thread, private readonly op: Op<R>) {}

  /** Performs the pending access, then runs to the next one (or to the end). */
  next(): IteratorResult<number, R> {
    [this.t.x, this.t.y] = [this.x, this.y];
    const r = step(this.t, this.op, this.pending);
    this.pending = r.done === true ? -1 : r.value;
    [this.x, this.y] = [this.t.x, this.t.y];
    return r;
  }
}

export const stepping = <R>(t: Thread, op: Op<R>): Stepper<R> => new Stepper(t, op);

export function assertHolds(heap: Heap, which?: (rule: Rule) => boolean): Snapshot {
  const s = audit(heap);
  const bad = firstViolation(s, which);
  assert.is(bad, null, bad === null ? '' : `${bad.id}: ${bad.what} at ${bad.where} (expected ${bad.expected}, actual ${bad.actual})`);
  return s;
}

/** The counters of the heap (all threads). */
export function counters(heap: Heap): Snapshot['counters'] {
  return audit(heap).counters;
}

/** The slot snapshot holding user pointer `p`, the block's index in it, and its SuperSlab's index. */
export function blockOf(heap: Heap, s: Snapshot, p: number): { slot: SlotSnap; idx: number; ssIndex: number } {
  const base = p - 1;
  const ssBase = base - (base % heap.cfg.ssBytes);
  const ss = s.superslabs.find((x) => x.base === ssBase);
  assert.ok(ss, `no SuperSlab at 0x${ssBase.toString(16)}`);
  const slab = slabAt(heap.cfg, ssBase, base);
  const slot = ss!.slots[slab]!;
  const start = slabStart(heap.cfg, ssBase, slab);
  return { slot, idx: (base - start) / STRIDES[slot.cls]!, ssIndex: ss!.index };
}

/** The files under `path` (or `path` itself, a file) whose names match `name`, recursively, in sorted order. */
export function filesUnder(path: string, name: RegExp = /\.ts$/): string[] {
  if (!statSync(path).isDirectory()) return name.test(path) ? [path] : [];
  return readdirSync(path).sort().flatMap((entry) => filesUnder(join(path, entry), name));
}

export interface CliResult {
  code: number;
  out: string[];
  err: string[];
}

/** Runs the slabcheck command in this process, collecting what it prints. */
export async function cli(...argv: string[]): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, (line) => out.push(line), (line) => err.push(line));
  return { code, out, err };
}

// One run of each argument list, shared by the tests that only read it.
const cliRuns = new Map<string, Promise<CliResult>>();

/** `cli(...argv)`, run once per argument list and shared by every caller. */
export function cliOnce(...argv: string[]): Promise<CliResult> {
  const key = JSON.stringify(argv);
  let r = cliRuns.get(key);
  if (r === undefined) cliRuns.set(key, (r = cli(...argv)));
  return r;
}

/** Runs the slabcheck command in a fresh node process (nothing shared with this one). */
export function cliInFreshProcess(argv: string[]): { status: number | null; stdout: string; stderr: string } {
  const url = new URL('../cli/main.js', import.meta.url).href;
  const code = `import { main } from ${JSON.stringify(url)}; process.exitCode = await main(${JSON.stringify(argv)});`;
  const p = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', timeout: 20_000 });
  assert.is(p.error, undefined);
  return { status: p.status, stdout: p.stdout, stderr: p.stderr };
}
