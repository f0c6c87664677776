// Configuration (docs/architecture.md §5 last paragraph): the seeds' HAKMEM_* knobs with the seeds'
// defaults, validated on load; a bad value is a ConfigError naming the key, never a clamp.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { configFrom, UsageError } from '../cli/usage.js';
import { ConfigError, KNOBS, configInput, makeConfig, type Config, type ConfigInput } from '../impl/config.js';
import { attachHeap, createHeap, heapInput } from '../impl/heap.js';
import { VARIANTS } from '../impl/variants.js';

const MB = 2 ** 20;
const defOf = (key: string): number => {
  const knob = KNOBS.find((k) => k.key === key);
  assert.ok(knob !== undefined, `knob ${key} exists`);
  return knob!.def;
};

test('defaults are the seeds\' values', () => {
  // [key, seed value, where the seed says it]
  const seeds: Array<[string, number, string]> = [
    // seed 003_932746184e5394df.txt ("assuming ... 2MB SuperSlabs", 49,123 x 2MB) and seed
    // 004_d59e0d336a26e3fe.txt Option B ("#define SUPERSLAB_LG_DEFAULT 21 // 2MB").
    ['HAKMEM_TINY_SS_FORCE_LG', 21, 'seeds 003/004'],
    // seed 001_4c03cbcfeeca547d.txt: "HAKMEM_TLS_SLL_DRAIN_INTERVAL=1024".
    ['HAKMEM_TLS_SLL_DRAIN_INTERVAL', 1024, 'seed 001'],
    // seed 000_86274261e3f63077.txt: "[SS_LRU_INIT] max_cached=256 max_memory_mb=512 ttl_sec=60".
    ['HAKMEM_SUPERSLAB_MAX_CACHED', 256, 'seed 000'],
    ['HAKMEM_SUPERSLAB_MAX_MEMORY_MB', 512, 'seed 000'],
    ['HAKMEM_SUPERSLAB_TTL_SEC', 60, 'seed 000'],
    // seed 004 §4.1: HAKMEM_SS_EMPTY_REUSE default ON, HAKMEM_SS_EMPTY_SCAN_LIMIT default 16.
    ['HAKMEM_SS_EMPTY_REUSE', 1, 'seed 004 §4.1'],
    ['HAKMEM_SS_EMPTY_SCAN_LIMIT', 16, 'seed 004 §4.1'],
    // seed 003 Option B: HAKMEM_TINY_IDLE_TRIM_MS=100, HAKMEM_TINY_TRIM_SS=1.
    ['HAKMEM_TINY_IDLE_TRIM_MS', 100, 'seed 003 Option B'],
    ['HAKMEM_TINY_TRIM_SS', 1, 'seed 003 Option B'],
    // seed 002_b461f92c61066b62.txt: "Keep HAKMEM_SS_PREFAULT=0 as default".
    ['HAKMEM_SS_PREFAULT', 0, 'seed 002'],
    // seed 003 §5: "vm.max_map_count = 65530".
    ['vm.max_map_count', 65530, 'seed 003 §5'],
    // seed 004 §3.2: 64 KB slabs, slab 0 usable 63488 = 65536 - 2048.
    ['sim.slab_bytes', 65536, 'seed 004 §3.2'],
    ['sim.slab0_header_bytes', 65536 - 63488, 'seed 004 §3.2'],
  ];
  for (const [key, value, where] of seeds) assert.is(defOf(key), value, `${key} default (${where})`);

  const cfg = makeConfig();
  for (const [key, value] of seeds) assert.is(cfg.knobs[key], value, `makeConfig().knobs[${key}]`);
  // Derived fields follow the knobs.
  assert.is(cfg.ssLg, 21);
  assert.is(cfg.ssBytes, 2 * MB);
  assert.is(cfg.slabsPerSS, 32); // seed 004 §3.2 "2MB SuperSlab (32 slabs)"
  assert.is(cfg.drainInterval, 1024);
  assert.is(cfg.lruMaxCached, 256);
  assert.is(cfg.lruMaxBytes, 512 * MB);
  assert.is(cfg.lruTtlMs, 60_000);
  assert.is(cfg.emptyReuse, true);
  assert.is(cfg.emptyScanLimit, 16);
  assert.is(cfg.idleTrimMs, 100);
  assert.is(cfg.trimSs, true);
  assert.is(cfg.prefault, 0);
  assert.is(cfg.maxMapCount, 65530);
  assert.is(cfg.slabBytes - cfg.slab0Header, 63488);
  // The correct configuration is the default (docs/architecture.md §6): no variant.
  assert.equal(cfg.variants, []);
  assert.is(cfg.v, 0);
  // sim.max_superslabs 0 = one table entry per possible mapping.
  assert.is(cfg.maxSuperSlabs, 65530 + 1);
});

