/** What every CLI subcommand provides. Commands parse their own flags with `parseFlags`. */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from '../errors.js';
import { parseWholeNumber } from '../workloads/size.js';

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

/** A value that starts with '-' but is a number (`-5s`, `-1`, `-0`, `-.5`), not a flag. */
const NEGATIVE_LOOKING = /^-\.?\d/;

/**
 * `--flag -5s` as `--flag=-5s` for the flags that take a value: util.parseArgs refuses the first form in three
 * lines ("argument is ambiguous"); taken as the value, it is refused by the field's own check in one line
 * that names the flag ("--duration: ..."). Arguments after `--` are left alone.
 */
function joinNegativeValues(argv: readonly string[], options: Options): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') return [...out, ...argv.slice(i)];
    const next = argv[i + 1];
    const takesValue = arg.startsWith('--') && options[arg.slice(2)]?.type === 'string';
    if (takesValue && next !== undefined && NEGATIVE_LOOKING.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}

/**
 * Strict flag parsing: unknown flags and missing values become a UsageError naming the flag.
 * `--help` is always accepted and reported as `help: true`.
 */
export function parseFlags<O extends Options>(command: string, argv: string[], options: O, allowPositionals = false) {
  try {
    return parseArgs({
      args: joinNegativeValues(argv, options),
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals,
    });
  } catch (e) {
    // one line: node's advice about '--' and '--flag=-XYZ' does not apply to storbench's flags
    const message = (e as Error).message.replace(/\.?\s*To specify an? (positional|option) argument.*$/s, '').replace(/\s*\n\s*/g, ' ');
    const unknown = /^Unknown option '--([^'=]+)'/.exec(message)?.[1];
    const near = unknown === undefined ? undefined : nearest(unknown, [...Object.keys(options), 'help']);
    throw new UsageError(`${command}: ${message}${near ? ` (did you mean --${near}?)` : ''}`);
  }
}

/** Levenshtein distance: the edits (insert, delete, replace one character) that turn `a` into `b`. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = row;
  }
  return previous[b.length]!;
}

/** The name closest to `typed`, if it is close enough to be what was meant: at most a third of it edited (at least 1, at most 3). */
export function nearest(typed: string, names: readonly string[]): string | undefined {
  const limit = Math.min(3, Math.max(1, Math.floor(typed.length / 3)));
  let best: { name: string; d: number } | undefined;
  for (const name of names) {
    const d = editDistance(typed, name);
    if (d <= limit && (!best || d < best.d)) best = { name, d };
  }
  return best?.name;
}

/** A positive whole number flag, or `undefined` when absent. */
export function positiveInt(value: string | undefined, flag: string, max = 1_000_000): number | undefined {
  if (value === undefined) return undefined;
  const n = parseWholeNumber(value);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new UsageError(`${flag}: expected a whole number from 1 to ${max}, got "${value}"`);
  return n;
}
