// The LRU of empty SuperSlabs (seed 000/001: hak_ss_lru_push / hak_ss_lru_pop): freed
// SuperSlabs stay mapped here, newest at the head, so stage 3 can reuse one instead of
// calling mmap. Bounded by count and bytes; entries older than the TTL (logical clock)
// are unmapped. These are the list operations only, under the pool lock; lifecycle.ts
// decides what enters and leaves.
import type { Heap } from '../heap.js';
import { H, S } from '../layout.js';
import { ssIndex } from '../locators.js';
import { V } from '../variants.js';

export function lruEnabled(h: Heap): boolean {
  return h.cfg.lruMaxCached > 0 && h.cfg.lruMaxBytes >= h.cfg.ssBytes;
}

/** Room for one more entry under both limits. */
export function lruHasRoom(h: Heap): boolean {
  const count = h.i32[H.LRU_COUNT]!;
  return count < h.cfg.lruMaxCached && ((h.cfg.v & V.LRU_BYTES_IGNORED) !== 0 || (count + 1) * h.cfg.ssBytes <= h.cfg.lruMaxBytes);
}

/** Caches `ss` at the head, stamped `now` (the logical clock, read by the caller). */
export function lruLink(h: Heap, ss: number, now: number): void {
  const { i32 } = h;
  const e = ssIndex(h, ss);
  const head = i32[H.LRU_HEAD]!;
  i32[e + S.LRU_PREV] = 0;
  i32[e + S.LRU_NEXT] = head;
  if (head !== 0) i32[ssIndex(h, head - 1) + S.LRU_PREV] = ss + 1;
  else i32[H.LRU_TAIL] = ss + 1;
  i32[H.LRU_HEAD] = ss + 1;
  i32[e + S.STAMP] = now;
  i32[H.LRU_COUNT]!++;
}

export function lruUnlink(h: Heap, ss: number): void {
  const { i32 } = h;
  const e = ssIndex(h, ss);
  const prev = i32[e + S.LRU_PREV]!;
  const next = i32[e + S.LRU_NEXT]!;
  if (prev !== 0) i32[ssIndex(h, prev - 1) + S.LRU_NEXT] = next;
  else i32[H.LRU_HEAD] = next;
  if (next !== 0) i32[ssIndex(h, next - 1) + S.LRU_PREV] = prev;
  else i32[H.LRU_TAIL] = prev;
  i32[e + S.LRU_PREV] = 0;
  i32[e + S.LRU_NEXT] = 0;
  i32[H.LRU_COUNT]!--;
}

/** Newest entry, or -1. */
export function lruNewest(h: Heap): number {
  return h.i32[H.LRU_HEAD]! - 1;
}

/** Oldest entry, or -1. */
export function lruOldest(h: Heap): number {
  return h.i32[H.LRU_TAIL]! - 1;
}

/** `ss` has been cached for the TTL or longer at logical time `now`. */
export function lruExpired(h: Heap, ss: number, now: number): boolean {
  return now - h.i32[ssIndex(h, ss) + S.STAMP]! >= h.cfg.lruTtlMs + (h.cfg.v & V.LRU_TTL_LATE ? 1 : 0);
}

/** Entries newest first (for the audit). */
export function lruOrder(h: Heap): number[] {
  const out: number[] = [];
  for (let s = h.i32[H.LRU_HEAD]!; s !== 0 && out.length <= h.cfg.maxSuperSlabs; ) {
    out.push(s - 1);
    s = h.i32[ssIndex(h, s - 1) + S.LRU_NEXT]!;
  }
  return out;
}
