// A heap: one SharedArrayBuffer holding the whole allocator state (docs/architecture.md §1), and
// the typed views every module reads it through. The configuration is stored inside
// the buffer so a worker attaches with the buffer alone.
import { ConfigError, configInput, makeConfig, type Config, type ConfigInput } from './config.js';
import { NUM_COUNTERS } from './counters.js';
import { checkHeapBudget } from './heap-budget.js';
import { NUM_CLASSES } from './sizeclass.js';
import { CONFIG_MAX_BYTES, H, HEAP_MAGIC, L2_PAGES, Layout, S, SL, T, TF } from './layout.js';
import { registryBase } from './locators.js';
import { poke } from './steps.js';

export class Heap {
  readonly i32: Int32Array;
  readonly f64: Float64Array;
  readonly L: Layout;

  constructor(readonly sab: SharedArrayBuffer, readonly cfg: Config) {
    this.L = layoutOf(cfg);
    if (sab.byteLength < this.L.bytes) throw new Error('heap buffer is smaller than its layout');
    this.i32 = new Int32Array(sab);
    this.f64 = new Float64Array(sab);
  }
}

/** A fresh heap for `input` (knobs and variants; see config.ts). */
export function createHeap(input: ConfigInput = {}): Heap {
  return reuseHeap(null, input);
}

/**
 * A heap for `input` that reuses `previous`'s buffer when the layouts match (the
 * checker keeps one buffer per process or worker): only the words `previous`'s run
 * touched are zeroed, so a reset costs what the run did, not the buffer's size. Frames
 * are zeroed when a page fault takes them (os/pages.ts), never here, so the memory a
 * case costs follows the pages it touched, whatever `sim.phys_mib` is. Same state as
 * createHeap(input), word for word, outside the frames and the free-frame stacks
 * (which are written before they are read). `previous` must no longer be used.
 */
export function reuseHeap(previous: Heap | null, input: ConfigInput = {}): Heap {
  const { cfg, json } = configOf(input);
  const L = layoutOf(cfg);
  if (previous === null || previous.L !== L) return initHeap(new Heap(allocate(cfg), cfg), json);
  clearTouched(previous);
  return initHeap(previous.cfg === cfg ? previous : new Heap(previous.sab, cfg), json);
}

// A configuration's layout, computed once (configOf hands out one Config per input text),
// and one object for equal layouts: configurations that differ only in policy share it, so
// reuseHeap tells a buffer it can reuse by the layout's object. Layouts are numbers
// derived from the configuration's sizes (their region list follows from them).
const layouts = new WeakMap<Config, Layout>();
const byNumbers = new Map<string, Layout>();

function layoutOf(cfg: Config): Layout {
  let L = layouts.get(cfg);
  if (L === undefined) {
    const fresh = new Layout(cfg);
    const numbers = Object.values(fresh).filter((v) => typeof v === 'number').join();
    L = byNumbers.get(numbers) ?? fresh;
    if (byNumbers.size >= 256) byNumbers.clear();
    byNumbers.set(numbers, L);
    layouts.set(cfg, L);
  }
  return L;
}

// Configurations of reused heaps, validated and encoded, by their input's text (a
// checker scope draws a few dozen).
const configs = new Map<string, { cfg: Config; json: Uint8Array }>();

// A frozen input (its values too: the variants list) cannot change: it is also known by its
// object, without encoding it.
const frozen = new WeakMap<ConfigInput, { cfg: Config; json: Uint8Array }>();

function configOf(input: ConfigInput): { cfg: Config; json: Uint8Array } {
  let c = frozen.get(input);
  if (c !== undefined) return c;
  const key = JSON.stringify(input);
  c = configs.get(key);
  if (c === undefined) {
    const cfg = makeConfig(input);
    c = { cfg, json: storableInput(cfg) };
    if (configs.size >= 256) configs.clear();
    configs.set(key, c);
  }
  if (Object.isFrozen(input) && Object.values(input).every((v) => typeof v !== 'object' || v === null || Object.isFrozen(v))) frozen.set(input, c);
  return c;
}

// Stored canonically (knobs off their defaults, each variant once): bounded whatever the input repeats.
function storableInput(cfg: Config): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(configInput(cfg)));
  if (json.length > CONFIG_MAX_BYTES) throw new ConfigError('variants', 'configuration too large to store in the heap');
  return json;
}

// The buffer, once its size is checked against the budget (heap-budget.ts).
function allocate(cfg: Config): SharedArrayBuffer {
  const bytes = checkHeapBudget(cfg);
  try {
    return new SharedArrayBuffer(bytes);
  } catch (err) {
    throw new ConfigError('sim.phys_mib', `the heap of ${Math.ceil(bytes / 2 ** 20)} MiB could not be allocated on this machine (${(err as Error).message})`);
  }
}

