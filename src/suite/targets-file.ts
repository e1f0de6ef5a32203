/**
 * The targets file of `storbench suite` (YAML):
 *
 *   targets:
 *     - name: hdfs                                  # shown in reports
 *       url: webhdfs://nn1:9870/bench?user=bench
 *       options: { replication: 3 }                 # merged over the URL's query
 *       env: { secretAccessKey: S3_SECRET }         # option ← environment variable (secrets stay out of the file)
 *   workloads: [put-small, get-small]               # optional; --workloads overrides
 *   baseline: hdfs                                  # optional: the target the matrix compares the others to
 *
 * Options read from the environment are treated as secrets: redacted everywhere, never stored.
 */
import { z } from 'zod';
import { parseTarget, type Target } from '../drivers/target.js';
import { UsageError } from '../errors.js';
import { readInputFile } from '../input-file.js';
import { checkBaseline } from './plan.js';

const scalar = z.union([z.string(), z.number(), z.boolean()]).transform(String);

/** A target's name in reports (`--name`, a targets file's `name`): 1 to 100 characters, not all blank. */
export const targetNameSchema = z.string().max(100).regex(/\S/, 'must not be empty or blank');

/** One target as written in a targets file (and stored by schedules): secrets only as `env` references. */
export const targetEntrySchema = z.strictObject({
  name: targetNameSchema.optional(),
  url: z.string().min(1),
  options: z.record(z.string(), scalar).default({}),
  env: z.record(z.string(), z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name')).default({}),
});
export type TargetEntry = z.output<typeof targetEntrySchema>;

const fileSchema = z.strictObject({
  targets: z.array(targetEntrySchema).min(1, 'at least one target'),
  workloads: z.array(z.string()).optional(),
  baseline: targetNameSchema.optional(),
});

export interface TargetsFile {
  readonly targets: Target[];
  /** The entries as written (secrets still as `env` references). */
  readonly entries: TargetEntry[];
  readonly workloads?: string[];
  /** The target the others are compared against (a target's name), stored with the suite's runs. */
  readonly baseline?: string;
}

/** YAML reads `name: null`, `name: 1.10` or `name: true` as no string at all: the fix is quotes. */
function quoteHint(data: unknown, issue: z.ZodError['issues'][number]): string {
  const field = issue.path.at(-1);
  if (issue.code !== 'invalid_type' || issue.expected !== 'string' || typeof field !== 'string') return '';
  const value = issue.path.reduce<unknown>((v, k) => (v as Record<PropertyKey, unknown> | null | undefined)?.[k], data);
  if (value !== null && typeof value !== 'number' && typeof value !== 'boolean') return '';
  return ` (quote it: ${field}: "${String(value)}")`;
}

/**
 * Read and validate a targets file (a regular file of at most 1 MiB, see ../input-file.ts); options named in
 * `env` are read from `env` and treated as secrets. A `baseline` must name one of its storage targets.
 * @throws UsageError naming the file and the field
 */
export function loadTargetsFile(path: string, env: NodeJS.ProcessEnv = process.env): TargetsFile {
  const data = readInputFile(path, `targets file ${path}`);
  const parsed = fileSchema.safeParse(data);
  if (!parsed.success) {
    throw new UsageError(
      `targets file ${path}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}${quoteHint(data, i)}`).join('; ')}`,
    );
  }
  const targets = resolveTargets(parsed.data.targets, `targets file ${path}`, env);
  const { workloads, baseline } = parsed.data;
  if (baseline !== undefined) checkBaseline(targets, baseline, `targets file ${path}`);
  return {
    targets,
    entries: parsed.data.targets,
    ...(workloads ? { workloads } : {}),
    ...(baseline !== undefined ? { baseline } : {}),
  };
}

/**
 * Turn target entries into targets, reading the `env` options from the environment (as secrets).
 * `where` starts every error message (`targets file x.yaml`, `schedule nightly`).
 */
export function resolveTargets(entries: readonly TargetEntry[], where: string, env: NodeJS.ProcessEnv = process.env): Target[] {
  const names = new Set<string>();
  return entries.map((t, i) => {
    const fromEnv: Record<string, string> = {};
    for (const [option, variable] of Object.entries(t.env)) {
      const value = env[variable];
      if (value === undefined || value === '') throw new UsageError(`${where}: targets.${i}.env.${option}: environment variable ${variable} is not set`);
      fromEnv[option] = value;
    }
    let target: Target;
    try {
      target = parseTarget(t.url, { ...t.options, ...fromEnv }, t.name, Object.keys(fromEnv));
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
      throw new UsageError(`${where}: ${t.name !== undefined ? `target ${t.name}` : `targets.${i}`}: ${e.message.replace(/^target: /, '')}`, e.code);
    }
    if (names.has(target.name)) throw new UsageError(`${where}: targets.${i}.name: "${target.name}" is used twice`);
    names.add(target.name);
    return target;
  });
}
