// The snapshot the model judges (rules/, abstract.ts) and the audit that decodes the
// whole heap into it: the model owns what it judges, and reads the heap only through
// impl/'s locators and readers (peekQuiet, peekCell, os/pages). Read it at a quiescent
// point — no operation half done — or expect the transient states an operation passes
// through. Lists are walked with a bound, so a corrupted (cyclic) list shows up as
// `cycle: true`, never as a hang.
import type { Config } from '../impl/config.js';
import { COUNTER_NAMES, type Counters } from '../impl/counters.js';
import type { Heap } from '../impl/heap.js';
import { H, S, SL, SLOT_ACTIVE, SLOT_EMPTY, SS_CACHED, SS_FREEING, SS_MAPPED, SS_NONE, T, TF } from '../impl/layout.js';
import {
  blockAddress, blockIndex, cellHeader, cellLink, cellLive, headerByte, peekQuiet, slabOfSlot, slotId, slotIndex, SS_MAGIC, ssBase, ssIndex, ssOfSlot,
  ssPins, ssState, threadCells, threadCounters, threadWords,
} from '../impl/locators.js';
import { isMappedPage, readCell, residentCell } from '../impl/os/pages.js';
import { listSlots } from '../impl/pool/empty-list.js';
import { registryEntry } from '../impl/pool/registry.js';
import { NUM_CLASSES, STRIDES } from '../impl/sizeclass.js';
import { slotOfBlock } from '../impl/slab/slab.js';
import { peekCell } from '../impl/steps.js';
import { lruOrder } from '../impl/superslab/lru.js';

export type SlotState = 'UNUSED' | 'ACTIVE' | 'EMPTY';
export type SsState = 'MAPPED' | 'FREEING' | 'CACHED';

/** A decoded list: block indices (freelist, remote queue) or addresses (caches). */
export interface Chain {
  items: readonly number[];
  /** The walk stopped at its bound: the list is cyclic or longer than possible. */
  cycle: boolean;
}

export interface SlotSnap {
  slot: number;
  slab: number;
  state: SlotState;
  cls: number;
  capacity: number;
  carved: number;
  used: number;
  owner: number;
  freelist: Chain;
  remote: Chain;
  remoteCount: number;
  /** Classes whose stage 1 list holds the slot (bitmask). */
  listed: number;
  /** Carved blocks whose cell says live (handed to the user, not freed). */
  live: readonly number[];
  /** Carved blocks whose header byte is not 0xa0 | class. */
  badHeaders: readonly number[];
}

export interface SsSnap {
  index: number;
  gen: number;
  state: SsState;
  pins: number;
  base: number;
  active: number;
  activeSlots: number;
  unused: number;
  hosted: number;
  registered: number;
  stamp: number;
  /** The SuperSlab header at `base` names this entry. */
  headerOk: boolean;
  slots: SlotSnap[];
}

export interface CachedBlock {
  address: number;
  slot: number;
  index: number;
  headerOk: boolean;
}

export interface ThreadSnap {
  tid: number;
  /** Per class: the TLS SLL (seed 001) and, under variant tls-free-skips-used, the thread list. */
  sll: (readonly CachedBlock[])[];
  sllCount: number[];
  sllCycle: boolean[];
  threadList: (readonly CachedBlock[])[];
  threadListCount: number[];
  /** Per class: bound slot id, or -1. */
  bound: number[];
}

export interface OsSnap {
  /** SuperSlabs mapped (pool or LRU), and in the pool alone, now and at the peak. */
  ssLive: number;
  peakSsLive: number;
  ssPool: number;
  peakSsPool: number;
  vmaCount: number;
  mappedBytes: number;
  peakMappedBytes: number;
  rssBytes: number;
  peakRssBytes: number;
  framesInUse: number;
}

/** The configuration the invariants judge against. */
export interface Limits {
  ssBytes: number;
  slabsPerSS: number;
  slabBytes: number;
  slab0Header: number;
  pageBytes: number;
  /** capacity[cls][slab === 0 ? 0 : 1] */
  capacity: number[][];
  lruMaxCached: number;
  lruMaxBytes: number;
  lruTtlMs: number;
  idleTrimMs: number;
  emptyReserve: number;
  /** stage 0.5 (the registry scan for EMPTY slots) is on */
  emptyReuse: boolean;
  /** check.legacy_rules (impl/config.ts) */
  legacyRules: boolean;
  softCap: number;
  maxMapCount: number;
}

