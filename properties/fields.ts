// Checking the fields of a replay token's case (token.ts), shared with the scheduler and
// operation plugins that validate their own parts: what a token may hold, and the error
// that says what is wrong with one.

import { quote } from '../impl/quote.js';

export class TokenError extends Error {
  constructor(message: string) {
    super(`replay token: ${message}`);
    this.name = 'TokenError';
  }
}

/**
 * What a token may hold. The checker's own counterexamples are far inside these; past
 * them a token is refused (never run into a false verdict: a livelock from two million
 * drains, a crash from a clock past 2^31 ms, an OOM kill from more blocks than the
 * simulated machine has).
 */
export const TOKEN_LIMITS = {
  chars: 65_536,
  jsonBytes: 1 << 20,
  threads: 16,
  ops: 512,
  scheduleEntries: 4096,
  /** One tick, and all ticks of the program together (the clock is a 32-bit count of ms). */
  tickMs: 86_400_000,
  clockMs: 2 ** 30,
} as const;

export type Json = Record<string, unknown>;

export const isObject = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);

export const nat = (x: unknown): x is number => Number.isSafeInteger(x) && (x as number) >= 0;

/** A list of at most TOKEN_LIMITS.scheduleEntries items, each passing `each`. */
export const entries = (x: unknown, each: (y: unknown) => boolean): x is unknown[] =>
  Array.isArray(x) && x.length <= TOKEN_LIMITS.scheduleEntries && x.every(each);

/** Fails unless `x` has exactly the keys `required` plus any of `optional`. */
export function keys(x: Json, what: string, required: string[], optional: string[] = []): void {
  for (const k of Object.keys(x)) {
    if (!required.includes(k) && !optional.includes(k)) throw new TokenError(`${what} has an unknown field ${quote(k)}`);
  }
  for (const k of required) if (!Object.hasOwn(x, k)) throw new TokenError(`${what} has no field '${k}'`);
}
