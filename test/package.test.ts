// The package as a TypeScript project downstream gets it: packed from the built tree
// (what `npm publish` would upload), installed into a fresh project, type-checked with
// `tsc --strict` against the shipped .d.ts, and run — a uvu test that calls
// assertAllocator and replay — once as an ES module and once as CommonJS (require of
// ESM, Node >= 20.19). The tarball holds only what a user needs.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const root = process.cwd();
const work = mkdtempSync(join(tmpdir(), 'slabcheck-pkg-'));
test.after(() => rmSync(work, { recursive: true, force: true }));

interface Packed { filename: string; files: { path: string }[] }

/** `npm pack` of a copy of the package with this run's build as dist/. */
function pack(): Packed & { tarball: string } {
  const stage = join(work, 'stage');
  mkdirSync(stage);
  for (const f of ['package.json', 'bin', 'LICENSE', 'README.md', 'docs']) cpSync(join(root, f), join(stage, f), { recursive: true });
  cpSync(resolve(root, process.env['DIST_DIR'] ?? 'dist'), join(stage, 'dist'), { recursive: true });
  const out = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: stage, encoding: 'utf8' });
  const [packed] = JSON.parse(out) as Packed[];
  return { ...packed!, tarball: join(work, packed!.filename) };
}

const packed = pack();

test('the tarball holds only what a user needs: no tests, no build scripts, no source maps; a LICENSE and the types', () => {
  const paths = packed.files.map((f) => f.path);
  for (const p of paths) {
    assert.ok(/^(package\.json|LICENSE|README\.md|bin\/|dist\/|docs\/)/.test(p), `unexpected file in the tarball: ${p}`);
    assert.not.ok(p.startsWith('dist/test/'), p);
    assert.not.ok(p.endsWith('.map'), p);
    assert.not.ok(p.startsWith('scripts/'), p);
    assert.not.ok(p.startsWith('dist/bench/'), p); // benchmarks and the fuzz suite are the repository's, not the package's
  }
  for (const want of ['LICENSE', 'bin/slabcheck.js', 'dist/properties/index.js', 'dist/properties/index.d.ts', 'dist/cli/main.js', 'dist/harness/workers/worker.js']) {
    assert.ok(paths.includes(want), `the tarball has ${want}`);
  }
});

const CONSUMER = `import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { assertAllocator, CounterexampleError, replay, type CheckResult, type Report } from 'slabcheck';

test('assertAllocator passes on the default allocator and finds a seed bug; replay reproduces it', () => {
  const ok: CheckResult = assertAllocator({ runs: 20 });
  assert.ok(ok.ok);
  let token = '';
  try {
    assertAllocator({ runs: 500, variants: ['tls-free-skips-used'] });
  } catch (e) {
    assert.instance(e, CounterexampleError);
    token = (e as CounterexampleError).report.token;
  }
  const again: Report | null = replay(token);
  assert.ok(again !== null && again.token === token, 'the same counterexample again');
  assert.is(again!.invariant.id, 'INV-CONSERVATION');
});
test.run();
`;

/** A fresh project of `type` with the tarball installed (its dependencies linked from this checkout). */
function consumer(type: 'module' | 'commonjs'): string {
  const dir = join(work, type);
  const pkg = join(dir, 'node_modules', 'slabcheck');
  mkdirSync(pkg, { recursive: true });
  execFileSync('tar', ['-xzf', packed.tarball, '-C', pkg, '--strip-components=1']);
  for (const dep of ['fast-check', 'ts-pattern', 'xstate', 'uvu', '@types']) symlinkSync(join(root, 'node_modules', dep), join(dir, 'node_modules', dep));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type }));
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      strict: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', types: ['node'], outDir: 'out',
      skipLibCheck: false, noUncheckedIndexedAccess: true, exactOptionalPropertyTypes: true,
    },
    files: ['consumer.test.ts'],
  }));
  writeFileSync(join(dir, 'consumer.test.ts'), CONSUMER);
  return dir;
}

for (const type of ['module', 'commonjs'] as const) {
  test(`a strict TypeScript ${type === 'module' ? 'ESM' : 'CommonJS'} project compiles against the package and its test passes`, () => {
    const dir = consumer(type);
    const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', dir], { encoding: 'utf8' });
    assert.is(tsc.status, 0, `tsc --strict: ${tsc.stdout}${tsc.stderr}`);
    const run = spawnSync(process.execPath, [join(dir, 'out', 'consumer.test.js')], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    assert.is(run.status, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /Passed:\s+1/);
    // CommonJS really is require() of the ES module package
    if (type === 'commonjs') assert.match(readFileSync(join(dir, 'out', 'consumer.test.js'), 'utf8'), 'require("slabcheck")');
  });
}

test.run();