test('every knob default is valid: inside its range and a multiple of its step', () => {
  for (const k of KNOBS) {
    assert.ok(k.min <= k.def && k.def <= k.max, `${k.key} default ${k.def} in ${k.min}..${k.max}`);
    const steps = k.def / k.step;
    assert.ok(Math.abs(steps - Math.round(steps)) < 1e-9, `${k.key} default is a multiple of ${k.step}`);
    assert.ok(k.doc.length > 0, `${k.key} is documented`);
  }
  assert.is(new Set(KNOBS.map((k) => k.key)).size, KNOBS.length, 'knob keys are unique');
});

/** makeConfig(input) throws a ConfigError whose key is `key` and whose message names it. */
function rejects(input: ConfigInput, key: string, pattern?: RegExp): ConfigError {
  let caught: unknown;
  try {
    makeConfig(input);
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof ConfigError, `${JSON.stringify(input)} throws a ConfigError (got ${String(caught)})`);
  const err = caught as ConfigError;
  assert.is(err.key, key, `error key for ${JSON.stringify(input)}`);
  assert.ok(err.message.includes(key), `message "${err.message}" names ${key}`);
  if (pattern !== undefined) assert.match(err.message, pattern);
  return err;
}

test('unknown key is an error naming the key', () => {
  rejects({ HAKMEM_NO_SUCH_KNOB: 1 }, 'HAKMEM_NO_SUCH_KNOB', /unknown key/);
  rejects({ 'sim.nope': '3' }, 'sim.nope', /unknown key/);
  // close misspellings are not silently accepted
  rejects({ hakmem_tiny_ss_force_lg: 20 }, 'hakmem_tiny_ss_force_lg', /unknown key/);
});

test('non-number values are errors naming the key', () => {
  const key = 'HAKMEM_TLS_SLL_DRAIN_INTERVAL';
  for (const bad of ['abc', '', '   ', true, null, {}, [], NaN, Infinity, -Infinity, '12abc', undefined]) {
    rejects({ [key]: bad }, key, /expected a number/);
  }
});

test('out-of-range values are errors naming the key', () => {
  rejects({ HAKMEM_TINY_SS_FORCE_LG: 22 }, 'HAKMEM_TINY_SS_FORCE_LG', /outside/);
  rejects({ HAKMEM_TINY_SS_FORCE_LG: 5 }, 'HAKMEM_TINY_SS_FORCE_LG', /outside/);
  rejects({ HAKMEM_SS_PREFAULT: 3 }, 'HAKMEM_SS_PREFAULT', /outside/);
  rejects({ HAKMEM_SS_PREFAULT: -1 }, 'HAKMEM_SS_PREFAULT', /outside/);
  rejects({ HAKMEM_SS_EMPTY_REUSE: 2 }, 'HAKMEM_SS_EMPTY_REUSE', /outside/);
  rejects({ HAKMEM_SS_EMPTY_SCAN_LIMIT: 0 }, 'HAKMEM_SS_EMPTY_SCAN_LIMIT', /outside/);
  rejects({ HAKMEM_SUPERSLAB_TTL_SEC: -0.5 }, 'HAKMEM_SUPERSLAB_TTL_SEC', /outside/);
  rejects({ 'vm.max_map_count': 3 }, 'vm.max_map_count', /outside/);
  rejects({ 'sim.slab_bytes': 1024 }, 'sim.slab_bytes', /outside/);
  // every knob rejects one below its minimum and one above its maximum
  for (const k of KNOBS) {
    rejects({ [k.key]: k.min - k.step }, k.key, /outside/);
    rejects({ [k.key]: k.max + k.step }, k.key, /outside/);
  }
});

test('non-integer values of integer knobs are errors naming the key', () => {
  rejects({ HAKMEM_TLS_SLL_DRAIN_INTERVAL: 1.5 }, 'HAKMEM_TLS_SLL_DRAIN_INTERVAL', /multiple of 1/);
  rejects({ HAKMEM_TINY_SS_FORCE_LG: 20.5 }, 'HAKMEM_TINY_SS_FORCE_LG', /multiple of 1/);
  rejects({ 'vm.max_map_count': '100.25' }, 'vm.max_map_count', /multiple of 1/);
  // the slab 0 header is 8-byte granular
  rejects({ 'sim.slab0_header_bytes': 2050 }, 'sim.slab0_header_bytes', /multiple of 8/);
  // the TTL has ms resolution: 0.5 s is fine, 0.0005 s is not
  assert.is(makeConfig({ HAKMEM_SUPERSLAB_TTL_SEC: 0.5 }).lruTtlMs, 500);
  rejects({ HAKMEM_SUPERSLAB_TTL_SEC: 1.0005 }, 'HAKMEM_SUPERSLAB_TTL_SEC', /multiple of 0.001/);
});

