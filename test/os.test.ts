// The simulated kernel (docs/architecture.md §4; impl/os/*): mappings and VMA accounting against
// vm.max_map_count (seed 003_932746184e5394df.txt §5), page faults and residency, prefault
// policies (seed 002_b461f92c61066b62.txt), the 2x-then-trim alignment of a SuperSlab map
// (seed 002 §3, seed 003 §5), and physical exhaustion.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { malloc } from '../impl/allocator/allocator.js';
import { audit, type Snapshot } from '../model/audit.js';
import type { ConfigInput } from '../impl/config.js';
import { createHeap, type Heap } from '../impl/heap.js';
import { OomKilled, SegvError, isMappedPage, readCell, residentCell, writableCell } from '../impl/os/pages.js';
import { ENOMEM, sysMmap, sysMunmap, sysPopulate } from '../impl/os/syscalls.js';
import { STRIDES } from '../impl/sizeclass.js';
import { attachThread, type Thread } from '../impl/thread/thread.js';

// A tiny machine for direct system calls: 262 pages of address space, 256 frames,
// at most 8 mappings.
const PAGE = 4096;
const DIRECT: ConfigInput = {
  HAKMEM_TINY_SS_FORCE_LG: 13,
  'sim.slab_bytes': 4096,
  'sim.slab0_header_bytes': 64,
  'sim.va_gib': 0.001,
  'sim.phys_mib': 1,
  'vm.max_map_count': 8,
  'sim.max_threads': 2,
};

function machine(extra: ConfigInput = {}): { heap: Heap; t: Thread; cnt: number } {
  const heap = createHeap({ ...DIRECT, ...extra });
  const t = attachThread(heap);
  return { heap, t, cnt: t.cnt };
}

/** Which pages of the whole address space are mapped. */
function mappedMap(heap: Heap): boolean[] {
  const out: boolean[] = [];
  for (let p = 0; p < heap.L.vaPages; p++) out.push(isMappedPage(heap, p));
  return out;
}

/** Counters with the named ones left out (for "nothing else changed" comparisons). */
function countersExcept(s: Snapshot, ...names: Array<keyof Snapshot['counters']>): Record<string, number> {
  const out: Record<string, number> = { ...s.counters };
  for (const n of names) delete out[n];
  return out;
}

/** A predicate for assert.throws: the error is an instance of `cls`. */
const isA = (cls: new (...args: never[]) => Error) => (e: unknown): boolean => e instanceof cls;

const pagesOf = (bytes: number): number => Math.ceil(bytes / PAGE);

test('mmap: page-aligned addresses, one VMA per mapping, mapped bytes in whole pages, peak tracked', () => {
  const { heap, cnt } = machine();
  const sizes = [1, PAGE, PAGE + 1, 3 * PAGE, 5000];
  const maps: Array<[number, number]> = [];
  let mapped = 0;
  sizes.forEach((size, i) => {
    const a = sysMmap(heap, cnt, size);
    assert.ok(a >= 0, `mmap(${size}) = ${a}`);
    assert.is(a % PAGE, 0, `mmap(${size}) is page-aligned`);
    maps.push([a, pagesOf(size) * PAGE]);
    mapped += pagesOf(size) * PAGE;
    const s = audit(heap);
    assert.is(s.os.vmaCount, i + 1, 'one more VMA');
    assert.is(s.os.mappedBytes, mapped);
    assert.is(s.os.peakMappedBytes, mapped);
    assert.is(s.counters.mmap, i + 1);
  });
  // mappings are disjoint and every page of each is mapped
  maps.sort((x, y) => x[0] - y[0]);
  for (let i = 1; i < maps.length; i++) assert.ok(maps[i]![0] >= maps[i - 1]![0] + maps[i - 1]![1], 'disjoint');
  const m = mappedMap(heap);
  assert.is(m.filter(Boolean).length, mapped / PAGE);
  for (const [a, len] of maps) for (let p = a / PAGE; p < (a + len) / PAGE; p++) assert.ok(m[p]);
  // mapping is lazy: nothing resident yet
  assert.is(audit(heap).os.rssBytes, 0);
  assert.is(audit(heap).counters.pageFaults, 0);
});