export interface Snapshot {
  limits: Limits;
  nowMs: number;
  superslabs: SsSnap[];
  emptyLists: Chain[];
  registry: (readonly number[])[];
  classActive: number[];
  unusedSlots: number;
  emptySlots: number;
  lru: number[];
  lruCount: number;
  threads: ThreadSnap[];
  legacyLive: number;
  legacyPages: number;
  poolLockHeld: boolean;
  os: OsSnap;
  counters: Counters;
}

const SLOT_STATES: Record<number, SlotState> = { 0: 'UNUSED', [SLOT_ACTIVE]: 'ACTIVE', [SLOT_EMPTY]: 'EMPTY' };
const SS_STATES: Record<number, SsState> = { [SS_MAPPED]: 'MAPPED', [SS_FREEING]: 'FREEING', [SS_CACHED]: 'CACHED' };

/** The whole heap, decoded. `counters: false` skips the counter totals (the checker's hot path). */
export function audit(h: Heap, options: { counters?: boolean } = {}): Snapshot {
  const { cfg } = h;
  const superslabs: SsSnap[] = [];
  eachSuperSlab(h, (ss, word) => superslabs.push(decodeSuperSlab(h, ss, word)));
  const { emptyLists, classActive } = classLists(h);
  const registry = new Array<readonly number[]>(NUM_CLASSES);
  for (let cls = 0; cls < NUM_CLASSES; cls++) {
    const size = peekQuiet(h, H.REG_SIZE + cls);
    if (size <= 0) {
      registry[cls] = NONE;
      continue;
    }
    const reg: number[] = [];
    for (let i = 0; i < size; i++) reg.push(registryEntry(h, cls, i));
    registry[cls] = reg;
  }
  const threads: ThreadSnap[] = [];
  for (let slot = 0; slot < cfg.maxThreads; slot++) {
    const tid = peekQuiet(h, threadWords(h, slot) + T.TID);
    if (tid !== 0) threads.push(decodeThread(h, slot, tid));
  }
  const counters = {} as Counters;
  if (options.counters !== false) {
    for (let i = 0; i < COUNTER_NAMES.length; i++) {
      let sum = peekCell(h, h.L.retired + i);
      for (let slot = 0; slot < cfg.maxThreads; slot++) sum += peekCell(h, threadCounters(h, slot) + i);
      counters[COUNTER_NAMES[i]!] = sum;
    }
  }
  const page = cfg.pageBytes;
  return {
    limits: limitsOf(cfg),
    nowMs: peekQuiet(h, H.NOW_MS),
    superslabs,
    emptyLists,
    registry,
    classActive,
    unusedSlots: peekQuiet(h, H.UNUSED_SLOTS),
    emptySlots: peekQuiet(h, H.EMPTY_SLOTS),
    lru: lruOrder(h),
    lruCount: peekQuiet(h, H.LRU_COUNT),
    threads,
    legacyLive: peekQuiet(h, H.LEGACY_LIVE),
    legacyPages: peekQuiet(h, H.LEGACY_PAGES),
    poolLockHeld: peekQuiet(h, H.POOL_LOCK) !== 0,
    os: {
      ssLive: peekQuiet(h, H.SS_LIVE),
      peakSsLive: peekQuiet(h, H.PEAK_SS_LIVE),
      ssPool: peekQuiet(h, H.SS_POOL),
      peakSsPool: peekQuiet(h, H.PEAK_SS_POOL),
      vmaCount: peekQuiet(h, H.VMA_COUNT),
      mappedBytes: peekQuiet(h, H.MAPPED_PAGES) * page,
      peakMappedBytes: peekQuiet(h, H.PEAK_MAPPED_PAGES) * page,
      rssBytes: peekQuiet(h, H.RESIDENT) * page,
      peakRssBytes: peekQuiet(h, H.PEAK_RESIDENT) * page,
      framesInUse: peekQuiet(h, H.FRAME_HIGH) - peekQuiet(h, H.FRAME_TOP),
    },
    counters,
  };
}

/**
 * What the pool's decisions and trim are judged on (rules/decision.ts, trim-oracle.ts): per
 * class its stage 1 list and ACTIVE count, each SuperSlab's state, counts and hosted
 * classes and its slots' states — no blocks and no threads, so that it is cheap enough to
 * take at every claim. An audit snapshot is one too.
 */
