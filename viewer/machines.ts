// The lifecycle machines drawn as SVG from their xstate definitions (model/lifecycle.ts):
// the states of `machine.root.states` on a circle, every transition of the derived table
// an arc labelled with its event, keyed by the same edge key the observer and coverage
// use, so a page can colour the ones a trace took or a run hit.
import { deriveTable, INITIAL_STATE, type MachineName } from '../model/lifecycle.js';
import { esc } from './html.js';

export interface EdgeLook {
  /** Extra CSS class of the edge group. */
  cls?: string;
  /** Shown after the event name on the arc. */
  label?: string;
  /** Inline style (a colour) of the edge group. */
  style?: string;
}

export interface MachineEdge {
  key: string;
  source: string;
  event: string;
  target: string;
  guard: string | null;
}

/** The states and edges of a machine, from its definition. */
export function machineGraph(name: MachineName): { states: string[]; edges: MachineEdge[] } {
  const table = deriveTable(name);
  const edges: MachineEdge[] = [];
  for (const [source, byEvent] of table) {
    for (const [event, defs] of byEvent) for (const d of defs) edges.push({ key: d.next.edge, source, event, target: d.next.target, guard: d.guard });
  }
  return { states: [...table.keys()], edges };
}

const RX = 50;
const RY = 17;
const f = (n: number): string => n.toFixed(1);

export function machineSvg(name: MachineName, look: (edgeKey: string) => EdgeLook = () => ({})): string {
  const { states, edges } = machineGraph(name);
  // the states on an ellipse wider than tall, the initial one on top
  const ry = states.length <= 3 ? 90 : 150;
  const rx = ry * 1.6;
  const w = 2 * rx + 2 * RX + 110; // room for a loop and its label on either side
  const h = 2 * ry + 2 * RY + 90;
  const cx = w / 2;
  const cy = h / 2 + 8;
  const pos = new Map(states.map((s, i) => {
    const a = -Math.PI / 2 + (2 * Math.PI * i) / states.length;
    return [s, { x: cx + rx * Math.cos(a), y: cy + ry * Math.sin(a) }];
  }));
  // the boundary of a state's ellipse in direction (dx, dy) from its centre
  const rim = (p: { x: number; y: number }, dx: number, dy: number): { x: number; y: number } => {
    const len = Math.hypot(dx, dy);
    const ux = dx / len;
    const uy = dy / len;
    const t = 1 / Math.hypot(ux / RX, uy / RY);
    return { x: p.x + ux * t, y: p.y + uy * t };
  };
  const out = [`<svg class="machine" xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img" aria-label="${name} lifecycle machine">`,
    `<text class="machine-name" x="8" y="18">${esc(name === 'slot' ? 'slab slot' : 'SuperSlab')} machine</text>`];
  const pairs = new Map<string, number>();
  for (const e of edges) {
    const a = pos.get(e.source)!;
    const b = pos.get(e.target)!;
    const nth = pairs.get(`${e.source}>${e.target}`) ?? 0;
    pairs.set(`${e.source}>${e.target}`, nth + 1);
    let d: string;
    let head: { x: number; y: number; dx: number; dy: number };
    let label: { x: number; y: number };
    if (e.source === e.target) {
      // a loop on the side away from the circle's centre
      const ox = a.x - cx;
      const oy = a.y - cy;
      const len = Math.hypot(ox, oy) || 1;
      const [ux, uy] = [ox / len, oy / len];
      const [px, py] = [-uy, ux];
      const s = rim(a, ux + px * 0.6, uy + py * 0.6);
      const t = rim(a, ux - px * 0.6, uy - py * 0.6);
      const far = 55 + 12 * nth;
      const c1 = { x: s.x + ux * far + px * 25, y: s.y + uy * far + py * 25 };
      const c2 = { x: t.x + ux * far - px * 25, y: t.y + uy * far - py * 25 };
      d = `M${f(s.x)} ${f(s.y)}C${f(c1.x)} ${f(c1.y)} ${f(c2.x)} ${f(c2.y)} ${f(t.x)} ${f(t.y)}`;
      head = { x: t.x, y: t.y, dx: t.x - c2.x, dy: t.y - c2.y };
      label = { x: a.x + ux * (RX + 30), y: a.y + uy * (RY + 38) };
    } else {
      const mx = (a.x + b.x) / 2;
      const my = (a.y + b.y) / 2;
      const len = Math.hypot(b.x - a.x, b.y - a.y);
      const bend = len * (0.2 + 0.1 * nth);
      // bend to the left of the direction: A->B and B->A never overlap
      const c = { x: mx + ((b.y - a.y) / len) * bend, y: my - ((b.x - a.x) / len) * bend };
      const s = rim(a, c.x - a.x, c.y - a.y);
      const t = rim(b, c.x - b.x, c.y - b.y);
      d = `M${f(s.x)} ${f(s.y)}Q${f(c.x)} ${f(c.y)} ${f(t.x)} ${f(t.y)}`;
      head = { x: t.x, y: t.y, dx: t.x - c.x, dy: t.y - c.y };
      // the label a little nearer the source than the middle, so crossing chords' labels part
      const u = 0.42;
      label = { x: (1 - u) ** 2 * s.x + 2 * (1 - u) * u * c.x + u ** 2 * t.x, y: (1 - u) ** 2 * s.y + 2 * (1 - u) * u * c.y + u ** 2 * t.y };
    }
    const hl = Math.hypot(head.dx, head.dy);
    const [hx, hy] = [head.dx / hl, head.dy / hl];
    const arrow = `M${f(head.x)} ${f(head.y)}L${f(head.x - hx * 9 - hy * 4.5)} ${f(head.y - hy * 9 + hx * 4.5)}L${f(head.x - hx * 9 + hy * 4.5)} ${f(head.y - hy * 9 - hx * 4.5)}z`;
    const l = look(e.key);
    const title = `${e.source} -${e.event}-> ${e.target}${e.guard === null ? '' : ` [guard: ${e.guard}]`}${l.label === undefined ? '' : `: ${l.label}`}`;
    out.push(`<g class="edge${l.cls === undefined ? '' : ` ${l.cls}`}" data-edge="${esc(e.key)}"${l.style === undefined ? '' : ` style="${esc(l.style)}"`}><title>${esc(title)}</title>`
      + `<path class="line" d="${d}"/><path class="head" d="${arrow}"/>`
      + `<text x="${f(label.x)}" y="${f(label.y + 4)}">${esc(e.event)}${l.label === undefined ? '' : ` ${esc(l.label)}`}</text></g>`);
  }
  for (const s of states) {
    const p = pos.get(s)!;
    out.push(`<g class="state" data-state="${esc(s)}"><ellipse cx="${f(p.x)}" cy="${f(p.y)}" rx="${RX}" ry="${RY}"/><text x="${f(p.x)}" y="${f(p.y + 4)}">${esc(s)}</text></g>`);
  }
  const init = pos.get(INITIAL_STATE)!;
  out.push(`<path class="initial" d="M${f(init.x - RX - 22)} ${f(init.y)}h16"/><circle class="initial" cx="${f(init.x - RX - 24)}" cy="${f(init.y)}" r="3"/>`, '</svg>');
  return out.join('\n');
}
