// Unit tests of the model checker's parts (model/, properties/): the xstate lifecycle
// machines and the table derived from them, the observer, the pool rules, the abstract
// heap, the step executor, the two schedulers, minimize, the replay token and the report.
//
// Scope: every execute() case runs in the checker's default scope at the draw shrinking
// ends at — TINY_GEOMETRY + TINY_POLICY_BASE (properties/scope.ts): SuperSlab = 2^13 =
// 8 KB = 2 slabs of 4 KB, slab 0 usable 4096 - 64 = 4032 bytes; capacity = usable / stride
// (seed 004_d59e0d336a26e3fe.txt §3.2): C7 (stride 2048, size 1500) 1 block in slab 0 and
// 2 in slab 1; C6 (stride 512, size 300) 7 and 8; C5 (stride 256, size 200) 15 and 16.
// Policy: LRU of 1, empty reserve 1, no soft cap, TLS SLL unbounded (drained by `drain`
// ops), stage 0.5 scan limit 1 (only read by variant empty-scan-limit).
// Block addresses: SuperSlab s spans [base, base + 8192); a user pointer is block base + 1
// (1-byte header, impl/sizeclass.ts); slab 0 data starts at base + 64, slab 1 at base + 4096.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { deflateRawSync } from 'node:zlib';
import { createActor, transition } from 'xstate';
import { drainOp, free, malloc, run } from '../impl/allocator/allocator.js';
import { audit, type Snapshot } from '../model/audit.js';
import type { ConfigInput } from '../impl/config.js';
import {
  EV, STAGE_CAP_RECLAIM, STAGE_EMPTY_LIST, STAGE_EMPTY_SCAN, STAGE_NEW_SS, STAGE_UNUSED,
} from '../impl/events.js';
import { createHeap } from '../impl/heap.js';
import { attachThread } from '../impl/thread/thread.js';
import { VARIANTS } from '../impl/variants.js';
import { AbstractHeap } from '../model/abstract.js';
import { ruleById } from '../model/rules/catalogue.js';
import {
  allEdges, deriveTable, edgeKey, MACHINES, nextState, slotMachine,
  type LifecycleEvent, type MachineName,
} from '../model/lifecycle.js';
import { EMPTY_FIRST, SOFT_CAP, type Decision } from '../model/rules/decision.js';
import { execute, type Outcome } from '../properties/execute.js';
import { replay } from '../properties/index.js';
import { minimize } from '../properties/minimize.js';
import { Observer } from '../properties/observer.js';
import { caseSize, programText, scheduleText, type Case, type Op, type Schedule } from '../properties/program.js';
import { makeReport, markdown, mermaid, terminalText } from '../properties/report.js';
import { makeScheduler } from '../properties/schedulers/registry.js';
import type { Progress } from '../properties/schedulers/registry.js';
import { caseArb, TINY_GEOMETRY, TINY_POLICY_BASE } from '../properties/scope.js';
import { decodeToken, encodeToken, TokenError } from '../properties/token.js';

// ---------------------------------------------------------------------------- helpers

const BASE: ConfigInput = { ...TINY_GEOMETRY, ...TINY_POLICY_BASE };
const cfg = (variant: string | null, extra: ConfigInput = {}): ConfigInput =>
  ({ ...BASE, ...extra, ...(variant === null ? {} : { variants: [variant] }) });

const C7 = 1500; // stride 2048
const C6 = 300; // stride 512
const C5 = 200; // stride 256
const alloc = (size: number): Op => ({ op: 'alloc', size });
const freeOf = (from: number, pick: number): Op => ({ op: 'free', from, pick });
const drain: Op = { op: 'drain' };
const exit: Op = { op: 'exit' };
const RR: Schedule = { kind: 'preempt', quanta: [], points: [] };

const emptyFirst = (snapshot: Snapshot, cls: number, outcome: Decision['outcome']) => EMPTY_FIRST.check({ at: 'acquire', snapshot, cls, outcome });
const softCap = (snapshot: Snapshot, cls: number) => SOFT_CAP.check({ at: 'acquire', snapshot, cls, outcome: 'stage3' });
const json = (o: Outcome): string => JSON.stringify({ ...o, covered: [...o.covered] });
const starts = (o: Outcome): number[] => o.trace.filter((e) => e.kind === 'start').map((e) => e.thread);
/** Index in the trace of the n-th entry of `kind` by `thread`. */
const nth = (o: Outcome, thread: number, kind: string, n = 0): number => {
  const idx = o.trace.map((e, i) => (e.thread === thread && e.kind === kind ? i : -1)).filter((i) => i >= 0);
  assert.ok(idx.length > n, `T${thread} has no ${kind} #${n}`);
  return idx[n]!;
};

function tinyHeap(extra: ConfigInput = {}) {
  const heap = createHeap(cfg(null, extra));
  return { heap, t: attachThread(heap) };
}

function mustMalloc(t: ReturnType<typeof attachThread>, size: number): number {
  const p = malloc(t, size);
  assert.ok(p > 0, `malloc(${size}) failed with ${p}`);
  return p;
}

// ------------------------------------------------------------ lifecycle machines

const EVENT_TYPES: LifecycleEvent['type'][] = ['MAP', 'CLAIM', 'RELEASE', 'RESET', 'CACHE', 'REUSE', 'UNMAP'];
const MACHINE_NAMES: MachineName[] = ['slot', 'superslab'];
const STATES = (name: MachineName): string[] => Object.keys(MACHINES[name].root.states);

/** A grid of guard facts: every stage, each way of not being drained / not being idle. */
function factGrid(type: LifecycleEvent['type']): LifecycleEvent[] {
  const out: LifecycleEvent[] = [];
  const stages = [undefined, STAGE_EMPTY_SCAN, STAGE_EMPTY_LIST, STAGE_UNUSED, STAGE_NEW_SS, STAGE_CAP_RECLAIM];
  const drained = [undefined, [0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]] as const;
  const idle = [undefined, [0, 0], [1, 0], [0, 1]] as const;
  for (const stage of stages) {
    for (const d of drained) {
      for (const i of idle) {
        const e: LifecycleEvent = { type };
        if (stage !== undefined) e.stage = stage;
        if (d !== undefined) [e.used, e.queued, e.live] = d;
        if (i !== undefined) [e.ssActive, e.ssPins] = i;
        out.push(e);
      }
    }
  }
  return out;
}

test('lifecycle: the derived table holds exactly the edges xstate/graph lists, no more, no duplicates', () => {
  for (const name of ['slot', 'superslab'] as const) {
    const fromTable: string[] = [];
    for (const [state, byEvent] of deriveTable(name)) {
      for (const [event, edges] of byEvent) {
        for (const e of edges) {
          assert.is(e.next.edge, edgeKey(name, state, event, e.next.target), 'the edge names its own transition');
          fromTable.push(e.next.edge);
        }
      }
    }
    const graph = allEdges(name);
    assert.is(new Set(fromTable).size, fromTable.length, `${name}: duplicate table edges`);
    assert.is(new Set(graph).size, graph.length, `${name}: duplicate graph edges`);
    assert.equal([...fromTable].sort(), [...graph].sort(), name);
  }
  // the design card's chain (docs/architecture.md §7) is there: UNUSED -> ACTIVE -> EMPTY -> cached -> unmapped
  const slot = new Set(allEdges('slot'));
  for (const e of ['UNMAPPED-MAP->UNUSED', 'UNUSED-CLAIM->ACTIVE', 'ACTIVE-RELEASE->EMPTY', 'EMPTY-CLAIM->ACTIVE', 'EMPTY-CACHE->CACHED', 'CACHED-UNMAP->UNMAPPED']) {
    assert.ok(slot.has(`slot:${e}`), e);
  }
  const ss = new Set(allEdges('superslab'));
  for (const e of ['UNMAPPED-MAP->MAPPED', 'MAPPED-CACHE->CACHED', 'CACHED-REUSE->MAPPED', 'CACHED-UNMAP->UNMAPPED']) assert.ok(ss.has(`superslab:${e}`), e);
});

