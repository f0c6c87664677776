// The committed traces (trace/corpus/, recorded on this machine: README "Corpus"): each
// replays strictly with the audit holding on the default configuration, with the
// figures the README gives; the seed bugs whose symptom shows on them show it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { replayFile, type TraceReport, type TraceRun } from '../trace/run.js';

const dir = fileURLToPath(new URL('../../trace/corpus/', import.meta.url));
const RUN: TraceRun = { config: {}, timing: false, eventsPerMs: 1000, auditEvery: 100_000, lenient: false };
const replay = (name: string, variants: string[] = []): Promise<TraceReport> => replayFile(`${dir}${name}`, { ...RUN, config: { variants } });
const id = (r: TraceReport): string => (typeof r.audit === 'string' ? r.audit : r.audit.id);

// name: [events, threads, cross-thread frees, SuperSlabs mapped]
const CORPUS: Record<string, [number, number, number, number]> = {
  'cc1.trace.gz': [88_735, 1, 0, 1],
  'node-workers.trace.gz': [94_546, 8, 669, 2],
  'pigz.trace.gz': [507, 4, 208, 1],
  'python.trace.gz': [98_426, 1, 0, 2],
  'sqlite.trace.gz': [16_647, 1, 0, 1],
  'xz.trace.gz': [331, 3, 0, 1],
};

test('the corpus: at most 1 MB compressed, every file described', () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.trace.gz')).sort();
  assert.equal(files, Object.keys(CORPUS));
  const bytes = files.reduce((n, f) => n + statSync(`${dir}${f}`).size, 0);
  assert.ok(bytes <= 1_000_000, `${bytes} bytes`);
});

for (const [name, [events, threads, cross, ssAlloc]] of Object.entries(CORPUS)) {
  test(`${name}: strict replay, the audit holds on the default configuration; the seed bugs show`, async () => {
    const r = await replay(name);
    assert.is(r.audit, 'ok');
    assert.is(r.trace.failure, null);
    assert.equal([r.trace.events, r.trace.threads, r.trace.crossThreadFrees, r.ssAlloc], [events, threads, cross, ssAlloc]);
    // seed 000/001: fast-path frees never lower `used` — no EMPTY, nothing freed, the audit breaks
    const stranded = await replay(name, ['tls-free-skips-used']);
    assert.is(id(stranded), 'INV-CONSERVATION');
    assert.is(stranded.ssFreed, 0);
    // seed 003 §2.2: remote frees leave the active count high — only where threads free each other's blocks
    const remote = await replay(name, ['remote-free-skips-active']);
    assert.is(id(remote), r.remoteFrees > 0 ? 'INV-ACTIVE-SUM' : 'ok');
    // seed 003: a SuperSlab per thread and class
    const perThread = await replay(name, ['tls-superslabs']);
    assert.is(id(perThread), 'ok');
    assert.ok(perThread.ssAlloc >= 4 * r.ssAlloc, `${perThread.ssAlloc} SuperSlabs mapped vs ${r.ssAlloc}`);
  });
}

test.run();