test('munmap of a whole mapping: VMA count -1, mapped bytes drop, the peak stays', () => {
  const { heap, cnt } = machine();
  const a = sysMmap(heap, cnt, 3 * PAGE);
  const b = sysMmap(heap, cnt, 2 * PAGE);
  assert.is(audit(heap).os.vmaCount, 2);
  assert.is(sysMunmap(heap, cnt, a, 3 * PAGE), 0);
  let s = audit(heap);
  assert.is(s.os.vmaCount, 1);
  assert.is(s.os.mappedBytes, 2 * PAGE);
  assert.is(s.os.peakMappedBytes, 5 * PAGE);
  assert.is(s.counters.munmap, 1);
  for (let p = 0; p < 3; p++) assert.not.ok(isMappedPage(heap, a / PAGE + p));
  assert.is(sysMunmap(heap, cnt, b, 2 * PAGE), 0);
  s = audit(heap);
  assert.is(s.os.vmaCount, 0);
  assert.is(s.os.mappedBytes, 0);
  assert.is(s.os.peakMappedBytes, 5 * PAGE);
});

test('trimming the head or the tail keeps the VMA count; punching a hole splits (+1)', () => {
  const { heap, cnt } = machine();
  const a = sysMmap(heap, cnt, 6 * PAGE);
  assert.is(audit(heap).os.vmaCount, 1);
  // head
  assert.is(sysMunmap(heap, cnt, a, PAGE), 0);
  assert.is(audit(heap).os.vmaCount, 1);
  assert.not.ok(isMappedPage(heap, a / PAGE));
  assert.ok(isMappedPage(heap, a / PAGE + 1));
  // tail
  assert.is(sysMunmap(heap, cnt, a + 5 * PAGE, PAGE), 0);
  assert.is(audit(heap).os.vmaCount, 1);
  assert.not.ok(isMappedPage(heap, a / PAGE + 5));
  // pages 1..4 remain; a hole at page 2 leaves [1] and [3, 4]
  assert.is(sysMunmap(heap, cnt, a + 2 * PAGE, PAGE), 0);
  let s = audit(heap);
  assert.is(s.os.vmaCount, 2);
  assert.is(s.os.mappedBytes, 3 * PAGE);
  assert.equal([1, 2, 3, 4].map((p) => isMappedPage(heap, a / PAGE + p)), [true, false, true, true]);
  // the two pieces are separate mappings now: each goes away on its own
  assert.is(sysMunmap(heap, cnt, a + 3 * PAGE, 2 * PAGE), 0);
  assert.is(audit(heap).os.vmaCount, 1);
  assert.is(sysMunmap(heap, cnt, a + PAGE, PAGE), 0);
  s = audit(heap);
  assert.is(s.os.vmaCount, 0);
  assert.is(s.os.mappedBytes, 0);
  assert.is(s.counters.munmap, 5);
});

/** Fills the mapping limit (8) with one-page mappings, the last one `lastPages` long. */
function fillToLimit(heap: Heap, cnt: number, lastPages = 1): number[] {
  const maps: number[] = [];
  const limit = heap.cfg.maxMapCount;
  for (let i = 0; i < limit; i++) {
    const a = sysMmap(heap, cnt, (i === limit - 1 ? lastPages : 1) * PAGE);
    assert.ok(a >= 0, `mapping ${i} of ${limit}`);
    maps.push(a);
  }
  assert.is(audit(heap).os.vmaCount, limit);
  return maps;
}

test('at vm.max_map_count mmap fails with ENOMEM and changes nothing (seed 003 §5)', () => {
  const { heap, cnt } = machine();
  const maps = fillToLimit(heap, cnt);
  heap.f64[writableCell(heap, cnt, maps[0]!)] = 42; // something resident to keep
  const before = audit(heap);
  const pagesBefore = mappedMap(heap);
  assert.is(sysMmap(heap, cnt, PAGE), ENOMEM);
  assert.is(ENOMEM, -12);
  const after = audit(heap);
  assert.equal(after.os, before.os);
  assert.equal(mappedMap(heap), pagesBefore);
  assert.equal(countersExcept(after, 'mmap', 'enomem'), countersExcept(before, 'mmap', 'enomem'));
  assert.is(after.counters.mmap, before.counters.mmap + 1, 'the failed call is counted');
  assert.is(after.counters.enomem, before.counters.enomem + 1);
  assert.is(readCell(heap, maps[0]!), 42);
  // one mapping fewer, and mmap works again
  assert.is(sysMunmap(heap, cnt, maps[1]!, PAGE), 0);
  assert.ok(sysMmap(heap, cnt, PAGE) >= 0);
  assert.is(audit(heap).os.vmaCount, heap.cfg.maxMapCount);
});

