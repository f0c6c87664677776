// Misuse operations (program.ts `misuse`): the address a bad free targets, chosen from
// the abstract heap and the heap as it stands when the operation starts, and what the
// contract says the free must answer (model/contract.ts). A target that turns out to be a
// live block is no misuse: the operation does nothing then, like a free with nothing to free.
import { audit, type Snapshot } from '../impl/audit.js';
import type { Heap } from '../impl/heap.js';
import { isMappedPage, pageOf } from '../impl/os/pages.js';
import { HEADER_BYTES, STRIDES } from '../impl/sizeclass.js';
import type { AbstractHeap } from '../model/abstract.js';
import { classForSize, expectedFree, type FreeFacts } from '../model/contract.js';
import type { Op } from './program.js';

export interface MisuseTarget {
  address: number;
  /** The E.FREE_* code the contract expects. */
  expected: number;
}

export function freeFacts(h: Heap): FreeFacts {
  return { vaBytes: h.cfg.vaBytes, mapped: (a) => a >= 0 && a < h.cfg.vaBytes && isMappedPage(h, pageOf(h, a)) };
}

type Misuse = Extract<Op, { op: 'misuse' }>;

/** The bad free `op` makes now, or null when it has nothing to aim at. */
export function misuseTarget(op: Misuse, model: AbstractHeap, h: Heap, threads: number): MisuseTarget | null {
  const s = audit(h, { counters: false });
  const address = aim(op, model, h, s, threads);
  if (address === null) return null;
  const expected = expectedFree(s, address, freeFacts(h));
  return expected === 0 ? null : { address, expected };
}

function aim(op: Misuse, model: AbstractHeap, h: Heap, s: Snapshot, threads: number): number | null {
  const { cfg } = h;
  const from = op.from % threads;
  if (op.kind === 'wild') {
    // null, past the address space, and the address space's last page (mapped late if ever)
    return [0, cfg.vaBytes + op.offset, cfg.vaBytes - cfg.pageBytes + HEADER_BYTES][op.offset % 3]!;
  }
  const pool = op.kind === 'double' ? model.freedOf(from) : model.liveOf(from);
  const tiny = pool.filter((b) => !b.legacy);
  if (tiny.length === 0) return null;
  const b = tiny[op.pick % tiny.length]!;
  const stride = STRIDES[classForSize(b.size)]!;
  const base = b.address - HEADER_BYTES;
  const ssBase = base - (base % cfg.ssBytes); // SuperSlabs are aligned to their size
  const slab = Math.floor((base - ssBase) / cfg.slabBytes);
  switch (op.kind) {
    case 'double': return b.address;
    // every byte after the user pointer up to the next block's header: never a block start
    case 'interior': return b.address + 1 + (op.offset % (stride - 1));
    // the SuperSlab header, or the last bytes of the block's slab (its tail, if it has one)
    case 'foreign': return op.offset % 2 === 0
      ? ssBase + HEADER_BYTES + ((op.offset >> 1) % cfg.slab0Header)
      : ssBase + (slab + 1) * cfg.slabBytes - ((op.offset >> 1) % 8);
    case 'never': return neverHandedOut(h, s, op.offset, ssBase, slab);
  }
}

// A block start of the block's slab past its carved ones, else the first block of the
// SuperSlab's next slab.
function neverHandedOut(h: Heap, s: Snapshot, offset: number, ssBase: number, slab: number): number {
  const { cfg } = h;
  const start = (s: number): number => ssBase + (s === 0 ? cfg.slab0Header : s * cfg.slabBytes);
  const ss = s.superslabs.find((x) => x.base === ssBase && x.state !== 'CACHED');
  const slot = ss?.slots[slab];
  if (slot !== undefined && slot.state === 'ACTIVE' && slot.carved < slot.capacity) {
    const idx = slot.carved + (offset % (slot.capacity - slot.carved));
    return start(slab) + idx * STRIDES[slot.cls]! + HEADER_BYTES;
  }
  return start((slab + 1) % cfg.slabsPerSS) + HEADER_BYTES;
}