export interface PoolView {
  limits: Limits;
  emptyLists: Chain[];
  classActive: number[];
  superslabs: (Pick<SsSnap, 'index' | 'state' | 'pins' | 'active' | 'hosted'> & { slots: Pick<SlotSnap, 'slot' | 'slab' | 'state'>[] })[];
}

/** The heap's PoolView (the same fields an audit decodes, read the same way). */
export function poolView(h: Heap): PoolView {
  const { cfg } = h;
  const superslabs: PoolView['superslabs'] = [];
  eachSuperSlab(h, (ss, word) => {
    const slots = new Array<Pick<SlotSnap, 'slot' | 'slab' | 'state'>>(cfg.slabsPerSS);
    for (let slab = 0; slab < cfg.slabsPerSS; slab++) {
      const slot = slotId(cfg, ss, slab);
      slots[slab] = { slot, slab, state: slotState(h, slot) };
    }
    const e = ssIndex(h, ss);
    superslabs.push({ index: ss, state: SS_STATES[ssState(word)]!, pins: ssPins(word), active: peekQuiet(h, e + S.ACTIVE), hosted: peekQuiet(h, e + S.HOSTED), slots });
  });
  return { limits: limitsOf(cfg), ...classLists(h), superslabs };
}

// Each SuperSlab table entry in use (mapped, freeing or cached), in table order, with its state word.
function eachSuperSlab(h: Heap, f: (ss: number, word: number) => void): void {
  const high = peekQuiet(h, H.SS_HIGH);
  for (let ss = 0; ss < high; ss++) {
    const word = peekQuiet(h, ssIndex(h, ss) + S.WORD);
    if (ssState(word) !== SS_NONE) f(ss, word);
  }
}

// Per class: the stage 1 list of EMPTY slots and the ACTIVE count.
function classLists(h: Heap): { emptyLists: Chain[]; classActive: number[] } {
  const { cfg } = h;
  const emptyLists = new Array<Chain>(NUM_CLASSES);
  const classActive = new Array<number>(NUM_CLASSES);
  for (let cls = 0; cls < NUM_CLASSES; cls++) {
    const items = listSlots(h, cls);
    emptyLists[cls] = items.length === 0 ? EMPTY_CHAIN : { items, cycle: items.length > cfg.maxSuperSlabs * cfg.slabsPerSS };
    classActive[cls] = peekQuiet(h, H.CLASS_ACTIVE + cls);
  }
  return { emptyLists, classActive };
}

const slotState = (h: Heap, slot: number): SlotState => SLOT_STATES[peekQuiet(h, slotIndex(h, slot) + SL.STATE)] ?? 'UNUSED';

const limitsMemo = new WeakMap<Config, Limits>();

// A configuration's limits, built once (snapshots share them; nobody mutates them).
function limitsOf(cfg: Config): Limits {
  let limits = limitsMemo.get(cfg);
  if (limits !== undefined) return limits;
  const capacity: number[][] = [];
  for (let cls = 0; cls < NUM_CLASSES; cls++) capacity.push([cfg.capacity[cls * 2]!, cfg.capacity[cls * 2 + 1]!]);
  limits = {
    ssBytes: cfg.ssBytes,
    slabsPerSS: cfg.slabsPerSS,
    slabBytes: cfg.slabBytes,
    slab0Header: cfg.slab0Header,
    pageBytes: cfg.pageBytes,
    capacity,
    lruMaxCached: cfg.lruMaxCached,
    lruMaxBytes: cfg.lruMaxBytes,
    lruTtlMs: cfg.lruTtlMs,
    idleTrimMs: cfg.idleTrimMs,
    emptyReserve: cfg.emptyReserve,
    emptyReuse: cfg.emptyReuse,
    legacyRules: cfg.legacyRules,
    softCap: cfg.softCap,
    maxMapCount: cfg.maxMapCount,
  };
  limitsMemo.set(cfg, limits);
  return limits;
}

