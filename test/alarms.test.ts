// Regression tokens: the checker's alarms on the default allocator, and how each was
// ruled on. Each token replays the exact case `slabcheck check` reported; each must now
// pass, for the reason stated, while the rule it tripped still fails on the bug it
// exists for.
//
// INV-SOFTCAP (check --runs 1000000, seed 42, run ~44,650; check --scheduler pct --seed 2):
// T0's stage 2 claim had CASed its slot ACTIVE but not yet raised the class's ACTIVE
// count when T2 took the pool lock and tested the soft cap (count 1 < cap 2); T0's
// count then landed and T2's stage 3 claim was judged against 2. Seed 004 §1.2: stage 3
// tests the cap under alloc_lock, but stages 0.5-2 claim lock-free and raise the count
// outside that lock, so no lock makes the count still; §13.2: the cap is a limit on
// stage 3, not an allocation count. The allocator is right; the rule was too strict.
// Ruling: a claim or release half done when an acquisition starts makes the acquisition
// concurrent, and the pool rules judge only acquisitions that ran alone.
//
// INV-EMPTY-FIRST (check --scheduler pct --seed 3 and --seed 4): another thread's claim
// had set the SuperSlab's HOSTED bit for the class but not yet published its registry
// entry, so stage 0.5 could not scan that SuperSlab; the EMPTY slot it holds is found by
// the next acquisition. The same ruling: the half-done claim made the decision concurrent.
//
// INV-EMPTY-FIRST (check --set HAKMEM_SS_EMPTY_REUSE=0, case 323): with stage 0.5 off, an
// EMPTY slot on another class's list is reachable by nothing but the cap reclaim; the
// rule assumed stage 0.5. It now follows the configuration (Limits.emptyReuse).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { drainOp, run } from '../impl/allocator.js';
import { EV, STAGE_NEW_SS, STAGE_UNUSED } from '../impl/events.js';
import { createHeap } from '../impl/heap.js';
import { attachThread } from '../impl/thread/thread.js';
import { audit, type Snapshot } from '../impl/audit.js';
import { EMPTY_FIRST, type Decision } from '../model/rules/decision.js';
import { execute } from '../properties/execute.js';
import { replay } from '../properties/index.js';
import { Observer } from '../properties/observer.js';
import { TINY_GEOMETRY, TINY_POLICY_BASE } from '../properties/scope.js';
import { decodeToken } from '../properties/token.js';
import { mustFree, mustMalloc } from './helpers.js';

const emptyFirst = (snapshot: Snapshot, cls: number, outcome: Decision['outcome']) => EMPTY_FIRST.check({ at: 'acquire', snapshot, cls, outcome });

