// The coverage-gated test run: c8 over impl/ and the worker code (bench/runner.ts,
// bench/workers/, bench/workloads/; c8 collects worker threads' coverage too), thresholds
// checked by c8, HTML and JSON reports in coverage/. Prints a one-line summary, then the
// tests' `N passed, N failed` again so that it stays the last line. The gate only rises.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const LINES = 95;
const BRANCHES = 90;
const run = spawnSync('npx', [
  'c8', '--include', 'impl/**', '--include', 'bench/runner.ts', '--include', 'bench/workers/**', '--include', 'bench/workloads/**',
  '--exclude-after-remap', '--check-coverage', `--lines=${LINES}`, `--branches=${BRANCHES}`,
  '-r', 'html', '-r', 'json-summary', 'node', 'scripts/test.mjs', ...process.argv.slice(2),
], { stdio: ['inherit', 'pipe', 'inherit'], encoding: 'utf8' });
process.stdout.write(run.stdout);
const totals = run.stdout.trimEnd().split('\n').reverse().find((line) => /^\d+ passed, \d+ failed$/.test(line));
try {
  const { total } = JSON.parse(readFileSync('coverage/coverage-summary.json', 'utf8'));
  const pct = (k) => `${k} ${total[k].pct}%`;
  const gate = run.status === 0 ? '' : ' — BELOW THE GATE (see the ERROR above)';
  console.log(`coverage over impl/ and the worker code: ${pct('lines')} (gate ${LINES}%), ${pct('branches')} (gate ${BRANCHES}%), ${pct('functions')}${gate}`);
} catch {
  console.log('coverage: no summary was written');
}
console.log(totals ?? '0 passed, 1 failed');
process.exitCode = run.status === 0 && totals !== undefined ? 0 : 1;
