// What a workload run reports: the seeds' figures from the heap's counters and simulated
// OS, per-thread operations, how the run ended, and the audit verdict after the final
// drain and trim (every safety rule, and reclaim; the clock is not moved past the TTL).
import { audit } from '../model/audit.js';
import type { Counters } from '../impl/counters.js';
import type { Heap } from '../impl/heap.js';
import { firstViolation, type Violation } from '../model/rules/catalogue.js';
import type { Failure, RunResult, ThreadResult } from './runner.js';

export interface RunReport {
  workload: string;
  options: Record<string, number>;
  threads: number;
  exec: string;
  variants: string[];
  ops: number;
  /** Wall-clock figures: with interleaved execution, the only fields that differ between identical runs. */
  opsPerSec?: number;
  seconds?: number;
  stopped: RunResult['stopped'];
  enomemAt: RunResult['enomem'];
  failures: Failure[];
  perThread: ThreadResult[];
  mmap: number;
  munmap: number;
  lruPush: number;
  lruPopHit: number;
  lruPopMiss: number;
  ssAlloc: number;
  ssFreed: number;
  /** SuperSlabs mapped (pool and LRU), and in the pool (holding slots) alone. */
  ssLive: { peak: number; final: number };
  ssPool: { peak: number; final: number };
  emptyEvents: number;
  legacyFallbacks: number;
  localFrees: number;
  remoteFrees: number;
  enomem: number;
  pageFaults: number;
  peakRssBytes: number;
  peakVmBytes: number;
  finalVmBytes: number;
  finalRssBytes: number;
  counters: Counters;
  audit: 'ok' | Violation | 'skipped: a worker failed';
}

export function report(
  heap: Heap, head: { workload: string; options: Record<string, number>; threads: number; exec: string },
  r: RunResult, timing: boolean,
): RunReport {
  const snap = audit(heap);
  const c = snap.counters;
  const out: RunReport = {
    ...head,
    variants: [...heap.cfg.variants],
    ops: r.ops,
    stopped: r.stopped,
    enomemAt: r.enomem,
    failures: r.failures,
    perThread: r.perThread,
    mmap: c.mmap,
    munmap: c.munmap,
    lruPush: c.lruPush,
    lruPopHit: c.lruPopHit,
    lruPopMiss: c.lruPopMiss,
    ssAlloc: c.ssAlloc,
    ssFreed: c.ssFreed,
    ssLive: { peak: snap.os.peakSsLive, final: snap.os.ssLive },
    ssPool: { peak: snap.os.peakSsPool, final: snap.os.ssPool },
    emptyEvents: c.emptyEvents,
    legacyFallbacks: c.legacyFallbacks,
    localFrees: c.localFrees,
    remoteFrees: c.remoteFrees,
    enomem: c.enomem,
    pageFaults: c.pageFaults,
    peakRssBytes: snap.os.peakRssBytes,
    peakVmBytes: snap.os.peakMappedBytes,
    finalVmBytes: snap.os.mappedBytes,
    finalRssBytes: snap.os.rssBytes,
    counters: c,
    audit: r.failures.length > 0
      ? 'skipped: a worker failed'
      : firstViolation(snap, (inv) => inv.kind === 'safety' || inv.id === 'LIVE-RECLAIM') ?? 'ok',
  };
  if (timing) {
    out.opsPerSec = Math.round(r.ops / r.seconds);
    out.seconds = Number(r.seconds.toFixed(3));
  }
  return out;
}
