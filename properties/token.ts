// The replay token: one string that carries a whole counterexample — configuration,
// program and schedule — so `slabcheck replay TOKEN` reproduces it byte for byte with
// no seed, path or replayPath (docs/architecture.md §8). JSON, deflated, base64url, behind a
// version prefix. A malformed token is an error that says what is wrong with it.
import { createHash } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { makeConfig, ConfigError } from '../impl/config.js';
import { checkHeapBudget } from '../impl/heap-budget.js';
import { isObject, keys, TOKEN_LIMITS, TokenError } from './fields.js';
import { opPlugin, validateOp } from './ops/registry.js';
import type { Case } from './program.js';
import { validateSchedule, type Schedule } from './schedulers/registry.js';

const PREFIX = 'sc1.';

export { TOKEN_LIMITS, TokenError };

export function encodeToken(c: Case): string {
  return PREFIX + deflateRawSync(Buffer.from(JSON.stringify(c)), { level: 9 }).toString('base64url');
}

/** `<id>-<first 8 hex of sha256(token)>`: the name every file kept for one case shares (report, page, test, corpus). */
export function caseName(id: string, token: string): string {
  return `${id}-${createHash('sha256').update(token).digest('hex').slice(0, 8)}`;
}

export function decodeToken(token: string): Case {
  if (typeof token !== 'string') throw new TokenError('expected a string');
  if (token.length > TOKEN_LIMITS.chars) throw new TokenError(`${token.length} characters, over the limit of ${TOKEN_LIMITS.chars}`);
  const text = token.trim();
  if (!text.startsWith(PREFIX)) throw new TokenError(`expected a token starting with '${PREFIX}'`);
  const body = text.slice(PREFIX.length);
  if (!/^[A-Za-z0-9_-]+$/.test(body)) throw new TokenError('not base64url after the prefix (was it cut or wrapped?)');
  const bytes = Buffer.from(body, 'base64url');
  let json: string;
  try {
    const { buffer, engine } = inflateRawSync(bytes, { maxOutputLength: TOKEN_LIMITS.jsonBytes, info: true }) as unknown as { buffer: Buffer; engine: { bytesWritten: number } };
    if (engine.bytesWritten < bytes.length) throw new TokenError('trailing characters after the compressed case (were two tokens joined?)');
    json = buffer.toString('utf8');
  } catch (err) {
    if (err instanceof TokenError) throw err;
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw new TokenError(`inflates past ${TOKEN_LIMITS.jsonBytes} bytes`);
    throw new TokenError('corrupted: it does not inflate (was it cut short?)');
  }
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new TokenError('corrupted: not JSON inside');
  }
  return validateCase(value);
}

// A fresh Case built from the validated fields only: nothing unchecked travels on.
function validateCase(value: unknown): Case {
  if (!isObject(value)) throw new TokenError('no case inside');
  keys(value, 'the case', [], ['config', 'program', 'schedule', 'atomicOps']);
  if (!isObject(value['config'])) throw new TokenError('no configuration');
  const config = value['config'];
  let maxThreads: number;
  try {
    const cfg = makeConfig(config);
    checkHeapBudget(cfg);
    maxThreads = cfg.maxThreads;
  } catch (err) {
    if (err instanceof ConfigError) throw new TokenError(`bad configuration: ${err.message}`);
    throw err;
  }
  const program = value['program'];
  if (!isObject(program)) throw new TokenError('no valid program (threads of operations)');
  keys(program, 'the program', [], ['threads']);
  const threads = program['threads'];
  if (!Array.isArray(threads) || threads.length === 0 || !threads.every(Array.isArray)) throw new TokenError('no valid program (threads of operations)');
  if (threads.length > TOKEN_LIMITS.threads) throw new TokenError(`${threads.length} threads, over the limit of ${TOKEN_LIMITS.threads}`);
  // the quiescence janitor takes one more thread slot
  if (threads.length + 1 > maxThreads) {
    throw new TokenError(`${threads.length} threads need sim.max_threads of at least ${threads.length + 1} (one more for quiescence), the configuration has ${maxThreads}`);
  }
  const total = threads.reduce((n: number, ops: unknown[]) => n + ops.length, 0);
  if (total > TOKEN_LIMITS.ops) throw new TokenError(`${total} operations, over the limit of ${TOKEN_LIMITS.ops}`);
  const ops = (threads as unknown[][]).map((list, t) => list.map((o, i) => validateOp(o, `no valid program: T${t} operation ${i}`)));
  const clock = ops.flat().reduce((ms, o) => ms + opPlugin(o).clockMs(o), 0);
  if (clock > TOKEN_LIMITS.clockMs) throw new TokenError(`the ticks add up to ${clock} ms, over the limit of ${TOKEN_LIMITS.clockMs}`);
  const atomicOps = value['atomicOps'];
  if (atomicOps !== undefined && typeof atomicOps !== 'boolean') throw new TokenError('atomicOps is not a boolean');
  return {
    config: { ...config },
    program: { threads: ops },
    schedule: schedule(value['schedule']),
    ...(atomicOps === undefined ? {} : { atomicOps }),
  };
}

function schedule(s: unknown): Schedule {
  if (!isObject(s)) throw new TokenError('no valid schedule');
  return validateSchedule(s);
}
