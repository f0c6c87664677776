// The rules the step executor raises itself (a free's failure: its operation plugin), with no
// check of their own: the allocator threw, no thread can run, a run never ends, a free of a live block failed.
import type { Rule } from './rule.js';

const EXECUTOR = 'properties/execute.ts';

export const HARNESS_RULES: readonly Rule[] = [
  { id: 'CRASH', kind: 'harness', seed: 'docs/architecture.md §3', statement: 'the allocator never throws on a valid program', raisedBy: EXECUTOR },
  { id: 'DEADLOCK', kind: 'harness', seed: 'docs/architecture.md §3', statement: 'some thread can always make progress', raisedBy: EXECUTOR },
  { id: 'LIVELOCK', kind: 'harness', seed: 'docs/architecture.md §3', statement: 'every run terminates', raisedBy: EXECUTOR },
  { id: 'FREE-REJECTED', kind: 'harness', seed: 'docs/architecture.md §3', statement: 'free of a live block succeeds', raisedBy: 'properties/ops/free.ts' },
];
