// Shared test scaffolding: small heaps, threads, and assertions over the audit.
import * as assert from 'uvu/assert';
import { free, malloc } from '../impl/allocator.js';
import { audit, type Snapshot } from '../impl/audit.js';
import type { ConfigInput } from '../impl/config.js';
import { createHeap, type Heap } from '../impl/heap.js';
import { attachThread, type Thread } from '../impl/thread/thread.js';
import { firstViolation, type Invariant } from '../model/invariants.js';

/** A heap of small SuperSlabs (2 slabs of 4 KB; C7 holds 1-2 blocks per slab). */
export const SMALL: ConfigInput = {
  HAKMEM_TINY_SS_FORCE_LG: 13,
  'sim.slab_bytes': 4096,
  'sim.slab0_header_bytes': 64,
  'sim.va_gib': 0.001,
  'sim.phys_mib': 4,
  'sim.max_threads': 8,
  'vm.max_map_count': 256,
};

export function heapOf(input: ConfigInput = {}): { heap: Heap; t: Thread } {
  const heap = createHeap(input);
  return { heap, t: attachThread(heap) };
}

export function mustMalloc(t: Thread, size: number): number {
  const p = malloc(t, size);
  assert.ok(p > 0, `malloc(${size}) failed with ${p}`);
  return p;
}

export function mustFree(t: Thread, p: number): void {
  assert.is(free(t, p), 0, `free(0x${p.toString(16)})`);
}

/** Asserts that the invariants `which` selects (default: safety) hold; returns the snapshot. */
export function assertHolds(heap: Heap, which?: (inv: Invariant) => boolean): Snapshot {
  const s = audit(heap);
  const bad = firstViolation(s, which);
  assert.is(bad, null, bad === null ? '' : `${bad.id}: ${bad.what} at ${bad.where} (expected ${bad.expected}, actual ${bad.actual})`);
  return s;
}

/** The counters of the heap (all threads). */
export function counters(heap: Heap): Snapshot['counters'] {
  return audit(heap).counters;
}
