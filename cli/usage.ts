// Command-line plumbing shared by the subcommands: bad input is a UsageError, which
// main.ts prints and turns into exit code 2.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError, DECIMAL, makeConfig, type ConfigInput } from '../impl/config.js';
import { quote } from '../impl/quote.js';
import { DEFAULT_SCHEDULER, SCHEDULERS, schedulerKind, type SchedulerKind } from '../properties/schedulers/registry.js';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Parses `argv` strictly: unknown options and stray arguments are usage errors (the
 * offending text quoted, cut short). `--opt -5` is read as the value -5 of a string
 * option (node's parseArgs calls it ambiguous), for the range check to judge.
 */
export function parse<O extends Options>(argv: string[], options: O, positionals = 0) {
  const args = argv.map((a, i) => {
    const name = /^--([^=]+)$/.exec(argv[i - 1] ?? '')?.[1];
    return name !== undefined && Object.hasOwn(options, name) && options[name]!.type === 'string' && /^-\d/.test(a) ? `\0${a}` : a;
  });
  const joined = args.flatMap((a, i) => (a.startsWith('\0') ? [] : args[i + 1]?.startsWith('\0') === true ? [`${a}=${args[i + 1]!.slice(1)}`] : [a]));
  try {
    const parsed = parseArgs({ args: joined, options, allowPositionals: positionals > 0, strict: true });
    if (parsed.positionals.length > positionals) throw new UsageError(`unexpected argument ${quote(parsed.positionals[positionals]!)}`);
    return parsed;
  } catch (err) {
    if (err instanceof UsageError) throw err;
    // parseArgs names the option as given: cut it short, drop its advice on dashes
    const message = (err as Error).message.split('\n')[0]!.replace(/'([^']*)'/g, (_m, x: string) => quote(x));
    throw new UsageError(message);
  }
}

/** The entry of `table` called `name`: own entries only (never `constructor`, `__proto__`, `toString`). */
export function entry<T>(table: Readonly<Record<string, T>>, name: string | undefined): T | undefined {
  return name !== undefined && Object.hasOwn(table, name) ? table[name] : undefined;
}

/** A whole number option in [min, max] (decimal digits only), or its default when absent. */
export function intOption(name: string, raw: string | undefined, def: number, min: number, max: number): number {
  if (raw === undefined) return def;
  const value = Number(raw);
  if (!/^-?\d+$/.test(raw) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got ${quote(raw)}`);
  }
  return value;
}

/**
 * --jobs, threads at once, from 1 to `max`; when absent, SLABCHECK_JOBS if set (for a machine
 * already busy: a CI runner shared by several jobs, or scripts/test.mjs, which runs a test file
 * per core), else the machine's cores.
 */
export function jobsOption(raw: string | undefined, max: number): number {
  const env = process.env['SLABCHECK_JOBS'];
  if (raw !== undefined || env === undefined) return intOption('jobs', raw, availableParallelism(), 1, max);
  const value = Number(env);
  if (!/^\d+$/.test(env) || !Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new UsageError(`SLABCHECK_JOBS (the default of --jobs) must be a whole number from 1 to ${max}, got ${quote(env)}`);
  }
  return value;
}

/** --scheduler's values in usage lines: the registered schedulers (older aliases are accepted, not shown). */
export const SCHEDULER_OPTION = SCHEDULERS.map((p) => p.kind).join('|');

/** The scheduler kind --scheduler names (a kind or an older alias), or the default when absent. */
export function schedulerOption(raw: string | undefined): SchedulerKind {
  if (raw === undefined) return DEFAULT_SCHEDULER;
  const kind = schedulerKind(raw);
  if (kind === undefined) throw new UsageError(`--scheduler must be one of ${SCHEDULER_OPTION.replaceAll('|', ', ')}, got ${quote(raw)}`);
  return kind;
}

/** Options every allocator-running command shares: --config FILE, --set KEY=VALUE, --variant NAME. */
export const CONFIG_OPTIONS = {
  config: { type: 'string' },
  set: { type: 'string', multiple: true },
  variant: { type: 'string', multiple: true },
} as const;

/** The configuration input from --config, --set and --variant, validated on top of `base`. */
export function configFrom(values: { config?: string; set?: string[]; variant?: string[] }, base: ConfigInput = {}): ConfigInput {
  // keys as data: `__proto__` stays a key (and is refused as unknown), never a prototype
  const input: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  const put = (key: string, value: unknown): void => {
    Object.defineProperty(input, key, { value, enumerable: true, writable: true, configurable: true });
  };
  if (values.config !== undefined) {
    let text: string;
    try {
      text = readFileSync(values.config, 'utf8');
    } catch (err) {
      throw new UsageError(`--config ${quote(values.config)}: ${(err as Error).message}`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new UsageError(`--config ${quote(values.config)}: not valid JSON (${(err as Error).message.slice(0, 120)})`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new UsageError(`--config ${quote(values.config)}: expected a JSON object of knob: value`);
    }
    for (const [k, v] of Object.entries(parsed)) put(k, v);
  }
  for (const pair of values.set ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--set expects KEY=VALUE, got ${quote(pair)}`);
    const raw = pair.slice(eq + 1);
    // decimal numbers as numbers (they travel in replay tokens); anything else for makeConfig to name
    put(pair.slice(0, eq), DECIMAL.test(raw) ? Number(raw) : raw);
  }
  if (values.variant !== undefined) {
    const listed = input['variants'] ?? [];
    // a malformed `variants` in the file is left for makeConfig to name
    put('variants', Array.isArray(listed) ? [...listed, ...values.variant] : listed);
  }
  try {
    makeConfig({ ...base, ...input });
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(err.message);
    throw err;
  }
  return { ...input };
}
