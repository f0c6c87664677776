// The LRU of empty SuperSlabs as the contract states it (seed 000/001: hak_ss_lru_push /
// hak_ss_lru_pop; impl/superslab/lru.ts), replayed from the lifecycle events and judged
// at each decision: a freed SuperSlab goes to the head (newest) when the LRU is on, after
// the entries past their TTL and, oldest first, as many as the count and bytes bounds need
// are unmapped; a map pops the newest entry, and maps fresh only when none is left;
// an entry is past its TTL when now − stamp ≥ TTL. All of it runs under the pool lock, so
// the events of one decision arrive together; only the clock moves under it (ticks take no
// lock), so "must have expired" is judged against the clock when the operation began (a
// lower bound of what the allocator read) and "may expire" against the clock at the event.
import type { Snapshot } from './audit.js';
import type { Violation } from './rules/rule.js';

export interface LruLimits {
  lruMaxCached: number;
  lruMaxBytes: number;
  ssBytes: number;
  lruTtlMs: number;
}

interface Entry {
  ss: number;
  stamp: number;
}

const bad = (what: string, where: string, expected: unknown, actual: unknown): Violation => ({
  id: 'LRU-POLICY', what, where, expected: String(expected), actual: String(actual),
});

export class LruOracle {
  /** Newest first. */
  private entries: Entry[] = [];
  /** Threads that evicted a live entry for room: their next SuperSlab event must be the push. */
  private readonly owesPush = new Set<number>();

  constructor(private readonly l: LruLimits) {}

  /** What it holds, as text: equal texts judge what follows alike (properties/prove/ caches states by it). */
  stateKey(): string {
    return JSON.stringify([this.entries, [...this.owesPush].sort((a, b) => a - b)]);
  }

  private get enabled(): boolean {
    return this.l.lruMaxCached > 0 && this.l.lruMaxBytes >= this.l.ssBytes;
  }

  private hasRoom(count: number): boolean {
    return count < this.l.lruMaxCached && (count + 1) * this.l.ssBytes <= this.l.lruMaxBytes;
  }

  private expired(e: Entry, now: number): boolean {
    return now - e.stamp >= this.l.lruTtlMs;
  }

  /** An entry that had expired by `floor` and is still here: a decision skipped its eviction. */
  private stale(floor: number, decision: string): Violation | null {
    const e = this.entries.find((x) => this.expired(x, floor));
    if (e === undefined) return null;
    return bad(`${decision} while SuperSlab ${e.ss} was past its TTL`, `SuperSlab ${e.ss} (cached at ${e.stamp} ms)`, `evicted at ${e.stamp + this.l.lruTtlMs} ms or later`, `still cached at ${floor} ms`);
  }

  private pending(tid: number, event: string): Violation | null {
    if (!this.owesPush.delete(tid) || event === 'push') return null;
    return bad('an entry within its TTL was evicted with no push needing its room', `thread ${tid}`, 'the freed SuperSlab pushed next', event);
  }

  /** SS_CACHE: `ss` pushed at `now`; `floor` bounds the clock the allocator read. */
  push(tid: number, ss: number, now: number, floor: number): Violation | null {
    this.owesPush.delete(tid);
    if (!this.enabled) return bad('a SuperSlab cached while the LRU is off', `SuperSlab ${ss}`, 'munmap', 'cached');
    const v = this.stale(floor, `SuperSlab ${ss} pushed`);
    if (v !== null) return v;
    if (!this.hasRoom(this.entries.length)) {
      const n = this.entries.length;
      return bad(`SuperSlab ${ss} pushed past the LRU's bounds`, `SuperSlab ${ss}`, `at most ${this.l.lruMaxCached} entries and ${this.l.lruMaxBytes} bytes`, `${n + 1} entries, ${(n + 1) * this.l.ssBytes} bytes`);
    }
    this.entries.unshift({ ss, stamp: now });
    return null;
  }

  /** SS_REUSE: `ss` popped for a map. */
  pop(tid: number, ss: number, floor: number): Violation | null {
    const v = this.pending(tid, `pop of SuperSlab ${ss}`) ?? this.stale(floor, `SuperSlab ${ss} popped`);
    if (v !== null) return v;
    const newest = this.entries[0];
    if (newest?.ss !== ss) return bad('the LRU pop did not take the newest entry', `SuperSlab ${ss}`, newest === undefined ? 'no entry' : `SuperSlab ${newest.ss} (newest)`, `SuperSlab ${ss}`);
    this.entries.shift();
    return null;
  }

  /** SS_MAP: a fresh mmap, which the contract allows only with nothing to pop. */
  map(tid: number, ss: number, floor: number): Violation | null {
    const v = this.pending(tid, `map of SuperSlab ${ss}`) ?? this.stale(floor, `SuperSlab ${ss} mapped`);
    if (v !== null) return v;
    const newest = this.entries[0];
    if (this.enabled && newest !== undefined) return bad(`SuperSlab ${ss} mapped fresh while the LRU held one`, `SuperSlab ${ss}`, `SuperSlab ${newest.ss} popped`, 'mmap');
    return null;
  }

  /** SS_UNMAP from the LRU (an eviction) at `now`. */
  evict(tid: number, ss: number, now: number): Violation | null {
    const oldest = this.entries[this.entries.length - 1];
    if (oldest?.ss !== ss) return bad('the LRU evicted an entry that is not its oldest', `SuperSlab ${ss}`, oldest === undefined ? 'no entry' : `SuperSlab ${oldest.ss} (oldest)`, `SuperSlab ${ss}`);
    if (!this.expired(oldest, now)) {
      if (this.hasRoom(this.entries.length)) return bad('an entry within its TTL was evicted while the LRU had room', `SuperSlab ${ss}`, 'kept', 'evicted');
      this.owesPush.add(tid);
    }
    this.entries.pop();
    return null;
  }

  /** SS_UNMAP of a pooled SuperSlab being freed: only when the LRU is off. */
  unmapFreed(tid: number, ss: number): Violation | null {
    const v = this.pending(tid, `munmap of SuperSlab ${ss}`);
    if (v !== null) return v;
    return this.enabled ? bad(`SuperSlab ${ss} unmapped instead of cached`, `SuperSlab ${ss}`, 'LRU push (room is made by evicting the oldest)', 'munmap') : null;
  }

  /** After a trim: nothing past its TTL by `floor` is left. */
  trimmed(floor: number): Violation | null {
    return this.stale(floor, 'trim ended');
  }

  /** At a quiescent point: the heap's LRU is this one, newest first. */
  compare(s: Snapshot): Violation | null {
    const mine = this.entries.map((e) => e.ss);
    if (mine.length === s.lru.length && mine.every((ss, i) => s.lru[i] === ss)) return null;
    return bad('the heap\'s LRU is not the one its events built', 'LRU', `[${mine.join(', ')}]`, `[${s.lru.join(', ')}]`);
  }
}
