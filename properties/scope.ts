// Small scopes (docs/architecture.md §7): property runs use tiny configurations, where bugs show
// after a handful of operations. The default scope is a family of them — the
// geometry fixed, a few policy knobs drawn per run (so that, say, both "LRU full ->
// evict" and "no LRU -> munmap" get exercised) — and the drawn configuration travels
// in the counterexample. With a user configuration the scope is that one configuration.
import fc from 'fast-check';
import type { ConfigInput } from '../impl/config.js';
import { SIZES } from './ops/alloc.js';
import { OPS } from './ops/registry.js';
import type { Case, Op, Program, Schedule } from './program.js';
import { DEFAULT_SCHEDULER, schedulerNamed } from './schedulers/registry.js';

/** The geometry of every default-scope run: SuperSlabs of 2 slabs of 4 KB. */
export const TINY_GEOMETRY: ConfigInput = {
  HAKMEM_TINY_SS_FORCE_LG: 13,
  'sim.slab_bytes': 4096,
  'sim.slab0_header_bytes': 64, // C7 (2048 B): 1 block in slab 0, 2 in slab 1; C6: 7 and 8; C5: 15 and 16
  'sim.va_gib': 0.001,
  'sim.phys_mib': 0.5, // 128 pages: a scope program touches at most ~100 (36 allocations)
  'sim.max_threads': 8,
  'vm.max_map_count': 128,
  HAKMEM_SUPERSLAB_TTL_SEC: 0.008,
  HAKMEM_TINY_IDLE_TRIM_MS: 4,
  HAKMEM_SS_EMPTY_SCAN_LIMIT: 1, // what variant empty-scan-limit looks at in this scope
};

export { SIZES };

export interface ScopeOptions {
  /** A fixed configuration (knobs and variants); absent: the default family. */
  config?: ConfigInput;
  /** Knobs set on top of every configuration of the default family. */
  set?: ConfigInput;
  /** Variants added to every configuration. */
  variants?: string[];
  maxThreads?: number;
  maxOpsPerThread?: number;
  /** A registered scheduler's name (schedulers/registry.ts), or an older alias of one; default preempt. */
  scheduler?: string;
  /** Bug depth d: PCT's d - 1 priority change points, the delay scheduler's d - 1 delays. */
  depth?: number;
}

/** The knobs each default-scope run draws and their values (the first: where shrinking goes). */
export const TINY_POLICIES: Readonly<Record<string, readonly number[]>> = {
  HAKMEM_SUPERSLAB_MAX_CACHED: [1, 0, 2],
  // one SuperSlab's bytes: the bytes bound binds before the count bound of 2
  HAKMEM_SUPERSLAB_MAX_MEMORY_MB: [512, 2 ** -7],
  HAKMEM_TINY_SS_RESERVE: [1, 0],
  HAKMEM_TINY_CAP: [0, 2],
  HAKMEM_TLS_SLL_DRAIN_INTERVAL: [4, 2],
  HAKMEM_TINY_SLL_CAP: [0, 2],
};
const policy = fc.record(Object.fromEntries(Object.entries(TINY_POLICIES).map(([k, values]) => [k, fc.constantFrom(...values)])));

/** The policy draw that shrinking ends at (validates --set against the scope). */
export const TINY_POLICY_BASE: ConfigInput = Object.fromEntries(Object.entries(TINY_POLICIES).map(([k, values]) => [k, values[0]!]));

/** Every policy of the default scope (the base first). */
export function policyFamily(): ConfigInput[] {
  let out: ConfigInput[] = [{}];
  for (const [k, values] of Object.entries(TINY_POLICIES)) out = out.flatMap((c) => values.map((v) => ({ ...c, [k]: v })));
  return out;
}

/** The base policy, then each policy that differs from it in one knob (a neighbour), in TINY_POLICIES order. */
export function policyNeighbours(): ConfigInput[] {
  return [TINY_POLICY_BASE, ...Object.entries(TINY_POLICIES).flatMap(([k, values]) => values.slice(1).map((v) => ({ ...TINY_POLICY_BASE, [k]: v })))];
}

export function configArb(o: ScopeOptions): fc.Arbitrary<ConfigInput> {
  const variants = o.variants ?? [];
  const withVariants = (c: ConfigInput): ConfigInput => (variants.length > 0 ? { ...c, variants: [...variants] } : c);
  if (o.config !== undefined) return fc.constant(withVariants({ ...o.config }));
  // one frozen configuration per policy drawn (a few dozen in a run): the heap knows a
  // frozen configuration by its object (impl/heap.ts), so a case does not encode it again
  const drawn = new Map<string, ConfigInput>();
  return policy.map((p) => {
    const key = Object.values(p).join();
    let c = drawn.get(key);
    if (c === undefined) {
      c = withVariants({ ...TINY_GEOMETRY, ...p, ...o.set });
      if (c.variants !== undefined) Object.freeze(c.variants);
      Object.freeze(c);
      drawn.set(key, c);
    }
    return c;
  });
}

/** One operation: every registered kind's draws, weighted (ops/registry.ts OPS). */
function opArb(): fc.Arbitrary<Op> {
  return fc.oneof(...OPS.flatMap((p): fc.WeightedArbitrary<Op>[] => [...p.draws()]));
}

/** Virtual threads a program has at most, unless ScopeOptions.maxThreads says otherwise. */
export const DEFAULT_MAX_THREADS = 3;

