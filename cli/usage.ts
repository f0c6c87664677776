// Command-line plumbing shared by the subcommands: bad input is a UsageError, which
// main.ts prints and turns into exit code 2.
import { readFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError, makeConfig, type ConfigInput } from '../impl/config.js';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** Parses `argv` strictly: unknown options and stray arguments are usage errors. */
export function parse<O extends Options>(argv: string[], options: O, positionals = 0) {
  try {
    const parsed = parseArgs({ args: argv, options, allowPositionals: positionals > 0, strict: true });
    if (parsed.positionals.length > positionals) throw new UsageError(`unexpected argument '${parsed.positionals[positionals]}'`);
    return parsed;
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError((err as Error).message);
  }
}

/** A whole number option in [min, max], or its default when absent. */
export function intOption(name: string, raw: string | undefined, def: number, min: number, max: number): number {
  if (raw === undefined) return def;
  const value = Number(raw);
  if (!/^-?\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got '${raw}'`);
  }
  return value;
}

/** Options every allocator-running command shares: --config FILE, --set KEY=VALUE, --variant NAME. */
export const CONFIG_OPTIONS = {
  config: { type: 'string' },
  set: { type: 'string', multiple: true },
  variant: { type: 'string', multiple: true },
} as const;

/** The configuration input from --config, --set and --variant, validated on top of `base`. */
export function configFrom(values: { config?: string; set?: string[]; variant?: string[] }, base: ConfigInput = {}): ConfigInput {
  const input: Record<string, unknown> = {};
  if (values.config !== undefined) {
    let text: string;
    try {
      text = readFileSync(values.config, 'utf8');
    } catch (err) {
      throw new UsageError(`--config ${values.config}: ${(err as Error).message}`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new UsageError(`--config ${values.config}: not valid JSON (${(err as Error).message})`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new UsageError(`--config ${values.config}: expected a JSON object of knob: value`);
    }
    Object.assign(input, parsed);
  }
  for (const pair of values.set ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--set expects KEY=VALUE, got '${pair}'`);
    const raw = pair.slice(eq + 1);
    // numbers as numbers (they travel in replay tokens); anything else for makeConfig to name
    input[pair.slice(0, eq)] = raw.trim() !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
  }
  if (values.variant !== undefined) {
    const listed = input['variants'] ?? [];
    // a malformed `variants` in the file is left for makeConfig to name
    input['variants'] = Array.isArray(listed) ? [...listed, ...values.variant] : listed;
  }
  try {
    makeConfig({ ...base, ...input });
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(err.message);
    throw err;
  }
  return input;
}
