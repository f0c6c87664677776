// The `slabcheck` command. Bad arguments: a message naming the problem, exit 2.
import { VARIANTS } from '../impl/variants.js';
import { CHECK_USAGE, checkCommand, COVERAGE_USAGE, coverageCommand, REPLAY_USAGE, replayCommand } from './check.js';
import { RUN_USAGE, runCommand } from './run.js';
import { SCENARIO_USAGE, scenarioCommand } from './scenario.js';
import { UsageError } from './usage.js';
import { VIEW_USAGE, viewCommand } from './view.js';
import { ZOO_USAGE, zooCommand } from './zoo.js';

const USAGE = `usage:
  ${CHECK_USAGE}
  ${REPLAY_USAGE}
  ${VIEW_USAGE}
  ${ZOO_USAGE}
  ${COVERAGE_USAGE}
  ${RUN_USAGE}
  ${SCENARIO_USAGE}
  slabcheck variants [--json]
  slabcheck help`;

type Command = (argv: string[], out: (line: string) => void, err: (line: string) => void) => number | Promise<number>;

const COMMANDS: Record<string, Command> = {
  check: checkCommand,
  replay: replayCommand,
  view: viewCommand,
  zoo: zooCommand,
  coverage: coverageCommand,
  run: runCommand,
  scenario: scenarioCommand,
  variants: (argv, out) => {
    if (argv.length > 1 || (argv.length === 1 && argv[0] !== '--json')) throw new UsageError('variants takes only --json');
    if (argv[0] === '--json') out(JSON.stringify(VARIANTS.map(({ name, seed, bug }) => ({ name, seed, bug }))));
    else for (const v of VARIANTS) out(`${v.name.padEnd(26)} ${v.seed.padEnd(40)} ${v.bug}`);
    return 0;
  },
  help: (_argv, out) => {
    out(USAGE);
    return 0;
  },
};

const wantsHelp = (argv: string[]): boolean => argv.includes('--help') || argv.includes('-h');

export async function main(argv: string[], out: (line: string) => void = console.log, err: (line: string) => void = console.error): Promise<number> {
  const [name, ...rest] = argv;
  const command = name === undefined ? undefined : COMMANDS[name];
  // `--help` anywhere prints the usage (exit 0); `run WORKLOAD --help` lists that workload's options
  if (wantsHelp(argv) && !(name === 'run' && rest[0] !== undefined && !rest[0].startsWith('-'))) return COMMANDS['help']!([], out, err);
  try {
    if (command === undefined) throw new UsageError(name === undefined ? 'no command given' : `unknown command '${name}'`);
    return await command(rest, out, err);
  } catch (e) {
    if (e instanceof UsageError) {
      err(`slabcheck: ${e.message}`);
      err(USAGE);
      return 2;
    }
    throw e;
  }
}
