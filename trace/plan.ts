// Replay's first pass over a trace: each thread's last line (where it exits), the event
// count (for the progress bar) and the most threads alive at once (the heap's thread
// table must hold them). Memory: a few numbers per trace thread.
import { parseLine, TraceError, type TraceEvent } from './format.js';
import { forEachLine } from './read.js';

export interface Plan {
  events: number;
  lastLine: Map<number, number>;
  /** Trace threads alive at once, at most (alive: between its first and last event). */
  maxConcurrent: number;
}

/** Parses one line; lenient: a bad line is null (counted by replay's own pass). */
export function parseOrSkip(text: string, line: number, lenient: boolean): TraceEvent | null {
  try {
    return parseLine(text, line);
  } catch (err) {
    if (lenient && err instanceof TraceError) return null;
    throw err;
  }
}

class Planner {
  readonly plan: Plan = { events: 0, lastLine: new Map(), maxConcurrent: 0 };
  private readonly firstLine = new Map<number, number>();

  add(ev: TraceEvent, line: number): void {
    this.plan.events++;
    if (!this.firstLine.has(ev.tid)) this.firstLine.set(ev.tid, line);
    this.plan.lastLine.set(ev.tid, line);
  }

  done(): Plan {
    // sweep the [first, last] intervals: +1 at a first line, -1 after a last line
    const marks: [number, number][] = [];
    for (const [tid, first] of this.firstLine) marks.push([first, 1], [this.plan.lastLine.get(tid)! + 0.5, -1]);
    marks.sort((a, b) => a[0] - b[0]);
    let alive = 0;
    for (const [, d] of marks) this.plan.maxConcurrent = Math.max(this.plan.maxConcurrent, (alive += d));
    return this.plan;
  }
}

export async function planFile(file: string, lenient: boolean): Promise<Plan> {
  const p = new Planner();
  await forEachLine(file, (text, line) => {
    const ev = parseOrSkip(text, line, lenient);
    if (ev !== null) p.add(ev, line);
  });
  return p.done();
}

/** The plan of events already in memory (line i + 1 for events[i]). */
export function planEvents(events: readonly TraceEvent[]): Plan {
  const p = new Planner();
  events.forEach((ev, i) => p.add(ev, i + 1));
  return p.done();
}
