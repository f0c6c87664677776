// The corpus (corpus/, properties/corpus.ts): every kept counterexample passes on the
// allocator as designed, every variant's still fails on its variant with the invariant its
// file names; one case at least per variant, and one per bug of the README's "What the
// checker found". Plus the file format and `check --save`.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { cli } from './helpers.js';
import { VARIANTS } from '../impl/variants.js';
import { CorpusError, corpusText, parseCorpusFile, readCorpus, saveToCorpus, withoutVariants } from '../properties/corpus.js';
import { execute } from '../properties/execute.js';
import { variantsOf, type Case } from '../properties/program.js';
import { makeReport } from '../properties/report.js';
import { caseName, decodeToken, encodeToken } from '../properties/token.js';

const TMP = mkdtempSync(join(tmpdir(), 'slabcheck-corpus-'));
test.after(() => rmSync(TMP, { recursive: true, force: true }));

const CORPUS = readCorpus();
const failing = (): Case => CORPUS.find((e) => variantsOf(e.case).length > 0)!.case;

test('every corpus case passes on the allocator as designed (its variants removed)', () => {
  assert.ok(CORPUS.length >= VARIANTS.length);
  for (const e of CORPUS) {
    const v = execute(withoutVariants(e.case)).violation;
    assert.is(v, null, `${e.file}: ${v?.id}: ${v?.what} at ${v?.where}`);
  }
});

test('every variant\'s case still fails on its variant, with the invariant its file names', () => {
  for (const e of CORPUS.filter((x) => variantsOf(x.case).length > 0)) {
    const v = execute(e.case).violation;
    assert.ok(v !== null, `${e.file}: no violation on ${variantsOf(e.case).join(' + ')} any more`);
    assert.ok(e.file.includes(`-${v.id}-`), `${e.file}: now ${v.id}`);
  }
});

test('the corpus holds a case per variant and the regression case of every bug in the README\'s "What the checker found"', () => {
  for (const { name } of VARIANTS) assert.ok(CORPUS.some((e) => variantsOf(e.case).includes(name)), `no case for variant ${name}`);
  const readme = readFileSync('README.md', 'utf8');
  const section = readme.slice(readme.indexOf('## What the checker found'), readme.indexOf('\n## ', readme.indexOf('## What the checker found') + 5));
  const bugs = [...section.matchAll(/^- \*\*(.+?)\*\*/gm)].map((m) => m[1]!.replace(/\s+/g, ' '));
  assert.ok(bugs.length >= 4, `bugs listed: ${bugs.join('; ')}`);
  for (const bug of bugs) assert.ok(CORPUS.some((e) => e.note.includes(bug)), `no corpus note names '${bug}'`);
  // a regression case on the designed allocator is one that failed on it before the fix
  assert.ok(CORPUS.filter((e) => variantsOf(e.case).length === 0).length >= 3);
});

test('corpus files: one note line and one token; anything else is an error naming the file', () => {
  const token = CORPUS[0]!.token;
  const e = parseCorpusFile('x.txt', corpusText('a  note\nacross lines', token));
  assert.equal([e.note, e.token], ['a note across lines', token]);
  assert.equal(e.case, decodeToken(token));
  assert.throws(() => parseCorpusFile('a.txt', `${token}\n`), (err: Error) => err instanceof CorpusError && err.message === "corpus file a.txt: expected one '# note' line and one token line, got 0 and 1");
  assert.throws(() => parseCorpusFile('b.txt', '# n\n# m\nsc1.x\n'), /b\.txt: expected one '# note' line and one token line, got 2 and 1/);
  assert.throws(() => parseCorpusFile('c.txt', '# n\nnot-a-token\n'), /corpus file c\.txt: replay token: expected a token starting with 'sc1\.'/);
  const dir = join(TMP, 'read');
  saveToCorpus(makeReport(failing(), execute(failing(), { trace: true })), dir);
  writeFileSync(join(dir, 'README.md'), 'not a case');
  assert.is(readCorpus(dir).length, 1, 'only .txt files are cases');
});

test('saveToCorpus: <variants or default>-<invariant>-<hash>.txt with a note saying what broke where it was found', () => {
  const variantCase = failing();
  const r = makeReport(variantCase, execute(variantCase, { trace: true }));
  const file = saveToCorpus(r, join(TMP, 'save'));
  const again = parseCorpusFile(file, readFileSync(file, 'utf8'));
  assert.is(again.token, r.token);
  assert.is(basename(file), `${variantsOf(variantCase).join('+')}-${caseName(r.violation.id, r.token)}.txt`);
  assert.is(again.note, `${r.violation.id} on variant ${variantsOf(variantCase).join(' + ')}: ${r.violation.what}`);
  // a case failing on the designed allocator is saved as default-…
  const designed = makeReport(withoutVariants(variantCase), execute(variantCase, { trace: true }));
  const d = saveToCorpus(designed, join(TMP, 'save'));
  assert.match(d, /default-[A-Z]+(-[A-Z]+)*-[0-9a-f]{8}\.txt$/);
  assert.ok(readFileSync(d, 'utf8').startsWith(`# ${designed.violation.id} on the allocator as designed: `));
});

test('check --save adds the failing case to corpus/ (here under a temp working directory); nothing when all holds', async () => {
  const cwd = process.cwd();
  process.chdir(TMP);
  try {
    const r = await cli('check', '--variant', 'registry-unpopulated', '--seed', '1', '--runs', '200', '--save', '--report', join(TMP, 'rep'));
    assert.is(r.code, 1);
    const line = r.err.find((l) => l.startsWith('corpus: '));
    assert.ok(line !== undefined, r.err.join('\n'));
    const file = line.slice('corpus: '.length);
    assert.match(file, /^corpus\/registry-unpopulated-INV-REGISTRY-[0-9a-f]{8}\.txt$/);
    const saved = parseCorpusFile(file, readFileSync(file, 'utf8'));
    assert.ok(r.out.includes(`  replay: npx slabcheck replay ${saved.token}`));
    const ok = await cli('check', '--runs', '20', '--min-coverage', '0', '--save');
    assert.is(ok.code, 0);
    assert.ok(ok.err.includes('no counterexample: nothing saved to the corpus'));
    assert.ok(existsSync(file));
    assert.is(encodeToken(saved.case), saved.token);
  } finally {
    process.chdir(cwd);
  }
});

test.run();
