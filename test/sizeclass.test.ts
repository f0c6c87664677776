// Size classes, block headers, user pointers and slab capacities
// (seed 004_d59e0d336a26e3fe.txt §1.1, §2, §3.2; docs/architecture.md §5).
//
// Capacities are derived from the seed's own formula (capacity = usable / stride, slab 0
// usable 63488 B, other slabs 65536 B, slabs = 2^lg / 64 KB), never copied from the seed's
// tables: those tables contradict the formula in several places, and the last tests here
// print and assert each contradiction (docs/architecture.md §5: "derive, don't copy, and say so").
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { malloc } from '../impl/allocator/allocator.js';
import { audit } from '../model/audit.js';
import { makeConfig, slabCapacity, type Config } from '../impl/config.js';
import { E } from '../impl/errors.js';
import { createHeap } from '../impl/heap.js';
import { readCell } from '../impl/os/pages.js';
import { cellHeader, cellLive, headerByte, slabStart } from '../impl/locators.js';
import {
  HEADER_BYTES, HEADER_MAGIC, MAX_TINY_SIZE, NUM_CLASSES, STRIDES, classOfSize,
} from '../impl/sizeclass.js';
import { attachThread } from '../impl/thread/thread.js';

// seed 004 §1.1: C0 8B ... C6 512B, C7 2048B ("Upgraded from 1024B"); C1-C5 are the powers
// of two between (seed 004 §3.2 capacity = usable / stride needs one stride per class).
const SEED_STRIDES = [8, 16, 32, 64, 128, 256, 512, 2048];

test('strides are the seed 004 strides; the header is one byte', () => {
  assert.equal([...STRIDES], SEED_STRIDES);
  assert.is(NUM_CLASSES, 8);
  assert.is(HEADER_BYTES, 1);
  // the largest tiny request is the C7 stride minus its 1-byte header
  assert.is(MAX_TINY_SIZE, 2048 - 1);
});

test('size -> class at every boundary (size + 1-byte header must fit the stride)', () => {
  // Class c serves sizes [stride(c-1), stride(c) - 1]: size s fits when s + 1 <= stride.
  const expected: Array<[number, number]> = [
    [0, 0], [1, 0], [7, 0],
    [8, 1], [15, 1],
    [16, 2], [31, 2],
    [32, 3], [63, 3],
    [64, 4], [127, 4],
    [128, 5], [255, 5],
    [256, 6], [511, 6],
    [512, 7], [1023, 7], [1024, 7], [1040, 7], [2047, 7],
    [2048, -1], [4096, -1], [-1, -1], [-100, -1], [NaN, -1], [Infinity, -1],
  ];
  for (const [size, cls] of expected) assert.is(classOfSize(size), cls, `classOfSize(${size})`);
  // The same rule, for every integer size the tiny allocator can see.
  for (let size = 0; size <= 2048; size++) {
    const cls = SEED_STRIDES.findIndex((stride) => size + HEADER_BYTES <= stride);
    assert.is(classOfSize(size), cls, `classOfSize(${size})`);
  }
});

test('header byte is 0xa0 | class (seed 004 §2: cls=6 expect=0xa6)', () => {
  assert.is(HEADER_MAGIC, 0xa0);
  for (let cls = 0; cls < NUM_CLASSES; cls++) assert.is(headerByte(cls), 0xa0 | cls);
  assert.is(headerByte(6), 0xa6);
});

// Default geometry (2 MB SuperSlabs of 64 KB slabs, slab 0 header 2048 B) on a small machine.
const GEOMETRY = { 'sim.va_gib': 0.0625, 'sim.phys_mib': 8, 'vm.max_map_count': 64, 'sim.max_threads': 2 };