export const ALARM_TOKENS = {
  /** check --runs 1000000 (seed 42): INV-SOFTCAP, 3 threads, 5 ops, 2 preemptions */
  softcapRandom: 'sc1.nZFfb4IwFMW_y31uTHHOuL4x7CZZcYYyM0PITYUqRPkzQDNn-O6LMofJ9rDs9Xd6Ts49PUKYZ6tkDewIE_PJ4Q569nSBUuLDs2txFI_AjBsCVZL2qq1a4vJQ6wrYgN4NO0ox1irS5UUdDlptr3CdLIHRHqVGi4r4UGHawtsWpeod67jUKqqAjQjsW5SqAsN8l9XAjP6IXPrJlxl3pTDv0fMESm618d2D8wH2WHD0XNtBRwIbdG6J3Jl5C5SWOUVhO7YHzPgl3DFf0TKtCR9f65dxXC65O-c_JMucAet3TEiUQuDYNe0p2lOPu3NTXPdpA4VonbQhUJT5ulTp6Ue-R_H9I-QFMFiVWgOBVZmnwCiBIgk3Z9uXrrbbPITTrB8aWJ_SJiD-H7R_5AYNgSqMdbTb6lPZTZJFwKAotU6LGgi87VRWK2B-QKDIk6w-H0KJQW4C4veJQYwgaJpP',
  /** check --scheduler pct --runs 20000 --seed 2: INV-SOFTCAP */
  softcapPct: 'sc1.jZJdb4IwFIb_y7luloJiXO8YdpOsMEOZmTHmpAIDMhACaOYM_31B5kcyL7zs8_S8Oee0BwiKzWcaAzvA1Hx1uIO-7S5QSnx-8yyO4gWYNiBQp_lDnak1rvdNVAMb0sfRhVJMIhVG1cmOhr3bKYzTNTD6QKnWozLZ15j30OhRrr6xSapIhTWwMYFdj3JVYlBsNw0wTR-TU3_yfcY9Kcwn9H2Bklt9_OXCcQB7Ijj6nu2gI4ENL9USuTPzFygt00VhO7YPTLsR7pgfaJnWlE-u_Wk5Hpfcm_N_yjJnwPQLExKlEDjxTNtF2_W5NzfFdT99oBB9JW0JlFURVyrvXuS8lOXyAEUJDFSWFQF0a_uJgOmUtity22kGpS35U02V5nA-3R8yuMq41xzzVi2BOkiicJtF3SRf6SYEBmXQQDdhWlRpk3Y_ZUmJTrQVgSBRm_hIDEoMbdW2vw',
  /** check --scheduler pct --runs 20000 --seed 3: INV-EMPTY-FIRST */
  emptyFirstPct3: 'sc1.dZFfT4MwFMW_y31uTNm_aN-QVUcsc6G4aAi56Vg3GmEQQLO58N0N4MREff2de05P7z1DnB92Zg_sDAv7weMeBu7yBaXEu0ff4SjugVljApXJrqpUbXBzqnUFbEJvZgOlmGi11eVFnU167V3h3myA0StKrR4VyanCrIfTHmXqiHVSarWtgF0TeO9RpgqM87dDDcwaXZNLP_m04r4U9i0GgUDJnT5-GOg-4M4Fx8B3PfQksMnglsi9VfCC0rGXKFzPDYBZf4R79jM6trPg85_6ZTk-l9xf81-SY6-A0YEJiVIInPu2u0R3GXB_bYufffpAIb6cDYGizPelytqLfC8lDM-QF8BgV2oNBHZlnnVvFyZ-7WxfukrTPIZ2rR8a2JjSJiLhn5o1pYNNH00N_452MVFDoIoTvX1Lddvt1Ry2wKCIa2g7m7w0tWlvH1pkRGhEIE7UYd-R0ZSMx1HTfAI',
  /** check --scheduler pct --runs 20000 --seed 4: INV-EMPTY-FIRST */
  emptyFirstPct4: 'sc1.fZFrT8IwFIb_y_nckI6LYr_NUXWxQ7JOoiHkpGyFNbJLtkFEsv9uxrgZjR_7PO2bt-fsIczSpVkB28OT_exxDwN3_I5S4sOL73AUj8CsHoHSJJ1yrRa42FW6BNandzcXSjHWKtLFyd70W7dVuDILYLRDqdWiPN6VmLRw0KJEfWIVF1pFJbAhgW2LEpVjmG3SCpjVHZJTP_k64b4U9j0GgUDJnTb-cuHwAXckOAa-66EngfUvryVybxK8o3TsMQrXcwNg1h_hnv2Gju088dG1Pw3H55L7U_5LOfYEGL0wIVEKgSPfdsfojgPuT21x3acNFOL4siaQF9mqUEmzkfNQZrM9ZDkwUOt1FkIzti8NrEdpTY5mWWgNBJZFlhwa5Cb8OAQefVQok8L5-DPIGlBaz8nsHzmvCZRhrKPNWjfdPkwaAYM8rKDpbLLCVKbZ_axLKLHmBMJYpasDuSXdwbyuvwE',
  /** check --set HAKMEM_SS_EMPTY_REUSE=0 (seed 42, case 323): INV-EMPTY-FIRST */
  emptyFirstNoReuse: 'sc1.bZHbbsIwEET_ZZ8t5JSLqN_S4JaoTorigIoQWpnEQERuTQIqRfn3CsJNLY-e450djw8QZOkyWgE7wNB8d7iDvu1OUUp8_fAsjuINmNEmUEZJq4zVAhf7SpfAOvS5d1MprrUKdXGhvU7DdgpX0QIYbVFqNFK-3peYNGK3kRL1jdW60CosgfUJ7BopUTkG2TatgBlPfXLJJ8cj7klhvqDvC5TcauxvF04PsAeCo-_ZDjoSWOc2LZE7I3-K0jJdFLZj-8CMB-aO-YmWaQ354J5fyvG45N6E_0OWOQJGb5qQKIXAgWfaLtquz72JKe7zNIZC_J285vT4WHJgtCaQF9mqUMnxr651zWYHyHJgoOI4C-BY6I8GZnQprefkMWxTWpMzWRZaA4FlkSXA2gTyKNictp15WKgohevx0ZZ5TaAM1jrcxvqYbROlITDIC62TvAICX1uVVgrYbE4gz6K0Ouae1_Uv',
} as const;

