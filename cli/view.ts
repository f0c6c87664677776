// `slabcheck view TOKEN [--out FILE] [--open]`: the counterexample page (viewer/page.ts)
// for any token — failing or passing — written to FILE (default
// reports/<invariant or PASS>-<hash>.html) and, with --open, opened in the browser
// ($BROWSER, else the platform's opener).
import { spawn } from 'node:child_process';
import { execute } from '../properties/execute.js';
import { encodeToken } from '../properties/token.js';
import { viewPage } from '../viewer/page.js';
import { caseArg } from './check.js';
import { reportBase, writeFile } from './report-files.js';
import { parse } from './usage.js';

export const VIEW_USAGE = 'slabcheck view TOKEN [--out FILE] [--open]';

type Out = (line: string) => void;

export async function viewCommand(argv: string[], out: Out, err: Out): Promise<number> {
  const { values, positionals } = parse(argv, { out: { type: 'string' }, open: { type: 'boolean' } }, 1);
  const c = caseArg(positionals[0], 'view');
  const o = execute(c, { trace: true });
  const file = values.out ?? `${reportBase('reports', o.violation?.id ?? 'PASS', encodeToken(c))}.html`;
  writeFile(file, viewPage(c, o), '--out');
  out(`${file}: ${o.violation === null ? 'no invariant broken' : `${o.violation.id} at step ${o.steps}`} (${o.steps} steps)`);
  if (values.open === true) {
    const problem = await open(file);
    if (problem !== null) err(`could not open a browser (${problem}): open ${file} yourself`);
  }
  return 0;
}

const OPENERS: Record<string, string[]> = { darwin: ['open'], win32: ['cmd', '/c', 'start', '""'] };

function open(file: string): Promise<string | null> {
  const browser = process.env['BROWSER'] ?? '';
  const [cmd, ...args] = browser !== '' ? [browser] : OPENERS[process.platform] ?? ['xdg-open'];
  return new Promise((resolve) => {
    const child = spawn(cmd!, [...args, file], { detached: true, stdio: 'ignore' });
    child.once('error', (e) => resolve(e.message));
    child.once('spawn', () => {
      child.unref();
      resolve(null);
    });
  });
}
