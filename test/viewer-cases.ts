// Cases the viewer tests share.
import type { Case, Op } from '../properties/program.js';
import { TINY_GEOMETRY, TINY_POLICY_BASE } from '../properties/scope.js';

/** A passing case of more than 200 steps: T0 allocates twelve blocks, T1 frees some remotely, T2 ticks and trims. */
export function longCase(): Case {
  const t0: Op[] = [];
  for (let i = 0; i < 6; i++) t0.push({ op: 'alloc', size: 1500 }, { op: 'alloc', size: 300 });
  return {
    config: { ...TINY_GEOMETRY, ...TINY_POLICY_BASE },
    program: {
      threads: [
        t0,
        [{ op: 'free', from: 0, pick: 0 }, { op: 'free', from: 0, pick: 1 }, { op: 'free', from: 0, pick: 0 }],
        [{ op: 'alloc', size: 200 }, { op: 'tick', ms: 12 }, { op: 'trim' }],
      ],
    },
    schedule: { kind: 'preempt', quanta: [], points: [] },
  };
}
