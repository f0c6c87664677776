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
    rules: ['INV-LRU', 'LIVE-RECLAIM', 'MEM-BOUND'], // LRU entries outlive their TTL, nothing reclaimed
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
];

export function variantByName(name: string): Variant | undefined {
  return VARIANTS.find((v) => v.name === name);
}
