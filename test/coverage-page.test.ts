// `slabcheck coverage --html FILE` (viewer/coverage-page.ts): the machines with every
// transition coloured by the cases that took it, missed ones red; the counts as a table.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './helpers.js';
import { allEdges } from '../model/lifecycle.js';
import { check } from '../properties/check.js';
import { coveragePage, heatLook } from '../viewer/coverage-page.js';
import { esc } from '../viewer/html.js';

const TMP = mkdtempSync(join(tmpdir(), 'slabcheck-coverage-page-'));
test.after(() => rmSync(TMP, { recursive: true, force: true }));
const EDGES = [...allEdges('slot'), ...allEdges('superslab')];

test('check counts, per edge, the cases that took it', () => {
  const r = check({ runs: 200, seed: 3 });
  assert.equal(Object.keys(r.hits).sort(), [...EDGES].sort());
  assert.equal(r.covered, EDGES.filter((e) => r.hits[e]! > 0));
  for (const n of Object.values(r.hits)) assert.ok(n >= 0 && n <= r.runs);
  // a fresh SuperSlab maps its slots in nearly every case; the same count for both machines' MAP
  assert.is(r.hits['slot:UNMAPPED-MAP->UNUSED'], r.hits['superslab:UNMAPPED-MAP->MAPPED']);
  assert.ok(r.hits['slot:UNMAPPED-MAP->UNUSED']! > r.runs / 2);
});

test('heat: none is missed (red, dashed), few pale, the most dark', () => {
  assert.equal(heatLook(0, 100), { cls: 'missed', label: '×0' });
  const light = /(\d+)%\)$/.exec(heatLook(1, 100).style!)![1];
  const dark = /(\d+)%\)$/.exec(heatLook(100, 100).style!)![1];
  assert.equal([Number(light), Number(dark)], [72, 28]);
  assert.equal(heatLook(1, 1), { cls: 'heat', label: '×1', style: 'color:hsl(215,70%,28%)' });
});

test('the page: every edge with its count and look, missed ones listed, no script, nothing external', () => {
  const hits = Object.fromEntries(EDGES.map((e, i) => [e, i % 4 === 0 ? 0 : i * 10]));
  const html = coveragePage({ runs: 500, seed: 7, edges: EDGES, hits });
  const missed = EDGES.filter((e) => hits[e] === 0);
  assert.ok(html.includes(`<h1>lifecycle transitions exercised in 500 runs (seed 7): ${EDGES.length - missed.length}/${EDGES.length}</h1>`));
  for (const e of EDGES) {
    const g = new RegExp(`<g class="edge ([a-z]+)" data-edge="${esc(e).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"`).exec(html);
    assert.ok(g !== null, e);
    assert.is(g[1], hits[e] === 0 ? 'missed' : 'heat', e);
    assert.ok(html.includes(`<td>${esc(e)}</td><td>${hits[e]}</td>`), e);
  }
  assert.is(html.match(/<tr class="culprit">/g)!.length, missed.length);
  assert.not.match(html, /<script|(src|href)\s*=/);
});

test('coverage --html FILE writes the page of the run it prints; a bad place is exit 2', async () => {
  const file = join(TMP, 'sub', 'coverage.html');
  const r = await cli('coverage', '--runs', '200', '--seed', '3', '--html', file);
  assert.is(r.code, 0);
  assert.ok(r.err.includes(`coverage page: ${file}`), r.err.join('\n'));
  const result = check({ runs: 200, seed: 3 });
  assert.is(readFileSync(file, 'utf8'), coveragePage(result));
  const bad = await cli('coverage', '--runs', '5', '--html', '/proc/no/such/dir/x.html');
  assert.is(bad.code, 2, bad.err.join('\n'));
  assert.match(bad.err[0]!, /^slabcheck: --html /);
});

test.run();
