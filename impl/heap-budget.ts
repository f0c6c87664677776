// The heap's size, checked against a stated budget before anything is allocated: a
// configuration whose tables or simulated memory would not fit is refused with an error
// naming the knob that costs the most, never a RangeError from the SharedArrayBuffer.
import { ConfigError, type Config } from './config.js';
import { Layout, TF } from './layout.js';

/** Default budget for one heap, in MiB (seed 003 at its scale needs ~2.5 GiB); SLABCHECK_HEAP_BUDGET_MIB overrides it. */
export const DEFAULT_HEAP_BUDGET_MIB = 3072;

export function heapBudgetBytes(): number {
  const raw = process.env['SLABCHECK_HEAP_BUDGET_MIB'];
  const mib = raw !== undefined && /^\d+$/.test(raw) && Number(raw) > 0 ? Number(raw) : DEFAULT_HEAP_BUDGET_MIB;
  return mib * 2 ** 20;
}

/** The heap's size in bytes for `cfg`; throws a ConfigError naming the costliest knob when over budget. */
export function checkHeapBudget(cfg: Config): number {
  const L = new Layout(cfg);
  const budget = heapBudgetBytes();
  if (L.bytes <= budget) return L.bytes;
  // The layout's regions in order: SuperSlab tables, threads, address space, then physical memory.
  const tables = (L.threads - L.ss) * 4;
  const threads = (L.vaMapped - L.threads) * 4 + cfg.maxThreads * TF.WORDS * 8;
  const va = (L.l2 - L.vaMapped) * 4;
  const costs: [string, number][] = [
    [cfg.knobs['sim.max_superslabs'] !== 0 ? 'sim.max_superslabs' : 'vm.max_map_count', tables],
    ['sim.max_threads', threads],
    ['sim.va_gib', va],
    ['sim.phys_mib', L.bytes - tables - threads - va],
  ];
  const [knob, bytes] = costs.reduce((a, b) => (b[1] > a[1] ? b : a));
  const mib = (n: number): string => `${(n / 2 ** 20).toFixed(0)} MiB`;
  throw new ConfigError(knob,
    `${cfg.knobs[knob]} makes the heap ${mib(L.bytes)} (${mib(bytes)} of it for this knob), over the budget of ${mib(budget)} (SLABCHECK_HEAP_BUDGET_MIB)`);
}