test('lifecycle: legal transitions move the state and name their edge', () => {
  const idle = { ssActive: 0, ssPins: 0 };
  const chain: [string, LifecycleEvent, string][] = [
    ['UNMAPPED', { type: 'MAP' }, 'UNUSED'],
    ['UNUSED', { type: 'CLAIM', stage: STAGE_NEW_SS }, 'ACTIVE'],
    ['ACTIVE', { type: 'RELEASE', used: 0, queued: 0, live: 0 }, 'EMPTY'],
    ['EMPTY', { type: 'CLAIM', stage: STAGE_EMPTY_LIST }, 'ACTIVE'],
    ['ACTIVE', { type: 'RESET', ...idle }, 'UNUSED'],
    ['UNUSED', { type: 'CACHE', ...idle }, 'CACHED'],
    ['CACHED', { type: 'REUSE' }, 'UNUSED'],
    ['UNUSED', { type: 'UNMAP', ...idle }, 'UNMAPPED'],
  ];
  for (const [from, e, to] of chain) {
    assert.equal(nextState('slot', from, e), { target: to, edge: `slot:${from}-${e.type}->${to}` }, `${from} ${e.type}`);
  }
  assert.equal(nextState('superslab', 'UNMAPPED', { type: 'MAP' }), { target: 'MAPPED', edge: 'superslab:UNMAPPED-MAP->MAPPED' });
  assert.equal(nextState('superslab', 'MAPPED', { type: 'CACHE', ...idle })?.target, 'CACHED');
  assert.equal(nextState('superslab', 'CACHED', { type: 'REUSE' })?.target, 'MAPPED');
  // the empty reserve: trim resets a SuperSlab in place (a self-loop)
  assert.equal(nextState('superslab', 'MAPPED', { type: 'RESET', ...idle }), { target: 'MAPPED', edge: 'superslab:MAPPED-RESET->MAPPED' });
  assert.equal(nextState('superslab', 'CACHED', { type: 'UNMAP' })?.target, 'UNMAPPED');
});

test('lifecycle: RELEASE only when drained (seeds 000/004: EMPTY only with used 0, nothing queued, nothing live)', () => {
  assert.is(nextState('slot', 'ACTIVE', { type: 'RELEASE', used: 0, queued: 0, live: 0 })?.target, 'EMPTY');
  assert.is(nextState('slot', 'ACTIVE', { type: 'RELEASE', used: 1, queued: 0, live: 0 }), null, 'used > 0');
  assert.is(nextState('slot', 'ACTIVE', { type: 'RELEASE', used: 0, queued: 1, live: 0 }), null, 'a block on the remote queue');
  assert.is(nextState('slot', 'ACTIVE', { type: 'RELEASE', used: 0, queued: 0, live: 2 }), null, 'a live block');
  assert.is(nextState('slot', 'ACTIVE', { type: 'RELEASE' }), null, 'no facts: not shown drained');
});

test('lifecycle: CLAIM stage must match the slot state (seed 004 §1.2: stages 2/3 UNUSED, 0.5/1/cap-reclaim EMPTY)', () => {
  for (const stage of [STAGE_UNUSED, STAGE_NEW_SS]) {
    assert.is(nextState('slot', 'UNUSED', { type: 'CLAIM', stage })?.target, 'ACTIVE', `UNUSED stage ${stage}`);
    assert.is(nextState('slot', 'EMPTY', { type: 'CLAIM', stage }), null, `EMPTY stage ${stage}`);
  }
  for (const stage of [STAGE_EMPTY_SCAN, STAGE_EMPTY_LIST, STAGE_CAP_RECLAIM]) {
    assert.is(nextState('slot', 'EMPTY', { type: 'CLAIM', stage })?.target, 'ACTIVE', `EMPTY stage ${stage}`);
    assert.is(nextState('slot', 'UNUSED', { type: 'CLAIM', stage }), null, `UNUSED stage ${stage}`);
  }
  assert.is(nextState('slot', 'UNUSED', { type: 'CLAIM' }), null, 'no stage');
  assert.is(nextState('slot', 'ACTIVE', { type: 'CLAIM', stage: STAGE_UNUSED }), null, 'claiming an ACTIVE slot');
});

test('lifecycle: CACHE/UNMAP/RESET only of an idle SuperSlab (seed 003 §1.1: no active block, no pin)', () => {
  for (const type of ['CACHE', 'UNMAP', 'RESET'] as const) {
    assert.ok(nextState('superslab', 'MAPPED', { type, ssActive: 0, ssPins: 0 }) !== null, `${type} idle`);
    assert.is(nextState('superslab', 'MAPPED', { type, ssActive: 1, ssPins: 0 }), null, `${type} with an active block`);
    assert.is(nextState('superslab', 'MAPPED', { type, ssActive: 0, ssPins: 1 }), null, `${type} pinned`);
    // the slots of the SuperSlab get the same event and the same guard
    for (const state of ['UNUSED', 'ACTIVE', 'EMPTY']) {
      if (type === 'RESET' && state === 'UNUSED') continue; // no RESET edge from UNUSED
      assert.ok(nextState('slot', state, { type, ssActive: 0, ssPins: 0 }) !== null, `slot ${state} ${type} idle`);
      assert.is(nextState('slot', state, { type, ssActive: 3, ssPins: 0 }), null, `slot ${state} ${type} active`);
      assert.is(nextState('slot', state, { type, ssActive: 0, ssPins: 1 }), null, `slot ${state} ${type} pinned`);
    }
  }
  // a cached SuperSlab has no blocks and no pins by construction: its edges are unguarded
  assert.is(nextState('superslab', 'CACHED', { type: 'UNMAP', ssActive: 5, ssPins: 1 })?.target, 'UNMAPPED');
});

test('lifecycle: an event with no edge in the state is illegal (null)', () => {
  const illegal: [MachineName, string, LifecycleEvent['type']][] = [
    ['slot', 'UNMAPPED', 'CLAIM'], ['slot', 'UNMAPPED', 'RELEASE'], ['slot', 'UNUSED', 'RELEASE'], ['slot', 'UNUSED', 'MAP'],
    ['slot', 'ACTIVE', 'MAP'], ['slot', 'ACTIVE', 'REUSE'], ['slot', 'EMPTY', 'RELEASE'], ['slot', 'CACHED', 'CLAIM'],
    ['slot', 'CACHED', 'CACHE'], ['superslab', 'UNMAPPED', 'UNMAP'], ['superslab', 'MAPPED', 'MAP'], ['superslab', 'MAPPED', 'REUSE'],
    ['superslab', 'CACHED', 'CACHE'], ['superslab', 'CACHED', 'RESET'],
  ];
  // the most permissive facts: whatever guard there were would pass
  const facts = { used: 0, queued: 0, live: 0, ssActive: 0, ssPins: 0 };
  for (const [m, state, type] of illegal) assert.is(nextState(m, state, { type, ...facts }), null, `${m} ${state} ${type}`);
  assert.is(nextState('slot', 'NO-SUCH-STATE', { type: 'MAP' }), null, 'unknown state');
});

test('lifecycle: the table agrees with xstate\'s own transition on every state x event x guard facts', () => {
  let legal = 0;
  let checked = 0;
  for (const name of MACHINE_NAMES) {
    const machine = MACHINES[name];
    for (const state of STATES(name)) {
      const snap = machine.resolveState({ value: state });
      for (const type of EVENT_TYPES) {
        for (const e of factGrid(type)) {
          const mine = nextState(name, state, e);
          const [next] = transition(machine, snap, e);
          checked++;
          assert.is(mine !== null, snap.can(e), `${name} ${state} ${JSON.stringify(e)}: legal?`);
          if (mine !== null) {
            legal++;
            assert.is(mine.target, next.value, `${name} ${state} ${JSON.stringify(e)}: target`);
          } else {
            assert.is(next.value, state, `${name} ${state} ${JSON.stringify(e)}: xstate stays`);
          }
        }
      }
    }
  }
  // 5 slot states + 3 SuperSlab states, 7 events, 6 x 5 x 4 fact combinations
  assert.is(checked, (5 + 3) * 7 * 120);
  assert.ok(legal > 0 && legal < checked);
});

test('lifecycle: an xstate actor walking a slot life ends where the table chain ends', () => {
  const life: LifecycleEvent[] = [
    { type: 'MAP' },
    { type: 'CLAIM', stage: STAGE_NEW_SS },
    { type: 'RELEASE', used: 1, queued: 0, live: 1 }, // refused: stays ACTIVE
    { type: 'RELEASE', used: 0, queued: 0, live: 0 },
    { type: 'CLAIM', stage: STAGE_UNUSED }, // refused: an EMPTY slot comes from stage 0.5/1
    { type: 'CLAIM', stage: STAGE_EMPTY_SCAN },
    { type: 'RELEASE', used: 0, queued: 0, live: 0 },
    { type: 'CACHE', ssActive: 0, ssPins: 0 },
  ];
  const actor = createActor(slotMachine).start();
  let state = 'UNMAPPED';
  const visited: string[] = [];
  for (const e of life) {
    actor.send(e);
    state = nextState('slot', state, e)?.target ?? state;
    assert.is(actor.getSnapshot().value, state, JSON.stringify(e));
    visited.push(state);
  }
  actor.stop();
  assert.equal(visited, ['UNUSED', 'ACTIVE', 'ACTIVE', 'EMPTY', 'EMPTY', 'ACTIVE', 'EMPTY', 'CACHED']);
});

// ------------------------------------------------------------------------ observer

