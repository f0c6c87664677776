// The counterexample page: one self-contained HTML file (inline style and script, no
// network) for a traced run of a case. Without JavaScript it reads as static tables —
// the violation, the interleaving lanes, the heap at the last step, the machines with the
// transitions the trace took, the trace step by step, the program, configuration and
// token. With JavaScript (client/viewer.ts) a slider and the keyboard move through the
// steps, showing the heap at each with what changed highlighted.
import { readFileSync } from 'node:fs';
import { execute, type Outcome } from '../properties/execute.js';
import { programText, scheduleText, type Case } from '../properties/program.js';
import { makeReport, type Report } from '../properties/report.js';
import { encodeToken } from '../properties/token.js';
import { frameDeltas, namedRows, TABLES, threadNamer, type Row, type Rows } from './heap-table.js';
import { esc, scriptJson } from './html.js';
import { lanesSvg, operations } from './lanes.js';
import { machineSvg } from './machines.js';
import { STYLE } from './style.js';

/** What the page's script reads (the <script id="view-data"> JSON). */
export interface ViewData {
  tables: { id: string; columns: string[] }[];
  /** Frame 0 whole, then each step's changed rows (null: the row went away). */
  frames: Record<string, Row | null>[];
  /** One line per step: who ran, what access, in which operation, what happened. */
  info: string[];
  /** Lifecycle edges each step took. */
  edges: string[][];
  /** Rows the violation names (highlighted at its step), and that step (-1: none). */
  culprit: string[];
  violationStep: number;
}

