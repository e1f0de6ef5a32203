/**
 * A schedule as given by a user (CLI flags or the API's JSON body), validated once into what the store
 * keeps. Targets are kept as in a targets file: URL and plain options, secrets only as `env` references
 * (option name → environment variable name) read when a job starts. A URL password, or an option its driver
 * declares secret, given in clear is refused, so no secret value ever reaches the database.
 */
import { Cron } from 'croner';
import { z } from 'zod';
import { ENGINES } from '../distributed/engines/registry.js';
import { planShares } from '../distributed/plan.js';
import { knownSchemes } from '../drivers/registry.js';
import { isSecretOption, parseTarget } from '../drivers/target.js';
import { UsageError } from '../errors.js';
import {
  MISSED_POLICIES,
  type NewSchedule,
  type ScheduleDistributed,
  type ScheduleRecord,
  type ScheduleSuite,
  type ScheduleWorkload,
  type Thresholds,
} from '../results/types.js';
import { checkBaseline } from '../suite/plan.js';
import { targetEntrySchema, targetNameSchema } from '../suite/targets-file.js';
import { PRESETS } from '../workloads/presets.js';
import { validateWorkload, type WorkloadSpec } from '../workloads/spec.js';

/** Defaults of the regression thresholds, in percent. */
export const DEFAULT_THRESHOLDS: Thresholds = { throughputDropPct: 10, p99RisePct: 20 };

/** Spelled without the `i` flag: the API's JSON schemas reuse its `source`, which drops flags. */
export const SCHEDULE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

const percent = z.number().gt(0).max(100_000);

/** The input shape shared by `storbench schedule add` and `POST /api/schedules`. */
export const scheduleInputSchema = z.strictObject({
  id: z.string().regex(SCHEDULE_ID_PATTERN, 'letters, digits, . _ - (up to 64)'),
  cron: z.string().min(1).max(200),
  targets: z.array(targetEntrySchema).min(1, 'at least one target').max(100),
  workloads: z
    .array(z.union([z.string().min(1).max(500), z.record(z.string(), z.unknown())]))
    .min(1, 'at least one workload')
    .max(100),
  overrides: z.record(z.string(), z.unknown()).default({}),
  baseline: targetNameSchema.optional(),
  distributed: z
    .strictObject({
      engine: z.enum(Object.keys(ENGINES) as [string, ...string[]]),
      clients: z.number().int().min(1).max(10_000),
      coordinatorBind: z.string().min(1).max(300).optional(),
      coordinatorHost: z.string().min(1).max(300).optional(),
      registrationTimeout: z.string().min(1).max(50).optional(),
      launcherArgs: z.array(z.string().max(2000)).max(100).optional(),
      agentCommand: z.string().min(1).max(2000).optional(),
    })
    .optional(),
  enabled: z.boolean().default(true),
  missed: z.enum(MISSED_POLICIES as [string, ...string[]]).default('skip'),
  thresholds: z.strictObject({ throughputDropPct: percent.optional(), p99RisePct: percent.optional() }).default({}),
  webhook: z.string().max(2000).optional(),
});
export type ScheduleInput = z.input<typeof scheduleInputSchema>;

/** The cron expression parsed (UTC): 5 fields, or 6 with seconds first. */
export function parseCron(expression: string): Cron {
  try {
    return new Cron(expression, { timezone: 'UTC', paused: true });
  } catch (e) {
    throw new UsageError(`cron: "${expression}" is not a cron expression (${(e as Error).message})`);
  }
}

/** The first due time strictly after `after`, or undefined when the expression never fires again. */
export function nextDue(cron: Cron, after: Date): Date | undefined {
  return cron.nextRun(after) ?? undefined;
}

/** `http(s)://...` or `env:VARIABLE`. */
function checkWebhook(value: string): void {
  if (/^env:[A-Za-z_][A-Za-z0-9_]*$/.test(value)) return;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`webhook: "${value.slice(0, 80)}" is neither an http(s) URL nor env:VARIABLE`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`webhook: only http and https URLs (got ${url.protocol})`);
  if (url.username || url.password || url.search) {
    throw new UsageError('webhook: a URL with credentials or a query is a secret: put it in an environment variable and give env:VARIABLE');
  }
}

/** A webhook as shown: the origin only, or the variable it is read from. */
export function shownWebhook(value: string | undefined): string | undefined {
  if (value === undefined || value.startsWith('env:')) return value;
  try {
    const u = new URL(value);
    return u.pathname === '/' ? u.origin : `${u.origin}/…`;
  } catch {
    return '…';
  }
}

/** Whether a workload named on the command line is a file to read (as `loadWorkload` decides), not a preset. */
export const isWorkloadPath = (ref: string): boolean => !Object.hasOwn(PRESETS, ref) && /[./]/.test(ref);

/**
 * The spec of one workload of a schedule with the schedule's overrides: a preset, or an inline spec. It
 * reads no file: a path (sent to the API, or stored by an older version) is refused, so whoever may add
 * schedules cannot make the server read its files.
 * @throws UsageError naming the field
 */