test('user pointer = block base + 1: pointer % 8 === 1, block on its stride, header written', () => {
  const heap = createHeap(GEOMETRY);
  const t = attachThread(heap);
  const { cfg } = heap;
  const pointers: Array<{ p: number; cls: number }> = [];
  for (let cls = 0; cls < NUM_CLASSES; cls++) {
    // Fill slab 0's capacity and spill into a second slab for the class: the blocks of
    // slab 0 start after the SuperSlab header, the others at their slab's start.
    const count = cls === 7 ? slabCapacity(cfg, 7, 0) + 2 : 5;
    const size = STRIDES[cls]! - HEADER_BYTES; // the largest size of the class
    for (let i = 0; i < count; i++) {
      const p = malloc(t, size);
      assert.ok(p > 0, `malloc(${size}) = ${p}`);
      pointers.push({ p, cls });
    }
  }
  const snap = audit(heap);
  assert.is(new Set(pointers.map((x) => x.p)).size, pointers.length, 'pointers are distinct');
  for (const { p, cls } of pointers) {
    const base = p - HEADER_BYTES;
    const stride = STRIDES[cls]!;
    assert.is(p % 8, 1, `pointer 0x${p.toString(16)} % 8`);
    const ss = snap.superslabs.find((s) => base >= s.base && base < s.base + cfg.ssBytes);
    assert.ok(ss !== undefined, `block 0x${base.toString(16)} is in a SuperSlab`);
    const slab = Math.floor((base - ss!.base) / cfg.slabBytes);
    const dataStart = slabStart(cfg, ss!.base, slab);
    assert.ok(base >= dataStart, 'block is past the SuperSlab header');
    assert.is((base - dataStart) % stride, 0, `block of C${cls} on its stride within slab ${slab}`);
    // 2048 (the slab 0 header) and 65536 are multiples of every stride, and SuperSlabs are
    // 2 MB aligned, so under the default geometry every block is stride-aligned absolutely.
    assert.is(base % stride, 0, `block 0x${base.toString(16)} aligned to ${stride}`);
    assert.is(ss!.slots[slab]!.cls, cls);
    const cell = readCell(heap, base);
    assert.is(cellHeader(cell), headerByte(cls), `header of C${cls} block`);
    assert.ok(cellLive(cell));
  }
  // C7 spilled past slab 0: blocks in two different slabs.
  const c7Slabs = new Set(pointers.filter((x) => x.cls === 7).map((x) => Math.floor((x.p - 1) / cfg.slabBytes)));
  assert.is(c7Slabs.size, 2);
  for (const s of snap.superslabs) for (const slot of s.slots) assert.equal(slot.badHeaders, []);
  assert.is(malloc(t, MAX_TINY_SIZE + 1), E.BAD_SIZE);
  assert.is(malloc(t, -1), E.BAD_SIZE);
});

// ---------------------------------------------------------------------------------------
// Capacities (seed 004 §3.2): capacity = usable / stride; slab 0 usable 63488, others 65536.

const SLAB = 65536; // seed 004: 64 KB slabs
const SLAB0_USABLE = 63488; // seed 004 §3.2 SUPERSLAB_SLAB0_USABLE_SIZE
const LGS = [19, 20, 21];

const cfgOf = (lg: number): Config => makeConfig({ HAKMEM_TINY_SS_FORCE_LG: lg });
/** Blocks of `cls` in one SuperSlab: the sum over its slabs of their capacity. */
function total(cfg: Config, cls: number): number {
  let sum = 0;
  for (let slab = 0; slab < cfg.slabsPerSS; slab++) sum += slabCapacity(cfg, cls, slab);
  return sum;
}

test('capacity table for lg 19, 20, 21 follows the seed 004 §3.2 formulas (printed)', () => {
  const cfgs = LGS.map(cfgOf);
  cfgs.forEach((cfg, i) => {
    assert.is(cfg.slabBytes, SLAB);
    assert.is(cfg.slabBytes - cfg.slab0Header, SLAB0_USABLE);
    assert.is(cfg.slabsPerSS, 2 ** LGS[i]! / SLAB, `slabs per SuperSlab at lg ${LGS[i]}`);
  });
  console.log('capacity per class (seed 004 §3.2 formula: usable / stride; slab 0 usable 63488, others 65536)');
  for (let cls = 0; cls < NUM_CLASSES; cls++) {
    const stride = STRIDES[cls]!;
    const c0 = slabCapacity(cfgs[0]!, cls, 0);
    const c1 = slabCapacity(cfgs[0]!, cls, 1);
    assert.is(c0, Math.floor(SLAB0_USABLE / stride), `C${cls} slab 0 capacity`);
    assert.is(c1, Math.floor(SLAB / stride), `C${cls} other slab capacity`);
    const totals = cfgs.map((cfg) => {
      // per-slab capacities do not depend on the SuperSlab size
      assert.is(slabCapacity(cfg, cls, 0), c0);
      for (let slab = 1; slab < cfg.slabsPerSS; slab++) assert.is(slabCapacity(cfg, cls, slab), c1);
      const sum = total(cfg, cls);
      assert.is(sum, c0 + (cfg.slabsPerSS - 1) * c1, `C${cls} total at lg ${cfg.ssLg}`);
      return `lg${cfg.ssLg} (${cfg.slabsPerSS} slabs) ${sum}`;
    });
    console.log(`  C${cls} stride ${stride}: slab0 ${c0}, other ${c1}; per SuperSlab ${totals.join(', ')}`);
  }
});

