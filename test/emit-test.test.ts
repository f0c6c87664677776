// Regression tests from counterexamples (properties/emit-test.ts): `replay TOKEN
// --emit-test FILE` on each variant's corpus case writes a uvu test that, run as a user
// would run it (node FILE, or uvu's command line over a folder of them), fails on the
// variant and passes on the design without it; `check …
// --emit-test FILE` writes the same test for its counterexample.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { cli } from './helpers.js';
import { VARIANTS } from '../impl/variants.js';
import { readCorpus } from '../properties/corpus.js';
import { emitTest } from '../properties/emit-test.js';
import { execute } from '../properties/execute.js';
import { variantsOf } from '../properties/program.js';
import { makeReport, terminalText } from '../properties/report.js';
import { caseName } from '../properties/token.js';

// The emitted tests import 'slabcheck' and 'uvu' as a user's project would: here both
// resolve through node_modules links to this package and its uvu.
const TMP = mkdtempSync(join(tmpdir(), 'slabcheck-emit-test-'));
mkdirSync(join(TMP, 'node_modules'));
symlinkSync(resolve('.'), join(TMP, 'node_modules', 'slabcheck'), 'dir');
symlinkSync(resolve('node_modules', 'uvu'), join(TMP, 'node_modules', 'uvu'), 'dir');
test.after(() => rmSync(TMP, { recursive: true, force: true }));

function runTest(file: string): { status: number | null; out: string } {
  const p = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } });
  return { status: p.status, out: p.stdout + p.stderr };
}

/** Runs every test file in `dir` with uvu's command line, as a user runs a folder of tests; the output split per file. */
function runFolder(dir: string): { status: number | null; out: string; files: Map<string, string> } {
  const bin = resolve('node_modules', 'uvu', 'bin.js');
  const p = spawnSync(process.execPath, [bin, dir, '--no-color'], { cwd: TMP, encoding: 'utf8', timeout: 120_000, env: { ...process.env, NO_COLOR: '1' } });
  const out = p.stdout + p.stderr;
  const files = new Map<string, string>();
  const heads = [...out.matchAll(/^(\S+\.test\.js)$/gm)];
  heads.forEach((m, k) => files.set(m[1]!, out.slice(m.index! + m[0].length, heads[k + 1]?.index ?? out.length)));
  return { status: p.status, out, files };
}

/** The same test with its VARIANTS line set to [] — the design without the bug. */
const designed = (text: string): string => {
  const fixed = text.replace(/^const VARIANTS = \[.*\];$/m, 'const VARIANTS = [];');
  assert.is.not(fixed, text, 'the test has a VARIANTS line to change');
  return fixed;
};

const CASES = readCorpus().filter((e) => variantsOf(e.case).length === 1);

test('replay TOKEN --emit-test FILE on each variant\'s case: the test fails on the variant and passes on the design', async () => {
  mkdirSync(join(TMP, 'variant'));
  mkdirSync(join(TMP, 'designed'));
  const expected = new Map<string, string>();
  for (const { name } of VARIANTS) {
    const e = CASES.find((x) => variantsOf(x.case)[0] === name)!;
    assert.ok(e !== undefined, `a corpus case of ${name}`);
    const file = join(TMP, 'variant', `${name}.test.js`);
    const r = await cli('replay', e.token, '--emit-test', file);
    assert.is(r.code, 1);
    assert.ok(r.err.includes(`test: ${file}`), r.err.join('\n'));
    writeFileSync(join(TMP, 'designed', `${name}.test.js`), designed(readFileSync(file, 'utf8')));
    const id = execute(e.case).violation!.id;
    expected.set(`${name}.test.js`, `FAIL  "${caseName(id, e.token)}: the counterexample replays with no invariant broken"\n    ${id}: `);
  }
  // one uvu process per folder: every file's test fails on its variant, with its name and the invariant it broke
  const failing = runFolder('variant');
  assert.is(failing.status, 1, failing.out);
  assert.is(failing.files.size, VARIANTS.length, failing.out);
  for (const [file, text] of expected) assert.ok(failing.files.get(file)?.includes(text), `${file}: the emitted test should fail on the variant with\n${text}\n${failing.files.get(file)}`);
  assert.match(failing.out, new RegExp(`Total:\\s+${VARIANTS.length}\\s+Passed:\\s+0\\b`));
  // ... and passes on the design
  const passing = runFolder('designed');
  assert.is(passing.status, 0, passing.out);
  assert.match(passing.out, new RegExp(`Total:\\s+${VARIANTS.length}\\s+Passed:\\s+${VARIANTS.length}\\b`));
});

test('the emitted test: named after the invariant and hash, the report\'s summary as a comment, the token and variants', () => {
  const e = CASES[0]!;
  const r = makeReport(e.case, execute(e.case, { trace: true }));
  const text = emitTest(r);
  const name = caseName(r.violation.id, r.token);
  assert.ok(text.startsWith(`// slabcheck regression test ${name}: `));
  for (const line of terminalText(r)) assert.ok(text.includes(`// ${line}\n`), line);
  assert.ok(text.includes(`const TOKEN = ${JSON.stringify(r.token)};`));
  assert.ok(text.includes(`const VARIANTS = ${JSON.stringify(variantsOf(e.case))};`));
  assert.ok(text.includes("from 'slabcheck';"));
  assert.ok(text.trimEnd().endsWith('test.run();'));
});

test('check … --emit-test FILE writes the test of its counterexample; nothing to write when all holds', async () => {
  const file = join(TMP, 'check', 'registry.test.js');
  const r = await cli('check', '--variant', 'registry-unpopulated', '--seed', '1', '--runs', '200', '--report', join(TMP, 'rep'), '--emit-test', file);
  assert.is(r.code, 1);
  assert.ok(r.err.includes(`test: ${file}`));
  const text = readFileSync(file, 'utf8');
  assert.ok(text.includes(`// ${r.out[0]}\n`), 'the violation line heads the comment');
  assert.is(runTest(file).status, 1);
  assert.is(runTest((writeFileSync(`${file}.designed.js`, designed(text)), `${file}.designed.js`)).status, 0);
  const ok = await cli('check', '--runs', '20', '--min-coverage', '0', '--emit-test', join(TMP, 'none.test.js'));
  assert.is(ok.code, 0);
  assert.ok(ok.err.includes(`no counterexample: no test written to ${join(TMP, 'none.test.js')}`));
  const pass = readCorpus().find((x) => variantsOf(x.case).length === 0)!;
  const replayed = await cli('replay', pass.token, '--emit-test', join(TMP, 'none.test.js'));
  assert.is(replayed.code, 0);
  assert.ok(replayed.err.includes(`no counterexample: no test written to ${join(TMP, 'none.test.js')}`));
});

test.run();
