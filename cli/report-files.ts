// Where a violation's report goes: DIR/<invariant>-<hash of the token>.{md,json}, so
// the same counterexample always lands in the same files.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { markdown, type Report } from '../properties/report.js';

export function writeReport(dir: string, r: Report): string {
  mkdirSync(dir, { recursive: true });
  const base = join(dir, `${r.violation.id}-${createHash('sha256').update(r.token).digest('hex').slice(0, 8)}`);
  writeFileSync(`${base}.md`, markdown(r));
  writeFileSync(`${base}.json`, `${JSON.stringify(r, null, 2)}\n`);
  return base;
}
