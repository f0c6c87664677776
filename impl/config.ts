// Configuration: the seeds' HAKMEM_* knobs with the seeds' defaults (the fixed design),
// plus the simulated machine (docs/architecture.md §4). Validated on load: a bad value is an error
// that names the key, never a silent clamp.
import { NUM_CLASSES, STRIDES, capacityOf } from './sizeclass.js';
import { describe, quote } from './quote.js';
import { VARIANTS, variantByName } from './variants.js';

export class ConfigError extends Error {
  constructor(readonly key: string, readonly detail: string) {
    super(`config ${key.length <= 60 ? key : quote(key)}: ${detail}`);
    this.name = 'ConfigError';
  }
}

interface Knob {
  readonly key: string;
  readonly def: number;
  readonly min: number;
  readonly max: number;
  /** Values must be multiples of this (1 = integers). */
  readonly step: number;
  readonly doc: string;
}

// Each knob: its seed, its default, what it does. `step` 0.001 allows ms resolution.
export const KNOBS: readonly Knob[] = [
  { key: 'HAKMEM_TINY_SS_FORCE_LG', def: 21, min: 6, max: 21, step: 1,
    doc: 'lg of the SuperSlab size; seeds 003/004 try 19-21 and recommend 2 MB (21)' },
  { key: 'HAKMEM_TLS_SLL_DRAIN_INTERVAL', def: 1024, min: 0, max: 1 << 20, step: 1,
    doc: 'frees per class between drains of the TLS SLL back to slabs (seed 001 Option B); 0 = never' },
  { key: 'HAKMEM_TINY_SLL_CAP', def: 0, min: 0, max: 1 << 20, step: 1,
    doc: 'TLS SLL capacity per class; a free past it takes the slow path straight back to the slab (seed 001: 1-5% of frees); 0 = unbounded' },
  { key: 'HAKMEM_SS_EMPTY_REUSE', def: 1, min: 0, max: 1, step: 1,
    doc: 'stage 0.5 EMPTY scan on/off (seed 004 §4.1)' },
  { key: 'HAKMEM_SS_EMPTY_SCAN_LIMIT', def: 16, min: 1, max: 1 << 20, step: 1,
    doc: 'SuperSlabs the stage 0.5 scan looks at under variant empty-scan-limit (seed 004 §4.1); the fixed design scans the whole registry' },
  { key: 'HAKMEM_SUPERSLAB_MAX_CACHED', def: 256, min: 0, max: 1 << 20, step: 1,
    doc: 'LRU capacity in SuperSlabs (seed 000 log: max_cached=256); 0 disables the LRU' },
  { key: 'HAKMEM_SUPERSLAB_MAX_MEMORY_MB', def: 512, min: 0, max: 1 << 20, step: 2 ** -7,
    doc: 'LRU capacity in MB, in steps of 8 KB (seed 000 log: max_memory_mb=512)' },
  { key: 'HAKMEM_SUPERSLAB_TTL_SEC', def: 60, min: 0, max: 86400, step: 0.001,
    doc: 'LRU entry time-to-live on the logical clock (seed 000 log: ttl_sec=60)' },
  { key: 'HAKMEM_TINY_IDLE_TRIM_MS', def: 100, min: 0, max: 86400000, step: 1,
    doc: 'idle trim interval on the logical clock (seed 003 Option B: 100); 0 = never' },
  { key: 'HAKMEM_TINY_TRIM_SS', def: 1, min: 0, max: 1, step: 1,
    doc: 'trim may free SuperSlabs (seed 003 Option B)' },
  { key: 'HAKMEM_TINY_SS_RESERVE', def: 1, min: 0, max: 1 << 16, step: 1,
    doc: 'empty SuperSlabs trim keeps mapped, reset to UNUSED slots (seed 003 §1.1 g_empty_reserve)' },
  { key: 'HAKMEM_SS_PREFAULT', def: 0, min: 0, max: 2, step: 1,
    doc: 'prefault policy on SuperSlab map: 0 lazy, 1 populate, 2 populate + touch (seed 002)' },
  { key: 'HAKMEM_TINY_CAP', def: 0, min: 0, max: 1 << 20, step: 1,
    doc: 'per-class soft cap on ACTIVE slots checked by stage 3 (seed 004 §1.2 tiny_cap); 0 = none' },
  { key: 'vm.max_map_count', def: 65530, min: 4, max: 1 << 24, step: 1,
    doc: 'kernel limit on mappings; mmap beyond it fails with ENOMEM (seed 003 §5)' },
  { key: 'sim.page_bytes', def: 4096, min: 64, max: 65536, step: 1,
    doc: 'simulated page size (power of two)' },
  { key: 'sim.va_gib', def: 256, min: 0.0001, max: 1024, step: 0.0001,
    doc: 'simulated virtual address space in GiB' },
  { key: 'sim.phys_mib', def: 256, min: 0.01, max: 65536, step: 0.01,
    doc: 'simulated physical memory in MiB; a page fault with none left is an OOM kill' },
  { key: 'sim.slab_bytes', def: 65536, min: 4096, max: 65536, step: 1,
    doc: 'slab size (seed 004: 64 KB); smaller only for tiny checker scopes' },
  { key: 'sim.slab0_header_bytes', def: 2048, min: 16, max: 4096, step: 8,
    doc: 'SuperSlab header in slab 0 (seed 004: slab 0 usable 63488 of 65536)' },
  { key: 'sim.max_superslabs', def: 0, min: 0, max: 1 << 20, step: 1,
    doc: 'SuperSlab table size; 0 = vm.max_map_count + 1 (enough for every mapping)' },
  { key: 'sim.max_threads', def: 64, min: 1, max: 4096, step: 1,
    doc: 'thread slots (a slot is reused after its thread exits; thread ids never are)' },
  { key: 'check.legacy_rules', def: 0, min: 0, max: 1, step: 1,
    doc: 'the checker judges by its rules before the alarms were ruled on (README): a claim half done does not make a pool decision concurrent, INV-EMPTY-FIRST assumes stage 0.5; the allocator ignores it' },
];

