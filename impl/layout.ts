// Where everything lives in the one SharedArrayBuffer, declared once: each record (the
// global header, a SuperSlab table entry, a slot, a thread) is a list of typed fields —
// view, width (from the constants), who may write it, what it means, and the invariants
// (model/invariants.ts IDs) that judge it — and its offsets are computed from that list,
// so two fields cannot overlap. Two views share the buffer: `i32` for metadata and `f64`
// for simulated physical memory and per-thread addresses/counters; a record's i32 fields
// and f64 fields are numbered separately (its thread slot has one of each). The layout
// then places regions (arrays of records, tables, bitmaps) one after another, 8-byte
// aligned. Locators and packed-word codecs: locators.ts. Tested: test/layout.test.ts.
import type { Config } from './config.js';
import { NUM_COUNTERS } from './counters.js';
import { NUM_CLASSES } from './sizeclass.js';

export type View = 'i32' | 'f64';

/**
 * Who may write a field (test/layout.test.ts reads the source for it):
 * - atomic: any thread, only through the access helpers (steps.ts), so every write is a
 *   scheduling point — every word another thread reads without a lock;
 * - owner: the slab's owning thread, plain (others read it racily only in free's pointer
 *   check, or at quiescence); the pool clears it while the SuperSlab is held FREEING;
 * - pool-lock: under the pool lock (H.POOL_LOCK), plain; read only under the lock or at quiescence;
 * - thread: the thread the record belongs to, plain (thread-local);
 * - init: once, before the word is published (heap creation, or a SuperSlab held FREEING);
 * - kernel: the simulated kernel, under its own lock (os/);
 * - holder: a block cell — the thread holding the block (the slab's owner while the block is
 *   free, the freeing thread until its remote push publishes it); accesses another thread
 *   can race with go through the access helpers.
 */
export type Writer = 'atomic' | 'owner' | 'pool-lock' | 'thread' | 'init' | 'kernel' | 'holder';

export interface Field<V extends View = View> {
  view: V;
  /** Words (of its view) the field spans: an array of `count` entries. */
  count: number;
  writer: Writer;
  /** Invariant IDs that judge the field. */
  inv: readonly string[];
  doc: string;
}

const field = <V extends View>(view: V) =>
  (writer: Writer, doc: string, inv: readonly string[] = [], count = 1): Field<V> => ({ view, count, writer, inv, doc });
const i32 = field('i32');
const f64 = field('f64');

type Offsets<F, V extends View> = { readonly [K in keyof F as F[K] extends Field<V> ? K : never]: number } & { readonly WORDS: number };

export interface HeapRecord<F extends { [name: string]: Field }> {
  name: string;
  fields: F;
  /** Offsets of the i32 fields (in i32 words) and the i32 part's size. */
  i32: Offsets<F, 'i32'>;
  /** Offsets of the f64 fields (in f64 words) and the f64 part's size. */
  f64: Offsets<F, 'f64'>;
}

// Offsets in declaration order, each view numbered from 0.
function record<F extends { [name: string]: Field }>(name: string, fields: F): HeapRecord<F> {
  const at: { i32: { [k: string]: number }; f64: { [k: string]: number } } = { i32: {}, f64: {} };
  const next = { i32: 0, f64: 0 };
  for (const [key, f] of Object.entries(fields)) {
    at[f.view][key] = next[f.view];
    next[f.view] += f.count;
  }
  at.i32['WORDS'] = next.i32;
  at.f64['WORDS'] = next.f64;
  return { name, fields, i32: Object.freeze(at.i32) as Offsets<F, 'i32'>, f64: Object.freeze(at.f64) as Offsets<F, 'f64'> };
}