test('at vm.max_map_count a hole-punching munmap fails with ENOMEM and changes nothing; trims still work', () => {
  const { heap, cnt } = machine();
  const maps = fillToLimit(heap, cnt, 4);
  const big = maps[maps.length - 1]!;
  for (let p = 0; p < 4; p++) heap.f64[writableCell(heap, cnt, big + p * PAGE)] = 100 + p;
  const before = audit(heap);
  const pagesBefore = mappedMap(heap);
  // unmapping page 1 of 4 would split one VMA into two: 9 > 8
  assert.is(sysMunmap(heap, cnt, big + PAGE, PAGE), ENOMEM);
  const after = audit(heap);
  assert.equal(after.os, before.os);
  assert.equal(mappedMap(heap), pagesBefore);
  assert.equal(countersExcept(after, 'munmap', 'enomem'), countersExcept(before, 'munmap', 'enomem'));
  assert.is(after.counters.munmap, before.counters.munmap + 1);
  for (let p = 0; p < 4; p++) assert.is(readCell(heap, big + p * PAGE), 100 + p, `page ${p} kept its contents`);
  // trimming the head or tail does not add a VMA, so it works at the limit
  assert.is(sysMunmap(heap, cnt, big + 3 * PAGE, PAGE), 0);
  assert.is(sysMunmap(heap, cnt, big, PAGE), 0);
  const s = audit(heap);
  assert.is(s.os.vmaCount, heap.cfg.maxMapCount);
  assert.is(s.os.rssBytes, before.os.rssBytes - 2 * PAGE);
  // and so does unmapping a whole mapping
  assert.is(sysMunmap(heap, cnt, maps[0]!, PAGE), 0);
  assert.is(audit(heap).os.vmaCount, heap.cfg.maxMapCount - 1);
});

test('mmap larger than any free run of address space fails with ENOMEM and changes nothing', () => {
  const { heap, cnt } = machine();
  const a = sysMmap(heap, cnt, PAGE);
  const before = audit(heap);
  assert.is(sysMmap(heap, cnt, heap.cfg.vaBytes), ENOMEM); // one page is taken
  const after = audit(heap);
  assert.equal(after.os, before.os);
  assert.is(after.counters.enomem, 1);
  assert.is(sysMunmap(heap, cnt, a, PAGE), 0);
  // now the whole space is free but for page 0, which no mapping ever starts at (the null page)
  assert.is(sysMmap(heap, cnt, heap.cfg.vaBytes), ENOMEM);
  const whole = sysMmap(heap, cnt, heap.cfg.vaBytes - PAGE);
  assert.is(whole, PAGE);
  assert.is(audit(heap).os.mappedBytes, heap.cfg.vaBytes - PAGE);
});

test('first write to a page is a page fault and makes it resident; reads of untouched pages are 0 without a fault', () => {
  const { heap, cnt } = machine();
  const a = sysMmap(heap, cnt, 3 * PAGE);
  // reading a mapped, never-written page: the zero page, no frame, no fault
  for (let off = 0; off < 3 * PAGE; off += 1000) assert.is(readCell(heap, a + off), 0);
  assert.is(residentCell(heap, a), -1);
  let s = audit(heap);
  assert.is(s.counters.pageFaults, 0);
  assert.is(s.os.rssBytes, 0);
  // first write: one fault, one resident page
  heap.f64[writableCell(heap, cnt, a + 16)] = 7;
  s = audit(heap);
  assert.is(s.counters.pageFaults, 1);
  assert.is(s.os.rssBytes, PAGE);
  assert.ok(residentCell(heap, a) >= 0);
  assert.is(readCell(heap, a + 16), 7);
  // more writes to the same page: no fault
  heap.f64[writableCell(heap, cnt, a + 16)] = 8;
  heap.f64[writableCell(heap, cnt, a + PAGE - 8)] = 9;
  assert.is(audit(heap).counters.pageFaults, 1);
  assert.is(readCell(heap, a + 16), 8);
  assert.is(readCell(heap, a + PAGE - 8), 9);
  // the other pages are still untouched
  assert.is(residentCell(heap, a + PAGE), -1);
  // a write to the third page: a second fault
  heap.f64[writableCell(heap, cnt, a + 2 * PAGE)] = 1;
  s = audit(heap);
  assert.is(s.counters.pageFaults, 2);
  assert.is(s.os.rssBytes, 2 * PAGE);
  assert.is(s.os.peakRssBytes, 2 * PAGE);
  assert.is(s.os.framesInUse, 2);
  assert.is(readCell(heap, a + PAGE), 0);
});

