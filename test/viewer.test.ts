// The counterexample page as node builds it (viewer/): per-step frames from a traced run,
// the heap rows and their deltas, the rows a violation names, the lanes and machine SVGs,
// the page's content and size, `slabcheck view` and the HTML beside --report's files.
// The page in a browser: viewer-browser.test.ts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './helpers.js';
import { longCase } from './viewer-cases.js';
import { allEdges } from '../model/lifecycle.js';
import { check } from '../properties/check.js';
import { execute } from '../properties/execute.js';
import type { Case } from '../properties/program.js';
import { makeReport } from '../properties/report.js';
import { encodeToken } from '../properties/token.js';
import { frameDeltas, heapRows, namedRows, slabState, threadNamer } from '../viewer/heap-table.js';
import { esc, scriptJson } from '../viewer/html.js';
import { lanesSvg, operations, stepWidth } from '../viewer/lanes.js';
import { machineGraph, machineSvg } from '../viewer/machines.js';
import { viewPage, type ViewData } from '../viewer/page.js';
import { reportBase } from '../cli/report-files.js';

const TMP = mkdtempSync(join(tmpdir(), 'slabcheck-viewer-'));
test.after(() => rmSync(TMP, { recursive: true, force: true }));

let racyCase: Case | null = null;
const racy = (): Case => (racyCase ??= check({ variants: ['remote-push-racy'], seed: 1, runs: 20000 }).report!.case);

const dataOf = (html: string): ViewData => JSON.parse(/<script type="application\/json" id="view-data">(.*?)<\/script>/s.exec(html)![1]!) as ViewData;

test('a traced run keeps a frame per step: the heap before the first step and after each, who ran it, its access, the edges it took', () => {
  const c = racy();
  const o = execute(c, { trace: true });
  assert.is(o.frames.length, o.steps + 1);
  o.frames.forEach((f, k) => assert.is(f.step, k));
  assert.equal([o.frames[0]!.thread, o.frames[0]!.access, o.frames[0]!.edges], [-1, 'local', []]);
  // every step's thread is the one the trace says ran it
  for (const e of o.trace) if (e.kind === 'start' || e.kind === 'end') assert.is(o.frames[e.step]!.thread, e.thread, `step ${e.step}`);
  // an operation's first step runs thread-local code up to its first yield; a race reads and writes shared words
  for (const e of o.trace) if (e.kind === 'start') assert.is(o.frames[e.step]!.access, 'local');
  const kinds = new Set(o.frames.map((f) => f.access));
  for (const k of ['local', 'read', 'write'] as const) assert.ok(kinds.has(k), `a ${k} step`);
  // the edges the steps took are the edges the run covered
  assert.equal(new Set(o.frames.flatMap((f) => f.edges)), o.covered);
  // the last frame is the heap at the violation
  assert.equal(o.frames.at(-1)!.heap.superslabs, o.after!.superslabs);
  assert.is(o.tids.length, c.program.threads.length);
  assert.is(o.quiescenceFrom, -1, 'found during the program');
  // untraced: nothing kept
  const quiet = execute(c);
  assert.equal([quiet.frames, quiet.tids, quiet.steps, quiet.violation], [[], [], o.steps, o.violation]);
});

test('a case that reaches quiescence: the janitor is the last thread, Q; a lock attempt shows as lock', () => {
  const c = longCase();
  const o = execute(c, { trace: true });
  assert.is(o.violation, null);
  assert.ok(o.quiescenceFrom > 0 && o.quiescenceFrom < o.steps);
  assert.is(o.tids.length, c.program.threads.length + 1);
  const name = threadNamer(o.tids, true);
  assert.equal(o.tids.map(name), ['T0', 'T1', 'T2', 'Q']);
  assert.is(threadNamer(o.tids, false)(o.tids[3]!), 'T3');
  assert.is(name(999), 'tid 999');
  assert.ok(o.frames.some((f) => f.access === 'lock'), 'stage 3 takes the pool lock');
});

