// The safety rules (docs/architecture.md §8): pure functions of an audit snapshot
// (model/audit.ts) that hold at every quiescent point — no operation half done. Each returns
// the first violation it finds (what, where, expected, actual) or null. Catalogue order is
// judging order: the first rule broken is the one reported.
import type { Chain, SlotSnap, Snapshot, SsSnap } from '../audit.js';
import { headerByte, slabOfSlot, ssOfSlot } from '../../impl/locators.js';
import { violation, type CheckedRule, type Violation } from './rule.js';
import { cachedBySlot, inUse, Marks, maskText, pooled, slotName, superSlabAt } from './views.js';

// The rules run one at a time: they share one scratch map (views.ts Marks).
const marks = new Marks();

// Marks block `idx` with `mark`; when it was marked already, [idx, its mark, `mark`], else null.
function markOne(idx: number, mark: number): [number, number, number] | null {
  const before = marks.get(idx);
  if (before !== 0) return [idx, before, mark];
  marks.set(idx, mark);
  return null;
}

// Marks each block index of `items` with `mark`; the first clash (markOne), or null.
function markAll(items: readonly number[], mark: number): [number, number, number] | null {
  for (let k = 0; k < items.length; k++) {
    const clash = markOne(items[k]!, mark);
    if (clash !== null) return clash;
  }
  return null;
}

// The LRU lists each CACHED SuperSlab once and nothing else, and its count says so (no array sorted or joined when it holds).
function sameLru(s: Snapshot): boolean {
  if (s.lru.length !== s.lruCount) return false;
  let cached = 0;
  for (const ss of s.superslabs) if (ss.state === 'CACHED') cached++;
  if (cached !== s.lru.length) return false;
  marks.clear();
  for (const index of s.lru) {
    if (marks.get(index) !== 0 || superSlabAt(s, index)?.state !== 'CACHED') return false;
    marks.set(index, 1);
  }
  return true;
}

// A live thread has id `tid` (a loop, not a closure per slot: INV-OWNER asks for each ACTIVE slot).
function hasThread(s: Snapshot, tid: number): boolean {
  for (const t of s.threads) if (t.tid === tid) return true;
  return false;
}

const NO_CACHED: readonly { tid: number; block: { index: number } }[] = [];

