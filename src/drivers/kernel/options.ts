/**
 * Driver options: each driver declares its target URL's query options as a zod schema
 * (`defineOptions({ partSize: option.size(8 * MiB), secretAccessKey: secret(option.text()) })`).
 * The schema is the one place that says what an option means:
 * - every value is a string in the URL; the builders below parse it and name the option when it is wrong;
 * - an option the schema does not list is refused, and every problem of a target is reported together;
 * - a value is secret because its field is marked `secret(...)`, not because of its name: redaction everywhere
 *   (database, logs, pages, metrics, schedules) is derived from the marker.
 */
import { z } from 'zod';
import { UsageError } from '../../errors.js';
import { parseDuration, parseSize, parseWholeNumber } from '../../workloads/size.js';

/** The schema of one option: a URL string (or nothing) in, the parsed value out. */
export type OptionSchema<T = unknown> = z.ZodType<T, string | undefined>;
/** A driver's options: a strict object of option schemas. */
export type OptionsSchema<T extends Record<string, unknown> = Record<string, unknown>> = z.ZodType<T> & {
  readonly shape: Readonly<Record<string, OptionSchema>>;
};

const secretFields = new WeakSet<z.ZodType>();

/** Mark an option's value as a credential: shown as `***` wherever a target is stored, logged or served. */
export function secret<T extends z.ZodType>(schema: T): T {
  secretFields.add(schema);
  return schema;
}

/** True when the option schema was marked with {@link secret}. */
export function isSecretField(schema: z.ZodType): boolean {
  return secretFields.has(schema);
}

/** Parse a present, non-empty value with `parse`, or give `fallback`; a thrown message becomes the issue. */
function optional<T>(fallback: T, parse: (text: string) => T): OptionSchema<T> {
  return z
    .string()
    .optional()
    .transform((text, ctx): T => {
      if (text === undefined || text === '') return fallback;
      try {
        return parse(text);
      } catch (e) {
        ctx.addIssue({ code: 'custom', message: (e instanceof Error ? e.message : String(e)).replace(/^value: /, '') });
        return z.NEVER;
      }
    });
}

/** Thrown by the builders' parsers: the message is the issue, without the option name (the formatter adds it). */
function invalid(message: string): never {
  throw new Error(message);
}

/** Builders for option values as they are written in a URL. Each documents its default in the driver's schema. */
export const option = {
  /** Free text. */
  text(fallback?: string): OptionSchema<string | undefined> {
    return optional<string | undefined>(fallback, (text) => text);
  },
  /** `true/false/1/0/yes/no/on/off`; `undefined` as the fallback when the default depends on other options. */
  boolean<F extends boolean | undefined>(fallback: F): OptionSchema<boolean | F> {
    return optional<boolean | F>(fallback, (text) => {
      if (/^(1|true|yes|on)$/i.test(text)) return true;
      if (/^(0|false|no|off)$/i.test(text)) return false;
      return invalid(`expected true or false, got "${text}"`);
    });
  },
  /** A whole number in decimal digits (not `0x10`, `1e3` or ` 16 `) from `min` to `max`. */
  integer<F extends number | undefined>(fallback: F, min = 0, max = Number.MAX_SAFE_INTEGER): OptionSchema<number | F> {
    return optional<number | F>(fallback, (text) => {
      const n = parseWholeNumber(text);
      if (!Number.isSafeInteger(n) || n < min || n > max) invalid(`expected a whole number from ${min} to ${max}, got "${text}"`);
      return n;
    });
  },
  /** A byte size: `4096`, `4KiB`, `64MiB`. */
  size<F extends number | undefined>(fallback: F, min = 0, max = Number.MAX_SAFE_INTEGER): OptionSchema<number | F> {
    return optional<number | F>(fallback, (text) => {
      const bytes = parseSize(text, 'value');
      if (bytes < min || bytes > max) invalid(`expected a size from ${min} to ${max} bytes, got "${text}"`);
      return bytes;
    });
  },
  /** A duration in milliseconds: `500ms`, `30s`, `2m`, or a plain number of `unit`s. */
  duration<F extends number | undefined>(fallback: F, unit: 'ms' | 's' = 's'): OptionSchema<number | F> {
    return optional<number | F>(fallback, (text) => parseDuration(/^\d+(\.\d+)?$/.test(text) ? `${text}${unit}` : text, 'value'));
  },
  /** One of `values`. */
  choice<const V extends readonly string[], F extends V[number] | undefined>(values: V, fallback: F): OptionSchema<V[number] | F> {
    return optional<V[number] | F>(fallback, (text) => {
      const hit = values.find((v) => v === text || v.toLowerCase() === text.toLowerCase());
      return hit ?? invalid(`expected ${values.length === 2 ? values.join(' or ') : `one of ${values.join(', ')}`}, got "${text}"`);
    });
  },
} as const;