export function scheduleWorkload(ref: ScheduleWorkload, overrides: Readonly<Record<string, unknown>>, field: string): WorkloadSpec {
  if (typeof ref !== 'string') return validateWorkload({ ...ref, ...overrides }, field);
  if (Object.hasOwn(PRESETS, ref)) return validateWorkload({ name: ref, ...PRESETS[ref], ...overrides }, ref);
  throw new UsageError(
    isWorkloadPath(ref)
      ? `schedule: ${field}: "${ref.slice(0, 200)}" is a file path: schedules hold preset names or inline specs, never files to read where the job runs (\`storbench schedule add --workloads FILE\` stores the file's fields inline)`
      : `schedule: ${field}: unknown preset "${ref.slice(0, 200)}" (presets: ${Object.keys(PRESETS).join(', ')})`,
    'STORBENCH_ERR_INVALID_WORKLOAD',
  );
}

/** Every workload of a schedule, validated with its overrides (at add time, and again when a job starts). */
export function scheduleWorkloads(suite: ScheduleSuite): WorkloadSpec[] {
  return suite.workloads.map((w, i) => scheduleWorkload(w, suite.overrides, `workloads.${i}`));
}

/**
 * A spec as inline fields that validate back to the same spec (durations in ms: a bare number would be
 * seconds): what `schedule add` stores for a workload file, so jobs never read the file.
 */
export function inlineWorkload(spec: WorkloadSpec): Record<string, unknown> {
  return { ...spec, duration: `${spec.duration}ms`, warmup: `${spec.warmup}ms` };
}

/** How a schedule's workload is named in listings: the preset, or the inline spec's name. */
export function workloadLabel(ref: ScheduleWorkload): string {
  return typeof ref === 'string' ? ref : String(ref.name ?? 'custom');
}

/**
 * Validate a schedule: every problem is a UsageError naming the field. Workloads are loaded once with the
 * overrides (so a bad override fails here, not at 3 a.m.); targets are parsed but their secrets are not read.
 */
export function validateSchedule(input: unknown): NewSchedule {
  const parsed = scheduleInputSchema.safeParse(input);
  if (!parsed.success) {
    throw new UsageError(`schedule: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}`).join('; ')}`);
  }
  const s = parsed.data;
  if (!nextDue(parseCron(s.cron), new Date())) throw new UsageError(`cron: "${s.cron}" never comes due`);
  const names = new Set<string>();
  const parsedTargets = s.targets.map((t, i) => {
    // the option names read from the environment must be the driver's too (their values are read at run time)
    const fromEnv = Object.fromEntries(Object.keys(t.env).map((option) => [option, '']));
    const target = parseTarget(t.url, { ...t.options, ...fromEnv }, t.name, Object.keys(fromEnv));
    // before the secret check: an unknown scheme's options are all unclassifiable, so all "secret"
    if (!knownSchemes().includes(target.scheme)) {
      throw new UsageError(
        `schedule: targets.${i}: unknown scheme "${target.scheme}://" (known: ${knownSchemes().join(', ')})`,
        'STORBENCH_ERR_UNKNOWN_SCHEME',
      );
    }
    const inClear = [
      ...(target.password !== undefined ? ['the URL password'] : []),
      ...Object.keys(target.options)
        .filter((k) => !Object.hasOwn(fromEnv, k) && isSecretOption(target.scheme, k))
        .map((k) => `option ${k}`),
    ];
    if (inClear.length > 0) {
      throw new UsageError(
        `schedule: targets.${i}: ${target.redacted} carries ${inClear.join(', ')} in clear; a schedule keeps secrets only as ` +
          'environment variable names (targets file: env: { option: VARIABLE })',
        'STORBENCH_ERR_SECRET_IN_CLEAR',
      );
    }
    if (names.has(target.name)) throw new UsageError(`schedule: targets.${i}.name: "${target.name}" is used twice`);
    names.add(target.name);
    return target;
  });
  if (s.baseline !== undefined) checkBaseline(parsedTargets, s.baseline, 'schedule');
  const suite: ScheduleSuite = {
    targets: s.targets,
    workloads: s.workloads,
    overrides: s.overrides,
    ...(s.baseline !== undefined ? { baseline: s.baseline } : {}),
    ...(s.distributed ? { distributed: s.distributed as ScheduleDistributed } : {}),
  };
  const specs = scheduleWorkloads(suite);
  // shared among the clients: refused now, not when the job starts (the engine's launcher is checked then)
  if (s.distributed) for (const spec of specs) planShares(spec, s.distributed.clients, false);
  if (s.webhook !== undefined) checkWebhook(s.webhook);
  return {
    id: s.id,
    cron: s.cron.trim(),
    enabled: s.enabled,
    missed: s.missed as NewSchedule['missed'],
    suite,
    thresholds: { ...DEFAULT_THRESHOLDS, ...s.thresholds },
    ...(s.webhook !== undefined ? { webhook: s.webhook } : {}),
  };
}

/** A schedule as shown by the CLI and the API: the webhook reduced to its origin, and the next due time. */
export function scheduleView(s: ScheduleRecord, now: Date = new Date()) {
  const next = s.enabled ? nextDue(parseCron(s.cron), now) : undefined;
  const { webhook, ...rest } = s;
  return { ...rest, webhook: shownWebhook(webhook) ?? null, nextDueAt: next?.toISOString() ?? null };
}
