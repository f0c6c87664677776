// `slabcheck prove`: no violation within a bound, or the smallest counterexample in it.
// Preemption levels one after the other as in CHESS: level 0, then 1, … — so the first
// violation found has the fewest preemptions. Level 0 is one search over the orders of
// whole operations of every program of the bound at once (serial.ts); each higher level
// explores every program of the bound (programs.ts), each with every interleaving up to
// the level (explore.ts). Of a level's violations: the smallest program (they come
// smallest first; at level 0 the fewest operations), on the first of the configurations
// where it fails, its run with the fewest steps. It is reported as `check` reports (same
// report, a token `replay` runs: a `choices` schedule).
//
// A unit of work is one configuration's serial search (level 0), or one program on one
// configuration, numbered program-major. Units are explored by this thread or by `jobs`
// worker threads (prove-worker.ts); their results are added up in unit order, up to the
// first that found a violation, so the result is the same whatever the number of jobs.
import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { ConfigError, type ConfigInput } from '../../impl/config.js';
import type { Case, Program } from '../program.js';
import { execute } from '../execute.js';
import { makeReport, type Report } from '../report.js';
import { workerExecArgv } from '../search.js';
import { explore } from './explore.js';
import { programsEstimate, programsOf, type Bound } from './programs.js';
import { runSequences, SerialSearch, serialSearch, type Sequence, type SequenceResult, type SerialResult } from './serial.js';

export interface ProveOptions {
  bound: Bound;
  /** The most preemptions (Infinity: unbounded, one level). */
  preemptions: number;
  /** The configurations every program runs on (knobs and variants). */
  configs: ConfigInput[];
  dpor: boolean;
  /** The state cache between operations (explore.ts). */
  cache: boolean;
  /** Level 0 by the serial search (default; false: program by program, as the other levels, for comparison). */
  serial?: boolean;
  /** Threads that explore programs (default 1: this one; more: worker threads). */
  jobs?: number;
  /** After each unit explored. */
  onProgress?: (p: ProveProgress) => void;
  /** When to give up (ms since the epoch): the rest of the bound is left unexplored (the result says incomplete). */
  deadline?: number;
}

export interface ProveProgress {
  level: number;
  /** The level is the serial search's: a unit is a configuration. */
  serial: boolean;
  /** Units (a program on a configuration) of the level done, of `units`. */
  done: number;
  units: number;
  executions: number;
}

export interface ProveResult {
  ok: boolean;
  /** Every program of the bound was explored at every level (false: the deadline cut it short, and ok says nothing). */
  complete: boolean;
  /** The programs of the bound, when a level explored them one by one (null: only the serial search ran). */
  programs: number | null;
  /** Per preemption level run: its bound and executions run to their end (a level re-runs the lower ones' schedules). */
  levels: Counts[];
  executions: number;
  asleep: number;
  boundCut: number;
  cacheHits: number;
  /** Distinct states (heap and abstract heap) after the programs' last steps, over all programs, and a digest of their set. */
  finalStates: number;
  finalStateHash: string;
  /** The counterexample: its program's number (from 0, smallest first; null: found by the serial search), its configuration's, preemptions and steps, and its report. */
  found: { program: number | null; config: number; preemptions: number; steps: number; report: Report } | null;
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
  /** False when a deadline cut a serial search short. */
  complete: boolean;
  /** `config`: the configuration's number, when the unit covered several (the serial search). */
  found: { case: Case; preemptions: number; steps: number; id: string; config?: number } | null;
}

type UnitOptions = Pick<ProveOptions, 'configs' | 'bound' | 'dpor' | 'cache' | 'serial'>;

/** Level 0 is the serial search's. */
const serialAt = (o: UnitOptions, level: number): boolean => level === 0 && o.serial !== false;

/**
 * Unit `index` at one level: this thread's work, or a worker's. The serial search of
 * configuration `index`; else program index / configurations on configuration index %
 * configurations. `deadline` (ms since the epoch) cuts a serial search short.
 */
export function exploreUnit(o: UnitOptions, level: number, index: number, deadline = Infinity): ProgramResult {
  if (serialAt(o, level)) return serialUnit(serialSearch(o.configs, o.bound, deadline));
  const program = programsOfBound(o.bound)[Math.floor(index / o.configs.length)]!;
  const config = o.configs[index % o.configs.length]!;
  const e = explore({ config, program, schedule: { kind: 'choices', picks: [] } }, { preemptions: level, dpor: o.dpor, cache: o.cache });
  const found = e.found === null ? null : { case: e.found.case, preemptions: e.found.preemptions, steps: e.found.steps, id: e.found.outcome.violation!.id };
  return { executions: e.executions, asleep: e.asleep, boundCut: e.boundCut, cacheHits: e.cacheHits, finalStates: [...e.finalStates], complete: true, found };
}

/** A serial search's result as a unit's. */
function serialUnit(r: SerialResult): ProgramResult {
  const found = r.found === null ? null : { ...r.found, preemptions: 0 };
  return { executions: r.executions, asleep: 0, boundCut: 0, cacheHits: r.cacheHits, finalStates: [...r.finalStates], complete: r.complete, found };
}

/** The sequences of a worker's chunk of a serial search, run (with the end states that passed their epilogue in this worker). */
const passed = new Set<string>();
export function sequencesUnit(o: UnitOptions, depth: number, sequences: readonly Sequence[]): SequenceResult[] {
  return runSequences(o.configs, o.bound, sequences, depth, passed);
}

