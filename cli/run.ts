// `slabcheck run WORKLOAD`: a seed workload on the reference allocator — in real worker
// threads sharing the heap, or interleaved on one thread (deterministic) — with the
// seeds' figures and the audit verdict. Exit 0 when the run ended cleanly and the audit
// holds, 1 otherwise (a worker failed or hung, or an invariant broke), 2 on bad input.
import { report, type RunReport } from '../harness/report.js';
import { runWorkload } from '../harness/runner.js';
import { defaults, WORKLOADS } from '../harness/workloads/index.js';
import { createHeap } from '../impl/heap.js';
import { quote } from '../impl/quote.js';
import { CONFIG_OPTIONS, configFrom, entry, intOption, parse, UsageError } from './usage.js';

export const RUN_USAGE = `slabcheck run WORKLOAD [--threads N] [--exec workers|interleaved] [--sched-seed S] [--timeout SEC]
                      [workload options] [--variant NAME]... [--config FILE] [--set KEY=VALUE]... [--json] [--no-timing]
                WORKLOAD: ${Object.keys(WORKLOADS).join(', ')} (slabcheck run WORKLOAD --help lists its options)`;

type Out = (line: string) => void;

export async function runCommand(argv: string[], out: Out): Promise<number> {
  const name = argv[0];
  const workload = entry(WORKLOADS, name);
  if (workload === undefined) {
    throw new UsageError(name === undefined || name.startsWith('-')
      ? `run needs a workload: ${Object.keys(WORKLOADS).join(', ')}`
      : `unknown workload ${quote(name)} (known: ${Object.keys(WORKLOADS).join(', ')})`);
  }
  const own = Object.fromEntries(Object.keys(workload.options).map((k) => [k, { type: 'string' as const }]));
  const { values } = parse(argv.slice(1), {
    ...CONFIG_OPTIONS,
    ...own,
    threads: { type: 'string' },
    exec: { type: 'string' },
    'sched-seed': { type: 'string' },
    timeout: { type: 'string' },
    json: { type: 'boolean' },
    'no-timing': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help === true) {
    out(`slabcheck run ${workload.name} options:`);
    for (const [k, [def, min, max, what]] of Object.entries(workload.options)) out(`  --${k.padEnd(10)} ${what} (default ${def}, ${min}..${max})`);
    return 0;
  }
  const options = defaults(workload);
  for (const [k, [def, min, max]] of Object.entries(workload.options)) {
    options[k] = intOption(k, (values as Record<string, string | undefined>)[k], def, min, max);
  }
  const threads = intOption('threads', values.threads, 1, 1, 64);
  const exec = values.exec ?? (threads > 1 ? 'workers' : 'interleaved');
  if (exec !== 'workers' && exec !== 'interleaved') throw new UsageError(`--exec must be workers or interleaved, got '${exec}'`);
  const invalid = workload.invalid?.(options, threads, exec) ?? null;
  if (invalid !== null) throw new UsageError(`run ${workload.name}: ${invalid}`);
  const seconds = options['seconds'] ?? 0;
  const heap = createHeap(configFrom(values));
  // the main thread sets up and tears down beside the N threads
  if (threads + 1 > heap.cfg.maxThreads) {
    throw new UsageError(`config sim.max_threads: ${heap.cfg.maxThreads} slots cannot hold ${threads} threads and the main thread; it needs ${threads + 1}`);
  }
  const result = await runWorkload(heap, {
    workload,
    options,
    threads,
    exec,
    schedSeed: intOption('sched-seed', values['sched-seed'], 1, 0, 2 ** 32 - 1),
    seconds,
    timeoutMs: intOption('timeout', values.timeout, Math.max(600, 2 * seconds + 60), 1, 86400 * 7) * 1000,
  });
  const r = report(heap, { workload: workload.name, options, threads, exec }, result, values['no-timing'] !== true);
  if (values.json === true) out(JSON.stringify(r));
  else printReport(r, out);
  return r.audit === 'ok' && r.failures.length === 0 ? 0 : 1;
}

export function printReport(r: RunReport, out: Out): void {
  const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MB`;
  out(`${r.workload} ${Object.keys(r.options).length > 0 ? `${JSON.stringify(r.options)} ` : ''}threads ${r.threads} (${r.exec})${r.variants.length > 0 ? ` variant ${r.variants.join(', ')}` : ''}`);
  if (r.opsPerSec !== undefined) out(`  ${r.ops} ops in ${r.seconds} s: ${r.opsPerSec} ops/s`);
  out(`  ended: ${r.stopped}${r.enomemAt === null ? '' : ` (ENOMEM on thread ${r.enomemAt.index}, tid ${r.enomemAt.tid})`}`);
  for (const f of r.failures) out(`  FAILED: worker ${f.index} (tid ${f.tid}): ${f.message}`);
  out(`  mmap ${r.mmap}  munmap ${r.munmap}  page faults ${r.pageFaults}  ENOMEM ${r.enomem}`);
  out(`  SuperSlabs: mapped ${r.ssAlloc}, freed ${r.ssFreed}; live (pool + LRU) peak ${r.ssLive.peak}, final ${r.ssLive.final}; in the pool peak ${r.ssPool.peak}, final ${r.ssPool.final}`);
  out(`  LRU: push ${r.lruPush}, pop hit ${r.lruPopHit}, miss ${r.lruPopMiss}`);
  out(`  frees: local ${r.localFrees}, remote ${r.remoteFrees}; EMPTY events ${r.emptyEvents}; legacy fallbacks ${r.legacyFallbacks}`);
  out(`  peak RSS ${mb(r.peakRssBytes)}  peak VmSize ${mb(r.peakVmBytes)}  final VmSize ${mb(r.finalVmBytes)}`);
  if (r.threads > 1) out(`  per thread: ${r.perThread.map((p) => `T${p.index} ${p.ops} ops${p.threadsUsed > 1 ? ` (${p.threadsUsed} lifetimes)` : ''}`).join(', ')}`);
  const heaps = r.perThread.filter((p) => p.jsHeap !== undefined && p.jsHeap.samples > 1);
  if (heaps.length <= 4) {
    for (const p of heaps) out(`  worker ${p.index} JS heap floor by tenths of the run (MB; fewer on short runs): ${p.jsHeap!.floors.map((f) => (f / 2 ** 20).toFixed(1)).join(' ')}; max ${mb(p.jsHeap!.max)}`);
  } else {
    const growth = heaps.map((p) => p.jsHeap!.growth);
    out(`  worker JS heap floor, last tenth minus first, over ${heaps.length} workers: ${mb(Math.min(...growth))} to ${mb(Math.max(...growth))} (--json has each)`);
  }
  out(typeof r.audit === 'string' ? `  audit: ${r.audit}` : `  audit: ${r.audit.id} — ${r.audit.what} at ${r.audit.where}: expected ${r.audit.expected}, actual ${r.audit.actual}`);
}
