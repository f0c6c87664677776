// The seeds' bugs, on demand (docs/architecture.md §6). Each variant puts one documented faulty
// behaviour back; the code reads its flag at exactly the faulty spot. Default: none.

export interface Variant {
  readonly name: string;
  readonly flag: number;
  readonly seed: string;
  readonly bug: string;
  /**
   * The rules expected to catch it (model/rules/catalogue.ts IDs), the first the usual one:
   * `zoo` and the tests fail a variant caught by any other rule.
   */
  readonly rules: readonly string[];
  /** Knobs the bug needs to show (check and zoo put them on top of each configuration, like --set). */
  readonly set?: Readonly<Record<string, number>>;
  /**
   * Random checking is not expected to find it (a torn read: one schedule in very many shows
   * it; `check --runs 20000` does not); `slabcheck prove` finds it within this bound, with the
   * default letters, size and policy (test/prove.test.ts). zoo judges it by that search, and
   * by the same bound without preemptions, which must pass (the race needs an interleaving).
   */
  readonly foundBy?: { readonly prove: ProveBound };
}

/** Threads x operations per thread x preemptions: a bound of `slabcheck prove`. */
export interface ProveBound {
  readonly threads: number;
  readonly ops: number;
  readonly preemptions: number;
}

export const V = {
  TLS_FREE_SKIPS_USED: 1 << 0,
  REMOTE_FREE_SKIPS_ACTIVE: 1 << 1,
  DRAIN_SKIPS_EMPTY: 1 << 2,
  EMPTY_SCAN_LIMIT: 1 << 3,
  REGISTRY_UNPOPULATED: 1 << 4,
  SOFTCAP_LEGACY_FALLBACK: 1 << 5,
  NO_IDLE_TRIM: 1 << 6,
  WHOLE_SUPERSLAB_ONLY: 1 << 7,
  REMOTE_PUSH_RACY: 1 << 8,
  DRAIN_NONATOMIC_TAKE: 1 << 9,
  NO_ORPHAN_ADOPT: 1 << 10,
  TLS_SUPERSLABS: 1 << 11,
  ORPHAN_PUSH_RACE: 1 << 12,
  SIZE_CLASS_NO_HEADER: 1 << 13,
  INTERIOR_FREE_ROUNDS_DOWN: 1 << 14,
  NEVER_ALLOCATED_AS_DOUBLE: 1 << 15,
  LRU_POPS_OLDEST: 1 << 16,
  LRU_TTL_LATE: 1 << 17,
  LRU_BYTES_IGNORED: 1 << 18,
  TRIM_RESERVE_PLUS_ONE: 1 << 19,
  DRAIN_INTERVAL_LATE: 1 << 20,
  IDLE_TRIM_LATE: 1 << 21,
  PIN_CHECK_TORN: 1 << 22,
} as const;

