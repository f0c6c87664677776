// `check` and `coverage` on a terminal: the run goes to a worker (cli/check-worker.ts)
// while this thread redraws one progress line and takes Ctrl-C. The first Ctrl-C asks the
// worker to stop after the case it is on; the result then says how many cases ran, and
// the command prints a partial summary (exit 130). A second Ctrl-C ends the worker at
// once. The progress line is always ended before anything else is printed.
import { Worker } from 'node:worker_threads';
import type { CheckOptions, CheckResult } from '../properties/check.js';

type Out = (line: string) => void;

/** Whether the command talks to a person: stderr is this process's, and a terminal. */
export const interactive = (err: Out): boolean => err === console.error && process.stderr.isTTY === true;

/** The run in a worker, with progress on stderr; null when a second Ctrl-C ended it without a result. */
export async function checkInteractively(options: CheckOptions): Promise<{ result: CheckResult | null; runsDone: number }> {
  const total = options.runs ?? 1000;
  const words = new Int32Array(new SharedArrayBuffer(8));
  const worker = new Worker(new URL('./check-worker.js', import.meta.url), { workerData: { options, control: words.buffer } });
  let drawn = -1;
  const draw = (): void => {
    const n = Atomics.load(words, 0);
    if (n === drawn) return;
    drawn = n;
    process.stderr.write(`\rchecking: ${n}/${total} runs`);
  };
  draw();
  const timer = setInterval(draw, 100);
  let interrupts = 0;
  const onInterrupt = (): void => {
    if (++interrupts === 1) Atomics.store(words, 1, 1);
    else void worker.terminate();
  };
  process.on('SIGINT', onInterrupt);
  try {
    const result = await new Promise<CheckResult | null>((resolve, reject) => {
      worker.once('message', (r: CheckResult) => resolve(r));
      worker.once('error', reject);
      worker.once('exit', () => resolve(null));
    });
    return { result, runsDone: Atomics.load(words, 0) };
  } finally {
    clearInterval(timer);
    process.off('SIGINT', onInterrupt);
    draw();
    process.stderr.write('\n');
  }
}
