// `slabcheck coverage --html FILE`: both lifecycle machines (machines.ts) with each
// transition coloured by how many of the run's cases took it — pale for few, dark for
// many on a log scale, red and dashed for none — and the counts as a table. One
// self-contained file, no script.
import type { CheckResult } from '../properties/check.js';
import { esc } from './html.js';
import { machineSvg, type EdgeLook } from './machines.js';
import { STYLE } from './style.js';

/** How an edge hit `n` times of at most `max` is drawn. */
export function heatLook(n: number, max: number): EdgeLook {
  if (n === 0) return { cls: 'missed', label: '×0' };
  const t = max <= 1 ? 1 : Math.log(n) / Math.log(max);
  return { cls: 'heat', label: `×${n}`, style: `color:hsl(215,70%,${Math.round(72 - 44 * t)}%)` };
}

/** `r.hits` has a count for every edge of `r.edges` (check.ts). */
export function coveragePage(r: Pick<CheckResult, 'runs' | 'seed' | 'edges' | 'hits'>): string {
  const max = Math.max(...Object.values(r.hits));
  const look = (e: string): EdgeLook => heatLook(r.hits[e]!, max);
  const missed = r.edges.filter((e) => r.hits[e] === 0);
  const title = `lifecycle transitions exercised in ${r.runs} runs (seed ${r.seed}): ${r.edges.length - missed.length}/${r.edges.length}`;
  const rows = r.edges.map((e) => `<tr${missed.includes(e) ? ' class="culprit"' : ''}><td>${esc(e)}</td><td>${r.hits[e]}</td></tr>`).join('');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>slabcheck coverage: ${esc(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${esc(title)}</h1>
<p>Each transition is coloured by how many cases took it at least once: pale for few, dark for many (log scale); red and dashed: none.</p>
<div class="machines">${machineSvg('slot', look)}${machineSvg('superslab', look)}</div>
<table class="heap"><caption>Cases that took each transition</caption><thead><tr><th>transition</th><th>cases</th></tr></thead><tbody>${rows}</tbody></table>
</body>
</html>
`;
}
