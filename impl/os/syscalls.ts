// The simulated kernel's system calls (docs/architecture.md §4): mmap, munmap, madvise(POPULATE).
// Each runs atomically under the kernel lock. Mappings are page-granular, placed
// next-fit in a bitmap of the virtual space; a second bitmap marks where each mapping
// (VMA) starts, which is all munmap needs to count VMAs as Linux does: trimming the end
// of a mapping keeps the count, punching a hole splits one mapping into two.
// `vm.max_map_count` bounds the count: mmap beyond it fails with ENOMEM (seed 003 §5).
import { C } from '../counters.js';
import type { Heap } from '../heap.js';
import { H } from '../layout.js';
import { kernelEnter, kernelExit } from './kernel-lock.js';
import { evictPage, faultIn, isMappedPage } from './pages.js';

export const ENOMEM = -12;

/** Maps `bytes` (rounded up to pages); the address, or ENOMEM. */
export function sysMmap(h: Heap, cnt: number, bytes: number): number {
  const pages = Math.ceil(bytes / h.cfg.pageBytes);
  kernelEnter(h);
  try {
    h.f64[cnt + C.mmap]!++;
    const { i32 } = h;
    if (i32[H.VMA_COUNT]! + 1 > h.cfg.maxMapCount) return failed(h, cnt);
    const first = findFreeRun(h, pages);
    if (first < 0) return failed(h, cnt);
    setBits(h, h.L.vaMapped, first, pages, true);
    setBits(h, h.L.vaStart, first, 1, true);
    i32[H.VA_CURSOR] = first + pages;
    if (first + pages > i32[H.VA_HIGH]!) i32[H.VA_HIGH] = first + pages;
    i32[H.VMA_COUNT]!++;
    addMapped(h, pages);
    return first * h.cfg.pageBytes;
  } finally {
    kernelExit(h);
  }
}

/**
 * Unmaps [addr, addr + bytes), which must be mapped (the allocator never unmaps a hole;
 * if it tried, that is its bug and the call throws). ENOMEM when the split it would
 * cause exceeds the mapping limit, else 0.
 */
export function sysMunmap(h: Heap, cnt: number, addr: number, bytes: number): number {
  const { pageBytes } = h.cfg;
  if (addr % pageBytes !== 0) throw new Error(`munmap of unaligned address 0x${addr.toString(16)}`);
  const first = addr / pageBytes;
  const pages = Math.ceil(bytes / pageBytes);
  const end = first + pages;
  kernelEnter(h);
  try {
    h.f64[cnt + C.munmap]!++;
    const { i32, L } = h;
    for (let p = first; p < end; p++) {
      if (!isMappedPage(h, p)) throw new Error(`munmap of unmapped page at 0x${(p * pageBytes).toString(16)}`);
    }
    // VMAs meeting the range before, and the pieces left of them after.
    let before = isStart(h, first) ? 0 : 1;
    for (let p = first; p < end; p++) if (isStart(h, p)) before++;
    const leftRemains = !isStart(h, first);
    const rightRemains = end < L.vaPages && isMappedPage(h, end) && !isStart(h, end);
    const delta = (leftRemains ? 1 : 0) + (rightRemains ? 1 : 0) - before;
    if (i32[H.VMA_COUNT]! + delta > h.cfg.maxMapCount) return failed(h, cnt);
    for (let p = first; p < end; p++) evictPage(h, p);
    setBits(h, L.vaMapped, first, pages, false);
    setBits(h, L.vaStart, first, pages, false);
    if (rightRemains) setBits(h, L.vaStart, end, 1, true);
    i32[H.VMA_COUNT]! += delta;
    addMapped(h, -pages);
    return 0;
  } finally {
    kernelExit(h);
  }
}

/** MADV_POPULATE_WRITE (seed 002): makes every page of the range resident, no faults. */
export function sysPopulate(h: Heap, cnt: number, addr: number, bytes: number): void {
  const { pageBytes } = h.cfg;
  const first = Math.floor(addr / pageBytes);
  const end = Math.ceil((addr + bytes) / pageBytes);
  kernelEnter(h);
  try {
    h.f64[cnt + C.madvise]!++;
    for (let p = first; p < end; p++) {
      if (faultIn(h, p)) h.f64[cnt + C.prefaultedPages]!++;
    }
  } finally {
    kernelExit(h);
  }
}

function failed(h: Heap, cnt: number): number {
  h.f64[cnt + C.enomem]!++;
  return ENOMEM;
}

function addMapped(h: Heap, pages: number): void {
  const mapped = (h.i32[H.MAPPED_PAGES]! += pages);
  if (mapped > h.i32[H.PEAK_MAPPED_PAGES]!) h.i32[H.PEAK_MAPPED_PAGES] = mapped;
}

function isStart(h: Heap, page: number): boolean {
  return (h.i32[h.L.vaStart + (page >>> 5)]! & (1 << (page & 31))) !== 0;
}

function setBits(h: Heap, base: number, first: number, count: number, on: boolean): void {
  const { i32 } = h;
  for (let p = first; p < first + count; p++) {
    const w = base + (p >>> 5);
    const bit = 1 << (p & 31);
    Atomics.store(i32, w, on ? i32[w]! | bit : i32[w]! & ~bit);
  }
}

// Next-fit search for `pages` free pages, wrapping once; -1 when the space is full.
// Page 0 is never handed out: no mapping starts at the null address.
function findFreeRun(h: Heap, pages: number): number {
  const total = h.L.vaPages;
  if (pages >= total) return -1;
  const { i32 } = h;
  const base = h.L.vaMapped;
  let start = Math.max(1, i32[H.VA_CURSOR]! % total);
  for (let pass = 0; pass < 2; pass++) {
    let runStart = start;
    let p = start;
    while (p < total) {
      const word = i32[base + (p >>> 5)]!;
      if ((p & 31) === 0 && word === -1) {
        p += 32;
        runStart = p;
        continue;
      }
      if ((word & (1 << (p & 31))) !== 0) {
        runStart = ++p;
        continue;
      }
      if (++p - runStart >= pages) return runStart;
    }
    start = 1;
  }
  return -1;
}