test('heap rows: every SuperSlab, slab, thread and pool fact; deltas rebuild every frame', () => {
  const c = longCase();
  const o = execute(c, { trace: true });
  const name = threadNamer(o.tids, true);
  const { full, deltas } = frameDeltas(o.frames, name);
  assert.equal(deltas[0], full[0]);
  let rows = {};
  deltas.forEach((d, k) => {
    const next: Record<string, string[]> = { ...rows };
    for (const [key, row] of Object.entries(d)) {
      if (row === null) delete next[key];
      else next[key] = row;
    }
    assert.equal(next, full[k], `frame ${k}`);
    rows = next;
  });
  // some step removes a row (a SuperSlab unmapped or a thread gone) and some adds one
  assert.ok(deltas.some((d) => Object.values(d).includes(null)), 'a row goes away');
  const mid = full[o.quiescenceFrom]!;
  const s = o.frames[o.quiescenceFrom]!.heap;
  for (const ss of s.superslabs) {
    assert.is(mid[`ss:${ss.index}`]![1], ss.state);
    for (const slot of ss.slots) assert.is(mid[`slab:${slot.slot}`]![2], slabState(slot));
  }
  for (const t of s.threads) assert.ok(mid[`thread:${t.tid}`]![0]!.startsWith(name(t.tid)));
  assert.is(mid['pool:0']![1], `${s.nowMs} ms`);
  const active = Object.entries(mid).find(([k, r]) => k.startsWith('slab:') && r[2] === 'ACTIVE')!;
  assert.match(active[1][3]!, /^\d+ \/ \d+$/);
  assert.match(active[1][7]!, /^T\d$/);
});

test('slab state ORPHAN: an ACTIVE slab whose thread exited with a block out (seed 004 §4.2)', () => {
  const c: Case = { ...longCase(), program: { threads: [[{ op: 'alloc', size: 1500 }, { op: 'exit' }]] } };
  const o = execute(c, { trace: true });
  const s = o.frames[o.quiescenceFrom]!.heap;
  const slot = s.superslabs[0]!.slots.find((x) => x.state === 'ACTIVE')!;
  assert.is(slot.owner, 0);
  assert.is(slabState(slot), 'ORPHAN');
  const row = heapRows(s, threadNamer(o.tids, true))[`slab:${slot.slot}`]!;
  assert.equal([row[2], row[7]], ['ORPHAN', '—']);
  assert.is(slabState({ ...slot, owner: o.tids[0]! }), 'ACTIVE');
});

test('the rows a violation names: slot, SuperSlab, thread cache, T index, class, LRU, shared pool, simulated OS', () => {
  const c = longCase();
  const o = execute(c, { trace: true });
  const s = o.frames[o.quiescenceFrom]!.heap;
  assert.equal(namedRows('SuperSlab 0 slab 1 (slot 1)', s, o.tids), ['slab:1']);
  assert.equal(namedRows('SuperSlab 2', s, o.tids), ['ss:2']);
  assert.equal(namedRows('slot 3', s, o.tids), ['slab:3']);
  assert.equal(namedRows(`thread ${o.tids[1]} class 7 cache`, s, o.tids), [`thread:${o.tids[1]}`]);
  assert.equal(namedRows('thread T1', s, o.tids), [`thread:${o.tids[1]}`]);
  assert.equal(namedRows('T0 waits on word 5, T2 waits on word 5', s, o.tids), [`thread:${o.tids[0]}`, `thread:${o.tids[2]}`]);
  const cls = namedRows('class 7 registry', s, o.tids);
  assert.ok(cls.includes('pool:4') && cls.includes('pool:2'));
  const c7 = s.superslabs.flatMap((x) => x.slots).filter((sl) => sl.state !== 'UNUSED' && sl.cls === 7).map((sl) => `slab:${sl.slot}`);
  assert.ok(c7.length > 0);
  for (const k of c7) assert.ok(cls.includes(k), k);
  assert.equal(namedRows('LRU', { ...s, lru: [1] }, o.tids), ['pool:5', 'ss:1']);
  assert.equal(namedRows('shared pool', s, o.tids), ['pool:1', 'pool:2', 'pool:6', 'pool:7']);
  assert.equal(namedRows('simulated OS', s, o.tids), ['pool:7', 'pool:8', 'pool:9']);
  assert.equal(namedRows('scheduler', s, o.tids), []);
  assert.equal(namedRows('class 3', undefined, []), ['pool:2', 'pool:3', 'pool:4']);
});

