// The per-thread fast cache: a TLS singly linked list (SLL) per class (seed 001). The
// owning thread's free pushes the block here without touching the slab — the fast path,
// plain stores on thread-local state — and its allocation pops it back. Every
// HAKMEM_TLS_SLL_DRAIN_INTERVAL frees of a class, the list drains back to the slabs,
// lowering `used` so that slabs can become EMPTY (seed 001 Option B). Blocks on the list
// still count in `used` and `total_active_blocks`.
// A block leaving the cache has its header checked: a mismatch is TLS_SLL_HDR_RESET
// (seed 004 §2), counted and repaired, not a crash.
import { C } from '../counters.js';
import { T, TF } from '../layout.js';
import { blockIndex, cellHeader, cellLink, headerByte, makeCell } from '../locators.js';
import { residentCell } from '../os/pages.js';
import { localFree } from '../pool/release.js';
import { slotOfBlock } from '../slab/slab.js';
import type { Op } from '../steps.js';
import type { Thread } from '../thread/thread.js';
import { V } from '../variants.js';

/** Fast path: a cached block of `cls` handed out live; its base address, or 0. */
export function cacheAlloc(t: Thread, cls: number): number {
  return unlink(t, t.tf + TF.SLL_HEAD + cls, t.ti + T.SLL_COUNT + cls, cls, true);
}

/** cacheFree: the block is cached. */
export const CACHED = 0;
/** cacheFree: cached, and a drain is due. */
export const DRAIN_DUE = 1;
/** cacheFree: the list is at its capacity; the block goes back to its slab (the slow path). */
export const CACHE_FULL = 2;

/** Fast path: the owner frees block `base` (its cell at `cell`). */
export function cacheFree(t: Thread, cls: number, base: number, cell: number): number {
  const { i32, cfg } = t.heap;
  if (cfg.sllCap > 0 && i32[t.ti + T.SLL_COUNT + cls]! >= cfg.sllCap) return CACHE_FULL;
  link(t, t.tf + TF.SLL_HEAD + cls, t.ti + T.SLL_COUNT + cls, base, cell);
  const frees = ++i32[t.ti + T.DRAIN_CTR + cls]!;
  return cfg.drainInterval > 0 && frees >= cfg.drainInterval + (cfg.v & V.DRAIN_INTERVAL_LATE ? 1 : 0) ? DRAIN_DUE : CACHED;
}

/** Drains `cls`'s SLL back to the slabs (seed 001 Option B). */
export function* drainCache(t: Thread, cls: number): Op<void> {
  const h = t.heap;
  h.i32[t.ti + T.DRAIN_CTR + cls] = 0;
  h.f64[t.cnt + C.tlsDrains]!++;
  for (;;) {
    const base = unlink(t, t.tf + TF.SLL_HEAD + cls, t.ti + T.SLL_COUNT + cls, cls, false);
    if (base === 0) return;
    if (h.cfg.v & V.TLS_FREE_SKIPS_USED) {
      // seed 001: the drain goes "to tls_list, NOT back to slabs"; nothing allocates from
      // there, so the blocks stay counted in `used` and out of circulation
      link(t, t.tf + TF.TL_HEAD + cls, t.ti + T.TL_COUNT + cls, base, residentCell(h, base));
      continue;
    }
    const slot = slotOfBlock(h, base);
    yield* localFree(t, slot, blockIndex(h, slot, base), true);
  }
}

function link(t: Thread, headAt: number, countAt: number, base: number, cell: number): void {
  const { f64, i32 } = t.heap;
  f64[cell] = makeCell(f64[headAt]! / 8, false, cellHeader(f64[cell]!));
  f64[headAt] = base;
  i32[countAt]!++;
}

function unlink(t: Thread, headAt: number, countAt: number, cls: number, live: boolean): number {
  const { f64, i32 } = t.heap;
  const base = f64[headAt]!;
  if (base === 0) return 0;
  const cell = residentCell(t.heap, base);
  if (cell < 0) throw new Error(`cached block 0x${base.toString(16)} is not resident`);
  const v = f64[cell]!;
  f64[headAt] = cellLink(v) * 8;
  i32[countAt]!--;
  if (cellHeader(v) !== headerByte(cls)) f64[t.cnt + C.hdrResets]!++;
  f64[cell] = makeCell(0, live, headerByte(cls));
  return base;
}
