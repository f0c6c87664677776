// Merging the results of a sharded run (`slabcheck check --shard K/N --json` on N
// machines, then `slabcheck merge`): the whole run's result is the one a single machine
// would have printed. The first failing case of the run is the smallest firstFailure of
// any shard (each shard checks a contiguous part of the same numbered cases, and the one
// holding the run's first failure finds it first and shrinks it as a serial run does);
// runs and covered edges count the cases up to it, as a serial run counts them.
import type { Report } from './report.js';

/** What `check --json` prints for a whole run. */
export interface MergedResult {
  ok: boolean;
  seed: number;
  runs: number;
  shrinks: number;
  covered: number;
  transitions: number;
  /** Every lifecycle transition taken (check's default --min-coverage 100). */
  coverageOk: boolean;
  report: Report | null;
}

/** What `check --shard K/N --json` prints: the shard's summary and what the merge needs. */
export interface ShardResult extends MergedResult {
  shard: { index: number; count: number; first: number; end: number };
  firstFailure: number | null;
  coveredEdges: string[];
}

export class MergeError extends Error {
  /** `shard`: the position, in the list given, of the shard result at fault (absent: the list as a whole). */
  constructor(message: string, readonly shard?: number) {
    super(message);
    this.name = 'MergeError';
  }
}

/**
 * `json`, the `at`-th result given, as a shard's result, checked field by field (a file
 * edited by hand or cut short must not merge into a wrong verdict); a MergeError naming the
 * first field that is wrong.
 */
function shardResult(json: unknown, at: number): ShardResult {
  const fail = (what: string): never => {
    throw new MergeError(`not the output of check --shard K/N --json: ${what}`, at);
  };
  const whole = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return fail('not a JSON object');
  const r = json as Record<string, unknown>;
  const shard = r['shard'] as Record<string, unknown> | null | undefined;
  if (typeof shard !== 'object' || shard === null) return fail('no "shard" field');
  const { index, count, first, end } = shard;
  if (!whole(index) || !whole(count) || !whole(first) || !whole(end) || index < 1 || index > count || first > end) {
    return fail(`"shard" is not {index, count, first, end} with 1 <= index <= count and first <= end: ${JSON.stringify(shard)}`);
  }
  if (typeof r['ok'] !== 'boolean') fail('"ok" is not true or false');
  if (!Number.isSafeInteger(r['seed'])) fail('"seed" is not a whole number');
  for (const k of ['runs', 'shrinks', 'covered', 'transitions'] as const) if (!whole(r[k])) fail(`"${k}" is not a whole number`);
  if (!Array.isArray(r['coveredEdges']) || !r['coveredEdges'].every((e) => typeof e === 'string')) fail('"coveredEdges" is not a list of edge names');
  const f = r['firstFailure'];
  if (f !== null && !(whole(f) && f >= first && f < end)) fail(`"firstFailure" is neither null nor a case number of the shard (${first} to ${end - 1})`);
  if ((f === null) !== (r['report'] === null) || (r['report'] !== null && typeof r['report'] !== 'object')) fail('"report" does not go with "firstFailure" (a report for a failure, null without one)');
  return json as ShardResult;
}

/** The whole run's result from every shard's (in any order); a MergeError when they are not one run's shards. */
export function mergeShards(results: readonly unknown[]): MergedResult {
  if (results.length === 0) throw new MergeError('no shard results to merge');
  const sorted = results.map(shardResult).sort((a, b) => a.shard.index - b.shard.index);
  const { count } = sorted[0]!.shard;
  sorted.forEach((s, i) => {
    if (sorted.length !== count || s.shard.count !== count || s.shard.index !== i + 1) throw new MergeError(`expected shards 1..${count} of one run once each, got ${sorted.map((x) => `${x.shard.index}/${x.shard.count}`).join(', ')}`);
    if (s.seed !== sorted[0]!.seed || s.transitions !== sorted[0]!.transitions) throw new MergeError('the shards ran with different seeds or checkers');
    if (i > 0 && s.shard.first !== sorted[i - 1]!.shard.end) throw new MergeError('the shards ran different numbers of runs');
  });
  const failing = sorted.filter((s) => s.firstFailure !== null);
  const winner = failing.length === 0 ? null : failing.reduce((a, b) => (b.firstFailure! < a.firstFailure! ? b : a));
  const counted = winner === null ? sorted : sorted.filter((s) => s.shard.index <= winner.shard.index);
  const covered = new Set(counted.flatMap((s) => s.coveredEdges));
  return {
    ok: winner === null,
    seed: sorted[0]!.seed,
    runs: winner === null ? sorted[sorted.length - 1]!.shard.end : winner.firstFailure! + 1,
    shrinks: winner?.shrinks ?? 0,
    covered: covered.size,
    transitions: sorted[0]!.transitions,
    coverageOk: covered.size >= sorted[0]!.transitions,
    report: winner?.report ?? null,
  };
}
