// Remote frees (seed 003 §3, seed 004 §4.3): a thread freeing a block of a slab it does
// not own pushes the block on the slab's MPSC queue with a CAS; the owner takes the
// whole queue with one atomic exchange and moves its blocks to the freelist.
// `used` drops when the owner drains; what the free does to the SuperSlab after the
// push (its active count, maybe its end) is pool/release.ts remoteFree's.
import { C } from '../counters.js';
import { ORPHAN, SL } from '../layout.js';
import { blockAddress, cellHeader, cellLink, makeCell, slotIndex } from '../locators.js';
import { residentCell } from '../os/pages.js';
import { add, cas, cellLoad, cellStore, load, type Op, store, sub, xchg } from '../steps.js';
import type { Thread } from '../thread/thread.js';
import { V } from '../variants.js';
import { pushFree } from './slab.js';

/** Pushes block `idx` (its cell at f64 index `cell`) on `slot`'s remote queue. */
export function* remotePush(t: Thread, slot: number, idx: number, cell: number): Op<void> {
  const h = t.heap;
  const w = slotIndex(h, slot);
  // Counted before the push, so the count never trails the queue. Seed 003's
  // ss_remote_push counts after it: the owner can then drain the block, empty and reuse
  // the slab before the count lands, and the count stays one too high for good.
  yield add(t, w + SL.RCOUNT, 1);
  for (;;) {
    const old = yield load(w + SL.RHEAD);
    // the link lands before the CAS publishes the block (a step of its own: the owner's drain reads it)
    yield cellStore(t, cell, makeCell(old, false, cellHeader(h.f64[cell]!)));
    if (h.cfg.v & V.REMOTE_PUSH_RACY) {
      yield store(t, w + SL.RHEAD, idx + 1); // seed 004 hypothesis 2: a racing push is lost
      break;
    }
    if ((yield cas(t, w + SL.RHEAD, old, idx + 1)) === old) break;
  }
  h.f64[t.cnt + C.remoteFrees]!++;
}

/** Takes over `slot` if its owner exited (seed 004 §4.2 partial adopt); true when it did. */
export function* claimOrphan(t: Thread, slot: number): Op<boolean> {
  const h = t.heap;
  if ((yield cas(t, slotIndex(h, slot) + SL.OWNER, ORPHAN, t.tid)) !== ORPHAN) return false;
  h.f64[t.cnt + C.adopted]!++;
  t.owned.add(slot);
  return true;
}

/** Owner only: moves `slot`'s remote queue to its freelist and lowers `used`; blocks moved. */
export function* drainRemote(t: Thread, slot: number): Op<number> {
  const h = t.heap;
  const { i32 } = h;
  const w = slotIndex(h, slot);
  let next: number;
  if (h.cfg.v & V.DRAIN_NONATOMIC_TAKE) {
    next = yield load(w + SL.RHEAD);
    yield store(t, w + SL.RHEAD, 0); // a push between the load and this store is lost
  } else {
    next = yield xchg(t, w + SL.RHEAD, 0);
  }
  let moved = 0;
  while (next !== 0) {
    const idx = next - 1;
    // the pusher wrote this link: a shared read (steps.ts)
    next = cellLink(yield cellLoad(queuedCell(t, slot, idx)));
    pushFree(h, t.cnt, slot, idx);
    moved++;
  }
  if (moved > 0) {
    i32[w + SL.USED]! -= moved;
    h.f64[t.cnt + C.remoteDrained]! += moved;
    yield sub(t, w + SL.RCOUNT, moved);
  }
  return moved;
}

// The cell of a queued block: resident, since its pusher wrote its link.
function queuedCell(t: Thread, slot: number, idx: number): number {
  const cell = residentCell(t.heap, blockAddress(t.heap, slot, idx));
  if (cell < 0) throw new Error(`queued block ${idx} of slot ${slot} is not resident`);
  return cell;
}