test('geometry errors name the key: non-power-of-two sizes, too many or too few slabs', () => {
  rejects({ 'sim.slab_bytes': 5000 }, 'sim.slab_bytes', /not a power of two/);
  rejects({ 'sim.slab_bytes': 65535 }, 'sim.slab_bytes', /not a power of two/);
  rejects({ 'sim.page_bytes': 3000 }, 'sim.page_bytes', /not a power of two/);
  // 2 MB of 4 KB slabs = 512 slabs; at most 32 fit
  rejects({ HAKMEM_TINY_SS_FORCE_LG: 21, 'sim.slab_bytes': 4096 }, 'HAKMEM_TINY_SS_FORCE_LG', /512 slabs/);
  rejects({ HAKMEM_TINY_SS_FORCE_LG: 18, 'sim.slab_bytes': 4096 }, 'HAKMEM_TINY_SS_FORCE_LG', /64 slabs/);
  // a SuperSlab smaller than one slab
  rejects({ HAKMEM_TINY_SS_FORCE_LG: 15 }, 'HAKMEM_TINY_SS_FORCE_LG', /must hold 1 to 32/);
  // the limits themselves are accepted: 32 slabs, 1 slab
  assert.is(makeConfig({ HAKMEM_TINY_SS_FORCE_LG: 17, 'sim.slab_bytes': 4096, 'sim.slab0_header_bytes': 64 }).slabsPerSS, 32);
  rejects({ HAKMEM_TINY_SS_FORCE_LG: 18, 'sim.slab_bytes': 4096, 'sim.slab0_header_bytes': 64 }, 'HAKMEM_TINY_SS_FORCE_LG', /64 slabs/);
  assert.is(makeConfig({ HAKMEM_TINY_SS_FORCE_LG: 16 }).slabsPerSS, 1);
  // slab 0 must still hold one C7 block after the SuperSlab header
  rejects({ 'sim.slab_bytes': 4096, 'sim.slab0_header_bytes': 2056, HAKMEM_TINY_SS_FORCE_LG: 13 },
    'sim.slab0_header_bytes', /less than one C7 block/);
  // the machine must hold a few SuperSlabs of address space and a few pages of memory
  rejects({ 'sim.va_gib': 0.001 }, 'sim.va_gib', /four SuperSlabs/);
  rejects({ 'sim.phys_mib': 0.01 }, 'sim.phys_mib', /four pages/);
});

test('variants: unknown names and non-lists are errors naming `variants`', () => {
  rejects({ variants: ['no-such-variant'] }, 'variants', /unknown variant 'no-such-variant'/);
  rejects({ variants: [VARIANTS[0]!.name, 'nope'] }, 'variants', /unknown variant/);
  rejects({ variants: [7] }, 'variants', /unknown variant/);
  rejects({ variants: VARIANTS[0]!.name }, 'variants', /list/);
  // the message lists the known names
  const err = rejects({ variants: ['x'] }, 'variants');
  for (const v of VARIANTS) assert.ok(err.message.includes(v.name), `message lists ${v.name}`);
  // a known name sets its flag; repeats are dropped
  const name = VARIANTS[1]!.name;
  const cfg = makeConfig({ variants: [name, name] });
  assert.equal(cfg.variants, [name]);
  assert.is(cfg.v, VARIANTS[1]!.flag);
  const all = makeConfig({ variants: VARIANTS.map((v) => v.name) });
  assert.is(all.v, VARIANTS.reduce((m, v) => m | v.flag, 0));
});