/** The trace texts of a token's run: the decision the alarm judged is still made. */
const events = (token: string): string[] =>
  execute(decodeToken(token), { trace: true }).trace.filter((e) => e.kind === 'event').map((e) => `T${e.thread} ${e.text}`);

test('alarm tokens: each replays to a pass, and its run still makes the stage 3 decision the alarm judged', () => {
  for (const [name, token] of Object.entries(ALARM_TOKENS)) {
    assert.is(replay(token), null, `${name} passes`);
  }
  // the soft-cap races: a stage 2 claim half done when the stage 3 thread starts; the
  // stage 3 claim still happens, and the class ends one slot over its cap (a soft cap)
  assert.ok(events(ALARM_TOKENS.softcapRandom).includes('T2 slot 2 claimed for class 5 (stage 3)'));
  assert.ok(events(ALARM_TOKENS.softcapPct).includes('T0 slot 4 claimed for class 5 (stage 3)'));
  assert.ok(events(ALARM_TOKENS.emptyFirstPct3).includes('T0 slot 2 claimed for class 6 (stage 3)'));
  assert.ok(events(ALARM_TOKENS.emptyFirstPct4).includes('T0 slot 2 claimed for class 7 (stage 3)'));
  assert.ok(events(ALARM_TOKENS.emptyFirstNoReuse).includes('T1 slot 2 claimed for class 7 (stage 3)'));
});

test('alarm tokens: the same EMPTY_REUSE=0 program with stage 0.5 on reuses the EMPTY slot, and with seed 000\'s whole-superslab-only it fails INV-EMPTY-FIRST', () => {
  const c = decodeToken(ALARM_TOKENS.emptyFirstNoReuse);
  assert.is(c.config['HAKMEM_SS_EMPTY_REUSE'], 0);
  const on = { ...c, config: { ...c.config, HAKMEM_SS_EMPTY_REUSE: 1 } };
  const reused = execute(on, { trace: true });
  assert.is(reused.violation, null);
  assert.ok(reused.trace.some((e) => e.text === 'slot 1 claimed for class 7 (stage 0.5)'));
  const buggy = execute({ ...on, config: { ...on.config, variants: ['whole-superslab-only'] } });
  assert.is(buggy.violation?.id, 'INV-EMPTY-FIRST');
  assert.is(buggy.violation?.what, 'stage 3 (new SuperSlab) for class 7 while an EMPTY slot was reachable');
});

// ------------------------------------------------- the observer's "ran alone" test

const C7 = 1500;
const C6 = 300;

/**
 * A real tiny heap (2 slabs a SuperSlab) where thread `t` holds two class 7 slots — at
 * a soft cap of 2 — or, with `empty`, one EMPTY class 7 slot on class 7's list beside an
 * ACTIVE class 6 slot. Other threads' events are then fed to a fresh observer by hand.
 */
function heapAt(empty: boolean) {
  const heap = createHeap({ ...TINY_GEOMETRY, ...TINY_POLICY_BASE, HAKMEM_TINY_CAP: empty ? 0 : 2 });
  const t = attachThread(heap);
  const a = mustMalloc(t, C7);
  mustMalloc(t, empty ? C6 : C7);
  if (empty) {
    mustFree(t, a);
    run(t, drainOp(t));
  }
  const observer = new Observer(heap, false);
  observer.event(EV.SS_MAP, t.tid, 0, 0, 0);
  return { observer, other: t.tid, me: t.tid + 1 };
}

