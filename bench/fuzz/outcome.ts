// One fuzz input run the way a user runs slabcheck — what bin/slabcheck.js does, main()
// of the compiled CLI next to this file, in a child process — under a time limit and a memory limit (V8's old space, and the heap
// budget for the simulated heap), and what came of it. The bar: exit 0, 1 or 2; never a
// stack trace or an internal error; on exit 2 a first line that names the problem; never
// longer than the limit.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FuzzInput } from './inputs.js';

export type Outcome = 'exit0' | 'exit1' | 'exit2' | 'crash' | 'hang' | 'unnamed';

export interface Limits {
  timeoutMs: number;
  /** V8 old-space limit of the child, MiB. */
  oldSpaceMib: number;
  /** SLABCHECK_HEAP_BUDGET_MIB of the child. */
  heapBudgetMib: number;
}

export const DEFAULT_LIMITS: Limits = { timeoutMs: 30_000, oldSpaceMib: 512, heapBudgetMib: 1024 };

export interface Result {
  outcome: Outcome;
  ms: number;
  code: number | null;
  /** First stderr line (cut), for the report of a failing input. */
  stderr: string;
}

const MAIN = new URL('../../cli/main.js', import.meta.url).href;
const SLABCHECK = ['--input-type=module', '-e', `import { main } from ${JSON.stringify(MAIN)}; process.exitCode = await main(process.argv.slice(1));`, '--'];

/** A stack frame line, as node prints an uncaught error. */
const STACK_FRAME = /^\s+at .+(:\d+:\d+\)?|\(native\)|<anonymous>\)?)$/m;

/** What a finished child's exit and stderr say, by the bar above. */
export function classify(code: number | null, signal: string | null, stderr: string, timedOut: boolean): Outcome {
  if (timedOut) return 'hang';
  if (signal !== null || code === null || ![0, 1, 2].includes(code)) return 'crash';
  if (STACK_FRAME.test(stderr) || stderr.includes('internal error')) return 'crash';
  if (code === 2) return /^slabcheck: \S/.test(stderr) ? 'exit2' : 'unnamed';
  return code === 0 ? 'exit0' : 'exit1';
}

/** Runs `command` (default: slabcheck) with the input's argv in a child; files go to a fresh temp dir. */
export function runInput(input: FuzzInput, limits: Limits = DEFAULT_LIMITS, command: string[] = SLABCHECK): Promise<Result> {
  const dir = mkdtempSync(join(tmpdir(), 'slabcheck-fuzz-'));
  const file = join(dir, 'input');
  if (input.file !== undefined) writeFileSync(file, input.file);
  const argv = input.argv.map((a) => a.replace('@FILE', file));
  const start = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [`--max-old-space-size=${limits.oldSpaceMib}`, ...command, ...argv], {
      cwd: dir,
      env: { ...process.env, SLABCHECK_HEAP_BUDGET_MIB: String(limits.heapBudgetMib), NODE_OPTIONS: '' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 1 << 16) stderr += chunk.toString();
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, limits.timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
      resolve({ outcome: classify(code, signal, stderr, timedOut), ms: performance.now() - start, code, stderr: stderr.split('\n')[0]!.slice(0, 200) });
    });
  });
}

/** Runs `inputs` with `jobs` children at a time; the counts per outcome and the inputs that broke the bar. */
export async function runAll(inputs: FuzzInput[], jobs: number, limits: Limits = DEFAULT_LIMITS, onDone?: (done: number, counts: Readonly<Record<Outcome, number>>) => void) {
  const counts: Record<Outcome, number> = { exit0: 0, exit1: 0, exit2: 0, crash: 0, hang: 0, unnamed: 0 };
  const failures: { input: FuzzInput; result: Result }[] = [];
  let next = 0;
  let done = 0;
  let slowestMs = 0;
  const worker = async (): Promise<void> => {
    while (next < inputs.length) {
      const input = inputs[next++]!;
      const result = await runInput(input, limits);
      counts[result.outcome]++;
      slowestMs = Math.max(slowestMs, result.ms);
      if (result.outcome === 'crash' || result.outcome === 'hang' || result.outcome === 'unnamed') failures.push({ input, result });
      onDone?.(++done, counts);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, jobs) }, worker));
  return { counts, failures, slowestMs: Math.round(slowestMs) };
}
