// The coverage-gated test run: c8 over every source folder (impl/, model/, properties/,
// viewer/, cli/, harness/, bench/, trace/ — worker threads and the child processes tests start count too),
// with --all so that a source file no test loads counts as uncovered. The gate is checked
// per folder, so one folder's tests cannot hide another's gaps: each must reach LINES %
// of lines and BRANCHES % of branches (the gate only rises). Not measured: the browser
// script viewer/client/ (it runs in Chromium; test/viewer-browser.test.ts drives it) and
// the benchmark entry bench/bench.ts (`npm run bench`: a measurement at full scale, a
// minute of work; the harness's runner and workloads it times are gated).
// HTML and JSON reports in coverage/. Prints one line per folder, then the tests'
// `N passed, N failed` again so that it stays the last line.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

const LINES = 95;
const BRANCHES = 90;
const FOLDERS = ['impl', 'model', 'properties', 'viewer', 'cli', 'harness', 'bench', 'trace'];
const run = spawnSync('npx', [
  'c8', '--all', '--extension', '.ts', ...FOLDERS.flatMap((f) => ['--include', `${f}/**`]), '--exclude', 'viewer/client/**', '--exclude', 'bench/bench.ts',
  '--exclude-after-remap', '-r', 'html', '-r', 'json-summary', 'node', 'scripts/test.mjs', ...process.argv.slice(2),
], { stdio: ['inherit', 'pipe', 'inherit'], encoding: 'utf8' });
process.stdout.write(run.stdout);
const totals = run.stdout.trimEnd().split('\n').reverse().find((line) => /^\d+ passed, \d+ failed$/.test(line));

let gateOk = false;
try {
  const summary = JSON.parse(readFileSync('coverage/coverage-summary.json', 'utf8'));
  const sums = new Map(FOLDERS.map((f) => [f, { lines: [0, 0], branches: [0, 0] }]));
  for (const [path, s] of Object.entries(summary)) {
    if (path === 'total') continue;
    const folder = sums.get(relative(process.cwd(), path).split('/')[0]);
    if (folder === undefined) continue;
    for (const k of ['lines', 'branches']) {
      folder[k][0] += s[k].covered;
      folder[k][1] += s[k].total;
    }
  }
  const pct = ([covered, total]) => (total === 0 ? 100 : (100 * covered) / total);
  gateOk = true;
  for (const [f, s] of sums) {
    const lines = pct(s.lines);
    const branches = pct(s.branches);
    const below = lines < LINES || branches < BRANCHES;
    if (below) gateOk = false;
    console.log(`coverage ${`${f}/`.padEnd(12)} lines ${lines.toFixed(2)}% (gate ${LINES}%), branches ${branches.toFixed(2)}% (gate ${BRANCHES}%)${below ? ' — BELOW THE GATE' : ''}`);
  }
} catch (err) {
  console.log(`coverage: no summary was written (${err.message})`);
}
console.log(totals ?? '0 passed, 1 failed');
process.exitCode = run.status === 0 && gateOk && totals !== undefined ? 0 : 1;
