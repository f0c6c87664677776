// Counterexample reports (docs/architecture.md §8): the violated rule, the state diff that shows
// it, the minimal per-thread program and schedule, the trace of the interleaving, the
// replay token — as JSON, as Markdown with a Mermaid sequence diagram, and as the few
// lines a terminal shows. Everything here is a function of the case alone (no clock, no
// paths), so a replay prints the same bytes.
import { match } from 'ts-pattern';
import type { Snapshot } from '../model/audit.js';
import { ruleById, type Violation } from '../model/rules/catalogue.js';
import type { Outcome, TraceEntry } from './execute.js';
import { caseSize, programText, scheduleText, type Case } from './program.js';
import { encodeToken } from './token.js';

export interface Report {
  invariant: { id: string; rule: string };
  violation: Violation;
  /** 'program', or 'quiescence' when it showed in the epilogue (everything freed, drained, trimmed, aged). */
  phase: Outcome['phase'];
  program: string[];
  schedule: string;
  /** Counterexample size: program operations + schedule entries (preemptions or change points). */
  size: { ops: number; switches: number; steps: number };
  token: string;
  replay: string;
  stateDiff: Change[];
  trace: TraceEntry[];
  case: Case;
}

export interface Change {
  path: string;
  before: unknown;
  after: unknown;
}

/** The statement of rule `id` (model/rules/catalogue.ts), as reports quote it. */
export function ruleOf(id: string): string {
  return ruleById(id)?.statement ?? '';
}

/** The report of a traced run of `c` that found a violation. */
export function makeReport(c: Case, o: Outcome): Report {
  const v = o.violation!;
  const { ops, switches } = caseSize(c);
  const token = encodeToken(c);
  return {
    invariant: { id: v.id, rule: ruleOf(v.id) },
    violation: v,
    phase: o.phase,
    program: programText(c.program),
    schedule: scheduleText(c.schedule),
    size: { ops, switches, steps: ops + switches },
    token,
    replay: `npx slabcheck replay ${token}`,
    stateDiff: o.before !== null && o.after !== null ? diff(o.before, o.after) : [],
    trace: o.trace,
    case: c,
  };
}

/** Leaf values that differ between two snapshots, by path (the first 40). */
export function diff(before: Snapshot, after: Snapshot): Change[] {
  const out: Change[] = [];
  const walk = (a: unknown, b: unknown, path: string): void => {
    if (out.length >= 40) return;
    if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
      const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
      for (const k of keys) walk((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path === '' ? k : `${path}.${k}`);
    } else if (JSON.stringify(a) !== JSON.stringify(b)) {
      out.push({ path, before: a, after: b });
    }
  };
  const { counters: _c, limits: _l, ...b } = before;
  const { counters: _d, limits: _m, ...a } = after;
  walk(b, a, '');
  return out;
}

/** The few lines a terminal shows for a violation. */
export function terminalText(r: Report): string[] {
  const v = r.violation;
  return [
    `VIOLATION ${v.id}: ${v.what}`,
    `  rule:     ${r.invariant.rule}`,
    `  where:    ${v.where}${r.phase === 'quiescence' ? ' (after quiescence: all freed, drained, trimmed, aged past the TTL)' : ''}`,
    `  expected: ${v.expected}`,
    `  actual:   ${v.actual}`,
    `  program (${r.size.ops} ops):`,
    ...r.program.map((line) => `    ${line}`),
    `  schedule (${r.size.switches} entries): ${r.schedule}`,
    `  size: ${r.size.steps} steps`,
    `  replay: ${r.replay}`,
  ];
}

export function markdown(r: Report): string {
  const v = r.violation;
  const lines = [
    `# ${v.id}: ${v.what}`,
    '',
    `**Rule:** ${r.invariant.rule}`,
    '',
    '| | |',
    '|---|---|',
    `| where | ${cell(v.where)} |`,
    `| expected | ${cell(v.expected)} |`,
    `| actual | ${cell(v.actual)} |`,
    `| phase | ${r.phase === 'quiescence' ? 'quiescence (all freed, drained, trimmed, clock past the TTL)' : 'program'} |`,
    `| size | ${r.size.ops} operations + ${r.size.switches} schedule entries = ${r.size.steps} steps |`,
    '',
    '## Program',
    '',
    '```',
    ...r.program,
    '```',
    '',
    `**Schedule:** ${r.schedule}`,
    '',
    '## Replay',
    '',
    '```sh',
    r.replay,
    '```',
    '',
    '## Interleaving',
    '',
    '```mermaid',
    ...mermaid(r),
    '```',
    '',
    '## State diff (last clean quiescent point → violation)',
    '',
    ...(r.stateDiff.length === 0 ? ['(no change)'] : ['| path | before | after |', '|---|---|---|', ...r.stateDiff.map((c) => `| ${cell(c.path)} | ${cell(value(c.before))} | ${cell(value(c.after))} |`)]),
    '',
    '## Configuration',
    '',
    '```json',
    JSON.stringify(r.case.config, null, 2),
    '```',
    '',
  ];
  return lines.join('\n');
}

/** A Mermaid sequence diagram of the traced interleaving. */
export function mermaid(r: Report): string[] {
  const threads = [...new Set(r.trace.map((e) => e.thread).filter((t) => t >= 0))].sort((a, b) => a - b);
  const out = ['sequenceDiagram', ...threads.map((t) => `  participant T${t}`), '  participant heap'];
  const midOp = new Set<number>();
  for (const e of r.trace) {
    const text = mermaidText(e.text);
    match(e.kind)
      .with('start', () => {
        out.push(`  T${e.thread}->>heap: ${text}`);
        midOp.add(e.thread);
      })
      .with('end', () => {
        out.push(`  heap-->>T${e.thread}: ${text}`);
        midOp.delete(e.thread);
      })
      .with('event', () => out.push(`  Note over heap: ${text}`))
      .with('switch', () => {
        const preempted = [...midOp].filter((t) => t !== e.thread);
        if (preempted.length > 0) out.push(`  Note over ${preempted.map((t) => `T${t}`).join(',')}: preempted mid-operation`);
      })
      .exhaustive();
  }
  out.push(`  Note over heap: VIOLATION ${mermaidText(`${r.violation.id}: ${r.violation.what}`)}`);
  return out;
}

const cell = (s: string): string => s.replace(/\|/g, '\\|');
const value = (x: unknown): string => (x === undefined ? '(absent)' : JSON.stringify(x));
// Mermaid reads ';' as a statement end and '#' as an entity.
const mermaidText = (s: string): string => s.replace(/[#;]/g, (c) => (c === '#' ? '#35;' : '#59;'));
