// docs/architecture.md §3: one implementation, and the direct executor runs it on real threads.
// A worker allocates, the main thread frees every block remotely while the worker keeps
// allocating, the worker drains: the audit balances and every free arrived.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Worker } from 'node:worker_threads';
import { exitOp, free, run, tickOp } from '../impl/allocator/allocator.js';
import { createHeap } from '../impl/heap.js';
import { attachThread } from '../impl/thread/thread.js';
import { assertHolds } from './helpers.js';

test('worker allocates, main thread frees remotely, audit balances', async () => {
  const heap = createHeap({});
  const count = 20_000;
  const ring = new SharedArrayBuffer(8 + 8 * count);
  const published = new Int32Array(ring, 0, 2);
  const addresses = new Float64Array(ring, 8, count);
  const worker = new Worker(new URL('./fixtures/remote-worker.js', import.meta.url), {
    workerData: { sab: heap.sab, ring, count, sizes: [16, 100, 700, 1500] },
  });
  const exited = new Promise<number>((resolve, reject) => {
    worker.on('error', reject);
    worker.on('message', (m: { tid: number }) => resolve(m.tid));
  });
  const main = attachThread(heap);
  for (let i = 0; i < count; ) {
    const ready = Atomics.load(published, 0);
    if (ready === i) {
      Atomics.wait(published, 0, i, 50);
      continue;
    }
    for (; i < ready; i++) assert.is(free(main, addresses[i]!), 0, `remote free ${i}`);
  }
  Atomics.store(published, 1, 1);
  Atomics.notify(published, 1);
  const workerTid = await exited;
  assert.ok(workerTid !== main.tid);
  run(main, tickOp(main, 61_000)); // past the LRU TTL: idle trim unmaps the cached SuperSlabs
  run(main, exitOp(main));
  const snap = assertHolds(heap, () => true);
  assert.is(snap.counters.remoteFrees, count);
  assert.is(snap.counters.allocs, count);
  assert.is(snap.superslabs.length, 0);
  assert.is(snap.os.mappedBytes, 0);
});

test.run();
