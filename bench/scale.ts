// Cost per SuperSlab as their number grows (the scale cliffs: seed 003 reached 49,123
// SuperSlabs, the model's limit is vm.max_map_count = 65,530). A geometry where every
// C7 block needs a SuperSlab of its own (one 4 KB slab holding one 2048-byte block), so
// N mallocs map N SuperSlabs; then the audit decodes the heap, INV-REGISTRY and the
// whole safety catalogue judge it. Per-SuperSlab figures flat in N mean no quadratic part.
import { malloc } from '../impl/allocator/allocator.js';
import { audit } from '../model/audit.js';
import { createHeap } from '../impl/heap.js';
import { attachThread } from '../impl/thread/thread.js';
import { firstViolation, snapshotRule } from '../model/rules/catalogue.js';

const ONE_BLOCK_SUPERSLABS = {
  HAKMEM_TINY_SS_FORCE_LG: 12,
  'sim.slab_bytes': 4096,
  'sim.slab0_header_bytes': 64,
  'sim.page_bytes': 512, // a SuperSlab touches one page: its header and its block's cell
  'sim.va_gib': 1,
  'sim.phys_mib': 64,
  'sim.max_threads': 2,
};

export interface ScaleRow {
  superslabs: number;
  /** malloc that maps a SuperSlab, per SuperSlab (one pass, so the smallest N includes compiling). */
  mapUs: number;
  /** audit (decode), INV-REGISTRY, and every safety invariant: ms for the whole heap (fastest of 3) and us per SuperSlab. */
  auditMs: number;
  registryMs: number;
  catalogueMs: number;
  auditUsPerSuperSlab: number;
  registryUsPerSuperSlab: number;
  catalogueUsPerSuperSlab: number;
  violation: string | null;
}

// The fastest of three runs (the first compiles the code; the machine is shared).
function timed<R>(f: () => R): [R, number] {
  let best = Infinity;
  let r = f();
  for (let i = 0; i < 3; i++) {
    const start = performance.now();
    r = f();
    best = Math.min(best, performance.now() - start);
  }
  return [r, best];
}

export function scale(counts: readonly number[]): ScaleRow[] {
  return counts.map((n) => {
    const heap = createHeap(ONE_BLOCK_SUPERSLABS);
    const t = attachThread(heap);
    const start = performance.now();
    for (let i = 0; i < n; i++) if (malloc(t, 1500) <= 0) throw new Error(`malloc ${i} of ${n} failed`);
    const mapMs = performance.now() - start;
    const [s, auditMs] = timed(() => audit(heap, { counters: false }));
    if (s.superslabs.length !== n) throw new Error(`${s.superslabs.length} SuperSlabs mapped, expected ${n}`);
    const [, registryMs] = timed(() => snapshotRule('INV-REGISTRY')!.check(s));
    const [violation, catalogueMs] = timed(() => firstViolation(s));
    const r = (x: number, d = 3): number => Number(x.toFixed(d));
    return {
      superslabs: n,
      mapUs: r((mapMs * 1000) / n),
      auditMs: r(auditMs, 1),
      registryMs: r(registryMs, 1),
      catalogueMs: r(catalogueMs, 1),
      auditUsPerSuperSlab: r((auditMs * 1000) / n),
      registryUsPerSuperSlab: r((registryMs * 1000) / n),
      catalogueUsPerSuperSlab: r((catalogueMs * 1000) / n),
      violation: violation?.id ?? null,
    };
  });
}
