// slabcheck as a library: run the allocator properties from your own test runner
// (uvu, vitest, jest). A failure throws a CounterexampleError whose message is the
// same report `slabcheck check` prints, with the replay token; `.report` holds it all.
import { execute } from './execute.js';
import { check, type CheckOptions, type CheckResult } from './check.js';
import { makeReport, markdown, terminalText, type Report } from './report.js';
import { decodeToken } from './token.js';

export { check, execute, decodeToken, markdown, terminalText };
export type { CheckOptions, CheckResult, Report };
export { encodeToken, TokenError } from './token.js';
export { caseArb, TINY_GEOMETRY } from './scope.js';
export type { Case, Op, Program, Schedule } from './program.js';

export class CounterexampleError extends Error {
  constructor(readonly report: Report) {
    super(['', ...terminalText(report)].join('\n'));
    this.name = 'CounterexampleError';
  }
}

/** Runs the properties; throws a CounterexampleError on the first (shrunk) violation. */
export function assertAllocator(options: CheckOptions = {}): CheckResult {
  const result = check(options);
  if (result.report !== null) throw new CounterexampleError(result.report);
  return result;
}

/** The report a replay token reproduces, or null when its case passes. */
export function replay(token: string): Report | null {
  const c = decodeToken(token);
  const o = execute(c, { trace: true });
  return o.violation === null ? null : makeReport(c, o);
}
