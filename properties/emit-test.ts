// Regression tests from counterexamples: the source of a uvu test that replays a case and
// asserts that no invariant breaks — so it fails while the bug is there and passes once
// it is fixed. The case travels as its token; the seed-bug variants it ran with stand on
// a line of their own, since for a variant's counterexample the variant is the bug:
// the test fails as written and passes on the design without it (VARIANTS = []).
import type { Report } from './report.js';
import { terminalText } from './report.js';
import { variantsOf } from './program.js';
import { caseName } from './token.js';

export function emitTest(r: Report): string {
  const name = caseName(r.violation.id, r.token);
  const variants = variantsOf(r.case);
  return `// slabcheck regression test ${name}: replays the counterexample below and asserts that
// no invariant breaks. It fails while the bug is there and passes once it is fixed.
//
${terminalText(r).map((line) => `// ${line}`).join('\n')}
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeToken, encodeToken, replay } from 'slabcheck';

const TOKEN = ${JSON.stringify(r.token)};
// The seed-bug variants the case ran with (npx slabcheck variants); [] is the allocator as designed.
const VARIANTS = ${JSON.stringify(variants)};

test(${JSON.stringify(`${name}: the counterexample replays with no invariant broken`)}, () => {
  const c = decodeToken(TOKEN);
  const report = replay(encodeToken({ ...c, config: { ...c.config, variants: VARIANTS } }));
  const v = report?.violation;
  assert.is(v, undefined, v === undefined ? '' : \`\${v.id}: \${v.what} at \${v.where} (expected \${v.expected}, actual \${v.actual})\`);
});

test.run();
`;
}
