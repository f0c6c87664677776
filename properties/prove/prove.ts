// `slabcheck prove`: no violation within a bound, or the smallest counterexample in it.
// Every program of the bound (programs.ts), every interleaving of each up to the
// preemption bound (explore.ts), preemption levels one after the other as in CHESS: all
// programs with 0 preemptions, then 1, … — so the first violation found has the fewest
// preemptions; of the programs, the smallest (they come smallest first), on the first of the
// configurations where it fails; of its executions at that level, the one with the fewest steps. It is reported as `check`
// reports (same report, a token `replay` runs: a `choices` schedule).
//
// A unit of work is one program on one configuration, numbered program-major. Units are
// explored by this thread or by `jobs` worker threads (prove-worker.ts); their results are
// added up in unit order, up to the first that found a violation, so the result is the
// same whatever the number of jobs.
import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { ConfigError, type ConfigInput } from '../../impl/config.js';
import type { Case, Program } from '../program.js';
import { execute } from '../execute.js';
import { makeReport, type Report } from '../report.js';
import { workerExecArgv } from '../search.js';
import { explore } from './explore.js';
import { programsOf, type Bound } from './programs.js';

export interface ProveOptions {
  bound: Bound;
  /** The most preemptions (Infinity: unbounded, one level). */
  preemptions: number;
  /** The configurations every program runs on (knobs and variants). */
  configs: ConfigInput[];
  dpor: boolean;
  /** The state cache between operations (explore.ts). */
  cache: boolean;
  /** Threads that explore programs (default 1: this one; more: worker threads). */
  jobs?: number;
  /** After each unit explored. */
  onProgress?: (p: ProveProgress) => void;
  /** Asked before each unit: once true, the rest of the bound is left unexplored (the result says incomplete). */
  stop?: () => boolean;
}

export interface ProveProgress {
  level: number;
  /** Units (a program on a configuration) of the level done, of `units`. */
  done: number;
  units: number;
  executions: number;
}

export interface ProveResult {
  ok: boolean;
  /** Every program of the bound was explored at every level (false: `stop` cut it short, and ok says nothing). */
  complete: boolean;
  programs: number;
  /** Per preemption level run: its bound and executions run to their end (a level re-runs the lower ones' schedules). */
  levels: Counts[];
  executions: number;
  asleep: number;
  boundCut: number;
  cacheHits: number;
  /** Distinct states (heap and abstract heap) after the programs' last steps, over all programs, and a digest of their set. */
  finalStates: number;
  finalStateHash: string;
  /** The counterexample: its program's number (from 0, smallest first), its configuration's, preemptions and steps, and its report. */
  found: { program: number; config: number; preemptions: number; steps: number; report: Report } | null;
}

/** What a level's exploration counted (explore.ts Explored). */
export interface Counts {
  preemptions: number | null;
  executions: number;
  asleep: number;
  boundCut: number;
  cacheHits: number;
}

/** What exploring one program at one level gave (plain data: it crosses from a worker). */
export interface ProgramResult extends Omit<Counts, 'preemptions'> {
  finalStates: string[];
  found: { case: Case; preemptions: number; steps: number; id: string } | null;
}

/** Unit `index` (program index / configurations, on configuration index % configurations) at one level: this thread's work, or a worker's. */
export function exploreUnit(o: Pick<ProveOptions, 'configs' | 'bound' | 'dpor' | 'cache'>, level: number, index: number): ProgramResult {
  const program = programsOfBound(o.bound)[Math.floor(index / o.configs.length)]!;
  const config = o.configs[index % o.configs.length]!;
  const e = explore({ config, program, schedule: { kind: 'choices', picks: [] } }, { preemptions: level, dpor: o.dpor, cache: o.cache });
  const found = e.found === null ? null : { case: e.found.case, preemptions: e.found.preemptions, steps: e.found.steps, id: e.found.outcome.violation!.id };
  return { executions: e.executions, asleep: e.asleep, boundCut: e.boundCut, cacheHits: e.cacheHits, finalStates: [...e.finalStates], found };
}

/** The fewest units a bound needs to be explored by worker threads. */
const POOL_UNITS = 100;

// The programs of the last bound asked for (a worker is asked for one program at a time).
let memo: { key: string; programs: Program[] } | null = null;
function programsOfBound(bound: Bound): Program[] {
  const key = JSON.stringify(bound);
  if (memo?.key !== key) memo = { key, programs: programsOf(bound) };
  return memo.programs;
}