/** Validated, derived configuration. Plain numbers only: the fast paths read it. */
export interface Config {
  readonly knobs: Readonly<Record<string, number>>;
  readonly variants: readonly string[];
  /** Bitmask of V flags of the selected variants. */
  readonly v: number;
  readonly ssLg: number;
  readonly ssBytes: number;
  readonly slabBytes: number;
  readonly slab0Header: number;
  readonly slabsPerSS: number;
  /** capacity[cls * 2 + (slab === 0 ? 0 : 1)] */
  readonly capacity: Int32Array;
  readonly drainInterval: number;
  readonly sllCap: number;
  readonly emptyReuse: boolean;
  /** check.legacy_rules: the checker's rules before the alarms were ruled on (the allocator never reads it). */
  readonly legacyRules: boolean;
  readonly emptyScanLimit: number;
  readonly lruMaxCached: number;
  readonly lruMaxBytes: number;
  readonly lruTtlMs: number;
  readonly idleTrimMs: number;
  readonly trimSs: boolean;
  readonly emptyReserve: number;
  readonly prefault: number;
  readonly softCap: number;
  readonly maxMapCount: number;
  readonly pageBytes: number;
  readonly vaBytes: number;
  readonly physPages: number;
  readonly maxSuperSlabs: number;
  readonly maxThreads: number;
}

export type ConfigInput = Readonly<Record<string, unknown>>;

const isPow2 = (n: number): boolean => n > 0 && (n & (n - 1)) === 0;

