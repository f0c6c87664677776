// The counterexample page in a real headless Chromium (test/browser.ts): it loads with no
// console error and no request but its own file, the slider and the keyboard move through
// every step, the heap tables change exactly where the trace's frames say, the rows the
// violation names are outlined at its step (and only there), the machine edges follow the
// steps, and a 200-step page works too. Screenshots go to coverage/screenshots/ (a CI
// artifact beside the coverage report).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCorpus } from '../properties/corpus.js';
import { execute, type Outcome } from '../properties/execute.js';
import { variantsOf, type Case } from '../properties/program.js';
import { frameDeltas, namedRows, threadNamer } from '../viewer/heap-table.js';
import { encodeToken } from '../properties/token.js';
import { viewPage } from '../viewer/page.js';
import { closeBrowser, openPage, type Opened } from './browser.js';
import { longCase } from './viewer-cases.js';

const TMP = mkdtempSync(join(tmpdir(), 'slabcheck-viewer-browser-'));
const SHOTS = join('coverage', 'screenshots');
test.after(async () => {
  rmSync(TMP, { recursive: true, force: true });
  await closeBrowser();
});

interface Built {
  c: Case;
  o: Outcome;
  file: string;
}

function build(name: string, c: Case): Built {
  const o = execute(c, { trace: true });
  const file = join(TMP, `${name}.html`);
  writeFileSync(file, viewPage(c, o));
  return { c, o, file };
}

const corpusCase = (variant: string): Case => readCorpus().find((e) => variantsOf(e.case).includes(variant))!.case;

// A race (seed 004 §2 hypothesis 2): three threads, a preemption inside an operation.
let racy: Built | null = null;
const racyPage = (): Built => {
  racy ??= build('racy', corpusCase('remote-push-racy'));
  return racy;
};

/** What the page shows now: step, changed cells, added/removed/culprit rows, edges. */
async function shown(p: Opened['page']) {
  return p.evaluate(() => {
    const keyed = (sel: string): string[] => [...document.querySelectorAll<HTMLElement>(sel)].map((tr) => tr.dataset['key']!).sort();
    const changed: string[] = [];
    for (const tr of document.querySelectorAll<HTMLTableRowElement>('table.heap tbody tr')) {
      [...tr.cells].forEach((td, i) => {
        if (td.classList.contains('changed')) changed.push(`${tr.dataset['key']}/${i}`);
      });
    }
    const cells: Record<string, string[]> = {};
    for (const tr of document.querySelectorAll<HTMLTableRowElement>('table.heap tbody tr:not(.removed)')) cells[tr.dataset['key']!] = [...tr.cells].map((td) => td.textContent ?? '');
    return {
      step: Number(document.body.dataset['step']),
      slider: Number((document.getElementById('slider') as HTMLInputElement).value),
      changed: changed.sort(),
      added: keyed('table.heap tr.added'),
      removed: keyed('table.heap tr.removed'),
      culprit: keyed('table.heap tr.culprit'),
      cells,
      taken: [...document.querySelectorAll<SVGGElement>('.machine .edge.taken')].map((g) => g.dataset['edge']!).sort(),
      now: [...document.querySelectorAll<SVGGElement>('.machine .edge.now')].map((g) => g.dataset['edge']!).sort(),
      cursor: Number(document.getElementById('cursor')!.getAttribute('x')),
    };
  });
}

/** What step k should show, from the frames in node (the trace's own account). */
function expected(b: Built, k: number) {
  const name = threadNamer(b.o.tids, b.o.quiescenceFrom >= 0);
  const { full } = frameDeltas(b.o.frames, name);
  const now = full[k]!;
  const before = k === 0 ? now : full[k - 1]!;
  const changed: string[] = [];
  for (const [key, row] of Object.entries(now)) row.forEach((cell, i) => before[key] !== undefined && before[key]![i] !== cell && changed.push(`${key}/${i}`));
  const last = b.o.frames.length - 1;
  return {
    changed: changed.sort(),
    added: Object.keys(now).filter((key) => before[key] === undefined).sort(),
    removed: Object.keys(before).filter((key) => now[key] === undefined).sort(),
    culprit: b.o.violation !== null && k === last ? namedRows(b.o.violation.where, b.o.frames[last]!.heap, b.o.tids).sort() : [],
    cells: now,
    taken: [...new Set(b.o.frames.slice(0, k + 1).flatMap((f) => f.edges))].sort(),
    now: [...new Set(b.o.frames[k]!.edges)].sort(),
  };
}

test('the page loads offline with no console error; the keyboard walks every step and the tables change where the frames say', async () => {
  const b = racyPage();
  await walk(b, 'viewer-violation');
});

test('a violation found in the epilogue (no-idle-trim): the janitor\'s lane, every step walked, the LRU rows outlined at the end', async () => {
  const b = build('epilogue', corpusCase('no-idle-trim'));
  assert.is(b.o.phase, 'quiescence');
  await walk(b, 'viewer-epilogue');
});

