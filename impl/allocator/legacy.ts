// The legacy path (seed 004 §1.3, shared_fail->legacy): when the shared pool refuses a
// slab, the block gets a mapping of its own — one mmap per allocation, one munmap per
// free, the kernel overhead the seed measured. A legacy block starts 16 bytes into its
// mapping, after a header naming it, so free() tells it from a tiny block (whose user
// pointers are 1 past an 8-byte boundary).
import { C } from '../counters.js';
import { E } from '../errors.js';
import { EV } from '../events.js';
import { H } from '../layout.js';
import { isMappedPage, readCell, writableCell } from '../os/pages.js';
import { ENOMEM, sysMmap, sysMunmap } from '../os/syscalls.js';
import { add, kernel, type Op, sub } from '../steps.js';
import type { Thread } from '../thread/thread.js';

export const LEGACY_MAGIC = 0x1e6ac1;
export const LEGACY_HEADER = 16;

export function* legacyAlloc(t: Thread, cls: number, size: number): Op<number> {
  const h = t.heap;
  h.f64[t.cnt + C.legacyFallbacks]!++;
  t.emit(EV.LEGACY, cls, 0, 0);
  yield kernel();
  const map = sysMmap(h, t.cnt, LEGACY_HEADER + size);
  if (map === ENOMEM) return E.ENOMEM;
  h.f64[writableCell(h, t.cnt, map)] = LEGACY_MAGIC;
  h.f64[writableCell(h, t.cnt, map + 8)] = size;
  yield add(t, H.LEGACY_LIVE, 1);
  yield add(t, H.LEGACY_PAGES, legacyPages(t, size));
  return map + LEGACY_HEADER;
}

/** True when `ptr` is a live legacy block (its mapping starts 16 bytes before it). */
export function isLegacyBlock(t: Thread, ptr: number): boolean {
  const map = ptr - LEGACY_HEADER;
  const { pageBytes, vaBytes } = t.heap.cfg;
  if (map < 0 || map >= vaBytes || map % pageBytes !== 0 || !isMappedPage(t.heap, map / pageBytes)) return false;
  return readCell(t.heap, map) === LEGACY_MAGIC;
}

export function* legacyFree(t: Thread, ptr: number): Op<void> {
  const h = t.heap;
  const map = ptr - LEGACY_HEADER;
  const size = readCell(h, map + 8);
  yield kernel();
  sysMunmap(h, t.cnt, map, LEGACY_HEADER + size);
  yield sub(t, H.LEGACY_LIVE, 1);
  yield sub(t, H.LEGACY_PAGES, legacyPages(t, size));
}

function legacyPages(t: Thread, size: number): number {
  return Math.ceil((LEGACY_HEADER + size) / t.heap.cfg.pageBytes);
}