function decodeSuperSlab(h: Heap, ss: number, word: number): SsSnap {
  const { cfg } = h;
  const e = ssIndex(h, ss);
  const base = ssBase(h, ss);
  const mapped = isMappedPage(h, base / cfg.pageBytes);
  // Sized up front: a pushed-to array grows to 17 elements, and at 65,530 SuperSlabs the
  // audit's time goes mostly to the garbage collector copying what it allocated.
  const slots = new Array<SlotSnap>(cfg.slabsPerSS);
  for (let slab = 0; slab < cfg.slabsPerSS; slab++) slots[slab] = decodeSlot(h, slotId(cfg, ss, slab), mapped);
  return {
    index: ss,
    gen: peekQuiet(h, e + S.GEN),
    state: SS_STATES[ssState(word)]!,
    pins: ssPins(word),
    base,
    active: peekQuiet(h, e + S.ACTIVE),
    activeSlots: peekQuiet(h, e + S.ACTIVE_SLOTS),
    unused: peekQuiet(h, e + S.UNUSED),
    hosted: peekQuiet(h, e + S.HOSTED),
    registered: peekQuiet(h, e + S.REGISTERED),
    stamp: peekQuiet(h, e + S.STAMP),
    headerOk: mapped && headerNames(h, base, ss),
    slots,
  };
}

// The header of the mapped SuperSlab at `base` (its first two cells, on one page: one
// page-table walk) names table entry `ss`; an untouched page reads 0, so not.
function headerNames(h: Heap, base: number, ss: number): boolean {
  const cell = residentCell(h, base);
  return cell >= 0 && peekCell(h, cell) === SS_MAGIC && peekCell(h, cell + 1) === ss + 1;
}

/** Bytes mapped now (the simulated kernel's count), without decoding the heap. */
export function mappedBytes(h: Heap): number {
  return peekQuiet(h, H.MAPPED_PAGES) * h.cfg.pageBytes;
}

/** A SuperSlab's active blocks and pins (for an observer judging a single event). */
export function superSlabCounts(h: Heap, ss: number): { active: number; pins: number } {
  const e = ssIndex(h, ss);
  return { active: peekQuiet(h, e + S.ACTIVE), pins: ssPins(peekQuiet(h, e + S.WORD)) };
}

/** One slot, decoded (for an observer judging a single event). */
export function slotSnapshot(h: Heap, slot: number): SlotSnap {
  const base = ssBase(h, ssOfSlot(h.cfg, slot));
  return decodeSlot(h, slot, isMappedPage(h, base / h.cfg.pageBytes));
}

function decodeSlot(h: Heap, slot: number, mapped: boolean): SlotSnap {
  const w = slotIndex(h, slot);
  const state = slotState(h, slot);
  const cls = peekQuiet(h, w + SL.CLASS);
  const capacity = peekQuiet(h, w + SL.CAP);
  const carved = peekQuiet(h, w + SL.CARVED);
  const active = state !== 'UNUSED' && mapped;
  // Collected in the scratch arrays, then copied at their exact length (see decodeSuperSlab).
  let nLive = 0;
  let nBad = 0;
  if (active) {
    const start = blockAddress(h, slot, 0);
    const stride = STRIDES[cls]!;
    const header = headerByte(cls);
    for (let idx = 0; idx < carved; idx++) {
      const v = readCell(h, start + idx * stride);
      if (cellLive(v)) scratchLive[nLive++] = idx;
      if (cellHeader(v) !== header) scratchBad[nBad++] = idx;
    }
  }
  const live = nLive === 0 ? NONE : scratchLive.slice(0, nLive);
  const badHeaders = nBad === 0 ? NONE : scratchBad.slice(0, nBad);
  return {
    slot,
    slab: slabOfSlot(h.cfg, slot),
    state,
    cls,
    capacity,
    carved,
    used: peekQuiet(h, w + SL.USED),
    owner: peekQuiet(h, w + SL.OWNER),
    freelist: active ? walk(h, slot, capacity, peekQuiet(h, w + SL.FREE)) : noChain(),
    remote: active ? walk(h, slot, capacity, peekQuiet(h, w + SL.RHEAD)) : noChain(),
    remoteCount: peekQuiet(h, w + SL.RCOUNT),
    listed: peekQuiet(h, w + SL.LISTED),
    live,
    badHeaders,
  };
}

const scratchLive: number[] = [];
const scratchBad: number[] = [];

// The empty list and chain every snapshot shares (most slots have an empty remote queue and
// no bad header, most stage 1 lists are empty), so code that edits a snapshot must replace
// them, never push or assign. The lists are readonly by type only: V8 iterates a frozen
// array (for...of) through a generic iterator object, an allocation per loop in the rules.
const NONE: readonly number[] = [];
const EMPTY_CHAIN: Chain = Object.freeze({ items: NONE, cycle: false });
const noChain = (): Chain => EMPTY_CHAIN;