async function walk(b: Built, shot: string): Promise<void> {
  const last = b.o.frames.length - 1;
  assert.ok(b.o.violation !== null && last > 10, `a violation after a few steps (${last})`);
  const opened = await openPage(b.file);
  try {
    const { page } = opened;
    let s = await shown(page);
    assert.is(s.step, last, 'opens at the violation');
    assert.equal(s.culprit, expected(b, last).culprit);
    assert.ok(s.culprit.length > 0, 'the violation names a row');
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, `${shot}.png`), fullPage: true });

    await page.keyboard.press('Home');
    const dx = Number(await page.getAttribute('#lanes', 'data-dx'));
    const x0 = Number(await page.getAttribute('#lanes', 'data-x0'));
    const seen = new Set<string>();
    for (let k = 0; k <= last; k++) {
      s = await shown(page);
      const e = expected(b, k);
      assert.is(s.step, k);
      assert.is(s.slider, k, 'the slider follows');
      assert.is(s.cursor, x0 + k * dx, 'the lanes cursor follows');
      assert.equal(s.cells, e.cells, `step ${k}: the heap rows`);
      assert.equal(s.changed, e.changed, `step ${k}: changed cells`);
      assert.equal(s.added, e.added, `step ${k}: added rows`);
      assert.equal(s.removed, e.removed, `step ${k}: removed rows`);
      assert.equal(s.culprit, e.culprit, `step ${k}: culprit rows only at the violation`);
      assert.equal(s.taken, e.taken, `step ${k}: machine edges taken so far`);
      assert.equal(s.now, e.now, `step ${k}: machine edges of this step`);
      for (const c of s.changed) seen.add(c);
      if (k < last) await page.keyboard.press('ArrowRight');
    }
    assert.ok(seen.size >= 5, `the walk saw cells change (${seen.size})`);
    await page.keyboard.press('ArrowRight');
    assert.is((await shown(page)).step, last, 'stops at the last step');
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowLeft');
    assert.is((await shown(page)).step, 0, 'stops at step 0');
    await page.keyboard.press('End');
    assert.is((await shown(page)).step, last);

    // the slider itself (its own keys move it) and the buttons
    await page.focus('#slider');
    await page.keyboard.press('ArrowLeft');
    assert.is((await shown(page)).step, last - 1, 'the focused slider moves one step, not two');
    await page.click('#prev');
    assert.is((await shown(page)).step, last - 2);
    await page.click('#next');
    await page.click('#next');
    assert.is((await shown(page)).step, last);
    // a click on the lanes goes to that step
    const box = (await page.locator('#lanes').boundingBox())!;
    await page.mouse.click(box.x + x0 + 3 * dx + dx / 2, box.y + 30);
    assert.is((await shown(page)).step, 3);
    await page.screenshot({ path: join(SHOTS, `${shot}-step-3.png`), fullPage: true });

    assert.equal(opened.errors, [], 'no console errors');
    assert.equal(opened.blocked, [], 'no request but the page itself');
  } finally {
    await opened.close();
  }
}

test('the copy button writes the token to the clipboard; where the clipboard refuses, it selects the token', async () => {
  const b = racyPage();
  const opened = await openPage(b.file);
  try {
    const { page } = opened;
    const token = encodeToken(b.c);
    assert.is(await page.textContent('#token'), token);
    // record what the page writes (headless Chromium lets a page write the clipboard, not read it back)
    await page.evaluate(() => {
      const w = window as unknown as { copied: string[] };
      w.copied = [];
      const write = navigator.clipboard.writeText.bind(navigator.clipboard);
      navigator.clipboard.writeText = (text: string) => {
        w.copied.push(text);
        return write(text);
      };
    });
    await page.click('#copy');
    await page.waitForFunction(() => document.getElementById('copy')!.textContent !== 'copy');
    assert.is(await page.textContent('#copy'), 'copied');
    assert.equal(await page.evaluate(() => (window as unknown as { copied: string[] }).copied), [token]);
    // refused: the token is selected for Ctrl+C instead
    await page.evaluate(() => {
      navigator.clipboard.writeText = () => Promise.reject(new Error('refused'));
    });
    await page.click('#copy');
    await page.waitForFunction(() => document.getElementById('copy')!.textContent !== 'copied');
    assert.equal([await page.textContent('#copy'), await page.evaluate(() => getSelection()!.toString())], ['selected: press Ctrl+C', token]);
    assert.equal(opened.errors, []);
    assert.equal(opened.blocked, []);
  } finally {
    await opened.close();
  }
});

test('a 200-step page: under 500 KB, loads with no error, Home/End reach both ends', async () => {
  const b = build('long', longCase());
  assert.ok(b.o.steps >= 200, `${b.o.steps} steps`);
  const bytes = Buffer.byteLength(viewPage(b.c, b.o));
  assert.ok(bytes < 500_000, `${bytes} bytes`);
  const opened = await openPage(b.file);
  try {
    const { page } = opened;
    assert.is((await shown(page)).step, b.o.frames.length - 1);
    await page.keyboard.press('Home');
    assert.equal((await shown(page)).cells, expected(b, 0).cells);
    await page.keyboard.press('End');
    assert.equal((await shown(page)).cells, expected(b, b.o.frames.length - 1).cells);
    assert.equal(opened.errors, []);
    assert.equal(opened.blocked, []);
  } finally {
    await opened.close();
  }
});

test('without JavaScript: the static tables carry the violation, the heap at the last step and every trace entry', async () => {
  const b = racyPage();
  const opened = await openPage(b.file, false);
  try {
    const { page } = opened;
    assert.ok(await page.isHidden('#controls'), 'no slider without a script to drive it');
    assert.ok((await page.textContent('#violation td.where'))!.startsWith(b.o.violation!.where));
    const culprit = await page.$$eval('table.heap tr.culprit', (trs) => trs.map((tr) => (tr as HTMLElement).dataset['key']!).sort());
    assert.equal(culprit, expected(b, b.o.frames.length - 1).culprit);
    assert.equal(await page.$$eval('table.heap td.changed', (tds) => tds.length), expected(b, b.o.frames.length - 1).changed.length);
    assert.is(await page.$$eval('#trace-table tbody tr', (trs) => trs.length), b.o.trace.length);
    assert.equal(opened.errors, []);
    assert.equal(opened.blocked, []);
  } finally {
    await opened.close();
  }
});

test.run();
