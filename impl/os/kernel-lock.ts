// The simulated kernel's own lock. A system call or page fault is atomic from the
// allocator's point of view: the lock is taken and released inside one call and never
// held across a step (docs/architecture.md §3), so under the step executor it is always free.
// Real worker threads contend on it for real.
import type { Heap } from '../heap.js';
import { H } from '../layout.js';

export function kernelEnter(h: Heap): void {
  const { i32 } = h;
  while (Atomics.compareExchange(i32, H.OS_LOCK, 0, 1) !== 0) {
    Atomics.wait(i32, H.OS_LOCK, 1, 1);
  }
}

export function kernelExit(h: Heap): void {
  Atomics.store(h.i32, H.OS_LOCK, 0);
  Atomics.notify(h.i32, H.OS_LOCK, 1);
}
