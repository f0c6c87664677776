// impl/ is a one-way stack of folders (docs/architecture.md §5): each level imports only
// the levels below it. Three checks hold the code to it. The import graph, read from the
// sources' import statements, has no folder-level cycle and no import that runs up the
// declared order (nor out of impl/). A free, run in its step form with every touch of the
// heap, of a thread's request scratch and of its event sink taking a stack capture,
// enters each folder at most once along every call chain, going down the stack; the
// frees exercise a remote push, an orphan claim, a remote-queue drain, a thread-cache
// drain, EMPTY detection, the release to the pool, the SuperSlab free and its LRU push.
// And no source outside impl/ indexes the heap's views: it reads words through impl/'s
// locators and readers. Each check is shown catching its fault on a planted one.
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { exitOp, freeOp, run } from '../impl/allocator/allocator.js';
import type { Heap } from '../impl/heap.js';
import { type Op, perform } from '../impl/steps.js';
import { attachThread, type Thread } from '../impl/thread/thread.js';
import { audit } from '../model/audit.js';
import { assertHolds, blockOf, filesUnder, heapOf, mustMalloc, SMALL } from './helpers.js';

/** impl/'s levels, bottom to top; '' is impl/'s own files (configuration, heap, layout, locators, steps). */
const STACK = ['', 'os', 'thread', 'slab', 'superslab', 'pool', 'cache', 'allocator'];

// ---------------------------------------------------------------- the import graph