/** The page for case `c`, from a traced run of it (run here when not given). */
export function viewPage(c: Case, o: Outcome = execute(c, { trace: true })): string {
  if (o.frames.length === 0) throw new Error('viewPage needs a traced outcome (execute with trace: true)');
  const report = o.violation === null ? null : makeReport(c, o);
  const janitor = o.quiescenceFrom >= 0;
  const name = threadNamer(o.tids, janitor);
  const names = o.tids.map((tid) => name(tid));
  const { full, deltas } = frameDeltas(o.frames, name);
  const last = o.frames.length - 1;
  const culprit = report === null ? [] : namedRows(report.violation.where, o.frames[last]!.heap, o.tids);
  const { bars } = operations(o.trace, o.frames);
  const info = o.frames.map((f, k) => stepInfo(k, f.thread < 0 ? '' : names[f.thread]!, f.access, o, bars.find((b) => b.thread === f.thread && b.from <= k && k <= b.to)?.text));
  const data: ViewData = {
    tables: TABLES.map(({ id, columns }) => ({ id, columns })),
    frames: deltas,
    info,
    edges: o.frames.map((f) => f.edges),
    culprit,
    violationStep: report === null ? -1 : last,
  };
  const taken = new Set(o.frames.flatMap((f) => f.edges));
  const token = report?.token ?? encodeToken(c);
  const title = report === null ? `no invariant broken (${last} steps)` : `${report.violation.id}: ${report.violation.what}`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>slabcheck: ${esc(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1>${esc(title)}</h1>${report === null ? '<p>This case runs to the end with every invariant holding.</p>' : violationHtml(report, last)}</header>
<section id="timeline"><h2>Interleaving</h2>
<p class="legend"><span class="key read">read</span> <span class="key write">write</span> <span class="key rmw">read-modify-write</span> <span class="key lock">lock attempt</span> <span class="key local">thread-local</span> <span class="key preempt">preempted</span> — one lane per virtual thread${janitor ? '; Q is the epilogue\'s janitor' : ''}. Step footprints (which word an access touched) are not recorded.</p>
<div class="scroll">${lanesSvg(o.frames, o.trace, names, o.quiescenceFrom)}</div>
<div id="controls" hidden><button type="button" id="prev" title="previous step (←)">◀</button><input type="range" id="slider" min="0" max="${last}" value="${last}" aria-label="step"><button type="button" id="next" title="next step (→)">▶</button> <output id="step-no">${last}</output> / ${last}</div>
<p id="step-info">${esc(info[last]!)}</p>
<noscript><p>Without JavaScript the tables show the heap at the last step; the trace table below lists every step.</p></noscript>
</section>
<section id="state"><h2>Heap at step <span id="state-step">${last}</span></h2>
<div class="tables">${TABLES.map((t) => tableHtml(t.id, t.title, t.columns, full[last]!, full[last - 1] ?? full[last]!, report === null ? [] : culprit)).join('\n')}</div>
</section>
<section id="machines"><h2>Lifecycle machines</h2><p>Transitions this trace took are drawn bold (the current step's in orange); the others thin.</p>
<div class="machines">${machineSvg('slot', (e) => (taken.has(e) ? { cls: 'taken' } : {}))}${machineSvg('superslab', (e) => (taken.has(e) ? { cls: 'taken' } : {}))}</div>
</section>
<section id="case"><h2>The case</h2>
<h3>Program per thread</h3><pre>${esc(programText(c.program).join('\n'))}</pre>
<p><b>Schedule:</b> ${esc(scheduleText(c.schedule))}${c.atomicOps === true ? ' (atomic operations: no preemption inside one)' : ''}</p>
<h3>Token</h3><p><code id="token">${esc(token)}</code> <button type="button" id="copy" hidden>copy</button></p>
<h3>Replay</h3><pre>npx slabcheck replay ${esc(token)}\nnpx slabcheck view ${esc(token)} --open</pre>
<h3>Configuration</h3><pre>${esc(JSON.stringify(c.config, null, 2))}</pre>
</section>
<section id="trace"><h2>Trace</h2>
${traceHtml(o, names)}
</section>
<script type="application/json" id="view-data">${scriptJson(data)}</script>
<script>${clientScript()}</script>
</body>
</html>
`;
}

function violationHtml(r: Report, step: number): string {
  const v = r.violation;
  const where = `${v.where}${r.phase === 'quiescence' ? ' (after quiescence: all freed, drained, trimmed, aged past the TTL)' : ''}`;
  return `<table id="violation" class="kv"><tbody>
<tr><th>rule</th><td>${esc(r.invariant.rule)}</td></tr>
<tr><th>what</th><td>${esc(v.what)}</td></tr>
<tr><th>where</th><td class="where">${esc(where)}</td></tr>
<tr><th>expected</th><td>${esc(v.expected)}</td></tr>
<tr><th>actual</th><td>${esc(v.actual)}</td></tr>
<tr><th>found at</th><td>step ${step} of ${step} (${r.phase === 'quiescence' ? 'in the epilogue' : 'during the program'}); ${r.size.ops} operations + ${r.size.switches} schedule entries</td></tr>
</tbody></table>`;
}

function tableHtml(id: string, title: string, columns: string[], rows: Rows, prev: Rows, culprit: readonly string[]): string {
  const keys = Object.keys(rows).filter((k) => k.startsWith(`${id}:`));
  const body = keys.map((key) => {
    const row = rows[key]!;
    const before = prev[key];
    const cls = [culprit.includes(key) ? 'culprit' : '', before === undefined ? 'added' : ''].filter((x) => x !== '').join(' ');
    return `<tr data-key="${esc(key)}"${cls === '' ? '' : ` class="${cls}"`}>${row.map((cell, i) => `<td${before !== undefined && before[i] !== cell ? ' class="changed"' : ''}>${esc(cell)}</td>`).join('')}</tr>`;
  });
  return `<table class="heap" id="table-${id}"><caption>${esc(title)}</caption><thead><tr>${columns.map((c) => `<th>${esc(c)}</th>`).join('')}</tr></thead><tbody>${body.join('')}</tbody></table>`;
}

// One line for step k: who ran it, its access, its operation, what the trace recorded at it.
function stepInfo(k: number, name: string, access: string, o: Outcome, op: string | undefined): string {
  if (k === 0) return 'step 0: the heap before the first step';
  const at = o.trace.filter((e) => e.step === k && e.kind === 'event').map((e) => `[${e.text}]`);
  return `step ${k}: ${name} ${access === 'local' ? 'thread-local code' : access} in ${op ?? '?'}${at.length === 0 ? '' : ` — ${at.join(' ')}`}`;
}

function traceHtml(o: Outcome, names: readonly string[]): string {
  const head = `<thead><tr><th>step</th>${names.map((n) => `<th>${esc(n)}</th>`).join('')}</tr></thead>`;
  const rows = o.trace.map((e) => {
    if (e.kind === 'switch') return `<tr class="switch" data-step="${e.step}"><td></td><td colspan="${names.length}">switch to ${esc(names[e.thread]!)}</td></tr>`;
    const cells = names.map((_, t) => (t === e.thread ? `<td class="${e.kind}">${esc(e.kind === 'end' ? `→ ${e.text}` : e.text)}</td>` : '<td></td>'));
    return `<tr data-step="${e.step}"><td>${e.step}</td>${cells.join('')}</tr>`;
  });
  return `<table id="trace-table">${head}<tbody>${rows.join('')}</tbody></table>`;
}

let client: string | null = null;
// The browser script, compiled beside this module (dist/viewer/client/viewer.js) and inlined.
function clientScript(): string {
  client ??= readFileSync(new URL('./client/viewer.js', import.meta.url), 'utf8').replace(/\n\/\/# sourceMappingURL=.*\n?$/, '\n');
  return client.replace(/<\/script/gi, '<\\/script');
}
