// What an operation kind is, and the kinds, registered once. A program (program.ts) is a
// few virtual threads of operations; each kind is one module holding all of it
// (OpPlugin): its fast-check draws, its token validation, its text, its shrink
// candidates, which decision oracle judges it and how it runs on the step executor.
// Generation (scope.ts), shrinking (minimize.ts), tokens (token.ts), printing
// (program.ts), the executor (execute.ts) and the decision oracles (decisions.ts) all
// read OPS. A new operation kind is one module and one line there.
import type fc from 'fast-check';
import type { Snapshot } from '../../model/audit.js';
import type { Heap } from '../../impl/heap.js';
import type { Op as Step } from '../../impl/steps.js';
import type { Thread } from '../../impl/thread/thread.js';
import type { AbstractHeap } from '../../model/abstract.js';
import type { Violation } from '../../model/rules/rule.js';
import { describe } from '../../impl/quote.js';
import { isObject, TokenError, type Json } from '../fields.js';
import { alloc } from './alloc.js';
import { drain } from './drain.js';
import { exit } from './exit.js';
import { free } from './free.js';
import { misuse } from './misuse.js';
import { tick } from './tick.js';
import { trim } from './trim.js';

/**
 * Which decision oracle judges an operation at its start and end (decisions.ts): a free's
 * TLS cache, the caches a drain or an exit empties, trim's reserve, a tick's idle trim.
 */
export type Decision = 'none' | 'free' | 'drain' | 'trim' | 'tick';

/** What running an operation needs of the step executor. */
export interface RunContext {
  readonly heap: Heap;
  readonly model: AbstractHeap;
  /** The program's virtual threads: a free's `from` is taken modulo it. */
  readonly threads: number;
  /** The virtual thread that runs it, and that thread's allocator Thread. */
  readonly index: number;
  readonly t: Thread;
  /** How the trace names a block (the abstract heap's name and its address). */
  blockName(address: number): string;
  /** The heap decoded after the step just run (once per step, whoever asks). */
  snapshot(): Snapshot;
}

/** An operation under way on the step executor. */
export interface Running {
  /** Its steps (drain, trim, tick and exit return nothing: their end sees 0). */
  readonly gen: Step<number | void>;
  /** What the trace prints after the operation's text when it starts: what it aims at (asked when tracing). */
  target(): string;
  /** The live block a free takes; 0 for any other operation. */
  readonly freeing: number;
  /** After its first step (a free takes effect there: the pointer check and the push). */
  firstStep(): void;
  /** At its end, with what its generator returned: judges it (each verdict to `fail`, in order). */
  end(result: number, fail: (v: Violation | null) => void): void;
  /** After end(), when tracing: what the trace prints at its end. */
  text(result: number): string;
}

export interface OpPlugin<O extends { op: string }> {
  /** Its `op` field in programs and tokens. */
  readonly kind: O['op'];
  /** One line: what it does. */
  readonly summary: string;
  /** The weighted arbitraries the scope draws it from (scope.ts lists all kinds' in OPS order). */
  draws(): readonly { weight: number; arbitrary: fc.Arbitrary<O> }[];
  /** The operation a token's JSON holds (its `op` is this kind), or a TokenError naming `where`. */
  validate(json: Json, where: string): O;
  /** How reports print it; `threads` is the program's count (a thread reference is taken modulo it). */
  text(op: O, threads: number): string;
  /** Logical ms it moves the clock (tokens bound the sum, decisions.ts the clock it reads). */
  clockMs(op: O): number;
  /** How far its arguments are from the simplest: the minimizer's tie-break after size. */
  detail(op: O): number;
  /** Simpler operations the minimizer tries in its place, each strictly lower in detail. */
  shrink(op: O): O[];
  readonly decision: Decision;
  /** No operation of its thread runs after it. */
  readonly endsThread: boolean;
  /** Starts it on the executor; null when it has nothing to do (a free of a thread that holds no block). */
  start(op: O, ctx: RunContext): Running | null;
}

export const OPS = [alloc, free, drain, trim, tick, exit, misuse] as const;

type Plugin = (typeof OPS)[number];
/** An operation of any registered kind. */
export type Op = Plugin extends infer P ? (P extends OpPlugin<infer O> ? O : never) : never;
export type OpKind = Op['op'];

// The one place an operation's kind picks its plugin's functions: each plugin handles only its own kind.
const byKind = new Map<string, OpPlugin<Op>>(OPS.map((p) => [p.kind, p as unknown as OpPlugin<Op>]));

/** The plugin of an operation. */
export const opPlugin = (op: Op): OpPlugin<Op> => byKind.get(op.op)!;

/** A token's operation: its kind's plugin validates the rest. */
export function validateOp(o: unknown, where: string): Op {
  if (!isObject(o)) throw new TokenError(`${where}: not an operation`);
  const p = typeof o['op'] === 'string' ? byKind.get(o['op']) : undefined;
  if (p === undefined) throw new TokenError(`${where}: unknown operation ${describe(o['op'])}`);
  return p.validate(o, where);
}

export const opText = (op: Op, threads: number): string => opPlugin(op).text(op, threads);
