// The invariant catalogue: stable IDs, each a pure function over an audit snapshot
// (impl/audit.ts) that returns the first violation it finds — what, where, expected,
// actual — or null. Safety invariants hold at every quiescent point (no operation half
// done); liveness invariants hold after quiescence: everything freed, drained, every
// thread exited, trimmed, the clock past the TTL.
import type { CachedBlock, Chain, SlotSnap, Snapshot, SsSnap } from '../impl/audit.js';

export interface Violation {
  id: string;
  what: string;
  where: string;
  expected: string;
  actual: string;
}

export interface Invariant {
  id: string;
  kind: 'safety' | 'liveness';
  /** The seed the rule comes from, and the rule in one line. */
  seed: string;
  rule: string;
  check(s: Snapshot): Violation | null;
}

const v = (id: string, what: string, where: string, expected: unknown, actual: unknown): Violation => ({
  id,
  what,
  where,
  expected: String(expected),
  actual: String(actual),
});

const maskText = (mask: number): string => {
  const classes = [...Array(8).keys()].filter((c) => mask & (1 << c));
  return classes.length === 0 ? 'none' : `class ${classes.join(', ')}`;
};
const slotName = (ss: SsSnap, slot: SlotSnap): string => `SuperSlab ${ss.index} slab ${slot.slab} (slot ${slot.slot})`;
const inUse = (slot: SlotSnap): boolean => slot.state !== 'UNUSED';
const pooled = (ss: SsSnap): boolean => ss.state !== 'CACHED';

type CachedBySlot = Map<number, { tid: number; cls: number; block: CachedBlock }[]>;
const cachedMemo = new WeakMap<Snapshot, CachedBySlot>();

/** Every block sitting in a thread cache (SLL or thread list), by slot id (built once per snapshot). */
function cachedBySlot(s: Snapshot): CachedBySlot {
  const memo = cachedMemo.get(s);
  if (memo !== undefined) return memo;
  const out: CachedBySlot = new Map();
  cachedMemo.set(s, out);
  for (const t of s.threads) {
    for (const lists of [t.sll, t.threadList]) {
      lists.forEach((blocks, cls) => {
        for (const block of blocks) {
          const list = out.get(block.slot) ?? [];
          list.push({ tid: t.tid, cls, block });
          out.set(block.slot, list);
        }
      });
    }
  }
  return out;
}

const slotsMemo = new WeakMap<Snapshot, [SsSnap, SlotSnap][]>();

/** Every slot with its SuperSlab (listed once per snapshot). */
function slots(s: Snapshot): [SsSnap, SlotSnap][] {
  let out = slotsMemo.get(s);
  if (out === undefined) {
    out = [];
    for (const ss of s.superslabs) for (const slot of ss.slots) out.push([ss, slot]);
    slotsMemo.set(s, out);
  }
  return out;
}

