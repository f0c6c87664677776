// Where a violation's report goes: DIR/<invariant>-<hash of the token>.{md,json,html}, so
// the same counterexample always lands in the same files. The directory is checked
// before the run (a bad --report is exit 2 before any work) and created one level at a
// time when a report is written (a recursive mkdir never returns on procfs).
import { accessSync, constants, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { quote } from '../impl/quote.js';
import { markdown, type Report } from '../properties/report.js';
import { caseName } from '../properties/token.js';
import { viewPage } from '../viewer/page.js';
import { UsageError } from './usage.js';

/** DIR/<id>-<first 8 hex of sha256(token)>, the name every file of one case shares. */
export function reportBase(dir: string, id: string, token: string): string {
  return join(dir, caseName(id, token));
}

/** The directories to create under the nearest existing one, which must be a writable directory. */
function missingDirs(dir: string, option: string): string[] {
  if (dir.trim() === '') throw new UsageError(`${option} needs a directory name`);
  const missing: string[] = [];
  for (let at = resolve(dir); ; at = dirname(at)) {
    let isDir: boolean;
    try {
      isDir = statSync(at).isDirectory();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || dirname(at) === at) throw bad(dir, option, err);
      missing.unshift(at);
      continue;
    }
    if (!isDir) throw new UsageError(`${option} ${quote(dir)}: ${quote(at)} is not a directory`);
    try {
      accessSync(at, constants.W_OK);
    } catch (err) {
      throw bad(dir, option, err);
    }
    return missing;
  }
}

const bad = (dir: string, option: string, err: unknown): UsageError =>
  new UsageError(`${option} ${quote(dir)}: cannot write there (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);

/** Fails (exit 2) unless reports could be written under `dir`. */
export function checkReportDir(dir: string): void {
  missingDirs(dir, '--report');
}

/** Writes each file into `dir` (made first); a failure is a usage error naming `option`. */
function writeInto(dir: string, option: string, files: [path: string, text: string][]): void {
  try {
    for (const d of missingDirs(dir, option)) mkdirSync(d);
    for (const [path, text] of files) writeFileSync(path, text);
  } catch (err) {
    throw err instanceof UsageError ? err : bad(dir, option, err);
  }
}

export function writeReport(dir: string, r: Report): string {
  const base = reportBase(dir, r.violation.id, r.token);
  writeInto(dir, '--report', [[`${base}.md`, markdown(r)], [`${base}.json`, `${JSON.stringify(r, null, 2)}\n`], [`${base}.html`, viewPage(r.case)]]);
  return base;
}

/** Writes `text` to `file`, making its folder; a failure is a usage error naming `option`. */
export function writeFile(file: string, text: string, option: string): void {
  writeInto(dirname(file), option, [[file, text]]);
}