test('touching an unmapped address is a SegvError', () => {
  const { heap, cnt } = machine();
  const a = sysMmap(heap, cnt, 2 * PAGE);
  const unmapped = [a + 2 * PAGE, a + 10 * PAGE + 8, -8, -PAGE];
  for (const addr of unmapped) {
    assert.throws(() => readCell(heap, addr), (e: unknown) => e instanceof SegvError && e.address === addr,
      `read at ${addr}`);
    assert.throws(() => writableCell(heap, cnt, addr), (e: unknown) => e instanceof SegvError, `write at ${addr}`);
  }
  // a page that was mapped and written, then unmapped
  heap.f64[writableCell(heap, cnt, a + PAGE)] = 5;
  assert.is(sysMunmap(heap, cnt, a + PAGE, PAGE), 0);
  assert.throws(() => readCell(heap, a + PAGE), isA(SegvError));
  assert.throws(() => writableCell(heap, cnt, a + PAGE), isA(SegvError));
  assert.is(audit(heap).counters.pageFaults, 1, 'a segfault is not a page fault');
  // the rest of the mapping is fine
  assert.is(readCell(heap, a), 0);
});

test('munmap releases the frames of resident pages; a recycled frame comes back zeroed', () => {
  const { heap, cnt } = machine();
  const a = sysMmap(heap, cnt, 2 * PAGE);
  heap.f64[writableCell(heap, cnt, a)] = 42;
  heap.f64[writableCell(heap, cnt, a + PAGE)] = 43;
  assert.is(audit(heap).os.rssBytes, 2 * PAGE);
  assert.is(sysMunmap(heap, cnt, a, PAGE), 0);
  let s = audit(heap);
  assert.is(s.os.rssBytes, PAGE);
  assert.is(s.os.framesInUse, 1);
  assert.is(s.os.peakRssBytes, 2 * PAGE);
  assert.is(readCell(heap, a + PAGE), 43);
  // a new page takes the freed frame; its old contents (42) must not show through
  const b = sysMmap(heap, cnt, PAGE);
  heap.f64[writableCell(heap, cnt, b + 8)] = 1;
  s = audit(heap);
  assert.is(s.os.framesInUse, 2);
  assert.is(s.os.peakRssBytes, 2 * PAGE, 'the frame was reused, not a third one taken');
  assert.is(readCell(heap, b), 0);
  // unmapping never-touched pages releases nothing
  const c = sysMmap(heap, cnt, 3 * PAGE);
  assert.is(sysMunmap(heap, cnt, c, 3 * PAGE), 0);
  assert.is(audit(heap).os.rssBytes, 2 * PAGE);
});

test('sysPopulate makes pages resident without page faults (MADV_POPULATE_WRITE, seed 002)', () => {
  const { heap, cnt } = machine();
  const a = sysMmap(heap, cnt, 4 * PAGE);
  heap.f64[writableCell(heap, cnt, a)] = 3; // one page already resident
  sysPopulate(heap, cnt, a, 4 * PAGE);
  let s = audit(heap);
  assert.is(s.counters.madvise, 1);
  assert.is(s.counters.prefaultedPages, 3, 'only the pages that were not resident');
  assert.is(s.counters.pageFaults, 1);
  assert.is(s.os.rssBytes, 4 * PAGE);
  assert.is(readCell(heap, a), 3, 'populate keeps existing contents');
  for (let p = 0; p < 4; p++) {
    assert.ok(residentCell(heap, a + p * PAGE) >= 0);
    assert.is(readCell(heap, a + p * PAGE + 8), 0);
    heap.f64[writableCell(heap, cnt, a + p * PAGE + 8)] = p;
  }
  s = audit(heap);
  assert.is(s.counters.pageFaults, 1, 'writes to populated pages take no fault');
  // populating again takes nothing
  sysPopulate(heap, cnt, a, 4 * PAGE);
  assert.is(audit(heap).counters.prefaultedPages, 3);
});

// ---------------------------------------------------------------------------------------
// The allocator on the simulated kernel: default geometry (2 MB SuperSlabs of 64 KB slabs)
// on a small machine.
const MACHINE: ConfigInput = { 'sim.va_gib': 0.0625, 'sim.phys_mib': 8, 'vm.max_map_count': 64, 'sim.max_threads': 2 };