/**
 * Declare a driver's options: the names of `shape` are every option its target URLs may carry.
 * The kernel adds the layer options every driver shares ({@link LAYER_OPTIONS}).
 */
export function defineOptions<const S extends Record<string, OptionSchema>>(shape: S) {
  for (const name of Object.keys(shape)) {
    if (Object.hasOwn(LAYER_OPTIONS, name)) throw new Error(`option ${name} is a layer option every driver has; pick another name`);
  }
  return z.strictObject({ ...shape, ...LAYER_OPTIONS });
}

/**
 * Options every driver accepts, handled by the layers around it (src/layers/) and stored with the run's semantics:
 * - `opTimeout`: a deadline per operation (`30s`, `500ms`; a plain number is seconds); an operation past it is
 *   aborted and counted as a Timeout. @default none
 * - `opRetries`: how many times an operation that failed with a temporary error (a timeout, a throttled or
 *   unavailable server) is tried again, with jittered exponential backoff from 50 ms. Only operations that can be
 *   repeated whole are retried: writes of an in-memory body, reads (before their body), stat, delete. @default 0
 */
export const LAYER_OPTIONS = {
  opTimeout: option.duration(undefined),
  opRetries: option.integer(0, 0, 10),
};

/** The values of the layer options, as every driver's parsed options carry them. */
export interface LayerOptions {
  readonly opTimeout: number | undefined;
  readonly opRetries: number;
}

/** Names of an options schema's fields, and which are secret. */
export function describeOptions(schema: OptionsSchema): { readonly names: readonly string[]; readonly secret: ReadonlySet<string> } {
  const names = Object.keys(schema.shape);
  return { names, secret: new Set(names.filter((n) => isSecretField(schema.shape[n]!))) };
}

/**
 * Parse a target's raw options with its driver's schema, reporting every problem together, each naming its option.
 * A secret option's value is never quoted. Unknown options are refused with STORBENCH_ERR_UNKNOWN_OPTION.
 * @throws UsageError
 */
export function parseOptions<T extends Record<string, unknown>>(
  schema: OptionsSchema<T>,
  raw: Readonly<Record<string, string>>,
  where: { readonly scheme: string; readonly redacted: string },
): T {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const { names, secret } = describeOptions(schema);
  const problems: string[] = [];
  let unknown = false;
  for (const issue of result.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      unknown = true;
      problems.push(`unknown option${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')} for ${where.scheme}:// (known: ${names.join(', ')})`);
      continue;
    }
    const field = String(issue.path[0] ?? '');
    const message = issue.code === 'invalid_type' ? 'expected text' : issue.message;
    problems.push(`target option ${field}: ${secret.has(field) ? 'the value is not valid (not shown: it is a secret)' : message}`);
  }
  const text = unknown ? `target ${where.redacted}: ${problems.join('; ')}` : problems.join('; ');
  throw new UsageError(text, unknown ? 'STORBENCH_ERR_UNKNOWN_OPTION' : 'STORBENCH_ERR_USAGE');
}