test('lanes: a bar per operation, a tick per step, preemptions, the epilogue line, the cursor at the last step', () => {
  const c = racy();
  const o = execute(c, { trace: true });
  const { bars, preempted } = operations(o.trace, o.frames);
  assert.is(bars.length, o.trace.filter((e) => e.kind === 'start').length);
  for (const b of bars) assert.ok(b.from <= b.to);
  // the race needs a thread switched away mid-operation (the schedule's preemption point)
  assert.ok(preempted.length >= 1);
  for (const p of preempted) assert.ok(bars.some((b) => b.thread === p.thread && b.from <= p.step && p.step < b.to), 'inside one of its operations');
  const svg = lanesSvg(o.frames, o.trace, ['T0', 'T1', 'T2'], -1);
  assert.is(svg.match(/class="tick /g)!.length, o.steps);
  assert.is(svg.match(/<g class="op">/g)!.length, bars.length);
  assert.is(svg.match(/<g class="preempt">/g)!.length, preempted.length);
  assert.not.ok(svg.includes('quiescence'));
  assert.ok(svg.includes(`<rect id="cursor" x="${70 + o.steps * stepWidth(o.steps)}"`));
  // an operation cut short by the violation ends at the last step
  const cut = operations(o.trace.filter((e) => !(e.kind === 'end' && e.step === o.steps)), o.frames).bars;
  assert.ok(cut.some((b) => b.to === o.steps && b.text.endsWith('(unfinished)')));
  const long = execute(longCase(), { trace: true });
  assert.ok(lanesSvg(long.frames, long.trace, ['T0', 'T1', 'T2', 'Q'], long.quiescenceFrom).includes('class="quiescence"'));
  assert.is(stepWidth(1), 28);
  assert.is(stepWidth(10_000), 3);
});

test('machines: every edge of each xstate machine drawn once, keyed as coverage keys it, with its look', () => {
  for (const name of ['slot', 'superslab'] as const) {
    const g = machineGraph(name);
    assert.equal(g.edges.map((e) => e.key).sort(), allEdges(name).sort());
    const svg = machineSvg(name, (e) => (e.endsWith('->UNMAPPED') ? { cls: 'missed', label: '0', style: 'color:red' } : {}));
    for (const e of g.edges) assert.is(svg.split(`data-edge="${esc(e.key)}"`).length, 2, e.key);
    for (const s of g.states) assert.ok(svg.includes(`data-state="${s}"`));
    assert.is(svg.match(/class="edge missed"/g)!.length, g.edges.filter((e) => e.target === 'UNMAPPED').length);
    assert.ok(svg.includes('style="color:red"'));
    assert.not.ok(svg.includes('NaN'));
  }
  assert.ok(machineSvg('superslab').includes('MAPPED -RESET-&gt; MAPPED [guard: idle]'), 'a loop, with its guard');
});

test('html helpers: escaping and JSON that cannot close its script element', () => {
  assert.is(esc(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  assert.is(scriptJson({ s: '</script><!--' }), '{"s":"\\u003c/script>\\u003c!--"}');
  assert.equal(JSON.parse(scriptJson({ s: '</script>' })), { s: '</script>' });
});

test('the page: self-contained, deterministic, the violation, the case, the token and replay command, data for every step', () => {
  const c = racy();
  const o = execute(c, { trace: true });
  const html = viewPage(c, o);
  assert.is(viewPage(c), html, 'the same case gives the same bytes');
  const r = makeReport(c, o);
  // nothing to fetch: no external reference of any kind
  assert.not.match(html, /(src|href)\s*=|@import|url\(|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
  assert.ok(html.includes("Content-Security-Policy\" content=\"default-src 'none'"));
  for (const text of [r.violation.what, r.violation.expected, r.violation.actual, r.invariant.rule, `npx slabcheck replay ${r.token}`, ...r.program, r.schedule]) {
    assert.ok(html.includes(esc(text)), text);
  }
  assert.ok(html.includes(esc(JSON.stringify(c.config, null, 2))));
  const d = dataOf(html);
  assert.is(d.frames.length, o.steps + 1);
  assert.is(d.info.length, o.steps + 1);
  assert.is(d.violationStep, o.steps);
  assert.equal(d.culprit, namedRows(o.violation!.where, o.frames.at(-1)!.heap, o.tids));
  assert.ok(d.info.slice(1).every((line, k) => line.startsWith(`step ${k + 1}: T`) && line.includes(' in ')), d.info.join('\n'));
  // the script is inlined, without its source map comment
  assert.ok(html.includes("document.getElementById(id)"));
  assert.not.ok(html.includes('sourceMappingURL'));
});

test('the page of a passing case, and of a crash; an untraced outcome is refused', () => {
  const c = longCase();
  const html = viewPage(c);
  assert.ok(html.includes('<h1>no invariant broken ('));
  assert.not.ok(html.includes('id="violation"'));
  assert.is(dataOf(html).violationStep, -1);
  assert.equal(dataOf(html).culprit, []);
  assert.ok(html.includes(encodeToken(c)));
  assert.throws(() => viewPage(c, execute(c)), /traced outcome/);
});

test('a 200-step page stays under 500 KB', () => {
  const c = longCase();
  const o = execute(c, { trace: true });
  assert.ok(o.steps >= 200, `${o.steps} steps`);
  const bytes = Buffer.byteLength(viewPage(c, o));
  assert.ok(bytes < 500_000, `${bytes} bytes`);
});

// ---------------------------------------------------------------- the CLI

test('view TOKEN --out FILE writes the page; without --out it goes to reports/<id>-<hash>.html', async () => {
  const c = racy();
  const token = encodeToken(c);
  const file = join(TMP, 'sub', 'racy.html');
  const r = await cli('view', token, '--out', file);
  assert.is(r.code, 0, r.err.join('\n'));
  const o = execute(c, { trace: true });
  assert.equal(r.out, [`${file}: ${o.violation!.id} at step ${o.steps} (${o.steps} steps)`]);
  assert.is(readFileSync(file, 'utf8'), viewPage(c, o));
  const cwd = process.cwd();
  process.chdir(TMP);
  try {
    const pass = await cli('view', encodeToken(longCase()));
    const expected = `${reportBase('reports', 'PASS', encodeToken(longCase()))}.html`;
    assert.ok(pass.out[0]!.startsWith(`${expected}: no invariant broken`), pass.out[0]);
    assert.ok(existsSync(join(TMP, expected)));
  } finally {
    process.chdir(cwd);
  }
});

/** The opener runs detached: wait (up to 10 s) until its whole line is in the file (the shell creates the file before echo writes). */
async function untilLineWritten(path: string): Promise<void> {
  for (let i = 0; i < 500 && !(existsSync(path) && readFileSync(path, 'utf8').endsWith('\n')); i++) await new Promise((res) => setTimeout(res, 20));
}

test('view --open runs $BROWSER with the file; a browser that cannot start is named, exit still 0', async () => {
  const c = longCase();
  const file = join(TMP, 'open.html');
  const opener = join(TMP, 'opener.sh');
  const opened = join(TMP, 'opened.txt');
  writeFileSync(opener, `#!/bin/sh\necho "$1" > ${opened}\n`);
  chmodSync(opener, 0o755);
  const before = process.env['BROWSER'];
  try {
    process.env['BROWSER'] = opener;
    const r = await cli('view', encodeToken(c), '--out', file, '--open');
    assert.is(r.code, 0);
    assert.equal(r.err, []);
    await untilLineWritten(opened);
    assert.is(readFileSync(opened, 'utf8').trim(), file);
    process.env['BROWSER'] = join(TMP, 'no-such-browser');
    const bad = await cli('view', encodeToken(c), '--out', file, '--open');
    assert.is(bad.code, 0);
    assert.is(bad.err.length, 1);
    assert.match(bad.err[0]!, /^could not open a browser \(.*ENOENT.*\): open .*open\.html yourself$/);
    // no $BROWSER: the platform's opener (xdg-open here, which this machine may not have)
    process.env['BROWSER'] = '';
    const PATH = process.env['PATH'];
    process.env['PATH'] = TMP;
    writeFileSync(join(TMP, 'xdg-open'), `#!/bin/sh\necho "xdg $1" > ${opened}\n`);
    chmodSync(join(TMP, 'xdg-open'), 0o755);
    rmSync(opened);
    try {
      const plain = await cli('view', encodeToken(c), '--out', file, '--open');
      assert.equal([plain.code, plain.err], [0, []]);
    } finally {
      process.env['PATH'] = PATH;
    }
    await untilLineWritten(opened);
    assert.is(readFileSync(opened, 'utf8').trim(), `xdg ${file}`);
  } finally {
    if (before === undefined) delete process.env['BROWSER'];
    else process.env['BROWSER'] = before;
  }
});

test('view: usage errors exit 2 and name the problem', async () => {
  for (const [argv, mention] of [[['view'], 'view needs a token'], [['view', 'nope'], "expected a token starting with 'sc1.'"], [['view', 'sc1.AAAA', '--bogus'], 'bogus'], [['view', 'sc1.x', 'extra'], "unexpected argument 'extra'"]] as const) {
    const r = await cli(...argv);
    assert.is(r.code, 2, JSON.stringify(argv));
    assert.equal(r.out, []);
    assert.ok(r.err[0]!.includes(mention), `${JSON.stringify(argv)}: ${r.err[0]}`);
  }
});

test('--report DIR writes the page beside the markdown and JSON, the same bytes view writes', async () => {
  const dir = join(TMP, 'report');
  const r = await cli('replay', encodeToken(racy()), '--report', dir);
  assert.is(r.code, 1);
  const files = readdirSync(dir).sort();
  assert.is(files.length, 3);
  const html = files.find((f) => f.endsWith('.html'))!;
  assert.equal(files, [html.replace('.html', '.json'), html.replace('.html', '.md'), html].sort());
  assert.is(readFileSync(join(dir, html), 'utf8'), viewPage(racy()));
});

test.run();
