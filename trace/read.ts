// Reading a trace file line by line, plain or gzip (by its magic bytes, whatever the
// name): streamed in chunks, so memory stays flat however long the trace. Blank lines
// and lines starting with '#' are skipped (they still count for line numbers).
import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { TraceError } from './format.js';

const MAX_LINE = 4096;

export class TraceFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TraceFileError';
  }
}

function isGzip(file: string): boolean {
  const magic = Buffer.alloc(2);
  let n: number;
  try {
    const fd = openSync(file, 'r');
    try {
      n = readSync(fd, magic, 0, 2, 0);
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    throw new TraceFileError(`${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  return n === 2 && magic[0] === 0x1f && magic[1] === 0x8b;
}

/** Calls `each(text, lineNumber)` for every event line of `file`, in order. */
export async function forEachLine(file: string, each: (text: string, line: number) => void): Promise<number> {
  const gz = isGzip(file);
  const raw = createReadStream(file);
  const stream = gz ? raw.pipe(createGunzip()) : raw;
  if (gz) raw.on('error', (err) => stream.destroy(err));
  let rest = '';
  let line = 0;
  const emit = (text: string): void => {
    line++;
    if (text.length > MAX_LINE) throw new TraceError(line, `line longer than ${MAX_LINE} characters (not a trace?)`);
    if (text.length > 0 && text[0] !== '#') each(text, line);
  };
  try {
    for await (const chunk of stream) {
      const text = rest + (chunk as Buffer).toString('latin1');
      let start = 0;
      for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
        emit(text.slice(start, nl));
        start = nl + 1;
      }
      rest = text.slice(start);
      if (rest.length > MAX_LINE) throw new TraceError(line + 1, `line longer than ${MAX_LINE} characters (not a trace?)`);
    }
  } catch (err) {
    raw.destroy();
    if (err instanceof TraceError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (gz && (code === 'Z_BUF_ERROR' || code === 'Z_DATA_ERROR')) {
      throw new TraceFileError(`${file}: ${code === 'Z_BUF_ERROR' ? 'truncated' : 'corrupt'} gzip data after line ${line}`);
    }
    throw new TraceFileError(`${file}: ${(err as Error).message}`);
  }
  if (rest.length > 0) emit(rest);
  return line;
}
