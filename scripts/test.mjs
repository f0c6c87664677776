// Runs the uvu suites compiled to dist/test and ends with one line `N passed, N failed`.
// uvu alone exits 0 when a before/after hook throws (its runner returns from `finally`)
// and forces colour on a TTY (design.md §9); here every test that did not pass (a
// thrown hook, a skip, a crash) counts as failed and makes the exit code non-zero.
// Usage: node scripts/test.mjs [substring filter of test file paths]   (DIST_DIR: build dir, default dist)
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';

process.env.NO_COLOR = '1';
globalThis.UVU_DEFER = 1;
const filter = process.argv[2] ?? '';

const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (name.endsWith('.test.js') && path.includes(filter)) files.push(path);
  }
};
const testDir = join(process.env.DIST_DIR ?? 'dist', 'test');
walk(testDir);

const { exec } = await import('uvu');
for (let i = 0; i < files.length; i++) {
  globalThis.UVU_INDEX = i;
  globalThis.UVU_QUEUE.push([relative(testDir, files[i])]);
  await import(pathToFileURL(files[i]).href);
}

// uvu reports only through stdout: read its totals as they go by.
let text = '';
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = (chunk, ...rest) => {
  text += String(chunk);
  return write(chunk, ...rest);
};
let crashed = false;
try {
  await exec(false);
} catch (err) {
  crashed = true;
  console.error(err);
}
process.stdout.write = write;

const field = (name) => Number(/\s+(\d+)/.exec(text.slice(text.lastIndexOf(name) + name.length))?.[1] ?? NaN);
const total = field('Total:');
const passed = field('Passed:');
const ok = Number.isFinite(total) && Number.isFinite(passed);
const failed = ok ? total - passed : 1;
console.log(`${ok ? passed : 0} passed, ${failed} failed`);
process.exitCode = failed > 0 || crashed || files.length === 0 ? 1 : 0;