/** Pages the allocator has written in its SuperSlabs: headers and every carved block. */
function touchedPages(heap: Heap): Set<number> {
  const { cfg } = heap;
  const pages = new Set<number>();
  for (const ss of audit(heap).superslabs) {
    pages.add(Math.floor(ss.base / cfg.pageBytes));
    pages.add(Math.floor((ss.base + 8) / cfg.pageBytes));
    for (const slot of ss.slots) {
      if (slot.carved === 0) continue;
      const start = ss.base + (slot.slab === 0 ? cfg.slab0Header : slot.slab * cfg.slabBytes);
      for (let i = 0; i < slot.carved; i++) pages.add(Math.floor((start + i * STRIDES[slot.cls]!) / cfg.pageBytes));
    }
  }
  return pages;
}

/** Carves blocks into several slabs: C7 past slab 0 and a second slab, and a few small classes. */
function carve(t: Thread): void {
  const c7 = t.heap.cfg.capacity[7 * 2]! + t.heap.cfg.capacity[7 * 2 + 1]! + 5;
  for (let i = 0; i < c7; i++) assert.ok(malloc(t, 2047) > 0);
  for (const size of [1, 20, 100, 500]) for (let i = 0; i < 50; i++) assert.ok(malloc(t, size) > 0);
}

test('HAKMEM_SS_PREFAULT 1 and 2 make the whole SuperSlab resident at map time; carving takes no faults (seed 002)', () => {
  for (const policy of [1, 2]) {
    const heap = createHeap({ ...MACHINE, HAKMEM_SS_PREFAULT: policy });
    const t = attachThread(heap);
    const ssPages = heap.cfg.ssBytes / heap.cfg.pageBytes;
    assert.ok(malloc(t, 2047) > 0);
    let s = audit(heap);
    assert.is(s.superslabs.length, 1);
    assert.is(s.counters.madvise, 1, `policy ${policy}: one MADV_POPULATE_WRITE`);
    assert.is(s.counters.prefaultedPages, ssPages, `policy ${policy}: the whole SuperSlab populated`);
    assert.is(s.counters.pageFaults, 0, `policy ${policy}: no page faults`);
    assert.is(s.os.rssBytes, heap.cfg.ssBytes);
    carve(t);
    s = audit(heap);
    assert.is(s.superslabs.length, 1);
    assert.ok(touchedPages(heap).size > 16, 'the carving spread over many pages');
    assert.is(s.counters.pageFaults, 0, `policy ${policy}: carving takes no faults`);
    assert.is(s.os.rssBytes, heap.cfg.ssBytes);
    assert.is(s.counters.prefaultedPages, ssPages);
  }
});

test('HAKMEM_SS_PREFAULT 0 faults lazily: one fault per page the allocator writes (seed 002)', () => {
  const heap = createHeap({ ...MACHINE, HAKMEM_SS_PREFAULT: 0 });
  const t = attachThread(heap);
  assert.ok(malloc(t, 2047) > 0);
  let s = audit(heap);
  assert.is(s.counters.madvise, 0);
  assert.is(s.counters.prefaultedPages, 0);
  // the SuperSlab header (base) and the first C7 block (base + 2048) share the first page
  assert.ok(heap.cfg.slab0Header + 8 <= heap.cfg.pageBytes);
  assert.is(s.counters.pageFaults, 1);
  assert.is(s.os.rssBytes, heap.cfg.pageBytes);
  carve(t);
  s = audit(heap);
  const touched = touchedPages(heap);
  assert.ok(touched.size > 16 && touched.size < heap.cfg.ssBytes / heap.cfg.pageBytes);
  assert.is(s.counters.pageFaults, touched.size);
  assert.is(s.os.rssBytes, touched.size * heap.cfg.pageBytes);
  assert.is(s.counters.prefaultedPages, 0);
});