test('observer: a SLOT_EMPTY for a slot never claimed is INV-LIFECYCLE; the first violation sticks', () => {
  const heap = createHeap(BASE);
  const obs = new Observer(heap, true);
  const t = attachThread(heap, obs);
  // nothing mapped yet: slot 0 is UNMAPPED
  obs.event(EV.SLOT_EMPTY, t.tid, 0, 7, 0);
  assert.ok(obs.violation !== null);
  assert.is(obs.violation!.id, 'INV-LIFECYCLE');
  assert.is(obs.violation!.what, 'illegal slot transition RELEASE from UNMAPPED');
  assert.is(obs.violation!.where, 'slot 0');
  assert.equal(JSON.parse(obs.violation!.actual), { used: 0, queued: 0, live: 0 });
  assert.is(obs.covered.size, 0);
  const first = obs.violation;
  obs.event(EV.SS_UNMAP, t.tid, 3, 0, 0); // illegal too (never mapped), but the first one stays
  assert.is(obs.violation, first);
});

test('observer: real events cover their edges; a hand-fed RELEASE of an UNUSED or busy slot is illegal', () => {
  const heap = createHeap(BASE);
  const obs = new Observer(heap, true);
  const t = attachThread(heap, obs);
  const a = mustMalloc(t, C7); // stage 3: SuperSlab 0 mapped, slot 0 claimed
  assert.is(obs.violation, null);
  assert.equal([...obs.covered].sort(), ['slot:UNMAPPED-MAP->UNUSED', 'slot:UNUSED-CLAIM->ACTIVE', 'superslab:UNMAPPED-MAP->MAPPED']);
  assert.equal(obs.log.map((e) => e.text), ['SuperSlab 0 MAP', `slot 0 claimed for class 7 (stage 3)`]);
  assert.ok(obs.log.every((e) => e.tid === t.tid));
  mustMalloc(t, C6); // slot 1 (stage 2) keeps SuperSlab 0 in use once slot 0 empties
  assert.is(free(t, a), 0);
  run(t, drainOp(t)); // the TLS cache drains back to slot 0: used 0 -> EMPTY
  assert.is(obs.violation, null);
  assert.ok(obs.covered.has('slot:UNUSED-CLAIM->ACTIVE') && obs.covered.has('slot:ACTIVE-RELEASE->EMPTY'));
  for (const e of obs.covered) assert.ok(allEdges('slot').includes(e) || allEdges('superslab').includes(e), e);

  // slot 1 is ACTIVE holding one live block: a RELEASE now fails the `drained` guard
  const busy = new Observer(heap, false);
  busy.event(EV.SS_MAP, t.tid, 0, 0, 0);
  busy.event(EV.SLOT_CLAIM, t.tid, 1, 6, STAGE_UNUSED);
  assert.is(busy.violation, null);
  busy.event(EV.SLOT_EMPTY, t.tid, 1, 6, 0);
  assert.is(busy.violation?.what, 'illegal slot transition RELEASE from ACTIVE');
  assert.equal(JSON.parse(busy.violation!.actual), { used: 1, queued: 0, live: 1 });
  assert.is(busy.log.length, 0, 'no log without tracing');

  // an observer that saw the SuperSlab mapped but slot 0 never claimed: RELEASE from UNUSED
  const fresh = new Observer(heap, false);
  fresh.event(EV.SS_MAP, t.tid, 0, 0, 0);
  fresh.event(EV.SLOT_EMPTY, t.tid, 0, 7, 0);
  assert.is(fresh.violation?.what, 'illegal slot transition RELEASE from UNUSED');
});

// ---------------------------------------------------------------------- pool rules

/**
 * SuperSlab 0: slot 0 (slab 0) EMPTY after serving C7 (on class 7's stage 1 list), slot 1
 * (slab 1) ACTIVE with one C6 block — so the SuperSlab stays pooled, having hosted 6 and 7.
 */
function emptySlotSnapshot(): { before: Snapshot; after: Snapshot } {
  const { heap, t } = tinyHeap();
  const a = mustMalloc(t, C7);
  mustMalloc(t, C6);
  const before = audit(heap);
  assert.is(free(t, a), 0);
  run(t, drainOp(t));
  const after = audit(heap);
  const ss = after.superslabs[0]!;
  assert.is(ss.state, 'MAPPED');
  assert.is(ss.slots[0]!.state, 'EMPTY');
  assert.is(ss.slots[1]!.state, 'ACTIVE');
  assert.is(ss.hosted, (1 << 7) | (1 << 6));
  assert.equal(after.emptyLists[7]!.items, [0]);
  return { before, after };
}

test('pool rules: emptyFirst passes when no EMPTY slot is reachable', () => {
  const { before, after } = emptySlotSnapshot();
  for (const d of ['stage2', 'stage3', 'legacy'] as const) {
    for (const cls of [5, 6, 7]) assert.is(emptyFirst(before, cls, d), null, `no EMPTY slot: ${d} class ${cls}`);
  }
  // class 5: not on its list, and SuperSlab 0 never hosted it
  assert.is(emptyFirst(after, 5, 'stage2'), null);
  assert.is(emptyFirst(after, 5, 'stage3'), null);
  // a CACHED SuperSlab is out of the pool: its EMPTY slots reach nobody
  const cached = structuredClone(after);
  cached.superslabs[0]!.state = 'CACHED';
  assert.is(emptyFirst(cached, 7, 'stage2'), null);
  assert.is(emptyFirst(cached, 7, 'legacy'), null);
});

test('pool rules: emptyFirst fails, precisely, when an EMPTY slot is on the list or in a SuperSlab that hosted the class', () => {
  const { after } = emptySlotSnapshot();
  assert.equal(emptyFirst(after, 7, 'stage2'), {
    id: 'INV-EMPTY-FIRST',
    what: 'stage 2 (UNUSED slot) for class 7 while an EMPTY slot was reachable',
    where: 'SuperSlab 0 slab 0 (slot 0)',
    expected: 'the EMPTY slot reused first',
    actual: 'it stayed EMPTY on class 7\'s list',
  });
  assert.is(emptyFirst(after, 7, 'stage3')?.what, 'stage 3 (new SuperSlab) for class 7 while an EMPTY slot was reachable');
  // class 6: not on its list, but SuperSlab 0 hosted class 6 (stage 0.5 scans it)
  const c6 = emptyFirst(after, 6, 'stage2');
  assert.is(c6?.id, 'INV-EMPTY-FIRST');
  assert.is(c6?.actual, 'it stayed EMPTY');
  // legacy: any EMPTY slot at all, even for a class that never saw this SuperSlab
  assert.equal(emptyFirst(after, 5, 'legacy'), {
    id: 'INV-EMPTY-FIRST',
    what: 'legacy fallback for class 5 while an EMPTY slot exists',
    where: 'SuperSlab 0 slab 0 (slot 0)',
    expected: 'the EMPTY slot reused first',
    actual: 'it stayed EMPTY',
  });
  // hand-built: hosting forgotten, only the list makes it reachable
  const listed = structuredClone(after);
  listed.superslabs[0]!.hosted = 0;
  assert.is(emptyFirst(listed, 7, 'stage2')?.actual, 'it stayed EMPTY on class 7\'s list');
  listed.emptyLists[7]!.items = [];
  assert.is(emptyFirst(listed, 7, 'stage2'), null);
  listed.emptyLists[5]!.items = [0];
  assert.is(emptyFirst(listed, 5, 'stage3')?.actual, 'it stayed EMPTY on class 5\'s list');
});

test('pool rules: softCap below, at and over the cap, and cap 0 (no cap)', () => {
  // HAKMEM_TINY_CAP 2: C7 fills slab 0 with 1 block, slab 1 with 2 (see the head comment)
  const { heap, t } = tinyHeap({ HAKMEM_TINY_CAP: 2 });
  mustMalloc(t, C7); // slot 0: 1 ACTIVE slot of class 7
  let s = audit(heap);
  assert.is(s.classActive[7], 1);
  assert.is(softCap(s, 7), null, 'below the cap');
  mustMalloc(t, C7); // slot 1 (stage 2): 2 ACTIVE slots
  s = audit(heap);
  assert.is(s.classActive[7], 2);
  assert.equal(softCap(s, 7), {
    id: 'INV-SOFTCAP',
    what: 'stage 3 mapped a SuperSlab for class 7 at its soft cap',
    where: 'class 7',
    expected: '< 2 ACTIVE slots',
    actual: '2',
  });
  assert.is(softCap(s, 6), null, 'another class is counted apart');
  const over = structuredClone(s);
  over.classActive[7] = 3;
  assert.is(softCap(over, 7)?.actual, '3');
  const noCap = structuredClone(s);
  noCap.limits.softCap = 0;
  assert.is(softCap(noCap, 7), null, 'cap 0 = no cap');
  // the same allocations with the default (no cap)
  const d = tinyHeap();
  mustMalloc(d.t, C7);
  mustMalloc(d.t, C7);
  const ds = audit(d.heap);
  assert.is(ds.limits.softCap, 0);
  assert.is(ds.classActive[7], 2);
  assert.is(softCap(ds, 7), null);
});

// ------------------------------------------------------------------- abstract heap

