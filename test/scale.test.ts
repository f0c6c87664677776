// The scale benchmark (bench/scale.ts) maps the SuperSlabs it says it does and judges a
// heap that holds (its figures are printed by `npm run bench`, never asserted).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { scale } from '../bench/scale.js';

test('scale: N mallocs map N one-block SuperSlabs; the catalogue holds on them', () => {
  const rows = scale([10, 300]);
  assert.equal(rows.map((r) => r.superslabs), [10, 300]);
  for (const r of rows) {
    assert.is(r.violation, null);
    for (const x of [r.mapUs, r.auditMs, r.registryMs, r.catalogueMs, r.auditUsPerSuperSlab, r.registryUsPerSuperSlab, r.catalogueUsPerSuperSlab]) {
      assert.ok(Number.isFinite(x) && x >= 0);
    }
  }
});

test('scale: a count past what the geometry can map is an error, not a figure', () => {
  assert.throws(() => scale([70_000]), /malloc \d+ of 70000 failed/);
});

test.run();
