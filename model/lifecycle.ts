// The lifecycle machines (docs/architecture.md §7): the legal life of a slab slot and of a
// SuperSlab, as xstate machines. Guards state the conditions under which a transition
// is legal; they read the facts an observer attaches to each event (taken from the heap
// at the moment the allocator reports it). The machines are the single definition:
// the hot check uses a lookup table derived from them once (xstate's own `transition`
// runs ~60k/s here), and coverage counts their edges as xstate/graph lists them.
//
// Slot:      UNMAPPED -MAP-> UNUSED -CLAIM-> ACTIVE -RELEASE-> EMPTY -CLAIM-> ACTIVE ...
//            (design card: UNUSED -> ACTIVE -> EMPTY -> cached -> unmapped)
// SuperSlab: UNMAPPED -MAP-> MAPPED -CACHE-> CACHED -REUSE-> MAPPED | -UNMAP-> UNMAPPED
import { setup } from 'xstate';
import { toDirectedGraph } from 'xstate/graph';
import {
  STAGE_CAP_RECLAIM, STAGE_EMPTY_LIST, STAGE_EMPTY_SCAN, STAGE_NEW_SS, STAGE_UNUSED,
} from '../impl/events.js';

/** Facts about the heap when the event happened (absent when the event needs none). */
export interface LifecycleEvent {
  type: 'MAP' | 'CLAIM' | 'RELEASE' | 'RESET' | 'CACHE' | 'REUSE' | 'UNMAP';
  /** CLAIM: the shared pool stage that found the slot (impl/events.ts STAGE_*). */
  stage?: number;
  /** RELEASE: the slab's `used`, blocks on its remote queue, live blocks. */
  used?: number;
  queued?: number;
  live?: number;
  /** The SuperSlab's total_active_blocks and pins. */
  ssActive?: number;
  ssPins?: number;
}

const guards = {
  /** Stages 2 and 3 hand out UNUSED slots (seed 004 §1.2). */
  fromUnusedStage: ({ event }: { event: LifecycleEvent }) => event.stage === STAGE_UNUSED || event.stage === STAGE_NEW_SS,
  /** Stages 0.5 and 1, and the soft-cap reclaim, hand out EMPTY slots. */
  fromEmptyStage: ({ event }: { event: LifecycleEvent }) =>
    event.stage === STAGE_EMPTY_SCAN || event.stage === STAGE_EMPTY_LIST || event.stage === STAGE_CAP_RECLAIM,
  /** EMPTY only with used 0, nothing queued and nothing live (seeds 000/004). */
  drained: ({ event }: { event: LifecycleEvent }) => event.used === 0 && event.queued === 0 && event.live === 0,
  /** A SuperSlab leaves the pool only with no active block and no thread holding it (seed 003 §1.1). */
  idle: ({ event }: { event: LifecycleEvent }) => event.ssActive === 0 && event.ssPins === 0,
};

export const slotMachine = setup({ types: {} as { events: LifecycleEvent }, guards }).createMachine({
  id: 'slot',
  initial: 'UNMAPPED',
  states: {
    UNMAPPED: { on: { MAP: 'UNUSED' } },
    UNUSED: {
      on: {
        CLAIM: { target: 'ACTIVE', guard: 'fromUnusedStage' },
        CACHE: { target: 'CACHED', guard: 'idle' },
        UNMAP: { target: 'UNMAPPED', guard: 'idle' },
      },
    },
    ACTIVE: {
      on: {
        RELEASE: { target: 'EMPTY', guard: 'drained' },
        RESET: { target: 'UNUSED', guard: 'idle' },
        CACHE: { target: 'CACHED', guard: 'idle' },
        UNMAP: { target: 'UNMAPPED', guard: 'idle' },
      },
    },
    EMPTY: {
      on: {
        CLAIM: { target: 'ACTIVE', guard: 'fromEmptyStage' },
        RESET: { target: 'UNUSED', guard: 'idle' },
        CACHE: { target: 'CACHED', guard: 'idle' },
        UNMAP: { target: 'UNMAPPED', guard: 'idle' },
      },
    },
    CACHED: { on: { REUSE: 'UNUSED', UNMAP: 'UNMAPPED' } },
  },
});

export const superSlabMachine = setup({ types: {} as { events: LifecycleEvent }, guards }).createMachine({
  id: 'superslab',
  initial: 'UNMAPPED',
  states: {
    UNMAPPED: { on: { MAP: 'MAPPED' } },
    MAPPED: {
      on: {
        CACHE: { target: 'CACHED', guard: 'idle' },
        UNMAP: { target: 'UNMAPPED', guard: 'idle' },
        RESET: { target: 'MAPPED', guard: 'idle', reenter: true },
      },
    },
    CACHED: { on: { REUSE: 'MAPPED', UNMAP: 'UNMAPPED' } },
  },
});

export type MachineName = 'slot' | 'superslab';
export const MACHINES = { slot: slotMachine, superslab: superSlabMachine } as const;

/** A transition: its guard, and what nextState returns for it (made once: the hot check allocates nothing per event). */
interface Edge {
  guard: string | null;
  next: Readonly<{ target: string; edge: string }>;
}

/** state -> event -> candidate edges, in the machine's order. */
export type Table = Map<string, Map<string, Edge[]>>;

/** Derives the lookup table from a machine's own transition definitions. */
export function deriveTable(machine: MachineName): Table {
  const table: Table = new Map();
  for (const [state, node] of Object.entries(MACHINES[machine].root.states)) {
    const byEvent = new Map<string, Edge[]>();
    for (const [event, defs] of node.transitions) {
      byEvent.set(event, defs.map((d) => {
        const target = d.target?.[0]?.key ?? state;
        return { guard: typeof d.guard === 'string' ? d.guard : null, next: { target, edge: edgeKey(machine, state, event, target) } };
      }));
    }
    table.set(state, byEvent);
  }
  return table;
}

/** Every edge of the machine, as `machine:SOURCE-EVENT->TARGET`, from xstate/graph. */
export function allEdges(name: MachineName): string[] {
  const graph = toDirectedGraph(MACHINES[name]);
  return graph.children.flatMap((node) =>
    node.edges.map((e) => edgeKey(name, e.source.key, e.label.text, e.target.key)));
}

export const edgeKey = (machine: MachineName, source: string, event: string, target: string): string =>
  `${machine}:${source}-${event}->${target}`;

const TABLES: Record<MachineName, Table> = { slot: deriveTable('slot'), superslab: deriveTable('superslab') };
const GUARDS = guards as Record<string, (arg: { event: LifecycleEvent }) => boolean>;

/** The state after `event`, or null when no legal transition takes it (an illegal lifecycle step). */
export function nextState(machine: MachineName, state: string, event: LifecycleEvent): Readonly<{ target: string; edge: string }> | null {
  const edges = TABLES[machine].get(state)?.get(event.type);
  for (const e of edges ?? []) {
    if (e.guard === null || GUARDS[e.guard]!({ event })) return e.next;
  }
  return null;
}

export const INITIAL_STATE = 'UNMAPPED';
