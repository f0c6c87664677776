// Where everything lives in the one SharedArrayBuffer. Two views share it: `i32` for
// metadata (every cross-thread word is read and written with Atomics) and `f64` for the
// simulated physical memory and per-thread addresses/counters. Offsets below are word
// indices into the view named by their prefix; regions are 8-byte aligned.
import type { Config } from './config.js';
import { NUM_COUNTERS } from './counters.js';
import { NUM_CLASSES } from './sizeclass.js';

/** Global header words (i32). */
export const H = {
  MAGIC: 0,
  CONFIG_BYTES: 1,
  POOL_LOCK: 2, // shared pool mutex: stage 3, SuperSlab free, LRU, trim (seed 004 alloc_lock)
  OS_LOCK: 3, // simulated kernel: mappings, page tables, frames
  NOW_MS: 4, // logical clock
  NEXT_TRIM_MS: 5,
  NEXT_TID: 6,
  SS_FREE: 7, // free SuperSlab table entries, a list through S.NEXT_FREE (index + 1)
  SS_HIGH: 8, // table entries ever handed out
  LRU_HEAD: 9, // most recently cached SuperSlab (index + 1)
  LRU_TAIL: 10, // oldest
  LRU_COUNT: 11,
  LEGACY_LIVE: 12,
  THREADS_LIVE: 13,
  UNUSED_SLOTS: 14, // UNUSED slots over all MAPPED SuperSlabs (never below the true count)
  LEGACY_PAGES: 15,
  SS_LIVE: 50, // SuperSlabs mapped (in the pool or the LRU)
  PEAK_SS_LIVE: 51,
  SS_POOL: 52, // SuperSlabs in the pool (mapped, not in the LRU)
  PEAK_SS_POOL: 53,
  VA_HIGH: 54, // end page of the highest mapping ever made (what a heap reuse must clear)
  EMPTY_SLOTS: 55, // EMPTY slots over all pooled SuperSlabs (never below the true count)
  CLASS_ACTIVE: 16, // [8] ACTIVE slots per class (seed 004 class_active_slots)
  EMPTY_HEAD: 24, // [8] stage 1 lists: tagged heads (tag << 22 | slot + 1)
  REG_SIZE: 32, // [8] per-class registry sizes (seed 000 g_super_reg_class_size)
  VMA_COUNT: 40,
  VA_CURSOR: 41, // next-fit hint, in pages
  MAPPED_PAGES: 42,
  PEAK_MAPPED_PAGES: 43,
  RESIDENT: 44,
  PEAK_RESIDENT: 45,
  FRAME_TOP: 46, // free frames on the stack
  FRAME_HIGH: 47, // frames ever handed out
  L2_TOP: 48,
  L2_HIGH: 49,
  WORDS: 64,
} as const;

export const CONFIG_MAX_BYTES = 8192;
export const HEAP_MAGIC = 0x51ab_c4e1;

/** SuperSlab table entry words (i32). */
export const S = {
  WORD: 0, // state << 16 | pins: claimers pin before touching slots; free needs 0 pins
  GEN: 1, // bumped when the entry is reused for another SuperSlab
  ACTIVE: 2, // total_active_blocks (seed 003)
  ACTIVE_SLOTS: 3, // slots in state ACTIVE (seed 000 active_slots)
  HOSTED: 4, // classes that have had a slab here (bitmask; ground truth for the registry)
  REGISTERED: 5, // classes whose registry lists this SuperSlab
  LRU_PREV: 6,
  LRU_NEXT: 7,
  STAMP: 8, // logical ms when cached
  NEXT_FREE: 9,
  BASE_PAGE: 10, // base address / page size
  UNUSED: 11, // UNUSED slots (never below the true count: claims lower it after the CAS)
  WORDS: 12,
} as const;

export const SS_NONE = 0; // table entry unused
export const SS_MAPPED = 1;
export const SS_FREEING = 2; // exclusive: being freed, cached or reset
export const SS_CACHED = 3; // in the LRU, still mapped
export const PIN_MASK = 0xffff;

