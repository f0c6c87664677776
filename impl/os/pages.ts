// Simulated physical memory (docs/architecture.md §4): virtual pages get a frame from a bounded
// pool on first touch (a page fault), found through a two-level page table. A frame
// holds one f64 "cell" per 8-byte granule of its page; the allocator keeps a block's
// header byte and free-list link in the cell at the block's base, as the real allocator
// keeps them in the block itself.
//
// Reading a mapped page that was never touched gives 0 (the zero page) and takes no
// frame; touching an unmapped page is a segmentation fault.
import { C } from '../counters.js';
import type { Heap } from '../heap.js';
import { H, L2_PAGES } from '../layout.js';

const L2_SHIFT = Math.log2(L2_PAGES);
import { kernelEnter, kernelExit } from './kernel-lock.js';

export class SegvError extends Error {
  constructor(readonly address: number) {
    super(`segmentation fault at 0x${address.toString(16)}`);
    this.name = 'SegvError';
  }
}

export class OomKilled extends Error {
  constructor() {
    super('out of simulated physical memory (OOM kill)');
    this.name = 'OomKilled';
  }
}

export function isMappedPage(h: Heap, page: number): boolean {
  return (Atomics.load(h.i32, h.L.vaMapped + (page >>> 5)) & (1 << (page & 31))) !== 0;
}

/**
 * The page of `addr`, for 0 <= addr < vaBytes: an int32 (the space has at most 2^31
 * pages), by an exact power-of-two scale, no division.
 */
export function pageOf(h: Heap, addr: number): number {
  return Math.floor(addr * h.L.pageScale);
}

/** f64 index of the cell at `addr`, or -1 when its page is not resident (one page-table walk). */
export function residentCell(h: Heap, addr: number): number {
  if (!(addr >= 0 && addr < h.cfg.vaBytes)) return -1;
  const page = pageOf(h, addr);
  return pageCell(h, page, addr - page * h.cfg.pageBytes);
}

/**
 * f64 index of the cell `byte` bytes into page `page` (0 <= byte < page size), or -1 when
 * the page is not resident: the page-table walk, for callers that have the page as an int.
 */
export function pageCell(h: Heap, page: number, byte: number): number {
  const { i32, L } = h;
  const l2 = i32[L.ptTop + (page >>> L2_SHIFT)]!;
  if (l2 === 0) return -1;
  const frame = i32[L.l2 + (l2 - 1) * L2_PAGES + (page & (L2_PAGES - 1))]!;
  if (frame === 0) return -1;
  return L.frames + (frame - 1) * L.cellsPerPage + (byte >>> 3);
}

/** The cell at `addr` as a read sees it (0 for an untouched page). */
export function readCell(h: Heap, addr: number): number {
  const cell = residentCell(h, addr);
  if (cell >= 0) return h.f64[cell]!;
  if (!(addr >= 0 && addr < h.cfg.vaBytes) || !isMappedPage(h, pageOf(h, addr))) {
    throw new SegvError(addr);
  }
  return 0;
}

/** f64 index of the cell at `addr` for a write: faults the page in when needed. */
export function writableCell(h: Heap, cnt: number, addr: number): number {
  const cell = residentCell(h, addr);
  if (cell >= 0) return cell;
  kernelEnter(h);
  try {
    const page = pageOf(h, addr);
    if (!(addr >= 0 && addr < h.cfg.vaBytes) || !isMappedPage(h, page)) throw new SegvError(addr);
    if (faultIn(h, page)) h.f64[cnt + C.pageFaults]!++;
  } finally {
    kernelExit(h);
  }
  return residentCell(h, addr);
}

// Under the kernel lock. Makes `page` resident; returns true when it took a frame.
export function faultIn(h: Heap, page: number): boolean {
  const { i32, L } = h;
  const top = L.ptTop + (page >>> L2_SHIFT);
  let l2 = i32[top]!;
  if (l2 === 0) {
    l2 = takeFromPool(h, H.L2_TOP, H.L2_HIGH, L.l2Free, L.l2Count) + 1;
    if (l2 === 0) throw new OomKilled();
    Atomics.store(i32, top, l2);
  }
  const pte = L.l2 + (l2 - 1) * L2_PAGES + (page & (L2_PAGES - 1));
  if (i32[pte] !== 0) return false;
  const frame = takeFromPool(h, H.FRAME_TOP, H.FRAME_HIGH, L.frameFree, h.cfg.physPages);
  if (frame < 0) throw new OomKilled();
  const cells = L.frames + frame * L.cellsPerPage;
  h.f64.fill(0, cells, cells + L.cellsPerPage);
  Atomics.store(i32, pte, frame + 1);
  i32[L.l2Resident + l2 - 1]!++;
  const resident = ++i32[H.RESIDENT]!;
  if (resident > i32[H.PEAK_RESIDENT]!) i32[H.PEAK_RESIDENT] = resident;
  return true;
}

// Under the kernel lock. Gives `page`'s frame back, if it has one.
export function evictPage(h: Heap, page: number): void {
  const { i32, L } = h;
  const top = L.ptTop + (page >>> L2_SHIFT);
  const l2 = i32[top]!;
  if (l2 === 0) return;
  const pte = L.l2 + (l2 - 1) * L2_PAGES + (page & (L2_PAGES - 1));
  const frame = i32[pte]!;
  if (frame === 0) return;
  Atomics.store(i32, pte, 0);
  giveToPool(h, H.FRAME_TOP, L.frameFree, frame - 1);
  i32[H.RESIDENT]!--;
  if (--i32[L.l2Resident + l2 - 1]! === 0) {
    Atomics.store(i32, top, 0);
    giveToPool(h, H.L2_TOP, L.l2Free, l2 - 1);
  }
}

// A bounded pool of indices: a free stack first, then never-used indices.
function takeFromPool(h: Heap, topWord: number, highWord: number, stack: number, size: number): number {
  const { i32 } = h;
  const top = i32[topWord]!;
  if (top > 0) {
    i32[topWord] = top - 1;
    return i32[stack + top - 1]!;
  }
  const high = i32[highWord]!;
  if (high >= size) return -1;
  i32[highWord] = high + 1;
  return high;
}

function giveToPool(h: Heap, topWord: number, stack: number, index: number): void {
  const top = h.i32[topWord]!;
  h.i32[stack + top] = index;
  h.i32[topWord] = top + 1;
}
