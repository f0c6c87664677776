// The workloads `slabcheck run` knows, by name.
import { cacheScratch, cacheThrash } from './cache-thrash.js';
import { fault } from './fault.js';
import { larson } from './larson.js';
import { randomMixed } from './random-mixed.js';
import type { Workload } from './types.js';
import { xmalloc } from './xmalloc.js';

// Each workload has its own option type; the registry only needs them by name. No
// prototype: `constructor` or `__proto__` is no workload, even looked up plainly.
export const WORKLOADS: Readonly<Record<string, Workload<Record<string, number>>>> = Object.assign(
  Object.create(null) as Record<string, Workload<Record<string, number>>>,
  Object.fromEntries(([randomMixed, larson, cacheThrash, cacheScratch, xmalloc, fault] as unknown as Workload<Record<string, number>>[]).map((w) => [w.name, w])),
);

/** Every option at its default. */
export function defaults(w: Workload<Record<string, number>>): Record<string, number> {
  return Object.fromEntries(Object.entries(w.options).map(([k, [def]]) => [k, def]));
}
