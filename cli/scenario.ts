// `slabcheck scenario NAME|all [--json]`: a seed's measurement on the buggy variant and
// on the fixed design, beside the seed's own figures (harness/scenarios.ts). Exit 0 when
// every judged symptom row agrees in direction with the seed, 1 when one does not; a
// row not judged (seeds 000/001's mmap churn) is shown with the reason.
import { runScenario, SCENARIOS, type ScenarioResult } from '../harness/scenarios.js';
import { parse, UsageError } from './usage.js';

export const SCENARIO_USAGE = `slabcheck scenario NAME|all [--json]   NAME: ${SCENARIOS.map((s) => s.name).join(', ')}`;

export async function scenarioCommand(argv: string[], out: (line: string) => void): Promise<number> {
  const { values, positionals } = parse(argv, { json: { type: 'boolean' } }, 1);
  const name = positionals[0];
  const chosen = name === 'all' ? SCENARIOS : SCENARIOS.filter((s) => s.name === name);
  if (chosen.length === 0) {
    throw new UsageError(name === undefined ? 'scenario needs a name' : `unknown scenario '${name}'`);
  }
  const results: ScenarioResult[] = [];
  for (const s of chosen) {
    const r = await runScenario(s);
    results.push(r);
    if (values.json !== true) print(r, out);
  }
  if (values.json === true) out(JSON.stringify(name === 'all' ? results : results[0]));
  return results.every((r) => r.agrees) ? 0 : 1;
}

function print(r: ScenarioResult, out: (line: string) => void): void {
  const width = Math.max(14, ...r.columns.map((c) => c.length));
  out(`${r.scenario} — seed ${r.seed}`);
  out(`  ${r.title}`);
  out(`  ${'metric'.padEnd(26)} ${'seed: bug'.padEnd(24)} ${'seed: fix'.padEnd(14)} ${r.columns.map((c) => c.padStart(width)).join(' ')}  direction`);
  for (const row of r.rows) {
    const verdict = row.notJudged !== null ? 'not judged' : row.agrees === null ? '' : row.agrees ? 'agrees' : 'DISAGREES';
    out(`  ${row.label.padEnd(26)} ${row.seedBug.padEnd(24)} ${row.seedFix.padEnd(14)} ${row.values.map((v) => String(v).padStart(width)).join(' ')}  ${verdict}`);
    if (row.notJudged !== null) out(`      ${row.notJudged}`);
    else if (row.note !== null && row.agrees === false) out(`      ${row.note}`);
  }
  out(`  audit: ${r.columns.map((c, i) => `${c}: ${r.audits[i]}`).join('; ')}`);
  out(`  ${r.note}`);
  out(`  => ${r.agrees ? 'the model agrees with the seed on every judged row' : 'the model does NOT agree with the seed on every judged symptom'}`);
  out('');
}