export const SAFETY_RULES: readonly CheckedRule<Snapshot>[] = [
  {
    id: 'INV-FREELIST',
    kind: 'safety',
    seed: '003_932746184e5394df.txt §3.2, 004_d59e0d336a26e3fe.txt §4.3',
    statement: 'freelists and remote queues are acyclic, hold carved blocks only, each at most once',
    check(s) {
      const chain = (ss: SsSnap, slot: SlotSnap, name: string, c: Chain): Violation | null => {
        if (c.cycle) return violation(this.id, `${name} is cyclic or longer than the slab`, slotName(ss, slot), `at most ${slot.capacity} blocks`, `${c.items.length}+ links`);
        if (c.items.length === 0) return null;
        marks.clear();
        for (const idx of c.items) {
          if (idx < 0 || idx >= slot.carved) return violation(this.id, `${name} links a block outside the carved range`, slotName(ss, slot), `index < ${slot.carved}`, idx);
          if (marks.get(idx) !== 0) return violation(this.id, `${name} holds a block twice`, slotName(ss, slot), 'each block once', `block ${idx} twice`);
          marks.set(idx, 1);
        }
        return null;
      };
      for (const ss of s.superslabs) {
        for (const slot of ss.slots) {
          if (!inUse(slot)) continue;
          const bad = chain(ss, slot, 'freelist', slot.freelist) ?? chain(ss, slot, 'remote queue', slot.remote);
          if (bad !== null) return bad;
        }
      }
      return null;
    },
  },
  {
    id: 'INV-CONSERVATION',
    kind: 'safety',
    seed: '001_4c03cbcfeeca547d.txt §2, 003_932746184e5394df.txt §3',
    statement: 'every carved block is in exactly one place: live, freelist, remote queue or one thread cache',
    check(s) {
      const cached = cachedBySlot(s);
      for (const ss of s.superslabs) {
        for (const slot of ss.slots) {
          if (!inUse(slot)) continue;
          // each block's place, as a mark: 1 live, 2 freelist, 3 remote queue, 4 + k the slot's k-th cached block
          const inCache = cached.get(slot.slot) ?? NO_CACHED;
          marks.clear();
          let clash = markAll(slot.live, 1) ?? markAll(slot.freelist.items, 2) ?? markAll(slot.remote.items, 3);
          for (let k = 0; clash === null && k < inCache.length; k++) clash = markOne(inCache[k]!.block.index, 4 + k);
          if (clash !== null) {
            const [idx, before, mark] = clash;
            const name = (m: number): string => ['', 'live', 'freelist', 'remote queue'][m] ?? `thread ${inCache[m - 4]!.tid} cache`;
            return violation(this.id, `block ${idx} is in two places`, slotName(ss, slot), 'one place', `${name(before)} and ${name(mark)}`);
          }
          const found = slot.live.length + slot.freelist.items.length + slot.remote.items.length + inCache.length; // each marked once
          if (found !== slot.carved) {
            const lost: number[] = [];
            for (let idx = 0; idx < slot.carved && lost.length < 8; idx++) if (marks.get(idx) === 0) lost.push(idx);
            return violation(this.id, 'carved blocks are nowhere (lost)', slotName(ss, slot),
              `${slot.carved} carved = live + free + queued + cached`, `${found} found; missing: ${lost.map((idx) => `block #${idx}`).join(', ')}`);
          }
        }
      }
      return null;
    },
  },
  {
    id: 'INV-USED',
    kind: 'safety',
    seed: '001_4c03cbcfeeca547d.txt §2 ("meta->used must reflect true state")',
    statement: '`used` counts the carved blocks not on the freelist (live, cached or queued)',
    check(s) {
      for (const ss of s.superslabs) {
        for (const slot of ss.slots) {
          if (!inUse(slot) || slot.freelist.cycle) continue;
          const expected = slot.carved - slot.freelist.items.length;
          if (slot.used !== expected) return violation(this.id, '`used` disagrees with the slab', slotName(ss, slot), `${expected} (carved ${slot.carved} - freelist ${slot.freelist.items.length})`, slot.used);
        }
      }
      return null;
    },
  },
  {
    id: 'INV-REMOTE-COUNT',
    kind: 'safety',
    seed: '003_932746184e5394df.txt §3.2 (remote_counts)',
    statement: 'a slab\'s remote count is the length of its remote queue',
    check(s) {
      for (const ss of s.superslabs) {
        for (const slot of ss.slots) {
          if (inUse(slot) && !slot.remote.cycle && slot.remoteCount !== slot.remote.items.length) {
            return violation(this.id, 'remote count disagrees with the queue', slotName(ss, slot), slot.remote.items.length, slot.remoteCount);
          }
        }
      }
      return null;
    },
  },
  {
    id: 'INV-ACTIVE-SUM',
    kind: 'safety',
    seed: '003_932746184e5394df.txt §3 (total_active_blocks on remote free)',
    statement: 'a SuperSlab\'s total_active_blocks is the number of its blocks live or in a thread cache',
    check(s) {
      const cached = cachedBySlot(s);
      for (const ss of s.superslabs) {
        if (!pooled(ss)) continue;
        let sum = 0;
        for (const slot of ss.slots) if (inUse(slot)) sum += slot.live.length + (cached.get(slot.slot)?.length ?? 0);
        if (ss.active !== sum) return violation(this.id, 'total_active_blocks disagrees with the blocks in use', `SuperSlab ${ss.index}`, `${sum} (live + cached)`, ss.active);
      }
      return null;
    },
  },
  {
    id: 'INV-DISJOINT',
    kind: 'safety',
    seed: '004_d59e0d336a26e3fe.txt §2 (use-after-free, slab reuse without clear)',
    statement: 'live and cached blocks lie in ACTIVE slabs; a cached block is of its cache\'s class, in a slab its thread owns',
    check(s) {
      for (const ss of s.superslabs) {
        for (const slot of ss.slots) {
          if (slot.live.length > 0 && slot.state !== 'ACTIVE') {
            return violation(this.id, 'live block in a slab that is not ACTIVE', slotName(ss, slot), 'ACTIVE', `${slot.state} with ${slot.live.length} live`);
          }
        }
      }
      const cached = cachedBySlot(s);
      for (const slotId of cached.keys()) {
        const list = cached.get(slotId)!;
        const ss = superSlabAt(s, ssOfSlot(s.limits, slotId));
        const slot = ss?.slots[slabOfSlot(s.limits, slotId)];
        for (const c of list) {
          if (ss === undefined || slot === undefined || slot.state !== 'ACTIVE') {
            return violation(this.id, 'cached block in a slab that is not ACTIVE', `thread ${c.tid} class ${c.cls} cache`, 'an ACTIVE slab', slot?.state ?? 'no SuperSlab');
          }
          if (slot.cls !== c.cls || slot.owner !== c.tid) {
            return violation(this.id, 'cached block of another class or owner', `thread ${c.tid} class ${c.cls} cache`, `class ${c.cls}, owner ${c.tid}`, `class ${slot.cls}, owner ${slot.owner}`);
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
    statement: 'slot states agree with slab metadata and with the pool counters; an ACTIVE slab with used 0 is bound to a thread',
    check(s) {
      marks.clear(); // slots bound to a thread
      for (const t of s.threads) for (const b of t.bound) if (b >= 0) marks.set(b, 1);
      const classActive = new Array<number>(s.classActive.length).fill(0);
      let unusedTotal = 0;
      let emptyTotal = 0;
      for (const ss of s.superslabs) {
        if (!pooled(ss)) {
          const busy = ss.slots.find(inUse);
          if (busy) return violation(this.id, 'a cached SuperSlab keeps a slot in use', slotName(ss, busy), 'UNUSED', busy.state);
          continue;
        }
        let active = 0;
        let unused = 0;
        for (const slot of ss.slots) {
          if (slot.state === 'UNUSED') {
            unused++;
            if (slot.carved !== 0 || slot.used !== 0 || slot.owner !== 0) return violation(this.id, 'UNUSED slot with slab state', slotName(ss, slot), 'carved 0, used 0, no owner', `carved ${slot.carved}, used ${slot.used}, owner ${slot.owner}`);
            continue;
          }
          const capacity = s.limits.capacity[slot.cls]?.[slot.slab === 0 ? 0 : 1];
          if (capacity === undefined || slot.capacity !== capacity) return violation(this.id, 'slab capacity is not usable / stride', slotName(ss, slot), capacity, slot.capacity);
          if (slot.carved > slot.capacity) return violation(this.id, 'carved past the capacity', slotName(ss, slot), `<= ${slot.capacity}`, slot.carved);
          if (slot.state === 'ACTIVE') {
            active++;
            classActive[slot.cls]!++;
            if (slot.used === 0 && marks.get(slot.slot) === 0) return violation(this.id, 'ACTIVE slab with used 0 that no thread holds (EMPTY never detected)', slotName(ss, slot), 'EMPTY', 'ACTIVE, used 0');
          } else {
            emptyTotal++;
            if (slot.used !== 0 || slot.remote.items.length !== 0 || slot.live.length !== 0) {
              return violation(this.id, 'EMPTY slab still in use', slotName(ss, slot), 'used 0, nothing queued or live', `used ${slot.used}, queued ${slot.remote.items.length}, live ${slot.live.length}`);
            }
          }
        }
        if (ss.activeSlots !== active) return violation(this.id, 'active_slots disagrees with the slots', `SuperSlab ${ss.index}`, active, ss.activeSlots);
        if (ss.unused !== unused) return violation(this.id, 'UNUSED count disagrees with the slots', `SuperSlab ${ss.index}`, unused, ss.unused);
        unusedTotal += unused;
      }
      for (let cls = 0; cls < classActive.length; cls++) {
        if (s.classActive[cls] !== classActive[cls]) return violation(this.id, 'class_active_slots disagrees with the slots', `class ${cls}`, classActive[cls], s.classActive[cls]);
      }
      if (s.unusedSlots !== unusedTotal) return violation(this.id, 'pool UNUSED count disagrees with the SuperSlabs', 'shared pool', unusedTotal, s.unusedSlots);
      if (s.emptySlots !== emptyTotal) return violation(this.id, 'pool EMPTY count disagrees with the SuperSlabs', 'shared pool', emptyTotal, s.emptySlots);
      return null;
    },
  },
  {
    id: 'INV-EMPTY-LISTED',
    kind: 'safety',
    seed: '004_d59e0d336a26e3fe.txt §4.4 ("EMPTY slabs accumulate but never recycle")',
    statement: 'every EMPTY slot is on the stage 1 list of the class it last served; a slot is on each list at most once, marked exactly when it is',
    check(s) {
      marks.clear(); // slot -> bitmask of the lists holding it
      for (let cls = 0; cls < s.emptyLists.length; cls++) {
        const list = s.emptyLists[cls]!;
        if (list.cycle) return violation(this.id, 'stage 1 list is cyclic', `class ${cls} EMPTY list`, 'acyclic', `${list.items.length}+ links`);
        for (const slot of list.items) {
          const mask = marks.get(slot);
          if (mask & (1 << cls)) return violation(this.id, 'slot twice on a stage 1 list', `slot ${slot}`, 'once', `twice on class ${cls}'s list`);
          marks.set(slot, mask | (1 << cls));
        }
      }
      for (const ss of s.superslabs) {
        for (const slot of ss.slots) {
          const mask = marks.get(slot.slot);
          if (slot.listed !== mask) return violation(this.id, 'listed marks disagree with the lists', slotName(ss, slot), `lists ${maskText(mask)}`, `marked ${maskText(slot.listed)}`);
          if (slot.state === 'EMPTY' && pooled(ss) && (mask & (1 << slot.cls)) === 0) {
            return violation(this.id, 'EMPTY slot not on its class\'s stage 1 list: stage 1 can never reuse it for that class', slotName(ss, slot), `on class ${slot.cls}'s list`, `on ${maskText(mask)}`);
          }
        }
      }
      return null;
    },
  },
  {
    id: 'INV-REGISTRY',
    kind: 'safety',
    seed: '000_86274261e3f63077.txt (per-class registry not populated)',
    statement: 'every SuperSlab that has hosted a slab of class c is in class c\'s registry, once',
    check(s) {
      // one pass over the registries and one over the SuperSlabs (linear: seed 003 reached 49,123 of them)
      marks.clear(); // SuperSlab -> bitmask of the registries listing it
      const twice: boolean[] = [];
      for (let cls = 0; cls < s.registry.length; cls++) {
        for (const ss of s.registry[cls]!) {
          const mask = marks.get(ss);
          if (mask & (1 << cls)) twice[cls] = true;
          marks.set(ss, mask | (1 << cls));
        }
      }
      const missing: number[] = [];
      for (const ss of s.superslabs) {
        if (!pooled(ss)) continue;
        const listed = marks.get(ss.index);
        for (let cls = 0, hosted = ss.hosted; hosted !== 0; cls++, hosted >>>= 1) {
          if (hosted & 1 && missing[cls] === undefined && (listed & (1 << cls)) === 0) missing[cls] = ss.index;
        }
      }
      for (let cls = 0; cls < s.registry.length; cls++) {
        const entries = s.registry[cls]!;
        if (twice[cls] === true) return violation(this.id, 'registry lists a SuperSlab twice', `class ${cls} registry`, 'each once', entries.join(','));
        if (missing[cls] !== undefined) {
          return violation(this.id, 'SuperSlab hosting the class is missing from its registry', `class ${cls} registry`, `contains SuperSlab ${missing[cls]}`, `[${entries.join(', ')}]`);
        }
      }
      return null;
    },
  },
  {
    id: 'INV-PINS',
    kind: 'safety',
    seed: '003_932746184e5394df.txt §1.1 (not held by a thread cache)',
    statement: 'a SuperSlab\'s pins are the threads binding one of its slabs; a bound slab is ACTIVE, of the class, owned by the thread',
    check(s) {
      marks.clear(); // SuperSlab -> the bindings counted
      for (const t of s.threads) {
        for (let cls = 0; cls < t.bound.length; cls++) {
          const b = t.bound[cls]!;
          if (b < 0) continue;
          const ss = superSlabAt(s, ssOfSlot(s.limits, b));
          const slot = ss?.slots[slabOfSlot(s.limits, b)];
          if (ss === undefined || slot === undefined || slot.state !== 'ACTIVE' || slot.cls !== cls || slot.owner !== t.tid) {
            return violation(this.id, 'thread binds a slab that is not its ACTIVE slab of the class', `thread ${t.tid} class ${cls}`, `ACTIVE, class ${cls}, owner ${t.tid}`,
              slot === undefined ? 'no such slab' : `${slot.state}, class ${slot.cls}, owner ${slot.owner}`);
          }
          marks.set(ss.index, marks.get(ss.index) + 1);
        }
      }
      for (const ss of s.superslabs) {
        const expected = marks.get(ss.index);
        if (ss.pins !== expected) return violation(this.id, 'pin count disagrees with the bindings', `SuperSlab ${ss.index}`, expected, ss.pins);
      }
      return null;
    },
  },
  {
    id: 'INV-OWNER',
    kind: 'safety',
    seed: '004_d59e0d336a26e3fe.txt §4.2 (adopt), 003_932746184e5394df.txt §2.2 (only the owner drains)',
    statement: 'an ACTIVE slab is owned by a live thread or ORPHAN (its thread exited): never by a thread that is gone',
    check(s) {
      for (const ss of s.superslabs) {
        if (!pooled(ss)) continue;
        for (const slot of ss.slots) {
          if (slot.state === 'ACTIVE' && slot.owner !== 0 && !hasThread(s, slot.owner)) {
            return violation(this.id, 'ACTIVE slab owned by an exited thread: nobody will drain it', slotName(ss, slot),
              `a live thread or ORPHAN`, `thread ${slot.owner} (exited)`);
          }
        }
      }
      return null;
    },
  },
  {
    id: 'INV-HEADER',
    kind: 'safety',
    seed: '004_d59e0d336a26e3fe.txt §2 (TLS_SLL_HDR_RESET)',
    statement: 'SuperSlab headers name their table entry; every carved block carries 0xa0 | class',
    check(s) {
      for (const ss of s.superslabs) {
        if (!ss.headerOk) return violation(this.id, 'SuperSlab header does not name its entry', `SuperSlab ${ss.index}`, 'magic + index', 'other');
        for (const slot of ss.slots) {
          if (inUse(slot) && slot.badHeaders.length > 0) return violation(this.id, 'block header corrupted', slotName(ss, slot), `0x${headerByte(slot.cls).toString(16)}`, `bad at blocks ${slot.badHeaders.slice(0, 8).join(', ')}`);
        }
      }
      return null;
    },
  },
  {
    id: 'INV-LRU',
    kind: 'safety',
    seed: '000_86274261e3f63077.txt (SS_LRU_INIT max_cached=256 max_memory_mb=512 ttl_sec=60)',
    statement: 'the LRU holds exactly the cached SuperSlabs, within its count and byte limits and, while idle trim runs, its TTL',
    check(s) {
      const { lruMaxCached, lruMaxBytes, lruTtlMs, idleTrimMs, ssBytes } = s.limits;
      if (!sameLru(s)) {
        const cached = s.superslabs.filter((ss) => ss.state === 'CACHED').map((ss) => ss.index).sort((a, b) => a - b);
        const listed = [...s.lru].sort((a, b) => a - b);
        return violation(this.id, 'LRU list and cached SuperSlabs differ', 'LRU', `[${cached.join(', ')}] (count ${cached.length})`, `[${listed.join(', ')}] (count ${s.lruCount})`);
      }
      if (s.lruCount > lruMaxCached || s.lruCount * ssBytes > lruMaxBytes) {
        return violation(this.id, 'LRU over its limits', 'LRU', `<= ${lruMaxCached} entries and ${lruMaxBytes} bytes`, `${s.lruCount} entries, ${s.lruCount * ssBytes} bytes`);
      }
      if (idleTrimMs > 0) {
        for (const ss of s.superslabs) {
          if (ss.state === 'CACHED' && s.nowMs - ss.stamp >= lruTtlMs + idleTrimMs) {
            return violation(this.id, 'LRU entry outlived its TTL by a whole idle trim interval (trim not running)', `SuperSlab ${ss.index}`, `age < ${lruTtlMs + idleTrimMs} ms`, `${s.nowMs - ss.stamp} ms`);
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
    statement: 'each pooled or cached SuperSlab and each legacy block is one mapping of its size; nothing else is mapped',
    check(s) {
      const ssCount = s.superslabs.length;
      if (s.os.ssLive !== ssCount) return violation(this.id, 'live SuperSlab count disagrees with the table', 'shared pool', ssCount, s.os.ssLive);
      let inPool = 0;
      for (const ss of s.superslabs) if (pooled(ss)) inPool++;
      if (s.os.ssPool !== inPool) return violation(this.id, 'pool SuperSlab count disagrees with the table', 'shared pool', inPool, s.os.ssPool);
      const vmas = ssCount + s.legacyLive;
      if (s.os.vmaCount !== vmas) return violation(this.id, 'mapping count disagrees with SuperSlabs + legacy blocks', 'simulated OS', `${vmas} (${ssCount} SuperSlabs + ${s.legacyLive} legacy)`, s.os.vmaCount);
      const bytes = ssCount * Math.max(s.limits.ssBytes, s.limits.pageBytes) + s.legacyPages * s.limits.pageBytes;
      if (s.os.mappedBytes !== bytes) return violation(this.id, 'mapped bytes disagree with SuperSlabs + legacy blocks', 'simulated OS', bytes, s.os.mappedBytes);
      if (s.os.vmaCount > s.limits.maxMapCount) return violation(this.id, 'over vm.max_map_count', 'simulated OS', `<= ${s.limits.maxMapCount}`, s.os.vmaCount);
      return null;
    },
  },
  {
    id: 'INV-QUIESCENT',
    kind: 'safety',
    seed: '004_d59e0d336a26e3fe.txt §1.2 (alloc_lock)',
    statement: 'between operations no lock is held and no SuperSlab is mid-free',
    check(s) {
      if (s.poolLockHeld) return violation(this.id, 'pool lock held between operations', 'shared pool', 'free', 'held');
      const freeing = s.superslabs.find((ss) => ss.state === 'FREEING');
      if (freeing) return violation(this.id, 'SuperSlab left mid-free', `SuperSlab ${freeing.index}`, 'MAPPED or CACHED', 'FREEING');
      return null;
    },
  },
];
