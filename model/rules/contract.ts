// The contract's decision rules (issue 10 item 0): choices the allocator makes at its
// interface and in its policies, each judged when it is made by a stateful oracle — the
// file named in `raisedBy` — against what the contract predicts (model/contract.ts).
import type { Rule } from './rule.js';

const CONTRACT = 'model/contract.ts';
const TRIM = 'model/trim-oracle.ts';

export const CONTRACT_RULES: readonly Rule[] = [
  {
    id: 'ALLOC-SIZE',
    kind: 'decision',
    seed: '004_d59e0d336a26e3fe.txt §1.1 (C0-C7), impl/errors.ts (BAD_SIZE)',
    statement: 'malloc serves every size 0..2047 (size + its header byte fits a class) and refuses any other with BAD_SIZE',
    raisedBy: CONTRACT,
  },
  {
    id: 'FREE-ERROR',
    kind: 'decision',
    seed: 'impl/errors.ts',
    statement: 'a free of anything but a live block answers the code for what the address is (double, interior, foreign, never allocated, unmapped) and changes nothing',
    raisedBy: CONTRACT,
  },
  {
    id: 'LRU-POLICY',
    kind: 'decision',
    seed: '000_86274261e3f63077.txt, 001_4c03cbcfeeca547d.txt (hak_ss_lru_push/pop, max_cached, max_memory_mb, ttl_sec)',
    statement: 'a freed SuperSlab goes to the LRU head when the LRU is on, evicting expired entries and then the oldest while the count or bytes bound has no room; a map pops the newest entry and maps fresh only when the LRU is empty; entries expire at now − stamp ≥ TTL',
    raisedBy: 'model/lru-oracle.ts',
  },
  {
    id: 'TRIM-RESERVE',
    kind: 'decision',
    seed: '003_932746184e5394df.txt §1.1 (total_active_blocks == 0, not held, past g_empty_reserve)',
    statement: 'trim keeps the first HAKMEM_TINY_SS_RESERVE SuperSlabs with no active block and no holder (table order) mapped with every slot UNUSED, frees the others, and leaves every other SuperSlab in the pool',
    raisedBy: TRIM,
  },
  {
    id: 'IDLE-TRIM',
    kind: 'decision',
    seed: '003_932746184e5394df.txt Option B (HAKMEM_TINY_IDLE_TRIM_MS)',
    statement: 'idle trim runs exactly when a tick moves the clock to or past its deadline, and the next deadline is that tick\'s clock plus HAKMEM_TINY_IDLE_TRIM_MS',
    raisedBy: TRIM,
  },
  {
    id: 'TLS-DRAIN',
    kind: 'decision',
    seed: '001_4c03cbcfeeca547d.txt Option B (HAKMEM_TLS_SLL_DRAIN_INTERVAL)',
    statement: 'a free of a block of the thread\'s own slab goes to its cache while the cache has room (HAKMEM_TINY_SLL_CAP), and the cache of a class drains back to the slabs at exactly every HAKMEM_TLS_SLL_DRAIN_INTERVAL-th free it cached since that class last drained, not before',
    raisedBy: 'properties/decisions.ts',
  },
];
