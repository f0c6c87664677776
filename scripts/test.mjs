// Runs every compiled uvu test file, each in its own child process under a time limit
// (TEST_FILE_TIMEOUT_S, default 600 s): a file that hangs — a worker that never answers,
// a loop that never ends — is stopped and reported with its name and the test that was
// running, instead of stalling CI until its own limit. Ends with one line
// `N passed, N failed` over all files; any failure makes the exit code non-zero.
// Usage: node scripts/test.mjs [substring filter of test file paths]   (DIST_DIR: build dir, default dist)
// Files under fixtures/ run only when the filter names them (they fail on purpose).
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const filter = process.argv[2] ?? '';
const limitMs = Number(process.env.TEST_FILE_TIMEOUT_S ?? 600) * 1000;
const testDir = join(process.env.DIST_DIR ?? 'dist', 'test');
const hooks = fileURLToPath(new URL('./test-hooks.mjs', import.meta.url));
const child = fileURLToPath(new URL('./test-file.mjs', import.meta.url));

const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if ((name.endsWith('.test.js') || name.endsWith('.fixture.js')) && path.includes(filter)) files.push(path);
  }
};
walk(testDir);
const runnable = files.filter((f) => !relative(testDir, f).startsWith('fixtures') || filter.includes('fixtures'));

/** One file in a child: its tally, or a failure naming the test it was stuck in. */
function runFile(file) {
  const label = relative(testDir, file);
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, ['--import', hooks, child, file, label], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
    let current = '(before its first test)';
    let text = '';
    let timedOut = false;
    proc.on('message', (m) => {
      if (typeof m?.test === 'string') current = m.test;
    });
    proc.stdout.on('data', (chunk) => {
      text += chunk;
      process.stdout.write(chunk);
    });
    const timer = setTimeout(() => {
      timedOut = true;
      proc.kill('SIGKILL');
    }, limitMs);
    proc.on('close', (code, signal) => {
      clearTimeout(timer);
      const tally = /(\d+) passed, (\d+) failed\s*$/.exec(text);
      if (timedOut) {
        console.log(`\nTIMEOUT ${label}: test '${current}' did not finish within ${limitMs / 1000} s (TEST_FILE_TIMEOUT_S); the file was stopped`);
        resolve({ passed: 0, failed: 1 });
      } else if (tally === null) {
        console.log(`\nCRASH ${label}: exited ${signal ?? code} without a tally, in test '${current}'`);
        resolve({ passed: 0, failed: 1 });
      } else {
        resolve({ passed: Number(tally[1]), failed: Number(tally[2]) + (code === 0 ? 0 : Number(tally[2]) === 0 ? 1 : 0) });
      }
    });
  });
}

let passed = 0;
let failed = 0;
for (const file of runnable) {
  const r = await runFile(file);
  passed += r.passed;
  failed += r.failed;
}
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 || runnable.length === 0 ? 1 : 0;