/** The fewest units a bound needs to be explored by worker threads; the fewest programs (about) for one serial search. */
const POOL_UNITS = 100;
const POOL_PROGRAMS = 10_000;

// The programs of the last bound asked for (a worker is asked for one program at a time).
let memo: { key: string; programs: Program[] } | null = null;
function programsOfBound(bound: Bound): Program[] {
  const key = JSON.stringify(bound);
  if (memo?.key !== key) memo = { key, programs: programsOf(bound) };
  return memo.programs;
}

export async function prove(o: ProveOptions): Promise<ProveResult> {
  const levels = Number.isFinite(o.preemptions) ? Array.from({ length: o.preemptions + 1 }, (_, p) => p) : [Infinity];
  const programs = levels.some((level) => !serialAt(o, level)) ? programsOfBound(o.bound).length : null;
  const unitsAt = (level: number): number => (serialAt(o, level) ? 1 : programs! * o.configs.length);
  const finalStates = new Set<string>();
  const result: ProveResult = {
    ok: true, complete: true, programs, levels: [], executions: 0, asleep: 0, boundCut: 0, cacheHits: 0, finalStates: 0, finalStateHash: '', found: null,
  };
  const deadline = o.deadline ?? Infinity;
  // starting workers costs about what a hundred small units do: a small bound runs here; the
  // serial search of a large bound on one configuration shares its sequences among the workers
  const pooled = (level: number): boolean => (o.jobs ?? 1) > 1
    && (serialAt(o, level) ? programsEstimate(o.bound) * o.configs.length >= POOL_PROGRAMS : unitsAt(level) >= POOL_UNITS);
  const pool = levels.some(pooled) ? new Pool(o) : null;
  try {
    for (const level of levels) {
      const units = unitsAt(level);
      const counts: Counts = { preemptions: Number.isFinite(level) ? level : null, executions: 0, asleep: 0, boundCut: 0, cacheHits: 0 };
      result.levels.push(counts);
      const onResult = (i: number, r: ProgramResult): void => {
        counts.executions += r.executions;
        counts.asleep += r.asleep;
        counts.boundCut += r.boundCut;
        counts.cacheHits += r.cacheHits;
        for (const s of r.finalStates) finalStates.add(s);
        if (!r.complete) result.complete = false;
        o.onProgress?.({ level, serial: serialAt(o, level), done: i + 1, units, executions: result.executions + counts.executions });
        if (r.found !== null) {
          const program = serialAt(o, level) ? null : Math.floor(i / o.configs.length);
          result.found = { program, config: r.found.config ?? i % o.configs.length, preemptions: r.found.preemptions, steps: r.found.steps, report: reportOf(r.found) };
        }
      };
      if (pool === null || !pooled(level)) {
        for (let i = 0; i < units && result.found === null && result.complete; i++) {
          if (Date.now() > deadline) result.complete = false;
          else onResult(i, exploreUnit(o, level, i, deadline));
        }
      } else if (serialAt(o, level)) {
        const r = await pool.serial(new SerialSearch(o.configs, o.bound), deadline);
        onResult(0, serialUnit(r));
      } else if (!(await pool.level(level, units, deadline, onResult))) {
        result.complete = false;
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
    const data: UnitOptions = { configs: o.configs, bound: o.bound, dpor: o.dpor, cache: o.cache, serial: o.serial };
    this.workers = Array.from({ length: o.jobs! }, () => new Worker(new URL('./prove-worker.js', import.meta.url), { workerData: data, ...(execArgv === undefined ? {} : { execArgv }) }));
  }

  /** The level's units, handed to `onResult` in order; false when the deadline ended it early. */
  level(level: number, programs: number, deadline: number, onResult: (i: number, r: ProgramResult) => void): Promise<boolean> {
    const results: (ProgramResult | undefined)[] = [];
    let next = 0;
    let handed = 0;
    let stopAt = programs; // programs past the first violation are not explored
    let busy = 0;
    let stopped = false;
    return new Promise((resolve, reject) => {
      const give = (w: Worker): void => {
        if (next < stopAt && Date.now() > deadline) {
          stopped = true;
          stopAt = next;
        }
        if (next >= stopAt) return;
        busy++;
        w.postMessage({ kind: 'unit', level, index: next++, deadline });
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

  /** The serial search, its chunks run side by side by the workers and taken in order. */
  serial(search: SerialSearch, deadline: number): Promise<SerialResult> {
    const results = new Map<number, SequenceResult[]>();
    let given = 0;
    let taken = 0;
    const idle = new Set(this.workers);
    return new Promise((resolve, reject) => {
      const give = (): void => {
        for (const w of idle) {
          if (Date.now() > deadline) {
            search.out.complete = false;
            break;
          }
          const batch = search.next();
          if (batch === null) break;
          idle.delete(w);
          w.postMessage({ kind: 'sequences', id: given++, depth: batch.depth, sequences: batch.sequences });
        }
        if (idle.size === this.workers.length) resolve(search.out);
      };
      for (const w of this.workers) {
        w.removeAllListeners('message').removeAllListeners('error');
        w.on('error', reject);
        w.on('message', (m: { id: number; results: SequenceResult[]; configError?: { key: string; detail: string } }) => {
          if (m.configError !== undefined) {
            reject(new ConfigError(m.configError.key, m.configError.detail));
            return;
          }
          idle.add(w);
          results.set(m.id, m.results);
          for (; results.has(taken); taken++) {
            search.take(results.get(taken)!);
            results.delete(taken);
          }
          give();
        });
      }
      give();
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