test('seed 004 per-slab figures agree with the formula', () => {
  const cfg = cfgOf(19);
  // §1.1 table: C0 7936 / 8192, C6 124 / 128, C7 31 / 32; §3.2: C7 63488/2048 = 31, 65536/2048 = 32.
  const seed: Array<[number, number, number]> = [[0, 7936, 8192], [6, 124, 128], [7, 31, 32]];
  for (const [cls, s0, s1] of seed) {
    assert.is(slabCapacity(cfg, cls, 0), s0, `C${cls} slab 0`);
    assert.is(slabCapacity(cfg, cls, 1), s1, `C${cls} other slabs`);
  }
});

// Each contradiction: the seed's figure, the figure derived from makeConfig, a note.
function note(where: string, seedSays: string, derived: string): void {
  console.log(`  seed 004 ${where}: says ${seedSays}; derived ${derived}`);
}

test('seed 004 contradicts its own formulas: slab count and §1.1 totals (printed)', () => {
  const [c19, c20] = LGS.map(cfgOf) as [Config, Config, Config];
  console.log('seed 004 figures that contradict its own formulas (derived from makeConfig):');

  // §1.1 table header "Slab1-15" and §3.2 "512KB SuperSlab (16 slabs)".
  assert.is.not(c19.slabsPerSS, 16);
  assert.is(c19.slabsPerSS, 8);
  assert.is(c20.slabsPerSS, 16); // 16 x 64 KB = 1 MB = 2^20
  note('§1.1 table header / §3.2', 'a 512KB SuperSlab has 16 slabs (Slab1-15)',
    `${c19.ssBytes} / ${c19.slabBytes} = ${c19.slabsPerSS} slabs; 16 x 64KB is ${16 * SLAB} bytes = the lg 20 (1MB) SuperSlab`);

  // §1.1 C0 total 131,008 for 512KB.
  const c0 = total(c19, 0);
  assert.is.not(c0, 131008);
  // and 131,008 is not even the 16-slab (1MB) figure
  assert.is.not(total(c20, 0), 131008);
  note('§1.1 C0 total (512KB)', '131,008',
    `${slabCapacity(c19, 0, 0)} + ${c19.slabsPerSS - 1} x ${slabCapacity(c19, 0, 1)} = ${c0}; with 16 slabs it would be ${total(c20, 0)}, also not 131,008`);

  // §1.1 C6 total 2,044 for 512KB: the 16-slab figure.
  const c6 = total(c19, 6);
  assert.is.not(c6, 2044);
  assert.is(total(c20, 6), 2044);
  note('§1.1 C6 total (512KB)', '2,044',
    `${slabCapacity(c19, 6, 0)} + ${c19.slabsPerSS - 1} x ${slabCapacity(c19, 6, 1)} = ${c6}; 2,044 is the 16-slab (1MB) total`);

  // §1.1 C7 total 496 for 512KB: neither 8 nor 16 slabs.
  const c7 = total(c19, 7);
  assert.is.not(c7, 496);
  assert.is.not(total(c20, 7), 496);
  note('§1.1 C7 total (512KB)', '496',
    `${slabCapacity(c19, 7, 0)} + ${c19.slabsPerSS - 1} x ${slabCapacity(c19, 7, 1)} = ${c7}; 16 slabs give ${total(c20, 7)}; 496 = 16 x 31 (every slab at slab 0's capacity)`);
  assert.is(16 * slabCapacity(c19, 7, 0), 496);

  // §1.1 "264x less than C0" (131,008 / 496).
  const ratio = c0 / c7;
  assert.ok(Math.abs(ratio - 264) > 1);
  note('§1.1 C7 vs C0', '264x less than C0', `${c0} / ${c7} = ${ratio.toFixed(1)}x`);

  // §1.1 "C7 needs: 8192 / 496 ≈ 17 SuperSlabs".
  const need = Math.ceil(8192 / c7);
  assert.is.not(need, 17);
  note('§1.1 C7 SuperSlabs for WS=8192', '8192 / 496 ≈ 17', `ceil(8192 / ${c7}) = ${need}`);

  // Executive summary: "248 blocks/slab vs 8191 for Class 0".
  assert.is.not(slabCapacity(c19, 7, 0), 248);
  assert.is.not(slabCapacity(c19, 7, 1), 248);
  assert.is.not(slabCapacity(c19, 0, 0), 8191);
  assert.is.not(slabCapacity(c19, 0, 1), 8191);
  note('executive summary', 'C7 248 blocks/slab vs 8191 for C0',
    `C7 ${slabCapacity(c19, 7, 0)}/${slabCapacity(c19, 7, 1)} per slab (slab 0/others), C0 ${slabCapacity(c19, 0, 0)}/${slabCapacity(c19, 0, 1)}`);
});