export async function prove(o: ProveOptions): Promise<ProveResult> {
  const programs = programsOfBound(o.bound).length;
  const units = programs * o.configs.length;
  const finalStates = new Set<string>();
  const result: ProveResult = {
    ok: true, complete: true, programs, levels: [], executions: 0, asleep: 0, boundCut: 0, cacheHits: 0, finalStates: 0, finalStateHash: '', found: null,
  };
  // starting workers costs about what a hundred small units do: a small bound runs here
  const pool = (o.jobs ?? 1) > 1 && units >= POOL_UNITS ? new Pool(o) : null;
  try {
    const levels = Number.isFinite(o.preemptions) ? Array.from({ length: o.preemptions + 1 }, (_, p) => p) : [Infinity];
    for (const level of levels) {
      const counts: Counts = { preemptions: Number.isFinite(level) ? level : null, executions: 0, asleep: 0, boundCut: 0, cacheHits: 0 };
      result.levels.push(counts);
      const onResult = (i: number, r: ProgramResult): void => {
        counts.executions += r.executions;
        counts.asleep += r.asleep;
        counts.boundCut += r.boundCut;
        counts.cacheHits += r.cacheHits;
        for (const s of r.finalStates) finalStates.add(s);
        o.onProgress?.({ level, done: i + 1, units, executions: result.executions + counts.executions });
        if (r.found !== null) {
          const program = Math.floor(i / o.configs.length);
          result.found = { program, config: i % o.configs.length, preemptions: r.found.preemptions, steps: r.found.steps, report: reportOf(r.found) };
        }
      };
      if (pool === null) {
        for (let i = 0; i < units && result.found === null; i++) {
          if (o.stop?.() === true) {
            result.complete = false;
            break;
          }
          onResult(i, exploreUnit(o, level, i));
        }
      } else {
        result.complete = await pool.level(level, units, onResult, o.stop);
      }
      result.executions += counts.executions;
      result.asleep += counts.asleep;
      result.boundCut += counts.boundCut;
      result.cacheHits += counts.cacheHits;
      if (result.found !== null || !result.complete) break;
    }
  } finally {
    await pool?.close();
  }
  result.ok = result.found === null;
  result.finalStates = finalStates.size;
  result.finalStateHash = createHash('sha1').update([...finalStates].sort().join()).digest('hex');
  return result;
}

// The counterexample run again from its case alone, with a trace: what `replay TOKEN` shows.
function reportOf(f: NonNullable<ProgramResult['found']>): Report {
  const o = execute(f.case, { trace: true });
  if (o.violation?.id !== f.id) throw new Error(`prove: the counterexample did not replay from its case (${f.id} found, ${o.violation?.id ?? 'none'} on replay)`);
  return makeReport(f.case, o);
}

/**
 * Worker threads that explore programs: each takes the next program number of the level
 * (none past a program that found a violation); the results are handed on in program
 * order, up to and including the first that found one.
 */
class Pool {
  private readonly workers: Worker[];

  constructor(o: ProveOptions) {
    const execArgv = workerExecArgv();
    const data = { configs: o.configs, bound: o.bound, dpor: o.dpor, cache: o.cache };
    this.workers = Array.from({ length: o.jobs! }, () => new Worker(new URL('./prove-worker.js', import.meta.url), { workerData: data, ...(execArgv === undefined ? {} : { execArgv }) }));
  }

  /** The level's programs, handed to `onResult` in order; false when `stop` ended it early. */
  level(level: number, programs: number, onResult: (i: number, r: ProgramResult) => void, stop?: () => boolean): Promise<boolean> {
    const results: (ProgramResult | undefined)[] = [];
    let next = 0;
    let handed = 0;
    let stopAt = programs; // programs past the first violation are not explored
    let busy = 0;
    let stopped = false;
    return new Promise((resolve, reject) => {
      const give = (w: Worker): void => {
        if (next < stopAt && stop?.() === true) {
          stopped = true;
          stopAt = next;
        }
        if (next >= stopAt) return;
        busy++;
        w.postMessage({ level, index: next++ });
      };
      for (const w of this.workers) {
        w.removeAllListeners('message').removeAllListeners('error');
        w.on('error', reject);
        w.on('message', (m: { index: number; result: ProgramResult; configError?: { key: string; detail: string } }) => {
          busy--;
          if (m.configError !== undefined) {
            reject(new ConfigError(m.configError.key, m.configError.detail));
            return;
          }
          results[m.index] = m.result;
          if (m.result.found !== null) stopAt = Math.min(stopAt, m.index + 1);
          try {
            for (; handed < stopAt && results[handed] !== undefined; handed++) onResult(handed, results[handed]!);
          } catch (err) {
            reject(err);
            return;
          }
          give(w);
          if (busy === 0 && handed >= stopAt) resolve(!stopped);
        });
      }
      for (const w of this.workers) give(w);
      if (busy === 0) resolve(!stopped);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