/** The global header (one, at word 0). */
export const HEADER = record('header', {
  MAGIC: i32('init', 'HEAP_MAGIC once the heap is initialised'),
  CONFIG_BYTES: i32('init', 'length of the configuration JSON stored after the header'),
  POOL_LOCK: i32('atomic', 'shared pool mutex: stage 3, SuperSlab free, LRU, trim (seed 004 alloc_lock); holder tid or 0', ['INV-QUIESCENT']),
  OS_LOCK: i32('kernel', 'simulated kernel lock: mappings, page tables, frames (os/kernel-lock.ts)'),
  NOW_MS: i32('atomic', 'logical clock, ms', ['INV-LRU']),
  NEXT_TRIM_MS: i32('atomic', 'idle trim deadline (seed 003 Option B); CAS by the thread that runs it'),
  NEXT_TID: i32('atomic', 'next thread id (ids start at 1)'),
  SS_FREE: i32('pool-lock', 'free SuperSlab table entries: a list through S.NEXT_FREE (index + 1)'),
  SS_HIGH: i32('atomic', 'table entries ever handed out; raised under the pool lock, read lock-free by stage 2 and trim'),
  LRU_HEAD: i32('pool-lock', 'most recently cached SuperSlab (index + 1)', ['INV-LRU']),
  LRU_TAIL: i32('pool-lock', 'oldest cached SuperSlab (index + 1)', ['INV-LRU']),
  LRU_COUNT: i32('pool-lock', 'SuperSlabs in the LRU', ['INV-LRU']),
  LEGACY_LIVE: i32('atomic', 'legacy blocks live (seed 004 §1.3)', ['INV-MAP-BALANCE', 'MODEL-LIVE']),
  THREADS_LIVE: i32('atomic', 'attached threads'),
  UNUSED_SLOTS: i32('atomic', 'UNUSED slots over all MAPPED SuperSlabs (never below the true count)', ['INV-SLOT-STATE']),
  LEGACY_PAGES: i32('atomic', 'pages of the legacy mappings', ['INV-MAP-BALANCE']),
  CLASS_ACTIVE: i32('atomic', 'ACTIVE slots per class (seed 004 class_active_slots)', ['INV-SLOT-STATE', 'INV-SOFTCAP'], NUM_CLASSES),
  EMPTY_HEAD: i32('atomic', 'stage 1 lists: tagged heads (locators.ts listHead)', ['INV-EMPTY-LISTED'], NUM_CLASSES),
  REG_SIZE: i32('atomic', 'per-class registry sizes (seed 000 g_super_reg_class_size)', ['INV-REGISTRY'], NUM_CLASSES),
  VMA_COUNT: i32('kernel', 'mappings (VMAs), bounded by vm.max_map_count (seed 003 §5)', ['INV-MAP-BALANCE']),
  VA_CURSOR: i32('kernel', 'next-fit hint, in pages'),
  MAPPED_PAGES: i32('kernel', 'pages mapped', ['INV-MAP-BALANCE', 'MEM-BOUND']),
  PEAK_MAPPED_PAGES: i32('kernel', 'peak of MAPPED_PAGES'),
  RESIDENT: i32('kernel', 'pages with a frame', ['MEM-BOUND']),
  PEAK_RESIDENT: i32('kernel', 'peak of RESIDENT'),
  FRAME_TOP: i32('kernel', 'free frames on the stack'),
  FRAME_HIGH: i32('kernel', 'frames ever handed out'),
  L2_TOP: i32('kernel', 'free second-level page tables on the stack'),
  L2_HIGH: i32('kernel', 'second-level page tables ever handed out'),
  SS_LIVE: i32('pool-lock', 'SuperSlabs mapped (in the pool or the LRU)', ['MEM-BOUND']),
  PEAK_SS_LIVE: i32('pool-lock', 'peak of SS_LIVE'),
  SS_POOL: i32('pool-lock', 'SuperSlabs in the pool (mapped, not in the LRU)'),
  PEAK_SS_POOL: i32('pool-lock', 'peak of SS_POOL'),
  VA_HIGH: i32('kernel', 'end page of the highest mapping ever made (what a heap reuse must clear)'),
  EMPTY_SLOTS: i32('atomic', 'EMPTY slots over all pooled SuperSlabs (never below the true count)', ['INV-SLOT-STATE']),
});

/** A SuperSlab table entry (sim.max_superslabs of them). */
export const SUPERSLAB = record('superslab', {
  WORD: i32('atomic', 'state << 16 | pins (locators.ts ssWord): claimers pin before touching slots; free needs 0 pins', ['INV-PINS', 'INV-LIFECYCLE']),
  GEN: i32('atomic', 'bumped when the entry becomes another SuperSlab (under the pool lock, held FREEING); read lock-free, re-checked under the lock'),
  ACTIVE: i32('atomic', 'total_active_blocks (seed 003): blocks live or in a thread cache', ['INV-ACTIVE-SUM', 'LIVE-RECLAIM']),
  ACTIVE_SLOTS: i32('atomic', 'slots in state ACTIVE (seed 000 active_slots)', ['INV-SLOT-STATE']),
  HOSTED: i32('atomic', 'classes that have had a slab here (bitmask; ground truth for the registry)', ['INV-REGISTRY']),
  REGISTERED: i32('atomic', 'classes whose registry lists this entry (bitmask)', ['INV-REGISTRY']),
  LRU_PREV: i32('pool-lock', 'LRU neighbour towards the head (index + 1)', ['INV-LRU']),
  LRU_NEXT: i32('pool-lock', 'LRU neighbour towards the tail (index + 1)', ['INV-LRU']),
  STAMP: i32('pool-lock', 'logical ms when cached (the TTL runs from it)', ['INV-LRU']),
  NEXT_FREE: i32('pool-lock', 'next free table entry (index + 1) while this one is free'),
  BASE_PAGE: i32('init', 'base address / page size, written before the SuperSlab is published', ['INV-HEADER', 'INV-MAP-BALANCE']),
  UNUSED: i32('atomic', 'UNUSED slots (never below the true count: claims lower it after the CAS)', ['INV-SLOT-STATE']),
});

