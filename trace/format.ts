// The malloc trace format: one text line per event, in one global order (what the
// recorder writes, what replay reads and shrink writes back):
//   <tid> m <size> <ptr>              malloc
//   <tid> c <nmemb> <size> <ptr>      calloc
//   <tid> r <oldptr> <size> <newptr>  realloc (oldptr 0 = malloc; size 0 with newptr 0 frees)
//   <tid> a <align> <size> <ptr>      posix_memalign / aligned_alloc / memalign / valloc
//   <tid> f <ptr>                     free (free(NULL) is not logged)
// tid: dense thread index, decimal; sizes decimal; pointers lowercase hex without 0x,
// 0 = a failed allocation. Pointers are kept as numbers: at most 13 hex digits (52 bits,
// exact in a double; user-space addresses are 47 or 56 bits wide).

export type OpCode = 'm' | 'c' | 'r' | 'a' | 'f';

export interface TraceEvent {
  tid: number;
  op: OpCode;
  /** Bytes asked for (calloc: nmemb × size); 0 for a free. */
  size: number;
  /** The pointer returned (m, c, a, r) or freed (f). */
  ptr: number;
  /** realloc's old pointer (0: a malloc); calloc's nmemb; memalign's alignment; else 0. */
  arg: number;
}

/** A size no successful allocation can have (1 TiB); bigger ones are errors unless the call failed. */
export const MAX_SIZE = 2 ** 40;
export const MAX_TID = 1 << 20;

/** A bad line: the message names the line (or the file position) and what is wrong. */
export class TraceError extends Error {
  constructor(readonly line: number, readonly problem: string) {
    super(`line ${line}: ${problem}`);
    this.name = 'TraceError';
  }
}

const FIELDS: Record<OpCode, number> = { m: 4, c: 5, r: 5, a: 5, f: 3 };
const DEC = /^\d{1,20}$/;
const HEX = /^[0-9a-f]{1,13}$/;

/** `text` quoted for a message, cut to 24 characters. */
const quote = (text: string): string => `'${text.length > 24 ? `${text.slice(0, 24)}...` : text}'`;

function dec(text: string, what: string, line: number): number {
  if (!DEC.test(text)) throw new TraceError(line, `${what} ${quote(text)} is not a decimal number`);
  return Number(text);
}

function hex(text: string, what: string, line: number): number {
  if (!HEX.test(text)) {
    throw new TraceError(line, /^[0-9a-f]+$/.test(text)
      ? `${what} ${quote(text)} is wider than 52 bits`
      : `${what} ${quote(text)} is not a lowercase hex pointer (no 0x)`);
  }
  return parseInt(text, 16);
}

/** One line parsed; a TraceError names what is wrong with it. */
export function parseLine(text: string, line: number): TraceEvent {
  const f = text.trim().split(/\s+/);
  const op = f[1] as OpCode;
  if (f.length < 2 || !Object.hasOwn(FIELDS, op)) {
    throw new TraceError(line, f.length < 2 ? `expected '<tid> <op> ...', got ${quote(text)}` : `unknown op ${quote(f[1]!)} (expected m, c, r, a or f)`);
  }
  if (f.length !== FIELDS[op]) throw new TraceError(line, `op '${op}' takes ${FIELDS[op] - 2} fields, got ${f.length - 2}`);
  const tid = dec(f[0]!, 'thread id', line);
  if (tid >= MAX_TID) throw new TraceError(line, `thread id ${tid} is not a dense index (>= ${MAX_TID})`);
  let ev: TraceEvent;
  switch (op) {
    case 'm': ev = { tid, op, size: dec(f[2]!, 'size', line), ptr: hex(f[3]!, 'pointer', line), arg: 0 }; break;
    case 'c': {
      const nmemb = dec(f[2]!, 'nmemb', line);
      ev = { tid, op, size: nmemb * dec(f[3]!, 'size', line), ptr: hex(f[4]!, 'pointer', line), arg: nmemb };
      break;
    }
    case 'r': ev = { tid, op, arg: hex(f[2]!, 'old pointer', line), size: dec(f[3]!, 'size', line), ptr: hex(f[4]!, 'new pointer', line) }; break;
    case 'a': ev = { tid, op, arg: dec(f[2]!, 'alignment', line), size: dec(f[3]!, 'size', line), ptr: hex(f[4]!, 'pointer', line) }; break;
    case 'f': ev = { tid, op, size: 0, ptr: hex(f[2]!, 'pointer', line), arg: 0 }; break;
  }
  if (ev.size > MAX_SIZE && ev.ptr !== 0) throw new TraceError(line, `size ${ev.size} is too large for an allocation that succeeded (max ${MAX_SIZE})`);
  if (op === 'f' && ev.ptr === 0) throw new TraceError(line, 'free of pointer 0 (free(NULL) is not logged)');
  return ev;
}

/** The line for `ev` (the inverse of parseLine). */
export function formatEvent(ev: TraceEvent): string {
  const h = (n: number): string => n.toString(16);
  switch (ev.op) {
    case 'm': return `${ev.tid} m ${ev.size} ${h(ev.ptr)}`;
    case 'c': return `${ev.tid} c ${ev.arg} ${ev.arg === 0 ? 0 : ev.size / ev.arg} ${h(ev.ptr)}`;
    case 'r': return `${ev.tid} r ${h(ev.arg)} ${ev.size} ${h(ev.ptr)}`;
    case 'a': return `${ev.tid} a ${ev.arg} ${ev.size} ${h(ev.ptr)}`;
    case 'f': return `${ev.tid} f ${h(ev.ptr)}`;
  }
}
