// The corpus: counterexamples kept as regression cases, one file each — a one-line note
// (`# …`) and the token — that `npm test` replays. Every case must pass on the allocator
// as designed (its variants removed); a case found with seed-bug variants must still fail
// with them (the checker still sees that bug). `slabcheck check --save` adds a failing case.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { variantsOf, type Case } from './program.js';
import type { Report } from './report.js';
import { caseName, decodeToken } from './token.js';

const CORPUS_DIR = 'corpus';

export interface CorpusEntry {
  file: string;
  note: string;
  token: string;
  case: Case;
}

export class CorpusError extends Error {
  constructor(file: string, problem: string) {
    super(`corpus file ${file}: ${problem}`);
    this.name = 'CorpusError';
  }
}

/** A corpus file's text: the note on one line, then the token. */
export function corpusText(note: string, token: string): string {
  return `# ${note.replace(/\s+/g, ' ').trim()}\n${token}\n`;
}

export function parseCorpusFile(file: string, text: string): CorpusEntry {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const notes = lines.filter((l) => l.startsWith('#'));
  const tokens = lines.filter((l) => !l.startsWith('#'));
  if (notes.length !== 1 || tokens.length !== 1) throw new CorpusError(file, `expected one '# note' line and one token line, got ${notes.length} and ${tokens.length}`);
  try {
    return { file, note: notes[0]!.slice(1).trim(), token: tokens[0]!, case: decodeToken(tokens[0]!) };
  } catch (e) {
    throw new CorpusError(file, (e as Error).message);
  }
}

/** Every `*.txt` of the corpus folder, by name. */
export function readCorpus(dir: string = CORPUS_DIR): CorpusEntry[] {
  return readdirSync(dir).filter((f) => f.endsWith('.txt')).sort().map((f) => parseCorpusFile(f, readFileSync(join(dir, f), 'utf8')));
}

/** The case on the allocator as designed: the same program and schedule, no variant. */
export function withoutVariants(c: Case): Case {
  const { variants: _, ...config } = c.config;
  return { ...c, config };
}

/** Adds a report's case to the corpus as DIR/<variants or default>-<invariant>-<hash>.txt; returns the path. */
export function saveToCorpus(r: Report, dir: string = CORPUS_DIR): string {
  mkdirSync(dir, { recursive: true });
  const variants = variantsOf(r.case);
  const file = join(dir, `${variants.length === 0 ? 'default' : variants.join('+')}-${caseName(r.violation.id, r.token)}.txt`);
  const found = variants.length === 0 ? 'the allocator as designed' : `variant ${variants.join(' + ')}`;
  writeFileSync(file, corpusText(`${r.violation.id} on ${found}: ${r.violation.what}`, r.token));
  return file;
}
