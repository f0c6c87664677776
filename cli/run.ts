// `slabcheck run WORKLOAD`: a seed workload on the reference allocator, with the seeds'
// figures and the audit verdict. Exit 0 when the audit holds, 1 when it does not.
import { createHeap } from '../impl/heap.js';
import { report, type RunReport } from '../bench/report.js';
import { RANDOM_MIXED_DEFAULTS, randomMixed } from '../bench/workloads/random-mixed.js';
import { CONFIG_OPTIONS, configFrom, intOption, parse, UsageError } from './usage.js';

export const RUN_USAGE = `slabcheck run random-mixed [--iters N] [--ws W] [--seed S] [--variant NAME]...
                           [--config FILE] [--set KEY=VALUE]... [--json] [--no-timing]`;

export function runCommand(argv: string[], out: (line: string) => void): number {
  const { values, positionals } = parse(argv, {
    ...CONFIG_OPTIONS,
    iters: { type: 'string' },
    ws: { type: 'string' },
    seed: { type: 'string' },
    json: { type: 'boolean' },
    'no-timing': { type: 'boolean' },
  }, 1);
  const workload = positionals[0];
  if (workload !== 'random-mixed') {
    throw new UsageError(workload === undefined ? 'run needs a workload: random-mixed' : `unknown workload '${workload}' (known: random-mixed)`);
  }
  const options = {
    iters: intOption('iters', values.iters, RANDOM_MIXED_DEFAULTS.iters, 1, 2 ** 40),
    ws: intOption('ws', values.ws, RANDOM_MIXED_DEFAULTS.ws, 1, 1 << 24),
    seed: intOption('seed', values.seed, RANDOM_MIXED_DEFAULTS.seed, 0, 2 ** 32 - 1),
    opsPerMs: RANDOM_MIXED_DEFAULTS.opsPerMs,
  };
  const heap = createHeap(configFrom(values));
  const timing = randomMixed(heap, options);
  const r = report(heap, workload, options, timing.ops, timing.seconds, values['no-timing'] !== true);
  if (values.json === true) out(JSON.stringify(r));
  else printReport(r, out);
  return r.audit === 'ok' ? 0 : 1;
}

function printReport(r: RunReport, out: (line: string) => void): void {
  const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MB`;
  out(`${r.workload} ${JSON.stringify(r.options)}${r.variants.length > 0 ? ` variant ${r.variants.join(', ')}` : ''}`);
  if (r.opsPerSec !== undefined) out(`  ${r.ops} ops in ${r.seconds} s: ${r.opsPerSec} ops/s`);
  out(`  mmap ${r.mmap}  munmap ${r.munmap}  page faults ${r.pageFaults}`);
  out(`  SuperSlabs: mapped ${r.ssAlloc}, freed ${r.ssFreed}; LRU push ${r.lruPush}, pop hit ${r.lruPopHit}, miss ${r.lruPopMiss}`);
  out(`  EMPTY events ${r.emptyEvents}  legacy fallbacks ${r.legacyFallbacks}`);
  out(`  peak RSS ${mb(r.peakRssBytes)}  peak VmSize ${mb(r.peakVmBytes)}  final VmSize ${mb(r.finalVmBytes)}`);
  out(r.audit === 'ok' ? '  audit: ok' : `  audit: ${r.audit.id} — ${r.audit.what} at ${r.audit.where}: expected ${r.audit.expected}, actual ${r.audit.actual}`);
}
