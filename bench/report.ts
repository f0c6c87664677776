// What a workload run reports (issue: `run --json`): the seeds' figures from the heap's
// counters and simulated OS, and the audit verdict after the final drain and trim.
import { audit } from '../impl/audit.js';
import type { Counters } from '../impl/counters.js';
import type { Heap } from '../impl/heap.js';
import { firstViolation, type Violation } from '../model/invariants.js';

export interface RunReport {
  workload: string;
  options: Record<string, unknown>;
  variants: string[];
  ops: number;
  /** Wall-clock figures: the only fields that differ between identical runs. */
  opsPerSec?: number;
  seconds?: number;
  mmap: number;
  munmap: number;
  lruPush: number;
  lruPopHit: number;
  lruPopMiss: number;
  ssAlloc: number;
  ssFreed: number;
  emptyEvents: number;
  legacyFallbacks: number;
  pageFaults: number;
  peakRssBytes: number;
  peakVmBytes: number;
  finalVmBytes: number;
  counters: Counters;
  audit: 'ok' | Violation;
}

export function report(
  heap: Heap, workload: string, options: Record<string, unknown>, ops: number, seconds: number, timing: boolean,
): RunReport {
  const snap = audit(heap);
  const c = snap.counters;
  const out: RunReport = {
    workload,
    options,
    variants: [...heap.cfg.variants],
    ops,
    mmap: c.mmap,
    munmap: c.munmap,
    lruPush: c.lruPush,
    lruPopHit: c.lruPopHit,
    lruPopMiss: c.lruPopMiss,
    ssAlloc: c.ssAlloc,
    ssFreed: c.ssFreed,
    emptyEvents: c.emptyEvents,
    legacyFallbacks: c.legacyFallbacks,
    pageFaults: c.pageFaults,
    peakRssBytes: snap.os.peakRssBytes,
    peakVmBytes: snap.os.peakMappedBytes,
    finalVmBytes: snap.os.mappedBytes,
    counters: c,
    // after the final drain and trim: every safety rule, and reclaim (the clock is not past the TTL)
    audit: firstViolation(snap, (inv) => inv.kind === 'safety' || inv.id === 'LIVE-RECLAIM') ?? 'ok',
  };
  if (timing) {
    out.opsPerSec = Math.round(ops / seconds);
    out.seconds = Number(seconds.toFixed(3));
  }
  return out;
}