test('a 2 MB SuperSlab is mapped as mmap(4 MB) then trimmed to a 2 MB-aligned base (seed 002 §3, seed 003 §5)', () => {
  // (a) fresh address space: the 4 MB mapping starts aligned, only the tail is trimmed
  {
    const heap = createHeap(MACHINE);
    const t = attachThread(heap);
    const ss = heap.cfg.ssBytes;
    assert.is(ss, 2 ** 21);
    assert.ok(malloc(t, 100) > 0);
    const s = audit(heap);
    assert.is(s.counters.mmap, 1);
    assert.ok(s.counters.munmap === 1 || s.counters.munmap === 2);
    assert.is(s.superslabs[0]!.base % 2 ** 21, 0);
    assert.is(s.os.peakMappedBytes, 2 * ss, 'mmap(2 x 2 MB)');
    assert.is(s.os.mappedBytes, ss, 'trimmed to 2 MB');
    assert.is(s.os.vmaCount, 1);
  }
  // (b) one page already mapped: the 4 MB mapping starts misaligned, head and tail trimmed
  {
    const heap = createHeap(MACHINE);
    const t = attachThread(heap);
    const ss = heap.cfg.ssBytes;
    const page = sysMmap(heap, t.cnt, PAGE);
    assert.ok(page >= 0);
    assert.ok(malloc(t, 100) > 0);
    const s = audit(heap);
    assert.is(s.counters.mmap, 2); // ours and the SuperSlab's
    assert.is(s.counters.munmap, 2, 'head and tail trimmed');
    const base = s.superslabs[0]!.base;
    assert.ok(base > 0);
    assert.is(base % 2 ** 21, 0);
    assert.is(s.os.peakMappedBytes, 2 * ss + PAGE);
    assert.is(s.os.mappedBytes, ss + PAGE);
    assert.is(s.os.vmaCount, 2);
    // exactly the SuperSlab's pages are mapped, besides our page
    assert.ok(isMappedPage(heap, base / PAGE) && isMappedPage(heap, (base + ss) / PAGE - 1));
    assert.not.ok(isMappedPage(heap, base / PAGE - 1));
    assert.not.ok(isMappedPage(heap, (base + ss) / PAGE));
  }
});

test('physical exhaustion: the faulting write is an OOM kill', () => {
  // 0.02 MiB = 5 pages of 4 KB
  const { heap, cnt } = machine({ 'sim.phys_mib': 0.02 });
  assert.is(heap.cfg.physPages, 5);
  const a = sysMmap(heap, cnt, 8 * PAGE);
  for (let p = 0; p < 5; p++) heap.f64[writableCell(heap, cnt, a + p * PAGE)] = p + 1;
  assert.throws(() => writableCell(heap, cnt, a + 5 * PAGE), isA(OomKilled));
  const s = audit(heap);
  assert.is(s.os.rssBytes, 5 * PAGE);
  assert.is(s.counters.pageFaults, 5);
  // resident pages are still writable and readable; reads of the rest are still 0
  heap.f64[writableCell(heap, cnt, a + 4 * PAGE + 8)] = 9;
  assert.is(readCell(heap, a + 4 * PAGE + 8), 9);
  assert.is(readCell(heap, a + 6 * PAGE), 0);
  // freeing a frame lets the next fault succeed
  assert.is(sysMunmap(heap, cnt, a, PAGE), 0);
  heap.f64[writableCell(heap, cnt, a + 5 * PAGE)] = 6;
  assert.is(audit(heap).counters.pageFaults, 6);

  // The allocator: small SuperSlabs (8 KB = 2 pages) on 5 pages of memory.
  const small = machine({ 'sim.phys_mib': 0.02, 'vm.max_map_count': 64 });
  assert.throws(() => {
    for (let i = 0; i < 100; i++) malloc(small.t, 2047);
  }, isA(OomKilled));
  assert.is(audit(small.heap).os.rssBytes, 5 * PAGE);
});

// An address past the simulated space once indexed past the page table into another page.
test('an address beyond the simulated address space is a SegvError, never another page', () => {
  const heap = createHeap({
    HAKMEM_TINY_SS_FORCE_LG: 13, 'sim.slab_bytes': 4096, 'sim.slab0_header_bytes': 64,
    'sim.va_gib': 0.002, 'sim.phys_mib': 1, 'vm.max_map_count': 16,
  });
  const t = attachThread(heap);
  const a = sysMmap(heap, t.cnt, 8 * 4096);
  heap.f64[writableCell(heap, t.cnt, a)] = 12345;
  for (const addr of [heap.cfg.vaBytes, heap.cfg.vaBytes + 8, 4 * 2 ** 20, 4 * 2 ** 20 + 8, 8 * 2 ** 20]) {
    assert.is(residentCell(heap, addr), -1, `residentCell(0x${addr.toString(16)})`); // today: a cell of page 0
    assert.throws(() => readCell(heap, addr), (e: unknown) => e instanceof SegvError, `read 0x${addr.toString(16)}`);
    assert.throws(() => writableCell(heap, t.cnt, addr), (e: unknown) => e instanceof SegvError);
  }
  assert.is(readCell(heap, a), 12345);
});

test.run();