test('abstract heap: real allocations pass; the same address twice is ALLOC-FRESH', () => {
  const { heap, t } = tinyHeap();
  const a = mustMalloc(t, C7);
  const b = mustMalloc(t, C6);
  const s = audit(heap);
  const m = new AbstractHeap();
  assert.is(m.onAlloc(0, C7, a, false, s), null);
  assert.is(m.onAlloc(0, C6, b, false, s), null);
  assert.equal(m.liveOf(0).map((x) => x.name), ['T0.a0', 'T0.a1']);
  assert.is(m.compare(s), null);
  assert.equal(m.onAlloc(1, C6, b, false, s), {
    id: 'ALLOC-FRESH', what: 'malloc returned a live block', where: 'T1.a0', expected: 'a free block', actual: 'the block of T0.a1',
  });
  // once freed in the model, the address may come back
  const m2 = new AbstractHeap();
  assert.is(m2.onAlloc(0, C6, b, false, s), null);
  m2.onFree(b);
  assert.equal(m2.liveOf(0), []);
  assert.is(m2.onAlloc(0, C6, b, false, s), null);
});

test('abstract heap: ALLOC-CLASS and ALLOC-RANGE on real snapshots', () => {
  const { heap, t } = tinyHeap();
  const a = mustMalloc(t, C7); // SuperSlab 0 slab 0, class 7
  const s1 = audit(heap);
  const ssBase = s1.superslabs[0]!.base;
  assert.is(a, ssBase + 64 + 1, 'first C7 block: slab 0 data start + header');
  const m = new AbstractHeap();
  // a class 7 block returned for 300 bytes (class 6)
  assert.equal(m.onAlloc(0, C6, a, false, s1), {
    id: 'ALLOC-CLASS', what: 'block of the wrong class for 300 bytes', where: 'T0.a0', expected: 'class 6', actual: 'class 7',
  });
  // outside every SuperSlab: the SuperSlab after the last one mapped
  const outside = ssBase + 8192 * 4 + 65;
  const out = m.onAlloc(0, C7, outside, false, s1);
  assert.is(out?.id, 'ALLOC-RANGE');
  assert.is(out?.what, 'block outside every pooled SuperSlab');
  assert.is(out?.actual, `0x${outside.toString(16)}`);
  // slab 1 of SuperSlab 0 is still UNUSED
  const unused = m.onAlloc(0, C6, ssBase + 4096 + 1, false, s1);
  assert.equal([unused?.id, unused?.what, unused?.actual], ['ALLOC-RANGE', 'block in a slab that is not ACTIVE', 'UNUSED']);

  const b = mustMalloc(t, C6); // slot 1 (slab 1), class 6: block 0 carved
  const s2 = audit(heap);
  assert.is(b, ssBase + 4096 + 1);
  assert.is(s2.superslabs[0]!.slots[1]!.carved, 1);
  // inside block 0 but not its start
  const interior = m.onAlloc(1, C6, b + 8, false, s2);
  assert.equal([interior?.id, interior?.what, interior?.actual], ['ALLOC-RANGE', 'not the start of a carved block', 'offset 8']);
  // the start of block 1, which is not carved yet
  const uncarved = m.onAlloc(1, C6, b + 512, false, s2);
  assert.equal([uncarved?.id, uncarved?.expected, uncarved?.actual], ['ALLOC-RANGE', 'a block start below 1 carved', 'offset 512']);
  // a legacy block is judged only for freshness
  assert.is(m.onAlloc(2, C6, ssBase + 8192 * 8 + 16, true, s2), null);
});

test('abstract heap: ALLOC-DISJOINT when a new block overlaps a live block of another size', () => {
  const { heap, t } = tinyHeap();
  const b0 = mustMalloc(t, C6);
  const b1 = mustMalloc(t, C6);
  const s = audit(heap);
  assert.is(b1 - b0, 512, 'consecutive C6 blocks');
  const m = new AbstractHeap();
  // the model is told b0 was a 1500-byte block: it spans 2048 bytes, over b1 (judged wrong-class, kept live)
  assert.is(m.onAlloc(0, C7, b0, false, s)?.id, 'ALLOC-CLASS');
  assert.equal(m.onAlloc(1, C6, b1, false, s), {
    id: 'ALLOC-DISJOINT', what: 'new block overlaps a live block', where: 'T1.a0', expected: 'disjoint', actual: 'overlaps T0.a0',
  });
  // without the oversized neighbour b1 is fine
  const ok = new AbstractHeap();
  assert.is(ok.onAlloc(0, C6, b0, false, s), null);
  assert.is(ok.onAlloc(1, C6, b1, false, s), null);
});

test('abstract heap: MODEL-LIVE both ways (a held block the heap freed; a live block nobody allocated)', () => {
  const { heap, t } = tinyHeap();
  const a = mustMalloc(t, C7);
  const b = mustMalloc(t, C6);
  let s = audit(heap);
  const m = new AbstractHeap();
  m.onAlloc(0, C7, a, false, s);
  // b is live in the heap but the model never saw it
  assert.equal(m.compare(s), {
    id: 'MODEL-LIVE', what: 'the heap holds a live block nobody allocated', where: `0x${b.toString(16)}`, expected: 'free', actual: 'live',
  });
  m.onAlloc(0, C6, b, false, s);
  assert.is(m.compare(s), null);
  // the heap frees b behind the model's back
  assert.is(free(t, b), 0);
  s = audit(heap);
  assert.equal(m.compare(s), {
    id: 'MODEL-LIVE', what: 'a block the user holds is not live in the heap', where: 'T0.a1', expected: 'live', actual: 'free (lost or handed out again)',
  });
  m.onFree(b);
  assert.is(m.compare(s), null);
  // a legacy block the model holds that the heap does not count
  m.onAlloc(0, C6, s.superslabs[0]!.base + 8192 * 8 + 16, true, s);
  assert.equal(m.compare(s)?.what, 'legacy blocks disagree');
});

// ------------------------------------------------------------------------- execute

interface VariantCase {
  variant: string;
  extra?: ConfigInput;
  threads: Op[][];
  schedule?: Schedule;
  id: string;
  phase: Outcome['phase'];
  /** Needs an interleaving inside an operation: passes with atomicOps. */
  race?: boolean;
  why: string;
}

