// The checker's verdicts do not move when it is made faster: for the default scope and
// every variant, the first failing case, its shrunk report's invariant and token (seed
// 1) — checked in this thread and with two worker threads (--jobs 2), which must agree
// case for case — and the outcome of every case of a fixed random sample (violation, phase, context
// switches, lifecycle edges covered) equal test/fixtures/verdicts.json, recorded by the
// checker before heap reuse and the cheaper checks. Step counts are left out: they count
// the allocator's read requests, and stage 0.5 skips its scan when no slot is EMPTY. A change that is meant to change
// verdicts re-records it: SLABCHECK_RECORD=1 npm run test:fast -- verdicts (that run fails).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { VARIANTS } from '../impl/variants.js';
import { check, type CheckResult } from '../properties/check.js';
import { execute } from '../properties/execute.js';
import { caseArb } from '../properties/scope.js';

const FIXTURE = fileURLToPath(new URL('../../test/fixtures/verdicts.json', import.meta.url));

type Verdicts = Record<string, { check: unknown[]; sample: string }>;

function verdicts(): Verdicts {
  const out: Verdicts = {};
  for (const name of ['(default)', ...VARIANTS.map((v) => v.name)]) {
    const variants = name === '(default)' ? [] : [name];
    const r = check({ variants, seed: 1, runs: 600 });
    const parallel = check({ variants, seed: 1, runs: 600, jobs: 2 });
    const key = (x: CheckResult): string => JSON.stringify([x.ok, x.runs, x.firstFailure, x.shrinks, x.covered, x.hits, x.report?.token ?? null]);
    assert.is(key(parallel), key(r), `${name}: --jobs 2 agrees with one thread`);
    const sample = createHash('sha256');
    for (const c of fc.sample(caseArb({ variants }), { numRuns: 150, seed: 7 })) {
      const o = execute(c);
      sample.update(JSON.stringify([o.violation, o.phase, o.switches, [...o.covered].sort()]));
    }
    out[name] = { check: [r.ok, r.runs, r.shrinks, r.report?.invariant.id ?? null, r.report?.token ?? null], sample: sample.digest('hex') };
  }
  return out;
}

test('verdicts, tokens and sampled outcomes equal the recorded ones for every variant', () => {
  const now = verdicts();
  if (process.env['SLABCHECK_RECORD'] === '1') {
    writeFileSync(FIXTURE, `${JSON.stringify(now, null, 1)}\n`);
    assert.unreachable('recorded test/fixtures/verdicts.json; run again without SLABCHECK_RECORD');
  }
  assert.ok(existsSync(FIXTURE), 'test/fixtures/verdicts.json is missing');
  const recorded = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Verdicts;
  assert.equal(Object.keys(now), Object.keys(recorded));
  for (const name of Object.keys(now)) assert.equal(now[name], recorded[name], name);
  assert.ok(Object.values(recorded).filter((v) => v.check[0] === false).length >= 8, 'most variants fail within the runs (the comparison covers shrunk tokens)');
});

test.run();
