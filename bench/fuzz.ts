// `npm run fuzz -- [--inputs N] [--seed S] [--jobs J] [--timeout-ms T]`: the fuzz suite at
// scale. Generates N inputs (default 10,000) with fast-check — argument vectors, replay
// tokens, config files, --set values — runs each as `node bin/slabcheck.js ...` in a
// child process with a time and a memory limit, and prints one JSON object: the counts
// per outcome, the inputs that crashed, hung or exited 2 without naming the problem
// (the bar is 0 of each), and the time taken; progress (inputs done and the counts so far)
// every 500 inputs on stderr. Exit 1
// when the bar is not met.
import fc from 'fast-check';
import { parseArgs } from 'node:util';
import { inputArb } from './fuzz/inputs.js';
import { DEFAULT_LIMITS, runAll } from './fuzz/outcome.js';

const USAGE = 'usage: npm run fuzz -- [--inputs N] [--seed S] [--jobs J] [--timeout-ms T]';
const options = { inputs: { type: 'string' }, seed: { type: 'string' }, jobs: { type: 'string' }, 'timeout-ms': { type: 'string' } } as const;
let values: { inputs?: string; seed?: string; jobs?: string; 'timeout-ms'?: string };
try {
  ({ values } = parseArgs({ options }));
} catch (err) {
  console.error(`fuzz: ${(err as Error).message}\n${USAGE}`);
  process.exit(2);
}
const whole = (name: keyof typeof values, def: number): number => {
  const raw = values[name];
  if (raw === undefined) return def;
  if (!/^\d+$/.test(raw)) {
    console.error(`fuzz --${name}: expected a whole number, got '${raw.slice(0, 60)}'`);
    process.exit(2);
  }
  return Number(raw);
};
const inputs = whole('inputs', 10_000);
const seed = whole('seed', 1);
const jobs = whole('jobs', 2);
const limits = { ...DEFAULT_LIMITS, timeoutMs: whole('timeout-ms', DEFAULT_LIMITS.timeoutMs) };

const start = performance.now();
const sample = fc.sample(inputArb, { numRuns: inputs, seed });
const kinds: Record<string, number> = {};
for (const i of sample) kinds[i.kind] = (kinds[i.kind] ?? 0) + 1;
const { counts, failures, slowestMs } = await runAll(sample, jobs, limits, (done, sofar) => {
  if (done % 500 === 0) process.stderr.write(`fuzz: ${done}/${inputs} inputs ${JSON.stringify(sofar)}\n`);
});
const bar = counts.crash === 0 && counts.hang === 0 && counts.unnamed === 0;
console.log(JSON.stringify({
  inputs, seed, jobs, limits, kinds, counts, bar, slowestMs, seconds: Math.round((performance.now() - start) / 1000),
  failures: failures.slice(0, 20).map(({ input, result }) => ({ outcome: result.outcome, argv: input.argv.map((a) => a.slice(0, 200)), file: input.file?.slice(0, 200), stderr: result.stderr })),
}));
process.exitCode = bar ? 0 : 1;
