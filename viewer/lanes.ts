// The interleaving as an SVG drawn on the server (it reads without JavaScript): one
// lane per virtual thread, each operation a bar from its first step to its last, each
// step a tick coloured by the shared access it made (read, write, lock attempt, or
// thread-local code before the first yield), a marker where a thread was preempted
// mid-operation, the start of the epilogue (quiescence), and a cursor the page moves.
import { match } from 'ts-pattern';
import type { Frame, TraceEntry } from '../properties/execute.js';
import { esc } from './html.js';

export interface Bar {
  thread: number;
  from: number;
  to: number;
  text: string;
}

/** Operation bars and preemptions (the step after which the thread was switched away mid-operation). */
export function operations(trace: readonly TraceEntry[], frames: readonly Frame[]): { bars: Bar[]; preempted: { thread: number; step: number }[] } {
  const last = frames.length - 1;
  const open = new Map<number, { from: number; text: string }>();
  const bars: Bar[] = [];
  const preempted: { thread: number; step: number }[] = [];
  for (const e of trace) {
    match(e.kind)
      .with('start', () => open.set(e.thread, { from: e.step, text: e.text }))
      .with('end', () => {
        const o = open.get(e.thread)!;
        bars.push({ thread: e.thread, from: o.from, to: e.step, text: `${o.text} ${e.text}` });
        open.delete(e.thread);
      })
      .with('switch', () => {
        // recorded before the next step runs: the thread of step e.step was switched away from
        const away = frames[e.step]?.thread ?? -1;
        if (open.has(away)) preempted.push({ thread: away, step: e.step });
      })
      .with('event', () => {})
      .exhaustive();
  }
  for (const [thread, o] of open) bars.push({ thread, from: o.from, to: last, text: `${o.text} (unfinished)` });
  bars.sort((a, b) => a.from - b.from || a.thread - b.thread);
  return { bars, preempted };
}

const LABEL_W = 70;
const LANE_H = 36;
const TOP = 18;

/** Pixels per step: the whole run fits ~1000 px, within 3 to 28 px a step. */
export const stepWidth = (steps: number): number => Math.max(3, Math.min(28, 1000 / Math.max(1, steps)));

export function lanesSvg(frames: readonly Frame[], trace: readonly TraceEntry[], names: readonly string[], quiescenceFrom: number): string {
  const steps = frames.length - 1;
  const dx = stepWidth(steps);
  const x = (step: number): number => LABEL_W + step * dx;
  const width = Math.ceil(x(steps + 1) + 10);
  const height = TOP + names.length * LANE_H + 4;
  const laneY = (t: number): number => TOP + t * LANE_H;
  const { bars, preempted } = operations(trace, frames);
  const out: string[] = [
    `<svg id="lanes" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" data-dx="${dx}" data-x0="${LABEL_W}" role="img" aria-label="interleaving: one lane per thread">`,
  ];
  const every = Math.max(1, Math.ceil(40 / dx / 5) * 5);
  for (let s = 0; s <= steps; s += every) out.push(`<text class="axis" x="${x(s) + dx / 2}" y="12">${s}</text>`);
  names.forEach((name, t) => {
    out.push(`<rect class="lane" x="0" y="${laneY(t)}" width="${width}" height="${LANE_H - 2}"/><text class="lane-name" x="6" y="${laneY(t) + 20}">${esc(name)}</text>`);
  });
  for (const b of bars) {
    const w = Math.max(dx, x(b.to + 1) - x(b.from));
    out.push(`<g class="op"><title>${esc(`${names[b.thread] ?? b.thread} steps ${b.from}–${b.to}: ${b.text}`)}</title><rect x="${x(b.from)}" y="${laneY(b.thread) + 3}" width="${w - 1}" height="16" rx="3"/>`
      + (w > 40 ? `<text x="${x(b.from) + 3}" y="${laneY(b.thread) + 15}">${esc(fit(b.text, w))}</text>` : '') + '</g>');
  }
  frames.forEach((f, s) => {
    if (s === 0) return;
    out.push(`<rect class="tick ${f.access}" x="${x(s) + dx * 0.2}" y="${laneY(f.thread) + 22}" width="${Math.max(1, dx * 0.6)}" height="9"><title>step ${s}: ${f.access}</title></rect>`);
  });
  for (const p of preempted) {
    const px = x(p.step + 1);
    const y = laneY(p.thread);
    out.push(`<g class="preempt"><title>${esc(`${names[p.thread]} preempted after step ${p.step}`)}</title>`
      + `<line x1="${px}" y1="${y}" x2="${px}" y2="${y + LANE_H - 2}"/><path d="M${px - 5} ${y}h10l-5 7z"/></g>`);
  }
  if (quiescenceFrom >= 0) {
    out.push(`<line class="quiescence" x1="${x(quiescenceFrom + 1)}" y1="14" x2="${x(quiescenceFrom + 1)}" y2="${height}"/>`
      + `<text class="axis" x="${x(quiescenceFrom + 1) + 3}" y="${height - 4}">quiescence</text>`);
  }
  out.push(`<rect id="cursor" x="${x(steps)}" y="14" width="${dx}" height="${height - 14}"/>`, '</svg>');
  return out.join('\n');
}

// About 6.5 px a character at the bar's font size.
function fit(text: string, width: number): string {
  const n = Math.floor((width - 6) / 6.5);
  return text.length <= n ? text : `${text.slice(0, Math.max(1, n - 1))}…`;
}
