// Record locators and packed-word codecs: each derivation once, for impl/, the audit, the
// observer and the model alike. Locators of geometry take anything with the
// configuration's sizes (a Config, or a snapshot's Limits); locators of words take the heap's
// Layout (layout.ts); addresses read the SuperSlab table (a Table: a Heap is one).
import { HEADER_MAGIC, STRIDES } from './sizeclass.js';
import { type Layout, S, SL, T, TF } from './layout.js';

/** The sizes slot ids and block addresses derive from (Config and Limits both have them). */
export interface Geometry {
  slabsPerSS: number;
  slabBytes: number;
  /** Bytes of slab 0 taken by the SuperSlab header. */
  slab0Header: number;
}

// ---------------------------------------------------------------- geometry

/** SuperSlab index of slot `slot`. */
export function ssOfSlot(g: Pick<Geometry, 'slabsPerSS'>, slot: number): number {
  return Math.floor(slot / g.slabsPerSS);
}

/** Slab index of slot `slot` within its SuperSlab. */
export function slabOfSlot(g: Pick<Geometry, 'slabsPerSS'>, slot: number): number {
  return slot % g.slabsPerSS;
}

/** Slot id of slab `slab` of SuperSlab `ss`. */
export function slotId(g: Pick<Geometry, 'slabsPerSS'>, ss: number, slab: number): number {
  return ss * g.slabsPerSS + slab;
}

/** Slab index, within the SuperSlab at `ssBase`, of the address `addr` inside it. */
export function slabAt(g: Pick<Geometry, 'slabBytes'>, ssBase: number, addr: number): number {
  return Math.floor((addr - ssBase) / g.slabBytes);
}

/** Offset in its SuperSlab of the first block of slab `slab` (slab 0 starts after the SuperSlab header). */
export function slabOffset(g: Geometry, slab: number): number {
  return slab === 0 ? g.slab0Header : slab * g.slabBytes;
}

/** Address of the first block of slab `slab` of the SuperSlab at `ssBase`. */
export function slabStart(g: Geometry, ssBase: number, slab: number): number {
  return ssBase + slabOffset(g, slab);
}

// ---------------------------------------------------------------- words

/** i32 index of SuperSlab table entry `ss` (S.* offsets). */
export function ssIndex(h: { L: Layout }, ss: number): number {
  return h.L.ss + ss * S.WORDS;
}

/** i32 index of slot `slot`'s words (SL.* offsets). */
export function slotIndex(h: { L: Layout }, slot: number): number {
  return h.L.slots + slot * SL.WORDS;
}

/** i32 index of thread slot `slot`'s words (T.* offsets). */
export function threadWords(h: { L: Layout }, slot: number): number {
  return h.L.threads + slot * T.WORDS;
}

/** f64 index of thread slot `slot`'s words (TF.* offsets). */
export function threadCells(h: { L: Layout }, slot: number): number {
  return h.L.threadsF + slot * TF.WORDS;
}

/** f64 index of thread slot `slot`'s event counters. */
export function threadCounters(h: { L: Layout }, slot: number): number {
  return threadCells(h, slot) + TF.COUNTERS;
}

/** i32 index of class `cls`'s registry (sim.max_superslabs entries: ss index + 1). */
export function registryBase(h: { L: Layout; cfg: { maxSuperSlabs: number } }, cls: number): number {
  return h.L.registry + cls * h.cfg.maxSuperSlabs;
}

// ---------------------------------------------------------------- addresses (read the table)

/** What the address locators read: the layout, the SuperSlab table and slot words (i32), the sizes (a Heap has them). */
export interface Table {
  readonly L: Layout;
  readonly i32: Int32Array;
  readonly cfg: Geometry & { pageBytes: number };
}

/**
 * A plain read of word `w` at a quiescent point (the audit: no operation in progress on any
 * thread, so nothing to order against — as steps.ts peekCell reads cells, and the locators
 * here read the table). steps.ts peek is an atomic load, a call into the engine on Node 20:
 * twice the cost of the audit's decode at 65,530 SuperSlabs.
 */
export const peekQuiet = (h: { readonly i32: Int32Array }, w: number): number => h.i32[w]!;

/** The SuperSlab header's first cell (at its base); the second names the table entry + 1. */
export const SS_MAGIC = 0x5ca1ab1e;

/** Address of SuperSlab `ss` (its table entry's base page). */
export function ssBase(h: Table, ss: number): number {
  return h.i32[ssIndex(h, ss) + S.BASE_PAGE]! * h.cfg.pageBytes;
}

/** Address of the first block of `slot`'s slab. */
export function dataStart(h: Table, slot: number): number {
  return slabStart(h.cfg, ssBase(h, ssOfSlot(h.cfg, slot)), slabOfSlot(h.cfg, slot));
}

/** Address of block `idx` of `slot` (its class's stride apart). */
export function blockAddress(h: Table, slot: number, idx: number): number {
  return dataStart(h, slot) + idx * STRIDES[h.i32[slotIndex(h, slot) + SL.CLASS]!]!;
}

/** Index within `slot` of the block at `base`. */
export function blockIndex(h: Table, slot: number, base: number): number {
  return (base - dataStart(h, slot)) / STRIDES[h.i32[slotIndex(h, slot) + SL.CLASS]!]!;
}

// ---------------------------------------------------------------- packed words

/** S.WORD: state (SS_*) << 16 | pins. */
export const PIN_MASK = 0xffff;
export const ssWord = (state: number, pins: number): number => (state << 16) | pins;
export const ssState = (word: number): number => word >>> 16;
export const ssPins = (word: number): number => word & PIN_MASK;

/** Block header byte (seed 004 §2): 0xa0 | class. */
export function headerByte(cls: number): number {
  return HEADER_MAGIC | cls;
}

/**
 * Block cell (the f64 at the block's base, os/pages.ts): link * 512 + live * 256 + header.
 * header: headerByte(class); live: handed to the user and not freed since; link: next
 * block — a local index + 1 on the freelist and remote queue, an address / 8 on thread caches.
 */
export const LIVE = 256;
const LINK = 512;
// v % 2^k as v - trunc(v / 2^k) * 2^k: the same value for every double (the division by a
// power of two is exact), without the call to fmod that `%` on a non-int32 cell compiles to.
export const cellHeader = (v: number): number => v - Math.trunc(v / 256) * 256;
export const cellLive = (v: number): boolean => v - Math.trunc(v / LINK) * LINK >= LIVE;
export const cellLink = (v: number): number => Math.floor(v / LINK);
export const makeCell = (link: number, live: boolean, header: number): number =>
  link * LINK + (live ? LIVE : 0) + header;

/**
 * H.EMPTY_HEAD (stage 1 lists): tag << 22 | slot + 1. The 10-bit tag is bumped by every
 * successful CAS (pool/empty-list.ts: ABA would need 1024 such CASes inside one pop).
 */
const SLOT_BITS = 22;
const SLOT_MASK = (1 << SLOT_BITS) - 1;
const TAG_MASK = (1 << (32 - SLOT_BITS)) - 1;
/** The slot + 1 a list head names (0: empty). */
export const headSlot = (head: number): number => head & SLOT_MASK;
/** The next head value: `slotPlus1` under a tag one past `head`'s. */
export const retag = (head: number, slotPlus1: number): number =>
  ((((head >>> SLOT_BITS) + 1) & TAG_MASK) << SLOT_BITS) | slotPlus1;