// One hand-written case per seed bug; the invariant each breaks follows from the bug.
const VARIANT_CASES: VariantCase[] = [
  {
    // T0 allocates (SuperSlab 0 mapped, its slab bound and pinned) and drains; T1 frees the
    // block remotely and allocates: its pin reads the SuperSlab word (MAPPED), T0 then runs
    // one step, and T1's second read sees the word T0's step left, pins over it, and the
    // SuperSlab goes to the LRU with a slot claimed from it (prove's counterexample,
    // corpus/pin-check-torn-*: 40 steps of T0, 17 of T1, 1 of T0, then each to its end)
    variant: 'pin-check-torn', threads: [[alloc(C7), drain], [freeOf(0, 0), alloc(C7)]],
    schedule: { kind: 'choices', picks: [...Array<number>(40).fill(0), ...Array<number>(17).fill(1), 0] }, id: 'INV-LIFECYCLE', phase: 'program', race: true,
    why: 'seed 004 §13.1: a SuperSlab held for freeing between the two reads of pin() is pinned and claimed from',
  },
  {
    variant: 'registry-unpopulated', threads: [[alloc(C7)]], id: 'INV-REGISTRY', phase: 'program',
    why: 'seed 000: the SuperSlab hosting class 7 never enters class 7\'s registry',
  },
  {
    variant: 'remote-free-skips-active', threads: [[alloc(C7)], [freeOf(0, 0)]], id: 'INV-ACTIVE-SUM', phase: 'program',
    why: 'seed 003: T1\'s remote free leaves total_active_blocks at 1 with nothing live',
  },
  {
    variant: 'drain-skips-empty', threads: [[alloc(C7)]], id: 'INV-SLOT-STATE', phase: 'quiescence',
    why: 'seed 004 §4.4: the epilogue frees and drains; used reaches 0 but the slab stays ACTIVE, unbound',
  },
  {
    variant: 'tls-free-skips-used', threads: [[alloc(C7), freeOf(0, 0), drain]], id: 'INV-CONSERVATION', phase: 'quiescence',
    why: 'seed 001: the drain parks the block on the thread list; the exit drops it: block lost',
  },
  {
    variant: 'no-idle-trim', threads: [[alloc(C7)]], id: 'INV-LRU', phase: 'quiescence',
    why: 'seed 003 §1.2: the epilogue ages the clock past the TTL; no trim evicts the cached SuperSlab',
  },
  {
    // slot 0 (C7) EMPTY, slot 1 (C6) keeps SuperSlab 0 pooled; the next C7 refuses slot 0 and maps
    variant: 'whole-superslab-only', threads: [[alloc(C7), alloc(C6), freeOf(0, 0), drain, alloc(C7)]], id: 'INV-EMPTY-FIRST', phase: 'program',
    why: 'seed 000: an EMPTY slab is reusable only once its whole SuperSlab is',
  },
  {
    // C7 x3 fill SuperSlab 0, the 4th maps SuperSlab 1 (registry of class 7: [0, 1]); its slab 1
    // serves C6 and empties. Stage 0.5 limited to 1 SuperSlab never looks at SuperSlab 1.
    variant: 'empty-scan-limit',
    threads: [[alloc(C7), alloc(C7), alloc(C7), alloc(C7), alloc(C6), freeOf(0, 4), drain, alloc(C7)]],
    id: 'INV-EMPTY-FIRST', phase: 'program',
    why: 'seed 004 §4.1: the EMPTY slot of a SuperSlab that hosted class 7 is past the scan limit',
  },
  {
    // slot 0 (C6) EMPTY in a SuperSlab that never hosted C7; C7 takes 2 slots (= the cap of 2)
    // in SuperSlab 1, then needs a third: at the cap, the fix reclaims slot 0
    variant: 'softcap-legacy-fallback', extra: { HAKMEM_TINY_CAP: 2 },
    threads: [[alloc(C6), alloc(C5), freeOf(0, 0), drain, alloc(C7), alloc(C7), alloc(C7), alloc(C7)]],
    id: 'INV-EMPTY-FIRST', phase: 'program',
    why: 'seed 004 §5.1: at the soft cap the allocation falls to the legacy path with an EMPTY slot around',
  },
  {
    // T0 holds both C6 blocks (quantum 2); T1's free is preempted before its 2nd write (write 1
    // counts the remote queue, write 2 stores the head: impl/slab/remote.ts); T2's push lands
    // in between and T1's store overwrites it
    variant: 'remote-push-racy',
    threads: [[alloc(C6), alloc(C6)], [freeOf(0, 0)], [freeOf(0, 1)]],
    schedule: { kind: 'preempt', quanta: [2], points: [[1, 0, 2]] },
    id: 'INV-CONSERVATION', phase: 'program', race: true,
    why: 'seed 004 §2 hypothesis 2: a load/store push loses a racing push',
  },
  {
    // T1 pushes one block; T0's drain (op 2) loads the head and is preempted before storing 0;
    // T1's second push lands in between and the store drops it
    variant: 'drain-nonatomic-take',
    threads: [[alloc(C6), alloc(C6), drain], [freeOf(0, 0), freeOf(0, 0)]],
    schedule: { kind: 'preempt', quanta: [2], points: [[0, 2, 2]] },
    id: 'INV-CONSERVATION', phase: 'program', race: true,
    why: 'seed 004: a load-then-store take of the remote queue loses a push between them',
  },
  {
    // slab 0 (1 C7 block) empties; slab 1 fills; the next slab comes from a new SuperSlab
    variant: 'tls-superslabs', threads: [[alloc(C7), alloc(C7), freeOf(0, 0), drain, alloc(C7), alloc(C7)]],
    id: 'INV-EMPTY-FIRST', phase: 'program',
    why: 'seed 003 §2.2: a thread takes slabs only from its own SuperSlab, never an EMPTY one of the pool',
  },
  {
    variant: 'no-orphan-adopt', threads: [[alloc(C7), exit]], id: 'INV-OWNER', phase: 'program',
    why: 'seed 004 §4.2: nobody adopts the slab an exited thread left a block in',
  },
  {
    // T1's free reads T0 as the owner and is preempted before its first write; T0 drains, leaves
    // the slab ORPHAN and exits; the push lands in its queue. Trim off: nothing else frees SuperSlab 0
    variant: 'orphan-push-race', extra: { HAKMEM_TINY_TRIM_SS: 0 },
    threads: [[alloc(C7), exit], [freeOf(0, 0)]],
    schedule: { kind: 'preempt', quanta: [], points: [[1, 0, 1]] },
    id: 'LIVE-RECLAIM', phase: 'quiescence', race: true,
    why: 'seed 003 §2.2: a remote push across its owner\'s exit lands in a queue nobody drains',
  },
  // the wrong contract decisions (test/contract.test.ts says why each case shows its decision)
  { variant: 'size-class-no-header', threads: [[alloc(512)]], id: 'ALLOC-CLASS', phase: 'program', why: 'a 512-byte request needs C7 with its header' },
  {
    variant: 'interior-free-rounds-down', threads: [[alloc(C7), { op: 'misuse', kind: 'interior', from: 0, pick: 0, offset: 0 }]],
    id: 'FREE-ERROR', phase: 'program', why: 'an interior pointer is FREE_INTERIOR',
  },
  {
    variant: 'never-allocated-as-double', threads: [[alloc(C6), { op: 'misuse', kind: 'never', from: 0, pick: 0, offset: 0 }]],
    id: 'FREE-ERROR', phase: 'program', why: 'a block never handed out is FREE_NEVER_ALLOCATED',
  },
  {
    variant: 'lru-pops-oldest', extra: { HAKMEM_SUPERSLAB_MAX_CACHED: 2 },
    threads: [[alloc(C7), alloc(C7), alloc(C7), alloc(C7), freeOf(0, 0), freeOf(0, 0), freeOf(0, 0), freeOf(0, 0), alloc(C7)]],
    id: 'LRU-POLICY', phase: 'program', why: 'the pop takes the newest of two cached SuperSlabs',
  },
  {
    variant: 'lru-ttl-late', threads: [[alloc(C7), drain, { op: 'tick', ms: 4 }], [freeOf(0, 0), { op: 'tick', ms: 4 }]],
    id: 'LRU-POLICY', phase: 'program', why: 'idle trim at 8 ms evicts an entry cached at 0 ms (TTL 8 ms)',
  },
  {
    variant: 'lru-bytes-ignored', extra: { HAKMEM_SUPERSLAB_MAX_CACHED: 2, HAKMEM_SUPERSLAB_MAX_MEMORY_MB: 2 ** -7 },
    threads: [[alloc(C7), alloc(C7), alloc(C6)]], id: 'LRU-POLICY', phase: 'quiescence', why: 'one SuperSlab\'s bytes: the second push evicts the first',
  },
  {
    variant: 'trim-reserve-plus-one', extra: { HAKMEM_TINY_SS_RESERVE: 0 },
    threads: [[alloc(C7), alloc(C7), alloc(C7), alloc(C7)], [freeOf(0, 0), freeOf(0, 0), freeOf(0, 0), { op: 'tick', ms: 4 }]],
    schedule: { kind: 'preempt', quanta: [2], points: [] }, id: 'TRIM-RESERVE', phase: 'program', why: 'reserve 0: idle trim frees the SuperSlab with no active block',
  },
  {
    variant: 'drain-interval-late', extra: { HAKMEM_TLS_SLL_DRAIN_INTERVAL: 2 }, threads: [[alloc(C7), alloc(C7)]],
    id: 'TLS-DRAIN', phase: 'quiescence', why: 'the second cached free drains (interval 2)',
  },
  { variant: 'idle-trim-late', threads: [[{ op: 'tick', ms: 4 }]], id: 'IDLE-TRIM', phase: 'program', why: 'the tick to 4 ms reaches the deadline' },
];

const caseOf = (v: VariantCase, withVariant = true): Case => ({
  config: cfg(withVariant ? v.variant : null, v.extra),
  program: { threads: v.threads },
  schedule: v.schedule ?? RR,
});

test('execute: every seed bug has a hand-written case here', () => {
  assert.equal(VARIANT_CASES.map((v) => v.variant).sort(), VARIANTS.map((v) => v.name).sort());
});

test('execute: each variant case finds its bug; the same case without the variant passes', () => {
  for (const v of VARIANT_CASES) {
    const bad = execute(caseOf(v));
    assert.is(bad.violation?.id, v.id, `${v.variant} (${v.why}): ${JSON.stringify(bad.violation)}`);
    assert.is(bad.phase, v.phase, `${v.variant}: phase`);
    const good = execute(caseOf(v, false));
    assert.is(good.violation, null, `${v.variant} fixed: ${JSON.stringify(good.violation)}`);
    assert.is(good.phase, 'quiescence', 'a clean run ends after the epilogue');
  }
});

test('execute: atomicOps makes the race cases pass and keeps the others failing', () => {
  for (const v of VARIANT_CASES) {
    const o = execute({ ...caseOf(v), atomicOps: true });
    if (v.race === true) assert.is(o.violation, null, `${v.variant}: no interleaving inside an operation, no race`);
    else assert.is(o.violation?.id, v.id, `${v.variant} needs no interleaving`);
  }
});

test('execute: deterministic — the same case twice gives the same outcome, trace included', () => {
  const racy = caseOf(VARIANT_CASES.find((v) => v.variant === 'remote-push-racy')!);
  const first = execute(racy, { trace: true });
  execute(caseOf(VARIANT_CASES[0]!), { trace: true }); // another heap in between shares nothing
  const second = execute(racy, { trace: true });
  assert.ok(first.trace.length > 0 && first.before !== null && first.after !== null);
  assert.is(json(second), json(first));
  const clean = caseOf(VARIANT_CASES[5]!, false);
  assert.is(json(execute(clean, { trace: true })), json(execute(clean, { trace: true })));
  // tracing changes nothing but the trace and snapshots
  const quiet = execute(racy);
  assert.equal([quiet.violation, quiet.steps, quiet.switches, [...quiet.covered]], [first.violation, first.steps, first.switches, [...first.covered]]);
  assert.equal([quiet.trace, quiet.before, quiet.after], [[], null, null]);
});

