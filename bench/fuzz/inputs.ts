// What the fuzz suite feeds the `slabcheck` command: fast-check arbitraries over whole
// argument vectors — command names (including every name a JavaScript object has),
// options from each command's vocabulary with values that are valid, out of range,
// negative, hex, empty, huge or repeated — replay tokens (valid ones, cut, extended,
// re-packed with changed JSON), config files, --set values and malloc trace files. Valid commands carry
// bounds (few runs, few iterations) so that a run ends well inside its time limit: a
// hang then means slabcheck hung, not that the input asked for an hour of work.
import fc from 'fast-check';
import { deflateRawSync } from 'node:zlib';
import { KNOBS } from '../../impl/config.js';
import { VARIANTS } from '../../impl/variants.js';
import { caseArb, TINY_GEOMETRY } from '../../properties/scope.js';
import { encodeToken } from '../../properties/token.js';

/** One input: the argument vector, and files to write first (path placeholder → contents). */
export interface FuzzInput {
  kind: 'argv' | 'token' | 'config' | 'set' | 'trace';
  argv: string[];
  /** Written to a fresh temp dir; `@FILE` in argv becomes its path. */
  file?: string;
}

const OBJECT_NAMES = ['constructor', '__proto__', 'toString', 'valueOf', 'hasOwnProperty', 'prototype'];
const COMMANDS = ['check', 'prove', 'replay', 'view', 'zoo', 'coverage', 'run', 'scenario', 'variants', 'help', '--version', '--help', '-h', 'frob', '', ...OBJECT_NAMES];
const WORKLOADS = ['random-mixed', 'larson', 'cache-thrash', 'cache-scratch', 'xmalloc', 'fault', ...OBJECT_NAMES];

/** A number-ish string: in range, at the edges, negative, fractional, hex, binary, exponent, empty, huge. */
export const numberText = fc.oneof(
  fc.integer({ min: 0, max: 50 }).map(String),
  fc.integer({ min: -(2 ** 40), max: 2 ** 40 }).map(String),
  fc.constantFrom('0', '-1', '-0', '1.5', '1e3', '0x15', '0b10101', '0o7', '', ' ', 'NaN', 'Infinity', '9007199254740993', '1_000', '+3', '٣'),
  fc.string({ maxLength: 12 }),
);

/** Values for options that scale a run's length: small, or invalid — never a valid hour of work. */
const scaledText = fc.oneof(
  fc.integer({ min: 0, max: 40 }).map(String),
  fc.constantFrom('-1', '-0', '1.5', '1e3', '0x15', '0b101', '', ' ', 'NaN', 'abc', '99999999999999999999999', '+3'),
);
const SCALED = new Set(['runs', 'seeds', 'atomic-runs', 'iters', 'lifetimes', 'seconds', 'objs', 'timeout', 'chunks', 'rounds', 'ws', 'reps', 'threads', 'at']);

const value = fc.oneof({ weight: 4, arbitrary: numberText }, { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.constantFrom(...OBJECT_NAMES, ...VARIANTS.map((v) => v.name)) });

const knobKey = fc.oneof(fc.constantFrom(...KNOBS.map((k) => k.key)), fc.constantFrom('variants', ...OBJECT_NAMES), fc.string({ maxLength: 20 }));

/** `--set KEY=VALUE` texts; bounded knobs so a valid one builds a small heap. */
export const setArb = fc.oneof(
  fc.tuple(knobKey, numberText).map(([k, v]) => `${k}=${v}`),
  fc.constantFrom('=3', 'HAKMEM_TINY_CAP', 'HAKMEM_TINY_CAP=', 'sim.phys_mib=65536', 'vm.max_map_count=16777216', 'sim.max_threads=2', '__proto__=1', 'sim.phys_mib=0x15'),
  fc.string({ maxLength: 30 }),
);

const named = (names: string[]): fc.Arbitrary<[string, string]> =>
  fc.constantFrom(...names).chain((n) => (SCALED.has(n) ? scaledText : value).map((v): [string, string] => [n, v]));

