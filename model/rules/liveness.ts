// The liveness rules: they hold after quiescence — every block freed, every thread drained
// and exited, trimmed, the clock past the TTL (properties/execute.ts runs that epilogue).
import type { Snapshot } from '../audit.js';
import { violation, type CheckedRule } from './rule.js';
import { inUse } from './views.js';

export const LIVENESS_RULES: readonly CheckedRule<Snapshot>[] = [
  {
    id: 'LIVE-RECLAIM',
    kind: 'liveness',
    seed: '000_86274261e3f63077.txt, 003_932746184e5394df.txt (freed=0)',
    statement: 'after quiescence every SuperSlab is cached or unmapped, but for at most HAKMEM_TINY_SS_RESERVE empty ones kept mapped',
    check(s) {
      let reserve = 0;
      for (const ss of s.superslabs) {
        if (ss.state === 'CACHED') continue;
        const busy = ss.slots.find(inUse);
        if (busy !== undefined || ss.active !== 0) {
          return violation(this.id, 'SuperSlab never reclaimed', `SuperSlab ${ss.index}`, 'cached or unmapped',
            `${ss.state}, ${ss.active} active blocks${busy ? `, slab ${busy.slab} ${busy.state} used ${busy.used}` : ''}`);
        }
        reserve++;
      }
      if (reserve > s.limits.emptyReserve) return violation(this.id, 'more empty SuperSlabs kept mapped than the reserve', 'shared pool', `<= ${s.limits.emptyReserve}`, reserve);
      return null;
    },
  },
  {
    id: 'MEM-BOUND',
    kind: 'liveness',
    seed: '003_932746184e5394df.txt §9 (VmSize 167 GB for 4096 live blocks)',
    statement: 'after quiescence with the clock past the TTL, at most the empty reserve stays mapped and resident',
    check(s) {
      const bound = s.limits.emptyReserve * Math.max(s.limits.ssBytes, s.limits.pageBytes);
      if (s.os.mappedBytes > bound) return violation(this.id, 'memory still mapped after quiescence', 'simulated OS', `<= ${bound} bytes (reserve)`, `${s.os.mappedBytes} bytes`);
      if (s.os.rssBytes > bound) return violation(this.id, 'memory still resident after quiescence', 'simulated OS', `<= ${bound} bytes (reserve)`, `${s.os.rssBytes} bytes`);
      return null;
    },
  },
];
