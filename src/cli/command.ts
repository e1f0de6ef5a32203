/** What every CLI subcommand provides. Commands parse their own flags with `parseFlags`. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../errors.js';

export interface Command {
  readonly name: string;
  /** One line for `storbench --help`. */
  readonly summary: string;
  /** Full usage text for `storbench <name> --help`. */
  readonly usage: string;
  /** Returns the process exit code. Throw UsageError for bad input (exit 2, nothing written). */
  run(argv: string[]): Promise<number>;
}

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Strict flag parsing: unknown flags and missing values become a UsageError naming the flag.
 * `--help` is always accepted and reported as `help: true`.
 */
export function parseFlags<O extends Options>(command: string, argv: string[], options: O, allowPositionals = false) {
  try {
    return parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals });
  } catch (e) {
    const message = (e as Error).message.replace(/\. To specify a positional argument.*$/s, '');
    throw new UsageError(`${command}: ${message}`);
  }
}

/** A positive whole number flag, or `undefined` when absent. */
export function positiveInt(value: string | undefined, flag: string, max = 1_000_000): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new UsageError(`${flag}: expected a whole number from 1 to ${max}, got "${value}"`);
  return n;
}
