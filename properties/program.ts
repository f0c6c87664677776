// What the checker runs (docs/architecture.md §3, §8): a program — a few virtual threads, each a
// short list of operations — and a schedule of their atomic steps. Both are plain
// values that fast-check generates and shrinks together, and that a replay token
// carries whole, so a counterexample needs no seed or shrink path to reproduce.
import type { ConfigInput } from '../impl/config.js';
import { opText, type Op } from './ops/registry.js';
import { pluginOf, type Schedule } from './schedulers/registry.js';

// operations: one module per kind, listed in ops/registry.ts OPS
export { opText, type Op };
export type { OpKind } from './ops/registry.js';
export { MISUSE_KINDS, type MisuseKind } from './ops/misuse.js';
export type { Schedule };
export type { Point } from './schedulers/preempt.js';

export interface Program {
  threads: Op[][];
}

export interface Case {
  config: ConfigInput;
  program: Program;
  schedule: Schedule;
  /** Preempt only between operations (how a race is shown to need an interleaving). */
  atomicOps?: boolean;
}

export function programText(p: Program): string[] {
  return p.threads.map((ops, i) => `T${i}: ${ops.length === 0 ? '(nothing)' : ops.map((o) => opText(o, p.threads.length)).join('; ')}`);
}

export function scheduleText(s: Schedule): string {
  return pluginOf(s).text(s);
}

/** Program operations plus schedule entries: the size of a counterexample. */
export function caseSize(c: Case): { ops: number; switches: number } {
  const ops = c.program.threads.reduce((n, t) => n + t.length, 0);
  return { ops, switches: pluginOf(c.schedule).size(c.schedule) };
}

/** The seed-bug variants a case runs with (its configuration's `variants`). */
export function variantsOf(c: Case): string[] {
  const v = c.config['variants'];
  return Array.isArray(v) ? v.map(String) : [];
}