const optionArb = (names: string[]): fc.Arbitrary<string[]> => fc.oneof(
  { weight: 6, arbitrary: named(names).map(([n, v]) => [`--${n}`, v]) },
  { weight: 2, arbitrary: named(names).map(([n, v]) => [`--${n}=${v}`]) },
  { weight: 1, arbitrary: fc.constantFrom(...names).map((n) => [`--${n}`]) },
  { weight: 1, arbitrary: fc.constantFrom<string[]>(['--json'], ['--help'], ['-h'], ['--frob'], ['-x'], ['--'], ['extra'], ['--set'], ['--variant', 'nope']) },
  { weight: 1, arbitrary: setArb.map((s) => ['--set', s]) },
  { weight: 1, arbitrary: fc.constantFrom(...VARIANTS.map((v) => v.name), ...OBJECT_NAMES).map((v) => ['--variant', v]) },
);

/** Bounds that keep a valid command short: always first, so a later repeat of the option overrides them. */
const BOUNDS = new Map<string, string[]>([
  ['check', ['--runs', '20']], ['coverage', ['--runs', '20']], ['prove', ['--threads', '1', '--ops', '1']], ['zoo', ['--seeds', '1', '--runs', '200', '--atomic-runs', '0', '--variant', 'tls-free-skips-used']],
  ['run', ['--iters', '2000', '--lifetimes', '2', '--objs', '2000', '--timeout', '5']],
]);
const OPTIONS = new Map<string, string[]>([
  ['check', ['runs', 'seed', 'scheduler', 'depth', 'report', 'config', 'emit-test', 'save']], ['coverage', ['runs', 'seed', 'scheduler', 'depth', 'html']],
  // prove's --threads and --ops stay bounded (a valid 2x2 unbounded is hours of work); the rest is fuzzed
  ['prove', ['preemptions', 'alphabet', 'sizes', 'ticks', 'report', 'jobs', 'save', 'compare', 'no-serial', 'no-dpor', 'no-cache']],
  ['zoo', ['seeds', 'runs', 'atomic-runs', 'scheduler']], ['replay', ['report', 'emit-test']], ['view', ['out']],
  ['run', ['threads', 'exec', 'sched-seed', 'timeout', 'iters', 'ws', 'seed', 'min', 'max', 'chunks', 'rounds', 'lifetimes', 'seconds', 'mode', 'thread', 'at', 'size', 'reps', 'objs']],
]);

/** Whole argument vectors over every command. */
export const argvArb: fc.Arbitrary<FuzzInput> = fc.tuple(fc.constantFrom(...COMMANDS), fc.constantFrom(...WORKLOADS), fc.array(fc.constantFrom(0), { maxLength: 4 }))
  .chain(([command, workload, n]) => {
    const names = OPTIONS.get(command) ?? ['json'];
    const head = command === 'run' ? [command, workload] : command === 'scenario' ? [command, 'nope'] : [command];
    // scenarios run for a minute: only their names and usage are fuzzed
    return fc.array(optionArb(names), { minLength: n.length, maxLength: 4 })
      .map((opts): FuzzInput => ({ kind: 'argv', argv: [...head, ...(BOUNDS.get(command) ?? []), ...opts.flat()] }));
  });

const tokenOf = (json: string): string => `sc1.${deflateRawSync(Buffer.from(json)).toString('base64url')}`;

