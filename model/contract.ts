// The allocator's contract at its interface (issue 10 item 0), stated from the outside so
// that a wrong mapping or a wrong check in impl/ cannot agree with itself: which class a
// size gets (the header byte included), which sizes are refused, and what a free of any
// address must answer — 0 for a live block, else the one documented E.FREE_* code
// (impl/errors.ts), judged on the heap as it stands when the free's pointer check runs.
import type { Snapshot } from './audit.js';
import { E } from '../impl/errors.js';
import { HEADER_BYTES, STRIDES } from '../impl/sizeclass.js';
import type { Violation } from './rules/rule.js';


/**
 * The class a user request of `size` bytes gets: the smallest whose stride holds the size
 * plus its one-byte header (seed 004 §1.1, §2); -1 when no class does (BAD_SIZE).
 */
export function classForSize(size: number): number {
  if (!Number.isInteger(size) || size < 0) return -1;
  for (let cls = 0; cls < STRIDES.length; cls++) if (size + HEADER_BYTES <= STRIDES[cls]!) return cls;
  return -1;
}

/**
 * Both edges of every class: 0 (the smallest C0 size), and for each class the largest size
 * it holds (stride − header) and the next size up (the smallest of the next class; past C7,
 * a size the tiny allocator refuses).
 */
export const EDGE_SIZES: readonly number[] = [0, ...STRIDES.flatMap((stride) => [stride - HEADER_BYTES, stride])];

export interface FreeFacts {
  /** The simulated address space's size: an address outside it is in no mapping. */
  vaBytes: number;
  /** Whether the page holding `address` is mapped (the simulated kernel's page table). */
  mapped(address: number): boolean;
}

/**
 * What free(ptr) must return on the heap `s` (impl/errors.ts): 0 for a live block, else
 * the code naming what the address is. A SuperSlab counts while its header page is mapped
 * and it is in the pool (MAPPED, or FREEING: held a moment by trim or a free check); a
 * CACHED one's blocks are mapped memory that is no block.
 */
export function expectedFree(s: Snapshot, ptr: number, facts: FreeFacts): number {
  if (!Number.isInteger(ptr) || ptr <= 0 || ptr >= facts.vaBytes) return E.FREE_UNMAPPED;
  const base = ptr - HEADER_BYTES;
  const { ssBytes, slabBytes, slab0Header: slab0HeaderBytes } = s.limits;
  const ss = s.superslabs.find((x) => x.state !== 'CACHED' && base >= x.base && base < x.base + ssBytes && facts.mapped(x.base));
  if (ss === undefined) return facts.mapped(ptr) ? E.FREE_FOREIGN : E.FREE_UNMAPPED;
  const inSS = base - ss.base;
  if (inSS < slab0HeaderBytes) return E.FREE_FOREIGN; // the SuperSlab header
  const slot = ss.slots[Math.floor(inSS / slabBytes)]!;
  if (slot.state !== 'ACTIVE') return E.FREE_NEVER_ALLOCATED;
  const offset = inSS - (slot.slab === 0 ? slab0HeaderBytes : slot.slab * slabBytes);
  const stride = STRIDES[slot.cls]!;
  if (offset % stride !== 0) return E.FREE_INTERIOR;
  const idx = offset / stride;
  if (idx >= slot.capacity) return E.FREE_FOREIGN; // the slab's tail past its last block
  if (idx >= slot.carved) return E.FREE_NEVER_ALLOCATED;
  return slot.live.includes(idx) ? 0 : E.FREE_DOUBLE;
}

/** FREE-ERROR: a rejected free answered `expected`, changing nothing. */
export function judgeRejectedFree(where: string, expected: number, actual: number, heapChanged: boolean, errorName: (code: number) => string): Violation | null {
  const name = (code: number): string => (code === 0 ? '0 (freed)' : errorName(code));
  if (actual !== expected) {
    return { id: 'FREE-ERROR', what: `free answered ${name(actual)} where the contract says ${name(expected)}`, where, expected: name(expected), actual: name(actual) };
  }
  if (heapChanged) return { id: 'FREE-ERROR', what: `a rejected free (${name(actual)}) changed the heap`, where, expected: 'the heap unchanged', actual: 'changed' };
  return null;
}

/** ALLOC-SIZE: malloc refuses exactly the sizes no class holds, with BAD_SIZE. */
export function judgeAllocResult(where: string, size: number, result: number): Violation | null {
  const refused = classForSize(size) < 0;
  if (refused && result !== E.BAD_SIZE) {
    return { id: 'ALLOC-SIZE', what: `malloc(${size}) served a size no class holds`, where, expected: 'BAD_SIZE', actual: String(result) };
  }
  if (!refused && result === E.BAD_SIZE) {
    return { id: 'ALLOC-SIZE', what: `malloc(${size}) refused a size class ${classForSize(size)} holds`, where, expected: 'a block (or ENOMEM)', actual: 'BAD_SIZE' };
  }
  return null;
}