/** A slot (slab): sim.max_superslabs × slabs per SuperSlab; slot id = ss index * slabsPerSS + slab. */
export const SLOT = record('slot', {
  STATE: i32('atomic', 'SLOT_UNUSED | SLOT_ACTIVE | SLOT_EMPTY (seed 004 sp_slot states)', ['INV-SLOT-STATE', 'INV-LIFECYCLE', 'INV-EMPTY-FIRST']),
  CLASS: i32('owner', 'size class of the slab', ['INV-SLOT-STATE', 'INV-HEADER', 'INV-DISJOINT']),
  CAP: i32('owner', 'blocks the slab holds', ['INV-FREELIST']),
  CARVED: i32('owner', 'blocks handed out from the bump region so far', ['INV-CONSERVATION', 'INV-FREELIST']),
  USED: i32('owner', 'meta->used: blocks not on the freelist (live, cached or queued remotely)', ['INV-USED', 'INV-SLOT-STATE']),
  FREE: i32('owner', 'freelist head: local block index + 1', ['INV-FREELIST', 'INV-CONSERVATION']),
  OWNER: i32('atomic', 'owning thread id; ORPHAN once its thread exited with blocks still out', ['INV-OWNER', 'INV-PINS']),
  RHEAD: i32('atomic', 'remote MPSC queue head: local block index + 1 (seed 003 remote_heads)', ['INV-FREELIST', 'INV-REMOTE-COUNT']),
  RCOUNT: i32('atomic', 'seed 003 remote_counts', ['INV-REMOTE-COUNT']),
  LISTED: i32('atomic', 'classes whose stage 1 list holds the slot (bitmask)', ['INV-EMPTY-LISTED']),
  LNEXT: i32('atomic', 'stage 1 list links, one per class list: slot id + 1', ['INV-EMPTY-LISTED'], NUM_CLASSES),
});

/** A thread slot (sim.max_threads of them): its TLS state, in the buffer so the audit sees every cache. */
export const THREAD = record('thread', {
  TID: i32('atomic', 'thread id; 0 = slot free', ['INV-OWNER']),
  SLL_COUNT: i32('thread', 'TLS SLL lengths (seed 001)', ['INV-CONSERVATION'], NUM_CLASSES),
  DRAIN_CTR: i32('thread', 'frees since the last drain (HAKMEM_TLS_SLL_DRAIN_INTERVAL)', [], NUM_CLASSES),
  BOUND: i32('thread', 'current slab per class: slot id + 1 (TLS g_tls_slabs)', ['INV-PINS'], NUM_CLASSES),
  TL_COUNT: i32('thread', 'variant tls-free-skips-used: thread list lengths', ['INV-CONSERVATION'], NUM_CLASSES),
  OWN_SS: i32('thread', 'variant tls-superslabs: the thread\'s SuperSlab per class, ss index + 1', [], NUM_CLASSES),
  OWN_GEN: i32('thread', 'its S.GEN when it was taken', [], NUM_CLASSES),
  SLL_HEAD: f64('thread', 'TLS SLL heads: block base address, 0 = empty (seed 001)', ['INV-CONSERVATION', 'INV-DISJOINT'], NUM_CLASSES),
  TL_HEAD: f64('thread', 'variant tls-free-skips-used: thread list heads', ['INV-CONSERVATION'], NUM_CLASSES),
  COUNTERS: f64('thread', 'event counters (counters.ts), folded into the retired totals at exit', [], NUM_COUNTERS),
});

export const RECORDS = [HEADER, SUPERSLAB, SLOT, THREAD] as const;

/** Global header words (i32). */
export const H = HEADER.i32;
/** SuperSlab table entry words (i32). */
export const S = SUPERSLAB.i32;
/** Slot words (i32). */
export const SL = SLOT.i32;
/** Per-thread words (i32). */
export const T = THREAD.i32;
/** Per-thread words (f64). */
export const TF = THREAD.f64;

