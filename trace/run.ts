// A whole replay: the plan (first pass), a heap sized for the trace's threads, the
// events through the Replayer, the teardown, and the report: the workload run's figures
// (harness/report.ts, audit included) plus the trace's own.
import { report, type RunReport } from '../harness/report.js';
import type { RunResult } from '../harness/runner.js';
import { audit } from '../model/audit.js';
import type { ConfigInput } from '../impl/config.js';
import { createHeap, type Heap } from '../impl/heap.js';
import { NUM_CLASSES } from '../impl/sizeclass.js';
import type { TraceEvent } from './format.js';
import { parseOrSkip, planEvents, planFile, type Plan } from './plan.js';
import { forEachLine } from './read.js';
import { type Failure, type ReplayOptions, Replayer, type TraceStats } from './replay.js';

export interface TraceFigures extends Omit<TraceStats, 'classHistogram' | 'peakLiveBytes' | 'mappedAtPeakLive' | 'finalLiveBytes' | 'finalMappedBytes'> {
  eventsPerMs: number;
  auditEvery: number;
  classHistogram: Record<string, number>;
  /** Model operations on the tiny path over all (tiny + large-path allocations and frees). */
  tinyShare: number;
  crossThreadShare: number;
  /** The allocator's remote frees over its frees, during the trace (the teardown's left out). */
  remoteShare: number;
  fragmentation: { peakLiveBytes: number; mappedAtPeakLive: number; atPeakLive: number; finalLiveBytes: number; finalMappedBytes: number; final: number };
  eventsPerSec?: number;
  /** This process's peak resident set (the node process, not the simulated OS), with the timing figures. */
  processMaxRssBytes?: number;
  failure: Failure | null;
}

export interface TraceReport extends RunReport {
  trace: TraceFigures;
}

export interface TraceRun extends ReplayOptions {
  config: ConfigInput;
  timing: boolean;
  /** Called every 65536 events with (events done, events in the trace). */
  progress?: (done: number, total: number) => void;
}

/** The thread table the trace needs (sim.max_threads raised unless the configuration sets it). */
export function configFor(plan: Plan, config: ConfigInput): ConfigInput {
  if ('sim.max_threads' in config) return config;
  return { ...config, 'sim.max_threads': Math.min(4096, Math.max(64, plan.maxConcurrent + 2)) };
}

export async function replayFile(file: string, run: TraceRun): Promise<TraceReport> {
  const plan = await planFile(file, run.lenient);
  return session(plan, run, async (r) => {
    await forEachLine(file, (text, line) => {
      const ev = parseOrSkip(text, line, run.lenient);
      if (ev === null) {
        r.stats.skipped++;
        r.stats.firstSkipped ??= `line ${line}: unparsable`;
      } else {
        r.apply(ev, line);
        if (run.progress !== undefined && (r.stats.events & 0xffff) === 0) run.progress(r.stats.events, plan.events);
      }
    });
  });
}

/** Replays events held in memory (shrink's candidates): line i + 1 is events[i]. */
export async function replayEvents(events: readonly TraceEvent[], run: TraceRun): Promise<TraceReport> {
  return session(planEvents(events), run, async (r) => {
    for (let i = 0; i < events.length && r.apply(events[i]!, i + 1); i++);
  });
}

async function session(plan: Plan, run: TraceRun, feed: (r: Replayer) => Promise<void>): Promise<TraceReport> {
  const heap = createHeap(configFor(plan, run.config));
  const r = new Replayer(heap, run, plan.lastLine);
  const start = performance.now();
  await feed(r);
  const seconds = (performance.now() - start) / 1000;
  const during = audit(heap).counters;
  if (r.failure?.kind !== 'audit' && r.failure?.kind !== 'crash') r.finish();
  return traceReport(heap, r, run, seconds, during.remoteFrees / Math.max(1, during.remoteFrees + during.localFrees));
}

const ratio = (a: number, b: number): number => (b === 0 ? 0 : Number((a / b).toFixed(4)));

function traceReport(heap: Heap, r: Replayer, run: TraceRun, seconds: number, remoteShare: number): TraceReport {
  const f = r.failure;
  const result: RunResult = {
    ops: r.stats.events,
    seconds,
    perThread: [...r.perThread].map(([index, ops]) => ({ index, ops, threadsUsed: 1 })),
    stopped: f === null ? 'done' : f.kind === 'enomem' ? 'enomem' : 'failure',
    enomem: f?.kind === 'enomem' ? { index: f.tid, tid: f.tid } : null,
    failures: f?.kind === 'crash' ? [{ index: f.tid, tid: f.tid, message: `line ${f.line}: ${f.message}` }] : [],
  };
  const base = report(heap, { workload: 'trace', options: {}, threads: r.stats.threads, exec: 'trace order' }, result, run.timing);
  if (f?.kind === 'audit') base.audit = f.violation;
  const { classHistogram, peakLiveBytes, mappedAtPeakLive, finalLiveBytes, finalMappedBytes, ...s } = r.stats;
  const trace: TraceFigures = {
    ...s,
    eventsPerMs: run.eventsPerMs,
    auditEvery: run.auditEvery,
    classHistogram: Object.fromEntries(classHistogram.map((n, i) => [i < NUM_CLASSES ? `C${i}` : 'large', n])),
    tinyShare: ratio(s.tinyOps, s.tinyOps + s.largeAllocs + s.largeFrees),
    crossThreadShare: ratio(s.crossThreadFrees, s.frees),
    remoteShare: Number(remoteShare.toFixed(4)),
    fragmentation: {
      peakLiveBytes, mappedAtPeakLive, atPeakLive: ratio(mappedAtPeakLive, peakLiveBytes),
      finalLiveBytes, finalMappedBytes, final: ratio(finalMappedBytes, finalLiveBytes),
    },
    failure: f,
  };
  if (run.timing) {
    trace.eventsPerSec = Math.round(s.events / Math.max(seconds, 1e-9));
    trace.processMaxRssBytes = process.resourceUsage().maxRSS * 1024;
  }
  return { ...base, trace };
}
