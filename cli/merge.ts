// `slabcheck merge FILE...`: the whole run's result from the JSON results of its shards
// (`check --shard K/N --json`, one file each; properties/merge.ts says how). Prints what
// `check --json` prints for the whole run; exit 0 when it passed, 1 on a violation or
// a transition never taken (check's default --min-coverage).
import { readFileSync } from 'node:fs';
import { mergeShards, MergeError } from '../properties/merge.js';
import { quote } from '../impl/quote.js';
import { parse, UsageError } from './usage.js';

export const MERGE_USAGE = 'slabcheck merge FILE... (each the output of check --shard K/N --json)';

export function mergeCommand(argv: string[], out: (line: string) => void): number {
  const { positionals } = parse(argv, {}, 1e6);
  if (positionals.length === 0) throw new UsageError('merge needs the JSON results of every shard, one file each');
  const results = positionals.map((file): unknown => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new UsageError(`cannot read ${quote(file)}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    try {
      return JSON.parse(text);
    } catch {
      throw new UsageError(`${quote(file)} is not JSON (the output of check --shard K/N --json)`);
    }
  });
  let merged;
  try {
    merged = mergeShards(results);
  } catch (e) {
    if (e instanceof MergeError) throw new UsageError(e.shard === undefined ? e.message : `${quote(positionals[e.shard]!)}: ${e.message}`);
    throw e;
  }
  out(JSON.stringify(merged));
  return merged.ok && merged.coverageOk ? 0 : 1;
}
