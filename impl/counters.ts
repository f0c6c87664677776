// Event counters: one for every event the seeds log. Each thread counts into its own
// region (plain stores, no contention); a thread's counts fold into the retired totals
// when it exits. Totals = retired + live threads.

export const COUNTER_NAMES = [
  'allocs', // tiny allocations served (cache hits included; legacy ones are legacyFallbacks)
  'localFrees', // frees by the owning thread (fast or slow path)
  'remoteFrees', // frees pushed to another thread's slab queue (seed 003)
  'remoteDrained', // blocks taken off remote queues by owners
  'orphaned', // slabs an exiting thread left with blocks still out (seed 004 §4.2)
  'adopted', // orphaned slabs taken over by a thread freeing into them (or by a remote free that finds its owner gone: pool/release.ts remoteFree)
  'tlsDrains', // periodic TLS SLL drains (seed 001 Option B)
  'hdrResets', // TLS_SLL_HDR_RESET: bad header on a block leaving the cache (seed 004 §2)
  'emptyEvents', // slot ACTIVE -> EMPTY (seed 000 "EMPTY detected")
  'stage05Hits', // stage 0.5 EMPTY scan (seed 004 §1.2)
  'stage1Hits', // stage 1 per-class EMPTY list
  'stage2Hits', // stage 2 UNUSED claim
  'stage3Hits', // stage 3 new SuperSlab
  'capReclaims', // at the soft cap, an EMPTY slot of another class reused
  'softCapHits', // stage 3 refused by the soft cap
  'legacyFallbacks', // shared_fail->legacy (seed 004 §1.3)
  'lruPush', // seed 000 LRU_PUSH
  'lruPopHit',
  'lruPopMiss',
  'lruEvict', // LRU entries unmapped (TTL, count or byte limit)
  'ssAlloc', // SuperSlabs mapped fresh
  'ssFreed', // SuperSlab frees (to the LRU or munmap)
  'ssReset', // SuperSlabs trim kept as the empty reserve
  'trims', // trim passes
  'mmap',
  'munmap',
  'madvise', // populate calls (seed 002)
  'pageFaults',
  'prefaultedPages',
  'enomem', // ENOMEM: mmap (or a splitting munmap) at the mapping limit, no address space or table entry (seed 003 §5)
] as const;

export type CounterName = (typeof COUNTER_NAMES)[number];
export const NUM_COUNTERS = COUNTER_NAMES.length;

/** Counter ids by name: C.mmap etc. */
export const C = Object.fromEntries(COUNTER_NAMES.map((n, i) => [n, i])) as Record<CounterName, number>;

export type Counters = Record<CounterName, number>;