/** Validates `input` (knob key → number, plus `variants`: string[]) over the defaults. */
export function makeConfig(input: ConfigInput = {}): Config {
  const knobs: Record<string, number> = {};
  for (const k of KNOBS) knobs[k.key] = k.def;
  let variants: string[] = [];
  for (const [key, raw] of Object.entries(input)) {
    if (key === 'variants') {
      variants = parseVariants(raw);
      continue;
    }
    const knob = KNOBS.find((k) => k.key === key);
    if (knob === undefined) throw new ConfigError(key, 'unknown key');
    knobs[key] = parseKnob(knob, raw);
  }
  const get = (key: string): number => knobs[key]!;

  const slabBytes = get('sim.slab_bytes');
  const pageBytes = get('sim.page_bytes');
  const ssLg = get('HAKMEM_TINY_SS_FORCE_LG');
  // A shift (ssLg <= 21), not 2 ** ssLg: V8 keeps the latter a boxed double, and so would
  // every size and buffer offset derived from it (Layout, a thread's words), making the
  // fast paths' index arithmetic floating point with a conversion check per access.
  const ssBytes = 1 << ssLg;
  const slab0Header = get('sim.slab0_header_bytes');
  if (!isPow2(slabBytes)) throw new ConfigError('sim.slab_bytes', `${slabBytes} is not a power of two`);
  if (!isPow2(pageBytes)) throw new ConfigError('sim.page_bytes', `${pageBytes} is not a power of two`);
  const slabsPerSS = ssBytes / slabBytes;
  if (slabsPerSS < 1 || slabsPerSS > 32) {
    throw new ConfigError('HAKMEM_TINY_SS_FORCE_LG',
      `a SuperSlab of 2^${ssLg} bytes holds ${slabsPerSS} slabs of sim.slab_bytes=${slabBytes}; it must hold 1 to 32`);
  }
  if (slabBytes - slab0Header < STRIDES[NUM_CLASSES - 1]!) {
    throw new ConfigError('sim.slab0_header_bytes',
      `slab 0 keeps ${slabBytes - slab0Header} usable bytes, less than one C7 block (2048)`);
  }
  const capacity = new Int32Array(NUM_CLASSES * 2);
  for (let cls = 0; cls < NUM_CLASSES; cls++) {
    capacity[cls * 2] = capacityOf(cls, slabBytes - slab0Header);
    capacity[cls * 2 + 1] = capacityOf(cls, slabBytes);
  }
  const vaBytes = Math.floor((get('sim.va_gib') * 2 ** 30) / ssBytes) * ssBytes;
  if (vaBytes < 4 * ssBytes) throw new ConfigError('sim.va_gib', 'smaller than four SuperSlabs');
  if (vaBytes / pageBytes > 2 ** 31) throw new ConfigError('sim.va_gib', 'more than 2^31 pages');
  const physPages = Math.floor((get('sim.phys_mib') * 2 ** 20) / pageBytes);
  if (physPages < 4) throw new ConfigError('sim.phys_mib', 'fewer than four pages');
  const maxMapCount = get('vm.max_map_count');
  const maxSuperSlabs = get('sim.max_superslabs') || maxMapCount + 1;

  let v = 0;
  for (const name of variants) v |= variantByName(name)!.flag;

  return {
    knobs,
    variants,
    v,
    ssLg,
    ssBytes,
    slabBytes,
    slab0Header,
    slabsPerSS,
    capacity,
    drainInterval: get('HAKMEM_TLS_SLL_DRAIN_INTERVAL'),
    sllCap: get('HAKMEM_TINY_SLL_CAP'),
    emptyReuse: get('HAKMEM_SS_EMPTY_REUSE') === 1,
    legacyRules: get('check.legacy_rules') === 1,
    emptyScanLimit: get('HAKMEM_SS_EMPTY_SCAN_LIMIT'),
    lruMaxCached: get('HAKMEM_SUPERSLAB_MAX_CACHED'),
    lruMaxBytes: get('HAKMEM_SUPERSLAB_MAX_MEMORY_MB') * 2 ** 20,
    lruTtlMs: Math.round(get('HAKMEM_SUPERSLAB_TTL_SEC') * 1000),
    idleTrimMs: get('HAKMEM_TINY_IDLE_TRIM_MS'),
    trimSs: get('HAKMEM_TINY_TRIM_SS') === 1,
    emptyReserve: get('HAKMEM_TINY_SS_RESERVE'),
    prefault: get('HAKMEM_SS_PREFAULT'),
    softCap: get('HAKMEM_TINY_CAP'),
    maxMapCount,
    pageBytes,
    vaBytes,
    physPages,
    maxSuperSlabs,
    maxThreads: get('sim.max_threads'),
  };
}

/** Decimal only (after trimming): Number() would also take '0x15', '0b10101' and '0o7'. */
export const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

function parseKnob(knob: Knob, raw: unknown): number {
  const value = typeof raw === 'string' && DECIMAL.test(raw.trim()) ? Number(raw) : raw;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ConfigError(knob.key, `expected a number, got ${describe(raw)} (decimal digits only)`);
  }
  if (value < knob.min || value > knob.max) {
    throw new ConfigError(knob.key, `${value} is outside ${knob.min}..${knob.max}`);
  }
  const steps = value / knob.step;
  if (Math.abs(steps - Math.round(steps)) > 1e-9) {
    throw new ConfigError(knob.key, `${value} is not a multiple of ${knob.step}`);
  }
  return value;
}

function parseVariants(raw: unknown): string[] {
  if (!Array.isArray(raw)) throw new ConfigError('variants', 'expected a list of variant names');
  const names: string[] = [];
  for (const name of raw) {
    if (typeof name !== 'string' || variantByName(name) === undefined) {
      throw new ConfigError('variants',
        `unknown variant ${describe(name)}; known: ${VARIANTS.map((x) => x.name).join(', ')}`);
    }
    if (!names.includes(name)) names.push(name);
  }
  return names;
}

/** The input that rebuilds this configuration: the knobs that differ from their defaults. */
export function configInput(cfg: Config): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of KNOBS) if (cfg.knobs[k.key] !== k.def) out[k.key] = cfg.knobs[k.key];
  if (cfg.variants.length > 0) out['variants'] = [...cfg.variants];
  return out;
}

/** Capacity of slab `slab` for class `cls` (slab 0 is shorter by the SuperSlab header). */
export function slabCapacity(cfg: Config, cls: number, slab: number): number {
  return cfg.capacity[cls * 2 + (slab === 0 ? 0 : 1)]!;
}