export const CONFIG_MAX_BYTES = 8192;
export const HEAP_MAGIC = 0x51ab_c4e1;

export const SS_NONE = 0; // table entry unused
export const SS_MAPPED = 1;
export const SS_FREEING = 2; // exclusive: being freed, cached or reset
export const SS_CACHED = 3; // in the LRU, still mapped

export const SLOT_UNUSED = 0;
export const SLOT_ACTIVE = 1;
export const SLOT_EMPTY = 2;
/** SL.OWNER of a slab whose thread exited (thread ids start at 1). */
export const ORPHAN = 0;

/** Second-level page tables cover this many pages. */
export const L2_PAGES = 512;

/** A region of the buffer: `words` words of `view` from word `at` of that view. */
export interface Region {
  name: string;
  view: View;
  at: number;
  words: number;
  /** Who writes it (a record region's fields say it per field). */
  writer: Writer | 'record';
}

export class Layout {
  readonly bytes: number;
  /** Every region, in buffer order (test/layout.test.ts: disjoint, inside `bytes`). */
  readonly regions: readonly Region[];
  // i32 regions
  readonly config: number;
  readonly ss: number;
  readonly slots: number;
  readonly registry: number;
  readonly threads: number;
  readonly vaMapped: number;
  readonly vaStart: number;
  readonly ptTop: number;
  readonly l2: number;
  readonly l2Resident: number;
  readonly l2Free: number;
  readonly frameFree: number;
  // f64 regions
  readonly retired: number;
  readonly threadsF: number;
  readonly frames: number;
  // sizes
  readonly vaPages: number;
  readonly l2Count: number;
  readonly cellsPerPage: number;
  /** 1 / page size and 1 / SuperSlab size: powers of two, so address * scale is exact (no division on addresses). */
  readonly pageScale: number;
  readonly ssScale: number;
  /** lg of the page size and of the slab size. */
  readonly pageShift: number;
  readonly slabShift: number;

  constructor(cfg: Config) {
    const regions: Region[] = [];
    let w = 0; // running i32 offset
    const place = (name: string, view: View, words: number, writer: Region['writer']): number => {
      const at = view === 'i32' ? w : w / 2;
      regions.push({ name, view, at, words, writer });
      w += view === 'i32' ? words + (words & 1) : words * 2; // keep 8-byte alignment
      return at;
    };
    this.vaPages = cfg.vaBytes / cfg.pageBytes;
    const regionCount = Math.ceil(this.vaPages / L2_PAGES);
    this.l2Count = Math.min(regionCount, cfg.physPages);
    place('header', 'i32', H.WORDS, 'record');
    this.config = place('config', 'i32', CONFIG_MAX_BYTES / 4, 'init');
    this.ss = place('superslabs', 'i32', cfg.maxSuperSlabs * S.WORDS, 'record');
    this.slots = place('slots', 'i32', cfg.maxSuperSlabs * cfg.slabsPerSS * SL.WORDS, 'record');
    this.registry = place('registry', 'i32', NUM_CLASSES * cfg.maxSuperSlabs, 'atomic');
    this.threads = place('threads', 'i32', cfg.maxThreads * T.WORDS, 'record');
    this.vaMapped = place('va-mapped', 'i32', Math.ceil(this.vaPages / 32), 'kernel');
    this.vaStart = place('va-start', 'i32', Math.ceil(this.vaPages / 32), 'kernel');
    this.ptTop = place('page-table-top', 'i32', regionCount, 'kernel');
    this.l2 = place('page-tables', 'i32', this.l2Count * L2_PAGES, 'kernel');
    this.l2Resident = place('page-table-counts', 'i32', this.l2Count, 'kernel');
    this.l2Free = place('page-table-free', 'i32', this.l2Count, 'kernel');
    this.frameFree = place('frame-free', 'i32', cfg.physPages, 'kernel');
    this.retired = place('retired-counters', 'f64', NUM_COUNTERS, 'pool-lock');
    this.threadsF = place('threads-f64', 'f64', cfg.maxThreads * TF.WORDS, 'record');
    this.cellsPerPage = cfg.pageBytes / 8;
    this.frames = place('frames', 'f64', cfg.physPages * this.cellsPerPage, 'holder');
    this.pageScale = 1 / cfg.pageBytes;
    this.ssScale = 1 / cfg.ssBytes;
    this.pageShift = Math.log2(cfg.pageBytes);
    this.slabShift = Math.log2(cfg.slabBytes);
    this.bytes = w * 4;
    this.regions = regions;
  }
}
