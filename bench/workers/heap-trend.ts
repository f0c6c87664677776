// A worker's JS heap over a run. used_heap_size is a sawtooth (garbage piles up between
// collections), so its first and last samples say little; its floor — the least sample
// in a window, close to the post-collection level — is what a leak raises. The trend
// compares the floor of the first tenth of the run with the floor of the last tenth.
import { getHeapStatistics } from 'node:v8';

export interface HeapTrend {
  samples: number;
  /** Least used heap in the first and the last tenth of the samples (bytes). */
  floorFirst: number;
  floorLast: number;
  /** floorLast - floorFirst: what stayed behind (a leak grows it with run time). */
  growth: number;
  max: number;
}

export function heapTrend(samples: readonly number[]): HeapTrend {
  if (samples.length === 0) throw new Error('heapTrend: no samples');
  const tenth = Math.max(1, Math.floor(samples.length / 10));
  const floorFirst = Math.min(...samples.slice(0, tenth));
  const floorLast = Math.min(...samples.slice(samples.length - tenth));
  return { samples: samples.length, floorFirst, floorLast, growth: floorLast - floorFirst, max: Math.max(...samples) };
}

/** Samples the heap at most once per `everyMs` of wall clock (callers poll it often). */
export class HeapSampler {
  private readonly samples: number[] = [];
  private due = 0;

  constructor(private readonly everyMs: number) {}

  poll(now: number): void {
    if (now < this.due) return;
    this.due = now + this.everyMs;
    this.samples.push(getHeapStatistics().used_heap_size);
  }

  trend(): HeapTrend {
    this.samples.push(getHeapStatistics().used_heap_size);
    return heapTrend(this.samples);
  }
}