interface Edge {
  from: string;
  to: string;
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s*'([^']+)'|(?:^|\n)\s*import\s*'([^']+)'|\bimport\(\s*'([^']+)'\s*\)/g;

/** Every import of a project file (type-only ones too) by a file under `dir` (paths relative to the repository root, .ts). */
function importsUnder(dir: string): Edge[] {
  return filesUnder(dir).flatMap((path) =>
    [...readFileSync(path, 'utf8').matchAll(IMPORT)]
      .map((m) => m[1] ?? m[2] ?? m[3]!)
      .filter((spec) => spec.startsWith('.'))
      .map((spec) => ({ from: path, to: join(dirname(path), spec).replace(/\.js$/, '.ts') })),
  );
}

/** The level of a file: its folder under impl/ ('' for impl/'s own files), or null outside impl/. */
function levelOf(path: string): string | null {
  const rel = relative('impl', path);
  if (rel.startsWith('..')) return null;
  const parts = rel.split('/');
  return parts.length === 1 ? '' : parts[0]!;
}

const show = (level: string | null): string => (level === null ? 'outside impl/' : `impl/${level}`);

/** What breaks the stack: imports up the order or out of impl/, undeclared folders, folder cycles. */
function stackFaults(edges: Edge[], stack: string[]): string[] {
  const faults: string[] = [];
  const graph = new Map<string, Set<string>>();
  for (const { from, to } of edges) {
    const a = levelOf(from)!;
    const b = levelOf(to);
    for (const l of [a, b]) if (l !== null && !stack.includes(l)) faults.push(`${show(l)}/ is not in the declared stack (${from})`);
    if (b === null) faults.push(`${from} imports ${to}, outside impl/`);
    else if (stack.includes(a) && stack.indexOf(b) > stack.indexOf(a)) faults.push(`${from} imports ${to}: ${show(a)} is below ${show(b)}`);
    if (b !== null && a !== b) graph.set(a, (graph.get(a) ?? new Set()).add(b));
  }
  for (const cycle of folderCycles(graph)) faults.push(`folder cycle: ${cycle.map(show).join(' -> ')}`);
  return [...new Set(faults)];
}

/** One cycle per strongly connected set of two or more folders, found by depth-first search. */
function folderCycles(graph: Map<string, Set<string>>): string[][] {
  const cycles: string[][] = [];
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (n: string): void => {
    const at = path.indexOf(n);
    if (at >= 0) {
      cycles.push([...path.slice(at), n]);
      return;
    }
    if (done.has(n)) return;
    path.push(n);
    for (const m of graph.get(n) ?? []) visit(m);
    path.pop();
    done.add(n);
  };
  for (const n of [...graph.keys()].sort()) visit(n);
  return cycles;
}

test('impl/ imports run only down the declared stack: no folder cycle, nothing upward, nothing outside impl/', () => {
  const edges = importsUnder('impl');
  assert.ok(edges.length > 50, `read ${edges.length} imports`);
  const levels = new Set(edges.flatMap((e) => [levelOf(e.from), levelOf(e.to)]));
  assert.equal([...levels].sort(), [...STACK].sort(), 'every declared level has files, and only they');
  assert.equal(stackFaults(edges, STACK), []);
});

test('the import check catches an upward import, a folder cycle, an undeclared folder and an import out of impl/', () => {
  const edges = importsUnder('impl');
  // imports this stack removed: slab's remote free called superslab's maybeFree; steps.ts typed its requests with Thread
  const planted = [...edges, { from: 'impl/slab/remote.ts', to: 'impl/superslab/lifecycle.ts' }];
  assert.equal(stackFaults(planted, STACK), [
    'impl/slab/remote.ts imports impl/superslab/lifecycle.ts: impl/slab is below impl/superslab',
    'folder cycle: impl/slab -> impl/superslab -> impl/slab',
  ]);
  assert.equal(stackFaults([{ from: 'impl/steps.ts', to: 'impl/thread/thread.ts' }], STACK), ['impl/steps.ts imports impl/thread/thread.ts: impl/ is below impl/thread']);
  const swapped = ['', 'os', 'slab', 'thread', 'superslab', 'pool', 'cache', 'allocator'];
  assert.ok(stackFaults(edges, swapped).some((f) => /: impl\/slab is below impl\/thread$/.test(f)), 'slab uses Thread');
  assert.equal(stackFaults([{ from: 'impl/tls/x.ts', to: 'impl/layout.ts' }], STACK), ['impl/tls/ is not in the declared stack (impl/tls/x.ts)']);
  assert.equal(stackFaults([{ from: 'impl/pool/acquire.ts', to: 'model/audit.ts' }], STACK), ['impl/pool/acquire.ts imports model/audit.ts, outside impl/']);
  assert.equal(folderCycles(new Map([['a', new Set(['b'])], ['b', new Set(['c'])], ['c', new Set(['a'])]])), [['a', 'b', 'c', 'a']]);
  assert.ok(
    edges.some((e) => e.from === join('impl', 'thread', 'thread.ts') && e.to === join('impl', 'heap.ts')),
    'type-only imports are read too (thread.ts imports the Heap type)',
  );
});

// ---------------------------------------------------------------- the free path

interface Frame {
  fn: string;
  level: string;
}

const FRAME = /^\s*at (?:(\S+) \()?(.*?):\d+:\d+\)?$/;

/** impl/'s frames of the current stack, outermost first. */
function implFrames(): Frame[] {
  const frames: Frame[] = [];
  for (const line of new Error().stack!.split('\n').slice(1)) {
    const m = FRAME.exec(line);
    const at = m?.[2]?.replace(/^file:\/\//, '').split('/impl/');
    if (m === null || at === undefined || at.length < 2) continue;
    const parts = at[at.length - 1]!.split('/');
    frames.push({ fn: m[1] ?? '(anonymous)', level: parts.length === 1 ? '' : parts[0]! });
  }
  return frames.reverse();
}

/** Null when the chain enters each level once and only goes down the stack; else what it did. */
function chainFault(frames: Frame[], stack: string[]): string | null {
  for (let i = 1; i < frames.length; i++) {
    const [a, b] = [frames[i - 1]!, frames[i]!];
    if (a.level === b.level) continue;
    const route = frames.slice(0, i + 1).map((f) => `${f.fn}@${show(f.level)}`).join(' > ');
    if (frames.slice(0, i).some((f) => f.level === b.level)) return `re-enters ${show(b.level)}: ${route}`;
    if (stack.indexOf(b.level) > stack.indexOf(a.level)) return `climbs to ${show(b.level)}: ${route}`;
  }
  return null;
}

/**
 * Runs `body` with every read of `heap`'s fields through `threads` (views, configuration,
 * layout), every request operand they set (their scratch x, y: steps.ts) and every event
 * they emit taking a capture of impl/'s frames; `record` says when to keep them.
 */
function capturing(heap: Heap, threads: Thread[], body: (record: (on: boolean) => void) => void): Frame[][] {
  const chains: Frame[][] = [];
  let on = false;
  const take = (): void => {
    if (on) chains.push(implFrames());
  };
  const watched = new Proxy(heap, {
    get(target, key) {
      take();
      return Reflect.get(target, key) as unknown;
    },
  });
  const limit = Error.stackTraceLimit;
  for (const t of threads) {
    const scratch = { x: t.x, y: t.y };
    Object.defineProperty(t, 'heap', { value: watched, configurable: true });
    for (const k of ['x', 'y'] as const) {
      Object.defineProperty(t, k, { get: () => scratch[k], set: (v: number) => (take(), (scratch[k] = v)), configurable: true });
    }
    t.sink = { event: take };
  }
  Error.stackTraceLimit = Infinity;
  try {
    body((b) => (on = b));
  } finally {
    Error.stackTraceLimit = limit;
    for (const t of threads) {
      const { x, y } = t;
      for (const [k, value] of [['heap', heap], ['x', x], ['y', y]] as const) Object.defineProperty(t, k, { value, writable: true, configurable: true });
      t.sink = null;
    }
  }
  return chains;
}

/**
 * The step form with an executor of the test's own: it performs each request (steps.ts
 * perform) and resumes the op, so that the op's frames start at allocator/. The checker's
 * executor (steps.ts step) and the direct one (runDirect) resume allocator/'s generators
 * from impl/'s own level, by design (docs/architecture.md §3): their frames would sit
 * below allocator/'s.
 */
class Driven<R> {
  private pending = -1;
  constructor(private readonly t: Thread, private readonly op: Op<R>) {}

  next(): IteratorResult<number, R> {
    const r = this.op.next(this.pending < 0 ? 0 : perform(this.t, this.pending));
    this.pending = r.done === true ? -1 : r.value;
    return r;
  }

  finish(): R {
    for (;;) {
      const r = this.next();
      if (r.done === true) return r.value;
    }
  }
}

// What the frees below must pass through, so that the check is not met by a short path.
const EXERCISED = [
  'freeOp', 'adoptFree', 'remoteFree', 'remotePush', 'claimOrphan', 'drainOwned', 'drainRemote', 'drainCache',
  'localFree', 'releaseSlot', 'listPush', 'maybeFree', 'freeSuperSlab', 'lruLink', 'pushFree', 'Thread.emit',
];

test('a free enters each impl/ folder at most once along every call chain, always going down the stack', () => {
  const { heap, t: a } = heapOf({ ...SMALL, HAKMEM_TLS_SLL_DRAIN_INTERVAL: 2 });
  const b = attachThread(heap);
  const c = attachThread(heap);
  const d = attachThread(heap);
  const [p1, p2] = [mustMalloc(a, 500), mustMalloc(a, 500)];
  const { slot, ssIndex } = blockOf(heap, audit(heap), p2);
  const chains = capturing(heap, [a, b, c, d], (record) => {
    const queued = (): boolean => audit(heap).superslabs.find((ss) => ss.index === ssIndex)!.slots[slot.slab]!.remote.items.length > 0;
    // b frees p2 remotely, decided while its owner a lives; a exits before the push lands (slab ORPHAN)
    record(true);
    const remote = new Driven(b, freeOp(b, p2));
    assert.is(remote.next().done, false, 'the free stops inside its remote push');
    record(false);
    run(a, exitOp(a));
    while (!queued()) {
      record(true);
      assert.is(remote.next().done, false, 'the push lands');
      record(false);
    }
    record(true);
    // c frees p1 before b's orphan check: c adopts the slab, drains b's block, frees p1 locally: EMPTY
    assert.is(new Driven(c, freeOp(c, p1)).finish(), 0);
    // b's ACTIVE drop ends the SuperSlab's last block: freed to the LRU
    assert.is(remote.finish(), 0);
    // d's second free of a class makes its thread cache drain: EMPTY, the SuperSlab freed again
    record(false);
    const [q1, q2] = [mustMalloc(d, 500), mustMalloc(d, 500)];
    record(true);
    assert.is(new Driven(d, freeOp(d, q1)).finish(), 0);
    assert.is(new Driven(d, freeOp(d, q2)).finish(), 0);
    record(false);
  });
  const s = assertHolds(heap);
  assert.is(s.counters.adopted, 1);
  assert.is(s.counters.remoteDrained, 1);
  assert.is(s.counters.emptyEvents, 2);
  assert.is(s.counters.lruPush, 2);
  const seen = new Set(chains.flatMap((ch) => ch.map((f) => f.fn)));
  assert.equal(EXERCISED.filter((fn) => !seen.has(fn)), [], 'every part of the free path was captured');
  const levels = new Set(chains.flatMap((ch) => ch.map((f) => f.level)));
  assert.equal([...levels].sort(), [...STACK].sort(), 'the frees reach every level');
  const faults = chains.map((ch) => chainFault(ch, STACK)).filter((f) => f !== null);
  assert.equal([...new Set(faults)], []);
});

test('the chain check catches a re-entered folder and a climb; the capture sees the direct executor\'s re-entry', () => {
  const f = (fn: string, level: string): Frame => ({ fn, level });
  assert.is(chainFault([f('free', 'allocator'), f('localFree', 'pool'), f('pushFree', 'slab'), f('slotIndex', '')], STACK), null);
  assert.is(
    chainFault([f('freeOp', 'allocator'), f('remotePush', 'slab'), f('maybeFree', 'superslab')], STACK),
    'climbs to impl/superslab: freeOp@impl/allocator > remotePush@impl/slab > maybeFree@impl/superslab',
  );
  assert.is(
    chainFault([f('free', 'allocator'), f('runDirect', ''), f('freeSlow', 'allocator')], STACK),
    're-enters impl/allocator: free@impl/allocator > runDirect@impl/ > freeSlow@impl/allocator',
  );
  assert.is(chainFault([f('a', 'pool'), f('b', 'slab'), f('c', 'pool')], ['', 'slab', 'pool', 'x']), 're-enters impl/pool: a@impl/pool > b@impl/slab > c@impl/pool');
  // the real direct form: its executor resumes allocator/'s generator, and the capture sees it
  const { heap, t } = heapOf(SMALL);
  const p = mustMalloc(t, 500);
  const u = attachThread(heap);
  const chains = capturing(heap, [t, u], (record) => {
    record(true);
    run(u, freeOp(u, p));
  });
  assert.ok(chains.some((ch) => /^re-enters impl\/allocator: .*runDirect@impl\/ > freeOp@impl\/allocator/.test(chainFault(ch, STACK) ?? '')));
});

// ---------------------------------------------------------------- no raw heap reads outside impl/

/** Source folders outside impl/ (the tests plant faults by writing words, and may). */
const OUTSIDE = ['model', 'properties', 'cli', 'viewer', 'trace', 'harness', 'bench'];

/** Lines of `source` that index a heap view (`x.i32`, `x.f64`, `{ i32 } = x`), a class's own buffers (`this.i32`) aside. */
const rawViews = (source: string): number[] =>
  source.split('\n').flatMap((line, i) => {
    const code = line.replace(/\/\/.*$/, '');
    return /(?<!\bthis)\.(?:i32|f64)\b|\{[^}]*\b(?:i32|f64)\b[^}]*\}\s*=[^=>]/.test(code) ? [i + 1] : [];
  });

test('the view scan finds a heap view read by hand (and not a reader call, a comment or a class\'s own buffer)', () => {
  const src = [
    'const w = h.i32[ssIndex(h, ss) + S.WORD]!;',
    'const { i32, cfg } = heap;',
    'const v = t.heap.f64[cell];',
    'const w = peek(h, ssIndex(h, ss) + S.WORD);',
    '// h.i32[w] by hand',
    'return Atomics.load(this.i32, STOP) !== 0;',
    'const i32 = new Int32Array(d.sab);',
  ].join('\n');
  assert.equal(rawViews(src), [1, 2, 3]);
});

test('no source outside impl/ reads heap words by hand: only through impl/\'s locators and readers', () => {
  const found = OUTSIDE.flatMap((dir) => filesUnder(dir).flatMap((file) => rawViews(readFileSync(file, 'utf8')).map((line) => `${file}:${line}`)));
  assert.equal(found, []);
  assert.ok(rawViews(readFileSync(join('impl', 'slab', 'slab.ts'), 'utf8')).length > 0, 'impl/ itself indexes the views (the scan reads them)');
});

test.run();
