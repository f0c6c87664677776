// The bound of a counterexample (`prove --from TOKEN`, `zoo --mode prove --from check`): the
// smallest bound that holds the case — its threads, the most operations of one of them, its
// operations in all, the letters, sizes and ticks it uses, its configuration alone, and the
// preemptions its run took. The case is one of the bound's programs under one of its
// schedules: a free's block and thread are taken modulo what there is, so every pick is one
// the bound enumerates; a misuse is when it aims as prove's letter does (the thread's own
// oldest block, offset 1); a thread with no operation is left out, the others renamed. So
// prove there finds it or a counterexample with no more preemptions and no more operations:
// the smallest of the bound (levels ascend; level 0 goes by operations).
import type { ConfigInput } from '../../impl/config.js';
import { execute } from '../execute.js';
import { caseSize, type Case, type Op } from '../program.js';
import { LETTERS, type Bound, type Letter } from './programs.js';

export interface CaseBound {
  bound: Bound & { total: number };
  preemptions: number;
  config: ConfigInput;
  /** The case's violation on its own schedule, and the context switches of its run. */
  violation: string;
  switches: number;
}

/** The case's bound; null when there is nothing to search for: the case shows no violation, or has no operation (a bound holds programs of one at least). */
export function caseBound(c: Case): CaseBound | null {
  const o = execute(c);
  if (o.violation === null) return null;
  const all = c.program.threads;
  // a thread with no operation does nothing: the case is the program of the others
  const threads = all.filter((ops) => ops.length > 0);
  if (threads.length === 0) return null;
  const used = new Set<Letter>();
  const sizes = new Set<number>();
  const ticks = new Set<number>();
  all.forEach((ops, i) => {
    for (const op of ops) {
      used.add(letterOf(op, i, all.length));
      if (op.op === 'alloc') sizes.add(op.size);
      if (op.op === 'tick') ticks.add(op.ms);
    }
  });
  const ascending = (xs: Set<number>): number[] => [...xs].sort((a, b) => a - b);
  const bound = {
    threads: threads.length,
    ops: Math.max(...threads.map((ops) => ops.length)),
    total: caseSize(c).ops,
    alphabet: LETTERS.filter((l) => used.has(l)),
    sizes: ascending(sizes),
    ticks: ascending(ticks),
  };
  return { bound, preemptions: o.preemptions, config: c.config, violation: o.violation.id, switches: o.switches };
}

/** The letter of thread `i`'s operation: a free of its own block is `free`, of another thread's `remote`. */
function letterOf(op: Op, i: number, threads: number): Letter {
  if (op.op === 'free') return op.from % threads === i ? 'free' : 'remote';
  return op.op;
}
