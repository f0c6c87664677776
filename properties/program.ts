// What the checker runs (docs/architecture.md §3, §8): a program — a few virtual threads, each a
// short list of operations — and a schedule of their atomic steps. Both are plain
// values that fast-check generates and shrinks together, and that a replay token
// carries whole, so a counterexample needs no seed or shrink path to reproduce.
import type { ConfigInput } from '../impl/config.js';
import { pluginOf, type Schedule } from './schedulers/registry.js';

export type { Schedule };
export type { Point } from './schedulers/preempt.js';

export type Op =
  | { op: 'alloc'; size: number }
  /** Free a live block allocated by thread `from` (mod the thread count): its `pick`-th (mod the count), oldest first. */
  | { op: 'free'; from: number; pick: number }
  | { op: 'drain' }
  | { op: 'trim' }
  | { op: 'tick'; ms: number }
  | { op: 'exit' }
  /**
   * A free the allocator must reject (model/free-contract.ts): `kind` steers the address —
   * a freed block of thread `from` (double), inside a live one (interior), its SuperSlab's
   * header or a slab tail (foreign), a block its slab never handed out (never), an address
   * in no mapping (wild); `pick` and `offset` choose among them.
   */
  | { op: 'misuse'; kind: MisuseKind; from: number; pick: number; offset: number };

export const MISUSE_KINDS = ['double', 'interior', 'foreign', 'never', 'wild'] as const;
export type MisuseKind = (typeof MISUSE_KINDS)[number];

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

export function opText(op: Op, threads: number): string {
  switch (op.op) {
    case 'alloc': return `alloc(${op.size})`;
    case 'free': return `free(T${op.from % threads}#${op.pick})`;
    case 'tick': return `tick(${op.ms}ms)`;
    case 'misuse': return `free-${op.kind}(T${op.from % threads}#${op.pick}+${op.offset})`;
    default: return `${op.op}()`;
  }
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
