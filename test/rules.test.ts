// The rule catalogue (model/rules/catalogue.ts): every rule defined once, with its kind,
// seed and statement, judged by its check or raised by the file it names; every rule ID
// the source, tests, docs and corpus use is in it; every variant names rules of it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { VARIANTS } from '../impl/variants.js';
import { RULES, ruleById, type RuleKind } from '../model/rules/catalogue.js';
import { filesUnder } from './helpers.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SOURCES = ['impl', 'model', 'properties', 'cli', 'harness', 'bench', 'trace', 'viewer', 'test', 'scripts', 'docs', 'corpus', 'README.md'];
const KINDS: RuleKind[] = ['safety', 'liveness', 'decision', 'model', 'harness'];

// A rule ID: a word of a rule family (INV-…, LIVE-…) anywhere; any upper-case ID in an
// `id: '…'` field, a `.id, '…'` assertion or a corpus file name.
const FAMILY = /\b(?:INV|LIVE|MEM|ALLOC|MODEL)-[A-Z0-9]+(?:-[A-Z0-9]+)*\b/g;
const LITERAL = /\b(?:id: |\.id, )'([A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*)'/g;
const CORPUS_NAME = /-([A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*)-[0-9a-f]{8}\.txt$/;

/** Every rule ID used anywhere, with one file that uses it. */
function usedIds(): Map<string, string> {
  const used = new Map<string, string>();
  for (const file of SOURCES.flatMap((s) => filesUnder(join(ROOT, s), /\.(ts|mjs|md|txt|json)$/))) {
    const where = file.slice(ROOT.length);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(FAMILY)) if (!used.has(m[0])) used.set(m[0], where);
    for (const m of text.matchAll(LITERAL)) if (!used.has(m[1]!)) used.set(m[1]!, where);
    const named = CORPUS_NAME.exec(where);
    if (named !== null && !used.has(named[1]!)) used.set(named[1]!, where);
  }
  return used;
}

test('each rule is defined once, with a kind, a seed and a statement', () => {
  const ids = RULES.map((r) => r.id);
  assert.is(new Set(ids).size, ids.length, `duplicate IDs: ${ids.filter((id, i) => ids.indexOf(id) !== i).join(', ')}`);
  for (const r of RULES) {
    assert.ok(KINDS.includes(r.kind), `${r.id}: kind ${r.kind}`);
    assert.ok(r.seed.length > 0 && r.statement.length > 0, `${r.id}: seed and statement`);
    assert.is(ruleById(r.id), r);
  }
  assert.equal([...new Set(RULES.map((r) => r.kind))].sort(), [...KINDS].sort(), 'every kind has rules');
});

test('a rule has a check, or names the file that raises it, which does', () => {
  for (const r of RULES) {
    if (r.check !== undefined) {
      assert.is(r.raisedBy, undefined, `${r.id}: a check and a raiser`);
      continue;
    }
    assert.ok(r.raisedBy !== undefined, `${r.id}: no check and no raiser`);
    const text = readFileSync(join(ROOT, r.raisedBy), 'utf8');
    assert.ok(text.includes(`id: '${r.id}'`), `${r.raisedBy} raises ${r.id}`);
  }
});

test('every rule ID used in the source, tests, docs and corpus is in the catalogue', () => {
  const used = usedIds();
  for (const probe of ['INV-CONSERVATION', 'CRASH', 'DEADLOCK', 'LIVE-RECLAIM', 'ALLOC-FRESH']) assert.ok(used.has(probe), `the scan finds ${probe}`);
  const unknown = [...used].filter(([id]) => ruleById(id) === undefined).map(([id, where]) => `${id} (${where})`);
  assert.equal(unknown, [], 'IDs not in the catalogue');
});

test('the scan would catch an ID missing from the catalogue', () => {
  // spelled in parts so that the scan of this file does not see them
  const probe = ['INV', 'NO', 'SUCH', 'RULE'].join('-');
  const quoted = `'${['NEW', 'RULE'].join('-')}'`;
  assert.equal([...`x ${probe} y`.matchAll(FAMILY)].map((m) => m[0]), [probe]);
  assert.equal([...`{ id: ${quoted}, what }`.matchAll(LITERAL)].map((m) => m[1]), ['NEW-RULE']);
  assert.is(ruleById(probe), undefined);
});

test('every variant names the rules expected to catch it, all in the catalogue', () => {
  for (const v of VARIANTS) {
    assert.ok(v.rules.length > 0, `${v.name} names its rules`);
    for (const id of v.rules) assert.ok(ruleById(id) !== undefined, `${v.name}: ${id} is in the catalogue`);
  }
});

test.run();
