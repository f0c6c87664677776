// The heap state a person reads at each step: the audit snapshot (model/audit.ts) as
// rows of four tables — SuperSlabs, slabs, threads, the shared pool and the simulated
// OS — keyed `table:id` so that one step's rows can be told from the step before's.
// Frames travel as deltas (only the rows that changed), which keeps a 200-step page small.
import type { SlotSnap, Snapshot, ThreadSnap } from '../model/audit.js';
import { ORPHAN } from '../impl/layout.js';
import type { Frame } from '../properties/execute.js';

export type Row = string[];
export type Rows = Record<string, Row>;

export interface Table {
  id: string;
  title: string;
  columns: string[];
}

export const TABLES: readonly Table[] = [
  { id: 'ss', title: 'SuperSlabs', columns: ['SuperSlab', 'state', 'LRU', 'active blocks', 'active slots', 'UNUSED slots', 'pins'] },
  { id: 'slab', title: 'Slabs', columns: ['slab', 'class', 'state', 'used / capacity', 'carved', 'freelist', 'remote queue', 'owner', 'live'] },
  { id: 'thread', title: 'Threads', columns: ['thread', 'cache (TLS SLL)', 'thread list', 'bound slabs'] },
  { id: 'pool', title: 'Shared pool and simulated OS', columns: ['what', 'value'] },
];

const list = (items: readonly (number | string)[]): string => (items.length === 0 ? '—' : items.join(' '));
const chain = (c: { items: readonly number[]; cycle: boolean }): string => `${list(c.items.map((i) => `#${i}`))}${c.cycle ? ' … (cycle)' : ''}`;
const byClass = (per: readonly string[]): string => list(per.flatMap((text, cls) => (text === '' ? [] : [`C${cls}: ${text}`])));

/** Names virtual threads by their allocator thread id: T0, T1 …, the epilogue's janitor Q. */
export function threadNamer(tids: readonly number[], janitor: boolean): (tid: number) => string {
  return (tid) => {
    const i = tids.indexOf(tid);
    if (i < 0) return `tid ${tid}`;
    return janitor && i === tids.length - 1 ? 'Q' : `T${i}`;
  };
}

/** Slot state as the issue names it: an ACTIVE slab whose thread exited is ORPHAN (seed 004 §4.2). */
export function slabState(slot: SlotSnap): string {
  return slot.state === 'ACTIVE' && slot.owner === ORPHAN ? 'ORPHAN' : slot.state;
}

