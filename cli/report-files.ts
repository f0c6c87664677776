// Where a violation's report goes: DIR/<invariant>-<hash of the token>.{md,json,html}, so
// the same counterexample always lands in the same files.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { markdown, type Report } from '../properties/report.js';
import { viewPage } from '../viewer/page.js';

/** DIR/<id>-<first 8 hex of sha256(token)>, the name every file of one case shares. */
export function reportBase(dir: string, id: string, token: string): string {
  return join(dir, `${id}-${createHash('sha256').update(token).digest('hex').slice(0, 8)}`);
}

export function writeReport(dir: string, r: Report): string {
  mkdirSync(dir, { recursive: true });
  const base = reportBase(dir, r.violation.id, r.token);
  writeFileSync(`${base}.md`, markdown(r));
  writeFileSync(`${base}.json`, `${JSON.stringify(r, null, 2)}\n`);
  writeFileSync(`${base}.html`, viewPage(r.case));
  return base;
}

/** Writes `text` to `file`, making its folder. */
export function writeFile(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}
