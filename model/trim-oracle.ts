// Trim and idle trim as the contract states them (seed 003 §1.1 hak_tiny_trim, Option B):
// trim frees every pooled SuperSlab with no active block and no holder, except the first
// HAKMEM_TINY_SS_RESERVE of them in table order, which it keeps mapped with every slot
// UNUSED (the empty reserve); idle trim runs it from the tick that moves the clock to or
// past its deadline, and sets the next deadline HAKMEM_TINY_IDLE_TRIM_MS after that tick.
// Judged on a trim that ran alone (no other thread stepped during it), from the heap at
// its start and at its end: what LRU and munmap did with the freed ones is LRU-POLICY's.
import type { PoolView } from './audit.js';
import type { Violation } from './rules/rule.js';

const reserve = (what: string, where: string, expected: unknown, actual: unknown): Violation => ({
  id: 'TRIM-RESERVE', what, where, expected: String(expected), actual: String(actual),
});
const idle = (what: string, where: string, expected: unknown, actual: unknown): Violation => ({
  id: 'IDLE-TRIM', what, where, expected: String(expected), actual: String(actual),
});

const pooled = (ss: PoolView['superslabs'][number] | undefined): boolean => ss !== undefined && ss.state !== 'CACHED';

/** TRIM-RESERVE: the trim that took `before` to `after` (SuperSlab trimming on or off). */
export function judgeTrim(before: PoolView, after: PoolView, trimSs: boolean): Violation | null {
  const now = new Map(after.superslabs.map((ss) => [ss.index, ss]));
  let kept = 0;
  for (const ss of before.superslabs) {
    if (!pooled(ss)) continue;
    const later = now.get(ss.index);
    const empty = ss.state === 'MAPPED' && ss.pins === 0 && ss.active === 0;
    const where = `SuperSlab ${ss.index}`;
    if (!trimSs || !empty) {
      if (!pooled(later)) return reserve('trim freed a SuperSlab it had to leave alone', where, trimSs ? `in the pool (active ${ss.active}, pins ${ss.pins})` : 'in the pool (HAKMEM_TINY_TRIM_SS=0)', later === undefined ? 'unmapped' : 'cached');
    } else if (kept < before.limits.emptyReserve) {
      kept++;
      if (!pooled(later)) return reserve(`trim freed SuperSlab ${ss.index}, one of the first ${before.limits.emptyReserve} empty ones (the reserve)`, where, 'kept mapped', later === undefined ? 'unmapped' : 'cached');
      const inUse = later!.slots.find((slot) => slot.state !== 'UNUSED');
      if (inUse !== undefined) return reserve('a reserve SuperSlab kept a slot in use', `${where} slab ${inUse.slab}`, 'UNUSED', inUse.state);
    } else if (pooled(later)) {
      return reserve(`trim kept SuperSlab ${ss.index} past the reserve of ${before.limits.emptyReserve}`, where, 'freed (cached or unmapped)', 'still in the pool');
    }
  }
  return null;
}

/** IDLE-TRIM for a tick of `ms` from clock `from` with deadline `due`: whether trim had to run, and the violation if the deadline moved wrong. */
export function judgeIdleTrim(idleTrimMs: number, from: number, ms: number, due: number, dueAfter: number): { ran: boolean; violation: Violation | null } {
  const now = from + ms;
  const ran = idleTrimMs > 0 && now >= due;
  const expected = ran ? now + idleTrimMs : due;
  if (dueAfter === expected) return { ran, violation: null };
  return {
    ran,
    violation: idle(ran ? `the tick to ${now} ms had to run idle trim (deadline ${due} ms) and move the deadline` : `the tick to ${now} ms had to leave idle trim alone (deadline ${due} ms)`, `tick(${ms}ms)`, `next deadline ${expected} ms`, `${dueAfter} ms`),
  };
}