export function programArb(o: ScopeOptions): fc.Arbitrary<Program> {
  const threads = o.maxThreads ?? DEFAULT_MAX_THREADS;
  // size 'max': fast-check's default size caps generated arrays near 10 whatever maxLength says
  const any = fc
    .array(fc.array(opArb(), { maxLength: o.maxOpsPerThread ?? 12, size: 'max' }), { minLength: 1, maxLength: threads })
    .map((ts): Program => ({ threads: ts }));
  if (threads < 2) return any;
  return fc.oneof(
    { weight: 3, arbitrary: any }, { weight: 3, arbitrary: contentionArb(threads) }, { weight: 2, arbitrary: strandedArb() },
    { weight: 1, arbitrary: lruArb() },
  );
}

/**
 * LRU churn: T0 allocates C7 blocks over two or three SuperSlabs, frees them in some order
 * and drains, so several SuperSlabs reach the LRU (which one is newest depends on the
 * order), maybe ages them, and allocates again: the pops, evictions and TTL expiries that
 * LRU-POLICY judges, with more than one entry to choose from.
 */
function lruArb(): fc.Arbitrary<Program> {
  // 4 C7 blocks: 3 fill the first SuperSlab, the fourth opens a second; at most 12 operations
  return fc.record({
    picks: fc.array(fc.nat(3), { minLength: 4, maxLength: 4 }),
    ms: fc.constantFrom(0, 4, 8, 12),
    again: fc.integer({ min: 1, max: 2 }),
  }).map(({ picks, ms, again }): Program => ({
    threads: [[
      ...Array.from({ length: 4 }, (): Op => ({ op: 'alloc', size: SIZES[0]! })),
      ...picks.map((pick): Op => ({ op: 'free', from: 0, pick })),
      { op: 'drain' },
      ...(ms > 0 ? [{ op: 'tick', ms } as Op] : []),
      ...Array.from({ length: again }, (): Op => ({ op: 'alloc', size: SIZES[0]! })),
    ]],
  }));
}

/**
 * Stranded slabs: T0 allocates C7 blocks past its first SuperSlab (3 blocks) and binds a
 * slab of a second; T1 frees the first SuperSlab's blocks, remotely, and moves the clock
 * past idle trim, which caches (or unmaps) a SuperSlab whose slabs are still ACTIVE with
 * their blocks in remote queues: the slot machine's ACTIVE-CACHE / ACTIVE-UNMAP edges,
 * otherwise about 1 case in 1,000, too few for `check` to take every transition in its
 * default runs.
 */
function strandedArb(): fc.Arbitrary<Program> {
  return fc.record({ allocs: fc.integer({ min: 4, max: 6 }), ms: fc.constantFrom(4, 12) }).map(({ allocs, ms }): Program => ({
    threads: [
      Array.from({ length: allocs }, (): Op => ({ op: 'alloc', size: SIZES[0]! })),
      [...Array.from({ length: 3 }, (): Op => ({ op: 'free', from: 0, pick: 0 })), { op: 'tick', ms }],
    ],
  }));
}

/**
 * Contention: T0 allocates blocks of one class (they share a slab), drains and may exit;
 * the other threads free T0's blocks, so their pushes meet on one remote queue and race
 * T0's drains (seed 003 §2.2, seed 004 §4.3), its exit, and each other adopting the
 * orphaned slab; their ticks run idle trim on SuperSlabs whose blocks all went remote.
 */
function contentionArb(threads: number): fc.Arbitrary<Program> {
  const ownerOp = fc.oneof(
    { weight: 3, arbitrary: fc.constant<Op>({ op: 'alloc', size: 0 }) },
    { weight: 1, arbitrary: fc.constant<Op>({ op: 'drain' }) },
    { weight: 1, arbitrary: fc.constant<Op>({ op: 'exit' }) },
  );
  const freerOp = fc.oneof(
    { weight: 3, arbitrary: fc.nat(3).map((pick): Op => ({ op: 'free', from: 0, pick })) },
    { weight: 1, arbitrary: fc.constantFrom(1, 4).map((ms): Op => ({ op: 'tick', ms })) },
  );
  return fc
    .record({
      size: fc.constantFrom(SIZES[1]!, SIZES[2]!, SIZES[0]!),
      owner: fc.array(ownerOp, { minLength: 1, maxLength: 6 }),
      freers: fc.array(fc.array(freerOp, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: threads - 1 }),
    })
    .map(({ size, owner, freers }): Program => ({
      threads: [owner.map((o): Op => (o.op === 'alloc' ? { op: 'alloc', size } : o)), ...freers],
    }));
}

export function scheduleArb(o: ScopeOptions): fc.Arbitrary<Schedule> {
  const plugin = schedulerNamed(o.scheduler ?? DEFAULT_SCHEDULER);
  if (plugin === undefined) throw new RangeError(`unknown scheduler '${o.scheduler}'`);
  return plugin.arbitrary({ threads: o.maxThreads ?? DEFAULT_MAX_THREADS, maxOpsPerThread: o.maxOpsPerThread ?? 12, depth: o.depth ?? 3 });
}

export function caseArb(o: ScopeOptions): fc.Arbitrary<Case> {
  return fc.record({ config: configArb(o), program: programArb(o), schedule: scheduleArb(o) });
}