test('execute: the epilogue run in thread order (untraced) and by the first-runnable schedule (traced) agree, case for case', () => {
  const outcome = (o: Outcome): unknown[] => [o.violation, o.phase, o.steps, o.switches, o.preemptions, o.quiescenceFrom, [...o.covered].sort()];
  let epilogueFailures = 0;
  let cases = 0;
  for (const variants of [[], ...VARIANTS.map((v) => [v.name])]) {
    for (const c of fc.sample(caseArb({ variants }), { numRuns: variants.length === 0 ? 300 : 40, seed: 5 })) {
      const quiet = execute(c);
      assert.equal(outcome(quiet), outcome(execute(c, { trace: true })), `${variants.join() || 'default'}: ${encodeToken(c)}`);
      if (quiet.violation !== null && quiet.phase === 'quiescence') epilogueFailures++;
      cases++;
    }
  }
  assert.ok(epilogueFailures >= 5, `violations in the epilogue are among them (${epilogueFailures} of ${cases} cases)`);
});

test('execute: a default-scope sample of 300 cases (fixed seed) has no violation', () => {
  const cases = fc.sample(caseArb({}), { numRuns: 300, seed: 20240611 });
  let multi = 0;
  let preempting = 0;
  for (const c of cases) {
    const o = execute(c);
    assert.is(o.violation, null, `${JSON.stringify(c)}: ${JSON.stringify(o.violation)}`);
    if (c.program.threads.length > 1) multi++;
    if (c.schedule.kind === 'preempt' && c.schedule.points.length > 0) preempting++;
  }
  // the sample exercises interleavings, not only single threads
  assert.ok(multi > 100 && preempting > 100, `${multi} multi-threaded, ${preempting} with preemption points`);
  for (const c of fc.sample(caseArb({ scheduler: 'pct' }), { numRuns: 60, seed: 7 })) {
    assert.is(execute(c).violation, null, JSON.stringify(c));
  }
});

test('programs reach the documented length: up to 12 operations a thread, every length drawn', () => {
  const lengths = fc.sample(caseArb({}), { numRuns: 2000, seed: 11 }).flatMap((c) => c.program.threads.map((t) => t.length));
  const counts = Array.from({ length: 13 }, (_, n) => lengths.filter((l) => l === n).length);
  assert.is(Math.max(...lengths), 12);
  assert.ok(counts.every((n) => n > 20), `every length 0..12 drawn: ${counts.join(' ')}`);
  // fast-check's default size capped each thread at 10 ops (mean 3.8 in the default scope);
  // the contention programs stay short (owner <= 6, freers <= 4 ops)
  const mean = lengths.reduce((a, b) => a + b, 0) / lengths.length;
  assert.ok(mean > 4, `mean ${mean.toFixed(2)} ops a thread`);
  const single = fc.sample(caseArb({ maxThreads: 1 }), { numRuns: 1000, seed: 11 }).map((c) => c.program.threads[0]!.length);
  const singleMean = single.reduce((a, b) => a + b, 0) / single.length;
  assert.ok(singleMean > 5.5 && singleMean < 6.5, `uniform over 0..12: mean ${singleMean.toFixed(2)}`);
  // and a third of the preempting schedules stop a thread before a read
  const schedules = fc.sample(caseArb({}), { numRuns: 2000, seed: 11 }).map((c) => c.schedule);
  const reads = schedules.filter((s) => s.kind === 'preempt' && (s.reads?.length ?? 0) > 0).length;
  assert.ok(reads > 400, `${reads} schedules with a read point`);
});

test('execute: a preemption before a read reaches an outcome no preemption before a write can', () => {
  // T0 starts first. Stopped before its first read (the registry size), T1 maps
  // SuperSlab 0 and T0 then takes its second slab (stage 2). Stopped before any write,
  // T0 already holds the pool lock (taking it is not a write), so T1 waits and T0 maps.
  const program = { threads: [[alloc(C7)], [alloc(C7)]] };
  const stage2 = (o: Outcome): boolean => o.trace.some((e) => e.thread === 0 && e.text === 'slot 1 claimed for class 7 (stage 2)');
  const read = execute({ config: BASE, program, schedule: { kind: 'preempt', quanta: [], points: [], reads: [[0, 0, 1]] } }, { trace: true });
  assert.is(read.violation, null);
  assert.ok(stage2(read), JSON.stringify(read.trace.map((e) => `T${e.thread} ${e.text}`)));
  for (let k = 1; k <= 30; k++) {
    const write = execute({ config: BASE, program, schedule: { kind: 'preempt', quanta: [], points: [[0, 0, k]] } }, { trace: true });
    assert.not.ok(stage2(write), `before write ${k}`);
  }
  assert.is(scheduleText({ kind: 'preempt', quanta: [], points: [[1, 0, 2]], reads: [[0, 0, 1]] }),
    'round robin by operation, preempting T1 before write 2 of its op 0; T0 before read 1 of its op 0');
  assert.equal(caseSize({ config: BASE, program, schedule: { kind: 'preempt', quanta: [], points: [], reads: [[0, 0, 1]] } }), { ops: 2, switches: 1 });
});

test('execute: the quiescence epilogue frees, drains, exits, trims, ages past the TTL', () => {
  const dse = VARIANT_CASES.find((v) => v.variant === 'drain-skips-empty')!;
  const o = execute(caseOf(dse), { trace: true });
  assert.is(o.phase, 'quiescence');
  assert.is(o.violation?.id, 'INV-SLOT-STATE');
  const text = o.trace.map((e) => `T${e.thread} ${e.kind} ${e.text}`);
  // the program's alloc, then the epilogue's free of it and the drain that should have emptied the slab
  assert.ok(text.some((l) => l.startsWith('T0 start alloc(1500)')));
  assert.ok(text.some((l) => l.startsWith('T0 start free(T0#0) -> T0.a0')));
  assert.ok(text.includes('T0 start drain()'));
  // clean: the janitor (T1) drains (what it adopted), trims, ticks TTL 8 ms + max(idle trim 4 ms, 1) = 12 ms, trims, exits
  const clean = execute(caseOf(dse, false), { trace: true });
  assert.is(clean.violation, null);
  const janitor = clean.trace.filter((e) => e.thread === 1 && e.kind === 'start').map((e) => e.text);
  assert.equal(janitor, ['drain()', 'trim()', 'tick(12ms)', 'trim()', 'exit()']);
  assert.ok(clean.covered.has('superslab:CACHED-UNMAP->UNMAPPED') || clean.covered.has('superslab:MAPPED-UNMAP->UNMAPPED'), 'the SuperSlab is unmapped in the end');
  // a runaway bound is a finding too
  assert.is(execute(caseOf(dse, false), { maxSteps: 5 }).violation?.id, 'LIVELOCK');
});

// ----------------------------------------------------------------------- schedulers

const FIVE: Case = { config: BASE, program: { threads: [[alloc(C7), alloc(C6), alloc(C5)], [alloc(C6), alloc(C5)]] }, schedule: RR };

test('schedulers: round robin by operation, and quanta', () => {
  const rr = execute(FIVE, { trace: true });
  assert.is(rr.violation, null);
  assert.equal(starts(rr).slice(0, 5), [0, 1, 0, 1, 0]);
  // no preemption: each operation ends before the next one starts
  const ops = rr.trace.filter((e) => e.kind === 'start' || e.kind === 'end').slice(0, 10).map((e) => `${e.kind}${e.thread}`);
  assert.equal(ops, ['start0', 'end0', 'start1', 'end1', 'start0', 'end0', 'start1', 'end1', 'start0', 'end0']);
  const q = execute({ ...FIVE, schedule: { kind: 'preempt', quanta: [2, 1], points: [] } }, { trace: true });
  assert.equal(starts(q).slice(0, 5), [0, 0, 1, 0, 1]);
  const q3 = execute({ ...FIVE, schedule: { kind: 'preempt', quanta: [1, 3], points: [] } }, { trace: true });
  assert.equal(starts(q3).slice(0, 5), [0, 1, 1, 0, 0]);
  assert.is(scheduleText({ kind: 'preempt', quanta: [1, 3], points: [] }), 'round robin, T0 1 op, T1 3 ops a turn (T0 first)');
  assert.is(scheduleText(RR), 'round robin by operation (T0 first)');
});

test('schedulers: a preemption point switches away mid-operation; atomicOps ignores it', () => {
  const point: Schedule = { kind: 'preempt', quanta: [], points: [[0, 0, 1]] };
  const o = execute({ ...FIVE, schedule: point }, { trace: true });
  assert.is(o.violation, null);
  // T1 starts while T0's first operation is still running
  assert.ok(nth(o, 1, 'start') < nth(o, 0, 'end'), 'T1 started before T0 ended op 0');
  const rr = execute(FIVE, { trace: true });
  assert.ok(nth(rr, 1, 'start') > nth(rr, 0, 'end'));
  assert.ok(o.switches > rr.switches);
  const atomic = execute({ ...FIVE, schedule: point, atomicOps: true }, { trace: true });
  assert.equal(atomic.trace, rr.trace);
});