export const INVARIANTS: readonly Invariant[] = [
  {
    id: 'INV-FREELIST',
    kind: 'safety',
    seed: '003_932746184e5394df.txt §3.2, 004_d59e0d336a26e3fe.txt §4.3',
    rule: 'freelists and remote queues are acyclic, hold carved blocks only, each at most once',
    check(s) {
      const chain = (ss: SsSnap, slot: SlotSnap, name: string, c: Chain): Violation | null => {
        if (c.cycle) return v(this.id, `${name} is cyclic or longer than the slab`, slotName(ss, slot), `at most ${slot.capacity} blocks`, `${c.items.length}+ links`);
        if (c.items.length === 0) return null;
        const seen = new Set<number>();
        for (const idx of c.items) {
          if (idx < 0 || idx >= slot.carved) return v(this.id, `${name} links a block outside the carved range`, slotName(ss, slot), `index < ${slot.carved}`, idx);
          if (seen.has(idx)) return v(this.id, `${name} holds a block twice`, slotName(ss, slot), 'each block once', `block ${idx} twice`);
          seen.add(idx);
        }
        return null;
      };
      for (const [ss, slot] of slots(s)) {
        if (!inUse(slot)) continue;
        const bad = chain(ss, slot, 'freelist', slot.freelist) ?? chain(ss, slot, 'remote queue', slot.remote);
        if (bad !== null) return bad;
      }
      return null;
    },
  },
  {
    id: 'INV-CONSERVATION',
    kind: 'safety',
    seed: '001_4c03cbcfeeca547d.txt §2, 003_932746184e5394df.txt §3',
    rule: 'every carved block is in exactly one place: live, freelist, remote queue or one thread cache',
    check(s) {
      const cached = cachedBySlot(s);
      for (const [ss, slot] of slots(s)) {
        if (!inUse(slot)) continue;
        const where = new Map<number, string>();
        const place = (idx: number, name: string): Violation | null => {
          const before = where.get(idx);
          if (before !== undefined) return v(this.id, `block ${idx} is in two places`, slotName(ss, slot), 'one place', `${before} and ${name}`);
          where.set(idx, name);
          return null;
        };
        for (const idx of slot.live) { const bad = place(idx, 'live'); if (bad) return bad; }
        for (const idx of slot.freelist.items) { const bad = place(idx, 'freelist'); if (bad) return bad; }
        for (const idx of slot.remote.items) { const bad = place(idx, 'remote queue'); if (bad) return bad; }
        for (const c of cached.get(slot.slot) ?? []) { const bad = place(c.block.index, `thread ${c.tid} cache`); if (bad) return bad; }
        if (where.size !== slot.carved) {
          const lost: number[] = [];
          for (let idx = 0; idx < slot.carved && lost.length < 8; idx++) if (!where.has(idx)) lost.push(idx);
          return v(this.id, 'carved blocks are nowhere (lost)', slotName(ss, slot),
            `${slot.carved} carved = live + free + queued + cached`, `${where.size} found; missing: ${lost.map((idx) => `block #${idx}`).join(', ')}`);
        }
      }
      return null;
    },
  },
  {
    id: 'INV-USED',
    kind: 'safety',
    seed: '001_4c03cbcfeeca547d.txt §2 ("meta->used must reflect true state")',
    rule: '`used` counts the carved blocks not on the freelist (live, cached or queued)',
    check(s) {
      for (const [ss, slot] of slots(s)) {
        if (!inUse(slot) || slot.freelist.cycle) continue;
        const expected = slot.carved - slot.freelist.items.length;
        if (slot.used !== expected) return v(this.id, '`used` disagrees with the slab', slotName(ss, slot), `${expected} (carved ${slot.carved} - freelist ${slot.freelist.items.length})`, slot.used);
      }
      return null;
    },
  },
  {
    id: 'INV-REMOTE-COUNT',
    kind: 'safety',
    seed: '003_932746184e5394df.txt §3.2 (remote_counts)',
    rule: 'a slab\'s remote count is the length of its remote queue',
    check(s) {
      for (const [ss, slot] of slots(s)) {
        if (inUse(slot) && !slot.remote.cycle && slot.remoteCount !== slot.remote.items.length) {
          return v(this.id, 'remote count disagrees with the queue', slotName(ss, slot), slot.remote.items.length, slot.remoteCount);
        }
      }
      return null;
    },
  },
  {
    id: 'INV-ACTIVE-SUM',
    kind: 'safety',
    seed: '003_932746184e5394df.txt §3 (total_active_blocks on remote free)',
    rule: 'a SuperSlab\'s total_active_blocks is the number of its blocks live or in a thread cache',
    check(s) {
      const cached = cachedBySlot(s);
      for (const ss of s.superslabs) {
        if (!pooled(ss)) continue;
        let sum = 0;
        for (const slot of ss.slots) if (inUse(slot)) sum += slot.live.length + (cached.get(slot.slot)?.length ?? 0);
        if (ss.active !== sum) return v(this.id, 'total_active_blocks disagrees with the blocks in use', `SuperSlab ${ss.index}`, `${sum} (live + cached)`, ss.active);
      }
      return null;
    },
  },
  {
    id: 'INV-DISJOINT',
    kind: 'safety',
    seed: '004_d59e0d336a26e3fe.txt §2 (use-after-free, slab reuse without clear)',
    rule: 'live and cached blocks lie in ACTIVE slabs; a cached block is of its cache\'s class, in a slab its thread owns',
    check(s) {
      for (const [ss, slot] of slots(s)) {
        if (slot.live.length > 0 && slot.state !== 'ACTIVE') {
          return v(this.id, 'live block in a slab that is not ACTIVE', slotName(ss, slot), 'ACTIVE', `${slot.state} with ${slot.live.length} live`);
        }
      }
      const byIndex = new Map(s.superslabs.map((ss) => [ss.index, ss]));
      for (const [slotId, list] of cachedBySlot(s)) {
        const ss = byIndex.get(Math.floor(slotId / s.limits.slabsPerSS));
        const slot = ss?.slots[slotId % s.limits.slabsPerSS];
        for (const c of list) {
          if (ss === undefined || slot === undefined || slot.state !== 'ACTIVE') {
            return v(this.id, 'cached block in a slab that is not ACTIVE', `thread ${c.tid} class ${c.cls} cache`, 'an ACTIVE slab', slot?.state ?? 'no SuperSlab');
          }
          if (slot.cls !== c.cls || slot.owner !== c.tid) {
            return v(this.id, 'cached block of another class or owner', `thread ${c.tid} class ${c.cls} cache`, `class ${c.cls}, owner ${c.tid}`, `class ${slot.cls}, owner ${slot.owner}`);
          }
        }
      }
      return null;
    },
  },
  {
    id: 'INV-SLOT-STATE',
    kind: 'safety',
    seed: '000_86274261e3f63077.txt, 004_d59e0d336a26e3fe.txt §4.4',
    rule: 'slot states agree with slab metadata and with the pool counters; an ACTIVE slab with used 0 is bound to a thread',
    check(s) {
      const bound = new Set(s.threads.flatMap((t) => t.bound.filter((b) => b >= 0)));
      const classActive = new Array<number>(s.classActive.length).fill(0);
      let unusedTotal = 0;
      let emptyTotal = 0;
      for (const ss of s.superslabs) {
        if (!pooled(ss)) {
          const busy = ss.slots.find(inUse);
          if (busy) return v(this.id, 'a cached SuperSlab keeps a slot in use', slotName(ss, busy), 'UNUSED', busy.state);
          continue;
        }
        let active = 0;
        let unused = 0;
        for (const slot of ss.slots) {
          const where = slotName(ss, slot);
          if (slot.state === 'UNUSED') {
            unused++;
            if (slot.carved !== 0 || slot.used !== 0 || slot.owner !== 0) return v(this.id, 'UNUSED slot with slab state', where, 'carved 0, used 0, no owner', `carved ${slot.carved}, used ${slot.used}, owner ${slot.owner}`);
            continue;
          }
          const capacity = s.limits.capacity[slot.cls]?.[slot.slab === 0 ? 0 : 1];
          if (capacity === undefined || slot.capacity !== capacity) return v(this.id, 'slab capacity is not usable / stride', where, capacity, slot.capacity);
          if (slot.carved > slot.capacity) return v(this.id, 'carved past the capacity', where, `<= ${slot.capacity}`, slot.carved);
          if (slot.state === 'ACTIVE') {
            active++;
            classActive[slot.cls]!++;
            if (slot.used === 0 && !bound.has(slot.slot)) return v(this.id, 'ACTIVE slab with used 0 that no thread holds (EMPTY never detected)', where, 'EMPTY', 'ACTIVE, used 0');
          } else {
            emptyTotal++;
            if (slot.used !== 0 || slot.remote.items.length !== 0 || slot.live.length !== 0) {
              return v(this.id, 'EMPTY slab still in use', where, 'used 0, nothing queued or live', `used ${slot.used}, queued ${slot.remote.items.length}, live ${slot.live.length}`);
            }
          }
        }
        if (ss.activeSlots !== active) return v(this.id, 'active_slots disagrees with the slots', `SuperSlab ${ss.index}`, active, ss.activeSlots);
        if (ss.unused !== unused) return v(this.id, 'UNUSED count disagrees with the slots', `SuperSlab ${ss.index}`, unused, ss.unused);
        unusedTotal += unused;
      }
      for (let cls = 0; cls < classActive.length; cls++) {
        if (s.classActive[cls] !== classActive[cls]) return v(this.id, 'class_active_slots disagrees with the slots', `class ${cls}`, classActive[cls], s.classActive[cls]);
      }
      if (s.unusedSlots !== unusedTotal) return v(this.id, 'pool UNUSED count disagrees with the SuperSlabs', 'shared pool', unusedTotal, s.unusedSlots);
      if (s.emptySlots !== emptyTotal) return v(this.id, 'pool EMPTY count disagrees with the SuperSlabs', 'shared pool', emptyTotal, s.emptySlots);
      return null;
    },
  },
  {
    id: 'INV-EMPTY-LISTED',
    kind: 'safety',
    seed: '004_d59e0d336a26e3fe.txt §4.4 ("EMPTY slabs accumulate but never recycle")',
    rule: 'every EMPTY slot is on the stage 1 list of the class it last served; a slot is on each list at most once, marked exactly when it is',
    check(s) {
      const onLists = new Map<number, number>(); // slot -> bitmask of lists holding it
      for (let cls = 0; cls < s.emptyLists.length; cls++) {
        const list = s.emptyLists[cls]!;
        if (list.cycle) return v(this.id, 'stage 1 list is cyclic', `class ${cls} EMPTY list`, 'acyclic', `${list.items.length}+ links`);
        for (const slot of list.items) {
          const mask = onLists.get(slot) ?? 0;
          if (mask & (1 << cls)) return v(this.id, 'slot twice on a stage 1 list', `slot ${slot}`, 'once', `twice on class ${cls}'s list`);
          onLists.set(slot, mask | (1 << cls));
        }
      }
      for (const [ss, slot] of slots(s)) {
        const mask = onLists.get(slot.slot) ?? 0;
        if (slot.listed !== mask) return v(this.id, 'listed marks disagree with the lists', slotName(ss, slot), `lists ${maskText(mask)}`, `marked ${maskText(slot.listed)}`);
        if (slot.state === 'EMPTY' && pooled(ss) && (mask & (1 << slot.cls)) === 0) {
          return v(this.id, 'EMPTY slot not on its class\'s stage 1 list: stage 1 can never reuse it for that class', slotName(ss, slot), `on class ${slot.cls}'s list`, `on ${maskText(mask)}`);
        }
      }
      return null;
    },
  },
  {
    id: 'INV-REGISTRY',
    kind: 'safety',
    seed: '000_86274261e3f63077.txt (per-class registry not populated)',
    rule: 'every SuperSlab that has hosted a slab of class c is in class c\'s registry, once',
    check(s) {
      // one pass over the SuperSlabs (linear: seed 003 reached 49,123 of them)
      const listed = s.registry.map((entries) => new Set(entries));
      const missing: number[] = [];
      for (const ss of s.superslabs) {
        if (!pooled(ss)) continue;
        for (let cls = 0, hosted = ss.hosted; hosted !== 0; cls++, hosted >>>= 1) {
          if (hosted & 1 && missing[cls] === undefined && !listed[cls]!.has(ss.index)) missing[cls] = ss.index;
        }
      }
      for (let cls = 0; cls < s.registry.length; cls++) {
        const entries = s.registry[cls]!;
        if (listed[cls]!.size !== entries.length) return v(this.id, 'registry lists a SuperSlab twice', `class ${cls} registry`, 'each once', entries.join(','));
        if (missing[cls] !== undefined) {
          return v(this.id, 'SuperSlab hosting the class is missing from its registry', `class ${cls} registry`, `contains SuperSlab ${missing[cls]}`, `[${entries.join(', ')}]`);
        }
      }
      return null;
    },
  },
  {
    id: 'INV-PINS',
    kind: 'safety',
    seed: '003_932746184e5394df.txt §1.1 (not held by a thread cache)',
    rule: 'a SuperSlab\'s pins are the threads binding one of its slabs; a bound slab is ACTIVE, of the class, owned by the thread',
    check(s) {
      const pins = new Map<number, number>();
      const byIndex = new Map(s.superslabs.map((ss) => [ss.index, ss]));
      for (const t of s.threads) {
        for (let cls = 0; cls < t.bound.length; cls++) {
          const b = t.bound[cls]!;
          if (b < 0) continue;
          const ss = byIndex.get(Math.floor(b / s.limits.slabsPerSS));
          const slot = ss?.slots[b % s.limits.slabsPerSS];
          if (ss === undefined || slot === undefined || slot.state !== 'ACTIVE' || slot.cls !== cls || slot.owner !== t.tid) {
            return v(this.id, 'thread binds a slab that is not its ACTIVE slab of the class', `thread ${t.tid} class ${cls}`, `ACTIVE, class ${cls}, owner ${t.tid}`,
              slot === undefined ? 'no such slab' : `${slot.state}, class ${slot.cls}, owner ${slot.owner}`);
          }
          pins.set(ss.index, (pins.get(ss.index) ?? 0) + 1);
        }
      }
      for (const ss of s.superslabs) {
        const expected = pins.get(ss.index) ?? 0;
        if (ss.pins !== expected) return v(this.id, 'pin count disagrees with the bindings', `SuperSlab ${ss.index}`, expected, ss.pins);
      }
      return null;
    },
  },
  {
    id: 'INV-OWNER',
    kind: 'safety',
    seed: '004_d59e0d336a26e3fe.txt §4.2 (adopt), 003_932746184e5394df.txt §2.2 (only the owner drains)',
    rule: 'an ACTIVE slab is owned by a live thread or ORPHAN (its thread exited): never by a thread that is gone',
    check(s) {
      const live = new Set(s.threads.map((t) => t.tid));
      for (const [ss, slot] of slots(s)) {
        if (pooled(ss) && slot.state === 'ACTIVE' && slot.owner !== 0 && !live.has(slot.owner)) {
          return v(this.id, 'ACTIVE slab owned by an exited thread: nobody will drain it', slotName(ss, slot),
            `a live thread or ORPHAN`, `thread ${slot.owner} (exited)`);
        }
      }
      return null;
    },
  },
  {
    id: 'INV-HEADER',
    kind: 'safety',
    seed: '004_d59e0d336a26e3fe.txt §2 (TLS_SLL_HDR_RESET)',
    rule: 'SuperSlab headers name their table entry; every carved block carries 0xa0 | class',
    check(s) {
      for (const ss of s.superslabs) {
        if (!ss.headerOk) return v(this.id, 'SuperSlab header does not name its entry', `SuperSlab ${ss.index}`, 'magic + index', 'other');
        for (const slot of ss.slots) {
          if (inUse(slot) && slot.badHeaders.length > 0) return v(this.id, 'block header corrupted', slotName(ss, slot), `0x${(0xa0 | slot.cls).toString(16)}`, `bad at blocks ${slot.badHeaders.slice(0, 8).join(', ')}`);
        }
      }
      return null;
    },
  },
  {
    id: 'INV-LRU',
    kind: 'safety',
    seed: '000_86274261e3f63077.txt (SS_LRU_INIT max_cached=256 max_memory_mb=512 ttl_sec=60)',
    rule: 'the LRU holds exactly the cached SuperSlabs, within its count and byte limits and, while idle trim runs, its TTL',
    check(s) {
      const { lruMaxCached, lruMaxBytes, lruTtlMs, idleTrimMs, ssBytes } = s.limits;
      const cached = s.superslabs.filter((ss) => ss.state === 'CACHED').map((ss) => ss.index).sort((a, b) => a - b);
      const listed = [...s.lru].sort((a, b) => a - b);
      if (cached.join() !== listed.join() || s.lru.length !== s.lruCount) {
        return v(this.id, 'LRU list and cached SuperSlabs differ', 'LRU', `[${cached.join(', ')}] (count ${cached.length})`, `[${listed.join(', ')}] (count ${s.lruCount})`);
      }
      if (s.lruCount > lruMaxCached || s.lruCount * ssBytes > lruMaxBytes) {
        return v(this.id, 'LRU over its limits', 'LRU', `<= ${lruMaxCached} entries and ${lruMaxBytes} bytes`, `${s.lruCount} entries, ${s.lruCount * ssBytes} bytes`);
      }
      if (idleTrimMs > 0) {
        for (const ss of s.superslabs) {
          if (ss.state === 'CACHED' && s.nowMs - ss.stamp >= lruTtlMs + idleTrimMs) {
            return v(this.id, 'LRU entry outlived its TTL by a whole idle trim interval (trim not running)', `SuperSlab ${ss.index}`, `age < ${lruTtlMs + idleTrimMs} ms`, `${s.nowMs - ss.stamp} ms`);
          }
        }
      }
      return null;
    },
  },
  {
    id: 'INV-MAP-BALANCE',
    kind: 'safety',
    seed: '002_b461f92c61066b62.txt §3 (2x mmap then trim), 003_932746184e5394df.txt §5',
    rule: 'each pooled or cached SuperSlab and each legacy block is one mapping of its size; nothing else is mapped',
    check(s) {
      const ssCount = s.superslabs.length;
      if (s.os.ssLive !== ssCount) return v(this.id, 'live SuperSlab count disagrees with the table', 'shared pool', ssCount, s.os.ssLive);
      const pooled = s.superslabs.filter((ss) => ss.state !== 'CACHED').length;
      if (s.os.ssPool !== pooled) return v(this.id, 'pool SuperSlab count disagrees with the table', 'shared pool', pooled, s.os.ssPool);
      const vmas = ssCount + s.legacyLive;
      if (s.os.vmaCount !== vmas) return v(this.id, 'mapping count disagrees with SuperSlabs + legacy blocks', 'simulated OS', `${vmas} (${ssCount} SuperSlabs + ${s.legacyLive} legacy)`, s.os.vmaCount);
      const bytes = ssCount * Math.max(s.limits.ssBytes, s.limits.pageBytes) + s.legacyPages * s.limits.pageBytes;
      if (s.os.mappedBytes !== bytes) return v(this.id, 'mapped bytes disagree with SuperSlabs + legacy blocks', 'simulated OS', bytes, s.os.mappedBytes);
      if (s.os.vmaCount > s.limits.maxMapCount) return v(this.id, 'over vm.max_map_count', 'simulated OS', `<= ${s.limits.maxMapCount}`, s.os.vmaCount);
      return null;
    },
  },
  {
    id: 'INV-QUIESCENT',
    kind: 'safety',
    seed: '004_d59e0d336a26e3fe.txt §1.2 (alloc_lock)',
    rule: 'between operations no lock is held and no SuperSlab is mid-free',
    check(s) {
      if (s.poolLockHeld) return v(this.id, 'pool lock held between operations', 'shared pool', 'free', 'held');
      const freeing = s.superslabs.find((ss) => ss.state === 'FREEING');
      if (freeing) return v(this.id, 'SuperSlab left mid-free', `SuperSlab ${freeing.index}`, 'MAPPED or CACHED', 'FREEING');
      return null;
    },
  },
  {
    id: 'LIVE-RECLAIM',
    kind: 'liveness',
    seed: '000_86274261e3f63077.txt, 003_932746184e5394df.txt (freed=0)',
    rule: 'after quiescence every SuperSlab is cached or unmapped, but for at most HAKMEM_TINY_SS_RESERVE empty ones kept mapped',
    check(s) {
      let reserve = 0;
      for (const ss of s.superslabs) {
        if (ss.state === 'CACHED') continue;
        const busy = ss.slots.find(inUse);
        if (busy !== undefined || ss.active !== 0) {
          return v(this.id, 'SuperSlab never reclaimed', `SuperSlab ${ss.index}`, 'cached or unmapped',
            `${ss.state}, ${ss.active} active blocks${busy ? `, slab ${busy.slab} ${busy.state} used ${busy.used}` : ''}`);
        }
        reserve++;
      }
      if (reserve > s.limits.emptyReserve) return v(this.id, 'more empty SuperSlabs kept mapped than the reserve', 'shared pool', `<= ${s.limits.emptyReserve}`, reserve);
      return null;
    },
  },
  {
    id: 'MEM-BOUND',
    kind: 'liveness',
    seed: '003_932746184e5394df.txt §9 (VmSize 167 GB for 4096 live blocks)',
    rule: 'after quiescence with the clock past the TTL, at most the empty reserve stays mapped and resident',
    check(s) {
      const bound = s.limits.emptyReserve * Math.max(s.limits.ssBytes, s.limits.pageBytes);
      if (s.os.mappedBytes > bound) return v(this.id, 'memory still mapped after quiescence', 'simulated OS', `<= ${bound} bytes (reserve)`, `${s.os.mappedBytes} bytes`);
      if (s.os.rssBytes > bound) return v(this.id, 'memory still resident after quiescence', 'simulated OS', `<= ${bound} bytes (reserve)`, `${s.os.rssBytes} bytes`);
      return null;
    },
  },
];

const isSafety = (inv: Invariant): boolean => inv.kind === 'safety';

/** The first violation among the invariants `which` selects (default: safety), in catalogue order. */
export function firstViolation(s: Snapshot, which: (inv: Invariant) => boolean = isSafety): Violation | null {
  for (const inv of INVARIANTS) {
    if (!which(inv)) continue;
    const bad = inv.check(s);
    if (bad !== null) return bad;
  }
  return null;
}

/** The catalogue entry with stable ID `id`. */
export function invariantById(id: string): Invariant | undefined {
  return INVARIANTS.find((inv) => inv.id === id);
}