/** Slot (slab) words (i32); slot id = ss index * slabsPerSS + slab. */
export const SL = {
  STATE: 0, // SLOT_UNUSED | SLOT_ACTIVE | SLOT_EMPTY (seed 004 sp_slot states)
  CLASS: 1,
  CAP: 2,
  CARVED: 3, // blocks handed out from the slab's bump region so far
  USED: 4, // meta->used: blocks not on the freelist (live, cached or queued remotely)
  FREE: 5, // freelist head: local block index + 1
  OWNER: 6, // owning thread id; ORPHAN once its thread exited with blocks still out
  RHEAD: 7, // remote MPSC queue head: local block index + 1 (seed 003 remote_heads)
  RCOUNT: 8, // seed 003 remote_counts
  LISTED: 9, // classes whose stage 1 list holds the slot (bitmask)
  LNEXT: 10, // [8] stage 1 list links, one per class list: slot id + 1
  WORDS: 18,
} as const;

export const SLOT_UNUSED = 0;
export const SLOT_ACTIVE = 1;
export const SLOT_EMPTY = 2;
/** SL.OWNER of a slab whose thread exited (thread ids start at 1). */
export const ORPHAN = 0;

/** Per-thread words (i32). */
export const T = {
  TID: 0, // 0 = slot free
  SLL_COUNT: 8, // [8]
  DRAIN_CTR: 16, // [8] frees since the last drain
  BOUND: 24, // [8] current slab per class: slot id + 1 (TLS g_tls_slabs)
  TL_COUNT: 32, // [8] variant tls-free-skips-used: the thread list
  OWN_SS: 40, // [8] variant tls-superslabs: the thread's SuperSlab per class, ss index + 1
  OWN_GEN: 48, // [8] its S.GEN when it was taken
  WORDS: 56,
} as const;

/** Per-thread words (f64). */
export const TF = {
  SLL_HEAD: 0, // [8] TLS SLL heads: block base address, 0 = empty (seed 001)
  TL_HEAD: 8, // [8]
  COUNTERS: 16,
  WORDS: 16 + NUM_COUNTERS,
} as const;

/** Second-level page tables cover this many pages. */
export const L2_PAGES = 512;

export class Layout {
  readonly bytes: number;
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
  readonly regions: number;
  readonly l2Count: number;
  readonly cellsPerPage: number;
  /** 1 / page size and 1 / SuperSlab size: powers of two, so address * scale is exact (no division on addresses). */
  readonly pageScale: number;
  readonly ssScale: number;
  /** lg of the slab size. */
  readonly slabShift: number;

  constructor(cfg: Config) {
    let w = 0; // running i32 offset
    const i32 = (words: number): number => {
      const at = w;
      w += words + (words & 1); // keep 8-byte alignment
      return at;
    };
    const f64 = (words: number): number => {
      const at = w / 2;
      w += words * 2;
      return at;
    };
    i32(H.WORDS);
    this.config = i32(CONFIG_MAX_BYTES / 4);
    this.ss = i32(cfg.maxSuperSlabs * S.WORDS);
    this.slots = i32(cfg.maxSuperSlabs * cfg.slabsPerSS * SL.WORDS);
    this.registry = i32(NUM_CLASSES * cfg.maxSuperSlabs);
    this.threads = i32(cfg.maxThreads * T.WORDS);
    this.vaPages = cfg.vaBytes / cfg.pageBytes;
    this.vaMapped = i32(Math.ceil(this.vaPages / 32));
    this.vaStart = i32(Math.ceil(this.vaPages / 32));
    this.regions = Math.ceil(this.vaPages / L2_PAGES);
    this.ptTop = i32(this.regions);
    this.l2Count = Math.min(this.regions, cfg.physPages);
    this.l2 = i32(this.l2Count * L2_PAGES);
    this.l2Resident = i32(this.l2Count);
    this.l2Free = i32(this.l2Count);
    this.frameFree = i32(cfg.physPages);
    this.retired = f64(NUM_COUNTERS);
    this.threadsF = f64(cfg.maxThreads * TF.WORDS);
    this.cellsPerPage = cfg.pageBytes / 8;
    this.pageScale = 1 / cfg.pageBytes;
    this.ssScale = 1 / cfg.ssBytes;
    this.slabShift = Math.log2(cfg.slabBytes);
    this.frames = f64(cfg.physPages * this.cellsPerPage);
    this.bytes = w * 4;
  }

  ssAt(ss: number): number {
    return this.ss + ss * S.WORDS;
  }
}