/** A Progress whose fields a test sets by hand. */
function fakeProgress(n: number) {
  const st = {
    ops: Array(n).fill(0) as number[], writes: Array(n).fill(0) as number[], mid: Array(n).fill(false) as boolean[], before: Array(n).fill(false) as boolean[], total: 0,
    reads: Array(n).fill(0) as number[], beforeRead: Array(n).fill(false) as boolean[],
  };
  const p: Progress = {
    ops: (i) => st.ops[i]!, writes: (i) => st.writes[i]!, midOp: (i) => st.mid[i]!, beforeWrite: (i) => st.before[i]!, totalWrites: () => st.total,
    reads: (i) => st.reads[i]!, beforeRead: (i) => st.beforeRead[i]!,
  };
  return { st, p };
}

test('schedulers: the preemption point fires just before the named write of the named operation, once', () => {
  const { st, p } = fakeProgress(2);
  const s = makeScheduler({ kind: 'preempt', quanta: [], points: [[0, 1, 2]] }, 2, false, p);
  const both = [true, true];
  assert.is(s.pick(both), 0);
  st.mid[0] = true;
  st.writes[0] = 2;
  st.before[0] = true; // op 0, before write 2: not the point's operation
  assert.is(s.pick(both), 0);
  st.ops[0] = 1;
  st.writes[0] = 1; // op 1, before write 1
  assert.is(s.pick(both), 0);
  st.writes[0] = 2;
  st.before[0] = false; // op 1, write 2 done, now after a read: not *before* the write
  assert.is(s.pick(both), 0);
  st.before[0] = true; // op 1, just before write 2
  assert.is(s.pick(both), 1, 'switched away');
  st.mid[1] = true;
  assert.is(s.pick(both), 1, 'T1 keeps running mid-operation');
  st.mid[1] = false;
  st.ops[1] = 1;
  assert.is(s.pick(both), 0, 'T1 used its quantum: back to T0');
  assert.is(s.pick(both), 0, 'the point fired once: T0 stays mid-operation at the same write');
  const atomic = makeScheduler({ kind: 'preempt', quanta: [], points: [[0, 1, 2]] }, 2, true, p);
  assert.is(atomic.pick(both), 0);
  assert.is(atomic.pick(both), 0, 'atomicOps: no preemption inside an operation');
});

test('schedulers: a read point fires just before the named read, not before a write with the same count', () => {
  const { st, p } = fakeProgress(2);
  const s = makeScheduler({ kind: 'preempt', quanta: [], points: [], reads: [[0, 0, 2]] }, 2, false, p);
  const both = [true, true];
  assert.is(s.pick(both), 0);
  st.mid[0] = true;
  st.writes[0] = 2;
  st.before[0] = true; // before write 2: a write, not a read
  assert.is(s.pick(both), 0);
  st.before[0] = false;
  st.reads[0] = 1;
  st.beforeRead[0] = true; // before read 1
  assert.is(s.pick(both), 0);
  st.reads[0] = 2; // before read 2
  assert.is(s.pick(both), 1, 'switched away');
  const atomic = makeScheduler({ kind: 'preempt', quanta: [], points: [], reads: [[0, 0, 2]] }, 2, true, p);
  assert.is(atomic.pick(both), 0);
  assert.is(atomic.pick(both), 0, 'atomicOps: no read points either');
});

test('schedulers: PCT runs the highest priority first; a change point lowers it', () => {
  const { st, p } = fakeProgress(3);
  const s = makeScheduler({ kind: 'pct', priorities: [1, 5, 3], changes: [4] }, 3, false, p);
  const all = [true, true, true];
  assert.is(s.pick(all), 1);
  assert.is(s.pick([true, false, true]), 2, 'T1 blocked: next priority');
  assert.is(s.pick(all), 1);
  st.before[1] = true;
  st.total = 3;
  assert.is(s.pick(all), 1, 'write 3 is not a change point');
  st.total = 4;
  assert.is(s.pick(all), 2, 'at write 4 T1 drops below everyone');
  st.before[2] = true; // T2 also stands before write 4 (the point is used up)
  assert.is(s.pick(all), 2);
  assert.is(s.pick([true, true, false]), 0, 'T1 is now the lowest');
  // missing priorities default to -index: T0 first
  const d = makeScheduler({ kind: 'pct', priorities: [], changes: [] }, 2, false, fakeProgress(2).p);
  assert.is(d.pick([true, true]), 0);

  // through the executor: T1 (priority 5) runs both its operations before T0 starts
  const pct = execute({ ...FIVE, schedule: { kind: 'pct', priorities: [0, 5], changes: [] } }, { trace: true });
  assert.equal(starts(pct).slice(0, 5), [1, 1, 0, 0, 0]);
  assert.ok(nth(pct, 0, 'start') > nth(pct, 1, 'end', 1));
  // a change point at the first shared write lowers T1 mid-operation: T0 starts before T1 ends
  const changed = execute({ ...FIVE, schedule: { kind: 'pct', priorities: [0, 5], changes: [1] } }, { trace: true });
  assert.is(starts(changed)[0], 1);
  assert.ok(nth(changed, 0, 'start') < nth(changed, 1, 'end'));
  assert.is(changed.violation, null);
});

// ------------------------------------------------------------------------- minimize

test('minimize: a minimal case comes back as it is', () => {
  const base = caseOf(VARIANT_CASES[0]!);
  const m = minimize(base, 'INV-REGISTRY');
  assert.equal(m, base);
});

test('minimize: the padding of a padded counterexample goes; the result still fails the same way', () => {
  // registry-unpopulated needs one C7 allocation; everything else is padding, knob included
  const padded: Case = {
    config: cfg('registry-unpopulated', { HAKMEM_SUPERSLAB_MAX_CACHED: 2 }),
    program: { threads: [[{ op: 'tick', ms: 4 }, alloc(C7), drain, alloc(C5)], [alloc(C6), { op: 'trim' }]] },
    schedule: { kind: 'preempt', quanta: [2], points: [[1, 0, 1]] },
  };
  assert.is(execute(padded).violation?.id, 'INV-REGISTRY');
  const m = minimize(padded, 'INV-REGISTRY');
  assert.is(execute(m).violation?.id, 'INV-REGISTRY');
  assert.equal(m.program, { threads: [[alloc(C7)]] });
  assert.equal(caseSize(m), { ops: 1, switches: 0 });
  assert.equal(m.config, cfg('registry-unpopulated'), 'the drawn knob goes back to the base draw');

  // the race: padding after the racing steps (T0 trailing alloc, T1 trailing alloc, T2 trailing tick)
  const race = VARIANT_CASES.find((v) => v.variant === 'remote-push-racy')!;
  const base = caseOf(race);
  const paddedRace: Case = {
    ...base,
    program: { threads: [[...race.threads[0]!, alloc(C5)], [...race.threads[1]!, alloc(C7)], [...race.threads[2]!, { op: 'tick', ms: 4 }]] },
  };
  assert.is(execute(paddedRace).violation?.id, 'INV-CONSERVATION');
  const mr = minimize(paddedRace, 'INV-CONSERVATION');
  assert.is(execute(mr).violation?.id, 'INV-CONSERVATION');
  const size = caseSize(mr);
  const baseSize = caseSize(base);
  assert.ok(size.ops + size.switches <= baseSize.ops + baseSize.switches, `${JSON.stringify(size)} vs ${JSON.stringify(baseSize)}`);
  const ops = mr.program.threads.flat();
  assert.ok(ops.every((o) => o.op === 'free' || (o.op === 'alloc' && o.size === C6)), programText(mr.program).join(' | '));
});

test('minimize: minimizations sharing their verdicts run no case twice and give what a fresh one gives', () => {
  const padded: Case = {
    config: cfg('registry-unpopulated'),
    program: { threads: [[{ op: 'tick', ms: 4 }, alloc(C7), drain, alloc(C5)], [alloc(C6), { op: 'trim' }]] },
    schedule: { kind: 'preempt', quanta: [], points: [] },
  };
  const verdicts = new Map<string, string | null>();
  const first = minimize(padded, 'INV-REGISTRY', 3000, new Set(), verdicts);
  assert.equal(first, minimize(padded, 'INV-REGISTRY'), 'the same result as without shared verdicts');
  assert.is(verdicts.get(JSON.stringify(first)), 'INV-REGISTRY', 'the result\'s verdict is kept');
  const ran = verdicts.size;
  assert.ok(ran > 1);
  assert.equal(minimize(padded, 'INV-REGISTRY', 3000, new Set(), verdicts), first);
  assert.is(verdicts.size, ran, 'the second minimization met only cases the first had run');
});

// ---------------------------------------------------------------------------- token

