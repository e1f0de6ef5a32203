/**
 * A schedule as given by a user (CLI flags or the API's JSON body), validated once into what the store
 * keeps. Targets are kept as in a targets file: URL and plain options, secrets only as `env` references
 * (option name → environment variable name) read when a job starts. A URL password or a secret-looking
 * option given in clear is refused, so no secret value ever reaches the database.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Cron } from 'croner';
import { z } from 'zod';
import { knownSchemes } from '../drivers/registry.js';
import { isSecretOption, parseTarget } from '../drivers/target.js';
import { UsageError } from '../errors.js';
import { MISSED_POLICIES, type NewSchedule, type ScheduleRecord, type Thresholds } from '../results/types.js';
import { targetEntrySchema } from '../cli/targets-file.js';
import { loadWorkload, type WorkloadInput } from '../workloads/spec.js';
import { PRESETS } from '../workloads/presets.js';

/** Defaults of the regression thresholds, in percent. */
export const DEFAULT_THRESHOLDS: Thresholds = { throughputDropPct: 10, p99RisePct: 20 };

export const SCHEDULE_ID_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/i;

const percent = z.number().gt(0).max(100_000);

/** The input shape shared by `storbench schedule add` and `POST /api/schedules`. */
export const scheduleInputSchema = z.strictObject({
  id: z.string().regex(SCHEDULE_ID_PATTERN, 'letters, digits, . _ - (up to 64)'),
  cron: z.string().min(1).max(200),
  targets: z.array(targetEntrySchema).min(1, 'at least one target').max(100),
  workloads: z.array(z.string().min(1).max(500)).min(1, 'at least one workload').max(100),
  overrides: z.record(z.string(), z.unknown()).default({}),
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

/** A workload file given by a relative path is stored absolute: jobs may run from another directory. */
function workloadRef(name: string): string {
  return PRESETS[name] || !/[./]/.test(name) || !existsSync(name) ? name : resolve(name);
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
  s.targets.forEach((t, i) => {
    const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(t.url.trim())?.[1]?.toLowerCase();
    if (scheme !== undefined && !knownSchemes().includes(scheme)) {
      throw new UsageError(`schedule: targets.${i}: unknown scheme "${scheme}://" (known: ${knownSchemes().join(', ')})`, 'STORBENCH_ERR_UNKNOWN_SCHEME');
    }
    // the option names read from the environment must be the driver's too (their values are read at run time)
    const fromEnv = Object.fromEntries(Object.keys(t.env).map((option) => [option, '']));
    const target = parseTarget(t.url, { ...t.options, ...fromEnv }, t.name, Object.keys(fromEnv));
    const inClear = [
      ...(target.password !== undefined ? ['the URL password'] : []),
      ...Object.keys(target.options).filter((k) => !Object.hasOwn(fromEnv, k) && isSecretOption(target.scheme, k)).map((k) => `option ${k}`),
    ];
    if (inClear.length > 0) {
      throw new UsageError(
        `schedule: targets.${i}: ${target.redacted} carries ${inClear.join(', ')} in clear; a schedule keeps secrets only as `
        + 'environment variable names (targets file: env: { option: VARIABLE })',
        'STORBENCH_ERR_SECRET_IN_CLEAR',
      );
    }
    if (names.has(target.name)) throw new UsageError(`schedule: targets.${i}.name: "${target.name}" is used twice`);
    names.add(target.name);
  });
  const workloads = s.workloads.map(workloadRef);
  for (const w of workloads) loadWorkload(w, s.overrides as Partial<WorkloadInput>);
  if (s.webhook !== undefined) checkWebhook(s.webhook);
  return {
    id: s.id, cron: s.cron.trim(), enabled: s.enabled, missed: s.missed as NewSchedule['missed'],
    suite: { targets: s.targets, workloads, overrides: s.overrides },
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