/** Tokens: valid, then cut, extended, or re-packed with a changed field. */
export const tokenArb: fc.Arbitrary<FuzzInput> = fc.tuple(caseArb({}), fc.nat(1000), fc.integer({ min: 0, max: 9 }), value)
  .map(([c, at, how, v]): FuzzInput => {
    const good = encodeToken(c);
    const json = JSON.parse(JSON.stringify(c)) as Record<string, unknown>;
    const cut = (s: string): string => s.slice(0, at % (s.length + 1));
    const variants = [
      good,
      cut(good),
      `${good}${v}`,
      tokenOf(JSON.stringify({ ...json, extra: v })),
      tokenOf(JSON.stringify({ ...json, config: { ...TINY_GEOMETRY, [String(v)]: v } })),
      tokenOf(JSON.stringify({ ...json, program: { threads: [Array(Math.min(at, 2000)).fill({ op: 'drain' })] } })),
      tokenOf(JSON.stringify({ ...json, program: { threads: [[{ op: 'tick', ms: Number(v) }]] } })),
      tokenOf(JSON.stringify({ ...json, program: { threads: [Array(Math.min(at, 1000)).fill({ op: 'alloc', size: 1500 })] } })),
      tokenOf(`${'['.repeat(at * 10)}${']'.repeat(at * 10)}`),
      `sc1.${cut(good.slice(4))}${v}`,
    ];
    return { kind: 'token', argv: [at % 3 === 0 ? 'view' : 'replay', variants[how]!, ...(at % 3 === 0 ? ['--out', '@FILE.html'] : [])] };
  });

/** Config files: JSON objects of knobs (valid and not), other JSON, not JSON. */
export const configArb: fc.Arbitrary<FuzzInput> = fc.tuple(
  fc.dictionary(knobKey, fc.oneof(fc.double({ noNaN: false }), fc.integer(), value, fc.array(value, { maxLength: 3 })), { maxKeys: 4 }),
  fc.integer({ min: 0, max: 5 }), fc.string({ maxLength: 20 }),
).map(([knobs, how, junk]): FuzzInput => {
  const texts = [JSON.stringify(knobs), JSON.stringify({ ...TINY_GEOMETRY, ...knobs }), '[1,2]', 'null', junk, `{"__proto__": ${JSON.stringify(knobs)}}`];
  return { kind: 'config', argv: ['check', '--runs', '5', '--config', '@FILE'], file: texts[how]! };
});

/** --set values on check and run. */
export const setInputArb: fc.Arbitrary<FuzzInput> = fc.tuple(fc.array(setArb, { minLength: 1, maxLength: 3 }), fc.boolean())
  .map(([sets, onRun]): FuzzInput => ({
    kind: 'set',
    argv: [...(onRun ? ['run', 'random-mixed', '--iters', '2000', '--timeout', '5'] : ['check', '--runs', '10']), ...sets.flatMap((s) => ['--set', s])],
  }));

/** A malloc trace line: well formed (`tid m size ptr`, `tid f ptr`, …) or not. */
const traceLine = fc.oneof(
  fc.tuple(fc.nat(3), fc.constantFrom('m', 'c', 'r', 'a', 'f', 'x'), fc.array(fc.oneof(fc.nat(5000).map(String), fc.constantFrom('0', '1f', 'ffffffffffffff', '-1', '')), { maxLength: 4 }))
    .map(([t, op, args]) => [t, op, ...args].join(' ')),
  fc.string({ maxLength: 30 }),
);

/** Malloc traces (trace replay, compare, slice, shrink; never record, which runs a program): text files of such lines. */
export const traceArb: fc.Arbitrary<FuzzInput> = fc.tuple(
  fc.constantFrom('replay', 'compare', 'slice', 'shrink', 'frob', ...OBJECT_NAMES), fc.array(traceLine, { maxLength: 40 }),
  fc.array(optionArb(['variant', 'set', 'json', 'audit-every', 'events-per-ms', 'lenient', 'from', 'to', 'budget']), { maxLength: 3 }),
).map(([sub, lines, opts]): FuzzInput => ({
  kind: 'trace',
  argv: ['trace', sub, '@FILE', ...(sub === 'slice' || sub === 'shrink' ? ['--out', '@FILE.out'] : []), ...(sub === 'compare' ? ['--variant', 'tls-free-skips-used'] : []), ...opts.flat()],
  file: `${lines.join('\n')}\n`,
}));

export const inputArb: fc.Arbitrary<FuzzInput> = fc.oneof(argvArb, tokenArb, configArb, setInputArb, traceArb);