const tokenOf = (value: unknown): string => `sc1.${deflateRawSync(Buffer.from(JSON.stringify(value))).toString('base64url')}`;
const tokenError = (token: string): string => {
  try {
    decodeToken(token);
  } catch (err) {
    assert.instance(err, TokenError);
    assert.is((err as Error).name, 'TokenError');
    assert.ok((err as Error).message.startsWith('replay token: '), (err as Error).message);
    return (err as Error).message;
  }
  assert.unreachable(`decoded: ${token.slice(0, 40)}`);
  return '';
};

test('token: round trip of hand-written and generated cases', () => {
  const cases: Case[] = [
    ...VARIANT_CASES.map((v) => caseOf(v)),
    { ...caseOf(VARIANT_CASES[8]!), atomicOps: true },
    { ...FIVE, schedule: { kind: 'pct', priorities: [0, 5], changes: [1, 9] } },
    ...fc.sample(caseArb({}), { numRuns: 40, seed: 3 }),
    ...fc.sample(caseArb({ scheduler: 'pct' }), { numRuns: 10, seed: 3 }),
  ];
  for (const c of cases) {
    const token = encodeToken(c);
    assert.ok(/^sc1\.[A-Za-z0-9_-]+$/.test(token), token);
    // fc.record builds null-prototype objects; the token carries values, so compare plain copies
    const plain = structuredClone(c);
    assert.equal(decodeToken(token), plain);
    assert.equal(decodeToken(`  ${token}\n`), plain, 'surrounding whitespace is ignored');
  }
});

test('token: malformed tokens say what is wrong', () => {
  const good = caseOf(VARIANT_CASES[0]!);
  const token = encodeToken(good);
  assert.match(tokenError('sc2.' + token.slice(4)), 'expected a token starting with \'sc1.\'');
  assert.match(tokenError('hello'), 'sc1.');
  assert.match(tokenError(token.slice(0, 20) + '+/=' + token.slice(20)), 'not base64url');
  assert.match(tokenError(token.slice(0, 20) + ' ' + token.slice(20)), 'not base64url');
  assert.match(tokenError('sc1.'), 'not base64url');
  assert.match(tokenError(token.slice(0, Math.floor(token.length / 2))), 'does not inflate');
  assert.match(tokenError(`sc1.${deflateRawSync(Buffer.from('{"config": ')).toString('base64url')}`), 'not JSON');
  assert.match(tokenError(tokenOf(null)), 'no case inside');
  assert.match(tokenError(tokenOf(7)), 'no case inside');
  assert.match(tokenError(tokenOf({ program: good.program, schedule: good.schedule })), 'no configuration');
  assert.match(tokenError(tokenOf({ ...good, config: 'tiny' })), 'no configuration');
  const badKnob = tokenError(tokenOf({ ...good, config: { ...good.config, HAKMEM_TINY_CAP: -1 } }));
  assert.match(badKnob, 'bad configuration');
  assert.match(badKnob, 'HAKMEM_TINY_CAP');
  assert.match(tokenError(tokenOf({ ...good, config: { HAKMEM_NO_SUCH_KNOB: 1 } })), 'HAKMEM_NO_SUCH_KNOB');
  assert.match(tokenError(tokenOf({ ...good, config: { ...good.config, variants: ['no-such-variant'] } })), 'bad configuration');
  const noProgram = 'no valid program';
  assert.match(tokenError(tokenOf({ config: good.config, schedule: good.schedule })), noProgram);
  assert.match(tokenError(tokenOf({ ...good, program: { threads: [] } })), noProgram);
  assert.match(tokenError(tokenOf({ ...good, program: { threads: [[{ op: 'alloc', size: -1 }]] } })), noProgram);
  assert.match(tokenError(tokenOf({ ...good, program: { threads: [[{ op: 'free', from: 0 }]] } })), noProgram);
  assert.match(tokenError(tokenOf({ ...good, program: { threads: [[{ op: 'jump' }]] } })), noProgram);
  assert.match(tokenError(tokenOf({ ...good, program: { threads: [{ op: 'drain' }] } })), noProgram);
  const noSchedule = 'no valid schedule';
  assert.match(tokenError(tokenOf({ ...good, schedule: undefined })), noSchedule);
  assert.match(tokenError(tokenOf({ ...good, schedule: { kind: 'random' } })), noSchedule);
  assert.match(tokenError(tokenOf({ ...good, schedule: { kind: 'preempt', quanta: [], points: [[0, 1]] } })), noSchedule);
  assert.match(tokenError(tokenOf({ ...good, schedule: { kind: 'preempt', quanta: [-1], points: [] } })), noSchedule);
  assert.match(tokenError(tokenOf({ ...good, schedule: { kind: 'preempt', quanta: [], points: [], reads: [[0, 1]] } })), noSchedule);
  assert.match(tokenError(tokenOf({ ...good, schedule: { kind: 'pct', priorities: [0.5], changes: [] } })), noSchedule);
  assert.match(tokenError(tokenOf({ ...good, atomicOps: 'yes' })), 'atomicOps is not a boolean');
  // the same values, well formed, decode
  assert.equal(decodeToken(tokenOf({ ...good, atomicOps: false })), { ...good, atomicOps: false });
});

// --------------------------------------------------------------------------- report

const RACY = caseOf(VARIANT_CASES.find((v) => v.variant === 'remote-push-racy')!);

test('report: makeReport, markdown and terminalText carry the rule, program, schedule and replay token', () => {
  const o = execute(RACY, { trace: true });
  const r = makeReport(RACY, o);
  const rule = ruleById('INV-CONSERVATION')!.statement;
  assert.equal(r.invariant, { id: 'INV-CONSERVATION', rule });
  assert.equal(r.program, programText(RACY.program));
  assert.equal(r.program, ['T0: alloc(300); alloc(300)', 'T1: free(T0#0)', 'T2: free(T0#1)']);
  assert.is(r.schedule, scheduleText(RACY.schedule));
  assert.is(r.schedule, 'round robin, T0 2 ops a turn, preempting T1 before write 2 of its op 0');
  // 4 operations; 2 schedule entries: the preemption point and the quantum > 1
  assert.equal(r.size, { ops: 4, switches: 2, steps: 6 });
  assert.is(r.replay, `npx slabcheck replay ${r.token}`);
  assert.equal(decodeToken(r.token), RACY);
  assert.is(r.phase, 'program');
  assert.ok(r.stateDiff.some((c) => c.path.startsWith('superslabs.0.slots.0.')), 'the diff shows the slot the violation names');

  const md = markdown(r);
  assert.ok(md.startsWith(`# INV-CONSERVATION: ${o.violation!.what}\n`));
  for (const s of [`**Rule:** ${rule}`, ...r.program, `**Schedule:** ${r.schedule}`, r.replay, '```mermaid\nsequenceDiagram', '## State diff']) {
    assert.ok(md.includes(s), s);
  }
  const term = terminalText(r);
  assert.is(term[0], `VIOLATION INV-CONSERVATION: ${o.violation!.what}`);
  const all = term.join('\n');
  for (const s of [`rule:     ${rule}`, ...r.program.map((l) => `    ${l}`), r.schedule, `replay: ${r.replay}`, 'size: 6 steps']) assert.ok(all.includes(s), s);
});

test('report: the Mermaid diagram starts with sequenceDiagram and escapes # and ;', () => {
  const r = makeReport(RACY, execute(RACY, { trace: true }));
  const lines = mermaid(r);
  assert.is(lines[0], 'sequenceDiagram');
  assert.equal(lines.slice(1, 5), ['  participant T0', '  participant T1', '  participant T2', '  participant heap']);
  const t1Free = r.trace.find((e) => e.thread === 1 && e.kind === 'start')!.text;
  assert.ok(t1Free.startsWith('free(T0#0) -> T0.a0 @0x'), t1Free);
  assert.ok(lines.includes(`  T1->>heap: ${t1Free.replace('#', '#35;')}`));
  assert.ok(lines.includes('  Note over T1: preempted mid-operation'), 'T1 is preempted inside its free');
  assert.ok(lines[lines.length - 1]!.startsWith('  Note over heap: VIOLATION INV-CONSERVATION: '));
  // hand-added text with both characters
  const odd = { ...r, trace: [...r.trace, { step: 99, thread: 0, kind: 'event' as const, text: 'a;b #c' }] };
  const oddLines = mermaid(odd);
  assert.ok(oddLines.includes('  Note over heap: a#59;b #35;c'));
  for (const l of oddLines) assert.not.match(l.replace(/#(35|59);/g, ''), /[#;]/, l);
});

test('report: two replays of the same token give the same report, byte for byte', () => {
  const token = encodeToken(RACY);
  const a = replay(token);
  const b = replay(token);
  assert.ok(a !== null && b !== null);
  assert.is(JSON.stringify(a), JSON.stringify(b));
  assert.is(markdown(a!), markdown(b!));
  assert.equal(terminalText(a!), terminalText(b!));
  assert.is(a!.token, token);
  assert.is(replay(encodeToken(caseOf(VARIANT_CASES[8]!, false))), null, 'a passing case has no report');
});

test.run();
