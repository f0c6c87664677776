// The `slabcheck` command. Bad arguments: a message naming the problem, exit 2.
import { readFileSync } from 'node:fs';
import { ConfigError } from '../impl/config.js';
import { quote } from '../impl/quote.js';
import { VARIANTS } from '../impl/variants.js';
import { TokenError } from '../properties/token.js';
import { CHECK_USAGE, checkCommand, COVERAGE_USAGE, coverageCommand, REPLAY_USAGE, replayCommand } from './check.js';
import { MERGE_USAGE, mergeCommand } from './merge.js';
import { PROVE_USAGE, proveCommand } from './prove.js';
import { RUN_USAGE, runCommand } from './run.js';
import { SCENARIO_USAGE, scenarioCommand } from './scenario.js';
import { parse, UsageError } from './usage.js';
import { VIEW_USAGE, viewCommand } from './view.js';
import { ZOO_USAGE, zooCommand } from './zoo.js';
import { TRACE_USAGE, traceCommand } from '../trace/command.js';

type Command = (argv: string[], out: (line: string) => void, err: (line: string) => void) => number | Promise<number>;

const VARIANTS_USAGE = 'slabcheck variants [--json]';
const HELP_USAGE = 'slabcheck help [COMMAND] | slabcheck --version';

// A Map: a name every object has (`constructor`, `__proto__`, `toString`) is no command.
const COMMANDS = new Map<string, { usage: string; run: Command }>([
  ['check', { usage: CHECK_USAGE, run: checkCommand }],
  ['replay', { usage: REPLAY_USAGE, run: replayCommand }],
  ['view', { usage: VIEW_USAGE, run: viewCommand }],
  ['prove', { usage: PROVE_USAGE, run: proveCommand }],
  ['zoo', { usage: ZOO_USAGE, run: zooCommand }],
  ['coverage', { usage: COVERAGE_USAGE, run: coverageCommand }],
  ['merge', { usage: MERGE_USAGE, run: mergeCommand }],
  ['run', { usage: RUN_USAGE, run: runCommand }],
  ['scenario', { usage: SCENARIO_USAGE, run: scenarioCommand }],
  ['trace', { usage: TRACE_USAGE, run: traceCommand }],
  ['variants', {
    usage: VARIANTS_USAGE,
    run: (argv, out) => {
      if (argv.length > 1 || (argv.length === 1 && argv[0] !== '--json')) throw new UsageError(`variants takes only --json, got ${quote(argv.join(' '))}`);
      if (argv[0] === '--json') out(JSON.stringify(VARIANTS.map(({ name, seed, bug }) => ({ name, seed, bug }))));
      else for (const v of VARIANTS) out(`${v.name.padEnd(26)} ${v.seed.padEnd(40)} ${v.bug}`);
      return 0;
    },
  }],
  ['help', {
    usage: HELP_USAGE,
    run: (argv, out) => {
      const { positionals } = parse(argv, {}, 1);
      out(usageOf(positionals[0]));
      return 0;
    },
  }],
]);

/** The usage of one command, or of all when `name` is none of them. */
function usageOf(name: string | undefined): string {
  const one = name === undefined ? undefined : COMMANDS.get(name);
  return `usage:\n  ${one !== undefined ? one.usage : [...COMMANDS.values()].map((c) => c.usage).join('\n  ')}`;
}

// (not after `--`: those are another program's arguments, as in `trace record -- CMD`)
const wantsHelp = (argv: string[]): boolean => {
  const own = argv.includes('--') ? argv.slice(0, argv.indexOf('--')) : argv;
  return own.includes('--help') || own.includes('-h');
};

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return `slabcheck ${pkg.version}`;
}

/**
 * Runs one command line. Exit 0 ok, 1 a finding (or a failed run), 2 bad input — a
 * message naming the problem, never a stack trace: an error of this program's own is
 * one line marked "internal error".
 */
export async function main(argv: string[], out: (line: string) => void = console.log, err: (line: string) => void = console.error): Promise<number> {
  const [name, ...rest] = argv;
  const command = name === undefined ? undefined : COMMANDS.get(name);
  if (name === '--version' && rest.length === 0) {
    out(version());
    return 0;
  }
  // `--help`/`-h` anywhere prints the command's usage (exit 0); `run WORKLOAD --help` lists that workload's options
  if (wantsHelp(argv) && !(name === 'run' && rest[0] !== undefined && !rest[0].startsWith('-'))) {
    out(usageOf(command === undefined ? undefined : name));
    return 0;
  }
  try {
    if (command === undefined) throw new UsageError(name === undefined ? 'no command given' : `unknown command ${quote(name)}`);
    return await command.run(rest, out, err);
  } catch (e) {
    if (e instanceof UsageError || e instanceof ConfigError || e instanceof TokenError) {
      err(`slabcheck: ${e.message}`);
      err(command === undefined ? usageOf(undefined) : `usage: ${command.usage}`);
      return 2;
    }
    err(`slabcheck: internal error (a bug in slabcheck; please report it with the command line): ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
    return 1;
  }
}
