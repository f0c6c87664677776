// `trace record`: runs a program under the recorder shim (trace/shim/slabtrace.c, an
// LD_PRELOAD library built with the machine's C compiler on first use and cached by
// the hash of its source) and gzips the trace when the output name ends in .gz.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

export class RecordError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RecordError';
  }
}

/** A C source of the recorder (trace/shim/NAME, which the build copies beside this module). */
export function shimSource(name: string): string {
  return fileURLToPath(new URL(`./shim/${name}`, import.meta.url));
}

/**
 * Builds `source` with `cc` (then gcc, clang) into a cache directory keyed by its
 * content, once; returns the built file. `shared`: a -shared -fPIC library.
 */
export function buildC(source: string, shared: boolean): string {
  const text = readFileSync(source);
  const hash = createHash('sha256').update(text).update(String(shared)).digest('hex').slice(0, 16);
  const dir = join(tmpdir(), `slabcheck-c-${hash}`);
  const out = join(dir, basename(source, '.c') + (shared ? '.so' : ''));
  if (existsSync(out)) return out;
  mkdirSync(dir, { recursive: true });
  const partial = `${out}.${process.pid}`;
  const flags = shared ? ['-O2', '-shared', '-fPIC', '-pthread'] : ['-O2', '-pthread'];
  const errors: string[] = [];
  for (const cc of ['cc', 'gcc', 'clang']) {
    const r = spawnSync(cc, [...flags, '-o', partial, source], { encoding: 'utf8' });
    if (r.status === 0) {
      renameSync(partial, out); // atomic: a concurrent builder finds a whole file or none
      return out;
    }
    errors.push(`${cc}: ${r.error !== undefined ? r.error.message : r.stderr.trim().split('\n').slice(0, 3).join(' / ')}`);
  }
  throw new RecordError(`cannot build ${basename(source)} (needs a C compiler: cc, gcc or clang): ${errors.join('; ')}`);
}

export interface Recording {
  file: string;
  /** The program's exit status (128 + signal when killed). */
  status: number;
  events: number;
  /** Traces written by other processes that loaded the shim (exec'd children): OUT.<pid>. */
  others: string[];
}

export function record(out: string, command: string[], max: number | null): Recording {
  const lib = buildC(shimSource('slabtrace.c'), true);
  const gz = out.endsWith('.gz');
  const file = resolve(gz ? out.slice(0, -3) : out);
  const dir = dirname(file);
  const stem = basename(file);
  const stale = (name: string): boolean => name === stem || name === `${stem}.gz` || isOther(stem, name);
  for (const name of readdirSync(dir).filter(stale)) rmSync(join(dir, name), { force: true });
  const preload = [lib, process.env['LD_PRELOAD']].filter((x) => x !== undefined && x !== '').join(':');
  const r = spawnSync(command[0]!, command.slice(1), {
    stdio: 'inherit',
    env: { ...process.env, LD_PRELOAD: preload, SLABTRACE_OUT: file, SLABTRACE_PARENT: String(process.pid), ...(max === null ? {} : { SLABTRACE_MAX: String(max) }) },
  });
  if (r.error !== undefined) throw new RecordError(`cannot run '${command[0]}': ${(r.error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such program' : r.error.message}`);
  const status = r.status ?? 128 + (r.signal === null ? 0 : constants.signals[r.signal]);
  if (!existsSync(file)) writeFileSync(file, ''); // a program that never allocated
  const text = readFileSync(file);
  let events = 0;
  for (let i = text.indexOf(10); i >= 0; i = text.indexOf(10, i + 1)) events++;
  if (gz) {
    writeFileSync(`${file}.gz`, gzipSync(text, { level: 9 }));
    rmSync(file);
  }
  const others = readdirSync(dir).filter((n) => isOther(stem, n)).sort().map((n) => join(dir, n));
  return { file: gz ? `${file}.gz` : file, status, events, others };
}

// OUT.<pid>: another process's trace
const isOther = (stem: string, name: string): boolean => name.startsWith(`${stem}.`) && /^\d+$/.test(name.slice(stem.length + 1));
