// Runs the uvu suites of one compiled test file (the child scripts/test.mjs starts per
// file) and ends with one line `N passed, N failed`. uvu alone exits 0 when a
// before/after hook throws (its runner returns from `finally`) and forces colour on a
// TTY (design notes: docs/architecture.md); here every test that did not pass (a thrown
// hook, a skip, a crash) counts as failed and makes the exit code non-zero.
// Usage: node --import ./scripts/test-hooks.mjs scripts/test-file.mjs FILE.js LABEL
import { pathToFileURL } from 'node:url';

process.env.NO_COLOR = '1';
globalThis.UVU_DEFER = 1;
const [file, label] = process.argv.slice(2);

const { exec } = await import('uvu');
globalThis.UVU_INDEX = 0;
globalThis.UVU_QUEUE.push([label]);
await import(pathToFileURL(file).href);

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
process.exitCode = failed > 0 || crashed ? 1 : 0;