/** Thread `me` starts an acquisition of class 7 and decides stage 3: SuperSlab `ss` (new), its first slot. */
function stage3(o: Observer, me: number, ss = 1): string | null {
  o.event(EV.ACQUIRE_BEGIN, me, 7, 0, 0);
  o.event(EV.SS_MAP, me, ss, 0, 0);
  o.event(EV.SLOT_CLAIM, me, ss * 2, 7, STAGE_NEW_SS);
  return o.violation?.id ?? null;
}

test('observer: a stage 3 claim at the soft cap is INV-SOFTCAP when it ran alone, not while another claim was half done at its start', () => {
  const alone = heapAt(false);
  alone.observer.event(EV.SLOT_CLAIM, alone.other, 1, 7, STAGE_UNUSED);
  alone.observer.event(EV.SLOT_SETTLED, alone.other, 1, 7, 0); // settled before: no excuse
  assert.is(stage3(alone.observer, alone.me), 'INV-SOFTCAP');

  const racing = heapAt(false);
  racing.observer.event(EV.SLOT_CLAIM, racing.other, 1, 7, STAGE_UNUSED); // counts not landed yet
  assert.is(stage3(racing.observer, racing.me), null);
  // once it settles, the next acquisition is judged again
  racing.observer.event(EV.SLOT_SETTLED, racing.other, 1, 7, 0);
  racing.observer.event(EV.SLOT_SETTLED, racing.me, 2, 7, 0);
  assert.is(stage3(racing.observer, racing.me, 2), 'INV-SOFTCAP');

  // the deciding thread's own unsettled claim is no excuse
  const own = heapAt(false);
  own.observer.event(EV.SLOT_CLAIM, own.me, 1, 7, STAGE_UNUSED);
  assert.is(stage3(own.observer, own.me), 'INV-SOFTCAP');
});

test('observer: a stage 3 claim beside a reachable EMPTY slot is INV-EMPTY-FIRST when it ran alone, not while another claim or release was half done', () => {
  const alone = heapAt(true);
  assert.is(stage3(alone.observer, alone.me), 'INV-EMPTY-FIRST');

  const claiming = heapAt(true);
  claiming.observer.event(EV.SLOT_CLAIM, claiming.other, 1, 6, STAGE_UNUSED);
  assert.is(stage3(claiming.observer, claiming.me), null);

  // a release reported (slot 0 EMPTY) whose list push has not landed
  const releasing = heapAt(true);
  releasing.observer.event(EV.SLOT_CLAIM, releasing.other, 0, 7, STAGE_NEW_SS);
  releasing.observer.event(EV.SLOT_SETTLED, releasing.other, 0, 7, 0);
  releasing.observer.event(EV.SLOT_EMPTY, releasing.other, 0, 7, 0);
  assert.is(releasing.observer.violation, null);
  assert.is(stage3(releasing.observer, releasing.me), null);
  releasing.observer.event(EV.SLOT_SETTLED, releasing.other, 0, 7, 0);
  releasing.observer.event(EV.SLOT_SETTLED, releasing.me, 2, 7, 0);
  assert.is(stage3(releasing.observer, releasing.me, 2), 'INV-EMPTY-FIRST');
});

test('pool rules: with stage 0.5 off (HAKMEM_SS_EMPTY_REUSE=0) an EMPTY slot is reachable only from its class\'s list', () => {
  const heap = createHeap({ ...TINY_GEOMETRY, ...TINY_POLICY_BASE });
  const t = attachThread(heap);
  const a = mustMalloc(t, C7);
  mustMalloc(t, C6);
  mustFree(t, a);
  run(t, drainOp(t)); // slot 0 EMPTY on class 7's list; SuperSlab 0 hosted classes 6 and 7
  const on = audit(heap);
  assert.is(on.limits.emptyReuse, true);
  assert.is(emptyFirst(on, 6, 'stage3')?.actual, 'it stayed EMPTY', 'stage 0.5 would have scanned SuperSlab 0 for class 6');
  const off = structuredClone(on);
  off.limits.emptyReuse = false;
  assert.is(emptyFirst(off, 6, 'stage3'), null, 'class 6 cannot reach class 7\'s list');
  assert.is(emptyFirst(off, 7, 'stage3')?.actual, 'it stayed EMPTY on class 7\'s list');
  assert.is(emptyFirst(off, 6, 'legacy')?.id, 'INV-EMPTY-FIRST', 'the cap reclaim scans every SuperSlab whatever stage 0.5 does');
});

test.run();