// `heap`'s buffer is zero outside the frames and the free stacks.
function initHeap(heap: Heap, json: Uint8Array): Heap {
  const { i32, L, cfg } = heap;
  new Uint8Array(heap.sab, L.config * 4, json.length).set(json);
  i32[H.CONFIG_BYTES] = json.length;
  poke(heap, H.NOW_MS, 0);
  poke(heap, H.NEXT_TRIM_MS, cfg.idleTrimMs);
  poke(heap, H.NEXT_TID, 1);
  poke(heap, H.MAGIC, HEAP_MAGIC);
  return heap;
}

/**
 * The i32 word ranges [from, to) a run can have written outside the frames and the free
 * stacks: the header, table entries and slots up to SS_HIGH, registry entries up to each
 * class's size, the bitmaps and top-level page table up to VA_HIGH, the second-level
 * tables handed out (L2_HIGH), every thread slot, the retired counters. Everything else
 * keeps the values the heap was made with (the configuration bytes are rewritten).
 */
function touched(h: Heap): [number, number][] {
  const { i32, L, cfg } = h;
  const ssHigh = i32[H.SS_HIGH]!;
  const vaHigh = i32[H.VA_HIGH]!;
  const l2High = i32[H.L2_HIGH]!;
  const ranges: [number, number][] = [
    [0, H.WORDS],
    [L.ss, L.ss + ssHigh * S.WORDS],
    [L.slots, L.slots + ssHigh * cfg.slabsPerSS * SL.WORDS],
  ];
  for (let cls = 0; cls < NUM_CLASSES; cls++) {
    const base = registryBase(h, cls);
    ranges.push([base, base + Math.min(i32[H.REG_SIZE + cls]!, cfg.maxSuperSlabs)]);
  }
  ranges.push(
    [L.threads, L.threads + cfg.maxThreads * T.WORDS],
    [L.vaMapped, L.vaMapped + Math.ceil(vaHigh / 32)],
    [L.vaStart, L.vaStart + Math.ceil(vaHigh / 32)],
    [L.ptTop, L.ptTop + Math.ceil(vaHigh / L2_PAGES)],
    [L.l2, L.l2 + l2High * L2_PAGES],
    [L.l2Resident, L.l2Resident + l2High],
    [2 * L.retired, 2 * (L.retired + NUM_COUNTERS)],
    [2 * L.threadsF, 2 * (L.threadsF + cfg.maxThreads * TF.WORDS)],
  );
  return ranges;
}

// Zeroes what a run can have written outside the frames (touched()).
function clearTouched(h: Heap): void {
  for (const [from, to] of touched(h)) h.i32.fill(0, from, to);
}

/**
 * The bytes that make up the heap's state: what a run can have written (touched()), the
 * free page-table and frame stacks up to their tops, and the frames handed out (the rest
 * is as the heap was made, or an earlier run's values on a reused buffer, which nothing
 * reads). Two heaps of one configuration with equal bytes here are in the same state
 * (properties/prove/ tells states apart by them).
 */
export function stateBytes(h: Heap): Uint8Array[] {
  const { i32, L, sab } = h;
  const ranges: [number, number][] = [
    ...touched(h),
    [L.l2Free, L.l2Free + i32[H.L2_TOP]!],
    [L.frameFree, L.frameFree + i32[H.FRAME_TOP]!],
    [2 * L.frames, 2 * L.frames + i32[H.FRAME_HIGH]! * L.cellsPerPage * 2],
  ];
  return ranges.filter(([from, to]) => to > from).map(([from, to]) => new Uint8Array(sab, from * 4, (to - from) * 4));
}

/** A copy of the heap's state (stateBytes, end to end), for sameState. */
export function copyState(h: Heap): Uint8Array {
  const parts = stateBytes(h);
  const copy = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    copy.set(p, at);
    at += p.length;
  }
  return copy;
}

/** The heap's state is byte for byte `copy` (copyState), its extent included. */
export function sameState(h: Heap, copy: Uint8Array): boolean {
  let at = 0;
  for (const p of stateBytes(h)) {
    if (at + p.length > copy.length || Buffer.compare(p, copy.subarray(at, at + p.length)) !== 0) return false;
    at += p.length;
  }
  return at === copy.length;
}

/** The heap whose state is `sab` (made by createHeap, possibly in another thread). */
export function attachHeap(sab: SharedArrayBuffer): Heap {
  if (new Int32Array(sab)[H.MAGIC] !== HEAP_MAGIC) throw new Error('not a slabcheck heap buffer');
  return new Heap(sab, makeConfig(storedInput(sab)));
}

/** The configuration input stored in the heap (what createHeap was given). */
export function heapInput(heap: Heap): ConfigInput {
  return storedInput(heap.sab);
}

// The layout puts the configuration right after the header, whatever the configuration.
function storedInput(sab: SharedArrayBuffer): ConfigInput {
  const length = new Int32Array(sab)[H.CONFIG_BYTES]!;
  const bytes = new Uint8Array(sab, H.WORDS * 4, length).slice();
  return JSON.parse(new TextDecoder().decode(bytes)) as ConfigInput;
}