export const VARIANTS: readonly Variant[] = [
  {
    name: 'tls-free-skips-used',
    flag: V.TLS_FREE_SKIPS_USED,
    seed: '001_4c03cbcfeeca547d.txt',
    bug: 'fast-path free never lowers `used`; its drain goes to a thread list, not the slab',
    rules: ['INV-CONSERVATION', 'INV-USED', 'INV-SLOT-STATE'], // carved blocks that are nowhere, or `used` disagreeing with the blocks in use
  },
  {
    name: 'remote-free-skips-active',
    flag: V.REMOTE_FREE_SKIPS_ACTIVE,
    seed: '003_932746184e5394df.txt',
    bug: 'a remote free never lowers `total_active_blocks`',
    rules: ['INV-ACTIVE-SUM'],
  },
  {
    name: 'drain-skips-empty',
    flag: V.DRAIN_SKIPS_EMPTY,
    seed: '004_d59e0d336a26e3fe.txt §4.3-4.4',
    bug: 'drains lower `used` but never mark the slab EMPTY or release it',
    rules: ['INV-SLOT-STATE', 'INV-EMPTY-LISTED', 'LIVE-RECLAIM'], // an ACTIVE slab with used 0 that nobody holds
  },
  {
    name: 'empty-scan-limit',
    flag: V.EMPTY_SCAN_LIMIT,
    seed: '004_d59e0d336a26e3fe.txt §4.1',
    bug: 'stage 0.5 looks only at the first HAKMEM_SS_EMPTY_SCAN_LIMIT (16) SuperSlabs of a class',
    rules: ['INV-EMPTY-FIRST'], // a stage 2/3 claim while an EMPTY slot is reachable
  },
  {
    name: 'registry-unpopulated',
    flag: V.REGISTRY_UNPOPULATED,
    seed: '000_86274261e3f63077.txt',
    bug: 'the per-class registry stays empty, so stage 0.5 never hits',
    rules: ['INV-REGISTRY'],
  },
  {
    name: 'softcap-legacy-fallback',
    flag: V.SOFTCAP_LEGACY_FALLBACK,
    seed: '004_d59e0d336a26e3fe.txt §5.1',
    bug: 'at the soft cap, stage 3 fails to the legacy path even though EMPTY slots exist',
    rules: ['INV-EMPTY-FIRST', 'INV-SOFTCAP'],
  },
  {
    name: 'no-idle-trim',
    flag: V.NO_IDLE_TRIM,
    seed: '003_932746184e5394df.txt §1.2',
    bug: 'trim never runs during a run',
    rules: ['IDLE-TRIM', 'INV-LRU', 'LIVE-RECLAIM', 'MEM-BOUND'], // the tick that reaches its deadline runs no trim; LRU entries outlive their TTL, nothing reclaimed
  },
  {
    name: 'whole-superslab-only',
    flag: V.WHOLE_SUPERSLAB_ONLY,
    seed: '000_86274261e3f63077.txt',
    bug: 'an emptied slab is only reusable once its whole SuperSlab is empty',
    rules: ['INV-EMPTY-FIRST'],
  },
  {
    name: 'remote-push-racy',
    flag: V.REMOTE_PUSH_RACY,
    seed: '004_d59e0d336a26e3fe.txt §2 hypothesis 2',
    bug: 'the remote push uses load/store instead of CAS',
    rules: ['INV-CONSERVATION', 'INV-REMOTE-COUNT', 'INV-FREELIST'], // a lost or doubled remote push
  },
  {
    name: 'drain-nonatomic-take',
    flag: V.DRAIN_NONATOMIC_TAKE,
    seed: '004_d59e0d336a26e3fe.txt §4.3',
    bug: 'the drain reads the queue head and later stores 0 instead of one atomic exchange',
    rules: ['INV-CONSERVATION', 'INV-REMOTE-COUNT', 'INV-FREELIST'], // pushes between the read and the store of 0 are lost
  },
  {
    name: 'no-orphan-adopt',
    flag: V.NO_ORPHAN_ADOPT,
    seed: '004_d59e0d336a26e3fe.txt §4.2, 003_932746184e5394df.txt §2.2',
    bug: 'an exiting thread keeps its slabs; nobody adopts them, so frees into them stay remote and undrained',
    rules: ['INV-OWNER'], // a slab nobody can drain any more
  },
  {
    name: 'tls-superslabs',
    flag: V.TLS_SUPERSLABS,
    seed: '003_932746184e5394df.txt §2.2',
    bug: 'each thread carves slabs only from SuperSlabs it mapped itself (g_tls_slabs[class]->ss): no shared pool',
    rules: ['INV-EMPTY-FIRST'], // a new SuperSlab while the pool has EMPTY slots
  },
  {
    name: 'orphan-push-race',
    flag: V.ORPHAN_PUSH_RACE,
    seed: '003_932746184e5394df.txt §2.2, 004_d59e0d336a26e3fe.txt §4.2',
    bug: 'a remote push that read the owner before it orphaned the slab and exited lands in a queue nobody drains (trim hides it)',
    rules: ['LIVE-RECLAIM'], // nobody drains it: the SuperSlab is never reclaimed
    set: { HAKMEM_TINY_TRIM_SS: 0 },
  },
  // Wrong policies at the allocator's interface (issue 10 item 0): each breaks a decision
  // of the contract (model/contract.ts) while the heap's accounting stays consistent.
  {
    name: 'size-class-no-header',
    flag: V.SIZE_CLASS_NO_HEADER,
    seed: '004_d59e0d336a26e3fe.txt §2 (the header byte)',
    bug: 'size -> class forgets the one-byte header: a request of exactly a stride gets that class, 2048 gets C7',
    rules: ['ALLOC-CLASS', 'ALLOC-SIZE'],
  },
  {
    name: 'interior-free-rounds-down',
    flag: V.INTERIOR_FREE_ROUNDS_DOWN,
    seed: '004_d59e0d336a26e3fe.txt §2 (free checks what it is given)',
    bug: 'free of an interior pointer rounds it down to its block and frees that block (impl/errors.ts: FREE_INTERIOR)',
    rules: ['FREE-ERROR'],
  },
  {
    name: 'never-allocated-as-double',
    flag: V.NEVER_ALLOCATED_AS_DOUBLE,
    seed: '004_d59e0d336a26e3fe.txt §2 (free checks what it is given)',
    bug: 'free of a block its slab never handed out answers FREE_DOUBLE (impl/errors.ts: FREE_NEVER_ALLOCATED)',
    rules: ['FREE-ERROR'],
  },
  {
    name: 'lru-pops-oldest',
    flag: V.LRU_POPS_OLDEST,
    seed: '000_86274261e3f63077.txt (hak_ss_lru_pop; also seed 001)',
    bug: 'the LRU pop takes the oldest entry instead of the newest',
    rules: ['LRU-POLICY'],
  },
  {
    name: 'lru-ttl-late',
    flag: V.LRU_TTL_LATE,
    seed: '000_86274261e3f63077.txt (ttl_sec)',
    bug: 'an LRU entry expires one ms late (now - stamp > TTL)',
    rules: ['LRU-POLICY'],
  },
  {
    name: 'lru-bytes-ignored',
    flag: V.LRU_BYTES_IGNORED,
    seed: '000_86274261e3f63077.txt (max_memory_mb)',
    bug: 'the LRU push checks the count bound only, not the bytes bound',
    rules: ['LRU-POLICY'],
  },
  {
    name: 'trim-reserve-plus-one',
    flag: V.TRIM_RESERVE_PLUS_ONE,
    seed: '003_932746184e5394df.txt §1.1 (g_empty_reserve)',
    bug: 'trim keeps one empty SuperSlab more than HAKMEM_TINY_SS_RESERVE',
    rules: ['TRIM-RESERVE'],
  },
  {
    name: 'drain-interval-late',
    flag: V.DRAIN_INTERVAL_LATE,
    seed: '001_4c03cbcfeeca547d.txt Option B',
    bug: 'the TLS cache drains one free after HAKMEM_TLS_SLL_DRAIN_INTERVAL',
    rules: ['TLS-DRAIN'],
  },
  {
    name: 'idle-trim-late',
    flag: V.IDLE_TRIM_LATE,
    seed: '003_932746184e5394df.txt Option B',
    bug: 'idle trim runs only once the clock is past its deadline, not at it',
    rules: ['IDLE-TRIM'],
  },
  {
    name: 'pin-check-torn',
    flag: V.PIN_CHECK_TORN,
    seed: '004_d59e0d336a26e3fe.txt §13.1 hypothesis 1 (use after free on recycling)',
    bug: 'pin checks the SuperSlab state in one read and pins what a second read returned: a SuperSlab held for freeing is pinned, cached and claimed from',
    rules: ['INV-LIFECYCLE'],
    foundBy: { prove: { threads: 2, ops: 2, preemptions: 1 } },
  },
];

export function variantByName(name: string): Variant | undefined {
  return VARIANTS.find((v) => v.name === name);
}
