// The replay token: one string that carries a whole counterexample — configuration,
// program and schedule — so `slabcheck replay TOKEN` reproduces it byte for byte with
// no seed, path or replayPath (design.md §8). JSON, deflated, base64url, behind a
// version prefix. A malformed token is an error that says what is wrong with it.
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { makeConfig, ConfigError } from '../impl/config.js';
import type { Case, Op, Schedule } from './program.js';

const PREFIX = 'sc1.';

export class TokenError extends Error {
  constructor(message: string) {
    super(`replay token: ${message}`);
    this.name = 'TokenError';
  }
}

export function encodeToken(c: Case): string {
  return PREFIX + deflateRawSync(Buffer.from(JSON.stringify(c)), { level: 9 }).toString('base64url');
}

export function decodeToken(token: string): Case {
  const text = token.trim();
  if (!text.startsWith(PREFIX)) throw new TokenError(`expected a token starting with '${PREFIX}'`);
  const body = text.slice(PREFIX.length);
  if (!/^[A-Za-z0-9_-]+$/.test(body)) throw new TokenError('not base64url after the prefix (was it cut or wrapped?)');
  let json: string;
  try {
    json = inflateRawSync(Buffer.from(body, 'base64url')).toString('utf8');
  } catch {
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

function validateCase(value: unknown): Case {
  const c = value as Partial<Case> | null;
  if (typeof c !== 'object' || c === null) throw new TokenError('no case inside');
  if (typeof c.config !== 'object' || c.config === null) throw new TokenError('no configuration');
  try {
    makeConfig(c.config);
  } catch (err) {
    if (err instanceof ConfigError) throw new TokenError(`bad configuration: ${err.message}`);
    throw err;
  }
  const threads = c.program?.threads;
  if (!Array.isArray(threads) || threads.length === 0 || !threads.every((ops) => Array.isArray(ops) && ops.every(isOp))) {
    throw new TokenError('no valid program (threads of operations)');
  }
  if (!isSchedule(c.schedule)) throw new TokenError('no valid schedule');
  if (c.atomicOps !== undefined && typeof c.atomicOps !== 'boolean') throw new TokenError('atomicOps is not a boolean');
  return c as Case;
}

const nat = (x: unknown): x is number => Number.isSafeInteger(x) && (x as number) >= 0;

function isOp(o: unknown): o is Op {
  const op = o as Record<string, unknown>;
  switch (op?.['op']) {
    case 'alloc': return nat(op['size']);
    case 'free': return nat(op['from']) && nat(op['pick']);
    case 'tick': return nat(op['ms']);
    case 'drain': case 'trim': case 'exit': return true;
    default: return false;
  }
}

function isSchedule(s: unknown): s is Schedule {
  const x = s as Record<string, unknown>;
  if (x?.['kind'] === 'preempt') {
    return Array.isArray(x['quanta']) && x['quanta'].every(nat)
      && Array.isArray(x['points']) && x['points'].every((p) => Array.isArray(p) && p.length === 3 && p.every(nat));
  }
  if (x?.['kind'] === 'pct') {
    return Array.isArray(x['priorities']) && x['priorities'].every(Number.isSafeInteger) && Array.isArray(x['changes']) && x['changes'].every(nat);
  }
  return false;
}
