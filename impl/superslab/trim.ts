// Trim (seed 003 §1.1, hak_tiny_trim): frees SuperSlabs that have no active block and
// that no thread holds, keeping HAKMEM_TINY_SS_RESERVE of them mapped as an empty
// reserve; and unmaps LRU entries past their TTL. Idle trim (seed 003 Option B) runs it
// every HAKMEM_TINY_IDLE_TRIM_MS of the logical clock: whichever thread moves the clock
// past the deadline runs it, standing in for the background thread.
import { C } from '../counters.js';
import { H, S } from '../layout.js';
import { add, cas, load, lock, type Op, peek, unlock } from '../steps.js';
import type { Thread } from '../thread/thread.js';
import { V } from '../variants.js';
import { evictExpired, freeSuperSlab, hold, resetSuperSlab, unhold } from './lifecycle.js';
import { ssIndex } from '../locators.js';

export function* trim(t: Thread): Op<void> {
  const h = t.heap;
  const { cfg } = h;
  yield lock(H.POOL_LOCK);
  h.f64[t.cnt + C.trims]!++;
  yield* evictExpired(t);
  if (cfg.trimSs) {
    let kept = 0;
    const high = yield load(H.SS_HIGH);
    for (let ss = 0; ss < high; ss++) {
      const e = ssIndex(h, ss);
      if ((yield load(e + S.ACTIVE)) !== 0) continue;
      if (!(yield* hold(t, ss, yield load(e + S.GEN)))) continue;
      if ((yield load(e + S.ACTIVE)) !== 0) {
        yield* unhold(t, ss); // a block went live between the check and the hold
      } else if (kept < cfg.emptyReserve + (cfg.v & V.TRIM_RESERVE_PLUS_ONE ? 1 : 0)) {
        kept++;
        yield* resetSuperSlab(t, ss);
      } else {
        yield* freeSuperSlab(t, ss);
      }
    }
  }
  yield unlock(H.POOL_LOCK);
}

/** The logical clock is an Int32 of milliseconds: about 24.8 days. */
export const CLOCK_MAX_MS = 2 ** 31 - 1;

/** Advances the logical clock by `ms`; runs idle trim when its deadline passes. */
export function* tick(t: Thread, ms: number): Op<void> {
  const h = t.heap;
  const { cfg } = h;
  // a check of the argument, before the operation's first step (as the checker's programs keep the clock in range)
  if (!Number.isInteger(ms) || ms < 0 || peek(h, H.NOW_MS) > CLOCK_MAX_MS - ms) {
    throw new RangeError(`tick(${ms}): the logical clock holds whole ms up to ${CLOCK_MAX_MS} (24.8 days)`);
  }
  const now = (yield add(t, H.NOW_MS, ms)) + ms;
  if (cfg.idleTrimMs === 0 || cfg.v & V.NO_IDLE_TRIM) return; // seed 003: trim never called
  const due = yield load(H.NEXT_TRIM_MS);
  if (now < due + (cfg.v & V.IDLE_TRIM_LATE ? 1 : 0)) return;
  if ((yield cas(t, H.NEXT_TRIM_MS, due, now + cfg.idleTrimMs)) !== due) return;
  yield* trim(t);
}
