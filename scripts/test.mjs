// Runs every compiled uvu test file, each in its own child process under a time limit
// (TEST_FILE_TIMEOUT_S, default 600 s): a file that hangs — a worker that never answers,
// a loop that never ends — is stopped and reported with its name and the test that was
// running, instead of stalling CI until its own limit. TEST_JOBS files run at once
// (default: the number of cores); each file's output is printed whole, in file order, once
// it and the files before it are done. Ends with one line `N passed, N failed` over all
// files; any failure makes the exit code non-zero.
// Usage: node scripts/test.mjs [substring filter of test file paths]   (DIST_DIR: build dir, default dist)
// Files under fixtures/ run only when the filter names them (they fail on purpose).
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const filter = process.argv[2] ?? '';
const limitMs = Number(process.env.TEST_FILE_TIMEOUT_S ?? 600) * 1000;
const jobs = Number(process.env.TEST_JOBS ?? availableParallelism());
if (!(Number.isSafeInteger(jobs) && jobs >= 1)) {
  console.error(`scripts/test.mjs: TEST_JOBS must be a whole number >= 1, got '${process.env.TEST_JOBS}'`);
  process.exit(2);
}
const testDir = join(process.env.DIST_DIR ?? 'dist', 'test');
// The files already take every core (TEST_JOBS at once): the slabcheck commands they run
// default to one thread each (SLABCHECK_JOBS, cli/usage.ts jobsOption), not one per core,
// which would start a cold worker in every file and run twice as many threads as cores.
// Tests of the parallel paths give --jobs (or the API's jobs) themselves.
const env = { ...process.env, SLABCHECK_JOBS: process.env.SLABCHECK_JOBS ?? '1' };
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

/** One file in a child: its tally and output, or a failure naming the test it was stuck in. */
function runFile(file) {
  const label = relative(testDir, file);
  return new Promise((resolve) => {
    const start = performance.now();
    const proc = spawn(process.execPath, ['--import', hooks, child, file, label], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'], env });
    let current = '(before its first test)';
    let text = '';
    let timedOut = false;
    proc.on('message', (m) => {
      if (typeof m?.test === 'string') current = m.test;
    });
    proc.stdout.on('data', (chunk) => {
      text += chunk;
    });
    const timer = setTimeout(() => {
      timedOut = true;
      proc.kill('SIGKILL');
    }, limitMs);
    proc.on('close', (code, signal) => {
      clearTimeout(timer);
      text += `  (${label}: ${((performance.now() - start) / 1000).toFixed(1)} s)\n`;
      const tally = /(\d+) passed, (\d+) failed\s*\n  \(.*\)\n$/.exec(text);
      if (timedOut) {
        resolve({ text: `${text}\nTIMEOUT ${label}: test '${current}' did not finish within ${limitMs / 1000} s (TEST_FILE_TIMEOUT_S); the file was stopped\n`, passed: 0, failed: 1 });
      } else if (tally === null) {
        resolve({ text: `${text}\nCRASH ${label}: exited ${signal ?? code} without a tally, in test '${current}'\n`, passed: 0, failed: 1 });
      } else {
        resolve({ text, passed: Number(tally[1]), failed: Number(tally[2]) + (code === 0 ? 0 : Number(tally[2]) === 0 ? 1 : 0) });
      }
    });
  });
}

let passed = 0;
let failed = 0;
const results = [];
let printed = 0;
let next = 0;
const worker = async () => {
  while (next < runnable.length) {
    const i = next++;
    results[i] = await runFile(runnable[i]);
    for (; results[printed] !== undefined; printed++) {
      const r = results[printed];
      process.stdout.write(r.text);
      passed += r.passed;
      failed += r.failed;
    }
  }
};
await Promise.all(Array.from({ length: Math.min(jobs, runnable.length) }, worker));
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 || runnable.length === 0 ? 1 : 0;
