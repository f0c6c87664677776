// Operation kinds as plugins (properties/ops/, issue 9 part 3): one module per kind,
// registered once in OPS. Every registered kind is drawn by the scope, round-trips through
// replay tokens, prints, shrinks to strictly simpler operations of its kind, and runs on
// the step executor; a token's operation of no registered kind, or with a field its kind
// does not have, is refused by name.
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ConfigInput } from '../impl/config.js';
import { execute } from '../properties/execute.js';
import { OPS, opPlugin, opText, validateOp, type Op } from '../properties/ops/registry.js';
import type { Case } from '../properties/program.js';
import { caseArb, TINY_GEOMETRY, TINY_POLICY_BASE } from '../properties/scope.js';
import { decodeToken, encodeToken, TokenError } from '../properties/token.js';

const BASE: ConfigInput = { ...TINY_GEOMETRY, ...TINY_POLICY_BASE };
/** A generated value as JSON gives it back (fast-check builds records without Object's prototype). */
const plain = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;
const caseOf = (threads: Op[][]): Case => ({ config: BASE, program: { threads }, schedule: { kind: 'preempt', quanta: [], points: [] } });
/** Two threads holding blocks of three classes, then `op` on T0. */
const around = (op: Op): Op[][] => [
  [{ op: 'alloc', size: 1500 }, { op: 'alloc', size: 300 }, { op: 'free', from: 0, pick: 0 }, op],
  [{ op: 'alloc', size: 200 }],
];

test('registry: one plugin per kind, each with a summary; the scope draws every kind', () => {
  const kinds = OPS.map((p) => p.kind);
  assert.equal(kinds, ['alloc', 'free', 'drain', 'trim', 'tick', 'exit', 'misuse']);
  for (const p of OPS) assert.ok(p.summary.length > 0, `${p.kind} has a summary`);
  const drawn = new Set<string>();
  for (const c of fc.sample(caseArb({}), { numRuns: 300, seed: 5 })) for (const ops of c.program.threads) for (const o of ops) drawn.add(o.op);
  assert.equal([...drawn].sort(), [...kinds].sort());
});

for (const plugin of OPS) {
  test(`${plugin.kind}: drawn operations round-trip through tokens, print, and shrink to simpler ones`, () => {
    const ops = fc.sample(fc.oneof(...plugin.draws()), { numRuns: 60, seed: 7 }) as Op[];
    let shrunk = 0;
    for (const op of ops) {
      assert.is(op.op, plugin.kind);
      assert.is(opPlugin(op), plugin as unknown);
      const c = caseOf(around(op));
      assert.equal(decodeToken(encodeToken(c)), plain(c), 'the token carries the operation whole');
      const text = opText(op, 2);
      assert.ok(text.startsWith(plugin.kind === 'misuse' ? 'free-' : `${plugin.kind}(`), text);
      for (const simpler of opPlugin(op).shrink(op)) {
        shrunk++;
        assert.is(simpler.op, plugin.kind);
        assert.ok(opPlugin(simpler).detail(simpler) < opPlugin(op).detail(op), `${JSON.stringify(simpler)} is not simpler than ${JSON.stringify(op)}`);
        assert.equal(validateOp(plain(simpler), 'here'), plain(simpler));
      }
    }
    // a kind with arguments shrinks some of them; one without has nothing to shrink
    const hasArguments = new Set(ops.map((op) => opPlugin(op).detail(op))).size > 1;
    assert.is(shrunk > 0, hasArguments, `${plugin.kind}: ${shrunk} shrink candidates`);
  });

  test(`${plugin.kind}: runs on the step executor, traced by its text, and the designed allocator passes`, () => {
    for (const op of fc.sample(fc.oneof(...plugin.draws()), { numRuns: 8, seed: 3 }) as Op[]) {
      const o = execute(caseOf(around(op)), { trace: true });
      assert.is(o.violation, null, `${opText(op, 2)}: ${o.violation?.id}`);
      const starts = o.trace.filter((e) => e.kind === 'start' && e.thread === 0 && e.step <= o.quiescenceFrom).map((e) => e.text);
      assert.is(starts.length, 4);
      assert.ok(starts[3]!.startsWith(opText(op, 2)), starts[3]);
    }
  });
}

test('tokens: an operation of no registered kind, or with a field its kind lacks, is refused by name', () => {
  const where = 'no valid program: T0 operation 0';
  const refused = (o: unknown): string => {
    try {
      validateOp(o, where);
    } catch (err) {
      assert.instance(err, TokenError);
      return (err as Error).message;
    }
    throw new Error(`accepted ${JSON.stringify(o)}`);
  };
  assert.is(refused({ op: 'realloc', size: 8 }), `replay token: ${where}: unknown operation 'realloc'`);
  assert.is(refused('alloc'), `replay token: ${where}: not an operation`);
  for (const p of OPS) {
    const [op] = fc.sample(fc.oneof(...p.draws()), { numRuns: 1, seed: 1 });
    assert.match(refused({ ...op, extra: 1 }), /unknown field 'extra'/);
  }
});

test.run();