test('seed 004 contradicts its own formulas: §3.2 C7 totals (printed)', () => {
  const [c19, c20, c21] = LGS.map(cfgOf) as [Config, Config, Config];
  // §3.2 "512KB SuperSlab (16 slabs) ... TOTAL: 31 + 480 = 511 blocks per SuperSlab".
  const c7 = total(c19, 7);
  assert.is.not(c7, 511);
  assert.is(total(c20, 7), 511); // 511 is the 1MB (lg 20, 16 slabs) total
  note('§3.2 C7 total (512KB)', '31 + 15 x 32 = 511',
    `${slabCapacity(c19, 7, 0)} + ${c19.slabsPerSS - 1} x ${slabCapacity(c19, 7, 1)} = ${c7}; 511 is the lg 20 (1MB) total`);

  // §3.2 "2MB SuperSlab (32 slabs) ... 31 + 992 = 1023": agrees.
  assert.is(c21.slabsPerSS, 32);
  assert.is(total(c21, 7), 1023);
  note('§3.2 C7 total (2MB)', '31 + 31 x 32 = 1023',
    `${slabCapacity(c21, 7, 0)} + ${c21.slabsPerSS - 1} x ${slabCapacity(c21, 7, 1)} = ${total(c21, 7)} (agrees)`);

  // §3.2 working set: "512KB SS: 820 / 511 = 1.6 SuperSlabs (rounded up to 2)"; 2MB: 1.
  const need512 = Math.ceil(820 / c7);
  assert.is.not(need512, 2);
  assert.is(Math.ceil(820 / total(c21, 7)), 1);
  note('§3.2 working set (820 C7 blocks)', '512KB needs 2 SuperSlabs, 2MB needs 1',
    `512KB: ceil(820 / ${c7}) = ${need512}; 2MB: ceil(820 / ${total(c21, 7)}) = 1 (agrees)`);

  // §6 Option B / §9.3 / §13.1: "Class 7 capacity: 511 -> 1023 blocks (+100%)".
  const gain = total(c21, 7) / c7;
  assert.ok(gain > 3.9, 'going from lg 19 to lg 21 quadruples C7 capacity');
  note('§6 Option B, §9.3, §13.1', 'C7 capacity 511 -> 1023 (+100%, "2x")',
    `${c7} -> ${total(c21, 7)} (${gain.toFixed(2)}x)`);
});

// A fractional size once read CLASS_OF[1.5] (undefined) and malloc returned NaN.
test('a fractional size is not a tiny size', () => {
  for (const size of [0.5, 1.5, 7.25, 2046.5]) assert.is(classOfSize(size), -1, `classOfSize(${size})`);
});

test('malloc of a fractional size is BAD_SIZE and changes nothing', () => {
  const heap = createHeap({ 'sim.va_gib': 0.0625, 'sim.phys_mib': 8, 'vm.max_map_count': 64, 'sim.max_threads': 2 });
  const t = attachThread(heap);
  const before = audit(heap);
  assert.is(malloc(t, 1.5), E.BAD_SIZE); // today: NaN
  assert.equal(audit(heap).counters, before.counters); // today: allocs 1, hdrResets 1
});

test.run();
