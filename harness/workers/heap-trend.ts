// A worker's JS heap over a run. used_heap_size is a sawtooth (garbage piles up between
// collections), so its first and last samples say little; its floor — the least sample
// in a window, close to the post-collection level — is what a leak raises. The trend
// gives the floor of each tenth of the run: a leak climbs through them, a warm-up
// (compiled code, inline caches) steps up once and stays.
import { getHeapStatistics } from 'node:v8';

export interface HeapTrend {
  samples: number;
  /** Least used heap in each tenth of the samples, in order (bytes; fewer with < 10 samples). */
  floors: number[];
  /** The first and the last of them. */
  floorFirst: number;
  floorLast: number;
  /** floorLast - floorFirst: what stayed behind (a leak grows it with run time). */
  growth: number;
  max: number;
}

export function heapTrend(samples: readonly number[]): HeapTrend {
  if (samples.length === 0) throw new Error('heapTrend: no samples');
  const parts = Math.min(10, samples.length);
  const floors = Array.from({ length: parts }, (_, i) => {
    const from = Math.floor((i * samples.length) / parts);
    return Math.min(...samples.slice(from, Math.floor(((i + 1) * samples.length) / parts)));
  });
  const floorFirst = floors[0]!;
  const floorLast = floors[parts - 1]!;
  return { samples: samples.length, floors, floorFirst, floorLast, growth: floorLast - floorFirst, max: Math.max(...samples) };
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
