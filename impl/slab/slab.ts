// Slabs and their blocks (seed 004 §3.2, seed 003 §3). A slab of class c holds
// capacity = usable / stride blocks; blocks are handed out first from the freelist,
// then carved from the untouched tail. Only the owning thread changes a slab's
// freelist, carve mark and `used` (meta->used: blocks not on the freelist — live,
// in a thread cache, or queued remotely); other threads reach a slab only through its
// remote queue (remote.ts).
// Each block's cell (header, live bit, link) is packed as locators.ts makeCell says.
import { slabCapacity } from '../config.js';
import type { Heap } from '../heap.js';
import { SL } from '../layout.js';
import { blockAddress, cellHeader, cellLink, headerByte, makeCell, slabAt, slabOfSlot, slotId, slotIndex } from '../locators.js';
import { readCell, writableCell } from '../os/pages.js';
import { type Op, store } from '../steps.js';
import type { Thread } from '../thread/thread.js';

/** Makes `slot` an empty slab of `cls` owned by `t` (which just claimed it). */
export function* initSlab(t: Thread, slot: number, cls: number): Op<void> {
  const h = t.heap;
  const w = slotIndex(h, slot);
  const { i32 } = h;
  i32[w + SL.CLASS] = cls;
  i32[w + SL.CAP] = slabCapacity(h.cfg, cls, slabOfSlot(h.cfg, slot));
  i32[w + SL.CARVED] = 0;
  i32[w + SL.USED] = 0;
  i32[w + SL.FREE] = 0;
  yield store(t, w + SL.OWNER, t.tid);
  yield store(t, w + SL.RHEAD, 0);
  yield store(t, w + SL.RCOUNT, 0);
}

// The slab's words back to 0; LISTED and LNEXT are left alone: they belong to the stage 1
// lists, which may still hold the slot. The owner words are plain (the SuperSlab is held).
const OWNER_WORDS = [SL.CLASS, SL.CAP, SL.CARVED, SL.USED, SL.FREE];

/** Makes `slot` UNUSED, its slab words cleared (its SuperSlab mapped anew, reset or freed, held by `t`). */
export function* clearSlab(t: Thread, slot: number): Op<void> {
  const w = slotIndex(t.heap, slot);
  yield store(t, w + SL.STATE, 0);
  for (const f of OWNER_WORDS) t.heap.i32[w + f] = 0;
  yield store(t, w + SL.OWNER, 0);
  yield store(t, w + SL.RHEAD, 0);
  yield store(t, w + SL.RCOUNT, 0);
}

/**
 * Owner only. Takes a block off the freelist, else carves one; -1 when the slab is
 * exhausted. The block leaves live, its header written, counted in `used`.
 */
export function takeBlock(t: Thread, slot: number): number {
  const h = t.heap;
  const { i32, f64 } = h;
  const w = slotIndex(h, slot);
  const cls = i32[w + SL.CLASS]!;
  const head = i32[w + SL.FREE]!;
  let idx: number;
  if (head !== 0) {
    idx = head - 1;
    i32[w + SL.FREE] = cellLink(readCell(h, blockAddress(h, slot, idx)));
  } else {
    idx = i32[w + SL.CARVED]!;
    if (idx >= i32[w + SL.CAP]!) return -1;
    i32[w + SL.CARVED] = idx + 1;
  }
  i32[w + SL.USED]!++;
  f64[writableCell(h, t.cnt, blockAddress(h, slot, idx))] = makeCell(0, true, headerByte(cls));
  return idx;
}

/** Owner only. Puts block `idx` back on the freelist (it stays counted until the caller lowers `used`). */
export function pushFree(h: Heap, cnt: number, slot: number, idx: number): void {
  const w = slotIndex(h, slot);
  const cell = writableCell(h, cnt, blockAddress(h, slot, idx));
  h.f64[cell] = makeCell(h.i32[w + SL.FREE]!, false, cellHeader(h.f64[cell]!));
  h.i32[w + SL.FREE] = idx + 1;
}

/** The slot holding the block at `base` (a block the caller knows to be in a SuperSlab). */
export function slotOfBlock(h: Heap, base: number): number {
  const ssb = base - (base % h.cfg.ssBytes);
  return slotId(h.cfg, readCell(h, ssb + 8) - 1, slabAt(h.cfg, ssb, base));
}
