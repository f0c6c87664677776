// Lifecycle events the allocator reports as they happen (docs/architecture.md §7): the checker
// replays them against the xstate machines and judges stage choices at the moment they
// are made. Events carry numbers only, so reporting costs nothing when no sink is set.

export const EV = {
  /** a = slot id, b = class, c = stage (STAGE_*) — slot UNUSED/EMPTY -> ACTIVE */
  SLOT_CLAIM: 1,
  /** a = slot id, b = class — slot ACTIVE -> EMPTY */
  SLOT_EMPTY: 2,
  /** a = slot id, b = state it had — trim reset it to UNUSED (empty reserve) */
  SLOT_RESET: 3,
  /** a = ss index — trim kept it mapped as the empty reserve, every slot UNUSED */
  SS_RESET: 12,
  /** a = ss index — SuperSlab mapped fresh (mmap) */
  SS_MAP: 4,
  /** a = ss index — MAPPED -> CACHED (LRU push); every slot of it goes with it */
  SS_CACHE: 5,
  /** a = ss index — CACHED -> MAPPED (LRU pop hit) */
  SS_REUSE: 6,
  /** a = ss index, b = state it had — MAPPED/CACHED -> UNMAPPED; every slot of it goes with it */
  SS_UNMAP: 7,
  /** a = class — a thread starts looking for a slab in the shared pool */
  ACQUIRE_BEGIN: 8,
  /** a = class — stage 3 refused by the soft cap */
  SOFT_CAP: 9,
  /** a = class — the allocation went to the legacy path */
  LEGACY: 10,
  /**
   * a = slot id — the claim or release reported for the slot is complete: class and
   * SuperSlab counts, registry entry and stage 1 list all published (seed 004 §1.2's
   * claims are lock-free and publish in several steps after the slot's CAS)
   */
  SLOT_SETTLED: 11,
} as const;

export const STAGE_EMPTY_SCAN = 1; // stage 0.5
export const STAGE_EMPTY_LIST = 2; // stage 1
export const STAGE_UNUSED = 3; // stage 2
export const STAGE_NEW_SS = 4; // stage 3
export const STAGE_CAP_RECLAIM = 5; // at the soft cap: an EMPTY slot of any class

export interface EventSink {
  event(kind: number, tid: number, a: number, b: number, c: number): void;
}