export function heapRows(s: Snapshot, name: (tid: number) => string): Rows {
  const rows: Rows = {};
  for (const ss of s.superslabs) {
    const lru = s.lru.indexOf(ss.index);
    rows[`ss:${ss.index}`] = [`SS${ss.index}`, ss.state, lru < 0 ? '—' : `#${lru + 1} of ${s.lru.length}`, String(ss.active), String(ss.activeSlots), String(ss.unused), String(ss.pins)];
    for (const slot of ss.slots) {
      const unused = slot.state === 'UNUSED';
      rows[`slab:${slot.slot}`] = [
        `SS${ss.index} slab ${slot.slab} (slot ${slot.slot})`,
        unused ? '—' : `C${slot.cls}`,
        slabState(slot),
        unused ? '—' : `${slot.used} / ${slot.capacity}`,
        String(slot.carved),
        chain(slot.freelist),
        `${chain(slot.remote)} (count ${slot.remoteCount})`,
        unused || slot.owner === ORPHAN ? '—' : name(slot.owner),
        list(slot.live.map((i) => `#${i}`)),
      ];
    }
  }
  for (const t of s.threads) rows[`thread:${t.tid}`] = threadRow(t, name);
  const pool: [string, string][] = [
    ['clock', `${s.nowMs} ms`],
    ['UNUSED slots', String(s.unusedSlots)],
    ['ACTIVE slots per class', byClass(s.classActive.map((n) => (n === 0 ? '' : String(n))))],
    ['stage 1 EMPTY lists', byClass(s.emptyLists.map((l) => (l.items.length === 0 ? '' : chain({ items: l.items, cycle: l.cycle }).replace(/#/g, 'slot '))))],
    ['registry', byClass(s.registry.map((r) => (r.length === 0 ? '' : r.map((i) => `SS${i}`).join(' '))))],
    ['LRU', `${list(s.lru.map((i) => `SS${i}`))} (count ${s.lruCount})`],
    ['pool lock', s.poolLockHeld ? 'held' : 'free'],
    ['SuperSlabs mapped (in the pool)', `${s.os.ssLive} (${s.os.ssPool})`],
    ['mappings, mapped, resident', `${s.os.vmaCount}, ${s.os.mappedBytes} B, ${s.os.rssBytes} B`],
    ['legacy blocks (pages)', `${s.legacyLive} (${s.legacyPages})`],
  ];
  pool.forEach((row, i) => {
    rows[`pool:${i}`] = row;
  });
  return rows;
}

function threadRow(t: ThreadSnap, name: (tid: number) => string): Row {
  const blocks = (lists: ThreadSnap['sll']): string =>
    byClass(lists.map((bs) => bs.map((b) => `slot ${b.slot}#${b.index}${b.headerOk ? '' : '!'}`).join(' ')));
  return [`${name(t.tid)} (tid ${t.tid})`, blocks(t.sll), blocks(t.threadList), byClass(t.bound.map((slot) => (slot < 0 ? '' : `slot ${slot}`)))];
}

/** Pool row indices by topic (heapRows' order), for the rows a violation names. */
const POOL = { classes: [2, 3, 4], lru: [5], pool: [1, 2, 6, 7], os: [7, 8, 9] } as const;

/**
 * The rows a violation's `where` names (model/rules/ writes it): a slot, a
 * SuperSlab, a thread's cache, a class, the LRU, the shared pool, the simulated OS.
 */
export function namedRows(where: string, s: Snapshot | undefined, tids: readonly number[]): string[] {
  const keys: string[] = [];
  const slot = /\bslot (\d+)/.exec(where);
  const ss = /SuperSlab (\d+)/.exec(where);
  if (slot !== null) keys.push(`slab:${slot[1]}`);
  else if (ss !== null) keys.push(`ss:${ss[1]}`);
  const thread = /thread (\d+)/.exec(where);
  if (thread !== null) keys.push(`thread:${thread[1]}`);
  for (const m of where.matchAll(/\bT(\d+)\b/g)) {
    const tid = tids[Number(m[1])];
    if (tid !== undefined) keys.push(`thread:${tid}`);
  }
  const cls = /class (\d+)/.exec(where);
  if (cls !== null && thread === null) {
    keys.push(...POOL.classes.map((i) => `pool:${i}`));
    for (const x of s?.superslabs ?? []) for (const sl of x.slots) if (sl.state !== 'UNUSED' && sl.cls === Number(cls[1])) keys.push(`slab:${sl.slot}`);
  }
  if (/\bLRU\b/.test(where)) keys.push(...POOL.lru.map((i) => `pool:${i}`), ...(s?.lru ?? []).map((i) => `ss:${i}`));
  if (where.includes('shared pool')) keys.push(...POOL.pool.map((i) => `pool:${i}`));
  if (where.includes('simulated OS')) keys.push(...POOL.os.map((i) => `pool:${i}`));
  return [...new Set(keys)];
}

/** Rows of every frame: the first whole, then each frame's changes (a removed row is null). */
export function frameDeltas(frames: readonly Frame[], name: (tid: number) => string): { full: Rows[]; deltas: Record<string, Row | null>[] } {
  const full = frames.map((f) => heapRows(f.heap, name));
  const deltas = full.map((rows, k) => {
    if (k === 0) return rows;
    const prev = full[k - 1]!;
    const d: Record<string, Row | null> = {};
    for (const [key, row] of Object.entries(rows)) if (prev[key]?.join('\u0000') !== row.join('\u0000')) d[key] = row;
    for (const key of Object.keys(prev)) if (!(key in rows)) d[key] = null;
    return d;
  });
  return { full, deltas };
}