test('numeric strings are accepted (the CLI --set passes strings)', () => {
  const cfg = makeConfig({
    HAKMEM_TINY_SS_FORCE_LG: '20',
    HAKMEM_TLS_SLL_DRAIN_INTERVAL: '512',
    HAKMEM_SUPERSLAB_TTL_SEC: '0.25',
    'vm.max_map_count': ' 1000 ',
  });
  assert.is(cfg.ssLg, 20);
  assert.is(cfg.ssBytes, MB);
  assert.is(cfg.slabsPerSS, 16);
  assert.is(cfg.drainInterval, 512);
  assert.is(cfg.lruTtlMs, 250);
  assert.is(cfg.maxMapCount, 1000);
  for (const value of Object.values(cfg.knobs)) assert.type(value, 'number');
  // a string is validated like the number it spells
  rejects({ HAKMEM_TINY_SS_FORCE_LG: '22' }, 'HAKMEM_TINY_SS_FORCE_LG', /outside/);
  // through the CLI: --set KEY=VALUE turns numbers into numbers (they travel in replay tokens)
  const input = configFrom({ set: ['HAKMEM_TINY_SS_FORCE_LG=19', 'HAKMEM_SS_PREFAULT=2'] });
  assert.is(input['HAKMEM_TINY_SS_FORCE_LG'], 19);
  const fromCli = makeConfig(input);
  assert.is(fromCli.ssBytes, 512 * 1024);
  assert.is(fromCli.prefault, 2);
  // and a bad --set is a usage error that names the key
  try {
    configFrom({ set: ['HAKMEM_SS_PREFAULT=9'] });
    assert.unreachable('a bad --set value is rejected');
  } catch (err) {
    assert.instance(err, UsageError);
    assert.ok((err as Error).message.includes('HAKMEM_SS_PREFAULT'));
  }
});

/** The fields of a Config as plain values (the capacity table as an array). */
function plain(cfg: Config): Record<string, unknown> {
  return { ...cfg, capacity: Array.from(cfg.capacity), knobs: { ...cfg.knobs }, variants: [...cfg.variants] };
}

test('configInput round-trips: makeConfig(configInput(cfg)) equals cfg', () => {
  const inputs: ConfigInput[] = [
    {},
    { HAKMEM_TINY_SS_FORCE_LG: 19, HAKMEM_SS_PREFAULT: 1, 'sim.phys_mib': 16 },
    { HAKMEM_TINY_SS_FORCE_LG: '13', 'sim.slab_bytes': '4096', 'sim.slab0_header_bytes': '64', HAKMEM_SUPERSLAB_TTL_SEC: '0.125' },
    { HAKMEM_TINY_CAP: 2, HAKMEM_SUPERSLAB_MAX_CACHED: 0, variants: [VARIANTS[2]!.name, VARIANTS[0]!.name] },
    // a knob set to its default is dropped from configInput but rebuilds the same config
    { HAKMEM_TLS_SLL_DRAIN_INTERVAL: 1024, 'vm.max_map_count': 65530 },
  ];
  for (const input of inputs) {
    const cfg = makeConfig(input);
    const out = configInput(cfg);
    assert.equal(plain(makeConfig(out)), plain(cfg), `round trip of ${JSON.stringify(input)}`);
    // only non-defaults appear, as numbers
    for (const [key, value] of Object.entries(out)) {
      if (key === 'variants') continue;
      assert.type(value, 'number');
      assert.is.not(value, defOf(key), `${key} differs from its default`);
    }
    // and it is JSON-safe (the heap stores its input as JSON)
    assert.equal(plain(makeConfig(JSON.parse(JSON.stringify(out)) as ConfigInput)), plain(cfg));
  }
  assert.equal(configInput(makeConfig()), {});
  assert.equal(configInput(makeConfig({ HAKMEM_TLS_SLL_DRAIN_INTERVAL: 1024 })), {});
});

test('a heap stores its configuration canonically: attachHeap rebuilds the same config', () => {
  const input = { HAKMEM_TINY_SS_FORCE_LG: '13', 'sim.slab_bytes': 4096, 'sim.slab0_header_bytes': 64,
    'sim.va_gib': 0.001, 'sim.phys_mib': 1, 'vm.max_map_count': 32, HAKMEM_TINY_CAP: 0, variants: [VARIANTS[3]!.name, VARIANTS[3]!.name] };
  const heap = createHeap(input);
  // numbers as numbers, knobs at their default left out, each variant once
  assert.equal(heapInput(heap), { HAKMEM_TINY_SS_FORCE_LG: 13, 'sim.slab_bytes': 4096, 'sim.slab0_header_bytes': 64,
    'sim.va_gib': 0.001, 'sim.phys_mib': 1, 'vm.max_map_count': 32, variants: [VARIANTS[3]!.name] });
  const again = attachHeap(heap.sab);
  assert.equal(plain(again.cfg), plain(heap.cfg));
  assert.is(again.cfg.ssBytes, 8192);
});

test.run();
