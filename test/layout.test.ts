// The heap schema (impl/layout.ts) and its locators and codecs (impl/locators.ts): records
// whose fields do not overlap, regions that do not overlap and fit the buffer, invariant IDs
// that exist, and a writer discipline the source respects (no plain store to a word
// declared atomic, found by reading impl/).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { makeConfig, type ConfigInput } from '../impl/config.js';
import { createHeap } from '../impl/heap.js';
import { type Field, type HeapRecord, Layout, RECORDS, SLOT, SUPERSLAB, THREAD, HEADER } from '../impl/layout.js';
import {
  cellHeader, cellLink, cellLive, headerByte, headSlot, makeCell, retag, slabAt, slabOfSlot, slabStart, slotId, ssOfSlot,
  ssPins, ssState, ssWord,
} from '../impl/locators.js';
import { NUM_CLASSES } from '../impl/sizeclass.js';
import { ruleById } from '../model/rules/catalogue.js';
import { filesUnder } from './helpers.js';

const root = process.cwd();

/** The first pair of [start, end) intervals that overlap, or null. */
function overlap(spans: { name: string; start: number; end: number }[]): string | null {
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.start < sorted[i - 1]!.end) return `${sorted[i - 1]!.name} and ${sorted[i]!.name}`;
  }
  return null;
}

function fieldSpans(r: HeapRecord<{ [k: string]: Field }>, view: 'i32' | 'f64'): { name: string; start: number; end: number }[] {
  const at = r[view] as unknown as { [k: string]: number };
  return Object.entries(r.fields).filter(([, f]) => f.view === view).map(([name, f]) => ({ name, start: at[name]!, end: at[name]! + f.count }));
}

test('overlap() finds overlapping spans (the checks below can fail)', () => {
  assert.is(overlap([{ name: 'a', start: 0, end: 2 }, { name: 'b', start: 2, end: 3 }]), null);
  assert.is(overlap([{ name: 'a', start: 0, end: 8 }, { name: 'b', start: 7, end: 9 }]), 'a and b');
});

test('every record: fields disjoint, inside the record, widths from the constants', () => {
  for (const r of RECORDS as readonly HeapRecord<{ [k: string]: Field }>[]) {
    for (const view of ['i32', 'f64'] as const) {
      const spans = fieldSpans(r, view);
      assert.is(overlap(spans), null, `${r.name} ${view} fields overlap`);
      const words = (r[view] as unknown as { WORDS: number }).WORDS;
      for (const s of spans) assert.ok(s.start >= 0 && s.end <= words, `${r.name}.${s.name} inside the record`);
      assert.is(spans.reduce((n, s) => n + s.end - s.start, 0), words, `${r.name} ${view}: no gap, no overlap`);
    }
    for (const [name, f] of Object.entries(r.fields)) assert.ok(f.doc.length > 0 && f.count >= 1, `${r.name}.${name} documented`);
  }
  assert.is(HEADER.fields.CLASS_ACTIVE.count, NUM_CLASSES);
  assert.is(SLOT.fields.LNEXT.count, NUM_CLASSES);
  assert.is(THREAD.fields.SLL_HEAD.view, 'f64');
});

const CONFIGS: ConfigInput[] = [
  {},
  { 'sim.phys_mib': 1, 'sim.va_gib': 1, 'sim.max_superslabs': 3, 'sim.max_threads': 2, HAKMEM_TINY_SS_FORCE_LG: 16 },
  { 'sim.max_threads': 7, HAKMEM_TINY_SS_FORCE_LG: 21 },
];

test('layout: regions disjoint, 8-byte aligned, inside the buffer; record arrays sized by the records', () => {
  for (const input of CONFIGS) {
    const cfg = makeConfig(input);
    const L = new Layout(cfg);
    const spans = L.regions.map((r) => {
      const start = r.at * (r.view === 'i32' ? 4 : 8);
      assert.is(start % 8, 0, `${r.name} aligned`);
      return { name: r.name, start, end: start + r.words * (r.view === 'i32' ? 4 : 8) };
    });
    assert.is(overlap(spans), null, `regions overlap (${JSON.stringify(input)})`);
    assert.ok(spans.every((s) => s.end <= L.bytes), 'every region inside the buffer');
    const words = (name: string): number => L.regions.find((r) => r.name === name)!.words;
    assert.is(words('superslabs'), cfg.maxSuperSlabs * SUPERSLAB.i32.WORDS);
    assert.is(words('slots'), cfg.maxSuperSlabs * cfg.slabsPerSS * SLOT.i32.WORDS);
    assert.is(words('threads'), cfg.maxThreads * THREAD.i32.WORDS);
    assert.is(words('threads-f64'), cfg.maxThreads * THREAD.f64.WORDS);
  }
  const heap = createHeap(CONFIGS[1]);
  assert.ok(heap.sab.byteLength >= heap.L.bytes);
});