// A slab's freelist or remote queue from its head (local index + 1), bounded by its capacity.
function walk(h: Heap, slot: number, capacity: number, head: number): Chain {
  if (head === 0) return noChain();
  const items: number[] = [];
  let next = head;
  while (next !== 0 && items.length <= capacity) {
    items.push(next - 1);
    next = next - 1 < capacity ? cellLink(readCell(h, blockAddress(h, slot, next - 1))) : 0;
  }
  return { items, cycle: items.length > capacity };
}

function decodeThread(h: Heap, slot: number, tid: number): ThreadSnap {
  const ti = threadWords(h, slot);
  const tf = threadCells(h, slot);
  let cached = false;
  let bound = false;
  for (let cls = 0; cls < NUM_CLASSES; cls++) {
    cached ||= peekQuiet(h, ti + T.SLL_COUNT + cls) !== 0 || peekQuiet(h, ti + T.TL_COUNT + cls) !== 0 || peekCell(h, tf + TF.SLL_HEAD + cls) !== 0 || peekCell(h, tf + TF.TL_HEAD + cls) !== 0;
    bound ||= peekQuiet(h, ti + T.BOUND + cls) !== 0;
  }
  // sized up front, like a SuperSlab's slots (decodeSuperSlab); a thread with empty caches
  // (most, once drained) or no bound slab shares those lists (see NONE)
  const snap: ThreadSnap = {
    tid, sll: perClass(cached, NO_CACHE.sll), sllCount: perClass(cached, NO_CACHE.sllCount), sllCycle: perClass(cached, NO_CACHE.sllCycle),
    threadList: perClass(cached, NO_CACHE.threadList), threadListCount: perClass(cached, NO_CACHE.threadListCount), bound: perClass(bound, NO_BOUND),
  };
  for (let cls = 0; cls < NUM_CLASSES; cls++) {
    if (bound) snap.bound[cls] = peekQuiet(h, ti + T.BOUND + cls) - 1;
    if (!cached) continue;
    const sllCount = peekQuiet(h, ti + T.SLL_COUNT + cls);
    const sll = cacheChain(h, peekCell(h, tf + TF.SLL_HEAD + cls), sllCount, cls);
    const tlCount = peekQuiet(h, ti + T.TL_COUNT + cls);
    snap.sll[cls] = sll;
    snap.sllCount[cls] = sllCount;
    snap.sllCycle[cls] = sll.length > sllCount;
    snap.threadList[cls] = cacheChain(h, peekCell(h, tf + TF.TL_HEAD + cls), tlCount, cls);
    snap.threadListCount[cls] = tlCount;
  }
  return snap;
}

// A list with a place per class to fill, or the shared `empty` one when there is nothing to put in it.
const perClass = <V>(fill: boolean, empty: V[]): V[] => (fill ? new Array<V>(NUM_CLASSES) : empty);

// A thread cache's list of class `cls` from its head, walked to one past its count (longer: a cycle).
function cacheChain(h: Heap, head: number, count: number, cls: number): readonly CachedBlock[] {
  if (head === 0) return NO_BLOCKS;
  const blocks: CachedBlock[] = [];
  let address = head;
  while (address !== 0 && blocks.length <= count) {
    const cell = residentCell(h, address);
    const v = cell < 0 ? 0 : peekCell(h, cell);
    const s = slotOfBlock(h, address);
    blocks.push({ address, slot: s, index: blockIndex(h, s, address), headerOk: cellHeader(v) === headerByte(cls) });
    address = cellLink(v) * 8;
  }
  return blocks;
}

// The empty cache list every snapshot shares (most are empty): readonly, like NONE; and
// the lists of a thread whose caches are all empty, and the bound slabs of one with none.
const NO_BLOCKS: readonly CachedBlock[] = [];
const NO_CACHE: Omit<ThreadSnap, 'tid' | 'bound'> = {
  sll: new Array(NUM_CLASSES).fill(NO_BLOCKS), sllCount: new Array(NUM_CLASSES).fill(0), sllCycle: new Array(NUM_CLASSES).fill(false),
  threadList: new Array(NUM_CLASSES).fill(NO_BLOCKS), threadListCount: new Array(NUM_CLASSES).fill(0),
};
const NO_BOUND: number[] = new Array(NUM_CLASSES).fill(-1);
