// The test runner itself (scripts/test.mjs): every test file runs under a time limit,
// and a file that hangs fails with its name and the name of the test that hung.
import { spawnSync } from 'node:child_process';
import * as assert from 'uvu/assert';
import { test } from 'uvu';

test('a hanging test file is stopped at its time limit and named with the test that hung', () => {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, ['scripts/test.mjs', 'fixtures/hang'], {
    encoding: 'utf8', env: { ...process.env, TEST_FILE_TIMEOUT_S: '3' }, timeout: 60_000,
  });
  assert.is(r.status, 1);
  assert.match(r.stdout, "TIMEOUT fixtures/hang.fixture.js: test 'waits for a worker that never answers' did not finish within 3 s");
  assert.match(r.stdout, /0 passed, 1 failed\n$/);
  assert.ok(Date.now() - t0 < 30_000, 'stopped near its limit');
});

test('a file that passes under the limit is tallied as usual', () => {
  const r = spawnSync(process.execPath, ['scripts/test.mjs', 'sizeclass.test'], { encoding: 'utf8', timeout: 120_000 });
  assert.is(r.status, 0, r.stdout);
  assert.match(r.stdout, /\d+ passed, 0 failed\n$/);
});

test.run();