test('every invariant ID a field names is a rule of the catalogue', () => {
  assert.ok(ruleById('INV-FREELIST') !== undefined && ruleById('no such rule') === undefined);
  for (const r of RECORDS as readonly HeapRecord<{ [k: string]: Field }>[]) {
    for (const [name, f] of Object.entries(r.fields)) for (const id of f.inv) assert.ok(ruleById(id) !== undefined, `${r.name}.${name} names ${id}`);
  }
});

const RECORD_OF: { [prefix: string]: { r: HeapRecord<{ [k: string]: Field }>; view: 'i32' | 'f64' } } = {
  H: { r: HEADER as never, view: 'i32' }, S: { r: SUPERSLAB as never, view: 'i32' }, SL: { r: SLOT as never, view: 'i32' },
  T: { r: THREAD as never, view: 'i32' }, TF: { r: THREAD as never, view: 'f64' },
};

/** Plain stores (`x[... REC.FIELD ...] = / += / ++ ...`) to fields declared atomic, as "line: REC.FIELD". */
function plainAtomicStores(source: string): string[] {
  const out: string[] = [];
  const stores = [/\[([^[\]]*)\]!?\s*(?:\+\+|--|[-+|&^]?=(?!=))/g, /(?:\+\+|--)\s*[\w.]+\[([^[\]]*)\]/g];
  source.split('\n').forEach((line, i) => {
    for (const re of stores) {
      for (const m of line.matchAll(re)) {
        for (const [, prefix, name] of m[1]!.matchAll(/\b(H|S|SL|T|TF)\.([A-Z_0-9]+)\b/g)) {
          const { r, view } = RECORD_OF[prefix!]!;
          const f = r.fields[name!];
          if (f !== undefined && f.view === view && f.writer === 'atomic') out.push(`${i + 1}: ${prefix}.${name}`);
        }
      }
    }
  });
  return out;
}

test('the store scan finds a plain store to an atomic word (and not to an owner word)', () => {
  assert.equal(plainAtomicStores('  i32[w + SL.RHEAD] = idx + 1;\n  i32[w + SL.USED]! -= moved;\n  ++i32[e + S.ACTIVE]!;'), ['1: SL.RHEAD', '3: S.ACTIVE']);
  assert.equal(plainAtomicStores('if (i32[w + SL.STATE] === 1) x = 2;'), []);
});

test('writer discipline: no plain store to a word declared atomic anywhere in impl/', () => {
  const found: string[] = [];
  for (const file of filesUnder(join(root, 'impl'))) for (const s of plainAtomicStores(readFileSync(file, 'utf8'))) found.push(`${file.slice(root.length + 1)}:${s}`);
  assert.equal(found, []);
});

test('locators: slot ids, slabs and block starts agree for a Config and a snapshot\'s Limits alike', () => {
  const cfg = makeConfig({});
  const heap = createHeap({});
  for (const slot of [0, 1, cfg.slabsPerSS - 1, cfg.slabsPerSS, 5 * cfg.slabsPerSS + 3]) {
    assert.is(slotId(cfg, ssOfSlot(cfg, slot), slabOfSlot(cfg, slot)), slot);
  }
  const base = 7 * cfg.ssBytes;
  for (let slab = 0; slab < cfg.slabsPerSS; slab++) {
    const start = slabStart(cfg, base, slab);
    assert.is(slabAt(cfg, base, start), slab, `slab ${slab}'s first block is in slab ${slab}`);
    assert.ok(start >= base + (slab === 0 ? cfg.slab0Header : 0));
  }
  assert.ok(heap.cfg.slab0Header > 0);
});

test('codecs: SuperSlab word, header byte, cell, tagged list head', () => {
  const w = ssWord(3, 65535);
  assert.is(ssState(w), 3);
  assert.is(ssPins(w), 65535);
  assert.is(ssPins(w + 1 - 65536), 0, 'pins live in the low 16 bits');
  assert.is(headerByte(6), 0xa6);
  for (const [link, live] of [[0, false], [1, true], [2 ** 40, true]] as const) {
    const c = makeCell(link, live, headerByte(5));
    assert.equal([cellLink(c), cellLive(c), cellHeader(c)], [link, live, 0xa5]);
  }
  let head = 0;
  for (let i = 0; i < 1025; i++) head = retag(head, 7);
  assert.is(headSlot(head), 7);
  assert.is(head >>> 22, 1025 % 1024, 'the tag wraps at 10 bits');
});

test.run();
